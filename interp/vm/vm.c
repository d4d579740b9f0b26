/* vm.c — the interpreter loop and the expression instructions (see compile.h for the opcodes).
 * Calls are in vm_call.c, statements in vm_stmt.c, regions and unwinding in vm_region.c. */
#include "engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "valbuf.h"
#include "valops.h"

/* Raises a FAILED error at the instruction's node. */
#define FAIL(...) vm_raise(e, t, vm_err_at(in->node, __VA_ARGS__))

/* Pushes v (taken) or raises out of memory. */
static void push(engine *e, vm_task *t, const vm_insn *in, rbk_value *v) {
  if (!vm_task_push(t, v)) FAIL("out of memory");
}

/* LOAD: pushes a local. */
static void op_load(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value *v = vm_task_frame(t)->locals[in->a];
  if (!v) {
    const char *name = in->node && in->node->kind == AST_IDENT ? in->node->u.ident.name : "?";
    return FAIL("'%s' has no value here (its let has not run)", name);
  }
  push(e, t, in, value_ref(v));
}

/* STORE: pops into a local. */
static void op_store(vm_task *t, const vm_insn *in) {
  rbk_value **slot = &vm_task_frame(t)->locals[in->a];
  value_unref(*slot);
  *slot = vm_task_pop(t);
}

/* GLOAD: pushes a unit's global. */
static void op_gload(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value *v = e->globals[in->a][in->b];
  if (!v) return FAIL("'%s' is used before its let ran", e->code->units[in->a].globals[in->b]);
  push(e, t, in, value_ref(v));
}

/* GSTORE: pops into a unit's global. */
static void op_gstore(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value **slot = &e->globals[in->a][in->b];
  value_unref(*slot);
  *slot = vm_task_pop(t);
}

/* LIST: pops a values into a list. */
static void op_list(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value *list = value_list((size_t)in->a);
  size_t base = t->sp - (size_t)in->a;
  for (size_t i = base; list && i < t->sp; i++)
    if (!value_list_push(list, value_ref(t->stack[i]))) list = NULL;
  vm_task_drop_to(t, base);
  if (!list) return FAIL("out of memory");
  push(e, t, in, list);
}

/* OBJECT: pops a key/value pairs into an object. */
static void op_object(engine *e, vm_task *t, const vm_insn *in) {
  size_t base = t->sp - 2 * (size_t)in->a;
  for (size_t i = base; i < t->sp; i += 2)
    if (t->stack[i]->kind != VAL_STRING) {
      const char *kind = value_kind_article(t->stack[i]->kind);
      vm_task_drop_to(t, base);
      return FAIL("an object key must be a string, got %s", kind);
    }
  rbk_value *obj = value_object((size_t)in->a);
  for (size_t i = base; obj && i < t->sp; i += 2)
    if (!value_object_set(obj, t->stack[i]->u.str.s, value_ref(t->stack[i + 1]))) obj = NULL;
  vm_task_drop_to(t, base);
  if (!obj) return FAIL("out of memory");
  push(e, t, in, obj);
}

/* Returns "a, b, c" (up to 12 keys) for a missing-key message. Caller frees. */
static char *key_list(const rbk_value *obj) {
  valbuf b = {0};
  size_t n = obj->u.obj.len;
  for (size_t i = 0; i < n && i < 12; i++) {
    if (i) valbuf_puts(&b, ", ");
    valbuf_puts(&b, obj->u.obj.keys[i]);
  }
  if (n > 12) valbuf_puts(&b, ", …");
  if (!n) valbuf_puts(&b, "(none)");
  return valbuf_take(&b, NULL);
}

/* Raises "key 'k' not found in object with keys …". */
static void missing_key(engine *e, vm_task *t, const vm_insn *in, const rbk_value *obj, const char *key) {
  char *keys = key_list(obj);
  FAIL("key '%s' not found in object with keys %s", key, keys ? keys : "?");
  free(keys);
}

/* MEMBER: pops an object, pushes one of its keys (null-safe with b). */
static void op_member(engine *e, vm_task *t, const vm_insn *in) {
  const char *key = e->code->consts.items[in->a]->u.str.s;
  rbk_value *obj = vm_task_pop(t);
  if (obj->kind == VAL_OBJECT) {
    rbk_value *v = value_object_get(obj, key);
    if (v || in->b) push(e, t, in, v ? value_ref(v) : value_null());
    else missing_key(e, t, in, obj, key);
  } else if (obj->kind == VAL_NULL && in->b) {
    push(e, t, in, value_null());
  } else if (obj->kind == VAL_NULL) {
    FAIL("cannot read '%s' of null (use ?. to allow null)", key);
  } else {
    FAIL("cannot read '%s' of %s", key, value_kind_article(obj->kind));
  }
  value_unref(obj);
}

/* Returns the element of a list at idx (negative counts from the end), or raises (null-safe `?[`:
 * pushes null instead). */
static void index_list(engine *e, vm_task *t, const vm_insn *in, const rbk_value *list, int64_t idx) {
  int64_t n = (int64_t)list->u.list.len;
  int64_t i = idx < 0 ? n + idx : idx;
  if ((i < 0 || i >= n) && in->a) return push(e, t, in, value_null());
  if (i < 0 || i >= n) return FAIL("index %lld out of range for a list of %lld", (long long)idx, (long long)n);
  push(e, t, in, value_ref(list->u.list.items[i]));
}

/* INDEX: pops index and container, pushes the element (a = 1: `?[`, null for a null container, a
 * missing key or an index out of range). */
static void op_index(engine *e, vm_task *t, const vm_insn *in) {
  rbk_value *idx = vm_task_pop(t), *obj = vm_task_pop(t);
  if (obj->kind == VAL_NULL && in->a) {
    push(e, t, in, value_null());
  } else if (obj->kind == VAL_LIST && idx->kind == VAL_INT) {
    index_list(e, t, in, obj, idx->u.i);
  } else if (obj->kind == VAL_OBJECT && idx->kind == VAL_STRING) {
    rbk_value *v = value_object_get(obj, idx->u.str.s);
    if (v || in->a) push(e, t, in, v ? value_ref(v) : value_null());
    else missing_key(e, t, in, obj, idx->u.str.s);
  } else {
    FAIL("cannot index %s with %s", value_kind_article(obj->kind), value_kind_article(idx->kind));
  }
  value_unref(idx);
  value_unref(obj);
}

/* UNARY / BINARY / CMP: applies an operator through valops. */
static void op_operator(engine *e, vm_task *t, const vm_insn *in) {
  char *err = NULL;
  rbk_value *r;
  if (in->op == OPC_UNARY) {
    rbk_value *a = vm_task_pop(t);
    r = valops_unary((ast_op)in->a, a, &err);
    value_unref(a);
  } else {
    rbk_value *b = vm_task_pop(t), *a = vm_task_pop(t);
    r = valops_binary((ast_op)in->a, a, b, &err);
    if (in->op == OPC_CMP) {
      value_unref(t->cap[0]);
      value_unref(t->cap[1]);
      t->cap[0] = a;
      t->cap[1] = b;
    } else {
      value_unref(a);
      value_unref(b);
    }
  }
  if (r) push(e, t, in, r);
  else vm_raise(e, t, vm_err_msg_at(in->node, err ? err : "out of memory"));
  free(err);
}

/* INTERP: pops parts and joins their texts; a secret part makes the result a secret whose bytes
 * from secrets stay secret (val_text). */
static void op_interp(engine *e, vm_task *t, const vm_insn *in) {
  size_t base = t->sp - (size_t)in->a;
  val_text b = {0};
  for (size_t i = base; i < t->sp; i++) value_text_add(&b, t->stack[i]);
  vm_task_drop_to(t, base);
  rbk_value *r = value_text_finish(&b);
  if (!r) return FAIL("out of memory");
  push(e, t, in, r);
}

/* Raises unless the top value is a bool; returns whether it is. */
static bool top_bool(engine *e, vm_task *t, const vm_insn *in, const char *what) {
  const rbk_value *v = t->stack[t->sp - 1];
  if (v->kind == VAL_BOOL) return true;
  FAIL("%s must be a bool, got %s", what, value_kind_article(v->kind));
  return false;
}

/* JUMP_FALSE / AND / OR / COALESCE / TO_BOOL: conditions and short circuits. */
static void op_branch(engine *e, vm_task *t, const vm_insn *in) {
  if (in->op == OPC_COALESCE) {
    if (t->stack[t->sp - 1]->kind != VAL_NULL) t->pc = in->a;
    else value_unref(vm_task_pop(t));
    return;
  }
  const char *what = in->op == OPC_JUMP_FALSE ? "a condition" : "an operand of and/or";
  if (!top_bool(e, t, in, what)) return;
  bool b = t->stack[t->sp - 1]->u.b;
  if (in->op == OPC_TO_BOOL) return;
  if (in->op == OPC_JUMP_FALSE) {
    value_unref(vm_task_pop(t));
    if (!b) t->pc = in->a;
  } else if (b == (in->op == OPC_OR)) {
    t->pc = in->a;
  } else {
    value_unref(vm_task_pop(t));
  }
}

/* ABORT: stops the plan as failed with the reason. */
static void op_abort(engine *e, vm_task *t) {
  rbk_value *reason = vm_task_pop(t);
  char *text = value_show(reason);
  value_unref(reason);
  vm_raise(e, t, vm_err(VERR_ABORT, "%s", text ? text : "aborted"));
  free(text);
}

/* Executes one instruction. */
static void vm_step(engine *e, vm_task *t, const vm_insn *in) {
  switch ((vm_opcode)in->op) {
    case OPC_CONST: push(e, t, in, value_ref(e->code->consts.items[in->a])); break;
    case OPC_POP: value_unref(vm_task_pop(t)); break;
    case OPC_LOAD: op_load(e, t, in); break;
    case OPC_STORE: op_store(t, in); break;
    case OPC_GLOAD: op_gload(e, t, in); break;
    case OPC_GSTORE: op_gstore(e, t, in); break;
    case OPC_RUN: push(e, t, in, engine_run_value(e, t, -1)); break;
    case OPC_RUN_FIELD: push(e, t, in, engine_run_value(e, t, in->a)); break;
    case OPC_LIST: op_list(e, t, in); break;
    case OPC_OBJECT: op_object(e, t, in); break;
    case OPC_MEMBER: op_member(e, t, in); break;
    case OPC_INDEX: op_index(e, t, in); break;
    case OPC_UNARY: case OPC_BINARY: case OPC_CMP: op_operator(e, t, in); break;
    case OPC_INTERP: op_interp(e, t, in); break;
    case OPC_JUMP: t->pc = in->a; break;
    case OPC_JUMP_FALSE: case OPC_AND: case OPC_OR: case OPC_COALESCE: case OPC_TO_BOOL: op_branch(e, t, in); break;
    case OPC_LAMBDA_RET: t->state = TS_DONE; break;
    case OPC_TASK_END: vm_task_finish(e, t, NULL); break;
    case OPC_ABORT: op_abort(e, t); break;
    case OPC_LAMBDA: case OPC_CALL: case OPC_RET: case OPC_RET_NULL: case OPC_PARAM_DEFAULT:
    case OPC_BIND_PARAM: case OPC_IMPORT: case OPC_PARAM_TYPE: vm_call(e, t, in); break;
    case OPC_STMT: t->stmt = in->node; break;
    case OPC_FOR_START: case OPC_FOR_NEXT: case OPC_PARALLEL: case OPC_PARFOR: case OPC_WAIT:
    case OPC_APPROVE: case OPC_CHECK: case OPC_CHECK_FAIL: case OPC_NOTIFY: case OPC_TICKER_START:
    case OPC_TICKER_STOP: vm_stmt(e, t, in); break;
    case OPC_ENTER: case OPC_ATTEMPT: case OPC_BODY_OK: case OPC_WAITU_TEST: case OPC_HANDLER_END:
    case OPC_EXIT: vm_region_op(e, t, in); break;
    case OPC__COUNT: FAIL("bad instruction"); break;
  }
}

/* Runs t until it suspends or ends. */
void vm_exec(engine *e, vm_task *t) {
  vm_task *prev = e->current;
  e->current = t;
  t->state = TS_RUNNING;
  if (t->resume_err) {
    vm_error *err = t->resume_err;
    t->resume_err = NULL;
    value_unref(t->resume_val);
    t->resume_val = NULL;
    vm_raise(e, t, err);
  } else if (t->resume_val) {
    vm_task_push(t, t->resume_val);
    t->resume_val = NULL;
  }
  const vm_insn *code = e->code->code.items;
  while (t->state == TS_RUNNING) {
    vm_step(e, t, &code[t->pc++]);
    if (t->resume_err && t->state == TS_RUNNING) {
      vm_error *err = t->resume_err;
      t->resume_err = NULL;
      vm_raise(e, t, err);
    }
  }
  e->current = prev;
  vm_task_reap(e, t);
}
