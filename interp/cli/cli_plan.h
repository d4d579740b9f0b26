/* cli_plan.h — what `rbk plan` and `rbk plan --diff` share: binding a plan's params and building
 * its graph (plans are loaded with cli_load_checked, cli.h), and the diff of two versions of a plan.
 *
 * Ownership: cli_plan_build returns a graph the caller frees with plan_free, which borrows the
 * program (it must outlive the graph). Arguments are borrowed.
 */
#ifndef RBK_CLI_PLAN_H
#define RBK_CLI_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "program.h"

/* Binds the "name=value" assignments (with `only_declared`, those of names the plan does not
 * declare are left out) and builds the graph; returns it, or NULL after printing why on stderr. */
plan_graph *cli_plan_build(const rbk_program *prog, char **assigns, size_t nassigns, bool only_declared);

/* rbk plan --diff OLD NEW: each a file, or REV:path read with `git show REV:path` when no such file
 * exists; prints the diff of their graphs as text or Mermaid. Returns the exit code (0, or 2 when a
 * version cannot be read, checked or planned). */
int cli_plan_diff(const char *old_arg, const char *new_arg, char **assigns, size_t nassigns, plan_format format);

/* The options of rbk plan --live. */
typedef struct {
  const char *file;
  char **assigns;            /* -p name=value (borrowed) */
  size_t nassigns;
  const char *kubeconfig;    /* --kubeconfig, or NULL */
  const char *context;       /* --context, or NULL */
} cli_plan_live_opts;

/* rbk plan --live: runs the plan's reads against the cluster, its Kubernetes writes as dry runs
 * and nothing else (cli_plan_live.c); prints what a run would do. Returns 0 when the run would
 * proceed, 1 when a gate, assert, step or refused write would stop it, 2 for usage or plan
 * errors, 3 when interrupted. */
int cli_plan_live(const cli_plan_live_opts *o);

#endif
