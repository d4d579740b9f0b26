/* cli_version.c — `rbk version` (and `rbk --version`): rbk's version (project() in
 * CMakeLists.txt, through the configured header rbk_version.h) and the versions of the libraries
 * it runs with, as they report themselves at run time. */
#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "cli.h"
#include "rbk_version.h"

const cli_opts_spec cli_version_spec = {
    .name = "version",
    .operands = "",
    .about = "Prints \"rbk VERSION\", then one line per library: jansson, libcurl (and its TLS\n"
             "library), libyaml, libmicrohttpd, libwebsockets, OpenSSL's libcrypto and GnuTLS.",
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
  const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
  printf("rbk %s\n", RBK_VERSION);
  printf("  jansson %s\n", jansson_version_str());
  printf("  libcurl %s%s%s%s\n", curl->version, curl->ssl_version ? " (" : "", curl->ssl_version ? curl->ssl_version : "",
         curl->ssl_version ? ")" : "");
  printf("  libyaml %s\n", yaml_get_version_string());
  printf("  libmicrohttpd %s\n", MHD_get_version());
  const char *lws = lws_get_library_version();
  size_t lws_len = strlen(lws);
  while (lws_len && (lws[lws_len - 1] == '-' || lws[lws_len - 1] == ' ')) lws_len--; /* Debian's "4.1.6-": no git hash */
  printf("  libwebsockets %.*s\n", (int)lws_len, lws);
  printf("  libcrypto %s\n", OpenSSL_version(OPENSSL_VERSION));
  printf("  GnuTLS %s\n", gnutls_check_version(NULL));
  return RBK_EXIT_OK;
}
