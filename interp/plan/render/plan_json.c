/* plan_json.c — the graph as JSON (schema in docs/plan.md), keys in a fixed order. */
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

/* Sets key to a string, or null when s is NULL. */
static void put_str(json_t *o, const char *key, const char *s) {
  json_object_set_new(o, key, s ? json_string(s) : json_null());
}

/* Sets key to ms: null when unbounded, nothing when absent (PLAN_NONE) unless `always`. */
static void put_ms(json_t *o, const char *key, int64_t ms, bool always) {
  if (ms == PLAN_NONE && !always) return;
  json_object_set_new(o, key, ms < 0 ? json_null() : json_integer(ms));
}

/* Returns the runbook object. */
static json_t *runbook_json(const plan_graph *g) {
  const plan_runbook *rb = &g->runbook;
  json_t *o = json_object();
  put_str(o, "id", rb->id);
  put_str(o, "title", rb->title);
  put_str(o, "version", rb->version);
  put_str(o, "owner", rb->owner);
  put_ms(o, "deadline_ms", g->critical.deadline_ms, true);
  if (rb->tags) json_object_set(o, "tags", rb->tags);
  if (rb->doc) put_str(o, "doc", rb->doc);
  put_str(o, "file", rb->file);
  return o;
}

/* Returns the params object: name → value ("***" for secrets). */
static json_t *params_json(const plan_graph *g) {
  json_t *o = json_object();
  for (size_t i = 0; i < g->nparams; i++) json_object_set(o, g->params[i].name, g->params[i].value);
  return o;
}

/* Returns the span object. */
static json_t *span_json(rbk_span span) {
  json_t *o = json_object();
  put_str(o, "file", span.src ? span.src->path : NULL);
  json_object_set_new(o, "line", json_integer(span.line));
  json_object_set_new(o, "col", json_integer(span.col));
  return o;
}

/* Adds the facts that only some kinds have. */
static void node_details(json_t *o, const plan_node *n) {
  if (n->handle) put_str(o, "handle", n->handle);
  if (n->question) put_str(o, "question", n->question);
  if (n->kind == PLAN_APPROVE) put_str(o, "role", n->role);
  if (n->nchannels) {
    json_t *chs = json_array();
    for (size_t i = 0; i < n->nchannels; i++) json_array_append_new(chs, json_string(n->channels[i] ? n->channels[i] : "?"));
    json_object_set_new(o, "channels", chs);
  }
  if (n->text) put_str(o, "text", n->text);
  if (n->source) put_str(o, "source", n->source);
  if (n->message) put_str(o, "message", n->message);
  put_ms(o, "timeout_ms", n->timeout_ms, n->kind == PLAN_ACTION);
  put_ms(o, "every_ms", n->every_ms, false);
  put_ms(o, "duration_ms", n->duration_ms, false);
  if (n->retry != PLAN_NONE) json_object_set_new(o, "retry", json_integer(n->retry));
  put_ms(o, "backoff_ms", n->backoff_ms, false);
  if (n->max != PLAN_NONE) json_object_set_new(o, "max", json_integer(n->max));
  if (n->iterations != PLAN_NONE) json_object_set_new(o, "iterations", json_integer(n->iterations));
}

/* Returns node i as JSON. */
static json_t *node_json(const plan_graph *g, size_t i) {
  const plan_node *n = &g->nodes[i];
  json_t *o = json_object();
  put_str(o, "id", n->id);
  put_str(o, "kind", plan_kind_name(n->kind));
  put_str(o, "label", n->label ? n->label : "");
  if (n->kind == PLAN_ACTION) {
    put_str(o, "action", n->sig ? n->sig->name : NULL);
    put_str(o, "target", n->target);
    json_object_set_new(o, "mutating", json_boolean(n->mutating));
    if (n->run_lock) put_str(o, "run_lock", n->run_lock);
  }
  json_object_set_new(o, "span", span_json(n->span));
  put_str(o, "step", n->step);
  put_str(o, "parent", n->parent >= 0 ? g->nodes[n->parent].id : NULL);
  put_str(o, "ctx", n->ctx);
  if (n->when != PLAN_WHEN_SUCCESS) put_str(o, "when", plan_when_name(n->when));
  if (n->kind == PLAN_GATE) json_object_set_new(o, "precondition", json_boolean(n->precondition));
  if (n->conditional) json_object_set_new(o, "conditional", json_true());
  node_details(o, n);
  put_ms(o, "worst_case_ms", n->worst_ms, n->kind != PLAN_JOIN && n->kind != PLAN_BRANCH);
  return o;
}

/* Returns true when node i is kept by the filter. */
static bool kept(const plan_graph *g, size_t i, bool mutating_only) {
  return !mutating_only || (g->nodes[i].kind == PLAN_ACTION && g->nodes[i].mutating);
}

/* Returns the critical-path object. */
static json_t *critical_json(const plan_graph *g) {
  const plan_critical *c = &g->critical;
  json_t *o = json_object();
  put_ms(o, "worst_case_ms", c->worst_ms, true);
  put_ms(o, "deadline_ms", c->deadline_ms, true);
  json_object_set_new(o, "exceeds_deadline", json_boolean(c->exceeds));
  put_ms(o, "main_ms", c->main_ms, true);
  put_ms(o, "on_failure_ms", c->on_failure_ms, true);
  put_ms(o, "finally_ms", c->finally_ms, true);
  put_ms(o, "failure_ms", c->failure_ms, true);
  json_t *path = json_array(), *why = json_array();
  for (size_t i = 0; i < c->npath; i++) json_array_append_new(path, json_string(g->nodes[c->path[i]].id));
  for (size_t i = 0; i < c->nunbounded; i++) json_array_append_new(why, json_string(c->unbounded[i]));
  json_object_set_new(o, "path", path);
  json_object_set_new(o, "unbounded", why);
  return o;
}

/* Returns the graph as JSON (see docs/plan.md); with `mutating_only`, only mutating action nodes and the
 * edges between them. */
json_t *plan_to_json(const plan_graph *g, bool mutating_only) {
  json_t *root = json_object(), *nodes = json_array(), *edges = json_array();
  if (!root || !nodes || !edges) {
    json_decref(root);
    json_decref(nodes);
    json_decref(edges);
    return NULL;
  }
  json_object_set_new(root, "runbook", runbook_json(g));
  json_object_set_new(root, "params", params_json(g));
  for (size_t i = 0; i < g->len; i++)
    if (kept(g, i, mutating_only)) json_array_append_new(nodes, node_json(g, i));
  for (size_t i = 0; i < g->nedges; i++) {
    const plan_edge *e = &g->edges[i];
    if (!kept(g, e->from, mutating_only) || !kept(g, e->to, mutating_only)) continue;
    json_t *o = json_object();
    put_str(o, "from", g->nodes[e->from].id);
    put_str(o, "to", g->nodes[e->to].id);
    put_str(o, "kind", plan_edge_kind_name(e->kind));
    json_array_append_new(edges, o);
  }
  json_object_set_new(root, "nodes", nodes);
  json_object_set_new(root, "edges", edges);
  json_object_set_new(root, "critical_path", critical_json(g));
  return root;
}
