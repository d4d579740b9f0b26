/* parse_str.h — assembling string literals from the scanner's pieces: text (escapes resolved),
 * the raw indentation of each line of a triple-quoted string, and interpolated expressions. At the
 * end a triple-quoted string loses its blank first and last lines and its common indentation, and
 * adjacent text is merged into single TEXT nodes (docs/syntax.md).
 *
 * Ownership: the pieces live on the context's piece stack until parse_str_finish (or parse_str_discard)
 * takes them off; their text and expressions are in the file's arena (ast.h), like the STRING
 * node and its parts array that parse_str_finish makes.
 */
#ifndef RBK_PARSE_STR_H
#define RBK_PARSE_STR_H

#include "parse_int.h"

/* Returns a new empty string literal, its pieces starting at the top of the stack. */
strb parse_str_new(parse_ctx *ctx, bool triple);
/* Appends text (in the arena); returns sb. */
strb parse_str_text(parse_ctx *ctx, strb sb, text_buf text, rbk_span span);
/* Appends the raw indentation that starts a line of a triple-quoted string; returns sb. */
strb parse_str_indent(parse_ctx *ctx, strb sb, slice indent, rbk_span span);
/* Appends an interpolated expression; returns sb. */
strb parse_str_expr(parse_ctx *ctx, strb sb, xnode expr);
/* Returns the STRING node at `span` (quotes included), taking the pieces off the stack. */
xnode parse_str_finish(parse_ctx *ctx, strb sb, rbk_span span);
/* Returns the STRING node of a "…" string of plain text alone (not empty, no escape, no
 * interpolation) at `span`, quotes included; `text` is its text, borrowed from the source. */
xnode parse_str_plain(parse_ctx *ctx, slice text, parse_loc span);
/* Gives a STRING that keeps its text in the node (ast_string_text) a TEXT node instead, spanning
 * the string without its quotes: done before a change of the string's span (parentheses), from
 * which that span could no longer be told. */
void parse_str_expand(parse_ctx *ctx, ast_node *str);
/* Drops the pieces of a string literal that error recovery discards. */
void parse_str_discard(parse_ctx *ctx, strb sb);
/* Frees the piece stack (after a parse). */
void parse_str_free_all(parse_ctx *ctx);

#endif
