#!/bin/sh
# The long version of the reliability harness (docs/reliability.md): many crash-injection
# runs, each with its own random seed and many rounds, then the load test for a long time.
#
#   scripts/crash-soak.sh [BUILD_DIR]
#
# BUILD_DIR: an existing build directory to reuse (default build-release, configured as a
# Release build when it does not exist yet). Only ctrd, ctrctl and the integration tests are
# built. Settings (environment):
#   SOAK_RUNS=10            crash-injection runs, each with a fresh random seed
#   SOAK_SEEDS="s1 s2"      run exactly these seeds instead (e.g. to repeat a failure)
#   CTRD_CRASH_ROUNDS=200   rounds (workload batch, SIGKILL, restart, checks) per run
#   CTRD_LOAD_SECONDS=300   how long 100 containers crash-loop under queries (0: skip)
#   CTRD_LOAD_CONTAINERS=100, CTRD_LOAD_MAX_LATENCY_MS=2000
#   SOAK_JOBS=2             build parallelism
#   CTRD_CRASH_MIN_DOWN_MS=150  keep ctrd down at least that long (docs/reliability.md,
#                           "Settings"); passed through as set
# Logs go to $BUILD_DIR/soak-<time>/; the summary names every failing seed.
# Exits 0 when every run passed.
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build-release}
if [ ! -f "$dir/build.ninja" ] && [ ! -f "$dir/Makefile" ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$dir" --target ctrd ctrctl ctrd_integration_tests -j "${SOAK_JOBS:-2}"
bin=$dir/tests/ctrd_integration_tests
[ -x "$bin" ] || { echo "crash-soak: $bin not built" >&2; exit 2; }

rounds=${CTRD_CRASH_ROUNDS:-200}
load=${CTRD_LOAD_SECONDS:-300}
runs=${SOAK_RUNS:-10}
seeds=${SOAK_SEEDS:-}
if [ -z "$seeds" ]; then
  i=0
  while [ "$i" -lt "$runs" ]; do
    seeds="$seeds $(od -An -N6 -tu8 /dev/urandom | tr -d ' ')"
    i=$((i + 1))
  done
fi
logs=$dir/soak-$(date +%Y%m%d-%H%M%S)
mkdir -p "$logs"

passed=0
failed=""
start=$(date +%s)
for seed in $seeds; do
  log=$logs/crash-$seed.log
  t0=$(date +%s)
  if CTRD_CRASH_SEED=$seed CTRD_CRASH_ROUNDS=$rounds CTRD_CRASH_BUDGET_S=1000000 \
      "$bin" "crash injection*" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "crash seed $seed: passed ($(( $(date +%s) - t0 )) s)"
  else
    failed="$failed $seed"
    echo "crash seed $seed: FAILED ($(( $(date +%s) - t0 )) s), see $log:"
    sed -n '/invariant violated\|FAILED:/,/^ *$/p' "$log" | head -8 | sed 's/^/    /'
  fi
done

load_result="skipped"
if [ "$load" -gt 0 ]; then
  log=$logs/load.log
  if CTRD_LOAD_SECONDS=$load "$bin" "[load]" >"$log" 2>&1; then load_result="passed"
  else load_result="FAILED, see $log"
  fi
fi

echo
echo "== crash-soak summary ($(( $(date +%s) - start )) s, logs in $logs)"
echo "crash injection: $passed passed, $(echo "$failed" | wc -w) failed, $rounds rounds each${failed:+; failing seeds:$failed}"
status=0
if [ -n "$failed" ]; then
  echo "repeat one: CTRD_CRASH_SEED=<seed> CTRD_CRASH_ROUNDS=$rounds CTRD_CRASH_BUDGET_S=1000000 $bin \"crash injection*\""
  status=1
fi
echo "load ($load s): $load_result"
if [ -f "$logs/load.log" ]; then sed -n '/warning:/,/^ *$/p' "$logs/load.log" | grep -v 'warning:' | sed 's/^ */  /' || true; fi
case $load_result in passed|skipped) ;; *) status=1 ;; esac
exit $status
