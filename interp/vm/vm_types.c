/* vm_types.c — the declared types of proc parameters, enforced when a proc is called: int takes
 * an int; float an int or a float; string a string or a secret; duration, bool, list and object
 * exactly that kind; an untyped parameter anything. */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOWN_MAX 60 /* longest value text in a type error */

/* Returns the value kind a declared type names (VAL_NULL for TYPE_ANY: anything goes). */
static val_kind type_kind(ast_type type) {
  switch (type) {
    case TYPE_ANY: return VAL_NULL;
    case TYPE_STRING: return VAL_STRING;
    case TYPE_INT: return VAL_INT;
    case TYPE_FLOAT: return VAL_FLOAT;
    case TYPE_BOOL: return VAL_BOOL;
    case TYPE_DURATION: return VAL_DURATION;
    case TYPE_LIST: return VAL_LIST;
    case TYPE_OBJECT: return VAL_OBJECT;
    case TYPE_COUNT: break;
  }
  return VAL_NULL;
}

/* Returns true when a value of kind `got` may stand for a parameter that wants `want`. */
static bool accepts(val_kind want, val_kind got) {
  if (want == VAL_NULL || want == got) return true;
  if (want == VAL_FLOAT) return got == VAL_INT;
  return want == VAL_STRING && got == VAL_SECRET;
}

/* Returns v as source text, shortened to SHOWN_MAX bytes (secrets are "***"). Caller frees. */
static char *shown(const rbk_value *v) {
  char *s = value_repr(v);
  if (s && strlen(s) > SHOWN_MAX) strcpy(s + SHOWN_MAX - 3, "...");
  return s;
}

/* Returns the message when v does not suit parameter i of fn, else NULL. */
char *vm_param_type_error(const vm_func *fn, int32_t i, const rbk_value *v, bool def) {
  if (!fn->node || i < 0 || (size_t)i >= fn->node->u.proc.params.len) return NULL;
  const ast_node *param = fn->node->u.proc.params.items[i];
  val_kind want = type_kind(param->u.param.type);
  if (accepts(want, v->kind)) return NULL;
  bool composite = v->kind == VAL_LIST || v->kind == VAL_OBJECT || v->kind == VAL_NULL;
  char *text = composite ? NULL : shown(v);
  char head[300];
  if (def) snprintf(head, sizeof head, "the default of '%s' of proc '%s'", param->u.param.name, fn->name);
  else snprintf(head, sizeof head, "argument '%s' of proc '%s'", param->u.param.name, fn->name);
  size_t n = strlen(head) + (text ? strlen(text) : 0) + 64;
  char *msg = malloc(n);
  if (msg && text)
    snprintf(msg, n, "%s must be %s, got %s (%s)", head, value_kind_article(want), value_kind_article(v->kind), text);
  else if (msg)
    snprintf(msg, n, "%s must be %s, got %s", head, value_kind_article(want), value_kind_article(v->kind));
  free(text);
  return msg;
}
