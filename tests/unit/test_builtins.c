/* test_builtins.c — the pure, environment and clock built-ins (builtin_call). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "valops.h"
#include "value.h"

/* ---- fixtures: lambdas written in C, an environment, a clock ---- */

typedef struct {
  rbk_value *(*fn)(rbk_value *arg, char **err);
} test_fn;

/* Returns arg's member `key` (a new reference), or NULL with an error like the engine's. */
static rbk_value *member(rbk_value *arg, const char *key, char **err) {
  rbk_value *v = val_object_get(arg, key);
  if (!v) *err = strdup("missing key");
  return val_ref(v);
}
static rbk_value *fn_heat_loss(rbk_value *p, char **err) { return member(p, "heat_loss", err); }
static rbk_value *fn_name(rbk_value *p, char **err) { return member(p, "name", err); }
static rbk_value *fn_age(rbk_value *p, char **err) { return member(p, "age", err); }
static rbk_value *fn_positive(rbk_value *x, char **err) {
  rbk_value *zero = val_int(0), *r = valop_binary(OP_GT, x, zero, err);
  val_unref(zero);
  return r;
}
static rbk_value *fn_double(rbk_value *x, char **err) {
  rbk_value *two = val_int(2), *r = valop_binary(OP_MUL, x, two, err);
  val_unref(two);
  return r;
}
static rbk_value *fn_fail(rbk_value *x, char **err) {
  (void)x;
  *err = strdup("missing key plant_id");
  return NULL;
}
static const test_fn heat_loss = {fn_heat_loss}, name_of = {fn_name}, age_of = {fn_age}, positive = {fn_positive},
                     doubled = {fn_double}, failing = {fn_fail};

/* Returns a lambda value that runs f. */
static rbk_value *L(const test_fn *f) { return val_lambda((void *)f, NULL, NULL); }

/* The context's apply: runs the test_fn behind the lambda. */
static rbk_value *apply(void *user, const rbk_value *lambda, rbk_value *arg, char **err) {
  (void)user;
  return ((const test_fn *)lambda->u.lambda.code)->fn(arg, err);
}

/* The context's environment: KUBE_CONTEXT, EMPTY, TOKEN; --secret DB_PASSWORD. */
static const char *getenv_fake(void *user, const char *name) {
  (void)user;
  if (!strcmp(name, "KUBE_CONTEXT")) return "prod";
  if (!strcmp(name, "EMPTY")) return "";
  if (!strcmp(name, "TOKEN")) return "env-token";
  return NULL;
}
static const char *getsecret_fake(void *user, const char *name) {
  (void)user;
  if (!strcmp(name, "DB_PASSWORD")) return "from-file";
  if (!strcmp(name, "TOKEN")) return "override-token";
  return NULL;
}

static char base_dir[64];
static builtin_ctx ctx = {NULL, apply, getenv_fake, getsecret_fake, base_dir, 1714564800000};
static char *last_err;

/* Returns the result of calling id with the n args (taken); on failure NULL, last_err set. */
static rbk_value *call_take(sig_id id, rbk_value **args, size_t n) {
  free(last_err);
  last_err = NULL;
  rbk_value *r = builtin_call(id, args, n, NULL, &ctx, &last_err);
  for (size_t i = 0; i < n; i++) val_unref(args[i]);
  return r;
}
#define ARGS(...) (rbk_value *[]){__VA_ARGS__}, sizeof((rbk_value *[]){__VA_ARGS__}) / sizeof(rbk_value *)
#define CALL(id, ...) call_take(id, ARGS(__VA_ARGS__))

/* Returns the value of a JSON text. */
static rbk_value *J(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
  if (!j) fail_msg("bad JSON in test: %s", text);
  rbk_value *v = val_from_json(j);
  json_decref(j);
  return v;
}
static rbk_value *S(const char *s) { return val_cstring(s); }
static rbk_value *I(int64_t i) { return val_int(i); }

/* Asserts that r (taken) is of kind `kind` and shows as `want`. */
static void assert_result(rbk_value *r, val_kind kind, const char *want) {
  if (!r) fail_msg("call failed: %s", last_err);
  char *s = val_show(r);
  if (r->kind != kind) fail_msg("got %s %s, want %s", val_kind_name(r->kind), s, val_kind_name(kind));
  assert_string_equal(s, want);
  free(s);
  val_unref(r);
}

/* Asserts that the call failed with the message `want`. */
static void assert_error(rbk_value *r, const char *want) {
  if (r) {
    char *s = val_show(r);
    fail_msg("expected an error, got %s", s);
  }
  assert_non_null(last_err);
  assert_string_equal(last_err, want);
}

/* Asserts that r (taken) is a secret called `name` with plain text `plain`. */
static void assert_secret(rbk_value *r, const char *name, const char *plain) {
  if (!r) fail_msg("call failed: %s", last_err);
  assert_int_equal(r->kind, VAL_SECRET);
  assert_string_equal(r->u.secret.name, name);
  assert_string_equal(r->u.secret.plain, plain);
  val_unref(r);
}

#define PLANTS "[{\"name\":\"P-1\",\"heat_loss\":false,\"age\":3},{\"name\":\"P-2\",\"heat_loss\":true,\"age\":1}," \
               "{\"name\":\"P-3\",\"heat_loss\":true,\"age\":3}]"

/* ---- arity and dispatch ---- */

static void builtins__too_many_arguments__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_LEN, J("[]"), J("[]")), "len: expected at most 1 argument, got 2");
}

static void builtins__missing_argument__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_SPLIT, S("a")), "split: missing argument sep");
}

static void builtins__argument_by_name__fills_its_position(void **state) {
  (void)state;
  rbk_value *args[] = {S("X_UNSET")}, *named[] = {NULL, S("fallback")};
  free(last_err);
  last_err = NULL;
  rbk_value *r = builtin_call(FN_ENV, args, 1, named, &ctx, &last_err);
  assert_result(r, VAL_STRING, "fallback");
  val_unref(args[0]);
  val_unref(named[1]);
}

static void builtins__action__is_not_a_builtin(void **state) {
  (void)state;
  assert_error(CALL(FN_K_GET, S("deployment/x")), "get: is not a built-in function (it is a constructor or an action)");
}

/* ---- lists and lambdas ---- */

static void builtins__len__counts_elements_keys_and_characters(void **state) {
  (void)state;
  assert_result(CALL(FN_LEN, J("[1,2,3]")), VAL_INT, "3");
  assert_result(CALL(FN_LEN, J("{\"a\":1}")), VAL_INT, "1");
  assert_result(CALL(FN_LEN, S("⚠️ heat")), VAL_INT, "7");
}

static void builtins__len_of_int__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_LEN, I(5)), "len: expected a list, object or string, got an int");
}

static void builtins__count__with_and_without_predicate(void **state) {
  (void)state;
  assert_result(CALL(FN_COUNT, J(PLANTS), L(&heat_loss)), VAL_INT, "2");
  assert_result(CALL(FN_COUNT, J(PLANTS)), VAL_INT, "3");
}

static void builtins__predicate_returning_non_bool__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_COUNT, J(PLANTS), L(&name_of)), "count: pred returned a string for element [0], expected a bool");
}

static void builtins__lambda_error__names_the_function(void **state) {
  (void)state;
  assert_error(CALL(FN_MAP, J("[1]"), L(&failing)), "map: missing key plant_id");
}

static void builtins__all_any__short_circuit_and_handle_empty(void **state) {
  (void)state;
  assert_result(CALL(FN_ALL, J(PLANTS), L(&heat_loss)), VAL_BOOL, "false");
  assert_result(CALL(FN_ANY, J(PLANTS), L(&heat_loss)), VAL_BOOL, "true");
  assert_result(CALL(FN_ALL, J("[]")), VAL_BOOL, "true");
  assert_result(CALL(FN_ANY, J("[]")), VAL_BOOL, "false");
  assert_result(CALL(FN_ANY, J("[false, true, 3]")), VAL_BOOL, "true");
}

static void builtins__all_without_predicate__requires_bools(void **state) {
  (void)state;
  assert_error(CALL(FN_ALL, J("[true, 1]")), "all: element [1] is an int, expected a bool (or pass a predicate)");
}

static void builtins__filter_then_map__select_and_transform(void **state) {
  (void)state;
  assert_result(CALL(FN_FILTER, J("[3, -1, 0, 7]"), L(&positive)), VAL_LIST, "[3,7]");
  assert_result(CALL(FN_MAP, J("[1, 2.5]"), L(&doubled)), VAL_LIST, "[2,5.0]");
}

static void builtins__filter_of_object__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_FILTER, J("{}"), L(&positive)), "filter: expected a list as list, got an object");
}

static void builtins__filter_without_lambda__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_FILTER, J("[1]"), I(1)), "filter: expected a lambda (x => …) as pred, got an int");
}

static void builtins__keys_values__keep_insertion_order(void **state) {
  (void)state;
  assert_result(CALL(FN_KEYS, J("{\"z\":1,\"a\":2}")), VAL_LIST, "[\"z\",\"a\"]");
  assert_result(CALL(FN_VALUES, J("{\"z\":1,\"a\":2}")), VAL_LIST, "[1,2]");
}

static void builtins__merge__is_deep_and_b_wins(void **state) {
  (void)state;
  assert_result(CALL(FN_MERGE, J("{\"a\":{\"x\":1,\"y\":2},\"l\":[1],\"k\":1}"), J("{\"a\":{\"y\":3,\"z\":4},\"l\":[2],\"n\":0}")),
                VAL_OBJECT, "{\"a\":{\"x\":1,\"y\":3,\"z\":4},\"l\":[2],\"k\":1,\"n\":0}");
  assert_error(CALL(FN_MERGE, J("{}"), J("[]")), "merge: expected an object as b, got a list");
}

static void builtins__contains__list_object_and_string(void **state) {
  (void)state;
  assert_result(CALL(FN_CONTAINS, J("[1, \"a\"]"), S("a")), VAL_BOOL, "true");
  assert_result(CALL(FN_CONTAINS, J("{\"a\":1}"), S("b")), VAL_BOOL, "false");
  assert_result(CALL(FN_CONTAINS, S("rollback complete"), S("back")), VAL_BOOL, "true");
  assert_error(CALL(FN_CONTAINS, S("abc"), I(1)), "contains: expected a string as needle, got an int");
}

/* ---- sum, min, max, sort ---- */

static void builtins__sum__adds_numbers_and_durations(void **state) {
  (void)state;
  assert_result(CALL(FN_SUM, J("[1, 2, 3]")), VAL_INT, "6");
  assert_result(CALL(FN_SUM, J("[1, 2.5]")), VAL_FLOAT, "3.5");
  assert_result(CALL(FN_SUM, J("[]")), VAL_INT, "0");
  rbk_value *ds = val_list(2);
  val_list_push(ds, val_duration(60000));
  val_list_push(ds, val_duration(30000));
  assert_result(CALL(FN_SUM, ds), VAL_DURATION, "1m30s");
}

static void builtins__sum_of_strings__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_SUM, J("[1, \"2\"]")), "sum: element [1] is a string, expected a number");
  assert_error(CALL(FN_SUM, J("[9223372036854775807, 1]")), "sum: integer overflow in +");
}

static void builtins__min_max__of_list_or_arguments(void **state) {
  (void)state;
  assert_result(CALL(FN_MIN, J("[3, 1.5, 2]")), VAL_FLOAT, "1.5");
  assert_result(CALL(FN_MAX, I(3), I(9), I(4)), VAL_INT, "9");
  assert_result(CALL(FN_MAX, val_duration(1000), val_duration(90000)), VAL_DURATION, "1m30s");
  assert_result(CALL(FN_MIN, J("[\"b\", \"a\"]")), VAL_STRING, "a");
}

static void builtins__min_max__errors(void **state) {
  (void)state;
  assert_error(CALL(FN_MIN, J("[]")), "min: empty list");
  assert_error(CALL(FN_MAX, I(3)), "max: expected a list or at least two values, got an int");
  assert_error(CALL(FN_MAX, I(1), S("2")), "max: cannot compare int and string (arguments [0] and [1])");
}

static void builtins__sort__orders_ascending(void **state) {
  (void)state;
  assert_result(CALL(FN_SORT, J("[3, 1.5, -2, 10]")), VAL_LIST, "[-2,1.5,3,10]");
  assert_result(CALL(FN_SORT, J("[\"pear\", \"apple\", \"fig\"]")), VAL_LIST, "[\"apple\",\"fig\",\"pear\"]");
  assert_result(CALL(FN_SORT, J("[]")), VAL_LIST, "[]");
}

static void builtins__sort_mixed_kinds__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_SORT, J("[1, \"a\"]")), "sort: cannot compare int and string (elements [0] and [1])");
  assert_error(CALL(FN_SORT, J("[true]")),
               "sort: cannot order element [0]: it is a bool (expected numbers, strings, durations or times)");
}

static void builtins__sort_by__is_stable(void **state) {
  (void)state;
  assert_result(CALL(FN_MAP, CALL(FN_SORT_BY, J(PLANTS), L(&age_of)), L(&name_of)), VAL_LIST, "[\"P-2\",\"P-1\",\"P-3\"]");
}

/* ---- strings ---- */

static void builtins__startswith_endswith__check_affixes(void **state) {
  (void)state;
  assert_result(CALL(FN_STARTSWITH, S("deployment/x"), S("deployment/")), VAL_BOOL, "true");
  assert_result(CALL(FN_ENDSWITH, S("x"), S("longer")), VAL_BOOL, "false");
}

static void builtins__matches__searches_with_extended_regex(void **state) {
  (void)state;
  assert_result(CALL(FN_MATCHES, S("gl-001-v1.5.0"), S("v[0-9]+\\.[0-9]+")), VAL_BOOL, "true");
  assert_result(CALL(FN_MATCHES, S("abc"), S("^b")), VAL_BOOL, "false");
}

static void builtins__matches_bad_regex__reports_regerror(void **state) {
  (void)state;
  rbk_value *r = CALL(FN_MATCHES, S("abc"), S("(unclosed"));
  assert_null(r);
  assert_non_null(strstr(last_err, "matches: invalid regex \"(unclosed\": "));
}

static void builtins__split_join__round_trip(void **state) {
  (void)state;
  assert_result(CALL(FN_SPLIT, S("a,,b"), S(",")), VAL_LIST, "[\"a\",\"\",\"b\"]");
  assert_result(CALL(FN_SPLIT, S(""), S(",")), VAL_LIST, "[\"\"]");
  assert_result(CALL(FN_JOIN, J("[\"P-1\", 2, 1.5, true]"), S(", ")), VAL_STRING, "P-1, 2, 1.5, true");
  assert_error(CALL(FN_SPLIT, S("a"), S("")), "split: empty separator");
  assert_error(CALL(FN_JOIN, J("[null]"), S(",")), "join: element [0] is null, expected a string, number, bool, duration or time");
}

static void builtins__join_with_secret__is_a_secret(void **state) {
  (void)state;
  rbk_value *l = J("[\"user\"]");
  val_list_push(l, val_secret("PW", "pa55"));
  assert_secret(CALL(FN_JOIN, l, S(":")), "<expr>", "user:pa55");
}

static void builtins__upper_lower_trim__change_ascii_text(void **state) {
  (void)state;
  assert_result(CALL(FN_UPPER, S("Heat ü")), VAL_STRING, "HEAT ü");
  assert_result(CALL(FN_LOWER, S("ABC")), VAL_STRING, "abc");
  assert_result(CALL(FN_TRIM, S(" \t text \n")), VAL_STRING, "text");
  assert_secret(CALL(FN_TRIM, val_secret("T", " tok\n")), "T", "tok");
}

static void builtins__str__shows_values_and_keeps_secrets(void **state) {
  (void)state;
  assert_result(CALL(FN_STR, I(42)), VAL_STRING, "42");
  assert_result(CALL(FN_STR, val_duration(90000)), VAL_STRING, "1m30s");
  assert_result(CALL(FN_STR, J("{\"a\":[1]}")), VAL_STRING, "{\"a\":[1]}");
  assert_secret(CALL(FN_STR, val_secret("T", "x")), "T", "x");
}

/* ---- conversions ---- */

static void builtins__int__converts_numbers_strings_durations(void **state) {
  (void)state;
  assert_result(CALL(FN_INT, S(" 42 ")), VAL_INT, "42");
  assert_result(CALL(FN_INT, S("-7")), VAL_INT, "-7");
  assert_result(CALL(FN_INT, val_float(3.9)), VAL_INT, "3");
  assert_result(CALL(FN_INT, val_duration(90000)), VAL_INT, "90000");
}

static void builtins__int__rejects_bad_text_and_bools(void **state) {
  (void)state;
  assert_error(CALL(FN_INT, S("12a")), "int: cannot parse \"12a\" as an integer");
  assert_error(CALL(FN_INT, S("3.0")), "int: cannot parse \"3.0\" as an integer");
  assert_error(CALL(FN_INT, S("99999999999999999999")), "int: \"99999999999999999999\" is out of range");
  assert_error(CALL(FN_INT, val_bool(true)), "int: expected a number, a numeric string or a duration, got a bool");
}

static void builtins__float__converts_and_rejects(void **state) {
  (void)state;
  assert_result(CALL(FN_FLOAT, S("85.3")), VAL_FLOAT, "85.3");
  assert_result(CALL(FN_FLOAT, I(2)), VAL_FLOAT, "2.0");
  assert_error(CALL(FN_FLOAT, S("inf")), "float: cannot parse \"inf\" as a float");
  assert_error(CALL(FN_FLOAT, S("1e999")), "float: \"1e999\" is out of range");
  assert_error(CALL(FN_FLOAT, val_null()), "float: expected a number, a numeric string or a duration, got null");
}

static void builtins__json__parses_any_json_value(void **state) {
  (void)state;
  assert_result(CALL(FN_JSON, S("{\"plants\": [{\"id\": 1}], \"ok\": true}")), VAL_OBJECT, "{\"plants\":[{\"id\":1}],\"ok\":true}");
  assert_result(CALL(FN_JSON, S("12.5")), VAL_FLOAT, "12.5");
}

static void builtins__json_invalid__names_line_and_column(void **state) {
  (void)state;
  assert_error(CALL(FN_JSON, S("{\"a\": }")), "json: invalid JSON at line 1 column 7: unexpected token near '}'");
}

static void builtins__yaml__parses_one_document(void **state) {
  (void)state;
  assert_result(CALL(FN_YAML, S("replicas: 3\nimage: 'nginx:1.25'\n")), VAL_OBJECT, "{\"replicas\":3,\"image\":\"nginx:1.25\"}");
  assert_error(CALL(FN_YAML, S("a: [")), "yaml: invalid YAML at line 1 column 5: did not find expected node content (while parsing a flow node)");
}

static void builtins__to_json__is_compact_in_insertion_order(void **state) {
  (void)state;
  rbk_value *o = J("{\"z\": [1, 85.3], \"a\": \"x\"}");
  val_object_set(o, "d", val_duration(90000));
  assert_result(CALL(FN_TO_JSON, o), VAL_STRING, "{\"z\":[1,85.3],\"a\":\"x\",\"d\":\"1m30s\"}");
}

static void builtins__to_json_with_secret__is_a_secret(void **state) {
  (void)state;
  rbk_value *o = J("{\"user\": \"ops\"}");
  val_object_set(o, "password", val_secret("PW", "pa55"));
  assert_secret(CALL(FN_TO_JSON, o), "<expr>", "{\"user\":\"ops\",\"password\":\"pa55\"}");
}

static void builtins__to_json_of_lambda__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_TO_JSON, L(&doubled)), "to_json: cannot convert a lambda to JSON");
}

static void builtins__to_yaml__is_block_style(void **state) {
  (void)state;
  assert_result(CALL(FN_TO_YAML, J("{\"spec\": {\"replicas\": 3, \"tag\": \"1.5\"}}")), VAL_STRING,
                "spec:\n  replicas: 3\n  tag: '1.5'\n");
}

static void builtins__base64__round_trips(void **state) {
  (void)state;
  assert_result(CALL(FN_BASE64, S("user:pa55")), VAL_STRING, "dXNlcjpwYTU1");
  assert_result(CALL(FN_BASE64, S("a")), VAL_STRING, "YQ==");
  assert_result(CALL(FN_BASE64, S("")), VAL_STRING, "");
  assert_result(CALL(FN_UNBASE64, S("dXNlcjpwYTU1")), VAL_STRING, "user:pa55");
  assert_result(CALL(FN_UNBASE64, S("YWI=\n")), VAL_STRING, "ab");
}

static void builtins__unbase64_invalid__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_UNBASE64, S("YQ=")), "unbase64: invalid base64: length 3 is not a multiple of 4");
  assert_error(CALL(FN_UNBASE64, S("Y*==")), "unbase64: invalid base64 character at offset 1");
  assert_error(CALL(FN_UNBASE64, S("/w==")), "unbase64: the decoded bytes are not UTF-8 text");
}

static void builtins__base64_of_secret__stays_secret(void **state) {
  (void)state;
  assert_secret(CALL(FN_BASE64, val_secret("PW", "pa55")), "PW", "cGE1NQ==");
}

/* ---- environment, secrets, files ---- */

static void builtins__env__reads_variable_or_default(void **state) {
  (void)state;
  assert_result(CALL(FN_ENV, S("KUBE_CONTEXT")), VAL_STRING, "prod");
  assert_result(CALL(FN_ENV, S("EMPTY"), S("default")), VAL_STRING, "");
  assert_result(CALL(FN_ENV, S("UNSET"), S("")), VAL_STRING, "");
}

static void builtins__env_unset__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_ENV, S("UNSET")), "env: environment variable UNSET is not set");
}

static void builtins__secret__prefers_override_then_environment(void **state) {
  (void)state;
  assert_secret(CALL(FN_SECRET, S("TOKEN")), "TOKEN", "override-token");
  assert_secret(CALL(FN_SECRET, S("DB_PASSWORD")), "DB_PASSWORD", "from-file");
  assert_secret(CALL(FN_SECRET, S("KUBE_CONTEXT")), "KUBE_CONTEXT", "prod");
  assert_error(CALL(FN_SECRET, S("NOPE")), "secret: NOPE is not set (pass --secret NOPE=@file or set the environment variable)");
}

static void builtins__file__reads_relative_to_base_dir(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "%s/notes.txt", base_dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("line 1\nline 2\n", f);
  fclose(f);
  assert_result(CALL(FN_FILE, S("notes.txt")), VAL_STRING, "line 1\nline 2\n");
  assert_result(CALL(FN_FILE, S(path)), VAL_STRING, "line 1\nline 2\n");
  unlink(path);
}

static void builtins__file_missing__names_the_path(void **state) {
  (void)state;
  char want[256];
  snprintf(want, sizeof want, "file: cannot read %s/missing.txt: No such file or directory", base_dir);
  assert_error(CALL(FN_FILE, S("missing.txt")), want);
}

/* ---- time ---- */

static void builtins__now_and_since__use_the_context_clock(void **state) {
  (void)state;
  assert_result(call_take(FN_NOW, NULL, 0), VAL_TIME, "2024-05-01T12:00:00Z");
  assert_result(CALL(FN_SINCE, val_time(1714564800000 - 90000)), VAL_DURATION, "1m30s");
}

static void builtins__parse_time__reads_rfc3339_and_epochs(void **state) {
  (void)state;
  assert_result(CALL(FN_PARSE_TIME, S("2024-05-01T12:00:00Z")), VAL_TIME, "2024-05-01T12:00:00Z");
  assert_result(CALL(FN_PARSE_TIME, S("2024-05-01T14:30:00.1234+02:00")), VAL_TIME, "2024-05-01T12:30:00.123Z");
  assert_result(CALL(FN_PARSE_TIME, S("2024-02-29t00:00:00-00:30")), VAL_TIME, "2024-02-29T00:30:00Z");
  assert_result(CALL(FN_PARSE_TIME, I(1714564800)), VAL_TIME, "2024-05-01T12:00:00Z");
  assert_result(CALL(FN_PARSE_TIME, val_float(1714564800.25)), VAL_TIME, "2024-05-01T12:00:00.250Z");
}

static void builtins__parse_time_invalid__is_an_error(void **state) {
  (void)state;
  assert_error(CALL(FN_PARSE_TIME, S("2023-02-29T00:00:00Z")),
               "parse_time: cannot parse \"2023-02-29T00:00:00Z\" as a time: date or time out of range");
  assert_error(CALL(FN_PARSE_TIME, S("2024-05-01 12:00")),
               "parse_time: cannot parse \"2024-05-01 12:00\" as a time: expected RFC 3339 text like "
               "2024-05-01T12:00:00Z or 2024-05-01T14:00:00.5+02:00");
}

static void builtins__format_time__uses_strftime_in_utc(void **state) {
  (void)state;
  assert_result(CALL(FN_FORMAT_TIME, val_time(1714564800000), S("%Y-%m-%d %H:%M %Z")), VAL_STRING, "2024-05-01 12:00 GMT");
  assert_result(CALL(FN_FORMAT_TIME, val_time(0), S("")), VAL_STRING, "");
  assert_error(CALL(FN_FORMAT_TIME, I(0), S("%Y")), "format_time: expected a time as time, got an int");
}

/* Creates the scratch folder that file() reads from. */
static int setup(void **state) {
  (void)state;
  snprintf(base_dir, sizeof base_dir, "/tmp/rbk-test-builtins-XXXXXX");
  return mkdtemp(base_dir) ? 0 : -1;
}

/* Removes the scratch folder and the last error. */
static int teardown(void **state) {
  (void)state;
  free(last_err);
  last_err = NULL;
  return rmdir(base_dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(builtins__too_many_arguments__is_an_error),
      cmocka_unit_test(builtins__missing_argument__is_an_error),
      cmocka_unit_test(builtins__argument_by_name__fills_its_position),
      cmocka_unit_test(builtins__action__is_not_a_builtin),
      cmocka_unit_test(builtins__len__counts_elements_keys_and_characters),
      cmocka_unit_test(builtins__len_of_int__is_an_error),
      cmocka_unit_test(builtins__count__with_and_without_predicate),
      cmocka_unit_test(builtins__predicate_returning_non_bool__is_an_error),
      cmocka_unit_test(builtins__lambda_error__names_the_function),
      cmocka_unit_test(builtins__all_any__short_circuit_and_handle_empty),
      cmocka_unit_test(builtins__all_without_predicate__requires_bools),
      cmocka_unit_test(builtins__filter_then_map__select_and_transform),
      cmocka_unit_test(builtins__filter_of_object__is_an_error),
      cmocka_unit_test(builtins__filter_without_lambda__is_an_error),
      cmocka_unit_test(builtins__keys_values__keep_insertion_order),
      cmocka_unit_test(builtins__merge__is_deep_and_b_wins),
      cmocka_unit_test(builtins__contains__list_object_and_string),
      cmocka_unit_test(builtins__sum__adds_numbers_and_durations),
      cmocka_unit_test(builtins__sum_of_strings__is_an_error),
      cmocka_unit_test(builtins__min_max__of_list_or_arguments),
      cmocka_unit_test(builtins__min_max__errors),
      cmocka_unit_test(builtins__sort__orders_ascending),
      cmocka_unit_test(builtins__sort_mixed_kinds__is_an_error),
      cmocka_unit_test(builtins__sort_by__is_stable),
      cmocka_unit_test(builtins__startswith_endswith__check_affixes),
      cmocka_unit_test(builtins__matches__searches_with_extended_regex),
      cmocka_unit_test(builtins__matches_bad_regex__reports_regerror),
      cmocka_unit_test(builtins__split_join__round_trip),
      cmocka_unit_test(builtins__join_with_secret__is_a_secret),
      cmocka_unit_test(builtins__upper_lower_trim__change_ascii_text),
      cmocka_unit_test(builtins__str__shows_values_and_keeps_secrets),
      cmocka_unit_test(builtins__int__converts_numbers_strings_durations),
      cmocka_unit_test(builtins__int__rejects_bad_text_and_bools),
      cmocka_unit_test(builtins__float__converts_and_rejects),
      cmocka_unit_test(builtins__json__parses_any_json_value),
      cmocka_unit_test(builtins__json_invalid__names_line_and_column),
      cmocka_unit_test(builtins__yaml__parses_one_document),
      cmocka_unit_test(builtins__to_json__is_compact_in_insertion_order),
      cmocka_unit_test(builtins__to_json_with_secret__is_a_secret),
      cmocka_unit_test(builtins__to_json_of_lambda__is_an_error),
      cmocka_unit_test(builtins__to_yaml__is_block_style),
      cmocka_unit_test(builtins__base64__round_trips),
      cmocka_unit_test(builtins__unbase64_invalid__is_an_error),
      cmocka_unit_test(builtins__base64_of_secret__stays_secret),
      cmocka_unit_test(builtins__env__reads_variable_or_default),
      cmocka_unit_test(builtins__env_unset__is_an_error),
      cmocka_unit_test(builtins__secret__prefers_override_then_environment),
      cmocka_unit_test(builtins__file__reads_relative_to_base_dir),
      cmocka_unit_test(builtins__file_missing__names_the_path),
      cmocka_unit_test(builtins__now_and_since__use_the_context_clock),
      cmocka_unit_test(builtins__parse_time__reads_rfc3339_and_epochs),
      cmocka_unit_test(builtins__parse_time_invalid__is_an_error),
      cmocka_unit_test(builtins__format_time__uses_strftime_in_utc),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
