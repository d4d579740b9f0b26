#!/bin/bash
# bench/sim_scale.sh — `rbk sim` at 100, 1,000 and 10,000 Deployments, before and after, in one run.
#
# For each size and build, bench/sim_scale.py starts `rbk sim --scenario bad-release --speed 20` on
# 127.0.0.1, creates N Deployments of 2 replicas (namespace fanout, image v1) over 8 keep-alive
# connections, patches all of them to v2 (a strategic merge patch, as `kubectl set image` sends: N
# concurrent rollouts), and measures: PATCH latency p50/p99 (client side), the time until every
# rollout is complete and the simulator's CPU in that time, LIST of the namespace and of a page of
# 1,000, CPU over 10 s of idling and over 10 s with 20 idle watches open, RSS and kB per object.
# Every phase is bounded: N requests and at most LIMIT seconds (the 'before' build gets
# BEFORE_LIMIT, and runs only up to BEFORE_MAX Deployments: at 1,000 its PATCH phase already takes
# minutes).
#
# Usage: bash bench/sim_scale.sh BEFORE_RBK AFTER_RBK [runs=3]
#   e.g. bash bench/sim_scale.sh /work/main/build/rbk build/rbk
# Prints one JSON line per run, then a Markdown table of medians and after/before ratios.
set -u
BEFORE=${1:?usage: sim_scale.sh BEFORE_RBK AFTER_RBK [runs]}
AFTER=${2:?usage: sim_scale.sh BEFORE_RBK AFTER_RBK [runs]}
RUNS=${3:-3}
SIZES=${SIZES:-"100 1000 10000"}
LIMIT=${LIMIT:-180}
BEFORE_LIMIT=${BEFORE_LIMIT:-30}
BEFORE_MAX=${BEFORE_MAX:-1000}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp /tmp/rbk-simscale.XXXXXX)
trap 'rm -f "$OUT"' EXIT

# The builds take turns (before, after, before, after, ...) so that a change in the machine's load
# during the run falls on both alike.
for n in $SIZES; do
  runs=$RUNS
  [ "$n" -ge 10000 ] && runs=1 # a few minutes each
  [ "$n" -gt "$BEFORE_MAX" ] && echo "{\"build\": \"before\", \"n\": $n, \"skipped\": \"capped at $BEFORE_MAX Deployments\"}" | tee -a "$OUT"
  for _ in $(seq "$runs"); do
    for build in before after; do
      if [ "$build" = before ]; then rbk=$BEFORE limit=$BEFORE_LIMIT; else rbk=$AFTER limit=$LIMIT; fi
      [ "$build" = before ] && [ "$n" -gt "$BEFORE_MAX" ] && continue
      line=$(timeout $((limit * 4 + 120)) python3 "$HERE/sim_scale.py" "$rbk" "$n" --phase-limit "$limit") || line='{"error": "run failed"}'
      echo "{\"build\": \"$build\", ${line#\{}" | tee -a "$OUT"
    done
  done
done

python3 "$HERE/sim_scale.py" --table "$OUT"
