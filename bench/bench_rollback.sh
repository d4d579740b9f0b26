#!/bin/bash
# bench/bench_rollback.sh — rolling back N deployments in parallel against `rbk sim` over plain
# HTTP on loopback, the rbk way and the status-quo way, in one run:
#   rbk:     one `rbk run` of a plan with `parallel for … max N { rollout_undo; rollout_status }`
#            (journal, run lock and all), measured with /usr/bin/time: user+sys CPU per action,
#            peak RSS, wall time — against the simulator's own critical path (one rollback alone);
#   kubectl: bash `&` with one `kubectl rollout undo` + `kubectl rollout status` per deployment
#            for KN deployments (1,000 kubectl processes at once are more than 2 cores carry, so
#            KN defaults to 100 and the CPU is extrapolated per action), CPU of every process
#            and the peak of their summed RSS.
# The deployments are spread over S simulators (S/N per world; see bench_rollback_gen.py).
# Usage: bash bench/bench_rollback.sh <rbk binary> [N=1000] [S=200] [KN=100]
set -u
RBK=$(realpath "${1:?usage: bench_rollback.sh <rbk binary> [N] [S] [KN]}")
N=${2:-1000}
S=${3:-200}
KN=${4:-100}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/rbk-bench-rollback.XXXXXX)
SIMS=()

stop_sims() {
  for p in "${SIMS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${SIMS[@]}"; do timeout 10 tail --pid="$p" -f /dev/null || kill -9 "$p" 2>/dev/null; done
  SIMS=()
}
trap 'stop_sims; rm -rf "$T"' EXIT

# start_world DIR: starts one simulator per DIR/scenario-KK.json; writes DIR/kubeconfig with a
# context sim-KK (namespace bench, no credentials) per simulator.
start_world() {
  local dir=$1 f k
  for f in "$dir"/scenario-*.json; do
    k=$(basename "$f" .json); k=${k#scenario-}
    "$RBK" sim --scenario "$f" --quiet >"$dir/url-$k" 2>"$dir/sim-$k.log" &
    SIMS+=($!)
  done
  for f in "$dir"/scenario-*.json; do
    k=$(basename "$f" .json); k=${k#scenario-}
    for _ in $(seq 300); do [ -s "$dir/url-$k" ] && break; sleep 0.1; done
    [ -s "$dir/url-$k" ] || { echo "rbk sim for $f did not start"; exit 1; }
  done
  python3 - "$dir" <<'EOP'
import glob, json, os, sys
d = sys.argv[1]
sims = sorted(os.path.basename(p)[4:] for p in glob.glob(d + "/url-*"))
conf = {"apiVersion": "v1", "kind": "Config", "current-context": "sim-" + sims[0],
        "users": [{"name": "bench", "user": {}}],
        "clusters": [{"name": "sim-" + k, "cluster": {"server": open(d + "/url-" + k).readline().strip()}} for k in sims],
        "contexts": [{"name": "sim-" + k, "context": {"cluster": "sim-" + k, "user": "bench", "namespace": "bench"}}
                     for k in sims]}
json.dump(conf, open(d + "/kubeconfig", "w"), indent=1)
EOP
}

# ok_actions FILE: the number of action_end events with status ok in a JSON-lines run.
ok_actions() { grep -c '"event":"action_end".*"status":"ok"' "$1"; }

# --- the simulator's critical path: one rollback alone ---
python3 "$HERE/bench_rollback_gen.py" "$T/one" 1 1
start_world "$T/one"
(cd "$T/one" && "$RBK" run rollback.rbk --kubeconfig kubeconfig --journal j/ --output json --details >run.json 2>run.err)
CP=$(python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
print(sum(e.get("duration_ms", 0) for e in d if e.get("event") == "action_end"))' "$T/one/run.json")
stop_sims

# --- rbk: N rollbacks in one plan ---
python3 "$HERE/bench_rollback_gen.py" "$T/rbk" "$N" "$S"
start_world "$T/rbk"
(cd "$T/rbk" && /usr/bin/time -o time.txt -f "%U %S %M %e" "$RBK" run rollback.rbk --kubeconfig kubeconfig \
  --journal j/ --output json >run.json 2>run.err)
RC=$?
read -r RU RS RM RW < <(tail -1 "$T/rbk/time.txt")
ROK=$(ok_actions "$T/rbk/run.json")
[ "$RC" -eq 0 ] || { echo "rbk run failed (exit $RC):"; tail -3 "$T/rbk/run.err"; }
stop_sims

# --- kubectl: KN rollbacks, one undo + one status process per deployment ---
KS=$(( (S * KN + N - 1) / N ))
python3 "$HERE/bench_rollback_gen.py" "$T/kubectl" "$KN" "$KS"
start_world "$T/kubectl"
KC="$T/kubectl/kubeconfig"
for c in $(cut -d' ' -f1 "$T/kubectl/targets.txt" | sort -u); do   # warm the discovery caches
  kubectl --kubeconfig "$KC" --context "$c" --cache-dir "$T/kcache-$c" get deployments -o name >/dev/null
done
cat >"$T/kubectl/rollback.sh" <<EOS
while read -r c name; do
  ( kubectl --kubeconfig "$KC" --context "\$c" --cache-dir "$T/kcache-\$c" rollout undo "deployment/\$name" &&
    kubectl --kubeconfig "$KC" --context "\$c" --cache-dir "$T/kcache-\$c" rollout status "deployment/\$name" --timeout=10m
  ) >>"$T/kubectl/out.txt" 2>&1 &
done <"$T/kubectl/targets.txt"
wait
EOS
( peak=0; while [ ! -e "$T/kubectl/done" ]; do
    s=$(ps -C kubectl -o rss= | awk '{s += $1} END {print s + 0}'); [ "$s" -gt "$peak" ] && peak=$s
    echo "$peak" >"$T/kubectl/peak"; sleep 0.1; done ) &
SAMPLER=$!
/usr/bin/time -o "$T/kubectl/time.txt" -f "%U %S %M %e" bash "$T/kubectl/rollback.sh"
touch "$T/kubectl/done"; wait $SAMPLER
read -r KU KSYS KM KW < <(tail -1 "$T/kubectl/time.txt")
KPEAK=$(cat "$T/kubectl/peak")
KOK=$(grep -c "successfully rolled out" "$T/kubectl/out.txt")
KUNDO=$(grep -c "rolled back" "$T/kubectl/out.txt")
stop_sims

python3 - "$N" "$RU" "$RS" "$RM" "$RW" "$ROK" "$CP" "$KN" "$KU" "$KSYS" "$KM" "$KW" "$KOK" "$KUNDO" "$KPEAK" "$S" <<'EOP'
import sys
a = sys.argv[1:]
n, ru, rs, rm, rw, rok, cp = int(a[0]), float(a[1]), float(a[2]), int(a[3]), float(a[4]), int(a[5]), int(a[6])
kn, ku, ks, km, kw, kok, kundo, kpeak, s = int(a[7]), float(a[8]), float(a[9]), int(a[10]), float(a[11]), int(a[12]), int(a[13]), int(a[14]), int(a[15])
r_cpu = (ru + rs) / (2 * n) * 1000
k_cpu = (ku + ks) / (2 * kn) * 1000
print("rbk:     %d deployments, %d/%d actions ok, CPU %.2f s user + %.2f s sys = %.3f ms per action, "
      "peak RSS %.1f MiB, wall %.1f s" % (n, rok, 2 * n, ru, rs, r_cpu, rm / 1024, rw))
print("sim:     critical path of one rollback alone (undo + status): %d ms; %d worlds of %d" % (cp, s, (n + s - 1) // s))
print("kubectl: %d deployments, %d undone, %d rolled out, CPU %.2f s user + %.2f s sys = %.1f ms per action "
      "(x%d: %.0f s for %d), peak RSS %.1f MiB per process, %.0f MiB all processes, wall %.1f s"
      % (kn, kundo, kok, ku, ks, k_cpu, n // kn, (ku + ks) * n / kn, n, km / 1024, kpeak / 1024, kw))
ratio = k_cpu / r_cpu if r_cpu else float("inf")
print("rbk CPU per action = 1/%.0f of kubectl's (goal: at most 1/100); rbk peak %.1f MiB (goal: at most 64 MiB)"
      % (ratio, rm / 1024))
ok = rok == 2 * n and kok == kn and ratio >= 100 and rm <= 64 * 1024
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
EOP
