#!/usr/bin/env bash
# bench/startup.sh — start-up, side by side in one run: `rbk check plans/emergency-rollback.rbk`
# against `kubectl version --client` (issue 13's yardstick: rbk's check of a seed plan in at most
# 1/30 of kubectl's time), plus `rbk --help` and /bin/true as the floor. With hyperfine installed
# it runs them in one hyperfine invocation; otherwise a python loop runs every command RUNS times
# (default 40), alternating between them so that a change of load hits all alike, and reports the
# median and the minimum. Page faults (minor, /usr/bin/time -f %R, else getrusage) come from one
# extra run of each; the shared libraries each command maps, from LD_DEBUG=libs.
# Usage: bench/startup.sh [path/to/rbk] [RUNS]   (other rbk binaries to compare: RBK_OTHER=path)
set -euo pipefail
cd "$(dirname "$0")/.."
rbk=$(realpath "${1:-build/rbk}")
runs=${2:-40}
plan=plans/emergency-rollback.rbk
cmds=("$rbk check $plan" "$rbk --help" "/bin/true")
[ -n "${RBK_OTHER:-}" ] && cmds=("$(realpath "$RBK_OTHER") check $plan" "${cmds[@]}")
if command -v kubectl >/dev/null; then cmds+=("kubectl version --client"); else echo "note: no kubectl: no yardstick"; fi

if command -v hyperfine >/dev/null; then
  hyperfine -N -w 3 -r "$runs" "${cmds[@]}"
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
print(f"{'command':60} {'median ms':>10} {'min ms':>8} {'× kubectl':>10}")
for c, v in times.items():
    ratio = f"1/{yard / med[c]:.1f}" if yard else "-"
    print(f"{c[-60:]:60} {med[c]:10.2f} {min(v):8.2f} {ratio:>10}")
PY
fi

echo
printf '%-60s %12s %8s\n' command "page faults" "libs"
for c in "${cmds[@]}"; do
  # shellcheck disable=SC2086 # the command's words
  if [ -x /usr/bin/time ]; then
    faults=$(/usr/bin/time -f %R $c 2>&1 >/dev/null | tail -1)
  else
    faults=$(python3 -c 'import resource,subprocess,sys; subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt)' $c)
  fi
  # shellcheck disable=SC2086
  libs=$(LD_DEBUG=libs $c 2>&1 >/dev/null | grep -c 'calling init:' || true)
  label=$c
  [ ${#label} -le 60 ] || label=${label: -60}
  printf '%-60s %12s %8s\n' "$label" "$faults" "$libs"
done
