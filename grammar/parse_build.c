/* parse_build.c — the grammar's constructors for expressions (statements: parse_stmt.c). */
#include "parse_build.h"

#include <stdlib.h>
#include <string.h>

ast_node *pb_new(parse_ctx *ctx, ast_kind kind, rbk_span span) {
  ast_node *n = ast_new(kind, span);
  if (!n) pctx_oom(ctx);
  return n;
}

/* Returns the list that `owner` keeps its children in, or NULL for a kind without one. */
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

/* Appends item to the list, growing it 1, 2, 4, … (most lists in a plan hold one or two
 * nodes); returns false when out of memory (item freed). */
static bool list_push(ast_list *list, ast_node *item) {
  if (list->len == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 1;
    ast_node **items = realloc(list->items, cap * sizeof *items);
    if (!items) {
      ast_free(item);
      return false;
    }
    list->items = items;
    list->cap = cap;
  }
  list->items[list->len++] = item;
  return true;
}

ast_node *pb_push(parse_ctx *ctx, ast_node *owner, ast_node *item) {
  ast_list *list = owner && item ? owned_list(owner) : NULL;
  if (!list) {
    ast_free(item);
    return owner;
  }
  if (!list_push(list, item)) pctx_oom(ctx);
  return owner;
}

void pb_file_add(parse_ctx *ctx, ast_node *stmt) {
  if (stmt && !ast_list_push(&ctx->file->stmts, stmt)) pctx_oom(ctx);
}

/* Returns the expression `n` of the given height; the first expression deeper than the limit is
 * reported and stops the parse. */
static xnode height(parse_ctx *ctx, ast_node *n, int depth) {
  if (!n) return (xnode){0};
  if (depth > PARSE_MAX_EXPR_DEPTH && !ctx->too_deep_reported) {
    ctx->too_deep_reported = true;
    pctx_error(ctx, n->span, "expression nested too deeply (more than %d levels)", PARSE_MAX_EXPR_DEPTH);
    ctx->halted = true;
  }
  return (xnode){n, depth};
}

/* Returns the larger of two heights. */
static int higher(int a, int b) { return a > b ? a : b; }

/* Returns a new node, or NULL after freeing the children that would have gone into it. */
static ast_node *new_or_drop(parse_ctx *ctx, ast_kind kind, rbk_span span, ast_node *a, ast_node *b) {
  ast_node *n = pb_new(ctx, kind, span);
  if (!n) {
    ast_free(a);
    ast_free(b);
  }
  return n;
}

xnode pb_leaf(parse_ctx *ctx, ast_node *n) { return height(ctx, n, 1); }

xnode pb_bool(parse_ctx *ctx, bool value, rbk_span span) {
  ast_node *n = pb_new(ctx, AST_BOOL_LIT, span);
  if (n) n->u.lit.b = value;
  return height(ctx, n, 1);
}

xnode pb_ident(parse_ctx *ctx, slice name, rbk_span span) {
  ast_node *n = pb_new(ctx, AST_IDENT, span);
  if (n) n->u.ident.name = pctx_strdup(ctx, name);
  return height(ctx, n, 1);
}

xnode pb_paren(xnode x, rbk_span span) {
  if (x.n) {
    x.n->paren = true;
    x.n->span = span;
  }
  return x;
}

xnode pb_binary(parse_ctx *ctx, ast_op op, xnode lhs, xnode rhs, rbk_span span) {
  ast_node *n = new_or_drop(ctx, AST_BINARY, span, lhs.n, rhs.n);
  if (!n) return (xnode){0};
  n->u.binary.op = op;
  n->u.binary.lhs = lhs.n;
  n->u.binary.rhs = rhs.n;
  return height(ctx, n, higher(lhs.depth, rhs.depth) + 1);
}

xnode pb_unary(parse_ctx *ctx, ast_op op, xnode operand, rbk_span span) {
  ast_node *n = new_or_drop(ctx, AST_UNARY, span, operand.n, NULL);
  if (!n) return (xnode){0};
  n->u.unary.op = op;
  n->u.unary.operand = operand.n;
  return height(ctx, n, operand.depth + 1);
}

xnode pb_lambda(parse_ctx *ctx, slice param, xnode body, rbk_span span) {
  ast_node *n = new_or_drop(ctx, AST_LAMBDA, span, body.n, NULL);
  if (!n) return (xnode){0};
  n->u.lambda.param = pctx_strdup(ctx, param);
  n->u.lambda.body = body.n;
  return height(ctx, n, body.depth + 1);
}

xnode pb_member(parse_ctx *ctx, xnode object, slice name, rbk_span name_span, bool null_safe, rbk_span span) {
  ast_node *n = new_or_drop(ctx, AST_MEMBER, span, object.n, NULL);
  if (!n) return (xnode){0};
  n->u.member.object = object.n;
  n->u.member.name = pctx_strdup(ctx, name);
  n->u.member.null_safe = null_safe;
  n->u.member.name_span = name_span;
  return height(ctx, n, object.depth + 1);
}

xnode pb_index(parse_ctx *ctx, xnode object, xnode index, rbk_span span) {
  ast_node *n = new_or_drop(ctx, AST_INDEX, span, object.n, index.n);
  if (!n) return (xnode){0};
  n->u.index.object = object.n;
  n->u.index.index = index.n;
  return height(ctx, n, higher(object.depth, index.depth) + 1);
}

xnode pb_seq(parse_ctx *ctx, ast_kind kind, rbk_span span) { return (xnode){pb_new(ctx, kind, span), 0}; }

/* Reports a positional argument that follows a named one in the CALL `call`. */
static void check_arg_order(parse_ctx *ctx, const ast_node *call, const ast_node *arg) {
  const ast_list *args = &call->u.call.args;
  if (arg->kind != AST_ARG || arg->u.arg.name || !args->len) return;
  const ast_node *last = args->items[args->len - 1];
  if (last->u.arg.name)
    pctx_error(ctx, arg->span, "positional argument after the named argument '%s': positional arguments "
                               "come first", last->u.arg.name);
}

xnode pb_seq_push(parse_ctx *ctx, xnode seq, xnode item) {
  if (seq.n && item.n && seq.n->kind == AST_CALL) check_arg_order(ctx, seq.n, item.n);
  pb_push(ctx, seq.n, item.n);
  seq.depth = higher(seq.depth, item.depth);
  return seq;
}

xnode pb_close(parse_ctx *ctx, xnode seq, rbk_span span) {
  if (seq.n) seq.n->span = span;
  return height(ctx, seq.n, seq.depth + 1);
}

xnode pb_call(parse_ctx *ctx, xnode callee, xnode args, rbk_span span) {
  if (!args.n) {
    ast_free(callee.n);
    return (xnode){0};
  }
  args.n->u.call.callee = callee.n;
  args.n->span = span;
  return height(ctx, args.n, higher(callee.depth, args.depth) + 1);
}

xnode pb_arg(parse_ctx *ctx, const slice *name, rbk_span name_span, xnode value, rbk_span span) {
  ast_node *n = new_or_drop(ctx, AST_ARG, span, value.n, NULL);
  if (!n) return (xnode){0};
  n->u.arg.name = name ? pctx_strdup(ctx, *name) : NULL;
  n->u.arg.name_span = name_span;
  n->u.arg.value = value.n;
  return height(ctx, n, value.depth + 1);
}

/* Sets the PAIR's key from a string literal: a plain string is a key; an interpolated one is
 * reported (write it as a computed key) and kept as the computed key. */
static void string_key(parse_ctx *ctx, ast_node *pair, ast_node *str) {
  const char *text;
  if (ast_string_is_plain(str, &text)) {
    slice s = {text ? text : "", text ? strlen(text) : 0};
    pair->u.pair.key = pctx_strdup(ctx, s);
    ast_free(str);
    return;
  }
  pctx_error(ctx, str->span, "an object key cannot be interpolated; compute it in parentheses: "
                             "{(\"…${x}…\"): value}");
  pair->u.pair.computed = str;
}

xnode pb_pair(parse_ctx *ctx, const slice *name, xnode key, xnode value, rbk_span span) {
  ast_node *n = new_or_drop(ctx, AST_PAIR, span, key.n, value.n);
  if (!n) return (xnode){0};
  n->u.pair.value = value.n;
  if (name)
    n->u.pair.key = pctx_strdup(ctx, *name);
  else if (key.n && key.n->kind == AST_STRING && !key.n->paren)
    string_key(ctx, n, key.n);
  else
    n->u.pair.computed = key.n;
  return height(ctx, n, higher(key.depth, value.depth) + 1);
}
