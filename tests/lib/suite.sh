# tests/lib/suite.sh — the common start of a shell test suite, sourced by tests/<suite>/run.sh
# with the suite's arguments (RBK SOURCE_DIR [FILTER]):
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
# It sets rbk (the binary, absolute), src (the source dir, absolute), filter, the pass and fail
# counters and tmp (a directory removed at exit); it fixes the locale and the time zone and turns
# colours off; it defines ok, bad, record, expect_eq, expect_out, expect_fail, expect_fail_text,
# start_server, sim_kubeconfig, t and finish.
# Suites that talk to `rbk sim` over HTTPS also source tests/lib/sim.sh.
set -u
rbk=$(realpath "$1")
src=$(realpath "$2")
filter=${3:-}
pass=0
fail=0
export NO_COLOR=1 LC_ALL=C.UTF-8 TZ=UTC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Records a result: ok [NAME] (a named pass is printed) or bad NAME [WHY].
ok() {
  pass=$((pass + 1))
  [ -z "${1:-}" ] || echo "ok   $1"
}
bad() {
  echo "FAIL $1${2:+: $2}"
  fail=$((fail + 1))
}
# record NAME STATUS: ok when STATUS is 0, else bad.
record() { if [ "$2" = 0 ]; then ok; else bad "$1"; fi; }
# expect_eq NAME WANT GOT: ok when GOT is WANT.
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "wanted '$2', got '$3'"; fi; }
# expect_out NAME PATTERN CMD...: the command's combined output matches the extended regex.
expect_out() {
  local name=$1 pat=$2; shift 2
  local out; out=$("$@" 2>&1)
  if grep -Eq -- "$pat" <<<"$out"; then ok "$name"; else bad "$name" "wanted /$pat/, got: $out"; fi
}
# fails_with GREP_FLAG NAME WANT CMD...: ok when the command fails and `grep GREP_FLAG WANT` finds
# WANT in its combined output.
fails_with() {
  local how=$1 name=$2 want=$3; shift 3
  local out rc; out=$("$@" 2>&1); rc=$?
  if [ $rc -ne 0 ] && grep -q "$how" -- "$want" <<<"$out"; then ok "$name"; else bad "$name" "rc=$rc, wanted '$want', got: $out"; fi
}
# expect_fail NAME PATTERN CMD...: the command fails and its combined output matches the extended regex.
expect_fail() { fails_with -E "$@"; }
# expect_fail_text NAME TEXT CMD...: the command fails and its combined output contains TEXT verbatim.
expect_fail_text() { fails_with -F "$@"; }
# start_server LOG: starts the suite's python3 server.py (in the current directory) with its request
# log LOG, its ports in $tmp/port and its stderr in $tmp/server.err; sets server (its pid), kills it at
# exit, and waits up to 5 s for the ports.
start_server() {
  : >"$1"
  python3 server.py "$1" >"$tmp/port" 2>"$tmp/server.err" &
  server=$!
  trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
  for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
}
# sim_kubeconfig FILE URL USER_LINE [CA_LINE]: a kubeconfig with one cluster, context and user
# (namespace greenlang); USER_LINE is the user's entry ('user: {token: "…"}'), CA_LINE an extra
# cluster field ('certificate-authority: "…"').
sim_kubeconfig() {
  cat >"$1" <<EOK
apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster: {server: "$2"${4:+, $4}}
contexts:
- name: sim
  context: {cluster: sim, user: runner, namespace: greenlang}
current-context: sim
users:
- name: runner
  $3
EOK
}

# Runs test function $1 unless the filter excludes it.
t() { [ -n "$filter" ] && [[ "$1" != *"$filter"* ]] && return; "$1"; }
# Prints "[$1: ]N passed, M failed"; returns 0 when nothing failed and something passed.
finish() {
  echo "${1:+$1: }$pass passed, $fail failed"
  [ "$fail" = 0 ] && [ "$pass" -gt 0 ]
}
