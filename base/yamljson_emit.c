/* yamljson_emit.c — jansson values to block-style YAML text, through libyaml's emitter. */
#include "yamljson.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "realfmt.h"
#include "valbuf.h"
#include "yamljson_scalar.h"

/* Returns 1 after appending size bytes to the buffer (libyaml's write handler), 0 when out of memory. */
static int write_out(void *user, unsigned char *buffer, size_t size) {
  valbuf *out = user;
  valbuf_put(out, (const char *)buffer, size);
  return !out->oom;
}

/* Returns true after emitting one event (the emitter takes it). */
static bool emit(yaml_emitter_t *em, yaml_event_t *ev, bool initialized) {
  return initialized && yaml_emitter_emit(em, ev);
}

/* Returns true after emitting a plain scalar with text s. */
static bool emit_plain(yaml_emitter_t *em, const char *s) {
  yaml_event_t ev;
  int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
                                        YAML_PLAIN_SCALAR_STYLE);
  return emit(em, &ev, ok);
}

/* Returns true after emitting a string, quoted when it would read back as another type. */
static bool emit_string(yaml_emitter_t *em, const char *s, size_t len) {
  yaml_scalar_style_t style = yamljson_scalar_needs_quotes(s, len)    ? YAML_SINGLE_QUOTED_SCALAR_STYLE
                              : memchr(s, '\n', len) != NULL ? YAML_LITERAL_SCALAR_STYLE
                                                          : YAML_ANY_SCALAR_STYLE;
  yaml_event_t ev;
  int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style);
  return emit(em, &ev, ok);
}

/* Returns true after emitting a number's text; false for reals that are not finite. */
static bool emit_number(yaml_emitter_t *em, const json_t *j, const char **why) {
  char buf[REALFMT_SIZE];
  if (json_is_integer(j)) {
    snprintf(buf, sizeof buf, "%" PRId64, (int64_t)json_integer_value(j));
  } else if (realfmt_shortest(json_real_value(j), buf) == 0) {
    *why = "infinity and NaN cannot be written as YAML numbers";
    return false;
  }
  return emit_plain(em, buf);
}

static bool emit_node(yaml_emitter_t *em, const json_t *j, const char **why);

/* Returns true after emitting a sequence of j's elements. */
static bool emit_array(yaml_emitter_t *em, const json_t *j, const char **why) {
  yaml_event_t ev;
  if (!emit(em, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE)))
    return false;
  size_t i;
  const json_t *item;
  json_array_foreach(j, i, item) if (!emit_node(em, item, why)) return false;
  return emit(em, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* Returns true after emitting a mapping of j's members in order. */
static bool emit_object(yaml_emitter_t *em, const json_t *j, const char **why) {
  yaml_event_t ev;
  if (!emit(em, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)))
    return false;
  const char *key;
  const json_t *value;
  json_object_foreach((json_t *)j, key, value) {
    if (!emit_string(em, key, strlen(key)) || !emit_node(em, value, why)) return false;
  }
  return emit(em, &ev, yaml_mapping_end_event_initialize(&ev));
}

/* Returns true after emitting any JSON value. */
static bool emit_node(yaml_emitter_t *em, const json_t *j, const char **why) {
  switch (json_typeof(j)) {
  case JSON_OBJECT: return emit_object(em, j, why);
  case JSON_ARRAY: return emit_array(em, j, why);
  case JSON_STRING: return emit_string(em, json_string_value(j), json_string_length(j));
  case JSON_INTEGER:
  case JSON_REAL: return emit_number(em, j, why);
  case JSON_TRUE: return emit_plain(em, "true");
  case JSON_FALSE: return emit_plain(em, "false");
  case JSON_NULL: return emit_plain(em, "null");
  }
  return false;
}

/* Returns true after emitting the stream and document around j. */
static bool emit_stream(yaml_emitter_t *em, const json_t *j, const char **why) {
  yaml_event_t ev;
  return emit(em, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)) &&
         emit(em, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)) &&
         emit_node(em, j, why) && emit(em, &ev, yaml_document_end_event_initialize(&ev, 1)) &&
         emit(em, &ev, yaml_stream_end_event_initialize(&ev));
}

/* Returns j as one block-style YAML document, or NULL with *err set. */
char *yamljson_emit(const json_t *j, char **err) {
  yaml_emitter_t em;
  valbuf out = {0};
  if (!yaml_emitter_initialize(&em)) {
    *err = strdup("out of memory");
    return NULL;
  }
  yaml_emitter_set_output(&em, write_out, &out);
  yaml_emitter_set_unicode(&em, 1);
  yaml_emitter_set_width(&em, -1);
  yaml_emitter_set_indent(&em, 2);
  const char *why = NULL;
  bool ok = emit_stream(&em, j, &why) && yaml_emitter_flush(&em);
  if (!ok && !why) why = em.problem ? em.problem : "out of memory";
  if (!ok) *err = strdup(why);
  yaml_emitter_delete(&em);
  if (ok) return valbuf_take(&out, NULL);
  valbuf_free(&out);
  return NULL;
}
