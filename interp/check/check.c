/* check.c — the checker's entry: units in import order, top-level declarations, the runbook
 * block, library rules, unused top-level names and duplicate step titles. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_impl.h"

/* The keys of a runbook block and the types of their values. */
static const struct {
  const char *key;
  chk_type type;
} runbook_keys[] = {
    {"title", CT_STRING}, {"version", CT_STRING}, {"owner", CT_STRING},
    {"deadline", CT_DURATION}, {"tags", CT_LIST}, {"doc", CT_STRING},
};

enum { NRUNBOOK_KEYS = sizeof runbook_keys / sizeof runbook_keys[0] };

static void check_unit(const rbk_program *prog, diag_list *diags, chk_unit *units, chk_sig_cache *sigs,
                       size_t index);

/* Returns the index of the unit that an import names (checking that unit first), or -1. */
static long imported_unit(chk_ctx *ctx, const ast_node *imp) {
  const program_unit *u = program_import(ctx->prog, &ctx->prog->units[ctx->unit], imp);
  if (!u) return -1;
  size_t index = (size_t)(u - ctx->prog->units);
  if (!ctx->units[index].done && !ctx->units[index].busy)
    check_unit(ctx->prog, ctx->diags, ctx->units, ctx->sigs, index);
  return (long)index;
}

/* Returns the symbol that a top-level declaration introduces (kind, order), or false for other
 * statements. */
static bool top_symbol(chk_ctx *ctx, const ast_node *s, size_t order, chk_sym *sym) {
  *sym = (chk_sym){.decl = s, .span = s->span, .order = order, .unit = -1};
  switch (s->kind) {
  case AST_PARAM:
    sym->name = s->u.param.name, sym->kind = SYM_PARAM, sym->type = check_type_of_decl(s->u.param.type);
    return true;
  case AST_LET: sym->name = s->u.let.name, sym->kind = SYM_LET; return true;
  case AST_PROC:
    sym->name = s->u.proc.name, sym->kind = SYM_PROC, sym->returns = check_has_return(s->u.proc.body);
    return true;
  case AST_IMPORT:
    sym->name = s->u.import.alias, sym->kind = SYM_IMPORT, sym->unit = imported_unit(ctx, s);
    sym->used = sym->unit < 0; /* the failed import is reported already */
    return true;
  default: return false;
  }
}

enum { TOP_AHEAD = 16 }; /* top-level statements asked of the cache ahead of their use */

/* Declares every top-level name of the unit (procs are usable before their definition); returns true
 * when the unit has a proc. */
static bool collect_top(chk_ctx *ctx, const ast_file *file) {
  bool procs = false;
  for (size_t i = 0; i < file->stmts.len; i++) {
    const ast_node *s = file->stmts.items[i];
    chk_sym sym;
    if (i + TOP_AHEAD < file->stmts.len) __builtin_prefetch(file->stmts.items[i + TOP_AHEAD]); /* far apart */
    procs = procs || (s && s->kind == AST_PROC);
    if (s && top_symbol(ctx, s, i, &sym)) check_declare_in(ctx, &ctx->units[ctx->unit].top, &sym);
  }
  return procs;
}

/* Returns the top-level symbol that `decl` declared (NULL when it was a duplicate). */
static chk_sym *own_symbol(chk_ctx *ctx, const ast_node *decl, const char *name) {
  chk_sym *sym = check_scope_find(&ctx->units[ctx->unit].top, name);
  return sym && sym->decl == decl ? sym : NULL;
}

/* Checks one `key = value` of the runbook block; `seen` holds the keys met so far. */
static void runbook_field(chk_ctx *ctx, const ast_node *f, const ast_node **seen) {
  const char *names[NRUNBOOK_KEYS + 1];
  size_t k = 0;
  for (; k < NRUNBOOK_KEYS && strcmp(runbook_keys[k].key, f->u.field.key); k++) names[k] = runbook_keys[k].key;
  if (k == NRUNBOOK_KEYS) {
    names[NRUNBOOK_KEYS] = NULL;
    check_unknown(ctx, f->span, "unknown runbook key", f->u.field.key, names);
    check_expr(ctx, f->u.field.value);
    return;
  }
  if (seen[k]) {
    int d = diag_add(ctx->diags, DIAG_ERROR, f->span, "runbook key '%s' is set twice", f->u.field.key);
    diag_note(ctx->diags, d, seen[k]->span, "first set here");
  } else {
    seen[k] = f;
  }
  const ast_node *v = f->u.field.value;
  check_require(ctx, v, runbook_keys[k].type, f->u.field.key);
  if (v && v->kind == AST_LIST)
    for (size_t i = 0; i < v->u.list.items.len; i++) check_require(ctx, v->u.list.items.items[i], CT_STRING, "a tag");
}

/* Checks `runbook "id" { key = value … }`: one per file, an id, known keys of the right types. */
static void runbook(chk_ctx *ctx, const ast_node *s) {
  if (ctx->runbook) {
    int d = diag_add(ctx->diags, DIAG_ERROR, s->span, "a plan has only one runbook block");
    diag_note(ctx->diags, d, ctx->runbook->span, "the first runbook block is here");
  } else {
    ctx->runbook = s;
  }
  const char *id = NULL;
  if (!s->u.runbook.id)
    diag_add(ctx->diags, DIAG_ERROR, s->span, "the runbook needs an id: runbook \"my-plan\" { … }");
  else if (!ast_string_is_plain(s->u.runbook.id, &id) || !id || !*id) {
    diag_add(ctx->diags, DIAG_ERROR, s->u.runbook.id->span, "the runbook id must be a plain, non-empty string");
    check_expr(ctx, s->u.runbook.id);
  }
  const ast_node *seen[NRUNBOOK_KEYS] = {0};
  bool saved = ctx->all_top;
  ctx->all_top = true;
  for (size_t i = 0; i < s->u.runbook.fields.len; i++) {
    const ast_node *f = s->u.runbook.fields.items[i];
    if (f && f->kind == AST_FIELD && f->u.field.key) runbook_field(ctx, f, seen);
  }
  ctx->all_top = saved;
}

/* Checks a top-level `param`: its default against its type, its doc; records its type. */
static void param(chk_ctx *ctx, const ast_node *s) {
  const char *name = s->u.param.name ? s->u.param.name : "";
  chk_type t = check_type_of_decl(s->u.param.type);
  char what[96] = ""; /* written only for a default or doc to check */
  if (s->u.param.def) snprintf(what, sizeof what, "the default of '%s'", name);
  chk_type got = check_require(ctx, s->u.param.def, t, what);
  if (s->u.param.doc) snprintf(what, sizeof what, "the doc of '%s'", name);
  check_require(ctx, s->u.param.doc, CT_STRING, what);
  chk_sym *sym = own_symbol(ctx, s, name);
  if (sym && t == CT_UNKNOWN && got != CT_NULL) sym->type = got;
}

/* Checks an import's path: a plain, non-empty string (the loader reports missing files). */
static void import(chk_ctx *ctx, const ast_node *s) {
  const char *path = NULL;
  const ast_node *p = s->u.import.path;
  if (p && !ast_string_is_plain(p, &path))
    diag_add(ctx->diags, DIAG_ERROR, p->span, "the import path must be a plain string, without ${…}");
  else if (p && (!path || !*path))
    diag_add(ctx->diags, DIAG_ERROR, p->span, "the import path is empty");
}

/* Checks a top-level declaration (runbook, param, import, let; procs are checked after the top-level
 * statements, so that they see every top-level let's type). */
void check_top_decl(chk_ctx *ctx, const ast_node *s) {
  switch (s->kind) {
  case AST_RUNBOOK: runbook(ctx, s); break;
  case AST_PARAM: param(ctx, s); break;
  case AST_IMPORT: import(ctx, s); break;
  case AST_LET: {
    chk_type t = check_let_value(ctx, s);
    chk_sym *sym = own_symbol(ctx, s, s->u.let.name);
    if (sym) sym->type = t;
    if (sym) sym->unsure = ctx->may_fail;
    break;
  }
  default: break; /* procs: checked after the top-level statements */
  }
}

/* Reports what an imported library may not hold: a runbook, params, statements that would never run. */
static void library_rules(chk_ctx *ctx, const ast_file *file) {
  bool reported = false;
  for (size_t i = 0; i < file->stmts.len; i++) {
    const ast_node *s = file->stmts.items[i];
    if (!s) continue;
    if (s->kind == AST_RUNBOOK)
      diag_add(ctx->diags, DIAG_ERROR, s->span, "an imported library cannot declare a runbook");
    else if (s->kind == AST_PARAM)
      diag_add(ctx->diags, DIAG_ERROR, s->span, "an imported library cannot declare params; pass values to its procs");
    else if (s->kind != AST_LET && s->kind != AST_PROC && s->kind != AST_IMPORT && !reported) {
      diag_add(ctx->diags, DIAG_ERROR, s->span,
               "this statement would never run: an imported library holds only let, proc and import");
      reported = true;
    }
  }
}

/* Orders titles by text, then by place. */
static int by_title(const void *pa, const void *pb) {
  const chk_title *a = pa, *b = pb;
  int c = strcmp(a->title, b->title);
  if (c) return c;
  if (a->span.line != b->span.line) return a->span.line < b->span.line ? -1 : 1;
  return (a->span.col > b->span.col) - (a->span.col < b->span.col);
}

/* Returns true when no two titles are equal (a hash set of them; false too when out of memory). */
static bool titles_unique(const chk_ctx *ctx) {
  size_t n = 64;
  while (n < ctx->ntitles * 2) n *= 2;
  size_t *slots = calloc(n, sizeof *slots), mask = n - 1; /* index + 1 into titles, 0 = empty */
  bool unique = slots != NULL;
  for (size_t i = 0; unique && i < ctx->ntitles; i++) {
    const chk_title *t = &ctx->titles[i];
    size_t at = t->hash & mask;
    for (const chk_title *o; unique && slots[at]; at = (at + 1) & mask) /* the texts only when the hashes agree */
      unique = (o = &ctx->titles[slots[at] - 1])->hash != t->hash || !chk_same(o->title, t->title);
    slots[at] = i + 1;
  }
  free(slots);
  return unique;
}

/* Reports every step whose plain title an earlier step of the file has already. */
static void duplicate_titles(chk_ctx *ctx) {
  if (ctx->ntitles < 2 || titles_unique(ctx)) return;
  qsort(ctx->titles, ctx->ntitles, sizeof *ctx->titles, by_title);
  size_t first = 0;
  for (size_t i = 1; i < ctx->ntitles; i++) {
    if (strcmp(ctx->titles[i].title, ctx->titles[first].title)) {
      first = i;
      continue;
    }
    int d = diag_add(ctx->diags, DIAG_ERROR, ctx->titles[i].span, "duplicate step title \"%s\"", ctx->titles[i].title);
    diag_note(ctx->diags, d, ctx->titles[first].span, "the first step with this title is here");
  }
}

/* Checks the unit at `index`: the units it imports first, then its statements and procs. */
static void check_unit(const rbk_program *prog, diag_list *diags, chk_unit *units, chk_sig_cache *sigs,
                       size_t index) {
  chk_ctx ctx = {.prog = prog, .diags = diags, .units = units, .sigs = sigs, .unit = index, .handler_scope = -2};
  const ast_file *file = prog->units[index].ast;
  check_safety_begin(&ctx, file);
  ctx.broken = units[index].broken;
  if (ctx.broken) check_hint_begin(&ctx);
  units[index].busy = true;
  bool procs = collect_top(&ctx, file);
  if (index > 0) library_rules(&ctx, file);
  check_stmts(&ctx, &file->stmts, WHERE_TOP);
  for (size_t i = 0; procs && i < file->stmts.len; i++) {
    const ast_node *s = file->stmts.items[i];
    ctx.order = i;
    if (s && s->kind == AST_PROC) check_proc(&ctx, s);
  }
  /* a file without a runbook may be a library checked on its own: its lets are exports */
  unsigned unused = 1u << SYM_IMPORT;
  if (index == 0) unused |= 1u << SYM_PARAM | (ctx.runbook ? 1u << SYM_LET : 0);
  check_warn_unused(&ctx, &units[index].top, unused);
  duplicate_titles(&ctx);
  check_scopes_free(&ctx);
  free(ctx.titles);
  check_safety_end(&ctx);
  check_hint_end(&ctx);
  units[index].busy = false;
  units[index].done = true;
}

/* Checks every unit of `prog` (borrowed; units whose file could not be read are skipped) and adds errors
 * and warnings to `diags`. */
bool check_program(const rbk_program *prog, diag_list *diags) {
  if (!prog || !prog->len) return diags->errors == 0;
  chk_unit *units = calloc(prog->len, sizeof *units);
  chk_sig_cache *sigs = calloc(1, sizeof *sigs);
  if (!units || !sigs) {
    free(units);
    free(sigs);
    diag_add(diags, DIAG_ERROR, (rbk_span){0}, "out of memory while checking");
    return false;
  }
  /* the errors already in the list are the loader's and parser's: a unit with one is broken */
  for (size_t d = 0; d < diags->len; d++)
    for (size_t i = 0; diags->items[d].severity == DIAG_ERROR && i < prog->len; i++)
      units[i].broken = units[i].broken || diags->items[d].span.src == prog->units[i].src;
  for (size_t i = 0; i < prog->len; i++)
    if (prog->units[i].ast && !units[i].done) check_unit(prog, diags, units, sigs, i);
  for (size_t i = 0; i < prog->len; i++) check_scope_free(&units[i].top);
  free(units);
  check_sigs_free(sigs);
  free(sigs);
  return diags->errors == 0;
}
