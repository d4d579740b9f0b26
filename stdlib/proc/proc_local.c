/* proc_local.c — the process transport over real processes (see proc_transport.h): run() spawns
 * argv through base/proc.h; exec spawns `kubectl exec` with the cluster's kubeconfig and context
 * (Debian's libcurl has no WebSocket client for the exec subresource). */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "proc.h"
#include "proc_transport.h"

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
} localtr;

/* Returns the name of a kind. */
const char *proc_kind_name(proc_kind k) {
  switch (k) {
#define X(e, name) case PROC_##e: return name;
    PROC_KINDS(X)
#undef X
  }
  return "?";
}

/* Returns kubectl's argv for an exec request (caller frees the array, not the strings), or NULL. */
static const char **kubectl_argv(const proc_request *req) {
  size_t argc = 0;
  while (req->argv[argc]) argc++;
  const char **a = calloc(argc + 16, sizeof *a);
  if (!a) return NULL;
  size_t n = 0;
  a[n++] = "kubectl";
  if (req->kubeconfig) a[n++] = "--kubeconfig", a[n++] = req->kubeconfig;
  if (req->context && strcmp(req->context, "in-cluster")) a[n++] = "--context", a[n++] = req->context;
  a[n++] = "-n", a[n++] = req->ns ? req->ns : "default";
  a[n++] = "exec", a[n++] = req->ref;
  if (req->container) a[n++] = "-c", a[n++] = req->container;
  a[n++] = "--";
  for (size_t i = 0; i < argc; i++) a[n++] = req->argv[i];
  return a;
}

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
  (void)now;
  localtr *t = self;
  if (!GROW(t->ps, t->cap, t->n + 1)) return *err = strdup("out of memory"), 0;
  const char **kargv = req->kind == PROC_EXEC ? kubectl_argv(req) : NULL;
  if (req->kind == PROC_EXEC && !kargv) return *err = strdup("out of memory"), 0;
  localproc *lp = calloc(1, sizeof *lp);
  if (!lp) return free(kargv), *err = strdup("out of memory"), 0;
  lp->p = proc_spawn(kargv ? kargv : req->argv, NULL, NULL, 0, req->timeout_ms > 0 ? req->timeout_ms : 0, err);
  free(kargv);
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
  for (size_t i = 0; i < t->n; i++)
    if (t->ps[i]->id == id) t->ps[i]->dead = true;
  if (!t->in_poll) sweep(t);
}

/* Returns INT64_MAX: completions depend on real I/O. */
static int64_t local_next(void *self, int64_t now) {
  (void)self, (void)now;
  return INT64_MAX;
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
  return n;
}

/* Delivers every finished process. */
static void local_poll(void *self, int64_t now) {
  (void)now;
  localtr *t = self;
  t->in_poll++;
  for (size_t i = 0; i < t->n; i++) {
    localproc *lp = t->ps[i];
    if (lp->dead || !proc_poll(lp->p)) continue;
    lp->dead = true;
    const proc_result *r = proc_result_of(lp->p);
    proc_outcome o = {r->status, r->timed_out, r->out ? r->out : "", r->err ? r->err : ""};
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
  return k;
}

/* Kills everything and frees the transport. */
static void local_free(void *self) {
  localtr *t = self;
  for (size_t i = 0; i < t->n; i++) proc_free(t->ps[i]->p), free(t->ps[i]);
  free(t->ps);
  free(t);
}

/* Returns a transport over real processes. */
proc_transport *proc_local_new(char **err) {
  localtr *t = calloc(1, sizeof *t);
  if (!t) return *err = strdup("out of memory"), NULL;
  t->iface = (proc_transport){t, local_start, local_cancel, local_next, local_fds, local_poll, local_pending, local_free};
  return &t->iface;
}
