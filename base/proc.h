/* proc.h — child processes without a shell, for run(), `kubectl exec` and exec credential
 * plugins: argv is executed directly (execvp), stdout and stderr are captured through
 * non-blocking pipes that the caller polls in its own event loop, stdin is given bytes or
 * /dev/null, and a timeout kills the process (SIGKILL to its process group).
 *
 * Ownership: proc_spawn returns a process the caller frees with proc_free (which kills it when it
 * still runs and reaps it). Strings in a proc_result belong to the process. */
#ifndef RBK_PROC_H
#define RBK_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct proc proc;

/* What a finished process left. */
typedef struct {
  int status;        /* exit code; 128 + signal number when killed by a signal */
  bool timed_out;    /* killed because its timeout passed */
  char *out, *err;   /* NUL-terminated captured output */
  size_t out_len, err_len;
} proc_result;

/* Returns a started process, or NULL with *err set ("cannot run kubectl: No such file or
 * directory"). env_add: "NAME=value" entries added to the environment (NULL-terminated or NULL).
 * timeout_ms <= 0: none. */
proc *proc_spawn(const char *const *argv, const char *const *env_add, const char *in, size_t in_len,
                 int64_t timeout_ms, char **err);
/* Returns the number of file descriptors to wait on (at most max), written to fds. */
size_t proc_fds(const proc *p, int *fds, size_t max);
/* Reads what is available without blocking, enforces the timeout, reaps; returns true once the
 * process has finished (then proc_result is valid). */
bool proc_poll(proc *p);
/* Returns how long the caller may wait before polling again (ms), e.g. until the timeout. */
int64_t proc_wait_hint(const proc *p);
/* Returns the result of a finished process (borrowed). */
const proc_result *proc_result_of(const proc *p);
/* Kills (when running), reaps and frees; NULL is fine. */
void proc_free(proc *p);

/* Runs a process to completion (blocking); returns true with its result in *res (the caller frees
 * res->out and res->err), or false with *err set when it could not start. */
bool proc_run_sync(const char *const *argv, const char *const *env_add, const char *in, size_t in_len,
                   int64_t timeout_ms, proc_result *res, char **err);

#endif
