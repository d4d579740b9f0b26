/* sim_keys.h — a sorted set of store keys ("ns/name"), kept in order as keys come and go, so the
 * store lists a kind (or one namespace of it) in order without sorting or scanning the other
 * namespaces.
 *
 * Ownership: the set owns copies of its keys; returned keys are borrowed and valid until the next
 * change to the set. */
#ifndef RBK_SIM_KEYS_H
#define RBK_SIM_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Keys in strcmp order; zero-initialised is empty. */
typedef struct {
  char **v;
  size_t len, cap;
} simk_set;

/* Adds key (copied); false when out of memory. Adding a present key changes nothing. */
bool sim_keys_add(simk_set *s, const char *key);
/* Removes key; false when it was not there. */
bool sim_keys_remove(simk_set *s, const char *key);
/* Returns [*from, *to): the keys of namespace ns ("ns/…"), every key when ns is NULL. */
void sim_keys_range(const simk_set *s, const char *ns, size_t *from, size_t *to);
/* Returns a new array of the keys, as JSON strings. */
json_t *sim_keys_json(const simk_set *s);
/* Frees the keys (the set is empty again). */
void sim_keys_free(simk_set *s);

/* Makes dst (uninitialised) a copy of src; false when out of memory (dst is empty then). */
bool sim_keys_clone(simk_set *dst, const simk_set *src);

#endif
