/* run_actions.c — the actions of a real run inside the run lock (see run_actions.h).
 *
 * A wrapper around actions_kube: it passes everything through, except that the first kube()
 * handle starts the lock's acquisition and, until that ends, started actions are kept (their
 * arguments referenced) and forwarded from poll() once the lock is held — or failed there with
 * the refusal. Ids of kept actions come from a range of their own (KEPT_ID_BASE and up), so they
 * never collide with the inner actions' ids. */
#include "run_actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actions_kube.h"
#include "grow.h"
#include "lease.h"
#include "scrub.h"

#define KEPT_ID_BASE (UINT64_C(1) << 62)

/* Where the lock stands, once: X(ENUM_SUFFIX, "name"). */
#define RUN_LOCK_STATES(X) X(NONE, "none") X(WAITING, "waiting") X(HELD, "held") X(REFUSED, "refused")

typedef enum {
#define X(k, name) LOCK_##k,
  RUN_LOCK_STATES(X)
#undef X
} lock_state;

/* An action started while the lock was being taken. */
typedef struct {
  uint64_t id, inner;     /* ours; the inner operation once forwarded (0 before) */
  bool kept;              /* still waiting for the lock */
  const sig_info *sig;
  rbk_value *recv;        /* references */
  rbk_value **args;
  size_t nargs;
  int64_t timeout_ms, started;
  bool recheck;
  char *node;
  act_done_fn done;
  void *user;
} kept_call;

typedef struct {
  rbk_actions iface;
  rbk_actions *inner;     /* actions_kube (owned) */
  rbk_clock *clock;
  bool lock_wanted, flush_due;
  lock_state state;
  char *refusal;          /* why the lock was refused */
  rbk_value *cluster;     /* the first kube() handle (a reference) */
  char *runbook_id, *holder;
  lease_opts lo;
  void (*warn)(void *user, const char *message);
  void *warn_user;
  kept_call *calls;
  size_t ncalls, cap;
  uint64_t next_id;
} run_actions;

/* Prints a warning line on stderr (the default warn). */
static void warn_stderr(void *user, const char *message) {
  (void)user;
  char *shown = scrub_line(message);
  fprintf(stderr, "rbk: warning: %s\n", shown ? shown : "out of memory");
  free(shown);
}

/* Releases what a kept call references. */
static void kept_release(kept_call *k) {
  value_unref(k->recv);
  for (size_t i = 0; i < k->nargs; i++) value_unref(k->args[i]);
  free(k->args);
  free(k->node);
  k->recv = NULL, k->args = NULL, k->node = NULL, k->nargs = 0, k->kept = false;
}

/* The lock's acquisition ended (called from the inner poll). */
static void lock_taken(void *user, rbk_value *result, const char *error) {
  run_actions *r = user;
  value_unref(result);
  r->flush_due = true;
  if (error) {
    r->state = LOCK_REFUSED;
    r->refusal = strdup(error);
    return;
  }
  r->state = LOCK_HELD;
  if (!lease_keep(r->inner, r->cluster, &r->lo, r->warn, r->warn_user)) r->warn(r->warn_user, "cannot renew the run lock");
}

/* Starts taking the lock on the first cluster handle `h`. */
static void lock_begin(run_actions *r, rbk_value *h) {
  char *err = NULL;
  r->cluster = value_ref(h);
  r->state = LOCK_WAITING;
  if (lease_start(r->inner, h, LEASE_ACQUIRE, &r->lo, clock_now(r->clock), lock_taken, r, &err)) return;
  r->state = LOCK_REFUSED;
  r->refusal = err ? err : strdup("cannot take the run lock");
}

/* Returns a new handle, starting the lock on the first kube() one. */
static rbk_value *ra_construct(void *self, const sig_info *sig, rbk_value *recv, rbk_value *const *args, char **err) {
  run_actions *r = self;
  rbk_value *h = r->inner->construct(r->inner->self, sig, recv, args, err);
  if (h && sig->id == FN_KUBE && r->lock_wanted && r->state == LOCK_NONE) lock_begin(r, h);
  return h;
}

/* Returns the inner description. */
static char *ra_describe(void *self, const rbk_action_req *req) {
  run_actions *r = self;
  return r->inner->describe(r->inner->self, req);
}

/* Keeps a call until the lock is decided; returns its id, or 0 with *err. */
static uint64_t keep(run_actions *r, const rbk_action_req *req, act_done_fn done, void *user, char **err) {
  if (!GROW(r->calls, r->cap, r->ncalls + 1)) return *err = strdup("out of memory"), 0;
  kept_call k = {++r->next_id, 0, true, req->sig, value_ref(req->recv), calloc(req->nargs + 1, sizeof *k.args),
                 req->nargs, req->timeout_ms, req->now_ms, req->recheck, req->node ? strdup(req->node) : NULL,
                 done, user};
  if (!k.args) return value_unref(k.recv), free(k.node), *err = strdup("out of memory"), 0;
  for (size_t i = 0; i < req->nargs; i++) k.args[i] = req->args[i] ? value_ref(req->args[i]) : NULL;
  r->calls[r->ncalls++] = k;
  return k.id;
}

/* Starts an action: at once, kept while the lock is being taken, or refused. */
static uint64_t ra_start(void *self, const rbk_action_req *req, act_done_fn done, void *user, char **err) {
  run_actions *r = self;
  if (r->state == LOCK_WAITING) return keep(r, req, done, user, err);
  if (r->state == LOCK_REFUSED) return *err = strdup(r->refusal ? r->refusal : "the run lock was refused"), 0;
  return r->inner->start(r->inner->self, req, done, user, err);
}

/* Sends a notification (never held back by the lock). */
static uint64_t ra_notify(void *self, rbk_value *ch, const char *text, int64_t now, act_done_fn done, void *user,
                          char **err) {
  run_actions *r = self;
  return r->inner->notify(r->inner->self, ch, text, now, done, user, err);
}

/* Returns the kept call with our id, or NULL. */
static kept_call *find_kept(run_actions *r, uint64_t id) {
  for (size_t i = 0; i < r->ncalls; i++)
    if (r->calls[i].id == id) return &r->calls[i];
  return NULL;
}

/* Cancels an operation, kept or forwarded. */
static void ra_cancel(void *self, uint64_t op) {
  run_actions *r = self;
  if (op < KEPT_ID_BASE) return r->inner->cancel(r->inner->self, op);
  kept_call *k = find_kept(r, op);
  if (!k) return;
  if (k->kept) kept_release(k);
  else if (k->inner) r->inner->cancel(r->inner->self, k->inner);
  k->inner = 0, k->done = NULL;
}

/* Forwards (lock held) or fails (refused) kept call i; may re-enter the engine through done. */
static void flush_one(run_actions *r, size_t i) {
  kept_call *k = &r->calls[i];
  int64_t now = clock_now(r->clock), left = k->timeout_ms > 0 ? k->timeout_ms - (now - k->started) : k->timeout_ms;
  rbk_action_req req = {k->sig, k->recv, k->args, k->nargs, k->timeout_ms > 0 && left < 1 ? 1 : left, now,
                        k->recheck, k->node};
  act_done_fn done = k->done;
  void *user = k->user;
  char *err = NULL;
  uint64_t id = r->state == LOCK_HELD ? r->inner->start(r->inner->self, &req, done, user, &err) : 0;
  k = &r->calls[i];
  kept_release(k);
  k->inner = id;
  if (id) return;
  const char *why = r->state == LOCK_HELD ? (err ? err : "could not start") : r->refusal;
  done(user, NULL, why ? why : "the run lock was refused");
  free(err);
}

/* Forwards or fails every kept call once the lock is decided. */
static void flush(run_actions *r) {
  r->flush_due = false;
  for (size_t i = 0; i < r->ncalls; i++)
    if (r->calls[i].kept) flush_one(r, i);
}

/* Returns the inner next event. */
static int64_t ra_next_event(void *self, int64_t now) {
  run_actions *r = self;
  return r->flush_due ? now : r->inner->next_event(r->inner->self, now);
}

/* Polls the inner actions, then forwards what waited for the lock. */
static void ra_poll(void *self, int64_t now, int64_t max_wait) {
  run_actions *r = self;
  r->inner->poll(r->inner->self, now, r->flush_due ? 0 : max_wait);
  if (r->flush_due) flush(r);
}

/* Frees the wrapper and the inner actions. */
static void ra_free(void *self) {
  run_actions *r = self;
  lease_stop(r->inner);
  for (size_t i = 0; i < r->ncalls; i++) kept_release(&r->calls[i]);
  free(r->calls);
  value_unref(r->cluster);
  r->inner->free(r->inner->self);
  free(r->refusal), free(r->runbook_id), free(r->holder);
  free(r);
}

/* Returns a jitter seed that differs between runs. */
static uint64_t real_seed(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
}

/* Returns the actions of a real run (see run_actions.h). */
rbk_actions *run_actions_new(const run_actions_opts *o, char **err) {
  run_actions *r = calloc(1, sizeof *r);
  if (!r) return *err = strdup("out of memory"), NULL;
  http_transport *tr = http_curl_new(err);
  proc_transport *pt = tr ? proc_local_new(err) : NULL;
  if (!pt && tr) tr->free(tr->self);
  actions_kube_config cfg = {.http = tr, .procs = pt, .kubeconfig = o->kubeconfig, .context = o->context,
                             .wall_base_ms = -1, .seed = real_seed(), .max_response = o->max_response};
  r->inner = pt ? actions_kube_new(&cfg, err) : NULL;
  r->runbook_id = strdup(o->runbook_id ? o->runbook_id : "run");
  r->holder = strdup(o->holder ? o->holder : "rbk");
  if (!r->inner || !r->runbook_id || !r->holder) {
    if (r->inner) r->inner->free(r->inner->self);
    else if (!*err) *err = strdup("out of memory");
    free(r->runbook_id), free(r->holder), free(r);
    return NULL;
  }
  r->clock = o->clock, r->lock_wanted = o->lock, r->next_id = KEPT_ID_BASE;
  r->lo = (lease_opts){.runbook_id = r->runbook_id, .holder = r->holder, .steal = o->steal_lock};
  r->warn = o->warn ? o->warn : warn_stderr, r->warn_user = o->warn_user;
  r->iface = (rbk_actions){r, ra_construct, ra_describe, ra_start, ra_notify, ra_cancel, ra_next_event, ra_poll, ra_free};
  return &r->iface;
}

/* Stops renewing and releases the lock when held. */
bool run_actions_release(rbk_actions *a, char **err) {
  run_actions *r = a->self;
  if (r->state != LOCK_HELD) return true;
  lease_stop(r->inner);
  r->state = LOCK_NONE;
  int64_t now = clock_now(r->clock);
  lease_opts lo = r->lo;
  lo.timeout_ms = RUN_ACTIONS_RELEASE_MS; /* the run has ended: its exit waits no longer than this */
  return lease_run(r->inner, r->cluster, LEASE_RELEASE, &lo, &now, false, err);
}

/* Returns the runbook id for the lock. */
char *run_actions_runbook_id(const char *runbook_id, const char *plan_file) {
  if (runbook_id && *runbook_id) return strdup(runbook_id);
  const char *base = plan_file ? strrchr(plan_file, '/') : NULL;
  base = base ? base + 1 : plan_file ? plan_file : "run";
  size_t n = strlen(base);
  if (n > 4 && !strcmp(base + n - 4, ".rbk")) n -= 4;
  return strndup(base, n);
}
