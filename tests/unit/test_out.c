/* test_out.c — the text and live views of assert events: a `retrying` assert (a failed attempt
 * that will be tried again) has its own symbol and wording, never a failure's or a
 * cancellation's, and the live view counts it on the gate or step that will retry; a poll's
 * repeated reports are thinned out in the text lines; prompts wrap to the terminal's width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "out.h"

/* One assert event's status and message, and the text line expected for it. */
typedef struct {
  rbk_status status;
  const char *message, *line;
} assert_case;

/* Checks the text line of each case's assert event. */
static void check_assert_lines(const assert_case *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    rbk_event ev = {.kind = RBK_EV_ASSERT, .status = cases[i].status, .message = cases[i].message, .duration_ms = -1};
    char *t = out_text_event(&ev, false);
    assert_string_equal(t, cases[i].line);
    free(t);
  }
}

static void out_text__retrying_assert__own_symbol_and_will_retry(void **state) {
  (void)state;
  static const assert_case cases[] = {
      {RBK_STATUS_RETRYING, "assertion failed: h.status == \"ok\" (h.status = \"starting\")",
       "↻ assertion failed: h.status == \"ok\" (h.status = \"starting\") (will retry)"},
      {RBK_STATUS_RETRYING, "not ready yet", "↻ assert failed: not ready yet (will retry)"},
  };
  check_assert_lines(cases, sizeof cases / sizeof *cases);
}

static void out_text__failed_and_cancelled_assert__unchanged(void **state) {
  (void)state;
  static const assert_case cases[] = {
      {RBK_STATUS_FAILED, "not ready yet", "✗ assert failed: not ready yet"},
      {RBK_STATUS_FAILED, "assertion failed: x == 1", "✗ assertion failed: x == 1"},
      {RBK_STATUS_CANCELLED, "deadline 5m exceeded", "⊘ assert cancelled: deadline 5m exceeded"},
      {RBK_STATUS_OK, "x == 1", "✓ assert x == 1"},
  };
  check_assert_lines(cases, sizeof cases / sizeof *cases);
}

static void out_text__retrying_in_colour__warning_colour(void **state) {
  (void)state;
  rbk_event ev = {.kind = RBK_EV_ASSERT, .status = RBK_STATUS_RETRYING, .message = "x", .duration_ms = -1};
  char *t = out_text_event(&ev, true);
  assert_non_null(strstr(t, "\033[33m↻\033[0m "));
  free(t);
}

/* Feeds the events to a live view on a memory stream, forces a redraw; returns the output. */
static char *live_output(const rbk_event *evs, size_t n) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  rbk_clock *clock = clock_virtual(CLOCK_VIRTUAL_EPOCH_MS);
  out_live *v = out_live_new(f, false, clock);
  assert_non_null(v);
  rbk_sink sink = out_live_sink(v);
  char *err = NULL;
  for (size_t i = 0; i < n; i++) assert_int_equal(sink.emit(sink.user, &evs[i], &err), 0);
  out_live_prompt(v, NULL);
  out_live_free(v);
  clock_free(clock);
  fclose(f);
  return buf;
}

static void out_text__poll_repeats__printed_at_2_3_5_10_20_50_100(void **state) {
  (void)state;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  out_text o = {f, false, 0};
  rbk_sink s = out_text_sink(&o);
  char msg[64];
  for (int n = 1; n <= 120; n++) {
    snprintf(msg, sizeof msg, n == 1 ? "503 Service Unavailable: a long body" : "unchanged (%d in a row)", n);
    rbk_event ev = {.kind = RBK_EV_ACTION_END, .action = "get", .target = "GET /db", .status = RBK_STATUS_FAILED,
                    .message = msg, .duration_ms = 5, .repeat = n == 1 ? 0 : n};
    assert_int_equal(s.emit(s.user, &ev, NULL), 0);
  }
  fclose(f);
  int lines = 0;
  for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
  assert_int_equal(lines, 8); /* 1, 2, 3, 5, 10, 20, 50, 100 */
  assert_non_null(strstr(buf, "✗ get GET /db failed (5ms): 503 Service Unavailable: a long body\n"));
  assert_non_null(strstr(buf, "unchanged (50 in a row)\n"));
  assert_non_null(strstr(buf, "unchanged (100 in a row)\n"));
  assert_null(strstr(buf, "unchanged (4 in a row)"));
  assert_null(strstr(buf, "unchanged (99 in a row)"));
  free(buf);
}

static void out_wrap__long_prompt__words_kept_choices_shown(void **state) {
  (void)state;
  static const struct {
    const char *in;
    int width;
    const char *out;
  } cases[] = {
      {"approve \"Rotate now?\" (from db-owner, 9m59s left) [y/N] ", 20, "approve \"Rotate\nnow?\" (from\ndb-owner, 9m59s\nleft) [y/N] "},
      {"short [y/N] ", 80, "short [y/N] "},
      {"abcdefghijklmnopqrstuvwxyz", 10, "abcdefghij\nklmnopqrst\nuvwxyz"},
      {"\033[1mbold\033[0m é é é é é é", 12, "\033[1mbold\033[0m é é é é\né é"},
      {"one\ntwo three", 10, "one\ntwo three"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *w = out_wrap(cases[i].in, cases[i].width);
    assert_string_equal(w, cases[i].out);
    free(w);
  }
}

static void out_term_width__not_a_terminal__columns_else_80(void **state) {
  (void)state;
  FILE *f = tmpfile();
  setenv("COLUMNS", "132", 1);
  assert_int_equal(out_term_width(fileno(f)), 132);
  setenv("COLUMNS", "wide", 1);
  assert_int_equal(out_term_width(fileno(f)), 80);
  unsetenv("COLUMNS");
  assert_int_equal(out_term_width(fileno(f)), 80);
  fclose(f);
}

static void out_live__retrying_asserts__counted_on_their_gate(void **state) {
  (void)state;
  rbk_event evs[] = {
      {.kind = RBK_EV_RUN_START, .message = "r", .duration_ms = -1},
      {.kind = RBK_EV_GATE, .node = "n1", .message = "service healthy", .duration_ms = 60000},
      {.kind = RBK_EV_ASSERT, .node = "n2", .status = RBK_STATUS_RETRYING, .message = "not yet", .duration_ms = -1},
      {.kind = RBK_EV_ASSERT, .node = "n2", .status = RBK_STATUS_RETRYING, .message = "not yet", .duration_ms = -1},
  };
  char *out = live_output(evs, sizeof evs / sizeof *evs);
  assert_non_null(strstr(out, "↻ assert failed: not yet (will retry)\n"));
  assert_non_null(strstr(out, "▶ gate service healthy  ↻ 2 failed, retrying  1m left"));
  free(out);
}

static void out_live__retrying_assert_in_step__counted_on_the_step(void **state) {
  (void)state;
  rbk_event evs[] = {
      {.kind = RBK_EV_RUN_START, .message = "r", .duration_ms = -1},
      {.kind = RBK_EV_STEP_START, .step = "flaky", .message = "flaky", .duration_ms = -1},
      {.kind = RBK_EV_ASSERT, .step = "flaky", .status = RBK_STATUS_RETRYING, .message = "no", .duration_ms = -1},
  };
  char *out = live_output(evs, sizeof evs / sizeof *evs);
  assert_non_null(strstr(out, "▶ step \"flaky\"  ↻ 1 failed, retrying  0s"));
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(out_text__retrying_assert__own_symbol_and_will_retry),
      cmocka_unit_test(out_text__failed_and_cancelled_assert__unchanged),
      cmocka_unit_test(out_text__retrying_in_colour__warning_colour),
      cmocka_unit_test(out_text__poll_repeats__printed_at_2_3_5_10_20_50_100),
      cmocka_unit_test(out_wrap__long_prompt__words_kept_choices_shown),
      cmocka_unit_test(out_term_width__not_a_terminal__columns_else_80),
      cmocka_unit_test(out_live__retrying_asserts__counted_on_their_gate),
      cmocka_unit_test(out_live__retrying_assert_in_step__counted_on_the_step),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
