/* kube_secret.h — Kubernetes Secret objects in action results: their data is secret.
 *
 * An action result that is or holds a Secret (get, list, patch, apply, create, replace; a watch
 * event's object) keeps every value of the Secret's `data` and `stringData` as a value of kind
 * secret, named "NAME/KEY" (NAME the Secret's metadata.name), and registers the value — and, for
 * `data`, the text its base64 decodes to — with the scrubber (scrub.h), so that no output shows
 * either. A Secret is an object whose `kind` is "Secret", or an item of an object whose `kind` is
 * "SecretList".
 *
 * Ownership: the JSON is borrowed; the returned value is new (value_unref).
 */
#ifndef RBK_KUBE_SECRET_H
#define RBK_KUBE_SECRET_H

#include <jansson.h>

#include "value.h"

/* Returns the value for an API answer, with the data of every Secret in it as secrets (see
 * above); NULL when out of memory. */
rbk_value *kube_secret_from_json(const json_t *j);

#endif
