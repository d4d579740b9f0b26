/* vm_int.h — the interpreter proper, private to interp/vm: errors (vm_error.c), the scheduler
 * (vm_sched.c), tasks (vm_task.c), executing bytecode (vm*.c) and replaying what an earlier run
 * completed (vm_resume.c). The engine's state and types are in engine_int.h, which includes this.
 *
 * Ownership: errors are owned by whoever holds them until vm_err_free or vm_raise takes them;
 * tasks, timers and frames belong to the engine; values on a task's stack hold one reference each.
 */
#ifndef RBK_VM_INT_H
#define RBK_VM_INT_H

#include "engine_int.h"

/* ---- errors (vm_error.c) ---- */
/* Returns a new error of `kind` with a printf-style message (never NULL: falls back to a static
 * out-of-memory error copy). */
vm_error *vm_err(vm_err_kind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns a FAILED error "file:line:col: message" at node's span. */
vm_error *vm_err_at(const ast_node *node, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns a FAILED error at node's span for a message (borrowed) from a callee. */
vm_error *vm_err_msg_at(const ast_node *node, const char *msg);
/* Frees an error; NULL is fine. */
void vm_err_free(vm_error *err);
/* Returns true when the kind is retried by steps and polls. */
bool vm_err_retryable(const vm_error *err);
/* Returns the exit code an error ending the run gives. */
int vm_err_exit_code(const vm_error *err);

/* ---- scheduler (vm_sched.c) ---- */
/* Returns false when out of memory. */
bool vm_sched_init(vm_sched *s);
void vm_sched_free(vm_sched *s);
/* Queues a task (state becomes TS_READY). */
void vm_sched_ready(engine *e, vm_task *t);
/* Returns the next ready task, or NULL. */
vm_task *vm_sched_next(vm_sched *s);
/* Returns a timer id (never 0) due at `when`, or 0 when out of memory. */
uint64_t vm_sched_timer(engine *e, int64_t when, vm_timer_kind kind, vm_task *task, uint64_t region);
/* Cancels a timer (0 and fired timers are ignored). */
void vm_sched_cancel_timer(engine *e, uint64_t id);
/* Returns when the next live timer is due, or INT64_MAX. */
int64_t vm_sched_next_due(engine *e);
/* Pops the next live timer due by now into *out; returns false when none is due. */
bool vm_sched_pop_due(engine *e, int64_t now, vm_timer *out);

/* ---- tasks (vm_task.c) ---- */
/* Returns a new task that starts at pc with a copy of `frame` (locals referenced), or NULL when out
 * of memory. */
vm_task *vm_task_new(engine *e, vm_task *parent, const vm_frame *frame, int32_t pc);
/* Frees a finished (or never started) task. */
void vm_task_free(engine *e, vm_task *t);
/* Pushes v (taken) on t's stack; false when out of memory (v released). */
bool vm_task_push(vm_task *t, rbk_value *v);
/* Returns the popped top value (owned). */
rbk_value *vm_task_pop(vm_task *t);
/* Drops values until the stack has `sp` of them. */
void vm_task_drop_to(vm_task *t, size_t sp);
/* Pushes a frame for fn; returns false when out of memory. */
bool vm_task_push_frame(vm_task *t, const vm_func *fn, int32_t ret_pc);
/* Pops the top frame (releasing its locals and stopping its tickers). */
void vm_task_pop_frame(engine *e, vm_task *t);
/* Returns the top frame. */
vm_frame *vm_task_frame(vm_task *t);
/* Appends text to the context; truncates with vm_task_ctx_cut. */
void vm_task_ctx_add(vm_task *t, const char *text);
void vm_task_ctx_cut(vm_task *t, size_t len);
/* Returns true when t is a branch of a collecting `parallel for` (`let x = parallel for`) in its
 * own frame: then t ends with v (taken) as the branch's value. False: v is untouched. */
bool vm_task_branch_return(engine *e, vm_task *t, rbk_value *v);
/* Ends t with err (taken; NULL: success). Called while t runs; vm_task_reap completes it. */
void vm_task_finish(engine *e, vm_task *t, vm_error *err);
/* After t stopped running: frees a finished branch and tells its parent's join. */
void vm_task_reap(engine *e, vm_task *t);
/* Cancels t with err (taken): aborts what it waits for and makes it raise err. */
void vm_task_cancel(engine *e, vm_task *t, vm_error *err);
/* Stops t's tickers beyond the first `keep`. */
void vm_task_stop_tickers(engine *e, vm_task *t, size_t keep);
/* Returns the step path of t's innermost step (borrowed), or NULL. */
const char *vm_task_path(const vm_task *t);
/* Starts children of a join while it allows. */
void vm_task_join_fill(engine *e, vm_task *t);

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

/* ---- resume: replaying what an earlier run completed (vm_resume.c) ---- */
/* Returns the journaled result (new value) of the next completed run of mutating action `key`,
 * removing it from cfg.resume_results, or NULL when there is none left. */
rbk_value *vm_resume_take_result(engine *e, const char *key);
/* Returns true when the completed step `key` returned a value in an earlier run; *value is then
 * that value (new reference). */
bool vm_resume_step_return(const engine *e, const char *key, rbk_value **value);
/* Returns true when the journal keeps v with its kind (value_typed.h): it holds no secret,
 * lambda or handle. */
bool vm_resume_value_journalable(const rbk_value *v);

#endif
