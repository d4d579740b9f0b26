/* value_cmp.c — equality and ordering of values (see value.h). */
#include "value.h"

#include <string.h>

/* Returns <0, 0, >0 comparing an int with a float exactly (no rounding of large ints). */
static int cmp_int_float(int64_t i, double f) {
  if (f < -9223372036854775808.0) return 1;
  if (f >= 9223372036854775808.0) return -1;
  int64_t t = (int64_t)f;
  if (i != t) return i < t ? -1 : 1;
  double frac = f - (double)t;
  return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

/* Returns <0, 0, >0 comparing two numbers (ints and floats together). */
static int cmp_numbers(const rbk_value *a, const rbk_value *b) {
  if (a->kind == VAL_INT && b->kind == VAL_INT) return (a->u.i > b->u.i) - (a->u.i < b->u.i);
  if (a->kind == VAL_FLOAT && b->kind == VAL_FLOAT) return (a->u.f > b->u.f) - (a->u.f < b->u.f);
  if (a->kind == VAL_INT) return cmp_int_float(a->u.i, b->u.f);
  return -cmp_int_float(b->u.i, a->u.f);
}

/* Returns <0, 0, >0 comparing two byte strings (UTF-8 byte order is code point order). */
static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);
  if (c) return c;
  return (alen > blen) - (alen < blen);
}

/* Returns true when v is an int or a float. */
static bool is_number(const rbk_value *v) { return v->kind == VAL_INT || v->kind == VAL_FLOAT; }

/* Returns true when the objects have the same keys with equal values (order does not matter). */
static bool objects_equal(const rbk_value *a, const rbk_value *b) {
  if (a->u.obj.len != b->u.obj.len) return false;
  for (size_t i = 0; i < a->u.obj.len; i++) {
    const rbk_value *other = value_object_get(b, a->u.obj.keys[i]);
    if (!other || !value_equal(a->u.obj.vals[i], other)) return false;
  }
  return true;
}

/* Returns true when the lists have equal elements in the same order. */
static bool lists_equal(const rbk_value *a, const rbk_value *b) {
  if (a->u.list.len != b->u.list.len) return false;
  for (size_t i = 0; i < a->u.list.len; i++)
    if (!value_equal(a->u.list.items[i], b->u.list.items[i])) return false;
  return true;
}

/* Returns true when a and b are equal (deep). */
bool value_equal(const rbk_value *a, const rbk_value *b) {
  if (a == b) return true;
  if (!a || !b) return false;
  if (is_number(a) && is_number(b)) return cmp_numbers(a, b) == 0;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case VAL_NULL: return true;
  case VAL_BOOL: return a->u.b == b->u.b;
  case VAL_INT:
  case VAL_DURATION:
  case VAL_TIME: return a->u.i == b->u.i;
  case VAL_FLOAT: return a->u.f == b->u.f;
  case VAL_STRING: return cmp_bytes(a->u.str.s, a->u.str.len, b->u.str.s, b->u.str.len) == 0;
  case VAL_LIST: return lists_equal(a, b);
  case VAL_OBJECT: return objects_equal(a, b);
  case VAL_SECRET: return strcmp(a->u.secret.plain, b->u.secret.plain) == 0;
  case VAL_LAMBDA:
  case VAL_HANDLE: return false;
  }
  return false;
}

/* Returns true with *cmp set when a and b are of kinds that order together. */
bool value_compare(const rbk_value *a, const rbk_value *b, int *cmp) {
  if (is_number(a) && is_number(b)) {
    *cmp = cmp_numbers(a, b);
    return true;
  }
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case VAL_STRING: *cmp = cmp_bytes(a->u.str.s, a->u.str.len, b->u.str.s, b->u.str.len); return true;
  case VAL_SECRET: *cmp = strcmp(a->u.secret.plain, b->u.secret.plain); return true;
  case VAL_DURATION:
  case VAL_TIME: *cmp = (a->u.i > b->u.i) - (a->u.i < b->u.i); return true;
  case VAL_NULL:
  case VAL_BOOL:
  case VAL_INT:
  case VAL_FLOAT:
  case VAL_LIST:
  case VAL_OBJECT:
  case VAL_LAMBDA:
  case VAL_HANDLE: return false;
  }
  return false;
}
