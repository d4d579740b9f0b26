/* builtins_str.c — startswith, endswith, matches, split, join, upper, lower, trim, str. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "builtins_impl.h"
#include "valbuf.h"

/* Returns the string argument i (borrowed), or NULL after reporting a kind mismatch. */
static const rbk_value *string_arg(const bi_call *c, size_t i) {
  if (builtins_is(c, i, VAL_STRING)) return builtins_arg(c, i);
  builtins_want(c, i, "a string");
  return NULL;
}

/* Returns true when s has prefix p (at_end: suffix). */
static bool has_affix(const rbk_value *s, const rbk_value *p, bool at_end) {
  if (p->u.str.len > s->u.str.len) return false;
  size_t from = at_end ? s->u.str.len - p->u.str.len : 0;
  return memcmp(s->u.str.s + from, p->u.str.s, p->u.str.len) == 0;
}

/* Returns startswith (at_end false) or endswith (at_end true). */
static rbk_value *affix(const bi_call *c, bool at_end) {
  const rbk_value *s = string_arg(c, 0), *p = s ? string_arg(c, 1) : NULL;
  return p ? value_bool(has_affix(s, p, at_end)) : NULL;
}

/* startswith(s, prefix). */
rbk_value *builtins_startswith(const bi_call *c) { return affix(c, false); }

/* endswith(s, suffix). */
rbk_value *builtins_endswith(const bi_call *c) { return affix(c, true); }

/* matches(s, regex): true when the POSIX extended regex matches somewhere in s. */
rbk_value *builtins_matches(const bi_call *c) {
  const rbk_value *s = string_arg(c, 0), *re = s ? string_arg(c, 1) : NULL;
  if (!re) return NULL;
  regex_t rx;
  int rc = regcomp(&rx, re->u.str.s, REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char why[256];
    regerror(rc, &rx, why, sizeof why);
    return builtins_fail(c, "invalid regex \"%s\": %s", re->u.str.s, why);
  }
  rc = regexec(&rx, s->u.str.s, 0, NULL, 0);
  regfree(&rx);
  return value_bool(rc == 0);
}

/* Returns the position of needle (n bytes) in hay[from..h), or h when absent. */
static size_t find(const char *hay, size_t h, size_t from, const char *needle, size_t n) {
  for (size_t i = from; n <= h && i <= h - n; i++)
    if (memcmp(hay + i, needle, n) == 0) return i;
  return h;
}

/* split(s, sep): the pieces of s between occurrences of sep ("a,,b" gives three). */
rbk_value *builtins_split(const bi_call *c) {
  const rbk_value *s = string_arg(c, 0), *sep = s ? string_arg(c, 1) : NULL;
  if (!sep) return NULL;
  if (sep->u.str.len == 0) return builtins_fail(c, "empty separator");
  rbk_value *out = value_list(0);
  size_t from = 0, h = s->u.str.len;
  while (out) {
    size_t at = find(s->u.str.s, h, from, sep->u.str.s, sep->u.str.len);
    if (!value_list_push(out, value_string(s->u.str.s + from, at - from))) {
      value_unref(out);
      return builtins_oom(c);
    }
    if (at == h) break;
    from = at + sep->u.str.len;
  }
  return out ? out : builtins_oom(c);
}

/* Returns true after appending the text of a join element (strings, numbers, bools, durations,
 * times; secrets' plain text, whose bytes stay secret in the result). */
static bool join_piece(const bi_call *c, val_text *b, const rbk_value *v, size_t at) {
  bool scalar = v->kind == VAL_INT || v->kind == VAL_FLOAT || v->kind == VAL_BOOL ||
                v->kind == VAL_DURATION || v->kind == VAL_TIME;
  if (!scalar && v->kind != VAL_STRING && v->kind != VAL_SECRET) {
    builtins_fail(c, "element [%zu] is %s, expected a string, number, bool, duration or time", at, value_kind_article(v->kind));
    return false;
  }
  value_text_add(b, v);
  return true;
}

/* join(list, sep): the elements' text with sep between them; a secret element makes the result a
 * secret that masks only that element's text. */
rbk_value *builtins_join(const bi_call *c) {
  if (!builtins_is(c, 0, VAL_LIST)) return builtins_want(c, 0, "a list");
  const rbk_value *list = builtins_arg(c, 0), *sep = string_arg(c, 1);
  if (!sep) return NULL;
  val_text b = {0};
  for (size_t i = 0; i < list->u.list.len; i++) {
    if (i) value_text_put(&b, sep->u.str.s, sep->u.str.len);
    if (!join_piece(c, &b, list->u.list.items[i], i)) {
      rbk_value *partial = value_text_finish(&b);
      value_unref(partial);
      return NULL;
    }
  }
  rbk_value *r = value_text_finish(&b);
  return r ? r : builtins_oom(c);
}

/* How upper, lower and trim change text. */
typedef enum { TEXT_UPPER, TEXT_LOWER, TEXT_TRIM } text_op;

/* Returns true for ASCII white space. */
static bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f'; }

/* Returns a malloc'ed copy of s[0..*len) changed by op (*len updated), or NULL. */
static char *apply_text(const char *s, size_t *len, text_op op) {
  size_t from = 0, to = *len;
  if (op == TEXT_TRIM) {
    while (from < to && is_space(s[from])) from++;
    while (to > from && is_space(s[to - 1])) to--;
  }
  char *out = malloc(to - from + 1);
  if (!out) return NULL;
  for (size_t i = from; i < to; i++) {
    char ch = s[i];
    if (op == TEXT_UPPER && ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
    if (op == TEXT_LOWER && ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
    out[i - from] = ch;
  }
  out[to - from] = '\0';
  *len = to - from;
  return out;
}

/* Returns the string (or secret, kept secret) argument changed by op. */
static rbk_value *change_text(const bi_call *c, text_op op) {
  const rbk_value *v = builtins_arg(c, 0);
  if (v->kind != VAL_STRING && v->kind != VAL_SECRET) return builtins_want(c, 0, "a string");
  bool secret = v->kind == VAL_SECRET;
  size_t len = secret ? strlen(v->u.secret.plain) : v->u.str.len;
  char *out = apply_text(secret ? v->u.secret.plain : v->u.str.s, &len, op);
  if (!out) return builtins_oom(c);
  if (!secret) return value_string_take(out, len);
  rbk_value *r = value_secret(v->u.secret.name, out);
  memset(out, 0, len);
  free(out);
  return r ? r : builtins_oom(c);
}

/* upper(s): ASCII letters in upper case. */
rbk_value *builtins_upper(const bi_call *c) { return change_text(c, TEXT_UPPER); }

/* lower(s): ASCII letters in lower case. */
rbk_value *builtins_lower(const bi_call *c) { return change_text(c, TEXT_LOWER); }

/* trim(s): without leading and trailing ASCII white space. */
rbk_value *builtins_trim(const bi_call *c) { return change_text(c, TEXT_TRIM); }

/* str(x): x as text (value_show); strings and secrets are returned as they are. */
rbk_value *builtins_str(const bi_call *c) {
  const rbk_value *x = builtins_arg(c, 0);
  if (x->kind == VAL_STRING || x->kind == VAL_SECRET) return value_ref((rbk_value *)x);
  char *text = value_show(x);
  rbk_value *v = text ? value_string_take(text, strlen(text)) : NULL;
  return v ? v : builtins_oom(c);
}
