#!/bin/bash
# tests/kubectl/run.sh — drives the real kubectl (and python3-kubernetes) against `rbk sim` over
# HTTPS with a throwaway CA and a bearer token, and checks both kubectl's output and the model's
# resulting state. Usage: bash run.sh <rbk binary> <source dir>
set -u
RBK=${1:?usage: run.sh <rbk binary> <source dir>}
SRC=${2:?usage: run.sh <rbk binary> <source dir>}
T=$(mktemp -d /tmp/rbk-kubectl.XXXXXX)
PY=/usr/bin/python3
TOKEN=sim-token-$$
PASS=0
FAIL=0
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); echo "ok   - $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '       %s\n' "$2" | head -20; }

# expect_out NAME PATTERN CMD...: the command's combined output matches the extended regex.
expect_out() {
  local name=$1 pat=$2; shift 2
  local out; out=$("$@" 2>&1)
  if grep -Eq -- "$pat" <<<"$out"; then ok "$name"; else bad "$name" "wanted /$pat/, got: $out"; fi
}

# expect_fail NAME PATTERN CMD...: the command fails and its output matches.
expect_fail() {
  local name=$1 pat=$2; shift 2
  local out rc; out=$("$@" 2>&1); rc=$?
  if [ $rc -ne 0 ] && grep -Eq -- "$pat" <<<"$out"; then ok "$name"; else bad "$name" "rc=$rc, wanted /$pat/, got: $out"; fi
}

# expect_eq NAME WANT GOT
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "wanted '$2', got '$3'"; fi; }

# The throwaway CA and the server certificate for 127.0.0.1.
make_certs() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" \
    -days 1 -subj "/CN=rbk-sim-test-ca" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/srv.key" -out "$T/srv.csr" \
    -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$T/ext.cnf"
  openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -out "$T/srv.crt" -days 1 \
    -extfile "$T/ext.cnf" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/client.key" -out "$T/client.csr" \
    -subj "/CN=runbook-operator" 2>/dev/null
  openssl x509 -req -in "$T/client.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -out "$T/client.crt" \
    -days 1 2>/dev/null
}

# start_sim NAME SCENARIO SPEED: starts a server; sets URL and KC (its kubeconfig with the token).
start_sim() {
  local name=$1
  "$RBK" sim --scenario "$2" --speed "$3" --tls-cert "$T/srv.crt" --tls-key "$T/srv.key" --client-ca "$T/ca.crt" \
    --token "$TOKEN" \
    >"$T/$name.url" 2>"$T/$name.log" &
  PIDS+=($!)
  for _ in $(seq 50); do [ -s "$T/$name.url" ] && break; sleep 0.1; done
  URL=$(head -1 "$T/$name.url")
  KC=$T/$name.kubeconfig
  write_kubeconfig "$KC" "$URL" "$TOKEN"
}

# write_kubeconfig FILE URL TOKEN
write_kubeconfig() {
  cat >"$1" <<EOK
apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster: {server: "$2", certificate-authority: "$T/ca.crt"}
contexts:
- name: sim
  context: {cluster: sim, user: runner, namespace: greenlang}
current-context: sim
users:
- name: runner
  user: {token: "$3"}
EOK
}

k() { timeout 60 kubectl --kubeconfig "$KC" --cache-dir "$T/cache-$(basename "$KC")" "$@"; }
kj() { k get "$@" -o json; }

D=gl-001-process-heat-orchestrator
make_certs
start_sim main bad-release 20
[ -n "$URL" ] || { echo "rbk sim did not start"; cat "$T/main.log"; echo "0 passed, 1 failed"; exit 1; }
source "$SRC/tests/kubectl/cases.sh"
source "$SRC/tests/kubectl/cases_more.sh"
source "$SRC/tests/kubectl/cases_scenarios.sh"

# --- every server stops cleanly on SIGTERM, with nothing from the sanitizers in its log ---
for i in "${!PIDS[@]}"; do
  kill -TERM "${PIDS[$i]}" 2>/dev/null
  timeout 20 tail --pid="${PIDS[$i]}" -f /dev/null
  wait "${PIDS[$i]}"
  expect_eq "server $i stops cleanly on SIGTERM" "0" "$?"
  unset "PIDS[$i]"
done
for log in "$T"/*.log; do
  expect_eq "no sanitizer reports in $(basename "$log")" "" \
    "$(grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$log" | head -3)"
done

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
