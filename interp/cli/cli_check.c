/* cli_check.c — `rbk check FILE|DIR... [--format text|json]`: load, check, print diagnostics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "dirwalk.h"
#include "out.h"
#include "diag.h"
#include "program.h"

/* The options, once: X(ID, long name, short name, value, help). */
#define CHECK_OPTS(X) X(CHECK_FORMAT, "format", 0, "text|json", "diagnostics as text on stderr (default) or a JSON array on stdout")

enum { CHECK_OPTS(CLI_OPTS_ENUM) };
static const cli_opt check_opts[] = {CHECK_OPTS(CLI_OPTS_ROW)};

const cli_opts_spec cli_check_spec = {
    .name = "check",
    .operands = "FILE|DIR...",
    .about = "Checks plans without running them: unknown names, wrong arguments, type errors that\n"
             "literals reveal, unreachable statements, duplicate step titles, actions that a handle\n"
             "lacks. Imports are loaded relative to the importing file. A directory stands for\n"
             "every .rbk file below it (hidden entries skipped, name order). '-' reads a plan from\n"
             "stdin.",
    .footer = "Exit 0 when there is no error (warnings allowed), 2 on any error.",
    .opts = check_opts,
    .nopts = sizeof check_opts / sizeof *check_opts,
};

/* The parsed command line. */
typedef struct {
  bool json;
  char **files;
  size_t nfiles;
} check_args;

/* Takes one option or file (cli_opts_take); returns CLI_GO_ON or the usage exit code. */
static int take_arg(void *ctx, int id, const char *v) {
  check_args *a = ctx;
  if (id == CLI_OPERAND) {
    a->files[a->nfiles++] = (char *)v;
  } else if (id == CHECK_FORMAT) {
    if (strcmp(v, "text") && strcmp(v, "json")) {
      fprintf(stderr, "rbk check: unknown format '%s' (text or json)\n", v);
      return RBK_EXIT_USAGE;
    }
    a->json = !strcmp(v, "json");
  }
  return CLI_GO_ON;
}

/* Returns CLI_GO_ON after filling `a`, or an exit code to return at once (usage or help printed). */
static int parse_args(int argc, char **argv, check_args *a) {
  int code = cli_opts_parse(&cli_check_spec, argc, argv, take_arg, a);
  if (code == CLI_GO_ON && !a->nfiles) return cli_opts_usage_error(&cli_check_spec);
  return code;
}

/* Prints the diagnostics as text: those without a place (an unreadable file) as `rbk: message`. */
static void print_text(const diag_list *diags, FILE *out, bool color) {
  for (size_t i = 0; i < diags->len; i++) {
    const diag *d = &diags->items[i];
    if (!d->span.src) {
      fprintf(out, "rbk: %s\n", d->message);
      continue;
    }
    diag_list one = {.items = (diag *)d, .len = 1};
    diag_print(&one, out, color);
  }
  diag_list rest = {.dropped = diags->dropped};
  diag_print(&rest, out, color);
}


/* rbk check: checks plans (names, arguments, types, reachability); returns the exit code. */
int cli_check(int argc, char **argv) {
  check_args a = {.files = calloc(argc > 0 ? (size_t)argc : 1, sizeof(char *))};
  if (!a.files) return RBK_EXIT_USAGE;
  int rc = parse_args(argc, argv, &a);
  char *err = NULL, **named = a.files;
  if (rc == CLI_GO_ON && !(a.files = dirwalk_plans(named, a.nfiles, &err))) {
    fprintf(stderr, "rbk: cannot read %s\n", err ? err : "the plans");
    rc = RBK_EXIT_USAGE;
  }
  free(err);
  if (a.files != named) free(named);
  for (a.nfiles = 0; a.files && a.files[a.nfiles];) a.nfiles++;
  rbk_program **progs = rc == CLI_GO_ON ? calloc(a.nfiles + 1, sizeof *progs) : NULL;
  if (!progs) {
    if (a.files != named) dirwalk_free(a.files);
    else free(a.files);
    return rc == CLI_GO_ON ? RBK_EXIT_USAGE : rc;
  }
  diag_list diags = {0};
  for (size_t i = 0; i < a.nfiles; i++) {
    progs[i] = program_load(a.files[i], &diags);
    if (progs[i]) check_program(progs[i], &diags);
    else diag_add(&diags, DIAG_ERROR, (rbk_span){0}, "out of memory while loading '%s'", a.files[i]);
  }
  diag_sort(&diags);
  if (a.json) diag_print_json(&diags, stdout);
  else print_text(&diags, stderr, out_color_on(STDERR_FILENO));
  rc = diags.errors ? RBK_EXIT_USAGE : RBK_EXIT_OK;
  diag_free(&diags);
  for (size_t i = 0; i < a.nfiles; i++) program_free(progs[i]);
  free(progs);
  dirwalk_free(a.files);
  return rc;
}
