/* run_signals.h — SIGINT, SIGTERM and SIGHUP during a run.
 *
 * The first signal cancels the run cleanly (engine_cancel: in-flight actions aborted, `on
 * failure` and `finally` run, exit 3); the second stops it at once (no handler runs; the journal
 * stays intact because every record is one write()); after that the signal's default action is
 * restored, so a third one ends a stuck process. SIGPIPE is ignored while the run lasts (a closed
 * stdout must not kill an unrecorded run).
 *
 * Handlers are installed without SA_RESTART, so a sleeping poll() or nanosleep() returns at once
 * and the engine's loop looks at the cancel flags. Loops that wait on file descriptors (libcurl's
 * curl_multi_poll extra_fds) can also watch run_signals_fd(), a self-pipe that becomes readable
 * on every signal.
 *
 * State is process-wide (a signal handler has no other way to reach the engine): one run at a
 * time.
 *
 * Ownership: the engine is borrowed from run_signals_install until run_signals_restore.
 */
#ifndef RBK_RUN_SIGNALS_H
#define RBK_RUN_SIGNALS_H

#include "engine.h"

/* Installs the handlers for engine e (borrowed until run_signals_restore). Returns 0, or -1 when
 * the self-pipe cannot be made (the handlers still work). */
int run_signals_install(engine *e);

/* Restores the handlers that were installed before and closes the self-pipe. */
void run_signals_restore(void);

/* Returns the self-pipe's read end (non-blocking), or -1. */
int run_signals_fd(void);

/* Returns how many of the signals arrived since run_signals_install. */
int run_signals_count(void);

#endif
