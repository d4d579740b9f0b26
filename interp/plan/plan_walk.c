/* plan_walk.c — statements: each becomes a node (entered first), the actions of its expressions
 * hang under it in evaluation order, and its worst case joins the current sequence. Control flow
 * (if, for, parallel) and proc inlining are in plan_flow.c. */
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

/* The `every` of `wait until` when none is written. */
#define PLAN_DEFAULT_POLL_MS 5000

/* Returns how the expression's value is shown (NULL expression: NULL). Caller frees. */
static char *pw_text(plan_walker *w, plan_scope *s, const ast_node *e) {
  if (!e) return NULL;
  pv v = plan_eval(w, s, e);
  char *t = plan_pv_show(&v);
  plan_pv_free(&v);
  return t;
}

/* Returns an optional clause read by `get`: PLAN_NONE when absent, `unknown` when not known. */
static int64_t pw_clause(plan_walker *w, plan_scope *s, const ast_node *e, bool (*get)(const pv *, int64_t *),
                         int64_t unknown) {
  if (!e) return PLAN_NONE;
  pv v = plan_eval(w, s, e);
  int64_t n;
  bool known = get(&v, &n);
  plan_pv_free(&v);
  return known ? n : unknown;
}

/* Returns an optional duration clause in ms: PLAN_NONE when absent, PLAN_UNBOUNDED when unknown. */
static int64_t pw_duration(plan_walker *w, plan_scope *s, const ast_node *e) {
  return pw_clause(w, s, e, plan_pv_duration, PLAN_UNBOUNDED);
}

/* Returns an optional int clause: PLAN_NONE when absent or unknown. */
static int64_t pw_int(plan_walker *w, plan_scope *s, const ast_node *e) {
  return pw_clause(w, s, e, plan_pv_int, PLAN_NONE);
}

/* Appends `cost` (taken) to the current sequence and records it as node i's worst case. */
static void pw_cost(plan_walker *w, long i, plan_cost *cost) {
  if (i >= 0) w->g->nodes[i].worst_ms = cost->ms;
  plan_cost_seq(&w->cost, cost);
}

/* Returns a leaf cost for node i: ms, or unbounded with "file:line:col: what". */
static plan_cost pw_leaf(plan_walker *w, long i, int64_t ms, const char *what) {
  char *where = plan_walk_where(w->g->nodes[i].span);
  char *why = ms == PLAN_UNBOUNDED ? strutil_printf("%s: %s", where ? where : "?", what) : NULL;
  plan_cost c = plan_cost_leaf((size_t)i, ms, why);
  free(where);
  free(why);
  return c;
}

/* Pushes a title onto the step path; returns the previous length. */
static size_t step_push(plan_walker *w, const char *title) {
  size_t saved = w->step.len;
  if (w->step.len) valbuf_puts(&w->step, " \xe2\x80\xba ");
  valbuf_puts(&w->step, title ? title : "?");
  return saved;
}

/* Pops the step path back to `len`. */
static void step_pop(plan_walker *w, size_t len) {
  w->step.len = len;
  if (w->step.s) w->step.s[len] = '\0';
}

/* let name = e: binds the value; an unknown is then called by its name. */
static void pw_let(plan_walker *w, plan_scope *s, const ast_node *st) {
  if (st->u.let.value->kind == AST_PARALLEL_FOR) {
    const ast_node *saved = w->collect;
    const plan_frame *saved_frame = w->collect_frame;
    w->collect = st;
    w->collect_frame = w->frame;
    plan_walk_control(w, s, st->u.let.value);
    w->collect = saved;
    w->collect_frame = saved_frame;
    if (!plan_scope_bind(s, st->u.let.name, plan_pv_unknown(strdup(st->u.let.name)))) plan_walk_fail(w, "out of memory");
    return;
  }
  pv v = plan_eval(w, s, st->u.let.value);
  if ((v.kind == PV_UNKNOWN && !v.secret) || v.kind == PV_HANDLE) {
    free(v.sym);
    v.sym = strdup(st->u.let.name);
  }
  if (!plan_scope_bind(s, st->u.let.name, v)) plan_walk_fail(w, "out of memory");
}

/* Returns B × (2^N − 1): the total exponential backoff of N retries starting at B. */
static int64_t backoff_total(int64_t b, int64_t n) {
  if (b <= 0 || n <= 0) return 0;
  if (n >= 62 || b > INT64_MAX >> n) return INT64_MAX / 2;
  return b * ((INT64_C(1) << n) - 1);
}

/* Walks the step-level `on failure` (from `owner` on failure) and `finally` (after the body) of a
 * block; the on failure blocks do not count towards the worst case. */
static void pw_handlers(plan_walker *w, plan_scope *s, const ast_node *block, size_t owner) {
  plan_links fail = {0};
  bool stop = w->stop;
  plan_when when = w->when;
  for (size_t k = 0; k < block->u.block.stmts.len; k++) {
    const ast_node *st = block->u.block.stmts.items[k];
    if (st->kind != AST_ON_FAILURE || w->err) continue;
    plan_links saved = w->pend;
    plan_cost outer = w->cost;
    w->pend = (plan_links){0};
    w->cost = plan_cost_zero();
    plan_links_push(w, &w->pend, owner, PLAN_EDGE_FAILURE);
    plan_links_extend(w, &w->pend, &fail);
    plan_links_free(&fail);
    w->stop = false;
    w->when = PLAN_WHEN_FAILURE;
    long h = plan_walk_node(w, PLAN_HANDLER, st, st->span, true);
    if (h >= 0) w->g->nodes[h].label = strdup("on failure");
    long p = plan_walk_enter(w, h);
    plan_walk_block(w, s, st->u.handler.body);
    plan_walk_leave(w, p);
    if (h >= 0) w->g->nodes[h].worst_ms = w->cost.ms;
    plan_cost_free(&w->cost);
    w->cost = outer;
    fail = w->pend;
    w->pend = saved;
    w->when = when;
  }
  for (size_t k = 0; k < block->u.block.stmts.len; k++) {
    const ast_node *st = block->u.block.stmts.items[k];
    if (st->kind != AST_FINALLY || w->err) continue;
    plan_links_extend(w, &w->pend, &fail);
    plan_links_free(&fail);
    w->stop = false;
    w->when = when == PLAN_WHEN_FAILURE ? when : PLAN_WHEN_ALWAYS;
    plan_cost outer = w->cost;
    w->cost = plan_cost_zero();
    long h = plan_walk_node(w, PLAN_HANDLER, st, st->span, true);
    if (h >= 0) w->g->nodes[h].label = strdup("finally");
    long p = plan_walk_enter(w, h);
    plan_walk_block(w, s, st->u.handler.body);
    plan_walk_leave(w, p);
    plan_cost body = w->cost;
    w->cost = outer;
    pw_cost(w, h, &body);
    w->when = when;
  }
  plan_links_free(&fail);
  w->stop = stop;
}

/* Walks the statements of a block in scope s, leaving out on failure / finally. */
static void pw_stmts(plan_walker *w, plan_scope *s, const ast_node *block) {
  if (!block) return;
  if (block->kind != AST_BLOCK) {
    plan_walk_stmt(w, s, block);
    return;
  }
  for (size_t k = 0; k < block->u.block.stmts.len && !w->stop && !w->err; k++) {
    const ast_node *st = block->u.block.stmts.items[k];
    if (st->kind != AST_ON_FAILURE && st->kind != AST_FINALLY) plan_walk_stmt(w, s, st);
  }
}

/* Walks the statements of a BLOCK in a new scope, handlers last (step-level on failure/finally). */
void plan_walk_block(plan_walker *w, plan_scope *s, const ast_node *block) {
  plan_scope sc;
  plan_scope_init(&sc, s, s->unit);
  pw_stmts(w, &sc, block);
  plan_scope_free(&sc);
}

/* step "title" [timeout T] [retry N [backoff B]] { … }: min(T, body), (N+1)× with backoff. */
static void pw_step(plan_walker *w, plan_scope *s, const ast_node *st) {
  long i = plan_walk_node(w, PLAN_STEP, st, st->span, true);
  if (i < 0) return;
  char *title = pw_text(w, s, st->u.step.title);
  int64_t timeout = pw_duration(w, s, st->u.step.opt->timeout), retry = pw_int(w, s, st->u.step.opt->retry);
  int64_t backoff = pw_duration(w, s, st->u.step.opt->backoff);
  plan_node *n = &w->g->nodes[i];
  n->label = title;
  n->timeout_ms = timeout;
  n->retry = retry;
  n->backoff_ms = backoff;
  size_t path = step_push(w, title);
  free(w->g->nodes[i].step);
  w->g->nodes[i].step = strdup(w->step.s ? w->step.s : "");
  long p = plan_walk_enter(w, i);
  plan_cost outer = w->cost;
  w->cost = plan_cost_zero();
  size_t entry = w->g->len;
  plan_scope sc;
  plan_scope_init(&sc, s, s->unit);
  pw_stmts(w, &sc, st->u.step.body);
  if (retry > 0 && entry < w->g->len) plan_links_repeat(w, &w->pend, entry);
  if (timeout >= 0) plan_cost_cap(&w->cost, (size_t)i, timeout);
  if (retry > 0) plan_cost_scale(&w->cost, retry + 1, backoff_total(backoff > 0 ? backoff : 0, retry));
  pw_handlers(w, &sc, st->u.step.body, (size_t)i);
  plan_scope_free(&sc);
  plan_cost body = w->cost;
  w->cost = outer;
  pw_cost(w, i, &body);
  plan_walk_leave(w, p);
  step_pop(w, path);
}

/* gate "title" [every D] [timeout T] { … }: T when timed, else its body once. */
static void pw_gate(plan_walker *w, plan_scope *s, const ast_node *st) {
  long i = plan_walk_node(w, PLAN_GATE, st, st->span, true);
  if (i < 0) return;
  char *title = pw_text(w, s, st->u.gate.title);
  int64_t every = pw_duration(w, s, st->u.gate.opt->every), timeout = pw_duration(w, s, st->u.gate.opt->timeout);
  w->g->nodes[i].label = title;
  w->g->nodes[i].every_ms = every;
  w->g->nodes[i].timeout_ms = timeout;
  long p = plan_walk_enter(w, i);
  plan_cost outer = w->cost;
  w->cost = plan_cost_zero();
  size_t entry = w->g->len;
  plan_walk_block(w, s, st->u.gate.body);
  if (every != PLAN_NONE && entry < w->g->len) plan_links_repeat(w, &w->pend, entry);
  plan_cost body = w->cost;
  if (timeout != PLAN_NONE || every != PLAN_NONE) {
    plan_cost_free(&body);
    body = pw_leaf(w, i, timeout == PLAN_NONE ? PLAN_UNBOUNDED : timeout,
                   timeout == PLAN_NONE ? "gate re-evaluated with every but no timeout" : "gate timeout unknown");
  }
  w->cost = outer;
  pw_cost(w, i, &body);
  plan_walk_leave(w, p);
}

/* approve "question" [from "role"] [timeout T]: T, or unbounded without a timeout. */
static void pw_approve(plan_walker *w, plan_scope *s, const ast_node *st) {
  long i = plan_walk_node(w, PLAN_APPROVE, st, st->span, true);
  if (i < 0) return;
  long p = plan_walk_enter(w, i);
  char *q = pw_text(w, s, st->u.approve.question), *role = pw_text(w, s, st->u.approve.from);
  int64_t timeout = pw_duration(w, s, st->u.approve.timeout);
  plan_walk_leave(w, p);
  plan_node *n = &w->g->nodes[i];
  n->question = q;
  n->label = q ? strdup(q) : NULL;
  n->role = role;
  n->timeout_ms = timeout;
  plan_cost c = pw_leaf(w, i, timeout == PLAN_NONE ? PLAN_UNBOUNDED : timeout,
                        timeout == PLAN_NONE ? "approve without timeout waits for a person" : "approve timeout unknown");
  pw_cost(w, i, &c);
}

/* wait D: D. */
static void pw_wait(plan_walker *w, plan_scope *s, const ast_node *st) {
  long i = plan_walk_node(w, PLAN_WAIT, st, st->span, true);
  if (i < 0) return;
  long p = plan_walk_enter(w, i);
  int64_t d = pw_duration(w, s, st->u.wait.duration);
  plan_walk_leave(w, p);
  char buf[32];
  char *src = plan_span_text(st->u.wait.duration->span);
  w->g->nodes[i].duration_ms = d;
  w->g->nodes[i].label = strutil_printf("wait %s", d >= 0 ? plan_duration_text(d, buf, sizeof buf) : src ? src : "?");
  free(src);
  plan_cost c = pw_leaf(w, i, d, "wait for a duration unknown before the run");
  pw_cost(w, i, &c);
}

/* wait until c [every D] [timeout T]: T, or unbounded without a timeout; c's actions repeat. */
static void pw_wait_until(plan_walker *w, plan_scope *s, const ast_node *st) {
  long i = plan_walk_node(w, PLAN_WAIT, st, st->span, true);
  if (i < 0) return;
  char *src = plan_span_text(st->u.wait.cond->span);
  w->g->nodes[i].source = src;
  w->g->nodes[i].label = strutil_printf("wait until %s", src ? src : "?");
  long p = plan_walk_enter(w, i);
  plan_cost outer = w->cost;
  w->cost = plan_cost_zero();
  size_t entry = w->g->len;
  pv c = plan_eval(w, s, st->u.wait.cond);
  plan_pv_free(&c);
  int64_t every = pw_duration(w, s, st->u.wait.every), timeout = pw_duration(w, s, st->u.wait.timeout);
  if (entry < w->g->len) plan_links_repeat(w, &w->pend, entry);
  plan_cost_free(&w->cost);
  w->cost = outer;
  plan_walk_leave(w, p);
  w->g->nodes[i].every_ms = every == PLAN_NONE ? PLAN_DEFAULT_POLL_MS : every;
  w->g->nodes[i].timeout_ms = timeout;
  plan_cost cost = pw_leaf(w, i, timeout == PLAN_NONE ? PLAN_UNBOUNDED : timeout,
                           timeout == PLAN_NONE ? "wait until without timeout" : "wait until timeout unknown");
  pw_cost(w, i, &cost);
}

/* assert / expect c[, message]: the condition's actions run under it. */
static void pw_check(plan_walker *w, plan_scope *s, const ast_node *st) {
  bool is_assert = st->kind == AST_ASSERT;
  long i = plan_walk_node(w, is_assert ? PLAN_ASSERT : PLAN_EXPECT, st, st->span, true);
  if (i < 0) return;
  char *src = plan_span_text(st->u.check.cond->span);
  w->g->nodes[i].source = src;
  w->g->nodes[i].label = strutil_printf("%s %s", is_assert ? "assert" : "expect", src ? src : "?");
  long p = plan_walk_enter(w, i);
  pv c = plan_eval(w, s, st->u.check.cond);
  char *msg = pw_text(w, s, st->u.check.message);
  plan_walk_leave(w, p);
  w->g->nodes[i].message = msg;
  if (c.kind == PV_KNOWN && c.val->kind == VAL_BOOL && !c.val->u.b)
    plan_walk_warn(w, st->span, "this %s is false whenever it runs", is_assert ? "assert" : "expect");
  plan_pv_free(&c);
}

/* notify ch[, ch…] [every D] message: the rendered text and the channels as written. */
static void pw_notify(plan_walker *w, plan_scope *s, const ast_node *st) {
  long i = plan_walk_node(w, PLAN_NOTIFY, st, st->span, true);
  if (i < 0) return;
  const ast_list *chs = &st->u.notify.channels;
  char **names = calloc(chs->len + 1, sizeof *names);
  valbuf label = {0};
  valbuf_puts(&label, "notify ");
  for (size_t k = 0; names && k < chs->len; k++) {
    names[k] = plan_span_text(chs->items[k]->span);
    valbuf_printf(&label, "%s%s", k ? ", " : "", names[k] ? names[k] : "?");
  }
  long p = plan_walk_enter(w, i);
  int64_t every = pw_duration(w, s, st->u.notify.every);
  char *text = pw_text(w, s, st->u.notify.message);
  plan_walk_leave(w, p);
  plan_node *n = &w->g->nodes[i];
  n->channels = names;
  n->nchannels = names ? chs->len : 0;
  n->every_ms = every;
  n->text = text;
  n->label = valbuf_take(&label, NULL);
}

/* abort reason: the path ends here and leads to the plan-level on failure handlers. */
static void pw_abort(plan_walker *w, plan_scope *s, const ast_node *st) {
  long i = plan_walk_node(w, PLAN_ABORT, st, st->span, true);
  if (i < 0) return;
  long p = plan_walk_enter(w, i);
  char *reason = pw_text(w, s, st->u.abort.reason);
  plan_walk_leave(w, p);
  w->g->nodes[i].message = reason;
  w->g->nodes[i].label = strutil_printf("abort: %s", reason ? reason : "?");
  for (size_t k = 0; k < w->pend.len; k++) plan_links_push(w, &w->failures, w->pend.items[k].node, PLAN_EDGE_FAILURE);
  w->pend.len = 0;
  if (w->cond_level == 0) w->stop = true;
}

/* return e: the path continues after the proc call; an unconditional return gives its value. */
static void pw_return(plan_walker *w, plan_scope *s, const ast_node *st) {
  long i = plan_walk_node(w, PLAN_RETURN, st, st->span, true);
  if (i < 0) return;
  char *src = plan_span_text(st->u.ret.value->span);
  if (w->collect && w->collect_frame == w->frame) { /* a branch's value: the branch ends with it */
    w->g->nodes[i].label = strutil_printf("return %s (this branch's element of %s)", src ? src : "?",
                                          w->collect->u.let.name);
    free(src);
    long p = plan_walk_enter(w, i);
    pv v = plan_eval(w, s, st->u.ret.value);
    plan_walk_leave(w, p);
    plan_pv_free(&v);
    return;
  }
  w->g->nodes[i].label = w->frame ? strutil_printf("return from %s: %s", w->frame->proc, src ? src : "?")
                                   : strutil_printf("return %s", src ? src : "?");
  free(src);
  long p = plan_walk_enter(w, i);
  pv v = plan_eval(w, s, st->u.ret.value);
  plan_walk_leave(w, p);
  plan_frame *f = w->frame;
  if (f) {
    plan_links_extend(w, &f->returns, &w->pend);
    bool definite = w->cond_level == f->cond_level;
    if (!f->has_result && !f->conditional && definite) {
      f->result = v;
      f->has_result = true;
      v = plan_pv_unknown(NULL);
    } else if (!definite) {
      f->conditional = true;
    }
    if (definite) w->stop = w->returned = true;
  }
  plan_pv_free(&v);
  w->pend.len = 0;
}

/* Walks a statement. */
void plan_walk_stmt(plan_walker *w, plan_scope *s, const ast_node *st) {
  if (w->err || w->stop || !st) return;
  switch (st->kind) {
    case AST_LET: pw_let(w, s, st); break;
    case AST_EXPR_STMT: {
      pv v = plan_eval(w, s, st->u.expr_stmt.expr);
      plan_pv_free(&v);
      break;
    }
    case AST_STEP: pw_step(w, s, st); break;
    case AST_GATE: pw_gate(w, s, st); break;
    case AST_APPROVE: pw_approve(w, s, st); break;
    case AST_WAIT: pw_wait(w, s, st); break;
    case AST_WAIT_UNTIL: pw_wait_until(w, s, st); break;
    case AST_ASSERT: case AST_EXPECT: pw_check(w, s, st); break;
    case AST_NOTIFY: pw_notify(w, s, st); break;
    case AST_ABORT: pw_abort(w, s, st); break;
    case AST_RETURN: pw_return(w, s, st); break;
    case AST_IF: case AST_FOR: case AST_PARALLEL_FOR: case AST_PARALLEL: plan_walk_control(w, s, st); break;
    case AST_BLOCK: plan_walk_block(w, s, st); break;
    default: break; /* declarations and handlers: the top level and the step walker take them */
  }
}

/* Walks the plan-level handlers of `kind` (AST_ON_FAILURE or AST_FINALLY) from the pending links; their
 * worst case goes to *cost. */
void plan_walk_plan_handlers(plan_walker *w, ast_kind kind, plan_cost *cost) {
  const ast_file *f = w->prog->units[0].ast;
  w->when = kind == AST_ON_FAILURE ? PLAN_WHEN_FAILURE : PLAN_WHEN_ALWAYS;
  w->cost = plan_cost_zero();
  for (size_t k = 0; f && k < f->stmts.len && !w->err; k++) {
    const ast_node *st = f->stmts.items[k];
    if (st->kind != kind) continue;
    w->stop = false;
    long h = plan_walk_node(w, PLAN_HANDLER, st, st->span, true);
    if (h < 0) break;
    w->g->nodes[h].label = strdup(kind == AST_ON_FAILURE ? "on failure" : "finally");
    plan_cost outer = w->cost;
    w->cost = plan_cost_zero();
    long p = plan_walk_enter(w, h);
    plan_walk_block(w, &w->globals[0], st->u.handler.body);
    plan_walk_leave(w, p);
    plan_cost body = w->cost;
    w->cost = outer;
    pw_cost(w, h, &body);
  }
  *cost = w->cost;
  w->cost = plan_cost_zero();
  w->when = PLAN_WHEN_SUCCESS;
}
