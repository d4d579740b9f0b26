/* plan_build.c — plan_build: the top level of the plan (runbook, params, imports, lets, statements),
 * the plan-level handlers, preconditions and the critical-path summary. */
#include <stdlib.h>
#include <string.h>

#include "grow.h"

#include "plan_int.h"

/* Records the runbook's id and fields; the deadline feeds the critical path. */
static void pw_runbook(plan_walker *w, plan_scope *s, const ast_node *st) {
  plan_runbook *rb = &w->g->runbook;
  pv id = plan_eval(w, s, st->u.runbook.id);
  free(rb->id);
  rb->id = plan_pv_show(&id);
  plan_pv_free(&id);
  for (size_t i = 0; i < st->u.runbook.fields.len; i++) {
    const ast_node *f = st->u.runbook.fields.items[i];
    pv v = plan_eval(w, s, f->u.field.value);
    const char *k = f->u.field.key;
    char **slot = !strcmp(k, "title") ? &rb->title : !strcmp(k, "version") ? &rb->version
                  : !strcmp(k, "owner") ? &rb->owner : !strcmp(k, "doc") ? &rb->doc : NULL;
    int64_t ms;
    if (slot) {
      free(*slot);
      *slot = plan_pv_show(&v);
    } else if (!strcmp(k, "deadline") && plan_pv_duration(&v, &ms)) {
      w->g->critical.deadline_ms = ms;
    } else if (!strcmp(k, "tags")) {
      json_decref(rb->tags);
      rb->tags = plan_pv_json(&v);
    }
    plan_pv_free(&v);
  }
}

/* Appends a param as the plan saw it to the graph. */
static void record_param(plan_walker *w, const char *name, const pv *v, bool given) {
  plan_graph *g = w->g;
  if (!GROW(g->params, g->params_cap, g->nparams + 1)) {
    plan_walk_fail(w, "out of memory");
    return;
  }
  plan_param *ps = g->params;
  ps[g->nparams].name = strdup(name);
  ps[g->nparams].value = plan_pv_json(v);
  ps[g->nparams].text = v->kind == PV_KNOWN ? value_repr(v->val) : plan_pv_src(v); /* params in full */
  ps[g->nparams].given = given;
  g->nparams++;
}

/* param name[: type] [= default]: the -p value, else the default, else unknown. */
static void pw_param(plan_walker *w, plan_scope *s, const ast_node *st) {
  const char *name = st->u.param.name;
  const param_binding *b = w->params ? params_find(w->params, name) : NULL;
  pv v;
  if (b && b->value) v = plan_pv_known(value_ref(b->value));
  else if (st->u.param.def) v = plan_eval(w, s, st->u.param.def);
  else v = plan_pv_unknown(strdup(name));
  if (v.kind == PV_UNKNOWN && !v.secret) {
    free(v.sym);
    v.sym = strdup(name);
  }
  record_param(w, name, &v, b && b->given);
  if (!plan_scope_bind(s, name, v)) plan_walk_fail(w, "out of memory");
}

/* import "path" as alias: walks the library's top level once and binds the alias. */
static void pw_import(plan_walker *w, int unit, plan_scope *s, const ast_node *st) {
  int lib = plan_walk_unit_index(w, program_import(w->prog, &w->prog->units[unit], st));
  if (lib < 0) return;
  plan_walk_unit_globals(w, lib);
  pv m = {.kind = PV_MODULE, .unit = lib, .sym = strdup(st->u.import.alias)};
  if (!plan_scope_bind(s, st->u.import.alias, m)) plan_walk_fail(w, "out of memory");
}

/* Walks one top-level statement of unit `unit`; libraries contribute only lets and imports. */
static void pw_top(plan_walker *w, int unit, const ast_node *st) {
  plan_scope *s = &w->globals[unit];
  switch (st->kind) {
    case AST_PARAM: if (unit == 0) pw_param(w, s, st); break;
    case AST_RUNBOOK: if (unit == 0) pw_runbook(w, s, st); break;
    case AST_IMPORT: pw_import(w, unit, s, st); break;
    case AST_PROC: case AST_ON_FAILURE: case AST_FINALLY: break;
    case AST_LET: plan_walk_stmt(w, s, st); break;
    default: if (unit == 0) plan_walk_stmt(w, s, st); break;
  }
}

/* Walks the top level of unit `unit` once (lets, imports, params of the main file). */
void plan_walk_unit_globals(plan_walker *w, int unit) {
  if (unit < 0 || w->unit_done[unit]) return;
  w->unit_done[unit] = true;
  const ast_file *f = w->prog->units[unit].ast;
  if (!f) return;
  long parent = w->parent;
  int depth = w->depth, cond = w->cond_level;
  valbuf ctx = w->ctx;
  w->ctx = (valbuf){0};
  w->parent = -1;
  w->depth = w->cond_level = 0;
  for (size_t i = 0; i < f->stmts.len && !w->err; i++) pw_top(w, unit, f->stmts.items[i]);
  valbuf_free(&w->ctx);
  w->ctx = ctx;
  w->parent = parent;
  w->depth = depth;
  w->cond_level = cond;
}

/* Marks the top-level gates before the first mutating action as preconditions. */
static void mark_preconditions(plan_graph *g) {
  size_t first = g->len;
  for (size_t i = 0; i < g->len && first == g->len; i++)
    if (g->nodes[i].kind == PLAN_ACTION && g->nodes[i].mutating && g->nodes[i].when == PLAN_WHEN_SUCCESS) first = i;
  for (size_t i = 0; i < first; i++)
    if (g->nodes[i].kind == PLAN_GATE && g->nodes[i].parent < 0 && g->nodes[i].when == PLAN_WHEN_SUCCESS)
      g->nodes[i].precondition = true;
}

/* Walks the main file and its plan-level handlers; fills the critical path. */
static void walk_plan(plan_walker *w) {
  const ast_file *f = w->prog->units[0].ast;
  w->unit_done[0] = true;
  for (size_t i = 0; f && i < f->stmts.len && !w->err && !w->stop; i++) pw_top(w, 0, f->stmts.items[i]);
  plan_cost main = w->cost, on_failure, fin;
  w->cost = plan_cost_zero();
  plan_links success = w->pend;
  w->pend = w->failures;
  w->failures = (plan_links){0};
  plan_walk_plan_handlers(w, AST_ON_FAILURE, &on_failure);
  plan_links_extend(w, &w->pend, &success);
  plan_links_free(&success);
  plan_walk_plan_handlers(w, AST_FINALLY, &fin);
  plan_finish_critical(w->g, &main, &on_failure, &fin);
  mark_preconditions(w->g);
  plan_lock_add(w);
}

/* Releases the walker's own state (not the graph). */
static void walker_free(plan_walker *w) {
  for (size_t i = 0; w->globals && i < w->prog->len; i++) plan_scope_free(&w->globals[i]);
  free(w->globals);
  free(w->unit_done);
  for (size_t i = 0; i < w->nhandles; i++) {
    free(w->handles[i]->desc);
    free(w->handles[i]->ns);
    free(w->handles[i]->svc);
    free(w->handles[i]);
  }
  free(w->handles);
  free(w->lock_ns);
  valbuf_free(&w->ctx);
  valbuf_free(&w->step);
  plan_links_free(&w->pend);
  plan_links_free(&w->failures);
  plan_cost_free(&w->cost);
}

/* Prepares a walker over `prog` for graph g; false when out of memory. */
static bool walker_init(plan_walker *w, plan_graph *g, const rbk_program *prog, const param_set *params,
                        diag_list *diags) {
  *w = (plan_walker){.g = g, .prog = prog, .params = params, .diags = diags, .parent = -1};
  if (!g) return false;
  if (!prog->len) return true;
  w->globals = calloc(prog->len, sizeof *w->globals);
  w->unit_done = calloc(prog->len, sizeof *w->unit_done);
  if (!w->globals || !w->unit_done) return false;
  for (size_t i = 0; i < prog->len; i++) plan_scope_init(&w->globals[i], NULL, (int)i);
  return true;
}

/* Builds the graph of `prog` (borrowed; must outlive the graph) with params bound by `params` (defaults
 * are evaluated here). */
plan_graph *plan_build(const rbk_program *prog, const param_set *params, diag_list *diags, char **err) {
  plan_graph *g = plan_graph_new();
  plan_walker w;
  if (!walker_init(&w, g, prog, params, diags)) {
    plan_walk_fail(&w, "out of memory");
  } else if (prog->len) {
    if (prog->units[0].path) g->runbook.file = strdup(prog->units[0].path);
    walk_plan(&w);
  }
  walker_free(&w);
  if (!w.err) return g;
  *err = strdup(w.err);
  plan_free(g);
  return NULL;
}

/* Returns the value of `expr` when it is known without running anything (literals, operators, pure built-
 * ins, env(), file(); no params or lets are in scope), else NULL. */
rbk_value *plan_eval_const(void *prog, const ast_node *expr) {
  plan_graph *g = plan_graph_new();
  plan_walker w;
  rbk_value *v = NULL;
  if (walker_init(&w, g, prog, NULL, NULL) && ((const rbk_program *)prog)->len) {
    w.unit_done[0] = true;
    pv r = plan_eval(&w, &w.globals[0], expr);
    if (r.kind == PV_KNOWN && !w.err && g->len == 0) v = value_ref(r.val);
    plan_pv_free(&r);
  }
  walker_free(&w);
  plan_free(g);
  return v;
}
