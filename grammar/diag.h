/* diag.h — diagnostics: collected with spans, capped, printed like clang or as JSON.
 *
 * Ownership: a diag_list owns its messages and notes. Spans borrow their sources, which must
 * outlive the list while it is printed.
 */
#ifndef RBK_DIAG_H
#define RBK_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "source.h"

#define RBK_DIAG_SEVERITIES(X) X(ERROR, "error") X(WARNING, "warning") X(NOTE, "note")

typedef enum {
#define X(k, name) DIAG_##k,
  RBK_DIAG_SEVERITIES(X)
#undef X
} diag_severity;

typedef struct diag {
  diag_severity severity;
  rbk_span span;
  char *message;
  struct diag *notes; /* secondary places ("'{' opened here"), each a DIAG_NOTE */
  size_t nnotes, notes_cap;
} diag;

typedef struct {
  diag *items;
  size_t len, cap;
  size_t errors, warnings;
  size_t max_errors; /* errors past this are counted but not kept; 0 = default (50) */
  size_t dropped;
} diag_list;

/* Adds a diagnostic (printf-style message); returns its index, or -1 when it was dropped. */
int diag_add(diag_list *list, diag_severity sev, rbk_span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a note at `span` to the diagnostic at `index` (ignored when index < 0). */
void diag_note(diag_list *list, int index, rbk_span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sorts diagnostics by file, line and column (stable). */
void diag_sort(diag_list *list);
/* Prints every diagnostic as `file:line:col: error: message`, the source line and a caret
 * underline; `color` adds ANSI colours. */
void diag_print(const diag_list *list, FILE *out, bool color);
/* Prints the diagnostics as one JSON array (for editors). */
void diag_print_json(const diag_list *list, FILE *out);
/* Frees everything the list owns and leaves it empty. */
void diag_free(diag_list *list);

/* Returns the name in `candidates` (NULL-terminated) closest to `name` by edit distance, or NULL
 * when none is close enough to suggest. */
const char *diag_suggest(const char *name, const char *const *candidates);

#endif
