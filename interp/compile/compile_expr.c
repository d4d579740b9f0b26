/* compile_expr.c — expressions and calls to bytecode (see compile.h). */
#include "compile_int.h"

#include <stdlib.h>
#include <string.h>

/* Returns the index of the run field called name, or -1. */
static int32_t run_field(const char *name) {
  static const char *const fields[] = {
#define X(n, ret, doc) n,
      RBK_RUN_FIELDS(X)
#undef X
  };
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (!strcmp(fields[i], name)) return (int32_t)i;
  return -1;
}

/* Returns true when name is bound as a local or a global of the current unit. */
static bool is_variable(const compiler *c, const char *name) {
  return compile_find_local(c, name) >= 0 || compile_find_global(c, c->unit, name) >= 0;
}

/* Compiles a literal. */
static void cliteral(compiler *c, const ast_node *n) {
  rbk_value *v = NULL;
  switch (n->kind) {
    case AST_NULL_LIT: v = value_null(); break;
    case AST_BOOL_LIT: v = value_bool(n->u.lit.b); break;
    case AST_INT_LIT: v = value_int(n->u.lit.i); break;
    case AST_FLOAT_LIT: v = value_float(n->u.lit.f); break;
    case AST_DURATION_LIT: v = value_duration(n->u.lit.i); break;
    case AST_TEXT: v = value_cstring(n->u.text.s ? n->u.text.s : ""); break;
    default: break;
  }
  compile_emit(c, OPC_CONST, compile_add_const(c, v), 0, n);
}

/* Compiles a string: plain text is a constant, interpolation joins its parts. */
static void cstring(compiler *c, const ast_node *n) {
  const char *plain = NULL;
  if (ast_string_is_plain(n, &plain)) {
    compile_emit(c, OPC_CONST, compile_add_const(c, value_cstring(plain ? plain : "")), 0, n);
    return;
  }
  for (size_t i = 0; i < n->u.str.parts.len; i++) compile_expr(c, n->u.str.parts.items[i]);
  compile_emit(c, OPC_INTERP, (int32_t)n->u.str.parts.len, 0, n);
}

/* Compiles a list or an object literal. */
static void ccollection(compiler *c, const ast_node *n) {
  const ast_list *items = &n->u.list.items;
  for (size_t i = 0; i < items->len; i++) {
    const ast_node *it = items->items[i];
    if (n->kind == AST_LIST) {
      compile_expr(c, it);
      continue;
    }
    if (it->u.pair.computed) compile_expr(c, it->u.pair.computed);
    else compile_emit(c, OPC_CONST, compile_add_const(c, value_cstring(it->u.pair.key ? it->u.pair.key : "")), 0, it);
    compile_expr(c, it->u.pair.value);
  }
  compile_emit(c, n->kind == AST_LIST ? OPC_LIST : OPC_OBJECT, (int32_t)items->len, 0, n);
}

/* Compiles a name used as a value. */
static void cident(compiler *c, const ast_node *n) {
  const char *name = n->u.ident.name;
  int32_t slot = compile_find_local(c, name);
  if (slot >= 0) {
    compile_emit(c, OPC_LOAD, slot, 0, n);
    return;
  }
  int32_t g = compile_find_global(c, c->unit, name);
  if (g >= 0) compile_emit(c, OPC_GLOAD, c->unit, g, n);
  else if (!strcmp(name, "run")) compile_emit(c, OPC_RUN, 0, 0, n);
  else if (compile_find_alias(c, name) >= 0) compile_fail(c, n, "'%s' is an import; use %s.NAME", name, name);
  else if (compile_find_proc(c, c->unit, name) >= 0 || sig_find(RECV_NONE, name))
    compile_fail(c, n, "'%s' is a function; call it", name);
  else compile_fail(c, n, "unknown name '%s'", name);
}

/* Compiles a.b: an import's let, a run field, or a key of an object. */
static void cmember(compiler *c, const ast_node *n) {
  const ast_node *obj = n->u.member.object;
  const char *name = n->u.member.name;
  if (obj->kind == AST_IDENT && !is_variable(c, obj->u.ident.name)) {
    int32_t u = compile_find_alias(c, obj->u.ident.name);
    if (u >= 0) {
      int32_t g = compile_find_global(c, u, name);
      if (g < 0) return compile_fail(c, n, "'%s' has no let called '%s'", obj->u.ident.name, name);
      compile_emit(c, OPC_GLOAD, u, g, n);
      return;
    }
    if (!strcmp(obj->u.ident.name, "run") && run_field(name) >= 0) {
      compile_emit(c, OPC_RUN_FIELD, run_field(name), 0, n);
      return;
    }
  }
  compile_expr(c, obj);
  compile_emit(c, OPC_MEMBER, compile_add_const(c, value_cstring(name)), n->null_safe, n);
}

/* Compiles `and`, `or` and `??`, which evaluate their right side only when needed. */
static void cshort(compiler *c, const ast_node *n) {
  ast_op op = n->op;
  compile_expr(c, n->u.binary.lhs);
  vm_opcode jump = op == OP_AND ? OPC_AND : op == OP_OR ? OPC_OR : OPC_COALESCE;
  int32_t j = compile_emit(c, jump, -1, 0, n);
  compile_expr(c, n->u.binary.rhs);
  if (op != OP_COALESCE) compile_emit(c, OPC_TO_BOOL, 0, 0, n->u.binary.rhs);
  compile_patch_a(c, j, compile_here(c));
}

/* Compiles a binary operator. */
static void cbinary(compiler *c, const ast_node *n) {
  ast_op op = n->op;
  if (op == OP_AND || op == OP_OR || op == OP_COALESCE) return cshort(c, n);
  compile_expr(c, n->u.binary.lhs);
  compile_expr(c, n->u.binary.rhs);
  compile_emit(c, OPC_BINARY, op, 0, n);
}

/* Compiles `if c { a } else { b }`: only the chosen arm is evaluated. */
static void ccond(compiler *c, const ast_node *n) {
  compile_expr(c, n->u.if_.cond);
  int32_t to_else = compile_emit(c, OPC_JUMP_FALSE, -1, 0, n->u.if_.cond);
  compile_expr(c, n->u.if_.then);
  int32_t to_end = compile_emit(c, OPC_JUMP, -1, 0, n);
  compile_patch_a(c, to_else, compile_here(c));
  compile_expr(c, n->u.if_.els);
  compile_patch_a(c, to_end, compile_here(c));
}

/* Compiles a lambda: its body out of line, then LAMBDA. */
static void clambda(compiler *c, const ast_node *n) {
  int32_t skip = compile_emit(c, OPC_JUMP, -1, 0, n);
  size_t mark = compile_scope_mark(c);
  int32_t param = compile_bind_local(c, n->u.lambda.param);
  int32_t body = compile_here(c);
  compile_expr(c, n->u.lambda.body);
  compile_emit(c, OPC_LAMBDA_RET, 0, 0, n);
  compile_scope_pop(c, mark);
  compile_patch_a(c, skip, compile_here(c));
  if (!VM_TABLE_GROW(c->code->lambdas)) return compile_fail(c, n, "out of memory");
  c->code->lambdas.items[c->code->lambdas.len] = (vm_lambda_info){body, param, n};
  compile_emit(c, OPC_LAMBDA, (int32_t)c->code->lambdas.len++, 0, n);
}

/* Returns the index of a new call record for n's arguments; compiles the argument values. */
static int32_t cargs(compiler *c, const ast_node *n, vm_call_info info) {
  const ast_list *args = &n->u.call.args;
  info.node = n;
  info.nargs = (int32_t)args->len;
  info.names = calloc(args->len + 1, sizeof *info.names);
  if (!info.names) {
    compile_fail(c, n, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < args->len; i++) {
    info.names[i] = ast_arg_name(args->items[i]);
    compile_expr(c, ast_arg_value(args->items[i]));
  }
  /* Grow only now: compiling the arguments may add calls of their own and move the table. */
  if (!VM_TABLE_GROW(c->code->calls)) {
    free(info.names);
    compile_fail(c, n, "out of memory");
    return -1;
  }
  c->code->calls.items[c->code->calls.len] = info;
  return (int32_t)c->code->calls.len++;
}

/* Returns the call kind of a global signature. */
static vm_call_kind global_kind(const sig_info *sig) {
  if (sig->flags & SIG_ACTION) return CALL_ACTION;
  if (sig->flags & SIG_CTOR) return CALL_CTOR;
  return CALL_BUILTIN;
}

/* Compiles a call of f(…): a proc of this unit or a global function. */
static void ccall_name(compiler *c, const ast_node *n, const char *name) {
  int32_t f = compile_find_proc(c, c->unit, name);
  if (f >= 0) {
    compile_emit(c, OPC_CALL, cargs(c, n, (vm_call_info){.kind = CALL_PROC, .func = f}), 0, n);
    return;
  }
  const sig_info *sig = sig_find(RECV_NONE, name);
  if (!sig) return compile_fail(c, n, "unknown function '%s'", name);
  compile_emit(c, OPC_CALL, cargs(c, n, (vm_call_info){.kind = global_kind(sig), .sig = sig}), 0, n);
}

/* Compiles a call: a proc, an imported proc, a global function or a method on a handle. */
static void ccall(compiler *c, const ast_node *n) {
  const ast_node *callee = n->u.call.callee;
  if (callee->kind == AST_IDENT) return ccall_name(c, n, callee->u.ident.name);
  if (callee->kind != AST_MEMBER) return compile_fail(c, n, "only functions, procs and actions can be called");
  const ast_node *obj = callee->u.member.object;
  const char *name = callee->u.member.name;
  if (obj->kind == AST_IDENT && !is_variable(c, obj->u.ident.name) && compile_find_alias(c, obj->u.ident.name) >= 0) {
    int32_t f = compile_find_proc(c, compile_find_alias(c, obj->u.ident.name), name);
    if (f < 0) return compile_fail(c, n, "'%s' has no proc called '%s'", obj->u.ident.name, name);
    compile_emit(c, OPC_CALL, cargs(c, n, (vm_call_info){.kind = CALL_PROC, .func = f}), 0, n);
    return;
  }
  compile_expr(c, obj);
  compile_emit(c, OPC_CALL, cargs(c, n, (vm_call_info){.kind = CALL_METHOD, .method = name}), 0, n);
}

/* Compiles an expression. */
void compile_expr(compiler *c, const ast_node *n) {
  if (c->err) return;
  switch (n->kind) {
    case AST_NULL_LIT: case AST_BOOL_LIT: case AST_INT_LIT: case AST_FLOAT_LIT:
    case AST_DURATION_LIT: case AST_TEXT: cliteral(c, n); break;
    case AST_STRING: cstring(c, n); break;
    case AST_LIST: case AST_OBJECT: ccollection(c, n); break;
    case AST_IDENT: cident(c, n); break;
    case AST_MEMBER: cmember(c, n); break;
    case AST_INDEX:
      compile_expr(c, n->u.index.object);
      compile_expr(c, n->u.index.index);
      compile_emit(c, OPC_INDEX, n->null_safe, 0, n);
      break;
    case AST_COND: ccond(c, n); break;
    case AST_CALL: ccall(c, n); break;
    case AST_UNARY:
      compile_expr(c, n->u.unary.operand);
      compile_emit(c, OPC_UNARY, n->op, 0, n);
      break;
    case AST_BINARY: cbinary(c, n); break;
    case AST_LAMBDA: clambda(c, n); break;
    default: compile_fail(c, n, "a %s is not an expression", ast_kind_name(n->kind)); break;
  }
}

/* Compiles an expression or null. */
void compile_expr_opt(compiler *c, const ast_node *n) {
  if (n) compile_expr(c, n);
  else compile_emit_null(c, NULL);
}

/* Returns true for a literal, whose value the source already shows. */
static bool is_literal(const ast_node *n) {
  switch (n->kind) {
    case AST_NULL_LIT: case AST_BOOL_LIT: case AST_INT_LIT: case AST_FLOAT_LIT: case AST_DURATION_LIT:
      return true;
    case AST_STRING: return ast_string_is_plain(n, &(const char *){NULL});
    case AST_LIST:
      for (size_t i = 0; i < n->u.list.items.len; i++)
        if (!is_literal(n->u.list.items.items[i])) return false;
      return true;
    default: return false;
  }
}

/* Returns true for the operators whose operands a check message shows. */
static bool is_comparison(ast_op op) {
  return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE || op == OP_IN;
}

/* Compiles a check's condition; a comparison keeps its operands for the message. */
void compile_cond(compiler *c, const ast_node *n, vm_check_info *info) {
  info->source = compile_span_text(n);
  if (n->kind != AST_BINARY || !is_comparison(n->op)) {
    compile_expr(c, n);
    return;
  }
  info->captured = true;
  if (!is_literal(n->u.binary.lhs)) info->lhs = compile_span_text(n->u.binary.lhs);
  if (!is_literal(n->u.binary.rhs)) info->rhs = compile_span_text(n->u.binary.rhs);
  compile_expr(c, n->u.binary.lhs);
  compile_expr(c, n->u.binary.rhs);
  compile_emit(c, OPC_CMP, n->op, 0, n);
}
