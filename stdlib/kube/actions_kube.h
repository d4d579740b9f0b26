/* actions_kube.h — the real actions (interp/actions.h) over two transports: cluster actions with
 * kubectl's requests and decisions, endpoints, notification channels, run() and write_file().
 * Every request goes through an http_transport (http.h) and every process through a
 * proc_transport (proc_transport.h). One implementation, one request path, serves real runs
 * (the default transports: libcurl and real processes) and rehearsals (the caller passes the
 * simulator's backends, sim/http_sim.h and sim/proc_sim.h, a kubeconfig document naming the
 * simulated API server, virtual time, and a scratch directory for write_file). Nothing here knows
 * the simulator.
 *
 * Handles: kube() → "cluster NAMESPACE (context C)", http() → "endpoint URL", service() →
 * "service NAME:PORT", slack()/webhook()/console()/logfile() → channels. Credentials and secret
 * arguments are kept inside the handles and revealed only in the requests sent.
 *
 * Ownership: the config's strings are copied; the transports are taken (freed with the actions,
 * also when actions_kube_new fails). Free with the interface's free(). */
#ifndef RBK_ACTIONS_KUBE_H
#define RBK_ACTIONS_KUBE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "actions.h"
#include "http.h"
#include "proc_transport.h"

typedef struct {
  http_transport *http;       /* requests (taken); NULL: libcurl (http_curl_new) */
  proc_transport *procs;      /* run() and exec (taken); NULL: real processes (proc_local_new) */
  bool virtual_time;          /* the engine's clock is virtual (rehearsals): every due time counts */
  int64_t wall_base_ms;       /* wall-clock ms at engine clock 0 (virtual runs); -1: real time */
  const char *kubeconfig;     /* --kubeconfig (kube(kubeconfig:) wins), or NULL */
  const char *context;        /* --context (kube(context:) wins), or NULL */
  /* A kubeconfig document (YAML) every kube() uses instead of files, ignoring kube(kubeconfig:)
   * and kube(context:): a rehearsal's simulated cluster (HTTP_SIM_KUBECONFIG); its handles are
   * described without the context ("cluster NS"). NULL: files as kubectl finds them. */
  const char *kubeconfig_doc;
  const char *scratch_dir;    /* rehearsal: write_file writes below it; NULL: a real run writes
                                 where the path says */
  uint64_t seed;              /* retry jitter PRNG seed (0: a fixed default) */
  FILE *console;              /* console() output; NULL → stderr */
  FILE *log;                  /* one line per decision taken after a write's answer was lost
                                 (sent again after a read-back); NULL → stderr */
  /* Environment lookups for kubeconfig (KUBECONFIG, HOME, in-cluster); NULL → getenv. */
  const char *(*getenv)(void *user, const char *name);
  void *env_user;
  const char *sa_dir;         /* in-cluster service-account dir; NULL → the standard one */
  size_t max_response;        /* the longest API answer accepted (bytes); 0: HTTP_MAX_BODY_DEFAULT */
} actions_kube_config;

/* Returns the actions, or NULL with *err set (caller frees). */
rbk_actions *actions_kube_new(const actions_kube_config *cfg, char **err);

#endif
