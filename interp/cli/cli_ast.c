/* cli_ast.c — `rbk ast FILE...`: prints each file's syntax tree (grammar/ast_dump.c), or its syntax
 * errors. For debugging the front end and for the syntax tests. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "parse.h"

const cli_opts_spec cli_ast_spec = {
    .name = "ast",
    .operands = "FILE...",
    .about = "Prints the syntax tree of each plan as an indented S-expression, one node per line\n"
             "with its span (@line:col-end_line:end_col), then the comments kept for rbk fmt.\n"
             "'-' reads a plan from stdin.",
    .footer = "Exit status: 0 ok, 2 usage or syntax errors (printed on stderr).",
    .in_order = true,
};

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

/* What the files gave: the worst exit code, and how many there were. */
typedef struct {
  int rc, nfiles;
} ast_run;

/* Takes one file (cli_opts_take): prints its tree; returns CLI_GO_ON. */
static int take_file(void *ctx, int id, const char *path) {
  ast_run *r = ctx;
  int one = id == CLI_OPERAND ? ast_one(path) : RBK_EXIT_OK;
  if (one != RBK_EXIT_OK) r->rc = one;
  r->nfiles++;
  return CLI_GO_ON;
}

/* Entry point of `rbk ast`. */
int cli_ast(int argc, char **argv) {
  ast_run r = {RBK_EXIT_OK, 0};
  int code = cli_opts_parse(&cli_ast_spec, argc, argv, take_file, &r);
  if (code != CLI_GO_ON) return code;
  return r.nfiles ? r.rc : cli_opts_usage_error(&cli_ast_spec);
}
