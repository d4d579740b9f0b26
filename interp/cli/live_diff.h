/* live_diff.h — what a dry-run write would change in an object: the fields whose values differ
 * between the object read before and the API server's dry-run answer, kubectl-diff style, one
 * line each ("spec.replicas: 3 → 0", "spec.template.spec.containers[0].image: a:1 → a:2").
 *
 * Fields the server maintains are left out: metadata.resourceVersion, generation, uid,
 * creationTimestamp, managedFields, and status. Values are shown as compact JSON (strings without
 * quotes), cut at 80 characters. Values under a Secret's data/stringData are shown as ***.
 *
 * Ownership: the texts are borrowed; each line passed to `line` is borrowed for the call.
 */
#ifndef RBK_LIVE_DIFF_H
#define RBK_LIVE_DIFF_H

#include <stddef.h>

/* Calls line(user, text) for every changed field of `before` → `after` (JSON texts; before NULL:
 * a new object, every field is "+"; after NULL: a deleted one); at most `max` lines, then one
 * "… N more" line. Returns the number of changed fields, or -1 when a text is not a JSON object. */
long live_diff_fields(const char *before, const char *after, size_t max, void (*line)(void *user, const char *text), void *user);

#endif
