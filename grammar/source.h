/* source.h — a plan's text and the spans that point into it.
 *
 * Ownership: an rbk_source owns its path and text; spans borrow the source. Lines and columns are
 * 1-based; columns count bytes.
 */
#ifndef RBK_SOURCE_H
#define RBK_SOURCE_H

#include <stddef.h>

typedef struct rbk_source {
  char *path; /* as given on the command line or resolved for an import */
  char *text; /* followed by two NULs (the scanner works in place); may contain other NULs (then
               * len says where it ends) */
  size_t len;
  size_t mapped; /* the size of the mapping that holds text, or 0: text is malloc'ed */
} rbk_source;

typedef struct {
  const rbk_source *src; /* borrowed; NULL for a span that points nowhere */
  int line, col;         /* first byte */
  int end_line, end_col; /* last byte (inclusive) */
} rbk_span;

/* Returns a source read from `path`, or NULL with *err set (caller frees *err). Caller owns it. */
rbk_source *source_load(const char *path, char **err);
/* Returns a source holding a copy of `text` (len bytes) named `path`; NULL when out of memory. */
rbk_source *source_from_string(const char *path, const char *text, size_t len);
/* Frees the source; NULL is fine. */
void source_free(rbk_source *src);
/* Returns the start of line `line` in src (borrowed) and its length without the newline in *len;
 * NULL when there is no such line. */
const char *source_line(const rbk_source *src, int line, size_t *len);

#endif
