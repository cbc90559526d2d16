#!/bin/sh
# Checks that every C++ file of the repository follows .clang-format (exit 1 and the list of
# files that do not). `scripts/check-format.sh --fix` rewrites them instead.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find . -name '*.[ch]pp' -not -path './build*')
if [ "${1:-}" = "--fix" ]; then
  echo "$files" | xargs clang-format -i
  exit 0
fi
bad=""
for f in $files; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
if [ -n "$bad" ]; then
  echo "not formatted with .clang-format (scripts/check-format.sh --fix):$bad" >&2
  exit 1
fi
echo "format: $(echo "$files" | wc -l) files follow .clang-format"
