/* params.c — `-p name=value` parsed by the declared type and bound to top-level params. */
#include "params.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "valbuf.h"
#include "yamljson.h"

/* Returns `text` in double quotes with quotes, backslashes and control bytes escaped (at most
 * about 60 bytes of it, then "…"). Caller frees. */
static char *params_quote(const char *text) {
  size_t n = strlen(text), shown = n > 60 ? 60 : n;
  char *out = malloc(shown * 4 + 8);
  if (!out) return NULL;
  size_t o = 0;
  out[o++] = '"';
  for (size_t i = 0; i < shown; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\\') {
      out[o++] = '\\';
      out[o++] = (char)c;
    } else if (c < 0x20) {
      o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
    } else {
      out[o++] = (char)c;
    }
  }
  if (shown < n) o += (size_t)snprintf(out + o, 4, "\xe2\x80\xa6");
  out[o++] = '"';
  out[o] = '\0';
  return out;
}

/* Returns the "`"text" is not a TYPE`" message. Caller frees. */
static char *params_not_a(const char *text, ast_type type) {
  char *q = params_quote(text);
  const char *article = type == TYPE_INT || type == TYPE_OBJECT ? "an" : "a";
  char *msg = strutil_printf("%s is not %s %s", q ? q : "value", article, ast_type_name(type));
  free(q);
  return msg;
}

/* Returns the int that all of `text` spells, or false. */
static bool params_int(const char *text, int64_t *out) {
  if (!*text || strchr(" \t\n", *text)) return false;
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || *end) return false;
  *out = (int64_t)v;
  return true;
}

/* Returns the finite float that all of `text` spells, or false. */
static bool params_float(const char *text, double *out) {
  if (!*text || strchr(" \t\n", *text)) return false;
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || *end || !isfinite(v)) return false;
  *out = v;
  return true;
}

/* Returns the milliseconds of one duration unit at `p` (ms s m h d) and its length in *len; 0 when
 * there is none. */
static int64_t params_unit(const char *p, size_t *len) {
  *len = 1;
  if (p[0] == 'm' && p[1] == 's') {
    *len = 2;
    return 1;
  }
  switch (*p) {
    case 's': return 1000;
    case 'm': return 60 * 1000;
    case 'h': return 3600 * 1000;
    case 'd': return 24 * 3600 * 1000;
    default: return 0;
  }
}

/* Returns the milliseconds that all of `text` spells as a duration (`90s`, `1h30m`), or false. */
static bool params_duration(const char *text, int64_t *out) {
  const char *p = text;
  int64_t total = 0;
  if (!*p) return false;
  while (*p) {
    if (*p < '0' || *p > '9') return false;
    int64_t n = 0;
    while (*p >= '0' && *p <= '9') {
      if (n > (INT64_MAX - 9) / 10) return false;
      n = n * 10 + (*p++ - '0');
    }
    size_t len;
    int64_t unit = params_unit(p, &len);
    if (!unit || n > INT64_MAX / unit || total > INT64_MAX - n * unit) return false;
    total += n * unit;
    p += len;
  }
  *out = total;
  return true;
}

/* Returns the value for a list or object given as JSON or YAML flow text, or NULL. */
static rbk_value *params_structured(const char *text, ast_type type) {
  json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
  if (!j) {
    char *yerr = NULL;
    j = yamljson_parse(text, strlen(text), &yerr);
    free(yerr);
  }
  if (!j) return NULL;
  bool ok = type == TYPE_LIST ? json_is_array(j) : json_is_object(j);
  rbk_value *v = ok ? value_from_json(j) : NULL;
  json_decref(j);
  return v;
}

/* Returns the value of `text` parsed as `type` (TYPE_ANY: a string), or NULL with *err set to a message
 * like `"x" is not an int`. */
rbk_value *params_parse_value(ast_type type, const char *text, char **err) {
  int64_t i;
  double f;
  rbk_value *v = NULL;
  switch (type) {
    case TYPE_ANY:
    case TYPE_STRING: v = value_cstring(text); break;
    case TYPE_INT: v = params_int(text, &i) ? value_int(i) : NULL; break;
    case TYPE_FLOAT: v = params_float(text, &f) ? value_float(f) : NULL; break;
    case TYPE_BOOL:
      v = !strcmp(text, "true") ? value_bool(true) : !strcmp(text, "false") ? value_bool(false) : NULL;
      break;
    case TYPE_DURATION: v = params_duration(text, &i) ? value_duration(i) : NULL; break;
    case TYPE_LIST:
    case TYPE_OBJECT: v = params_structured(text, type); break;
    case TYPE_COUNT: break;
  }
  if (!v) *err = params_not_a(text, type);
  return v;
}

/* Returns the type a literal default expression reveals, or TYPE_ANY. */
static ast_type params_literal_type(const ast_node *def) {
  if (def->kind == AST_UNARY && def->op == OP_NEG) def = def->u.unary.operand;
  switch (def->kind) {
    case AST_INT_LIT: return TYPE_INT;
    case AST_FLOAT_LIT: return TYPE_FLOAT;
    case AST_BOOL_LIT: return TYPE_BOOL;
    case AST_DURATION_LIT: return TYPE_DURATION;
    case AST_STRING: return TYPE_STRING;
    case AST_LIST: return TYPE_LIST;
    case AST_OBJECT: return TYPE_OBJECT;
    default: return TYPE_ANY;
  }
}

/* Returns the param type matching a value's kind, or TYPE_STRING. */
static ast_type params_value_type(const rbk_value *v) {
  switch (v->kind) {
    case VAL_INT: return TYPE_INT;
    case VAL_FLOAT: return TYPE_FLOAT;
    case VAL_BOOL: return TYPE_BOOL;
    case VAL_DURATION: return TYPE_DURATION;
    case VAL_LIST: return TYPE_LIST;
    case VAL_OBJECT: return TYPE_OBJECT;
    default: return TYPE_STRING;
  }
}

/* Returns the type by which a given value of `decl` is parsed: the declared type; for an untyped param the
 * kind of its default (literal, or via `eval` when not NULL), else TYPE_STRING. */
ast_type params_effective_type(const ast_node *decl, param_eval_fn eval, void *user) {
  if (decl->u.param.type != TYPE_ANY) return decl->u.param.type;
  const ast_node *def = decl->u.param.def;
  if (!def) return TYPE_STRING;
  ast_type t = params_literal_type(def);
  if (t != TYPE_ANY) return t;
  rbk_value *v = eval ? eval(user, def) : NULL;
  t = v ? params_value_type(v) : TYPE_STRING;
  value_unref(v);
  return t;
}

/* Returns the number of top-level PARAM statements of `file`. */
static size_t params_count(const ast_file *file) {
  size_t n = 0;
  for (size_t i = 0; i < file->stmts.len; i++) n += file->stmts.items[i]->kind == AST_PARAM;
  return n;
}

/* Returns the index in `set` of the param called `name` (n bytes), or -1. */
static long params_index(const param_set *set, const char *name, size_t n) {
  for (size_t i = 0; i < set->len; i++) {
    const char *pn = set->items[i].decl->u.param.name;
    if (strlen(pn) == n && !strncmp(pn, name, n)) return (long)i;
  }
  return -1;
}

/* Returns the "unknown param" message with a suggestion when one is close. Caller frees. */
static char *params_unknown(const param_set *set, const char *name) {
  const char **names = calloc(set->len + 1, sizeof *names);
  if (!names) return NULL;
  for (size_t i = 0; i < set->len; i++) names[i] = set->items[i].decl->u.param.name;
  const char *near = diag_suggest(name, names);
  char *msg = near ? strutil_printf("unknown param '%s'; did you mean '%s'?", name, near)
              : set->len ? strutil_printf("unknown param '%s' (the plan has no such param)", name)
                         : strutil_printf("unknown param '%s' (the plan declares no params)", name);
  free(names);
  return msg;
}

/* Binds one "name=value" assignment; returns NULL on success or an error message. */
static char *params_assign(param_set *set, const char *assign, param_eval_fn eval, void *user) {
  const char *eq = strchr(assign, '=');
  if (!eq || eq == assign) {
    char *q = params_quote(assign);
    char *msg = strutil_printf("-p expects name=value, got %s", q ? q : "?");
    free(q);
    return msg;
  }
  long idx = params_index(set, assign, (size_t)(eq - assign));
  if (idx < 0) {
    char *name = strndup(assign, (size_t)(eq - assign));
    char *msg = name ? params_unknown(set, name) : NULL;
    free(name);
    return msg;
  }
  param_binding *b = &set->items[idx];
  if (b->given) return strutil_printf("param '%s' is given twice", b->decl->u.param.name);
  char *perr = NULL;
  b->value = params_parse_value(params_effective_type(b->decl, eval, user), eq + 1, &perr);
  if (!b->value) {
    char *msg = strutil_printf("param '%s': %s", b->decl->u.param.name, perr ? perr : "bad value");
    free(perr);
    return msg;
  }
  b->given = true;
  return NULL;
}

/* Returns the "is required" message for the first param without value or default, or NULL. */
static char *params_missing(const param_set *set) {
  for (size_t i = 0; i < set->len; i++) {
    const ast_node *d = set->items[i].decl;
    if (set->items[i].given || d->u.param.def) continue;
    const char *path = d->span.src ? d->span.src->path : "?";
    return strutil_printf("param '%s' is required (declared at %s:%d:%d)", d->u.param.name, path,
                      d->span.line, d->span.col);
  }
  return NULL;
}

/* Binds the assignments `assigns` ("name=value", n of them) to the top-level PARAM declarations of `file`. */
bool params_bind(const ast_file *file, char *const *assigns, size_t n, bool require,
                 param_eval_fn eval, void *user, param_set *out, char **err) {
  out->len = 0;
  out->items = calloc(params_count(file) + 1, sizeof *out->items);
  if (!out->items) {
    *err = strdup("out of memory");
    return false;
  }
  for (size_t i = 0; i < file->stmts.len; i++)
    if (file->stmts.items[i]->kind == AST_PARAM) out->items[out->len++].decl = file->stmts.items[i];
  char *msg = NULL;
  for (size_t i = 0; i < n && !msg; i++) msg = params_assign(out, assigns[i], eval, user);
  if (!msg && require) msg = params_missing(out);
  if (!msg) return true;
  *err = msg;
  params_free(out);
  return false;
}

/* Returns the binding of `name`, or NULL. */
const param_binding *params_find(const param_set *set, const char *name) {
  long i = params_index(set, name, strlen(name));
  return i < 0 ? NULL : &set->items[i];
}

/* Frees the set's values and array and leaves it empty. */
void params_free(param_set *set) {
  for (size_t i = 0; i < set->len; i++) value_unref(set->items[i].value);
  free(set->items);
  set->items = NULL;
  set->len = 0;
}
