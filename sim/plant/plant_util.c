/* plant_util.c — small helpers of the plant model: hashing, base64, error bodies, rounding. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "sim_util.h"

/* Returns a deterministic 64-bit hash of (seed, a, b), drawn from the simulator's PRNG. */
uint64_t plant_hash(uint64_t seed, uint64_t a, uint64_t b) {
  sim_rng r;
  sim_util_rng_seed(&r, seed ^ (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full));
  return sim_util_rng_next(&r);
}

/* Returns base64 of the n bytes at p (new string), or NULL when out of memory. */
char *plant_base64(const char *p, size_t n) {
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
  if (!out) return NULL;
  const unsigned char *u = (const unsigned char *)p;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) |
                 (i + 2 < n ? u[i + 2] : 0);
    *o++ = tab[v >> 18 & 63];
    *o++ = tab[v >> 12 & 63];
    *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
    *o++ = i + 2 < n ? tab[v & 63] : '=';
  }
  *o = '\0';
  return out;
}

/* Returns a new JSON object {"error": message}. */
json_t *plant_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return json_pack("{s:s}", "error", msg);
}

/* Returns round(x, 1 decimal). */
double plant_round1(double x) {
  return round(x * 10.0) / 10.0;
}
