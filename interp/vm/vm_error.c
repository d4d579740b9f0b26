/* vm_error.c — the engine's error values (see engine_int.h). */
#include "engine_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "strutil.h"

/* Returns a new error owning msg (NULL msg: "out of memory"). */
static vm_error *make(vm_err_kind kind, char *msg) {
  vm_error *e = calloc(1, sizeof *e);
  if (!e) {
    free(msg);
    return NULL;
  }
  e->kind = kind;
  e->msg = msg ? msg : strdup("out of memory");
  return e;
}

/* Returns a new error of kind with a formatted message. */
vm_error *vm_err(vm_err_kind kind, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = strutil_vprintf(fmt, ap);
  va_end(ap);
  return make(kind, msg);
}

/* Returns "file:line:col: msg" for node (or msg alone without a source). */
static char *located(const ast_node *node, const char *msg) {
  const rbk_span *s = node ? &node->span : NULL;
  if (!s || !s->src) return strdup(msg);
  return strutil_printf("%s:%d:%d: %s", s->src->path, s->line, s->col, msg);
}

/* Returns a FAILED error located at node. */
vm_error *vm_err_at(const ast_node *node, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = strutil_vprintf(fmt, ap);
  va_end(ap);
  char *full = msg ? located(node, msg) : NULL;
  free(msg);
  return make(VERR_FAILED, full);
}

/* Returns a FAILED error located at node for a callee's message. */
vm_error *vm_err_msg_at(const ast_node *node, const char *msg) {
  return make(VERR_FAILED, located(node, msg ? msg : "unknown error"));
}

/* Frees an error. */
void vm_err_free(vm_error *err) {
  if (!err) return;
  free(err->msg);
  free(err->step);
  value_unref(err->value);
  free(err);
}

/* Returns true for errors that step retries and polls try again. */
bool vm_err_retryable(const vm_error *err) {
  if (err->no_retry) return false;
  switch (err->kind) {
#define X(k, name, retry) \
  case VERR_##k: return retry;
    RBK_VERR_KINDS(X)
#undef X
  }
  return false;
}

/* Returns the exit code of a run that ended with err. */
int vm_err_exit_code(const vm_error *err) {
  if (!err || err->kind == VERR_RETURN) return RBK_EXIT_OK;
  return err->kind == VERR_CANCELLED || err->kind == VERR_ABORTED ? RBK_EXIT_ABORTED : RBK_EXIT_FAILED;
}
