/* engine_notes.c — notifications in flight. `notify` never waits: the engine owns each delivery
 * (one per channel) until the transport reports it or its NOTIFY_TIMEOUT_MS limit passes, so a
 * slow channel never delays the plan, cancelling the sender does not withdraw what it sent, and
 * the run ends (run_end) only after every delivery finished — or, once the plan ended, after a
 * short grace (NOTIFY_GRACE_MS) that bounds the exit. A failed, timed-out or undelivered delivery
 * is a warning attributed to the step and node it was sent from. */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unlinks n from the engine's list, cancels its timer and frees it. */
static void note_free(engine *e, vm_note *n) {
  if (n->prev) n->prev->next = n->next;
  else e->notes = n->next;
  if (n->next) n->next->prev = n->prev;
  else e->notes_last = n->prev;
  vm_sched_cancel_timer(e, n->timer);
  free(n->target);
  free(n->step);
  free(n);
}

/* Appends n to the engine's list. */
static void note_link(engine *e, vm_note *n) {
  n->prev = e->notes_last;
  if (e->notes_last) e->notes_last->next = n;
  else e->notes = n;
  e->notes_last = n;
}

/* Delivers a transport's outcome (act_done_fn): a failure is a warning; the note is done. */
static void note_done(void *user, rbk_value *result, const char *error) {
  vm_note *n = user;
  engine *e = n->eng;
  value_unref(result);
  if (error) engine_warn_at(e, n->step, n->node, "notification to %s failed: %s", n->target, error);
  note_free(e, n);
}

/* Returns a new note for t's delivery to `target`, linked but not yet started; NULL when out of
 * memory. */
static vm_note *note_new(engine *e, const vm_task *t, const char *node, const char *target) {
  vm_note *n = calloc(1, sizeof *n);
  if (!n) return NULL;
  const char *path = vm_task_path(t);
  n->eng = e;
  n->id = ++e->next_note;
  n->node = node;
  n->target = strdup(target ? target : "channel");
  n->step = path ? strdup(path) : NULL;
  if (!n->target || (path && !n->step)) {
    free(n->target);
    free(n->step);
    free(n);
    return NULL;
  }
  note_link(e, n);
  return n;
}

/* Starts a delivery; returns false only when out of memory. */
bool engine_note_send(engine *e, const vm_task *t, const char *node, rbk_value *ch, const char *target,
                      const char *text, uint64_t ticker, size_t chan) {
  vm_note *n = note_new(e, t, node, target);
  if (!n) return false;
  n->ticker = ticker;
  n->chan = chan;
  int64_t now = clock_now(e->cfg.clock);
  n->timer = vm_sched_timer(e, now + NOTIFY_TIMEOUT_MS, TM_NOTIFY, NULL, n->id);
  char *err = NULL;
  rbk_actions *a = e->cfg.actions;
  n->op = n->timer ? a->notify(a->self, ch, text, now, note_done, n, &err) : 0;
  bool ok = n->timer != 0;
  if (ok && !n->op) engine_warn_at(e, n->step, n->node, "notification to %s failed: %s", n->target, err ? err : "?");
  free(err);
  if (!n->op) note_free(e, n);
  return ok;
}

/* Returns true while the ticker's delivery to channel chan is in flight. */
bool engine_note_pending(const engine *e, uint64_t ticker, size_t chan) {
  for (const vm_note *n = e->notes; n; n = n->next)
    if (n->ticker == ticker && n->chan == chan) return true;
  return false;
}

/* Gives up note `id` (its limit passed): the transport drops it; a warning says so. */
void engine_note_timeout(engine *e, uint64_t id) {
  vm_note *n = e->notes;
  while (n && n->id != id) n = n->next;
  if (!n) return;
  n->timer = 0;
  e->cfg.actions->cancel(e->cfg.actions->self, n->op);
  char *d = value_format_duration(NOTIFY_TIMEOUT_MS);
  engine_warn_at(e, n->step, n->node, "notification to %s timed out after %s", n->target, d ? d : "30s");
  free(d);
  note_free(e, n);
}

/* Arms the grace timer for the deliveries in flight when the plan ended. */
bool engine_notes_grace(engine *e) {
  if (!e->grace_timer) e->grace_timer = vm_sched_timer(e, clock_now(e->cfg.clock) + NOTIFY_GRACE_MS, TM_NOTIFY, NULL, 0);
  return e->grace_timer != 0;
}

/* Gives up every delivery still in flight when the grace passed, each with a warning. */
void engine_notes_undelivered(engine *e) {
  char *d = value_format_duration(NOTIFY_GRACE_MS), why[96];
  snprintf(why, sizeof why, "no answer within %s after the run ended", d ? d : "5s");
  free(d);
  while (e->notes) {
    vm_note *n = e->notes;
    e->cfg.actions->cancel(e->cfg.actions->self, n->op);
    engine_warn_at(e, n->step, n->node, "notification to %s undelivered: %s", n->target, why);
    note_free(e, n);
  }
}

/* Cancels and frees every delivery in flight, each with a warning saying `why` (NULL: silently). */
void engine_notes_drop(engine *e, const char *why) {
  while (e->notes) {
    vm_note *n = e->notes;
    if (e->cfg.actions) e->cfg.actions->cancel(e->cfg.actions->self, n->op);
    if (why) engine_warn_at(e, n->step, n->node, "notification to %s dropped: %s", n->target, why);
    note_free(e, n);
  }
}
