/* sim_jcopy.h — copies of JSON values that keep the originals' sharing: a container reached twice
 * (the same object under two keys, or in two structures) is copied once and the copy is reached
 * twice, so code that compares json_t pointers behaves on the copies as on the originals. One map
 * serves a whole copy (every value of a world: sim_clone), so sharing across structures is kept.
 *
 * What is shared instead of copied, and why that is safe:
 * - scalars (strings, numbers; true, false and null are jansson's singletons): nothing in the
 *   simulator changes a JSON scalar in place (json_string_set and the like are used only on a
 *   scalar the caller just made and owns alone, sim_api_dryrun.c), so a scalar is as good as a copy;
 * - values passed to sim_jcopy_share (the store's objects: sim_store_clone), which the caller
 *   knows are never changed in place; a later copy of a container holding one holds it too.
 * Objects and arrays are copied, members in the original's order.
 *
 * Ownership: sim_jcopy_value returns a new reference; the map keeps no reference (it maps
 * originals, borrowed, to copies owned by whoever holds them), so it must not outlive the copy
 * it serves. */
#ifndef RBK_SIM_JCOPY_H
#define RBK_SIM_JCOPY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Original → copy, by pointer; zero-initialised is empty. */
typedef struct sim_jcopy {
  const json_t **from;
  json_t **to;
  size_t cap, len;
  bool failed; /* out of memory once: every later copy fails too */
} sim_jcopy;

/* Returns a copy of v (new reference; the same copy again when v was copied before with this map):
 * its objects and arrays copied, its scalars and shared values not; NULL when v is NULL, or NULL
 * with m->failed set when out of memory. */
json_t *sim_jcopy_value(sim_jcopy *m, const json_t *v);
/* Returns a new reference to v itself, shared rather than copied (NULL when v is NULL), and makes
 * every later copy of v with m this same v; NULL with m->failed set when out of memory. */
json_t *sim_jcopy_share(sim_jcopy *m, const json_t *v);
/* Returns true when a copy made with m failed (out of memory). */
bool sim_jcopy_failed(const sim_jcopy *m);
/* Frees the map (not the copies). */
void sim_jcopy_free(sim_jcopy *m);

#endif
