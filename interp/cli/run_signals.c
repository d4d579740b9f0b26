/* run_signals.c — cancelling a run on SIGINT/SIGTERM/SIGHUP (see run_signals.h). */
#include "run_signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

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
static int pipe_fds[2] = {-1, -1};

/* Returns the engine_cancel reason for sig (static text). */
static const char *why_of(int sig) {
#define X(s, why) \
  if (sig == s) return why;
  RUN_SIGNALS(X)
#undef X
  return "interrupted";
}

/* The handler: counts the signal, cancels (then stops) the run when one is attached, and wakes
 * the self-pipe. Every signal is handled the same way, however many arrive: the run ends with
 * exit 3 and a complete journal. Async-signal-safe. */
static void on_signal(int sig) {
  int saved_errno = errno;
  received++;
  last_sig = sig;
  if (target) engine_cancel(target, why_of(sig));
  if (pipe_fds[1] >= 0) {
    char c = (char)sig;
    ssize_t n = write(pipe_fds[1], &c, 1);
    (void)n;
  }
  errno = saved_errno;
}

/* Makes the non-blocking, close-on-exec self-pipe; returns 0 or -1. */
static int make_pipe(void) {
  if (pipe(pipe_fds) != 0) {
    pipe_fds[0] = pipe_fds[1] = -1;
    return -1;
  }
  for (int i = 0; i < 2; i++) {
    fcntl(pipe_fds[i], F_SETFL, fcntl(pipe_fds[i], F_GETFL) | O_NONBLOCK);
    fcntl(pipe_fds[i], F_SETFD, FD_CLOEXEC);
  }
  return 0;
}

/* Installs the handlers (see run_signals.h); returns 0 or -1. */
int run_signals_install(void) {
  int rc = pipe_fds[0] >= 0 ? 0 : make_pipe();
  struct sigaction sa = {.sa_handler = on_signal};
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < NSIGNALS; i++) sigaddset(&sa.sa_mask, signals[i]); /* one handler at a time */
  for (size_t i = 0; i < NSIGNALS; i++) sigaction(signals[i], &sa, NULL);
  struct sigaction ign = {.sa_handler = SIG_IGN};
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, NULL);
  return rc;
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

/* Returns the self-pipe's read end, or -1. */
int run_signals_fd(void) { return pipe_fds[0]; }

/* Returns the number of signals received. */
int run_signals_count(void) { return (int)received; }
