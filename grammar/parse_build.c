/* parse_build.c — the grammar's constructors for expressions (statements: parse_build_stmt.c). */
#include "parse_build.h"

#include "grow.h"

#include <stdlib.h>
#include <string.h>

/* Returns a new node of `kind` at `span`, or NULL (recorded). */
ast_node *parse_build_new(parse_ctx *ctx, ast_kind kind, rbk_span span) {
  ast_node *n = ast_new(ctx->file, kind, span);
  if (!n) parse_oom(ctx);
  return n;
}

/* Returns the list that `owner` keeps its items in, or NULL for a kind without one. */
static ast_list *owned_list(ast_node *owner) {
  switch (owner->kind) {
  case AST_BLOCK: return &owner->u.block.stmts;
  case AST_RUNBOOK: return &owner->u.runbook.fields;
  case AST_PROC: return &owner->u.proc.params;
  case AST_NOTIFY: return &owner->u.notify.channels;
  case AST_LIST: case AST_OBJECT: return &owner->u.list.items;
  case AST_CALL: return &owner->u.call.args;
  default: return NULL;
  }
}

/* Pushes a pending list item; returns false when out of memory (recorded). */
static bool pending_push(parse_ctx *ctx, ast_node *item) {
  if (ctx->npending == ctx->pending_cap && !GROW(ctx->pending, ctx->pending_cap, ctx->npending + 1)) {
    parse_oom(ctx);
    return false;
  }
  ctx->pending[ctx->npending++] = item;
  return true;
}

/* Returns how many pending items belong to `seq`. */
static size_t seq_len(const parse_ctx *ctx, seqb seq) {
  return ctx->npending > seq.base ? ctx->npending - seq.base : 0;
}

/* Returns seq's node with its pending items moved into its list (an array of their exact size). */
ast_node *parse_build_seq_close(parse_ctx *ctx, seqb seq) {
  ast_list *list = seq.n ? owned_list(seq.n) : NULL;
  size_t n = seq_len(ctx, seq);
  if (list && n && !ast_list_set(ctx->file, list, ctx->pending + seq.base, n)) parse_oom(ctx);
  parse_build_seq_discard(ctx, seq);
  return seq.n;
}

/* Returns a new list being built, held by a new node of `kind` (BLOCK, RUNBOOK, PROC, NOTIFY, LIST, OBJECT
 * or CALL) at `span`. */
seqb parse_build_seq(parse_ctx *ctx, ast_kind kind, parse_loc span) {
  return (seqb){parse_build_at(ctx, kind, span), (uint32_t)ctx->npending, 0};
}

/* Appends `item` (a statement, field, parameter or channel; NULL is skipped); returns seq. */
seqb parse_build_push(parse_ctx *ctx, seqb seq, ast_node *item) {
  if (seq.n && item) pending_push(ctx, item);
  return seq;
}

/* Drops the pending items of a list that error recovery discards (the grammar's destructor). */
void parse_build_seq_discard(parse_ctx *ctx, seqb seq) {
  if (ctx->npending > seq.base) ctx->npending = seq.base;
}

/* Appends a top-level statement to the file being built. */
void parse_build_file_add(parse_ctx *ctx, ast_node *stmt) {
  if (stmt && !ast_list_push(ctx->file, &ctx->file->stmts, stmt)) parse_oom(ctx);
}

/* Returns the expression `n` of the given height; the first expression deeper than the limit is
 * reported and stops the parse. */
static xnode height(parse_ctx *ctx, ast_node *n, int depth) {
  if (!n) return (xnode){0};
  if (depth > PARSE_MAX_EXPR_DEPTH && !ctx->too_deep_reported) {
    ctx->too_deep_reported = true;
    parse_report(ctx, n->span, "expression nested too deeply (more than %d levels)", PARSE_MAX_EXPR_DEPTH);
    parse_halt(ctx);
  }
  return (xnode){n, depth};
}

/* Returns the larger of two heights. */
static int higher(int a, int b) { return a > b ? a : b; }

/* Returns a leaf expression (a literal node that the scanner made). */
xnode parse_build_leaf(parse_ctx *ctx, ast_node *n) { return height(ctx, n, 1); }

/* Returns a BOOL_LIT. */
xnode parse_build_bool(parse_ctx *ctx, bool value, rbk_span span) {
  ast_node *n = parse_build_new(ctx, AST_BOOL_LIT, span);
  if (n) n->u.lit.b = value;
  return height(ctx, n, 1);
}

/* Returns an IDENT named by the slice. */
xnode parse_build_ident(parse_ctx *ctx, slice name, parse_loc span) {
  ast_node *n = parse_build_at(ctx, AST_IDENT, span);
  if (n) n->u.ident.name = parse_strdup(ctx, name);
  return height(ctx, n, 1);
}

/* Returns `x` marked as parenthesised, its span widened to the parentheses. */
xnode parse_build_paren(parse_ctx *ctx, xnode x, rbk_span span) {
  if (x.n) {
    parse_str_expand(ctx, x.n);
    x.n->paren = true;
    x.n->span = span;
  }
  return x;
}

/* Returns a BINARY node. */
xnode parse_build_binary(parse_ctx *ctx, ast_op op, xnode lhs, xnode rhs, parse_loc span) {
  ast_node *n = parse_build_at(ctx, AST_BINARY, span);
  if (!n) return (xnode){0};
  n->op = op;
  n->u.binary.lhs = lhs.n;
  n->u.binary.rhs = rhs.n;
  return height(ctx, n, higher(lhs.depth, rhs.depth) + 1);
}

/* Returns a UNARY node (not, -). */
xnode parse_build_unary(parse_ctx *ctx, ast_op op, xnode operand, rbk_span span) {
  ast_node *n = parse_build_new(ctx, AST_UNARY, span);
  if (!n) return (xnode){0};
  n->op = op;
  n->u.unary.operand = operand.n;
  return height(ctx, n, operand.depth + 1);
}

/* Returns a LAMBDA `param => body`. */
xnode parse_build_lambda(parse_ctx *ctx, slice param, xnode body, rbk_span span) {
  ast_node *n = parse_build_new(ctx, AST_LAMBDA, span);
  if (!n) return (xnode){0};
  n->u.lambda.param = parse_strdup(ctx, param);
  n->u.lambda.body = body.n;
  return height(ctx, n, body.depth + 1);
}

/* Returns a MEMBER `object.name` (or `object?.name` when null_safe). */
xnode parse_build_member(parse_ctx *ctx, xnode object, slice name, parse_loc name_span, bool null_safe, parse_loc span) {
  ast_node *n = parse_build_at(ctx, AST_MEMBER, span);
  if (!n) return (xnode){0};
  n->u.member.object = object.n;
  n->u.member.name = parse_strdup(ctx, name);
  n->null_safe = null_safe;
  n->u.member.name_at = (ast_pos){name_span.line, name_span.col};
  return height(ctx, n, object.depth + 1);
}

/* Returns an INDEX `object[index]` (or `object?[index]` when null_safe). */
xnode parse_build_index(parse_ctx *ctx, xnode object, xnode index, bool null_safe, rbk_span span) {
  ast_node *n = parse_build_new(ctx, AST_INDEX, span);
  if (!n) return (xnode){0};
  n->u.index.object = object.n;
  n->u.index.index = index.n;
  n->null_safe = null_safe;
  return height(ctx, n, higher(object.depth, index.depth) + 1);
}

/* Returns a COND `if cond { then } else { els }`. */
xnode parse_build_cond(parse_ctx *ctx, xnode cond, xnode then, xnode els, rbk_span span) {
  ast_node *n = parse_build_new(ctx, AST_COND, span);
  if (!n) return (xnode){0};
  n->u.if_.cond = cond.n;
  n->u.if_.then = then.n;
  n->u.if_.els = els.n;
  return height(ctx, n, higher(cond.depth, higher(then.depth, els.depth)) + 1);
}

/* Reports a conditional without its 'else' (just after its arm, whose '}' ends on the line that an
 * 'else' starting the next line would belong to); returns the COND with no else arm. */
xnode parse_build_cond_no_else(parse_ctx *ctx, xnode cond, xnode then, rbk_span span) {
  rbk_span at = {span.src, span.end_line, span.end_col + 1, span.end_line, span.end_col + 1};
  parse_report(ctx, at, "a conditional expression needs an 'else' on the line of its '}': if c { a } else { b }");
  ctx->cond_else_line = span.end_line;
  return parse_build_cond(ctx, cond, then, (xnode){0}, span);
}

/* Returns the conditional `x` with its span widened to start at its 'if'. */
xnode parse_build_cond_span(xnode x, rbk_span span) {
  if (x.n) x.n->span = span;
  return x;
}

/* Reports a positional argument that follows a named one among the pending arguments of `seq`. */
static void check_arg_order(parse_ctx *ctx, seqb seq, const ast_node *arg) {
  if (ast_arg_name(arg) || !seq_len(ctx, seq)) return;
  const char *last = ast_arg_name(ctx->pending[ctx->npending - 1]);
  if (last)
    parse_report(ctx, arg->span, "positional argument after the named argument '%s': positional arguments "
                                 "come first", last);
}

/* Appends an item (LIST), pair (OBJECT) or argument (CALL) to `seq`; returns seq. */
seqb parse_build_seq_push(parse_ctx *ctx, seqb seq, xnode item) {
  if (seq.n && item.n && seq.n->kind == AST_CALL) check_arg_order(ctx, seq, item.n);
  parse_build_push(ctx, seq, item.n);
  seq.depth = higher(seq.depth, item.depth);
  return seq;
}

/* Returns the LIST or OBJECT `seq` complete, at `span` (its brackets). */
xnode parse_build_close(parse_ctx *ctx, seqb seq, parse_loc span) {
  ast_node *n = parse_build_seq_close(ctx, seq);
  if (n) n->span = parse_span(ctx, span);
  return height(ctx, n, seq.depth + 1);
}

/* Returns the CALL `args` (a parse_build_seq of AST_CALL) complete, with `callee` set. */
xnode parse_build_call(parse_ctx *ctx, xnode callee, seqb args, parse_loc span) {
  ast_node *n = parse_build_seq_close(ctx, args);
  if (!n) return (xnode){0};
  n->u.call.callee = callee.n;
  n->span = parse_span(ctx, span);
  return height(ctx, n, higher(callee.depth, args.depth) + 1);
}

/* Returns a named ARG, or (`name` NULL) the positional argument `value` itself, counted one level
 * higher as its ARG node was (ast.h: its span is the value's). */
static xnode parse_build_arg(parse_ctx *ctx, const slice *name, parse_loc name_span, xnode value, parse_loc span) {
  if (!name && value.n) return height(ctx, value.n, value.depth + 1);
  ast_node *n = parse_build_at(ctx, AST_ARG, span); /* positional only without a value (after an error) */
  if (!n) return (xnode){0};
  n->u.arg.name = name ? parse_strdup(ctx, *name) : NULL;
  n->u.arg.name_at = (ast_pos){name_span.line, name_span.col};
  n->u.arg.value = value.n;
  return height(ctx, n, value.depth + 1);
}

/* Sets the PAIR's key from a string literal: a plain string is a key; an interpolated one is
 * reported (write it as a computed key) and kept as the computed key. */
static void string_key(parse_ctx *ctx, ast_node *pair, ast_node *str) {
  const char *text;
  if (ast_string_is_plain(str, &text)) {
    slice s = {text ? text : "", text ? strlen(text) : 0};
    pair->u.pair.key = parse_strdup(ctx, s);
    return;
  }
  parse_report(ctx, str->span, "an object key cannot be interpolated; compute it in parentheses: "
                               "{(\"…${x}…\"): value}");
  pair->u.pair.computed = str;
}

/* Returns a PAIR keyed by `name`, or by `key`: a plain string, or a parenthesised expression. */
xnode parse_build_pair(parse_ctx *ctx, const slice *name, xnode key, xnode value, rbk_span span) {
  ast_node *n = parse_build_new(ctx, AST_PAIR, span);
  if (!n) return (xnode){0};
  n->u.pair.value = value.n;
  if (name)
    n->u.pair.key = parse_strdup(ctx, *name);
  else if (key.n && key.n->kind == AST_STRING && !key.n->paren)
    string_key(ctx, n, key.n);
  else
    n->u.pair.computed = key.n;
  return height(ctx, n, higher(key.depth, value.depth) + 1);
}

/* Returns a new CALL argument list holding its first argument: a named ARG, or a positional one as
 * its value itself (ast.h). */
seqb parse_build_args_first(parse_ctx *ctx, const slice *name, parse_loc name_span, xnode value, parse_loc span) {
  xnode arg = parse_build_arg(ctx, name, name_span, value, span);
  return parse_build_seq_push(ctx, parse_build_seq(ctx, AST_CALL, span), arg);
}

/* Appends an argument (named ARG, or positional: its value) to the CALL argument list `seq`; returns seq. */
seqb parse_build_args_add(parse_ctx *ctx, seqb seq, const slice *name, parse_loc name_span, xnode value, parse_loc span) {
  return parse_build_seq_push(ctx, seq, parse_build_arg(ctx, name, name_span, value, span));
}
