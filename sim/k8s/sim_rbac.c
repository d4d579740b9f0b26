/* sim_rbac.c — RBAC for ServiceAccount tokens: the request's attributes (verb, API group, resource,
 * subresource, namespace, name) as the API server's RequestInfo derives them, matched against the
 * stored roles through the bindings that name the ServiceAccount. */
#include "sim_rbac.h"

#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_res.h"
#include "sim_status.h"
#include "sim_util.h"
#include "sim_world.h"
#include "strutil.h"

/* What a request asks for. */
typedef struct {
  const char *verb, *group, *resource, *sub, *ns, *name;
  const char *sa_ns, *sa_name; /* the ServiceAccount's */
  size_t sa_ns_len;
} rbac_attrs;

/* Accepts TOKEN as ServiceAccount sa ("ns/name"); returns false out of memory or for a bad sa. */
bool sim_add_token_sa(sim_world *w, const char *token, const char *sa) {
  const char *slash = strchr(sa, '/');
  if (!slash || slash == sa || !slash[1] || strchr(slash + 1, '/')) return false;
  return json_object_set_new(w->token_sa, token, json_string(sa)) == 0;
}

/* Returns the verb of the call as the API server names it. */
static const char *verb_of(const api_call *c) {
  const char *m = c->req->method;
  if (!strcmp(m, "GET") || !strcmp(m, "HEAD"))
    return c->name || c->sub ? "get" : sim_api_query_true(c, "watch") ? "watch" : "list";
  if (!strcmp(m, "POST")) return "create";
  if (!strcmp(m, "PUT")) return "update";
  if (!strcmp(m, "PATCH")) return "patch";
  if (!strcmp(m, "DELETE")) return c->name ? "delete" : "deletecollection";
  return m;
}

/* Returns true when the JSON array of strings holds s or "*". */
static bool holds(const json_t *arr, const char *s) {
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    const char *t = json_string_value(v);
    if (t && (!strcmp(t, "*") || !strcmp(t, s))) return true;
  }
  return false;
}

/* Returns true when one rule of a role allows the request. */
static bool role_allows(const json_t *role, const rbac_attrs *a) {
  char *res = *a->sub ? strutil_printf("%s/%s", a->resource, a->sub) : strdup(a->resource);
  bool ok = false;
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(role, "rules"), i, r) {
    if (ok) break;
    const json_t *names = json_object_get(r, "resourceNames");
    ok = holds(json_object_get(r, "apiGroups"), a->group) && res && holds(json_object_get(r, "resources"), res) &&
         holds(json_object_get(r, "verbs"), a->verb) &&
         (!json_array_size(names) || (a->name && holds(names, a->name)));
  }
  free(res);
  return ok;
}

/* Returns true when a binding's subjects name the ServiceAccount (or its groups). */
static bool names_sa(const json_t *binding, const rbac_attrs *a) {
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(binding, "subjects"), i, s) {
    const char *kind = sim_util_jstr(s, "kind", ""), *name = sim_util_jstr(s, "name", "");
    const char *ns = sim_util_jstr(s, "namespace", "");
    if (!strcmp(kind, "ServiceAccount") && !strcmp(name, a->sa_name) && strlen(ns) == a->sa_ns_len &&
        !strncmp(ns, a->sa_ns, a->sa_ns_len))
      return true;
    if (!strcmp(kind, "Group") && (!strcmp(name, "system:serviceaccounts") || !strcmp(name, "system:authenticated")))
      return true;
    if (!strcmp(kind, "Group") && !strncmp(name, "system:serviceaccounts:", 23) && strlen(name + 23) == a->sa_ns_len &&
        !strncmp(name + 23, a->sa_ns, a->sa_ns_len))
      return true;
  }
  return false;
}

/* Returns true when one of the bindings of kind bres (in ns, NULL: cluster) grants the request. */
static bool bindings_allow(sim_world *w, simr_kind bres, const char *ns, const rbac_attrs *a) {
  json_t *list = sim_store_list(&w->st, bres, ns);
  bool ok = false;
  size_t i;
  json_t *b;
  json_array_foreach(list, i, b) {
    if (ok) break;
    if (!names_sa(b, a)) continue;
    const char *kind = sim_util_jstr(b, "roleRef.kind", ""), *name = sim_util_jstr(b, "roleRef.name", "");
    const json_t *role = !strcmp(kind, "ClusterRole") ? sim_store_get(&w->st, SIMR_CLUSTERROLES, NULL, name)
                         : !strcmp(kind, "Role") && ns ? sim_store_get(&w->st, SIMR_ROLES, ns, name)
                                                       : NULL;
    ok = role && role_allows(role, a);
  }
  json_decref(list);
  return ok;
}

/* Answers 403 Forbidden with the API server's message for the request. */
static void forbid(api_call *c, const rbac_attrs *a) {
  const char *what = sim_res_qualified((simr_kind)c->res);
  char *obj = a->name ? strutil_printf("%s \"%s\"", what, a->name) : strdup(what);
  char *where = a->ns ? strutil_printf("in the namespace \"%s\"", a->ns) : strdup("at the cluster scope");
  char *msg = strutil_printf("%s is forbidden: User \"system:serviceaccount:%.*s:%s\" cannot %s resource \"%s%s%s\" in API "
                             "group \"%s\" %s",
                             obj ? obj : what, (int)a->sa_ns_len, a->sa_ns, a->sa_name, a->verb, a->resource,
                             *a->sub ? "/" : "", a->sub, a->group, where ? where : "");
  json_t *details = json_pack("{s:s,s:s}", "group", a->group, "kind", a->resource);
  if (a->name) json_object_set_new(details, "name", json_string(a->name));
  sim_api_status(c->resp, sim_status_status(SIMST_FORBIDDEN, msg ? msg : "forbidden", details));
  free(obj), free(where), free(msg);
}

/* Returns true when the call may go on; false after answering 403. */
bool sim_rbac_allowed(api_call *c) {
  if (!c->sa || c->res < 0) return true;
  const simr_info *info = sim_res_info_of((simr_kind)c->res);
  const char *slash = strchr(c->sa, '/');
  rbac_attrs a = {verb_of(c), info->group, info->plural, c->sub ? c->sub : "", info->namespaced ? c->ns : NULL,
                  c->name, c->sa, slash + 1, (size_t)(slash - c->sa)};
  if ((a.ns && bindings_allow(c->w, SIMR_ROLEBINDINGS, a.ns, &a)) ||
      bindings_allow(c->w, SIMR_CLUSTERROLEBINDINGS, NULL, &a))
    return true;
  forbid(c, &a);
  return false;
}
