/* proc.c — child processes with captured output (see proc.h). */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "valbuf.h"

extern char **environ;

struct proc {
  pid_t pid;
  int out_fd, err_fd, in_fd;  /* -1 when closed */
  const char *in;             /* stdin bytes still to write (points into in_copy) */
  char *in_copy;
  size_t in_left;
  int64_t deadline;           /* monotonic ms, INT64_MAX when none */
  bool done;
  proc_result res;
  size_t out_cap, err_cap;
};

/* Returns the monotonic time in ms. */
static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: wires the pipes and runs argv; never returns. */
static void child(const char *const *argv, const char *const *env_add, int in, int out, int err) {
  dup2(in, 0), dup2(out, 1), dup2(err, 2);
  setpgid(0, 0);
  for (size_t i = 0; env_add && env_add[i]; i++) putenv((char *)env_add[i]);
  signal(SIGPIPE, SIG_DFL);
  execvp(argv[0], (char *const *)argv);
  dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

/* Returns a started process or NULL with *err. */
proc *proc_spawn(const char *const *argv, const char *const *env_add, const char *in, size_t in_len,
                 int64_t timeout_ms, char **err) {
  int o[2] = {-1, -1}, e[2] = {-1, -1}, i[2] = {-1, -1};
  proc *p = calloc(1, sizeof *p);
  if (!p || !argv || !argv[0]) return free(p), *err = strdup("run: empty argv"), NULL;
  if (pipe(o) || pipe(e) || pipe(i)) {
    *err = strdup("cannot create pipes");
    goto fail;
  }
  p->res.out = calloc(1, 1), p->res.err = calloc(1, 1);
  p->in_copy = in_len ? malloc(in_len) : NULL;
  if (!p->res.out || !p->res.err || (in_len && !p->in_copy)) {
    *err = strdup("out of memory");
    goto fail;
  }
  if (in_len) memcpy(p->in_copy, in, in_len);
  p->in = p->in_copy, p->in_left = in_len;
  p->pid = fork();
  if (p->pid < 0) {
    *err = strdup("cannot fork");
    goto fail;
  }
  if (p->pid == 0) child(argv, env_add, i[0], o[1], e[1]);
  close(o[1]), close(e[1]), close(i[0]);
  p->out_fd = o[0], p->err_fd = e[0], p->in_fd = i[1];
  fcntl(p->out_fd, F_SETFL, O_NONBLOCK), fcntl(p->err_fd, F_SETFL, O_NONBLOCK), fcntl(p->in_fd, F_SETFL, O_NONBLOCK);
  fcntl(p->out_fd, F_SETFD, FD_CLOEXEC), fcntl(p->err_fd, F_SETFD, FD_CLOEXEC), fcntl(p->in_fd, F_SETFD, FD_CLOEXEC);
  if (!p->in_left) close(p->in_fd), p->in_fd = -1;
  p->deadline = timeout_ms > 0 ? mono_ms() + timeout_ms : INT64_MAX;
  return p;
fail:
  for (int k = 0; k < 2; k++) {
    if (o[k] >= 0) close(o[k]);
    if (e[k] >= 0) close(e[k]);
    if (i[k] >= 0) close(i[k]);
  }
  if (p) free(p->res.out), free(p->res.err), free(p->in_copy);
  free(p);
  return NULL;
}

/* Returns the number of fds to wait on. */
size_t proc_fds(const proc *p, int *fds, size_t max) {
  size_t n = 0;
  if (p->out_fd >= 0 && n < max) fds[n++] = p->out_fd;
  if (p->err_fd >= 0 && n < max) fds[n++] = p->err_fd;
  return n;
}

/* Reads what fd has; closes it at EOF. */
static void drain(int *fd, char **buf, size_t *len, size_t *cap) {
  char tmp[8192];
  while (*fd >= 0) {
    ssize_t n = read(*fd, tmp, sizeof tmp);
    if (n > 0) {
      valbuf b = {*buf, *len, *cap, false};
      valbuf_put(&b, tmp, (size_t)n);
      *buf = b.s, *len = b.len, *cap = b.cap;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    close(*fd);
    *fd = -1;
  }
}

/* Writes pending stdin bytes; closes stdin when all are written. */
static void feed(proc *p) {
  while (p->in_fd >= 0 && p->in_left) {
    ssize_t n = write(p->in_fd, p->in, p->in_left);
    if (n > 0) p->in += n, p->in_left -= (size_t)n;
    else if (n < 0 && errno == EAGAIN) return;
    else break;
  }
  if (p->in_fd >= 0) close(p->in_fd), p->in_fd = -1;
}

/* Records the exit status of a reaped child. */
static void set_status(proc *p, int ws) {
  p->res.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : 1;
  p->done = true;
}

/* Returns true once the process has finished. */
bool proc_poll(proc *p) {
  if (p->done) return true;
  feed(p);
  drain(&p->out_fd, &p->res.out, &p->res.out_len, &p->out_cap);
  drain(&p->err_fd, &p->res.err, &p->res.err_len, &p->err_cap);
  if (mono_ms() >= p->deadline) {
    kill(-p->pid, SIGKILL);
    kill(p->pid, SIGKILL);
    p->res.timed_out = true;
    int ws = 0;
    waitpid(p->pid, &ws, 0);
    set_status(p, ws);
    if (p->out_fd >= 0) close(p->out_fd), p->out_fd = -1;
    if (p->err_fd >= 0) close(p->err_fd), p->err_fd = -1;
    return true;
  }
  if (p->out_fd >= 0 || p->err_fd >= 0) return false;
  int ws = 0;
  if (waitpid(p->pid, &ws, WNOHANG) == p->pid) set_status(p, ws);
  return p->done;
}

/* Returns how long to wait before polling again. */
int64_t proc_wait_hint(const proc *p) {
  if (p->done) return 0;
  if (p->out_fd < 0 && p->err_fd < 0) return 5;
  int64_t left = p->deadline == INT64_MAX ? INT64_MAX : p->deadline - mono_ms();
  return left < 0 ? 0 : left;
}

/* Returns the result of a finished process. */
const proc_result *proc_result_of(const proc *p) { return &p->res; }

/* Kills, reaps and frees. */
void proc_free(proc *p) {
  if (!p) return;
  if (!p->done) {
    kill(-p->pid, SIGKILL);
    kill(p->pid, SIGKILL);
    waitpid(p->pid, NULL, 0);
  }
  if (p->out_fd >= 0) close(p->out_fd);
  if (p->err_fd >= 0) close(p->err_fd);
  if (p->in_fd >= 0) close(p->in_fd);
  free(p->res.out), free(p->res.err), free(p->in_copy);
  free(p);
}

/* Runs a process to completion. */
bool proc_run_sync(const char *const *argv, const char *const *env_add, const char *in, size_t in_len,
                   int64_t timeout_ms, proc_result *res, char **err) {
  proc *p = proc_spawn(argv, env_add, in, in_len, timeout_ms, err);
  if (!p) return false;
  while (!proc_poll(p)) {
    struct pollfd pf[2];
    int fds[2];
    size_t n = proc_fds(p, fds, 2);
    for (size_t i = 0; i < n; i++) pf[i] = (struct pollfd){fds[i], POLLIN, 0};
    int64_t hint = proc_wait_hint(p);
    poll(pf, n, hint > 1000 ? 1000 : (int)hint);
  }
  *res = p->res;
  p->res.out = p->res.err = NULL;
  proc_free(p);
  return true;
}
