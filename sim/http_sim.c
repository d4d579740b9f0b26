/* http_sim.c — the HTTP transport over the simulator, in virtual time (see http.h).
 *
 * A request is answered by sim_handle() when it starts (after moving the world to that time);
 * the answer is delivered resp.delay_ms later. A watch answer becomes a stream: from its due time
 * on, every poll() moves the world forward and hands the watch's new lines to on_line. A dropped
 * answer (a scenario fault) is delivered as a broken connection. Everything is deterministic:
 * the same calls at the same times give the same callbacks in the same order.
 *
 * Routing (see http_sim.h): the API server's URL goes to sim_handle as it is, a cluster-service
 * host through the service proxy, a notification elsewhere is recorded, anything else fails.
 * The rules of real transfers hold here too: http_check_request refuses before the world sees
 * anything, an answer longer than max_body fails as "response larger than …" and a stream line
 * longer than it ends the stream the same way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "grow.h"
#include "sim.h"
#include "http_sim.h"
#include "strutil.h"

/* One request in flight. */
typedef struct {
  uint64_t id, seq;
  int64_t due;          /* caller's clock: when the answer (or the stream) is delivered */
  int64_t deadline;     /* caller's clock: the request's timeout, INT64_MAX when none */
  http_callbacks cb;
  sim_response resp;
  char *origin;
  size_t max_body;      /* the longest answer (a stream: line) accepted */
  bool stream, started, dead;
  http_linebuf lb;
} simreq;

typedef struct {
  http_transport iface;
  sim_world *w;
  int64_t base;
  simreq **reqs;
  size_t n, cap;
  uint64_t next_id;
  int in_poll;
} simtr;

/* Releases a request (its watch included). */
static void req_free(simreq *r) {
  if (!r) return;
  sim_watch_free(r->resp.watch);
  r->resp.watch = NULL;
  sim_response_clear(&r->resp);
  http_linebuf_free(&r->lb);
  free(r->origin);
  free(r);
}

/* Moves the world to the caller's time now (never backwards). */
static void advance(simtr *t, int64_t now) {
  int64_t v = now - t->base;
  if (v > sim_now(t->w)) sim_advance(t->w, v);
}

/* Returns the headers of req as sim headers (caller frees the array; names and values point into
 * the copies in *store, which the caller frees too). */
static sim_header *make_headers(const http_request *req, char **store) {
  sim_header *h = calloc(req->n_headers + 1, sizeof *h);
  size_t total = 0;
  for (size_t i = 0; i < req->n_headers; i++) total += strlen(req->headers[i]) + 1;
  *store = malloc(total + 1);
  if (!h || !*store) return free(h), free(*store), *store = NULL, NULL;
  char *p = *store;
  for (size_t i = 0; i < req->n_headers; i++) {
    size_t n = strlen(req->headers[i]);
    memcpy(p, req->headers[i], n + 1);
    char *colon = strchr(p, ':');
    if (colon) {
      *colon = '\0';
      char *v = colon + 1;
      while (*v == ' ') v++;
      h[i].name = p, h[i].value = v;
    } else h[i].name = p, h[i].value = "";
    p += n + 1;
  }
  return h;
}

/* Returns the answer of the world to req (filled into *resp); false when out of memory. */
static bool ask_world(simtr *t, const http_request *req, const char *rest, sim_response *resp) {
  char *path = strdup(rest);
  char *store = NULL;
  sim_header *h = make_headers(req, &store);
  if (!path || !h) return free(path), free(h), free(store), false;
  char *q = strchr(path, '?');
  if (q) *q++ = '\0';
  sim_request sr = {req->method, path, q, h, req->n_headers, req->body, req->body ? req->body_len : 0};
  sim_handle(t->w, &sr, resp);
  free(path), free(h), free(store);
  return true;
}

/* Returns true after appending r to the table. */
static bool push(simtr *t, simreq *r) {
  if (!GROW(t->reqs, t->cap, t->n + 1)) return false;
  t->reqs[t->n++] = r;
  return true;
}

/* Returns true when host ("name[.ns[.svc…]][:port]") names a cluster service; sets *name, *ns
 * (NULL when absent) and *port (":8080" or NULL), all new strings (caller frees). */
static bool service_host(const char *host, char **name, char **ns, char **port) {
  char *h = strdup(host);
  if (!h) return false;
  char *colon = strchr(h, ':');
  *port = colon ? strdup(colon) : NULL;
  if (colon) *colon = '\0';
  char *dot = strchr(h, '.');
  bool svc = !dot || (strstr(h, ".svc") != NULL) || !strchr(dot + 1, '.');
  *name = *ns = NULL;
  if (svc) {
    char *rest = dot ? dot + 1 : NULL;
    if (dot) *dot = '\0';
    char *d2 = rest ? strchr(rest, '.') : NULL;
    if (d2) *d2 = '\0';
    *name = strdup(h), *ns = rest ? strdup(rest) : NULL;
  } else free(*port), *port = NULL;
  free(h);
  return svc;
}

/* Where a request goes. */
typedef enum { ROUTE_API, ROUTE_RECORD, ROUTE_OUTSIDE } route;

/* Returns the route of a request to origin; for the API, *path gets the API path and query to
 * ask (rest itself, or the service proxy's path for a cluster-service host; caller frees). */
static route route_of(const char *origin, const char *rest, bool notification, char **path) {
  *path = NULL;
  if (!strcmp(origin, HTTP_SIM_SERVER)) return (*path = strdup(rest)) ? ROUTE_API : ROUTE_OUTSIDE;
  const char *host = strstr(origin, "://");
  char *name = NULL, *ns = NULL, *port = NULL;
  if (host && service_host(host + 3, &name, &ns, &port))
    *path = strutil_printf("/api/v1/namespaces/%s/services/%s%s/proxy%s", ns ? ns : "default", name ? name : "",
                           port ? port : "", strcmp(rest, "/") ? rest : "");
  free(name), free(ns), free(port);
  if (*path) return ROUTE_API;
  return notification ? ROUTE_RECORD : ROUTE_OUTSIDE;
}

/* Fills resp with the recorder's answer to a notification after keeping it in the plant model. */
static void record_notification(simtr *t, const http_request *req, sim_response *resp) {
  plant_world *p = sim_plant(t->w);
  char *body = strndup(req->body ? req->body : "", req->body ? req->body_len : 0);
  if (p && body) plant_record_webhook(p, req->url, body);
  free(body);
  memset(resp, 0, sizeof *resp);
  resp->status = 200;
  resp->body = strdup("ok");
  resp->body_len = resp->body ? 2 : 0;
}

/* Starts a request: the world answers now; returns the id or 0 with *err. */
static uint64_t sim_start(void *self, const http_request *req, int64_t now, const http_callbacks *cb, char **err) {
  simtr *t = self;
  if ((*err = http_check_request(req))) return 0;
  simreq *r = calloc(1, sizeof *r);
  char *rest = NULL;
  if (!r || !http_split_url(req->url, &r->origin, &rest)) {
    free(r ? r->origin : NULL), free(r);
    *err = strdup("bad URL");
    return 0;
  }
  char *path = NULL;
  route where = route_of(r->origin, rest, req->notification, &path);
  free(rest);
  if (where == ROUTE_OUTSIDE) {
    *err = strutil_printf("http(): %s is outside the simulated cluster: not reachable in a rehearsal", r->origin);
    free(path), req_free(r);
    return 0;
  }
  if (where == ROUTE_RECORD) record_notification(t, req, &r->resp);
  else advance(t, now);
  if (where == ROUTE_API && !ask_world(t, req, path, &r->resp)) {
    free(path), req_free(r);
    *err = strdup("out of memory");
    return 0;
  }
  free(path);
  r->id = ++t->next_id, r->seq = r->id, r->cb = *cb;
  r->max_body = req->max_body ? req->max_body : HTTP_MAX_BODY_DEFAULT;
  r->due = now + (r->resp.delay_ms > 0 ? r->resp.delay_ms : 0);
  r->deadline = req->timeout_ms > 0 ? now + req->timeout_ms : INT64_MAX;
  r->stream = req->stream && r->resp.watch && !r->resp.drop;
  if (!r->stream && r->resp.watch) sim_watch_free(r->resp.watch), r->resp.watch = NULL;
  if (!push(t, r)) {
    req_free(r);
    *err = strdup("out of memory");
    return 0;
  }
  return r->id;
}

/* Returns the index of request id, or -1. */
static long find(const simtr *t, uint64_t id) {
  for (size_t i = 0; i < t->n; i++)
    if (t->reqs[i]->id == id) return (long)i;
  return -1;
}

/* Removes dead requests from the table (outside callbacks only). */
static void sweep(simtr *t) {
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (t->reqs[i]->dead) req_free(t->reqs[i]);
    else t->reqs[k++] = t->reqs[i];
  }
  t->n = k;
}

/* Cancels a request: no callback will run for it. */
static void sim_cancel(void *self, uint64_t id) {
  simtr *t = self;
  long i = find(t, id);
  if (i < 0) return;
  t->reqs[i]->dead = true;
  if (!t->in_poll) sweep(t);
}

/* Delivers the final outcome of r. */
static void finish(simreq *r, http_fail fail, const char *error) {
  http_response resp = {fail, 0, "", 0, NULL, -1};
  if (fail == HTTP_FAIL_NONE) {
    resp.status = r->resp.status;
    resp.body = r->stream ? "" : (r->resp.body ? r->resp.body : "");
    resp.body_len = r->stream ? 0 : r->resp.body_len;
    resp.content_type = sim_response_header(&r->resp, "Content-Type");
    const char *ra = sim_response_header(&r->resp, "Retry-After");
    resp.retry_after_ms = http_retry_after_ms(ra);
  }
  r->dead = true;
  r->cb.on_done(r->cb.user, &resp, error);
}

/* Hands one line of a stream to its owner unless it was cancelled meanwhile. */
static void deliver_line(void *user, const char *s, size_t n) {
  simreq *r = user;
  if (!r->dead) r->cb.on_line(r->cb.user, s, n);
}

/* Returns the message of a failure naming the server. Caller frees. */
static char *fail_text(const char *what, const simreq *r) {
  size_t n = strlen(what) + strlen(r->origin) + 3;
  char *s = malloc(n);
  if (s) snprintf(s, n, "%s: %s", what, r->origin);
  return s;
}

/* Ends r as too large: "response larger than 16 MiB: https://kubernetes.default.svc". */
static void fail_too_large(simreq *r) {
  char size[32], what[64];
  snprintf(what, sizeof what, "response larger than %s", http_size_text(r->max_body, size, sizeof size));
  char *m = fail_text(what, r);
  finish(r, HTTP_FAIL_TOO_LARGE, m ? m : what);
  free(m);
}

/* Feeds stream bytes to r's lines; returns false after ending r when a line passes max_body. */
static bool feed_stream(simreq *r, const char *data, size_t len) {
  size_t run = r->lb.pending.len, longest = run; /* the current line's length so far */
  for (size_t i = 0; i < len; i++) {
    run = data[i] == '\n' ? 0 : run + 1;
    if (run > longest) longest = run;
  }
  if (longest > r->max_body) return fail_too_large(r), false;
  http_linebuf_feed(&r->lb, data, len, deliver_line, r);
  return true;
}

/* Moves a stream forward: new lines, then its end when the watch closed or timed out. */
static void pump_stream(simtr *t, simreq *r, int64_t now) {
  if (!r->started) {
    r->started = true;
    if (r->resp.body_len && !feed_stream(r, r->resp.body, r->resp.body_len)) return;
  }
  char *out = NULL;
  size_t len = 0;
  sim_watch_state st = sim_watch_poll(t->w, r->resp.watch, &out, &len);
  if (out && !r->dead) feed_stream(r, out, len);
  free(out);
  if (r->dead) return;
  if (st == SIM_WATCH_CLOSED) finish(r, HTTP_FAIL_NONE, NULL);
  else if (now >= r->deadline) {
    char *m = fail_text("timed out", r);
    finish(r, HTTP_FAIL_TIMEOUT, m ? m : "timed out");
    free(m);
  }
}

/* Handles one request that is due. */
static void handle_due(simtr *t, simreq *r, int64_t now) {
  if (r->dead) return;
  if (r->due > now && !(r->deadline <= now)) return;
  if (r->due > now || (!r->stream && r->deadline < r->due)) {
    char *m = fail_text("timed out", r);
    finish(r, HTTP_FAIL_TIMEOUT, m ? m : "timed out");
    free(m);
  } else if (r->resp.drop) {
    char *m = fail_text("connection reset by peer", r);
    finish(r, HTTP_FAIL_RESET, m ? m : "connection reset");
    free(m);
  } else if (r->stream) pump_stream(t, r, now);
  else if (r->resp.body_len > r->max_body) fail_too_large(r);
  else finish(r, HTTP_FAIL_NONE, NULL);
}

/* Orders requests by (due, start order). */
static int by_due(const void *a, const void *b) {
  const simreq *x = *(simreq *const *)a, *y = *(simreq *const *)b;
  int64_t dx = x->started ? 0 : x->due, dy = y->started ? 0 : y->due;
  if (dx != dy) return dx < dy ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Runs every callback due by now. */
static void sim_poll(void *self, int64_t now, int64_t max_wait, const int *fds, size_t nfds) {
  (void)max_wait, (void)fds, (void)nfds;
  simtr *t = self;
  advance(t, now);
  size_t n = t->n;
  if (!n) return;
  simreq **snap = malloc(n * sizeof *snap);
  if (!snap) return;
  memcpy(snap, t->reqs, n * sizeof *snap);
  qsort(snap, n, sizeof *snap, by_due);
  t->in_poll++;
  for (size_t i = 0; i < n; i++) handle_due(t, snap[i], now);
  t->in_poll--;
  free(snap);
  if (!t->in_poll) sweep(t);
}

/* Returns the earliest time a callback is due. */
static int64_t sim_next(void *self, int64_t now) {
  simtr *t = self;
  int64_t next = INT64_MAX;
  bool streaming = false;
  for (size_t i = 0; i < t->n; i++) {
    const simreq *r = t->reqs[i];
    if (r->dead) continue;
    int64_t at = r->due < r->deadline ? r->due : r->deadline;
    if (r->stream && r->started) {
      streaming = true;
      int64_t w = sim_watch_next(r->resp.watch);
      at = r->deadline;
      if (w != INT64_MAX && w + t->base < at) at = w + t->base;
    }
    if (at < next) next = at;
  }
  if (streaming) {
    int64_t c = sim_next_change(t->w);
    if (c != INT64_MAX && c + t->base < next) next = c + t->base;
  }
  if (next != INT64_MAX && next < now) next = now;
  return next;
}

/* Returns the number of live requests. */
static size_t sim_pending(void *self) {
  const simtr *t = self;
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) k += !t->reqs[i]->dead;
  return k;
}

/* Frees the transport and every request. */
static void sim_tr_free(void *self) {
  simtr *t = self;
  for (size_t i = 0; i < t->n; i++) req_free(t->reqs[i]);
  free(t->reqs);
  free(t);
}

/* Returns a transport over the world w. */
http_transport *http_sim_new(sim_world *w, int64_t base_ms, char **err) {
  simtr *t = calloc(1, sizeof *t);
  if (!t) return *err = strdup("out of memory"), NULL;
  t->w = w, t->base = base_ms;
  t->iface = (http_transport){t, sim_start, sim_cancel, sim_next, sim_poll, sim_pending, sim_tr_free};
  return &t->iface;
}
