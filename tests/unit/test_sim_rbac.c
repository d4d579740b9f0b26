/* test_sim_rbac.c — the simulator's RBAC authoriser for ServiceAccount tokens: Roles through
 * RoleBindings, ClusterRoles through both kinds of binding, resourceNames, subresources, watch,
 * the API server's 403 message at namespace and cluster scope, and full access for other tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"

#define DEPS "/apis/apps/v1/namespaces/greenlang/deployments"
#define DEP DEPS "/gl-001-process-heat-orchestrator"
#define RBAC "/apis/rbac.authorization.k8s.io/v1"

/* Sends one request with a bearer token; returns the status and, in *msg (caller frees; may be
 * NULL), a Status' message. */
static int call(sim_world *w, const char *token, const char *method, const char *path, const char *query,
                const char *body, char **msg) {
  char auth[64];
  snprintf(auth, sizeof auth, "Bearer %s", token);
  sim_header h[2] = {{"Content-Type", strcmp(method, "PATCH") ? "application/json" : "application/merge-patch+json"},
                     {"Authorization", auth}};
  sim_request r = {method, path, query, h, 2, body, body ? strlen(body) : 0};
  sim_response resp;
  sim_handle(w, &r, &resp);
  int status = resp.status;
  json_t *j = resp.body ? json_loads(resp.body, 0, NULL) : NULL;
  if (msg) *msg = json_string_value(json_object_get(j, "message")) ? strdup(json_string_value(json_object_get(j, "message"))) : NULL;
  json_decref(j);
  sim_watch_free(resp.watch);
  sim_response_clear(&resp);
  return status;
}

/* Returns a world with an admin token and the ServiceAccount token "sa" = greenlang/runner, and
 * a Role (patch of one deployment by name; list + watch of deployments; get of services/proxy)
 * bound to it, and a ClusterRole (get namespaces) bound by a ClusterRoleBinding. */
static sim_world *world(void) {
  char *err = NULL;
  json_t *sc = sim_load_scenario("bad-release", &err);
  sim_world *w = sc ? sim_new(sc, 1, &err) : NULL;
  if (!w) fail_msg("sim_new: %s", err);
  json_decref(sc);
  assert_true(sim_add_token(w, "admin"));
  assert_true(sim_add_token_sa(w, "sa", "greenlang/runner"));
  assert_false(sim_add_token_sa(w, "bad", "runner"));
  const char *objs[][2] = {
      {RBAC "/namespaces/greenlang/roles",
       "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\",\"metadata\":{\"name\":\"r\",\"namespace\":\"greenlang\"},"
       "\"rules\":[{\"apiGroups\":[\"apps\"],\"resources\":[\"deployments\"],\"resourceNames\":[\"gl-001-process-heat-orchestrator\"],"
       "\"verbs\":[\"get\",\"patch\"]},{\"apiGroups\":[\"apps\"],\"resources\":[\"deployments\"],\"verbs\":[\"list\",\"watch\"]},"
       "{\"apiGroups\":[\"\"],\"resources\":[\"services/proxy\"],\"verbs\":[\"get\"]}]}"},
      {RBAC "/namespaces/greenlang/rolebindings",
       "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"r\",\"namespace\":\"greenlang\"},"
       "\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"runner\",\"namespace\":\"greenlang\"}],"
       "\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"r\"}}"},
      {RBAC "/clusterroles",
       "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"ns-reader\"},"
       "\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"namespaces\"],\"verbs\":[\"get\"]}]}"},
      {RBAC "/clusterrolebindings",
       "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"ns-reader\"},"
       "\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"runner\",\"namespace\":\"greenlang\"}],"
       "\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"ns-reader\"}}"},
  };
  for (size_t i = 0; i < sizeof objs / sizeof *objs; i++) assert_int_equal(call(w, "admin", "POST", objs[i][0], NULL, objs[i][1], NULL), 201);
  return w;
}

static void sa__allowed_by_role_and_cluster_role(void **state) {
  (void)state;
  sim_world *w = world();
  assert_int_equal(call(w, "sa", "GET", DEP, NULL, NULL, NULL), 200);
  assert_int_equal(call(w, "sa", "PATCH", DEP, NULL, "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}", NULL), 200);
  assert_int_equal(call(w, "sa", "GET", DEPS, NULL, NULL, NULL), 200);
  assert_int_equal(call(w, "sa", "GET", "/api/v1/namespaces/greenlang", NULL, NULL, NULL), 200);
  assert_int_equal(call(w, "sa", "GET", "/api", NULL, NULL, NULL), 200); /* discovery stays open */
  sim_free(w);
}

static void sa__forbidden_with_the_api_servers_words(void **state) {
  (void)state;
  sim_world *w = world();
  char *msg = NULL;
  assert_int_equal(call(w, "sa", "DELETE", DEP, NULL, NULL, &msg), 403);
  assert_string_equal(msg, "deployments.apps \"gl-001-process-heat-orchestrator\" is forbidden: User "
                           "\"system:serviceaccount:greenlang:runner\" cannot delete resource \"deployments\" in API group "
                           "\"apps\" in the namespace \"greenlang\"");
  free(msg);
  /* resourceNames: another deployment is not covered */
  assert_int_equal(call(w, "sa", "GET", DEPS "/gl-002-boiler-efficiency", NULL, NULL, &msg), 403);
  free(msg);
  /* a collection: no name in the message */
  assert_int_equal(call(w, "sa", "GET", "/api/v1/namespaces/greenlang/pods", NULL, NULL, &msg), 403);
  assert_string_equal(msg, "pods is forbidden: User \"system:serviceaccount:greenlang:runner\" cannot list resource \"pods\" in "
                           "API group \"\" in the namespace \"greenlang\"");
  free(msg);
  /* a subresource */
  assert_int_equal(call(w, "sa", "PATCH", DEP "/scale", NULL, "{\"spec\":{\"replicas\":2}}", &msg), 403);
  assert_non_null(strstr(msg, "cannot patch resource \"deployments/scale\" in API group \"apps\""));
  free(msg);
  /* cluster scope */
  assert_int_equal(call(w, "sa", "GET", "/api/v1/namespaces", NULL, NULL, &msg), 403);
  assert_string_equal(msg, "namespaces is forbidden: User \"system:serviceaccount:greenlang:runner\" cannot list resource "
                           "\"namespaces\" in API group \"\" at the cluster scope");
  free(msg);
  /* the Role binds only in its namespace */
  assert_int_equal(call(w, "sa", "GET", "/apis/apps/v1/namespaces/default/deployments", NULL, NULL, &msg), 403);
  free(msg);
  sim_free(w);
}

static void other_tokens__keep_full_access(void **state) {
  (void)state;
  sim_world *w = world();
  assert_int_equal(call(w, "admin", "GET", "/api/v1/namespaces/greenlang/pods", NULL, NULL, NULL), 200);
  assert_int_equal(call(w, "wrong", "GET", "/api/v1/namespaces/greenlang/pods", NULL, NULL, NULL), 401);
  sim_free(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sa__allowed_by_role_and_cluster_role),
      cmocka_unit_test(sa__forbidden_with_the_api_servers_words),
      cmocka_unit_test(other_tokens__keep_full_access),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
