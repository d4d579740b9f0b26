/* sim_jcopy.c — sharing-preserving deep copies: an open-addressing map from original to copy. */
#include "sim_jcopy.h"

#include <stdint.h>
#include <stdlib.h>

/* Returns the slot where v is or would go (cap a power of two, never full). */
static size_t slot_of(const sim_jcopy *m, const json_t *v) {
  uint64_t h = (uint64_t)(uintptr_t)v;
  h ^= h >> 33, h *= 0xff51afd7ed558ccdull, h ^= h >> 33; /* murmur3's finaliser: every bit counts */
  size_t i = (size_t)h & (m->cap - 1);
  while (m->from[i] && m->from[i] != v) i = (i + 1) & (m->cap - 1);
  return i;
}

/* Doubles the map (or makes the first one); false when out of memory. */
static bool grow(sim_jcopy *m) {
  sim_jcopy n = {0};
  n.cap = m->cap ? m->cap * 2 : 256;
  n.from = calloc(n.cap, sizeof *n.from), n.to = calloc(n.cap, sizeof *n.to);
  if (!n.from || !n.to) return free(n.from), free(n.to), false;
  for (size_t i = 0; i < m->cap; i++)
    if (m->from[i]) {
      size_t k = slot_of(&n, m->from[i]);
      n.from[k] = m->from[i], n.to[k] = m->to[i];
    }
  free(m->from), free(m->to);
  m->from = n.from, m->to = n.to, m->cap = n.cap;
  return true;
}

/* Notes c as the copy of v; false when out of memory. */
static bool remember(sim_jcopy *m, const json_t *v, json_t *c) {
  if ((m->len + 1) * 2 > m->cap && !grow(m)) return false;
  size_t i = slot_of(m, v);
  m->from[i] = v, m->to[i] = c;
  m->len++;
  return true;
}


/* Copies v's members into its shell c; false when out of memory. */
static bool fill(sim_jcopy *m, const json_t *v, json_t *c) {
  if (json_is_array(v)) {
    for (size_t i = 0; i < json_array_size(v); i++) {
      json_t *e = sim_jcopy_value(m, json_array_get(v, i));
      if (!e || json_array_append_new(c, e)) return false;
    }
    return true;
  }
  const char *key;
  size_t key_len;
  json_t *e;
  json_object_keylen_foreach((json_t *)v, key, key_len, e) { /* insertion order, as the original's */
    json_t *ce = sim_jcopy_value(m, e);
    if (!ce || json_object_setn_new_nocheck(c, key, key_len, ce)) return false;
  }
  return true;
}

/* Returns the copy of v made before with m (borrowed), or NULL. */
static json_t *known(const sim_jcopy *m, const json_t *v) {
  return m->cap ? m->to[slot_of(m, v)] : NULL;
}

/* Returns a copy of v (new reference; the same copy again when v was copied before): containers
 * copied, scalars shared (see sim_jcopy.h); NULL when v is NULL, or NULL with m->failed set when out
 * of memory. */
json_t *sim_jcopy_value(sim_jcopy *m, const json_t *v) {
  if (!v || m->failed) return NULL;
  if (!json_is_object(v) && !json_is_array(v)) return json_incref((json_t *)v); /* never changed in place */
  json_t *c = known(m, v);
  if (c) return json_incref(c);
  c = json_is_object(v) ? json_object() : json_array();
  if (!c || !remember(m, v, c)) {
    json_decref(c);
    m->failed = true;
    return NULL;
  }
  if (!fill(m, v, c)) {
    m->failed = true; /* c stays in the map: nothing is copied after a failure */
    json_decref(c);
    return NULL;
  }
  return c;
}

/* Returns a new reference to v itself, shared rather than copied (NULL when v is NULL), and makes
 * every later copy of v with m this same v; NULL with m->failed set when out of memory. */
json_t *sim_jcopy_share(sim_jcopy *m, const json_t *v) {
  if (!v || m->failed) return NULL;
  json_t *c = known(m, v);
  if (c) return json_incref(c);
  if (!remember(m, v, (json_t *)v)) return m->failed = true, NULL;
  return json_incref((json_t *)v);
}

/* Returns true when a copy made with m failed (out of memory). */
bool sim_jcopy_failed(const sim_jcopy *m) { return m->failed; }

/* Frees the map (not the copies). */
void sim_jcopy_free(sim_jcopy *m) {
  free(m->from), free(m->to);
  *m = (sim_jcopy){0};
}
