/* sim_world.h — the simulator's internal state, shared by its modules (not a public header).
 *
 * Ownership: the world owns every json_t it points to. Controller functions read borrowed objects
 * from the store and write new copies back through the store. */
#ifndef RBK_SIM_WORLD_H
#define RBK_SIM_WORLD_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include <jansson.h>

#include "plant.h"
#include "sim.h"
#include "sim_memo.h"
#include "sim_res.h"
#include "sim_store.h"
#include "sim_timers.h"
#include "sim_util.h"

/* How fast pods move, in virtual ms (scenario "cluster.timing"). */
typedef struct {
  int64_t schedule, pull, start, ready, stop, crash_after, backoff_base, backoff_max, bookmark_every;
  int64_t job_duration;
} simw_timing;

/* Faults injected into the API (scenario "faults"). */
typedef struct {
  double error_rate, drop_rate;
  json_t *error_codes;    /* array of ints (500, 503, 429, …) */
  int64_t latency_min, latency_max, retry_after_s;
  json_t *conflicts;      /* array of {resource, namespace, name, times}; times counts down */
  json_t *stuck;          /* array of deployment names whose new pods never become ready */
  json_t *lost;           /* array of {method, path, times}: writes applied, their answer dropped */
} simw_faults;

struct sim_world {
  json_t *scenario;
  sims_store st;
  sim_rng rng;            /* pod names and faults */
  int64_t now;            /* virtual ms since the start */
  int64_t epoch_ms;       /* wall clock of virtual 0 */
  int64_t next_wake;      /* earliest pending controller timer (virtual ms) */
  uint64_t reconciled_rv; /* store rv when the controllers last reached a fixpoint */
  simm_table memo[SIMR_COUNT]; /* per controlled kind: each object's last quiet sync */
  int64_t recheck;        /* during one sync: the earliest time it may act by itself */
  uint64_t gc_seen;       /* the owner kinds' latest write when the collector last found nothing */
  bool gc_full;           /* the next collection looks at every dependent (after sim_world_forget) */
  simt_heap due;          /* memo recheck times: the objects to visit when their time comes */
  simt_heap wakes;        /* memo wake times: the earliest is the world's next timer */
  bool sync_all;          /* sync every object on every pass, skipping nothing (tests compare) */
  uint64_t syncs;         /* objects synced so far (tests count them) */
  bool booting;           /* building the initial cluster: pods start ready, no events */
  simw_timing timing;
  int max_replicas;       /* the most pods one workload may ask for (cluster.max_replicas; SIM_VALID_MAX_REPLICAS) */
  simw_faults faults;
  json_t *images;         /* image → {"fault": …, "logs": …} */
  json_t *job_rules;      /* array of {match, duration, exit, logs} */
  json_t *pod_rt;         /* "ns/name" → pod runtime {created, deleting, remove_at, exit, logs, …} */
  json_t *deploy_rt;      /* deployment uid → {progress_ms} */
  json_t *event_index;    /* aggregation key → "ns/name" of the Event */
  json_t *event_akey;     /* "ns/name" of an Event → the aggregation key it was created under */
  json_t *event_order;    /* FIFO of Event keys, to bound their number */
  uint64_t event_seq;
  json_t *tokens;         /* accepted bearer tokens (empty: accept all) */
  json_t *token_sa;       /* bearer token → "ns/name" of the ServiceAccount it authenticates (RBAC applies) */
  json_t *backends;       /* service name → backend name ("plant") */
  plant_world *plant;
  plant_cluster_view view;
  int64_t plant_ticked;   /* virtual ms of the last plant_tick */
  FILE *request_log;      /* sim_set_request_log (borrowed), or NULL */
};

/* Returns the wall-clock epoch ms of virtual time t. */
static inline int64_t simw_wall(const sim_world *w, int64_t t) { return w->epoch_ms + t; }

/* Lowers w->next_wake to t when t is in the future. */
static inline void simw_wake_at(sim_world *w, int64_t t) {
  if (t > w->now && t < w->next_wake) w->next_wake = t;
}

/* Lowers w->recheck to t: the sync being run may act by itself at t without setting a timer (a
 * job container's end while its image cannot be pulled). */
static inline void simw_recheck_at(sim_world *w, int64_t t) {
  if (t < w->recheck) w->recheck = t;
}

/* Returns the RFC 3339 text of the current time into out[32]. */
void sim_world_now_text(const sim_world *w, char out[32]);

/* ---- controllers (sim_deploy.c, sim_world_rs.c, sim_world_job.c, sim_pod.c) ---- */

/* The controllers in the order a reconcile pass runs them: X(kind, sync function, whether the
 * sync reads the object's dependents). Each sync function syncs one stored object (borrowed) at
 * w->now, writing changes through the store and calling simw_wake_at for future transitions; it
 * reads nothing but the object, its dependents, its runtime record and the time (sim_world_reconcile.c
 * relies on this to skip objects whose inputs did not change). */
#define SIMW_CONTROLLERS(X)                                \
  X(DEPLOYMENTS, sim_deploy_sync, true)                    \
  X(REPLICASETS, sim_world_sync_replicaset, true)          \
  X(JOBS, sim_world_sync_job, true)                        \
  X(PODS, sim_pod_sync, false)

#define X(kind, fn, deps) void fn(sim_world *w, const json_t *obj);
SIMW_CONTROLLERS(X)
#undef X
/* The garbage collector: deletes ReplicaSets and Pods whose controller owner is gone. */
void sim_world_gc(sim_world *w);
/* The garbage collector over the store's candidates (st.gc_cand, taken): deletes those that
 * sim_world_gc would delete, in the same order. */
void sim_world_gc_some(sim_world *w);

/* Returns true when the object has a controller ownerReference to uid. */
bool sim_world_owned_by(const json_t *obj, const char *uid);
/* Returns a new array of the objects of kind res in ns controlled by owner_uid. */
json_t *sim_world_owned(sim_world *w, simr_kind res, const char *ns, const char *owner_uid);
/* Writes the stored object obj (kind res) with the status st (takes st), unless its status already
 * equals st; returns the stored object (NULL when obj is NULL). */
const json_t *sim_world_write_status(sim_world *w, simr_kind res, const json_t *obj, json_t *st);
/* Returns a copy of the stored object obj to change and write (sim_store_edit) whose status is its own
 * (a deep copy, or a new empty object), borrowed in *status. */
json_t *sim_world_edit_status(const json_t *obj, json_t **status);
/* Returns {"apiVersion","kind","name","uid","controller":true,"blockOwnerDeletion":true} (new). */
json_t *sim_world_owner_ref(simr_kind res, const json_t *owner);

/* Records an Event about obj (kind res): aggregated by (object, reason, message). */
void sim_world_event(sim_world *w, simr_kind res, const json_t *obj, const char *type, const char *reason,
                     const char *component, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* ---- reconciling (sim_world_reconcile.c) ---- */

/* Runs the controllers at w->now until nothing changes. */
void sim_world_reconcile(sim_world *w);
/* Forgets what the controllers saw, so the next pass syncs every object. */
void sim_world_forget(sim_world *w);

#endif
