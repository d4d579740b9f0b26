#!/usr/bin/env bash
# tests/style/run.sh — the house rules of docs/style.md that scripts/checksrc.py checks: the source
# tree follows them, and the checker finds each kind of violation in tests/style/bad/ (a small tree
# that breaks every rule), exactly as tests/style/bad.expected lists.
# Usage: run.sh RBK SOURCE_DIR [FILTER] (RBK is unused; the runner passes it to every suite).
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"

# The real tree has no violation.
tree_is_clean() {
  local out
  if out=$(python3 "$src/scripts/checksrc.py" "$src" 2>&1); then ok; else bad tree_is_clean "$out"; fi
}

# The checker reports every violation of the bad tree and fails.
bad_tree_is_caught() {
  local out rc
  out=$(python3 "$src/scripts/checksrc.py" "$src/tests/style/bad" 2>/dev/null)
  rc=$?
  if [ "$rc" != 1 ]; then
    bad bad_tree_is_caught "exit $rc, want 1"
  elif ! diff -u "$src/tests/style/bad.expected" - <<<"$out" >"$tmp/diff"; then
    bad bad_tree_is_caught "$(cat "$tmp/diff")"
  else
    ok
  fi
}

t tree_is_clean
t bad_tree_is_caught
finish style
