/* kube.h — the cluster, endpoint and local actions as state machines over kube_op.h, and the
 * helpers they share. Each kube_* start function begins an action for a started op (its
 * connection set) and returns false after failing the op when it cannot even start.
 * docs/actions.md lists every action's requests, decisions, errors and retries.
 *
 * Ownership: requests, values and JSON arguments are borrowed; kube_arg returns a borrowed value;
 * the char * and json_t * results are new (caller frees / decrefs).
 */
#ifndef RBK_KUBE_H
#define RBK_KUBE_H

#include <stdbool.h>

#include <jansson.h>

#include "actions.h"
#include "kube_kinds.h"
#include "kube_op.h"

/* Returns argument `name` of the call (borrowed), or NULL when absent. */
rbk_value *kube_arg(const rbk_action_req *req, const char *name);
/* Returns a value's text with secrets revealed (for requests only; caller frees), NULL for NULL. */
char *kube_text(const rbk_value *v);
/* Returns NULL when the text of v (a string or secret; an object's keys and values) may go into
 * a URL or a header line, else the one-line refusal "WHAT holds a CR, LF or NUL: refused
 * (nothing was sent)" (caller frees). */
char *kube_check_line(const rbk_value *v, const char *what);
/* Returns NULL when every argument of req that goes into a URL or a header (ref, kind, selector,
 * field, path, name, container, an object's metadata name and namespace) passes
 * kube_check_line, else the refusal (caller frees). */
char *kube_check_args(const rbk_action_req *req);
/* Returns the JSON of a value with secrets revealed (for request bodies; caller owns). */
json_t *kube_json(const rbk_value *v);
/* Returns the kind named by the call's `kind` argument; fails op (`unknown kind "x"`) and
 * returns NULL otherwise. */
const kube_kind *kube_arg_kind(kube_op *op, const rbk_action_req *req);
/* Returns true after parsing the ref argument `name`; fails op otherwise. */
bool kube_arg_ref(kube_op *op, const rbk_action_req *req, const char *name, kube_ref *ref);
/* Returns "k=v,k2=v2" from a selector argument (a string, or an object of labels); NULL when
 * absent. Caller frees. */
char *kube_selector(const rbk_value *v);
/* Returns the label selector text of a LabelSelector object (matchLabels, matchExpressions).
 * Caller frees. */
char *kube_label_selector(const json_t *sel);
/* Returns true when two pod templates are equal as Kubernetes compares them (null, {} and []
 * dropped, the pod-template-hash label ignored). */
bool kube_template_equal(const json_t *a, const json_t *b);
/* Returns a copy of a pod template without the pod-template-hash label (caller owns). */
json_t *kube_template_clean(const json_t *t);
/* Returns the revision annotation of an object, or -1. */
long kube_revision(const json_t *obj);
/* Returns a new array of the ReplicaSets of list `items` controlled by uid, sorted by revision. */
json_t *kube_owned_sorted(const json_t *items, const char *uid);
/* Ends op with the JSON value j converted to a value. */
void kube_finish_json(kube_op *op, const json_t *j);
/* Ends op with a process's {status, stdout, stderr} (NULL texts as ""). */
void kube_finish_proc(kube_op *op, int status, const char *out, const char *err);
/* Returns o.a.b (borrowed), or NULL. */
json_t *kube_at2(const json_t *o, const char *a, const char *b);
/* Returns the resourceVersion of an object (borrowed, "" when missing). */
const char *kube_rv(const json_t *o);
/* Returns the op's state, allocated zeroed on first use with size n (freed with the op). */
void *kube_state(kube_op *op, size_t n, void (*free_fn)(void *));

/* Reads (kube_read.c). */
bool kube_get(kube_op *op, const rbk_action_req *req);
bool kube_exists(kube_op *op, const rbk_action_req *req);
bool kube_list(kube_op *op, const rbk_action_req *req);
bool kube_events(kube_op *op, const rbk_action_req *req);
bool kube_history(kube_op *op, const rbk_action_req *req);
/* Rollouts (kube_rollout.c, kube_status.c). */
bool kube_rollout_undo(kube_op *op, const rbk_action_req *req);
bool kube_rollout_restart(kube_op *op, const rbk_action_req *req);
bool kube_rollout_status(kube_op *op, const rbk_action_req *req);
/* Waits (kube_wait.c). */
bool kube_wait_deleted(kube_op *op, const rbk_action_req *req);
bool kube_wait_ready(kube_op *op, const rbk_action_req *req);
/* Writes (kube_write.c). */
bool kube_scale(kube_op *op, const rbk_action_req *req);
bool kube_patch(kube_op *op, const rbk_action_req *req);
bool kube_apply(kube_op *op, const rbk_action_req *req);
bool kube_create(kube_op *op, const rbk_action_req *req);
bool kube_delete(kube_op *op, const rbk_action_req *req);
/* Jobs and exec (kube_job.c). */
bool kube_job(kube_op *op, const rbk_action_req *req);
bool kube_exec(kube_op *op, const rbk_action_req *req);
/* Logs (kube_logs.c): a pod's or a Job's pods' log text. */
bool kube_logs(kube_op *op, const rbk_action_req *req);
/* Endpoints (kube_endpoint.c): get/post/put/delete on an endpoint handle. */
bool kube_endpoint(kube_op *op, const rbk_action_req *req);

#endif
