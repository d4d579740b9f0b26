/* sim_schema.c — OpenAPI schemas and the decoder's type checks, both from the fields table
 * (sim_schema_table.c). */
#include "sim_schema.h"

#include <stdlib.h>
#include <string.h>

#include "sim_util.h"

static const struct {
  const char *name, *go, *description;
} types[] = {
#define X(e, name, go, desc) {name, go, desc},
    SIMSC_TYPES(X)
#undef X
};

/* Returns the type's OpenAPI name ("io.k8s.api.apps.v1.Deployment") (static). */
const char *sim_schema_type_name(simsc_type t) { return types[t].name; }

/* Returns the type describing a resource kind (SIMSC_T_NONE when none). */
static simsc_type sim_schema_type_of(simr_kind res) {
  const simr_info *i = sim_res_info_of(res);
  const char *grp = i->group[0] ? i->group : "core";
  size_t glen = strcspn(grp, ".");
  for (int t = 1; t < SIMSC_T_COUNT; t++) {
    const char *n = types[t].name;
    if (strncmp(n, "io.k8s.api.", 11) || strncmp(n + 11, grp, glen) || n[11 + glen] != '.') continue;
    const char *dot = strrchr(n, '.');
    if (!strcmp(dot + 1, i->kind) && !strncmp(n + 12 + glen, i->version, strlen(i->version))) return (simsc_type)t;
  }
  return SIMSC_T_NONE;
}

/* Returns {"$ref": …} for a type (new). */
static json_t *ref_to(simsc_type t, bool v3) {
  char *r = strutil_printf("#/%s/%s", v3 ? "components/schemas" : "definitions", types[t].name);
  json_t *o = json_pack("{s:s}", "$ref", r);
  free(r);
  return o;
}

/* Returns the schema of one field (new). */
static json_t *field_schema(const simsc_field *f, bool v3) {
  json_t *s;
  switch (f->shape) {
  case SIMSC_STR: s = json_pack("{s:s}", "type", "string"); break;
  case SIMSC_TIME: s = json_pack("{s:s,s:s}", "type", "string", "format", "date-time"); break;
  case SIMSC_INT32: s = json_pack("{s:s,s:s}", "type", "integer", "format", "int32"); break;
  case SIMSC_INT64: s = json_pack("{s:s,s:s}", "type", "integer", "format", "int64"); break;
  case SIMSC_BOOL: s = json_pack("{s:s}", "type", "boolean"); break;
  case SIMSC_IOS: s = json_pack("{s:s,s:s}", "type", "string", "format", "int-or-string"); break;
  case SIMSC_MAPSTR: s = json_pack("{s:s,s:{s:s}}", "type", "object", "additionalProperties", "type", "string"); break;
  case SIMSC_ARRSTR: s = json_pack("{s:s,s:{s:s}}", "type", "array", "items", "type", "string"); break;
  case SIMSC_OBJ: s = json_pack("{s:s}", "type", "object"); break;
  case SIMSC_ARROBJ: s = json_pack("{s:s,s:{s:s}}", "type", "array", "items", "type", "object"); break;
  case SIMSC_REF:
    s = v3 ? json_pack("{s:[o]}", "allOf", ref_to(f->ref, true)) : ref_to(f->ref, false);
    if (f->required && v3) json_object_set_new(s, "default", json_object());
    break;
  default: s = json_pack("{s:s,s:o}", "type", "array", "items", ref_to(f->ref, v3)); break;
  }
  json_object_set_new(s, "description", json_string(f->description));
  if (f->merge_key) {
    sim_util_jset_str(s, "x-kubernetes-patch-merge-key", f->merge_key);
    sim_util_jset_str(s, "x-kubernetes-patch-strategy", "merge");
    if (v3) sim_util_jset_str(s, "x-kubernetes-list-type", "map"), json_object_set_new(s, "x-kubernetes-list-map-keys", json_pack("[s]", f->merge_key));
  }
  return s;
}

/* Returns the OpenAPI schema of a type (new): v3 when v3, else Swagger 2.0 ($refs under
 * #/components/schemas/ or #/definitions/). */
json_t *sim_schema_schema(simsc_type t, bool v3) {
  json_t *props = json_object(), *req = json_array();
  size_t n;
  const simsc_field *fs = sim_schema_fields(&n);
  for (size_t i = 0; i < n; i++) {
    if (fs[i].owner != t) continue;
    json_object_set_new(props, fs[i].name, field_schema(&fs[i], v3));
    if (fs[i].required) json_array_append_new(req, json_string(fs[i].name));
  }
  json_t *s = json_pack("{s:s,s:s,s:o}", "description", types[t].description, "type", "object", "properties", props);
  if (json_array_size(req)) json_object_set_new(s, "required", req);
  else json_decref(req);
  for (int r = 0; r < SIMR_COUNT; r++) {
    if (sim_schema_type_of((simr_kind)r) != t) continue;
    const simr_info *i = sim_res_info_of((simr_kind)r);
    json_object_set_new(s, "x-kubernetes-group-version-kind",
                        json_pack("[{s:s,s:s,s:s}]", "group", i->group, "kind", i->kind, "version", i->version));
  }
  return s;
}

/* Returns the decoder's name of a JSON value's kind ("string", "number 1.5", "bool", …) (new). */
static char *value_kind(const json_t *v, bool exact) {
  if (json_is_string(v)) return strdup("string");
  if (json_is_boolean(v)) return strdup("bool");
  if (json_is_array(v)) return strdup("array");
  if (json_is_object(v)) return strdup("object");
  if (!exact) return strdup("number");
  char *t = json_dumps(v, SIMU_JSON_FLAGS);
  char *s = strutil_printf("number %s", t ? t : "");
  free(t);
  return s;
}

/* Returns the decoder's type error (new). */
static char *type_error(const json_t *v, bool exact, simsc_type owner, const char *path, const char *gotype) {
  const char *go = types[owner].go;
  char *k = value_kind(v, exact), *bare = strdup(path), *o = bare;
  for (const char *p = path; *p; p++) /* the decoder names fields without list indexes */
    if (*p == '[') p = strchr(p, ']');
    else *o++ = *p;
  *o = 0;
  char *m = strutil_printf("json: cannot unmarshal %s into Go struct field %s.%s of type %s", k, strchr(go, '.') + 1,
                           bare, gotype);
  free(k), free(bare);
  return m;
}

static char *check_type(simsc_type t, const json_t *obj, const char *path, bool strict);

/* Returns the error of one value of a field (new), or NULL. */
static char *check_value(const simsc_field *f, const json_t *v, const char *path, bool strict, bool elem) {
  if (json_is_null(v)) return NULL;
  switch (elem ? (f->shape == SIMSC_ARRSTR ? SIMSC_STR : SIMSC_REF) : f->shape) {
  case SIMSC_STR:
  case SIMSC_TIME:
    return json_is_string(v) ? NULL : type_error(v, false, f->owner, path, f->shape == SIMSC_TIME ? "v1.Time" : "string");
  case SIMSC_INT32:
  case SIMSC_INT64: {
    bool i32 = f->shape == SIMSC_INT32;
    if (json_is_integer(v) && (!i32 || (json_integer_value(v) >= INT32_MIN && json_integer_value(v) <= INT32_MAX)))
      return NULL;
    return type_error(v, json_is_number(v), f->owner, path, i32 ? "int32" : "int64");
  }
  case SIMSC_BOOL: return json_is_boolean(v) ? NULL : type_error(v, false, f->owner, path, "bool");
  case SIMSC_IOS: return json_is_string(v) || json_is_integer(v) ? NULL : type_error(v, false, f->owner, path, "intstr.IntOrString");
  case SIMSC_MAPSTR: {
    if (!json_is_object(v)) return type_error(v, false, f->owner, path, "map[string]string");
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m) if (!json_is_string(m) && !json_is_null(m)) return type_error(m, false, f->owner, path, "string");
    return NULL;
  }
  case SIMSC_OBJ: return json_is_object(v) ? NULL : type_error(v, false, f->owner, path, "map[string]interface {}");
  case SIMSC_REF:
    if (json_is_object(v)) return check_type(f->ref, v, path, strict);
    return type_error(v, false, f->owner, path, f->shape == SIMSC_ARRSTR ? "string" : types[f->ref].go);
  default: break;
  }
  if (!json_is_array(v)) {
    const char *elem_go = f->shape == SIMSC_ARRSTR ? "string" : f->shape == SIMSC_ARROBJ ? "map[string]interface {}" : types[f->ref].go;
    char *go = strutil_printf("[]%s", elem_go);
    char *e = type_error(v, false, f->owner, path, go);
    free(go);
    return e;
  }
  if (f->shape == SIMSC_ARROBJ) return NULL;
  size_t i;
  json_t *x;
  json_array_foreach((json_t *)v, i, x) {
    char *at = strutil_printf("%s[%zu]", path, i);
    char *e = check_value(f, x, at, strict, true);
    free(at);
    if (e) return e;
  }
  return NULL;
}

/* Returns the first error in an object of type t at path (new), or NULL. */
static char *check_type(simsc_type t, const json_t *obj, const char *path, bool strict) {
  size_t n;
  const simsc_field *fs = sim_schema_fields(&n);
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)obj, k, v) {
    const simsc_field *f = NULL;
    for (size_t i = 0; i < n && !f; i++)
      if (fs[i].owner == t && !strcmp(fs[i].name, k)) f = &fs[i];
    char *sub = *path ? strutil_printf("%s.%s", path, k) : strdup(k);
    char *e = NULL;
    if (!f && strict) e = strutil_printf("strict decoding error: unknown field \"%s\"", sub);
    else if (f) e = check_value(f, v, sub, strict, false);
    free(sub);
    if (e) return e;
  }
  return NULL;
}

/* Checks obj's field types (and, when strict, unknown fields) as the API server's decoder does. */
char *sim_schema_check(simr_kind res, const json_t *obj, bool strict) {
  simsc_type t = sim_schema_type_of(res);
  return t == SIMSC_T_NONE || !json_is_object(obj) ? NULL : check_type(t, obj, "", strict);
}
