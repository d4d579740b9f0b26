/* valops.c — arithmetic, comparison, membership and logic on values (language.md §5). */
#include "valops.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns NULL after setting *err to a formatted message. */
static rbk_value *fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static rbk_value *fail(char **err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  *err = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (*err) {
    va_start(ap, fmt);
    vsnprintf(*err, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  return NULL;
}

/* Returns NULL after reporting that op does not apply to the kinds of a and b. */
static rbk_value *mismatch(ast_op op, const rbk_value *a, const rbk_value *b, char **err) {
  return fail(err, "cannot apply %s to %s and %s", ast_op_text(op), value_kind_name(a->kind), value_kind_name(b->kind));
}

/* Returns NULL after reporting an integer overflow in op. */
static rbk_value *overflow(ast_op op, char **err) {
  return fail(err, "integer overflow in %s", ast_op_text(op));
}

/* Returns true when v is an int or a float. */
static bool is_num(const rbk_value *v) { return v->kind == VAL_INT || v->kind == VAL_FLOAT; }

/* Returns a number as a double. */
static double num(const rbk_value *v) { return v->kind == VAL_INT ? (double)v->u.i : v->u.f; }

/* Returns true when v is a string or a secret (text that can be joined). */
static bool is_text(const rbk_value *v) { return v->kind == VAL_STRING || v->kind == VAL_SECRET; }

/* Returns a float result, or an error when it is not finite. */
static rbk_value *float_result(ast_op op, double f, char **err) {
  if (!isfinite(f)) return fail(err, "float overflow in %s", ast_op_text(op));
  return value_float(f);
}

/* Returns the result of applying op to two ints with overflow checks (+ - *). */
static rbk_value *int_arith(ast_op op, int64_t a, int64_t b, char **err) {
  int64_t r = 0;
  bool over = op == OP_ADD ? __builtin_add_overflow(a, b, &r)
            : op == OP_SUB ? __builtin_sub_overflow(a, b, &r)
                           : __builtin_mul_overflow(a, b, &r);
  return over ? overflow(op, err) : value_int(r);
}

/* Returns the texts of a and b joined as a secret: a mixed one whose bytes from secrets stay
 * secret (val_text). */
static rbk_value *valops_join_secret(const rbk_value *a, const rbk_value *b) {
  val_text t = {0};
  value_text_add(&t, a);
  value_text_add(&t, b);
  return value_text_finish(&t);
}

/* Returns the two strings joined. */
static rbk_value *join_strings(const rbk_value *a, const rbk_value *b) {
  size_t n = a->u.str.len + b->u.str.len;
  char *s = malloc(n + 1);
  if (!s) return NULL;
  memcpy(s, a->u.str.s, a->u.str.len);
  memcpy(s + a->u.str.len, b->u.str.s, b->u.str.len);
  s[n] = '\0';
  return value_string_take(s, n);
}

/* Returns a new list with the elements of a, then those of b. */
static rbk_value *join_lists(const rbk_value *a, const rbk_value *b) {
  rbk_value *list = value_list(a->u.list.len + b->u.list.len);
  for (size_t i = 0; list && i < a->u.list.len; i++)
    if (!value_list_push(list, value_ref(a->u.list.items[i]))) {
      value_unref(list);
      return NULL;
    }
  for (size_t i = 0; list && i < b->u.list.len; i++)
    if (!value_list_push(list, value_ref(b->u.list.items[i]))) {
      value_unref(list);
      return NULL;
    }
  return list;
}

/* Returns a value of kind (DURATION or TIME) holding a.i op b.i, with overflow checks. */
static rbk_value *i64_kind(val_kind kind, ast_op op, int64_t a, int64_t b, char **err) {
  int64_t r = 0;
  bool over = op == OP_ADD ? __builtin_add_overflow(a, b, &r) : __builtin_sub_overflow(a, b, &r);
  if (over) return fail(err, "%s overflow in %s", value_kind_name(kind), ast_op_text(op));
  return kind == VAL_TIME ? value_time(r) : value_duration(r);
}

/* Returns a + b: numbers, strings (secrets stay secret), lists, durations, time + duration. */
static rbk_value *op_add(const rbk_value *a, const rbk_value *b, char **err) {
  val_kind ka = a->kind, kb = b->kind;
  if (ka == VAL_INT && kb == VAL_INT) return int_arith(OP_ADD, a->u.i, b->u.i, err);
  if (is_num(a) && is_num(b)) return float_result(OP_ADD, num(a) + num(b), err);
  if (ka == VAL_STRING && kb == VAL_STRING) return join_strings(a, b);
  if (is_text(a) && is_text(b)) return valops_join_secret(a, b);
  if (ka == VAL_LIST && kb == VAL_LIST) return join_lists(a, b);
  if (ka == VAL_DURATION && kb == VAL_DURATION) return i64_kind(VAL_DURATION, OP_ADD, a->u.i, b->u.i, err);
  if (ka == VAL_TIME && kb == VAL_DURATION) return i64_kind(VAL_TIME, OP_ADD, a->u.i, b->u.i, err);
  if (ka == VAL_DURATION && kb == VAL_TIME) return i64_kind(VAL_TIME, OP_ADD, b->u.i, a->u.i, err);
  return mismatch(OP_ADD, a, b, err);
}

/* Returns a - b: numbers, durations, time - duration, time - time (a duration). */
static rbk_value *op_sub(const rbk_value *a, const rbk_value *b, char **err) {
  val_kind ka = a->kind, kb = b->kind;
  if (ka == VAL_INT && kb == VAL_INT) return int_arith(OP_SUB, a->u.i, b->u.i, err);
  if (is_num(a) && is_num(b)) return float_result(OP_SUB, num(a) - num(b), err);
  if (ka == VAL_DURATION && kb == VAL_DURATION) return i64_kind(VAL_DURATION, OP_SUB, a->u.i, b->u.i, err);
  if (ka == VAL_TIME && kb == VAL_DURATION) return i64_kind(VAL_TIME, OP_SUB, a->u.i, b->u.i, err);
  if (ka == VAL_TIME && kb == VAL_TIME) return i64_kind(VAL_DURATION, OP_SUB, a->u.i, b->u.i, err);
  return mismatch(OP_SUB, a, b, err);
}

/* Returns a duration of ms * factor rounded to the millisecond, or an overflow error. */
static rbk_value *scale_duration(ast_op op, int64_t ms, double factor, char **err) {
  double r = round((double)ms * factor);
  if (!isfinite(r) || r >= 9223372036854775808.0 || r < -9223372036854775808.0)
    return fail(err, "duration overflow in %s", ast_op_text(op));
  return value_duration((int64_t)r);
}

/* Returns a duration of ms * n, or an overflow error. */
static rbk_value *duration_times(int64_t ms, int64_t n, char **err) {
  int64_t r = 0;
  if (__builtin_mul_overflow(ms, n, &r)) return fail(err, "duration overflow in *");
  return value_duration(r);
}

/* Returns a * b: numbers, duration * number (either order; rounded to the millisecond). */
static rbk_value *op_mul(const rbk_value *a, const rbk_value *b, char **err) {
  if (a->kind == VAL_INT && b->kind == VAL_INT) return int_arith(OP_MUL, a->u.i, b->u.i, err);
  if (is_num(a) && is_num(b)) return float_result(OP_MUL, num(a) * num(b), err);
  if (a->kind == VAL_DURATION && b->kind == VAL_INT) return duration_times(a->u.i, b->u.i, err);
  if (a->kind == VAL_INT && b->kind == VAL_DURATION) return duration_times(b->u.i, a->u.i, err);
  if (a->kind == VAL_DURATION && b->kind == VAL_FLOAT) return scale_duration(OP_MUL, a->u.i, b->u.f, err);
  if (a->kind == VAL_FLOAT && b->kind == VAL_DURATION) return scale_duration(OP_MUL, b->u.i, a->u.f, err);
  return mismatch(OP_MUL, a, b, err);
}

/* Returns a / b for two ints: an int when exact, a float otherwise. */
static rbk_value *int_div(int64_t a, int64_t b, char **err) {
  if (b == 0) return fail(err, "division by zero");
  if (a == INT64_MIN && b == -1) return overflow(OP_DIV, err);
  if (a % b == 0) return value_int(a / b);
  return value_float((double)a / (double)b);
}

/* Returns a / b: numbers, duration / number (a duration), duration / duration (a float). */
static rbk_value *op_div(const rbk_value *a, const rbk_value *b, char **err) {
  if (a->kind == VAL_INT && b->kind == VAL_INT) return int_div(a->u.i, b->u.i, err);
  bool zero = (is_num(b) && num(b) == 0) || (b->kind == VAL_DURATION && b->u.i == 0);
  bool fits = (is_num(a) && is_num(b)) || (a->kind == VAL_DURATION && (is_num(b) || b->kind == VAL_DURATION));
  if (!fits) return mismatch(OP_DIV, a, b, err);
  if (zero) return fail(err, "division by zero");
  if (is_num(a)) return float_result(OP_DIV, num(a) / num(b), err);
  if (b->kind == VAL_DURATION) return value_float((double)a->u.i / (double)b->u.i);
  return scale_duration(OP_DIV, a->u.i, 1.0 / num(b), err);
}

/* Returns a % b for ints, with the sign of b (as Python: -7 % 3 == 2). */
static rbk_value *op_mod(const rbk_value *a, const rbk_value *b, char **err) {
  if (a->kind != VAL_INT || b->kind != VAL_INT) return mismatch(OP_MOD, a, b, err);
  int64_t x = a->u.i, y = b->u.i;
  if (y == 0) return fail(err, "modulo by zero");
  if (y == -1) return value_int(0);
  int64_t r = x % y;
  if (r != 0 && ((r < 0) != (y < 0))) r += y;
  return value_int(r);
}

/* Returns the bool of an ordering comparison, or an error for kinds that do not order. */
static rbk_value *op_order(ast_op op, const rbk_value *a, const rbk_value *b, char **err) {
  int c = 0;
  if (!value_compare(a, b, &c))
    return fail(err, "cannot compare %s and %s with %s", value_kind_name(a->kind), value_kind_name(b->kind), ast_op_text(op));
  bool r = op == OP_LT ? c < 0 : op == OP_LE ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
  return value_bool(r);
}

/* Returns true when the string needle occurs in hay (byte strings that may hold NULs). */
static bool has_substring(const rbk_value *hay, const rbk_value *needle) {
  size_t n = needle->u.str.len, h = hay->u.str.len;
  if (n == 0) return true;
  for (size_t i = 0; n <= h && i <= h - n; i++)
    if (memcmp(hay->u.str.s + i, needle->u.str.s, n) == 0) return true;
  return false;
}

/* Returns a in b: list membership, object key, substring. */
static rbk_value *op_in(const rbk_value *a, const rbk_value *b, char **err) {
  if (b->kind == VAL_LIST) {
    for (size_t i = 0; i < b->u.list.len; i++)
      if (value_equal(a, b->u.list.items[i])) return value_bool(true);
    return value_bool(false);
  }
  if (b->kind == VAL_OBJECT && a->kind == VAL_STRING) return value_bool(value_object_get(b, a->u.str.s) != NULL);
  if (b->kind == VAL_STRING && a->kind == VAL_STRING) return value_bool(has_substring(b, a));
  return mismatch(OP_IN, a, b, err);
}

/* Returns a and b / a or b for two bools. */
static rbk_value *op_logic(ast_op op, const rbk_value *a, const rbk_value *b, char **err) {
  if (a->kind != VAL_BOOL || b->kind != VAL_BOOL)
    return fail(err, "%s expects bools, got %s and %s", ast_op_text(op), value_kind_article(a->kind), value_kind_article(b->kind));
  return value_bool(op == OP_AND ? a->u.b && b->u.b : a->u.b || b->u.b);
}

/* Returns a op b, or NULL with *err set. */
rbk_value *valops_binary(ast_op op, const rbk_value *a, const rbk_value *b, char **err) {
  switch (op) {
  case OP_ADD: return op_add(a, b, err);
  case OP_SUB: return op_sub(a, b, err);
  case OP_MUL: return op_mul(a, b, err);
  case OP_DIV: return op_div(a, b, err);
  case OP_MOD: return op_mod(a, b, err);
  case OP_EQ: return value_bool(value_equal(a, b));
  case OP_NE: return value_bool(!value_equal(a, b));
  case OP_LT:
  case OP_LE:
  case OP_GT:
  case OP_GE: return op_order(op, a, b, err);
  case OP_AND:
  case OP_OR: return op_logic(op, a, b, err);
  case OP_IN: return op_in(a, b, err);
  case OP_COALESCE: return value_ref((rbk_value *)(a->kind == VAL_NULL ? b : a));
  case OP_NOT:
  case OP_NEG:
  case OP_COUNT: break;
  }
  return fail(err, "%s is not a binary operator", op < OP_COUNT ? ast_op_text(op) : "?");
}

/* Returns -a for ints, floats and durations. */
static rbk_value *op_neg(const rbk_value *a, char **err) {
  if (a->kind == VAL_FLOAT) return value_float(-a->u.f);
  if (a->kind != VAL_INT && a->kind != VAL_DURATION)
    return fail(err, "cannot apply - to %s", value_kind_name(a->kind));
  if (a->u.i == INT64_MIN) return overflow(OP_NEG, err);
  return a->kind == VAL_INT ? value_int(-a->u.i) : value_duration(-a->u.i);
}

/* Returns op a, or NULL with *err set. */
rbk_value *valops_unary(ast_op op, const rbk_value *a, char **err) {
  if (op == OP_NEG) return op_neg(a, err);
  if (op != OP_NOT) return fail(err, "%s is not a unary operator", op < OP_COUNT ? ast_op_text(op) : "?");
  if (a->kind != VAL_BOOL) return fail(err, "cannot apply not to %s", value_kind_name(a->kind));
  return value_bool(!a->u.b);
}
