/* test_params.c — `-p name=value` parsing by declared type and binding to top-level params. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ast.h"
#include "params.h"
#include "source.h"

/* A hand-built plan file: one param per declaration with the given type and literal default. */
typedef struct {
  rbk_source *src;
  ast_file *file;
} fixture;

/* Returns a span at line `line` of src. */
static rbk_span at(const rbk_source *src, int line) {
  rbk_span s = {src, line, 1, line, 10};
  return s;
}

/* Adds `param name[: type] [= default]` (def may be NULL) at line `line`. */
static void add_param(fixture *f, int line, const char *name, ast_type type, ast_node *def) {
  ast_node *p = ast_new(f->file, AST_PARAM, at(f->src, line));
  p->u.param.name = ast_strdup(f->file, name, strlen(name));
  p->u.param.type = type;
  p->u.param.def = def;
  assert_true(ast_list_push(f->file, &f->file->stmts, p));
}

/* Returns an INT_LIT node. */
static ast_node *int_lit(fixture *f, int64_t i) {
  ast_node *n = ast_new(f->file, AST_INT_LIT, at(f->src, 1));
  n->u.lit.i = i;
  return n;
}

/* Builds: reason (string, required), replicas (int = 3), ratio (float), dry (bool = false),
 * grace (duration), plants (list), labels (object), count (untyped = 5), note (untyped). */
static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  const char *text = "x\nx\nx\nx\nx\nx\nx\nx\nx\nx\n";
  f->src = source_from_string("plan.rbk", text, strlen(text));
  f->file = ast_file_new(f->src);
  add_param(f, 7, "reason", TYPE_STRING, NULL);
  add_param(f, 8, "replicas", TYPE_INT, int_lit(f, 3));
  ast_node *b = ast_new(f->file, AST_BOOL_LIT, at(f->src, 1));
  add_param(f, 9, "ratio", TYPE_FLOAT, NULL);
  add_param(f, 9, "dry", TYPE_BOOL, b);
  add_param(f, 9, "grace", TYPE_DURATION, NULL);
  add_param(f, 9, "plants", TYPE_LIST, NULL);
  add_param(f, 9, "labels", TYPE_OBJECT, NULL);
  add_param(f, 9, "count", TYPE_ANY, int_lit(f, 5));
  add_param(f, 9, "note", TYPE_ANY, NULL);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  ast_file_free(f->file);
  source_free(f->src);
  free(f);
  return 0;
}

/* Binds the assignments (NULL-terminated); returns the error or NULL, and the set in *out. */
static char *bind(fixture *f, param_set *out, bool require, const char *const *assigns) {
  size_t n = 0;
  while (assigns[n]) n++;
  char *err = NULL;
  if (!params_bind(f->file, (char *const *)assigns, n, require, NULL, NULL, out, &err)) return err;
  return NULL;
}

static void params__int__parses_decimal(void **state) {
  (void)state;
  char *err = NULL;
  rbk_value *v = params_parse_value(TYPE_INT, "-42", &err);
  assert_non_null(v);
  assert_int_equal(v->kind, VAL_INT);
  assert_int_equal(v->u.i, -42);
  value_unref(v);
}

static void params__int__rejects_text(void **state) {
  (void)state;
  char *err = NULL;
  assert_null(params_parse_value(TYPE_INT, "x", &err));
  assert_string_equal(err, "\"x\" is not an int");
  free(err);
  assert_null(params_parse_value(TYPE_INT, "12a", &err));
  free(err);
  assert_null(params_parse_value(TYPE_INT, "", &err));
  free(err);
}

static void params__float__accepts_ints_and_decimals(void **state) {
  (void)state;
  char *err = NULL;
  rbk_value *v = params_parse_value(TYPE_FLOAT, "85.3", &err);
  assert_non_null(v);
  assert_int_equal(v->kind, VAL_FLOAT);
  assert_true(v->u.f > 85.29 && v->u.f < 85.31);
  value_unref(v);
  v = params_parse_value(TYPE_FLOAT, "2", &err);
  assert_non_null(v);
  assert_int_equal(v->kind, VAL_FLOAT);
  value_unref(v);
  assert_null(params_parse_value(TYPE_FLOAT, "inf", &err));
  assert_string_equal(err, "\"inf\" is not a float");
  free(err);
}

static void params__bool__only_true_and_false(void **state) {
  (void)state;
  char *err = NULL;
  rbk_value *v = params_parse_value(TYPE_BOOL, "true", &err);
  assert_true(v->u.b);
  value_unref(v);
  v = params_parse_value(TYPE_BOOL, "false", &err);
  assert_false(v->u.b);
  value_unref(v);
  assert_null(params_parse_value(TYPE_BOOL, "yes", &err));
  assert_string_equal(err, "\"yes\" is not a bool");
  free(err);
}

static void params__duration__units_combine(void **state) {
  (void)state;
  char *err = NULL;
  static const struct { const char *text; int64_t ms; } cases[] = {
      {"90s", 90000}, {"1h30m", 5400000}, {"500ms", 500}, {"2d", 172800000}, {"1m30s", 90000}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rbk_value *v = params_parse_value(TYPE_DURATION, cases[i].text, &err);
    assert_non_null(v);
    assert_int_equal(v->kind, VAL_DURATION);
    assert_int_equal(v->u.i, cases[i].ms);
    value_unref(v);
  }
  static const char *const bad[] = {"90", "s", "1x", "1h 30m", "-5s", "99999999999999999999s"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_null(params_parse_value(TYPE_DURATION, bad[i], &err));
    free(err);
  }
}

static void params__list__json_or_yaml_flow(void **state) {
  (void)state;
  char *err = NULL;
  rbk_value *v = params_parse_value(TYPE_LIST, "[\"Plant-001\", 2]", &err);
  assert_non_null(v);
  assert_int_equal(v->kind, VAL_LIST);
  assert_int_equal(v->u.list.len, 2);
  value_unref(v);
  v = params_parse_value(TYPE_LIST, "[Plant-001, Plant-002, 3]", &err);
  assert_non_null(v);
  assert_int_equal(v->u.list.len, 3);
  assert_int_equal(v->u.list.items[0]->kind, VAL_STRING);
  assert_int_equal(v->u.list.items[2]->kind, VAL_INT);
  value_unref(v);
}

static void params__object__rejects_a_list(void **state) {
  (void)state;
  char *err = NULL;
  rbk_value *v = params_parse_value(TYPE_OBJECT, "{app: gl-001, tier: 2}", &err);
  assert_non_null(v);
  assert_int_equal(v->kind, VAL_OBJECT);
  assert_int_equal(v->u.obj.len, 2);
  value_unref(v);
  assert_null(params_parse_value(TYPE_OBJECT, "[1]", &err));
  assert_string_equal(err, "\"[1]\" is not an object");
  free(err);
}

static void params__bind__given_values_typed(void **state) {
  fixture *f = *state;
  param_set ps;
  static const char *const a[] = {"reason=heat loss", "replicas=4", "grace=90s", "count=7", "note=12", NULL};
  assert_null(bind(f, &ps, false, a));
  assert_int_equal(ps.len, 9);
  assert_string_equal(params_find(&ps, "reason")->value->u.str.s, "heat loss");
  assert_int_equal(params_find(&ps, "replicas")->value->u.i, 4);
  assert_int_equal(params_find(&ps, "grace")->value->u.i, 90000);
  assert_int_equal(params_find(&ps, "count")->value->kind, VAL_INT);
  assert_int_equal(params_find(&ps, "note")->value->kind, VAL_STRING);
  assert_true(params_find(&ps, "reason")->given);
  assert_null(params_find(&ps, "dry")->value);
  assert_false(params_find(&ps, "dry")->given);
  assert_null(params_find(&ps, "nope"));
  params_free(&ps);
}

static void params__bind__missing_required_names_declaration(void **state) {
  fixture *f = *state;
  param_set ps;
  static const char *const a[] = {"replicas=4", NULL};
  char *err = bind(f, &ps, true, a);
  assert_string_equal(err, "param 'reason' is required (declared at plan.rbk:7:1)");
  free(err);
}

static void params__bind__missing_allowed_without_require(void **state) {
  fixture *f = *state;
  param_set ps;
  static const char *const a[] = {NULL};
  assert_null(bind(f, &ps, false, a));
  assert_null(params_find(&ps, "reason")->value);
  params_free(&ps);
}

static void params__bind__bad_value_names_param_and_type(void **state) {
  fixture *f = *state;
  param_set ps;
  static const char *const a[] = {"reason=x", "replicas=x", "ratio=1", NULL};
  char *err = bind(f, &ps, true, a);
  assert_string_equal(err, "param 'replicas': \"x\" is not an int");
  free(err);
}

static void params__bind__unknown_name_suggests(void **state) {
  fixture *f = *state;
  param_set ps;
  static const char *const a[] = {"replcas=3", NULL};
  char *err = bind(f, &ps, true, a);
  assert_string_equal(err, "unknown param 'replcas'; did you mean 'replicas'?");
  free(err);
}

static void params__bind__twice_and_malformed_are_errors(void **state) {
  fixture *f = *state;
  param_set ps;
  static const char *const twice[] = {"reason=a", "reason=b", NULL};
  char *err = bind(f, &ps, true, twice);
  assert_string_equal(err, "param 'reason' is given twice");
  free(err);
  static const char *const bare[] = {"reason", NULL};
  err = bind(f, &ps, true, bare);
  assert_string_equal(err, "-p expects name=value, got \"reason\"");
  free(err);
}

static void params__effective_type__untyped_follows_default(void **state) {
  fixture *f = *state;
  const ast_list *stmts = &f->file->stmts;
  assert_int_equal(params_effective_type(stmts->items[7], NULL, NULL), TYPE_INT);
  assert_int_equal(params_effective_type(stmts->items[8], NULL, NULL), TYPE_STRING);
  assert_int_equal(params_effective_type(stmts->items[1], NULL, NULL), TYPE_INT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(params__int__parses_decimal),
      cmocka_unit_test(params__int__rejects_text),
      cmocka_unit_test(params__float__accepts_ints_and_decimals),
      cmocka_unit_test(params__bool__only_true_and_false),
      cmocka_unit_test(params__duration__units_combine),
      cmocka_unit_test(params__list__json_or_yaml_flow),
      cmocka_unit_test(params__object__rejects_a_list),
      cmocka_unit_test_setup_teardown(params__bind__given_values_typed, setup, teardown),
      cmocka_unit_test_setup_teardown(params__bind__missing_required_names_declaration, setup, teardown),
      cmocka_unit_test_setup_teardown(params__bind__missing_allowed_without_require, setup, teardown),
      cmocka_unit_test_setup_teardown(params__bind__bad_value_names_param_and_type, setup, teardown),
      cmocka_unit_test_setup_teardown(params__bind__unknown_name_suggests, setup, teardown),
      cmocka_unit_test_setup_teardown(params__bind__twice_and_malformed_are_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(params__effective_type__untyped_follows_default, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
