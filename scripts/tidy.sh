#!/bin/sh
# Runs clang-tidy (.clang-tidy) on C++ sources of the product (not tests, fuzz or bench).
#   scripts/tidy.sh [--changed] [BUILD]
# Without --changed: every source file (slow: about 20 s per large file; not part of CI).
# With --changed: the files the last commit and the working tree change (scripts/test.sh).
# BUILD (default build-test) must hold compile_commands.json (every CMake build writes it).
# Exits non-zero on the first warning, which .clang-tidy makes an error.
set -eu
cd "$(dirname "$0")/.."
changed=no
if [ "${1:-}" = "--changed" ]; then
  changed=yes
  shift
fi
build=${1:-build-test}
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tidy: $build/compile_commands.json is missing (configure with cmake first)" >&2
  exit 2
fi
folders='^(messages|core|config|runtime|actors|supervisor|ctl|holder)/[^/]+\.cpp$'
if [ $changed = yes ]; then
  if git rev-parse -q --verify HEAD~1 >/dev/null; then
    files=$( (git diff --name-only HEAD~1; git diff --name-only) | sort -u | grep -E "$folders" || true)
  else
    echo "tidy: no parent commit (shallow clone): checking the working tree's changes only"
    files=$(git diff --name-only | grep -E "$folders" || true)
  fi
else
  files=$(git ls-files | grep -E "$folders")
fi
count=0
for f in $files; do
  [ -f "$f" ] || continue
  count=$((count + 1))
done
if [ $count -eq 0 ]; then
  echo "tidy: no C++ source of the product changed"
  exit 0
fi
echo "tidy: $count file(s)"
# A unity build's database names its joined files, not the sources: the commands of each
# file come from a configure-only tree beside it (a few seconds, nothing is built).
# It is configured again only when a CMake file is newer than its database.
db=$build
if grep -q '/Unity/unity_' "$build/compile_commands.json"; then
  db=$build/tidy-db
  if [ ! -f "$db/compile_commands.json" ] || [ -n "$(find . -path './build*' -prune -o \( \
    -name CMakeLists.txt -o -name '*.cmake' \) -newer "$db/compile_commands.json" -print |
    head -n 1)" ]; then
    cmake -S . -B "$db" -G Ninja -DCMAKE_UNITY_BUILD=OFF -DCTRD_TESTS=OFF >/dev/null
  fi
fi
# run-clang-tidy runs them in parallel and returns non-zero if any check failed.
# shellcheck disable=SC2046
run-clang-tidy -quiet -p "$db" -j "${CTRD_TIDY_JOBS:-2}" $(for f in $files; do
  [ -f "$f" ] && printf '%s$ ' "$PWD/$f"
done) >"$build/tidy.log" 2>&1 || {
  grep -E 'warning:|error:' "$build/tidy.log" | sort -u
  echo "tidy: failed (full output in $build/tidy.log)"
  exit 1
}
echo "tidy: ok"
