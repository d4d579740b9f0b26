/* cli_ast.c — `rbk ast FILE...`: prints each file's syntax tree (grammar/ast_dump.c), or its syntax
 * errors. For debugging the front end and for the syntax tests. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "parse.h"

/* Prints the command's help to `out`; returns `code`. */
static int usage(FILE *out, int code) {
  fprintf(out,
          "usage: rbk ast FILE...\n"
          "\n"
          "Prints the syntax tree of each plan as an indented S-expression, one node per line\n"
          "with its span (@line:col-end_line:end_col), then the comments kept for rbk fmt.\n"
          "'-' reads a plan from stdin.\n"
          "\n"
          "Exit status: 0 ok, 2 usage or syntax errors (printed on stderr).\n");
  return code;
}

/* Returns true when diagnostics on stderr should be coloured. */
static bool use_color(void) { return isatty(STDERR_FILENO) && !getenv("NO_COLOR"); }

/* Prints one file's tree or its syntax errors; returns the exit code for it. */
static int ast_one(const char *path) {
  char *err = NULL;
  rbk_source *src = source_load(path, &err);
  if (!src) {
    fprintf(stderr, "rbk ast: %s\n", err ? err : "out of memory");
    free(err);
    return RBK_EXIT_USAGE;
  }
  diag_list diags = {0};
  ast_file *file = parse_source(src, &diags);
  int rc = RBK_EXIT_OK;
  if (!file) {
    fprintf(stderr, "rbk ast: %s: out of memory\n", path);
    rc = RBK_EXIT_USAGE;
  } else if (diags.errors) {
    diag_print(&diags, stderr, use_color());
    rc = RBK_EXIT_USAGE;
  } else {
    ast_dump(file, stdout);
  }
  ast_file_free(file);
  diag_free(&diags);
  source_free(src);
  return rc;
}

/* rbk ast: prints the syntax tree of each file; returns the exit code. */
int cli_ast(int argc, char **argv) {
  if (argc < 2) return usage(stderr, RBK_EXIT_USAGE);
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) return usage(stdout, RBK_EXIT_OK);
  int rc = RBK_EXIT_OK;
  for (int i = 1; i < argc; i++) {
    int one = ast_one(argv[i]);
    if (one != RBK_EXIT_OK) rc = one;
  }
  return rc;
}
