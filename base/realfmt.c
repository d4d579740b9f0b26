/* realfmt.c — shortest round-trip text of doubles. */
#include "realfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns the smallest precision p (1..17) at which "%.{p}g" of d reads back as d. */
static int realfmt_precision(double d) {
  char tmp[REALFMT_SIZE];
  if (!isfinite(d)) return 17;
  for (int p = 1; p < 17; p++) {
    snprintf(tmp, sizeof tmp, "%.*g", p, d);
    if (strtod(tmp, NULL) == d) return p;
  }
  return 17;
}

/* Returns the index of the exponent marker 'e' in s, or the length of s when there is none. */
static size_t exponent_at(const char *s) {
  const char *e = strchr(s, 'e');
  return e ? (size_t)(e - s) : strlen(s);
}

/* Writes d with p significant digits: positional notation for decimal exponents -4..15 (as
 * Python's repr does), scientific notation otherwise. */
static void write_digits(double d, int p, char buf[REALFMT_SIZE]) {
  char sci[REALFMT_SIZE];
  snprintf(sci, sizeof sci, "%.*e", p - 1, d);
  int exp = atoi(sci + exponent_at(sci) + 1);
  if (exp >= -4 && exp < 16) {
    int decimals = p - 1 - exp;
    snprintf(buf, REALFMT_SIZE, "%.*f", decimals > 0 ? decimals : 0, d);
  } else {
    memcpy(buf, sci, REALFMT_SIZE);
  }
}

/* Returns the precision used after writing d's shortest text, with ".0" when it has no '.'. */
int realfmt_shortest(double d, char buf[REALFMT_SIZE]) {
  if (isnan(d)) {
    snprintf(buf, REALFMT_SIZE, "nan");
    return 0;
  }
  if (isinf(d)) {
    snprintf(buf, REALFMT_SIZE, d < 0 ? "-inf" : "inf");
    return 0;
  }
  int p = realfmt_precision(d);
  write_digits(d, p, buf);
  if (!strchr(buf, '.')) {
    size_t at = exponent_at(buf), len = strlen(buf);
    memmove(buf + at + 2, buf + at, len - at + 1);
    buf[at] = '.';
    buf[at + 1] = '0';
  }
  return p;
}

/* Returns the precision that prints d round-trip and, for exponents 0..16, positionally. */
int realfmt_json_precision(double d) {
  int p = realfmt_precision(d);
  if (!isfinite(d) || d == 0) return p;
  char sci[REALFMT_SIZE];
  snprintf(sci, sizeof sci, "%.*e", p - 1, d);
  int exp = atoi(sci + exponent_at(sci) + 1);
  if (exp >= p && exp < 17) p = exp + 1;
  return p > 17 ? 17 : p;
}
