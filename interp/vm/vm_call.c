/* vm_call.c — calls: built-ins, constructors, actions (asynchronous), procs, lambdas, params and
 * imports. */
#include "builtins.h"
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vm_action_done(void *user, rbk_value *result, const char *error);

#define FAIL(...) vm_raise(e, t, vm_err_at(in->node, __VA_ARGS__))
#define MAX_PARAMS 16

/* Arguments matched to a signature's parameters. */
typedef struct {
  sig_param params[MAX_PARAMS];
  size_t n;
  rbk_value *slots[MAX_PARAMS]; /* indexed like params; borrowed, except `varlist` */
  rbk_value *named[MAX_PARAMS]; /* only those passed by name (for builtins_call) */
  rbk_value **pos;              /* positional values in order (borrowed) */
  size_t npos;
  rbk_value *varlist;           /* the variadic parameter's list (owned) */
} vm_args;

/* Matches the call's arguments to sig's parameters; returns an error message or NULL. */
static char *map_args(const sig_info *sig, const vm_call_info *ci, rbk_value **vals, vm_args *a) {
  char msg[160];
  a->n = sig_params(sig, a->params, MAX_PARAMS);
  a->pos = vals;
  size_t pi = 0;
  for (int32_t i = 0; i < ci->nargs; i++) {
    if (ci->names[i]) {
      int idx = sig_param_index(a->params, a->n, ci->names[i]);
      if (idx < 0 || a->slots[idx]) {
        snprintf(msg, sizeof msg, idx < 0 ? "%s has no parameter '%s'" : "%s: argument '%s' is given twice",
                 sig->name, ci->names[i]);
        return strdup(msg);
      }
      a->slots[idx] = a->named[idx] = vals[i];
      continue;
    }
    a->npos++;
    if (pi >= a->n || a->params[pi].named_only) {
      snprintf(msg, sizeof msg, "too many arguments to %s", sig->name);
      return strdup(msg);
    }
    if (!a->params[pi].variadic) {
      a->slots[pi++] = vals[i];
      continue;
    }
    if (!a->varlist) a->slots[pi] = a->varlist = value_list(4);
    if (!a->varlist || !value_list_push(a->varlist, value_ref(vals[i]))) return strdup("out of memory");
  }
  for (size_t i = 0; i < a->n; i++) {
    const sig_param *p = &a->params[i];
    bool needed = p->named_only ? p->required : !p->optional && !p->variadic;
    if (needed && !a->slots[i]) {
      snprintf(msg, sizeof msg, "%s: missing argument '%s'", sig->name, p->name);
      return strdup(msg);
    }
  }
  return NULL;
}

/* Returns the receiver kind of a handle value, or -1. */
static int handle_recv(const rbk_value *v) {
  if (v->kind != VAL_HANDLE || !v->u.handle.ops || !v->u.handle.ops->kind) return -1;
  for (int r = RECV_CLUSTER; r <= RECV_CHANNEL; r++)
    if (!strcmp(v->u.handle.ops->kind, sig_recv_name((sig_recv)r))) return r;
  return -1;
}

/* Drops the call's values (and receiver) and pushes the result r (taken). */
static void finish_call(engine *e, vm_task *t, const vm_insn *in, size_t base, rbk_value *r) {
  vm_task_drop_to(t, base);
  if (!vm_task_push(t, r)) FAIL("out of memory");
}

/* Calls a pure, environment or runtime built-in. */
static void call_builtin(engine *e, vm_task *t, const vm_insn *in, const sig_info *sig, vm_args *a, size_t base) {
  e->bctx.now_ms = clock_wall(e->cfg.clock);
  char *err = NULL;
  rbk_value *r = builtins_call(sig->id, a->pos, a->npos, a->named, &e->bctx, &err);
  if (!r) {
    vm_raise(e, t, vm_err_msg_at(in->node, err ? err : "out of memory"));
    free(err);
    return;
  }
  finish_call(e, t, in, base, r);
}

/* Calls a constructor through the actions interface. */
static void call_ctor(engine *e, vm_task *t, const vm_insn *in, const sig_info *sig, rbk_value *recv, vm_args *a,
                      size_t base) {
  rbk_actions *act = e->cfg.actions;
  if (!act) return FAIL("%s(): no transport is configured", sig->name);
  char *err = NULL;
  rbk_value *r = act->construct(act->self, sig, recv, a->slots, &err);
  if (!r) {
    vm_raise(e, t, vm_err_at(in->node, "%s: %s", sig->name, err ? err : "out of memory"));
    free(err);
    return;
  }
  finish_call(e, t, in, base, r);
}

/* Returns the call's time limit: its `timeout:` argument, else the signature's default. */
static int64_t action_timeout(const sig_info *sig, const vm_args *a) {
  int idx = sig_param_index(a->params, a->n, "timeout");
  if (idx >= 0 && a->slots[idx] && a->slots[idx]->kind == VAL_DURATION) return a->slots[idx]->u.i;
  return sig->timeout_ms;
}

/* Returns the arguments by parameter name, for the journal. */
static rbk_value *args_object(const vm_args *a) {
  rbk_value *o = value_object(a->n);
  for (size_t i = 0; o && i < a->n; i++)
    if (a->slots[i] && !value_object_set(o, a->params[i].name, value_ref(a->slots[i]))) o = NULL;
  return o;
}

/* Returns "ctx|node" (or "ctx|line:col"), an action's identity across runs. Caller frees. */
static char *action_key(const vm_task *t, const char *node, const ast_node *call) {
  char where[48];
  if (!node) snprintf(where, sizeof where, "%d:%d", call->span.line, call->span.col);
  size_t n = t->ctxlen + strlen(node ? node : where) + 2;
  char *k = malloc(n);
  if (k) snprintf(k, n, "%s|%s", t->ctx ? t->ctx : "", node ? node : where);
  return k;
}

/* Emits action_start; returns false when the run must stop (the sink failed). */
static bool emit_start(engine *e, vm_task *t, const rbk_action_req *req, const char *target, const char *key,
                       const vm_args *a) {
  rbk_value *args = args_object(a);
  if (e->cfg.preview && (req->sig->flags & SIG_MUTATING)) e->preview_wrote = true;
  rbk_event ev = {.kind = RBK_EV_ACTION_START, .node = req->node, .action = req->sig->name, .target = target,
                  .mutating = (req->sig->flags & SIG_MUTATING) != 0, .key = key, .duration_ms = req->timeout_ms,
                  .args = args};
  bool ok = engine_emit(e, t, &ev);
  value_unref(args);
  return ok;
}

/* Resuming: the action completed before the interruption; emits its start and end (skipped) and
 * pushes its journaled result r (taken) instead of executing it again. */
static void replay_action(engine *e, vm_task *t, const vm_insn *in, const rbk_action_req *req, const char *key,
                          size_t base, rbk_value *r) {
  rbk_actions *act = e->cfg.actions;
  char *target = act->describe(act->self, req);
  const char *why = "completed before the interruption";
  rbk_event ev = {.kind = RBK_EV_ACTION_START, .node = req->node, .action = req->sig->name, .target = target,
                  .mutating = true, .status = RBK_STATUS_SKIPPED, .message = why, .key = key, .duration_ms = -1};
  bool ok = engine_emit(e, t, &ev);
  ev.kind = RBK_EV_ACTION_END, ev.duration_ms = 0, ev.result = r;
  ok = ok && engine_emit(e, t, &ev);
  free(target);
  if (!ok) {
    value_unref(r);
    return vm_raise(e, t, engine_blocked(e));
  }
  finish_call(e, t, in, base, r);
}

/* Starts an action and suspends t until it completes. */
static void call_action(engine *e, vm_task *t, const vm_insn *in, const sig_info *sig, rbk_value *recv, vm_args *a,
                        size_t base) {
  rbk_actions *act = e->cfg.actions;
  if (t->lambda) return FAIL("actions cannot run inside a lambda; bind the result with let first");
  if (!act) return FAIL("%s: no transport is configured", sig->name);
  vm_error *blocked = engine_blocked(e);
  if (blocked) return vm_raise(e, t, blocked);
  int64_t timeout = action_timeout(sig, a);
  if (timeout <= 0) { /* it would pass a rehearsal, whose answers take no virtual time, and fail a cluster */
    char *d = value_format_duration(timeout);
    FAIL("%s: timeout must be a positive duration, got %s", sig->name, d ? d : "?");
    free(d);
    return;
  }
  const char *node = engine_node(e, t, in->node);
  char *key = action_key(t, node, in->node);
  int64_t now = clock_now(e->cfg.clock);
  rbk_action_req req = {sig, recv, a->slots, a->n, timeout, now, false, node};
  rbk_value *done = (sig->flags & SIG_MUTATING) ? vm_resume_take_result(e, key) : NULL;
  if (done) {
    replay_action(e, t, in, &req, key, base, done);
    free(key);
    return;
  }
  req.recheck = (sig->flags & SIG_MUTATING) && key && engine_in_list(e->cfg.resume_inflight, key);
  char *target = act->describe(act->self, &req);
  if (req.recheck)
    engine_warn(e, t, in->node, "%s %s was in flight when the previous run stopped: re-checking before repeating it",
                sig->name, target ? target : "");
  if (!emit_start(e, t, &req, target, key, a)) {
    free(target);
    free(key);
    return vm_raise(e, t, engine_blocked(e));
  }
  char *err = NULL;
  uint64_t op = act->start(act->self, &req, vm_action_done, t, &err);
  t->act = (vm_act){sig, target, key, node, now, 0, req.timeout_ms, in->node};
  vm_task_drop_to(t, base);
  if (!op) {
    /* The message is built first: aborting frees the action's record, target included. */
    vm_error *failure = vm_err_at(in->node, "%s %s: %s", sig->name, target ? target : "", err ? err : "could not start");
    vm_action_abort(e, t, RBK_STATUS_FAILED, err ? err : "could not start");
    vm_raise(e, t, failure);
    free(err);
    return;
  }
  t->op = op;
  if (req.timeout_ms > 0) t->act.guard = vm_sched_timer(e, now + req.timeout_ms, TM_GUARD, t, 0);
  t->state = TS_ACTION;
}

/* Frees the record of t's action. */
static void act_clear(vm_task *t) {
  free(t->act.target);
  free(t->act.key);
  t->act = (vm_act){0};
  t->op = 0;
}

/* Emits action_end for t's action. */
static void emit_end(engine *e, vm_task *t, rbk_status status, const char *msg, const rbk_value *result) {
  rbk_event ev = {.kind = RBK_EV_ACTION_END, .node = t->act.node, .action = t->act.sig->name,
                  .target = t->act.target, .mutating = (t->act.sig->flags & SIG_MUTATING) != 0,
                  .status = status, .message = msg, .key = t->act.key,
                  .duration_ms = clock_now(e->cfg.clock) - t->act.start, .result = result};
  engine_emit(e, t, &ev);
}

/* Delivers an action's completion to its task. */
static void vm_action_done(void *user, rbk_value *result, const char *error) {
  vm_task *t = user;
  engine *e = t->eng;
  vm_sched_cancel_timer(e, t->act.guard);
  emit_end(e, t, error ? RBK_STATUS_FAILED : RBK_STATUS_OK, error, result);
  if (error) {
    t->resume_err = vm_err_at(t->act.call, "%s %s: %s", t->act.sig->name, t->act.target ? t->act.target : "", error);
    /* a write whose outcome is unknown is never sent again by a step's retry or a poll */
    if (t->resume_err && !strncmp(error, RBK_OUTCOME_UNKNOWN, strlen(RBK_OUTCOME_UNKNOWN))) t->resume_err->no_retry = true;
    value_unref(result);
  } else {
    t->resume_val = result ? result : value_null();
  }
  act_clear(t);
  vm_sched_ready(e, t);
}

/* Ends t's action early (cancelled, or timed out by the guard), with its action_end event. */
void vm_action_abort(engine *e, vm_task *t, rbk_status status, const char *msg) {
  if (t->op && e->cfg.actions) e->cfg.actions->cancel(e->cfg.actions->self, t->op);
  vm_sched_cancel_timer(e, t->act.guard);
  if (t->act.sig) emit_end(e, t, status, msg, NULL);
  act_clear(t);
}

/* Calls a method: the handle's kind decides between a constructor and an action. */
static void call_method(engine *e, vm_task *t, const vm_insn *in, const vm_call_info *ci, size_t base) {
  rbk_value *recv = t->stack[base - 1];
  int r = handle_recv(recv);
  if (r < 0) return FAIL("cannot call '%s' on %s", ci->method, value_kind_article(recv->kind));
  const sig_info *sig = sig_find((sig_recv)r, ci->method);
  if (!sig || !(sig->flags & (SIG_ACTION | SIG_CTOR)))
    return FAIL("a %s has no action '%s'", sig_recv_name((sig_recv)r), ci->method);
  vm_args a = {0};
  char *err = map_args(sig, ci, &t->stack[base], &a);
  if (err) vm_raise(e, t, vm_err_msg_at(in->node, err));
  else if (sig->flags & SIG_CTOR) call_ctor(e, t, in, sig, recv, &a, base - 1);
  else call_action(e, t, in, sig, recv, &a, base - 1);
  free(err);
  value_unref(a.varlist);
}

/* Calls a global function: built-in, constructor or action. */
static void call_global(engine *e, vm_task *t, const vm_insn *in, const vm_call_info *ci, size_t base) {
  vm_args a = {0};
  char *err = map_args(ci->sig, ci, &t->stack[base], &a);
  if (err) vm_raise(e, t, vm_err_msg_at(in->node, err));
  else if (ci->kind == CALL_BUILTIN) call_builtin(e, t, in, ci->sig, &a, base);
  else if (ci->kind == CALL_CTOR) call_ctor(e, t, in, ci->sig, NULL, &a, base);
  else call_action(e, t, in, ci->sig, NULL, &a, base);
  free(err);
  value_unref(a.varlist);
}

/* Returns the parameter index of `name` in fn, or -1. */
static int proc_param(const vm_func *fn, const char *name) {
  for (int32_t i = 0; i < fn->nparams; i++)
    if (!strcmp(fn->params[i], name)) return i;
  return -1;
}

/* Binds a proc call's arguments into the new frame's locals; returns an error message or NULL. */
static char *bind_proc_args(const vm_func *fn, const vm_call_info *ci, rbk_value **vals, rbk_value **locals) {
  char msg[160];
  int32_t pos = 0;
  for (int32_t i = 0; i < ci->nargs; i++) {
    int idx = ci->names[i] ? proc_param(fn, ci->names[i]) : pos++;
    if (idx < 0 || idx >= fn->nparams || locals[idx]) {
      snprintf(msg, sizeof msg, idx < 0 ? "%s has no parameter '%s'"
                                : idx >= fn->nparams ? "too many arguments to %s"
                                                     : "%s: argument '%s' is given twice",
               fn->name, ci->names[i] ? ci->names[i] : "");
      return strdup(msg);
    }
    locals[idx] = value_ref(vals[i]);
  }
  for (int32_t i = 0; i < fn->nparams; i++)
    if (!locals[i] && !fn->has_default[i]) {
      snprintf(msg, sizeof msg, "%s: missing argument '%s'", fn->name, fn->params[i]);
      return strdup(msg);
    }
  for (int32_t i = 0; i < fn->nparams; i++) {
    char *bad = locals[i] ? vm_param_type_error(fn, i, locals[i], false) : NULL;
    if (bad) return bad;
  }
  return NULL;
}

/* Calls a proc: a new frame, its context extended with the call site "@LINE:COL". */
static void call_proc(engine *e, vm_task *t, const vm_insn *in, const vm_call_info *ci, size_t base) {
  const vm_func *fn = &e->code->funcs.items[ci->func];
  int max = e->cfg.max_depth > 0 ? e->cfg.max_depth : 200;
  if ((int)t->nframes >= max) return FAIL("procs nest deeper than %d calls (runaway recursion?)", max);
  rbk_value **vals = calloc((size_t)ci->nargs + 1, sizeof *vals);
  if (!vals) return FAIL("out of memory");
  for (int32_t i = 0; i < ci->nargs; i++) vals[i] = value_ref(t->stack[base + (size_t)i]);
  vm_task_drop_to(t, base);
  if (!vm_task_push_frame(t, fn, t->pc)) {
    for (int32_t i = 0; i < ci->nargs; i++) value_unref(vals[i]);
    free(vals);
    return FAIL("out of memory");
  }
  char *err = bind_proc_args(fn, ci, vals, vm_task_frame(t)->locals);
  for (int32_t i = 0; i < ci->nargs; i++) value_unref(vals[i]);
  free(vals);
  char site[32];
  snprintf(site, sizeof site, "@%d:%d", in->node->span.line, in->node->span.col);
  vm_task_ctx_add(t, site);
  t->pc = fn->entry;
  if (err) vm_raise(e, t, vm_err_msg_at(in->node, err));
  free(err);
}

/* CALL: dispatches on the call's kind. */
static void op_call(engine *e, vm_task *t, const vm_insn *in) {
  const vm_call_info *ci = &e->code->calls.items[in->a];
  size_t base = t->sp - (size_t)ci->nargs;
  if (ci->kind == CALL_PROC && t->lambda) return FAIL("procs cannot run inside a lambda");
  switch (ci->kind) {
    case CALL_BUILTIN: case CALL_CTOR: case CALL_ACTION: call_global(e, t, in, ci, base); break;
    case CALL_METHOD: call_method(e, t, in, ci, base); break;
    case CALL_PROC: call_proc(e, t, in, ci, base); break;
  }
}

/* Leaves the current frame returning v (taken). */
void vm_do_return(engine *e, vm_task *t, rbk_value *v) {
  vm_frame *f = vm_task_frame(t);
  if (f->branch && vm_task_branch_return(e, t, v)) return;
  if (f->branch || t->nframes == 1) {
    value_unref(v);
    return vm_raise(e, t, vm_err(VERR_FAILED, "return cannot leave a parallel branch or the plan"));
  }
  vm_task_drop_to(t, f->sp);
  int32_t ret = f->ret_pc;
  vm_task_pop_frame(e, t);
  t->pc = ret;
  vm_task_push(t, v);
}

/* RET / RET_NULL: leaves the proc, through its open regions (their finally blocks run). */
static void op_ret(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value *v = in->op == OPC_RET ? vm_task_pop(t) : value_null();
  if (t->nregions && t->regions[t->nregions - 1].fp == t->nframes) {
    vm_error *err = vm_err(VERR_RETURN, "return");
    err->value = v;
    return vm_raise(e, t, err);
  }
  vm_do_return(e, t, v);
}

/* A captured environment of a lambda. */
typedef struct {
  const vm_func *fn;
  const vm_lambda_info *info;
  rbk_value **locals;
} vm_capture;

/* Frees a lambda's captured environment. */
static void capture_free(void *code, void *env) {
  (void)code;
  vm_capture *c = env;
  for (int32_t i = 0; i < c->fn->nlocals; i++) value_unref(c->locals[i]);
  free(c->locals);
  free(c);
}

/* LAMBDA: pushes a lambda capturing the frame's locals. */
static void op_lambda(engine *e, vm_task *t, const vm_insn *in) {
  const vm_frame *f = vm_task_frame(t);
  vm_capture *c = calloc(1, sizeof *c);
  if (c) c->locals = calloc((size_t)f->fn->nlocals + 1, sizeof *c->locals);
  if (!c || !c->locals) {
    free(c);
    return FAIL("out of memory");
  }
  c->fn = f->fn;
  c->info = &e->code->lambdas.items[in->a];
  for (int32_t i = 0; i < f->fn->nlocals; i++) c->locals[i] = value_ref(f->locals[i]);
  rbk_value *v = value_lambda((void *)c->info, c, capture_free);
  if (!v) capture_free(NULL, c);
  if (!vm_task_push(t, v)) FAIL("out of memory");
}

/* Applies a lambda to arg synchronously; returns its value or NULL with *err set. */
rbk_value *vm_apply(void *user, const rbk_value *lambda, rbk_value *arg, char **err) {
  engine *e = user;
  if (lambda->kind != VAL_LAMBDA) {
    *err = strdup("expected a lambda");
    return NULL;
  }
  const vm_capture *c = lambda->u.lambda.env;
  vm_task *t = vm_task_new(e, NULL, NULL, c->info->body);
  if (!t || !vm_task_push_frame(t, c->fn, -1)) {
    vm_task_free(e, t);
    *err = strdup("out of memory");
    return NULL;
  }
  t->lambda = true;
  t->caller = e->current;
  rbk_value **locals = vm_task_frame(t)->locals;
  for (int32_t i = 0; i < c->fn->nlocals; i++) locals[i] = value_ref(c->locals[i]);
  value_unref(locals[c->info->param]);
  locals[c->info->param] = value_ref(arg);
  vm_exec(e, t);
  rbk_value *r = t->lambda_err ? NULL : vm_task_pop(t);
  if (!r) *err = t->lambda_err ? t->lambda_err : strdup("out of memory");
  t->lambda_err = NULL;
  vm_task_free(e, t);
  return r;
}

/* BIND_PARAM: a main param from the config (then the default code is skipped). */
static void op_bind_param(engine *e, vm_task *t, const vm_insn *in) {
  const ast_node *decl = e->code->params[in->a];
  const param_binding *b = e->cfg.params ? params_find(e->cfg.params, decl->u.param.name) : NULL;
  if (b && b->value) {
    value_unref(e->globals[0][in->b]);
    e->globals[0][in->b] = value_ref(b->value);
    return;
  }
  if (!decl->u.param.def) return FAIL("param '%s' is required", decl->u.param.name);
  t->pc++; /* skip the JUMP over the default */
}

/* PARAM_TYPE: a proc parameter's default must suit its declared type. */
static void op_param_type(engine *e, vm_task *t, const vm_insn *in) {
  char *bad = vm_param_type_error(vm_task_frame(t)->fn, in->a, t->stack[t->sp - 1], true);
  if (bad) vm_raise(e, t, vm_err_msg_at(in->node, bad));
  free(bad);
}

/* IMPORT: runs a unit's initialiser the first time. */
static void op_import(engine *e, vm_task *t, const vm_insn *in) {
  if (in->a < 0 || e->unit_started[in->a]) return;
  e->unit_started[in->a] = true;
  const vm_func *fn = &e->code->funcs.items[e->code->units[in->a].init];
  if (!vm_task_push_frame(t, fn, t->pc)) return FAIL("out of memory");
  t->pc = fn->entry;
}

/* Executes the call-related instructions. */
void vm_call(engine *e, vm_task *t, const vm_insn *in) {
  switch (in->op) {
    case OPC_LAMBDA: op_lambda(e, t, in); break;
    case OPC_CALL: op_call(e, t, in); break;
    case OPC_RET: case OPC_RET_NULL: op_ret(e, t, in); break;
    case OPC_PARAM_DEFAULT:
      if (vm_task_frame(t)->locals[in->a]) t->pc = in->b;
      break;
    case OPC_BIND_PARAM: op_bind_param(e, t, in); break;
    case OPC_PARAM_TYPE: op_param_type(e, t, in); break;
    case OPC_IMPORT: op_import(e, t, in); break;
    default: FAIL("bad call instruction"); break;
  }
}
