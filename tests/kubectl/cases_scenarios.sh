# cases_scenarios.sh — each built-in scenario's failure and its fix, seen the way an operator sees
# them: kubectl changes the cluster, `kubectl get --raw` reads the orchestrator through the service
# proxy (sourced by run.sh; uses start_sim, k, kj, expect_*).

P=/api/v1/namespaces/greenlang/services/$D:8000/proxy/api/v1

# raw API: GET api/v1/<API> through the service proxy.
raw() { k get --raw "$P/$1"; }

# poll_eq NAME WANT JQ API: reads API until `jq -r JQ` of it prints WANT (virtual time runs fast:
# the limit is generous, and only a failure waits that long), then records the comparison.
poll_eq() {
  local name=$1 want=$2 filter=$3 api=$4 got=""
  for _ in $(seq 150); do
    got=$(raw "$api" 2>/dev/null | jq -r "$filter" 2>/dev/null)
    [ "$got" = "$want" ] && break
    sleep 0.2
  done
  expect_eq "$name" "$want" "$got"
}

HEAT_LOST='[.plants[] | select(.heat_loss)] | length'

# --- bad-release: the rollback restores heat, then the agents reconnect ---
start_sim release bad-release 60
expect_eq "bad-release: every plant loses heat under 1.5.0" "5" "$(raw plants/heat-status | jq "$HEAT_LOST")"
expect_eq "bad-release: numbers print short (37.9, not 37.899999999999999)" "" \
  "$(raw plants/heat-status | grep -oE '[0-9]\.[0-9]{7,}' | head -3)"
expect_out "bad-release: rollout undo" "rolled back" k rollout undo deployment/$D
expect_out "bad-release: rollout status" "successfully rolled out" k rollout status deployment/$D --timeout=60s
expect_eq "bad-release: the proxy now reaches 1.4.2" "1.4.2" "$(raw version | jq -r .version)"
poll_eq "bad-release: heat returns after the rollback" "0" "$HEAT_LOST" plants/heat-status
poll_eq "bad-release: all 99 agents reconnect" "99" ".connected" agents/status
poll_eq "bad-release: rollback verification succeeds" "successful" ".rollback_status" emergency/rollback-verification

# --- no-backup-heat ---
start_sim nobackup no-backup-heat 60
expect_eq "no-backup-heat: Plant-002 has no backup heat" "false 0" \
  "$(raw plants/backup-heat-status | jq -r '.plants[] | select(.plant_id=="Plant-002") | "\(.backup_available) \(.backup_capacity_mw)"')"
expect_eq "no-backup-heat: the other plants have it" "4" \
  "$(raw plants/backup-heat-status | jq '[.plants[] | select(.backup_available)] | length')"

# --- single-plant: revert Plant-003's entry from the annotation, then reload ---
start_sim single single-plant 60
P3='.plants[] | select(.plant_id=="Plant-003") | .heat_status'
expect_eq "single-plant: only Plant-003 is degraded" "Plant-003:degraded" \
  "$(raw plants/heat-status | jq -r '[.plants[] | select(.heat_status!="normal") | "\(.plant_id):\(.heat_status)"] | join(",")')"
PREV=$(kj configmap gl-001-plant-configs | jq -c '.metadata.annotations["rbk.dev/previous-data"] | fromjson')
expect_out "single-plant: revert the ConfigMap's data" "patched" \
  k patch configmap gl-001-plant-configs --type=merge -p "{\"data\": $PREV}"
expect_eq "single-plant: still degraded until reloaded" "degraded" "$(raw plants/heat-status | jq -r "$P3")"
echo '{"plants": ["Plant-003"]}' >"$T/reload.json"
expect_eq "single-plant: POST config/reload" "gl-001-plant-configs/plant-003.yaml" \
  "$(k create --raw "$P/config/reload" -f "$T/reload.json" | jq -r '.reloaded[0]')"
expect_eq "single-plant: Plant-003 is back to normal at 45 MW" "normal 45" \
  "$(raw plants/Plant-003/status | jq -r '"\(.heat_status) \(.heat_demand_mw)"')"

# --- blue-green: switch the Service's selector to blue ---
start_sim bluegreen blue-green 60
expect_eq "blue-green: the Service selects green (1.5.0)" "1.5.0 5" \
  "$(raw version | jq -r .version) $(raw plants/heat-status | jq "$HEAT_LOST")"
expect_out "blue-green: switch the selector to blue" "service/$D patched" \
  k patch service $D --type=merge -p '{"spec":{"selector":{"deployment":"gl-001-blue"}}}'
expect_eq "blue-green: the proxy reaches blue (1.4.2)" "1.4.2" "$(raw version | jq -r .version)"
poll_eq "blue-green: heat returns" "0" "$HEAT_LOST" plants/heat-status

# --- bad-secret: the previous password, then restart the pods ---
start_sim secret bad-secret 60
expect_fail "bad-secret: health/database fails" "ServiceUnavailable" k get --raw "$P/health/database"
PW=$(jq -r .plan_secrets.GL001_DB_PASSWORD_PREVIOUS "$SRC/sim/scenarios/bad-secret.json")
expect_out "bad-secret: put the previous password back" "patched" \
  k patch secret gl-001-db-credentials --type=merge -p "{\"stringData\": {\"password\": \"$PW\"}}"
expect_fail "bad-secret: the running pods keep the old password" "ServiceUnavailable" k get --raw "$P/health/database"
expect_out "bad-secret: rollout restart" "restarted" k rollout restart deployment/$D
expect_out "bad-secret: rollout status" "successfully rolled out" k rollout status deployment/$D --timeout=60s
expect_eq "bad-secret: health/database connects" "true" "$(raw health/database | jq -r .connected)"

# --- bad-migration: a Job runs manage.py migrate back to 20251116120000 ---
start_sim migration bad-migration 60
expect_fail "bad-migration: health/database fails" "ServiceUnavailable" k get --raw "$P/health/database"
cat >"$T/migrate-job.json" <<'EOJ'
{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migration-rollback", "namespace": "greenlang"},
 "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [
   {"name": "migration-rollback", "image": "gcr.io/greenlang/gl-001:1.4.2",
    "command": ["python", "manage.py", "migrate", "heat", "20251116120000"]}]}}}}
EOJ
expect_out "bad-migration: create the migrate Job" "job.batch/migration-rollback created" k create -f "$T/migrate-job.json"
expect_out "bad-migration: the Job completes" "condition met" \
  k wait --for=condition=complete job/migration-rollback --timeout=60s
expect_out "bad-migration: the Job's logs show the unapply" \
  "Unapplying heat.20251117143000_multi_plant_optimization... OK" k logs job/migration-rollback
expect_eq "bad-migration: health/database connects at 20251116120000" "true 20251116120000" \
  "$(raw health/database | jq -r '"\(.connected) \(.latest_migration)"')"
