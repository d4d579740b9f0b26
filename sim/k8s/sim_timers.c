/* sim_timers.c — the controllers' timers: a binary min-heap. */
#include "sim_timers.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* Returns true when a fires before b (ties: kind, then key, so the order is total). */
static bool before(const simt_entry *a, const simt_entry *b) {
  if (a->at != b->at) return a->at < b->at;
  if (a->res != b->res) return a->res < b->res;
  return strcmp(a->key, b->key) < 0;
}

/* Adds a timer (the key is copied); false when out of memory. */
bool sim_timers_push(simt_heap *h, int64_t at, simr_kind res, const char *key) {
  char *copy = strdup(key);
  if (!copy || !GROW(h->v, h->cap, h->len + 1)) return free(copy), false;
  size_t i = h->len++;
  simt_entry e = {at, res, copy};
  while (i > 0 && before(&e, &h->v[(i - 1) / 2])) {
    h->v[i] = h->v[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h->v[i] = e;
  return true;
}

/* Returns the earliest timer (borrowed; valid until the next change), or NULL when empty. */
const simt_entry *sim_timers_top(const simt_heap *h) { return h->len ? &h->v[0] : NULL; }

/* Removes the earliest timer into *out (the caller frees out->key); false when empty. */
bool sim_timers_pop(simt_heap *h, simt_entry *out) {
  if (!h->len) return false;
  *out = h->v[0];
  simt_entry last = h->v[--h->len];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->len) break;
    if (c + 1 < h->len && before(&h->v[c + 1], &h->v[c])) c++;
    if (!before(&h->v[c], &last)) break;
    h->v[i] = h->v[c];
    i = c;
  }
  if (h->len) h->v[i] = last;
  return true;
}

/* Frees every timer (the heap is empty again). */
void sim_timers_free(simt_heap *h) {
  for (size_t i = 0; i < h->len; i++) free(h->v[i].key);
  free(h->v);
  *h = (simt_heap){0};
}

/* Makes dst (uninitialised) a copy of src, entry for entry (the same heap order); false when out of
 * memory (dst is empty then). */
bool sim_timers_clone(simt_heap *dst, const simt_heap *src) {
  *dst = (simt_heap){0};
  if (!src->len) return true;
  if (!(dst->v = malloc(src->len * sizeof *dst->v))) return false;
  dst->cap = src->len;
  for (; dst->len < src->len; dst->len++) {
    dst->v[dst->len] = src->v[dst->len];
    if (!(dst->v[dst->len].key = strdup(src->v[dst->len].key))) return sim_timers_free(dst), false;
  }
  return true;
}
