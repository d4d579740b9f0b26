/* kube_act.c — helpers shared by the actions (see kube.h). */
#include "kube.h"
#include "kube_secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "valbuf.h"

/* Returns argument `name` of the call, or NULL. */
rbk_value *kube_arg(const rbk_action_req *req, const char *name) {
  sig_param p[16];
  size_t n = sig_params(req->sig, p, 16);
  int i = sig_param_index(p, n, name);
  return i >= 0 && (size_t)i < req->nargs ? req->args[i] : NULL;
}

/* Returns a value's text with secrets revealed. */
char *kube_text(const rbk_value *v) {
  if (!v) return NULL;
  if (v->kind == VAL_SECRET) return strdup(v->u.secret.plain ? v->u.secret.plain : "");
  if (v->kind == VAL_STRING) return strndup(v->u.str.s, v->u.str.len);
  return value_show(v);
}

/* Returns true when the text of v holds a CR, LF or NUL. */
static bool has_ctl(const rbk_value *v) {
  if (!v) return false;
  if (v->kind == VAL_STRING) return http_has_ctl(v->u.str.s, v->u.str.len);
  if (v->kind == VAL_SECRET) return v->u.secret.plain && http_has_ctl(v->u.secret.plain, strlen(v->u.secret.plain));
  if (v->kind != VAL_OBJECT) return false;
  for (size_t i = 0; i < v->u.obj.len; i++)
    if (http_has_ctl(v->u.obj.keys[i], strlen(v->u.obj.keys[i])) || has_ctl(v->u.obj.vals[i])) return true;
  return false;
}

/* Returns NULL or the refusal of a value unfit for a URL or header line. */
char *kube_check_line(const rbk_value *v, const char *what) {
  return has_ctl(v) ? strutil_printf("%s holds a CR, LF or NUL: refused (nothing was sent)", what) : NULL;
}

/* Returns NULL or the refusal of the first argument unfit for a URL or header line. */
char *kube_check_args(const rbk_action_req *req) {
  static const char *const names[] = {"ref", "kind", "selector", "field", "path", "name", "container"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char what[48];
    snprintf(what, sizeof what, "%s(): %s", req->sig->name, names[i]);
    char *e = kube_check_line(kube_arg(req, names[i]), what);
    if (e) return e;
  }
  const rbk_value *o = kube_arg(req, "object");
  const rbk_value *m = o && o->kind == VAL_OBJECT ? value_object_get(o, "metadata") : NULL;
  if (!m || m->kind != VAL_OBJECT) return NULL;
  char *e = kube_check_line(value_object_get(m, "name"), "the object's metadata.name");
  return e ? e : kube_check_line(value_object_get(m, "namespace"), "the object's metadata.namespace");
}

/* Returns the JSON of a value, secrets revealed. */
json_t *kube_json(const rbk_value *v) { return v ? value_to_json(v, true) : json_null(); }

/* Returns the kind of the `kind` argument, or NULL after failing op. */
const kube_kind *kube_arg_kind(kube_op *op, const rbk_action_req *req) {
  char *name = kube_text(kube_arg(req, "kind"));
  const kube_kind *k = name ? kube_kinds_find(name) : NULL;
  if (!k) kube_op_fail(op, "unknown kind \"%s\"", name ? name : "");
  free(name);
  return k;
}

/* Returns true after parsing the ref argument. */
bool kube_arg_ref(kube_op *op, const rbk_action_req *req, const char *name, kube_ref *ref) {
  char *text = kube_text(kube_arg(req, name));
  char *err = NULL;
  bool ok = kube_kinds_ref_parse(text ? text : "", ref, &err);
  free(text);
  if (!ok) kube_op_fail(op, "%s", err ? err : "bad ref");
  free(err);
  return ok;
}

/* Returns "k=v,…" from a selector argument. */
char *kube_selector(const rbk_value *v) {
  if (!v || v->kind == VAL_NULL) return NULL;
  if (v->kind != VAL_OBJECT) return kube_text(v);
  valbuf b = {0};
  for (size_t i = 0; i < v->u.obj.len; i++) {
    char *t = kube_text(v->u.obj.vals[i]);
    valbuf_printf(&b, "%s%s=%s", i ? "," : "", v->u.obj.keys[i], t ? t : "");
    free(t);
  }
  return valbuf_take(&b, NULL);
}

/* Returns the label selector text of a LabelSelector. */
char *kube_label_selector(const json_t *sel) {
  valbuf b = {0};
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(sel, "matchLabels"), k, v)
    valbuf_printf(&b, "%s%s=%s", b.len ? "," : "", k, json_string_value(v) ? json_string_value(v) : "");
  size_t i;
  json_array_foreach(json_object_get(sel, "matchExpressions"), i, v) {
    const char *key = json_string_value(json_object_get(v, "key"));
    const char *opn = json_string_value(json_object_get(v, "operator"));
    if (!key || !opn) continue;
    if (b.len) valbuf_puts(&b, ",");
    if (!strcmp(opn, "Exists")) valbuf_puts(&b, key);
    else if (!strcmp(opn, "DoesNotExist")) valbuf_printf(&b, "!%s", key);
    else {
      valbuf_printf(&b, "%s %s (", key, !strcmp(opn, "In") ? "in" : "notin");
      size_t j;
      json_t *x;
      json_array_foreach(json_object_get(v, "values"), j, x) valbuf_printf(&b, "%s%s", j ? "," : "", json_string_value(x));
      valbuf_puts(&b, ")");
    }
  }
  return valbuf_take(&b, NULL);
}

/* Drops null, {} and [] members of objects, recursively; returns true when j became empty. */
static bool prune(json_t *j) {
  if (json_is_object(j)) {
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(j, tmp, k, v) {
      if (json_is_null(v) || prune(v)) json_object_del(j, k);
    }
    return json_object_size(j) == 0;
  }
  if (json_is_array(j)) {
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v) prune(v);
    return json_array_size(j) == 0;
  }
  return false;
}

/* Returns a copy of a template without the pod-template-hash label. */
json_t *kube_template_clean(const json_t *t) {
  json_t *c = json_deep_copy(t);
  json_t *labels = json_object_get(json_object_get(c, "metadata"), "labels");
  if (labels) json_object_del(labels, "pod-template-hash");
  return c;
}

/* Returns true when two templates are semantically equal. */
bool kube_template_equal(const json_t *a, const json_t *b) {
  json_t *x = kube_template_clean(a), *y = kube_template_clean(b);
  prune(x), prune(y);
  bool eq = json_equal(x, y);
  json_decref(x), json_decref(y);
  return eq;
}

/* Returns the revision annotation, or -1. */
long kube_revision(const json_t *obj) {
  const char *r = json_string_value(
      json_object_get(json_object_get(json_object_get(obj, "metadata"), "annotations"), "deployment.kubernetes.io/revision"));
  return r ? atol(r) : -1;
}

/* Orders ReplicaSets by revision. */
static int by_revision(const void *a, const void *b) {
  long x = kube_revision(*(json_t *const *)a), y = kube_revision(*(json_t *const *)b);
  return x < y ? -1 : x > y;
}

/* Returns the ReplicaSets controlled by uid, sorted by revision. */
json_t *kube_owned_sorted(const json_t *items, const char *uid) {
  size_t n = json_array_size(items), k = 0, i;
  json_t **a = calloc(n + 1, sizeof *a), *rs;
  json_array_foreach(items, i, rs) {
    size_t j;
    json_t *ref;
    json_array_foreach(json_object_get(json_object_get(rs, "metadata"), "ownerReferences"), j, ref) {
      if (json_is_true(json_object_get(ref, "controller")) && uid &&
          !strcmp(json_string_value(json_object_get(ref, "uid")) ? json_string_value(json_object_get(ref, "uid")) : "", uid)) {
        if (a) a[k++] = rs;
        break;
      }
    }
  }
  if (a) qsort(a, k, sizeof *a, by_revision);
  json_t *out = json_array();
  for (i = 0; a && i < k; i++) json_array_append(out, a[i]);
  free(a);
  return out;
}

/* Ends op with a JSON value (the data of Secrets in it as secrets: kube_secret.h). */
void kube_finish_json(kube_op *op, const json_t *j) {
  rbk_value *v = j ? kube_secret_from_json(j) : NULL;
  if (j && !v) kube_op_fail(op, "out of memory");
  else kube_op_finish(op, v);
}

/* Ends op with {status, stdout, stderr}. */
void kube_finish_proc(kube_op *op, int status, const char *out, const char *err) {
  json_t *r = json_pack("{siss ss}", "status", status, "stdout", out ? out : "", "stderr", err ? err : "");
  kube_finish_json(op, r);
  json_decref(r);
}

/* Returns o.a.b (borrowed). */
json_t *kube_at2(const json_t *o, const char *a, const char *b) { return json_object_get(json_object_get(o, a), b); }

/* Returns the resourceVersion of o ("" when missing). */
const char *kube_rv(const json_t *o) {
  const char *v = json_string_value(kube_at2(o, "metadata", "resourceVersion"));
  return v ? v : "";
}

/* Returns the op's state, allocated on first use. */
void *kube_state(kube_op *op, size_t n, void (*free_fn)(void *)) {
  if (!op->st) {
    op->st = calloc(1, n);
    op->st_free = free_fn ? free_fn : free;
  }
  return op->st;
}
