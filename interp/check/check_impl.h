/* check_impl.h — the checker's shared state, internal to interp/check*.c.
 *
 *   check.c        units, top-level declarations, the runbook block, unused names, step titles
 *   check_scope.c  scopes, declarations, name lookup, suggestions
 *   check_type.c   static types, operators, "must be a duration, got int 5"
 *   check_expr.c   expressions: names, members, operators, lambdas
 *   check_call.c   calls: built-ins, actions on handles, procs, arguments
 *   check_stmt.c   statements: placement, handlers, reachability, the types of their clauses
 *   check_safety.c bounded waits, gates before mutations (and their waivers), lets a handler may trust
 *   check_hint.c   notes on errors (where an out-of-scope name is declared), names lost to syntax errors
 *
 * Ownership: a chk_ctx borrows the program and the diagnostic list; its scopes and arrays are its
 * own and are released by chk_ctx_free() (the waiver lines and lost names by check_safety_end() and
 * check_hint_end()). Symbols borrow names and nodes from the program's trees.
 */
#ifndef RBK_CHECK_IMPL_H
#define RBK_CHECK_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "program.h"
#include "sig.h"

/* Expressions nested deeper than this are reported, not walked (the C stack stays bounded). */
enum { CHK_MAX_DEPTH = 1000 };

/* Static types, once: X(ENUM_SUFFIX, "name", "name with its article"). UNKNOWN is anything. */
#define CHK_TYPES(X)                                                                           \
  X(UNKNOWN, "unknown", "a value") X(NULL, "null", "null") X(BOOL, "bool", "a bool")           \
  X(INT, "int", "an int") X(FLOAT, "float", "a float") X(NUMBER, "number", "a number")         \
  X(STRING, "string", "a string") X(DURATION, "duration", "a duration")                        \
  X(TIME, "time", "a time") X(LIST, "list", "a list") X(OBJECT, "object", "an object")          \
  X(SECRET, "secret", "a secret") X(LAMBDA, "lambda", "a lambda")                              \
  X(CLUSTER, "cluster", "a cluster") X(ENDPOINT, "endpoint", "an endpoint")                    \
  X(CHANNEL, "channel", "a channel")

typedef enum {
#define X(k, name, article) CT_##k,
  CHK_TYPES(X)
#undef X
} chk_type;

/* What a name can be, once: X(ENUM_SUFFIX, "word used in messages"). */
#define CHK_SYM_KINDS(X)                                                                       \
  X(PARAM, "param") X(LET, "let") X(PROC, "proc") X(IMPORT, "import")                          \
  X(LOOP, "loop variable") X(LAMBDA, "lambda parameter")

typedef enum {
#define X(k, word) SYM_##k,
  CHK_SYM_KINDS(X)
#undef X
} chk_sym_kind;

/* A declared name. */
typedef struct {
  const char *name;      /* borrowed from the tree */
  chk_sym_kind kind;
  const ast_node *decl;  /* the declaring node (LET, PARAM, PROC, IMPORT, loop, LAMBDA) */
  rbk_span span;         /* where it is declared */
  chk_type type;         /* what its value is, as far as known */
  long unit;             /* IMPORT: the imported unit's index, or -1 when it did not load */
  size_t order;          /* top-level names: the index of the declaring statement */
  bool used;
  bool returns;          /* PROC: its body has a `return` */
  bool unsure;           /* LET: a statement before it in its block may fail, so a handler may find it unset */
  signed char risk;      /* PROC: 1 + what its body does (check_safety.c), 0 while not yet known */
} chk_sym;

/* One scope: the names declared in it, in order, and (once it is large) a hash index of them. */
typedef struct {
  chk_sym *syms;
  size_t len, cap;
  size_t *slots; /* open addressing: index + 1 into syms, 0 = empty; NULL while the scope is small */
  size_t nslots; /* a power of two, at least twice len */
  uint64_t names; /* the check_name_bit() of every name declared: a name whose bit is clear is not here */
  unsigned kinds; /* 1 << chk_sym_kind of every name declared */
} chk_scope;

/* What the checker keeps about a unit once it is checked: its top-level names. */
typedef struct {
  chk_scope top;
  bool busy, done;
  bool broken; /* its file has syntax errors */
} chk_unit;

/* A plain step title and where it was written (for duplicate titles). */
typedef struct {
  const char *title;
  rbk_span span;
  size_t hash; /* check_hash_name(title), taken while the title is in the cache: titles_unique
                * compares it before the text */
} chk_title;

/* Remembered signature lookups (sig_find scans the whole table): name and receiver to signature,
 * NULL results included. Shared by every unit's context. */
enum { CHK_SIG_SLOTS = 512 };
typedef struct {
  const char *name; /* borrowed from a tree; NULL = empty slot */
  sig_recv recv;
  const sig_info *sig;
} chk_sig_slot;

/* A signature's parameters as the checker matches arguments against them (check_call.c), made once
 * per signature. */
typedef struct chk_sig_prep chk_sig_prep;

enum { CHK_SIG_PTRS = 256 };
typedef struct {
  chk_sig_slot slots[CHK_SIG_SLOTS];
  size_t len;
  chk_sig_slot by_ptr[CHK_SIG_PTRS]; /* in front of slots: by the name's address, one entry a slot */
  chk_sig_prep *prep[FN__COUNT]; /* by signature id; NULL until a call needs it (malloc'ed) */
} chk_sig_cache;

/* Where a statement stands: decides which statements are allowed. */
typedef enum {
  WHERE_TOP,    /* top level of a file */
  WHERE_STEP,   /* directly in a step's block: handlers allowed at its end */
  WHERE_BLOCK,  /* any other block (if, for, gate, handler, proc body) */
  WHERE_BRANCH, /* directly a branch of `parallel { }` */
} chk_where;

/* Where a `return` at the statement being checked goes. */
typedef enum {
  RET_NOWHERE, /* the top level, or a branch of `parallel` / a plain `parallel for` */
  RET_PROC,    /* out of the proc being checked */
  RET_BRANCH,  /* the branch's value, in `let x = parallel for … { … }` */
} chk_ret_to;

/* The state while one unit is checked. */
typedef struct {
  const rbk_program *prog;
  diag_list *diags;
  chk_unit *units;     /* one per program unit, shared by every unit's context */
  chk_sig_cache *sigs; /* shared by every unit's context */
  size_t unit;         /* the unit being checked */
  chk_scope *stack;    /* block scopes, innermost last (the unit's top scope is units[unit].top); */
  size_t nstack, capstack; /* entries up to capstack keep their arrays for reuse */
  size_t order;        /* index of the top-level statement being checked */
  bool all_top;        /* proc bodies and the runbook see every top-level name */
  const ast_node *proc;/* the proc whose body is being checked, or NULL */
  chk_ret_to ret_to;   /* where a `return` here goes */
  int lambda;          /* how many lambdas enclose the expression being checked */
  int depth;           /* current nesting of expressions and statements */
  bool cached;         /* the tree of the statement being checked was prefetched (check_stmts) */
  bool too_deep;       /* the depth error was reported for this unit */
  chk_title *titles;
  size_t ntitles, captitles;
  const ast_node *runbook; /* the first runbook block of the unit */
  bool broken;         /* the unit has syntax errors: unused names are not reported */
  char **lost;         /* names declared on the lines of those errors (their declarations were dropped):
                        * "unknown name" is not reported for them; malloc'ed, freed by check_hint_end */
  size_t nlost, caplost;
  /* check_safety.c: bounds, gates and handlers */
  bool deadline;       /* the plan's runbook sets a deadline: every wait is bounded */
  int timed;           /* how many enclosing steps have a timeout */
  bool gated;          /* a gate has run before the statement being checked */
  bool approved;       /* an approval has run before the statement being checked */
  bool waived;         /* an enclosing step carries `# rbk: no-gate "reason"` */
  bool may_fail;       /* an earlier statement of the current step block (or top level) may fail */
  int in_handler;      /* how many handler bodies enclose the statement being checked */
  long handler_scope;  /* index in stack of the scope whose lets the innermost handler must not trust; -1:
                        * the unit's top scope; -2: none */
  int *waivers;        /* lines holding `# rbk: no-gate "reason"`, ascending */
  size_t nwaivers;
} chk_ctx;

/* Returns true when the names are equal (one copy of a name is often shared by the tree's nodes:
 * parse_strdup; the first bytes decide most other comparisons cheaply). */
static inline bool chk_same(const char *a, const char *b) { return a == b || (a[0] == b[0] && !strcmp(a, b)); }

/* Returns the bit that stands for `name` in chk_scope.names (from its first two bytes). */
static inline uint64_t check_name_bit(const char *name) {
  unsigned a = (unsigned char)name[0], b = a ? (unsigned char)name[1] : 0;
  return (uint64_t)1 << ((a * 7u + b) & 63);
}

/* --- check.c --- */
/* Checks a top-level declaration (runbook, param, import, let; procs are checked after the
 * top-level statements, so that they see every top-level let's type). */
void check_top_decl(chk_ctx *ctx, const ast_node *decl);

/* --- check_scope.c --- */
/* Opens a block scope; returns false when out of memory. */
bool check_push(chk_ctx *ctx);
/* Closes the innermost block scope, warning about its unused lets and params (its array is kept
 * for the next scope opened there). */
void check_pop(chk_ctx *ctx);
/* Closes every block scope and frees their arrays. */
void check_scopes_free(chk_ctx *ctx);
/* Declares `sym` in `scope` unless the name is there already (then reports the duplicate with a
 * note at the first); returns the declared symbol (borrowed) or NULL. */
chk_sym *check_declare_in(chk_ctx *ctx, chk_scope *scope, const chk_sym *sym);
/* Declares `sym` in the innermost block scope (see check_declare_in). */
chk_sym *check_declare(chk_ctx *ctx, const chk_sym *sym);
/* Returns the symbol `name` visible here (innermost first), or NULL; `use` marks it used and
 * reports a top-level name used before its declaration at the node `at`. Borrowed. */
chk_sym *check_lookup(chk_ctx *ctx, const char *name, bool use, const ast_node *at);
/* Returns the FNV-1a hash of a name's text. */
size_t check_hash_name(const char *name);
/* Returns the symbol `name` of scope (no visibility rules), or NULL. Borrowed. */
chk_sym *check_scope_find(const chk_scope *scope, const char *name);
/* Returns a new NULL-terminated array of the value names visible here (caller frees the array). */
const char **check_visible_names(const chk_ctx *ctx);
/* Returns a new NULL-terminated array of the names in `scope` of the given kinds (bit set of
 * 1 << chk_sym_kind); NULL when there are none. Caller frees the array. */
const char **check_scope_names(const chk_scope *scope, unsigned kinds);
/* Warns about the unused names of `scope` whose kinds are in `kinds` (bit set). */
void check_warn_unused(chk_ctx *ctx, const chk_scope *scope, unsigned kinds);
/* Returns the word for a symbol kind ("let", …). */
const char *check_sym_word(chk_sym_kind kind);
/* Frees a scope's array. */
void check_scope_free(chk_scope *scope);
/* Reports `fmt` at span with "; did you mean 'x'?" when `name` is close to a candidate. The
 * message is formatted from `what` and `name`: "<what> '<name>'". Returns the diagnostic's index. */
int check_unknown(chk_ctx *ctx, rbk_span span, const char *what, const char *name, const char *const *candidates);

/* Returns true when the diagnostic list is full (further errors are only counted), so that
 * suggestions need not be computed. */
bool check_quiet(const chk_ctx *ctx);

/* --- check_type.c --- */
/* Returns the type's name with its article ("an int"). */
const char *check_type_article(chk_type t);
/* Returns the static type of a signature's result. */
chk_type check_type_of_ret(sig_ret ret);
/* Returns the static type of a declared param type. */
chk_type check_type_of_decl(ast_type type);
/* Returns check_compatible(want, got) for known types that differ (check_type.c). */
bool check_compatible_slow(chk_type want, chk_type got);
/* Returns true when a value of type `got` may stand where `want` is required. Inline: most
 * arguments and clauses are unknown or of the type wanted. */
static inline bool check_compatible(chk_type want, chk_type got) {
  return want == CT_UNKNOWN || got == CT_UNKNOWN || want == got || check_compatible_slow(want, got);
}
/* Returns the handle type of a receiver (CT_UNKNOWN for RECV_NONE). */
chk_type check_type_of_recv(sig_recv recv);
/* Returns true when `t` is a handle kind; *recv is its receiver. */
bool check_is_handle(chk_type t, sig_recv *recv);
/* Writes "int 5" / "string \"a\"" / "int" describing node (of type t) into buf. */
void check_describe(const ast_node *node, chk_type t, char *buf, size_t size);
/* Returns the type of `a op b`; false when the operator cannot take them (both known). */
bool check_binary_type(ast_op op, chk_type a, chk_type b, chk_type *out);
/* Reports that `node` (of type `got`) is not the `want` that `what` needs. */
void check_mismatch(chk_ctx *ctx, const ast_node *node, chk_type want, chk_type got, const char *what);
/* Reports a negated duration literal where `what` needs a duration, and a literal 0s too when
 * `positive` (an action's timeout). */
void check_duration_sign(chk_ctx *ctx, const ast_node *node, const char *what, bool positive);
/* Checks `node` and reports unless its type is compatible with `want`: "<what> must be <want>,
 * got <type> <literal>" (a conditional expression: at each arm that does not suit). Returns the
 * node's type. */
chk_type check_require(chk_ctx *ctx, const ast_node *node, chk_type want, const char *what);

/* --- check_expr.c --- */
/* Returns true (one level deeper) unless the nesting limit is reached, which is reported once at
 * `at`; callers that got true decrement ctx->depth when done. */
bool check_enter(chk_ctx *ctx, rbk_span at);
/* Checks an expression and returns its static type (CT_UNKNOWN when NULL). */
chk_type check_expr(chk_ctx *ctx, const ast_node *node);
/* Checks a lambda that is a built-in's second argument. */
void check_lambda(chk_ctx *ctx, const ast_node *lambda);
/* Returns true (and *sym) when `node` is an identifier naming an import alias visible here. */
bool check_is_import(chk_ctx *ctx, const ast_node *node, chk_sym **sym);
/* Returns the top-level symbol `name` of an imported unit, reporting it unknown when missing
 * (at span); NULL when missing or the library did not load. Borrowed. */
chk_sym *check_library_member(chk_ctx *ctx, const chk_sym *alias, const char *name, rbk_span span);

/* --- check_call.c --- */
/* Returns sig_find(recv, name), remembered in ctx->sigs. */
const sig_info *check_sig_find(chk_ctx *ctx, sig_recv recv, const char *name);
/* Frees what the cache made for its signatures (not the cache). */
void check_sigs_free(chk_sig_cache *sigs);
/* Checks a call; `stmt` is true when it stands alone as a statement. Returns the result's type. */
chk_type check_call(chk_ctx *ctx, const ast_node *call, bool stmt);

/* --- check_hint.c --- */
/* Collects the names that the lines with syntax errors of the unit declare (let, param, proc, for,
 * `as`): an unknown name among them is a consequence of the syntax error. */
void check_hint_begin(chk_ctx *ctx);
/* Returns true when `name` was declared on a line with a syntax error (see check_hint_begin). */
bool check_hint_lost(const chk_ctx *ctx, const char *name);
/* Frees what check_hint_begin() kept. */
void check_hint_end(chk_ctx *ctx);
/* Adds to diagnostic d (an unknown name) a note at the first declaration of `name` in the unit's tree,
 * which is not visible where it is used; nothing when there is none or the list is full. */
void check_note_declared(chk_ctx *ctx, int d, const char *name);

/* --- check_safety.c --- */
/* Prepares the safety rules for the unit being checked: the plan's deadline, the waiver comments of
 * `file` (reporting a waiver without a reason). */
void check_safety_begin(chk_ctx *ctx, const ast_file *file);
/* Frees what check_safety_begin() kept. */
void check_safety_end(chk_ctx *ctx);
/* Reports a `wait until`, a polled `gate` or an `approve` that nothing bounds (no timeout, no
 * enclosing step timeout, no deadline). */
void check_unbounded(chk_ctx *ctx, const ast_node *s);
/* Returns true when the line before `s` waives the gate rules (`# rbk: no-gate "reason"`). */
bool check_waived(const chk_ctx *ctx, const ast_node *s);
/* Warns when a mutating action (or a proc that does one) runs before any gate, or a destructive one
 * before any gate or approval; `sig` is the action's signature, or NULL with `proc` the proc called. */
void check_guard(chk_ctx *ctx, const ast_node *call, const sig_info *sig, chk_sym *proc);
/* Reports a handler that reads `sym` (at span) when its let may not have run. */
void check_handler_read(chk_ctx *ctx, const chk_sym *sym, rbk_span at);
/* Returns true when the statement may fail when it runs (anything but a let of a call-free value or a
 * declaration). */
bool check_may_fail(chk_ctx *ctx, const ast_node *s);

/* --- check_stmt.c --- */
/* Checks a list of statements standing at `where` (at the top level, ctx->order follows them),
 * with the rules on unreachable statements and on handlers at the end of a step. */
void check_stmts(chk_ctx *ctx, const ast_list *stmts, chk_where where);
/* Checks a proc's parameters and body (in a scope of their own that sees every top-level name). */
void check_proc(chk_ctx *ctx, const ast_node *proc);
/* Checks a let's value and returns its type: an expression, or `parallel for … { … return v … }`
 * (a list of what the branches return). */
chk_type check_let_value(chk_ctx *ctx, const ast_node *let);
/* Returns true when a proc body holds a `return` anywhere. */
bool check_has_return(const ast_node *body);

#endif
