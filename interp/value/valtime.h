/* valtime.h — civil time for time values: RFC 3339 text in and out, UTC, millisecond precision.
 * Pure arithmetic (proleptic Gregorian calendar), independent of the process's time zone.
 *
 * Ownership: text arguments are borrowed; *why is a static string; formatting writes into the caller's
 * buffer (VALTIME_SIZE bytes).
 */
#ifndef RBK_VALTIME_H
#define RBK_VALTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any text valtime_format writes, with its NUL. */
#define VALTIME_SIZE 48

/* Writes epoch_ms as RFC 3339 UTC text ("2024-05-01T12:00:00Z", with ".250" milliseconds only
 * when they are not zero) into buf. */
void valtime_format(int64_t epoch_ms, char buf[VALTIME_SIZE]);

/* Reads RFC 3339 text (date, 'T' or 't' or ' ', time, optional fraction truncated to
 * milliseconds, 'Z'/'z' or ±HH:MM). Returns true with *epoch_ms set, or false with *why set to a
 * static message naming the problem. */
bool valtime_parse(const char *s, size_t len, int64_t *epoch_ms, const char **why);

#endif
