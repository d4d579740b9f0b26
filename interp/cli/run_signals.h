/* run_signals.h — SIGINT, SIGTERM and SIGHUP during a run, and SIGPIPE.
 *
 * The handlers are installed when `rbk run` / `rbk resume` starts (before the plan is loaded) and
 * stay until the process exits. The first signal cancels the run cleanly (engine_cancel: in-flight
 * actions aborted, `on failure` and `finally` run, exit 3); the second stops it at once (no
 * handler runs, run_end is still journaled, exit 3); any further one changes nothing. Signals that
 * arrive before the engine exists are counted and cancel it as soon as it is attached; signals
 * after the run ended (while the lock is released) leave its exit code alone. SIGPIPE is ignored
 * for good: a closed stdout (`rbk run … | head -1`) neither kills the process nor changes its exit
 * code, and the outputs ignore their write errors.
 *
 * Handlers are installed without SA_RESTART, so a sleeping poll() or nanosleep() returns at once
 * and the engine's loop looks at the cancel flags.
 *
 * State is process-wide (a signal handler has no other way to reach the engine): one run at a
 * time.
 *
 * Ownership: the engine is borrowed from run_signals_install until run_signals_restore.
 */
#ifndef RBK_RUN_SIGNALS_H
#define RBK_RUN_SIGNALS_H

#include "engine.h"

/* Installs the handlers and ignores SIGPIPE. */
void run_signals_install(void);

/* Attaches engine e (borrowed until run_signals_detach): signals cancel it; those received before
 * cancel it now. */
void run_signals_attach(engine *e);

/* Detaches the engine: later signals are only counted. */
void run_signals_detach(void);

#endif
