/* sim_patch.h — the three patch types of the Kubernetes API.
 *
 * Ownership: each returns a new document (the target is borrowed and not changed), or NULL with
 * *err set (caller frees) when the patch cannot be applied. */
#ifndef RBK_SIM_PATCH_H
#define RBK_SIM_PATCH_H

#include <jansson.h>

/* The patch content types, once: X(ENUM, "Content-Type"). */
#define SIMP_TYPES(X)                                                 \
  X(JSON, "application/json-patch+json")                              \
  X(MERGE, "application/merge-patch+json")                            \
  X(STRATEGIC, "application/strategic-merge-patch+json")              \
  X(APPLY, "application/apply-patch+yaml")

typedef enum {
#define X(e, ct) SIMP_##e,
  SIMP_TYPES(X)
#undef X
  SIMP_NONE
} simp_type;

/* Returns the patch type for a Content-Type header (parameters ignored), or SIMP_NONE. */
simp_type sim_patch_type_of(const char *content_type);

/* RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces. */
json_t *sim_patch_merge(const json_t *target, const json_t *patch);
/* RFC 6902 JSON patch (add, remove, replace, move, copy, test) applied in order, atomically. */
json_t *sim_patch_json(const json_t *target, const json_t *ops, char **err);
/* Kubernetes strategic merge patch: like a merge patch, but lists with a merge key (containers by
 * name, ports by containerPort/port, env by name, …) merge element-wise; supports the directives
 * $patch (replace, delete), $setElementOrder/<list>, $retainKeys and
 * $deleteFromPrimitiveList/<list>. */
json_t *sim_patch_strategic(const json_t *target, const json_t *patch, char **err);

#endif
