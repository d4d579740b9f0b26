/* proc_sim.c — the process transport over the simulator (see proc_sim.h). The answer is computed
 * when the process starts (the world moved to that time first, as http_sim does) and delivered
 * from the next poll() at the same virtual time; a process that cannot run (no stub, no such pod,
 * the pod not running) fails at start with the message the action reports. */
#include "proc_sim.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "proc_ws.h"
#include "strutil.h"

/* One answer waiting for poll(). */
typedef struct {
  uint64_t id;
  int64_t due;
  int status;
  char *out, *err;
  proc_callbacks cb;
  bool dead;
} simproc;

typedef struct {
  proc_transport iface;
  sim_world *w;
  int64_t base;
  const json_t *stubs;
  simproc **ps;
  size_t n, cap;
  uint64_t next_id;
  int in_poll;
} proctr;

/* Frees an answer. */
static void sp_free(simproc *p) {
  if (!p) return;
  free(p->out), free(p->err);
  free(p);
}

/* Removes delivered or cancelled answers (outside callbacks only). */
static void sweep(proctr *t) {
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (t->ps[i]->dead) sp_free(t->ps[i]);
    else t->ps[k++] = t->ps[i];
  }
  t->n = k;
}

/* Returns the stub answering argv (borrowed) or NULL: every argv element matches its glob. */
static const json_t *find_stub(const json_t *stubs, const char *const *argv) {
  size_t argc = 0, i;
  while (argv[argc]) argc++;
  json_t *st;
  json_array_foreach(stubs, i, st) {
    json_t *pat = json_object_get(st, "argv");
    if (json_array_size(pat) != argc) continue;
    bool ok = true;
    for (size_t k = 0; ok && k < argc; k++) {
      const char *g = json_string_value(json_array_get(pat, k));
      ok = g && fnmatch(g, argv[k], 0) == 0;
    }
    if (ok) return st;
  }
  return NULL;
}

/* Returns true after running an exec request in the simulated pod (*status, *out, *err_out set);
 * false with *err set when it cannot run. The exec goes through the API server as the WebSocket
 * upgrade that rbk run sends (proc_ws.c), so the request log has the same line. */
static bool exec_in_pod(proctr *t, const proc_request *req, int64_t now, int *status, char **out, char **err_out,
                        char **err) {
  if (now - t->base > sim_now(t->w)) sim_advance(t->w, now - t->base);
  const char *ns = req->ns ? req->ns : "default";
  char *pod = sim_ref_to_pod(t->w, ns, req->ref, err);
  if (!pod) {
    if (!*err) *err = strdup("no pod");
    return false;
  }
  char *target = proc_ws_exec_target(ns, pod, req->container, req->argv);
  free(pod);
  if (!target) return *err = strdup("out of memory"), false;
  char *q = strchr(target, '?');
  *q++ = 0;
  sim_header hs[3] = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Protocol", "v5.channel.k8s.io"}};
  sim_request sr = {"GET", target, q, hs, 3, NULL, 0};
  sim_response r;
  sim_handle(t->w, &sr, &r);
  free(target);
  bool ok = r.status == 101 && r.exec;
  if (ok) {
    *status = r.exec->exit_code;
    *out = r.exec->out, *err_out = r.exec->err;
    r.exec->out = r.exec->err = NULL;
  } else {
    json_t *body = r.body ? json_loads(r.body, 0, NULL) : NULL;
    const char *m = json_string_value(json_object_get(body, "message"));
    *err = strdup(m ? m : "cannot exec in the pod");
    json_decref(body);
  }
  sim_response_clear(&r);
  return ok;
}

/* Starts a process: answers it now, delivers at the next poll. */
static uint64_t psim_start(void *self, const proc_request *req, int64_t now, const proc_callbacks *cb, char **err) {
  proctr *t = self;
  if (!GROW(t->ps, t->cap, t->n + 1)) return *err = strdup("out of memory"), 0;
  simproc *p = calloc(1, sizeof *p);
  if (!p) return *err = strdup("out of memory"), 0;
  if (req->kind == PROC_RUN) {
    const json_t *st = find_stub(t->stubs, req->argv);
    if (!st) {
      sp_free(p);
      return *err = strutil_printf("no stub for argv %s in the rehearsal's scenario", req->shown ? req->shown : "?"), 0;
    }
    const char *o = json_string_value(json_object_get(st, "stdout")), *e = json_string_value(json_object_get(st, "stderr"));
    p->status = (int)json_integer_value(json_object_get(st, "status"));
    p->out = strdup(o ? o : ""), p->err = strdup(e ? e : "");
  } else if (!exec_in_pod(t, req, now, &p->status, &p->out, &p->err, err)) {
    sp_free(p);
    return 0;
  }
  p->id = ++t->next_id, p->due = now, p->cb = *cb;
  t->ps[t->n++] = p;
  return p->id;
}

/* Drops an answer; no callback runs for it. */
static void psim_cancel(void *self, uint64_t id) {
  proctr *t = self;
  for (size_t i = 0; i < t->n; i++)
    if (t->ps[i]->id == id) t->ps[i]->dead = true;
  if (!t->in_poll) sweep(t);
}

/* Returns the earliest due answer. */
static int64_t psim_next(void *self, int64_t now) {
  proctr *t = self;
  int64_t next = INT64_MAX;
  for (size_t i = 0; i < t->n; i++)
    if (!t->ps[i]->dead && t->ps[i]->due < next) next = t->ps[i]->due;
  return next != INT64_MAX && next < now ? now : next;
}

/* Returns no descriptors: nothing runs for real. */
static size_t psim_fds(void *self, int *fds, size_t max, int64_t *wait) {
  (void)self, (void)fds, (void)max, (void)wait;
  return 0;
}

/* Delivers the answers due by now, in start order. */
static void psim_poll(void *self, int64_t now) {
  proctr *t = self;
  t->in_poll++;
  for (size_t i = 0; i < t->n; i++) {
    simproc *p = t->ps[i];
    if (p->dead || p->due > now) continue;
    p->dead = true;
    proc_outcome o = {p->status, false, p->out ? p->out : "", p->err ? p->err : "", NULL, false, 0};
    p->cb.on_done(p->cb.user, &o);
  }
  t->in_poll--;
  if (!t->in_poll) sweep(t);
}

/* Returns the number of answers not yet delivered. */
static size_t psim_pending(void *self) {
  const proctr *t = self;
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) k += !t->ps[i]->dead;
  return k;
}

/* Frees the transport. */
static void psim_free(void *self) {
  proctr *t = self;
  for (size_t i = 0; i < t->n; i++) sp_free(t->ps[i]);
  free(t->ps);
  free(t);
}

/* Returns a transport over the world w. */
proc_transport *proc_sim_new(sim_world *w, int64_t base_ms, const json_t *stubs, char **err) {
  proctr *t = calloc(1, sizeof *t);
  if (!t) return *err = strdup("out of memory"), NULL;
  t->w = w, t->base = base_ms, t->stubs = stubs;
  t->iface = (proc_transport){t, psim_start, psim_cancel, psim_next, psim_fds, psim_poll, psim_pending, psim_free};
  return &t->iface;
}
