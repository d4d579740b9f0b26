/* sim_memo.c — the controllers' memo tables: open addressing with linear probing; deletion shifts
 * the following entries of the probe run back (no tombstones). */
#include "sim_memo.h"

#include <stdlib.h>
#include <string.h>

#include "sim_util.h"

/* Returns the slot index where key is or would go (cap is a power of two, never full). */
static size_t find(const simm_slot *slots, size_t cap, const char *key) {
  size_t i = sim_util_fnv32(key, strlen(key), SIMU_FNV32_INIT) & (cap - 1);
  while (slots[i].key && strcmp(slots[i].key, key)) i = (i + 1) & (cap - 1);
  return i;
}

/* Returns the entry for key (borrowed; valid until the next put), or NULL. */
const simm_entry *sim_memo_get(const simm_table *t, const char *key) {
  if (!t->cap) return NULL;
  const simm_slot *s = &t->slots[find(t->slots, t->cap, key)];
  return s->key ? &s->e : NULL;
}

/* Doubles the table (or makes the first one); false when out of memory. */
static bool grow(simm_table *t) {
  size_t cap = t->cap ? t->cap * 2 : 64;
  simm_slot *slots = calloc(cap, sizeof *slots);
  if (!slots) return false;
  for (size_t i = 0; i < t->cap; i++)
    if (t->slots[i].key) slots[find(slots, cap, t->slots[i].key)] = t->slots[i];
  free(t->slots);
  t->slots = slots, t->cap = cap;
  return true;
}

/* Sets the entry for key; false when out of memory (the table is unchanged then). */
bool sim_memo_put(simm_table *t, const char *key, simm_entry e) {
  if ((t->len + 1) * 4 > t->cap * 3 && !grow(t)) return false;
  simm_slot *s = &t->slots[find(t->slots, t->cap, key)];
  if (!s->key) {
    if (!(s->key = strdup(key))) return false;
    t->len++;
  }
  s->e = e;
  return true;
}

/* Removes the entry for key (nothing when absent). */
void sim_memo_del(simm_table *t, const char *key) {
  if (!t->cap) return;
  size_t i = find(t->slots, t->cap, key), mask = t->cap - 1;
  if (!t->slots[i].key) return;
  free(t->slots[i].key);
  t->slots[i].key = NULL;
  t->len--;
  for (size_t j = (i + 1) & mask; t->slots[j].key; j = (j + 1) & mask) {
    size_t home = sim_util_fnv32(t->slots[j].key, strlen(t->slots[j].key), SIMU_FNV32_INIT) & mask;
    /* move j back to the hole i unless its home lies cyclically in (i, j] */
    if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
      t->slots[i] = t->slots[j];
      t->slots[j].key = NULL;
      i = j;
    }
  }
}

/* Empties the table (keeps nothing). */
void sim_memo_clear(simm_table *t) {
  for (size_t i = 0; i < t->cap; i++) free(t->slots[i].key);
  free(t->slots);
  t->slots = NULL, t->cap = t->len = 0;
}

/* Returns the number of keys in the table. */
size_t sim_memo_size(const simm_table *t) { return t->len; }

/* Makes dst (uninitialised) a copy of src, slot for slot (the same probe runs, so the same
 * behaviour); false when out of memory (dst is empty then). */
bool sim_memo_clone(simm_table *dst, const simm_table *src) {
  *dst = (simm_table){0};
  if (!src->cap) return true;
  if (!(dst->slots = calloc(src->cap, sizeof *dst->slots))) return false;
  dst->cap = src->cap;
  for (size_t i = 0; i < src->cap; i++) {
    if (!src->slots[i].key) continue;
    if (!(dst->slots[i].key = strdup(src->slots[i].key))) return sim_memo_clear(dst), false;
    dst->slots[i].e = src->slots[i].e;
    dst->len++;
  }
  return true;
}
