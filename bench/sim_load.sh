#!/bin/bash
# bench/sim_load.sh — wrk against `rbk sim` on loopback: simple GETs per second, memory before and
# after, and errors. Usage: bash bench/sim_load.sh <rbk binary> [seconds=60] [connections=32]
set -u
RBK=${1:?usage: sim_load.sh <rbk binary> [seconds] [connections]}
SECS=${2:-60}
CONNS=${3:-32}
T=$(mktemp -d /tmp/rbk-simload.XXXXXX)
"$RBK" sim --scenario bad-release --quiet >"$T/url" 2>"$T/log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -s "$T/url" ] && break; sleep 0.1; done
URL=$(head -1 "$T/url")
PATH_GET=/apis/apps/v1/namespaces/greenlang/deployments/gl-001-process-heat-orchestrator
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
curl -sf "$URL$PATH_GET" >/dev/null || { echo "rbk sim is not answering"; exit 1; }
wrk -t 2 -c "$CONNS" -d 2s "$URL$PATH_GET" >/dev/null   # warm-up
RSS0=$(rss)
wrk -t 2 -c "$CONNS" -d "${SECS}s" --latency "$URL$PATH_GET" >"$T/wrk.txt"
RSS1=$(rss)
REQS=$(awk '/Requests\/sec/ {print $2}' "$T/wrk.txt")
NON2XX=$(awk '/Non-2xx/ {print $NF}' "$T/wrk.txt")
SOCKERR=$(grep -c 'Socket errors' "$T/wrk.txt")
grep -E 'Latency|requests in|Socket errors|Non-2xx|50%|99%' "$T/wrk.txt"
echo "GET $PATH_GET: ${REQS} req/s over ${SECS}s with $CONNS connections"
echo "RSS before: ${RSS0} kB, after: ${RSS1} kB"
echo "errors: non-2xx ${NON2XX:-0}, socket-error lines ${SOCKERR}"
awk -v r="$REQS" 'BEGIN { exit !(r >= 5000) }' && [ -z "${NON2XX:-}" ] && [ "$SOCKERR" -eq 0 ]
