/* lease.c — the run lock over a Lease (see lease.h). */
#include "lease.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions_kube_int.h"
#include "procid.h"

#define RENEW_EVERY_MS 20000

typedef struct {
  lease_verb verb;
  char *name, *holder, *path, *coll;
  int duration;
  bool steal;
  json_t *cur;
} ls_state;

/* The background renewer. */
typedef struct {
  rbk_value *cluster;
  lease_opts o;
  char *rid, *holder;
  int64_t next;
  uint64_t op;
  void (*warn)(void *, const char *);
  void *user;
} ls_keeper;

/* Frees the state. */
static void ls_free(void *p) {
  ls_state *s = p;
  free(s->name), free(s->holder), free(s->path), free(s->coll);
  json_decref(s->cur);
  free(s);
}

/* Returns the op's state. */
static ls_state *ls(kube_op *op) { return op->st; }

/* Returns the lease name for a runbook id ("rbk-" + the id in DNS-label characters). Caller frees. */
char *lease_name(const char *id) {
  char *s = strutil_printf("rbk-%.59s", id ? id : "run");
  for (char *p = s ? s + 4 : NULL; p && *p; p++) *p = isalnum((unsigned char)*p) || *p == '.' ? (char)tolower((unsigned char)*p) : '-';
  return s;
}

/* Writes the MicroTime of now into out[40]. */
static void micro_now(kube_op *op, char out[40]) {
  int64_t ms = kube_op_rt_wall(op->rt);
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char base[24];
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out, 40, "%s.%06dZ", base, (int)(ms % 1000) * 1000);
}

/* Returns epoch ms of a MicroTime, or 0. */
static int64_t micro_ms(const char *s) {
  struct tm tm = {0};
  if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) return 0;
  tm.tm_year -= 1900, tm.tm_mon -= 1;
  return (int64_t)timegm(&tm) * 1000;
}

/* Returns spec.key of the lease (borrowed). */
static json_t *spec(const json_t *l, const char *key) { return json_object_get(json_object_get(l, "spec"), key); }

/* Finishes with {lease, holder, acquired_at}. */
static void ok(kube_op *op, const json_t *l) {
  const char *acq = json_string_value(spec(l, "acquireTime"));
  json_t *r = json_pack("{sssss?}", "lease", ls(op)->name, "holder", ls(op)->holder, "acquired_at", acq);
  kube_finish_json(op, r);
  json_decref(r);
}

/* The PUT (renew or take over) answer. */
static void put_done(kube_op *op, const kube_resp *r) {
  ls_state *s = ls(op);
  if (r->status == 409) return kube_op_fail(op, "run lock %s: another holder took it at the same time", s->name);
  if (r->status != 200) return kube_op_fail_resp(op, "PUT", s->path, r);
  ok(op, r->json);
}

/* PUTs the lease with our holder and a new renewTime (take over: new acquireTime, transitions+1). */
static void put_lease(kube_op *op, bool takeover) {
  ls_state *s = ls(op);
  char now[40];
  micro_now(op, now);
  json_t *l = json_deep_copy(s->cur), *sp = json_object_get(l, "spec");
  json_object_set_new(sp, "renewTime", json_string(now));
  if (takeover) {
    json_object_set_new(sp, "holderIdentity", json_string(s->holder));
    json_object_set_new(sp, "acquireTime", json_string(now));
    json_object_set_new(sp, "leaseDurationSeconds", json_integer(s->duration));
    json_object_set_new(sp, "leaseTransitions", json_integer(json_integer_value(json_object_get(sp, "leaseTransitions")) + 1));
  }
  char *body = json_dumps(l, JSON_COMPACT);
  json_decref(l);
  kube_op_request(op, "PUT", s->path, "application/json", body, KRETRY_UNSENT, put_done);
  free(body);
}

/* The DELETE answer. */
static void deleted(kube_op *op, const kube_resp *r) {
  if (r->status == 200 || r->status == 404 || r->status == 202) return kube_op_finish(op, NULL);
  kube_op_fail_resp(op, "DELETE", ls(op)->path, r);
}

/* Sets *dead when holder `h` is an rbk process of this host that no longer lives (its pid is gone
 * or the host rebooted), *live_here when it is one that lives, *same_run when it runs the same
 * run id as `mine` (a resume). */
static void holder_facts(const char *mine, const char *h, bool *dead, bool *live_here, bool *same_run) {
  procid_holder them, us;
  if (!procid_parse(h, &them)) return;
  *dead = !procid_alive(them.host, them.pid, them.boot);
  if (procid_parse(mine, &us)) {
    *same_run = !strcmp(us.run_id, them.run_id);
    *live_here = !*dead && !strcmp(us.host, them.host);
    procid_holder_free(&us);
  }
  procid_holder_free(&them);
}

/* Decides from the lease as read. */
static void got(kube_op *op, const kube_resp *r) {
  ls_state *s = ls(op);
  if (r->status == 404 && s->verb == LEASE_RELEASE) return kube_op_finish(op, NULL);
  if (r->status == 404 && s->verb == LEASE_RENEW) return kube_op_fail(op, "run lock %s has disappeared", s->name);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->path, r);
  json_decref(s->cur);
  s->cur = json_incref(r->json);
  const char *h = json_string_value(spec(r->json, "holderIdentity"));
  bool mine = h && !strcmp(h, s->holder);
  if (s->verb == LEASE_RELEASE) {
    if (!mine) return kube_op_finish(op, NULL);
    const char *rv = json_string_value(json_object_get(json_object_get(r->json, "metadata"), "resourceVersion"));
    char *body = strutil_printf("{\"propagationPolicy\":\"Background\",\"preconditions\":{\"resourceVersion\":\"%s\"}}", rv ? rv : "");
    kube_op_request(op, "DELETE", s->path, "application/json", body, KRETRY_UNSENT, deleted);
    return free(body);
  }
  if (mine) return put_lease(op, false);
  const char *acq = json_string_value(spec(r->json, "acquireTime")), *ren = json_string_value(spec(r->json, "renewTime"));
  int64_t dur = json_integer_value(spec(r->json, "leaseDurationSeconds"));
  bool expired = micro_ms(ren) + dur * 1000 < kube_op_rt_wall(op->rt);
  if (s->verb == LEASE_RENEW) return kube_op_fail(op, "run lock %s was taken over by %s", s->name, h ? h : "?");
  bool dead = false, live_here = false, same_run = false;
  holder_facts(s->holder, h, &dead, &live_here, &same_run);
  if (dead || (expired && (s->steal || same_run))) return put_lease(op, true);
  if (same_run && live_here)
    return kube_op_fail(op, "run lock %s is held by %s, which is still running this run: it cannot be resumed while it runs",
                        s->name, h);
  kube_op_fail(op, "run lock %s is held by %s since %s (renewed %s)%s", s->name, h ? h : "?", acq ? acq : "?", ren ? ren : "?",
               expired ? "; it has expired: --steal-lock takes it over"
                   : s->steal ? "; it is still being renewed: --steal-lock takes only an expired lock" : "");
}

/* Reads the lease. */
static void read_lease(kube_op *op) { kube_op_request(op, "GET", ls(op)->path, NULL, NULL, KRETRY_READ, got); }

/* The POST answer: created, or read the holder. */
static void created(kube_op *op, const kube_resp *r) {
  if (r->status == 201 || r->status == 200) return ok(op, r->json);
  if (r->status == 409) return read_lease(op);
  kube_op_fail_resp(op, "POST", ls(op)->coll, r);
}

/* Verify hook after a failed POST: read the lease and decide as after a 409. */
static void create_verify(kube_op *op) {
  kube_op_cancel_requests(op);
  read_lease(op);
}

/* POSTs a new lease. */
static void create(kube_op *op) {
  ls_state *s = ls(op);
  char now[40];
  micro_now(op, now);
  json_t *l = json_pack("{sssss{ss}s{sssisssssi}}", "apiVersion", "coordination.k8s.io/v1", "kind", "Lease", "metadata", "name",
                        s->name, "spec", "holderIdentity", s->holder, "leaseDurationSeconds", s->duration, "acquireTime", now,
                        "renewTime", now, "leaseTransitions", 0);
  char *body = json_dumps(l, JSON_COMPACT);
  json_decref(l);
  op->verify = create_verify;
  kube_op_request(op, "POST", s->coll, "application/json", body, KRETRY_VERIFY, created);
  free(body);
}

/* Starts a lease operation. */
uint64_t lease_start(rbk_actions *a, rbk_value *cluster, lease_verb verb, const lease_opts *o, int64_t now_ms,
                     act_done_fn done, void *user, char **err) {
  akube *ak = actions_kube_of(a);
  kube_conn *c = actions_kube_conn(cluster);
  if (!ak || !c || !c->ns) return *err = strdup("the run lock needs a kube() cluster"), 0;
  if (now_ms > ak->rt.now) ak->rt.now = now_ms;
  ls_state *s = calloc(1, sizeof *s);
  if (!s) return *err = strdup("out of memory"), 0;
  s->verb = verb, s->name = lease_name(o->runbook_id), s->holder = strdup(o->holder ? o->holder : "rbk");
  s->duration = o->duration_s > 0 ? o->duration_s : 60, s->steal = o->steal;
  const kube_kind *k = kube_kinds_get(KK_LEASE);
  s->path = kube_kinds_path(k, c->ns, s->name), s->coll = kube_kinds_path(k, c->ns, NULL);
  char *what = strutil_printf("lease/%s", s->name);
  kube_op *op = kube_op_new(&ak->rt, c, NULL, o->timeout_ms > 0 ? o->timeout_ms : 30000, what, done, user);
  free(what);
  if (!op) return ls_free(s), *err = strdup("out of memory"), 0;
  op->st = s, op->st_free = ls_free;
  if (verb == LEASE_ACQUIRE) create(op);
  else read_lease(op);
  return op->id;
}

/* An outcome for lease_run. */
typedef struct {
  bool done;
  char *err;
} ls_outcome;

/* Records an outcome. */
static void run_done(void *user, rbk_value *r, const char *e) {
  ls_outcome *o = user;
  value_unref(r);
  o->done = true, o->err = e ? strdup(e) : NULL;
}

/* Returns the monotonic ms since an arbitrary start. */
static int64_t mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs a lease operation to completion. */
bool lease_run(rbk_actions *a, rbk_value *cluster, lease_verb verb, const lease_opts *o, int64_t *now_ms,
               bool virtual_time, char **err) {
  ls_outcome out = {0};
  int64_t t0 = mono(), base = *now_ms;
  if (!lease_start(a, cluster, verb, o, *now_ms, run_done, &out, err)) return false;
  while (!out.done) {
    if (virtual_time) {
      int64_t t = a->next_event(a->self, *now_ms);
      if (t == INT64_MAX) break;
      if (t > *now_ms) *now_ms = t;
      a->poll(a->self, *now_ms, 0);
    } else {
      *now_ms = base + (mono() - t0);
      a->poll(a->self, *now_ms, 200);
    }
  }
  if (!out.done) return *err = strdup("the run lock operation did not finish"), false;
  if (out.err) return *err = out.err, false;
  return true;
}

/* A renewal ended. */
static void renewed(void *user, rbk_value *r, const char *e) {
  ls_keeper *k = user;
  value_unref(r);
  k->op = 0;
  if (e && k->warn) k->warn(k->user, e);
}

/* Starts a renewal when one is due (the actions' poll hook). */
static void keep_poll(kube_rt *rt) {
  ls_keeper *k = rt->extra;
  if (!k || k->op || rt->now < k->next) return;
  akube *ak = (akube *)((char *)rt - offsetof(akube, rt));
  char *err = NULL;
  k->next = rt->now + RENEW_EVERY_MS;
  k->op = lease_start(&ak->iface, k->cluster, LEASE_RENEW, &k->o, rt->now, renewed, k, &err);
  if (!k->op && k->warn) k->warn(k->user, err ? err : "cannot renew the run lock");
  free(err);
}

/* Returns when the next renewal is due (real clocks only: virtual runs renew as time passes). */
static int64_t keep_next(kube_rt *rt) {
  ls_keeper *k = rt->extra;
  return k && !k->op && !rt->virtual_time ? k->next : INT64_MAX;
}

/* Frees the keeper when the actions are freed. */
static void keep_free(kube_rt *rt) {
  ls_keeper *k = rt->extra;
  if (!k) return;
  value_unref(k->cluster);
  free(k->rid), free(k->holder), free(k);
  rt->extra = NULL, rt->extra_poll = NULL, rt->extra_next = NULL, rt->extra_free = NULL;
}

/* Starts renewing in the background. */
bool lease_keep(rbk_actions *a, rbk_value *cluster, const lease_opts *o, void (*warn)(void *, const char *), void *user) {
  akube *ak = actions_kube_of(a);
  if (!ak || ak->rt.extra) return false;
  ls_keeper *k = calloc(1, sizeof *k);
  if (!k) return false;
  k->cluster = value_ref(cluster), k->o = *o;
  k->rid = strdup(o->runbook_id ? o->runbook_id : "run"), k->holder = strdup(o->holder ? o->holder : "rbk");
  k->o.runbook_id = k->rid, k->o.holder = k->holder;
  k->next = ak->rt.now + RENEW_EVERY_MS, k->warn = warn, k->user = user;
  ak->rt.extra = k, ak->rt.extra_poll = keep_poll, ak->rt.extra_next = keep_next, ak->rt.extra_free = keep_free;
  return true;
}

/* Stops renewing. */
void lease_stop(rbk_actions *a) {
  akube *ak = actions_kube_of(a);
  ls_keeper *k = ak ? ak->rt.extra : NULL;
  if (!k) return;
  if (k->op) kube_op_cancel(&ak->rt, k->op);
  keep_free(&ak->rt);
}
