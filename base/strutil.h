/* strutil.h — the one definition of "format into a new string" and "read a whole stream or file".
 *
 * Lives in base/ so that every layer may use it; valbuf.h builds valbuf_read_file on it, and it
 * reads into a valbuf (the one growable buffer).
 *
 * Ownership: every returned string is new, NUL-terminated and freed by the caller.
 */
#ifndef RBK_STRUTIL_H
#define RBK_STRUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Returns a new string formatted like vprintf (ap is left as va_copy would), or NULL when out of
 * memory or the format fails. */
char *strutil_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Returns a new string formatted like printf, or NULL when out of memory. */
char *strutil_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Returns 0 after reading the rest of stream f into *out (followed by two NULs, as flex's in-place
 * scanning wants; *len gets its length when len is not NULL), or an errno value: EFBIG when it holds more than max bytes, ENOMEM, or the read
 * error (EIO when errno says nothing). *out is untouched on failure. */
int strutil_read_stream(FILE *f, size_t max, char **out, size_t *len);
/* Returns text (taken and freed) on one line, new: its control characters shown as \r, \n, \t or
 * \xHH, so that a name or selector holding a CR or LF cannot start a line of its own in what rbk
 * prints. NULL when text is NULL or out of memory. */
char *strutil_one_line(char *text);

#endif
