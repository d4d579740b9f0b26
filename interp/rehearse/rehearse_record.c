/* rehearse_record.c — recording a rehearsal's events and checking them against the dry-run graph
 * (see rehearse_record.h). */
#include "rehearse_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns the id → node index of the graph's JSON (new reference), or NULL. */
static json_t *node_index(const plan_graph *g) {
  json_t *graph = plan_to_json(g, false), *index = json_object();
  json_t *nodes = json_object_get(graph, "nodes"), *n;
  size_t i;
  if (!graph || !index) return json_decref(graph), json_decref(index), NULL;
  json_array_foreach(nodes, i, n) {
    const char *id = json_string_value(json_object_get(n, "id"));
    if (id) json_object_set(index, id, n);
  }
  json_decref(graph);
  return index;
}

/* Prepares the recorder; returns false when out of memory. */
bool rehearse_record_init(rehearse_recorder *rec, const plan_graph *g, rehearse_result *r, rbk_sink out) {
  *rec = (rehearse_recorder){.r = r, .out = out, .nodes = node_index(g), .gates = json_object()};
  r->executed = json_array(), r->notifications = json_array(), r->lies = json_array();
  return rec->nodes && rec->gates && r->executed && r->notifications && r->lies;
}

/* Frees the recorder's index. */
void rehearse_record_free(rehearse_recorder *rec) {
  json_decref(rec->nodes);
  json_decref(rec->gates);
  *rec = (rehearse_recorder){0};
}

/* Returns "ACTION TARGET" of an action event (caller frees). */
static char *action_text(const rbk_event *ev) {
  const char *a = ev->action ? ev->action : "?", *t = ev->target ? ev->target : "";
  size_t n = strlen(a) + strlen(t) + 2;
  char *s = malloc(n);
  if (s) snprintf(s, n, "%s%s%s", a, *t ? " " : "", t);
  return s;
}

/* Returns why the action event has no faithful node in the graph, or NULL when it has one. */
static const char *lie_reason(const rehearse_recorder *rec, const rbk_event *ev, char *buf, size_t size) {
  if (!ev->node) return "the dry-run graph has no node for it";
  json_t *n = json_object_get(rec->nodes, ev->node);
  if (!n) return "its node is not in `rbk plan --format json`";
  const char *kind = json_string_value(json_object_get(n, "kind"));
  const char *action = json_string_value(json_object_get(n, "action"));
  if (!kind || strcmp(kind, "action")) {
    snprintf(buf, size, "its node is a %s, not an action", kind ? kind : "node without kind");
    return buf;
  }
  if (!action || !ev->action || strcmp(action, ev->action)) {
    snprintf(buf, size, "its node is the action %s", action ? action : "(unnamed)");
    return buf;
  }
  if (json_is_true(json_object_get(n, "mutating")) != ev->mutating)
    return ev->mutating ? "it mutates, but its node is not marked mutating" : "its node is marked mutating, but it does not mutate";
  return NULL;
}

/* Notes an action_start: counts it, lists it, checks its node. */
static void on_action(rehearse_recorder *rec, const rbk_event *ev) {
  rehearse_result *r = rec->r;
  char *text = action_text(ev), buf[160];
  r->actions++;
  if (ev->mutating) r->mutating++;
  if (text) json_array_append_new(r->executed, json_string(text));
  const char *why = lie_reason(rec, ev, buf, sizeof buf);
  if (why && text) {
    size_t n = strlen(text) + strlen(why) + 48;
    char *line = malloc(n);
    if (line) snprintf(line, n, "%s %s: %s", ev->node ? ev->node : "(no node)", text, why);
    if (line) json_array_append_new(r->lies, json_string(line));
    free(line);
  }
  free(text);
}

/* Notes a gate event: its title at the start, the first failure at the end. */
static void on_gate(rehearse_recorder *rec, const rbk_event *ev) {
  const char *key = ev->node ? ev->node : "";
  if (ev->status == RBK_STATUS_NONE) {
    json_object_set_new(rec->gates, key, json_string(ev->message ? ev->message : ""));
  } else if (ev->status == RBK_STATUS_FAILED && !rec->r->failed_gate) {
    const char *title = json_string_value(json_object_get(rec->gates, key));
    rec->r->failed_gate = strdup(title ? title : ev->message ? ev->message : "");
  }
}

/* Records ev, then forwards it to the output. */
static int record(void *user, const rbk_event *ev, char **err) {
  rehearse_recorder *rec = user;
  rehearse_result *r = rec->r;
  switch (ev->kind) {
    case RBK_EV_ACTION_START: on_action(rec, ev); break;
    case RBK_EV_GATE: on_gate(rec, ev); break;
    case RBK_EV_WARNING: r->warnings++; break;
    case RBK_EV_STEP_END:
      if (ev->status == RBK_STATUS_FAILED && !r->failed_step && ev->step) r->failed_step = strdup(ev->step);
      break;
    case RBK_EV_NOTIFY:
      json_array_append_new(r->notifications, json_pack("{s:s, s:s}", "channel", ev->target ? ev->target : "",
                                                        "text", ev->message ? ev->message : ""));
      break;
    default: break;
  }
  return rec->out.emit ? rec->out.emit(rec->out.user, ev, err) : 0;
}

/* rbk_sink.sync: syncs the sink the recorder feeds. */
static int record_sync(void *user, char **err) {
  rehearse_recorder *rec = user;
  return rec->out.sync ? rec->out.sync(rec->out.user, err) : 0;
}

/* Returns the sink that records into rec (borrowed). */
rbk_sink rehearse_record_sink(rehearse_recorder *rec) { return (rbk_sink){rec, record, record_sync}; }
