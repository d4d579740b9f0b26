/* actions.h — how the engine reaches the world: the asynchronous action interface.
 *
 * The engine calls it for every SIG_ACTION entry of stdlib/sig.h (cluster, endpoint and local
 * actions), for every constructor (SIG_CTOR: kube(), http(), cluster.service(), slack(),
 * webhook(), console(), logfile() — the handle values are made here), and for notifications.
 * Implementations: the scripted transport for tests (actions_script.h), the simulator (sim/) and
 * the real transport (libcurl, processes, files).
 *
 * The engine never blocks inside an action. start() and notify() only begin the work and return
 * an operation id; the result is delivered later by poll() through the `done` callback. Rules:
 *  - done is called exactly once per operation, from inside poll(), never from start()/notify()
 *    (so the engine is never re-entered while it starts an action);
 *  - after cancel(op) returns, done is never called for op; cancelling an unknown or finished
 *    operation does nothing;
 *  - operations due at the same time complete in the order they were started.
 *
 * Secrets: the arguments may hold secret values (value_secret); only the request an action sends
 * may reveal them (u.secret.plain). describe() and every error message must not.
 *
 * Ownership: every rbk_value passed in is borrowed for the duration of the call (ref what you
 * keep). `done` takes the result (the engine owns it afterwards) and borrows the error text.
 */
#ifndef RBK_ACTIONS_H
#define RBK_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sig.h"
#include "value.h"

/* The prefix of an action error meaning a write was sent and its answer was lost ("outcome
 * unknown: POST /x was sent and its answer was lost; check … before retrying"): such a failure
 * is never retried by a step's `retry` or a poll — a person has to look first. */
#define RBK_OUTCOME_UNKNOWN "outcome unknown: "

/* Delivers an operation's outcome: `result` (taken; NULL means null) on success with error ==
 * NULL, or error (borrowed one-line text, e.g. "503 Service Unavailable: {…}") on failure. */
typedef void (*act_done_fn)(void *user, rbk_value *result, const char *error);

/* One action call, as the engine starts it. */
typedef struct {
  const sig_info *sig;        /* the action's table entry */
  rbk_value *recv;            /* the handle (cluster, endpoint); NULL for global actions */
  rbk_value *const *args;     /* indexed like sig_params(sig): NULL = absent; a variadic
                                 parameter ("argv...") gets one list of the remaining values */
  size_t nargs;               /* entries in args (= sig_params count) */
  int64_t timeout_ms;         /* the call's `timeout:` argument, else sig->timeout_ms */
  int64_t now_ms;             /* the engine's clock (clock_now) when the action starts */
  bool recheck;               /* resuming: this mutating action was in flight when the previous
                                 run stopped; verify the world before repeating it */
  const char *node;           /* the dry-run graph node id, or NULL */
} rbk_action_req;

typedef struct rbk_actions {
  void *self;
  /* Returns a new handle value for the constructor `sig` (recv: the cluster for
   * cluster.service(), else NULL; args indexed like sig_params), or NULL with *err set (caller
   * frees). Constructors do no I/O. */
  rbk_value *(*construct)(void *self, const sig_info *sig, rbk_value *recv, rbk_value *const *args,
                          char **err);
  /* Returns the text that names what `req` acts on, for events and messages: "deployment/x",
   * "GET /api/v1/health", "pods app=gl-001", "run kubectl version". Caller frees; never reveals
   * a secret. */
  char *(*describe)(void *self, const rbk_action_req *req);
  /* Starts the action; returns its operation id (never 0), or 0 with *err set (caller frees)
   * when it cannot even start (then done is never called). */
  uint64_t (*start)(void *self, const rbk_action_req *req, act_done_fn done, void *user, char **err);
  /* Starts sending `text` (already masked) to `channel` (a channel handle); returns the
   * operation id, or 0 with *err set. The result passed to done is ignored. */
  uint64_t (*notify)(void *self, rbk_value *channel, const char *text, int64_t now_ms, act_done_fn done,
                     void *user, char **err);
  /* Aborts an operation in flight (the request is dropped or its connection closed). */
  void (*cancel)(void *self, uint64_t op);
  /* Returns when (clock_now scale, ms) the next completion is due if nothing else happens — for
   * a virtual clock; INT64_MAX when none is scheduled, or when completions depend on real I/O. */
  int64_t (*next_event)(void *self, int64_t now_ms);
  /* Delivers every completion due by now_ms. With a real clock, when nothing is due it blocks
   * until a completion is ready, max_wait_ms pass, or a signal arrives (it must not return at
   * once with nothing done, or the engine spins); with a virtual clock max_wait_ms is 0. */
  void (*poll)(void *self, int64_t now_ms, int64_t max_wait_ms);
  /* Frees the implementation (after cancelling whatever is in flight); may be NULL. */
  void (*free)(void *self);
} rbk_actions;

#endif
