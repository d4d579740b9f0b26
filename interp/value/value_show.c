/* value_show.c — values as text for people (value_show), as rbk source (value_repr), and as JSON. */
#include "value.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "realfmt.h"
#include "valbuf.h"
#include "valtime.h"

/* Returns "1h30m"-style text for a duration in milliseconds ("0s" for zero). */
char *value_format_duration(int64_t ms) {
  static const struct { const char *unit; uint64_t ms; } units[] = {
      {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
  valbuf b = {0};
  uint64_t left = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
  if (ms < 0) valbuf_puts(&b, "-");
  if (left == 0) valbuf_puts(&b, "0s");
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    uint64_t n = left / units[i].ms;
    left %= units[i].ms;
    if (n) valbuf_printf(&b, "%" PRIu64 "%s", n, units[i].unit);
  }
  return valbuf_take(&b, NULL);
}

/* Returns the largest precision that the reals inside j need to print round-trip. */
static int json_precision(const json_t *j) {
  int p = 1;
  size_t i;
  const char *key;
  json_t *item;
  if (json_is_real(j)) return realfmt_json_precision(json_real_value(j));
  if (json_is_array(j)) json_array_foreach(j, i, item) {
      int q = json_precision(item);
      p = q > p ? q : p;
    }
  if (json_is_object(j)) json_object_foreach((json_t *)j, key, item) {
      int q = json_precision(item);
      p = q > p ? q : p;
    }
  return p;
}

/* Returns j as compact JSON text in insertion order, reals as short as round-trip allows. */
static char *dump_compact(const json_t *j) {
  size_t flags = JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(json_precision(j));
  return json_dumps(j, flags);
}

/* Returns a new copy of s, or NULL when out of memory. */
static char *copy(const char *s) { return strdup(s); }

/* Returns the description of a lambda or handle. */
static char *describe(const rbk_value *v) {
  if (v->kind == VAL_LAMBDA) return copy("<lambda>");
  const val_handle_ops *ops = v->u.handle.ops;
  if (ops && ops->describe) return ops->describe(v->u.handle.data);
  char buf[64];
  snprintf(buf, sizeof buf, "<%s>", ops && ops->kind ? ops->kind : "handle");
  return copy(buf);
}

/* Returns the text of a scalar number, time or duration. */
static char *show_scalar(const rbk_value *v) {
  char buf[REALFMT_SIZE > VALTIME_SIZE ? REALFMT_SIZE : VALTIME_SIZE];
  switch (v->kind) {
  case VAL_INT: snprintf(buf, sizeof buf, "%" PRId64, v->u.i); break;
  case VAL_FLOAT: realfmt_shortest(v->u.f, buf); break;
  case VAL_TIME: valtime_format(v->u.i, buf); break;
  default: return value_format_duration(v->u.i);
  }
  return copy(buf);
}

/* Returns how a value is shown to people (caller frees). */
char *value_show(const rbk_value *v) {
  switch (v->kind) {
  case VAL_NULL: return copy("null");
  case VAL_BOOL: return copy(v->u.b ? "true" : "false");
  case VAL_INT:
  case VAL_FLOAT:
  case VAL_DURATION:
  case VAL_TIME: return show_scalar(v);
  case VAL_STRING: return copy(v->u.str.s);
  case VAL_SECRET: return value_secret_masked(v);
  case VAL_LAMBDA:
  case VAL_HANDLE: return describe(v);
  case VAL_LIST:
  case VAL_OBJECT: break;
  }
  json_t *j = value_to_json(v, false);
  char *s = j ? dump_compact(j) : NULL;
  json_decref(j);
  return s;
}

/* Appends s (len bytes) as an rbk string literal: quoted, with the lexer's escapes. */
static void repr_string(valbuf *b, const char *s, size_t len) {
  valbuf_puts(b, "\"");
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = c == '\\' ? "\\\\" : c == '"' ? "\\\"" : c == '\n' ? "\\n" : c == '\t' ? "\\t"
                    : c == '\r' ? "\\r" : c == '$' && i + 1 < len && s[i + 1] == '{' ? "\\$" : NULL;
    if (esc) valbuf_puts(b, esc);
    else if (c < 0x20 || c == 0x7F) valbuf_printf(b, "\\u{%x}", c);
    else valbuf_put(b, (const char *)&c, 1);
  }
  valbuf_puts(b, "\"");
}

/* Returns true when s can be written as a bare object key ([A-Za-z_][A-Za-z0-9_]*). */
static bool is_ident(const char *s) {
  for (size_t i = 0; s[i]; i++) {
    char c = s[i];
    bool alpha = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return s[0] != '\0';
}

static void repr_into(valbuf *b, const rbk_value *v);

/* Appends a list as [a, b]. */
static void repr_list(valbuf *b, const rbk_value *v) {
  valbuf_puts(b, "[");
  for (size_t i = 0; i < v->u.list.len; i++) {
    if (i) valbuf_puts(b, ", ");
    repr_into(b, v->u.list.items[i]);
  }
  valbuf_puts(b, "]");
}

/* Appends an object as {key: value, "other key": value}. */
static void repr_object(valbuf *b, const rbk_value *v) {
  valbuf_puts(b, "{");
  for (size_t i = 0; i < v->u.obj.len; i++) {
    if (i) valbuf_puts(b, ", ");
    const char *k = v->u.obj.keys[i];
    if (is_ident(k)) valbuf_puts(b, k);
    else repr_string(b, k, strlen(k));
    valbuf_puts(b, ": ");
    repr_into(b, v->u.obj.vals[i]);
  }
  valbuf_puts(b, "}");
}

/* Appends v as rbk source text. */
static void repr_into(valbuf *b, const rbk_value *v) {
  char *text = NULL;
  switch (v->kind) {
  case VAL_STRING: repr_string(b, v->u.str.s, v->u.str.len); return;
  case VAL_LIST: repr_list(b, v); return;
  case VAL_OBJECT: repr_object(b, v); return;
  case VAL_SECRET: /* "***"; a mixed secret quoted like the string it shows as */
    text = value_secret_masked(v);
    if (text && v->u.secret.spans) repr_string(b, text, strlen(text));
    else if (text) valbuf_puts(b, text);
    break;
  case VAL_TIME:
    text = value_show(v);
    valbuf_printf(b, "parse_time(\"%s\")", text ? text : "");
    break;
  case VAL_NULL:
  case VAL_BOOL:
  case VAL_INT:
  case VAL_FLOAT:
  case VAL_DURATION:
  case VAL_LAMBDA:
  case VAL_HANDLE:
    text = value_show(v);
    valbuf_puts(b, text ? text : "");
    break;
  }
  if (!text) b->oom = true;
  free(text);
}

/* Returns the value as rbk source text (caller frees). */
char *value_repr(const rbk_value *v) {
  valbuf b = {0};
  repr_into(&b, v);
  return valbuf_take(&b, NULL);
}

/* Returns a JSON string holding text (taken). */
static json_t *json_text(char *text) {
  json_t *j = text ? json_string(text) : NULL;
  free(text);
  return j;
}

/* Returns a JSON string of s (len bytes); bytes that are not UTF-8 (a process's binary output)
 * become U+FFFD, since JSON text must be Unicode. */
static json_t *json_text_bytes(const char *s, size_t len) {
  json_t *j = json_stringn(s, len);
  if (j) return j;
  valbuf b = {0};
  valbuf_put_utf8(&b, s, len);
  size_t n = 0;
  char *clean = valbuf_take(&b, &n);
  j = clean ? json_stringn(clean, n) : NULL;
  free(clean);
  return j;
}

/* Returns the JSON array of a list's elements. */
static json_t *list_to_json(const rbk_value *v, bool reveal) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < v->u.list.len; i++) {
    if (json_array_append_new(a, value_to_json(v->u.list.items[i], reveal)) != 0) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

/* Returns the JSON object of an object's members, in order. */
static json_t *object_to_json(const rbk_value *v, bool reveal) {
  json_t *o = json_object();
  for (size_t i = 0; o && i < v->u.obj.len; i++) {
    if (json_object_set_new(o, v->u.obj.keys[i], value_to_json(v->u.obj.vals[i], reveal)) != 0) {
      json_decref(o);
      return NULL;
    }
  }
  return o;
}

/* Returns the JSON form of v (new reference; NULL when out of memory). */
json_t *value_to_json(const rbk_value *v, bool reveal) {
  switch (v->kind) {
  case VAL_NULL: return json_null();
  case VAL_BOOL: return json_boolean(v->u.b);
  case VAL_INT: return json_integer(v->u.i);
  case VAL_FLOAT: return isfinite(v->u.f) ? json_real(v->u.f) : json_null();
  case VAL_STRING: return json_text_bytes(v->u.str.s, v->u.str.len);
  case VAL_DURATION:
  case VAL_TIME:
  case VAL_LAMBDA:
  case VAL_HANDLE: return json_text(value_show(v));
  case VAL_LIST: return list_to_json(v, reveal);
  case VAL_OBJECT: return object_to_json(v, reveal);
  case VAL_SECRET: return reveal ? json_string(v->u.secret.plain) : json_text(value_secret_masked(v));
  }
  return NULL;
}

/* Returns the list of a JSON array's elements. */
static rbk_value *list_from_json(const json_t *j) {
  rbk_value *list = value_list(json_array_size(j));
  size_t i;
  json_t *item;
  json_array_foreach(j, i, item) {
    if (!list || !value_list_push(list, value_from_json(item))) {
      value_unref(list);
      return NULL;
    }
  }
  return list;
}

/* Returns the object of a JSON object's members, in order. */
static rbk_value *object_from_json(const json_t *j) {
  rbk_value *obj = value_object(json_object_size(j));
  const char *key;
  json_t *item;
  json_object_foreach((json_t *)j, key, item) {
    if (!obj || !value_object_set(obj, key, value_from_json(item))) {
      value_unref(obj);
      return NULL;
    }
  }
  return obj;
}

/* Returns the value of a JSON value (NULL when out of memory). */
rbk_value *value_from_json(const json_t *j) {
  switch (json_typeof(j)) {
  case JSON_OBJECT: return object_from_json(j);
  case JSON_ARRAY: return list_from_json(j);
  case JSON_STRING: return value_string(json_string_value(j), json_string_length(j));
  case JSON_INTEGER: return value_int(json_integer_value(j));
  case JSON_REAL: return value_float(json_real_value(j));
  case JSON_TRUE: return value_bool(true);
  case JSON_FALSE: return value_bool(false);
  case JSON_NULL: return value_null();
  }
  return NULL;
}
