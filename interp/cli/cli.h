/* cli.h — the rbk commands. Each takes the arguments after the command name (argv[0] is the
 * command) and returns the process exit code documented in docs/cli.md; each describes its
 * command line in a cli_opts_spec (cli_opts.h) named after its function, which its --help and
 * `rbk help COMMAND` print.
 *
 * Ownership: argv and the option values found in it are borrowed; cli_read_text and cli_add_secret
 * return new strings (caller frees).
 */
#ifndef RBK_CLI_H
#define RBK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli_opts.h"
#include "exitcode.h"
#include "program.h"

/* The commands, once: X(name, function, where, "one-line help"). `where` is LOCAL for a command
 * that never talks to a network, NET for one that does (or loads the network module): the static
 * front (docs/architecture.md "The static front") runs LOCAL commands itself and hands NET ones to
 * the full rbk (netmod_handoff). */
#define RBK_COMMANDS(X)                                                                              \
  X(check, cli_check, LOCAL, "check plans: names, arguments, types, reachability")                   \
  X(fmt, cli_fmt, LOCAL, "print plans in canonical layout (-w rewrites, --check verifies)")          \
  X(plan, cli_plan, LOCAL, "dry-run: print the action graph (text, json, dot, mermaid)")             \
  X(rbac, cli_rbac, LOCAL, "print the least-privilege RBAC (ServiceAccount, Role, binding) of a plan") \
  X(ast, cli_ast, LOCAL, "print the syntax tree (for debugging the front end)")                      \
  X(eval, cli_eval, LOCAL, "evaluate one expression (for testing the built-ins)")                    \
  X(sim, cli_sim, NET, "serve the simulated cluster over HTTP(S)")                                  \
  X(run, cli_run, NET, "execute a plan")                                                            \
  X(resume, cli_resume, NET, "continue an interrupted run from its journal")                         \
  X(log, cli_log, LOCAL, "print a run's journal readably")                                          \
  X(test, cli_test, LOCAL, "rehearse plans against the simulated plant in virtual time")            \
  X(help, cli_help, LOCAL, "list the commands, or describe one (rbk help COMMAND)")                 \
  X(version, cli_version, NET, "print the versions of rbk and of the libraries it uses")

/* What a table of the commands holds for a command's function or option table `x`: x itself, or
 * NULL for a NET command in the static front (compiled with RBK_FRONT), which does not link it. */
#define CLI_ON_LOCAL(x) (x)
#ifdef RBK_FRONT
#define CLI_ON_NET(x) NULL
#else
#define CLI_ON_NET(x) (x)
#endif

#define X(name, fn, where, help)   \
  int fn(int argc, char **argv); \
  extern const cli_opts_spec fn##_spec;
RBK_COMMANDS(X)
#undef X

/* Prints the list of commands (usage line, RBK_COMMANDS, a pointer to --help) on out. */
void cli_help_list(FILE *out);

/* Returns CLI_GO_ON when this process is the full rbk and may use the network. The static front
 * (RBK_FRONT) runs the full rbk in its place with the same arguments instead (netmod_handoff), and
 * returns RBK_EXIT_USAGE after printing one line when it cannot. */
int cli_full(void);

/* Prints "rbk: WHAT 'ARG'" (or "rbk: WHAT" when arg is NULL) on stderr; returns RBK_EXIT_USAGE. */
int cli_usage_error(const char *what, const char *arg);
/* Reads `--seed N` (all of v: a non-negative integer that fits 64 bits) into *seed; returns
 * CLI_GO_ON or the usage exit code. */
int cli_take_seed(const char *v, uint64_t *seed);

/* Returns the text of file path without one trailing newline (and a \r before it), or NULL with
 * errno set. Caller frees. */
char *cli_read_text(const char *path);

/* Adds `--secret NAME=VALUE` (NAME=@FILE: the value is cli_read_text(FILE)) as names[*n] and
 * values[*n] (new strings; the caller frees both) and counts it in *n. Returns -1, or
 * RBK_EXIT_USAGE after printing the error. */
int cli_add_secret(const char *arg, char **names, char **values, size_t *n);

/* Loads and checks the plan at path (from `text` when not NULL: path then names it and resolves its
 * imports); returns the program (caller frees with program_free), or NULL after printing the
 * diagnostics on stderr. */
rbk_program *cli_load_checked(const char *path, const char *text);

#endif
