/* sim_valid.h — validation as the API server does it: field errors collected into a 422 `Invalid`
 * Status with `details.causes`, worded like k8s.io/apimachinery's field.Error (values printed the
 * way Go's %q / %#v print them), and the per-kind checks (sim_valid_kinds.c).
 *
 * Ownership: errs is an array the caller owns; functions adding to it copy what they are given.
 * Functions returning json_t * or char * return new values (caller owns). Objects are borrowed.
 */
#ifndef RBK_SIM_VALID_H
#define RBK_SIM_VALID_H

/* The most pods one workload may ask for (Deployment and ReplicaSet spec.replicas, Job
 * spec.parallelism and spec.completions): more is refused as Invalid, since the simulated world
 * holds every pod in memory and a typo such as --replicas=1000000 must not exhaust the server.
 * A scenario may lower it for its world (cluster.max_replicas, sim_world.max_replicas). */
#define SIM_VALID_MAX_REPLICAS 1000

#include <jansson.h>

#include "sim_res.h"

/* How a value is to be printed (Go's %#v of the Kubernetes type it decodes into). */
typedef enum { SIMV_PLAIN, SIMV_MAP, SIMV_SELECTOR, SIMV_STRINGS } simv_hint;

/* Returns the value as field.Error prints it: "x" for strings, 3 for numbers,
 * map[string]string{"a":"b"}, v1.LabelSelector{…}, []string{"a"} (caller frees). */
char *sim_valid_go(const json_t *v, simv_hint hint);

/* Adds `FIELD: Invalid value: VALUE: DETAIL` (FieldValueInvalid). */
void sim_valid_invalid(json_t *errs, const char *field, const json_t *value, simv_hint hint, const char *detail);
/* Adds `FIELD: Required value[: DETAIL]` (FieldValueRequired; detail may be NULL). */
void sim_valid_required(json_t *errs, const char *field, const char *detail);
/* Adds `FIELD: Unsupported value: VALUE: supported values: SUPPORTED` (FieldValueNotSupported);
 * supported is already quoted: "\"Always\"". */
void sim_valid_unsupported(json_t *errs, const char *field, const json_t *value, simv_hint hint, const char *supported);
/* Adds `FIELD: Duplicate value: VALUE` (FieldValueDuplicate). */
void sim_valid_duplicate(json_t *errs, const char *field, const json_t *value);

/* Returns the 422 Status `Kind.group "name" is invalid: …` for the collected errors (takes errs),
 * or NULL (errs released) when there are none. group_kind overrides the resource's ("CreateOptions.meta.k8s.io"). */
json_t *sim_valid_status(simr_kind res, const char *group_kind, const char *name, json_t *errs);

/* Adds the errors of a name: DNS-1123 subdomain, DNS-1123 label or DNS-1035 label syntax. */
typedef enum { SIMV_SUBDOMAIN, SIMV_LABEL, SIMV_DNS1035 } simv_name_rule;
void sim_valid_name(json_t *errs, const char *field, const char *name, simv_name_rule rule);
/* Adds the errors of a labels map (keys: qualified names; values: label values). */
void sim_valid_labels(json_t *errs, const char *field, const json_t *labels);
/* Returns the message of a value that is not a valid label value, or NULL (static). */
const char *sim_valid_label_value_error(const char *v);

/* Validates an object of kind res after defaulting (old: the stored object on update, else NULL;
 * max_pods: the most pods one workload may ask for, the world's max_replicas); returns the 422
 * Status, or NULL when valid. (sim_valid_kinds.c) */
json_t *sim_valid_object(simr_kind res, const json_t *obj, const json_t *old, int max_pods);

#endif
