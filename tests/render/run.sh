#!/usr/bin/env bash
# tests/render — a reviewer's pictures draw: every seed plan's `rbk plan --format mermaid` (and the
# Mermaid of `rbk plan --diff` for the golden diff pairs) is rendered by the real renderer,
# @mermaid-js/mermaid-cli (the version pinned in tests/render/package-lock.json, installed by
# scripts/bootstrap.sh into BUILD/render/node_modules, driving Debian's chromium), and every seed
# plan's `--format dot` by Graphviz's dot. A diagram passes when its renderer exits 0 with a
# non-empty SVG that holds every action node id of the graph (mermaid-cli also exits non-zero on a
# parse error). Usage: run.sh RBK SOURCE_DIR [FILTER]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"

# The renderer beside the binary under test, else the one of the default build (the ASan and clang
# builds of scripts/test.sh share build/'s).
mmdc="$(dirname "$rbk")/render/node_modules/.bin/mmdc"
[ -x "$mmdc" ] || mmdc="$src/build/render/node_modules/.bin/mmdc"
chromium=/usr/bin/chromium
for need in "$mmdc" "$chromium" "$(command -v dot || echo dot)"; do
  [ -x "$need" ] || { echo "FAIL $need is missing: run scripts/bootstrap.sh"; exit 1; }
done

# The args each seed plan is planned with (its golden args file), else none.
plan_args() {
  local a="$src/tests/golden/plans/$1.args"
  [ -f "$a" ] && cat "$a"
}

# The action node ids ("n12") of a plan's graph, one per line.
action_ids() {
  # shellcheck disable=SC2046
  "$rbk" plan "$1" $(plan_args "$2") --format json 2>/dev/null | jq -r '.nodes[] | select(.kind == "action") | .id'
}

# Renders one Mermaid source ($1) to $2.svg; checks the SVG names every id listed in $3.
render_mermaid() {
  local name=$1 in=$2 ids=$3 log="$tmp/$1.mmdc.log"
  if ! timeout 180 "$mmdc" -q -p "$src/tests/render/puppeteer.json" -i "$in" -o "$tmp/$name.svg" >"$log" 2>&1; then
    bad "mermaid $name" "$(tail -3 "$log")"
    return
  fi
  [ -s "$tmp/$name.svg" ] || { bad "mermaid $name" "empty SVG"; return; }
  local id missing=""
  for id in $ids; do grep -q "flowchart-$id-" "$tmp/$name.svg" || missing="$missing $id"; done
  if [ -n "$missing" ]; then bad "mermaid $name" "nodes not drawn:$missing"; else ok "mermaid $name"; fi
}

seeds() {
  local f base ids
  for f in "$src"/plans/*.rbk; do
    base=$(basename "$f" .rbk)
    # shellcheck disable=SC2046
    "$rbk" plan "$f" $(plan_args "$base") --format mermaid >"$tmp/$base.mmd" || { bad "plan $base" "rbk plan --format mermaid failed"; continue; }
    ids=$(action_ids "$f" "$base")
    [ -n "$ids" ] || { bad "plan $base" "no action nodes"; continue; }
    render_mermaid "$base" "$tmp/$base.mmd" "$ids"
    # shellcheck disable=SC2046
    "$rbk" plan "$f" $(plan_args "$base") --format dot >"$tmp/$base.dot" || { bad "plan $base" "rbk plan --format dot failed"; continue; }
    if dot -Tsvg "$tmp/$base.dot" -o "$tmp/$base.dot.svg" 2>"$tmp/$base.dot.log" && [ -s "$tmp/$base.dot.svg" ] &&
      ! grep -q . "$tmp/$base.dot.log"; then
      local id missing=""
      for id in $ids; do grep -q "<title>$id</title>" "$tmp/$base.dot.svg" || missing="$missing $id"; done
      if [ -n "$missing" ]; then bad "dot $base" "nodes not drawn:$missing"; else ok "dot $base"; fi
    else
      bad "dot $base" "$(head -3 "$tmp/$base.dot.log")"
    fi
  done
}

diffs() {
  local old new base
  for old in "$src"/tests/golden/diff/*.old.rbk; do
    base=$(basename "$old" .old.rbk)
    new="$src/tests/golden/diff/$base.rbk"
    "$rbk" plan "$new" --diff "$old" --format mermaid >"$tmp/diff-$base.mmd" || { bad "diff $base" "rbk plan --diff --format mermaid failed"; continue; }
    render_mermaid "diff-$base" "$tmp/diff-$base.mmd" ""
  done
}

t seeds
t diffs
[ -z "${RBK_RENDER_KEEP:-}" ] || { mkdir -p "$RBK_RENDER_KEEP" && cp "$tmp"/*.svg "$tmp"/*.mmd "$tmp"/*.dot "$RBK_RENDER_KEEP"/; }
finish render
