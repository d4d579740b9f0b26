/* lease.h — the run lock: a coordination.k8s.io/v1 Lease "rbk-<runbook id>" in the plan's
 * namespace, taken before a run, renewed every 20 s while it runs, released at the end.
 *
 * acquire: POST the Lease (holderIdentity = "operator@host/run-id pid=PID boot=BOOT_ID", see
 * procid.h; leaseDurationSeconds 60, acquireTime/renewTime as MicroTime, leaseTransitions 0). On
 * 409 AlreadyExists the Lease is read: held by us → renewed and kept; held by an rbk process of
 * this host that no longer lives (its pid is gone, or the host rebooted since: another boot id) →
 * taken over at once; held by someone else and renewed within its duration → refused ("run lock
 * rbk-x is held by alice@h/run-1 … since 2026-…Z (renewed 2026-…Z)"; a live holder of the same
 * run id: "… which is still running this run"); expired → taken over when steal (--steal-lock)
 * or when the holder ran the same run id (a resume from another host), else refused. A takeover
 * PUTs the Lease with our holder, a new acquireTime and leaseTransitions + 1 under the read
 * resourceVersion (409 → refused: someone else won).
 * renew: GET, then PUT with a new renewTime under the read resourceVersion; a Lease now held by
 * someone else fails ("run lock … was taken over by …"). release: GET, then DELETE with a
 * resourceVersion precondition, only when we hold it; a missing Lease is fine.
 *
 * The operations go through the same actions (and so the same transport, credentials and
 * clock) as the plan's cluster actions; done receives an object {lease, holder, acquired_at} on
 * success. lease_keep renews in the background of the actions' own poll loop.
 *
 * Ownership: strings are copied; the cluster handle is borrowed for the call. */
#ifndef RBK_LEASE_H
#define RBK_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "actions.h"

typedef struct {
  const char *runbook_id;  /* the lease is "rbk-<runbook id>" */
  const char *holder;      /* operator@host/run-id pid=PID boot=BOOT_ID (procid_holder_new) */
  bool steal;              /* --steal-lock: take an expired lease */
  int duration_s;          /* leaseDurationSeconds; 0 → 60 */
  int timeout_ms;          /* the operation's whole time (reads, write, retries); 0 → 30 s */
} lease_opts;

typedef enum { LEASE_ACQUIRE, LEASE_RENEW, LEASE_RELEASE } lease_verb;

/* Returns the run lock's Lease name for a runbook id: "rbk-" and the id lower-cased, characters
 * other than letters, digits and dots as "-", at most 63 in all. Caller frees; NULL out of memory. */
char *lease_name(const char *id);

/* Starts a lease operation on `cluster` (a kube() handle of actions made by actions_kube_new);
 * returns its id, or 0 with *err set. done is called from the actions' poll(). */
uint64_t lease_start(rbk_actions *a, rbk_value *cluster, lease_verb verb, const lease_opts *o, int64_t now_ms,
                     act_done_fn done, void *user, char **err);

/* Runs a lease operation to completion, driving the actions' loop (virtual time: jumping to
 * next_event; real time: polling). Returns true, or false with *err set (caller frees). */
bool lease_run(rbk_actions *a, rbk_value *cluster, lease_verb verb, const lease_opts *o, int64_t *now_ms,
               bool virtual_time, char **err);

/* Renews the lease every 20 s from inside the actions' poll loop until lease_stop(); a failed
 * renewal is reported to warn (one line). Returns false when a is not actions_kube. */
bool lease_keep(rbk_actions *a, rbk_value *cluster, const lease_opts *o,
                void (*warn)(void *user, const char *message), void *user);
/* Stops renewing. */
void lease_stop(rbk_actions *a);

#endif
