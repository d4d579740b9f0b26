/* valbuf.h — a growing byte buffer for building the text of values.
 *
 * Ownership: the buffer owns its bytes until valbuf_take() hands them to the caller; valbuf_free()
 * releases them otherwise. An allocation failure sets `oom` and makes later appends no-ops.
 */
#ifndef RBK_VALBUF_H
#define RBK_VALBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "strutil.h"

typedef struct {
  char *s;
  size_t len, cap;
  bool oom;
} valbuf;

/* Appends n bytes of s. */
void valbuf_put(valbuf *b, const char *s, size_t n);
/* Appends the NUL-terminated s. */
void valbuf_puts(valbuf *b, const char *s);
/* Appends text formatted like printf. */
void valbuf_printf(valbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the length (1-4) of the valid UTF-8 sequence at s[0..len), or 0 when the bytes there are
 * not valid UTF-8 (overlong forms and surrogates are invalid). */
size_t valbuf_utf8_seq(const char *s, size_t len);
/* Appends n bytes of s with every invalid UTF-8 byte replaced by U+FFFD. */
void valbuf_put_utf8(valbuf *b, const char *s, size_t n);
/* Returns the NUL-terminated bytes (caller frees; *len gets their count when len is not NULL), or
 * NULL when an allocation failed; the buffer is empty afterwards. */
char *valbuf_take(valbuf *b, size_t *len);
/* Releases the bytes. */
void valbuf_free(valbuf *b);

/* Returns the whole content of file `path`, NUL-terminated (caller frees; *len gets its length
 * when len is not NULL), or NULL with errno set (ENOMEM when out of memory). */
char *valbuf_read_file(const char *path, size_t *len);

#endif
