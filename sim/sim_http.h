/* sim_http.h — the simulator's HTTP(S) front door (libmicrohttpd): serves a sim_world in real
 * time × speed, one request at a time under one lock, watches streamed chunked. The server lives
 * in the network module rbk-net.so (sim_httpd.c, base/netmod.h); these functions load it.
 *
 * Ownership: the server takes the world and frees it in sim_http_stop(). */
#ifndef RBK_SIM_HTTP_H
#define RBK_SIM_HTTP_H

#include <stdio.h>

#include "sim.h"

typedef struct sim_server sim_server;

typedef struct {
  const char *listen;     /* "127.0.0.1:8080"; port 0 picks a free port; NULL = 127.0.0.1:0 */
  double speed;           /* virtual ms per real ms (> 0) */
  const char *tls_cert;   /* PEM files; both or neither */
  const char *tls_key;
  const char *client_ca;  /* optional: clients with a certificate signed by it are authenticated */
  FILE *log;              /* one line per request; NULL = no log */
} sim_server_opts;

/* Starts serving the world (taken, also on failure); NULL with *err set (caller frees), also
 * when the network module is missing. */
sim_server *sim_http_start(sim_world *w, const sim_server_opts *opts, char **err);
/* Returns the base URL ("https://127.0.0.1:43210") (borrowed). */
const char *sim_http_url(const sim_server *s);
/* Stops serving: ends open watches, waits for the connection threads, frees the world. */
void sim_http_stop(sim_server *s);
/* Returns libmicrohttpd's version (static), or NULL when the network module is missing. */
const char *sim_http_mhd_version(void);
/* Returns GnuTLS's version (static), or NULL when the network module is missing. */
const char *sim_http_tls_version(void);

#endif
