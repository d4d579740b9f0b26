/* sim_world_reconcile.c — running the controllers until nothing changes, syncing only what changed.
 *
 * A pass runs the garbage collector, then each controller over its objects in key order, as the
 * kube-controller-manager would; passes repeat until one writes nothing. Syncing an object is a
 * function of the object, its dependents (for Deployments, ReplicaSets and Jobs), its runtime
 * record and the virtual time, where time matters only at the instants the sync names through
 * simw_wake_at and simw_recheck_at. So when a sync wrote nothing, the same sync would write
 * nothing again as long as the object's resourceVersion, its dependents' version
 * (sim_store_owner_rv) and the recheck time stay the same: such an object is skipped, and only its
 * timer is set again. The skipped syncs are exactly those that would have done nothing, so every
 * write, event, name and timer is the one the full pass makes (byte-identical answers). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sim_world.h"

/* Returns an object's resourceVersion as a number (0 when absent). */
static uint64_t rv_of(const json_t *obj) {
  const char *rv = sim_util_jstr(obj, "metadata.resourceVersion", NULL);
  return rv ? strtoull(rv, NULL, 10) : 0;
}

/* Returns true when the memo says syncing obj now would write nothing (and re-arms its timer). */
static bool quiet(sim_world *w, const simm_entry *m, uint64_t rv, uint64_t deps) {
  if (!m || m->rv != rv || m->deps != deps || m->recheck <= w->now) return false;
  simw_wake_at(w, m->wake);
  return true;
}

/* Syncs one object, remembering in the memo whether it wrote anything and what timers it set. */
static void sync_one(sim_world *w, simm_table *memo, const char *key, const json_t *obj, uint64_t deps,
                     void (*sync)(sim_world *, const json_t *)) {
  uint64_t rv = rv_of(obj), before = w->st.rv;
  int64_t outer = w->next_wake;
  w->next_wake = w->recheck = INT64_MAX;
  w->syncs++;
  sync(w, obj);
  int64_t wake = w->next_wake, recheck = w->recheck < wake ? w->recheck : wake;
  w->next_wake = outer < wake ? outer : wake;
  simm_entry e = {w->st.rv == before ? rv : 0, deps, wake, recheck};
  if (!sim_memo_put(memo, key, e)) sim_memo_clear(memo);
}

/* Runs one controller over every object of its kind that exists when the run starts. */
static void run_controller(sim_world *w, simr_kind res, bool has_deps, void (*sync)(sim_world *, const json_t *)) {
  simm_table *memo = &w->memo[res];
  if (sim_memo_size(memo) > 2 * sim_store_count(&w->st, res) + 64) sim_memo_clear(memo);
  json_t *keys = sim_store_keys(&w->st, res), *k;
  size_t i;
  json_array_foreach(keys, i, k) {
    const char *key = json_string_value(k);
    const json_t *obj = json_object_get(w->st.tables[res], key);
    if (!obj) continue;
    uint64_t deps = has_deps ? sim_store_owner_rv(&w->st, sim_util_jstr(obj, "metadata.uid", "")) : 0;
    if (w->sync_all || !quiet(w, sim_memo_get(memo, key), rv_of(obj), deps)) sync_one(w, memo, key, obj, deps, sync);
  }
  json_decref(keys);
}

/* Returns the latest write that could matter to the garbage collector: an owner or a dependent
 * created or deleted, or a dependent's ownerReferences changed. (What else it reads of an orphan
 * pod, whether it is terminating, cannot go back once the collector has left it alone.) */
static uint64_t gc_inputs(const sim_world *w) {
  static const simr_kind kinds[] = {SIMR_DEPLOYMENTS, SIMR_REPLICASETS, SIMR_JOBS, SIMR_PODS};
  uint64_t latest = 0;
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
    if (w->st.shape_rv[kinds[i]] > latest) latest = w->st.shape_rv[kinds[i]];
  return latest;
}

/* Runs the garbage collector unless its inputs are as they were when it last found nothing. */
static void run_gc(sim_world *w) {
  uint64_t seen = gc_inputs(w), before = w->st.rv;
  if (seen && seen == w->gc_seen && !w->sync_all) return;
  sim_world_gc(w);
  w->gc_seen = w->st.rv == before ? seen : 0;
}

/* Runs the controllers at w->now until nothing changes. */
void sim_world_reconcile(sim_world *w) {
  for (int pass = 0; pass < 100; pass++) {
    uint64_t rv = w->st.rv;
    w->next_wake = INT64_MAX;
    run_gc(w);
#define X(kind, fn, deps) run_controller(w, SIMR_##kind, deps, fn);
    SIMW_CONTROLLERS(X)
#undef X
    if (w->st.rv == rv) break;
  }
  w->reconciled_rv = w->st.rv;
}

/* Forgets what the controllers saw, so the next pass syncs every object. */
void sim_world_forget(sim_world *w) {
  for (int i = 0; i < SIMR_COUNT; i++) sim_memo_clear(&w->memo[i]);
  w->gc_seen = 0;
}
