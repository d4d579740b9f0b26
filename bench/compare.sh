#!/usr/bin/env bash
# bench/compare.sh — two builds side by side, in one go: the same workloads run alternately with the
# "before" and "after" binaries, reporting the median CPU time (perf stat task-clock, RUNS runs each)
# and the instructions executed (valgrind's callgrind: repeatable on a shared VM, where hardware
# counters are not available), and the ratio after/before. Workloads: `rbk check` of a generated
# 1 MB plan, `rbk plan` of the emergency rollback, every plan's rehearsals (`rbk test plans/`), and
# the engine micro-benchmark (bench_engine: 1,000 parallel branches × 3 actions).
# Usage: bench/compare.sh BEFORE_BUILD_DIR AFTER_BUILD_DIR [RUNS=5]
# PLANS=DIR runs the plan workloads on another plans/ folder (the older build's, when the plans
# gained cases that the older build cannot read); default: this checkout's plans/.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(realpath "$1") after=$(realpath "$2") runs=${3:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 bench/gen_plan.py 1 > "$tmp/plan1.rbk"
workloads=(
  "check-1MB|rbk check $tmp/plan1.rbk"
  "plan-emergency|rbk plan ${PLANS:-plans}/emergency-rollback.rbk -p reason=x"
  "test-plans|rbk test ${PLANS:-plans}/ -j 1"
  "engine|bench_engine"
)
# Prints the task-clock in ms of one run of "$@".
cpu_ms() { perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/{print $1}' | tail -1; }
# Prints the instructions callgrind counts for "$@" and every process it starts.
instr() {
  rm -f "$tmp"/cg.*
  valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$tmp/cg.%p" "$@" >/dev/null 2>"$tmp/cg.err" || true
  cat "$tmp"/cg.* | awk '/^summary:/{s += $2} END{printf "%.0f\n", s}'  # %d stops at 2^31-1 in mawk
}
printf '%-16s %12s %12s %7s %14s %14s %7s\n' workload "cpu before" "cpu after" ratio "instr before" "instr after" ratio
for w in "${workloads[@]}"; do
  name=${w%%|*} cmd=${w#*|}
  bin=${cmd%% *} args=${cmd#"$bin"}
  [ "$args" = "$cmd" ] && args=""
  b=() a=()
  for _ in $(seq "$runs"); do
    # shellcheck disable=SC2086
    b+=("$(cpu_ms "$before/$bin" $args)")
    # shellcheck disable=SC2086
    a+=("$(cpu_ms "$after/$bin" $args)")
  done
  mb=$(printf '%s\n' "${b[@]}" | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
  ma=$(printf '%s\n' "${a[@]}" | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
  # shellcheck disable=SC2086
  ib=$(instr "$before/$bin" $args)
  # shellcheck disable=SC2086
  ia=$(instr "$after/$bin" $args)
  printf '%-16s %10.1fms %10.1fms %7.3f %14s %14s %7.4f\n' "$name" "$mb" "$ma" "$(echo "$ma / $mb" | bc -l)" \
    "$ib" "$ia" "$(echo "$ia / $ib" | bc -l)"
done
