#!/bin/sh
# scripts/cross-test.sh arm64 [--compile-only] [--full]: ctrd for arm64 on an amd64 Debian 12
# host (docs/arm64.md). Cross-builds with crossbuild-essential-arm64 against a sysroot of
# arm64 .debs (scripts/arm64-sysroot.sh, in build-arm64/sysroot) and runs the unit tests
# under qemu-aarch64-static, called explicitly with the cross C library (-L) and the
# sysroot's libraries (LD_LIBRARY_PATH): no binfmt_misc registration is needed or used.
#   (default)       build and run the reduced set (CI_SET below), print what was left out
#   --full          build and run every unit test binary, all their cases
#   --compile-only  the quick check CI runs: compile (no code generation, no link) the
#                   product's folders that make system calls, see COMPILE_DIRS below
# Installs what it lacks (scripts/install-deps.sh, the arm64 architecture for apt-get
# download). Prints passed/skipped/failed per binary; exits non-zero on a failure.
set -eu
cd "$(dirname "$0")/.."
usage() {
  echo "usage: scripts/cross-test.sh arm64 [--compile-only] [--full]" >&2
  exit 2
}
[ "${1:-}" = arm64 ] || usage
shift
mode=reduced
for a in "$@"; do
  case $a in
    --compile-only) mode=compile ;;
    --full) mode=full ;;
    *) usage ;;
  esac
done
build="build-arm64"
sysroot=$PWD/$build/sysroot
started=$(date +%s)
step() { echo "cross-test: $* ($(($(date +%s) - started)) s)"; }

# --compile-only, within a CI budget of about 3 minutes (measured: docs/arm64.md):
# - all of runtime/ (the spawner, namespaces, cgroups, seccomp, mounts: the system calls
#   of ctrd_host) and holder/, compiled and assembled: light CAF-free files, and inline
#   assembly is only checked by the assembler;
# - of actors/ and supervisor/, the files that make system calls themselves (a <sys/...> or
#   <linux/...> header, SYS_ numbers, syscall(), asm): the host loop, exec, I/O, the
#   control socket, main. Parsed only (-fsyntax-only): they are CAF templates, and the other
#   files of these folders (pure actor logic, 60% of their compile time) make no system
#   call.
# An x86-64-only system call number, an unguarded assembly block or a header only one
# architecture has fails here. messages/, core/, config/ and ctl/ are portable C++ (socket
# I/O in ctl only) and are left out.
COMPILE_DIRS="runtime holder"
ASSEMBLE_DIRS="runtime,holder"
syscall_files() {
  grep -lE '#include <(sys|linux)/|SYS_|::syscall\(|asm' actors/*.cpp supervisor/*.cpp
}

# The default run: ctrd_runtime_tests and ctrd_system_tests (a cross-build-only binary of
# the unit tests that make system calls: tests/CMakeLists.txt), plus ctrd-daemon and
# ctrctl linked. --full builds and runs ctrd_unit_tests (all unit tests, ctrctl's and the
# actors' included) and ctrd_holder_tests instead: about four times the compile time
# (docs/arm64.md). The holder's process tests exec arm64 binaries, which qemu-user cannot do
# without binfmt_misc: they skip with the reason.
REDUCED_NOTE="ctrd_unit_tests' pure-logic, ctrctl and actor cases; ctrd_holder_tests"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
tools="crossbuild-essential-arm64"
[ "$mode" = compile ] || tools="$tools qemu-user-static"
# shellcheck disable=SC2086
scripts/install-deps.sh $tools
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  step "adding the arm64 architecture (for apt-get download of arm64 .debs; nothing is installed)"
  $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update -q
elif ! apt-cache show libcaf-dev:arm64 >/dev/null 2>&1; then
  $SUDO apt-get update -q
fi

step "sysroot $sysroot"
scripts/arm64-sysroot.sh "$sysroot"
if [ ! -f "$build/build.ninja" ]; then
  step "configuring $build"
  cmake -S . -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
    -DCTRD_SYSROOT="$sysroot" -DCTRD_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g0" >/dev/null
fi

if [ "$mode" = compile ]; then
  files=$(syscall_files | tr '\n' ' ')
  step "compiling for aarch64: $COMPILE_DIRS (assembled) and $files"
  # shellcheck disable=SC2086
  python3 scripts/compile-only.py "$build/compile_commands.json" "$PWD" \
    --assemble="$ASSEMBLE_DIRS" $COMPILE_DIRS $files
  step "compile-only check passed"
  exit 0
fi

targets="ctrd_runtime_tests ctrd_system_tests ctrd-daemon ctrctl"
binaries="ctrd_runtime_tests ctrd_system_tests"
if [ "$mode" = full ]; then
  targets="ctrd_runtime_tests ctrd_unit_tests ctrd_holder_tests ctrd ctrctl"
  binaries="ctrd_runtime_tests ctrd_unit_tests ctrd_holder_tests"
else
  echo "cross-test: reduced run (CI-sized); left out: $REDUCED_NOTE"
fi
step "building $targets"
# shellcheck disable=SC2086
cmake --build "$build" -j"$(nproc)" --target $targets

step "running the unit tests under qemu-aarch64-static"
libs=$sysroot/usr/lib/aarch64-linux-gnu
status=0
for b in $binaries; do
  out=$build/tests/$b.qemu.xml
  # Catch2 exits with the number of failed cases; the XML report is read in any case.
  LD_LIBRARY_PATH=$libs \
    qemu-aarch64-static -L /usr/aarch64-linux-gnu "$build/tests/$b" -r xml -o "$out" \
    >"$build/tests/$b.qemu.log" 2>&1 || true
  python3 scripts/catch-counts.py "$b" "$out" || status=1
done
step "done"
exit $status
