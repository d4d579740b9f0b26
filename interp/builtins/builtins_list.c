/* builtins_list.c — len, count, all, any, filter, map, keys, values, merge, contains. */
#include <string.h>

#include "builtins_impl.h"

/* Returns the number of UTF-8 code points in s (bytes that are not continuation bytes). */
static int64_t utf8_count(const char *s, size_t len) {
  int64_t n = 0;
  for (size_t i = 0; i < len; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
  return n;
}

/* len(x): elements of a list, members of an object, characters of a string. */
rbk_value *builtins_len(const bi_call *c) {
  const rbk_value *x = builtins_arg(c, 0);
  switch (x->kind) {
  case VAL_LIST: return value_int((int64_t)x->u.list.len);
  case VAL_OBJECT: return value_int((int64_t)x->u.obj.len);
  case VAL_STRING: return value_int(utf8_count(x->u.str.s, x->u.str.len));
  default: return builtins_want(c, 0, "a list, object or string");
  }
}

/* Returns the list argument i (borrowed), or NULL after reporting a kind mismatch. */
static const rbk_value *list_arg(const bi_call *c, size_t i) {
  if (builtins_is(c, i, VAL_LIST)) return builtins_arg(c, i);
  builtins_want(c, i, "a list");
  return NULL;
}

/* Returns 1 or 0 for element `at` of the list: pred(item) when a predicate was given, else the
 * element itself, which must be a bool; -1 with *c->err set. */
static int truth(const bi_call *c, rbk_value *item, size_t at) {
  if (builtins_arg(c, 1)) return builtins_test(c, 1, item, at);
  if (item->kind == VAL_BOOL) return item->u.b;
  builtins_fail(c, "element [%zu] is %s, expected a bool (or pass a predicate)", at, value_kind_article(item->kind));
  return -1;
}

/* count(list[, pred]): all elements, or those for which pred is true. */
rbk_value *builtins_count(const bi_call *c) {
  const rbk_value *list = list_arg(c, 0);
  if (!list) return NULL;
  if (!builtins_arg(c, 1)) return value_int((int64_t)list->u.list.len);
  int64_t n = 0;
  for (size_t i = 0; i < list->u.list.len; i++) {
    int t = builtins_test(c, 1, list->u.list.items[i], i);
    if (t < 0) return NULL;
    n += t;
  }
  return value_int(n);
}

/* Returns all(...) when want is 0 (stop at the first false), any(...) when want is 1. */
static rbk_value *quantify(const bi_call *c, int want) {
  const rbk_value *list = list_arg(c, 0);
  if (!list) return NULL;
  for (size_t i = 0; i < list->u.list.len; i++) {
    int t = truth(c, list->u.list.items[i], i);
    if (t < 0) return NULL;
    if (t == want) return value_bool(want == 1);
  }
  return value_bool(want == 0);
}

/* all(list[, pred]): true when every element (or pred of it) is true; true for []. */
rbk_value *builtins_all(const bi_call *c) { return quantify(c, 0); }

/* any(list[, pred]): true when some element (or pred of it) is true; false for []. */
rbk_value *builtins_any(const bi_call *c) { return quantify(c, 1); }

/* filter(list, pred): the elements for which pred is true, in order. */
rbk_value *builtins_filter(const bi_call *c) {
  const rbk_value *list = list_arg(c, 0);
  if (!list) return NULL;
  rbk_value *out = value_list(0);
  for (size_t i = 0; out && i < list->u.list.len; i++) {
    rbk_value *item = list->u.list.items[i];
    int t = builtins_test(c, 1, item, i);
    if (t < 0) {
      value_unref(out);
      return NULL;
    }
    if (t && !value_list_push(out, value_ref(item))) {
      value_unref(out);
      return builtins_oom(c);
    }
  }
  return out ? out : builtins_oom(c);
}

/* map(list, fn): fn applied to every element. */
rbk_value *builtins_map(const bi_call *c) {
  const rbk_value *list = list_arg(c, 0);
  if (!list) return NULL;
  rbk_value *out = value_list(list->u.list.len);
  for (size_t i = 0; out && i < list->u.list.len; i++) {
    rbk_value *r = builtins_apply(c, 1, list->u.list.items[i]);
    if (!r) {
      value_unref(out);
      return NULL;
    }
    if (!value_list_push(out, r)) {
      value_unref(out);
      return builtins_oom(c);
    }
  }
  return out ? out : builtins_oom(c);
}

/* Returns keys(obj) when want_keys, else values(obj). */
static rbk_value *members(const bi_call *c, bool want_keys) {
  const rbk_value *obj = builtins_arg(c, 0);
  if (obj->kind != VAL_OBJECT) return builtins_want(c, 0, "an object");
  rbk_value *out = value_list(obj->u.obj.len);
  for (size_t i = 0; out && i < obj->u.obj.len; i++) {
    rbk_value *v = want_keys ? value_cstring(obj->u.obj.keys[i]) : value_ref(obj->u.obj.vals[i]);
    if (!value_list_push(out, v)) {
      value_unref(out);
      return builtins_oom(c);
    }
  }
  return out ? out : builtins_oom(c);
}

/* keys(object): the keys in insertion order. */
rbk_value *builtins_keys(const bi_call *c) { return members(c, true); }

/* values(object): the values in insertion order. */
rbk_value *builtins_values(const bi_call *c) { return members(c, false); }

/* Returns the deep merge of two objects: a's keys in order, then b's new ones; where both hold
 * objects they merge, anywhere else b's value wins. NULL when out of memory. */
static rbk_value *merge_objects(const rbk_value *a, const rbk_value *b) {
  rbk_value *out = value_object(a->u.obj.len + b->u.obj.len);
  for (size_t i = 0; out && i < a->u.obj.len; i++)
    if (!value_object_set(out, a->u.obj.keys[i], value_ref(a->u.obj.vals[i]))) {
      value_unref(out);
      return NULL;
    }
  for (size_t i = 0; out && i < b->u.obj.len; i++) {
    rbk_value *mine = value_object_get(out, b->u.obj.keys[i]), *theirs = b->u.obj.vals[i];
    bool deep = mine && mine->kind == VAL_OBJECT && theirs->kind == VAL_OBJECT;
    rbk_value *v = deep ? merge_objects(mine, theirs) : value_ref(theirs);
    if (!value_object_set(out, b->u.obj.keys[i], v)) {
      value_unref(out);
      return NULL;
    }
  }
  return out;
}

/* merge(a, b): deep merge of two objects; b wins. */
rbk_value *builtins_merge(const bi_call *c) {
  if (!builtins_is(c, 0, VAL_OBJECT)) return builtins_want(c, 0, "an object");
  if (!builtins_is(c, 1, VAL_OBJECT)) return builtins_want(c, 1, "an object");
  rbk_value *out = merge_objects(builtins_arg(c, 0), builtins_arg(c, 1));
  return out ? out : builtins_oom(c);
}

/* Returns true when the byte string needle occurs in hay. */
static bool has_bytes(const char *hay, size_t h, const char *needle, size_t n) {
  if (n == 0) return true;
  for (size_t i = 0; n <= h && i <= h - n; i++)
    if (memcmp(hay + i, needle, n) == 0) return true;
  return false;
}

/* contains(haystack, needle): list membership, object key, or substring. */
rbk_value *builtins_contains(const bi_call *c) {
  const rbk_value *hay = builtins_arg(c, 0), *needle = builtins_arg(c, 1);
  if (hay->kind == VAL_LIST) {
    for (size_t i = 0; i < hay->u.list.len; i++)
      if (value_equal(hay->u.list.items[i], needle)) return value_bool(true);
    return value_bool(false);
  }
  if (hay->kind != VAL_OBJECT && hay->kind != VAL_STRING) return builtins_want(c, 0, "a list, object or string");
  if (needle->kind != VAL_STRING) return builtins_want(c, 1, "a string");
  if (hay->kind == VAL_OBJECT) return value_bool(value_object_get(hay, needle->u.str.s) != NULL);
  return value_bool(has_bytes(hay->u.str.s, hay->u.str.len, needle->u.str.s, needle->u.str.len));
}
