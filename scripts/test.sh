#!/bin/sh
# Installs dependencies, builds with warnings as errors and AddressSanitizer +
# UndefinedBehaviorSanitizer, runs the whole test suite (crash injection and load tests
# included) and 3 power-cut rounds, then both fuzz targets for 30 s each. Exits non-zero on failure.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Every C++ file follows .clang-format (scripts/check-format.sh --fix rewrites them).
scripts/check-format.sh
# The folders depend one way and CAF stays out of the CAF-free ones (docs/architecture.md).
scripts/check-deps.sh
# The code with system calls compiles for arm64 (aarch64), so that an x86-64-only system call
# or assembly fails at once; the cross-build and the qemu run of the unit tests are too long
# for CI: `scripts/cross-test.sh arm64 --full` (docs/arm64.md).
scripts/cross-test.sh arm64 --compile-only
run_suite() {
  dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCTRD_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j2
  scripts/check-deps.sh "$dir"
  (cd "$dir" && ctest -j2 --output-on-failure --timeout 180 -LE powercut)
  # Power cuts (docs/reliability.md): a few rounds here, after the suite and alone, so that
  # its kills and copies do not share the machine with the timing-sensitive tests;
  # `scripts/power-cut.sh --rounds 50` is the full run. CTRD_POWERCUT_ROUNDS changes it.
  scripts/power-cut.sh --rounds "${CTRD_POWERCUT_ROUNDS:-3}" --build "$dir"
}
# One unoptimised build with AddressSanitizer + UndefinedBehaviorSanitizer and -Werror runs
# the whole suite: it compiles in a third of the time of -O2 (CI must stay under 40
# minutes) and nothing in the suite depends on speed (performance is measured in bench/).
# A unity build (CMake joins the files of a target, 8 at a time): the header-only
# libraries' templates (CAF, nlohmann::json, CLI11, Catch2) are compiled once per 8 files
# instead of once per file, which takes the build from about 20 to about 8 minutes. A
# developer's build compiles each file alone, which checks that it includes what it uses.
# Memory bounds are checked on the daemon's heap (its `version` reply), which means the same
# with and without ASan, so no second, plain build is needed. No debug information (-g0: a
# fifth of the build's time): ASan's reports still name every function of a stack.
# `scripts/test.sh --plain` runs the suite on a build without sanitizers instead.
if [ "${1:-}" = "--plain" ]; then
  run_suite build-test -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g0"
else
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g0" -DCTRD_SANITIZE=ON \
      -DCMAKE_UNITY_BUILD=ON
fi
# clang-tidy (.clang-tidy) on the product's C++ files that the last commit changed; the
# whole tree takes long and runs apart (scripts/tidy.sh without --changed).
if [ "${1:-}" = "--plain" ]; then scripts/tidy.sh --changed build-test; else scripts/tidy.sh --changed build-asan; fi
# Both libFuzzer targets (wire decoder, service-file parser) for a fixed time each (fuzz/).
[ "${1:-}" = "--plain" ] || scripts/fuzz.sh "${CTRD_FUZZ_SECONDS:-30}"
echo "all tests passed"
