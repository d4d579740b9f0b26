/* ast.c — constructing and freeing syntax trees. */
#include "ast.h"

#include "grow.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
#define X(k, name) name,
    RBK_NODE_KINDS(X)
#undef X
};

static const char *const op_texts[] = {
#define X(k, text) text,
    RBK_OPERATORS(X)
#undef X
};

static const char *const type_names[] = {
#define X(k, kw) kw,
    RBK_TYPES(X)
#undef X
};

/* Returns the kind's name ("step", "call", …). */
const char *ast_kind_name(ast_kind kind) { return kind < AST_KIND_COUNT ? kind_names[kind] : "?"; }

/* Returns the operator's source text ("+", "and", …). */
const char *ast_op_text(ast_op op) { return op < OP_COUNT ? op_texts[op] : "?"; }

/* Returns the type's keyword ("string", …; "any" for TYPE_ANY). */
const char *ast_type_name(ast_type type) { return type < TYPE_COUNT ? type_names[type] : "?"; }

/* Returns the type whose keyword is `name`, or -1. */
int ast_type_from_name(const char *name) {
  for (int t = TYPE_STRING; t < TYPE_COUNT; t++)
    if (!strcmp(type_names[t], name)) return t;
  return -1;
}

/* The bytes of u that a node of each common kind uses; a node is allocated only that far (an
 * identifier or a piece of string text takes 40 bytes instead of 64, an int 40; ast.h). Kinds not
 * listed (0) get the whole node. */
#define MEMBER_SIZE(m) (offsetof(ast_node, u) + sizeof(((ast_node *)0)->u.m))
const unsigned char ast_node_sizes[AST_KIND_COUNT] = {
    [AST_INT_LIT] = offsetof(ast_node, u.lit.text), [AST_DURATION_LIT] = offsetof(ast_node, u.lit.f),
    [AST_FLOAT_LIT] = offsetof(ast_node, u.lit.b),
    [AST_STRING] = MEMBER_SIZE(str),       [AST_TEXT] = MEMBER_SIZE(text),          [AST_LIST] = MEMBER_SIZE(list),
    [AST_OBJECT] = MEMBER_SIZE(list),      [AST_PAIR] = MEMBER_SIZE(pair),          [AST_IDENT] = MEMBER_SIZE(ident),
    [AST_INDEX] = MEMBER_SIZE(index),      [AST_MEMBER] = MEMBER_SIZE(member),      [AST_COND] = MEMBER_SIZE(if_),
    [AST_CALL] = MEMBER_SIZE(call),        [AST_ARG] = MEMBER_SIZE(arg),            [AST_UNARY] = MEMBER_SIZE(unary),
    [AST_BINARY] = MEMBER_SIZE(binary),    [AST_LAMBDA] = MEMBER_SIZE(lambda),      [AST_BLOCK] = MEMBER_SIZE(block),
    [AST_EXPR_STMT] = MEMBER_SIZE(expr_stmt), [AST_LET] = MEMBER_SIZE(let),         [AST_ASSERT] = MEMBER_SIZE(check),
    [AST_EXPECT] = MEMBER_SIZE(check),     [AST_IF] = MEMBER_SIZE(if_),             [AST_PARALLEL] = MEMBER_SIZE(parallel),
    [AST_STEP] = MEMBER_SIZE(step),        [AST_RETURN] = MEMBER_SIZE(ret),         [AST_ABORT] = MEMBER_SIZE(abort),
};

/* Returns the new STEP or GATE `n` with its empty clauses, or NULL when out of memory (ast_new's
 * slow path). */
ast_node *ast_new_clauses(ast_file *file, ast_node *n) {
  ast_clauses *opt = arena_alloc(&file->mem, sizeof *opt);
  if (!opt) return NULL;
  if (n->kind == AST_STEP) n->u.step.opt = opt;
  else n->u.gate.opt = opt;
  return n;
}

/* Returns a NUL-terminated copy of s[0..len), owned by `file`; NULL when out of memory. */
char *ast_strdup(ast_file *file, const char *s, size_t len) { return arena_strdup(&file->mem, s, len); }

/* Appends `node` to `list` (its array owned by `file`, grown by doubling); returns false when out of
 * memory (the list is unchanged). */
bool ast_list_push(ast_file *file, ast_list *list, ast_node *node) {
  if (list->len == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 4;
    ast_node **items = arena_alloc(&file->mem, cap * sizeof *items);
    if (!items) return false;
    if (list->len) memcpy(items, list->items, list->len * sizeof *items);
    list->items = items; /* the old array stays in the arena until the file is freed */
    list->cap = cap;
  }
  list->items[list->len++] = node;
  return true;
}

/* Sets `list` to a copy of items[0..n) of exactly that size, owned by `file`; returns false when out of
 * memory (the list is unchanged). */
bool ast_list_set(ast_file *file, ast_list *list, ast_node *const *items, size_t n) {
  if (!n) {
    *list = (ast_list){0};
    return true;
  }
  if (n > SIZE_MAX / sizeof *items) return false;
  ast_node **copy = arena_alloc(&file->mem, n * sizeof *copy);
  if (!copy) return false;
  memcpy(copy, items, n * sizeof *copy);
  *list = (ast_list){copy, n, n};
  return true;
}

/* Returns a new empty file for `src` (borrowed; may be NULL); NULL when out of memory. */
ast_file *ast_file_new(const rbk_source *src) {
  ast_file *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->src = src;
  if (src) arena_expect(&f->mem, src->len / 2 * 13); /* a tree takes about 6.5 bytes a source byte */
  return f;
}

/* Keeps a comment (text copied into the file's arena); returns false when out of memory. */
bool ast_file_add_comment(ast_file *file, int line, int col, const char *text, size_t len, bool own_line) {
  if (!GROW(file->comments, file->comments_cap, file->ncomments + 1)) return false;
  while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r')) len--;
  char *copy = arena_strdup(&file->mem, text, len);
  if (!copy) return false;
  file->comments[file->ncomments++] = (ast_comment){line, col, copy, own_line};
  return true;
}

/* Frees the file with its whole tree and its comments; NULL is fine. */
void ast_file_free(ast_file *file) {
  if (!file) return;
  arena_free(&file->mem);
  free(file->comments);
  free(file);
}

/* Returns the span from the start of `a` to the end of `b`. */
rbk_span ast_span_join(rbk_span a, rbk_span b) {
  rbk_span s = a;
  s.end_line = b.end_line;
  s.end_col = b.end_col;
  return s;
}

/* Returns the span of the name of a MEMBER or of a named ARG (one token on one line); for a positional
 * ARG, the argument's span. */
rbk_span ast_name_span(const ast_node *node) {
  rbk_span s = node->span;
  const char *name = node->kind == AST_MEMBER ? node->u.member.name : node->kind == AST_ARG ? node->u.arg.name : NULL;
  if (!name) return s;
  ast_pos at = node->kind == AST_MEMBER ? node->u.member.name_at : node->u.arg.name_at;
  size_t len = strlen(name);
  s.line = s.end_line = at.line;
  s.col = at.col;
  s.end_col = at.col + (len ? (int)len - 1 : 0);
  return s;
}

/* Returns true when the STRING node has no interpolation; then *out (borrowed, may be NULL when the string
 * is empty, read as "") is its text. */
bool ast_string_is_plain(const ast_node *str, const char **out) {
  if (!str || str->kind != AST_STRING) return false;
  if (str->u.str.parts.len == 0) {
    *out = ast_string_text(str);
    return true;
  }
  if (str->u.str.parts.len == 1 && str->u.str.parts.items[0]->kind == AST_TEXT) {
    *out = str->u.str.parts.items[0]->u.text.s;
    return true;
  }
  return false;
}
