/* http_curl.c — the HTTP transport over libcurl's multi interface (see http.h).
 *
 * One multi handle drives every request through libcurl's socket interface: libcurl says which
 * sockets to watch (CURLMOPT_SOCKETFUNCTION, kept in an epoll set) and when its next timeout is
 * (CURLMOPT_TIMERFUNCTION); poll() hands it only the sockets that are ready and the timeouts that
 * passed (curl_multi_socket_action), delivers what finished, and otherwise waits in poll() on the
 * epoll set and the caller's extra fds (returning early on a signal). curl_multi_perform would
 * visit every transfer on every call — with 1,000 open watches, 1,000 poll() system calls per
 * event. Bytes that arrive inside libcurl's callbacks are only buffered there (the
 * transfer joins the list of those with something to deliver); lines and completions are
 * delivered after curl_multi_perform returns, so owners may start and cancel requests from their
 * callbacks. Every step costs the transfers it touches, not the number in flight.
 *
 * Connections: HTTP/2 is used when the server offers it over TLS (requests multiplexed as streams,
 * CURLPIPE_MULTIPLEX); connections are reused through the multi handle's cache, and TLS sessions
 * and DNS answers are shared between transfers (a new connection resumes the TLS session). A
 * request that is not a stream waits in its origin's line until the pool has room
 * (http_pool.h: 32 in flight per origin over HTTP/1.1, 256 once the origin answered over HTTP/2),
 * so 1,000 parallel actions open at most 32 connections to an HTTP/1.1 server instead of 1,000;
 * its timeout counts from start(), the wait included. Streams (watches) start at once. TLS
 * verification is always on unless the request says insecure.
 *
 * A write is sent at most once by this layer. libcurl (7.88) repeats a request by itself when it
 * went out on a reused keep-alive connection that turns out dead before any answer byte arrived
 * ("Connection died, retrying a fresh connect", Curl_retry_request: only when conn->bits.reuse),
 * and after an HTTP/2 REFUSED_STREAM — but a server may have applied the write before the
 * connection died. Every request other than GET, HEAD and OPTIONS therefore counts its sends in
 * libcurl's pre-request callback (called each time the request is about to go out on a
 * connection) and aborts a second one: the write is reported as HTTP_FAIL_RESET (the answer was
 * lost), which the caller resolves by reading the world. Writes share connections with reads.
 *
 * Redirects are never followed, and only http and https are spoken. An answer (a stream: a line)
 * longer than the request's max_body aborts the transfer from the write callback, so at most
 * max_body bytes are ever held.
 *
 * This file is built into the network module rbk-net.so (base/netmod.h), not into rbk_http: the
 * rbk binary reaches it through http_curl_new (http_curl_load.c). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"
#include "http_curl.h"
#include "http_pool.h"
#include "grow.h"
#include "valbuf.h"

typedef struct curltr curltr;

/* One transfer. */
typedef struct creq creq;
struct creq {
  uint64_t id;
  curltr *t;
  creq *next_due, *next_dead; /* intrusive lists of t */
  size_t idx;            /* its index in t->reqs */
  http_pool_origin *po;  /* its origin's line (NULL for a stream) */
  int64_t started_ms;    /* monotonic, at start() */
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
  bool waiting, admitted, in_multi, due, waited_out;
  int sends;             /* times the request was about to go out (pre-request callback) */
  CURLcode result;
  char errbuf[CURL_ERROR_SIZE];
};

struct curltr {
  http_transport iface;
  CURLM *multi;
  CURLSH *share;         /* TLS sessions and DNS answers, shared by every transfer */
  creq **reqs;           /* every transfer not yet freed, live or dead, in no order */
  size_t n, cap;
  creq *due, *due_tail;  /* transfers with lines or an outcome to deliver, in that order */
  creq *dead;            /* transfers detached and not yet freed */
  size_t live;
  http_pool pool;
  int64_t next_expiry;   /* the earliest deadline of a waiting request (monotonic ms) */
  int64_t timer_at;      /* libcurl's next timeout (monotonic ms), INT64_MAX: none */
  int epfd;              /* the sockets libcurl watches */
  uint64_t next_id;
  int in_poll;
};

/* Returns the monotonic clock in milliseconds. */
static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Queues r for delivery (once). */
static void mark_due(creq *r) {
  curltr *t = r->t;
  if (r->due) return;
  r->due = true, r->next_due = NULL;
  if (t->due_tail) t->due_tail->next_due = r;
  else t->due = r;
  t->due_tail = r;
}

/* Returns 0 after (un)registering socket s in the epoll set as libcurl asks (what: CURL_POLL_*). */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *user, void *socketp) {
  (void)easy;
  curltr *t = user;
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(t->epfd, EPOLL_CTL_DEL, s, NULL);
    curl_multi_assign(t->multi, s, NULL);
    return 0;
  }
  struct epoll_event ev = {.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u),
                           .data.fd = s};
  int op = socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(t->epfd, op, s, &ev) < 0) /* a closed and reopened descriptor: the other verb */
    epoll_ctl(t->epfd, op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s, &ev);
  curl_multi_assign(t->multi, s, t);
  return 0;
}

/* Returns 0 after noting libcurl's next timeout (ms from now; -1: none). */
static int on_timer(CURLM *multi, long timeout_ms, void *user) {
  (void)multi;
  curltr *t = user;
  t->timer_at = timeout_ms < 0 ? INT64_MAX : mono_ms() + timeout_ms;
  return 0;
}

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
  if (b == &r->fresh) mark_due(r);
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

/* Returns CURL_PREREQFUNC_ABORT for a write about to go out a second time (libcurl's retry on a
 * reused connection that died, or an HTTP/2 refused stream), else CURL_PREREQFUNC_OK. */
static int on_prereq(void *user, char *ip, char *local_ip, int port, int local_port) {
  (void)ip, (void)local_ip, (void)port, (void)local_port;
  creq *r = user;
  return ++r->sends > 1 && r->write ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

/* Returns true when the method may change the server's state (anything but GET, HEAD, OPTIONS). */
static bool mutating(const char *method) {
  return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

/* Returns true after setting the options every transfer shares. */
static bool set_common(creq *r) {
  CURL *e = r->easy;
  CURLcode rc = curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  rc |= curl_easy_setopt(e, CURLOPT_SHARE, r->t->share);
  rc |= curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
  rc |= curl_easy_setopt(e, CURLOPT_PREREQDATA, r);
  rc |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  rc |= curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
  rc |= curl_easy_setopt(e, CURLOPT_PRIVATE, r);
  rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
  rc |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
  /* over TLS, wait for a connection being set up to say (ALPN, in its handshake) whether it
   * multiplexes rather than open another; never over plain http (no HTTP/2 there): a first
   * request whose answer is slow would hold every later one behind it */
  if (!strncmp(r->origin, "https:", 6)) rc |= curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  rc |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  rc |= curl_easy_setopt(e, CURLOPT_USERAGENT, "rbk/1.0");
  /* never follow a redirect (it could carry the credentials to another host), speak only HTTP(S) */
  rc |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  rc |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  /* the smallest upload buffer libcurl allows (the default is 64 KiB per transfer; bodies are
   * sent from the copied postfields): 1,000 parallel PATCHes would otherwise hold 64 MiB */
  rc |= curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
  return rc == CURLE_OK;
}

/* Returns true after setting the time r has left (its timeout less what it waited in line). */
static bool set_timeout(creq *r, int64_t left) {
  if (r->timeout_ms <= 0) return true;
  CURLcode rc = curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, (long)left);
  rc |= curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)(left < 10000 ? left : 10000));
  return rc == CURLE_OK;
}

/* Marks r finished without an answer (result rc) and queues its delivery. */
static void fail_early(creq *r, CURLcode rc) {
  r->finished = true, r->result = rc;
  mark_due(r);
}

/* Hands r to the multi handle; a request whose time ran out while it waited fails instead. */
static void go(curltr *t, creq *r) {
  int64_t left = r->timeout_ms - (mono_ms() - r->started_ms);
  if (r->timeout_ms > 0 && left <= 0) return r->waited_out = true, fail_early(r, CURLE_OPERATION_TIMEDOUT);
  if (!set_timeout(r, left) || curl_multi_add_handle(t->multi, r->easy) != CURLM_OK) return fail_early(r, CURLE_OUT_OF_MEMORY);
  r->in_multi = true;
}

/* Starts the waiting requests of o that its pool has room for. */
static void admit(curltr *t, http_pool_origin *o) {
  creq *r;
  while ((r = http_pool_admit(o))) {
    r->waiting = false, r->admitted = true;
    go(t, r);
  }
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
  r->t = t, r->started_ms = mono_ms();
  r->cb = *cb, r->stream = req->stream, r->timeout_ms = req->timeout_ms, r->write = mutating(req->method);
  r->max_body = req->max_body ? req->max_body : HTTP_MAX_BODY_DEFAULT;
  if (!req->stream) r->po = http_pool_origin_of(&t->pool, r->origin);
  if (!r->easy || (!req->stream && !r->po) || !set_common(r) || !set_request(r, req) ||
      !set_tls(r->easy, req->tls) || !push(t, r)) {
    req_free(r);
    *err = strdup("cannot set up the HTTP request");
    return 0;
  }
  r->idx = t->n - 1;
  if (r->stream) {
    if (!set_timeout(r, r->timeout_ms) || curl_multi_add_handle(t->multi, r->easy) != CURLM_OK) {
      t->n--;
      req_free(r);
      *err = strdup("cannot start the HTTP request");
      return 0;
    }
    r->in_multi = true;
  } else {
    if (!http_pool_wait(r->po, r)) {
      t->n--;
      req_free(r);
      *err = strdup("cannot start the HTTP request");
      return 0;
    }
    r->waiting = true;
    if (r->timeout_ms > 0 && r->started_ms + r->timeout_ms < t->next_expiry) t->next_expiry = r->started_ms + r->timeout_ms;
  }
  r->id = ++t->next_id;
  t->live++;
  if (r->po) admit(t, r->po);
  return r->id;
}

/* Removes r's transfer from the multi handle (or its origin's line), marks it dead and gives
 * its room in the pool to the next waiting request. */
static void detach(curltr *t, creq *r) {
  if (r->dead) return;
  if (r->in_multi) curl_multi_remove_handle(t->multi, r->easy);
  if (r->waiting) http_pool_unwait(r->po, r);
  r->in_multi = r->waiting = false;
  r->dead = true;
  t->live--;
  r->next_dead = t->dead, t->dead = r;
  if (r->admitted) {
    r->admitted = false;
    http_pool_done(r->po);
    admit(t, r->po);
  }
}

/* Frees dead transfers that wait for no delivery (outside callbacks). */
static void sweep(curltr *t) {
  creq *keep = NULL, *next;
  for (creq *r = t->dead; r; r = next) {
    next = r->next_dead;
    if (r->due) {
      r->next_dead = keep, keep = r;
      continue;
    }
    t->reqs[r->idx] = t->reqs[--t->n];
    t->reqs[r->idx]->idx = r->idx;
    req_free(r);
  }
  t->dead = keep;
}

/* Aborts a transfer. */
static void curl_cancel(void *self, uint64_t id) {
  curltr *t = self;
  for (size_t i = 0; i < t->n; i++)
    if (t->reqs[i]->id == id) {
      detach(t, t->reqs[i]);
      break;
    }
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
  else if (kind == HTTP_FAIL_TIMEOUT && r->waited_out)
    snprintf(s, n, "timed out after %lld ms waiting for a connection (nothing was sent): %s", (long long)r->timeout_ms, r->origin);
  else if (kind == HTTP_FAIL_TIMEOUT) snprintf(s, n, "timed out after %lld ms: %s", (long long)r->timeout_ms, r->origin);
  else if (kind == HTTP_FAIL_RESET && r->write && r->sends > 1)
    snprintf(s, n, "connection closed after the request was sent, answer lost (not sent again): %s", r->origin);
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
  if (r->write && r->sends > 1) return HTTP_FAIL_RESET; /* its second send was stopped */
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
      resp.retry_after_ms = http_retry_after_ms(h->value);
    resp.status = (int)code, resp.content_type = ct;
    long version = 0;
    if (r->po && !r->po->h2 && curl_easy_getinfo(r->easy, CURLINFO_HTTP_VERSION, &version) == CURLE_OK &&
        version == CURL_HTTP_VERSION_2_0)
      r->po->h2 = true; /* the origin multiplexes: its pool takes more requests at once */
    resp.body = r->body.s ? r->body.s : "", resp.body_len = r->body.len;
  } else msg = fail_text(r, kind);
  detach(t, r);
  r->cb.on_done(r->cb.user, &resp, kind == HTTP_FAIL_NONE ? NULL : (msg ? msg : "HTTP request failed"));
  free(msg);
}

/* Returns true when something was delivered: stream lines, then completed transfers, for the
 * transfers that have something (the others are not looked at). */
static bool deliver(curltr *t) {
  CURLMsg *m;
  int left;
  while ((m = curl_multi_info_read(t->multi, &left))) {
    if (m->msg != CURLMSG_DONE) continue;
    creq *r = NULL;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
    if (r) r->finished = true, r->result = m->data.result, mark_due(r);
  }
  creq *list = t->due;
  t->due = t->due_tail = NULL; /* callbacks may queue more: they wait for the next round */
  bool any = list != NULL;
  for (creq *r = list, *next; r; r = next) {
    next = r->next_due;
    r->due = false;
    if (r->dead) continue;
    if (r->fresh.len) {
      size_t len = r->fresh.len;
      r->fresh.len = 0; /* emptied, its room kept for the next bytes */
      http_linebuf_feed(&r->lb, r->fresh.s, len, deliver_line, r);
    }
    if (!r->dead && r->finished) finish(t, r);
  }
  return any;
}

/* Returns true when the waiting request's time ran out (it is then queued to fail); keeps
 * t->next_expiry the earliest deadline of the others. */
static bool waited_out(void *item, void *user) {
  creq *r = item;
  curltr *t = user;
  int64_t deadline = r->started_ms + r->timeout_ms;
  if (r->timeout_ms <= 0) return false;
  if (deadline > mono_ms()) {
    if (deadline < t->next_expiry) t->next_expiry = deadline;
    return false;
  }
  r->waiting = false, r->waited_out = true;
  fail_early(r, CURLE_OPERATION_TIMEDOUT);
  return true;
}

/* Fails the waiting requests whose time ran out, when one may have. */
static void expire(curltr *t) {
  if (mono_ms() < t->next_expiry) return;
  t->next_expiry = INT64_MAX;
  for (size_t i = 0; i < t->pool.n; i++) http_pool_drop(t->pool.o[i], waited_out, t);
}

/* Hands libcurl the sockets that are ready and its timeout when it passed. */
static void drive(curltr *t) {
  int running = 0;
  struct epoll_event ev[64];
  int n;
  do {
    n = epoll_wait(t->epfd, ev, 64, 0);
    for (int i = 0; i < n; i++) {
      int flags = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) | (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                  (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
      curl_multi_socket_action(t->multi, ev[i].data.fd, flags, &running);
    }
  } while (n == 64);
  if (mono_ms() >= t->timer_at) {
    t->timer_at = INT64_MAX; /* libcurl sets the next one from inside the call */
    curl_multi_socket_action(t->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  }
}

/* Waits up to wait ms for a socket of libcurl or one of the extra fds to be ready, or a signal. */
static void wait_io(curltr *t, int64_t wait, const int *fds, size_t nfds) {
  struct pollfd p[17];
  nfds_t np = 0;
  p[np++] = (struct pollfd){t->epfd, POLLIN, 0};
  for (size_t i = 0; i < nfds && np < 17; i++) p[np++] = (struct pollfd){fds[i], POLLIN, 0};
  int64_t now = mono_ms(), until = (t->timer_at < t->next_expiry ? t->timer_at : t->next_expiry) - now;
  if (until < wait) wait = until < 0 ? 0 : until;
  if (poll(p, np, (int)wait) < 0 && errno != EINTR) return;
}

/* Runs callbacks that are ready, waiting up to max_wait for I/O when none is. */
static void curl_poll(void *self, int64_t now, int64_t max_wait, const int *fds, size_t nfds) {
  (void)now;
  curltr *t = self;
  t->in_poll++;
  drive(t);
  expire(t);
  bool any = deliver(t);
  if (!any && max_wait > 0) {
    wait_io(t, max_wait > 60000 ? 60000 : max_wait, fds, nfds);
    drive(t);
    expire(t);
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
  return ((const curltr *)self)->live;
}

/* Cancels everything and frees the transport. */
static void curl_tr_free(void *self) {
  curltr *t = self;
  for (size_t i = 0; i < t->n; i++) {
    if (t->reqs[i]->in_multi) curl_multi_remove_handle(t->multi, t->reqs[i]->easy);
    req_free(t->reqs[i]);
  }
  free(t->reqs);
  http_pool_free(&t->pool);
  curl_multi_cleanup(t->multi);
  curl_share_cleanup(t->share);
  close(t->epfd);
  free(t);
}

/* Returns a libcurl transport. */
http_transport *http_curl_create(char **err) {
  static bool inited;
  if (!inited && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return *err = strdup("cannot initialise libcurl"), NULL;
  inited = true;
  curltr *t = calloc(1, sizeof *t);
  if (t) t->multi = curl_multi_init(), t->share = curl_share_init();
  if (!t || !t->multi || !t->share || curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
      curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
    if (t && t->multi) curl_multi_cleanup(t->multi);
    if (t && t->share) curl_share_cleanup(t->share);
    return free(t), *err = strdup("cannot initialise libcurl"), NULL;
  }
  t->next_expiry = t->timer_at = INT64_MAX;
  t->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (t->epfd < 0) {
    curl_multi_cleanup(t->multi), curl_share_cleanup(t->share), free(t);
    return *err = strdup("cannot initialise libcurl (epoll)"), NULL;
  }
  curl_multi_setopt(t->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(t->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(t->multi, CURLMOPT_SOCKETDATA, t);
  curl_multi_setopt(t->multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(t->multi, CURLMOPT_TIMERDATA, t);
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
