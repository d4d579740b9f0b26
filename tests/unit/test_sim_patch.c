/* test_sim_patch.c — merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_patch.h"
#include "sim_util.h"

/* Asserts that the JSON value equals the expected JSON text; releases v. */
static void assert_json(json_t *v, const char *want) {
  json_t *w = json_loads(want, 0, NULL);
  char *got = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  if (!json_equal(v, w)) fail_msg("got %s, wanted %s", got, want);
  free(got);
  json_decref(v), json_decref(w);
}

/* Returns the parsed JSON text (new). */
static json_t *J(const char *text) { return json_loads(text, JSON_DECODE_ANY, NULL); }

static void merge__rfc7386__nulls_delete_objects_merge(void **state) {
  (void)state;
  json_t *t = J("{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"},\"l\":[1,2]}");
  json_t *p = J("{\"a\":\"z\",\"c\":{\"f\":null},\"l\":[3]}");
  assert_json(sim_patch_merge(t, p), "{\"a\":\"z\",\"c\":{\"d\":\"e\"},\"l\":[3]}");
  json_decref(t), json_decref(p);
}

static void json_patch__every_op__applied_in_order(void **state) {
  (void)state;
  json_t *t = J("{\"a\":{\"b\":[1,2,3]},\"x\":\"y\",\"k~/\":1}");
  json_t *ops = J("[{\"op\":\"test\",\"path\":\"/x\",\"value\":\"y\"},"
                  "{\"op\":\"add\",\"path\":\"/a/b/-\",\"value\":4},"
                  "{\"op\":\"remove\",\"path\":\"/a/b/0\"},"
                  "{\"op\":\"replace\",\"path\":\"/x\",\"value\":\"z\"},"
                  "{\"op\":\"copy\",\"from\":\"/x\",\"path\":\"/c\"},"
                  "{\"op\":\"move\",\"from\":\"/k~0~1\",\"path\":\"/m\"}]");
  char *err = NULL;
  assert_json(sim_patch_json(t, ops, &err), "{\"a\":{\"b\":[2,3,4]},\"x\":\"z\",\"c\":\"z\",\"m\":1}");
  json_decref(t), json_decref(ops);
}

static void json_patch__failed_test__nothing_applied(void **state) {
  (void)state;
  json_t *t = J("{\"x\":1}"), *ops = J("[{\"op\":\"replace\",\"path\":\"/x\",\"value\":2},{\"op\":\"test\",\"path\":\"/x\",\"value\":3}]");
  char *err = NULL;
  assert_null(sim_patch_json(t, ops, &err));
  assert_string_equal(err, "testing value /x failed: test failed");
  free(err);
  assert_json(json_incref(t), "{\"x\":1}");
  json_decref(ops);
  ops = J("[{\"op\":\"remove\",\"path\":\"/nope\"}]");
  err = NULL;
  assert_null(sim_patch_json(t, ops, &err));
  assert_non_null(err);
  free(err);
  json_decref(t), json_decref(ops);
}

static void strategic__containers_merge_by_name__ports_kept(void **state) {
  (void)state;
  json_t *t = J("{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"a:1\",\"ports\":[{\"containerPort\":80}]},"
                "{\"name\":\"side\",\"image\":\"s:1\"}]}}");
  json_t *p = J("{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"side\"},{\"name\":\"web\"}],"
                "\"containers\":[{\"name\":\"web\",\"image\":\"a:2\"}]}}");
  char *err = NULL;
  assert_json(sim_patch_strategic(t, p, &err),
              "{\"spec\":{\"containers\":[{\"name\":\"side\",\"image\":\"s:1\"},"
              "{\"name\":\"web\",\"image\":\"a:2\",\"ports\":[{\"containerPort\":80}]}]}}");
  json_decref(t), json_decref(p);
}

static void strategic__directives__delete_replace_null(void **state) {
  (void)state;
  json_t *t = J("{\"spec\":{\"paused\":true,\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"env\":[{\"name\":\"X\"}],"
                "\"ports\":[{\"port\":80,\"targetPort\":8080}]}}");
  json_t *p = J("{\"spec\":{\"paused\":null,\"containers\":[{\"name\":\"b\",\"$patch\":\"delete\"}],"
                "\"env\":[{\"$patch\":\"replace\"},{\"name\":\"Y\"}],\"ports\":[{\"port\":80,\"targetPort\":9090}]}}");
  char *err = NULL;
  assert_json(sim_patch_strategic(t, p, &err), "{\"spec\":{\"containers\":[{\"name\":\"a\"}],\"env\":[{\"name\":\"Y\"}],"
                                               "\"ports\":[{\"port\":80,\"targetPort\":9090}]}}");
  json_decref(t), json_decref(p);
}

static void patch_types__content_types__recognised(void **state) {
  (void)state;
  assert_int_equal(sim_patch_type_of("application/json-patch+json"), SIMP_JSON);
  assert_int_equal(sim_patch_type_of("application/merge-patch+json; charset=utf-8"), SIMP_MERGE);
  assert_int_equal(sim_patch_type_of("application/strategic-merge-patch+json"), SIMP_STRATEGIC);
  assert_int_equal(sim_patch_type_of("application/json"), SIMP_NONE);
}

static void semantic__template_equality__ignores_empties_and_hash(void **state) {
  (void)state;
  json_t *a = J("{\"metadata\":{\"creationTimestamp\":null,\"labels\":{\"app\":\"w\",\"pod-template-hash\":\"x\"}},"
                "\"spec\":{\"containers\":[{\"name\":\"w\",\"image\":\"i\",\"resources\":{}}],\"volumes\":[]}}");
  json_t *b = J("{\"metadata\":{\"labels\":{\"app\":\"w\"}},\"spec\":{\"containers\":[{\"name\":\"w\",\"image\":\"i\"}]}}");
  json_t *c = J("{\"metadata\":{\"labels\":{\"app\":\"w\"}},\"spec\":{\"containers\":[{\"name\":\"w\",\"image\":\"j\"}]}}");
  assert_true(sim_util_template_equal(a, b));
  assert_false(sim_util_template_equal(b, c));
  json_decref(a), json_decref(b), json_decref(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(merge__rfc7386__nulls_delete_objects_merge),
      cmocka_unit_test(json_patch__every_op__applied_in_order),
      cmocka_unit_test(json_patch__failed_test__nothing_applied),
      cmocka_unit_test(strategic__containers_merge_by_name__ports_kept),
      cmocka_unit_test(strategic__directives__delete_replace_null),
      cmocka_unit_test(patch_types__content_types__recognised),
      cmocka_unit_test(semantic__template_equality__ignores_empties_and_hash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
