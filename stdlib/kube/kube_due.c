/* kube_due.c — the due-time heap and finished list of a kube_rt (see kube_due.h). */
#include <stdlib.h>
#include <string.h>

#include "kube_due.h"
#include "grow.h"

/* Returns true when entry a comes before b: by time, then by op id (creation order). */
static bool before(const kube_due_entry *a, const kube_due_entry *b) {
  return a->when < b->when || (a->when == b->when && a->id < b->id);
}

/* Restores the heap order upwards from i. */
static void sift_up(kube_due *d, size_t i) {
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!before(&d->heap[i], &d->heap[p])) break;
    kube_due_entry tmp = d->heap[i];
    d->heap[i] = d->heap[p], d->heap[p] = tmp;
    i = p;
  }
}

/* Restores the heap order downwards from i. */
static void sift_down(kube_due *d, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < d->nheap && before(&d->heap[l], &d->heap[m])) m = l;
    if (r < d->nheap && before(&d->heap[r], &d->heap[m])) m = r;
    if (m == i) break;
    kube_due_entry tmp = d->heap[i];
    d->heap[i] = d->heap[m], d->heap[m] = tmp;
    i = m;
  }
}

/* Returns the op an entry names, or NULL when it was freed since. */
static kube_op *op_of(const kube_due *d, const kube_due_entry *e) {
  return e->slot < d->nslots && d->slots[e->slot].gen == e->gen ? d->slots[e->slot].op : NULL;
}

/* Returns true after giving op a slot. */
bool kube_due_add(kube_due *d, kube_op *op, uint64_t id, uint32_t *slot) {
  if (d->nfree) *slot = d->free[--d->nfree];
  else {
    size_t fcap = d->free_cap;
    if (!GROW(d->slots, d->slots_cap, d->nslots + 1) || !GROW(d->free, fcap, d->nslots + 1)) return false;
    d->free_cap = fcap;
    d->slots[d->nslots] = (kube_due_slot){0};
    *slot = (uint32_t)d->nslots++;
  }
  d->slots[*slot].op = op, d->slots[*slot].id = id;
  return true;
}

/* Frees a slot. */
void kube_due_remove(kube_due *d, uint32_t slot) {
  if (slot >= d->nslots || !d->slots[slot].op) return;
  d->slots[slot].op = NULL;
  d->slots[slot].gen++;
  d->free[d->nfree++] = slot; /* room reserved when the slot was made */
}

/* Drops the entries of freed ops when they are most of the heap (amortised over the pushes). */
static void compact(kube_due *d) {
  size_t live = d->nslots - d->nfree;
  if (d->nheap < 4 * live + 256) return;
  size_t k = 0;
  for (size_t i = 0; i < d->nheap; i++)
    if (op_of(d, &d->heap[i])) d->heap[k++] = d->heap[i];
  d->nheap = k;
  for (size_t i = k / 2; i-- > 0;) sift_down(d, i);
}

/* Notes that the op in slot is due at `when`. */
void kube_due_at(kube_due *d, uint32_t slot, int64_t when) {
  if (when == INT64_MAX || slot >= d->nslots || !d->slots[slot].op) return;
  compact(d);
  if (!GROW(d->heap, d->heap_cap, d->nheap + 1)) {
    d->lost = true;
    return;
  }
  d->heap[d->nheap] = (kube_due_entry){when, d->slots[slot].id, slot, d->slots[slot].gen};
  sift_up(d, d->nheap++);
}

/* Removes the heap's first entry. */
static void pop_top(kube_due *d) {
  d->heap[0] = d->heap[--d->nheap];
  sift_down(d, 0);
}

/* Drops stale entries from the top: freed ops, and times that are no longer the op's (an op
 * due later than its entry says is queued again at its own time). */
static void clean_top(kube_due *d, kube_due_fn timers) {
  while (d->nheap) {
    kube_due_entry e = d->heap[0];
    kube_op *op = op_of(d, &e);
    int64_t t = op ? timers(op) : INT64_MAX;
    if (t == e.when) return;
    pop_top(d);
    if (t != INT64_MAX) kube_due_at(d, e.slot, t); /* its time moved: queued at the new one */
  }
}

/* Returns an op due by now (its entry popped), or NULL. */
kube_op *kube_due_pop(kube_due *d, int64_t now, kube_due_fn timers) {
  clean_top(d, timers);
  if (!d->nheap || d->heap[0].when > now) return NULL;
  kube_op *op = op_of(d, &d->heap[0]);
  pop_top(d);
  return op;
}

/* Returns the earliest due time of any op. */
int64_t kube_due_next(kube_due *d, kube_due_fn timers) {
  clean_top(d, timers);
  return d->nheap ? d->heap[0].when : INT64_MAX;
}

/* Notes that the op in slot finished. */
void kube_due_finished(kube_due *d, uint32_t slot) {
  if (slot >= d->nslots || !d->slots[slot].op) return;
  if (!GROW(d->fin, d->fin_cap, d->nfin + 1)) {
    d->lost = true;
    return;
  }
  d->fin[d->nfin++] = (kube_due_entry){0, d->slots[slot].id, slot, d->slots[slot].gen};
}

/* Moves the finished ops into *out. */
size_t kube_due_take_finished(kube_due *d, kube_op ***out) {
  *out = NULL;
  if (!d->nfin) return 0;
  kube_op **ops = malloc(d->nfin * sizeof *ops);
  if (!ops) return 0;
  size_t n = d->nfin;
  for (size_t i = 0; i < n; i++) ops[i] = op_of(d, &d->fin[i]);
  d->nfin = 0;
  *out = ops;
  return n;
}

/* Returns true (once) when an entry was lost. */
bool kube_due_lost(kube_due *d) {
  bool lost = d->lost;
  d->lost = false;
  return lost;
}

/* Frees the arrays. */
void kube_due_free(kube_due *d) {
  free(d->slots), free(d->free), free(d->heap), free(d->fin);
  memset(d, 0, sizeof *d);
}
