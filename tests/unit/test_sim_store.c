/* test_sim_store.c — the simulator's object store and label/field selectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_sel.h"
#include "sim_store.h"

/* Returns a ConfigMap named name in ns with the labels (JSON text). */
static json_t *cm(const char *ns, const char *name, const char *labels) {
  return json_pack("{s:s,s:s,s:{s:s,s:s,s:o},s:{s:s}}", "apiVersion", "v1", "kind", "ConfigMap", "metadata", "name", name,
                   "namespace", ns, "labels", json_loads(labels, 0, NULL), "data", "a", "1");
}

static void store__create_get_list__sorted_with_metadata(void **state) {
  (void)state;
  sims_store st;
  assert_true(sim_store_init(&st, 16, 7));
  assert_non_null(sim_store_create(&st, SIMR_CONFIGMAPS, cm("b", "x", "{}"), 0));
  assert_non_null(sim_store_create(&st, SIMR_CONFIGMAPS, cm("a", "y", "{}"), 0));
  const json_t *o = sim_store_get(&st, SIMR_CONFIGMAPS, "b", "x");
  assert_string_equal(sim_util_jstr(o, "metadata.resourceVersion", ""), "1");
  assert_string_equal(sim_util_jstr(o, "metadata.creationTimestamp", ""), "1970-01-01T00:00:00Z");
  assert_int_equal(strlen(sim_util_jstr(o, "metadata.uid", "")), 36);
  json_t *all = sim_store_list(&st, SIMR_CONFIGMAPS, NULL);
  assert_int_equal(json_array_size(all), 2);
  assert_string_equal(sim_util_jstr(json_array_get(all, 0), "metadata.namespace", ""), "a");
  json_decref(all);
  all = sim_store_list(&st, SIMR_CONFIGMAPS, "b");
  assert_int_equal(json_array_size(all), 1);
  json_decref(all);
  sim_store_free(&st);
}

static void store__create_twice__refused(void **state) {
  (void)state;
  sims_store st;
  sim_store_init(&st, 16, 7);
  assert_non_null(sim_store_create(&st, SIMR_CONFIGMAPS, cm("a", "x", "{}"), 0));
  assert_null(sim_store_create(&st, SIMR_CONFIGMAPS, cm("a", "x", "{}"), 0));
  assert_int_equal(st.rv, 1);
  sim_store_free(&st);
}

static void store__update__bumps_rv_and_generation_only_on_spec(void **state) {
  (void)state;
  sims_store st;
  sim_store_init(&st, 16, 7);
  json_t *d = json_pack("{s:{s:s,s:s},s:{s:i}}", "metadata", "name", "d", "namespace", "ns", "spec", "replicas", 1);
  const json_t *o = sim_store_create(&st, SIMR_DEPLOYMENTS, d, 0);
  assert_int_equal(sim_util_jint(o, "metadata.generation", 0), 1);
  json_t *c = json_deep_copy(o);
  json_object_set_new(sim_util_jobj(c, "metadata"), "labels", json_pack("{s:s}", "a", "b"));
  o = sim_store_update(&st, SIMR_DEPLOYMENTS, c);
  assert_int_equal(sim_util_jint(o, "metadata.generation", 0), 1);
  assert_string_equal(sim_util_jstr(o, "metadata.resourceVersion", ""), "2");
  c = json_deep_copy(o);
  json_object_set_new(json_object_get(c, "spec"), "replicas", json_integer(3));
  o = sim_store_update(&st, SIMR_DEPLOYMENTS, c);
  assert_int_equal(sim_util_jint(o, "metadata.generation", 0), 2);
  c = json_deep_copy(o);
  o = sim_store_update(&st, SIMR_DEPLOYMENTS, c);
  assert_string_equal(sim_util_jstr(o, "metadata.resourceVersion", ""), "3");
  assert_int_equal(st.rv, 3);
  sim_store_free(&st);
}

static void store__history__bounded_with_floor(void **state) {
  (void)state;
  sims_store st;
  sim_store_init(&st, 3, 7);
  char name[8];
  for (int i = 0; i < 5; i++) {
    snprintf(name, sizeof name, "c%d", i);
    sim_store_create(&st, SIMR_CONFIGMAPS, cm("a", name, "{}"), 0);
  }
  assert_true(sim_store_delete(&st, SIMR_CONFIGMAPS, "a", "c0"));
  assert_false(sim_store_delete(&st, SIMR_CONFIGMAPS, "a", "c0"));
  assert_int_equal(st.hist_len, 3);
  assert_int_equal(st.floor_rv, 3);
  assert_int_equal(sim_store_hist_after(&st, 4), 1);
  const sims_event *e = sim_store_hist_at(&st, 2);
  assert_int_equal(e->type, SIMS_DELETED);
  assert_string_equal(sim_util_jstr(e->obj, "metadata.resourceVersion", ""), "6");
  sim_store_free(&st);
}

static void store__history__grows_then_wraps_in_order(void **state) {
  (void)state;
  sims_store st;
  assert_true(sim_store_init(&st, 100, 7)); /* more than the ring's first room: it grows as changes come */
  char name[16];
  for (int i = 0; i < 250; i++) {
    snprintf(name, sizeof name, "c%d", i);
    assert_non_null(sim_store_create(&st, SIMR_CONFIGMAPS, cm("a", name, "{}"), 0));
    assert_int_equal(st.hist_len, i < 100 ? i + 1 : 100);
  }
  assert_int_equal(st.floor_rv, 150);
  for (size_t i = 0; i < st.hist_len; i++) assert_int_equal(sim_store_hist_at(&st, i)->rv, 151 + i);
  assert_string_equal(sim_util_jstr(sim_store_hist_at(&st, 99)->obj, "metadata.name", ""), "c249");
  assert_int_equal(sim_store_hist_after(&st, 200), 50);
  sim_store_free(&st);
}

static void store__deferred_release__evicted_versions_handed_out(void **state) {
  (void)state;
  sims_store st;
  sim_store_init(&st, 2, 7);
  st.defer_release = true;
  size_t n = 1;
  assert_null(sim_store_take_dead(&st, &n));
  assert_int_equal(n, 0);
  sim_store_create(&st, SIMR_CONFIGMAPS, cm("a", "c0", "{}"), 0);
  json_t *v1 = json_incref((json_t *)sim_store_get(&st, SIMR_CONFIGMAPS, "a", "c0"));
  json_t *c = sim_store_edit(v1);
  json_object_set_new(c, "data", json_pack("{s:s}", "a", "2"));
  sim_store_update(&st, SIMR_CONFIGMAPS, c);
  sim_store_create(&st, SIMR_CONFIGMAPS, cm("a", "c1", "{}"), 0); /* evicts the ADDED of c0 */
  json_t **dead = sim_store_take_dead(&st, &n);
  assert_int_equal(n, 2); /* the entry's object after (v1) and before (none) */
  assert_ptr_equal(dead[0], v1);
  assert_null(dead[1]);
  assert_true(v1->refcount >= 2); /* still held: the store did not release it */
  for (size_t i = 0; i < n; i++) json_decref(dead[i]);
  free(dead);
  assert_null(sim_store_take_dead(&st, &n));
  assert_int_equal(st.floor_rv, 1);
  assert_string_equal(sim_util_jstr(sim_store_hist_at(&st, 0)->old, "data.a", ""), "1");
  json_decref(v1);
  sim_store_create(&st, SIMR_CONFIGMAPS, cm("a", "c2", "{}"), 0); /* left for sim_store_free */
  sim_store_free(&st);
}

/* Returns whether the label selector text matches the labels (JSON text). */
static bool sel_match(const char *sel, const char *labels) {
  simsel s;
  char *err = NULL;
  assert_true(sim_sel_parse_labels(sel, &s, &err));
  json_t *l = json_loads(labels, 0, NULL);
  bool m = sim_sel_match_labels(&s, l);
  json_decref(l);
  sim_sel_free(&s);
  return m;
}

static void selectors__labels__every_operator(void **state) {
  (void)state;
  const char *l = "{\"app\":\"web\",\"tier\":\"front\"}";
  assert_true(sel_match("", l));
  assert_true(sel_match("app=web", l));
  assert_true(sel_match("app==web,tier=front", l));
  assert_false(sel_match("app!=web", l));
  assert_true(sel_match("app!=db", l));
  assert_true(sel_match("tier in (back, front)", l));
  assert_false(sel_match("tier notin (back,front)", l));
  assert_true(sel_match("app", l));
  assert_false(sel_match("!app", l));
  assert_true(sel_match("!canary", l));
  assert_false(sel_match("canary", l));
}

static void selectors__malformed__rejected(void **state) {
  (void)state;
  simsel s;
  char *err = NULL;
  assert_false(sim_sel_parse_labels("app in (a", &s, &err));
  assert_non_null(err);
  free(err), err = NULL;
  assert_false(sim_sel_parse_fields("spec.bogus=1", SIMR_PODS, &s, &err));
  assert_string_equal(err, "field label not supported: spec.bogus");
  free(err);
}

static void selectors__fields__phase_and_name(void **state) {
  (void)state;
  simsel s;
  char *err = NULL;
  json_t *pod = json_pack("{s:{s:s,s:s},s:{s:s}}", "metadata", "name", "p1", "namespace", "ns", "status", "phase", "Running");
  assert_true(sim_sel_parse_fields("status.phase=Running,metadata.name!=p2", SIMR_PODS, &s, &err));
  assert_true(sim_sel_match_fields(&s, pod));
  sim_sel_free(&s);
  assert_true(sim_sel_parse_fields("status.phase=Pending", SIMR_PODS, &s, &err));
  assert_false(sim_sel_match_fields(&s, pod));
  sim_sel_free(&s);
  json_decref(pod);
}

static void selectors__label_selector_object__match_expressions(void **state) {
  (void)state;
  json_t *sel = json_loads("{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\","
                           "\"values\":[\"front\"]},{\"key\":\"canary\",\"operator\":\"DoesNotExist\"}]}", 0, NULL);
  json_t *pod = json_loads("{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"front\"}}}", 0, NULL);
  assert_true(sim_sel_json_matches(sel, pod));
  simsel s;
  assert_true(sim_sel_from_json(sel, &s, NULL));
  char *text = sim_sel_format(&s);
  assert_string_equal(text, "app=web,tier in (front),!canary");
  free(text);
  sim_sel_free(&s);
  json_decref(sel), json_decref(pod);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(store__create_get_list__sorted_with_metadata),
      cmocka_unit_test(store__create_twice__refused),
      cmocka_unit_test(store__update__bumps_rv_and_generation_only_on_spec),
      cmocka_unit_test(store__history__bounded_with_floor),
      cmocka_unit_test(store__history__grows_then_wraps_in_order),
      cmocka_unit_test(store__deferred_release__evicted_versions_handed_out),
      cmocka_unit_test(selectors__labels__every_operator),
      cmocka_unit_test(selectors__malformed__rejected),
      cmocka_unit_test(selectors__fields__phase_and_name),
      cmocka_unit_test(selectors__label_selector_object__match_expressions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
