/* sim_httpd.h — the entry points of the simulator's HTTP(S) front door inside the network module
 * rbk-net.so (base/netmod.h). Only sim_http.c reaches them, by name through netmod_sym;
 * everything else calls sim_http.h.
 *
 * Ownership: as sim_http.h (the server takes the world; sim_httpd_stop frees both). The version
 * strings are static.
 */
#ifndef RBK_SIM_HTTPD_H
#define RBK_SIM_HTTPD_H

#include "sim_http.h"

/* Starts serving the world (taken, also on failure); NULL with *err set (caller frees). */
sim_server *sim_httpd_start(sim_world *w, const sim_server_opts *opts, char **err);
/* Returns the base URL (borrowed). */
const char *sim_httpd_url(const sim_server *s);
/* Stops serving and frees the server and its world. */
void sim_httpd_stop(sim_server *s);
/* Returns libmicrohttpd's version ("0.9.75") (static). */
const char *sim_httpd_mhd_version(void);
/* Returns GnuTLS's version ("3.7.9") (static). */
const char *sim_httpd_tls_version(void);

#endif
