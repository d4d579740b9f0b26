/* test_valops.c — the operators of rbk expressions on known values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "valops.h"

/* Returns the value of a JSON text. */
static rbk_value *J(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
  assert_non_null(j);
  rbk_value *v = val_from_json(j);
  json_decref(j);
  return v;
}

/* Asserts that a op b (both taken) shows as `want` and is of kind `kind`. */
static void assert_op(ast_op op, rbk_value *a, rbk_value *b, val_kind kind, const char *want) {
  char *err = NULL;
  rbk_value *r = valop_binary(op, a, b, &err);
  if (!r) fail_msg("%s failed: %s", ast_op_text(op), err);
  assert_int_equal(r->kind, kind);
  char *s = val_show(r);
  assert_string_equal(s, want);
  free(s);
  val_unref(r);
  val_unref(a);
  val_unref(b);
}

/* Asserts that a op b (both taken) fails with the message `want`. */
static void assert_op_fails(ast_op op, rbk_value *a, rbk_value *b, const char *want) {
  char *err = NULL;
  rbk_value *r = valop_binary(op, a, b, &err);
  assert_null(r);
  assert_non_null(err);
  assert_string_equal(err, want);
  free(err);
  val_unref(a);
  val_unref(b);
}

static void valops__add_ints__gives_int(void **state) {
  (void)state;
  assert_op(OP_ADD, val_int(2), val_int(3), VAL_INT, "5");
}

static void valops__add_int_and_float__gives_float(void **state) {
  (void)state;
  assert_op(OP_ADD, val_int(2), val_float(0.5), VAL_FLOAT, "2.5");
}

static void valops__add_overflow__is_an_error(void **state) {
  (void)state;
  assert_op_fails(OP_ADD, val_int(INT64_MAX), val_int(1), "integer overflow in +");
  assert_op_fails(OP_MUL, val_int(INT64_MAX), val_int(2), "integer overflow in *");
  assert_op_fails(OP_SUB, val_int(INT64_MIN), val_int(1), "integer overflow in -");
}

static void valops__add_strings__joins_them(void **state) {
  (void)state;
  assert_op(OP_ADD, val_cstring("deployment/"), val_cstring("orch"), VAL_STRING, "deployment/orch");
}

static void valops__add_lists__joins_them(void **state) {
  (void)state;
  assert_op(OP_ADD, J("[1, 2]"), J("[\"a\"]"), VAL_LIST, "[1,2,\"a\"]");
}

static void valops__add_string_and_int__is_an_error(void **state) {
  (void)state;
  assert_op_fails(OP_ADD, val_cstring("n="), val_int(1), "cannot apply + to string and int");
}

static void valops__add_secret_and_string__stays_secret(void **state) {
  (void)state;
  char *err = NULL;
  rbk_value *a = val_cstring("Bearer "), *s = val_secret("TOKEN", "hunter2");
  rbk_value *r = valop_binary(OP_ADD, a, s, &err);
  assert_int_equal(r->kind, VAL_SECRET);
  assert_string_equal(r->u.secret.plain, "Bearer hunter2");
  assert_string_equal(r->u.secret.name, "<expr>");
  char *shown = val_show(r);
  assert_string_equal(shown, "***");
  free(shown);
  val_unref(r);
  val_unref(a);
  val_unref(s);
}

static void valops__durations__add_and_subtract(void **state) {
  (void)state;
  assert_op(OP_ADD, val_duration(60000), val_duration(30000), VAL_DURATION, "1m30s");
  assert_op(OP_SUB, val_duration(60000), val_duration(90000), VAL_DURATION, "-30s");
}

static void valops__duration_times_number__scales(void **state) {
  (void)state;
  assert_op(OP_MUL, val_duration(90000), val_int(2), VAL_DURATION, "3m");
  assert_op(OP_MUL, val_int(3), val_duration(1000), VAL_DURATION, "3s");
  assert_op(OP_MUL, val_duration(1000), val_float(1.5), VAL_DURATION, "1s500ms");
}

static void valops__duration_divided__by_int_or_duration(void **state) {
  (void)state;
  assert_op(OP_DIV, val_duration(90000), val_int(3), VAL_DURATION, "30s");
  assert_op(OP_DIV, val_duration(90000), val_duration(60000), VAL_FLOAT, "1.5");
  assert_op_fails(OP_DIV, val_duration(1000), val_duration(0), "division by zero");
}

static void valops__times__subtract_and_shift(void **state) {
  (void)state;
  assert_op(OP_SUB, val_time(90000), val_time(0), VAL_DURATION, "1m30s");
  assert_op(OP_ADD, val_time(0), val_duration(3600000), VAL_TIME, "1970-01-01T01:00:00Z");
  assert_op(OP_SUB, val_time(3600000), val_duration(1000), VAL_TIME, "1970-01-01T00:59:59Z");
  assert_op_fails(OP_ADD, val_time(0), val_time(0), "cannot apply + to time and time");
}

static void valops__int_division__is_exact_when_it_can_be(void **state) {
  (void)state;
  assert_op(OP_DIV, val_int(6), val_int(3), VAL_INT, "2");
  assert_op(OP_DIV, val_int(7), val_int(2), VAL_FLOAT, "3.5");
  assert_op(OP_DIV, val_int(-6), val_int(4), VAL_FLOAT, "-1.5");
}

static void valops__division_by_zero__is_an_error(void **state) {
  (void)state;
  assert_op_fails(OP_DIV, val_int(1), val_int(0), "division by zero");
  assert_op_fails(OP_DIV, val_float(1), val_float(0), "division by zero");
  assert_op_fails(OP_MOD, val_int(1), val_int(0), "modulo by zero");
  assert_op_fails(OP_DIV, val_int(INT64_MIN), val_int(-1), "integer overflow in /");
}

static void valops__modulo__follows_the_divisor_sign(void **state) {
  (void)state;
  assert_op(OP_MOD, val_int(7), val_int(3), VAL_INT, "1");
  assert_op(OP_MOD, val_int(-7), val_int(3), VAL_INT, "2");
  assert_op(OP_MOD, val_int(7), val_int(-3), VAL_INT, "-2");
  assert_op(OP_MOD, val_int(INT64_MIN), val_int(-1), VAL_INT, "0");
  assert_op_fails(OP_MOD, val_float(7), val_int(3), "cannot apply % to float and int");
}

static void valops__float_overflow__is_an_error(void **state) {
  (void)state;
  assert_op_fails(OP_MUL, val_float(1e308), val_float(10), "float overflow in *");
}

static void valops__equality__works_across_kinds(void **state) {
  (void)state;
  assert_op(OP_EQ, val_int(1), val_float(1.0), VAL_BOOL, "true");
  assert_op(OP_EQ, val_cstring("1"), val_int(1), VAL_BOOL, "false");
  assert_op(OP_NE, val_null(), val_int(0), VAL_BOOL, "true");
  assert_op(OP_EQ, J("{\"a\":[1]}"), J("{\"a\":[1]}"), VAL_BOOL, "true");
}

static void valops__ordering__compares_numbers_strings_durations(void **state) {
  (void)state;
  assert_op(OP_LT, val_int(1), val_float(1.5), VAL_BOOL, "true");
  assert_op(OP_GE, val_cstring("b"), val_cstring("a"), VAL_BOOL, "true");
  assert_op(OP_LE, val_duration(500), val_duration(500), VAL_BOOL, "true");
  assert_op(OP_GT, val_time(1), val_time(0), VAL_BOOL, "true");
}

static void valops__ordering_mixed_kinds__is_an_error(void **state) {
  (void)state;
  assert_op_fails(OP_LT, val_cstring("1"), val_int(2), "cannot compare string and int with <");
  assert_op_fails(OP_GT, val_duration(1), val_int(2), "cannot compare duration and int with >");
}

static void valops__in__checks_list_object_and_substring(void **state) {
  (void)state;
  assert_op(OP_IN, val_int(2), J("[1, 2.0]"), VAL_BOOL, "true");
  assert_op(OP_IN, val_cstring("a"), J("{\"a\": null}"), VAL_BOOL, "true");
  assert_op(OP_IN, val_cstring("heat"), val_cstring("no heat loss"), VAL_BOOL, "true");
  assert_op(OP_IN, val_cstring("x"), val_cstring("abc"), VAL_BOOL, "false");
  assert_op_fails(OP_IN, val_int(1), val_cstring("1"), "cannot apply in to int and string");
}

static void valops__and_or__require_bools(void **state) {
  (void)state;
  assert_op(OP_AND, val_bool(true), val_bool(false), VAL_BOOL, "false");
  assert_op(OP_OR, val_bool(true), val_bool(false), VAL_BOOL, "true");
  assert_op_fails(OP_AND, val_int(1), val_bool(true), "and expects bools, got an int and a bool");
}

static void valops__coalesce__defaults_only_null(void **state) {
  (void)state;
  assert_op(OP_COALESCE, val_null(), val_int(5), VAL_INT, "5");
  assert_op(OP_COALESCE, val_bool(false), val_int(5), VAL_BOOL, "false");
}

static void valops__unary__negates_and_inverts(void **state) {
  (void)state;
  char *err = NULL;
  rbk_value *d = val_duration(500), *b = val_bool(true), *m = val_int(INT64_MIN), *s = val_cstring("x");
  rbk_value *nd = valop_unary(OP_NEG, d, &err), *nb = valop_unary(OP_NOT, b, &err);
  assert_int_equal(nd->u.i, -500);
  assert_false(nb->u.b);
  assert_null(valop_unary(OP_NEG, m, &err));
  assert_string_equal(err, "integer overflow in -");
  free(err);
  assert_null(valop_unary(OP_NOT, s, &err));
  assert_string_equal(err, "cannot apply not to string");
  free(err);
  val_unref(d), val_unref(b), val_unref(m), val_unref(s), val_unref(nd), val_unref(nb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(valops__add_ints__gives_int),
      cmocka_unit_test(valops__add_int_and_float__gives_float),
      cmocka_unit_test(valops__add_overflow__is_an_error),
      cmocka_unit_test(valops__add_strings__joins_them),
      cmocka_unit_test(valops__add_lists__joins_them),
      cmocka_unit_test(valops__add_string_and_int__is_an_error),
      cmocka_unit_test(valops__add_secret_and_string__stays_secret),
      cmocka_unit_test(valops__durations__add_and_subtract),
      cmocka_unit_test(valops__duration_times_number__scales),
      cmocka_unit_test(valops__duration_divided__by_int_or_duration),
      cmocka_unit_test(valops__times__subtract_and_shift),
      cmocka_unit_test(valops__int_division__is_exact_when_it_can_be),
      cmocka_unit_test(valops__division_by_zero__is_an_error),
      cmocka_unit_test(valops__modulo__follows_the_divisor_sign),
      cmocka_unit_test(valops__float_overflow__is_an_error),
      cmocka_unit_test(valops__equality__works_across_kinds),
      cmocka_unit_test(valops__ordering__compares_numbers_strings_durations),
      cmocka_unit_test(valops__ordering_mixed_kinds__is_an_error),
      cmocka_unit_test(valops__in__checks_list_object_and_substring),
      cmocka_unit_test(valops__and_or__require_bools),
      cmocka_unit_test(valops__coalesce__defaults_only_null),
      cmocka_unit_test(valops__unary__negates_and_inverts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
