/* test_valops.c — the operators of rbk expressions on known values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "valops.h"
#include "test_value_fx.h"

/* Asserts that a op b (both taken) shows as `want` and is of kind `kind`. */
static void assert_op(ast_op op, rbk_value *a, rbk_value *b, val_kind kind, const char *want) {
  char *err = NULL;
  rbk_value *r = valops_binary(op, a, b, &err);
  if (!r) fail_msg("%s failed: %s", ast_op_text(op), err);
  assert_int_equal(r->kind, kind);
  char *s = value_show(r);
  assert_string_equal(s, want);
  free(s);
  value_unref(r);
  value_unref(a);
  value_unref(b);
}

/* Asserts that a op b (both taken) fails with the message `want`. */
static void assert_op_fails(ast_op op, rbk_value *a, rbk_value *b, const char *want) {
  char *err = NULL;
  rbk_value *r = valops_binary(op, a, b, &err);
  assert_null(r);
  assert_non_null(err);
  assert_string_equal(err, want);
  free(err);
  value_unref(a);
  value_unref(b);
}

static void valops__add_ints__gives_int(void **state) {
  (void)state;
  assert_op(OP_ADD, value_int(2), value_int(3), VAL_INT, "5");
}

static void valops__add_int_and_float__gives_float(void **state) {
  (void)state;
  assert_op(OP_ADD, value_int(2), value_float(0.5), VAL_FLOAT, "2.5");
}

static void valops__add_overflow__is_an_error(void **state) {
  (void)state;
  assert_op_fails(OP_ADD, value_int(INT64_MAX), value_int(1), "integer overflow in +");
  assert_op_fails(OP_MUL, value_int(INT64_MAX), value_int(2), "integer overflow in *");
  assert_op_fails(OP_SUB, value_int(INT64_MIN), value_int(1), "integer overflow in -");
}

static void valops__add_strings__joins_them(void **state) {
  (void)state;
  assert_op(OP_ADD, value_cstring("deployment/"), value_cstring("orch"), VAL_STRING, "deployment/orch");
}

static void valops__add_lists__joins_them(void **state) {
  (void)state;
  assert_op(OP_ADD, tv_json("[1, 2]"), tv_json("[\"a\"]"), VAL_LIST, "[1,2,\"a\"]");
}

static void valops__add_string_and_int__is_an_error(void **state) {
  (void)state;
  assert_op_fails(OP_ADD, value_cstring("n="), value_int(1), "cannot apply + to string and int");
}

static void valops__add_secret_and_string__stays_secret(void **state) {
  (void)state;
  char *err = NULL;
  rbk_value *a = value_cstring("Bearer "), *s = value_secret("TOKEN", "hunter2");
  rbk_value *r = valops_binary(OP_ADD, a, s, &err);
  assert_int_equal(r->kind, VAL_SECRET);
  assert_string_equal(r->u.secret.plain, "Bearer hunter2");
  assert_string_equal(r->u.secret.name, "<expr>");
  char *shown = value_show(r);
  assert_string_equal(shown, "Bearer ***"); /* only the secret's bytes are masked */
  free(shown);
  value_unref(r);
  value_unref(a);
  value_unref(s);
}

static void valops__durations__add_and_subtract(void **state) {
  (void)state;
  assert_op(OP_ADD, value_duration(60000), value_duration(30000), VAL_DURATION, "1m30s");
  assert_op(OP_SUB, value_duration(60000), value_duration(90000), VAL_DURATION, "-30s");
}

static void valops__duration_times_number__scales(void **state) {
  (void)state;
  assert_op(OP_MUL, value_duration(90000), value_int(2), VAL_DURATION, "3m");
  assert_op(OP_MUL, value_int(3), value_duration(1000), VAL_DURATION, "3s");
  assert_op(OP_MUL, value_duration(1000), value_float(1.5), VAL_DURATION, "1s500ms");
}

static void valops__duration_divided__by_int_or_duration(void **state) {
  (void)state;
  assert_op(OP_DIV, value_duration(90000), value_int(3), VAL_DURATION, "30s");
  assert_op(OP_DIV, value_duration(90000), value_duration(60000), VAL_FLOAT, "1.5");
  assert_op_fails(OP_DIV, value_duration(1000), value_duration(0), "division by zero");
}

static void valops__times__subtract_and_shift(void **state) {
  (void)state;
  assert_op(OP_SUB, value_time(90000), value_time(0), VAL_DURATION, "1m30s");
  assert_op(OP_ADD, value_time(0), value_duration(3600000), VAL_TIME, "1970-01-01T01:00:00Z");
  assert_op(OP_SUB, value_time(3600000), value_duration(1000), VAL_TIME, "1970-01-01T00:59:59Z");
  assert_op_fails(OP_ADD, value_time(0), value_time(0), "cannot apply + to time and time");
}

static void valops__int_division__is_exact_when_it_can_be(void **state) {
  (void)state;
  assert_op(OP_DIV, value_int(6), value_int(3), VAL_INT, "2");
  assert_op(OP_DIV, value_int(7), value_int(2), VAL_FLOAT, "3.5");
  assert_op(OP_DIV, value_int(-6), value_int(4), VAL_FLOAT, "-1.5");
}

static void valops__division_by_zero__is_an_error(void **state) {
  (void)state;
  assert_op_fails(OP_DIV, value_int(1), value_int(0), "division by zero");
  assert_op_fails(OP_DIV, value_float(1), value_float(0), "division by zero");
  assert_op_fails(OP_MOD, value_int(1), value_int(0), "modulo by zero");
  assert_op_fails(OP_DIV, value_int(INT64_MIN), value_int(-1), "integer overflow in /");
}

static void valops__modulo__follows_the_divisor_sign(void **state) {
  (void)state;
  assert_op(OP_MOD, value_int(7), value_int(3), VAL_INT, "1");
  assert_op(OP_MOD, value_int(-7), value_int(3), VAL_INT, "2");
  assert_op(OP_MOD, value_int(7), value_int(-3), VAL_INT, "-2");
  assert_op(OP_MOD, value_int(INT64_MIN), value_int(-1), VAL_INT, "0");
  assert_op_fails(OP_MOD, value_float(7), value_int(3), "cannot apply % to float and int");
}

static void valops__float_overflow__is_an_error(void **state) {
  (void)state;
  assert_op_fails(OP_MUL, value_float(1e308), value_float(10), "float overflow in *");
}

static void valops__equality__works_across_kinds(void **state) {
  (void)state;
  assert_op(OP_EQ, value_int(1), value_float(1.0), VAL_BOOL, "true");
  assert_op(OP_EQ, value_cstring("1"), value_int(1), VAL_BOOL, "false");
  assert_op(OP_NE, value_null(), value_int(0), VAL_BOOL, "true");
  assert_op(OP_EQ, tv_json("{\"a\":[1]}"), tv_json("{\"a\":[1]}"), VAL_BOOL, "true");
}

static void valops__ordering__compares_numbers_strings_durations(void **state) {
  (void)state;
  assert_op(OP_LT, value_int(1), value_float(1.5), VAL_BOOL, "true");
  assert_op(OP_GE, value_cstring("b"), value_cstring("a"), VAL_BOOL, "true");
  assert_op(OP_LE, value_duration(500), value_duration(500), VAL_BOOL, "true");
  assert_op(OP_GT, value_time(1), value_time(0), VAL_BOOL, "true");
}

static void valops__ordering_mixed_kinds__is_an_error(void **state) {
  (void)state;
  assert_op_fails(OP_LT, value_cstring("1"), value_int(2), "cannot compare string and int with <");
  assert_op_fails(OP_GT, value_duration(1), value_int(2), "cannot compare duration and int with >");
}

static void valops__in__checks_list_object_and_substring(void **state) {
  (void)state;
  assert_op(OP_IN, value_int(2), tv_json("[1, 2.0]"), VAL_BOOL, "true");
  assert_op(OP_IN, value_cstring("a"), tv_json("{\"a\": null}"), VAL_BOOL, "true");
  assert_op(OP_IN, value_cstring("heat"), value_cstring("no heat loss"), VAL_BOOL, "true");
  assert_op(OP_IN, value_cstring("x"), value_cstring("abc"), VAL_BOOL, "false");
  assert_op_fails(OP_IN, value_int(1), value_cstring("1"), "cannot apply in to int and string");
}

static void valops__and_or__require_bools(void **state) {
  (void)state;
  assert_op(OP_AND, value_bool(true), value_bool(false), VAL_BOOL, "false");
  assert_op(OP_OR, value_bool(true), value_bool(false), VAL_BOOL, "true");
  assert_op_fails(OP_AND, value_int(1), value_bool(true), "and expects bools, got an int and a bool");
}

static void valops__coalesce__defaults_only_null(void **state) {
  (void)state;
  assert_op(OP_COALESCE, value_null(), value_int(5), VAL_INT, "5");
  assert_op(OP_COALESCE, value_bool(false), value_int(5), VAL_BOOL, "false");
}

static void valops__unary__negates_and_inverts(void **state) {
  (void)state;
  char *err = NULL;
  rbk_value *d = value_duration(500), *b = value_bool(true), *m = value_int(INT64_MIN), *s = value_cstring("x");
  rbk_value *nd = valops_unary(OP_NEG, d, &err), *nb = valops_unary(OP_NOT, b, &err);
  assert_int_equal(nd->u.i, -500);
  assert_false(nb->u.b);
  assert_null(valops_unary(OP_NEG, m, &err));
  assert_string_equal(err, "integer overflow in -");
  free(err);
  assert_null(valops_unary(OP_NOT, s, &err));
  assert_string_equal(err, "cannot apply not to string");
  free(err);
  value_unref(d), value_unref(b), value_unref(m), value_unref(s), value_unref(nd), value_unref(nb);
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
