# cases_more.sh — scale, patch, create/delete, wait, proxy, leases, python, stuck rollout, bad input.

# --- scale ---
G3=gl-003-combustion-optimizer
expect_out "scale" "deployment.apps/$G3 scaled" k scale deployment $G3 --replicas=3
expect_out "rollout status after scale" "successfully rolled out" k rollout status deployment/$G3 --timeout=60s
expect_eq "scale: three ready replicas" "3 3" "$(kj deployment $G3 | jq -r '"\(.spec.replicas) \(.status.readyReplicas)"')"
expect_fail "scale with a wrong --current-replicas" "Expected replicas to be 5, was 3" \
  k scale deployment $G3 --replicas=1 --current-replicas=5

# --- patch ---
G4=gl-004-emissions-control
expect_out "strategic merge patch" "deployment.apps/$G4 patched" \
  k patch deployment $G4 -p '{"spec":{"template":{"spec":{"containers":[{"name":"gl-004","image":"gcr.io/greenlang/gl-004:2.3.0"}]}}}}'
expect_eq "strategic merge keeps the container's port" "gcr.io/greenlang/gl-004:2.3.0 8080 1" \
  "$(kj deployment $G4 | jq -r '.spec.template.spec.containers | "\(.[0].image) \(.[0].ports[0].containerPort) \(length)"')"
expect_out "merge patch" "service/$D patched" \
  k patch service $D --type=merge -p '{"metadata":{"annotations":{"runbook/owner":"ops"}}}'
expect_eq "merge patch set the annotation" "ops" "$(kj service $D | jq -r '.metadata.annotations["runbook/owner"]')"
expect_out "json patch" "service/postgresql patched" \
  k patch service postgresql --type=json -p '[{"op":"add","path":"/metadata/labels/tier","value":"db"}]'
expect_eq "json patch added the label" "db" "$(kj service postgresql | jq -r '.metadata.labels.tier')"
expect_out "a no-op patch changes nothing" "patched \(no change\)" \
  k patch service postgresql --type=json -p '[{"op":"replace","path":"/spec/selector/app","value":"postgresql"}]'
expect_fail "renaming a deployment is refused (422)" "is invalid: metadata.name: Invalid value: \"gl-001-renamed\": field is immutable" \
  k patch deployment $D --type=json -p '[{"op":"replace","path":"/metadata/name","value":"gl-001-renamed"}]'
expect_fail "a failing json-patch test" "test failed" \
  k patch service postgresql --type=json -p '[{"op":"test","path":"/spec/type","value":"NodePort"}]'

# --- create -f / delete of ConfigMaps and Secrets ---
cat >"$T/cm.json" <<'EOJ'
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "rb-cfg", "namespace": "greenlang"}, "data": {"a": "2"}}
EOJ
cat >"$T/secret.json" <<'EOJ'
{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "rb-secret", "namespace": "greenlang"},
 "stringData": {"password": "s3cret"}}
EOJ
expect_out "create -f configmap" "configmap/rb-cfg created" k create -f "$T/cm.json"
expect_eq "the configmap's data" '{"a":"2"}' "$(kj configmap rb-cfg | jq -c .data)"
expect_fail "create -f twice: AlreadyExists" 'Error from server \(AlreadyExists\).*configmaps "rb-cfg" already exists' \
  k create -f "$T/cm.json"
expect_out "delete configmap" 'configmap "rb-cfg" deleted' k delete configmap rb-cfg
expect_fail "the configmap is gone" 'configmaps "rb-cfg" not found' k get configmap rb-cfg
expect_out "create -f secret (stringData)" "secret/rb-secret created" k create -f "$T/secret.json"
expect_eq "the secret's data is base64" "s3cret" "$(kj secret rb-secret | jq -r .data.password | base64 -d)"
expect_out "delete secret" 'secret "rb-secret" deleted' k delete secret rb-secret
expect_out "delete --ignore-not-found" "^$" k delete secret rb-secret --ignore-not-found

# --- wait ---
G5=gl-005-heat-recovery
POD=$(k get pods -l app=$G5 -o name | head -1)
expect_out "delete a pod without waiting" "deleted" k delete "$POD" --wait=false
expect_out "wait --for=delete" "^(.*condition met)?$" k wait --for=delete "$POD" --timeout=60s
expect_fail "the deleted pod is gone" "NotFound" k get "$POD"
expect_out "wait --for=condition=ready (the replacement pod)" "condition met" \
  k wait --for=condition=ready pod -l app=$G5 --timeout=60s
expect_eq "the ReplicaSet recreated the pod" "2" "$(k get pods -l app=$G5 -o name | wc -l)"

# --- the service proxy ---
expect_eq "get --raw through the service proxy" "1.4.1" \
  "$(k get --raw "/api/v1/namespaces/greenlang/services/$D:8000/proxy/api/v1/version" | jq -r .version)"
expect_eq "the proxy's http:NAME:PORT form" "GL-001" \
  "$(k get --raw "/api/v1/namespaces/greenlang/services/http:$D:8000/proxy/api/v1/version" | jq -r .agent_id)"

# --- leases ---
cat >"$T/lease.json" <<'EOJ'
{"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "runbook-lock", "namespace": "greenlang"},
 "spec": {"holderIdentity": "runner-a", "leaseDurationSeconds": 60, "acquireTime": "2026-01-01T00:00:00.000000Z",
          "renewTime": "2026-01-01T00:00:00.000000Z", "leaseTransitions": 0}}
EOJ
expect_out "create -f lease" "lease.coordination.k8s.io/runbook-lock created" k create -f "$T/lease.json"
expect_fail "create -f lease twice: 409" 'AlreadyExists.*leases.coordination.k8s.io "runbook-lock" already exists' \
  k create -f "$T/lease.json"

# --- python3-kubernetes: reads and a patch ---
cat >"$T/client.py" <<'EOP'
import sys
from kubernetes import client, config
config.load_kube_config(config_file=sys.argv[1])
apps, core = client.AppsV1Api(), client.CoreV1Api()
d = apps.read_namespaced_deployment("gl-006-waste-heat", "greenlang")
pods = core.list_namespaced_pod("greenlang", label_selector="app=gl-006-waste-heat")
apps.patch_namespaced_deployment("gl-006-waste-heat", "greenlang", {"metadata": {"labels": {"patched-by": "python"}}})
d2 = apps.read_namespaced_deployment("gl-006-waste-heat", "greenlang")
print(d.spec.template.spec.containers[0].image, len(pods.items), d2.metadata.labels["patched-by"])
EOP
expect_eq "python3-kubernetes reads and patches" "gcr.io/greenlang/gl-006:2.3.1 2 python" \
  "$(timeout 60 $PY "$T/client.py" "$KC" 2>&1 | tail -1)"

# --- malformed requests never crash the server ---
CURL=(curl -s --cacert "$T/ca.crt" -H "Authorization: Bearer $TOKEN" --max-time 20)
expect_eq "bad JSON is a 400 Status" "400 BadRequest" \
  "$("${CURL[@]}" -X POST -H 'Content-Type: application/json' --data '{"kind":' "$URL/api/v1/namespaces/greenlang/configmaps" | jq -r '"\(.code) \(.reason)"')"
head -c 11000000 /dev/zero | tr '\0' 'a' >"$T/big.bin"
expect_eq "a 10 MB body is a 413" "413" \
  "$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary @"$T/big.bin" "$URL/api/v1/namespaces/greenlang/configmaps")"
expect_eq "an unknown path is a 404" "404" "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$URL/apis/nope/v1/things")"
"${CURL[@]}" --max-time 1 "$URL/api/v1/namespaces/greenlang/pods?watch=true" >/dev/null 2>&1
expect_eq "a client leaving mid-watch does no harm" "v1.32.4" "$("${CURL[@]}" "$URL/version" | jq -r .gitVersion)"

# --- the stuck rollout ---
start_sim stuck stuck-rollout 200
expect_out "stuck-rollout: undo" "rolled back" k rollout undo deployment/$D
expect_fail "stuck-rollout: rollout status exceeds the progress deadline" \
  "deployment \"$D\" exceeded its progress deadline" k rollout status deployment/$D --timeout=60s
expect_eq "stuck-rollout: the new pod is in ImagePullBackOff" "ImagePullBackOff" \
  "$(kj pods -l app=$D | jq -r '[.items[] | select(.spec.containers[0].image=="gcr.io/greenlang/gl-001:1.4.2") | .status.containerStatuses[0].state.waiting.reason] | first')"
expect_eq "stuck-rollout: the old pods keep serving" "3" "$(kj deployment $D | jq -r .status.availableReplicas)"
