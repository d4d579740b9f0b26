/* plan_call.c — abstract evaluation of calls: pure built-ins are folded on known arguments,
 * constructors make handles, actions become graph nodes, procs are inlined. */
#include <ctype.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "plan_int.h"

static rbk_value *plan_eval_apply(void *user, const rbk_value *lambda, rbk_value *arg, char **err);

/* The most parameters a signature has (sig.h). */
#define PE_MAX_PARAMS 16
/* The longest label kept for an action or call. */
#define PE_LABEL_MAX 160

/* A call's evaluated arguments, positional then named, in source order within each. */
typedef struct {
  pv *pos;
  size_t npos;
  char **names;
  pv *named;
  size_t nnamed;
} pe_args;

/* Evaluates every argument of `call` left to right (inner actions first). */
static void args_eval(plan_walker *w, plan_scope *s, const ast_node *call, pe_args *a) {
  size_t n = call->u.call.args.len;
  memset(a, 0, sizeof *a);
  a->pos = calloc(n + 1, sizeof *a->pos);
  a->named = calloc(n + 1, sizeof *a->named);
  a->names = calloc(n + 1, sizeof *a->names);
  if (!a->pos || !a->named || !a->names) {
    plan_walk_fail(w, "out of memory");
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const ast_node *arg = call->u.call.args.items[i];
    pv v = plan_eval(w, s, ast_arg_value(arg));
    if (ast_arg_name(arg)) {
      a->names[a->nnamed] = arg->u.arg.name; /* named: an ARG node */
      a->named[a->nnamed++] = v;
    } else {
      a->pos[a->npos++] = v;
    }
  }
}

/* Releases the arguments. */
static void args_free(pe_args *a) {
  for (size_t i = 0; i < a->npos; i++) plan_pv_free(&a->pos[i]);
  for (size_t i = 0; i < a->nnamed; i++) plan_pv_free(&a->named[i]);
  free(a->pos);
  free(a->named);
  free(a->names);
}

/* Returns the arguments as source-like text: `a, b, name: c`. Caller frees. */
static char *args_text(const pe_args *a) {
  valbuf b = {0};
  for (size_t i = 0; i < a->npos; i++) {
    char *t = plan_pv_src(&a->pos[i]);
    valbuf_printf(&b, "%s%s", i ? ", " : "", t ? t : "?");
    free(t);
  }
  for (size_t i = 0; i < a->nnamed; i++) {
    char *t = plan_pv_src(&a->named[i]);
    valbuf_printf(&b, "%s%s: %s", i || a->npos ? ", " : "", a->names[i], t ? t : "?");
    free(t);
  }
  return valbuf_take(&b, NULL);
}

/* Returns the call's text `prefix(args)` cut to PE_LABEL_MAX. Caller frees. */
static char *call_text(const char *prefix, const pe_args *a) {
  char *args = args_text(a);
  char *full = strutil_printf("%s(%s)", prefix, args ? args : "");
  char *cut = full ? plan_cut(full, PE_LABEL_MAX) : NULL;
  free(args);
  free(full);
  return cut;
}

/* Returns the argument for parameter `pname` of sig (positional or named), or NULL. Borrowed. */
static const pv *args_get(const pe_args *a, const sig_info *sig, const char *pname) {
  sig_param params[PE_MAX_PARAMS];
  size_t n = sig_params(sig, params, PE_MAX_PARAMS);
  int idx = sig_param_index(params, n, pname);
  if (idx < 0) return NULL;
  if (!params[idx].named_only && (size_t)idx < a->npos) return &a->pos[idx];
  for (size_t i = 0; i < a->nnamed; i++)
    if (!strcmp(a->names[i], pname)) return &a->named[i];
  return NULL;
}

/* Returns how the argument for `pname` is shown ("" when absent). Caller frees. */
static char *args_show(const pe_args *a, const sig_info *sig, const char *pname) {
  const pv *v = args_get(a, sig, pname);
  return v ? plan_pv_show(v) : strdup("");
}

/* Returns an argv shown as one command line (words with blanks quoted). Caller frees. */
static char *argv_text(const pv *items, size_t n) {
  valbuf b = {0};
  for (size_t i = 0; i < n; i++) {
    if (items[i].kind == PV_KNOWN && items[i].val->kind == VAL_LIST) {
      for (size_t k = 0; k < items[i].val->u.list.len; k++) {
        pv e = plan_pv_known(value_ref(items[i].val->u.list.items[k]));
        char *t = argv_text(&e, 1);
        valbuf_printf(&b, "%s%s", b.len ? " " : "", t ? t : "?");
        free(t);
        plan_pv_free(&e);
      }
      continue;
    }
    char *t = plan_pv_show(&items[i]);
    bool quote = t && (!*t || strpbrk(t, " \t\n\"'"));
    valbuf_printf(&b, "%s%s%s%s", b.len ? " " : "", quote ? "'" : "", t ? t : "?", quote ? "'" : "");
    free(t);
  }
  return valbuf_take(&b, NULL);
}

/* Returns "kind/name" for a known manifest object, else how it is shown. Caller frees. */
static char *manifest_text(const pv *obj) {
  if (obj && obj->kind == PV_KNOWN && obj->val->kind == VAL_OBJECT) {
    const rbk_value *kind = value_object_get(obj->val, "kind"), *meta = value_object_get(obj->val, "metadata");
    const rbk_value *name = meta && meta->kind == VAL_OBJECT ? value_object_get(meta, "name") : NULL;
    if (kind && kind->kind == VAL_STRING && name && name->kind == VAL_STRING) {
      char *k = strdup(kind->u.str.s);
      for (char *p = k; p && *p; p++) *p = (char)tolower((unsigned char)*p);
      char *t = strutil_printf("%s/%s", k ? k : "?", name->u.str.s);
      free(k);
      return t;
    }
  }
  char *t = obj ? plan_pv_show(obj) : strdup("");
  char *cut = t ? plan_cut(t, 80) : NULL;
  free(t);
  return cut;
}

/* Returns "kind -l selector --field-selector field" for list-like cluster actions. Caller frees. */
static char *selector_text(const pe_args *a, const sig_info *sig, const char *first) {
  char *sel = args_show(a, sig, "selector"), *field = args_show(a, sig, "field");
  char *t = strutil_printf("%s%s%s%s%s", first, sel && *sel ? " -l " : "", sel ? sel : "",
                     field && *field ? " --field-selector " : "", field ? field : "");
  free(sel);
  free(field);
  return t;
}

/* Returns the action's target as far as known: ref, method + path, argv. Caller frees. */
static char *action_target(const sig_info *sig, const pe_args *a) {
  char *t = NULL;
  switch (sig->id) {
    case FN_E_GET: case FN_E_POST: case FN_E_PUT: case FN_E_DELETE: {
      static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
      char *path = args_show(a, sig, "path");
      t = strutil_printf("%s %s", methods[sig->id - FN_E_GET], path ? path : "?");
      free(path);
      return t;
    }
    case FN_K_LIST: case FN_K_WAIT_DELETED: case FN_K_WAIT_READY: {
      char *kind = args_show(a, sig, "kind");
      t = selector_text(a, sig, kind ? kind : "?");
      free(kind);
      return t;
    }
    case FN_K_EVENTS: return selector_text(a, sig, "events");
    case FN_K_APPLY: case FN_K_CREATE: return manifest_text(args_get(a, sig, "object"));
    case FN_K_JOB: {
      char *name = args_show(a, sig, "name");
      t = strutil_printf("job/%s", name ? name : "?");
      free(name);
      return t;
    }
    case FN_K_EXEC: {
      char *ref = args_show(a, sig, "ref");
      const pv *argv = args_get(a, sig, "argv");
      char *cmd = argv ? argv_text(argv, 1) : strdup("");
      t = strutil_printf("%s -- %s", ref ? ref : "?", cmd ? cmd : "?");
      free(ref);
      free(cmd);
      return t;
    }
    case FN_RUN: return argv_text(a->pos, a->npos);
    case FN_WRITE_FILE: return args_show(a, sig, "path");
    default: return a->npos ? plan_pv_show(&a->pos[0]) : strdup("");
  }
}

/* Returns the action's time limit: its `timeout:` argument, else the table's default; 0 for a
 * known one that is not positive (the call fails at once, vm_call.c). */
static int64_t action_timeout(const sig_info *sig, const pe_args *a) {
  const pv *t = args_get(a, sig, "timeout");
  int64_t ms;
  if (!t) return sig->timeout_ms;
  return plan_pv_duration(t, &ms) ? (ms > 0 ? ms : 0) : PLAN_UNBOUNDED;
}

/* Adds the action node of `call` and returns its (unknown) result. */
static pv pe_action(plan_walker *w, const ast_node *call, const sig_info *sig, const pv *recv,
                    const pe_args *a, char *text) {
  if (plan_graph_lookup(w->g, call, w->ctx.s ? w->ctx.s : "") >= 0) return plan_pv_unknown(text);
  long i = plan_walk_node(w, PLAN_ACTION, call, call->span, true);
  if (i < 0) return plan_pv_unknown(text);
  plan_node *n = &w->g->nodes[i];
  n->sig = sig;
  n->mutating = (sig->flags & SIG_MUTATING) != 0;
  n->handle = recv && recv->sym ? strdup(recv->sym) : NULL;
  n->label = strdup(text ? text : "?");
  n->target = strutil_one_line(action_target(sig, a));
  n->via = recv && recv->kind == PV_HANDLE ? recv->h->ctor : FN__COUNT;
  n->ns = recv && recv->kind == PV_HANDLE && recv->h->ns ? strdup(recv->h->ns) : NULL;
  n->service = recv && recv->kind == PV_HANDLE && recv->h->svc ? strdup(recv->h->svc) : NULL;
  n->timeout_ms = n->worst_ms = action_timeout(sig, a);
  char *where = plan_walk_where(call->span);
  char *why = n->timeout_ms == PLAN_UNBOUNDED ? strutil_printf("%s: %s has a timeout unknown before the run",
                                                         where ? where : "?", sig->name) : NULL;
  plan_cost c = plan_cost_leaf((size_t)i, n->timeout_ms, why);
  plan_cost_seq(&w->cost, &c);
  free(where);
  free(why);
  return plan_pv_unknown(text);
}

/* Returns the description of a constructed handle (no I/O). Caller frees. */
static char *ctor_desc(const sig_info *sig, const pe_args *a) {
  const char *k1 = sig->id == FN_KUBE ? "namespace" : sig->id == FN_HTTP ? "base_url"
                   : sig->id == FN_K_SERVICE ? "name" : sig->id == FN_SLACK ? "channel"
                   : sig->id == FN_LOGFILE ? "path" : NULL;
  const char *k2 = sig->id == FN_KUBE ? "context" : sig->id == FN_K_SERVICE ? "port" : NULL;
  char *v1 = k1 ? args_show(a, sig, k1) : strdup(""), *v2 = k2 ? args_show(a, sig, k2) : strdup("");
  const char *sep = sig->id == FN_K_SERVICE ? ":" : " ";
  char *t = strutil_printf("%s%s%s%s%s", sig->name, v1 && *v1 ? " " : "", v1 ? v1 : "", v2 && *v2 ? sep : "",
                     v2 ? v2 : "");
  free(v1);
  free(v2);
  return t;
}

/* Returns the known string argument `pname` (a copy), "" when absent, NULL when unknown. */
static char *args_known_str(const pe_args *a, const sig_info *sig, const char *pname) {
  const pv *v = args_get(a, sig, pname);
  if (!v || (v->kind == PV_KNOWN && v->val->kind == VAL_NULL)) return strdup("");
  if (v->kind != PV_KNOWN || v->secret) return NULL;
  if (v->val->kind == VAL_STRING) return strdup(v->val->u.str.s);
  if (v->val->kind == VAL_INT) return strutil_printf("%lld", (long long)v->val->u.i);
  return NULL;
}

/* Records where a kube() or service() handle points: its namespace and service "name:port". */
static void ctor_where(plan_handle *h, const sig_info *sig, const pe_args *a, const pv *recv) {
  h->ctor = sig->id;
  if (sig->id == FN_KUBE) h->ns = args_known_str(a, sig, "namespace");
  if (sig->id != FN_K_SERVICE) return;
  h->ns = recv && recv->kind == PV_HANDLE && recv->h->ns ? strdup(recv->h->ns) : NULL;
  char *name = args_known_str(a, sig, "name"), *port = args_known_str(a, sig, "port");
  if (name && *name && port) h->svc = *port ? strutil_printf("%s:%s", name, port) : strdup(name);
  free(name);
  free(port);
}

/* Returns a handle for a constructor call (takes text); recv: the handle it is called on, or NULL. */
static pv pe_ctor(plan_walker *w, const sig_info *sig, const pe_args *a, const pv *recv, char *text) {
  sig_recv kind = sig->ret == RET_CLUSTER ? RECV_CLUSTER : sig->ret == RET_ENDPOINT ? RECV_ENDPOINT : RECV_CHANNEL;
  plan_handle *h = plan_walk_handle(w, kind, ctor_desc(sig, a));
  if (sig->id == FN_KUBE && !w->lock_ns) w->lock_ns = args_show(a, sig, "namespace");
  if (!h) return plan_pv_unknown(text);
  ctor_where(h, sig, a, recv);
  pv r = {.kind = PV_HANDLE, .h = h, .sym = text};
  return r;
}

/* Does nothing: lambdas borrow their AST and scope. */
static void lambda_release(void *code, void *env) {
  (void)code;
  (void)env;
}

/* Returns the built-in argument value for v (a new reference), or NULL when v is not known. */
static rbk_value *fold_arg(const pv *v) {
  if (v->kind == PV_KNOWN) return value_ref(v->val);
  if (v->kind == PV_LAMBDA) return value_lambda((void *)v->lambda, v->env, lambda_release);
  return NULL;
}

/* Reads the environment of this machine for env() and file(). */
static const char *fold_getenv(void *user, const char *name) {
  (void)user;
  return getenv(name);
}

/* Calls the built-in on the arguments when all are known; returns NULL with *err (or without, when
 * a lambda's result was unknown). */
static rbk_value *fold_call(plan_walker *w, const sig_info *sig, const pe_args *a, int unit, char **err) {
  sig_param params[PE_MAX_PARAMS];
  size_t np = sig_params(sig, params, PE_MAX_PARAMS);
  rbk_value *named[PE_MAX_PARAMS] = {0}, **pos = calloc(a->npos + 1, sizeof *pos);
  bool ok = pos != NULL;
  for (size_t i = 0; ok && i < a->npos; i++) ok = (pos[i] = fold_arg(&a->pos[i])) != NULL;
  for (size_t i = 0; ok && i < a->nnamed; i++) {
    int idx = sig_param_index(params, np, a->names[i]);
    ok = idx >= 0 && !named[idx] && (named[idx] = fold_arg(&a->named[i])) != NULL;
  }
  rbk_value *r = NULL;
  if (ok) {
    char *path = strdup(w->prog->units[unit].path ? w->prog->units[unit].path : ".");
    builtin_ctx ctx = {.user = w, .apply = plan_eval_apply, .getenv = fold_getenv, .base_dir = path ? dirname(path) : "."};
    w->apply_unknown = false;
    r = builtins_call(sig->id, pos, a->npos, named, &ctx, err);
    free(path);
  }
  for (size_t i = 0; pos && i < a->npos; i++) value_unref(pos[i]);
  for (size_t i = 0; i < PE_MAX_PARAMS; i++) value_unref(named[i]);
  free(pos);
  return r;
}

/* Returns the folded result of a pure or environment built-in, or an unknown (takes text). */
static pv pe_fold(plan_walker *w, const ast_node *call, const sig_info *sig, const pe_args *a, int unit,
                  char *text) {
  for (size_t i = 0; i < a->npos; i++)
    if (a->pos[i].secret) return free(text), plan_pv_secret();
  for (size_t i = 0; i < a->nnamed; i++)
    if (a->named[i].secret) return free(text), plan_pv_secret();
  char *err = NULL;
  rbk_value *v = fold_call(w, sig, a, unit, &err);
  if (v) {
    free(text);
    return plan_pv_known(v);
  }
  if (err && !w->apply_unknown && sig->id != FN_ENV)
    plan_walk_warn(w, call->span, "%s (the run fails here)", err);
  free(err);
  return plan_pv_unknown(text);
}

/* Evaluates a call of a built-in, constructor or action `sig` (recv: the handle, or NULL). */
static pv pe_builtin(plan_walker *w, plan_scope *s, const ast_node *call, const sig_info *sig, const pv *recv) {
  pe_args a;
  args_eval(w, s, call, &a);
  char *prefix = recv ? strutil_printf("%s.%s", recv->sym ? recv->sym : "?", sig->name) : strdup(sig->name);
  char *text = call_text(prefix ? prefix : sig->name, &a);
  free(prefix);
  pv r;
  if (sig->flags & SIG_ACTION) r = pe_action(w, call, sig, recv, &a, text);
  else if (sig->flags & SIG_CTOR) r = pe_ctor(w, sig, &a, recv, text);
  else if (sig->id == FN_SECRET) r = (free(text), plan_pv_secret());
  else if (sig->flags & SIG_RUNTIME) r = plan_pv_unknown(text);
  else r = pe_fold(w, call, sig, &a, s->unit, text);
  args_free(&a);
  return r;
}

/* Evaluates a call of proc `proc` of `unit`, inlining its body. */
static pv pe_proc(plan_walker *w, plan_scope *s, const ast_node *call, int unit, const ast_node *proc,
                  const char *shown) {
  pe_args a;
  args_eval(w, s, call, &a);
  pv r = plan_walk_inline(w, unit, proc, call, a.pos, a.npos, a.names, a.named, a.nnamed);
  if (r.kind == PV_UNKNOWN && !r.sym && !r.secret) r.sym = call_text(shown, &a);
  args_free(&a);
  return r;
}

/* Evaluates a call whose callee is unknown: its arguments still run. */
static pv pe_opaque(plan_walker *w, plan_scope *s, const ast_node *call, const char *shown) {
  pe_args a;
  args_eval(w, s, call, &a);
  pv r = plan_pv_unknown(call_text(shown, &a));
  args_free(&a);
  return r;
}

/* Returns the action `name` on a receiver of unknown kind: the first receiver kind that has it. */
static const sig_info *guess_action(const char *name) {
  static const sig_recv kinds[] = {RECV_CLUSTER, RECV_ENDPOINT};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    const sig_info *sig = sig_find(kinds[i], name);
    if (sig && (sig->flags & SIG_ACTION)) return sig;
  }
  return NULL;
}

/* Evaluates recv.name(args): an action or constructor on a handle, or a module's proc. */
static pv pe_method(plan_walker *w, plan_scope *s, const ast_node *call) {
  const ast_node *callee = call->u.call.callee;
  const char *name = callee->u.member.name;
  pv o = plan_eval(w, s, callee->u.member.object);
  char *shown = strutil_printf("%s.%s", o.secret ? "***" : o.sym ? o.sym : "?", name);
  const sig_info *sig = o.kind == PV_HANDLE ? sig_find(o.h->recv, name)
                        : o.kind == PV_UNKNOWN ? guess_action(name) : NULL;
  const ast_node *proc = o.kind == PV_MODULE ? plan_walk_find_proc(w, o.unit, name) : NULL;
  pv r;
  if (proc) r = pe_proc(w, s, call, o.unit, proc, shown ? shown : name);
  else if (sig) r = pe_builtin(w, s, call, sig, &o);
  else r = pe_opaque(w, s, call, shown ? shown : name);
  free(shown);
  plan_pv_free(&o);
  return r;
}

/* Evaluates a call (built-in, constructor, action, or inlined proc). */
pv plan_eval_call(plan_walker *w, plan_scope *s, const ast_node *call) {
  const ast_node *callee = call->u.call.callee;
  if (callee->kind == AST_MEMBER) return pe_method(w, s, call);
  if (callee->kind != AST_IDENT) return pe_opaque(w, s, call, "(…)");
  const char *name = callee->u.ident.name;
  const ast_node *proc = plan_walk_find_proc(w, s->unit, name);
  if (proc) return pe_proc(w, s, call, s->unit, proc, name);
  const sig_info *sig = sig_find(RECV_NONE, name);
  if (sig) return pe_builtin(w, s, call, sig, NULL);
  return pe_opaque(w, s, call, name);
}

/* Applies a lambda value to a known argument for a built-in (builtin_ctx.apply). */
static rbk_value *plan_eval_apply(void *user, const rbk_value *lambda, rbk_value *arg, char **err) {
  plan_walker *w = user;
  const ast_node *lam = lambda->u.lambda.code;
  plan_scope *env = lambda->u.lambda.env;
  plan_scope sc;
  plan_scope_init(&sc, env, env->unit);
  plan_scope_bind(&sc, lam->u.lambda.param, plan_pv_known(value_ref(arg)));
  pv r = plan_eval(w, &sc, lam->u.lambda.body);
  plan_scope_free(&sc);
  rbk_value *v = r.kind == PV_KNOWN ? value_ref(r.val) : NULL;
  plan_pv_free(&r);
  if (!v) {
    w->apply_unknown = true;
    *err = strdup("the lambda's result is unknown before the run");
  }
  return v;
}
