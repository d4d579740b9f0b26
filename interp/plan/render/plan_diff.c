/* plan_diff.c — `rbk plan --diff OLD NEW`: the difference of two action graphs. Actions, gates
 * and approvals are matched by what they are (kind, enclosing steps, handle.action or title,
 * when), in order: first the ones that are the same in every compared field, then the rest of
 * each kind pairwise (those are "changed"); what is left is added or removed. An action that is
 * added mutating, or that becomes mutating, is a new mutation and is always named. Written as
 * text, or as the NEW graph in Mermaid with the added and changed nodes styled and the removed
 * ones in a subgraph of their own. */
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

#include "plan_int.h"

/* One compared node of a graph: its index and its identity key. */
typedef struct {
  size_t node;
  char *key;  /* kind, steps, handle.action or title, when */
  long peer;  /* index into the other side's items; -1 when unmatched */
} diff_item;

typedef struct {
  const plan_graph *g;
  diff_item *items;
  size_t len;
} diff_side;

/* Returns true when node n takes part in the diff (actions, gates, approvals). */
static bool compared(const plan_node *n) {
  return n->kind == PLAN_ACTION || n->kind == PLAN_GATE || n->kind == PLAN_APPROVE;
}

/* Returns the identity key of n. Caller frees; NULL when out of memory. */
static char *item_key(const plan_node *n) {
  const char *what = n->kind == PLAN_ACTION ? (n->sig ? n->sig->name : n->run_lock ? n->run_lock : "?")
                                            : (n->label ? n->label : "");
  return strutil_printf("%s|%s|%s%s%s|%s", plan_kind_name(n->kind), n->step ? n->step : "",
                        n->handle ? n->handle : "", n->handle ? "." : "", what, plan_when_name(n->when));
}

/* Returns true when a string field differs (NULL equals NULL only). */
static bool str_differs(const char *a, const char *b) {
  if (!a || !b) return a != b;
  return strcmp(a, b) != 0;
}

/* Returns true when the compared fields of a and b are all equal. */
static bool same_node(const plan_node *a, const plan_node *b) {
  return !str_differs(a->target, b->target) && !str_differs(a->label, b->label) && a->timeout_ms == b->timeout_ms &&
         a->every_ms == b->every_ms && a->mutating == b->mutating && a->conditional == b->conditional &&
         !str_differs(a->role, b->role);
}

/* Fills side s with the compared nodes of g; false when out of memory. */
static bool side_fill(diff_side *s, const plan_graph *g) {
  s->g = g;
  s->items = calloc(g->len + 1, sizeof *s->items);
  if (!s->items) return false;
  for (size_t i = 0; i < g->len; i++) {
    if (!compared(&g->nodes[i])) continue;
    char *key = item_key(&g->nodes[i]);
    if (!key) return false;
    s->items[s->len++] = (diff_item){i, key, -1};
  }
  return true;
}

/* Releases a side's items. */
static void side_free(diff_side *s) {
  for (size_t i = 0; i < s->len; i++) free(s->items[i].key);
  free(s->items);
}

/* Pairs the unmatched items of a and b with equal keys, in order; with `exact`, only those whose
 * compared fields are equal too. */
static void match(diff_side *a, diff_side *b, bool exact) {
  size_t from = 0;
  for (size_t i = 0; i < a->len; i++) {
    diff_item *x = &a->items[i];
    if (x->peer >= 0) continue;
    for (size_t j = exact ? from : 0; j < b->len; j++) {
      diff_item *y = &b->items[j];
      if (y->peer >= 0 || strcmp(x->key, y->key)) continue;
      if (exact && !same_node(&a->g->nodes[x->node], &b->g->nodes[y->node])) continue;
      x->peer = (long)j, y->peer = (long)i;
      if (exact) from = j + 1;
      break;
    }
  }
}

/* Counts of what differs. */
typedef struct {
  size_t added, removed, changed, new_mutations, gates_added, gates_removed;
  size_t mut_old, mut_new;
} diff_counts;

/* Returns the number of mutating actions of g. */
static size_t mutations(const plan_graph *g) {
  size_t k = 0;
  for (size_t i = 0; i < g->len; i++) k += g->nodes[i].kind == PLAN_ACTION && g->nodes[i].mutating;
  return k;
}

/* Returns true when the matched pair differs; a pair that became mutating is a new mutation. */
static bool changed(const diff_side *a, size_t i, const diff_side *b) {
  const diff_item *x = &a->items[i];
  return x->peer >= 0 && !same_node(&a->g->nodes[x->node], &b->g->nodes[b->items[x->peer].node]);
}

/* Counts the differences of matched sides. */
static diff_counts count(const diff_side *o, const diff_side *n) {
  diff_counts c = {.mut_old = mutations(o->g), .mut_new = mutations(n->g)};
  for (size_t i = 0; i < n->len; i++) {
    const plan_node *x = &n->g->nodes[n->items[i].node];
    bool action = x->kind == PLAN_ACTION;
    if (n->items[i].peer < 0) {
      if (action) c.added++, c.new_mutations += x->mutating;
      else c.gates_added++;
    } else if (changed(n, i, o)) {
      c.changed++;
      c.new_mutations += x->mutating && !o->g->nodes[o->items[n->items[i].peer].node].mutating;
    }
  }
  for (size_t i = 0; i < o->len; i++)
    if (o->items[i].peer < 0) {
      if (o->g->nodes[o->items[i].node].kind == PLAN_ACTION) c.removed++;
      else c.gates_removed++;
    }
  return c;
}

/* Writes node n on one line: id, kind word or ✎, label, target, bound, step. */
static void item_line(FILE *out, char mark, const plan_node *n, bool new_mutation) {
  char d[32];
  const char *word = n->kind == PLAN_GATE ? "gate " : n->kind == PLAN_APPROVE ? "approve " : "";
  fprintf(out, "%c %-5s %s%s%s%s%s", mark, n->id, n->mutating ? "\xe2\x9c\x8e " : "", word,
          *word ? "\"" : "", n->label ? n->label : "", *word ? "\"" : "");
  if (n->target && *n->target && (!n->label || !strstr(n->label, n->target))) fprintf(out, "  \xe2\x86\x92 %s", n->target);
  if (n->timeout_ms != PLAN_NONE) fprintf(out, "  (\xe2\x89\xa4 %s)", plan_duration_text(n->timeout_ms, d, sizeof d));
  fprintf(out, "  [%s]", n->step && *n->step ? n->step : "top level");
  if (new_mutation) fputs("  NEW MUTATION", out);
  fputc('\n', out);
}

/* Writes "    what: old → new" for a differing string field. */
static void field_line(FILE *out, const char *what, const char *a, const char *b) {
  if (!str_differs(a, b)) return;
  fprintf(out, "      %s: %s \xe2\x86\x92 %s\n", what, a ? a : "-", b ? b : "-");
}

/* Writes "    what: old → new" for a differing duration. */
static void ms_line(FILE *out, const char *what, int64_t a, int64_t b) {
  char x[32], y[32];
  if (a == b) return;
  fprintf(out, "      %s: %s \xe2\x86\x92 %s\n", what, a == PLAN_NONE ? "-" : plan_duration_text(a, x, sizeof x),
          b == PLAN_NONE ? "-" : plan_duration_text(b, y, sizeof y));
}

/* Writes a changed pair: the new node's line, then each differing field. */
static void changed_lines(FILE *out, const plan_node *a, const plan_node *b) {
  item_line(out, '~', b, b->mutating && !a->mutating);
  fprintf(out, "      was %s\n", a->id);
  field_line(out, "target", a->target, b->target);
  field_line(out, "call", a->label, b->label);
  ms_line(out, "bound", a->timeout_ms, b->timeout_ms);
  ms_line(out, "every", a->every_ms, b->every_ms);
  field_line(out, "role", a->role, b->role);
  if (a->mutating != b->mutating) fprintf(out, "      mutating: %s \xe2\x86\x92 %s\n", a->mutating ? "yes" : "no", b->mutating ? "yes" : "no");
  if (a->conditional != b->conditional)
    fprintf(out, "      conditional: %s \xe2\x86\x92 %s\n", a->conditional ? "yes" : "no", b->conditional ? "yes" : "no");
}

/* Writes the lines of one section: the items of kind class `actions` (else gates and approvals). */
static bool section(FILE *out, const diff_side *o, const diff_side *n, bool actions) {
  bool any = false;
  for (size_t i = 0; i < n->len; i++) {
    const plan_node *x = &n->g->nodes[n->items[i].node];
    if ((x->kind == PLAN_ACTION) != actions) continue;
    if (n->items[i].peer < 0) item_line(out, '+', x, x->mutating), any = true;
    else if (changed(n, i, o)) changed_lines(out, &o->g->nodes[o->items[n->items[i].peer].node], x), any = true;
  }
  for (size_t i = 0; i < o->len; i++) {
    const plan_node *x = &o->g->nodes[o->items[i].node];
    if ((x->kind == PLAN_ACTION) == actions && o->items[i].peer < 0) item_line(out, '-', x, false), any = true;
  }
  return any;
}

/* Writes one deadline verdict line. */
static void verdict(FILE *out, const char *when, const plan_graph *g) {
  const plan_critical *c = &g->critical;
  char w[32], d[32];
  fprintf(out, "  %s worst case %s", when, plan_duration_text(c->worst_ms, w, sizeof w));
  if (c->deadline_ms >= 0)
    fprintf(out, " \xe2\x80\x94 %s the deadline %s", c->exceeds ? "can exceed" : "within",
            plan_duration_text(c->deadline_ms, d, sizeof d));
  else fputs(" \xe2\x80\x94 no deadline", out);
  fputc('\n', out);
}

/* Matches the compared nodes of both graphs; false when out of memory. */
static bool diff_sides(const plan_graph *old_g, const plan_graph *new_g, diff_side *o, diff_side *n) {
  *o = (diff_side){0}, *n = (diff_side){0};
  if (!side_fill(o, old_g) || !side_fill(n, new_g)) return false;
  match(o, n, true);
  match(o, n, false);
  return true;
}

/* Writes the text diff of two graphs: actions and gates/approvals added (+), removed (-) and
 * changed (~), the mutations and the deadline verdict before and after, and a summary line. */
void plan_write_diff_text(const plan_graph *old_g, const plan_graph *new_g, const char *old_name,
                          const char *new_name, FILE *out) {
  diff_side o, n;
  if (!diff_sides(old_g, new_g, &o, &n)) {
    side_free(&o), side_free(&n);
    fputs("rbk: out of memory\n", out);
    return;
  }
  const plan_runbook *ra = &old_g->runbook, *rb = &new_g->runbook;
  fprintf(out, "plan diff %s \xe2\x86\x92 %s\n", old_name, new_name);
  fprintf(out, "runbook %s", rb->id ? rb->id : "(none)");
  if (str_differs(ra->id, rb->id)) fprintf(out, " (was %s)", ra->id ? ra->id : "(none)");
  if (str_differs(ra->version, rb->version))
    fprintf(out, " \xc2\xb7 version %s \xe2\x86\x92 %s", ra->version ? ra->version : "-", rb->version ? rb->version : "-");
  fputc('\n', out);
  diff_counts c = count(&o, &n);
  fputs("\nactions\n", out);
  if (!section(out, &o, &n, true)) fputs("  no action added, removed or changed\n", out);
  fputs("\ngates and approvals\n", out);
  if (!section(out, &o, &n, false)) fputs("  no gate or approval added, removed or changed\n", out);
  fputs("\ndeadline\n", out);
  verdict(out, "before:", old_g);
  verdict(out, "after: ", new_g);
  fprintf(out, "\nsummary: %zu action%s added, %zu removed, %zu changed; %zu gate%s or approval%s added, %zu removed; "
          "mutating actions %zu \xe2\x86\x92 %zu",
          c.added, c.added == 1 ? "" : "s", c.removed, c.changed, c.gates_added, c.gates_added == 1 ? "" : "s",
          c.gates_added == 1 ? "" : "s", c.gates_removed, c.mut_old, c.mut_new);
  if (c.new_mutations) fprintf(out, "; %zu NEW MUTATION%s", c.new_mutations, c.new_mutations == 1 ? "" : "S");
  fputc('\n', out);
  side_free(&o), side_free(&n);
}

/* Writes "  class a,b,c NAME" for the items of side s that `pick` selects; nothing when none. */
static void class_line(FILE *out, const diff_side *s, const diff_side *other, const char *prefix, const char *name,
                       bool (*pick)(const diff_side *, size_t, const diff_side *)) {
  bool any = false;
  for (size_t i = 0; i < s->len; i++) {
    if (!pick(s, i, other)) continue;
    fprintf(out, "%s%s%s", any ? "," : "  class ", prefix, s->g->nodes[s->items[i].node].id);
    any = true;
  }
  if (any) fprintf(out, " %s\n", name);
}

/* Returns true for an unmatched item (added on the new side, removed on the old). */
static bool pick_unmatched(const diff_side *s, size_t i, const diff_side *other) {
  (void)other;
  return s->items[i].peer < 0 && !(s->g->nodes[s->items[i].node].mutating && s->g->nodes[s->items[i].node].kind == PLAN_ACTION);
}

/* Returns true for an added mutating action, or one that became mutating. */
static bool pick_new_mutation(const diff_side *s, size_t i, const diff_side *other) {
  const plan_node *x = &s->g->nodes[s->items[i].node];
  if (x->kind != PLAN_ACTION || !x->mutating) return false;
  return s->items[i].peer < 0 || !other->g->nodes[other->items[s->items[i].peer].node].mutating;
}

/* Returns true for a changed pair that is not a new mutation. */
static bool pick_changed(const diff_side *s, size_t i, const diff_side *other) {
  return changed(s, i, other) && !pick_new_mutation(s, i, other);
}

/* Returns true for any unmatched item (the removed ones of the old side). */
static bool pick_removed(const diff_side *s, size_t i, const diff_side *other) {
  (void)other;
  return s->items[i].peer < 0;
}

/* Writes the NEW graph as Mermaid with the added nodes (class added), the new mutations (class
 * newmutation), the changed nodes (class changed) styled, and the removed ones (class removed,
 * ids prefixed old_) in a subgraph "removed". */
void plan_write_diff_mermaid(const plan_graph *old_g, const plan_graph *new_g, FILE *out) {
  diff_side o, n;
  if (!diff_sides(old_g, new_g, &o, &n)) {
    side_free(&o), side_free(&n);
    fputs("rbk: out of memory\n", out);
    return;
  }
  plan_write_mermaid(new_g, out);
  bool any_removed = false;
  for (size_t i = 0; i < o.len; i++) {
    if (o.items[i].peer >= 0) continue;
    if (!any_removed) fputs("  subgraph s_removed[\"removed\"]\n", out);
    any_removed = true;
    const plan_node *x = &old_g->nodes[o.items[i].node];
    char *label = plan_diagram_label(old_g, o.items[i].node);
    char *shown = strutil_printf("removed %s: %s", x->id, label ? label : "");
    fprintf(out, "    old_%s[", x->id);
    plan_mermaid_string(out, shown ? shown : "");
    fputs("]\n", out);
    free(label), free(shown);
  }
  if (any_removed) fputs("  end\n", out);
  fputs("  classDef added fill:#e0ffe0,stroke:#008800,stroke-width:3px\n", out);
  fputs("  classDef newmutation fill:#ffe0e0,stroke:#008800,stroke-width:4px\n", out);
  fputs("  classDef changed fill:#fff3c4,stroke:#cc8800,stroke-width:3px\n", out);
  fputs("  classDef removed fill:#eeeeee,stroke:#888888,stroke-dasharray:4 2\n", out);
  class_line(out, &n, &o, "", "added", pick_unmatched);
  class_line(out, &n, &o, "", "newmutation", pick_new_mutation);
  class_line(out, &n, &o, "", "changed", pick_changed);
  class_line(out, &o, &n, "old_", "removed", pick_removed);
  side_free(&o), side_free(&n);
}
