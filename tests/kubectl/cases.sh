# cases.sh — kubectl against the bad-release world (sourced by run.sh; uses k, kj, expect_*).

# --- get ---
expect_eq "get one -o json: the live image" "gcr.io/greenlang/gl-001:1.5.0" \
  "$(kj deployment $D | jq -r '.spec.template.spec.containers[0].image')"
expect_eq "get list: nine gl-0NN deployments" "9" "$(k get deployments -o name | grep -c '^deployment.apps/gl-0')"
expect_eq "get -l agent-group=process-heat" "9" "$(k get deployments -l agent-group=process-heat -o name | wc -l)"
expect_eq "get pods -l app=$D" "3" "$(k get pods -l app=$D -o name | wc -l)"
expect_eq "get pods --field-selector status.phase=Running" "pod/postgresql-0" \
  "$(k get pods -l app=postgresql --field-selector=status.phase=Running -o name)"
expect_eq "get pods --field-selector status.phase=Pending: none" "" \
  "$(k get pods --field-selector=status.phase=Pending -o name)"
expect_fail "get a missing deployment" 'Error from server \(NotFound\): deployments.apps "nope" not found' \
  k get deployment nope
expect_out "get configmap by short name" "gl-001-config" k get cm gl-001-config -o name

# --- authentication (discovery is cached by now, as for any kubectl that ran before) ---
write_kubeconfig "$T/wrong.kubeconfig" "$URL" "not-the-token"
expect_fail "a wrong token is Unauthorized" "error: You must be logged in to the server \(Unauthorized\)" \
  timeout 30 kubectl --kubeconfig "$T/wrong.kubeconfig" --cache-dir "$T/cache-$(basename "$KC")" get deployments

cat >"$T/cert.kubeconfig" <<EOK
apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster: {server: "$URL", certificate-authority: "$T/ca.crt"}
contexts:
- name: sim
  context: {cluster: sim, user: operator, namespace: greenlang}
current-context: sim
users:
- name: operator
  user: {client-certificate: "$T/client.crt", client-key: "$T/client.key"}
EOK
expect_out "a client certificate from --client-ca authenticates without a token" "gl-001-config" \
  timeout 30 kubectl --kubeconfig "$T/cert.kubeconfig" --cache-dir "$T/cache-cert" get configmap gl-001-config -o name

# --- rollout history ---
expect_out "rollout history lists revisions 10-13" \
  "13 +Version 1.5.0 - Multi-plant optimization" k rollout history deployment/$D
expect_out "rollout history --revision=12 shows 1.4.2" "Image:.*gcr.io/greenlang/gl-001:1.4.2" \
  k rollout history deployment/$D --revision=12
expect_fail "rollout history --revision=7 is unknown" "unable to find the specified revision" \
  k rollout history deployment/$D --revision=7

# --- rollout undo and status ---
RS12=$(kj replicasets -l app=$D | jq -r '.items[] | select(.metadata.annotations["deployment.kubernetes.io/revision"]=="12") | .metadata.name')
expect_out "rollout undo" "deployment.apps/$D rolled back" k rollout undo deployment/$D
expect_out "rollout status reaches success" "deployment \"$D\" successfully rolled out" \
  k rollout status deployment/$D --timeout=60s
DJ=$(kj deployment $D)
expect_eq "undo: the template runs 1.4.2" "gcr.io/greenlang/gl-001:1.4.2" "$(jq -r '.spec.template.spec.containers[0].image' <<<"$DJ")"
expect_eq "undo: the deployment is at revision 14" "14" "$(jq -r '.metadata.annotations["deployment.kubernetes.io/revision"]' <<<"$DJ")"
RSJ=$(kj replicaset "$RS12")
expect_eq "undo reuses revision 12's ReplicaSet as revision 14" "14" \
  "$(jq -r '.metadata.annotations["deployment.kubernetes.io/revision"]' <<<"$RSJ")"
expect_eq "undo records revision-history 12" "12" \
  "$(jq -r '.metadata.annotations["deployment.kubernetes.io/revision-history"]' <<<"$RSJ")"
expect_eq "no duplicate ReplicaSet after undo" "4" "$(k get replicasets -l app=$D -o name | wc -l)"
expect_eq "status counters after the rollout" "3/3/3/3" \
  "$(kj deployment $D | jq -r '.status | "\(.replicas)/\(.updatedReplicas)/\(.readyReplicas)/\(.availableReplicas)"')"
expect_eq "Progressing is NewReplicaSetAvailable" "NewReplicaSetAvailable" \
  "$(kj deployment $D | jq -r '.status.conditions[] | select(.type=="Progressing") | .reason')"
expect_eq "the old pods are gone, three 1.4.2 pods run" "3" \
  "$(kj pods -l app=$D | jq '[.items[] | select(.spec.containers[0].image=="gcr.io/greenlang/gl-001:1.4.2" and .status.phase=="Running")] | length')"
expect_out "rollout history shows 14 and drops 12" "14 +Version 1.4.2" k rollout history deployment/$D
expect_out "undo to the current revision is skipped" "skipped rollback \(current template already matches revision 14\)" \
  k rollout undo deployment/$D --to-revision=14
expect_fail "undo to an unknown revision" "unable to find specified revision 9 in history" \
  k rollout undo deployment/$D --to-revision=9
expect_out "undo --to-revision=11" "rolled back" k rollout undo deployment/$D --to-revision=11
expect_out "rollout status after --to-revision" "successfully rolled out" k rollout status deployment/$D --timeout=60s
expect_eq "--to-revision=11 runs 1.4.1 at revision 15" "gcr.io/greenlang/gl-001:1.4.1 15" \
  "$(kj deployment $D | jq -r '"\(.spec.template.spec.containers[0].image) \(.metadata.annotations["deployment.kubernetes.io/revision"])"')"

# --- paused deployments ---
expect_out "rollout pause" "paused" k rollout pause deployment/$D
expect_fail "undo of a paused deployment is refused" "you cannot rollback a paused deployment; resume it first" \
  k rollout undo deployment/$D
expect_fail "restart of a paused deployment is refused" "can't restart paused deployment \(run rollout resume first\)" \
  k rollout restart deployment/$D
expect_out "rollout resume" "resumed" k rollout resume deployment/$D

# --- rollout restart ---
G2=gl-002-boiler-efficiency
expect_out "rollout restart" "deployment.apps/$G2 restarted" k rollout restart deployment/$G2
expect_out "rollout status after restart" "successfully rolled out" k rollout status deployment/$G2 --timeout=60s
expect_eq "restart stamps restartedAt on the template" "true" \
  "$(kj deployment $G2 | jq '.spec.template.metadata.annotations | has("kubectl.kubernetes.io/restartedAt")')"
expect_eq "restart made revision 9" "9" \
  "$(kj deployment $G2 | jq -r '.metadata.annotations["deployment.kubernetes.io/revision"]')"
