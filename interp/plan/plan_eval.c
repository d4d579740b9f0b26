/* plan_eval.c — abstract evaluation of expressions: fold what is known, keep source-like text for
 * what is not. Calls are in plan_call.c. */
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "valops.h"

/* The longest source-like text kept for an unknown value. */
#define PE_SYM_MAX 160

/* Returns v's source-like text for use inside a larger expression, parenthesised when the source
 * wrote `e` in parentheses. Caller frees. */
static char *pe_part(const pv *v, const ast_node *e) {
  char *s = plan_pv_src(v);
  if (!s || !e->paren) return s;
  char *p = strutil_printf("(%s)", s);
  free(s);
  return p;
}

/* Returns an unknown whose text is `text` cut to PE_SYM_MAX (takes text); secret when `secret`. */
static pv pe_unknown(char *text, bool secret) {
  if (secret) {
    free(text);
    return plan_pv_secret();
  }
  char *cut = text ? plan_cut(text, PE_SYM_MAX) : NULL;
  free(text);
  return plan_pv_unknown(cut ? cut : strdup("?"));
}

/* Returns how an interpolated part shows inside a string: a secret as *** (or its text with its
 * secret spans as ***), a known value as itself, an unknown as ${expr}. Caller frees. */
static char *pe_hole(const pv *v) {
  if (v->secret || v->kind == PV_KNOWN) return plan_pv_show(v);
  return strutil_printf("${%s}", v->sym ? v->sym : "?");
}

/* Evaluates "a ${b} c": known when every part is; else a template with ${expr} holes. With a
 * secret part, a secret shown with only the secret's span as *** (all *** when every part is a
 * secret), as the run shows it (language.md §11: mask the span, not the message). */
static pv pe_string(plan_walker *w, plan_scope *s, const ast_node *e) {
  valbuf b = {0};
  bool known = true, secret = false, plain = false;
  const char *only = ast_string_text(e); /* a string of text alone keeps it in the node */
  if (only) valbuf_puts(&b, only), plain = *only != '\0';
  for (size_t i = 0; i < e->u.str.parts.len; i++) {
    const ast_node *part = e->u.str.parts.items[i];
    if (part->kind == AST_TEXT) {
      valbuf_puts(&b, part->u.text.s ? part->u.text.s : "");
      plain |= part->u.text.s && *part->u.text.s;
      continue;
    }
    pv v = plan_eval(w, s, part);
    secret |= v.secret;
    known &= v.kind == PV_KNOWN;
    char *t = pe_hole(&v);
    plain |= !v.secret || v.tmpl;
    valbuf_puts(&b, t ? t : "?");
    free(t);
    plan_pv_free(&v);
  }
  size_t len;
  char *text = valbuf_take(&b, &len);
  if (!text) return plan_pv_unknown(strdup("?"));
  if (secret && !plain) {
    free(text);
    return plan_pv_secret();
  }
  if (secret) return plan_pv_secret_text(text);
  if (known) return plan_pv_known(value_string_take(text, len));
  pv r = plan_pv_unknown(strutil_printf("\"%s\"", text));
  r.tmpl = text;
  return r;
}

/* A list literal longer than this whose items are all plain literals is summarised as an unknown
 * "[N literal items]" instead of being materialised: the plan's memory stays within a small
 * multiple of the source's (docs/plan.md "Limits"). */
#define PE_LITERAL_MAX 10000

/* Returns true when e is a plain literal: a scalar, a string without holes, or a list of them. */
static bool pe_plain_literal(const ast_node *e) {
  switch (e->kind) {
    case AST_NULL_LIT: case AST_BOOL_LIT: case AST_INT_LIT: case AST_FLOAT_LIT: case AST_DURATION_LIT: return true;
    case AST_STRING:
      for (size_t i = 0; i < e->u.str.parts.len; i++)
        if (e->u.str.parts.items[i]->kind != AST_TEXT) return false;
      return true;
    case AST_LIST:
      for (size_t i = 0; i < e->u.list.items.len; i++)
        if (!pe_plain_literal(e->u.list.items.items[i])) return false;
      return true;
    default: return false;
  }
}

/* Evaluates [a, b]: known when every item is; a huge list of plain literals is summarised. */
static pv pe_list(plan_walker *w, plan_scope *s, const ast_node *e) {
  const ast_list *items = &e->u.list.items;
  if (items->len > PE_LITERAL_MAX && pe_plain_literal(e))
    return pe_unknown(strutil_printf("[%zu literal items]", (size_t)items->len), false);
  rbk_value *list = value_list(items->len);
  valbuf b = {0};
  bool known = list != NULL;
  valbuf_puts(&b, "[");
  for (size_t i = 0; i < items->len; i++) {
    pv v = plan_eval(w, s, items->items[i]);
    char *t = pe_part(&v, items->items[i]);
    valbuf_printf(&b, "%s%s", i ? ", " : "", t ? t : "?");
    free(t);
    if (known && v.kind == PV_KNOWN) known = value_list_push(list, value_ref(v.val));
    else if (known) known = false;
    plan_pv_free(&v);
  }
  valbuf_puts(&b, "]");
  char *text = valbuf_take(&b, NULL);
  if (known) {
    free(text);
    return plan_pv_known(list);
  }
  value_unref(list);
  return pe_unknown(text, false);
}

/* Returns the key of an object PAIR: its name, or its computed expression when that is a known
 * string (caller frees); NULL when unknown. `shown` gets the key's text. */
static char *pe_key(plan_walker *w, plan_scope *s, const ast_node *pair, char **shown) {
  if (pair->u.pair.key) {
    *shown = strdup(pair->u.pair.key);
    return strdup(pair->u.pair.key);
  }
  pv k = plan_eval(w, s, pair->u.pair.computed);
  const char *text;
  char *key = plan_pv_string(&k, &text) ? strdup(text) : NULL;
  char *src = plan_pv_src(&k);
  *shown = strutil_printf("(%s)", src ? src : "?");
  free(src);
  plan_pv_free(&k);
  return key;
}

/* Evaluates {k: v}: known when every key and value is. */
static pv pe_object(plan_walker *w, plan_scope *s, const ast_node *e) {
  const ast_list *pairs = &e->u.list.items;
  rbk_value *obj = value_object(pairs->len);
  valbuf b = {0};
  bool known = obj != NULL;
  valbuf_puts(&b, "{");
  for (size_t i = 0; i < pairs->len; i++) {
    const ast_node *pair = pairs->items[i];
    char *shown = NULL, *key = pe_key(w, s, pair, &shown);
    pv v = plan_eval(w, s, pair->u.pair.value);
    char *t = pe_part(&v, pair->u.pair.value);
    valbuf_printf(&b, "%s%s: %s", i ? ", " : "", shown ? shown : "?", t ? t : "?");
    if (known && key && v.kind == PV_KNOWN) known = value_object_set(obj, key, value_ref(v.val));
    else if (known) known = false;
    free(t);
    free(shown);
    free(key);
    plan_pv_free(&v);
  }
  valbuf_puts(&b, "}");
  char *text = valbuf_take(&b, NULL);
  if (known) {
    free(text);
    return plan_pv_known(obj);
  }
  value_unref(obj);
  return pe_unknown(text, false);
}

/* Evaluates a name: its binding, `run` (unknown), or an unknown named by itself. */
static pv pe_ident(plan_scope *s, const ast_node *e) {
  const pv *v = plan_scope_lookup(s, e->u.ident.name);
  if (v) return plan_pv_dup(v);
  return plan_pv_unknown(strdup(e->u.ident.name));
}

/* Returns the member `name` of a known value, or an unknown after warning what the run will hit. */
static pv pe_known_member(plan_walker *w, const ast_node *e, const pv *o) {
  const char *name = e->u.member.name;
  if (o->val->kind == VAL_NULL && e->null_safe) return plan_pv_known(value_null());
  if (o->val->kind == VAL_OBJECT) {
    rbk_value *v = value_object_get(o->val, name);
    if (v) return plan_pv_known(value_ref(v));
    if (e->null_safe) return plan_pv_known(value_null());
    plan_walk_warn(w, e->span, "key '%s' not found in the object (the run fails here)", name);
  } else {
    plan_walk_warn(w, e->span, "cannot read '.%s' of %s (the run fails here)", name, value_kind_article(o->val->kind));
  }
  return plan_pv_unknown(plan_span_text(e->span));
}

/* Evaluates a.b and a?.b: a module's let, a known object's key, or an unknown. */
static pv pe_member(plan_walker *w, plan_scope *s, const ast_node *e) {
  pv o = plan_eval(w, s, e->u.member.object);
  pv r;
  if (o.kind == PV_MODULE) {
    plan_walk_unit_globals(w, o.unit);
    const pv *g = plan_scope_lookup(&w->globals[o.unit], e->u.member.name);
    r = g ? plan_pv_dup(g) : plan_pv_unknown(strutil_printf("%s.%s", o.sym ? o.sym : "?", e->u.member.name));
  } else if (o.kind == PV_KNOWN) {
    r = pe_known_member(w, e, &o);
  } else {
    char *t = pe_part(&o, e->u.member.object);
    r = pe_unknown(strutil_printf("%s%s%s", t ? t : "?", e->null_safe ? "?." : ".", e->u.member.name), o.secret);
    free(t);
  }
  plan_pv_free(&o);
  return r;
}

/* Returns a[i] for known a and i (a?[i]: null for a null a, a missing key or index), or an unknown
 * after warning what the run will hit. */
static pv pe_known_index(plan_walker *w, const ast_node *e, const pv *a, const pv *i) {
  const rbk_value *av = a->val, *iv = i->val;
  bool safe = e->null_safe;
  if (av->kind == VAL_NULL && safe) return plan_pv_known(value_null());
  if (av->kind == VAL_LIST && iv->kind == VAL_INT) {
    int64_t n = (int64_t)av->u.list.len, at = iv->u.i < 0 ? n + iv->u.i : iv->u.i;
    if (at >= 0 && at < n) return plan_pv_known(value_ref(av->u.list.items[at]));
    if (safe) return plan_pv_known(value_null());
    plan_walk_warn(w, e->span, "index %lld is out of range for a list of %zu (the run fails here)", (long long)iv->u.i,
                   av->u.list.len);
  } else if (av->kind == VAL_OBJECT && iv->kind == VAL_STRING) {
    rbk_value *v = value_object_get(av, iv->u.str.s);
    if (v || safe) return plan_pv_known(v ? value_ref(v) : value_null());
    plan_walk_warn(w, e->span, "key '%s' not found in the object (the run fails here)", iv->u.str.s);
  } else {
    plan_walk_warn(w, e->span, "cannot index %s with %s (the run fails here)", value_kind_article(av->kind),
                   value_kind_article(iv->kind));
  }
  return plan_pv_unknown(plan_span_text(e->span));
}

/* Evaluates a[i]. */
static pv pe_index(plan_walker *w, plan_scope *s, const ast_node *e) {
  pv a = plan_eval(w, s, e->u.index.object);
  pv i = plan_eval(w, s, e->u.index.index);
  pv r;
  if (a.kind == PV_KNOWN && i.kind == PV_KNOWN) {
    r = pe_known_index(w, e, &a, &i);
  } else {
    char *ta = pe_part(&a, e->u.index.object), *ti = plan_pv_src(&i);
    r = pe_unknown(strutil_printf("%s%s%s]", ta ? ta : "?", e->null_safe ? "?[" : "[", ti ? ti : "?"),
                   a.secret || i.secret);
    free(ta);
    free(ti);
  }
  plan_pv_free(&a);
  plan_pv_free(&i);
  return r;
}

/* Returns the result of a folded operator, or an unknown after warning (takes v, err). */
static pv pe_folded(plan_walker *w, const ast_node *e, rbk_value *v, char *err) {
  if (v) return plan_pv_known(v);
  plan_walk_warn(w, e->span, "%s (the run fails here)", err ? err : "cannot evaluate");
  free(err);
  return plan_pv_unknown(plan_span_text(e->span));
}

/* Evaluates not a / -a. */
static pv pe_unary(plan_walker *w, plan_scope *s, const ast_node *e) {
  pv a = plan_eval(w, s, e->u.unary.operand);
  pv r;
  if (a.kind == PV_KNOWN) {
    char *err = NULL;
    rbk_value *v = valops_unary(e->op, a.val, &err);
    r = pe_folded(w, e, v, err);
  } else {
    char *t = pe_part(&a, e->u.unary.operand);
    r = pe_unknown(strutil_printf("%s%s", e->op == OP_NOT ? "not " : "-", t ? t : "?"), a.secret);
    free(t);
  }
  plan_pv_free(&a);
  return r;
}

/* Returns true when v is a known string or a secret (a string's part when concatenated). */
static bool pe_text_part(const pv *v) {
  return v->secret || (v->kind == PV_KNOWN && v->val->kind == VAL_STRING);
}

/* Returns the unknown "lhs op rhs" (takes both); `"token is " + secret` is a secret shown
 * "token is ***", as the run shows it. */
static pv pe_binary_unknown(const ast_node *e, pv *l, pv *r) {
  if (e->op == OP_ADD && (l->secret || r->secret) && pe_text_part(l) && pe_text_part(r) &&
      !(l->secret && r->secret && !l->tmpl && !r->tmpl)) {
    char *tl = plan_pv_show(l), *tr = plan_pv_show(r);
    pv out = plan_pv_secret_text(strutil_printf("%s%s", tl ? tl : "?", tr ? tr : "?"));
    free(tl), free(tr);
    plan_pv_free(l), plan_pv_free(r);
    return out;
  }
  char *tl = pe_part(l, e->u.binary.lhs), *tr = pe_part(r, e->u.binary.rhs);
  pv out = pe_unknown(strutil_printf("%s %s %s", tl ? tl : "?", ast_op_text(e->op), tr ? tr : "?"),
                      l->secret || r->secret);
  free(tl);
  free(tr);
  plan_pv_free(l);
  plan_pv_free(r);
  return out;
}

/* Evaluates the right operand of a short-circuit operator whose left one is unknown: it may or may
 * not run, so its actions are conditional. */
static pv pe_maybe(plan_walker *w, plan_scope *s, const ast_node *e) {
  w->cond_level++;
  pv r = plan_eval(w, s, e);
  w->cond_level--;
  return r;
}

/* Evaluates `if c { a } else { b }`: a condition known before the run (a constant, a param) takes
 * one arm, whose actions are the only ones the dry run shows; otherwise both arms are evaluated as
 * the branches of a decision (when they call actions) and the value is the unknown
 * "if c { a } else { b }". */
static pv pe_cond(plan_walker *w, plan_scope *s, const ast_node *e) {
  if (!e->u.if_.then || !e->u.if_.els) return plan_pv_unknown(plan_span_text(e->span)); /* a partial tree */
  pv c = plan_eval(w, s, e->u.if_.cond);
  if (c.kind == PV_KNOWN && c.val->kind == VAL_BOOL) {
    bool b = c.val->u.b;
    plan_pv_free(&c);
    return plan_eval(w, s, b ? e->u.if_.then : e->u.if_.els);
  }
  if (c.kind == PV_KNOWN)
    plan_walk_warn(w, e->u.if_.cond->span, "the condition of 'if' is %s, not a bool (the run fails here)",
                   value_kind_article(c.val->kind));
  pv a, b;
  plan_walk_cond_arms(w, s, e, &a, &b);
  char *tc = pe_part(&c, e->u.if_.cond), *ta = pe_part(&a, e->u.if_.then), *tb = pe_part(&b, e->u.if_.els);
  pv r = pe_unknown(strutil_printf("if %s { %s } else { %s }", tc ? tc : "?", ta ? ta : "?", tb ? tb : "?"),
                    c.secret || a.secret || b.secret);
  free(tc), free(ta), free(tb);
  plan_pv_free(&c), plan_pv_free(&a), plan_pv_free(&b);
  return r;
}

/* Evaluates and / or / ?? with short-circuiting on a known left operand. */
static pv pe_short(plan_walker *w, plan_scope *s, const ast_node *e) {
  ast_op op = e->op;
  pv l = plan_eval(w, s, e->u.binary.lhs);
  if (l.kind == PV_KNOWN) {
    bool decided = op == OP_COALESCE ? l.val->kind != VAL_NULL
                   : l.val->kind == VAL_BOOL && l.val->u.b == (op == OP_OR);
    bool passes = op == OP_COALESCE ? l.val->kind == VAL_NULL : l.val->kind == VAL_BOOL;
    if (decided) return l;
    if (passes) {
      plan_pv_free(&l);
      return plan_eval(w, s, e->u.binary.rhs);
    }
  }
  pv r = pe_maybe(w, s, e->u.binary.rhs);
  return pe_binary_unknown(e, &l, &r);
}

/* Evaluates a binary operator. */
static pv pe_binary(plan_walker *w, plan_scope *s, const ast_node *e) {
  ast_op op = e->op;
  if (op == OP_AND || op == OP_OR || op == OP_COALESCE) return pe_short(w, s, e);
  pv l = plan_eval(w, s, e->u.binary.lhs);
  pv r = plan_eval(w, s, e->u.binary.rhs);
  if (l.kind != PV_KNOWN || r.kind != PV_KNOWN) return pe_binary_unknown(e, &l, &r);
  char *err = NULL;
  rbk_value *v = valops_binary(op, l.val, r.val, &err);
  plan_pv_free(&l);
  plan_pv_free(&r);
  return pe_folded(w, e, v, err);
}

/* Evaluates an expression abstractly; actions inside it become nodes in evaluation order. */
pv plan_eval(plan_walker *w, plan_scope *s, const ast_node *e) {
  if (!e || w->err) return plan_pv_unknown(strdup("?"));
  switch (e->kind) {
    case AST_NULL_LIT: return plan_pv_known(value_null());
    case AST_BOOL_LIT: return plan_pv_known(value_bool(e->u.lit.b));
    case AST_INT_LIT: return plan_pv_known(value_int(e->u.lit.i));
    case AST_FLOAT_LIT: return plan_pv_known(value_float(e->u.lit.f));
    case AST_DURATION_LIT: return plan_pv_known(value_duration(e->u.lit.i));
    case AST_STRING: return pe_string(w, s, e);
    case AST_LIST: return pe_list(w, s, e);
    case AST_OBJECT: return pe_object(w, s, e);
    case AST_IDENT: return pe_ident(s, e);
    case AST_MEMBER: return pe_member(w, s, e);
    case AST_INDEX: return pe_index(w, s, e);
    case AST_COND: return pe_cond(w, s, e);
    case AST_CALL: return plan_eval_call(w, s, e);
    case AST_UNARY: return pe_unary(w, s, e);
    case AST_BINARY: return pe_binary(w, s, e);
    case AST_LAMBDA: {
      pv r = {.kind = PV_LAMBDA, .lambda = e, .env = s};
      return r;
    }
    default: return plan_pv_unknown(plan_span_text(e->span));
  }
}
