/* kube_wait.c — wait_deleted and wait_ready: kubectl wait's list + watch, over every object of a
 * kind matching a label selector. wait_ready means condition Ready=True (case-insensitive; pods
 * and most kinds), Available=True with every replica updated and available (deployments), or
 * Complete=True (jobs). No matching object: wait_deleted is done, wait_ready fails like kubectl
 * ("no matching resources found"). At the deadline: "timed out waiting for the condition on
 * pods/x" naming one object still waited for. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kube.h"

typedef struct {
  const kube_kind *kind;
  char *coll, *sel_q;   /* collection path; "labelSelector=…" or "" */
  json_t *objs;         /* name → object */
  bool ready;           /* wait_ready (else wait_deleted) */
} wt_state;

/* Frees the state. */
static void wt_free(void *p) {
  wt_state *s = p;
  free(s->coll), free(s->sel_q);
  json_decref(s->objs);
  free(s);
}

/* Returns the op's state. */
static wt_state *wt(kube_op *op) { return kube_state(op, sizeof(wt_state), wt_free); }

/* Returns true when o has condition type (case-insensitive) with status True. */
static bool cond_true(const json_t *o, const char *type) {
  size_t i;
  json_t *c;
  json_array_foreach(kube_at2(o, "status", "conditions"), i, c) {
    const char *t = json_string_value(json_object_get(c, "type")), *st = json_string_value(json_object_get(c, "status"));
    if (t && st && !strcasecmp(t, type) && !strcmp(st, "True")) return true;
  }
  return false;
}

/* Returns true when an object counts as ready. */
static bool is_ready(const kube_kind *k, const json_t *o) {
  if (k->id == KK_JOB) return cond_true(o, "Complete");
  if (k->id == KK_DEPLOYMENT) {
    json_t *r = kube_at2(o, "spec", "replicas");
    json_int_t want = r ? json_integer_value(r) : 1;
    return cond_true(o, "Available") && json_integer_value(kube_at2(o, "status", "updatedReplicas")) >= want &&
           json_integer_value(kube_at2(o, "status", "availableReplicas")) >= want;
  }
  return cond_true(o, "Ready");
}

/* Returns the name of an object still waited for (borrowed), or NULL when the wait is over. */
static const char *pending(wt_state *s) {
  const char *name;
  json_t *o;
  json_object_foreach(s->objs, name, o) if (!s->ready || !is_ready(s->kind, o)) return name;
  return NULL;
}

/* Finishes the op when the condition holds. */
static void check(kube_op *op) {
  if (!pending(wt(op))) kube_op_finish(op, NULL);
}

/* Handles one watch event. */
static void on_event(kube_op *op, const char *type, json_t *obj) {
  const char *name = json_string_value(kube_at2(obj, "metadata", "name"));
  if (!name) return;
  if (!strcmp(type, "DELETED")) json_object_del(wt(op)->objs, name);
  else if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED")) json_object_set(wt(op)->objs, name, obj);
  else return;
  check(op);
}

static void relist(kube_op *op);

/* The watch ended: list again. */
static void ended(kube_op *op, const kube_resp *r) {
  (void)r;
  relist(op);
}

/* Records the listed objects; done, or watch from the list's resourceVersion. */
static void listed(kube_op *op, const kube_resp *r) {
  wt_state *s = wt(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->coll, r);
  json_object_clear(s->objs);
  size_t i;
  json_t *o;
  json_array_foreach(json_object_get(r->json, "items"), i, o) {
    const char *name = json_string_value(kube_at2(o, "metadata", "name"));
    if (name) json_object_set(s->objs, name, o);
  }
  if (s->ready && !json_object_size(s->objs)) return kube_op_fail(op, "no matching resources found");
  if (!pending(s)) return kube_op_finish(op, NULL);
  const char *rv = json_string_value(kube_at2(r->json, "metadata", "resourceVersion"));
  int64_t left = kube_op_left(op) / 1000;
  if (left > 300 || left <= 0) left = 300;
  char *url = strutil_printf("%s?allowWatchBookmarks=true%s%s&resourceVersion=%s&timeoutSeconds=%lld&watch=true", s->coll,
                        *s->sel_q ? "&" : "", s->sel_q, rv ? rv : "", (long long)left);
  if (url) kube_op_watch(op, url, on_event, ended);
  free(url);
}

/* Lists the matching objects. */
static void relist(kube_op *op) {
  wt_state *s = wt(op);
  char *url = strutil_printf("%s%s%s", s->coll, *s->sel_q ? "?" : "", s->sel_q);
  if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, listed);
  free(url);
}

/* At the deadline: kubectl's words. */
static void timed_out(kube_op *op) {
  wt_state *s = wt(op);
  const char *name = pending(s);
  kube_op_fail(op, "timed out waiting for the condition on %s/%s", s->kind->plural, name ? name : "?");
}

/* Starts a wait. */
static bool start(kube_op *op, const rbk_action_req *req, bool ready) {
  wt_state *s = wt(op);
  if (!(s->kind = kube_arg_kind(op, req))) return false;
  char *sel = kube_selector(kube_arg(req, "selector")), *esc = sel ? kube_kinds_query_escape(sel) : NULL;
  s->sel_q = esc ? strutil_printf("labelSelector=%s", esc) : strdup("");
  free(sel), free(esc);
  s->coll = kube_kinds_path(s->kind, op->conn->ns, NULL);
  s->objs = json_object();
  s->ready = ready;
  op->on_deadline = timed_out;
  relist(op);
  return true;
}

/* Starts wait_deleted(kind, selector:, timeout:). */
bool kube_wait_deleted(kube_op *op, const rbk_action_req *req) { return start(op, req, false); }

/* Starts wait_ready(kind, selector:, timeout:). */
bool kube_wait_ready(kube_op *op, const rbk_action_req *req) { return start(op, req, true); }
