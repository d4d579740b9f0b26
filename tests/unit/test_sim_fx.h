/* test_sim_fx.h — the simulator tests' shared fixture: one request through sim_handle, a world for a
 * scenario, and virtual time run forward.
 *
 * Ownership: the returned JSON, raw text and world are new (the caller frees them); the world passed in
 * is borrowed.
 */
#ifndef TEST_SIM_FX_H
#define TEST_SIM_FX_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* Sends one request; returns the parsed body (new; NULL when not JSON), its status in *status and,
 * when text is set, the raw body (caller frees). */
static inline json_t *tsim_req(sim_world *w, const char *method, const char *path, const char *query, const char *ct,
                               const char *body, int *status, char **text) {
  sim_header h[1] = {{"Content-Type", ct ? ct : "application/json"}};
  sim_request r = {method, path, query, h, 1, body, body ? strlen(body) : 0};
  sim_response resp;
  sim_handle(w, &r, &resp);
  *status = resp.status;
  json_t *j = resp.body ? json_loads(resp.body, 0, NULL) : NULL;
  if (text) *text = resp.body ? strdup(resp.body) : NULL;
  sim_watch_free(resp.watch);
  sim_response_clear(&resp);
  return j;
}

/* Sends one request; returns the parsed body (new; NULL when not JSON) and the status. */
static inline json_t *tsim_call(sim_world *w, const char *method, const char *path, const char *query, const char *ct,
                                const char *body, int *status) {
  return tsim_req(w, method, path, query, ct, body, status, NULL);
}

/* Returns a new world for a built-in scenario (or JSON text) with the seed; fails the test when it
 * cannot be built. */
static inline sim_world *tsim_world(const char *scenario, uint64_t seed) {
  char *err = NULL;
  json_t *sc = scenario[0] == '{' ? json_loads(scenario, 0, NULL) : sim_load_scenario(scenario, &err);
  if (!sc) fail_msg("scenario %s: %s", scenario, err ? err : "not JSON");
  sim_world *w = sim_new(sc, seed, &err);
  if (!w) fail_msg("sim_new %s: %s", scenario, err);
  json_decref(sc);
  return w;
}

/* Runs virtual time forward to `until`, stopping at every change on the way. */
static inline void tsim_run_until(sim_world *w, int64_t until) {
  for (int i = 0; i < 100000; i++) {
    int64_t next = sim_next_change(w);
    if (next > until) break;
    sim_advance(w, next);
  }
  sim_advance(w, until);
}

#endif
