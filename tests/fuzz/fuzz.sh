#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for a short time over its seed
# corpus (tests/fuzz/corpus/NAME, see targets.sh), as many at once as there are cores. Any crash,
# leak, timeout (10 s), out-of-memory (2 GiB) or undefined behaviour fails the run; its input is
# left in tests/fuzz/corpus-work/NAME/. Usage: fuzz.sh [SECONDS_PER_TARGET] (default 20).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/fuzz/targets.sh
seconds=${1:-20}
fuzz_build build-fuzz
work=tests/fuzz/corpus-work
jobs=$(nproc)
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# run_one NAME MAX_LEN: fuzzes one target on a fresh copy of its corpus; its log is $work/NAME.log.
run_one() {
  local dir="$work/$1"
  rm -rf "$dir"
  fuzz_seed "$1" "$dir"
  local rc=0
  build-fuzz/fuzz_"$1" -max_total_time="$seconds" -max_len="$2" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/" "$dir" >"$work/$1.log" 2>&1 || rc=$?
  echo "$rc" >"$work/$1.rc"
}
mkdir -p "$work"
while read -r t len; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$t" "$len" &
done <<<"$FUZZ_TARGETS"
wait
pass=0
fail=0
while read -r t _; do
  if [ "$(cat "$work/$t.rc" 2>/dev/null)" = 0 ]; then
    pass=$((pass + 1))
    printf '%-11s %8s execs %6s exec/s  ok\n' "$t" "$(fuzz_stat "$work/$t.log" number_of_executed_units)" \
      "$(fuzz_stat "$work/$t.log" average_exec_per_sec)"
  else
    fail=$((fail + 1))
    echo "$t FAILED (log: $work/$t.log):"
    grep -a -E "ERROR|SUMMARY|runtime error|Test unit written" "$work/$t.log" | head -10
  fi
done <<<"$FUZZ_TARGETS"
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
