/* kube_rbac.h — what every cluster action sends, as RBAC rules: the one table of action →
 * requests (verbs × API groups × resources × subresources) that `rbk rbac` turns into a Role and
 * docs/actions.md ("RBAC") lists, kept here beside the actions that send them.
 *
 * Ownership: the tables are static. A kube_rbac owns its entries and notes (kube_rbac_free); the
 * strings passed to kube_rbac_add* are copied.
 */
#ifndef RBK_KUBE_RBAC_H
#define RBK_KUBE_RBAC_H

#include <stdbool.h>
#include <stdio.h>

#include "kube_kinds.h"
#include "sig.h"

/* Verbs, in the order a rule lists them: X(ID, "verb"). */
#define KUBE_RBAC_VERBS(X) \
  X(GET, "get") X(LIST, "list") X(WATCH, "watch") X(CREATE, "create") X(UPDATE, "update") X(PATCH, "patch") X(DELETE, "delete")

enum {
#define X(id, name) KRB_BIT_##id,
  KUBE_RBAC_VERBS(X)
#undef X
  KRB_NVERBS
};
enum {
#define X(id, name) KRB_##id = 1u << KRB_BIT_##id,
  KUBE_RBAC_VERBS(X)
#undef X
};

/* A row's resource: the action's own target kind (the ref's, the list's kind, the object's). */
#define KRB_TARGET KK__COUNT

/* Every request of every cluster action, once:
 * X(SIG, resource (KRB_TARGET or a KK_ kind id), "subresource", verbs, named, "what is sent")
 * `named`: the rule may name the target (resourceNames) — never for list, watch and create, which
 * Kubernetes authorises without a name; a fixed kind is named only when the target is of that kind.
 * Endpoint actions count only on a service() handle (the API server's service proxy). */
#define KUBE_RBAC_REQUESTS(X)                                                                                   \
  X(K_GET, KRB_TARGET, "", KRB_GET, true, "GET the object")                                                     \
  X(K_EXISTS, KRB_TARGET, "", KRB_GET, true, "GET the object")                                                  \
  X(K_LIST, KRB_TARGET, "", KRB_LIST, false, "GET the collection, page by page")                               \
  X(K_HISTORY, KRB_TARGET, "", KRB_GET, true, "GET the deployment")                                             \
  X(K_HISTORY, KK_REPLICASET, "", KRB_LIST, false, "GET its ReplicaSets by selector")                           \
  X(K_ROLLOUT_STATUS, KRB_TARGET, "", KRB_GET, true, "GET the deployment")                                      \
  X(K_ROLLOUT_STATUS, KRB_TARGET, "", KRB_LIST | KRB_WATCH, false, "list + watch by metadata.name")            \
  X(K_ROLLOUT_STATUS, KK_POD, "", KRB_LIST, false, "the new ReplicaSet's pods, every 5 s")                      \
  X(K_WAIT_DELETED, KRB_TARGET, "", KRB_LIST | KRB_WATCH, false, "list + watch with the selector")             \
  X(K_WAIT_READY, KRB_TARGET, "", KRB_LIST | KRB_WATCH, false, "list + watch with the selector")               \
  X(K_EVENTS, KK_EVENT, "", KRB_LIST, false, "GET events with a field selector")                               \
  X(K_ROLLOUT_UNDO, KRB_TARGET, "", KRB_GET | KRB_PATCH, true, "GET, one json PATCH, GET to read back")         \
  X(K_ROLLOUT_UNDO, KK_REPLICASET, "", KRB_LIST, false, "GET its ReplicaSets by selector")                      \
  X(K_ROLLOUT_RESTART, KRB_TARGET, "", KRB_GET | KRB_PATCH, true, "GET, strategic PATCH, GET to read back")     \
  X(K_SCALE, KRB_TARGET, "", KRB_GET, true, "GET the object")                                                   \
  X(K_SCALE, KRB_TARGET, "scale", KRB_GET | KRB_PATCH, true, "merge PATCH of …/scale, GET to read back")        \
  X(K_PATCH, KRB_TARGET, "", KRB_GET | KRB_PATCH, true, "GET, PATCH, GET to read back")                         \
  X(K_APPLY, KRB_TARGET, "", KRB_GET | KRB_PATCH, true, "GET, merge PATCH when it exists")                      \
  X(K_APPLY, KRB_TARGET, "", KRB_CREATE, false, "POST when it does not")                                        \
  X(K_CREATE, KRB_TARGET, "", KRB_CREATE, false, "POST")                                                        \
  X(K_CREATE, KRB_TARGET, "", KRB_GET, true, "GET to read back a lost answer; a resumed run's check")           \
  X(K_DELETE, KRB_TARGET, "", KRB_GET | KRB_DELETE, true, "DELETE, GET to read back")                           \
  X(K_JOB, KK_JOB, "", KRB_CREATE, false, "POST the Job")                                                       \
  X(K_JOB, KK_JOB, "", KRB_GET, false, "GET to read back; a resumed run's check (generateName: name-xxxxx)")    \
  X(K_JOB, KK_JOB, "", KRB_LIST | KRB_WATCH, false, "list + watch the Job by name")                             \
  X(K_JOB, KK_POD, "", KRB_LIST, false, "list its pods (job-name=)")                                            \
  X(K_JOB, KK_POD, "log", KRB_GET, false, "GET the newest pod's log")                                           \
  X(K_LOGS, KK_POD, "log", KRB_GET, true, "GET the pod's log (a Job's ref: each of its pods')")                  \
  X(K_LOGS, KK_POD, "", KRB_LIST, false, "a Job's ref: list its pods (job-name=)")                               \
  X(K_EXEC, KRB_TARGET, "", KRB_GET, true, "a workload's ref: GET it, as kubectl exec does")                      \
  X(K_EXEC, KK_POD, "", KRB_LIST, false, "a workload's ref: list its pods by its selector")                      \
  X(K_EXEC, KK_POD, "exec", KRB_GET | KRB_CREATE, true, "the exec subresource: its WebSocket upgrade is a GET "  \
                                                         "(get); create, which API servers also ask of it")      \
  X(E_GET, KK_SERVICE, "proxy", KRB_GET, true, "GET through the service proxy")                                 \
  X(E_POST, KK_SERVICE, "proxy", KRB_CREATE, true, "POST through the service proxy")                            \
  X(E_PUT, KK_SERVICE, "proxy", KRB_UPDATE, true, "PUT through the service proxy")                              \
  X(E_DELETE, KK_SERVICE, "proxy", KRB_DELETE, true, "DELETE through the service proxy")

/* The run lock (lease.h), in the namespace of the plan's first kube() handle:
 * X(verbs, named, "what is sent"); named: the Lease rbk-<runbook id>. */
#define KUBE_RBAC_LEASE(X)                                                                      \
  X(KRB_CREATE, false, "POST the Lease to acquire")                                             \
  X(KRB_GET | KRB_UPDATE | KRB_DELETE, true, "GET on conflict, PUT to renew or take over, DELETE to release")

/* One row of KUBE_RBAC_REQUESTS. */
typedef struct {
  sig_id action;
  int kind; /* KRB_TARGET or a kube_kind_id */
  const char *sub;
  unsigned verbs;
  bool named;
  const char *doc;
} kube_rbac_row;

/* Returns the rows of KUBE_RBAC_REQUESTS; *n is set to their count. */
const kube_rbac_row *kube_rbac_rows(size_t *n);

/* Returns the verb's name ("get") for one KRB_ bit index. */
const char *kube_rbac_verb_name(int bit);

typedef struct kube_rbac kube_rbac;

/* Returns an empty rule set, or NULL when out of memory. Caller frees with kube_rbac_free(). */
kube_rbac *kube_rbac_new(void);
/* Frees the set; NULL is fine. */
void kube_rbac_free(kube_rbac *r);

/* Adds the requests of cluster or endpoint action `action` in namespace `ns` (NULL: unknown before
 * the run; ignored for cluster-scoped kinds). `kind` is the target's kind (NULL for actions whose
 * rows are all fixed kinds), `name` the target's name or the service's "name:port" (NULL: unknown
 * or none — no resourceNames). `note` (NULL or a line, copied) is printed as a YAML comment on the
 * scope's rules. Returns false when out of memory. */
bool kube_rbac_add_action(kube_rbac *r, sig_id action, const char *ns, const kube_kind *kind, const char *name,
                          const char *note);
/* Adds the run lock's Lease `lease` (lease_name()) in namespace `ns`. Returns false when out of memory. */
bool kube_rbac_add_lease(kube_rbac *r, const char *ns, const char *lease);

/* Writes the YAML documents: ServiceAccount `sa_name` in `sa_ns`; per namespace a Role and a
 * RoleBinding named `sa_name`; a ClusterRole and ClusterRoleBinding for cluster-scoped kinds and for
 * namespaces unknown before the run. `header` (NULL or lines without "# ") opens the output. */
void kube_rbac_write_yaml(const kube_rbac *r, const char *sa_ns, const char *sa_name, const char *header, FILE *out);

#endif
