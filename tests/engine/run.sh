#!/usr/bin/env bash
# Engine data-file tests: every tests/engine/NAME.rbk runs with its scripted transport
# NAME.script.json on a virtual clock, and the JSON event stream (stdout, then stderr, then
# "exit: N") is compared with NAME.events.out. Extra arguments come from NAME.args.
# Every case also runs twice to check the stream is byte-identical (determinism), and no output
# may contain the value of the test secret.
# Usage: run.sh RBK SOURCE_DIR [FILTER]. RBK_REGEN=1 rewrites the expectations.
set -u
rbk=$(realpath "$1")
root=$2/tests/engine
filter=${3:-}
pass=0
fail=0
export NO_COLOR=1 LC_ALL=C.UTF-8 TZ=UTC USER=tester
export RBK_TEST_TOKEN=hunter2-do-not-print
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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

for src in "$root"/*.rbk; do
  name=$(basename "$src" .rbk)
  [ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && continue
  expect=$root/$name.events.out
  [ -f "$expect" ] || continue
  actual=$(run_case "$name")
  again=$(run_case "$name")
  if [ "$actual" != "$again" ]; then
    echo "FAIL $name: two runs differ (not deterministic)"
    diff <(printf '%s\n' "$actual") <(printf '%s\n' "$again") | head -10
    fail=$((fail + 1))
    continue
  fi
  if grep -q "$RBK_TEST_TOKEN" <<< "$actual"; then
    echo "FAIL $name: the secret was printed"
    fail=$((fail + 1))
    continue
  fi
  if [ "${RBK_REGEN:-}" = 1 ]; then
    printf '%s\n' "$actual" > "$expect"
    pass=$((pass + 1))
  elif [ "$actual" == "$(cat "$expect")" ]; then
    pass=$((pass + 1))
  else
    echo "FAIL $name"
    diff <(cat "$expect") <(printf '%s\n' "$actual") | head -20
    fail=$((fail + 1))
  fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
