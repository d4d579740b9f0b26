/* sim_deploy.c — the Deployment controller: a ReplicaSet per pod template, revisions, rolling
 * updates with maxSurge/maxUnavailable, status counters and conditions. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_deploy.h"
#include "sim_sel.h"


/* Returns a ReplicaSet's revision annotation as a number (0 when absent). */
long sim_deploy_revision(const json_t *rs) {
  const char *r = json_string_value(json_object_get(sim_util_jpath(rs, "metadata.annotations"), ANN_REVISION));
  return r ? strtol(r, NULL, 10) : 0;
}

/* Returns a string annotation of obj, or NULL. */
static const char *annotation(const json_t *obj, const char *key) {
  return json_string_value(json_object_get(sim_util_jpath(obj, "metadata.annotations"), key));
}

/* Returns an intOrString ("25%" or 1) resolved against total, rounding up or down. */
static int resolve(const json_t *v, int total, bool round_up, int dflt_pct) {
  if (json_is_integer(v)) return (int)json_integer_value(v);
  int pct = dflt_pct;
  if (json_is_string(v)) pct = atoi(json_string_value(v));
  return round_up ? (total * pct + 99) / 100 : total * pct / 100;
}

/* Returns a ReplicaSet's spec.replicas. */
static int rs_replicas(const json_t *rs) { return (int)sim_util_jint(rs, "spec.replicas", 0); }

/* Returns a status counter (0 when omitted, as the API server omits zeros). */
#define counter sim_deploy_counter


/* Writes the pod-template-hash of a template into out: the decimal FNV-1a hash of its semantic form, each
 * digit mapped to the safe alphabet, as Kubernetes does. */
void sim_deploy_template_hash(const json_t *tmpl, int collision, char out[11]) {
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  json_t *sem = sim_util_semantic(tmpl);
  char *text = sim_util_canonical(sem), digits[16];
  uint32_t h = sim_util_fnv32(text, strlen(text), SIMU_FNV32_INIT);
  if (collision) h = sim_util_fnv32(&collision, sizeof collision, h);
  snprintf(digits, sizeof digits, "%u", h);
  size_t n = strlen(digits);
  for (size_t i = 0; i < n && i < 10; i++) out[i] = alphabet[(unsigned char)digits[i] % 27];
  out[n < 10 ? n : 10] = 0;
  free(text);
  json_decref(sem);
}

/* Deployment annotations that a ReplicaSet does not copy. */
static bool skipped_annotation(const char *k) {
  return !strcmp(k, "kubectl.kubernetes.io/last-applied-configuration") || !strcmp(k, ANN_REVISION) ||
         !strcmp(k, ANN_HISTORY) || !strcmp(k, ANN_DESIRED) || !strcmp(k, ANN_MAX) ||
         !strcmp(k, "deprecated.deployment.rollback.to");
}

/* Sets the annotations a new ReplicaSet gets from its deployment (copied ones, desired/max). */
static void copy_annotations(dsync *s, json_t *ann) {
  const char *k;
  json_t *v;
  json_object_foreach(sim_util_jpath(s->d, "metadata.annotations"), k, v)
    if (!skipped_annotation(k)) json_object_set(ann, k, v);
  char buf[32];
  snprintf(buf, sizeof buf, "%d", s->replicas);
  sim_util_jset_str(ann, ANN_DESIRED, buf);
  snprintf(buf, sizeof buf, "%d", s->replicas + s->surge);
  sim_util_jset_str(ann, ANN_MAX, buf);
}

/* Writes a changed copy of a ReplicaSet; returns the stored one. */
static const json_t *rs_write(dsync *s, json_t *copy) {
  const json_t *stored = sim_store_update(&s->w->st, SIMR_REPLICASETS, copy);
  if (stored && s->new_rs && !strcmp(sim_util_jstr(stored, "metadata.name", ""), sim_util_jstr(s->new_rs, "metadata.name", "")))
    s->new_rs = stored;
  return stored;
}

/* Creates the ReplicaSet for the deployment's current template with the given revision. */
static const json_t *rs_create(dsync *s, long revision) {
  const json_t *tmpl = sim_util_jpath(s->d, "spec.template");
  char hash[11], name[300];
  for (int collision = 0; collision < 10; collision++) {
    sim_deploy_template_hash(tmpl, collision, hash);
    snprintf(name, sizeof name, "%s-%s", s->name, hash);
    if (!sim_store_get(&s->w->st, SIMR_REPLICASETS, s->ns, name)) break;
  }
  json_t *t = json_deep_copy(tmpl);
  sim_util_jset_str(sim_util_jobj(sim_util_jobj(t, "metadata"), "labels"), "pod-template-hash", hash);
  json_t *sel = json_deep_copy(sim_util_jpath(s->d, "spec.selector"));
  if (!json_is_object(sel)) sel = json_object();
  sim_util_jset_str(sim_util_jobj(sel, "matchLabels"), "pod-template-hash", hash);
  json_t *rs = json_pack("{s:s,s:s,s:{s:s,s:s,s:O,s:{},s:[o]},s:{s:i,s:o,s:o}}", "apiVersion", "apps/v1", "kind",
                         "ReplicaSet", "metadata", "name", name, "namespace", s->ns, "labels",
                         json_object_get(t, "metadata") ? json_object_get(json_object_get(t, "metadata"), "labels") : json_null(),
                         "annotations", "ownerReferences", sim_world_owner_ref(SIMR_DEPLOYMENTS, s->d), "spec",
                         "replicas", 0, "selector", sel, "template", t);
  json_t *ann = sim_util_jpath(rs, "metadata.annotations");
  copy_annotations(s, ann);
  char buf[32];
  snprintf(buf, sizeof buf, "%ld", revision);
  sim_util_jset_str(ann, ANN_REVISION, buf);
  int64_t mrs = sim_util_jint(s->d, "spec.minReadySeconds", 0);
  if (mrs) json_object_set_new(json_object_get(rs, "spec"), "minReadySeconds", json_integer(mrs));
  s->created_rs = true;
  return sim_store_create(&s->w->st, SIMR_REPLICASETS, rs, simw_wall(s->w, s->w->now));
}

/* Gives a reused ReplicaSet revision max+1, appending its old number to revision-history. */
static void rs_promote(dsync *s, long maxrev) {
  long old = sim_deploy_revision(s->new_rs);
  if (old >= maxrev) return;
  json_t *c = json_deep_copy(s->new_rs);
  json_t *ann = sim_util_jobj(sim_util_jobj(c, "metadata"), "annotations");
  const char *hist = annotation(c, ANN_HISTORY);
  char *h = hist && *hist ? strutil_printf("%s,%ld", hist, old) : strutil_printf("%ld", old);
  sim_util_jset_str(ann, ANN_HISTORY, h);
  free(h);
  char buf[32];
  snprintf(buf, sizeof buf, "%ld", maxrev + 1);
  sim_util_jset_str(ann, ANN_REVISION, buf);
  copy_annotations(s, ann);
  rs_write(s, c);
}

/* Finds (or, unless paused, creates) the ReplicaSet of the current template. */
static void find_new_rs(dsync *s) {
  long maxrev = 0;
  size_t i;
  json_t *rs;
  s->new_rs = NULL;
  json_array_foreach(s->rss, i, rs) {
    if (sim_deploy_revision(rs) > maxrev) maxrev = sim_deploy_revision(rs);
    if (!s->new_rs && sim_util_template_equal(sim_util_jpath(rs, "spec.template"), sim_util_jpath(s->d, "spec.template")))
      s->new_rs = sim_store_get(&s->w->st, SIMR_REPLICASETS, s->ns, sim_util_jstr(rs, "metadata.name", ""));
  }
  if (s->new_rs) rs_promote(s, maxrev);
  else if (!json_is_true(sim_util_jpath(s->d, "spec.paused"))) s->new_rs = rs_create(s, maxrev + 1);
}

/* Scales a ReplicaSet to n, with the ScalingReplicaSet event on the deployment. */
static void scale_rs(dsync *s, const json_t *rs, int n) {
  int cur = rs_replicas(rs);
  if (cur == n) return;
  json_t *c = json_deep_copy(rs);
  json_object_set_new(json_object_get(c, "spec"), "replicas", json_integer(n));
  if (rs == s->new_rs) copy_annotations(s, sim_util_jobj(sim_util_jobj(c, "metadata"), "annotations"));
  const char *name = sim_util_jstr(rs, "metadata.name", "");
  rs_write(s, c);
  sim_world_event(s->w, SIMR_DEPLOYMENTS, s->d, "Normal", "ScalingReplicaSet", "deployment-controller",
                  "Scaled %s replica set %s from %d to %d", n > cur ? "up" : "down", name, cur, n);
}

/* Returns the current stored version of a ReplicaSet from the owned list. */
static const json_t *fresh(dsync *s, const json_t *rs) {
  return sim_store_get(&s->w->st, SIMR_REPLICASETS, s->ns, sim_util_jstr(rs, "metadata.name", ""));
}

/* Orders ReplicaSets by revision, oldest first. */
static int cmp_revision(const void *a, const void *b) {
  long x = sim_deploy_revision(*(json_t *const *)a), y = sim_deploy_revision(*(json_t *const *)b);
  return x < y ? -1 : x > y;
}

/* Returns the old (not new) ReplicaSets, freshly read, oldest first, in olds (count returned). */
static size_t old_rss(dsync *s, const json_t **olds, size_t cap) {
  size_t n = 0, i;
  json_t *rs;
  json_array_foreach(s->rss, i, rs) {
    const json_t *f = fresh(s, rs);
    if (f && (!s->new_rs || strcmp(sim_util_jstr(f, "metadata.name", ""), sim_util_jstr(s->new_rs, "metadata.name", ""))) && n < cap)
      olds[n++] = f;
  }
  qsort(olds, n, sizeof *olds, cmp_revision);
  return n;
}

/* Scales old ReplicaSets down by up to budget replicas, the unhealthy ones first; returns the rest. */
static int scale_down_olds(dsync *s, const json_t **olds, size_t n, int budget, bool unhealthy_only) {
  for (size_t i = 0; i < n && budget > 0; i++) {
    const json_t *rs = fresh(s, olds[i]);
    int spec = rs_replicas(rs);
    int d = unhealthy_only ? spec - counter(rs, "status.availableReplicas") : spec;
    if (d > budget) d = budget;
    if (d <= 0) continue;
    scale_rs(s, rs, spec - d);
    budget -= d;
  }
  return budget;
}

/* One rolling-update step: scale the new ReplicaSet up within maxSurge, the old ones down within
 * maxUnavailable. */
static void rolling(dsync *s) {
  const json_t *olds[64];
  size_t n = old_rss(s, olds, 64);
  int all = rs_replicas(s->new_rs), avail_all = counter(s->new_rs, "status.availableReplicas");
  for (size_t i = 0; i < n; i++) all += rs_replicas(olds[i]), avail_all += counter(olds[i], "status.availableReplicas");
  int newr = rs_replicas(s->new_rs);
  if (newr > s->replicas) scale_rs(s, s->new_rs, s->replicas), all -= newr - s->replicas;
  else if (newr < s->replicas && all < s->replicas + s->surge) {
    int up = s->replicas + s->surge - all;
    if (up > s->replicas - newr) up = s->replicas - newr;
    scale_rs(s, s->new_rs, newr + up);
    all += up;
  }
  int min_avail = s->replicas - s->unavailable;
  int new_unavail = rs_replicas(s->new_rs) - counter(s->new_rs, "status.availableReplicas");
  int budget = all - min_avail - new_unavail;
  if (budget > 0) scale_down_olds(s, olds, n, budget, true);
  n = old_rss(s, olds, 64);
  budget = avail_all - min_avail;
  if (budget > 0) scale_down_olds(s, olds, n, budget, false);
}

/* Recreate strategy: old ReplicaSets to zero, then the new one up once their pods are gone. */
static void recreate(dsync *s) {
  const json_t *olds[64];
  size_t n = old_rss(s, olds, 64);
  int running = 0;
  for (size_t i = 0; i < n; i++) {
    if (rs_replicas(olds[i])) scale_rs(s, olds[i], 0);
    running += counter(olds[i], "status.replicas");
  }
  if (!running) scale_rs(s, s->new_rs, s->replicas);
}

/* Deletes old ReplicaSets with no replicas beyond spec.revisionHistoryLimit (default 10). */
static void cleanup(dsync *s) {
  const json_t *olds[64];
  size_t n = old_rss(s, olds, 64), idle = 0;
  long limit = (long)sim_util_jint(s->d, "spec.revisionHistoryLimit", 10);
  for (size_t i = 0; i < n; i++) idle += !rs_replicas(olds[i]) && !counter(olds[i], "status.replicas");
  for (size_t i = 0; i < n && (long)idle > limit; i++) {
    if (rs_replicas(olds[i]) || counter(olds[i], "status.replicas")) continue;
    sim_store_delete(&s->w->st, SIMR_REPLICASETS, s->ns, sim_util_jstr(olds[i], "metadata.name", ""));
    idle--;
  }
}

/* The Deployment controller: syncs one Deployment's ReplicaSets and status at w->now. */
void sim_deploy_sync(sim_world *w, const json_t *d) {
  dsync s = {.w = w, .d = d, .ns = sim_util_jstr(d, "metadata.namespace", "default"),
             .name = sim_util_jstr(d, "metadata.name", ""), .uid = sim_util_jstr(d, "metadata.uid", "")};
  if (sim_util_jpath(d, "metadata.deletionTimestamp")) return;
  s.replicas = (int)sim_util_jint(d, "spec.replicas", 1);
  const json_t *ru = sim_util_jpath(d, "spec.strategy.rollingUpdate");
  s.surge = resolve(json_object_get(ru, "maxSurge"), s.replicas, true, 25);
  s.unavailable = resolve(json_object_get(ru, "maxUnavailable"), s.replicas, false, 25);
  if (!s.surge && !s.unavailable) s.unavailable = 1;
  s.rss = sim_world_owned(w, SIMR_REPLICASETS, s.ns, s.uid);
  find_new_rs(&s);
  bool paused = json_is_true(sim_util_jpath(d, "spec.paused"));
  if (s.new_rs && paused) {
    const json_t *olds[64];
    if (!old_rss(&s, olds, 64) || rs_replicas(s.new_rs) > s.replicas) scale_rs(&s, s.new_rs, s.replicas);
  } else if (s.new_rs && !strcmp(sim_util_jstr(d, "spec.strategy.type", "RollingUpdate"), "Recreate")) {
    recreate(&s);
  } else if (s.new_rs) {
    rolling(&s);
  }
  cleanup(&s);
  json_decref(s.rss);
  s.rss = sim_world_owned(w, SIMR_REPLICASETS, s.ns, s.uid);
  if (s.new_rs) s.new_rs = fresh(&s, s.new_rs);
  sim_deploy_status(&s);
  json_decref(s.rss);
}
