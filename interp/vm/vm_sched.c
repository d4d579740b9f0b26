/* vm_sched.c — the scheduler's ready queue (FIFO) and timer heap (by time, then insertion order, so
 * runs are deterministic). Timers live in a slab; their ids carry a generation, so a cancelled or
 * fired timer's id never matches a newer one. */
#include "engine_int.h"

#include "grow.h"

#include <stdlib.h>

/* Returns false when out of memory. */
bool vm_sched_init(vm_sched *s) {
  *s = (vm_sched){0};
  s->cap = 64;
  s->ready = malloc(s->cap * sizeof *s->ready);
  return s->ready != NULL;
}

/* Frees the scheduler's arrays. */
void vm_sched_free(vm_sched *s) {
  free(s->ready);
  free(s->heap);
  free(s->timers);
  free(s->free_slots);
  *s = (vm_sched){0};
}

/* Returns true after doubling the ring buffer. */
static bool ready_grow(vm_sched *s) {
  vm_task **r = malloc(s->cap * 2 * sizeof *r);
  if (!r) return false;
  for (size_t i = 0; i < s->count; i++) r[i] = s->ready[(s->head + i) % s->cap];
  free(s->ready);
  s->ready = r;
  s->head = 0;
  s->cap *= 2;
  return true;
}

/* Queues t at the end of the ready queue. */
void vm_sched_ready(engine *e, vm_task *t) {
  vm_sched *s = &e->sched;
  t->state = TS_READY;
  if (t->queued) return;
  if (s->count == s->cap && !ready_grow(s)) {
    e->stop_now = true; /* out of memory: the run cannot continue */
    return;
  }
  s->ready[(s->head + s->count++) % s->cap] = t;
  t->queued = true;
}

/* Returns the next ready task, or NULL. */
vm_task *vm_sched_next(vm_sched *s) {
  if (!s->count) return NULL;
  vm_task *t = s->ready[s->head];
  s->head = (s->head + 1) % s->cap;
  s->count--;
  t->queued = false;
  return t;
}

/* Returns true when heap entry a comes before b. */
static bool before(const vm_heap_entry *a, const vm_heap_entry *b) {
  return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

/* Restores the heap order upwards from i. */
static void sift_up(vm_sched *s, size_t i) {
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!before(&s->heap[i], &s->heap[p])) break;
    vm_heap_entry tmp = s->heap[i];
    s->heap[i] = s->heap[p];
    s->heap[p] = tmp;
    i = p;
  }
}

/* Restores the heap order downwards from i. */
static void sift_down(vm_sched *s, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < s->nheap && before(&s->heap[l], &s->heap[m])) m = l;
    if (r < s->nheap && before(&s->heap[r], &s->heap[m])) m = r;
    if (m == i) break;
    vm_heap_entry tmp = s->heap[i];
    s->heap[i] = s->heap[m];
    s->heap[m] = tmp;
    i = m;
  }
}

/* Returns a free slab slot, or UINT32_MAX when out of memory. */
static uint32_t slot_alloc(vm_sched *s) {
  if (s->nfree) return s->free_slots[--s->nfree];
  size_t tcap = s->timers_cap, fcap = s->timers_cap; /* timers and free_slots grow together */
  if (!GROW(s->timers, tcap, s->ntimers + 1) || !GROW(s->free_slots, fcap, s->ntimers + 1)) return UINT32_MAX;
  s->timers_cap = tcap;
  s->timers[s->ntimers] = (vm_timer){0};
  return (uint32_t)s->ntimers++;
}

/* Returns a new timer's id, or 0 when out of memory. */
uint64_t vm_sched_timer(engine *e, int64_t when, vm_timer_kind kind, vm_task *task, uint64_t region) {
  vm_sched *s = &e->sched;
  if (!GROW(s->heap, s->heap_cap, s->nheap + 1)) return 0;
  uint32_t slot = slot_alloc(s);
  if (slot == UINT32_MAX) return 0;
  vm_timer *tm = &s->timers[slot];
  tm->gen++;
  tm->live = true;
  tm->kind = kind;
  tm->task = task;
  tm->region = region;
  s->heap[s->nheap] = (vm_heap_entry){when, ++s->seq, slot};
  sift_up(s, s->nheap++);
  return ((uint64_t)tm->gen << 32) | (slot + 1);
}

/* Cancels a timer; unknown ids are ignored. */
void vm_sched_cancel_timer(engine *e, uint64_t id) {
  vm_sched *s = &e->sched;
  uint32_t slot = (uint32_t)(id & 0xffffffffu);
  if (!slot || slot > s->ntimers) return;
  vm_timer *tm = &s->timers[slot - 1];
  if (tm->gen == (uint32_t)(id >> 32)) tm->live = false;
}

/* Removes the heap's first entry and frees its slot. */
static void heap_pop(vm_sched *s) {
  uint32_t slot = s->heap[0].slot;
  s->timers[slot].live = false;
  s->free_slots[s->nfree++] = slot;
  s->heap[0] = s->heap[--s->nheap];
  sift_down(s, 0);
}

/* Drops cancelled timers from the top of the heap. */
static void drop_dead(vm_sched *s) {
  while (s->nheap && !s->timers[s->heap[0].slot].live) heap_pop(s);
}

/* Returns when the next live timer is due, or INT64_MAX. */
int64_t vm_sched_next_due(engine *e) {
  drop_dead(&e->sched);
  return e->sched.nheap ? e->sched.heap[0].when : INT64_MAX;
}

/* Pops the next live timer due by now; returns false when none is. */
bool vm_sched_pop_due(engine *e, int64_t now, vm_timer *out) {
  vm_sched *s = &e->sched;
  drop_dead(s);
  if (!s->nheap || s->heap[0].when > now) return false;
  *out = s->timers[s->heap[0].slot];
  heap_pop(s);
  return true;
}
