#!/bin/bash
# bench/journal_cost.sh — what the journal costs: per action (two records, each one write(); the
# action_start of the mutation fsync'ed at once, the action_end with the next group — docs/run.md
# "The journal on disk") and the time `rbk resume` takes on a 1,000-action journal.
#
#   bash bench/journal_cost.sh <rbk binary> [N=1000] [REPEAT=3]
#
# The plan is one step of N `scale` actions answered at once by a script on the virtual clock, so
# that what is left is the engine and the journal. It is run REPEAT times without a journal and
# with one (in a directory on the disk of the current directory, not /tmp, which may be tmpfs);
# the medians' difference ÷ N is the journal's cost per action. Then the same run is stopped by
# the crash hook (RBK_TEST_EXIT_AFTER_RECORDS) after its last action_end, before the step's end:
# the resume reads every record, skips nothing and replays all N completed actions from the
# journal — the most a resume of N actions has to do. And once more stopped after the step's end:
# that resume reads the same records and skips the step (reading and deciding, nearly no
# writes). Prints one line per figure.
set -eu
rbk=$(realpath "$1")
n=${2:-1000}
repeat=${3:-3}
work=$(mktemp -d ./journal-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/plan.rbk" << EOP
runbook "journal-bench" {
  title = "journal bench"
}

let k = kube(namespace: "greenlang")

step "many" {
  for i in [$(seq -s, 0 $((n - 1)))] {
    k.scale("deployment/d\${i}", 1)
  }
}
EOP
echo '{"default_delay": "0ms", "answers": [{"action": "*", "results": [{"value": {"replicas": 1}}]}]}' > "$work/script.json"

# seconds CMD…: the wall time of one run, in seconds.
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > /dev/null 2>&1 || true
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
# median: the median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run=("$rbk" run "$work/plan.rbk" --script "$work/script.json" --virtual)
without=$(for _ in $(seq "$repeat"); do seconds "${run[@]}"; done | median)
with=$(for i in $(seq "$repeat"); do seconds "${run[@]}" --journal "$work/j$i.jsonl"; done | median)
records=$(wc -l < "$work/j1.jsonl")
printf 'run of %d actions: %.3f s without a journal, %.3f s with one (%d records, %d bytes)\n' \
  "$n" "$without" "$with" "$records" "$(stat -c %s "$work/j1.jsonl")"
printf 'journal cost per action (2 records, 1 fsync): %.3f ms\n' \
  "$(echo "($with - $without) * 1000 / $n" | bc -l)"

cut=$(grep -n '"event":"action_end"' "$work/j1.jsonl" | tail -1 | cut -d: -f1)
times=()
for i in $(seq "$repeat"); do
  RBK_TEST_EXIT_AFTER_RECORDS=$cut "${run[@]}" --journal "$work/r$i.jsonl" > /dev/null 2>&1 || true
  times+=("$(seconds "$rbk" resume "$work/r$i.jsonl" --script "$work/script.json" --virtual)")
  grep -q '"event":"run_end","status":"ok"' "$work/r$i.jsonl" || { echo "resume $i did not succeed" >&2; exit 1; }
done
replayed=$(grep -c '"message":"completed before the interruption"' "$work/r1.jsonl")
printf 'resume of a %d-action journal (%d records read, %d replay records written): %.3f s\n' \
  "$n" "$cut" "$replayed" "$(printf '%s\n' "${times[@]}" | median)"

done_at=$(grep -n '"event":"step_end"' "$work/j1.jsonl" | tail -1 | cut -d: -f1)
times=()
for i in $(seq "$repeat"); do
  RBK_TEST_EXIT_AFTER_RECORDS=$done_at "${run[@]}" --journal "$work/s$i.jsonl" > /dev/null 2>&1 || true
  times+=("$(seconds "$rbk" resume "$work/s$i.jsonl" --script "$work/script.json" --virtual)")
  grep -q '"event":"run_end","status":"ok"' "$work/s$i.jsonl" || { echo "resume $i did not succeed" >&2; exit 1; }
done
printf 'resume of a %d-action journal whose step completed (%d records read, the step skipped): %.3f s\n' \
  "$n" "$done_at" "$(printf '%s\n' "${times[@]}" | median)"
