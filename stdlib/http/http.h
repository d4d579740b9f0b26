/* http.h — an asynchronous HTTP transport: requests start at once and complete later, from
 * poll(), in one event loop (no thread per request).
 *
 * Two implementations share this interface:
 *  - http_curl_new(): libcurl's multi interface, in the network module rbk-net.so (real time;
 *    TLS, HTTP/2 when offered, connection reuse, per-request timeouts; poll() waits in
 *    curl_multi_poll together with the caller's extra file descriptors, and returns early on
 *    a signal);
 *  - http_sim_new() (sim/http_sim.h): the simulator in-process, in virtual time, routing every
 *    URL as the network would (the API server, cluster services, recorded notifications).
 *
 * Callbacks: on_line (streams only) and on_done are called only from inside poll(), never from
 * start(). on_done is called exactly once per request unless cancel() came first; after on_done
 * or cancel() no callback runs for that id. Callbacks may start and cancel requests.
 * Requests due at the same time complete in the order they were started.
 *
 * Limits and rules (docs/actions.md "Limits"): an answer longer than the request's max_body
 * (default HTTP_MAX_BODY_DEFAULT) fails with HTTP_FAIL_TOO_LARGE as soon as the bytes pass it
 * (the transfer is aborted: memory stays bounded); a stream fails the same way on a line longer
 * than max_body. Redirects are never followed (a 3xx is an answer like any other). start()
 * refuses, with nothing sent, a request that http_check_request refuses.
 *
 * Ownership: every field of a request is borrowed for the duration of start() (the transport
 * copies what it keeps, TLS material included). A response passed to on_done is borrowed for the
 * duration of the callback.
 */
#ifndef RBK_HTTP_H
#define RBK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "valbuf.h"

/* TLS material for one request; every pointer may be NULL. *_data are PEM bytes. */
typedef struct {
  const char *ca_file, *ca_data;
  size_t ca_len;
  const char *cert_file, *cert_data;
  size_t cert_len;
  const char *key_file, *key_data;
  size_t key_len;
  bool insecure; /* insecure-skip-tls-verify: no peer or host verification */
} http_tls;

/* One request. */
typedef struct {
  const char *method;           /* "GET", "POST", … */
  const char *url;              /* absolute: scheme://host[:port]/path[?query] */
  const char *const *headers;   /* "Name: value" lines (may reveal secrets: never logged) */
  size_t n_headers;
  const char *body;             /* NULL when there is none */
  size_t body_len;
  int64_t timeout_ms;           /* the whole request, a stream's whole life; <= 0: none */
  bool stream;                  /* a 2xx body is delivered line by line through on_line */
  const http_tls *tls;          /* NULL: the system's CAs, verification on */
  bool notification;            /* a notification (webhook POST): sent like any request; a
                                   simulating transport records it and answers 200 */
  size_t max_body;              /* the longest answer (a stream: line) accepted; 0: the default */
} http_request;

/* The default cap of an answer: 16 MiB. */
#define HTTP_MAX_BODY_DEFAULT ((size_t)16 << 20)

/* Why a request got no answer, once: X(ENUM_SUFFIX, "name"). */
#define HTTP_FAILS(X)                                                                          \
  X(NONE, "none")             /* an answer arrived (any status) */                            \
  X(CONNECT, "connect")       /* could not connect (refused, no route): nothing was sent */   \
  X(RESET, "reset")           /* the connection broke after the request was sent */           \
  X(TIMEOUT, "timeout")       /* the request's timeout_ms passed */                           \
  X(TLS, "tls")               /* certificate or handshake problem */                          \
  X(TOO_LARGE, "too-large")   /* the answer passed max_body: the transfer was aborted */      \
  X(OTHER, "other")           /* anything else (bad URL, out of memory, …) */

typedef enum {
#define X(k, name) HTTP_FAIL_##k,
  HTTP_FAILS(X)
#undef X
} http_fail;

/* One outcome. */
typedef struct {
  http_fail fail;               /* HTTP_FAIL_NONE when status is set */
  int status;                   /* HTTP status, 0 when fail != NONE */
  const char *body;             /* NUL-terminated; "" for a stream that ended after a 2xx */
  size_t body_len;
  const char *content_type;     /* NULL when absent */
  int64_t retry_after_ms;       /* from Retry-After (seconds), -1 when absent */
} http_response;

/* What a request reports back. */
typedef struct {
  void *user;
  /* A stream's complete line (without '\n'), buffered across chunks; not NUL-terminated. */
  void (*on_line)(void *user, const char *line, size_t len);
  /* The outcome; error is a one-line message naming the server when resp->fail != NONE
   * ("connection refused: https://127.0.0.1:6443"), else NULL. */
  void (*on_done)(void *user, const http_response *resp, const char *error);
} http_callbacks;

typedef struct http_transport {
  void *self;
  /* Starts a request at time now_ms (the caller's clock); returns its id (never 0), or 0 with
   * *err set (caller frees) when it cannot start (then no callback runs). */
  uint64_t (*start)(void *self, const http_request *req, int64_t now_ms, const http_callbacks *cb,
                    char **err);
  /* Aborts a request (its connection is closed or it is dropped); unknown ids are ignored. */
  void (*cancel)(void *self, uint64_t id);
  /* Returns when the next callback is due if nothing else happens (virtual time), or INT64_MAX
   * when none is scheduled or completions depend on real I/O. */
  int64_t (*next_event)(void *self, int64_t now_ms);
  /* Runs callbacks due by now_ms. A real transport waits up to max_wait_ms for I/O on its
   * connections or on the extra fds (POLLIN), returning early on activity or a signal. */
  void (*poll)(void *self, int64_t now_ms, int64_t max_wait_ms, const int *fds, size_t nfds);
  /* Returns the number of requests in flight. */
  size_t (*pending)(void *self);
  /* Cancels everything and frees the transport; may be NULL. */
  void (*free)(void *self);
} http_transport;

/* Returns a libcurl transport, or NULL with *err set (caller frees): loaded from the network
 * module (base/netmod.h), whose absence is reported here. */
http_transport *http_curl_new(char **err);
/* Returns libcurl's version and its TLS library's (static), or NULL with *err set (caller frees)
 * when the network module is missing. */
const char *http_curl_version(char **err);

/* Returns NULL when req may be sent, else why not, on one line (caller frees): a CR, LF or NUL
 * in the method, URL or a header line (injection), a header line without "Name: value", a URL
 * that is not absolute http:// or https:// (the simulator's backend too: it is addressed as a
 * real server is), or credentials (an Authorization or Proxy-Authorization header, user-info in
 * the URL, a client certificate or key) over plain http://. The message never quotes a header's value or the URL's user-info. */
char *http_check_request(const http_request *req);

/* Returns true when the n bytes at s hold a CR, LF or NUL (a value unfit for a header or URL). */
bool http_has_ctl(const char *s, size_t n);

/* Writes a byte count as a size for messages ("16 MiB", "1.5 GiB", "300 KiB", "512 bytes")
 * into buf (at least 32 bytes); returns buf. */
char *http_size_text(size_t n, char *buf, size_t cap);

/* Returns true after parsing a size ("16MiB", "16M", "64k", "1G", "1048576", "2 MiB"; binary
 * units, case-insensitive) into *out; false on anything else or 0. */
bool http_parse_size(const char *s, size_t *out);

/* The longest Retry-After taken as it is (a day, in ms): a longer one waits this long, which is
 * past any action's time limit, so the action fails at its deadline instead of retrying. */
#define HTTP_RETRY_AFTER_MAX_MS INT64_C(86400000)

/* Returns a Retry-After header's delay-seconds in ms, at most HTTP_RETRY_AFTER_MAX_MS (a server's
 * 99999999999999999999 must not overflow), or -1 when v is NULL or not a number of seconds (an
 * HTTP-date is not used: the backoff applies). */
int64_t http_retry_after_ms(const char *v);

/* Returns the reason phrase of an HTTP status ("Not Found"), or "" when unknown. */
const char *http_reason(int status);

/* Splits an absolute URL: *origin gets "scheme://host[:port]" and *rest the path and query
 * ("/" when empty); both new strings (caller frees). Returns false on a URL without "://". */
bool http_split_url(const char *url, char **origin, char **rest);

/* Collects stream bytes into lines: feeds `len` bytes and calls `line` for every complete one.
 * A linebuf starts zeroed; http_linebuf_free releases it. */
typedef struct {
  valbuf pending; /* the bytes after the last complete line */
} http_linebuf;
/* Returns false when out of memory. */
bool http_linebuf_feed(http_linebuf *lb, const char *data, size_t len,
                       void (*line)(void *user, const char *s, size_t n), void *user);
void http_linebuf_free(http_linebuf *lb);

#endif
