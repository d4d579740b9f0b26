/* sim_world.c — creating and freeing worlds, virtual time, and the plant model's view of the
 * cluster. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sim_scenario.h"
#include "sim_sel.h"
#include "sim_world.h"

static void sim_world_plant_tick(sim_world *w);

/* The view's get(): a stored object by plural resource name. */
static const json_t *view_get(void *ctx, const char *resource, const char *ns, const char *name) {
  int res = sim_res_find_name(resource);
  return res < 0 ? NULL : sim_store_get(&((sim_world *)ctx)->st, (simr_kind)res, ns, name);
}

/* The view's list(): the objects matching a label selector (new array). */
static json_t *view_list(void *ctx, const char *resource, const char *ns, const char *label_selector) {
  sim_world *w = ctx;
  int res = sim_res_find_name(resource);
  json_t *out = json_array();
  simsel sel;
  if (res < 0 || !sim_sel_parse_labels(label_selector, &sel, NULL)) return out;
  json_t *all = sim_store_list(&w->st, (simr_kind)res, ns && *ns ? ns : NULL);
  size_t i;
  json_t *o;
  json_array_foreach(all, i, o) if (sim_sel_match_labels(&sel, sim_util_jpath(o, "metadata.labels"))) json_array_append(out, o);
  json_decref(all);
  sim_sel_free(&sel);
  return out;
}

/* Releases everything but the struct. */
static void world_clear(sim_world *w) {
  plant_free(w->plant);
  sim_store_free(&w->st);
  sim_world_forget(w);
  json_t *owned[] = {w->scenario, w->images, w->job_rules, w->pod_rt, w->deploy_rt, w->event_index, w->event_akey,
                     w->event_order, w->tokens, w->token_sa, w->backends, w->faults.error_codes, w->faults.conflicts, w->faults.stuck,
                     w->faults.lost};
  for (size_t i = 0; i < sizeof owned / sizeof *owned; i++) json_decref(owned[i]);
}

/* Frees the world (NULL is fine). */
void sim_free(sim_world *w) {
  if (!w) return;
  world_clear(w);
  free(w);
}

/* Allocates the world's tables. */
static bool world_alloc(sim_world *w, const json_t *scenario, uint64_t seed) {
  size_t hist = (size_t)sim_util_jint(scenario, "cluster.watch.history", 10000);
  w->scenario = json_deep_copy(scenario);
  w->pod_rt = json_object(), w->deploy_rt = json_object(), w->event_index = json_object();
  w->event_akey = json_object();
  w->event_order = json_array(), w->tokens = json_array(), w->token_sa = json_object();
  sim_util_rng_seed(&w->rng, seed);
  w->next_wake = INT64_MAX;
  w->view = (plant_cluster_view){w, view_get, view_list};
  if (!sim_store_init(&w->st, hist ? hist : 1, seed)) return false;
#define X(kind, fn, deps) w->st.track[SIMR_##kind] = true;
  SIMW_CONTROLLERS(X)
#undef X
  w->st.track_gc = true;
  return w->scenario && w->pod_rt && w->event_index && w->event_akey && w->tokens && w->token_sa;
}

/* Returns a new world built from the scenario (borrowed; copied as needed), with the seeded PRNG; NULL
 * with *err set (caller frees) when the scenario is invalid. */
sim_world *sim_new(const json_t *scenario, uint64_t seed, char **err) {
  sim_world *w = calloc(1, sizeof *w);
  if (!w || !json_is_object(scenario)) {
    free(w);
    *err = strdup("a scenario must be a JSON object");
    return NULL;
  }
  if (!world_alloc(w, scenario, seed) || !sim_scenario_load_settings(w, scenario, err)) {
    if (!*err) *err = strdup("out of memory");
    sim_free(w);
    return NULL;
  }
  w->plant = plant_new(json_object_get(scenario, "plant"), seed, err);
  if (!w->plant) return sim_free(w), NULL;
  w->booting = true;
  if (!sim_scenario_load_objects(w, json_object_get(scenario, "cluster"), err)) return sim_free(w), NULL;
  sim_world_reconcile(w);
  w->booting = false;
  sim_world_forget(w); /* what the controllers saw while booting (no events then) is not reused */
  sim_world_plant_tick(w);
  return w;
}

/* Accepts only requests carrying "Authorization: Bearer TOKEN" for one of the added tokens (or
 * answered with sim_handle_deferred() for a user); with no token added, every caller is accepted. */
bool sim_add_token(sim_world *w, const char *token) {
  return json_array_append_new(w->tokens, json_string(token)) == 0;
}

/* Brings the plant model up to date with the cluster at w->now. */
static void sim_world_plant_tick(sim_world *w) {
  if (!w->plant) return;
  plant_tick(w->plant, &w->view, simw_wall(w, w->now));
  w->plant_ticked = w->now;
}

/* Returns the plant's next change in virtual ms (INT64_MAX when none). */
static int64_t plant_next(sim_world *w) {
  if (!w->plant) return INT64_MAX;
  int64_t t = plant_next_change(w->plant, simw_wall(w, w->now));
  return t == INT64_MAX ? INT64_MAX : t - w->epoch_ms;
}

/* Runs every controller up to virtual time now_ms (ms since the start; never goes backwards). */
void sim_advance(sim_world *w, int64_t now_ms) {
  bool changed = false;
  for (;;) {
    if (w->st.rv != w->reconciled_rv) sim_world_reconcile(w), changed = true;
    int64_t pn = plant_next(w);
    int64_t next = w->next_wake < pn ? w->next_wake : pn;
    if (next > now_ms || next <= w->now) break;
    w->now = next;
    sim_world_reconcile(w);
    sim_world_plant_tick(w);
    changed = true;
  }
  if (now_ms > w->now) w->now = now_ms;
  if (changed || w->now - w->plant_ticked >= 1000) sim_world_plant_tick(w);
}

/* Returns the current virtual time in ms. */
int64_t sim_now(const sim_world *w) { return w->now; }

/* Returns the virtual time at which something will next change by itself (a pod becoming ready, a progress
 * deadline, a job finishing, …), or INT64_MAX when nothing is pending. */
int64_t sim_next_change(sim_world *w) {
  if (w->st.rv != w->reconciled_rv) return w->now;
  int64_t pn = plant_next(w);
  return w->next_wake < pn ? w->next_wake : pn;
}

/* Returns the object (borrowed; valid until the next call on the world) or NULL. */
const json_t *sim_get(sim_world *w, const char *resource, const char *ns, const char *name) {
  return view_get(w, resource, ns, name);
}

/* Returns the world's resourceVersion counter (the latest write). */
uint64_t sim_resource_version(const sim_world *w) { return w->st.rv; }

/* Makes the history keep evicted objects for sim_take_garbage(). */
void sim_defer_release(sim_world *w) { w->st.defer_release = true; }

/* Returns the references evicted since the last call (caller releases them), *n their count. */
json_t **sim_take_garbage(sim_world *w, size_t *n) { return sim_store_take_dead(&w->st, n); }

/* Returns the scenario's "process_stubs" (borrowed; lives as long as the world): the list of {"argv":
 * [glob…], "status", "stdout", "stderr"} that answers run() in a rehearsal (docs/rehearsal.md), or NULL
 * when the scenario has none. */
const json_t *sim_process_stubs(const sim_world *w) { return json_object_get(w->scenario, "process_stubs"); }

/* Returns the world's plant model (borrowed; it lives as long as the world), or NULL when the world has
 * none. */
plant_world *sim_plant(sim_world *w) { return w->plant; }

/* Returns the world's window on its cluster, as the plant model reads it (borrowed; it lives as long as
 * the world). */
const plant_cluster_view *sim_plant_view(sim_world *w) { return &w->view; }
