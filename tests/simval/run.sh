#!/bin/bash
# tests/simval/run.sh — the stricter simulator against the real kubectl and python3-kubernetes
# (issue 12): server-side dry runs change nothing, validation answers the API server's Status
# (422 Invalid with causes, 400 for what does not decode), and the OpenAPI documents let
# `kubectl apply -f` validate a `kind: List` and `kubectl explain` answer.
# Usage: bash run.sh <rbk binary> <source dir>
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sim.sh"
T=$tmp

sim_start main bad-release --speed 20
[ -n "$SIM_URL" ] || { cat "$T/main.log"; bad "rbk sim starts"; finish; exit 1; }
KC=$T/main.kubeconfig
sim_kubeconfig "$KC" "$SIM_URL" "user: {token: \"$SIM_TOKEN\"}" "certificate-authority: \"$T/ca.crt\""
k() { timeout 60 kubectl --kubeconfig "$KC" --cache-dir "$T/cache" "$@"; }
kj() { k get "$@" -o json; }
CURL=(curl -s --cacert "$T/ca.crt" -H "Authorization: Bearer $SIM_TOKEN" --max-time 20)
API=$SIM_URL/api/v1/namespaces/greenlang
APPS=$SIM_URL/apis/apps/v1/namespaces/greenlang
D=gl-001-process-heat-orchestrator
# What a dry run must not change: the deployment's resourceVersion, spec and revision, its
# ReplicaSets, and the ConfigMap.
state() {
  echo "$(kj deployment $D | jq -c '[.metadata.resourceVersion, .spec, .metadata.annotations["deployment.kubernetes.io/revision"]]')" \
    "$(kj replicasets -l app=$D | jq -c '[.items[] | [.metadata.name, .metadata.resourceVersion]]')" \
    "$(kj configmap gl-001-config | jq -c '[.metadata.resourceVersion, .data]')"
}

# --- dry runs: the answer of a real write, nothing changed ---
before=$(state)
expect_out "rollout undo --dry-run=server" "rolled back \(server dry run\)" k rollout undo deployment/$D --dry-run=server
expect_out "scale --dry-run=server" "scaled \(server dry run\)" k scale deployment $D --replicas=7 --dry-run=server
expect_out "delete configmap --dry-run=server" 'configmap "gl-001-config" deleted \(server dry run\)' \
  k delete configmap gl-001-config --dry-run=server
kj deployment $D | jq 'del(.status, .metadata.resourceVersion, .metadata.managedFields) | .spec.replicas = 9' >"$T/d.json"
expect_out "apply --dry-run=server of a changed deployment" "configured \(server dry run\)" \
  k apply -f "$T/d.json" --dry-run=server
expect_out "patch --dry-run=server answers the patched object" '^9$' \
  k patch deployment $D --type=merge -p '{"spec":{"replicas":9}}' --dry-run=server -o jsonpath='{.spec.replicas}'
expect_eq "the dry runs changed nothing (resourceVersions, spec, revision, ReplicaSets, ConfigMap)" "$before" "$(state)"
cat >"$T/new-cm.json" <<'EOJ'
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry-cm"}, "data": {"a": "1"}}
EOJ
expect_out "apply --dry-run=server of a new object" "configmap/dry-cm created \(server dry run\)" \
  k apply -f "$T/new-cm.json" --dry-run=server
expect_fail_text "the dry-run create stored nothing" 'configmaps "dry-cm" not found' k get configmap dry-cm
POD=$(k get pods -l app=$D -o name | head -1)
expect_out "delete pod --dry-run=server" "deleted \(server dry run\)" k delete "$POD" --dry-run=server
expect_eq "the pod is not terminating" "null" "$(kj "$POD" | jq -c .metadata.deletionTimestamp)"
expect_eq "deletecollection with dryRun=All lists what it would delete and deletes nothing" "1 1" \
  "$("${CURL[@]}" -X DELETE "$API/configmaps?dryRun=All&fieldSelector=metadata.name%3Dgl-001-config" | jq -r '.items | length') $(kj configmaps --field-selector metadata.name=gl-001-config | jq '.items | length')"
expect_eq "a dry-run eviction answers 201 and leaves the pod" "201 null" \
  "$("${CURL[@]}" -X POST -H 'Content-Type: application/json' "$API/pods/${POD#pod/}/eviction?dryRun=All" \
     --data "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"${POD#pod/}\"}}" | jq -r .code) $(kj "$POD" | jq -c .metadata.deletionTimestamp)"
EVICT=$(k get pods -l app=gl-003-combustion-optimizer -o name | head -1)
expect_eq "a real eviction answers 201 and the pod terminates (or is gone)" "201 true" \
  "$("${CURL[@]}" -X POST -H 'Content-Type: application/json' "$API/pods/${EVICT#pod/}/eviction" \
     --data "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"${EVICT#pod/}\"}}" | jq -r .code) $(k get "$EVICT" -o json --ignore-not-found | jq -s -c '.[0] == null or .[0].metadata.deletionTimestamp != null')"
expect_eq "an unknown dryRun value is the API server's 422" \
  '422 CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Sometimes"}: supported values: "All"' \
  "$("${CURL[@]}" -X POST -H 'Content-Type: application/json' --data @"$T/new-cm.json" "$API/configmaps?dryRun=Sometimes" | jq -r '"\(.code) \(.message)"')"

# --- validation: the API server's words ---
expect_fail_text "a template that leaves the selector (the k8s_rollback bug) is refused" \
  "The Deployment \"$D\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"gl-002-boiler-efficiency\"}: \`selector\` does not match template \`labels\`" \
  k patch deployment $D --type=json -p '[{"op":"replace","path":"/spec/template/metadata/labels","value":{"app":"gl-002-boiler-efficiency"}}]'
expect_fail_text "the selector is immutable" \
  "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"x\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable" \
  k patch deployment $D --type=merge -p '{"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}}}}}'
expect_fail_text "negative replicas" "spec.replicas: Invalid value: -1: must be greater than or equal to 0" \
  k patch deployment $D --type=merge -p '{"spec":{"replicas":-1}}'
expect_fail_text "replicas must be an int32 (a patch that does not decode: the request is invalid)" \
  '": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32' \
  k patch deployment $D --type=merge -p '{"spec":{"replicas":"two"}}'
expect_fail_text "… worded as kubectl words a 422 without a kind" 'The request is invalid: patch: Invalid value: "{\"apiVersion\":\"apps/v1\"' \
  k patch deployment $D --type=merge -p '{"spec":{"replicas":"two"}}'
expect_eq "the refused writes changed nothing" "$before" "$(state)"
cat >"$T/bad-deploy.json" <<'EOJ'
{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "Bad_Name", "labels": {"tier": "db!"}},
 "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": {"metadata": {"labels": {"app": "x"}},
  "spec": {"containers": [{"name": "x"}]}}}}
EOJ
NAME_MSG="metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
LABEL_MSG="metadata.labels: Invalid value: \"db!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
IMAGE_MSG="spec.template.spec.containers[0].image: Required value"
expect_eq "several errors in one 422: the Status message lists them in brackets" \
  "Deployment.apps \"Bad_Name\" is invalid: [$NAME_MSG, $LABEL_MSG, $IMAGE_MSG] FieldValueInvalid,FieldValueInvalid,FieldValueRequired" \
  "$("${CURL[@]}" -X POST -H 'Content-Type: application/json' --data @"$T/bad-deploy.json" "$APPS/deployments" | jq -r '"\(.message) \([.details.causes[].reason] | join(","))"')"
expect_fail_text "kubectl prints one line per cause: the name" "* $NAME_MSG" k create -f "$T/bad-deploy.json"
expect_fail_text "kubectl prints one line per cause: the label value" "* $LABEL_MSG" k create -f "$T/bad-deploy.json"
expect_fail_text "kubectl prints one line per cause: the missing image" "* $IMAGE_MSG" k create -f "$T/bad-deploy.json"
cat >"$T/bad-svc.json" <<'EOJ'
{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "1st.svc"}, "spec": {"ports": [{"port": 80}]}}
EOJ
expect_fail_text "a Service's name is a DNS-1035 label" \
  "metadata.name: Invalid value: \"1st.svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" \
  k create -f "$T/bad-svc.json"
cat >"$T/bad-job.json" <<'EOJ'
{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
 "spec": {"template": {"spec": {"restartPolicy": "Never",
  "containers": [{"name": "m", "image": "gcr.io/greenlang/gl-001:1.4.2", "command": "python manage.py migrate"}]}}}}
EOJ
expect_fail_text "a Job's command is a list of strings" \
  'Error from server (BadRequest): error when creating "'"$T"'/bad-job.json": Job in version "v1" cannot be handled as a Job: json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.command of type []string' \
  k create -f "$T/bad-job.json"
jq '.spec.template.spec.containers[0].command = ["python", "manage.py"] | del(.spec.template.spec.restartPolicy)' \
  "$T/bad-job.json" >"$T/job-always.json"
expect_fail_text "a Job's pods may not restart Always (the pod default)" \
  'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"' \
  k create -f "$T/job-always.json"
cat >"$T/typo.yaml" <<'EOY'
apiVersion: apps/v1
kind: Deployment
metadata: {name: typo}
spec:
  replica: 2
  selector: {matchLabels: {app: typo}}
  template:
    metadata: {labels: {app: typo}}
    spec: {containers: [{name: typo, image: nginx}]}
EOY
expect_fail_text "an unknown field under fieldValidation=Strict" \
  'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"' \
  k apply -f "$T/typo.yaml"

# --- OpenAPI: apply of a kind: List, explain ---
cat >"$T/list.yaml" <<'EOY'
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: list-cm}
  data: {mode: safe}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: list-web, labels: {app: list-web}}
  spec:
    replicas: 1
    selector: {matchLabels: {app: list-web}}
    template:
      metadata: {labels: {app: list-web}}
      spec:
        containers:
        - {name: web, image: gcr.io/greenlang/gl-001:1.4.1, command: [python, manage.py, runserver], ports: [{containerPort: 8000}]}
EOY
expect_out "apply -f of a kind: List creates every item" "configmap/list-cm created.*deployment.apps/list-web created" \
  bash -c "$(declare -f k); KC=$KC T=$T; k apply -f $T/list.yaml | tr '\n' ' '"
expect_out "applying the List again changes nothing" "configmap/list-cm unchanged.*deployment.apps/list-web unchanged" \
  bash -c "$(declare -f k); KC=$KC T=$T; k apply -f $T/list.yaml | tr '\n' ' '"
expect_eq "the List's objects are stored" "safe 1" \
  "$(kj configmap list-cm | jq -r .data.mode) $(kj deployment list-web | jq -r .spec.replicas)"
sed -e 's/data: {mode: safe}/dataa: {mode: safe}/' -e 's/command: \[python, manage.py, runserver\]/command: runserver/' \
  "$T/list.yaml" >"$T/bad-list.yaml"
expect_fail_text "kubectl validates a List's items against /openapi/v2" \
  'error validating data: [ValidationError(ConfigMap): unknown field "dataa" in io.k8s.api.core.v1.ConfigMap, ValidationError(Deployment.spec.template.spec.containers[0].command): invalid type for io.k8s.api.core.v1.Container.command: got "string", expected "array"]' \
  k apply -f "$T/bad-list.yaml"
expect_out "explain deployment.spec" "FIELD: spec <DeploymentSpec>" k explain deployment.spec
expect_out "explain lists DeploymentSpec's fields" "replicas.*<integer>" k explain deployment.spec
expect_out "explain a container's command" "FIELD: command <\[\]string>" k explain deployment.spec.template.spec.containers.command
expect_eq "/openapi/v2 as JSON describes DeploymentSpec.selector as required" '["selector","template"]' \
  "$("${CURL[@]}" -H 'Accept: application/json' "$SIM_URL/openapi/v2" | jq -c '.definitions["io.k8s.api.apps.v1.DeploymentSpec"].required')"

# --- python3-kubernetes: a dry-run create and a 422 with causes ---
cat >"$T/client.py" <<'EOP'
import json, sys
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_kube_config(config_file=sys.argv[1])
core, apps = client.CoreV1Api(), client.AppsV1Api()
cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-dry"), data={"a": "1"})
made = core.create_namespaced_config_map("greenlang", cm, dry_run="All")
try:
    core.read_namespaced_config_map("py-dry", "greenlang")
    stored = "stored"
except ApiException as e:
    stored = str(e.status)
print("dry-run:", made.metadata.name, bool(made.metadata.uid), made.metadata.resource_version, stored)
body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "py-web"},
        "spec": {"selector": {"matchLabels": {"app": "py-web"}},
                 "template": {"metadata": {"labels": {"app": "other"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
try:
    apps.create_namespaced_deployment("greenlang", body)
    print("created")
except ApiException as e:
    st = json.loads(e.body)
    c = st["details"]["causes"][0]
    print("invalid:", e.status, st["reason"], c["reason"], c["field"], c["message"])
EOP
PYOUT=$(timeout 60 /usr/bin/python3 "$T/client.py" "$KC" 2>&1)
expect_eq "python3-kubernetes: a dry-run create answers the object and stores nothing" "dry-run: py-dry True None 404" \
  "$(grep '^dry-run:' <<<"$PYOUT")"
expect_eq "python3-kubernetes: a 422 with its causes" \
  'invalid: 422 Invalid FieldValueInvalid spec.template.metadata.labels Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`' \
  "$(grep '^invalid:' <<<"$PYOUT" || echo "$PYOUT")"

sim_stop_all
expect_eq "no sanitizer reports in the server's log" "" "$(grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$T/main.log" | head -3)"
finish
