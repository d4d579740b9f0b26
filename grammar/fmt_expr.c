/* fmt_expr.c — expressions in canonical layout: spaces around binary operators and `=>`, none
 * inside brackets, the source's parentheses and line breaks (after an operator, between the
 * elements of a bracketed sequence) kept, nothing else added. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include "fmt_int.h"

/* fmt_expr.c: returns true when a bracketed sequence breaks between its elements or brackets in the source
 * (so it prints one element per line). */
bool fmt_seq_multiline(int open_line, const ast_list *items, int close_line) {
  if (items->len == 0) return false;
  int line = open_line;
  for (size_t i = 0; i < items->len; i++) {
    const ast_node *it = items->items[i];
    if (it->span.line != line) return true;
    line = it->span.end_line;
  }
  return line != close_line;
}

/* Returns true when any item of the list prints on several lines. */
static bool list_breaks(const ast_list *items, int depth) {
  for (size_t i = 0; i < items->len; i++)
    if (fmt_breaks(items->items[i], depth + 1)) return true;
  return false;
}

/* Returns true when a call argument's value prints on more than one line: a value sits two levels
 * below the call, under its argument (a positional one has no node of its own: ast.h). */
static bool args_break(const ast_list *args, int depth) {
  for (size_t i = 0; i < args->len; i++)
    if (depth + 1 <= FMT_MAX_DEPTH && fmt_breaks(ast_arg_value(args->items[i]), depth + 2)) return true;
  return false;
}

/* fmt_expr.c: returns true when the expression prints on more than one line (a multi-line sequence, a kept
 * break after an operator, a triple-quoted string); `depth` starts at 0. */
bool fmt_breaks(const ast_node *n, int depth) {
  if (!n || depth > FMT_MAX_DEPTH) return false;
  switch (n->kind) {
  case AST_STRING: return n->triple || list_breaks(&n->u.str.parts, depth);
  case AST_LIST: case AST_OBJECT:
    return fmt_seq_multiline(n->span.line, &n->u.list.items, n->span.end_line) || list_breaks(&n->u.list.items, depth);
  case AST_CALL:
    return fmt_seq_multiline(n->u.call.callee->span.end_line, &n->u.call.args, n->span.end_line) ||
           fmt_breaks(n->u.call.callee, depth + 1) || args_break(&n->u.call.args, depth);
  case AST_BINARY:
    return n->u.binary.rhs->span.line > n->u.binary.lhs->span.end_line || fmt_breaks(n->u.binary.lhs, depth + 1) ||
           fmt_breaks(n->u.binary.rhs, depth + 1);
  case AST_PAIR: return fmt_breaks(n->u.pair.computed, depth + 1) || fmt_breaks(n->u.pair.value, depth + 1);
  case AST_MEMBER: return fmt_breaks(n->u.member.object, depth + 1);
  case AST_INDEX: return fmt_breaks(n->u.index.object, depth + 1) || fmt_breaks(n->u.index.index, depth + 1);
  case AST_COND:
    return n->u.if_.then->span.line > n->u.if_.cond->span.end_line || fmt_breaks(n->u.if_.cond, depth + 1) ||
           fmt_breaks(n->u.if_.then, depth + 1) || fmt_breaks(n->u.if_.els, depth + 1);
  case AST_PARALLEL_FOR: return true; /* `let x = parallel for …`: its block */
  case AST_ARG: return fmt_breaks(n->u.arg.value, depth + 1);
  case AST_UNARY: return fmt_breaks(n->u.unary.operand, depth + 1);
  case AST_LAMBDA: return fmt_breaks(n->u.lambda.body, depth + 1);
  default: return false; /* literals, names, and statements (never inside an expression) */
  }
}

/* Prints the items one per line, each followed by a comma, between the brackets' lines. */
static void seq_lines(fmt_printer *p, const ast_list *items, fmt_pos close,
                      void (*item)(fmt_printer *, const ast_node *)) {
  int saved = p->indent;
  bool saved_cont = p->cont;
  fmt_end_line(p, fmt_start(items->items[0]));
  p->indent = saved + 2;
  p->cont = false;
  for (size_t i = 0; i < items->len; i++) {
    fmt_comments_before(p, fmt_start(items->items[i]), false);
    item(p, items->items[i]);
    fmt_put(p, ",");
    fmt_end_line(p, i + 1 < items->len ? fmt_start(items->items[i + 1]) : close);
  }
  fmt_comments_before(p, close, false);
  p->indent = saved;
  p->cont = saved_cont;
}

/* fmt_expr.c: prints items between `open` and `close`, one per line with trailing commas when `multiline`,
 * else on one line separated by ", ". */
void fmt_seq(fmt_printer *p, const char *open, const ast_list *items, const char *close, bool multiline,
             rbk_span close_span, void (*item)(fmt_printer *, const ast_node *)) {
  fmt_put(p, open);
  if (multiline && items->len > 0) {
    seq_lines(p, items, fmt_end(close_span), item);
  } else {
    for (size_t i = 0; i < items->len; i++) {
      if (i > 0) fmt_put(p, ", ");
      item(p, items->items[i]);
    }
  }
  fmt_put(p, close);
}

/* Prints an object's key: a name, a quoted string, or a computed key in parentheses. */
static void pair_key(fmt_printer *p, const ast_node *n) {
  const ast_node *k = n->u.pair.computed;
  if (!k) {
    fmt_key(p, n->u.pair.key ? n->u.pair.key : "");
  } else if (k->paren || k->kind == AST_STRING) {
    fmt_expr(p, k);
  } else {
    fmt_put(p, "(");
    fmt_expr(p, k);
    fmt_put(p, ")");
  }
}

/* Prints `key: value`. */
static void pair(fmt_printer *p, const ast_node *n) {
  pair_key(p, n);
  fmt_put(p, ": ");
  fmt_expr(p, n->u.pair.value);
}

/* Prints a call argument: `value` or `name: value`. */
static void arg(fmt_printer *p, const ast_node *n) {
  if (ast_arg_name(n)) {
    fmt_put(p, ast_arg_name(n));
    fmt_put(p, ": ");
  }
  fmt_expr(p, ast_arg_value(n));
}

/* Prints a list or an object. */
static void list(fmt_printer *p, const ast_node *n) {
  bool multi = fmt_seq_multiline(n->span.line, &n->u.list.items, n->span.end_line);
  if (n->kind == AST_LIST)
    fmt_seq(p, "[", &n->u.list.items, "]", multi, n->span, fmt_expr);
  else
    fmt_seq(p, "{", &n->u.list.items, "}", multi, n->span, pair);
}

/* Prints `callee(args)`; the argument list breaks as the source's did. */
static void call(fmt_printer *p, const ast_node *n) {
  const ast_node *callee = n->u.call.callee;
  fmt_expr(p, callee);
  bool multi = fmt_seq_multiline(callee->span.end_line, &n->u.call.args, n->span.end_line);
  fmt_seq(p, "(", &n->u.call.args, ")", multi, n->span, arg);
}

/* Prints `lhs op rhs`, keeping a line break after the operator (the continuation indented once). */
static void binary(fmt_printer *p, const ast_node *n) {
  const ast_node *lhs = n->u.binary.lhs, *rhs = n->u.binary.rhs;
  fmt_expr(p, lhs);
  fmt_put(p, " ");
  fmt_put(p, ast_op_text(n->op));
  if (rhs->span.line <= lhs->span.end_line) {
    fmt_put(p, " ");
    fmt_expr(p, rhs);
    return;
  }
  int saved = p->indent;
  bool saved_cont = p->cont;
  if (!p->cont) p->indent += 2;
  p->cont = true;
  fmt_break(p, fmt_start(rhs));
  fmt_expr(p, rhs);
  p->indent = saved;
  p->cont = saved_cont;
}

/* Prints `not x` or `-x`. */
static void unary(fmt_printer *p, const ast_node *n) {
  fmt_put(p, n->op == OP_NOT ? "not " : "-");
  fmt_expr(p, n->u.unary.operand);
}

/* Prints one arm of a conditional: ` { x }`, or ` {`, x on its own indented line, `}` when `multi`
 * (`close`: a position after the arm's '}', for the comments that belong on its lines). */
static void cond_arm(fmt_printer *p, const ast_node *x, bool multi, fmt_pos close) {
  if (!multi) {
    fmt_put(p, " { ");
    fmt_expr(p, x);
    fmt_put(p, " }");
    return;
  }
  int saved = p->indent;
  bool saved_cont = p->cont;
  fmt_put(p, " {");
  p->indent = saved + 2;
  p->cont = false;
  fmt_break(p, fmt_start(x));
  fmt_expr(p, x);
  fmt_end_line(p, close);
  fmt_comments_before(p, close, false);
  p->indent = saved;
  p->cont = saved_cont;
  fmt_put(p, "}");
}

/* Prints `if c { a } else { b }`, an `else if` chain flat; on several lines when the source put
 * its first arm on a line of its own or an arm breaks. */
static void cond(fmt_printer *p, const ast_node *n) {
  bool multi = fmt_breaks(n, 0);
  for (;;) {
    fmt_put(p, "if ");
    fmt_expr(p, n->u.if_.cond);
    const ast_node *els = n->u.if_.els;
    if (!n->u.if_.then || !els) return; /* a partial tree */
    /* comments on the then-arm's last line stay there; those after `} else {` go with the else arm */
    fmt_pos then_end = {n->u.if_.then->span.end_line, INT_MAX}, els_start = fmt_start(els);
    bool before = then_end.line < els_start.line;
    cond_arm(p, n->u.if_.then, multi, before ? then_end : els_start);
    fmt_put(p, " else");
    if (els->kind != AST_COND || els->paren) return cond_arm(p, els, multi, fmt_end(n->span));
    fmt_put(p, " ");
    n = els;
  }
}

/* Prints an int in decimal. */
static void int_lit(fmt_printer *p, int64_t i) {
  char text[32];
  snprintf(text, sizeof text, "%" PRId64, i);
  fmt_put(p, text);
}

/* Prints a float or a duration as it was written (its lexeme). */
static void lexeme(fmt_printer *p, const ast_node *n) {
  char text[40];
  if (n->u.lit.text) {
    fmt_put(p, n->u.lit.text);
  } else if (n->kind == AST_FLOAT_LIT) {
    snprintf(text, sizeof text, "%.17g", n->u.lit.f);
    fmt_put(p, text);
  } else {
    snprintf(text, sizeof text, "%" PRId64 "ms", n->u.lit.i);
    fmt_put(p, text);
  }
}

/* Prints a TEXT node met outside a string as a string literal. */
static void text(fmt_printer *p, const ast_node *n) {
  fmt_quoted(p, n->u.text.s ? n->u.text.s : "");
}

/* Prints an expression without its parentheses. */
static void expr_inner(fmt_printer *p, const ast_node *n) {
  switch (n->kind) {
  case AST_NULL_LIT: fmt_put(p, "null"); break;
  case AST_BOOL_LIT: fmt_put(p, n->u.lit.b ? "true" : "false"); break;
  case AST_INT_LIT: int_lit(p, n->u.lit.i); break;
  case AST_FLOAT_LIT: case AST_DURATION_LIT: lexeme(p, n); break;
  case AST_STRING: fmt_string(p, n); break;
  case AST_TEXT: text(p, n); break;
  case AST_LIST: case AST_OBJECT: list(p, n); break;
  case AST_PAIR: pair(p, n); break;
  case AST_IDENT: fmt_put(p, n->u.ident.name); break;
  case AST_MEMBER:
    fmt_expr(p, n->u.member.object);
    fmt_put(p, n->null_safe ? "?." : ".");
    fmt_put(p, n->u.member.name);
    break;
  case AST_INDEX:
    fmt_expr(p, n->u.index.object);
    fmt_put(p, n->null_safe ? "?[" : "[");
    fmt_expr(p, n->u.index.index);
    fmt_put(p, "]");
    break;
  case AST_COND: cond(p, n); break;
  case AST_CALL: call(p, n); break;
  case AST_ARG: arg(p, n); break;
  case AST_UNARY: unary(p, n); break;
  case AST_BINARY: binary(p, n); break;
  case AST_LAMBDA:
    fmt_put(p, n->u.lambda.param);
    fmt_put(p, " => ");
    fmt_expr(p, n->u.lambda.body);
    break;
  case AST_RUNBOOK: case AST_FIELD: case AST_PARAM: case AST_LET: case AST_IMPORT: case AST_PROC:
  case AST_BLOCK: case AST_STEP: case AST_PARALLEL: case AST_PARALLEL_FOR: case AST_FOR: case AST_IF:
  case AST_GATE: case AST_APPROVE: case AST_WAIT: case AST_WAIT_UNTIL: case AST_ASSERT: case AST_EXPECT:
  case AST_NOTIFY: case AST_ABORT: case AST_ON_FAILURE: case AST_FINALLY: case AST_RETURN:
  case AST_EXPR_STMT: fmt_stmt(p, n); break;
  case AST_KIND_COUNT: break;
  }
}

/* fmt_expr.c: prints an expression (its parentheses kept). */
void fmt_expr(fmt_printer *p, const ast_node *n) {
  if (!n || p->too_deep) return;
  if (++p->depth > FMT_MAX_DEPTH) {
    p->too_deep = true;
  } else {
    if (n->paren) fmt_put(p, "(");
    expr_inner(p, n);
    if (n->paren) fmt_put(p, ")");
  }
  p->depth--;
}
