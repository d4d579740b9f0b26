#!/usr/bin/env bash
# Every ```rbk example in the docs must pass `rbk check` unchanged: ours (docs/*.md) and the
# product sketch (../shared/docs/language.md, when the checkout has shared/ beside it).
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
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
  if out=$(cd "$tmp" && "$rbk" check "$(basename "$example")" 2>&1); then
    ok
  else
    bad "$(basename "$example")" "the example at that line does not check"$'\n'"$(head -20 <<< "$out")"
  fi
done
finish
