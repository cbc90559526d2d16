#!/bin/sh
# `cmake --install` into a scratch prefix: the binaries, a man page per verb, the shell
# completions and the systemd unit land where Debian's tools look for them.
# Usage: tests/install_test.sh BUILD_DIR
set -eu
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
fail=0
need() { [ -e "$prefix/$1" ] || { echo "missing after install: $1"; fail=1; }; }
for b in ctrd ctrd-daemon ctrd-tar ctrctl ctrctl-cp; do need "bin/$b"; done
need lib/systemd/system/ctrd.service
grep -q "^ExecStart=$prefix/bin/ctrd\$" "$prefix/lib/systemd/system/ctrd.service" ||
  { echo "ctrd.service: ExecStart is not $prefix/bin/ctrd"; fail=1; }
need share/bash-completion/completions/ctrctl
need share/zsh/vendor-completions/_ctrctl
need share/fish/vendor_completions.d/ctrctl.fish
if command -v go-md2man >/dev/null; then
  need share/man/man8/ctrd.8
  need share/man/man5/ctrd-service.5
  need share/man/man1/ctrctl.1
  for v in $("$prefix/bin/ctrctl" help | sed -n '/^Subcommands:/,$p' | sed -n 's/^  \([a-z-]*\)[ ,].*/\1/p'); do
    need "share/man/man1/ctrctl-$v.1"
  done
  MANPATH="$prefix/share/man" man -w ctrctl-ps >/dev/null || { echo "man -w ctrctl-ps failed"; fail=1; }
else
  echo "man pages skipped: go-md2man is not installed"
fi
exit $fail
