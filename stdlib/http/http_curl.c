/* http_curl.c — the HTTP transport over libcurl's multi interface (see http.h).
 *
 * One multi handle drives every request; poll() runs curl_multi_perform, delivers what finished,
 * and otherwise waits in curl_multi_poll (which also watches the caller's extra fds and returns
 * early on a signal). Bytes that arrive inside libcurl's callbacks are only buffered there; lines
 * and completions are delivered after curl_multi_perform returns, so owners may start and cancel
 * requests from their callbacks. HTTP/2 is used when the server offers it over TLS, connections
 * are reused through the multi handle's cache, and TLS verification is always on unless the
 * request says insecure.
 *
 * A write is sent at most once by this layer. libcurl (7.88) repeats a request by itself when it
 * went out on a reused keep-alive connection that turns out dead before any answer byte arrived
 * ("Connection died, retrying a fresh connect", Curl_retry_request: only when conn->bits.reuse)
 * — but a server may have applied the write before the connection died. So every request other
 * than GET, HEAD and OPTIONS goes on a connection of its own (CURLOPT_FRESH_CONNECT, never a
 * reused one, and CURLOPT_FORBID_REUSE, closed afterwards): libcurl never retries it, and a
 * connection that breaks after it was sent is reported as HTTP_FAIL_RESET (the answer was lost),
 * which the caller resolves by reading the world. The cost: one TCP (and TLS) handshake per
 * write; reads still share connections. The only repeat left to libcurl is an HTTP/2
 * REFUSED_STREAM with no answer byte, which the server guarantees it did not process.
 *
 * Redirects are never followed, and only http and https are spoken. An answer (a stream: a line)
 * longer than the request's max_body aborts the transfer from the write callback, so at most
 * max_body bytes are ever held.
 *
 * This file is built into the network module rbk-net.so (base/netmod.h), not into rbk_http: the
 * rbk binary reaches it through http_curl_new (http_curl_load.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http.h"
#include "http_curl.h"
#include "grow.h"
#include "valbuf.h"

/* One transfer. */
typedef struct {
  uint64_t id;
  CURL *easy;
  struct curl_slist *hdrs;
  http_callbacks cb;
  valbuf body;           /* the answer (non-stream, or a stream's non-2xx answer) */
  valbuf fresh;          /* stream bytes received since the last delivery */
  http_linebuf lb;
  char *origin;
  int64_t timeout_ms;
  size_t max_body;       /* the longest answer (a stream: line) accepted */
  bool too_large;        /* the answer passed max_body: the transfer was aborted */
  bool stream, dead, finished, write;
  CURLcode result;
  char errbuf[CURL_ERROR_SIZE];
} creq;

typedef struct {
  http_transport iface;
  CURLM *multi;
  creq **reqs;
  size_t n, cap;
  uint64_t next_id;
  int in_poll;
} curltr;

/* Returns the bytes consumed: libcurl's write callback (buffers only). */
static size_t on_write(char *data, size_t size, size_t nmemb, void *user) {
  creq *r = user;
  size_t n = size * nmemb;
  long code = 0;
  curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
  valbuf *b = r->stream && code >= 200 && code < 300 ? &r->fresh : &r->body;
  size_t held = b->len + (b == &r->fresh ? r->lb.pending.len : 0);
  if (n > r->max_body || held > r->max_body - n) return r->too_large = true, 0;
  valbuf_put(b, data, n);
  return b->oom ? 0 : n;
}

/* Releases a transfer (after it left the multi handle). */
static void req_free(creq *r) {
  if (!r) return;
  if (r->easy) curl_easy_cleanup(r->easy);
  curl_slist_free_all(r->hdrs);
  http_linebuf_free(&r->lb);
  valbuf_free(&r->body), valbuf_free(&r->fresh), free(r->origin);
  free(r);
}

/* Returns true after setting the TLS options of a request. */
static bool set_tls(CURL *e, const http_tls *tls) {
  if (!tls) return true;
  CURLcode rc = CURLE_OK;
  if (tls->insecure) {
    rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (tls->ca_data) {
    struct curl_blob b = {(void *)tls->ca_data, tls->ca_len, CURL_BLOB_COPY};
    rc |= curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &b);
  } else if (tls->ca_file) rc |= curl_easy_setopt(e, CURLOPT_CAINFO, tls->ca_file);
  if (tls->cert_data) {
    struct curl_blob b = {(void *)tls->cert_data, tls->cert_len, CURL_BLOB_COPY};
    rc |= curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &b);
    rc |= curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
  } else if (tls->cert_file) rc |= curl_easy_setopt(e, CURLOPT_SSLCERT, tls->cert_file);
  if (tls->key_data) {
    struct curl_blob b = {(void *)tls->key_data, tls->key_len, CURL_BLOB_COPY};
    rc |= curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &b);
    rc |= curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
  } else if (tls->key_file) rc |= curl_easy_setopt(e, CURLOPT_SSLKEY, tls->key_file);
  return rc == CURLE_OK;
}

/* Returns true after setting the method, headers and body of a request. */
static bool set_request(creq *r, const http_request *req) {
  CURL *e = r->easy;
  CURLcode rc = curl_easy_setopt(e, CURLOPT_URL, req->url);
  rc |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
  if (req->body || strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0 ||
      strcmp(req->method, "PATCH") == 0) {
    rc |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
    rc |= curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req->body ? req->body : "");
  } else if (strcmp(req->method, "GET") == 0) rc |= curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  for (size_t i = 0; i < req->n_headers; i++) {
    struct curl_slist *l = curl_slist_append(r->hdrs, req->headers[i]);
    if (!l) return false;
    r->hdrs = l;
  }
  struct curl_slist *l = curl_slist_append(r->hdrs, "Expect:");
  if (!l) return false;
  r->hdrs = l;
  rc |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
  return rc == CURLE_OK;
}

/* Returns true when the method may change the server's state (anything but GET, HEAD, OPTIONS). */
static bool mutating(const char *method) {
  return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

/* Returns true after setting the options every transfer shares. */
static bool set_common(creq *r, const http_request *req) {
  CURL *e = r->easy;
  CURLcode rc = curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  rc |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  rc |= curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
  rc |= curl_easy_setopt(e, CURLOPT_PRIVATE, r);
  rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
  rc |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
  rc |= curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  rc |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  rc |= curl_easy_setopt(e, CURLOPT_USERAGENT, "rbk/1.0");
  /* never follow a redirect (it could carry the credentials to another host), speak only HTTP(S) */
  rc |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  rc |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  /* the smallest upload buffer libcurl allows (the default is 64 KiB per transfer; bodies are
   * sent from the copied postfields): 1,000 parallel PATCHes would otherwise hold 64 MiB */
  rc |= curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
  if (mutating(req->method)) {
    /* a connection of its own: libcurl's silent re-send on a reused dead connection cannot happen */
    rc |= curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    rc |= curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  }
  if (req->timeout_ms > 0) {
    rc |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
    rc |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(req->timeout_ms < 10000 ? req->timeout_ms : 10000));
  }
  return rc == CURLE_OK;
}

/* Returns true after appending r to the table. */
static bool push(curltr *t, creq *r) {
  if (!GROW(t->reqs, t->cap, t->n + 1)) return false;
  t->reqs[t->n++] = r;
  return true;
}

/* Starts a transfer; returns its id or 0 with *err. */
static uint64_t curl_start(void *self, const http_request *req, int64_t now, const http_callbacks *cb, char **err) {
  (void)now;
  curltr *t = self;
  if ((*err = http_check_request(req))) return 0;
  creq *r = calloc(1, sizeof *r);
  char *rest = NULL;
  if (!r || !http_split_url(req->url, &r->origin, &rest)) {
    free(r);
    *err = strdup("bad URL");
    return 0;
  }
  free(rest);
  r->easy = curl_easy_init();
  r->cb = *cb, r->stream = req->stream, r->timeout_ms = req->timeout_ms, r->write = mutating(req->method);
  r->max_body = req->max_body ? req->max_body : HTTP_MAX_BODY_DEFAULT;
  if (!r->easy || !set_common(r, req) || !set_request(r, req) || !set_tls(r->easy, req->tls) || !push(t, r)) {
    req_free(r);
    *err = strdup("cannot set up the HTTP request");
    return 0;
  }
  if (curl_multi_add_handle(t->multi, r->easy) != CURLM_OK) {
    t->n--;
    req_free(r);
    *err = strdup("cannot start the HTTP request");
    return 0;
  }
  r->id = ++t->next_id;
  return r->id;
}

/* Removes r's transfer from the multi handle and marks it dead. */
static void detach(curltr *t, creq *r) {
  if (r->easy) curl_multi_remove_handle(t->multi, r->easy);
  r->dead = true;
}

/* Frees dead transfers (outside callbacks). */
static void sweep(curltr *t) {
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (t->reqs[i]->dead) req_free(t->reqs[i]);
    else t->reqs[k++] = t->reqs[i];
  }
  t->n = k;
}

/* Aborts a transfer. */
static void curl_cancel(void *self, uint64_t id) {
  curltr *t = self;
  for (size_t i = 0; i < t->n; i++)
    if (t->reqs[i]->id == id && !t->reqs[i]->dead) detach(t, t->reqs[i]);
  if (!t->in_poll) sweep(t);
}

/* Returns the failure kind of a libcurl result. */
static http_fail fail_kind(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY:
      return HTTP_FAIL_CONNECT;
    case CURLE_OPERATION_TIMEDOUT: return HTTP_FAIL_TIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CONNECT_ERROR: case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER: case CURLE_SSL_CACERT_BADFILE: case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE: case CURLE_SSL_PINNEDPUBKEYNOTMATCH: case CURLE_SSL_ENGINE_NOTFOUND:
      return HTTP_FAIL_TLS;
    case CURLE_GOT_NOTHING: case CURLE_RECV_ERROR: case CURLE_SEND_ERROR: case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
      return HTTP_FAIL_RESET;
    default: return HTTP_FAIL_OTHER;
  }
}

/* Returns the one-line message of a failed transfer, naming the server. Caller frees. */
static char *fail_text(const creq *r, http_fail kind) {
  const char *detail = r->errbuf[0] ? r->errbuf : curl_easy_strerror(r->result);
  size_t n = strlen(detail) + strlen(r->origin) + 64;
  char *s = malloc(n);
  if (!s) return NULL;
  char size[32];
  if (kind == HTTP_FAIL_TOO_LARGE) snprintf(s, n, "response larger than %s: %s", http_size_text(r->max_body, size, sizeof size), r->origin);
  else if (kind == HTTP_FAIL_CONNECT && r->result == CURLE_COULDNT_CONNECT) snprintf(s, n, "connection refused: %s", r->origin);
  else if (kind == HTTP_FAIL_CONNECT) snprintf(s, n, "could not resolve host: %s", r->origin);
  else if (kind == HTTP_FAIL_TIMEOUT) snprintf(s, n, "timed out after %lld ms: %s", (long long)r->timeout_ms, r->origin);
  else if (kind == HTTP_FAIL_TLS) snprintf(s, n, "%s (%s)", detail, r->origin);
  else if (kind == HTTP_FAIL_RESET) snprintf(s, n, "connection reset by peer: %s (%s)", r->origin, detail);
  else snprintf(s, n, "%s: %s", detail, r->origin);
  return s;
}

/* Hands one stream line to its owner unless the transfer was cancelled meanwhile. */
static void deliver_line(void *user, const char *s, size_t n) {
  creq *r = user;
  if (!r->dead) r->cb.on_line(r->cb.user, s, n);
}

/* Returns the failure kind of a finished transfer: a write whose bytes left (CURLINFO_SIZE_UPLOAD
 * or a request header counted) and that failed for any reason but a timeout or a TLS problem
 * is RESET — its answer was lost, whatever libcurl calls the error — never CONNECT or OTHER. */
static http_fail outcome_kind(const creq *r) {
  if (r->result == CURLE_OK) return HTTP_FAIL_NONE;
  http_fail k = fail_kind(r->result);
  if (!r->write || k == HTTP_FAIL_RESET || k == HTTP_FAIL_TIMEOUT || k == HTTP_FAIL_TLS) return k;
  long req_size = 0;
  curl_off_t up = 0;
  curl_easy_getinfo(r->easy, CURLINFO_REQUEST_SIZE, &req_size);
  curl_easy_getinfo(r->easy, CURLINFO_SIZE_UPLOAD_T, &up);
  return req_size > 0 || up > 0 ? HTTP_FAIL_RESET : k;
}

/* Delivers a finished transfer's outcome. */
static void finish(curltr *t, creq *r) {
  http_fail kind = r->too_large ? HTTP_FAIL_TOO_LARGE : outcome_kind(r);
  http_response resp = {kind, 0, "", 0, NULL, -1};
  char *msg = NULL;
  if (kind == HTTP_FAIL_NONE) {
    long code = 0;
    char *ct = NULL;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &ct);
    struct curl_header *h = NULL;
    if (curl_easy_header(r->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h)
      resp.retry_after_ms = atoll(h->value) * 1000;
    resp.status = (int)code, resp.content_type = ct;
    resp.body = r->body.s ? r->body.s : "", resp.body_len = r->body.len;
  } else msg = fail_text(r, kind);
  detach(t, r);
  r->cb.on_done(r->cb.user, &resp, kind == HTTP_FAIL_NONE ? NULL : (msg ? msg : "HTTP request failed"));
  free(msg);
}

/* Returns true when something was delivered: stream lines, then completed transfers. */
static bool deliver(curltr *t) {
  bool any = false;
  CURLMsg *m;
  int left;
  while ((m = curl_multi_info_read(t->multi, &left))) {
    if (m->msg != CURLMSG_DONE) continue;
    creq *r = NULL;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
    if (r) r->finished = true, r->result = m->data.result;
  }
  size_t n = t->n;
  for (size_t i = 0; i < n && i < t->n; i++) {
    creq *r = t->reqs[i];
    if (r->dead) continue;
    if (r->fresh.len) {
      size_t len = r->fresh.len;
      r->fresh.len = 0; /* emptied, its room kept for the next bytes */
      http_linebuf_feed(&r->lb, r->fresh.s, len, deliver_line, r);
      any = true;
    }
    if (!r->dead && r->finished) finish(t, r), any = true;
  }
  return any;
}

/* Runs callbacks that are ready, waiting up to max_wait for I/O when none is. */
static void curl_poll(void *self, int64_t now, int64_t max_wait, const int *fds, size_t nfds) {
  (void)now;
  curltr *t = self;
  int running = 0;
  t->in_poll++;
  curl_multi_perform(t->multi, &running);
  bool any = deliver(t);
  if (!any && max_wait > 0) {
    struct curl_waitfd w[16];
    unsigned nw = 0;
    for (size_t i = 0; i < nfds && nw < 16; i++) w[nw++] = (struct curl_waitfd){fds[i], CURL_WAIT_POLLIN, 0};
    curl_multi_poll(t->multi, w, nw, max_wait > 60000 ? 60000 : (int)max_wait, NULL);
    curl_multi_perform(t->multi, &running);
    deliver(t);
  }
  t->in_poll--;
  if (!t->in_poll) sweep(t);
}

/* Returns INT64_MAX: completions depend on real I/O. */
static int64_t curl_next(void *self, int64_t now) {
  (void)self, (void)now;
  return INT64_MAX;
}

/* Returns the number of live transfers. */
static size_t curl_pending(void *self) {
  const curltr *t = self;
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) k += !t->reqs[i]->dead;
  return k;
}

/* Cancels everything and frees the transport. */
static void curl_tr_free(void *self) {
  curltr *t = self;
  for (size_t i = 0; i < t->n; i++) {
    if (!t->reqs[i]->dead) curl_multi_remove_handle(t->multi, t->reqs[i]->easy);
    req_free(t->reqs[i]);
  }
  free(t->reqs);
  curl_multi_cleanup(t->multi);
  free(t);
}

/* Returns a libcurl transport. */
http_transport *http_curl_create(char **err) {
  static bool inited;
  if (!inited && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return *err = strdup("cannot initialise libcurl"), NULL;
  inited = true;
  curltr *t = calloc(1, sizeof *t);
  if (t) t->multi = curl_multi_init();
  if (!t || !t->multi) return free(t), *err = strdup("cannot initialise libcurl"), NULL;
  curl_multi_setopt(t->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  t->iface = (http_transport){t, curl_start, curl_cancel, curl_next, curl_poll, curl_pending, curl_tr_free};
  return &t->iface;
}

/* Returns libcurl's version and its TLS library's ("7.88.1 (OpenSSL/3.0.11)") (static). */
const char *http_curl_describe(void) {
  static char text[128];
  const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
  snprintf(text, sizeof text, "%s%s%s%s", v->version, v->ssl_version ? " (" : "", v->ssl_version ? v->ssl_version : "",
           v->ssl_version ? ")" : "");
  return text;
}
