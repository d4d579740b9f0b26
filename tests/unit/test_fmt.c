/* test_fmt.c — the formatter: canonical layout on small inputs, and its properties over every plan
 * in the repository and every example in the docs: idempotent, the same tree, every comment kept. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "fmt.h"
#include "parse.h"

/* Returns the whole file at `path` (caller frees), or NULL when it cannot be read. */
static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, mem);
  fclose(mem);
  fclose(f);
  return text;
}

/* Returns a line of a dump without its positions (" @l:c-l:c", " @l:c") and own_line marks, which
 * formatting may change (caller frees). */
static char *strip_line(const char *line, size_t len) {
  char *out = malloc(len + 1);
  size_t n = 0;
  for (size_t i = 0; i < len;) {
    if (line[i] == ' ' && i + 1 < len && line[i + 1] == '@') {
      i += 2;
      while (i < len && (strchr("0123456789:-", line[i]))) i++;
      continue;
    }
    if (!strncmp(line + i, " own_line", 9)) {
      i += 9;
      continue;
    }
    out[n++] = line[i++];
  }
  out[n] = '\0';
  return out;
}

/* Returns the tree of `text` as ast_dump prints it, positions stripped (caller frees); *errors
 * gets the number of syntax errors. */
static char *shape(const char *text, size_t *errors) {
  rbk_source *src = source_from_string("t.rbk", text, strlen(text));
  diag_list diags = {0};
  ast_file *file = parse_source(src, &diags);
  *errors = diags.errors;
  char *dump = NULL, *out = NULL;
  size_t len = 0, olen = 0;
  FILE *mem = open_memstream(&dump, &len);
  ast_dump(file, mem);
  fclose(mem);
  mem = open_memstream(&out, &olen);
  for (char *line = dump, *nl; *line; line = nl + 1) {
    nl = strchr(line, '\n');
    if (!nl) nl = line + strlen(line) - 1;
    char *s = strip_line(line, (size_t)(nl - line));
    fprintf(mem, "%s\n", s);
    free(s);
  }
  fclose(mem);
  free(dump);
  ast_file_free(file);
  diag_free(&diags);
  source_free(src);
  return out;
}

/* Returns the canonical text of `text` (caller frees); NULL when it has syntax errors. */
static char *format(const char *text) {
  rbk_source *src = source_from_string("t.rbk", text, strlen(text));
  diag_list diags = {0};
  ast_file *file = parse_source(src, &diags);
  char *out = diags.errors ? NULL : fmt_file(file);
  if (!diags.errors) assert_non_null(out);
  ast_file_free(file);
  diag_free(&diags);
  source_free(src);
  return out;
}

/* Checks the properties on one source; returns false when it has syntax errors (not checked). */
static bool check_properties(const char *name, const char *text) {
  size_t errors = 0, again = 0;
  char *before = shape(text, &errors);
  if (errors) {
    free(before);
    return false;
  }
  char *once = format(text);
  char *after = shape(once, &again);
  if (again || strcmp(before, after)) fprintf(stderr, "%s: formatting changed the tree:\n%s\n", name, once);
  assert_int_equal(again, 0);
  assert_string_equal(before, after);
  char *twice = format(once);
  if (strcmp(once, twice)) fprintf(stderr, "%s: not idempotent:\n%s\n---\n%s\n", name, once, twice);
  assert_string_equal(once, twice);
  free(before);
  free(after);
  free(once);
  free(twice);
  return true;
}

/* Checks every .rbk file under `dir` (recursively); returns how many parsed and were checked. */
static int check_tree(const char *dir) {
  if (strlen(dir) >= 4096) return 0;
  DIR *d = opendir(dir);
  if (!d) return 0;
  int checked = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[4096 + 512];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(path, &st) != 0) continue;
    size_t n = strlen(e->d_name);
    if (S_ISDIR(st.st_mode)) {
      checked += check_tree(path);
    } else if (n > 4 && !strcmp(e->d_name + n - 4, ".rbk")) {
      char *text = read_all(path);
      if (text && check_properties(path, text)) checked++;
      free(text);
    }
  }
  closedir(d);
  return checked;
}

/* Returns the repository's root (RBK_SOURCE_DIR, or the working directory). */
static const char *source_dir(void) {
  const char *dir = getenv("RBK_SOURCE_DIR");
  return dir ? dir : ".";
}

static void fmt__repository_plans__idempotent_same_tree_comments_kept(void **state) {
  (void)state;
  char path[4096];
  int checked = 0;
  snprintf(path, sizeof path, "%s/plans", source_dir());
  checked += check_tree(path);
  snprintf(path, sizeof path, "%s/tests", source_dir());
  checked += check_tree(path);
  print_message("%d plans checked\n", checked);
  assert_true(checked > 0);
}

/* Checks every ```rbk block of the markdown file at `path`; returns how many were checked. */
static int check_doc(const char *path) {
  char *doc = read_all(path);
  if (!doc) return 0;
  int checked = 0;
  for (char *at = strstr(doc, "```rbk\n"); at; at = strstr(at, "```rbk\n")) {
    char *body = at + 7, *end = strstr(body, "\n```");
    if (!end) break;
    char *example = strndup(body, (size_t)(end - body + 1));
    if (check_properties(path, example)) checked++;
    free(example);
    at = end + 4;
  }
  free(doc);
  return checked;
}

static void fmt__doc_examples__idempotent_same_tree_comments_kept(void **state) {
  (void)state;
  char path[4096];
  snprintf(path, sizeof path, "%s/../shared/docs/language.md", source_dir());
  int shared = check_doc(path);
  snprintf(path, sizeof path, "%s/docs", source_dir());
  DIR *d = opendir(path);
  int checked = 0;
  struct dirent *e;
  while (d && (e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n < 3 || strcmp(e->d_name + n - 3, ".md")) continue;
    char doc[sizeof path + 512];
    snprintf(doc, sizeof doc, "%s/%s", path, e->d_name);
    checked += check_doc(doc);
  }
  if (d) closedir(d);
  print_message("%d examples checked (%d from the language sketch)\n", checked + shared, shared);
  assert_true(checked > 0); /* docs/fmt.md has examples */
}

/* One case: what it shows, the source and the text it formats to. */
typedef struct {
  const char *about, *in, *want;
} fmt_case;

/* Asserts that c->in formats to c->want, that c->want is canonical, and the properties of c->in. */
static void expect_fmt(const fmt_case *c) {
  char *got = format(c->in);
  if (!got || strcmp(got, c->want)) fail_msg("%s: got \"%s\", want \"%s\"", c->about, got ? got : "(null)", c->want);
  free(got);
  got = format(c->want);
  if (!got || strcmp(got, c->want)) fail_msg("%s: not canonical, formats to \"%s\"", c->about, got ? got : "(null)");
  free(got);
  assert_true(check_properties(c->about, c->in));
}

/* Sources (in) and the canonical text each formats to (want). */
static const fmt_case fmt_cases[] = {
    {"semicolons split one statement per line",
     "step \"a\" { wait 1s; wait  2s ;}\n",
     "step \"a\" {\n  wait 1s\n  wait 2s\n}\n"},
    {"blank lines one kept none at block edges",
     "\n\nwait 1s\n\n\n\nwait 2s\nstep \"a\" {\n\n  wait 3s\n\n}\n\n\n",
     "wait 1s\n\nwait 2s\nstep \"a\" {\n  wait 3s\n}\n"},
    {"operators spaced unary tight",
     "let x = -a+b*c>=d and not e??f\nlet f = map(xs,x=>x . y[ 0 ])\n",
     "let x = -a + b * c >= d and not e ?? f\nlet f = map(xs, x => x.y[0])\n"},
    {"parentheses kept never added", "let x = ((a + b)) * c - (d)\n", "let x = (a + b) * c - (d)\n"},
    {"sequences multi line kept with trailing commas",
     "let a = [1,\n  2]\nlet b = f(x, {\n  k: 1\n  n: 2\n})\nlet c = {a: 1, b: [1, 2,],}\n",
     "let a = [\n  1,\n  2,\n]\nlet b = f(x, {\n  k: 1,\n  n: 2,\n})\nlet c = {a: 1, b: [1, 2]}\n"},
    {"object keys names keywords strings computed",
     "let o = {timeout: 2m, \"heat-demand\": 45, \"plain\": 1, (k): v}\n",
     "let o = {timeout: 2m, \"heat-demand\": 45, plain: 1, (k): v}\n"},
    {"strings reescaped",
     "let s = \"a\\tb \\\"q\\\" \\\\ \\$ \\${x} ${y} \\u{1b} \\u{e9}\"\n",
     "let s = \"a\\tb \\\"q\\\" \\\\ $ \\${x} ${y} \\u{1b} \xc3\xa9\"\n"},
    {"triple string reindented closing at block indent",
     "step \"a\" {\n  notify c \"\"\"\n        hello ${name}\n          indented\n\n        bye\n        \"\"\"\n}\n",
     "step \"a\" {\n  notify c \"\"\"\n    hello ${name}\n      indented\n\n    bye\n  \"\"\"\n}\n"},
    /* the value "  a\n  b  ": every line indented, the last ending in blanks */
    {"triple string own indentation and trailing blanks kept",
     "let s = \"\"\"\n    a\n    b \\u{20}\n  \"\"\"\n",
     "let s = \"\"\"\n  a\n  b \\u{20}\n\"\"\"\n"},
    {"triple string own indentation and trailing blanks kept",
     "let s = \"\"\"\n    \\u{20} a\n      b\n  \"\"\"\n",
     "let s = \"\"\"\n  \\u{20} a\n    b\n\"\"\"\n"},
    {"runbook fields equals in one column",
     "runbook \"r\" {\n  title = \"t\"\n  deadline = 5m\n}\n",
     "runbook \"r\" {\n  title    = \"t\"\n  deadline = 5m\n}\n"},
    {"params and lets runs aligned",
     "param a = 1\nparam long = 2\nparam t: int = 3\nparam b = 4\n\nlet x = 1\nlet yyy = 2\n# c\nlet zz = 3\n",
     "param a    = 1\nparam long = 2\nparam t: int = 3\nparam b = 4\n\nlet x   = 1\nlet yyy = 2\n# c\n"
     "let zz = 3\n"},
    {"lets in blocks not aligned",
     "step \"s\" {\n  let a = 1\n  let bbb = 2\n}\n",
     "step \"s\" {\n  let a = 1\n  let bbb = 2\n}\n"},
    {"control flow else on closing brace line",
     "if a {\n  wait 1s\n}   else if b { wait 2s } else {\n}\non failure { abort \"x\" }\nfinally {}\n",
     "if a {\n  wait 1s\n} else if b {\n  wait 2s\n} else {}\non failure {\n  abort \"x\"\n}\nfinally {}\n"},
    {"comments own line trailing and before brace",
     "# top\nstep \"a\" {   # opens\n  wait 1s # one\n  wait 10s    # ten\n\n  # last\n}\n",
     "# top\nstep \"a\" {  # opens\n  wait 1s   # one\n  wait 10s  # ten\n\n  # last\n}\n"},
    {"comments in multi line object stay with element",
     "let o = {\n  # about a\n  a: 1, # one\n  # end\n}\n",
     "let o = {\n  # about a\n  a: 1,  # one\n  # end\n}\n"},
    {"assert message on next line break kept",
     "step \"a\" {\n  assert ok,\n      \"message\"\n}\n",
     "step \"a\" {\n  assert ok,\n    \"message\"\n}\n"},
    {"proc and calls named arguments",
     "proc p(a,b:int=3,) {\n  return f(a,to_revision:b)\n}\np(1, b : 2)\n",
     "proc p(a, b: int = 3) {\n  return f(a, to_revision: b)\n}\np(1, b: 2)\n"},
};

/* Every case of the table: each source formats to its text, which is canonical. */
static void fmt__cases__format_to_their_canonical_text(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof fmt_cases / sizeof *fmt_cases; i++) expect_fmt(&fmt_cases[i]);
}

static void fmt__comments__inside_one_line_expression_kept(void **state) {
  (void)state;
  /* a comment in the middle of an expression that prints on one line moves after it, never lost */
  char *got = format("let x = map(xs, x =>\n  # why\n  x + 1)\nwait 1s\n");
  assert_string_equal(got, "let x = map(xs, x => x + 1)\n# why\nwait 1s\n");
  free(got);
}

static void fmt__comments_out_of_source_order__all_printed(void **state) {
  (void)state;
  rbk_source *src = source_from_string("t.rbk", "wait 1s\n", 8);
  diag_list diags = {0};
  ast_file *file = parse_source(src, &diags);
  assert_true(ast_file_add_comment(file, 9, 1, " late", 5, true));
  assert_true(ast_file_add_comment(file, 1, 20, " early", 6, false));
  char *got = fmt_file(file);
  assert_string_equal(got, "wait 1s\n\n# late\n# early\n");
  free(got);
  ast_file_free(file);
  diag_free(&diags);
  source_free(src);
}

static void fmt__empty_file__empty_text(void **state) {
  (void)state;
  char *got = format("\n\n  \n");
  assert_string_equal(got, "");
  free(got);
  got = format("# only\n\n");
  assert_string_equal(got, "# only\n");
  free(got);
}

static void fmt__too_deep_tree__null_not_a_crash(void **state) {
  (void)state;
  rbk_span at = {0};
  ast_file *file = ast_file_new(NULL);
  ast_node *n = ast_new(file, AST_IDENT, at);
  n->u.ident.name = ast_strdup(file, "x", 1);
  for (int i = 0; i < 100000; i++) {
    ast_node *u = ast_new(file, AST_UNARY, at);
    u->op = OP_NOT;
    u->u.unary.operand = n;
    n = u;
  }
  ast_node *stmt = ast_new(file, AST_EXPR_STMT, at);
  stmt->u.expr_stmt.expr = n;
  assert_true(ast_list_push(file, &file->stmts, stmt));
  assert_null(fmt_file(file));
  ast_file_free(file);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fmt__repository_plans__idempotent_same_tree_comments_kept),
      cmocka_unit_test(fmt__doc_examples__idempotent_same_tree_comments_kept),
      cmocka_unit_test(fmt__cases__format_to_their_canonical_text),
      cmocka_unit_test(fmt__comments__inside_one_line_expression_kept),
      cmocka_unit_test(fmt__comments_out_of_source_order__all_printed),
      cmocka_unit_test(fmt__empty_file__empty_text),
      cmocka_unit_test(fmt__too_deep_tree__null_not_a_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
