/* sim_status.c — building Status objects. */
#include "sim_status.h"

#include <stdlib.h>
#include <string.h>

#include "sim_util.h"

static const struct {
  int code;
  const char *reason;
} reasons[] = {
#define X(e, code, reason) {code, reason},
    SIMST_REASONS(X)
#undef X
};

/* Returns a failure Status (takes details, which may be NULL). */
json_t *sim_status_status(simst_reason r, const char *message, json_t *details) {
  json_t *s = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s}", "kind", "Status", "apiVersion", "v1", "metadata",
                        "status", "Failure", "message", message ? message : "", "reason", reasons[r].reason);
  if (details) json_object_set_new(s, "details", details);
  json_object_set_new(s, "code", json_integer(reasons[r].code));
  return s;
}

/* Returns {"name":…,"group":…,"kind":…} for a resource (group omitted for the core group). */
static json_t *details_for(simr_kind res, const char *name, const char *kind) {
  json_t *d = json_object();
  if (name) sim_util_jset_str(d, "name", name);
  if (sim_res_info_of(res)->group[0]) sim_util_jset_str(d, "group", sim_res_info_of(res)->group);
  sim_util_jset_str(d, "kind", kind);
  return d;
}

/* Returns `deployments.apps "x" not found`. */
json_t *sim_status_not_found(simr_kind res, const char *name) {
  char *msg = strutil_printf("%s \"%s\" not found", sim_res_qualified(res), name);
  json_t *s = sim_status_status(SIMST_NOT_FOUND, msg, details_for(res, name, sim_res_info_of(res)->plural));
  free(msg);
  return s;
}

/* Returns `configmaps "x" already exists`. */
json_t *sim_status_already_exists(simr_kind res, const char *name) {
  char *msg = strutil_printf("%s \"%s\" already exists", sim_res_qualified(res), name);
  json_t *s = sim_status_status(SIMST_ALREADY_EXISTS, msg, details_for(res, name, sim_res_info_of(res)->plural));
  free(msg);
  return s;
}

/* Returns the optimistic-concurrency Conflict ("the object has been modified; …"). */
json_t *sim_status_conflict(simr_kind res, const char *name) {
  char *msg = strutil_printf("Operation cannot be fulfilled on %s \"%s\": the object has been modified; please "
                          "apply your changes to the latest version and try again",
                          sim_res_qualified(res), name);
  json_t *s = sim_status_status(SIMST_CONFLICT, msg, details_for(res, name, sim_res_info_of(res)->plural));
  free(msg);
  return s;
}

/* Returns `Deployment.apps "x" is invalid: FIELD: Invalid value: VALUE: DETAIL` (takes value). */
json_t *sim_status_invalid(simr_kind res, const char *name, const char *field, json_t *value, const char *detail) {
  char *v = json_dumps(value, SIMU_JSON_FLAGS);
  char *cause = strutil_printf("Invalid value: %s: %s", v ? v : "null", detail);
  const simr_info *info = sim_res_info_of(res);
  char *kind = info->group[0] ? strutil_printf("%s.%s", info->kind, info->group) : strdup(info->kind);
  char *msg = strutil_printf("%s \"%s\" is invalid: %s: %s", kind, name, field, cause);
  json_t *d = details_for(res, name, info->kind);
  json_object_set_new(d, "causes", json_pack("[{s:s,s:s,s:s}]", "reason", "FieldValueInvalid", "message", cause,
                                             "field", field));
  json_t *s = sim_status_status(SIMST_INVALID, msg, d);
  free(v), free(cause), free(kind), free(msg);
  json_decref(value);
  return s;
}

/* Returns the generic 404 for an unknown path. */
json_t *sim_status_no_resource(void) {
  return sim_status_status(SIMST_NOT_FOUND, "the server could not find the requested resource", json_object());
}

/* Returns a success Status (for deletions that answer with one). */
json_t *sim_status_success(simr_kind res, const char *name, const char *uid) {
  json_t *d = details_for(res, name, sim_res_info_of(res)->plural);
  if (uid) sim_util_jset_str(d, "uid", uid);
  return json_pack("{s:s,s:s,s:{},s:s,s:o}", "kind", "Status", "apiVersion", "v1", "metadata", "status",
                   "Success", "details", d);
}
