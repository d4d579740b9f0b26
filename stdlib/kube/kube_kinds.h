/* kube_kinds.h — the one table of Kubernetes kinds rbk's refs name: "kind/name" → API path.
 *
 * A kind is matched case-insensitively by its singular name (deployment), its plural
 * (deployments), its short names (deploy) or its Kind (Deployment).
 *
 * Ownership: the kind table is static (kube_kind pointers are never freed); a kube_ref owns its name
 * (kube_kinds_ref_clear); the char * results are new strings (caller frees).
 */
#ifndef RBK_KUBE_KINDS_H
#define RBK_KUBE_KINDS_H

#include <stdbool.h>

/* X(ID, "singular", "plural", "Kind", "group/version" ("v1" for the core group), namespaced,
 *   "short names, comma-separated") */
#define KUBE_KINDS(X)                                                                           \
  X(DEPLOYMENT, "deployment", "deployments", "Deployment", "apps/v1", true, "deploy")           \
  X(REPLICASET, "replicaset", "replicasets", "ReplicaSet", "apps/v1", true, "rs")               \
  X(STATEFULSET, "statefulset", "statefulsets", "StatefulSet", "apps/v1", true, "sts")          \
  X(DAEMONSET, "daemonset", "daemonsets", "DaemonSet", "apps/v1", true, "ds")                   \
  X(POD, "pod", "pods", "Pod", "v1", true, "po")                                                \
  X(SERVICE, "service", "services", "Service", "v1", true, "svc")                               \
  X(CONFIGMAP, "configmap", "configmaps", "ConfigMap", "v1", true, "cm")                        \
  X(SECRET, "secret", "secrets", "Secret", "v1", true, "")                                      \
  X(SERVICEACCOUNT, "serviceaccount", "serviceaccounts", "ServiceAccount", "v1", true, "sa")    \
  X(PVC, "persistentvolumeclaim", "persistentvolumeclaims", "PersistentVolumeClaim", "v1", true, "pvc") \
  X(EVENT, "event", "events", "Event", "v1", true, "ev")                                        \
  X(ENDPOINTS, "endpoints", "endpoints", "Endpoints", "v1", true, "ep")                         \
  X(NAMESPACE, "namespace", "namespaces", "Namespace", "v1", false, "ns")                       \
  X(NODE, "node", "nodes", "Node", "v1", false, "no")                                           \
  X(JOB, "job", "jobs", "Job", "batch/v1", true, "")                                            \
  X(CRONJOB, "cronjob", "cronjobs", "CronJob", "batch/v1", true, "cj")                          \
  X(LEASE, "lease", "leases", "Lease", "coordination.k8s.io/v1", true, "")                      \
  X(INGRESS, "ingress", "ingresses", "Ingress", "networking.k8s.io/v1", true, "ing")            \
  X(HPA, "horizontalpodautoscaler", "horizontalpodautoscalers", "HorizontalPodAutoscaler", "autoscaling/v2", true, "hpa") \
  X(PDB, "poddisruptionbudget", "poddisruptionbudgets", "PodDisruptionBudget", "policy/v1", true, "pdb")

typedef enum {
#define X(id, s, p, k, gv, nsd, sh) KK_##id,
  KUBE_KINDS(X)
#undef X
  KK__COUNT
} kube_kind_id;

typedef struct {
  kube_kind_id id;
  const char *singular, *plural, *kind, *group_version;
  bool namespaced;
  const char *short_names;
} kube_kind;

/* Returns the kind named `name` (any spelling above), or NULL. */
const kube_kind *kube_kinds_find(const char *name);
/* Returns the table entry of id. */
const kube_kind *kube_kinds_get(kube_kind_id id);
/* Returns the kind of an object's apiVersion + kind ("apps/v1", "Deployment"), or NULL. */
const kube_kind *kube_kinds_of(const char *api_version, const char *kind);

/* A parsed "kind/name" reference. */
typedef struct {
  const kube_kind *kind;
  char *name;
} kube_ref;

/* Returns true after parsing "kind/name" (also "kind name"); false with *err set (caller frees)
 * naming the problem ("unknown kind \"deploymnt\" in ref \"deploymnt/x\""). r->name is owned. */
bool kube_kinds_ref_parse(const char *text, kube_ref *r, char **err);
/* Releases a ref's name. */
void kube_kinds_ref_clear(kube_ref *r);

/* Returns the API path of a collection ("/apis/apps/v1/namespaces/NS/deployments") or, with
 * name, of one object; ns is ignored for cluster-scoped kinds. Caller frees. */
char *kube_kinds_path(const kube_kind *k, const char *ns, const char *name);

/* Returns s percent-encoded for a query value. Caller frees. */
char *kube_kinds_query_escape(const char *s);

#endif
