#!/bin/sh
# The daemon's footprint (issue 12 §7): for each ctrd binary given, its shared-library
# closure (the sum of the sizes of every library ldd resolves, the loader included), its
# stripped size and the stripped sizes of the helpers beside it (ctrd-tar, ../ctl/ctrctl,
# ../ctl/ctrctl-cp), and the resident memory of an idle daemon (no containers): VmRSS
# after start-up has settled (3 s), the median of 3 starts, and for the last start where
# it is (file-backed pages per library group, anonymous pages per kind: split_kib).
#
#   bench/footprint.sh BUILD/supervisor/ctrd [OTHER/supervisor/ctrd ...]
#
# Since issue 13 `ctrd` is the holder, which runs ctrd-daemon beside it: the closure and the
# RSS above are the daemon's, and the holder's are printed apart (its idle RSS: median too).
#
# With FOOTPRINT_CONTAINERS=N (N > 0) it also starts the daemon with N service-file
# containers running `sleep` and reports the daemon's memory per container: (VmRSS with N,
# 3 s after the last one runs, minus the idle VmRSS) / N, and per further container (the
# same with 2N, minus the VmRSS with N, / N: the steady cost, without the code and tables
# that the first containers touch once). With FOOTPRINT_KV=FILE it also
# writes its figures there as KEY=VALUE lines (bytes, KiB), for bench/budget.sh.
#
# Runs each ctrd as the calling user on a temporary root and socket; stops it by pid.
set -eu
KV=${FOOTPRINT_KV:-/dev/null}
kv() { echo "$1=$2" >>"$KV"; }
size_of() { stat -L -c %s "$1"; }
stripped() {
  [ -f "$1" ] || { echo "-"; return; }
  t=$(mktemp)
  strip -o "$t" "$1" 2>/dev/null && size_of "$t"
  rm -f "$t"
}
closure() {
  ldd "$1" | awk '/=>/ && $3 ~ /^\// {print $3} /^[[:space:]]*\/[^ ]*ld-linux/ {print $1}' |
    sort -u | while read -r lib; do size_of "$lib"; done | awk '{s += $1} END {print s}'
}
# The daemon's VmRSS 3 s after start ($2 = a directory of service files, else none).
idle_rss_kib() {
  dir=$(mktemp -d)
  "$1" --root "$dir/root" --socket "$dir/ctrd.sock" --config-dir "${2:-}" >"$dir/log" 2>&1 &
  pid=$!
  i=0
  while [ ! -S "$dir/ctrd.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  if [ -n "${2:-}" ]; then
    n=$(ls "$2" | wc -l)
    i=0
    while [ "$(running_sleeps "$pid")" -lt "$n" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  fi
  sleep 3
  d=$(daemon_of "$pid")
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$d/status")
  [ "$d" != "$pid" ] && awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" >>"$HOLDER_RSS"
  awk '/^Rss(Anon|File):/ {printf "%s %s kB; ", $1, $2}' "/proc/$d/status" >"$LAST_SPLIT"
  split_kib "$d" "$(readlink "/proc/$d/exe")" >>"$LAST_SPLIT"
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
  echo "$rss"
}
# Where the resident memory of process $1 (binary $2) is, from /proc/PID/smaps, in KiB:
# file-backed pages of ctrd itself, of CAF, of the C/C++ runtime (libc, libstdc++, libm,
# libgcc_s, the loader) and of the other libraries; anonymous pages: libraries' relocated
# and written data (copy-on-write pages of their mappings), malloc's heap and per-thread
# arenas (mappings on a 64 MiB boundary), thread stacks (8 MiB mappings and [stack]), rest.
split_kib() {
  exe=$(readlink -f "$2")
  awk -v exe="$exe" '
    /^[0-9a-f]+-[0-9a-f]+ / {
      split($1, r, "-"); name = $6
      # the start address modulo 64 MiB, from its last 7 hex digits (0x4000000 = 64 MiB)
      low = substr(r[1], length(r[1]) - 6); aligned = 0
      if (low ~ /^[048c]000000$/) aligned = 1
      size = 0
    }
    /^Size:/ { size = $2 }
    /^Rss:/ { rss = $2 }
    /^Anonymous:/ {
      anon = $2
      if (name ~ /^\//) {
        f = rss - anon
        if (name == exe) c["ctrd"] += f
        else if (name ~ /libcaf_/) c["caf"] += f
        else if (name ~ /\/(libc|libstdc\+\+|libm|libgcc_s|ld-linux-x86-64)\.so/) c["runtime"] += f
        else c["libs"] += f
        c["data"] += anon
      } else if (name == "[heap]" || (name == "" && aligned)) c["malloc"] += rss
      else if (name == "[stack]" || size == 8192) c["stacks"] += rss
      else c["other"] += rss
    }
    END {
      printf "file: ctrd %d, CAF %d, libc/libstdc++/ld %d, other libs %d; anon: library data %d, malloc %d, stacks %d, other %d KiB",
        c["ctrd"], c["caf"], c["runtime"], c["libs"], c["data"], c["malloc"], c["stacks"], c["other"]
    }' "/proc/$1/smaps"
}
# How many descendants of process $1 run `sleep` (the containers of the per-container run).
running_sleeps() {
  ps -e -o pid=,ppid=,comm= | awk -v root="$1" '
    { parent[$1] = $2; comm[$1] = $3 }
    END {
      n = 0
      for (p in comm) {
        if (comm[p] != "sleep") continue
        for (q = parent[p]; q != "" && q != 0; q = parent[q]) if (q == root) { n++; break }
      }
      print n
    }'
}
# The holder's child that runs ctrd-daemon (or $1 itself: a ctrd from before the holder).
daemon_of() {
  for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
    case $(readlink "/proc/$c/exe") in */ctrd-daemon) echo "$c"; return ;; esac
  done
  echo "$1"
}
LAST_SPLIT=$(mktemp)
HOLDER_RSS=$(mktemp)
trap 'rm -f "$LAST_SPLIT" "$HOLDER_RSS"' EXIT
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
for ctrd in "$@"; do
  dir=$(dirname "$ctrd")
  daemon=$ctrd
  [ -x "$dir/ctrd-daemon" ] && daemon=$dir/ctrd-daemon
  : >"$HOLDER_RSS"
  echo "== $ctrd"
  kv closure_bytes "$(closure "$daemon")"
  echo "shared-library closure: $(mib "$(closure "$daemon")") MiB ($(ldd "$daemon" | grep -c '=>') libraries)"
  if ldd "$daemon" | grep -q libarchive; then echo "  links libarchive"; fi
  [ "$daemon" != "$ctrd" ] &&
    echo "holder (ctrd): closure $(mib "$(closure "$ctrd")") MiB ($(ldd "$ctrd" | grep -c '=>') libraries)"
  holder=
  [ "$daemon" != "$ctrd" ] && holder=$ctrd
  for exe in "$daemon" $holder "$dir/ctrd-tar" "$dir/../ctl/ctrctl" "$dir/../ctl/ctrctl-cp"; do
    s=$(stripped "$exe")
    [ "$s" = "-" ] && continue
    kv "stripped_$(basename "$exe")" "$s"
    echo "stripped $(basename "$exe"): $(mib "$s") MiB"
  done
  [ -f "$dir/ctrd-tar" ] && echo "ctrd-tar closure: $(mib "$(closure "$dir/ctrd-tar")") MiB"
  r1=$(idle_rss_kib "$ctrd"); r2=$(idle_rss_kib "$ctrd"); r3=$(idle_rss_kib "$ctrd")
  med=$(printf '%s\n%s\n%s\n' "$r1" "$r2" "$r3" | sort -n | sed -n 2p)
  kv base_rss_kib "$med"
  echo "idle RSS: $(awk -v k="$med" 'BEGIN {printf "%.1f", k / 1024}') MiB (runs: $r1 $r2 $r3 KiB; last: $(cat "$LAST_SPLIT"))"
  if [ -s "$HOLDER_RSS" ]; then
    h=$(sort -n "$HOLDER_RSS" | sed -n 2p)
    kv holder_rss_kib "$h"
    echo "holder idle RSS: $(awk -v k="$h" 'BEGIN {printf "%.1f", k / 1024}') MiB (runs: $(tr '\n' ' ' <"$HOLDER_RSS")KiB)"
  fi
  n=${FOOTPRINT_CONTAINERS:-0}
  if [ "$n" -gt 0 ]; then
    svc=$(mktemp -d)
    i=0
    while [ $i -lt "$n" ]; do
      echo 'command = ["sleep", "100000"]' >"$svc/s$i.toml"
      i=$((i + 1))
    done
    rn=$(idle_rss_kib "$ctrd" "$svc")
    while [ $i -lt $((2 * n)) ]; do
      echo 'command = ["sleep", "100000"]' >"$svc/s$i.toml"
      i=$((i + 1))
    done
    r2n=$(idle_rss_kib "$ctrd" "$svc")
    rm -rf "$svc"
    per=$(awk -v a="$rn" -v b="$med" -v n="$n" 'BEGIN {printf "%.1f", (a - b) / n}')
    marginal=$(awk -v a="$r2n" -v b="$rn" -v n="$n" 'BEGIN {printf "%.1f", (a - b) / n}')
    kv per_container_kib "$per"
    kv marginal_container_kib "$marginal"
    echo "memory per running container: $per KiB (VmRSS $rn KiB with $n containers, idle $med KiB)"
    echo "memory per further container: $marginal KiB (VmRSS $r2n KiB with $((2 * n)))"
  fi
done
