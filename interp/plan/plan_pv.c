/* plan_pv.c — the planner's abstract values (known, unknown, handles), their texts, and scopes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

#include "grow.h"
#include "scrub.h"

/* The longest source-like text of a known value inside a larger expression. */
#define PV_SRC_MAX 60

/* Returns a copy of at most `max` bytes of s, cut at a UTF-8 boundary with "…" appended when cut. */
char *plan_cut(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n <= max) return strdup(s);
  while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
  char *out = malloc(max + 4);
  if (!out) return NULL;
  memcpy(out, s, max);
  memcpy(out + max, "\xe2\x80\xa6", 4);
  return out;
}

/* Returns the source text of a span with runs of white space (newlines, indentation) folded to one space. */
char *plan_span_text(rbk_span span) {
  size_t len1, len2;
  const char *l1 = span.src ? source_line(span.src, span.line, &len1) : NULL;
  const char *l2 = span.src ? source_line(span.src, span.end_line, &len2) : NULL;
  if (!l1 || !l2 || span.col < 1 || span.end_col < 1) return strdup("");
  const char *p = l1 + span.col - 1, *end = l2 + (span.end_col <= (int)len2 ? span.end_col : (int)len2);
  valbuf b = {0};
  while (p < end) {
    const char *q = p;
    while (q < end && strchr(" \t\r\n", *q)) q++;
    if (q > p && memchr(p, '\n', (size_t)(q - p))) {
      valbuf_put(&b, " ", 1);
      p = q;
    } else if (q > p) {
      valbuf_put(&b, p, (size_t)(q - p));
      p = q;
    } else {
      valbuf_put(&b, p++, 1);
    }
  }
  char *s = valbuf_take(&b, NULL);
  return s ? s : strdup("");
}

/* Returns a known value (takes v; an unknown "?" when v is NULL). */
pv plan_pv_known(rbk_value *v) {
  if (!v) return plan_pv_unknown(strdup("?"));
  pv r = {.kind = PV_KNOWN, .val = v};
  return r;
}

/* Returns an unknown with source-like text `sym` (takes sym). */
pv plan_pv_unknown(char *sym) {
  pv r = {.kind = PV_UNKNOWN, .sym = sym};
  return r;
}

/* Returns an unknown secret-derived value. */
pv plan_pv_secret(void) {
  pv r = plan_pv_unknown(strdup("***"));
  r.secret = true;
  return r;
}

/* Returns a secret string that has plain parts, shown as `text` (its secret spans already ***;
 * takes text): "token is *** and [1,2,3]", as the run shows it (language.md §11). Its URL user-info
 * shows as ***@, as everywhere. */
pv plan_pv_secret_text(char *text) {
  char *masked = scrub_line(text); /* a URL's user-info as ***@, as the run shows it */
  if (masked) free(text), text = masked;
  pv r = plan_pv_secret();
  free(r.sym);
  r.sym = strutil_printf("\"%s\"", text);
  r.tmpl = text;
  return r;
}

/* Returns a copy (new references and strings). */
pv plan_pv_dup(const pv *v) {
  pv r = *v;
  r.val = value_ref(v->val);
  r.sym = v->sym ? strdup(v->sym) : NULL;
  r.tmpl = v->tmpl ? strdup(v->tmpl) : NULL;
  return r;
}

/* Releases what v owns and leaves it an empty unknown. */
void plan_pv_free(pv *v) {
  value_unref(v->val);
  free(v->sym);
  free(v->tmpl);
  memset(v, 0, sizeof *v);
  v->kind = PV_UNKNOWN;
}

/* Returns true when v is known and a string; then *s is its text (borrowed). */
bool plan_pv_string(const pv *v, const char **s) {
  if (v->kind != PV_KNOWN || v->val->kind != VAL_STRING) return false;
  *s = v->val->u.str.s;
  return true;
}

/* Returns true when v is a known duration; then *ms holds it. */
bool plan_pv_duration(const pv *v, int64_t *ms) {
  if (v->kind != PV_KNOWN || v->val->kind != VAL_DURATION) return false;
  *ms = v->val->u.i;
  return true;
}

/* Returns true when v is a known int; then *i holds it. */
bool plan_pv_int(const pv *v, int64_t *i) {
  if (v->kind != PV_KNOWN || v->val->kind != VAL_INT) return false;
  *i = v->val->u.i;
  return true;
}

/* Returns how v is shown to people (strings unquoted, unknown parts as ${expr}, secrets as ***). */
char *plan_pv_show(const pv *v) {
  switch (v->kind) {
    case PV_KNOWN: return value_show(v->val);
    case PV_UNKNOWN:
      if (v->secret) return strdup(v->tmpl ? v->tmpl : "***");
      return v->tmpl ? strdup(v->tmpl) : strutil_printf("${%s}", v->sym ? v->sym : "?");
    case PV_HANDLE:
    case PV_MODULE: return strdup(v->sym ? v->sym : "?");
    case PV_LAMBDA: return plan_span_text(v->lambda->span);
  }
  return strdup("?");
}

/* Returns v as source-like text for composing a larger expression (strings quoted, long values cut with …,
 * secrets as ***). */
char *plan_pv_src(const pv *v) {
  if (v->kind == PV_KNOWN) {
    char *r = value_repr(v->val);
    char *cut = r ? plan_cut(r, PV_SRC_MAX) : NULL;
    free(r);
    return cut;
  }
  if (v->kind == PV_LAMBDA) return plan_span_text(v->lambda->span);
  if (v->secret) return strdup(v->tmpl && v->sym ? v->sym : "***");
  return strdup(v->sym ? v->sym : "?");
}

/* Returns the JSON shown for v (known: its JSON with secrets masked; else its shown text). */
json_t *plan_pv_json(const pv *v) {
  if (v->kind == PV_KNOWN) return value_to_json(v->val, false);
  char *s = plan_pv_show(v);
  json_t *j = json_string(s ? s : "?");
  free(s);
  return j;
}

/* Initialises an empty scope under `parent` for `unit`. */
void plan_scope_init(plan_scope *s, plan_scope *parent, int unit) {
  memset(s, 0, sizeof *s);
  s->parent = parent;
  s->unit = unit;
}

/* Binds name (copied) to v (taken); a rebinding in the same scope replaces. */
bool plan_scope_bind(plan_scope *s, const char *name, pv v) {
  for (size_t i = 0; i < s->len; i++)
    if (!strcmp(s->items[i].name, name)) {
      plan_pv_free(&s->items[i].v);
      s->items[i].v = v;
      return true;
    }
  if (!GROW(s->items, s->cap, s->len + 1)) {
    plan_pv_free(&v);
    return false;
  }
  char *copy = strdup(name);
  if (!copy) {
    plan_pv_free(&v);
    return false;
  }
  s->items[s->len++] = (plan_binding){copy, v};
  return true;
}

/* Returns the binding of name, innermost first, or NULL. */
const pv *plan_scope_lookup(const plan_scope *s, const char *name) {
  for (; s; s = s->parent)
    for (size_t i = s->len; i-- > 0;)
      if (!strcmp(s->items[i].name, name)) return &s->items[i].v;
  return NULL;
}

/* Releases the scope's bindings (not the parent). */
void plan_scope_free(plan_scope *s) {
  for (size_t i = 0; i < s->len; i++) {
    free(s->items[i].name);
    plan_pv_free(&s->items[i].v);
  }
  free(s->items);
  s->items = NULL;
  s->len = s->cap = 0;
}
