/* compile_stmt.c — statements, regions, procs and top levels to bytecode (see compile.h). */
#include "compile_int.h"

#include <stdlib.h>
#include <string.h>

static void compile_stmt(compiler *c, const ast_node *n);

/* Returns the index of a new region record of `kind` for node. */
static int32_t new_region(compiler *c, vm_region_kind kind, const ast_node *node) {
  if (!VM_TABLE_GROW(c->code->regions)) {
    compile_fail(c, node, "out of memory");
    return 0;
  }
  c->code->regions.items[c->code->regions.len] =
      (vm_region_info){kind, node, -1, -1, -1, -1, -1, -1, false};
  return (int32_t)c->code->regions.len++;
}

/* Returns the region record r (valid until the next new_region). */
static vm_region_info *region(compiler *c, int32_t r) { return &c->code->regions.items[r]; }

/* Returns the index of a check record (info taken). */
static int32_t add_check(compiler *c, vm_check_info info) {
  if (!VM_TABLE_GROW(c->code->checks)) {
    free(info.source);
    free(info.lhs);
    free(info.rhs);
    compile_fail(c, NULL, "out of memory");
    return 0;
  }
  c->code->checks.items[c->code->checks.len] = info;
  return (int32_t)c->code->checks.len++;
}

/* Returns true for on failure / finally blocks. */
static bool is_handler(const ast_node *s) { return s->kind == AST_ON_FAILURE || s->kind == AST_FINALLY; }

/* Stops the tickers started since `saved`, restoring the count. */
static void stop_tickers(compiler *c, int saved) {
  for (; c->tickers > saved; c->tickers--) compile_emit(c, OPC_TICKER_STOP, 0, 0, NULL);
}

/* Compiles statements of `stmts` except handlers (in the current scope). */
static void cstmts(compiler *c, const ast_list *stmts) {
  for (size_t i = 0; i < stmts->len && !c->err; i++)
    if (!is_handler(stmts->items[i])) compile_stmt(c, stmts->items[i]);
}

/* Compiles a block in a new scope, stopping its tickers at its end. */
static void compile_block(compiler *c, const ast_node *block) {
  size_t mark = compile_scope_mark(c);
  int saved = c->tickers;
  if (block->kind == AST_BLOCK) cstmts(c, &block->u.block.stmts);
  else compile_stmt(c, block);
  stop_tickers(c, saved);
  compile_scope_pop(c, mark);
}

/* Compiles every handler of `kind` in stmts (in source order) followed by HANDLER_END; returns
 * its first instruction, or -1 when there is none. */
static int32_t chandlers(compiler *c, const ast_list *stmts, ast_kind kind, int32_t r) {
  int32_t start = -1;
  c->in_handler++;
  for (size_t i = 0; i < stmts->len; i++) {
    if (stmts->items[i]->kind != kind) continue;
    if (start < 0) start = compile_here(c);
    compile_block(c, stmts->items[i]->u.handler.body);
  }
  c->in_handler--;
  if (start >= 0) compile_emit(c, OPC_HANDLER_END, r, 0, NULL);
  return start;
}

/* Ends the body of region r (stopping the tickers started since `saved`): BODY_OK, then the
 * handlers among stmts and EXIT, whose pcs go in the region. */
static void cregion_end(compiler *c, int32_t r, const ast_list *stmts, int saved, const ast_node *node) {
  stop_tickers(c, saved);
  compile_emit(c, OPC_BODY_OK, r, 0, node);
  int32_t onfail = chandlers(c, stmts, AST_ON_FAILURE, r);
  int32_t fin = chandlers(c, stmts, AST_FINALLY, r);
  region(c, r)->onfail_pc = onfail;
  region(c, r)->finally_pc = fin;
  region(c, r)->exit_pc = compile_emit(c, OPC_EXIT, r, 0, node);
}

/* Compiles the body and handlers of a plan or step region r: ATTEMPT … EXIT. */
static void cregion_body(compiler *c, int32_t r, const ast_list *stmts, const ast_node *node) {
  region(c, r)->attempt_pc = compile_emit(c, OPC_ATTEMPT, r, 0, node);
  int saved = c->tickers;
  cstmts(c, stmts);
  cregion_end(c, r, stmts, saved, node);
}

/* step "title" [timeout D] [retry N [backoff D]] { … } */
static void cstep(compiler *c, const ast_node *n) {
  compile_expr(c, n->u.step.title);
  compile_expr_opt(c, n->u.step.opt->timeout);
  compile_expr_opt(c, n->u.step.opt->retry);
  compile_expr_opt(c, n->u.step.opt->backoff);
  int32_t r = new_region(c, REG_STEP, n);
  if (!c->in_handler) region(c, r)->step_index = c->code->nsteps++;
  compile_emit(c, OPC_ENTER, r, 0, n);
  size_t mark = compile_scope_mark(c);
  c->in_step++;
  cregion_body(c, r, &n->u.step.body->u.block.stmts, n);
  c->in_step--;
  compile_scope_pop(c, mark);
}

/* gate "title" [every D] [timeout D] [recheck B] { … } */
static void cgate(compiler *c, const ast_node *n) {
  compile_expr(c, n->u.gate.title);
  compile_expr_opt(c, n->u.gate.opt->every);
  compile_expr_opt(c, n->u.gate.opt->timeout);
  int32_t r = new_region(c, REG_GATE, n);
  region(c, r)->recheck = n->u.gate.opt->recheck && n->u.gate.opt->recheck->u.lit.b;
  compile_emit(c, OPC_ENTER, r, 0, n);
  region(c, r)->attempt_pc = compile_emit(c, OPC_ATTEMPT, r, 0, n);
  c->in_step++;
  compile_block(c, n->u.gate.body);
  c->in_step--;
  compile_emit(c, OPC_BODY_OK, r, 0, n);
  region(c, r)->exit_pc = compile_emit(c, OPC_EXIT, r, 0, n);
}

/* wait until cond [every D] [timeout D] */
static void cwait_until(compiler *c, const ast_node *n) {
  compile_expr_opt(c, n->u.wait.every);
  compile_expr_opt(c, n->u.wait.timeout);
  int32_t r = new_region(c, REG_WAITU, n);
  compile_emit(c, OPC_ENTER, r, 0, n);
  region(c, r)->attempt_pc = compile_emit(c, OPC_ATTEMPT, r, 0, n);
  vm_check_info info = {.node = n};
  compile_cond(c, n->u.wait.cond, &info);
  region(c, r)->check = add_check(c, info);
  compile_emit(c, OPC_WAITU_TEST, r, 0, n);
  region(c, r)->exit_pc = compile_emit(c, OPC_EXIT, r, 0, n);
}

/* assert / expect cond[, message] */
static void ccheck(compiler *c, const ast_node *n) {
  vm_check_info info = {.node = n};
  compile_cond(c, n->u.check.cond, &info);
  int32_t k = add_check(c, info);
  int32_t jump = compile_emit(c, OPC_CHECK, k, -1, n);
  compile_expr_opt(c, n->u.check.message);
  compile_emit(c, OPC_CHECK_FAIL, k, 0, n);
  compile_patch_b(c, jump, compile_here(c));
}

/* notify ch, … [every D] message */
static void cnotify(compiler *c, const ast_node *n) {
  const ast_list *chans = &n->u.notify.channels;
  if (!n->u.notify.every) {
    for (size_t i = 0; i < chans->len; i++) compile_expr(c, chans->items[i]);
    compile_expr(c, n->u.notify.message);
    compile_emit(c, OPC_NOTIFY, (int32_t)chans->len, 0, n);
    return;
  }
  compile_expr(c, n->u.notify.every);
  int32_t slot = compile_new_slot(c);
  compile_emit(c, OPC_STORE, slot, 0, n);
  if (!VM_TABLE_GROW(c->code->tickers)) return compile_fail(c, n, "out of memory");
  int32_t t = (int32_t)c->code->tickers.len++;
  compile_emit(c, OPC_TICKER_START, t, 0, n);
  c->tickers++;
  int32_t skip = compile_emit(c, OPC_JUMP, -1, 0, n);
  int32_t body = compile_here(c);
  compile_emit(c, OPC_LOAD, slot, 0, n);
  compile_emit(c, OPC_WAIT, 0, 1, n);
  for (size_t i = 0; i < chans->len; i++) compile_expr(c, chans->items[i]);
  compile_expr(c, n->u.notify.message);
  compile_emit(c, OPC_NOTIFY, (int32_t)chans->len, 1, n);
  compile_emit(c, OPC_JUMP, body, 0, n);
  compile_patch_a(c, skip, compile_here(c));
  c->code->tickers.items[t] = (vm_ticker_info){n, body, slot};
}

/* Returns the index of a new branch record for node. */
static int32_t new_branches(compiler *c, const ast_node *node, vm_branch_info info) {
  if (!VM_TABLE_GROW(c->code->branches)) {
    free(info.pcs);
    compile_fail(c, node, "out of memory");
    return 0;
  }
  info.node = node;
  c->code->branches.items[c->code->branches.len] = info;
  return (int32_t)c->code->branches.len++;
}

/* parallel [max N] { s1; s2; … }: each statement runs as a child task. */
static void cparallel(compiler *c, const ast_node *n) {
  const ast_list *stmts = &n->u.parallel.body->u.block.stmts;
  compile_expr_opt(c, n->u.parallel.max);
  int32_t *pcs = calloc(stmts->len + 1, sizeof *pcs);
  if (!pcs) return compile_fail(c, n, "out of memory");
  int32_t b = new_branches(c, n, (vm_branch_info){.n = (int32_t)stmts->len, .pcs = pcs});
  compile_emit(c, OPC_PARALLEL, b, 0, n);
  int32_t skip = compile_emit(c, OPC_JUMP, -1, 0, n);
  for (size_t i = 0; i < stmts->len && !c->err; i++) {
    c->code->branches.items[b].pcs[i] = compile_here(c);
    compile_block(c, stmts->items[i]);
    compile_emit(c, OPC_TASK_END, 0, 0, stmts->items[i]);
  }
  compile_patch_a(c, skip, compile_here(c));
}

/* parallel for x in list [max N] { … }: one child task per element (`collect`: the value of a let;
 * PARFOR pushes the list of what the branches returned). */
static void cparallel_for(compiler *c, const ast_node *n, bool collect) {
  compile_expr(c, n->u.loop.iter);
  compile_expr_opt(c, n->u.loop.max);
  size_t mark = compile_scope_mark(c);
  int32_t var = compile_bind_local(c, n->u.loop.var);
  int32_t b = new_branches(c, n, (vm_branch_info){.var = var, .collect = collect});
  compile_emit(c, OPC_PARFOR, b, 0, n);
  int32_t skip = compile_emit(c, OPC_JUMP, -1, 0, n);
  c->code->branches.items[b].body = compile_here(c);
  compile_block(c, n->u.loop.body);
  compile_emit(c, OPC_TASK_END, 0, 0, n);
  compile_scope_pop(c, mark);
  compile_patch_a(c, skip, compile_here(c));
}

/* for x in list { … } */
static void cfor(compiler *c, const ast_node *n) {
  compile_expr(c, n->u.loop.iter);
  compile_emit(c, OPC_FOR_START, 0, 0, n);
  size_t mark = compile_scope_mark(c);
  int32_t var = compile_bind_local(c, n->u.loop.var);
  int32_t top = compile_emit(c, OPC_FOR_NEXT, var, -1, n);
  compile_block(c, n->u.loop.body);
  compile_emit(c, OPC_JUMP, top, 0, n);
  compile_scope_pop(c, mark);
  compile_patch_b(c, top, compile_here(c));
}

/* if c { … } else if … else { … } */
static void cif(compiler *c, const ast_node *n) {
  compile_expr(c, n->u.if_.cond);
  int32_t jfalse = compile_emit(c, OPC_JUMP_FALSE, -1, 0, n->u.if_.cond);
  compile_block(c, n->u.if_.then);
  if (!n->u.if_.els) {
    compile_patch_a(c, jfalse, compile_here(c));
    return;
  }
  int32_t jend = compile_emit(c, OPC_JUMP, -1, 0, n);
  compile_patch_a(c, jfalse, compile_here(c));
  compile_block(c, n->u.if_.els);
  compile_patch_a(c, jend, compile_here(c));
}

/* approve "question" [from "role"] [timeout D] */
static void capprove(compiler *c, const ast_node *n) {
  compile_expr(c, n->u.approve.question);
  compile_expr_opt(c, n->u.approve.from);
  compile_expr_opt(c, n->u.approve.timeout);
  if (!VM_TABLE_GROW(c->code->approves)) return compile_fail(c, n, "out of memory");
  c->code->approves.items[c->code->approves.len] = n;
  compile_emit(c, OPC_APPROVE, (int32_t)c->code->approves.len++, 0, n);
}

/* Compiles a let: the value, then a new local (or the unit's global at top level). */
static void clet(compiler *c, const ast_node *n) {
  bool top = c->top_level;
  c->top_level = false;
  if (n->u.let.value->kind == AST_PARALLEL_FOR) cparallel_for(c, n->u.let.value, true);
  else compile_expr(c, n->u.let.value);
  c->top_level = top;
  if (c->top_level) {
    compile_emit(c, OPC_GSTORE, c->unit, compile_find_global(c, c->unit, n->u.let.name), n);
    return;
  }
  compile_emit(c, OPC_STORE, compile_bind_local(c, n->u.let.name), 0, n);
}

/* Compiles one statement. */
static void compile_stmt(compiler *c, const ast_node *n) {
  if (c->err) return;
  bool top = c->top_level;
  if (!c->in_step && !c->in_handler) compile_emit(c, OPC_STMT, 0, 0, n);
  if (n->kind != AST_LET) c->top_level = false;
  switch (n->kind) {
    case AST_LET: clet(c, n); break;
    case AST_EXPR_STMT: compile_expr(c, n->u.expr_stmt.expr); compile_emit(c, OPC_POP, 0, 0, n); break;
    case AST_STEP: cstep(c, n); break;
    case AST_PARALLEL: cparallel(c, n); break;
    case AST_PARALLEL_FOR: cparallel_for(c, n, false); break;
    case AST_FOR: cfor(c, n); break;
    case AST_IF: cif(c, n); break;
    case AST_GATE: cgate(c, n); break;
    case AST_APPROVE: capprove(c, n); break;
    case AST_WAIT: compile_expr(c, n->u.wait.duration); compile_emit(c, OPC_WAIT, 0, 0, n); break;
    case AST_WAIT_UNTIL: cwait_until(c, n); break;
    case AST_ASSERT: case AST_EXPECT: ccheck(c, n); break;
    case AST_NOTIFY: cnotify(c, n); break;
    case AST_ABORT: compile_expr(c, n->u.abort.reason); compile_emit(c, OPC_ABORT, 0, 0, n); break;
    case AST_RETURN: compile_expr(c, n->u.ret.value); compile_emit(c, OPC_RET, 0, 0, n); break;
    case AST_BLOCK: compile_block(c, n); break;
    case AST_ON_FAILURE: case AST_FINALLY:
      compile_fail(c, n, "'%s' belongs at top level or at the end of a step", ast_kind_name(n->kind));
      break;
    default: compile_fail(c, n, "a %s cannot appear here", ast_kind_name(n->kind)); break;
  }
  c->top_level = top;
}

/* Compiles a proc's parameter defaults and body into its function. */
void compile_proc(compiler *c, int32_t u, size_t i) {
  const ast_node *proc = c->units[u].procs.items[i];
  c->unit = u;
  c->func = c->units[u].proc_funcs.items[i];
  c->scope.len = 0;
  c->top_level = false;
  c->code->funcs.items[c->func].entry = compile_here(c);
  c->code->funcs.items[c->func].nlocals = 0;
  const ast_list *params = &proc->u.proc.params;
  for (size_t p = 0; p < params->len; p++) compile_bind_local(c, params->items[p]->u.param.name);
  for (size_t p = 0; p < params->len; p++) {
    const ast_node *def = params->items[p]->u.param.def;
    if (!def) continue;
    int32_t skip = compile_emit(c, OPC_PARAM_DEFAULT, (int32_t)p, -1, params->items[p]);
    compile_expr(c, def);
    if (params->items[p]->u.param.type != TYPE_ANY) compile_emit(c, OPC_PARAM_TYPE, (int32_t)p, 0, def);
    compile_emit(c, OPC_STORE, (int32_t)p, 0, params->items[p]);
    compile_patch_b(c, skip, compile_here(c));
  }
  compile_block(c, proc->u.proc.body);
  compile_emit(c, OPC_RET_NULL, 0, 0, proc);
}

/* Compiles an imported unit's initialiser: its imports and lets, in order. */
void compile_unit_init(compiler *c, int32_t u) {
  c->unit = u;
  c->func = c->code->units[u].init;
  c->scope.len = 0;
  c->code->funcs.items[c->func].entry = compile_here(c);
  const ast_list *stmts = &c->units[u].unit->ast->stmts;
  for (size_t i = 0; i < stmts->len && !c->err; i++) {
    const ast_node *s = stmts->items[i];
    c->top_level = true;
    if (s->kind == AST_IMPORT) compile_emit(c, OPC_IMPORT, compile_find_alias(c, s->u.import.alias), 0, s);
    else if (s->kind == AST_LET) clet(c, s);
    else if (s->kind == AST_PARAM && s->u.param.def) {
      compile_expr(c, s->u.param.def);
      compile_emit(c, OPC_GSTORE, u, compile_find_global(c, u, s->u.param.name), s);
    }
  }
  c->top_level = false;
  compile_emit(c, OPC_RET_NULL, 0, 0, NULL);
}

/* Returns the runbook field `key`'s value node, or NULL. */
static const ast_node *runbook_field(const ast_node *rb, const char *key) {
  for (size_t i = 0; rb && i < rb->u.runbook.fields.len; i++)
    if (!strcmp(rb->u.runbook.fields.items[i]->u.field.key, key)) return rb->u.runbook.fields.items[i]->u.field.value;
  return NULL;
}

/* Reads the runbook's deadline and title. */
static void cmain_runbook(compiler *c) {
  const ast_node *rb = program_runbook(c->prog);
  const ast_node *deadline = runbook_field(rb, "deadline");
  if (deadline && deadline->kind == AST_DURATION_LIT) c->code->deadline_ms = deadline->u.lit.i;
  const ast_node *title = runbook_field(rb, "title");
  const char *text = NULL;
  if (title && title->kind == AST_STRING && ast_string_is_plain(title, &text)) c->code->title = strdup(text ? text : "");
  else if (rb && ast_string_is_plain(rb->u.runbook.id, &text)) c->code->title = strdup(text ? text : "");
}

/* Compiles the binding of every main param (in declaration order). */
static void cmain_params(compiler *c, const ast_list *stmts) {
  size_t n = 0;
  for (size_t i = 0; i < stmts->len; i++) n += stmts->items[i]->kind == AST_PARAM;
  const ast_node **params = calloc(n + 1, sizeof *params);
  if (!params) return compile_fail(c, NULL, "out of memory");
  c->code->params = params;
  for (size_t i = 0; i < stmts->len; i++) {
    const ast_node *s = stmts->items[i];
    if (s->kind != AST_PARAM) continue;
    int32_t g = compile_find_global(c, 0, s->u.param.name);
    compile_emit(c, OPC_STMT, 0, 0, s);
    params[c->code->nparams] = s;
    compile_emit(c, OPC_BIND_PARAM, (int32_t)c->code->nparams++, g, s);
    int32_t skip = compile_emit(c, OPC_JUMP, -1, 0, s);
    if (s->u.param.def) compile_expr(c, s->u.param.def);
    else compile_emit_null(c, s);
    compile_emit(c, OPC_GSTORE, 0, g, s);
    compile_patch_a(c, skip, compile_here(c));
  }
}

/* Compiles the main file's top level: params, imports, lets and statements inside the plan
 * region, whose handlers are the top-level on failure / finally blocks. */
void compile_main(compiler *c) {
  c->unit = 0;
  c->func = c->code->main_func;
  c->scope.len = 0;
  c->code->funcs.items[c->func].entry = compile_here(c);
  cmain_runbook(c);
  const ast_list *stmts = &c->units[0].unit->ast->stmts;
  int32_t r = new_region(c, REG_PLAN, NULL);
  compile_emit(c, OPC_ENTER, r, 0, NULL);
  region(c, r)->attempt_pc = compile_emit(c, OPC_ATTEMPT, r, 0, NULL);
  cmain_params(c, stmts);
  int saved = c->tickers;
  for (size_t i = 0; i < stmts->len && !c->err; i++) {
    const ast_node *s = stmts->items[i];
    c->top_level = true;
    if (s->kind == AST_IMPORT || s->kind == AST_LET) compile_emit(c, OPC_STMT, 0, 0, s);
    if (s->kind == AST_IMPORT) compile_emit(c, OPC_IMPORT, compile_find_alias(c, s->u.import.alias), 0, s);
    else if (s->kind == AST_LET) clet(c, s);
    else if (s->kind != AST_PARAM && s->kind != AST_PROC && s->kind != AST_RUNBOOK && !is_handler(s)) compile_stmt(c, s);
  }
  c->top_level = false;
  cregion_end(c, r, stmts, saved, NULL);
  compile_emit(c, OPC_TASK_END, 0, 0, NULL);
}
