/* sim_api_watch.c — watch streams: changes since a resourceVersion from the bounded history, ADDED
 * for what exists on resourceVersion 0 or empty, bookmarks, timeouts, 410 for expired versions. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_api.h"

struct sim_watch {
  simr_kind res;
  char *ns;           /* NULL: every namespace */
  simsel labels, fields;
  uint64_t rv;        /* the last resourceVersion sent */
  int64_t deadline;   /* virtual ms */
  bool bookmarks;
  int64_t bookmark_every, next_bookmark;
  valbuf pending;   /* lines to send at the first poll */
  bool closed;
};

/* Appends one event line {"type":…,"object":…}. */
static void add_line(valbuf *b, const char *type, const json_t *obj) {
  json_t *e = json_pack("{s:s,s:O}", "type", type, "object", obj);
  char *text = json_dumps(e, SIMU_JSON_FLAGS);
  if (text) valbuf_put(b, text, strlen(text)), valbuf_put(b, "\n", 1);
  free(text);
  json_decref(e);
}

/* Appends the ERROR event for an expired resourceVersion. */
static void add_expired(valbuf *b, uint64_t asked, uint64_t oldest) {
  char msg[128];
  snprintf(msg, sizeof msg, "too old resource version: %" PRIu64 " (%" PRIu64 ")", asked, oldest);
  json_t *st = sim_status_status(SIMST_EXPIRED, msg, NULL);
  add_line(b, "ERROR", st);
  json_decref(st);
}

/* Returns true when the object is in the watch's namespace and matches its selectors. */
static bool wanted(const sim_watch *wt, const json_t *o) {
  if (!o) return false;
  if (wt->ns && sim_res_info_of(wt->res)->namespaced && strcmp(sim_util_jstr(o, "metadata.namespace", ""), wt->ns)) return false;
  return sim_api_matches(&wt->labels, &wt->fields, o);
}

/* Queues ADDED for every existing matching object. */
static void initial_events(sim_world *w, sim_watch *wt) {
  json_t *all = sim_store_list(&w->st, wt->res, wt->ns);
  size_t i;
  json_t *o;
  json_array_foreach(all, i, o) if (wanted(wt, o)) add_line(&wt->pending, "ADDED", o);
  json_decref(all);
}

/* Starts a watch for a list request with watch=true (sim_api_watch.c). */
void sim_api_watch(api_call *c) {
  sim_watch *wt = calloc(1, sizeof *wt);
  if (!wt) return sim_api_fail(c->resp, SIMST_INTERNAL, "out of memory");
  if (!sim_api_selectors(c, &wt->labels, &wt->fields)) return free(wt);
  sim_world *w = c->w;
  char *rv = sim_api_query(c, "resourceVersion"), *to = sim_api_query(c, "timeoutSeconds");
  wt->res = (simr_kind)c->res;
  wt->ns = c->ns ? strdup(c->ns) : NULL;
  wt->deadline = w->now + sim_util_secs_to_ms(to ? strtoll(to, NULL, 10) : 1800);
  wt->bookmarks = sim_api_query_true(c, "allowWatchBookmarks");
  wt->bookmark_every = w->timing.bookmark_every > 0 ? w->timing.bookmark_every : 30000;
  wt->next_bookmark = w->now + wt->bookmark_every;
  if (!rv || !*rv || !strcmp(rv, "0")) {
    wt->rv = w->st.rv;
    initial_events(w, wt);
  } else {
    wt->rv = strtoull(rv, NULL, 10);
    if (wt->rv < w->st.floor_rv) add_expired(&wt->pending, wt->rv, w->st.floor_rv + 1), wt->closed = true;
  }
  free(rv), free(to);
  c->resp->status = 200;
  c->resp->watch = wt;
  sim_api_add_header(c->resp, "Content-Type", "application/json");
  sim_api_add_header(c->resp, "Transfer-Encoding", "chunked");
}

/* Appends the changes after wt->rv. */
static void changes(sim_world *w, sim_watch *wt, valbuf *b) {
  if (wt->rv < w->st.floor_rv) {
    add_expired(b, wt->rv, w->st.floor_rv + 1);
    wt->closed = true;
    return;
  }
  for (size_t i = sim_store_hist_after(&w->st, wt->rv); i < w->st.hist_len; i++) {
    const sims_event *e = sim_store_hist_at(&w->st, i);
    if (e->res != wt->res) continue;
    bool now_in = e->type != SIMS_DELETED && wanted(wt, e->obj), was_in = e->old && wanted(wt, e->old);
    if (now_in && was_in) add_line(b, "MODIFIED", e->obj);
    else if (now_in) add_line(b, "ADDED", e->obj);
    else if (was_in) add_line(b, "DELETED", e->obj);
  }
  if (w->st.rv > wt->rv) wt->rv = w->st.rv;
}

/* Appends a BOOKMARK carrying the current resourceVersion. */
static void bookmark(sim_world *w, sim_watch *wt, valbuf *b) {
  char rv[32];
  snprintf(rv, sizeof rv, "%" PRIu64, wt->rv);
  json_t *o = json_pack("{s:s,s:s,s:{s:s}}", "kind", sim_res_info_of(wt->res)->kind, "apiVersion",
                        sim_res_api_version(wt->res), "metadata", "resourceVersion", rv);
  add_line(b, "BOOKMARK", o);
  json_decref(o);
  wt->next_bookmark = w->now + wt->bookmark_every;
}

/* Collects the watch's new lines (each a JSON event followed by '\n') at the world's current time into
 * *out (caller frees; NULL when there is nothing new, with *out_len 0). */
sim_watch_state sim_watch_poll(sim_world *w, sim_watch *wt, char **out, size_t *out_len) {
  valbuf b = wt->pending;
  memset(&wt->pending, 0, sizeof wt->pending);
  if (!wt->closed) {
    changes(w, wt, &b);
    if (!wt->closed && wt->bookmarks && w->now >= wt->next_bookmark) bookmark(w, wt, &b);
    if (w->now >= wt->deadline) wt->closed = true;
  }
  *out_len = b.len;
  *out = b.len ? valbuf_take(&b, NULL) : (valbuf_free(&b), NULL);
  return wt->closed ? SIM_WATCH_CLOSED : SIM_WATCH_OPEN;
}

/* Returns the virtual time at which the watch will next have something to say by itself (its timeout or
 * its next bookmark); INT64_MAX when never. */
int64_t sim_watch_next(const sim_watch *wt) {
  if (wt->closed) return INT64_MAX;
  return wt->bookmarks && wt->next_bookmark < wt->deadline ? wt->next_bookmark : wt->deadline;
}

/* Frees a watch (NULL is fine). */
void sim_watch_free(sim_watch *wt) {
  if (!wt) return;
  sim_sel_free(&wt->labels);
  sim_sel_free(&wt->fields);
  free(wt->ns);
  free(wt->pending.s);
  free(wt);
}
