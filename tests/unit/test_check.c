/* test_check.c — the program loader (imports, cycles, missing files, loading once) and the
 * checker's API (robustness on deep and partial trees), and `rbk check` on an unreadable file.
 * The checker's messages on source snippets are golden files (tests/golden/check/); the docs'
 * examples are checked by tests/docs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "program.h"
#include "test_files.h"

/* A scratch directory of plan files, removed after each test. */
typedef struct {
  char dir[64];
  char paths[80][128];
  size_t n;
} scratch;

/* Writes `text` to dir/name (creating dir/sub folders as needed); returns the path (borrowed). */
static const char *put(scratch *s, const char *name, const char *text) {
  char full[128];
  snprintf(full, sizeof full, "%s/%s", s->dir, name);
  char *path = s->paths[s->n++];
  memcpy(path, full, sizeof full);
  char *slash = strrchr(path, '/');
  *slash = '\0';
  mkdir(path, 0700);
  *slash = '/';
  tf_write_path(path, text);
  return path;
}

static int scratch_setup(void **state) {
  scratch *s = calloc(1, sizeof *s);
  if (!s) return -1;
  snprintf(s->dir, sizeof s->dir, "/tmp/rbk-test-check-XXXXXX");
  if (!mkdtemp(s->dir)) return -1;
  *state = s;
  return 0;
}

static int scratch_teardown(void **state) {
  scratch *s = *state;
  for (size_t i = s->n; i-- > 0;) {
    unlink(s->paths[i]);
    char *slash = strrchr(s->paths[i], '/');
    *slash = '\0';
    if (strcmp(s->paths[i], s->dir)) rmdir(s->paths[i]);
  }
  rmdir(s->dir);
  free(s);
  return 0;
}

/* Returns the first diagnostic whose message contains `text`, or NULL. */
static const diag *find_diag(const diag_list *d, const char *text) {
  for (size_t i = 0; i < d->len; i++)
    if (strstr(d->items[i].message, text)) return &d->items[i];
  return NULL;
}

/* Prints the diagnostics (to see why a test failed). */
static void dump(const diag_list *d) { diag_print(d, stderr, false); }

static void program__imports__loaded_relative_to_importer(void **state) {
  scratch *s = *state;
  put(s, "lib/b.rbk", "let out = console()\nproc hello() {\n  notify out \"b\"\n}\n");
  put(s, "lib/a.rbk", "import \"b.rbk\" as b\nproc hi() {\n  b.hello()\n}\n");
  const char *main = put(s, "main.rbk", "import \"lib/a.rbk\" as a\na.hi()\n");
  diag_list d = {0};
  rbk_program *p = program_load(main, &d);
  assert_non_null(p);
  if (d.len) dump(&d);
  assert_int_equal(d.errors, 0);
  assert_int_equal(p->len, 3);
  assert_non_null(p->units[1].ast);
  assert_non_null(p->units[2].ast);
  assert_non_null(strstr(p->units[2].path, "lib/b.rbk"));
  const ast_node *imp = p->units[0].ast->stmts.items[0];
  assert_ptr_equal(program_import(p, &p->units[0], imp), &p->units[1]);
  assert_true(check_program(p, &d));
  program_free(p);
  diag_free(&d);
}

static void program__same_file_twice__loaded_once(void **state) {
  scratch *s = *state;
  put(s, "lib/n.rbk", "let ch = console()\n");
  put(s, "lib/k.rbk", "import \"./n.rbk\" as n\nproc p() {\n  notify n.ch \"x\"\n}\n");
  const char *main = put(s, "main.rbk",
                         "import \"lib/n.rbk\" as n1\nimport \"lib/../lib/n.rbk\" as n2\nimport \"lib/k.rbk\" as k\n"
                         "notify n1.ch, n2.ch \"x\"\nk.p()\n");
  diag_list d = {0};
  rbk_program *p = program_load(main, &d);
  assert_non_null(p);
  if (d.len) dump(&d);
  assert_int_equal(d.errors, 0);
  assert_int_equal(p->len, 3);
  const ast_list *st = &p->units[0].ast->stmts;
  assert_ptr_equal(program_import(p, &p->units[0], st->items[0]), program_import(p, &p->units[0], st->items[1]));
  assert_true(check_program(p, &d));
  program_free(p);
  diag_free(&d);
}

static void program__cycle__reported_at_import_with_note(void **state) {
  scratch *s = *state;
  put(s, "a.rbk", "import \"b.rbk\" as b\n");
  put(s, "b.rbk", "import \"a.rbk\" as a\n");
  const char *main = put(s, "main.rbk", "import \"a.rbk\" as a\n");
  diag_list d = {0};
  rbk_program *p = program_load(main, &d);
  assert_non_null(p);
  assert_int_equal(p->len, 3);
  const diag *c = find_diag(&d, "import cycle");
  assert_non_null(c);
  assert_non_null(strstr(c->message, "a.rbk -> "));
  assert_non_null(strstr(c->span.src->path, "b.rbk"));
  assert_int_equal(c->span.line, 1);
  assert_int_equal(c->span.col, 8);
  assert_int_equal(c->nnotes, 1);
  assert_non_null(strstr(c->notes[0].span.src->path, "a.rbk"));
  assert_int_equal(d.errors, 1);
  program_free(p);
  diag_free(&d);
}

static void program__self_import__is_a_cycle(void **state) {
  scratch *s = *state;
  const char *main = put(s, "main.rbk", "import \"main.rbk\" as me\n");
  diag_list d = {0};
  rbk_program *p = program_load(main, &d);
  assert_non_null(p);
  assert_int_equal(p->len, 1);
  assert_non_null(find_diag(&d, "imports itself"));
  program_free(p);
  diag_free(&d);
}

static void program__missing_import__error_at_import(void **state) {
  scratch *s = *state;
  const char *main = put(s, "main.rbk", "let x = 1\nimport \"lib/none.rbk\" as none\n");
  diag_list d = {0};
  rbk_program *p = program_load(main, &d);
  assert_non_null(p);
  assert_int_equal(p->len, 1);
  const diag *e = find_diag(&d, "cannot import 'lib/none.rbk': No such file or directory");
  assert_non_null(e);
  assert_int_equal(e->span.line, 2);
  const ast_node *imp = p->units[0].ast->stmts.items[1];
  assert_null(program_import(p, &p->units[0], imp));
  assert_false(check_program(p, &d));
  program_free(p);
  diag_free(&d);
}

static void program__deep_import_chain__capped(void **state) {
  scratch *s = *state;
  char name[32], text[64];
  for (int i = 69; i >= 0; i--) {
    snprintf(name, sizeof name, "l%d.rbk", i);
    snprintf(text, sizeof text, i < 69 ? "import \"l%d.rbk\" as next\n" : "let end = %d\n", i + 1);
    put(s, name, text);
  }
  diag_list d = {0};
  rbk_program *p = program_load(s->paths[s->n - 1], &d);
  assert_non_null(p);
  assert_non_null(find_diag(&d, "imports nested more than 64 files deep"));
  assert_int_equal(d.errors, 1);
  assert_int_equal(p->len, 64);
  program_free(p);
  diag_free(&d);
}

static void program__missing_main__unit_without_tree(void **state) {
  (void)state;
  diag_list d = {0};
  rbk_program *p = program_load("/nonexistent/plan.rbk", &d);
  assert_non_null(p);
  assert_int_equal(p->len, 1);
  assert_null(p->units[0].ast);
  assert_int_equal(d.errors, 1);
  assert_null(d.items[0].span.src);
  assert_string_equal(d.items[0].message, "cannot read '/nonexistent/plan.rbk': No such file or directory");
  assert_null(program_runbook(p));
  assert_false(check_program(p, &d));
  program_free(p);
  diag_free(&d);
}

static void program__runbook__found_in_main_file(void **state) {
  (void)state;
  diag_list d = {0};
  const char *text = "let x = 1\nrunbook \"r\" {\n  title = \"t\"\n}\nlet c = console()\nnotify c \"${x}\"\n";
  rbk_program *p = program_load_string("mem.rbk", text, strlen(text), &d);
  assert_non_null(p);
  const ast_node *rb = program_runbook(p);
  assert_non_null(rb);
  assert_int_equal(rb->kind, AST_RUNBOOK);
  assert_true(check_program(p, &d));
  program_free(p);
  diag_free(&d);
}

/* Returns a chain of `depth` nested `not` around `true` (in file's arena), or NULL when out of memory. */
static ast_node *deep_not(ast_file *file, size_t depth, const rbk_source *src) {
  rbk_span sp = {src, 1, 9, 1, 12};
  ast_node *e = ast_new(file, AST_BOOL_LIT, sp);
  for (size_t i = 0; e && i < depth; i++) {
    ast_node *u = ast_new(file, AST_UNARY, sp);
    if (!u) return NULL;
    u->op = OP_NOT;
    u->u.unary.operand = e;
    e = u;
  }
  return e;
}

static void check__deep_expression__bounded_with_diagnostic(void **state) {
  (void)state;
  rbk_source *src = source_from_string("deep.rbk", "let x = true\n", 13);
  assert_non_null(src);
  rbk_span sp = {src, 1, 1, 1, 12};
  program_unit unit = {strdup("deep.rbk"), strdup("deep.rbk"), src, ast_file_new(src)};
  assert_non_null(unit.ast);
  ast_node *let = ast_new(unit.ast, AST_LET, sp);
  assert_non_null(let);
  let->u.let.name = ast_strdup(unit.ast, "x", 1);
  let->u.let.value = deep_not(unit.ast, 100000, src);
  assert_non_null(let->u.let.value);
  assert_true(ast_list_push(unit.ast, &unit.ast->stmts, let));
  rbk_program *p = calloc(1, sizeof *p);
  assert_non_null(p);
  p->units = malloc(sizeof unit);
  assert_non_null(p->units);
  p->units[0] = unit;
  p->len = p->cap = 1;
  diag_list d = {0};
  assert_false(check_program(p, &d));
  assert_non_null(find_diag(&d, "nested more than 1000 levels deep"));
  assert_int_equal(d.errors, 1);
  program_free(p);
  diag_free(&d);
}

static void check__partial_tree__no_crash(void **state) {
  (void)state;
  rbk_source *src = source_from_string("part.rbk", "x\n", 2);
  assert_non_null(src);
  rbk_span sp = {src, 1, 1, 1, 1};
  program_unit unit = {strdup("part.rbk"), strdup("part.rbk"), src, ast_file_new(src)};
  assert_non_null(unit.ast);
  static const ast_kind kinds[] = {AST_STEP, AST_IF, AST_FOR, AST_PARALLEL, AST_GATE, AST_NOTIFY, AST_CALL,
                                   AST_BINARY, AST_MEMBER, AST_EXPR_STMT, AST_LET, AST_PARAM, AST_PROC,
                                   AST_IMPORT, AST_RUNBOOK, AST_WAIT_UNTIL, AST_ASSERT, AST_RETURN, AST_LAMBDA};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    assert_true(ast_list_push(unit.ast, &unit.ast->stmts, ast_new(unit.ast, kinds[i], sp)));
  ast_node *stmt = ast_new(unit.ast, AST_EXPR_STMT, sp);
  assert_non_null(stmt);
  stmt->u.expr_stmt.expr = ast_new(unit.ast, AST_CALL, sp);
  assert_true(ast_list_push(unit.ast, &unit.ast->stmts, stmt));
  rbk_program *p = calloc(1, sizeof *p);
  assert_non_null(p);
  p->units = malloc(sizeof unit);
  assert_non_null(p->units);
  p->units[0] = unit;
  p->len = p->cap = 1;
  diag_list d = {0};
  check_program(p, &d);
  assert_true(d.errors > 0); /* e.g. `return` outside a proc, a bare binary expression */
  program_free(p);
  diag_free(&d);
}

/* Runs `rbk check ARGS` with stderr captured into buf; returns the exit code. */
static int run_cli_check(char **argv, int argc, char *buf, size_t size) {
  fflush(stderr);
  FILE *tmp = tmpfile();
  assert_non_null(tmp);
  int saved = dup(STDERR_FILENO);
  dup2(fileno(tmp), STDERR_FILENO);
  int rc = cli_check(argc, argv);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  rewind(tmp);
  size_t n = fread(buf, 1, size - 1, tmp);
  buf[n] = '\0';
  fclose(tmp);
  return rc;
}

static void cli__unreadable_file__message_and_exit_2(void **state) {
  (void)state;
  char *argv[] = {"check", "/nonexistent/x.rbk", NULL};
  char out[512];
  assert_int_equal(run_cli_check(argv, 2, out, sizeof out), 2);
  assert_string_equal(out, "rbk: cannot read '/nonexistent/x.rbk': No such file or directory\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(program__imports__loaded_relative_to_importer, scratch_setup, scratch_teardown),
      cmocka_unit_test_setup_teardown(program__same_file_twice__loaded_once, scratch_setup, scratch_teardown),
      cmocka_unit_test_setup_teardown(program__cycle__reported_at_import_with_note, scratch_setup, scratch_teardown),
      cmocka_unit_test_setup_teardown(program__self_import__is_a_cycle, scratch_setup, scratch_teardown),
      cmocka_unit_test_setup_teardown(program__missing_import__error_at_import, scratch_setup, scratch_teardown),
      cmocka_unit_test_setup_teardown(program__deep_import_chain__capped, scratch_setup, scratch_teardown),
      cmocka_unit_test(program__missing_main__unit_without_tree),
      cmocka_unit_test(program__runbook__found_in_main_file),
      cmocka_unit_test(check__deep_expression__bounded_with_diagnostic),
      cmocka_unit_test(check__partial_tree__no_crash),
      cmocka_unit_test(cli__unreadable_file__message_and_exit_2),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
