/* plan_int.h — the planner's internals, shared by plan_*.c: abstract values, scopes, the walker
 * state, flow links and worst-case costs. Not for use outside the planner; see plan.h.
 *
 * Ownership: a pv owns its strings and its value reference (plan_pv_free releases them); handles are
 * owned by the walker (freed with it); scopes own their bindings. Lambdas borrow their scope and
 * never outlive the built-in call they are an argument of.
 */
#ifndef RBK_PLAN_INT_H
#define RBK_PLAN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "valbuf.h"
#include "value.h"

/* ---- abstract values ---- */

typedef enum {
  PV_KNOWN,   /* val holds the value */
  PV_UNKNOWN, /* known only at run time: sym (and tmpl for strings with holes) */
  PV_HANDLE,  /* a cluster, endpoint or channel: h, sym = how the source names it */
  PV_MODULE,  /* an import alias: unit */
  PV_LAMBDA,  /* x => e as a built-in's argument: lambda, env */
} pv_kind;

typedef struct plan_scope plan_scope;

/* A handle as the planner knows it: its kind and a description (no I/O happens). */
typedef struct {
  sig_recv recv;
  char *desc; /* "slack #gl-001-incidents", "service gl-001-…:8000" */
  sig_id ctor; /* the constructor that made it: FN_KUBE, FN_K_SERVICE, FN_HTTP, … */
  char *ns;    /* kube() and its service(): the namespace ("" = kubeconfig's default), NULL unknown */
  char *svc;   /* service(): "name:port" as the proxy path names it, NULL unknown */
} plan_handle;

typedef struct {
  pv_kind kind;
  rbk_value *val;             /* KNOWN */
  char *sym;                  /* UNKNOWN: source-like text; HANDLE: its name */
  char *tmpl;                 /* UNKNOWN string with known parts: text with ${…} holes; a secret
                                 string with plain parts: its text with the secret spans as *** */
  bool secret;                /* derived from secret(): shown as *** (or as tmpl, when set) */
  plan_handle *h;             /* HANDLE (borrowed from the walker) */
  int unit;                   /* MODULE: unit index */
  const ast_node *lambda;     /* LAMBDA */
  plan_scope *env;            /* LAMBDA */
} pv;

/* Returns a known value (takes v; an unknown "?" when v is NULL). */
pv plan_pv_known(rbk_value *v);
/* Returns an unknown with source-like text `sym` (takes sym). */
pv plan_pv_unknown(char *sym);
/* Returns an unknown secret-derived value. */
pv plan_pv_secret(void);
pv plan_pv_secret_text(char *text);
/* Returns a copy (new references and strings). */
pv plan_pv_dup(const pv *v);
/* Releases what v owns and leaves it an empty unknown. */
void plan_pv_free(pv *v);
/* Returns true when v is known and a string; then *s is its text (borrowed). */
bool plan_pv_string(const pv *v, const char **s);
/* Returns true when v is a known duration; then *ms holds it. */
bool plan_pv_duration(const pv *v, int64_t *ms);
/* Returns true when v is a known int; then *i holds it. */
bool plan_pv_int(const pv *v, int64_t *i);
/* Returns how v is shown to people (strings unquoted, unknown parts as ${expr}, secrets as ***).
 * Caller frees; NULL when out of memory. */
char *plan_pv_show(const pv *v);
/* Returns v as source-like text for composing a larger expression (strings quoted, long values
 * cut with …, secrets as ***). Caller frees; NULL when out of memory. */
char *plan_pv_src(const pv *v);
/* Returns the JSON shown for v (known: its JSON with secrets masked; else its shown text). */
json_t *plan_pv_json(const pv *v);

/* Returns a copy of at most `max` bytes of s, cut at a UTF-8 boundary with "…" appended when cut.
 * Caller frees. */
char *plan_cut(const char *s, size_t max);
/* Returns the source text of a span with runs of white space (newlines, indentation) folded to
 * one space. Caller frees; "" when the span has no source. */
char *plan_span_text(rbk_span span);

/* ---- scopes ---- */

typedef struct {
  char *name;
  pv v;
} plan_binding;

struct plan_scope {
  plan_scope *parent;
  plan_binding *items;
  size_t len, cap;
  int unit; /* the unit whose procs and imports this scope sees */
};

/* Initialises an empty scope under `parent` for `unit`. */
void plan_scope_init(plan_scope *s, plan_scope *parent, int unit);
/* Binds name (copied) to v (taken); a rebinding in the same scope replaces. False when OOM. */
bool plan_scope_bind(plan_scope *s, const char *name, pv v);
/* Returns the binding of name, innermost first, or NULL. Borrowed. */
const pv *plan_scope_lookup(const plan_scope *s, const char *name);
/* Releases the scope's bindings (not the parent). */
void plan_scope_free(plan_scope *s);

/* ---- worst-case costs ---- */

/* A duration with the nodes that make it up and, when unbounded, why. */
typedef struct {
  int64_t ms;    /* PLAN_UNBOUNDED when there is no bound */
  size_t *path;  /* node indices in order */
  size_t npath, path_cap;
  char **why;    /* reasons for being unbounded */
  size_t nwhy, why_cap;
} plan_cost;

/* Returns a cost of 0 with no path. */
plan_cost plan_cost_zero(void);
/* Returns the cost of one node taking ms (PLAN_UNBOUNDED allowed; `why` copied when given). */
plan_cost plan_cost_leaf(size_t node, int64_t ms, const char *why);
/* Appends b after a (a sequence); takes b. */
void plan_cost_seq(plan_cost *a, plan_cost *b);
/* Keeps in *a the longer of a and b; takes b. */
void plan_cost_max(plan_cost *a, plan_cost *b);
/* Caps *a at `limit` ms taken by `node` (a step or gate timeout): min(limit, a). */
void plan_cost_cap(plan_cost *a, size_t node, int64_t limit);
/* Multiplies by `times` and adds `extra` ms (retries, parallel rounds). */
void plan_cost_scale(plan_cost *a, int64_t times, int64_t extra);
/* Replaces *a by an unbounded cost for `why`, keeping the path so far. */
void plan_cost_unbounded(plan_cost *a, const char *why);
/* Releases the cost's arrays and leaves it zero. */
void plan_cost_free(plan_cost *a);

/* ---- the walker ---- */

/* A place the next node links from, and the edge kind to use. */
typedef struct {
  size_t node;
  plan_edge_kind kind;
} plan_link;

typedef struct {
  plan_link *items;
  size_t len, cap;
} plan_links;

/* The proc being inlined: where its returns lead and what it returns. */
typedef struct plan_frame {
  struct plan_frame *outer;
  const char *proc;    /* the proc's name */
  const ast_node *node;/* the PROC node (recursion: a call of a proc already on the chain) */
  size_t entry;        /* the index its first node got (a recursive call repeats from there) */
  plan_links returns;  /* return nodes, linked to whatever follows the call */
  pv result;           /* the value of the first unconditional return */
  bool has_result;     /* result is set */
  bool conditional;    /* a return under a decision or unknown loop was seen first */
  int cond_level;      /* the walker's cond_level when the call started */
} plan_frame;

typedef struct plan_walker {
  plan_graph *g;
  const rbk_program *prog;
  const param_set *params;
  diag_list *diags;
  valbuf ctx;          /* the engine's context string for the current position */
  valbuf step;         /* the current step path */
  long parent;         /* structural parent for new nodes */
  int depth;
  plan_when when;
  int cond_level;      /* > 0 under a decision or a loop over an unknown list */
  plan_links pend;     /* links into the next node */
  plan_links failures; /* aborts: linked to the plan-level on failure handlers */
  plan_cost cost;      /* the current sequence's worst case */
  plan_frame *frame;   /* innermost inlined proc */
  const ast_node *collect;        /* the LET of `let x = parallel for` whose body is walked, or NULL */
  const plan_frame *collect_frame;/* w->frame there: a `return` in that frame is a branch's value */
  int inline_depth;
  bool stop;           /* an unconditional abort or return ended the current path */
  bool returned;       /* stop came from a return (cleared after the proc call) */
  bool apply_unknown;  /* a lambda gave an unknown result inside a built-in */
  plan_scope *globals; /* one per unit */
  bool *unit_done;     /* unit's top level walked */
  plan_handle **handles;
  char *lock_ns;       /* the namespace of the first kube() cluster: the run lock's (owned) */
  size_t nhandles, handles_cap;
  char *err;           /* fatal error (OOM, too many nodes): points at errbuf, or NULL */
  char errbuf[256];
} plan_walker;

/* The most nodes a plan may unroll to. */
#define PLAN_MAX_NODES 100000
/* The deepest proc inlining (recursion guard). */
#define PLAN_MAX_INLINE 64

/* Adds a node of `kind` for `ast` at `span` under the current parent, context and step, linked
 * from the pending links, which become this node alone; `reg` indexes it for plan_node_id.
 * Returns its index, or -1 after setting w->err. */
long plan_walk_node(plan_walker *w, plan_kind kind, const ast_node *ast, rbk_span span, bool reg);
/* Makes node i the parent of the nodes that follow, one level deeper; returns the previous
 * parent for plan_walk_leave. */
long plan_walk_enter(plan_walker *w, long i);
/* Restores the parent that plan_walk_enter returned, one level up. */
void plan_walk_leave(plan_walker *w, long saved);
/* Appends a link; sets w->err when out of memory. */
void plan_links_push(plan_walker *w, plan_links *l, size_t node, plan_edge_kind kind);
/* Appends every link of src to dst. */
void plan_links_extend(plan_walker *w, plan_links *dst, const plan_links *src);
/* Releases the links and leaves them empty. */
void plan_links_free(plan_links *l);
/* Adds repeat edges from every link of `from` to node `to`. */
void plan_links_repeat(plan_walker *w, const plan_links *from, size_t to);
/* Records a fatal error (formatted) unless one is recorded. */
void plan_walk_fail(plan_walker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a warning at span (formatted) to the diagnostics. */
void plan_walk_warn(plan_walker *w, rbk_span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Returns a handle owned by the walker (takes desc); NULL after setting w->err. */
plan_handle *plan_walk_handle(plan_walker *w, sig_recv recv, char *desc);
/* Returns "file:line:col" for a span. Caller frees. */
char *plan_walk_where(rbk_span span);

/* Evaluates an expression abstractly; actions inside it become nodes in evaluation order. */
pv plan_eval(plan_walker *w, plan_scope *s, const ast_node *e);
/* Evaluates a call (built-in, constructor, action, or inlined proc). */
pv plan_eval_call(plan_walker *w, plan_scope *s, const ast_node *call);

/* Walks a statement. */
void plan_walk_stmt(plan_walker *w, plan_scope *s, const ast_node *st);
/* Walks the statements of a BLOCK in a new scope, handlers last (step-level on failure/finally). */
void plan_walk_block(plan_walker *w, plan_scope *s, const ast_node *block);
/* Walks a statement of the control-flow kinds (if, for, parallel, parallel for). */
void plan_walk_control(plan_walker *w, plan_scope *s, const ast_node *st);
/* Walks the plan-level handlers of `kind` (AST_ON_FAILURE or AST_FINALLY) from the pending links;
 * their worst case goes to *cost. */
void plan_walk_plan_handlers(plan_walker *w, ast_kind kind, plan_cost *cost);
/* Walks the top level of unit `unit` once (lets, imports, params of the main file). */
void plan_walk_unit_globals(plan_walker *w, int unit);
/* Inlines proc `proc` of unit `unit` for `call` with evaluated arguments; returns its result. */
/* Evaluates the arms of a conditional expression whose condition is unknown before the run into
 * *then_v and *else_v (new); a decision node holds their actions when they call any. */
void plan_walk_cond_arms(plan_walker *w, plan_scope *s, const ast_node *e, pv *then_v, pv *else_v);
pv plan_walk_inline(plan_walker *w, int unit, const ast_node *proc, const ast_node *call, pv *pos, size_t npos,
                    char **names, pv *named, size_t nnamed);

/* Returns the PROC called name in unit, or NULL. */
const ast_node *plan_walk_find_proc(const plan_walker *w, int unit, const char *name);
/* Returns the index of unit u in the program. */
int plan_walk_unit_index(const plan_walker *w, const program_unit *u);

/* Adds the run lock's Lease nodes (acquire, renew, release) after the plan's nodes (plan_lock.c). */
void plan_lock_add(plan_walker *w);
/* Computes the plan's critical path summary into g->critical (takes main, on_failure, finally). */
void plan_finish_critical(plan_graph *g, plan_cost *main, plan_cost *on_failure, plan_cost *fin);

/* ---- graph storage (plan_graph.c) ---- */

/* Returns a new empty graph; NULL when out of memory. */
plan_graph *plan_graph_new(void);
/* Appends a zeroed node with its id; returns its index or -1 when out of memory. */
long plan_graph_add(plan_graph *g, plan_kind kind);
/* Appends an edge; false when out of memory. */
bool plan_graph_edge(plan_graph *g, size_t from, size_t to, plan_edge_kind kind);
/* Removes the last node (which must not be indexed) and the edges that touch it. */
void plan_graph_pop(plan_graph *g);
/* Indexes node idx under (ast, ctx) unless the pair is indexed; false when out of memory. */
bool plan_graph_index(plan_graph *g, const ast_node *ast, const char *ctx, size_t idx);
/* Returns the index of the node under (ast, ctx), or -1. */
long plan_graph_lookup(const plan_graph *g, const ast_node *ast, const char *ctx);

/* ---- renderer helpers ---- */

/* The structural tree: every node's children in order. */
typedef struct {
  size_t **kids;
  size_t *nkids;
} plan_tree;

/* Fills t with every node's children; false when out of memory (t is then empty). */
bool plan_tree_build(const plan_graph *g, plan_tree *t);
/* Releases the tree. */
void plan_tree_free(const plan_graph *g, plan_tree *t);
/* Writes s as a quoted Mermaid label (entity codes for syntax, newlines as <br/>). */
void plan_mermaid_string(FILE *out, const char *s);
/* Returns true when node i is shown as a cluster/subgraph (step, gate, handler with children). */
bool plan_is_group(const plan_graph *g, size_t i);
/* Returns the title of the cluster/subgraph of group node i ("step: …", "gate: …"). Caller frees. */
char *plan_group_title(const plan_graph *g, size_t i);
/* Returns the one-line text that diagrams show for node i (label plus key facts). Caller frees. */
char *plan_diagram_label(const plan_graph *g, size_t i);

#endif
