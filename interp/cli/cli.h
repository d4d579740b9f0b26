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
#include <stdio.h>

#include "cli_opts.h"
#include "exitcode.h"
#include "program.h"

/* The commands, once: X(name, function, "one-line help"). */
#define RBK_COMMANDS(X)                                                                       \
  X(check, cli_check, "check plans: names, arguments, types, reachability")                   \
  X(fmt, cli_fmt, "print plans in canonical layout (-w rewrites, --check verifies)")          \
  X(plan, cli_plan, "dry-run: print the action graph (text, json, dot, mermaid)")             \
  X(rbac, cli_rbac, "print the least-privilege RBAC (ServiceAccount, Role, binding) of a plan")  \
  X(ast, cli_ast, "print the syntax tree (for debugging the front end)")                      \
  X(eval, cli_eval, "evaluate one expression (for testing the built-ins)")                    \
  X(sim, cli_sim, "serve the simulated cluster over HTTP(S)")                                \
  X(run, cli_run, "execute a plan")                                                          \
  X(resume, cli_resume, "continue an interrupted run from its journal")                       \
  X(log, cli_log, "print a run's journal readably")                                          \
  X(test, cli_test, "rehearse plans against the simulated plant in virtual time")            \
  X(help, cli_help, "list the commands, or describe one (rbk help COMMAND)")                 \
  X(version, cli_version, "print the versions of rbk and of the libraries it uses")

#define X(name, fn, help)          \
  int fn(int argc, char **argv); \
  extern const cli_opts_spec fn##_spec;
RBK_COMMANDS(X)
#undef X

/* Prints the list of commands (usage line, RBK_COMMANDS, a pointer to --help) on out. */
void cli_help_list(FILE *out);

/* Prints "rbk: WHAT 'ARG'" (or "rbk: WHAT" when arg is NULL) on stderr; returns RBK_EXIT_USAGE. */
int cli_usage_error(const char *what, const char *arg);

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
