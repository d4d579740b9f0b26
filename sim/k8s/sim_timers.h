/* sim_timers.h — the controllers' timers: a min-heap of (virtual time, kind, store key), so that a
 * reconcile at time t finds the objects whose time came without looking at the others.
 *
 * Entries are never removed before they reach the top: the reconciler checks an entry against the
 * object's memo when it pops or peeks it, and drops it when the memo no longer names that time.
 *
 * Ownership: the heap owns copies of its keys; sim_timers_pop hands the popped key to the caller. */
#ifndef RBK_SIM_TIMERS_H
#define RBK_SIM_TIMERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_res.h"

/* One timer. */
typedef struct {
  int64_t at;     /* virtual ms */
  simr_kind res;
  char *key;      /* store key */
} simt_entry;

/* A min-heap by time (ties: kind, then key); zero-initialised is empty. */
typedef struct {
  simt_entry *v;
  size_t len, cap;
} simt_heap;

/* Adds a timer (the key is copied); false when out of memory. */
bool sim_timers_push(simt_heap *h, int64_t at, simr_kind res, const char *key);
/* Returns the earliest timer (borrowed; valid until the next change), or NULL when empty. */
const simt_entry *sim_timers_top(const simt_heap *h);
/* Removes the earliest timer into *out (the caller frees out->key); false when empty. */
bool sim_timers_pop(simt_heap *h, simt_entry *out);
/* Frees every timer (the heap is empty again). */
void sim_timers_free(simt_heap *h);

/* Makes dst (uninitialised) a copy of src, entry for entry; false when out of memory (dst is empty
 * then). */
bool sim_timers_clone(simt_heap *dst, const simt_heap *src);

#endif
