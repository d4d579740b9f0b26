#!/usr/bin/env bash
# bench/startup.sh — start-up, side by side in one run: `rbk check plans/emergency-rollback.rbk`
# against `kubectl version --client` (issue 13's yardstick: rbk's check of a seed plan in at most
# 1/30 of kubectl's time), plus `rbk --help` and /bin/true as the floor. With hyperfine installed
# the commands run in one hyperfine invocation (wall time, median and minimum of RUNS runs);
# otherwise a python loop runs every command RUNS times, alternating between them so that a change
# of load hits all alike. Then `perf stat -r` (else /usr/bin/time) gives each command's task-clock
# and page faults, and LD_DEBUG=libs the shared objects it initialises. With a static rbk, the
# dynamic rbk-full beside it is measured too.
# Usage: bench/startup.sh [path/to/rbk] [RUNS=60]   (another rbk to compare: RBK_OTHER=path)
set -euo pipefail
cd "$(dirname "$0")/.."
rbk=$(realpath "${1:-build/rbk}")
runs=${2:-60}
plan=plans/emergency-rollback.rbk
cmds=("$rbk check $plan" "$rbk --help" "/bin/true")
# Beside a static rbk (docs/architecture.md "The static front"): the dynamic rbk-full, the same
# objects linked as rbk was before the front.
full=$(dirname "$rbk")/rbk-full
[ -x "$full" ] && cmds=("${cmds[0]}" "$full check $plan" "${cmds[@]:1}")
[ -n "${RBK_OTHER:-}" ] && cmds=("$(realpath "$RBK_OTHER") check $plan" "${cmds[@]}")
if command -v kubectl >/dev/null; then cmds+=("kubectl version --client"); else echo "note: no kubectl: no yardstick"; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if command -v hyperfine >/dev/null; then
  hyperfine -N -w 5 -r "$runs" --export-json "$tmp/h.json" "${cmds[@]}" >/dev/null 2>&1
  python3 - "$tmp/h.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
med = {r["command"]: r["median"] * 1000 for r in rs}
yard = next((m for c, m in med.items() if c.startswith("kubectl")), None)
print(f"{'command (hyperfine, wall)':60} {'median ms':>10} {'min ms':>8} {'× kubectl':>10}")
for r in rs:
    c = r["command"]
    ratio = f"1/{yard / med[c]:.1f}" if yard else "-"
    print(f"{c[-60:]:60} {med[c]:10.2f} {r['min'] * 1000:8.2f} {ratio:>10}")
PY
else
  python3 - "$runs" "${cmds[@]}" <<'PY'
import statistics, subprocess, sys, time
runs, cmds = int(sys.argv[1]), sys.argv[2:]
times = {c: [] for c in cmds}
for c in cmds:  # warm the page cache
    subprocess.run(c.split(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(runs):
    for c in cmds:
        t = time.perf_counter()
        subprocess.run(c.split(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[c].append((time.perf_counter() - t) * 1000)
med = {c: statistics.median(v) for c, v in times.items()}
yard = next((m for c, m in med.items() if c.startswith("kubectl")), None)
print(f"{'command (python loop, wall)':60} {'median ms':>10} {'min ms':>8} {'× kubectl':>10}")
for c, v in times.items():
    ratio = f"1/{yard / med[c]:.1f}" if yard else "-"
    print(f"{c[-60:]:60} {med[c]:10.2f} {min(v):8.2f} {ratio:>10}")
PY
fi

echo
printf '%-60s %14s %12s %6s\n' command "task-clock ms" "page faults" libs
for c in "${cmds[@]}"; do
  clock=- faults=-
  # shellcheck disable=SC2086 # the command's words
  if command -v perf >/dev/null && perf stat -x, -r 20 -e task-clock,page-faults -o "$tmp/perf" $c >/dev/null 2>&1; then
    clock=$(awk -F, '$3 == "task-clock" { printf "%.2f", $1 }' "$tmp/perf")
    faults=$(awk -F, '$3 == "page-faults" { printf "%d", $1 }' "$tmp/perf")
  elif [ -x /usr/bin/time ]; then
    faults=$(/usr/bin/time -f %R $c 2>&1 >/dev/null | tail -1)
  fi
  # shellcheck disable=SC2086
  libs=$(LD_DEBUG=libs $c 2>&1 >/dev/null | grep -c 'calling init:' || true)
  label=$c
  [ ${#label} -le 60 ] || label=${label: -60}
  printf '%-60s %14s %12s %6s\n' "$label" "$clock" "$faults" "$libs"
done
