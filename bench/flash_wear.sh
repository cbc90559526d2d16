#!/bin/sh
# What ctrd writes to its state partition (issue 16 "flash wear"): bytes per policy restart
# of a crash-looping container, per create, and per idle hour.
#
#   sudo bench/flash_wear.sh BUILD [RESTARTS] [IDLE_SECONDS] [-- CTRD_FLAGS...]
#   sudo LOGS_ON_TMPFS=1 bench/flash_wear.sh BUILD ...   (adds --log-dir on a tmpfs)
#
# ctrd's --root is an ext4 file system on a loop device of its own (tmpfs would count no
# writes). Two counts per phase:
#   - write_bytes of /proc/<ctrd-daemon>/io and of the holder: bytes ctrd caused to be
#     written to a block device (page-granular: a page dirtied again before it was written
#     back counts once);
#   - the loop device's sectors written (/sys/block/loopN/stat) after a sync: what reached
#     the "flash", ext4's journal and metadata included, whoever wrote it.
# The crash-looping container writes nothing itself (`/bin/false`), so both counts are
# ctrd's. ctrd's own log goes to a file outside the partition (a tmpfs), as in init mode with
# --log-target kmsg. CTRD_FLAGS go to ctrd, e.g. `-- --log-dir /run/ctrd-logs`.
#
# Runs as root (mount); stops ctrd by pid; removes the image and the mount at exit.
set -eu
BUILD=$1
RESTARTS=${2:-300}
IDLE=${3:-60}
shift $(($# < 3 ? $# : 3))
[ "${1:-}" = "--" ] && shift
CTRD=$BUILD/supervisor/ctrd
CTL=$BUILD/ctl/ctrctl
[ "$(id -u)" = 0 ] || { echo "flash_wear.sh: needs root (loop device and mount)" >&2; exit 1; }
work=$(mktemp -d)
holder=
loop=
cleanup() {
  [ -n "$holder" ] && kill -TERM "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
  mountpoint -q "$work/mnt" && umount "$work/mnt"
  mountpoint -q "$work/run" && umount "$work/run"
  [ -n "$loop" ] && losetup -d "$loop"
  rm -rf "$work"
}
trap cleanup EXIT
truncate -s 256M "$work/img"
mkfs.ext4 -q "$work/img"
loop=$(losetup --find --show "$work/img")
mkdir "$work/mnt" "$work/run"
mount "$loop" "$work/mnt"
mount -t tmpfs tmpfs "$work/run"  # socket, ctrd's own log: not the state partition
dev=$(basename "$loop")
sock=$work/run/s.sock
ctl() { "$CTL" --socket "$sock" "$@"; }
[ "${LOGS_ON_TMPFS:-0}" = 1 ] && set -- "$@" --log-dir "$work/run/logs"
"$CTRD" --root "$work/mnt/root" --socket "$sock" --config-dir '' --log-level info "$@" \
  >"$work/run/ctrd.log" 2>&1 &
holder=$!
until ctl version >/dev/null 2>&1; do sleep 0.02; done
daemon=
for c in $(cat "/proc/$holder/task/$holder/children"); do
  case $(readlink "/proc/$c/exe") in */ctrd-daemon) daemon=$c ;; esac
done
[ -n "$daemon" ] || { echo "flash_wear.sh: no ctrd-daemon child of $holder" >&2; exit 1; }
# write_bytes of the daemon and the holder together
io() { awk '/^write_bytes:/ {s += $2} END {print s}' "/proc/$daemon/io" "/proc/$holder/io"; }
# sectors written to the loop device, after everything dirty reached it
sectors() { sync; awk '{print $7}' "/sys/block/$dev/stat"; }
restarts() { ctl inspect --format '{{.RestartCount}}' "$1"; }
report() {  # name count io0 io1 sec0 sec1
  awk -v n="$2" -v what="$1" -v b="$(($4 - $3))" -v s="$((($6 - $5) * 512))" 'BEGIN {
    printf "%-28s %7d  write_bytes %9.0f B/op (%.2f KiB)  device %9.0f B/op (%.2f KiB)\n",
      what, n, b / n, b / n / 1024, s / n, s / n / 1024 }'
}
sleep 1
# 1. Policy restarts of a container that exits at once (no delay, no restart limit).
ctl create --name loop --restart always --restart-delay 0 --restart-limit 0 /bin/false >/dev/null
i0=$(io); s0=$(sectors)
ctl start loop >/dev/null
r=0
while [ "$r" -lt "$RESTARTS" ]; do sleep 0.2; r=$(restarts loop); done
ctl stop -t 1 loop >/dev/null 2>&1 || true
r=$(restarts loop)
i1=$(io); s1=$(sectors)
report "policy restart" "$r" "$i0" "$i1" "$s0" "$s1"
ctl rm -f loop >/dev/null
# 2. Creates (and removals, which the next round's creates pay for the same way).
n=50
i0=$(io); s0=$(sectors)
k=0
while [ $k -lt $n ]; do ctl create --name "c$k" sleep 1000 >/dev/null; k=$((k + 1)); done
i1=$(io); s1=$(sectors)
report "create" "$n" "$i0" "$i1" "$s0" "$s1"
i0=$(io); s0=$(sectors)
k=0
while [ $k -lt $n ]; do ctl rm "c$k" >/dev/null; k=$((k + 1)); done
i1=$(io); s1=$(sectors)
report "rm" "$n" "$i0" "$i1" "$s0" "$s1"
# 3. Idle: 10 running containers, nothing happening, for IDLE seconds; scaled to an hour.
k=0
while [ $k -lt 10 ]; do ctl run -d --name "idle$k" sleep 100000 >/dev/null; k=$((k + 1)); done
sleep 2
i0=$(io); s0=$(sectors)
sleep "$IDLE"
i1=$(io); s1=$(sectors)
awk -v b="$((i1 - i0))" -v s="$(((s1 - s0) * 512))" -v t="$IDLE" 'BEGIN {
  printf "%-28s %7ds  write_bytes %9.0f B/hour            device %9.0f B/hour\n",
    "idle (10 running)", t, b * 3600 / t, s * 3600 / t }'
echo "(device counts include ext4's journal; ctrd flags: ${*:-none}; load: $(cut -d' ' -f1-3 /proc/loadavg))"
