/* test_value_fx.h — the value tests' shorthand: a value written as JSON text.
 *
 * Ownership: the returned value is new (the caller unrefs it).
 */
#ifndef TEST_VALUE_FX_H
#define TEST_VALUE_FX_H

#include <jansson.h>

#include "value.h"

/* Returns the value of a JSON text (any JSON value); fails the test when the text is not JSON. */
static inline rbk_value *tv_json(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
  if (!j) fail_msg("not JSON: %s: %s", text, e.text);
  rbk_value *v = value_from_json(j);
  json_decref(j);
  assert_non_null(v);
  return v;
}

#endif
