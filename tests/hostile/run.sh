#!/usr/bin/env bash
# The hostile-server suite: rbk run against tests/hostile/server.py, a local server that answers
# badly on purpose — invalid JSON, a 100 MiB body, no answer, a reset mid-body, CR in headers, a
# redirect to another host — and requests that must not leave at all: CR/LF in a header (from -p
# or --secret), a token, an object name or a label or field selector, credentials over plain http://. Every case must end within its time
# bound, with rbk's peak RSS (/usr/bin/time %M) under its bound, and with a clear one-line message.
# Usage: run.sh RBK SOURCE_DIR [FILTER]. Needs python3 and /usr/bin/time.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
cd "$src/tests/hostile" || exit 1
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time"; exit 1; }

log=$tmp/server.log
start_server "$log"
port=$(head -1 "$tmp/port")
[ -n "$port" ] || { echo "the server did not start"; cat "$tmp/server.err"; exit 1; }
base=http://127.0.0.1:$port

# Under AddressSanitizer (scripts/test.sh's second build) memory is shadowed and kept in quarantine:
# the memory bounds below are for a plain build and are tripled there.
rss_scale=1
grep -q "__asan_init" "$rbk" 2>/dev/null && rss_scale=3

# hit NAME CODE MESSAGE MAX_SECONDS MAX_MIB ARGS…: runs `rbk run ARGS…` and checks the exit code,
# that one output line holds MESSAGE (an ERE), the wall time and the peak RSS.
hit() {
  local name=$1 code=$2 msg=$3 max_s=$4 max_mib=$(($5 * rss_scale))
  shift 5
  local t0 t1 got rss ms
  t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$tmp/$name.rss" timeout 30 "$rbk" run "$@" --no-lock --no-prompt \
    --journal "$tmp/journals/" >"$tmp/$name.out" 2>&1
  got=$?
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
  rss=$(tail -1 "$tmp/$name.rss")
  expect_eq "$name: exit code" "$code" "$got"
  if grep -Eq -- "$msg" "$tmp/$name.out"; then ok "$name: says /$msg/"
  else bad "$name: says /$msg/" "$(tail -3 "$tmp/$name.out")"; fi
  if [ "$ms" -le $((max_s * 1000)) ]; then ok "$name: ends within ${max_s}s (${ms} ms)"
  else bad "$name: ends within ${max_s}s" "took ${ms} ms"; fi
  if [ "${rss:-999999999}" -le $((max_mib * 1024)) ]; then ok "$name: peak RSS under ${max_mib} MiB ($((rss / 1024)) MiB)"
  else bad "$name: peak RSS under ${max_mib} MiB" "${rss} KiB"; fi
}

# sent PATTERN: true when the server's log has a line matching PATTERN (an ERE).
sent() { grep -Eq -- "$1" "$log"; }

# A kubeconfig for the server: kubeconfig FILE SERVER [USER_LINE].
kubeconfig() {
  cat >"$1" <<EOK
apiVersion: v1
kind: Config
clusters:
- name: hostile
  cluster: {server: "$2"}
contexts:
- name: hostile
  context: {cluster: hostile, user: runner, namespace: default}
current-context: hostile
users:
- name: runner
  user: {${3:-}}
EOK
}

test_answers() {
  kubeconfig "$tmp/anon.kubeconfig" "$base"
  hit invalid-json 1 "configmaps/json: 200 OK, but the answer is not JSON: \{not json" 10 64 kube.rbk -p name=json --kubeconfig "$tmp/anon.kubeconfig"
  hit big-body 1 "response larger than 16 MiB" 20 80 get.rbk -p "base=$base" -p path=/big/100
  hit big-body-flag 1 "response larger than 1 MiB" 10 64 get.rbk -p "base=$base" -p path=/big/2 --max-response 1MiB
  hit big-body-raised 0 "" 20 120 get.rbk -p "base=$base" -p path=/big/20 --max-response 32MiB
  local j
  j=$(grep -l '"event":"action_end"' "$tmp"/journals/*.jsonl | xargs ls -t | head -1)
  if python3 - "$j" <<'PY'; then ok "a 20 MiB result is journaled as its size, digest and head"
import json, sys
ends = [json.loads(l) for l in open(sys.argv[1]) if '"action_end"' in l]
t = ends[-1]["result_truncated"]
assert "result" not in ends[-1] and t["bytes"] > 20 << 20 and t["sha256"].startswith("sha256:") and len(t["head"]) == 1024
assert max(len(l) for l in open(sys.argv[1])) < 8192
PY
  else bad "a 20 MiB result is journaled as its size, digest and head" "$(head -c 300 "$j")"; fi
  hit stall 1 "timed out|timeout" 10 64 get.rbk -p "base=$base" -p path=/stall
  hit reset 1 "reset|transfer closed|connection" 10 64 get.rbk -p "base=$base" -p path=/reset
  hit crlf-header 1 "Header without colon" 10 64 get.rbk -p "base=$base" -p path=/crlf
  hit redirect 1 "302 Found: redirects are not followed" 10 64 get.rbk -p "base=$base" -p path=/redirect
  if sent "/stolen"; then bad "the redirect is not followed"; else ok "the redirect is not followed"; fi
}

test_injection() {
  : >"$log"
  hit header-crlf 1 "X-Test.*CR, LF or NUL: refused" 10 64 get.rbk -p "base=$base" -p path=/ok \
    -p header=$'a\r\nX-Injected: yes'
  hit url-crlf 1 "CR, LF or NUL: refused" 10 64 get.rbk -p "base=$base" -p path=$'/ok\r\nX-Injected: yes'
  kubeconfig "$tmp/anon.kubeconfig" "$base"
  hit name-crlf 1 "get\(\): ref holds a CR, LF or NUL: refused" 10 64 kube.rbk -p $'name=x\r\nX-Injected: yes' \
    --kubeconfig "$tmp/anon.kubeconfig"
  hit secret-header-crlf 1 'http\(\): header "X-Test" holds a CR, LF or NUL: refused' 10 64 secret.rbk -p "base=$base" \
    --secret HEADER=$'a\r\nX-Injected: yes'
  hit selector-crlf 1 "list\(\): selector holds a CR, LF or NUL: refused" 10 64 list.rbk -p $'selector=app=x\r\nX-Injected: yes' \
    --kubeconfig "$tmp/anon.kubeconfig"
  if grep -q '^X-Injected' "$tmp/selector-crlf.out"; then bad "the refused selector starts no line of its own" "$(cat "$tmp/selector-crlf.out")"
  elif grep -qF 'list pod -l app=x\r\nX-Injected: yes' "$tmp/selector-crlf.out"; then ok "the refused selector starts no line of its own"
  else bad "the refused selector is shown as app=x\\r\\nX-Injected: yes" "$(cat "$tmp/selector-crlf.out")"; fi
  "$rbk" plan list.rbk -p $'selector=app=x\r\nX-Injected: yes' >"$tmp/plan-crlf.out" 2>&1
  if grep -q '^X-Injected' "$tmp/plan-crlf.out" || ! grep -qF 'app=x\r\nX-Injected: yes' "$tmp/plan-crlf.out"; then
    bad "the dry run shows a CR/LF selector on one line, escaped" "$(cat "$tmp/plan-crlf.out")"
  else ok "the dry run shows a CR/LF selector on one line, escaped"; fi
  hit field-lf 1 "list\(\): field holds a CR, LF or NUL: refused" 10 64 list.rbk -p $'field=a=b\nX-Injected: yes' \
    --kubeconfig "$tmp/anon.kubeconfig"
  kubeconfig "$tmp/crlf.kubeconfig" "https://127.0.0.1:$port" 'token: "abc\r\nX-Injected: yes"'
  hit token-crlf 1 "token holds a CR, LF or NUL: refused" 10 64 kube.rbk -p name=x --kubeconfig "$tmp/crlf.kubeconfig"
  kubeconfig "$tmp/plain.kubeconfig" "$base" 'token: "plain-http-token"'
  hit token-over-http 1 "credentials are never sent over plain http://" 10 64 kube.rbk -p name=x \
    --kubeconfig "$tmp/plain.kubeconfig"
  if sent "."; then bad "nothing was sent" "$(head -3 "$log")"; else ok "nothing was sent"; fi
  hit no-credentials-over-http 0 "" 10 64 kube.rbk -p name=x --kubeconfig "$tmp/anon.kubeconfig"
  if sent "GET /api/v1/namespaces/default/configmaps/x"; then ok "a request without credentials goes over http://"
  else bad "a request without credentials goes over http://" "$(cat "$log")"; fi
}

test_usage() {
  "$rbk" run get.rbk --max-response lots -p "base=$base" -p path=/ok >"$tmp/usage.out" 2>&1
  expect_eq "--max-response lots: usage error" 2 $?
  if grep -q "expects a size" "$tmp/usage.out"; then ok "--max-response says what it expects"
  else bad "--max-response says what it expects" "$(cat "$tmp/usage.out")"; fi
}

test_rehearsal_cap() {
  "$rbk" test "$src/plans/emergency-rollback.rbk" -p reason=x --yes --max-response 1k >"$tmp/rehearse.out" 2>&1
  expect_eq "rbk test --max-response 1k: the plan fails" 1 $?
  if grep -q "list replicaset failed (0ms): response larger than 1 KiB: https://kubernetes.default.svc" "$tmp/rehearse.out"; then
    ok "the simulator transport caps answers too"
  else bad "the simulator transport caps answers too" "$(grep -m2 larger "$tmp/rehearse.out")"; fi
}

t test_answers
t test_injection
t test_usage
t test_rehearsal_cap
finish hostile
