/* sim_store.h — the object store: JSON objects keyed by (resource, namespace, name), a global
 * resourceVersion bumped on every write, and a bounded history of changes for watches.
 *
 * Stored objects are immutable: every write stores a new object (callers copy — sim_store_edit, which
 * shares the unchanged members — change the copy, and hand it back), so history entries and
 * borrowed pointers stay valid until the object is replaced or the history entry is evicted. Never
 * change a stored object, or a member shared with one, in place.
 *
 * Ownership: functions taking `json_t *obj` take the caller's reference. Returned objects are
 * borrowed unless the comment says "new". */
#ifndef RBK_SIM_STORE_H
#define RBK_SIM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sim_jcopy.h"
#include "sim_keys.h"
#include "sim_owners.h"
#include "sim_res.h"
#include "sim_util.h"

#define SIMS_EVENT_TYPES(X) X(ADDED) X(MODIFIED) X(DELETED)

typedef enum {
#define X(t) SIMS_##t,
  SIMS_EVENT_TYPES(X)
#undef X
} sims_evtype;

/* One recorded change. obj is the object after the change (for DELETED, its last state carrying
 * the deletion's resourceVersion); old is the object before (NULL for ADDED). */
typedef struct {
  uint64_t rv;
  sims_evtype type;
  simr_kind res;
  json_t *obj;
  json_t *old;
} sims_event;

typedef struct {
  json_t *tables[SIMR_COUNT]; /* key "ns/name" (or "name") → object */
  simk_set keys[SIMR_COUNT];  /* the tables' keys in order */
  uint64_t shape_rv[SIMR_COUNT]; /* per kind: the rv of its latest create, delete or change of
                                    ownerReferences */
  simo_index owners;          /* dependents by owner uid */
  json_t *uids;               /* uid → "RR:key" of the stored object (RR the two-digit kind) */
  bool track[SIMR_COUNT];     /* kinds whose changes are noted in changed[] (the controlled ones) */
  json_t *changed[SIMR_COUNT]; /* per tracked kind: keys written, or whose dependents were, since
                                  the controllers last took them (key → true) */
  bool track_gc;              /* note candidates for the garbage collector in gc_cand */
  json_t *gc_cand;            /* "RR:key" → true: objects created or re-owned with ownerReferences,
                                 and the dependents of deleted objects */
  uint64_t rv;                /* the latest resourceVersion */
  sims_event *hist;           /* ring buffer of hist_cap entries, hist_room of them allocated: it
                                 grows as changes come (until it is full, hist_head stays 0) */
  size_t hist_cap, hist_room, hist_head, hist_len;
  uint64_t floor_rv;          /* changes at or below this rv are no longer in the history */
  bool defer_release;         /* evicted history entries go to dead[] instead of being released */
  json_t **dead;              /* references of evicted entries awaiting sim_store_take_dead() */
  size_t n_dead, dead_cap;
  sim_rng uid_rng;
} sims_store;

/* Initialises an empty store keeping the last hist_cap changes; false when out of memory. */
bool sim_store_init(sims_store *st, size_t hist_cap, uint64_t seed);
/* Frees everything the store holds. */
void sim_store_free(sims_store *st);
/* Makes dst (uninitialised) an exact copy of src: every table, index, counter and the history ring
 * entry for entry, its JSON copied with m (sim_jcopy.h). The stored objects themselves (immutable,
 * above) are shared with src, each with a reference of its own; everything that changes is
 * copied. False when out of memory (dst is empty then). */
bool sim_store_clone(sims_store *dst, const sims_store *src, sim_jcopy *m);

/* Returns the object or NULL. ns is ignored for cluster-scoped kinds. */
const json_t *sim_store_get(const sims_store *st, simr_kind res, const char *ns, const char *name);
/* Returns a new array of the objects (ns NULL = every namespace), sorted by namespace and name. */
json_t *sim_store_list(sims_store *st, simr_kind res, const char *ns);
/* Returns the keys of a kind's objects, sorted (a new array of strings). */
json_t *sim_store_keys(sims_store *st, simr_kind res);
/* Returns a new array of the objects of kind res (ns NULL = every namespace) whose
 * ownerReferences name uid, sorted by namespace and name. */
json_t *sim_store_dependents(const sims_store *st, simr_kind res, const char *ns, const char *uid);
/* Returns the rv of the latest write that added, changed or removed an object whose
 * ownerReferences name uid (0 when no object names it). */
uint64_t sim_store_owner_rv(const sims_store *st, const char *uid);
/* Returns the number of stored objects of a kind. */
size_t sim_store_count(const sims_store *st, simr_kind res);

/* Returns the stored object with this uid (borrowed; NULL when none), its kind in *res. */
const json_t *sim_store_by_uid(const sims_store *st, const char *uid, simr_kind *res);
/* Returns the keys of kind res noted in changed[] (a new object key → true) and forgets them. */
json_t *sim_store_take_changed(sims_store *st, simr_kind res);
/* Notes key (kind res) as changed, when the kind is tracked. */
void sim_store_note(sims_store *st, simr_kind res, const char *key);

/* Returns a new random UUID string (new reference) from the store's seeded uid stream. */
json_t *sim_store_new_uid(sims_store *st);
/* Returns a copy of a stored object to change and hand to sim_store_update (new): its top level and
 * its metadata are copies, every other member is shared with the stored object, so replace those
 * members (json_object_set_new) rather than change them in place. */
json_t *sim_store_edit(const json_t *stored);
/* Stores a new object (takes obj): sets metadata.namespace/resourceVersion, metadata.uid (unless the
 * object carries one: the API door assigns a Job's before defaulting its selector), generation 1 for
 * kinds that have one (unless it carries a positive one), and creationTimestamp (epoch_ms) unless
 * the object already has one.
 * Returns the stored object, or NULL when one with that key exists (obj is released). */
const json_t *sim_store_create(sims_store *st, simr_kind res, json_t *obj, int64_t epoch_ms);
/* Replaces the object with the same key (takes obj), keeping uid and creationTimestamp and bumping
 * metadata.generation when spec changed. An update that changes nothing is not a write: the old
 * object is returned unchanged. Returns NULL when there is no such object (obj is released). */
const json_t *sim_store_update(sims_store *st, simr_kind res, json_t *obj);
/* Returns obj (taken) as sim_store_update would store it — uid, creationTimestamp and generation
 * settled, resourceVersion the stored one — without storing it or consuming a resourceVersion (the
 * answer to a dry-run update) (new); NULL when there is no such object. */
json_t *sim_store_preview_update(const sims_store *st, simr_kind res, json_t *obj);
/* Removes the object; returns false when there was none. */
bool sim_store_delete(sims_store *st, simr_kind res, const char *ns, const char *name);

/* Returns the references the history evicted since the last call (a new array of n_dead
 * references, NULL when none, *n their count): the caller releases them (json_decref) and frees the
 * array — outside the world's lock, since releasing a large object is most of a write's cost. Only
 * used with defer_release set. */
json_t **sim_store_take_dead(sims_store *st, size_t *n);

/* Returns the i-th retained change, oldest first (i < st->hist_len). */
const sims_event *sim_store_hist_at(const sims_store *st, size_t i);
/* Returns the index of the first retained change with rv > after (hist_len when none). */
size_t sim_store_hist_after(const sims_store *st, uint64_t after);

/* Returns a new "ns/name" key (or "name" for cluster-scoped kinds). */
char *sim_store_key(simr_kind res, const char *ns, const char *name);

#endif
