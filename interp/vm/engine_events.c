/* engine_events.c — the engine's services to the interpreter: events, warnings, node ids, the
 * `run` object, step keys and slugs. */
#include "engine_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "scrub.h"

/* Appends a copy of s. */
static bool engine_strings_add(vm_strings *v, const char *s) {
  if (!GROW(v->items, v->cap, v->len + 1)) return false;
  char *c = strdup(s ? s : "");
  if (!c) return false;
  v->items[v->len++] = c;
  return true;
}

/* Frees the strings. */
void engine_strings_free(vm_strings *v) {
  for (size_t i = 0; i < v->len; i++) free(v->items[i]);
  free(v->items);
  *v = (vm_strings){0};
}

/* Returns ms since the run started. */
int64_t engine_now(const engine *e) { return clock_now(e->cfg.clock) - e->start_ms; }

/* Returns the key of the step whose `on failure` or `finally` handler task t runs in ("plan" for
 * the plan's), or NULL outside handlers. own_top: the top region is the event's own step. */
static const char *handler_owner(const vm_task *t, bool own_top) {
  for (; t; t = t->parent, own_top = false) {
    size_t n = t->nregions - (own_top && t->nregions ? 1 : 0);
    for (size_t i = n; i-- > 0;) {
      const vm_region *r = &t->regions[i];
      bool in_handler = (r->phase == PH_ONFAIL && r->info->onfail_pc >= 0) || (r->phase == PH_FINALLY && r->info->finally_pc >= 0);
      if ((r->info->kind == REG_STEP || r->info->kind == REG_PLAN) && in_handler)
        return r->info->kind == REG_PLAN ? "plan" : r->key;
    }
  }
  return NULL;
}

/* Returns the innermost polling gate or wait until region that t (or the task it was forked
 * from) runs in, or NULL. */
static vm_region *poll_region(vm_task *t) {
  for (; t; t = t->parent) {
    for (size_t i = t->nregions; i-- > 0;) {
      vm_region *r = &t->regions[i];
      if (r->info->kind == REG_STEP || r->info->kind == REG_PLAN) return NULL;
      if ((r->info->kind == REG_GATE || r->info->kind == REG_WAITU) && r->phase == PH_BODY)
        return r->every >= 0 || r->deadline >= 0 ? r : NULL;
    }
    if (t->ticker) return NULL;
  }
  return NULL;
}

/* Returns true when a and b are both NULL or equal texts. */
static bool same_text(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

/* Returns r's record of the statement that emits ev (a new one when none), or NULL. */
static vm_seen *seen_of(vm_region *r, const rbk_event *ev) {
  for (size_t i = 0; i < r->nseen; i++)
    if (r->seen[i].kind == (int)ev->kind && same_text(r->seen[i].node, ev->node) && same_text(r->seen[i].target, ev->target))
      return &r->seen[i];
  if (!GROW(r->seen, r->seen_cap, r->nseen + 1)) return NULL;
  vm_seen *s = &r->seen[r->nseen];
  *s = (vm_seen){.kind = (int)ev->kind, .node = ev->node, .target = ev->target ? strdup(ev->target) : NULL};
  if (ev->target && !s->target) return NULL;
  r->nseen++;
  return s;
}

/* An event of task t inside a polling gate or wait until (action_end failed or a read's ok,
 * assert retrying): when the previous attempts reported the same for this statement (node,
 * target, status, message), sets ev->repeat, and for a failure points ev->message at
 * "unchanged (N in a row)" in buf (size n). Remembers it otherwise. */
static void engine_poll_repeat(vm_task *t, rbk_event *ev, char *buf, size_t n) {
  bool failure = (ev->kind == RBK_EV_ACTION_END && ev->status == RBK_STATUS_FAILED) ||
                 (ev->kind == RBK_EV_ASSERT && ev->status == RBK_STATUS_RETRYING);
  bool read = ev->kind == RBK_EV_ACTION_END && ev->status == RBK_STATUS_OK && !ev->mutating;
  vm_region *r = failure || read ? poll_region(t) : NULL;
  vm_seen *s = r ? seen_of(r, ev) : NULL;
  if (!s) return;
  const char *msg = ev->message ? ev->message : "";
  if (s->msg && s->status == ev->status && !strcmp(s->msg, msg)) {
    ev->repeat = ++s->count;
    if (failure) snprintf(buf, n, "unchanged (%d in a row)", ev->repeat), ev->message = buf;
    return;
  }
  free(s->msg);
  s->msg = strdup(msg), s->status = ev->status, s->count = 1;
}

/* Frees a region's records of its attempts. */
void engine_poll_forget(vm_region *r) {
  for (size_t i = 0; i < r->nseen; i++) free(r->seen[i].target), free(r->seen[i].msg);
  free(r->seen);
  r->seen = NULL, r->nseen = r->seen_cap = 0;
}

/* Points *field at a scrubbed copy kept in *keep when scrubbing changes its text (scrub.h). */
static void scrub_field(const char **field, char **keep) {
  *keep = *field ? scrub_text(*field, strlen(*field), NULL) : NULL;
  if (*keep) *field = *keep;
}

/* Emits ev to the sink with its texts scrubbed (scrub.h: the values and results are scrubbed when
 * serialised, by events_to_json); returns false when the sink failed (now or before). */
bool engine_emit(engine *e, vm_task *t, rbk_event *ev) {
  ev->t_ms = engine_now(e);
  ev->seq = ++e->seq;
  if (!ev->step && t) ev->step = vm_task_path(t);
  if (!ev->handler && t) ev->handler = handler_owner(t, ev->kind == RBK_EV_STEP_START || ev->kind == RBK_EV_STEP_END);
  char shortened[64];
  const char *full = ev->message;
  if (t) engine_poll_repeat(t, ev, shortened, sizeof shortened);
  if (!e->cfg.sink.emit) return ev->message = full, !e->fatal;
  char *err = NULL, *kept[5];
  const char *orig[5] = {ev->step, ev->target, ev->message, ev->who, ev->how};
  scrub_field(&ev->step, &kept[0]);
  scrub_field(&ev->target, &kept[1]);
  scrub_field(&ev->message, &kept[2]);
  scrub_field(&ev->who, &kept[3]);
  scrub_field(&ev->how, &kept[4]);
  int rc = e->cfg.sink.emit(e->cfg.sink.user, ev, &err);
  ev->step = orig[0], ev->target = orig[1], ev->message = full, ev->who = orig[3], ev->how = orig[4];
  for (size_t i = 0; i < 5; i++) free(kept[i]);
  if (rc == 0) return !e->fatal;
  if (!e->fatal) e->fatal = err ? err : strdup("the event sink failed");
  else free(err);
  return false;
}

/* Makes the events emitted so far durable (rbk_sink.sync); returns false when the sink failed
 * (now or before). */
bool engine_sync(engine *e) {
  if (e->fatal || !e->cfg.sink.sync) return !e->fatal;
  char *err = NULL;
  if (e->cfg.sink.sync(e->cfg.sink.user, &err) == 0) return true;
  e->fatal = err ? err : strdup("the event sink failed");
  return false;
}

/* Returns the error that stops every action once the sink has failed, or NULL. */
vm_error *engine_blocked(engine *e) {
  if (!e->fatal) return NULL;
  return vm_err(VERR_FATAL, "the run cannot be recorded (%s): stopped before the next action", e->fatal);
}

/* Formats the warning into ev (a warning event for task t, or none), counts it and emits it. */
__attribute__((format(printf, 4, 0))) static void warn_emit(engine *e, vm_task *t, rbk_event *ev, const char *fmt,
                                                            va_list ap) {
  char msg[1024];
  vsnprintf(msg, sizeof msg, fmt, ap);
  engine_strings_add(&e->warnings, msg);
  ev->message = msg;
  engine_emit(e, t, ev);
}

/* Emits a warning and counts it. */
void engine_warn(engine *e, vm_task *t, const ast_node *node, const char *fmt, ...) {
  rbk_event ev = {.kind = RBK_EV_WARNING, .node = node && t ? engine_node(e, t, node) : NULL, .duration_ms = -1};
  va_list ap;
  va_start(ap, fmt);
  warn_emit(e, t, &ev, fmt, ap);
  va_end(ap);
}

/* Emits a warning for a step path and node id given as text (no task) and counts it. */
void engine_warn_at(engine *e, const char *step, const char *node, const char *fmt, ...) {
  rbk_event ev = {.kind = RBK_EV_WARNING, .node = node, .step = step, .duration_ms = -1};
  va_list ap;
  va_start(ap, fmt);
  warn_emit(e, NULL, &ev, fmt, ap);
  va_end(ap);
}

/* Returns ctx with the loop indices chosen by `mask` (bit 0: the innermost) replaced by [*]. */
static char *star_ctx(const char *ctx, unsigned mask, int nidx) {
  char *out = malloc(strlen(ctx) + 1);
  if (!out) return NULL;
  int idx = 0;
  char *o = out;
  for (const char *p = ctx; *p;) {
    if (*p == '[' && isdigit((unsigned char)p[1])) {
      const char *close = strchr(p, ']');
      int from_inner = nidx - 1 - idx++;
      if (close && (mask >> from_inner & 1u)) {
        memcpy(o, "[*]", 3);
        o += 3;
        p = close + 1;
        continue;
      }
    }
    *o++ = *p++;
  }
  *o = '\0';
  return out;
}

/* Returns the node id of node in t's context, trying loops over unknown lists as [*]. */
const char *engine_node(engine *e, const vm_task *t, const ast_node *node) {
  if (!e->cfg.node_id || !node) return NULL;
  while (t->lambda && t->caller) t = t->caller;
  const char *ctx = t->ctx ? t->ctx : "";
  const char *id = e->cfg.node_id(e->cfg.node_user, node, ctx);
  if (id) return id;
  int nidx = 0;
  for (const char *p = ctx; *p; p++) nidx += *p == '[' && isdigit((unsigned char)p[1]);
  if (nidx > 12) nidx = 12;
  for (unsigned mask = 1; !id && mask < (1u << nidx); mask++) {
    char *c = star_ctx(ctx, mask, nidx);
    if (c) id = e->cfg.node_id(e->cfg.node_user, node, c);
    free(c);
  }
  return id;
}

/* Returns true when key is in the NULL-terminated list. */
bool engine_in_list(const char *const *list, const char *key) {
  for (size_t i = 0; list && key && list[i]; i++)
    if (!strcmp(list[i], key)) return true;
  return false;
}

/* Marks a step completed: progress counts each static step once; titles are kept in order. */
void engine_step_completed(engine *e, const vm_region *r) {
  int32_t i = r->info->step_index;
  if (i >= 0 && i < e->code->nsteps && !e->step_done[i]) {
    e->step_done[i] = true;
    e->ndone++;
  }
  engine_strings_add(&e->completed, r->title);
}

/* Returns the region of t (or an ancestor task) that is running a handler for an error. */
static const vm_region *handling(const vm_task *t) {
  for (; t; t = t->lambda ? t->caller : t->parent)
    for (size_t i = t->nregions; i-- > 0;) {
      const vm_region *r = &t->regions[i];
      if ((r->phase == PH_ONFAIL || r->phase == PH_FINALLY) && r->err && r->err->kind != VERR_RETURN) return r;
    }
  return NULL;
}

/* Returns a list value of the strings. */
static rbk_value *string_list(const vm_strings *v) {
  rbk_value *l = value_list(v->len);
  for (size_t i = 0; l && i < v->len; i++)
    if (!value_list_push(l, value_cstring(v->items[i]))) l = NULL;
  return l;
}

/* Returns the last title of a step path, or NULL. */
static rbk_value *current_step(const vm_task *t) {
  const char *path = vm_task_path(t);
  if (!path) return value_null();
  const char *last = path;
  for (const char *p = strstr(path, " › "); p; p = strstr(p + 1, " › ")) last = p + strlen(" › ");
  return value_cstring(last);
}

/* Returns the time left before the deadline, never below zero (the deadline may be ignored). */
static int64_t deadline_left(const engine *e, int64_t elapsed) {
  return elapsed < e->code->deadline_ms ? e->code->deadline_ms - elapsed : 0;
}

/* Returns field i (RBK_RUN_FIELDS order) of the run object for t. */
static rbk_value *run_field(engine *e, const vm_task *t, int i) {
  const vm_region *h = handling(t);
  int64_t elapsed = engine_now(e);
  switch (i) {
    case 0: return value_cstring(e->cfg.run_id ? e->cfg.run_id : "run");
    case 1: return value_cstring(e->cfg.operator_name ? e->cfg.operator_name : "unknown");
    case 2: return value_duration(elapsed);
    case 3: return e->code->deadline_ms < 0 ? value_null() : value_duration(deadline_left(e, elapsed));
    case 4: return current_step(t);
    case 5: return string_list(&e->completed);
    case 6: return value_int(e->code->nsteps ? (int64_t)e->ndone * 100 / e->code->nsteps : 0);
    case 7: return h && h->err->step ? value_cstring(h->err->step) : value_null();
    case 8: return h ? value_cstring(h->err->msg) : value_null();
    default: return string_list(&e->warnings);
  }
}

/* Returns the run object (field < 0) or one of its fields. */
rbk_value *engine_run_value(engine *e, const vm_task *t, int field) {
  static const char *const names[] = {
#define X(n, ret, doc) n,
      RBK_RUN_FIELDS(X)
#undef X
  };
  if (field >= 0) return run_field(e, t, field);
  rbk_value *o = value_object(sizeof names / sizeof names[0]);
  for (size_t i = 0; o && i < sizeof names / sizeof names[0]; i++)
    if (!value_object_set(o, names[i], run_field(e, t, (int)i))) o = NULL;
  return o;
}

/* Returns "ctx|path". */
char *engine_step_key(const char *ctx, const char *path) {
  size_t n = (ctx ? strlen(ctx) : 0) + strlen(path) + 2;
  char *k = malloc(n);
  if (k) snprintf(k, n, "%s|%s", ctx ? ctx : "", path);
  return k;
}

/* Returns the question's slug. */
char *engine_slug(const char *q) {
  char *s = malloc(strlen(q) + 1);
  if (!s) return NULL;
  size_t n = 0;
  bool dash = false;
  for (const char *p = q; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (isalnum(c) && c < 128) {
      if (dash && n) s[n++] = '-';
      s[n++] = (char)tolower(c);
      dash = false;
    } else {
      dash = true;
    }
  }
  s[n] = '\0';
  return s;
}
