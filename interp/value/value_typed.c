/* value_typed.c — values as typed JSON for the journal (see value_typed.h). */
#include "value_typed.h"

#include <math.h>
#include <string.h>

#include "valtime.h"

#define TAG "$rbk"

/* Returns {"$rbk": tag, key: payload} (takes payload), or NULL. */
static json_t *tagged(const char *tag, const char *key, json_t *payload) {
  json_t *o = payload ? json_object() : NULL;
  if (!o || json_object_set_new(o, TAG, json_string(tag)) || json_object_set_new(o, key, payload)) {
    json_decref(o);
    if (!o) json_decref(payload);
    return NULL;
  }
  return o;
}

/* Returns the typed JSON of a list, or NULL (*why set). */
static json_t *encode_list(const rbk_value *v, const char **why) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < v->u.list.len; i++) {
    json_t *item = value_typed_encode(v->u.list.items[i], why);
    if (!item || json_array_append_new(a, item)) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

/* Returns the typed JSON of an object (wrapped when it has a "$rbk" key), or NULL (*why set). */
static json_t *encode_object(const rbk_value *v, const char **why) {
  json_t *o = json_object();
  bool has_tag = false;
  for (size_t i = 0; o && i < v->u.obj.len; i++) {
    json_t *item = value_typed_encode(v->u.obj.vals[i], why);
    if (!item || json_object_set_new(o, v->u.obj.keys[i], item)) {
      json_decref(o);
      return NULL;
    }
    if (!strcmp(v->u.obj.keys[i], TAG)) has_tag = true;
  }
  return has_tag ? tagged("object", "value", o) : o;
}

/* Returns the typed JSON of v (see value_typed.h). */
json_t *value_typed_encode(const rbk_value *v, const char **why) {
  const char *dummy;
  if (!why) why = &dummy;
  *why = "out of memory";
  char buf[VALTIME_SIZE];
  switch (v->kind) {
    case VAL_NULL:
    case VAL_BOOL:
    case VAL_INT:
    case VAL_STRING: return value_to_json(v, false);
    case VAL_FLOAT:
      if (isfinite(v->u.f)) return json_real(v->u.f);
      return tagged("float", "value", json_string(isnan(v->u.f) ? "nan" : v->u.f > 0 ? "inf" : "-inf"));
    case VAL_DURATION: return tagged("duration", "ms", json_integer(v->u.i));
    case VAL_TIME:
      valtime_format(v->u.i, buf);
      return tagged("time", "value", json_string(buf));
    case VAL_LIST: return encode_list(v, why);
    case VAL_OBJECT: return encode_object(v, why);
    case VAL_SECRET: *why = "a secret"; return NULL;
    case VAL_LAMBDA: *why = "a lambda"; return NULL;
    case VAL_HANDLE: *why = "a handle"; return NULL;
  }
  return NULL;
}

/* Returns the list of a JSON array's typed elements, or NULL. */
static rbk_value *decode_list(const json_t *j) {
  rbk_value *list = value_list(json_array_size(j));
  size_t i;
  json_t *item;
  json_array_foreach(j, i, item) {
    if (!list || !value_list_push(list, value_typed_decode(item))) {
      value_unref(list);
      return NULL;
    }
  }
  return list;
}

/* Returns the object of a JSON object's typed members, in order, or NULL. */
static rbk_value *decode_members(const json_t *j) {
  rbk_value *obj = value_object(json_object_size(j));
  const char *key;
  json_t *item;
  json_object_foreach((json_t *)j, key, item) {
    rbk_value *v = obj ? value_typed_decode(item) : NULL;
    if (!v || !value_object_set(obj, key, v)) {
      value_unref(obj);
      return NULL;
    }
  }
  return obj;
}

/* Returns the value of a tagged object, or NULL when it is malformed. */
static rbk_value *decode_tagged(const char *tag, const json_t *j) {
  const json_t *value = json_object_get(j, "value");
  const char *text = json_string_value(value);
  if (!strcmp(tag, "duration") && json_is_integer(json_object_get(j, "ms")))
    return value_duration(json_integer_value(json_object_get(j, "ms")));
  if (!strcmp(tag, "time") && text) {
    int64_t ms;
    const char *why;
    return valtime_parse(text, strlen(text), &ms, &why) ? value_time(ms) : NULL;
  }
  if (!strcmp(tag, "float") && text) {
    double f = !strcmp(text, "inf") ? INFINITY : !strcmp(text, "-inf") ? -INFINITY : !strcmp(text, "nan") ? NAN : 0;
    return f != 0 || isnan(f) ? value_float(f) : NULL;
  }
  if (!strcmp(tag, "object") && json_is_object(value)) return decode_members(value);
  return NULL;
}

/* Returns the value of typed JSON j (see value_typed.h). */
rbk_value *value_typed_decode(const json_t *j) {
  if (json_is_array(j)) return decode_list(j);
  if (!json_is_object(j)) return value_from_json(j);
  const char *tag = json_string_value(json_object_get(j, TAG));
  return tag ? decode_tagged(tag, j) : decode_members(j);
}
