#!/bin/sh
# Builds CAF's static libraries from Debian's source of the CAF that libcaf-dev installs
# (0.17.6), for the device build whose daemon links its whole C++ closure
# (cmake -DCTRD_SMALL=ON -DCTRD_SMALL_STATIC=ON; cmake/small.cmake, docs/benchmarks.md
# "Footprint budget").
#
#   scripts/caf-static.sh [DIR]      DIR defaults to build-caf-static
#
# Writes DIR/lib/libcaf_core_static.a and DIR/lib/libcaf_io_static.a (-Os, one section per
# function and object, position-independent, with GCC's LTO) and prints the CMake arguments that use them.
# The source comes from `apt-get source` through a deb-src list of this script's own (the
# system's apt configuration is not changed). When Debian's patches cannot be unpacked (a
# mirror without the .debian.tar.xz), the upstream tarball is used with the one Debian fix
# this build needs, taken from the installed header (`#include <limits>` in
# caf/io/network/receive_buffer.hpp); the build configuration is checked to be the one of
# the installed headers. About 5-8 minutes on 2 cores (LTO objects).
set -eu
cd "$(dirname "$0")/.."
die() { echo "caf-static: $*" >&2; exit 1; }
out=${1:-build-caf-static}
mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/src
mkdir -p "$src/lists/partial"
mirror=${CTRD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
echo "deb-src $mirror bookworm main" >"$src/sources.list"
apt_opts="-o Dir::Etc::SourceList=$src/sources.list -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists=$src/lists -o APT::Sandbox::User=root"
version=$(dpkg-query -W -f '${source:Version}' libcaf-dev 2>/dev/null) ||
  die "libcaf-dev is not installed (scripts/install-deps.sh)"
upstream=${version%%-*}
tree=$src/actor-framework-$upstream
if [ ! -d "$tree" ]; then
  # shellcheck disable=SC2086
  apt-get $apt_opts update -q >/dev/null
  # shellcheck disable=SC2086
  (cd "$src" && { apt-get $apt_opts source --download-only "actor-framework=$version" || true; })
  orig=$src/actor-framework_$upstream.orig.tar.gz
  [ -f "$orig" ] || die "could not download actor-framework $version's source from $mirror"
  if [ -f "$src/actor-framework_$version.debian.tar.xz" ] && command -v dpkg-source >/dev/null; then
    (cd "$src" && dpkg-source -x "actor-framework_$version.dsc" "$tree")
  else
    echo "caf-static: Debian's patches are not available: the upstream tarball and the installed fix"
    tar -xzf "$orig" -C "$src"
    cp /usr/include/caf/io/network/receive_buffer.hpp "$tree/libcaf_io/caf/io/network/"
  fi
fi
# Link-time optimisation across CAF and ctrd (the device build's default): CAF's objects carry
# GCC's intermediate code as well as machine code (fat), so a build without LTO links them too.
# Measured: the multi-call ctrd-daemon 4.22 -> 3.97 MiB. gcc-ar writes the plugin's index.
lto="-flto=auto -ffat-lto-objects"
gcc_ar=$(command -v gcc-ar || true)
gcc_ranlib=$(command -v gcc-ranlib || true)
if [ -z "$gcc_ar" ] || [ -z "$gcc_ranlib" ]; then
  lto=""
  gcc_ar=$(command -v ar)
  gcc_ranlib=$(command -v ranlib)
fi
cmake -S "$tree" -B "$out/build" -G Ninja -DCMAKE_BUILD_TYPE=MinSizeRel \
  -DCAF_BUILD_STATIC_ONLY=yes -DCAF_NO_EXAMPLES=yes -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_TOOLS=yes \
  -DCAF_NO_OPENSSL=yes -DCAF_NO_PYTHON=yes -DCAF_NO_OPENCL=yes \
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_AR="$gcc_ar" -DCMAKE_RANLIB="$gcc_ranlib" \
  "-DCMAKE_CXX_FLAGS=-ffunction-sections -fdata-sections -fvisibility-inlines-hidden $lto" \
  >/dev/null
cmp -s "$out/build/libcaf_core/caf/detail/build_config.hpp" /usr/include/caf/detail/build_config.hpp ||
  die "the build's caf/detail/build_config.hpp differs from the installed one"
ninja -C "$out/build" -j"$(nproc)" libcaf_core_static libcaf_io_static
mkdir -p "$out/lib"
cp "$out/build/lib/libcaf_core_static.a" "$out/build/lib/libcaf_io_static.a" "$out/lib/"
echo "caf-static: $out/lib; configure ctrd with"
echo "  cmake -S . -B build-small -G Ninja -DCTRD_SMALL=ON -DCTRD_SMALL_STATIC=ON -DCTRD_CAF_STATIC_DIR=$out -DCTRD_TESTS=OFF"
