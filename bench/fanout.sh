#!/bin/bash
# bench/fanout.sh — the fleet-wide rollback of issue 16 against ONE `rbk sim`, rbk against
# bash + kubectl, on the same world in the same run.
#
# For each size N: starts one `rbk sim` (HTTPS on 127.0.0.1 with a throw-away certificate, or
# plain HTTP with TLS=0), creates N Deployments of 2 replicas in namespace `fanout` with curl
# (POST, image v1), then sets image v2 on each (strategic-merge PATCH): every deployment has
# revisions 1 and 2. Then, on that world, one after another:
#   before:  BEFORE_RBK run of `parallel for d in names { rollout_undo(d, timeout: 30s);
#            rollout_status(d, timeout: 5m) }` (journal, run lock and all);
#   after:   the same with AFTER_RBK;
#   kubectl: `kubectl rollout undo` && `kubectl rollout status` per deployment, P at a time
#            (xargs -P), the whole job under /usr/bin/time (CPU of every kubectl process).
# Each undo rolls to the previous revision, so every job has N real rollouts to do. Reported per
# job: wall, CPU user+sys, peak RSS (kubectl: of the largest process), CPU per action (2 per
# deployment), actions ok; rbk also under `perf stat` (task-clock, context switches, page
# faults). Last, on the same world, each rbk runs the plan once more with `rollout_status(d,
# timeout: 1s)`: it fails while most of its requests are in flight, and the time from its "run
# failed" line to the process's exit is reported (the run lock's release included; goal < 1 s).
# Everything talks to 127.0.0.1 only.
#
# Usage: bash bench/fanout.sh AFTER_RBK [BEFORE_RBK] [SIZES="50 1000"]
#   env: RUNS=3 (repetitions per size; medians are printed), SPEED=20 (sim --speed), P=32
#        (kubectl processes at once), TLS=1, KEEP=1 (keep the work directory).
set -u
AFTER=$(realpath "${1:?usage: fanout.sh AFTER_RBK [BEFORE_RBK] [SIZES]}")
BEFORE=${2:-}
[ -n "$BEFORE" ] && BEFORE=$(realpath "$BEFORE")
SIZES=${3:-"50 1000"}
RUNS=${RUNS:-3}
SPEED=${SPEED:-20}
P=${P:-32}
TLS=${TLS:-1}
T=$(mktemp -d /tmp/rbk-bench-fanout.XXXXXX)
SIM=
trap '[ -n "$SIM" ] && kill "$SIM" 2>/dev/null; [ "${KEEP:-0}" = 1 ] || rm -rf "$T"' EXIT
command -v kubectl >/dev/null || { echo "fanout.sh: kubectl is missing"; exit 1; }

# The world's scenario: namespace fanout, nothing in it, fast pods.
cat >"$T/scenario.json" <<'EOF'
{"name": "fanout", "description": "an empty namespace for bench/fanout.sh",
 "cluster": {"namespace": "fanout",
             "timing": {"schedule": "50ms", "pull": "150ms", "start": "100ms", "ready": "200ms", "stop": "200ms"}}}
EOF
if [ "$TLS" = 1 ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null ||
    { echo "fanout.sh: openssl cannot make a certificate"; exit 1; }
  SIM_TLS=(--tls-cert "$T/cert.pem" --tls-key "$T/key.pem")
else
  SIM_TLS=()
fi

# start_world N DIR: starts the simulator and fills it; writes DIR/kubeconfig, DIR/names.
start_world() {
  local n=$1 dir=$2 url
  mkdir -p "$dir"
  "$AFTER" sim --scenario "$T/scenario.json" --speed "$SPEED" --quiet "${SIM_TLS[@]}" >"$dir/url" 2>"$dir/sim.err" &
  SIM=$!
  for _ in $(seq 100); do [ -s "$dir/url" ] && break; sleep 0.1; done
  url=$(head -1 "$dir/url")
  [ -n "$url" ] || { echo "rbk sim did not start: $(cat "$dir/sim.err")"; exit 1; }
  if [ "$TLS" = 1 ]; then
    printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster: {server: "%s", certificate-authority: "%s"}\ncontexts:\n- name: sim\n  context: {cluster: sim, user: bench, namespace: fanout}\ncurrent-context: sim\nusers:\n- name: bench\n  user: {token: bench}\n' \
      "$url" "$T/cert.pem" >"$dir/kubeconfig"
  else
    printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster: {server: "%s"}\ncontexts:\n- name: sim\n  context: {cluster: sim, user: bench, namespace: fanout}\ncurrent-context: sim\nusers:\n- name: bench\n  user: {token: bench}\n' \
      "$url" >"$dir/kubeconfig"
  fi
  python3 - "$dir" "$url" "$n" "$TLS" "$T/cert.pem" <<'EOP'
import json, sys
d, url, n, tls, ca = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
q = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
names = ["app-%04d" % i for i in range(1, n + 1)]
open(d + "/names", "w").write("".join(x + "\n" for x in names))
def group(method, path, ctype, body):
    lines = ["url = " + q(url + path), "request = " + q(method), "header = " + q("Content-Type: " + ctype),
             "data = " + q(json.dumps(body)), 'output = "/dev/null"', "fail"]
    if tls:
        lines.append("cacert = " + q(ca))
    return "\n".join(lines) + "\n"
def deployment(x):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": x},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": x}},
                     "template": {"metadata": {"labels": {"app": x}},
                                  "spec": {"containers": [{"name": "app", "image": "registry.local/app:v1"}]}}}}
v2 = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "registry.local/app:v2"}]}}}}
# "next" separates the URLs' option groups (one after the last would be a URL-less group)
with open(d + "/create.cfg", "w") as f:
    f.write("next\n".join(group("POST", "/apis/apps/v1/namespaces/fanout/deployments", "application/json", deployment(x))
                          for x in names))
with open(d + "/patch.cfg", "w") as f:
    f.write("next\n".join(group("PATCH", "/apis/apps/v1/namespaces/fanout/deployments/" + x,
                                "application/strategic-merge-patch+json", v2) for x in names))
EOP
  local t0=$SECONDS
  curl -sS --no-progress-meter --parallel --parallel-max 16 -K "$dir/create.cfg" >/dev/null 2>"$dir/curl.err" ||
    { echo "creating the deployments failed: $(tail -3 "$dir/curl.err")"; exit 1; }
  curl -sS --no-progress-meter --parallel --parallel-max 16 -K "$dir/patch.cfg" >/dev/null 2>"$dir/curl.err" ||
    { echo "setting image v2 failed: $(tail -3 "$dir/curl.err")"; exit 1; }
  echo "world: $n deployments created and updated in $((SECONDS - t0)) s"
}

stop_world() {
  kill "$SIM" 2>/dev/null
  timeout 10 tail --pid="$SIM" -f /dev/null || kill -9 "$SIM" 2>/dev/null
  SIM=
}

# write_plan DIR: the rollback plan over DIR/names.
write_plan() {
  local dir=$1
  {
    echo 'runbook "fanout-rollback" {'
    echo '  title = "roll back every deployment of namespace fanout"'
    echo '}'
    echo 'let cluster = kube(namespace: "fanout")'
    printf 'let names = ['
    sed 's/.*/"&"/' "$dir/names" | paste -sd, -
    echo ']'
    echo 'step "roll back" {'
    echo '  parallel for d in names {'
    echo '    cluster.rollout_undo("deployment/${d}", timeout: 30s)'
    echo '    cluster.rollout_status("deployment/${d}", timeout: 5m)'
    echo '  }'
    echo '}'
  } >"$dir/rollback.rbk"
}

# write_fail_plan DIR: the same plan whose status waits time out after 1 s: a run that fails with
# most of its requests in flight.
write_fail_plan() {
  sed 's/timeout: 5m)/timeout: 1s)/' "$1/rollback.rbk" >"$1/fail.rbk"
}

# run_fail LABEL RBK DIR: appends "fail-LABEL n gap_s rc from_first_s" to $T/results: the seconds
# from the "run failed" line to the exit, and from the first failure's line (✗) to the exit. It
# first lets the simulator finish the rollouts an earlier failed run left behind (10 s).
run_fail() {
  local label=$1 rbk=$2 dir=$3 n
  n=$(wc -l <"$dir/names")
  sleep 10
  (cd "$dir" && python3 - "$rbk" "$label" >"fail-$label.txt" <<'EOP'
import subprocess, sys, time
rbk, label = sys.argv[1:3]
p = subprocess.Popen([rbk, "run", "fail.rbk", "--kubeconfig", "kubeconfig", "--journal", "j-fail-" + label + "/"],
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
failed_at = first = None
for line in p.stdout:
    if "run failed" in line and failed_at is None:
        failed_at = time.monotonic()
    if "\u2717" in line and first is None:
        first = time.monotonic()
code = p.wait()
end = time.monotonic()
print("%.3f %d %.3f" % (end - failed_at if failed_at else -1, code, end - first if first else -1))
EOP
  )
  echo "fail-$label $n $(cat "$dir/fail-$label.txt")" >>"$T/results"
}

# run_rbk LABEL RBK DIR: one rbk run; appends "LABEL n user sys rss_kb wall ok rc task_ms ctxsw faults" to $T/results.
run_rbk() {
  local label=$1 rbk=$2 dir=$3 n rc ok
  n=$(wc -l <"$dir/names")
  (cd "$dir" && perf stat -x, -o "perf-$label.txt" -e task-clock,context-switches,page-faults \
    /usr/bin/time -o "time-$label.txt" -f "%U %S %M %e" \
    "$rbk" run rollback.rbk --kubeconfig kubeconfig --journal "j-$label/" --output json >"run-$label.json" 2>"run-$label.err")
  rc=$?
  ok=$(grep -c '"event":"action_end".*"status":"ok"' "$dir/run-$label.json")
  read -r u s m w < <(tail -1 "$dir/time-$label.txt")
  local tc cs pf
  tc=$(awk -F, '$3 ~ /task-clock/ {print $1}' "$dir/perf-$label.txt")
  cs=$(awk -F, '$3 ~ /context-switches/ {print $1}' "$dir/perf-$label.txt")
  pf=$(awk -F, '$3 ~ /page-faults/ {print $1}' "$dir/perf-$label.txt")
  echo "$label $n $u $s $m $w $ok $rc ${tc:-0} ${cs:-0} ${pf:-0}" >>"$T/results"
  [ "$rc" = 0 ] || echo "  $label: exit $rc: $(tail -1 "$dir/run-$label.err")"
}

# run_kubectl DIR: the same job with kubectl, P at a time.
run_kubectl() {
  local dir=$1 n rc ok
  n=$(wc -l <"$dir/names")
  export KUBECONFIG="$dir/kubeconfig"
  kubectl get deployments -o name >/dev/null # warms the discovery cache
  /usr/bin/time -o "$dir/time-kubectl.txt" -f "%U %S %M %e" \
    xargs -P "$P" -I{} sh -c 'kubectl rollout undo deployment/{} && kubectl rollout status deployment/{} --timeout=5m' \
    <"$dir/names" >"$dir/kubectl.out" 2>&1
  rc=$?
  ok=$(( $(grep -c "rolled back" "$dir/kubectl.out") + $(grep -c "successfully rolled out" "$dir/kubectl.out") ))
  read -r u s m w < <(tail -1 "$dir/time-kubectl.txt")
  echo "kubectl $n $u $s $m $w $ok $rc 0 0 0" >>"$T/results"
  unset KUBECONFIG
}

: >"$T/results"
for n in $SIZES; do
  for r in $(seq "$RUNS"); do
    d="$T/n$n-r$r"
    start_world "$n" "$d"
    write_plan "$d"
    [ -n "$BEFORE" ] && run_rbk before "$BEFORE" "$d"
    run_rbk after "$AFTER" "$d"
    run_kubectl "$d"
    write_fail_plan "$d"
    [ -n "$BEFORE" ] && run_fail before "$BEFORE" "$d"
    run_fail after "$AFTER" "$d"
    stop_world
  done
done

python3 - "$T/results" <<'EOP'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
failrows = [r for r in rows if r[0].startswith("fail-")]
rows = [r for r in rows if not r[0].startswith("fail-")]
groups = {}
for r in rows:
    groups.setdefault((int(r[1]), r[0]), []).append(r)
print("| N | job | runs | wall s | CPU s (user+sys) | CPU per action | peak RSS | actions ok | task-clock ms | ctx switches | page faults |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
order = {"before": 0, "after": 1, "kubectl": 2}
for (n, job) in sorted(groups, key=lambda k: (k[0], order.get(k[1], 9))):
    g = groups[(n, job)]
    med = lambda i: statistics.median(float(x[i]) for x in g)
    cpu = statistics.median(float(x[2]) + float(x[3]) for x in g)
    oks = "/".join(x[6] for x in g)
    fails = sum(1 for x in g if x[7] != "0")
    rss = med(4) / 1024
    extra = ("%.0f | %.0f | %.0f" % (med(8), med(9), med(10))) if job != "kubectl" else "- | - | -"
    print("| %d | %s | %d%s | %.2f | %.2f | %.3f ms | %.1f MiB%s | %s of %d | %s |"
          % (n, job, len(g), " (%d failed)" % fails if fails else "", med(5), cpu, cpu / (2 * n) * 1000, rss,
             " (largest process)" if job == "kubectl" else "", oks, 2 * n, extra))
fg = {}
for r in failrows:
    fg.setdefault((int(r[1]), r[0][5:]), []).append(r)
if fg:
    print()
    print("| N | job | runs | a failed run: from 'run failed' to exit (median, max) | from the first failure to exit (median, max) | exit codes |")
    print("| ---: | --- | ---: | ---: | ---: | --- |")
    for (n, job) in sorted(fg, key=lambda k: (k[0], order.get(k[1], 9))):
        g = fg[(n, job)]
        def gap(i):
            v = [float(x[i]) for x in g if float(x[i]) >= 0]
            return "%.3f s, %.3f s" % (statistics.median(v), max(v)) if v else "the run did not fail"
        print("| %d | %s | %d | %s | %s | %s |" % (n, job, len(g), gap(2), gap(4), "/".join(x[3] for x in g)))
EOP
