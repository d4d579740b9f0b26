#!/usr/bin/env bash
# One request path: every seed plan's rehearsal cases run once in-process (`rbk test`) and once as
# `rbk run --kubeconfig` against `rbk sim` over HTTPS (a throwaway CA, a bearer token); both exit
# alike and the simulated API server sees the same requests (same_requests.py; the rule is in
# docs/rehearsal.md). Usage: run.sh RBK SOURCE_DIR [FILTER]. Needs python3 and openssl.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
unset SLACK_WEBHOOK_URL GL001_DB_PASSWORD_PREVIOUS KUBECONFIG
out=$(python3 "$src/tests/transport/same_requests.py" "$rbk" "$src" "$tmp" "$filter" 2>&1)
code=$?
echo "$out"
exit $code
