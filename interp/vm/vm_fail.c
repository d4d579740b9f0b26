/* vm_fail.c — where a failure goes: whether it will be tried again (so that an assert in a
 * polling gate or a retried step reports "retrying", not "failed"), and what run.failed_step
 * names when no step claimed it (a gate, or a description of the top-level statement). */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns 1 when region r tries a failure raised in its body again, 0 when the failure stops
 * there (the plan fails; a handler's failure is a warning), -1 when it passes on outwards. */
static int region_retries(const engine *e, const vm_region *r) {
  if (r->phase == PH_ONFAIL || (r->phase == PH_FINALLY && r->err)) return 0;
  switch (r->info->kind) {
    case REG_PLAN: return 0;
    case REG_STEP: return r->phase == PH_BODY && r->retries >= 0 && r->attempt <= r->retries ? 1 : -1;
    case REG_GATE: case REG_WAITU:
      if (r->every < 0 && r->deadline < 0) return -1;
      return r->deadline < 0 || clock_now(e->cfg.clock) < r->deadline ? 1 : -1;
  }
  return 0;
}

/* Returns true when a failure raised now in t will be tried again. */
bool vm_will_retry(const engine *e, const vm_task *t) {
  for (; t; t = t->parent) { /* a branch's failure fails its parent's parallel block */
    for (size_t i = t->nregions; i-- > 0;) {
      int r = region_retries(e, &t->regions[i]);
      if (r >= 0) return r == 1;
    }
    if (t->ticker || t->lambda) return false;
  }
  return false;
}

/* Returns a new string "<what> at <file>:<line>" for statement s. */
static char *at(const ast_node *s, const char *what) {
  const char *path = s->span.src ? s->span.src->path : "?";
  size_t n = strlen(what) + strlen(path) + 32;
  char *out = malloc(n);
  if (out) snprintf(out, n, "%s at %s:%d", what, path, s->span.line);
  return out;
}

/* Returns the keyword of statement kind k as written ("wait until", "parallel for"). */
static void keyword(ast_kind k, char *buf, size_t n) {
  snprintf(buf, n, "%s", ast_kind_name(k));
  for (char *p = buf; *p; p++)
    if (*p == '_') *p = ' ';
}

/* Returns the description of statement s (outside any step) for run.failed_step. */
char *vm_top_description(const ast_node *s) {
  if (!s) return strdup("the plan");
  char what[160];
  const ast_node *x = s->kind == AST_EXPR_STMT ? s->u.expr_stmt.expr : NULL;
  char *callee = x && x->kind == AST_CALL ? compile_span_text(x->u.call.callee) : NULL;
  if (callee) snprintf(what, sizeof what, "%.120s(…)", callee);
  else if (s->kind == AST_LET) snprintf(what, sizeof what, "let %.120s", s->u.let.name);
  else if (s->kind == AST_PARAM) snprintf(what, sizeof what, "param %.120s", s->u.param.name);
  else if (s->kind == AST_IMPORT) snprintf(what, sizeof what, "import %.120s", s->u.import.alias);
  else keyword(s->kind, what, sizeof what);
  free(callee);
  return at(s, what);
}

/* Returns "gate \"title\"". */
char *vm_gate_description(const char *title) {
  size_t n = strlen(title ? title : "") + 8;
  char *out = malloc(n);
  if (out) snprintf(out, n, "gate \"%s\"", title ? title : "");
  return out;
}
