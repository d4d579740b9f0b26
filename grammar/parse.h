/* parse.h — the front end's entry point: bytes to an ast_file.
 *
 * The scanner is reentrant (flex) and the parser pure (bison); no globals, so several files can be
 * parsed in one process (imports do).
 *
 * Ownership: the source is borrowed and must outlive the ast_file, which the caller owns (ast_file_free);
 * diagnostics are appended to the caller's list.
 */
#ifndef RBK_PARSE_H
#define RBK_PARSE_H

#include "ast.h"
#include "diag.h"

/* Parses `src` (borrowed; must outlive the result). Syntax errors are added to `diags`, recovering
 * at statement level. Returns the file with every statement that parsed (possibly none), or NULL
 * only when out of memory. Caller owns the file. */
ast_file *parse_source(const rbk_source *src, diag_list *diags);

#endif
