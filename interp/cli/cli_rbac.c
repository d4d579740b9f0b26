/* cli_rbac.c — `rbk rbac FILE [-p name=value]... [--namespace NS] [--name SA]`: the least-privilege
 * RBAC of a plan, from its dry-run graph and stdlib/kube's action → requests table (kube_rbac.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kube_kinds.h"
#include "kube_rbac.h"
#include "lease.h"
#include "plan.h"
#include "run_actions.h"
#include "strutil.h"

typedef struct {
  const char *file;
  char **assigns; /* "name=value", borrowed from argv */
  size_t nassigns;
  const char *ns, *name; /* the ServiceAccount's */
} rbac_args;

/* The options, once: X(ID, long name, short name, value, help). */
#define RBAC_OPTS(X)                                                                                      \
  X(RBAC_PARAM, "param", 'p', "name=value", "set a param (parsed by its declared type; repeatable)")     \
  X(RBAC_NAMESPACE, "namespace", 'n', "NS",                                                              \
    "the ServiceAccount's namespace, and the plan's where kube() names none (default: the run lock's, else default)")        \
  X(RBAC_NAME, "name", 0, "SA", "the ServiceAccount's name, and its Role's and bindings' (default: rbk-<runbook id>)")

enum { RBAC_OPTS(CLI_OPTS_ENUM) };
static const cli_opt rbac_opts[] = {RBAC_OPTS(CLI_OPTS_ROW)};

const cli_opts_spec cli_rbac_spec = {
    .name = "rbac",
    .operands = "FILE",
    .about = "Prints the ServiceAccount, Role(s) and RoleBinding(s) that exactly cover what the plan can send:\n"
             "every action of its dry-run graph (verbs x API groups x resources x subresources, objects by\n"
             "name where known) and the run lock's Lease. A ClusterRole holds cluster-scoped kinds and\n"
             "targets whose namespace is unknown before the run. Nothing is executed.",
    .footer = "Exit 0, or 2 for usage, plan or param errors and targets whose kind is unknown (docs/cli.md).",
    .opts = rbac_opts,
    .nopts = sizeof rbac_opts / sizeof *rbac_opts,
};

/* Takes one option or the file (cli_opts_take); returns CLI_GO_ON or the usage exit code. */
static int take_arg(void *ctx, int id, const char *v) {
  rbac_args *a = ctx;
  switch (id) {
    case RBAC_PARAM: a->assigns[a->nassigns++] = (char *)v; break;
    case RBAC_NAMESPACE: a->ns = v; break;
    case RBAC_NAME: a->name = v; break;
    case CLI_OPERAND:
      if (a->file) return fprintf(stderr, "rbk: rbac takes one file ('%s' and '%s')\n", a->file, v), RBK_EXIT_USAGE;
      a->file = v;
      break;
  }
  return CLI_GO_ON;
}

/* Returns true when a name shown by the planner is known (no ${…} hole, not "?" or "***"). */
static bool known_name(const char *s, size_t n) {
  if (!n || (n == 1 && *s == '?')) return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] == '$' || s[i] == '*' || s[i] == '{' || s[i] == '"' || s[i] == ' ') return false;
  return true;
}

/* Parses the node's target ("kind/name …", "kind -l …") into *kind and a new name (NULL when
 * unknown). Returns false when the kind is unknown before the run. */
static bool target_of(const plan_node *n, const kube_kind **kind, char **name) {
  *kind = NULL, *name = NULL;
  switch (n->sig->id) {
    case FN_K_EVENTS: case FN_E_GET: case FN_E_POST: case FN_E_PUT: case FN_E_DELETE: return true;
    default: break;
  }
  const char *t = n->target ? n->target : "";
  size_t len = strcspn(t, " ");
  const char *slash = memchr(t, '/', len);
  size_t klen = slash ? (size_t)(slash - t) : len;
  char *k = strndup(t, klen);
  *kind = k && known_name(k, klen) ? kube_kinds_find(k) : NULL;
  free(k);
  const char *kf = strstr(t, "kind: \"");
  if (!*kind && (n->sig->id == FN_K_APPLY || n->sig->id == FN_K_CREATE) && kf) {
    /* an object whose name is unknown: its kind as written (`{apiVersion: "v1", kind: "Secret", …}`) */
    k = strndup(kf + 7, strcspn(kf + 7, "\""));
    *kind = k ? kube_kinds_find(k) : NULL;
    free(k);
    return *kind != NULL;
  }
  if (slash && known_name(slash + 1, len - klen - 1)) *name = strndup(slash + 1, len - klen - 1);
  return *kind != NULL;
}

/* Returns the YAML comment for a node whose name or namespace is unknown (caller frees), or NULL. */
static char *unknown_note(const plan_node *n, const char *what) {
  const char *file = n->span.src && n->span.src->path ? n->span.src->path : "";
  return strutil_printf("%s:%d:%d: %s: %s unknown before the run: no resourceNames", file, n->span.line, n->span.col,
                        n->sig->name, what);
}

/* Adds the rules of one action node; returns RBK_EXIT_OK, or RBK_EXIT_USAGE after an error. */
static int add_node(kube_rbac *r, const plan_node *n, const char *default_ns) {
  bool endpoint = n->sig->recv == RECV_ENDPOINT;
  if (n->sig->recv != RECV_CLUSTER && !endpoint) return RBK_EXIT_OK; /* run, write_file: no API request */
  if (endpoint && n->via != FN_K_SERVICE) return RBK_EXIT_OK;       /* http(): not the API server */
  const char *ns = n->ns ? (*n->ns ? n->ns : default_ns) : NULL;
  const kube_kind *kind;
  char *name = NULL;
  if (!target_of(n, &kind, &name)) {
    fprintf(stderr, "rbk: %s:%d:%d: %s: the kind of '%s' is unknown before the run: pass it with -p\n",
            n->span.src && n->span.src->path ? n->span.src->path : "", n->span.line, n->span.col, n->sig->name, n->target ? n->target : "?");
    return RBK_EXIT_USAGE;
  }
  if (endpoint) name = n->service ? strdup(n->service) : NULL;
  bool wants_name = endpoint || n->sig->id != FN_K_LIST;
  char *note = !ns ? unknown_note(n, "the namespace is") : !name && wants_name && n->sig->id != FN_K_EVENTS &&
               n->sig->id != FN_K_WAIT_DELETED && n->sig->id != FN_K_WAIT_READY ? unknown_note(n, "the target is")
                                                                                 : NULL;
  bool ok = kube_rbac_add_action(r, n->sig->id, ns, kind, name, note);
  free(name);
  free(note);
  if (!ok) return fputs("rbk: out of memory\n", stderr), RBK_EXIT_USAGE;
  return RBK_EXIT_OK;
}

/* Returns the run lock's namespace: the first kube() handle's, as the run takes it; NULL unknown. */
static const char *lock_ns(const plan_graph *g, const char *default_ns, bool *any) {
  *any = false;
  for (size_t i = 0; i < g->len; i++) {
    const plan_node *n = &g->nodes[i];
    if (n->kind != PLAN_ACTION || (n->via != FN_KUBE && n->via != FN_K_SERVICE)) continue;
    *any = true;
    return n->ns ? (*n->ns ? n->ns : default_ns) : NULL;
  }
  return NULL;
}

/* Builds the rule set of the graph and prints it; returns the exit code. */
static int print_rbac(const plan_graph *g, const rbac_args *a) {
  bool any = false;
  const char *first = lock_ns(g, "", &any);
  const char *sa_ns = a->ns ? a->ns : first && *first ? first : "default";
  char *id = run_actions_runbook_id(g->runbook.id, a->file);
  char *lease = lease_name(id);
  char *sa = a->name ? strdup(a->name) : lease ? strdup(lease) : NULL;
  kube_rbac *r = kube_rbac_new();
  int code = r && sa ? RBK_EXIT_OK : RBK_EXIT_USAGE;
  for (size_t i = 0; i < (r ? g->len : 0) && code == RBK_EXIT_OK; i++)
    if (g->nodes[i].kind == PLAN_ACTION && g->nodes[i].sig) code = add_node(r, &g->nodes[i], sa_ns);
  const char *lns = lock_ns(g, sa_ns, &any);
  if (code == RBK_EXIT_OK && any && !kube_rbac_add_lease(r, lns, lease)) code = RBK_EXIT_USAGE;
  if (code == RBK_EXIT_OK) {
    char *header = strutil_printf("rbk rbac %s: what the plan can send (docs/actions.md, \"RBAC\")%s", a->file,
                                  any && !lns ? "\nthe run lock's namespace is unknown before the run" : "");
    kube_rbac_write_yaml(r, sa_ns, sa, header, stdout);
    free(header);
  }
  kube_rbac_free(r);
  free(sa);
  free(lease);
  free(id);
  return code;
}

/* Binds params, builds the graph and prints its RBAC; returns the exit code. */
static int rbac_program(const rbk_program *prog, const rbac_args *a) {
  param_set params = {0};
  char *err = NULL;
  const ast_file *main_file = prog->len ? prog->units[0].ast : NULL;
  if (!main_file || !params_bind(main_file, a->assigns, a->nassigns, true, plan_eval_const, (void *)prog, &params, &err)) {
    fprintf(stderr, "rbk: %s\n", err ? err : "the plan could not be read");
    free(err);
    return RBK_EXIT_USAGE;
  }
  diag_list diags = {0};
  plan_graph *g = plan_build(prog, &params, &diags, &err);
  diag_free(&diags);
  params_free(&params);
  if (!g) {
    fprintf(stderr, "rbk: %s\n", err ? err : "out of memory");
    free(err);
    return RBK_EXIT_USAGE;
  }
  int code = print_rbac(g, a);
  plan_free(g);
  return code;
}

/* rbk rbac: prints the plan's least-privilege RBAC as YAML; returns the exit code. */
int cli_rbac(int argc, char **argv) {
  rbac_args a = {0};
  a.assigns = calloc((size_t)argc + 1, sizeof *a.assigns);
  if (!a.assigns) return RBK_EXIT_USAGE;
  int code = cli_opts_parse(&cli_rbac_spec, argc, argv, take_arg, &a);
  if (code == CLI_GO_ON && !a.file) code = cli_opts_usage_error(&cli_rbac_spec);
  if (code == CLI_GO_ON) {
    rbk_program *prog = cli_load_checked(a.file, NULL);
    code = prog ? rbac_program(prog, &a) : RBK_EXIT_USAGE;
    program_free(prog);
  }
  free(a.assigns);
  return code;
}
