/* check_stmt.c — checking statements: where each may stand, handlers at the end of a step,
 * unreachable statements, and the types of their clauses (timeouts, conditions, counts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_impl.h"

#include "grow.h"
static bool check_terminates(const ast_node *stmt, int depth);
static void check_block(chk_ctx *ctx, const ast_node *block, chk_where where, bool scoped);
static void check_stmt(chk_ctx *ctx, const ast_node *s, chk_where where);

/* Returns true for the declarations that only the top level of a file may hold. */
static bool top_only(ast_kind kind) {
  return kind == AST_RUNBOOK || kind == AST_PARAM || kind == AST_IMPORT || kind == AST_PROC;
}

/* Returns true for `on failure` and `finally`. */
static bool is_handler(const ast_node *s) { return s->kind == AST_ON_FAILURE || s->kind == AST_FINALLY; }

/* Returns the keyword that starts a statement, for messages. */
static const char *keyword(const ast_node *s) {
  switch (s->kind) {
  case AST_ON_FAILURE: return "on failure";
  case AST_WAIT_UNTIL: return "wait until";
  case AST_PARALLEL_FOR: return "parallel for";
  default: return ast_kind_name(s->kind);
  }
}

/* Returns true when any statement of the BLOCK ends it. */
static bool block_terminates(const ast_node *block, int depth) {
  if (!block || block->kind != AST_BLOCK) return false;
  for (size_t i = 0; i < block->u.block.stmts.len; i++)
    if (check_terminates(block->u.block.stmts.items[i], depth + 1)) return true;
  return false;
}

/* Returns true when the statement ends its block: abort, return, an if whose every branch does. */
static bool check_terminates(const ast_node *stmt, int depth) {
  if (!stmt || depth > 64) return false;
  if (stmt->kind == AST_ABORT || stmt->kind == AST_RETURN) return true;
  while (stmt && stmt->kind == AST_IF) {
    if (!block_terminates(stmt->u.if_.then, depth)) return false;
    stmt = stmt->u.if_.els;
  }
  return stmt && block_terminates(stmt, depth);
}

/* Records a step's plain title for the duplicate check. */
static void record_title(chk_ctx *ctx, const ast_node *title) {
  const char *text = NULL;
  if (!ast_string_is_plain(title, &text) || !text) return;
  if (!GROW(ctx->titles, ctx->captitles, ctx->ntitles + 1)) return;
  ctx->titles[ctx->ntitles++] = (chk_title){text, title->span, check_hash_name(text)};
}

/* Warns when a text of type `t` that people see (`what`: "the notify message", …) holds a secret:
 * it is shown and sent with the secret's bytes as ***. */
static void secret_text(chk_ctx *ctx, const ast_node *node, chk_type t, const char *what) {
  if (node && t == CT_SECRET)
    diag_add(ctx->diags, DIAG_WARNING, node->span, "%s holds a secret: it is shown and sent with the secret as ***", what);
}

/* Checks `step "title" [timeout D] [retry N [backoff D]] { … }`. */
static void step(chk_ctx *ctx, const ast_node *s) {
  secret_text(ctx, s->u.step.title, check_require(ctx, s->u.step.title, CT_STRING, "a step title"), "the step title");
  record_title(ctx, s->u.step.title);
  check_require(ctx, s->u.step.opt->timeout, CT_DURATION, "timeout");
  check_require(ctx, s->u.step.opt->retry, CT_INT, "the retry count");
  check_require(ctx, s->u.step.opt->backoff, CT_DURATION, "backoff");
  bool timed = s->u.step.opt->timeout != NULL;
  ctx->timed += timed;
  check_block(ctx, s->u.step.body, WHERE_STEP, true);
  ctx->timed -= timed;
}

/* Reports a literal `max` below 1 (no branch could ever run). */
static void max_positive(chk_ctx *ctx, const ast_node *max) {
  bool neg = max && max->kind == AST_UNARY && max->op == OP_NEG && max->u.unary.operand &&
             max->u.unary.operand->kind == AST_INT_LIT;
  if (neg || (max && max->kind == AST_INT_LIT && max->u.lit.i <= 0))
    diag_add(ctx->diags, DIAG_ERROR, max->span, "max must be at least 1: with max %s%lld no branch would run",
             neg ? "-" : "", (long long)(neg ? max->u.unary.operand->u.lit.i : max->u.lit.i));
}

/* Checks `parallel [max N] { … }`: each statement is a branch with its own scope. */
static void parallel(chk_ctx *ctx, const ast_node *s) {
  check_require(ctx, s->u.parallel.max, CT_INT, "max");
  max_positive(ctx, s->u.parallel.max);
  const ast_node *body = s->u.parallel.body;
  if (!body || body->kind != AST_BLOCK) return;
  chk_ret_to ret_to = ctx->ret_to;
  ctx->ret_to = RET_NOWHERE;
  for (size_t i = 0; i < body->u.block.stmts.len; i++) {
    const ast_node *branch = body->u.block.stmts.items[i];
    if (!branch || !check_push(ctx)) continue;
    bool gated = ctx->gated, approved = ctx->approved;
    check_stmt(ctx, branch, WHERE_BRANCH);
    ctx->gated = gated;
    ctx->approved = approved;
    if (branch->kind == AST_LET) {
      diag_add(ctx->diags, DIAG_WARNING, branch->span,
               "a 'let' as a branch of 'parallel' is useless: no other branch can see '%s'",
               branch->u.let.name ? branch->u.let.name : "");
      for (size_t j = 0; j < ctx->stack[ctx->nstack - 1].len; j++) ctx->stack[ctx->nstack - 1].syms[j].used = true;
    }
    check_pop(ctx);
  }
  ctx->ret_to = ret_to;
}

/* Returns the advice for a loop over a value of type t that is not a list ("" when none). */
static const char *loop_hint(chk_type t) {
  if (t == CT_OBJECT) return "; use keys(x) or values(x)";
  if (t == CT_STRING || t == CT_SECRET) return "; use split(x, sep) for its parts";
  return "";
}

/* Checks `for x in e { … }` and `parallel for x in e [max N] { … }` (`collect`: the value of a let,
 * whose branches return values). */
static void loop(chk_ctx *ctx, const ast_node *s, bool collect) {
  const ast_node *iter = s->u.loop.iter;
  chk_type t = check_expr(ctx, iter);
  if (iter && t != CT_UNKNOWN && t != CT_LIST) {
    char desc[80];
    check_describe(iter, t, desc, sizeof desc);
    diag_add(ctx->diags, DIAG_ERROR, iter->span, "'%s' needs a list to iterate over, got %s%s", keyword(s), desc,
             loop_hint(t));
  }
  check_require(ctx, s->u.loop.max, CT_INT, "max");
  max_positive(ctx, s->u.loop.max);
  if (!check_push(ctx)) return;
  chk_sym var = {.name = s->u.loop.var, .kind = SYM_LOOP, .decl = s, .span = s->span, .unit = -1};
  check_declare(ctx, &var);
  bool gated = ctx->gated, approved = ctx->approved;
  chk_ret_to ret_to = ctx->ret_to;
  if (s->kind == AST_PARALLEL_FOR) ctx->ret_to = collect ? RET_BRANCH : RET_NOWHERE;
  check_block(ctx, s->u.loop.body, WHERE_BLOCK, false);
  ctx->ret_to = ret_to;
  ctx->gated = gated;
  ctx->approved = approved;
  check_pop(ctx);
}

/* Checks a let's value and returns its type: an expression, or a collecting `parallel for`. */
chk_type check_let_value(chk_ctx *ctx, const ast_node *let) {
  const ast_node *v = let->u.let.value;
  if (!v || v->kind != AST_PARALLEL_FOR) return check_expr(ctx, v);
  loop(ctx, v, true);
  if (!check_has_return(v->u.loop.body))
    diag_add(ctx->diags, DIAG_ERROR, v->span,
             "'let %s = parallel for' collects what each branch returns, but its body has no 'return'",
             let->u.let.name ? let->u.let.name : "");
  return CT_LIST;
}

/* Checks `if c { } else if c { } else { }` (the else-if chain without recursion). */
static void if_chain(chk_ctx *ctx, const ast_node *s) {
  bool gated = ctx->gated, approved = ctx->approved;
  while (s && s->kind == AST_IF) {
    check_require(ctx, s->u.if_.cond, CT_BOOL, "the condition of 'if'");
    check_block(ctx, s->u.if_.then, WHERE_BLOCK, true);
    ctx->gated = gated;
    ctx->approved = approved;
    s = s->u.if_.els;
  }
  if (s) check_block(ctx, s, WHERE_BLOCK, true);
  ctx->gated = gated;
  ctx->approved = approved;
}

/* Checks `notify ch, … [every D] message`: every channel must be a channel when known. */
static void notify(chk_ctx *ctx, const ast_node *s) {
  const ast_list *chans = &s->u.notify.channels;
  for (size_t i = 0; i < chans->len; i++) {
    const ast_node *ch = chans->items[i];
    chk_type t = check_expr(ctx, ch);
    if (ch && t != CT_UNKNOWN && t != CT_CHANNEL)
      diag_add(ctx->diags, DIAG_ERROR, ch->span, "notify needs a channel, got %s", check_type_article(t));
  }
  check_require(ctx, s->u.notify.every, CT_DURATION, "every");
  secret_text(ctx, s->u.notify.message, check_expr(ctx, s->u.notify.message), "the notify message");
}

/* Checks a `let` in a block: its value, then its name in the current scope. */
static void let(chk_ctx *ctx, const ast_node *s) {
  chk_type t = check_let_value(ctx, s);
  chk_sym sym = {.name = s->u.let.name, .kind = SYM_LET, .decl = s, .span = s->span, .type = t, .unit = -1,
                 .unsure = ctx->may_fail};
  check_declare(ctx, &sym);
}

/* Checks a bare expression statement: only calls may stand alone. */
static void expr_stmt(chk_ctx *ctx, const ast_node *s) {
  const ast_node *e = s->u.expr_stmt.expr;
  if (e && e->kind == AST_CALL) {
    check_call(ctx, e, true);
    return;
  }
  diag_add(ctx->diags, DIAG_ERROR, e ? e->span : s->span, "expression result unused");
  check_expr(ctx, e);
}

/* Checks a statement that only some places allow; returns true when it was one. */
static bool placement(chk_ctx *ctx, const ast_node *s, chk_where where) {
  if (top_only(s->kind) && where != WHERE_TOP) {
    diag_add(ctx->diags, DIAG_ERROR, s->span, "'%s' is allowed only at the top level of a file", keyword(s));
    return true;
  }
  if (is_handler(s) && where != WHERE_TOP && where != WHERE_STEP) {
    diag_add(ctx->diags, DIAG_ERROR, s->span,
             "'%s' is allowed only at the top level or as one of the last statements of a step", keyword(s));
    check_block(ctx, s->u.handler.body, WHERE_BLOCK, true);
    return true;
  }
  if (s->kind == AST_RETURN && ctx->ret_to == RET_NOWHERE) {
    if (ctx->proc)
      diag_add(ctx->diags, DIAG_ERROR, s->span, "'return' cannot leave a parallel branch; to collect the branches' "
                                                "values, write 'let NAME = parallel for x in LIST { … return v }'");
    else
      diag_add(ctx->diags, DIAG_ERROR, s->span, "'return' outside a proc or the body of 'let NAME = parallel for …'");
    check_expr(ctx, s->u.ret.value);
    return true;
  }
  return false;
}

/* Checks a handler at the end of a step (or at the top level): it must not trust the lets of its block that
 * may not have run; the gate rules do not apply inside it (it compensates for what already ran). */
static void handler(chk_ctx *ctx, const ast_node *s) {
  long saved_scope = ctx->handler_scope;
  bool gated = ctx->gated, approved = ctx->approved;
  ctx->handler_scope = ctx->nstack ? (long)ctx->nstack - 1 : -1;
  ctx->in_handler++;
  check_block(ctx, s->u.handler.body, WHERE_BLOCK, true);
  ctx->in_handler--;
  ctx->handler_scope = saved_scope;
  ctx->gated = gated;
  ctx->approved = approved;
}

/* Checks the clauses of the simple statements (gate, approve, wait, assert, …). */
static void clauses(chk_ctx *ctx, const ast_node *s) {
  switch (s->kind) {
  case AST_GATE:
    secret_text(ctx, s->u.gate.title, check_require(ctx, s->u.gate.title, CT_STRING, "a gate title"), "the gate title");
    check_require(ctx, s->u.gate.opt->every, CT_DURATION, "every");
    check_require(ctx, s->u.gate.opt->timeout, CT_DURATION, "timeout");
    if (s->u.gate.opt->recheck && s->u.gate.opt->recheck->kind != AST_BOOL_LIT)
      diag_add(ctx->diags, DIAG_ERROR, s->u.gate.opt->recheck->span,
               "'recheck' takes true or false (whether a resumed run judges this gate again)");
    check_unbounded(ctx, s);
    check_block(ctx, s->u.gate.body, WHERE_BLOCK, true);
    ctx->gated = true;
    break;
  case AST_APPROVE:
    check_require(ctx, s->u.approve.question, CT_STRING, "the question of 'approve'");
    check_require(ctx, s->u.approve.from, CT_STRING, "the role of 'approve'");
    check_require(ctx, s->u.approve.timeout, CT_DURATION, "timeout");
    check_unbounded(ctx, s);
    ctx->approved = true;
    break;
  case AST_WAIT: check_require(ctx, s->u.wait.duration, CT_DURATION, "the time of 'wait'"); break;
  case AST_WAIT_UNTIL:
    check_require(ctx, s->u.wait.cond, CT_BOOL, "the condition of 'wait until'");
    check_require(ctx, s->u.wait.every, CT_DURATION, "every");
    check_require(ctx, s->u.wait.timeout, CT_DURATION, "timeout");
    check_unbounded(ctx, s);
    break;
  case AST_ASSERT: case AST_EXPECT:
    check_require(ctx, s->u.check.cond, CT_BOOL,
                  s->kind == AST_ASSERT ? "the condition of 'assert'" : "the condition of 'expect'");
    secret_text(ctx, s->u.check.message, check_expr(ctx, s->u.check.message),
                s->kind == AST_ASSERT ? "the assert message" : "the expect message");
    break;
  case AST_ABORT: secret_text(ctx, s->u.abort.reason, check_expr(ctx, s->u.abort.reason), "the abort reason"); break;
  case AST_RETURN: check_expr(ctx, s->u.ret.value); break;
  case AST_ON_FAILURE: case AST_FINALLY: handler(ctx, s); break;
  default: check_expr(ctx, s); break; /* an expression node where a statement belongs (partial trees) */
  }
}

/* Checks one statement standing at `where` (declarations at the top level are check.c's). */
static void stmt_kind(chk_ctx *ctx, const ast_node *s, chk_where where) {
  if (placement(ctx, s, where)) return;
  switch (s->kind) {
  case AST_RUNBOOK: case AST_PARAM: case AST_IMPORT: case AST_PROC: check_top_decl(ctx, s); break;
  case AST_LET:
    if (where == WHERE_TOP) check_top_decl(ctx, s);
    else let(ctx, s);
    break;
  case AST_BLOCK: check_block(ctx, s, WHERE_BLOCK, true); break;
  case AST_STEP: step(ctx, s); break;
  case AST_PARALLEL: parallel(ctx, s); break;
  case AST_FOR: case AST_PARALLEL_FOR: loop(ctx, s, false); break;
  case AST_IF: if_chain(ctx, s); break;
  case AST_NOTIFY: notify(ctx, s); break;
  case AST_EXPR_STMT: expr_stmt(ctx, s); break;
  default: clauses(ctx, s); break;
  }
}

/* Checks one statement standing at `where`. */
static void check_stmt(chk_ctx *ctx, const ast_node *s, chk_where where) {
  if (!s) return;
  if (ctx->depth < CHK_MAX_DEPTH) ctx->depth++; /* check_enter's usual case, without copying the span */
  else if (!check_enter(ctx, s->span)) return;
  bool waived = ctx->waived;
  if (ctx->nwaivers && check_waived(ctx, s)) ctx->waived = true;
  stmt_kind(ctx, s, where);
  ctx->waived = waived;
  ctx->depth--;
}

/* Where a walk over a statement list stands: what came before the next statement. */
typedef struct {
  const ast_node *terminator; /* the abort/return after which statements cannot run */
  const ast_node *handler;    /* the first handler of a step's block */
  bool unreachable_reported, order_reported;
} walk_state;

/* Reports statement `s` when it cannot run or stands after a step's handlers. */
static void order_rules(chk_ctx *ctx, walk_state *w, const ast_node *s, chk_where where) {
  bool handler = is_handler(s);
  bool declaration = where == WHERE_TOP && (top_only(s->kind) || s->kind == AST_LET);
  if (w->terminator && !handler && !declaration && !w->unreachable_reported) {
    int d = diag_add(ctx->diags, DIAG_ERROR, s->span, "unreachable statement");
    diag_note(ctx->diags, d, w->terminator->span, "no statement after this '%s' runs", keyword(w->terminator));
    w->unreachable_reported = true;
  }
  if (where == WHERE_STEP && w->handler && !handler && !w->order_reported) {
    int d = diag_add(ctx->diags, DIAG_ERROR, s->span,
                     "statement after '%s': handlers must be the last statements of a step", keyword(w->handler));
    diag_note(ctx->diags, d, w->handler->span, "the handler is here");
    w->order_reported = true;
  }
  if (handler && !w->handler) w->handler = s;
  bool may_end = s->kind == AST_ABORT || s->kind == AST_RETURN || s->kind == AST_IF || s->kind == AST_BLOCK;
  if (!w->terminator && !handler && may_end && check_terminates(s, 0)) w->terminator = s; /* no other kind ends */
}

enum { PREFETCH_MAX = 64 * 1024 }; /* a larger statement's tree is left to the lists inside it */

/* Asks the cache for the tree of the statement after stmts[i] while stmts[i] is checked; returns true
 * when it did. Statements are parsed one after another into the file's arena (ast.h), and a
 * statement's node is made when it is reduced, after what it holds (the holder of a list, such as a
 * step's BLOCK, when its list starts): so the tree of stmts[i + 1] lies between the node of stmts[i]
 * and its own node (and its clauses, just after it). A large plan's tree is far larger than the
 * cache, and walking it top-down otherwise waits on a miss at each statement. Only a hint: the range
 * is skipped when the two nodes are not in that order, or far apart; what lies outside it (the items
 * of a bare `{ }` statement) is read as before. */
static bool prefetch_next(const ast_list *stmts, size_t i) {
  if (i + 1 >= stmts->len) return false;
  uintptr_t from = (uintptr_t)stmts->items[i], to = (uintptr_t)stmts->items[i + 1];
  if (!from || to <= from || to - from > PREFETCH_MAX) return false;
  for (uintptr_t p = from + 64; p < to + 2 * 64; p += 64) __builtin_prefetch((const void *)p);
  return true;
}

/* Checks a list of statements standing at `where` (at the top level, ctx->order follows them), with the
 * rules on unreachable statements and on handlers at the end of a step. */
void check_stmts(chk_ctx *ctx, const ast_list *stmts, chk_where where) {
  walk_state w = {0};
  bool saved_may_fail = ctx->may_fail, saved_cached = ctx->cached, cached = false;
  ctx->may_fail = false; /* a handler may read only the lets of its own block (or the top level) */
  for (size_t i = 0; i < stmts->len; i++) {
    const ast_node *s = stmts->items[i];
    if (!s) continue;
    if (where == WHERE_TOP) ctx->order = i;
    ctx->cached = saved_cached || cached; /* the lists inside s need not ask again */
    cached = !saved_cached && prefetch_next(stmts, i);
    order_rules(ctx, &w, s, where);
    check_stmt(ctx, s, where);
    if (!ctx->may_fail && !is_handler(s) && check_may_fail(ctx, s)) ctx->may_fail = true; /* once is enough */
  }
  ctx->may_fail = saved_may_fail;
  ctx->cached = saved_cached;
}

/* Checks the statements of `block` (a BLOCK node; another statement is checked alone; NULL is fine) in a
 * new scope, or in the current one when `scoped` is false. */
static void check_block(chk_ctx *ctx, const ast_node *block, chk_where where, bool scoped) {
  if (!block) return;
  if (block->kind != AST_BLOCK) {
    check_stmt(ctx, block, where);
    return;
  }
  if (scoped && !check_push(ctx)) return;
  check_stmts(ctx, &block->u.block.stmts, where);
  if (scoped) check_pop(ctx);
}

/* Returns true when a statement list (or any block below it) holds a `return`. */
static bool list_returns(const ast_list *stmts, int depth);

/* Returns true when the statement or a block below it holds a `return`. */
static bool stmt_returns(const ast_node *s, int depth) {
  if (!s || depth > CHK_MAX_DEPTH) return false;
  const ast_node *kids[3] = {0};
  switch (s->kind) {
  case AST_RETURN: return true;
  case AST_BLOCK: return list_returns(&s->u.block.stmts, depth + 1);
  case AST_STEP: kids[0] = s->u.step.body; break;
  case AST_PARALLEL: kids[0] = s->u.parallel.body; break;
  case AST_FOR: case AST_PARALLEL_FOR: kids[0] = s->u.loop.body; break;
  case AST_IF: kids[0] = s->u.if_.then; kids[1] = s->u.if_.els; break;
  case AST_GATE: kids[0] = s->u.gate.body; break;
  case AST_ON_FAILURE: case AST_FINALLY: kids[0] = s->u.handler.body; break;
  default: return false;
  }
  for (size_t i = 0; i < 3; i++)
    if (stmt_returns(kids[i], depth + 1)) return true;
  return false;
}

static bool list_returns(const ast_list *stmts, int depth) {
  for (size_t i = 0; i < stmts->len; i++)
    if (stmt_returns(stmts->items[i], depth)) return true;
  return false;
}

/* Returns true when a proc body holds a `return` anywhere. */
bool check_has_return(const ast_node *body) { return stmt_returns(body, 0); }

/* Checks a proc's parameters and body (in a scope of their own that sees every top-level name). */
void check_proc(chk_ctx *ctx, const ast_node *proc) {
  const ast_node *saved_proc = ctx->proc;
  bool saved_all = ctx->all_top;
  chk_ret_to saved_ret = ctx->ret_to;
  ctx->proc = proc;
  ctx->ret_to = RET_PROC;
  ctx->all_top = true;
  if (check_push(ctx)) {
    const ast_list *params = &proc->u.proc.params;
    for (size_t i = 0; i < params->len; i++) {
      const ast_node *p = params->items[i];
      if (!p || p->kind != AST_PARAM) continue;
      chk_type t = check_type_of_decl(p->u.param.type);
      char what[96] = "";
      if (p->u.param.def) /* the message is written only for a default to check */
        snprintf(what, sizeof what, "the default of '%s'", p->u.param.name ? p->u.param.name : "");
      check_require(ctx, p->u.param.def, t, what);
      chk_sym sym = {.name = p->u.param.name, .kind = SYM_PARAM, .decl = p, .span = p->span, .type = t, .unit = -1};
      check_declare(ctx, &sym);
    }
    check_block(ctx, proc->u.proc.body, WHERE_BLOCK, false);
    check_pop(ctx);
  }
  ctx->proc = saved_proc;
  ctx->ret_to = saved_ret;
  ctx->all_top = saved_all;
}
