/* valbuf.c — a growing byte buffer. */
#include "valbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

/* Returns true when the buffer has room for n more bytes and a NUL. */
static bool reserve(valbuf *b, size_t n) {
  if (b->oom) return false;
  if (b->len + n + 1 <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + n + 1) cap *= 2;
  char *s = realloc(b->s, cap);
  if (!s) {
    b->oom = true;
    return false;
  }
  b->s = s;
  b->cap = cap;
  return true;
}

/* Appends n bytes of s. */
void valbuf_put(valbuf *b, const char *s, size_t n) {
  if (!reserve(b, n)) return;
  if (n) memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

/* Appends the NUL-terminated s. */
void valbuf_puts(valbuf *b, const char *s) { valbuf_put(b, s, strlen(s)); }

/* Appends vprintf-formatted text. */
static void valbuf_vprintf(valbuf *b, const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n < 0 || !reserve(b, (size_t)n)) return;
  va_copy(copy, ap);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, copy);
  va_end(copy);
  b->len += (size_t)n;
}

/* Appends printf-formatted text. */
void valbuf_printf(valbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  valbuf_vprintf(b, fmt, ap);
  va_end(ap);
}

/* Returns the bytes (caller frees) or NULL after a failed allocation; empties the buffer. */
char *valbuf_take(valbuf *b, size_t *len) {
  if (!b->s && reserve(b, 0)) b->s[0] = '\0';
  char *s = b->oom ? NULL : b->s;
  if (len) *len = b->len;
  if (b->oom) free(b->s);
  *b = (valbuf){0};
  return s;
}

/* Releases the bytes. */
void valbuf_free(valbuf *b) {
  free(b->s);
  *b = (valbuf){0};
}

/* Returns the file's bytes (caller frees), or NULL with errno set. */
char *valbuf_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *s = NULL;
  int err = strutil_read_stream(f, SIZE_MAX, &s, len);
  fclose(f);
  if (err) errno = err;
  return err ? NULL : s;
}

/* Returns the length of the UTF-8 sequence that byte b starts (0 when b cannot start one). */
static size_t utf8_lead(unsigned char b) {
  return b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
}

/* Returns the length of the valid UTF-8 sequence at s, or 0. */
size_t valbuf_utf8_seq(const char *s, size_t len) {
  static const unsigned long min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
  const unsigned char *u = (const unsigned char *)s;
  size_t n = len ? utf8_lead(u[0]) : 0;
  if (n == 0 || n > len) return 0;
  unsigned long cp = n == 1 ? u[0] : u[0] & (0x7Fu >> n);
  for (size_t k = 1; k < n; k++) {
    if ((u[k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (u[k] & 0x3F);
  }
  if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

/* Appends s with invalid UTF-8 bytes replaced by U+FFFD. */
void valbuf_put_utf8(valbuf *b, const char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    size_t k = valbuf_utf8_seq(s + i, n - i);
    if (k) valbuf_put(b, s + i, k);
    else valbuf_put(b, "\xEF\xBF\xBD", 3);
    i += k ? k : 1;
  }
}
