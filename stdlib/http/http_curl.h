/* http_curl.h — the entry points of the libcurl transport inside the network module rbk-net.so
 * (base/netmod.h). Only http_curl_load.c reaches them, by name through netmod_sym; everything
 * else calls http_curl_new (http.h).
 *
 * Ownership: http_curl_create returns a transport freed through its free(); *err is a new string
 * the caller frees. http_curl_describe returns a static string.
 */
#ifndef RBK_HTTP_CURL_H
#define RBK_HTTP_CURL_H

#include "http.h"

/* Returns a libcurl transport, or NULL with *err set (caller frees). */
http_transport *http_curl_create(char **err);
/* Returns libcurl's version and its TLS library's ("7.88.1 (OpenSSL/3.0.11)") (static). */
const char *http_curl_describe(void);

#endif
