/* cli.h — the rbk commands. Each takes the arguments after the command name (argv[0] is the
 * command) and returns the process exit code documented in docs/cli.md.
 *
 * Ownership: argv and the option values found in it are borrowed; cli_read_text and cli_add_secret
 * return new strings (caller frees).
 */
#ifndef RBK_CLI_H
#define RBK_CLI_H

#include "exitcode.h"

/* The commands, once: X(name, function, "one-line help"). */
#define RBK_COMMANDS(X)                                                                       \
  X(check, cli_check, "check plans: names, arguments, types, reachability")                   \
  X(fmt, cli_fmt, "print plans in canonical layout (-w rewrites, --check verifies)")          \
  X(plan, cli_plan, "dry-run: print the action graph (text, json, dot, mermaid)")             \
  X(ast, cli_ast, "print the syntax tree (for debugging the front end)")                      \
  X(sim, cli_sim, "serve the simulated cluster over HTTP(S)")                                \
  X(run, cli_run, "execute a plan")                                                          \
  X(resume, cli_resume, "continue an interrupted run from its journal")                       \
  X(log, cli_log, "print a run's journal readably")                                          \
  X(test, cli_test, "rehearse plans against the simulated plant in virtual time")

#define X(name, fn, help) int fn(int argc, char **argv);
RBK_COMMANDS(X)
#undef X

#include <stdbool.h>
#include <stddef.h>

/* Prints "rbk: WHAT 'ARG'" (or "rbk: WHAT" when arg is NULL) on stderr; returns RBK_EXIT_USAGE. */
int cli_usage_error(const char *what, const char *arg);

/* Returns true when arg is option `name` alone or as name=…. */
bool cli_is_opt(const char *arg, const char *name);

/* Matches argv[*i] against the n option names that take a value (`NAME VALUE` or `NAME=VALUE`).
 * Returns the index of the option with *value set (borrowed from argv; *i advanced past a
 * separate value), or -1 after printing "unknown option" or "missing value after" (the command
 * then exits RBK_EXIT_USAGE). */
int cli_value_opt(int argc, char **argv, int *i, const char *const *names, int n, const char **value);

/* Returns the text of file path without one trailing newline (and a \r before it), or NULL with
 * errno set. Caller frees. */
char *cli_read_text(const char *path);

/* Adds `--secret NAME=VALUE` (NAME=@FILE: the value is cli_read_text(FILE)) as names[*n] and
 * values[*n] (new strings; the caller frees both) and counts it in *n. Returns -1, or
 * RBK_EXIT_USAGE after printing the error. */
int cli_add_secret(const char *arg, char **names, char **values, size_t *n);

#endif
