/* parse_build_stmt.c — the grammar's constructors for declarations and statements. */
#include <stdio.h>
#include <string.h>

#include "parse_build.h"

static const char *const clause_names[] = {
#define X(k, kw) kw,
    PARSE_CLAUSES(X)
#undef X
};

/* Returns true when the slice spells `word`. */
static bool is_word(slice s, const char *word) { return s.n == strlen(word) && !memcmp(s.p, word, s.n); }

/* Returns the type named by the slice; reports an unknown one (with a suggestion) as TYPE_ANY. */
int parse_build_type(parse_ctx *ctx, slice name, rbk_span span) {
  static const char *const types[] = {
#define X(k, kw) kw,
      RBK_TYPES(X)
#undef X
          NULL};
  char buf[64];
  size_t n = name.n < 63 ? name.n : 63; /* a name: no NUL inside */
  memcpy(buf, name.p, n);
  buf[n] = '\0';
  int t = ast_type_from_name(buf);
  if (t > TYPE_ANY && name.n < 63) return t;
  const char *near = diag_suggest(buf, types + 1);
  if (t == TYPE_ANY || !strcmp(buf, "any"))
    parse_report(ctx, span, "'any' is not a type: leave the type out to accept any value");
  else if (near)
    parse_report(ctx, span, "unknown type '%s' (did you mean '%s'?)", buf, near);
  else
    parse_report(ctx, span, "unknown type '%s' (types: string, int, float, bool, duration, list, object)", buf);
  return TYPE_ANY;
}

/* Returns a PARAM (top-level or proc parameter; doc is NULL for the latter). */
ast_node *parse_build_param(parse_ctx *ctx, slice name, rbk_span name_span, int type, xnode def, xnode doc, rbk_span span) {
  (void)name_span;
  ast_node *n = parse_build_new(ctx, AST_PARAM, span);
  if (!n) return NULL;
  n->u.param.name = parse_strdup(ctx, name);
  n->u.param.type = (ast_type)type;
  n->u.param.def = def.n;
  n->u.param.doc = doc.n;
  return n;
}

/* Returns the RUNBOOK `rb` (a parse_build_seq holding the fields) complete, with its id. */
ast_node *parse_build_runbook(parse_ctx *ctx, xnode id, seqb fields, rbk_span span) {
  ast_node *rb = parse_build_seq_close(ctx, fields);
  if (!rb) return NULL;
  rb->u.runbook.id = id.n;
  rb->span = span;
  return rb;
}

/* Appends a FIELD `key = value` to the RUNBOOK being built; returns rb. */
seqb parse_build_field(parse_ctx *ctx, seqb rb, slice key, rbk_span key_span, xnode value) {
  rbk_span span = value.n ? ast_span_join(key_span, value.n->span) : key_span;
  ast_node *n = parse_build_new(ctx, AST_FIELD, span);
  if (n) {
    n->u.field.key = parse_strdup(ctx, key);
    n->u.field.value = value.n;
  }
  return parse_build_push(ctx, rb, n);
}

/* Returns an IMPORT. */
ast_node *parse_build_import(parse_ctx *ctx, xnode path, slice alias, rbk_span span) {
  ast_node *n = parse_build_new(ctx, AST_IMPORT, span);
  if (!n) return NULL;
  n->u.import.path = path.n;
  n->u.import.alias = parse_strdup(ctx, alias);
  return n;
}

/* Returns the PROC `proc` (a parse_build_seq holding the parameters) complete, with its name and body. */
ast_node *parse_build_proc(parse_ctx *ctx, slice name, seqb params, ast_node *body, rbk_span span) {
  ast_node *proc = parse_build_seq_close(ctx, params);
  if (!proc) return NULL;
  proc->u.proc.name = parse_strdup(ctx, name);
  proc->u.proc.body = body;
  proc->span = span;
  return proc;
}

/* Returns the BLOCK `block` (a parse_build_seq holding the statements) complete, at `span` (its braces). */
ast_node *parse_build_block(parse_ctx *ctx, seqb stmts, parse_loc span) {
  ast_node *block = parse_build_seq_close(ctx, stmts);
  if (block) block->span = parse_span(ctx, span);
  return block;
}

/* Reports a block whose '{' starts the line after its statement's head; returns the block. */
ast_node *parse_build_block_next_line(parse_ctx *ctx, rbk_span newline, ast_node *block) {
  parse_report(ctx, newline, "the block's '{' goes on the same line as its statement, not on the next line");
  return block;
}

/* Returns a LET. */
ast_node *parse_build_let(parse_ctx *ctx, slice name, xnode value, parse_loc span) {
  ast_node *n = parse_build_at(ctx, AST_LET, span);
  if (!n) return NULL;
  n->u.let.name = parse_strdup(ctx, name);
  n->u.let.value = value.n;
  return n;
}

/* Returns a LET whose value is a PARALLEL_FOR statement: the list of what its branches return. */
ast_node *parse_build_let_loop(parse_ctx *ctx, slice name, ast_node *loop, parse_loc span) {
  return parse_build_let(ctx, name, (xnode){loop, 1}, span);
}

/* Returns a STEP, GATE (x: title), APPROVE (x: question) or WAIT_UNTIL (x: condition) waiting for clauses. */
ast_node *parse_build_head(parse_ctx *ctx, ast_kind kind, xnode x, rbk_span span) {
  ast_node *n = parse_build_new(ctx, kind, span);
  if (!n) return NULL;
  switch (kind) {
  case AST_STEP: n->u.step.title = x.n; break;
  case AST_GATE: n->u.gate.title = x.n; break;
  case AST_APPROVE: n->u.approve.question = x.n; break;
  default: n->u.wait.cond = x.n; break; /* AST_WAIT_UNTIL */
  }
  return n;
}

/* Returns where the statement `n` keeps `clause`, or NULL when it takes no such clause. */
static ast_node **clause_slot(ast_node *n, parse_clause clause) {
  switch (n->kind) {
  case AST_STEP:
    return clause == CLAUSE_TIMEOUT ? &n->u.step.opt->timeout : clause == CLAUSE_RETRY ? &n->u.step.opt->retry
         : clause == CLAUSE_BACKOFF ? &n->u.step.opt->backoff : NULL;
  case AST_GATE:
    return clause == CLAUSE_EVERY     ? &n->u.gate.opt->every
         : clause == CLAUSE_TIMEOUT ? &n->u.gate.opt->timeout
         : clause == CLAUSE_RECHECK ? &n->u.gate.opt->recheck
                                    : NULL;
  case AST_APPROVE:
    return clause == CLAUSE_FROM ? &n->u.approve.from : clause == CLAUSE_TIMEOUT ? &n->u.approve.timeout : NULL;
  case AST_WAIT_UNTIL:
    return clause == CLAUSE_EVERY ? &n->u.wait.every : clause == CLAUSE_TIMEOUT ? &n->u.wait.timeout : NULL;
  default:
    return NULL;
  }
}

/* Reports a clause that the statement `n` does not take, listing those it does. */
static void wrong_clause(parse_ctx *ctx, ast_node *n, parse_clause clause, rbk_span kw) {
  char list[96] = "";
  size_t used = 0;
  for (size_t c = 0; c < sizeof clause_names / sizeof clause_names[0]; c++)
    if (clause_slot(n, (parse_clause)c))
      used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", clause_names[c]);
  const char *what = n->kind == AST_WAIT_UNTIL ? "wait until" : ast_kind_name(n->kind);
  parse_report(ctx, kw, "'%s' has no '%s' clause (it takes: %s)", what, clause_names[clause], list);
}

/* Sets the clause `kw value` (timeout, retry, …) on a parse_build_head node; reports one the statement does not
 * take, or a repeated one. */
ast_node *parse_build_clause(parse_ctx *ctx, ast_node *head, parse_clause clause, rbk_span kw, xnode value) {
  ast_node **slot = head ? clause_slot(head, clause) : NULL;
  if (!head) return NULL;
  if (!slot)
    wrong_clause(ctx, head, clause, kw);
  else if (*slot)
    parse_report(ctx, kw, "'%s' is given twice", clause_names[clause]);
  if (!slot || *slot) return head;
  *slot = value.n;
  if (value.n && head->kind != AST_STEP && head->kind != AST_GATE) head->span = ast_span_join(head->span, value.n->span);
  return head;
}

/* Returns the STEP or GATE `head` with its body. */
ast_node *parse_build_body(parse_ctx *ctx, ast_node *head, ast_node *body, rbk_span span) {
  if (!head) return NULL;
  if (head->kind == AST_STEP) {
    head->u.step.body = body;
    if (head->u.step.opt->backoff && !head->u.step.opt->retry)
      parse_report(ctx, head->u.step.opt->backoff->span, "'backoff' needs 'retry': it is the delay before the first retry");
  } else {
    head->u.gate.body = body;
  }
  head->span = span;
  return head;
}

/* Reports the word before parallel's limit unless it is `max`. */
static void check_max(parse_ctx *ctx, const slice *kw, rbk_span kw_span) {
  if (kw && !is_word(*kw, "max"))
    parse_report(ctx, kw_span, "expected 'max' or '{' here, not '%.*s'", (int)(kw->n > 32 ? 32 : kw->n), kw->p);
}

/* Returns a PARALLEL; `kw` is the word before max (NULL without one). */
ast_node *parse_build_parallel(parse_ctx *ctx, const slice *kw, rbk_span kw_span, xnode max, ast_node *body, rbk_span span) {
  ast_node *n = parse_build_new(ctx, AST_PARALLEL, span);
  if (!n) return NULL;
  check_max(ctx, kw, kw_span);
  n->u.parallel.max = max.n;
  n->u.parallel.body = body;
  return n;
}

/* Returns a FOR or PARALLEL_FOR; `kw` is the word before max (NULL without one). */
ast_node *parse_build_loop(parse_ctx *ctx, ast_kind kind, slice var, xnode iter, const slice *kw, rbk_span kw_span, xnode max,
                           ast_node *body, rbk_span span) {
  ast_node *n = parse_build_new(ctx, kind, span);
  if (!n) return NULL;
  check_max(ctx, kw, kw_span);
  n->u.loop.var = parse_strdup(ctx, var);
  n->u.loop.iter = iter.n;
  n->u.loop.max = max.n;
  n->u.loop.body = body;
  return n;
}

/* Returns an IF; els is NULL, a BLOCK or an IF. */
ast_node *parse_build_if(parse_ctx *ctx, xnode cond, ast_node *then, ast_node *els, rbk_span span) {
  ast_node *n = parse_build_new(ctx, AST_IF, span);
  if (!n) return NULL;
  n->u.if_.cond = cond.n;
  n->u.if_.then = then;
  n->u.if_.els = els;
  return n;
}

/* Returns a statement with one expression: WAIT, ABORT, RETURN or EXPR_STMT. */
ast_node *parse_build_stmt1(parse_ctx *ctx, ast_kind kind, xnode x, parse_loc span) {
  ast_node *n = parse_build_at(ctx, kind, span);
  if (!n) return NULL;
  switch (kind) {
  case AST_WAIT: n->u.wait.duration = x.n; break;
  case AST_ABORT: n->u.abort.reason = x.n; break;
  case AST_RETURN: n->u.ret.value = x.n; break;
  default: n->u.expr_stmt.expr = x.n; break; /* AST_EXPR_STMT */
  }
  return n;
}

/* Returns an ASSERT or EXPECT. */
ast_node *parse_build_check(parse_ctx *ctx, ast_kind kind, xnode cond, xnode message, rbk_span span) {
  ast_node *n = parse_build_new(ctx, kind, span);
  if (!n) return NULL;
  n->u.check.cond = cond.n;
  n->u.check.message = message.n;
  return n;
}

/* Returns the NOTIFY `notify` (a parse_build_seq holding the channels) complete, with its interval and message. */
ast_node *parse_build_notify(parse_ctx *ctx, seqb channels, xnode every, xnode message, rbk_span span) {
  ast_node *notify = parse_build_seq_close(ctx, channels);
  if (!notify) return NULL;
  notify->u.notify.every = every.n;
  notify->u.notify.message = message.n;
  notify->span = span;
  return notify;
}

/* Returns an ON_FAILURE or FINALLY. */
ast_node *parse_build_handler(parse_ctx *ctx, ast_kind kind, ast_node *body, rbk_span span) {
  ast_node *n = parse_build_new(ctx, kind, span);
  if (n) n->u.handler.body = body;
  return n;
}

/* Reports an 'else' that starts a line (its 'if' ended at the newline before it); drops `branch` and
 * returns NULL (no statement). */
ast_node *parse_build_stray_else(parse_ctx *ctx, rbk_span at, ast_node *branch) {
  (void)branch;
  if (ctx->cond_else_line && at.line == ctx->cond_else_line + 1) return NULL; /* reported with its 'if' */
  parse_report(ctx, at, "'else' must be on the line of the '}' that closes the 'if' block: '} else {'");
  return NULL;
}
