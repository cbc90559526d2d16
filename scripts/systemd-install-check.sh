#!/bin/sh
# Installs ctrd's Debian package on a fresh Debian 12 whose PID 1 is systemd, and checks
# the life of the package there (docs/install.md): apt install with its dependencies,
# `systemctl enable --now ctrd`, ctrctl against the system's ctrd (as root and as a member
# of the group ctrd), `systemctl reload` and `restart`, an upgrade of a running ctrd
# (daemon-reexec: its containers keep running), `apt-get remove`, `apt-get purge`.
#
# Usage: scripts/systemd-install-check.sh DEB [ROOTFS_DIR]
#   DEB         the package, e.g. dist/ctrd_0.1.0_amd64.deb (scripts/package.sh), of the
#               host's architecture
#   ROOTFS_DIR  where the Debian 12 root file system goes (default: a new folder under
#               /var/tmp); it must not exist or be empty, and is removed at the end
#               (CTRD_CHECK_KEEP=1 keeps it)
# Environment: CTRD_CHECK_MIRROR (default http://deb.debian.org/debian), CTRD_CHECK_KEEP.
#
# A manual check, not part of CI or ctest: it needs root, network access to the Debian
# mirror, about 350 MB of disk, debootstrap, systemd-nspawn (apt-get install debootstrap
# systemd-container) and 2-3 minutes. The test machines' PID 1 is not systemd, so the
# Debian system is made with `debootstrap --variant=minbase --include=systemd,systemd-sysv,
# dbus bookworm` and booted with `systemd-nspawn -b` (the host's network, no veth, no
# registration with machined); every command runs inside it through nsenter into its PID 1's
# namespaces. The container is stopped by the PID of its systemd-nspawn (SIGTERM: an orderly
# halt of the container's systemd), and what the script made is removed: the root file
# system, the cgroups it ran in, /run/systemd/nspawn if that was not there before.
#
# nspawn's seccomp filter refuses keyctl, add_key and request_key (EPERM); the container is
# booted with --system-call-filter=@keyring, as a real host allows them, so that the check
# covers the session keyring ctrd gives each container process (without it ctrd runs the
# containers without one: runtime/confinement.cpp).
#
# Exits 0 when every check passed; otherwise 1 and a list of the failed checks (a failed
# boot, install or `systemctl enable --now` ends the run at once).
set -eu

die() { echo "systemd-install-check: $*" >&2; exit 1; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  die "usage: scripts/systemd-install-check.sh DEB [ROOTFS_DIR]"
fi
deb=$1
[ -f "$deb" ] || die "$deb: no such file"
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, systemd-nspawn)"
for tool in debootstrap systemd-nspawn nsenter dpkg-deb timeout; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "$tool is not installed (apt-get install debootstrap systemd-container util-linux)"
done
[ "$(dpkg-deb -f "$deb" Package)" = ctrd ] || die "$deb is not the ctrd package"
deb_arch=$(dpkg-deb -f "$deb" Architecture)
[ "$deb_arch" = "$(dpkg --print-architecture)" ] ||
  die "$deb is for $deb_arch; this host is $(dpkg --print-architecture)"
mirror=${CTRD_CHECK_MIRROR:-http://deb.debian.org/debian}

# What this run creates, for the clean-up.
made_rootfs=""
made_cgroups=""
made_nspawn_run=""
nspawn_pid=""
case "${2:-}" in
  "")
    base=$(mktemp -d /var/tmp/ctrd-systemd-check.XXXXXX)
    rootfs="$base/rootfs"
    made_rootfs=$base
    ;;
  *)
    rootfs=$2
    if [ -e "$rootfs" ]; then
      if [ ! -d "$rootfs" ] || [ -n "$(ls -A "$rootfs")" ]; then
        die "$rootfs exists and is not empty"
      fi
    fi
    mkdir -p "$rootfs"
    rootfs=$(cd "$rootfs" && pwd)
    [ "$rootfs" != / ] || die "ROOTFS_DIR must not be /"
    made_rootfs=$rootfs
    ;;
esac
log="${TMPDIR:-/tmp}/ctrd-systemd-check.$$.log"
: >"$log"
[ -d /run/systemd/nspawn ] || made_nspawn_run=1

stop_container() {
  [ -n "$nspawn_pid" ] || return 0
  if kill -0 "$nspawn_pid" 2>/dev/null; then
    kill -TERM "$nspawn_pid" 2>/dev/null || true
    i=0
    while kill -0 "$nspawn_pid" 2>/dev/null && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
    if kill -0 "$nspawn_pid" 2>/dev/null; then
      echo "systemd-nspawn $nspawn_pid did not stop within 60 s: SIGKILL" >&2
      kill -KILL "$nspawn_pid" 2>/dev/null || true
      sleep 1
    fi
  fi
  wait "$nspawn_pid" 2>/dev/null || true
  nspawn_pid=""
}

cleanup() {
  stop_container
  for cg in $made_cgroups; do
    [ -d "$cg" ] || continue
    find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null ||
      echo "systemd-install-check: could not remove the cgroup $cg (processes left in it?)" >&2
  done
  if [ -n "$made_nspawn_run" ] && [ -d /run/systemd/nspawn ]; then
    rm -rf /run/systemd/nspawn
  fi
  if [ -n "$made_rootfs" ] && [ "$made_rootfs" != / ]; then
    if [ "${CTRD_CHECK_KEEP:-0}" = 1 ]; then
      echo "kept: $rootfs"
    elif awk -v d="$made_rootfs" 'index($2, d) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
      echo "systemd-install-check: $made_rootfs still has mounts: not removed" >&2
    else
      rm -rf --one-file-system -- "$made_rootfs"
    fi
  fi
  rm -f "$log" "$log.console"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=""
fail() {
  echo "FAILED: $1"
  failed="$failed
  - $1"
}
show_log() { sed 's/^/    | /' "$log"; }
# The container's console so far, on the way out of a fatal step.
fatal() {
  echo "--- the container's console (last 40 lines):"
  tail -n 40 "$log.console" | sed 's/^/    | /'
  rm -f "$log.console"
  die "$1"
}

# 1. A fresh Debian 12 with systemd.
echo "==> debootstrap bookworm into $rootfs ($mirror)"
if ! nice -n 19 debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus \
  bookworm "$rootfs" "$mirror" >"$log" 2>&1; then
  tail -n 30 "$log" | sed 's/^/    | /'
  die "debootstrap failed"
fi
pkg=$(basename "$deb")
cp "$deb" "$rootfs/root/$pkg"

# 2. Boot it. A host whose PID 1 is not systemd has no machined and no scope to give
# nspawn: it keeps the cgroup it was started in, a new one of this run's in each hierarchy
# of the systemd controller (cgroup2 and name=systemd), so that its supervisor/ and payload/
# subgroups go with it.
nspawn_args="-b -D $rootfs -M ctrd-check-$$ --register=no --console=read-only"
nspawn_args="$nspawn_args --system-call-filter=@keyring"
cg_enter=""
add_cgroup() { # HIERARCHY PATH-OF-THIS-PROCESS-IN-IT
  [ -f "$1/cgroup.procs" ] || return 0
  cg="$1${2%/}/ctrd-systemd-check.$$"
  mkdir "$cg"
  made_cgroups="$cg $made_cgroups"
  cg_enter="$cg_enter echo \$\$ >$cg/cgroup.procs;"
}
if [ ! -d /run/systemd/system ]; then
  nspawn_args="$nspawn_args --keep-unit"
  v2=$(sed -n 's/^0:://p' /proc/self/cgroup)
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    add_cgroup /sys/fs/cgroup "$v2"
  else
    add_cgroup /sys/fs/cgroup/unified "$v2"
    add_cgroup /sys/fs/cgroup/systemd "$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup)"
  fi
fi
echo "==> systemd-nspawn $nspawn_args"
# shellcheck disable=SC2086
sh -c "$cg_enter exec nice -n 19 systemd-nspawn $nspawn_args" </dev/null >"$log.console" 2>&1 &
nspawn_pid=$!

# The container's PID 1: the child of systemd-nspawn that is PID 1 in its own namespace.
leader=""
i=0
while [ -z "$leader" ] && [ $i -lt 60 ]; do
  kill -0 "$nspawn_pid" 2>/dev/null || fatal "systemd-nspawn exited"
  for p in $(ps -o pid= --ppid "$nspawn_pid" 2>/dev/null); do
    [ "$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)" = 1 ] && leader=$p
  done
  [ -n "$leader" ] || { sleep 1; i=$((i + 1)); }
done
[ -n "$leader" ] || die "no container PID 1 under systemd-nspawn $nspawn_pid after 60 s"
echo "    systemd-nspawn pid $nspawn_pid, container PID 1 = host pid $leader"

# Runs a command inside the container, as root, with a clean environment.
in_ct() {
  nsenter -t "$leader" -m -u -i -n -p -C -r -w env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}
# run DESC CMD...: runs CMD in the container, shows its output, records a failure.
run() {
  desc=$1
  shift
  echo "==> # $*"
  in_ct "$@" >"$log" 2>&1 && rc=0 || rc=$?
  show_log
  [ "$rc" = 0 ] && return 0
  fail "$desc (exit $rc: $*)"
  return 1
}
# expect DESC WANT CMD...: CMD's output (stdout and stderr) must be exactly WANT.
expect() {
  desc=$1 want=$2
  shift 2
  echo "==> # $*"
  got=$(in_ct "$@" 2>&1) || true
  echo "$got" | sed 's/^/    | /'
  [ "$got" = "$want" ] || fail "$desc: '$*' printed '$got', expected '$want'"
}
# contains DESC TEXT CMD...: CMD must succeed and its output must contain TEXT.
contains() {
  desc=$1 text=$2
  shift 2
  run "$desc" "$@" || return 0
  grep -qF -- "$text" "$log" || fail "$desc: no '$text' in the output of '$*'"
}
echo "==> # systemctl is-system-running --wait"
state=$(in_ct timeout 180 systemctl is-system-running --wait 2>&1) || true
echo "    | $state"
case "$state" in
  running) ;;
  degraded) in_ct systemctl --failed --no-pager | sed 's/^/    | /'
    echo "    (booted degraded before ctrd was installed: not ctrd's doing)" ;;
  *) fatal "the container's systemd did not finish booting ($state)" ;;
esac
expect "PID 1 of the container is systemd" systemd cat /proc/1/comm

# 3. Install: apt fetches the dependencies (CAF, LevelDB, ...) from the mirror.
run "apt-get update" apt-get update || fatal "apt-get update failed in the container"
run "install the package with its dependencies" nice -n 19 apt-get install -y "/root/$pkg" ||
  fatal "apt-get install of $pkg failed"
contains "the group ctrd exists after install" "ctrd:" getent group ctrd
# docs/install.md: "the unit is not enabled at install".
expect "ctrd.service is not enabled at install" disabled systemctl is-enabled ctrd
expect "ctrd.service is not started at install" inactive systemctl is-active ctrd

# 4. Enable and start it.
run "systemctl enable --now ctrd" systemctl enable --now ctrd ||
  { in_ct journalctl -u ctrd --no-pager | tail -n 30 | sed 's/^/    | /'
    fatal "systemctl enable --now ctrd failed"; }
expect "ctrd.service is enabled" enabled systemctl is-enabled ctrd
expect "ctrd.service is active" active systemctl is-active ctrd
run "systemctl status ctrd" systemctl status ctrd --no-pager -l || true
contains "ctrctl version reaches the system's ctrd" "Socket:       /run/ctrd/ctrd.sock" \
  ctrctl version
expect "the socket is root:ctrd, mode 0660" "root ctrd 660" stat -c '%U %G %a' /run/ctrd/ctrd.sock
expect "ctrctl run --rm echo hello" hello ctrctl run --rm echo hello
run "ctrctl run --rm true" ctrctl run --rm true || true
run "ctrctl run -d sleep" ctrctl run -d --name sleeper sleep 1000 || true
contains "ctrctl ps -a lists the container" sleeper ctrctl ps -a
expect "the container is running" running ctrctl inspect -f '{{.State.Status}}' sleeper

# A member of the group, in a login shell (CTRD_SOCKET from /etc/profile.d/ctrd.sh).
run "a user in the group ctrd" useradd -m -G ctrd alice || true
contains "the group's member uses ctrctl" sleeper runuser -l alice -c 'ctrctl ps -a'

# 5. Reload, restart, and an upgrade of the running ctrd (daemon-reexec).
run "systemctl reload ctrd" systemctl reload ctrd || true
expect "ctrd.service is active after reload" active systemctl is-active ctrd
run "systemctl restart ctrd" systemctl restart ctrd || true
expect "ctrd.service is active after restart" active systemctl is-active ctrd
run "ctrctl ps -a after restart" ctrctl ps -a || true
run "ctrctl run -d after restart" ctrctl run -d --name keeper sleep 1000 || true
run "upgrade (reinstall) of the running ctrd" apt-get install -y --reinstall "/root/$pkg" || true
expect "ctrd.service is active after the upgrade" active systemctl is-active ctrd
expect "the container kept running across the upgrade" running \
  ctrctl inspect -f '{{.State.Status}}' keeper
run "ctrctl ps -a after the upgrade" ctrctl ps -a || true

# 6. Remove, then purge.
run "apt-get remove -y ctrd" apt-get remove -y ctrd || true
expect "ctrd.service is stopped after remove" inactive systemctl is-active ctrd
expect "the binaries are gone after remove" absent \
  sh -c '[ -e /usr/bin/ctrd ] || [ -e /usr/bin/ctrctl ] && echo present || echo absent'
expect "the conffile stays after remove" present \
  sh -c '[ -f /etc/profile.d/ctrd.sh ] && echo present || echo absent'
run "apt-get purge -y ctrd" apt-get purge -y ctrd || true
expect "no ctrd package after purge" absent \
  sh -c 'dpkg -s ctrd >/dev/null 2>&1 && echo present || echo absent'
expect "the conffile is gone after purge" absent \
  sh -c '[ -e /etc/profile.d/ctrd.sh ] && echo present || echo absent'
expect "no enablement left after purge" absent \
  sh -c 'ls /etc/systemd/system/*.wants/ctrd.service >/dev/null 2>&1 && echo present || echo absent'
contains "the group ctrd is kept after purge" "ctrd:" getent group ctrd
expect "/var/lib/ctrd is kept after purge" present \
  sh -c '[ -d /var/lib/ctrd ] && echo present || echo absent'
expect "no failed unit" "" systemctl --failed --no-legend --plain

echo "==> ctrd's journal"
in_ct journalctl -u ctrd --no-pager -o short-monotonic 2>&1 | tail -n 60 | sed 's/^/    | /'

echo "==> stopping the container (SIGTERM to systemd-nspawn $nspawn_pid)"
stop_container
rm -f "$log.console"
if [ -n "$failed" ]; then
  echo "systemd-install-check: FAILED:$failed"
  exit 1
fi
echo "systemd-install-check: all checks passed ($pkg on Debian 12, systemd as PID 1)"
