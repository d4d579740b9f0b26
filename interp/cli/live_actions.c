/* live_actions.c — the actions of `rbk plan --live` (see live_actions.h).
 *
 * Actions forwarded to actions_kube keep their inner ids and a `fwd` record (freed when they end
 * or are cancelled); actions answered here (not sent) get ids from QUEUED_ID_BASE up and are
 * completed with null from poll(), as the interface asks. */
#include "live_actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "actions_kube.h"
#include "grow.h"
#include "live_diff.h"
#include "live_http.h"

#define QUEUED_ID_BASE (UINT64_C(1) << 62)
/* The most changed fields listed per write. */
#define DIFF_LINES 20

/* How the preview treats an action. */
typedef enum { LA_READ, LA_WAIT, LA_WRITE, LA_NOT_SENT } la_kind;

struct la;

/* An action forwarded to actions_kube. */
typedef struct {
  struct la *owner;
  uint64_t inner;
  la_kind kind;
  sig_id id;
  char *node, *desc;
  int64_t timeout_ms;
  act_done_fn done;
  void *user;
} fwd;

/* An action answered here, delivered from poll(). */
typedef struct {
  uint64_t id;
  act_done_fn done;
  void *user;
} queued;

typedef struct la {
  rbk_actions iface;
  rbk_actions *inner;
  void (*note)(void *user, const char *node, const char *text);
  void *user;
  fwd **fwds;
  size_t nfwds, fcap;
  queued *queue;
  size_t nqueue, qcap;
  uint64_t next_id;
  const char *write_node;   /* the node of the write in flight (borrowed from its fwd), or NULL */
  size_t writes;
  int64_t real0, virt0;     /* real (monotonic) and engine time when requests went in flight */
  json_t *live_revs;        /* deployment name → "REVISION (IMAGE)" read before its dry-run write */
} la;

/* Returns how the preview treats the action `sig`. */
static la_kind kind_of(const sig_info *sig) {
  switch (sig->id) {
    case FN_K_ROLLOUT_STATUS: case FN_K_WAIT_READY: case FN_K_WAIT_DELETED: return LA_WAIT;
    case FN_K_ROLLOUT_UNDO: case FN_K_ROLLOUT_RESTART: case FN_K_SCALE: case FN_K_PATCH: case FN_K_APPLY:
    case FN_K_CREATE: case FN_K_DELETE: return LA_WRITE;
    default: return sig->flags & SIG_MUTATING ? LA_NOT_SENT : LA_READ;
  }
}

/* Passes a report line on. */
static void say(la *a, const char *node, const char *text) {
  if (a->note) a->note(a->user, node, text);
}

/* Returns a new handle from actions_kube. */
static rbk_value *la_construct(void *self, const sig_info *sig, rbk_value *recv, rbk_value *const *args, char **err) {
  la *a = self;
  return a->inner->construct(a->inner->self, sig, recv, args, err);
}

/* Returns actions_kube's description. */
static char *la_describe(void *self, const rbk_action_req *req) {
  la *a = self;
  return a->inner->describe(a->inner->self, req);
}

/* Queues a null answer; returns its id, or 0 with *err. */
static uint64_t enqueue(la *a, act_done_fn done, void *user, char **err) {
  if (!GROW(a->queue, a->qcap, a->nqueue + 1)) return *err = strdup("out of memory"), 0;
  a->queue[a->nqueue++] = (queued){++a->next_id, done, user};
  return a->next_id;
}

/* Removes and frees a forwarded action's record. */
static void fwd_drop(la *a, fwd *f) {
  for (size_t i = 0; i < a->nfwds; i++)
    if (a->fwds[i] == f) {
      a->fwds[i] = a->fwds[--a->nfwds];
      break;
    }
  if (a->write_node == f->node) a->write_node = NULL;
  free(f->node), free(f->desc), free(f);
}

/* Returns a one-line summary of what a wait would look at, read now (caller frees). */
static char *wait_now(const rbk_value *v) {
  char buf[300];
  if (v && v->kind == VAL_LIST) {
    snprintf(buf, sizeof buf, "%zu matching now", v->u.list.len);
    return strdup(buf);
  }
  const rbk_value *st = v && v->kind == VAL_OBJECT ? value_object_get(v, "status") : NULL;
  if (!st || st->kind != VAL_OBJECT) return strdup("read now");
  const char *keys[] = {"replicas", "updatedReplicas", "readyReplicas", "availableReplicas"};
  const char *names[] = {"replicas", "updated", "ready", "available"};
  size_t n = (size_t)snprintf(buf, sizeof buf, "now:");
  for (size_t i = 0; i < 4 && n < sizeof buf; i++) {
    const rbk_value *x = value_object_get(st, keys[i]);
    n += (size_t)snprintf(buf + n, sizeof buf - n, " %s %lld", names[i], x && x->kind == VAL_INT ? (long long)x->u.i : 0LL);
  }
  return strdup(buf);
}

/* Reports a rollout_undo's concrete change: "revision 13 (IMAGE) → 12 (IMAGE)". */
static void undo_line(la *a, const fwd *f, const rbk_value *result) {
  const rbk_value *rev = result ? value_object_get(result, "revision") : NULL, *img = result ? value_object_get(result, "image") : NULL;
  const rbk_value *skipped = result ? value_object_get(result, "skipped") : NULL;
  const char *name = f->desc ? strchr(f->desc, '/') : NULL;
  const char *was = name ? json_string_value(json_object_get(a->live_revs, name + 1)) : NULL;
  if (!rev || rev->kind != VAL_INT) return;
  char line[700];
  if (skipped && skipped->kind == VAL_BOOL && skipped->u.b)
    snprintf(line, sizeof line, "already at revision %lld: a run changes nothing", (long long)rev->u.i);
  else
    snprintf(line, sizeof line, "rollout_undo %s: revision %s → %lld (%s)", f->desc, was ? was : "? (not read)",
             (long long)rev->u.i, img && img->kind == VAL_STRING ? img->u.str.s : "?");
  say(a, f->node, line);
}

/* A forwarded action ended: reports what the preview learnt, then answers the engine. */
static void fwd_done(void *user, rbk_value *result, const char *error) {
  fwd *f = user;
  la *a = f->owner;
  char line[700];
  act_done_fn done = f->done;
  void *duser = f->user;
  if (f->kind == LA_WAIT) {
    char *now = error ? NULL : wait_now(result), *limit = value_format_duration(f->timeout_ms);
    snprintf(line, sizeof line, "not waited: a run waits up to %s for %s (%s)", limit ? limit : "?", f->desc,
             now ? now : "the read failed");
    say(a, f->node, line);
    free(now), free(limit);
    value_unref(result);
    result = error ? NULL : value_null();
  } else if (f->id == FN_K_ROLLOUT_UNDO && !error) {
    undo_line(a, f, result);
  }
  fwd_drop(a, f);
  done(duser, result, error);
}

static int64_t real_now(void);

/* Forwards an action to actions_kube; returns its id, or 0 with *err. */
static uint64_t forward(la *a, const rbk_action_req *req, la_kind kind, act_done_fn done, void *user, char **err) {
  fwd *f = calloc(1, sizeof *f);
  if (!f || !GROW(a->fwds, a->fcap, a->nfwds + 1)) return free(f), *err = strdup("out of memory"), 0;
  *f = (fwd){a, 0, kind, req->sig->id, req->node ? strdup(req->node) : NULL, la_describe(a, req), req->timeout_ms, done, user};
  rbk_action_req r = *req;
  rbk_value *args[4] = {0};
  if (kind == LA_WAIT) { /* read once what the wait would watch */
    if (req->sig->id == FN_K_ROLLOUT_STATUS) r.sig = sig_get(FN_K_GET), args[0] = req->args[0];
    else r.sig = sig_get(FN_K_LIST), args[0] = req->args[0], args[1] = req->nargs > 1 ? req->args[1] : NULL;
    r.args = args, r.nargs = r.sig->id == FN_K_GET ? 2 : 4, r.timeout_ms = r.sig->timeout_ms;
  }
  if (kind == LA_WRITE) a->write_node = f->node;
  f->inner = a->inner->start(a->inner->self, &r, fwd_done, f, err);
  if (!f->inner) {
    if (a->write_node == f->node) a->write_node = NULL;
    free(f->node), free(f->desc), free(f);
    return 0;
  }
  if (!a->nfwds) a->real0 = real_now(), a->virt0 = req->now_ms;
  a->fwds[a->nfwds++] = f;
  return f->inner;
}

/* Starts an action: forwarded (reads, waits read once, writes as dry runs) or not sent. */
static uint64_t la_start(void *self, const rbk_action_req *req, act_done_fn done, void *user, char **err) {
  la *a = self;
  la_kind kind = kind_of(req->sig);
  if (kind != LA_NOT_SENT) return forward(a, req, kind, done, user, err);
  char *desc = la_describe(a, req), line[600];
  snprintf(line, sizeof line, "not sent: %s %s (a run does it here)", req->sig->name, desc ? desc : "");
  free(desc);
  say(a, req->node, line);
  return enqueue(a, done, user, err);
}

/* Notifications are not sent (the engine's notify event shows them). */
static uint64_t la_notify(void *self, rbk_value *channel, const char *text, int64_t now, act_done_fn done, void *user,
                          char **err) {
  (void)channel, (void)text, (void)now;
  return enqueue(self, done, user, err);
}

/* Cancels a queued or forwarded action. */
static void la_cancel(void *self, uint64_t op) {
  la *a = self;
  if (op > QUEUED_ID_BASE) {
    for (size_t i = 0; i < a->nqueue; i++)
      if (a->queue[i].id == op) a->queue[i--] = a->queue[--a->nqueue];
    return;
  }
  for (size_t i = 0; i < a->nfwds; i++)
    if (a->fwds[i]->inner == op) {
      a->inner->cancel(a->inner->self, op);
      return fwd_drop(a, a->fwds[i]);
    }
}

/* Returns the monotonic time in ms. */
static int64_t real_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns now when answers are queued; while requests are in flight, the engine time they went in
 * flight plus the real time passed since (the virtual clock keeps pace with real I/O, so the
 * engine's time limits on actions still fire); else the inner next event. */
static int64_t la_next_event(void *self, int64_t now) {
  la *a = self;
  if (a->nqueue) return now;
  if (a->nfwds) {
    int64_t t = a->virt0 + (real_now() - a->real0);
    return t > now ? t : now;
  }
  return a->inner->next_event(a->inner->self, now);
}

/* Delivers the queued answers, then the inner completions (waiting for real I/O when some is in
 * flight). */
static void la_poll(void *self, int64_t now, int64_t max_wait) {
  la *a = self;
  while (a->nqueue) {
    queued q = a->queue[0];
    memmove(a->queue, a->queue + 1, --a->nqueue * sizeof *a->queue);
    q.done(q.user, value_null(), NULL);
  }
  a->inner->poll(a->inner->self, now, a->nfwds && max_wait < 100 ? 100 : max_wait);
}

/* Frees the preview's actions. */
static void la_free(void *self) {
  la *a = self;
  if (a->inner) a->inner->free(a->inner->self);
  for (size_t i = 0; i < a->nfwds; i++) free(a->fwds[i]->node), free(a->fwds[i]->desc), free(a->fwds[i]);
  json_decref(a->live_revs);
  free(a->fwds), free(a->queue), free(a);
}

/* Passes one diff line on. */
static void diff_line(void *user, const char *text) {
  la *a = user;
  char line[500];
  snprintf(line, sizeof line, "  %s", text);
  say(a, a->write_node, line);
}

/* Keeps "N (IMAGE)", the revision and image of a deployment read before its dry-run write, for undo_line. */
static void remember_revision(la *a, const live_http_write *w) {
  const char *at = w->before ? strstr(w->path, "/deployments/") : NULL;
  if (!at || strchr(at + 13, '/')) return;
  json_t *d = json_loads(w->before, 0, NULL);
  const char *rev = json_string_value(json_object_get(json_object_get(json_object_get(d, "metadata"), "annotations"),
                                                      "deployment.kubernetes.io/revision"));
  json_t *c0 = json_array_get(json_object_get(json_object_get(json_object_get(json_object_get(d, "spec"), "template"), "spec"),
                                              "containers"), 0);
  const char *img = json_string_value(json_object_get(c0, "image"));
  char text[400];
  snprintf(text, sizeof text, "%s (%s)", rev ? rev : "?", img ? img : "?");
  if (!a->live_revs) a->live_revs = json_object();
  json_object_set_new(a->live_revs, at + 13, json_string(text));
  json_decref(d);
}

/* live_http's record: reports an accepted dry-run write and what it would change. */
static void on_write(void *user, const live_http_write *w) {
  la *a = user;
  if (w->status < 200 || w->status >= 300) return; /* the action fails with the server's message */
  a->writes++;
  remember_revision(a, w);
  char line[600];
  bool del = !strcmp(w->method, "DELETE"), post = !strcmp(w->method, "POST");
  snprintf(line, sizeof line, "dry run accepted: %s %s%s", w->method, w->path,
           del ? " (would delete it)" : post ? " (would create:)" : "");
  say(a, a->write_node, line);
  if (del) return;
  long n = live_diff_fields(post ? NULL : w->before, w->after, DIFF_LINES, diff_line, a);
  if (n == 0) say(a, a->write_node, "  no field would change");
  if (n < 0 && !post) say(a, a->write_node, "  (the object before it could not be read: no diff)");
}

/* Returns the preview's actions (see live_actions.h). */
rbk_actions *live_actions_new(const live_actions_opts *o, char **err) {
  la *a = calloc(1, sizeof *a);
  if (!a) return *err = strdup("out of memory"), NULL;
  http_transport *curl = http_curl_new(err);
  http_transport *tr = curl ? live_http_new(curl, on_write, a, err) : NULL;
  proc_transport *pt = tr ? proc_local_new(err) : NULL;
  if (!pt && tr) tr->free(tr->self);
  actions_kube_config cfg = {.http = tr, .procs = pt, .kubeconfig = o->kubeconfig, .context = o->context,
                             .wall_base_ms = -1, .seed = 1, .max_response = o->max_response};
  a->inner = pt ? actions_kube_new(&cfg, err) : NULL;
  if (!a->inner) return free(a), NULL;
  a->note = o->note, a->user = o->user, a->next_id = QUEUED_ID_BASE;
  a->iface = (rbk_actions){a, la_construct, la_describe, la_start, la_notify, la_cancel, la_next_event, la_poll, la_free};
  return &a->iface;
}

/* Returns the accepted dry-run writes. */
size_t live_actions_writes(const rbk_actions *a) { return ((const la *)a->self)->writes; }
