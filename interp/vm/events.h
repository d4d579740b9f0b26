/* events.h — the engine's event stream: what a run did, in order, for output, journal and tests.
 *
 * The engine builds an rbk_event on its stack and hands it to the sink; every pointer in it is
 * borrowed and valid only during the emit call (copy what you keep). Texts never contain a
 * secret: the engine renders values with value_show, which masks them as "***".
 *
 * Pairs: step_start/step_end and action_start/action_end are separate kinds. gate, approval and
 * wait are each one kind used twice: first with status RBK_STATUS_NONE when the statement begins,
 * then once more with a status when it ends. notify is emitted once per channel before the
 * message is sent (status NONE; a failed delivery adds a warning). assert is emitted once with
 * its outcome (ok, failed, or retrying when the
 * attempt it failed will be tried again); a failed expect is a warning. docs/engine.md lists every event a statement emits.
 *
 * Ownership: every pointer in an rbk_event is borrowed for the duration of the listener call; copy
 * what you keep.
 */
#ifndef RBK_EVENTS_H
#define RBK_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "value.h"

/* Event kinds, once: X(ENUM_SUFFIX, "name in JSON"). */
#define RBK_EVENT_KINDS(X)                                                                     \
  X(RUN_START, "run_start") X(STEP_START, "step_start") X(STEP_END, "step_end")               \
  X(ACTION_START, "action_start") X(ACTION_END, "action_end") X(GATE, "gate")                 \
  X(APPROVAL, "approval") X(WAIT, "wait") X(ASSERT, "assert") X(WARNING, "warning")            \
  X(NOTIFY, "notify") X(RUN_END, "run_end")

typedef enum {
#define X(k, name) RBK_EV_##k,
  RBK_EVENT_KINDS(X)
#undef X
  RBK_EV_COUNT
} rbk_event_kind;

/* Outcomes, once: X(ENUM_SUFFIX, "name in JSON"). RBK_STATUS_NONE (no "status" key) marks the
 * start of a statement and events that have no outcome. RETRYING is an assert that failed in an
 * attempt that will be tried again (a polling gate, a step with retries left): not a failure. */
#define RBK_STATUSES(X)                                                                        \
  X(OK, "ok") X(FAILED, "failed") X(CANCELLED, "cancelled") X(SKIPPED, "skipped")              \
  X(RETRYING, "retrying")

typedef enum {
  RBK_STATUS_NONE,
#define X(k, name) RBK_STATUS_##k,
  RBK_STATUSES(X)
#undef X
} rbk_status;

typedef struct {
  int64_t t_ms;          /* milliseconds since the run started (clock time, virtual or real) */
  rbk_event_kind kind;
  const char *node;      /* id of the dry-run graph node this executes ("n7"); NULL when unknown */
  const char *step;      /* enclosing step titles joined with " › "; NULL outside steps */
  const char *action;    /* action_*: the action's name ("rollout_undo"); NULL otherwise */
  const char *target;    /* action_*: "deployment/x", "GET /api/v1/health"; notify: the channel;
                            approval: the role (may be NULL) */
  bool mutating;         /* action_*: the action changes the world */
  rbk_status status;
  const char *message;   /* error, question, warning text, notification text, title…; may be NULL */
  /* Details for the journal and the live view (absent: NULL / -1). */
  const char *key;       /* step_*: the step's resume key (see engine_step_key); gate: "gate:" and
                            the gate's key built the same way from its title; action_*: the
                            action's key "ctx|node-or-line:col" used for in-flight re-checks */
  int64_t duration_ms;   /* step_end/action_end: how long it took; wait: its length or timeout;
                            approval start: its timeout; gate start: its timeout */
  const char *who;       /* approval end: who decided */
  const char *how;       /* approval end: "--yes", "--approve", "tty", "timeout" … */
  const rbk_value *args; /* action_start: the arguments by parameter name (object); run_start:
                            the params. Contains secrets: serialise with value_to_json(v, false). */
  const rbk_value *result; /* action_end ok: the result value (may contain secrets: mask);
                              step_end with `returned`: the value it returned, when journalable */
  bool returned;         /* step_end: the step ended by a `return` (detail "returned": true) */
  const char *handler;   /* step_* and action_* inside an `on failure` or `finally` handler: the key
                            of the step whose handler it is ("plan" for the plan's); the engine
                            fills it in. A resume uses it to tell a handler that finished (its
                            step or the run ended after it) from one that was interrupted. */
  int repeat;            /* action_end failed / assert retrying in a polling gate or wait until:
                            N ≥ 2 when the previous N-1 attempts reported the same failure (same
                            node, same message); the message is then "unchanged (N in a row)".
                            0 otherwise. JSON: "repeat", only when ≥ 2. */
  int exit_code;         /* run_end: the process exit code of cli.h */
  uint64_t seq;          /* 1, 2, 3… in emission order */
} rbk_event;

/* An event consumer (output, journal, test recorder). */
typedef struct {
  void *user;
  /* Records `ev`. Returns 0, or -1 with *err set (a one-line message; the engine frees it) when
   * the event could not be recorded — e.g. the journal cannot be written. The engine then starts
   * no further action or notification: the run stops with that error (exit 1). */
  int (*emit)(void *user, const rbk_event *ev, char **err);
  /* Optional (NULL: every emit is already as durable as it gets). Makes every event emitted so
   * far durable (the journal's group commit: events that need not be durable at once are
   * written at once but fsync'ed together here). The engine calls it before it waits for
   * completions or timers. Returns 0, or -1 with *err set as emit does. */
  int (*sync)(void *user, char **err);
} rbk_sink;

/* Returns the event as a JSON object with keys in this order: t_ms, event, node, step, action,
 * target, mutating, status, message, repeat (absent values omitted; mutating only on action
 * events; repeat only when ≥ 2).
 * With `details`, also key, duration_ms, who, how, args, result, exit_code (secrets masked).
 * Caller owns the reference; NULL when out of memory. */
json_t *events_to_json(const rbk_event *ev, bool details);

/* Returns the event as one compact JSON line without the newline (as events_to_json). Caller
 * frees; NULL when out of memory. */
char *events_to_line(const rbk_event *ev, bool details);

#endif
