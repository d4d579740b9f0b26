#!/usr/bin/env bash
# The run shell: rbk run / resume / log around the engine — journal records and fsync, secrets,
# resume after kills at many points with no mutating action repeated, determinism, approvals
# (pty and flags), signals, journal write failures, exit codes, rbk log.
# Usage: run.sh RBK SOURCE_DIR [FILTER]. Needs python3; strace and setpriv when present.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
export USER=tester RBK_TEST_TOKEN=hunter2-do-not-print
chmod 755 "$tmp"
cd "$src/tests/run" || exit 1

# Checks that every line of journal $1 is a complete JSON object; prints the problem.
valid_journal() {
  python3 - "$1" <<'EOF'
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if not line.endswith("\n"):
        sys.exit(f"line {n} is incomplete")
    if not isinstance(json.loads(line), dict):
        sys.exit(f"line {n} is not an object")
EOF
}

# Waits until journal $1 holds a record with the text $2 ('"event":"step_end"'): a loaded machine,
# or a sanitizer build, can take longer than any fixed sleep to start. Returns 1 after 20 s without.
wait_record() {
  local n=0
  until grep -qF "$2" "$1" 2> /dev/null; do
    [ $n -lt 400 ] || return 1
    sleep 0.05
    n=$((n + 1))
  done
}

# Prints the value of key $2 of the records of journal $1 whose event is $3 (one per line).
jfield() {
  python3 - "$@" <<'EOF'
import json, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
path, key, event = sys.argv[1:4]
for line in open(path, encoding="utf-8"):
    r = json.loads(line)
    if r.get("event") == event and key in r:
        print(json.dumps(r[key]) if not isinstance(r[key], str) else r[key])
EOF
}

test_journal_records() {
  local j=$tmp/rec.jsonl
  "$rbk" run steps.rbk --script steps.script.json --virtual --journal "$j" -p target=api --operator alice \
    --output json > "$tmp/rec.out" 2>&1
  local code=$?
  [ $code = 0 ] || { bad journal_records "exit $code: $(cat "$tmp/rec.out")"; return; }
  local why
  why=$(valid_journal "$j") || { bad journal_records "$why"; return; }
  [ "$(wc -l < "$j")" = "$(wc -l < "$tmp/rec.out")" ] || { bad journal_records "one record per event expected"; return; }
  [ "$(jfield "$j" operator run_start)" = alice ] || { bad journal_records "operator"; return; }
  [ "$(jfield "$j" assigns run_start)" = '["target=api"]' ] || { bad journal_records "assigns"; return; }
  [ "$(jfield "$j" params run_start)" = '{"target": "api"}' ] || { bad journal_records "params: $(jfield "$j" params run_start)"; return; }
  jfield "$j" plan_hash run_start | grep -qE '^sha256:[0-9a-f]{64}$' || { bad journal_records "plan_hash"; return; }
  [ -n "$(jfield "$j" host run_start)" ] || { bad journal_records "host"; return; }
  [ "$(jfield "$j" exit_code run_end)" = 0 ] || { bad journal_records "run_end exit_code"; return; }
  [ "$(jfield "$j" key step_end | head -1)" = "|scale down" ] || { bad journal_records "step keys"; return; }
  jfield "$j" seq action_end | head -1 | grep -qE '^[0-9]+$' || { bad journal_records "seq"; return; }
  ok
}

test_default_journal_dir() {
  mkdir -p "$tmp/cwd" && cp steps.rbk steps.script.json "$tmp/cwd/"
  (cd "$tmp/cwd" && "$rbk" run steps.rbk --script steps.script.json --virtual --journal .rbk/runs/ > /dev/null 2>&1)
  local f
  f=$(ls "$tmp/cwd/.rbk/runs/" 2>/dev/null)
  [[ "$f" =~ ^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}\.jsonl$ ]] || { bad default_journal_dir "file name '$f'"; return; }
  [ "$(jfield "$tmp/cwd/.rbk/runs/$f" run_id run_start).jsonl" = "$f" ] || { bad default_journal_dir "run id"; return; }
  ok
}

# The journal's group commit (docs/run.md "The journal on disk"): every record is one write() at
# once; run_start, run_end, a mutating action_start and a notify are fsync'ed right after their
# write (with everything before them); the other records are fsync'ed together later — before the
# engine waits — so there are fewer fsyncs than records, and none is left unsynced at the end.
test_fsync_group_commit() {
  command -v strace > /dev/null || { ok; return; }
  local j=$tmp/fsync.jsonl
  ASAN_OPTIONS=detect_leaks=0 strace -f -s 100000 -e trace=openat,write,fsync -o "$tmp/strace" "$rbk" run steps.rbk \
    --script steps.script.json --virtual --journal "$j" > /dev/null 2>&1 || { bad fsync_group_commit "run failed"; return; }
  local result
  result=$(python3 - "$tmp/strace" "$j" <<'EOF'
import json, re, sys
trace, journal = sys.argv[1:3]
fd, ops = None, []
for line in open(trace):
    m = re.search(r'openat\(.*"%s".*= (\d+)$' % re.escape(journal), line)
    if m:
        fd = m.group(1)
    elif fd and re.search(r'\bwrite\(%s, "' % fd, line):
        seq = re.search(r'\{\\"seq\\":(\d+),', line)
        mut = '\\"mutating\\":true' in line
        ev = re.search(r'\\"event\\":\\"(\w+)\\"', line)
        mut = mut and '\\"status\\":' not in line  # a replay (skipped) sends nothing
        ops.append((int(seq.group(1)) if seq else -1, ev.group(1) if ev else "?", mut))
    elif fd and re.search(r'\bfsync\(%s\)' % fd, line):
        ops.append("fsync")
records = [json.loads(l) for l in open(journal)]
writes = [o for o in ops if o != "fsync"]
problems = []
if [w[0] for w in writes] != [r["seq"] for r in records]:
    problems.append("the writes are not the records, one each")
for i, o in enumerate(ops):
    if o == "fsync":
        continue
    now = o[1] in ("run_start", "run_end", "notify") or (o[1] == "action_start" and o[2])
    if now and (i + 1 == len(ops) or ops[i + 1] != "fsync"):
        problems.append("record %d (%s) not fsync'ed at once" % (o[0], o[1]))
fsyncs = ops.count("fsync")
if not fsyncs < len(records):
    problems.append("%d fsyncs for %d records: nothing grouped" % (fsyncs, len(records)))
if ops and ops[-1] != "fsync":
    problems.append("the last record is not fsync'ed")
print("; ".join(problems) if problems else "ok")
EOF
)
  [ "$result" = ok ] || { bad fsync_group_commit "$result"; return; }
  ok
}

test_secrets_never_printed() {
  local j=$tmp/sec.jsonl all=$tmp/sec.all
  : > "$all"
  for out in text json; do
    "$rbk" run secrets.rbk --script secrets.script.json --virtual --journal "$tmp/sec-$out.jsonl" --output $out \
      --details >> "$all" 2>&1
    cat "$tmp/sec-$out.jsonl" >> "$all"
    "$rbk" log "$tmp/sec-$out.jsonl" >> "$all" 2>&1
    "$rbk" log "$tmp/sec-$out.jsonl" --output json >> "$all" 2>&1
  done
  echo "$RBK_TEST_TOKEN-file" > "$tmp/secret.txt"
  "$rbk" run secrets.rbk --script secrets.script.json --virtual --journal "$j" --secret RBK_TEST_TOKEN=@"$tmp/secret.txt" \
    >> "$all" 2>&1
  cat "$j" >> "$all"
  grep -q '\*\*\*' "$all" || { bad secrets_never_printed "no masked value seen at all"; return; }
  grep -q "assert failed: bad token \\*\\*\\*" "$all" || { bad secrets_never_printed "error message not masked"; return; }
  if grep -q "hunter2" "$all"; then bad secrets_never_printed "$(grep -m3 hunter2 "$all")"; return; fi
  ok
}

test_determinism() {
  local a b
  a=$("$rbk" run steps.rbk --script steps.script.json --virtual --output json --details 2>&1)
  b=$("$rbk" run steps.rbk --script steps.script.json --virtual --output json --details 2>&1)
  [ -n "$a" ] && [ "$a" = "$b" ] || { bad determinism "two JSON streams differ"; return; }
  a=$("$rbk" run steps.rbk --script steps.script.json --virtual 2>&1)
  b=$("$rbk" run steps.rbk --script steps.script.json --virtual 2>&1)
  [ "$a" = "$b" ] || { bad determinism "two text outputs differ"; return; }
  grep -q '^\[00:00:00.150\]   ✓ scale deployment/orch ✎ (150ms)$' <<< "$a" || { bad determinism "text line form: $a"; return; }
  ok
}

# Counts the "start" lines per call in call log $1 (sorted "N call").
starts() { grep -E '^[0-9]+ start ' "$1" | cut -d' ' -f3- | sort | uniq -c; }

# Runs steps.rbk on the real clock, kills it with signal $1 after $2 seconds, resumes it until it
# ends, and checks the call log and the journals. Prints nothing when all is well.
kill_and_resume() {
  local sig=$1 delay=$2 d=$tmp/kill-$1-$2
  mkdir -p "$d"
  "$rbk" run steps.rbk --script steps.script.json --journal "$d/j.jsonl" --call-log "$d/calls" --output json \
    > "$d/out1" 2>&1 &
  local pid=$!
  sleep "$delay"
  kill -"$sig" $pid 2> /dev/null
  wait $pid
  valid_journal "$d/j.jsonl" 2> /dev/null || return 0      # killed before it could start
  grep -q '"event":"run_start"' "$d/j.jsonl" || return 0
  local code=-1 n=0
  while [ $n -lt 3 ]; do
    n=$((n + 1))
    "$rbk" resume "$d/j.jsonl" --script steps.script.json --call-log "$d/calls" --output json > "$d/out2" 2>&1
    code=$?
    [ $code = 0 ] && break
    # a run that had already finished cannot be resumed (exit 2): nothing to do
    [ $code = 2 ] && grep -q "succeeded; there is nothing to resume" "$d/out2" && code=0 && break
  done
  [ $code = 0 ] || { echo "resume exit $code: $(tail -3 "$d/out2")"; return 0; }
  valid_journal "$d/j.jsonl" || return 0
  [ "$(jfield "$d/j.jsonl" status run_end | tail -1)" = ok ] || echo "the journal does not end ok"
  local extra
  extra=$(diff <(starts "$tmp/ref.calls") <(starts "$d/calls") | grep '^>' | grep -E 'scale|patch|rollout_restart|rollout_undo')
  [ -z "$extra" ] || echo "a mutating action was started twice: $extra"
  for call in "scale deployment/orch" "patch configmap/cfg" "rollout_restart deployment/w1" \
    "rollout_restart deployment/w3" "rollout_undo deployment/orch" "scale deployment/orch-canary"; do
    grep -qE "^[0-9]+ (start|recheck) $call\$" "$d/calls" || echo "never ran: $call"
  done
}

test_resume_after_kills() {
  "$rbk" run steps.rbk --script steps.script.json --virtual --call-log "$tmp/ref.calls" > /dev/null 2>&1
  local problems="" p
  for sig in INT KILL TERM; do
    for delay in 0.05 0.2 0.35 0.5 0.65 0.8 0.95 1.1 1.3; do
      p=$(kill_and_resume $sig $delay)
      [ -n "$p" ] && problems+="$sig@$delay: $p; "
    done
  done
  [ -z "$problems" ] || { bad resume_after_kills "$problems"; return; }
  ok
}

test_resume_records_and_skips() {
  local d=$tmp/res
  mkdir -p "$d"
  "$rbk" run steps.rbk --script steps.script.json --journal "$d/j.jsonl" --output json > /dev/null 2>&1 &
  local pid=$!
  wait_record "$d/j.jsonl" '"event":"step_end"' # the first step is done: the resume skips it
  kill -INT $pid
  wait $pid
  local code=$?
  [ $code = 3 ] || { bad resume_records_and_skips "SIGINT exit $code, want 3"; return; }
  [ "$(jfield "$d/j.jsonl" status run_end)" = cancelled ] || { bad resume_records_and_skips "run_end not cancelled"; return; }
  jfield "$d/j.jsonl" message notify | grep -q "stopped at" || { bad resume_records_and_skips "on failure did not run"; return; }
  "$rbk" resume "$d/j.jsonl" --script steps.script.json --virtual --output json > "$d/out" 2> "$d/err"
  code=$?
  [ $code = 0 ] || { bad resume_records_and_skips "resume exit $code: $(cat "$d/err")"; return; }
  grep -q '"status":"skipped"' "$d/out" || { bad resume_records_and_skips "no step skipped"; return; }
  [ "$(jfield "$d/j.jsonl" event resume)" = resume ] || { bad resume_records_and_skips "no resume record"; return; }
  [ "$(jfield "$d/j.jsonl" run_id resume)" = "$(jfield "$d/j.jsonl" run_id run_start)" ] ||
    { bad resume_records_and_skips "resume changed the run id"; return; }
  "$rbk" resume "$d/j.jsonl" --script steps.script.json > /dev/null 2> "$d/err2"
  code=$?
  [ $code = 2 ] && grep -q "nothing to resume" "$d/err2" || { bad resume_records_and_skips "resuming a finished run: $code"; return; }
  ok
}

test_resume_changed_plan() {
  local d=$tmp/chg
  mkdir -p "$d"
  cp steps.rbk steps.script.json "$d/"
  (cd "$d" || exit; "$rbk" run steps.rbk --script steps.script.json --journal j.jsonl > /dev/null 2>&1 &
    pid=$!; wait_record j.jsonl '"event":"run_start"'; kill -9 $pid; wait $pid) 2> /dev/null
  echo "# changed" >> "$d/steps.rbk"
  "$rbk" resume "$d/j.jsonl" --script steps.script.json > /dev/null 2> "$d/err"
  local code=$?
  [ $code = 2 ] && grep -q "changed since the journal was written" "$d/err" ||
    { bad resume_changed_plan "exit $code: $(cat "$d/err")"; return; }
  "$rbk" resume "$d/j.jsonl" --script steps.script.json --force --virtual > /dev/null 2>&1 ||
    { bad resume_changed_plan "--force did not resume"; return; }
  "$rbk" resume "$d/j.jsonl" -p target=x > /dev/null 2> "$d/err"
  [ $? = 2 ] && [ "$(wc -l < "$d/err")" = 1 ] || { bad resume_changed_plan "-p on resume"; return; }
  ok
}

test_second_sigint_stops_at_once() {
  local j=$tmp/int2.jsonl
  "$rbk" run slow.rbk --script slow.script.json --journal "$j" --output json > "$tmp/int2.out" 2>&1 &
  local pid=$!
  wait_record "$j" '"action":"rollout_restart"' # inside the long action, the handlers installed
  kill -INT $pid
  sleep 0.4
  kill -0 $pid 2> /dev/null || { bad second_sigint "the first SIGINT did not leave the finally action running"; return; }
  kill -INT $pid
  local i=0
  while kill -0 $pid 2> /dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  wait $pid
  local code=$?
  [ $code = 3 ] || { bad second_sigint "exit $code, want 3"; return; }
  valid_journal "$j" || { bad second_sigint "journal damaged"; return; }
  [ "$(jfield "$j" status run_end)" = cancelled ] || { bad second_sigint "run_end: $(tail -1 "$j")"; return; }
  jfield "$j" message notify | grep -q "cancelled: interrupted (SIGINT)" || { bad second_sigint "on failure missing"; return; }
  ok
}

test_sigterm_cancels() {
  local j=$tmp/term.jsonl
  "$rbk" run slow.rbk --script slow.script.json --journal "$j" > /dev/null 2>&1 &
  local pid=$!
  wait_record "$j" '"action":"rollout_restart"'
  kill -TERM $pid
  sleep 0.3
  kill -TERM $pid 2> /dev/null
  wait $pid
  local code=$?
  [ $code = 3 ] || { bad sigterm_cancels "exit $code"; return; }
  jfield "$j" message run_end | grep -qE "SIGTERM|stopped at once" || { bad sigterm_cancels "$(tail -1 "$j")"; return; }
  ok
}

test_approvals_pty() {
  local j=$tmp/pty
  mkdir -p "$j"
  python3 pty_answer.py yes "$rbk" run approve.rbk --script empty.script.json --journal "$j/yes.jsonl" > "$tmp/pty1" 2>&1
  local code=$?
  [ $code = 0 ] || { bad approvals_pty "yes: exit $code: $(tail -5 "$tmp/pty1")"; return; }
  grep -q 'approve "Proceed with the rollback?" (from sre, 1m left) \[y/N\]' "$tmp/pty1" ||
    { bad approvals_pty "no prompt with role and time left"; return; }
  [ "$(jfield "$j/yes.jsonl" who approval)" = tester ] && [ "$(jfield "$j/yes.jsonl" how approval)" = tty ] ||
    { bad approvals_pty "who/how not journaled"; return; }
  python3 pty_answer.py n "$rbk" run approve.rbk --script empty.script.json --journal "$j/no.jsonl" > "$tmp/pty2" 2>&1
  code=$?
  [ $code = 3 ] || { bad approvals_pty "no: exit $code"; return; }
  grep -q rollout_undo "$j/no.jsonl" && { bad approvals_pty "denied but the action ran"; return; }
  python3 pty_answer.py y "$rbk" run approve.rbk --script empty.script.json --output json > "$tmp/pty3" 2>&1
  [ $? = 0 ] || { bad approvals_pty "y with --output json"; return; }
  ok
}

# Checks a pty transcript ($1) of a prompt on a 60-column terminal: its first line and the line with
# [y/N] (the answer choices, always shown) are at most 59 columns wide. Prints what is wrong.
prompt_fits() {
  python3 - "$1" <<'EOF2'
import re, sys
text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", open(sys.argv[1], encoding="utf-8", errors="replace").read())
lines = [l for l in re.split(r"[\r\n]+", text)]
first = [l for l in lines if l.startswith('approve "Rotate')]
choices = [l for l in lines if "[y/N]" in l]
if not first or not choices:
    print("no prompt with [y/N]:", text[-300:])
elif max(len(l) for l in first + choices) > 59:
    print("a prompt line is wider than the terminal:", [l for l in first + choices if len(l) > 59])
elif not any(l.startswith("db-owner, 10m left) [y/N]") for l in choices):
    print("the choices are not at the end of the wrapped prompt:", choices)
EOF2
}

# A prompt wider than the terminal wraps (live view on a terminal, and plain prompt with stdout
# redirected); its answer choices are always on screen.
test_approval_prompt_wraps() {
  local p
  PTY_COLS=60 python3 pty_answer.py y "$rbk" run approve_long.rbk --script empty.script.json --journal "$tmp/wrap1.jsonl" > "$tmp/wrap1" 2>&1 ||
    { bad approval_prompt_wraps "live: exit $?: $(tail -3 "$tmp/wrap1")"; return; }
  p=$(prompt_fits "$tmp/wrap1")
  [ -z "$p" ] || { bad approval_prompt_wraps "live: $p"; return; }
  PTY_COLS=60 python3 pty_answer.py y sh -c "'$rbk' run approve_long.rbk --script empty.script.json --journal '$tmp/wrap2.jsonl' > '$tmp/wrap2.out' 2>&1" > "$tmp/wrap2" 2>&1 ||
    { bad approval_prompt_wraps "plain: exit $?: $(tail -3 "$tmp/wrap2")"; return; }
  p=$(prompt_fits "$tmp/wrap2")
  [ -z "$p" ] || { bad approval_prompt_wraps "plain: $p"; return; }
  ok
}

test_approvals_flags() {
  local out code
  out=$("$rbk" run approve.rbk --script empty.script.json --virtual --approve proceed-with-the-rollback --output json 2>&1)
  code=$?
  [ $code = 0 ] && grep -q '"how"' <<< "$("$rbk" run approve.rbk --script empty.script.json --virtual --yes --output json --details)" ||
    { bad approvals_flags "--approve slug: exit $code"; return; }
  "$rbk" run approve.rbk --script empty.script.json --virtual --yes > /dev/null 2>&1 || { bad approvals_flags "--yes"; return; }
  out=$("$rbk" run approve.rbk --script empty.script.json --virtual --output json < /dev/null 2>&1)
  code=$?
  [ $code = 3 ] && grep -q "approval timed out after 1m" <<< "$out" || { bad approvals_flags "no approval: exit $code"; return; }
  ok
}

test_journal_unwritable() {
  local out code
  "$rbk" run steps.rbk --script steps.script.json --virtual --journal /dev/full --call-log "$tmp/full.calls" \
    > "$tmp/full.out" 2> "$tmp/full.err"
  code=$?
  [ $code = 1 ] || { bad journal_unwritable "/dev/full: exit $code"; return; }
  [ "$(cat "$tmp/full.err")" = "rbk: cannot write journal /dev/full: No space left on device" ] ||
    { bad journal_unwritable "message: $(cat "$tmp/full.err")"; return; }
  grep -q start "$tmp/full.calls" 2> /dev/null && { bad journal_unwritable "an action ran unrecorded"; return; }
  # a journal that fills up mid-run (file size limit): the run stops before its next action
  (ulimit -f 2; trap '' XFSZ; exec "$rbk" run steps.rbk --script steps.script.json --virtual --journal "$tmp/big.jsonl" \
    --call-log "$tmp/big.calls" > /dev/null 2> "$tmp/big.err")
  code=$?
  [ $code = 1 ] && grep -q "cannot write journal .*big.jsonl: File too large" "$tmp/big.err" ||
    { bad journal_unwritable "mid-run: exit $code: $(cat "$tmp/big.err")"; return; }
  valid_journal "$tmp/big.jsonl" || { bad journal_unwritable "mid-run journal damaged"; return; }
  local started journaled
  started=$(grep -c ' start ' "$tmp/big.calls")
  journaled=$(jfield "$tmp/big.jsonl" action action_start | wc -l)
  [ "$started" -le "$journaled" ] || { bad journal_unwritable "$started actions started, $journaled journaled"; return; }
  if command -v setpriv > /dev/null && [ "$(id -u)" = 0 ]; then
    mkdir -p "$tmp/ro" && chmod 555 "$tmp/ro"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$rbk" run "$src/tests/run/steps.rbk" --script "$src/tests/run/steps.script.json" \
      --virtual --journal "$tmp/ro/" > /dev/null 2> "$tmp/ro.err"
    code=$?
    [ $code = 1 ] && grep -q "^rbk: cannot write journal $tmp/ro/.*: Permission denied$" "$tmp/ro.err" ||
      { bad journal_unwritable "read-only dir: exit $code: $(cat "$tmp/ro.err")"; return; }
  fi
  ok
}

test_exit_codes_and_usage() {
  local err code
  err=$("$rbk" run required.rbk --script empty.script.json 2>&1 >/dev/null); code=$?
  [ $code = 2 ] && [ "$(wc -l <<< "$err")" = 1 ] && grep -q "param 'reason' is required" <<< "$err" ||
    { bad exit_codes "missing param: $code $err"; return; }
  err=$("$rbk" run required.rbk -p reason=x -p replicas=many --script empty.script.json 2>&1 >/dev/null); code=$?
  [ $code = 2 ] && grep -q '"many" is not an int' <<< "$err" || { bad exit_codes "bad -p: $code $err"; return; }
  err=$("$rbk" run required.rbk --frobnicate 2>&1 >/dev/null); code=$?
  [ $code = 2 ] && [ "$err" = "rbk: unknown option '--frobnicate'" ] || { bad exit_codes "unknown option: $err"; return; }
  err=$("$rbk" run required.rbk --output yaml 2>&1 >/dev/null); code=$?
  [ $code = 2 ] && [ "$(wc -l <<< "$err")" = 1 ] || { bad exit_codes "bad output: $err"; return; }
  printf 'step "x" {\n  nosuch()\n}\n' > "$tmp/bad.rbk"
  "$rbk" run "$tmp/bad.rbk" --script empty.script.json > /dev/null 2>&1
  [ $? = 2 ] || { bad exit_codes "check errors"; return; }
  "$rbk" run required.rbk -p reason=hi --script empty.script.json --virtual > /dev/null 2>&1 || { bad exit_codes "ok run"; return; }
  ok
}

test_log_output() {
  local d=$tmp/log
  mkdir -p "$d"
  "$rbk" run steps.rbk --script steps.script.json --journal "$d/j.jsonl" > /dev/null 2>&1 &
  local pid=$!
  wait_record "$d/j.jsonl" '"event":"step_end"'
  kill -9 $pid
  wait $pid 2> /dev/null
  "$rbk" log "$d/j.jsonl" > "$d/log1"
  grep -q "outcome: interrupted" "$d/log1" || { bad log_output "interrupted run: $(tail -3 "$d/log1")"; return; }
  "$rbk" resume "$d/j.jsonl" --script steps.script.json --virtual > /dev/null 2>&1
  python3 pty_answer.py y "$rbk" run approve.rbk --script empty.script.json --journal "$d/a.jsonl" > /dev/null 2>&1
  "$rbk" log "$d/j.jsonl" > "$d/log2" || { bad log_output "exit $?"; return; }
  grep -q "── attempt 1: started .* by tester on " "$d/log2" && grep -q "── attempt 2: resumed " "$d/log2" &&
    grep -q '^outcome: ok, exit 0$' "$d/log2" && grep -q 'skipped: completed by an earlier run' "$d/log2" ||
    { bad log_output "$(cat "$d/log2")"; return; }
  "$rbk" log "$d/a.jsonl" | grep -q 'approval: "Proceed with the rollback?" granted by tester (tty) at ' ||
    { bad log_output "approval line"; return; }
  "$rbk" run secrets.rbk --script secrets.script.json --virtual --journal "$d/w.jsonl" > /dev/null 2>&1
  "$rbk" log "$d/w.jsonl" | grep -q '^warning: whoami is not \*\*\*$' || { bad log_output "warning line"; return; }
  "$rbk" log "$d/j.jsonl" --output json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert len(s["attempts"]) == 2 and s["outcome"]["status"] == "ok", s
assert any(st["status"] == "skipped" for st in s["steps"]), s["steps"]' || { bad log_output "json summary"; return; }
  ok
}

# The runbook's deadline fails the run (exit 1) unless --ignore-deadline, for run and resume.
test_ignore_deadline() {
  local d=$tmp/deadline err code
  mkdir -p "$d"
  err=$("$rbk" run deadline.rbk --script empty.script.json --virtual --journal "$d/j.jsonl" 2>&1 >/dev/null); code=$?
  [ $code = 1 ] && [ "$(tail -n 1 <<< "$err")" = "rbk: deadline 1m exceeded" ] ||
    { bad ignore_deadline "without the flag: exit $code: $err"; return; }
  "$rbk" run deadline.rbk --script empty.script.json --virtual --ignore-deadline > "$d/out" 2> "$d/err"; code=$?
  [ $code = 0 ] && grep -q "slow done at 2m" "$d/out" ||
    { bad ignore_deadline "with the flag: exit $code: $(cat "$d/err")"; return; }
  "$rbk" resume "$d/j.jsonl" --script empty.script.json --virtual --ignore-deadline --output json > "$d/res" 2> "$d/err"
  code=$?
  [ $code = 0 ] && grep -q '"step":"quick","status":"skipped"' "$d/res" ||
    { bad ignore_deadline "resume with the flag: exit $code: $(cat "$d/err")"; return; }
  ok
}

for name in journal_records default_journal_dir fsync_group_commit secrets_never_printed determinism \
  resume_after_kills resume_records_and_skips resume_changed_plan second_sigint_stops_at_once sigterm_cancels \
  approvals_pty approval_prompt_wraps approvals_flags journal_unwritable exit_codes_and_usage ignore_deadline log_output; do
  t test_$name
done

# Prints the problems with a resumed replay.rbk run: $1 journal, $2 the first run's call log, $3
# the resumed runs' call log. A mutating action whose action_end "ok" the first attempt journaled
# must not be sent again (not even re-checked); every mutating action must have been sent; the
# value the skipped step "assess" returned must reach the last step (PUT /state/blue).
replay_problems() {
  python3 - "$@" <<'EOF2'
import json, re, sys
journal, calls1, calls2 = sys.argv[1:4]
recs = [json.loads(l) for l in open(journal, encoding="utf-8")]
first = []
for r in recs:
    if r.get("event") == "resume":
        break
    first.append(r)
done = {r["action"] + " " + r["target"] for r in first
        if r.get("event") == "action_end" and r.get("mutating") and r.get("status") == "ok"}
def sent(path):
    try:
        return [re.sub(r"^\d+ (start|recheck) ", "", l.rstrip("\n")) for l in open(path)
                if re.match(r"^\d+ (start|recheck) ", l)]
    except FileNotFoundError:
        return []
again = sorted(set(sent(calls2)) & done)
if again:
    print("completed before the kill and sent again:", ", ".join(again))
everything = set(sent(calls1)) | set(sent(calls2))
for call in ["scale deployment/a", "post POST /jobs", "run true job7", "write_file /tmp/rbk-replay-job7.txt",
             "scale deployment/job7", "put PUT /state/blue"]:
    if call not in everything:
        print("never sent:", call)
ends = [r for r in recs if r.get("event") == "run_end"]
if not ends or ends[-1].get("status") != "ok":
    print("the journal does not end ok")
EOF2
}

# A failed run (the step "work" fails after four of its mutating actions completed) resumed with
# a script that succeeds: the four are replayed from the journal, not sent; the skipped proc step
# returns its journaled value.
test_replay_after_failure() {
  local d=$tmp/replay-fail
  mkdir -p "$d"
  "$rbk" run replay.rbk --script replay-fail.script.json --virtual --journal "$d/j.jsonl" --call-log "$d/c1" \
    > /dev/null 2>&1
  [ $? = 1 ] || { bad replay_after_failure "the first run did not fail"; return; }
  "$rbk" resume "$d/j.jsonl" --script replay.script.json --virtual --call-log "$d/c2" --output json > "$d/out" 2> "$d/err"
  local code=$? p
  [ $code = 0 ] || { bad replay_after_failure "resume exit $code: $(tail -2 "$d/err")"; return; }
  p=$(replay_problems "$d/j.jsonl" "$d/c1" "$d/c2")
  [ -z "$p" ] || { bad replay_after_failure "$p"; return; }
  [ "$(grep -c '"status":"skipped","message":"completed before the interruption"' "$d/out")" = 8 ] ||
    { bad replay_after_failure "want 4 replayed actions (start and end): $(cat "$d/out")"; return; }
  grep -q '"event":"step_end","node":"[a-z0-9]*","step":"assess","status":"skipped"' "$d/out" ||
    { bad replay_after_failure "step assess not skipped"; return; }
  grep -q "4 completed mutating actions to replay, 1 to re-check" "$d/err" ||
    { bad replay_after_failure "resume summary: $(cat "$d/err")"; return; }
  ok
}

# A step that returned a secret journals "returned" without the value, and runs again on resume;
# the mutating action that completed inside it is replayed, and the secret is never journaled.
test_replay_secret_return() {
  local d=$tmp/replay-secret
  mkdir -p "$d"
  "$rbk" run replay_secret.rbk --script replay_secret-fail.script.json --virtual --journal "$d/j.jsonl" \
    > /dev/null 2>&1
  "$rbk" resume "$d/j.jsonl" --script empty.script.json --virtual --call-log "$d/c2" --output json > "$d/out" 2>&1
  local code=$?
  [ $code = 0 ] || { bad replay_secret_return "resume exit $code: $(tail -2 "$d/out")"; return; }
  grep -q '"event":"step_start","node":"[a-z0-9]*","step":"login"' "$d/out" ||
    { bad replay_secret_return "step login was skipped"; return; }
  grep -q 'post POST /sessions' "$d/c2" && { bad replay_secret_return "post sent again: $(cat "$d/c2")"; return; }
  [ "$(jfield "$d/j.jsonl" returned step_end | head -1)" = true ] || { bad replay_secret_return "no returned flag"; return; }
  grep -q hunter2 "$d/j.jsonl" && { bad replay_secret_return "the secret was journaled"; return; }
  ok
}

# `let … = parallel for` across a resume: the branches' completed steps are skipped and return their
# journaled values (times, durations), so the resumed run collects the very same list.
test_collect_resume() {
  local d=$tmp/collect
  mkdir -p "$d"
  RBK_COLLECT_FAIL=1 "$rbk" run collect.rbk --journal "$d/j.jsonl" > /dev/null 2>&1
  [ $? = 1 ] || { bad collect_resume "the first run did not fail"; return; }
  sleep 0.05 # now() differs from the first run's
  "$rbk" resume "$d/j.jsonl" --output json > "$d/out" 2> "$d/err"
  local code=$?
  [ $code = 0 ] || { bad collect_resume "resume exit $code: $(tail -2 "$d/err")"; return; }
  [ "$(grep -c '"event":"step_end","node":"[a-z0-9]*","step":"value [0-2]","status":"skipped"' "$d/out")" = 3 ] ||
    { bad collect_resume "want the 3 branch steps skipped: $(cat "$d/out")"; return; }
  local msgs
  msgs=$(jfield "$d/j.jsonl" message notify)
  [ "$(printf '%s\n' "$msgs" | wc -l)" = 2 ] || { bad collect_resume "want 2 notifications: $msgs"; return; }
  [ "$(printf '%s\n' "$msgs" | sort -u | wc -l)" = 1 ] || { bad collect_resume "the lists differ: $msgs"; return; }
  printf '%s\n' "$msgs" | head -1 | grep -q '^collected \[{"i":0,.*"took":"5s"},{"i":1,.*{"i":2,.*took 30s in all$' ||
    { bad collect_resume "list: $msgs"; return; }
  ok
}

# kill -9 at many points of replay.rbk (real clock), then resume until it ends.
test_replay_after_kills() {
  local problems="" delay d p code n
  for delay in 0.05 0.2 0.35 0.5 0.65 0.8 0.95 1.1 1.25 1.4; do
    d=$tmp/replay-kill-$delay
    mkdir -p "$d"
    "$rbk" run replay.rbk --script replay.script.json --journal "$d/j.jsonl" --call-log "$d/c1" > /dev/null 2>&1 &
    local pid=$!
    sleep "$delay"
    kill -9 $pid 2> /dev/null
    wait $pid 2> /dev/null
    grep -q '"event":"run_start"' "$d/j.jsonl" 2> /dev/null || continue
    code=-1 n=0
    while [ $n -lt 3 ] && [ $code != 0 ]; do
      n=$((n + 1))
      "$rbk" resume "$d/j.jsonl" --script replay.script.json --call-log "$d/c2" > "$d/out" 2>&1
      code=$?
      [ $code = 2 ] && grep -q "nothing to resume" "$d/out" && code=0
    done
    [ $code = 0 ] || { problems+="$delay: resume exit $code: $(tail -1 "$d/out"); "; continue; }
    p=$(replay_problems "$d/j.jsonl" "$d/c1" "$d/c2")
    [ -z "$p" ] || problems+="$delay: $p; "
  done
  [ -z "$problems" ] || { bad replay_after_kills "$problems"; return; }
  ok
}

# A notification whose webhook accepts and never answers: the run ends within the grace (5s) after
# the plan (well under the ~30 s it took without one), warns that it was undelivered, and keeps the plan's exit code (0).
test_dead_webhook() {
  python3 dead_webhook.py > "$tmp/hook.port" &
  local srv=$! n=0
  while [ ! -s "$tmp/hook.port" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
  cat > "$tmp/hook.rbk" <<'EOF2'
runbook "hook" {
  title = "dead webhook"
}
let s = slack(webhook: env("HOOK_URL"), channel: "#incident")
step "work" {
  notify s "ROLLBACK COMPLETE"
}
EOF2
  local start end code
  start=$(date +%s%N)
  HOOK_URL="http://127.0.0.1:$(cat "$tmp/hook.port")/hook" "$rbk" run "$tmp/hook.rbk" --journal "$tmp/hook.jsonl" > "$tmp/hook.out" 2>&1
  code=$? end=$(date +%s%N)
  kill "$srv"
  wait "$srv" 2> /dev/null
  [ $code = 0 ] || { bad dead_webhook "exit $code: $(tail -3 "$tmp/hook.out")"; return; }
  grep -q '! warning: notification to slack #incident undelivered: no answer within 5s after the run ended$' "$tmp/hook.out" ||
    { bad dead_webhook "no undelivered warning: $(tail -3 "$tmp/hook.out")"; return; }
  grep -q '✓ run succeeded in .* (1 warning)$' "$tmp/hook.out" || { bad dead_webhook "$(tail -1 "$tmp/hook.out")"; return; }
  # generous on a loaded machine: without the grace the exit took ~30 s
  [ $(((end - start) / 1000000)) -lt 12000 ] || { bad dead_webhook "the exit took $(((end - start) / 1000000)) ms (grace 5s)"; return; }
  ok
}

for name in replay_after_failure replay_secret_return replay_after_kills dead_webhook collect_resume; do
  t test_$name
done

finish
