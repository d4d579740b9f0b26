#!/usr/bin/env bash
# tests/rbac/run.sh RBK SOURCE_DIR [FILTER] — least privilege and in-cluster runs against `rbk sim`
# over HTTPS (docs/simulator.md "RBAC", docs/deploy.md):
# - rbac_runs.py: every seed plan run with a ServiceAccount token bound to exactly `rbk rbac`'s
#   rules ends as its rehearsal does; a run without one exercised rule fails with a 403 naming it;
# - the Job of deploy/ applied with kubectl, and rbk run exactly as its command, with the
#   service-account token and CA at overridden paths.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
unset SLACK_WEBHOOK_URL GL001_DB_PASSWORD_PREVIOUS KUBECONFIG KUBE_CONTEXT

rbac_runs() {
  local out
  out=$(python3 "$src/tests/rbac/rbac_runs.py" "$rbk" "$src" "$tmp/runs" "$filter" 2>&1)
  echo "$out"
  if [[ $out == *"rbac: "*" passed, 0 failed"* ]]; then ok; else bad rbac_runs "see above"; fi
}

incluster() {
  local out
  out=$(python3 "$src/tests/rbac/incluster.py" "$rbk" "$src" "$tmp/incluster" 2>&1)
  echo "$out"
  if [[ $out == *"incluster: "*" passed, 0 failed"* ]]; then ok; else bad incluster "see above"; fi
}

mkdir -p "$tmp/runs" "$tmp/incluster"
t rbac_runs
t incluster
finish rbac
