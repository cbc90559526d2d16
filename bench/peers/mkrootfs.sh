#!/bin/sh
# Build the busybox rootfs the container rows use: busybox-static with every applet linked,
# the usual mount points, /etc basics, and bench-helper (bench/helper.c, static) as
# /bin/bench-helper. Usage: mkrootfs.sh DIR HELPER_BINARY
set -eu
DIR=$1; HELPER=$2
BB=$(command -v busybox || true)
[ -n "$BB" ] || { echo "mkrootfs: busybox is not installed (apt-get install busybox-static)" >&2; exit 1; }
if command -v file >/dev/null; then
  case "$(file -L "$BB")" in
    *statically*) ;;
    *) echo "mkrootfs: $BB is not static; install busybox-static" >&2; exit 1 ;;
  esac
fi
rm -rf "$DIR"
for d in bin sbin usr/bin usr/sbin proc dev sys tmp run etc root var/tmp shared; do mkdir -p "$DIR/$d"; done
chmod 1777 "$DIR/tmp" "$DIR/var/tmp"
cp "$BB" "$DIR/bin/busybox"
"$DIR/bin/busybox" --list-full | while read -r a; do
  [ -e "$DIR/$a" ] || [ -L "$DIR/$a" ] || ln -s /bin/busybox "$DIR/$a"
done
cp "$HELPER" "$DIR/bin/bench-helper"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$DIR/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$DIR/etc/group"
: > "$DIR/etc/hosts"; : > "$DIR/etc/resolv.conf"; echo bench > "$DIR/etc/hostname"
