/* test_value.c — values: construction, sharing, equality, ordering, printing, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "value.h"
#include "test_value_fx.h"

/* Asserts that value_show(v) is `want`, then releases v. */
static void assert_show(rbk_value *v, const char *want) {
  char *s = value_show(v);
  assert_string_equal(s, want);
  free(s);
  value_unref(v);
}

/* Asserts that value_repr(v) is `want`, then releases v. */
static void assert_repr(rbk_value *v, const char *want) {
  char *s = value_repr(v);
  assert_string_equal(s, want);
  free(s);
  value_unref(v);
}

static void value__kind_names__match_the_language(void **state) {
  (void)state;
  assert_string_equal(value_kind_name(VAL_STRING), "string");
  assert_string_equal(value_kind_name(VAL_DURATION), "duration");
  assert_string_equal(value_kind_name(VAL_SECRET), "secret");
}

static void value__string_with_nul__keeps_every_byte(void **state) {
  (void)state;
  rbk_value *v = value_string("a\0b", 3);
  assert_int_equal(v->u.str.len, 3);
  assert_memory_equal(v->u.str.s, "a\0b", 4);
  value_unref(v);
}

static void value__ref_then_unref__keeps_value_alive(void **state) {
  (void)state;
  rbk_value *v = value_cstring("shared");
  assert_ptr_equal(value_ref(v), v);
  assert_int_equal(v->refs, 2);
  value_unref(v);
  assert_string_equal(v->u.str.s, "shared");
  value_unref(v);
  value_unref(NULL);
}

static void value__object_set__keeps_insertion_order(void **state) {
  (void)state;
  rbk_value *o = value_object(0);
  assert_true(value_object_set(o, "zeta", value_int(1)));
  assert_true(value_object_set(o, "alpha", value_int(2)));
  assert_true(value_object_set(o, "mid", value_int(3)));
  assert_show(o, "{\"zeta\":1,\"alpha\":2,\"mid\":3}");
}

static void value__object_set_existing_key__replaces_in_place(void **state) {
  (void)state;
  rbk_value *o = value_object(1);
  value_object_set(o, "a", value_int(1));
  value_object_set(o, "b", value_int(2));
  value_object_set(o, "a", value_int(9));
  assert_int_equal(o->u.obj.len, 2);
  assert_int_equal(value_object_get(o, "a")->u.i, 9);
  assert_null(value_object_get(o, "missing"));
  assert_show(o, "{\"a\":9,\"b\":2}");
}

static void value__list_push__grows_past_capacity(void **state) {
  (void)state;
  rbk_value *l = value_list(1);
  for (int i = 0; i < 10; i++) assert_true(value_list_push(l, value_int(i)));
  assert_int_equal(l->u.list.len, 10);
  assert_show(l, "[0,1,2,3,4,5,6,7,8,9]");
}

/* Pairs of values and whether value_equal holds between them: numbers by value (exactly), objects
 * whatever their member order, never across kinds, secrets by their plain text. */
static void value__equal__by_kind_and_value(void **state) {
  (void)state;
  struct {
    rbk_value *a, *b;
    bool equal;
  } cases[] = {
      {value_int(3), value_float(3.0), true},
      {value_int(3), value_float(3.5), false},
      {value_int(9007199254740993), value_float(9007199254740992.0), false},
      {tv_json("{\"x\":1,\"y\":[1,2]}"), tv_json("{\"y\":[1,2],\"x\":1}"), true},
      {tv_json("{\"x\":1,\"y\":[1,2]}"), tv_json("{\"y\":[2,1],\"x\":1}"), false},
      {value_cstring("1"), value_int(1), false},
      {value_null(), value_int(1), false},
      {value_duration(1), value_int(1), false},
      {value_secret("A", "hunter2"), value_secret("B", "hunter2"), true},
      {value_secret("A", "hunter2"), value_cstring("hunter2"), false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    if (value_equal(cases[i].a, cases[i].b) != cases[i].equal) fail_msg("case %zu: want equal=%d", i, cases[i].equal);
    value_unref(cases[i].a);
    value_unref(cases[i].b);
  }
}

static void value__compare_mixed_numbers__orders(void **state) {
  (void)state;
  rbk_value *i = value_int(2), *f = value_float(2.5);
  int cmp = 0;
  assert_true(value_compare(i, f, &cmp));
  assert_true(cmp < 0);
  assert_true(value_compare(f, i, &cmp));
  assert_true(cmp > 0);
  value_unref(i);
  value_unref(f);
}

static void value__compare_strings__orders_bytewise(void **state) {
  (void)state;
  rbk_value *a = value_cstring("abc"), *b = value_cstring("abd"), *p = value_cstring("ab");
  int cmp = 0;
  assert_true(value_compare(a, b, &cmp));
  assert_true(cmp < 0);
  assert_true(value_compare(p, a, &cmp));
  assert_true(cmp < 0);
  value_unref(a);
  value_unref(b);
  value_unref(p);
}

static void value__compare_string_and_int__fails(void **state) {
  (void)state;
  rbk_value *s = value_cstring("1"), *i = value_int(1), *t = value_time(0), *d = value_duration(0);
  int cmp = 0;
  assert_false(value_compare(s, i, &cmp));
  assert_false(value_compare(t, d, &cmp));
  value_unref(s);
  value_unref(i);
  value_unref(t);
  value_unref(d);
}

static void value__is_true__only_for_true_bools(void **state) {
  (void)state;
  rbk_value *t = value_bool(true), *f = value_bool(false), *one = value_int(1);
  assert_true(value_is_true(t));
  assert_false(value_is_true(f));
  assert_false(value_is_true(one));
  value_unref(t);
  value_unref(f);
  value_unref(one);
}

static void value__format_duration__is_canonical(void **state) {
  (void)state;
  static const struct { int64_t ms; const char *text; } cases[] = {
      {0, "0s"}, {500, "500ms"}, {90000, "1m30s"}, {5400000, "1h30m"}, {3600000, "1h"},
      {3605000, "1h5s"}, {90500, "1m30s500ms"}, {-90000, "-1m30s"}, {360000000, "100h"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *s = value_format_duration(cases[i].ms);
    assert_string_equal(s, cases[i].text);
    free(s);
  }
}

static void value__show_floats__uses_shortest_round_trip(void **state) {
  (void)state;
  assert_show(value_float(85.3), "85.3");
  assert_show(value_float(2.0), "2.0");
  assert_show(value_float(0.1 + 0.2), "0.30000000000000004");
  assert_show(value_float(1e300), "1.0e+300");
  assert_show(value_float(-0.5), "-0.5");
}

static void value__show_times__is_rfc3339_utc(void **state) {
  (void)state;
  assert_show(value_time(0), "1970-01-01T00:00:00Z");
  assert_show(value_time(1714564800000), "2024-05-01T12:00:00Z");
  assert_show(value_time(1714564800250), "2024-05-01T12:00:00.250Z");
  assert_show(value_time(-1), "1969-12-31T23:59:59.999Z");
  assert_show(value_time(951782400000), "2000-02-29T00:00:00Z");
  char *s = value_show(&(rbk_value){.kind = VAL_TIME, .refs = 1, .u.i = INT64_MIN});
  assert_non_null(s);
  free(s);
}

static void value__show_scalars__reads_naturally(void **state) {
  (void)state;
  assert_show(value_null(), "null");
  assert_show(value_bool(true), "true");
  assert_show(value_int(-42), "-42");
  assert_show(value_cstring("plain text"), "plain text");
  assert_show(value_duration(90000), "1m30s");
}

static void value__show_list__is_compact_json_with_short_floats(void **state) {
  (void)state;
  rbk_value *l = tv_json("[1, \"a\", 85.3, 1000.0, null, {\"k\": true}]");
  value_list_push(l, value_duration(2000));
  assert_show(l, "[1,\"a\",85.3,1000.0,null,{\"k\":true},\"2s\"]");
}

static void value__show_secret__is_masked(void **state) {
  (void)state;
  assert_show(value_secret("TOKEN", "hunter2"), "***");
  rbk_value *o = value_object(0);
  value_object_set(o, "token", value_secret("TOKEN", "hunter2"));
  assert_show(o, "{\"token\":\"***\"}");
}

static void value__repr__writes_rbk_source(void **state) {
  (void)state;
  assert_repr(value_cstring("a \"q\" ${x}\n"), "\"a \\\"q\\\" \\${x}\\n\"");
  assert_repr(tv_json("{\"plant_id\": \"P-3\", \"heat-demand\": 45}"), "{plant_id: \"P-3\", \"heat-demand\": 45}");
  assert_repr(tv_json("[1, 2.5, null]"), "[1, 2.5, null]");
  assert_repr(value_duration(90000), "1m30s");
  assert_repr(value_secret("X", "plain"), "***");
  assert_repr(value_time(0), "parse_time(\"1970-01-01T00:00:00Z\")");
}

static void value__to_json__masks_secrets_unless_revealed(void **state) {
  (void)state;
  rbk_value *s = value_secret("TOKEN", "hunter2");
  json_t *masked = value_to_json(s, false), *plain = value_to_json(s, true);
  assert_string_equal(json_string_value(masked), "***");
  assert_string_equal(json_string_value(plain), "hunter2");
  json_decref(masked);
  json_decref(plain);
  value_unref(s);
}

static void value__to_json__writes_durations_and_times_as_text(void **state) {
  (void)state;
  rbk_value *d = value_duration(5400000), *t = value_time(1714564800000);
  json_t *jd = value_to_json(d, false), *jt = value_to_json(t, false);
  assert_string_equal(json_string_value(jd), "1h30m");
  assert_string_equal(json_string_value(jt), "2024-05-01T12:00:00Z");
  json_decref(jd);
  json_decref(jt);
  value_unref(d);
  value_unref(t);
}

static void value__to_json_invalid_utf8__replaces_bad_bytes(void **state) {
  (void)state;
  rbk_value *v = value_string("ok\xff\xc3(", 5);
  json_t *j = value_to_json(v, false);
  assert_non_null(j);
  assert_string_equal(json_string_value(j), "ok\xEF\xBF\xBD\xEF\xBF\xBD(");
  json_decref(j);
  value_unref(v);
}

static void value__from_json__keeps_ints_floats_and_order(void **state) {
  (void)state;
  rbk_value *v = tv_json("{\"b\": 1, \"a\": 1.0, \"c\": [true, null]}");
  assert_int_equal(v->kind, VAL_OBJECT);
  assert_string_equal(v->u.obj.keys[0], "b");
  assert_int_equal(value_object_get(v, "b")->kind, VAL_INT);
  assert_int_equal(value_object_get(v, "a")->kind, VAL_FLOAT);
  assert_int_equal(value_object_get(v, "c")->u.list.items[1]->kind, VAL_NULL);
  value_unref(v);
}

static void value__contains_secret__finds_nested_secrets(void **state) {
  (void)state;
  rbk_value *o = tv_json("{\"a\": [1, {\"b\": 2}]}");
  assert_false(value_contains_secret(o));
  rbk_value *inner = value_object_get(o, "a")->u.list.items[1];
  value_object_set(inner, "c", value_secret("S", "x"));
  assert_true(value_contains_secret(o));
  value_unref(o);
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
  assert_show(value_handle(&ops, &one), "cluster greenlang");
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
      cmocka_unit_test(value__equal__by_kind_and_value),
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
