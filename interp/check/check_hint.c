/* check_hint.c — notes that explain an error: where a name that is not visible here is declared
 * (inside which step, proc or block). Only computed for reported errors. */
#include <stdio.h>
#include <string.h>

#include "check_impl.h"

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
