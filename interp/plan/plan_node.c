/* plan_node.c — the walker's primitives: nodes in context, flow links, warnings, handles. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

#include "grow.h"

static void plan_walk_edge(plan_walker *w, size_t from, size_t to, plan_edge_kind kind);

/* Records a fatal error (formatted) unless one is recorded. */
void plan_walk_fail(plan_walker *w, const char *fmt, ...) {
  if (w->err) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->errbuf, sizeof w->errbuf, fmt, ap);
  va_end(ap);
  w->err = w->errbuf;
}

/* Returns true when the diagnostics already hold a warning with this span and message. */
static bool warn_seen(const diag_list *d, rbk_span span, const char *msg) {
  for (size_t i = 0; i < d->len; i++) {
    const diag *x = &d->items[i];
    if (x->severity == DIAG_WARNING && x->span.src == span.src && x->span.line == span.line &&
        x->span.col == span.col && !strcmp(x->message, msg))
      return true;
  }
  return false;
}

/* Adds a warning at span (formatted) to the diagnostics. */
void plan_walk_warn(plan_walker *w, rbk_span span, const char *fmt, ...) {
  if (!w->diags) return;
  va_list ap;
  va_start(ap, fmt);
  char buf[512];
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (!warn_seen(w->diags, span, buf)) diag_add(w->diags, DIAG_WARNING, span, "%s", buf);
}

/* Returns "file:line:col" for a span. */
char *plan_walk_where(rbk_span span) {
  return strutil_printf("%s:%d:%d", span.src && span.src->path ? span.src->path : "?", span.line, span.col);
}

/* Appends a link; sets w->err when out of memory. */
void plan_links_push(plan_walker *w, plan_links *l, size_t node, plan_edge_kind kind) {
  if (!GROW(l->items, l->cap, l->len + 1)) {
    plan_walk_fail(w, "out of memory");
    return;
  }
  l->items[l->len++] = (plan_link){node, kind};
}

/* Appends every link of src to dst. */
void plan_links_extend(plan_walker *w, plan_links *dst, const plan_links *src) {
  for (size_t i = 0; i < src->len; i++) plan_links_push(w, dst, src->items[i].node, src->items[i].kind);
}

/* Releases the links and leaves them empty. */
void plan_links_free(plan_links *l) {
  free(l->items);
  *l = (plan_links){0};
}

/* Adds repeat edges from every link of `from` to node `to`. */
void plan_links_repeat(plan_walker *w, const plan_links *from, size_t to) {
  for (size_t i = 0; i < from->len; i++) plan_walk_edge(w, from->items[i].node, to, PLAN_EDGE_REPEAT);
}

/* Adds an edge; sets w->err when out of memory. */
static void plan_walk_edge(plan_walker *w, size_t from, size_t to, plan_edge_kind kind) {
  if (!w->err && !plan_graph_edge(w->g, from, to, kind)) plan_walk_fail(w, "out of memory");
}

/* Makes node i the parent of the nodes that follow, one level deeper; returns the previous parent for
 * plan_walk_leave. */
long plan_walk_enter(plan_walker *w, long i) {
  long saved = w->parent;
  w->parent = i;
  w->depth++;
  return saved;
}

/* Restores the parent that plan_walk_enter returned, one level up. */
void plan_walk_leave(plan_walker *w, long saved) {
  w->parent = saved;
  w->depth--;
}

/* Adds a node of `kind` for `ast` at `span` under the current parent, context and step, linked from the
 * pending links, which become this node alone; `reg` indexes it for plan_node_id. */
long plan_walk_node(plan_walker *w, plan_kind kind, const ast_node *ast, rbk_span span, bool reg) {
  if (w->err) return -1;
  if (w->g->len >= PLAN_MAX_NODES) {
    plan_walk_fail(w, "the plan unrolls to more than %d nodes (a loop over a very long list?)", PLAN_MAX_NODES);
    return -1;
  }
  long i = plan_graph_add(w->g, kind);
  if (i < 0) {
    plan_walk_fail(w, "out of memory");
    return -1;
  }
  plan_node *n = &w->g->nodes[i];
  n->ast = ast;
  n->span = span;
  n->parent = w->parent;
  n->depth = w->depth;
  n->when = w->when;
  n->conditional = w->cond_level > 0;
  n->ctx = strdup(w->ctx.s ? w->ctx.s : "");
  n->step = strdup(w->step.s ? w->step.s : "");
  if (!n->ctx || !n->step || (reg && ast && !plan_graph_index(w->g, ast, n->ctx, (size_t)i))) {
    plan_walk_fail(w, "out of memory");
    return -1;
  }
  for (size_t k = 0; k < w->pend.len; k++) plan_walk_edge(w, w->pend.items[k].node, (size_t)i, w->pend.items[k].kind);
  w->pend.len = 0;
  plan_links_push(w, &w->pend, (size_t)i, PLAN_EDGE_NEXT);
  return i;
}

/* Returns a handle owned by the walker (takes desc); NULL after setting w->err. */
plan_handle *plan_walk_handle(plan_walker *w, sig_recv recv, char *desc) {
  plan_handle *h = calloc(1, sizeof *h);
  if (!h || !GROW(w->handles, w->handles_cap, w->nhandles + 1)) {
    free(h);
    free(desc);
    plan_walk_fail(w, "out of memory");
    return NULL;
  }
  h->recv = recv;
  h->desc = desc;
  w->handles[w->nhandles++] = h;
  return h;
}

/* Returns the PROC called name in unit, or NULL. */
const ast_node *plan_walk_find_proc(const plan_walker *w, int unit, const char *name) {
  if (unit < 0 || (size_t)unit >= w->prog->len || !w->prog->units[unit].ast) return NULL;
  const ast_list *stmts = &w->prog->units[unit].ast->stmts;
  for (size_t i = 0; i < stmts->len; i++)
    if (stmts->items[i]->kind == AST_PROC && !strcmp(stmts->items[i]->u.proc.name, name)) return stmts->items[i];
  return NULL;
}

/* Returns the index of unit u in the program. */
int plan_walk_unit_index(const plan_walker *w, const program_unit *u) {
  if (!u) return -1;
  for (size_t i = 0; i < w->prog->len; i++)
    if (&w->prog->units[i] == u) return (int)i;
  return -1;
}
