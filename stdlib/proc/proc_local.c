/* proc_local.c — the process transport over real processes (see proc_transport.h): run() spawns
 * argv through base/proc.h; exec is handed to the WebSocket transport (proc_ws.c, made on the
 * first exec), whose ids are marked with the top bit. */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "proc.h"
#include "proc_transport.h"
#include "proc_ws.h"

#define WS_ID ((uint64_t)1 << 63)

/* One process in flight. */
typedef struct {
  uint64_t id;
  proc *p;
  proc_callbacks cb;
  bool dead;
} localproc;

typedef struct {
  proc_transport iface;
  localproc **ps;
  size_t n, cap;
  uint64_t next_id;
  int in_poll;
  proc_transport *ws;  /* the exec transport, or NULL before the first exec */
} localtr;

/* Removes finished or cancelled processes (outside callbacks only). */
static void sweep(localtr *t) {
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (t->ps[i]->dead) proc_free(t->ps[i]->p), free(t->ps[i]);
    else t->ps[k++] = t->ps[i];
  }
  t->n = k;
}

/* Starts a process. */
static uint64_t local_start(void *self, const proc_request *req, int64_t now, const proc_callbacks *cb, char **err) {
  localtr *t = self;
  if (req->kind == PROC_EXEC) {
    if (!t->ws && !(t->ws = proc_ws_new(err))) return 0;
    uint64_t id = t->ws->start(t->ws->self, req, now, cb, err);
    return id ? id | WS_ID : 0;
  }
  if (!GROW(t->ps, t->cap, t->n + 1)) return *err = strdup("out of memory"), 0;
  localproc *lp = calloc(1, sizeof *lp);
  if (!lp) return *err = strdup("out of memory"), 0;
  lp->p = proc_spawn(req->argv, NULL, NULL, 0, req->timeout_ms > 0 ? req->timeout_ms : 0, err);
  if (!lp->p) {
    if (!*err) *err = strdup("cannot start the process");
    return free(lp), 0;
  }
  lp->id = ++t->next_id, lp->cb = *cb;
  t->ps[t->n++] = lp;
  return lp->id;
}

/* Kills a process; no callback runs for it. */
static void local_cancel(void *self, uint64_t id) {
  localtr *t = self;
  if (id & WS_ID) {
    if (t->ws) t->ws->cancel(t->ws->self, id & ~WS_ID);
    return;
  }
  for (size_t i = 0; i < t->n; i++)
    if (t->ps[i]->id == id) t->ps[i]->dead = true;
  if (!t->in_poll) sweep(t);
}

/* Returns the exec transport's next deadline; processes complete on real I/O. */
static int64_t local_next(void *self, int64_t now) {
  localtr *t = self;
  return t->ws ? t->ws->next_event(t->ws->self, now) : INT64_MAX;
}

/* Returns the pipes of running processes and lowers *wait to their hints. */
static size_t local_fds(void *self, int *fds, size_t max, int64_t *wait) {
  localtr *t = self;
  size_t n = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (t->ps[i]->dead) continue;
    n += proc_fds(t->ps[i]->p, fds + n, max - n);
    int64_t h = proc_wait_hint(t->ps[i]->p);
    if (h < *wait) *wait = h;
  }
  if (t->ws) n += t->ws->fds(t->ws->self, fds + n, max - n, wait);
  return n;
}

/* Delivers every finished process and exec. */
static void local_poll(void *self, int64_t now) {
  localtr *t = self;
  if (t->ws) t->ws->poll(t->ws->self, now);
  t->in_poll++;
  for (size_t i = 0; i < t->n; i++) {
    localproc *lp = t->ps[i];
    if (lp->dead || !proc_poll(lp->p)) continue;
    lp->dead = true;
    const proc_result *r = proc_result_of(lp->p);
    proc_outcome o = {r->status, r->timed_out, r->out ? r->out : "", r->err ? r->err : "", NULL, false, 0};
    lp->cb.on_done(lp->cb.user, &o);
  }
  t->in_poll--;
  if (!t->in_poll) sweep(t);
}

/* Returns the number of running processes. */
static size_t local_pending(void *self) {
  const localtr *t = self;
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) k += !t->ps[i]->dead;
  return k + (t->ws ? t->ws->pending(t->ws->self) : 0);
}

/* Kills everything and frees the transport. */
static void local_free(void *self) {
  localtr *t = self;
  for (size_t i = 0; i < t->n; i++) proc_free(t->ps[i]->p), free(t->ps[i]);
  free(t->ps);
  if (t->ws) t->ws->free(t->ws->self);
  free(t);
}

/* Returns a transport over real processes. */
proc_transport *proc_local_new(char **err) {
  localtr *t = calloc(1, sizeof *t);
  if (!t) return *err = strdup("out of memory"), NULL;
  t->iface = (proc_transport){t, local_start, local_cancel, local_next, local_fds, local_poll, local_pending, local_free};
  return &t->iface;
}
