/* sim_world_reconcile.c — running the controllers until nothing changes, syncing only what changed.
 *
 * A pass runs the garbage collector, then each controller over its objects in key order, as the
 * kube-controller-manager would; passes repeat until one writes nothing. Syncing an object is a
 * function of the object, its dependents (for Deployments, ReplicaSets and Jobs), its runtime
 * record and the virtual time, where time matters only at the instants the sync names through
 * simw_wake_at and simw_recheck_at. So when a sync wrote nothing, the same sync would write
 * nothing again as long as the object's resourceVersion, its dependents' version
 * (sim_store_owner_rv) and the recheck time stay the same: such an object is quiet (its memo says
 * so) and is not synced.
 *
 * The controllers are event-driven, as the real controller-manager's work queues are: a pass
 * visits only the objects that may not be quiet — those the store noted as written, or whose
 * dependents were written (sims_store.changed), those whose own sync wrote something, and those
 * whose recheck time came (the `due` heap) — in key order. Every other object is quiet by
 * construction, so the syncs run, their order, and every write, event, name and timer are the
 * ones a pass over every object makes (byte-identical answers; tests/unit/test_sim_reconcile.c
 * compares with `sync_all`, which still visits every object). The earliest timer is the earliest
 * `wake` of a current memo (the `wakes` heap), so no pass re-arms every object's timer. */
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

/* Syncs one object, remembering in the memo whether it wrote anything and what timers it set;
 * outside sync_all, queues the object again when it wrote and files its timers. */
static void sync_one(sim_world *w, simr_kind res, const char *key, const json_t *obj, uint64_t deps,
                     void (*sync)(sim_world *, const json_t *)) {
  simm_table *memo = &w->memo[res];
  uint64_t rv = rv_of(obj), before = w->st.rv;
  int64_t outer = w->next_wake;
  w->next_wake = w->recheck = INT64_MAX;
  w->syncs++;
  sync(w, obj);
  int64_t wake = w->next_wake, recheck = w->recheck < wake ? w->recheck : wake;
  w->next_wake = outer < wake ? outer : wake;
  simm_entry e = {w->st.rv == before ? rv : 0, deps, wake, recheck};
  if (!sim_memo_put(memo, key, e)) sim_memo_clear(memo);
  if (w->sync_all) return;
  if (w->st.rv != before) sim_store_note(&w->st, res, key);
  if (recheck < INT64_MAX) sim_timers_push(&w->due, recheck, res, key);
  if (wake < INT64_MAX) sim_timers_push(&w->wakes, wake, res, key);
}

/* Syncs the object under key unless it is gone (its memo is dropped then) or quiet. */
static void visit(sim_world *w, simr_kind res, bool has_deps, const char *key, void (*sync)(sim_world *, const json_t *)) {
  const json_t *obj = json_object_get(w->st.tables[res], key);
  if (!obj) {
    if (!w->sync_all) sim_memo_del(&w->memo[res], key);
    return;
  }
  uint64_t deps = has_deps ? sim_store_owner_rv(&w->st, sim_util_jstr(obj, "metadata.uid", "")) : 0;
  if (w->sync_all || !quiet(w, sim_memo_get(&w->memo[res], key), rv_of(obj), deps)) sync_one(w, res, key, obj, deps, sync);
}

/* Orders two C strings for qsort. */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Runs one controller over the objects of its kind that may not be quiet (every object under
 * sync_all), in key order. */
static void run_controller(sim_world *w, simr_kind res, bool has_deps, void (*sync)(sim_world *, const json_t *)) {
  json_t *changed = sim_store_take_changed(&w->st, res);
  if (w->sync_all) {
    simm_table *memo = &w->memo[res];
    if (sim_memo_size(memo) > 2 * sim_store_count(&w->st, res) + 64) sim_memo_clear(memo);
    json_t *keys = sim_store_keys(&w->st, res), *k;
    size_t i;
    json_array_foreach(keys, i, k) visit(w, res, has_deps, json_string_value(k), sync);
    json_decref(keys);
    json_decref(changed);
    return;
  }
  size_t n = json_object_size(changed), k = 0;
  const char **keys = n ? malloc(n * sizeof *keys) : NULL;
  const char *key;
  json_t *v;
  if (keys) {
    json_object_foreach(changed, key, v) keys[k++] = key;
    if (k > 1) qsort(keys, k, sizeof *keys, cmp_str);
    for (size_t i = 0; i < k; i++) visit(w, res, has_deps, keys[i], sync);
  }
  free(keys);
  json_decref(changed);
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

/* Runs the garbage collector: over every dependent after sim_world_forget or under sync_all
 * (unless its inputs are as they were when it last found nothing), else over the candidates the
 * store noted. */
static void run_gc(sim_world *w) {
  if (!w->sync_all && !w->gc_full) {
    if (json_object_size(w->st.gc_cand)) sim_world_gc_some(w);
    return;
  }
  uint64_t seen = gc_inputs(w), before = w->st.rv;
  if (seen && seen == w->gc_seen && !w->sync_all) return;
  json_object_clear(w->st.gc_cand); /* the full collection looks at every candidate */
  sim_world_gc(w);
  w->gc_seen = w->st.rv == before ? seen : 0;
  w->gc_full = false;
}

/* Queues the objects whose recheck time has come. */
static void mark_due(sim_world *w) {
  const simt_entry *top;
  simt_entry e;
  while ((top = sim_timers_top(&w->due)) && top->at <= w->now && sim_timers_pop(&w->due, &e)) {
    sim_store_note(&w->st, e.res, e.key);
    free(e.key);
  }
}

/* Returns the earliest wake of a current memo still in the future, dropping stale timers. */
static int64_t earliest_wake(sim_world *w) {
  const simt_entry *top;
  while ((top = sim_timers_top(&w->wakes))) {
    const simm_entry *m = sim_memo_get(&w->memo[top->res], top->key);
    if (top->at > w->now && m && m->wake == top->at && json_object_get(w->st.tables[top->res], top->key))
      return top->at;
    simt_entry e;
    sim_timers_pop(&w->wakes, &e);
    free(e.key);
  }
  return INT64_MAX;
}

/* Rebuilds the timer heaps from the memos when stale timers outnumber the live ones. */
static void compact_timers(sim_world *w) {
  size_t live = 0;
  for (int r = 0; r < SIMR_COUNT; r++) live += sim_memo_size(&w->memo[r]);
  if (w->due.len + w->wakes.len <= 4 * live + 4096) return;
  sim_timers_free(&w->due);
  sim_timers_free(&w->wakes);
  for (int r = 0; r < SIMR_COUNT; r++)
    for (size_t i = 0; i < w->memo[r].cap; i++) {
      const simm_slot *s = &w->memo[r].slots[i];
      if (!s->key) continue;
      if (s->e.recheck < INT64_MAX) sim_timers_push(&w->due, s->e.recheck, (simr_kind)r, s->key);
      if (s->e.wake < INT64_MAX) sim_timers_push(&w->wakes, s->e.wake, (simr_kind)r, s->key);
    }
}

/* Runs the controllers at w->now until nothing changes. */
void sim_world_reconcile(sim_world *w) {
  if (!w->sync_all) mark_due(w);
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
  if (w->sync_all) return;
  compact_timers(w);
  w->next_wake = earliest_wake(w);
}

/* Forgets what the controllers saw, so the next pass syncs every object. */
void sim_world_forget(sim_world *w) {
  for (int i = 0; i < SIMR_COUNT; i++) sim_memo_clear(&w->memo[i]);
  sim_timers_free(&w->due);
  sim_timers_free(&w->wakes);
  w->gc_seen = 0;
  w->gc_full = true;
#define X(kind, fn, deps)                                                             \
  for (size_t i = 0; i < w->st.keys[SIMR_##kind].len; i++)                             \
    sim_store_note(&w->st, SIMR_##kind, w->st.keys[SIMR_##kind].v[i]);
  SIMW_CONTROLLERS(X)
#undef X
}
