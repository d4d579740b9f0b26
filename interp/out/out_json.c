/* out_json.c — JSON-lines output and the tee that feeds the journal and an output (see out.h). */
#include <stdlib.h>

#include "out.h"

/* rbk_sink.emit: writes ev as one JSON line; output errors are ignored. */
static int json_emit(void *user, const rbk_event *ev, char **err) {
  out_json *o = user;
  (void)err;
  char *line = events_to_line(ev, o->details);
  if (line) fprintf(o->f, "%s\n", line);
  free(line);
  fflush(o->f);
  return 0;
}

/* Returns the JSON-lines sink. */
rbk_sink out_json_sink(out_json *o) { return (rbk_sink){o, json_emit, NULL}; }

/* rbk_sink.emit: feeds both sinks; returns the first one's result. */
static int tee_emit(void *user, const rbk_event *ev, char **err) {
  out_tee *t = user;
  int rc = t->first.emit ? t->first.emit(t->first.user, ev, err) : 0;
  char *ignored = NULL;
  if (t->second.emit && t->second.emit(t->second.user, ev, rc ? &ignored : err) != 0 && !rc) rc = -1;
  free(ignored);
  return rc;
}

/* rbk_sink.sync: syncs both sinks; returns the first one's result. */
static int tee_sync(void *user, char **err) {
  out_tee *t = user;
  int rc = t->first.sync ? t->first.sync(t->first.user, err) : 0;
  char *ignored = NULL;
  if (t->second.sync && t->second.sync(t->second.user, rc ? &ignored : err) != 0 && !rc) rc = -1;
  free(ignored);
  return rc;
}

/* Returns the tee sink. */
rbk_sink out_tee_sink(out_tee *t) { return (rbk_sink){t, tee_emit, tee_sync}; }
