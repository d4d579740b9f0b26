#!/usr/bin/env bash
# The README's first command: set up, build, and show rbk on the seed runbook's emergency rollback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
plan=plans/emergency-rollback.rbk
echo
echo "== rbk check $plan"
build/rbk check "$plan" && echo "ok"
echo
echo "== rbk plan $plan (the dry-run: every action the run can take)"
build/rbk plan "$plan" -p reason="heat loss after 1.5.0"
