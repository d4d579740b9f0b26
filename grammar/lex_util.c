/* lex_util.c — the scanner's helpers: positions, the bracket stack and newline significance. */
#include "lex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "parser.h"

/* Returns the zero-width span at the current position (end of file, virtual tokens). */
parse_loc lex_here(const parse_ctx *ctx) {
  int col = (int)(rbk_yypos(ctx->scanner) - ctx->line_start) + 1;
  return (parse_loc){ctx->line, col, ctx->line, col};
}

/* Returns true when a token of kind `tok` can end an expression (and so a statement). */
bool lex_can_end(int tok) {
  switch (tok) {
  case TK_IDENT: case TK_INT: case TK_FLOAT: case TK_DURATION: case TK_STR_END:
  case TK_TRUE: case TK_FALSE: case TK_NULL_KW: case TK_RPAREN: case TK_RBRACKET: case TK_RBRACE:
    return true;
  default:
    return false;
  }
}

/* Returns true when an 'if' here starts a statement: at the start of the file or of a line, after
 * ';', '{', '}' or 'else'. */
bool lex_if_starts_stmt(const parse_ctx *ctx) {
  switch (ctx->last_tok) {
  case 0: case TK_NEWLINE: case TK_SEMI: case TK_LBRACE: case TK_RBRACE: case TK_ELSE: return true;
  default: return false;
  }
}

/* Returns the innermost open entry's kind, or -1 when nothing is open. */
int lex_top(const parse_ctx *ctx) { return ctx->depth ? (int)ctx->stack[ctx->depth - 1].kind : -1; }

/* Returns true when newlines at this point of the bracket stack may end statements. */
static bool newlines_matter(const parse_ctx *ctx) {
  int top = lex_top(ctx);
  return top == -1 || top == OPEN_BRACE;
}

/* Returns true unless the parser is recovering from a syntax error and the token at this depth
 * cannot end the recovery (it belongs to brackets opened since the error); a token that can ends
 * it. */
static bool ends_recovery(parse_ctx *ctx, size_t depth) {
  if (!ctx->recovering) return true;
  if (depth > ctx->recover_depth) return false;
  ctx->recovering = false;
  return true;
}

/* Returns true when a newline at this point ends a statement; either way the line is done. */
bool lex_newline_counts(parse_ctx *ctx) {
  ctx->line_has_token = false;
  if (!newlines_matter(ctx) || !lex_can_end(ctx->last_tok) || !ends_recovery(ctx, ctx->depth)) return false;
  ctx->last_tok = TK_NEWLINE;
  return true;
}

/* Returns ';' or, while recovering from a syntax error inside brackets opened since, YYUNDEF. */
int lex_semicolon(parse_ctx *ctx) { return ends_recovery(ctx, ctx->depth) ? lx_tok(ctx, TK_SEMI) : TK_RBK_YYUNDEF; }

/* Returns true when end of file here needs a statement-ending NEWLINE first (and records it). */
bool lex_eof_newline(parse_ctx *ctx) {
  if (!newlines_matter(ctx) || !lex_can_end(ctx->last_tok)) return false;
  ctx->last_tok = TK_NEWLINE;
  return true;
}

/* Opens a bracket, string or interpolation; returns false when nesting is too deep (the error is reported
 * and the scan halted). */
bool lex_push(parse_ctx *ctx, parse_opener kind, parse_loc at) {
  if (ctx->depth >= PARSE_MAX_NESTING) {
    parse_report(ctx, parse_span(ctx, at), "nesting too deep: more than %d brackets, strings and interpolations open at once",
                 PARSE_MAX_NESTING);
    parse_halt(ctx);
    return false;
  }
  if (ctx->depth == ctx->stack_cap && !GROW(ctx->stack, ctx->stack_cap, ctx->depth + 1)) {
    parse_oom(ctx);
    return false;
  }
  ctx->stack[ctx->depth++] = (open_entry){kind, at};
  return true;
}

/* Returns the index of the entry that a closer of `kind` closes: the innermost match, not looking
 * past a string or an interpolation; else an innermost '(' or '['; else -1. */
static long closed_entry(const parse_ctx *ctx, parse_opener kind) {
  for (size_t i = ctx->depth; i-- > 0;) {
    parse_opener k = ctx->stack[i].kind;
    if (k == kind || (kind == OPEN_BRACE && k == OPEN_INTERP)) return (long)i;
    if (k == OPEN_STR || k == OPEN_TSTR || k == OPEN_INTERP) break;
  }
  int top = lex_top(ctx);
  return top == OPEN_PAREN || top == OPEN_BRACKET ? (long)ctx->depth - 1 : -1;
}

/* Closes the innermost matching entry for `kind` (PAREN, BRACKET or BRACE), discarding unclosed entries
 * above it (a closer that matches nothing closes the innermost bracket); returns what the closer is. */
lx_close_kind lex_close(parse_ctx *ctx, parse_opener kind, parse_loc at) {
  if (kind == OPEN_BRACE && lex_top(ctx) == OPEN_BRACE && lex_can_end(ctx->last_tok) && !ctx->recovering) {
    ctx->last_tok = TK_NEWLINE;
    return CLOSE_NEWLINE_FIRST;
  }
  ctx->has_unclosed = false;
  long i = closed_entry(ctx, kind);
  if (i < 0) return CLOSE_TOKEN; /* nothing to close: the parser reports it */
  parse_opener k = ctx->stack[i].kind;
  bool match = k == kind || (kind == OPEN_BRACE && k == OPEN_INTERP);
  if (!match || (size_t)i + 1 < ctx->depth) {
    ctx->has_unclosed = true;
    ctx->unclosed = ctx->stack[ctx->depth - 1];
    ctx->unclosed_by = at;
  }
  ctx->depth = (size_t)i;
  if (kind != OPEN_BRACE) return CLOSE_TOKEN;
  if (!ends_recovery(ctx, (size_t)i + 1)) {
    ctx->last_tok = TK_RBRACE; /* for the newline after it */
    return CLOSE_SKIP;
  }
  return k == OPEN_INTERP ? CLOSE_INTERP : CLOSE_TOKEN;
}

/* Closes the string at the top of the stack. */
void lex_pop(parse_ctx *ctx) {
  if (ctx->depth) ctx->depth--;
}

/* Reports the unterminated string at the top of the stack and closes it. */
void lex_unterminated(parse_ctx *ctx, bool at_newline) {
  if (!ctx->depth) return;
  open_entry e = ctx->stack[--ctx->depth];
  if (at_newline && e.kind == OPEN_STR)
    parse_report(ctx, parse_span(ctx, e.at), "unterminated string: a \"…\" string ends on its line (use \"\"\"…\"\"\" for text "
                            "on several lines)");
  else
    parse_report(ctx, parse_span(ctx, e.at), "unterminated string: the file ends before its closing %s",
                 e.kind == OPEN_TSTR ? "'\"\"\"'" : "'\"'");
}

/* Returns the length of the UTF-8 sequence starting at s[0..n) when it is valid, else 0. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  if (c < 0xC2 || c > 0xF4 || n < len) return 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < len; i++)
    if (s[i] < 0x80 || s[i] > 0xBF) return 0;
  return len;
}

/* Returns true when the 8 bytes at p are ASCII and none is NUL. */
static bool ascii8(const unsigned char *p) {
  uint64_t w;
  memcpy(&w, p, sizeof w);
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  return !(w & highs) && !((w - ones) & ~w & highs);
}

/* Returns the length of the valid UTF-8 prefix of s[0..n) without NUL bytes. */
static size_t lex_utf8_valid(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i + 8 <= n && ascii8(u + i)) i += 8; /* most text is ASCII: 8 bytes a step */
  while (i < n) {
    if (u[i] - 1u < 0x7Fu) { /* 0x01..0x7F */
      i++;
      continue;
    }
    size_t len = u[i] ? utf8_seq(u + i, n - i) : 0;
    if (!len) break;
    i += len;
  }
  return i;
}

/* Reports the bad byte at s[0] (NUL or invalid UTF-8) at `at`. */
static void bad_byte(parse_ctx *ctx, const char *s, parse_loc at, const char *where) {
  unsigned char c = (unsigned char)s[0];
  at.end_line = at.line;
  at.end_col = at.col;
  if (c == 0)
    parse_report(ctx, parse_span(ctx, at), "NUL byte %s", where);
  else
    parse_report(ctx, parse_span(ctx, at), "invalid UTF-8 byte 0x%02X %s", c, where);
}

/* Returns the code point of the valid UTF-8 sequence text[0..len). */
static unsigned long utf8_decode(const char *text, size_t len) {
  const unsigned char *u = (const unsigned char *)text;
  unsigned long cp = u[0] & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t i = 1; i < len; i++) cp = (cp << 6) | (u[i] & 0x3F);
  return cp;
}

/* Reports a byte or character that cannot start a token. */
void lex_bad_char(parse_ctx *ctx, const char *text, size_t len, parse_loc at) {
  unsigned char c = (unsigned char)text[0];
  if (c == '\'')
    parse_report(ctx, parse_span(ctx, at), "strings are written in double quotes, not '…'");
  else if (len == 2 && (!memcmp(text, "&&", 2) || !memcmp(text, "||", 2)))
    parse_report(ctx, parse_span(ctx, at), "unexpected '%.2s': write '%s'", text, text[0] == '&' ? "and" : "or");
  else if (c == '!')
    parse_report(ctx, parse_span(ctx, at), "unexpected '!': write 'not' (or '!=' to compare)");
  else if (len > 1)
    parse_report(ctx, parse_span(ctx, at), "unexpected character '%.*s' (U+%04lX)", (int)len, text, utf8_decode(text, len));
  else if (c == 0 || c >= 0x80)
    bad_byte(ctx, text, at, "in the source");
  else if (c < 0x20 || c == 0x7F)
    parse_report(ctx, parse_span(ctx, at), "unexpected control character 0x%02X", c);
  else
    parse_report(ctx, parse_span(ctx, at), "unexpected character '%c'", c);
}

/* Reports every NUL and invalid UTF-8 byte of text[0..len) (one line, starting at `at`); calls
 * `good` with each valid run. Returns nothing; `where` completes the message. */
static void check_utf8(parse_ctx *ctx, const char *text, size_t len, parse_loc at, const char *where,
                       void (*good)(parse_ctx *, const char *, size_t)) {
  size_t i = 0;
  while (i < len && !ctx->halted) {
    size_t ok = lex_utf8_valid(text + i, len - i);
    if (ok && good) good(ctx, text + i, ok);
    i += ok;
    if (i >= len) break;
    parse_loc b = at;
    b.col = at.col + (int)i;
    bad_byte(ctx, text + i, b, where);
    if (good) good(ctx, "\xEF\xBF\xBD", 3); /* U+FFFD keeps the text's shape */
    i++;
  }
}

/* Appends text[0..len) to the pending string text, in the buffer. */
static void text_add(parse_ctx *ctx, const char *text, size_t len) {
  if (ctx->view_len) { /* the run so far joins the buffer first */
    valbuf_put(&ctx->text, ctx->view, ctx->view_len);
    ctx->view_len = 0;
  }
  valbuf_put(&ctx->text, text, len);
  if (ctx->text.oom) parse_oom(ctx);
}

/* Appends text[0..len) to the pending string text: as a view of it when nothing is pending (the
 * text lasts until it is taken), else in the buffer. */
static void text_keep(parse_ctx *ctx, const char *text, size_t len) {
  if (lx_text_pending(ctx)) {
    text_add(ctx, text, len);
  } else {
    ctx->view = text;
    ctx->view_len = len;
  }
}

/* Extends the pending text's span over `at`. */
static void text_span(parse_ctx *ctx, parse_loc at) {
  if (!lx_text_pending(ctx)) {
    ctx->tspan = at;
  } else {
    ctx->tspan.end_line = at.end_line;
    ctx->tspan.end_col = at.end_col;
  }
}

/* Appends source text to the pending string text (reporting invalid UTF-8 and NUL bytes). */
void lex_text_run(parse_ctx *ctx, const char *text, size_t len, parse_loc at) {
  text_span(ctx, at);
  if (lex_utf8_valid(text, len) == len)
    text_keep(ctx, text, len);
  else
    check_utf8(ctx, text, len, at, "in a string", text_add);
}

/* Appends source text known to be ASCII without NUL bytes to the pending string text. */
void lex_text_ascii(parse_ctx *ctx, const char *text, size_t len, parse_loc at) {
  text_span(ctx, at);
  text_keep(ctx, text, len);
}

/* Returns the value of hex digit c, or -1. */
static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Returns the number of bytes of code point cp written to out[4]. */
static size_t utf8_encode(unsigned long cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Appends the code point of a "\u{HEX}" escape; returns false when it is malformed or invalid. */
static bool unicode_escape(parse_ctx *ctx, const char *text, size_t len) {
  if (len < 5 || text[2] != '{' || text[len - 1] != '}' || len - 4 > 6) return false;
  unsigned long cp = 0;
  for (size_t i = 3; i < len - 1; i++) {
    int v = hex_value(text[i]);
    if (v < 0) return false;
    cp = cp * 16 + (unsigned long)v;
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  char buf[4];
  text_add(ctx, buf, utf8_encode(cp, buf));
  return true;
}

/* Appends the character that the escape yytext ("\\n", "\\u{1F600}", …) stands for, or reports it. */
void lex_text_escape(parse_ctx *ctx, const char *text, size_t len, parse_loc at) {
  static const char from[] = "ntr\\\"$", to[] = "\n\t\r\\\"$";
  text_span(ctx, at);
  const char *hit = len == 2 && text[1] ? strchr(from, text[1]) : NULL;
  if (hit) {
    text_add(ctx, &to[hit - from], 1);
  } else if (len >= 2 && text[1] == 'u') {
    if (!unicode_escape(ctx, text, len))
      parse_report(ctx, parse_span(ctx, at), "invalid escape '%.*s': write \\u{HEX} with 1 to 6 hex digits naming a Unicode "
                            "code point (not 0 nor a surrogate)", (int)(len > 16 ? 16 : len), text);
  } else if (len >= 2 && ((unsigned char)text[1] < 0x20 || (unsigned char)text[1] == 0x7F)) {
    parse_report(ctx, parse_span(ctx, at), "unknown escape: '\\' followed by byte 0x%02X (escapes: \\n \\t \\r \\\\ \\\" \\$ "
                          "\\u{HEX})", (unsigned char)text[1]);
  } else {
    parse_report(ctx, parse_span(ctx, at), "unknown escape '%.*s' (escapes: \\n \\t \\r \\\\ \\\" \\$ \\u{HEX})", (int)len, text);
  }
}

/* Returns the pending string text, moved into the file's arena (the pending text is empty afterwards); *at
 * gets its span. */
text_buf lex_text_take(parse_ctx *ctx, parse_loc *at) {
  enum { KEEP = 4096 }; /* a larger buffer is handed to the arena as it is rather than copied */
  bool buffered = !ctx->view_len;
  slice s = buffered ? (slice){ctx->text.s, ctx->text.len} : (slice){ctx->view, ctx->view_len};
  *at = ctx->tspan;
  ctx->text.len = 0;
  ctx->view_len = 0;
  if (!s.p) return (text_buf){NULL, s.n};
  if (buffered && s.n >= KEEP) {
    text_buf t = {ctx->text.s, s.n};
    ctx->text = (valbuf){0};
    if (arena_adopt(&ctx->file->mem, t.s)) return t;
  } else { /* a "…" string's text is shared like a name (parse_strdup); a """ string's text is
            * trimmed in place by its dedent, so it gets its own copy */
    char *copy = lex_top(ctx) == OPEN_STR ? parse_strdup(ctx, s) : ast_strdup(ctx->file, s.p, s.n);
    if (copy) return (text_buf){copy, s.n};
  }
  parse_oom(ctx);
  return (text_buf){NULL, 0};
}

/* Keeps the comment text[0..len) (starting with '#') for the formatter. */
void lex_comment(parse_ctx *ctx, const char *text, size_t len, parse_loc at) {
  if (lex_utf8_valid(text, len) != len) check_utf8(ctx, text, len, at, "in a comment", NULL);
  if (!ast_file_add_comment(ctx->file, at.line, at.col, text + 1, len - 1, !ctx->line_has_token))
    parse_oom(ctx);
}
