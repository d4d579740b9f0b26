/* test_journal.c — the run journal: paths, records, write failures, reading back, what a resume
 * skips and re-checks, the plan hash, run ids, the text and JSON event forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal.h"
#include "out.h"
#include "resume.h"
#include "value_typed.h"
#include "test_files.h"

/* A scratch directory per test. */
static int make_dir(void **state) {
  char tmpl[] = "/tmp/rbk-test-journal-XXXXXX";
  char *dir = mkdtemp(tmpl);
  assert_non_null(dir);
  *state = strdup(dir);
  return 0;
}

/* Removes the scratch directory. */
static int remove_dir(void **state) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
  int rc = system(cmd);
  free(*state);
  return rc;
}

/* Returns "DIR/name" (caller frees). */
static char *in_dir(void **state, const char *name) {
  size_t n = strlen(*state) + strlen(name) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", (char *)*state, name);
  return p;
}

static void path_for__default_and_dirs__name_the_run_file(void **state) {
  char *p = journal_path_for(NULL, "R1");
  assert_string_equal(p, ".rbk/runs/R1.jsonl");
  free(p);
  p = journal_path_for(*state, "R1");
  char *want = in_dir(state, "R1.jsonl");
  assert_string_equal(p, want);
  free(p), free(want);
  p = journal_path_for("runs/", "R1");
  assert_string_equal(p, "runs/R1.jsonl");
  free(p);
  p = journal_path_for("/tmp/x/audit.jsonl", "R1");
  assert_string_equal(p, "/tmp/x/audit.jsonl");
  free(p);
  p = journal_path_for("/dev/full", "R1");
  assert_string_equal(p, "/dev/full");
  free(p);
}

/* Emits the events of a small run through the journal's sink. */
static void emit_run(rbk_sink s, bool fail_step) {
  char *err = NULL;
  rbk_event evs[] = {
      {.kind = RBK_EV_RUN_START, .message = "t", .duration_ms = -1},
      {.t_ms = 1, .kind = RBK_EV_STEP_START, .step = "a", .key = "|a", .duration_ms = -1},
      {.t_ms = 2, .kind = RBK_EV_ACTION_START, .step = "a", .action = "scale", .target = "deployment/x",
       .mutating = true, .key = "|n2", .duration_ms = 30000},
      {.t_ms = 5, .kind = RBK_EV_ACTION_END, .step = "a", .action = "scale", .target = "deployment/x", .mutating = true,
       .status = RBK_STATUS_OK, .key = "|n2", .duration_ms = 3},
      {.t_ms = 6, .kind = RBK_EV_STEP_END, .step = "a", .key = "|a", .status = RBK_STATUS_OK, .duration_ms = 5},
      {.t_ms = 7, .kind = RBK_EV_STEP_START, .step = "b", .key = "|b", .duration_ms = -1},
      {.t_ms = 8, .kind = RBK_EV_ACTION_START, .step = "b", .action = "patch", .target = "configmap/c",
       .mutating = true, .key = "|n4", .duration_ms = 30000},
      {.t_ms = 8, .kind = RBK_EV_ACTION_START, .step = "b", .action = "get", .target = "configmap/c",
       .mutating = false, .key = "|n5", .duration_ms = 30000},
      {.t_ms = 9, .kind = RBK_EV_STEP_END, .step = "b", .key = "|b", .status = RBK_STATUS_FAILED, .message = "boom",
       .duration_ms = 2},
  };
  size_t n = sizeof evs / sizeof evs[0] - (fail_step ? 0 : 1);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(s.emit(s.user, &evs[i], &err), 0);
    assert_null(err);
  }
}

static void sink__writes_one_record_per_event__with_seq_time_and_metadata(void **state) {
  char *path = in_dir(state, "deep/er/run.jsonl"), *err = NULL;
  journal *j = journal_open(path, true, &err);
  assert_non_null(j);
  rbk_clock *clock = clock_virtual(CLOCK_VIRTUAL_EPOCH_MS);
  const char *assigns[] = {"target=orch", NULL};
  journal_meta m = {.run_id = "R1", .plan = "p.rbk", .plan_hash = "sha256:00", .operator_name = "alice", .assigns = assigns};
  assert_true(journal_begin(j, &m, false, clock, 0));
  emit_run(journal_sink(j), true);
  journal_close(j);
  journal_state s;
  assert_true(resume_load(path, &s, &err));
  assert_int_equal(json_array_size(s.records), 9);
  json_t *first = json_array_get(s.records, 0);
  assert_string_equal(resume_str(first, "event"), "run_start");
  assert_string_equal(resume_str(first, "run_id"), "R1");
  assert_string_equal(resume_str(first, "operator"), "alice");
  assert_string_equal(resume_str(first, "time"), "2025-01-01T00:00:00.000Z");
  assert_string_equal(json_string_value(json_array_get(json_object_get(first, "assigns"), 0)), "target=orch");
  json_t *last = json_array_get(s.records, 8);
  assert_int_equal(json_integer_value(json_object_get(last, "seq")), 9);
  assert_string_equal(resume_str(last, "time"), "2025-01-01T00:00:00.009Z");
  assert_int_equal(s.attempts, 1);
  assert_false(s.truncated);
  resume_free(&s);
  clock_free(clock);
  free(path);
}

static void resume__done_steps_and_started_mutating_actions__are_listed(void **state) {
  char *path = in_dir(state, "r.jsonl"), *err = NULL;
  journal *j = journal_open(path, true, &err);
  assert_true(journal_begin(j, &(journal_meta){.run_id = "R"}, false, NULL, 0));
  emit_run(journal_sink(j), true);
  journal_close(j);
  journal_state s;
  assert_true(resume_load(path, &s, &err));
  assert_int_equal(s.ndone, 1);
  assert_string_equal(s.done[0], "|a");
  assert_null(s.done[1]);
  /* scale ran inside the completed step a: not re-checked; patch (in b, which failed) is; get is
   * not mutating. */
  assert_int_equal(s.ninflight, 1);
  assert_string_equal(s.inflight[0], "|n4");
  assert_null(s.end);
  assert_non_null(s.last_start);
  resume_free(&s);
  free(path);
}

static void open__fresh_on_a_journal_with_records__is_refused(void **state) {
  char *path = in_dir(state, "old.jsonl"), *err = NULL;
  tf_write_path(path, "{\"event\":\"run_start\"}\n");
  assert_null(journal_open(path, true, &err));
  assert_non_null(strstr(err, "already holds a run"));
  free(err);
  err = NULL;
  journal *j = journal_open(path, false, &err);
  assert_non_null(j);
  journal_close(j);
  free(path);
}

static void append__to_dev_full__fails_with_enospc_and_stays_failed(void **state) {
  (void)state;
  char *err = NULL;
  journal *j = journal_open("/dev/full", true, &err);
  assert_non_null(j);
  assert_true(journal_begin(j, &(journal_meta){.run_id = "R"}, false, NULL, 0));
  rbk_sink s = journal_sink(j);
  rbk_event ev = {.kind = RBK_EV_RUN_START, .message = "t", .duration_ms = -1};
  assert_int_equal(s.emit(s.user, &ev, &err), -1);
  assert_string_equal(err, "cannot write journal /dev/full: No space left on device");
  free(err);
  err = NULL;
  json_t *rec = json_object();
  assert_int_equal(journal_append(j, rec, &err), -1);
  assert_string_equal(err, "cannot write journal /dev/full: No space left on device");
  assert_string_equal(journal_error(j), err);
  free(err);
  json_decref(rec);
  journal_close(j);
}

static void open__under_a_file__fails_with_the_reason(void **state) {
  char *file = in_dir(state, "plain"), *path = in_dir(state, "plain/x.jsonl"), *err = NULL;
  tf_write_path(file, "x");
  assert_null(journal_open(path, true, &err));
  assert_non_null(strstr(err, "cannot write journal "));
  assert_non_null(strstr(err, "Not a directory"));
  free(err), free(file), free(path);
}

/* Completed mutating actions outside completed steps are listed with their results for replay
 * (replays themselves count neither way); failed or unfinished ones are re-checked; a step's
 * journaled return value is kept, and a step that returned an unjournaled value is not done. */
static void resume__completions_replayed_and_returns_kept(void **state) {
  char *path = in_dir(state, "rr.jsonl"), *err = NULL;
#define ACT(ev, key, rest) "{\"event\":\"action_" ev "\",\"step\":\"s\",\"mutating\":true,\"key\":\"" key "\"" rest "}\n"
  tf_write_path(path, "{\"event\":\"run_start\",\"run_id\":\"R\"}\n"
                   ACT("start", "|n1", "") ACT("end", "|n1", ",\"status\":\"ok\",\"result\":{\"a\":1}")
                   ACT("start", "|n2", "") ACT("end", "|n2", ",\"status\":\"failed\"")
                   ACT("start", "|n3", "")
                   "{\"event\":\"resume\"}\n"
                   ACT("start", "|n1", ",\"status\":\"skipped\"") ACT("end", "|n1", ",\"status\":\"skipped\",\"result\":{\"a\":1}")
                   ACT("start", "|n2", "") ACT("end", "|n2", ",\"status\":\"ok\",\"result\":{\"b\":2}")
                   ACT("start", "|n4", "") ACT("end", "|n4", ",\"status\":\"ok\"")
                   "{\"event\":\"step_end\",\"key\":\"|x\",\"status\":\"ok\",\"returned\":true,\"result\":{\"v\":1}}\n"
                   "{\"event\":\"step_end\",\"key\":\"|y\",\"status\":\"ok\",\"returned\":true}\n"
                   "{\"event\":\"step_end\",\"key\":\"|z\",\"status\":\"skipped\"}\n");
#undef ACT
  journal_state s;
  assert_true(resume_load(path, &s, &err));
  assert_int_equal(s.ndone, 2);
  assert_string_equal(s.done[0], "|x");
  assert_string_equal(s.done[1], "|z");
  char *returns = json_dumps(s.returns, JSON_COMPACT), *results = json_dumps(s.results, JSON_COMPACT);
  assert_string_equal(returns, "{\"|x\":{\"v\":1}}");
  assert_string_equal(results, "{\"|n1\":[{\"a\":1}],\"|n2\":[{\"b\":2}],\"|n4\":[null]}");
  assert_int_equal(s.nresults, 3);
  assert_int_equal(s.ninflight, 2);
  assert_string_equal(s.inflight[0], "|n2");
  assert_string_equal(s.inflight[1], "|n3");
  free(returns), free(results);
  resume_free(&s);
  free(path);
}

static void typed__every_data_kind__comes_back_with_its_kind(void **state) {
  (void)state;
  rbk_value *o = value_object(8), *inner = value_object(2), *list = value_list(4);
  value_object_set(inner, "$rbk", value_cstring("not a tag"));
  value_list_push(list, value_time(1735689600250));
  value_list_push(list, value_duration(90000));
  value_list_push(list, value_float(1.0 / 0.0));
  value_list_push(list, value_float(2.5));
  value_object_set(o, "at", list);
  value_object_set(o, "n", value_int(3));
  value_object_set(o, "odd", inner);
  json_t *j = value_typed_encode(o, NULL);
  char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  assert_string_equal(text, "{\"at\":[{\"$rbk\":\"time\",\"value\":\"2025-01-01T00:00:00.250Z\"},{\"$rbk\":\"duration\",\"ms\":90000},"
                            "{\"$rbk\":\"float\",\"value\":\"inf\"},2.5],\"n\":3,"
                            "\"odd\":{\"$rbk\":\"object\",\"value\":{\"$rbk\":\"not a tag\"}}}");
  rbk_value *back = value_typed_decode(j);
  assert_non_null(back);
  assert_true(value_equal(back, o));
  assert_int_equal(value_object_get(back, "at")->u.list.items[0]->kind, VAL_TIME);
  assert_int_equal(value_object_get(back, "at")->u.list.items[1]->kind, VAL_DURATION);
  const char *why = NULL;
  rbk_value *secret = value_list(1);
  value_list_push(secret, value_secret("TOKEN", "s3cret"));
  assert_null(value_typed_encode(secret, &why));
  assert_string_equal(why, "a secret");
  free(text);
  json_decref(j);
  value_unref(back), value_unref(o), value_unref(secret);
}

static void resume__gates_passed_before_a_mutation__are_replayed(void **state) {
  char *path = in_dir(state, "g.jsonl"), *err = NULL;
  tf_write_path(path, "{\"event\":\"run_start\",\"run_id\":\"R\"}\n"
                   "{\"event\":\"gate\",\"key\":\"gate:|before\",\"status\":\"ok\"}\n"
                   "{\"event\":\"action_start\",\"key\":\"|n1\",\"mutating\":true}\n"
                   "{\"event\":\"gate\",\"key\":\"gate:|after\",\"status\":\"ok\"}\n"
                   "{\"event\":\"gate\",\"key\":\"gate:|failed\",\"status\":\"failed\"}\n");
  journal_state s;
  assert_true(resume_load(path, &s, &err));
  assert_int_equal(s.ngates, 1); /* "after" saw no mutation since: judged again */
  assert_string_equal(s.gates[0], "gate:|before");
  resume_free(&s);
  free(path);
}

static void resume__finished_handlers_run_again_interrupted_ones_continue(void **state) {
  char *path = in_dir(state, "h.jsonl"), *err = NULL;
#define H(ev, key, owner, rest) "{\"event\":\"" ev "\",\"key\":\"" key "\",\"handler\":\"" owner "\"" rest "}\n"
  tf_write_path(path, "{\"event\":\"run_start\",\"run_id\":\"R\"}\n"
                   H("step_end", "|fin", "plan", ",\"status\":\"ok\"")
                   H("action_start", "|p1", "plan", ",\"mutating\":true,\"step\":\"x\"")
                   H("action_end", "|p1", "plan", ",\"mutating\":true,\"step\":\"x\",\"status\":\"ok\"")
                   "{\"event\":\"run_end\",\"status\":\"cancelled\"}\n"
                   "{\"event\":\"resume\"}\n"
                   H("step_end", "|fin2", "plan", ",\"status\":\"ok\"")
                   H("action_start", "|p2", "|s", ",\"mutating\":true,\"step\":\"s\"")
                   H("action_end", "|p2", "|s", ",\"mutating\":true,\"step\":\"s\",\"status\":\"ok\"")
                   H("action_start", "|p3", "|t", ",\"mutating\":true,\"step\":\"t\"")
                   H("action_end", "|p3", "|t", ",\"mutating\":true,\"step\":\"t\",\"status\":\"ok\"")
                   "{\"event\":\"step_end\",\"key\":\"|t\",\"status\":\"failed\"}\n");
#undef H
  journal_state s;
  assert_true(resume_load(path, &s, &err));
  /* the first attempt's finally ended with its run: nothing of it counts; the second attempt's
   * plan finally (no run_end yet) and step s's handler (s did not end) continue; t's ended */
  assert_int_equal(s.ndone, 1);
  assert_string_equal(s.done[0], "|fin2");
  char *results = json_dumps(s.results, JSON_COMPACT);
  assert_string_equal(results, "{\"|p2\":[null]}");
  assert_int_equal(s.ninflight, 0);
  free(results);
  resume_free(&s);
  free(path);
}

static void open__a_journal_open_elsewhere__is_refused(void **state) {
  char *path = in_dir(state, "one.jsonl"), *err = NULL;
  journal *a = journal_open(path, true, &err);
  assert_non_null(a);
  assert_null(journal_open(path, false, &err));
  assert_non_null(strstr(err, "is being written by another rbk process"));
  free(err);
  err = NULL;
  journal_close(a);
  journal *b = journal_open(path, false, &err);
  assert_non_null(b);
  journal_close(b);
  free(path);
}

static void load__no_complete_record__says_nothing_was_done(void **state) {
  char *path = in_dir(state, "empty.jsonl"), *err = NULL;
  tf_write_path(path, "{\"seq\":1,\"ev");
  journal_state s;
  assert_false(resume_load(path, &s, &err));
  assert_true(s.empty);
  assert_non_null(strstr(err, "records no run: the process stopped before its first record, so nothing was done"));
  free(err);
  resume_free(&s);
  free(path);
}

static void load__incomplete_last_line__is_ignored_and_reported(void **state) {
  char *path = in_dir(state, "cut.jsonl"), *err = NULL;
  const char *good = "{\"event\":\"run_start\",\"run_id\":\"R\"}\n{\"event\":\"step_end\",\"key\":\"|a\",\"status\":\"ok\"}\n";
  char text[512];
  snprintf(text, sizeof text, "%s{\"event\":\"act", good);
  tf_write_path(path, text);
  journal_state s;
  assert_true(resume_load(path, &s, &err));
  assert_true(s.truncated);
  assert_int_equal(s.valid_len, strlen(good));
  assert_int_equal(json_array_size(s.records), 2);
  assert_int_equal(s.ndone, 1);
  resume_free(&s);
  free(path);
}

static void load__garbage_line_or_no_run_start__is_an_error(void **state) {
  char *path = in_dir(state, "bad.jsonl"), *err = NULL;
  tf_write_path(path, "{\"event\":\"run_start\"}\nnot json\n{}\n");
  journal_state s;
  assert_false(resume_load(path, &s, &err));
  assert_non_null(strstr(err, "bad.jsonl:2: not a journal record"));
  free(err);
  resume_free(&s);
  err = NULL;
  tf_write_path(path, "{\"event\":\"step_end\"}\n");
  assert_false(resume_load(path, &s, &err));
  assert_non_null(strstr(err, "no run_start record"));
  free(err);
  resume_free(&s);
  err = NULL;
  assert_false(resume_load("/nonexistent/j.jsonl", &s, &err));
  assert_string_equal(err, "cannot read journal /nonexistent/j.jsonl: No such file or directory");
  free(err);
  resume_free(&s);
  free(path);
}

static void resume_record__is_written_as_resume_with_following_seq(void **state) {
  char *path = in_dir(state, "two.jsonl"), *err = NULL;
  journal *j = journal_open(path, true, &err);
  assert_true(journal_begin(j, &(journal_meta){.run_id = "R"}, false, NULL, 0));
  emit_run(journal_sink(j), false);
  journal_close(j);
  j = journal_open(path, false, &err);
  assert_true(journal_begin(j, &(journal_meta){.run_id = "R"}, true, NULL, 8));
  rbk_sink s = journal_sink(j);
  rbk_event ev = {.kind = RBK_EV_RUN_START, .message = "t", .duration_ms = -1};
  assert_int_equal(s.emit(s.user, &ev, &err), 0);
  journal_close(j);
  journal_state st;
  assert_true(resume_load(path, &st, &err));
  json_t *last = json_array_get(st.records, 8);
  assert_string_equal(resume_str(last, "event"), "resume");
  assert_int_equal(json_integer_value(json_object_get(last, "seq")), 9);
  assert_int_equal(st.attempts, 2);
  assert_ptr_equal(st.last_start, last);
  assert_null(st.end);
  resume_free(&st);
  free(path);
}

static void plan_hash__follows_the_text_of_every_unit(void **state) {
  (void)state;
  diag_list d = {0};
  const char *a = "runbook \"x\" {\n  title = \"x\"\n}\n", *b = "runbook \"x\" {\n  title = \"y\"\n}\n";
  rbk_program *pa = program_load_string("a.rbk", a, strlen(a), &d);
  rbk_program *pa2 = program_load_string("elsewhere/a.rbk", a, strlen(a), &d);
  rbk_program *pb = program_load_string("a.rbk", b, strlen(b), &d);
  char *ha = journal_plan_hash(pa), *ha2 = journal_plan_hash(pa2), *hb = journal_plan_hash(pb);
  assert_int_equal(strlen(ha), 7 + 64);
  assert_memory_equal(ha, "sha256:", 7);
  assert_string_equal(ha, ha2);
  assert_string_not_equal(ha, hb);
  free(ha), free(ha2), free(hb);
  program_free(pa), program_free(pa2), program_free(pb);
  diag_free(&d);
}

static void run_id__is_utc_time_and_a_random_suffix(void **state) {
  (void)state;
  char *a = journal_new_run_id(CLOCK_VIRTUAL_EPOCH_MS), *b = journal_new_run_id(CLOCK_VIRTUAL_EPOCH_MS);
  assert_int_equal(strlen(a), strlen("20250101T000000Z-123456"));
  assert_memory_equal(a, "20250101T000000Z-", 17);
  assert_string_not_equal(a, b);
  free(a), free(b);
  char buf[40];
  assert_string_equal(journal_format_time(CLOCK_VIRTUAL_EPOCH_MS + 83456, buf, sizeof buf), "2025-01-01T00:01:23.456Z");
}

static void text__events_read_as_timeline_lines(void **state) {
  (void)state;
  rbk_event end = {.kind = RBK_EV_STEP_END, .step = "a › b", .status = RBK_STATUS_FAILED, .message = "boom",
                   .duration_ms = 12300};
  char *t = out_text_event(&end, false);
  assert_string_equal(t, "✗ step \"a › b\" failed (12.3s): boom");
  free(t);
  rbk_event appr = {.kind = RBK_EV_APPROVAL, .status = RBK_STATUS_OK, .message = "Go?", .who = "alice", .how = "tty",
                    .duration_ms = -1};
  t = out_text_event(&appr, false);
  assert_string_equal(t, "✓ approved \"Go?\" by alice (tty)");
  free(t);
  rbk_event read = {.kind = RBK_EV_ACTION_START, .action = "get", .duration_ms = -1};
  assert_null(out_text_event(&read, false));
  assert_int_equal(out_text_depth("a › b"), 2);
  assert_int_equal(out_text_depth(NULL), 0);
  char buf[24];
  assert_string_equal(out_text_clock(3723456, buf, sizeof buf), "01:02:03.456");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(path_for__default_and_dirs__name_the_run_file, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(sink__writes_one_record_per_event__with_seq_time_and_metadata, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(resume__done_steps_and_started_mutating_actions__are_listed, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(resume__completions_replayed_and_returns_kept, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(open__fresh_on_a_journal_with_records__is_refused, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(append__to_dev_full__fails_with_enospc_and_stays_failed, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(open__under_a_file__fails_with_the_reason, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(load__incomplete_last_line__is_ignored_and_reported, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(load__garbage_line_or_no_run_start__is_an_error, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(resume_record__is_written_as_resume_with_following_seq, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(resume__gates_passed_before_a_mutation__are_replayed, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(resume__finished_handlers_run_again_interrupted_ones_continue, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(open__a_journal_open_elsewhere__is_refused, make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(load__no_complete_record__says_nothing_was_done, make_dir, remove_dir),
      cmocka_unit_test(typed__every_data_kind__comes_back_with_its_kind),
      cmocka_unit_test(plan_hash__follows_the_text_of_every_unit),
      cmocka_unit_test(run_id__is_utc_time_and_a_random_suffix),
      cmocka_unit_test(text__events_read_as_timeline_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
