/* builtins_time.c — now, since, parse_time, format_time. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtins_impl.h"
#include "valtime.h"

/* now(): the clock's reading (the engine's clock: virtual in rehearsals). */
rbk_value *builtins_now(const bi_call *c) {
  if (!c->ctx) return builtins_fail(c, "there is no clock here");
  return value_time(c->ctx->now_ms);
}

/* since(t): the duration from t to now. */
rbk_value *builtins_since(const bi_call *c) {
  if (!builtins_is(c, 0, VAL_TIME)) return builtins_want(c, 0, "a time");
  if (!c->ctx) return builtins_fail(c, "there is no clock here");
  int64_t d = 0;
  if (__builtin_sub_overflow(c->ctx->now_ms, builtins_arg(c, 0)->u.i, &d)) return builtins_fail(c, "duration overflow");
  return value_duration(d);
}

/* Returns the time of epoch seconds (an int or a float, rounded to the millisecond). */
static rbk_value *from_epoch(const bi_call *c, const rbk_value *x) {
  double ms = x->kind == VAL_INT ? (double)x->u.i * 1000.0 : round(x->u.f * 1000.0);
  if (!(ms > -9.2e18 && ms < 9.2e18)) return builtins_fail(c, "epoch seconds out of range");
  if (x->kind == VAL_INT && (x->u.i > INT64_MAX / 1000 || x->u.i < INT64_MIN / 1000))
    return builtins_fail(c, "epoch seconds out of range");
  return value_time(x->kind == VAL_INT ? x->u.i * 1000 : (int64_t)ms);
}

/* parse_time(x): RFC 3339 text, epoch seconds (int or float), or a time as it is. */
rbk_value *builtins_parse_time(const bi_call *c) {
  const rbk_value *x = builtins_arg(c, 0);
  if (x->kind == VAL_TIME) return value_ref((rbk_value *)x);
  if (x->kind == VAL_INT || x->kind == VAL_FLOAT) return from_epoch(c, x);
  if (x->kind != VAL_STRING) return builtins_want(c, 0, "RFC 3339 text or epoch seconds");
  int64_t ms = 0;
  const char *why = NULL;
  if (!valtime_parse(x->u.str.s, x->u.str.len, &ms, &why))
    return builtins_fail(c, "cannot parse \"%s\" as a time: %s", x->u.str.s, why);
  return value_time(ms);
}

/* Returns the broken-down UTC time of epoch_ms in *tm; false when out of range. */
static bool utc_tm(int64_t epoch_ms, struct tm *tm) {
  int64_t secs = epoch_ms / 1000 - (epoch_ms % 1000 < 0);
  time_t t = (time_t)secs;
  return (int64_t)t == secs && gmtime_r(&t, tm) != NULL;
}

/* format_time(t, fmt): strftime(fmt) in UTC. */
rbk_value *builtins_format_time(const bi_call *c) {
  if (!builtins_is(c, 0, VAL_TIME)) return builtins_want(c, 0, "a time");
  if (!builtins_is(c, 1, VAL_STRING)) return builtins_want(c, 1, "a string");
  struct tm tm;
  if (!utc_tm(builtins_arg(c, 0)->u.i, &tm)) return builtins_fail(c, "time out of range");
  size_t flen = builtins_arg(c, 1)->u.str.len;
  char *fmt = malloc(flen + 2);
  if (!fmt) return builtins_oom(c);
  memcpy(fmt, builtins_arg(c, 1)->u.str.s, flen);
  memcpy(fmt + flen, "x", 2); /* a sentinel: strftime's 0 then means only "too small" */
  rbk_value *v = NULL;
  for (size_t cap = 128; !v && cap <= 65536; cap *= 4) {
    char *out = malloc(cap);
    size_t n = out ? strftime(out, cap, fmt, &tm) : 0;
    if (n > 0) v = value_string(out, n - 1);
    free(out);
    if (!out) break;
  }
  free(fmt);
  return v ? v : builtins_fail(c, "the formatted text is too long or memory ran out");
}
