/* cli_util.c — small helpers shared by the commands: usage errors, --secret, reading a text file, loading a checked plan. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "netmod.h"
#include "out.h"
#include "scrub.h"
#include "valbuf.h"

/* Prints a one-line usage error; returns RBK_EXIT_USAGE. */
int cli_usage_error(const char *what, const char *arg) {
  fprintf(stderr, "rbk: %s%s%s%s\n", what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
  return RBK_EXIT_USAGE;
}

/* Reads `--seed N` (all of v: a non-negative integer that fits 64 bits) into *seed; returns
 * CLI_GO_ON or the usage exit code. */
int cli_take_seed(const char *v, uint64_t *seed) {
  char *end = NULL;
  errno = 0;
  *seed = strtoull(v, &end, 10);
  return *v && !*end && !errno && *v != '-' ? CLI_GO_ON : cli_usage_error("--seed expects a non-negative integer, got", v);
}

/* Returns CLI_GO_ON in the full rbk; the static front runs the full rbk in its place (netmod.h), or
 * returns RBK_EXIT_USAGE after printing why it cannot. */
int cli_full(void) {
  char *err = NULL;
  if (netmod_handoff(&err) == 0) return CLI_GO_ON;
  fprintf(stderr, "rbk: %s\n", err ? err : "out of memory");
  free(err);
  return RBK_EXIT_USAGE;
}

/* Returns the file's text without one trailing newline (caller frees), or NULL. */
char *cli_read_text(const char *path) {
  size_t len;
  char *s = valbuf_read_file(path, &len);
  if (s && len && s[len - 1] == '\n') s[--len] = '\0';
  if (s && len && s[len - 1] == '\r') s[--len] = '\0';
  return s;
}

/* Adds one --secret; returns -1, or RBK_EXIT_USAGE after printing the error. */
int cli_add_secret(const char *arg, char **names, char **values, size_t *n) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg) return cli_usage_error("--secret expects NAME=VALUE or NAME=@FILE, got", arg);
  char *name = strndup(arg, (size_t)(eq - arg));
  char *value = eq[1] == '@' ? cli_read_text(eq + 2) : strdup(eq + 1);
  if (!name || !value) {
    int err = errno;
    free(name);
    free(value);
    fprintf(stderr, "rbk: --secret %.*s: cannot read %s: %s\n", (int)(eq - arg), arg, eq + 2, strerror(err));
    return RBK_EXIT_USAGE;
  }
  scrub_add(value, strlen(value)); /* never shown from now on (scrub.h) */
  names[*n] = name;
  values[(*n)++] = value;
  return -1;
}

/* Loads and checks the plan; returns the program, or NULL after printing the errors. */
rbk_program *cli_load_checked(const char *path, const char *text) {
  diag_list diags = {0};
  rbk_program *prog = text ? program_load_string(path, text, strlen(text), &diags) : program_load(path, &diags);
  if (prog && !diags.errors) check_program(prog, &diags);
  if (!prog || diags.errors) {
    diag_sort(&diags);
    diag_print(&diags, stderr, out_color_on(STDERR_FILENO));
    if (!prog) fputs("rbk: out of memory\n", stderr);
    diag_free(&diags);
    program_free(prog);
    return NULL;
  }
  diag_free(&diags);
  return prog;
}
