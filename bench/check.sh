#!/usr/bin/env bash
# Front-end benchmark: `rbk check` throughput and peak memory on generated 10 MB and 100 MB plans,
# and start-up time on a seed-sized plan. Usage: bench/check.sh [path/to/rbk]
set -euo pipefail
cd "$(dirname "$0")/.."
rbk=${1:-build/rbk}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for mb in 10 100; do
  python3 bench/gen_plan.py "$mb" > "$tmp/plan$mb.rbk"
  bytes=$(stat -c %s "$tmp/plan$mb.rbk")
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$rbk" check "$tmp/plan$mb.rbk" > /dev/null 2>&1 || {
    echo "check failed on the generated plan:"; "$rbk" check "$tmp/plan$mb.rbk" 2>&1 | head; exit 1; }
  read -r secs kb < "$tmp/time"
  python3 - "$mb" "$bytes" "$secs" "$kb" <<'PY'
import sys
mb, size, secs, kb = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
rate = size / 1e6 / secs if secs > 0 else float('inf')
print(f"check {mb:>3} MB plan: {secs:.3f} s, {rate:.1f} MB/s, peak RSS {kb/1024:.1f} MiB = {kb*1024/size:.1f}x source")
PY
done
seed=plans/emergency-rollback.rbk
[ -f "$seed" ] || seed=$tmp/plan10.rbk
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs 200 "$rbk check $seed" --export-json "$tmp/h.json" > /dev/null
  python3 -c "import json,sys; r=json.load(open('$tmp/h.json'))['results'][0]; print(f'start-up: rbk check $seed: mean {r[\"mean\"]*1000:.2f} ms, min {r[\"min\"]*1000:.2f} ms')"
fi
