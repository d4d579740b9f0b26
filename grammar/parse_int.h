/* parse_int.h — the front end's private state: the one context that the scanner (lexer.l) and the
 * parser (parser.y) share, and the semantic-value types of the grammar.
 *
 * Ownership: the context borrows the source, the diagnostics list and the file being built (whose
 * arena holds every node and string the parse makes); it owns its bracket stack, its stacks of
 * pending list items and string pieces, and its pending string text. Not part of the public API
 * (see parse.h).
 */
#ifndef RBK_PARSE_INT_H
#define RBK_PARSE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "valbuf.h"

/* Limits that turn pathological input into one diagnostic instead of a crash. */
enum {
  PARSE_MAX_NESTING = 256,     /* open ( [ { " ${ at once, in the lexer's bracket stack */
  PARSE_MAX_EXPR_DEPTH = 1000, /* height of one expression tree */
  PARSE_MAX_STACK = 10000,     /* bison's stack (YYMAXDEPTH) */
  PARSE_STACK_WATCH = PARSE_MAX_STACK - 64, /* a stack this high is nearly full (parser.y's parse_lex) */
};

/* Names (identifiers, keys, parameters) are copied into the arena once per recent spelling: a
 * cache of up to PARSE_NAME_CACHE slots, by hash, remembers the last copy (parse_strdup). A
 * source gets a slot per PARSE_NAME_CACHE_BYTES of its text, a power of two between
 * PARSE_NAME_CACHE_MIN and PARSE_NAME_CACHE: a small file does not clear 16 KiB of slots. */
enum {
  PARSE_NAME_CACHE = 512,
  PARSE_NAME_CACHE_MIN = 32,
  PARSE_NAME_CACHE_BYTES = 64,
  PARSE_NAME_CACHED_MAX = 32 /* longer names are always copied */
};

/* A piece of source text (IDENT and keyword tokens): borrowed from the source, not NUL-terminated. */
typedef struct {
  const char *p;
  size_t n;
} slice;

/* The text of a string piece (escapes resolved), in the file's arena: s is NUL-terminated, len
 * excludes it. */
typedef struct {
  char *s;
  size_t len;
} text_buf;

/* An expression and the height of its tree (leaves are 1), so that depth is capped cheaply. */
typedef struct {
  ast_node *n;
  int depth;
} xnode;

/* A list being built (a block's statements, a runbook's fields, a proc's parameters, notify's
 * channels, a list's items, an object's pairs, a call's arguments): the node that will hold it and
 * the height of its items so far. Its items are the context's pending items from `base` on until
 * the list is closed, which copies them into the tree at their exact size. Lists nest, so the
 * pending items form a stack; a source holds at most 1 GiB, so a 32-bit base is enough. */
typedef struct {
  ast_node *n;
  uint32_t base;
  int32_t depth;
} seqb;

/* The optional clauses of step, gate, approve and wait until: X(ENUM_SUFFIX, "keyword"). */
#define PARSE_CLAUSES(X) X(TIMEOUT, "timeout") X(RETRY, "retry") X(BACKOFF, "backoff") X(EVERY, "every") X(FROM, "from") \
  X(RECHECK, "recheck")

typedef enum {
#define X(k, kw) CLAUSE_##k,
  PARSE_CLAUSES(X)
#undef X
} parse_clause;

/* A piece of a string literal being assembled (parse_str.c): text, the raw indentation that
 * starts a line of a triple-quoted string, or an interpolated expression. */
typedef struct {
  int kind;           /* PIECE_TEXT, PIECE_INDENT, PIECE_EXPR (parse_str.c) */
  char *text;         /* TEXT: NUL-terminated, in the arena */
  const char *view;   /* INDENT: borrowed from the source */
  size_t len;         /* of text or view */
  ast_node *expr;     /* EXPR */
  rbk_span span;
} str_piece;

/* A string literal being assembled: its pieces are the context's pieces from `base` on (strings
 * nest, so the pieces form a stack). */
typedef struct {
  size_t base;
  int depth; /* the highest interpolated expression */
  bool triple;
} strb;

/* A grammar symbol's semantic value (parser.y's api.value.type): one named type, so that both
 * parsers generated from the grammar (parse.c) and the scanner share it. */
typedef union parse_value {
  slice sl;             /* identifiers and keywords: borrowed source text */
  text_buf text;        /* string text: in the file's arena */
  bool flag;            /* STR_BEGIN: triple-quoted */
  parse_clause clause;
  int type;             /* ast_type */
  ast_node *node;       /* statements and declarations */
  xnode x;              /* expressions */
  seqb seq;             /* a list being built */
  strb sb;              /* a string being assembled */
} parse_value;

/* Entries of the lexer's bracket stack: X(ENUM_SUFFIX, "opening text", closing char). */
#define PARSE_OPENERS(X) X(PAREN, "(", ')') X(BRACKET, "[", ']') X(BRACE, "{", '}') \
  X(STR, "\"", '"') X(TSTR, "\"\"\"", '"') X(INTERP, "${", '}')

typedef enum {
#define X(k, open, close) OPEN_##k,
  PARSE_OPENERS(X)
#undef X
} parse_opener;

/* A span as the scanner and bison carry it (parser.y's api.location.type): an rbk_span without its
 * source, which is the parse's own; parse_span adds it where a node or a diagnostic is made. Two
 * thirds of the size, for the location that bison builds, pushes and copies for every symbol. */
typedef struct {
  int line, col;         /* first byte */
  int end_line, end_col; /* last byte (inclusive) */
} parse_loc;

typedef struct {
  parse_opener kind;
  parse_loc at; /* where it was opened */
} open_entry;

/* A copy of a name in the parse's cache (parse_strdup): in the file's arena (NULL: none), its
 * length, and its key (parse.c's name_key: the name itself up to 16 bytes). */
typedef struct {
  char *s;
  size_t n;
  uint64_t a, b;
} parse_name;

typedef struct parse_ctx {
  void *scanner;           /* the reentrant flex scanner (yyscan_t) */
  ast_file *file;          /* the file being built (borrowed) */
  diag_list *diags;        /* borrowed */
  const rbk_source *src;   /* borrowed */
  size_t errors;           /* errors this parse has reported */
  int error_line;          /* the line of the last syntax error (0: none): more on it are its consequences */
  int cond_else_line;      /* the line of a conditional expression reported for its missing 'else': an
                            * 'else' starting the next line is that mistake, not another */
  int stray_closers;       /* unexpected '}' reported: as many later '}' that close nothing are their
                            * consequences (the block they closed too early ends twice) */
  bool halted;             /* a fatal error: the lexer returns end of file from now on (parse_halt) */
  bool halt_at_report;     /* the parser without lookahead correction (parse.c): any error halts */
  bool no_plain_str;       /* bison's stack has been nearly full: no more STR tokens (parser.y's
                            * parse_lex) */
  long watch_depth;        /* the height of bison's stack from which parse_lex looks closer:
                            * PARSE_STACK_WATCH, or 0 once halted */
  bool oom;                /* an allocation failed */
  bool too_deep_reported;  /* "expression nested too deeply" said once */
  /* position: the current line and where it starts in the source (columns are offsets from it;
   * the next byte is where flex is: rbk_yypos) */
  int line;
  const char *line_start;
  /* newline handling */
  int last_tok;            /* the last token returned in code (0 at the start) */
  bool line_has_token;     /* a token stands before the current position on its line */
  /* brackets, strings and interpolations that are open */
  open_entry *stack;
  size_t depth, stack_cap;
  bool recovering;         /* the parser is discarding tokens after a syntax error… */
  size_t recover_depth;    /* …found with this many entries open (see lex_newline_counts) */
  bool has_unclosed;       /* the closer at `unclosed_by` skipped the unclosed entry `unclosed` */
  open_entry unclosed;
  parse_loc unclosed_by;
  /* the items of the lists being built (seqb) */
  ast_node **pending;
  size_t npending, pending_cap;
  /* the pieces of the string literals being assembled */
  str_piece *pieces;
  size_t npieces, pieces_cap;
  /* the string text being accumulated, escapes resolved: while it is a single run of valid text,
   * that run itself (view[0..view_len), in the source or a literal), else in `text` */
  valbuf text;
  const char *view;
  size_t view_len;
  parse_loc tspan;
  /* the last copy of a name per hash slot (parse_strdup): names[0..name_mask], malloc'ed */
  parse_name *names;
  size_t name_mask;
} parse_ctx;

/* Returns the span that `at` is in the parse's source. */
static inline rbk_span parse_span(const parse_ctx *ctx, parse_loc at) {
  return (rbk_span){ctx->src, at.line, at.col, at.end_line, at.end_col};
}

/* Returns the location from a's start to b's end. */
static inline parse_loc parse_loc_join(parse_loc a, parse_loc b) { return (parse_loc){a.line, a.col, b.end_line, b.end_col}; }

/* Halts the parse: the scanner returns end of file from now on. */
static inline void parse_halt(parse_ctx *ctx) {
  ctx->halted = true;
  ctx->watch_depth = 0;
}

/* Reports an error at `span` (printf-style); returns the diagnostic's index (-1 when dropped). Stops
 * the scan once the diagnostics list can show no more. */
int parse_report(parse_ctx *ctx, rbk_span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records an allocation failure; the parse stops and parse_source returns NULL. */
void parse_oom(parse_ctx *ctx);
/* Returns a NUL-terminated copy of the slice in the file's arena, shared with an
 * earlier copy of the same name when the cache still has it (names are never written to), or NULL
 * (out of memory recorded). */
char *parse_strdup(parse_ctx *ctx, slice s);

#endif
