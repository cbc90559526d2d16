#!/bin/sh
# The footprint budget of issue 16, checked and recorded: runs bench/footprint.sh on one
# build (with FOOTPRINT_CONTAINERS containers for the memory per container), prints each
# figure against its budget with PASS/FAIL, and appends one line to the history file
# bench/results/footprint-history.csv (plotted by bench/plot_footprint.py).
#
#   bench/budget.sh BUILD [LABEL]      e.g. bench/budget.sh build-small
#
# BUILD is a CMake build directory with supervisor/ctrd, supervisor/ctrd-daemon and
# ctl/ctrctl built. LABEL names the configuration in the history (default: the build type,
# "+small" when CTRD_SMALL is on). The commit is that of the build's source tree ("+" when
# it has uncommitted changes). Budgets: stripped ctrd-daemon + ctrctl <= 4 MiB, idle RSS
# of the daemon <= 8 MiB. Exit status 0 when both pass, 1 otherwise.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
history=${FOOTPRINT_HISTORY:-$here/results/footprint-history.csv}
cache=$build/CMakeCache.txt
[ -f "$cache" ] || { echo "budget.sh: $build has no CMakeCache.txt" >&2; exit 2; }
cached() { sed -n "s/^$1:[A-Z]*=//p" "$cache"; }
src=$(cached CMAKE_HOME_DIRECTORY)
label=${2:-$(cached CMAKE_BUILD_TYPE)}
[ $# -lt 2 ] && [ "$(cached CTRD_SMALL)" = ON ] && label="$label+small"
label=$(echo "$label" | tr , \;)  # a CSV field
commit=$(git -C "$src" rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$src" status --porcelain --untracked-files=no 2>/dev/null)" ] && commit="$commit+"
load=$(cut -d' ' -f1 /proc/loadavg)

kvfile=$(mktemp)
trap 'rm -f "$kvfile"' EXIT
FOOTPRINT_KV=$kvfile FOOTPRINT_CONTAINERS=${FOOTPRINT_CONTAINERS:-50} \
  "$here/footprint.sh" "$build/supervisor/ctrd"
get() { sed -n "s/^$1=//p" "$kvfile" | tail -n 1; }
daemon=$(get stripped_ctrd-daemon)
ctl=$(get stripped_ctrctl)
rss=$(get base_rss_kib)
# The multi-call build (CTRD_MULTICALL): ctrctl is a hard link to ctrd-daemon, one file.
multicall=""
if [ "$build/ctl/ctrctl" -ef "$build/supervisor/ctrd-daemon" ]; then
  ctl=0
  multicall=" (one multi-call file: ctrctl is a hard link to ctrd-daemon)"
fi
sum=$((daemon + ctl))
verdict() { if [ "$1" -le "$2" ]; then echo PASS; else echo FAIL; fi; }
size_ok=$(verdict "$sum" $((4 * 1048576)))
rss_ok=$(verdict "$rss" $((8 * 1024)))
mib() { awk -v b="$1" 'BEGIN {printf "%.2f", b / 1048576}'; }
echo
echo "== budget ($label, $commit, load $load at start)"
echo "stripped ctrd-daemon + ctrctl: $(mib "$sum") MiB ($(mib "$daemon") + $(mib "$ctl")), budget 4 MiB: $size_ok$multicall"
echo "daemon idle RSS: $(awk -v k="$rss" 'BEGIN {printf "%.2f", k / 1024}') MiB, budget 8 MiB: $rss_ok"
echo "listed apart: holder $(mib "$(get stripped_ctrd)") MiB, ctrd-tar $(mib "$(get stripped_ctrd-tar)") MiB, ctrctl-cp $(mib "$(get stripped_ctrctl-cp)") MiB; closure $(mib "$(get closure_bytes)") MiB; per container $(get per_container_kib) KiB at ${FOOTPRINT_CONTAINERS:-50}, $(get marginal_container_kib) KiB per further one"

mkdir -p "$(dirname "$history")"
[ -s "$history" ] || echo "commit,date,config,load,ctrd_daemon_bytes,ctrctl_bytes,budget_sum_bytes,holder_bytes,ctrd_tar_bytes,ctrctl_cp_bytes,closure_bytes,base_rss_kib,holder_rss_kib,per_container_kib,size_budget,rss_budget" >"$history"
echo "$commit,$(date -u +%Y-%m-%dT%H:%M:%SZ),$label,$load,$daemon,$ctl,$sum,$(get stripped_ctrd),$(get stripped_ctrd-tar),$(get stripped_ctrctl-cp),$(get closure_bytes),$rss,$(get holder_rss_kib),$(get per_container_kib),$size_ok,$rss_ok" >>"$history"
echo "appended to $history"
[ "$size_ok" = PASS ] && [ "$rss_ok" = PASS ]
