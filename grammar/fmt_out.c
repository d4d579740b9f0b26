/* fmt_out.c — the formatter's output buffer: lazy indentation, line ends, comment placement and the
 * final alignment of trailing comments. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_int.h"

#include "grow.h"

/* Returns the start position of a node. */
fmt_pos fmt_start(const ast_node *n) { return (fmt_pos){n->span.line, n->span.col}; }

/* Returns the position just after the end of a span (for "comments before the closing bracket"). */
fmt_pos fmt_end(rbk_span span) { return (fmt_pos){span.end_line, span.end_col}; }

/* Returns a position after everything in any file. */
fmt_pos fmt_eof(void) { return (fmt_pos){INT_MAX, INT_MAX}; }

/* Returns true when position a comes before position b. */
static bool pos_before(fmt_pos a, fmt_pos b) { return a.line < b.line || (a.line == b.line && a.col < b.col); }

/* Appends bytes without indentation handling. */
static void append(fmt_printer *p, const char *s, size_t n) {
  valbuf_put(&p->out, s, n);
}

/* Writes the current indentation when the line has no text yet. */
static void open_line(fmt_printer *p) {
  if (p->line_open) return;
  p->line_open = true;
  for (int i = 0; i < p->indent; i++) append(p, " ", 1);
}

/* Appends n bytes of s. */
static void fmt_putn(fmt_printer *p, const char *s, size_t n) {
  if (n == 0) return;
  open_line(p);
  append(p, s, n);
}

/* Appends text (indenting first when the line is new). */
void fmt_put(fmt_printer *p, const char *s) { fmt_putn(p, s, strlen(s)); }

/* Appends one byte. */
void fmt_putc(fmt_printer *p, char c) { fmt_putn(p, &c, 1); }

/* Appends a newline with no comment handling (inside triple-quoted strings); trailing blanks of the line
 * are dropped by the caller's choice of text. */
void fmt_raw_newline(fmt_printer *p) {
  append(p, "\n", 1);
  p->line_no++;
  p->line_start = p->out.len;
  p->line_open = false;
}

/* Drops blanks at the end of the current line. */
static void trim_line(fmt_printer *p) {
  while (p->out.len > p->line_start && p->out.s[p->out.len - 1] == ' ') p->out.len--;
  if (p->out.s) p->out.s[p->out.len] = '\0';
}

/* Returns the number of UTF-8 code points in s[0..n). */
static size_t width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
  return w;
}

/* Remembers a trailing comment that starts after the code of the current line. */
static void add_trailer(fmt_printer *p) {
  if (!GROW(p->trailers, p->trailers_cap, p->ntrailers + 1)) {
    p->out.oom = true;
    return;
  }
  size_t w = p->out.s ? width(p->out.s + p->line_start, p->out.len - p->line_start) : 0;
  p->trailers[p->ntrailers++] = (fmt_trailer){p->line_no, p->out.len, w};
}

/* Writes comment `c` as "#text" and counts it as emitted. */
static void put_comment(fmt_printer *p, const ast_comment *c) {
  fmt_put(p, "#");
  fmt_put(p, c->text);
  p->next_comment++;
  p->emitted++;
  if (c->line > p->last_line) p->last_line = c->line;
}

/* Ends the current line: first, when the earliest pending comment is a trailing comment that precedes
 * `next`, it goes at the end of the line. */
void fmt_end_line(fmt_printer *p, fmt_pos next) {
  if (!p->line_open) return;
  trim_line(p);
  const ast_file *f = p->file;
  if (p->next_comment < f->ncomments) {
    const ast_comment *c = &f->comments[p->next_comment];
    if (!c->own_line && pos_before((fmt_pos){c->line, c->col}, next)) {
      add_trailer(p);
      fmt_put(p, "  ");
      put_comment(p, c);
      trim_line(p);
    }
  }
  fmt_raw_newline(p);
}

/* Prints every pending comment that precedes `next` on its own line at the current indentation; with
 * `blank_lines`, a blank line is kept where the source had one (statement level). */
void fmt_comments_before(fmt_printer *p, fmt_pos next, bool blank_lines) {
  const ast_file *f = p->file;
  while (p->next_comment < f->ncomments) {
    const ast_comment *c = &f->comments[p->next_comment];
    if (!pos_before((fmt_pos){c->line, c->col}, next)) break;
    if (p->line_open) {
      fmt_end_line(p, next);
      continue;
    }
    if (blank_lines && !p->block_start && c->line > p->last_line + 1) fmt_raw_newline(p);
    put_comment(p, c);
    trim_line(p);
    fmt_raw_newline(p);
    p->block_start = false;
  }
}

/* Returns true when a comment not yet emitted comes before `next`. */
bool fmt_has_comment_before(const fmt_printer *p, fmt_pos next) {
  if (p->next_comment >= p->file->ncomments) return false;
  const ast_comment *c = &p->file->comments[p->next_comment];
  return pos_before((fmt_pos){c->line, c->col}, next);
}

/* Ends the line and prints the comments that come before `next` (a break inside an expression). */
void fmt_break(fmt_printer *p, fmt_pos next) {
  fmt_end_line(p, next);
  fmt_comments_before(p, next, false);
}

/* Emits every comment still pending (the safety net at the end of a file). */
void fmt_flush_all(fmt_printer *p) {
  fmt_end_line(p, fmt_eof());
  fmt_comments_before(p, fmt_eof(), true);
  /* The safety net: every comment must have been printed exactly once. The cursor cannot skip
   * one, but should the count of emitted comments ever fall short, the rest are printed here
   * rather than lost. */
  while (p->emitted < p->file->ncomments && p->next_comment < p->file->ncomments) {
    put_comment(p, &p->file->comments[p->next_comment]);
    fmt_raw_newline(p);
  }
}

/* Sets pads[k] to the spaces that align trailer k with the other trailing comments of its run of
 * consecutive lines (at the run's widest code); returns their sum. */
static size_t paddings(const fmt_printer *p, size_t *pads) {
  size_t total = 0;
  for (size_t first = 0, last; first < p->ntrailers; first = last + 1) {
    last = first;
    while (last + 1 < p->ntrailers && p->trailers[last].line_no + 1 == p->trailers[last + 1].line_no) last++;
    size_t widest = 0;
    for (size_t i = first; i <= last; i++)
      if (p->trailers[i].width > widest) widest = p->trailers[i].width;
    for (size_t i = first; i <= last; i++) total += pads[i] = widest - p->trailers[i].width;
  }
  return total;
}

/* Returns the buffer with the trailing comments of consecutive lines aligned (a new allocation, its
 * length in *len), or NULL when out of memory. */
static char *align_trailers(const fmt_printer *p, size_t *len) {
  size_t *pads = calloc(p->ntrailers + 1, sizeof *pads);
  if (!pads) return NULL;
  size_t extra = paddings(p, pads);
  char *out = malloc(p->out.len + extra + 2);
  if (!out) {
    free(pads);
    return NULL;
  }
  size_t from = 0, n = 0;
  for (size_t k = 0; k < p->ntrailers; k++) {
    size_t at = p->trailers[k].code_end;
    memcpy(out + n, p->out.s + from, at - from);
    n += at - from;
    memset(out + n, ' ', pads[k]);
    n += pads[k];
    from = at;
  }
  if (p->out.len > from) memcpy(out + n, p->out.s + from, p->out.len - from);
  n += p->out.len - from;
  free(pads);
  *len = n;
  return out;
}

/* Returns the canonical text: trailing comments aligned, exactly one final newline; NULL when out of
 * memory. */
char *fmt_finish(fmt_printer *p) {
  if (p->out.oom) return NULL;
  size_t n = 0;
  char *out = align_trailers(p, &n);
  if (!out) return NULL;
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ')) n--;
  if (n > 0) out[n++] = '\n';
  out[n] = '\0';
  return out;
}

/* Frees what the printer owns. */
void fmt_printer_free(fmt_printer *p) {
  valbuf_free(&p->out);
  free(p->trailers);
  p->trailers = NULL;
}
