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
  if (ctx->diags->errors > max || ctx->halt_at_report) parse_halt(ctx); /* nothing more could be shown */
  return idx;
}

/* Records an allocation failure; the parse stops and parse_source returns NULL. */
void parse_oom(parse_ctx *ctx) {
  ctx->oom = true;
  parse_halt(ctx);
}

/* A name's key: its first and last 8 bytes, or 4 (overlapping when it is shorter than 16 or 8), or
 * its bytes 0, n/2 and n-1 when it is shorter than 4, so that names of the same length up to 16 bytes
 * are equal when their keys are. */
typedef struct {
  uint64_t a, b;
} name_key;

/* Returns the key of a name of at least one byte. */
static name_key name_key_of(slice s) {
  const char *p = s.p;
  size_t n = s.n;
  if (n >= 8) {
    name_key k;
    memcpy(&k.a, p, 8);
    memcpy(&k.b, p + n - 8, 8);
    return k;
  }
  if (n >= 4) {
    uint32_t a, b;
    memcpy(&a, p, 4);
    memcpy(&b, p + n - 4, 4);
    return (name_key){a, b};
  }
  return (name_key){(unsigned char)p[0] | (unsigned)(unsigned char)p[n / 2] << 8, (unsigned char)p[n - 1]};
}


/* Returns true when the cached name e is s, whose key is k. */
static bool name_is(const parse_name *e, slice s, name_key k) {
  return e->n == s.n && e->a == k.a && e->b == k.b && (s.n <= 16 || !memcmp(e->s, s.p, s.n));
}

/* Returns the cache's copy of s (key k) when one of the pair of slots e[0..1] has it, else a new copy;
 * either is made the first of the pair. Returns NULL when out of memory (recorded). Out of line:
 * parse_strdup's hits then save no registers. */
static __attribute__((noinline)) char *name_find(parse_ctx *ctx, parse_name *e, slice s, name_key k) {
  if (name_is(&e[0], s, k)) return e[0].s;
  char *copy = name_is(&e[1], s, k) ? e[1].s : ast_strdup(ctx->file, s.p, s.n);
  if (!copy) {
    parse_oom(ctx);
    return NULL;
  }
  e[1] = e[0]; /* the pair keeps the more recent name first */
  e[0] = (parse_name){copy, s.n, k.a, k.b};
  return copy;
}

/* Returns a NUL-terminated copy of the slice in the file's arena, shared with an earlier copy of the
 * same name when the cache still has it, or NULL (out of memory recorded). The cache is 2-way: its
 * pairs of slots are found by a hash of the length and the key, and a collision only costs a copy. */
char *parse_strdup(parse_ctx *ctx, slice s) {
  if (!s.n || s.n > PARSE_NAME_CACHED_MAX) {
    char *copy = ast_strdup(ctx->file, s.p, s.n);
    if (!copy) parse_oom(ctx);
    return copy;
  }
  name_key k = name_key_of(s);
  uint64_t h = ((k.a ^ s.n) * 0xFF51AFD7ED558CCDu ^ k.b) * 0x9E3779B97F4A7C15u;
  parse_name *e = &ctx->names[(size_t)(h >> 40) & ctx->name_mask & ~(size_t)1];
  if (s.n <= 16 && e->n == s.n && e->a == k.a && e->b == k.b) return e->s; /* the key is the name */
  return name_find(ctx, e, s, k);
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
  size_t slots = PARSE_NAME_CACHE_MIN;
  while (slots < PARSE_NAME_CACHE && slots * PARSE_NAME_CACHE_BYTES < src->len) slots *= 2;
  parse_name *names = calloc(slots, sizeof *names);
  ast_file *file = names ? ast_file_new(src) : NULL;
  if (!file) return free(names), NULL;
  parse_ctx ctx = {.file = file, .diags = diags, .src = src, .line = 1, .line_start = src->text,
                   .halt_at_report = parser == rbk_yyfparse, .watch_depth = PARSE_STACK_WATCH,
                   .names = names, .name_mask = slots - 1};
  bool ok = run(&ctx, parser);
  free(names);
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
