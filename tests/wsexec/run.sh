#!/usr/bin/env bash
# tests/wsexec/run.sh — exec over WebSocket on both sides, against `rbk sim` over HTTPS (a
# throwaway CA, a bearer token, a client certificate): the real kubectl's exec (stdout, stderr,
# exit codes), rbk's own exec (libwebsockets: the exit status, both streams, TLS verification,
# the output cap, a missing pod) and plans/db-migration-rollback.rbk run to success in its
# scenario. Usage: run.sh RBK SOURCE_DIR [FILTER].
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sim.sh"
unset SLACK_WEBHOOK_URL GL001_DB_PASSWORD_PREVIOUS KUBECONFIG KUBE_CONTEXT
plan=$src/tests/wsexec/exec.rbk

SA_TOKEN=sa-token-$$   # a ServiceAccount no Role is bound to: every request is refused (403)
sim_start mig bad-migration --speed 20 --token-sa "$SA_TOKEN=greenlang/nobody"
[ -n "$SIM_URL" ] || { bad "rbk sim starts" "$(cat "$tmp/mig.log")"; finish; exit 1; }
KC=$tmp/token.kubeconfig   # the bearer token, the CA
sim_kubeconfig "$KC" "$SIM_URL" "user: {token: \"$SIM_TOKEN\"}" "certificate-authority: \"$tmp/ca.crt\""
SA_KC=$tmp/sa.kubeconfig
sim_kubeconfig "$SA_KC" "$SIM_URL" "user: {token: \"$SA_TOKEN\"}" "certificate-authority: \"$tmp/ca.crt\""
CERT_KC=$tmp/cert.kubeconfig   # a client certificate, no token
sim_kubeconfig "$CERT_KC" "$SIM_URL" "user: {client-certificate: \"$tmp/client.crt\", client-key: \"$tmp/client.key\"}" \
  "certificate-authority: \"$tmp/ca.crt\""
BADCA_KC=$tmp/badca.kubeconfig   # the server's certificate is not signed by this CA
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/other.key" \
  -out "$tmp/other.crt" -days 1 -subj "/CN=other-ca" 2>/dev/null
sim_kubeconfig "$BADCA_KC" "$SIM_URL" "user: {token: \"$SIM_TOKEN\"}" "certificate-authority: \"$tmp/other.crt\""
APP=$(timeout 20 kubectl --kubeconfig "$KC" get pods -o name | grep -m1 gl-001-process-heat)
APP=${APP#pod/}

k() { timeout 20 kubectl --kubeconfig "$KC" "$@"; }

# kubectl exec: stdout on stdout, exit 0.
test_kubectl_exec_stdout() {
  local out rc
  out=$(k exec postgresql-0 -- psql -U postgres -c "SELECT 1" 2>"$tmp/err"); rc=$?
  expect_eq "kubectl exec: exit 0" 0 "$rc"
  if grep -q "(1 row)" <<<"$out" && [ ! -s "$tmp/err" ]; then ok "kubectl exec: psql's table on stdout, nothing on stderr"
  else bad "kubectl exec: psql's table on stdout" "stdout: $out; stderr: $(cat "$tmp/err")"; fi
}

# kubectl exec: a failing command's stderr on stderr and its exit code as kubectl's.
test_kubectl_exec_exit_codes() {
  local out rc
  out=$(k exec postgresql-0 -- psql -U postgres -c bogus 2>"$tmp/err"); rc=$?
  expect_eq "kubectl exec: psql's exit code 1" 1 "$rc"
  if [ -z "$out" ] && grep -q "^ERROR:" "$tmp/err" && grep -q "command terminated with exit code 1" "$tmp/err"; then
    ok "kubectl exec: psql's error on stderr"
  else bad "kubectl exec: psql's error on stderr" "stdout: $out; stderr: $(cat "$tmp/err")"; fi
  k exec "$APP" -- curl -s http://example.com/ >/dev/null 2>"$tmp/err"; rc=$?
  expect_eq "kubectl exec: curl's exit code 7" 7 "$rc"
  grep -q "Connection refused" "$tmp/err" && ok || bad "kubectl exec: curl's stderr" "$(cat "$tmp/err")"
  k exec postgresql-0 -- nosuchcmd >/dev/null 2>"$tmp/err"; rc=$?
  expect_eq "kubectl exec: an unknown command exits 127" 127 "$rc"
  k exec missing-0 -- psql >/dev/null 2>"$tmp/err"; rc=$?
  if [ "$rc" != 0 ] && grep -q 'pods "missing-0" not found' "$tmp/err"; then ok "kubectl exec: a missing pod is NotFound"
  else bad "kubectl exec: a missing pod is NotFound" "rc=$rc: $(cat "$tmp/err")"; fi
}

# rbk_exec NAME KUBECONFIG POD CMD_JSON [ARGS…]: rbk run of exec.rbk in pod/POD (or in REF when POD
# has a slash); output in $tmp/NAME.out, exit code in $rc.
rbk_exec() {
  local name=$1 kc=$2 ref=$3 cmd=$4
  shift 4
  [[ $ref == */* ]] || ref=pod/$ref
  (cd "$tmp" && timeout 60 "$rbk" run "$plan" --kubeconfig "$kc" --no-lock --journal "$tmp/$name.jsonl" --yes \
    -p ref="$ref" -p cmd="$cmd" "$@" >"$tmp/$name.out" 2>&1)
  rc=$?
}

# expect_line NAME FILE LINE: FILE has the exact line.
expect_line() { if grep -qxF -- "$3" "$2"; then ok "$1"; else bad "$1" "no line '$3' in: $(cat "$2")"; fi; }

# rbk's exec over HTTPS with a token: the exit status and both streams.
test_rbk_exec_token() {
  rbk_exec ok "$KC" postgresql-0 '["psql","-U","postgres","-c","SELECT 1"]'
  expect_eq "rbk exec (token): the run succeeds" 0 "$rc"
  expect_line "rbk exec (token): status 0" "$tmp/ok.out" "status=0"
  grep -q "(1 row)" "$tmp/ok.out" && ok || bad "rbk exec (token): psql's table in stdout" "$(cat "$tmp/ok.out")"
  rbk_exec fail "$KC" postgresql-0 '["psql","-U","postgres","-c","bogus"]'
  expect_line "rbk exec (token): psql's exit status 1" "$tmp/fail.out" "status=1"
  grep -q "^stderr=ERROR:" "$tmp/fail.out" && ok || bad "rbk exec (token): psql's error in stderr" "$(cat "$tmp/fail.out")"
  rbk_exec curl "$KC" "$APP" '["curl","-s","http://example.com/"]'
  expect_line "rbk exec (token): curl's exit status 7" "$tmp/curl.out" "status=7"
}

# rbk's exec in a Deployment: reads it, lists its pods by its selector, execs in one (as kubectl).
test_rbk_exec_deployment() {
  rbk_exec deploy "$KC" deployment/gl-001-process-heat-orchestrator '["python","manage.py","showmigrations","--plan"]'
  expect_line "rbk exec deployment/x: status 0" "$tmp/deploy.out" "status=0"
  grep -q "20251117143000" "$tmp/deploy.out" && ok || bad "rbk exec deployment/x: the migration plan" "$(cat "$tmp/deploy.out")"
  grep -q "GET /api/v1/namespaces/greenlang/pods?labelSelector=app%3Dgl-001-process-heat-orchestrator" "$tmp/mig.log" \
    && ok || bad "rbk exec deployment/x: the pods listed by the selector" "$(grep labelSelector "$tmp/mig.log")"
}

# rbk's exec over HTTPS with a client certificate.
test_rbk_exec_client_cert() {
  rbk_exec cert "$CERT_KC" postgresql-0 '["nosuchcmd"]'
  expect_eq "rbk exec (client certificate): the run succeeds" 0 "$rc"
  expect_line "rbk exec (client certificate): status 127" "$tmp/cert.out" "status=127"
  grep -q "^stderr=nosuchcmd: command not found" "$tmp/cert.out" && ok || bad "rbk exec (client certificate): stderr" "$(cat "$tmp/cert.out")"
}

# rbk's exec refuses a server its CA did not sign, reports a missing pod, and caps the output.
test_rbk_exec_failures() {
  rbk_exec badca "$BADCA_KC" postgresql-0 '["psql","-c","SELECT 1"]'
  if [ "$rc" != 0 ] && ! grep -q "^status=" "$tmp/badca.out"; then ok "rbk exec: an unknown CA fails the run"
  else bad "rbk exec: an unknown CA fails the run" "rc=$rc: $(cat "$tmp/badca.out")"; fi
  rbk_exec missing "$KC" missing-0 '["psql"]'
  if [ "$rc" != 0 ] && grep -q 'NotFound.*pods "missing-0" not found' "$tmp/missing.out"; then
    ok "rbk exec: a missing pod fails with the server's NotFound"
  else bad "rbk exec: a missing pod fails with the server's NotFound" "rc=$rc: $(cat "$tmp/missing.out")"; fi
  # A refused upgrade keeps no body (libwebsockets): the same path read without an upgrade gives
  # the server's words, and the command did not run.
  rbk_exec forbidden "$SA_KC" postgresql-0 '["psql","-U","postgres","-c","SELECT 1"]'
  if [ "$rc" != 0 ] && grep -q 'Forbidden.*cannot get resource "pods/exec"' "$tmp/forbidden.out"; then
    ok "rbk exec: a refused upgrade fails with the server's 403, naming the verb and resource"
  else bad "rbk exec: a refused upgrade fails with the server's 403, naming the verb and resource" "rc=$rc: $(cat "$tmp/forbidden.out")"; fi
  rbk_exec cap "$KC" postgresql-0 '["psql","-U","postgres","-c","SELECT 1"]' --max-response 8
  if [ "$rc" != 0 ] && grep -q "output passed 8 bytes" "$tmp/cap.out"; then ok "rbk exec: output over --max-response fails"
  else bad "rbk exec: output over --max-response fails" "rc=$rc: $(cat "$tmp/cap.out")"; fi
}

# rbk's exec is bounded by the action's timeout: a server that accepts and never answers.
test_rbk_exec_timeout() {
  python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4); print(s.getsockname()[1], flush=True)
conns = []
while True: conns.append(s.accept()[0])' >"$tmp/mute.port" &
  local mute=$! start end
  for _ in $(seq 50); do [ -s "$tmp/mute.port" ] && break; sleep 0.1; done
  sim_kubeconfig "$tmp/mute.kubeconfig" "http://127.0.0.1:$(cat "$tmp/mute.port")" "user: {}"
  start=$(date +%s)
  rbk_exec mute "$tmp/mute.kubeconfig" postgresql-0 '["psql"]' -p within=1s
  end=$(date +%s)
  kill "$mute" 2>/dev/null; wait "$mute" 2>/dev/null
  if [ "$rc" != 0 ] && grep -q "timed out" "$tmp/mute.out" && [ $((end - start)) -le 10 ]; then
    ok "rbk exec: a silent server times out with the action"
  else bad "rbk exec: a silent server times out with the action" "rc=$rc after $((end - start))s: $(cat "$tmp/mute.out")"; fi
}

# plans/db-migration-rollback.rbk over HTTPS in its scenario: rolled back, exit 0.
test_db_migration_plan() {
  python3 -c 'import http.server as h, sys
class S(h.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0))); self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
s = h.HTTPServer(("127.0.0.1", 0), S); print(s.server_address[1], flush=True); s.serve_forever()' >"$tmp/sink.port" &
  local sink=$!
  for _ in $(seq 50); do [ -s "$tmp/sink.port" ] && break; sleep 0.1; done
  mkdir -p "$tmp/mig"
  (cd "$tmp/mig" && timeout 120 "$rbk" run "$src/plans/db-migration-rollback.rbk" --kubeconfig "$KC" --no-lock \
    --journal "$tmp/mig/run.jsonl" --yes -p "reason=health/database failing since migration 20251117143000" \
    --secret "SLACK_WEBHOOK_URL=http://127.0.0.1:$(cat "$tmp/sink.port")/hook" >"$tmp/mig.out" 2>&1)
  local rc=$?
  kill "$sink" 2>/dev/null; wait "$sink" 2>/dev/null
  expect_eq "db-migration-rollback over HTTPS: exit 0" 0 "$rc"
  [ "$rc" = 0 ] || tail -20 "$tmp/mig.out"
  grep -q "run succeeded" "$tmp/mig.out" && ok || bad "db-migration-rollback over HTTPS: run succeeded" "$(tail -5 "$tmp/mig.out")"
  local execs
  execs=$(grep -c "/pods/postgresql-0/exec?command=pg_dump" "$tmp/mig.log")
  [ "$execs" -ge 1 ] && ok "db-migration-rollback over HTTPS: pg_dump ran over the exec WebSocket" \
    || bad "db-migration-rollback over HTTPS: pg_dump over WebSocket" "$(grep exec "$tmp/mig.log")"
}

t test_kubectl_exec_stdout
t test_kubectl_exec_exit_codes
t test_rbk_exec_token
t test_rbk_exec_deployment
t test_rbk_exec_client_cert
t test_rbk_exec_failures
t test_rbk_exec_timeout
t test_db_migration_plan
sim_stop_all
finish wsexec
