/* live_http.c — the dry-run transport of `rbk plan --live` (see live_http.h).
 *
 * A write becomes one or two inner requests (the dry run, and the GET of the object before it);
 * its id comes from a range of its own (PAIR_ID_BASE and up) so it never collides with the ids
 * of reads passed through. The caller's on_done runs when both inner requests have ended. */
#include "live_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

#define PAIR_ID_BASE (UINT64_C(1) << 61)

/* A write in flight: the dry run and the read of the object before it. */
typedef struct {
  uint64_t id, dry, read;   /* ours; the inner ids (0 once ended or when none) */
  bool live;                /* not yet delivered nor cancelled */
  struct live_http *owner;
  char *method, *path;
  http_callbacks cb;        /* the caller's */
  char *before, *after, *error, *content_type;
  int before_status, status;
  http_fail fail;
  int64_t retry_after_ms;
} pair;

typedef struct live_http {
  http_transport iface;
  http_transport *inner;
  live_http_record_fn record;
  void *user;
  pair **pairs;
  size_t npairs, cap;
  uint64_t next_id;
} live_http;

/* Returns true for GET and HEAD. */
static bool live_http_is_read(const char *method) { return !strcmp(method, "GET") || !strcmp(method, "HEAD"); }

/* Returns a copy of n bytes at s as a string ("" for NULL). */
static char *copy(const char *s, size_t n) { return s ? strndup(s, n) : strdup(""); }

/* Returns the path of an absolute URL without its query (caller frees), or NULL. */
static char *url_path(const char *url) {
  char *origin = NULL, *rest = NULL;
  if (!http_split_url(url, &origin, &rest)) return NULL;
  free(origin);
  rest[strcspn(rest, "?")] = '\0';
  return rest;
}

/* Returns true for a path of the Kubernetes API. */
static bool api_path(const char *path) { return !strncmp(path, "/api/", 5) || !strncmp(path, "/apis/", 6); }

/* Frees a pair. */
static void pair_free(pair *p) {
  free(p->method), free(p->path), free(p->before), free(p->after), free(p->error), free(p->content_type);
  free(p);
}

/* Delivers a pair whose inner requests have both ended: records it, then answers the caller. */
static void pair_finish(pair *p) {
  if (p->dry || p->read || !p->live) return;
  p->live = false;
  live_http *h = p->owner;
  live_http_write w = {p->method, p->path, p->before_status >= 200 && p->before_status < 300 ? p->before : NULL,
                       p->before_status, p->status, p->after ? p->after : ""};
  if (h->record) h->record(h->user, &w);
  http_response r = {p->fail, p->status, p->after ? p->after : "", p->after ? strlen(p->after) : 0, p->content_type,
                     p->retry_after_ms};
  p->cb.on_done(p->cb.user, &r, p->error);
}

/* The dry run's answer. */
static void dry_done(void *user, const http_response *resp, const char *error) {
  pair *p = user;
  p->dry = 0;
  p->fail = resp->fail, p->status = resp->status, p->retry_after_ms = resp->retry_after_ms;
  p->after = copy(resp->body, resp->body_len);
  p->content_type = resp->content_type ? strdup(resp->content_type) : NULL;
  p->error = error ? strdup(error) : NULL;
  pair_finish(p);
}

/* The read of the object before the write. */
static void read_done(void *user, const http_response *resp, const char *error) {
  (void)error;
  pair *p = user;
  p->read = 0;
  p->before_status = resp->status;
  p->before = copy(resp->body, resp->body_len);
  pair_finish(p);
}

/* Returns the URL with dryRun=All added to its query (caller frees). */
static char *dry_url(const char *url) {
  size_t n = strlen(url) + 16;
  char *u = malloc(n);
  if (u) snprintf(u, n, "%s%cdryRun=All", url, strchr(url, '?') ? '&' : '?');
  return u;
}

/* Starts the inner requests of a write; returns our id, or 0 with *err. */
static uint64_t start_write(live_http *h, const http_request *req, const char *path, int64_t now, const http_callbacks *cb,
                            char **err) {
  pair *p = calloc(1, sizeof *p);
  char *url = dry_url(req->url);
  if (!p || !url || !GROW(h->pairs, h->cap, h->npairs + 1) || !(p->method = strdup(req->method)) ||
      !(p->path = strdup(path))) {
    free(url);
    if (p) pair_free(p);
    return *err = strdup("out of memory"), 0;
  }
  p->id = ++h->next_id, p->owner = h, p->cb = *cb, p->live = true;
  http_request dry = *req;
  dry.url = url;
  http_callbacks dcb = {p, NULL, dry_done};
  p->dry = h->inner->start(h->inner->self, &dry, now, &dcb, err);
  if (p->dry && strcmp(req->method, "POST")) {
    http_request rd = *req;
    char *plain = strndup(req->url, strcspn(req->url, "?"));
    rd.method = "GET", rd.url = plain, rd.body = NULL, rd.body_len = 0, rd.stream = false;
    http_callbacks rcb = {p, NULL, read_done};
    char *rerr = NULL;
    p->read = plain ? h->inner->start(h->inner->self, &rd, now, &rcb, &rerr) : 0;
    free(plain), free(rerr);
  }
  free(url);
  if (!p->dry) return pair_free(p), 0;
  h->pairs[h->npairs++] = p;
  return p->id;
}

/* Starts a request: a read passes, an API write becomes a dry run, anything else is refused. */
static uint64_t lh_start(void *self, const http_request *req, int64_t now, const http_callbacks *cb, char **err) {
  live_http *h = self;
  if (live_http_is_read(req->method) && !req->notification) return h->inner->start(h->inner->self, req, now, cb, err);
  char *path = url_path(req->url);
  if (!path || req->notification || req->stream || !api_path(path)) {
    free(path);
    size_t n = strlen(req->method) + 96;
    *err = malloc(n);
    if (*err) snprintf(*err, n, "not sent: a live preview sends no %s outside the Kubernetes API", req->method);
    return 0;
  }
  uint64_t id = start_write(h, req, path, now, cb, err);
  free(path);
  return id;
}

/* Returns the pair with our id, or NULL. */
static pair *find_pair(live_http *h, uint64_t id) {
  for (size_t i = 0; i < h->npairs; i++)
    if (h->pairs[i]->id == id) return h->pairs[i];
  return NULL;
}

/* Cancels a request, read or write. */
static void lh_cancel(void *self, uint64_t id) {
  live_http *h = self;
  if (id < PAIR_ID_BASE) return h->inner->cancel(h->inner->self, id);
  pair *p = find_pair(h, id);
  if (!p || !p->live) return;
  p->live = false;
  if (p->dry) h->inner->cancel(h->inner->self, p->dry);
  if (p->read) h->inner->cancel(h->inner->self, p->read);
  p->dry = p->read = 0;
}

/* Returns the inner transport's next event. */
static int64_t lh_next_event(void *self, int64_t now) {
  live_http *h = self;
  return h->inner->next_event(h->inner->self, now);
}

/* Drops the pairs that are over. */
static void sweep(live_http *h) {
  size_t k = 0;
  for (size_t i = 0; i < h->npairs; i++) {
    pair *p = h->pairs[i];
    if (!p->live && !p->dry && !p->read) pair_free(p);
    else h->pairs[k++] = p;
  }
  h->npairs = k;
}

/* Polls the inner transport. */
static void lh_poll(void *self, int64_t now, int64_t max_wait, const int *fds, size_t nfds) {
  live_http *h = self;
  h->inner->poll(h->inner->self, now, max_wait, fds, nfds);
  sweep(h);
}

/* Returns the inner transport's requests in flight. */
static size_t lh_pending(void *self) {
  live_http *h = self;
  return h->inner->pending(h->inner->self);
}

/* Frees the wrapper and the inner transport. */
static void lh_free(void *self) {
  live_http *h = self;
  h->inner->free(h->inner->self);
  for (size_t i = 0; i < h->npairs; i++) pair_free(h->pairs[i]);
  free(h->pairs);
  free(h);
}

/* Returns the dry-run transport (see live_http.h). */
http_transport *live_http_new(http_transport *inner, live_http_record_fn record, void *user, char **err) {
  live_http *h = inner ? calloc(1, sizeof *h) : NULL;
  if (!h) {
    if (inner) inner->free(inner->self);
    return *err = strdup("out of memory"), NULL;
  }
  h->inner = inner, h->record = record, h->user = user, h->next_id = PAIR_ID_BASE;
  h->iface = (http_transport){h, lh_start, lh_cancel, lh_next_event, lh_poll, lh_pending, lh_free};
  return &h->iface;
}
