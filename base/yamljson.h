/* yamljson.h — YAML text <-> jansson values, with libyaml's parser and emitter.
 *
 * Parsing types plain scalars by the YAML 1.2 core schema (null, ~ and the empty scalar are null;
 * true/false in three spellings are bools; decimal, 0o octal and 0x hex integers; floats) and keeps
 * quoted, literal and folded scalars as strings. The standard tags !!str !!int !!float !!bool !!null
 * force a type. Anchors and aliases are resolved; an alias to an enclosing node (a cycle) and
 * documents that expand to more than YAMLJSON_MAX_NODES nodes are errors. Mapping keys must be
 * scalars and unique; they become JSON object keys (their text). Non-finite floats (.inf, .nan) and
 * integers outside int64 are errors, since JSON cannot hold them.
 *
 * Errors are one line: "invalid YAML at line L column C: problem" (1-based).
 *
 * Ownership: returned json_t references and strings belong to the caller (json_decref / free);
 * on failure the functions return NULL and set *err to a message the caller frees.
 */
#ifndef RBK_YAMLJSON_H
#define RBK_YAMLJSON_H

#include <stddef.h>

#include <jansson.h>

/* The most nodes one document may expand to once aliases are resolved. */
#define YAMLJSON_MAX_NODES 1000000

/* Returns the single document in text (JSON null for an empty stream), or NULL with *err set,
 * also when the stream holds more than one document. */
json_t *yamljson_parse(const char *text, size_t len, char **err);

/* Returns a JSON array of every document in the stream, in order (an empty document is null), or
 * NULL with *err set. */
json_t *yamljson_parse_all(const char *text, size_t len, char **err);

/* Returns j as one block-style YAML document ending in a newline, or NULL with *err set (reals
 * that are not finite). Strings that would read back as another type are quoted; strings with
 * line breaks use literal style when YAML allows it. */
char *yamljson_emit(const json_t *j, char **err);

#endif
