/* check_scope.c — the checker's scopes: declaring names, finding them, suggesting near misses. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "check_impl.h"

#include "grow.h"

static const char *const sym_words[] = {
#define X(k, word) word,
    CHK_SYM_KINDS(X)
#undef X
};

/* Returns the word for a symbol kind ("let", …). */
const char *check_sym_word(chk_sym_kind kind) { return sym_words[kind]; }

/* Opens a block scope; returns false when out of memory. */
bool check_push(chk_ctx *ctx) {
  size_t old = ctx->capstack;
  if (ctx->nstack == old) {
    if (!GROW(ctx->stack, ctx->capstack, ctx->nstack + 1)) return false;
    memset(ctx->stack + old, 0, (ctx->capstack - old) * sizeof *ctx->stack);
  }
  ctx->nstack++; /* the entry is empty, and keeps the array of the scope that stood there before */
  return true;
}

/* Closes the innermost block scope, warning about its unused lets and params (its array is kept for the
 * next scope opened there). */
void check_pop(chk_ctx *ctx) {
  if (!ctx->nstack) return;
  chk_scope *scope = &ctx->stack[--ctx->nstack];
  check_warn_unused(ctx, scope, 1u << SYM_LET | 1u << SYM_PARAM);
  scope->len = 0;
  scope->names = 0;
  scope->kinds = 0;
  if (scope->slots) { /* a large scope: drop its index rather than clear it */
    free(scope->slots);
    scope->slots = NULL;
    scope->nslots = 0;
  }
}

/* Closes every block scope and frees their arrays. */
void check_scopes_free(chk_ctx *ctx) {
  while (ctx->nstack) check_pop(ctx);
  for (size_t i = 0; i < ctx->capstack; i++) check_scope_free(&ctx->stack[i]);
  free(ctx->stack);
  ctx->stack = NULL;
  ctx->capstack = 0;
}

/* Frees a scope's array. */
void check_scope_free(chk_scope *scope) {
  free(scope->syms);
  free(scope->slots);
  *scope = (chk_scope){0};
}

enum { HASH_FROM = 16 }; /* scopes with this many names get a hash index */

/* Returns the FNV-1a hash of a name. */
size_t check_hash_name(const char *name) {
  size_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) h = (h ^ *p) * 16777619u;
  return h;
}

/* Puts syms[index] into the scope's hash index (which has room). */
static void hash_insert(chk_scope *scope, size_t index) {
  size_t mask = scope->nslots - 1, at = check_hash_name(scope->syms[index].name) & mask;
  while (scope->slots[at]) at = (at + 1) & mask;
  scope->slots[at] = index + 1;
}

/* Rebuilds the hash index with room for the scope's names; on failure the scope stays unindexed. */
static void hash_rebuild(chk_scope *scope) {
  size_t n = 64;
  while (n < scope->len * 4) n *= 2;
  size_t *slots = calloc(n, sizeof *slots);
  free(scope->slots);
  scope->slots = slots;
  scope->nslots = slots ? n : 0;
  for (size_t i = 0; slots && i < scope->len; i++) hash_insert(scope, i);
}

/* Returns the symbol `name` of a scope with a hash index, or NULL. */
static chk_sym *scope_find_hashed(const chk_scope *scope, const char *name) {
  size_t mask = scope->nslots - 1;
  for (size_t at = check_hash_name(name) & mask; scope->slots[at]; at = (at + 1) & mask)
    if (chk_same(scope->syms[scope->slots[at] - 1].name, name)) return &scope->syms[scope->slots[at] - 1];
  return NULL;
}

/* Returns the symbol `name` (whose check_name_bit is `bit`) of scope, or NULL. */
static inline chk_sym *scope_find(const chk_scope *scope, const char *name, uint64_t bit) {
  if (!(scope->names & bit)) return NULL;
  if (scope->slots) return scope_find_hashed(scope, name);
  for (size_t i = 0; i < scope->len; i++)
    if (chk_same(scope->syms[i].name, name)) return &scope->syms[i];
  return NULL;
}

/* Returns the symbol `name` of scope (no visibility rules), or NULL. */
chk_sym *check_scope_find(const chk_scope *scope, const char *name) {
  return name ? scope_find(scope, name, check_name_bit(name)) : NULL;
}

/* Declares `sym` in `scope` unless the name is there already (then reports the duplicate with a note at
 * the first); returns the declared symbol (borrowed) or NULL. */
chk_sym *check_declare_in(chk_ctx *ctx, chk_scope *scope, const chk_sym *sym) {
  if (!sym->name) return NULL;
  chk_sym *first = check_scope_find(scope, sym->name);
  if (first) {
    int d = diag_add(ctx->diags, DIAG_ERROR, sym->span, "'%s' is already declared in this scope", sym->name);
    diag_note(ctx->diags, d, first->span, "'%s' was declared here as a %s", first->name, check_sym_word(first->kind));
    return NULL;
  }
  if (!GROW(scope->syms, scope->cap, scope->len + 1)) return NULL;
  scope->syms[scope->len++] = *sym;
  scope->names |= check_name_bit(sym->name);
  scope->kinds |= 1u << sym->kind;
  if (scope->len >= HASH_FROM && (!scope->slots || scope->len * 2 > scope->nslots))
    hash_rebuild(scope);
  else if (scope->slots)
    hash_insert(scope, scope->len - 1);
  return &scope->syms[scope->len - 1];
}

/* Declares `sym` in the innermost block scope (see check_declare_in). */
chk_sym *check_declare(chk_ctx *ctx, const chk_sym *sym) {
  if (!ctx->nstack) return NULL;
  return check_declare_in(ctx, &ctx->stack[ctx->nstack - 1], sym);
}

/* Returns true when the top-level symbol may be used where the checker stands. */
static bool top_visible(const chk_ctx *ctx, const chk_sym *sym) {
  return ctx->all_top || sym->kind == SYM_PROC || sym->order < ctx->order;
}

/* Returns the symbol `name` visible here (innermost first), or NULL; `use` marks it used and reports a
 * top-level name used before its declaration at the node `at`. */
chk_sym *check_lookup(chk_ctx *ctx, const char *name, bool use, const ast_node *at) {
  if (!name) return NULL;
  uint64_t bit = check_name_bit(name);
  for (size_t i = ctx->nstack; i-- > 0;) {
    if (!(ctx->stack[i].names & bit)) continue; /* scope_find's first test, without the call */
    chk_sym *sym = scope_find(&ctx->stack[i], name, bit);
    if (sym) {
      if (use) sym->used = true;
      return sym;
    }
  }
  chk_sym *sym = scope_find(&ctx->units[ctx->unit].top, name, bit);
  if (!sym || !use) return sym;
  sym->used = true;
  if (!top_visible(ctx, sym)) {
    int d = diag_add(ctx->diags, DIAG_ERROR, at->span, "'%s' is used before its declaration", name);
    diag_note(ctx->diags, d, sym->span, "'%s' is declared here", name);
  }
  return sym;
}

/* Appends name to the growing NULL-terminated array *arr; returns false when out of memory. */
static bool push_name(const char ***arr, size_t *len, size_t *cap, const char *name) {
  if (!grow_array(arr, cap, *len + 2, sizeof **arr)) return false;
  (*arr)[(*len)++] = name;
  (*arr)[*len] = NULL;
  return true;
}

/* Returns a new NULL-terminated array of the value names visible here (caller frees the array). */
const char **check_visible_names(const chk_ctx *ctx) {
  const char **arr = NULL;
  size_t len = 0, cap = 0;
  bool ok = push_name(&arr, &len, &cap, "run");
  for (size_t i = ctx->nstack; ok && i-- > 0;)
    for (size_t j = 0; ok && j < ctx->stack[i].len; j++) ok = push_name(&arr, &len, &cap, ctx->stack[i].syms[j].name);
  const chk_scope *top = &ctx->units[ctx->unit].top;
  for (size_t j = 0; ok && j < top->len; j++)
    if (top->syms[j].kind != SYM_PROC && top->syms[j].kind != SYM_IMPORT && top_visible(ctx, &top->syms[j]))
      ok = push_name(&arr, &len, &cap, top->syms[j].name);
  return arr;
}

/* Returns a new NULL-terminated array of the names in `scope` of the given kinds (bit set of 1 <<
 * chk_sym_kind); NULL when there are none. */
const char **check_scope_names(const chk_scope *scope, unsigned kinds) {
  const char **arr = NULL;
  size_t len = 0, cap = 0;
  bool ok = true;
  for (size_t j = 0; ok && j < scope->len; j++)
    if (kinds & 1u << scope->syms[j].kind) ok = push_name(&arr, &len, &cap, scope->syms[j].name);
  return arr;
}

/* Warns about the unused names of `scope` whose kinds are in `kinds` (bit set). */
void check_warn_unused(chk_ctx *ctx, const chk_scope *scope, unsigned kinds) {
  if (ctx->broken) return; /* a syntax error may have dropped the uses */
  for (size_t i = 0; i < scope->len; i++) {
    const chk_sym *s = &scope->syms[i];
    if (s->used || !(kinds & 1u << s->kind) || !s->name || s->name[0] == '_') continue;
    diag_add(ctx->diags, DIAG_WARNING, s->span, "%s '%s' is never used", check_sym_word(s->kind), s->name);
  }
}

/* Reports `fmt` at span with "; did you mean 'x'?" when `name` is close to a candidate. */
int check_unknown(chk_ctx *ctx, rbk_span span, const char *what, const char *name, const char *const *candidates) {
  const char *near = candidates ? diag_suggest(name, candidates) : NULL;
  if (near) return diag_add(ctx->diags, DIAG_ERROR, span, "%s '%s'; did you mean '%s'?", what, name, near);
  return diag_add(ctx->diags, DIAG_ERROR, span, "%s '%s'", what, name);
}

/* Returns true when the diagnostic list is full (further errors are only counted), so that suggestions
 * need not be computed. */
bool check_quiet(const chk_ctx *ctx) {
  size_t max = ctx->diags->max_errors ? ctx->diags->max_errors : 50;
  return ctx->diags->errors >= max;
}
