/* strutil.c — formatting into new strings and reading whole streams (see strutil.h). */
#include "strutil.h"

#include <errno.h>
#include <stdlib.h>

/* Returns a new vprintf-formatted string, or NULL. */
char *strutil_vprintf(const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (!s) return NULL;
  va_copy(copy, ap);
  vsnprintf(s, (size_t)n + 1, fmt, copy);
  va_end(copy);
  return s;
}

/* Returns a new printf-formatted string, or NULL. */
char *strutil_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = strutil_vprintf(fmt, ap);
  va_end(ap);
  return s;
}

/* Returns 0 with the stream's remaining bytes in *out, or an errno value. */
int strutil_read_stream(FILE *f, size_t max, char **out, size_t *len) {
  size_t cap = 1 << 16, n = 0;
  char *data = malloc(cap + 1);
  if (!data) return ENOMEM;
  int err = 0;
  for (;;) {
    errno = 0;
    n += fread(data + n, 1, cap - n, f);
    if (n < cap) break;
    char *bigger = cap <= max && cap < SIZE_MAX / 2 ? realloc(data, cap * 2 + 1) : NULL;
    if (!bigger) {
      err = cap > max ? EFBIG : ENOMEM;
      break;
    }
    data = bigger;
    cap *= 2;
  }
  if (!err) err = ferror(f) ? (errno ? errno : EIO) : n > max ? EFBIG : 0;
  if (err) {
    free(data);
    return err;
  }
  data[n] = data[n + 1] = '\0'; /* n < cap: the buffer holds cap + 1 bytes */
  *out = data;
  if (len) *len = n;
  return 0;
}

/* Returns text (taken) on one line, its control characters escaped; NULL when out of memory. */
char *strutil_one_line(char *text) {
  if (!text) return NULL;
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    n += *p >= 0x20 && *p != 0x7f ? 1 : (*p == '\r' || *p == '\n' || *p == '\t') ? 2 : 4;
  char *out = malloc(n + 1), *o = out;
  for (const unsigned char *p = (const unsigned char *)text; out && *p; p++) {
    if (*p >= 0x20 && *p != 0x7f) *o++ = (char)*p;
    else if (*p == '\r' || *p == '\n' || *p == '\t') *o++ = '\\', *o++ = *p == '\r' ? 'r' : *p == '\n' ? 'n' : 't';
    else o += snprintf(o, 5, "\\x%02x", *p);
  }
  if (out) *o = '\0';
  free(text);
  return out;
}
