/* test_kube_simfx.h — the actions of a rehearsal for the actions tests: the real actions over the
 * simulator's transports and kubeconfig, in virtual time, as interp/rehearse wires them.
 *
 * Ownership: the world, stubs, scratch dir and log are borrowed and must outlive the actions; the
 * actions own their transports (free them with a->free); the cluster handle is a new reference.
 */
#ifndef TEST_KUBE_SIMFX_H
#define TEST_KUBE_SIMFX_H

#include <stdio.h>

#include "actions_kube.h"
#include "http_sim.h"
#include "proc_sim.h"
#include "sim.h"
#include "test_kube_fake.h"

/* Returns the actions of a rehearsal over w (stubs answer run(), scratch holds write_file, log takes
 * the lost-answer decisions: NULL for none, none, stderr; max_response 0: the default), or NULL. */
static inline rbk_actions *tk_sim_actions(sim_world *w, const json_t *stubs, const char *scratch, FILE *log,
                                          size_t max_response) {
  char *err = NULL;
  http_transport *tr = http_sim_new(w, 0, &err);
  proc_transport *pt = tr ? proc_sim_new(w, 0, stubs, &err) : NULL;
  if (!pt) {
    if (tr) tr->free(tr->self);
    free(err);
    return NULL;
  }
  actions_kube_config cfg = {.http = tr, .procs = pt, .virtual_time = true, .wall_base_ms = 1767225600000,
                             .kubeconfig_doc = HTTP_SIM_KUBECONFIG, .scratch_dir = scratch, .seed = 1,
                             .log = log, .max_response = max_response};
  rbk_actions *a = actions_kube_new(&cfg, &err);
  free(err);
  return a;
}

/* Returns kube(namespace: ns) of a, with the fake clock back at virtual 0, or NULL. */
static inline rbk_value *tk_sim_cluster(rbk_actions *a, const char *ns) {
  tk_now = 0, tk_real = false;
  const char *names[] = {"namespace"};
  rbk_value *vals[] = {value_cstring(ns)};
  char *err = NULL;
  rbk_value *c = tk_make(a, FN_KUBE, NULL, 1, names, vals, &err);
  free(err);
  return c;
}

#endif
