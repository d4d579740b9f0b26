/* valtime.c — RFC 3339 text <-> milliseconds since the epoch (UTC). */
#include "valtime.h"

#include <inttypes.h>
#include <stdio.h>

#define MS_PER_DAY 86400000LL

/* Returns the days from 1970-01-01 to y-m-d (H. Hinnant's days_from_civil). */
static int64_t valtime_days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Returns the civil date of a day count from 1970-01-01 in *y, *m, *d. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}


/* Writes epoch_ms as RFC 3339 UTC text. */
void valtime_format(int64_t epoch_ms, char buf[VALTIME_SIZE]) {
  int64_t rem = epoch_ms % MS_PER_DAY, y;
  int64_t days = epoch_ms / MS_PER_DAY - (rem < 0);
  int64_t in_day = rem < 0 ? rem + MS_PER_DAY : rem;
  int m, d;
  civil_from_days(days, &y, &m, &d);
  int hh = (int)(in_day / 3600000), mm = (int)(in_day / 60000 % 60), ss = (int)(in_day / 1000 % 60);
  int ms = (int)(in_day % 1000);
  int n = snprintf(buf, VALTIME_SIZE, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d", y, m, d, hh, mm, ss);
  if (ms) n += snprintf(buf + n, VALTIME_SIZE - (size_t)n, ".%03d", ms);
  snprintf(buf + n, VALTIME_SIZE - (size_t)n, "Z");
}

/* Returns the value of `width` decimal digits at s[*at] (advancing *at), or -1 when not digits. */
static int digits(const char *s, size_t len, size_t *at, int width) {
  int v = 0;
  for (int i = 0; i < width; i++, (*at)++) {
    if (*at >= len || s[*at] < '0' || s[*at] > '9') return -1;
    v = v * 10 + (s[*at] - '0');
  }
  return v;
}

/* Returns true when s[*at] is c (advancing *at). */
static bool expect_char(const char *s, size_t len, size_t *at, const char *any) {
  if (*at >= len) return false;
  for (; *any; any++)
    if (s[*at] == *any) {
      (*at)++;
      return true;
    }
  return false;
}

/* Returns the number of days in month m of year y. */
static int month_days(int64_t y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/* Returns the milliseconds of an optional ".digits" fraction (truncated), advancing *at. */
static int fraction(const char *s, size_t len, size_t *at, bool *ok) {
  int ms = 0, n = 0;
  if (*at >= len || s[*at] != '.') return 0;
  for ((*at)++; *at < len && s[*at] >= '0' && s[*at] <= '9'; (*at)++, n++)
    if (n < 3) ms = ms * 10 + (s[*at] - '0');
  for (int i = n; i < 3; i++) ms *= 10;
  *ok = n > 0;
  return ms;
}

/* Returns the UTC offset in minutes ('Z' or ±HH:MM), or false via *ok. */
static int offset(const char *s, size_t len, size_t *at, bool *ok) {
  if (expect_char(s, len, at, "Zz")) return 0;
  if (*at >= len || (s[*at] != '+' && s[*at] != '-')) {
    *ok = false;
    return 0;
  }
  int sign = s[(*at)++] == '-' ? -1 : 1;
  int hh = digits(s, len, at, 2);
  bool colon = expect_char(s, len, at, ":");
  int mm = digits(s, len, at, 2);
  *ok = colon && hh >= 0 && hh <= 23 && mm >= 0 && mm <= 59;
  return sign * (hh * 60 + mm);
}

/* Reads RFC 3339 text into *epoch_ms; false with *why on malformed or out-of-range text. */
bool valtime_parse(const char *s, size_t len, int64_t *epoch_ms, const char **why) {
  size_t at = 0;
  bool ok = true, frac_ok = true;
  int y = digits(s, len, &at, 4);
  ok = y >= 0 && expect_char(s, len, &at, "-");
  int mo = ok ? digits(s, len, &at, 2) : -1;
  ok = ok && mo >= 0 && expect_char(s, len, &at, "-");
  int d = ok ? digits(s, len, &at, 2) : -1;
  ok = ok && d >= 0 && expect_char(s, len, &at, "Tt ");
  int hh = ok ? digits(s, len, &at, 2) : -1;
  ok = ok && hh >= 0 && expect_char(s, len, &at, ":");
  int mi = ok ? digits(s, len, &at, 2) : -1;
  ok = ok && mi >= 0 && expect_char(s, len, &at, ":");
  int ss = ok ? digits(s, len, &at, 2) : -1;
  int ms = ok && ss >= 0 ? fraction(s, len, &at, &frac_ok) : 0;
  int off = ok && ss >= 0 && frac_ok ? offset(s, len, &at, &ok) : 0;
  if (!ok || ss < 0 || !frac_ok || at != len) {
    *why = "expected RFC 3339 text like 2024-05-01T12:00:00Z or 2024-05-01T14:00:00.5+02:00";
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || hh > 23 || mi > 59 || ss > 59) {
    *why = "date or time out of range";
    return false;
  }
  int64_t days = valtime_days_from_civil(y, mo, d);
  *epoch_ms = days * MS_PER_DAY + ((int64_t)hh * 3600 + mi * 60 + ss - (int64_t)off * 60) * 1000 + ms;
  return true;
}
