/* check_type.c — the static types the checker can know, and what the operators accept
 * (language.md §5: + joins strings and lists, duration arithmetic, % on ints). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "check_impl.h"

static const char *const type_names[] = {
#define X(k, name, article) name,
    CHK_TYPES(X)
#undef X
};

static const char *const type_articles[] = {
#define X(k, name, article) article,
    CHK_TYPES(X)
#undef X
};

/* Returns the type's name ("int"). */
static const char *check_type_name(chk_type t) { return type_names[t]; }

/* Returns the type's name with its article ("an int"). */
const char *check_type_article(chk_type t) { return type_articles[t]; }

/* Returns the static type of a signature's result. */
chk_type check_type_of_ret(sig_ret ret) {
  switch (ret) {
  case RET_ANY: return CT_UNKNOWN;
  case RET_NULL: return CT_NULL;
  case RET_BOOL: return CT_BOOL;
  case RET_INT: return CT_INT;
  case RET_FLOAT: return CT_FLOAT;
  case RET_NUMBER: return CT_UNKNOWN; /* sum(): numbers or durations */
  case RET_STRING: return CT_STRING;
  case RET_DURATION: return CT_DURATION;
  case RET_TIME: return CT_TIME;
  case RET_LIST: return CT_LIST;
  case RET_OBJECT: return CT_OBJECT;
  case RET_SECRET: return CT_SECRET;
  case RET_CLUSTER: return CT_CLUSTER;
  case RET_ENDPOINT: return CT_ENDPOINT;
  case RET_CHANNEL: return CT_CHANNEL;
  }
  return CT_UNKNOWN;
}

/* Returns the static type of a declared param type. */
chk_type check_type_of_decl(ast_type type) {
  switch (type) {
  case TYPE_ANY: return CT_UNKNOWN;
  case TYPE_STRING: return CT_STRING;
  case TYPE_INT: return CT_INT;
  case TYPE_FLOAT: return CT_FLOAT;
  case TYPE_BOOL: return CT_BOOL;
  case TYPE_DURATION: return CT_DURATION;
  case TYPE_LIST: return CT_LIST;
  case TYPE_OBJECT: return CT_OBJECT;
  case TYPE_COUNT: break;
  }
  return CT_UNKNOWN;
}

/* Returns true for int, float and number. */
static bool numeric(chk_type t) { return t == CT_INT || t == CT_FLOAT || t == CT_NUMBER; }

/* Returns true when a value of type `got` may stand where `want` is required (check_compatible's
 * slow path: the types are known and differ). */
bool check_compatible_slow(chk_type want, chk_type got) {
  if (want == CT_FLOAT) return got == CT_INT || got == CT_NUMBER;
  if (want == CT_INT) return got == CT_NUMBER;
  if (want == CT_NUMBER) return numeric(got);
  if (want == CT_STRING) return got == CT_SECRET;
  return false;
}

/* Returns true when `t` is a handle kind; *recv is its receiver. */
bool check_is_handle(chk_type t, sig_recv *recv) {
  switch (t) {
  case CT_CLUSTER: *recv = RECV_CLUSTER; return true;
  case CT_ENDPOINT: *recv = RECV_ENDPOINT; return true;
  case CT_CHANNEL: *recv = RECV_CHANNEL; return true;
  default: return false;
  }
}

/* Returns the handle type of a receiver (CT_UNKNOWN for RECV_NONE). */
chk_type check_type_of_recv(sig_recv recv) {
  switch (recv) {
  case RECV_NONE: return CT_UNKNOWN;
  case RECV_CLUSTER: return CT_CLUSTER;
  case RECV_ENDPOINT: return CT_ENDPOINT;
  case RECV_CHANNEL: return CT_CHANNEL;
  }
  return CT_UNKNOWN;
}

/* Writes a string literal's text, quoted and shortened, into buf. */
static void describe_string(const ast_node *node, char *buf, size_t size) {
  const char *text = NULL;
  if (!ast_string_is_plain(node, &text)) {
    snprintf(buf, size, "string");
    return;
  }
  if (!text) text = "";
  size_t n = strlen(text);
  if (n > 24)
    snprintf(buf, size, "string \"%.24s…\"", text);
  else
    snprintf(buf, size, "string \"%s\"", text);
}

/* Writes "int 5" / "string \"a\"" / "int" describing node (of type t) into buf. */
void check_describe(const ast_node *node, chk_type t, char *buf, size_t size) {
  switch (node ? node->kind : AST_IDENT) {
  case AST_INT_LIT: snprintf(buf, size, "int %" PRId64, node->u.lit.i); break;
  case AST_FLOAT_LIT: snprintf(buf, size, "float %s", node->u.lit.text ? node->u.lit.text : ""); break;
  case AST_DURATION_LIT: snprintf(buf, size, "duration %s", node->u.lit.text ? node->u.lit.text : ""); break;
  case AST_BOOL_LIT: snprintf(buf, size, "bool %s", node->u.lit.b ? "true" : "false"); break;
  case AST_STRING: describe_string(node, buf, size); break;
  default: snprintf(buf, size, "%s", check_type_name(t)); break;
  }
}

/* Returns int when both are ints, float when one is a float, else number. */
static chk_type num_result(chk_type a, chk_type b) {
  if (a == CT_INT && b == CT_INT) return CT_INT;
  if (a == CT_FLOAT || b == CT_FLOAT) return CT_FLOAT;
  return CT_NUMBER;
}

/* Returns the type of a + b, or CT_LAMBDA (never a result) when + cannot join them. */
static chk_type add_type(chk_type a, chk_type b) {
  if (numeric(a) && numeric(b)) return num_result(a, b);
  if (a == b && (a == CT_STRING || a == CT_LIST || a == CT_DURATION)) return a;
  if ((a == CT_TIME && b == CT_DURATION) || (a == CT_DURATION && b == CT_TIME)) return CT_TIME;
  if ((a == CT_SECRET && (b == CT_STRING || b == CT_SECRET)) || (a == CT_STRING && b == CT_SECRET)) return CT_SECRET;
  return CT_LAMBDA;
}

/* Returns the type of a - b, a * b, a / b or a % b, or CT_LAMBDA when the operator cannot take them. */
static chk_type arith_type(ast_op op, chk_type a, chk_type b) {
  switch (op) {
  case OP_SUB:
    if (numeric(a) && numeric(b)) return num_result(a, b);
    if (a == CT_DURATION && b == CT_DURATION) return CT_DURATION;
    if (a == CT_TIME && b == CT_DURATION) return CT_TIME;
    if (a == CT_TIME && b == CT_TIME) return CT_DURATION;
    return CT_LAMBDA;
  case OP_MUL:
    if (numeric(a) && numeric(b)) return num_result(a, b);
    if ((a == CT_DURATION && numeric(b)) || (numeric(a) && b == CT_DURATION)) return CT_DURATION;
    return CT_LAMBDA;
  case OP_DIV:
    if (numeric(a) && numeric(b)) return a == CT_FLOAT || b == CT_FLOAT ? CT_FLOAT : CT_NUMBER;
    if (a == CT_DURATION && numeric(b)) return CT_DURATION;
    if (a == CT_DURATION && b == CT_DURATION) return CT_FLOAT;
    return CT_LAMBDA;
  case OP_MOD:
    if ((a != CT_INT && a != CT_NUMBER) || (b != CT_INT && b != CT_NUMBER)) return CT_LAMBDA;
    return a == CT_INT && b == CT_INT ? CT_INT : CT_NUMBER;
  default: return CT_UNKNOWN;
  }
}

/* Returns true when a and b can be ordered with < (numbers, strings, durations, times). */
static bool orderable(chk_type a, chk_type b) {
  if (numeric(a) && numeric(b)) return true;
  return a == b && (a == CT_STRING || a == CT_DURATION || a == CT_TIME);
}

/* Returns the type of `a op b`; false when the operator cannot take them (both known). */
bool check_binary_type(ast_op op, chk_type a, chk_type b, chk_type *out) {
  bool known = a != CT_UNKNOWN && b != CT_UNKNOWN;
  *out = CT_UNKNOWN;
  switch (op) {
  case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_MOD: {
    if (!known) return true;
    chk_type t = op == OP_ADD ? add_type(a, b) : arith_type(op, a, b);
    if (t == CT_LAMBDA) return false;
    *out = t;
    return true;
  }
  case OP_EQ: case OP_NE: *out = CT_BOOL; return true;
  case OP_LT: case OP_LE: case OP_GT: case OP_GE: *out = CT_BOOL; return !known || orderable(a, b);
  case OP_AND: case OP_OR: *out = CT_BOOL; return true; /* operands are checked one by one */
  case OP_IN:
    *out = CT_BOOL;
    if (b == CT_UNKNOWN || b == CT_LIST || b == CT_OBJECT) return true;
    return (b == CT_STRING || b == CT_SECRET) && (a == CT_UNKNOWN || a == CT_STRING || a == CT_SECRET);
  case OP_COALESCE:
    *out = a == CT_NULL ? b : a == b ? a : CT_UNKNOWN;
    return true;
  case OP_NOT: case OP_NEG: case OP_COUNT: return true;
  }
  return true;
}

/* Reports that `node` (of type `got`) is not the `want` that `what` needs. */
void check_mismatch(chk_ctx *ctx, const ast_node *node, chk_type want, chk_type got, const char *what) {
  char desc[80];
  check_describe(node, got, desc, sizeof desc);
  if (want == CT_DURATION && node->kind == AST_INT_LIT) /* a bare number where a duration belongs */
    diag_add(ctx->diags, DIAG_ERROR, node->span, "%s must be %s, got %s; did you mean %llds?", what,
             check_type_article(want), desc, (long long)node->u.lit.i);
  else
    diag_add(ctx->diags, DIAG_ERROR, node->span, "%s must be %s, got %s", what, check_type_article(want), desc);
}

/* Reports a negated duration literal (`-1m`) given where `what` needs a duration, and, when
 * `positive`, a literal zero: a timeout, interval or wait is never negative, and an action's
 * timeout of 0s would pass a rehearsal (whose answers take no virtual time) and fail a cluster. */
void check_duration_sign(chk_ctx *ctx, const ast_node *node, const char *what, bool positive) {
  bool neg = node && node->kind == AST_UNARY && node->op == OP_NEG && node->u.unary.operand &&
             node->u.unary.operand->kind == AST_DURATION_LIT && node->u.unary.operand->u.lit.i > 0;
  bool zero = positive && node && node->kind == AST_DURATION_LIT && node->u.lit.i == 0;
  const char *text = neg ? node->u.unary.operand->u.lit.text : zero ? node->u.lit.text : NULL;
  if (neg || zero)
    diag_add(ctx->diags, DIAG_ERROR, node->span, "%s must be a %s duration, got %s%s", what,
             positive ? "positive" : "non-negative", neg ? "-" : "", text ? text : "0s");
}

/* Checks `node` and reports unless its type is compatible with `want`: "<what> must be <want>, got <type>
 * <literal>" (for a conditional expression, at each arm that does not suit). */
chk_type check_require(chk_ctx *ctx, const ast_node *node, chk_type want, const char *what) {
  if (node && node->kind == AST_COND && node->u.if_.then && node->u.if_.els) { /* each arm must suit */
    check_require(ctx, node->u.if_.cond, CT_BOOL, "the condition of 'if'");
    chk_type a = check_require(ctx, node->u.if_.then, want, what), b = check_require(ctx, node->u.if_.els, want, what);
    return a == b ? a : CT_UNKNOWN;
  }
  chk_type got = check_expr(ctx, node);
  if (node && !check_compatible(want, got)) check_mismatch(ctx, node, want, got, what);
  else if (want == CT_DURATION) check_duration_sign(ctx, node, what, false);
  return got;
}
