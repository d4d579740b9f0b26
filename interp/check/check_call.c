/* check_call.c — checking calls: which function, action or proc a call names, and its arguments
 * (count, names, duplicates, required ones, the types that literals reveal, lambdas). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_impl.h"

enum { MAX_PARAMS = 32 };

/* One parameter of whatever is called. */
typedef struct {
  const char *name;
  chk_type type; /* what an argument must be, CT_UNKNOWN for anything (a signature's: from its name) */
  bool required, named_only, variadic;
  bool argv;     /* a signature's command line: a list of strings or one string (strings_value) */
  bool str_list; /* a signature's list whose literal elements must be strings (string_elements) */
  bool env;      /* a signature's `env:` object (env_secrets) */
} chk_param;

/* A signature's parameters, made once (chk_sig_cache.prep). */
struct chk_sig_prep {
  size_t n;
  uint32_t required; /* bit i: params[i] is required (MAX_PARAMS bits) */
  chk_param params[MAX_PARAMS];
  sig_param sig[MAX_PARAMS]; /* the parsed spec (the names of params point here) */
  const char *seen[MAX_PARAMS]; /* a tree's copy of each name that an argument matched by its text (a name's
                                 * copy is shared by the tree's nodes: parse_strdup), or NULL */
};

/* What a call names, as far as its arguments are concerned. */
typedef struct {
  const char *name;   /* the signature's or proc's name */
  const char *prefix; /* "lib." for an imported proc; NULL for a signature */
  char what[96];      /* "'scale'", "proc 'restart'": for messages, made by what_of() when needed */
  const chk_param *params; /* own.params or a signature's prepared ones */
  const char **seen;       /* the prepared ones' seen (param_index), or NULL */
  size_t n;
  uint32_t required;       /* bit i: params[i] is required */
  long lambda_index; /* the parameter that takes a lambda, or -1 */
  const ast_node *decl; /* the PROC declaration, or NULL for a signature */
  chk_sig_prep own;     /* a proc's parameters (or a signature's when the cache had no memory) */
} chk_callee;


/* Returns how messages name the callee: "'scale'", "proc 'lib.restart'" (kept in ce). */
static const char *what_of(chk_callee *ce) {
  if (!ce->what[0]) {
    if (ce->prefix)
      snprintf(ce->what, sizeof ce->what, "proc '%s%s'", ce->prefix, ce->name);
    else
      snprintf(ce->what, sizeof ce->what, "'%s'", ce->name);
  }
  return ce->what;
}

/* Adds a note at the proc's definition to diagnostic d (when the callee is a proc). */
static void note_definition(chk_ctx *ctx, int d, chk_callee *ce) {
  if (ce->decl) diag_note(ctx->diags, d, ce->decl->span, "%s is defined here", what_of(ce));
}

/* The arguments whose type a literal can get obviously wrong, by parameter name. */
static const struct {
  const char *name;
  chk_type type;
} arg_types[] = {
    {"replicas", CT_INT},      {"to_revision", CT_INT},   {"port", CT_INT},         {"timeout", CT_DURATION},
    {"check", CT_BOOL},        {"ref", CT_STRING},        {"kind", CT_STRING},      {"path", CT_STRING},
    {"name", CT_STRING},       {"url", CT_STRING},        {"base_url", CT_STRING},  {"image", CT_STRING},
    {"context", CT_STRING},    {"namespace", CT_STRING},  {"kubeconfig", CT_STRING}, {"webhook", CT_STRING},
    {"container", CT_STRING},  {"channel", CT_STRING},    {"idempotent", CT_BOOL},  {"idempotency_key", CT_STRING},
    {"selector", CT_STRING},   {"field", CT_STRING},      {"type", CT_STRING},
    {"command", CT_LIST},      {"args", CT_LIST},         {"env", CT_OBJECT},       {"resources", CT_OBJECT},
    {"backoff_limit", CT_INT}, {"tail", CT_INT},          {"since", CT_DURATION},   {"active_deadline", CT_DURATION},
    {"ttl_after_finished", CT_DURATION},                  {"service_account", CT_STRING},
    {"from", CT_INT},          {"to", CT_INT},
};

/* Returns true for the arguments that take a list of strings or one string: exec's command line. (A
 * Job's `command` and `args` are lists only: string_elements.) */
static bool strings_arg(const char *name) { return chk_same(name, "argv"); }

/* Checks a command-line argument: a list whose literal elements are strings, or a string. */
static void strings_value(chk_ctx *ctx, const char *what, const ast_node *value) {
  char elem[200];
  snprintf(elem, sizeof elem, "an element of %s", what);
  if (value && value->kind == AST_LIST) {
    for (size_t i = 0; i < value->u.list.items.len; i++) check_require(ctx, value->u.list.items.items[i], CT_STRING, elem);
    return;
  }
  chk_type got = check_expr(ctx, value);
  if (!value || got == CT_UNKNOWN || got == CT_LIST || got == CT_STRING || got == CT_SECRET) return;
  char desc[80];
  check_describe(value, got, desc, sizeof desc);
  diag_add(ctx->diags, DIAG_ERROR, value->span, "%s must be a list of strings, got %s", what, desc);
}

/* The list arguments whose elements must be strings (a Job's argv). */
static const char *const string_lists[] = {"command", "args"};

/* Reports the elements of a list literal passed as a list of strings that are obviously not strings. */
static void string_elements(chk_ctx *ctx, const char *param, chk_callee *ce, const ast_node *value) {
  if (!value || value->kind != AST_LIST) return;
  for (size_t i = 0; i < value->u.list.items.len; i++) {
    const ast_node *e = value->u.list.items.items[i];
    if (!e || e->kind == AST_STRING) continue;
    if (e->kind == AST_NULL_LIT || e->kind == AST_BOOL_LIT || e->kind == AST_INT_LIT || e->kind == AST_FLOAT_LIT ||
        e->kind == AST_DURATION_LIT || e->kind == AST_LIST || e->kind == AST_OBJECT)
      diag_add(ctx->diags, DIAG_ERROR, e->span, "argument '%s' of %s must be a list of strings: element %zu is not a string (%s)", param,
               what_of(ce), i + 1, ast_kind_name(e->kind));
  }
}

/* Returns the type that an argument named `name` of a built-in or action must have. */
static chk_type arg_type(const char *name) {
  for (size_t i = 0; i < sizeof arg_types / sizeof arg_types[0]; i++)
    if (chk_same(arg_types[i].name, name)) return arg_types[i].type;
  return CT_UNKNOWN;
}

/* Reports the entries of an `env:` object literal whose value is a secret() call: a Job would hold
 * its text in the clear (a Secret is referred to with {secret: "name", key: "key"}). */
static void env_secrets(chk_ctx *ctx, chk_callee *ce, const ast_node *value) {
  if (!value || value->kind != AST_OBJECT) return;
  for (size_t i = 0; i < value->u.list.items.len; i++) {
    const ast_node *p = value->u.list.items.items[i], *v = p && p->kind == AST_PAIR ? p->u.pair.value : NULL;
    const ast_node *f = v && v->kind == AST_CALL ? v->u.call.callee : NULL;
    if (f && f->kind == AST_IDENT && f->u.ident.name && chk_same(f->u.ident.name, "secret"))
      diag_add(ctx->diags, DIAG_ERROR, v->span,
               "env %s of %s holds a secret: its text would be stored in the Job; refer to a Secret with "
               "{secret: \"name\", key: \"key\"}",
               p->u.pair.key ? p->u.pair.key : "entry", what_of(ce));
  }
}

/* Returns the FNV-1a hash of a name and a receiver. */
static size_t sig_hash(sig_recv recv, const char *name) {
  size_t h = 2166136261u ^ (size_t)recv;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) h = (h ^ *p) * 16777619u;
  return h;
}

/* Returns sig_find(recv, name), remembered in c->slots by the name's text. */
static const sig_info *sig_by_text(chk_sig_cache *c, sig_recv recv, const char *name) {
  size_t mask = CHK_SIG_SLOTS - 1, at = sig_hash(recv, name) & mask;
  for (; c->slots[at].name; at = (at + 1) & mask)
    if (c->slots[at].recv == recv && chk_same(c->slots[at].name, name)) return c->slots[at].sig;
  const sig_info *sig = sig_find(recv, name);
  if (c->len < CHK_SIG_SLOTS / 2) { /* a full cache just stops remembering */
    c->slots[at] = (chk_sig_slot){name, recv, sig};
    c->len++;
  }
  return sig;
}

/* Returns sig_find(recv, name), remembered in ctx->sigs (a name's copy shared by the tree's nodes is
 * found by its address, without hashing its text). */
const sig_info *check_sig_find(chk_ctx *ctx, sig_recv recv, const char *name) {
  chk_sig_cache *c = ctx->sigs;
  chk_sig_slot *p = &c->by_ptr[((uintptr_t)name >> 3 ^ (uintptr_t)recv * 0x9e5u) & (CHK_SIG_PTRS - 1)];
  if (p->name == name && p->recv == recv) return p->sig;
  const sig_info *sig = sig_by_text(c, recv, name);
  *p = (chk_sig_slot){name, recv, sig};
  return sig;
}

/* Returns true when `name` is a list argument whose elements must be strings. */
static bool string_list_arg(const char *name) {
  bool wanted = false;
  for (size_t i = 0; i < sizeof string_lists / sizeof *string_lists; i++) wanted |= chk_same(string_lists[i], name);
  return wanted;
}

/* Fills `p` with the parameters of `sig` and what their names say about their arguments. */
static void prep_fill(chk_sig_prep *p, const sig_info *sig) {
  const sig_param *sp = p->sig;
  p->n = sig_params(sig, p->sig, MAX_PARAMS);
  p->required = 0;
  for (size_t i = 0; i < p->n; i++) p->required |= (uint32_t)sp[i].required << i;
  for (size_t i = 0; i < p->n; i++)
    p->params[i] = (chk_param){sp[i].name,      arg_type(sp[i].name),
                               sp[i].required,  sp[i].named_only,
                               sp[i].variadic,  !sp[i].variadic && strings_arg(sp[i].name),
                               string_list_arg(sp[i].name), chk_same(sp[i].name, "env")};
}

/* Returns the prepared parameters of `sig`, made at its first call; NULL when out of memory. Borrowed. */
static chk_sig_prep *sig_prep(chk_sig_cache *sigs, const sig_info *sig) {
  if (sig->id >= FN__COUNT || sig_get(sig->id) != sig) return NULL;
  if (!sigs->prep[sig->id]) {
    chk_sig_prep *p = malloc(sizeof *p);
    if (!p) return NULL;
    prep_fill(p, sig);
    memset(p->seen, 0, sizeof p->seen);
    sigs->prep[sig->id] = p;
  }
  return sigs->prep[sig->id];
}

/* Frees what the cache made for its signatures (not the cache). */
void check_sigs_free(chk_sig_cache *sigs) {
  for (size_t i = 0; i < FN__COUNT; i++) free(sigs->prep[i]);
}

/* Fills `ce` from a signature of the table. */
static void callee_of_sig(chk_ctx *ctx, chk_callee *ce, const sig_info *sig) {
  chk_sig_prep *p = sig_prep(ctx->sigs, sig);
  ce->seen = p ? p->seen : NULL;
  if (!p) {
    prep_fill(&ce->own, sig);
    p = &ce->own;
  }
  ce->params = p->params;
  ce->n = p->n;
  ce->required = p->required;
  ce->name = sig->name;
  ce->prefix = NULL;
  ce->what[0] = '\0';
  ce->decl = NULL;
  ce->lambda_index = sig->flags & SIG_LAMBDA ? 1 : -1;
}

/* Fills `ce` from a PROC declaration; `prefix` is "lib." for an imported one. */
static void callee_of_proc(chk_callee *ce, const ast_node *proc, const char *prefix) {
  const ast_list *params = &proc->u.proc.params;
  ce->name = proc->u.proc.name ? proc->u.proc.name : "";
  ce->prefix = prefix;
  ce->what[0] = '\0';
  ce->decl = proc;
  ce->lambda_index = -1;
  ce->params = ce->own.params;
  ce->seen = NULL;
  ce->n = 0;
  ce->required = 0;
  for (size_t i = 0; i < params->len && ce->n < MAX_PARAMS; i++) {
    const ast_node *p = params->items[i];
    if (!p || p->kind != AST_PARAM || !p->u.param.name) continue;
    chk_type t = check_type_of_decl(p->u.param.type);
    ce->required |= (uint32_t)!p->u.param.def << ce->n;
    ce->own.params[ce->n++] = (chk_param){p->u.param.name, t, !p->u.param.def, false, false, false, false, false};
  }
}

/* Returns the index of the parameter called `name`, or -1 (the copy of the name that matched it is
 * remembered: the next argument with that copy is found by its address). */
static long param_index(const chk_callee *ce, const char *name) {
  for (size_t i = 0; ce->seen && i < ce->n; i++)
    if (ce->seen[i] == name) return (long)i;
  for (size_t i = 0; i < ce->n; i++)
    if (chk_same(ce->params[i].name, name)) {
      if (ce->seen) ce->seen[i] = name;
      return (long)i;
    }
  return -1;
}

/* Checks one argument's value against parameter `idx`. */
static void arg_value(chk_ctx *ctx, chk_callee *ce, long idx, const ast_node *value) {
  if (idx >= 0 && idx == ce->lambda_index) {
    if (value && value->kind == AST_LAMBDA) {
      check_lambda(ctx, value);
      return;
    }
    if (value)
      diag_add(ctx->diags, DIAG_ERROR, value->span, "the second argument of %s must be a lambda (x => …)",
               what_of(ce));
  }
  if (idx >= 0 && ce->params[idx].argv) {
    char what[160];
    snprintf(what, sizeof what, "argument '%s' of %s", ce->params[idx].name, what_of(ce));
    strings_value(ctx, what, value);
    return;
  }
  chk_type want = idx < 0 ? CT_UNKNOWN : ce->params[idx].type; /* a signature's: from the parameter's name */
  if (want == CT_UNKNOWN) {
    check_expr(ctx, value);
    return;
  }
  chk_type got = check_expr(ctx, value);
  if (ce->params[idx].str_list) string_elements(ctx, ce->params[idx].name, ce, value);
  if (ce->params[idx].env) env_secrets(ctx, ce, value);
  if (!value || (check_compatible(want, got) && want != CT_DURATION)) return;
  char what[160];
  snprintf(what, sizeof what, "argument '%s' of %s", ce->params[idx].name, what_of(ce));
  if (!check_compatible(want, got)) check_mismatch(ctx, value, want, got, what);
  else check_duration_sign(ctx, value, what, chk_same(ce->params[idx].name, "timeout"));
}

/* Returns the parameter that the next positional argument fills (advancing *next), or -1. */
static long positional_slot(const chk_callee *ce, size_t *next) {
  size_t seen = 0;
  for (size_t i = 0; i < ce->n; i++) {
    if (ce->params[i].named_only) continue;
    if (ce->params[i].variadic) return (long)i;
    if (seen++ == *next) {
      (*next)++;
      return (long)i;
    }
  }
  return -1;
}

/* Returns the most positional arguments `ce` takes; *min counts the required ones. */
static size_t max_positional(const chk_callee *ce, size_t *min) {
  size_t n = 0;
  *min = 0;
  for (size_t i = 0; i < ce->n; i++) {
    n += !ce->params[i].named_only;
    *min += !ce->params[i].named_only && ce->params[i].required;
  }
  return n;
}

/* Returns the parameter that a named argument fills, or -1 after reporting why it cannot. */
static long named_slot(chk_ctx *ctx, chk_callee *ce, const ast_node *arg, const ast_node *const *given,
                       const bool *by_position) {
  const char *name = arg->u.arg.name;
  long idx = param_index(ce, name);
  if (idx < 0) {
    const char *names[MAX_PARAMS + 1];
    for (size_t i = 0; i < ce->n; i++) names[i] = ce->params[i].name;
    names[ce->n] = NULL;
    char what[160];
    snprintf(what, sizeof what, "%s has no parameter", what_of(ce));
    note_definition(ctx, check_unknown(ctx, ast_name_span(arg), what, name, names), ce);
    return -1;
  }
  if (given[idx] && by_position[idx]) {
    diag_add(ctx->diags, DIAG_ERROR, ast_name_span(arg), "argument '%s' of %s is already given by position", name,
             what_of(ce));
    return -1;
  }
  if (given[idx] && !ce->params[idx].variadic) {
    int d = diag_add(ctx->diags, DIAG_ERROR, ast_name_span(arg), "argument '%s' of %s is given twice", name,
                     what_of(ce));
    diag_note(ctx->diags, d, given[idx]->span, "first given here");
    return -1;
  }
  return idx;
}

/* Reports the first positional argument past what `ce` takes. */
static void too_many(chk_ctx *ctx, const ast_node *call, const ast_node *arg, chk_callee *ce) {
  size_t min, max = max_positional(ce, &min), got = 0;
  for (size_t i = 0; i < call->u.call.args.len; i++) {
    const ast_node *a = call->u.call.args.items[i];
    got += a && !ast_arg_name(a);
  }
  int d;
  if (max == 0)
    d = diag_add(ctx->diags, DIAG_ERROR, arg->span, "%s takes no positional arguments; name them (name: value)",
                 what_of(ce));
  else
    d = diag_add(ctx->diags, DIAG_ERROR, arg->span, "too many arguments to %s: it takes %s%zu, got %zu", what_of(ce),
                 max == min ? "" : "at most ", max, got);
  note_definition(ctx, d, ce);
}

/* Checks a call's arguments against `ce`: counts, names, duplicates, required ones, values. */
static void match_args(chk_ctx *ctx, const ast_node *call, chk_callee *ce) {
  const ast_node *given[MAX_PARAMS];
  bool by_position[MAX_PARAMS], reported = false;
  uint32_t missing = ce->required; /* the required parameters no argument has given yet */
  for (size_t i = 0; i < ce->n; i++) { /* only the first n are read */
    given[i] = NULL;
    by_position[i] = false;
  }
  size_t next = 0;
  const ast_list *args = &call->u.call.args;
  for (size_t i = 0; i < args->len; i++) {
    const ast_node *a = args->items[i];
    if (!a) continue;
    const char *name = ast_arg_name(a);
    long idx = name ? named_slot(ctx, ce, a, given, by_position) : positional_slot(ce, &next);
    if (idx < 0 && !name && !reported) {
      too_many(ctx, call, a, ce);
      reported = true;
    }
    if (idx >= 0 && !given[idx]) {
      given[idx] = a;
      missing &= ~((uint32_t)1 << idx);
      by_position[idx] = !name;
    }
    arg_value(ctx, ce, idx, ast_arg_value(a));
  }
  for (; missing; missing &= missing - 1) { /* in the order of the parameters */
    int i = __builtin_ctz(missing);
    note_definition(ctx,
                    diag_add(ctx->diags, DIAG_ERROR, call->span, "missing argument '%s' of %s", ce->params[i].name,
                             what_of(ce)),
                    ce);
  }
}

/* Checks every argument's value without a signature to check them against. */
static void plain_args(chk_ctx *ctx, const ast_node *call) {
  for (size_t i = 0; i < call->u.call.args.len; i++) check_expr(ctx, call->u.call.args.items[i]);
}

/* Returns true with *v when `n` is an int literal, negated or not. */
static bool int_literal(const ast_node *n, int64_t *v) {
  bool neg = n && n->kind == AST_UNARY && n->op == OP_NEG;
  const ast_node *lit = neg ? n->u.unary.operand : n;
  if (!lit || lit->kind != AST_INT_LIT || lit->u.lit.i == INT64_MIN) return false;
  *v = neg ? -lit->u.lit.i : lit->u.lit.i;
  return true;
}

/* Reports a range() of int literals longer than SIG_RANGE_MAX (it would fail at run time). */
static void range_bound(chk_ctx *ctx, const ast_node *call) {
  const ast_list *args = &call->u.call.args;
  int64_t a = 0, b = 0;
  if (args->len < 1 || args->len > 2) return;
  for (size_t i = 0; i < args->len; i++)
    if (!args->items[i] || ast_arg_name(args->items[i]) || !int_literal(ast_arg_value(args->items[i]), i ? &b : &a))
      return;
  size_t n;
  if (!sig_range_len(args->len == 2 ? a : 0, args->len == 2 ? b : a, &n))
    diag_add(ctx->diags, DIAG_ERROR, call->span, "range(…) would make more than %d elements: ranges are bounded",
             SIG_RANGE_MAX);
}

/* Returns the result type of a call to a built-in, constructor or action `sig`. */
static chk_type call_sig(chk_ctx *ctx, const ast_node *call, const sig_info *sig, bool stmt) {
  chk_callee ce;
  callee_of_sig(ctx, &ce, sig);
  if (ctx->lambda && (sig->flags & SIG_ACTION))
    diag_add(ctx->diags, DIAG_ERROR, call->span, "actions cannot run inside a lambda; bind the result with let first");
  match_args(ctx, call, &ce);
  if (sig->id == FN_RANGE) range_bound(ctx, call);
  check_guard(ctx, call, sig, NULL);
  if (stmt && !(sig->flags & SIG_ACTION))
    diag_add(ctx->diags, DIAG_WARNING, call->span, "the result of '%s' is unused", sig->name);
  return check_type_of_ret(sig->ret);
}

/* Returns the result type of a call to the proc `sym` ("lib." prefix when imported). */
static chk_type call_proc(chk_ctx *ctx, const ast_node *call, chk_sym *sym, const char *prefix, bool stmt) {
  chk_callee ce;
  callee_of_proc(&ce, sym->decl, prefix);
  sym->used = true;
  if (ctx->lambda)
    diag_add(ctx->diags, DIAG_ERROR, call->span, "%s cannot run inside a lambda; bind the result with let first",
             what_of(&ce));
  if (!stmt && !sym->returns) {
    int d = diag_add(ctx->diags, DIAG_ERROR, call->span, "%s returns no value", what_of(&ce));
    diag_note(ctx->diags, d, sym->span, "declared here, without 'return'");
  }
  match_args(ctx, call, &ce);
  check_guard(ctx, call, NULL, sym);
  return CT_UNKNOWN;
}

/* Appends the names of every procedure of `top` and every global built-in (caller frees). */
static const char **function_names(const chk_scope *top) {
  const char **procs = check_scope_names(top, 1u << SYM_PROC);
  const char *const *builtins = sig_names(RECV_NONE);
  size_t np = 0, nb = 0;
  while (procs && procs[np]) np++;
  while (builtins[nb]) nb++;
  const char **all = malloc((np + nb + 1) * sizeof *all);
  if (all) {
    if (np) memcpy(all, procs, np * sizeof *all);
    memcpy(all + np, builtins, (nb + 1) * sizeof *all);
  }
  free(procs);
  return all;
}

/* Returns the result type of `name(…)`: a proc of this file, a built-in, or an error. */
static chk_type call_name(chk_ctx *ctx, const ast_node *call, const ast_node *callee, bool stmt) {
  const char *name = callee->u.ident.name;
  const chk_scope *top = &ctx->units[ctx->unit].top;
  chk_sym *proc = top->kinds & 1u << SYM_PROC ? check_scope_find(top, name) : NULL;
  if (proc && proc->kind == SYM_PROC) return call_proc(ctx, call, proc, "", stmt);
  const sig_info *sig = check_sig_find(ctx, RECV_NONE, name);
  if (sig) return call_sig(ctx, call, sig, stmt);
  chk_sym *value = check_lookup(ctx, name, true, callee);
  if (value) {
    diag_add(ctx->diags, DIAG_ERROR, callee->span,
             "'%s' is a %s, not a function; only built-ins, procs and actions can be called", name,
             check_sym_word(value->kind));
  } else if (!check_hint_lost(ctx, name)) {
    const char **names = check_quiet(ctx) ? NULL : function_names(top);
    check_unknown(ctx, callee->span, "unknown function", name, names);
    free(names);
  }
  plain_args(ctx, call);
  return CT_UNKNOWN;
}

/* Returns the result type of `lib.name(…)` for an imported library. */
static chk_type call_library(chk_ctx *ctx, const ast_node *call, chk_sym *alias, bool stmt) {
  const ast_node *callee = call->u.call.callee;
  chk_sym *m = check_library_member(ctx, alias, callee->u.member.name, ast_name_span(callee));
  if (m && m->kind == SYM_PROC) {
    char prefix[80];
    snprintf(prefix, sizeof prefix, "%s.", alias->name);
    return call_proc(ctx, call, m, prefix, stmt);
  }
  if (m)
    diag_add(ctx->diags, DIAG_ERROR, callee->span, "'%s.%s' is a %s, not a proc", alias->name, callee->u.member.name,
             check_sym_word(m->kind));
  plain_args(ctx, call);
  return CT_UNKNOWN;
}

/* Returns a new NULL-terminated array of every action name of every handle kind (caller frees). */
static const char **handle_names(void) {
  size_t n = 0;
  for (int r = RECV_CLUSTER; r <= RECV_CHANNEL; r++)
    for (const char *const *p = sig_names((sig_recv)r); *p; p++) n++;
  const char **all = malloc((n + 1) * sizeof *all);
  if (!all) return NULL;
  n = 0;
  for (int r = RECV_CLUSTER; r <= RECV_CHANNEL; r++)
    for (const char *const *p = sig_names((sig_recv)r); *p; p++) all[n++] = *p;
  all[n] = NULL;
  return all;
}

/* Returns the result type of `x.name(…)` where x's handle kind is not known. */
static chk_type call_unknown_handle(chk_ctx *ctx, const ast_node *call) {
  const ast_node *callee = call->u.call.callee;
  const char *name = callee->u.member.name;
  const sig_info *found = NULL, *mutating = NULL;
  bool all_actions = true, same_ret = true;
  for (int r = RECV_CLUSTER; r <= RECV_CHANNEL; r++) {
    const sig_info *s = check_sig_find(ctx, (sig_recv)r, name);
    if (!s) continue;
    all_actions = all_actions && (s->flags & SIG_ACTION);
    same_ret = same_ret && (!found || found->ret == s->ret);
    found = found ? found : s;
    if (!mutating && (s->flags & SIG_MUTATING)) mutating = s;
  }
  if (mutating) check_guard(ctx, call, mutating, NULL);
  if (!found) {
    const char **names = check_quiet(ctx) ? NULL : handle_names();
    check_unknown(ctx, ast_name_span(callee), "no handle has an action", name, names);
    free(names);
  } else if (ctx->lambda && all_actions) {
    diag_add(ctx->diags, DIAG_ERROR, call->span, "actions cannot run inside a lambda; bind the result with let first");
  }
  plain_args(ctx, call);
  return found && same_ret ? check_type_of_ret(found->ret) : CT_UNKNOWN;
}

/* Reports that handle kind `t` has no action called like the callee's member: naming the kind
 * that has it, or suggesting a near name. */
static void no_action(chk_ctx *ctx, const ast_node *callee, chk_type t, sig_recv recv) {
  const char *name = callee->u.member.name;
  for (int r = RECV_CLUSTER; r <= RECV_CHANNEL; r++) {
    const sig_info *other = (sig_recv)r != recv ? check_sig_find(ctx, (sig_recv)r, name) : NULL;
    if (!other) continue;
    diag_add(ctx->diags, DIAG_ERROR, ast_name_span(callee), "%s has no action '%s'; '%s' is an action of %s",
             check_type_article(t), name, name, check_type_article(check_type_of_recv((sig_recv)r)));
    return;
  }
  char what[64];
  snprintf(what, sizeof what, "%s has no action", check_type_article(t));
  check_unknown(ctx, ast_name_span(callee), what, name, sig_names(recv));
}

/* Returns the result type of `x.name(…)`: an action on a handle, or a library's proc. */
static chk_type call_member(chk_ctx *ctx, const ast_node *call, bool stmt) {
  const ast_node *callee = call->u.call.callee;
  const char *name = callee->u.member.name;
  chk_sym *alias = NULL;
  if (check_is_import(ctx, callee->u.member.object, &alias)) return call_library(ctx, call, alias, stmt);
  chk_type t = check_expr(ctx, callee->u.member.object);
  sig_recv recv;
  if (name && t == CT_UNKNOWN) return call_unknown_handle(ctx, call);
  if (!name) {
    /* a partial tree: nothing to name */
  } else if (check_is_handle(t, &recv)) {
    const sig_info *sig = check_sig_find(ctx, recv, name);
    if (sig) return call_sig(ctx, call, sig, stmt);
    no_action(ctx, callee, t, recv);
  } else if (check_sig_find(ctx, RECV_NONE, name)) {
    diag_add(ctx->diags, DIAG_ERROR, ast_name_span(callee), "%s has no actions; call the built-in as %s(…)",
             check_type_article(t), name);
  } else {
    diag_add(ctx->diags, DIAG_ERROR, ast_name_span(callee), "%s has no actions; cannot call '%s'",
             check_type_article(t), name);
  }
  plain_args(ctx, call);
  return CT_UNKNOWN;
}

/* Checks a call; `stmt` is true when it stands alone as a statement. */
chk_type check_call(chk_ctx *ctx, const ast_node *call, bool stmt) {
  const ast_node *callee = call->u.call.callee;
  if (callee && callee->kind == AST_IDENT && callee->u.ident.name) return call_name(ctx, call, callee, stmt);
  if (callee && callee->kind == AST_MEMBER) return call_member(ctx, call, stmt);
  if (callee)
    diag_add(ctx->diags, DIAG_ERROR, callee->span, "only built-ins, procs and actions can be called");
  check_expr(ctx, callee);
  plain_args(ctx, call);
  return CT_UNKNOWN;
}
