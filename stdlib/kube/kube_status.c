/* kube_status.c — rollout_status: kubectl's watch-based wait (GET, list with resourceVersion=0,
 * watch from the list's resourceVersion; re-list when the watch ends) with its status lines and
 * errors, plus what kubectl lacks: every 5 s while waiting, the new ReplicaSet's pods are checked,
 * and a pod stuck in CrashLoopBackOff, ImagePullBackOff, InvalidImageName, CreateContainerConfigError or
 * ErrImageNeverPull fails the wait at once, naming pod and reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"

/* How often the new ReplicaSet's pods are checked while the rollout waits. */
#define POD_CHECK_MS 5000

typedef struct {
  kube_ref ref;
  char *path, *name_q;  /* the deployment; "fieldSelector=metadata.name%3DX" */
  char *selector;       /* the deployment's label selector */
  char *uid;
  char *last;           /* the last status line */
  char *hash;           /* pod-template-hash of the new ReplicaSet */
  long hash_rev, revision;
  bool watching;
} st_state;

/* Frees the state. */
static void st_free(void *p) {
  st_state *s = p;
  kube_kinds_ref_clear(&s->ref);
  free(s->path), free(s->name_q), free(s->selector), free(s->uid), free(s->last), free(s->hash);
  free(s);
}

/* Returns the op's state. */
static st_state *stx(kube_op *op) { return kube_state(op, sizeof(st_state), st_free); }

/* Returns an integer field of status (0 when missing). */
static long stat_int(const json_t *d, const char *key) { return (long)json_integer_value(kube_at2(d, "status", key)); }

/* Returns true when the deployment has the Progressing condition with reason r. */
static bool has_reason(const json_t *d, const char *r) {
  size_t i;
  json_t *c;
  json_array_foreach(kube_at2(d, "status", "conditions"), i, c) {
    const char *t = json_string_value(json_object_get(c, "type")), *why = json_string_value(json_object_get(c, "reason"));
    if (t && why && !strcmp(t, "Progressing") && !strcmp(why, r)) return true;
  }
  return false;
}

/* Returns 1 when done, 0 when waiting (sets s->last), -1 after failing op. kubectl's viewer. */
static int evaluate(kube_op *op, const json_t *d) {
  st_state *s = stx(op);
  const char *name = s->ref.name;
  char *line = NULL;
  s->revision = kube_revision(d);
  long gen = (long)json_integer_value(kube_at2(d, "metadata", "generation"));
  if (gen > stat_int(d, "observedGeneration")) line = strdup("Waiting for deployment spec update to be observed...");
  else if (has_reason(d, "ProgressDeadlineExceeded")) return kube_op_fail(op, "deployment \"%s\" exceeded its progress deadline", name), -1;
  else {
    json_t *rep = kube_at2(d, "spec", "replicas");
    long want = rep ? (long)json_integer_value(rep) : 1, upd = stat_int(d, "updatedReplicas");
    long have = stat_int(d, "replicas"), avail = stat_int(d, "availableReplicas");
    if (upd < want)
      line = strutil_printf("Waiting for deployment \"%s\" rollout to finish: %ld out of %ld new replicas have been updated...", name, upd, want);
    else if (have > upd)
      line = strutil_printf("Waiting for deployment \"%s\" rollout to finish: %ld old replicas are pending termination...", name, have - upd);
    else if (avail < upd)
      line = strutil_printf("Waiting for deployment \"%s\" rollout to finish: %ld of %ld updated replicas are available...", name, avail, upd);
    else {
      char *m = strutil_printf("deployment \"%s\" successfully rolled out", name);
      json_t *r = json_pack("{sssIsIsIsI}", "message", m ? m : "", "revision", (json_int_t)s->revision, "replicas",
                            (json_int_t)have, "updated", (json_int_t)upd, "available", (json_int_t)avail);
      kube_finish_json(op, r);
      json_decref(r), free(m);
      return 1;
    }
  }
  free(s->last);
  s->last = line;
  return 0;
}

static void relist(kube_op *op);

/* Handles one watch event. */
static void on_event(kube_op *op, const char *type, json_t *obj) {
  if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED")) evaluate(op, obj);
  else if (!strcmp(type, "DELETED")) kube_op_fail(op, "deployment \"%s\" was deleted while waiting for its rollout", stx(op)->ref.name);
  /* ERROR (e.g. 410 Gone): the server closes the stream next; watch_ended lists again. */
}

/* The watch ended (its timeout, or the server closed it): list again and watch again. */
static void watch_ended(kube_op *op, const kube_resp *r) {
  (void)r;
  stx(op)->watching = false;
  relist(op);
}

/* Evaluates the listed deployment and watches from the list's resourceVersion. */
static void listed(kube_op *op, const kube_resp *r) {
  st_state *s = stx(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->path, r);
  json_t *d = json_array_get(json_object_get(r->json, "items"), 0);
  if (!d) return kube_op_fail(op, "Error from server (NotFound): deployments.apps \"%s\" not found", s->ref.name);
  if (evaluate(op, d) != 0) return;
  const char *rv = json_string_value(kube_at2(r->json, "metadata", "resourceVersion"));
  int64_t left = kube_op_left(op) / 1000;
  if (left > 300 || left <= 0) left = 300;
  char *coll = kube_kinds_path(s->ref.kind, op->conn->ns, NULL);
  char *url = strutil_printf("%s?allowWatchBookmarks=true&%s&resourceVersion=%s&timeoutSeconds=%lld&watch=true", coll, s->name_q,
                        rv ? rv : "", (long long)left);
  s->watching = url && kube_op_watch(op, url, on_event, watch_ended);
  free(coll), free(url);
}

/* Lists the deployment by name (resourceVersion=0), as kubectl does before watching. */
static void relist(kube_op *op) {
  st_state *s = stx(op);
  char *coll = kube_kinds_path(s->ref.kind, op->conn->ns, NULL);
  char *url = strutil_printf("%s?%s&limit=500&resourceVersion=0", coll, s->name_q);
  if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, listed);
  free(coll), free(url);
}

static void pod_check(kube_op *op);

/* Waiting reasons that no amount of waiting fixes. ErrImagePull is left out on purpose: the kubelet
 * reports it for a first failed pull that may still succeed; ImagePullBackOff follows if not. */
static const char *const stuck_reasons[] = {"CrashLoopBackOff", "ImagePullBackOff", "InvalidImageName",
                                            "CreateContainerConfigError", "ErrImageNeverPull", NULL};

/* Returns true when a container waiting for `reason` will never start by itself. */
static bool is_stuck(const char *reason) {
  for (size_t i = 0; reason && stuck_reasons[i]; i++)
    if (!strcmp(reason, stuck_reasons[i])) return true;
  return false;
}

/* Returns the first bad waiting reason among a pod's containers (borrowed) or NULL; *msg too. */
static const char *bad_reason(const json_t *pod, const char **msg) {
  const char *keys[] = {"initContainerStatuses", "containerStatuses"};
  for (int k = 0; k < 2; k++) {
    size_t i;
    json_t *c;
    json_array_foreach(kube_at2(pod, "status", keys[k]), i, c) {
      json_t *w = json_object_get(json_object_get(c, "state"), "waiting");
      const char *r = json_string_value(json_object_get(w, "reason"));
      if (is_stuck(r)) {
        *msg = json_string_value(json_object_get(w, "message"));
        return r;
      }
    }
  }
  return NULL;
}

/* Fails the rollout when a pod of the new ReplicaSet is stuck; else checks again later. */
static void pods_checked(kube_op *op, const kube_resp *r) {
  size_t i;
  json_t *pod;
  if (r->status == 200) json_array_foreach(json_object_get(r->json, "items"), i, pod) {
    const char *msg = NULL, *why = bad_reason(pod, &msg);
    if (why)
      return kube_op_fail(op, "deployment \"%s\" rollout failed: pod %s is in %s%s%s", stx(op)->ref.name,
                          json_string_value(kube_at2(pod, "metadata", "name")), why, msg ? ": " : "", msg ? msg : "");
  }
  kube_op_timer(op, op->rt->now + POD_CHECK_MS, pod_check);
}

/* Lists the pods of the new ReplicaSet. */
static void check_pods(kube_op *op) {
  st_state *s = stx(op);
  char *sel = strutil_printf("%s,pod-template-hash=%s", s->selector, s->hash);
  char *esc = sel ? kube_kinds_query_escape(sel) : NULL;
  char *pods = kube_kinds_path(kube_kinds_get(KK_POD), op->conn->ns, NULL);
  char *url = strutil_printf("%s?labelSelector=%s", pods, esc ? esc : "");
  if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, pods_checked);
  free(sel), free(esc), free(pods), free(url);
}

/* Finds the new ReplicaSet's pod-template-hash, then checks its pods. */
static void rs_listed(kube_op *op, const kube_resp *r) {
  st_state *s = stx(op);
  json_t *owned = r->status == 200 ? kube_owned_sorted(json_object_get(r->json, "items"), s->uid) : NULL, *rs;
  size_t i;
  json_array_foreach(owned, i, rs) if (kube_revision(rs) == s->revision) {
    const char *h = json_string_value(json_object_get(kube_at2(rs, "metadata", "labels"), "pod-template-hash"));
    free(s->hash);
    s->hash = strdup(h ? h : "");
    s->hash_rev = s->revision;
  }
  json_decref(owned);
  if (s->hash && s->hash_rev == s->revision) check_pods(op);
  else kube_op_timer(op, op->rt->now + POD_CHECK_MS, pod_check);
}

/* The periodic check of the new ReplicaSet's pods. */
static void pod_check(kube_op *op) {
  st_state *s = stx(op);
  if (!s->selector || !s->uid) return kube_op_timer(op, op->rt->now + POD_CHECK_MS, pod_check);
  if (s->hash && s->hash_rev == s->revision) return check_pods(op);
  char *esc = kube_kinds_query_escape(s->selector);
  char *rs = kube_kinds_path(kube_kinds_get(KK_REPLICASET), op->conn->ns, NULL);
  char *url = strutil_printf("%s?labelSelector=%s", rs, esc ? esc : "");
  if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, rs_listed);
  free(esc), free(rs), free(url);
}

/* At the deadline: kubectl's words and the last status line. */
static void timed_out(kube_op *op) {
  st_state *s = stx(op);
  kube_op_fail(op, "timed out waiting for the condition%s%s%s", s->last ? " (last status: " : "", s->last ? s->last : "",
               s->last ? ")" : "");
}

/* Reads the deployment first, as kubectl does. */
static void got(kube_op *op, const kube_resp *r) {
  st_state *s = stx(op);
  if (r->status != 200 || !json_is_object(r->json)) return kube_op_fail_resp(op, "GET", s->path, r);
  s->selector = kube_label_selector(kube_at2(r->json, "spec", "selector"));
  const char *uid = json_string_value(kube_at2(r->json, "metadata", "uid"));
  s->uid = uid ? strdup(uid) : NULL;
  s->revision = kube_revision(r->json);
  kube_op_timer(op, op->rt->now + POD_CHECK_MS, pod_check);
  relist(op);
}

/* Starts rollout_status(ref, timeout:). */
bool kube_rollout_status(kube_op *op, const rbk_action_req *req) {
  st_state *s = stx(op);
  if (!s || !kube_arg_ref(op, req, "ref", &s->ref)) return false;
  if (s->ref.kind->id != KK_DEPLOYMENT) return kube_op_fail(op, "rollout_status: only deployments are supported here, not %s", s->ref.kind->plural), false;
  s->path = kube_kinds_path(s->ref.kind, op->conn->ns, s->ref.name);
  char *sel = strutil_printf("metadata.name=%s", s->ref.name), *esc = sel ? kube_kinds_query_escape(sel) : NULL;
  s->name_q = strutil_printf("fieldSelector=%s", esc ? esc : "");
  free(sel), free(esc);
  op->on_deadline = timed_out;
  return kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, got);
}
