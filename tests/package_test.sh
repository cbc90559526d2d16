#!/bin/sh
# The Debian package of a build tree (scripts/package.sh --build-dir): its contents and
# control fields, then an install, a removal and a purge in a scratch root with
# `dpkg --root` (maintainer scripts run chrootless with $DPKG_ROOT set), and the installed
# binaries run from there. The host's own dpkg database, groups and systemd are untouched.
# Usage: tests/package_test.sh BUILD_DIR   (exit 77: skipped, the reason printed)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
for tool in dpkg dpkg-deb dpkg-shlibdeps groupadd; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "SKIP: $tool is not installed (scripts/install-deps.sh)"; exit 77; }
done
command -v go-md2man >/dev/null 2>&1 ||
  { echo "SKIP: go-md2man is not installed: the build has no man pages to package"; exit 77; }
arch=$(dpkg --print-architecture)
case "$arch" in amd64 | arm64) ;; *) echo "SKIP: no package for $arch"; exit 77 ;; esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
host_group_sum=$(md5sum </etc/group)

# 1. Build the package from the tree under test.
CTRD_DEB_COMPRESS=none "$src/scripts/package.sh" --build-dir "$build" --out "$tmp/dist" "$arch" >"$tmp/package.log" 2>&1 ||
  { cat "$tmp/package.log"; echo "FAIL: scripts/package.sh --build-dir $build $arch"; exit 1; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
deb="$tmp/dist/ctrd_${version}_${arch}.deb"
[ -f "$deb" ] || { cat "$tmp/package.log"; echo "FAIL: no $deb"; exit 1; }

# 2. Contents and control fields.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/files"
has() { grep -qx "$1" "$tmp/files" || bad "not in the package: $1"; }
for b in ctrd ctrd-daemon ctrd-tar ctrctl ctrctl-cp; do has "/usr/bin/$b"; done
has /lib/systemd/system/ctrd.service
has /etc/ctrd/containers.d/
has /usr/share/man/man8/ctrd.8.gz
has /usr/share/man/man5/ctrd-service.5.gz
has /usr/share/man/man1/ctrctl.1.gz
has /usr/share/man/man1/ctrctl-ps.1.gz
has /usr/share/bash-completion/completions/ctrctl
has /usr/share/zsh/vendor-completions/_ctrctl
has /usr/share/fish/vendor_completions.d/ctrctl.fish
has /usr/share/doc/ctrd/copyright
has /etc/profile.d/ctrd.sh
grep -q '^/usr/lib/systemd/' "$tmp/files" && bad "the unit belongs in /lib/systemd/system on Debian 12"
dpkg-deb -c "$deb" | awk '$2 != "root/root" {print}' | grep . && bad "files not owned by root"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = ctrd ] || bad "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || bad "Version is '$(field Version)', not $version"
[ "$(field Architecture)" = "$arch" ] || bad "Architecture is '$(field Architecture)'"
depends=$(field Depends)
for d in libc6 libcaf-core libstdc++6 adduser; do
  echo "$depends" | grep -q "$d" || bad "Depends lacks $d: $depends"
done
field Recommends | grep -q netavark || bad "Recommends lacks netavark: $(field Recommends)"
dpkg-deb -I "$deb" >/dev/null || bad "dpkg-deb -I cannot read the package"
dpkg-deb -e "$deb" "$tmp/control"
for s in postinst prerm postrm md5sums conffiles; do
  [ -f "$tmp/control/$s" ] || bad "no control file $s"
done
for s in postinst prerm postrm; do
  sh -n "$tmp/control/$s" || bad "$s: shell syntax"
  [ -x "$tmp/control/$s" ] || bad "$s is not executable"
done
[ "$(cat "$tmp/control/conffiles" 2>/dev/null)" = /etc/profile.d/ctrd.sh ] ||
  bad "conffiles is not /etc/profile.d/ctrd.sh"
dpkg-deb -x "$deb" "$tmp/x"
grep -q '^ExecStart=/usr/bin/ctrd$' "$tmp/x/lib/systemd/system/ctrd.service" ||
  bad "ctrd.service: ExecStart is not /usr/bin/ctrd"
file_out=$(readelf -S "$tmp/x/usr/bin/ctrd-daemon" | grep -c '\.symtab' || true)
[ "$file_out" = 0 ] || bad "/usr/bin/ctrd-daemon is not stripped"

# 3. Install into a scratch root.
root="$tmp/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" \
  "$root/var/log" "$root/etc"
: >"$root/var/lib/dpkg/status"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'root:*::\n' >"$root/etc/gshadow"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
dpkg_root() {
  dpkg --root="$root" --force-script-chrootless --force-depends --force-not-root \
    --log="$tmp/dpkg.log" "$@" >"$tmp/dpkg.out" 2>&1 ||
    { cat "$tmp/dpkg.out"; bad "dpkg --root $*"; }
}
dpkg_root -i "$deb"
for f in usr/bin/ctrd usr/bin/ctrd-daemon usr/bin/ctrd-tar usr/bin/ctrctl usr/bin/ctrctl-cp \
  lib/systemd/system/ctrd.service usr/share/man/man1/ctrctl.1.gz etc/ctrd/containers.d; do
  [ -e "$root/$f" ] || bad "not installed: /$f"
done
grep -q '^ctrd:x:[0-9]*:$' "$root/etc/group" || bad "postinst did not create the group ctrd: $(cat "$root/etc/group")"
[ "$(md5sum </etc/group)" = "$host_group_sum" ] || bad "the host's /etc/group changed"
dpkg --root="$root" -s ctrd 2>/dev/null | grep -q '^Status: install ok installed' ||
  bad "dpkg --root -s ctrd: not 'install ok installed'"
out=$("$root/usr/bin/ctrd" --version 2>&1) || bad "installed ctrd --version failed: $out"
[ "$out" = "ctrd $version" ] || bad "installed ctrd --version says '$out'"
out=$("$root/usr/bin/ctrctl" --version 2>&1) || bad "installed ctrctl --version failed: $out"
echo "$out" | grep -q "$version" || bad "installed ctrctl --version says '$out'"
out=$("$root/usr/bin/ctrd-daemon" --version 2>&1) || bad "installed ctrd-daemon --version failed: $out"

# 4. A second install over the first (an upgrade: postinst configure with the old version).
dpkg_root -i "$deb"
[ "$(grep -c '^ctrd:' "$root/etc/group")" = 1 ] || bad "the group ctrd is not there once"

# 5. Remove, then purge: the files go, the group stays (docs/install.md).
dpkg_root -r ctrd
for f in usr/bin/ctrd usr/bin/ctrctl lib/systemd/system/ctrd.service; do
  [ ! -e "$root/$f" ] || bad "still there after dpkg -r: /$f"
done
[ -f "$root/etc/profile.d/ctrd.sh" ] || bad "dpkg -r removed the conffile /etc/profile.d/ctrd.sh"
dpkg_root -P ctrd
dpkg --root="$root" -s ctrd >/dev/null 2>&1 && bad "dpkg --root -s ctrd still knows it after -P"
[ -z "$(cd "$root" && find usr lib etc/ctrd etc/profile.d -type f 2>/dev/null)" ] ||
  bad "files left after purge: $(cd "$root" && find usr lib etc/ctrd etc/profile.d -type f)"
grep -q '^ctrd:' "$root/etc/group" || bad "the group ctrd was removed by the purge"

[ $fail = 0 ] && echo "package: $(du -k "$deb" | cut -f1) KiB, $(grep -vc '/$' "$tmp/files") files; \
installed, upgraded, removed and purged in a scratch root"
exit $fail
