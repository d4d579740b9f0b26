/* cli_test.c — `rbk test FILE|DIR... [options]`: rehearse plans against the simulated plant in
 * virtual time (docs/rehearsal.md).
 *
 * One rehearsal — when one FILE is given with any of --scenario, -p, --seed, --yes, --approve,
 * --secret, --stubs or --max-response, or when the plan has no sidecar file — prints the run as `rbk run` does
 * (text or JSON lines) and then the simulated world; its exit code is the run's. Otherwise every
 * case of every plan's sidecar is rehearsed and judged (rehearse_suite.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dirwalk.h"
#include "http.h"
#include "out.h"
#include "rehearse.h"
#include "rehearse_case.h"
#include "rehearse_suite.h"
#include "scrub.h"

/* The options, once: X(ID, long name, short name, value, help). */
#define TEST_OPTS(X)                                                                                           \
  X(TEST_SCENARIO, "scenario", 0, "NAME|FILE", "a built-in scenario (rbk sim --list-scenarios) or a JSON file (default bad-release)") \
  X(TEST_PARAM, "param", 'p', "name=value", "set a param (parsed by its declared type; repeatable)")            \
  X(TEST_SEED, "seed", 0, "N", "the simulator's seed (default: the scenario's, else 1)")                        \
  X(TEST_OUTPUT, "output", 0, "text|json", "text lines (default) or JSON lines, the world last; cases: one object each") \
  X(TEST_YES, "yes", 0, NULL, "grant every approval")                                                           \
  X(TEST_APPROVE, "approve", 0, "TEXT", "grant the approval whose question or slug is TEXT (repeatable)")       \
  X(TEST_SECRET, "secret", 0, "NAME=VALUE", "the value of secret(\"NAME\") (NAME=@FILE reads it), before the scenario's") \
  X(TEST_STUBS, "stubs", 0, "FILE", "JSON list of process stubs answering run() (docs/actions.md)")             \
  X(TEST_MAX_RESPONSE, "max-response", 0, "SIZE", "the largest answer an action accepts (default 16MiB)")        \
  X(TEST_CASE, "case", 0, "GLOB", "only the sidecar cases whose name matches")                                 \
  X(TEST_VERBOSE, "verbose", 'v', NULL, "show every case's output and final world")                              \
  X(TEST_IGNORE_DEADLINE, "ignore-deadline", 0, NULL, "let runs go on past the runbook's deadline (every case too)") \
  X(TEST_MAX_VIRTUAL_TIME, "max-virtual-time", 0, "DURATION", "stop a rehearsal (exit 1) past this virtual time (default: twice the deadline, else 24h)") \
  X(TEST_JOBS, "jobs", 'j', "N", "rehearse N cases at once (default: the CPUs, at most 8)")                   \
  X(TEST_REQUEST_LOG, "request-log", 0, "FILE", "write every request the simulated API server answers to FILE (as rbk sim --request-log)")

enum { TEST_OPTS(CLI_OPTS_ENUM) };
static const cli_opt test_opts[] = {TEST_OPTS(CLI_OPTS_ROW)};

const cli_opts_spec cli_test_spec = {
    .name = "test",
    .operands = "FILE|DIR...",
    .about = "Rehearses plans against the simulated cluster and plant in virtual time.\n\n"
             "One plan with --scenario, -p, --seed, --yes, --approve, --secret, --stubs or\n"
             "--max-response (or a plan without a sidecar file): one rehearsal, shown as `rbk run`\n"
             "shows a run, then the simulated world. Otherwise: every case of each plan's sidecar\n"
             "PLAN.test.json (a directory: every *.rbk file below it), pass/fail per case and\n"
             "\"N passed, M failed\" (docs/rehearsal.md).",
    .footer = "Exit codes: one rehearsal: as rbk run (0, 1, 3; 2 usage or plan errors). Cases: 0 all\n"
              "passed, 1 one failed, 2 usage errors or no case ran.",
    .opts = test_opts,
    .nopts = sizeof test_opts / sizeof *test_opts,
};

typedef struct {
  char **paths;          /* FILE|DIR arguments (borrowed from argv) */
  size_t npaths;
  char **assigns;        /* -p (borrowed) */
  size_t nassigns;
  const char **approve;  /* NULL-terminated (borrowed) */
  size_t napprove;
  char **secret_names, **secret_values; /* owned */
  size_t nsecrets;
  const char *scenario, *output, *case_glob, *stubs_file, *request_log;
  size_t max_response;   /* --max-response in bytes; 0: the default */
  bool yes, verbose, has_seed, single; /* single: an option that describes one rehearsal */
  bool ignore_deadline;
  int64_t max_virtual_ms; /* --max-virtual-time; 0: the default */
  uint64_t seed;
  int jobs;              /* -j: cases at once; 0 → the number of CPUs (at most 8) */
} test_args;

/* Takes one option or path (cli_opts_take); returns CLI_GO_ON or the usage exit code. */
static int take_arg(void *ctx, int id, const char *v) {
  test_args *a = ctx;
  char *end;
  a->single = a->single || (id != CLI_OPERAND && id != TEST_OUTPUT && id != TEST_CASE && id != TEST_JOBS &&
                            id != TEST_VERBOSE && id != TEST_IGNORE_DEADLINE && id != TEST_MAX_VIRTUAL_TIME);
  switch (id) {
    case CLI_OPERAND: a->paths[a->npaths++] = (char *)v; break;
    case TEST_PARAM: a->assigns[a->nassigns++] = (char *)v; break;
    case TEST_SCENARIO: a->scenario = v; break;
    case TEST_OUTPUT: a->output = v; break;
    case TEST_YES: a->yes = true; break;
    case TEST_APPROVE: a->approve[a->napprove++] = v; break;
    case TEST_SECRET: return cli_add_secret(v, a->secret_names, a->secret_values, &a->nsecrets);
    case TEST_CASE: a->case_glob = v; break;
    case TEST_STUBS: a->stubs_file = v; break;
    case TEST_REQUEST_LOG: a->request_log = v; break;
    case TEST_MAX_RESPONSE:
      return http_parse_size(v, &a->max_response) ? CLI_GO_ON
                                                  : cli_usage_error("--max-response expects a size such as 16MiB or 1048576, got", v);
    case TEST_VERBOSE: a->verbose = true; break;
    case TEST_IGNORE_DEADLINE: a->ignore_deadline = true; break;
    case TEST_MAX_VIRTUAL_TIME:
      return rehearse_case_duration(v, &a->max_virtual_ms) && a->max_virtual_ms > 0
                 ? CLI_GO_ON
                 : cli_usage_error("--max-virtual-time expects a duration above 0 such as 2h or 90m, got", v);
    case TEST_JOBS:
      a->jobs = (int)strtol(v, &end, 10);
      return *v && !*end && a->jobs >= 1 && a->jobs <= 64 ? CLI_GO_ON : cli_usage_error("--jobs expects a number from 1 to 64, got", v);
    case TEST_SEED:
      a->has_seed = true;
      return cli_take_seed(v, &a->seed);
  }
  return CLI_GO_ON;
}

/* Parses the command line; returns CLI_GO_ON, else the exit code. */
static int parse_args(int argc, char **argv, test_args *a) {
  size_t n = (size_t)argc + 1;
  a->paths = calloc(n, sizeof *a->paths), a->assigns = calloc(n, sizeof *a->assigns);
  a->approve = calloc(n, sizeof *a->approve);
  a->secret_names = calloc(n, sizeof *a->secret_names), a->secret_values = calloc(n, sizeof *a->secret_values);
  a->output = "text";
  if (!a->paths || !a->assigns || !a->approve || !a->secret_names || !a->secret_values) return cli_usage_error("out of memory", NULL);
  int code = cli_opts_parse(&cli_test_spec, argc, argv, take_arg, a);
  if (code != CLI_GO_ON) return code;
  if (!a->npaths) return cli_usage_error("test needs a plan FILE or a DIR (see rbk test --help)", NULL);
  if (strcmp(a->output, "text") && strcmp(a->output, "json")) return cli_usage_error("--output must be text or json, not", a->output);
  if (a->single && a->npaths > 1) return cli_usage_error("options for one rehearsal take one plan FILE; extra argument", a->paths[1]);
  return CLI_GO_ON;
}

/* Frees what parse_args allocated. */
static void args_free(test_args *a) {
  for (size_t i = 0; i < a->nsecrets; i++) free(a->secret_names[i]), free(a->secret_values[i]);
  free(a->secret_names), free(a->secret_values), free(a->paths), free(a->assigns), free(a->approve);
}

/* Loads --stubs FILE (a JSON list) into *stubs; returns -1 or the usage exit code. */
static int load_stubs(const test_args *a, json_t **stubs) {
  if (!a->stubs_file) return -1;
  json_error_t je;
  *stubs = json_load_file(a->stubs_file, 0, &je);
  if (json_is_array(*stubs)) return -1;
  fprintf(stderr, "rbk: --stubs %s: %s\n", a->stubs_file, *stubs ? "must hold a JSON list" : je.text);
  return RBK_EXIT_USAGE;
}

/* Prints the end of one rehearsal: the world (text or a JSON line) and the error line. */
static void single_end(const test_args *a, const rehearse_result *r, bool json, bool color) {
  if (json && r->world) {
    json_t *j = json_pack("{s:{s:s?, s:I, s:I}, s:O}", "rehearsal", "scenario", r->scenario, "seed", (json_int_t)r->seed,
                          "virtual_ms", (json_int_t)r->elapsed_ms, "world", r->world);
    if (j) json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER), fputc('\n', stdout);
    json_decref(j);
  } else if (r->world) {
    rehearse_world_print(r->world, r, stdout, color);
  }
  fflush(stdout);
  size_t i;
  json_t *lie;
  json_array_foreach(r->lies, i, lie) fprintf(stderr, "rbk: the dry-run lied: %s\n", json_string_value(lie));
  if (r->error && r->exit_code != RBK_EXIT_USAGE) {
    char *shown = scrub_line(r->error); /* a server's echo may quote a secret (scrub.h) */
    fprintf(stderr, "rbk: %s\n", shown ? shown : "out of memory");
    free(shown);
  }
  (void)a;
}

/* Runs one rehearsal of a->paths[0] with the command line's options; returns its exit code. */
static int run_single(const test_args *a) {
  struct stat st;
  if (!stat(a->paths[0], &st) && S_ISDIR(st.st_mode))
    return cli_usage_error("options for one rehearsal take one plan FILE, not a directory:", a->paths[0]);
  json_t *stubs = NULL;
  int code = load_stubs(a, &stubs);
  if (code >= 0) return json_decref(stubs), code;
  FILE *reqlog = a->request_log ? fopen(a->request_log, "w") : NULL;
  if (a->request_log && !reqlog) {
    fprintf(stderr, "rbk: --request-log %s: %s\n", a->request_log, strerror(errno));
    return json_decref(stubs), RBK_EXIT_USAGE;
  }
  bool json = !strcmp(a->output, "json");
  bool color = out_color_on(STDOUT_FILENO);
  out_json oj = {stdout, false};
  out_text ot = {stdout, color, 0};
  rehearse_opts o = {.plan = a->paths[0], .scenario = a->scenario, .assigns = a->assigns, .nassigns = a->nassigns,
                     .approve = a->approve, .yes = a->yes, .has_seed = a->has_seed, .seed = a->seed,
                     .ignore_deadline = a->ignore_deadline, .max_virtual_ms = a->max_virtual_ms,
                     .secret_names = (const char *const *)a->secret_names,
                     .secret_values = (const char *const *)a->secret_values, .nsecrets = a->nsecrets,
                     .process_stubs = stubs, .request_log = reqlog, .max_response = a->max_response,
                     .out = json ? out_json_sink(&oj) : out_text_sink(&ot)};
  rehearse_result r;
  code = rehearse_run(&o, &r);
  if (reqlog) fclose(reqlog);
  single_end(a, &r, json, color);
  if (code == RBK_EXIT_OK && json_array_size(r.lies)) code = RBK_EXIT_FAILED;
  rehearse_result_free(&r);
  json_decref(stubs);
  return code;
}

/* Runs the sidecar cases of the named plans and directories; returns the suite's exit code. */
static int run_cases(const test_args *a) {
  char *err = NULL;
  char **plans = rehearse_suite_collect_plans(a->paths, a->npaths, &err);
  if (!plans) {
    fprintf(stderr, "rbk: cannot read %s\n", err ? err : "the plans");
    free(err);
    return RBK_EXIT_USAGE;
  }
  bool color = out_color_on(STDOUT_FILENO);
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int jobs = a->jobs ? a->jobs : cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
  rehearse_suite_opts so = {.json = !strcmp(a->output, "json"), .verbose = a->verbose, .case_glob = a->case_glob,
                            .ignore_deadline = a->ignore_deadline, .max_virtual_ms = a->max_virtual_ms,
                            .color = color, .out = stdout, .jobs = jobs};
  int code = rehearse_suite_run(plans, &so);
  dirwalk_free(plans);
  return code;
}

/* Returns true when the arguments ask for one rehearsal rather than the sidecar cases. */
static bool wants_single(const test_args *a) {
  if (a->single) return true;
  if (a->npaths != 1 || a->case_glob) return false;
  size_t n = strlen(a->paths[0]);
  if (n < 4 || strcmp(a->paths[0] + n - 4, ".rbk")) return false;
  char *sidecar = rehearse_case_sidecar_path(a->paths[0]);
  bool none = sidecar == NULL;
  free(sidecar);
  return none;
}

/* Entry point of `rbk test`. */
int cli_test(int argc, char **argv) {
  test_args a = {0};
  int code = parse_args(argc, argv, &a);
  if (code == CLI_GO_ON) code = wants_single(&a) ? run_single(&a) : run_cases(&a);
  args_free(&a);
  return code;
}
