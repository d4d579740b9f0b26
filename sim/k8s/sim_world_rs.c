/* sim_world_rs.c — the ReplicaSet controller (pods up to spec.replicas, status) and the garbage
 * collector (dependents of deleted owners). */
#include <stdlib.h>
#include <string.h>

#include "sim_pod.h"

/* Returns true when the object has a controller ownerReference to uid. */
bool sim_world_owned_by(const json_t *obj, const char *uid) {
  size_t i;
  json_t *ref;
  json_array_foreach(sim_util_jpath(obj, "metadata.ownerReferences"), i, ref)
    if (json_is_true(json_object_get(ref, "controller")) && !strcmp(sim_util_jstr(ref, "uid", ""), uid)) return true;
  return false;
}

/* Returns a new array of the objects of kind res in ns controlled by owner_uid. */
json_t *sim_world_owned(sim_world *w, simr_kind res, const char *ns, const char *owner_uid) {
  json_t *all = sim_store_dependents(&w->st, res, ns, owner_uid), *out = json_array();
  size_t i;
  json_t *o;
  json_array_foreach(all, i, o) if (sim_world_owned_by(o, owner_uid)) json_array_append(out, o);
  json_decref(all);
  return out;
}

/* Writes the stored object obj (kind res) with the status st (takes st), unless its status already equals
 * st; returns the stored object (NULL when obj is NULL). */
const json_t *sim_world_write_status(sim_world *w, simr_kind res, const json_t *obj, json_t *st) {
  json_t *old = json_object_get(obj, "status");
  if (!obj || (old && json_equal(old, st))) {
    json_decref(st);
    return obj;
  }
  json_t *c = sim_store_edit(obj);
  json_object_set_new(c, "status", st);
  return sim_store_update(&w->st, res, c);
}

/* Returns a copy of the stored object obj to change and write (sim_store_edit) whose status is its own (a deep
 * copy, or a new empty object), borrowed in *status. */
json_t *sim_world_edit_status(const json_t *obj, json_t **status) {
  json_t *c = sim_store_edit(obj), *old = json_object_get(obj, "status");
  if (old) json_object_set_new(c, "status", json_deep_copy(old));
  *status = sim_util_jobj(c, "status");
  return c;
}

/* Returns {"apiVersion","kind","name","uid","controller":true,"blockOwnerDeletion":true} (new). */
json_t *sim_world_owner_ref(simr_kind res, const json_t *owner) {
  return json_pack("{s:s,s:s,s:s,s:s,s:b,s:b}", "apiVersion", sim_res_api_version(res), "kind",
                   sim_res_info_of(res)->kind, "name", sim_util_jstr(owner, "metadata.name", ""), "uid",
                   sim_util_jstr(owner, "metadata.uid", ""), "controller", 1, "blockOwnerDeletion", 1);
}

/* Returns a deletion rank: lower is deleted first (not ready, pending, more restarts, newer). */
static long long rank(const json_t *pod) {
  long long r = sim_pod_ready(pod) ? 1LL << 40 : 0;
  if (!strcmp(sim_util_jstr(pod, "status.phase", ""), "Running")) r += 1LL << 39;
  int64_t created = 0;
  sim_util_time_parse(sim_util_jstr(pod, "metadata.creationTimestamp", ""), &created);
  return r - created / 1000 % (1LL << 38);
}

/* Orders pods for deletion (see rank). */
static int cmp_rank(const void *a, const void *b) {
  long long x = rank(*(json_t *const *)a), y = rank(*(json_t *const *)b);
  if (x != y) return x < y ? -1 : 1;
  return strcmp(sim_util_jstr(*(json_t *const *)b, "metadata.name", ""), sim_util_jstr(*(json_t *const *)a, "metadata.name", ""));
}

/* Deletes n of the active pods, the least valuable first. */
static void delete_pods(sim_world *w, const json_t *rs, json_t *active, size_t n) {
  size_t len = json_array_size(active);
  const json_t **pods = malloc((len ? len : 1) * sizeof *pods);
  if (!pods) return;
  for (size_t i = 0; i < len; i++) pods[i] = json_array_get(active, i);
  qsort(pods, len, sizeof *pods, cmp_rank);
  for (size_t i = 0; i < n && i < len; i++) {
    sim_world_event(w, SIMR_REPLICASETS, rs, "Normal", "SuccessfulDelete", "replicaset-controller", "Deleted pod: %s",
                    sim_util_jstr(pods[i], "metadata.name", ""));
    sim_pod_delete(w, pods[i], -1);
  }
  free(pods);
}

/* Writes the ReplicaSet's status from its pods. */
static void rs_status(sim_world *w, const json_t *rs, json_t *active) {
  int ready = 0;
  size_t i;
  json_t *p;
  json_array_foreach(active, i, p) ready += sim_pod_ready(p);
  json_t *old = json_object_get(rs, "status"), *st = json_is_object(old) ? json_copy(old) : json_object();
  int n = (int)json_array_size(active);
  json_object_set_new(st, "replicas", json_integer(n));
  json_object_set_new(st, "fullyLabeledReplicas", json_integer(n));
  json_object_set_new(st, "observedGeneration", json_integer(sim_util_jint(rs, "metadata.generation", 1)));
  if (ready) {
    json_object_set_new(st, "readyReplicas", json_integer(ready));
    json_object_set_new(st, "availableReplicas", json_integer(ready));
  } else {
    json_object_del(st, "readyReplicas");
    json_object_del(st, "availableReplicas");
  }
  if (!n) json_object_del(st, "fullyLabeledReplicas");
  sim_world_write_status(w, SIMR_REPLICASETS, rs, st);
}

/* The ReplicaSet controller: syncs one ReplicaSet's Pods and status at w->now. */
void sim_world_sync_replicaset(sim_world *w, const json_t *rs) {
  const char *ns = sim_util_jstr(rs, "metadata.namespace", "default");
  json_t *pods = sim_world_owned(w, SIMR_PODS, ns, sim_util_jstr(rs, "metadata.uid", "")), *active = json_array();
  size_t i;
  json_t *p;
  json_array_foreach(pods, i, p) {
    const char *phase = sim_util_jstr(p, "status.phase", "");
    if (!sim_pod_terminating(p) && strcmp(phase, "Succeeded") && strcmp(phase, "Failed")) json_array_append(active, p);
  }
  int want = (int)sim_util_jint(rs, "spec.replicas", 1), have = (int)json_array_size(active);
  for (int k = have; k < want; k++) {
    const json_t *pod = sim_pod_create(w, SIMR_REPLICASETS, rs, sim_util_jpath(rs, "spec.template"));
    if (!pod) break;
    sim_world_event(w, SIMR_REPLICASETS, rs, "Normal", "SuccessfulCreate", "replicaset-controller", "Created pod: %s",
                    sim_util_jstr(pod, "metadata.name", ""));
    json_array_append(active, (json_t *)pod);
  }
  if (have > want) {
    delete_pods(w, rs, active, (size_t)(have - want));
    json_decref(active);
    active = json_array();
    json_decref(pods);
    pods = sim_world_owned(w, SIMR_PODS, ns, sim_util_jstr(rs, "metadata.uid", ""));
    json_array_foreach(pods, i, p) if (!sim_pod_terminating(p)) json_array_append(active, p);
  }
  rs_status(w, sim_store_get(&w->st, SIMR_REPLICASETS, ns, sim_util_jstr(rs, "metadata.name", "")), active);
  json_decref(active);
  json_decref(pods);
}

/* Returns true when an object with this uid exists among the owner kinds. */
static bool owner_exists(json_t *uids, const json_t *obj) {
  size_t i;
  json_t *ref;
  json_array_foreach(sim_util_jpath(obj, "metadata.ownerReferences"), i, ref)
    if (json_is_true(json_object_get(ref, "controller")) && !json_object_get(uids, sim_util_jstr(ref, "uid", ""))) return false;
  return true;
}

/* Adds the uids of every object of a kind to the set. */
static void collect_uids(sim_world *w, simr_kind res, json_t *uids) {
  const char *k;
  json_t *o;
  json_object_foreach(w->st.tables[res], k, o) json_object_set_new(uids, sim_util_jstr(o, "metadata.uid", ""), json_true());
}

/* The garbage collector: deletes ReplicaSets and Pods whose controller owner is gone. */
void sim_world_gc(sim_world *w) {
  static const simr_kind dependents[] = {SIMR_REPLICASETS, SIMR_PODS};
  json_t *uids = json_object();
  collect_uids(w, SIMR_DEPLOYMENTS, uids);
  collect_uids(w, SIMR_REPLICASETS, uids);
  collect_uids(w, SIMR_JOBS, uids);
  for (size_t k = 0; k < sizeof dependents / sizeof *dependents; k++) {
    json_t *list = sim_store_list(&w->st, dependents[k], NULL);
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
      if (owner_exists(uids, o)) continue;
      if (dependents[k] == SIMR_PODS) {
        if (!sim_pod_terminating(o)) sim_pod_delete(w, o, -1);
      } else {
        sim_store_delete(&w->st, dependents[k], sim_util_jstr(o, "metadata.namespace", ""), sim_util_jstr(o, "metadata.name", ""));
      }
    }
    json_decref(list);
  }
  json_decref(uids);
}

/* Returns true when an object with this uid exists among the owner kinds, or is in gone (the
 * owners this collection deleted: it judges by the owners that existed when it started). */
static bool owner_alive(sim_world *w, const json_t *gone, const json_t *obj) {
  size_t i;
  json_t *ref;
  json_array_foreach(sim_util_jpath(obj, "metadata.ownerReferences"), i, ref) {
    if (!json_is_true(json_object_get(ref, "controller"))) continue;
    const char *uid = sim_util_jstr(ref, "uid", "");
    simr_kind res;
    const json_t *owner = sim_store_by_uid(&w->st, uid, &res);
    bool ok = owner && (res == SIMR_DEPLOYMENTS || res == SIMR_REPLICASETS || res == SIMR_JOBS);
    if (!ok && !json_object_get(gone, uid)) return false;
  }
  return true;
}

/* Orders two C strings for qsort. */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The garbage collector over the store's candidates (st.gc_cand, taken): deletes those that
 * sim_world_gc would delete, in the same order (ReplicaSets, then Pods, each by key). Candidates
 * noted while it runs are left for the next collection, as sim_world_gc leaves them. */
void sim_world_gc_some(sim_world *w) {
  static const simr_kind dependents[] = {SIMR_REPLICASETS, SIMR_PODS};
  json_t *cand = w->st.gc_cand, *gone = json_object(), *v;
  w->st.gc_cand = json_object();
  size_t n = json_object_size(cand);
  const char **keys = malloc((n ? n : 1) * sizeof *keys), *e;
  for (size_t k = 0; keys && gone && k < sizeof dependents / sizeof *dependents; k++) {
    size_t len = 0;
    json_object_foreach(cand, e, v) if (atoi(e) == (int)dependents[k] && strlen(e) > 3) keys[len++] = e + 3;
    if (len > 1) qsort(keys, len, sizeof *keys, cmp_str);
    for (size_t i = 0; i < len; i++) {
      const json_t *o = json_object_get(w->st.tables[dependents[k]], keys[i]);
      if (!o || owner_alive(w, gone, o)) continue;
      if (dependents[k] == SIMR_PODS) {
        if (!sim_pod_terminating(o)) sim_pod_delete(w, o, -1);
      } else {
        json_object_set_new(gone, sim_util_jstr(o, "metadata.uid", ""), json_true());
        sim_store_delete(&w->st, dependents[k], sim_util_jstr(o, "metadata.namespace", ""), sim_util_jstr(o, "metadata.name", ""));
      }
    }
  }
  free(keys);
  json_decref(gone);
  json_decref(cand);
}
