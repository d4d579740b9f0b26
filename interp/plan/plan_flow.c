/* plan_flow.c — control flow: if (a known condition keeps the taken branch; an unknown one makes a
 * decision), for and parallel for (unrolled over known lists; once under a loop or fork over
 * unknown ones), parallel blocks, and proc inlining. */
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

/* Returns a copy of the links with every kind set to `kind`. */
static plan_links links_as(plan_walker *w, const plan_links *l, plan_edge_kind kind) {
  plan_links out = {0};
  for (size_t i = 0; i < l->len; i++) plan_links_push(w, &out, l->items[i].node, kind);
  return out;
}

/* Pushes a piece onto the context string; returns the previous length. */
static size_t ctx_push(plan_walker *w, const char *piece) {
  size_t saved = w->ctx.len;
  valbuf_puts(&w->ctx, piece);
  return saved;
}

/* Pops the context string back to `len`. */
static void ctx_pop(plan_walker *w, size_t len) {
  w->ctx.len = len;
  if (w->ctx.s) w->ctx.s[len] = '\0';
}

/* One alternative of a decision or fork being walked: its exits and worst case are collected. */
typedef struct {
  plan_links exits; /* where the alternatives end */
  plan_cost best;   /* the longest alternative */
  bool any;         /* an alternative was walked */
  bool all_stop;    /* every alternative ended the path */
} plan_alts;

/* What alt_begin saved for alt_end. */
typedef struct {
  plan_cost outer;
  long p, q, b;
} alt_state;

/* Starts one alternative under a BRANCH node labelled `label` (taken), entered from `from`, with
 * node `parent` as the branch's parent; returns what alt_end restores. */
static alt_state alt_begin(plan_walker *w, const plan_links *from, long parent, char *label, rbk_span span) {
  alt_state a = {.outer = w->cost};
  plan_links_free(&w->pend);
  w->pend = links_as(w, from, from->len && from->items[0].kind == PLAN_EDGE_FORK ? PLAN_EDGE_FORK : PLAN_EDGE_NEXT);
  w->cost = plan_cost_zero();
  w->stop = false;
  a.p = plan_walk_enter(w, parent);
  a.b = plan_walk_node(w, PLAN_BRANCH, NULL, span, false);
  if (a.b >= 0) w->g->nodes[a.b].label = label;
  else free(label);
  a.q = plan_walk_enter(w, a.b);
  return a;
}

/* Ends the alternative alt_begin started: its exits and worst case go to alts. */
static void alt_end(plan_walker *w, plan_alts *alts, alt_state a) {
  plan_walk_leave(w, a.q);
  plan_walk_leave(w, a.p);
  if (a.b >= 0) w->g->nodes[a.b].worst_ms = w->cost.ms;
  plan_links_extend(w, &alts->exits, &w->pend);
  alts->all_stop &= w->stop;
  alts->any = true;
  plan_cost c = w->cost;
  w->cost = a.outer;
  plan_cost_max(&alts->best, &c);
}

/* Walks `body` (a block or statement) as one alternative under a BRANCH node labelled `label`
 * (taken), entered from `from`, with node `parent` as the branch's parent. */
static void alt_walk(plan_walker *w, plan_scope *s, plan_alts *alts, const plan_links *from, long parent,
                     char *label, rbk_span span, const ast_node *body) {
  alt_state a = alt_begin(w, from, parent, label, span);
  plan_walk_block(w, s, body);
  alt_end(w, alts, a);
}

/* Evaluates `arm` (an expression) as one alternative, like alt_walk; returns its value. */
static pv alt_eval(plan_walker *w, plan_scope *s, plan_alts *alts, const plan_links *from, long parent,
                   char *label, const ast_node *arm) {
  alt_state a = alt_begin(w, from, parent, label, arm->span);
  pv v = plan_eval(w, s, arm);
  alt_end(w, alts, a);
  return v;
}

/* Adds the decision node of the if n after the pending links, keeping a copy of those links (with
 * their kinds) in *before for when the decision turns out to add nothing; returns the node, or -1
 * (*before freed). */
static long decision_start(plan_walker *w, const ast_node *n, plan_links *before) {
  *before = links_as(w, &w->pend, PLAN_EDGE_NEXT);
  for (size_t i = 0; i < w->pend.len; i++) before->items[i].kind = w->pend.items[i].kind;
  long d = plan_walk_node(w, PLAN_DECISION, n, n->span, false);
  if (d < 0) plan_links_free(before);
  return d;
}

/* Evaluates the arms of `if c { a } else { b }` whose condition is known only at run time into
 * *then_v and *else_v. When an arm calls an action, a decision node `if c (conditional
 * expression)` with a `then` and an `else` branch holds each arm's actions, as for an if
 * statement; otherwise no node is added. */
void plan_walk_cond_arms(plan_walker *w, plan_scope *s, const ast_node *e, pv *then_v, pv *else_v) {
  plan_links before;
  size_t start = w->g->len;
  long d = decision_start(w, e, &before);
  if (d < 0) {
    *then_v = plan_pv_unknown(NULL), *else_v = plan_pv_unknown(NULL);
    return;
  }
  char *src = plan_span_text(e->u.if_.cond->span);
  w->g->nodes[d].source = src;
  w->g->nodes[d].label = strutil_printf("if %s (a conditional expression)", src ? src : "?");
  plan_links after = w->pend;
  w->pend = (plan_links){0};
  plan_alts alts = {.all_stop = true};
  w->cond_level++;
  *then_v = alt_eval(w, s, &alts, &after, d, strutil_printf("then (%s)", src ? src : "?"), e->u.if_.then);
  *else_v = alt_eval(w, s, &alts, &after, d, strdup("else"), e->u.if_.els);
  w->cond_level--;
  plan_links_free(&w->pend);
  plan_links_free(&after);
  w->stop = false;
  if (w->g->len == start + 3) { /* neither arm added a node: nothing to decide in the graph */
    for (int i = 0; i < 3; i++) plan_graph_pop(w->g);
    plan_links_free(&alts.exits);
    w->pend = before;
    return;
  }
  plan_links_free(&before);
  w->pend = alts.exits;
  w->g->nodes[d].worst_ms = alts.best.ms;
  plan_cost_seq(&w->cost, &alts.best);
}

/* Walks an if whose condition is unknown (or known but calling actions): a decision node `d` with
 * one branch per possible outcome. */
static void pw_decision(plan_walker *w, plan_scope *s, const ast_node *st, long d, int known) {
  plan_node *n = &w->g->nodes[d];
  char *src = plan_span_text(st->u.if_.cond->span);
  n->source = src;
  n->label = strutil_printf("if %s", src ? src : "?");
  if (!plan_graph_index(w->g, st, n->ctx, (size_t)d)) plan_walk_fail(w, "out of memory");
  plan_links after = w->pend;
  w->pend = (plan_links){0};
  plan_alts alts = {.all_stop = true};
  if (known < 0) w->cond_level++;
  if (known != 0) alt_walk(w, s, &alts, &after, d, strutil_printf("then (%s)", src ? src : "?"), st->u.if_.then->span, st->u.if_.then);
  if (known != 1 && st->u.if_.els)
    alt_walk(w, s, &alts, &after, d, strdup("else"), st->u.if_.els->span, st->u.if_.els);
  if (known < 0) w->cond_level--;
  plan_links_free(&w->pend);
  w->pend = alts.exits;
  if (known < 0 && !st->u.if_.els) {
    plan_links_extend(w, &w->pend, &after);
    alts.all_stop = false;
  }
  plan_links_free(&after);
  w->stop = alts.any && alts.all_stop;
  w->g->nodes[d].worst_ms = alts.best.ms;
  plan_cost_seq(&w->cost, &alts.best);
}

/* if c { … } else …: a known condition walks the taken branch inline. */
static void pw_if(plan_walker *w, plan_scope *s, const ast_node *st) {
  plan_links before;
  size_t start = w->g->len;
  long d = decision_start(w, st, &before);
  if (d < 0) return;
  long p = plan_walk_enter(w, d);
  pv c = plan_eval(w, s, st->u.if_.cond);
  plan_walk_leave(w, p);
  int known = c.kind == PV_KNOWN && c.val->kind == VAL_BOOL ? c.val->u.b : -1;
  plan_pv_free(&c);
  if (known < 0 || w->g->len > start + 1) {
    plan_links_free(&before);
    pw_decision(w, s, st, d, known);
    return;
  }
  plan_graph_pop(w->g);
  plan_links_free(&w->pend);
  w->pend = before;
  const ast_node *taken = known ? st->u.if_.then : st->u.if_.els;
  if (taken && taken->kind == AST_IF) pw_if(w, s, taken);
  else if (taken) plan_walk_block(w, s, taken);
}

/* Returns the rounds that n branches take with at most `max` at once (unknown max: one at a time). */
static int64_t rounds(int64_t n, int64_t max, bool has_max) {
  if (!has_max) return 1;
  if (max <= 0) return n > 0 ? n : 1;
  return n > 0 ? (n + max - 1) / max : 1;
}

/* Closes a fork: a join node after every branch's exits; the worst case is rounds × the longest. */
static void fork_join(plan_walker *w, long f, plan_alts *alts, int64_t n, int64_t max, bool has_max) {
  plan_links_free(&w->pend);
  w->pend = links_as(w, &alts->exits, PLAN_EDGE_JOIN);
  plan_links_free(&alts->exits);
  long j = plan_walk_node(w, PLAN_JOIN, NULL, w->g->nodes[f].span, false);
  if (j >= 0) w->g->nodes[j].label = strdup("join");
  w->stop = alts->any && alts->all_stop;
  plan_cost_scale(&alts->best, rounds(n, max, has_max), 0);
  w->g->nodes[f].worst_ms = alts->best.ms;
  if (j >= 0) w->g->nodes[j].worst_ms = 0;
  plan_cost_seq(&w->cost, &alts->best);
}

/* Returns the source-like text of a known list element for a branch label. Caller frees. */
static char *elem_label(const char *var, rbk_value *v) {
  pv e = plan_pv_known(value_ref(v));
  char *t = plan_pv_src(&e);
  char *label = strutil_printf("%s = %s", var, t ? t : "?");
  free(t);
  plan_pv_free(&e);
  return label;
}

/* Walks the body once per element of a known list (bound to the loop variable), in sequence
 * or as the branches of fork `l`. */
static void loop_known(plan_walker *w, plan_scope *s, const ast_node *st, long l, const rbk_value *list,
                       bool parallel, int64_t max, bool has_max) {
  plan_links after = links_as(w, &w->pend, parallel ? PLAN_EDGE_FORK : PLAN_EDGE_NEXT);
  plan_alts alts = {.all_stop = true};
  plan_cost outer = w->cost;
  w->cost = plan_cost_zero();
  for (size_t i = 0; i < list->u.list.len && !w->err && !(w->stop && !parallel); i++) {
    char piece[32];
    snprintf(piece, sizeof piece, "[%zu]", i);
    size_t saved = ctx_push(w, piece);
    plan_scope sc;
    plan_scope_init(&sc, s, s->unit);
    plan_scope_bind(&sc, st->u.loop.var, plan_pv_known(value_ref(list->u.list.items[i])));
    char *label = elem_label(st->u.loop.var, list->u.list.items[i]);
    if (parallel) {
      alt_walk(w, &sc, &alts, &after, l, label, st->u.loop.body->span, st->u.loop.body);
    } else {
      plan_alts one = {.all_stop = true};
      plan_links from = w->pend;
      w->pend = (plan_links){0};
      alt_walk(w, &sc, &one, &from, l, label, st->u.loop.body->span, st->u.loop.body);
      plan_links_free(&from);
      plan_links_free(&w->pend);
      w->pend = one.exits;
      w->stop = one.all_stop;
      plan_cost_seq(&w->cost, &one.best);
    }
    plan_scope_free(&sc);
    ctx_pop(w, saved);
  }
  if (parallel) fork_join(w, l, &alts, (int64_t)list->u.list.len, max, has_max);
  else w->g->nodes[l].worst_ms = w->cost.ms;
  plan_links_free(&after);
  plan_cost loop = w->cost;
  w->cost = outer;
  plan_cost_seq(&w->cost, &loop);
}

/* Walks the body once for a list unknown before the run: a loop (repeat edge, unbounded) or a fork
 * with one symbolic branch (its body's worst case; unbounded with max). */
static void loop_unknown(plan_walker *w, plan_scope *s, const ast_node *st, long l, const char *over,
                         bool parallel, bool has_max) {
  size_t saved = ctx_push(w, "[*]");
  plan_scope sc;
  plan_scope_init(&sc, s, s->unit);
  plan_scope_bind(&sc, st->u.loop.var, plan_pv_unknown(strdup(st->u.loop.var)));
  plan_links after = links_as(w, &w->pend, parallel ? PLAN_EDGE_FORK : PLAN_EDGE_NEXT);
  plan_alts alts = {.all_stop = true};
  w->cond_level++;
  size_t entry = w->g->len + 1;
  alt_walk(w, &sc, &alts, &after, l, strutil_printf("%s in %s (each element)", st->u.loop.var, over), st->u.loop.body->span,
           st->u.loop.body);
  w->cond_level--;
  char *where = plan_walk_where(st->span);
  char *why = strutil_printf("%s: %s over a list unknown before the run (%s)", where ? where : "?",
                       parallel ? "parallel for with max" : "for", over);
  if (parallel) {
    fork_join(w, l, &alts, 1, 1, false);
    if (has_max) plan_cost_unbounded(&w->cost, why);
  } else {
    if (entry < w->g->len) plan_links_repeat(w, &alts.exits, entry);
    plan_links_free(&w->pend);
    w->pend = alts.exits;
    plan_links_extend(w, &w->pend, &after);
    w->stop = false;
    plan_cost_unbounded(&alts.best, why);
    w->g->nodes[l].worst_ms = PLAN_UNBOUNDED;
    plan_cost_seq(&w->cost, &alts.best);
  }
  free(where);
  free(why);
  plan_links_free(&after);
  plan_scope_free(&sc);
  ctx_pop(w, saved);
}

/* for x in e { … } and parallel for x in e [max N] { … }. */
static void pw_for(plan_walker *w, plan_scope *s, const ast_node *st) {
  bool parallel = st->kind == AST_PARALLEL_FOR;
  long l = plan_walk_node(w, parallel ? PLAN_FORK : PLAN_LOOP, st, st->span, true);
  if (l < 0) return;
  long p = plan_walk_enter(w, l);
  pv it = plan_eval(w, s, st->u.loop.iter);
  pv mx = st->u.loop.max ? plan_eval(w, s, st->u.loop.max) : plan_pv_unknown(NULL);
  plan_walk_leave(w, p);
  int64_t max = PLAN_NONE;
  bool has_max = st->u.loop.max != NULL;
  if (!plan_pv_int(&mx, &max)) max = PLAN_NONE;
  char *over = plan_pv_src(&it);
  plan_node *n = &w->g->nodes[l];
  n->max = has_max ? max : PLAN_NONE;
  n->label = strutil_printf("%sfor %s in %s%s", parallel ? "parallel " : "", st->u.loop.var, over ? over : "?",
                      has_max ? " (max)" : "");
  if (has_max) {
    free(n->label);
    char *m = plan_pv_src(&mx);
    n->label = strutil_printf("parallel for %s in %s max %s", st->u.loop.var, over ? over : "?", m ? m : "?");
    free(m);
  }
  if (w->collect && w->collect->u.let.value == st) {
    char *label = strutil_printf("let %s = %s (the list of what each branch returns)", w->collect->u.let.name, n->label);
    free(n->label);
    n->label = label;
  }
  if (it.kind == PV_KNOWN && it.val->kind == VAL_LIST) {
    n->iterations = (int64_t)it.val->u.list.len;
    loop_known(w, s, st, l, it.val, parallel, max, has_max);
  } else {
    if (it.kind == PV_KNOWN)
      plan_walk_warn(w, st->u.loop.iter->span, "cannot loop over %s (the run fails here)", value_kind_article(it.val->kind));
    loop_unknown(w, s, st, l, over ? over : "?", parallel, has_max);
  }
  free(over);
  plan_pv_free(&it);
  plan_pv_free(&mx);
}

/* parallel [max N] { s1; s2 }: a fork, one branch per statement, a join. */
static void pw_parallel(plan_walker *w, plan_scope *s, const ast_node *st) {
  long f = plan_walk_node(w, PLAN_FORK, st, st->span, true);
  if (f < 0) return;
  long p = plan_walk_enter(w, f);
  pv mx = st->u.parallel.max ? plan_eval(w, s, st->u.parallel.max) : plan_pv_unknown(NULL);
  plan_walk_leave(w, p);
  int64_t max = PLAN_NONE;
  bool has_max = st->u.parallel.max != NULL;
  if (!plan_pv_int(&mx, &max)) max = PLAN_NONE;
  char *m = has_max ? plan_pv_src(&mx) : NULL;
  w->g->nodes[f].max = has_max ? max : PLAN_NONE;
  w->g->nodes[f].label = has_max ? strutil_printf("parallel max %s", m ? m : "?") : strdup("parallel");
  free(m);
  plan_pv_free(&mx);
  const ast_list *branches = &st->u.parallel.body->u.block.stmts;
  plan_links after = links_as(w, &w->pend, PLAN_EDGE_FORK);
  plan_alts alts = {.all_stop = true};
  for (size_t i = 0; i < branches->len && !w->err; i++) {
    const ast_node *b = branches->items[i];
    char *src = plan_span_text(b->span), *cut = NULL;
    bool block = b->kind == AST_STEP || b->kind == AST_GATE || b->kind == AST_IF || b->kind == AST_FOR ||
                 b->kind == AST_PARALLEL || b->kind == AST_PARALLEL_FOR || b->kind == AST_BLOCK;
    if (src) {
      size_t n = block ? strcspn(src, "{") : strlen(src);
      while (n > 0 && src[n - 1] == ' ') n--;
      src[n] = '\0';
      cut = plan_cut(src, 48);
    }
    alt_walk(w, s, &alts, &after, f, strutil_printf("branch %zu: %s", i + 1, cut ? cut : "?"), b->span, b);
    free(src);
    free(cut);
  }
  fork_join(w, f, &alts, (int64_t)branches->len, max, has_max);
  plan_links_free(&after);
}

/* Walks a statement of the control-flow kinds (if, for, parallel, parallel for). */
void plan_walk_control(plan_walker *w, plan_scope *s, const ast_node *st) {
  switch (st->kind) {
    case AST_IF: pw_if(w, s, st); break;
    case AST_FOR: case AST_PARALLEL_FOR: pw_for(w, s, st); break;
    case AST_PARALLEL: pw_parallel(w, s, st); break;
    default: break;
  }
}

/* Binds the proc's parameters from the arguments (positional, then by name, then defaults). */
static void bind_params(plan_walker *w, plan_scope *sc, const ast_node *proc, pv *pos, size_t npos, char **names,
                        pv *named, size_t nnamed) {
  const ast_list *params = &proc->u.proc.params;
  for (size_t i = 0; i < params->len; i++) {
    const ast_node *p = params->items[i];
    const pv *given = i < npos ? &pos[i] : NULL;
    for (size_t k = 0; !given && k < nnamed; k++)
      if (!strcmp(names[k], p->u.param.name)) given = &named[k];
    pv v = given ? plan_pv_dup(given) : p->u.param.def ? plan_eval(w, sc, p->u.param.def) : plan_pv_unknown(strdup(p->u.param.name));
    if (v.kind == PV_UNKNOWN && !v.sym && !v.secret) v.sym = strdup(p->u.param.name);
    if (!plan_scope_bind(sc, p->u.param.name, v)) plan_walk_fail(w, "out of memory");
  }
}

/* Returns the frame of `proc` on the chain of inlined procs (it calls itself, directly or through
 * others), or NULL. */
static const plan_frame *frame_of(const plan_walker *w, const ast_node *proc) {
  for (const plan_frame *f = w->frame; f; f = f->outer)
    if (f->node == proc) return f;
  return NULL;
}

/* Returns true when `call` of `proc` is not expanded because its recursion is not bounded before
 * the run: it recurses under a decision or a loop that the plan cannot resolve, or past
 * PLAN_MAX_INLINE levels. The worst case becomes unbounded, with the reason, and the call's
 * result is unknown. A recursion whose every decision is known (a param counting down) is
 * expanded exactly. */
static bool recursion_unbounded(plan_walker *w, const ast_node *proc, const ast_node *call) {
  const plan_frame *f = frame_of(w, proc);
  bool deep = w->inline_depth >= PLAN_MAX_INLINE;
  if (!deep && (!f || w->cond_level <= f->cond_level)) return false;
  char *where = plan_walk_where(call->span);
  char *why = deep ? strutil_printf("%s: proc calls nest deeper than %d ('%s' is not expanded further)", where ? where : "?",
                                    PLAN_MAX_INLINE, proc->u.proc.name)
                   : strutil_printf("%s: proc '%s' calls itself%s%s%s, as deep as values known only at run time decide",
                                    where ? where : "?", proc->u.proc.name, f == w->frame ? "" : " through '",
                                    f == w->frame ? "" : w->frame->proc, f == w->frame ? "" : "'");
  plan_cost_unbounded(&w->cost, why);
  free(where);
  free(why);
  long r = plan_walk_node(w, PLAN_LOOP, call, call->span, false);
  if (r < 0) return true;
  w->g->nodes[r].label = deep ? strutil_printf("%s(…) not expanded: calls nest deeper than %d", proc->u.proc.name,
                                               PLAN_MAX_INLINE)
                              : strutil_printf("%s(…) again: recursion, as deep as the run decides", proc->u.proc.name);
  w->g->nodes[r].worst_ms = PLAN_UNBOUNDED;
  if (f && f->entry < (size_t)r) {
    plan_links back = {0};
    plan_links_push(w, &back, (size_t)r, PLAN_EDGE_REPEAT);
    plan_links_repeat(w, &back, f->entry);
    plan_links_free(&back);
  }
  return true;
}

/* Inlines proc `proc` of unit `unit` for `call` with evaluated arguments; returns its result. */
pv plan_walk_inline(plan_walker *w, int unit, const ast_node *proc, const ast_node *call, pv *pos, size_t npos,
                    char **names, pv *named, size_t nnamed) {
  if (recursion_unbounded(w, proc, call)) return plan_pv_unknown(NULL);
  plan_walk_unit_globals(w, unit);
  plan_scope sc;
  plan_scope_init(&sc, &w->globals[unit], unit);
  char piece[48];
  snprintf(piece, sizeof piece, "@%d:%d", call->span.line, call->span.col);
  size_t saved = ctx_push(w, piece);
  bind_params(w, &sc, proc, pos, npos, names, named, nnamed);
  plan_frame f = {.outer = w->frame, .proc = proc->u.proc.name, .node = proc, .entry = w->g->len,
                  .cond_level = w->cond_level};
  w->frame = &f;
  w->inline_depth++;
  plan_walk_block(w, &sc, proc->u.proc.body);
  w->inline_depth--;
  w->frame = f.outer;
  plan_links_extend(w, &w->pend, &f.returns);
  plan_links_free(&f.returns);
  if (w->returned) w->stop = w->returned = false;
  ctx_pop(w, saved);
  plan_scope_free(&sc);
  if (f.has_result && !f.conditional) return f.result;
  plan_pv_free(&f.result);
  return plan_pv_unknown(NULL);
}
