/* actions_kube_local.c — run(argv..., check:), write_file(path, text) and the notification
 * channels (see actions_kube.h). run() hands argv to the process transport (a real process
 * without a shell, or the simulator's process stubs); webhooks are POSTed through the HTTP
 * transport, marked as notifications. write_file writes a temp file beside the target, fsyncs
 * and renames it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "actions_kube_int.h"
#include "valbuf.h"

/* The state of run(). */
typedef struct {
  char **argv;
  size_t argc;
  bool check;
} run_state;

/* Frees run's state. */
static void run_free(void *p) {
  run_state *s = p;
  for (size_t i = 0; i < s->argc; i++) free(s->argv[i]);
  free(s->argv);
  free(s);
}

/* Returns the first line of text, at most 200 bytes (caller frees). */
static char *first_line(const char *t) {
  size_t n = strcspn(t ? t : "", "\n");
  return strndup(t ? t : "", n > 200 ? 200 : n);
}

/* Finishes run() with {status, stdout, stderr}, or fails on a non-zero status with check. */
static void run_result(kube_op *op, int status, const char *out, const char *err) {
  run_state *s = op->st;
  if (s->check && status != 0) {
    char *line = first_line(err && *err ? err : out);
    kube_op_fail(op, "%s: exit status %d%s%s", op->what, status, line && *line ? ": " : "", line ? line : "");
    free(line);
    return;
  }
  kube_finish_proc(op, status, out, err);
}

/* The process ended. */
static void run_done(kube_op *op, const proc_outcome *res) {
  if (res->timed_out) return kube_op_fail(op, "timed out: %s (killed)", op->what);
  run_result(op, res->status, res->out, res->err);
}

/* Starts run(argv..., check:). */
bool actions_kube_run(kube_op *op, const rbk_action_req *req) {
  run_state *s = kube_state(op, sizeof(run_state), run_free);
  const rbk_value *argv = kube_arg(req, "argv"), *check = kube_arg(req, "check");
  s->check = !(check && check->kind == VAL_BOOL && !check->u.b);
  size_t n = argv && argv->kind == VAL_LIST ? argv->u.list.len : 0;
  s->argv = calloc(n + 1, sizeof *s->argv);
  for (size_t i = 0; s->argv && i < n; i++) s->argv[s->argc++] = kube_text(argv->u.list.items[i]);
  if (!n || !s->argv) return kube_op_fail(op, "run: argv is empty"), false;
  proc_request pr = {.kind = PROC_RUN, .argv = (const char *const *)s->argv, .shown = op->what + 4};
  return kube_op_process(op, &pr, run_done);
}

/* Returns the rehearsal path of p under the scratch dir (caller frees), or NULL when p climbs out. */
static char *scratch_path(const char *scratch, const char *p) {
  if (strstr(p, "..")) return NULL;
  while (*p == '/') p++;
  return strutil_printf("%s/%s", scratch, p);
}

/* Returns true after writing text to path atomically; *err on failure. */
static bool write_atomic(const char *path, const char *text, size_t len, char **err) {
  char *tmp = strutil_printf("%s.rbk-XXXXXX", path);
  int fd = tmp ? mkstemp(tmp) : -1;
  if (fd < 0) {
    *err = strutil_printf("write_file %s: %s", path, strerror(errno));
    free(tmp);
    return false;
  }
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, text + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) break;
    done += (size_t)w;
  }
  bool ok = done == len && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (ok) chmod(tmp, 0644);
  ok = ok && rename(tmp, path) == 0;
  if (!ok) {
    *err = strutil_printf("write_file %s: %s", path, strerror(errno));
    unlink(tmp);
  }
  free(tmp);
  return ok;
}

/* Starts (and finishes) write_file(path, text). */
bool actions_kube_write_file(akube *ak, kube_op *op, const rbk_action_req *req) {
  char *path = kube_text(kube_arg(req, "path"));
  const rbk_value *t = kube_arg(req, "text");
  char *text = t && t->kind == VAL_STRING ? NULL : kube_text(t);
  const char *bytes = t && t->kind == VAL_STRING ? t->u.str.s : text ? text : "";
  size_t len = t && t->kind == VAL_STRING ? t->u.str.len : strlen(bytes);
  char *real = path && ak->scratch ? scratch_path(ak->scratch, path) : path ? strdup(path) : NULL;
  char *err = NULL;
  if (!real) kube_op_fail(op, "write_file: %s is outside the rehearsal's scratch directory", path ? path : "");
  else if (!write_atomic(real, bytes, len, &err)) kube_op_fail(op, "%s", err ? err : "write_file failed");
  else kube_op_finish(op, NULL);
  free(path), free(text), free(real), free(err);
  return !op->error;
}

/* ---- channels ---- */

/* The webhook's answer: 2xx is sent. */
static void hook_answered(kube_op *op, const kube_resp *r) {
  if (r->status >= 200 && r->status < 300) return kube_op_finish(op, NULL);
  char *e = kube_op_error_text(op, "POST", "webhook", r);
  kube_op_fail(op, "%s", e ? e : "?"); /* the engine adds "notification to X failed: " */
  free(e);
}

/* Appends a line to a log file. */
static void log_append(kube_op *op, const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return kube_op_fail(op, "logfile %s: %s", path, strerror(errno));
  time_t t = (time_t)(kube_op_rt_wall(op->rt) / 1000);
  struct tm tm;
  char stamp[32];
  gmtime_r(&t, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  char *line = strutil_printf("%s %s\n", stamp, text);
  bool ok = line && write(fd, line, strlen(line)) == (ssize_t)strlen(line);
  close(fd);
  free(line);
  if (ok) kube_op_finish(op, NULL);
  else kube_op_fail(op, "logfile %s: %s", path, strerror(errno));
}

/* Starts sending text to a channel. */
void actions_kube_notify(akube *ak, kube_op *op, const ak_channel *ch, const char *text) {
  if (ch->type == CH_CONSOLE) {
    fprintf(ak->cfg.console ? ak->cfg.console : stderr, "%s\n", text);
    return kube_op_finish(op, NULL);
  }
  if (ch->type == CH_LOGFILE) return log_append(op, ch->path, text);
  json_t *b = ch->type == CH_SLACK && ch->channel ? json_pack("{ssss}", "channel", ch->channel, "text", text)
                                                  : json_pack("{ss}", "text", text);
  char *body = json_dumps(b, JSON_COMPACT);
  json_decref(b);
  if (!body) return kube_op_fail(op, "out of memory");
  kube_op_request_url(op, "POST", ch->url ? ch->url : "", NULL, 0, body, KRETRY_READ, hook_answered);
  free(body);
}
