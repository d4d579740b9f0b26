#!/usr/bin/env bash
# tests/secrets/run.sh — no secret is ever written: every seed plan (plans/*.rbk; all but one read
# secret() directly or through lib/comms.rbk) is rehearsed (its sidecar cases, and secret-rollback
# once with this suite's secrets), previewed with `rbk plan --live` and run with `rbk run --output
# json --details` against `rbk sim` over HTTPS with a kubeconfig (its notifications going to a local
# webhook catcher, catcher.py), its journal printed with `rbk log` (text and json), and dry-run with
# `rbk plan` in every format. mixed.rbk adds a secret interpolated into a notification and a secret
# in a URL's user-info, echo.rbk an object named by a secret that the API server's error quotes
# back, host.rbk a secret as a host name (curl's error quotes it) and a webhook URL whose user-info
# is a secret.
# Then every byte written — stdout, stderr, journals, the notifications the catcher received —
# is searched for each secret value in plain, base64 and URL-encoded form: zero hits; and `***`
# must show where the secrets were, the notification keeping its other words.
# Usage: run.sh RBK SOURCE_DIR [FILTER].
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sim.sh"
HERE=$src/tests/secrets
cd "$src" || exit 1
out=$tmp/out
mkdir -p "$out" "$tmp/backup"

# The secrets: the previous password (with characters that URL encoding changes), the password the
# cluster's Secret holds, the webhook URL's secret part, a token for mixed.rbk and the kubeconfig's
# bearer token; then the built-in scenarios' own secrets (the sidecar cases use them).
PREV='S3cr3t-Value-4242/+='
ROTATED='S3cr3t-Rotated-4242'
HOOK_KEY='S3cr3t-Hook-4242'
MIXED='S3cr3t-Mixed-4242'
TOKEN="sim-token-S3cr3t-Token-4242"
SECRETS=("$PREV" "$ROTATED" "$HOOK_KEY" "$MIXED" "$TOKEN" gl001-prod-2025-10 gl001-rotated-2025-11-17
  T0REHEARSAL/B0REHEARSAL/rehearsal-recorder)
SIM_TOKEN=$TOKEN # sim.sh's servers accept it

# The webhook catcher (notifications land in $tmp/hooks.jsonl).
python3 "$HERE/catcher.py" "$tmp/hooks.jsonl" > "$tmp/catcher.url" &
CATCHER=$!
trap 'kill "$CATCHER" 2> /dev/null; sim_kill_all; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/catcher.url" ] && break; sleep 0.1; done
HOOK="$(head -1 "$tmp/catcher.url")/services/$HOOK_KEY"

# bad-secret with this suite's passwords.
cat > "$tmp/secret-scenario.json" <<EOS
{"extends": "bad-secret", "name": "bad-secret-suite",
 "cluster": {"secrets": [{"name": "gl-001-db-credentials", "age": "20m",
                          "stringData": {"username": "gl001_user", "password": "$ROTATED"}}]},
 "plant": {"bad_images": [], "database": {"secret": "gl-001-db-credentials", "password_key": "password",
                                          "expected_password": "$PREV"}},
 "plan_secrets": {"GL001_DB_PASSWORD_PREVIOUS": "$PREV"}}
EOS

# Every seed plan, each with "SCENARIO PARAM=VALUE…" from its sidecar's first case.
PLANS=(plans/*.rbk)
# plan_args PLAN: prints the scenario and the -p arguments of the plan's first sidecar case.
plan_args() {
  python3 - "${1%.rbk}.test.json" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["cases"][0]
params = dict(d.get("defaults", {}).get("params", {}), **c.get("params", {}))
print(c.get("scenario") or d.get("defaults", {}).get("scenario") or "bad-release")
for k, v in params.items():
    print(f"{k}={v}")
EOP
}

test_rehearsals() {
  local p n=0
  for p in "${PLANS[@]}"; do
    "$rbk" test "$p" -v > "$out/test-$(basename "$p").out" 2>&1 || { bad rehearsals "rbk test $p failed"; return; }
    n=$((n + 1))
  done
  "$rbk" test plans/secret-rollback.rbk --scenario "$tmp/secret-scenario.json" --yes -p reason=suite \
    --secret SLACK_WEBHOOK_URL="$HOOK" --output json > "$out/test-suite.out" 2>&1 ||
    { bad rehearsals "the suite's secret-rollback rehearsal: $(tail -3 "$out/test-suite.out")"; return; }
  "$rbk" test "$HERE/mixed.rbk" --secret MIXED_TOKEN="$MIXED" --secret HOOK_URL="$HOOK" > "$out/test-mixed.out" 2>&1
  grep -q 'token is \*\*\* and \[1,2,3\]' "$out/test-mixed.out" || { bad rehearsals "mixed: $(head -5 "$out/test-mixed.out")"; return; }
  "$rbk" test "$HERE/echo.rbk" --secret MIXED_TOKEN="$MIXED" > "$out/test-echo.out" 2>&1
  grep -q 'configmaps "\*\*\*" not found' "$out/test-echo.out" || { bad rehearsals "echo: $(head -5 "$out/test-echo.out")"; return; }
  [ "$n" -ge 10 ] || { bad rehearsals "only $n seed plans"; return; }
  [ "$(grep -l 'secret(\|lib/comms.rbk' "${PLANS[@]}" | wc -l)" -ge 9 ] || { bad rehearsals "fewer plans use secrets"; return; }
  ok
}

# run_plan PLAN SCENARIO PARAMS…: runs PLAN against a new simulator of SCENARIO; its output,
# journal and logs go to $out/run-NAME.*.
run_plan() {
  local plan=$1 scenario=$2 name
  name=$(basename "$plan" .rbk)
  shift 2
  local params=() kv
  for kv in "$@"; do params+=(-p "$kv"); done
  grep -q '^param backup_dir' "$plan" && params+=(-p backup_dir="$tmp/backup") # not into the source tree
  sim_start "$name" "$scenario" --speed 50 --quiet
  echo "${SIM_PIDS[-1]}" >> "$tmp/sim.pids" # run_plan runs in a subshell: the suite stops the servers
  [ -n "$SIM_URL" ] || { echo "$name: the simulator did not start" > "$out/run-$name.code"; return 1; }
  sim_kubeconfig "$tmp/$name.kubeconfig" "$SIM_URL" "user: {token: \"$TOKEN\"}" "certificate-authority: \"$tmp/ca.crt\""
  # The live preview reads secret() from the environment; 0 (would proceed) or 1 (would stop).
  GL001_DB_PASSWORD_PREVIOUS="$PREV" SLACK_WEBHOOK_URL="$HOOK" timeout 60 "$rbk" plan "$plan" --live \
    --kubeconfig "$tmp/$name.kubeconfig" "${params[@]}" > "$out/live-$name.out" 2>&1
  echo "$?" > "$out/live-$name.code"
  local t0=$SECONDS
  timeout 60 "$rbk" run "$plan" --kubeconfig "$tmp/$name.kubeconfig" --yes --no-prompt "${params[@]}" \
    --secret GL001_DB_PASSWORD_PREVIOUS="$PREV" --secret SLACK_WEBHOOK_URL="$HOOK" \
    --output json --details --journal "$out/run-$name.jsonl" > "$out/run-$name.out" 2> "$out/run-$name.err"
  local code=$?
  echo "$code" > "$out/run-$name.code"
  echo "  $name: exit $code after $((SECONDS - t0))s" >> "$tmp/times"
  "$rbk" log "$out/run-$name.jsonl" > "$out/log-$name.out" 2>&1
  "$rbk" log "$out/run-$name.jsonl" --output json > "$out/log-$name.json" 2>&1
}

test_runs() {
  local p args pids=()
  for p in "${PLANS[@]}"; do # at once: the plans' waits and polls take wall-clock time
    if [[ "$p" == *secret-rollback* ]]; then
      run_plan "$p" "$tmp/secret-scenario.json" "reason=suite" &
    else
      mapfile -t args < <(plan_args "$p")
      run_plan "$p" "${args[@]}" &
    fi
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  timeout 30 "$rbk" run "$HERE/echo.rbk" --kubeconfig "$tmp/secret-rollback.kubeconfig" --secret MIXED_TOKEN="$MIXED" \
    --output json --details --journal "$out/run-echo.jsonl" > "$out/run-echo.out" 2> "$out/run-echo.err"
  "$rbk" log "$out/run-echo.jsonl" > "$out/log-echo.out" 2>&1
  mapfile -t SIM_PIDS < "$tmp/sim.pids"
  sim_kill_all
  SIM_PIDS=()
  local code
  for p in "${PLANS[@]}"; do
    code=$(cat "$out/live-$(basename "$p" .rbk).code")
    [ "$code" = 0 ] || [ "$code" = 1 ] || { bad runs "rbk plan --live $p: exit $code: $(tail -3 "$out/live-$(basename "$p" .rbk).out")"; return; }
    grep -q '^Live preview of' "$out/live-$(basename "$p" .rbk).out" || { bad runs "rbk plan --live $p: no preview"; return; }
  done
  [ "$(cat "$out/run-secret-rollback.code")" = 0 ] ||
    { bad runs "secret-rollback exit $(cat "$out/run-secret-rollback.code"): $(tail -3 "$out/run-secret-rollback.err")"; return; }
  local got
  got=$(python3 - "$out/run-secret-rollback.jsonl" <<'EOP'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r.get("event") == "action_end" and r.get("action") == "get" and r.get("target", "").startswith("secret/"):
        print(json.dumps(r["result"]["data"], sort_keys=True))
        break
EOP
)
  [ "$got" = '{"password": "***", "username": "***"}' ] || { bad runs "the Secret's data in the journal: $got"; return; }
  grep -q 'ROLLBACK COMPLETE' "$tmp/hooks.jsonl" || { bad runs "no notification received"; return; }
  "$rbk" run "$HERE/mixed.rbk" --secret MIXED_TOKEN="$MIXED" --secret HOOK_URL="$HOOK" --output json --details \
    --journal "$out/run-mixed.jsonl" > "$out/run-mixed.out" 2> "$out/run-mixed.err"
  "$rbk" log "$out/run-mixed.jsonl" > "$out/log-mixed.out" 2>&1
  local text
  text=$(python3 -c 'import json, sys; print([json.loads(json.loads(l)["body"])["text"] for l in open(sys.argv[1])][-1])' \
    "$tmp/hooks.jsonl")
  [ "$text" = 'token is *** and [1,2,3]' ] || { bad runs "the notification sent '$text'"; return; }
  # Refused before sending (credentials over plain http://), the URL's user-info shown as ***@.
  grep -q 'credentials are never sent over plain http:// (http://\*\*\*@127.0.0.1:1)' "$out/run-mixed.err" ||
    { bad runs "user-info: $(cat "$out/run-mixed.err")"; return; }
  grep -q 'http://\*\*\*@127.0.0.1:1' "$out/log-mixed.out" || { bad runs "user-info in rbk log"; return; }
  grep -q 'configmaps "\*\*\*" not found' "$out/run-echo.err" || { bad runs "server echo: $(cat "$out/run-echo.err")"; return; }
  ok
}

# A secret as a host name and as a webhook URL's user-info (the issue's http://u:VALUE@host/h):
# shown as *** and ***@ on stdout, stderr, in the journal and in `rbk log`.
test_host_names() {
  "$rbk" run "$HERE/host.rbk" --secret MIXED_TOKEN="$MIXED" --secret HOOK_URL="http://u:$HOOK_KEY@127.0.0.1:1/h" \
    --no-prompt --journal "$out/run-host.jsonl" > "$out/run-host.out" 2> "$out/run-host.err"
  "$rbk" log "$out/run-host.jsonl" > "$out/log-host.out" 2>&1
  local f
  for f in run-host.out run-host.err run-host.jsonl log-host.out; do
    grep -q 'could not resolve host: https://\*\*\*\.invalid' "$out/$f" ||
      { bad host_names "no 'could not resolve host: https://***.invalid' in $f: $(tail -3 "$out/$f")"; return; }
  done
  for f in run-host.out run-host.jsonl log-host.out; do
    grep -q 'slack #secrets failed: refused: credentials are never sent over plain http:// (http://\*\*\*@127.0.0.1:1)' \
      "$out/$f" || { bad host_names "no user-info as ***@ in $f: $(grep -m1 secrets "$out/$f")"; return; }
  done
  ok
}

test_plans_and_check() {
  local p f args kv params
  for p in "${PLANS[@]}" "$HERE/mixed.rbk" "$HERE/echo.rbk" "$HERE/host.rbk"; do
    params=()
    if [ -f "${p%.rbk}.test.json" ]; then
      mapfile -t args < <(plan_args "$p")
      for kv in "${args[@]:1}"; do params+=(-p "$kv"); done
    fi
    for f in text json dot mermaid; do
      "$rbk" plan "$p" --format $f "${params[@]}" > "$out/plan-$(basename "$p")-$f.out" 2>&1 ||
        { bad plans_and_check "rbk plan $p --format $f: $(tail -2 "$out/plan-$(basename "$p")-$f.out")"; return; }
    done
  done
  "$rbk" check "$HERE/mixed.rbk" > "$out/check-mixed.out" 2>&1
  grep -q 'warning: the notify message holds a secret' "$out/check-mixed.out" ||
    { bad plans_and_check "no warning from rbk check: $(cat "$out/check-mixed.out")"; return; }
  ok
}

# Searches every file of $out and the bodies the catcher received for each secret in plain,
# base64 and URL-encoded form; prints the hits.
leaks() {
  python3 - "$out" "$tmp/hooks.jsonl" "${SECRETS[@]}" <<'EOP'
import base64, json, os, re, sys, urllib.parse
folder, hooks, secrets = sys.argv[1], sys.argv[2], sys.argv[3:]
texts = {}
for name in sorted(os.listdir(folder)):
    texts[name] = open(os.path.join(folder, name), "rb").read().decode("utf-8", "replace")
if os.path.exists(hooks):
    texts["notifications"] = "\n".join(json.loads(l)["body"] for l in open(hooks, encoding="utf-8"))
for s in secrets:
    b = s.encode()
    forms = {s, urllib.parse.quote(s, safe=""), urllib.parse.quote_plus(s), re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), urllib.parse.quote(s, safe=""))}
    for enc in (base64.b64encode, base64.urlsafe_b64encode):
        forms.add(enc(b).decode())
        forms.add(enc(b).decode().rstrip("="))
    for name, text in texts.items():
        for f in forms:
            if f in text:
                line = next(l for l in text.splitlines() if f in l)
                print(f"{name}: {f!r} in {line[:200]!r}")
EOP
}

test_no_leaks() {
  local n hits
  n=$(ls "$out" | wc -l)
  [ "$n" -ge 20 ] || { bad no_leaks "only $n output files"; return; }
  hits=$(leaks)
  [ -z "$hits" ] || { bad no_leaks "$(head -20 <<< "$hits")"; return; }
  grep -lq '\*\*\*' "$out"/* || { bad no_leaks "no *** anywhere"; return; }
  ok
}

t test_rehearsals
t test_runs
t test_host_names
t test_plans_and_check
t test_no_leaks
echo "rbk run against rbk sim:" && sort "$tmp/times"
finish secrets
