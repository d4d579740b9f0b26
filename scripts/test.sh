#!/usr/bin/env bash
# The README's second command (and CI's): set up, then run the whole suite twice — plain and under
# ASan+UBSan — then build Release with clang, run the cmocka unit tests under valgrind, and the
# fuzzer for a short time. Every build here treats warnings as errors (RBK_WERROR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh -DRBK_WERROR=ON
jobs=$(nproc)

echo "== plain build"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== ASan+UBSan build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRBK_SANITIZE=ON -DRBK_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== clang Release build (warnings are errors)"
CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Release -DRBK_WERROR=ON >/dev/null
cmake --build build-clang -j"$jobs" >/dev/null

echo "== unit tests under valgrind"
vpass=0
vfail=0
for t in build/test_*; do
  [ -x "$t" ] || continue
  if RBK_SOURCE_DIR="$PWD" valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
      --error-exitcode=99 "$t" >/tmp/rbk-valgrind.log 2>&1; then
    vpass=$((vpass + 1))
  else
    echo "valgrind: $t failed"; tail -30 /tmp/rbk-valgrind.log; vfail=$((vfail + 1))
  fi
done
echo "valgrind: $vpass passed, $vfail failed"
[ "$vfail" = 0 ]

if [ -f tests/fuzz/fuzz.sh ]; then
  echo "== fuzzing (short)"
  bash tests/fuzz/fuzz.sh 20
fi
