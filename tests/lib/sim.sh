# tests/lib/sim.sh — `rbk sim` over HTTPS for shell suites, sourced after suite.sh:
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib/sim.sh"
# It makes a throwaway CA with a server certificate for 127.0.0.1 and a client certificate in
# $tmp (ca.crt, srv.crt/key, client.crt/key), picks a bearer token (SIM_TOKEN), and defines
# sim_start and sim_stop_all (sim_kubeconfig is in suite.sh). Servers still running at exit are killed.
SIM_TOKEN=sim-token-$$
SIM_PIDS=()
SIM_LOGS=()
# Kills the servers still running (at exit).
sim_kill_all() {
  local p
  for p in "${SIM_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
}
trap 'sim_kill_all; rm -rf "$tmp"' EXIT

# Writes the CA, the server's certificate for 127.0.0.1 and a client certificate into $tmp.
sim_make_certs() {
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout "$tmp/ca.key" -out "$tmp/ca.crt" -days 1 -subj "/CN=rbk-sim-test-ca" 2>/dev/null
  openssl req "${ec[@]}" -keyout "$tmp/srv.key" -out "$tmp/srv.csr" -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$tmp/ext.cnf"
  openssl x509 -req -in "$tmp/srv.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -out "$tmp/srv.crt" \
    -days 1 -extfile "$tmp/ext.cnf" 2>/dev/null
  openssl req "${ec[@]}" -keyout "$tmp/client.key" -out "$tmp/client.csr" -subj "/CN=runbook-operator" 2>/dev/null
  openssl x509 -req -in "$tmp/client.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
    -out "$tmp/client.crt" -days 1 2>/dev/null
}
sim_make_certs

# sim_start NAME SCENARIO SIM_ARGS…: starts a server over TLS (client CA, SIM_TOKEN) with its
# URL in $tmp/NAME.url and its request log in $tmp/NAME.log; sets SIM_URL (empty when it did not
# start within 5 s).
sim_start() {
  local name=$1 scenario=$2
  shift 2
  "$rbk" sim --scenario "$scenario" "$@" --tls-cert "$tmp/srv.crt" --tls-key "$tmp/srv.key" \
    --client-ca "$tmp/ca.crt" --token "$SIM_TOKEN" >"$tmp/$name.url" 2>"$tmp/$name.log" &
  SIM_PIDS+=($!)
  SIM_LOGS+=("$tmp/$name.log")
  for _ in $(seq 50); do [ -s "$tmp/$name.url" ] && break; sleep 0.1; done
  SIM_URL=$(head -1 "$tmp/$name.url")
}

# Stops every server with SIGTERM: one check per server that it exits 0 within 20 s.
sim_stop_all() {
  local i
  for i in "${!SIM_PIDS[@]}"; do
    kill -TERM "${SIM_PIDS[$i]}" 2>/dev/null
    timeout 20 tail --pid="${SIM_PIDS[$i]}" -f /dev/null
    wait "${SIM_PIDS[$i]}"
    local rc=$?
    expect_eq "server $i stops cleanly on SIGTERM" "0" "$rc"
    [ "$rc" = 0 ] || tail -5 "${SIM_LOGS[$i]:-/dev/null}" | sed 's/^/     /'
    unset "SIM_PIDS[$i]"
  done
}
