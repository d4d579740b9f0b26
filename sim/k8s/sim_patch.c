/* sim_patch.c — merge patch, JSON patch and strategic merge patch. */
#include "sim_patch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim_util.h"

/* Returns the patch type for a Content-Type header (parameters ignored), or SIMP_NONE. */
simp_type sim_patch_type_of(const char *ct) {
  if (!ct) return SIMP_NONE;
  size_t n = strcspn(ct, "; ");
#define X(e, s)                                            \
  if (strlen(s) == n && !strncasecmp(ct, s, n)) return SIMP_##e;
  SIMP_TYPES(X)
#undef X
  return SIMP_NONE;
}

/* RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces. */
json_t *sim_patch_merge(const json_t *target, const json_t *patch) {
  if (!json_is_object(patch)) return json_deep_copy(patch);
  json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)patch, k, v) {
    if (json_is_null(v)) json_object_del(out, k);
    else json_object_set_new(out, k, sim_patch_merge(json_object_get(out, k), v));
  }
  return out;
}

/* ---- RFC 6902 ---- */

/* Decodes one JSON-pointer token (~1 → /, ~0 → ~) of length n; returns a new string. */
static char *ptr_token(const char *s, size_t n) {
  char *out = malloc(n + 1);
  size_t j = 0;
  for (size_t i = 0; out && i < n; i++) {
    if (s[i] == '~' && i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '1')) out[j++] = s[++i] == '0' ? '~' : '/';
    else out[j++] = s[i];
  }
  if (out) out[j] = 0;
  return out;
}

/* Parses an array index token; "-" gives len when allow_end. Returns -1 when invalid. */
static long array_index(const char *tok, size_t len, bool allow_end) {
  if (allow_end && !strcmp(tok, "-")) return (long)len;
  if (!*tok || (tok[0] == '0' && tok[1])) return -1;
  char *end;
  long i = strtol(tok, &end, 10);
  if (*end || i < 0 || (size_t)i > len || (!allow_end && (size_t)i == len)) return -1;
  return i;
}

/* Finds the container holding the pointer's last token: returns it (borrowed) and the last token
 * in *last (caller frees), or NULL when a parent is missing. */
static json_t *ptr_parent(json_t *doc, const char *ptr, char **last) {
  json_t *cur = doc;
  const char *p = ptr + 1;
  for (;;) {
    const char *slash = strchr(p, '/');
    char *tok = ptr_token(p, slash ? (size_t)(slash - p) : strlen(p));
    if (!slash) return *last = tok, cur;
    json_t *next = NULL;
    if (json_is_object(cur)) next = json_object_get(cur, tok);
    else if (json_is_array(cur)) {
      long i = array_index(tok, json_array_size(cur), false);
      next = i >= 0 ? json_array_get(cur, (size_t)i) : NULL;
    }
    free(tok);
    if (!next) return NULL;
    cur = next;
    p = slash + 1;
  }
}

/* Returns the value at ptr (borrowed) or NULL. */
static json_t *ptr_get(json_t *doc, const char *ptr) {
  if (!*ptr) return doc;
  char *last = NULL;
  json_t *parent = ptr_parent(doc, ptr, &last), *v = NULL;
  if (json_is_object(parent)) v = json_object_get(parent, last);
  else if (json_is_array(parent)) {
    long i = array_index(last, json_array_size(parent), false);
    v = i >= 0 ? json_array_get(parent, (size_t)i) : NULL;
  }
  free(last);
  return v;
}

/* Applies add/replace/remove at ptr within *doc (takes value; value NULL = remove). */
static bool ptr_write(json_t **doc, const char *ptr, json_t *value, bool replace) {
  if (!*ptr) {
    if (!value) return false;
    json_decref(*doc);
    *doc = value;
    return true;
  }
  if (*ptr != '/') return json_decref(value), false;
  char *last = NULL;
  json_t *parent = ptr_parent(*doc, ptr, &last);
  bool ok = false;
  if (json_is_object(parent)) {
    bool exists = json_object_get(parent, last) != NULL;
    if (!value) ok = exists && !json_object_del(parent, last);
    else if (!replace || exists) ok = !json_object_set_new(parent, last, value), value = NULL;
  } else if (json_is_array(parent)) {
    size_t n = json_array_size(parent);
    long i = array_index(last, n, !replace && value);
    if (i >= 0 && !value) ok = !json_array_remove(parent, (size_t)i);
    else if (i >= 0 && replace) ok = !json_array_set_new(parent, (size_t)i, value), value = NULL;
    else if (i >= 0) ok = !json_array_insert_new(parent, (size_t)i, value), value = NULL;
  }
  free(last);
  json_decref(value);
  return ok;
}

/* Applies one operation to *doc; returns false with *err set on failure. */
static bool apply_op(json_t **doc, const json_t *op, char **err) {
  const char *name = sim_util_jstr(op, "op", ""), *path = sim_util_jstr(op, "path", NULL);
  const char *from = sim_util_jstr(op, "from", NULL);
  json_t *value = json_object_get(op, "value");
  if (!path) return *err = strdup("missing path in JSON patch operation"), false;
  bool ok = false;
  if (!strcmp(name, "add") && value) ok = ptr_write(doc, path, json_deep_copy(value), false);
  else if (!strcmp(name, "replace") && value) ok = ptr_write(doc, path, json_deep_copy(value), true);
  else if (!strcmp(name, "remove")) ok = ptr_write(doc, path, NULL, false);
  else if (!strcmp(name, "test") && value) {
    ok = json_equal(ptr_get(*doc, path), value);
    if (!ok) return *err = strutil_printf("testing value %s failed: test failed", path), false;
  } else if ((!strcmp(name, "move") || !strcmp(name, "copy")) && from) {
    json_t *v = ptr_get(*doc, from);
    bool move = name[0] == 'm';
    size_t fl = strlen(from);
    if (v && move && !strncmp(path, from, fl) && path[fl] == '/') v = NULL;
    if (v) {
      v = json_deep_copy(v);
      if (move && !ptr_write(doc, from, NULL, false)) json_decref(v);
      else ok = ptr_write(doc, path, v, false);
    }
  } else {
    return *err = strutil_printf("unexpected JSON patch operation \"%s\"", name), false;
  }
  if (!ok) *err = strutil_printf("%s operation does not apply: doc is missing path: \"%s\"", name, path);
  return ok;
}

/* RFC 6902 JSON patch (add, remove, replace, move, copy, test) applied in order, atomically. */
json_t *sim_patch_json(const json_t *target, const json_t *ops, char **err) {
  if (!json_is_array(ops)) return *err = strdup("a JSON patch must be an array of operations"), NULL;
  json_t *doc = json_deep_copy(target);
  size_t i;
  json_t *op;
  json_array_foreach(ops, i, op) {
    if (!json_is_object(op) || !apply_op(&doc, op, err)) {
      if (!json_is_object(op)) *err = strdup("a JSON patch operation must be an object");
      json_decref(doc);
      return NULL;
    }
  }
  return doc;
}
