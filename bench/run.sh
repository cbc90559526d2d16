#!/bin/sh
# ctrd benchmark suite: one command.
#
#   sudo bench/run.sh [--quick] [--install-peers] [--only METRIC,...] [--no-peers] [--no-build]
#                     [--build-dir DIR] [--no-doc] [--doc]
#
# Builds ctrd in Release (build-release), the static helper and a busybox rootfs, starts a private
# ctrd in a temporary directory, measures every metric with ctrd and the installed peers (fork/exec
# floor, crun, runc, podman, s6) side by side, prints a table, writes bench/results/<metric>.json
# and regenerates docs/benchmarks.md and docs/benchmarks-scaling.svg (not after --quick, whose
# results go to bench/results/quick/, unless --doc).
#   --quick          smoke run (~2 min): fewer repetitions, N = 100 instead of 1000
#   --install-peers  apt-get install podman crun runc conmon s6 hyperfine busybox-static first
#   --only LIST      comma list of: start,restart,stop,scaling,cold,psload
#   --no-peers       ctrd and the fork/exec floor only
#   --no-build       use the build directory as it is
#   --build-dir DIR  build and use DIR instead of build-release (e.g. to compare two builds)
# Everything it starts is stopped by pid, and the temporary directory (ctrd state, podman's
# private store, rootfs) is removed at the end, also on Ctrl-C.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
BUILD=$REPO/build-release
INSTALL=0; BUILD_IT=1; PASS=""; CMDLINE="bench/run.sh"
while [ $# -gt 0 ]; do
  a=$1; shift
  CMDLINE="$CMDLINE $a"
  case "$a" in
    --install-peers) INSTALL=1 ;;
    --no-build) BUILD_IT=0 ;;
    --build-dir) [ $# -gt 0 ] || { echo "--build-dir needs a directory" >&2; exit 2; }
                 BUILD=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); CMDLINE="$CMDLINE $1"; shift ;;
    --only) [ $# -gt 0 ] || { echo "--only needs a list" >&2; exit 2; }
            PASS="$PASS --only $1"; CMDLINE="$CMDLINE $1"; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) PASS="$PASS $a" ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root (containers, namespaces, podman as root)" >&2; exit 1; }

if [ "$INSTALL" = 1 ]; then
  echo "== installing peers with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman crun runc conmon s6 hyperfine busybox-static
fi
command -v busybox >/dev/null || { echo "busybox-static is needed for the rootfs: apt-get install busybox-static (or --install-peers)" >&2; exit 1; }
command -v cc >/dev/null || { echo "a C compiler (cc) is needed for bench/helper.c" >&2; exit 1; }

if [ "$BUILD_IT" = 1 ]; then
  echo "== building ctrd (Release) in $BUILD"
  [ -f "$BUILD/build.ninja" ] || cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTRD_TESTS=OFF >/dev/null
  if ! ninja -C "$BUILD" -j2 ctrd ctrctl > "$BUILD/bench-build.log" 2>&1; then
    tail -n 20 "$BUILD/bench-build.log" >&2
    echo "bench/run.sh: the build failed (log: $BUILD/bench-build.log); --no-build uses the last binaries" >&2
    exit 1
  fi
fi
for b in "$BUILD/supervisor/ctrd" "$BUILD/ctl/ctrctl"; do
  [ -x "$b" ] || { echo "missing $b (build failed?)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/ctrd-bench.XXXXXX)
cleanup() {
  trap - EXIT INT TERM HUP
  # (the Python driver has already stopped what it started: containers, daemons, podman store;
  # on Ctrl-C the shell runs this only after the driver has exited)
  # whatever podman or a container runtime left mounted under the work dir
  grep -o " $WORK/[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "== helper and rootfs in $WORK"
mkdir -p "$WORK/bin"
cc -O2 -static -o "$WORK/bin/bench-helper" "$HERE/helper.c"
"$HERE/peers/mkrootfs.sh" "$WORK/rootfs" "$WORK/bin/bench-helper"

PY=$(command -v python3)
# shellcheck disable=SC2086
"$PY" "$HERE/bench.py" --ctrd "$BUILD/supervisor/ctrd" --ctrctl "$BUILD/ctl/ctrctl" \
  --helper "$WORK/bin/bench-helper" --rootfs "$WORK/rootfs" --work "$WORK" \
  --build-type "$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || echo unknown) ($BUILD)" \
  --command-line "$CMDLINE" $PASS
