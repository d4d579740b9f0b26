/* proc_transport.h — an asynchronous process transport: run a program locally (run()) or a
 * command in a pod (exec()); processes start at once and complete later, from poll(), in the
 * caller's event loop (no thread per process). The process counterpart of http.h.
 *
 * Two implementations share this interface:
 *  - proc_local_new(): real processes (base/proc.h: fork/exec without a shell, output through
 *    non-blocking pipes, a timeout kills the process group); exec speaks the API server's
 *    pods/exec WebSocket protocol itself (proc_ws.h: libwebsockets, v5.channel.k8s.io) with the
 *    cluster's server, TLS and credentials;
 *  - proc_sim_new() (sim/proc_sim.h): the simulator in virtual time — run() is answered by the
 *    scenario's process stubs, exec runs the command in the simulated pod at the request's time.
 *
 * Callbacks: on_done is called exactly once per started process, only from inside poll(), never
 * from start(), unless cancel() came first. Callbacks may start and cancel processes.
 *
 * Ownership: every field of a request is borrowed for the duration of start() (the transport
 * copies what it keeps). An outcome passed to on_done is borrowed for the callback. */
#ifndef RBK_PROC_TRANSPORT_H
#define RBK_PROC_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What to run: X(ENUM_SUFFIX, "name"). */
#define PROC_KINDS(X)                                                                          \
  X(RUN, "run")     /* argv as a local process */                                             \
  X(EXEC, "exec")   /* argv inside a pod's container */

typedef enum {
#define X(k, name) PROC_##k,
  PROC_KINDS(X)
#undef X
} proc_kind;

/* TLS material for an exec connection; every pointer may be NULL. *_data are PEM bytes. (The
 * process layer sits beside the HTTP one, so this mirrors http_tls rather than including it.) */
typedef struct {
  const char *ca_file, *ca_data;
  size_t ca_len;
  const char *cert_file, *cert_data;
  size_t cert_len;
  const char *key_file, *key_data;
  size_t key_len;
  bool insecure; /* insecure-skip-tls-verify */
} proc_tls;

/* The default cap of an exec's output (stdout and stderr together): 16 MiB. */
#define PROC_MAX_OUTPUT_DEFAULT ((size_t)16 << 20)

/* One process. */
typedef struct {
  proc_kind kind;
  const char *const *argv;  /* NULL-terminated, non-empty: the program, or the command in the pod */
  const char *shown;        /* the command as messages show it (secrets masked), e.g. "psql -c x" */
  int64_t timeout_ms;       /* <= 0: none */
  /* exec only: */
  const char *ns;           /* the pod's namespace */
  const char *ref;          /* "pod/x" (the simulator also resolves "deployment/x", …) */
  const char *container;    /* NULL: the first container */
  const char *server;       /* the API server's URL ("https://host:port[/prefix]") */
  const char *const *headers; /* "Name: value" lines sent with the upgrade (Authorization; secret) */
  size_t n_headers;
  const proc_tls *tls;      /* NULL: the system's CAs, verification on */
  size_t max_output;        /* the most stdout + stderr bytes accepted; 0: PROC_MAX_OUTPUT_DEFAULT */
} proc_request;

/* A finished process. */
typedef struct {
  int status;               /* exit code; 128 + signal number when killed by a signal */
  bool timed_out;           /* killed because timeout_ms passed */
  const char *out, *err;    /* captured stdout and stderr, NUL-terminated */
  const char *error;        /* exec: why there is no exit status (the connection failed, the server
                               refused the upgrade, the output passed max_output), else NULL */
  bool lost;                /* exec: the request was sent (the command may have run) and the connection
                               ended without its exit status: the outcome is unknown */
  int refused;              /* exec: the HTTP status with which the server refused the upgrade (401,
                               403, 404, …; nothing ran), else 0 */
} proc_outcome;

/* What a process reports back. */
typedef struct {
  void *user;
  void (*on_done)(void *user, const proc_outcome *res);
} proc_callbacks;

typedef struct proc_transport {
  void *self;
  /* Starts a process at time now_ms (the caller's clock); returns its id (never 0), or 0 with
   * *err set (caller frees) when it cannot start ("cannot run kubectl: …", "no stub for argv …",
   * "pods \"x\" not found"); then no callback runs. */
  uint64_t (*start)(void *self, const proc_request *req, int64_t now_ms, const proc_callbacks *cb, char **err);
  /* Stops a process (killed) and drops its callback; unknown ids are ignored. */
  void (*cancel)(void *self, uint64_t id);
  /* Returns when the next callback is due if nothing else happens (virtual time), or INT64_MAX
   * when none is scheduled or completions depend on real I/O. */
  int64_t (*next_event)(void *self, int64_t now_ms);
  /* Returns the file descriptors to wait on for POLLIN (at most max, written to fds) and lowers
   * *wait_ms to how long the caller may wait before polling again. */
  size_t (*fds)(void *self, int *fds, size_t max, int64_t *wait_ms);
  /* Runs the callbacks of processes finished by now_ms (never blocks). */
  void (*poll)(void *self, int64_t now_ms);
  /* Returns the number of processes in flight. */
  size_t (*pending)(void *self);
  /* Kills everything and frees the transport; may be NULL. */
  void (*free)(void *self);
} proc_transport;

/* Returns a transport running real processes, or NULL with *err set (caller frees). */
proc_transport *proc_local_new(char **err);

#endif
