/* sim_api_openapi.c — the OpenAPI documents: v3 group documents (one path per resource with the PATCH
 * operation's fieldValidation parameter and x-kubernetes-group-version-kind, as kubectl's
 * query-parameter verifier looks for) and the v2 document, with the schemas of sim_schema.h. */
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

/* Returns the OpenAPI v3 document of an API group ("" = core) (new), and its stable hash (caller frees). */
json_t *sim_api_openapi_doc(const char *group) {
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

/* Returns the Swagger 2.0 document of every group (new): what /openapi/v2 serves. */
json_t *sim_api_openapi_v2(void) {
  json_t *defs = json_object(); /* paths are left empty: kubectl reads only the definitions */
  add_types(defs, false);
  return json_pack("{s:s,s:{s:s,s:s},s:{},s:o}", "swagger", "2.0", "info", "title", "Kubernetes", "version", "v1.32.4",
                   "paths", "definitions", defs);
}

/* Returns the stable hash of the group's OpenAPI document (caller frees), or NULL. */
char *sim_api_openapi_hash(const char *group) {
  json_t *doc = sim_api_openapi_doc(group);
  char *text = sim_util_canonical(doc);
  json_decref(doc);
  uint32_t a = sim_util_fnv32(text, strlen(text), SIMU_FNV32_INIT), b = sim_util_fnv32(text, strlen(text), a);
  free(text);
  return strutil_printf("%08X%08X", a, b);
}
