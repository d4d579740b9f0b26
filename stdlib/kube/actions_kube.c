/* actions_kube.c — the rbk_actions implementation over kube_op (see actions_kube.h): handles,
 * descriptions, dispatch of every SIG_ACTION to its state machine, notifications, the loop. */
#include "actions_kube.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions_kube_int.h"
#include "scrub.h"
#include "valbuf.h"

/* ---- handles ---- */

/* Frees a connection handle's data. */
static void conn_free(void *d) { kube_op_conn_unref(d); }
/* Returns the description of a connection handle. */
static char *conn_describe(const void *d) { return strdup(((const kube_conn *)d)->desc); }

/* Frees a channel's data. */
static void ch_free(void *d) {
  ak_channel *c = d;
  free(c->url), free(c->channel), free(c->path), free(c->desc);
  free(c);
}
/* Returns a channel's description. */
static char *ch_describe(const void *d) { return strdup(((const ak_channel *)d)->desc); }

static const val_handle_ops cluster_ops = {"cluster", conn_free, conn_describe};
static const val_handle_ops endpoint_ops = {"endpoint", conn_free, conn_describe};
static const val_handle_ops channel_ops = {"channel", ch_free, ch_describe};

/* Returns the connection of a cluster or endpoint handle, or NULL. */
kube_conn *actions_kube_conn(const rbk_value *h) {
  if (!h || h->kind != VAL_HANDLE) return NULL;
  if (h->u.handle.ops != &cluster_ops && h->u.handle.ops != &endpoint_ops) return NULL;
  return h->u.handle.data;
}

/* Returns argument `name` of a constructor call (borrowed) or NULL. */
static rbk_value *ctor_arg(const sig_info *sig, rbk_value *const *args, const char *name) {
  sig_param p[16];
  size_t n = sig_params(sig, p, 16);
  int i = sig_param_index(p, n, name);
  return i >= 0 ? args[i] : NULL;
}

/* Returns a cluster connection for kube(context:, namespace:, kubeconfig:), or NULL with *err. */
static kube_conn *make_cluster(akube *ak, const sig_info *sig, rbk_value *const *args, char **err) {
  char *ctx = kube_text(ctor_arg(sig, args, "context")), *ns = kube_text(ctor_arg(sig, args, "namespace"));
  char *path = kube_text(ctor_arg(sig, args, "kubeconfig"));
  const char *doc = ak->kubeconfig_doc;
  kubeconfig_opts o = {doc ? NULL : path && *path ? path : ak->kubeconfig, doc ? NULL : ctx && *ctx ? ctx : ak->context, ns,
                       ak->cfg.getenv, ak->cfg.env_user, ak->cfg.sa_dir, doc};
  kubeconfig *kc = kubeconfig_load(&o, err);
  char *desc = !kc ? NULL : doc ? strutil_printf("cluster %s", kc->ns) : strutil_printf("cluster %s (context %s)", kc->ns, kc->context);
  kube_conn *c = kc ? kube_op_conn_new(kc->server, "", kc->ns, desc) : NULL;
  free(desc);
  if (c) {
    c->kc = kc, c->auth = kubeconfig_auth_new(kc);
    c->tls = (http_tls){kc->ca_file, kc->ca_data, kc->ca_len, kc->cert_file, kc->cert_data, kc->cert_len,
                        kc->key_file, kc->key_data, kc->key_len, kc->insecure};
  } else kubeconfig_free(kc);
  if (c) c->kube = true;
  else if (!*err) *err = strdup("out of memory");
  free(ctx), free(ns), free(path);
  return c;
}

/* Returns a service endpoint over the cluster's API server proxy, or NULL with *err. */
static kube_conn *make_service(const kube_conn *cl, const sig_info *sig, rbk_value *const *args, char **err) {
  if (!cl) return *err = strdup("service() needs a cluster"), NULL;
  char *name = kube_text(ctor_arg(sig, args, "name")), *port = kube_text(ctor_arg(sig, args, "port"));
  char *base = strutil_printf("/api/v1/namespaces/%s/services/%s%s%s/proxy", cl->ns, name ? name : "", port ? ":" : "",
                         port ? port : "");
  char *desc = strutil_printf("service %s%s%s", name ? name : "", port ? ":" : "", port ? port : "");
  kube_conn *c = base && desc ? kube_op_conn_new(cl->origin, base, cl->ns, desc) : NULL;
  if (c) {
    c->kube = true, c->svc_name = name, name = NULL;
    c->parent = kube_op_conn_ref((kube_conn *)cl);
  }
  free(name), free(port), free(base), free(desc);
  if (!c) *err = strdup("out of memory");
  return c;
}

/* Returns true after copying the headers object into c (secrets revealed, kept inside). */
static bool set_headers(kube_conn *c, const rbk_value *h) {
  if (!h || h->kind != VAL_OBJECT) return true;
  c->headers = calloc(h->u.obj.len + 1, sizeof *c->headers);
  if (!c->headers) return false;
  for (size_t i = 0; i < h->u.obj.len; i++) {
    char *v = kube_text(h->u.obj.vals[i]);
    c->headers[c->n_headers++] = strutil_printf("%s: %s", h->u.obj.keys[i], v ? v : "");
    free(v);
  }
  return true;
}

/* Returns an endpoint for http(base_url, headers:), or NULL with *err. */
static kube_conn *make_http(const sig_info *sig, rbk_value *const *args, char **err) {
  const rbk_value *u = ctor_arg(sig, args, "base_url");
  char *url = kube_text(u), *origin = NULL, *rest = NULL;
  if (!url || !http_split_url(url, &origin, &rest)) {
    free(url);
    return *err = strdup("http(): base_url must be an absolute URL (https://host/path)"), NULL;
  }
  size_t n = strlen(rest);
  while (n && rest[n - 1] == '/') rest[--n] = '\0';
  char *raw = u ? value_show(u) : NULL; /* secret parts as ***, and no URL user-info (scrub.h) */
  char *shown = scrub_line(raw ? raw : url);
  free(raw);
  char *desc = strutil_printf("endpoint %s", shown ? shown : "");
  kube_conn *c = kube_op_conn_new(origin, rest, NULL, desc);
  if (c && !set_headers(c, ctor_arg(sig, args, "headers"))) kube_op_conn_unref(c), c = NULL;
  if (!c && !*err) *err = strdup("out of memory");
  free(url), free(origin), free(rest), free(shown), free(desc);
  return c;
}

/* Returns a channel for slack(), webhook(), console(), logfile(). */
static ak_channel *make_channel(const sig_info *sig, rbk_value *const *args) {
  ak_channel *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  switch (sig->id) {
    case FN_SLACK:
      c->type = CH_SLACK, c->url = kube_text(ctor_arg(sig, args, "webhook"));
      c->channel = kube_text(ctor_arg(sig, args, "channel"));
      c->desc = strutil_printf("slack %s", c->channel ? c->channel : "webhook");
      break;
    case FN_WEBHOOK: {
      const rbk_value *u = ctor_arg(sig, args, "url");
      char *shown = u ? value_show(u) : NULL;
      c->type = CH_WEBHOOK, c->url = kube_text(u), c->desc = strutil_printf("webhook %s", shown ? shown : "");
      free(shown);
      break;
    }
    case FN_LOGFILE:
      c->type = CH_LOGFILE, c->path = kube_text(ctor_arg(sig, args, "path"));
      c->desc = strutil_printf("logfile %s", c->path ? c->path : "");
      break;
    default: c->type = CH_CONSOLE, c->desc = strdup("console"); break;
  }
  if (!c->desc) return ch_free(c), NULL;
  return c;
}

/* Returns NULL when every argument of a constructor that goes into a URL or a header line is
 * free of CR, LF and NUL, else the refusal (caller frees). */
static char *check_ctor(const sig_info *sig, rbk_value *const *args) {
  static const char *const names[] = {"context", "namespace", "kubeconfig", "name", "port", "base_url", "headers",
                                      "webhook", "url"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char what[48];
    snprintf(what, sizeof what, "%s(): %s", sig->name, names[i]);
    const rbk_value *v = ctor_arg(sig, args, names[i]);
    for (size_t k = 0; v && v->kind == VAL_OBJECT && k < v->u.obj.len; k++) { /* name the header */
      snprintf(what, sizeof what, "%s(): header \"%.20s\"", sig->name, v->u.obj.keys[k]);
      char *e = kube_check_line(v->u.obj.vals[k], what);
      if (e) return e;
    }
    char *e = kube_check_line(v, what);
    if (e) return e;
  }
  return NULL;
}

/* Returns a new handle for a constructor call, or NULL with *err. */
static rbk_value *construct(void *self, const sig_info *sig, rbk_value *recv, rbk_value *const *args, char **err) {
  akube *ak = self;
  if ((*err = check_ctor(sig, args))) return NULL;
  if (sig->id == FN_KUBE || sig->id == FN_HTTP || sig->id == FN_K_SERVICE) {
    kube_conn *c = sig->id == FN_KUBE ? make_cluster(ak, sig, args, err)
                   : sig->id == FN_HTTP ? make_http(sig, args, err)
                                        : make_service(actions_kube_conn(recv), sig, args, err);
    if (!c) return NULL;
    rbk_value *v = value_handle(sig->id == FN_KUBE ? &cluster_ops : &endpoint_ops, c);
    if (!v) kube_op_conn_unref(c), *err = strdup("out of memory");
    return v;
  }
  ak_channel *ch = make_channel(sig, args);
  rbk_value *v = ch ? value_handle(&channel_ops, ch) : NULL;
  if (!v) ch ? ch_free(ch) : (void)0, *err = strdup("out of memory");
  return v;
}

/* ---- describe ---- */

/* Returns the masked text of an argument ("" when absent). */
static char *shown(const rbk_value *v) { return v ? value_show(v) : strdup(""); }

/* Returns "KIND -l SELECTOR" style text for list and waits. */
static char *kind_text(const rbk_action_req *req) {
  char *k = shown(kube_arg(req, "kind")), *s = shown(kube_arg(req, "selector")), *f = shown(kube_arg(req, "field"));
  char *out = strutil_printf("%s%s%s%s%s", k ? k : "", s && *s ? " -l " : "", s ? s : "", f && *f ? " --field-selector " : "", f ? f : "");
  free(k), free(s), free(f);
  return out;
}

/* Returns the argv of run() as one line. */
static char *argv_text(const rbk_value *argv) {
  valbuf b = {0};
  valbuf_puts(&b, "run");
  for (size_t i = 0; argv && argv->kind == VAL_LIST && i < argv->u.list.len; i++) {
    char *s = value_show(argv->u.list.items[i]);
    valbuf_printf(&b, " %s", s ? s : "");
    free(s);
  }
  return valbuf_take(&b, NULL);
}

/* Returns "kind/name" of an object argument. */
static char *object_text(const rbk_value *o) {
  const rbk_value *k = o && o->kind == VAL_OBJECT ? value_object_get(o, "kind") : NULL;
  const rbk_value *m = o && o->kind == VAL_OBJECT ? value_object_get(o, "metadata") : NULL;
  const rbk_value *n = m && m->kind == VAL_OBJECT ? value_object_get(m, "name") : NULL;
  char *ks = k ? value_show(k) : strdup("object"), *ns = n ? value_show(n) : strdup("?");
  const kube_kind *kk = ks ? kube_kinds_find(ks) : NULL;
  char *out = strutil_printf("%s/%s", kk ? kk->singular : ks ? ks : "", ns ? ns : "");
  free(ks), free(ns);
  return out;
}

/* Returns the text naming what req acts on (never a secret), before strutil_one_line. */
static char *describe_text(const rbk_action_req *req) {
  switch (req->sig->id) {
    case FN_K_LIST: case FN_K_WAIT_DELETED: case FN_K_WAIT_READY: return kind_text(req);
    case FN_K_EVENTS: {
      char *s = shown(kube_arg(req, "selector")), *o = strutil_printf("events%s%s", s && *s ? " " : "", s ? s : "");
      free(s);
      return o;
    }
    case FN_K_APPLY: case FN_K_CREATE: return object_text(kube_arg(req, "object"));
    case FN_K_JOB: {
      char *n = shown(kube_arg(req, "name")), *o = strutil_printf("job/%s", n ? n : "");
      free(n);
      return o;
    }
    case FN_K_EXEC: {
      char *r = shown(kube_arg(req, "ref")), *a = argv_text(kube_arg(req, "argv"));
      char *o = strutil_printf("%s -- %s", r ? r : "", a ? a + 4 : "");
      free(r), free(a);
      return o;
    }
    case FN_E_GET: case FN_E_POST: case FN_E_PUT: case FN_E_DELETE: {
      char *p = shown(kube_arg(req, "path"));
      const char *m = req->sig->id == FN_E_GET ? "GET" : req->sig->id == FN_E_POST ? "POST" : req->sig->id == FN_E_PUT ? "PUT" : "DELETE";
      char *o = strutil_printf("%s %s", m, p ? p : "");
      free(p);
      return o;
    }
    case FN_RUN: return argv_text(kube_arg(req, "argv"));
    case FN_WRITE_FILE: return shown(kube_arg(req, "path"));
    default: return shown(req->nargs ? req->args[0] : NULL);
  }
}

/* Returns the one-line text naming what req acts on (never a secret). */
static char *describe(void *self, const rbk_action_req *req) {
  (void)self;
  return strutil_one_line(describe_text(req));
}

/* ---- start ---- */

/* Returns the state machine for a cluster action, or NULL. */
static bool (*cluster_action(sig_id id))(kube_op *, const rbk_action_req *) {
  switch (id) {
    case FN_K_GET: return kube_get;
    case FN_K_LIST: return kube_list;
    case FN_K_EXISTS: return kube_exists;
    case FN_K_HISTORY: return kube_history;
    case FN_K_ROLLOUT_STATUS: return kube_rollout_status;
    case FN_K_WAIT_DELETED: return kube_wait_deleted;
    case FN_K_WAIT_READY: return kube_wait_ready;
    case FN_K_EVENTS: return kube_events;
    case FN_K_ROLLOUT_UNDO: return kube_rollout_undo;
    case FN_K_ROLLOUT_RESTART: return kube_rollout_restart;
    case FN_K_SCALE: return kube_scale;
    case FN_K_PATCH: return kube_patch;
    case FN_K_APPLY: return kube_apply;
    case FN_K_CREATE: return kube_create;
    case FN_K_DELETE: return kube_delete;
    case FN_K_JOB: return kube_job;
    case FN_K_EXEC: return kube_exec;
    case FN_K_LOGS: return kube_logs;
    case FN_E_GET: case FN_E_POST: case FN_E_PUT: case FN_E_DELETE: return kube_endpoint;
    default: return NULL;
  }
}

/* Starts an action; returns its op id, or 0 with *err. */
static uint64_t start(void *self, const rbk_action_req *req, act_done_fn done, void *user, char **err) {
  akube *ak = self;
  if (req->now_ms > ak->rt.now) ak->rt.now = req->now_ms;
  bool local = req->sig->id == FN_RUN || req->sig->id == FN_WRITE_FILE;
  bool (*fn)(kube_op *, const rbk_action_req *) = cluster_action(req->sig->id);
  kube_conn *conn = actions_kube_conn(req->recv);
  if (!local && (!fn || !conn)) return *err = strutil_printf("%s: not an action on this handle", req->sig->name), 0;
  if (!local && (*err = kube_check_args(req))) return 0;
  char *what = describe(self, req);
  kube_op *op = kube_op_new(&ak->rt, conn, req->sig, req->timeout_ms, what, done, user);
  free(what);
  if (!op) return *err = strdup("out of memory"), 0;
  op->recheck = req->recheck;
  if (req->sig->id == FN_RUN) actions_kube_run(op, req);
  else if (req->sig->id == FN_WRITE_FILE) actions_kube_write_file(ak, op, req);
  else fn(op, req);
  return op->id;
}

/* Starts a notification. */
static uint64_t notify(void *self, rbk_value *channel, const char *text, int64_t now_ms, act_done_fn done, void *user,
                       char **err) {
  akube *ak = self;
  if (now_ms > ak->rt.now) ak->rt.now = now_ms;
  if (!channel || channel->kind != VAL_HANDLE || channel->u.handle.ops != &channel_ops)
    return *err = strdup("notify: not a channel"), 0;
  const ak_channel *ch = channel->u.handle.data;
  kube_op *op = kube_op_new(&ak->rt, NULL, NULL, 30000, ch->desc, done, user);
  if (!op) return *err = strdup("out of memory"), 0;
  actions_kube_notify(ak, op, ch, text);
  return op->id;
}

/* Cancels an operation. */
static void cancel(void *self, uint64_t op) { kube_op_cancel(&((akube *)self)->rt, op); }

/* Returns the next due time. */
static int64_t next_event(void *self, int64_t now) {
  akube *ak = self;
  int64_t t = kube_op_rt_next(&ak->rt, now);
  if (!ak->rt.virtual_time && t != now) return INT64_MAX;
  return t;
}

/* Runs what is due. */
static void poll_(void *self, int64_t now, int64_t max_wait) { kube_op_rt_poll(&((akube *)self)->rt, now, max_wait); }

/* Frees everything. */
static void free_(void *self) {
  akube *ak = self;
  kube_op_rt_clear(&ak->rt);
  free(ak->kubeconfig), free(ak->context), free(ak->scratch), free(ak->kubeconfig_doc);
  free(ak);
}

/* Returns the akube behind an interface made here, or NULL. */
akube *actions_kube_of(rbk_actions *a) { return a && a->start == start ? a->self : NULL; }

/* Frees the transports of a config that could not become actions. */
static void drop_transports(http_transport *tr, proc_transport *pt) {
  if (tr && tr->free) tr->free(tr->self);
  if (pt && pt->free) pt->free(pt->self);
}

/* Returns new actions. */
rbk_actions *actions_kube_new(const actions_kube_config *cfg, char **err) {
  http_transport *tr = cfg->http ? cfg->http : http_curl_new(err);
  proc_transport *pt = !tr ? NULL : cfg->procs ? cfg->procs : proc_local_new(err);
  akube *ak = tr && pt ? calloc(1, sizeof *ak) : NULL;
  if (!ak) {
    drop_transports(tr ? tr : cfg->http, pt ? pt : cfg->procs);
    if (!*err) *err = strdup("out of memory");
    return NULL;
  }
  ak->cfg = *cfg;
  ak->kubeconfig = cfg->kubeconfig ? strdup(cfg->kubeconfig) : NULL;
  ak->context = cfg->context ? strdup(cfg->context) : NULL;
  ak->scratch = cfg->scratch_dir ? strdup(cfg->scratch_dir) : NULL;
  ak->kubeconfig_doc = cfg->kubeconfig_doc ? strdup(cfg->kubeconfig_doc) : NULL;
  ak->cfg.kubeconfig = ak->kubeconfig, ak->cfg.context = ak->context, ak->cfg.scratch_dir = ak->scratch;
  ak->cfg.kubeconfig_doc = ak->kubeconfig_doc, ak->cfg.http = tr, ak->cfg.procs = pt;
  kube_op_rt_init(&ak->rt, tr, pt, cfg->virtual_time, cfg->seed, cfg->virtual_time ? cfg->wall_base_ms : -1);
  ak->rt.log = cfg->log;
  ak->rt.max_body = cfg->max_response;
  ak->iface = (rbk_actions){ak, construct, describe, start, notify, cancel, next_event, poll_, free_};
  return &ak->iface;
}
