/* sim_api_openapi.c — the OpenAPI documents: v3 group documents (one path per resource with the PATCH
 * operation's fieldValidation parameter and x-kubernetes-group-version-kind, as kubectl's
 * query-parameter verifier looks for) and the v2 document, with the schemas of sim_schema.h. They
 * depend on nothing but the tables compiled in, so each is built, written and hashed once per
 * process, on first use, and every world serves the same texts. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_api.h"
#include "sim_schema.h"

/* Returns the schema name of a kind ("io.k8s.api.apps.v1.Deployment") into out. */
static void schema_name(const simr_info *i, char *out, size_t n) {
  const char *pkg = i->group[0] ? i->group : "core";
  char short_pkg[64];
  snprintf(short_pkg, sizeof short_pkg, "%s", pkg);
  char *dot = strchr(short_pkg, '.');
  if (dot) *dot = 0;
  snprintf(out, n, "io.k8s.api.%s.%s.%s", short_pkg, i->version, i->kind);
}

/* Returns a query parameter description (new). */
static json_t *param(const char *name, const char *desc) {
  return json_pack("{s:s,s:s,s:s,s:{s:s,s:b}}", "name", name, "in", "query", "description", desc, "schema", "type",
                   "string", "uniqueItems", 1);
}

/* Returns the GVK extension object (new). */
static json_t *gvk(const simr_info *i) {
  return json_pack("{s:s,s:s,s:s}", "group", i->group, "version", i->version, "kind", i->kind);
}

/* Returns one operation (new). */
static json_t *operation(const simr_info *i, const char *verb, const char *action, const char *ref) {
  char id[128], r[256];
  snprintf(id, sizeof id, "%s%s", verb, i->kind);
  snprintf(r, sizeof r, "#/components/schemas/%s", ref);
  json_t *op = json_pack("{s:s,s:s,s:o,s:{s:{s:s,s:{s:{s:{s:s}}}}}}", "operationId", id, "x-kubernetes-action", action,
                         "x-kubernetes-group-version-kind", gvk(i), "responses", "200", "description", "OK", "content",
                         "application/json", "schema", "$ref", r);
  json_t *params = json_array();
  json_array_append_new(params, param("dryRun", "When present, indicates that modifications should not be persisted."));
  json_array_append_new(params, param("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."));
  json_array_append_new(params, param("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields."));
  if (strcmp(verb, "read") && strcmp(verb, "delete")) json_object_set_new(op, "parameters", params);
  else json_decref(params);
  return op;
}

/* Returns the path parameters (new). */
static json_t *path_params(const simr_info *i, bool named) {
  json_t *p = json_array();
  if (named) json_array_append_new(p, json_pack("{s:s,s:s,s:b,s:{s:s}}", "name", "name", "in", "path", "required", 1, "schema", "type", "string"));
  if (i->namespaced)
    json_array_append_new(p, json_pack("{s:s,s:s,s:b,s:{s:s}}", "name", "namespace", "in", "path", "required", 1, "schema", "type", "string"));
  json_array_append_new(p, param("pretty", "If 'true', then the output is pretty printed."));
  json_array_append_new(p, param("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields."));
  return p;
}

/* Adds the paths of one resource to the document. */
static void add_resource(json_t *paths, const simr_info *i) {
  char prefix[128], ref[160];
  if (i->group[0]) snprintf(prefix, sizeof prefix, "/apis/%s/%s", i->group, i->version);
  else snprintf(prefix, sizeof prefix, "/api/%s", i->version);
  schema_name(i, ref, sizeof ref);
  char *coll = strutil_printf("%s/%s%s", prefix, i->namespaced ? "namespaces/{namespace}/" : "", i->plural);
  char *item = strutil_printf("%s/{name}", coll);
  json_object_set_new(paths, item, json_pack("{s:o,s:o,s:o,s:o,s:o}", "parameters", path_params(i, true), "get",
                                             operation(i, "read", "get", ref), "put", operation(i, "replace", "put", ref),
                                             "delete", operation(i, "delete", "delete", ref), "patch",
                                             operation(i, "patch", "patch", ref)));
  json_object_set_new(paths, coll, json_pack("{s:o,s:o,s:o}", "parameters", path_params(i, false), "get",
                                             operation(i, "list", "list", ref), "post", operation(i, "create", "post", ref)));
  free(coll), free(item);
}

/* Adds every described type's schema (sim_schema_table.c) to schemas. */
static void add_types(json_t *schemas, bool v3) {
  for (int t = 1; t < SIMSC_T_COUNT; t++) json_object_set_new(schemas, sim_schema_type_name((simsc_type)t), sim_schema_schema((simsc_type)t, v3));
}

/* Returns the OpenAPI v3 document of an API group ("" = core) (new). */
static json_t *build_doc(const char *group) {
  json_t *paths = json_object(), *schemas = json_object();
  for (int r = 0; r < SIMR_COUNT; r++)
    if (!strcmp(sim_res_info_of((simr_kind)r)->group, group)) add_resource(paths, sim_res_info_of((simr_kind)r));
  add_types(schemas, true);
  json_object_set_new(schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
                      json_pack("{s:s,s:s}", "type", "object", "description", "Patch is provided to give a concrete name "
                                "and type to the Kubernetes PATCH request body."));
  return json_pack("{s:s,s:{s:s,s:s},s:o,s:{s:o}}", "openapi", "3.0.0", "info", "title", "Kubernetes", "version", "v1.32.4",
                   "paths", paths, "components", "schemas", schemas);
}

/* Writes the stable hash of a document (16 hex digits) into out; false when out of memory. */
static bool hash_of(const json_t *doc, char out[17]) {
  char *text = sim_util_canonical(doc);
  if (!text) return false;
  uint32_t a = sim_util_fnv32(text, strlen(text), SIMU_FNV32_INIT), b = sim_util_fnv32(text, strlen(text), a);
  free(text);
  snprintf(out, 17, "%08X%08X", a, b);
  return true;
}

/* One group's document written as JSON, and its stable hash. */
typedef struct {
  char *group;
  char *text;
  size_t len;
  char hash[17];
} openapi_entry;

/* The groups' entries, filled in the order they are first asked for; an entry, once published,
 * is never changed or freed (the documents depend on nothing but the tables compiled in). */
static _Atomic(openapi_entry *) entries[16];

/* Releases an entry (NULL is fine). */
static void entry_free(openapi_entry *e) {
  if (e) free(e->group), free(e->text), free(e);
}

/* Returns a new entry for group (NULL when out of memory). */
static openapi_entry *entry_new(const char *group) {
  openapi_entry *e = calloc(1, sizeof *e);
  json_t *doc = e ? build_doc(group) : NULL;
  bool ok = doc && (e->group = strdup(group)) && (e->text = json_dumps(doc, SIMU_JSON_FLAGS)) && hash_of(doc, e->hash);
  json_decref(doc);
  if (!ok) return entry_free(e), NULL;
  e->len = strlen(e->text);
  return e;
}

/* Returns group's entry (borrowed, lives as long as the process), or NULL when out of memory or
 * when more groups were asked for than the cache holds. Threads may race to build one: the
 * first to publish it wins, the others free theirs. */
static const openapi_entry *entry_of(const char *group) {
  for (size_t i = 0; i < sizeof entries / sizeof *entries; i++) {
    openapi_entry *e = atomic_load(&entries[i]);
    if (!e) {
      openapi_entry *mine = entry_new(group);
      if (!mine) return NULL;
      if (atomic_compare_exchange_strong(&entries[i], &e, mine)) return mine;
      entry_free(mine); /* another thread filled the slot first: e is its entry */
    }
    if (!strcmp(e->group, group)) return e;
  }
  return NULL;
}

/* Returns the OpenAPI v3 document of an API group ("" = core) written as JSON (borrowed; *len its
 * length), or NULL. */
const char *sim_api_openapi_text(const char *group, size_t *len) {
  const openapi_entry *e = entry_of(group);
  *len = e ? e->len : 0;
  return e ? e->text : NULL;
}

/* Returns the stable hash of the group's OpenAPI document (borrowed), or NULL. */
const char *sim_api_openapi_hash(const char *group) {
  const openapi_entry *e = entry_of(group);
  return e ? e->hash : NULL;
}

/* The Swagger 2.0 document, written as JSON and as protobuf. */
typedef struct {
  char *json, *pb;
  size_t json_len, pb_len;
} openapi_v2;

/* Returns the Swagger 2.0 document of every group (new). */
static json_t *build_v2(void) {
  json_t *defs = json_object(); /* paths are left empty: kubectl reads only the definitions */
  add_types(defs, false);
  return json_pack("{s:s,s:{s:s,s:s},s:{},s:o}", "swagger", "2.0", "info", "title", "Kubernetes", "version", "v1.32.4",
                   "paths", "definitions", defs);
}

/* Releases a written v2 document (NULL is fine). */
static void v2_free(openapi_v2 *v) {
  if (v) free(v->json), free(v->pb), free(v);
}

/* Returns the Swagger 2.0 document written both ways (new), or NULL when out of memory. */
static openapi_v2 *v2_new(void) {
  openapi_v2 *v = calloc(1, sizeof *v);
  json_t *doc = v ? build_v2() : NULL;
  bool ok = doc && (v->json = json_dumps(doc, SIMU_JSON_FLAGS)) && (v->pb = sim_api_openapi_v2_pb(doc, &v->pb_len));
  json_decref(doc);
  if (!ok) return v2_free(v), NULL;
  v->json_len = strlen(v->json);
  return v;
}

/* Returns the Swagger 2.0 document of every group — what /openapi/v2 serves — written as
 * protobuf when pb, else as JSON (borrowed; *len its length), or NULL. Threads may race to build
 * it: the first to publish it wins, the others free theirs. */
const char *sim_api_openapi_v2_text(bool pb, size_t *len) {
  static _Atomic(openapi_v2 *) shared;
  openapi_v2 *v = atomic_load(&shared), *mine;
  if (!v && (mine = v2_new())) {
    if (atomic_compare_exchange_strong(&shared, &v, mine)) v = mine;
    else v2_free(mine); /* another thread published first: v is its copy */
  }
  *len = !v ? 0 : pb ? v->pb_len : v->json_len;
  return !v ? NULL : pb ? v->pb : v->json;
}
