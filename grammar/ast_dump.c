/* ast_dump.c — the syntax tree as an indented S-expression, one node per line:
 *   (kind attributes @line:col-end_line:end_col
 *     label: (child …))
 * Optional children are printed with their label only when present. For tests and `rbk ast`. */
#include <inttypes.h>
#include <stdio.h>

#include "parse.h"

static void dump(FILE *out, const char *label, const ast_node *n, int depth);

/* Writes s as a double-quoted string with C-style escapes for quotes, backslashes and controls. */
static void put_quoted(FILE *out, const char *s) {
  fputc('"', out);
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c == '\n') fputs("\\n", out);
    else if (c == '\t') fputs("\\t", out);
    else if (c == '\r') fputs("\\r", out);
    else if (c < 0x20 || c == 0x7F) fprintf(out, "\\x%02X", c);
    else fputc(c, out);
  }
  fputc('"', out);
}

/* Writes the node's attributes (after its kind): names, operators, values, flags. */
static void put_attributes(FILE *out, const ast_node *n) {
  switch (n->kind) {
  case AST_BOOL_LIT: fprintf(out, " %s", n->u.lit.b ? "true" : "false"); break;
  case AST_INT_LIT: fprintf(out, " %" PRId64, n->u.lit.i); break;
  case AST_FLOAT_LIT: fprintf(out, " %s", n->u.lit.text); break;
  case AST_DURATION_LIT: fprintf(out, " %s %" PRId64 "ms", n->u.lit.text, n->u.lit.i); break;
  case AST_STRING: if (n->triple) fputs(" triple", out); break;
  case AST_TEXT: fputc(' ', out); put_quoted(out, n->u.text.s); break;
  case AST_PAIR: if (n->u.pair.key) { fputc(' ', out); put_quoted(out, n->u.pair.key); } break;
  case AST_IDENT: fprintf(out, " %s", n->u.ident.name); break;
  case AST_MEMBER: fprintf(out, " %s%s", n->null_safe ? "?." : ".", n->u.member.name); break;
  case AST_INDEX: if (n->null_safe) fputs(" ?[]", out); break;
  case AST_ARG: if (n->u.arg.name) fprintf(out, " %s:", n->u.arg.name); break;
  case AST_UNARY: fprintf(out, " %s", ast_op_text(n->op)); break;
  case AST_BINARY: fprintf(out, " %s", ast_op_text(n->op)); break;
  case AST_LAMBDA: fprintf(out, " %s =>", n->u.lambda.param); break;
  case AST_FIELD: fprintf(out, " %s", n->u.field.key); break;
  case AST_PARAM:
    fprintf(out, " %s", n->u.param.name);
    if (n->u.param.type != TYPE_ANY) fprintf(out, ": %s", ast_type_name(n->u.param.type));
    break;
  case AST_LET: fprintf(out, " %s", n->u.let.name); break;
  case AST_IMPORT: fprintf(out, " as %s", n->u.import.alias); break;
  case AST_PROC: fprintf(out, " %s", n->u.proc.name); break;
  case AST_PARALLEL_FOR: case AST_FOR: fprintf(out, " %s", n->u.loop.var); break;
  default: break;
  }
  if (n->paren) fputs(" paren", out);
}

/* Writes every node of the list as a child. */
static void dump_list(FILE *out, const char *label, const ast_list *list, int depth) {
  for (size_t i = 0; i < list->len; i++) dump(out, label, list->items[i], depth);
}

/* Writes a string's parts, or its one piece of text as the TEXT node it stands for (ast.h). */
static void dump_string(FILE *out, const ast_node *n, int depth) {
  const char *text = ast_string_text(n);
  if (!text) {
    dump_list(out, NULL, &n->u.str.parts, depth);
    return;
  }
  fprintf(out, "\n%*s(text ", depth * 2, "");
  put_quoted(out, text);
  fprintf(out, " @%d:%d-%d:%d)", n->span.line, n->span.col + 1, n->span.end_line, n->span.end_col - 1);
}

/* Writes a call's arguments, a positional one (its expression, ast.h) as the `(arg …)` it stands for. */
static void dump_args(FILE *out, const ast_list *args, int depth) {
  for (size_t i = 0; i < args->len; i++) {
    const ast_node *a = args->items[i];
    if (!a || a->kind == AST_ARG) {
      dump(out, NULL, a, depth);
      continue;
    }
    fprintf(out, "\n%*s(arg @%d:%d-%d:%d", depth * 2, "", a->span.line, a->span.col, a->span.end_line, a->span.end_col);
    dump(out, NULL, a, depth + 1);
    fputc(')', out);
  }
}

/* Writes the children of a declaration or expression node. */
static void dump_expr_children(FILE *out, const ast_node *n, int d) {
  switch (n->kind) {
  case AST_STRING: dump_string(out, n, d); break;
  case AST_LIST: case AST_OBJECT: dump_list(out, NULL, &n->u.list.items, d); break;
  case AST_PAIR: dump(out, "key", n->u.pair.computed, d); dump(out, NULL, n->u.pair.value, d); break;
  case AST_MEMBER: dump(out, NULL, n->u.member.object, d); break;
  case AST_INDEX: dump(out, NULL, n->u.index.object, d); dump(out, NULL, n->u.index.index, d); break;
  case AST_CALL: dump(out, NULL, n->u.call.callee, d); dump_args(out, &n->u.call.args, d); break;
  case AST_ARG: dump(out, NULL, n->u.arg.value, d); break;
  case AST_UNARY: dump(out, NULL, n->u.unary.operand, d); break;
  case AST_BINARY: dump(out, NULL, n->u.binary.lhs, d); dump(out, NULL, n->u.binary.rhs, d); break;
  case AST_LAMBDA: dump(out, NULL, n->u.lambda.body, d); break;
  case AST_RUNBOOK: dump(out, "id", n->u.runbook.id, d); dump_list(out, NULL, &n->u.runbook.fields, d); break;
  case AST_FIELD: dump(out, NULL, n->u.field.value, d); break;
  case AST_PARAM: dump(out, "default", n->u.param.def, d); dump(out, "doc", n->u.param.doc, d); break;
  case AST_LET: dump(out, NULL, n->u.let.value, d); break;
  case AST_IMPORT: dump(out, NULL, n->u.import.path, d); break;
  case AST_PROC: dump_list(out, NULL, &n->u.proc.params, d); dump(out, NULL, n->u.proc.body, d); break;
  default: break;
  }
}

/* Writes the children of a statement node. */
static void dump_stmt_children(FILE *out, const ast_node *n, int d) {
  switch (n->kind) {
  case AST_BLOCK: dump_list(out, NULL, &n->u.block.stmts, d); break;
  case AST_STEP:
    dump(out, "title", n->u.step.title, d); dump(out, "timeout", n->u.step.opt->timeout, d);
    dump(out, "retry", n->u.step.opt->retry, d); dump(out, "backoff", n->u.step.opt->backoff, d);
    dump(out, NULL, n->u.step.body, d);
    break;
  case AST_PARALLEL: dump(out, "max", n->u.parallel.max, d); dump(out, NULL, n->u.parallel.body, d); break;
  case AST_PARALLEL_FOR: case AST_FOR:
    dump(out, "in", n->u.loop.iter, d); dump(out, "max", n->u.loop.max, d); dump(out, NULL, n->u.loop.body, d);
    break;
  case AST_IF: case AST_COND:
    dump(out, "cond", n->u.if_.cond, d); dump(out, "then", n->u.if_.then, d); dump(out, "else", n->u.if_.els, d);
    break;
  case AST_GATE:
    dump(out, "title", n->u.gate.title, d); dump(out, "every", n->u.gate.opt->every, d);
    dump(out, "timeout", n->u.gate.opt->timeout, d); dump(out, "recheck", n->u.gate.opt->recheck, d);
    dump(out, NULL, n->u.gate.body, d);
    break;
  case AST_APPROVE:
    dump(out, "question", n->u.approve.question, d); dump(out, "from", n->u.approve.from, d);
    dump(out, "timeout", n->u.approve.timeout, d);
    break;
  case AST_WAIT: dump(out, NULL, n->u.wait.duration, d); break;
  case AST_WAIT_UNTIL:
    dump(out, "until", n->u.wait.cond, d); dump(out, "every", n->u.wait.every, d);
    dump(out, "timeout", n->u.wait.timeout, d);
    break;
  case AST_ASSERT: case AST_EXPECT:
    dump(out, NULL, n->u.check.cond, d); dump(out, "message", n->u.check.message, d);
    break;
  case AST_NOTIFY:
    dump_list(out, "channel", &n->u.notify.channels, d); dump(out, "every", n->u.notify.every, d);
    dump(out, "message", n->u.notify.message, d);
    break;
  case AST_ABORT: dump(out, NULL, n->u.abort.reason, d); break;
  case AST_ON_FAILURE: case AST_FINALLY: dump(out, NULL, n->u.handler.body, d); break;
  case AST_RETURN: dump(out, NULL, n->u.ret.value, d); break;
  case AST_EXPR_STMT: dump(out, NULL, n->u.expr_stmt.expr, d); break;
  default: dump_expr_children(out, n, d); break;
  }
}

/* Writes one node (nothing when NULL) at `depth`, with an optional label, and its subtree. */
static void dump(FILE *out, const char *label, const ast_node *n, int depth) {
  if (!n) return;
  fprintf(out, "\n%*s", depth * 2, "");
  if (label) fprintf(out, "%s: ", label);
  fprintf(out, "(%s", ast_kind_name(n->kind));
  put_attributes(out, n);
  fprintf(out, " @%d:%d-%d:%d", n->span.line, n->span.col, n->span.end_line, n->span.end_col);
  dump_stmt_children(out, n, depth + 1);
  fputc(')', out);
}

/* Writes the tree as an indented S-expression, one node per line with its span (for tests and `rbk ast`). */
void ast_dump(const ast_file *file, FILE *out) {
  fputs("(file", out);
  dump_list(out, NULL, &file->stmts, 1);
  for (size_t i = 0; i < file->ncomments; i++) {
    const ast_comment *c = &file->comments[i];
    fprintf(out, "\n  (comment @%d:%d%s ", c->line, c->col, c->own_line ? " own_line" : "");
    put_quoted(out, c->text);
    fputc(')', out);
  }
  fputs(")\n", out);
}
