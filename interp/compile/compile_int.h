/* compile_int.h — the compiler's private state, shared by compile.c (tables, names, units),
 * compile_expr.c (expressions, calls) and compile_stmt.c (statements, regions).
 *
 * Ownership: the compiler borrows the program and the AST and fills the vm_code it was given; constants
 * added to it are taken; err is the compiler's own string.
 */
#ifndef RBK_COMPILE_INT_H
#define RBK_COMPILE_INT_H

#include "compile.h"
#include "grow.h"

/* A name bound in a local scope. */
typedef struct {
  const char *name;
  int32_t slot;
} cscope_entry;

/* Names of one unit: globals (top-level lets and params), procs, import aliases. */
typedef struct {
  const program_unit *unit;
  VM_TABLE(const char *) globals;
  VM_TABLE(const ast_node *) procs;  /* PROC nodes */
  VM_TABLE(int32_t) proc_funcs;      /* funcs[] index of each proc */
  VM_TABLE(const char *) aliases;
  VM_TABLE(int32_t) alias_units;
} cunit;

typedef struct {
  const rbk_program *prog;
  vm_code *code;
  char *err;            /* the first error, "file:line:col: message" */
  cunit *units;
  size_t nunits;
  int32_t unit;         /* the unit being compiled */
  int32_t func;         /* the function being compiled */
  VM_TABLE(cscope_entry) scope;
  int tickers;          /* tickers started in the current block */
  int in_handler;       /* depth of on failure / finally bodies */
  int in_step;          /* depth of step and gate bodies (they name their failures themselves) */
  bool top_level;       /* compiling the statements of a unit's top level */
} compiler;

/* Grows a VM_TABLE to hold one more item; returns false when out of memory. */
#define VM_TABLE_GROW(t)                                                                        \
  GROW((t).items, (t).cap, (t).len + 1)

/* Records the first error at node's span (printf-style). */
void compile_fail(compiler *c, const ast_node *node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Returns the index of a new instruction. */
int32_t compile_emit(compiler *c, vm_opcode op, int32_t a, int32_t b, const ast_node *node);
/* Returns the index the next instruction will get. */
int32_t compile_here(const compiler *c);
/* Sets operand a of instruction `at` to `a`. */
void compile_patch_a(compiler *c, int32_t at, int32_t a);
/* Sets operand b of instruction `at` to `b`. */
void compile_patch_b(compiler *c, int32_t at, int32_t b);
/* Returns the index of constant v (taken), or -1 when out of memory. */
int32_t compile_add_const(compiler *c, rbk_value *v);
/* Emits CONST null. */
void compile_emit_null(compiler *c, const ast_node *node);

/* Returns a new local slot in the current function. */
int32_t compile_new_slot(compiler *c);
/* Binds `name` to a new slot in the innermost scope; returns the slot. */
int32_t compile_bind_local(compiler *c, const char *name);
/* Returns the scope depth (to pass to compile_scope_pop). */
size_t compile_scope_mark(const compiler *c);
/* Drops the names bound since `mark`. */
void compile_scope_pop(compiler *c, size_t mark);
/* Returns the local slot of `name`, or -1. */
int32_t compile_find_local(const compiler *c, const char *name);
/* Returns the global index of `name` in unit u, or -1. */
int32_t compile_find_global(const compiler *c, int32_t u, const char *name);
/* Returns the funcs[] index of proc `name` in unit u, or -1. */
int32_t compile_find_proc(const compiler *c, int32_t u, const char *name);
/* Returns the unit an import alias of the current unit names, or -1. */
int32_t compile_find_alias(const compiler *c, const char *name);

/* Compiles an expression: its value ends on the stack. */
void compile_expr(compiler *c, const ast_node *n);
/* Compiles an expression, or CONST null when n is NULL. */
void compile_expr_opt(compiler *c, const ast_node *n);
/* Compiles a condition for a check: a comparison keeps its operands (CMP). */
void compile_cond(compiler *c, const ast_node *n, vm_check_info *info);
/* Compiles the main file's top level into the main function. */
void compile_main(compiler *c);
/* Compiles an imported unit's initialiser. */
void compile_unit_init(compiler *c, int32_t u);
/* Compiles a proc's body into its function. */
void compile_proc(compiler *c, int32_t u, size_t i);

#endif
