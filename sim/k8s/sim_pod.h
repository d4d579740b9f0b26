/* sim_pod.h — pod life in virtual time, shared by the pod files (internal).
 *
 * A pod's status is a pure function of its runtime record (creation time, faults, job outcome,
 * deletion) and the current time, so that any sequence of sim_advance calls gives the same pods.
 *
 * Ownership: the world, pods and containers are borrowed; simpod_cstate's state/last_state are new
 * references (caller decrefs); sim_pod_fault returns a borrowed string ("" when none); sim_pod_rt
 * returns the pod's runtime record borrowed from the world.
 */
#ifndef RBK_SIM_POD_H
#define RBK_SIM_POD_H

#include "sim_world.h"

/* One container's state at a time. */
typedef struct {
  json_t *state;      /* new: {"waiting":…} | {"running":…} | {"terminated":…} */
  json_t *last_state; /* new or NULL */
  bool ready, started, terminated;
  int restarts, exit_code;
  int64_t next;        /* next transition (virtual ms), INT64_MAX when none */
  int64_t ready_since; /* when it became ready */
  const char *stage;   /* Creating, ErrImagePull, ImagePullBackOff, Running, Ready, Unready,
                          CrashLoopBackOff, Completed, Error */
} simpod_cstate;

/* Computes the state of container c (index i) of a pod at time t. */
void sim_pod_container_at(sim_world *w, const json_t *pod, const json_t *rt, const json_t *c, int64_t t,
                          simpod_cstate *cs);
/* Returns the pod's runtime record (borrowed) or NULL. */
json_t *sim_pod_rt(sim_world *w, const json_t *pod);
/* Emits the events for a container moving from stage `from` to `to`. */
void sim_pod_events(sim_world *w, const json_t *pod, const json_t *c, const char *from, const char *to);

/* ---- pods of the controllers (sim_pod.c) ---- */

/* Creates a pod from a template for an owner (RS or Job); returns the stored pod, or NULL when the
 * template's serviceAccountName does not exist (a FailedCreate event on the owner, a retry in 10 s). */
const json_t *sim_pod_create(sim_world *w, simr_kind owner_res, const json_t *owner, const json_t *tmpl);
/* Starts the graceful deletion of a pod (grace_ms < 0: the pod's own grace period). Returns the
 * stored pod (or NULL when it was removed at once). */
const json_t *sim_pod_delete(sim_world *w, const json_t *pod, int64_t grace_ms);
/* Returns true when the pod is Ready. */
bool sim_pod_ready(const json_t *pod);
/* Returns true when the pod is being deleted. */
bool sim_pod_terminating(const json_t *pod);

#endif
