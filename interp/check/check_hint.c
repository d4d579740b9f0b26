/* check_hint.c — notes that explain an error: where a name that is not visible here is declared
 * (inside which step, proc or block), and which unknown names are consequences of a syntax error. Only
 * computed for reported errors and broken files. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_impl.h"
#include "grow.h"

/* What encloses a declaration found by the search. */
typedef struct {
  const char *name;
  const ast_node *decl;   /* the LET, loop or PARAM found */
  const ast_node *within; /* the innermost step, proc, loop, if or handler around it */
} hint_find;

/* Searches a statement (and the blocks below it) for a declaration of f->name; returns true when found. */
static bool find_in(hint_find *f, const ast_node *s, const ast_node *within, int depth);

/* Searches every statement of a block. */
static bool find_in_list(hint_find *f, const ast_list *l, const ast_node *within, int depth) {
  for (size_t i = 0; i < l->len; i++)
    if (find_in(f, l->items[i], within, depth + 1)) return true;
  return false;
}

static bool find_in(hint_find *f, const ast_node *s, const ast_node *within, int depth) {
  if (!s || depth > CHK_MAX_DEPTH) return false;
  switch (s->kind) {
  case AST_LET:
    if (!s->u.let.name || !chk_same(s->u.let.name, f->name)) return false;
    f->decl = s;
    f->within = within;
    return true;
  case AST_BLOCK: return find_in_list(f, &s->u.block.stmts, within, depth);
  case AST_STEP: return find_in(f, s->u.step.body, s, depth + 1);
  case AST_PARALLEL: return find_in(f, s->u.parallel.body, s, depth + 1);
  case AST_FOR: case AST_PARALLEL_FOR:
    if (s->u.loop.var && chk_same(s->u.loop.var, f->name)) {
      f->decl = s;
      f->within = s;
      return true;
    }
    return find_in(f, s->u.loop.body, s, depth + 1);
  case AST_IF: return find_in(f, s->u.if_.then, s, depth + 1) || find_in(f, s->u.if_.els, s, depth + 1);
  case AST_GATE: return find_in(f, s->u.gate.body, s, depth + 1);
  case AST_ON_FAILURE: case AST_FINALLY: return find_in(f, s->u.handler.body, s, depth + 1);
  case AST_PROC:
    for (size_t i = 0; i < s->u.proc.params.len; i++) {
      const ast_node *p = s->u.proc.params.items[i];
      if (p && p->kind == AST_PARAM && p->u.param.name && chk_same(p->u.param.name, f->name)) {
        f->decl = p;
        f->within = s;
        return true;
      }
    }
    return find_in(f, s->u.proc.body, s, depth + 1);
  default: return false;
  }
}

/* Writes how the note names the construct around a declaration: "inside the step \"x\"", …. */
static void describe_within(const ast_node *w, const ast_node *decl, char *buf, size_t size) {
  const char *title = NULL;
  switch (w ? w->kind : AST_BLOCK) {
  case AST_STEP:
    if (ast_string_is_plain(w->u.step.title, &title) && title) snprintf(buf, size, "inside the step \"%s\"", title);
    else snprintf(buf, size, "inside a step");
    return;
  case AST_PROC:
    snprintf(buf, size, decl->kind == AST_PARAM ? "as a parameter of proc '%s'" : "inside proc '%s'",
             w->u.proc.name ? w->u.proc.name : "");
    return;
  case AST_FOR: case AST_PARALLEL_FOR:
    snprintf(buf, size, decl == w ? "as the variable of this loop" : "inside this loop");
    return;
  case AST_IF: snprintf(buf, size, "inside this 'if'"); return;
  case AST_GATE: snprintf(buf, size, "inside this gate"); return;
  case AST_PARALLEL: snprintf(buf, size, "inside this 'parallel'"); return;
  case AST_ON_FAILURE: snprintf(buf, size, "inside this 'on failure'"); return;
  case AST_FINALLY: snprintf(buf, size, "inside this 'finally'"); return;
  default: snprintf(buf, size, "in another block"); return;
  }
}

/* Adds to diagnostic d (an unknown name) a note at the first declaration of `name` in the unit's tree,
 * which is not visible where it is used; nothing when there is none or the list is full. */
void check_note_declared(chk_ctx *ctx, int d, const char *name) {
  if (d < 0 || !name || check_quiet(ctx)) return;
  const ast_file *file = ctx->prog->units[ctx->unit].ast;
  hint_find f = {.name = name};
  if (!file || !find_in_list(&f, &file->stmts, NULL, 0)) return;
  char where[200];
  describe_within(f.within, f.decl, where, sizeof where);
  diag_note(ctx->diags, d, f.decl->span, "'%s' is declared here, %s, and is not visible where it is used", name, where);
}

/* Returns true when the word [p, p+n) is `w`. */
static bool word_is(const char *p, size_t n, const char *w) { return strlen(w) == n && !strncmp(p, w, n); }

/* Keeps the names that one source line [p, end) declares: the word after let, param, proc, for, as. */
static void lost_names(chk_ctx *ctx, const char *p, const char *end) {
  bool declares = false;
  while (p < end) {
    if (*p == '#' || *p == '"') return; /* a comment, or a string: no more code worth reading */
    if (!isalpha((unsigned char)*p) && *p != '_') {
      p++;
      continue;
    }
    const char *w = p;
    while (p < end && (isalnum((unsigned char)*p) || *p == '_')) p++;
    size_t n = (size_t)(p - w);
    if (declares && GROW(ctx->lost, ctx->caplost, ctx->nlost + 1)) {
      char *copy = malloc(n + 1);
      if (copy) {
        memcpy(copy, w, n);
        copy[n] = '\0';
        ctx->lost[ctx->nlost++] = copy;
      }
    }
    declares = word_is(w, n, "let") || word_is(w, n, "param") || word_is(w, n, "proc") || word_is(w, n, "for") ||
               word_is(w, n, "as");
  }
}

/* Collects the names that the lines with syntax errors of the unit declare (let, param, proc, for, `as`): an
 * unknown name among them is a consequence of the syntax error. */
void check_hint_begin(chk_ctx *ctx) {
  const rbk_source *src = ctx->prog->units[ctx->unit].src;
  if (!src || !src->text) return;
  const char *text = src->text, *end = text + src->len;
  /* One pass from the start for the errors in line order (diagnostics usually are): a file with
   * many errors is not walked again from its first line for each. */
  const char *p = text;
  int at = 1, last = 0;
  for (size_t d = 0; d < ctx->diags->len; d++) {
    const diag *g = &ctx->diags->items[d];
    if (g->severity != DIAG_ERROR || g->span.src != src || g->span.line < 1 || g->span.line == last) continue;
    if (g->span.line < at) p = text, at = 1;
    for (; at < g->span.line && p < end; at++) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      p = nl ? nl + 1 : end;
    }
    last = g->span.line;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    lost_names(ctx, p, nl ? nl : end);
  }
}

/* Returns true when `name` was declared on a line with a syntax error (see check_hint_begin). */
bool check_hint_lost(const chk_ctx *ctx, const char *name) {
  for (size_t i = 0; i < ctx->nlost; i++)
    if (chk_same(ctx->lost[i], name)) return true;
  return false;
}

/* Frees what check_hint_begin() kept. */
void check_hint_end(chk_ctx *ctx) {
  for (size_t i = 0; i < ctx->nlost; i++) free(ctx->lost[i]);
  free(ctx->lost);
  ctx->lost = NULL;
  ctx->nlost = ctx->caplost = 0;
}
