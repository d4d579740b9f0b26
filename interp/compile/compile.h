/* compile.h — the executable form of a program: bytecode for the engine's tasks.
 *
 * One code array holds every function: the main file's top level, each proc, each imported
 * unit's initialiser, and (out of line) lambda bodies, parallel branches and `notify every`
 * tickers. Instructions work on one value stack per task; locals live in the frame of the
 * function that declares them (block lets, loop variables, lambda parameters each get their own
 * slot); top-level lets and params are globals of their unit. Statements that can fail or time
 * out (the plan, steps, gates, wait until) open a region (vm_region_info) that the engine's
 * unwinder consults. Nothing compile_here runs: vm*.c executes it.
 *
 * Ownership: a vm_code owns its instructions, constants and tables; it borrows the AST nodes it
 * points at (the program must outlive it).
 */
#ifndef RBK_COMPILE_H
#define RBK_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ast.h"
#include "opcodes.h"
#include "program.h"
#include "sig.h"
#include "value.h"

typedef struct {
  uint8_t op;
  int32_t a, b;
  const ast_node *node; /* the source of this instruction: errors name its span */
} vm_insn;

/* Region kinds: statements with an attempt loop, handlers and a closing event. */
#define RBK_REGION_KINDS(X) X(PLAN, "plan") X(STEP, "step") X(GATE, "gate") X(WAITU, "wait until")

typedef enum {
#define X(k, name) REG_##k,
  RBK_REGION_KINDS(X)
#undef X
} vm_region_kind;

typedef struct {
  vm_region_kind kind;
  const ast_node *node;             /* the STEP/GATE/WAIT_UNTIL statement; NULL for the plan */
  int32_t attempt_pc;               /* its ATTEMPT instruction */
  int32_t onfail_pc, finally_pc;    /* handler code, -1 when none */
  int32_t exit_pc;                  /* its EXIT instruction */
  int32_t step_index;               /* STEP: 0, 1, … over the plan's steps (progress) */
  int32_t check;                    /* WAITU: checks[] entry describing the condition */
  bool recheck;                     /* GATE: `recheck true`: judged again on resume even when it
                                       passed before a mutation of the interrupted run */
} vm_region_info;

/* What a CALL calls. */
#define RBK_CALL_KINDS(X)                                                                       \
  X(BUILTIN, "a pure, environment or runtime built-in (builtins_call)")                         \
  X(CTOR, "a global constructor: kube(), http(), slack(), …")                                   \
  X(ACTION, "a global action: run(), write_file()")                                             \
  X(METHOD, "a method on a handle, resolved by the handle's kind at run time")                  \
  X(PROC, "a proc")

typedef enum {
#define X(k, doc) CALL_##k,
  RBK_CALL_KINDS(X)
#undef X
} vm_call_kind;

typedef struct {
  vm_call_kind kind;
  const ast_node *node;  /* the CALL node */
  const sig_info *sig;   /* BUILTIN, CTOR, ACTION */
  const char *method;    /* METHOD: the name (borrowed from the AST) */
  int32_t func;          /* PROC: funcs[] index */
  int32_t nargs;         /* arguments on the stack (after the receiver, for methods) */
  const char **names;    /* nargs entries: the argument's name, NULL when positional (borrowed) */
} vm_call_info;

typedef struct {
  const char *name;      /* proc name; "<main>", "<init path>" */
  const ast_node *node;  /* PROC node, or NULL */
  int32_t entry;         /* first instruction */
  int32_t nlocals;       /* slots; parameters are 0 … nparams-1 */
  int32_t nparams;
  const char **params;   /* parameter names (borrowed) */
  bool *has_default;     /* per parameter */
  int32_t unit;          /* the unit whose globals it reads */
} vm_func;

typedef struct {
  int32_t body;          /* first instruction of the body */
  int32_t param;         /* local slot of the parameter */
  const ast_node *node;  /* the LAMBDA node */
} vm_lambda_info;

typedef struct {
  const ast_node *node;  /* PARALLEL or PARALLEL_FOR */
  int32_t n;             /* PARALLEL: branch count */
  int32_t *pcs;          /* PARALLEL: each branch's first instruction */
  int32_t body;          /* PARFOR: the body's first instruction */
  int32_t var;           /* PARFOR: the loop variable's local slot */
  bool collect;          /* PARFOR: `let x = parallel for`: push the list of what the branches
                            returned (in input order; null for a branch that did not return) */
} vm_branch_info;

typedef struct {
  const ast_node *node;  /* ASSERT, EXPECT or WAIT_UNTIL */
  bool captured;         /* the condition is a comparison whose operands CMP keeps */
  char *source;          /* the condition's source text (owned) */
  char *lhs, *rhs;       /* operand source texts to show, NULL for literals (owned) */
} vm_check_info;

typedef struct {
  const ast_node *node;  /* the NOTIFY statement */
  int32_t body;          /* the ticker's loop */
  int32_t every_slot;    /* local holding the period */
} vm_ticker_info;

typedef struct {
  char *path;            /* the unit's path (borrowed from the program) */
  int32_t nglobals;
  const char **globals;  /* names (borrowed) */
  int32_t init;          /* funcs[] index of its initialiser; -1 for the main unit */
} vm_unit_info;

/* A growable table of T. */
#define VM_TABLE(T) struct { T *items; size_t len, cap; }

typedef struct {
  VM_TABLE(vm_insn) code;
  VM_TABLE(rbk_value *) consts;
  VM_TABLE(vm_region_info) regions;
  VM_TABLE(vm_call_info) calls;
  VM_TABLE(vm_func) funcs;
  VM_TABLE(vm_lambda_info) lambdas;
  VM_TABLE(vm_branch_info) branches;
  VM_TABLE(vm_check_info) checks;
  VM_TABLE(vm_ticker_info) tickers;
  VM_TABLE(const ast_node *) approves;
  vm_unit_info *units;
  size_t nunits;
  int32_t main_func;
  int32_t nsteps;        /* STEP statements outside handlers (progress's denominator) */
  const ast_node *const *params; /* the main file's PARAM declarations, by BIND_PARAM index */
  size_t nparams;
  int64_t deadline_ms;   /* the runbook's deadline, -1 without */
  char *title;           /* the runbook's title or id, or NULL */
} vm_code;


/* Compiles `prog` (borrowed; must outlive the code). Returns the code, or NULL with *err set to
 * "file:line:col: message" (caller frees). Caller frees the code with compile_code_free(). */
vm_code *compile_program(const rbk_program *prog, char **err);

/* Frees the code; NULL is fine. */
void compile_code_free(vm_code *code);

/* Returns the source text of a node's span (caller frees), or NULL without a source. */
char *compile_span_text(const ast_node *node);

#endif
