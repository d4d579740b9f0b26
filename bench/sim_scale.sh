#!/bin/bash
# bench/sim_scale.sh — `rbk sim` at 100, 1,000 and 10,000 Deployments, before and after, in one run.
#
# For each size and build, bench/sim_scale.py starts `rbk sim --scenario bad-release --speed 20` on
# 127.0.0.1, creates N Deployments of 2 replicas (namespace fanout, image v1) over 8 keep-alive
# connections, patches all of them to v2 (a strategic merge patch, as `kubectl set image` sends: N
# concurrent rollouts), and measures: PATCH latency p50/p99 (client side), the time until every
# rollout is complete and the simulator's CPU in that time (virtual seconds per CPU second), LIST
# of the namespace and of a page of 1,000, CPU over 10 s of idling, RSS and kB per object. Every
# phase is bounded: N requests and at most LIMIT seconds (the 'before' build gets BEFORE_LIMIT, and
# runs only up to BEFORE_MAX Deployments: at 1,000 its PATCH phase already takes minutes).
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

for n in $SIZES; do
  runs=$RUNS
  [ "$n" -ge 10000 ] && runs=1 # a few minutes each
  for build in before after; do
    if [ "$build" = before ]; then rbk=$BEFORE limit=$BEFORE_LIMIT; else rbk=$AFTER limit=$LIMIT; fi
    if [ "$build" = before ] && [ "$n" -gt "$BEFORE_MAX" ]; then
      echo "{\"build\": \"before\", \"n\": $n, \"skipped\": \"capped at $BEFORE_MAX Deployments\"}" | tee -a "$OUT"
      continue
    fi
    for _ in $(seq "$runs"); do
      line=$(timeout $((limit * 4 + 120)) python3 "$HERE/sim_scale.py" "$rbk" "$n" --phase-limit "$limit") || line='{"error": "run failed"}'
      echo "{\"build\": \"$build\", ${line#\{}" | tee -a "$OUT"
    done
  done
done

python3 - "$OUT" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
FIELDS = [("create N (s)", lambda r: r["create"]["wall_s"]),
          ("PATCH p50 (ms)", lambda r: r["patch"]["p50_ms"]),
          ("PATCH p99 (ms)", lambda r: r["patch"]["p99_ms"]),
          ("PATCHes done", lambda r: r["patch"]["done"]),
          ("rollouts done", lambda r: r["rollout"]["done"]),
          ("rollouts: wall (s)", lambda r: r["rollout"]["wall_s"]),
          ("rollouts: CPU (s)", lambda r: r["rollout"]["cpu_s"]),
          ("virtual s per CPU s", lambda r: r["rollout"]["virtual_s_per_cpu_s"]),
          ("LIST all (ms)", lambda r: r["list_all_ms"]),
          ("LIST limit=1000 (ms)", lambda r: r["list_1000_ms"]),
          ("idle CPU (%)", lambda r: r["idle_cpu_pct"]),
          ("RSS (MB)", lambda r: round(r["rss_kb"] / 1024, 1)),
          ("kB per object", lambda r: r["kb_per_object"])]
def med(build, n, f):
    xs = []
    for r in rows:
        if r.get("build") == build and r.get("n") == n and "patch" in r:
            try:
                v = f(r)
            except (KeyError, TypeError):
                continue
            if v is not None:
                xs.append(v)
    return statistics.median(xs) if xs else None
sizes = sorted({r["n"] for r in rows if "n" in r})
print()
print("| figure | " + " | ".join(f"{n}: before | {n}: after | ratio" for n in sizes) + " |")
print("| --- |" + " --- | --- | --- |" * len(sizes))
for name, f in FIELDS:
    cells = []
    for n in sizes:
        b, a = med("before", n, f), med("after", n, f)
        ratio = f"{a / b:.3g}×" if a is not None and b not in (None, 0) else "–"
        cells += ["–" if b is None else f"{b:g}", "–" if a is None else f"{a:g}", ratio]
    print(f"| {name} | " + " | ".join(cells) + " |")
EOF
