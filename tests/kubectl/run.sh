#!/bin/bash
# tests/kubectl/run.sh — drives the real kubectl (and python3-kubernetes) against `rbk sim` over
# HTTPS with a throwaway CA and a bearer token, and checks both kubectl's output and the model's
# resulting state. Usage: bash run.sh <rbk binary> <source dir>
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sim.sh"
# The names the cases files (cases*.sh) use.
T=$tmp
SRC=$src
PY=/usr/bin/python3
TOKEN=$SIM_TOKEN

# start_sim NAME SCENARIO SPEED: starts a server; sets URL and KC (its kubeconfig with the token).
start_sim() {
  sim_start "$1" "$2" --speed "$3"
  URL=$SIM_URL
  KC=$T/$1.kubeconfig
  write_kubeconfig "$KC" "$URL" "$TOKEN"
}

# write_kubeconfig FILE URL TOKEN
write_kubeconfig() { sim_kubeconfig "$1" "$2" "user: {token: \"$3\"}" "certificate-authority: \"$T/ca.crt\""; }

k() { timeout 60 kubectl --kubeconfig "$KC" --cache-dir "$T/cache-$(basename "$KC")" "$@"; }
kj() { k get "$@" -o json; }

D=gl-001-process-heat-orchestrator
start_sim main bad-release 20
[ -n "$URL" ] || { echo "rbk sim did not start"; cat "$T/main.log"; bad "rbk sim starts"; finish; exit 1; }
source "$SRC/tests/kubectl/cases.sh"
source "$SRC/tests/kubectl/cases_more.sh"
source "$SRC/tests/kubectl/cases_scenarios.sh"

# --- every server stops cleanly on SIGTERM, with nothing from the sanitizers in its log ---
sim_stop_all
for log in "$T"/*.log; do
  expect_eq "no sanitizer reports in $(basename "$log")" "" \
    "$(grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$log" | head -3)"
done

finish
