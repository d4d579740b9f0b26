/* value_typed.h — values as typed JSON, for the run journal: every kind that is data comes back
 * with its kind (a time stays a time, a duration a duration, an int an int, a float a float).
 *
 * The encoding is plain JSON wherever plain JSON is exact (null, bools, ints, finite floats,
 * strings, lists and objects of them), so a journal stays readable and records written before
 * this encoding existed read back the same. The other kinds are tagged objects:
 *   time      {"$rbk": "time", "value": "2025-01-01T00:00:00.250Z"}   (RFC 3339, milliseconds)
 *   duration  {"$rbk": "duration", "ms": 90000}
 *   float     {"$rbk": "float", "value": "inf" | "-inf" | "nan"}     (not finite)
 *   object    {"$rbk": "object", "value": {…}}   (only an object that has a "$rbk" key itself)
 * Secrets, lambdas and handles have no typed form: a value holding one is not journaled
 * (value_typed_encode returns NULL and says why).
 *
 * Ownership: both functions return new references (caller owns them). */
#ifndef RBK_VALUE_TYPED_H
#define RBK_VALUE_TYPED_H

#include <jansson.h>

#include "value.h"

/* Returns the typed JSON of v, or NULL when v holds a secret, a lambda or a handle (then *why,
 * when not NULL, is set to a static text: "a secret", "a lambda", "a handle") or when out of
 * memory (*why "out of memory"). */
json_t *value_typed_encode(const rbk_value *v, const char **why);

/* Returns the value of typed JSON j (plain JSON reads as value_from_json does), or NULL when a
 * tagged object is malformed or out of memory. */
rbk_value *value_typed_decode(const json_t *j);

#endif
