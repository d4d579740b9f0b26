/* yamljson.c — YAML text to jansson values, from libyaml's event stream.
 *
 * The loader keeps an explicit stack of open sequences and mappings (no recursion), a table of
 * anchors of the current document, and the number of nodes materialised so far, so that alias
 * bombs and cycles fail with a message instead of exhausting memory.
 */
#include "yamljson.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "grow.h"
#include "strutil.h"
#include "yamljson_scalar.h"

/* The deepest nesting of sequences and mappings accepted. */
#define YJ_MAX_DEPTH 1000

/* An open sequence or mapping. */
typedef struct {
  json_t *node;
  bool is_map;
  char *key;            /* a mapping's pending key, NULL while it waits for one */
  yaml_mark_t key_mark; /* where the pending key was written */
  char *anchor;         /* the node's anchor name, or NULL */
  size_t size;          /* nodes in this subtree so far, itself included */
} yj_frame;

/* A named node of the current document. */
typedef struct {
  char *name;
  json_t *value;
  size_t size;
} yj_anchor;

typedef struct {
  yj_frame *stack;
  size_t depth, cap;
  yj_anchor *anchors;
  size_t nanchors, acap;
  json_t *docs;   /* every finished document */
  json_t *root;   /* the current document's value, once complete */
  size_t nodes;   /* nodes materialised in the current document */
  const char *text; /* the input, to place errors at its end */
  size_t len;
  char *err;
} yj_loader;

/* Returns false after recording the first error at `mark` (later ones are dropped). */
static bool fail_at(yj_loader *ld, yaml_mark_t mark, const char *what, const char *name) {
  if (!ld->err)
    ld->err = strutil_printf("invalid YAML at line %zu column %zu: %s%s%s%s", mark.line + 1, mark.column + 1,
                             what, name ? " \"" : "", name ? name : "", name ? "\"" : "");
  return false;
}

/* Returns false after recording an out-of-memory error. */
static bool fail_oom(yj_loader *ld) {
  if (!ld->err) ld->err = strutil_printf("out of memory");
  return false;
}

/* Returns the anchor called name, latest definition first, or NULL. */
static yj_anchor *anchor_find(yj_loader *ld, const char *name) {
  for (size_t i = ld->nanchors; i > 0; i--)
    if (strcmp(ld->anchors[i - 1].name, name) == 0) return &ld->anchors[i - 1];
  return NULL;
}

/* Returns true after remembering value (a new reference is kept) under name. */
static bool anchor_add(yj_loader *ld, const char *name, json_t *value, size_t size) {
  if (!GROW(ld->anchors, ld->acap, ld->nanchors + 1)) return fail_oom(ld);
  char *copy = strdup(name);
  if (!copy) return fail_oom(ld);
  ld->anchors[ld->nanchors++] = (yj_anchor){copy, json_incref(value), size};
  return true;
}

/* Forgets every anchor (they are scoped to one document). */
static void anchors_clear(yj_loader *ld) {
  for (size_t i = 0; i < ld->nanchors; i++) {
    free(ld->anchors[i].name);
    json_decref(ld->anchors[i].value);
  }
  ld->nanchors = 0;
}

/* Returns the open frame on top of the stack, or NULL at document level. */
static yj_frame *top(yj_loader *ld) { return ld->depth ? &ld->stack[ld->depth - 1] : NULL; }

/* Returns true when the innermost open node is a mapping waiting for a key. */
static bool wants_key(yj_loader *ld) {
  yj_frame *f = top(ld);
  return f && f->is_map && !f->key;
}

/* Returns true after storing value (takes it) as the pending key's value of mapping f. */
static bool map_put(yj_loader *ld, yj_frame *f, json_t *value) {
  char *key = f->key;
  f->key = NULL;
  bool dup = json_object_get(f->node, key) != NULL;
  if (dup) {
    json_decref(value);
    fail_at(ld, f->key_mark, "duplicate key", key);
    free(key);
    return false;
  }
  int rc = json_object_set_new(f->node, key, value);
  free(key);
  return rc == 0 || fail_oom(ld);
}

/* Returns true after placing a complete node (takes value) into its parent or as the root. */
static bool place(yj_loader *ld, json_t *value, size_t size, const char *anchor) {
  if (!value) return fail_oom(ld);
  if (anchor && !anchor_add(ld, anchor, value, size)) {
    json_decref(value);
    return false;
  }
  yj_frame *f = top(ld);
  if (!f) {
    ld->root = value;
    return true;
  }
  f->size += size;
  if (f->is_map) return map_put(ld, f, value);
  return json_array_append_new(f->node, value) == 0 || fail_oom(ld);
}

/* Returns true after counting n more materialised nodes, false past the limit. */
static bool count_nodes(yj_loader *ld, size_t n, yaml_mark_t mark) {
  ld->nodes += n;
  if (ld->nodes <= YAMLJSON_MAX_NODES) return true;
  return fail_at(ld, mark, "the document expands to more than 1000000 nodes (aliases?)", NULL);
}

/* Returns true after taking a scalar's text as the pending key of the innermost mapping. */
static bool take_key(yj_loader *ld, const char *text, yaml_mark_t mark) {
  yj_frame *f = top(ld);
  f->key = strdup(text);
  f->key_mark = mark;
  return f->key != NULL || fail_oom(ld);
}

/* Returns the type a tag demands (YJS_STR for none or "!"), or -1 for an unsupported tag. */
static int tag_type(const char *tag) {
  static const struct { const char *tag; yjs_type type; } tags[] = {
      {YAML_STR_TAG, YJS_STR}, {YAML_INT_TAG, YJS_INT}, {YAML_FLOAT_TAG, YJS_FLOAT},
      {YAML_BOOL_TAG, YJS_BOOL}, {YAML_NULL_TAG, YJS_NULL}, {"!", YJS_STR}};
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
    if (strcmp(tag, tags[i].tag) == 0) return (int)tags[i].type;
  return -1;
}

/* Returns true after handling a scalar event: a pending key or a typed value. */
static bool on_scalar(yj_loader *ld, const yaml_event_t *ev) {
  const char *text = (const char *)ev->data.scalar.value, *tag = (const char *)ev->data.scalar.tag;
  size_t len = ev->data.scalar.length;
  const char *anchor = (const char *)ev->data.scalar.anchor;
  if (!count_nodes(ld, 1, ev->start_mark)) return false;
  if (wants_key(ld)) {
    if (anchor) {
      json_t *s = json_stringn(text, len);
      bool ok = s ? anchor_add(ld, anchor, s, 1) : fail_oom(ld);
      json_decref(s);
      if (!ok) return false;
    }
    return take_key(ld, text, ev->start_mark);
  }
  int type = tag ? tag_type(tag) : ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? (int)yamljson_scalar_classify(text, len)
                                                                                  : (int)YJS_STR;
  if (type < 0) return fail_at(ld, ev->start_mark, "unsupported tag", tag);
  const char *why = NULL;
  json_t *value = yamljson_scalar_convert((yjs_type)type, text, len, &why);
  if (!value && why) return fail_at(ld, ev->start_mark, why, text);
  return place(ld, value, 1, anchor);
}

/* Returns true after opening a sequence or mapping. */
static bool on_start(yj_loader *ld, const yaml_event_t *ev, bool is_map) {
  const char *anchor = (const char *)(is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor);
  if (wants_key(ld)) return fail_at(ld, ev->start_mark, "mapping keys must be scalars", NULL);
  if (ld->depth >= YJ_MAX_DEPTH) return fail_at(ld, ev->start_mark, "nesting deeper than 1000 levels", NULL);
  if (!count_nodes(ld, 1, ev->start_mark)) return false;
  if (!GROW(ld->stack, ld->cap, ld->depth + 1)) return fail_oom(ld);
  yj_frame f = {is_map ? json_object() : json_array(), is_map, NULL, {0, 0, 0}, NULL, 1};
  f.anchor = anchor ? strdup(anchor) : NULL;
  if (!f.node || (anchor && !f.anchor)) {
    json_decref(f.node);
    free(f.anchor);
    return fail_oom(ld);
  }
  ld->stack[ld->depth++] = f;
  return true;
}

/* Returns true after closing the innermost sequence or mapping and placing it. */
static bool on_end(yj_loader *ld) {
  yj_frame f = ld->stack[--ld->depth];
  bool ok = place(ld, f.node, f.size, f.anchor);
  free(f.anchor);
  free(f.key);
  return ok;
}

/* Returns the text of a scalar anchor's value used as a mapping key, or NULL when not a scalar. */
static char *key_text(const json_t *v) {
  if (json_is_string(v)) return strdup(json_string_value(v));
  if (json_is_object(v) || json_is_array(v)) return NULL;
  return json_dumps(v, JSON_ENCODE_ANY);
}

/* Returns true after handling an alias: a copy of the anchored node (or its text as a key). */
static bool on_alias(yj_loader *ld, const yaml_event_t *ev) {
  const char *name = (const char *)ev->data.alias.anchor;
  yj_anchor *a = anchor_find(ld, name);
  if (!a) {
    for (size_t i = 0; i < ld->depth; i++)
      if (ld->stack[i].anchor && strcmp(ld->stack[i].anchor, name) == 0)
        return fail_at(ld, ev->start_mark, "alias to a node that contains it:", name);
    return fail_at(ld, ev->start_mark, "undefined alias", name);
  }
  if (!count_nodes(ld, a->size, ev->start_mark)) return false;
  if (wants_key(ld)) {
    char *key = key_text(a->value);
    if (!key) return fail_at(ld, ev->start_mark, "mapping keys must be scalars", NULL);
    top(ld)->key = key;
    top(ld)->key_mark = ev->start_mark;
    return true;
  }
  return place(ld, json_deep_copy(a->value), a->size, NULL);
}

/* Returns true after finishing a document: its value (null when empty) joins the list. */
static bool on_document_end(yj_loader *ld) {
  json_t *doc = ld->root ? ld->root : json_null();
  ld->root = NULL;
  ld->nodes = 0;
  anchors_clear(ld);
  return json_array_append_new(ld->docs, doc) == 0 || fail_oom(ld);
}

/* Returns true after dispatching one event; *done is set at the end of the stream. */
static bool on_event(yj_loader *ld, const yaml_event_t *ev, bool *done) {
  switch (ev->type) {
  case YAML_SCALAR_EVENT: return on_scalar(ld, ev);
  case YAML_SEQUENCE_START_EVENT: return on_start(ld, ev, false);
  case YAML_MAPPING_START_EVENT: return on_start(ld, ev, true);
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT: return on_end(ld);
  case YAML_ALIAS_EVENT: return on_alias(ld, ev);
  case YAML_DOCUMENT_END_EVENT: return on_document_end(ld);
  case YAML_STREAM_END_EVENT: *done = true; return true;
  case YAML_NO_EVENT:
  case YAML_STREAM_START_EVENT:
  case YAML_DOCUMENT_START_EVENT: return true;
  }
  return true;
}

/* Returns the mark of the end of the input (libyaml reports errors there on a line of its own). */
static yaml_mark_t end_mark(const yj_loader *ld) {
  yaml_mark_t m = {ld->len, 0, 0};
  for (size_t i = 0; i < ld->len; i++) {
    if (ld->text[i] == '\n') m.line++, m.column = 0;
    else if (((unsigned char)ld->text[i] & 0xC0) != 0x80) m.column++;
  }
  return m;
}

/* Returns false after recording the parser's own error. */
static bool parser_failed(yj_loader *ld, const yaml_parser_t *p) {
  if (p->error == YAML_MEMORY_ERROR) return fail_oom(ld);
  const char *problem = p->problem ? p->problem : "malformed input";
  yaml_mark_t at = p->problem_mark.index >= ld->len ? end_mark(ld) : p->problem_mark;
  if (!ld->err)
    ld->err = strutil_printf("invalid YAML at line %zu column %zu: %s%s%s%s", at.line + 1,
                             at.column + 1, problem, p->context ? " (" : "",
                             p->context ? p->context : "", p->context ? ")" : "");
  return false;
}

/* Releases everything the loader holds except ld->docs. */
static void loader_clear(yj_loader *ld) {
  for (size_t i = 0; i < ld->depth; i++) {
    json_decref(ld->stack[i].node);
    free(ld->stack[i].key);
    free(ld->stack[i].anchor);
  }
  free(ld->stack);
  anchors_clear(ld);
  free(ld->anchors);
  json_decref(ld->root);
}

/* Returns true after feeding every event of text to the loader. */
static bool load_events(yj_loader *ld, const char *text, size_t len) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return fail_oom(ld);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  bool ok = true, done = false;
  while (ok && !done) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      ok = parser_failed(ld, &parser);
      break;
    }
    ok = on_event(ld, &ev, &done);
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  return ok;
}

/* Returns a JSON array of every document in the stream, or NULL with *err set. */
json_t *yamljson_parse_all(const char *text, size_t len, char **err) {
  yj_loader ld = {.text = text, .len = len};
  ld.docs = json_array();
  bool ok = ld.docs ? load_events(&ld, text, len) : fail_oom(&ld);
  loader_clear(&ld);
  if (ok) return ld.docs;
  json_decref(ld.docs);
  *err = ld.err ? ld.err : strdup("out of memory");
  return NULL;
}

/* Returns the single document in text (null when there is none), or NULL with *err set. */
json_t *yamljson_parse(const char *text, size_t len, char **err) {
  json_t *docs = yamljson_parse_all(text, len, err);
  if (!docs) return NULL;
  size_t n = json_array_size(docs);
  json_t *doc = n ? json_incref(json_array_get(docs, 0)) : json_null();
  json_decref(docs);
  if (n <= 1) return doc;
  json_decref(doc);
  *err = strutil_printf("expected one YAML document, found %zu", n);
  return NULL;
}
