/* kube_rollout.c — rollout_undo and rollout_restart, with kubectl's requests and decisions
 * (kubernetes-api.md): reads retry; the one PATCH, when it fails or its answer is lost, is taken
 * as done when a re-read shows the intended template live (undo: the target revision's template;
 * restart: our restartedAt), repeated when nobody changed the deployment (resourceVersion as
 * first read), else the op fails with "outcome unknown: …" (KRETRY_VERIFY). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube.h"

/* The state of an undo or restart. */
typedef struct {
  kube_ref ref;
  char *path;
  json_t *dep;          /* the deployment as read */
  json_t *target;       /* undo: the target ReplicaSet */
  long to_revision;
  char stamp[32];       /* restart: restartedAt */
} ro_state;

/* Frees the state. */
static void ro_free(void *p) {
  ro_state *s = p;
  kube_kinds_ref_clear(&s->ref);
  free(s->path);
  json_decref(s->dep), json_decref(s->target);
  free(s);
}

/* Returns the op's state. */
static ro_state *ro(kube_op *op) { return kube_state(op, sizeof(ro_state), ro_free); }

/* Returns the first container image of a workload's template (borrowed) or NULL. */
static const char *image_of(const json_t *o) {
  json_t *containers = json_object_get(json_object_get(kube_at2(o, "spec", "template"), "spec"), "containers");
  return json_string_value(json_object_get(json_array_get(containers, 0), "image"));
}

/* Returns true when the revision-history annotation of rs lists rev (any rev when rev < 0). */
static bool history_has(const json_t *rs, long rev) {
  const char *h = json_string_value(kube_at2(rs, "metadata", "annotations") ? json_object_get(kube_at2(rs, "metadata", "annotations"),
                                    "deployment.kubernetes.io/revision-history") : NULL);
  if (!h || !*h) return false;
  if (rev < 0) return true;
  for (const char *p = h; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
    if (atol(p) == rev) return true;
  return false;
}

/* ---- undo ---- */

static const char *const keep_from_deployment[] = {
    "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to", NULL};

/* Returns true when key is one the deployment keeps. */
static bool kept(const char *key) {
  for (int i = 0; keep_from_deployment[i]; i++)
    if (!strcmp(key, keep_from_deployment[i])) return true;
  return false;
}

/* Returns the annotations kubectl writes: the deployment's kept ones, the rest from the RS. */
static json_t *undo_annotations(const json_t *dep, const json_t *rs) {
  json_t *out = json_object(), *v;
  const char *k;
  json_object_foreach(kube_at2(dep, "metadata", "annotations"), k, v) if (kept(k)) json_object_set(out, k, v);
  json_object_foreach(kube_at2(rs, "metadata", "annotations"), k, v) if (!kept(k)) json_object_set(out, k, v);
  return out;
}

/* Finishes an undo with its result object. */
static void undo_result(kube_op *op, bool skipped, const char *message) {
  ro_state *s = ro(op);
  json_t *r = json_pack("{sbsIssss?ss?}", "skipped", skipped, "revision", (json_int_t)kube_revision(s->target), "message",
                        message, "replicaset", json_string_value(kube_at2(s->target, "metadata", "name")), "image",
                        image_of(s->target));
  kube_finish_json(op, r);
  json_decref(r);
}

/* After the PATCH: rolled back. */
static void undo_patched(kube_op *op, const kube_resp *r) {
  ro_state *s = ro(op);
  if (r->status != 200) return kube_op_fail_resp(op, "PATCH", s->path, r);
  char *m = strutil_printf("deployment.apps/%s rolled back", s->ref.name);
  undo_result(op, false, m);
  free(m);
}

/* Verify hook's answer: applied, safe to repeat, or unknown. */
static void undo_verified(kube_op *op, const kube_resp *r) {
  ro_state *s = ro(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->path, r);
  json_t *tmpl = kube_at2(r->json, "spec", "template");
  if (kube_template_equal(tmpl, kube_at2(s->target, "spec", "template"))) {
    char *m = strutil_printf("deployment.apps/%s rolled back", s->ref.name);
    undo_result(op, false, m);
    free(m);
  } else if (!strcmp(kube_rv(r->json), kube_rv(s->dep))) kube_op_repeat(op);
  else kube_op_unknown(op, "the live template is not revision %ld's and the deployment changed meanwhile (resourceVersion %s → %s)",
                       kube_revision(s->target), kube_rv(s->dep), kube_rv(r->json));
}

/* Verify hook: re-reads the deployment. */
static void undo_verify(kube_op *op) { kube_op_request(op, "GET", ro(op)->path, NULL, NULL, KRETRY_READ, undo_verified); }

/* Sends the one json-patch. */
static void undo_patch(kube_op *op) {
  ro_state *s = ro(op);
  json_t *ann = undo_annotations(s->dep, s->target);
  json_t *patch = json_pack("[{sssss o}{sssssO}]", "op", "replace", "path", "/spec/template", "value",
                            kube_template_clean(kube_at2(s->target, "spec", "template")), "op", "replace", "path",
                            "/metadata/annotations", "value", ann);
  json_decref(ann);
  char *body = json_dumps(patch, JSON_COMPACT);
  json_decref(patch);
  op->verify = undo_verify;
  if (body) kube_op_request(op, "PATCH", s->path, "application/json-patch+json", body, KRETRY_VERIFY, undo_patched);
  else kube_op_fail(op, "out of memory");
  free(body);
}

/* Returns the target ReplicaSet (borrowed) or NULL after failing op. */
static json_t *undo_target(kube_op *op, json_t *owned) {
  ro_state *s = ro(op);
  size_t n = json_array_size(owned);
  if (s->to_revision > 0) {
    for (size_t i = 0; i < n; i++)
      if (kube_revision(json_array_get(owned, i)) == s->to_revision) return json_array_get(owned, i);
    return kube_op_fail(op, "unable to find specified revision %ld in history", s->to_revision), NULL;
  }
  if (n < 2) return kube_op_fail(op, "no rollout history found for deployment \"%s\"", s->ref.name), NULL;
  return json_array_get(owned, n - 2);
}

/* Returns true when a resumed undo already took effect (then op is finished). */
static bool undo_rechecked(kube_op *op, json_t *owned) {
  ro_state *s = ro(op);
  json_t *cur = NULL;
  for (size_t i = 0; i < json_array_size(owned); i++)
    if (kube_template_equal(kube_at2(json_array_get(owned, i), "spec", "template"), kube_at2(s->dep, "spec", "template")))
      cur = json_array_get(owned, i);
  long max = kube_revision(json_array_get(owned, json_array_size(owned) - 1));
  if (!cur || kube_revision(cur) != max || !history_has(cur, s->to_revision > 0 ? s->to_revision : -1)) return false;
  s->target = json_incref(cur);
  char *m = strutil_printf("already rolled back: revision %ld restores an earlier revision (resumed run)", max);
  undo_result(op, true, m);
  free(m);
  return true;
}

/* Chooses the target from the ReplicaSets and patches, or skips. */
static void undo_rs(kube_op *op, const kube_resp *r) {
  ro_state *s = ro(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", "replicasets", r);
  json_t *owned = kube_owned_sorted(json_object_get(r->json, "items"), json_string_value(kube_at2(s->dep, "metadata", "uid")));
  if (op->recheck && json_array_size(owned) && undo_rechecked(op, owned)) return (void)json_decref(owned);
  json_t *t = undo_target(op, owned);
  if (t) {
    s->target = json_incref(t);
    if (kube_template_equal(kube_at2(t, "spec", "template"), kube_at2(s->dep, "spec", "template"))) {
      char *m = strutil_printf("skipped rollback (current template already matches revision %ld)", kube_revision(t));
      undo_result(op, true, m);
      free(m);
    } else undo_patch(op);
  }
  json_decref(owned);
}

/* Reads the deployment, then its ReplicaSets. */
static void undo_dep(kube_op *op, const kube_resp *r) {
  ro_state *s = ro(op);
  if (r->status != 200 || !json_is_object(r->json)) return kube_op_fail_resp(op, "GET", s->path, r);
  if (json_is_true(kube_at2(r->json, "spec", "paused"))) return kube_op_fail(op, "you cannot rollback a paused deployment; resume it first");
  s->dep = json_incref(r->json);
  char *sel = kube_label_selector(kube_at2(r->json, "spec", "selector"));
  char *esc = sel ? kube_kinds_query_escape(sel) : NULL;
  char *rs = kube_kinds_path(kube_kinds_get(KK_REPLICASET), op->conn->ns, NULL);
  char *url = strutil_printf("%s?labelSelector=%s", rs, esc ? esc : "");
  if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, undo_rs);
  free(sel), free(esc), free(rs), free(url);
}

/* Starts rollout_undo(ref, to_revision:). */
bool kube_rollout_undo(kube_op *op, const rbk_action_req *req) {
  ro_state *s = ro(op);
  if (!s || !kube_arg_ref(op, req, "ref", &s->ref)) return false;
  if (s->ref.kind->id != KK_DEPLOYMENT) return kube_op_fail(op, "rollout_undo: only deployments can be rolled back here, not %s", s->ref.kind->plural), false;
  const rbk_value *to = kube_arg(req, "to_revision");
  if (to && to->kind != VAL_INT && to->kind != VAL_NULL) return kube_op_fail(op, "to_revision must be an int"), false;
  s->to_revision = to && to->kind == VAL_INT ? (long)to->u.i : 0;
  s->path = kube_kinds_path(s->ref.kind, op->conn->ns, s->ref.name);
  return kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, undo_dep);
}

/* ---- restart ---- */

/* Returns the restartedAt annotation of a deployment's template (borrowed) or NULL. */
static const char *restarted_at(const json_t *dep) {
  json_t *ann = kube_at2(kube_at2(dep, "spec", "template"), "metadata", "annotations");
  return json_string_value(json_object_get(ann, "kubectl.kubernetes.io/restartedAt"));
}

/* Finishes a restart. */
static void restart_result(kube_op *op, bool skipped, const char *at) {
  ro_state *s = ro(op);
  char *m = skipped ? strutil_printf("deployment.apps/%s was restarted at %s (resumed run): not restarted again", s->ref.name, at)
                    : strutil_printf("deployment.apps/%s restarted", s->ref.name);
  json_t *r = json_pack("{sbssss}", "skipped", skipped, "restarted_at", at, "message", m ? m : "");
  kube_finish_json(op, r);
  json_decref(r);
  free(m);
}

/* After the PATCH: restarted. */
static void restart_patched(kube_op *op, const kube_resp *r) {
  if (r->status != 200) return kube_op_fail_resp(op, "PATCH", ro(op)->path, r);
  restart_result(op, false, ro(op)->stamp);
}

/* Verify hook's answer. */
static void restart_verified(kube_op *op, const kube_resp *r) {
  ro_state *s = ro(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->path, r);
  const char *at = restarted_at(r->json);
  if (at && !strcmp(at, s->stamp)) restart_result(op, false, s->stamp);
  else if (!strcmp(kube_rv(r->json), kube_rv(s->dep))) kube_op_repeat(op);
  else kube_op_unknown(op, "restartedAt is not %s and the deployment changed meanwhile (resourceVersion %s → %s)", s->stamp,
                       kube_rv(s->dep), kube_rv(r->json));
}

/* Verify hook: re-reads the deployment. */
static void restart_verify(kube_op *op) { kube_op_request(op, "GET", ro(op)->path, NULL, NULL, KRETRY_READ, restart_verified); }

/* Returns epoch ms of "YYYY-MM-DDTHH:MM:SSZ", or 0. */
static int64_t stamp_ms(const char *s) {
  struct tm tm = {0};
  if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) return 0;
  tm.tm_year -= 1900, tm.tm_mon -= 1;
  return (int64_t)timegm(&tm) * 1000;
}

/* Reads the deployment, then patches restartedAt. */
static void restart_dep(kube_op *op, const kube_resp *r) {
  ro_state *s = ro(op);
  if (r->status != 200 || !json_is_object(r->json)) return kube_op_fail_resp(op, "GET", s->path, r);
  if (json_is_true(kube_at2(r->json, "spec", "paused"))) return kube_op_fail(op, "can't restart paused deployment (run rollout resume first)");
  s->dep = json_incref(r->json);
  int64_t wall = kube_op_rt_wall(op->rt);
  const char *prev = restarted_at(r->json);
  if (op->recheck && prev && wall - stamp_ms(prev) < 15 * 60 * 1000) return restart_result(op, true, prev);
  time_t t = (time_t)(wall / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(s->stamp, sizeof s->stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  char *body = strutil_printf("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"%s\"}}}}}", s->stamp);
  char *url = strutil_printf("%s?fieldManager=kubectl-rollout", s->path);
  op->verify = restart_verify;
  if (body && url) kube_op_request(op, "PATCH", url, "application/strategic-merge-patch+json", body, KRETRY_VERIFY, restart_patched);
  free(body), free(url);
}

/* Starts rollout_restart(ref). */
bool kube_rollout_restart(kube_op *op, const rbk_action_req *req) {
  ro_state *s = ro(op);
  if (!s || !kube_arg_ref(op, req, "ref", &s->ref)) return false;
  if (s->ref.kind->id != KK_DEPLOYMENT) return kube_op_fail(op, "rollout_restart: only deployments are supported here, not %s", s->ref.kind->plural), false;
  s->path = kube_kinds_path(s->ref.kind, op->conn->ns, s->ref.name);
  return kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, restart_dep);
}
