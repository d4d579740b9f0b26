/* diag.c — collecting diagnostics and printing them like clang, or as JSON. */
#include "diag.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "strutil.h"

enum { DEFAULT_MAX_ERRORS = 50, SHOW_WIDTH = 120 };

static const char *const severity_names[] = {
#define X(k, name) name,
    RBK_DIAG_SEVERITIES(X)
#undef X
};

/* Adds a diagnostic (printf-style message); returns its index, or -1 when it was dropped. */
int diag_add(diag_list *list, diag_severity sev, rbk_span span, const char *fmt, ...) {
  size_t max = list->max_errors ? list->max_errors : DEFAULT_MAX_ERRORS;
  if (sev == DIAG_ERROR) list->errors++;
  if (sev == DIAG_WARNING) list->warnings++;
  if (sev == DIAG_ERROR && list->errors > max) {
    list->dropped++;
    return -1;
  }
  if (!GROW(list->items, list->cap, list->len + 1)) return -1;
  va_list ap;
  va_start(ap, fmt);
  char *msg = strutil_vprintf(fmt, ap);
  va_end(ap);
  if (!msg) return -1;
  list->items[list->len] = (diag){sev, span, msg, NULL, 0, 0};
  return (int)list->len++;
}

/* Adds a note at `span` to the diagnostic at `index` (ignored when index < 0). */
void diag_note(diag_list *list, int index, rbk_span span, const char *fmt, ...) {
  if (index < 0 || (size_t)index >= list->len) return;
  diag *d = &list->items[index];
  if (!GROW(d->notes, d->notes_cap, d->nnotes + 1)) return;
  va_list ap;
  va_start(ap, fmt);
  char *msg = strutil_vprintf(fmt, ap);
  va_end(ap);
  if (!msg) return;
  d->notes[d->nnotes++] = (diag){DIAG_NOTE, span, msg, NULL, 0, 0};
}

/* A diagnostic with its original position, so that sorting is stable. */
typedef struct {
  diag d;
  size_t index;
} placed;

/* Returns the ordering of two diagnostics by file, line, column, then original position. */
static int by_place(const void *pa, const void *pb) {
  const placed *a = pa, *b = pb;
  const char *fa = a->d.span.src ? a->d.span.src->path : "", *fb = b->d.span.src ? b->d.span.src->path : "";
  int c = strcmp(fa, fb);
  if (c) return c;
  if (a->d.span.line != b->d.span.line) return a->d.span.line < b->d.span.line ? -1 : 1;
  if (a->d.span.col != b->d.span.col) return a->d.span.col < b->d.span.col ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

/* Sorts diagnostics by file, line and column (stable). */
void diag_sort(diag_list *list) {
  if (list->len < 2) return;
  placed *tmp = malloc(list->len * sizeof *tmp);
  if (!tmp) return;
  for (size_t i = 0; i < list->len; i++) tmp[i] = (placed){list->items[i], i};
  qsort(tmp, list->len, sizeof *tmp, by_place);
  for (size_t i = 0; i < list->len; i++) list->items[i] = tmp[i].d;
  free(tmp);
}

/* Prints the span's source line (a window around the column when long) and a caret underline. */
static void print_excerpt(FILE *out, rbk_span span, bool color) {
  size_t len;
  const char *line = source_line(span.src, span.line, &len);
  if (!line) return;
  size_t col = span.col > 0 ? (size_t)span.col - 1 : 0;
  if (col > len) col = len;
  size_t start = col > SHOW_WIDTH / 2 ? col - SHOW_WIDTH / 2 : 0;
  size_t end = start + SHOW_WIDTH < len ? start + SHOW_WIDTH : len;
  size_t width = span.end_line == span.line && span.end_col >= span.col ? (size_t)(span.end_col - span.col) + 1 : 1;
  if (col + width > end) width = end > col ? end - col : 1;
  fputs(start ? "  ..." : "  ", out);
  for (size_t i = start; i < end; i++) fputc(line[i] == '\t' ? ' ' : (line[i] && (unsigned char)line[i] >= 0x20) || (unsigned char)line[i] >= 0x80 ? line[i] : '?', out);
  fputs(end < len ? "...\n  " : "\n  ", out);
  if (start) fputs("   ", out);
  for (size_t i = start; i < col; i++) fputc(' ', out);
  if (color) fputs("\033[1;32m", out);
  fputc('^', out);
  for (size_t i = 1; i < width; i++) fputc('~', out);
  if (color) fputs("\033[0m", out);
  fputc('\n', out);
}

/* Prints one diagnostic's header line and excerpt. */
static void print_one(FILE *out, const diag *d, bool color) {
  static const char *const colors[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};
  const char *path = d->span.src ? d->span.src->path : "rbk";
  if (color) fputs("\033[1m", out);
  if (d->span.src && d->span.line > 0)
    fprintf(out, "%s:%d:%d: ", path, d->span.line, d->span.col);
  else
    fprintf(out, "%s: ", path);
  if (color) fputs(colors[d->severity], out);
  fprintf(out, "%s: ", severity_names[d->severity]);
  if (color) fputs("\033[0m\033[1m", out);
  fputs(d->message, out);
  if (color) fputs("\033[0m", out);
  fputc('\n', out);
  if (d->span.src && d->span.line > 0) print_excerpt(out, d->span, color);
}

/* Prints every diagnostic as `file:line:col: error: message`, the source line and a caret underline;
 * `color` adds ANSI colours. */
void diag_print(const diag_list *list, FILE *out, bool color) {
  for (size_t i = 0; i < list->len; i++) {
    print_one(out, &list->items[i], color);
    for (size_t j = 0; j < list->items[i].nnotes; j++) print_one(out, &list->items[i].notes[j], color);
  }
  if (list->dropped)
    fprintf(out, "rbk: %zu more error%s not shown\n", list->dropped, list->dropped == 1 ? "" : "s");
}

/* Returns the JSON object for one diagnostic (and its notes). */
static json_t *diag_json(const diag *d) {
  json_t *o = json_object();
  json_object_set_new(o, "severity", json_string(severity_names[d->severity]));
  json_object_set_new(o, "file", d->span.src ? json_string(d->span.src->path) : json_null());
  json_object_set_new(o, "line", json_integer(d->span.line));
  json_object_set_new(o, "col", json_integer(d->span.col));
  json_object_set_new(o, "end_line", json_integer(d->span.end_line));
  json_object_set_new(o, "end_col", json_integer(d->span.end_col));
  json_object_set_new(o, "message", json_stringn_nocheck(d->message, strlen(d->message)));
  if (d->nnotes) {
    json_t *notes = json_array();
    for (size_t i = 0; i < d->nnotes; i++) json_array_append_new(notes, diag_json(&d->notes[i]));
    json_object_set_new(o, "notes", notes);
  }
  return o;
}

/* Prints the diagnostics as one JSON array (for editors). */
void diag_print_json(const diag_list *list, FILE *out) {
  json_t *arr = json_array();
  for (size_t i = 0; i < list->len; i++) json_array_append_new(arr, diag_json(&list->items[i]));
  char *text = json_dumps(arr, JSON_INDENT(2) | JSON_ENSURE_ASCII);
  if (text) fprintf(out, "%s\n", text);
  free(text);
  json_decref(arr);
}

/* Frees one diagnostic's message and notes. */
static void diag_release(diag *d) {
  free(d->message);
  for (size_t i = 0; i < d->nnotes; i++) diag_release(&d->notes[i]);
  free(d->notes);
}

/* Frees everything the list owns and leaves it empty. */
void diag_free(diag_list *list) {
  for (size_t i = 0; i < list->len; i++) diag_release(&list->items[i]);
  free(list->items);
  size_t max = list->max_errors;
  memset(list, 0, sizeof *list);
  list->max_errors = max;
}

/* Returns the edit distance between a and b (insert, delete, substitute, transpose), or SIZE_MAX
 * once it is sure to pass `limit` (two rows in a row above it: no later cell can come back under). */
static size_t distance(const char *a, const char *b, size_t limit) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64) return SIZE_MAX;
  size_t d[65][65], prev_min = 0;
  for (size_t i = 0; i <= la; i++) d[i][0] = i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t row_min = d[i][0];
    for (size_t j = 1; j <= lb; j++) {
      size_t cost = a[i - 1] != b[j - 1];
      size_t best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
      if (best < row_min) row_min = best;
    }
    if (row_min > limit && prev_min > limit) return SIZE_MAX;
    prev_min = row_min;
  }
  return d[la][lb];
}

/* Returns the name in `candidates` (NULL-terminated) closest to `name` by edit distance, or NULL when none
 * is close enough to suggest. */
const char *diag_suggest(const char *name, const char *const *candidates) {
  const char *best = NULL;
  size_t best_d = SIZE_MAX, len = strlen(name);
  size_t limit = len < 3 ? 1 : len / 3 + 1;
  for (size_t i = 0; candidates && candidates[i]; i++) {
    size_t lc = strlen(candidates[i]);
    if ((lc > len ? lc - len : len - lc) > limit || !strcmp(candidates[i], name)) continue; /* distance >= length gap */
    size_t d = distance(name, candidates[i], limit);
    if (d <= limit && d < best_d) {
      best = candidates[i];
      best_d = d;
    }
  }
  return best;
}
