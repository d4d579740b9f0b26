/* run_actions.h — the actions of a real `rbk run`: the cluster, endpoint, local and notification
 * actions of stdlib/actions_kube.h over libcurl, with the kubeconfig chosen by --kubeconfig and
 * --context (else KUBECONFIG, ~/.kube/config, in-cluster; docs/kubeconfig.md), inside the run
 * lock (stdlib/lease.h).
 *
 * The run lock is the Lease "rbk-<runbook id>" in the namespace of the first kube() handle the
 * plan constructs. That namespace is an argument evaluated at run time (usually a param), so the
 * lock is taken when that handle is made: its acquisition starts at once (the handle itself does
 * no I/O), and every action the plan starts from then on waits until the lock is held. A refused
 * lock fails those actions — and every later one — with the lock's message ("run lock rbk-x is
 * held by alice@h1/run-1 since …"), so the plan fails (exit 1) before it changes anything;
 * notifications still go out. Actions started before the first kube() handle exists (a local
 * run(), an endpoint read) run without the lock. While held, the lock is renewed every 20 s from
 * the actions' poll loop; run_actions_release gives it back at the end of the run.
 *
 * Ownership: the options' strings are copied; the clock is borrowed and must outlive the actions.
 * Free the actions with their interface's free() (after run_actions_release). */
#ifndef RBK_RUN_ACTIONS_H
#define RBK_RUN_ACTIONS_H

#include <stdbool.h>

#include "actions.h"
#include "clock.h"

typedef struct {
  const char *kubeconfig;   /* --kubeconfig (kube(kubeconfig:) wins), or NULL */
  const char *context;      /* --context (kube(context:) wins), or NULL */
  bool lock;                /* take the run lock (false: --no-lock) */
  bool steal_lock;          /* --steal-lock: take over an expired lock */
  const char *runbook_id;   /* the lock is "rbk-<runbook id>" */
  const char *holder;       /* operator@host/run-id */
  rbk_clock *clock;         /* the engine's clock (borrowed) */
  /* Receives one line per problem found while the plan runs (a failed renewal); NULL: stderr. */
  void (*warn)(void *user, const char *message);
  void *warn_user;
  size_t max_response;      /* --max-response: the longest API answer accepted; 0: 16 MiB */
} run_actions_opts;

/* Returns the actions of a real run, or NULL with *err set (caller frees). */
rbk_actions *run_actions_new(const run_actions_opts *o, char **err);

/* How long the release of the run lock may take at the end of a run (ms): the exit never waits
 * longer for a slow server, so the process exits within 1 s of the run's last line (the rest of
 * the second is for freeing and closing). The release is started right after the run's end, when
 * the requests the run abandoned have been cancelled: their pool's room is free, so its requests
 * go out at once and the time is spent only on the server's answers (against `rbk sim` busy
 * with 1,000 abandoned rollouts it takes 10-30 ms). A lock left behind is taken over at once by
 * the next run of this host (its holder's pid is gone), elsewhere after it expires. */
#define RUN_ACTIONS_RELEASE_MS 900

/* Stops renewing the run lock and releases it when this run holds it. Returns true (also when
 * no lock was taken), or false with *err set (caller frees). */
bool run_actions_release(rbk_actions *a, char **err);

/* Returns the runbook id of a plan for its lock: the runbook block's id, else the file's base
 * name without ".rbk". Caller frees. */
char *run_actions_runbook_id(const char *runbook_id, const char *plan_file);

#endif
