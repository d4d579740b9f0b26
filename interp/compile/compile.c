/* compile.c — the compiler's driver: tables, instructions, scopes, units and procs (see
 * compile.h). Expressions are in compile_expr.c, statements in compile_stmt.c. */
#include "compile_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records the first error, prefixed with the node's location. */
void compile_fail(compiler *c, const ast_node *node, const char *fmt, ...) {
  if (c->err) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const rbk_span *s = node ? &node->span : NULL;
  size_t n = strlen(msg) + 300;
  c->err = malloc(n);
  if (!c->err) return;
  if (s && s->src)
    snprintf(c->err, n, "%s:%d:%d: %s", s->src->path, s->line, s->col, msg);
  else
    snprintf(c->err, n, "%s", msg);
}

/* Returns the index of a new instruction (-1 when out of memory). */
int32_t compile_emit(compiler *c, vm_opcode op, int32_t a, int32_t b, const ast_node *node) {
  if (!VM_TABLE_GROW(c->code->code)) {
    compile_fail(c, node, "out of memory");
    return -1;
  }
  c->code->code.items[c->code->code.len] = (vm_insn){(uint8_t)op, a, b, node};
  return (int32_t)c->code->code.len++;
}

/* Returns the next instruction's index. */
int32_t compile_here(const compiler *c) { return (int32_t)c->code->code.len; }

/* Sets operand a of an instruction. */
void compile_patch_a(compiler *c, int32_t at, int32_t a) {
  if (at >= 0) c->code->code.items[at].a = a;
}

/* Sets operand b of an instruction. */
void compile_patch_b(compiler *c, int32_t at, int32_t b) {
  if (at >= 0) c->code->code.items[at].b = b;
}

/* Returns the index of constant v (taken). */
int32_t compile_add_const(compiler *c, rbk_value *v) {
  if (!v || !VM_TABLE_GROW(c->code->consts)) {
    value_unref(v);
    compile_fail(c, NULL, "out of memory");
    return -1;
  }
  c->code->consts.items[c->code->consts.len] = v;
  return (int32_t)c->code->consts.len++;
}

/* Emits CONST null. */
void compile_emit_null(compiler *c, const ast_node *node) { compile_emit(c, OPC_CONST, compile_add_const(c, value_null()), 0, node); }

/* Returns a new local slot of the current function. */
int32_t compile_new_slot(compiler *c) { return c->code->funcs.items[c->func].nlocals++; }

/* Binds name to a new slot. */
int32_t compile_bind_local(compiler *c, const char *name) {
  int32_t slot = compile_new_slot(c);
  if (!VM_TABLE_GROW(c->scope)) {
    compile_fail(c, NULL, "out of memory");
    return slot;
  }
  c->scope.items[c->scope.len++] = (cscope_entry){name, slot};
  return slot;
}

/* Returns the scope depth. */
size_t compile_scope_mark(const compiler *c) { return c->scope.len; }

/* Drops names bound since mark. */
void compile_scope_pop(compiler *c, size_t mark) { c->scope.len = mark; }

/* Returns the local slot of name, innermost first, or -1. */
int32_t compile_find_local(const compiler *c, const char *name) {
  for (size_t i = c->scope.len; i-- > 0;)
    if (!strcmp(c->scope.items[i].name, name)) return c->scope.items[i].slot;
  return -1;
}

/* Returns the global index of name in unit u, or -1. */
int32_t compile_find_global(const compiler *c, int32_t u, const char *name) {
  const cunit *cu = &c->units[u];
  for (size_t i = 0; i < cu->globals.len; i++)
    if (!strcmp(cu->globals.items[i], name)) return (int32_t)i;
  return -1;
}

/* Returns the funcs[] index of proc name in unit u, or -1. */
int32_t compile_find_proc(const compiler *c, int32_t u, const char *name) {
  const cunit *cu = &c->units[u];
  for (size_t i = 0; i < cu->procs.len; i++)
    if (!strcmp(cu->procs.items[i]->u.proc.name, name)) return cu->proc_funcs.items[i];
  return -1;
}

/* Returns the unit named by an import alias of the current unit, or -1. */
int32_t compile_find_alias(const compiler *c, const char *name) {
  const cunit *cu = &c->units[c->unit];
  for (size_t i = 0; i < cu->aliases.len; i++)
    if (!strcmp(cu->aliases.items[i], name)) return cu->alias_units.items[i];
  return -1;
}

/* Returns the index of unit `u` in the program, or -1. */
static int32_t unit_index(const rbk_program *prog, const program_unit *u) {
  for (size_t i = 0; i < prog->len; i++)
    if (&prog->units[i] == u) return (int32_t)i;
  return -1;
}

/* Returns the funcs[] index of a new function. */
static int32_t new_func(compiler *c, const char *name, const ast_node *node, int32_t unit) {
  if (!VM_TABLE_GROW(c->code->funcs)) {
    compile_fail(c, node, "out of memory");
    return 0;
  }
  vm_func *f = &c->code->funcs.items[c->code->funcs.len];
  *f = (vm_func){.name = name, .node = node, .entry = -1, .unit = unit};
  return (int32_t)c->code->funcs.len++;
}

/* Declares a proc of unit u: its function and parameter names. */
static void declare_proc(compiler *c, int32_t u, const ast_node *proc) {
  cunit *cu = &c->units[u];
  int32_t f = new_func(c, proc->u.proc.name, proc, u);
  if (c->err || !VM_TABLE_GROW(cu->procs) || !VM_TABLE_GROW(cu->proc_funcs)) return compile_fail(c, proc, "out of memory");
  cu->procs.items[cu->procs.len++] = proc;
  cu->proc_funcs.items[cu->proc_funcs.len++] = f;
  vm_func *fn = &c->code->funcs.items[f];
  size_t n = proc->u.proc.params.len;
  fn->nparams = fn->nlocals = (int32_t)n;
  fn->params = calloc(n + 1, sizeof *fn->params);
  fn->has_default = calloc(n + 1, sizeof *fn->has_default);
  if (!fn->params || !fn->has_default) return compile_fail(c, proc, "out of memory");
  for (size_t i = 0; i < n; i++) {
    fn->params[i] = proc->u.proc.params.items[i]->u.param.name;
    fn->has_default[i] = proc->u.proc.params.items[i]->u.param.def != NULL;
  }
}

/* Records a top-level name of unit u as a global. */
static void declare_global(compiler *c, int32_t u, const char *name, const ast_node *at) {
  cunit *cu = &c->units[u];
  if (compile_find_global(c, u, name) >= 0) return;
  if (!VM_TABLE_GROW(cu->globals)) return compile_fail(c, at, "out of memory");
  cu->globals.items[cu->globals.len++] = name;
}

/* Records an import alias of unit u. */
static void declare_alias(compiler *c, int32_t u, const ast_node *imp) {
  cunit *cu = &c->units[u];
  int32_t target = unit_index(c->prog, program_import(c->prog, cu->unit, imp));
  if (target < 0) return compile_fail(c, imp, "import '%s' was not loaded", imp->u.import.alias);
  if (!VM_TABLE_GROW(cu->aliases) || !VM_TABLE_GROW(cu->alias_units)) return compile_fail(c, imp, "out of memory");
  cu->aliases.items[cu->aliases.len++] = imp->u.import.alias;
  cu->alias_units.items[cu->alias_units.len++] = target;
}

/* Collects the names of every unit's top level. */
static void declare_units(compiler *c) {
  for (size_t u = 0; u < c->nunits; u++) {
    const ast_file *f = c->units[u].unit->ast;
    for (size_t i = 0; f && i < f->stmts.len; i++) {
      const ast_node *s = f->stmts.items[i];
      if (s->kind == AST_PROC) declare_proc(c, (int32_t)u, s);
      else if (s->kind == AST_LET) declare_global(c, (int32_t)u, s->u.let.name, s);
      else if (s->kind == AST_PARAM) declare_global(c, (int32_t)u, s->u.param.name, s);
      else if (s->kind == AST_IMPORT) declare_alias(c, (int32_t)u, s);
    }
  }
}

/* Fills code->units from the compiler's units and makes their initialiser functions. */
static void make_unit_infos(compiler *c) {
  vm_code *code = c->code;
  code->nunits = c->nunits;
  code->units = calloc(c->nunits, sizeof *code->units);
  if (!code->units) return compile_fail(c, NULL, "out of memory");
  for (size_t u = 0; u < c->nunits; u++) {
    vm_unit_info *ui = &code->units[u];
    ui->path = c->units[u].unit->path;
    ui->nglobals = (int32_t)c->units[u].globals.len;
    ui->globals = c->units[u].globals.items;
    ui->init = u == 0 ? -1 : new_func(c, ui->path, NULL, (int32_t)u);
  }
  code->main_func = new_func(c, "<main>", NULL, 0);
}

/* Compiles every function of the program. */
static void compile_all(compiler *c) {
  for (size_t u = 0; u < c->nunits && !c->err; u++) {
    for (size_t i = 0; i < c->units[u].procs.len; i++) compile_proc(c, (int32_t)u, i);
    if (u > 0) compile_unit_init(c, (int32_t)u);
  }
  if (!c->err) compile_main(c);
}

/* Frees the compiler's own tables (the unit name tables move into the code). */
static void compiler_free(compiler *c) {
  for (size_t u = 0; u < c->nunits; u++) {
    free(c->units[u].procs.items);
    free(c->units[u].proc_funcs.items);
    free(c->units[u].aliases.items);
    free(c->units[u].alias_units.items);
    if (!c->code || !c->code->units) free(c->units[u].globals.items);
  }
  free(c->units);
  free(c->scope.items);
}

/* Returns the compiled program, or NULL with *err set. */
vm_code *compile_program(const rbk_program *prog, char **err) {
  compiler c = {.prog = prog, .nunits = prog->len};
  c.code = calloc(1, sizeof *c.code);
  c.units = calloc(prog->len ? prog->len : 1, sizeof *c.units);
  if (!c.code || !c.units || !prog->len || !prog->units[0].ast) {
    *err = strdup(prog->len && !prog->units[0].ast ? "the plan could not be read" : "out of memory");
    free(c.units);
    free(c.code);
    return NULL;
  }
  c.code->deadline_ms = -1;
  for (size_t u = 0; u < prog->len; u++) c.units[u].unit = &prog->units[u];
  declare_units(&c);
  if (!c.err) make_unit_infos(&c);
  if (!c.err) compile_all(&c);
  compiler_free(&c);
  if (c.err) {
    *err = c.err;
    compile_code_free(c.code);
    return NULL;
  }
  return c.code;
}

/* Frees the code. */
void compile_code_free(vm_code *code) {
  if (!code) return;
  for (size_t i = 0; i < code->consts.len; i++) value_unref(code->consts.items[i]);
  for (size_t i = 0; i < code->calls.len; i++) free(code->calls.items[i].names);
  for (size_t i = 0; i < code->funcs.len; i++) {
    free(code->funcs.items[i].params);
    free(code->funcs.items[i].has_default);
  }
  for (size_t i = 0; i < code->branches.len; i++) free(code->branches.items[i].pcs);
  for (size_t i = 0; i < code->checks.len; i++) {
    free(code->checks.items[i].source);
    free(code->checks.items[i].lhs);
    free(code->checks.items[i].rhs);
  }
  for (size_t u = 0; u < code->nunits; u++) free(code->units[u].globals);
  free(code->units);
  free(code->code.items);
  free(code->consts.items);
  free(code->regions.items);
  free(code->calls.items);
  free(code->funcs.items);
  free(code->lambdas.items);
  free(code->branches.items);
  free(code->checks.items);
  free(code->tickers.items);
  free(code->approves.items);
  free((void *)code->params);
  free(code->title);
  free(code);
}

/* Returns the source text of node's span (caller frees), or NULL. */
char *compile_span_text(const ast_node *node) {
  const rbk_span *s = &node->span;
  size_t l1 = 0, l2 = 0;
  const char *a = s->src ? source_line(s->src, s->line, &l1) : NULL;
  const char *b = s->src ? source_line(s->src, s->end_line, &l2) : NULL;
  if (!a || !b || s->col < 1 || s->end_col < 1) return NULL;
  const char *start = a + s->col - 1;
  const char *end = b + (size_t)s->end_col <= b + l2 ? b + s->end_col : b + l2;
  if (end < start) return NULL;
  return strndup(start, (size_t)(end - start));
}
