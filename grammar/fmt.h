/* fmt.h — `rbk fmt`: a parsed file printed in the one canonical layout (docs/fmt.md).
 *
 * The formatter prints from the AST and the comments the lexer kept (ast_file.comments); it never
 * re-lexes the source text. Every comment is printed exactly once.
 *
 * Ownership: the file is borrowed; fmt_file returns a new string (caller frees).
 */
#ifndef RBK_FMT_H
#define RBK_FMT_H

#include "ast.h"

/* Returns the canonical text of `file` (borrowed), ending in one newline ("" for a file with
 * nothing in it). Caller frees the result. Returns NULL when out of memory, or when the tree nests
 * deeper than the formatter's limit (thousands of levels; only generated input gets there). */
char *fmt_file(const ast_file *file);

#endif
