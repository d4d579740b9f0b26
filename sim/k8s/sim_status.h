/* sim_status.h — Kubernetes Status objects for API errors, exactly as the API server words them.
 * Every function returns a new Status object (caller owns the reference).
 *
 * Ownership: arguments are borrowed except `details` and `value`, which are taken; every function
 * returns a new Status object (caller decrefs).
 */
#ifndef RBK_SIM_STATUS_H
#define RBK_SIM_STATUS_H

#include <jansson.h>

#include "sim_res.h"

/* Status reasons, once: X(ENUM, HTTP code, "Reason"). */
#define SIMST_REASONS(X)                                    \
  X(BAD_REQUEST, 400, "BadRequest")                         \
  X(UNAUTHORIZED, 401, "Unauthorized")                      \
  X(FORBIDDEN, 403, "Forbidden")                            \
  X(NOT_FOUND, 404, "NotFound")                             \
  X(METHOD_NOT_ALLOWED, 405, "MethodNotAllowed")            \
  X(NOT_ACCEPTABLE, 406, "NotAcceptable")                   \
  X(ALREADY_EXISTS, 409, "AlreadyExists")                   \
  X(CONFLICT, 409, "Conflict")                              \
  X(EXPIRED, 410, "Expired")                                \
  X(TOO_LARGE, 413, "RequestEntityTooLarge")                \
  X(UNSUPPORTED_MEDIA, 415, "UnsupportedMediaType")         \
  X(INVALID, 422, "Invalid")                                \
  X(TOO_MANY_REQUESTS, 429, "TooManyRequests")              \
  X(INTERNAL, 500, "InternalError")                         \
  X(SERVICE_UNAVAILABLE, 503, "ServiceUnavailable")         \
  X(TIMEOUT, 504, "Timeout")

typedef enum {
#define X(e, code, reason) SIMST_##e,
  SIMST_REASONS(X)
#undef X
} simst_reason;

/* Returns a failure Status (takes details, which may be NULL). */
json_t *sim_status_status(simst_reason r, const char *message, json_t *details);
/* Returns `deployments.apps "x" not found`. */
json_t *sim_status_not_found(simr_kind res, const char *name);
/* Returns `configmaps "x" already exists`. */
json_t *sim_status_already_exists(simr_kind res, const char *name);
/* Returns the optimistic-concurrency Conflict ("the object has been modified; …"). */
json_t *sim_status_conflict(simr_kind res, const char *name);
/* Returns `Deployment.apps "x" is invalid: FIELD: Invalid value: VALUE: DETAIL` (takes value). */
json_t *sim_status_invalid(simr_kind res, const char *name, const char *field, json_t *value, const char *detail);
/* Returns the generic 404 for an unknown path. */
json_t *sim_status_no_resource(void);
/* Returns a success Status (for deletions that answer with one). */
json_t *sim_status_success(simr_kind res, const char *name, const char *uid);

#endif
