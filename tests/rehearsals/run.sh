#!/usr/bin/env bash
# Rehearsals: every case of every plan's sidecar (plans/*.test.json) against the simulator in
# virtual time — `rbk test plans/`, which ends with "N passed, M failed" — and the properties of
# `rbk test` itself: determinism, exit codes, secrets never printed, a broken expectation or sidecar
# caught, the world report. Usage: run.sh RBK SOURCE_DIR [FILTER]. Needs python3.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
unset SLACK_WEBHOOK_URL GL001_DB_PASSWORD_PREVIOUS
cd "$src" || exit 1

# Every plan in plans/ has a sidecar, and every case passes.
all_plans() {
  local out code
  for p in plans/*.rbk; do
    [ -e "${p%.rbk}.test.json" ] || [ -e "${p%.rbk}.test.yaml" ] || bad all_plans "$p has no sidecar"
  done
  out=$("$rbk" test plans/ 2>&1)
  code=$?
  echo "$out"
  [ "$code" = 0 ] || { bad all_plans "rbk test plans/ exited $code"; return; }
  [[ "$(tail -n 1 <<<"$out")" =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]] || { bad all_plans "closing line: $(tail -n 1 <<<"$out")"; return; }
  ok
}

# The same plan, scenario and seed give a byte-identical event stream and world (flaky-api draws
# faults from the seed); another seed gives another stream.
determinism() {
  local args=(test plans/emergency-rollback.rbk --scenario flaky-api -p reason=x --yes --output json)
  "$rbk" "${args[@]}" >"$tmp/a.json" 2>&1
  "$rbk" "${args[@]}" >"$tmp/b.json" 2>&1
  "$rbk" "${args[@]}" --seed 7 >"$tmp/c.json" 2>&1
  cmp -s "$tmp/a.json" "$tmp/b.json" || { bad determinism "two runs differ"; return; }
  cmp -s "$tmp/a.json" "$tmp/c.json" && { bad determinism "--seed 7 changed nothing"; return; }
  ok
}

# One rehearsal: the JSON stream is rbk run's events, then one {"rehearsal", "world"} line.
json_stream() {
  "$rbk" test plans/emergency-rollback.rbk --scenario bad-release -p reason=x --yes --output json >"$tmp/s.json" 2>"$tmp/s.err"
  local code=$?
  [ "$code" = 0 ] || { bad json_stream "exit $code: $(cat "$tmp/s.err")"; return; }
  python3 - "$tmp/s.json" <<'EOF' || { bad json_stream "stream"; return; }
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
events, last = lines[:-1], lines[-1]
assert events[0]["event"] == "run_start" and events[-1]["event"] == "run_end", "run_start … run_end"
assert all(list(e)[:2] == ["t_ms", "event"] for e in events), "key order"
assert all("node" in e for e in events if e["event"] == "action_start"), "every action has a node"
w = last["world"]
assert last["rehearsal"]["scenario"] == "bad-release" and last["rehearsal"]["seed"] == 1
assert w["images"]["gl-001-process-heat-orchestrator"] == "gcr.io/greenlang/gl-001:1.4.2", w["images"]
assert w["heat_loss_plants"] == 0 and w["agents"]["total"] == 99
assert [n["channel"] for n in w["notifications"]].count("#gl-001-incidents") == 2
EOF
  ok
}

# The text report ends with the simulated world: images, plants, agents, notifications.
text_world() {
  local out
  out=$("$rbk" test plans/emergency-rollback.rbk --scenario stuck-rollout -p reason=x --yes 2>&1)
  [ $? = 1 ] || { bad text_world "stuck-rollout should exit 1"; return; }
  grep -q 'gl-001-process-heat-orchestrator  3/3 ready  gcr.io/greenlang/gl-001:1.5.0' <<<"$out" || { bad text_world "images"; return; }
  grep -q 'plants (5 with heat loss)' <<<"$out" || { bad text_world "plants"; return; }
  grep -q '^agents: 0/99 connected' <<<"$out" || { bad text_world "agents"; return; }
  grep -q '#gl-001-incidents    ❌ ROLLBACK FAILED' <<<"$out" || { bad text_world "notifications"; return; }
  grep -q '^rbk: .*rollout failed: pod gl-001-process-heat-orchestrator-.* is in ImagePullBackOff' <<<"$out" || { bad text_world "error line"; return; }
  ok
}

# Exit codes of one rehearsal: 2 for usage, plan and scenario errors, 3 for a missing approval.
exit_codes() {
  local code
  "$rbk" test plans/emergency-rollback.rbk --scenario bad-release >/dev/null 2>&1; code=$?
  [ "$code" = 2 ] || bad exit_codes "missing param: $code"
  "$rbk" test plans/emergency-rollback.rbk --scenario no-such -p reason=x >/dev/null 2>&1; code=$?
  [ "$code" = 2 ] || bad exit_codes "unknown scenario: $code"
  printf 'step "x" {\n  nope()\n}\n' >"$tmp/broken.rbk"
  "$rbk" test "$tmp/broken.rbk" >/dev/null 2>&1; code=$?
  [ "$code" = 2 ] || bad exit_codes "plan errors: $code"
  "$rbk" test plans/coordinated-rollback.rbk --scenario bad-release -p reason=x >/dev/null 2>&1; code=$?
  [ "$code" = 3 ] || bad exit_codes "approval: $code"
  "$rbk" test plans/coordinated-rollback.rbk --scenario bad-release -p reason=x \
    --approve coordinated-rollback-order-and-scope-reviewed >/dev/null 2>&1; code=$?
  [ "$code" = 0 ] || bad exit_codes "--approve slug: $code"
  "$rbk" test plans/ -p reason=x >/dev/null 2>&1; code=$?
  [ "$code" = 2 ] || bad exit_codes "-p with a directory: $code"
  ok
}

# secret(): --secret beats the scenario's plan_secrets; values never reach the output.
secrets() {
  local out
  out=$("$rbk" test plans/secret-rollback.rbk --scenario bad-secret -p reason=x --yes 2>&1)
  [ $? = 0 ] || { bad secrets "bad-secret should pass"; return; }
  grep -q 'gl001-prod-2025-10\|hooks.slack.com' <<<"$out" && { bad secrets "a secret was printed"; return; }
  "$rbk" test plans/secret-rollback.rbk --scenario bad-secret -p reason=x --yes \
    --secret GL001_DB_PASSWORD_PREVIOUS=wrong-password >/dev/null 2>&1
  [ $? = 1 ] || { bad secrets "--secret should win over plan_secrets (and the wrong password fail)"; return; }
  ok
}

# A wrong expectation, a lying dry-run check and a malformed sidecar are caught: exit 1, reasons.
catches() {
  cp -r plans "$tmp/plans"
  python3 - "$tmp/plans/emergency-rollback.test.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["cases"][0]["expect"]["mutating_actions"] = 7
doc["cases"][0]["expect"]["final"]["images"]["gl-001-process-heat-orchestrator"] = "gcr.io/greenlang/gl-001:1.5.0"
json.dump(doc, open(sys.argv[1], "w"))
EOF
  local out
  out=$("$rbk" test "$tmp/plans/emergency-rollback.rbk" 2>&1)
  [ $? = 1 ] || { bad catches "a broken expectation should exit 1"; return; }
  grep -q 'expected 7 mutating actions, got 1' <<<"$out" || { bad catches "count reason: $out"; return; }
  grep -q 'expected gl-001-process-heat-orchestrator to run gcr.io/greenlang/gl-001:1.5.0' <<<"$out" || { bad catches "image reason"; return; }
  grep -Eq '^[1-9][0-9]* passed, 1 failed$' <<<"$out" || { bad catches "closing line: $(tail -n 1 <<<"$out")"; return; }
  echo '{"cases": [{"scenario": "bad-release", "expect": {"exitt": 0}}]}' >"$tmp/plans/triage.test.json"
  out=$("$rbk" test "$tmp/plans/triage.rbk" 2>&1)
  [ $? = 1 ] && grep -q 'unknown key "exitt"' <<<"$out" || { bad catches "malformed sidecar: $out"; return; }
  ok
}

# --case selects cases by glob; JSON output has one object per case and a closing tally.
case_filter() {
  local out
  out=$("$rbk" test plans/ --case '*no-backup-heat*' --output json 2>&1)
  python3 - <<EOF || { bad case_filter "$out"; return; }
import json
lines = [json.loads(l) for l in '''$out'''.splitlines()]
cases = [l for l in lines if "case" in l]
assert cases and all("no-backup-heat" in c["case"] and c["passed"] for c in cases)
assert all(c["mutating_actions"] == 0 for c in cases), "no-backup-heat must change nothing"
assert lines[-1] == {"passed": len(cases), "failed": 0}
EOF
  ok
}

# Cases run in parallel child processes print the same report as one by one.
parallel() {
  "$rbk" test plans/ --case '*no-backup-heat*' -j 1 >"$tmp/j1.txt" 2>&1
  "$rbk" test plans/ --case '*no-backup-heat*' -j 3 >"$tmp/j3.txt" 2>&1
  cmp -s "$tmp/j1.txt" "$tmp/j3.txt" || { bad parallel "-j 1 and -j 3 differ"; return; }
  grep -Eq '^[1-9][0-9]* passed, 0 failed$' "$tmp/j3.txt" || { bad parallel "$(tail -n 1 "$tmp/j3.txt")"; return; }
  ok
}

# --ignore-deadline: one rehearsal and every sidecar case run past the runbook's deadline.
ignore_deadline() {
  local code
  "$rbk" test tests/run/deadline.rbk >/dev/null 2>"$tmp/dl.err"; code=$?
  [ "$code" = 1 ] && grep -q '^rbk: deadline 1m exceeded$' "$tmp/dl.err" || { bad ignore_deadline "without the flag: exit $code"; return; }
  "$rbk" test tests/run/deadline.rbk --ignore-deadline >/dev/null 2>&1 || { bad ignore_deadline "one rehearsal: exit $?"; return; }
  cp tests/run/deadline.rbk "$tmp/dl.rbk"
  echo '{"cases": [{"name": "past the deadline", "expect": {"exit": 0}}]}' >"$tmp/dl.test.json"
  "$rbk" test "$tmp/dl.rbk" >/dev/null 2>&1; code=$?
  [ "$code" = 1 ] || { bad ignore_deadline "a case without the flag: exit $code"; return; }
  "$rbk" test "$tmp/dl.rbk" --ignore-deadline >"$tmp/dl.out" 2>&1 || { bad ignore_deadline "a case: $(cat "$tmp/dl.out")"; return; }
  ok
}

# A poll that never succeeds: the rehearsal stops at the virtual-time cap (24h without a deadline,
# twice the deadline with one, --max-virtual-time), exit 1, one line naming the plan and the cap,
# and a bounded output; a sidecar case stopped there fails even when it expects exit 1.
virtual_time_cap() {
  local code
  cat >"$tmp/cap.rbk" <<'EOF'
runbook "cap" {
  title = "never healthy"
}
let orch = http("https://orch")
step "db" {
  wait until orch.get("/api/v1/health/database").connected every 5s timeout 1000h
}
EOF
  timeout 120 "$rbk" test "$tmp/cap.rbk" --scenario bad-secret >"$tmp/cap.out" 2>"$tmp/cap.err"; code=$?
  [ "$code" = 1 ] || { bad virtual_time_cap "no deadline: exit $code"; return; }
  grep -qxF "rbk: $tmp/cap.rbk: rehearsal stopped at the virtual-time cap of 24h (no deadline: 24h; --max-virtual-time sets another)" "$tmp/cap.err" ||
    { bad virtual_time_cap "stderr: $(cat "$tmp/cap.err")"; return; }
  grep -q '✗ run failed after 24h: stopped at the virtual-time cap of 24h$' "$tmp/cap.out" || { bad virtual_time_cap "no run_end line"; return; }
  [ "$(wc -c <"$tmp/cap.out")" -lt 20000 ] || { bad virtual_time_cap "printed $(wc -c <"$tmp/cap.out") bytes for one poll"; return; }
  [ "$(grep -c '"status":"Failure"' "$tmp/cap.out")" = 1 ] || { bad virtual_time_cap "the failing body is not printed exactly once"; return; }
  sed -i 's/^  title = "never healthy"$/&\n  deadline = 1h/' "$tmp/cap.rbk"
  "$rbk" test "$tmp/cap.rbk" --scenario bad-secret --ignore-deadline >/dev/null 2>"$tmp/cap.err"; code=$?
  [ "$code" = 1 ] && grep -q 'virtual-time cap of 2h (twice the deadline' "$tmp/cap.err" ||
    { bad virtual_time_cap "deadline 1h: exit $code, $(cat "$tmp/cap.err")"; return; }
  "$rbk" test "$tmp/cap.rbk" --scenario bad-secret --ignore-deadline --max-virtual-time 10m >/dev/null 2>"$tmp/cap.err"; code=$?
  [ "$code" = 1 ] && grep -q 'virtual-time cap of 10m (--max-virtual-time)' "$tmp/cap.err" ||
    { bad virtual_time_cap "--max-virtual-time 10m: exit $code, $(cat "$tmp/cap.err")"; return; }
  "$rbk" test "$tmp/cap.rbk" --max-virtual-time 0s >/dev/null 2>"$tmp/cap.err"; code=$?
  [ "$code" = 2 ] && grep -q 'expects a duration above 0' "$tmp/cap.err" || { bad virtual_time_cap "--max-virtual-time 0s: exit $code"; return; }
  echo '{"cases": [{"name": "stuck", "scenario": "bad-secret", "expect": {"exit": 1}}]}' >"$tmp/cap.test.json"
  "$rbk" test "$tmp/cap.rbk" --ignore-deadline --max-virtual-time 30m >"$tmp/cap.out" 2>&1; code=$?
  [ "$code" = 1 ] && grep -q 'case "stuck": .*cap.rbk: rehearsal stopped at the virtual-time cap of 30m' "$tmp/cap.out" ||
    { bad virtual_time_cap "a case: exit $code, $(head -5 "$tmp/cap.out")"; return; }
  ok
}

for test in all_plans determinism json_stream text_world exit_codes secrets catches case_filter parallel ignore_deadline \
  virtual_time_cap; do t "$test"; done
finish rehearsals
