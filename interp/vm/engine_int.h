/* engine_int.h — the engine's private state, shared by engine*.c, sched.c and vm*.c.
 *
 * A task runs bytecode with its own value stack, frames, regions (open plan/step/gate/wait-until
 * statements) and tickers. Tasks suspend on actions, timers, approvals and joins; notifications
 * never suspend a task: the engine owns each delivery in flight (engine_notes.c). The scheduler
 * (sched.c) keeps a FIFO ready queue and a timer heap ordered by (time, insertion).
 * Errors are vm_error values that the unwinder (vm_region.c) carries through regions.
 *
 * Ownership: the engine owns its tasks, frames, stacks, regions and timers; values on stacks and in
 * locals are references the engine holds; functions state per declaration what they take, borrow
 * or return new (caller frees / unrefs).
 */
#ifndef RBK_ENGINE_INT_H
#define RBK_ENGINE_INT_H

#include <signal.h>

#include "compile.h"
#include "engine.h"

/* Error kinds, once: X(ENUM_SUFFIX, "name", retryable). */
#define RBK_VERR_KINDS(X)                                                                       \
  X(FAILED, "failed", true)       /* a step's body failed: retried, fails the plan (exit 1) */  \
  X(CANCELLED, "cancelled", false) /* cancelled from above (sibling, timeout, interrupt) */     \
  X(ABORTED, "aborted", false)    /* approval denied or timed out: exit 3 */                    \
  X(ABORT, "abort", false)        /* the abort statement: exit 1 */                             \
  X(FATAL, "fatal", false)        /* the event sink failed: no further action (exit 1) */       \
  X(RETURN, "return", false)      /* not an error: `return` leaving regions inside a proc */

typedef enum {
#define X(k, name, retry) VERR_##k,
  RBK_VERR_KINDS(X)
#undef X
} vm_err_kind;

typedef struct vm_error {
  vm_err_kind kind;
  char *msg;          /* one line; secrets masked */
  char *step;         /* title of the step it failed in, once a step has claimed it */
  uint64_t target;    /* CANCELLED by a region's timer: that region's id (it turns into FAILED) */
  bool interrupt;     /* CANCELLED by engine_cancel */
  bool no_retry;      /* a programming error (type mismatch in a poll): not retried */
  rbk_value *value;   /* RETURN: the value */
  const ast_node *at; /* the statement outside any step it was raised in (task's stmt), or NULL */
} vm_error;

typedef struct {
  const vm_func *fn;
  rbk_value **locals;  /* fn->nlocals slots, owned */
  int32_t ret_pc;
  size_t sp;           /* the caller's stack height after the call's arguments were popped */
  size_t ctxlen;       /* context length before the call added "@L:C" */
  size_t ntickers;     /* tickers running when the frame started */
  bool branch;         /* the base frame of a branch or ticker task: return is not allowed */
} vm_frame;

/* Where an open region is. */
typedef enum { PH_BODY, PH_SLEEP, PH_ONFAIL, PH_FINALLY } vm_phase;

typedef struct {
  const vm_region_info *info;
  uint64_t id;
  size_t fp, sp, ctxlen, ntickers; /* task state when it opened */
  vm_phase phase;
  int64_t attempt;                 /* 1, 2, … */
  int64_t retries, backoff, timeout, every, deadline, start; /* -1: absent */
  uint64_t timer;                  /* the armed timeout timer, 0 none */
  vm_error *err;                   /* the pending error (handlers run, then it is re-raised) */
  char *title, *path, *key;        /* STEP: title, title path, resume key; GATE: title */
  char *last;                      /* GATE / WAITU: the last attempt's failure */
  const char *node;                /* dry-run node id */
} vm_region;

typedef enum { TS_READY, TS_RUNNING, TS_ACTION, TS_TIMER, TS_JOIN, TS_APPROVAL, TS_DONE } vm_task_state;

struct vm_task;

/* Children of a task waiting at `parallel` / `parallel for`. */
typedef struct {
  const vm_branch_info *info;
  rbk_value *list;          /* PARFOR: the elements */
  int64_t n, max, next, running;
  vm_error *first;          /* the first branch failure */
  bool cancelling;
  struct vm_task **kids;    /* n slots: running children */
} vm_join;

/* An action in flight, for its events. */
typedef struct {
  const sig_info *sig;
  char *target, *key;
  const char *node;
  int64_t start;
  uint64_t guard;           /* the engine's timeout timer */
  int64_t timeout;
  const ast_node *call;     /* the CALL node (errors name its span) */
} vm_act;

/* One delivery in flight, owned by the engine (not by the task that sent it): it outlives a
 * cancelled or finished task, and the run ends only after it finished or timed out. */
typedef struct vm_note {
  struct engine *eng;
  struct vm_note *prev, *next; /* the engine's list, in send order */
  uint64_t id;              /* names it to its timer (vm_timer.region) */
  uint64_t op;              /* the transport's operation */
  uint64_t timer;           /* its NOTIFY_TIMEOUT_MS limit */
  uint64_t ticker;          /* id of the `notify every` task that sent it, 0 none */
  size_t chan;              /* the channel's index in that statement */
  char *target;             /* the channel's description, owned */
  char *step;               /* the sender's step path at send time, owned; NULL outside steps */
  const char *node;         /* the statement's dry-run node id at send time (borrowed from the plan) */
} vm_note;

#define NOTIFY_TIMEOUT_MS 30000 /* a delivery that takes longer is given up (a warning) */

typedef struct vm_task {
  struct engine *eng;
  uint64_t id;
  struct vm_task *parent;   /* the task waiting for it at a join; NULL for root and tickers */
  size_t branch;            /* its index in the parent's join */
  int32_t pc;
  vm_task_state state;
  rbk_value **stack;
  size_t sp, scap;
  vm_frame *frames;
  size_t nframes, fcap;
  vm_region *regions;
  size_t nregions, rcap;
  struct vm_task **tickers;
  size_t ntickers, tcap;
  char *ctx;                /* "@12:3[2]": proc call sites and loop indices, outermost first */
  size_t ctxlen, ctxcap;
  char *base_path;          /* the step path where the task was forked (NULL at top level) */
  /* waiting */
  uint64_t op;              /* action or approval id */
  uint64_t timer;           /* wake timer */
  vm_join *join;
  int64_t tick_base;        /* ticker: when its block started (clock_now) */
  int64_t ticks;            /* ticker: ticks so far (fixed rate: tick n is due at base + n·period) */
  vm_act act;
  rbk_value *resume_val;    /* pushed when it resumes */
  vm_error *resume_err;     /* raised when it resumes */
  vm_error *cancel;         /* a cancellation received while waiting at a join */
  vm_error *result;         /* TS_DONE: how it ended (NULL: success) */
  rbk_value *cap[2];        /* CMP's operands for check messages */
  bool ticker, killed, queued;
  bool lambda;              /* a synchronous lambda evaluation */
  char *lambda_err;
  struct vm_task *caller;   /* lambda: the task applying it */
  const ast_node *stmt;     /* the statement outside any step that runs (OPC_STMT), or NULL */
} vm_task;

/* Timer kinds, once. */
#define RBK_TIMER_KINDS(X) X(WAKE) X(GUARD) X(REGION) X(APPROVAL) X(NOTIFY) /* NOTIFY: task NULL, region = note id */

typedef enum {
#define X(k) TM_##k,
  RBK_TIMER_KINDS(X)
#undef X
} vm_timer_kind;

typedef struct {
  uint32_t gen;
  bool live;
  vm_timer_kind kind;
  vm_task *task;
  uint64_t region;          /* TM_REGION: the region id; TM_NOTIFY: the note id */
} vm_timer;

typedef struct {
  int64_t when;
  uint64_t seq;
  uint32_t slot;
} vm_heap_entry;

typedef struct {
  vm_task **ready;          /* ring buffer */
  size_t head, count, cap;
  vm_heap_entry *heap;
  size_t nheap, heap_cap;
  vm_timer *timers;         /* slab */
  uint32_t *free_slots;
  size_t ntimers, nfree, timers_cap;
  uint64_t seq;
} vm_sched;

/* A growable list of owned strings. */
typedef struct {
  char **items;
  size_t len, cap;
} vm_strings;

struct engine {
  const rbk_program *prog;
  engine_config cfg;
  vm_code *code;
  rbk_value ***globals;     /* per unit */
  bool *unit_started;
  vm_sched sched;
  vm_task *root, *current;
  uint64_t next_task, next_region, seq;
  int64_t start_ms;
  vm_strings completed;     /* titles of completed steps, in order */
  bool *step_done;          /* per static step */
  int32_t ndone;
  vm_strings warnings;      /* warning messages, in order */
  char *fatal;              /* the sink's error: no further action */
  bool fatal_cancelled;     /* the root task was cancelled for it */
  char *final_error;
  int exit_code;
  volatile sig_atomic_t cancels;
  const char *volatile why;
  int cancels_seen;
  int open_approvals;
  builtin_ctx bctx;
  char *base_dir;
  vm_note *notes, *notes_last; /* deliveries in flight, in send order */
  uint64_t next_note;
  int64_t work_ms;          /* engine_now when the plan's work ended (the root task finished), -1 before */
  bool stop_now;            /* the second cancel: leave the loop */
  bool ran;
};

/* ---- errors (vm_error.c) ---- */
/* Returns a new error of `kind` with a printf-style message (never NULL: falls back to a static
 * out-of-memory error copy). */
vm_error *verr(vm_err_kind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns a FAILED error "file:line:col: message" at node's span. */
vm_error *verr_at(const ast_node *node, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns a FAILED error at node's span for a message (borrowed) from a callee. */
vm_error *verr_msg_at(const ast_node *node, const char *msg);
/* Frees an error; NULL is fine. */
void verr_free(vm_error *err);
/* Returns a copy of err. */
vm_error *verr_copy(const vm_error *err);
/* Returns true when the kind is retried by steps and polls. */
bool verr_retryable(const vm_error *err);
/* Returns the exit code an error ending the run gives. */
int verr_exit_code(const vm_error *err);

/* ---- scheduler (sched.c) ---- */
/* Returns false when out of memory. */
bool sched_init(vm_sched *s);
void sched_free(vm_sched *s);
/* Queues a task (state becomes TS_READY). */
void sched_ready(engine *e, vm_task *t);
/* Returns the next ready task, or NULL. */
vm_task *sched_next(vm_sched *s);
/* Returns a timer id (never 0) due at `when`, or 0 when out of memory. */
uint64_t sched_timer(engine *e, int64_t when, vm_timer_kind kind, vm_task *task, uint64_t region);
/* Cancels a timer (0 and fired timers are ignored). */
void sched_cancel_timer(engine *e, uint64_t id);
/* Returns when the next live timer is due, or INT64_MAX. */
int64_t sched_next_due(engine *e);
/* Pops the next live timer due by now into *out; returns false when none is due. */
bool sched_pop_due(engine *e, int64_t now, vm_timer *out);

/* ---- tasks (vm_task.c) ---- */
/* Returns a new task that starts at pc with a copy of `frame` (locals referenced), or NULL when out
 * of memory. */
vm_task *task_new(engine *e, vm_task *parent, const vm_frame *frame, int32_t pc);
/* Frees a finished (or never started) task. */
void task_free(engine *e, vm_task *t);
/* Pushes v (taken) on t's stack; false when out of memory (v released). */
bool task_push(vm_task *t, rbk_value *v);
/* Returns the popped top value (owned). */
rbk_value *task_pop(vm_task *t);
/* Drops values until the stack has `sp` of them. */
void task_drop_to(vm_task *t, size_t sp);
/* Pushes a frame for fn; returns false when out of memory. */
bool task_push_frame(vm_task *t, const vm_func *fn, int32_t ret_pc);
/* Pops the top frame (releasing its locals and stopping its tickers). */
void task_pop_frame(engine *e, vm_task *t);
/* Returns the top frame. */
vm_frame *task_frame(vm_task *t);
/* Appends text to the context; truncates with task_ctx_cut. */
void task_ctx_add(vm_task *t, const char *text);
void task_ctx_cut(vm_task *t, size_t len);
/* Ends t with err (taken; NULL: success). Called while t runs; task_reap completes it. */
void task_finish(engine *e, vm_task *t, vm_error *err);
/* After t stopped running: frees a finished branch and tells its parent's join. */
void task_reap(engine *e, vm_task *t);
/* Cancels t with err (taken): aborts what it waits for and makes it raise err. */
void task_cancel(engine *e, vm_task *t, vm_error *err);
/* Stops and frees a ticker at once. */
void task_kill(engine *e, vm_task *t);
/* Stops t's tickers beyond the first `keep`. */
void task_stop_tickers(engine *e, vm_task *t, size_t keep);
/* Returns the step path of t's innermost step (borrowed), or NULL. */
const char *task_path(const vm_task *t);
/* Starts children of a join while it allows. */
void join_fill(engine *e, vm_task *t);

/* ---- the interpreter (vm.c, vm_call.c, vm_stmt.c, vm_region.c) ---- */
/* Runs t until it suspends or ends. */
void vm_exec(engine *e, vm_task *t);
/* Executes the instruction `in` of task t (vm.c's dispatch for the ops vm.c does not own). */
void vm_call(engine *e, vm_task *t, const vm_insn *in);
void vm_stmt(engine *e, vm_task *t, const vm_insn *in);
void vm_region_op(engine *e, vm_task *t, const vm_insn *in);
/* Raises err (taken) in t: unwinds to the innermost region that handles it. */
void vm_raise(engine *e, vm_task *t, vm_error *err);
/* Fires a region's timeout timer. */
void vm_region_timeout(engine *e, vm_task *t, uint64_t region);
/* Leaves the current proc frame of t returning v (taken). */
void vm_do_return(engine *e, vm_task *t, rbk_value *v);
/* Applies a lambda synchronously (builtin_ctx.apply). */
rbk_value *vm_apply(void *user, const rbk_value *lambda, rbk_value *arg, char **err);
/* Returns the message for a failed check: the source and the operands' values. Caller frees. */
char *vm_check_message(const vm_task *t, const vm_check_info *info, const rbk_value *value);
/* Delivers an action's completion (act_done_fn). */
void vm_action_done(void *user, rbk_value *result, const char *error);
/* Ends the action t waits for as failed/cancelled with msg (guard timer, cancellation). */
void vm_action_abort(engine *e, vm_task *t, rbk_status status, const char *msg);
/* The approval's timeout passed (timer callback). */
void vm_approval_timeout(engine *e, vm_task *t);
/* Withdraws t's open approval (on cancellation). */
void vm_approval_cancel(engine *e, vm_task *t);

/* ---- failures (vm_fail.c) and proc parameter types (vm_types.c) ---- */
/* Returns true when a failure raised now in t will be tried again (a polling gate with time left,
 * a step with retries left), so that it does not fail the run. */
bool vm_will_retry(const engine *e, const vm_task *t);
/* Returns what run.failed_step names for a failure of statement s (outside any step) that no step
 * or gate claimed: "assert at plan.rbk:12", "let x at plan.rbk:3" (caller frees; NULL: no
 * memory); "the plan" when s is NULL. */
char *vm_top_description(const ast_node *s);
/* Returns the text run.failed_step names for a failure inside gate `title` (caller frees). */
char *vm_gate_description(const char *title);
/* Returns an error message when v does not suit parameter i of proc fn ("argument 'n' of proc
 * 'f' must be an int, got a string (\"x\")"; `def`: it is the parameter's default), else NULL.
 * Caller frees. */
char *vm_param_type_error(const vm_func *fn, int32_t i, const rbk_value *v, bool def);

/* ---- engine services (engine_events.c, engine.c) ---- */
/* Emits an event (fills t_ms, seq, step from t when ev->step is NULL and t is not NULL). Returns
 * false when the sink failed (the engine is then stopping). */
bool engine_emit(engine *e, vm_task *t, rbk_event *ev);
/* Emits a warning event and counts it. */
void engine_warn(engine *e, vm_task *t, const ast_node *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Returns the dry-run node id for node in t's context (borrowed), or NULL. */
const char *engine_node(engine *e, const vm_task *t, const ast_node *node);
/* Returns ms since the run started. */
int64_t engine_now(const engine *e);
/* Returns the run object, or field `field` of it (-1: the whole object), for t. */
rbk_value *engine_run_value(engine *e, const vm_task *t, int field);
/* Returns true when key is in the NULL-terminated list. */
bool engine_in_list(const char *const *list, const char *key);
/* Marks a static step complete and records its title. */
void engine_step_completed(engine *e, const vm_region *r);
/* Returns a new error when the sink has failed (no further action may start), else NULL. */
vm_error *engine_blocked(engine *e);
/* Emits a warning attributed to step path `step` and dry-run node id `node` (both borrowed, may be
 * NULL) rather than to a task, and counts it. */
void engine_warn_at(engine *e, const char *step, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- resume: replaying what an earlier run completed (resume_replay.c) ---- */
/* Returns the journaled result (new value) of the next completed run of mutating action `key`,
 * removing it from cfg.resume_results, or NULL when there is none left. */
rbk_value *resume_take_result(engine *e, const char *key);
/* Returns true when the completed step `key` returned a value in an earlier run; *value is then
 * that value (new reference). */
bool resume_step_return(const engine *e, const char *key, rbk_value **value);
/* Returns true when v survives the journal exactly (null, bool, numbers, strings, lists and
 * objects of them; no secret, duration, time, handle or lambda). */
bool resume_value_exact(const rbk_value *v);

/* ---- notifications in flight (engine_notes.c) ---- */
/* Starts delivering `text` to channel `ch` (borrowed) on behalf of t: the engine owns the
 * delivery from now on; a failure or a timeout (NOTIFY_TIMEOUT_MS) is a warning attributed to
 * t's step path at this moment and to `node`. `target` is the channel's description (borrowed);
 * `ticker`/`chan`: the sending ticker's task id and the channel's index (0/0 for a plain notify).
 * Returns false only when out of memory. */
bool engine_note_send(engine *e, const vm_task *t, const char *node, rbk_value *ch, const char *target,
                      const char *text, uint64_t ticker, size_t chan);
/* Returns true while ticker `ticker`'s delivery to its channel `chan` is in flight. */
bool engine_note_pending(const engine *e, uint64_t ticker, size_t chan);
/* The time limit of note `id` passed: gives the delivery up with a warning. */
void engine_note_timeout(engine *e, uint64_t id);
/* Cancels every delivery in flight (a hard stop) and frees them; with `why` (borrowed) each gets
 * a warning "notification to X dropped: why", with NULL none. */
void engine_notes_drop(engine *e, const char *why);

/* Appends a copy of s; false when out of memory. */
bool strings_add(vm_strings *v, const char *s);
/* Frees the strings. */
void strings_free(vm_strings *v);

#endif
