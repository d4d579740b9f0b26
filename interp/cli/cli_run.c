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
#include "http.h"

/* The options of `rbk run`, once: X(ID, long name, short name, value, help). `rbk resume` has
 * them all but -p, and --force. */
#define RUN_PARAM_OPT(X) X(RUN_PARAM, "param", 'p', "name=value", "set a param (parsed by its declared type; repeatable)")
#define RUN_FORCE_OPT(X) X(RUN_FORCE, "force", 0, NULL, "run even though the plan changed since the journal was written")
#define RUN_SHARED_OPTS(X)                                                                                          \
  X(RUN_YES, "yes", 0, NULL, "grant every approval")                                                                \
  X(RUN_APPROVE, "approve", 0, "TEXT", "grant the approval whose question or slug is TEXT (repeatable)")            \
  X(RUN_NO_PROMPT, "no-prompt", 0, NULL, "never ask approvals on the terminal")                                     \
  X(RUN_IGNORE_DEADLINE, "ignore-deadline", 0, NULL, "let the run go on past the runbook's deadline")              \
  X(RUN_SECRET, "secret", 0, "NAME=VALUE", "the value of secret(\"NAME\"); NAME=@FILE reads it from FILE (repeatable)") \
  X(RUN_JOURNAL, "journal", 0, "PATH", "journal directory, or a file (.jsonl) (default .rbk/runs/)")                 \
  X(RUN_OUTPUT, "output", 0, "text|json", "progress as text (live on a terminal) or JSON lines")                    \
  X(RUN_DETAILS, "details", 0, NULL, "JSON lines with the journal's details (keys, args, results)")                 \
  X(RUN_OPERATOR, "operator", 0, "NAME", "who runs it (run.operator; default $USER)")                              \
  X(RUN_RUN_ID, "run-id", 0, "ID", "the run's id (default: UTC time and a random suffix)")                          \
  X(RUN_KUBECONFIG, "kubeconfig", 0, "FILE", "the kubeconfig (default: KUBECONFIG, ~/.kube/config, in-cluster)")   \
  X(RUN_CONTEXT, "context", 0, "NAME", "the kubeconfig context (default: its current-context)")                    \
  X(RUN_MAX_RESPONSE, "max-response", 0, "SIZE", "the largest answer an action accepts (default 16MiB; e.g. 64MiB)") \
  X(RUN_STEAL_LOCK, "steal-lock", 0, NULL, "take over the run lock when its holder let it expire")                  \
  X(RUN_NO_LOCK, "no-lock", 0, NULL, "run without the run lock (Lease rbk-<runbook id>)")                            \
  X(RUN_SCRIPT, "script", 0, "FILE", "answer actions from a JSON script (tests; see docs/engine.md)")               \
  X(RUN_CALL_LOG, "call-log", 0, "FILE", "append every action call to FILE as it starts (tests)")                  \
  X(RUN_VIRTUAL, "virtual", 0, NULL, "run on a virtual clock (waits take no time; needs --script)")                 \
  X(RUN_EPOCH, "epoch", 0, "MS", "the virtual clock's start, ms since 1970 (default 2025-01-01)")

enum { RUN_PARAM_OPT(CLI_OPTS_ENUM) RUN_FORCE_OPT(CLI_OPTS_ENUM) RUN_SHARED_OPTS(CLI_OPTS_ENUM) };
static const cli_opt run_opts_table[] = {RUN_PARAM_OPT(CLI_OPTS_ROW) RUN_SHARED_OPTS(CLI_OPTS_ROW)};
static const cli_opt resume_opts_table[] = {RUN_FORCE_OPT(CLI_OPTS_ROW) RUN_SHARED_OPTS(CLI_OPTS_ROW)};
static const cli_opt resume_refused[] = {
    {RUN_PARAM, "param", 'p', "name=value", "resume reuses the params of the journal; -p is not accepted"}};

#define RUN_EXIT_CODES                                                                 \
  "Exit codes: 0 success, 1 the plan failed, 2 usage or plan errors (nothing ran),\n" \
  "3 aborted (SIGINT/SIGTERM, approval denied or timed out). See docs/cli.md."

const cli_opts_spec cli_run_spec = {
    .name = "run",
    .operands = "FILE",
    .about = "Executes a plan, shows its progress and writes its journal (docs/run.md).",
    .footer = RUN_EXIT_CODES,
    .opts = run_opts_table,
    .nopts = sizeof run_opts_table / sizeof *run_opts_table,
};

const cli_opts_spec cli_resume_spec = {
    .name = "resume",
    .operands = "JOURNAL",
    .about = "Continues an interrupted run: completed steps are skipped, mutating actions that\n"
             "started are re-checked before they are repeated, records are appended to JOURNAL.\n"
             "The options are those of rbk run, without -p (the params come from the journal).",
    .footer = RUN_EXIT_CODES,
    .opts = resume_opts_table,
    .nopts = sizeof resume_opts_table / sizeof *resume_opts_table,
    .refused = resume_refused,
    .nrefused = sizeof resume_refused / sizeof *resume_refused,
};

/* What the callback of cli_run_opts_parse works on. */
typedef struct {
  run_opts *o;
  bool resume;
} run_parse;

/* Takes one option or the positional argument (cli_opts_take); returns CLI_GO_ON or the exit
 * code of a usage error. */
static int take_arg(void *ctx, int id, const char *v) {
  run_opts *o = ((run_parse *)ctx)->o;
  bool resume = ((run_parse *)ctx)->resume;
  char *end;
  switch (id) {
    case CLI_OPERAND:
      if (o->file) return cli_usage_error(resume ? "resume takes one journal; extra argument" : "run takes one plan; extra argument", v);
      o->file = v;
      return CLI_GO_ON;
    case RUN_PARAM: o->assigns[o->nassigns++] = (char *)v; return CLI_GO_ON;
    case RUN_FORCE: o->force = true; return CLI_GO_ON;
    case RUN_YES: o->yes = true; return CLI_GO_ON;
    case RUN_APPROVE: o->approve[o->napprove++] = v; return CLI_GO_ON;
    case RUN_NO_PROMPT: o->no_prompt = true; return CLI_GO_ON;
    case RUN_IGNORE_DEADLINE: o->ignore_deadline = true; return CLI_GO_ON;
    case RUN_SECRET: return cli_add_secret(v, o->secret_names, o->secret_values, &o->nsecrets);
    case RUN_JOURNAL: o->journal = v; return CLI_GO_ON;
    case RUN_OUTPUT: o->output = v; return CLI_GO_ON;
    case RUN_DETAILS: o->details = true; return CLI_GO_ON;
    case RUN_OPERATOR: o->operator_name = v; return CLI_GO_ON;
    case RUN_RUN_ID: o->run_id = v; return CLI_GO_ON;
    case RUN_KUBECONFIG: o->kubeconfig = v; return CLI_GO_ON;
    case RUN_CONTEXT: o->context = v; return CLI_GO_ON;
    case RUN_MAX_RESPONSE:
      return http_parse_size(v, &o->max_response) ? CLI_GO_ON
                                                  : cli_usage_error("--max-response expects a size such as 16MiB or 1048576, got", v);
    case RUN_STEAL_LOCK: o->steal_lock = true; return CLI_GO_ON;
    case RUN_NO_LOCK: o->no_lock = true; return CLI_GO_ON;
    case RUN_SCRIPT: o->script = v; return CLI_GO_ON;
    case RUN_CALL_LOG: o->call_log = v; return CLI_GO_ON;
    case RUN_VIRTUAL: o->virt = true; return CLI_GO_ON;
    case RUN_EPOCH:
      o->epoch = strtoll(v, &end, 10);
      return *v && !*end ? CLI_GO_ON : cli_usage_error("--epoch expects milliseconds since 1970, got", v);
  }
  return CLI_GO_ON;
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
int cli_run_opts_parse(int argc, char **argv, bool resume, run_opts *o) {
  *o = (run_opts){0};
  if (!alloc_opts(o, argc)) return cli_usage_error("out of memory", NULL);
  run_parse p = {o, resume};
  int code = cli_opts_parse(resume ? &cli_resume_spec : &cli_run_spec, argc, argv, take_arg, &p);
  if (code != CLI_GO_ON) return code;
  if (!o->file) return cli_usage_error(resume ? "resume needs a JOURNAL (see rbk resume --help)" : "run needs a plan FILE (see rbk run --help)", NULL);
  if (strcmp(o->output, "text") && strcmp(o->output, "json")) return cli_usage_error("--output must be text or json, not", o->output);
  if (o->virt && !o->script) return cli_usage_error("--virtual needs --script: a real cluster runs in real time", NULL);
  return -1;
}

/* Frees the options' arrays and secret values. */
void cli_run_opts_free(run_opts *o) {
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
  int code = cli_run_opts_parse(argc, argv, false, &o);
  if (code < 0) code = cli_run_plan(&o, NULL, NULL);
  cli_run_opts_free(&o);
  return code;
}
