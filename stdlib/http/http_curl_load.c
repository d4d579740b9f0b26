/* http_curl_load.c — the libcurl transport as the rbk binary sees it: loaded on first use from
 * the network module (base/netmod.h), so that commands that never make a request never map
 * libcurl and its TLS stack. */
#include <stddef.h>

#include "http.h"
#include "http_curl.h"
#include "netmod.h"

/* Returns a libcurl transport from the network module, or NULL with *err set (caller frees). */
http_transport *http_curl_new(char **err) {
  http_transport *(*create)(char **) = (http_transport * (*)(char **)) netmod_sym("http_curl_create", err);
  return create ? create(err) : NULL;
}

/* Returns libcurl's version text (static), or NULL with *err set when the module is missing. */
const char *http_curl_version(char **err) {
  const char *(*describe)(void) = (const char *(*)(void))netmod_sym("http_curl_describe", err);
  return describe ? describe() : NULL;
}
