/* value.h — run-time values: immutable, reference-counted, shared by the planner and the engine.
 *
 * Ownership: every function that returns an `rbk_value *` returns a new reference that the caller
 * owns and must release with value_unref(), unless its comment says "borrowed". Functions that take a
 * value "(takes v)" consume the caller's reference; all others borrow their arguments.
 * Values are never mutated after they are shared; the builders (value_list_push, value_object_set) are
 * only for values under construction (refcount 1).
 */
#ifndef RBK_VALUE_H
#define RBK_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "valbuf.h"

/* Every value kind, once: X(ENUM_SUFFIX, "type name shown to users"). */
#define RBK_VALUE_KINDS(X)                                                                     \
  X(NULL, "null") X(BOOL, "bool") X(INT, "int") X(FLOAT, "float") X(STRING, "string")           \
  X(DURATION, "duration") X(TIME, "time") X(LIST, "list") X(OBJECT, "object")                   \
  X(SECRET, "secret") X(LAMBDA, "lambda") X(HANDLE, "handle")

typedef enum {
#define X(k, name) VAL_##k,
  RBK_VALUE_KINDS(X)
#undef X
} val_kind;

typedef struct rbk_value rbk_value;

/* Handles (clusters, endpoints, channels) carry data that their module defines. */
typedef struct {
  const char *kind;                     /* "cluster", "endpoint", "channel" */
  void (*free)(void *data);             /* releases data; may be NULL */
  char *(*describe)(const void *data);  /* returns a new string naming the handle ("cluster greenlang") */
} val_handle_ops;

struct rbk_value {
  val_kind kind;
  uint32_t refs;
  union {
    bool b;
    int64_t i;  /* INT; DURATION in milliseconds; TIME in milliseconds since the Unix epoch */
    double f;
    struct { char *s; size_t len; } str;            /* NUL-terminated, may hold NULs */
    struct { rbk_value **items; size_t len, cap; } list;
    struct { char **keys; rbk_value **vals; size_t len, cap; } obj; /* insertion order kept */
    /* plain is revealed only to actions. spans == NULL: the whole text is secret; else the text
     * is "mixed" (built by interpolating or joining secrets with other text) and only the byte
     * ranges [spans[2k], spans[2k+1]) for k < nspans are secret: it shows with each of them as
     * "***" and the rest as itself. */
    struct { char *name; char *plain; size_t *spans; size_t nspans; } secret;
    struct { void *code; void *env; void (*free)(void *code, void *env); } lambda;
    struct { const val_handle_ops *ops; void *data; } handle;
  } u;
};

/* Returns the kind's user-facing name ("string", …). */
const char *value_kind_name(val_kind kind);
/* Returns the kind's name with its article, for messages ("an int", "a string", "null"). */
const char *value_kind_article(val_kind kind);

/* Constructors; NULL only when out of memory. */
rbk_value *value_null(void);
rbk_value *value_bool(bool b);
rbk_value *value_int(int64_t i);
rbk_value *value_float(double f);
rbk_value *value_duration(int64_t ms);
rbk_value *value_time(int64_t epoch_ms);
rbk_value *value_string(const char *s, size_t len);   /* copies */
rbk_value *value_cstring(const char *s);              /* copies a NUL-terminated string */
rbk_value *value_string_take(char *s, size_t len);    /* takes ownership of malloc'ed s */
rbk_value *value_list(size_t cap);                    /* empty list under construction */
rbk_value *value_object(size_t cap);                  /* empty object under construction */
rbk_value *value_secret(const char *name, const char *plain); /* copies both; whole text secret */
/* A mixed secret named "<expr>" (see the secret member above); takes plain and spans (malloc'ed). */
rbk_value *value_secret_mixed(char *plain, size_t *spans, size_t nspans);
rbk_value *value_lambda(void *code, void *env, void (*free)(void *code, void *env));
rbk_value *value_handle(const val_handle_ops *ops, void *data);

/* Text being built from parts (interpolation, `+`, join): remembers which byte ranges came from
 * secrets, so the result masks only those (see the secret member above). Start with {0}; the
 * builder owns its buffers until value_text_finish(). */
typedef struct {
  valbuf text;
  size_t *spans; /* pairs of offsets, as in rbk_value.u.secret */
  size_t nspans, cap;
  bool secret;   /* some part was a secret */
} val_text;

/* Appends s[0..n) as text that is not secret. */
void value_text_put(val_text *t, const char *s, size_t n);
/* Appends a string's text, a secret's plain text (its secret ranges stay secret) or, for other
 * kinds, value_show's text. */
void value_text_add(val_text *t, const rbk_value *v);
/* Returns the built text as a string, as a mixed secret (some part was secret) or a whole secret
 * (every byte is); NULL when out of memory. Releases the builder. */
rbk_value *value_text_finish(val_text *t);
/* Returns the text of a value shown to people with a mixed secret's secret ranges as "***" (whole
 * secrets: "***"; strings: themselves). Caller frees. */
char *value_secret_masked(const rbk_value *v);

/* Returns v with one more reference (v may be NULL). */
rbk_value *value_ref(rbk_value *v);
/* Drops one reference; frees at zero (v may be NULL). */
void value_unref(rbk_value *v);

/* Builders for values under construction. Return false when out of memory (v is released). */
bool value_list_push(rbk_value *list, rbk_value *v);                   /* takes v */
bool value_object_set(rbk_value *obj, const char *key, rbk_value *v);   /* takes v; replaces a key */

/* Returns the value at `key` (borrowed), or NULL when missing. */
rbk_value *value_object_get(const rbk_value *obj, const char *key);

/* Returns true when a and b are equal (deep; ints and floats compare by value; a secret equals
 * only a secret with the same plaintext). */
bool value_equal(const rbk_value *a, const rbk_value *b);
/* Compares two values of an ordered kind (numbers, strings, durations, times); returns <0, 0, >0
 * in *cmp, or false when the kinds cannot be ordered together. */
bool value_compare(const rbk_value *a, const rbk_value *b, int *cmp);
/* Returns the truth of a bool; other kinds are not truthy or falsy (the caller reports an error). */
bool value_is_true(const rbk_value *v);

/* Returns how a value is shown to people: strings as themselves (unquoted), durations as "1m30s",
 * times as RFC 3339, lists and objects as JSON, secrets as "***". Caller frees. */
char *value_show(const rbk_value *v);
/* Returns the value as rbk source text: strings quoted and escaped, secrets as "***". Caller frees. */
char *value_repr(const rbk_value *v);
/* Returns "1m30s"-style text for a duration in milliseconds. Caller frees. */
char *value_format_duration(int64_t ms);

/* Returns the JSON form (caller owns the reference). Durations become their text ("1m30s"), times
 * RFC 3339 text; secrets become "***" unless `reveal`; lambdas and handles become their
 * description. */
json_t *value_to_json(const rbk_value *v, bool reveal);
/* Returns the value for a JSON value (integers stay ints, reals floats). */
rbk_value *value_from_json(const json_t *j);

/* Returns true when v or anything inside it is a secret. */
bool value_contains_secret(const rbk_value *v);

/* Context for the pure built-ins: how they call a lambda, read the environment and files, and
 * read the clock. Any callback may be NULL: then that built-in fails with a clear error. */
typedef struct {
  void *user;
  /* Applies `lambda` to `arg`; returns the result or NULL with *err set (caller frees). */
  rbk_value *(*apply)(void *user, const rbk_value *lambda, rbk_value *arg, char **err);
  /* Returns the environment variable or secret source value (borrowed), or NULL when unset. */
  const char *(*getenv)(void *user, const char *name);
  /* Returns the --secret NAME=@file or NAME=value override (borrowed), or NULL. */
  const char *(*getsecret)(void *user, const char *name);
  const char *base_dir; /* where file(path) resolves relative paths */
  int64_t now_ms;       /* the clock's reading for now()/since(), ms since the epoch */
} builtin_ctx;

#endif
