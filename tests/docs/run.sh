#!/usr/bin/env bash
# Every ```rbk example in the docs must pass `rbk check` unchanged: ours (docs/*.md) and the
# product sketch (../shared/docs/language.md, when the checkout has shared/ beside it).
set -u
rbk=$(realpath "$1")
src=$2
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
docs=("$src"/docs/*.md)
[ -f "$src/../shared/docs/language.md" ] && docs+=("$src/../shared/docs/language.md")
for doc in "${docs[@]}"; do
  [ -f "$doc" ] || continue
  # Split the ```rbk blocks into files named after the doc and the block's first line number.
  awk -v out="$tmp/$(basename "$doc" .md)" '
    /^```rbk[[:space:]]*$/ { inblock = 1; n = NR; file = out "-" n ".rbk"; next }
    /^```/ && inblock { inblock = 0; close(file); next }
    inblock { print > file }' "$doc"
done
for example in "$tmp"/*.rbk; do
  [ -f "$example" ] || continue
  if out=$(cd "$tmp" && NO_COLOR=1 "$rbk" check "$(basename "$example")" 2>&1); then
    pass=$((pass + 1))
  else
    echo "FAIL $(basename "$example"): the example at that line does not check"
    printf '%s\n' "$out" | head -20
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
