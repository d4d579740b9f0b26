/* test_builtins.c — what only the C API of builtins_call can reach: its own arity checks (the
 * engine checks the argument count before calling) and refusing actions. Every built-in's
 * behaviour is a case of the tests/golden/builtins files, run through `rbk eval`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "builtins.h"
#include "value.h"

static builtin_ctx ctx = {NULL, NULL, NULL, NULL, NULL, 0};

/* Asserts that calling id with the n args (taken) fails with the message `want`. */
static void assert_call_error(sig_id id, rbk_value **args, size_t n, const char *want) {
  char *err = NULL;
  rbk_value *r = builtins_call(id, args, n, NULL, &ctx, &err);
  for (size_t i = 0; i < n; i++) value_unref(args[i]);
  if (r) fail_msg("expected an error, got a %s", value_kind_name(r->kind));
  assert_non_null(err);
  assert_string_equal(err, want);
  free(err);
}

static void builtins__too_many_arguments__is_an_error(void **state) {
  (void)state;
  rbk_value *args[] = {value_list(0), value_list(0)};
  assert_call_error(FN_LEN, args, 2, "len: expected at most 1 argument, got 2");
}

static void builtins__missing_argument__is_an_error(void **state) {
  (void)state;
  rbk_value *args[] = {value_cstring("a")};
  assert_call_error(FN_SPLIT, args, 1, "split: missing argument sep");
}

static void builtins__action__is_not_a_builtin(void **state) {
  (void)state;
  rbk_value *args[] = {value_cstring("deployment/x")};
  assert_call_error(FN_K_GET, args, 1, "get: is not a built-in function (it is a constructor or an action)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(builtins__too_many_arguments__is_an_error),
      cmocka_unit_test(builtins__missing_argument__is_an_error),
      cmocka_unit_test(builtins__action__is_not_a_builtin),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
