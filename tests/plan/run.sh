#!/usr/bin/env bash
# rbk plan's output formats are valid for their consumers: every plan under tests/golden/plan (and
# the example of docs/language.md §2) renders with Graphviz (`dot -Tsvg`), parses as JSON
# (`python3 -m json.tool`), and gives a well-formed Mermaid flowchart; secrets never appear; every seed
# plan's formats name the same action nodes.
# Usage: run.sh RBK SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
root=$src
dir=$root/tests/golden/plan

# Checks that the mermaid text in $1 opens with flowchart TD and closes every subgraph.
mermaid_ok() {
  head -1 "$1" | grep -qx 'flowchart TD' || return 1
  local opened closed
  opened=$(grep -c '^ *subgraph ' "$1")
  closed=$(grep -c '^ *end$' "$1")
  [ "$opened" = "$closed" ]
}

# Runs every format of plan $1 (extra args in the rest) and validates them.
check_plan() {
  local file=$1 name
  shift
  name=$(basename "$file" .rbk)
  if ! (cd "$(dirname "$file")" && "$rbk" plan "$(basename "$file")" "$@" --format json > "$tmp/$name.json" 2>/dev/null); then
    return 0 # plans that stop with exit 2 (param errors) have no graph to validate
  fi
  if python3 -m json.tool "$tmp/$name.json" > /dev/null 2>&1; then ok; else bad "$name.json" "invalid JSON"; fi
  (cd "$(dirname "$file")" && "$rbk" plan "$(basename "$file")" "$@" --format dot > "$tmp/$name.dot" 2>/dev/null)
  if dot -Tsvg "$tmp/$name.dot" > /dev/null 2> "$tmp/$name.dot.err" && [ ! -s "$tmp/$name.dot.err" ]; then ok
  else bad "$name.dot" "$(head -3 "$tmp/$name.dot.err")"; fi
  (cd "$(dirname "$file")" && "$rbk" plan "$(basename "$file")" "$@" --format mermaid > "$tmp/$name.mmd" 2>/dev/null)
  if mermaid_ok "$tmp/$name.mmd"; then ok; else bad "$name.mmd" "malformed flowchart"; fi
  validated=$((validated + 1))
}

validated=0
for file in "$dir"/*.rbk; do
  args=()
  name=$(basename "$file" .rbk)
  [ -f "$dir/$name.args" ] && read -r -a args < "$dir/$name.args"
  check_plan "$file" "${args[@]}"
done
if [ "$validated" -lt 8 ]; then bad "suite" "only $validated plans produced a graph"; else ok; fi

# The example of docs/language.md §2, extracted from the shared docs when they are here.
lang=/work/shared/docs/language.md
[ -f "$root/docs/language.md" ] && grep -q 'gl-001-emergency-rollback' "$root/docs/language.md" && lang=$root/docs/language.md
if [ -f "$lang" ]; then
  awk '/^```rbk$/ {on = 1; next} /^```$/ {if (on) exit} on' "$lang" > "$tmp/example.rbk"
  check_plan "$tmp/example.rbk" -p reason=x
  if (cd "$tmp" && "$rbk" plan example.rbk -p reason=x > example.txt 2> example.err); then ok
  else bad "example" "rbk plan exited $? on the language.md example"; fi
  grep -q 'warning: the worst case (14m) can exceed the deadline (5m)' "$tmp/example.err" && ok ||
    bad "example" "no deadline warning: $(cat "$tmp/example.err")"
fi

# Every seed plan's four formats name the same action nodes: the ids of the JSON's action nodes,
# the DOT nodes of class "action", the Mermaid nodes of class action, and the ids the default text
# view prints (each line opens with its node id); the default view of a plan is a reviewer's, so
# it hides returns and asserts but never an action. The emergency rollback's fits in 100 lines.
for file in "$root"/plans/*.rbk; do
  name=$(basename "$file" .rbk)
  args=()
  [ -f "$root/tests/golden/plans/$name.args" ] && read -r -a args < "$root/tests/golden/plans/$name.args"
  run_fmt() { (cd "$root/plans" && "$rbk" plan "$name.rbk" "${args[@]}" "$@" 2>/dev/null); }
  json=$(run_fmt --format json | python3 -c 'import json,sys; print(" ".join(sorted(n["id"] for n in json.load(sys.stdin)["nodes"] if n["kind"] == "action")))')
  dot=$(run_fmt --format dot | sed -n 's/^ *\(n[0-9]*\) \[.*class="action.*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')
  mmd=$(run_fmt --format mermaid | sed -n 's/^  class \(.*\) action$/\1/p' | tr ',' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
  text=$(run_fmt | awk '/^n[0-9]+ / {print $1}' | sort | tr '\n' ' ')
  missing=""
  for id in $json; do [[ " $text " == *" $id "* ]] || missing+=" $id"; done
  if [ -z "$json" ]; then bad "$name.actions" "no action node in the JSON"
  elif [ "$json" != "$dot" ]; then bad "$name.actions" "JSON [$json] but DOT [$dot]"
  elif [ "$json" != "$mmd" ]; then bad "$name.actions" "JSON [$json] but Mermaid [$mmd]"
  elif [ -n "$missing" ]; then bad "$name.actions" "the text view does not name$missing"
  else ok; fi
  if [ "$name" = emergency-rollback ]; then
    lines=$(run_fmt | wc -l)
    if [ "$lines" -le 100 ]; then ok; else bad "$name.lines" "the default view has $lines lines (> 100)"; fi
    run_fmt --mutating | grep -q 'run lock: acquire  lease/rbk-gl-001-emergency-rollback' && ok ||
      bad "$name.lock" "--mutating does not list the run lock's Lease"
  fi
done

# rbk plan --diff: REV:path is read with `git show` (a throwaway repository with two commits of a
# plan and its library); the Mermaid form is a well-formed flowchart that styles the changed nodes.
if command -v git > /dev/null; then
  repo=$tmp/diffrepo
  mkdir -p "$repo/lib"
  cp "$root/tests/golden/diff/undo.old.rbk" "$repo/undo.rbk"
  (cd "$repo" && git init -q && git add undo.rbk && git -c user.name=t -c user.email=t@example.com commit -qm old)
  cp "$root/tests/golden/diff/undo.rbk" "$repo/undo.rbk"
  want=$(cd "$root/tests/golden/diff" && "$rbk" plan undo.rbk --diff undo.old.rbk 2>&1 | sed 1d)
  got=$(cd "$repo" && "$rbk" plan undo.rbk --diff HEAD:undo.rbk 2>&1)
  if [ "$(sed 1d <<< "$got")" == "$want" ] && head -1 <<< "$got" | grep -qx 'plan diff HEAD:undo.rbk → undo.rbk'; then ok
  else bad "diff.rev" "$(diff <(printf '%s\n' "$want") <(sed 1d <<< "$got") | head -10)"; fi
  (cd "$repo" && git -c user.name=t -c user.email=t@example.com commit -qam new)
  got=$(cd "$repo" && "$rbk" plan HEAD:undo.rbk --diff HEAD~1:undo.rbk 2>&1)
  [ "$(sed 1d <<< "$got")" == "$want" ] && ok || bad "diff.rev2" "both versions from git differ from the files"
  out=$(cd "$repo" && "$rbk" plan undo.rbk --diff nosuchrev:undo.rbk 2>&1)
  code=$?
  [ "$code" = 2 ] && grep -q 'rbk: git show nosuchrev:undo.rbk failed' <<< "$out" && ok || bad "diff.badrev" "exit $code: $out"
fi
(cd "$root/tests/golden/diff" && "$rbk" plan undo.rbk --diff undo.old.rbk --format mermaid > "$tmp/diff.mmd" 2>/dev/null)
if mermaid_ok "$tmp/diff.mmd" && grep -q '^  class n10,n12 newmutation$' "$tmp/diff.mmd"; then ok
else bad "diff.mmd" "malformed flowchart or the new mutations are not styled"; fi
out=$(cd "$root/tests/golden/diff" && "$rbk" plan undo.rbk --diff undo.old.rbk --format json 2>&1)
[ $? = 2 ] && grep -q 'works with the text and mermaid formats' <<< "$out" && ok || bad "diff.json" "$out"

# Secrets are read from nowhere and shown as *** in every format.
for fmt in text json dot mermaid; do
  out=$(cd "$dir" && ORCH_TOKEN=tok-12345 SLACK_WEBHOOK_URL=https://hooks.example/s3cr3t DB_PASSWORD=pw-67890 \
        "$rbk" plan secrets.rbk --format "$fmt" 2>&1)
  if grep -q -e 'tok-12345' -e 's3cr3t' -e 'pw-67890' <<< "$out"; then bad "secrets.$fmt" "a secret leaked"
  elif ! grep -q '\*\*\*' <<< "$out"; then bad "secrets.$fmt" "no *** shown"
  else ok; fi
done

finish
