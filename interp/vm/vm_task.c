/* vm_task.c — tasks: stacks, frames, context, joins, finishing, cancellation, tickers. */
#include "engine_int.h"

#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vm_task_kill(engine *e, vm_task *t);

/* Returns a copy of the locals of frame (references taken), or NULL when out of memory. */
static rbk_value **copy_locals(const vm_frame *frame) {
  size_t n = frame->fn->nlocals;
  rbk_value **locals = calloc(n ? n : 1, sizeof *locals);
  for (size_t i = 0; locals && i < n; i++) locals[i] = value_ref(frame->locals[i]);
  return locals;
}

/* Returns a new task at pc with a copy of `frame`, inheriting `from`'s context and step path. */
vm_task *vm_task_new(engine *e, vm_task *from, const vm_frame *frame, int32_t pc) {
  vm_task *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->eng = e;
  t->id = ++e->next_task;
  t->pc = pc;
  t->fcap = 4;
  t->frames = calloc(t->fcap, sizeof *t->frames);
  const char *path = from ? vm_task_path(from) : NULL;
  t->base_path = path ? strdup(path) : NULL;
  if (!t->frames || (path && !t->base_path)) {
    vm_task_free(e, t);
    return NULL;
  }
  if (frame) {
    t->frames[0] = (vm_frame){.fn = frame->fn, .locals = copy_locals(frame), .ret_pc = -1, .branch = true};
    t->nframes = 1;
    if (!t->frames[0].locals) {
      vm_task_free(e, t);
      return NULL;
    }
  }
  if (from && from->ctxlen) vm_task_ctx_add(t, from->ctx);
  return t;
}

/* Releases a region's owned parts and cancels its timer. */
static void region_release(engine *e, vm_region *r) {
  vm_sched_cancel_timer(e, r->timer);
  vm_err_free(r->err);
  free(r->title);
  free(r->path);
  free(r->key);
  free(r->last);
  engine_poll_forget(r);
}

/* Releases what the branches of a collecting join returned so far. */
static void join_results_free(vm_join *j) {
  for (int64_t i = 0; j->results && i < j->n; i++) value_unref(j->results[i]);
  free(j->results);
  j->results = NULL;
}

/* Returns the list of what the branches of a collecting join returned (taken from it; null for a
 * branch that returned nothing), or NULL when out of memory. */
static rbk_value *join_results_take(vm_join *j) {
  rbk_value *list = value_list((size_t)j->n);
  for (int64_t i = 0; list && i < j->n; i++) {
    rbk_value *v = j->results[i] ? j->results[i] : value_null();
    j->results[i] = NULL;
    if (!value_list_push(list, v)) {
      value_unref(list);
      list = NULL;
    }
  }
  join_results_free(j);
  return list;
}

/* Frees a task that is not waiting on anything (finished, or never started). */
void vm_task_free(engine *e, vm_task *t) {
  if (!t) return;
  vm_task_stop_tickers(e, t, 0);
  vm_task_drop_to(t, 0);
  while (t->nframes) vm_task_pop_frame(e, t);
  for (size_t i = 0; i < t->nregions; i++) region_release(e, &t->regions[i]);
  vm_sched_cancel_timer(e, t->timer);
  vm_sched_cancel_timer(e, t->act.guard);
  if (t->join) {
    value_unref(t->join->list);
    vm_err_free(t->join->first);
    free(t->join->kids);
    join_results_free(t->join);
    free(t->join);
  }
  free(t->act.target);
  free(t->act.key);
  value_unref(t->resume_val);
  vm_err_free(t->resume_err);
  vm_err_free(t->cancel);
  vm_err_free(t->result);
  value_unref(t->cap[0]);
  value_unref(t->cap[1]);
  free(t->lambda_err);
  free(t->stack);
  free(t->frames);
  free(t->regions);
  free(t->tickers);
  free(t->ctx);
  free(t->base_path);
  free(t);
}

/* Pushes v (taken); false when out of memory. */
bool vm_task_push(vm_task *t, rbk_value *v) {
  if (!v) return false;
  if (!GROW(t->stack, t->scap, t->sp + 1)) {
    value_unref(v);
    return false;
  }
  t->stack[t->sp++] = v;
  return true;
}

/* Returns the popped top value (owned). */
rbk_value *vm_task_pop(vm_task *t) { return t->sp ? t->stack[--t->sp] : NULL; }

/* Drops values down to sp. */
void vm_task_drop_to(vm_task *t, size_t sp) {
  while (t->sp > sp) value_unref(t->stack[--t->sp]);
}

/* Pushes a frame for fn returning to ret_pc. */
bool vm_task_push_frame(vm_task *t, const vm_func *fn, int32_t ret_pc) {
  if (!GROW(t->frames, t->fcap, t->nframes + 1)) return false;
  rbk_value **locals = calloc(fn->nlocals ? (size_t)fn->nlocals : 1, sizeof *locals);
  if (!locals) return false;
  t->frames[t->nframes++] = (vm_frame){fn, locals, ret_pc, t->sp, t->ctxlen, t->ntickers, false};
  return true;
}

/* Pops the top frame, releasing its locals and stopping its tickers. */
void vm_task_pop_frame(engine *e, vm_task *t) {
  vm_frame *f = &t->frames[--t->nframes];
  vm_task_stop_tickers(e, t, f->ntickers);
  for (int32_t i = 0; i < f->fn->nlocals; i++) value_unref(f->locals[i]);
  free(f->locals);
  vm_task_ctx_cut(t, f->ctxlen);
}

/* Returns the top frame. */
vm_frame *vm_task_frame(vm_task *t) { return &t->frames[t->nframes - 1]; }

/* Appends text to the context. */
void vm_task_ctx_add(vm_task *t, const char *text) {
  size_t n = strlen(text);
  if (!GROW(t->ctx, t->ctxcap, t->ctxlen + n + 1)) return;
  memcpy(t->ctx + t->ctxlen, text, n + 1);
  t->ctxlen += n;
}

/* Truncates the context to len. */
void vm_task_ctx_cut(vm_task *t, size_t len) {
  if (len < t->ctxlen) {
    t->ctxlen = len;
    t->ctx[len] = '\0';
  }
}

/* Returns the innermost step path of t (borrowed), or NULL. */
const char *vm_task_path(const vm_task *t) {
  if (t->lambda && t->caller) return vm_task_path(t->caller);
  for (size_t i = t->nregions; i-- > 0;)
    if (t->regions[i].path) return t->regions[i].path;
  return t->base_path;
}

/* Stops and frees t's tickers beyond the first keep. */
void vm_task_stop_tickers(engine *e, vm_task *t, size_t keep) {
  while (t->ntickers > keep) vm_task_kill(e, t->tickers[--t->ntickers]);
}

/* Stops a ticker at once: aborts what it waits for, without events, and frees it (its deliveries
 * in flight belong to the engine and go on). */
static void vm_task_kill(engine *e, vm_task *t) {
  switch (t->state) {
    case TS_READY:
      if (t->queued) {
        t->killed = true; /* freed when the scheduler dequeues it */
        return;
      }
      break;
    case TS_ACTION:
      if (e->cfg.actions) e->cfg.actions->cancel(e->cfg.actions->self, t->op);
      break;
    default: break;
  }
  vm_task_free(e, t);
}

/* Resumes the parent of a join whose children have all ended. */
static void join_end(engine *e, vm_task *p) {
  vm_join *j = p->join;
  vm_error *err = p->cancel ? p->cancel : j->first;
  if (p->cancel) vm_err_free(j->first);
  p->cancel = NULL;
  rbk_value *values = j->results && !err ? join_results_take(j) : NULL;
  if (j->results && !err && !values) err = vm_err(VERR_FAILED, "out of memory collecting the branches' values");
  join_results_free(j);
  value_unref(p->resume_val);
  p->resume_val = values;
  value_unref(j->list);
  free(j->kids);
  free(j);
  p->join = NULL;
  vm_err_free(p->resume_err);
  p->resume_err = err;
  vm_sched_ready(e, p);
}

/* Cancels the running children of a join. */
static void join_cancel(engine *e, vm_join *j, const char *why) {
  j->cancelling = true;
  for (int64_t i = 0; i < j->n; i++)
    if (j->kids[i]) vm_task_cancel(e, j->kids[i], vm_err(VERR_CANCELLED, "%s", why));
}

/* Starts one child of p's join: branch i. */
static bool join_start(engine *e, vm_task *p, int64_t i) {
  vm_join *j = p->join;
  const vm_branch_info *b = j->info;
  vm_task *k = vm_task_new(e, p, vm_task_frame(p), b->pcs ? b->pcs[i] : b->body);
  if (!k) return false;
  if (j->list) {
    vm_frame *f = vm_task_frame(k);
    value_unref(f->locals[b->var]);
    f->locals[b->var] = value_ref(j->list->u.list.items[i]);
    char idx[32];
    snprintf(idx, sizeof idx, "[%lld]", (long long)i);
    vm_task_ctx_add(k, idx);
  }
  k->parent = p;
  k->branch = (size_t)i;
  j->kids[i] = k;
  j->running++;
  vm_sched_ready(e, k);
  return true;
}

/* Starts children while `max` allows; resumes the parent when nothing is left. */
void vm_task_join_fill(engine *e, vm_task *p) {
  vm_join *j = p->join;
  while (!j->cancelling && j->next < j->n && (j->max <= 0 || j->running < j->max)) {
    if (!join_start(e, p, j->next)) {
      if (!j->first) j->first = vm_err(VERR_FAILED, "out of memory starting a parallel branch");
      join_cancel(e, j, "cancelled: out of memory");
      break;
    }
    j->next++;
  }
  if (j->running == 0 && (j->cancelling || j->next == j->n)) join_end(e, p);
}

/* Records that child `branch` of p ended with err (taken). */
static void join_child_done(engine *e, vm_task *p, size_t branch, vm_error *err) {
  vm_join *j = p->join;
  j->kids[branch] = NULL;
  j->running--;
  if (err && !j->first && !j->cancelling) {
    j->first = err;
    err = NULL;
    join_cancel(e, j, "cancelled: a parallel branch failed");
  }
  vm_err_free(err);
  vm_task_join_fill(e, p);
}

/* Returns true when t is a branch of a collecting `parallel for` in its own frame; then ends it
 * with v (taken) as its value. */
bool vm_task_branch_return(engine *e, vm_task *t, rbk_value *v) {
  vm_join *j = t->parent ? t->parent->join : NULL;
  if (!j || !j->results || t->nframes != 1 || (int64_t)t->branch >= j->n) return false;
  value_unref(j->results[t->branch]);
  j->results[t->branch] = v;
  vm_task_drop_to(t, 0);
  vm_task_finish(e, t, NULL);
  return true;
}

/* Ends t with err (taken; NULL: success); vm_task_reap finishes the job once t stops running. */
void vm_task_finish(engine *e, vm_task *t, vm_error *err) {
  vm_task_stop_tickers(e, t, 0);
  t->state = TS_DONE;
  if (t == e->root) e->work_ms = engine_now(e);
  if (t->ticker && err && err->kind != VERR_CANCELLED) engine_warn(e, t, NULL, "notify every stopped: %s", err->msg);
  if (t->ticker) vm_err_free(err);
  else t->result = err;
}

/* After t ran: a finished branch is freed and its parent's join told. */
void vm_task_reap(engine *e, vm_task *t) {
  vm_task *p = t->parent;
  if (t->state != TS_DONE || !p || t->lambda) return;
  size_t branch = t->branch;
  vm_error *err = t->result;
  t->result = NULL;
  vm_task_free(e, t);
  join_child_done(e, p, branch, err);
}

/* Cancels t with err (taken): aborts what it waits for; it raises err when it resumes. */
void vm_task_cancel(engine *e, vm_task *t, vm_error *err) {
  switch (t->state) {
    case TS_DONE: vm_err_free(err); return;
    case TS_JOIN:
      if (t->cancel) {
        vm_err_free(err);
        return;
      }
      t->cancel = err;
      join_cancel(e, t->join, "cancelled");
      if (t->join->running == 0) join_end(e, t);
      return;
    case TS_ACTION: vm_action_abort(e, t, RBK_STATUS_CANCELLED, NULL); break;
    case TS_TIMER:
      vm_sched_cancel_timer(e, t->timer);
      t->timer = 0;
      break;
    case TS_APPROVAL: vm_approval_cancel(e, t); break;
    case TS_READY: case TS_RUNNING: break;
  }
  if (t->resume_err && t->resume_err->kind == VERR_CANCELLED) {
    vm_err_free(err); /* an earlier cancellation is still to be raised */
    return;
  }
  vm_err_free(t->resume_err);
  value_unref(t->resume_val);
  t->resume_val = NULL;
  t->resume_err = err;
  if (t->state != TS_RUNNING) vm_sched_ready(e, t);
}
