/* lex.h — the scanner's helpers (lexer.l keeps only patterns and one-line actions): positions,
 * the bracket stack, newline significance, literals, string text, comments and bad bytes.
 *
 * Ownership: nodes made by lex_int/lex_float/lex_duration and the text that lex_text_take returns are
 * in the arena of the file being built (ast.h).
 */
#ifndef RBK_LEX_H
#define RBK_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "parse_int.h"
#include "parser.h" /* the token numbers (TK_…) */

/* Sets *loc to the span of the token text[0..len) (len >= 1), on the current line: the column is the
 * offset from the line's start. Inline: it runs for every match. The rules that consume a newline
 * move to the next line (lx_newline); no other pattern matches one (see lexer.l). */
static inline void lx_advance(const parse_ctx *ctx, parse_loc *loc, const char *text, size_t len) {
  int line = ctx->line, col = (int)(text - ctx->line_start) + 1;
  loc->line = loc->end_line = line; /* field by field (with gcc's SLP vectorizer off for the scanner,
                                     * CMakeLists.txt: it assembled the struct in SSE registers) */
  loc->col = col;
  loc->end_col = col + (int)len - 1;
}
/* Moves the position to the next line, which starts at `start` (just past a newline). */
static inline void lx_newline(parse_ctx *ctx, const char *start) {
  ctx->line++;
  ctx->line_start = start;
}
/* Moves flex's scan position past the spaces and tabs at it (what the rule for blanks would match):
 * the fast path for the runs of blanks between tokens, which are otherwise a third of flex's
 * matches. *cur is flex's yy_c_buf_p, where flex put a NUL in place of the source byte it keeps in
 * *hold; the source is scanned in place and ends in NULs. */
static inline void lx_skip_blanks(char **cur, char *hold) {
  if (*hold != ' ' && *hold != '\t') return;
  char *p = *cur, *q = p + 1;
  *p = *hold;
  while (*q == ' ' || *q == '\t') q++;
  *hold = *q; /* flex writes it back at the start of its loop */
  *cur = q;
}
/* Returns the zero-width span at the current position (end of file, virtual tokens). */
parse_loc lex_here(const parse_ctx *ctx);

/* Returns `tok` after recording it as the last token of code (for newline significance). */
static inline int lx_tok(parse_ctx *ctx, int tok) {
  ctx->last_tok = tok;
  ctx->line_has_token = true;
  return tok;
}
/* Returns `tok` after recording `as` as the last token of code: a plain string (STR) counts as the
 * STR_END that ends any other. */
static inline int lx_tok_as(parse_ctx *ctx, int tok, int as) {
  ctx->last_tok = as;
  ctx->line_has_token = true;
  return tok;
}
/* Returns true when an 'if' here starts a statement (an if statement, or a conditional arm's own
 * 'if' right after '{'); elsewhere it starts a conditional expression. */
bool lex_if_starts_stmt(const parse_ctx *ctx);
/* Returns true when a newline at this point ends a statement; either way the line is done. */
bool lex_newline_counts(parse_ctx *ctx);
/* Returns true when end of file here needs a statement-ending NEWLINE first (and records it). */
bool lex_eof_newline(parse_ctx *ctx);

/* Opens a bracket, string or interpolation; returns false when nesting is too deep (the error is
 * reported and the scan halted). */
bool lex_push(parse_ctx *ctx, parse_opener kind, parse_loc at);
/* Returns the innermost open entry's kind, or -1 when nothing is open. */
int lex_top(const parse_ctx *ctx);
/* What a closing ')' ']' '}' turned out to be. */
typedef enum {
  CLOSE_TOKEN,         /* the closer */
  CLOSE_INTERP,        /* the '}' that ends a ${…} */
  CLOSE_NEWLINE_FIRST, /* a '}' that ends a statement: a NEWLINE comes first */
  CLOSE_SKIP,          /* while recovering from a syntax error, a closer the parser must not see */
} lx_close_kind;
/* Closes the innermost matching entry for `kind` (PAREN, BRACKET or BRACE), discarding unclosed
 * entries above it (a closer that matches nothing closes the innermost bracket); returns what the
 * closer is. */
lx_close_kind lex_close(parse_ctx *ctx, parse_opener kind, parse_loc at);
/* lex_push, inline when the stack has room. */
static inline bool lx_push(parse_ctx *ctx, parse_opener kind, parse_loc at) {
  if (ctx->depth == ctx->stack_cap || ctx->depth >= PARSE_MAX_NESTING) return lex_push(ctx, kind, at);
  ctx->stack[ctx->depth++] = (open_entry){kind, at};
  return true;
}
/* lex_close for a ')' or ']' (kind OPEN_PAREN or OPEN_BRACKET), inline when it closes the innermost
 * entry. */
static inline lx_close_kind lx_close_bracket(parse_ctx *ctx, parse_opener kind, parse_loc at) {
  if (!ctx->depth || ctx->stack[ctx->depth - 1].kind != kind) return lex_close(ctx, kind, at);
  ctx->has_unclosed = false;
  ctx->depth--;
  return CLOSE_TOKEN;
}
/* Returns true when a token of kind `tok` can end an expression (and so a statement). */
bool lex_can_end(int tok);
/* lex_close for a '}' (kind OPEN_BRACE), inline when it closes the innermost entry, a '{', outside
 * error recovery. */
static inline lx_close_kind lx_close_brace(parse_ctx *ctx, parse_loc at) {
  if (!ctx->depth || ctx->stack[ctx->depth - 1].kind != OPEN_BRACE || ctx->recovering)
    return lex_close(ctx, OPEN_BRACE, at);
  if (lex_can_end(ctx->last_tok)) {
    ctx->last_tok = TK_NEWLINE;
    return CLOSE_NEWLINE_FIRST;
  }
  ctx->has_unclosed = false;
  ctx->depth--;
  return CLOSE_TOKEN;
}
/* Returns ';' or, while recovering from a syntax error inside brackets opened since, YYUNDEF. */
int lex_semicolon(parse_ctx *ctx);
/* Closes the string at the top of the stack. */
void lex_pop(parse_ctx *ctx);
/* Reports the unterminated string at the top of the stack and closes it. */
void lex_unterminated(parse_ctx *ctx, bool at_newline);

/* Returns a new INT_LIT node for the decimal digits (NULL after an error: overflow, OOM). */
ast_node *lex_int(parse_ctx *ctx, const char *text, size_t len, parse_loc at);
/* Returns a new FLOAT_LIT node (lit.text = lexeme), or NULL after an error. */
ast_node *lex_float(parse_ctx *ctx, const char *text, size_t len, parse_loc at);
/* Returns a new DURATION_LIT node (lit.i = milliseconds, lit.text = lexeme), or NULL after an error. */
ast_node *lex_duration(parse_ctx *ctx, const char *text, size_t len, parse_loc at);
/* Reports a malformed number such as "5min" or "0x10". */
void lex_bad_number(parse_ctx *ctx, const char *text, size_t len, parse_loc at);

/* Appends source text to the pending string text (reporting invalid UTF-8 and NUL bytes); the text
 * must last until the pending text is taken (it is the source, or a literal). */
void lex_text_run(parse_ctx *ctx, const char *text, size_t len, parse_loc at);
/* Appends source text known to be ASCII without NUL bytes to the pending string text. */
void lex_text_ascii(parse_ctx *ctx, const char *text, size_t len, parse_loc at);
/* Returns true when string text is pending. */
static inline bool lx_text_pending(const parse_ctx *ctx) { return ctx->view_len || ctx->text.len; }
/* Returns true when the text of a "…" string (or of a """…""" one when `triple`) ends at p, flex's
 * position, whose byte flex holds in `hold` (a NUL is in its place): the closing quotes or a "${"
 * come next. The source ends in two NULs, so p[1] and p[2] can be read after a quote. */
static inline bool lx_text_ends(bool triple, char hold, const char *p) {
  if (hold == '"') return !triple || (p[1] == '"' && p[2] == '"');
  return hold == '$' && p[1] == '{';
}
/* Appends the character that the escape yytext ("\\n", "\\u{1F600}", …) stands for, or reports it. */
void lex_text_escape(parse_ctx *ctx, const char *text, size_t len, parse_loc at);
/* Returns the pending string text, moved into the file's arena (the pending text is empty
 * afterwards); *at gets its span. Out of memory is recorded and returned with s == NULL. */
text_buf lex_text_take(parse_ctx *ctx, parse_loc *at);

/* Keeps the comment text[0..len) (starting with '#') for the formatter. */
void lex_comment(parse_ctx *ctx, const char *text, size_t len, parse_loc at);
/* Reports a byte or character that cannot start a token. */
void lex_bad_char(parse_ctx *ctx, const char *text, size_t len, parse_loc at);

/* Defined in lexer.l: puts back the source byte under flex's NUL after the last token scanned. */
void rbk_yyrestore(void *scanner);
/* Defined in lexer.l: returns flex's position, the byte after the last token scanned. */
const char *rbk_yypos(void *scanner);

#endif
