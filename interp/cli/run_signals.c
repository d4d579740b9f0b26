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
static volatile sig_atomic_t received;
static int pipe_fds[2] = {-1, -1};
static struct sigaction saved[NSIGNALS], saved_pipe;

/* Returns the engine_cancel reason for sig (static text). */
static const char *why_of(int sig) {
#define X(s, why) \
  if (sig == s) return why;
  RUN_SIGNALS(X)
#undef X
  return "interrupted";
}

/* The handler: cancels (then stops) the run, wakes the self-pipe, and hands a third signal back to
 * the default action. Async-signal-safe. */
static void on_signal(int sig) {
  int saved_errno = errno;
  received++;
  if (target) engine_cancel(target, why_of(sig));
  if (pipe_fds[1] >= 0) {
    char c = (char)sig;
    ssize_t n = write(pipe_fds[1], &c, 1);
    (void)n;
  }
  if (received >= 2) signal(sig, SIG_DFL);
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
int run_signals_install(engine *e) {
  int rc = make_pipe();
  target = e;
  received = 0;
  struct sigaction sa = {.sa_handler = on_signal};
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < NSIGNALS; i++) sigaction(signals[i], &sa, &saved[i]);
  struct sigaction ign = {.sa_handler = SIG_IGN};
  sigaction(SIGPIPE, &ign, &saved_pipe);
  return rc;
}

/* Restores the previous handlers and closes the pipe. */
void run_signals_restore(void) {
  for (size_t i = 0; i < NSIGNALS; i++) sigaction(signals[i], &saved[i], NULL);
  sigaction(SIGPIPE, &saved_pipe, NULL);
  target = NULL;
  for (int i = 0; i < 2; i++) {
    if (pipe_fds[i] >= 0) close(pipe_fds[i]);
    pipe_fds[i] = -1;
  }
}

/* Returns the self-pipe's read end, or -1. */
int run_signals_fd(void) { return pipe_fds[0]; }

/* Returns the number of signals received. */
int run_signals_count(void) { return (int)received; }
