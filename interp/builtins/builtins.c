/* builtins.c — builtins_call(): argument checks, dispatch, and the helpers the built-ins share. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "builtins_impl.h"
#include "valbuf.h"
#include "value.h"

/* Returns NULL after setting *c->err to "<name>: " and the formatted message. */
rbk_value *builtins_fail(const bi_call *c, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  size_t n = strlen(c->sig->name) + strlen(msg) + 3;
  *c->err = malloc(n);
  if (*c->err) snprintf(*c->err, n, "%s: %s", c->sig->name, msg);
  return NULL;
}

/* Returns NULL after reporting that memory ran out. */
rbk_value *builtins_oom(const bi_call *c) { return builtins_fail(c, "out of memory"); }

/* Returns argument i (borrowed), or NULL when it was not given. */
const rbk_value *builtins_arg(const bi_call *c, size_t i) { return i < c->n ? c->args[i] : NULL; }

/* Returns true when argument i was given and is of `kind`. */
bool builtins_is(const bi_call *c, size_t i, val_kind kind) {
  const rbk_value *v = builtins_arg(c, i);
  return v && v->kind == kind;
}

/* Returns NULL after reporting that argument i is not `what`. */
rbk_value *builtins_want(const bi_call *c, size_t i, const char *what) {
  const rbk_value *v = builtins_arg(c, i);
  const char *got = v ? value_kind_article(v->kind) : "nothing";
  bool several = c->nparams > 1 && i < c->nparams && !c->params[i].variadic;
  if (several) return builtins_fail(c, "expected %s as %s, got %s", what, c->params[i].name, got);
  return builtins_fail(c, "expected %s, got %s", what, got);
}

/* Returns true when the string s (len bytes) is valid UTF-8 (no overlongs, no surrogates). */
bool builtins_utf8_valid(const char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    size_t n = valbuf_utf8_seq(s + i, len - i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

/* Returns the lambda argument i applied to item (borrowed), or NULL with *c->err set. */
rbk_value *builtins_apply(const bi_call *c, size_t i, rbk_value *item) {
  const rbk_value *fn = builtins_arg(c, i);
  if (!fn || fn->kind != VAL_LAMBDA) return builtins_want(c, i, "a lambda (x => …)");
  if (!c->ctx || !c->ctx->apply) return builtins_fail(c, "lambdas cannot be called here");
  char *e = NULL;
  rbk_value *r = c->ctx->apply(c->ctx->user, fn, item, &e);
  if (!r) {
    builtins_fail(c, "%s", e ? e : "the lambda failed");
    free(e);
  }
  return r;
}

/* Returns 1 or 0 for the predicate argument i on item (element `at`), or -1 with *c->err set. */
int builtins_test(const bi_call *c, size_t i, rbk_value *item, size_t at) {
  rbk_value *r = builtins_apply(c, i, item);
  if (!r) return -1;
  int t = r->kind == VAL_BOOL ? r->u.b : -1;
  if (t < 0) builtins_fail(c, "%s returned %s for element [%zu], expected a bool", c->params[i].name, value_kind_article(r->kind), at);
  value_unref(r);
  return t;
}

/* Returns true after checking the argument count and filling c->args in parameter order. */
static bool prepare(bi_call *c, rbk_value *const *args, size_t n, rbk_value *const *named) {
  c->nparams = sig_params(c->sig, c->params, BI_MAX_PARAMS);
  size_t min = sig_min_positional(c->sig), max = sig_max_positional(c->sig);
  if (max == SIZE_MAX) {
    c->args = args;
    c->n = n;
    if (n < min) {
      builtins_fail(c, "expected at least %zu argument%s, got %zu", min, min == 1 ? "" : "s", n);
      return false;
    }
    return true;
  }
  if (n > max) {
    builtins_fail(c, "expected at most %zu argument%s, got %zu", max, max == 1 ? "" : "s", n);
    return false;
  }
  for (size_t i = 0; i < c->nparams; i++) {
    rbk_value *by_name = named ? named[i] : NULL;
    if (i < n && by_name) {
      builtins_fail(c, "%s given twice", c->params[i].name);
      return false;
    }
    c->slots[i] = i < n ? args[i] : by_name;
    if (!c->slots[i] && c->params[i].required) {
      builtins_fail(c, "missing argument %s", c->params[i].name);
      return false;
    }
  }
  c->args = c->slots;
  c->n = c->nparams;
  return true;
}

/* Returns the result of the built-in `c->sig->id`, or NULL with *c->err set. */
static rbk_value *dispatch(const bi_call *c) {
  switch (c->sig->id) {
  case FN_LEN: return builtins_len(c);
  case FN_COUNT: return builtins_count(c);
  case FN_ALL: return builtins_all(c);
  case FN_ANY: return builtins_any(c);
  case FN_FILTER: return builtins_filter(c);
  case FN_MAP: return builtins_map(c);
  case FN_SUM: return builtins_sum(c);
  case FN_MIN: return builtins_min(c);
  case FN_MAX: return builtins_max(c);
  case FN_SORT: return builtins_sort(c);
  case FN_SORT_BY: return builtins_sort_by(c);
  case FN_RANGE: return builtins_range(c);
  case FN_KEYS: return builtins_keys(c);
  case FN_VALUES: return builtins_values(c);
  case FN_MERGE: return builtins_merge(c);
  case FN_CONTAINS: return builtins_contains(c);
  case FN_STARTSWITH: return builtins_startswith(c);
  case FN_ENDSWITH: return builtins_endswith(c);
  case FN_MATCHES: return builtins_matches(c);
  case FN_SPLIT: return builtins_split(c);
  case FN_JOIN: return builtins_join(c);
  case FN_UPPER: return builtins_upper(c);
  case FN_LOWER: return builtins_lower(c);
  case FN_TRIM: return builtins_trim(c);
  case FN_STR: return builtins_str(c);
  case FN_INT: return builtins_int(c);
  case FN_FLOAT: return builtins_float(c);
  case FN_JSON: return builtins_json(c);
  case FN_YAML: return builtins_yaml(c);
  case FN_TO_JSON: return builtins_to_json(c);
  case FN_TO_YAML: return builtins_to_yaml(c);
  case FN_BASE64: return builtins_base64(c);
  case FN_UNBASE64: return builtins_unbase64(c);
  case FN_ENV: return builtins_env(c);
  case FN_SECRET: return builtins_secret(c);
  case FN_FILE: return builtins_file(c);
  case FN_NOW: return builtins_now(c);
  case FN_SINCE: return builtins_since(c);
  case FN_PARSE_TIME: return builtins_parse_time(c);
  case FN_FORMAT_TIME: return builtins_format_time(c);
  /* handle constructors and actions run in the engine, not here */
  case FN_KUBE: case FN_HTTP: case FN_SLACK: case FN_WEBHOOK: case FN_CONSOLE: case FN_LOGFILE:
  case FN_RUN: case FN_WRITE_FILE:
  case FN_K_GET: case FN_K_LIST: case FN_K_EXISTS: case FN_K_HISTORY: case FN_K_ROLLOUT_STATUS:
  case FN_K_WAIT_DELETED: case FN_K_WAIT_READY: case FN_K_EVENTS: case FN_K_ROLLOUT_UNDO:
  case FN_K_ROLLOUT_RESTART: case FN_K_SCALE: case FN_K_PATCH: case FN_K_APPLY: case FN_K_CREATE:
  case FN_K_DELETE: case FN_K_JOB: case FN_K_LOGS: case FN_K_EXEC: case FN_K_SERVICE:
  case FN_E_GET: case FN_E_POST: case FN_E_PUT: case FN_E_DELETE:
  case FN__COUNT: break;
  }
  return builtins_fail(c, "is not a built-in function (it is a constructor or an action)");
}

/* Calls the built-in `id`; returns its result or NULL with *err set (caller frees). */
rbk_value *builtins_call(sig_id id, rbk_value *const *args, size_t n, rbk_value *const *named,
                         const builtin_ctx *ctx, char **err) {
  *err = NULL;
  bi_call c = {.sig = sig_get(id), .ctx = ctx, .err = err};
  if (!c.sig) {
    *err = strdup("unknown built-in function");
    return NULL;
  }
  bool builtin = (c.sig->flags & (SIG_PURE | SIG_ENV | SIG_RUNTIME)) != 0;
  if (builtin && !prepare(&c, args, n, named)) return NULL;
  return dispatch(&c);
}
