/* vm_stmt.c — statement instructions: loops, parallel blocks, wait, approve, assert/expect,
 * notify and `notify every` tickers. */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "grow.h"
#include "scrub.h"

#define FAIL(...) vm_raise(e, t, vm_err_at(in->node, __VA_ARGS__))
#define SHOW_MAX 200 /* longest operand text in a check message */

/* Returns the advice for a loop over a value of `kind` that is not a list ("" when none). */
static const char *loop_hint(val_kind kind) {
  if (kind == VAL_OBJECT) return " (use keys(x) or values(x))";
  if (kind == VAL_STRING || kind == VAL_SECRET) return " (use split(x, sep) for its parts)";
  return "";
}

/* FOR_START: pops a list; pushes the loop state (list, next index, context length). */
static void for_start(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value *list = vm_task_pop(t);
  if (list->kind != VAL_LIST) {
    FAIL("for: expected a list, got %s%s", value_kind_article(list->kind), loop_hint(list->kind));
    value_unref(list);
    return;
  }
  if (!vm_task_push(t, list) || !vm_task_push(t, value_int(0)) || !vm_task_push(t, value_int((int64_t)t->ctxlen)))
    FAIL("out of memory");
}

/* FOR_NEXT: binds the next element and the context "[i]", or ends the loop. */
static void for_next(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value *list = t->stack[t->sp - 3], *idx = t->stack[t->sp - 2];
  size_t base = (size_t)t->stack[t->sp - 1]->u.i;
  int64_t i = idx->u.i;
  vm_task_ctx_cut(t, base);
  if ((size_t)i >= list->u.list.len) {
    vm_task_drop_to(t, t->sp - 3);
    t->pc = in->b;
    return;
  }
  rbk_value **slot = &vm_task_frame(t)->locals[in->a];
  value_unref(*slot);
  *slot = value_ref(list->u.list.items[i]);
  rbk_value *next = value_int(i + 1);
  if (!next) return FAIL("out of memory");
  value_unref(idx);
  t->stack[t->sp - 2] = next;
  char c[32];
  snprintf(c, sizeof c, "[%lld]", (long long)i);
  vm_task_ctx_add(t, c);
}

/* Pops `max N`: 0 when absent; raises and returns -1 when it is not a positive int. */
static int64_t pop_max(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value *v = vm_task_pop(t);
  int64_t max = v->kind == VAL_INT && v->u.i > 0 ? v->u.i : v->kind == VAL_NULL ? 0 : -1;
  if (max < 0) FAIL("parallel max must be a positive int, got %s", value_kind_article(v->kind));
  value_unref(v);
  return max;
}

/* PARALLEL / PARFOR: starts the branches as child tasks and waits for them. */
static void parallel(engine *e, vm_task *t, const vm_insn *in) {
  const vm_branch_info *info = &e->code->branches.items[in->a];
  int64_t max = pop_max(e, t, in);
  if (max < 0) return;
  rbk_value *list = NULL;
  if (in->op == OPC_PARFOR) {
    list = vm_task_pop(t);
    if (list->kind != VAL_LIST) {
      FAIL("parallel for: expected a list, got %s%s", value_kind_article(list->kind), loop_hint(list->kind));
      value_unref(list);
      return;
    }
  }
  int64_t n = list ? (int64_t)list->u.list.len : info->n;
  vm_join *j = calloc(1, sizeof *j);
  if (j) j->kids = calloc((size_t)n + 1, sizeof *j->kids);
  if (j && info->collect) j->results = calloc((size_t)n + 1, sizeof *j->results);
  if (!j || !j->kids || (info->collect && !j->results)) {
    if (j) free(j->kids);
    free(j);
    value_unref(list);
    return FAIL("out of memory");
  }
  j->info = info;
  j->list = list;
  j->n = n;
  j->max = max;
  t->join = j;
  t->state = TS_JOIN;
  vm_task_join_fill(e, t);
}

/* Returns when a ticker's next tick is due: fixed rate, tick n at the block's start + n·period;
 * ticks already missed (a stalled real clock) are dropped rather than sent in a burst. */
static int64_t tick_due(engine *e, vm_task *t, int64_t period) {
  int64_t now = clock_now(e->cfg.clock), due = t->tick_base + ++t->ticks * period;
  if (due < now) {
    t->ticks = (now - t->tick_base + period - 1) / period;
    due = t->tick_base + t->ticks * period;
  }
  return due;
}

/* WAIT: sleeps for a duration (b = 1: a ticker's silent wait for its next tick). */
static void wait_for(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value *v = vm_task_pop(t);
  bool ok = v->kind == VAL_DURATION && v->u.i >= (in->b ? 1 : 0);
  int64_t ms = ok ? v->u.i : 0;
  const char *kind = value_kind_article(v->kind);
  value_unref(v);
  if (!ok) return FAIL("wait needs a %sduration, got %s", in->b ? "positive " : "", kind);
  if (!in->b) {
    char *text = value_format_duration(ms);
    rbk_event ev = {.kind = RBK_EV_WAIT, .node = engine_node(e, t, in->node), .message = text, .duration_ms = ms};
    engine_emit(e, t, &ev);
    free(text);
  }
  int64_t due = in->b && t->ticker ? tick_due(e, t, ms) : clock_now(e->cfg.clock) + ms;
  t->timer = vm_sched_timer(e, due, TM_WAKE, t, 0);
  t->state = TS_TIMER;
}

/* Returns v as source text, shortened to SHOW_MAX bytes. Caller frees. */
static char *show_short(const rbk_value *v) {
  char *s = v ? value_repr(v) : strdup("?");
  if (s && strlen(s) > SHOW_MAX) strcpy(s + SHOW_MAX - 3, "...");
  return s;
}

/* Returns "SOURCE (lhs = v, rhs = v)" for a failed check (operands: literals left out). */
char *vm_check_message(const vm_task *t, const vm_check_info *info, const rbk_value *value) {
  (void)value;
  const char *src = info->source ? info->source : "condition";
  if (!info->captured || (!info->lhs && !info->rhs)) return strdup(src);
  char *l = info->lhs ? show_short(t->cap[0]) : NULL, *r = info->rhs ? show_short(t->cap[1]) : NULL;
  size_t n = strlen(src) + (info->lhs ? strlen(info->lhs) + strlen(l ? l : "") : 0) +
             (info->rhs ? strlen(info->rhs) + strlen(r ? r : "") : 0) + 32;
  char *msg = malloc(n);
  if (msg && l && r) snprintf(msg, n, "%s (%s = %s, %s = %s)", src, info->lhs, l, info->rhs, r);
  else if (msg && l) snprintf(msg, n, "%s (%s = %s)", src, info->lhs, l);
  else if (msg) snprintf(msg, n, "%s (%s = %s)", src, info->rhs, r ? r : "?");
  free(l);
  free(r);
  return msg;
}

/* CHECK: an assert's or expect's condition; true jumps past the message. */
static void check(engine *e, vm_task *t, const vm_insn *in) {
  const vm_check_info *ck = &e->code->checks.items[in->a];
  bool is_assert = ck->node->kind == AST_ASSERT;
  rbk_value *v = vm_task_pop(t);
  bool isbool = v->kind == VAL_BOOL, pass = isbool && v->u.b;
  const char *kind = value_kind_article(v->kind);
  value_unref(v);
  if (!isbool) return FAIL("%s: the condition must be a bool, got %s", is_assert ? "assert" : "expect", kind);
  if (!pass) return;
  rbk_event ev = {.kind = RBK_EV_ASSERT, .node = engine_node(e, t, ck->node), .status = RBK_STATUS_OK,
                  .message = ck->source, .duration_ms = -1};
  engine_emit(e, t, &ev);
  t->pc = in->b;
}

/* CHECK_FAIL: the condition was false; an assert fails, an expect warns. */
static void check_fail(engine *e, vm_task *t, const vm_insn *in) {
  const vm_check_info *ck = &e->code->checks.items[in->a];
  rbk_value *m = vm_task_pop(t);
  char *text = NULL;
  bool given = m->kind != VAL_NULL;
  if (given) {
    text = value_show(m);
  } else {
    char *why = vm_check_message(t, ck, NULL);
    size_t n = (why ? strlen(why) : 0) + 32;
    text = malloc(n);
    if (text) snprintf(text, n, "%s failed: %s", ck->node->kind == AST_ASSERT ? "assertion" : "expectation", why ? why : "");
    free(why);
  }
  value_unref(m);
  if (!text) return FAIL("out of memory");
  if (ck->node->kind == AST_EXPECT) {
    engine_warn(e, t, ck->node, "%s", text);
    free(text);
    return;
  }
  if (e->cfg.preview && e->preview_wrote) { /* judged on the state before the previewed writes */
    rbk_event ev = {.kind = RBK_EV_ASSERT, .node = engine_node(e, t, ck->node), .status = RBK_STATUS_SKIPPED,
                    .message = text, .duration_ms = -1};
    engine_emit(e, t, &ev);
    free(text);
    return;
  }
  rbk_status st = vm_will_retry(e, t) ? RBK_STATUS_RETRYING : RBK_STATUS_FAILED;
  rbk_event ev = {.kind = RBK_EV_ASSERT, .node = engine_node(e, t, ck->node), .status = st, .message = text,
                  .duration_ms = -1};
  engine_emit(e, t, &ev);
  vm_raise(e, t, given ? vm_err(VERR_FAILED, "%s", text) : vm_err_msg_at(in->node, text));
  free(text);
}

/* Emits the closing approval event of t's open approval. */
static void approval_end(engine *e, vm_task *t, rbk_status st, const char *who, const char *how) {
  rbk_event ev = {.kind = RBK_EV_APPROVAL, .node = t->act.node, .status = st, .message = t->act.target,
                  .who = who, .how = how, .duration_ms = clock_now(e->cfg.clock) - t->act.start};
  engine_emit(e, t, &ev);
}

/* Forgets t's open approval. */
static void approval_clear(engine *e, vm_task *t) {
  vm_sched_cancel_timer(e, t->act.guard);
  if (t->op) e->open_approvals--;
  free(t->act.target);
  free(t->act.key);
  t->act = (vm_act){0};
  t->op = 0;
}

/* Delivers an approver's decision. */
static void approval_done(void *user, bool approved, const char *who, const char *how) {
  vm_task *t = user;
  engine *e = t->eng;
  approval_end(e, t, approved ? RBK_STATUS_OK : RBK_STATUS_FAILED, who, how);
  if (!approved)
    t->resume_err = vm_err(VERR_ABORTED, "approval denied by %s: %s", who ? who : "the approver", t->act.target);
  approval_clear(e, t);
  vm_sched_ready(e, t);
}

/* The approval's timeout passed. */
void vm_approval_timeout(engine *e, vm_task *t) {
  if (t->op && e->cfg.approver) e->cfg.approver->cancel(e->cfg.approver->self, t->op);
  t->act.guard = 0;
  approval_end(e, t, RBK_STATUS_FAILED, NULL, "timeout");
  char *d = value_format_duration(t->act.timeout);
  t->resume_err = vm_err(VERR_ABORTED, "approval timed out after %s: %s", d ? d : "?", t->act.target);
  free(d);
  approval_clear(e, t);
  vm_sched_ready(e, t);
}

/* Withdraws t's approval (t is cancelled). */
void vm_approval_cancel(engine *e, vm_task *t) {
  if (t->op && e->cfg.approver) e->cfg.approver->cancel(e->cfg.approver->self, t->op);
  approval_end(e, t, RBK_STATUS_CANCELLED, NULL, NULL);
  approval_clear(e, t);
}

/* Returns true when --approve names the question or its slug. */
static bool pre_approved(const engine *e, const char *question, const char *slug) {
  return engine_in_list(e->cfg.approve, question) || (slug && engine_in_list(e->cfg.approve, slug));
}

/* Decides an approval at once from the flags, or asks / waits for the timeout. */
static void approve_decide(engine *e, vm_task *t, const rbk_approval_req *req) {
  const char *op = e->cfg.operator_name ? e->cfg.operator_name : "operator";
  if (e->cfg.yes || pre_approved(e, req->question, req->slug)) {
    approval_end(e, t, RBK_STATUS_OK, op, e->cfg.yes ? "--yes" : "--approve");
    return approval_clear(e, t);
  }
  if (e->cfg.approver) {
    t->op = e->cfg.approver->ask(e->cfg.approver->self, req, approval_done, t);
    if (t->op) e->open_approvals++;
  }
  if (!t->op && req->timeout_ms < 0) {
    approval_end(e, t, RBK_STATUS_FAILED, NULL, "non-interactive");
    vm_raise(e, t, vm_err(VERR_ABORTED, "approval required: \"%s\" (run on a terminal, or pass --approve %s or --yes)",
                          req->question, req->slug));
    return approval_clear(e, t);
  }
  if (req->timeout_ms >= 0)
    t->act.guard = vm_sched_timer(e, clock_now(e->cfg.clock) + req->timeout_ms, TM_APPROVAL, t, 0);
  t->state = TS_APPROVAL;
}

/* APPROVE: pops question, role and timeout; emits the question and decides. */
static void approve(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value *tmo = vm_task_pop(t), *role = vm_task_pop(t), *q = vm_task_pop(t);
  bool ok = tmo->kind == VAL_NULL || tmo->kind == VAL_DURATION;
  int64_t timeout = tmo->kind == VAL_DURATION ? tmo->u.i : -1;
  char *question = value_show(q), *who = role->kind == VAL_NULL ? NULL : value_show(role);
  value_unref(tmo), value_unref(role), value_unref(q);
  char *slug = question ? engine_slug(question) : NULL;
  if (!ok || !slug) {
    free(question), free(who), free(slug);
    return FAIL(ok ? "out of memory" : "approve timeout must be a duration");
  }
  const char *node = engine_node(e, t, e->code->approves.items[in->a]);
  t->act = (vm_act){.target = question, .key = slug, .node = node, .start = clock_now(e->cfg.clock), .timeout = timeout};
  rbk_event ev = {.kind = RBK_EV_APPROVAL, .node = node, .target = who, .message = question, .duration_ms = timeout};
  engine_emit(e, t, &ev);
  rbk_approval_req req = {question, slug, who, timeout, vm_task_path(t), node};
  approve_decide(e, t, &req);
  free(who);
}

/* Returns true when v is a channel handle. */
static bool is_channel(const rbk_value *v) {
  return v->kind == VAL_HANDLE && v->u.handle.ops && v->u.handle.ops->kind && !strcmp(v->u.handle.ops->kind, "channel");
}

/* Returns the description of a channel handle (caller frees), or NULL when v is not one. */
static char *channel_text(const rbk_value *v) {
  if (!is_channel(v)) return NULL;
  char *d = v->u.handle.ops->describe ? v->u.handle.ops->describe(v->u.handle.data) : NULL;
  return d ? d : strdup("channel");
}

/* Sends to channel i of a NOTIFY (a ticker skips a channel whose previous delivery is still in
 * flight, with a warning); returns false when the run must stop or memory ran out. */
static bool notify_one(engine *e, vm_task *t, const vm_insn *in, rbk_value *ch, const char *text, size_t i) {
  char *target = channel_text(ch);
  const char *node = engine_node(e, t, in->node);
  bool ok = target != NULL;
  if (ok && in->b && engine_note_pending(e, t->id, i)) {
    engine_warn(e, t, in->node, "notify every: skipped an update to %s (the previous one is still in flight)", target);
  } else if (ok) {
    rbk_event ev = {.kind = RBK_EV_NOTIFY, .node = node, .target = target, .message = text, .duration_ms = -1};
    ok = engine_emit(e, t, &ev) && engine_note_send(e, t, node, ch, target, text, in->b ? t->id : 0, i);
  }
  free(target);
  return ok;
}

/* NOTIFY: pops the channels and the message and starts the deliveries; the task goes on at once
 * (b = 1: sent by a `notify every` ticker). */
static void notify(engine *e, vm_task *t, const vm_insn *in) {
  size_t base = t->sp - (size_t)in->a - 1;
  for (size_t i = base; i < t->sp - 1; i++)
    if (!is_channel(t->stack[i])) {
      vm_task_drop_to(t, base);
      return FAIL("notify: expected a channel, got %s", value_kind_article(t->stack[i]->kind));
    }
  vm_error *blocked = e->cfg.actions ? engine_blocked(e) : vm_err_at(in->node, "notify: no transport is configured");
  char *shown = blocked ? NULL : value_show(t->stack[t->sp - 1]); /* a mixed secret: its secret spans as *** */
  char *text = scrub_line(shown);
  free(shown);
  bool ok = text != NULL;
  for (size_t i = 0; ok && i < (size_t)in->a; i++) ok = notify_one(e, t, in, t->stack[base + i], text, i);
  vm_task_drop_to(t, base);
  free(text);
  if (!blocked && !ok) blocked = engine_blocked(e);
  if (blocked || !ok) vm_raise(e, t, blocked ? blocked : vm_err(VERR_FAILED, "out of memory"));
}

/* TICKER_START: a task that sends the notification every period until the block ends. */
static void ticker_start(engine *e, vm_task *t, const vm_insn *in) {
  const vm_ticker_info *info = &e->code->tickers.items[in->a];
  if (!GROW(t->tickers, t->tcap, t->ntickers + 1)) return FAIL("out of memory");
  vm_task *k = vm_task_new(e, t, vm_task_frame(t), info->body);
  if (!k) return FAIL("out of memory");
  k->ticker = true;
  k->tick_base = clock_now(e->cfg.clock);
  t->tickers[t->ntickers++] = k;
  vm_sched_ready(e, k);
}

/* Executes the statement instructions. */
void vm_stmt(engine *e, vm_task *t, const vm_insn *in) {
  switch (in->op) {
    case OPC_FOR_START: for_start(e, t, in); break;
    case OPC_FOR_NEXT: for_next(e, t, in); break;
    case OPC_PARALLEL: case OPC_PARFOR: parallel(e, t, in); break;
    case OPC_WAIT: wait_for(e, t, in); break;
    case OPC_APPROVE: approve(e, t, in); break;
    case OPC_CHECK: check(e, t, in); break;
    case OPC_CHECK_FAIL: check_fail(e, t, in); break;
    case OPC_NOTIFY: notify(e, t, in); break;
    case OPC_TICKER_START: ticker_start(e, t, in); break;
    case OPC_TICKER_STOP:
      if (t->ntickers) vm_task_stop_tickers(e, t, t->ntickers - 1);
      break;
    default: FAIL("bad statement instruction"); break;
  }
}
