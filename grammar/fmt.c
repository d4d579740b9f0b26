/* fmt.c — statements, declarations and blocks in canonical layout; fmt_file, the entry point.
 * Expressions are in fmt_expr.c, strings in fmt_str.c, the output buffer in fmt_out.c. */
#include "fmt.h"

#include <stdlib.h>
#include <string.h>

#include "fmt_int.h"

/* Prints the statements of a block or file one per line, with the comments between them and a
 * blank line where the source had one; `widths` (may be NULL) gives each one's alignment. */
static void stmt_lines(fmt_printer *p, const ast_list *stmts, fmt_pos close, const size_t *widths) {
  for (size_t i = 0; i < stmts->len; i++) {
    const ast_node *n = stmts->items[i];
    fmt_comments_before(p, fmt_start(n), true);
    if (!p->block_start && n->span.line > p->last_line + 1) fmt_raw_newline(p);
    p->align = widths ? widths[i] : 0;
    fmt_stmt(p, n);
    p->align = 0;
    if (n->span.end_line > p->last_line) p->last_line = n->span.end_line;
    p->block_start = false;
    fmt_end_line(p, i + 1 < stmts->len ? fmt_start(stmts->items[i + 1]) : close);
  }
  fmt_comments_before(p, close, true);
}

/* Prints `{`, the statements (or runbook fields) indented one level, and `}`; `{}` when empty. */
static void braces(fmt_printer *p, const ast_list *stmts, rbk_span span, const size_t *widths) {
  fmt_pos close = fmt_end(span);
  if (stmts->len == 0 && !fmt_has_comment_before(p, close)) {
    fmt_put(p, "{}");
    return;
  }
  int saved_block = p->block_indent, saved_last = p->last_line;
  bool saved_start = p->block_start;
  fmt_put(p, "{");
  fmt_end_line(p, stmts->len ? fmt_start(stmts->items[0]) : close);
  p->block_indent = p->indent = saved_block + 2;
  p->cont = false;
  p->block_start = true;
  p->last_line = span.line;
  stmt_lines(p, stmts, close, widths);
  p->block_indent = p->indent = saved_block;
  p->last_line = saved_last;
  p->block_start = saved_start;
  fmt_put(p, "}");
}

/* Prints a BLOCK (a lone statement where a block belongs is printed as a block holding it). */
static void block(fmt_printer *p, const ast_node *b) {
  if (!b) return;
  ast_list one = {(ast_node **)&b, 1, 1};
  braces(p, b->kind == AST_BLOCK ? &b->u.block.stmts : &one, b->span, NULL);
}

/* Prints " word expr" when expr is there. */
static void clause(fmt_printer *p, const char *word, const ast_node *expr) {
  if (!expr) return;
  fmt_put(p, " ");
  fmt_put(p, word);
  fmt_put(p, " ");
  fmt_expr(p, expr);
}

/* Prints `name` followed by spaces up to the alignment width the caller set. */
static void aligned_name(fmt_printer *p, const char *name) {
  fmt_put(p, name);
  for (size_t w = strlen(name); w < p->align; w++) fmt_put(p, " ");
  p->align = 0;
}

/* Prints a parameter: `name[: type] [= default] ["doc"]` (after `param ` at top level). */
static void param(fmt_printer *p, const ast_node *n) {
  aligned_name(p, n->u.param.name);
  if (n->u.param.type != TYPE_ANY) {
    fmt_put(p, ": ");
    fmt_put(p, ast_type_name(n->u.param.type));
  }
  clause(p, "=", n->u.param.def);
  if (n->u.param.doc) {
    fmt_put(p, " ");
    fmt_expr(p, n->u.param.doc);
  }
}

/* Prints `proc name(params) { … }`; the parameter list breaks as the source's did. */
static void proc(fmt_printer *p, const ast_node *n) {
  const ast_node *body = n->u.proc.body;
  rbk_span close = n->span;
  int close_line = body ? body->span.line : n->span.end_line;
  if (body) close.end_line = body->span.line, close.end_col = body->span.col;
  fmt_put(p, "proc ");
  fmt_put(p, n->u.proc.name);
  bool multi = fmt_seq_multiline(n->span.line, &n->u.proc.params, close_line);
  fmt_seq(p, "(", &n->u.proc.params, ")", multi, close, param);
  fmt_put(p, " ");
  block(p, body);
}

/* Prints `if c { … } else if c { … } else { … }`. */
static void if_stmt(fmt_printer *p, const ast_node *n) {
  fmt_put(p, "if ");
  fmt_expr(p, n->u.if_.cond);
  fmt_put(p, " ");
  block(p, n->u.if_.then);
  if (!n->u.if_.els) return;
  fmt_put(p, " else ");
  if (n->u.if_.els->kind == AST_IF)
    if_stmt(p, n->u.if_.els);
  else
    block(p, n->u.if_.els);
}

/* Prints `assert c[, message]` (or expect), keeping a line break before the message. */
static void check(fmt_printer *p, const ast_node *n) {
  const ast_node *cond = n->u.check.cond, *msg = n->u.check.message;
  fmt_put(p, n->kind == AST_ASSERT ? "assert " : "expect ");
  fmt_expr(p, cond);
  if (!msg) return;
  fmt_put(p, ",");
  if (msg->span.line <= cond->span.end_line) {
    fmt_put(p, " ");
    fmt_expr(p, msg);
    return;
  }
  int saved = p->indent;
  p->indent += 2;
  p->cont = true;
  fmt_break(p, fmt_start(msg));
  fmt_expr(p, msg);
  p->indent = saved;
  p->cont = false;
}

/* Prints `notify ch, ch [every D] message`. */
static void notify(fmt_printer *p, const ast_node *n) {
  fmt_put(p, "notify ");
  for (size_t i = 0; i < n->u.notify.channels.len; i++) {
    if (i > 0) fmt_put(p, ", ");
    fmt_expr(p, n->u.notify.channels.items[i]);
  }
  clause(p, "every", n->u.notify.every);
  fmt_put(p, " ");
  fmt_expr(p, n->u.notify.message);
}

/* Prints a loop: `for x in e { }` or `parallel for x in e [max N] { }`. */
static void loop(fmt_printer *p, const ast_node *n) {
  fmt_put(p, n->kind == AST_FOR ? "for " : "parallel for ");
  fmt_put(p, n->u.loop.var);
  clause(p, "in", n->u.loop.iter);
  clause(p, "max", n->u.loop.max);
  fmt_put(p, " ");
  block(p, n->u.loop.body);
}

/* Prints `step "title" [timeout D] [retry N [backoff D]] { … }`. */
static void step(fmt_printer *p, const ast_node *n) {
  fmt_put(p, "step ");
  fmt_expr(p, n->u.step.title);
  clause(p, "timeout", n->u.step.opt->timeout);
  clause(p, "retry", n->u.step.opt->retry);
  clause(p, "backoff", n->u.step.opt->backoff);
  fmt_put(p, " ");
  block(p, n->u.step.body);
}

/* Prints `gate "title" [every D] [timeout D] [recheck B] { … }`. */
static void gate(fmt_printer *p, const ast_node *n) {
  fmt_put(p, "gate ");
  fmt_expr(p, n->u.gate.title);
  clause(p, "every", n->u.gate.opt->every);
  clause(p, "timeout", n->u.gate.opt->timeout);
  clause(p, "recheck", n->u.gate.opt->recheck);
  fmt_put(p, " ");
  block(p, n->u.gate.body);
}

/* Prints `parallel [max N] { … }`. */
static void parallel(fmt_printer *p, const ast_node *n) {
  fmt_put(p, "parallel");
  clause(p, "max", n->u.parallel.max);
  fmt_put(p, " ");
  block(p, n->u.parallel.body);
}

/* Returns the widest field key of a runbook block. */
static size_t widest_key(const ast_list *fields) {
  size_t w = 0;
  for (size_t i = 0; i < fields->len; i++) {
    const ast_node *f = fields->items[i];
    size_t k = f->kind == AST_FIELD && f->u.field.key ? strlen(f->u.field.key) : 0;
    if (k > w) w = k;
  }
  return w;
}

/* Prints `runbook "id" { key = value … }` with the `=` of every field in one column. */
static void runbook(fmt_printer *p, const ast_node *n) {
  const ast_list *fields = &n->u.runbook.fields;
  size_t *widths = calloc(fields->len + 1, sizeof *widths);
  if (!widths) {
    p->out.oom = true;
    return;
  }
  size_t w = widest_key(fields);
  for (size_t i = 0; i < fields->len; i++) widths[i] = w;
  fmt_put(p, "runbook ");
  fmt_expr(p, n->u.runbook.id);
  fmt_put(p, " ");
  braces(p, fields, n->span, widths);
  free(widths);
}

/* Prints `name = value` (a runbook field, aligned) or `let name = value`. */
static void binding(fmt_printer *p, const char *name, const ast_node *value) {
  aligned_name(p, name);
  fmt_put(p, " = ");
  fmt_expr(p, value);
}

/* Prints a statement of the kinds that fit on one line without a block. */
static void simple(fmt_printer *p, const ast_node *n) {
  switch (n->kind) {
  case AST_FIELD: binding(p, n->u.field.key, n->u.field.value); break;
  case AST_LET: fmt_put(p, "let "); binding(p, n->u.let.name, n->u.let.value); break;
  case AST_PARAM: fmt_put(p, "param "); param(p, n); break;
  case AST_IMPORT:
    fmt_put(p, "import ");
    fmt_expr(p, n->u.import.path);
    fmt_put(p, " as ");
    fmt_put(p, n->u.import.alias);
    break;
  case AST_APPROVE:
    fmt_put(p, "approve ");
    fmt_expr(p, n->u.approve.question);
    clause(p, "from", n->u.approve.from);
    clause(p, "timeout", n->u.approve.timeout);
    break;
  case AST_WAIT: fmt_put(p, "wait "); fmt_expr(p, n->u.wait.duration); break;
  case AST_WAIT_UNTIL:
    fmt_put(p, "wait until ");
    fmt_expr(p, n->u.wait.cond);
    clause(p, "every", n->u.wait.every);
    clause(p, "timeout", n->u.wait.timeout);
    break;
  case AST_ABORT: fmt_put(p, "abort "); fmt_expr(p, n->u.abort.reason); break;
  case AST_RETURN: fmt_put(p, "return "); fmt_expr(p, n->u.ret.value); break;
  case AST_EXPR_STMT: fmt_expr(p, n->u.expr_stmt.expr); break;
  default: fmt_expr(p, n); break;
  }
}

/* Prints a statement or declaration. */
static void stmt_inner(fmt_printer *p, const ast_node *n) {
  switch (n->kind) {
  case AST_RUNBOOK: runbook(p, n); break;
  case AST_PROC: proc(p, n); break;
  case AST_BLOCK: block(p, n); break;
  case AST_STEP: step(p, n); break;
  case AST_PARALLEL: parallel(p, n); break;
  case AST_PARALLEL_FOR: case AST_FOR: loop(p, n); break;
  case AST_IF: if_stmt(p, n); break;
  case AST_GATE: gate(p, n); break;
  case AST_ASSERT: case AST_EXPECT: check(p, n); break;
  case AST_NOTIFY: notify(p, n); break;
  case AST_ON_FAILURE: fmt_put(p, "on failure "); block(p, n->u.handler.body); break;
  case AST_FINALLY: fmt_put(p, "finally "); block(p, n->u.handler.body); break;
  case AST_FIELD: case AST_PARAM: case AST_LET: case AST_IMPORT: case AST_APPROVE: case AST_WAIT:
  case AST_WAIT_UNTIL: case AST_ABORT: case AST_RETURN: case AST_EXPR_STMT:
    simple(p, n);
    break;
  case AST_NULL_LIT: case AST_BOOL_LIT: case AST_INT_LIT: case AST_FLOAT_LIT: case AST_DURATION_LIT:
  case AST_STRING: case AST_TEXT: case AST_LIST: case AST_OBJECT: case AST_PAIR: case AST_IDENT:
  case AST_MEMBER: case AST_INDEX: case AST_CALL: case AST_ARG: case AST_UNARY: case AST_BINARY:
  case AST_LAMBDA: case AST_COND:
    fmt_expr(p, n);
    break;
  case AST_KIND_COUNT: break;
  }
}

/* fmt.c: prints a statement or declaration (no newline). */
void fmt_stmt(fmt_printer *p, const ast_node *n) {
  if (!n || p->too_deep) return;
  if (++p->depth > FMT_MAX_DEPTH)
    p->too_deep = true;
  else
    stmt_inner(p, n);
  p->depth--;
}

/* Returns true when statement n takes part in `=` alignment: a top-level let, or a top-level param
 * with a default and no type, that prints on one line. */
static bool alignable(const ast_node *n) {
  if (n->kind == AST_LET) return !fmt_breaks(n->u.let.value, 0);
  return n->kind == AST_PARAM && n->u.param.type == TYPE_ANY && n->u.param.def && !fmt_breaks(n->u.param.def, 0) &&
         !fmt_breaks(n->u.param.doc, 0);
}

/* Returns the name of an alignable statement. */
static const char *bound_name(const ast_node *n) { return n->kind == AST_LET ? n->u.let.name : n->u.param.name; }

/* Returns true when comment c comes after position (line, col). */
static bool comment_after(const ast_comment *c, int line, int col) {
  return c->line > line || (c->line == line && c->col > col);
}

/* Returns true when statement b continues the alignment run of statement a: the same kind, on the
 * next line, and no comment between them that prints on a line of its own (an own-line comment, or
 * a second comment, which cannot share a's line with the first). *cursor is the first comment not
 * before a (the comments are in source order; it only moves forward). */
static bool continues_run(const ast_file *file, const ast_node *a, const ast_node *b, size_t *cursor) {
  if (!alignable(b) || b->kind != a->kind || b->span.line > a->span.end_line + 1) return false;
  while (*cursor < file->ncomments && !comment_after(&file->comments[*cursor], a->span.line, a->span.col))
    (*cursor)++;
  size_t inside = 0;
  for (size_t i = *cursor; i < file->ncomments; i++) {
    const ast_comment *c = &file->comments[i];
    if (comment_after(c, b->span.line, b->span.col - 1)) break;
    if (c->own_line || ++inside > 1) return false;
  }
  return true;
}

/* Fills widths[] for the top-level statements: runs of consecutive alignable lets (or params) with
 * no blank or comment line between them share the width of their longest name. A multi-line one
 * ends a run. */
static void top_widths(const ast_file *file, const ast_list *stmts, size_t *widths) {
  size_t cursor = 0;
  for (size_t i = 0, j; i < stmts->len; i = j + 1) {
    j = i;
    if (!alignable(stmts->items[i])) continue;
    while (j + 1 < stmts->len && continues_run(file, stmts->items[j], stmts->items[j + 1], &cursor)) j++;
    size_t w = 0;
    for (size_t k = i; k <= j; k++)
      if (strlen(bound_name(stmts->items[k])) > w) w = strlen(bound_name(stmts->items[k]));
    for (size_t k = i; k <= j; k++) widths[k] = w;
  }
}

/* Returns the canonical text of `file` (borrowed), ending in one newline ("" for a file with nothing in
 * it). */
char *fmt_file(const ast_file *file) {
  fmt_printer p = {.file = file, .block_start = true};
  size_t *widths = calloc(file->stmts.len + 1, sizeof *widths);
  if (!widths) return NULL;
  top_widths(file, &file->stmts, widths);
  stmt_lines(&p, &file->stmts, fmt_eof(), widths);
  free(widths);
  fmt_flush_all(&p);
  char *out = p.too_deep ? NULL : fmt_finish(&p);
  fmt_printer_free(&p);
  return out;
}
