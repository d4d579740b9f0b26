/* engine_int.h — the engine's private state, shared by engine*.c, vm_sched.c and vm*.c.
 *
 * A task runs bytecode with its own value stack, frames, regions (open plan/step/gate/wait-until
 * statements) and tickers. Tasks suspend on actions, timers, approvals and joins; notifications
 * never suspend a task: the engine owns each delivery in flight (engine_notes.c). The scheduler
 * (vm_sched.c) keeps a FIFO ready queue and a timer heap ordered by (time, insertion).
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

/* What one statement of a poll's attempts last reported (engine_poll_repeat). */
typedef struct vm_seen {
  int kind;                        /* rbk_event_kind */
  const char *node;                /* dry-run node id (borrowed from the plan), or NULL */
  char *target, *msg;              /* the action's target, the message ("" when none); owned */
  rbk_status status;
  int count;                       /* attempts in a row that reported it */
} vm_seen;

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
  struct vm_seen *seen;            /* GATE / WAITU: what each statement of the last attempts
                                      reported (engine_poll_repeat), owned */
  size_t nseen, seen_cap;
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
  rbk_value **results;      /* info->collect: n slots, what each branch returned (NULL: nothing) */
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
#define NOTIFY_GRACE_MS 5000    /* after the plan ended, deliveries still in flight get this long
                                   (within their own limit), then are given up as undelivered */

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
  uint64_t grace_timer;     /* NOTIFY_GRACE_MS after the plan ended with deliveries in flight, 0 before */
  bool stop_now;            /* the second cancel or the virtual-time cap: leave the loop */
  bool capped;              /* stopped at cfg.max_virtual_ms */
  bool ran;
  bool preview_wrote;       /* preview: a mutating action started (later checks judge the state
                               before it: a failed assert or gate is reported, not raised) */
};

/* ---- engine services (engine_events.c, engine.c) ---- */
/* Emits an event (fills t_ms, seq, step from t when ev->step is NULL and t is not NULL). Returns
 * false when the sink failed (the engine is then stopping). */
bool engine_emit(engine *e, vm_task *t, rbk_event *ev);
/* Makes the events emitted so far durable (rbk_sink.sync); returns false when the sink failed. */
bool engine_sync(engine *e);
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
/* Frees what a region remembers of its attempts (engine_poll_repeat). */
void engine_poll_forget(vm_region *r);
/* Emits a warning attributed to step path `step` and dry-run node id `node` (both borrowed, may be
 * NULL) rather than to a task, and counts it. */
void engine_warn_at(engine *e, const char *step, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

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
/* The plan ended with deliveries in flight: gives them NOTIFY_GRACE_MS (a TM_NOTIFY timer with
 * note id 0); returns false when out of memory. */
bool engine_notes_grace(engine *e);
/* The grace passed: every delivery still in flight is cancelled with a warning "notification to X
 * undelivered: no answer within 5s after the run ended". */
void engine_notes_undelivered(engine *e);

/* Frees the strings. */
void engine_strings_free(vm_strings *v);

/* The interpreter proper (vm*.c): errors, scheduler, tasks, execution, resume replay. */
#include "vm_int.h"

#endif
