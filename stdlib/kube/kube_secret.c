/* kube_secret.c — the data of Secret objects read from the cluster as secret values (see
 * kube_secret.h). */
#include "kube_secret.h"

#include <stdlib.h>
#include <string.h>

#include "scrub.h"
#include "strutil.h"

/* Returns true when o's "kind" is `kind`. */
static bool kind_is(const rbk_value *o, const char *kind) {
  const rbk_value *k = value_object_get(o, "kind");
  return k && k->kind == VAL_STRING && strcmp(k->u.str.s, kind) == 0;
}

/* Returns false when out of memory, after turning the string values of secret->field into secrets
 * named "NAME/KEY" (secret is under construction). */
static bool mask_field(rbk_value *secret, const char *field, bool base64) {
  rbk_value *map = value_object_get(secret, field);
  if (!map || map->kind != VAL_OBJECT) return true;
  const rbk_value *meta = value_object_get(secret, "metadata");
  const rbk_value *name = meta && meta->kind == VAL_OBJECT ? value_object_get(meta, "name") : NULL;
  const char *sname = name && name->kind == VAL_STRING ? name->u.str.s : "secret";
  for (size_t i = 0; i < map->u.obj.len; i++) {
    rbk_value *v = map->u.obj.vals[i];
    if (v->kind != VAL_STRING) continue;
    if (base64 && !scrub_add_base64(v->u.str.s, v->u.str.len)) return false;
    char *label = strutil_printf("%s/%s", sname, map->u.obj.keys[i]);
    rbk_value *s = label ? value_secret(label, v->u.str.s) : NULL;
    free(label);
    if (!s) return false;
    memset(v->u.str.s, 0, v->u.str.len);
    value_unref(v);
    map->u.obj.vals[i] = s;
  }
  return true;
}

/* Returns false when out of memory, after masking the Secrets inside v (under construction);
 * `secret` says v itself is a Secret (an item of a SecretList). */
static bool walk(rbk_value *v, bool secret) {
  if (v->kind == VAL_LIST) {
    for (size_t i = 0; i < v->u.list.len; i++)
      if (!walk(v->u.list.items[i], secret)) return false;
    return true;
  }
  if (v->kind != VAL_OBJECT) return true;
  if (secret || kind_is(v, "Secret"))
    return mask_field(v, "data", true) && mask_field(v, "stringData", false);
  bool list = kind_is(v, "SecretList");
  for (size_t i = 0; i < v->u.obj.len; i++) {
    bool items = list && strcmp(v->u.obj.keys[i], "items") == 0;
    if (!walk(v->u.obj.vals[i], items)) return false;
  }
  return true;
}

/* Returns the value of j with the Secrets' data as secrets. */
rbk_value *kube_secret_from_json(const json_t *j) {
  rbk_value *v = value_from_json(j);
  if (v && !walk(v, false)) {
    value_unref(v);
    return NULL;
  }
  return v;
}
