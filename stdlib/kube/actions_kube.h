/* actions_kube.h — the real actions (interp/actions.h) over the HTTP transports: cluster actions
 * with kubectl's requests and decisions, endpoints, notification channels, run() and
 * write_file(). One implementation serves real runs (libcurl, kubeconfig, processes, files) and
 * rehearsals (the simulator in-process, in virtual time; run() answered by process stubs;
 * write_file under a scratch directory; webhooks recorded instead of sent).
 *
 * Handles: kube() → "cluster NAMESPACE (context C)", http() → "endpoint URL", service() →
 * "service NAME:PORT", slack()/webhook()/console()/logfile() → channels. Credentials and secret
 * arguments are kept inside the handles and revealed only in the requests sent.
 *
 * Ownership: the config's strings and JSON are copied; sim (if any) is borrowed and must outlive
 * the actions. Free with the interface's free(). */
#ifndef RBK_ACTIONS_KUBE_H
#define RBK_ACTIONS_KUBE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "actions.h"

struct sim_world;

typedef struct {
  struct sim_world *sim;      /* rehearsal: the simulated world (borrowed); NULL: libcurl */
  int64_t sim_base_ms;        /* the engine clock's reading at the world's virtual 0 */
  int64_t wall_base_ms;       /* wall-clock ms at engine clock 0 (virtual runs); -1: real time */
  const char *kubeconfig;     /* --kubeconfig (kube(kubeconfig:) wins), or NULL */
  const char *context;        /* --context (kube(context:) wins), or NULL */
  const char *scratch_dir;    /* rehearsal: write_file writes below it; NULL: a real run writes
                                 where the path says */
  const json_t *process_stubs; /* rehearsal: [{"argv": [glob…], "status": 0, "stdout": "",
                                  "stderr": ""}] answering run() */
  uint64_t seed;              /* retry jitter PRNG seed (0: a fixed default) */
  /* Rehearsal: receives every slack/webhook notification instead of sending it (e.g.
   * plant_record_webhook); may be NULL (then they are dropped, still reported as sent). */
  void (*record_webhook)(void *user, const char *url, const char *body);
  void *record_user;
  FILE *console;              /* console() output; NULL → stderr */
  FILE *log;                  /* one line per decision taken after a write's answer was lost
                                 (sent again after a read-back); NULL → stderr */
  /* Environment lookups for kubeconfig (KUBECONFIG, HOME, in-cluster); NULL → getenv. */
  const char *(*getenv)(void *user, const char *name);
  void *env_user;
  const char *sa_dir;         /* in-cluster service-account dir; NULL → the standard one */
} actions_kube_config;

/* Returns the actions, or NULL with *err set (caller frees). */
rbk_actions *actions_kube_new(const actions_kube_config *cfg, char **err);

#endif
