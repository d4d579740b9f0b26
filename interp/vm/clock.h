/* clock.h — the engine's time: real (CLOCK_MONOTONIC) or virtual (jumps when every task waits).
 *
 * Both read "now" as milliseconds on a monotonic scale starting at 0 when the clock is made, and
 * the wall-clock time (for now()/since() and timestamps) as epoch milliseconds. The real clock's
 * wall time is the system's real-time clock at creation plus the monotonic time elapsed since, so
 * the two never disagree during a run. The virtual clock starts at 0 with a wall time of the
 * `epoch_ms` it was made with, and moves only when the engine advances it.
 *
 * Ownership: the caller owns a clock and frees it with clock_free() after the engine using it.
 */
#ifndef RBK_CLOCK_H
#define RBK_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rbk_clock rbk_clock;

/* The virtual clock's default epoch: 2025-01-01T00:00:00Z, so virtual runs print the same times. */
#define CLOCK_VIRTUAL_EPOCH_MS INT64_C(1735689600000)

/* Returns a real clock; NULL when out of memory. */
rbk_clock *clock_real(void);
/* Returns a virtual clock whose wall time starts at epoch_ms; NULL when out of memory. */
rbk_clock *clock_virtual(int64_t epoch_ms);
/* Frees the clock; NULL is fine. */
void clock_free(rbk_clock *c);

/* Returns true for a virtual clock. */
bool clock_is_virtual(const rbk_clock *c);
/* Returns the monotonic time in ms since the clock was made. */
int64_t clock_now(const rbk_clock *c);
/* Returns the wall-clock time in ms since the Unix epoch that corresponds to clock_now(). */
int64_t clock_wall(const rbk_clock *c);
/* Moves a virtual clock forward to `to_ms` (never backwards); ignored by a real clock. */
void clock_advance(rbk_clock *c, int64_t to_ms);
/* Real clock: sleeps until clock_now() >= to_ms or a signal arrives; returns at once for a
 * virtual clock (the engine advances it instead). */
void clock_sleep_until(rbk_clock *c, int64_t to_ms);

#endif
