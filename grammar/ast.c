/* ast.c — constructing and freeing syntax trees. */
#include "ast.h"

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

const char *ast_kind_name(ast_kind kind) { return kind < AST_KIND_COUNT ? kind_names[kind] : "?"; }

const char *ast_op_text(ast_op op) { return op < OP_COUNT ? op_texts[op] : "?"; }

const char *ast_type_name(ast_type type) { return type < TYPE_COUNT ? type_names[type] : "?"; }

int ast_type_from_name(const char *name) {
  for (int t = TYPE_STRING; t < TYPE_COUNT; t++)
    if (!strcmp(type_names[t], name)) return t;
  return -1;
}

ast_node *ast_new(ast_kind kind, rbk_span span) {
  ast_node *n = calloc(1, sizeof *n);
  if (!n) return NULL;
  n->kind = kind;
  n->span = span;
  return n;
}

bool ast_list_push(ast_list *list, ast_node *node) {
  if (list->len == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 4;
    ast_node **items = realloc(list->items, cap * sizeof *items);
    if (!items) {
      ast_free(node);
      return false;
    }
    list->items = items;
    list->cap = cap;
  }
  list->items[list->len++] = node;
  return true;
}

void ast_list_free(ast_list *list) {
  for (size_t i = 0; i < list->len; i++) ast_free(list->items[i]);
  free(list->items);
  list->items = NULL;
  list->len = list->cap = 0;
}

/* Moves n's children onto the work stack and frees its strings and arrays (not n itself). */
static void release_own(ast_node *n, ast_list *work) {
  ast_node *kids[6] = {0};
  size_t nk = 0;
  ast_list *lists[2] = {0};
  switch (n->kind) {
  case AST_NULL_LIT: case AST_BOOL_LIT: case AST_INT_LIT: break;
  case AST_FLOAT_LIT: case AST_DURATION_LIT: free(n->u.lit.text); break;
  case AST_STRING: lists[0] = &n->u.str.parts; break;
  case AST_TEXT: free(n->u.text.s); break;
  case AST_LIST: case AST_OBJECT: lists[0] = &n->u.list.items; break;
  case AST_PAIR: free(n->u.pair.key); kids[nk++] = n->u.pair.computed; kids[nk++] = n->u.pair.value; break;
  case AST_IDENT: free(n->u.ident.name); break;
  case AST_MEMBER: free(n->u.member.name); kids[nk++] = n->u.member.object; break;
  case AST_INDEX: kids[nk++] = n->u.index.object; kids[nk++] = n->u.index.index; break;
  case AST_CALL: kids[nk++] = n->u.call.callee; lists[0] = &n->u.call.args; break;
  case AST_ARG: free(n->u.arg.name); kids[nk++] = n->u.arg.value; break;
  case AST_UNARY: kids[nk++] = n->u.unary.operand; break;
  case AST_BINARY: kids[nk++] = n->u.binary.lhs; kids[nk++] = n->u.binary.rhs; break;
  case AST_LAMBDA: free(n->u.lambda.param); kids[nk++] = n->u.lambda.body; break;
  case AST_RUNBOOK: kids[nk++] = n->u.runbook.id; lists[0] = &n->u.runbook.fields; break;
  case AST_FIELD: free(n->u.field.key); kids[nk++] = n->u.field.value; break;
  case AST_PARAM: free(n->u.param.name); kids[nk++] = n->u.param.def; kids[nk++] = n->u.param.doc; break;
  case AST_LET: free(n->u.let.name); kids[nk++] = n->u.let.value; break;
  case AST_IMPORT: kids[nk++] = n->u.import.path; free(n->u.import.alias); break;
  case AST_PROC: free(n->u.proc.name); lists[0] = &n->u.proc.params; kids[nk++] = n->u.proc.body; break;
  case AST_BLOCK: lists[0] = &n->u.block.stmts; break;
  case AST_STEP:
    kids[nk++] = n->u.step.title; kids[nk++] = n->u.step.timeout; kids[nk++] = n->u.step.retry;
    kids[nk++] = n->u.step.backoff; kids[nk++] = n->u.step.body;
    break;
  case AST_PARALLEL: kids[nk++] = n->u.parallel.max; kids[nk++] = n->u.parallel.body; break;
  case AST_PARALLEL_FOR: case AST_FOR:
    free(n->u.loop.var); kids[nk++] = n->u.loop.iter; kids[nk++] = n->u.loop.max; kids[nk++] = n->u.loop.body;
    break;
  case AST_IF: kids[nk++] = n->u.if_.cond; kids[nk++] = n->u.if_.then; kids[nk++] = n->u.if_.els; break;
  case AST_GATE:
    kids[nk++] = n->u.gate.title; kids[nk++] = n->u.gate.every; kids[nk++] = n->u.gate.timeout;
    kids[nk++] = n->u.gate.body;
    break;
  case AST_APPROVE:
    kids[nk++] = n->u.approve.question; kids[nk++] = n->u.approve.from; kids[nk++] = n->u.approve.timeout;
    break;
  case AST_WAIT: case AST_WAIT_UNTIL:
    kids[nk++] = n->u.wait.duration; kids[nk++] = n->u.wait.cond; kids[nk++] = n->u.wait.every;
    kids[nk++] = n->u.wait.timeout;
    break;
  case AST_ASSERT: case AST_EXPECT: kids[nk++] = n->u.check.cond; kids[nk++] = n->u.check.message; break;
  case AST_NOTIFY:
    lists[0] = &n->u.notify.channels; kids[nk++] = n->u.notify.every; kids[nk++] = n->u.notify.message;
    break;
  case AST_ABORT: kids[nk++] = n->u.abort.reason; break;
  case AST_ON_FAILURE: case AST_FINALLY: kids[nk++] = n->u.handler.body; break;
  case AST_RETURN: kids[nk++] = n->u.ret.value; break;
  case AST_EXPR_STMT: kids[nk++] = n->u.expr_stmt.expr; break;
  case AST_KIND_COUNT: break;
  }
  for (size_t i = 0; i < nk; i++)
    if (kids[i]) ast_list_push(work, kids[i]);
  for (size_t l = 0; l < 2 && lists[l]; l++) {
    for (size_t i = 0; i < lists[l]->len; i++) ast_list_push(work, lists[l]->items[i]);
    free(lists[l]->items);
  }
}

void ast_free(ast_node *node) {
  /* An explicit stack: trees from fuzzed input can be deeper than the C stack allows. */
  ast_list work = {0};
  if (!node) return;
  ast_list_push(&work, node);
  while (work.len) {
    ast_node *n = work.items[--work.len];
    release_own(n, &work);
    free(n);
  }
  free(work.items);
}

ast_file *ast_file_new(const rbk_source *src) {
  ast_file *f = calloc(1, sizeof *f);
  if (f) f->src = src;
  return f;
}

bool ast_file_add_comment(ast_file *file, int line, int col, const char *text, size_t len, bool own_line) {
  if (file->ncomments == file->comments_cap) {
    size_t cap = file->comments_cap ? file->comments_cap * 2 : 16;
    ast_comment *c = realloc(file->comments, cap * sizeof *c);
    if (!c) return false;
    file->comments = c;
    file->comments_cap = cap;
  }
  while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r')) len--;
  char *copy = malloc(len + 1);
  if (!copy) return false;
  memcpy(copy, text, len);
  copy[len] = '\0';
  file->comments[file->ncomments++] = (ast_comment){line, col, copy, own_line};
  return true;
}

void ast_file_free(ast_file *file) {
  if (!file) return;
  ast_list_free(&file->stmts);
  for (size_t i = 0; i < file->ncomments; i++) free(file->comments[i].text);
  free(file->comments);
  free(file);
}

rbk_span ast_span_join(rbk_span a, rbk_span b) {
  rbk_span s = a;
  s.end_line = b.end_line;
  s.end_col = b.end_col;
  return s;
}

bool ast_string_is_plain(const ast_node *str, const char **out) {
  if (!str || str->kind != AST_STRING) return false;
  if (str->u.str.parts.len == 0) {
    *out = NULL;
    return true;
  }
  if (str->u.str.parts.len == 1 && str->u.str.parts.items[0]->kind == AST_TEXT) {
    *out = str->u.str.parts.items[0]->u.text.s;
    return true;
  }
  return false;
}
