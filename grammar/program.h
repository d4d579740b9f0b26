/* program.h — a plan and the libraries it imports, loaded and parsed once.
 *
 * Ownership: a program owns its units (sources and trees). Unit 0 is the main file; imports are
 * resolved relative to the importing file and loaded once each (by canonical path).
 */
#ifndef RBK_PROGRAM_H
#define RBK_PROGRAM_H

#include "ast.h"
#include "diag.h"

typedef struct {
  char *path;        /* as resolved (relative to the importing file) */
  char *real;        /* canonical path (realpath), the unit's identity */
  rbk_source *src;
  ast_file *ast;     /* NULL when the file could not be read */
} program_unit;

typedef struct {
  program_unit *units;
  size_t len, cap;
} rbk_program;

/* Loads `path` and, transitively, every file it imports. Read errors, syntax errors and import
 * cycles go to `diags` (with the import statement's span). Returns the program (possibly with
 * errors) or NULL when out of memory. Caller frees with program_free(). */
rbk_program *program_load(const char *path, diag_list *diags);
/* Same, from text already in memory (path names it for diagnostics and resolves imports). */
rbk_program *program_load_string(const char *path, const char *text, size_t len, diag_list *diags);
/* Returns the unit that the IMPORT statement `imp` of unit `from` names, or NULL. Borrowed. */
const program_unit *program_import(const rbk_program *prog, const program_unit *from, const ast_node *imp);
/* Returns the RUNBOOK declaration of the main file, or NULL. Borrowed. */
const ast_node *program_runbook(const rbk_program *prog);
/* Frees the program; NULL is fine. */
void program_free(rbk_program *prog);

#endif
