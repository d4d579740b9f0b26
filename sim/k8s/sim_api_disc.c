/* sim_api_disc.c — /version, API discovery (aggregated and legacy) and the OpenAPI v3 documents that
 * kubectl reads before create/apply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_api.h"

#define AGGREGATED_CT "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
#define VERBS "[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"update\",\"watch\"]"

/* The API groups served: "" is the core group. */
static const char *const groups[] = {"", "apps", "batch", "coordination.k8s.io", "rbac.authorization.k8s.io"};
#define NGROUPS (sizeof groups / sizeof *groups)

/* Returns the verbs of a resource (new array). */
static json_t *verbs(void) { return json_loads(VERBS, 0, NULL); }

/* Returns the subresources of res in aggregated form (new array). */
static json_t *agg_subresources(simr_kind res) {
  json_t *out = json_array();
#define X(r, name, g, v, kind, vb)                                                                     \
  if (res == SIMR_##r)                                                                                  \
    json_array_append_new(out, json_pack("{s:s,s:{s:s,s:s,s:s},s:o}", "subresource", name, "responseKind", "group", g, \
                                         "version", v, "kind", kind, "verbs", json_loads(vb, 0, NULL)));
  SIM_SUBRESOURCES(X)
#undef X
  return out;
}

/* Returns the aggregated resource entries of a group (new array). */
static json_t *agg_resources(const char *group) {
  json_t *out = json_array();
  for (int r = 0; r < SIMR_COUNT; r++) {
    const simr_info *i = sim_res_info_of((simr_kind)r);
    if (strcmp(i->group, group)) continue;
    json_t *e = json_pack("{s:s,s:{s:s,s:s,s:s},s:s,s:s,s:o,s:o}", "resource", i->plural, "responseKind", "group", i->group,
                          "version", i->version, "kind", i->kind, "scope", i->namespaced ? "Namespaced" : "Cluster",
                          "singularResource", i->singular, "verbs", verbs(), "subresources", agg_subresources((simr_kind)r));
    if (i->short_name[0]) json_object_set_new(e, "shortNames", json_pack("[s]", i->short_name));
    if (i->in_all) json_object_set_new(e, "categories", json_pack("[s]", "all"));
    json_array_append_new(out, e);
  }
  return out;
}

/* Answers /api or /apis in the aggregated form. */
static void aggregated(api_call *c, bool core) {
  json_t *items = json_array();
  for (size_t g = 0; g < NGROUPS; g++) {
    if (core != !groups[g][0]) continue;
    json_t *meta = core ? json_object() : json_pack("{s:s}", "name", groups[g]);
    json_array_append_new(items, json_pack("{s:o,s:[{s:s,s:o,s:s}]}", "metadata", meta, "versions", "version", "v1",
                                           "resources", agg_resources(groups[g]), "freshness", "Current"));
  }
  sim_api_json_ct(c->resp, 200, json_pack("{s:s,s:s,s:{},s:o}", "kind", "APIGroupDiscoveryList", "apiVersion",
                                          "apidiscovery.k8s.io/v2", "metadata", "items", items), AGGREGATED_CT);
}

/* Returns the legacy APIGroup object of a group (new). */
static json_t *api_group(const char *g) {
  char *gv = strutil_printf("%s/v1", g);
  json_t *group = gv ? json_pack("{s:s,s:s,s:s,s:[{s:s,s:s}],s:{s:s,s:s}}", "kind", "APIGroup", "apiVersion", "v1", "name", g,
                                 "versions", "groupVersion", gv, "version", "v1", "preferredVersion", "groupVersion", gv,
                                 "version", "v1")
                     : NULL;
  free(gv);
  return group;
}

/* Answers /api/v1 or /apis/G/v1 with the legacy APIResourceList. */
static void resource_list(api_call *c, const char *group) {
  json_t *res = json_array();
  for (int r = 0; r < SIMR_COUNT; r++) {
    const simr_info *i = sim_res_info_of((simr_kind)r);
    if (strcmp(i->group, group)) continue;
    json_t *e = json_pack("{s:s,s:s,s:b,s:s,s:o}", "name", i->plural, "singularName", i->singular, "namespaced",
                          i->namespaced, "kind", i->kind, "verbs", verbs());
    if (i->short_name[0]) json_object_set_new(e, "shortNames", json_pack("[s]", i->short_name));
    if (i->in_all) json_object_set_new(e, "categories", json_pack("[s]", "all"));
    json_array_append_new(res, e);
#define X(rr, name, g, v, kind, vb)                                                                          \
  if (r == SIMR_##rr) {                                                                                      \
    char *n = strutil_printf("%s/%s", i->plural, name);                                                         \
    json_t *s = json_pack("{s:s,s:s,s:b,s:s,s:o}", "name", n, "singularName", "", "namespaced", i->namespaced, \
                          "kind", kind, "verbs", json_loads(vb, 0, NULL));                                     \
    if (g[0] && strcmp(g, group)) json_object_set_new(s, "group", json_string(g)), json_object_set_new(s, "version", json_string(v)); \
    json_array_append_new(res, s);                                                                           \
    free(n);                                                                                                 \
  }
    SIM_SUBRESOURCES(X)
#undef X
  }
  char gv[128];
  snprintf(gv, sizeof gv, "%s%sv1", group, group[0] ? "/" : "");
  sim_api_json(c->resp, 200, json_pack("{s:s,s:s,s:s,s:o}", "kind", "APIResourceList", "apiVersion", "v1", "groupVersion", gv,
                                       "resources", res));
}

/* Answers the legacy /api or /apis. */
static void legacy(api_call *c, bool core) {
  if (core)
    return sim_api_json(c->resp, 200, json_pack("{s:s,s:[s],s:[{s:s,s:s}]}", "kind", "APIVersions", "versions", "v1",
                                                "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress",
                                                "127.0.0.1:6443"));
  json_t *list = json_array();
  for (size_t g = 1; g < NGROUPS; g++) {
    json_t *grp = api_group(groups[g]);
    json_object_del(grp, "kind"), json_object_del(grp, "apiVersion");
    json_array_append_new(list, grp);
  }
  sim_api_json(c->resp, 200, json_pack("{s:s,s:s,s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups", list));
}

/* Answers /openapi/v3 (the index) and /openapi/v3/api/v1, /openapi/v3/apis/G/v1. */
static bool openapi(api_call *c, const char *path) {
  if (!strcmp(path, "/openapi/v3") || !strcmp(path, "/openapi/v3/")) {
    json_t *paths = json_object();
    for (size_t g = 0; g < NGROUPS; g++) {
      const char *hash = sim_api_openapi_hash(groups[g]);
      char *key = groups[g][0] ? strutil_printf("apis/%s/v1", groups[g]) : strdup("api/v1");
      char *url = strutil_printf("/openapi/v3/%s?hash=%s", key, hash ? hash : "");
      json_object_set_new(paths, key, json_pack("{s:s}", "serverRelativeURL", url));
      free(key), free(url);
    }
    sim_api_json(c->resp, 200, json_pack("{s:o}", "paths", paths));
    return true;
  }
  for (size_t g = 0; g < NGROUPS; g++) {
    char *p = groups[g][0] ? strutil_printf("/openapi/v3/apis/%s/v1", groups[g]) : strdup("/openapi/v3/api/v1");
    bool match = !strcmp(p, path);
    free(p);
    if (match) {
      size_t len;
      const char *doc = sim_api_openapi_text(groups[g], &len);
      if (doc) sim_api_text(c->resp, 200, "application/json", doc, len);
      else sim_api_fail(c->resp, SIMST_INTERNAL, "out of memory");
      return true;
    }
  }
  return false;
}

/* Answers /openapi/v2: protobuf when the Accept header asks for it and not for JSON (kubectl's
 * client-side validation does), else JSON. */
static void openapi_v2(api_call *c, const char *accept) {
  bool pb = accept && strstr(accept, "protobuf") && !strstr(accept, "json") && !strstr(accept, "*/*");
  size_t len;
  const char *doc = sim_api_openapi_v2_text(pb, &len);
  if (!doc) return sim_api_fail(c->resp, SIMST_INTERNAL, "out of memory");
  sim_api_text(c->resp, 200, pb ? "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" : "application/json", doc, len);
}

/* Returns the group index of name, or -1. */
static int group_index(const char *name) {
  for (size_t g = 1; g < NGROUPS; g++)
    if (!strcmp(groups[g], name)) return (int)g;
  return -1;
}

/* Answers discovery, /version and OpenAPI paths; returns false when the path is not one of them. */
bool sim_api_discovery(api_call *c) {
  const char *path = c->req->path, *accept = sim_api_header(c->req, "Accept");
  bool agg = accept && strstr(accept, "as=APIGroupDiscoveryList");
  if (strcmp(c->req->method, "GET")) return false;
  if (!strcmp(path, "/version") || !strcmp(path, "/version/")) {
    sim_api_json(c->resp, 200, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "major", "1", "minor", "32", "gitVersion",
                                         "v1.32.4", "gitCommit", "59526cd4867447956156ae3a602fcbac10a2c335", "gitTreeState",
                                         "clean", "buildDate", "2025-04-22T16:02:27Z", "goVersion", "go1.23.6", "compiler",
                                         "gc", "platform", "linux/amd64"));
    return true;
  }
  if (!strcmp(path, "/healthz") || !strcmp(path, "/livez") || !strcmp(path, "/readyz")) {
    sim_api_text(c->resp, 200, "text/plain; charset=utf-8", "ok", 2);
    return true;
  }
  if (!strcmp(path, "/api") || !strcmp(path, "/api/")) return agg ? aggregated(c, true) : legacy(c, true), true;
  if (!strcmp(path, "/apis") || !strcmp(path, "/apis/")) return agg ? aggregated(c, false) : legacy(c, false), true;
  if (!strcmp(path, "/api/v1") || !strcmp(path, "/api/v1/")) return resource_list(c, ""), true;
  if (!strncmp(path, "/openapi/v3", 11)) return openapi(c, path);
  if (!strcmp(path, "/openapi/v2") || !strcmp(path, "/openapi/v2/")) return openapi_v2(c, accept), true;
  if (!strncmp(path, "/apis/", 6)) {
    char g[128];
    const char *rest = path + 6, *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    if (n >= sizeof g) return false;
    memcpy(g, rest, n), g[n] = 0;
    int gi = group_index(g);
    if (gi < 0) return false;
    if (!slash || !slash[1]) return sim_api_json(c->resp, 200, api_group(g)), true;
    if (!strcmp(slash, "/v1") || !strcmp(slash, "/v1/")) return resource_list(c, g), true;
  }
  return false;
}
