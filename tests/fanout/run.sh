#!/usr/bin/env bash
# The fan-out suite: a `parallel for` of many actions against one server (tests/fanout/server.py,
# HTTP/1.1 keep-alive on loopback). It checks behaviour, not speed:
#  - the requests share a bounded pool of connections (stdlib/http/http_pool.h: at most 32 per
#    origin over HTTP/1.1) — the server sees every request, on at most 32 client ports and on
#    fewer ports than requests (connections are reused);
#  - a failed fan-out exits right after its "run failed" line: the requests still in flight
#    (held by the server, never answered) are abandoned, not waited for.
# Usage: run.sh RBK SOURCE_DIR [FILTER]. Needs python3.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
command -v python3 >/dev/null || { echo "fanout: python3 is missing"; exit 1; }
cd "$src/tests/fanout" || exit 1

log=$tmp/server.log
start_server "$log"
read -r port port2 <"$tmp/port"
[ -n "$port2" ] || { echo "the server did not start"; cat "$tmp/server.err"; exit 1; }

# plan FILE N FIRST REST [PAUSE]: a plan that GETs FIRST for item 0 (after PAUSE, from the second
# port: another origin, whose pool has room) and REST/i for the items 1…N-1, all at once.
plan() {
  local items
  items=$(seq 0 $(($2 - 1)) | paste -sd, -)
  cat >"$1" <<EOP
runbook "fanout" {
  title = "$2 GETs at once"
}
let api = http("http://127.0.0.1:$port")
let other = http("http://127.0.0.1:$port2")
step "fan out" {
  parallel for i in [$items] {
    if i == 0 {
      wait ${5:-0s}
      other.get("$3", timeout: 60s)
    } else {
      api.get("$4/\${i}", timeout: 60s)
    }
  }
}
EOP
}

# 200 overlapping GETs (199 to one origin): all answered, on at most 32 connections, some reused.
pool_bounded() {
  plan "$tmp/pool.rbk" 200 /ok/0 /ok
  : >"$log"
  timeout 60 "$rbk" run "$tmp/pool.rbk" --no-lock --no-prompt --journal "$tmp/j/" >"$tmp/pool.out" 2>&1
  expect_eq "pool: exit code" 0 $?
  expect_eq "pool: requests seen" 199 "$(grep -c "^$port " "$log")"
  local conns
  conns=$(awk -v p="$port" '$1 == p {print $2}' "$log" | sort -u | wc -l)
  if [ "$conns" -le 32 ] && [ "$conns" -lt 199 ]; then ok "pool: $conns connections for 199 requests"
  else bad "pool: connections" "$conns connections for 199 requests (at most 32 wanted)"; fi
}

# One GET fails (404) after 1 s while 99 are started, 32 of them sent and held by the server
# (the other 67 wait for room in the pool):
# the run fails and the process exits within a few seconds of its "run failed" line (the held
# requests' timeout is 60 s).
failed_exits_promptly() {
  plan "$tmp/fail.rbk" 100 /fail /hold 1s
  : >"$log"
  python3 - "$rbk" "$tmp/fail.rbk" "$tmp/j/" >"$tmp/fail.out" 2>&1 <<'EOP'
import subprocess, sys, time
rbk, plan, journal = sys.argv[1:4]
p = subprocess.Popen([rbk, "run", plan, "--no-lock", "--no-prompt", "--journal", journal],
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
failed_at = None
for line in p.stdout:
    if "run failed" in line and failed_at is None:
        failed_at = time.monotonic()
    sys.stdout.write(line)
code = p.wait()
gap = time.monotonic() - failed_at if failed_at else -1
print("exit %d, %.2f s after the 'run failed' line" % (code, gap))
EOP
  local last
  last=$(tail -1 "$tmp/fail.out")
  case $last in
    "exit 1, "*) ok ;;
    *) bad "fail: exit code" "$last" ;;
  esac
  local gap=${last#exit 1, }
  gap=${gap%% s after*}
  if [ "${gap%%.*}" != "-1" ] && [ "${gap%%.*}" -lt 5 ]; then ok "fail: exits $gap s after 'run failed'"
  else bad "fail: exit after 'run failed'" "$last (at most 5 s wanted; the held requests last 60 s)"; fi
  grep -q "404 Not Found" "$tmp/fail.out" && ok || bad "fail: message" "$(grep -m1 'run failed' "$tmp/fail.out")"
  local held
  held=$(grep -c " /hold/" "$log")
  if [ "$held" -ge 2 ] && [ "$held" -le 32 ]; then ok "fail: $held held requests in flight when it failed"
  else bad "fail: held requests" "$held reached the server (2 to 32 wanted)"; fi
}

t pool_bounded
t failed_exits_promptly
finish fanout
