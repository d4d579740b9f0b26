/* rehearse.h — `rbk test`: rehearsing a plan against the simulated plant in virtual time.
 *
 * rehearse_run does what `rbk run` does — load and check the plan, bind params, build the dry-run
 * graph, run the engine with the same events and exit codes — but the world is the simulator
 * (sim/sim.h) built from a scenario and a seed, the actions reach it in-process through the
 * simulator's transport backends (http_sim_new, proc_sim_new) and a kubeconfig document naming
 * the simulated API server (HTTP_SIM_KUBECONFIG), and the clock is virtual, starting at the scenario's
 * start_time. While it runs it records what a rehearsal case checks (rehearse_result): exit
 * code, failed step or gate, actions and mutating actions, notifications, warnings, and every
 * executed action whose node is not an action node of the dry-run graph ("the dry-run lied").
 * At the end it reads the simulated world (rehearse_world.c).
 *
 * Secrets: secret("NAME") reads --secret first, then the scenario's "plan_secrets", then the
 * environment (docs/rehearsal.md).
 *
 * Cases (rehearse_case.c): a sidecar file PLAN.test.json (or .yaml/.yml) beside a plan lists
 * rehearsals with expectations; rehearse_suite.c runs them and reports pass/fail.
 *
 * Ownership: rehearse_opts borrows everything; a rehearse_result owns its strings and JSON and is
 * released with rehearse_result_free.
 */
#ifndef RBK_REHEARSE_H
#define RBK_REHEARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "events.h"

/* The scenario a rehearsal uses when none is named. */
#define REHEARSE_DEFAULT_SCENARIO "bad-release"

/* The virtual-time cap when none is given: twice the runbook's deadline, or 24 h without one
 * (docs/rehearsal.md "Bounds"). */
#define REHEARSE_CAP_NO_DEADLINE_MS INT64_C(86400000)

typedef struct {
  const char *plan;                 /* the plan file */
  const char *scenario;             /* built-in name or JSON file; NULL → the default */
  char *const *assigns;             /* -p name=value texts */
  size_t nassigns;
  const char *const *approve;       /* --approve TEXT…, NULL-terminated, or NULL */
  bool yes;                         /* --yes */
  bool ignore_deadline;             /* --ignore-deadline: the runbook's deadline does not stop it */
  int64_t max_virtual_ms;           /* --max-virtual-time: the run stops (exit 1) when its virtual
                                       time would pass this; 0: REHEARSE_DEFAULT_CAP */
  bool has_seed;                    /* --seed given; else the scenario's "seed", else 1 */
  uint64_t seed;
  const char *const *secret_names;  /* --secret NAME=VALUE pairs, consulted first */
  const char *const *secret_values;
  size_t nsecrets;
  const json_t *process_stubs;      /* answers to run() (proc_sim_new); NULL: the scenario's */
  FILE *request_log;                /* every API request the world answers (sim_set_request_log), or NULL */
  size_t max_response;              /* the longest answer accepted (actions_kube_config); 0: 16 MiB */
  rbk_sink out;                     /* where the run's events go (out.h sinks); emit may be NULL */
  FILE *console;                    /* console() channel; NULL → stderr */
  FILE *diag;                       /* plan errors and setup errors; NULL → stderr */
} rehearse_opts;

typedef struct {
  int exit_code;          /* as rbk run: 0 ok, 1 failed, 3 aborted; 2 when nothing ran */
  char *error;            /* the error that ended the run or stopped its setup, or NULL */
  char *failed_step;      /* the step path (a › b) of the first step that failed, or NULL */
  char *failed_gate;      /* the title of the first gate that failed, or NULL */
  int actions;            /* action_start events */
  int mutating;           /* … of mutating actions */
  int warnings;           /* warning events */
  json_t *executed;       /* ["ACTION TARGET"] per action_start, in order */
  json_t *notifications;  /* [{"channel", "text"}] per notify event, in order */
  json_t *lies;           /* ["NODE ACTION TARGET: why"]: executed actions the graph lacks */
  json_t *world;          /* the simulated world at the end (rehearse_world), or NULL */
  char *scenario;         /* the scenario's name */
  uint64_t seed;          /* the seed used */
  int64_t elapsed_ms;     /* virtual time the run took */
  int64_t cap_ms;         /* the virtual-time cap it ran under */
  bool capped;            /* it was stopped there (exit 1; error says so, naming the plan) */
} rehearse_result;

/* Runs one rehearsal. Returns the exit code (also in r->exit_code); 2 after printing plan,
 * param or scenario errors to o->diag (then r->error says what). Fills *r either way; free it
 * with rehearse_result_free. */
int rehearse_run(const rehearse_opts *o, rehearse_result *r);

/* Frees what the result owns and zeroes it. */
void rehearse_result_free(rehearse_result *r);

struct sim_world;

/* Returns the simulated world's state at virtual time now_ms (the world is advanced there):
 * {"time", "deployments": {NAME: {"namespace", "replicas", "ready", "images": {IMAGE: n}}},
 *  "images": {NAME: IMAGE (the one image of its ready pods), or null when none is ready or they
 *  differ}, "plants": [{"plant_id", "name", "heat_status", "heat_loss"}] or null when the
 *  orchestrator does not answer, "plants_error", "heat_loss_plants", "plants_not_normal",
 *  "agents": {"connected", "total"} or null, "notifications": [{"time", "channel", "first_line"}]}.
 * `epoch_ms` is the wall time of the world's virtual 0. Caller owns the reference; NULL when
 * out of memory. */
json_t *rehearse_world(struct sim_world *w, int64_t now_ms, int64_t epoch_ms);

/* Prints the world (rehearse_world's JSON) for people, under a header naming the scenario, the
 * seed and the virtual time the run took. */
void rehearse_world_print(const json_t *world, const rehearse_result *r, FILE *out, bool color);

#endif
