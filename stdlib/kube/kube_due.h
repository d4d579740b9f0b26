/* kube_due.h — what a kube_rt's poll has to look at, so that it costs the ops that have something
 * to do and not every op in flight: a heap of due times (each op's deadline, timer and request
 * retries, ordered by time then op id, i.e. creation order, as a scan of the ops in creation
 * order would fire them), and the ops that finished, in completion order.
 *
 * Entries name an op by its slot and the slot's generation, so an entry of an op freed meanwhile
 * is skipped, and an entry whose time is no longer one of the op's (a timer moved, a request
 * sent) is dropped or re-queued at the op's current time when it reaches the top. Every place
 * that sets an op's due time lower calls kube_due_at; raising one needs nothing. When memory runs
 * out an entry may be missing: kube_due_lost() then says so and the caller rebuilds from its ops.
 *
 * Ownership: the ops are borrowed (the caller frees them after kube_due_remove). */
#ifndef RBK_KUBE_DUE_H
#define RBK_KUBE_DUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kube_op kube_op;

/* Returns when op's next timer, deadline or retry is due (INT64_MAX: none, or it ended). */
typedef int64_t (*kube_due_fn)(const kube_op *op);

/* One entry: an op (slot, generation, id) and a time. */
typedef struct {
  int64_t when;
  uint64_t id;
  uint32_t slot, gen;
} kube_due_entry;

/* One slot: the op in it (NULL when free), its id and the slot's generation. */
typedef struct {
  kube_op *op;
  uint64_t id;
  uint32_t gen;
} kube_due_slot;

typedef struct {
  kube_due_slot *slots;
  size_t nslots, slots_cap;
  uint32_t *free;          /* free slots */
  size_t nfree, free_cap;
  kube_due_entry *heap;
  size_t nheap, heap_cap;
  kube_due_entry *fin;     /* finished ops, in completion order (`when` unused) */
  size_t nfin, fin_cap;
  bool lost;               /* an entry could not be added (out of memory) */
} kube_due;

/* Returns true after giving op a slot (*slot set); false when out of memory. */
bool kube_due_add(kube_due *d, kube_op *op, uint64_t id, uint32_t *slot);
/* Frees op's slot: its entries are skipped from now on. */
void kube_due_remove(kube_due *d, uint32_t slot);
/* Notes that the op in slot is due at `when` (INT64_MAX: ignored). */
void kube_due_at(kube_due *d, uint32_t slot, int64_t when);
/* Returns an op whose entry is due by now and still its own (popped), or NULL when none is;
 * `timers` gives an op's current due time. */
kube_op *kube_due_pop(kube_due *d, int64_t now, kube_due_fn timers);
/* Returns the earliest due time of any op (exact: stale entries on top are dropped first). */
int64_t kube_due_next(kube_due *d, kube_due_fn timers);
/* Notes that the op in slot finished (its done callback is due). */
void kube_due_finished(kube_due *d, uint32_t slot);
/* Moves the finished ops noted so far into *out (n entries; caller frees) and empties the list.
 * Returns the number; ops freed meanwhile come back as NULL. */
size_t kube_due_take_finished(kube_due *d, kube_op ***out);
/* Returns true (once) when an entry was lost to a failed allocation; the caller then notes every
 * op's due time again. */
bool kube_due_lost(kube_due *d);
/* Frees the arrays. */
void kube_due_free(kube_due *d);

#endif
