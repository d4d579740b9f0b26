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

/* Asserts that a op b (both taken) shows as `want` and is of kind `kind`; a failure names the case. */
static void assert_op(const char *about, ast_op op, rbk_value *a, rbk_value *b, val_kind kind, const char *want) {
  char *err = NULL;
  rbk_value *r = valops_binary(op, a, b, &err);
  if (!r) fail_msg("%s: %s failed: %s", about, ast_op_text(op), err);
  char *s = value_show(r);
  if (r->kind != kind || strcmp(s, want)) fail_msg("%s: got %s (kind %d), want %s (kind %d)", about, s, r->kind, want, kind);
  free(s);
  value_unref(r);
  value_unref(a);
  value_unref(b);
}

/* Asserts that a op b (both taken) fails with the message `want`; a failure names the case. */
static void assert_op_fails(const char *about, ast_op op, rbk_value *a, rbk_value *b, const char *want) {
  char *err = NULL;
  rbk_value *r = valops_binary(op, a, b, &err);
  if (r || !err || strcmp(err, want)) fail_msg("%s: got %s, want the error %s", about, err ? err : "a value", want);
  free(err);
  value_unref(a);
  value_unref(b);
}

/* Every case: a op b (a and b taken by the check) gives a value of that kind shown as `want`, or
 * (fails) the error `want`. */
static void valops__binary__cases(void **state) {
  (void)state;
  struct {
    const char *about;
    ast_op op;
    rbk_value *a, *b;
    val_kind kind;
    const char *want;
    bool fails;
  } cases[] = {
      {"add ints gives int", OP_ADD, value_int(2), value_int(3), VAL_INT, "5", false},
      {"add int and float gives float", OP_ADD, value_int(2), value_float(0.5), VAL_FLOAT, "2.5", false},
      {"add overflow is an error", OP_ADD, value_int(INT64_MAX), value_int(1), 0, "integer overflow in +", true},
      {"add overflow is an error", OP_MUL, value_int(INT64_MAX), value_int(2), 0, "integer overflow in *", true},
      {"add overflow is an error", OP_SUB, value_int(INT64_MIN), value_int(1), 0, "integer overflow in -", true},
      {"add strings joins them",
       OP_ADD, value_cstring("deployment/"), value_cstring("orch"), VAL_STRING, "deployment/orch", false},
      {"add lists joins them", OP_ADD, tv_json("[1, 2]"), tv_json("[\"a\"]"), VAL_LIST, "[1,2,\"a\"]", false},
      {"add string and int is an error",
       OP_ADD, value_cstring("n="), value_int(1), 0, "cannot apply + to string and int", true},
      {"durations add and subtract",
       OP_ADD, value_duration(60000), value_duration(30000), VAL_DURATION, "1m30s", false},
      {"durations add and subtract", OP_SUB, value_duration(60000), value_duration(90000), VAL_DURATION, "-30s", false},
      {"duration times number scales", OP_MUL, value_duration(90000), value_int(2), VAL_DURATION, "3m", false},
      {"duration times number scales", OP_MUL, value_int(3), value_duration(1000), VAL_DURATION, "3s", false},
      {"duration times number scales", OP_MUL, value_duration(1000), value_float(1.5), VAL_DURATION, "1s500ms", false},
      {"duration divided by int or duration", OP_DIV, value_duration(90000), value_int(3), VAL_DURATION, "30s", false},
      {"duration divided by int or duration",
       OP_DIV, value_duration(90000), value_duration(60000), VAL_FLOAT, "1.5", false},
      {"duration divided by int or duration",
       OP_DIV, value_duration(1000), value_duration(0), 0, "division by zero", true},
      {"times subtract and shift", OP_SUB, value_time(90000), value_time(0), VAL_DURATION, "1m30s", false},
      {"times subtract and shift",
       OP_ADD, value_time(0), value_duration(3600000), VAL_TIME, "1970-01-01T01:00:00Z", false},
      {"times subtract and shift",
       OP_SUB, value_time(3600000), value_duration(1000), VAL_TIME, "1970-01-01T00:59:59Z", false},
      {"times subtract and shift", OP_ADD, value_time(0), value_time(0), 0, "cannot apply + to time and time", true},
      {"int division is exact when it can be", OP_DIV, value_int(6), value_int(3), VAL_INT, "2", false},
      {"int division is exact when it can be", OP_DIV, value_int(7), value_int(2), VAL_FLOAT, "3.5", false},
      {"int division is exact when it can be", OP_DIV, value_int(-6), value_int(4), VAL_FLOAT, "-1.5", false},
      {"division by zero is an error", OP_DIV, value_int(1), value_int(0), 0, "division by zero", true},
      {"division by zero is an error", OP_DIV, value_float(1), value_float(0), 0, "division by zero", true},
      {"division by zero is an error", OP_MOD, value_int(1), value_int(0), 0, "modulo by zero", true},
      {"division by zero is an error", OP_DIV, value_int(INT64_MIN), value_int(-1), 0, "integer overflow in /", true},
      {"modulo follows the divisor sign", OP_MOD, value_int(7), value_int(3), VAL_INT, "1", false},
      {"modulo follows the divisor sign", OP_MOD, value_int(-7), value_int(3), VAL_INT, "2", false},
      {"modulo follows the divisor sign", OP_MOD, value_int(7), value_int(-3), VAL_INT, "-2", false},
      {"modulo follows the divisor sign", OP_MOD, value_int(INT64_MIN), value_int(-1), VAL_INT, "0", false},
      {"modulo follows the divisor sign",
       OP_MOD, value_float(7), value_int(3), 0, "cannot apply % to float and int", true},
      {"float overflow is an error", OP_MUL, value_float(1e308), value_float(10), 0, "float overflow in *", true},
      {"equality works across kinds", OP_EQ, value_int(1), value_float(1.0), VAL_BOOL, "true", false},
      {"equality works across kinds", OP_EQ, value_cstring("1"), value_int(1), VAL_BOOL, "false", false},
      {"equality works across kinds", OP_NE, value_null(), value_int(0), VAL_BOOL, "true", false},
      {"equality works across kinds", OP_EQ, tv_json("{\"a\":[1]}"), tv_json("{\"a\":[1]}"), VAL_BOOL, "true", false},
      {"ordering compares numbers strings durations", OP_LT, value_int(1), value_float(1.5), VAL_BOOL, "true", false},
      {"ordering compares numbers strings durations",
       OP_GE, value_cstring("b"), value_cstring("a"), VAL_BOOL, "true", false},
      {"ordering compares numbers strings durations",
       OP_LE, value_duration(500), value_duration(500), VAL_BOOL, "true", false},
      {"ordering compares numbers strings durations", OP_GT, value_time(1), value_time(0), VAL_BOOL, "true", false},
      {"ordering mixed kinds is an error",
       OP_LT, value_cstring("1"), value_int(2), 0, "cannot compare string and int with <", true},
      {"ordering mixed kinds is an error",
       OP_GT, value_duration(1), value_int(2), 0, "cannot compare duration and int with >", true},
      {"in checks list object and substring", OP_IN, value_int(2), tv_json("[1, 2.0]"), VAL_BOOL, "true", false},
      {"in checks list object and substring",
       OP_IN, value_cstring("a"), tv_json("{\"a\": null}"), VAL_BOOL, "true", false},
      {"in checks list object and substring",
       OP_IN, value_cstring("heat"), value_cstring("no heat loss"), VAL_BOOL, "true", false},
      {"in checks list object and substring",
       OP_IN, value_cstring("x"), value_cstring("abc"), VAL_BOOL, "false", false},
      {"in checks list object and substring",
       OP_IN, value_int(1), value_cstring("1"), 0, "cannot apply in to int and string", true},
      {"and or require bools", OP_AND, value_bool(true), value_bool(false), VAL_BOOL, "false", false},
      {"and or require bools", OP_OR, value_bool(true), value_bool(false), VAL_BOOL, "true", false},
      {"and or require bools",
       OP_AND, value_int(1), value_bool(true), 0, "and expects bools, got an int and a bool", true},
      {"coalesce defaults only null", OP_COALESCE, value_null(), value_int(5), VAL_INT, "5", false},
      {"coalesce defaults only null", OP_COALESCE, value_bool(false), value_int(5), VAL_BOOL, "false", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    if (cases[i].fails) assert_op_fails(cases[i].about, cases[i].op, cases[i].a, cases[i].b, cases[i].want);
    else assert_op(cases[i].about, cases[i].op, cases[i].a, cases[i].b, cases[i].kind, cases[i].want);
  }
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
      cmocka_unit_test(valops__binary__cases),
      cmocka_unit_test(valops__add_secret_and_string__stays_secret),
      cmocka_unit_test(valops__unary__negates_and_inverts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
