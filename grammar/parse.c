/* parse.c — the front end's entry point: runs the reentrant scanner and the pure parser over a
 * source, with one parse_ctx shared by both. */
#include "parse.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "lexer.h"
#include "lex.h"
#include "parse_str.h"

enum { DEFAULT_MAX_ERRORS = 50 }; /* diag.h: a list's cap when max_errors is 0 */

/* Reports an error at `span` (printf-style); returns the diagnostic's index (-1 when dropped). */
int parse_report(parse_ctx *ctx, rbk_span span, const char *fmt, ...) {
  char small[512], *msg = small;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1))) {
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  int idx = diag_add(ctx->diags, DIAG_ERROR, span, "%s", msg ? msg : small);
  if (msg != small) free(msg);
  ctx->errors++;
  size_t max = ctx->diags->max_errors ? ctx->diags->max_errors : DEFAULT_MAX_ERRORS;
  if (ctx->diags->errors > max) ctx->halted = true; /* nothing more could be shown */
  return idx;
}

/* Records an allocation failure; the parse stops and parse_source returns NULL. */
void parse_oom(parse_ctx *ctx) {
  ctx->oom = true;
  ctx->halted = true;
}

/* Returns the cache slot of a name: a hash of its length and its first and last 8 bytes (of every
 * byte when shorter; a collision only costs a copy). */
static size_t name_slot(slice s) {
  uint64_t h = s.n;
  if (s.n >= 8) {
    uint64_t first, last;
    memcpy(&first, s.p, 8);
    memcpy(&last, s.p + s.n - 8, 8);
    h ^= first * 0xFF51AFD7ED558CCDu ^ last;
  } else {
    for (size_t i = 0; i < s.n; i++) h = h << 8 | (unsigned char)s.p[i];
  }
  return (size_t)((h * 0x9E3779B97F4A7C15u) >> 32) % PARSE_NAME_CACHE;
}

/* Returns a NUL-terminated copy of the slice in the file's arena, shared with an
 * earlier copy of the same name when the cache still has it, or NULL (out of memory recorded). */
char *parse_strdup(parse_ctx *ctx, slice s) {
  size_t slot = s.n <= PARSE_NAME_CACHED_MAX ? name_slot(s) : PARSE_NAME_CACHE;
  if (slot < PARSE_NAME_CACHE && ctx->names[slot].s && ctx->names[slot].n == s.n && !memcmp(ctx->names[slot].s, s.p, s.n))
    return ctx->names[slot].s;
  char *copy = ast_strdup(ctx->file, s.p, s.n);
  if (!copy) parse_oom(ctx);
  else if (slot < PARSE_NAME_CACHE) ctx->names[slot].s = copy, ctx->names[slot].n = s.n;
  return copy;
}

/* The parser generated from the same grammar without lookahead correction (parser_fast.c; its
 * header would clash with parser.h's token names). */
int rbk_yyfparse(parse_ctx *ctx);

/* Runs the scanner and `parser` over the source in place (its text ends in the two NULs flex
 * needs: source.h); flex's temporary NUL after the last token is put back before returning, so
 * the text is left as it was read. Returns false when out of memory. */
static bool run(parse_ctx *ctx, int (*parser)(parse_ctx *)) {
  yyscan_t scanner;
  if (rbk_yylex_init_extra(ctx, &scanner)) return false;
  bool ok = rbk_yy_scan_buffer(ctx->src->text, ctx->src->len + 2, scanner) != NULL;
  if (ok) {
    ctx->scanner = scanner;
    parser(ctx);
    rbk_yyrestore(scanner);
  }
  rbk_yylex_destroy(scanner);
  return ok;
}

/* Returns the tree of `src` built by `parser` with its diagnostics in diags, or NULL when out of
 * memory. */
static ast_file *parse_with(const rbk_source *src, diag_list *diags, int (*parser)(parse_ctx *)) {
  ast_file *file = ast_file_new(src);
  if (!file) return NULL;
  parse_ctx ctx = {.file = file, .diags = diags, .src = src, .line = 1, .line_start = src->text};
  bool ok = run(&ctx, parser);
  parse_str_free_all(&ctx);
  free(ctx.pending);
  free(ctx.stack);
  valbuf_free(&ctx.text);
  if (!ok || ctx.oom) {
    ast_file_free(file);
    return NULL;
  }
  return file;
}

/* Parses `src` (borrowed; must outlive the result). A source without a single diagnostic is parsed
 * once, by the parser without lookahead correction, which builds the same tree; at its first
 * diagnostic it stops, and the source is parsed again by the parser with it, whose tree and
 * diagnostics (the expected tokens of a syntax error) are the ones kept. */
ast_file *parse_source(const rbk_source *src, diag_list *diags) {
  diag_list scratch = {.max_errors = diags->max_errors};
  ast_file *file = parse_with(src, &scratch, rbk_yyfparse);
  bool clean = file && scratch.len == 0 && scratch.errors == 0 && scratch.warnings == 0 && scratch.dropped == 0;
  diag_free(&scratch);
  if (clean) return file;
  ast_file_free(file);
  return parse_with(src, diags, rbk_yyparse);
}
