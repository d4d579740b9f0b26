/* engine.h — runs a plan: one thread, one task per parallel branch, a clock, actions, events.
 *
 * engine_new compiles the program (already checked by check_program) to bytecode; engine_run
 * executes it to the end, emitting events to the sink, and returns the exit code of cli.h.
 * docs/engine.md describes the semantics: ordering, defaults, what cancels what.
 *
 * Ownership: the config and everything it points to (program, params, clock, actions, approver,
 * strings, lists) are borrowed and must outlive the engine. engine_new copies nothing it does not
 * need to own; errors it returns through *err are one line (caller frees).
 */
#ifndef RBK_ENGINE_H
#define RBK_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "actions.h"
#include "ast.h"
#include "clock.h"
#include "events.h"
#include "params.h"
#include "program.h"
#include "value.h"

/* An approval request, as the engine asks it. */
typedef struct {
  const char *question; /* the approve statement's question (rendered, masked) */
  const char *slug;     /* engine_slug(question) */
  const char *role;     /* `from "role"`, or NULL */
  int64_t timeout_ms;   /* -1 without timeout */
  const char *step;     /* the enclosing step path, or NULL */
  const char *node;     /* the dry-run graph node id, or NULL */
} rbk_approval_req;

/* Delivers a decision: approved or denied, by whom (borrowed) and how ("tty", …). */
typedef void (*approve_done_fn)(void *user, bool approved, const char *who, const char *how);

/* An interactive approver (the run shell's TTY prompt). The engine consults --yes and --approve
 * itself first; it asks the approver only for approvals those do not grant. Like actions, it is
 * asynchronous: ask() returns at once, and `done` is called from poll(), exactly once, unless
 * cancel() was called first (at the approval's timeout, or when the task is cancelled). */
typedef struct {
  void *self;
  /* Starts asking; returns an id (never 0). */
  uint64_t (*ask)(void *self, const rbk_approval_req *req, approve_done_fn done, void *user);
  /* Withdraws a question (its prompt is cleared); done will not be called. */
  void (*cancel)(void *self, uint64_t id);
  /* Delivers answers that are ready; never blocks (the engine polls at least every 100 ms while
   * a question is open). */
  void (*poll)(void *self, int64_t now_ms);
} rbk_approver;

/* Reads a name from the environment or the --secret overrides; returns borrowed text or NULL. */
typedef const char *(*engine_lookup_fn)(void *user, const char *name);
/* Returns the dry-run graph node id (borrowed) of `node` in context `ctx` (see plan_node_id in
 * plan.h, which this is meant to call), or NULL. */
typedef const char *(*engine_node_fn)(void *user, const ast_node *node, const char *ctx);

typedef struct {
  const param_set *params;      /* bound params (params_bind); values NULL → the default */
  rbk_clock *clock;             /* required */
  rbk_actions *actions;         /* required for plans that construct handles or call actions */
  rbk_sink sink;                /* sink.emit may be NULL (events dropped) */
  rbk_approver *approver;       /* NULL: non-interactive */
  bool yes;                     /* --yes: grant every approval */
  const char *const *approve;   /* --approve TEXT…: questions or slugs granted; NULL-terminated */
  engine_node_fn node_id;       /* NULL: events carry no node ids */
  void *node_user;
  const char *const *resume_done;     /* step keys (engine_step_key) completed by an earlier run
                                         of this plan: skipped; NULL-terminated or NULL */
  const char *const *resume_inflight; /* action keys (rbk_event.key of action_start) of mutating
                                         actions in flight when it stopped: re-checked */
  json_t *resume_results;       /* action key → array of the journaled results (JSON) of mutating
                                   actions that completed inside steps that run again, in order.
                                   Each time the run reaches such an action, the engine removes the
                                   first result and returns it instead of executing the action
                                   (events with status skipped). NULL: none. Caller owns it. */
  const json_t *resume_returns; /* step key → the value (typed JSON, value_typed.h) a completed step
                                   returned: skipping it performs that return again. NULL: none. */
  const char *const *resume_gates; /* gate keys (rbk_event.key of gate events) of gates that passed
                                   before the run changed the world: replayed as passed (event
                                   gate, status skipped) instead of judged again */
  const char *operator_name;    /* run.operator; NULL → $USER or "unknown" */
  const char *run_id;           /* run.id; NULL → "run" */
  engine_lookup_fn getenv;      /* env()/secret() source; NULL → getenv(3) */
  engine_lookup_fn getsecret;   /* --secret overrides, consulted first by secret(); may be NULL */
  void *lookup_user;
  const char *base_dir;         /* file() resolves relative paths here; NULL → the plan's dir */
  int max_depth;                /* proc call depth limit; 0 → 200 */
  bool ignore_deadline;         /* --ignore-deadline: the runbook's deadline does not stop the run */
  /* rbk plan --live: a gate or `wait until` is judged once, on what is read now. A gate that does
   * not pass fails at once ("gate 'x' does not pass now …"); a `wait until` whose condition is
   * false goes on (a wait event with status skipped tells what a run would wait for). After the
   * first mutating action (whose write the preview did not make), a gate or assert that fails
   * is reported with status skipped and the preview goes on: it judged the state before the write. */
  bool preview;
  int64_t max_virtual_ms;       /* virtual clock only, > 0: when the clock would pass this much time
                                   since the run started, the run stops there at once (exit 1, no
                                   handler runs, engine_capped); 0: no cap */
} engine_config;

typedef struct engine engine;

/* Returns an engine for `prog` (borrowed), or NULL with *err set: a plan the compiler cannot
 * translate (an unknown name the checker missed), a missing required param, out of memory. */
engine *engine_new(const rbk_program *prog, const engine_config *cfg, char **err);

/* Runs the plan to its end. Returns RBK_EXIT_OK (0) when it succeeded, RBK_EXIT_FAILED (1) when
 * it failed (a step, a gate, abort, a journal that cannot be written), RBK_EXIT_ABORTED (3) when
 * it was cancelled (engine_cancel) or an approval was denied or timed out. Call it once. */
int engine_run(engine *e);

/* Cancels the run: every task is cancelled, in-flight actions are aborted, `on failure` and
 * `finally` handlers run, and engine_run returns 3. A second call stops at once: in-flight
 * actions are aborted, no handler runs, run_end is emitted. Async-signal-safe (it only sets
 * flags that the engine's loop reads); `why` must be a string with static storage. */
void engine_cancel(engine *e, const char *why);

/* Returns the message of the error that ended the run (borrowed), or NULL when it succeeded. */
const char *engine_error(const engine *e);
/* Returns true when the run was stopped at cfg.max_virtual_ms. */
bool engine_capped(const engine *e);

/* Frees the engine (after engine_run or instead of it); NULL is fine. */
void engine_free(engine *e);

/* Returns the resume key of a step occurrence: its context (proc call sites and loop indices,
 * "@12:3[2]") and title path joined by '|'. The same as rbk_event.key of step events. Caller
 * frees. */
char *engine_step_key(const char *ctx, const char *path);

/* Returns the slug of a question: lower case, runs of other characters than [a-z0-9] as one '-',
 * no '-' at either end ("Plant Safety Officer notified?" → "plant-safety-officer-notified").
 * Caller frees; NULL when out of memory. */
char *engine_slug(const char *question);

#endif
