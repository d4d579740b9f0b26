/* plan.h — `rbk plan`: the dry-run action graph of a program, and its renderers.
 *
 * plan_build walks the same AST the engine runs, evaluating what can be known before the run
 * (params, literals, top-level lets, pure built-ins, env() and file() on this machine) and turning
 * every action, step, gate, approval, wait, check and notification into a node. docs/plan.md
 * describes the node kinds, the JSON schema, the worst-case computation and node ids.
 *
 * Ownership: a plan_graph owns its nodes, edges and strings. It borrows the program (AST nodes and
 * sources), which must outlive it: nodes point at AST nodes and spans point at sources.
 */
#ifndef RBK_PLAN_H
#define RBK_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ast.h"
#include "diag.h"
#include "params.h"
#include "program.h"
#include "sig.h"

/* Node kinds, once: X(ENUM_SUFFIX, "name in JSON", "what the node stands for"). */
#define RBK_PLAN_NODE_KINDS(X)                                                                   \
  X(ACTION, "action", "an action call (I/O through a transport); mutating ones are marked")     \
  X(GATE, "gate", "a gate: its body's checks and actions must pass")                           \
  X(APPROVE, "approve", "a human decision, with question, role and timeout")                   \
  X(WAIT, "wait", "`wait D` (duration_ms) or `wait until` (every_ms, timeout_ms)")             \
  X(ASSERT, "assert", "an assert: fails the enclosing step when false")                       \
  X(EXPECT, "expect", "an expect: a warning when false")                                       \
  X(NOTIFY, "notify", "a notification: channels and rendered text")                           \
  X(ABORT, "abort", "abort: stops the plan as failed")                                         \
  X(STEP, "step", "a step; its statements are its children")                                  \
  X(FORK, "fork", "the start of a parallel block or parallel for")                            \
  X(JOIN, "join", "the end of a parallel block or parallel for")                              \
  X(BRANCH, "branch", "one branch: of a fork, of a decision, or one loop iteration")          \
  X(DECISION, "decision", "an if whose condition is unknown before the run: both branches")    \
  X(LOOP, "loop", "a for loop (iterations or its body once); a recursive call not expanded")    \
  X(HANDLER, "handler", "an on failure / finally block: runs only on failure / always")       \
  X(RETURN, "return", "a proc's return")

typedef enum {
#define X(k, name, doc) PLAN_##k,
  RBK_PLAN_NODE_KINDS(X)
#undef X
  PLAN_KIND_COUNT
} plan_kind;

/* Edge kinds, once: X(ENUM_SUFFIX, "name in JSON", "meaning"). */
#define RBK_PLAN_EDGE_KINDS(X)                                                                   \
  X(NEXT, "next", "sequence: the target starts after the source ends")                         \
  X(FORK, "fork", "a fork starts a branch")                                                    \
  X(JOIN, "join", "a branch's last node ends at the join")                                     \
  X(REPEAT, "repeat", "back edge: retry, polling, a gate re-evaluated, another iteration")      \
  X(FAILURE, "on_failure", "taken only on failure: to an on failure handler")

typedef enum {
#define X(k, name, doc) PLAN_EDGE_##k,
  RBK_PLAN_EDGE_KINDS(X)
#undef X
} plan_edge_kind;

/* When a node runs: on the success path, or only inside a handler. */
#define RBK_PLAN_WHENS(X) X(SUCCESS, "success") X(FAILURE, "failure") X(ALWAYS, "always")

typedef enum {
#define X(k, name) PLAN_WHEN_##k,
  RBK_PLAN_WHENS(X)
#undef X
} plan_when;

/* A duration that has no bound (wait until without timeout, a loop over an unknown list, …). */
#define PLAN_UNBOUNDED INT64_C(-1)
/* An absent optional number (no timeout written, …). */
#define PLAN_NONE INT64_C(-2)

typedef struct {
  char id[24];             /* "n1", "n2", … in walk order */
  plan_kind kind;
  char *label;             /* one line for people */
  const ast_node *ast;     /* the statement, or the CALL of an action (borrowed) */
  char *ctx;               /* the engine's context string (see plan_node_id) */
  rbk_span span;
  char *step;              /* enclosing step titles joined with " › "; "" outside steps */
  long parent;             /* index of the structural parent node; -1 at top level */
  int depth;               /* nesting depth (0 at top level) */
  plan_when when;
  bool precondition;       /* a top-level gate before the first mutating action */
  bool conditional;        /* under a decision or a loop over an unknown list */
  /* ACTION */
  const sig_info *sig;     /* the action's table entry (NULL for other kinds) */
  char *handle;            /* the receiver as written (`plant`, `orch`); NULL for global actions */
  char *target;            /* ref, method + path or argv, as far as known */
  bool mutating;
  char *run_lock;          /* the run lock's Lease (plan_lock.c): "acquire", "renew", "release"; else NULL */
  sig_id via;              /* the receiver's constructor (FN_KUBE, FN_K_SERVICE, FN_HTTP), FN__COUNT unknown */
  char *ns;                /* cluster and service() actions: the namespace ("" = the kubeconfig's
                            * default), NULL when unknown before the run */
  char *service;           /* actions on a service(): "name:port" of its proxy path, NULL unknown */
  /* numbers, PLAN_NONE when absent */
  int64_t timeout_ms;      /* ACTION, APPROVE, WAIT (until), GATE, STEP */
  int64_t every_ms;        /* WAIT (until), GATE, NOTIFY */
  int64_t duration_ms;     /* WAIT D */
  int64_t retry;           /* STEP */
  int64_t backoff_ms;      /* STEP */
  int64_t max;             /* FORK with `max N` */
  int64_t iterations;      /* LOOP/FORK over a known list: its length */
  int64_t worst_ms;        /* this node's worst case with its children; PLAN_UNBOUNDED */
  /* texts, NULL when absent */
  char *text;              /* NOTIFY: the message, unknown parts as ${expr}, secrets as *** */
  char **channels;         /* NOTIFY: channel names as written */
  size_t nchannels;
  char *question, *role;   /* APPROVE */
  char *source;            /* ASSERT/EXPECT/WAIT until: the condition's source text */
  char *message;           /* ASSERT/EXPECT/ABORT: the message as far as known */
} plan_node;

typedef struct {
  size_t from, to; /* node indices */
  plan_edge_kind kind;
} plan_edge;

/* A param as the plan saw it. */
typedef struct {
  char *name;
  json_t *value; /* the value's JSON ("***" for secrets; "${expr}" text when unknown) */
  char *text;    /* the value as rbk source (strings quoted, durations as 1m30s), for the text form */
  bool given;
} plan_param;

/* The worst case of the critical path; all in ms, PLAN_UNBOUNDED or PLAN_NONE where noted. */
typedef struct {
  int64_t main_ms;       /* the plan's statements (success path), without handlers */
  int64_t on_failure_ms; /* plan-level on failure blocks (0 without) */
  int64_t finally_ms;    /* plan-level finally blocks (0 without) */
  int64_t failure_ms;    /* min(main, deadline) + on failure + finally: failing at the deadline */
  int64_t worst_ms;      /* max(main + finally, failure_ms): the reported worst case */
  int64_t deadline_ms;   /* the runbook's deadline, PLAN_NONE without */
  bool exceeds;          /* the worst case can exceed the deadline */
  size_t *path;          /* node indices on the critical path of main + finally, in order */
  size_t npath;
  char **unbounded;      /* why a bound is missing ("plan.rbk:9:3: wait until without timeout") */
  size_t nunbounded, unbounded_cap;
} plan_critical;

typedef struct {
  char *id, *title, *version, *owner, *doc, *file; /* NULL when absent */
  json_t *tags;                                   /* list or NULL */
} plan_runbook;

typedef struct plan_graph plan_graph;

struct plan_graph {
  plan_node *nodes;
  size_t len, cap;
  plan_edge *edges;
  size_t nedges, edges_cap;
  plan_runbook runbook;
  plan_param *params;
  size_t nparams, params_cap;
  plan_critical critical;
  void *index; /* (ast, ctx) → node, private to plan_graph.c */
};

/* Builds the graph of `prog` (borrowed; must outlive the graph) with params bound by `params`
 * (defaults are evaluated here). Evaluation problems that the run would hit (a key missing from a
 * known object, a built-in failing on known arguments) are added to `diags` as warnings. Returns
 * the graph, or NULL with *err set (out of memory, the plan unrolls to too many nodes). Caller
 * frees with plan_free(). */
plan_graph *plan_build(const rbk_program *prog, const param_set *params, diag_list *diags, char **err);

/* Returns the value of `expr` when it is known without running anything (literals, operators,
 * pure built-ins, env(), file(); no params or lets are in scope), else NULL. `prog` is the
 * rbk_program (borrowed). Caller owns the value. Fits params_bind's `eval` (param_eval_fn), for
 * the type of an untyped param whose default is not a literal. */
rbk_value *plan_eval_const(void *prog, const ast_node *expr);

/* Frees the graph; NULL is fine. */
void plan_free(plan_graph *g);

/* Returns the id ("n7") of the node the engine reaches when it runs `node` in context `ctx`, or
 * NULL when the graph has none (borrowed). `node` is a statement (STEP, GATE, APPROVE, WAIT,
 * WAIT_UNTIL, ASSERT, EXPECT, NOTIFY, ABORT, RETURN, IF, FOR, PARALLEL_FOR, PARALLEL, ON_FAILURE,
 * FINALLY) or the CALL node of an action. `ctx` is the concatenation, outermost first, of
 * `@LINE:COL` for every enclosing proc call (the CALL node's span start) and `[i]` for every
 * enclosing for / parallel for iteration over a list known at plan time (i from 0), or `[*]` for a
 * loop over an unknown list; "" at top level. */
const char *plan_node_id(const plan_graph *g, const ast_node *node, const char *ctx);

/* Returns the kind's JSON name. */
const char *plan_kind_name(plan_kind kind);
/* Returns the edge kind's JSON name. */
const char *plan_edge_kind_name(plan_edge_kind kind);
/* Returns the name of a `when`. */
const char *plan_when_name(plan_when when);

/* Output formats, once: X(ENUM_SUFFIX, "--format name"). */
#define RBK_PLAN_FORMATS(X) X(TEXT, "text") X(JSON, "json") X(DOT, "dot") X(MERMAID, "mermaid")

typedef enum {
#define X(k, name) PLAN_FMT_##k,
  RBK_PLAN_FORMATS(X)
#undef X
} plan_format;

/* Returns the format called `name`, or -1. */
int plan_format_from_name(const char *name);

/* Returns the graph as JSON (see docs/plan.md); with `mutating_only`, only mutating action nodes
 * and the edges between them. Caller owns the reference; NULL when out of memory. */
json_t *plan_to_json(const plan_graph *g, bool mutating_only);

/* Writes the text form: a tree with the run lock and preconditions first, the critical path and the
 * deadline at the end. The default view shows steps, gates, approvals, waits, notifications (their
 * first line), aborts and every action node with the control flow around them; `verbose` adds proc
 * returns, asserts, expects, joins, whole notification texts and the critical path node by node.
 * `color` adds ANSI colours. With `mutating_only`, one line per mutating action. */
void plan_write_text(const plan_graph *g, bool mutating_only, bool verbose, bool color, FILE *out);
/* Writes a Graphviz digraph (clusters for steps, gates and handlers; mutating actions red). */
void plan_write_dot(const plan_graph *g, FILE *out);
/* Writes a Mermaid `flowchart TD` (subgraphs for steps, gates and handlers). */
void plan_write_mermaid(const plan_graph *g, FILE *out);

/* Writes the difference of two graphs of versions of a plan (docs/plan.md "Diff"): the actions,
 * gates and approvals added (+), removed (-) and changed (~, with each changed field), every new
 * mutation marked NEW MUTATION, the deadline verdict before and after, and a summary line. The
 * names head the output. */
void plan_write_diff_text(const plan_graph *old_g, const plan_graph *new_g, const char *old_name,
                          const char *new_name, FILE *out);
/* Writes new_g as Mermaid with its added, newly mutating and changed nodes in classes added,
 * newmutation and changed, and old_g's removed nodes (ids prefixed old_) in a subgraph, class
 * removed. */
void plan_write_diff_mermaid(const plan_graph *old_g, const plan_graph *new_g, FILE *out);

/* Returns "1m30s"-style text for ms, "unbounded" for PLAN_UNBOUNDED, into buf (size ≥ 32). */
const char *plan_duration_text(int64_t ms, char *buf, size_t size);

#endif
