# tests/lib/certs.sh DIR — a throwaway CA and a server certificate for 127.0.0.1 in DIR (ca.crt,
# srv.crt, srv.key), for the suites that run rbk sim over HTTPS (rbac, transport).
mkdir -p "$1"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -keyout "$1/ca.key" -out "$1/ca.crt" -days 1 -subj "/CN=rbk-test-ca" 2>/dev/null
openssl req "${ec[@]}" -keyout "$1/srv.key" -out "$1/srv.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$1/ext.cnf"
openssl x509 -req -in "$1/srv.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" -CAcreateserial -out "$1/srv.crt" \
  -days 1 -extfile "$1/ext.cnf" 2>/dev/null
