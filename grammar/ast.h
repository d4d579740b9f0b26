/* ast.h — the one syntax tree that check, fmt, plan, run and test all start from.
 *
 * Ownership: every node, every string that a node holds and every node list belong to one
 * ast_file: they are bump-allocated in the file's arena (arena.h) and released all together by
 * ast_file_free(). Nothing frees a single node, and a tree never outlives its file; nodes may be
 * shared or dropped freely while a tree is built; one copy of a name (identifier, key, parameter)
 * may be shared by several nodes, so strings in a tree are never written to. Only the comments array is malloc'ed (its texts
 * are in the arena). A span's `src` is borrowed from the rbk_source that was parsed (see
 * source.h); sources outlive the trees parsed from them.
 */
#ifndef RBK_AST_H
#define RBK_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "source.h"

/* Every node kind, once: X(ENUM_SUFFIX, "name used in dumps and JSON"). */
#define RBK_NODE_KINDS(X)                                                                      \
  /* expressions */                                                                            \
  X(NULL_LIT, "null")          /* null */                                                      \
  X(BOOL_LIT, "bool")          /* true / false: u.lit.b */                                     \
  X(INT_LIT, "int")            /* 90: u.lit.i */                                               \
  X(FLOAT_LIT, "float")        /* 85.3: u.lit.f, u.lit.text = lexeme */                        \
  X(DURATION_LIT, "duration")  /* 1h30m: u.lit.i = milliseconds, u.lit.text = lexeme */        \
  X(STRING, "string")          /* "a ${b} c": u.str.parts = TEXT and expression nodes, or u.str.text */ \
  X(TEXT, "text")              /* a literal piece of a STRING: u.text.s (escapes resolved) */  \
  X(LIST, "list")              /* [a, b]: u.list.items */                                      \
  X(OBJECT, "object")          /* {k: v}: u.list.items = PAIR nodes */                         \
  X(PAIR, "pair")              /* k: v — u.pair.key (name) or u.pair.computed (expr), value */ \
  X(IDENT, "ident")            /* name: u.ident.name */                                        \
  X(MEMBER, "member")          /* a.b / a?.b: u.member, null_safe */                           \
  X(INDEX, "index")            /* a[i] / a?[i]: u.index, null_safe */                          \
  X(COND, "cond")              /* if c { a } else { b }: u.if_ (then, els: expressions) */     \
  X(CALL, "call")              /* f(x, n: y): u.call.callee, u.call.args (see ast_arg_value) */\
  X(ARG, "arg")                /* a named argument: u.arg.name, value (see ast_arg_value) */   \
  X(UNARY, "unary")            /* not a, -a: op, u.unary */                                    \
  X(BINARY, "binary")          /* a + b: op, u.binary */                                       \
  X(LAMBDA, "lambda")          /* x => e: u.lambda */                                          \
  /* declarations */                                                                           \
  X(RUNBOOK, "runbook")        /* runbook "id" { k = v }: u.runbook */                         \
  X(FIELD, "field")            /* k = v inside runbook: u.field */                             \
  X(PARAM, "param")            /* param (top level) or proc parameter: u.param */              \
  X(LET, "let")                /* let name = e: u.let */                                       \
  X(IMPORT, "import")          /* import "p.rbk" as name: u.import */                          \
  X(PROC, "proc")              /* proc name(params) { }: u.proc */                             \
  /* statements */                                                                             \
  X(BLOCK, "block")            /* { s; s }: u.block.stmts; span covers the braces */           \
  X(STEP, "step")              /* u.step */                                                    \
  X(PARALLEL, "parallel")      /* u.parallel: each statement of body is a branch */            \
  X(PARALLEL_FOR, "parallel_for") /* u.loop with max */                                        \
  X(FOR, "for")                /* u.loop */                                                    \
  X(IF, "if")                  /* u.if_ */                                                     \
  X(GATE, "gate")              /* u.gate */                                                    \
  X(APPROVE, "approve")        /* u.approve */                                                 \
  X(WAIT, "wait")              /* wait D: u.wait.duration */                                   \
  X(WAIT_UNTIL, "wait_until")  /* wait until c [every D] [timeout D]: u.wait */                \
  X(ASSERT, "assert")          /* assert c[, msg]: u.check */                                  \
  X(EXPECT, "expect")          /* expect c[, msg]: u.check */                                  \
  X(NOTIFY, "notify")          /* notify ch, ch [every D] msg: u.notify */                     \
  X(ABORT, "abort")            /* abort reason: u.abort */                                     \
  X(ON_FAILURE, "on_failure")  /* on failure { }: u.handler.body */                            \
  X(FINALLY, "finally")        /* finally { }: u.handler.body */                               \
  X(RETURN, "return")          /* return e: u.ret.value (never NULL) */                        \
  X(EXPR_STMT, "expr_stmt")    /* a bare call: u.expr_stmt.expr */

typedef enum {
#define X(k, name) AST_##k,
  RBK_NODE_KINDS(X)
#undef X
  AST_KIND_COUNT
} ast_kind;

/* Operators, once: X(ENUM_SUFFIX, "source text"). */
#define RBK_OPERATORS(X)                                                                      \
  X(ADD, "+") X(SUB, "-") X(MUL, "*") X(DIV, "/") X(MOD, "%")                                  \
  X(EQ, "==") X(NE, "!=") X(LT, "<") X(LE, "<=") X(GT, ">") X(GE, ">=")                        \
  X(AND, "and") X(OR, "or") X(IN, "in") X(COALESCE, "??")                                      \
  X(NOT, "not") X(NEG, "-")

typedef enum {
#define X(k, text) OP_##k,
  RBK_OPERATORS(X)
#undef X
  OP_COUNT
} ast_op;

/* Declared types of params (X(ENUM_SUFFIX, "keyword")); TYPE_ANY when none was written. */
#define RBK_TYPES(X)                                                                          \
  X(ANY, "any") X(STRING, "string") X(INT, "int") X(FLOAT, "float") X(BOOL, "bool")            \
  X(DURATION, "duration") X(LIST, "list") X(OBJECT, "object")

typedef enum {
#define X(k, kw) TYPE_##k,
  RBK_TYPES(X)
#undef X
  TYPE_COUNT
} ast_type;

typedef struct ast_node ast_node;

/* An array of nodes (in the file's arena; the parser sizes it exactly, ast_list_push grows it).
 * 32-bit counts: a source holds at most 1 GiB, and the tree of a large plan holds millions of
 * lists. */
typedef struct {
  ast_node **items;
  uint32_t len, cap;
} ast_list;

/* The optional clauses of a step (timeout, retry, backoff) or a gate (every, timeout, recheck),
 * each NULL when not written: out of line, so that the two statements that take three clauses do
 * not make every node larger. */
typedef struct {
  ast_node *timeout, *retry, *backoff, *every, *recheck;
} ast_clauses;

/* Where a one-token name starts (the name of a MEMBER or of a named ARG); ast_name_span() gives
 * its span. */
typedef struct {
  int line, col;
} ast_pos;

struct ast_node {
  ast_kind kind;
  bool paren;  /* an expression the source wrapped in ( ): the formatter keeps the parentheses */
  bool triple; /* a STRING written """…""" */
  bool null_safe; /* a MEMBER or INDEX written ?. / ?[ */
  unsigned char op; /* a BINARY's or UNARY's operator (an ast_op); these flags fill the header's spare
                     * bytes, so that the union, and the node, are smaller */
  rbk_span span;
  union {
    struct { int64_t i; char *text; double f; bool b; } lit; /* in this order: an INT_LIT uses i only,
                                                                a DURATION_LIT i and text (ast_new) */
    struct { ast_list parts; char *text; } str;  /* text: see ast_string_text */
    struct { char *s; } text;
    struct { ast_list items; } list;              /* LIST items, OBJECT pairs, BLOCK: see block */
    struct { char *key; ast_node *computed; ast_node *value; } pair;
    struct { char *name; } ident;
    struct { ast_node *object; char *name; ast_pos name_at; } member;  /* a?.b: null_safe */
    struct { ast_node *object; ast_node *index; } index;              /* a?[i]: null_safe */
    struct { ast_node *callee; ast_list args; } call;
    struct { char *name; ast_node *value; ast_pos name_at; } arg;
    struct { ast_node *operand; } unary;      /* not a, -a: op */
    struct { ast_node *lhs, *rhs; } binary;   /* a + b: op */
    struct { char *param; ast_node *body; } lambda;
    struct { ast_node *id; ast_list fields; } runbook;             /* id: STRING */
    struct { char *key; ast_node *value; } field;
    struct { char *name; ast_type type; ast_node *def; ast_node *doc; } param; /* def/doc may be NULL */
    struct { char *name; ast_node *value; } let;                  /* value: an expression, or a
                                                                     PARALLEL_FOR collecting what its branches return */
    struct { ast_node *path; char *alias; } import;               /* path: STRING */
    struct { char *name; ast_list params; ast_node *body; } proc; /* params: PARAM; body: BLOCK */
    struct { ast_list stmts; } block;
    struct { ast_node *title; ast_clauses *opt; ast_node *body; } step; /* opt: timeout, retry, backoff */
    struct { ast_node *max; ast_node *body; } parallel;
    struct { char *var; ast_node *iter; ast_node *max; ast_node *body; } loop; /* max: PARALLEL_FOR only */
    struct { ast_node *cond; ast_node *then; ast_node *els; } if_; /* els: NULL, BLOCK or IF (else if) */
    struct { ast_node *title; ast_clauses *opt; ast_node *body; } gate; /* opt: every, timeout, recheck */
    struct { ast_node *question; ast_node *from; ast_node *timeout; } approve;
    struct { ast_node *duration; ast_node *cond, *every, *timeout; } wait; /* WAIT: duration; WAIT_UNTIL: the rest */
    struct { ast_node *cond; ast_node *message; } check;          /* message may be NULL */
    struct { ast_list channels; ast_node *every; ast_node *message; } notify; /* channels: IDENT/MEMBER */
    struct { ast_node *reason; } abort;
    struct { ast_node *body; } handler;
    struct { ast_node *value; } ret;
    struct { ast_node *expr; } expr_stmt;
  } u;
};

/* The tree of a large plan holds millions of nodes: keep them small. A node of a common kind is
 * allocated only as far as the member of u that its kind uses (ast_new): never read a member
 * of u that the node's kind does not use, and never copy a node by value. */
_Static_assert(sizeof(ast_node) <= 64, "an ast_node fits in 64 bytes");

/* A comment the lexer kept for the formatter: the text after '#', trimmed at the end. */
typedef struct {
  int line, col;
  char *text;
  bool own_line; /* nothing but blanks before it on its line */
} ast_comment;

/* One parsed file: its top-level statements in source order, its comments, and the arena that
 * holds its tree. */
typedef struct {
  const rbk_source *src; /* borrowed */
  ast_list stmts;
  ast_comment *comments; /* malloc'ed; the texts are in `mem` */
  size_t ncomments, comments_cap;
  arena mem;             /* every node, string and list of the tree */
} ast_file;

/* Returns the kind's name ("step", "call", …). */
const char *ast_kind_name(ast_kind kind);
/* Returns the operator's source text ("+", "and", …). */
const char *ast_op_text(ast_op op);
/* Returns the type's keyword ("string", …; "any" for TYPE_ANY). */
const char *ast_type_name(ast_type type);
/* Returns the type whose keyword is `name`, or -1. */
int ast_type_from_name(const char *name);

/* How many bytes a node of each kind is allocated with (0: the whole node); ast.c. */
extern const unsigned char ast_node_sizes[AST_KIND_COUNT];
/* Returns the new STEP or GATE `n` with its empty clauses, or NULL when out of memory (ast_new's
 * slow path). */
ast_node *ast_new_clauses(ast_file *file, ast_node *n);
/* Returns a new zeroed node of `kind` at `span` (a STEP or GATE with its empty clauses, u.step.opt /
 * u.gate.opt), owned by `file`; NULL when out of memory. Inline: every node of a tree comes here. */
static inline ast_node *ast_new(ast_file *file, ast_kind kind, rbk_span span) {
  size_t size = ast_node_sizes[kind];
  ast_node *n = arena_alloc(&file->mem, size ? size : sizeof(ast_node));
  if (!n) return NULL;
  n->kind = kind;
  n->span = span;
  return kind == AST_STEP || kind == AST_GATE ? ast_new_clauses(file, n) : n;
}
/* Returns a NUL-terminated copy of s[0..len), owned by `file`; NULL when out of memory. */
char *ast_strdup(ast_file *file, const char *s, size_t len);
/* Appends `node` to `list` (its array owned by `file`, grown by doubling); returns false when out
 * of memory (the list is unchanged). */
bool ast_list_push(ast_file *file, ast_list *list, ast_node *node);
/* Sets `list` to a copy of items[0..n) of exactly that size, owned by `file`; returns false when out
 * of memory (the list is unchanged). */
bool ast_list_set(ast_file *file, ast_list *list, ast_node *const *items, size_t n);

/* Returns a new empty file for `src` (borrowed; may be NULL); NULL when out of memory. Caller frees
 * it with ast_file_free(). */
ast_file *ast_file_new(const rbk_source *src);
/* Keeps a comment (text copied into the file's arena); returns false when out of memory. */
bool ast_file_add_comment(ast_file *file, int line, int col, const char *text, size_t len, bool own_line);
/* Frees the file with its whole tree and its comments; NULL is fine. */
void ast_file_free(ast_file *file);

/* Returns the span from the start of `a` to the end of `b`. */
rbk_span ast_span_join(rbk_span a, rbk_span b);

/* Returns the span of the name of a MEMBER or of a named ARG (one token on one line); for any
 * other node (a positional argument), its span. */
rbk_span ast_name_span(const ast_node *node);

/* A call's arguments: a named one is an ARG node, a positional one is its expression itself (no
 * node of its own: a large plan has hundreds of thousands; dumps still show it as `(arg …)` with
 * its expression's span) — or, after a literal that was reported (no value), an ARG without name
 * or value. These two read any of them. */
/* Returns the call argument's value: a named ARG's value, or the positional argument itself. */
static inline const ast_node *ast_arg_value(const ast_node *arg) {
  return arg && arg->kind == AST_ARG ? arg->u.arg.value : arg;
}
/* Returns the call argument's name, or NULL when it is positional. */
static inline const char *ast_arg_name(const ast_node *arg) {
  return arg && arg->kind == AST_ARG ? arg->u.arg.name : NULL;
}

/* A "…" string that is one piece of text (no interpolation) keeps it in u.str.text, without a
 * TEXT node or a parts array (a large plan has hundreds of thousands); its parts are then empty,
 * and `rbk ast` still prints the TEXT child, whose span is the string's without its quotes (the
 * parser keeps the TEXT node whenever that would not be so). Returns that text, or NULL (the
 * string's parts, possibly none, are all there is). */
static inline const char *ast_string_text(const ast_node *str) { return str->u.str.text; }

/* Returns true when the STRING node has no interpolation; then *out (borrowed, may be NULL when
 * the string is empty, read as "") is its text. */
bool ast_string_is_plain(const ast_node *str, const char **out);

/* Writes the tree as an indented S-expression, one node per line with its span (for tests and
 * `rbk ast`; ast_dump.c). */
void ast_dump(const ast_file *file, FILE *out);

#endif
