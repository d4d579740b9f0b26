/* run_signals.c — cancelling a run on SIGINT/SIGTERM/SIGHUP (see run_signals.h). */
#include "run_signals.h"

#include <errno.h>
#include <signal.h>

/* The signals that cancel a run, once: X(number, "why" for engine_cancel). */
#define RUN_SIGNALS(X) X(SIGINT, "interrupted (SIGINT)") X(SIGTERM, "terminated (SIGTERM)") X(SIGHUP, "hung up (SIGHUP)")

static const int signals[] = {
#define X(sig, why) sig,
    RUN_SIGNALS(X)
#undef X
};
#define NSIGNALS (sizeof signals / sizeof signals[0])

static engine *volatile target;
static volatile sig_atomic_t received, last_sig;

/* Returns the engine_cancel reason for sig (static text). */
static const char *why_of(int sig) {
#define X(s, why) \
  if (sig == s) return why;
  RUN_SIGNALS(X)
#undef X
  return "interrupted";
}

/* The handler: counts the signal and cancels (then stops) the run when one is attached. Every
 * signal is handled the same way, however many arrive: the run ends with exit 3 and a complete
 * journal. Async-signal-safe. */
static void on_signal(int sig) {
  int saved_errno = errno;
  received++;
  last_sig = sig;
  if (target) engine_cancel(target, why_of(sig));
  errno = saved_errno;
}

/* Installs the handlers (see run_signals.h). */
void run_signals_install(void) {
  struct sigaction sa = {.sa_handler = on_signal};
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < NSIGNALS; i++) sigaddset(&sa.sa_mask, signals[i]); /* one handler at a time */
  for (size_t i = 0; i < NSIGNALS; i++) sigaction(signals[i], &sa, NULL);
  struct sigaction ign = {.sa_handler = SIG_IGN};
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, NULL);
}

/* Attaches engine e; signals that came before cancel it now (a second one stops it). */
void run_signals_attach(engine *e) {
  sigset_t block, old;
  sigemptyset(&block);
  for (size_t i = 0; i < NSIGNALS; i++) sigaddset(&block, signals[i]);
  sigprocmask(SIG_BLOCK, &block, &old);
  target = e;
  for (int i = 0; i < received && i < 2; i++) engine_cancel(e, why_of(last_sig));
  sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Detaches the engine; the handlers stay (later signals are only counted). */
void run_signals_detach(void) {
  sigset_t block, old;
  sigemptyset(&block);
  for (size_t i = 0; i < NSIGNALS; i++) sigaddset(&block, signals[i]);
  sigprocmask(SIG_BLOCK, &block, &old);
  target = NULL;
  sigprocmask(SIG_SETMASK, &old, NULL);
}
