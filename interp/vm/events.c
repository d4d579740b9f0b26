/* events.c — names of event kinds and statuses, and the JSON form of an event (see events.h). */
#include "events.h"

#include <stdlib.h>

#include "scrub.h"

static const char *const kind_names[] = {
#define X(k, name) name,
    RBK_EVENT_KINDS(X)
#undef X
};

/* Returns the kind's JSON name ("step_start", …). */
static const char *events_kind_name(rbk_event_kind kind) {
  return kind < RBK_EV_COUNT ? kind_names[kind] : "event";
}

/* Returns the status's JSON name, or NULL for RBK_STATUS_NONE. */
static const char *events_status_name(rbk_status status) {
  switch (status) {
    case RBK_STATUS_NONE: return NULL;
#define X(k, name) \
  case RBK_STATUS_##k: return name;
    RBK_STATUSES(X)
#undef X
  }
  return NULL;
}

/* Adds key → string to obj when s is not NULL; returns false when out of memory. */
static bool set_text(json_t *obj, const char *key, const char *s) {
  return !s || json_object_set_new(obj, key, json_string(s)) == 0;
}

/* Adds key → masked and scrubbed JSON of v to obj when v is not NULL (results echo what servers
 * said: scrub.h; the texts of the event itself were scrubbed by engine_emit, and its structural
 * fields — kind, node, key, status — are left alone so that resume finds them); returns false when
 * out of memory. */
static bool set_value(json_t *obj, const char *key, const rbk_value *v) {
  if (!v) return true;
  json_t *j = value_to_json(v, false);
  if (j && !scrub_json(j)) json_decref(j), j = NULL;
  return json_object_set_new(obj, key, j) == 0;
}

/* Adds the journal's detail keys; returns false when out of memory. */
static bool set_details(json_t *o, const rbk_event *ev) {
  bool ok = set_text(o, "key", ev->key);
  if (ev->duration_ms >= 0) ok = ok && !json_object_set_new(o, "duration_ms", json_integer(ev->duration_ms));
  ok = ok && set_text(o, "who", ev->who) && set_text(o, "how", ev->how);
  ok = ok && set_value(o, "args", ev->args) && set_value(o, "result", ev->result);
  if (ev->returned) ok = ok && !json_object_set_new(o, "returned", json_true());
  ok = ok && set_text(o, "handler", ev->handler);
  if (ev->kind == RBK_EV_RUN_END) ok = ok && !json_object_set_new(o, "exit_code", json_integer(ev->exit_code));
  return ok;
}

/* Returns the event as a JSON object (see events.h); NULL when out of memory. */
json_t *events_to_json(const rbk_event *ev, bool details) {
  json_t *o = json_object();
  if (!o) return NULL;
  bool is_action = ev->kind == RBK_EV_ACTION_START || ev->kind == RBK_EV_ACTION_END;
  bool ok = !json_object_set_new(o, "t_ms", json_integer(ev->t_ms));
  ok = ok && set_text(o, "event", events_kind_name(ev->kind)) && set_text(o, "node", ev->node);
  ok = ok && set_text(o, "step", ev->step) && set_text(o, "action", ev->action);
  ok = ok && set_text(o, "target", ev->target);
  if (is_action) ok = ok && !json_object_set_new(o, "mutating", json_boolean(ev->mutating));
  ok = ok && set_text(o, "status", events_status_name(ev->status)) && set_text(o, "message", ev->message);
  if (ev->repeat >= 2) ok = ok && !json_object_set_new(o, "repeat", json_integer(ev->repeat));
  if (details) ok = ok && set_details(o, ev);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* Returns the event as one compact JSON line (caller frees); NULL when out of memory. */
char *events_to_line(const rbk_event *ev, bool details) {
  json_t *o = events_to_json(ev, details);
  if (!o) return NULL;
  char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  return s;
}
