/* cli_version.c — `rbk version` (and `rbk --version`): rbk's version (project() in
 * CMakeLists.txt, through the configured header rbk_version.h) and the versions of the libraries
 * it runs with, as they report themselves at run time. libcurl, libmicrohttpd, libwebsockets and
 * GnuTLS report through the network module (base/netmod.h), which only this command and the
 * networked ones load. */
#include <jansson.h>
#include <nettle/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

#include "cli.h"
#include "http.h"
#include "proc_ws.h"
#include "rbk_version.h"
#include "sim_http.h"

const cli_opts_spec cli_version_spec = {
    .name = "version",
    .operands = "",
    .about = "Prints \"rbk VERSION\", then one line per library: jansson, libcurl (and its TLS\n"
             "library), libyaml, libmicrohttpd, libwebsockets, nettle and GnuTLS.",
    .footer = "Exit 0.",
};

/* Refuses an argument (cli_opts_take); returns the usage exit code. */
static int take_nothing(void *ctx, int id, const char *arg) {
  (void)ctx, (void)id;
  return cli_usage_error("version takes no arguments; extra argument", arg);
}

/* Entry point of `rbk version`. */
int cli_version(int argc, char **argv) {
  int code = cli_opts_parse(&cli_version_spec, argc, argv, take_nothing, NULL);
  if (code != CLI_GO_ON) return code;
  char *err = NULL;
  const char *curl = http_curl_version(&err);
  printf("rbk %s\n", RBK_VERSION);
  printf("  jansson %s\n", jansson_version_str());
  if (curl) printf("  libcurl %s\n", curl);
  printf("  libyaml %s\n", yaml_get_version_string());
  if (curl) printf("  libmicrohttpd %s\n", sim_http_mhd_version());
  const char *lws = curl ? proc_ws_version(&err) : NULL;
  if (lws) printf("  libwebsockets %s\n", lws);
  printf("  nettle %d.%d\n", nettle_version_major(), nettle_version_minor());
  if (curl) printf("  GnuTLS %s\n", sim_http_tls_version());
  if (!curl) fprintf(stderr, "rbk: %s\n", err);
  free(err);
  return RBK_EXIT_OK;
}
