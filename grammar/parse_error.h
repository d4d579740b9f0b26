/* parse_error.h — syntax error messages: what was found, what was expected (summarised), targeted
 * hints for common mistakes, and notes pointing at unclosed brackets.
 *
 * The parser (parser.y) classifies grammar symbols, since only it knows them; this module words
 * the message.
 *
 * Ownership: the symbol table and its names are static; messages go to the parse context's diagnostics.
 */
#ifndef RBK_PARSE_ERROR_H
#define RBK_PARSE_ERROR_H

#include "parse_int.h"

/* What a grammar symbol is, as bit flags. */
enum {
  PSYM_EXPR = 1 << 0,     /* can start an expression */
  PSYM_STMT = 1 << 1,     /* a statement keyword */
  PSYM_DECL = 1 << 2,     /* a top-level declaration keyword */
  PSYM_INFIX = 1 << 3,    /* continues an expression: operators, '.', '?.', '[', '(' */
  PSYM_COMPARE = 1 << 4,  /* == != < <= > >= in */
  PSYM_LEXEME = 1 << 5,   /* identifier or number: the message shows its text */
  PSYM_END = 1 << 6,      /* end of file */
  PSYM_ARROW = 1 << 8,
  PSYM_UNDEF = 1 << 9,    /* a bad character the scanner already reported */
  PSYM_NEWLINE = 1 << 10,
  PSYM_LBRACE = 1 << 11,
  PSYM_ASSIGN = 1 << 12,
  PSYM_SEMI = 1 << 13,
  PSYM_KEYWORD = 1 << 14, /* any keyword (they may all name keys and arguments) */
  PSYM_ENDS_RECOVERY = 1 << 15, /* a token that may end error recovery: end of line, ';', '}' */
  PSYM_PLAIN_STR = 1 << 16, /* a plain string as one token (STR): for errors, it stands where the
                             * STR_BEGIN of any other string does, with that string open */
};

/* How many keywords the language has (language.md §1). */
enum { PSYM_KEYWORDS = 36 };

typedef struct {
  const char *name; /* as messages show it: "'else'", "identifier", "end of line" */
  unsigned flags;
  int closes;       /* the parse_opener this closing token closes, or -1 */
} perr_sym;

/* Reports the syntax error at `at`: the unexpected token `got` where `expected` (n of them) could
 * have come. Says nothing after a fatal error, for a token the scanner already reported, or for a
 * consequence of the last error (on its line, or a stray '}' after an unexpected one). */
void parse_error_syntax(parse_ctx *ctx, rbk_span at, perr_sym got, const perr_sym *expected, int n);
/* Reports that the parser's stack is full (input nested too deeply) and halts the parse. */
void parse_error_stack_full(parse_ctx *ctx, rbk_span at);
/* Returns the span just past the end of the source (for end of file). */
parse_loc parse_error_end_span(const parse_ctx *ctx);

#endif
