/* check_expr.c — checking expressions: names, members, literals, operators and lambdas. */
#include <stdlib.h>
#include <string.h>

#include "check_impl.h"

/* The fields of `run`, from sig.h. */
static const struct {
  const char *name;
  sig_ret ret;
} run_fields[] = {
#define X(name, ret, doc) {name, RET_##ret},
    RBK_RUN_FIELDS(X)
#undef X
};

enum { NRUN_FIELDS = sizeof run_fields / sizeof run_fields[0] };

/* Returns the type of a `run.<field>` read, reporting an unknown field. */
static chk_type run_field(chk_ctx *ctx, const ast_node *member) {
  const char *names[NRUN_FIELDS + 1];
  for (size_t i = 0; i < NRUN_FIELDS; i++) {
    if (chk_same(run_fields[i].name, member->u.member.name)) return check_type_of_ret(run_fields[i].ret);
    names[i] = run_fields[i].name;
  }
  names[NRUN_FIELDS] = NULL;
  check_unknown(ctx, ast_name_span(member), "run has no field", member->u.member.name, names);
  return CT_UNKNOWN;
}

/* Returns the type of a name used as a value, reporting unknown names and names that are not values. */
static chk_type ident(chk_ctx *ctx, const ast_node *node) {
  const char *name = node->u.ident.name;
  if (!name) return CT_UNKNOWN;
  chk_sym *sym = check_lookup(ctx, name, true, node);
  if (sym && sym->kind == SYM_PROC)
    diag_add(ctx->diags, DIAG_ERROR, node->span, "proc '%s' is not a value; call it: %s(…)", name, name);
  else if (sym && sym->kind == SYM_IMPORT)
    diag_add(ctx->diags, DIAG_ERROR, node->span, "'%s' is an imported library, not a value; use %s.<name>", name, name);
  if (sym && ctx->in_handler) check_handler_read(ctx, sym, node->span); /* the call only in a handler */
  if (sym) return sym->kind == SYM_PROC || sym->kind == SYM_IMPORT ? CT_UNKNOWN : sym->type;
  if (chk_same(name, "run")) return CT_OBJECT;
  if (check_sig_find(ctx, RECV_NONE, name)) {
    diag_add(ctx->diags, DIAG_ERROR, node->span, "'%s' is a built-in function, not a value; call it: %s(…)", name,
             name);
    return CT_UNKNOWN;
  }
  if (check_hint_lost(ctx, name)) return CT_UNKNOWN; /* its declaration was lost to a syntax error */
  const char **names = check_quiet(ctx) ? NULL : check_visible_names(ctx);
  check_note_declared(ctx, check_unknown(ctx, node->span, "unknown name", name, names), name);
  free(names);
  return CT_UNKNOWN;
}

/* Returns true (and *sym) when `node` is an identifier naming an import alias visible here. */
bool check_is_import(chk_ctx *ctx, const ast_node *node, chk_sym **sym) {
  if (!node || node->kind != AST_IDENT || !node->u.ident.name) return false;
  if (!(ctx->units[ctx->unit].top.kinds & 1u << SYM_IMPORT)) return false; /* imports are top-level names */
  chk_sym *s = check_lookup(ctx, node->u.ident.name, false, node);
  if (!s || s->kind != SYM_IMPORT) return false;
  *sym = check_lookup(ctx, node->u.ident.name, true, node);
  return true;
}

/* Returns the top-level symbol `name` of an imported unit, reporting it unknown when missing (at span);
 * NULL when missing or the library did not load. */
chk_sym *check_library_member(chk_ctx *ctx, const chk_sym *alias, const char *name, rbk_span span) {
  if (alias->unit < 0 || !name || !ctx->units[alias->unit].done) return NULL;
  const chk_scope *top = &ctx->units[alias->unit].top;
  chk_sym *sym = check_scope_find(top, name);
  if (sym && (sym->kind == SYM_LET || sym->kind == SYM_PROC || sym->kind == SYM_PARAM)) return sym;
  char what[160];
  snprintf(what, sizeof what, "library '%s' (%s) has no let or proc", alias->name,
           ctx->prog->units[alias->unit].path);
  const char **names = check_quiet(ctx) ? NULL : check_scope_names(top, 1u << SYM_LET | 1u << SYM_PROC);
  check_unknown(ctx, span, what, name, names);
  free(names);
  return NULL;
}

/* Returns true for the kinds whose values have no fields at all. */
static bool fieldless(chk_type t, bool null_safe) {
  switch (t) {
  case CT_BOOL: case CT_INT: case CT_FLOAT: case CT_NUMBER: case CT_STRING: case CT_DURATION:
  case CT_TIME: case CT_LIST: return true;
  case CT_NULL: return !null_safe;
  default: return false;
  }
}

/* Returns the type of `a.b` / `a?.b`: library members, run fields, fields of values. */
static chk_type member(chk_ctx *ctx, const ast_node *node) {
  const ast_node *obj = node->u.member.object;
  const char *name = node->u.member.name;
  chk_sym *alias = NULL;
  if (!name) return check_expr(ctx, obj);
  if (check_is_import(ctx, obj, &alias)) {
    chk_sym *m = check_library_member(ctx, alias, name, ast_name_span(node));
    if (m && m->kind == SYM_PROC)
      diag_add(ctx->diags, DIAG_ERROR, node->span, "proc '%s.%s' is not a value; call it: %s.%s(…)", alias->name,
               name, alias->name, name);
    return m && m->kind != SYM_PROC ? m->type : CT_UNKNOWN;
  }
  if (obj && obj->kind == AST_IDENT && obj->u.ident.name && chk_same(obj->u.ident.name, "run") &&
      !check_lookup(ctx, "run", false, obj))
    return run_field(ctx, node);
  chk_type t = check_expr(ctx, obj);
  if (fieldless(t, node->null_safe))
    diag_add(ctx->diags, DIAG_ERROR, ast_name_span(node), "%s has no field '%s'", check_type_article(t), name);
  return CT_UNKNOWN;
}

/* Returns the type of `a[i]` / `a?[i]` (unknown), reporting an index into a scalar. */
static chk_type index_expr(chk_ctx *ctx, const ast_node *node) {
  chk_type t = check_expr(ctx, node->u.index.object);
  if (t == CT_NULL && !node->null_safe)
    diag_add(ctx->diags, DIAG_ERROR, node->span, "cannot index null; use ?[ ] to get null instead");
  check_expr(ctx, node->u.index.index);
  if (t == CT_BOOL || t == CT_INT || t == CT_FLOAT || t == CT_NUMBER || t == CT_DURATION)
    diag_add(ctx->diags, DIAG_ERROR, node->span, "cannot index %s", check_type_article(t));
  else if (t == CT_STRING || t == CT_SECRET)
    diag_add(ctx->diags, DIAG_ERROR, node->span, "cannot index %s; use split(s, sep) for its parts or len(s) for its length",
             check_type_article(t));
  return CT_UNKNOWN;
}

/* Returns the type of `if c { a } else { b }`: the arms' type when they agree. */
static chk_type cond(chk_ctx *ctx, const ast_node *node) {
  check_require(ctx, node->u.if_.cond, CT_BOOL, "the condition of 'if'");
  chk_type a = check_expr(ctx, node->u.if_.then), b = check_expr(ctx, node->u.if_.els);
  if (a == b) return a;
  bool num_a = a == CT_INT || a == CT_FLOAT || a == CT_NUMBER, num_b = b == CT_INT || b == CT_FLOAT || b == CT_NUMBER;
  return num_a && num_b ? CT_NUMBER : CT_UNKNOWN;
}

/* Returns the type of an interpolated string: a secret when it interpolates one. */
static chk_type string(chk_ctx *ctx, const ast_node *node) {
  chk_type t = CT_STRING;
  for (size_t i = 0; i < node->u.str.parts.len; i++) {
    const ast_node *part = node->u.str.parts.items[i];
    if (part && part->kind != AST_TEXT && check_expr(ctx, part) == CT_SECRET) t = CT_SECRET;
  }
  return t;
}

/* One literal key of an object, for finding duplicates. */
typedef struct {
  const char *key;
  const ast_node *pair;
} key_ref;

/* Orders keys by text, then by position in the object. */
static int by_key(const void *pa, const void *pb) {
  const key_ref *a = pa, *b = pb;
  int c = strcmp(a->key, b->key);
  if (c) return c;
  rbk_span x = a->pair->span, y = b->pair->span;
  if (x.line != y.line) return x.line < y.line ? -1 : 1;
  return (x.col > y.col) - (x.col < y.col);
}

enum { FEW_KEYS = 8 }; /* objects with at most this many pairs are compared pair by pair first */

/* Returns true when a small object's literal keys are all different (false for a large object). */
static bool few_unique_keys(const ast_list *pairs) {
  if (pairs->len > FEW_KEYS) return false;
  for (size_t i = 0; i < pairs->len; i++) {
    const ast_node *p = pairs->items[i];
    if (!p || p->kind != AST_PAIR || !p->u.pair.key) continue;
    for (size_t j = i + 1; j < pairs->len; j++) {
      const ast_node *q = pairs->items[j];
      if (q && q->kind == AST_PAIR && q->u.pair.key && chk_same(p->u.pair.key, q->u.pair.key)) return false;
    }
  }
  return true;
}

/* Reports keys that an object literal repeats (sorted, so large objects stay cheap). */
static void duplicate_keys(chk_ctx *ctx, const ast_list *pairs) {
  if (few_unique_keys(pairs)) return;
  key_ref *keys = malloc((pairs->len + 1) * sizeof *keys);
  size_t n = 0;
  if (!keys) return;
  for (size_t i = 0; i < pairs->len; i++) {
    const ast_node *p = pairs->items[i];
    if (p && p->kind == AST_PAIR && p->u.pair.key) keys[n++] = (key_ref){p->u.pair.key, p};
  }
  qsort(keys, n, sizeof *keys, by_key);
  for (size_t i = 1; i < n; i++)
    if (!strcmp(keys[i].key, keys[i - 1].key)) {
      size_t first = i - 1;
      while (first > 0 && !strcmp(keys[first - 1].key, keys[i].key)) first--;
      int d = diag_add(ctx->diags, DIAG_ERROR, keys[i].pair->span, "duplicate key '%s' in object", keys[i].key);
      diag_note(ctx->diags, d, keys[first].pair->span, "'%s' is first set here", keys[i].key);
    }
  free(keys);
}

/* Returns the type of an object literal, checking its keys and values. */
static chk_type object(chk_ctx *ctx, const ast_node *node) {
  const ast_list *pairs = &node->u.list.items;
  for (size_t i = 0; i < pairs->len; i++) {
    const ast_node *p = pairs->items[i];
    if (!p || p->kind != AST_PAIR) {
      check_expr(ctx, p);
      continue;
    }
    if (p->u.pair.computed) check_require(ctx, p->u.pair.computed, CT_STRING, "a computed key");
    check_expr(ctx, p->u.pair.value);
  }
  duplicate_keys(ctx, pairs);
  return CT_OBJECT;
}

/* Returns the type of a list literal. */
static chk_type list(chk_ctx *ctx, const ast_node *node) {
  for (size_t i = 0; i < node->u.list.items.len; i++) check_expr(ctx, node->u.list.items.items[i]);
  return CT_LIST;
}

/* Returns the type of `not a` / `-a`, reporting operands that the operator cannot take. */
static chk_type unary(chk_ctx *ctx, const ast_node *node) {
  const ast_node *operand = node->u.unary.operand;
  chk_type t = check_expr(ctx, operand);
  char desc[80];
  if (node->op == OP_NOT) {
    if (!check_compatible(CT_BOOL, t)) {
      check_describe(operand, t, desc, sizeof desc);
      diag_add(ctx->diags, DIAG_ERROR, node->span, "'not' needs a bool, got %s", desc);
    }
    return CT_BOOL;
  }
  if (t == CT_UNKNOWN || t == CT_INT || t == CT_FLOAT || t == CT_NUMBER || t == CT_DURATION) return t;
  check_describe(operand, t, desc, sizeof desc);
  diag_add(ctx->diags, DIAG_ERROR, node->span, "'-' needs a number or a duration, got %s", desc);
  return CT_UNKNOWN;
}

/* Reports that the operand `x` (of type t) of `and`/`or` is not a bool. */
static void not_bool(chk_ctx *ctx, const ast_node *node, const ast_node *x, chk_type t) {
  char desc[80];
  check_describe(x, t, desc, sizeof desc);
  diag_add(ctx->diags, DIAG_ERROR, x ? x->span : node->span, "'%s' needs bools, got %s", ast_op_text(node->op),
           desc);
}

/* Returns the type of `a op b`, reporting operand types that the operator cannot take. */
static chk_type binary(chk_ctx *ctx, const ast_node *node) {
  ast_op op = node->op;
  const ast_node *lhs = node->u.binary.lhs, *rhs = node->u.binary.rhs;
  chk_type a = check_expr(ctx, lhs), b = check_expr(ctx, rhs), out;
  if (op == OP_AND || op == OP_OR) {
    if (!check_compatible(CT_BOOL, a)) not_bool(ctx, node, lhs, a);
    if (!check_compatible(CT_BOOL, b)) not_bool(ctx, node, rhs, b);
    return CT_BOOL;
  }
  if (!check_binary_type(op, a, b, &out)) {
    char da[80], db[80];
    check_describe(lhs, a, da, sizeof da);
    check_describe(rhs, b, db, sizeof db);
    diag_add(ctx->diags, DIAG_ERROR, node->span, "cannot apply '%s' to %s and %s", ast_op_text(op), da, db);
  }
  return out;
}

/* Checks a lambda that is a built-in's second argument. */
void check_lambda(chk_ctx *ctx, const ast_node *lambda) {
  if (!check_push(ctx)) return;
  chk_sym param = {
      .name = lambda->u.lambda.param, .kind = SYM_LAMBDA, .decl = lambda, .span = lambda->span, .unit = -1};
  check_declare(ctx, &param);
  ctx->lambda++;
  check_expr(ctx, lambda->u.lambda.body);
  ctx->lambda--;
  check_pop(ctx);
}

/* Returns the type of one expression node (not NULL), dispatching on its kind. */
static chk_type expr_kind(chk_ctx *ctx, const ast_node *node) {
  switch (node->kind) {
  case AST_NULL_LIT: return CT_NULL;
  case AST_BOOL_LIT: return CT_BOOL;
  case AST_INT_LIT: return CT_INT;
  case AST_FLOAT_LIT: return CT_FLOAT;
  case AST_DURATION_LIT: return CT_DURATION;
  case AST_STRING: return string(ctx, node);
  case AST_TEXT: return CT_STRING;
  case AST_LIST: return list(ctx, node);
  case AST_OBJECT: return object(ctx, node);
  case AST_PAIR: return check_expr(ctx, node->u.pair.value);
  case AST_IDENT: return ident(ctx, node);
  case AST_MEMBER: return member(ctx, node);
  case AST_INDEX: return index_expr(ctx, node);
  case AST_COND: return cond(ctx, node);
  case AST_CALL: return check_call(ctx, node, false);
  case AST_ARG: return check_expr(ctx, node->u.arg.value);
  case AST_UNARY: return unary(ctx, node);
  case AST_BINARY: return binary(ctx, node);
  case AST_LAMBDA:
    diag_add(ctx->diags, DIAG_ERROR, node->span,
             "a lambda can only be the second argument of a built-in such as filter, map or count");
    check_lambda(ctx, node);
    return CT_LAMBDA;
  default: return CT_UNKNOWN; /* a statement where an expression belongs: the parser reported it */
  }
}

/* Returns true (one level deeper) unless the nesting limit is reached, which is reported once at `at`;
 * callers that got true decrement ctx->depth when done. */
bool check_enter(chk_ctx *ctx, rbk_span at) {
  if (ctx->depth < CHK_MAX_DEPTH) {
    ctx->depth++;
    return true;
  }
  if (!ctx->too_deep)
    diag_add(ctx->diags, DIAG_ERROR, at, "nested more than %d levels deep; the checker stops here", CHK_MAX_DEPTH);
  ctx->too_deep = true;
  return false;
}

/* Returns the type of an expression that holds others, one level deeper (kept out of check_expr, so
 * that a leaf costs no more than a few instructions). */
static __attribute__((noinline)) chk_type nested(chk_ctx *ctx, const ast_node *node) {
  ctx->depth++;
  chk_type t = expr_kind(ctx, node);
  ctx->depth--;
  return t;
}

/* The types of the leaves: the literals, a piece of text and a string without ${…} (nothing in them
 * to check). */
static const unsigned char leaf_types[] = {
    [AST_NULL_LIT] = CT_NULL, [AST_BOOL_LIT] = CT_BOOL,         [AST_INT_LIT] = CT_INT, [AST_FLOAT_LIT] = CT_FLOAT,
    [AST_DURATION_LIT] = CT_DURATION, [AST_STRING] = CT_STRING, [AST_TEXT] = CT_STRING,
};
_Static_assert(AST_NULL_LIT == 0 && AST_TEXT == 6, "check_expr's leaves are the first seven node kinds (ast.h)");

/* Checks an expression and returns its static type (CT_UNKNOWN when NULL). */
chk_type check_expr(chk_ctx *ctx, const ast_node *node) {
  if (!node) return CT_UNKNOWN;
  if (ctx->depth >= CHK_MAX_DEPTH) {
    check_enter(ctx, node->span); /* reports it once */
    return CT_UNKNOWN;
  }
  if (node->kind <= AST_TEXT && (node->kind != AST_STRING || !node->u.str.parts.len))
    return (chk_type)leaf_types[node->kind];
  if (node->kind == AST_IDENT) return ident(ctx, node); /* a leaf too: its diagnostics go no deeper */
  return nested(ctx, node);
}
