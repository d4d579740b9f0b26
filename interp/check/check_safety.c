/* check_safety.c — the rules that keep a plan safe to run: every wait is bounded, a mutation has a
 * gate before it and a destructive action a gate or an approval (unless a `# rbk: no-gate "reason"`
 * comment waives it), and a handler reads only lets that surely ran. docs/checks.md "Safety". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_impl.h"
#include "grow.h"

/* What a call does, for the gate rules: nothing, a mutation, or a destructive mutation. */
enum { RISK_NONE = 0, RISK_MUTATES = 1, RISK_DESTROYS = 2 };

/* Returns true when the runbook block of `file` sets `deadline`. */
static bool has_deadline(const ast_file *file) {
  for (size_t i = 0; file && i < file->stmts.len; i++) {
    const ast_node *s = file->stmts.items[i];
    if (!s || s->kind != AST_RUNBOOK) continue;
    for (size_t j = 0; j < s->u.runbook.fields.len; j++) {
      const ast_node *f = s->u.runbook.fields.items[j];
      if (f && f->u.field.key && !strcmp(f->u.field.key, "deadline")) return true;
    }
  }
  return false;
}

/* Returns the text after "rbk: no-gate" in a comment, or NULL when it is not a waiver. */
static const char *waiver_reason(const char *text) {
  while (*text == ' ' || *text == '\t') text++;
  static const char tag[] = "rbk: no-gate";
  if (strncmp(text, tag, sizeof tag - 1)) return NULL;
  text += sizeof tag - 1;
  if (*text && *text != ' ' && *text != '\t') return NULL;
  while (*text == ' ' || *text == '\t') text++;
  return text;
}

/* Prepares the safety rules for the unit being checked: the plan's deadline, the waiver comments of `file`
 * (reporting a waiver without a reason). */
void check_safety_begin(chk_ctx *ctx, const ast_file *file) {
  ctx->deadline = ctx->prog->len && has_deadline(ctx->prog->units[0].ast);
  size_t cap = 0;
  for (size_t i = 0; i < file->ncomments; i++) {
    const ast_comment *c = &file->comments[i];
    if (i + 16 < file->ncomments) __builtin_prefetch(c[16].text); /* the texts lie far apart in the tree */
    const char *reason = c->text ? waiver_reason(c->text) : NULL;
    if (!reason) continue;
    size_t n = strlen(reason);
    if (n < 3 || reason[0] != '"' || reason[n - 1] != '"') {
      rbk_span at = {.src = file->src, .line = c->line, .col = c->col, .end_line = c->line, .end_col = c->col};
      diag_add(ctx->diags, DIAG_ERROR, at, "a no-gate waiver needs its reason: # rbk: no-gate \"why this is safe\"");
      continue;
    }
    if (!GROW(ctx->waivers, cap, ctx->nwaivers + 1)) return;
    ctx->waivers[ctx->nwaivers++] = c->line;
  }
}

/* Frees what check_safety_begin() kept. */
void check_safety_end(chk_ctx *ctx) {
  free(ctx->waivers);
  ctx->waivers = NULL;
  ctx->nwaivers = 0;
}

/* Returns true when the line before `s` waives the gate rules (`# rbk: no-gate "reason"`). */
bool check_waived(const chk_ctx *ctx, const ast_node *s) {
  int want = s->span.line - 1;
  size_t lo = 0, hi = ctx->nwaivers;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ctx->waivers[mid] < want) lo = mid + 1;
    else hi = mid;
  }
  return lo < ctx->nwaivers && ctx->waivers[lo] == want;
}

/* Reports a `wait until`, a polled `gate` or an `approve` that nothing bounds (no timeout, no enclosing step
 * timeout, no deadline). */
void check_unbounded(chk_ctx *ctx, const ast_node *s) {
  if (ctx->deadline || ctx->timed) return;
  const char *what = NULL;
  if (s->kind == AST_WAIT_UNTIL && !s->u.wait.timeout) what = "'wait until' without a timeout";
  else if (s->kind == AST_GATE && s->u.gate.opt->every && !s->u.gate.opt->timeout) what = "a polled gate without a timeout";
  else if (s->kind == AST_APPROVE && !s->u.approve.timeout) what = "'approve' without a timeout";
  if (!what) return;
  diag_add(ctx->diags, DIAG_ERROR, s->span,
           "%s may wait forever; bound it with 'timeout D', a timeout on its step, or a deadline in the runbook block",
           what);
}

/* Returns what the signature's action does to the world, given the call's arguments. */
static int sig_risk(const sig_info *sig, const ast_node *call) {
  if (!sig || !(sig->flags & SIG_MUTATING)) return RISK_NONE;
  if (sig->recv == RECV_CLUSTER && (!strcmp(sig->name, "delete") || !strcmp(sig->name, "rollout_undo")))
    return RISK_DESTROYS;
  if (sig->recv == RECV_CLUSTER && !strcmp(sig->name, "scale")) {
    const ast_list *args = &call->u.call.args;
    size_t pos = 0;
    for (size_t i = 0; i < args->len; i++) {
      const ast_node *a = args->items[i];
      if (!a) continue;
      bool replicas = ast_arg_name(a) ? !strcmp(ast_arg_name(a), "replicas") : pos++ == 1;
      const ast_node *v = ast_arg_value(a);
      if (replicas && v && v->kind == AST_INT_LIT && v->u.lit.i == 0) return RISK_DESTROYS;
    }
  }
  return RISK_MUTATES;
}

/* Returns the largest risk of the action calls in a statement or expression (not through other procs). */
static int node_risk(const chk_ctx *ctx, const ast_node *n, int depth);

/* Returns the largest risk of the nodes of a list. */
static int list_risk(const chk_ctx *ctx, const ast_list *l, int depth) {
  int r = RISK_NONE;
  for (size_t i = 0; i < l->len && r < RISK_DESTROYS; i++) {
    int k = node_risk(ctx, l->items[i], depth);
    if (k > r) r = k;
  }
  return r;
}

static int node_risk(const chk_ctx *ctx, const ast_node *n, int depth) {
  if (!n || depth > 64) return RISK_NONE;
  const ast_node *kids[4] = {0};
  switch (n->kind) {
  case AST_BLOCK: return list_risk(ctx, &n->u.block.stmts, depth + 1);
  case AST_CALL: {
    const ast_node *callee = n->u.call.callee;
    int r = RISK_NONE;
    if (callee && callee->kind == AST_MEMBER && callee->u.member.name) {
      static const sig_recv recvs[] = {RECV_CLUSTER, RECV_ENDPOINT};
      for (size_t i = 0; i < sizeof recvs / sizeof recvs[0]; i++) {
        int k = sig_risk(sig_find(recvs[i], callee->u.member.name), n);
        if (k > r) r = k;
      }
    } else if (callee && callee->kind == AST_IDENT && callee->u.ident.name) {
      r = sig_risk(sig_find(RECV_NONE, callee->u.ident.name), n);
    }
    return r;
  }
  case AST_EXPR_STMT: kids[0] = n->u.expr_stmt.expr; break;
  case AST_LET: kids[0] = n->u.let.value; break;
  case AST_STEP: kids[0] = n->u.step.body; break;
  case AST_PARALLEL: kids[0] = n->u.parallel.body; break;
  case AST_FOR: case AST_PARALLEL_FOR: kids[0] = n->u.loop.body; break;
  case AST_IF: kids[0] = n->u.if_.then; kids[1] = n->u.if_.els; break;
  case AST_RETURN: kids[0] = n->u.ret.value; break;
  default: return RISK_NONE;
  }
  int r = RISK_NONE;
  for (size_t i = 0; i < 4; i++) {
    int k = node_risk(ctx, kids[i], depth + 1);
    if (k > r) r = k;
  }
  return r;
}

/* Warns when a mutating action (or a proc that does one) runs before any gate, or a destructive one before
 * any gate or approval; `sig` is the action's signature, or NULL with `proc` the proc called. */
void check_guard(chk_ctx *ctx, const ast_node *call, const sig_info *sig, chk_sym *proc) {
  if (ctx->proc || ctx->in_handler || ctx->lambda || ctx->waived || ctx->gated || ctx->approved) return;
  int risk = RISK_NONE;
  if (sig) {
    risk = sig_risk(sig, call);
  } else if (proc && proc->kind == SYM_PROC && proc->decl) {
    if (!proc->risk) proc->risk = (signed char)(1 + node_risk(ctx, proc->decl->u.proc.body, 0));
    risk = proc->risk - 1;
  }
  if (risk == RISK_NONE) return;
  const char *name = sig ? sig->name : proc->name;
  const char *what = sig ? "action" : "proc";
  if (risk == RISK_DESTROYS)
    diag_add(ctx->diags, DIAG_WARNING, call->span,
             "destructive %s '%s' with neither a gate nor an approval before it; add one, or waive it with "
             "# rbk: no-gate \"reason\" on the line before",
             what, name);
  else
    diag_add(ctx->diags, DIAG_WARNING, call->span,
             "mutating %s '%s' runs before any gate or approval; add one first, or waive it with # rbk: no-gate "
             "\"reason\" on the line before",
             what, name);
}

/* Reports a handler that reads `sym` (at span) when its let may not have run. */
void check_handler_read(chk_ctx *ctx, const chk_sym *sym, rbk_span at) {
  if (!ctx->in_handler || ctx->handler_scope < -1 || sym->kind != SYM_LET || !sym->unsure) return;
  const chk_scope *sc = ctx->handler_scope < 0 ? &ctx->units[ctx->unit].top : &ctx->stack[ctx->handler_scope];
  if (!sc->syms || sym < sc->syms || sym >= sc->syms + sc->len) return;
  int d = diag_add(ctx->diags, DIAG_ERROR, at, "the handler reads '%s', whose let may not have run", sym->name);
  diag_note(ctx->diags, d, sym->span,
            "'%s' is declared here, after a statement that may fail; declare it before the first one, or test "
            "run.completed_steps",
            sym->name);
}

/* Returns true when a call may fail or take time: an action or a proc (built-ins and constructors are not
 * counted). */
static bool call_may_fail(chk_ctx *ctx, const ast_node *call) {
  const ast_node *callee = call->u.call.callee;
  const char *name = callee && callee->kind == AST_MEMBER ? callee->u.member.name
                     : callee && callee->kind == AST_IDENT ? callee->u.ident.name
                                                           : NULL;
  if (!name) return true;
  if (callee->kind == AST_IDENT) {
    const sig_info *sig = check_sig_find(ctx, RECV_NONE, name);
    return !sig || (sig->flags & SIG_ACTION);
  }
  bool known = false;
  for (int r = RECV_CLUSTER; r <= RECV_CHANNEL; r++) {
    const sig_info *sig = check_sig_find(ctx, (sig_recv)r, name);
    if (sig && (sig->flags & SIG_ACTION)) return true;
    known = known || sig;
  }
  return !known; /* a library's proc */
}

/* Returns true when an expression holds a call that may fail (see call_may_fail). */
static bool has_call(chk_ctx *ctx, const ast_node *n, int depth) {
  if (!n || depth > 64) return false;
  switch (n->kind) {
  case AST_CALL:
    if (call_may_fail(ctx, n)) return true;
    for (size_t i = 0; i < n->u.call.args.len; i++) {
      const ast_node *a = n->u.call.args.items[i];
      if (a && has_call(ctx, ast_arg_value(a), depth + 1)) return true;
    }
    return false;
  case AST_LIST: case AST_OBJECT:
    for (size_t i = 0; i < n->u.list.items.len; i++)
      if (has_call(ctx, n->u.list.items.items[i], depth + 1)) return true;
    return false;
  case AST_PAIR: return has_call(ctx, n->u.pair.computed, depth + 1) || has_call(ctx, n->u.pair.value, depth + 1);
  case AST_STRING:
    for (size_t i = 0; i < n->u.str.parts.len; i++)
      if (has_call(ctx, n->u.str.parts.items[i], depth + 1)) return true;
    return false;
  case AST_MEMBER: return has_call(ctx, n->u.member.object, depth + 1);
  case AST_INDEX: return has_call(ctx, n->u.index.object, depth + 1) || has_call(ctx, n->u.index.index, depth + 1);
  case AST_UNARY: return has_call(ctx, n->u.unary.operand, depth + 1);
  case AST_BINARY: return has_call(ctx, n->u.binary.lhs, depth + 1) || has_call(ctx, n->u.binary.rhs, depth + 1);
  case AST_COND:
    return has_call(ctx, n->u.if_.cond, depth + 1) || has_call(ctx, n->u.if_.then, depth + 1) ||
           has_call(ctx, n->u.if_.els, depth + 1);
  case AST_PARALLEL_FOR: return true; /* `let x = parallel for`: its branches may fail */
  default: return false;
  }
}

/* Returns true when the statement may fail when it runs (anything but a let of a call-free value or a
 * declaration). */
bool check_may_fail(chk_ctx *ctx, const ast_node *s) {
  switch (s->kind) {
  case AST_RUNBOOK: case AST_PARAM: case AST_IMPORT: case AST_PROC: return false;
  case AST_LET: return has_call(ctx, s->u.let.value, 0);
  default: return true;
  }
}
