#!/bin/bash
# Power cuts (issue 16; docs/reliability.md, "Power cuts"). Each round puts ctrd's root on
# ext4 in a loop device opened with direct I/O (writes go to the image file, not to its page
# cache) and mounted with commit=60 (only what ctrd fsyncs reaches the device in a round),
# runs two clients that create and remove containers through ctrctl, journalling each
# operation outside the image (acknowledged only once ctrctl exited 0), kills ctrd (holder
# and daemon) with SIGKILL at a random moment, and copies the device at once with O_DIRECT:
# that copy is the disk after the power cut. The copy is checked with fsck, mounted, and a
# new ctrd started on it must show every acknowledged create whose removal was not
# acknowledged and none of the acknowledged removals; an operation in flight at the kill may
# go either way.
#
#   scripts/power-cut.sh [--rounds N] [--build DIR] [--seed S] [--keep]
#
#   --rounds N   rounds (default 3, what CI runs; the full run is --rounds 50)
#   --build DIR  build directory with supervisor/ctrd and ctl/ctrctl (default build-test)
#   --seed S     seed of the random choices (default: from the clock; printed); it repeats
#                the operations and cut points, not the timing
#   --keep       keep the work directory (journals, logs, the copies) also when all pass
#
# Needs root and loop devices: without them it says so and exits 0. Prints one line per
# round and a summary; exits 1 on a violation (the work directory is then kept).
set -euo pipefail
export LC_ALL=C
self=$(readlink -f "$0")

# --- the client loop (runs in its own process group; started by the rounds below) ------
# Creates and removes containers until it is stopped. Journal lines: "B op name" before
# the command, "A op name" once ctrctl exited 0, "F op name rc" when it failed.
client_loop() {
  local rd=$1 prefix=$2 seed=$3 runid=$4 sock=$5 ctl=$6
  local journal=$rd/journal-$prefix err=$rd/client-$prefix.err
  local n=0 running=0 name op r i rc
  local -a live=() args=()
  local -A runs=()
  RANDOM=$seed
  while :; do
    r=$((RANDOM % 100))
    if ((${#live[@]} > 0 && (r < 40 || ${#live[@]} >= 12))); then
      i=$((RANDOM % ${#live[@]}))
      name=${live[i]}
      echo "B rm $name" >>"$journal"
      if "$ctl" --socket "$sock" --timeout 20s rm -f "$name" >/dev/null 2>>"$err"; then
        echo "A rm $name" >>"$journal"
        live=("${live[@]:0:i}" "${live[@]:i+1}")
        if [ -n "${runs[$name]:-}" ]; then
          unset "runs[$name]"
          running=$((running - 1))
        fi
      else
        rc=$?
        echo "F rm $name $rc" >>"$journal"
      fi
      continue
    fi
    n=$((n + 1))
    name=$prefix$n
    if ((running < 2 && r >= 85)); then
      op=run
      args=(run -d --name "$name" --restart always -e "PCUT_RUN=$runid" sleep 600)
    else
      op=create
      args=(create --name "$name" -e "PCUT_RUN=$runid" true)
    fi
    echo "B $op $name" >>"$journal"
    if "$ctl" --socket "$sock" --timeout 20s "${args[@]}" >/dev/null 2>>"$err"; then
      echo "A $op $name" >>"$journal"
    else
      rc=$?
      echo "F $op $name $rc" >>"$journal"
    fi
    # Also after a failure: it may exist, and a later acknowledged rm settles that.
    live+=("$name")
    if [ "$op" = run ]; then
      runs[$name]=1
      running=$((running + 1))
    fi
  done
}

if [ "${1:-}" = __client ]; then
  shift
  client_loop "$@"
  exit 0
fi

# --- arguments -----------------------------------------------------------------------
rounds=3
build="build-test"
seed=
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
    --build) build=${2:?--build needs a directory}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "power-cut.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case $rounds in '' | *[!0-9]*) echo "power-cut.sh: --rounds needs a number, not '$rounds'" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
build=$(cd "$build" 2>/dev/null && pwd) || { echo "power-cut.sh: no build directory '$build'" >&2; exit 2; }
ctrd=$build/supervisor/ctrd
ctl=$build/ctl/ctrctl
for b in "$ctrd" "$build/supervisor/ctrd-daemon" "$ctl"; do
  [ -x "$b" ] || { echo "power-cut.sh: $b is not built (cmake --build $build --target ctrd ctrd-daemon ctrctl)" >&2; exit 2; }
done

# --- can it run here? -------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  echo "power-cut.sh: SKIPPED: needs root (loop devices, mkfs, mount); nothing was tested"
  exit 0
fi
# Debian's python3 when there is one (a python3 of pyenv's starts slowly).
python=python3
[ ! -x /usr/bin/python3 ] || python=/usr/bin/python3
for t in losetup mkfs.ext4 fsck.ext4 debugfs mount umount dd "$python"; do
  command -v "$t" >/dev/null || { echo "power-cut.sh: $t is missing (scripts/install-deps.sh installs it)" >&2; exit 2; }
done
if ! losetup -f >/dev/null 2>&1; then
  echo "power-cut.sh: SKIPPED: no free loop device here (losetup -f: $(losetup -f 2>&1 | head -1)); nothing was tested"
  exit 0
fi

# --- state for the cleanup ----------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/var/tmp}/ctrd-pcut.XXXXXX")
runid=pcut-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
cg_root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
pids=()    # ctrd holders and daemons still to kill
pgroups=() # client process groups still to kill
mounts=()  # mounted, in mount order
loops=()   # attached loop devices
cgroups=() # cgroups of our own (cgroup v2), holding a ctrd and its containers
failed=0

# Kills every process of the run's containers: through the cgroups when there are (a
# container's cgroup lies below the ctrd that made it), then by the environment marker every
# container got (PCUT_RUN=<runid>), until none is left. All by PID.
kill_containers() {
  local d i p files
  for d in "${cgroups[@]}"; do
    [[ -n $d && -d $d ]] || continue
    if [ -e "$d/cgroup.kill" ]; then
      echo 1 >"$d/cgroup.kill" 2>/dev/null || true
    else
      find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r p; do kill -9 "$p" 2>/dev/null || true; done
    fi
  done
  for i in $(seq 100); do
    files=$(grep -lzx "PCUT_RUN=$runid" /proc/[0-9]*/environ 2>/dev/null || true)
    local left=""
    for d in "${cgroups[@]}"; do
      [ -d "$d" ] && left+=$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null || true)
    done
    [ -z "$files$left" ] && return 0
    for p in $files; do
      p=${p#/proc/}
      kill -9 "${p%/environ}" 2>/dev/null || true
    done
    sleep 0.05
  done
  echo "power-cut.sh: container processes still alive after 5 s: $files $left" >&2
}

# Removes a cgroup of ours, its subgroups (those ctrd made) first.
remove_cgroup() {
  local d=${1:?a cgroup directory}
  case $d in "$cg_root"/ctrd-pcut-*) ;; *) return 1 ;; esac
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  [ ! -d "$d" ]
}

cleanup() {
  local status=$? p m l i
  set +e
  disown -a # no "Killed" notices for what is killed below
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${pgroups[@]}"; do kill -9 -- "-$p" 2>/dev/null; done
  kill_containers
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}"
  done
  for l in "${loops[@]}"; do losetup -d "$l"; done
  for m in "${cgroups[@]}"; do remove_cgroup "$m" || echo "power-cut.sh: cannot remove cgroup $m" >&2; done
  if [ "$keep" = 1 ] || [ "$failed" != 0 ]; then
    echo "power-cut.sh: work directory kept: $work"
  elif [ "$status" != 0 ]; then
    find "$work" -name '*.img' -delete
    echo "power-cut.sh: stopped (exit $status); logs and journals kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget() { # forget NAME VALUE: removes VALUE from array NAME
  local -n arr=$1
  local out=() v
  for v in "${arr[@]}"; do [ "$v" = "$2" ] || out+=("$v"); done
  arr=("${out[@]}")
}

# Starts ctrd (its holder) on ROOT with SOCKET, logging to LOG, inside a new cgroup of ours
# when cgroup v2 is mounted. Sets holder, daemon; returns 1 when it does not answer in 60 s.
start_ctrd() {
  local root=$1 sock=$2 log=$3 cg="" i
  if [ -n "$cg_root" ]; then
    cg=$cg_root/ctrd-pcut-$$-$4
    mkdir "$cg"
    cgroups+=("$cg")
  fi
  (
    [ -z "$cg" ] || echo "$BASHPID" >"$cg/cgroup.procs"
    exec "$ctrd" --root "$root" --socket "$sock" --config-dir ''
  ) >"$log" 2>&1 </dev/null &
  holder=$!
  pids+=("$holder")
  daemon=""
  for i in $(seq 600); do
    if daemon=$("$ctl" --socket "$sock" --timeout 2s version --format '{{.Server.Pid}}' 2>/dev/null); then
      pids+=("$daemon")
      return 0
    fi
    kill -0 "$holder" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$holder" 2>/dev/null || true
  { wait "$holder" || true; } 2>/dev/null
  forget pids "$holder"
  return 1
}

# Waits until every PID given is dead (a zombie or gone): its system calls have returned.
wait_dead() {
  local p i s
  for p in "$@"; do
    for i in $(seq 500); do
      s=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1) || break
      [ -z "$s" ] || [ "$s" = Z ] && break
      sleep 0.01
    done
  done
}

# Stops ctrd (holder) with SIGTERM; sets stop_rc to its exit code ("hung" after 60 s, then
# SIGKILL).
stop_ctrd() {
  local h=$1 d=$2 i
  kill -TERM "$h" 2>/dev/null || true
  for i in $(seq 600); do
    kill -0 "$h" 2>/dev/null || break
    [ "$(sed 's/.*) //' "/proc/$h/stat" 2>/dev/null | cut -d' ' -f1)" = Z ] && break
    sleep 0.1
  done
  if kill -0 "$h" 2>/dev/null && [ "$(sed 's/.*) //' "/proc/$h/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]; then
    kill -9 "$h" "$d" 2>/dev/null || true
    { wait "$h" || true; } 2>/dev/null
    stop_rc=hung
  else
    stop_rc=0
    wait "$h" 2>/dev/null || stop_rc=$?
  fi
  forget pids "$h"
  forget pids "$d"
}

# Compares the journals of round directory RD with what ctrd shows on the copy (ps.json).
# Prints "acked=N create=N run=N rm=N inflight=N shown=N", then one line per violation.
check_round() {
  "$python" - "$1" <<'EOF'
import glob, json, sys
rd = sys.argv[1]
expect = {}  # name -> present | absent | maybe
counts = {"create": 0, "run": 0, "rm": 0}
inflight = []
for path in sorted(glob.glob(rd + "/journal-*")):
    pending = {}
    for line in open(path):
        f = line.split()
        if len(f) < 3:
            continue
        kind, op, name = f[:3]
        if kind == "B":
            expect[name] = "maybe"
            pending[name] = op
        elif kind == "A":
            expect[name] = "absent" if op == "rm" else "present"
            counts[op] += 1
            pending.pop(name, None)
        elif kind == "F":
            expect[name] = "maybe"
            pending.pop(name, None)
    inflight += ["%s %s" % (op, n) for n, op in pending.items()]
shown = {}
for c in json.load(open(rd + "/ps.json")):
    shown[c["Names"][0]] = c.get("State", "?")
print("acked=%d create=%d run=%d rm=%d inflight=%d shown=%d present=%d" % (
    sum(counts.values()), counts["create"], counts["run"], counts["rm"], len(inflight),
    len(shown), sum(1 for v in expect.values() if v == "present")))
for name, e in sorted(expect.items()):
    if e == "present" and name not in shown:
        print("VIOLATION: %s: its create was acknowledged and no removal was, but it is gone" % name)
    if e == "absent" and name in shown:
        print("VIOLATION: %s: its removal was acknowledged, but it is back (%s)" % (name, shown[name]))
for name in sorted(shown):
    if name not in expect:
        print("VIOLATION: %s: shown, but the workload never created it" % name)
if inflight:
    print("in flight at the kill: " + ", ".join(inflight))
EOF
}

# --- one round ---------------------------------------------------------------------------
mkdir "$work/run"
mount -t tmpfs -o size=16m,mode=0700 ctrd-pcut "$work/run"
mounts+=("$work/run")
[ -n "$seed" ] || seed=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
RANDOM=$seed
echo "power-cut.sh: $rounds round(s), seed $seed, build $build, work $work"
[ -n "$cg_root" ] || echo "power-cut.sh: no cgroup v2 mounted: containers are found by their environment marker"

flushed=0 total_ms=0 max_ms=0 sum_acked=0 sum_inflight=0 repaired=0 fsck_fixed=0 bad_rounds=""

# With PCUT_TRACE=1: the time and a step on stderr (where a round spends its time).
trace() { [ -z "${PCUT_TRACE:-}" ] || echo "trace $EPOCHREALTIME $*" >&2; }

# Milliseconds since the EPOCHREALTIME value given.
ms_since() { echo $(((${EPOCHREALTIME/./} - ${1/./}) / 1000)); }

one_round() {
  local r=$1 rd=$work/r$1 t0=$EPOCHREALTIME
  local img=$rd/disk.img copy=$rd/copy.img mnt=$rd/mnt mnt2=$rd/mnt2 loop loop2 dio
  local sock=$work/run/a$r.sock sock2=$work/run/b$r.sock
  local probe_synced=pcut-synced-$RANDOM$RANDOM-$r probe_unsynced=pcut-unsynced-$RANDOM$RANDOM-$r
  local delay_ms=$((200 + RANDOM % 1801)) seed_a=$RANDOM seed_b=$RANDOM
  local h1 d1 ca cb frc out line problems=() note="" stats=""
  mkdir -p "$rd" "$mnt" "$mnt2"

  # The device: a fresh image on a loop device with direct I/O, ext4 with a long commit.
  truncate -s 32M "$img"
  loop=$(losetup -f --show --direct-io=on "$img")
  loops+=("$loop")
  dio=$(cat "/sys/block/${loop#/dev/}/loop/dio" 2>/dev/null || echo "?")
  if [ "$dio" != 1 ]; then
    failed=1
    echo "power-cut.sh: $loop has no direct I/O (loop/dio=$dio): the file system holding $work must support O_DIRECT" >&2
    return 1
  fi
  mkfs.ext4 -q -F -b 4096 -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 "$loop"
  mount -t ext4 -o commit=60 "$loop" "$mnt"
  mounts+=("$mnt")
  # The probes: one file synced, one not. After the cut the copy must hold the first (else
  # it is not what the device held); the second shows whether anything flushed unsynced
  # data meanwhile (see the check below).
  echo "$probe_synced" >"$mnt/probe-synced"
  mkdir "$mnt/root"
  sync -f "$mnt"
  echo "$probe_unsynced" >"$mnt/probe-unsynced"

  start_ctrd "$mnt/root" "$sock" "$rd/ctrd-before.log" "a$r" || {
    failed=1
    echo "power-cut.sh: round $r: ctrd did not start on the fresh file system:" >&2
    tail -20 "$rd/ctrd-before.log" >&2
    return 1
  }
  h1=$holder d1=$daemon
  local t_ready=$EPOCHREALTIME

  # Two clients in process groups of their own, so that one signal stops each with its ctrctl.
  # (setsid does not fork here, as a background job is no group leader: $! leads the group.)
  setsid bash "$self" __client "$rd" a "$seed_a" "$runid" "$sock" "$ctl" </dev/null &
  ca=$!
  setsid bash "$self" __client "$rd" b "$seed_b" "$runid" "$sock" "$ctl" </dev/null &
  cb=$!
  pgroups+=("$ca" "$cb")
  sleep "$((delay_ms / 1000)).$(printf %03d $((delay_ms % 1000)))"

  # The power cut: the clients stop where they are (what they have not journalled as
  # acknowledged is not), ctrd dies, and the device is copied once ctrd's system calls ended.
  kill -STOP -- "-$ca" "-$cb" 2>/dev/null || true
  kill -9 "$h1" "$d1" 2>/dev/null || true
  disown "$h1" # no "Killed" notice; wait_dead sees it end
  wait_dead "$h1" "$d1"
  local t_cut=$EPOCHREALTIME
  dd if="$loop" of="$copy" bs=1M iflag=direct status=none
  local copy_ms
  copy_ms=$(ms_since "$t_cut")
  kill -9 -- "-$ca" "-$cb" 2>/dev/null || true
  wait "$ca" "$cb" 2>/dev/null || true
  forget pgroups "$ca"
  forget pgroups "$cb"
  forget pids "$h1"
  forget pids "$d1"
  kill_containers
  umount "$mnt"
  forget mounts "$mnt"
  losetup -d "$loop"
  forget loops "$loop"
  rm -f "$img"

  local t_check=$EPOCHREALTIME
  # After the cut: fsck (0: clean, 1: errors fixed), a new loop device, ctrd on the copy.
  frc=0
  trace fsck
  fsck.ext4 -fy "$copy" >"$rd/fsck.log" 2>&1 || frc=$?
  trace fsck finished
  # The copy holds what reached the device and only that (read through its file system).
  if [ "$(debugfs -R "cat /probe-synced" "$copy" 2>/dev/null)" != "$probe_synced" ]; then
    problems+=("the copy lacks a file synced before ctrd started: it is not what the device held")
  fi
  # Not a failure: a sync(2) elsewhere on the host (or writeback) flushes this file system
  # too, which makes more durable than ctrd asked for; counted so that runs show it.
  if [ "$(debugfs -R "cat /probe-unsynced" "$copy" 2>/dev/null)" = "$probe_unsynced" ]; then
    flushed=$((flushed + 1))
    note+=" (unsynced data reached the device: a sync or writeback elsewhere on the host)"
  fi
  if [ "$frc" -ge 4 ]; then
    problems+=("fsck.ext4 -fy exited $frc: the file system could not be repaired (see $rd/fsck.log)")
  else
    [ "$frc" = 0 ] || fsck_fixed=$((fsck_fixed + 1))
    loop2=$(losetup -f --show "$copy")
    loops+=("$loop2")
    mount -t ext4 "$loop2" "$mnt2"
    mounts+=("$mnt2")
    trace start ctrd on the copy
    if start_ctrd "$mnt2/root" "$sock2" "$rd/ctrd-after.log" "b$r"; then
      trace ready
      if "$ctl" --socket "$sock2" --timeout 30s ps -a --format json >"$rd/ps.json" 2>"$rd/ps.err"; then
        out=$(check_round "$rd")
        while IFS= read -r line; do
          case $line in
            acked=*) stats=$line ;;
            VIOLATION:*) problems+=("${line#VIOLATION: }") ;;
            "in flight"*) echo "$line" >"$rd/inflight" ;;
          esac
        done <<<"$out"
      else
        problems+=("ctrctl ps -a on the copy failed: $(cat "$rd/ps.err")")
      fi
      if grep -q "STATE REPAIRED" "$rd/ctrd-after.log"; then
        repaired=$((repaired + 1))
        note+=" state=REPAIRED"
      fi
      trace stop
      stop_ctrd "$holder" "$daemon"
      trace stopped
      [ "$stop_rc" = 0 ] || problems+=("ctrd on the copy did not exit 0 at SIGTERM ($stop_rc; see $rd/ctrd-after.log)")
    else
      problems+=("ctrd refused to start on the copy (see $rd/ctrd-after.log): $(tail -3 "$rd/ctrd-after.log" | tr '\n' ' ')")
    fi
    kill_containers
    trace umount
    umount "$mnt2"
    forget mounts "$mnt2"
    losetup -d "$loop2"
    forget loops "$loop2"
  fi
  for c in "${cgroups[@]}"; do remove_cgroup "$c" && forget cgroups "$c"; done
  trace round finished

  local ms setup_ms check_ms
  ms=$(ms_since "$t0")
  setup_ms=$(((${t_ready/./} - ${t0/./}) / 1000))
  check_ms=$(ms_since "$t_check")
  total_ms=$((total_ms + ms))
  [ "$ms" -le "$max_ms" ] || max_ms=$ms
  local acked=${stats#acked=}
  acked=${acked%% *}
  local infl=${stats#*inflight=}
  infl=${infl%% *}
  sum_acked=$((sum_acked + ${acked:-0}))
  sum_inflight=$((sum_inflight + ${infl:-0}))
  local verdict=ok
  if [ ${#problems[@]} -gt 0 ]; then
    verdict=FAIL
    failed=$((failed + 1))
    bad_rounds+=" $r"
  else
    rm -f "$copy"
  fi
  printf 'round %d/%d: cut after %d ms, %s, fsck %d, %d.%03d s (setup %d ms, copy %d ms, check %d ms): %s\n' \
    "$r" "$rounds" "$delay_ms" "${stats:-no check}$note" "$frc" $((ms / 1000)) $((ms % 1000)) \
    "$setup_ms" "$copy_ms" "$check_ms" "$verdict"
  local p
  for p in "${problems[@]}"; do echo "  $p"; done
  if [ "$verdict" = FAIL ] && [ -f "$rd/inflight" ]; then echo "  $(cat "$rd/inflight")"; fi
  return 0
}

# Not in a condition, so that set -e stops the run at any failing command of a round.
for ((round = 1; round <= rounds; round++)); do
  one_round "$round"
done

mean=$((rounds > 0 ? total_ms / rounds : 0))
printf 'power-cut.sh: %d round(s), %d failed%s; %d acknowledged operations checked, %d in flight at the cut; fsck fixed errors in %d, state repaired in %d, unsynced data on the device in %d; %d.%03d s per round (max %d.%03d s); seed %d\n' \
  "$rounds" "$failed" "${bad_rounds:+ (rounds$bad_rounds)}" "$sum_acked" "$sum_inflight" \
  "$fsck_fixed" "$repaired" "$flushed" $((mean / 1000)) $((mean % 1000)) $((max_ms / 1000)) $((max_ms % 1000)) "$seed"
[ "$failed" = 0 ]
