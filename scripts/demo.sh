#!/usr/bin/env bash
# The README's first command: set up, build, and show rbk on the seed runbook's emergency rollback —
# the dry-run graph, then the plan rehearsed against the simulated cluster in virtual time (its live
# output and the simulated world at the end), then every plan's rehearsals.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh >/dev/null
plan=plans/emergency-rollback.rbk
reason="critical heat loss after v1.5.0"

# Prints a heading (bold on a terminal).
bold='' plain=''
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] && bold=$'\033[1m' plain=$'\033[0m'
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

say "rbk check $plan"
build/rbk check "$plan" && echo "ok: names, arguments, types, reachability"

say "rbk plan $plan -p reason=\"$reason\"   (the dry-run: every action the run can take)"
build/rbk plan "$plan" -p reason="$reason"

say "rbk test $plan --scenario bad-release -p reason=\"$reason\" --yes   (the live run, in virtual time)"
build/rbk test "$plan" --scenario bad-release -p reason="$reason" --yes

say "rbk test plans/   (every plan, in its success and failure scenarios)"
build/rbk test plans/ | tail -n 1
