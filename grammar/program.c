/* program.c — loading a plan and, transitively, the libraries it imports.
 *
 * Units are identified by their canonical path (realpath), so a library imported twice (from two
 * files, or under two spellings of its path) is read and parsed once. The loader walks imports
 * depth-first and keeps the chain of files being loaded: an import of a file on that chain is a
 * cycle, reported at the import with a note at the import that started the chain.
 */
#include "program.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grow.h"
#include "parse.h"
#include "valbuf.h"

enum { MAX_IMPORT_DEPTH = 64 };

/* The loader's state: the program being built and the chain of units being loaded. */
typedef struct {
  rbk_program *prog;
  diag_list *diags;
  size_t chain[MAX_IMPORT_DEPTH];            /* unit indexes, outermost first */
  const ast_node *chain_imp[MAX_IMPORT_DEPTH]; /* the IMPORT in chain[i] that loaded chain[i+1] */
  size_t depth;
} loader;

/* Returns a new string: `path` resolved against the directory of `from` (NULL: as is). */
static char *resolve_path(const char *from, const char *path) {
  if (!from || path[0] == '/') return strdup(path);
  const char *slash = strrchr(from, '/');
  if (!slash) return strdup(path);
  size_t dir = (size_t)(slash - from) + 1, n = strlen(path);
  char *out = malloc(dir + n + 1);
  if (!out) return NULL;
  memcpy(out, from, dir);
  memcpy(out + dir, path, n + 1);
  return out;
}

/* Returns the canonical path of `path` (caller frees), or NULL with errno set. */
static char *canonical(const char *path) { return realpath(path, NULL); }

/* Returns the index of the unit whose canonical path is `real`, or -1. */
static long find_unit(const rbk_program *prog, const char *real) {
  for (size_t i = 0; i < prog->len; i++)
    if (prog->units[i].real && !strcmp(prog->units[i].real, real)) return (long)i;
  return -1;
}

/* Appends an empty unit that takes `path` and `real`; returns its index, or -1 when out of memory
 * (then both strings are freed). */
static long add_unit(rbk_program *prog, char *path, char *real) {
  if (!GROW(prog->units, prog->cap, prog->len + 1)) {
    free(path);
    free(real);
    return -1;
  }
  prog->units[prog->len] = (program_unit){path, real, NULL, NULL};
  return (long)prog->len++;
}

/* Returns the string that an IMPORT's path names, or NULL when it is not a plain string. */
static const char *import_text(const ast_node *imp) {
  const char *text = NULL;
  if (!imp || imp->kind != AST_IMPORT || !ast_string_is_plain(imp->u.import.path, &text)) return NULL;
  return text ? text : "";
}

/* Returns the place of an import's path (or of the statement when it has none). */
static rbk_span import_span(const ast_node *imp) { return imp->u.import.path ? imp->u.import.path->span : imp->span; }

static bool load_imports(loader *ld, size_t unit);

/* Returns true when the unit at `index` is on the chain being loaded; *at is its position. */
static bool on_chain(const loader *ld, size_t index, size_t *at) {
  for (size_t i = 0; i < ld->depth; i++)
    if (ld->chain[i] == index) {
      *at = i;
      return true;
    }
  return false;
}

/* Returns "a.rbk -> b.rbk -> a.rbk" for the chain from position `at` back to it (caller frees), or NULL
 * when out of memory. */
static char *chain_text(const loader *ld, size_t at) {
  valbuf b = {0};
  for (size_t i = at; i < ld->depth; i++) valbuf_printf(&b, "%s -> ", ld->prog->units[ld->chain[i]].path);
  valbuf_puts(&b, ld->prog->units[ld->chain[at]].path);
  return valbuf_take(&b, NULL);
}

/* Reports the cycle closed by `imp` (in the innermost unit of the chain) back to chain[at]. */
static void report_cycle(loader *ld, const ast_node *imp, size_t at) {
  const program_unit *units = ld->prog->units;
  if (at + 1 == ld->depth) {
    diag_add(ld->diags, DIAG_ERROR, import_span(imp), "import cycle: '%s' imports itself", units[ld->chain[at]].path);
    return;
  }
  char *chain = chain_text(ld, at);
  int d = diag_add(ld->diags, DIAG_ERROR, import_span(imp), "import cycle: %s", chain ? chain : "");
  diag_note(ld->diags, d, import_span(ld->chain_imp[at]), "'%s' imports '%s' here", units[ld->chain[at]].path,
            units[ld->chain[at + 1]].path);
  free(chain);
}

/* Reads and parses the unit at `index`; returns false when out of memory. */
static bool parse_unit(loader *ld, size_t index, const rbk_span *at) {
  program_unit *u = &ld->prog->units[index];
  char *err = NULL;
  u->src = source_load(u->path, &err);
  if (!u->src) {
    if (at)
      diag_add(ld->diags, DIAG_ERROR, *at, "%s", err ? err : "cannot read an imported file");
    else
      diag_add(ld->diags, DIAG_ERROR, (rbk_span){0}, "%s", err ? err : "cannot read a file");
    free(err);
    return true;
  }
  u->ast = parse_source(u->src, ld->diags);
  return u->ast != NULL;
}

/* Returns the canonical path of the regular file that `text` (imported from unit `from`) names,
 * with the resolved path in *path (caller frees both); NULL after reporting why there is none, or
 * with *path NULL when out of memory. */
static char *locate(loader *ld, size_t from, const ast_node *imp, const char *text, char **path) {
  *path = resolve_path(ld->prog->units[from].path, text);
  if (!*path) return NULL;
  char *real = canonical(*path);
  struct stat st;
  if (!real) {
    const char *why = strerror(errno);
    if (strcmp(*path, text))
      diag_add(ld->diags, DIAG_ERROR, import_span(imp), "cannot import '%s': %s (looked for '%s')", text, why, *path);
    else
      diag_add(ld->diags, DIAG_ERROR, import_span(imp), "cannot import '%s': %s", text, why);
  } else if (stat(real, &st) == 0 && !S_ISREG(st.st_mode)) {
    diag_add(ld->diags, DIAG_ERROR, import_span(imp), "cannot import '%s': not a regular file", text);
    free(real);
    real = NULL;
  }
  return real;
}

/* Loads the file that `imp` (a statement of unit `from`) names, unless it is loaded already (an
 * import of a file still being loaded is a cycle); returns false when out of memory. */
static bool load_import(loader *ld, size_t from, const ast_node *imp) {
  const char *text = import_text(imp);
  if (!text || !*text) return true; /* the checker reports paths that are not plain strings */
  char *path, *real = locate(ld, from, imp, text, &path);
  long found = real ? find_unit(ld->prog, real) : -1;
  size_t at;
  if (!real || found >= 0 || ld->depth >= MAX_IMPORT_DEPTH) {
    if (found >= 0 && on_chain(ld, (size_t)found, &at)) report_cycle(ld, imp, at);
    if (real && found < 0)
      diag_add(ld->diags, DIAG_ERROR, import_span(imp), "imports nested more than %d files deep", MAX_IMPORT_DEPTH);
    bool ok = path != NULL;
    free(path);
    free(real);
    return ok;
  }
  long index = add_unit(ld->prog, path, real);
  if (index < 0) return false;
  rbk_span span = import_span(imp);
  if (!parse_unit(ld, (size_t)index, &span)) return false;
  ld->chain_imp[ld->depth - 1] = imp;
  return load_imports(ld, (size_t)index);
}

/* Loads every import of the unit at `unit` (on top of the chain); returns false when out of memory. */
static bool load_imports(loader *ld, size_t unit) {
  ld->chain[ld->depth++] = unit;
  bool ok = true;
  const ast_file *file = ld->prog->units[unit].ast;
  for (size_t i = 0; ok && file && i < file->stmts.len; i++) {
    const ast_node *s = ld->prog->units[unit].ast->stmts.items[i];
    if (s && s->kind == AST_IMPORT) ok = load_import(ld, unit, s);
  }
  ld->depth--;
  return ok;
}

/* Returns the program whose main unit (path, source or NULL when unreadable) is given, with its
 * imports loaded; NULL when out of memory (src is freed). */
static rbk_program *load_main(const char *path, rbk_source *src, diag_list *diags) {
  rbk_program *prog = calloc(1, sizeof *prog);
  char *p = strdup(path), *real = canonical(path);
  if (!real && p) real = strdup(p);
  if (!prog || !p || !real) {
    free(prog);
    free(p);
    free(real);
    source_free(src);
    return NULL;
  }
  if (add_unit(prog, p, real) < 0) {
    free(prog);
    source_free(src);
    return NULL;
  }
  loader ld = {.prog = prog, .diags = diags};
  bool ok;
  if (src) {
    prog->units[0].src = src;
    prog->units[0].ast = parse_source(src, diags);
    ok = prog->units[0].ast != NULL;
  } else {
    ok = parse_unit(&ld, 0, NULL);
  }
  if (ok) ok = load_imports(&ld, 0);
  if (!ok) {
    program_free(prog);
    return NULL;
  }
  return prog;
}

/* Loads `path` and, transitively, every file it imports. */
rbk_program *program_load(const char *path, diag_list *diags) { return load_main(path, NULL, diags); }

/* Same, from text already in memory (path names it for diagnostics and resolves imports). */
rbk_program *program_load_string(const char *path, const char *text, size_t len, diag_list *diags) {
  rbk_source *src = source_from_string(path, text, len);
  if (!src) return NULL;
  return load_main(path, src, diags);
}

/* Returns the unit that the IMPORT statement `imp` of unit `from` names, or NULL. */
const program_unit *program_import(const rbk_program *prog, const program_unit *from, const ast_node *imp) {
  const char *text = import_text(imp);
  if (!prog || !from || !text || !*text) return NULL;
  char *path = resolve_path(from->path, text);
  char *real = path ? canonical(path) : NULL;
  long found = real ? find_unit(prog, real) : -1;
  free(path);
  free(real);
  if (found < 0 || !prog->units[found].ast) return NULL;
  return &prog->units[found];
}

/* Returns the RUNBOOK declaration of the main file, or NULL. */
const ast_node *program_runbook(const rbk_program *prog) {
  if (!prog || !prog->len || !prog->units[0].ast) return NULL;
  const ast_list *stmts = &prog->units[0].ast->stmts;
  for (size_t i = 0; i < stmts->len; i++)
    if (stmts->items[i] && stmts->items[i]->kind == AST_RUNBOOK) return stmts->items[i];
  return NULL;
}

/* Frees the program; NULL is fine. */
void program_free(rbk_program *prog) {
  if (!prog) return;
  for (size_t i = 0; i < prog->len; i++) {
    ast_file_free(prog->units[i].ast);
    source_free(prog->units[i].src);
    free(prog->units[i].path);
    free(prog->units[i].real);
  }
  free(prog->units);
  free(prog);
}
