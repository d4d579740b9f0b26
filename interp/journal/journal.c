/* journal.c — writing the run journal: one JSON line per record, one write() each, fsync'ed
 * at once or with the next group (see journal.h). */
#include "journal.h"

#include "strutil.h"
#include "value_typed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scrub.h"
#include "strutil.h"

struct journal {
  char *path;
  int fd;
  bool regular;      /* a regular file: fsync it, truncate short writes */
  char *error;       /* set once a write failed */
  json_t *meta;      /* keys merged into the next run_start record */
  bool resume;       /* that record is written as "resume" */
  rbk_clock *clock;  /* borrowed: wall time of records */
  int64_t base_wall; /* wall time at t_ms 0 of the current run */
  int64_t seq;       /* records in the file */
  int64_t exit_after; /* test hook RBK_TEST_EXIT_AFTER_RECORDS: _exit(137) after this many records
                         of this process (0: never) */
  int64_t written;   /* records this process appended */
  bool unsynced;     /* records were written since the last fsync */
};

/* Returns "cannot write journal PATH: REASON" (caller frees). */
static char *write_error(const char *path, const char *reason) {
  size_t n = strlen(path) + strlen(reason) + 32;
  char *s = malloc(n);
  if (s) snprintf(s, n, "cannot write journal %s: %s", path, reason);
  return s;
}

/* Returns true when s ends with suffix. */
static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

/* Returns the journal file for `where` (see journal.h). */
char *journal_path_for(const char *where, const char *run_id) {
  struct stat st;
  const char *dir = where ? where : ".rbk/runs";
  bool is_dir = !where || (stat(where, &st) == 0 && S_ISDIR(st.st_mode)) || ends_with(where, "/") ||
                (stat(where, &st) != 0 && !ends_with(where, ".jsonl"));
  if (!is_dir) return strdup(where);
  size_t n = strlen(dir) + strlen(run_id) + 16;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s%s%s.jsonl", dir, ends_with(dir, "/") ? "" : "/", run_id);
  return p;
}

/* Creates every missing parent directory of path; returns 0, or -1 with errno set. */
static int make_parents(const char *path) {
  char *p = strdup(path);
  if (!p) return -1;
  for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
    *s = '\0';
    if (mkdir(p, 0700) != 0 && errno != EEXIST) {
      int saved = errno;
      free(p);
      errno = saved;
      return -1;
    }
    *s = '/';
  }
  free(p);
  return 0;
}

/* Fsyncs the directory holding path, so that a new file's name is durable; best effort. */
static void sync_parent(const char *path) {
  char *p = strdup(path);
  if (!p) return;
  char *slash = strrchr(p, '/');
  const char *dir = slash ? (slash == p ? "/" : (*slash = '\0', p)) : ".";
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  free(p);
}

/* Returns an error for a journal opened with `fresh` that already holds records, else NULL. */
static char *check_fresh(const journal *j, const struct stat *st) {
  if (!j->regular || st->st_size == 0) return NULL;
  size_t n = strlen(j->path) + 96;
  char *s = malloc(n);
  if (s) snprintf(s, n, "journal %s already holds a run (continue it with rbk resume)", j->path);
  return s;
}

/* Opens the journal (see journal.h). */
journal *journal_open(const char *path, bool fresh, char **err) {
  journal *j = calloc(1, sizeof *j);
  if (!j || !(j->path = strdup(path))) {
    free(j);
    *err = strdup("out of memory");
    return NULL;
  }
  struct stat st;
  bool existed = stat(path, &st) == 0;
  if (make_parents(path) != 0 || (j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
    *err = write_error(path, strerror(errno));
    free(j->path);
    free(j);
    return NULL;
  }
  fstat(j->fd, &st);
  j->regular = S_ISREG(st.st_mode);
  if (j->regular && flock(j->fd, LOCK_EX | LOCK_NB) != 0) {
    int busy = errno == EWOULDBLOCK;
    *err = busy ? strutil_printf("journal %s is being written by another rbk process (it is still running)", path)
                : write_error(path, strerror(errno));
    journal_close(j);
    errno = busy ? EWOULDBLOCK : EIO;
    return NULL;
  }
  const char *hook = getenv("RBK_TEST_EXIT_AFTER_RECORDS");
  j->exit_after = hook ? strtoll(hook, NULL, 10) : 0;
  if (!existed) sync_parent(path);
  if (fresh && (*err = check_fresh(j, &st))) {
    journal_close(j);
    return NULL;
  }
  return j;
}

/* Sets the next run_start's metadata (see journal.h); returns false when out of memory. */
bool journal_begin(journal *j, const journal_meta *meta, bool resume, rbk_clock *clock, int64_t first_seq) {
  json_t *m = json_object();
  if (!m) return false;
  const char *keys[] = {"run_id", "plan", "plan_real", "plan_hash", "operator", "host", "git_revision", "scenario"};
  const char *vals[] = {meta->run_id,        meta->plan, meta->plan_real,    meta->plan_hash,
                        meta->operator_name, meta->host, meta->git_revision, meta->scenario};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
    if (vals[i]) json_object_set_new(m, keys[i], json_string(vals[i]));
  json_object_set_new(m, "pid", json_integer(getpid()));
  json_t *assigns = json_array();
  for (size_t i = 0; meta->assigns && meta->assigns[i]; i++) {
    char *text = scrub_line(meta->assigns[i]); /* a -p text may hold a secret's value (scrub.h) */
    json_array_append_new(assigns, json_string(text ? text : ""));
    free(text);
  }
  json_object_set_new(m, "assigns", assigns);
  if (meta->extra) json_object_update(m, meta->extra);
  json_decref(j->meta);
  j->meta = m;
  j->resume = resume;
  j->clock = clock;
  j->seq = first_seq;
  return true;
}

/* Fsyncs what was written since the last fsync; returns 0, or -1 with errno set. */
static int sync_records(journal *j) {
  if (!j->unsynced) return 0;
  j->unsynced = false;
  return j->regular ? fsync(j->fd) : 0;
}

/* Writes all of buf with one write(), then fsyncs it (and every record before it) when `durable`;
 * returns 0, or -1 with errno set. A short write to a regular file is cut back to where it started. */
static int write_record(journal *j, const char *buf, size_t len, bool durable) {
  struct stat st;
  off_t before = j->regular && fstat(j->fd, &st) == 0 ? st.st_size : -1;
  ssize_t n;
  do n = write(j->fd, buf, len);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t)len) return j->unsynced = true, durable ? sync_records(j) : 0;
  if (n >= 0 && write(j->fd, buf + n, len - (size_t)n) >= 0) errno = ENOSPC; /* the rest says why */
  int saved = errno;
  if (n > 0 && before >= 0 && ftruncate(j->fd, before) != 0) saved = errno;
  errno = saved;
  return -1;
}

/* Appends one record, fsync'ed when durable; returns 0 or -1 with *err set. */
static int append(journal *j, const json_t *record, bool durable, char **err) {
  if (j->error) {
    *err = strdup(j->error);
    return -1;
  }
  char *text = json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER);
  char *line = text ? strutil_printf("%s\n", text) : NULL;
  free(text);
  if (!line) {
    j->error = write_error(j->path, "out of memory");
  } else {
    if (write_record(j, line, strlen(line), durable) != 0) j->error = write_error(j->path, strerror(errno));
    free(line);
  }
  if (!j->error) {
    j->seq++;
    if (j->exit_after > 0 && ++j->written >= j->exit_after) _exit(137); /* test hook: a crash right here */
    return 0;
  }
  *err = strdup(j->error);
  return -1;
}

/* Appends one record (see journal.h); returns 0 or -1 with *err set. */
int journal_append(journal *j, const json_t *record, char **err) { return append(j, record, true, err); }

/* Fsyncs the records written since the last fsync (the group commit; nothing to do: 0), as the
 * sink's sync. Returns 0, or -1 with *err set (the journal is then failed, as after a failed
 * append). */
static int journal_sync(journal *j, char **err) {
  if (!j->error && sync_records(j) != 0) j->error = write_error(j->path, strerror(errno));
  if (!j->error) return 0;
  *err = strdup(j->error);
  return -1;
}

/* Returns true when ev's record must be durable before the engine goes on: the run's first and
 * last records, a mutation's start (it is sent next; not a replay's, status skipped, which sends
 * nothing) and a notification (sent next). */
static bool durable_at_once(const rbk_event *ev) {
  switch (ev->kind) {
    case RBK_EV_RUN_START: case RBK_EV_RUN_END: case RBK_EV_NOTIFY: return true;
    case RBK_EV_ACTION_START: return ev->mutating && ev->status == RBK_STATUS_NONE;
    default: return false;
  }
}

/* Returns the record for ev: seq, time, the event with details, and the run's metadata on
 * run_start. NULL when out of memory. */
static json_t *make_record(journal *j, const rbk_event *ev) {
  json_t *body = events_to_json(ev, true), *rec = json_object();
  if (!body || !rec) {
    json_decref(body);
    json_decref(rec);
    return NULL;
  }
  json_object_set_new(rec, "seq", json_integer(j->seq + 1));
  if (ev->kind == RBK_EV_RUN_START && j->clock) j->base_wall = clock_wall(j->clock) - ev->t_ms;
  if (j->clock) {
    char buf[40];
    json_object_set_new(rec, "time", json_string(journal_format_time(j->base_wall + ev->t_ms, buf, sizeof buf)));
  }
  json_object_update(rec, body);
  json_decref(body);
  json_t *typed = ev->result && (ev->kind == RBK_EV_STEP_END || ev->kind == RBK_EV_ACTION_END)
                      ? value_typed_encode(ev->result, NULL)
                      : NULL;
  if (typed) json_object_set_new(rec, "result", typed); /* with its kind: resume restores it */
  if (ev->kind != RBK_EV_RUN_START &&
      (!journal_cap_value(rec, "args", JOURNAL_CAP_VALUE) || !journal_cap_value(rec, "result", JOURNAL_CAP_VALUE))) {
    json_decref(rec);
    return NULL;
  }
  if (ev->kind == RBK_EV_RUN_START) {
    json_t *params = json_object_get(rec, "args");
    if (params) json_object_set(rec, "params", params), json_object_del(rec, "args");
    if (j->resume) json_object_set_new(rec, "event", json_string("resume"));
    if (j->meta) json_object_update(rec, j->meta);
  }
  return rec;
}

/* rbk_sink.emit: journals one event. */
static int sink_emit(void *user, const rbk_event *ev, char **err) {
  journal *j = user;
  json_t *rec = make_record(j, ev);
  if (!rec) {
    if (!j->error) j->error = write_error(j->path, "out of memory");
    *err = strdup(j->error);
    return -1;
  }
  int rc = append(j, rec, durable_at_once(ev), err);
  json_decref(rec);
  return rc;
}

/* rbk_sink.sync: the group commit. */
static int sink_sync(void *user, char **err) { return journal_sync(user, err); }

/* Returns the journaling sink. */
rbk_sink journal_sink(journal *j) { return (rbk_sink){j, sink_emit, sink_sync}; }

/* Returns the path (borrowed). */
const char *journal_path(const journal *j) { return j->path; }

/* Returns the error that stopped the journal, or NULL. */
const char *journal_error(const journal *j) { return j->error; }

/* Closes the journal. */
void journal_close(journal *j) {
  if (!j) return;
  if (j->fd >= 0 && !j->error) sync_records(j); /* best effort: a failure here changes nothing */
  if (j->fd >= 0) close(j->fd);
  json_decref(j->meta);
  free(j->error);
  free(j->path);
  free(j);
}
