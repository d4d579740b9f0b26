/* cli_run.c — `rbk run FILE [-p name=value]... [--yes] [--approve TEXT]... [--output text|json]
 * [--operator NAME] [--run-id ID] [--script FILE] [--virtual] [--epoch MS]`: check, bind params,
 * build the dry-run graph (for node ids), execute with the engine, print the event stream.
 *
 * --script answers actions from a JSON script (actions_script.h) and --virtual runs on a virtual
 * clock: together they make the deterministic runs the engine's tests use. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions_script.h"
#include "check.h"
#include "cli.h"
#include "engine.h"
#include "plan.h"

typedef struct {
  const char *file, *output, *operator_name, *run_id, *script;
  char **assigns;          /* "name=value", borrowed from argv */
  size_t nassigns;
  const char **approve;    /* NULL-terminated */
  size_t napprove;
  bool yes, virt, details;
  int64_t epoch;
} run_args;

/* The engine that SIGINT cancels (a signal handler has no other way to reach it). */
static engine *volatile running;

/* SIGINT: cancel the run; a second one stops it at once. */
static void on_sigint(int sig) {
  (void)sig;
  if (running) engine_cancel(running, "interrupted (SIGINT)");
}

/* Prints the usage; returns code. */
static int run_usage(FILE *out, int code) {
  fputs("usage: rbk run FILE [-p name=value]... [--yes] [--approve TEXT]... [--output text|json]\n"
        "                [--operator NAME] [--run-id ID] [--script FILE] [--virtual] [--epoch MS]\n\n"
        "Executes a plan and prints its events.\n\n"
        "  -p, --param name=value  set a param (parsed by its declared type)\n"
        "  --yes                   grant every approval\n"
        "  --approve TEXT          grant the approval whose question or slug is TEXT (repeatable)\n"
        "  --output text|json      events as text lines (default) or JSON lines\n"
        "  --details               JSON lines with the journal's details (keys, args, results)\n"
        "  --operator NAME         who runs it (run.operator; default $USER)\n"
        "  --run-id ID             the run's id (run.id)\n"
        "  --script FILE           answer actions from a JSON script (tests; see docs/engine.md)\n"
        "  --virtual               run on a virtual clock (waits take no time)\n"
        "  --epoch MS              the virtual clock's start, ms since 1970 (default 2025-01-01)\n",
        out);
  return code;
}

/* Returns true when arg is option name alone or as name=…. */
static bool is_opt(const char *arg, const char *name) {
  size_t n = strlen(name);
  return !strncmp(arg, name, n) && (arg[n] == '\0' || arg[n] == '=');
}

/* Returns the option's value (`--x v` or `--x=v`), advancing *i; NULL after a message. */
static const char *opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (*i + 1 < argc) return argv[++*i];
  fprintf(stderr, "rbk: %s needs a value\n", name);
  return NULL;
}

/* Parses one option with a value; returns false on a usage error. */
static bool value_opt(int argc, char **argv, int *i, run_args *a) {
  static const char *const names[] = {"-p", "--param", "--approve", "--output", "--operator", "--run-id",
                                      "--script", "--epoch", NULL};
  for (size_t k = 0; names[k]; k++) {
    if (!is_opt(argv[*i], names[k])) continue;
    const char *v = opt_value(argc, argv, i, names[k]);
    if (!v) return false;
    if (k < 2) a->assigns[a->nassigns++] = (char *)v;
    else if (k == 2) a->approve[a->napprove++] = v;
    else if (k == 3) a->output = v;
    else if (k == 4) a->operator_name = v;
    else if (k == 5) a->run_id = v;
    else if (k == 6) a->script = v;
    else a->epoch = strtoll(v, NULL, 10);
    return true;
  }
  fprintf(stderr, "rbk: unknown option '%s'\n", argv[*i]);
  return false;
}

/* Parses the command line; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, run_args *a) {
  a->assigns = calloc((size_t)argc + 1, sizeof *a->assigns);
  a->approve = calloc((size_t)argc + 1, sizeof *a->approve);
  if (!a->assigns || !a->approve) return RBK_EXIT_USAGE;
  a->output = "text";
  a->epoch = CLOCK_VIRTUAL_EPOCH_MS;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) return run_usage(stdout, RBK_EXIT_OK);
    if (!strcmp(arg, "--yes")) a->yes = true;
    else if (!strcmp(arg, "--virtual")) a->virt = true;
    else if (!strcmp(arg, "--details")) a->details = true;
    else if (arg[0] == '-' && arg[1]) {
      if (!value_opt(argc, argv, &i, a)) return run_usage(stderr, RBK_EXIT_USAGE);
    } else if (a->file) {
      fprintf(stderr, "rbk: run takes one file ('%s' and '%s')\n", a->file, arg);
      return RBK_EXIT_USAGE;
    } else {
      a->file = arg;
    }
  }
  if (!a->file) return run_usage(stderr, RBK_EXIT_USAGE);
  if (strcmp(a->output, "text") && strcmp(a->output, "json")) {
    fprintf(stderr, "rbk: unknown output '%s' (text, json)\n", a->output);
    return RBK_EXIT_USAGE;
  }
  return -1;
}

/* Writes one event as a JSON line or a text line. */
static int print_event(void *user, const rbk_event *ev, char **err) {
  const run_args *a = user;
  (void)err;
  if (!strcmp(a->output, "json")) {
    char *line = event_to_line(ev, a->details);
    if (line) printf("%s\n", line);
    free(line);
  } else {
    const char *st = event_status_name(ev->status);
    printf("[%7lld.%03llds] %-12s", (long long)(ev->t_ms / 1000), (long long)(ev->t_ms % 1000), event_kind_name(ev->kind));
    if (ev->step) printf(" %s:", ev->step);
    if (ev->action) printf(" %s%s", ev->mutating ? "✎" : "", ev->action);
    if (ev->target) printf(" %s", ev->target);
    if (st) printf(" [%s]", st);
    if (ev->message) printf(" %s", ev->message);
    putchar('\n');
  }
  fflush(stdout);
  return 0;
}

/* engine_node_fn over the dry-run graph. */
static const char *node_id(void *user, const ast_node *node, const char *ctx) {
  return user ? plan_node_id(user, node, ctx) : NULL;
}

/* Loads and checks the plan; NULL after printing the errors. */
static rbk_program *load_checked(const char *file) {
  diag_list diags = {0};
  rbk_program *prog = program_load(file, &diags);
  if (prog && !diags.errors) check_program(prog, &diags);
  if (!prog || diags.errors) {
    diag_sort(&diags);
    diag_print(&diags, stderr, isatty(STDERR_FILENO) && !getenv("NO_COLOR"));
    diag_free(&diags);
    program_free(prog);
    return NULL;
  }
  diag_free(&diags);
  return prog;
}

/* Runs the engine with everything prepared; returns the exit code. */
static int execute(const rbk_program *prog, const param_set *params, const plan_graph *g, rbk_actions *act,
                   run_args *a) {
  rbk_clock *clock = a->virt ? clock_virtual(a->epoch) : clock_real();
  engine_config cfg = {.params = params, .clock = clock, .actions = act, .sink = {a, print_event}, .yes = a->yes,
                       .approve = a->approve, .node_id = node_id, .node_user = (void *)g,
                       .operator_name = a->operator_name ? a->operator_name : getenv("USER"),
                       .run_id = a->run_id};
  char *err = NULL;
  engine *e = clock ? engine_new(prog, &cfg, &err) : NULL;
  if (!e) {
    fprintf(stderr, "rbk: %s\n", err ? err : "out of memory");
    free(err);
    clock_free(clock);
    return RBK_EXIT_USAGE;
  }
  running = e;
  struct sigaction sa = {.sa_handler = on_sigint}, old;
  sigaction(SIGINT, &sa, &old);
  int code = engine_run(e);
  sigaction(SIGINT, &old, NULL);
  running = NULL;
  if (engine_error(e)) fprintf(stderr, "rbk: %s\n", engine_error(e));
  engine_free(e);
  clock_free(clock);
  return code;
}

/* Binds params, builds the graph, makes the transport and runs. */
static int run_program(const rbk_program *prog, run_args *a) {
  param_set params = {0};
  char *err = NULL;
  if (!params_bind(prog->units[0].ast, a->assigns, a->nassigns, true, NULL, NULL, &params, &err)) {
    fprintf(stderr, "rbk: %s\n", err ? err : "out of memory");
    free(err);
    return RBK_EXIT_USAGE;
  }
  rbk_actions *act = a->script ? actions_script_load(a->script, &err) : NULL;
  if (!act) {
    fprintf(stderr, "rbk: %s\n", err ? err : "no transport yet: pass --script FILE");
    free(err);
    params_free(&params);
    return RBK_EXIT_USAGE;
  }
  diag_list diags = {0};
  plan_graph *g = plan_build(prog, &params, &diags, &err);
  diag_free(&diags);
  free(err);
  int code = execute(prog, &params, g, act, a);
  plan_free(g);
  act->free(act->self);
  params_free(&params);
  return code;
}

/* Entry point of `rbk run`. */
int cli_run(int argc, char **argv) {
  run_args a = {0};
  int code = parse_args(argc, argv, &a);
  if (code < 0) {
    rbk_program *prog = load_checked(a.file);
    code = prog ? run_program(prog, &a) : RBK_EXIT_USAGE;
    program_free(prog);
  }
  free(a.assigns);
  free(a.approve);
  return code;
}
