/* plan_text.c — the text form of a plan for a terminal: a tree, the run lock and preconditions
 * first, the critical path and the deadline at the end; and the --mutating list. The default view is
 * a reviewer's: steps, gates, approvals, waits, notifications (first line), aborts and every action,
 * with the control flow that holds them; --verbose adds proc returns, asserts, expects, joins and
 * whole notification texts. */
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

/* ANSI styles, used only when colour is on. */
#define T_BOLD "\033[1m"
#define T_DIM "\033[2m"
#define T_RED "\033[31m"
#define T_YELLOW "\033[33m"
#define T_RESET "\033[0m"

typedef struct {
  const plan_graph *g;
  FILE *out;
  bool color;
  plan_tree tree;     /* per node: child indices, in order */
  size_t *roots;
  size_t nroots;
  int idw;           /* width of the id column */
  bool verbose;
  signed char *content; /* per node: 1 when its subtree holds a node of the default view, 0 not, -1 unknown */
} text_out;

/* Returns the style when colour is on, else "". */
static const char *sty(const text_out *t, const char *code) { return t->color ? code : ""; }

/* Writes a section heading. */
static void heading(const text_out *t, const char *title) {
  fprintf(t->out, "\n%s%s%s\n", sty(t, T_BOLD), title, sty(t, T_RESET));
}

/* Returns " ≤1m30s"-style text for a duration into buf ("" for absent or zero). */
static const char *at_most(int64_t ms, char *buf, size_t size) {
  char d[32];
  if (ms == PLAN_NONE || ms == 0) return "";
  if (ms == PLAN_UNBOUNDED) return "  (unbounded)";
  snprintf(buf, size, "  (\xe2\x89\xa4 %s)", plan_duration_text(ms, d, sizeof d));
  return buf;
}

/* Returns the clause text " timeout 2m" for a present duration into buf. */
static const char *clause(const char *word, int64_t ms, char *buf, size_t size) {
  char d[32];
  if (ms == PLAN_NONE) return "";
  snprintf(buf, size, " %s %s", word, ms == PLAN_UNBOUNDED ? "(unknown)" : plan_duration_text(ms, d, sizeof d));
  return buf;
}

/* Writes the one-line description of node n (without id and indentation). */
static void node_line(const text_out *t, const plan_node *n) {
  char c1[48], c2[48], c3[48], w[48];
  const char *label = n->label ? n->label : "";
  switch (n->kind) {
    case PLAN_ACTION:
      fprintf(t->out, "%s%s%s%s", n->mutating ? sty(t, T_RED) : "", n->mutating ? "\xe2\x9c\x8e " : "", label,
              n->mutating ? sty(t, T_RESET) : "");
      if (n->target && *n->target && !strstr(label, n->target)) fprintf(t->out, "  \xe2\x86\x92 %s", n->target);
      fputs(clause("every", n->every_ms, c1, sizeof c1), t->out);
      fputs(at_most(n->worst_ms, w, sizeof w), t->out);
      break;
    case PLAN_STEP:
      fprintf(t->out, "step \"%s\"%s%s", label, clause("timeout", n->timeout_ms, c1, sizeof c1),
              n->retry != PLAN_NONE ? " retry" : "");
      if (n->retry != PLAN_NONE) fprintf(t->out, " %lld%s", (long long)n->retry, clause("backoff", n->backoff_ms, c2, sizeof c2));
      fputs(at_most(n->worst_ms, w, sizeof w), t->out);
      break;
    case PLAN_GATE:
      fprintf(t->out, "gate \"%s\"%s%s%s", label, clause("every", n->every_ms, c1, sizeof c1),
              clause("timeout", n->timeout_ms, c2, sizeof c2), at_most(n->worst_ms, w, sizeof w));
      break;
    case PLAN_APPROVE:
      fprintf(t->out, "approve \"%s\"%s%s%s%s", label, n->role ? " from " : "", n->role ? n->role : "",
              clause("timeout", n->timeout_ms, c1, sizeof c1), at_most(n->worst_ms, w, sizeof w));
      break;
    case PLAN_WAIT:
      fprintf(t->out, "%s%s%s%s", label, n->source ? clause("every", n->every_ms, c1, sizeof c1) : "",
              clause("timeout", n->timeout_ms, c2, sizeof c2), at_most(n->worst_ms, w, sizeof w));
      break;
    case PLAN_NOTIFY: fprintf(t->out, "%s%s", label, clause("every", n->every_ms, c3, sizeof c3)); break;
    case PLAN_LOOP: case PLAN_FORK: case PLAN_DECISION:
      fprintf(t->out, "%s%s%s", label, n->iterations != PLAN_NONE ? "" : n->kind == PLAN_DECISION ? "  (decided at run time)" : "",
              at_most(n->worst_ms, w, sizeof w));
      break;
    case PLAN_HANDLER:
      fprintf(t->out, "%s  (%s)", label, n->when == PLAN_WHEN_FAILURE ? "runs only on failure" : "runs always");
      break;
    default: fputs(label, t->out); break;
  }
}

/* Writes a multi-line text (a notification) under a node, indented. */
static void body_text(const text_out *t, const char *text, int indent) {
  const char *p = text;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    fprintf(t->out, "%*s%*s%s\xe2\x94\x82%s %.*s\n", t->idw, "", indent + 2, "", sty(t, T_DIM), sty(t, T_RESET), (int)len, p);
    p += len + (nl != NULL);
  }
}

/* Writes the first line of a notification's text and how many lines follow (the default view). */
static void body_head(const text_out *t, const char *text) {
  const char *p = text;
  while (*p == '\n') p++;
  size_t len = strcspn(p, "\n"), more = 0;
  for (const char *q = p + len; *q; q++) more += *q == '\n' && q[1];
  char *line = strndup(p, len), *cut = line ? plan_cut(line, 90) : NULL;
  fprintf(t->out, "  %s\xe2\x80\x9c%s\xe2\x80\x9d%s", sty(t, T_DIM), cut ? cut : "", sty(t, T_RESET));
  if (more) fprintf(t->out, " (+%zu line%s)", more, more == 1 ? "" : "s");
  free(line);
  free(cut);
}

/* Returns true when node i is a line of the default view whatever its subtree holds. */
static bool reviewed(const plan_node *n) {
  switch (n->kind) {
    case PLAN_ACTION: case PLAN_GATE: case PLAN_APPROVE: case PLAN_WAIT: case PLAN_NOTIFY: case PLAN_ABORT:
    case PLAN_STEP: case PLAN_HANDLER: return true;
    default: return false;
  }
}

/* Returns true when node i or a node under it is a line of the default view. */
static bool has_content(const text_out *t, size_t i) {
  if (t->content[i] >= 0) return t->content[i];
  bool any = reviewed(&t->g->nodes[i]);
  for (size_t k = 0; !any && k < t->tree.nkids[i]; k++) any = has_content(t, t->tree.kids[i][k]);
  t->content[i] = any;
  return any;
}

/* Returns true when node i has its own line; its children are lifted to its place otherwise. */
static bool shown(const text_out *t, size_t i) {
  const plan_node *n = &t->g->nodes[i];
  long p = n->parent;
  if (t->verbose) return !(n->kind == PLAN_RETURN && p >= 0 && t->g->nodes[p].kind == PLAN_NOTIFY);
  switch (n->kind) {
    case PLAN_RETURN: case PLAN_ASSERT: case PLAN_EXPECT: case PLAN_JOIN: return false;
    case PLAN_BRANCH:
      if (p >= 0 && t->g->nodes[p].kind == PLAN_FORK && t->tree.nkids[i] == 1) return false;
      return has_content(t, i);
    case PLAN_LOOP: return has_content(t, i) || (n->ast && n->ast->kind == AST_CALL); /* a recursive call */
    case PLAN_DECISION: case PLAN_FORK: return has_content(t, i);
    default: return true;
  }
}

/* Writes node i and its subtree at `indent` spaces (a hidden node: its shown descendants). */
static void tree(const text_out *t, size_t i, int indent) {
  const plan_node *n = &t->g->nodes[i];
  if (!shown(t, i)) {
    for (size_t k = 0; k < t->tree.nkids[i]; k++) tree(t, t->tree.kids[i][k], indent);
    return;
  }
  fprintf(t->out, "%s%-*s%s  %*s", sty(t, T_DIM), t->idw, n->id, sty(t, T_RESET), indent, "");
  node_line(t, n);
  if (n->kind == PLAN_NOTIFY && n->text && !t->verbose) body_head(t, n->text);
  fputc('\n', t->out);
  if (n->kind == PLAN_NOTIFY && n->text && t->verbose) body_text(t, n->text, indent);
  if ((n->kind == PLAN_ASSERT || n->kind == PLAN_EXPECT) && n->message)
    fprintf(t->out, "%*s  %*s%s\xe2\x80\x9c%s\xe2\x80\x9d%s\n", t->idw, "", indent + 2, "", sty(t, T_DIM), n->message, sty(t, T_RESET));
  for (size_t k = 0; k < t->tree.nkids[i]; k++) tree(t, t->tree.kids[i][k], indent + 2);
}

/* Builds the child lists and roots; false when out of memory. */
static bool index_tree(text_out *t) {
  const plan_graph *g = t->g;
  t->roots = calloc(g->len + 1, sizeof *t->roots);
  t->content = malloc(g->len + 1);
  if (!t->roots || !t->content || !plan_tree_build(g, &t->tree)) return false;
  memset(t->content, -1, g->len + 1);
  for (size_t i = 0; i < g->len; i++)
    if (g->nodes[i].parent < 0) t->roots[t->nroots++] = i;
  t->idw = g->len >= 1000 ? 6 : g->len >= 100 ? 5 : 4;
  return true;
}

/* Releases the child lists. */
static void free_tree(text_out *t) {
  if (t->tree.kids) plan_tree_free(t->g, &t->tree);
  free(t->roots);
  free(t->content);
}

/* Writes the runbook header and the params. */
static void header(const text_out *t) {
  const plan_runbook *rb = &t->g->runbook;
  char d[32];
  fprintf(t->out, "%srunbook %s%s\n", sty(t, T_BOLD), rb->id ? rb->id : "(none)", sty(t, T_RESET));
  if (rb->title) fprintf(t->out, "  %s\n", rb->title);
  fprintf(t->out, "  version %s \xc2\xb7 owner %s \xc2\xb7 deadline %s\n", rb->version ? rb->version : "-",
          rb->owner ? rb->owner : "-",
          t->g->critical.deadline_ms >= 0 ? plan_duration_text(t->g->critical.deadline_ms, d, sizeof d) : "none");
  if (!t->g->nparams) return;
  heading(t, "params");
  int w = 0;
  for (size_t i = 0; i < t->g->nparams; i++) w = (int)strlen(t->g->params[i].name) > w ? (int)strlen(t->g->params[i].name) : w;
  for (size_t i = 0; i < t->g->nparams; i++)
    fprintf(t->out, "  %-*s = %s\n", w, t->g->params[i].name, t->g->params[i].text ? t->g->params[i].text : "?");
}

/* Returns the word that names a node kind in the critical path ("" for actions). */
static const char *kind_word(plan_kind k) {
  switch (k) {
    case PLAN_ACTION: return "";
    case PLAN_STEP: return "step ";
    case PLAN_GATE: return "gate ";
    case PLAN_APPROVE: return "approve ";
    default: return "";
  }
}

/* Writes the critical path, its parts and the deadline. */
static void critical(const text_out *t) {
  const plan_critical *c = &t->g->critical;
  char a[32], b[32], d[32], e[32];
  heading(t, "critical path");
  fprintf(t->out, "  worst case %s", plan_duration_text(c->worst_ms, a, sizeof a));
  if (c->deadline_ms >= 0)
    fprintf(t->out, "%s \xe2\x80\x94 %s the deadline %s%s", c->exceeds ? sty(t, T_YELLOW) : "",
            c->exceeds ? "can exceed" : "within", plan_duration_text(c->deadline_ms, d, sizeof d),
            c->exceeds ? sty(t, T_RESET) : "");
  fputc('\n', t->out);
  fprintf(t->out, "  success: plan %s + finally %s\n", plan_duration_text(c->main_ms, a, sizeof a),
          plan_duration_text(c->finally_ms, b, sizeof b));
  fprintf(t->out, "  failure at the %s: %s + on failure %s + finally %s = %s\n", c->deadline_ms >= 0 ? "deadline" : "end",
          plan_duration_text(c->failure_ms == PLAN_UNBOUNDED ? PLAN_UNBOUNDED
                             : c->failure_ms - c->on_failure_ms - c->finally_ms, a, sizeof a),
          plan_duration_text(c->on_failure_ms, d, sizeof d), plan_duration_text(c->finally_ms, b, sizeof b),
          plan_duration_text(c->failure_ms, e, sizeof e));
  for (size_t i = 0, col = 0; !t->verbose && i < c->npath; i++) {
    const plan_node *n = &t->g->nodes[c->path[i]];
    char item[64];
    int len = snprintf(item, sizeof item, "%s %s", n->id, plan_duration_text(n->worst_ms, a, sizeof a));
    if (col && col + (size_t)len + 3 > 100) fputs(" \xe2\x86\x92\n", t->out), col = 0;
    col += (size_t)fprintf(t->out, "%s%s", col ? " \xe2\x86\x92 " : i ? "        " : "  path: ", item);
    if (i + 1 == c->npath) fputc('\n', t->out);
  }
  for (size_t i = 0; t->verbose && i < c->npath; i++) {
    const plan_node *n = &t->g->nodes[c->path[i]];
    const char *word = kind_word(n->kind), *q = *word ? "\"" : "";
    fprintf(t->out, "  %-9s %s%-*s%s  %s%s%s%s\n", plan_duration_text(n->worst_ms, a, sizeof a), sty(t, T_DIM), t->idw,
            n->id, sty(t, T_RESET), word, q, n->label ? n->label : "", q);
  }
  for (size_t i = 0; i < c->nunbounded; i++) fprintf(t->out, "  unbounded: %s\n", c->unbounded[i]);
}

/* Writes the --mutating list: one line per mutating action with its target and step. */
static void mutating_list(const plan_graph *g, FILE *out) {
  for (size_t i = 0; i < g->len; i++) {
    const plan_node *n = &g->nodes[i];
    if (n->kind != PLAN_ACTION || !n->mutating) continue;
    fprintf(out, "%-5s %s%s%s%s  %s  [%s]%s%s\n", n->id, n->handle ? n->handle : "", n->handle ? "." : "",
            n->run_lock ? "run lock: " : "", n->sig ? n->sig->name : n->run_lock ? n->run_lock : "?", n->target && *n->target ? n->target : "-", *n->step ? n->step : "top level",
            n->when == PLAN_WHEN_FAILURE ? " (on failure)" : n->when == PLAN_WHEN_ALWAYS ? " (finally)" : "",
            n->conditional ? " (conditional)" : "");
  }
}

/* Writes the text form: a tree with the run lock and preconditions first, the critical path and the
 * deadline at the end; `verbose` adds the expression detail, `color` adds ANSI colours. */
void plan_write_text(const plan_graph *g, bool mutating_only, bool verbose, bool color, FILE *out) {
  if (mutating_only) {
    mutating_list(g, out);
    return;
  }
  text_out t = {.g = g, .out = out, .color = color, .verbose = verbose};
  if (!index_tree(&t)) {
    free_tree(&t);
    fputs("rbk: out of memory\n", out);
    return;
  }
  header(&t);
  bool any = false;
  for (size_t k = 0; k < t.nroots; k++) {
    if (!g->nodes[t.roots[k]].run_lock) continue;
    if (!any) heading(&t, "run lock (rbk run)");
    any = true;
    tree(&t, t.roots[k], 0);
  }
  any = false;
  for (size_t k = 0; k < t.nroots; k++) {
    if (!g->nodes[t.roots[k]].precondition) continue;
    if (!any) heading(&t, "preconditions");
    any = true;
    tree(&t, t.roots[k], 0);
  }
  heading(&t, "plan");
  for (size_t k = 0; k < t.nroots; k++)
    if (!g->nodes[t.roots[k]].precondition && !g->nodes[t.roots[k]].run_lock) tree(&t, t.roots[k], 0);
  critical(&t);
  free_tree(&t);
}
