/* sim_res.h — the resource kinds the simulator serves, defined once.
 *
 * Ownership: the resource table and every name it returns are static; arguments are borrowed.
 */
#ifndef RBK_SIM_RES_H
#define RBK_SIM_RES_H

#include <stdbool.h>

/* X(ENUM, plural, singular, group, version, Kind, namespaced, shortName, has generation,
 *   in category "all") */
#define SIM_RESOURCES(X)                                                                    \
  X(NAMESPACES, "namespaces", "namespace", "", "v1", "Namespace", false, "ns", false, false) \
  X(PODS, "pods", "pod", "", "v1", "Pod", true, "po", false, true)                          \
  X(SERVICES, "services", "service", "", "v1", "Service", true, "svc", false, true)         \
  X(CONFIGMAPS, "configmaps", "configmap", "", "v1", "ConfigMap", true, "cm", false, false)  \
  X(SECRETS, "secrets", "secret", "", "v1", "Secret", true, "", false, false)               \
  X(EVENTS, "events", "event", "", "v1", "Event", true, "ev", false, false)                 \
  X(DEPLOYMENTS, "deployments", "deployment", "apps", "v1", "Deployment", true, "deploy",   \
    true, true)                                                                             \
  X(REPLICASETS, "replicasets", "replicaset", "apps", "v1", "ReplicaSet", true, "rs", true,  \
    true)                                                                                   \
  X(JOBS, "jobs", "job", "batch", "v1", "Job", true, "", true, true)                        \
  X(LEASES, "leases", "lease", "coordination.k8s.io", "v1", "Lease", true, "", false, false) \
  X(SERVICEACCOUNTS, "serviceaccounts", "serviceaccount", "", "v1", "ServiceAccount", true, "sa", false, false) \
  X(ROLES, "roles", "role", "rbac.authorization.k8s.io", "v1", "Role", true, "", false, false) \
  X(ROLEBINDINGS, "rolebindings", "rolebinding", "rbac.authorization.k8s.io", "v1", "RoleBinding", true, "", false, \
    false)                                                                                  \
  X(CLUSTERROLES, "clusterroles", "clusterrole", "rbac.authorization.k8s.io", "v1", "ClusterRole", false, "", false, \
    false)                                                                                  \
  X(CLUSTERROLEBINDINGS, "clusterrolebindings", "clusterrolebinding", "rbac.authorization.k8s.io", "v1",              \
    "ClusterRoleBinding", false, "", false, false)

typedef enum {
#define X(e, ...) SIMR_##e,
  SIM_RESOURCES(X)
#undef X
  SIMR_COUNT
} simr_kind;

typedef struct {
  const char *plural, *singular, *group, *version, *kind;
  bool namespaced;
  const char *short_name; /* "" when none */
  bool has_generation;
  bool in_all;
} simr_info;

/* The subresources: X(resource ENUM, name, response group, version, Kind, verbs (JSON array)). */
#define SIM_SUBRESOURCES(X)                                                                  \
  X(DEPLOYMENTS, "scale", "autoscaling", "v1", "Scale", "[\"get\",\"patch\",\"update\"]")     \
  X(DEPLOYMENTS, "status", "apps", "v1", "Deployment", "[\"get\",\"patch\",\"update\"]")      \
  X(REPLICASETS, "scale", "autoscaling", "v1", "Scale", "[\"get\",\"patch\",\"update\"]")     \
  X(REPLICASETS, "status", "apps", "v1", "ReplicaSet", "[\"get\",\"patch\",\"update\"]")      \
  X(PODS, "log", "", "v1", "Pod", "[\"get\"]")                                               \
  X(PODS, "status", "", "v1", "Pod", "[\"get\",\"patch\",\"update\"]")                        \
  X(PODS, "eviction", "policy", "v1", "Eviction", "[\"create\"]")                                  \
  X(SERVICES, "proxy", "", "v1", "ServiceProxyOptions",                                      \
    "[\"create\",\"delete\",\"get\",\"patch\",\"update\"]")                                   \
  X(JOBS, "status", "batch", "v1", "Job", "[\"get\",\"patch\",\"update\"]")

/* Returns the description of a resource kind (borrowed, static). */
const simr_info *sim_res_info_of(simr_kind k);
/* Returns the kind served as `plural` in group/version, or -1. */
int sim_res_find(const char *group, const char *version, const char *plural);
/* Returns the kind whose Kind or plural/singular/short name is `name` (case-insensitive), or -1. */
int sim_res_find_name(const char *name);
/* Returns "apps/v1" or "v1" (static). */
const char *sim_res_api_version(simr_kind k);
/* Returns "deployments.apps" or "configmaps" — the name used in Status messages (static). */
const char *sim_res_qualified(simr_kind k);

#endif
