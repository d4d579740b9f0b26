/* builtins_order.c — sum, min, max, sort, sort_by: the built-ins that add or order values; range. */
#include <stdlib.h>
#include <string.h>

#include "builtins_impl.h"
#include "valops.h"

/* Returns true when values of this kind can be ordered (numbers, strings, durations, times). */
static bool orderable(val_kind k) {
  return k == VAL_INT || k == VAL_FLOAT || k == VAL_STRING || k == VAL_DURATION || k == VAL_TIME;
}

/* Returns true when every one of the n values orders against the first; else reports the first
 * that does not ("what" names the values: "element" or "key"). */
static bool check_orderable(const bi_call *c, rbk_value *const *vals, size_t n, const char *what) {
  int cmp;
  for (size_t i = 0; i < n; i++) {
    if (!orderable(vals[i]->kind)) {
      builtins_fail(c, "cannot order %s [%zu]: it is %s (expected numbers, strings, durations or times)", what, i,
                    value_kind_article(vals[i]->kind));
      return false;
    }
    if (!value_compare(vals[0], vals[i], &cmp)) {
      builtins_fail(c, "cannot compare %s and %s (%ss [0] and [%zu])", value_kind_name(vals[0]->kind),
                    value_kind_name(vals[i]->kind), what, i);
      return false;
    }
  }
  return true;
}

/* sum(list): ints add to an int, any float makes a float, durations add to a duration; 0 for []. */
rbk_value *builtins_sum(const bi_call *c) {
  if (!builtins_is(c, 0, VAL_LIST)) return builtins_want(c, 0, "a list");
  const rbk_value *list = builtins_arg(c, 0);
  rbk_value *acc = list->u.list.len ? value_ref(list->u.list.items[0]) : value_int(0);
  for (size_t i = 0; acc && i < list->u.list.len; i++) {
    rbk_value *item = list->u.list.items[i];
    val_kind k = item->kind;
    bool same_family = (k == VAL_DURATION) == (acc->kind == VAL_DURATION);
    if ((k != VAL_INT && k != VAL_FLOAT && k != VAL_DURATION) || !same_family) {
      value_unref(acc);
      return builtins_fail(c, "element [%zu] is %s, expected %s", i, value_kind_article(k),
                           list->u.list.items[0]->kind == VAL_DURATION ? "a duration" : "a number");
    }
    if (i == 0) continue;
    char *e = NULL;
    rbk_value *next = valops_binary(OP_ADD, acc, item, &e);
    value_unref(acc);
    if (!next) {
      builtins_fail(c, "%s", e ? e : "out of memory");
      free(e);
      return NULL;
    }
    acc = next;
  }
  return acc ? acc : builtins_oom(c);
}

/* Returns min (sign -1) or max (sign 1) of one list argument or of several arguments. */
static rbk_value *extreme(const bi_call *c, int sign) {
  rbk_value *const *vals = c->args;
  size_t n = c->n;
  bool one_list = n == 1;
  if (one_list) {
    if (!builtins_is(c, 0, VAL_LIST)) return builtins_want(c, 0, "a list or at least two values");
    vals = c->args[0]->u.list.items;
    n = c->args[0]->u.list.len;
    if (n == 0) return builtins_fail(c, "empty list");
  }
  if (!check_orderable(c, vals, n, one_list ? "element" : "argument")) return NULL;
  size_t best = 0;
  for (size_t i = 1; i < n; i++) {
    int cmp = 0;
    value_compare(vals[i], vals[best], &cmp);
    if (cmp * sign > 0) best = i;
  }
  return value_ref(vals[best]);
}

/* min(list) or min(a, b, …): the smallest; the first of equal ones. */
rbk_value *builtins_min(const bi_call *c) { return extreme(c, -1); }

/* max(list) or max(a, b, …): the largest; the first of equal ones. */
rbk_value *builtins_max(const bi_call *c) { return extreme(c, 1); }

/* Returns true when key a orders after key b. */
static bool after(const rbk_value *a, const rbk_value *b) {
  int cmp = 0;
  value_compare(a, b, &cmp);
  return cmp > 0;
}

/* Sorts idx[0..n) by keys[idx[i]], stable (merge sort through tmp). */
static void merge_sort(size_t *idx, size_t *tmp, size_t n, rbk_value *const *keys) {
  if (n < 2) return;
  size_t half = n / 2, i = 0, j = half, k = 0;
  merge_sort(idx, tmp, half, keys);
  merge_sort(idx + half, tmp, n - half, keys);
  while (i < half && j < n) tmp[k++] = after(keys[idx[i]], keys[idx[j]]) ? idx[j++] : idx[i++];
  while (i < half) tmp[k++] = idx[i++];
  while (j < n) tmp[k++] = idx[j++];
  memcpy(idx, tmp, n * sizeof *idx);
}

/* Returns the list's elements ordered by keys (one per element, already checked), stably. */
static rbk_value *sorted_by(const bi_call *c, const rbk_value *list, rbk_value *const *keys) {
  size_t n = list->u.list.len;
  size_t *idx = malloc((n ? n : 1) * sizeof *idx), *tmp = malloc((n ? n : 1) * sizeof *tmp);
  rbk_value *out = idx && tmp ? value_list(n) : NULL;
  if (out) {
    for (size_t i = 0; i < n; i++) idx[i] = i;
    merge_sort(idx, tmp, n, keys);
    for (size_t i = 0; out && i < n; i++)
      if (!value_list_push(out, value_ref(list->u.list.items[idx[i]]))) {
        value_unref(out);
        out = NULL;
      }
  }
  free(idx);
  free(tmp);
  return out ? out : builtins_oom(c);
}

/* sort(list): ascending; numbers, strings, durations or times (not mixed). */
rbk_value *builtins_sort(const bi_call *c) {
  if (!builtins_is(c, 0, VAL_LIST)) return builtins_want(c, 0, "a list");
  const rbk_value *list = builtins_arg(c, 0);
  if (!check_orderable(c, list->u.list.items, list->u.list.len, "element")) return NULL;
  return sorted_by(c, list, list->u.list.items);
}

/* Releases the first n keys and the array. */
static void free_keys(rbk_value **keys, size_t n) {
  for (size_t i = 0; i < n; i++) value_unref(keys[i]);
  free(keys);
}

/* sort_by(list, key): the elements ordered by key(element), stable. */
rbk_value *builtins_sort_by(const bi_call *c) {
  if (!builtins_is(c, 0, VAL_LIST)) return builtins_want(c, 0, "a list");
  const rbk_value *list = builtins_arg(c, 0);
  size_t n = list->u.list.len;
  rbk_value **keys = calloc(n ? n : 1, sizeof *keys);
  if (!keys) return builtins_oom(c);
  for (size_t i = 0; i < n; i++) {
    keys[i] = builtins_apply(c, 1, list->u.list.items[i]);
    if (!keys[i]) {
      free_keys(keys, i);
      return NULL;
    }
  }
  rbk_value *out = check_orderable(c, keys, n, "key") ? sorted_by(c, list, keys) : NULL;
  free_keys(keys, n);
  return out;
}

/* range(n): 0 … n-1; range(a, b): a … b-1 (empty when b <= a); more than SIG_RANGE_MAX elements is
 * an error. */
rbk_value *builtins_range(const bi_call *c) {
  if (!builtins_is(c, 0, VAL_INT)) return builtins_want(c, 0, "an int");
  if (builtins_arg(c, 1) && !builtins_is(c, 1, VAL_INT)) return builtins_want(c, 1, "an int");
  int64_t from = builtins_arg(c, 1) ? builtins_arg(c, 0)->u.i : 0;
  int64_t to = builtins_arg(c, 1) ? builtins_arg(c, 1)->u.i : builtins_arg(c, 0)->u.i;
  size_t n;
  if (!sig_range_len(from, to, &n))
    return builtins_fail(c, "%lld … %lld is longer than %d elements (ranges are bounded)", (long long)from,
                         (long long)to - 1, SIG_RANGE_MAX);
  rbk_value *list = value_list(n);
  for (size_t i = 0; list && i < n; i++)
    if (!value_list_push(list, value_int(from + (int64_t)i))) {
      value_unref(list);
      list = NULL;
    }
  return list ? list : builtins_oom(c);
}
