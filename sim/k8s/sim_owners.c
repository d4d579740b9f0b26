/* sim_owners.c — the store's index of dependents by owner uid. */
#include "sim_owners.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Initialises an empty index; false when out of memory. */
bool sim_owners_init(simo_index *ix) {
  ix->deps = json_object();
  ix->rv = json_object();
  return ix->deps && ix->rv;
}

/* Frees the index's tables. */
void sim_owners_free(simo_index *ix) {
  json_decref(ix->deps);
  json_decref(ix->rv);
  ix->deps = ix->rv = NULL;
}

/* Returns the index entry name "RR:key" of a dependent (new string), or NULL. */
static char *entry(simr_kind res, const char *key) {
  size_t n = strlen(key) + 4;
  char *e = malloc(n);
  if (e) snprintf(e, n, "%02d:%s", (int)res, key);
  return e;
}

/* Returns the uid of an ownerReference, or NULL. */
static const char *ref_uid(const json_t *ref) { return json_string_value(json_object_get(ref, "uid")); }

/* Returns obj's metadata.ownerReferences (borrowed; NULL when absent). */
static json_t *refs_of(const json_t *obj) {
  return json_object_get(json_object_get(obj, "metadata"), "ownerReferences");
}

/* Lists (add) or unlists the dependent entry e under uid, at write rv. */
static void owner_set(simo_index *ix, const char *uid, const char *e, uint64_t rv, bool add) {
  json_t *set = json_object_get(ix->deps, uid);
  if (add && !set) json_object_set_new(ix->deps, uid, set = json_object());
  if (!set) return;
  if (add) json_object_set_new(set, e, json_true());
  else json_object_del(set, e);
  if (json_object_size(set)) {
    json_object_set_new(ix->rv, uid, json_integer((json_int_t)rv));
  } else {
    json_object_del(ix->rv, uid);
    json_object_del(ix->deps, uid);
  }
}

/* Lists (add) or unlists obj (kind res, store key) under each uid it names, at write rv. */
static void owners_update(simo_index *ix, simr_kind res, const char *key, const json_t *obj, uint64_t rv, bool add) {
  json_t *refs = refs_of(obj), *ref;
  size_t i;
  if (!json_array_size(refs)) return;
  char *e = entry(res, key);
  if (!e) return;
  json_array_foreach(refs, i, ref) {
    const char *uid = ref_uid(ref);
    if (uid) owner_set(ix, uid, e, rv, add);
  }
  free(e);
}

/* Lists the stored object obj (kind res, store key) under each uid it names, at write rv. */
void sim_owners_add(simo_index *ix, simr_kind res, const char *key, const json_t *obj, uint64_t rv) {
  owners_update(ix, res, key, obj, rv, true);
}

/* Unlists obj (as it was stored) from each uid it names, at write rv. */
void sim_owners_remove(simo_index *ix, simr_kind res, const char *key, const json_t *obj, uint64_t rv) {
  owners_update(ix, res, key, obj, rv, false);
}

/* Returns the rv of the latest write touching uid's dependents, 0 when it has none. */
uint64_t sim_owners_rv(const simo_index *ix, const char *uid) {
  return (uint64_t)json_integer_value(json_object_get(ix->rv, uid ? uid : ""));
}

/* Orders two C strings for qsort. */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Returns the store keys of uid's dependents of kind res, sorted (new array of strings). */
json_t *sim_owners_keys(const simo_index *ix, simr_kind res, const char *uid) {
  json_t *set = json_object_get(ix->deps, uid ? uid : ""), *out = json_array();
  size_t n = json_object_size(set), k = 0;
  const char **keys = n ? malloc(n * sizeof *keys) : NULL;
  char prefix[4];
  snprintf(prefix, sizeof prefix, "%02d:", (int)res);
  const char *e;
  json_t *v;
  if (keys)
    json_object_foreach(set, e, v) if (!strncmp(e, prefix, 3)) keys[k++] = e + 3;
  if (k > 1) qsort(keys, k, sizeof *keys, cmp_str);
  for (size_t i = 0; i < k; i++) json_array_append_new(out, json_string(keys[i]));
  free(keys);
  return out;
}

/* Makes dst (uninitialised) a copy of src, its JSON copied with m; false when out of memory (dst is
 * empty then). */
bool sim_owners_clone(simo_index *dst, const simo_index *src, sim_jcopy *m) {
  dst->deps = sim_jcopy_value(m, src->deps);
  dst->rv = sim_jcopy_value(m, src->rv);
  if (dst->deps && dst->rv) return true;
  sim_owners_free(dst);
  return false;
}
