/* test_grow.c — grow_array / GROW, the one array-growth helper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "grow.h"

/* Growing one element at a time keeps every element and doubles the capacity from 8. */
static void grow__push__keeps_items_and_doubles(void **state) {
  (void)state;
  int *items = NULL;
  size_t len = 0, cap = 0;
  for (int i = 0; i < 100; i++) {
    assert_true(GROW(items, cap, len + 1));
    items[len++] = i;
  }
  for (int i = 0; i < 100; i++) assert_int_equal(items[i], i);
  assert_int_equal(cap, 128);
  free(items);
}

/* A request that already fits changes nothing; a big one jumps straight to a power-of-two capacity. */
static void grow__need__fits_or_jumps(void **state) {
  (void)state;
  char *s = NULL;
  size_t cap = 0;
  assert_true(GROW(s, cap, 0));
  assert_null(s);
  assert_int_equal(cap, 0);
  assert_true(GROW(s, cap, 1000));
  assert_non_null(s);
  assert_int_equal(cap, 1024);
  char *before = s;
  assert_true(GROW(s, cap, 1024));
  assert_ptr_equal(s, before);
  assert_int_equal(cap, 1024);
  free(s);
}

/* Sizes that overflow fail and leave the array, its contents and its capacity untouched. */
static void grow__overflow__fails_untouched(void **state) {
  (void)state;
  double *d = NULL;
  size_t cap = 0;
  assert_true(GROW(d, cap, 3));
  d[0] = 1.5;
  double *before = d;
  assert_false(GROW(d, cap, SIZE_MAX / 4)); /* elements fit size_t, bytes do not */
  assert_false(GROW(d, cap, SIZE_MAX));     /* the capacity itself cannot double that far */
  assert_ptr_equal(d, before);
  assert_int_equal(cap, 8);
  assert_true(d[0] == 1.5);
  free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(grow__push__keeps_items_and_doubles),
      cmocka_unit_test(grow__need__fits_or_jumps),
      cmocka_unit_test(grow__overflow__fails_untouched),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
