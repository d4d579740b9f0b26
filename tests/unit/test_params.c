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

/* One value given with -p: its declared type and text, then the kind and source text it parses to,
 * or (repr NULL) the error it is refused with ("" for any error). */
typedef struct {
  ast_type type;
  const char *text;
  val_kind kind;
  const char *repr, *err;
} parse_case;

static const parse_case parse_cases[] = {
    {TYPE_INT, "-42", VAL_INT, "-42", NULL},
    {TYPE_INT, "x", 0, NULL, "\"x\" is not an int"},
    {TYPE_INT, "12a", 0, NULL, ""},
    {TYPE_INT, "", 0, NULL, ""},
    {TYPE_FLOAT, "85.3", VAL_FLOAT, "85.3", NULL},
    {TYPE_FLOAT, "2", VAL_FLOAT, "2.0", NULL},
    {TYPE_FLOAT, "inf", 0, NULL, "\"inf\" is not a float"},
    {TYPE_BOOL, "true", VAL_BOOL, "true", NULL},
    {TYPE_BOOL, "false", VAL_BOOL, "false", NULL},
    {TYPE_BOOL, "yes", 0, NULL, "\"yes\" is not a bool"},
    {TYPE_LIST, "[\"Plant-001\", 2]", VAL_LIST, "[\"Plant-001\", 2]", NULL},
    {TYPE_LIST, "[Plant-001, Plant-002, 3]", VAL_LIST, "[\"Plant-001\", \"Plant-002\", 3]", NULL},
    {TYPE_OBJECT, "{app: gl-001, tier: 2}", VAL_OBJECT, "{app: \"gl-001\", tier: 2}", NULL},
    {TYPE_OBJECT, "[1]", 0, NULL, "\"[1]\" is not an object"},
};

/* Every case of parse_cases: the text parses by its type to the kind and source text, or is refused. */
static void params__parse_value__by_declared_type(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof parse_cases / sizeof *parse_cases; i++) {
    const parse_case *c = &parse_cases[i];
    char *err = NULL;
    rbk_value *v = params_parse_value(c->type, c->text, &err);
    char *got = v ? value_repr(v) : NULL;
    if (c->repr && (!v || v->kind != c->kind || strcmp(got, c->repr)))
      fail_msg("\"%s\": got %s (%s), want %s", c->text, got ? got : "an error", err ? err : "", c->repr);
    if (!c->repr && (v || !err || (*c->err && strcmp(err, c->err))))
      fail_msg("\"%s\": got %s (%s), want the error %s", c->text, got ? got : "an error", err ? err : "", c->err);
    free(got);
    free(err);
    value_unref(v);
  }
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

/* Assignments (NULL-terminated) that a required binding refuses, and the error it gives. */
static const struct {
  const char *assigns[4], *err;
} bind_errors[] = {
    {{"replicas=4", NULL}, "param 'reason' is required (declared at plan.rbk:7:1)"},
    {{"reason=x", "replicas=x", "ratio=1", NULL}, "param 'replicas': \"x\" is not an int"},
    {{"replcas=3", NULL}, "unknown param 'replcas'; did you mean 'replicas'?"},
    {{"reason=a", "reason=b", NULL}, "param 'reason' is given twice"},
    {{"reason", NULL}, "-p expects name=value, got \"reason\""},
};

/* Every case of bind_errors: the binding fails with its error, naming the param or the word. */
static void params__bind__mistakes_are_named_errors(void **state) {
  fixture *f = *state;
  for (size_t i = 0; i < sizeof bind_errors / sizeof *bind_errors; i++) {
    param_set ps;
    char *err = bind(f, &ps, true, bind_errors[i].assigns);
    assert_string_equal(err, bind_errors[i].err);
    free(err);
  }
}

static void params__bind__missing_allowed_without_require(void **state) {
  fixture *f = *state;
  param_set ps;
  static const char *const a[] = {NULL};
  assert_null(bind(f, &ps, false, a));
  assert_null(params_find(&ps, "reason")->value);
  params_free(&ps);
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
      cmocka_unit_test(params__parse_value__by_declared_type),
      cmocka_unit_test(params__duration__units_combine),
      cmocka_unit_test_setup_teardown(params__bind__given_values_typed, setup, teardown),
      cmocka_unit_test_setup_teardown(params__bind__mistakes_are_named_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(params__bind__missing_allowed_without_require, setup, teardown),
      cmocka_unit_test_setup_teardown(params__effective_type__untyped_follows_default, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
