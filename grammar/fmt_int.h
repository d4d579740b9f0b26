/* fmt_int.h — the formatter's output state, shared by fmt.c (statements), fmt_expr.c
 * (expressions) and fmt_str.c (string literals). Internal to the formatter; use fmt.h.
 *
 * The printer appends to one growing buffer. Indentation is written lazily, at the first text of a
 * line, so blank lines never carry white space. Comments come from ast_file.comments in source
 * order; `next_comment` is the first one not yet emitted, and every emission takes the earliest
 * pending ones, so a comment can neither be lost nor printed twice.
 *
 * Ownership: the printer owns `out` and `trailers` (fmt_printer_free releases them); the file is
 * borrowed.
 */
#ifndef RBK_FMT_INT_H
#define RBK_FMT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "valbuf.h"

/* Deeper nesting than this is not formatted (the C stack is finite; fuzzers find such inputs). */
#define FMT_MAX_DEPTH 3000

/* A source position: a comment precedes `next` when its position is smaller. */
typedef struct {
  int line, col;
} fmt_pos;

/* A trailing comment as written: the output line it ends and where its code stops, for aligning
 * the comments of consecutive lines afterwards. */
typedef struct {
  size_t line_no;  /* 0-based output line */
  size_t code_end; /* offset in out just after the code (where the padding goes) */
  size_t width;    /* the code's width in characters (UTF-8 code points) */
} fmt_trailer;

typedef struct {
  const ast_file *file;
  valbuf out;           /* the text; out.oom: an allocation failed, the result is NULL */
  int indent;           /* spaces at the start of the current output line */
  int block_indent;     /* indentation of the statements being printed */
  size_t align;         /* name width for the next let/param/field (0: no alignment) */
  int depth;            /* nesting depth of the node being printed */
  bool too_deep;        /* nesting went past FMT_MAX_DEPTH: the result is NULL */
  bool line_open;       /* the current output line has text (its indentation is written) */
  bool cont;            /* the current line continues an expression (no further indent) */
  size_t line_no;       /* output lines completed so far */
  size_t line_start;    /* offset of the current output line in out */
  size_t next_comment;  /* comments[0..next_comment) are emitted */
  size_t emitted;       /* comments emitted, checked against the file's count at the end */
  int last_line;        /* source end line of the last statement or comment at this level */
  bool block_start;     /* nothing printed yet in the current block: no blank line */
  fmt_trailer *trailers;
  size_t ntrailers, trailers_cap;
} fmt_printer;

/* Returns the start position of a node. */
fmt_pos fmt_start(const ast_node *n);
/* Returns the position just after the end of a span (for "comments before the closing bracket"). */
fmt_pos fmt_end(rbk_span span);
/* Returns a position after everything in any file. */
fmt_pos fmt_eof(void);

/* Appends text (indenting first when the line is new). */
void fmt_put(fmt_printer *p, const char *s);
/* Appends one byte. */
void fmt_putc(fmt_printer *p, char c);
/* Appends a newline with no comment handling (inside triple-quoted strings); trailing blanks of the
 * line are dropped by the caller's choice of text. */
void fmt_raw_newline(fmt_printer *p);

/* Ends the current line: first, when the earliest pending comment is a trailing comment that
 * precedes `next`, it goes at the end of the line. */
void fmt_end_line(fmt_printer *p, fmt_pos next);
/* Prints every pending comment that precedes `next` on its own line at the current indentation;
 * with `blank_lines`, a blank line is kept where the source had one (statement level). */
void fmt_comments_before(fmt_printer *p, fmt_pos next, bool blank_lines);
/* Ends the line and prints the comments that come before `next` (a break inside an expression). */
void fmt_break(fmt_printer *p, fmt_pos next);
/* Returns true when a comment not yet emitted comes before `next`. */
bool fmt_has_comment_before(const fmt_printer *p, fmt_pos next);
/* Emits every comment still pending (the safety net at the end of a file). */
void fmt_flush_all(fmt_printer *p);

/* Returns the canonical text: trailing comments aligned, exactly one final newline; NULL when out
 * of memory. The printer's buffer moves into the result (caller frees it). */
char *fmt_finish(fmt_printer *p);
/* Frees what the printer owns. */
void fmt_printer_free(fmt_printer *p);

/* fmt_expr.c: prints an expression (its parentheses kept). */
void fmt_expr(fmt_printer *p, const ast_node *n);
/* fmt_expr.c: returns true when a bracketed sequence breaks between its elements or brackets in the
 * source (so it prints one element per line). */
bool fmt_seq_multiline(int open_line, const ast_list *items, int close_line);
/* fmt_expr.c: returns true when the expression prints on more than one line (a multi-line
 * sequence, a kept break after an operator, a triple-quoted string); `depth` starts at 0. */
bool fmt_breaks(const ast_node *n, int depth);
/* fmt_expr.c: prints items between `open` and `close`, one per line with trailing commas when
 * `multiline`, else on one line separated by ", ". */
void fmt_seq(fmt_printer *p, const char *open, const ast_list *items, const char *close, bool multiline,
             rbk_span close_span, void (*item)(fmt_printer *, const ast_node *));
/* fmt_str.c: prints a STRING node (plain or triple-quoted). */
void fmt_string(fmt_printer *p, const ast_node *n);
/* fmt_str.c: prints s as a "…" literal (no interpolation). */
void fmt_quoted(fmt_printer *p, const char *s);
/* fmt_str.c: prints `name` bare when it is an identifier, else as a quoted string. */
void fmt_key(fmt_printer *p, const char *name);
/* fmt.c: prints a statement or declaration (no newline). */
void fmt_stmt(fmt_printer *p, const ast_node *n);

#endif
