# tests/lib/suite.sh — the common start of a shell test suite, sourced by tests/<suite>/run.sh
# with the suite's arguments (RBK SOURCE_DIR [FILTER]):
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
# It sets rbk (the binary, absolute), src (the source dir, absolute), filter, the pass and fail
# counters and tmp (a directory removed at exit); it fixes the locale and the time zone and turns
# colours off; it defines ok, bad, t and finish.
set -u
rbk=$(realpath "$1")
src=$(realpath "$2")
filter=${3:-}
pass=0
fail=0
export NO_COLOR=1 LC_ALL=C.UTF-8 TZ=UTC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Records a result: ok NAME or bad NAME WHY.
ok() { pass=$((pass + 1)); }
bad() {
  echo "FAIL $1: $2"
  fail=$((fail + 1))
}
# Runs test function $1 unless the filter excludes it.
t() { [ -n "$filter" ] && [[ "$1" != *"$filter"* ]] && return; "$1"; }
# Prints "[$1: ]N passed, M failed"; returns 0 when nothing failed and something passed.
finish() {
  echo "${1:+$1: }$pass passed, $fail failed"
  [ "$fail" = 0 ] && [ "$pass" -gt 0 ]
}
