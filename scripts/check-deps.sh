#!/bin/sh
# Checks that the source folders depend one way (docs/architecture.md, "Folders"):
#   messages <- core, config <- runtime <- actors <- supervisor;  ctl -> messages, config,
#   runtime (tar streams only);  holder -> runtime (its link only);  multicall -> supervisor,
#   ctl (the device build's one executable for both: their main functions only)
# - a folder includes headers only from the folders below it;
# - no CAF header in the CAF-free folders (messages, core, config, runtime, ctl, holder);
# - with a build directory as argument, ctrctl and ctrctl-cp are not linked to CAF and the
#   daemon is not linked to libarchive (the tar helper is); the holder needs nothing but
#   the C and C++ runtime.
# Exits non-zero and names every offending line.
set -u
cd "$(dirname "$0")/.."
allowed() {
  case $1 in
    messages) echo "messages" ;;
    core) echo "core messages" ;;
    config) echo "config messages" ;;
    runtime) echo "runtime core config messages" ;;
    actors) echo "actors runtime core config messages" ;;
    supervisor) echo "supervisor actors runtime core config messages" ;;
    ctl) echo "ctl runtime config messages" ;;
    holder) echo "holder runtime" ;;
    multicall) echo "multicall supervisor ctl" ;;
  esac
}
status=0
for dir in messages core config runtime actors supervisor ctl holder multicall; do
  ok=$(allowed "$dir")
  for file in "$dir"/*.hpp "$dir"/*.cpp; do
    [ -f "$file" ] || continue
    # Quoted first-party includes: "folder/name.hpp".
    grep -n '^#include "[a-z_]*/' "$file" | while IFS= read -r line; do
      target=$(printf '%s\n' "$line" | sed 's/^[0-9]*:#include "\([a-z_]*\)\/.*/\1/')
      case " $ok " in
        *" $target "*) ;;
        *) echo "$file:${line%%:*}: $dir/ must not include $target/ (${line#*:})" ;;
      esac
    done
    case $dir in
      actors | supervisor) ;;
      *) grep -n '#include <caf/' "$file" | sed "s|^|$file:|;s|\$| (no CAF in $dir/)|" ;;
    esac
  done
done >/tmp/ctrd-check-deps.$$
if [ -s /tmp/ctrd-check-deps.$$ ]; then
  cat /tmp/ctrd-check-deps.$$
  status=1
fi
rm -f /tmp/ctrd-check-deps.$$
if [ $# -ge 1 ]; then
  build=$1
  for exe in ctl/ctrctl ctl/ctrctl-cp; do
    # The multi-call build's ctrctl is the daemon's file (CTRD_MULTICALL): not checked.
    [ "$build/$exe" -ef "$build/supervisor/ctrd-daemon" ] && continue
    if readelf -d "$build/$exe" | grep -q 'libcaf'; then
      echo "$build/$exe is linked to CAF (ctrctl links only the wire library)"
      status=1
    fi
  done
  # ctrd runs ctrd-tar for export/cp: libarchive (with libxml2 and ICU, most of the
  # daemon's closure before) stays out of the daemon (issue 12 §7).
  if readelf -d "$build/supervisor/ctrd-daemon" | grep -q 'libarchive'; then
    echo "$build/supervisor/ctrd-daemon is linked to libarchive (only ctrd-tar and ctrctl-cp may be)"
    status=1
  fi
  # The holder stays when the daemon dies and must stay small (issue 13): libc and
  # libstdc++ only.
  holder=$build/supervisor/ctrd
  extra=$(readelf -d "$holder" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' |
    grep -v -E '^(libc|libm|libstdc\+\+|libgcc_s|ld-linux.*)\.so' |
    grep -v -E '^lib(asan|ubsan)\.so')
  if [ -n "$extra" ]; then
    echo "$holder needs more than the C/C++ runtime: $extra"
    status=1
  fi
fi
[ $status -eq 0 ] && echo "folder dependencies: ok"
exit $status
