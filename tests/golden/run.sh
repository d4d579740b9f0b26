#!/usr/bin/env bash
# Golden data-file tests: every tests/golden/**/NAME.rbk is run once per expectation file beside it,
# NAME.MODE.out, and the output (stdout, then stderr, then "exit: N") is compared with it.
#   MODE         command (run from the file's directory; extra arguments from NAME.args)
#   ast          rbk ast NAME.rbk
#   check        rbk check NAME.rbk
#   check-json   rbk check --format json NAME.rbk
#   fmt          rbk fmt NAME.rbk
#   plan         rbk plan NAME.rbk ARGS
#   plan-json    rbk plan NAME.rbk ARGS --format json      (also -dot, -mermaid)
#   plan-mutating rbk plan NAME.rbk ARGS --mutating
#   test         rbk test NAME.rbk ARGS
# Usage: run.sh RBK SOURCE_DIR [FILTER]. RBK_REGEN=1 rewrites the expectations instead of comparing;
# to add a case, create an empty NAME.MODE.out and regenerate.
set -u
rbk=$(realpath "$1")
root=$2/tests/golden
filter=${3:-}
pass=0
fail=0
export NO_COLOR=1 LC_ALL=C.UTF-8 TZ=UTC

# Prints the command line words for MODE.
mode_args() {
  case $1 in
    ast) echo ast ;;
    check) echo check ;;
    check-json) echo check --format json ;;
    fmt) echo fmt ;;
    plan) echo plan ;;
    plan-json) echo plan --format json ;;
    plan-dot) echo plan --format dot ;;
    plan-mermaid) echo plan --format mermaid ;;
    plan-mutating) echo plan --mutating ;;
    test) echo test ;;
    *) return 1 ;;
  esac
}

while IFS= read -r -d '' expect; do
  dir=$(dirname "$expect")
  base=$(basename "$expect" .out)
  name=${base%%.*}
  mode=${base#*.}
  file=$name.rbk
  [ -n "$filter" ] && [[ "$dir/$base" != *"$filter"* ]] && continue
  if ! words=$(mode_args "$mode"); then
    echo "FAIL $expect: unknown mode '$mode'"
    fail=$((fail + 1))
    continue
  fi
  extra=()
  [ -f "$dir/$name.args" ] && read -r -a extra < "$dir/$name.args"
  read -r -a cmd <<< "$words"
  actual=$(cd "$dir" && {
    out=$(timeout 60 "$rbk" "${cmd[0]}" "$file" "${extra[@]}" "${cmd[@]:1}" 2>/tmp/rbk-golden-err.$$)
    code=$?
    printf '%s\n' "$out"
    cat /tmp/rbk-golden-err.$$
    echo "exit: $code"
  })
  rm -f /tmp/rbk-golden-err.$$
  if [ "${RBK_REGEN:-}" = 1 ]; then
    printf '%s\n' "$actual" > "$expect"
    pass=$((pass + 1))
  elif [ "$actual" == "$(cat "$expect")" ]; then
    pass=$((pass + 1))
  else
    echo "FAIL ${expect#$root/}"
    diff <(cat "$expect") <(printf '%s\n' "$actual") | head -20
    fail=$((fail + 1))
  fi
done < <(find "$root" -name '*.out' -print0 | sort -z)

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
