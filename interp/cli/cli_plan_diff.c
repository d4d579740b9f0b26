/* cli_plan_diff.c — `rbk plan --diff OLD NEW`: loads both versions (a file, or REV:path from git),
 * builds both graphs with the same -p params (each version gets those it declares) and prints
 * their difference (plan_write_diff_text / plan_write_diff_mermaid). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_plan.h"
#include "proc.h"

/* How long `git show` may take. */
#define GIT_TIMEOUT_MS 30000

/* Returns the text of `git show REV:path` for arg "REV:path" (caller frees), or NULL after printing
 * why on stderr. */
static char *git_show(const char *arg) {
  const char *argv[] = {"git", "show", arg, NULL};
  proc_result res = {0};
  char *err = NULL;
  if (!proc_run_sync(argv, NULL, NULL, 0, GIT_TIMEOUT_MS, &res, &err)) {
    fprintf(stderr, "rbk: %s: %s\n", arg, err ? err : "cannot run git");
    free(err);
    return NULL;
  }
  if (res.status != 0 || res.timed_out) {
    size_t len = strcspn(res.err ? res.err : "", "\n");
    fprintf(stderr, "rbk: git show %s failed: %.*s\n", arg, (int)len, res.err ? res.err : "");
    free(res.out), free(res.err);
    return NULL;
  }
  free(res.err);
  return res.out;
}

/* Loads one version: the file arg, or REV:path when no file arg exists. Returns the program (caller
 * frees), or NULL after printing why. */
static rbk_program *load_version(const char *arg) {
  const char *colon = strchr(arg, ':');
  if (access(arg, F_OK) == 0 || !colon || colon == arg || !colon[1]) return cli_load_checked(arg, NULL);
  char *text = git_show(arg);
  if (!text) return NULL;
  rbk_program *prog = cli_load_checked(colon + 1, text);
  free(text);
  return prog;
}

/* rbk plan --diff OLD NEW: prints the diff of the two versions' graphs; returns the exit code. */
int cli_plan_diff(const char *old_arg, const char *new_arg, char **assigns, size_t nassigns, plan_format format) {
  rbk_program *op = load_version(old_arg), *np = op ? load_version(new_arg) : NULL;
  plan_graph *og = np ? cli_plan_build(op, assigns, nassigns, true) : NULL;
  plan_graph *ng = og ? cli_plan_build(np, assigns, nassigns, true) : NULL;
  int code = RBK_EXIT_USAGE;
  if (ng) {
    if (format == PLAN_FMT_MERMAID) plan_write_diff_mermaid(og, ng, stdout);
    else plan_write_diff_text(og, ng, old_arg, new_arg, stdout);
    fflush(stdout);
    code = RBK_EXIT_OK;
  }
  plan_free(ng);
  plan_free(og);
  program_free(np);
  program_free(op);
  return code;
}
