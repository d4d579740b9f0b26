#!/bin/bash
# tests/actions/run.sh — `rbk run` with real actions (libcurl, kubeconfig, the run lock) against
# `rbk sim` over HTTPS with a throwaway CA and a bearer token:
#  - the cross-check: two simulators with the same scenario and seed; kubectl applies undo,
#    undo --to-revision, restart, scale and three kinds of patch to one, `rbk run` to the other;
#    their Deployments and ReplicaSets must then be equal (uids, resourceVersions, timestamps
#    aside — normalize.py);
#  - credentials and TLS: a wrong token (exit 1, Unauthorized), no CA (a certificate error naming
#    the server), a client certificate, a tokenFile, --context, KUBECONFIG;
#  - flaky-api: reads survive injected 5xx/429 and dropped connections, the rollback is applied
#    exactly once;
#  - the run lock: a second concurrent run is refused naming the holder, --steal-lock refuses a
#    live lock and takes an expired one, --no-lock runs anyway, the lock is released at the end.
# Usage: bash run.sh <rbk binary> <source dir>
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sim.sh"
HERE=$src/tests/actions
TOKEN=$SIM_TOKEN

# start_sim NAME SCENARIO: starts a server (seed 5, speed 20); writes $tmp/NAME.kubeconfig.
start_sim() {
  sim_start "$1" "$2" --seed 5 --speed 20
  sim_kubeconfig "$tmp/$1.kubeconfig" "$SIM_URL" "user: {token: \"$TOKEN\"}" "certificate-authority: \"$tmp/ca.crt\""
}

# kc NAME ARGS…: kubectl against simulator NAME.
kc() {
  local name=$1; shift
  timeout 60 kubectl --kubeconfig "$tmp/$name.kubeconfig" --cache-dir "$tmp/cache-$name" "$@"
}

# rbk_run OUT PLAN ARGS…: rbk run with a journal in $tmp; stdout to OUT.out, stderr to OUT.err.
rbk_run() {
  local out=$1 plan=$2; shift 2
  timeout 120 "$rbk" run "$HERE/$plan" --journal "$tmp/journals/" --no-prompt "$@" >"$tmp/$out.out" 2>"$tmp/$out.err"
}

# expect_run NAME RC PATTERN OUT PLAN ARGS…: rbk run exits RC and its stderr matches PATTERN.
expect_run() {
  local name=$1 want=$2 pat=$3 out=$4; shift 4
  rbk_run "$out" "$@"
  local rc=$?
  if [ "$rc" -eq "$want" ] && { [ -z "$pat" ] || grep -Eq -- "$pat" "$tmp/$out.err"; }; then ok "$name"
  else bad "$name" "rc=$rc (wanted $want), wanted /$pat/ in stderr: $(cat "$tmp/$out.err" "$tmp/$out.out")"; fi
}

# state NAME: the normalised Deployments and ReplicaSets of simulator NAME.
state() { kc "$1" get deployments,replicasets -o json | python3 "$HERE/normalize.py"; }

# same_state NAME: both simulators hold the same objects (polled while pods settle).
same_state() {
  for _ in $(seq 20); do
    state kctl >"$tmp/a.json" && state rbk >"$tmp/b.json" && cmp -s "$tmp/a.json" "$tmp/b.json" && break
    sleep 0.5
  done
  if cmp -s "$tmp/a.json" "$tmp/b.json"; then ok "$1"; else bad "$1" "$(diff "$tmp/a.json" "$tmp/b.json" | head -30)"; fi
}

# cross NAME DEPLOYMENT RBK_PARAMS… -- KUBECTL_ARGS…: one operation on both sides, then compare.
cross() {
  local name=$1 dep=$2; shift 2
  local params=()
  while [ "$1" != "--" ]; do params+=(-p "$1"); shift; done
  shift
  local kout rc
  kout=$(kc kctl "$@" 2>&1 && kc kctl rollout status "deployment/$dep" --timeout=120s 2>&1)
  rc=$?
  [ $rc -eq 0 ] || bad "$name: kubectl" "$kout"
  rbk_run "cross-$dep" crosscheck.rbk --kubeconfig "$tmp/rbk.kubeconfig" -p "deployment=$dep" "${params[@]}"
  rc=$?
  [ $rc -eq 0 ] || bad "$name: rbk run" "rc=$rc: $(cat "$tmp/cross-$dep.err" "$tmp/cross-$dep.out")"
  same_state "$name: kubectl and rbk run leave the same Deployments and ReplicaSets"
}

start_sim kctl bad-release
start_sim rbk bad-release
[ -s "$tmp/kctl.url" ] && [ -s "$tmp/rbk.url" ] || { echo "rbk sim did not start"; cat "$tmp"/*.log; bad "rbk sim starts"; finish; exit 1; }
URL=$(head -1 "$tmp/rbk.url")

# --- the cross-check ---
same_state "both simulators start equal"
cross "rollout undo" gl-001-process-heat-orchestrator op=undo -- rollout undo deployment/gl-001-process-heat-orchestrator
cross "rollout undo --to-revision" gl-002-boiler-efficiency op=undo to_revision=6 -- \
  rollout undo deployment/gl-002-boiler-efficiency --to-revision=6
cross "rollout restart" gl-003-combustion-optimizer op=restart -- rollout restart deployment/gl-003-combustion-optimizer
cross "scale" gl-004-emissions-control op=scale replicas=4 -- scale deployment/gl-004-emissions-control --replicas=4
ENV_PATCH='{"spec":{"template":{"spec":{"containers":[{"name":"gl-005","env":[{"name":"LOG_LEVEL","value":"debug"}]}]}}}}'
cross "patch (strategic)" gl-005-heat-recovery op=patch "body=$ENV_PATCH" -- \
  patch deployment/gl-005-heat-recovery -p "$ENV_PATCH"
LABEL_PATCH='{"metadata":{"labels":{"incident":"inc-42"}},"spec":{"minReadySeconds":2}}'
cross "patch (merge)" gl-006-waste-heat op=patch "body=$LABEL_PATCH" patch_type=merge -- \
  patch deployment/gl-006-waste-heat --type merge -p "$LABEL_PATCH"
JSON_PATCH='[{"op":"replace","path":"/spec/revisionHistoryLimit","value":5},{"op":"add","path":"/metadata/annotations/owner","value":"sre"}]'
cross "patch (json)" gl-012-steam-system op=patch "body=$JSON_PATCH" patch_type=json -- \
  patch deployment/gl-012-steam-system --type json -p "$JSON_PATCH"
cross "rollout undo again (back to the bad release)" gl-001-process-heat-orchestrator op=undo -- \
  rollout undo deployment/gl-001-process-heat-orchestrator

# --- credentials and TLS ---
sim_kubeconfig "$tmp/wrong.kubeconfig" "$URL" 'user: {token: "not-the-token"}' "certificate-authority: \"$tmp/ca.crt\""
expect_run "a wrong token: exit 1, Unauthorized" 1 "Unauthorized" wrong lock.rbk --kubeconfig "$tmp/wrong.kubeconfig" -p hold=0s
if grep -q "not-the-token" "$tmp/wrong.err" "$tmp/wrong.out" "$tmp"/journals/*.jsonl; then bad "the token is never printed or journaled"
else ok "the token is never printed or journaled"; fi
sim_kubeconfig "$tmp/noca.kubeconfig" "$URL" "user: {token: \"$TOKEN\"}"
expect_run "no CA: a certificate verification error naming the server" 1 "certificate.*\($URL\)" noca lock.rbk \
  --kubeconfig "$tmp/noca.kubeconfig" -p hold=0s
sim_kubeconfig "$tmp/cert.kubeconfig" "$URL" "user: {client-certificate: \"$tmp/client.crt\", client-key: \"$tmp/client.key\"}" \
  "certificate-authority: \"$tmp/ca.crt\""
expect_run "a client certificate authenticates (mutual TLS, no token)" 0 "" cert lock.rbk \
  --kubeconfig "$tmp/cert.kubeconfig" -p hold=0s
printf '%s\n' "$TOKEN" >"$tmp/token"
sim_kubeconfig "$tmp/tokenfile.kubeconfig" "$URL" "user: {tokenFile: \"$tmp/token\"}" "certificate-authority: \"$tmp/ca.crt\""
expect_run "a tokenFile authenticates" 0 "" tokenfile lock.rbk --kubeconfig "$tmp/tokenfile.kubeconfig" -p hold=0s
cat >"$tmp/two.kubeconfig" <<EOK
apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster: {server: "$URL", certificate-authority: "$tmp/ca.crt"}
contexts:
- name: stale
  context: {cluster: sim, user: stale, namespace: greenlang}
- name: good
  context: {cluster: sim, user: good, namespace: greenlang}
current-context: stale
users:
- name: stale
  user: {token: "expired-token"}
- name: good
  user: {token: "$TOKEN"}
EOK
expect_run "the current context's user is refused" 1 "Unauthorized" ctx-stale lock.rbk --kubeconfig "$tmp/two.kubeconfig" -p hold=0s
expect_run "--context picks another context" 0 "" ctx-good lock.rbk --kubeconfig "$tmp/two.kubeconfig" --context good \
  -p hold=0s
expect_run "--context names a missing context" 1 'context "nope" does not exist' ctx-nope lock.rbk \
  --kubeconfig "$tmp/two.kubeconfig" --context nope -p hold=0s
KUBECONFIG="$tmp/missing.yaml:$tmp/rbk.kubeconfig:$tmp/wrong.kubeconfig" \
  expect_run "KUBECONFIG: missing files skipped, the first definition wins" 0 "" env lock.rbk -p hold=0s

# --- flaky-api: reads survive, the rollback is applied once ---
start_sim flaky flaky-api
expect_run "flaky-api: reads survive and the rollback succeeds" 0 "" flaky flaky.rbk --kubeconfig "$tmp/flaky.kubeconfig"
D=/apis/apps/v1/namespaces/greenlang/deployments/gl-001-process-heat-orchestrator
faults=$(grep -cE '^(GET|POST|PUT|PATCH|DELETE) /apis?/.* (500|503|429|0) ' "$tmp/flaky.log")
if [ "$faults" -gt 0 ]; then ok "flaky-api: faults were injected ($faults)"; else bad "flaky-api: no fault was injected"; fi
expect_eq "flaky-api: exactly one PATCH of the deployment was applied" "1" \
  "$(grep -cE "^PATCH $D 200 " "$tmp/flaky.log")"
for _ in 1 2 3 4 5; do
  img=$(kc flaky get deployment gl-001-process-heat-orchestrator -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision} {.spec.template.spec.containers[0].image}' 2>/dev/null) && break
done
expect_eq "flaky-api: one rollback (revision 14, the 1.4.2 image)" "14 gcr.io/greenlang/gl-001:1.4.2" "$img"

# --- the run lock ---
start_sim lock bad-release
LK=(--kubeconfig "$tmp/lock.kubeconfig")
rbk_run holder lock.rbk "${LK[@]}" -p hold=6s --operator alice --run-id run-one &
HOLDER=$!
for _ in $(seq 50); do kc lock get lease rbk-actions-lock >/dev/null 2>&1 && break; sleep 0.1; done
expect_eq "the first run holds Lease rbk-actions-lock (holder: operator@host/run-id, pid, boot id)" \
  "alice@$(hostname)/run-one pid=N boot=$(cat /proc/sys/kernel/random/boot_id)" \
  "$(kc lock get lease rbk-actions-lock -o jsonpath='{.spec.holderIdentity}' 2>&1 | sed -E 's/pid=[0-9]+/pid=N/')"
expect_run "a second run is refused, naming the holder and since when" 1 \
  "run lock rbk-actions-lock is held by alice@[^ ]+/run-one pid=[0-9]+ boot=[0-9a-f-]+ since [0-9-]+T[0-9:.]+Z" second lock.rbk "${LK[@]}" \
  -p hold=0s --operator bob --run-id run-two
if grep -q "rollout\|→\|✓ get" "$tmp/second.out"; then bad "the refused run does nothing" "$(cat "$tmp/second.out")"
else ok "the refused run does nothing"; fi
expect_run "--steal-lock does not take a lock that is being renewed" 1 "still being renewed" steal-live lock.rbk \
  "${LK[@]}" -p hold=0s --operator bob --steal-lock
expect_run "--no-lock runs beside the holder" 0 "" nolock lock.rbk "${LK[@]}" -p hold=0s --operator bob --no-lock
wait $HOLDER
expect_eq "the holder's run succeeds" "0" "$?"
expect_eq "the lock is released at the end" "NotFound" \
  "$(kc lock get lease rbk-actions-lock 2>&1 | grep -o NotFound)"
cat >"$tmp/lease.json" <<EOJ
{"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "rbk-actions-lock"},
 "spec": {"holderIdentity": "carol@crashed-host/run-0", "leaseDurationSeconds": 60,
          "acquireTime": "2020-01-01T00:00:00.000000Z", "renewTime": "2020-01-01T00:00:00.000000Z",
          "leaseTransitions": 0}}
EOJ
kc lock create -f "$tmp/lease.json" >/dev/null
expect_run "an expired lock is refused, pointing at --steal-lock" 1 \
  "held by carol@crashed-host/run-0 since 2020-01-01T00:00:00.000000Z .*expired: --steal-lock takes it over" \
  expired lock.rbk "${LK[@]}" -p hold=0s
expect_run "--steal-lock takes an expired lock" 0 "" steal lock.rbk "${LK[@]}" -p hold=0s --steal-lock
expect_eq "the expired lock was taken over with one PUT; both holders released it" "1 2" \
  "$(grep -c "^PUT .*/leases/rbk-actions-lock 200" "$tmp/lock.log") $(grep -c "^DELETE .*/leases/rbk-actions-lock 200" "$tmp/lock.log")"

# --- every server stops cleanly; nothing from the sanitizers anywhere ---
sim_stop_all
expect_eq "no sanitizer reports from rbk sim or rbk run" "" \
  "$(grep -lE 'AddressSanitizer|LeakSanitizer|runtime error' "$tmp"/*.log "$tmp"/*.err 2>/dev/null | head -3)"

finish
