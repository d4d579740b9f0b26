/* lex_num.c — number and duration literals: values, overflow errors, malformed numbers. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "lex.h"


/* Returns a new literal node carrying a copy of the lexeme in lit.text; NULL when out of memory. */
static ast_node *lexeme_node(parse_ctx *ctx, ast_kind kind, const char *text, size_t len, parse_loc at) {
  ast_node *n = ast_new(ctx->file, kind, parse_span(ctx, at));
  char *copy = n ? ast_strdup(ctx->file, text, len) : NULL;
  if (!copy) {
    parse_oom(ctx);
    return NULL;
  }
  n->u.lit.text = copy;
  return n;
}

/* Returns true after adding digit d to *v (decimal), false on overflow. */
static bool add_digit(int64_t *v, int d) {
  return !__builtin_mul_overflow(*v, 10, v) && !__builtin_add_overflow(*v, d, v);
}

/* Returns a new INT_LIT node for the decimal digits (NULL after an error: overflow, OOM). */
ast_node *lex_int(parse_ctx *ctx, const char *text, size_t len, parse_loc at) {
  ast_node *n = ast_new(ctx->file, AST_INT_LIT, parse_span(ctx, at));
  if (!n) {
    parse_oom(ctx);
    return NULL;
  }
  int64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (!add_digit(&v, text[i] - '0')) {
      parse_report(ctx, parse_span(ctx, at), "integer literal too large (the largest is %lld)", (long long)INT64_MAX);
      v = INT64_MAX;
      break;
    }
  }
  n->u.lit.i = v;
  return n;
}

/* Returns a new FLOAT_LIT node (lit.text = lexeme), or NULL after an error. */
ast_node *lex_float(parse_ctx *ctx, const char *text, size_t len, parse_loc at) {
  ast_node *n = lexeme_node(ctx, AST_FLOAT_LIT, text, len, at);
  if (!n) return NULL;
  n->u.lit.f = strtod(n->u.lit.text, NULL);
  if (isinf(n->u.lit.f)) parse_report(ctx, parse_span(ctx, at), "float literal out of range");
  return n;
}

/* Returns the milliseconds of the unit at text[*i] (ms s m h d; "ms" before "m") and moves *i past
 * it (-1 when none). */
static int64_t unit_ms(const char *text, size_t len, size_t *i) {
  if (*i >= len) return -1;
  switch (text[(*i)++]) {
  case 'm':
    if (*i < len && text[*i] == 's') {
      ++*i;
      return 1;
    }
    return 60000;
  case 's': return 1000;
  case 'h': return 3600000;
  case 'd': return 86400000;
  default: --*i; return -1;
  }
}

/* Returns the total milliseconds of "1h30m"-style text, or -1 when it overflows. */
static int64_t duration_ms(const char *text, size_t len) {
  int64_t total = 0;
  size_t i = 0;
  while (i < len) {
    int64_t count = 0, part;
    for (; i < len && text[i] >= '0' && text[i] <= '9'; i++)
      if (!add_digit(&count, text[i] - '0')) return -1;
    int64_t ms = unit_ms(text, len, &i);
    if (ms < 0 || __builtin_mul_overflow(count, ms, &part) || __builtin_add_overflow(total, part, &total))
      return -1;
  }
  return total;
}

/* Returns a new DURATION_LIT node (lit.i = milliseconds, lit.text = lexeme), or NULL after an error. */
ast_node *lex_duration(parse_ctx *ctx, const char *text, size_t len, parse_loc at) {
  ast_node *n = lexeme_node(ctx, AST_DURATION_LIT, text, len, at);
  if (!n) return NULL;
  int64_t ms = duration_ms(text, len);
  if (ms < 0) {
    parse_report(ctx, parse_span(ctx, at), "duration literal too large");
    ms = INT64_MAX;
  }
  n->u.lit.i = ms;
  return n;
}

/* Reports a malformed number such as "5min" or "0x10". */
void lex_bad_number(parse_ctx *ctx, const char *text, size_t len, parse_loc at) {
  int shown = len > 40 ? 40 : (int)len;
  const char *more = len > 40 ? "…" : "";
  parse_report(ctx, parse_span(ctx, at), "invalid number '%.*s%s' (numbers: 90, 85.3, 1.5e3; durations: 500ms, 90s, 2m, 1h, 1d, "
                        "1h30m)", shown, text, more);
}
