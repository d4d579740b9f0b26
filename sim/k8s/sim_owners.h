/* sim_owners.h — the store's index of dependents by owner uid (internal to the store).
 *
 * Every stored object that names a uid in its metadata.ownerReferences is listed under that uid,
 * so the controllers find a ReplicaSet's pods or a Deployment's ReplicaSets without scanning and
 * sorting every object. Each uid also carries the resourceVersion of the latest write that added,
 * changed or removed one of its dependents: a controller that saw that version last time knows
 * that the owner's dependents are exactly as they were.
 *
 * Ownership: the index owns its tables; objects passed in are borrowed. */
#ifndef RBK_SIM_OWNERS_H
#define RBK_SIM_OWNERS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "sim_jcopy.h"
#include "sim_res.h"

typedef struct {
  json_t *deps; /* uid → {"RR:key": true}: RR the two-digit kind, key the store key */
  json_t *rv;   /* uid → the rv of the latest write touching its dependents (absent: none) */
} simo_index;

/* Initialises an empty index; false when out of memory. */
bool sim_owners_init(simo_index *ix);
/* Frees the index's tables. */
void sim_owners_free(simo_index *ix);

/* Lists the stored object obj (kind res, store key) under each uid it names, at write rv. */
void sim_owners_add(simo_index *ix, simr_kind res, const char *key, const json_t *obj, uint64_t rv);
/* Unlists obj (as it was stored) from each uid it names, at write rv. */
void sim_owners_remove(simo_index *ix, simr_kind res, const char *key, const json_t *obj, uint64_t rv);

/* Returns the rv of the latest write touching uid's dependents, 0 when it has none. */
uint64_t sim_owners_rv(const simo_index *ix, const char *uid);
/* Returns the store keys of uid's dependents of kind res, sorted (new array of strings). */
json_t *sim_owners_keys(const simo_index *ix, simr_kind res, const char *uid);

/* Makes dst (uninitialised) a copy of src, its JSON copied with m (sim_jcopy.h); false when out
 * of memory (dst is empty then). */
bool sim_owners_clone(simo_index *dst, const simo_index *src, sim_jcopy *m);

#endif
