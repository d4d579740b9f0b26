/* plan_cost.c — worst-case durations: sequences add, alternatives take the longer, timeouts cap,
 * and the plan's summary against its deadline (docs/plan.md, "The worst case"). */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "plan_int.h"

/* Returns a + b with PLAN_UNBOUNDED absorbing, saturated at INT64_MAX and INT64_MIN (a negative
 * duration, `timeout: -1m`, may reach here: fuzz_plan found the overflow). */
static int64_t plan_cost_add_ms(int64_t a, int64_t b) {
  if (a == PLAN_UNBOUNDED || b == PLAN_UNBOUNDED) return PLAN_UNBOUNDED;
  if (b > 0 && a > INT64_MAX - b) return INT64_MAX;
  if (b < 0 && a < INT64_MIN - b) return INT64_MIN;
  return a + b;
}

/* Returns true when a is longer than b (unbounded is longest). */
static bool cost_longer(int64_t a, int64_t b) {
  if (a == PLAN_UNBOUNDED) return b != PLAN_UNBOUNDED;
  return b != PLAN_UNBOUNDED && a > b;
}

/* Returns a cost of 0 with no path. */
plan_cost plan_cost_zero(void) {
  plan_cost c = {0};
  return c;
}

/* Appends n indices to the path (silently keeps the shorter path when out of memory). */
static void path_append(plan_cost *a, const size_t *items, size_t n) {
  if (!n) return;
  if (!GROW(a->path, a->path_cap, a->npath + n)) return;
  memcpy(a->path + a->npath, items, n * sizeof *a->path);
  a->npath += n;
}

/* Appends a reason (copied). */
static void why_append(plan_cost *a, const char *why) {
  if (!GROW(a->why, a->why_cap, a->nwhy + 1)) return;
  a->why[a->nwhy] = strdup(why);
  if (a->why[a->nwhy]) a->nwhy++;
}

/* Drops the reasons. */
static void why_clear(plan_cost *a) {
  for (size_t i = 0; i < a->nwhy; i++) free(a->why[i]);
  free(a->why);
  a->why = NULL;
  a->nwhy = a->why_cap = 0;
}

/* Returns the cost of one node taking ms (PLAN_UNBOUNDED allowed; `why` copied when given). */
plan_cost plan_cost_leaf(size_t node, int64_t ms, const char *why) {
  plan_cost c = {0};
  c.ms = ms;
  path_append(&c, &node, 1);
  if (ms == PLAN_UNBOUNDED && why) why_append(&c, why);
  return c;
}

/* Appends b after a (a sequence); takes b. */
void plan_cost_seq(plan_cost *a, plan_cost *b) {
  a->ms = plan_cost_add_ms(a->ms, b->ms);
  path_append(a, b->path, b->npath);
  for (size_t i = 0; i < b->nwhy; i++) why_append(a, b->why[i]);
  plan_cost_free(b);
}

/* Keeps in *a the longer of a and b; takes b. */
void plan_cost_max(plan_cost *a, plan_cost *b) {
  if (a->ms == PLAN_UNBOUNDED && b->ms == PLAN_UNBOUNDED) {
    for (size_t i = 0; i < b->nwhy; i++) why_append(a, b->why[i]);
  } else if (cost_longer(b->ms, a->ms)) {
    plan_cost t = *a;
    *a = *b;
    *b = t;
  }
  plan_cost_free(b);
}

/* Caps *a at `limit` ms taken by `node` (a step or gate timeout): min(limit, a). */
void plan_cost_cap(plan_cost *a, size_t node, int64_t limit) {
  if (limit < 0 || !cost_longer(a->ms, limit)) return;
  plan_cost_free(a);
  *a = plan_cost_leaf(node, limit, NULL);
}

/* Multiplies by `times` and adds `extra` ms (retries, parallel rounds). */
void plan_cost_scale(plan_cost *a, int64_t times, int64_t extra) {
  if (a->ms == PLAN_UNBOUNDED) return;
  a->ms = times > 0 && a->ms > (INT64_MAX - extra) / times ? INT64_MAX : a->ms * times + extra;
}

/* Replaces *a by an unbounded cost for `why`, keeping the path so far. */
void plan_cost_unbounded(plan_cost *a, const char *why) {
  a->ms = PLAN_UNBOUNDED;
  if (why) why_append(a, why);
}

/* Releases the cost's arrays and leaves it zero. */
void plan_cost_free(plan_cost *a) {
  free(a->path);
  why_clear(a);
  *a = plan_cost_zero();
}

/* Copies the reasons of c into the summary's list. */
static void critical_why(plan_critical *cr, const plan_cost *c) {
  for (size_t i = 0; i < c->nwhy; i++) {
    if (!GROW(cr->unbounded, cr->unbounded_cap, cr->nunbounded + 1)) return;
    if ((cr->unbounded[cr->nunbounded] = strdup(c->why[i]))) cr->nunbounded++;
  }
}

/* Computes the plan's critical path summary into g->critical (takes main, on_failure, finally). */
void plan_finish_critical(plan_graph *g, plan_cost *main, plan_cost *on_failure, plan_cost *fin) {
  plan_critical *cr = &g->critical;
  int64_t d = cr->deadline_ms;
  cr->main_ms = main->ms;
  cr->on_failure_ms = on_failure->ms;
  cr->finally_ms = fin->ms;
  int64_t success = plan_cost_add_ms(main->ms, fin->ms);
  int64_t fails_at = main->ms;
  if (d != PLAN_NONE && (main->ms == PLAN_UNBOUNDED || main->ms > d)) fails_at = d;
  cr->failure_ms = plan_cost_add_ms(plan_cost_add_ms(fails_at, on_failure->ms), fin->ms);
  cr->worst_ms = cost_longer(cr->failure_ms, success) ? cr->failure_ms : success;
  cr->exceeds = d != PLAN_NONE && cost_longer(cr->worst_ms, d);
  critical_why(cr, main);
  critical_why(cr, fin);
  if (on_failure->ms == PLAN_UNBOUNDED) critical_why(cr, on_failure);
  plan_cost_seq(main, fin);
  cr->path = main->path;
  cr->npath = main->npath;
  main->path = NULL;
  main->npath = main->path_cap = 0;
  plan_cost_free(main);
  plan_cost_free(on_failure);
}
