/* sim_patch_smp.c — Kubernetes strategic merge patch. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim_patch.h"
#include "sim_util.h"

#define SET_ORDER "$setElementOrder/"
#define DELETE_PRIMITIVE "$deleteFromPrimitiveList/"

/* Lists merged element-wise, by field name: X("field", "merge key"). */
#define SMP_MERGE_KEYS(X)                                                                   \
  X("containers", "name") X("initContainers", "name") X("ephemeralContainers", "name")      \
  X("volumes", "name") X("env", "name") X("imagePullSecrets", "name") X("volumeMounts", "mountPath") \
  X("volumeDevices", "devicePath") X("conditions", "type") X("ownerReferences", "uid")      \
  X("hostAliases", "ip") X("resourceClaims", "name") X("topologySpreadConstraints", "topologyKey")

/* Returns true when some element of the list has `key`. */
static bool list_has_key(const json_t *list, const char *key) {
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) if (json_object_get(e, key)) return true;
  return false;
}

/* Returns the merge key for a list field (NULL: the list is replaced). Ports merge by containerPort
 * in containers and by port in Services. */
static const char *merge_key(const char *field, const json_t *target, const json_t *patch) {
#define X(f, k) if (!strcmp(field, f)) return k;
  SMP_MERGE_KEYS(X)
#undef X
  if (!strcmp(field, "ports"))
    return list_has_key(patch, "containerPort") || list_has_key(target, "containerPort") ? "containerPort" : "port";
  if (!strcmp(field, "finalizers")) return "";
  return NULL;
}

static json_t *smp(const json_t *target, const json_t *patch, char **err);

/* Returns the index of the element whose `key` equals val, or -1. */
static long find_elem(const json_t *list, const char *key, const json_t *val) {
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    if (!*key ? json_equal(e, val) : (val && json_equal(json_object_get(e, key), val))) return (long)i;
  }
  return -1;
}

/* Returns a copy of obj without its "$patch" directive. */
static json_t *strip_directive(const json_t *obj) {
  json_t *c = json_deep_copy(obj);
  if (json_is_object(c)) json_object_del(c, "$patch");
  return c;
}

/* Merges the patch list into the target list element-wise by key; returns a new list. */
static json_t *merge_list(const json_t *target, const json_t *patch, const char *key, char **err) {
  json_t *out = json_is_array(target) ? json_deep_copy(target) : json_array();
  size_t i;
  json_t *pe;
  json_array_foreach(patch, i, pe) {
    const char *directive = sim_util_jstr(pe, "$patch", NULL);
    if (directive && !strcmp(directive, "replace")) {
      json_decref(out);
      out = json_array();
      continue;
    }
    long at = find_elem(out, key, *key ? json_object_get(pe, key) : pe);
    if (directive && !strcmp(directive, "delete")) {
      if (at >= 0) json_array_remove(out, (size_t)at);
    } else if (at >= 0 && *key) {
      json_t *m = smp(json_array_get(out, (size_t)at), pe, err);
      if (!m) return json_decref(out), NULL;
      json_array_set_new(out, (size_t)at, m);
    } else if (at < 0) {
      json_array_append_new(out, strip_directive(pe));
    }
  }
  return out;
}

/* Reorders obj[field] to follow the order list (elements not named keep their place at the end). */
static void set_order(json_t *obj, const char *field, const json_t *order, const char *key) {
  json_t *list = json_object_get(obj, field);
  if (!json_is_array(list) || !json_is_array(order)) return;
  json_t *sorted = json_array(), *rest = json_deep_copy(list);
  size_t i;
  json_t *o;
  json_array_foreach(order, i, o) {
    long at = find_elem(rest, key ? key : "", key && *key ? json_object_get(o, key) : o);
    if (at < 0) continue;
    json_array_append(sorted, json_array_get(rest, (size_t)at));
    json_array_remove(rest, (size_t)at);
  }
  json_array_extend(sorted, rest);
  json_decref(rest);
  json_object_set_new(obj, field, sorted);
}

/* Removes each value of the patch list from obj[field] (a list of primitives). */
static void delete_primitives(json_t *obj, const char *field, const json_t *values) {
  json_t *list = json_object_get(obj, field);
  size_t i;
  json_t *v;
  json_array_foreach(values, i, v) {
    long at;
    while (json_is_array(list) && (at = find_elem(list, "", v)) >= 0) json_array_remove(list, (size_t)at);
  }
}

/* Keeps only the keys named in the $retainKeys list. */
static void retain_keys(json_t *obj, const json_t *keys) {
  const char *k;
  json_t *v;
  void *tmp;
  json_object_foreach_safe(obj, tmp, k, v) {
    bool keep = false;
    size_t i;
    json_t *name;
    json_array_foreach(keys, i, name) keep = keep || (json_is_string(name) && !strcmp(json_string_value(name), k));
    if (!keep) json_object_del(obj, k);
  }
}

/* Applies one member of an object patch to out; returns false with *err on failure. */
static bool merge_member(json_t *out, const char *k, const json_t *v, char **err) {
  if (json_is_null(v)) return json_object_del(out, k), true;
  json_t *cur = json_object_get(out, k), *m;
  const char *key = json_is_array(v) ? merge_key(k, cur, v) : NULL;
  if (json_is_object(v)) m = smp(cur, v, err);
  else if (key) m = merge_list(cur, v, key, err);
  else m = json_deep_copy(v);
  if (!m) return false;
  json_object_set_new(out, k, m);
  return true;
}

/* Returns target patched by the object patch (new), or NULL with *err. */
static json_t *smp(const json_t *target, const json_t *patch, char **err) {
  if (!json_is_object(patch)) return json_deep_copy(patch);
  const char *directive = sim_util_jstr(patch, "$patch", NULL);
  if (directive && !strcmp(directive, "replace")) return strip_directive(patch);
  if (directive && strcmp(directive, "merge") && strcmp(directive, "delete"))
    return *err = strutil_printf("unknown patch type: %s", directive), NULL;
  json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
  json_t *retain = json_object_get(patch, "$retainKeys");
  if (json_is_array(retain)) retain_keys(out, retain);
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)patch, k, v) {
    if (k[0] == '$') continue;
    if (!merge_member(out, k, v, err)) return json_decref(out), NULL;
  }
  json_object_foreach((json_t *)patch, k, v) {
    if (!strncmp(k, SET_ORDER, strlen(SET_ORDER))) {
      const char *field = k + strlen(SET_ORDER);
      set_order(out, field, v, merge_key(field, json_object_get(out, field), v));
    } else if (!strncmp(k, DELETE_PRIMITIVE, strlen(DELETE_PRIMITIVE))) {
      delete_primitives(out, k + strlen(DELETE_PRIMITIVE), v);
    }
  }
  return out;
}

/* Kubernetes strategic merge patch: like a merge patch, but lists with a merge key (containers by name,
 * ports by containerPort/port, env by name, …) merge element-wise; supports the directives $patch
 * (replace, delete), $setElementOrder/<list>, $retainKeys and $deleteFromPrimitiveList/<list>. */
json_t *sim_patch_strategic(const json_t *target, const json_t *patch, char **err) {
  if (!json_is_object(patch)) return *err = strdup("a strategic merge patch must be a JSON object"), NULL;
  return smp(target, patch, err);
}
