/* test_value.c — values: construction, sharing, equality, ordering, printing, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "value.h"

/* Returns the value of a JSON text (the test's shorthand for lists and objects). */
static rbk_value *J(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
  assert_non_null(j);
  rbk_value *v = val_from_json(j);
  json_decref(j);
  assert_non_null(v);
  return v;
}

/* Asserts that val_show(v) is `want`, then releases v. */
static void assert_show(rbk_value *v, const char *want) {
  char *s = val_show(v);
  assert_string_equal(s, want);
  free(s);
  val_unref(v);
}

/* Asserts that val_repr(v) is `want`, then releases v. */
static void assert_repr(rbk_value *v, const char *want) {
  char *s = val_repr(v);
  assert_string_equal(s, want);
  free(s);
  val_unref(v);
}

static void value__kind_names__match_the_language(void **state) {
  (void)state;
  assert_string_equal(val_kind_name(VAL_STRING), "string");
  assert_string_equal(val_kind_name(VAL_DURATION), "duration");
  assert_string_equal(val_kind_name(VAL_SECRET), "secret");
}

static void value__string_with_nul__keeps_every_byte(void **state) {
  (void)state;
  rbk_value *v = val_string("a\0b", 3);
  assert_int_equal(v->u.str.len, 3);
  assert_memory_equal(v->u.str.s, "a\0b", 4);
  val_unref(v);
}

static void value__ref_then_unref__keeps_value_alive(void **state) {
  (void)state;
  rbk_value *v = val_cstring("shared");
  assert_ptr_equal(val_ref(v), v);
  assert_int_equal(v->refs, 2);
  val_unref(v);
  assert_string_equal(v->u.str.s, "shared");
  val_unref(v);
  val_unref(NULL);
}

static void value__object_set__keeps_insertion_order(void **state) {
  (void)state;
  rbk_value *o = val_object(0);
  assert_true(val_object_set(o, "zeta", val_int(1)));
  assert_true(val_object_set(o, "alpha", val_int(2)));
  assert_true(val_object_set(o, "mid", val_int(3)));
  assert_show(o, "{\"zeta\":1,\"alpha\":2,\"mid\":3}");
}

static void value__object_set_existing_key__replaces_in_place(void **state) {
  (void)state;
  rbk_value *o = val_object(1);
  val_object_set(o, "a", val_int(1));
  val_object_set(o, "b", val_int(2));
  val_object_set(o, "a", val_int(9));
  assert_int_equal(o->u.obj.len, 2);
  assert_int_equal(val_object_get(o, "a")->u.i, 9);
  assert_null(val_object_get(o, "missing"));
  assert_show(o, "{\"a\":9,\"b\":2}");
}

static void value__list_push__grows_past_capacity(void **state) {
  (void)state;
  rbk_value *l = val_list(1);
  for (int i = 0; i < 10; i++) assert_true(val_list_push(l, val_int(i)));
  assert_int_equal(l->u.list.len, 10);
  assert_show(l, "[0,1,2,3,4,5,6,7,8,9]");
}

static void value__equal_int_and_float__compares_by_value(void **state) {
  (void)state;
  rbk_value *i = val_int(3), *f = val_float(3.0), *g = val_float(3.5);
  assert_true(val_equal(i, f));
  assert_false(val_equal(i, g));
  val_unref(i);
  val_unref(f);
  val_unref(g);
}

static void value__equal_large_int_and_float__is_exact(void **state) {
  (void)state;
  rbk_value *i = val_int(9007199254740993), *f = val_float(9007199254740992.0);
  assert_false(val_equal(i, f));
  val_unref(i);
  val_unref(f);
}

static void value__equal_objects__ignores_member_order(void **state) {
  (void)state;
  rbk_value *a = J("{\"x\":1,\"y\":[1,2]}"), *b = J("{\"y\":[1,2],\"x\":1}"), *c = J("{\"y\":[2,1],\"x\":1}");
  assert_true(val_equal(a, b));
  assert_false(val_equal(a, c));
  val_unref(a);
  val_unref(b);
  val_unref(c);
}

static void value__equal_different_kinds__is_false(void **state) {
  (void)state;
  rbk_value *s = val_cstring("1"), *i = val_int(1), *n = val_null(), *d = val_duration(1);
  assert_false(val_equal(s, i));
  assert_false(val_equal(n, i));
  assert_false(val_equal(d, i));
  val_unref(s);
  val_unref(i);
  val_unref(n);
  val_unref(d);
}

static void value__equal_secrets__compares_plain_text(void **state) {
  (void)state;
  rbk_value *a = val_secret("A", "hunter2"), *b = val_secret("B", "hunter2"), *s = val_cstring("hunter2");
  assert_true(val_equal(a, b));
  assert_false(val_equal(a, s));
  val_unref(a);
  val_unref(b);
  val_unref(s);
}

static void value__compare_mixed_numbers__orders(void **state) {
  (void)state;
  rbk_value *i = val_int(2), *f = val_float(2.5);
  int cmp = 0;
  assert_true(val_compare(i, f, &cmp));
  assert_true(cmp < 0);
  assert_true(val_compare(f, i, &cmp));
  assert_true(cmp > 0);
  val_unref(i);
  val_unref(f);
}

static void value__compare_strings__orders_bytewise(void **state) {
  (void)state;
  rbk_value *a = val_cstring("abc"), *b = val_cstring("abd"), *p = val_cstring("ab");
  int cmp = 0;
  assert_true(val_compare(a, b, &cmp));
  assert_true(cmp < 0);
  assert_true(val_compare(p, a, &cmp));
  assert_true(cmp < 0);
  val_unref(a);
  val_unref(b);
  val_unref(p);
}

static void value__compare_string_and_int__fails(void **state) {
  (void)state;
  rbk_value *s = val_cstring("1"), *i = val_int(1), *t = val_time(0), *d = val_duration(0);
  int cmp = 0;
  assert_false(val_compare(s, i, &cmp));
  assert_false(val_compare(t, d, &cmp));
  val_unref(s);
  val_unref(i);
  val_unref(t);
  val_unref(d);
}

static void value__is_true__only_for_true_bools(void **state) {
  (void)state;
  rbk_value *t = val_bool(true), *f = val_bool(false), *one = val_int(1);
  assert_true(val_is_true(t));
  assert_false(val_is_true(f));
  assert_false(val_is_true(one));
  val_unref(t);
  val_unref(f);
  val_unref(one);
}

static void value__format_duration__is_canonical(void **state) {
  (void)state;
  static const struct { int64_t ms; const char *text; } cases[] = {
      {0, "0s"}, {500, "500ms"}, {90000, "1m30s"}, {5400000, "1h30m"}, {3600000, "1h"},
      {3605000, "1h5s"}, {90500, "1m30s500ms"}, {-90000, "-1m30s"}, {360000000, "100h"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *s = val_format_duration(cases[i].ms);
    assert_string_equal(s, cases[i].text);
    free(s);
  }
}

static void value__show_floats__uses_shortest_round_trip(void **state) {
  (void)state;
  assert_show(val_float(85.3), "85.3");
  assert_show(val_float(2.0), "2.0");
  assert_show(val_float(0.1 + 0.2), "0.30000000000000004");
  assert_show(val_float(1e300), "1.0e+300");
  assert_show(val_float(-0.5), "-0.5");
}

static void value__show_times__is_rfc3339_utc(void **state) {
  (void)state;
  assert_show(val_time(0), "1970-01-01T00:00:00Z");
  assert_show(val_time(1714564800000), "2024-05-01T12:00:00Z");
  assert_show(val_time(1714564800250), "2024-05-01T12:00:00.250Z");
  assert_show(val_time(-1), "1969-12-31T23:59:59.999Z");
  assert_show(val_time(951782400000), "2000-02-29T00:00:00Z");
  char *s = val_show(&(rbk_value){.kind = VAL_TIME, .refs = 1, .u.i = INT64_MIN});
  assert_non_null(s);
  free(s);
}

static void value__show_scalars__reads_naturally(void **state) {
  (void)state;
  assert_show(val_null(), "null");
  assert_show(val_bool(true), "true");
  assert_show(val_int(-42), "-42");
  assert_show(val_cstring("plain text"), "plain text");
  assert_show(val_duration(90000), "1m30s");
}

static void value__show_list__is_compact_json_with_short_floats(void **state) {
  (void)state;
  rbk_value *l = J("[1, \"a\", 85.3, 1000.0, null, {\"k\": true}]");
  val_list_push(l, val_duration(2000));
  assert_show(l, "[1,\"a\",85.3,1000.0,null,{\"k\":true},\"2s\"]");
}

static void value__show_secret__is_masked(void **state) {
  (void)state;
  assert_show(val_secret("TOKEN", "hunter2"), "***");
  rbk_value *o = val_object(0);
  val_object_set(o, "token", val_secret("TOKEN", "hunter2"));
  assert_show(o, "{\"token\":\"***\"}");
}

static void value__repr__writes_rbk_source(void **state) {
  (void)state;
  assert_repr(val_cstring("a \"q\" ${x}\n"), "\"a \\\"q\\\" \\${x}\\n\"");
  assert_repr(J("{\"plant_id\": \"P-3\", \"heat-demand\": 45}"), "{plant_id: \"P-3\", \"heat-demand\": 45}");
  assert_repr(J("[1, 2.5, null]"), "[1, 2.5, null]");
  assert_repr(val_duration(90000), "1m30s");
  assert_repr(val_secret("X", "plain"), "***");
  assert_repr(val_time(0), "parse_time(\"1970-01-01T00:00:00Z\")");
}

static void value__to_json__masks_secrets_unless_revealed(void **state) {
  (void)state;
  rbk_value *s = val_secret("TOKEN", "hunter2");
  json_t *masked = val_to_json(s, false), *plain = val_to_json(s, true);
  assert_string_equal(json_string_value(masked), "***");
  assert_string_equal(json_string_value(plain), "hunter2");
  json_decref(masked);
  json_decref(plain);
  val_unref(s);
}

static void value__to_json__writes_durations_and_times_as_text(void **state) {
  (void)state;
  rbk_value *d = val_duration(5400000), *t = val_time(1714564800000);
  json_t *jd = val_to_json(d, false), *jt = val_to_json(t, false);
  assert_string_equal(json_string_value(jd), "1h30m");
  assert_string_equal(json_string_value(jt), "2024-05-01T12:00:00Z");
  json_decref(jd);
  json_decref(jt);
  val_unref(d);
  val_unref(t);
}

static void value__to_json_invalid_utf8__replaces_bad_bytes(void **state) {
  (void)state;
  rbk_value *v = val_string("ok\xff\xc3(", 5);
  json_t *j = val_to_json(v, false);
  assert_non_null(j);
  assert_string_equal(json_string_value(j), "ok\xEF\xBF\xBD\xEF\xBF\xBD(");
  json_decref(j);
  val_unref(v);
}

static void value__from_json__keeps_ints_floats_and_order(void **state) {
  (void)state;
  rbk_value *v = J("{\"b\": 1, \"a\": 1.0, \"c\": [true, null]}");
  assert_int_equal(v->kind, VAL_OBJECT);
  assert_string_equal(v->u.obj.keys[0], "b");
  assert_int_equal(val_object_get(v, "b")->kind, VAL_INT);
  assert_int_equal(val_object_get(v, "a")->kind, VAL_FLOAT);
  assert_int_equal(val_object_get(v, "c")->u.list.items[1]->kind, VAL_NULL);
  val_unref(v);
}

static void value__contains_secret__finds_nested_secrets(void **state) {
  (void)state;
  rbk_value *o = J("{\"a\": [1, {\"b\": 2}]}");
  assert_false(val_contains_secret(o));
  rbk_value *inner = val_object_get(o, "a")->u.list.items[1];
  val_object_set(inner, "c", val_secret("S", "x"));
  assert_true(val_contains_secret(o));
  val_unref(o);
}

/* The handle test's data: counts releases. */
static int released;
static void release(void *data) { released += *(int *)data; }
static char *describe(const void *data) {
  (void)data;
  return strdup("cluster greenlang");
}

static void value__handle__is_described_and_released(void **state) {
  (void)state;
  static const val_handle_ops ops = {"cluster", release, describe};
  static int one = 1;
  released = 0;
  assert_show(val_handle(&ops, &one), "cluster greenlang");
  assert_int_equal(released, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(value__kind_names__match_the_language),
      cmocka_unit_test(value__string_with_nul__keeps_every_byte),
      cmocka_unit_test(value__ref_then_unref__keeps_value_alive),
      cmocka_unit_test(value__object_set__keeps_insertion_order),
      cmocka_unit_test(value__object_set_existing_key__replaces_in_place),
      cmocka_unit_test(value__list_push__grows_past_capacity),
      cmocka_unit_test(value__equal_int_and_float__compares_by_value),
      cmocka_unit_test(value__equal_large_int_and_float__is_exact),
      cmocka_unit_test(value__equal_objects__ignores_member_order),
      cmocka_unit_test(value__equal_different_kinds__is_false),
      cmocka_unit_test(value__equal_secrets__compares_plain_text),
      cmocka_unit_test(value__compare_mixed_numbers__orders),
      cmocka_unit_test(value__compare_strings__orders_bytewise),
      cmocka_unit_test(value__compare_string_and_int__fails),
      cmocka_unit_test(value__is_true__only_for_true_bools),
      cmocka_unit_test(value__format_duration__is_canonical),
      cmocka_unit_test(value__show_floats__uses_shortest_round_trip),
      cmocka_unit_test(value__show_times__is_rfc3339_utc),
      cmocka_unit_test(value__show_scalars__reads_naturally),
      cmocka_unit_test(value__show_list__is_compact_json_with_short_floats),
      cmocka_unit_test(value__show_secret__is_masked),
      cmocka_unit_test(value__repr__writes_rbk_source),
      cmocka_unit_test(value__to_json__masks_secrets_unless_revealed),
      cmocka_unit_test(value__to_json__writes_durations_and_times_as_text),
      cmocka_unit_test(value__to_json_invalid_utf8__replaces_bad_bytes),
      cmocka_unit_test(value__from_json__keeps_ints_floats_and_order),
      cmocka_unit_test(value__contains_secret__finds_nested_secrets),
      cmocka_unit_test(value__handle__is_described_and_released),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
