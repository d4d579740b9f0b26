/* sim_http.c — `rbk sim`'s front door as the rbk binary sees it: loaded on first use from the
 * network module (base/netmod.h), so that the in-process simulator of `rbk test` never maps
 * libmicrohttpd or GnuTLS. */
#include "sim_http.h"

#include <stddef.h>
#include <stdlib.h>

#include "netmod.h"
#include "sim_httpd.h"

/* Starts serving the world through the module (taken, also on failure); NULL with *err set. */
sim_server *sim_http_start(sim_world *w, const sim_server_opts *opts, char **err) {
  sim_server *(*start)(sim_world *, const sim_server_opts *, char **) =
      (sim_server * (*)(sim_world *, const sim_server_opts *, char **)) netmod_sym("sim_httpd_start", err);
  if (!start) return sim_free(w), NULL;
  return start(w, opts, err);
}

/* Returns the base URL (borrowed); the module is loaded, since s came from it. */
const char *sim_http_url(const sim_server *s) {
  char *err = NULL;
  const char *(*url)(const sim_server *) = (const char *(*)(const sim_server *))netmod_sym("sim_httpd_url", &err);
  free(err);
  return url ? url(s) : "";
}

/* Stops serving and frees the server and its world. */
void sim_http_stop(sim_server *s) {
  if (!s) return;
  char *err = NULL;
  void (*stop)(sim_server *) = (void (*)(sim_server *))netmod_sym("sim_httpd_stop", &err);
  free(err);
  if (stop) stop(s);
}

/* Returns a version reported by the module's function `name` (static), or NULL when missing. */
static const char *module_version(const char *name) {
  char *err = NULL;
  const char *(*version)(void) = (const char *(*)(void))netmod_sym(name, &err);
  free(err);
  return version ? version() : NULL;
}

/* Returns libmicrohttpd's version (static), or NULL when the network module is missing. */
const char *sim_http_mhd_version(void) { return module_version("sim_httpd_mhd_version"); }

/* Returns GnuTLS's version (static), or NULL when the network module is missing. */
const char *sim_http_tls_version(void) { return module_version("sim_httpd_tls_version"); }
