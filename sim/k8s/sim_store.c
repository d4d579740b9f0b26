/* sim_store.c — the object store and its change history. */
#include "sim_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* Initialises an empty store keeping the last hist_cap changes; false when out of memory. */
bool sim_store_init(sims_store *st, size_t hist_cap, uint64_t seed) {
  memset(st, 0, sizeof *st);
  for (int i = 0; i < SIMR_COUNT; i++)
    if (!(st->tables[i] = json_object()) || !(st->changed[i] = json_object())) return false;
  if (!sim_owners_init(&st->owners) || !(st->uids = json_object()) || !(st->gc_cand = json_object())) return false;
  st->hist_cap = hist_cap ? hist_cap : 1;
  st->hist_room = st->hist_cap < 64 ? st->hist_cap : 64; /* a world rarely needs its whole history */
  st->hist = calloc(st->hist_room, sizeof *st->hist);
  sim_util_rng_seed(&st->uid_rng, seed ^ 0x75696473ull);
  return st->hist != NULL;
}

/* Releases one history entry's references. */
static void event_clear(sims_event *e) {
  json_decref(e->obj);
  json_decref(e->old);
  e->obj = e->old = NULL;
}

/* Frees everything the store holds. */
void sim_store_free(sims_store *st) {
  for (int i = 0; i < SIMR_COUNT; i++) json_decref(st->tables[i]), json_decref(st->changed[i]), sim_keys_free(&st->keys[i]);
  sim_owners_free(&st->owners);
  json_decref(st->uids);
  json_decref(st->gc_cand);
  for (size_t i = 0; i < st->hist_len; i++) event_clear(&st->hist[(st->hist_head + i) % st->hist_cap]);
  free(st->hist);
  for (size_t i = 0; i < st->n_dead; i++) json_decref(st->dead[i]);
  free(st->dead);
  memset(st, 0, sizeof *st);
}

/* Returns a copy of a table (key → stored object): a new object in the same key order, holding the
 * same stored objects (shared: see sim_store_clone); NULL when out of memory. */
static json_t *table_clone(const json_t *t, sim_jcopy *m) {
  json_t *c = json_object(), *v;
  const char *key;
  size_t len;
  json_object_keylen_foreach((json_t *)t, key, len, v) {
    json_t *o = c ? sim_jcopy_share(m, v) : NULL;
    if (!o || json_object_setn_new_nocheck(c, key, len, o)) return json_decref(c), NULL; /* setn took o */
  }
  return c;
}

/* Copies src's history ring into dst's (dst->hist allocated, dst->hist_len 0), entry for entry at
 * the same positions; false when out of memory (the entries copied so far are counted). */
static bool hist_clone(sims_store *dst, const sims_store *src, sim_jcopy *m) {
  for (; dst->hist_len < src->hist_len; dst->hist_len++) {
    size_t at = (src->hist_head + dst->hist_len) % src->hist_cap;
    sims_event e = src->hist[at];
    e.obj = sim_jcopy_share(m, e.obj), e.old = sim_jcopy_share(m, e.old);
    if (sim_jcopy_failed(m)) return json_decref(e.obj), json_decref(e.old), false;
    dst->hist[at] = e;
  }
  return true;
}

/* Copies src's evicted references awaiting sim_store_take_dead into dst's (dst->dead empty); false
 * when out of memory. */
static bool dead_clone(sims_store *dst, const sims_store *src, sim_jcopy *m) {
  if (!src->n_dead) return true;
  if (!(dst->dead = malloc(src->n_dead * sizeof *dst->dead))) return false;
  dst->dead_cap = src->n_dead;
  for (; dst->n_dead < src->n_dead; dst->n_dead++) dst->dead[dst->n_dead] = sim_jcopy_share(m, src->dead[dst->n_dead]);
  return !sim_jcopy_failed(m);
}

/* Makes dst (uninitialised) an exact copy of src, its JSON copied with m; false when out of memory
 * (dst is empty then). The stored objects — the tables' values, the history's and the evicted
 * entries — are shared with src, not copied: the store never changes a stored object in place
 * (every write stores a new one, sim_store.h), which the history and sim_handle_deferred's
 * rendering outside the world's lock rely on already; so src and dst cannot change each other's
 * through them. The tables, indexes and ring that hold them are copied. (The simreq fuzz target
 * checks that its template world never changes: tests/fuzz/fuzz_simreq.c.) */
bool sim_store_clone(sims_store *dst, const sims_store *src, sim_jcopy *m) {
  memset(dst, 0, sizeof *dst);
  memcpy(dst->shape_rv, src->shape_rv, sizeof dst->shape_rv);
  memcpy(dst->track, src->track, sizeof dst->track);
  dst->track_gc = src->track_gc, dst->rv = src->rv, dst->floor_rv = src->floor_rv;
  dst->defer_release = src->defer_release, dst->uid_rng = src->uid_rng;
  dst->hist_cap = src->hist_cap, dst->hist_room = src->hist_room, dst->hist_head = src->hist_head;
  bool ok = true;
  for (int i = 0; i < SIMR_COUNT; i++) {
    ok = ok && (dst->tables[i] = table_clone(src->tables[i], m));
    dst->changed[i] = sim_jcopy_value(m, src->changed[i]);
    ok = ok && sim_keys_clone(&dst->keys[i], &src->keys[i]);
  }
  ok = ok && sim_owners_clone(&dst->owners, &src->owners, m);
  dst->uids = sim_jcopy_value(m, src->uids);
  dst->gc_cand = sim_jcopy_value(m, src->gc_cand);
  ok = ok && (dst->hist = calloc(src->hist_room, sizeof *dst->hist)) && hist_clone(dst, src, m) &&
       dead_clone(dst, src, m) && !sim_jcopy_failed(m);
  if (!ok) sim_store_free(dst);
  return ok;
}

/* Returns a new "ns/name" key (or "name" for cluster-scoped kinds). */
char *sim_store_key(simr_kind res, const char *ns, const char *name) {
  if (!sim_res_info_of(res)->namespaced || !ns) return strdup(name);
  return strutil_printf("%s/%s", ns, name);
}

/* Returns the object or NULL. */
const json_t *sim_store_get(const sims_store *st, simr_kind res, const char *ns, const char *name) {
  if (!name) return NULL;
  char *key = sim_store_key(res, ns, name);
  const json_t *o = key ? json_object_get(st->tables[res], key) : NULL;
  free(key);
  return o;
}

/* Returns the keys of a kind's objects, sorted (a new array of strings). */
json_t *sim_store_keys(sims_store *st, simr_kind res) { return sim_keys_json(&st->keys[res]); }

/* Returns true when obj (kind res) is in namespace ns (always when ns is NULL). */
static bool in_ns(simr_kind res, const json_t *obj, const char *ns) {
  return !ns || !sim_res_info_of(res)->namespaced || !strcmp(sim_util_jstr(obj, "metadata.namespace", ""), ns);
}

/* Returns a new array of the objects of the kind under the sorted keys (an array) that are in ns. */
static json_t *objects_of(const sims_store *st, simr_kind res, const json_t *keys, const char *ns) {
  json_t *out = json_array(), *k;
  size_t i;
  json_array_foreach(keys, i, k) {
    json_t *o = json_object_get(st->tables[res], json_string_value(k));
    if (o && in_ns(res, o, ns)) json_array_append(out, o);
  }
  return out;
}

/* Returns a new array of the objects (ns NULL = every namespace), sorted by namespace and name. */
json_t *sim_store_list(sims_store *st, simr_kind res, const char *ns) {
  const simk_set *keys = &st->keys[res];
  size_t from, to;
  sim_keys_range(keys, sim_res_info_of(res)->namespaced ? ns : NULL, &from, &to);
  json_t *out = json_array();
  for (size_t i = from; out && i < to; i++) json_array_append(out, json_object_get(st->tables[res], keys->v[i]));
  return out;
}

/* Returns a new array of the objects of kind res (ns NULL = every namespace) whose ownerReferences name
 * uid, sorted by namespace and name. */
json_t *sim_store_dependents(const sims_store *st, simr_kind res, const char *ns, const char *uid) {
  json_t *keys = sim_owners_keys(&st->owners, res, uid), *out = objects_of(st, res, keys, ns);
  json_decref(keys);
  return out;
}

/* Returns the rv of the latest write that added, changed or removed an object whose ownerReferences name
 * uid (0 when no object names it). */
uint64_t sim_store_owner_rv(const sims_store *st, const char *uid) { return sim_owners_rv(&st->owners, uid); }

/* Returns the number of stored objects of a kind. */
size_t sim_store_count(const sims_store *st, simr_kind res) { return json_object_size(st->tables[res]); }

/* Returns true when the ring has room for one more change without evicting one, growing it as
 * needed (base/grow.h: doubling, so it may end up to twice hist_cap long; the entries past
 * hist_cap are never used); out of memory, the history keeps no more than it holds. */
static bool hist_has_room(sims_store *st) {
  if (st->hist_len == st->hist_cap) return false;
  if (st->hist_len < st->hist_room || GROW(st->hist, st->hist_room, st->hist_len + 1)) return true;
  st->hist_cap = st->hist_len; /* hist_head is 0 until the ring is first full */
  return false;
}

/* Appends a change to the history ring (takes obj and old). */
static void record(sims_store *st, sims_evtype type, simr_kind res, json_t *obj, json_t *old) {
  if (!hist_has_room(st)) {
    sims_event *e = &st->hist[st->hist_head];
    st->floor_rv = e->rv;
    if (st->defer_release && GROW(st->dead, st->dead_cap, st->n_dead + 2)) {
      st->dead[st->n_dead++] = e->obj, st->dead[st->n_dead++] = e->old;
      e->obj = e->old = NULL;
    }
    event_clear(e);
    st->hist_head = (st->hist_head + 1) % st->hist_cap;
    st->hist_len--;
  }
  sims_event *e = &st->hist[(st->hist_head + st->hist_len) % st->hist_cap];
  *e = (sims_event){st->rv, type, res, obj, old};
  st->hist_len++;
}

/* Sets metadata.resourceVersion to the store's next version; returns it. */
static uint64_t stamp(sims_store *st, json_t *obj) {
  char rv[32];
  snprintf(rv, sizeof rv, "%" PRIu64, ++st->rv);
  sim_util_jset_str(sim_util_jobj(obj, "metadata"), "resourceVersion", rv);
  return st->rv;
}

/* Returns a new random UUID string (new reference) from the store's seeded uid stream. */
json_t *sim_store_new_uid(sims_store *st) {
  uint64_t a = sim_util_rng_next(&st->uid_rng), b = sim_util_rng_next(&st->uid_rng);
  char buf[40];
  snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012" PRIx64, (unsigned)(a >> 32),
           (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff, (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
           (uint64_t)(b & 0xffffffffffffull));
  return json_string(buf);
}

/* Notes a write to kind res at the current rv (keys_changed: an object was added or removed;
 * shaped: that, or an object's ownerReferences changed). */
static void touched(sims_store *st, simr_kind res, bool keys_changed, bool shaped) {
  if (keys_changed || shaped) st->shape_rv[res] = st->rv;
}

/* Returns a new "RR:key" entry name (RR the two-digit kind). */
static char *entry_name(simr_kind res, const char *key) { return strutil_printf("%02d:%s", (int)res, key); }

/* Notes key (kind res) as changed, when the kind is tracked. */
void sim_store_note(sims_store *st, simr_kind res, const char *key) {
  if (st->track[res]) json_object_set_new(st->changed[res], key, json_true());
}

/* Notes as changed the owners named by obj's ownerReferences (their dependents changed). */
static void note_owners(sims_store *st, const json_t *obj) {
  size_t i;
  json_t *ref;
  json_array_foreach(sim_util_jpath(obj, "metadata.ownerReferences"), i, ref) {
    const char *e = json_string_value(json_object_get(st->uids, sim_util_jstr(ref, "uid", "")));
    if (e && strlen(e) > 3) sim_store_note(st, (simr_kind)atoi(e), e + 3);
  }
}

/* Notes a write of key (kind res) from old to obj (either NULL for a create or a delete): the
 * object and the owners of both versions changed; the collector looks at a dependent created or
 * re-owned, and at every dependent of a deleted object. */
static void note_write(sims_store *st, simr_kind res, const char *key, const json_t *old, const json_t *obj, bool shaped) {
  sim_store_note(st, res, key);
  if (old) note_owners(st, old);
  if (obj) note_owners(st, obj);
  if (!st->track_gc) return;
  if (obj && shaped && json_array_size(sim_util_jpath(obj, "metadata.ownerReferences"))) {
    char *e = entry_name(res, key);
    if (e) json_object_set_new(st->gc_cand, e, json_true());
    free(e);
  }
  if (!obj) {
    const char *e;
    json_t *v;
    json_object_foreach(json_object_get(st->owners.deps, sim_util_jstr(old, "metadata.uid", "")), e, v)
      json_object_set_new(st->gc_cand, e, json_true());
  }
}

/* Drops uid from the uid index when it names this object (a uid carried by two objects stays
 * with the one that still exists). */
static void forget_uid(sims_store *st, simr_kind res, const char *key, const char *uid) {
  char *e = entry_name(res, key);
  const char *cur = json_string_value(json_object_get(st->uids, uid));
  if (e && cur && !strcmp(cur, e)) json_object_del(st->uids, uid);
  free(e);
}

/* Returns the stored object with this uid (borrowed; NULL when none), its kind in *res. */
const json_t *sim_store_by_uid(const sims_store *st, const char *uid, simr_kind *res) {
  const char *e = json_string_value(json_object_get(st->uids, uid ? uid : ""));
  if (!e || strlen(e) < 3) return NULL;
  *res = (simr_kind)atoi(e);
  return json_object_get(st->tables[*res], e + 3);
}

/* Returns the keys of kind res noted in changed[] (a new object key → true) and forgets them. */
json_t *sim_store_take_changed(sims_store *st, simr_kind res) {
  json_t *out = st->changed[res], *fresh = json_object();
  if (!fresh) return json_object();
  st->changed[res] = fresh;
  return out;
}

/* Returns true when two objects carry different ownerReferences. */
static bool refs_differ(const json_t *a, const json_t *b) {
  json_t *x = sim_util_jpath(a, "metadata.ownerReferences"), *y = sim_util_jpath(b, "metadata.ownerReferences");
  return x != y && !(x && y && json_equal(x, y));
}

/* Returns a copy of a stored object to change and hand to sim_store_update (new): its top level and its
 * metadata are copies, every other member is shared with the stored object, so replace those members
 * (json_object_set_new) rather than change them in place. */
json_t *sim_store_edit(const json_t *stored) {
  json_t *c = json_copy((json_t *)stored), *meta = json_object_get(stored, "metadata");
  if (c && json_is_object(meta)) json_object_set_new(c, "metadata", json_copy(meta));
  return c;
}

/* Returns the object's key (new string) or NULL when it has no name. */
static char *obj_key(simr_kind res, const json_t *obj) {
  const char *name = sim_util_jstr(obj, "metadata.name", NULL);
  return name ? sim_store_key(res, sim_util_jstr(obj, "metadata.namespace", "default"), name) : NULL;
}

/* Stores a new object (takes obj): sets metadata.namespace/resourceVersion, metadata.uid (unless the
 * object carries one: the API door assigns a Job's before defaulting its selector), generation 1 for kinds
 * that have one (unless it carries a positive one), and creationTimestamp (epoch_ms) unless the object
 * already has one. */
const json_t *sim_store_create(sims_store *st, simr_kind res, json_t *obj, int64_t epoch_ms) {
  json_t *meta = sim_util_jobj(obj, "metadata");
  if (sim_res_info_of(res)->namespaced && !json_is_string(json_object_get(meta, "namespace")))
    sim_util_jset_str(meta, "namespace", "default");
  if (!sim_res_info_of(res)->namespaced) json_object_del(meta, "namespace");
  char *key = obj_key(res, obj);
  if (!key || json_object_get(st->tables[res], key)) {
    free(key);
    json_decref(obj);
    return NULL;
  }
  if (!json_is_string(json_object_get(meta, "uid"))) json_object_set_new(meta, "uid", sim_store_new_uid(st));
  if (!json_is_string(json_object_get(meta, "creationTimestamp"))) {
    char ts[32];
    sim_util_time_rfc3339(epoch_ms, ts);
    sim_util_jset_str(meta, "creationTimestamp", ts);
  }
  if (sim_res_info_of(res)->has_generation && sim_util_jint(obj, "metadata.generation", 0) < 1)
    json_object_set_new(meta, "generation", json_integer(1));
  stamp(st, obj);
  json_object_set_new(st->tables[res], key, obj);
  sim_owners_add(&st->owners, res, key, obj, st->rv);
  sim_keys_add(&st->keys[res], key);
  char *e = entry_name(res, key);
  if (e) json_object_set_new(st->uids, sim_util_jstr(obj, "metadata.uid", ""), json_string(e));
  free(e);
  touched(st, res, true, true);
  note_write(st, res, key, NULL, obj, true);
  free(key);
  record(st, SIMS_ADDED, res, json_incref(obj), NULL);
  return obj;
}

/* Copies the fields the store owns (uid, creationTimestamp, generation, resourceVersion) from old. */
static void keep_owned_fields(simr_kind res, json_t *obj, const json_t *old) {
  json_t *meta = sim_util_jobj(obj, "metadata");
  static const char *const keep[] = {"uid", "creationTimestamp", "generation", "resourceVersion"};
  for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
    json_t *v = sim_util_jpath(old, "metadata") ? json_object_get(sim_util_jpath(old, "metadata"), keep[i]) : NULL;
    if (v) json_object_set(meta, keep[i], v);
    else json_object_del(meta, keep[i]);
  }
  if (sim_res_info_of(res)->has_generation &&
      !json_equal(json_object_get(obj, "spec") ? json_object_get(obj, "spec") : json_null(),
                  json_object_get(old, "spec") ? json_object_get(old, "spec") : json_null()))
    json_object_set_new(meta, "generation", json_integer(sim_util_jint(old, "metadata.generation", 0) + 1));
}

/* Replaces the object with the same key (takes obj), keeping uid and creationTimestamp and bumping
 * metadata.generation when spec changed. */
const json_t *sim_store_update(sims_store *st, simr_kind res, json_t *obj) {
  char *key = obj_key(res, obj);
  json_t *old = key ? json_object_get(st->tables[res], key) : NULL;
  if (!old) {
    free(key);
    json_decref(obj);
    return NULL;
  }
  keep_owned_fields(res, obj, old);
  if (json_equal(obj, old)) {
    free(key);
    json_decref(obj);
    return old;
  }
  json_incref(old);
  stamp(st, obj);
  json_object_set_new(st->tables[res], key, obj);
  sim_owners_remove(&st->owners, res, key, old, st->rv);
  sim_owners_add(&st->owners, res, key, obj, st->rv);
  bool shaped = refs_differ(old, obj);
  touched(st, res, false, shaped);
  note_write(st, res, key, old, obj, shaped);
  free(key);
  record(st, SIMS_MODIFIED, res, json_incref(obj), old);
  return obj;
}

/* Returns obj (taken) as sim_store_update would store it, without storing it (new), or NULL. */
json_t *sim_store_preview_update(const sims_store *st, simr_kind res, json_t *obj) {
  char *key = obj_key(res, obj);
  json_t *old = key ? json_object_get(st->tables[res], key) : NULL;
  free(key);
  if (!old) return json_decref(obj), NULL;
  keep_owned_fields(res, obj, old);
  json_object_set(json_object_get(obj, "metadata"), "resourceVersion", sim_util_jpath(old, "metadata.resourceVersion"));
  return obj;
}

/* Removes the object; returns false when there was none. */
bool sim_store_delete(sims_store *st, simr_kind res, const char *ns, const char *name) {
  char *key = sim_store_key(res, ns, name);
  json_t *old = key ? json_object_get(st->tables[res], key) : NULL;
  if (!old) {
    free(key);
    return false;
  }
  json_t *last = sim_store_edit(old);
  json_incref(old);
  json_object_del(st->tables[res], key);
  stamp(st, last);
  sim_owners_remove(&st->owners, res, key, old, st->rv);
  sim_keys_remove(&st->keys[res], key);
  forget_uid(st, res, key, sim_util_jstr(old, "metadata.uid", ""));
  touched(st, res, true, true);
  note_write(st, res, key, old, NULL, true);
  free(key);
  record(st, SIMS_DELETED, res, last, old);
  return true;
}

/* Returns the references the history evicted since the last call (caller releases them and frees
 * the array), *n their count; NULL (and *n 0) when none, or out of memory (they stay for the next
 * call). */
json_t **sim_store_take_dead(sims_store *st, size_t *n) {
  json_t **out = st->n_dead ? malloc(st->n_dead * sizeof *out) : NULL; /* dead[] keeps its capacity */
  *n = out ? st->n_dead : 0;
  if (out) memcpy(out, st->dead, st->n_dead * sizeof *out), st->n_dead = 0;
  return out;
}

/* Returns the i-th retained change, oldest first (i < st->hist_len). */
const sims_event *sim_store_hist_at(const sims_store *st, size_t i) {
  return &st->hist[(st->hist_head + i) % st->hist_cap];
}

/* Returns the index of the first retained change with rv > after (hist_len when none). */
size_t sim_store_hist_after(const sims_store *st, uint64_t after) {
  size_t lo = 0, hi = st->hist_len;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (sim_store_hist_at(st, mid)->rv <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
