/* cli_run.c — `rbk run FILE [options]` and the options that `rbk resume` shares (see cli_run.h).
 *
 * --script answers actions from a JSON script (actions_script.h) and --virtual runs on a virtual
 * clock: together they make the deterministic runs the engine's and the shell's tests use. In
 * that test mode a journal is written only when --journal is given. */
#include "cli_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"

/* Prints the usage of run (or resume); returns code. */
static int run_usage(FILE *out, bool resume, int code) {
  fputs(resume ? "usage: rbk resume JOURNAL [--force] [options of rbk run except -p]\n\n"
                 "Continues an interrupted run: completed steps are skipped, mutating actions that\n"
                 "started are re-checked before they are repeated, records are appended to JOURNAL.\n\n"
               : "usage: rbk run FILE [-p name=value]... [--yes] [--approve TEXT]... [--journal PATH]\n"
                 "               [--output text|json] [--operator NAME] [options]\n\n"
                 "Executes a plan, shows its progress and writes its journal.\n\n",
        out);
  fputs("  -p, --param name=value  set a param (parsed by its declared type)\n"
        "  --yes                   grant every approval\n"
        "  --approve TEXT          grant the approval whose question or slug is TEXT (repeatable)\n"
        "  --no-prompt             never ask approvals on the terminal\n"
        "  --ignore-deadline       let the run go on past the runbook's deadline\n"
        "  --secret NAME=VALUE     the value of secret(\"NAME\"); NAME=@FILE reads it from FILE\n"
        "  --journal PATH          journal directory, or a file (.jsonl) (default .rbk/runs/)\n"
        "  --output text|json      progress as text (live on a terminal) or JSON lines\n"
        "  --details               JSON lines with the journal's details (keys, args, results)\n"
        "  --operator NAME         who runs it (run.operator; default $USER)\n"
        "  --run-id ID             the run's id (default: UTC time and a random suffix)\n"
        "  --kubeconfig FILE       the kubeconfig (default: KUBECONFIG, ~/.kube/config, in-cluster)\n"
        "  --context NAME          the kubeconfig context (default: its current-context)\n"
        "  --steal-lock            take over the run lock when its holder let it expire\n"
        "  --no-lock               run without the run lock (Lease rbk-<runbook id>)\n"
        "  --script FILE           answer actions from a JSON script (tests; see docs/engine.md)\n"
        "  --call-log FILE         append every action call to FILE as it starts (tests)\n"
        "  --virtual               run on a virtual clock (waits take no time)\n"
        "  --epoch MS              the virtual clock's start, ms since 1970 (default 2025-01-01)\n"
        "  --force                 resume: run even though the plan changed\n"
        "\nExit codes: 0 success, 1 the plan failed, 2 usage or plan errors (nothing ran),\n"
        "3 aborted (SIGINT/SIGTERM, approval denied or timed out). See docs/cli.md.\n",
        out);
  return code;
}

/* The options that take a value, once: X(ENUM_SUFFIX, "name"). */
#define RUN_VALUE_OPTS(X)                                                                            \
  X(P, "-p") X(PARAM, "--param") X(APPROVE, "--approve") X(OUTPUT, "--output") X(OPERATOR, "--operator") \
  X(RUN_ID, "--run-id") X(SCRIPT, "--script") X(EPOCH, "--epoch") X(JOURNAL, "--journal")              \
  X(SECRET, "--secret") X(CALL_LOG, "--call-log") X(KUBECONFIG, "--kubeconfig") X(CONTEXT, "--context")

enum {
#define X(k, name) OPT_##k,
  RUN_VALUE_OPTS(X)
#undef X
  OPT_COUNT
};

static const char *const value_opt_names[] = {
#define X(k, name) name,
    RUN_VALUE_OPTS(X)
#undef X
};

/* Stores value v of option k; returns -1, or the exit code of a usage error. */
static int store_value(run_opts *o, int k, const char *v, bool resume) {
  char *end;
  switch (k) {
    case OPT_P:
    case OPT_PARAM:
      if (resume) return cli_usage_error("resume reuses the params of the journal; -p is not accepted", NULL);
      o->assigns[o->nassigns++] = (char *)v;
      return -1;
    case OPT_APPROVE: o->approve[o->napprove++] = v; return -1;
    case OPT_OUTPUT: o->output = v; return -1;
    case OPT_OPERATOR: o->operator_name = v; return -1;
    case OPT_RUN_ID: o->run_id = v; return -1;
    case OPT_SCRIPT: o->script = v; return -1;
    case OPT_JOURNAL: o->journal = v; return -1;
    case OPT_CALL_LOG: o->call_log = v; return -1;
    case OPT_KUBECONFIG: o->kubeconfig = v; return -1;
    case OPT_CONTEXT: o->context = v; return -1;
    case OPT_SECRET: return cli_add_secret(v, o->secret_names, o->secret_values, &o->nsecrets);
    case OPT_EPOCH:
      o->epoch = strtoll(v, &end, 10);
      return *v && !*end ? -1 : cli_usage_error("--epoch expects milliseconds since 1970, got", v);
  }
  return -1;
}

/* Parses one option with a value at argv[*i]; returns -1, or an exit code. */
static int value_opt(int argc, char **argv, int *i, run_opts *o, bool resume) {
  const char *v;
  int k = cli_value_opt(argc, argv, i, value_opt_names, OPT_COUNT, &v);
  return k < 0 ? RBK_EXIT_USAGE : store_value(o, k, v, resume);
}

/* Parses a flag without value; returns true when arg was one. */
static bool flag_opt(const char *arg, run_opts *o, bool resume) {
  bool *flag = !strcmp(arg, "--yes")         ? &o->yes
               : !strcmp(arg, "--virtual")   ? &o->virt
               : !strcmp(arg, "--details")   ? &o->details
               : !strcmp(arg, "--no-prompt") ? &o->no_prompt
               : !strcmp(arg, "--steal-lock") ? &o->steal_lock
               : !strcmp(arg, "--no-lock")   ? &o->no_lock
               : !strcmp(arg, "--ignore-deadline") ? &o->ignore_deadline
               : !strcmp(arg, "--force") && resume ? &o->force
                                                   : NULL;
  if (flag) *flag = true;
  return flag != NULL;
}

/* Allocates the option arrays; returns false when out of memory. */
static bool alloc_opts(run_opts *o, int argc) {
  size_t n = (size_t)argc + 1;
  o->assigns = calloc(n, sizeof *o->assigns);
  o->approve = calloc(n, sizeof *o->approve);
  o->secret_names = calloc(n, sizeof *o->secret_names);
  o->secret_values = calloc(n, sizeof *o->secret_values);
  o->output = "text";
  o->epoch = CLOCK_VIRTUAL_EPOCH_MS;
  return o->assigns && o->approve && o->secret_names && o->secret_values;
}

/* Parses the options (see cli_run.h); returns -1 to go on, else the exit code. */
int run_opts_parse(int argc, char **argv, bool resume, run_opts *o) {
  *o = (run_opts){0};
  if (!alloc_opts(o, argc)) return cli_usage_error("out of memory", NULL);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    int code = -1;
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) return run_usage(stdout, resume, RBK_EXIT_OK);
    if (flag_opt(arg, o, resume)) continue;
    if (arg[0] == '-' && arg[1]) code = value_opt(argc, argv, &i, o, resume);
    else if (o->file) code = cli_usage_error(resume ? "resume takes one journal; extra argument" : "run takes one plan; extra argument", arg);
    else o->file = arg;
    if (code >= 0) return code;
  }
  if (!o->file) return cli_usage_error(resume ? "resume needs a JOURNAL (see rbk resume --help)" : "run needs a plan FILE (see rbk run --help)", NULL);
  if (strcmp(o->output, "text") && strcmp(o->output, "json")) return cli_usage_error("--output must be text or json, not", o->output);
  if (o->virt && !o->script) return cli_usage_error("--virtual needs --script: a real cluster runs in real time", NULL);
  return -1;
}

/* Frees the options' arrays and secret values. */
void run_opts_free(run_opts *o) {
  for (size_t i = 0; i < o->nsecrets; i++) {
    free(o->secret_names[i]);
    free(o->secret_values[i]);
  }
  free(o->secret_names);
  free(o->secret_values);
  free(o->assigns);
  free(o->approve);
  *o = (run_opts){0};
}

/* Entry point of `rbk run`. */
int cli_run(int argc, char **argv) {
  run_opts o;
  int code = run_opts_parse(argc, argv, false, &o);
  if (code < 0) code = run_plan(&o, NULL, NULL);
  run_opts_free(&o);
  return code;
}
