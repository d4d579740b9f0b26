#!/usr/bin/env bash
# rbk plan's output formats are valid for their consumers: every plan under tests/golden/plan (and
# the example of docs/language.md §2) renders with Graphviz (`dot -Tsvg`), parses as JSON
# (`python3 -m json.tool`), and gives a well-formed Mermaid flowchart; secrets never appear.
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

# Secrets are read from nowhere and shown as *** in every format.
for fmt in text json dot mermaid; do
  out=$(cd "$dir" && ORCH_TOKEN=tok-12345 SLACK_WEBHOOK_URL=https://hooks.example/s3cr3t DB_PASSWORD=pw-67890 \
        "$rbk" plan secrets.rbk --format "$fmt" 2>&1)
  if grep -q -e 'tok-12345' -e 's3cr3t' -e 'pw-67890' <<< "$out"; then bad "secrets.$fmt" "a secret leaked"
  elif ! grep -q '\*\*\*' <<< "$out"; then bad "secrets.$fmt" "no *** shown"
  else ok; fi
done

finish
