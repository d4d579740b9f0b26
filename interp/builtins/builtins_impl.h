/* builtins_impl.h — what the built-in functions share (private to interp/builtins*.c).
 *
 * Every builtins_<name> function takes one prepared call and returns a new reference, or NULL with
 * *c->err set to "<name>: <problem>". Arguments are borrowed from the caller of builtins_call().
 *
 * Ownership: arguments are borrowed; results are new references (caller unrefs); *c->err is a new
 * string (caller frees).
 */
#ifndef RBK_BUILTINS_IMPL_H
#define RBK_BUILTINS_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "sig.h"
#include "value.h"

/* The most parameters a built-in declares. */
#define BI_MAX_PARAMS 8

/* One call of a built-in with its arguments in parameter order (NULL for absent optional ones). */
typedef struct {
  const sig_info *sig;
  rbk_value *const *args; /* positional and by-name arguments, parameter order; n of them */
  size_t n;
  rbk_value *slots[BI_MAX_PARAMS]; /* storage that args points to for non-variadic built-ins */
  sig_param params[BI_MAX_PARAMS];
  size_t nparams;
  const builtin_ctx *ctx;
  char **err;
} bi_call;

/* Returns NULL after setting *c->err to "<name>: " and the formatted message. */
rbk_value *builtins_fail(const bi_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns NULL after reporting that argument i is not `what` ("a list, object or string"). */
rbk_value *builtins_want(const bi_call *c, size_t i, const char *what);
/* Returns NULL after reporting that memory ran out. */
rbk_value *builtins_oom(const bi_call *c);
/* Returns argument i (borrowed), or NULL when it was not given. */
const rbk_value *builtins_arg(const bi_call *c, size_t i);
/* Returns true when argument i was given and is of `kind`. */
bool builtins_is(const bi_call *c, size_t i, val_kind kind);
/* Returns true when the string s (len bytes) is valid UTF-8. */
bool builtins_utf8_valid(const char *s, size_t len);
/* Returns the result of the lambda argument i applied to item, or NULL with *c->err set. */
rbk_value *builtins_apply(const bi_call *c, size_t i, rbk_value *item);
/* Returns the bool result of the predicate argument i on element `at` of the list, as 0 or 1, or
 * -1 with *c->err set (also when the predicate returns something other than a bool). */
int builtins_test(const bi_call *c, size_t i, rbk_value *item, size_t at);

/* The built-ins, by file. */
/* builtins_list.c */
rbk_value *builtins_len(const bi_call *c);
rbk_value *builtins_count(const bi_call *c);
rbk_value *builtins_all(const bi_call *c);
rbk_value *builtins_any(const bi_call *c);
rbk_value *builtins_filter(const bi_call *c);
rbk_value *builtins_map(const bi_call *c);
rbk_value *builtins_keys(const bi_call *c);
rbk_value *builtins_values(const bi_call *c);
rbk_value *builtins_merge(const bi_call *c);
rbk_value *builtins_contains(const bi_call *c);
/* builtins_order.c */
rbk_value *builtins_sum(const bi_call *c);
rbk_value *builtins_min(const bi_call *c);
rbk_value *builtins_max(const bi_call *c);
rbk_value *builtins_sort(const bi_call *c);
rbk_value *builtins_sort_by(const bi_call *c);
rbk_value *builtins_range(const bi_call *c);
/* builtins_str.c */
rbk_value *builtins_startswith(const bi_call *c);
rbk_value *builtins_endswith(const bi_call *c);
rbk_value *builtins_matches(const bi_call *c);
rbk_value *builtins_split(const bi_call *c);
rbk_value *builtins_join(const bi_call *c);
rbk_value *builtins_upper(const bi_call *c);
rbk_value *builtins_lower(const bi_call *c);
rbk_value *builtins_trim(const bi_call *c);
rbk_value *builtins_str(const bi_call *c);
/* builtins_conv.c */
rbk_value *builtins_int(const bi_call *c);
rbk_value *builtins_float(const bi_call *c);
rbk_value *builtins_json(const bi_call *c);
rbk_value *builtins_yaml(const bi_call *c);
rbk_value *builtins_to_json(const bi_call *c);
rbk_value *builtins_to_yaml(const bi_call *c);
/* builtins_base64.c */
rbk_value *builtins_base64(const bi_call *c);
rbk_value *builtins_unbase64(const bi_call *c);
/* builtins_env.c */
rbk_value *builtins_env(const bi_call *c);
rbk_value *builtins_secret(const bi_call *c);
rbk_value *builtins_file(const bi_call *c);
/* builtins_time.c */
rbk_value *builtins_now(const bi_call *c);
rbk_value *builtins_since(const bi_call *c);
rbk_value *builtins_parse_time(const bi_call *c);
rbk_value *builtins_format_time(const bi_call *c);

#endif
