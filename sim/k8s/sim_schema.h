/* sim_schema.h — the one table of the modelled kinds' fields: the OpenAPI documents
 * (sim_api_openapi.c, sim_api_openapi_pb.c) and the API door's decoding checks (field types and, under
 * fieldValidation=Strict, unknown fields) are generated from it.
 *
 * A type is either described field by field (every field the real type has, so that no valid
 * manifest is refused) or left open (SIMSC_OBJ: any object, e.g. `status`, `affinity`).
 *
 * Ownership: the table and every name it returns are static; functions returning json_t * or
 * char * return new values the caller owns; arguments are borrowed.
 */
#ifndef RBK_SIM_SCHEMA_H
#define RBK_SIM_SCHEMA_H

#include <stdbool.h>

#include <jansson.h>

#include "sim_res.h"

/* The described types: X(ENUM, OpenAPI name, Go type name as the decoder prints it, description). */
#define SIMSC_TYPES(X)                                                                                       \
  X(NONE, "", "", "")                                                                                         \
  X(OBJECT_META, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "v1.ObjectMeta",                          \
    "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must "   \
    "create.")                                                                                                \
  X(LABEL_SELECTOR, "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector", "v1.LabelSelector",                 \
    "A label selector is a label query over a set of resources. The result of matchLabels and "               \
    "matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches " \
    "no objects.")                                                                                            \
  X(POD_TEMPLATE_SPEC, "io.k8s.api.core.v1.PodTemplateSpec", "v1.PodTemplateSpec",                            \
    "PodTemplateSpec describes the data a pod should have when created from a template")                      \
  X(POD_SPEC, "io.k8s.api.core.v1.PodSpec", "v1.PodSpec", "PodSpec is a description of a pod.")               \
  X(CONTAINER, "io.k8s.api.core.v1.Container", "v1.Container",                                                \
    "A single application container that you want to run within a pod.")                                     \
  X(CONTAINER_PORT, "io.k8s.api.core.v1.ContainerPort", "v1.ContainerPort",                                   \
    "ContainerPort represents a network port in a single container.")                                         \
  X(ENV_VAR, "io.k8s.api.core.v1.EnvVar", "v1.EnvVar",                                                        \
    "EnvVar represents an environment variable present in a Container.")                                      \
  X(POD, "io.k8s.api.core.v1.Pod", "v1.Pod",                                                                  \
    "Pod is a collection of containers that can run on a host. This resource is created by clients and "      \
    "scheduled onto hosts.")                                                                                  \
  X(SERVICE, "io.k8s.api.core.v1.Service", "v1.Service",                                                      \
    "Service is a named abstraction of software service (for example, mysql) consisting of local port (for "  \
    "example 3306) that the proxy listens on, and the selector that determines which pods will answer "      \
    "requests sent through the proxy.")                                                                       \
  X(SERVICE_SPEC, "io.k8s.api.core.v1.ServiceSpec", "v1.ServiceSpec",                                         \
    "ServiceSpec describes the attributes that a user creates on a service.")                                 \
  X(SERVICE_PORT, "io.k8s.api.core.v1.ServicePort", "v1.ServicePort",                                         \
    "ServicePort contains information on service's port.")                                                    \
  X(CONFIG_MAP, "io.k8s.api.core.v1.ConfigMap", "v1.ConfigMap",                                               \
    "ConfigMap holds configuration data for pods to consume.")                                                \
  X(SECRET, "io.k8s.api.core.v1.Secret", "v1.Secret",                                                         \
    "Secret holds secret data of a certain type. The total bytes of the values in the Data field must be "    \
    "less than MaxSecretSize bytes.")                                                                         \
  X(NAMESPACE, "io.k8s.api.core.v1.Namespace", "v1.Namespace",                                                \
    "Namespace provides a scope for Names. Use of multiple namespaces is optional.")                          \
  X(EVENT, "io.k8s.api.core.v1.Event", "v1.Event",                                                            \
    "Event is a report of an event somewhere in the cluster.")                                                \
  X(DEPLOYMENT, "io.k8s.api.apps.v1.Deployment", "v1.Deployment",                                             \
    "Deployment enables declarative updates for Pods and ReplicaSets.")                                       \
  X(DEPLOYMENT_SPEC, "io.k8s.api.apps.v1.DeploymentSpec", "v1.DeploymentSpec",                                \
    "DeploymentSpec is the specification of the desired behavior of the Deployment.")                         \
  X(REPLICA_SET, "io.k8s.api.apps.v1.ReplicaSet", "v1.ReplicaSet",                                            \
    "ReplicaSet ensures that a specified number of pod replicas are running at any given time.")              \
  X(REPLICA_SET_SPEC, "io.k8s.api.apps.v1.ReplicaSetSpec", "v1.ReplicaSetSpec",                               \
    "ReplicaSetSpec is the specification of a ReplicaSet.")                                                   \
  X(JOB, "io.k8s.api.batch.v1.Job", "v1.Job", "Job represents the configuration of a single job.")             \
  X(JOB_SPEC, "io.k8s.api.batch.v1.JobSpec", "v1.JobSpec", "JobSpec describes how the job execution will look like.") \
  X(LEASE, "io.k8s.api.coordination.v1.Lease", "v1.Lease", "Lease defines a lease concept.")                  \
  X(LEASE_SPEC, "io.k8s.api.coordination.v1.LeaseSpec", "v1.LeaseSpec",                                       \
    "LeaseSpec is a specification of a Lease.")

typedef enum {
#define X(e, ...) SIMSC_T_##e,
  SIMSC_TYPES(X)
#undef X
  SIMSC_T_COUNT
} simsc_type;

/* The shapes of a field's value. */
typedef enum {
  SIMSC_STR,     /* string */
  SIMSC_TIME,    /* string, format date-time */
  SIMSC_INT32,   /* integer, format int32 */
  SIMSC_INT64,   /* integer, format int64 */
  SIMSC_BOOL,    /* boolean */
  SIMSC_IOS,     /* int-or-string */
  SIMSC_MAPSTR,  /* object of strings */
  SIMSC_ARRSTR,  /* array of strings */
  SIMSC_OBJ,     /* any object */
  SIMSC_ARROBJ,  /* array of any objects */
  SIMSC_REF,     /* an object of the ref type */
  SIMSC_ARRREF,  /* an array of objects of the ref type */
} simsc_shape;

/* One field of a described type. */
typedef struct {
  simsc_type owner;
  const char *name;
  simsc_shape shape;
  simsc_type ref;        /* for SIMSC_REF / SIMSC_ARRREF */
  bool required;
  const char *merge_key; /* x-kubernetes-patch-merge-key of a list merged by key, or NULL */
  const char *description;
} simsc_field;

/* Returns the type's OpenAPI name ("io.k8s.api.apps.v1.Deployment") (static). */
const char *sim_schema_type_name(simsc_type t);
/* Returns the fields table (static) and its length in *n. */
const simsc_field *sim_schema_fields(size_t *n);

/* Returns the OpenAPI schema of a type (new): v3 when v3, else Swagger 2.0 ($refs under
 * #/components/schemas/ or #/definitions/). */
json_t *sim_schema_schema(simsc_type t, bool v3);

/* Checks obj's field types (and, when strict, that every field of a described type is known) as
 * the API server's decoder does; returns NULL when fine, else the decoder's words (caller frees):
 * `json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.command
 * of type []string` or `strict decoding error: unknown field "spec.replica"`. */
char *sim_schema_check(simr_kind res, const json_t *obj, bool strict);

#endif
