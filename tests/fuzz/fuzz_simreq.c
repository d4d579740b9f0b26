/* fuzz_simreq.c — libFuzzer target: the simulator's HTTP request handling, in-process through its
 * entry point sim_handle (the path both front doors take), against a small world per input.
 *
 * Input: up to 8 requests separated by "\n===\n", each written like HTTP/1.1 without the version
 * (simreq_input.h). The query reaches the API server raw (labelSelector, fieldSelector, dryRun,
 * fieldManager, watch, …); the headers too (Content-Type picks json-patch, merge-patch or
 * strategic-merge-patch for PATCH). After each request the world moves 500 virtual ms on (the
 * controllers run); a watch is polled over that time, then dropped. Nothing may crash, leak, hang or
 * read out of bounds, and the world stays small: every input starts from the same one, whose
 * workloads may ask for at most SIMREQ_MAX_REPLICAS pods, and ends once the world holds more than
 * SIMREQ_MAX_PODS pods.
 *
 * The world is built once per process (the template) and every input gets an exact copy of it
 * (sim_clone): building it was 70 % of an input. At the first input and every TEMPLATE_CHECK_EVERY
 * inputs after, a copy of the template is probed (simreq_probe) and must answer byte for byte as a
 * freshly built world does: the template never changes, and a copy is a fresh world. The input
 * that aborts then is not necessarily the one that changed the template: replay the inputs run
 * since the last check with SIMREQ_CHECK_EVERY=1 in the environment (a check after every input). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "sim.h"
#include "simreq_input.h"

/* How often (in inputs) the template is checked, unless SIMREQ_CHECK_EVERY says otherwise. */
#define TEMPLATE_CHECK_EVERY 1000

/* Returns a new world of the fixed scenario; aborts when it cannot be built (it is valid). */
static sim_world *fresh_world(void) {
  static json_t *scenario;
  if (!scenario && !(scenario = json_loads(SIMREQ_SCENARIO, 0, NULL))) abort();
  char *err = NULL;
  sim_world *w = sim_new(scenario, 1, &err);
  if (!w) abort();
  return w;
}

/* Aborts (a finding) when a copy of the template no longer answers the probe as a fresh world did. */
static void check_template(const sim_world *tmpl) {
  static char *want;
  if (!want) {
    sim_world *w = fresh_world();
    simreq_log lg = {0};
    simreq_probe(w, &lg);
    sim_free(w);
    want = lg.p;
  }
  char *got = simreq_probe_copy(tmpl);
  if (strcmp(want, got)) {
    fprintf(stderr, "fuzz_simreq: the template world changed, or a copy differs from a fresh world\n");
    abort();
  }
  free(got);
}

/* Returns 0 always (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static sim_world *tmpl;
  static unsigned long inputs, every;
  if (!tmpl) {
    tmpl = fresh_world();
    const char *e = getenv("SIMREQ_CHECK_EVERY");
    every = e && strtoul(e, NULL, 10) ? strtoul(e, NULL, 10) : TEMPLATE_CHECK_EVERY;
  }
  if (inputs++ % every == 0) check_template(tmpl);
  sim_world *w = simreq_copy(tmpl);
  simreq_run(w, (const char *)data, size, NULL);
  sim_free(w);
  if (every == 1) check_template(tmpl); /* the input just run left the template as it was */
  return 0;
}
