/* sim_api_openapi_pb.c — the /openapi/v2 document in the protobuf form kubectl asks for
 * (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf): gnostic's
 * openapi_v2.Document, of which the simulator fills swagger, info and the definitions' schemas
 * ($ref, format, description, required, additionalProperties, type, items, properties and the x-
 * vendor extensions, whose values are carried as YAML — JSON text being YAML). */
#include <stdlib.h>
#include <string.h>

#include "sim_api.h"

/* gnostic openapi_v2 field numbers. */
enum {
  DOC_SWAGGER = 1, DOC_INFO = 2, DOC_DEFINITIONS = 9,
  INFO_TITLE = 1, INFO_VERSION = 2,
  NAMED_NAME = 1, NAMED_VALUE = 2, /* NamedSchema, NamedAny */
  LIST_ITEMS = 1,                  /* Definitions, Properties, ItemsItem, TypeItem, AdditionalPropertiesItem */
  ANY_YAML = 2,
  SC_REF = 1, SC_FORMAT = 2, SC_DESCRIPTION = 4, SC_REQUIRED = 19, SC_ADDITIONAL = 21, SC_TYPE = 22, SC_ITEMS = 23,
  SC_PROPERTIES = 25, SC_EXTENSION = 31,
};

/* Appends a base-128 varint. */
static void put_varint(valbuf *b, uint64_t v) {
  char buf[10];
  size_t n = 0;
  do {
    buf[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    v >>= 7;
  } while (v);
  valbuf_put(b, buf, n);
}

/* Appends a length-delimited field. */
static void put_bytes(valbuf *b, unsigned field, const char *s, size_t n) {
  put_varint(b, (uint64_t)field << 3 | 2);
  put_varint(b, n);
  valbuf_put(b, s, n);
}

/* Appends a string field. */
static void put_str(valbuf *b, unsigned field, const char *s) { put_bytes(b, field, s, strlen(s)); }

/* Appends inner as an embedded message field and frees it. */
static void put_msg(valbuf *b, unsigned field, valbuf *inner) {
  put_bytes(b, field, inner->s ? inner->s : "", inner->len);
  valbuf_free(inner);
}

static void put_schema(valbuf *b, unsigned field, const json_t *s);

/* Appends {name, value: schema} (NamedSchema) as field. */
static void put_named_schema(valbuf *b, unsigned field, const char *name, const json_t *s) {
  valbuf n = {0};
  put_str(&n, NAMED_NAME, name);
  put_schema(&n, NAMED_VALUE, s);
  put_msg(b, field, &n);
}

/* Appends a vendor extension (NamedAny with the value as YAML). */
static void put_extension(valbuf *b, const char *name, const json_t *v) {
  valbuf any = {0}, n = {0};
  char *yaml = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  put_str(&any, ANY_YAML, yaml ? yaml : "null");
  free(yaml);
  put_str(&n, NAMED_NAME, name);
  put_msg(&n, NAMED_VALUE, &any);
  put_msg(b, SC_EXTENSION, &n);
}

/* Appends a Schema message as field. */
static void put_schema(valbuf *b, unsigned field, const json_t *s) {
  valbuf m = {0}, sub = {0};
  const char *k;
  json_t *v;
  if (json_is_string(json_object_get(s, "$ref"))) put_str(&m, SC_REF, json_string_value(json_object_get(s, "$ref")));
  if (json_is_string(json_object_get(s, "format"))) put_str(&m, SC_FORMAT, json_string_value(json_object_get(s, "format")));
  if (json_is_string(json_object_get(s, "description")))
    put_str(&m, SC_DESCRIPTION, json_string_value(json_object_get(s, "description")));
  size_t i;
  json_array_foreach(json_object_get(s, "required"), i, v) put_str(&m, SC_REQUIRED, json_string_value(v));
  if (json_is_object(json_object_get(s, "additionalProperties"))) {
    put_schema(&sub, LIST_ITEMS, json_object_get(s, "additionalProperties"));
    put_msg(&m, SC_ADDITIONAL, &sub);
  }
  if (json_is_string(json_object_get(s, "type"))) {
    put_str(&sub, LIST_ITEMS, json_string_value(json_object_get(s, "type")));
    put_msg(&m, SC_TYPE, &sub);
  }
  if (json_is_object(json_object_get(s, "items"))) {
    put_schema(&sub, LIST_ITEMS, json_object_get(s, "items"));
    put_msg(&m, SC_ITEMS, &sub);
  }
  if (json_is_object(json_object_get(s, "properties"))) {
    json_object_foreach(json_object_get(s, "properties"), k, v) put_named_schema(&sub, LIST_ITEMS, k, v);
    put_msg(&m, SC_PROPERTIES, &sub);
  }
  json_object_foreach((json_t *)s, k, v) if (!strncmp(k, "x-", 2)) put_extension(&m, k, v);
  put_msg(b, field, &m);
}

/* Returns the document encoded as the gnostic openapi_v2.Document protobuf (caller frees), or NULL. */
char *sim_api_openapi_v2_pb(const json_t *doc, size_t *len) {
  valbuf b = {0}, info = {0}, defs = {0};
  const char *k;
  json_t *v;
  put_str(&b, DOC_SWAGGER, sim_util_jstr(doc, "swagger", "2.0"));
  put_str(&info, INFO_TITLE, sim_util_jstr(doc, "info.title", ""));
  put_str(&info, INFO_VERSION, sim_util_jstr(doc, "info.version", ""));
  put_msg(&b, DOC_INFO, &info);
  json_object_foreach(json_object_get(doc, "definitions"), k, v) put_named_schema(&defs, LIST_ITEMS, k, v);
  put_msg(&b, DOC_DEFINITIONS, &defs);
  if (b.oom) return valbuf_free(&b), NULL;
  return valbuf_take(&b, len);
}
