/* test_kube_due.c — the kube runtime's heap of due times and list of finished ops (kube_due.h),
 * and the per-origin pool of the HTTP transport (http_pool.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_pool.h"
#include "kube_due.h"

/* A stand-in op: kube_due only hands the pointer back, its due time comes from timers(). */
typedef struct {
  int64_t due;
} fake_op;

/* Returns the fake op's current due time. */
static int64_t timers(const kube_op *op) { return ((const fake_op *)(const void *)op)->due; }

static void due__pops_by_time_then_creation__skips_moved_and_freed(void **state) {
  (void)state;
  kube_due d = {0};
  fake_op a = {300}, b = {100}, c = {100}, e = {50};
  uint32_t sa, sb, sc, se;
  assert_true(kube_due_add(&d, (kube_op *)(void *)&a, 1, &sa));
  assert_true(kube_due_add(&d, (kube_op *)(void *)&b, 2, &sb));
  assert_true(kube_due_add(&d, (kube_op *)(void *)&c, 3, &sc));
  assert_true(kube_due_add(&d, (kube_op *)(void *)&e, 4, &se));
  kube_due_at(&d, sc, 100), kube_due_at(&d, sa, 300), kube_due_at(&d, sb, 100), kube_due_at(&d, se, 50);
  kube_due_remove(&d, se);               /* freed: its entry is skipped */
  assert_int_equal(kube_due_next(&d, timers), 100);
  assert_null(kube_due_pop(&d, 99, timers));
  assert_ptr_equal(kube_due_pop(&d, 100, timers), &b); /* same time: creation order (id 2 before 3) */
  c.due = 200;                           /* moved later: re-queued at its own time */
  assert_null(kube_due_pop(&d, 150, timers));
  assert_int_equal(kube_due_next(&d, timers), 200);
  assert_ptr_equal(kube_due_pop(&d, 1000, timers), &c);
  c.due = INT64_MAX;
  assert_ptr_equal(kube_due_pop(&d, 1000, timers), &a);
  a.due = INT64_MAX;
  assert_null(kube_due_pop(&d, 1000, timers));
  assert_int_equal(kube_due_next(&d, timers), INT64_MAX);
  assert_false(kube_due_lost(&d));
  kube_due_free(&d);
}

static void due__finished_in_order__freed_come_back_null(void **state) {
  (void)state;
  kube_due d = {0};
  fake_op a = {INT64_MAX}, b = {INT64_MAX};
  uint32_t sa, sb, sb2;
  assert_true(kube_due_add(&d, (kube_op *)(void *)&a, 1, &sa));
  assert_true(kube_due_add(&d, (kube_op *)(void *)&b, 2, &sb));
  kube_due_finished(&d, sb), kube_due_finished(&d, sa);
  kube_due_remove(&d, sb);
  assert_true(kube_due_add(&d, (kube_op *)(void *)&b, 3, &sb2)); /* the slot is reused, a new generation */
  assert_int_equal(sb2, sb);
  kube_op **fin;
  assert_int_equal(kube_due_take_finished(&d, &fin), 2);
  assert_null(fin[0]);
  assert_ptr_equal(fin[1], &a);
  free(fin);
  assert_int_equal(kube_due_take_finished(&d, &fin), 0);
  kube_due_free(&d);
}

static void pool__bounded_fifo__h2_raises_the_bound(void **state) {
  (void)state;
  http_pool p = {0};
  http_pool_origin *o = http_pool_origin_of(&p, "https://h:1");
  assert_ptr_equal(http_pool_origin_of(&p, "https://h:1"), o);
  assert_ptr_not_equal(http_pool_origin_of(&p, "https://h:2"), o);
  int items[HTTP_POOL_H1 + 10];
  for (int i = 0; i < HTTP_POOL_H1 + 10; i++) assert_true(http_pool_wait(o, &items[i]));
  for (int i = 0; i < HTTP_POOL_H1; i++) assert_ptr_equal(http_pool_admit(o), &items[i]);
  assert_null(http_pool_admit(o));       /* full */
  http_pool_unwait(o, &items[HTTP_POOL_H1]);
  assert_int_equal(http_pool_waiting(&p), 9);
  http_pool_done(o);
  assert_ptr_equal(http_pool_admit(o), &items[HTTP_POOL_H1 + 1]);
  o->h2 = true;                          /* multiplexed: room for the rest */
  for (int i = HTTP_POOL_H1 + 2; i < HTTP_POOL_H1 + 10; i++) assert_ptr_equal(http_pool_admit(o), &items[i]);
  assert_null(http_pool_admit(o));
  assert_int_equal(http_pool_waiting(&p), 0);
  http_pool_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(due__pops_by_time_then_creation__skips_moved_and_freed),
      cmocka_unit_test(due__finished_in_order__freed_come_back_null),
      cmocka_unit_test(pool__bounded_fifo__h2_raises_the_bound),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
