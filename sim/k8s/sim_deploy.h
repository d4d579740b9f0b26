/* sim_deploy.h — shared between the Deployment controller's files (internal).
 *
 * Ownership: the world, the Deployment and the ReplicaSets read from the store are borrowed; dsync.rss
 * is a new array the sync owns (decref'd when it ends).
 */
#ifndef RBK_SIM_DEPLOY_H
#define RBK_SIM_DEPLOY_H

#include "sim_world.h"

#define ANN_REVISION "deployment.kubernetes.io/revision"
#define ANN_HISTORY "deployment.kubernetes.io/revision-history"
#define ANN_DESIRED "deployment.kubernetes.io/desired-replicas"
#define ANN_MAX "deployment.kubernetes.io/max-replicas"

/* The deployment being synced and what the controller found. */
typedef struct {
  sim_world *w;
  const json_t *d;
  const char *ns, *name, *uid;
  json_t *rss;          /* owned ReplicaSets (new array) */
  const json_t *new_rs; /* borrowed from the store; refreshed after writes */
  int replicas, surge, unavailable;
  bool created_rs;
} dsync;

/* Returns a ReplicaSet's revision annotation as a number (0 when absent). */
long sim_deploy_revision(const json_t *rs);
/* Returns an integer status counter (0 when omitted, as the API server omits zeros). */
int sim_deploy_counter(const json_t *obj, const char *path);
/* Writes the pod-template-hash of a template into out: the decimal FNV-1a hash of its semantic
 * form, each digit mapped to the safe alphabet, as Kubernetes does. */
void sim_deploy_template_hash(const json_t *tmpl, int collision, char out[11]);
/* Writes the deployment's revision annotation, status counters and conditions. */
void sim_deploy_status(dsync *s);

#endif
