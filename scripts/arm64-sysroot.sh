#!/bin/sh
# scripts/arm64-sysroot.sh DIR: builds (once) a sysroot for cross-building ctrd for arm64 in
# DIR (scripts/cross-test.sh uses build-arm64/sysroot): the arm64 .debs of every library the
# build uses and their runtime libraries, fetched with `apt-get download` and unpacked with
# `dpkg -x`. Nothing is installed: CAF's packages are not Multi-Arch, so `apt-get install
# libcaf-dev:arm64` would remove the amd64 one. The C library, libstdc++ and the compiler's
# own runtime libraries are not in it: they come with crossbuild-essential-arm64
# (/usr/aarch64-linux-gnu). Needs `dpkg --add-architecture arm64` and an apt-get update
# (scripts/cross-test.sh does both). Safe to run again: packages already unpacked are skipped.
set -eu
root=${1:?usage: scripts/arm64-sysroot.sh DIR}
mkdir -p "$root/.debs"
root=$(cd "$root" && pwd)

# What the build uses (CMakeLists.txt files, scripts/install-deps.sh). Boost is there for
# msgpack-cxx's CMake package (Boost::boost); Catch2 for the tests.
TOP="libcaf-dev libboost-dev libmsgpack-cxx-dev libspdlog-dev libfmt-dev libleveldb-dev
libsnappy-dev libseccomp-dev libarchive-dev catch2 libtomlplusplus-dev libcli11-dev
nlohmann-json3-dev"
# Provided by the cross toolchain (or needed by nothing we link): left out of the closure.
SKIP='^(gcc-12-base|libc6|libc6-dev|libc-dev-bin|libgcc-s1|libgcc-12-dev|libstdc\+\+6|libstdc\+\+-12-dev|libasan8|libatomic1|libgomp1|libhwasan0|libitm1|liblsan0|libtsan2|libubsan1|linux-libc-dev|libcrypt1|libcrypt-dev|libnsl2|libnsl-dev|libtirpc3|libtirpc-dev|libtirpc-common|rpcsvc-proto)(:arm64)?$'

# The closure: every package the top ones depend on, recursively, for arm64, as download
# specs. A dependency apt shows as <name:arm64> has no arm64 build: it is an
# Architecture: all package, downloaded as plain `name`.
list="$root/.debs/packages"
if [ ! -s "$list" ]; then
  args=""
  for p in $TOP; do args="$args $p:arm64"; done
  # shellcheck disable=SC2086
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances $args | grep -v '^ ' | grep ':arm64>*$' |
    sed -e 's/^<\(.*\):arm64>$/\1/' | sort -u | grep -Ev "$SKIP" > "$list.tmp"
  mv "$list.tmp" "$list"
fi

# One apt-get call for everything not unpacked yet (each call costs seconds of cache loading).
cd "$root/.debs"
todo=""
for spec in $(cat "$list"); do
  [ -f "${spec%:arm64}.unpacked" ] || todo="$todo $spec"
done
if [ -n "$todo" ]; then
  echo "arm64-sysroot: downloading$todo"
  sandbox=""
  [ "$(id -u)" -ne 0 ] || sandbox="-o APT::Sandbox::User=root"  # _apt cannot write here
  # shellcheck disable=SC2086
  apt-get download -q $sandbox $todo >/dev/null || {
    echo "arm64-sysroot: cannot download the arm64 packages (is the arm64 architecture added" \
      "and the package index updated? dpkg --add-architecture arm64 && apt-get update)" >&2
    exit 1
  }
  for spec in $todo; do
    p=${spec%:arm64}
    dpkg -x "$(ls "${p}"_*.deb | tail -1)" "$root"
    touch "$p.unpacked"
  done
fi

# One library directory: packages that still ship in /lib (zlib, bzip2, xz, acl, ...) go to
# /usr/lib, as on a merged-/usr system.
if [ -d "$root/lib" ] && [ ! -L "$root/lib" ]; then
  cp -a "$root/lib/." "$root/usr/lib/"
  rm -rf "${root:?}/lib"
  ln -s usr/lib "$root/lib"
fi

# Absolute symbolic links (libfoo.so -> /lib/aarch64-linux-gnu/libfoo.so.1) would point at
# the host's files: make them relative to the sysroot.
find "$root" -path "$root/.debs" -prune -o -type l -lname '/*' -print | while read -r l; do
  target=$(readlink "$l")
  rel=$(realpath -m --relative-to="$(dirname "$l")" "$root$target")
  ln -sfn "$rel" "$l"
done
