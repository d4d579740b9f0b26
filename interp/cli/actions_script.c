/* actions_script.c — scripted, deterministic actions for tests and benchmarks (see
 * actions_script.h). Completions are kept in a list ordered by (due time, start order). */
#include "actions_script.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grow.h"
#include "params.h"
#include "valbuf.h"

typedef struct {
  char *action, *target; /* globs */
  json_t *results;       /* array */
  size_t next;
} answer;

typedef struct {
  uint64_t id, seq;
  int64_t due;
  act_done_fn done;
  void *user;
  rbk_value *value;
  char *error, *what;    /* what: "ACTION TARGET" for the log */
} pending;

typedef struct {
  rbk_actions iface;
  answer *answers;
  size_t nanswers;
  int64_t default_delay;
  pending *ops;
  size_t nops, cap;
  uint64_t next_id;
  valbuf log;
  char *log_text;
  size_t calls;
  int64_t now;           /* the latest clock reading seen */
} script;

/* The data of a scripted handle. */
typedef struct {
  const char *kind;
  char *text;
} handle_data;

/* Frees a handle's data. */
static void handle_free(void *data) {
  handle_data *h = data;
  free(h->text);
  free(h);
}

/* Returns a copy of the handle's description. */
static char *handle_describe(const void *data) { return strdup(((const handle_data *)data)->text); }

static const val_handle_ops cluster_ops = {"cluster", handle_free, handle_describe};
static const val_handle_ops endpoint_ops = {"endpoint", handle_free, handle_describe};
static const val_handle_ops channel_ops = {"channel", handle_free, handle_describe};

/* Returns the text of an argument (masked; "" when absent). Caller frees. */
static char *arg_text(const rbk_value *v) { return v ? value_show(v) : strdup(""); }

/* Returns the index of parameter `name` of sig, or -1. */
static int param_index(const sig_info *sig, const char *name) {
  sig_param p[16];
  size_t n = sig_params(sig, p, 16);
  return sig_param_index(p, n, name);
}

/* Returns argument `name` of a call (borrowed), or NULL. */
static rbk_value *arg(const sig_info *sig, rbk_value *const *args, const char *name) {
  int i = param_index(sig, name);
  return i >= 0 ? args[i] : NULL;
}

/* Returns "PREFIX TEXT" (caller frees). */
static char *joined(const char *prefix, const char *text) {
  size_t n = strlen(prefix) + strlen(text) + 2;
  char *s = malloc(n);
  if (s) snprintf(s, n, "%s%s%s", prefix, *text ? " " : "", text);
  return s;
}

/* Returns a new handle for a constructor call. */
static rbk_value *construct(void *self, const sig_info *sig, rbk_value *recv, rbk_value *const *args, char **err) {
  (void)self;
  (void)recv;
  handle_data *h = calloc(1, sizeof *h);
  if (!h) return *err = strdup("out of memory"), NULL;
  const val_handle_ops *ops = &channel_ops;
  char *a = NULL;
  switch (sig->id) {
    case FN_KUBE:
      ops = &cluster_ops;
      a = arg_text(arg(sig, args, "namespace") ? arg(sig, args, "namespace") : arg(sig, args, "context"));
      h->text = joined("cluster", a);
      break;
    case FN_HTTP: ops = &endpoint_ops, a = arg_text(args[0]), h->text = joined("endpoint", a); break;
    case FN_K_SERVICE: ops = &endpoint_ops, a = arg_text(args[0]), h->text = joined("service", a); break;
    case FN_SLACK: a = arg_text(arg(sig, args, "channel")), h->text = joined("slack", a); break;
    case FN_LOGFILE: a = arg_text(args[0]), h->text = joined("logfile", a); break;
    default: h->text = strdup(sig->name); break;
  }
  free(a);
  h->kind = ops->kind;
  rbk_value *v = h->text ? value_handle(ops, h) : NULL;
  if (!v) handle_free(h), *err = strdup("out of memory");
  return v;
}

/* Returns "kind/name" of a manifest object, or "object". Caller frees. */
static char *object_ref(const rbk_value *o) {
  const rbk_value *kind = o && o->kind == VAL_OBJECT ? value_object_get(o, "kind") : NULL;
  const rbk_value *meta = o && o->kind == VAL_OBJECT ? value_object_get(o, "metadata") : NULL;
  const rbk_value *name = meta && meta->kind == VAL_OBJECT ? value_object_get(meta, "name") : NULL;
  if (!kind || kind->kind != VAL_STRING || !name || name->kind != VAL_STRING) return strdup("object");
  size_t n = kind->u.str.len + name->u.str.len + 2;
  char *s = malloc(n);
  if (!s) return NULL;
  snprintf(s, n, "%s/%s", kind->u.str.s, name->u.str.s);
  for (char *p = s; *p && *p != '/'; p++)
    if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
  return s;
}

/* Returns "KIND SELECTOR" for list/wait_* calls. Caller frees. */
static char *kind_selector(const rbk_action_req *req) {
  char *k = arg_text(req->args[0]);
  const rbk_value *sel = arg(req->sig, req->args, "selector");
  char *s = sel ? value_show(sel) : NULL;
  char *out = k ? joined(k, s ? s : "") : NULL;
  free(k);
  free(s);
  return out;
}

/* Returns the target text of an action call, as a real transport would name it. */
static char *describe(void *self, const rbk_action_req *req) {
  (void)self;
  const sig_info *sig = req->sig;
  switch (sig->id) {
    case FN_K_LIST: case FN_K_WAIT_DELETED: case FN_K_WAIT_READY: return kind_selector(req);
    case FN_K_EVENTS: {
      char *s = arg_text(arg(sig, req->args, "selector"));
      char *out = s ? joined("events", s) : NULL;
      free(s);
      return out;
    }
    case FN_K_APPLY: case FN_K_CREATE: return object_ref(req->args[0]);
    case FN_K_JOB: {
      char *n = arg_text(arg(sig, req->args, "name"));
      char *out = n ? joined("job/", n) : NULL;
      if (out) memmove(out + 4, out + 5, strlen(out + 5) + 1);
      free(n);
      return out;
    }
    case FN_E_GET: case FN_E_POST: case FN_E_PUT: case FN_E_DELETE: {
      char *p = arg_text(req->args[0]);
      const char *m = sig->id == FN_E_GET ? "GET" : sig->id == FN_E_POST ? "POST" : sig->id == FN_E_PUT ? "PUT" : "DELETE";
      char *out = p ? joined(m, p) : NULL;
      free(p);
      return out;
    }
    case FN_RUN: {
      const rbk_value *argv = req->args[0];
      valbuf b = {0};
      for (size_t i = 0; argv && argv->kind == VAL_LIST && i < argv->u.list.len; i++) {
        char *s = value_show(argv->u.list.items[i]);
        if (i) valbuf_puts(&b, " ");
        valbuf_puts(&b, s ? s : "");
        free(s);
      }
      return valbuf_take(&b, NULL);
    }
    default: return arg_text(req->nargs ? req->args[0] : NULL);
  }
}

/* Returns a delay in ms from JSON (ms or a duration text), or fallback when absent or bad. */
static int64_t parse_delay(const json_t *d, int64_t fallback) {
  if (json_is_integer(d)) return json_integer_value(d);
  if (!json_is_string(d)) return fallback;
  char *err = NULL;
  rbk_value *v = params_parse_value(TYPE_DURATION, json_string_value(d), &err);
  int64_t ms = v ? v->u.i : fallback;
  value_unref(v);
  free(err);
  return ms;
}

/* Returns a result's delay in ms (its "delay", else the default). */
static int64_t delay_of(const script *s, const json_t *res) {
  return parse_delay(json_object_get(res, "delay"), s->default_delay);
}

/* Returns the answer for action/target, or NULL. */
static answer *find_answer(script *s, const char *action, const char *target) {
  for (size_t i = 0; i < s->nanswers; i++) {
    answer *a = &s->answers[i];
    if ((!a->action || !fnmatch(a->action, action, 0)) && (!a->target || !fnmatch(a->target, target, 0))) return a;
  }
  return NULL;
}

/* Appends a log line "T VERB WHAT". */
static void log_line(script *s, int64_t now, const char *verb, const char *what) {
  valbuf_printf(&s->log, "%lld %s %s\n", (long long)now, verb, what);
}

/* Queues a completion; returns its id (0 when out of memory). */
static uint64_t queue(script *s, int64_t due, act_done_fn done, void *user, rbk_value *value, const char *error,
                      char *what) {
  if (!GROW(s->ops, s->cap, s->nops + 1)) return value_unref(value), free(what), 0;
  uint64_t id = ++s->next_id;
  s->ops[s->nops++] = (pending){id, id, due, done, user, value, error ? strdup(error) : NULL, what};
  s->calls++;
  return id;
}

/* Queues the next result of answer a (or the no-answer error) for a call. */
static uint64_t answer_call(script *s, answer *a, const char *what, int64_t now, act_done_fn done, void *user) {
  char *w = strdup(what);
  if (!a) {
    char msg[600];
    snprintf(msg, sizeof msg, "no scripted answer for %s", what);
    return queue(s, now + s->default_delay, done, user, NULL, msg, w);
  }
  size_t n = json_array_size(a->results);
  const json_t *res = json_array_get(a->results, a->next < n ? a->next : n - 1);
  if (a->next < n) a->next++;
  const json_t *err = json_object_get(res, "error");
  rbk_value *v = err ? NULL : value_from_json(json_object_get(res, "value") ? json_object_get(res, "value") : json_null());
  return queue(s, now + delay_of(s, res), done, user, v, err ? json_string_value(err) : NULL, w);
}

/* Starts an action: answers from the script. */
static uint64_t start(void *self, const rbk_action_req *req, act_done_fn done, void *user, char **err) {
  script *s = self;
  s->now = req->now_ms;
  char *target = describe(self, req);
  char *what = target ? joined(req->sig->name, target) : NULL;
  free(target);
  if (!what) return *err = strdup("out of memory"), 0;
  log_line(s, req->now_ms, req->recheck ? "start-recheck" : "start", what);
  target = what + strlen(req->sig->name) + (what[strlen(req->sig->name)] == ' ');
  uint64_t id = answer_call(s, find_answer(s, req->sig->name, target), what, req->now_ms, done, user);
  free(what);
  return id;
}

/* Starts a notification: succeeds unless a "notify" answer says otherwise. */
static uint64_t notify(void *self, rbk_value *channel, const char *text, int64_t now, act_done_fn done, void *user,
                       char **err) {
  script *s = self;
  s->now = now;
  char *ch = channel->u.handle.ops->describe ? channel->u.handle.ops->describe(channel->u.handle.data) : strdup("channel");
  char *what = ch ? joined(ch, text) : NULL;
  if (!what) return free(ch), *err = strdup("out of memory"), 0;
  log_line(s, now, "notify", what);
  answer *a = find_answer(s, "notify", ch);
  uint64_t id = a ? answer_call(s, a, what, now, done, user) : queue(s, now + s->default_delay, done, user, NULL, NULL, strdup(what));
  free(ch);
  free(what);
  return id;
}

/* Removes operation i from the list (keeping the order). */
static void remove_op(script *s, size_t i) {
  memmove(&s->ops[i], &s->ops[i + 1], (s->nops - i - 1) * sizeof *s->ops);
  s->nops--;
}

/* Cancels an operation in flight. */
static void cancel(void *self, uint64_t op) {
  script *s = self;
  for (size_t i = 0; i < s->nops; i++) {
    if (s->ops[i].id != op) continue;
    log_line(s, s->now, "cancel", s->ops[i].what);
    value_unref(s->ops[i].value);
    free(s->ops[i].error);
    free(s->ops[i].what);
    remove_op(s, i);
    return;
  }
}

/* Returns the earliest due time, or INT64_MAX. */
static int64_t next_event(void *self, int64_t now) {
  (void)now;
  script *s = self;
  int64_t due = INT64_MAX;
  for (size_t i = 0; i < s->nops; i++)
    if (s->ops[i].due < due) due = s->ops[i].due;
  return due;
}

/* Returns the index of the first due operation by (due, seq), or -1. */
static long first_due(const script *s, int64_t now) {
  long best = -1;
  for (size_t i = 0; i < s->nops; i++) {
    const pending *p = &s->ops[i];
    if (p->due > now) continue;
    if (best < 0 || p->due < s->ops[best].due || (p->due == s->ops[best].due && p->seq < s->ops[best].seq)) best = (long)i;
  }
  return best;
}

/* Delivers the due completions; with a real clock sleeps until the next one (at most max_wait). */
static void poll_ops(void *self, int64_t now, int64_t max_wait) {
  script *s = self;
  s->now = now;
  long i = first_due(s, now);
  if (i < 0 && max_wait > 0) {
    int64_t wait = next_event(self, now) - now;
    if (wait > max_wait) wait = max_wait;
    struct timespec ts = {(time_t)(wait / 1000), (long)(wait % 1000) * 1000000};
    nanosleep(&ts, NULL);
    return;
  }
  for (; i >= 0; i = first_due(s, now)) {
    pending p = s->ops[i];
    remove_op(s, (size_t)i);
    p.done(p.user, p.error ? NULL : p.value, p.error);
    if (p.error) value_unref(p.value);
    free(p.error);
    free(p.what);
  }
}

/* Frees the scripted actions. */
static void script_free(void *self) {
  script *s = self;
  for (size_t i = 0; i < s->nanswers; i++) {
    free(s->answers[i].action);
    free(s->answers[i].target);
    json_decref(s->answers[i].results);
  }
  for (size_t i = 0; i < s->nops; i++) {
    value_unref(s->ops[i].value);
    free(s->ops[i].error);
    free(s->ops[i].what);
  }
  free(s->answers);
  free(s->ops);
  valbuf_free(&s->log);
  free(s->log_text);
  free(s);
}

/* Reads one answer of the script; returns an error message or NULL. */
static char *load_answer(answer *a, const json_t *j) {
  const json_t *act = json_object_get(j, "action"), *tgt = json_object_get(j, "target");
  const json_t *res = json_object_get(j, "results");
  if (!json_is_object(j) || !json_is_array(res) || !json_array_size(res))
    return strdup("script: every answer needs a non-empty \"results\" array");
  a->action = json_is_string(act) ? strdup(json_string_value(act)) : NULL;
  a->target = json_is_string(tgt) ? strdup(json_string_value(tgt)) : NULL;
  a->results = json_incref((json_t *)res);
  return NULL;
}

/* Returns scripted actions answering from script. */
rbk_actions *actions_script_new(const json_t *j, char **err) {
  script *s = calloc(1, sizeof *s);
  if (!s) return *err = strdup("out of memory"), NULL;
  s->iface = (rbk_actions){s, construct, describe, start, notify, cancel, next_event, poll_ops, script_free};
  const json_t *answers = json_object_get(j, "answers");
  s->default_delay = parse_delay(json_object_get(j, "default_delay"), 0);
  size_t n = json_array_size(answers);
  s->answers = calloc(n + 1, sizeof *s->answers);
  if (!s->answers) return script_free(s), *err = strdup("out of memory"), NULL;
  for (size_t i = 0; i < n; i++) {
    *err = load_answer(&s->answers[i], json_array_get(answers, i));
    s->nanswers = i + 1;
    if (*err) return script_free(s), NULL;
  }
  return &s->iface;
}

/* Returns scripted actions loaded from a JSON file. */
rbk_actions *actions_script_load(const char *path, char **err) {
  json_error_t je;
  json_t *j = json_load_file(path, 0, &je);
  if (!j) {
    size_t n = strlen(path) + strlen(je.text) + 64;
    *err = malloc(n);
    if (*err) snprintf(*err, n, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    return NULL;
  }
  rbk_actions *a = actions_script_new(j, err);
  json_decref(j);
  return a;
}

/* Returns the call log (borrowed). */
const char *actions_script_log(const rbk_actions *a) {
  script *s = a->self;
  free(s->log_text);
  s->log_text = s->log.s ? strndup(s->log.s, s->log.len) : strdup("");
  return s->log_text;
}

/* Returns the number of operations started. */
size_t actions_script_calls(const rbk_actions *a) { return ((const script *)a->self)->calls; }
