/* live_diff.c — the changed fields of a dry-run write (see live_diff.h): both objects are
 * flattened to (path, value) leaves, sorted by path, then merged. */
#include "live_diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "grow.h"

/* One leaf: its path, value (compact JSON text) and whether it is shown masked. */
typedef struct {
  char *path, *value;
  bool masked;
} leaf;

typedef struct {
  leaf *items;
  size_t n, cap;
  bool secret;   /* the object is a Secret: data values are masked */
} leaves;

/* Returns true for the paths the server maintains (left out of the diff). */
static bool ignored(const char *path) {
  static const char *const skip[] = {"metadata.resourceVersion", "metadata.generation", "metadata.uid",
                                     "metadata.creationTimestamp", "metadata.managedFields", "status"};
  for (size_t i = 0; i < sizeof skip / sizeof *skip; i++) {
    size_t n = strlen(skip[i]);
    if (!strncmp(path, skip[i], n) && (path[n] == '\0' || path[n] == '.' || path[n] == '[')) return true;
  }
  return false;
}

/* Returns the value's text (caller frees). */
static char *leaf_text(const json_t *v) {
  if (json_is_string(v)) return strdup(json_string_value(v));
  return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Adds the leaves of v at path to out; returns false when out of memory. */
static bool flatten(const json_t *v, const char *path, leaves *out) {
  if (ignored(path)) return true;
  char sub[1024];
  if (json_is_object(v) && json_object_size(v)) {
    const char *k;
    const json_t *x;
    json_object_foreach((json_t *)v, k, x) {
      snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
      if (!flatten(x, sub, out)) return false;
    }
    return true;
  }
  if (json_is_array(v) && json_array_size(v)) {
    for (size_t i = 0; i < json_array_size(v); i++) {
      snprintf(sub, sizeof sub, "%s[%zu]", path, i);
      if (!flatten(json_array_get(v, i), sub, out)) return false;
    }
    return true;
  }
  bool masked = out->secret && (!strncmp(path, "data.", 5) || !strncmp(path, "stringData.", 11));
  if (!GROW(out->items, out->cap, out->n + 1)) return false;
  leaf l = {strdup(path), leaf_text(v), masked};
  if (!l.path || !l.value) return free(l.path), free(l.value), false;
  out->items[out->n++] = l;
  return true;
}

/* Orders leaves by path. */
static int by_path(const void *a, const void *b) { return strcmp(((const leaf *)a)->path, ((const leaf *)b)->path); }

/* Parses text into sorted leaves; returns false when it is not a JSON object. */
static bool load(const char *text, leaves *out) {
  if (!text) return true;
  json_t *j = json_loads(text, 0, NULL);
  if (!json_is_object(j)) return json_decref(j), false;
  const char *kind = json_string_value(json_object_get(j, "kind"));
  out->secret = out->secret || (kind && !strcmp(kind, "Secret"));
  bool ok = flatten(j, "", out);
  json_decref(j);
  if (ok && out->n) qsort(out->items, out->n, sizeof *out->items, by_path);
  return ok;
}

/* Frees the leaves. */
static void unload(leaves *l) {
  for (size_t i = 0; i < l->n; i++) free(l->items[i].path), free(l->items[i].value);
  free(l->items);
}

/* Returns the text a leaf is shown with: *** for a Secret's data. */
static const char *shown(const leaf *l) { return l->masked ? "***" : l->value; }

/* Emits one diff line unless max lines were emitted already; counts it. */
static void emit(size_t *count, size_t max, const char *path, const char *was, const char *now,
                 void (*line)(void *, const char *), void *user) {
  if ((*count)++ >= max) return;
  char buf[400];
  if (!was) snprintf(buf, sizeof buf, "+ %s: %.80s", path, now ? now : "");
  else if (!now) snprintf(buf, sizeof buf, "- %s: %.80s", path, was);
  else snprintf(buf, sizeof buf, "~ %s: %.80s → %.80s", path, was, now);
  line(user, buf);
}

/* Returns the changed fields' count after emitting their lines (see live_diff.h). */
long live_diff_fields(const char *before, const char *after, size_t max, void (*line)(void *user, const char *text), void *user) {
  leaves a = {0}, b = {0};
  bool ok = load(before, &a);
  b.secret = a.secret;
  if (!ok || !load(after, &b)) return unload(&a), unload(&b), -1;
  size_t i = 0, j = 0, count = 0;
  while (i < a.n || j < b.n) {
    int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.items[i].path, b.items[j].path);
    if (c < 0) emit(&count, max, a.items[i].path, shown(&a.items[i]), NULL, line, user), i++;
    else if (c > 0) emit(&count, max, b.items[j].path, NULL, shown(&b.items[j]), line, user), j++;
    else {
      if (strcmp(a.items[i].value, b.items[j].value))
        emit(&count, max, a.items[i].path, shown(&a.items[i]), shown(&b.items[j]), line, user);
      i++, j++;
    }
  }
  if (count > max) {
    char buf[64];
    snprintf(buf, sizeof buf, "… %zu more", count - max);
    line(user, buf);
  }
  unload(&a), unload(&b);
  return (long)count;
}
