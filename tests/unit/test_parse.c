/* test_parse.c — the front end's API (parse_source): trees, spans, comments, string assembly,
 * diagnostics, junk input that must neither crash nor hang, and the arena that holds a tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "parse.h"

/* ---- fixtures ---- */

typedef struct {
  rbk_source *src;
  diag_list diags;
  ast_file *file;
} parsed;

/* Returns `text` (len bytes) parsed; the caller releases it with done(). */
static parsed parse_n(const char *text, size_t len) {
  parsed p = {0};
  p.src = source_from_string("test.rbk", text, len);
  assert_non_null(p.src);
  p.file = parse_source(p.src, &p.diags);
  assert_non_null(p.file);
  return p;
}

/* Returns the NUL-terminated `text` parsed. */
static parsed parse(const char *text) { return parse_n(text, strlen(text)); }

/* Releases a parse. */
static void done(parsed *p) {
  ast_file_free(p->file);
  diag_free(&p->diags);
  source_free(p->src);
}

/* Returns top-level statement i. */
static const ast_node *stmt(const parsed *p, size_t i) {
  assert_true(i < p->file->stmts.len);
  return p->file->stmts.items[i];
}

/* Asserts that the span is exactly line:col-end_line:end_col. */
static void assert_span(rbk_span s, int line, int col, int end_line, int end_col) {
  assert_int_equal(s.line, line);
  assert_int_equal(s.col, col);
  assert_int_equal(s.end_line, end_line);
  assert_int_equal(s.end_col, end_col);
}

/* Returns true when some diagnostic's message contains `needle`. */
static bool has_message(const parsed *p, const char *needle) {
  for (size_t i = 0; i < p->diags.len; i++)
    if (strstr(p->diags.items[i].message, needle)) return true;
  return false;
}

/* Returns the text of the STRING value of `let` statement i when it is one TEXT part. */
static const char *let_text(const parsed *p, size_t i) {
  const ast_node *let = stmt(p, i);
  assert_int_equal(let->kind, AST_LET);
  const char *text = NULL;
  assert_true(ast_string_is_plain(let->u.let.value, &text));
  return text ? text : "";
}

/* Returns a buffer holding `head`, `body` repeated `n` times, and `tail` (caller frees). */
static char *repeat(const char *head, const char *body, size_t n, const char *tail, size_t *len) {
  size_t hl = strlen(head), bl = strlen(body), tl = strlen(tail);
  *len = hl + bl * n + tl;
  char *s = malloc(*len + 1);
  assert_non_null(s);
  memcpy(s, head, hl);
  for (size_t i = 0; i < n; i++) memcpy(s + hl + i * bl, body, bl);
  memcpy(s + hl + bl * n, tail, tl + 1);
  return s;
}

/* ---- trees and spans ---- */

static void parse__two_files_in_one_process__independent_trees(void **state) {
  (void)state;
  parsed a = parse("let x = 1\n");
  parsed b = parse("step \"s\" {\n  wait 2s\n}\nlet y = [\n");
  assert_int_equal(a.diags.errors, 0);
  assert_int_equal(a.file->stmts.len, 1);
  assert_string_equal(stmt(&a, 0)->u.let.name, "x");
  assert_true(b.diags.errors > 0);
  assert_int_equal(stmt(&b, 0)->kind, AST_STEP);
  assert_ptr_equal(stmt(&a, 0)->span.src, a.src);
  assert_ptr_equal(stmt(&b, 0)->span.src, b.src);
  done(&a);
  parsed c = parse("let x = 1\n");
  assert_int_equal(c.diags.errors, 0);
  done(&c);
  done(&b);
}

static void parse__spans__cover_first_to_last_byte(void **state) {
  (void)state;
  parsed p = parse("let total = a + b * 2\nstep \"s\" timeout 2m {\n  f(x, n: 1)\n}\n");
  assert_int_equal(p.diags.errors, 0);
  const ast_node *let = stmt(&p, 0);
  assert_span(let->span, 1, 1, 1, 21);
  const ast_node *sum = let->u.let.value;
  assert_int_equal(sum->kind, AST_BINARY);
  assert_int_equal(sum->op, OP_ADD);
  assert_span(sum->span, 1, 13, 1, 21);
  assert_span(sum->u.binary.rhs->span, 1, 17, 1, 21);
  const ast_node *step = stmt(&p, 1);
  assert_span(step->span, 2, 1, 4, 1);
  assert_span(step->u.step.title->span, 2, 6, 2, 8);
  assert_span(step->u.step.opt->timeout->span, 2, 18, 2, 19);
  assert_span(step->u.step.body->span, 2, 21, 4, 1); /* a block's span covers its braces */
  const ast_node *call = step->u.step.body->u.block.stmts.items[0]->u.expr_stmt.expr;
  assert_int_equal(call->kind, AST_CALL);
  assert_span(call->span, 3, 3, 3, 12);
  const ast_node *named = call->u.call.args.items[1];
  assert_string_equal(named->u.arg.name, "n");
  assert_span(ast_name_span(named), 3, 8, 3, 8);
  done(&p);
}

static void parse__parentheses__flag_without_extra_node(void **state) {
  (void)state;
  parsed p = parse("let v = (a + b) * c\n");
  const ast_node *mul = stmt(&p, 0)->u.let.value;
  assert_int_equal(mul->op, OP_MUL);
  assert_true(mul->u.binary.lhs->paren);
  assert_int_equal(mul->u.binary.lhs->kind, AST_BINARY);
  assert_span(mul->u.binary.lhs->span, 1, 9, 1, 15);
  assert_false(mul->u.binary.rhs->paren);
  done(&p);
}

static void parse__keywords__name_keys_arguments_members_and_fields(void **state) {
  (void)state;
  parsed p = parse("runbook \"r\" { timeout = 1m }\nlet o = {timeout: 1, if: 2}\nlet c = f(in: 1)\n"
                   "let m = run.error.timeout\nlet x = max(1, 2)\n");
  assert_int_equal(p.diags.errors, 0);
  assert_string_equal(stmt(&p, 0)->u.runbook.fields.items[0]->u.field.key, "timeout");
  assert_string_equal(stmt(&p, 1)->u.let.value->u.list.items.items[1]->u.pair.key, "if");
  assert_string_equal(stmt(&p, 2)->u.let.value->u.call.args.items[0]->u.arg.name, "in");
  assert_string_equal(stmt(&p, 3)->u.let.value->u.member.name, "timeout");
  assert_string_equal(stmt(&p, 4)->u.let.value->u.call.callee->u.ident.name, "max");
  done(&p);
}

static void parse__literals__values_and_lexemes(void **state) {
  (void)state;
  parsed p = parse("let a = [90, 85.3, 1.5e3, 1h30m, 500ms, 1d, true, null]\n");
  const ast_list *items = &stmt(&p, 0)->u.let.value->u.list.items;
  assert_int_equal(items->items[0]->u.lit.i, 90);
  assert_true(items->items[1]->u.lit.f > 85.29 && items->items[1]->u.lit.f < 85.31);
  assert_string_equal(items->items[1]->u.lit.text, "85.3");
  assert_true(items->items[2]->u.lit.f == 1500.0);
  assert_int_equal(items->items[3]->u.lit.i, 5400000);
  assert_string_equal(items->items[3]->u.lit.text, "1h30m");
  assert_int_equal(items->items[4]->u.lit.i, 500);
  assert_int_equal(items->items[5]->u.lit.i, 86400000);
  assert_true(items->items[6]->u.lit.b);
  assert_int_equal(items->items[7]->kind, AST_NULL_LIT);
  done(&p);
}

/* ---- strings ---- */

static void parse__strings__escapes_resolved_and_text_merged(void **state) {
  (void)state;
  parsed p = parse("let s = \"a\\tb\\n\\\"q\\\" \\\\ \\$ $x \\u{e9}\"\nlet e = \"\"\n");
  assert_int_equal(p.diags.errors, 0);
  assert_string_equal(let_text(&p, 0), "a\tb\n\"q\" \\ $ $x \xc3\xa9");
  assert_int_equal(stmt(&p, 1)->u.let.value->u.str.parts.len, 0);
  done(&p);
}

static void parse__interpolation__nested_strings_and_braces(void **state) {
  (void)state;
  parsed p = parse("let s = \"a ${f({k: \"x ${y}\"})} b\"\n");
  assert_int_equal(p.diags.errors, 0);
  const ast_list *parts = &stmt(&p, 0)->u.let.value->u.str.parts;
  assert_int_equal(parts->len, 3);
  assert_string_equal(parts->items[0]->u.text.s, "a ");
  assert_int_equal(parts->items[1]->kind, AST_CALL);
  assert_string_equal(parts->items[2]->u.text.s, " b");
  const ast_node *inner = ast_arg_value(parts->items[1]->u.call.args.items[0])->u.list.items.items[0]->u.pair.value;
  assert_int_equal(inner->kind, AST_STRING);
  assert_int_equal(inner->u.str.parts.len, 2);
  done(&p);
}

static void parse__triple_quotes__trimmed_and_dedented(void **state) {
  (void)state;
  parsed p = parse("let t = \"\"\"\n    one\n      two\n\n    three ${x}\n    \"\"\"\n"
                   "let u = \"\"\"\n\ta\n\t\"\"\"\n"
                   "let v = \"\"\"keep  \n  b\"\"\"\n");
  assert_int_equal(p.diags.errors, 0);
  const ast_node *t = stmt(&p, 0)->u.let.value;
  assert_true(t->triple);
  assert_string_equal(t->u.str.parts.items[0]->u.text.s, "one\n  two\n\nthree ");
  assert_int_equal(t->u.str.parts.len, 2);
  assert_string_equal(let_text(&p, 1), "a");
  assert_string_equal(let_text(&p, 2), "keep  \n  b"); /* a first line with text keeps it all */
  done(&p);
}

/* ---- newlines and comments ---- */

static void parse__newlines__continue_after_operators_and_inside_brackets(void **state) {
  (void)state;
  parsed p = parse("let a = 1 +\n  2\nlet b = f(\n  x,\n  y\n)\nlet c = {\n  k: 1\n  j: 2\n}\nlet d = x.\n  y\n");
  assert_int_equal(p.diags.errors, 0);
  assert_int_equal(p.file->stmts.len, 4);
  assert_int_equal(stmt(&p, 2)->u.let.value->u.list.items.len, 2);
  done(&p);
}

static void parse__crlf__accepted(void **state) {
  (void)state;
  parsed p = parse("let a = 1\r\nstep \"s\" {\r\n  f()\r\n}\r\nlet t = \"\"\"\r\n  x\r\n  y\r\n  \"\"\"\r\n");
  assert_int_equal(p.diags.errors, 0);
  assert_int_equal(p.file->stmts.len, 3);
  assert_string_equal(let_text(&p, 2), "x\ny");
  done(&p);
}

static void parse__comments__kept_with_position_and_own_line(void **state) {
  (void)state;
  parsed p = parse("# top\nlet a = 1 # after\n  # indented\nlet s = \"# no\"\n#last");
  assert_int_equal(p.diags.errors, 0);
  assert_int_equal(p.file->ncomments, 4);
  assert_string_equal(p.file->comments[0].text, " top");
  assert_true(p.file->comments[0].own_line);
  assert_int_equal(p.file->comments[1].line, 2);
  assert_int_equal(p.file->comments[1].col, 11);
  assert_false(p.file->comments[1].own_line);
  assert_true(p.file->comments[2].own_line);
  assert_string_equal(p.file->comments[3].text, "last");
  done(&p);
}

/* ---- diagnostics ---- */

static void parse__syntax_errors__several_reported_and_good_statements_kept(void **state) {
  (void)state;
  parsed p = parse("let a = 1 2\nlet b = 2\nstep \"s\" {\n  let c = )\n  f()\n}\nlet d = a < b < c\nlet e = 5\n");
  assert_int_equal(p.diags.errors, 3);
  assert_true(has_message(&p, "unexpected integer '2'"));
  assert_true(has_message(&p, "unexpected ')'"));
  assert_true(has_message(&p, "comparisons do not chain"));
  assert_int_equal(p.file->stmts.len, 3); /* b, the step, e */
  assert_string_equal(stmt(&p, 2)->u.let.name, "e");
  assert_int_equal(stmt(&p, 1)->u.step.body->u.block.stmts.len, 1);
  done(&p);
}

static void parse__lists_after_recovery__exact_items_of_each_list(void **state) {
  (void)state;
  /* errors inside nested argument lists and blocks: the lists that survive hold their own items */
  parsed p = parse("step \"s\" {\n  f(1, g(2, ), [3, 4 5])\n  wait 1s\n}\nlet y = [1, [2, 3], h(a: 4, 5)]\n");
  assert_true(p.diags.errors >= 1);
  const ast_node *body = stmt(&p, 0)->u.step.body;
  assert_int_equal(body->u.block.stmts.len, 1); /* the wait */
  assert_int_equal(body->u.block.stmts.items[0]->kind, AST_WAIT);
  const ast_node *list = stmt(&p, 1)->u.let.value;
  assert_int_equal(list->u.list.items.len, 3);
  assert_int_equal(list->u.list.items.cap, 3);
  assert_int_equal(list->u.list.items.items[1]->u.list.items.len, 2);
  assert_int_equal(list->u.list.items.items[2]->u.call.args.len, 2);
  assert_true(has_message(&p, "positional argument after the named argument 'a'"));
  done(&p);
}

static void parse__operator_starting_a_line__hint_to_end_the_line_with_it(void **state) {
  (void)state;
  parsed p = parse("let a = 1\n  + 2\nlet b = 1 +\n  2\n");
  assert_int_equal(p.diags.errors, 1);
  assert_true(has_message(&p, "unexpected '+', expected end of file, end of line or a statement; to continue an "
                              "expression on the next line, end this line with the operator"));
  assert_int_equal(p.diags.items[0].span.line, 2);
  done(&p);
}

static void parse__unclosed_brace__note_at_the_opening(void **state) {
  (void)state;
  parsed p = parse("step \"s\" {\n  f()\n");
  assert_int_equal(p.diags.errors, 1);
  const diag *d = &p.diags.items[0];
  assert_non_null(strstr(d->message, "unexpected end of file"));
  assert_int_equal(d->nnotes, 1);
  assert_non_null(strstr(d->notes[0].message, "'{' opened here"));
  assert_span(d->notes[0].span, 1, 10, 1, 10);
  done(&p);
}

static void parse__unterminated_string__error_at_the_opening_quote(void **state) {
  (void)state;
  parsed p = parse("let a = 1\nlet s = \"abc\nlet b = 2\n");
  assert_int_equal(p.diags.errors, 1);
  assert_non_null(strstr(p.diags.items[0].message, "unterminated string"));
  assert_span(p.diags.items[0].span, 2, 9, 2, 9);
  assert_int_equal(p.file->stmts.len, 3);
  done(&p);
}

static void parse__unknown_type__suggests_the_nearest(void **state) {
  (void)state;
  parsed p = parse("param a: strng\nparam b: duration = 1s\n");
  assert_true(has_message(&p, "unknown type 'strng' (did you mean 'string'?)"));
  assert_int_equal(stmt(&p, 1)->u.param.type, TYPE_DURATION);
  done(&p);
}

static void parse__error_cap__scan_stops_when_no_more_can_be_shown(void **state) {
  (void)state;
  size_t len;
  char *text = repeat("", "let x = @\n", 20000, "", &len);
  parsed p = {0};
  p.src = source_from_string("test.rbk", text, len);
  p.diags.max_errors = 5;
  p.file = parse_source(p.src, &p.diags);
  assert_non_null(p.file);
  assert_int_equal(p.diags.len, 5);
  assert_int_equal(p.diags.errors, 6); /* the scan halted after the first one dropped */
  done(&p);
  free(text);
}

/* ---- junk ---- */

static void parse__nul_bytes_and_invalid_utf8__reported_at_their_column(void **state) {
  (void)state;
  static const char text[] = "let a = 1\0\nlet b = \"x\xff\" # \xc3\n";
  parsed p = parse_n(text, sizeof text - 1);
  assert_true(has_message(&p, "NUL byte"));
  assert_true(has_message(&p, "invalid UTF-8 byte 0xFF in a string"));
  assert_true(has_message(&p, "invalid UTF-8 byte 0xC3 in a comment"));
  assert_span(p.diags.items[1].span, 2, 11, 2, 11);
  done(&p);
}

static void parse__random_bytes__no_crash(void **state) {
  (void)state;
  unsigned seed = 12345;
  char buf[4096];
  for (int round = 0; round < 200; round++) {
    for (size_t i = 0; i < sizeof buf; i++) {
      seed = seed * 1103515245u + 12345u;
      buf[i] = round % 2 ? (char)((seed >> 16) & 0xFF) : "{}()[]\"$\n a=.,#\\"[(seed >> 16) % 16];
    }
    parsed p = parse_n(buf, sizeof buf);
    done(&p);
  }
}

/* Texts nested past the parser's limits (head, unit repeated n times, tail) and the one error each
 * gives, which never says "memory exhausted": brackets, prefix operators (the parser's stack) and a
 * long operator chain (the tree's depth). */
static void parse__deep_nesting__one_bounded_error(void **state) {
  (void)state;
  static const struct {
    const char *head, *unit, *tail, *message;
  } cases[] = {
      {"let x = ", "[", "\n", "nesting too deep"},
      {"let x = ", "not ", "y\n", "nesting too deep"},
      {"let x = a", " + a", "\n", "expression nested too deeply"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    size_t len;
    char *text = repeat(cases[i].head, cases[i].unit, 20000, cases[i].tail, &len);
    parsed p = parse_n(text, len);
    assert_int_equal(p.diags.errors, 1);
    assert_non_null(strstr(p.diags.items[0].message, cases[i].message));
    assert_null(strstr(p.diags.items[0].message, "memory exhausted"));
    done(&p);
    free(text);
  }
}

static void parse__long_line__one_big_string(void **state) {
  (void)state;
  size_t len;
  char *text = repeat("let s = \"", "abcdefgh", 1 << 17, "\"\n", &len);
  parsed p = parse_n(text, len);
  assert_int_equal(p.diags.errors, 0);
  assert_int_equal(strlen(let_text(&p, 0)), 1u << 20);
  done(&p);
  free(text);
}

/* ---- the arena that holds a tree ---- */

static void arena__blocks__zeroed_aligned_distinct_and_freed_together(void **state) {
  (void)state;
  arena a = {0};
  enum { N = 200000 }; /* about 5 MB: several chunks, mapped ones included */
  uint32_t **blocks = malloc(N * sizeof *blocks);
  assert_non_null(blocks);
  for (size_t i = 0; i < N; i++) {
    blocks[i] = arena_alloc(&a, 4 + i % 40);
    assert_non_null(blocks[i]);
    assert_int_equal((uintptr_t)blocks[i] % 8, 0);
    assert_int_equal(blocks[i][0], 0);
    blocks[i][0] = (uint32_t)i;
  }
  for (size_t i = 0; i < N; i++) assert_int_equal(blocks[i][0], (uint32_t)i);
  char *big = arena_alloc(&a, 3u << 20); /* larger than a chunk: a block of its own */
  assert_non_null(big);
  assert_int_equal(big[0] | big[(3u << 20) - 1], 0);
  char *s = arena_strdup(&a, "abc", 2);
  assert_string_equal(s, "ab");
  assert_true(arena_adopt(&a, malloc(100)));
  void *after = arena_alloc(&a, 16); /* the chunk being filled goes on after a block of its own */
  assert_non_null(after);
  arena_free(&a);
  assert_null(a.chunks);
  free(blocks);
}

/* ---- the product sketch's examples ---- */

static void parse__language_md_examples__parse_cleanly(void **state) {
  (void)state;
  const char *root = getenv("RBK_SOURCE_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/../shared/docs/language.md", root ? root : ".");
  char *err = NULL;
  rbk_source *doc = source_load(path, &err);
  if (!doc) {
    free(err);
    skip();
  }
  size_t blocks = 0;
  const char *p = doc->text;
  while ((p = strstr(p, "```rbk\n"))) {
    p += 7;
    const char *end = strstr(p, "\n```");
    assert_non_null(end);
    parsed one = parse_n(p, (size_t)(end - p) + 1);
    if (one.diags.errors) diag_print(&one.diags, stderr, false);
    assert_int_equal(one.diags.errors, 0);
    done(&one);
    blocks++;
    p = end;
  }
  assert_true(blocks > 0);
  source_free(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parse__two_files_in_one_process__independent_trees),
      cmocka_unit_test(parse__spans__cover_first_to_last_byte),
      cmocka_unit_test(parse__parentheses__flag_without_extra_node),
      cmocka_unit_test(parse__keywords__name_keys_arguments_members_and_fields),
      cmocka_unit_test(parse__literals__values_and_lexemes),
      cmocka_unit_test(parse__strings__escapes_resolved_and_text_merged),
      cmocka_unit_test(parse__interpolation__nested_strings_and_braces),
      cmocka_unit_test(parse__triple_quotes__trimmed_and_dedented),
      cmocka_unit_test(parse__newlines__continue_after_operators_and_inside_brackets),
      cmocka_unit_test(parse__crlf__accepted),
      cmocka_unit_test(parse__comments__kept_with_position_and_own_line),
      cmocka_unit_test(parse__syntax_errors__several_reported_and_good_statements_kept),
      cmocka_unit_test(parse__lists_after_recovery__exact_items_of_each_list),
      cmocka_unit_test(parse__operator_starting_a_line__hint_to_end_the_line_with_it),
      cmocka_unit_test(parse__unclosed_brace__note_at_the_opening),
      cmocka_unit_test(parse__unterminated_string__error_at_the_opening_quote),
      cmocka_unit_test(parse__unknown_type__suggests_the_nearest),
      cmocka_unit_test(parse__error_cap__scan_stops_when_no_more_can_be_shown),
      cmocka_unit_test(parse__nul_bytes_and_invalid_utf8__reported_at_their_column),
      cmocka_unit_test(parse__random_bytes__no_crash),
      cmocka_unit_test(parse__deep_nesting__one_bounded_error),
      cmocka_unit_test(parse__long_line__one_big_string),
      cmocka_unit_test(arena__blocks__zeroed_aligned_distinct_and_freed_together),
      cmocka_unit_test(parse__language_md_examples__parse_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
