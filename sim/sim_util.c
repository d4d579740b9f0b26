/* sim_util.c — PRNG, hashing, times, durations and growable strings for the simulator. */
#include "sim_util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strutil.h"

/* Returns the splitmix64 successor of *x (advancing it). */
static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Seeds the generator (any seed, 0 included, gives a usable stream). */
void sim_util_rng_seed(sim_rng *r, uint64_t seed) {
  uint64_t x = seed;
  r->s = splitmix64(&x);
  if (!r->s) r->s = 0x2545f4914f6cdd1dull;
}

/* Returns the next 64 random bits. */
uint64_t sim_util_rng_next(sim_rng *r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545f4914f6cdd1dull;
}

/* Returns a uniform double in [0, 1). */
double sim_util_rng_unit(sim_rng *r) { return (double)(sim_util_rng_next(r) >> 11) / 9007199254740992.0; }

/* Returns a uniform integer in [lo, hi] (hi >= lo). */
int64_t sim_util_rng_range(sim_rng *r, int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  uint64_t span = (uint64_t)(hi - lo) + 1;
  return lo + (int64_t)(sim_util_rng_next(r) % span);
}

/* Returns the 32-bit FNV-1a hash of the bytes. */
uint32_t sim_util_fnv32(const void *data, size_t len, uint32_t h) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 16777619u;
  }
  return h;
}

/* Writes n characters of Kubernetes' "safe" alphabet (bcdfghjklmnpqrstvwxz2456789) encoding v into out
 * (n+1 bytes, NUL-terminated). */
void sim_util_safe_encode(uint64_t v, char *out, size_t n) {
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  for (size_t i = 0; i < n; i++) {
    out[i] = alphabet[v % 27];
    v /= 27;
  }
  out[n] = 0;
}

/* Returns floor(a / b) for b > 0. */
static int64_t floordiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* Formats epoch milliseconds as RFC 3339 seconds ("2025-11-17T16:00:00Z") into out[32]. */
void sim_util_time_rfc3339(int64_t epoch_ms, char out[32]) {
  time_t t = (time_t)floordiv(epoch_ms, 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Reads exactly n digits at *p into *v; returns false when they are not digits. */
static bool read_digits(const char **p, int n, int *v) {
  *v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i])) return false;
    *v = *v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  return true;
}

/* Reads the fraction after the seconds (if any) into milliseconds. */
static int read_fraction(const char **p) {
  int ms = 0, scale = 100;
  if (**p != '.') return 0;
  for ((*p)++; isdigit((unsigned char)**p); (*p)++) {
    ms += (**p - '0') * scale;
    scale /= 10;
  }
  return ms;
}

/* Parses RFC 3339 text (fractions and offsets allowed) into epoch ms; false when malformed. */
bool sim_util_time_parse(const char *s, int64_t *epoch_ms) {
  if (!s) return false;
  struct tm tm = {0};
  const char *p = s;
  int y, mo, d, h, mi, se;
  if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &mo) || *p++ != '-' ||
      !read_digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
    return false;
  p++;
  if (!read_digits(&p, 2, &h) || *p++ != ':' || !read_digits(&p, 2, &mi) || *p++ != ':' ||
      !read_digits(&p, 2, &se))
    return false;
  int ms = read_fraction(&p);
  int offset = 0;
  if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1, oh, om;
    p++;
    if (!read_digits(&p, 2, &oh) || *p++ != ':' || !read_digits(&p, 2, &om)) return false;
    offset = sign * (oh * 3600 + om * 60);
  } else if (*p == 'Z' || *p == 'z') {
    p++;
  } else {
    return false;
  }
  if (*p) return false;
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
  tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = se;
  *epoch_ms = ((int64_t)timegm(&tm) - offset) * 1000 + ms;
  return true;
}

/* Returns s seconds in ms, saturated at ±SIM_UTIL_DURATION_MAX_MS. */
int64_t sim_util_secs_to_ms(int64_t s) {
  const int64_t max_s = SIM_UTIL_DURATION_MAX_MS / 1000;
  return (s > max_s ? max_s : s < -max_s ? -max_s : s) * 1000;
}

/* Parses a duration ("90s", "2m", "1h30m", "500ms", or a bare number of ms; one leading '-') into
 * ms; false when malformed or longer than SIM_UTIL_DURATION_MAX_MS (every part is checked before
 * it is converted: a count too large for an int64 is not a duration). */
bool sim_util_duration_parse(const char *s, int64_t *ms) {
  if (!s || !*s) return false;
  char *end;
  int64_t total = 0;
  const char *p = s;
  bool neg = *p == '-';
  if (neg && !*++p) return false;
  while (*p) {
    if (*p == '-' || *p == '+') return false; /* strtod would take a sign on every part */
    double n = strtod(p, &end);
    if (end == p || !(n >= 0)) return false; /* NaN too */
    p = end;
    double unit = 1;
    if (!strncmp(p, "ms", 2)) unit = 1, p += 2;
    else if (*p == 's') unit = 1000, p++;
    else if (*p == 'm') unit = 60000, p++;
    else if (*p == 'h') unit = 3600000, p++;
    else if (*p == 'd') unit = 86400000, p++;
    else if (*p) return false;
    double part = n * unit;
    if (!(part <= (double)(SIM_UTIL_DURATION_MAX_MS - total))) return false; /* infinity too */
    total += (int64_t)part;
  }
  *ms = neg ? -total : total;
  return true;
}

/* Returns a duration given as a JSON string or integer (ms), or dflt when absent, malformed or
 * longer than SIM_UTIL_DURATION_MAX_MS either way. */
int64_t sim_util_json_duration(const json_t *v, int64_t dflt) {
  int64_t ms = json_is_integer(v) ? json_integer_value(v) : 0;
  if (json_is_integer(v)) return ms >= -SIM_UTIL_DURATION_MAX_MS && ms <= SIM_UTIL_DURATION_MAX_MS ? ms : dflt;
  if (json_is_string(v) && sim_util_duration_parse(json_string_value(v), &ms)) return ms;
  return dflt;
}

