#!/usr/bin/env bash
# A long fuzzing campaign (tests/fuzz/README.md): every target (or those named) for a time and/or
# execution budget, JOBS targets at once. Each target's corpus lives on in
# tests/fuzz/corpus-work/NAME (seeded from tests/fuzz/corpus/NAME, kept between campaigns: copy the
# inputs worth keeping into the seed corpus). A crash, leak, timeout or out-of-memory stops
# libFuzzer; the campaign records its input in corpus-work/NAME/artifacts/ and starts the target
# again with what is left of its budget (at most 20 restarts). At the end, a table: executions,
# exec/s (wall), CPU seconds and exec per CPU second (the figure that holds on a shared machine),
# new corpus entries, crashes, leaks, timeouts and OOMs per target; the exit status is 1 when
# anything was found.
#
# Usage: campaign.sh [-t SECONDS] [-n EXECS] [-j JOBS] [-b BUILD_DIR] [TARGET…]
#   -t SECONDS  time budget per target (default 600; 0 = none, then -n is needed)
#   -n EXECS    execution budget per target (e.g. 10000000; default none)
#   -j JOBS     targets run at once (default: the number of cores)
#   -b DIR      build directory of the fuzzers (default build-fuzz; configured and built here)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/fuzz/targets.sh
seconds=600 execs=0 jobs=$(nproc) build=build-fuzz
while getopts "t:n:j:b:h" o; do
  case $o in
    t) seconds=$OPTARG ;;
    n) execs=$OPTARG ;;
    j) jobs=$OPTARG ;;
    b) build=$OPTARG ;;
    *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ "$seconds" = 0 ] && [ "$execs" = 0 ]; then echo "campaign: give -t or -n" >&2; exit 2; fi
selected=$(if [ $# = 0 ]; then echo "$FUZZ_TARGETS"; else for n in "$@"; do grep "^$n " <<<"$FUZZ_TARGETS" || { echo "campaign: unknown target $n" >&2; exit 2; }; done; fi)
fuzz_build "$build"
work=tests/fuzz/corpus-work
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# campaign_one NAME MAX_LEN: runs one target to its budget, restarting after findings; writes
# "execs seconds new crashes leaks timeouts ooms" to $work/NAME.summary.
campaign_one() {
  local t=$1 len=$2 dir="$work/$1" art="$work/$1/artifacts" log="$work/$1.log"
  fuzz_seed "$t" "$dir/corpus"
  mkdir -p "$art"
  : >"$log"
  local mark="$work/$t.start"  # the findings counted are those of this campaign, not older ones
  touch "$mark"
  local start=$SECONDS total=0 new=0 restarts=0 cpu=0
  while :; do
    local args=(-max_len="$len" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/")
    local left_t=0 left_n=0
    if [ "$seconds" != 0 ]; then
      left_t=$((seconds - (SECONDS - start)))
      [ "$left_t" -gt 0 ] || break
      args+=(-max_total_time="$left_t")
    fi
    if [ "$execs" != 0 ]; then
      left_n=$((execs - total))
      [ "$left_n" -gt 0 ] || break
      args+=(-runs="$left_n")
    fi
    local one="$work/$t.run.log" rc=0
    /usr/bin/time -f "%U %S" -o "$work/$t.cpu" "$build/fuzz_$t" "${args[@]}" "$dir/corpus" >"$one" 2>&1 || rc=$?
    cat "$one" >>"$log"
    cpu=$(awk -v c="$cpu" '{printf "%.1f", c + $1 + $2}' "$work/$t.cpu")
    total=$((total + $(fuzz_stat "$one" number_of_executed_units)))
    new=$((new + $(fuzz_stat "$one" new_units_added)))
    [ "$rc" != 0 ] || break
    restarts=$((restarts + 1))
    [ "$restarts" -le 20 ] || break
  done
  rm -f "$work/$t.run.log" "$work/$t.cpu"
  local c l to oo
  c=$(find "$art" -name 'crash-*' -newer "$mark" | wc -l) l=$(find "$art" -name 'leak-*' -newer "$mark" | wc -l)
  to=$(find "$art" -name 'timeout-*' -newer "$mark" | wc -l) oo=$(find "$art" -name 'oom-*' -newer "$mark" | wc -l)
  rm -f "$mark"
  echo "$total $((SECONDS - start)) $cpu $new $c $l $to $oo" >"$work/$t.summary"
}

mkdir -p "$work"
while read -r t len; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  echo "campaign: $t started"
  campaign_one "$t" "$len" &
done <<<"$selected"
wait
found=0 sum=0
printf '\n%-11s %12s %8s %7s %8s %10s %6s %8s %6s %9s %5s\n' target execs seconds exec/s cpu-s exec/cpu-s new crashes \
  leaks timeouts ooms
while read -r t _; do
  read -r n s cs nw c l to oo <"$work/$t.summary"
  printf '%-11s %12s %8s %7s %8s %10s %6s %8s %6s %9s %5s\n' "$t" "$n" "$s" "$((n / (s > 0 ? s : 1)))" "$cs" \
    "$(awk -v n="$n" -v c="$cs" 'BEGIN { printf "%d", (c > 0 ? n / c : 0) }')" "$nw" "$c" "$l" "$to" "$oo"
  sum=$((sum + n))
  [ $((c + l + to + oo)) = 0 ] || found=1
done <<<"$selected"
echo "total executions: $sum"
if [ "$found" = 1 ]; then echo "campaign: findings in $work/*/artifacts/ (reproduce: build-fuzz/fuzz_NAME FILE)"; fi
exit "$found"
