/* test_kube_fake.h — helpers for the actions tests: build a call by parameter names, run it to
 * completion through the rbk_actions interface (virtual time for the simulator, the real clock
 * for curl). */
#ifndef TEST_KUBE_FAKE_H
#define TEST_KUBE_FAKE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "sig.h"
#include "value.h"

/* An action's outcome. */
typedef struct {
  bool done;
  rbk_value *res;
  char *err;
} tk_outcome;

/* Records an outcome. */
static inline void tk_done(void *user, rbk_value *r, const char *e) {
  tk_outcome *o = user;
  o->done = true, o->res = r, o->err = e ? strdup(e) : NULL;
}

/* Releases an outcome. */
static inline void tk_clear(tk_outcome *o) {
  value_unref(o->res);
  free(o->err);
  memset(o, 0, sizeof *o);
}

/* Returns the monotonic time in ms. */
static inline int64_t tk_mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The clock of a test: virtual (advanced to next events) or real. */
static int64_t tk_now;
static bool tk_real;
static int64_t tk_real0;

/* Returns the test's clock reading. */
static inline int64_t tk_clock(void) { return tk_real ? tk_mono() - tk_real0 : tk_now; }

/* Drives a until o is done (or a safety limit of events). */
static inline void tk_drive(rbk_actions *a, tk_outcome *o) {
  for (int i = 0; i < 2000000 && !o->done; i++) {
    if (tk_real) {
      a->poll(a->self, tk_clock(), 200);
      continue;
    }
    int64_t t = a->next_event(a->self, tk_now);
    if (t == INT64_MAX) break;
    if (t > tk_now) tk_now = t;
    a->poll(a->self, tk_now, 0);
  }
}

/* Returns the args array for sig with the given name=value pairs (values taken). */
static inline rbk_value **tk_args(const sig_info *sig, size_t *n, const char *const *names, rbk_value **vals, size_t k) {
  sig_param p[16];
  *n = sig_params(sig, p, 16);
  rbk_value **a = calloc(*n + 1, sizeof *a);
  for (size_t i = 0; i < k; i++) {
    int idx = sig_param_index(p, *n, names[i]);
    if (idx >= 0) a[idx] = vals[i];
    else value_unref(vals[i]);
  }
  return a;
}

/* Frees an args array. */
static inline void tk_args_free(rbk_value **a, size_t n) {
  for (size_t i = 0; i < n; i++) value_unref(a[i]);
  free(a);
}

/* Runs action `id` on recv with up to 4 named args; returns its outcome. */
static inline tk_outcome tk_call(rbk_actions *a, sig_id id, rbk_value *recv, int64_t timeout_ms, size_t k,
                          const char *const *names, rbk_value **vals) {
  const sig_info *sig = sig_get(id);
  size_t n = 0;
  rbk_value **args = tk_args(sig, &n, names, vals, k);
  rbk_action_req req = {sig, recv, args, n, timeout_ms > 0 ? timeout_ms : sig->timeout_ms, tk_clock(), false, NULL};
  tk_outcome o = {0};
  char *err = NULL;
  uint64_t id_ = a->start(a->self, &req, tk_done, &o, &err);
  if (!id_) o.done = true, o.err = err;
  else tk_drive(a, &o);
  tk_args_free(args, n);
  return o;
}

/* Returns a constructed handle (NULL with *err). */
static inline rbk_value *tk_make(rbk_actions *a, sig_id id, rbk_value *recv, size_t k, const char *const *names,
                          rbk_value **vals, char **err) {
  const sig_info *sig = sig_get(id);
  size_t n = 0;
  rbk_value **args = tk_args(sig, &n, names, vals, k);
  rbk_value *h = a->construct(a->self, sig, recv, args, err);
  tk_args_free(args, n);
  return h;
}

/* Returns the string at obj.key (borrowed) or "". */
static inline const char *tk_str(const rbk_value *o, const char *key) {
  const rbk_value *v = o && o->kind == VAL_OBJECT ? value_object_get(o, key) : NULL;
  return v && v->kind == VAL_STRING ? v->u.str.s : "";
}

/* Returns the int at obj.key or -1. */
static inline int64_t tk_int(const rbk_value *o, const char *key) {
  const rbk_value *v = o && o->kind == VAL_OBJECT ? value_object_get(o, key) : NULL;
  return v && v->kind == VAL_INT ? v->u.i : -1;
}

#endif
