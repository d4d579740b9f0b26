/* cli_run.h — the run shell shared by `rbk run` and `rbk resume`: options, and running a plan
 * with its journal, output, approvals and signal handling around the engine. docs/run.md
 * describes the flags, outputs, exit codes and the journal.
 *
 * Ownership: run_opts borrows the argv strings and owns its arrays and the --secret values read
 * from files (cli_run_opts_free). cli_run_plan borrows everything it is given.
 */
#ifndef RBK_CLI_RUN_H
#define RBK_CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "resume.h"

typedef struct {
  const char *file;          /* run: the plan; resume: the journal */
  char **assigns;            /* -p name=value, NULL-terminated */
  size_t nassigns;
  const char **approve;      /* --approve TEXT, NULL-terminated */
  size_t napprove;
  char **secret_names, **secret_values; /* --secret NAME=VALUE or NAME=@FILE (values owned) */
  size_t nsecrets;
  const char *output, *operator_name, *run_id, *script, *journal, *call_log;
  const char *kubeconfig, *context; /* real runs: --kubeconfig, --context (docs/kubeconfig.md) */
  bool yes, virt, details, no_prompt, force;
  bool ignore_deadline;             /* the runbook's deadline does not stop the run */
  bool steal_lock, no_lock;         /* real runs: the run lock (run_actions.h) */
  int64_t epoch;
  size_t max_response;              /* --max-response in bytes; 0: the default (16 MiB) */
} run_opts;

/* Parses the options after the command name (argv[0]). `resume` selects `rbk resume`'s form (the
 * positional argument is the journal; -p is refused; --force is allowed). Returns -1 to go on,
 * or the exit code after printing the help (0) or a one-line usage error (2). Free the options
 * with cli_run_opts_free in either case. */
int cli_run_opts_parse(int argc, char **argv, bool resume, run_opts *o);

/* Frees what cli_run_opts_parse allocated. */
void cli_run_opts_free(run_opts *o);

/* Runs the plan o->file. With `resumed` (a journal read by resume_load from the journal `j`,
 * opened — and so locked — before it was read; cli_run_plan takes j and closes it), the plan must
 * have the journal's hash (unless o->force), the journal's params, run id and completed steps are
 * used, and records are appended to that journal. Returns the exit code. */
int cli_run_plan(const run_opts *o, const journal_state *resumed, journal *j);

#endif
