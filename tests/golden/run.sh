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
#   plan-verbose rbk plan NAME.rbk ARGS --verbose
#   plan-diff    rbk plan NAME.rbk ARGS --diff NAME.old.rbk    (also plan-diff-mermaid)
#   test         rbk test NAME.rbk ARGS
# And every tests/golden/**/NAME.test is a list of cases for `rbk eval` (the built-ins): blocks
# separated by blank lines, '#' lines are comments, a block's first line is an expression and the
# rest is its output (stdout, then stderr); each case counts as one check. They run from the
# file's directory with the environment and secrets of eval_case below.
# Usage: run.sh RBK SOURCE_DIR [FILTER]. RBK_REGEN=1 rewrites the expectations instead of comparing;
# to add a case, create an empty NAME.MODE.out (or a block with just the expression) and regenerate.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
root=$src/tests/golden

# Prints the command line words for MODE ($1) of the case NAME ($2).
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
    plan-verbose) echo plan --verbose ;;
    plan-diff) echo plan --diff "$2.old.rbk" ;;
    plan-diff-mermaid) echo plan --diff "$2.old.rbk" --format mermaid ;;
    test) echo test ;;
    *) return 1 ;;
  esac
}

# Compares expectation file $1 with the text $2 (or rewrites it under RBK_REGEN=1).
compare() {
  if [ "${RBK_REGEN:-}" = 1 ]; then
    printf '%s\n' "$2" > "$1"
    ok
  elif [ "$2" == "$(cat "$1")" ]; then
    ok
  else
    bad "${1#$root/}" "$(diff <(cat "$1") <(printf '%s\n' "$2") | head -20)"
  fi
}

while IFS= read -r -d '' expect; do
  dir=$(dirname "$expect")
  base=$(basename "$expect" .out)
  name=${base%%.*}
  mode=${base#*.}
  file=$name.rbk
  [ -n "$filter" ] && [[ "$dir/$base" != *"$filter"* ]] && continue
  if ! words=$(mode_args "$mode" "$name"); then
    bad "$expect" "unknown mode '$mode'"
    continue
  fi
  extra=()
  [ -f "$dir/$name.args" ] && read -r -a extra < "$dir/$name.args"
  read -r -a cmd <<< "$words"
  actual=$(cd "$dir" && {
    out=$(timeout 60 "$rbk" "${cmd[0]}" "$file" "${extra[@]}" "${cmd[@]:1}" 2>"$tmp/err")
    code=$?
    printf '%s\n' "$out"
    cat "$tmp/err"
    echo "exit: $code"
  })
  compare "$expect" "$actual"
done < <(find "$root" -name '*.out' -print0 | sort -z)

# Prints the output of `rbk eval EXPR` ($1) in directory $2: stdout, then stderr.
eval_case() {
  (cd "$2" && KUBE_CONTEXT=prod EMPTY= TOKEN=env-token PADDED=$' tok\n' PWD=$2 \
    timeout 20 "$rbk" eval --epoch 1714564800000 --reveal --secret TOKEN=override-token \
    --secret DB_PASSWORD=@db_password.txt --secret PW=pa55 --secret T=x -- "$1" 2>"$tmp/err"
    cat "$tmp/err")
}

# Runs every case of the .test file $1; under RBK_REGEN=1 rewrites the file with the outputs.
run_cases() {
  local file=$1 dir rel regen="" comments="" expr="" want="" line
  dir=$(dirname "$file")
  rel=${file#$root/}
  # Checks (or regenerates) the block gathered so far.
  flush() {
    if [ -n "$expr" ]; then
      local got
      got=$(eval_case "$expr" "$dir")
      if [ "${RBK_REGEN:-}" = 1 ]; then ok
      elif [ "$got" == "$want" ]; then ok
      else bad "$rel: $expr" "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got"))"; fi
      regen+="$comments$expr"$'\n'"$got"$'\n\n'
    elif [ -n "$comments" ]; then
      regen+="$comments"$'\n'
    fi
    comments="" expr="" want=""
  }
  while IFS= read -r line || [ -n "$line" ]; do
    if [ -z "$line" ]; then flush
    elif [ -z "$expr" ] && [[ "$line" == "#"* ]]; then comments+="$line"$'\n'
    elif [ -z "$expr" ]; then expr=$line
    else want+="${want:+$'\n'}$line"; fi
  done < "$file"
  flush
  [ "${RBK_REGEN:-}" = 1 ] && printf '%s' "${regen%$'\n'}" > "$file"
}

while IFS= read -r -d '' cases; do
  [ -n "$filter" ] && [[ "$cases" != *"$filter"* ]] && continue
  run_cases "$cases"
done < <(find "$root" -name '*.test' -print0 | sort -z)

finish
