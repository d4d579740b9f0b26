#!/usr/bin/env bash
# Front-end benchmark: `rbk check` throughput and peak memory on generated 10 MB and 100 MB plans,
# and start-up time on a seed-sized plan. Each size runs RUNS times (default 3): the machine is
# shared, so the best run is the figure and the median shows the spread. With RBK_BENCH_CALLGRIND=1
# it also counts instructions per source byte (valgrind's callgrind, repeatable under load) on the
# 10 MB plan. Usage: bench/check.sh [path/to/rbk] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
rbk=${1:-build/rbk}
runs=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for mb in 10 100; do
  python3 bench/gen_plan.py "$mb" > "$tmp/plan$mb.rbk"
  python3 - "$rbk" "$tmp/plan$mb.rbk" "$mb" "$runs" <<'PY'
import os, resource, statistics, subprocess, sys, time
rbk, plan, mb, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
size = os.path.getsize(plan)
secs, peak_kb = [], 0
for _ in range(runs):
    start = time.perf_counter()
    rc = subprocess.run([rbk, "check", plan], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    secs.append(time.perf_counter() - start)
    if rc != 0:
        sys.exit(f"check failed on the generated plan {plan} (exit {rc})")
    peak_kb = max(peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
secs.sort()
best, median = secs[0], statistics.median(secs)
rate = lambda s: size / 1e6 / s
print(f"check {mb:>3} MB plan: best {best:.3f} s = {rate(best):.1f} MB/s (median {median:.3f} s = "
      f"{rate(median):.1f} MB/s, {runs} runs), peak RSS {peak_kb / 1024:.1f} MiB = {peak_kb * 1024 / size:.1f}x source")
PY
done
if [ "${RBK_BENCH_CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$rbk" check "$tmp/plan10.rbk" > /dev/null 2> "$tmp/cg.log" || true
  ir=$(grep -o 'refs: *[0-9,]*' "$tmp/cg.log" | tr -dc 0-9)
  echo "callgrind: $ir instructions for $(stat -c %s "$tmp/plan10.rbk") bytes = $((ir / $(stat -c %s "$tmp/plan10.rbk"))) per byte"
fi
seed=plans/emergency-rollback.rbk
[ -f "$seed" ] || seed=$tmp/plan10.rbk
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs 200 "$rbk check $seed" --export-json "$tmp/h.json" > /dev/null 2>&1
  python3 -c "import json,sys; r=json.load(open('$tmp/h.json'))['results'][0]; print(f'start-up: rbk check $seed: mean {r[\"mean\"]*1000:.2f} ms, median {r[\"median\"]*1000:.2f} ms, min {r[\"min\"]*1000:.2f} ms')"
fi
