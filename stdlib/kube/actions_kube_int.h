/* actions_kube_int.h — internals shared by actions_kube*.c and lease.c (not a public header).
 *
 * Ownership: akube owns its config strings, stubs and channels; action requests, handles and ops
 * are borrowed.
 */
#ifndef RBK_ACTIONS_KUBE_INT_H
#define RBK_ACTIONS_KUBE_INT_H

#include "actions_kube.h"
#include "kube.h"
#include "kube_op.h"

/* A channel handle's data. */
typedef enum { CH_SLACK, CH_WEBHOOK, CH_CONSOLE, CH_LOGFILE } ch_type;
typedef struct {
  ch_type type;
  char *url;      /* slack/webhook (may be a secret's plaintext: never shown) */
  char *channel;  /* slack */
  char *path;     /* logfile */
  char *desc;
} ak_channel;

typedef struct {
  rbk_actions iface;
  kube_rt rt;
  actions_kube_config cfg;   /* strings below point to the copies */
  char *kubeconfig, *context, *scratch, *kubeconfig_doc;
} akube;

/* Returns the akube of an interface built by actions_kube_new, or NULL for another kind. */
akube *actions_kube_of(rbk_actions *a);
/* Returns the connection of a cluster or endpoint handle (borrowed), or NULL. */
kube_conn *actions_kube_conn(const rbk_value *handle);

/* Local actions and channels (actions_kube_local.c). */
bool actions_kube_run(kube_op *op, const rbk_action_req *req);
bool actions_kube_write_file(akube *ak, kube_op *op, const rbk_action_req *req);
/* Starts sending text to a channel; fails the op when it cannot. */
void actions_kube_notify(akube *ak, kube_op *op, const ak_channel *ch, const char *text);

#endif
