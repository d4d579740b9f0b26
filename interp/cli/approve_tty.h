/* approve_tty.h — approvals asked on the terminal (engine.h's rbk_approver).
 *
 * Each question is asked on the terminal device (normally /dev/tty) as
 *   approve "QUESTION" (from ROLE, 1m59s left) [y/N] _
 * with the time left counting down. Several open questions (parallel branches) are asked one at
 * a time, in the order they came. While a question is open the terminal is put in non-canonical
 * mode without echo (the prompt echoes what is typed, so redraws do not lose it; signals such as
 * Ctrl-C still work) and restored as soon as no question is open. Input is read without blocking
 * from poll(). "y" or "yes" (any case) then Enter approves, by the operator, how "tty"; anything
 * else denies (the engine then stops the run, exit 3).
 *
 * The prompt is drawn through `draw` when given (the live view shows it as its last lines), else
 * written on the terminal itself. Either way it is word-wrapped to the terminal's width
 * (out_wrap, out_term_width: TIOCGWINSZ, else $COLUMNS, else 80), never cut, so that its end —
 * the answer choices `[y/N]` and what was typed — is always on screen.
 *
 * Ownership: the approver owns its terminal descriptor and the copies of the questions; the
 * operator name and clock are borrowed and must outlive it.
 */
#ifndef RBK_APPROVE_TTY_H
#define RBK_APPROVE_TTY_H

#include "clock.h"
#include "engine.h"

/* Shows `line` as the prompt (NULL: clears it). */
typedef void (*approve_draw_fn)(void *user, const char *line);

/* Returns an approver on the terminal `tty` ("/dev/tty"), or NULL with *err set when it cannot be
 * opened or is not a terminal (then the run is non-interactive). `who` names the operator. */
rbk_approver *approve_tty_new(const char *tty, const char *who, rbk_clock *clock, approve_draw_fn draw,
                              void *draw_user, char **err);

/* Frees the approver, restoring the terminal; NULL is fine. */
void approve_tty_free(rbk_approver *a);

#endif
