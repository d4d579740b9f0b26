/* clock.c — real and virtual clocks (see clock.h). */
#include "clock.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

struct rbk_clock {
  bool virt;
  int64_t origin;  /* real: CLOCK_MONOTONIC ms at creation */
  int64_t epoch;   /* wall time (ms since the epoch) that corresponds to now = 0 */
  int64_t now;     /* virtual: the current time */
};

/* Returns the reading of `id` in milliseconds. */
static int64_t read_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns a real clock; NULL when out of memory. */
rbk_clock *clock_real(void) {
  rbk_clock *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->origin = read_ms(CLOCK_MONOTONIC);
  c->epoch = read_ms(CLOCK_REALTIME);
  return c;
}

/* Returns a virtual clock starting at wall time epoch_ms; NULL when out of memory. */
rbk_clock *clock_virtual(int64_t epoch_ms) {
  rbk_clock *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->virt = true;
  c->epoch = epoch_ms;
  return c;
}

/* Frees the clock. */
void clock_free(rbk_clock *c) { free(c); }

/* Returns true for a virtual clock. */
bool clock_is_virtual(const rbk_clock *c) { return c->virt; }

/* Returns ms since the clock was made. */
int64_t clock_now(const rbk_clock *c) { return c->virt ? c->now : read_ms(CLOCK_MONOTONIC) - c->origin; }

/* Returns the wall time matching clock_now(). */
int64_t clock_wall(const rbk_clock *c) { return c->epoch + clock_now(c); }

/* Moves a virtual clock forward. */
void clock_advance(rbk_clock *c, int64_t to_ms) {
  if (c->virt && to_ms > c->now) c->now = to_ms;
}

/* Sleeps (real clock) until to_ms or a signal; returns at once for a virtual clock. */
void clock_sleep_until(rbk_clock *c, int64_t to_ms) {
  if (c->virt) return;
  int64_t left = to_ms - clock_now(c);
  if (left <= 0) return;
  struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000};
  nanosleep(&ts, NULL); /* EINTR: a signal arrived; the engine looks at its flags */
}
