/* live_actions.h — the actions of `rbk plan --live`: the plan's reads go to the real cluster and
 * endpoints, its Kubernetes writes go as the API server's dry runs, and nothing else is sent.
 *
 * Over actions_kube (libcurl, the kubeconfig chosen by --kubeconfig/--context like rbk run) whose
 * transport is live_http.h (reads pass, API writes get dryRun=All, any other write is refused):
 *  - reads (get, list, exists, history, events, logs, endpoint get) run as in a run;
 *  - rollout_undo, rollout_restart, scale, patch, apply, create and delete run as in a run, their
 *    writes as dry runs: each one's changed fields (live_diff.h) are reported, and a refusal by the
 *    server (validation 422, RBAC 403, 404, a conflict) fails the action as it would fail the run;
 *    a rollout_undo also says "rollout_undo deployment/x: revision 13 (IMAGE) → 12 (IMAGE)";
 *  - rollout_status, wait_ready and wait_deleted are not waited: the object (or the matching list)
 *    is read once and reported; they return null;
 *  - job(), exec(), run(), write_file() and endpoint post/put/delete are not sent ("would …") and
 *    return null; notifications are not sent (the engine's notify event shows them);
 *  - no run lock is taken (taking it is a write).
 * Every line to report is passed to `note` with the dry-run graph node of the action it belongs to.
 * The engine runs on a virtual clock (waits take no time); while a request is in flight,
 * next_event is "now" and poll waits for real I/O.
 *
 * Ownership: the options' strings are copied by actions_kube. Free with the interface's free().
 */
#ifndef RBK_LIVE_ACTIONS_H
#define RBK_LIVE_ACTIONS_H

#include <stddef.h>

#include "actions.h"

typedef struct {
  const char *kubeconfig;   /* --kubeconfig, or NULL */
  const char *context;      /* --context, or NULL */
  size_t max_response;      /* the longest answer accepted; 0: the default */
  /* Receives the report lines: node (the action's graph node id, or NULL) and text (borrowed). */
  void (*note)(void *user, const char *node, const char *text);
  void *user;
} live_actions_opts;

/* Returns the preview's actions, or NULL with *err set (caller frees). */
rbk_actions *live_actions_new(const live_actions_opts *o, char **err);

/* Returns the number of dry-run writes the API server accepted so far. */
size_t live_actions_writes(const rbk_actions *a);

#endif
