/* vm_region.c — regions (the plan, steps, gates, wait until) and the unwinder: how an error
 * travels up through a task, what retries, what runs the handlers, what a timeout turns into. */
#include "engine_int.h"
#include "strutil.h"

#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...) vm_raise(e, t, vm_err_at(in->node, __VA_ARGS__))
#define POLL_EVERY_MS 5000 /* wait until / gate without `every` */

static const char *const region_names[] = {
#define X(k, name) name,
    RBK_REGION_KINDS(X)
#undef X
};

/* Returns the top region of t. */
static vm_region *top(vm_task *t) { return &t->regions[t->nregions - 1]; }

/* Returns "1m30s" for ms (caller frees; never NULL). */
static char *dur(int64_t ms) {
  char *s = value_format_duration(ms);
  return s ? s : strdup("?");
}

/* Pops an optional operand of `kind` into *out (-1 when null); raises and returns false when it
 * has another kind or is negative. */
static bool pop_opt(engine *e, vm_task *t, const vm_insn *in, val_kind kind, const char *what, int64_t *out) {
  rbk_value *v = vm_task_pop(t);
  *out = -1;
  bool ok = v->kind == VAL_NULL || (v->kind == kind && v->u.i >= 0);
  if (ok && v->kind == kind) *out = v->u.i;
  if (!ok) FAIL("%s must be a non-negative %s, got %s", what, value_kind_name(kind), value_kind_article(v->kind));
  value_unref(v);
  return ok;
}

/* Returns a new region on t for info (pointers into t->regions are invalid afterwards), or NULL. */
static vm_region *open_region(engine *e, vm_task *t, const vm_region_info *info) {
  if (!GROW(t->regions, t->rcap, t->nregions + 1)) return NULL;
  vm_region *r = &t->regions[t->nregions++];
  *r = (vm_region){.info = info, .id = ++e->next_region, .fp = t->nframes, .sp = t->sp, .ctxlen = t->ctxlen,
                   .ntickers = t->ntickers, .retries = -1, .backoff = -1, .timeout = -1, .every = -1,
                   .deadline = -1, .start = clock_now(e->cfg.clock)};
  r->node = info->node ? engine_node(e, t, info->node) : NULL;
  return r;
}

/* Returns "outer › title" (caller frees). */
static char *join_path(const char *outer, const char *title) {
  size_t n = (outer ? strlen(outer) : 0) + strlen(title) + 8;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s%s%s", outer ? outer : "", outer ? " › " : "", title);
  return p;
}

/* Emits a step event for region r (or for a skipped step, with r->info only). */
static void emit_step(engine *e, vm_task *t, const vm_region *r, rbk_event_kind kind, rbk_status st, const char *msg) {
  rbk_event ev = {.kind = kind, .node = r->node, .step = r->path, .status = st, .message = msg, .key = r->key,
                  .duration_ms = kind == RBK_EV_STEP_END ? clock_now(e->cfg.clock) - r->start : -1};
  engine_emit(e, t, &ev);
}

/* Emits step_end for a step that ended by `return` with value v (journaled only when it holds no
 * secret, lambda or handle: a resumed run skips the step only then). */
static void emit_step_return(engine *e, vm_task *t, const vm_region *r, const char *msg, const rbk_value *v) {
  rbk_event ev = {.kind = RBK_EV_STEP_END, .node = r->node, .step = r->path, .message = msg, .key = r->key,
                  .status = msg ? RBK_STATUS_SKIPPED : RBK_STATUS_OK, .returned = true,
                  .result = v && vm_resume_value_journalable(v) ? v : NULL,
                  .duration_ms = clock_now(e->cfg.clock) - r->start};
  engine_emit(e, t, &ev);
}

/* Skips step r, completed by an earlier run (its region is closed); when it returned a value then,
 * returns it again. */
static void skip_step(engine *e, vm_task *t, vm_region *r, const vm_region_info *info) {
  const char *why = "completed by an earlier run";
  rbk_value *ret = NULL;
  bool returned = vm_resume_step_return(e, r->key, &ret);
  if (returned) emit_step_return(e, t, r, why, ret);
  else emit_step(e, t, r, RBK_EV_STEP_END, RBK_STATUS_SKIPPED, why);
  engine_step_completed(e, r);
  t->nregions--;
  free(r->title), free(r->path), free(r->key);
  t->pc = info->exit_pc + 1;
  if (!returned) return;
  vm_error *err = vm_err(VERR_RETURN, "return");
  if (err) err->value = ret;
  else value_unref(ret);
  vm_raise(e, t, err);
}

/* ENTER for a step: title, timeout, retry, backoff; a step completed by an earlier run is skipped. */
static void enter_step(engine *e, vm_task *t, const vm_insn *in, const vm_region_info *info) {
  int64_t backoff, retry, timeout;
  if (!pop_opt(e, t, in, VAL_DURATION, "backoff", &backoff) || !pop_opt(e, t, in, VAL_INT, "retry", &retry) ||
      !pop_opt(e, t, in, VAL_DURATION, "timeout", &timeout))
    return;
  rbk_value *tv = vm_task_pop(t);
  char *title = value_show(tv);
  value_unref(tv);
  char *path = title ? join_path(vm_task_path(t), title) : NULL;
  char *key = path ? engine_step_key(t->ctx, path) : NULL;
  vm_region *r = key ? open_region(e, t, info) : NULL;
  if (!r) {
    free(title), free(path), free(key);
    return FAIL("out of memory");
  }
  *r = (vm_region){.info = r->info, .id = r->id, .fp = r->fp, .sp = r->sp, .ctxlen = r->ctxlen, .ntickers = r->ntickers,
                   .retries = retry, .backoff = backoff, .timeout = timeout, .every = -1, .deadline = -1,
                   .start = r->start, .title = title, .path = path, .key = key, .node = r->node};
  if (engine_in_list(e->cfg.resume_done, key)) return skip_step(e, t, r, info);
  emit_step(e, t, r, RBK_EV_STEP_START, RBK_STATUS_NONE, title);
}

/* Replays gate r as passed (a resumed run: it passed before the run changed the world, which it
 * would now be judged against): one gate event with status skipped; its region is closed. */
static void replay_gate(engine *e, vm_task *t, vm_region *r, const vm_region_info *info) {
  char msg[600];
  snprintf(msg, sizeof msg, "%s (passed before the interruption)", r->title);
  rbk_event ev = {.kind = RBK_EV_GATE, .node = r->node, .status = RBK_STATUS_SKIPPED, .message = msg, .key = r->key,
                  .duration_ms = 0};
  engine_emit(e, t, &ev);
  free(r->title), free(r->key);
  t->nregions--;
  t->pc = info->exit_pc + 1;
}

/* ENTER for a gate (title, every, timeout) or wait until (every, timeout). */
static void enter_poll(engine *e, vm_task *t, const vm_insn *in, const vm_region_info *info) {
  int64_t timeout, every;
  if (!pop_opt(e, t, in, VAL_DURATION, "timeout", &timeout) || !pop_opt(e, t, in, VAL_DURATION, "every", &every))
    return;
  char *title = NULL;
  if (info->kind == REG_GATE) {
    rbk_value *tv = vm_task_pop(t);
    title = value_show(tv);
    value_unref(tv);
  }
  char *key = NULL;
  if (title) {
    char *path = join_path(vm_task_path(t), title), *k = path ? engine_step_key(t->ctx, path) : NULL;
    key = k ? strutil_printf("gate:%s", k) : NULL;
    free(path), free(k);
  }
  vm_region *r = (title && !key) ? NULL : open_region(e, t, info);
  if (!r) {
    free(title), free(key);
    return FAIL("out of memory");
  }
  r->title = title;
  r->key = key;
  if (key && !info->recheck && engine_in_list(e->cfg.resume_gates, key)) return replay_gate(e, t, r, info);
  r->every = every > 0 ? every : (timeout >= 0 || info->kind == REG_WAITU) ? POLL_EVERY_MS : -1;
  r->timeout = timeout;
  r->deadline = timeout >= 0 ? r->start + timeout : -1;
  const vm_check_info *ck = info->kind == REG_WAITU ? &e->code->checks.items[info->check] : NULL;
  char msg[512];
  if (ck) snprintf(msg, sizeof msg, "until %s", ck->source ? ck->source : "?");
  rbk_event ev = {.kind = ck ? RBK_EV_WAIT : RBK_EV_GATE, .node = r->node, .message = ck ? msg : title,
                  .duration_ms = timeout, .key = r->key};
  engine_emit(e, t, &ev);
}

/* ENTER for the plan: the runbook's deadline (unless ignored) is its time limit. */
static void enter_plan(engine *e, vm_task *t, const vm_insn *in, const vm_region_info *info) {
  vm_region *r = open_region(e, t, info);
  if (!r) return FAIL("out of memory");
  if (e->code->deadline_ms < 0 || e->cfg.ignore_deadline) return;
  r->timeout = e->code->deadline_ms;
  r->deadline = e->start_ms + e->code->deadline_ms;
}

/* ATTEMPT: counts the attempt and arms the region's timer. */
static void attempt(engine *e, vm_task *t) {
  vm_region *r = top(t);
  int64_t now = clock_now(e->cfg.clock);
  r->attempt++;
  r->phase = PH_BODY;
  vm_sched_cancel_timer(e, r->timer);
  r->timer = 0;
  if (r->info->kind == REG_STEP && r->timeout >= 0)
    r->timer = vm_sched_timer(e, now + r->timeout, TM_REGION, t, r->id);
  else if (r->deadline >= 0 && (now < r->deadline || r->info->kind == REG_PLAN))
    r->timer = vm_sched_timer(e, r->deadline, TM_REGION, t, r->id);
}

/* Sends t to the region's EXIT with err (taken) pending. */
static void to_exit(vm_task *t, vm_region *r, vm_error *err) {
  if (err) {
    vm_err_free(r->err);
    r->err = err;
  }
  t->pc = r->info->exit_pc;
  t->state = TS_RUNNING;
}

/* Returns the error a gate or wait until fails with when its time ran out. */
static vm_error *poll_timeout(vm_region *r) {
  char *d = dur(r->timeout);
  const char *last = r->last ? r->last : "no attempt finished";
  vm_error *err = r->info->kind == REG_GATE ? vm_err(VERR_FAILED, "gate '%s' did not pass within %s: %s", r->title, d, last)
                                            : vm_err(VERR_FAILED, "wait until timed out after %s: %s", d, last);
  free(d);
  return err;
}

/* Preview (engine_config.preview): a gate that does not pass now fails, unless a mutating action
 * was previewed before it (then it is judged on the state before that write: a skipped gate event
 * tells, and the preview goes on); a wait until goes on after a skipped wait event saying what a
 * run would wait for. */
static void preview_poll(engine *e, vm_task *t, vm_region *r) {
  char *every = dur(r->every), *limit = r->timeout >= 0 ? dur(r->timeout) : NULL, msg[700];
  if (r->info->kind == REG_GATE && !e->preview_wrote) {
    vm_error *err = vm_err(VERR_FAILED, "gate '%s' does not pass now (a run polls it every %s%s%s): %s", r->title, every,
                           limit ? " for up to " : "", limit ? limit : "", r->last);
    free(every), free(limit);
    return to_exit(t, r, err);
  }
  if (r->info->kind == REG_GATE)
    snprintf(msg, sizeof msg, "gate '%s' does not pass on the state before the previewed writes (a run polls it every %s%s%s): %s",
             r->title, every, limit ? " for up to " : "", limit ? limit : "", r->last);
  else {
    const char *src = e->code->checks.items[r->info->check].source, *now = r->last;
    size_t n = strlen(src), m = strlen(now); /* "SRC (a = 1, b = 2)" shows as "a = 1, b = 2" */
    bool operands = !strncmp(now, src, n) && !strncmp(now + n, " (", 2) && now[m - 1] == ')';
    if (!strcmp(now, src)) now = "false", m = 5; /* no operands to show */
    snprintf(msg, sizeof msg, "would wait %s%s until %s (now: %.*s)", limit ? "up to " : "", limit ? limit : "without a time limit",
             src, operands ? (int)(m - n - 3) : (int)m, operands ? now + n + 2 : now);
  }
  free(every), free(limit);
  rbk_event ev = {.kind = r->info->kind == REG_GATE ? RBK_EV_GATE : RBK_EV_WAIT, .node = r->node, .status = RBK_STATUS_SKIPPED, .message = msg,
                  .duration_ms = r->timeout, .key = r->key};
  engine_emit(e, t, &ev);
  vm_sched_cancel_timer(e, r->timer);
  r->timer = 0;
  t->pc = r->info->exit_pc;
  t->state = TS_RUNNING;
}

/* A gate or wait until attempt did not pass (last: why, taken): sleeps until the next attempt, or
 * fails when the time is up. */
static void poll_again(engine *e, vm_task *t, vm_region *r, char *last) {
  free(r->last);
  r->last = last;
  if (e->cfg.preview) return preview_poll(e, t, r);
  vm_sched_cancel_timer(e, r->timer);
  r->timer = 0;
  int64_t now = clock_now(e->cfg.clock);
  if (r->deadline >= 0 && now >= r->deadline) return to_exit(t, r, poll_timeout(r));
  int64_t next = now + r->every;
  if (r->deadline >= 0 && next > r->deadline) next = r->deadline;
  r->phase = PH_SLEEP;
  t->pc = r->info->attempt_pc;
  t->timer = vm_sched_timer(e, next, TM_WAKE, t, 0);
  t->state = TS_TIMER;
}

/* WAITU_TEST: the condition's value decides. */
static void waitu_test(engine *e, vm_task *t, const vm_insn *in) {
  vm_region *r = top(t);
  rbk_value *v = vm_task_pop(t);
  if (v->kind != VAL_BOOL) {
    vm_error *err = vm_err_at(in->node, "wait until: the condition must be a bool, got %s", value_kind_article(v->kind));
    err->no_retry = true;
    value_unref(v);
    return vm_raise(e, t, err);
  }
  bool passed = v->u.b;
  const vm_check_info *ck = &e->code->checks.items[r->info->check];
  char *last = passed ? NULL : vm_check_message(t, ck, v);
  value_unref(v);
  if (passed) {
    vm_sched_cancel_timer(e, r->timer);
    r->timer = 0;
    t->pc = r->info->exit_pc;
    return;
  }
  if (r->every < 0 && r->deadline < 0) return to_exit(t, r, vm_err_at(in->node, "%s", last ? last : "false"));
  poll_again(e, t, r, last ? last : strdup("false"));
}

/* BODY_OK: the body passed; steps and the plan go on to finally. */
static void body_ok(engine *e, vm_task *t) {
  vm_region *r = top(t);
  vm_sched_cancel_timer(e, r->timer);
  r->timer = 0;
  r->phase = PH_FINALLY;
  if (r->info->finally_pc >= 0) t->pc = r->info->finally_pc;
  else t->pc = r->info->exit_pc;
}

/* HANDLER_END: after on failure comes finally; after finally, the exit. */
static void handler_end(vm_task *t) {
  vm_region *r = top(t);
  if (r->phase == PH_ONFAIL && r->info->finally_pc >= 0) {
    r->phase = PH_FINALLY;
    t->pc = r->info->finally_pc;
    return;
  }
  r->phase = PH_FINALLY;
  t->pc = r->info->exit_pc;
}

/* Returns the status a region ends with for its pending error. */
static rbk_status end_status(const vm_error *err) {
  if (!err || err->kind == VERR_RETURN) return RBK_STATUS_OK;
  return err->kind == VERR_CANCELLED ? RBK_STATUS_CANCELLED : RBK_STATUS_FAILED;
}

/* Emits the closing event of a gate or wait until. */
static void emit_poll_end(engine *e, vm_task *t, const vm_region *r) {
  rbk_status st = end_status(r->err);
  char msg[600];
  const char *text = r->err ? r->err->msg : NULL;
  if (!text && r->info->kind == REG_GATE) {
    if (r->attempt > 1) snprintf(msg, sizeof msg, "%s (passed after %lld attempts)", r->title, (long long)r->attempt);
    else snprintf(msg, sizeof msg, "%s", r->title);
    text = msg;
  } else if (!text) {
    snprintf(msg, sizeof msg, "until %s", e->code->checks.items[r->info->check].source);
    text = msg;
  }
  rbk_event ev = {.kind = r->info->kind == REG_GATE ? RBK_EV_GATE : RBK_EV_WAIT, .node = r->node, .status = st,
                  .message = text, .duration_ms = clock_now(e->cfg.clock) - r->start, .key = r->key};
  engine_emit(e, t, &ev);
}

/* EXIT: closes the region with its event; re-raises its pending error. */
static void region_exit(engine *e, vm_task *t) {
  vm_region *r = top(t);
  vm_error *err = r->err;
  r->err = NULL;
  if (r->info->kind == REG_STEP) {
    rbk_status st = end_status(err);
    if (st == RBK_STATUS_OK) engine_step_completed(e, r);
    if (err && err->kind == VERR_RETURN) emit_step_return(e, t, r, NULL, err->value);
    else emit_step(e, t, r, RBK_EV_STEP_END, st, err ? err->msg : NULL);
  } else if (r->info->kind != REG_PLAN) {
    if (r->info->kind == REG_GATE && err && err->kind != VERR_RETURN && !err->step)
      err->step = vm_gate_description(r->title);
    r->err = err;
    emit_poll_end(e, t, r);
    r->err = NULL;
  }
  vm_sched_cancel_timer(e, r->timer);
  free(r->title), free(r->path), free(r->key), free(r->last), engine_poll_forget(r);
  t->nregions--;
  if (err) vm_raise(e, t, err);
}

/* Executes the region instructions. */
void vm_region_op(engine *e, vm_task *t, const vm_insn *in) {
  const vm_region_info *info = &e->code->regions.items[in->a];
  switch (in->op) {
    case OPC_ENTER:
      if (info->kind == REG_STEP) enter_step(e, t, in, info);
      else if (info->kind == REG_PLAN) enter_plan(e, t, in, info);
      else if (info->kind != REG_PLAN) enter_poll(e, t, in, info);
      break;
    case OPC_ATTEMPT: attempt(e, t); break;
    case OPC_BODY_OK: body_ok(e, t); break;
    case OPC_WAITU_TEST: waitu_test(e, t, in); break;
    case OPC_HANDLER_END: handler_end(t); break;
    case OPC_EXIT: region_exit(e, t); break;
    default: FAIL("bad region instruction"); break;
  }
}

/* Returns a description of region r for messages ("step 'x'", "the plan"). */
static void describe(const vm_region *r, char *buf, size_t n) {
  if (r->info->kind == REG_PLAN) snprintf(buf, n, "the plan");
  else snprintf(buf, n, "%s '%s'", region_names[r->info->kind], r->title ? r->title : "");
}

/* Charges err to the step r (or, for the plan, to the top-level statement running) unless an
 * inner step or gate claimed it: run.failed_step. */
static void claim(const vm_task *t, const vm_region *r, vm_error *err) {
  if (err->step || err->kind == VERR_RETURN) return;
  err->step = r->info->kind == REG_STEP ? strdup(r->title) : vm_top_description(err->at ? err->at : t->stmt);
}

/* A step's body failed with err (taken): retry, or run its handlers. */
static void step_failed(engine *e, vm_task *t, vm_region *r, vm_error *err) {
  claim(t, r, err);
  if (r->info->kind == REG_STEP && vm_err_retryable(err) && r->retries >= 0 && r->attempt <= r->retries) {
    int64_t b = r->backoff > 0 ? r->backoff : 0;
    for (int64_t i = 1; i < r->attempt && b < INT64_MAX / 2; i++) b *= 2;
    char *d = dur(b);
    engine_warn(e, t, r->info->node, "step '%s' attempt %lld of %lld failed: %s; retrying %s%s", r->title,
                (long long)r->attempt, (long long)r->retries + 1, err->msg, b ? "in " : "now", b ? d : "");
    free(d);
    vm_err_free(err);
    r->phase = PH_SLEEP;
    t->pc = r->info->attempt_pc;
    t->timer = vm_sched_timer(e, clock_now(e->cfg.clock) + b, TM_WAKE, t, 0);
    t->state = TS_TIMER;
    return;
  }
  r->err = err;
  r->phase = r->info->onfail_pc >= 0 ? PH_ONFAIL : PH_FINALLY;
  t->pc = r->info->onfail_pc >= 0 ? r->info->onfail_pc : r->info->finally_pc >= 0 ? r->info->finally_pc : r->info->exit_pc;
  t->state = TS_RUNNING;
}

/* A plan or step region r catches err (taken). */
static void catch_step(engine *e, vm_task *t, vm_region *r, vm_error *err) {
  char what[300];
  describe(r, what, sizeof what);
  if (r->phase == PH_ONFAIL || (r->phase == PH_FINALLY && r->err)) {
    if (err->kind != VERR_RETURN)
      engine_warn(e, t, r->info->node, "a handler of %s failed: %s", what, err->msg);
    vm_err_free(err);
    if (r->phase == PH_ONFAIL && r->info->finally_pc >= 0) {
      r->phase = PH_FINALLY;
      t->pc = r->info->finally_pc;
    } else {
      t->pc = r->info->exit_pc;
    }
    t->state = TS_RUNNING;
    return;
  }
  if (r->phase == PH_FINALLY) {
    claim(t, r, err);
    return to_exit(t, r, err);
  }
  if (err->kind == VERR_CANCELLED && err->target == r->id) {
    char *d = dur(r->timeout);
    vm_error *timeout = r->info->kind == REG_PLAN ? vm_err(VERR_FAILED, "deadline %s exceeded", d)
                                                  : vm_err(VERR_FAILED, "%s timed out after %s", what, d);
    if (timeout && r->info->kind == REG_PLAN) {
      timeout->step = err->step ? strdup(err->step) : NULL;
      timeout->at = err->at;
    }
    free(d);
    vm_err_free(err);
    err = timeout;
  }
  if (err->kind == VERR_RETURN) {
    r->err = err;
    r->phase = PH_FINALLY;
    t->pc = r->info->finally_pc >= 0 ? r->info->finally_pc : r->info->exit_pc;
    t->state = TS_RUNNING;
    return;
  }
  step_failed(e, t, r, err);
}

/* A gate or wait until region r catches err (taken): retried while time is left. */
static void catch_poll(engine *e, vm_task *t, vm_region *r, vm_error *err) {
  if (err->kind == VERR_CANCELLED && err->target == r->id) {
    vm_err_free(err);
    return to_exit(t, r, poll_timeout(r));
  }
  if (vm_err_retryable(err) && (r->every >= 0 || r->deadline >= 0)) {
    char *last = strdup(err->msg);
    vm_err_free(err);
    return poll_again(e, t, r, last);
  }
  if (r->info->kind == REG_GATE && err->kind == VERR_FAILED) {
    vm_error *wrapped = vm_err(VERR_FAILED, "gate '%s' failed: %s", r->title, err->msg);
    vm_err_free(err);
    err = wrapped;
  }
  to_exit(t, r, err);
}

/* Raises err (taken) in t: unwinds to the innermost region, which retries, runs handlers or lets
 * it pass on; a task without regions ends with it. */
void vm_raise(engine *e, vm_task *t, vm_error *err) {
  if (!err) {
    e->stop_now = true; /* out of memory: nothing sensible can run */
    t->state = TS_DONE;
    return;
  }
  if (t->lambda) {
    free(t->lambda_err);
    t->lambda_err = strdup(err->msg);
    vm_err_free(err);
    t->state = TS_DONE;
    return;
  }
  t->state = TS_RUNNING;
  if (!err->at) err->at = t->stmt;
  if (err->kind == VERR_RETURN && !(t->nregions && top(t)->fp == t->nframes)) {
    rbk_value *v = err->value;
    err->value = NULL;
    vm_err_free(err);
    return vm_do_return(e, t, v);
  }
  if (!t->nregions) {
    vm_task_drop_to(t, 0);
    return vm_task_finish(e, t, err);
  }
  vm_region *r = top(t);
  while (t->nframes > r->fp) vm_task_pop_frame(e, t);
  vm_task_drop_to(t, r->sp);
  vm_task_ctx_cut(t, r->ctxlen);
  vm_task_stop_tickers(e, t, r->ntickers);
  vm_sched_cancel_timer(e, r->timer);
  r->timer = 0;
  if (r->info->kind == REG_PLAN || r->info->kind == REG_STEP) catch_step(e, t, r, err);
  else catch_poll(e, t, r, err);
}

/* A region's timer fired: cancel what runs below it in t. */
void vm_region_timeout(engine *e, vm_task *t, uint64_t region) {
  for (size_t i = t->nregions; i-- > 0;) {
    vm_region *r = &t->regions[i];
    if (r->id != region) continue;
    r->timer = 0;
    char what[300];
    describe(r, what, sizeof what);
    char *d = r->info->kind == REG_PLAN ? dur(r->timeout) : NULL;
    vm_error *err = d ? vm_err(VERR_CANCELLED, "cancelled: deadline %s exceeded", d)
                      : vm_err(VERR_CANCELLED, "cancelled: %s ran out of time", what);
    free(d);
    if (err) err->target = region;
    vm_task_cancel(e, t, err);
    return;
  }
}
