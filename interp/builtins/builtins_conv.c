/* builtins_conv.c — int, float, json, yaml, to_json, to_yaml: conversions between kinds and texts. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "builtins_impl.h"
#include "realfmt.h"
#include "yamljson.h"

/* Returns true when s (len bytes) is ASCII white space around a run of characters from `allowed`
 * with no white space inside; *from and *to get the run's bounds. */
static bool numeric_text(const char *s, size_t len, const char *allowed, size_t *from, size_t *to) {
  size_t a = 0, b = len;
  while (a < b && strchr(" \t\n\r", s[a])) a++;
  while (b > a && strchr(" \t\n\r", s[b - 1])) b--;
  for (size_t i = a; i < b; i++)
    if (!s[i] || !strchr(allowed, s[i])) return false;
  *from = a;
  *to = b;
  return b > a;
}

/* Returns the int that a decimal string denotes, or an error quoting it. */
static rbk_value *int_from_string(const bi_call *c, const rbk_value *x) {
  size_t a, b;
  char *end = NULL;
  if (numeric_text(x->u.str.s, x->u.str.len, "+-0123456789", &a, &b)) {
    errno = 0;
    long long v = strtoll(x->u.str.s + a, &end, 10);
    if (end == x->u.str.s + b && errno == ERANGE) return builtins_fail(c, "\"%s\" is out of range", x->u.str.s);
    if (end == x->u.str.s + b) return value_int(v);
  }
  return builtins_fail(c, "cannot parse \"%s\" as an integer", x->u.str.s);
}

/* int(x): ints as they are, floats truncated toward zero, decimal strings, durations in ms. */
rbk_value *builtins_int(const bi_call *c) {
  const rbk_value *x = builtins_arg(c, 0);
  switch (x->kind) {
  case VAL_INT: return value_ref((rbk_value *)x);
  case VAL_DURATION: return value_int(x->u.i);
  case VAL_STRING: return int_from_string(c, x);
  case VAL_FLOAT:
    if (x->u.f >= -9223372036854775808.0 && x->u.f < 9223372036854775808.0) return value_int((int64_t)x->u.f);
    return builtins_fail(c, "%g is out of range", x->u.f);
  default: return builtins_want(c, 0, "a number, a numeric string or a duration");
  }
}

/* Returns the float that a decimal string denotes, or an error quoting it. */
static rbk_value *float_from_string(const bi_call *c, const rbk_value *x) {
  size_t a, b;
  char *end = NULL;
  if (numeric_text(x->u.str.s, x->u.str.len, "+-0123456789.eE", &a, &b)) {
    double d = strtod(x->u.str.s + a, &end);
    if (end == x->u.str.s + b && !isfinite(d)) return builtins_fail(c, "\"%s\" is out of range", x->u.str.s);
    if (end == x->u.str.s + b) return value_float(d);
  }
  return builtins_fail(c, "cannot parse \"%s\" as a float", x->u.str.s);
}

/* float(x): numbers, decimal strings (1.5, 2e3), durations in ms. */
rbk_value *builtins_float(const bi_call *c) {
  const rbk_value *x = builtins_arg(c, 0);
  switch (x->kind) {
  case VAL_FLOAT: return value_ref((rbk_value *)x);
  case VAL_INT:
  case VAL_DURATION: return value_float((double)x->u.i);
  case VAL_STRING: return float_from_string(c, x);
  default: return builtins_want(c, 0, "a number, a numeric string or a duration");
  }
}

/* Returns the value of a parsed document (taken), or an out-of-memory error. */
static rbk_value *from_doc(const bi_call *c, json_t *doc) {
  rbk_value *v = value_from_json(doc);
  json_decref(doc);
  return v ? v : builtins_oom(c);
}

/* json(text): the value a JSON text denotes (any JSON value, not only objects). */
rbk_value *builtins_json(const bi_call *c) {
  if (!builtins_is(c, 0, VAL_STRING)) return builtins_want(c, 0, "a string");
  const rbk_value *t = builtins_arg(c, 0);
  json_error_t e;
  json_t *doc = json_loadb(t->u.str.s, t->u.str.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
  if (!doc) return builtins_fail(c, "invalid JSON at line %d column %d: %s", e.line, e.column, e.text);
  return from_doc(c, doc);
}

/* yaml(text): the value of a single YAML document (null for empty text). */
rbk_value *builtins_yaml(const bi_call *c) {
  if (!builtins_is(c, 0, VAL_STRING)) return builtins_want(c, 0, "a string");
  const rbk_value *t = builtins_arg(c, 0);
  char *e = NULL;
  json_t *doc = yamljson_parse(t->u.str.s, t->u.str.len, &e);
  if (!doc) {
    builtins_fail(c, "%s", e ? e : "out of memory");
    free(e);
    return NULL;
  }
  return from_doc(c, doc);
}

/* Returns the first lambda or handle inside v, or NULL when there is none. */
static const rbk_value *unserializable(const rbk_value *v) {
  if (v->kind == VAL_LAMBDA || v->kind == VAL_HANDLE) return v;
  size_t n = v->kind == VAL_LIST ? v->u.list.len : v->kind == VAL_OBJECT ? v->u.obj.len : 0;
  for (size_t i = 0; i < n; i++) {
    const rbk_value *bad = unserializable(v->kind == VAL_LIST ? v->u.list.items[i] : v->u.obj.vals[i]);
    if (bad) return bad;
  }
  return NULL;
}

/* Returns the largest precision that the reals inside j need to print round-trip. */
static int json_precision(const json_t *j) {
  int p = 1, q;
  size_t i;
  const char *key;
  json_t *item;
  if (json_is_real(j)) return realfmt_json_precision(json_real_value(j));
  if (json_is_array(j)) json_array_foreach(j, i, item) if ((q = json_precision(item)) > p) p = q;
  if (json_is_object(j)) json_object_foreach((json_t *)j, key, item) if ((q = json_precision(item)) > p) p = q;
  return p;
}

/* Returns x as compact JSON text (as_yaml false) or block YAML (true), or NULL with *why set. */
static char *serialize(const rbk_value *x, bool as_yaml, bool reveal, char **why) {
  json_t *j = value_to_json(x, reveal);
  char *text = NULL;
  if (j && as_yaml) text = yamljson_emit(j, why);
  else if (j) text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(json_precision(j)));
  json_decref(j);
  return text;
}

/* Returns to_json(x) or to_yaml(x): a string, or a secret "<expr>" when x holds a secret (the
 * text then holds the secret's plain text, revealed only to actions). */
static rbk_value *to_text(const bi_call *c, bool as_yaml) {
  const rbk_value *x = builtins_arg(c, 0), *bad = unserializable(x);
  if (bad) return builtins_fail(c, "cannot convert %s to %s", value_kind_article(bad->kind), as_yaml ? "YAML" : "JSON");
  bool secret = value_contains_secret(x);
  char *why = NULL, *text = serialize(x, as_yaml, secret, &why);
  if (!text) {
    builtins_fail(c, "%s", why ? why : "out of memory");
    free(why);
    return NULL;
  }
  rbk_value *v = secret ? value_secret("<expr>", text) : value_string(text, strlen(text));
  memset(text, 0, strlen(text));
  free(text);
  return v ? v : builtins_oom(c);
}

/* to_json(x): compact JSON, members in insertion order. */
rbk_value *builtins_to_json(const bi_call *c) { return to_text(c, false); }

/* to_yaml(x): one block-style YAML document. */
rbk_value *builtins_to_yaml(const bi_call *c) { return to_text(c, true); }
