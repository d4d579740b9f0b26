/* parse_error.c — wording syntax errors. */
#include "parse_error.h"

#include "lex.h"

#include <stdio.h>
#include <string.h>

enum { MAX_LISTED = 6, MAX_LEXEME = 32 };

static const char *const opener_texts[] = {
#define X(k, open, close) open,
    PARSE_OPENERS(X)
#undef X
};

/* Writes into buf the unexpected token as the message names it: "identifier 'foo'", "'else'". */
static void describe(const parse_ctx *ctx, rbk_span at, perr_sym got, char *buf, size_t size) {
  size_t len;
  const char *line = (got.flags & PSYM_LEXEME) ? source_line(ctx->src, at.line, &len) : NULL;
  if (!line || at.col < 1 || (size_t)at.col > len) {
    snprintf(buf, size, "%s", got.name);
    return;
  }
  size_t start = (size_t)at.col - 1;
  size_t n = at.end_line == at.line && at.end_col >= at.col ? (size_t)(at.end_col - at.col) + 1 : len - start;
  if (n > len - start) n = len - start;
  snprintf(buf, size, "%s '%.*s%s'", got.name, (int)(n > MAX_LEXEME ? MAX_LEXEME : n), line + start,
           n > MAX_LEXEME ? "…" : "");
}

/* Returns true when the expected list contains a symbol with all of `flags`. */
static bool expects(const perr_sym *expected, int n, unsigned flags) {
  for (int i = 0; i < n; i++)
    if ((expected[i].flags & flags) == flags) return true;
  return false;
}

/* Returns true when a binary operator could come here (an expression just ended). */
static bool expects_operator(const perr_sym *expected, int n) {
  for (int i = 0; i < n; i++)
    if ((expected[i].flags & (PSYM_INFIX | PSYM_EXPR)) == PSYM_INFIX) return true;
  return false;
}

/* Returns true when the expected list contains the symbol named `name`. */
static bool expects_name(const perr_sym *expected, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (!strcmp(expected[i].name, name)) return true;
  return false;
}

/* Returns how many expected symbols have all of `flags`. */
static int count(const perr_sym *expected, int n, unsigned flags) {
  int k = 0;
  for (int i = 0; i < n; i++) k += (expected[i].flags & flags) == flags;
  return k;
}

/* Which groups of expected symbols a message names by a summary. */
typedef struct {
  bool names, stmt, expr, ops, newline;
} summary;

/* Returns the summaries that apply to the expected symbols. */
static summary summarise(const perr_sym *expected, int n) {
  summary s;
  s.names = count(expected, n, PSYM_KEYWORD) >= PSYM_KEYWORDS; /* a name: any keyword goes */
  s.stmt = !s.names && count(expected, n, PSYM_STMT) >= 3;
  s.expr = !s.stmt && count(expected, n, PSYM_EXPR | PSYM_LEXEME) >= 2;
  int infix = count(expected, n, PSYM_INFIX) - count(expected, n, PSYM_INFIX | PSYM_EXPR);
  if (s.names) infix -= count(expected, n, PSYM_INFIX | PSYM_KEYWORD);
  s.ops = infix > 2;
  s.newline = expects(expected, n, PSYM_NEWLINE);
  return s;
}

/* Returns true when the expected symbol is left out of the list because a summary covers it. */
static bool summarised(unsigned f, summary s) {
  if (s.names && (f & PSYM_KEYWORD)) return true;
  if (s.stmt && (f & (PSYM_STMT | PSYM_DECL | PSYM_EXPR))) return true;
  if (s.expr && (f & PSYM_EXPR)) return true;
  if (s.newline && (f & PSYM_SEMI)) return true;
  return s.ops && (f & (PSYM_INFIX | PSYM_COMPARE));
}

/* Returns true when `name` is among the first k names (the two tokens of 'if' have one name). */
static bool listed(const char *const *names, int k, const char *name) {
  for (int i = 0; i < k; i++)
    if (!strcmp(names[i], name)) return true;
  return false;
}

/* Appends ", expected A, B or C" to buf, summarising statement, expression and operator tokens;
 * appends nothing when the list would be too long to help. */
static void expected_text(const perr_sym *expected, int n, char *buf, size_t size) {
  const char *names[MAX_LISTED + 4];
  int k = 0;
  summary s = summarise(expected, n);
  for (int i = 0; i < n && k <= MAX_LISTED; i++)
    if (!summarised(expected[i].flags, s) && !listed(names, k, expected[i].name)) names[k++] = expected[i].name;
  if (s.ops) names[k++] = "an operator";
  if (s.stmt) names[k++] = "a statement";
  if (s.expr) names[k++] = "an expression";
  if (k == 0 || k > MAX_LISTED) return;
  size_t used = strlen(buf);
  used += (size_t)snprintf(buf + used, size - used, ", expected ");
  for (int i = 0; i < k && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", i == 0 ? "" : i == k - 1 ? " or " : ", ", names[i]);
}

/* Writes a targeted message for a common mistake into buf; returns false when none applies. */
static bool hint(perr_sym got, const perr_sym *expected, int n, char *buf, size_t size) {
  if ((got.flags & PSYM_COMPARE) && expects(expected, n, PSYM_INFIX) && !expects_name(expected, n, got.name))
    snprintf(buf, size, "comparisons do not chain: %s cannot follow a comparison; write 'a < b and b < c'",
             got.name);
  else if ((got.flags & PSYM_DECL) && !expects(expected, n, PSYM_DECL))
    snprintf(buf, size, "%s is only allowed at the top level of a file", got.name);
  else if (got.flags & PSYM_ARROW)
    snprintf(buf, size, "unexpected '=>': a lambda takes one parameter name before '=>' (p => p.ready)");
  else if ((got.flags & PSYM_ASSIGN) && expects_operator(expected, n) && !expects(expected, n, PSYM_ASSIGN))
    snprintf(buf, size, "unexpected '=': names are bound once with 'let name = …'; compare with '=='");
  else if ((got.flags & PSYM_NEWLINE) && expects(expected, n, PSYM_LBRACE))
    snprintf(buf, size, "unexpected end of line: the block's '{' goes on the same line as its statement");
  else
    return false;
  return true;
}

/* Returns true when the token at `at` is the first one on its line. */
static bool first_on_line(const parse_ctx *ctx, rbk_span at) {
  size_t len;
  const char *line = source_line(ctx->src, at.line, &len);
  if (!line || at.col < 1 || (size_t)at.col > len + 1) return false;
  for (int i = 0; i < at.col - 1; i++)
    if (line[i] != ' ' && line[i] != '\t') return false;
  return true;
}

/* Returns true when `got` is an operator that can only continue an expression (not start one) and
 * stands first on a line where the statement before it ended: the writer meant to continue it. */
static bool continues_line(const parse_ctx *ctx, rbk_span at, perr_sym got, const perr_sym *expected, int n) {
  if (!(got.flags & PSYM_INFIX) || (got.flags & (PSYM_EXPR | PSYM_ARROW))) return false;
  if (!expects(expected, n, PSYM_NEWLINE) && !expects(expected, n, PSYM_END)) return false;
  return first_on_line(ctx, at);
}

/* Adds a note to diagnostic `idx` at the bracket that the error leaves unclosed, if any. */
static void note_unclosed(parse_ctx *ctx, int idx, rbk_span at, perr_sym got, const perr_sym *expected, int n) {
  if (ctx->has_unclosed && ctx->unclosed_by.line == at.line && ctx->unclosed_by.col == at.col) {
    diag_note(ctx->diags, idx, parse_span(ctx, ctx->unclosed.at), "to match this '%s'", opener_texts[ctx->unclosed.kind]);
    return;
  }
  if (!ctx->depth || (got.flags & PSYM_PLAIN_STR)) return; /* the innermost entry: the string, which no
                                                           * expected token closes */
  open_entry top = ctx->stack[ctx->depth - 1];
  if (got.flags & PSYM_END) {
    diag_note(ctx->diags, idx, parse_span(ctx, top.at), "'%s' opened here", opener_texts[top.kind]);
    return;
  }
  for (int i = 0; i < n; i++)
    if (expected[i].closes == (int)top.kind && top.at.line != at.line) {
      diag_note(ctx->diags, idx, parse_span(ctx, top.at), "to match this '%s'", opener_texts[top.kind]);
      return;
    }
}

/* Prepares the scanner for the parser's recovery: brackets left open before a statement keyword
 * are closed, and tokens inside brackets opened from here on cannot end the recovery. */
static void start_recovery(parse_ctx *ctx, perr_sym got) {
  if (got.flags & (PSYM_STMT | PSYM_DECL))
    while (ctx->depth && (ctx->stack[ctx->depth - 1].kind == OPEN_PAREN || ctx->stack[ctx->depth - 1].kind == OPEN_BRACKET))
      ctx->depth--;
  ctx->recovering = !(got.flags & PSYM_ENDS_RECOVERY);
  ctx->recover_depth = ctx->depth + ((got.flags & PSYM_PLAIN_STR) != 0); /* with the string open */
}

/* Reports the syntax error at `at`: the unexpected token `got` where `expected` (n of them) could have
 * come. */
void parse_error_syntax(parse_ctx *ctx, rbk_span at, perr_sym got, const perr_sym *expected, int n) {
  if (ctx->halted || ctx->oom) return;
  /* a '}' that closes nothing after an unexpected '}' (which closed its block too early) */
  bool brace = got.closes == OPEN_BRACE;
  bool follow_on = at.line == ctx->error_line || (brace && !ctx->has_unclosed && ctx->stray_closers > 0);
  if ((got.flags & PSYM_UNDEF) || follow_on) {
    if (follow_on && at.line != ctx->error_line) ctx->stray_closers--;
    ctx->error_line = at.line;
    start_recovery(ctx, got);
    return;
  }
  ctx->error_line = at.line;
  if (brace) ctx->stray_closers++;
  char msg[512], what[MAX_LEXEME + 64];
  bool continued = continues_line(ctx, at, got, expected, n);
  if (!continued && hint(got, expected, n, msg, sizeof msg)) {
    parse_report(ctx, at, "%s", msg);
  } else {
    describe(ctx, at, got, what, sizeof what);
    snprintf(msg, sizeof msg, "unexpected %s", what);
    expected_text(expected, n, msg, sizeof msg);
    if (continued) {
      size_t used = strlen(msg);
      snprintf(msg + used, sizeof msg - used, "; to continue an expression on the next line, end this line with the "
                                              "operator");
    }
    int idx = parse_report(ctx, at, "%s", msg);
    note_unclosed(ctx, idx, at, got, expected, n);
  }
  start_recovery(ctx, got);
}

/* Reports that the parser's stack is full (input nested too deeply) and halts the parse. */
void parse_error_stack_full(parse_ctx *ctx, rbk_span at) {
  if (ctx->oom || ctx->halted) return;
  parse_report(ctx, at, "nesting too deep: the parser's stack is full (more than %d levels)", PARSE_MAX_STACK);
  parse_halt(ctx);
}

/* Returns the span just past the end of the source (for end of file). */
parse_loc parse_error_end_span(const parse_ctx *ctx) { return lex_here(ctx); }
