/* test_live_diff.c — the changed fields of a dry-run write (live_diff.c): server-maintained fields
 * left out, a Secret's values masked but their change shown, a new object's fields, the line cap,
 * and texts that are not JSON objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "live_diff.h"

/* The lines received, joined with '\n'. */
typedef struct {
  char text[2048];
} lines;

/* Collects one line. */
static void collect(void *user, const char *text) {
  lines *l = user;
  size_t n = strlen(l->text);
  snprintf(l->text + n, sizeof l->text - n, "%s\n", text);
}

/* One changed object: before, after, the number of changed fields and the lines expected. */
typedef struct {
  const char *before, *after;
  long changed;
  const char *want;
} diff_case;

static const diff_case cases[] = {
    /* a scale: only the spec change (resourceVersion and status are the server's) */
    {"{\"kind\":\"Scale\",\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"7\"},\"spec\":{\"replicas\":3},\"status\":{\"replicas\":3}}",
     "{\"kind\":\"Scale\",\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"8\"},\"spec\":{\"replicas\":0},\"status\":{\"replicas\":2}}", 1,
     "~ spec.replicas: 3 → 0\n"},
    /* an image in a list: an indexed path; an added annotation */
    {"{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:2\"}]}}}}",
     "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]},\"metadata\":{\"annotations\":{\"r\":\"1\"}}}}}", 2,
     "+ spec.template.metadata.annotations.r: 1\n~ spec.template.spec.containers[0].image: a:2 → a:1\n"},
    /* a Secret: values masked, the change shown, the unchanged key left out */
    {"{\"kind\":\"Secret\",\"data\":{\"password\":\"czNjcmV0\",\"user\":\"YXBw\"}}",
     "{\"kind\":\"Secret\",\"data\":{\"password\":\"b2xk\",\"user\":\"YXBw\"}}", 1, "~ data.password: *** → ***\n"},
};

static void live_diff_fields__changed_objects__their_changed_fields(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    lines l = {""};
    assert_int_equal(live_diff_fields(cases[i].before, cases[i].after, 20, collect, &l), cases[i].changed);
    assert_string_equal(l.text, cases[i].want);
  }
}

static void live_diff_fields__new_object_and_cap__plus_lines_then_more(void **state) {
  (void)state;
  lines l = {""};
  const char *after = "{\"a\":1,\"b\":\"two\",\"c\":[true,null]}";
  assert_int_equal(live_diff_fields(NULL, after, 2, collect, &l), 4);
  assert_string_equal(l.text, "+ a: 1\n+ b: two\n… 2 more\n");
}

static void live_diff_fields__not_an_object__minus_one(void **state) {
  (void)state;
  lines l = {""};
  assert_int_equal(live_diff_fields("{\"a\":1}", "not json", 20, collect, &l), -1);
  assert_int_equal(live_diff_fields("[1]", "{\"a\":1}", 20, collect, &l), -1);
  assert_string_equal(l.text, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(live_diff_fields__changed_objects__their_changed_fields),
      cmocka_unit_test(live_diff_fields__new_object_and_cap__plus_lines_then_more),
      cmocka_unit_test(live_diff_fields__not_an_object__minus_one),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
