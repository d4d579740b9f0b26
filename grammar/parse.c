/* parse.c — the front end's entry point: runs the reentrant scanner and the pure parser over a
 * source, with one parse_ctx shared by both. */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "lexer.h"
#include "parse_str.h"

enum { DEFAULT_MAX_ERRORS = 50 }; /* diag.h: a list's cap when max_errors is 0 */

int pctx_error(parse_ctx *ctx, rbk_span span, const char *fmt, ...) {
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

void pctx_oom(parse_ctx *ctx) {
  ctx->oom = true;
  ctx->halted = true;
}

char *pctx_strdup(parse_ctx *ctx, slice s) {
  char *copy = malloc(s.n + 1);
  if (!copy) {
    pctx_oom(ctx);
    return NULL;
  }
  memcpy(copy, s.p, s.n);
  copy[s.n] = '\0';
  return copy;
}

/* Runs the scanner and parser over the source (read through YY_INPUT); returns false when out of
 * memory. */
static bool run(parse_ctx *ctx) {
  yyscan_t scanner;
  if (yylex_init_extra(ctx, &scanner)) return false;
  ctx->scanner = scanner;
  yyparse(ctx);
  yylex_destroy(scanner);
  return true;
}

ast_file *parse_source(const rbk_source *src, diag_list *diags) {
  ast_file *file = ast_file_new(src);
  if (!file) return NULL;
  parse_ctx ctx = {.file = file, .diags = diags, .src = src, .line = 1, .col = 1};
  bool ok = run(&ctx);
  strb_free_all(&ctx);
  free(ctx.stack);
  free(ctx.tbuf);
  if (!ok || ctx.oom) {
    ast_file_free(file);
    return NULL;
  }
  return file;
}
