/* plan_mermaid.c — the graph as a Mermaid `flowchart TD` that GitHub renders: subgraphs for steps,
 * gates and handlers, mutating actions styled, labels escaped with Mermaid's entity codes. */
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

/* Writes s inside a quoted Mermaid label: quotes, brackets and other syntax as entity codes,
 * newlines as <br/>. */
void plan_mermaid_string(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    switch (*s) {
      case '"': fputs("#quot;", out); break;
      case '#': fputs("#35;", out); break;
      case '<': fputs("#lt;", out); break;
      case '>': fputs("#gt;", out); break;
      case '[': fputs("#91;", out); break;
      case ']': fputs("#93;", out); break;
      case '{': fputs("#123;", out); break;
      case '}': fputs("#125;", out); break;
      case '|': fputs("#124;", out); break;
      case '`': fputs("#96;", out); break;
      case '\n': fputs("<br/>", out); break;
      default:
        if ((unsigned char)*s >= 0x20) fputc(*s, out);
        break;
    }
  }
  fputc('"', out);
}

/* Returns the opening and closing brackets of the shape for node kind k. */
static void mm_shape(plan_kind k, const char **open, const char **close) {
  *open = "[";
  *close = "]";
  switch (k) {
    case PLAN_GATE: *open = "{{"; *close = "}}"; break;
    case PLAN_DECISION: *open = "{"; *close = "}"; break;
    case PLAN_WAIT: case PLAN_APPROVE: *open = "(["; *close = "])"; break;
    case PLAN_FORK: case PLAN_JOIN: *open = "[["; *close = "]]"; break;
    case PLAN_ASSERT: case PLAN_EXPECT: *open = "[/"; *close = "/]"; break;
    case PLAN_NOTIFY: *open = ">"; *close = "]"; break;
    case PLAN_ABORT: case PLAN_RETURN: *open = "(("; *close = "))"; break;
    case PLAN_BRANCH: case PLAN_LOOP: *open = "("; *close = ")"; break;
    default: break;
  }
}

/* Writes node i's statement. */
static void mm_node(const plan_graph *g, size_t i, FILE *out, int indent) {
  const char *open, *close;
  mm_shape(g->nodes[i].kind, &open, &close);
  char *label = plan_diagram_label(g, i);
  fprintf(out, "%*s%s%s", indent, "", g->nodes[i].id, open);
  plan_mermaid_string(out, label);
  fprintf(out, "%s\n", close);
  free(label);
}

/* Writes node i and its subtree; steps, gates and handlers become subgraphs. */
static void mm_tree(const plan_graph *g, const plan_tree *t, size_t i, FILE *out, int indent) {
  bool group = plan_is_group(g, i);
  if (group) {
    char *label = plan_group_title(g, i);
    fprintf(out, "%*ssubgraph s_%s[", indent, "", g->nodes[i].id);
    plan_mermaid_string(out, label);
    fputs("]\n", out);
    free(label);
  }
  mm_node(g, i, out, indent + (group ? 2 : 0));
  for (size_t k = 0; k < t->nkids[i]; k++) mm_tree(g, t, t->kids[i][k], out, indent + (group ? 2 : 0));
  if (group) fprintf(out, "%*send\n", indent, "");
}

/* Returns the Mermaid arrow for an edge kind. */
static const char *mm_arrow(plan_edge_kind kind) {
  switch (kind) {
    case PLAN_EDGE_NEXT: case PLAN_EDGE_FORK: case PLAN_EDGE_JOIN: return "-->";
    case PLAN_EDGE_REPEAT: return "-. repeat .->";
    case PLAN_EDGE_FAILURE: return "-. on failure .->";
  }
  return "-->";
}

/* Writes the class lines that name the action nodes and style mutating actions and failure-only nodes. */
static void mm_classes(const plan_graph *g, FILE *out) {
  fputs("  classDef action stroke:#555555\n", out);
  fputs("  classDef mutating fill:#ffe0e0,stroke:#cc0000,stroke-width:2px\n", out);
  fputs("  classDef onfailure stroke:#cc0000,stroke-dasharray:4 2\n", out);
  static const char *const classes[] = {"action", "mutating", "onfailure"};
  for (size_t c = 0; c < 3; c++) {
    bool any = false;
    for (size_t i = 0; i < g->len; i++) {
      const plan_node *n = &g->nodes[i];
      bool in = c == 0 ? n->kind == PLAN_ACTION : c == 1 ? n->kind == PLAN_ACTION && n->mutating : n->when == PLAN_WHEN_FAILURE && !plan_is_group(g, i);
      if (!in) continue;
      fprintf(out, "%s%s", any ? "," : "  class ", n->id);
      any = true;
    }
    if (any) fprintf(out, " %s\n", classes[c]);
  }
}

/* Writes a Mermaid `flowchart TD` (subgraphs for steps, gates and handlers). */
void plan_write_mermaid(const plan_graph *g, FILE *out) {
  plan_tree t;
  bool ok = plan_tree_build(g, &t);
  fputs("flowchart TD\n", out);
  for (size_t i = 0; ok && i < g->len; i++)
    if (g->nodes[i].parent < 0) mm_tree(g, &t, i, out, 2);
  for (size_t i = 0; i < g->nedges; i++)
    fprintf(out, "  %s %s %s\n", g->nodes[g->edges[i].from].id, mm_arrow(g->edges[i].kind), g->nodes[g->edges[i].to].id);
  mm_classes(g, out);
  if (ok) plan_tree_free(g, &t);
}
