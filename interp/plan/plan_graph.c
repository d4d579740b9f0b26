/* plan_graph.c — the graph's storage: nodes, edges, the (ast, ctx) → node index, names. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

#include "grow.h"

static const char *const kind_names[] = {
#define X(k, name, doc) name,
    RBK_PLAN_NODE_KINDS(X)
#undef X
};

static const char *const edge_names[] = {
#define X(k, name, doc) name,
    RBK_PLAN_EDGE_KINDS(X)
#undef X
};

static const char *const when_names[] = {
#define X(k, name) name,
    RBK_PLAN_WHENS(X)
#undef X
};

static const char *const format_names[] = {
#define X(k, name) name,
    RBK_PLAN_FORMATS(X)
#undef X
};

/* Returns the kind's JSON name. */
const char *plan_kind_name(plan_kind kind) { return kind < PLAN_KIND_COUNT ? kind_names[kind] : "?"; }

/* Returns the edge kind's JSON name. */
const char *plan_edge_kind_name(plan_edge_kind kind) { return edge_names[kind]; }

/* Returns the name of a `when`. */
const char *plan_when_name(plan_when when) { return when_names[when]; }

/* Returns the format called `name`, or -1. */
int plan_format_from_name(const char *name) {
  for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
    if (!strcmp(format_names[i], name)) return (int)i;
  return -1;
}

/* Returns "1m30s"-style text for ms, "unbounded" for PLAN_UNBOUNDED, into buf (size ≥ 32). */
const char *plan_duration_text(int64_t ms, char *buf, size_t size) {
  if (ms == PLAN_UNBOUNDED) {
    snprintf(buf, size, "unbounded");
    return buf;
  }
  char *t = value_format_duration(ms < 0 ? 0 : ms);
  snprintf(buf, size, "%s", t ? t : "?");
  free(t);
  return buf;
}

/* ---- the (ast, ctx) index: open addressing over a power-of-two table ---- */

typedef struct {
  const ast_node *ast; /* NULL: empty slot */
  char *ctx;
  size_t idx;
} index_slot;

typedef struct {
  index_slot *slots;
  size_t cap, len;
} node_index;

/* Returns the hash of (ast, ctx) (FNV-1a over the pointer and the text). */
static uint64_t index_hash(const ast_node *ast, const char *ctx) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)ast;
  h *= 1099511628211ull;
  for (const unsigned char *p = (const unsigned char *)ctx; *p; p++) {
    h ^= *p;
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

/* Returns the slot holding (ast, ctx) or the empty slot where it would go. */
static index_slot *index_find(const node_index *ix, const ast_node *ast, const char *ctx) {
  size_t mask = ix->cap - 1;
  for (size_t i = index_hash(ast, ctx) & mask;; i = (i + 1) & mask) {
    index_slot *s = &ix->slots[i];
    if (!s->ast || (s->ast == ast && !strcmp(s->ctx, ctx))) return s;
  }
}

/* Doubles the table (or creates it); false when out of memory. */
static bool index_grow(node_index *ix) {
  size_t cap = ix->cap ? ix->cap * 2 : 256;
  index_slot *slots = calloc(cap, sizeof *slots);
  if (!slots) return false;
  node_index bigger = {slots, cap, ix->len};
  for (size_t i = 0; i < ix->cap; i++)
    if (ix->slots[i].ast) *index_find(&bigger, ix->slots[i].ast, ix->slots[i].ctx) = ix->slots[i];
  free(ix->slots);
  *ix = bigger;
  return true;
}

/* Indexes node idx under (ast, ctx) unless the pair is indexed; false when out of memory. */
bool plan_graph_index(plan_graph *g, const ast_node *ast, const char *ctx, size_t idx) {
  node_index *ix = g->index;
  if ((ix->len + 1) * 2 > ix->cap && !index_grow(ix)) return false;
  index_slot *s = index_find(ix, ast, ctx);
  if (s->ast) return true;
  s->ctx = strdup(ctx);
  if (!s->ctx) return false;
  s->ast = ast;
  s->idx = idx;
  ix->len++;
  return true;
}

/* Returns the index of the node under (ast, ctx), or -1. */
long plan_graph_lookup(const plan_graph *g, const ast_node *ast, const char *ctx) {
  const node_index *ix = g->index;
  if (!ix->cap || !ast || !ctx) return -1;
  const index_slot *s = index_find(ix, ast, ctx);
  return s->ast ? (long)s->idx : -1;
}

/* Returns the id ("n7") of the node the engine reaches when it runs `node` in context `ctx`, or NULL when
 * the graph has none (borrowed). */
const char *plan_node_id(const plan_graph *g, const ast_node *node, const char *ctx) {
  long i = plan_graph_lookup(g, node, ctx ? ctx : "");
  return i < 0 ? NULL : g->nodes[i].id;
}

/* ---- nodes and edges ---- */

/* Returns a new empty graph; NULL when out of memory. */
plan_graph *plan_graph_new(void) {
  plan_graph *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->index = calloc(1, sizeof(node_index));
  if (!g->index) {
    free(g);
    return NULL;
  }
  g->critical.deadline_ms = PLAN_NONE;
  return g;
}

/* Appends a zeroed node with its id; returns its index or -1 when out of memory. */
long plan_graph_add(plan_graph *g, plan_kind kind) {
  if (!GROW(g->nodes, g->cap, g->len + 1)) return -1;
  plan_node *n = &g->nodes[g->len];
  memset(n, 0, sizeof *n);
  n->kind = kind;
  snprintf(n->id, sizeof n->id, "n%zu", g->len + 1);
  n->parent = -1;
  n->timeout_ms = n->every_ms = n->duration_ms = PLAN_NONE;
  n->retry = n->backoff_ms = n->max = n->iterations = PLAN_NONE;
  return (long)g->len++;
}

/* Appends an edge; false when out of memory. */
bool plan_graph_edge(plan_graph *g, size_t from, size_t to, plan_edge_kind kind) {
  for (size_t i = g->nedges; i-- > 0 && i + 8 >= g->nedges;)
    if (g->edges[i].from == from && g->edges[i].to == to && g->edges[i].kind == kind) return true;
  if (!GROW(g->edges, g->edges_cap, g->nedges + 1)) return false;
  g->edges[g->nedges++] = (plan_edge){from, to, kind};
  return true;
}

static void node_free(plan_node *n);

/* Removes the last node (which must not be indexed) and the edges that touch it. */
void plan_graph_pop(plan_graph *g) {
  if (!g->len) return;
  size_t last = --g->len;
  node_free(&g->nodes[last]);
  size_t k = 0;
  for (size_t i = 0; i < g->nedges; i++)
    if (g->edges[i].from != last && g->edges[i].to != last) g->edges[k++] = g->edges[i];
  g->nedges = k;
}

/* Frees what one node owns. */
static void node_free(plan_node *n) {
  free(n->label);
  free(n->ctx);
  free(n->step);
  free(n->handle);
  free(n->target);
  free(n->run_lock);
  free(n->ns);
  free(n->service);
  free(n->text);
  for (size_t i = 0; i < n->nchannels; i++) free(n->channels[i]);
  free(n->channels);
  free(n->question);
  free(n->role);
  free(n->source);
  free(n->message);
}

/* Frees the index's keys and table. */
static void index_free(node_index *ix) {
  if (!ix) return;
  for (size_t i = 0; i < ix->cap; i++) free(ix->slots[i].ctx);
  free(ix->slots);
  free(ix);
}

/* Frees the runbook facts. */
static void runbook_free(plan_runbook *rb) {
  free(rb->id);
  free(rb->title);
  free(rb->version);
  free(rb->owner);
  free(rb->doc);
  free(rb->file);
  json_decref(rb->tags);
}

/* Frees the graph; NULL is fine. */
void plan_free(plan_graph *g) {
  if (!g) return;
  for (size_t i = 0; i < g->len; i++) node_free(&g->nodes[i]);
  free(g->nodes);
  free(g->edges);
  for (size_t i = 0; i < g->nparams; i++) {
    free(g->params[i].name);
    json_decref(g->params[i].value);
    free(g->params[i].text);
  }
  free(g->params);
  free(g->critical.path);
  for (size_t i = 0; i < g->critical.nunbounded; i++) free(g->critical.unbounded[i]);
  free(g->critical.unbounded);
  runbook_free(&g->runbook);
  index_free(g->index);
  free(g);
}
