/* cli_test.c — `rbk test FILE|DIR... [options]`: rehearse plans against the simulated plant in
 * virtual time (docs/rehearsal.md).
 *
 * One rehearsal — when one FILE is given with any of --scenario, -p, --seed, --yes, --approve,
 * --secret or --stubs, or when the plan has no sidecar file — prints the run as `rbk run` does
 * (text or JSON lines) and then the simulated world; its exit code is the run's. Otherwise every
 * case of every plan's sidecar is rehearsed and judged (rehearse_suite.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "out.h"
#include "rehearse.h"
#include "rehearse_case.h"
#include "rehearse_suite.h"

/* The options that take a value, once: X(ENUM_SUFFIX, "name"). */
#define TEST_VALUE_OPTS(X)                                                                         \
  X(P, "-p") X(PARAM, "--param") X(SCENARIO, "--scenario") X(SEED, "--seed") X(OUTPUT, "--output") \
  X(APPROVE, "--approve") X(SECRET, "--secret") X(CASE, "--case") X(STUBS, "--stubs")                  \
  X(JOBS, "--jobs") X(J, "-j")

enum {
#define X(k, name) TOPT_##k,
  TEST_VALUE_OPTS(X)
#undef X
  TOPT_COUNT
};

static const char *const topt_names[] = {
#define X(k, name) name,
    TEST_VALUE_OPTS(X)
#undef X
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
  const char *scenario, *output, *case_glob, *stubs_file;
  bool yes, verbose, has_seed, single; /* single: an option that describes one rehearsal */
  bool ignore_deadline;
  uint64_t seed;
  int jobs;              /* -j: cases at once; 0 → the number of CPUs (at most 8) */
} test_args;

/* Prints the usage; returns code. */
static int test_usage(FILE *out, int code) {
  fputs("usage: rbk test FILE|DIR... [--scenario NAME|FILE] [-p name=value]... [--seed N]\n"
        "                [--output text|json] [--yes] [--approve TEXT]... [--secret NAME=VALUE]...\n"
        "                [--stubs FILE] [--case GLOB] [--verbose] [--ignore-deadline] [-j N]\n\n"
        "Rehearses plans against the simulated cluster and plant in virtual time.\n\n"
        "One plan with --scenario, -p, --seed, --yes, --approve, --secret or --stubs (or a plan\n"
        "without a sidecar file): one rehearsal, shown as `rbk run` shows a run, then the simulated\n"
        "world. Otherwise: every case of each plan's sidecar PLAN.test.json (directories: their\n"
        "*.rbk files), pass/fail per case and \"N passed, M failed\" (docs/rehearsal.md).\n\n"
        "  --scenario NAME|FILE    a built-in scenario (rbk sim --list-scenarios) or a JSON file\n"
        "                          (default bad-release)\n"
        "  -p, --param name=value  set a param (parsed by its declared type)\n"
        "  --seed N                the simulator's seed (default: the scenario's, else 1)\n"
        "  --output text|json      the run as text lines (default) or JSON lines (and the world as\n"
        "                          a last {\"world\": …} line); cases: one JSON object per case\n"
        "  --yes                   grant every approval\n"
        "  --approve TEXT          grant the approval whose question or slug is TEXT (repeatable)\n"
        "  --secret NAME=VALUE     the value of secret(\"NAME\"); NAME=@FILE reads it from FILE\n"
        "                          (before the scenario's plan_secrets and the environment)\n"
        "  --stubs FILE            JSON list of process stubs answering run() (docs/actions.md)\n"
        "  --case GLOB             only the sidecar cases whose name matches\n"
        "  --verbose               show every case's output and final world\n"
        "  --ignore-deadline       let runs go on past the runbook's deadline (every case too)\n"
        "  -j, --jobs N            rehearse N cases at once (default: the CPUs, at most 8)\n"
        "\nExit codes: one rehearsal: as rbk run (0, 1, 3; 2 usage or plan errors). Cases: 0 all\n"
        "passed, 1 one failed, 2 usage errors or no case ran.\n",
        out);
  return code;
}

/* Stores value v of option k; returns -1 or the usage exit code. */
static int store_value(test_args *a, int k, const char *v) {
  char *end;
  a->single = a->single || (k != TOPT_OUTPUT && k != TOPT_CASE && k != TOPT_JOBS && k != TOPT_J);
  switch (k) {
    case TOPT_P:
    case TOPT_PARAM: a->assigns[a->nassigns++] = (char *)v; return -1;
    case TOPT_SCENARIO: a->scenario = v; return -1;
    case TOPT_OUTPUT: a->output = v; return -1;
    case TOPT_APPROVE: a->approve[a->napprove++] = v; return -1;
    case TOPT_SECRET: return cli_add_secret(v, a->secret_names, a->secret_values, &a->nsecrets);
    case TOPT_CASE: a->case_glob = v; return -1;
    case TOPT_STUBS: a->stubs_file = v; return -1;
    case TOPT_JOBS:
    case TOPT_J:
      a->jobs = (int)strtol(v, &end, 10);
      return *v && !*end && a->jobs >= 1 && a->jobs <= 64 ? -1 : cli_usage_error("--jobs expects a number from 1 to 64, got", v);
    case TOPT_SEED:
      errno = 0;
      a->seed = strtoull(v, &end, 10);
      a->has_seed = true;
      return *v && !*end && !errno && *v != '-' ? -1 : cli_usage_error("--seed expects a non-negative integer, got", v);
  }
  return -1;
}

/* Parses the option with a value at argv[*i]; returns -1 or an exit code. */
static int value_opt(int argc, char **argv, int *i, test_args *a) {
  const char *v;
  int k = cli_value_opt(argc, argv, i, topt_names, TOPT_COUNT, &v);
  return k < 0 ? RBK_EXIT_USAGE : store_value(a, k, v);
}

/* Parses the command line; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, test_args *a) {
  size_t n = (size_t)argc + 1;
  a->paths = calloc(n, sizeof *a->paths), a->assigns = calloc(n, sizeof *a->assigns);
  a->approve = calloc(n, sizeof *a->approve);
  a->secret_names = calloc(n, sizeof *a->secret_names), a->secret_values = calloc(n, sizeof *a->secret_values);
  a->output = "text";
  if (!a->paths || !a->assigns || !a->approve || !a->secret_names || !a->secret_values) return cli_usage_error("out of memory", NULL);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    int code = -1;
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) return test_usage(stdout, RBK_EXIT_OK);
    if (!strcmp(arg, "--yes")) a->yes = a->single = true;
    else if (!strcmp(arg, "--verbose") || !strcmp(arg, "-v")) a->verbose = true;
    else if (!strcmp(arg, "--ignore-deadline")) a->ignore_deadline = true;
    else if (arg[0] == '-' && arg[1]) code = value_opt(argc, argv, &i, a);
    else a->paths[a->npaths++] = argv[i];
    if (code >= 0) return code;
  }
  if (!a->npaths) return cli_usage_error("test needs a plan FILE or a DIR (see rbk test --help)", NULL);
  if (strcmp(a->output, "text") && strcmp(a->output, "json")) return cli_usage_error("--output must be text or json, not", a->output);
  if (a->single && a->npaths > 1) return cli_usage_error("options for one rehearsal take one plan FILE; extra argument", a->paths[1]);
  return -1;
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
  if (r->error && r->exit_code != RBK_EXIT_USAGE) fprintf(stderr, "rbk: %s\n", r->error);
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
  bool json = !strcmp(a->output, "json");
  bool color = out_color_on(STDOUT_FILENO);
  out_json oj = {stdout, false};
  out_text ot = {stdout, color, 0};
  rehearse_opts o = {.plan = a->paths[0], .scenario = a->scenario, .assigns = a->assigns, .nassigns = a->nassigns,
                     .approve = a->approve, .yes = a->yes, .has_seed = a->has_seed, .seed = a->seed,
                     .ignore_deadline = a->ignore_deadline,
                     .secret_names = (const char *const *)a->secret_names,
                     .secret_values = (const char *const *)a->secret_values, .nsecrets = a->nsecrets,
                     .process_stubs = stubs, .out = json ? out_json_sink(&oj) : out_text_sink(&ot)};
  rehearse_result r;
  code = rehearse_run(&o, &r);
  single_end(a, &r, json, color);
  if (code == RBK_EXIT_OK && json_array_size(r.lies)) code = RBK_EXIT_FAILED;
  rehearse_result_free(&r);
  json_decref(stubs);
  return code;
}

/* Runs the sidecar cases of the named plans and directories; returns the suite's exit code. */
static int run_cases(const test_args *a) {
  char *err = NULL;
  char **plans = rehearse_collect_plans(a->paths, a->npaths, &err);
  if (!plans) {
    fprintf(stderr, "rbk: cannot read %s: %s\n", err ? err : "the plans", strerror(errno));
    free(err);
    return RBK_EXIT_USAGE;
  }
  bool color = out_color_on(STDOUT_FILENO);
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int jobs = a->jobs ? a->jobs : cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
  rehearse_suite_opts so = {.json = !strcmp(a->output, "json"), .verbose = a->verbose, .case_glob = a->case_glob,
                            .ignore_deadline = a->ignore_deadline,
                            .color = color, .out = stdout, .jobs = jobs};
  int code = rehearse_suite_run(plans, &so);
  for (size_t i = 0; plans[i]; i++) free(plans[i]);
  free(plans);
  return code;
}

/* Returns true when the arguments ask for one rehearsal rather than the sidecar cases. */
static bool wants_single(const test_args *a) {
  if (a->single) return true;
  if (a->npaths != 1 || a->case_glob) return false;
  size_t n = strlen(a->paths[0]);
  if (n < 4 || strcmp(a->paths[0] + n - 4, ".rbk")) return false;
  char *sidecar = rehearse_sidecar_path(a->paths[0]);
  bool none = sidecar == NULL;
  free(sidecar);
  return none;
}

/* Entry point of `rbk test`. */
int cli_test(int argc, char **argv) {
  test_args a = {0};
  int code = parse_args(argc, argv, &a);
  if (code < 0) code = wants_single(&a) ? run_single(&a) : run_cases(&a);
  args_free(&a);
  return code;
}
