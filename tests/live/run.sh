#!/usr/bin/env bash
# tests/live — `rbk plan --live` against `rbk sim` over HTTPS: every seed plan in its scenario
# prints its concrete changes (the fields a dry-run write would change) or the check that would stop
# it, and the cluster is unchanged afterwards — the simulator's request log holds only reads and
# dryRun=All writes, and every object's resourceVersion, read with the real kubectl before and
# after, is the same. The refusals a run would meet (422 validation, 404, RBAC 403) are shown at
# their step, with exit 1. Usage: run.sh RBK SOURCE_DIR [FILTER].
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sim.sh"
unset SLACK_WEBHOOK_URL GL001_DB_PASSWORD_PREVIOUS KUBECONFIG KUBE_CONTEXT

KINDS=namespaces,deployments,replicasets,services,configmaps,secrets,jobs,pods,leases,serviceaccounts,roles,rolebindings

# start NAME SCENARIO [SIM_ARGS…]: a simulator with its request log; sets KC (token kubeconfig).
start() {
  local name=$1 scenario=$2
  shift 2
  sim_start "$name" "$scenario" --request-log "$tmp/$name.requests" "$@"
  [ -n "$SIM_URL" ] || { bad "rbk sim $scenario starts" "$(cat "$tmp/$name.log")"; return 1; }
  KC=$tmp/$name.kubeconfig
  sim_kubeconfig "$KC" "$SIM_URL" "user: {token: \"$SIM_TOKEN\"}" "certificate-authority: \"$tmp/ca.crt\""
}

# versions KUBECONFIG: every object as "kind/namespace/name resourceVersion", sorted (real kubectl).
versions() {
  timeout 30 kubectl --kubeconfig "$1" get "$KINDS" -A -o json |
    jq -r '.items[] | "\(.kind)/\(.metadata.namespace)/\(.metadata.name) \(.metadata.resourceVersion)"' | sort
}

# preview NAME PLAN [ARGS…]: rbk plan --live of PLAN with KC; output in $tmp/NAME.out, exit in $rc.
preview() {
  local name=$1 plan=$2
  shift 2
  timeout 180 "$rbk" plan "$plan" --live --kubeconfig "$KC" "$@" >"$tmp/$name.out" 2>&1
  rc=$?
}

# unchanged NAME SIMNAME BEFORE [SKIP]: the request log (after its first SKIP lines: the test's own
# set-up) has only reads and dry runs; the versions are BEFORE.
unchanged() {
  local writes
  writes=$(tail -n +"$((${4:-0} + 1))" "$tmp/$2.requests" | grep -v '^GET ' | grep -v '[?&]dryRun=All[& ]' || true)
  if [ -z "$writes" ]; then ok; else bad "$1: only reads and dry runs reach the API" "$writes"; fi
  local after
  after=$(versions "$KC")
  if [ -n "$3" ] && [ "$3" = "$after" ]; then ok "$1: every resourceVersion is unchanged (kubectl)"
  else bad "$1: every resourceVersion is unchanged (kubectl)" "$(diff <(echo "$3") <(echo "$after") | head -5)"; fi
}

# has NAME TEXT: the preview's output holds TEXT (a fixed string).
has() { if grep -qF -- "$2" "$tmp/$1.out"; then ok; else bad "$1: output has '$2'" "$(tail -15 "$tmp/$1.out")"; fi; }

# seed PLAN SCENARIO EXIT TEXT…: previews the seed plan with its golden args in SCENARIO; checks the
# exit code, that each TEXT is printed, and that nothing changed.
seed() {
  local plan=$1 scenario=$2 want=$3 name="$1-$2" text before
  shift 3
  start "$name" "$scenario" || return
  before=$(versions "$KC")
  # shellcheck disable=SC2046
  preview "$name" "$src/plans/$plan.rbk" $(cat "$src/tests/golden/plans/$plan.args" 2>/dev/null)
  expect_eq "$name: exit $want" "$want" "$rc"
  for text in "$@"; do has "$name" "$text"; done
  unchanged "$name" "$name" "$before"
}

IMG_UNDO='~ spec.template.spec.containers[0].image: gcr.io/greenlang/gl-001:1.5.0 → gcr.io/greenlang/gl-001:1.4.2'

test_seeds() {
  seed emergency-rollback bad-release 0 "$IMG_UNDO" \
    "rollout_undo deployment/gl-001-process-heat-orchestrator: revision 13 (gcr.io/greenlang/gl-001:1.5.0) → 12 (gcr.io/greenlang/gl-001:1.4.2)" \
    "dry run accepted: PATCH /apis/apps/v1/namespaces/greenlang/deployments/gl-001-process-heat-orchestrator" \
    '~ spec.template.spec.containers[0].image: gcr.io/greenlang/gl-002:2.3.1 → gcr.io/greenlang/gl-002:2.3.0' \
    "not waited: a run waits up to 1m30s for deployment/gl-001-process-heat-orchestrator (now: replicas 3 updated 3 ready 3 available 3)" \
    "✉ not sent: notify slack #gl-001-incidents" "The run would proceed"
  seed emergency-rollback no-backup-heat 1 \
    "The run would stop: gate 'backup heat available at every plant' failed: no backup heat at Plant-002"
  seed revision-rollback bad-release 0 "$IMG_UNDO" "? approve \"the target revision is the last known stable one\" from rollback-lead: not asked" \
    "not sent: post POST /api/v1/test/post-rollback-verification (a run does it here)"
  seed coordinated-rollback bad-release 0 "$IMG_UNDO" "9 dry-run writes accepted"
  seed blue-green-rollback blue-green 0 "~ spec.selector.deployment: gl-001-green → gl-001-blue" "~ spec.replicas: 3 → 0" \
    "would wait up to 2m until gl.plants_losing_heat(orch) == 0 (now: gl.plants_losing_heat(orch) = 5)"
  seed config-rollback bad-config 1 "~ data.optimizer: multi-plant-v3-experimental → multi-plant-v2" \
    "This comes after mutating actions the preview did not make"
  seed secret-rollback bad-secret 1 "~ data.password: *** → ***" \
    "+ spec.template.metadata.annotations.kubectl.kubernetes.io/restartedAt:"
  seed db-migration-rollback bad-migration 1 "not sent: exec pod/postgresql-0"
  seed partial-rollback bad-release 1 "keeps no previous data"
  seed pre-rollback-checklist bad-release 0 "The run would proceed (0 dry-run writes accepted; the cluster is unchanged)."
  seed triage bad-release 0 "The run would proceed (0 dry-run writes accepted; the cluster is unchanged)."
}

# The API server's refusals, at their step: validation (422) and a missing object (404).
test_refusals() {
  start refuse bad-release || return
  local before
  before=$(versions "$KC")
  preview invalid "$src/tests/live/scale.rbk" -p 'patch={"spec": {"template": {"spec": {"containers": [{"name": "sidecar"}]}}}}'
  expect_eq "422: exit 1" 1 "$rc"
  has invalid "✗ Error from server (Invalid)"
  has invalid "spec.template.spec.containers[1].image: Required value"
  has invalid "The run would stop"
  if grep -q "This comes after" "$tmp/invalid.out"; then bad "422: the refused write is no previewed write"; else ok; fi
  preview missing "$src/tests/live/scale.rbk" -p target=deployment/no-such-thing
  expect_eq "404: exit 1" 1 "$rc"
  has missing "not found"
  preview fine "$src/tests/live/scale.rbk" -p replicas=5
  expect_eq "scale: exit 0" 0 "$rc"
  has fine "~ spec.replicas: 3 → 5"
  unchanged refusals refuse "$before"
}

# create, apply and delete as dry runs; a later read still sees the cluster as it was.
test_objects() {
  start objects bad-config || return
  local before
  before=$(versions "$KC")
  preview objects "$src/tests/live/objects.rbk"
  expect_eq "objects: exit 0" 0 "$rc"
  has objects "dry run accepted: POST /api/v1/namespaces/greenlang/configmaps (would create:)"
  has objects "+ data.mode: new"
  has objects "~ data.optimizer: multi-plant-v3-experimental → applied"
  has objects "dry run accepted: DELETE /api/v1/namespaces/greenlang/configmaps/gl-001-config (would delete it)"
  has objects "⚠ configmap/rbk-live-test was not created  [fails on the state before the dry-run writes"
  has objects "3 dry-run writes accepted, 1 check failed on the"
  unchanged objects objects "$before"
}

# RBAC: a ServiceAccount that may read but not patch deployments/scale is refused (403) at the write.
test_rbac() {
  start rbac bad-release --token-sa "viewer-$SIM_TOKEN=greenlang/viewer" || return
  timeout 30 kubectl --kubeconfig "$KC" apply -f - >/dev/null <<'EOY' || { bad "rbac: the Role applies"; return; }
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: viewer, namespace: greenlang}
rules:
- {apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer, namespace: greenlang}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: viewer}
subjects:
- {kind: ServiceAccount, name: viewer, namespace: greenlang}
EOY
  local before admin=$KC setup
  before=$(versions "$admin")
  setup=$(wc -l <"$tmp/rbac.requests")
  KC=$tmp/viewer.kubeconfig
  sim_kubeconfig "$KC" "$SIM_URL" "user: {token: \"viewer-$SIM_TOKEN\"}" "certificate-authority: \"$tmp/ca.crt\""
  preview forbidden "$src/tests/live/scale.rbk"
  expect_eq "403: exit 1" 1 "$rc"
  has forbidden "✗ Error from server (Forbidden)"
  has forbidden 'cannot patch resource "deployments/scale"'
  KC=$admin
  unchanged rbac rbac "$before" "$setup"
}

# --kubeconfig and --context belong to --live; --live prints text only.
test_usage() {
  "$rbk" plan "$src/tests/live/scale.rbk" --kubeconfig /dev/null >/dev/null 2>&1
  expect_eq "--kubeconfig without --live: exit 2" 2 $?
  "$rbk" plan "$src/tests/live/scale.rbk" --live --format json >/dev/null 2>&1
  expect_eq "--live --format json: exit 2" 2 $?
}

t test_usage
t test_refusals
t test_objects
t test_rbac
t test_seeds
finish live
