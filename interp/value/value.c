/* value.c — constructing, sharing, comparing and releasing run-time values (see value.h). */
#include "value.h"

#include "grow.h"
#include "scrub.h"

#include <stdlib.h>
#include <string.h>

/* Returns the kind's user-facing name ("string", …). */
const char *value_kind_name(val_kind kind) {
  switch (kind) {
#define X(k, name) \
  case VAL_##k: return name;
    RBK_VALUE_KINDS(X)
#undef X
  }
  return "value";
}

/* Returns the kind's name with its article ("an int", "a string", "null"). */
const char *value_kind_article(val_kind kind) {
  switch (kind) {
    case VAL_NULL: return "null";
    case VAL_INT: return "an int";
    case VAL_OBJECT: return "an object";
    case VAL_BOOL: return "a bool";
    case VAL_FLOAT: return "a float";
    case VAL_STRING: return "a string";
    case VAL_DURATION: return "a duration";
    case VAL_TIME: return "a time";
    case VAL_LIST: return "a list";
    case VAL_SECRET: return "a secret";
    case VAL_LAMBDA: return "a lambda";
    case VAL_HANDLE: return "a handle";
  }
  return "a value";
}

/* Returns a new value of `kind` with one reference, or NULL when out of memory. */
static rbk_value *val_new(val_kind kind) {
  rbk_value *v = calloc(1, sizeof *v);
  if (!v) return NULL;
  v->kind = kind;
  v->refs = 1;
  return v;
}

/* Returns a new null. */
rbk_value *value_null(void) { return val_new(VAL_NULL); }

/* Returns a new bool. */
rbk_value *value_bool(bool b) {
  rbk_value *v = val_new(VAL_BOOL);
  if (v) v->u.b = b;
  return v;
}

/* Returns a new value of an int-carrying kind (INT, DURATION, TIME). */
static rbk_value *val_i64(val_kind kind, int64_t i) {
  rbk_value *v = val_new(kind);
  if (v) v->u.i = i;
  return v;
}

/* Returns a new int. */
rbk_value *value_int(int64_t i) { return val_i64(VAL_INT, i); }
/* Returns a new duration of ms milliseconds. */
rbk_value *value_duration(int64_t ms) { return val_i64(VAL_DURATION, ms); }
/* Returns a new time, ms since the Unix epoch. */
rbk_value *value_time(int64_t epoch_ms) { return val_i64(VAL_TIME, epoch_ms); }

/* Returns a new float. */
rbk_value *value_float(double f) {
  rbk_value *v = val_new(VAL_FLOAT);
  if (v) v->u.f = f;
  return v;
}

/* Returns a new string that owns s (malloc'ed, len bytes plus a NUL); frees s on failure. */
rbk_value *value_string_take(char *s, size_t len) {
  rbk_value *v = s ? val_new(VAL_STRING) : NULL;
  if (!v) {
    free(s);
    return NULL;
  }
  v->u.str.s = s;
  v->u.str.len = len;
  return v;
}

/* Returns a new string holding a copy of s[0..len). */
rbk_value *value_string(const char *s, size_t len) {
  char *copy = malloc(len + 1);
  if (!copy) return NULL;
  if (len) memcpy(copy, s, len);
  copy[len] = '\0';
  return value_string_take(copy, len);
}

/* Returns a new string holding a copy of the NUL-terminated s. */
rbk_value *value_cstring(const char *s) { return value_string(s, strlen(s)); }

/* Returns a new empty list with room for cap items. */
rbk_value *value_list(size_t cap) {
  rbk_value *v = val_new(VAL_LIST);
  if (!v || cap == 0) return v;
  v->u.list.items = malloc(cap * sizeof *v->u.list.items);
  if (!v->u.list.items) {
    free(v);
    return NULL;
  }
  v->u.list.cap = cap;
  return v;
}

/* Returns a new empty object with room for cap members. */
rbk_value *value_object(size_t cap) {
  rbk_value *v = val_new(VAL_OBJECT);
  if (!v || cap == 0) return v;
  v->u.obj.keys = malloc(cap * sizeof *v->u.obj.keys);
  v->u.obj.vals = malloc(cap * sizeof *v->u.obj.vals);
  if (!v->u.obj.keys || !v->u.obj.vals) {
    free(v->u.obj.keys);
    free(v->u.obj.vals);
    free(v);
    return NULL;
  }
  v->u.obj.cap = cap;
  return v;
}

/* Returns a new secret holding copies of name and plain, whose text is registered with the
 * scrubber (scrub.h) so that no output shows it. */
rbk_value *value_secret(const char *name, const char *plain) {
  rbk_value *v = val_new(VAL_SECRET);
  if (!v) return NULL;
  v->u.secret.name = strdup(name);
  v->u.secret.plain = strdup(plain);
  if (!v->u.secret.name || !v->u.secret.plain || !scrub_add(plain, strlen(plain))) {
    value_unref(v);
    return NULL;
  }
  return v;
}

/* Returns a new mixed secret named "<expr>" that takes plain (malloc'ed, NUL-terminated) and spans
 * (malloc'ed pairs, nspans of them, at least one); both are freed when out of memory. */
rbk_value *value_secret_mixed(char *plain, size_t *spans, size_t nspans) {
  rbk_value *v = val_new(VAL_SECRET);
  char *name = v ? strdup("<expr>") : NULL;
  if (!name) {
    free(v);
    if (plain) memset(plain, 0, strlen(plain));
    free(plain);
    free(spans);
    return NULL;
  }
  v->u.secret.name = name;
  v->u.secret.plain = plain;
  v->u.secret.spans = spans;
  v->u.secret.nspans = nspans;
  return v;
}

/* Returns a new lambda that owns code and env (released through free_fn). */
rbk_value *value_lambda(void *code, void *env, void (*free_fn)(void *code, void *env)) {
  rbk_value *v = val_new(VAL_LAMBDA);
  if (!v) {
    if (free_fn) free_fn(code, env);
    return NULL;
  }
  v->u.lambda.code = code;
  v->u.lambda.env = env;
  v->u.lambda.free = free_fn;
  return v;
}

/* Returns a new handle that owns data (released through ops->free). */
rbk_value *value_handle(const val_handle_ops *ops, void *data) {
  rbk_value *v = val_new(VAL_HANDLE);
  if (!v) {
    if (ops && ops->free) ops->free(data);
    return NULL;
  }
  v->u.handle.ops = ops;
  v->u.handle.data = data;
  return v;
}

/* Returns v with one more reference. */
rbk_value *value_ref(rbk_value *v) {
  if (v) v->refs++;
  return v;
}

/* Releases what a value owns (not the value itself). */
static void val_release(rbk_value *v) {
  switch (v->kind) {
  case VAL_STRING: free(v->u.str.s); break;
  case VAL_LIST:
    for (size_t i = 0; i < v->u.list.len; i++) value_unref(v->u.list.items[i]);
    free(v->u.list.items);
    break;
  case VAL_OBJECT:
    for (size_t i = 0; i < v->u.obj.len; i++) {
      free(v->u.obj.keys[i]);
      value_unref(v->u.obj.vals[i]);
    }
    free(v->u.obj.keys);
    free(v->u.obj.vals);
    break;
  case VAL_SECRET:
    free(v->u.secret.name);
    if (v->u.secret.plain) memset(v->u.secret.plain, 0, strlen(v->u.secret.plain));
    free(v->u.secret.plain);
    free(v->u.secret.spans);
    break;
  case VAL_LAMBDA:
    if (v->u.lambda.free) v->u.lambda.free(v->u.lambda.code, v->u.lambda.env);
    break;
  case VAL_HANDLE:
    if (v->u.handle.ops && v->u.handle.ops->free) v->u.handle.ops->free(v->u.handle.data);
    break;
  case VAL_NULL:
  case VAL_BOOL:
  case VAL_INT:
  case VAL_FLOAT:
  case VAL_DURATION:
  case VAL_TIME: break;
  }
}

/* Drops one reference; frees the value at zero. */
void value_unref(rbk_value *v) {
  if (!v || --v->refs > 0) return;
  val_release(v);
  free(v);
}

/* Returns true after appending v (taken) to a list under construction. */
bool value_list_push(rbk_value *list, rbk_value *v) {
  if (!v) return false;
  if (!GROW(list->u.list.items, list->u.list.cap, list->u.list.len + 1)) {
    value_unref(v);
    return false;
  }
  list->u.list.items[list->u.list.len++] = v;
  return true;
}

/* Returns the index of key in obj, or -1. */
static long object_index(const rbk_value *obj, const char *key) {
  for (size_t i = 0; i < obj->u.obj.len; i++)
    if (strcmp(obj->u.obj.keys[i], key) == 0) return (long)i;
  return -1;
}

/* Returns true after growing obj to hold one more member. */
static bool object_grow(rbk_value *obj) {
  size_t need = obj->u.obj.len + 1, kcap = obj->u.obj.cap, vcap = obj->u.obj.cap; /* parallel arrays */
  if (!GROW(obj->u.obj.keys, kcap, need) || !GROW(obj->u.obj.vals, vcap, need)) return false;
  obj->u.obj.cap = kcap; /* == vcap: both grew the same way from the same capacity */
  return true;
}

/* Returns true after setting key to v (taken) in an object under construction. */
bool value_object_set(rbk_value *obj, const char *key, rbk_value *v) {
  if (!v) return false;
  long at = object_index(obj, key);
  if (at >= 0) {
    value_unref(obj->u.obj.vals[at]);
    obj->u.obj.vals[at] = v;
    return true;
  }
  char *copy = strdup(key);
  if (!copy || !object_grow(obj)) {
    free(copy);
    value_unref(v);
    return false;
  }
  obj->u.obj.keys[obj->u.obj.len] = copy;
  obj->u.obj.vals[obj->u.obj.len++] = v;
  return true;
}

/* Returns the value at key (borrowed), or NULL. */
rbk_value *value_object_get(const rbk_value *obj, const char *key) {
  if (!obj || obj->kind != VAL_OBJECT) return NULL;
  long at = object_index(obj, key);
  return at >= 0 ? obj->u.obj.vals[at] : NULL;
}

/* Returns the truth of a bool (false for every other kind). */
bool value_is_true(const rbk_value *v) { return v && v->kind == VAL_BOOL && v->u.b; }

/* Returns true when v contains a secret anywhere. */
bool value_contains_secret(const rbk_value *v) {
  if (!v) return false;
  if (v->kind == VAL_SECRET) return true;
  if (v->kind == VAL_LIST)
    for (size_t i = 0; i < v->u.list.len; i++)
      if (value_contains_secret(v->u.list.items[i])) return true;
  if (v->kind == VAL_OBJECT)
    for (size_t i = 0; i < v->u.obj.len; i++)
      if (value_contains_secret(v->u.obj.vals[i])) return true;
  return false;
}
