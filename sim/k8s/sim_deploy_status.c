/* sim_deploy_status.c — a Deployment's status: counters, observedGeneration and the Available and
 * Progressing conditions, including ProgressDeadlineExceeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_deploy.h"

/* Returns an integer status counter (0 when omitted, as the API server omits zeros). */
int sim_deploy_counter(const json_t *obj, const char *path) { return (int)sim_util_jint(obj, path, 0); }

/* Counts gathered from the ReplicaSets. */
typedef struct {
  int replicas, updated, ready, available, spec_total;
} dcounts;

/* Returns the sums over the deployment's ReplicaSets. */
static dcounts count(const dsync *s) {
  dcounts c = {0};
  size_t i;
  json_t *rs;
  json_array_foreach(s->rss, i, rs) {
    c.replicas += sim_deploy_counter(rs, "status.replicas");
    c.ready += sim_deploy_counter(rs, "status.readyReplicas");
    c.available += sim_deploy_counter(rs, "status.availableReplicas");
    c.spec_total += sim_deploy_counter(rs, "spec.replicas");
  }
  if (s->new_rs) c.updated = sim_deploy_counter(s->new_rs, "status.replicas");
  return c;
}

/* Sets status[key] to n, or removes it when zero (the API server omits zero counters). */
static void set_counter(json_t *status, const char *key, int n) {
  if (n) json_object_set_new(status, key, json_integer(n));
  else json_object_del(status, key);
}

/* Returns the condition of that type in the list (borrowed) or NULL. */
static json_t *find_cond(json_t *conds, const char *type) {
  size_t i;
  json_t *c;
  json_array_foreach(conds, i, c) if (!strcmp(sim_util_jstr(c, "type", ""), type)) return c;
  return NULL;
}

/* Sets a condition the way the deployment controller does: unchanged when status and reason are
 * the same (unless touch), lastTransitionTime kept while the status stays. */
static void set_cond(json_t *conds, const char *type, const char *status, const char *reason, const char *msg,
                     const char *now, bool touch) {
  json_t *old = find_cond(conds, type);
  if (old && !strcmp(sim_util_jstr(old, "status", ""), status) && !strcmp(sim_util_jstr(old, "reason", ""), reason) && !touch)
    return;
  const char *since = old && !strcmp(sim_util_jstr(old, "status", ""), status) ? sim_util_jstr(old, "lastTransitionTime", now) : now;
  json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", type, "status", status, "lastUpdateTime", now,
                        "lastTransitionTime", since, "reason", reason, "message", msg);
  size_t i;
  json_t *e;
  json_array_foreach(conds, i, e) if (e == old) {
    json_array_set_new(conds, i, c);
    return;
  }
  json_array_append_new(conds, c);
}

/* Returns the deployment's runtime record (progress time), creating it. */
static json_t *runtime(dsync *s) {
  json_t *rt = json_object_get(s->w->deploy_rt, s->uid);
  if (!rt) {
    rt = json_pack("{s:I}", "progress_ms", (json_int_t)s->w->now);
    json_object_set_new(s->w->deploy_rt, s->uid, rt);
  }
  return rt;
}

/* Returns true when the status shows progress since the previous one (the controller's rule). */
static bool progressed(const dsync *s, const json_t *old, dcounts c) {
  int o_upd = sim_deploy_counter(old, "updatedReplicas"), o_rep = sim_deploy_counter(old, "replicas");
  if (s->created_rs || c.updated > o_upd || c.ready > sim_deploy_counter(old, "readyReplicas") ||
      c.available > sim_deploy_counter(old, "availableReplicas") || c.replicas - c.updated < o_rep - o_upd)
    return true;
  json_t *p = find_cond(json_object_get(old, "conditions"), "Progressing");
  const char *msg = sim_util_jstr(p, "message", "");
  const char *name = s->new_rs ? sim_util_jstr(s->new_rs, "metadata.name", "") : "";
  return s->new_rs && !strstr(msg, name);
}

/* Updates the Progressing condition (and the deadline timer). */
static void progressing(dsync *s, json_t *conds, const json_t *old, dcounts c, const char *now) {
  json_t *rt = runtime(s);
  const char *rs = s->new_rs ? sim_util_jstr(s->new_rs, "metadata.name", "") : "";
  char msg[512];
  json_t *cur = find_cond(conds, "Progressing");
  const char *reason = sim_util_jstr(cur, "reason", "");
  if (json_is_true(sim_util_jpath(s->d, "spec.paused"))) {
    set_cond(conds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now, false);
    return;
  }
  if (!strcmp(reason, "DeploymentPaused")) {
    set_cond(conds, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", now, false);
    json_object_set_new(rt, "progress_ms", json_integer(s->w->now));
    return;
  }
  if (!s->new_rs) return;
  if (c.updated == s->replicas && c.replicas == s->replicas && c.available == s->replicas) {
    snprintf(msg, sizeof msg, "ReplicaSet \"%s\" has successfully progressed.", rs);
    set_cond(conds, "Progressing", "True", "NewReplicaSetAvailable", msg, now, false);
    return;
  }
  int64_t deadline = sim_util_secs_to_ms(sim_util_jint(s->d, "spec.progressDeadlineSeconds", 600));
  if (progressed(s, old, c) || !cur) {
    snprintf(msg, sizeof msg, "ReplicaSet \"%s\" is progressing.", rs);
    set_cond(conds, "Progressing", "True", "ReplicaSetUpdated", msg, now, true);
    json_object_set_new(rt, "progress_ms", json_integer(s->w->now));
  } else if (strcmp(reason, "ProgressDeadlineExceeded")) {
    int64_t due = sim_util_jint(rt, "progress_ms", s->w->now) + deadline;
    if (s->w->now >= due) {
      snprintf(msg, sizeof msg, "ReplicaSet \"%s\" has timed out progressing.", rs);
      set_cond(conds, "Progressing", "False", "ProgressDeadlineExceeded", msg, now, false);
    } else {
      simw_wake_at(s->w, due);
    }
  }
  if (!strcmp(sim_util_jstr(find_cond(conds, "Progressing"), "reason", ""), "ReplicaSetUpdated"))
    simw_wake_at(s->w, sim_util_jint(rt, "progress_ms", s->w->now) + deadline);
}

/* Sets the deployment's revision annotation to the new ReplicaSet's. */
static void set_revision(dsync *s, json_t *d) {
  if (!s->new_rs) return;
  char buf[32];
  snprintf(buf, sizeof buf, "%ld", sim_deploy_revision(s->new_rs));
  json_t *meta = sim_util_jobj(d, "metadata"), *ann = json_object_get(meta, "annotations");
  if (json_is_object(ann)) json_object_set_new(meta, "annotations", json_copy(ann));
  sim_util_jset_str(sim_util_jobj(meta, "annotations"), ANN_REVISION, buf);
}

/* Writes the deployment's revision annotation, status counters and conditions. */
void sim_deploy_status(dsync *s) {
  char now[32];
  sim_world_now_text(s->w, now);
  dcounts c = count(s);
  json_t *st, *d = sim_world_edit_status(s->d, &st);
  set_revision(s, d);
  json_t *old = json_object_get(s->d, "status");
  json_object_set(st, "observedGeneration", sim_util_jpath(s->d, "metadata.generation"));
  set_counter(st, "replicas", c.replicas);
  set_counter(st, "updatedReplicas", c.updated);
  set_counter(st, "readyReplicas", c.ready);
  set_counter(st, "availableReplicas", c.available);
  set_counter(st, "unavailableReplicas", c.spec_total - c.available > 0 ? c.spec_total - c.available : 0);
  json_t *conds = json_object_get(st, "conditions");
  if (!json_is_array(conds)) json_object_set_new(st, "conditions", conds = json_array());
  if (c.available >= s->replicas - s->unavailable)
    set_cond(conds, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now, false);
  else
    set_cond(conds, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.",
             now, false);
  progressing(s, conds, old, c, now);
  sim_store_update(&s->w->st, SIMR_DEPLOYMENTS, d);
}
