/* cli_plan.c — `rbk plan FILE [-p name=value]... [--format text|json|dot|mermaid] [--mutating] [--verbose]
 * [--diff OLD]`: check, bind params, build the dry-run graph, print it (or its difference from OLD's,
 * cli_plan_diff.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "cli_plan.h"
#include "out.h"
#include "plan.h"

typedef struct {
  const char *file;
  char **assigns; /* "name=value", borrowed from argv */
  size_t nassigns;
  plan_format format;
  bool mutating;
  bool verbose;
  const char *diff; /* --diff OLD */
  bool live;
  const char *kubeconfig, *context; /* --live */
} plan_args;

/* The options, once: X(ID, long name, short name, value, help). */
#define PLAN_OPTS(X)                                                                                    \
  X(PLAN_PARAM, "param", 'p', "name=value", "set a param (parsed by its declared type; repeatable)")   \
  X(PLAN_FORMAT, "format", 0, "text|json|dot|mermaid", "the output format (default text)")           \
  X(PLAN_MUTATING, "mutating", 0, NULL, "list only the actions that change the world (text, json)")  \
  X(PLAN_VERBOSE, "verbose", 0, NULL, "text: also proc returns, asserts, expects and whole notification texts") \
  X(PLAN_DIFF, "diff", 0, "OLD", "print what changes from OLD (a file or REV:path) to FILE (text, mermaid)") \
  X(PLAN_LIVE, "live", 0, NULL, "read the cluster, send its writes as dry runs (dryRun=All), print what a run would do") \
  X(PLAN_KUBECONFIG, "kubeconfig", 0, "FILE", "--live: the kubeconfig (default: KUBECONFIG, ~/.kube/config, in-cluster)") \
  X(PLAN_CONTEXT, "context", 0, "NAME", "--live: the kubeconfig context (default: its current-context)")

enum { PLAN_OPTS(CLI_OPTS_ENUM) };
static const cli_opt plan_opts[] = {PLAN_OPTS(CLI_OPTS_ROW)};

const cli_opts_spec cli_plan_spec = {
    .name = "plan",
    .operands = "FILE",  /* with --diff OLD: FILE is the new version; either may be REV:path */
    .about = "Dry-runs a plan: evaluates what is known before the run and prints the action graph\n"
             "(steps, gates, approvals, branches, waits, mutating actions marked, notifications) and\n"
             "the worst case of the critical path against the runbook's deadline. Nothing is executed.",
    .footer = "Exit 0, or 2 for usage, plan or param errors (docs/plan.md). --live: 0 the run would\n"
              "proceed, 1 a gate, assert, step or refused write would stop it.",
    .opts = plan_opts,
    .nopts = sizeof plan_opts / sizeof *plan_opts,
};

/* Takes one option or the file (cli_opts_take); returns CLI_GO_ON or the usage exit code. */
static int take_arg(void *ctx, int id, const char *v) {
  plan_args *a = ctx;
  switch (id) {
    case PLAN_PARAM: a->assigns[a->nassigns++] = (char *)v; break;
    case PLAN_MUTATING: a->mutating = true; break;
    case PLAN_VERBOSE: a->verbose = true; break;
    case PLAN_DIFF: a->diff = v; break;
    case PLAN_LIVE: a->live = true; break;
    case PLAN_KUBECONFIG: a->kubeconfig = v; break;
    case PLAN_CONTEXT: a->context = v; break;
    case PLAN_FORMAT: {
      int f = plan_format_from_name(v);
      if (f < 0) return fprintf(stderr, "rbk: unknown format '%s' (text, json, dot, mermaid)\n", v), RBK_EXIT_USAGE;
      a->format = (plan_format)f;
      break;
    }
    case CLI_OPERAND:
      if (a->file) return fprintf(stderr, "rbk: plan takes one file ('%s' and '%s')\n", a->file, v), RBK_EXIT_USAGE;
      a->file = v;
      break;
  }
  return CLI_GO_ON;
}

/* Parses the command line into *a; returns CLI_GO_ON, else the exit code. */
static int parse_args(int argc, char **argv, plan_args *a) {
  a->assigns = calloc((size_t)argc + 1, sizeof *a->assigns);
  if (!a->assigns) return RBK_EXIT_USAGE;
  int code = cli_opts_parse(&cli_plan_spec, argc, argv, take_arg, a);
  if (code != CLI_GO_ON) return code;
  if (!a->file) return cli_opts_usage_error(&cli_plan_spec);
  if (a->mutating && (a->format == PLAN_FMT_DOT || a->format == PLAN_FMT_MERMAID)) {
    fputs("rbk: --mutating works with the text and json formats\n", stderr);
    return RBK_EXIT_USAGE;
  }
  if (a->diff && (a->mutating || a->verbose || a->format == PLAN_FMT_JSON || a->format == PLAN_FMT_DOT)) {
    fputs("rbk: --diff works with the text and mermaid formats, without --mutating and --verbose\n", stderr);
    return RBK_EXIT_USAGE;
  }
  if (a->live && (a->diff || a->mutating || a->verbose || a->format != PLAN_FMT_TEXT)) {
    fputs("rbk: --live prints text, without --diff, --mutating, --verbose or --format\n", stderr);
    return RBK_EXIT_USAGE;
  }
  if (!a->live && (a->kubeconfig || a->context)) {
    fputs("rbk: --kubeconfig and --context go with --live\n", stderr);
    return RBK_EXIT_USAGE;
  }
  return CLI_GO_ON;
}

/* Prints the graph in the chosen format on stdout. */
static void render(const plan_graph *g, const plan_args *a) {
  if (a->format == PLAN_FMT_JSON) {
    json_t *j = plan_to_json(g, a->mutating);
    if (j) json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(j);
  } else if (a->format == PLAN_FMT_DOT) {
    plan_write_dot(g, stdout);
  } else if (a->format == PLAN_FMT_MERMAID) {
    plan_write_mermaid(g, stdout);
  } else {
    plan_write_text(g, a->mutating, a->verbose, out_color_on(STDOUT_FILENO), stdout);
  }
}

/* Warns on stderr when the worst case can exceed the deadline. */
static void deadline_warning(const plan_graph *g) {
  const plan_critical *c = &g->critical;
  if (!c->exceeds) return;
  char w[32], d[32];
  plan_duration_text(c->deadline_ms, d, sizeof d);
  if (c->worst_ms == PLAN_UNBOUNDED && c->nunbounded) { /* "file:line:col: why": one warning at each place */
    for (size_t i = 0; i < c->nunbounded; i++) {
      const char *why = strstr(c->unbounded[i], ": ");
      if (why)
        fprintf(stderr, "%.*s: warning: the worst case is unbounded and can exceed the deadline (%s): %s\n",
                (int)(why - c->unbounded[i]), c->unbounded[i], d, why + 2);
      else
        fprintf(stderr, "warning: the worst case is unbounded and can exceed the deadline (%s): %s\n", d,
                c->unbounded[i]);
    }
    return;
  }
  fprintf(stderr, "warning: the worst case (%s) can exceed the deadline (%s)\n",
          plan_duration_text(c->worst_ms, w, sizeof w), d);
}

/* Returns true when the main file of prog declares a param named like the "name=value" assignment. */
static bool declares(const ast_file *f, const char *assign) {
  size_t len = strcspn(assign, "=");
  for (size_t i = 0; i < f->stmts.len; i++) {
    const ast_node *st = f->stmts.items[i];
    if (st->kind == AST_PARAM && strlen(st->u.param.name) == len && !strncmp(st->u.param.name, assign, len)) return true;
  }
  return false;
}

/* Binds params (with `only_declared`, the assignments of undeclared names are left out) and builds the
 * graph; returns it, or NULL after printing why. Warnings go to stderr. */
plan_graph *cli_plan_build(const rbk_program *prog, char **assigns, size_t nassigns, bool only_declared) {
  param_set params = {0};
  char *err = NULL;
  const ast_file *main_file = prog->len ? prog->units[0].ast : NULL;
  char **kept = calloc(nassigns + 1, sizeof *kept);
  size_t nkept = 0;
  for (size_t i = 0; kept && main_file && i < nassigns; i++)
    if (!only_declared || declares(main_file, assigns[i])) kept[nkept++] = assigns[i];
  bool bound = kept && main_file && params_bind(main_file, kept, nkept, true, plan_eval_const, (void *)prog, &params, &err);
  free(kept);
  if (!bound) {
    fprintf(stderr, "rbk: %s\n", err ? err : "the plan could not be read");
    free(err);
    params_free(&params);
    return NULL;
  }
  diag_list diags = {0};
  plan_graph *g = plan_build(prog, &params, &diags, &err);
  diag_sort(&diags);
  diag_print(&diags, stderr, out_color_on(STDERR_FILENO));
  diag_free(&diags);
  params_free(&params);
  if (!g) {
    fprintf(stderr, "rbk: %s\n", err ? err : "out of memory");
    free(err);
  }
  return g;
}

/* Binds params, builds and prints the graph; returns the exit code. */
static int plan_program(const rbk_program *prog, const plan_args *a) {
  plan_graph *g = cli_plan_build(prog, a->assigns, a->nassigns, false);
  if (!g) return RBK_EXIT_USAGE;
  render(g, a);
  fflush(stdout);
  deadline_warning(g);
  plan_free(g);
  return RBK_EXIT_OK;
}

/* rbk plan: prints the dry-run action graph (text, json, dot, mermaid); returns the exit code. */
int cli_plan(int argc, char **argv) {
  plan_args a = {0};
  int code = parse_args(argc, argv, &a);
  if (code == CLI_GO_ON && a.live && (code = cli_full()) == CLI_GO_ON) {
    cli_plan_live_opts lo = {a.file, a.assigns, a.nassigns, a.kubeconfig, a.context};
    code = cli_plan_live(&lo);
  } else if (code == CLI_GO_ON && a.diff) {
    code = cli_plan_diff(a.diff, a.file, a.assigns, a.nassigns, a.format);
  } else if (code == CLI_GO_ON) {
    rbk_program *prog = cli_load_checked(a.file, NULL);
    code = prog ? plan_program(prog, &a) : RBK_EXIT_USAGE;
    program_free(prog);
  }
  free(a.assigns);
  return code;
}
