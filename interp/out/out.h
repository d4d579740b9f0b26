/* out.h — what an operator sees of a run: event sinks that print JSON lines, timestamped text
 * lines, or a live progress view on a terminal; and a tee that feeds the journal and an output.
 *
 * JSON (out_json.c): one object per event and line, as events.h's events_to_line(ev, details).
 *
 * Text (out_text.c): one line per event, "[HH:MM:SS.mmm] SYMBOL what (duration): message", time
 * since the run started; lines are indented two spaces per enclosing step. docs/run.md lists the
 * symbols. No colour unless asked for.
 *
 * Live (out_live.c), on a terminal: finished work scrolls up as text lines (colour unless
 * NO_COLOR), and the bottom of the screen is redrawn at most 10 times a second with what is
 * running now — a header with elapsed time against the deadline and steps done, the open steps
 * and parallel branches, actions in flight, waits and gates counting down, open approvals — and
 * an approval prompt when one is asked (out_live_prompt). The engine does not call the sink when
 * nothing happens, so out_live_wrap_actions wraps the actions: every poll redraws and waits at
 * most 100 ms.
 *
 * Sinks never fail because of their own output (a closed stdout is ignored): only the journal
 * stops a run. Ownership: each object owns its state and borrows its FILE and clock.
 */
#ifndef RBK_OUT_H
#define RBK_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "actions.h"
#include "clock.h"
#include "events.h"

/* JSON lines. */
typedef struct {
  FILE *f;
  bool details; /* add the journal's details (keys, args, results, who/how) */
} out_json;

/* Returns the sink writing ev as JSON lines to o->f (o is borrowed). */
rbk_sink out_json_sink(out_json *o);

/* Plain text lines. */
typedef struct {
  FILE *f;
  bool color;   /* ANSI colours */
  int warnings; /* counted for the summary line */
} out_text;

/* Returns the sink writing timestamped text lines to o->f (o is borrowed). */
rbk_sink out_text_sink(out_text *o);

/* Returns the text of ev without timestamp or indentation, possibly several lines (notify
 * messages keep their line breaks), or NULL for events that text output does not show (the
 * start of an action). `color` adds ANSI colours. Caller frees. */
char *out_text_event(const rbk_event *ev, bool color);

/* Returns true when the event gets a line of its own: always, except a poll's repeated report
 * (rbk_event.repeat), shown only as the 2nd, 3rd and 5th and then the 10th, 20th, 50th, 100th…
 * of a row, so that a long poll prints a few lines (the JSON events keep every one). */
bool out_text_shown(const rbk_event *ev);
/* Returns "HH:MM:SS.mmm" for ms into buf (at least 16 bytes). */
const char *out_text_clock(int64_t ms, char *buf, size_t size);

/* Returns the nesting depth of a step path ("a › b" → 2; NULL → 0). */
int out_text_depth(const char *step);

/* Two sinks in a row: the first (the journal) decides the result; the second always runs. */
typedef struct {
  rbk_sink first, second;
} out_tee;

/* Returns the sink that feeds t->first then t->second (t is borrowed). */
rbk_sink out_tee_sink(out_tee *t);

/* The live view. */
typedef struct out_live out_live;

/* Returns a live view drawing on f (a terminal) with the clock for countdowns; NULL when out of
 * memory. */
out_live *out_live_new(FILE *f, bool color, rbk_clock *clock);
/* Returns the sink that feeds the view. */
rbk_sink out_live_sink(out_live *v);
/* Shows `line` (NULL: none) as the last line, with the cursor after it, and redraws now. */
void out_live_prompt(out_live *v, const char *line);
/* Clears the running part (at the end of the run). */
void out_live_finish(out_live *v);
/* Frees the view (after clearing it); NULL is fine. */
void out_live_free(out_live *v);

/* Returns actions that forward to `inner` (borrowed, must outlive them) and tick the view at
 * every poll, polling at most 100 ms at a time. Free with the returned interface's free(), which
 * does not free `inner`. NULL when out of memory. */
rbk_actions *out_live_wrap_actions(rbk_actions *inner, out_live *v);

/* Returns actions that forward to `inner` (borrowed) and append one line per call to the file
 * `path` as it happens — "T_MS start|recheck|notify|cancel ACTION TARGET" — with one write() per
 * line, so the log survives a kill -9 (tests compare it across an interrupted run and its
 * resume). NULL with *err set when the file cannot be opened. Free with the interface's free(),
 * which does not free `inner`. */
rbk_actions *out_calls_wrap(rbk_actions *inner, const char *path, char **err);

/* Returns true when output to fd may be coloured: a terminal, NO_COLOR unset, TERM not "dumb". */
bool out_color_on(int fd);

/* Returns the width in columns of the terminal on fd: its TIOCGWINSZ size, else $COLUMNS, else 80
 * (out_wrap.c). */
int out_term_width(int fd);
/* Returns s (one line, or several separated by '\n') word-wrapped so that no line is wider than
 * `width` columns (at least 10): breaks at the last space that fits (the space is dropped), else
 * inside a word; ANSI sequences take no column, a UTF-8 character one. Prompts use it so that
 * their end — the answer choices `[y/N]` — is always on screen. Caller frees; NULL when out of
 * memory. */
char *out_wrap(const char *s, int width);

#endif
