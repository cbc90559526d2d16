#!/bin/sh
# Builds the Debian package dist/ctrd_<version>_<arch>.deb (docs/install.md).
#
# Usage: scripts/package.sh [--build-dir DIR] [--out DIR] amd64|arm64
#   amd64       configures and builds a Release tree in build-pkg-amd64 (-O2, no tests)
#   arm64       packages the cross build in build-arm64 (made by `scripts/cross-test.sh arm64`)
#   --build-dir packages an existing, already built tree instead (no build: CI packages
#               the build it already has)
#   --out       where the .deb goes (default: dist/)
# The tree is installed with `cmake --install --strip` and prefix /usr into a staging
# folder; the maintainer scripts and the control template are config/debian/. Depends comes
# from dpkg-shlibdeps (for arm64 with the sysroot's libraries: $CTRD_SYSROOT or the build's
# CMAKE_SYSROOT). Maintainer: $DEBFULLNAME <$DEBEMAIL> when set.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "package.sh: $*" >&2; exit 1; }

build=""
out="$src/dist"
arch=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build=$2; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    amd64 | arm64) [ -z "$arch" ] || die "one architecture only"; arch=$1; shift ;;
    *) die "unknown argument '$1' (usage: scripts/package.sh [--build-dir DIR] [--out DIR] amd64|arm64)" ;;
  esac
done
[ -n "$arch" ] || die "name the architecture: scripts/package.sh amd64|arm64"
for tool in dpkg-deb dpkg-shlibdeps cmake readelf; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "$tool is not installed (scripts/install-deps.sh installs dpkg-dev and binutils)"
done
host_arch=$(dpkg --print-architecture)
binaries="supervisor/ctrd supervisor/ctrd-daemon supervisor/ctrd-tar ctl/ctrctl ctl/ctrctl-cp"

# The tree to package.
if [ -z "$build" ]; then
  if [ "$arch" = "$host_arch" ]; then
    build="$src/build-pkg-$arch"
    generator=""
    command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
    # shellcheck disable=SC2086
    cmake -S "$src" -B "$build" $generator -DCMAKE_BUILD_TYPE=Release \
      "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DCTRD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr
    cmake --build "$build" -j"$(nproc)"
  else
    build="$src/build-$arch"
    for b in $binaries; do
      [ -x "$build/$b" ] ||
        die "no cross build in $build ($b is missing): run scripts/cross-test.sh $arch first"
    done
  fi
fi
[ -f "$build/CMakeCache.txt" ] || die "$build is not a CMake build tree (no CMakeCache.txt)"
build=$(cd "$build" && pwd)
for b in $binaries; do
  [ -x "$build/$b" ] || die "$build/$b is missing: build the tree first (cmake --build $build)"
done

# The binaries must be of the package's architecture.
case "$arch" in
  amd64) machine="X86-64" triplet=x86_64-linux-gnu ;;
  arm64) machine="AArch64" triplet=aarch64-linux-gnu ;;
esac
readelf -h "$build/supervisor/ctrd" | grep -q "Machine:.*$machine" ||
  die "$build/supervisor/ctrd is not an $arch binary ($(readelf -h "$build/supervisor/ctrd" |
    sed -n 's/ *Machine: *//p'))"

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || die "no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022
stage="$work/stage"
mkdir -p "$stage"
chmod 755 "$stage"
DESTDIR="$stage" cmake --install "$build" --prefix /usr --strip >"$work/install.log" ||
  { cat "$work/install.log" >&2; die "cmake --install of $build failed"; }

# A strip of the wrong architecture leaves a cross build's binaries as they were.
for b in $binaries; do
  f="$stage/usr/bin/$(basename "$b")"
  if readelf -S "$f" | grep -q '\.symtab'; then
    command -v "$triplet-strip" >/dev/null 2>&1 || die "$f is not stripped and there is no $triplet-strip"
    "$triplet-strip" "$f"
  fi
done

# Debian 12 keeps units in /lib/systemd/system (files do not move to /usr in bookworm).
mkdir -p "$stage/lib/systemd/system"
mv "$stage/usr/lib/systemd/system/ctrd.service" "$stage/lib/systemd/system/ctrd.service"
rmdir -p "$stage/usr/lib/systemd/system" 2>/dev/null || true
grep -q '^ExecStart=/usr/bin/ctrd$' "$stage/lib/systemd/system/ctrd.service" ||
  die "ctrd.service: ExecStart is not /usr/bin/ctrd"

# Man pages: compressed, as Debian's man expects them.
ls "$stage/usr/share/man/man1/ctrctl.1" >/dev/null 2>&1 ||
  die "$build has no man pages: install go-md2man (scripts/install-deps.sh), reconfigure, rebuild"
find "$stage/usr/share/man" -type f -name '*.[0-9]' -exec gzip -9n {} +

# Completions: a cross build cannot run its ctrctl, so the text comes from a native ctrctl
# of the same version ($CTRD_HOST_CTRCTL, or a native build tree of this source).
comp_bash="$stage/usr/share/bash-completion/completions/ctrctl"
if [ ! -f "$comp_bash" ]; then
  host_ctl=""
  for c in "${CTRD_HOST_CTRCTL:-}" "$src/build-pkg-$host_arch/ctl/ctrctl" \
    "$src/build-test/ctl/ctrctl" "$src/build/ctl/ctrctl"; do
    [ -n "$c" ] && [ -x "$c" ] && [ "$("$c" --version 2>/dev/null)" = "ctrctl $version" ] &&
      { host_ctl=$c; break; }
  done
  [ -n "$host_ctl" ] || die "$build has no shell completions (a cross build) and no native ctrctl \
$version was found: build one (cmake --build build-test --target ctrctl) or set CTRD_HOST_CTRCTL"
  mkdir -p "$(dirname "$comp_bash")" "$stage/usr/share/zsh/vendor-completions" \
    "$stage/usr/share/fish/vendor_completions.d"
  "$host_ctl" completion bash >"$comp_bash"
  "$host_ctl" completion zsh >"$stage/usr/share/zsh/vendor-completions/_ctrctl"
  "$host_ctl" completion fish >"$stage/usr/share/fish/vendor_completions.d/ctrctl.fish"
fi

# Service files folder, CTRD_SOCKET for the group's members, documentation.
mkdir -p "$stage/etc/ctrd/containers.d" "$stage/usr/share/doc/ctrd/examples"
install -D -m 644 "$src/config/debian/profile.sh" "$stage/etc/profile.d/ctrd.sh"
cp "$src/config/debian/copyright" "$stage/usr/share/doc/ctrd/copyright"
gzip -9nc "$src/CHANGELOG.md" >"$stage/usr/share/doc/ctrd/changelog.gz"
cp "$src"/config/examples/*.toml "$stage/usr/share/doc/ctrd/examples/"
chmod 644 "$stage/usr/share/doc/ctrd/copyright" "$stage"/usr/share/doc/ctrd/examples/*

# Depends: the shared libraries' packages (dpkg-shlibdeps) and the group tools of postinst.
elfs=""
for b in $binaries; do elfs="$elfs $stage/usr/bin/$(basename "$b")"; done
mkdir -p "$work/shlibs/debian"
printf 'Source: ctrd\n\nPackage: ctrd\nArchitecture: any\n' >"$work/shlibs/debian/control"
shlib_args=""
if [ "$arch" != "$host_arch" ]; then
  sysroot=${CTRD_SYSROOT:-$(sed -n 's/^CMAKE_SYSROOT:[A-Z]*=//p' "$build/CMakeCache.txt")}
  [ -n "$sysroot" ] || sysroot="$build/sysroot"
  { [ -n "$sysroot" ] && [ -d "$sysroot" ]; } ||
    die "no sysroot for $arch's libraries: set CTRD_SYSROOT (the one scripts/cross-test.sh made)"
  # The sysroot's libraries, and the C and C++ runtime of the cross toolchain
  # (crossbuild-essential-$arch, whose packages the host's dpkg knows).
  shlib_args="-l$sysroot/lib/$triplet -l$sysroot/usr/lib/$triplet -l/usr/$triplet/lib"
  # A sysroot unpacked with `dpkg -x` has no package database: its .debs (kept in
  # <sysroot>/.debs by scripts/arm64-sysroot.sh) become package build trees for -S, each with
  # its control files (shlibs, symbols) and links to its libraries in the sysroot.
  for deb in "$sysroot"/.debs/*.deb; do
    [ -f "$deb" ] || continue
    tree="$work/trees/$(dpkg-deb -f "$deb" Package)"
    mkdir -p "$tree/DEBIAN"
    dpkg-deb -e "$deb" "$tree/DEBIAN"
    if [ ! -f "$tree/DEBIAN/shlibs" ] && [ ! -f "$tree/DEBIAN/symbols" ]; then
      rm -rf "$tree"
      continue
    fi
    dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./||' | grep -E '\.so(\.[0-9]+)*$' |
      while read -r lib; do
        mkdir -p "$tree/$(dirname "$lib")"
        ln -sfn "$sysroot/$lib" "$tree/$lib"
      done
    shlib_args="$shlib_args -S$tree"
  done
  # A sysroot made with `dpkg --root` has its own package database.
  [ -f "$sysroot/var/lib/dpkg/status" ] && shlib_args="$shlib_args --admindir=$sysroot/var/lib/dpkg"
fi
# shellcheck disable=SC2086
if ! shlibs=$(cd "$work/shlibs" && DEB_HOST_ARCH=$arch DEB_HOST_MULTIARCH=$triplet \
  dpkg-shlibdeps -O $shlib_args $elfs 2>"$work/shlibdeps.log"); then
  cat "$work/shlibdeps.log" >&2
  die "dpkg-shlibdeps failed for the $arch binaries (see above)"
fi
# The cross toolchain's shlibs name its own packages (libc6:arm64, libgcc-s1-arm64-cross):
# on the device they are libc6 and libgcc-s1.
depends=$(echo "$shlibs" | sed -n 's/^shlibs:Depends=//p' | sed "s/:$arch//g; s/-$arch-cross//g")
[ -n "$depends" ] || die "dpkg-shlibdeps found no library dependency"
depends="adduser | passwd, $depends"

# Control files.
control="$stage/DEBIAN"
mkdir -p "$control"
maintainer="${DEBFULLNAME:-ctrd maintainers} <${DEBEMAIL:-maintainers@ctrd.invalid}>"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
VERSION=$version ARCH=$arch MAINTAINER=$maintainer INSTALLED_SIZE=$installed_size \
  DEPENDS=$depends awk '{
    n = split("VERSION ARCH MAINTAINER INSTALLED_SIZE DEPENDS", keys, " ")
    for (i = 1; i <= n; i++) {
      at = index($0, "@" keys[i] "@")
      if (at) $0 = substr($0, 1, at - 1) ENVIRON[keys[i]] substr($0, at + length(keys[i]) + 2)
    }
    print
  }' "$src/config/debian/control.in" >"$control/control"
for s in postinst prerm postrm; do
  install -m 755 "$src/config/debian/$s" "$control/$s"
done
conffiles=$(cd "$stage" && find etc -type f | sed 's|^|/|')
[ -z "$conffiles" ] || echo "$conffiles" >"$control/conffiles"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum) >"$control/md5sums"
chmod 644 "$control/control" "$control/md5sums"

mkdir -p "$out"
deb="$out/ctrd_${version}_${arch}.deb"
# xz for packages people install; CTRD_DEB_COMPRESS=none for the package test, which only
# unpacks it (xz of an unstripped-size ASan tree took two minutes of CI).
dpkg-deb --root-owner-group -Z"${CTRD_DEB_COMPRESS:-xz}" --build "$stage" "$deb" >/dev/null
echo "$deb ($(du -k "$deb" | cut -f1) KiB; installed $installed_size KiB)"
