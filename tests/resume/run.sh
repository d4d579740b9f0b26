#!/bin/bash
# tests/resume/run.sh — crash-safe runs (docs/run.md, "Resuming"): real runs against `rbk sim`
# over HTTP, stopped and resumed.
#  - the crash matrix: emergency-rollback (bad-release), coordinated-rollback (sub-agents-bad) and
#    partial-rollback (single-plant) are stopped right after their Nth journal record by the
#    test-only hook RBK_TEST_EXIT_AFTER_RECORDS, for every N from the first record to the last but
#    one of an uninterrupted run, then resumed: every resume exits 0 (or, when the run had ended
#    before record N, finds nothing to resume), the simulator receives exactly the writes of an
#    uninterrupted run (none twice: its request log), no failure notification reaches the webhook,
#    the journal's seq runs 1, 2, 3…;
#  - real `kill -9` of each of the three plans at random instants (RBK_TEST_SEED repeats a draw),
#    then resume: it finishes the run, or answers that nothing was done and nothing was;
#  - one writer: two resumes beside a live run are refused; two resumes racing for a stopped run:
#    exactly one runs;
#  - handlers: after SIGINT the `finally` runs again on resume; an interrupted one finishes once;
#  - signals and pipes: two SIGINTs 1 ms apart (or twenty) exit 3 with a consistent journal;
#    `rbk run … | head -1` exits with the plan's code.
# Cases run side by side (each with its own simulator): most of their time is waiting.
# Usage: bash run.sh RBK SOURCE_DIR [FILTER]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
here=$src/tests/resume
plans=$src/plans
script_dir=$src/tests/run
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done
  if [ -n "${RBK_KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
JOBS=${RBK_TEST_JOBS:-10}

mkdir -p "$tmp/hooks" "$tmp/c"
python3 "$here/catcher.py" "$tmp/hooks" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$tmp/hooks/port" ] && break; sleep 0.05; done
# hook_url NAME: the webhook URL whose deliveries land in $tmp/hooks/NAME.log.
hook_url() { echo "http://127.0.0.1:$(cat "$tmp/hooks/port")/$1"; }

# start_sim DIR SCENARIO: a simulator for one case (request log DIR/sim.log, kubeconfig DIR/kc,
# pid DIR/sim.pid). Call it in the case's own shell, which must stop it with stop_sim.
start_sim() {
  "$rbk" sim --scenario "$2" --speed 1000 --seed 5 > "$1/url" 2> "$1/sim.log" &
  echo $! > "$1/sim.pid"
  # (up to 30 s: on a loaded machine, with ten cases side by side, a start can take seconds)
  for _ in $(seq 600); do [ -s "$1/url" ] && break; sleep 0.05; done
  sim_kubeconfig "$1/kc" "$(head -1 "$1/url")" 'user: {}   # no credentials: rbk never sends them over plain http://'
}
# stop_sim DIR: stops the case's simulator and waits for it (its request log is then complete).
stop_sim() {
  kill "$(cat "$1/sim.pid")" 2> /dev/null
  wait "$(cat "$1/sim.pid")" 2> /dev/null
}
# writes DIR: the writes the simulator received (method and path, sorted), the run lock's aside.
writes() { grep -E '^(POST|PUT|PATCH|DELETE) ' "$1/sim.log" | grep -v '/leases' | cut -d' ' -f1,2 | sort; }
# writes_once DIR: writes, a repeat of an orchestrator write left out: partial-rollback's are keyed
# or idempotent, so a resume sends one that a kill -9 caught in flight again, and the simulator
# answers its Idempotency-Key without applying it twice (tests/writes checks that).
writes_once() { writes "$1" | awk '!(/\/proxy\/api\/v1\// && seen[$0]++)'; }

# The three plans: NAME → "plan scenario params…" (partial-rollback polls on the real clock, some
# 10 s a run).
declare -A PLAN=(
  [emergency]="emergency-rollback bad-release reason=crash-matrix"
  [coordinated]="coordinated-rollback sub-agents-bad reason=crash-matrix"
  [partial]="partial-rollback single-plant reason=crash-matrix plant_id=Plant-003"
)
# plan_args NAME: "-p x=y" for each param of plan NAME.
plan_args() {
  local w=(${PLAN[$1]}) out=()
  for p in "${w[@]:2}"; do out+=(-p "$p"); done
  echo "${out[@]}"
}
# rbk_run DIR NAME [ENV…]: runs plan NAME in DIR against DIR's simulator (stdout DIR/out1).
rbk_run() {
  local d=$1 name=$2; shift 2
  local w=(${PLAN[$name]})
  (cd "$d" && env SLACK_WEBHOOK_URL="$(hook_url "$(basename "$d")")" "$@" timeout 60 "$rbk" run \
    "$plans/${w[0]}.rbk" --kubeconfig "$d/kc" --journal "$d/j.jsonl" --no-prompt --yes $(plan_args "$name") \
    > "$d/out1" 2> "$d/err1")
}
# rbk_resume DIR [OUT]: resumes DIR's journal (stdout DIR/OUT, stderr DIR/OUT.err).
rbk_resume() {
  local d=$1 out=${2:-out2}
  (cd "$d" && SLACK_WEBHOOK_URL="$(hook_url "$(basename "$d")")" timeout 60 "$rbk" resume "$d/j.jsonl" \
    --kubeconfig "$d/kc" --no-prompt --yes > "$d/$out" 2> "$d/$out.err")
}
# failure_sent DIR: true when the case's webhook received a failure notification.
failure_sent() { grep -qi "ROLLBACK FAILED" "$tmp/hooks/$(basename "$1").log" 2> /dev/null; }
# ended_ok DIR: true when the journal's last run_end says ok.
ended_ok() { [ "$(grep '"event":"run_end"' "$1/j.jsonl" | tail -1 | jq -r .status)" = ok ]; }

# reference NAME: an uninterrupted run of plan NAME (its journal and writes in $tmp/c/ref-NAME).
reference() {
  local d=$tmp/c/ref-$1
  mkdir -p "$d"
  local w=(${PLAN[$1]})
  start_sim "$d" "${w[1]}"
  rbk_run "$d" "$1"
  echo $? > "$d/rc"
  stop_sim "$d"
  writes "$d" > "$d/writes"
}

# crash_case NAME N: plan NAME stopped after its Nth record, then resumed; problems in DIR/problems.
crash_case() {
  local name=$1 n=$2 d=$tmp/c/$1-$2
  mkdir -p "$d"
  local w=(${PLAN[$name]})
  start_sim "$d" "${w[1]}"
  rbk_run "$d" "$name" RBK_TEST_EXIT_AFTER_RECORDS="$n"
  local rc1=$? rc2
  rbk_resume "$d"
  rc2=$?
  stop_sim "$d"
  {
    # polls make the record count vary a little: a run that ended at or before record N (the hook
    # may stop it right after its run_end) has nothing to resume
    if { [ $rc1 = 0 ] || [ $rc1 = 137 ]; } && [ $rc2 = 2 ] && ended_ok "$d" &&
      grep -q "succeeded; there is nothing to resume" "$d/out2.err"; then rc2=0
    elif [ $rc1 != 137 ]; then echo "the hook did not stop the run (exit $rc1)"; fi
    [ $rc2 = 0 ] || echo "resume exit $rc2: $(tail -2 "$d/out2.err")"
    ended_ok "$d" || echo "the journal does not end ok"
    python3 "$here/journal_check.py" "$d/j.jsonl" || true
    failure_sent "$d" && echo "a failure notification was sent"
    writes "$d" | diff "$tmp/c/ref-$name/writes" - | grep -E '^[<>]' | head -5 | sed 's/^/writes differ: /'
  } > "$d/problems" 2>&1
}

# kill_case NAME DELAY I: plan NAME killed with SIGKILL after DELAY seconds, then resumed (I: the
# case's number).
kill_case() {
  local name=$1 delay=$2 d=$tmp/c/$1-kill$3-$2
  mkdir -p "$d"
  local w=(${PLAN[$name]})
  start_sim "$d" "${w[1]}"
  (cd "$d" && exec env SLACK_WEBHOOK_URL="$(hook_url "$(basename "$d")")" "$rbk" run "$plans/${w[0]}.rbk" \
    --kubeconfig "$d/kc" --journal "$d/j.jsonl" --no-prompt --yes $(plan_args "$name") > "$d/out1" 2> "$d/err1") &
  local pid=$!
  sleep "$delay"
  kill -9 $pid 2> /dev/null
  wait $pid 2> /dev/null
  local rc2
  rbk_resume "$d"
  rc2=$?
  stop_sim "$d"
  {
    # killed before its journal existed (resume: "cannot read journal …; … so nothing was done") or
    # before its first record was whole (resume: "… records no run: … so nothing was done")
    if [ "$rc2" = 2 ] && grep -q "so nothing was done" "$d/out2.err"; then
      [ -z "$(writes "$d")" ] || echo "nothing was done, says resume, but the simulator received writes"
    elif [ "$rc2" = 2 ] && grep -q "succeeded; there is nothing to resume" "$d/out2.err"; then
      writes_once "$d" | diff -q "$tmp/c/ref-$name/writes" - > /dev/null || echo "writes differ"
    else
      [ "$rc2" = 0 ] || echo "resume exit $rc2: $(tail -2 "$d/out2.err")"
      ended_ok "$d" || echo "the journal does not end ok"
      writes_once "$d" | diff "$tmp/c/ref-$name/writes" - | grep -E '^[<>]' | head -5 | sed 's/^/writes differ: /'
    fi
    [ -e "$d/j.jsonl" ] && { python3 "$here/journal_check.py" "$d/j.jsonl" || true; }
    failure_sent "$d" && echo "a failure notification was sent"
  } > "$d/problems" 2>&1
}

# throttle: waits while JOBS cases run (the webhook catcher is the one more job).
throttle() { while [ "$(jobs -rp | wc -l)" -gt "$JOBS" ]; do wait -n; done; }
# wait_cases: waits for every case started (not for the catcher).
wait_cases() {
  local p
  for p in $(jobs -rp); do [ "$p" = "${PIDS[0]}" ] || wait "$p"; done
}

# report TEST DIR…: ok when no case directory has problems, else bad with them.
report() {
  local name=$1 problems=""
  shift
  for d in "$@"; do
    [ -s "$d/problems" ] && problems+="$(basename "$d"): $(head -3 "$d/problems" | tr '\n' ' '); "
    [ -e "$d/problems" ] || problems+="$(basename "$d"): did not finish; "
  done
  if [ -z "$problems" ]; then ok; else bad "$name" "$problems"; fi
}

test_crash_matrix() {
  local name n dirs=()
  for name in emergency coordinated partial; do reference "$name" & done
  wait_cases
  local records=0 seed=${RBK_TEST_SEED:-$$}
  RANDOM=$seed
  for name in emergency coordinated partial; do
    local ref=$tmp/c/ref-$name
    # the reference must succeed, write, and deliver its notifications (so that "no failure
    # notification" below is not vacuous)
    if [ "$(cat "$ref/rc")" != 0 ] || failure_sent "$ref" || [ ! -s "$ref/writes" ] ||
      ! grep -q "ROLLBACK COMPLETE" "$tmp/hooks/ref-$name.log"; then
      bad "crash_matrix_reference_$name" "exit $(cat "$ref/rc"): $(tail -2 "$ref/err1")"
      continue
    fi
    local last n ms at delay
    last=$(wc -l < "$ref/j.jsonl")
    records=$((records + last - 1))
    for n in $(seq 1 $((last - 1))); do # after the last record (run_end) the run has ended
      throttle
      crash_case "$name" "$n" &
      dirs+=("$tmp/c/$name-$n")
    done
    # kill -9 at random instants: two in the first 300 ms (around the first records), two anywhere
    # in the reference's duration
    ms=$(grep '"event":"run_end"' "$ref/j.jsonl" | jq .duration_ms)
    for n in 1 2 3 4; do
      if [ $n -lt 3 ]; then at=$((RANDOM % 300)); else at=$((RANDOM * ms / 32768)); fi
      delay=$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))
      throttle
      kill_case "$name" "$delay" "$n" &
      dirs+=("$tmp/c/$name-kill$n-$delay")
    done
  done
  wait_cases
  echo "crash matrix: ${#dirs[@]} cases (every one of $records records; kill -9 seed $seed)"
  [ ${#dirs[@]} = $((records + 12)) ] || bad crash_matrix "only ${#dirs[@]} cases"
  report crash_matrix "${dirs[@]}"
}

# A live run of partial-rollback (some 10 s) with two resumes of its journal beside it: both are
# refused (exit 2, naming the live process), and the run alone writes its journal; a resume of a
# copy of the journal is refused by the run lock (its actions fail) and leaves the lock alone.
test_resume_refused_while_live() {
  local d=$tmp/c/live
  mkdir -p "$d"
  start_sim "$d" single-plant
  rbk_run "$d" partial &
  local pid=$!
  for _ in $(seq 100); do grep -q '"mutating":true' "$d/j.jsonl" 2> /dev/null && break; sleep 0.05; done
  rbk_resume "$d" r1 &
  local p1=$!
  rbk_resume "$d" r2
  local rc2=$? rc1 problems=""
  wait $p1
  rc1=$?
  # a copy of the journal escapes the file lock: the run lock (same run, live holder here) refuses it
  mkdir -p "$d/copy"
  cp "$d/kc" "$d/copy/kc"
  cp "$d/j.jsonl" "$d/copy/j.jsonl"
  kill -0 $pid || problems+="the live run ended too soon for the test; "
  (cd "$d/copy" && SLACK_WEBHOOK_URL="$(hook_url copy)" timeout --preserve-status -s INT 3 "$rbk" resume "$d/copy/j.jsonl" \
    --kubeconfig "$d/copy/kc" --no-prompt --yes > "$d/copy/r3" 2> "$d/copy/r3.err")
  local rc3=$?
  wait $pid
  local rc=$?
  stop_sim "$d"
  [ $rc = 0 ] || problems+="the live run exited $rc; "
  # (its reads fail with the refusal and its polls retry them until the interrupt: exit 3; when its
  # next action is a write, that write is refused once and the step fails: exit 1)
  { [ $rc3 = 3 ] || [ $rc3 = 1 ]; } &&
    grep -q "which is still running this run: it cannot be resumed while it runs" "$d/copy/r3" "$d/copy/r3.err" ||
    problems+="a resume of a copy beside the live run: exit $rc3: $(tail -1 "$d/copy/r3.err"); "
  grep -q '"event":"action_end","[^}]*"mutating":true,"status":"ok"' <(sed -n '/"event":"resume"/,$p' "$d/copy/j.jsonl") &&
    problems+="the resume of the copy changed something; "
  [ $rc1 = 2 ] && [ $rc2 = 2 ] || problems+="resumes exited $rc1 and $rc2, wanted 2; "
  grep -q "is still running (pid [0-9]* on [^)]*) and writing .*; it cannot be resumed while it runs" "$d/r1.err" ||
    problems+="resume message: $(cat "$d/r1.err"); "
  [ "$(wc -l < "$d/r1.err")" = 1 ] || problems+="the refusal is not one line; "
  [ "$(grep -c '"event":"resume"' "$d/j.jsonl")" = 0 ] || problems+="a resume wrote to the journal; "
  python3 "$here/journal_check.py" "$d/j.jsonl" || problems+="seq broken; "
  grep -q "^DELETE .*/leases/rbk-gl-001-partial-rollback 200" "$d/sim.log" || problems+="the lock was not released; "
  [ "$(grep -c '^DELETE .*/leases/' "$d/sim.log")" = 1 ] || problems+="the lock was deleted more than once; "
  [ -z "$problems" ] && ok || bad resume_refused_while_live "$problems"
}

# Two resumes of a stopped run racing: exactly one writes (the other is refused or finds the run
# finished); seq stays 1, 2, 3…; the dead holder's Lease is taken over at once (same host).
test_racing_resumes() {
  local d=$tmp/c/race
  mkdir -p "$d"
  start_sim "$d" single-plant
  rbk_run "$d" partial RBK_TEST_EXIT_AFTER_RECORDS=40
  rbk_resume "$d" r1 &
  local p1=$!
  rbk_resume "$d" r2
  local rc2=$? rc1
  wait $p1
  rc1=$?
  stop_sim "$d"
  local problems=""
  [ "$(echo "$rc1 $rc2" | tr ' ' '\n' | sort | tr '\n' ' ')" = "0 2 " ] || problems+="exits $rc1 $rc2, wanted 0 and 2; "
  cat "$d/r1.err" "$d/r2.err" | grep -qE "still running|nothing to resume" || problems+="no refusal message; "
  [ "$(grep -c '"event":"resume"' "$d/j.jsonl")" = 1 ] || problems+="not exactly one resume record; "
  python3 "$here/journal_check.py" "$d/j.jsonl" || problems+="seq broken; "
  ended_ok "$d" || problems+="the run did not end ok; "
  grep -q "^PUT .*/leases/rbk-gl-001-partial-rollback 200" "$d/sim.log" || problems+="the dead holder's Lease was not taken over; "
  [ -z "$problems" ] && ok || bad racing_resumes "$problems"
}

# Starts slow.rbk (tests/run) in the background with journal $1; sets pid.
start_slow() {
  "$rbk" run "$script_dir/slow.rbk" --script "$script_dir/slow.script.json" --journal "$1" > /dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q '"event":"action_start"' "$1" 2> /dev/null && break; sleep 0.02; done
}
# last_exit_code JOURNAL: run_end's exit_code.
last_exit_code() { grep '"event":"run_end"' "$1" | tail -1 | jq -r .exit_code; }

test_double_sigint_exits_3() {
  local j=$tmp/int2.jsonl pid
  start_slow "$j"
  kill -INT $pid
  sleep 0.001
  kill -INT $pid
  wait $pid
  local code=$?
  [ $code = 3 ] && [ "$(last_exit_code "$j")" = 3 ] && python3 "$here/journal_check.py" "$j" ||
    { bad double_sigint_exits_3 "exit $code, journal says $(last_exit_code "$j")"; return; }
  ok
}

test_many_signals_exit_3() {
  local j=$tmp/int20.jsonl pid
  start_slow "$j"
  for _ in $(seq 10); do kill -INT $pid 2> /dev/null; kill -TERM $pid 2> /dev/null; done
  wait $pid
  local code=$?
  [ $code = 3 ] && [ "$(last_exit_code "$j")" = 3 ] && python3 "$here/journal_check.py" "$j" ||
    { bad many_signals_exit_3 "exit $code, journal says $(last_exit_code "$j")"; return; }
  ok
}

test_pipe_to_head_keeps_the_exit_code() {
  local j=$tmp/pipe.jsonl
  "$rbk" run "$here/pipe.rbk" --script "$script_dir/empty.script.json" --journal "$j" 2> /dev/null | head -1 > /dev/null
  local code=${PIPESTATUS[0]}
  [ "$code" = 1 ] && [ "$(last_exit_code "$j")" = 1 ] ||
    { bad pipe_to_head_keeps_the_exit_code "exit $code, journal says $(last_exit_code "$j")"; return; }
  "$rbk" run "$here/pipe.rbk" --script "$script_dir/empty.script.json" --output json 2> /dev/null | head -c 10 > /dev/null
  code=${PIPESTATUS[0]}
  [ "$code" = 1 ] || { bad pipe_to_head_keeps_the_exit_code "--output json: exit $code"; return; }
  ok
}

# patch_starts CALLS: how often the finally's patch was sent.
patch_starts() { grep -cE '^[0-9]+ (start|recheck) patch configmap/cfg$' "$1"; }

test_finally_runs_again_after_sigint() {
  local d=$tmp/fin1 pid
  mkdir -p "$d"
  "$rbk" run "$here/handlers.rbk" --script "$here/handlers.script.json" --journal "$d/j.jsonl" --call-log "$d/calls" \
    > /dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q '"event":"action_start"' "$d/j.jsonl" 2> /dev/null && break; sleep 0.02; done
  kill -INT $pid
  wait $pid
  local code=$?
  [ $code = 3 ] && [ "$(patch_starts "$d/calls")" = 1 ] || { bad finally_runs_again "first attempt: exit $code"; return; }
  "$rbk" resume "$d/j.jsonl" --script "$here/handlers.script.json" --virtual --call-log "$d/calls" > "$d/out" 2>&1
  code=$?
  [ $code = 0 ] || { bad finally_runs_again "resume exit $code: $(tail -2 "$d/out")"; return; }
  grep -q 'completed by an earlier run' "$d/out" && { bad finally_runs_again "a step was skipped: $(cat "$d/out")"; return; }
  [ "$(patch_starts "$d/calls")" = 2 ] || { bad finally_runs_again "the compensation ran $(patch_starts "$d/calls") times"; return; }
  ok
}

test_interrupted_finally_finishes_once() {
  local d=$tmp/fin2
  mkdir -p "$d"
  "$rbk" run "$here/handlers.rbk" --script "$here/handlers.script.json" --virtual --journal "$d/ref.jsonl" > /dev/null 2>&1
  local n
  n=$(grep -n '"event":"action_end".*"patch"' "$d/ref.jsonl" | cut -d: -f1)
  RBK_TEST_EXIT_AFTER_RECORDS=$n "$rbk" run "$here/handlers.rbk" --script "$here/handlers.script.json" --virtual \
    --journal "$d/j.jsonl" --call-log "$d/calls" > /dev/null 2>&1
  local code=$?
  [ $code = 137 ] || { bad interrupted_finally "the hook did not stop the run after record $n (exit $code)"; return; }
  "$rbk" resume "$d/j.jsonl" --script "$here/handlers.script.json" --virtual --call-log "$d/calls" > "$d/out" 2>&1
  code=$?
  [ $code = 0 ] || { bad interrupted_finally "resume exit $code: $(tail -2 "$d/out")"; return; }
  [ "$(patch_starts "$d/calls")" = 1 ] || { bad interrupted_finally "the patch was sent $(patch_starts "$d/calls") times"; return; }
  grep -q 'patch configmap/cfg.*completed before the interruption\|↷.*patch configmap/cfg' "$d/out" ||
    { bad interrupted_finally "the patch was not replayed: $(cat "$d/out")"; return; }
  ok
}

# A journal cut before its first record, or none at all: resume answers that nothing was done (exit 2).
test_nothing_was_done() {
  local j=$tmp/empty.jsonl
  : > "$j"
  "$rbk" resume "$j" --script "$script_dir/empty.script.json" > /dev/null 2> "$tmp/empty.err"
  local code=$?
  [ $code = 2 ] && grep -q "so nothing was done; start the plan again with rbk run" "$tmp/empty.err" &&
    [ "$(wc -l < "$tmp/empty.err")" = 1 ] || { bad nothing_was_done "exit $code: $(cat "$tmp/empty.err")"; return; }
  printf '{"seq":1,"event":"run_st' > "$j"
  "$rbk" resume "$j" --script "$script_dir/empty.script.json" > /dev/null 2> "$tmp/empty.err"
  code=$?
  [ $code = 2 ] && grep -q "nothing was done" "$tmp/empty.err" || { bad nothing_was_done "cut record: exit $code"; return; }
  # no journal at all (a run killed before it created it)
  "$rbk" resume "$tmp/never.jsonl" --script "$script_dir/empty.script.json" > /dev/null 2> "$tmp/empty.err"
  code=$?
  [ $code = 2 ] && grep -qx "rbk: cannot read journal $tmp/never.jsonl: No such file or directory; a run started with this journal stopped before its first record, so nothing was done" "$tmp/empty.err" ||
    { bad nothing_was_done "no journal: exit $code: $(cat "$tmp/empty.err")"; return; }
  ok
}

t test_nothing_was_done
t test_pipe_to_head_keeps_the_exit_code
t test_double_sigint_exits_3
t test_many_signals_exit_3
t test_finally_runs_again_after_sigint
t test_interrupted_finally_finishes_once
t test_resume_refused_while_live
t test_racing_resumes
t test_crash_matrix
finish resume
