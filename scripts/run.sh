#!/bin/sh
# Installs dependencies, builds, and runs ctrd in the foreground with a local state root
# (./.ctrd/root), socket (./.ctrd/ctrd.sock) and the example services of config/examples.
# Stop it with Ctrl-C (every container is stopped first).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCTRD_TESTS=OFF >/dev/null
cmake --build build -j2 --target ctrd ctrctl ctrctl-cp
mkdir -p .ctrd
echo "ctrd is starting; in another terminal:"
echo "  export CTRD_SOCKET=$PWD/.ctrd/ctrd.sock"
echo "  $PWD/build/ctl/ctrctl ps -a          # web, probe (requires web) and the one-shot hello"
echo "  $PWD/build/ctl/ctrctl run --rm echo hello"
exec build/supervisor/ctrd --root .ctrd/root --socket .ctrd/ctrd.sock \
  --config-dir config/examples "$@"
