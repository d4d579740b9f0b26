/* sim_world_clone.c — exact, independent copies of a world (sim_clone). */
#include <stdlib.h>
#include <string.h>

#include "sim_jcopy.h"
#include "sim_world.h"

/* Empties every field of c that owns memory (a shallow copy of another world), so that sim_free
 * releases only what is copied into it afterwards. */
static void forget_owned(sim_world *c) {
  memset(&c->st, 0, sizeof c->st);
  memset(c->memo, 0, sizeof c->memo);
  c->due = c->wakes = (simt_heap){0};
  c->scenario = c->images = c->job_rules = c->pod_rt = c->deploy_rt = NULL;
  c->event_index = c->event_akey = c->event_order = c->tokens = c->token_sa = c->backends = NULL;
  c->faults.error_codes = c->faults.conflicts = c->faults.stuck = c->faults.lost = NULL;
  c->plant = NULL;
}

/* Copies w's JSON fields into c with m; false when out of memory. */
static bool copy_json(sim_world *c, const sim_world *w, sim_jcopy *m) {
  json_t **to[] = {&c->scenario,   &c->images,      &c->job_rules,          &c->pod_rt,           &c->deploy_rt,
                   &c->event_index, &c->event_akey, &c->event_order,        &c->tokens,           &c->token_sa,
                   &c->backends,   &c->faults.error_codes, &c->faults.conflicts, &c->faults.stuck, &c->faults.lost};
  json_t *from[] = {w->scenario,   w->images,      w->job_rules,          w->pod_rt,           w->deploy_rt,
                    w->event_index, w->event_akey, w->event_order,        w->tokens,           w->token_sa,
                    w->backends,   w->faults.error_codes, w->faults.conflicts, w->faults.stuck, w->faults.lost};
  for (size_t i = 0; i < sizeof to / sizeof *to; i++) *to[i] = sim_jcopy_value(m, from[i]);
  return !sim_jcopy_failed(m);
}

/* Copies w's memo tables and timer heaps into c; false when out of memory. */
static bool copy_memos(sim_world *c, const sim_world *w) {
  for (int i = 0; i < SIMR_COUNT; i++)
    if (!sim_memo_clone(&c->memo[i], &w->memo[i])) return false;
  return sim_timers_clone(&c->due, &w->due) && sim_timers_clone(&c->wakes, &w->wakes);
}

/* Returns a new world that is an exact copy of w (borrowed), nothing mutable shared; NULL with *err
 * set (caller frees) when out of memory. */
sim_world *sim_clone(const sim_world *w, char **err) {
  sim_world *c = malloc(sizeof *c);
  if (!c) return *err = strdup("out of memory"), NULL;
  *c = *w; /* the numbers and flags: rng, clocks, timing, fault rates, counters, request_log */
  forget_owned(c);
  c->view.ctx = c; /* the plant reads the copy's cluster */
  sim_jcopy m = {0};
  /* one map for the whole world: the history shares objects with the tables, and the plant's
   * loaded config with the ConfigMaps, in the copy as in w */
  bool ok = sim_store_clone(&c->st, &w->st, &m) && copy_memos(c, w) && copy_json(c, w, &m);
  if (ok && w->plant && !(c->plant = plant_clone(w->plant, &m, err))) ok = false, free(*err), *err = NULL;
  sim_jcopy_free(&m);
  if (ok) return c;
  sim_free(c);
  return *err = strdup("out of memory"), NULL;
}
