/* sim_memo.h — what a controller last saw of each object, so that a reconcile pass syncs only the
 * objects whose inputs changed or whose time came (see sim_world_reconcile in sim_world_reconcile.c).
 *
 * An entry says: "syncing the object at resourceVersion rv, with its dependents at version deps,
 * wrote nothing and set the timer wake; nothing in it can happen by itself before recheck". A
 * table maps store keys ("ns/name") to entries.
 *
 * Ownership: the table owns copies of its keys. */
#ifndef RBK_SIM_MEMO_H
#define RBK_SIM_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One object's last quiet sync. */
typedef struct {
  uint64_t rv;     /* the object's resourceVersion then (0: no quiet sync to remember) */
  uint64_t deps;   /* sim_store_owner_rv of the object's uid then (0 for kinds without dependents) */
  int64_t wake;    /* the earliest timer the sync set (simw_wake_at), INT64_MAX when none */
  int64_t recheck; /* the earliest virtual time at which the sync may act by itself (<= wake) */
} simm_entry;

/* One slot of the open-addressing table (key NULL: free). */
typedef struct {
  char *key;
  simm_entry e;
} simm_slot;

/* A key → entry table; zero-initialised is empty. */
typedef struct {
  simm_slot *slots;
  size_t cap, len;
} simm_table;

/* Returns the entry for key (borrowed; valid until the next put), or NULL. */
const simm_entry *sim_memo_get(const simm_table *t, const char *key);
/* Sets the entry for key; false when out of memory (the table is unchanged then). */
bool sim_memo_put(simm_table *t, const char *key, simm_entry e);
/* Removes the entry for key (nothing when absent). */
void sim_memo_del(simm_table *t, const char *key);
/* Empties the table (keeps nothing). */
void sim_memo_clear(simm_table *t);
/* Returns the number of keys in the table. */
size_t sim_memo_size(const simm_table *t);

/* Makes dst (uninitialised) a copy of src, slot for slot; false when out of memory (dst is empty
 * then). */
bool sim_memo_clone(simm_table *dst, const simm_table *src);

#endif
