/* value_text.c — text built from parts that remembers which bytes are secret (see value.h). */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "value.h"

/* Marks [from, to) of the text as secret, merging with the previous range when they touch. */
static void add_span(val_text *t, size_t from, size_t to) {
  t->secret = true;
  if (from == to) return;
  if (t->nspans && t->spans[2 * t->nspans - 1] == from) {
    t->spans[2 * t->nspans - 1] = to;
    return;
  }
  if (!GROW(t->spans, t->cap, 2 * (t->nspans + 1))) {
    t->text.oom = true;
    return;
  }
  t->spans[2 * t->nspans] = from;
  t->spans[2 * t->nspans + 1] = to;
  t->nspans++;
}

/* Appends plain bytes. */
void value_text_put(val_text *t, const char *s, size_t n) { valbuf_put(&t->text, s, n); }

/* Appends the text of v, keeping its secret ranges secret. */
void value_text_add(val_text *t, const rbk_value *v) {
  if (v->kind == VAL_STRING) {
    valbuf_put(&t->text, v->u.str.s, v->u.str.len);
    return;
  }
  if (v->kind != VAL_SECRET) {
    char *s = value_show(v);
    if (s) valbuf_puts(&t->text, s);
    else t->text.oom = true;
    free(s);
    return;
  }
  size_t at = t->text.len;
  valbuf_puts(&t->text, v->u.secret.plain);
  if (t->text.oom) return;
  if (!v->u.secret.spans) {
    add_span(t, at, t->text.len);
    return;
  }
  for (size_t k = 0; k < v->u.secret.nspans; k++)
    add_span(t, at + v->u.secret.spans[2 * k], at + v->u.secret.spans[2 * k + 1]);
}

/* Returns the built value: a string, a whole secret or a mixed one. */
rbk_value *value_text_finish(val_text *t) {
  size_t len = 0;
  bool whole = t->nspans == 1 && t->spans[0] == 0 && t->spans[1] == t->text.len;
  bool empty_secret = t->secret && t->nspans == 0; /* only empty secrets: still a secret */
  size_t *spans = t->spans, nspans = t->nspans;
  bool secret = t->secret;
  char *text = valbuf_take(&t->text, &len);
  *t = (val_text){0};
  if (!text) {
    free(spans);
    return NULL;
  }
  if (!secret) {
    free(spans);
    return value_string_take(text, len);
  }
  if (whole || empty_secret) {
    free(spans);
    rbk_value *v = value_secret("<expr>", text);
    memset(text, 0, len);
    free(text);
    return v;
  }
  return value_secret_mixed(text, spans, nspans);
}

/* Returns the text of v as shown, with secret ranges as "***". */
char *value_secret_masked(const rbk_value *v) {
  if (v->kind != VAL_SECRET) return value_show(v);
  if (!v->u.secret.spans) return strdup("***");
  valbuf b = {0};
  const char *s = v->u.secret.plain;
  size_t at = 0;
  for (size_t k = 0; k < v->u.secret.nspans; k++) {
    valbuf_put(&b, s + at, v->u.secret.spans[2 * k] - at);
    valbuf_puts(&b, "***");
    at = v->u.secret.spans[2 * k + 1];
  }
  valbuf_puts(&b, s + at);
  return valbuf_take(&b, NULL);
}
