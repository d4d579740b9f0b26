/* plan_dot.c — the graph as a Graphviz digraph (clusters for steps, gates and handlers; mutating
 * actions in red), and the node texts that the diagram formats share. */
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

/* The longest line of a diagram label. */
#define DIAGRAM_LINE_MAX 72

/* Fills t with every node's children; false when out of memory (t is then empty). */
bool plan_tree_build(const plan_graph *g, plan_tree *t) {
  t->kids = calloc(g->len + 1, sizeof *t->kids);
  t->nkids = calloc(g->len + 1, sizeof *t->nkids);
  bool ok = t->kids && t->nkids;
  for (size_t i = 0; ok && i < g->len; i++) /* count each node's children, */
    if (g->nodes[i].parent >= 0) t->nkids[g->nodes[i].parent]++;
  for (size_t p = 0; ok && p < g->len; p++) { /* size each list once, */
    if (t->nkids[p]) ok = (t->kids[p] = malloc(t->nkids[p] * sizeof **t->kids)) != NULL;
    t->nkids[p] = 0;
  }
  for (size_t i = 0; ok && i < g->len; i++) { /* and fill them in order */
    long p = g->nodes[i].parent;
    if (p >= 0) t->kids[p][t->nkids[p]++] = i;
  }
  if (!ok) plan_tree_free(g, t);
  return ok;
}

/* Releases the tree. */
void plan_tree_free(const plan_graph *g, plan_tree *t) {
  for (size_t i = 0; t->kids && i < g->len; i++) free(t->kids[i]);
  free(t->kids);
  free(t->nkids);
  t->kids = NULL;
  t->nkids = NULL;
}

/* Returns true when node i is shown as a cluster/subgraph (step, gate, handler with children). */
bool plan_is_group(const plan_graph *g, size_t i) {
  plan_kind k = g->nodes[i].kind;
  return k == PLAN_STEP || k == PLAN_GATE || k == PLAN_HANDLER;
}

/* Appends one label line, cut to DIAGRAM_LINE_MAX. */
static void line(valbuf *b, const char *prefix, const char *text) {
  char *cut = plan_cut(text ? text : "", DIAGRAM_LINE_MAX);
  valbuf_printf(b, "%s%s%s", b->len ? "\n" : "", prefix, cut ? cut : "?");
  free(cut);
}

/* Appends "≤ D" for a bounded or unbounded node duration. */
static void bound(valbuf *b, int64_t ms) {
  char d[32];
  if (ms == PLAN_NONE || ms == 0) return;
  valbuf_printf(b, "\n\xe2\x89\xa4 %s", plan_duration_text(ms, d, sizeof d));
}

/* Returns the title of the cluster/subgraph of group node i ("step: …", "gate: …"). */
char *plan_group_title(const plan_graph *g, size_t i) {
  const plan_node *n = &g->nodes[i];
  valbuf b = {0};
  const char *what = n->kind == PLAN_STEP ? "step: " : n->kind == PLAN_HANDLER ? ""
                     : n->precondition ? "precondition: " : "gate: ";
  line(&b, what, n->label);
  char *s = valbuf_take(&b, NULL);
  return s ? s : strdup("?");
}

/* Appends " word D" for a present duration clause. */
static void facet(valbuf *b, const char *word, int64_t ms) {
  char d[32];
  if (ms == PLAN_NONE) return;
  valbuf_printf(b, " %s %s", word, ms == PLAN_UNBOUNDED ? "?" : plan_duration_text(ms, d, sizeof d));
}

/* Returns the text of a group's own node inside its cluster: its kind and clauses. */
static char *group_node_label(const plan_node *n) {
  valbuf b = {0};
  valbuf_puts(&b, n->kind == PLAN_STEP ? "step" : n->kind == PLAN_GATE ? "gate" : n->label ? n->label : "?");
  facet(&b, "every", n->every_ms);
  facet(&b, "timeout", n->timeout_ms);
  if (n->retry != PLAN_NONE) valbuf_printf(&b, " retry %lld", (long long)n->retry);
  facet(&b, "backoff", n->backoff_ms);
  if (n->kind == PLAN_HANDLER) valbuf_puts(&b, n->when == PLAN_WHEN_FAILURE ? "\n(only on failure)" : "\n(always)");
  bound(&b, n->worst_ms);
  char *s = valbuf_take(&b, NULL);
  return s ? s : strdup("?");
}

/* Returns the one-line text that diagrams show for node i (label plus key facts). */
char *plan_diagram_label(const plan_graph *g, size_t i) {
  const plan_node *n = &g->nodes[i];
  if (plan_is_group(g, i)) return group_node_label(n);
  valbuf b = {0};
  const char *label = n->label ? n->label : "";
  switch (n->kind) {
    case PLAN_ACTION:
      line(&b, n->mutating ? "\xe2\x9c\x8e " : "", label);
      if (n->target && *n->target && !strstr(label, n->target)) line(&b, "\xe2\x86\x92 ", n->target);
      bound(&b, n->worst_ms);
      break;
    case PLAN_APPROVE:
      line(&b, "approve: ", label);
      if (n->role) line(&b, "from ", n->role);
      bound(&b, n->worst_ms);
      break;
    case PLAN_WAIT: line(&b, "", label); bound(&b, n->worst_ms); break;
    case PLAN_NOTIFY: {
      line(&b, "", label);
      const char *t = n->text ? n->text : "";
      char *first = strndup(t, strcspn(t, "\n"));
      if (first && *first) line(&b, "", first);
      free(first);
      break;
    }
    default: line(&b, "", label); break;
  }
  char *s = valbuf_take(&b, NULL);
  return s ? s : strdup("?");
}

/* Writes s as a DOT double-quoted string. */
static void dot_string(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fprintf(out, "\\%c", *s);
    else if (*s == '\n') fputs("\\n", out);
    else if ((unsigned char)*s >= 0x20) fputc(*s, out);
  }
  fputc('"', out);
}

/* Returns the DOT attributes that give node kind its look. */
static const char *dot_look(const plan_node *n) {
  switch (n->kind) {
    case PLAN_ACTION:
      return n->mutating ? "shape=box, style=\"filled,bold\", fillcolor=\"#ffe0e0\", color=\"#cc0000\", class=\"action mutating\""
                         : "shape=box, style=\"rounded\", class=\"action\"";
    case PLAN_GATE: return "shape=octagon";
    case PLAN_APPROVE: return "shape=house, style=filled, fillcolor=\"#fff3c4\"";
    case PLAN_WAIT: return "shape=ellipse";
    case PLAN_ASSERT: case PLAN_EXPECT: return "shape=diamond";
    case PLAN_NOTIFY: return "shape=note";
    case PLAN_ABORT: return "shape=doubleoctagon, color=\"#cc0000\"";
    case PLAN_STEP: return "shape=folder";
    case PLAN_FORK: case PLAN_JOIN: return "shape=box, style=filled, fillcolor=\"#333333\", fontcolor=white";
    case PLAN_BRANCH: return "shape=plaintext";
    case PLAN_DECISION: return "shape=diamond, style=filled, fillcolor=\"#e8f0ff\"";
    case PLAN_LOOP: return "shape=hexagon";
    case PLAN_HANDLER: return "shape=tab";
    case PLAN_RETURN: return "shape=cds";
    case PLAN_KIND_COUNT: break;
  }
  return "shape=box";
}

/* Writes node i's statement. */
static void dot_node(const plan_graph *g, size_t i, FILE *out, int indent) {
  char *label = plan_diagram_label(g, i);
  fprintf(out, "%*s%s [label=", indent, "", g->nodes[i].id);
  dot_string(out, label);
  fprintf(out, ", %s];\n", dot_look(&g->nodes[i]));
  free(label);
}

/* Writes node i and its subtree; steps, gates and handlers become clusters. */
static void dot_tree(const plan_graph *g, const plan_tree *t, size_t i, FILE *out, int indent) {
  bool group = plan_is_group(g, i);
  if (group) {
    char *label = plan_group_title(g, i);
    fprintf(out, "%*ssubgraph cluster_%s {\n%*slabel=", indent, "", g->nodes[i].id, indent + 2, "");
    dot_string(out, label);
    fprintf(out, ";\n%*sstyle=\"rounded,dashed\";\n%*scolor=\"%s\";\n", indent + 2, "", indent + 2, "",
            g->nodes[i].when == PLAN_WHEN_FAILURE ? "#cc0000" : "#888888");
    free(label);
  }
  dot_node(g, i, out, indent + (group ? 2 : 0));
  for (size_t k = 0; k < t->nkids[i]; k++) dot_tree(g, t, t->kids[i][k], out, indent + (group ? 2 : 0));
  if (group) fprintf(out, "%*s}\n", indent, "");
}

/* Returns the DOT attributes of an edge kind ("" for sequence edges). */
static const char *dot_edge(plan_edge_kind kind) {
  switch (kind) {
    case PLAN_EDGE_NEXT: return "";
    case PLAN_EDGE_FORK: return " [arrowhead=vee]";
    case PLAN_EDGE_JOIN: return " [arrowhead=vee]";
    case PLAN_EDGE_REPEAT: return " [style=dashed, label=\"repeat\", constraint=false]";
    case PLAN_EDGE_FAILURE: return " [style=dashed, color=\"#cc0000\", label=\"on failure\"]";
  }
  return "";
}

/* Writes a Graphviz digraph (clusters for steps, gates and handlers; mutating actions red). */
void plan_write_dot(const plan_graph *g, FILE *out) {
  plan_tree t;
  bool ok = plan_tree_build(g, &t);
  fputs("digraph plan {\n  graph [rankdir=TB, fontname=\"Helvetica\", labelloc=t, label=", out);
  dot_string(out, g->runbook.title ? g->runbook.title : g->runbook.id ? g->runbook.id : "plan");
  fputs("];\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n", out);
  for (size_t i = 0; ok && i < g->len; i++)
    if (g->nodes[i].parent < 0) dot_tree(g, &t, i, out, 2);
  for (size_t i = 0; i < g->nedges; i++)
    fprintf(out, "  %s -> %s%s;\n", g->nodes[g->edges[i].from].id, g->nodes[g->edges[i].to].id, dot_edge(g->edges[i].kind));
  fputs("}\n", out);
  if (ok) plan_tree_free(g, &t);
}
