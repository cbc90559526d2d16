#!/bin/sh
# How long ctrd's daemon is away after a crash (issue 13): kill -9 of ctrd-daemon while a
# container writes a line every 10 ms, then the time until a new daemon answers `ctrctl
# version` (its holder starts it at once); also the fork/exec floor of the same machine
# (ctrd-daemon --version, which loads the same libraries), and whether the writer kept its
# PID and every line. Median of N rounds.
#
#   bench/daemon_restart.sh BUILD [ROUNDS]      (BUILD: a build directory, e.g. build-release)
#
# Runs ctrd as the calling user on a temporary root and socket; stops it by pid.
set -eu
BUILD=$1
ROUNDS=${2:-20}
CTRD=$BUILD/supervisor/ctrd
CTL=$BUILD/ctl/ctrctl
dir=$(mktemp -d)
trap 'kill -TERM "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; rm -rf "$dir"' EXIT
"$CTRD" --root "$dir/root" --socket "$dir/s.sock" --config-dir '' --log-level warn \
  >"$dir/log" 2>&1 &
holder=$!
until "$CTL" --socket "$dir/s.sock" version >/dev/null 2>&1; do sleep 0.01; done
"$CTL" --socket "$dir/s.sock" run -d --name writer sh -c \
  'i=0; while :; do i=$((i+1)); echo $i; sleep 0.01; done' >/dev/null
writer=$("$CTL" --socket "$dir/s.sock" inspect writer | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["State"]["Pid"])')
now_us() { date +%s%6N; }
daemon_pid() {
  for c in $(cat "/proc/$holder/task/$holder/children"); do
    case $(readlink "/proc/$c/exe") in */ctrd-daemon) echo "$c"; return ;; esac
  done
}
: >"$dir/times"
: >"$dir/floor"
i=0
while [ $i -lt "$ROUNDS" ]; do
  old=$(daemon_pid)
  t0=$(now_us)
  kill -9 "$old"
  until new=$(daemon_pid) && [ -n "$new" ] && [ "$new" != "$old" ] &&
    "$CTL" --socket "$dir/s.sock" version >/dev/null 2>&1; do :; done
  t1=$(now_us)
  echo $((t1 - t0)) >>"$dir/times"
  t0=$(now_us)
  "$BUILD/supervisor/ctrd-daemon" --version >/dev/null
  "$CTL" --version >/dev/null
  t1=$(now_us)
  echo $((t1 - t0)) >>"$dir/floor"
  i=$((i + 1))
  sleep 1.2  # a daemon that dies within 1 s of its start is restarted with a backoff
done
med() { sort -n "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
alive=no
kill -0 "$writer" 2>/dev/null && alive=yes
gaps=$("$CTL" --socket "$dir/s.sock" logs writer |
  awk '$1 != prev + 1 {n++; lost += $1 - prev - 1} {prev = $1} END {printf "%d gaps, %d lines lost", n, lost}')
lines=$("$CTL" --socket "$dir/s.sock" logs writer | wc -l)
echo "daemon away after kill -9 (until a new one answers): median $(med "$dir/times") us over $ROUNDS rounds (all: $(tr '\n' ' ' <"$dir/times"))"
echo "floor (exec of ctrd-daemon --version + ctrctl --version): median $(med "$dir/floor") us"
echo "writer: same pid alive: $alive; $lines lines, $gaps"
