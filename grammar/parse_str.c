/* parse_str.c — string literals from pieces: triple-quote trimming and dedent, text merging. */
#include "parse_str.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "parse_build.h"

enum { PIECE_TEXT, PIECE_INDENT, PIECE_EXPR };

/* Pops the pieces from `base` to the top of the stack (their text and nodes stay in the arena). */
static void pop_to(parse_ctx *ctx, size_t base) {
  if (ctx->npieces > base) ctx->npieces = base;
}

/* Pushes a piece (out of memory is recorded). */
static void push(parse_ctx *ctx, str_piece p) {
  if (ctx->npieces == ctx->pieces_cap && !GROW(ctx->pieces, ctx->pieces_cap, ctx->npieces + 1)) {
    parse_oom(ctx);
    return;
  }
  ctx->pieces[ctx->npieces++] = p;
}

/* Returns a new empty string literal, its pieces starting at the top of the stack. */
strb parse_str_new(parse_ctx *ctx, bool triple) { return (strb){ctx->npieces, 0, triple}; }

/* Appends text (in the arena); returns sb. */
strb parse_str_text(parse_ctx *ctx, strb sb, text_buf text, rbk_span span) {
  if (text.s) push(ctx, (str_piece){PIECE_TEXT, text.s, NULL, text.len, NULL, span});
  return sb;
}

/* Appends the raw indentation that starts a line of a triple-quoted string; returns sb. */
strb parse_str_indent(parse_ctx *ctx, strb sb, slice indent, rbk_span span) {
  push(ctx, (str_piece){PIECE_INDENT, NULL, indent.p, indent.n, NULL, span});
  return sb;
}

/* Appends an interpolated expression; returns sb. */
strb parse_str_expr(parse_ctx *ctx, strb sb, xnode expr) {
  if (!expr.n) return sb;
  if (expr.depth > sb.depth) sb.depth = expr.depth;
  push(ctx, (str_piece){PIECE_EXPR, NULL, NULL, 0, expr.n, expr.n->span});
  return sb;
}

/* Drops the pieces of a string literal that error recovery discards. */
void parse_str_discard(parse_ctx *ctx, strb sb) { pop_to(ctx, sb.base); }

/* Frees the piece stack (after a parse). */
void parse_str_free_all(parse_ctx *ctx) {
  pop_to(ctx, 0);
  free(ctx->pieces);
  ctx->pieces = NULL;
  ctx->pieces_cap = 0;
}

/* The pieces of one literal: p[0..n). */
typedef struct {
  str_piece *p;
  size_t n;
} pieces;

/* Returns the index of the piece after the line that starts at INDENT piece `i`. */
static size_t line_end(pieces ps, size_t i) {
  for (i++; i < ps.n && ps.p[i].kind != PIECE_INDENT; i++) {}
  return i;
}

/* Returns true when the line starting at INDENT piece `i` holds only blanks. A line that another
 * follows ends in its raw newline (the scanner ends a TEXT piece there), which does not count. */
static bool line_blank(pieces ps, size_t i) {
  size_t end = line_end(ps, i), text = 0;
  for (size_t k = i + 1; k < end; k++) {
    if (ps.p[k].kind == PIECE_EXPR) return false;
    text += ps.p[k].len;
  }
  return text == (end < ps.n ? 1 : 0);
}

/* Empties the pieces [from, to) (they keep their memory until the literal is done). */
static void clear_pieces(pieces ps, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) ps.p[i].len = 0;
}

/* Returns the length of the indentation common to every non-blank line from INDENT piece `first`. */
static size_t common_indent(pieces ps, size_t first) {
  const str_piece *model = NULL;
  size_t common = 0;
  for (size_t i = first; i < ps.n; i = line_end(ps, i)) {
    if (line_blank(ps, i)) continue;
    const str_piece *p = &ps.p[i];
    if (!model) {
      model = p;
      common = p->len;
      continue;
    }
    size_t k = 0;
    while (k < common && k < p->len && p->view[k] == model->view[k]) k++;
    common = k;
  }
  return common;
}

/* Drops a blank opening line, a blank closing line (and the newline before it), and the common
 * indentation of a triple-quoted string's lines (blank lines lose all of theirs). Returns the
 * number of pieces still in use. */
static size_t dedent(pieces ps) {
  if (!ps.n || ps.p[0].kind != PIECE_INDENT) return ps.n;
  size_t first = 0, last = 0;
  for (size_t i = 0; i < ps.n; i = line_end(ps, i)) last = i;
  if (last > 0 && line_blank(ps, 0)) {
    first = line_end(ps, 0);
    clear_pieces(ps, 0, first);
  }
  if (last > 0 && line_blank(ps, last)) {
    clear_pieces(ps, last, ps.n);
    str_piece *nl = &ps.p[last - 1]; /* the TEXT piece that ends in the raw newline */
    if (last > first && nl->kind == PIECE_TEXT && nl->len) nl->text[--nl->len] = '\0';
    ps.n = last;
  }
  size_t common = common_indent(ps, first);
  for (size_t i = first; i < ps.n; i = line_end(ps, i)) {
    str_piece *p = &ps.p[i];
    size_t cut = line_blank(ps, i) || common > p->len ? p->len : common;
    p->view += cut;
    p->len -= cut;
  }
  return ps.n;
}

/* Returns the text of a piece. */
static const char *piece_text(const str_piece *p) { return p->kind == PIECE_TEXT ? p->text : p->view; }

/* Returns the text joining the pieces [from, to), its span in *span, or NULL when they are empty
 * (or out of memory, recorded). A lone TEXT piece lends its text (in the arena). */
static char *join_pieces(parse_ctx *ctx, pieces ps, size_t from, size_t to, rbk_span *span) {
  size_t total = 0, nonempty = 0, first = to, last = from;
  for (size_t i = from; i < to; i++)
    if (ps.p[i].len) {
      total += ps.p[i].len;
      nonempty++;
      first = first < i ? first : i;
      last = i;
    }
  if (!total) return NULL;
  *span = ast_span_join(ps.p[first].span, ps.p[last].span);
  if (nonempty == 1 && ps.p[first].kind == PIECE_TEXT) return ps.p[first].text;
  char *s = arena_alloc(&ctx->file->mem, total + 1), *w = s;
  if (!s) {
    parse_oom(ctx);
    return NULL;
  }
  for (size_t i = from; i < to; i++) {
    memcpy(w, piece_text(&ps.p[i]), ps.p[i].len);
    w += ps.p[i].len;
  }
  *w = '\0';
  return s;
}

/* Returns a TEXT node joining the pieces [from, to), or NULL when they are empty (or out of memory,
 * recorded). */
static ast_node *join_text(parse_ctx *ctx, pieces ps, size_t from, size_t to) {
  rbk_span span;
  char *s = join_pieces(ctx, ps, from, to, &span);
  ast_node *n = s ? parse_build_new(ctx, AST_TEXT, span) : NULL;
  if (n) n->u.text.s = s;
  return n;
}

/* Returns true when `at` is the span s of a string without its quotes. */
static bool inside_quotes(rbk_span at, rbk_span s) {
  return at.src == s.src && at.line == s.line && at.end_line == s.end_line && at.col == s.col + 1 &&
         at.end_col == s.end_col - 1;
}

/* Keeps the text of a "…" string made of text alone in the node (ast_string_text) when a TEXT node
 * would span the string without its quotes; returns false (nothing kept) otherwise. */
static bool keep_text(parse_ctx *ctx, pieces ps, ast_node *str) {
  for (size_t i = 0; i < ps.n; i++)
    if (ps.p[i].kind == PIECE_EXPR) return false;
  rbk_span at;
  char *text = join_pieces(ctx, ps, 0, ps.n, &at);
  if (!text || !inside_quotes(at, str->span)) return false;
  str->u.str.text = text;
  return true;
}

/* Keeps the text of a "…" string that is one piece of text in the node, as keep_text would, when the
 * text spans the string without its quotes; returns false (nothing kept) otherwise. The common
 * case, without keep_text's walks. */
static bool keep_lone_text(const str_piece *p, ast_node *str) {
  if (p->kind != PIECE_TEXT || !p->len || !inside_quotes(p->span, str->span)) return false;
  str->u.str.text = p->text;
  return true;
}

/* Returns the number of parts the pieces make: expressions, and the text runs between them. */
static size_t count_parts(pieces ps) {
  size_t parts = 0;
  bool text = false;
  for (size_t i = 0; i < ps.n; i++) {
    if (ps.p[i].kind == PIECE_EXPR) {
      parts += 1 + text;
      text = false;
    } else if (ps.p[i].len) {
      text = true;
    }
  }
  return parts + text;
}

/* Moves the pieces into the STRING node's parts (an array of just the right size, in the arena):
 * text runs merged, expressions in order; or, for a "…" string of text alone, its text into the
 * node (keep_text). */
static void move_parts(parse_ctx *ctx, pieces ps, ast_node *str) {
  if (ps.n == 1 && !str->triple && keep_lone_text(ps.p, str)) return;
  ast_list *parts = &str->u.str.parts;
  size_t want = count_parts(ps);
  if (!want || (want == 1 && !str->triple && keep_text(ctx, ps, str))) return;
  parts->items = arena_alloc(&ctx->file->mem, want * sizeof *parts->items);
  if (!parts->items) {
    parse_oom(ctx);
    return;
  }
  parts->cap = want;
  size_t run = 0;
  for (size_t i = 0; i <= ps.n; i++) {
    if (i < ps.n && ps.p[i].kind != PIECE_EXPR) continue;
    ast_node *text = join_text(ctx, ps, run, i);
    if (text) parts->items[parts->len++] = text;
    if (i < ps.n) parts->items[parts->len++] = ps.p[i].expr;
    run = i + 1;
  }
}

/* Gives a STRING that keeps its text in the node a TEXT node instead (before its span changes). */
void parse_str_expand(parse_ctx *ctx, ast_node *str) {
  if (str->kind != AST_STRING || !str->u.str.text) return;
  rbk_span s = str->span;
  ast_node *text = parse_build_new(ctx, AST_TEXT, (rbk_span){s.src, s.line, s.col + 1, s.end_line, s.end_col - 1});
  ast_node **items = arena_alloc(&ctx->file->mem, sizeof *items);
  if (!text || !items) {
    parse_oom(ctx);
    return;
  }
  text->u.text.s = str->u.str.text;
  items[0] = text;
  str->u.str.parts = (ast_list){items, 1, 1};
  str->u.str.text = NULL;
}

/* Returns the STRING node of a "…" string of plain text alone at `span` (quotes included), text its
 * text: what parse_str_finish makes of it, with its text kept in the node (keep_lone_text). */
xnode parse_str_plain(parse_ctx *ctx, slice text, parse_loc span) {
  char *copy = parse_strdup(ctx, text); /* as lex_text_take copies a "…" string's text */
  ast_node *str = parse_build_at(ctx, AST_STRING, span);
  if (str && copy) str->u.str.text = copy;
  return (xnode){str, 2};
}

/* Returns the STRING node at `span` (quotes included), taking the pieces off the stack. */
xnode parse_str_finish(parse_ctx *ctx, strb sb, rbk_span span) {
  ast_node *str = parse_build_new(ctx, AST_STRING, span);
  if (str) {
    str->triple = sb.triple;
    pieces ps = {ctx->pieces ? ctx->pieces + sb.base : NULL, ctx->npieces - sb.base};
    if (sb.triple) ps.n = dedent(ps);
    move_parts(ctx, ps, str);
  }
  pop_to(ctx, sb.base);
  return (xnode){str, sb.depth + 1 < 2 ? 2 : sb.depth + 1};
}
