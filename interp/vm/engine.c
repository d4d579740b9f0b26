/* engine.c — the engine's public face and its event loop: run the ready tasks, then wait for the
 * next action completion or timer (a virtual clock jumps to it), deliver it, repeat. */
#include "engine_int.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exitcode.h"
#include "strutil.h"

/* builtin_ctx.getenv: the config's lookup, else the process environment. */
static const char *env_get(void *user, const char *name) {
  engine *e = user;
  return e->cfg.getenv ? e->cfg.getenv(e->cfg.lookup_user, name) : getenv(name);
}

/* builtin_ctx.getsecret: the --secret overrides. */
static const char *secret_get(void *user, const char *name) {
  engine *e = user;
  return e->cfg.getsecret ? e->cfg.getsecret(e->cfg.lookup_user, name) : NULL;
}

/* Returns an error message when a required main param has no value, else NULL. */
static char *missing_param(const engine *e) {
  for (size_t i = 0; i < e->code->nparams; i++) {
    const ast_node *d = e->code->params[i];
    const param_binding *b = e->cfg.params ? params_find(e->cfg.params, d->u.param.name) : NULL;
    if (d->u.param.def || (b && b->value)) continue;
    size_t n = strlen(d->u.param.name) + strlen(d->span.src ? d->span.src->path : "") + 96;
    char *msg = malloc(n);
    if (msg)
      snprintf(msg, n, "param '%s' is required (declared at %s:%d:%d)", d->u.param.name,
               d->span.src ? d->span.src->path : "?", d->span.line, d->span.col);
    return msg;
  }
  return NULL;
}

/* Allocates the per-unit globals and the run state; false when out of memory. */
static bool alloc_state(engine *e) {
  e->globals = calloc(e->code->nunits, sizeof *e->globals);
  e->unit_started = calloc(e->code->nunits, sizeof *e->unit_started);
  e->step_done = calloc((size_t)e->code->nsteps + 1, sizeof *e->step_done);
  if (!e->globals || !e->unit_started || !e->step_done || !vm_sched_init(&e->sched)) return false;
  for (size_t u = 0; u < e->code->nunits; u++) {
    e->globals[u] = calloc((size_t)e->code->units[u].nglobals + 1, sizeof *e->globals[u]);
    if (!e->globals[u]) return false;
  }
  char *dir = strdup(e->prog->units[0].path);
  e->base_dir = dir ? strdup(dirname(dir)) : NULL;
  free(dir);
  e->bctx = (builtin_ctx){.user = e, .apply = vm_apply, .getenv = env_get, .getsecret = secret_get,
                          .base_dir = e->cfg.base_dir ? e->cfg.base_dir : e->base_dir};
  return e->base_dir != NULL;
}

/* Returns a new engine for prog, or NULL with *err set. */
engine *engine_new(const rbk_program *prog, const engine_config *cfg, char **err) {
  if (!cfg->clock) {
    *err = strdup("engine: no clock configured");
    return NULL;
  }
  engine *e = calloc(1, sizeof *e);
  if (!e) {
    *err = strdup("out of memory");
    return NULL;
  }
  e->prog = prog;
  e->cfg = *cfg;
  e->work_ms = -1;
  e->code = compile_program(prog, err);
  if (!e->code) {
    engine_free(e);
    return NULL;
  }
  *err = missing_param(e);
  if (!*err && !alloc_state(e)) *err = strdup("out of memory");
  if (*err) {
    engine_free(e);
    return NULL;
  }
  return e;
}

/* Runs every ready task until none is left. */
static void run_ready(engine *e) {
  vm_task *t;
  while (!e->stop_now && (t = vm_sched_next(&e->sched))) {
    if (t->killed) vm_task_free(e, t);
    else vm_exec(e, t);
  }
}

/* The engine's time limit on an action passed: it fails. */
static void guard_fired(engine *e, vm_task *t) {
  char *d = value_format_duration(t->act.timeout);
  char msg[64];
  snprintf(msg, sizeof msg, "timed out after %s", d ? d : "?");
  free(d);
  vm_error *err = vm_err_at(t->act.call, "%s %s: %s", t->act.sig->name, t->act.target ? t->act.target : "", msg);
  t->act.guard = 0;
  vm_action_abort(e, t, RBK_STATUS_FAILED, msg);
  t->resume_err = err;
  vm_sched_ready(e, t);
}

/* Fires every timer due by now, in (time, insertion) order. */
static void fire_timers(engine *e, int64_t now) {
  vm_timer tm;
  while (!e->stop_now && vm_sched_pop_due(e, now, &tm)) {
    switch (tm.kind) {
      case TM_WAKE:
        tm.task->timer = 0;
        vm_sched_ready(e, tm.task);
        break;
      case TM_GUARD: guard_fired(e, tm.task); break;
      case TM_REGION: vm_region_timeout(e, tm.task, tm.region); break;
      case TM_APPROVAL: vm_approval_timeout(e, tm.task); break;
      case TM_NOTIFY: tm.region ? engine_note_timeout(e, tm.region) : engine_notes_undelivered(e); break;
    }
    run_ready(e);
  }
}

/* Sleeps ms of real time (a virtual run waiting for a person at a terminal). */
static void nap(int64_t ms) {
  struct timespec ts = {0, (long)ms * 1000000};
  nanosleep(&ts, NULL);
}

/* The virtual clock would pass cfg.max_virtual_ms: it stops there and so does the run (at once). */
static void stop_at_cap(engine *e) {
  clock_advance(e->cfg.clock, e->start_ms + e->cfg.max_virtual_ms);
  char *d = value_format_duration(e->cfg.max_virtual_ms);
  e->stop_now = e->capped = true;
  free(e->final_error);
  e->final_error = strutil_printf("stopped at the virtual-time cap of %s", d ? d : "?");
  free(d);
}

/* Waits for the next completion or timer and delivers it. What the last turn journaled is made
 * durable first, together (the journal's group commit). */
static void wait_events(engine *e) {
  rbk_actions *a = e->cfg.actions;
  engine_sync(e); /* a failure stops the run as a failed emit does (engine_blocked) */
  int64_t now = clock_now(e->cfg.clock);
  if (e->cfg.approver && e->open_approvals) {
    e->cfg.approver->poll(e->cfg.approver->self, now);
    if (e->sched.count) return;
  }
  int64_t due = vm_sched_next_due(e);
  if (clock_is_virtual(e->cfg.clock)) {
    int64_t next = a ? a->next_event(a->self, now) : INT64_MAX;
    if (due < next) next = due;
    if (next == INT64_MAX) {
      if (e->cfg.approver && e->open_approvals) return nap(50);
      e->stop_now = true;
      free(e->final_error);
      e->final_error = strdup("every task is waiting and nothing will wake them (deadlock)");
      return;
    }
    if (e->cfg.max_virtual_ms > 0 && next > e->start_ms + e->cfg.max_virtual_ms) return stop_at_cap(e);
    clock_advance(e->cfg.clock, next);
    now = clock_now(e->cfg.clock);
    if (a) a->poll(a->self, now, 0);
  } else {
    int64_t wait = due == INT64_MAX ? 1000 : due - now;
    if (wait > 1000) wait = 1000;
    if (e->open_approvals && wait > 100) wait = 100;
    if (wait < 0) wait = 0;
    if (a) a->poll(a->self, now, wait);
    else clock_sleep_until(e->cfg.clock, now + wait);
    now = clock_now(e->cfg.clock);
  }
  run_ready(e);
  fire_timers(e, now);
}

/* Acts on engine_cancel calls made since the last look; returns true when there were any. After
 * the plan ended only deliveries are left: the first does nothing, the second drops them. */
static bool handle_cancels(engine *e) {
  int seen = e->cancels;
  if (seen == e->cancels_seen) return false;
  e->cancels_seen = seen;
  if (seen >= 2 && e->root && e->root->state == TS_DONE) {
    engine_notes_drop(e, "stopped at once by a second interrupt"); /* the plan's result stands */
    return true;
  }
  if (seen >= 2) {
    e->stop_now = true;
    free(e->final_error);
    e->final_error = strdup("stopped at once by a second interrupt");
    return true;
  }
  vm_error *err = vm_err(VERR_CANCELLED, "%s", e->why ? e->why : "interrupted");
  if (err) err->interrupt = true;
  vm_task_cancel(e, e->root, err);
  return true;
}

/* Aborts everything t and the tasks below it wait for (a hard stop), then frees them. */
static void free_tree(engine *e, vm_task *t) {
  if (t->join)
    for (int64_t i = 0; i < t->join->n; i++)
      if (t->join->kids[i]) free_tree(e, t->join->kids[i]);
  switch (t->state) {
    case TS_ACTION: vm_action_abort(e, t, RBK_STATUS_CANCELLED, "stopped"); break;
    case TS_APPROVAL: vm_approval_cancel(e, t); break;
    default: break;
  }
  vm_task_free(e, t);
}

/* Drops the ready queue: stopped tickers are freed, other tasks belong to the tree. */
static void drain_ready(engine *e) {
  vm_task *t;
  while ((t = vm_sched_next(&e->sched)))
    if (t->killed) vm_task_free(e, t);
}

/* Returns the run_end status: ok, cancelled (interrupted) or failed. */
static rbk_status end_status(const engine *e, const vm_error *result) {
  if (e->stop_now) return e->cancels_seen >= 2 ? RBK_STATUS_CANCELLED : RBK_STATUS_FAILED;
  if (!result || result->kind == VERR_RETURN) return RBK_STATUS_OK;
  return result->kind == VERR_CANCELLED ? RBK_STATUS_CANCELLED : RBK_STATUS_FAILED;
}

/* Works out the exit code and message, emits run_end (its duration: the plan's work, without the
 * wait for deliveries in flight). */
static void finish_run(engine *e) {
  vm_error *result = e->root && e->root->state == TS_DONE ? e->root->result : NULL;
  if (e->stop_now) {
    e->exit_code = e->cancels_seen >= 2 ? RBK_EXIT_ABORTED : RBK_EXIT_FAILED;
    if (!e->final_error) e->final_error = strdup("out of memory");
  } else {
    e->exit_code = vm_err_exit_code(result);
    if (result) e->final_error = strdup(result->msg);
  }
  rbk_event ev = {.kind = RBK_EV_RUN_END, .status = end_status(e, result), .message = e->final_error,
                  .duration_ms = e->work_ms >= 0 ? e->work_ms : engine_now(e), .exit_code = e->exit_code};
  engine_emit(e, NULL, &ev);
}

/* Returns the params as an object (for run_start). */
static rbk_value *params_value(const engine *e) {
  rbk_value *o = value_object(8);
  for (size_t i = 0; o && e->cfg.params && i < e->cfg.params->len; i++) {
    const param_binding *b = &e->cfg.params->items[i];
    if (b->value && !value_object_set(o, b->decl->u.param.name, value_ref(b->value))) o = NULL;
  }
  return o;
}

/* Emits run_start and makes the root task. */
static bool start_run(engine *e) {
  e->start_ms = clock_now(e->cfg.clock);
  rbk_value *params = params_value(e);
  rbk_event ev = {.kind = RBK_EV_RUN_START, .message = e->code->title, .args = params,
                  .duration_ms = e->code->deadline_ms};
  engine_emit(e, NULL, &ev);
  value_unref(params);
  const vm_func *main = &e->code->funcs.items[e->code->main_func];
  e->root = vm_task_new(e, NULL, NULL, main->entry);
  if (!e->root || !vm_task_push_frame(e->root, main, -1)) return false;
  vm_sched_ready(e, e->root);
  return true;
}

/* Runs the plan to its end, then waits for the deliveries still in flight (a second cancel drops
 * them); returns the exit code. */
int engine_run(engine *e) {
  if (e->ran) return RBK_EXIT_USAGE;
  e->ran = true;
  if (!start_run(e)) e->stop_now = true;
  while (!e->stop_now) {
    run_ready(e);
    if (e->stop_now || (e->root->state == TS_DONE && !e->notes)) break;
    if (e->root->state == TS_DONE && !engine_notes_grace(e)) engine_notes_drop(e, "out of memory");
    if (handle_cancels(e)) continue;
    if (e->fatal && !e->fatal_cancelled) {
      e->fatal_cancelled = true;
      vm_task_cancel(e, e->root, engine_blocked(e));
      continue;
    }
    wait_events(e);
  }
  drain_ready(e);
  engine_notes_drop(e, e->final_error ? e->final_error : "out of memory");
  finish_run(e);
  if (e->root) free_tree(e, e->root);
  e->root = NULL;
  return e->exit_code;
}

/* Cancels the run (async-signal-safe). */
void engine_cancel(engine *e, const char *why) {
  if (!e->cancels) e->why = why;
  e->cancels++;
}

/* Returns the message that ended the run, or NULL. */
const char *engine_error(const engine *e) { return e->final_error; }

/* Returns true when the run stopped at the virtual-time cap. */
bool engine_capped(const engine *e) { return e->capped; }

/* Frees the engine. */
void engine_free(engine *e) {
  if (!e) return;
  if (e->root) free_tree(e, e->root);
  drain_ready(e);
  engine_notes_drop(e, NULL);
  for (size_t u = 0; e->globals && u < e->code->nunits; u++) {
    for (int32_t i = 0; e->globals[u] && i < e->code->units[u].nglobals; i++) value_unref(e->globals[u][i]);
    free(e->globals[u]);
  }
  free(e->globals);
  free(e->unit_started);
  free(e->step_done);
  vm_sched_free(&e->sched);
  engine_strings_free(&e->completed);
  engine_strings_free(&e->warnings);
  compile_code_free(e->code);
  free(e->fatal);
  free(e->final_error);
  free(e->base_dir);
  free(e);
}
