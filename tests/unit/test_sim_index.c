/* test_sim_index.c — the simulator's indexes for event-driven controllers: the sorted key set, the
 * timer heap, memo deletion, and what the store notes for the controllers and the collector. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_keys.h"
#include "sim_memo.h"
#include "sim_store.h"
#include "sim_timers.h"

static void keys__add_remove__sorted_and_ranged_by_namespace(void **state) {
  (void)state;
  simk_set s = {0};
  const char *in[] = {"ns/b", "ns-x/a", "ns/a", "n/z", "ns0/a", "ns/c", "ns.a/q"};
  for (size_t i = 0; i < sizeof in / sizeof *in; i++) assert_true(sim_keys_add(&s, in[i]));
  assert_true(sim_keys_add(&s, "ns/a")); /* present: nothing changes */
  assert_int_equal(s.len, 7);
  for (size_t i = 1; i < s.len; i++) assert_true(strcmp(s.v[i - 1], s.v[i]) < 0);
  size_t from, to;
  sim_keys_range(&s, "ns", &from, &to);
  assert_int_equal(to - from, 3);
  assert_string_equal(s.v[from], "ns/a");
  assert_string_equal(s.v[to - 1], "ns/c");
  sim_keys_range(&s, "missing", &from, &to);
  assert_int_equal(to - from, 0);
  sim_keys_range(&s, NULL, &from, &to);
  assert_int_equal(to - from, 7);
  assert_true(sim_keys_remove(&s, "ns/b"));
  assert_false(sim_keys_remove(&s, "ns/b"));
  sim_keys_range(&s, "ns", &from, &to);
  assert_int_equal(to - from, 2);
  json_t *j = sim_keys_json(&s);
  assert_int_equal(json_array_size(j), 6);
  assert_string_equal(json_string_value(json_array_get(j, 0)), "n/z");
  json_decref(j);
  sim_keys_free(&s);
  assert_int_equal(s.len, 0);
}

static void timers__pop__by_time_then_kind_then_key(void **state) {
  (void)state;
  simt_heap h = {0};
  int64_t at[] = {50, 10, 30, 10, 40, 20, 10};
  const char *key[] = {"e", "b", "c", "a", "d", "x", "a"};
  simr_kind lo = SIMR_DEPLOYMENTS < SIMR_PODS ? SIMR_DEPLOYMENTS : SIMR_PODS;
  simr_kind hi = lo == SIMR_PODS ? SIMR_DEPLOYMENTS : SIMR_PODS;
  simr_kind res[] = {lo, hi, lo, hi, lo, lo, lo};
  for (size_t i = 0; i < 7; i++) assert_true(sim_timers_push(&h, at[i], res[i], key[i]));
  assert_int_equal(sim_timers_top(&h)->at, 10);
  /* at 10: the lower kind first, then by key within the higher kind */
  const char *want[] = {"a", "a", "b", "x", "c", "d", "e"};
  simr_kind want_res[] = {lo, hi, hi, lo, lo, lo, lo};
  simt_entry e;
  for (size_t i = 0; i < 7; i++) {
    assert_true(sim_timers_pop(&h, &e));
    assert_string_equal(e.key, want[i]);
    assert_int_equal(e.res, want_res[i]);
    free(e.key);
  }
  assert_false(sim_timers_pop(&h, &e));
  assert_null(sim_timers_top(&h));
  sim_timers_push(&h, 1, SIMR_PODS, "left");
  sim_timers_free(&h);
  assert_int_equal(h.len, 0);
}

static void memo__delete__keeps_every_other_key_reachable(void **state) {
  (void)state;
  simm_table t = {0};
  char key[32];
  for (int i = 0; i < 500; i++) {
    snprintf(key, sizeof key, "ns/pod-%d", i);
    assert_true(sim_memo_put(&t, key, (simm_entry){(uint64_t)i + 1, 0, 0, 0}));
  }
  for (int i = 0; i < 500; i += 3) {
    snprintf(key, sizeof key, "ns/pod-%d", i);
    sim_memo_del(&t, key);
  }
  sim_memo_del(&t, "ns/absent");
  assert_int_equal(sim_memo_size(&t), 500 - 167);
  for (int i = 0; i < 500; i++) {
    snprintf(key, sizeof key, "ns/pod-%d", i);
    const simm_entry *e = sim_memo_get(&t, key);
    if (i % 3 == 0) {
      assert_null(e);
    } else {
      assert_non_null(e);
      assert_int_equal(e->rv, (uint64_t)i + 1);
    }
  }
  sim_memo_clear(&t);
}

/* Returns an object of the given name in ns "a", controlled by owner_uid when not NULL (new). */
static json_t *obj(const char *name, const char *owner_uid) {
  json_t *o = json_pack("{s:{s:s,s:s}}", "metadata", "name", name, "namespace", "a");
  if (owner_uid)
    json_object_set_new(json_object_get(o, "metadata"), "ownerReferences",
                        json_pack("[{s:s,s:b}]", "uid", owner_uid, "controller", 1));
  return o;
}

/* Returns true when the store noted key as changed for kind res (and forgets every note of res). */
static bool noted(sims_store *st, simr_kind res, const char *key) {
  json_t *c = sim_store_take_changed(st, res);
  bool yes = json_object_get(c, key) != NULL;
  json_decref(c);
  return yes;
}

static void store__writes__note_objects_owners_and_gc_candidates(void **state) {
  (void)state;
  sims_store st;
  assert_true(sim_store_init(&st, 16, 7));
  st.track[SIMR_REPLICASETS] = st.track[SIMR_PODS] = true;
  st.track_gc = true;
  const json_t *rs = sim_store_create(&st, SIMR_REPLICASETS, obj("rs", NULL), 0);
  char uid[64];
  snprintf(uid, sizeof uid, "%s", sim_util_jstr(rs, "metadata.uid", ""));
  simr_kind res;
  assert_ptr_equal(sim_store_by_uid(&st, uid, &res), rs);
  assert_int_equal(res, SIMR_REPLICASETS);
  assert_true(noted(&st, SIMR_REPLICASETS, "a/rs"));
  /* a dependent's create notes it, its owner, and makes it a candidate of the collector */
  sim_store_create(&st, SIMR_PODS, obj("p", uid), 0);
  assert_true(noted(&st, SIMR_PODS, "a/p"));
  assert_true(noted(&st, SIMR_REPLICASETS, "a/rs"));
  char cand[32];
  snprintf(cand, sizeof cand, "%02d:a/p", (int)SIMR_PODS);
  assert_non_null(json_object_get(st.gc_cand, cand));
  /* untracked kinds are not noted */
  sim_store_create(&st, SIMR_CONFIGMAPS, obj("cm", NULL), 0);
  assert_false(noted(&st, SIMR_CONFIGMAPS, "a/cm"));
  /* deleting the owner forgets its uid and makes its dependents candidates */
  json_object_clear(st.gc_cand);
  assert_true(sim_store_delete(&st, SIMR_REPLICASETS, "a", "rs"));
  assert_null(sim_store_by_uid(&st, uid, &res));
  assert_int_equal(json_object_size(st.gc_cand), 1);
  assert_non_null(json_object_get(st.gc_cand, cand));
  sim_store_free(&st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(keys__add_remove__sorted_and_ranged_by_namespace),
      cmocka_unit_test(timers__pop__by_time_then_kind_then_key),
      cmocka_unit_test(memo__delete__keeps_every_other_key_reachable),
      cmocka_unit_test(store__writes__note_objects_owners_and_gc_candidates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
