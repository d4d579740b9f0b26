/* cli_check.c — `rbk check FILE... [--format text|json]`: load, check, print diagnostics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "out.h"
#include "diag.h"
#include "program.h"

/* Prints the command's usage to `out`; returns `code`. */
static int usage(FILE *out, int code) {
  fprintf(out,
          "usage: rbk check FILE... [--format text|json]\n"
          "\n"
          "Checks plans without running them: unknown names, wrong arguments, type errors that\n"
          "literals reveal, unreachable statements, duplicate step titles, actions that a handle\n"
          "lacks. Imports are loaded relative to the importing file.\n"
          "\n"
          "  --format text   diagnostics on stderr, like a compiler (default)\n"
          "  --format json   one JSON array of diagnostics on stdout\n"
          "\n"
          "Exit 0 when there is no error (warnings allowed), 2 on any error.\n");
  return code;
}

/* The parsed command line. */
typedef struct {
  bool json;
  char **files;
  size_t nfiles;
} check_args;

enum { PROCEED = -1 };

/* Returns PROCEED after filling `a`, or an exit code to return at once (usage or help printed). */
static int parse_args(int argc, char **argv, check_args *a) {
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *format = NULL;
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) return usage(stdout, RBK_EXIT_OK);
    if (!strcmp(arg, "--format")) {
      if (i + 1 >= argc) return usage(stderr, RBK_EXIT_USAGE);
      format = argv[++i];
    } else if (!strncmp(arg, "--format=", 9)) {
      format = arg + 9;
    } else if (arg[0] == '-' && arg[1]) {
      fprintf(stderr, "rbk check: unknown option '%s'\n", arg);
      return usage(stderr, RBK_EXIT_USAGE);
    } else {
      a->files[a->nfiles++] = argv[i];
      continue;
    }
    if (strcmp(format, "text") && strcmp(format, "json")) {
      fprintf(stderr, "rbk check: unknown format '%s' (text or json)\n", format);
      return RBK_EXIT_USAGE;
    }
    a->json = !strcmp(format, "json");
  }
  if (!a->nfiles) return usage(stderr, RBK_EXIT_USAGE);
  return PROCEED;
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
  rbk_program **progs = rc == PROCEED ? calloc(a.nfiles, sizeof *progs) : NULL;
  if (!progs) {
    free(a.files);
    return rc == PROCEED ? RBK_EXIT_USAGE : rc;
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
  free(a.files);
  return rc;
}
