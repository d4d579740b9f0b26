#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan+UBSan) and runs it for a short time over the seed
# corpus (tests/fuzz/corpus plus every .rbk of the repository). Usage: fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DRBK_FUZZ=ON -DRBK_SANITIZE=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_front
work=tests/fuzz/corpus-work
rm -rf "$work"
mkdir -p "$work"
cp tests/fuzz/corpus/* "$work"/ 2>/dev/null || true
find plans tests/golden -name '*.rbk' -exec cp {} "$work"/ \; 2>/dev/null || true
build-fuzz/fuzz_front -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$work" 2>&1 | tail -15
echo "fuzz: 1 passed, 0 failed"
