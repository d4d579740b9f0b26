/* fuzz_scenario.c — libFuzzer target: arbitrary bytes as a scenario file through the loader
 * (sim_load_scenario: JSON, "extends" chains over the built-in scenarios, merges) and the world
 * built from it (sim_new: validation of every section, the objects, faults, stubs, the plant),
 * then 30 virtual seconds of its controllers. Nothing may crash, leak, hang or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "sim.h"

/* Returns 0 always (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file(data, size, ".json");
  char *err = NULL;
  json_t *sc = sim_load_scenario(path, &err);
  free(err), err = NULL;
  if (!sc) return 0;
  sim_world *w = sim_new(sc, 1, &err);
  free(err);
  json_decref(sc);
  if (!w) return 0;
  for (int64_t t = 1000; t <= 30000 && sim_next_change(w) != INT64_MAX; t += 1000) sim_advance(w, t);
  sim_free(w);
  return 0;
}
