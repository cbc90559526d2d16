#!/bin/sh
# Builds the libFuzzer targets (fuzz/README.md) with clang in build-fuzz/ and runs each for
# SECONDS (default 30) on a copy of the checked-in seed corpus, so CI never grows it.
# Exits non-zero on any crash, failed check, leak, timeout or out-of-memory; the reproducer
# is kept and its path printed. Usage: scripts/fuzz.sh [SECONDS]  (from any directory)
# Environment: CTRD_FUZZ_BUILD_DIR (default build-fuzz), CTRD_FUZZ_JOBS (build jobs, 2).
set -eu
duration=${1:-30}
case $duration in
  '' | *[!0-9]* | 0) echo "usage: $0 [SECONDS]  (a positive number of seconds per target)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
root=$(pwd)
build=${CTRD_FUZZ_BUILD_DIR:-build-fuzz}
case $build in /*) ;; *) build="$root/$build" ;; esac

# The libraries the configure step looks for, then clang and libFuzzer's runtime
# (libclang-rt-dev: Debian's clang does not pull it in, and -fsanitize=fuzzer needs it).
scripts/install-deps.sh libclang-rt-dev

# A build dir configured with another compiler cannot be switched to clang in place.
if [ -f "$build/CMakeCache.txt" ] &&
   ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' "$build/CMakeCache.txt"; then
  echo "$build was configured with another compiler: recreating it"
  rm -rf "$build"
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCTRD_FUZZ=ON -DCTRD_TESTS=OFF >/dev/null
cmake --build "$build" -j "${CTRD_FUZZ_JOBS:-2}" --target wire_decoder_fuzz service_file_fuzz

# The sanitizers' own settings; libFuzzer reports leaks itself (-detect_leaks, on by default).
ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=0:detect_stack_use_after_return=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

failed=0
summary=""
run_target() {
  name=$1 corpus=$2
  bin="$build/fuzz/${name}_fuzz"
  work="$build/fuzz-run/$name"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -R "$root/fuzz/corpus/$corpus/." "$work/corpus/"
  echo "== fuzzing $name for ${duration}s (log: $work/log)"
  rc=0
  "$bin" -max_total_time="$duration" -timeout=5 -rss_limit_mb=2048 \
    -dict="$root/fuzz/$corpus.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$work/corpus" >"$work/log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  cov=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 | sed -n 's/.*\(cov: [0-9]*\).*\(corp: [^ ]*\).*/\1 \2/p')
  artifacts=$(find "$work/artifacts" -type f | sort)
  if [ "$rc" -ne 0 ] || [ -n "$artifacts" ]; then
    failed=1
    echo "!! $name FAILED (exit $rc); the end of its log:"
    tail -n 60 "$work/log"
    for a in $artifacts; do
      echo "!! reproducer: $a"
      echo "!!   replay:   $bin $a"
    done
    summary="$summary
  $name: FAILED (exit $rc) after ${runs:-?} runs; reproducer(s): $(echo $artifacts)"
  else
    summary="$summary
  $name: ok, ${runs:-?} runs in ${duration}s, ${cov:-no stats}"
  fi
}
run_target wire_decoder wire
run_target service_file service_file

echo "== fuzzing summary:$summary"
if [ "$failed" -ne 0 ]; then
  echo "fuzzing found problems: turn each reproducer into a [fuzz-regression] test (fuzz/README.md)"
  exit 1
fi
echo "fuzzing found nothing"
