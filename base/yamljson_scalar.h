/* yamljson_scalar.h — typing YAML scalars by the YAML 1.2 core schema (private to yamljson).
 *
 * Ownership: the text arguments are borrowed; yamljson_scalar_convert returns a new reference (caller decrefs)
 * and sets a static *why.
 */
#ifndef RBK_YAMLJSON_SCALAR_H
#define RBK_YAMLJSON_SCALAR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* What a plain scalar denotes under the core schema. */
typedef enum { YJS_NULL, YJS_BOOL, YJS_INT, YJS_FLOAT, YJS_STR } yjs_type;

/* Returns the core-schema type of a plain scalar's text. */
yjs_type yamljson_scalar_classify(const char *s, size_t len);

/* Returns the value of text s read as `type` (new reference), or NULL with *why set to a static
 * message (not an int, out of range, not finite, …). */
json_t *yamljson_scalar_convert(yjs_type type, const char *s, size_t len, const char **why);

/* Returns true when a string with this text must be quoted to read back as a string, also by
 * YAML 1.1 readers (yes/no/on/off, 012, 1_000, 1:30 and the like). */
bool yamljson_scalar_needs_quotes(const char *s, size_t len);

#endif
