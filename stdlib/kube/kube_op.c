/* kube_op.c — operations, requests with retries, watches, timers and processes over one
 * http_transport (see kube_op.h). */
#include "kube_op.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grow.h"
#include "valbuf.h"

/* One request of an operation. */
struct kube_req {
  kube_op *op;
  uint64_t http_id;
  char *method, *url, *body;
  size_t body_len;
  char **headers;          /* every header line, credentials included (rebuilt on resend) */
  size_t n_headers, headers_cap;
  char *ctype;
  bool with_auth, stream, auth_retried;
  bool notification;       /* a webhook POST (http_request.notification) */
  char **extra;            /* caller's header lines (absolute-URL requests) */
  size_t n_extra;
  kube_retry retry;
  char *shown;             /* "METHOD /path" as sent (no query), for messages */
  bool lost;               /* a write whose answer was lost, awaiting its verify hook */
  int lost_repeats;        /* repeats decided after lost answers (at most one) */
  int answered;            /* the status of its last answer (0: none) */
  int attempt;
  int64_t retry_at;
  kube_cont cont;
  kube_event_fn on_event;
};

static void req_free(kube_req *q);
static bool req_send(kube_req *q);
static void kube_op_due(kube_op *op, int64_t at);

/* ---- connections ---- */

/* Returns c with one more reference. */
kube_conn *kube_op_conn_ref(kube_conn *c) {
  if (c) c->refs++;
  return c;
}

/* Drops a reference; frees at zero. */
void kube_op_conn_unref(kube_conn *c) {
  if (!c || --c->refs) return;
  free(c->origin), free(c->base), free(c->ns), free(c->desc), free(c->svc_name);
  for (size_t i = 0; i < c->n_headers; i++) free(c->headers[i]);
  free(c->headers);
  kubeconfig_free(c->kc);
  kubeconfig_auth_free(c->auth);
  kube_op_conn_unref(c->parent);
  free(c);
}

/* Returns a new connection. */
kube_conn *kube_op_conn_new(const char *origin, const char *base, const char *ns, const char *desc) {
  kube_conn *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->refs = 1;
  c->origin = strdup(origin ? origin : "");
  c->base = strdup(base ? base : "");
  c->ns = ns ? strdup(ns) : NULL;
  c->desc = strdup(desc ? desc : "");
  if (!c->origin || !c->base || !c->desc || (ns && !c->ns)) return kube_op_conn_unref(c), NULL;
  return c;
}

/* ---- runtime ---- */

/* Initialises a runtime. */
void kube_op_rt_init(kube_rt *rt, http_transport *tr, proc_transport *pt, bool virtual_time, uint64_t seed,
                     int64_t wall_base) {
  memset(rt, 0, sizeof *rt);
  rt->tr = tr, rt->pt = pt, rt->virtual_time = virtual_time, rt->wall_base = wall_base;
  rt->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

/* Returns a pseudo-random number (xorshift64*). */
static uint64_t kube_op_rt_rand(kube_rt *rt) {
  uint64_t x = rt->rng;
  x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
  rt->rng = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* Returns the wall-clock time for rt->now. */
int64_t kube_op_rt_wall(const kube_rt *rt) {
  if (rt->wall_base >= 0) return rt->wall_base + rt->now;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Releases what an op owns (after it left every list). */
static void op_free(kube_op *op) {
  for (int i = 0; i < 4; i++) req_free(op->reqs[i]);
  if (op->st_free) op->st_free(op->st);
  kube_op_conn_unref(op->conn);
  value_unref(op->result);
  free(op->error), free(op->what);
  free(op);
}

/* Removes dead ops (outside callbacks). */
static void sweep(kube_rt *rt) {
  for (kube_op *op = rt->dead, *next; op; op = next) {
    next = op->next_dead;
    rt->ops[op->idx] = rt->ops[--rt->n];
    rt->ops[op->idx]->idx = op->idx;
    kube_due_remove(&rt->due, op->slot);
    op_free(op);
  }
  rt->dead = NULL;
}

/* Marks op dead: it is freed at the next sweep. */
static void bury(kube_op *op) {
  op->dead = true;
  op->next_dead = op->rt->dead, op->rt->dead = op;
}

/* Cancels every operation and frees the transport. */
void kube_op_rt_clear(kube_rt *rt) {
  if (rt->extra_free) rt->extra_free(rt);
  for (size_t i = 0; i < rt->n; i++) {
    kube_op_cancel_requests(rt->ops[i]);
    op_free(rt->ops[i]);
  }
  free(rt->ops);
  rt->ops = NULL, rt->n = rt->cap = 0, rt->dead = NULL;
  kube_due_free(&rt->due);
  if (rt->tr && rt->tr->free) rt->tr->free(rt->tr->self);
  if (rt->pt && rt->pt->free) rt->pt->free(rt->pt->self);
  rt->tr = NULL, rt->pt = NULL;
}

/* ---- operations ---- */

/* Returns a new registered op. */
kube_op *kube_op_new(kube_rt *rt, kube_conn *conn, const sig_info *sig, int64_t timeout_ms, const char *what,
                     act_done_fn done, void *user) {
  if (!GROW(rt->ops, rt->cap, rt->n + 1)) return NULL;
  kube_op *op = calloc(1, sizeof *op);
  if (!op) return NULL;
  op->rt = rt, op->id = ++rt->next_id, op->done = done, op->user = user;
  op->conn = kube_op_conn_ref(conn), op->sig = sig;
  op->started = rt->now;
  op->deadline = timeout_ms > 0 ? rt->now + timeout_ms : INT64_MAX;
  op->timer_at = INT64_MAX;
  op->what = strdup(what ? what : "");
  if (!kube_due_add(&rt->due, op, op->id, &op->slot)) {
    free(op->what), kube_op_conn_unref(op->conn), free(op);
    return NULL;
  }
  op->idx = rt->n;
  rt->ops[rt->n++] = op;
  kube_op_due(op, op->deadline);
  return op;
}

/* Returns the op with id, or NULL. */
static kube_op *find_op(kube_rt *rt, uint64_t id) {
  for (size_t i = 0; i < rt->n; i++)
    if (rt->ops[i]->id == id && !rt->ops[i]->dead) return rt->ops[i];
  return NULL;
}

/* Cancels every request in flight. */
void kube_op_cancel_requests(kube_op *op) {
  for (int i = 0; i < 4; i++) {
    kube_req *q = op->reqs[i];
    if (!q) continue;
    if (q->http_id) op->rt->tr->cancel(op->rt->tr->self, q->http_id);
    req_free(q);
    op->reqs[i] = NULL;
  }
}

/* Stops everything the op runs. */
static void op_stop(kube_op *op) {
  kube_op_cancel_requests(op);
  op->timer_at = INT64_MAX, op->timer_fn = NULL;
  if (op->proc_id) op->rt->pt->cancel(op->rt->pt->self, op->proc_id), op->proc_id = 0;
}

/* Cancels an op: done is never called. */
void kube_op_cancel(kube_rt *rt, uint64_t id) {
  kube_op *op = find_op(rt, id);
  if (!op) return;
  op_stop(op);
  bury(op);
  if (!rt->in_poll) sweep(rt);
}

/* Ends the op with a result. */
void kube_op_finish(kube_op *op, rbk_value *result) {
  if (op->finished || op->dead) {
    value_unref(result);
    return;
  }
  op_stop(op);
  op->finished = true, op->result = result, op->seq = op->rt->next_seq++;
  kube_due_finished(&op->rt->due, op->slot);
}

/* Ends the op with an error. */
void kube_op_fail(kube_op *op, const char *fmt, ...) {
  if (op->finished || op->dead) return;
  va_list ap;
  va_start(ap, fmt);
  char *s = strutil_vprintf(fmt, ap);
  va_end(ap);
  op_stop(op);
  op->finished = true, op->error = s ? s : strdup("out of memory"), op->seq = op->rt->next_seq++;
  kube_due_finished(&op->rt->due, op->slot);
}

/* Returns the time left before the deadline. */
int64_t kube_op_left(const kube_op *op) {
  return op->deadline == INT64_MAX ? INT64_MAX : op->deadline - op->rt->now;
}

/* Sets or clears the op's timer. */
void kube_op_timer(kube_op *op, int64_t at, kube_timer_fn fn) {
  op->timer_at = fn ? at : INT64_MAX;
  op->timer_fn = fn;
  kube_op_due(op, op->timer_at);
}

/* Notes that something of an op is due at `at` (its deadline, timer or a request's retry): every
 * assignment of those goes through here or kube_op_timer. */
static void kube_op_due(kube_op *op, int64_t at) {
  kube_due_at(&op->rt->due, op->slot, at);
}

/* ---- errors ---- */

/* Returns true for failures worth repeating. */
static bool kube_op_transient(const kube_resp *r) {
  if (!r->status) return true;
  return r->status == 429 || r->status == 500 || r->status == 502 || r->status == 503 || r->status == 504;
}

/* Returns true when a sent request got no answer. */
bool kube_lost(const kube_resp *r) {
  return !r->status && (r->fail == HTTP_FAIL_RESET || r->fail == HTTP_FAIL_TIMEOUT);
}

/* Returns true for a method that may change the server's state. */
bool kube_is_write(const char *method) {
  return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

/* Returns an excerpt of a body on one line (at most 200 bytes). Caller frees. */
static char *excerpt(const char *body, size_t len) {
  valbuf b = {0};
  size_t n = len > 200 ? 200 : len;
  for (size_t i = 0; i < n; i++) valbuf_put(&b, body[i] == '\n' || body[i] == '\r' ? " " : body + i, 1);
  if (len > n) valbuf_puts(&b, "…");
  return valbuf_take(&b, NULL);
}

/* Returns true when "METHOD PATH" is the op's describe() text, which the engine's message about
 * the action already names (an endpoint verb): the error then does not repeat it. */
bool kube_op_names_target(const kube_op *op, const char *method, const char *path) {
  size_t m = strlen(method);
  return op->what && !strncmp(op->what, method, m) && op->what[m] == ' ' && !strcmp(op->what + m + 1, path);
}

/* Returns the text of a failed answer. */
char *kube_op_error_text(const kube_op *op, const char *method, const char *path, const kube_resp *r) {
  char *s = NULL;
  if (r->error) return strdup(r->error);
  if (kube_op_names_target(op, method, path)) method = path = "";
  const char *sep = *method ? " " : "", *colon = *method ? ": " : "";
  if (r->status == 401 && op->conn && op->conn->kube) return strdup("You must be logged in to the server (Unauthorized)");
  const char *msg = json_string_value(json_object_get(r->json, "message"));
  const char *reason = json_string_value(json_object_get(r->json, "reason"));
  if (op->conn && op->conn->kube && !op->conn->svc_name && msg && reason) {
    return strutil_printf("Error from server (%s): %s", reason, msg);
  }
  /* A service proxy refused by the API server's authoriser (RBAC): its Status, as for the cluster. */
  const char *kind = json_string_value(json_object_get(r->json, "kind"));
  if (op->conn && op->conn->svc_name && r->status == 403 && msg && reason && kind && !strcmp(kind, "Status") &&
      !strcmp(reason, "Forbidden"))
    return strutil_printf("%s%s%s%sError from server (Forbidden): %s", method, sep, path, colon, msg);
  if (r->status >= 300 && r->status < 400)
    return strutil_printf("%s%s%s%s%d %s: redirects are not followed", method, sep, path, colon, r->status, http_reason(r->status));
  char *ex = excerpt(r->body ? r->body : "", r->body_len);
  bool not_json = r->status >= 200 && r->status < 300 && !r->json && op->conn && op->conn->kube;
  s = strutil_printf("%s%s%s%s%d %s%s%s", method, sep, path, colon, r->status, http_reason(r->status),
                     not_json ? ", but the answer is not JSON: " : ex && *ex ? ": " : "", ex ? ex : "");
  free(ex);
  return s;
}

/* Ends the op with the error of a failed answer. */
void kube_op_fail_resp(kube_op *op, const char *method, const char *path, const kube_resp *r) {
  char *s = kube_op_error_text(op, method, path, r);
  kube_op_fail(op, "%s", s ? s : "request failed");
  free(s);
}

/* ---- requests ---- */

/* Frees a request (not in flight). */
static void req_free(kube_req *q) {
  if (!q) return;
  free(q->method), free(q->url), free(q->body), free(q->ctype), free(q->shown);
  for (size_t i = 0; i < q->n_headers; i++) free(q->headers[i]);
  free(q->headers);
  for (size_t i = 0; i < q->n_extra; i++) free(q->extra[i]);
  free(q->extra);
  free(q);
}

/* Returns the slot of q in its op, or -1. */
static int slot_of(const kube_op *op, const kube_req *q) {
  for (int i = 0; i < 4; i++)
    if (op->reqs[i] == q) return i;
  return -1;
}

/* Returns true after adding a header line. */
static bool add_header(kube_req *q, const char *line) {
  if (!GROW(q->headers, q->headers_cap, q->n_headers + 1)) return false;
  return (q->headers[q->n_headers] = strdup(line)) ? (q->n_headers++, true) : false;
}

/* Returns true after rebuilding q's headers (fresh credentials). *err on credential failure. */
static bool build_headers(kube_req *q, char **err) {
  for (size_t i = 0; i < q->n_headers; i++) free(q->headers[i]);
  q->n_headers = 0;
  kube_conn *c = q->op->conn;
  bool ok = add_header(q, q->stream ? "Accept: application/json" : "Accept: application/json, */*");
  if (q->ctype) {
    char line[160];
    snprintf(line, sizeof line, "Content-Type: %s", q->ctype);
    ok = ok && add_header(q, line);
  }
  for (size_t i = 0; ok && i < q->n_extra; i++) ok = add_header(q, q->extra[i]);
  if (!q->with_auth || !c) return ok;
  for (size_t i = 0; ok && i < c->n_headers; i++) ok = add_header(q, c->headers[i]);
  if (c->parent) c = c->parent;
  if (c->auth) {
    int64_t mono = q->op->rt->now;
    const char *h = kubeconfig_auth_header(c->auth, mono, kube_op_rt_wall(q->op->rt), err);
    if (!h && *err) return false;
    if (h) ok = ok && add_header(q, h);
  }
  return ok;
}

static void on_line(void *user, const char *line, size_t len);
static void on_done(void *user, const http_response *resp, const char *error);

/* Returns true after handing q to the transport; fails the op otherwise. */
static bool req_send(kube_req *q) {
  kube_op *op = q->op;
  char *err = NULL;
  if (!build_headers(q, &err)) {
    kube_op_fail(op, "%s", err ? err : "out of memory");
    free(err);
    return false;
  }
  int64_t left = kube_op_left(op);
  int64_t limit = left < 60000 ? left : 60000;
  if (kube_is_write(q->method) && left != INT64_MAX) {
    int64_t keep = left / 4 < 5000 ? left / 4 : 5000; /* time to read the world back after a lost answer */
    if (left - keep < limit) limit = left - keep;
  }
  kube_conn *c = op->conn && op->conn->parent ? op->conn->parent : op->conn;
  http_tls tls = c && c->kc ? c->tls : (http_tls){0};
  if (c && c->auth && q->with_auth) kubeconfig_auth_client_cert(c->auth, &tls.cert_data, &tls.cert_len, &tls.key_data, &tls.key_len);
  http_request hr = {q->method, q->url, (const char *const *)q->headers, q->n_headers, q->body, q->body_len,
                     q->stream ? (left == INT64_MAX ? 0 : left) : limit, q->stream,
                     c && c->kc && q->with_auth ? &tls : NULL, q->notification, op->rt->max_body};
  if (hr.timeout_ms <= 0 && !q->stream) hr.timeout_ms = 1;
  http_callbacks cb = {q, on_line, on_done};
  q->http_id = op->rt->tr->start(op->rt->tr->self, &hr, op->rt->now, &cb, &err);
  q->retry_at = INT64_MAX, q->answered = 0;
  if (!q->http_id) {
    kube_op_fail(op, "%s", err ? err : "cannot start the request");
    free(err);
    return false;
  }
  return true;
}

/* Returns a new request in a free slot of op, or NULL after failing the op. */
static kube_req *req_new(kube_op *op, const char *method, const char *url, const char *ctype, const char *body,
                         kube_retry retry, kube_cont cont) {
  int slot = -1;
  for (int i = 0; i < 4 && slot < 0; i++)
    if (!op->reqs[i]) slot = i;
  kube_req *q = slot >= 0 ? calloc(1, sizeof *q) : NULL;
  if (!q) return kube_op_fail(op, "too many requests in flight"), NULL;
  q->op = op, q->retry = retry, q->cont = cont, q->retry_at = INT64_MAX;
  q->method = strdup(method), q->url = strdup(url);
  q->ctype = ctype ? strdup(ctype) : NULL;
  q->body = body ? strdup(body) : NULL, q->body_len = body ? strlen(body) : 0;
  if (!q->method || !q->url || (ctype && !q->ctype) || (body && !q->body)) return req_free(q), kube_op_fail(op, "out of memory"), NULL;
  op->reqs[slot] = q;
  return q;
}

/* Sets q's "METHOD /path" text from path (its query dropped). */
static void set_shown(kube_req *q, const char *path) {
  size_t n = strcspn(path, "?");
  q->shown = strutil_printf("%s %.*s", q->method, (int)n, path);
}

/* Returns the absolute URL of path on the op's connection. Caller frees. */
static char *conn_url(const kube_op *op, const char *path) {
  return strutil_printf("%s%s%s", op->conn->origin, op->conn->base, path);
}

/* Starts a request on the connection. */
bool kube_op_request(kube_op *op, const char *method, const char *path, const char *ctype, const char *body,
                     kube_retry retry, kube_cont cont) {
  return kube_op_request_with(op, method, path, ctype, body, NULL, 0, retry, cont);
}

/* Starts a request on the connection with extra header lines. */
bool kube_op_request_with(kube_op *op, const char *method, const char *path, const char *ctype, const char *body,
                          const char *const *headers, size_t n_headers, kube_retry retry, kube_cont cont) {
  if (op->finished || op->dead) return false;
  char *url = conn_url(op, path);
  if (!url) return kube_op_fail(op, "out of memory"), false;
  kube_req *q = req_new(op, method, url, ctype, body, retry, cont);
  free(url);
  if (!q) return false;
  q->with_auth = true;
  set_shown(q, path);
  if (n_headers && !(q->extra = calloc(n_headers, sizeof *q->extra))) return kube_op_fail(op, "out of memory"), false;
  for (size_t i = 0; i < n_headers; i++)
    if ((q->extra[q->n_extra] = strdup(headers[i]))) q->n_extra++;
  return req_send(q);
}

/* Starts a notification to an absolute URL without the connection's credentials. */
bool kube_op_request_url(kube_op *op, const char *method, const char *url, const char *const *headers,
                         size_t n_headers, const char *body, kube_retry retry, kube_cont cont) {
  if (op->finished || op->dead) return false;
  kube_req *q = req_new(op, method, url, body ? "application/json" : NULL, body, retry, cont);
  if (!q) return false;
  char *origin = NULL, *rest = NULL;
  set_shown(q, http_split_url(url, &origin, &rest) ? rest : url);
  free(origin), free(rest);
  q->notification = true;
  q->extra = calloc(n_headers + 1, sizeof *q->extra);
  for (size_t i = 0; q->extra && i < n_headers; i++) q->extra[q->n_extra++] = strdup(headers[i]);
  return req_send(q);
}

/* Starts a watch. */
bool kube_op_watch(kube_op *op, const char *path, kube_event_fn on_event, kube_cont end) {
  if (op->finished || op->dead) return false;
  char *url = conn_url(op, path);
  if (!url) return kube_op_fail(op, "out of memory"), false;
  kube_req *q = req_new(op, "GET", url, NULL, NULL, KRETRY_NONE, end);
  free(url);
  if (!q) return false;
  q->with_auth = true, q->stream = true, q->on_event = on_event;
  return req_send(q);
}

/* Passes one watch line to the op as an event. */
static void on_line(void *user, const char *line, size_t len) {
  kube_req *q = user;
  kube_op *op = q->op;
  json_t *ev = json_loadb(line, len, 0, NULL);
  const char *type = json_string_value(json_object_get(ev, "type"));
  json_t *obj = json_object_get(ev, "object");
  if (type && obj && q->on_event && !op->finished && !op->dead) q->on_event(op, type, obj);
  json_decref(ev);
}

/* Returns the backoff before attempt n (ms), jittered, at least retry_after. */
static int64_t backoff(kube_rt *rt, int attempt, int64_t retry_after) {
  int64_t base = 250;
  for (int i = 0; i < attempt && base < 8000; i++) base *= 2;
  if (base > 8000) base = 8000;
  int64_t d = base / 2 + (int64_t)(kube_op_rt_rand(rt) % (uint64_t)(base / 2 + 1));
  return retry_after > d ? retry_after : d;
}

/* Returns true when q's failure class allows repeating it. */
static bool may_retry(const kube_req *q, const http_response *resp) {
  if (q->retry == KRETRY_READ || q->retry == KRETRY_VERIFY) return true;
  if (q->retry == KRETRY_UNSENT) return resp->fail == HTTP_FAIL_CONNECT || resp->status == 429;
  return false;
}

/* Returns true when q was scheduled again (a transient failure with time left). */
static bool schedule_retry(kube_req *q, const http_response *resp, const kube_resp *kr) {
  kube_op *op = q->op;
  if (q->stream || !kube_op_transient(kr) || resp->fail == HTTP_FAIL_TLS || resp->fail == HTTP_FAIL_OTHER ||
      resp->fail == HTTP_FAIL_TOO_LARGE ||
      !may_retry(q, resp))
    return false;
  int64_t d = backoff(op->rt, q->attempt, resp->retry_after_ms);
  if (op->rt->now + d >= op->deadline || q->attempt >= 20) return false;
  q->attempt++;
  q->retry_at = op->rt->now + d;
  kube_op_due(op, q->retry_at);
  return true;
}

/* Returns the parsed JSON of an answer's body, or NULL. */
static json_t *parse_body(const http_response *resp) {
  const char *b = resp->body;
  size_t n = resp->body_len;
  while (n && (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t')) b++, n--;
  if (!n) return NULL;
  bool jsonish = (resp->content_type && strstr(resp->content_type, "json")) || *b == '{' || *b == '[';
  return jsonish ? json_loadb(b, n, JSON_DECODE_ANY, NULL) : NULL;
}

/* Handles a request's outcome: retry, re-authenticate, or continue the op. */
static void on_done(void *user, const http_response *resp, const char *error) {
  kube_req *q = user;
  kube_op *op = q->op;
  q->http_id = 0;
  json_t *j = parse_body(resp);
  kube_resp kr = {resp->status, resp->fail, error, j, resp->body, resp->body_len, resp->content_type};
  kube_conn *ac = op->conn && op->conn->parent ? op->conn->parent : op->conn;
  if (resp->status == 401 && q->with_auth && ac && ac->auth && !q->auth_retried && kubeconfig_auth_invalidate(ac->auth)) {
    q->auth_retried = true;
    json_decref(j);
    req_send(q);
    return;
  }
  if (kube_is_write(q->method) && kube_lost(&kr) && q->retry == KRETRY_VERIFY && op->verify) {
    json_decref(j);
    q->lost = true, q->retry_at = INT64_MAX;
    if (op->rt->now >= op->deadline) return kube_op_unknown(op, "no time was left to read it back");
    kube_op_timer(op, op->rt->now, op->verify); /* read the world back at once: the hook decides */
    return;
  }
  q->answered = resp->status;
  if (schedule_retry(q, resp, &kr)) {
    json_decref(j);
    if (q->retry == KRETRY_VERIFY && op->verify) {
      kube_op_timer(op, q->retry_at, op->verify);
      q->retry_at = INT64_MAX;  /* the verify hook decides; kube_op_repeat resends */
    }
    return;
  }
  int s = slot_of(op, q);
  if (s >= 0) op->reqs[s] = NULL;
  kube_cont cont = q->cont;
  if (!op->finished && !op->dead && cont) cont(op, &kr);
  json_decref(j);
  req_free(q);
}

/* Returns the write that awaits its verify hook, or NULL. */
static kube_req *awaiting(const kube_op *op) {
  for (int i = 0; i < 4; i++) {
    kube_req *q = op->reqs[i];
    if (q && !q->http_id && q->retry == KRETRY_VERIFY) return q;
  }
  return NULL;
}

/* Repeats the request that awaits its verify hook (once after a lost answer, logged). */
void kube_op_repeat(kube_op *op) {
  kube_req *q = awaiting(op);
  if (!q) return;
  if (q->lost && q->lost_repeats >= 1)
    return kube_op_unknown(op, "read back after it was sent again, it is still not applied");
  if (q->lost) {
    q->lost_repeats++, q->lost = false;
    fprintf(op->rt->log ? op->rt->log : stderr,
            "rbk: %s: %s was sent and its answer was lost; read back, it was not applied and nothing else changed: sending it once more\n",
            op->what, q->shown ? q->shown : q->method);
  }
  req_send(q);
}

/* Returns the "outcome unknown: …" text of a write whose answer was lost. */
char *kube_op_unknown_text(const char *method, const char *path, const char *detail, const char *check) {
  size_t n = strcspn(path, "?");
  if (!method) method = "the request", path = "", n = 0;
  return strutil_printf(RBK_OUTCOME_UNKNOWN "%s%s%.*s was sent and its answer was lost; %s%scheck %s before retrying", method,
                        n ? " " : "", (int)n, path, detail ? detail : "", detail ? "; " : "", check);
}

/* Ends the op with "outcome unknown: …" for its write awaiting a read-back (or in flight). */
void kube_op_unknown(kube_op *op, const char *fmt, ...) {
  kube_req *q = NULL;
  for (int i = 0; i < 4 && !q; i++)
    if (op->reqs[i] && kube_is_write(op->reqs[i]->method) &&
        (op->reqs[i]->lost || op->reqs[i]->http_id || op->reqs[i]->retry == KRETRY_VERIFY))
      q = op->reqs[i];
  char *detail = NULL;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    detail = strutil_vprintf(fmt, ap);
    va_end(ap);
  }
  const char *shown = q && q->shown ? q->shown : "the write";
  const char *sp = strchr(shown, ' ');
  char *method = sp ? strutil_printf("%.*s", (int)(sp - shown), shown) : NULL;
  bool endpoint = op->sig && op->sig->recv == RECV_ENDPOINT && op->conn;
  char *state = endpoint ? strutil_printf("the state of %s", op->conn->desc) : NULL;
  const char *check = state ? state : *op->what ? op->what : "the object";
  char *s = q && !q->lost && q->answered
                ? strutil_printf(RBK_OUTCOME_UNKNOWN "%s was sent and answered %d %s; %s%scheck %s before retrying", shown, q->answered,
                                 http_reason(q->answered), detail ? detail : "", detail ? "; " : "", check)
                : kube_op_unknown_text(method ? method : shown, sp ? sp + 1 : "", detail, check);
  kube_op_fail(op, "%s", s ? s : "outcome unknown");
  free(s), free(method), free(detail), free(state);
}

/* ---- processes ---- */

/* A process ended: hands its outcome to the op. */
static void proc_ended(void *user, const proc_outcome *res) {
  kube_op *op = user;
  op->proc_id = 0;
  if (!op->dead && !op->finished) op->on_proc(op, res);
}

/* Returns the connection whose credentials and TLS the op's requests use, or NULL. */
static kube_conn *auth_conn(const kube_op *op) { return op->conn && op->conn->parent ? op->conn->parent : op->conn; }

/* Starts a process for op; an exec gets the connection's server, credentials and TLS material
 * and the runtime's answer cap as its output cap. */
bool kube_op_process(kube_op *op, const proc_request *req, void (*on_proc)(kube_op *op, const proc_outcome *res)) {
  char *err = NULL;
  proc_request r = *req;
  int64_t left = kube_op_left(op);
  r.timeout_ms = left == INT64_MAX ? 0 : left;
  op->on_proc = on_proc;
  proc_callbacks cb = {op, proc_ended};
  kube_conn *c = req->kind == PROC_EXEC ? auth_conn(op) : NULL;
  char *server = c ? strutil_printf("%s%s", c->origin, c->base) : NULL;
  const char *hdr[2] = {NULL, NULL};
  proc_tls tls = {0};
  if (c && c->kc) {
    tls = (proc_tls){c->tls.ca_file, c->tls.ca_data, c->tls.ca_len, c->tls.cert_file, c->tls.cert_data, c->tls.cert_len,
                     c->tls.key_file, c->tls.key_data, c->tls.key_len, c->tls.insecure};
    if (c->auth) kubeconfig_auth_client_cert(c->auth, &tls.cert_data, &tls.cert_len, &tls.key_data, &tls.key_len);
    r.tls = &tls;
  }
  if (c && c->auth && !(hdr[0] = kubeconfig_auth_header(c->auth, op->rt->now, kube_op_rt_wall(op->rt), &err)) && err) {
    kube_op_fail(op, "%s", err);
    free(err), free(server);
    return false;
  }
  if (c) r.server = server, r.headers = hdr, r.n_headers = hdr[0] ? 1 : 0, r.max_output = op->rt->max_body;
  op->proc_id = op->rt->pt->start(op->rt->pt->self, &r, op->rt->now, &cb, &err);
  free(server);
  if (!op->proc_id) {
    kube_op_fail(op, "%s", err ? err : "cannot start the process");
    free(err);
    return false;
  }
  return true;
}

/* ---- the loop ---- */

/* Returns when the op's next timer, deadline or retry is due (INT64_MAX: none). */
static int64_t op_timers(const kube_op *op) {
  if (op->dead || op->finished) return INT64_MAX;
  int64_t t = op->deadline < op->timer_at ? op->deadline : op->timer_at;
  for (int i = 0; i < 4; i++)
    if (op->reqs[i] && op->reqs[i]->retry_at < t) t = op->reqs[i]->retry_at;
  return t;
}

/* Returns the next due time of anything. */
int64_t kube_op_rt_next(kube_rt *rt, int64_t now) {
  int64_t t = rt->tr->next_event(rt->tr->self, now), p = rt->pt->next_event(rt->pt->self, now);
  if (p < t) t = p;
  int64_t o = rt->due.nfin ? 0 : kube_due_next(&rt->due, op_timers);
  if (o < t) t = o;
  if (rt->extra_next) {
    int64_t e = rt->extra_next(rt);
    if (e < t) t = e;
  }
  return t < now ? now : t;
}

/* Fires op's due timers. */
static void fire(kube_op *op, int64_t now) {
  if (op->dead || op->finished) return;
  if (op->deadline <= now) {
    bool unknown = false;
    for (int i = 0; i < 4; i++)
      unknown |= op->reqs[i] && kube_is_write(op->reqs[i]->method) &&
                 (op->reqs[i]->http_id || op->reqs[i]->lost || (op->reqs[i]->retry == KRETRY_VERIFY && op->reqs[i]->answered));
    if (!op->on_deadline && unknown) {
      char *d = value_format_duration(op->deadline - op->started);
      kube_op_unknown(op, "timed out after %s", d ? d : "?");
      free(d);
      return;
    }
    kube_op_cancel_requests(op);
    if (op->on_deadline) op->on_deadline(op);
    else {
      char *d = value_format_duration(op->deadline - op->started);
      kube_op_fail(op, "timed out after %s: %s", d ? d : "?", op->what);
      free(d);
    }
    return;
  }
  for (int i = 0; i < 4 && !op->finished; i++)
    if (op->reqs[i] && op->reqs[i]->retry_at <= now) req_send(op->reqs[i]);
  if (!op->finished && op->timer_at <= now) {
    kube_timer_fn fn = op->timer_fn;
    kube_op_timer(op, INT64_MAX, NULL);
    fn(op);
  }
}


/* Calls `done` for every finished op, in completion order. */
static void deliver(kube_rt *rt) {
  kube_op **fin;
  size_t k;
  while ((k = kube_due_take_finished(&rt->due, &fin))) {
    for (size_t i = 0; i < k; i++) {
      kube_op *op = fin[i];
      if (!op || op->dead || !op->finished) continue;  /* cancelled by an earlier done callback */
      bury(op);
      rbk_value *res = op->result;
      op->result = NULL;
      if (op->done) op->done(op->user, op->error ? (value_unref(res), NULL) : res, op->error);
      else value_unref(res);
    }
    free(fin);
  }
}
/* Fires the ops due by now, each once, in order of time then creation; what they set due by
 * now again waits for the next poll (as a scan of every op would). */
static void fire_due(kube_rt *rt) {
  kube_op **batch = NULL, *op;
  size_t n = 0, cap = 0;
  rt->npoll++;
  while ((op = kube_due_pop(&rt->due, rt->now, op_timers))) {
    if (op->fired == rt->npoll) continue;
    op->fired = rt->npoll;
    if (!GROW(batch, cap, n + 1)) {
      fire(op, rt->now);
      continue;
    }
    batch[n++] = op;
  }
  for (size_t i = 0; i < n; i++) fire(batch[i], rt->now);
  for (size_t i = 0; i < n; i++) kube_op_due(batch[i], op_timers(batch[i])); /* entries it lost */
  free(batch);
}

/* Runs everything due by now. */
void kube_op_rt_poll(kube_rt *rt, int64_t now, int64_t max_wait) {
  if (now > rt->now) rt->now = now;
  rt->in_poll++;
  if (kube_due_lost(&rt->due)) /* an entry was lost to a failed allocation: note every op again */
    for (size_t i = 0; i < rt->n; i++) {
      kube_op_due(rt->ops[i], op_timers(rt->ops[i]));
      if (rt->ops[i]->finished && !rt->ops[i]->dead) kube_due_finished(&rt->due, rt->ops[i]->slot);
    }
  fire_due(rt);
  int64_t wait = max_wait;
  int64_t next = kube_op_rt_next(rt, rt->now);
  if (next - rt->now < wait) wait = next - rt->now;
  if (wait < 0) wait = 0;
  int fds[32];
  size_t nfds = rt->pt->fds(rt->pt->self, fds, 32, &wait);
  rt->tr->poll(rt->tr->self, rt->now, wait, fds, nfds);
  rt->pt->poll(rt->pt->self, rt->now);
  if (rt->extra_poll) rt->extra_poll(rt);
  deliver(rt);
  rt->in_poll--;
  if (!rt->in_poll) sweep(rt);
}
