/* sim_keys.c — a sorted set of store keys: binary search, insertion and removal by moving the tail. */
#include "sim_keys.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* Returns the index of the first key >= key (s->len when none). */
static size_t sim_keys_lower(const simk_set *s, const char *key) {
  size_t lo = 0, hi = s->len;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(s->v[mid], key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Adds key (copied); false when out of memory. Adding a present key changes nothing. */
bool sim_keys_add(simk_set *s, const char *key) {
  size_t i = sim_keys_lower(s, key);
  if (i < s->len && !strcmp(s->v[i], key)) return true;
  char *copy = strdup(key);
  if (!copy || !GROW(s->v, s->cap, s->len + 1)) return free(copy), false;
  memmove(s->v + i + 1, s->v + i, (s->len - i) * sizeof *s->v);
  s->v[i] = copy;
  s->len++;
  return true;
}

/* Removes key; false when it was not there. */
bool sim_keys_remove(simk_set *s, const char *key) {
  size_t i = sim_keys_lower(s, key);
  if (i == s->len || strcmp(s->v[i], key)) return false;
  free(s->v[i]);
  memmove(s->v + i, s->v + i + 1, (s->len - i - 1) * sizeof *s->v);
  s->len--;
  return true;
}

/* Returns [*from, *to): the keys of namespace ns ("ns/…"), every key when ns is NULL. The keys
 * "ns/…" are contiguous: '/' sorts before every character a namespace name may carry after it. */
void sim_keys_range(const simk_set *s, const char *ns, size_t *from, size_t *to) {
  if (!ns) {
    *from = 0, *to = s->len;
    return;
  }
  size_t n = strlen(ns);
  char *lo = malloc(n + 2);
  if (!lo) {
    *from = *to = 0;
    return;
  }
  memcpy(lo, ns, n);
  lo[n] = '/', lo[n + 1] = 0;
  *from = sim_keys_lower(s, lo);
  lo[n] = '/' + 1; /* "ns0": the first key past every "ns/…" */
  *to = sim_keys_lower(s, lo);
  free(lo);
}

/* Returns a new array of the keys, as JSON strings. */
json_t *sim_keys_json(const simk_set *s) {
  json_t *out = json_array();
  for (size_t i = 0; out && i < s->len; i++) json_array_append_new(out, json_string(s->v[i]));
  return out;
}

/* Frees the keys (the set is empty again). */
void sim_keys_free(simk_set *s) {
  for (size_t i = 0; i < s->len; i++) free(s->v[i]);
  free(s->v);
  *s = (simk_set){0};
}

/* Makes dst (uninitialised) a copy of src; false when out of memory (dst is empty then). */
bool sim_keys_clone(simk_set *dst, const simk_set *src) {
  *dst = (simk_set){0};
  if (!src->len) return true;
  if (!(dst->v = malloc(src->len * sizeof *dst->v))) return false;
  dst->cap = src->len;
  for (; dst->len < src->len; dst->len++)
    if (!(dst->v[dst->len] = strdup(src->v[dst->len]))) return sim_keys_free(dst), false;
  return true;
}
