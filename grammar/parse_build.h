/* parse_build.h — the constructors that the grammar's actions call: each builds one node, stamps
 * its span, and (for expressions) tracks the tree's height so that over-deep input becomes one
 * diagnostic.
 *
 * Ownership: nodes and strings live in the arena of the file being built (ast.h): a constructor
 * links its argument nodes into the result, and a node it does not keep is simply dropped; slice
 * arguments are copied into the arena. A NULL result means an allocation failed (recorded in the
 * context). Optional children (a param's default, an assert's message, …) are passed as
 * (xnode){0} or NULL. Lists are built as seqb values (parse_int.h) and closed by the constructor
 * of their node (parse_build_block, parse_build_close, parse_build_call, parse_build_runbook, parse_build_proc, parse_build_notify).
 * Spans come as rbk_span, or, for the most frequent constructors, as the grammar's own parse_loc
 * (parse_int.h), which they complete with the source where they stamp a node.
 */
#ifndef RBK_PARSE_BUILD_H
#define RBK_PARSE_BUILD_H

#include "parse_int.h"
#include "parse_str.h"

/* Returns a new node of `kind` at `span`, or NULL (recorded). */
ast_node *parse_build_new(parse_ctx *ctx, ast_kind kind, rbk_span span);
/* parse_build_new at a location of the grammar's: inline, for the most frequent constructors. */
static inline ast_node *parse_build_at(parse_ctx *ctx, ast_kind kind, parse_loc at) {
  ast_node *n = ast_new(ctx->file, kind, parse_span(ctx, at));
  if (!n) parse_oom(ctx);
  return n;
}
/* Returns a new list being built, held by a new node of `kind` (BLOCK, RUNBOOK, PROC, NOTIFY, LIST,
 * OBJECT or CALL) at `span`. */
seqb parse_build_seq(parse_ctx *ctx, ast_kind kind, parse_loc span);
/* Appends `item` (a statement, field, parameter or channel; NULL is skipped); returns seq. */
seqb parse_build_push(parse_ctx *ctx, seqb seq, ast_node *item);
/* Appends an item (LIST), pair (OBJECT) or argument (CALL) to `seq`; returns seq. */
seqb parse_build_seq_push(parse_ctx *ctx, seqb seq, xnode item);
/* Returns seq's node with its pending items moved into its list (an array of their exact size). */
ast_node *parse_build_seq_close(parse_ctx *ctx, seqb seq);
/* Drops the pending items of a list that error recovery discards (the grammar's destructor). */
void parse_build_seq_discard(parse_ctx *ctx, seqb seq);
/* Appends a top-level statement to the file being built. */
void parse_build_file_add(parse_ctx *ctx, ast_node *stmt);

/* Expressions. */
/* Returns a leaf expression (a literal node that the scanner made). */
xnode parse_build_leaf(parse_ctx *ctx, ast_node *n);
/* Returns a BOOL_LIT. */
xnode parse_build_bool(parse_ctx *ctx, bool value, rbk_span span);
/* Returns an IDENT named by the slice. */
xnode parse_build_ident(parse_ctx *ctx, slice name, parse_loc span);
/* Returns `x` marked as parenthesised, its span widened to the parentheses. */
xnode parse_build_paren(parse_ctx *ctx, xnode x, rbk_span span);
/* Returns a BINARY node. */
xnode parse_build_binary(parse_ctx *ctx, ast_op op, xnode lhs, xnode rhs, parse_loc span);
/* Returns a UNARY node (not, -). */
xnode parse_build_unary(parse_ctx *ctx, ast_op op, xnode operand, rbk_span span);
/* Returns a LAMBDA `param => body`. */
xnode parse_build_lambda(parse_ctx *ctx, slice param, xnode body, rbk_span span);
/* Returns a MEMBER `object.name` (or `object?.name` when null_safe). */
xnode parse_build_member(parse_ctx *ctx, xnode object, slice name, parse_loc name_span, bool null_safe, parse_loc span);
/* Returns an INDEX `object[index]` (or `object?[index]` when null_safe). */
xnode parse_build_index(parse_ctx *ctx, xnode object, xnode index, bool null_safe, rbk_span span);
/* Returns a COND `if cond { then } else { els }` (els may be another COND: `else if`). */
xnode parse_build_cond(parse_ctx *ctx, xnode cond, xnode then, xnode els, rbk_span span);
/* Reports a conditional without 'else'; returns it with no else arm. */
xnode parse_build_cond_no_else(parse_ctx *ctx, xnode cond, xnode then, rbk_span span);
/* Returns the conditional `x` with its span set to `span` (from its 'if'). */
xnode parse_build_cond_span(xnode x, rbk_span span);
/* Returns the LIST or OBJECT `seq` complete, at `span` (its brackets). */
xnode parse_build_close(parse_ctx *ctx, seqb seq, parse_loc span);
/* Returns the CALL `args` (a parse_build_seq of AST_CALL) complete, with `callee` set. */
xnode parse_build_call(parse_ctx *ctx, xnode callee, seqb args, parse_loc span);
/* Returns a new CALL argument list holding its first argument: a named ARG, or a positional one as
 * its value itself (ast.h). */
seqb parse_build_args_first(parse_ctx *ctx, const slice *name, parse_loc name_span, xnode value, parse_loc span);
/* Appends an argument (named ARG, or positional: its value) to the CALL argument list `seq`; returns seq. */
seqb parse_build_args_add(parse_ctx *ctx, seqb seq, const slice *name, parse_loc name_span, xnode value, parse_loc span);
/* Returns a PAIR keyed by `name`, or by `key`: a plain string, or a parenthesised expression. */
xnode parse_build_pair(parse_ctx *ctx, const slice *name, xnode key, xnode value, rbk_span span);

/* Declarations. */
/* Returns the type named by the slice; reports an unknown one (with a suggestion) as TYPE_ANY. */
int parse_build_type(parse_ctx *ctx, slice name, rbk_span span);
/* Returns a PARAM (top-level or proc parameter; doc is NULL for the latter). */
ast_node *parse_build_param(parse_ctx *ctx, slice name, rbk_span name_span, int type, xnode def, xnode doc, rbk_span span);
/* Returns the RUNBOOK `rb` (a parse_build_seq holding the fields) complete, with its id. */
ast_node *parse_build_runbook(parse_ctx *ctx, xnode id, seqb rb, rbk_span span);
/* Appends a FIELD `key = value` to the RUNBOOK being built; returns rb. */
seqb parse_build_field(parse_ctx *ctx, seqb rb, slice key, rbk_span key_span, xnode value);
/* Returns an IMPORT. */
ast_node *parse_build_import(parse_ctx *ctx, xnode path, slice alias, rbk_span span);
/* Returns the PROC `proc` (a parse_build_seq holding the parameters) complete, with its name and body. */
ast_node *parse_build_proc(parse_ctx *ctx, slice name, seqb proc, ast_node *body, rbk_span span);

/* Statements. */
/* Returns the BLOCK `block` (a parse_build_seq holding the statements) complete, at `span` (its braces). */
ast_node *parse_build_block(parse_ctx *ctx, seqb block, parse_loc span);
/* Reports a block whose '{' starts the line after its statement's head; returns the block. */
ast_node *parse_build_block_next_line(parse_ctx *ctx, rbk_span newline, ast_node *block);
/* Returns a LET. */
ast_node *parse_build_let(parse_ctx *ctx, slice name, xnode value, parse_loc span);
/* Returns a LET whose value is a PARALLEL_FOR statement: the list of what its branches return. */
ast_node *parse_build_let_loop(parse_ctx *ctx, slice name, ast_node *loop, parse_loc span);
/* Returns a STEP, GATE (x: title), APPROVE (x: question) or WAIT_UNTIL (x: condition) waiting
 * for clauses. */
ast_node *parse_build_head(parse_ctx *ctx, ast_kind kind, xnode x, rbk_span span);
/* Sets the clause `kw value` (timeout, retry, …) on a parse_build_head node; reports one the statement
 * does not take, or a repeated one. Returns head. */
ast_node *parse_build_clause(parse_ctx *ctx, ast_node *head, parse_clause clause, rbk_span kw, xnode value);
/* Returns the STEP or GATE `head` with its body. */
ast_node *parse_build_body(parse_ctx *ctx, ast_node *head, ast_node *body, rbk_span span);
/* Returns a PARALLEL; `kw` is the word before max (NULL without one). */
ast_node *parse_build_parallel(parse_ctx *ctx, const slice *kw, rbk_span kw_span, xnode max, ast_node *body, rbk_span span);
/* Returns a FOR or PARALLEL_FOR; `kw` is the word before max (NULL without one). */
ast_node *parse_build_loop(parse_ctx *ctx, ast_kind kind, slice var, xnode iter, const slice *kw, rbk_span kw_span, xnode max,
                           ast_node *body, rbk_span span);
/* Returns an IF; els is NULL, a BLOCK or an IF. */
ast_node *parse_build_if(parse_ctx *ctx, xnode cond, ast_node *then, ast_node *els, rbk_span span);
/* Returns a statement with one expression: WAIT, ABORT, RETURN or EXPR_STMT. */
ast_node *parse_build_stmt1(parse_ctx *ctx, ast_kind kind, xnode x, parse_loc span);
/* Returns an ASSERT or EXPECT. */
ast_node *parse_build_check(parse_ctx *ctx, ast_kind kind, xnode cond, xnode message, rbk_span span);
/* Returns the NOTIFY `notify` (a parse_build_seq holding the channels) complete, with its interval and
 * message. */
ast_node *parse_build_notify(parse_ctx *ctx, seqb notify, xnode every, xnode message, rbk_span span);
/* Reports an 'else' that starts a line (its 'if' ended at the newline before it); drops `branch`
 * and returns NULL (no statement). */
ast_node *parse_build_stray_else(parse_ctx *ctx, rbk_span at, ast_node *branch);
/* Returns an ON_FAILURE or FINALLY. */
ast_node *parse_build_handler(parse_ctx *ctx, ast_kind kind, ast_node *body, rbk_span span);

#endif
