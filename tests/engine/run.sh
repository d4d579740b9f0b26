#!/usr/bin/env bash
# Engine data-file tests: every tests/engine/NAME.rbk runs with its scripted transport
# NAME.script.json on a virtual clock, and the JSON event stream (stdout, then stderr, then
# "exit: N") is compared with NAME.events.out. Extra arguments come from NAME.args.
# Every case also runs twice to check the stream is byte-identical (determinism), and no output
# may contain the value of the test secret.
# Usage: run.sh RBK SOURCE_DIR [FILTER]. RBK_REGEN=1 rewrites the expectations.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
root=$src/tests/engine
export USER=tester RBK_TEST_TOKEN=hunter2-do-not-print

# Prints the output of one run of case $1 (stdout, stderr, exit code).
run_case() {
  local name=$1 extra=()
  [ -f "$root/$name.args" ] && read -r -a extra < "$root/$name.args"
  (cd "$root" && {
    out=$(timeout 60 "$rbk" run "$name.rbk" --script "$name.script.json" --virtual --output json \
      "${extra[@]}" 2>"$tmp/err")
    code=$?
    printf '%s\n' "$out"
    cat "$tmp/err"
    echo "exit: $code"
  })
}

for plan in "$root"/*.rbk; do
  name=$(basename "$plan" .rbk)
  [ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && continue
  expect=$root/$name.events.out
  [ -f "$expect" ] || continue
  actual=$(run_case "$name")
  again=$(run_case "$name")
  if [ "$actual" != "$again" ]; then
    bad "$name" "two runs differ (not deterministic)"$'\n'"$(diff <(printf '%s\n' "$actual") <(printf '%s\n' "$again") | head -10)"
    continue
  fi
  if grep -q "$RBK_TEST_TOKEN" <<< "$actual"; then
    bad "$name" "the secret was printed"
    continue
  fi
  if [ "${RBK_REGEN:-}" = 1 ]; then
    printf '%s\n' "$actual" > "$expect"
    ok
  elif [ "$actual" == "$(cat "$expect")" ]; then
    ok
  else
    bad "$name" "$(diff <(cat "$expect") <(printf '%s\n' "$actual") | head -20)"
  fi
done

finish
