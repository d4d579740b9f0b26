#!/usr/bin/env bash
# Every write is sent once: `rbk run` against `rbk sim` over plain HTTP through dropproxy.py, a
# loopback proxy that lets each write reach the server and be applied, then resets the
# connection instead of returning its answer (the first send of each METHOD PATH). The
# simulator's own request log must show each write applied exactly once (twice only where the
# plan said it is safe: idempotent:, idempotency_key:), the world must show the intended change
# once (an undo applied twice would roll forward again), and every run either succeeds or fails
# with "outcome unknown: …". Every mutating action kind that leaves the process is covered: the
# Kubernetes writes, exec (a WebSocket upgrade) and the endpoint writes (run and write_file are
# local).
# Usage: run.sh RBK SOURCE_DIR [FILTER]. Needs python3.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
command -v python3 > /dev/null || { echo "writes: python3 is missing"; exit 1; }
cd "$src/tests/writes" || exit 1
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

# Starts `rbk sim` (request log in $tmp/sim.log) and the proxy in front of it; sets SIM and PROXY.
start() {
  "$rbk" sim --scenario bad-release --speed 50 > "$tmp/sim.url" 2> "$tmp/sim.log" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$tmp/sim.url" ] && break; sleep 0.05; done
  SIM=$(head -1 "$tmp/sim.url")
  python3 dropproxy.py "${SIM##*:}" "$tmp/drops.log" 240 > "$tmp/proxy.url" 2> "$tmp/proxy.err" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$tmp/proxy.url" ] && break; sleep 0.05; done
  PROXY=$(head -1 "$tmp/proxy.url")
  # no credentials: they are never sent over plain http:// (the proxy speaks plain TCP)
  sim_kubeconfig "$tmp/kubeconfig" "$PROXY" 'user: {}'
}

# Runs writes.rbk with what=$1 (more -p in $2…) through the proxy; output in $tmp/$1.out.
run_what() {
  local what=$1
  shift
  timeout 120 "$rbk" run writes.rbk --kubeconfig "$tmp/kubeconfig" --no-lock --yes --journal "$tmp/$what.jsonl" \
    -p "what=$what" "$@" > "$tmp/$what.out" 2>&1
}

# Prints how many times the simulator received METHOD with a path ending in $2 (its log).
applied() {
  python3 - "$tmp/sim.log" "$1" "$2" << 'EOF'
import sys
log, method, suffix = sys.argv[1:4]
n = 0
for line in open(log, encoding="utf-8", errors="replace"):
    parts = line.split()
    if len(parts) >= 2 and parts[0] == method and parts[1].split("?")[0].endswith(suffix):
        n += 1
print(n)
EOF
}

# Prints the writes the simulator received more than once ("METHOD PATH ×N"), one per line.
repeated_writes() {
  python3 - "$tmp/sim.log" << 'EOF'
import collections, sys
seen = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    parts = line.split()
    if len(parts) >= 3 and parts[0] in ("POST", "PUT", "PATCH", "DELETE"):
        seen[parts[0] + " " + parts[1].split("?")[0]] += 1
for k, n in seen.items():
    if n > 1:
        print(f"{k} x{n}")
EOF
}

# Prints a field of the simulator's object at API path $1 (a Python expression on `o`: $2).
world() {
  python3 - "$SIM$1" "$2" << 'EOF'
import json, sys, urllib.request
o = json.load(urllib.request.urlopen(sys.argv[1], timeout=10))
print(eval(sys.argv[2]))
EOF
}

DEP=/apis/apps/v1/namespaces/greenlang/deployments
PROXIED=/api/v1/namespaces/greenlang/services/gl-001-process-heat-orchestrator:8000/proxy

test_kube_writes_once() {
  run_what kube
  local code=$?
  [ $code = 0 ] || { bad kube_writes_once "exit $code: $(tail -5 "$tmp/kube.out")"; return; }
  local w n
  for w in "PATCH $DEP/gl-001-process-heat-orchestrator" "PATCH $DEP/gl-002-boiler-efficiency" \
    "PATCH $DEP/gl-003-combustion-optimizer/scale" "PATCH $DEP/gl-004-emissions-control" "PATCH $DEP/gl-005-heat-recovery" \
    "PATCH $DEP/gl-006-waste-heat" "POST /api/v1/namespaces/greenlang/configmaps" \
    "PATCH /api/v1/namespaces/greenlang/configmaps/gl-001-config" "POST /api/v1/namespaces/greenlang/secrets" \
    "DELETE /api/v1/namespaces/greenlang/configmaps/writes-created" "POST /apis/batch/v1/namespaces/greenlang/jobs"; do
    grep -qxF "$w" "$tmp/drops.log" || { bad kube_writes_once "the proxy never lost the answer of $w"; return; }
    n=$(applied "${w%% *}" "${w#* }")
    [ "$n" = 1 ] || { bad kube_writes_once "$w reached the simulator $n times"; return; }
  done
  [ "$(world "$DEP/gl-001-process-heat-orchestrator" "o['spec']['template']['spec']['containers'][0]['image']")" = \
    gcr.io/greenlang/gl-001:1.4.2 ] || { bad kube_writes_once "the undo did not leave 1.4.2 live"; return; }
  [ "$(world "$DEP/gl-001-process-heat-orchestrator" "o['metadata']['annotations']['deployment.kubernetes.io/revision']")" = 14 ] ||
    { bad kube_writes_once "the undo made more than one revision"; return; }
  [ "$(world "$DEP/gl-003-combustion-optimizer" "o['spec']['replicas']")" = 3 ] || { bad kube_writes_once "scale"; return; }
  [ "$(world "$DEP/gl-006-waste-heat" "o['metadata']['annotations']['owner']")" = sre ] || { bad kube_writes_once "json patch"; return; }
  ok
}

# Checks one endpoint write: sent once, the run failed with the exact "outcome unknown" message.
endpoint_once() {
  local name=$1 what=$2 method=$3 path=$4
  shift 4
  run_what "$what" "$@"
  local code=$?
  [ $code = 1 ] || { bad "$name" "exit $code: $(tail -5 "$tmp/$what.out")"; return 1; }
  local want="${method,,} $method $path: outcome unknown: the request was sent and its answer was lost; check the state of"
  grep -qF "$want" "$tmp/$what.out" || { bad "$name" "no '$want' in: $(tail -3 "$tmp/$what.out")"; return 1; }
  grep -qF "before retrying" "$tmp/$what.out" || { bad "$name" "no 'before retrying'"; return 1; }
  local n
  n=$(applied "$method" "$path")
  [ "$n" = 1 ] || { bad "$name" "$method $path reached the simulator $n times"; return 1; }
}

# exec runs a command: a lost answer (the proxy resets the upgraded connection) is never sent
# again, and the run fails with "outcome unknown".
test_exec_once() {
  run_what exec
  local code=$? path=/api/v1/namespaces/greenlang/pods/postgresql-0/exec
  [ $code = 1 ] || { bad exec_once "exit $code: $(tail -5 "$tmp/exec.out")"; return; }
  grep -qxF "GET $path" "$tmp/drops.log" || { bad exec_once "the proxy never lost the answer of the exec"; return; }
  local want="exec pod/postgresql-0 -- psql -c select 1: outcome unknown: the command was sent and its answer was lost ("
  grep -qF "$want" "$tmp/exec.out" && grep -qF "; check what it did before retrying" "$tmp/exec.out" ||
    { bad exec_once "no '$want…' in: $(tail -3 "$tmp/exec.out")"; return; }
  [ "$(applied GET "$path")" = 1 ] || { bad exec_once "the exec reached the simulator $(applied GET "$path") times"; return; }
  ok
}

test_endpoint_post_once() {
  endpoint_once endpoint_post_once post POST /api/v1/plants/Plant-003/isolate || return
  [ "$(world "$PROXIED/api/v1/plants/Plant-003/status" "o['isolation_state']")" = isolated ] ||
    { bad endpoint_post_once "Plant-003 is not isolated: $(world "$PROXIED/api/v1/plants/Plant-003/status" "o")"; return; }
  ok
}

test_endpoint_put_once() { endpoint_once endpoint_put_once put PUT /api/v1/config/reload && ok; }
test_endpoint_delete_once() { endpoint_once endpoint_delete_once delete DELETE /api/v1/plants/Plant-003/isolate && ok; }
test_http_endpoint_post_once() {
  endpoint_once http_endpoint_post_once http_post POST /api/v1/config/reload -p "base=$PROXY$PROXIED" && ok
}

# Idempotent or keyed writes (isolate is idempotent in the plant model): the plan allowed the
# repeat, so the run succeeds after two sends.
test_endpoint_idempotent_repeated() {
  local what plant
  for what in post_idempotent post_keyed; do
    plant=Plant-001
    [ $what = post_keyed ] && plant=Plant-002
    run_what "$what" || { bad endpoint_idempotent_repeated "$what: exit $?: $(tail -3 "$tmp/$what.out")"; return; }
    local n
    n=$(applied POST "/api/v1/plants/$plant/isolate")
    [ "$n" = 2 ] || { bad endpoint_idempotent_repeated "$what: sent $n times, 2 expected"; return; }
    [ "$(world "$PROXIED/api/v1/plants/$plant/status" "o['isolation_state']")" = isolated ] ||
      { bad endpoint_idempotent_repeated "$plant is not isolated"; return; }
  done
  ok
}

# A keyed write that is not idempotent: the repeat after the lost answer carries the same
# Idempotency-Key, which the orchestrator (rbk sim) answers as the first time without applying it
# again (a second integrate would answer 409 Conflict).
test_endpoint_keyed_not_applied_twice() {
  run_what integrate_keyed || { bad endpoint_keyed_not_applied_twice "exit $?: $(tail -3 "$tmp/integrate_keyed.out")"; return; }
  [ "$(applied POST /api/v1/plants/Plant-002/integrate)" = 2 ] ||
    { bad endpoint_keyed_not_applied_twice "sent $(applied POST /api/v1/plants/Plant-002/integrate) times, 2 expected"; return; }
  ok
}

# stop_and_resume WHAT: runs writes.rbk with what=WHAT stopped right after its first mutating
# action_start (before it sends anything: its record number from a whole run first, whose answer
# the proxy loses), then resumes it; the resume's output in $tmp/WHAT.resumed, its exit code
# printed ("hook" when the hook did not stop the run).
stop_and_resume() {
  local what=$1 n
  run_what "$what"
  n=$(grep -n '"event":"action_start".*"mutating":true' "$tmp/$what.jsonl" | head -1 | cut -d: -f1)
  RBK_TEST_EXIT_AFTER_RECORDS=$n timeout 120 "$rbk" run writes.rbk --kubeconfig "$tmp/kubeconfig" --no-lock --yes \
    --journal "$tmp/$what.stopped.jsonl" -p "what=$what" > "$tmp/$what.stopped" 2>&1
  [ $? = 137 ] || { echo hook; return; }
  timeout 120 "$rbk" resume "$tmp/$what.stopped.jsonl" --kubeconfig "$tmp/kubeconfig" --no-lock --yes > "$tmp/$what.resumed" 2>&1
  echo $?
}

# A resumed run that finds an endpoint write or an exec in flight (the process stopped right after
# its action_start, before or after sending it) does not send it: outcome unknown.
test_in_flight_on_resume() {
  local code
  code=$(stop_and_resume post_inflight)
  local want="post POST /api/v1/plants/Plant-004/isolate: outcome unknown: the request was in flight when the previous run stopped and may have been sent; check the state of service gl-001-process-heat-orchestrator:8000 before retrying"
  [ "$code" = 1 ] && grep -qF "$want" "$tmp/post_inflight.resumed" ||
    { bad in_flight_on_resume "post: resume exit $code: $(tail -2 "$tmp/post_inflight.resumed")"; return; }
  # sent once, by the whole run (the stopped run and the resume sent nothing)
  [ "$(applied POST /api/v1/plants/Plant-004/isolate)" = 1 ] ||
    { bad in_flight_on_resume "post sent $(applied POST /api/v1/plants/Plant-004/isolate) times, 1 expected"; return; }
  local before
  before=$(applied GET /api/v1/namespaces/greenlang/pods/postgresql-0/exec)
  code=$(stop_and_resume exec_inflight)
  want="exec pod/postgresql-0 -- psql -c select 2: outcome unknown: the command was in flight when the previous run stopped and may have run; check what it did before retrying"
  [ "$code" = 1 ] && grep -qF "$want" "$tmp/exec_inflight.resumed" ||
    { bad in_flight_on_resume "exec: resume exit $code: $(tail -2 "$tmp/exec_inflight.resumed")"; return; }
  # once more, by the whole run only
  [ "$(applied GET /api/v1/namespaces/greenlang/pods/postgresql-0/exec)" = $((before + 1)) ] ||
    { bad in_flight_on_resume "the stopped run or the resume sent the exec"; return; }
  ok
}

test_every_other_write_once() {
  local rep
  rep=$(repeated_writes | grep -v "/plants/Plant-00[12]/isolate x\|/plants/Plant-002/integrate x")
  [ -z "$rep" ] || { bad every_other_write_once "$rep"; return; }
  ok
}

start
[ -n "$SIM" ] && [ -n "$PROXY" ] || { echo "writes: rbk sim or the proxy did not start"; cat "$tmp"/*.log "$tmp/proxy.err"; exit 1; }
t test_kube_writes_once
t test_exec_once
t test_endpoint_post_once
t test_endpoint_put_once
t test_endpoint_delete_once
t test_http_endpoint_post_once
t test_endpoint_idempotent_repeated
t test_endpoint_keyed_not_applied_twice
t test_in_flight_on_resume
t test_every_other_write_once
finish writes
