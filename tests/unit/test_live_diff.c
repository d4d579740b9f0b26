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

static void live_diff_fields__scale__only_the_spec_change(void **state) {
  (void)state;
  lines l = {""};
  const char *before = "{\"kind\":\"Scale\",\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"7\"},\"spec\":{\"replicas\":3},"
                       "\"status\":{\"replicas\":3}}";
  const char *after = "{\"kind\":\"Scale\",\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"8\"},\"spec\":{\"replicas\":0},"
                      "\"status\":{\"replicas\":2}}";
  assert_int_equal(live_diff_fields(before, after, 20, collect, &l), 1);
  assert_string_equal(l.text, "~ spec.replicas: 3 → 0\n");
}

static void live_diff_fields__image_in_a_list__indexed_path(void **state) {
  (void)state;
  lines l = {""};
  const char *before = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:2\"}]}}}}";
  const char *after = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\"}]},"
                      "\"metadata\":{\"annotations\":{\"r\":\"1\"}}}}}";
  assert_int_equal(live_diff_fields(before, after, 20, collect, &l), 2);
  assert_string_equal(l.text, "+ spec.template.metadata.annotations.r: 1\n~ spec.template.spec.containers[0].image: a:2 → a:1\n");
}

static void live_diff_fields__secret__values_masked_changes_shown(void **state) {
  (void)state;
  lines l = {""};
  const char *before = "{\"kind\":\"Secret\",\"data\":{\"password\":\"czNjcmV0\",\"user\":\"YXBw\"}}";
  const char *after = "{\"kind\":\"Secret\",\"data\":{\"password\":\"b2xk\",\"user\":\"YXBw\"}}";
  assert_int_equal(live_diff_fields(before, after, 20, collect, &l), 1);
  assert_string_equal(l.text, "~ data.password: *** → ***\n");
  assert_null(strstr(l.text, "b2xk"));
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
      cmocka_unit_test(live_diff_fields__scale__only_the_spec_change),
      cmocka_unit_test(live_diff_fields__image_in_a_list__indexed_path),
      cmocka_unit_test(live_diff_fields__secret__values_masked_changes_shown),
      cmocka_unit_test(live_diff_fields__new_object_and_cap__plus_lines_then_more),
      cmocka_unit_test(live_diff_fields__not_an_object__minus_one),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
