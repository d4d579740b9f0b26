/* test_scrub.c — the scrubber (base/scrub.h), mixed secrets (value.h's val_text) and the data of
 * Kubernetes Secrets read from the cluster (stdlib/kube/kube_secret.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kube_secret.h"
#include "scrub.h"
#include "value.h"

/* Returns the scrubbed copy of s (caller frees). */
static char *scrubbed(const char *s) { return scrub_line(s); }

/* Forgets what the previous test registered. */
static int reset(void **state) {
  (void)state;
  scrub_reset();
  return 0;
}

/* A registered value is masked in plain, base64 (padded or not, either alphabet) and URL-encoded
 * form, wherever it stands in the text. */
static void scrub__registered__every_form_masked(void **state) {
  (void)state;
  assert_true(scrub_add("pa/ss+w=rd?", 11));
  char *s = scrubbed("a pa/ss+w=rd? b cGEvc3Mrdz1yZD8= c cGEvc3Mrdz1yZD8 d cGEvc3Mrdz1yZD8 e pa%2Fss%2Bw%3Drd%3F");
  assert_string_equal(s, "a *** b ***= c *** d *** e ***");
  free(s);
  s = scrubbed("url-safe: cGEvc3Mrdz1yZD8");
  assert_string_equal(s, "url-safe: ***");
  free(s);
  s = scrubbed("lower-case hex: pa%2fss%2bw%3drd%3f");
  assert_string_equal(s, "lower-case hex: ***");
  free(s);
  assert_int_equal(scrub_count(), 1);
}

/* Values shorter than SCRUB_MIN_LEN are not registered; a text without secrets is unchanged. */
static void scrub__short_values__ignored(void **state) {
  (void)state;
  assert_true(scrub_add("abc", 3));
  assert_int_equal(scrub_count(), 0);
  assert_null(scrub_text("abc abc", 7, NULL));
}

/* URL user-info is always masked, registered or not; "***@" stays as it is. */
static void scrub__userinfo__masked(void **state) {
  (void)state;
  char *s = scrubbed("connection refused: http://u:VALUE@host/h and https://tok@x:1/p, not a@b");
  assert_string_equal(s, "connection refused: http://***@host/h and https://***@x:1/p, not a@b");
  free(s);
  assert_null(scrub_text("http://***@host/h", 17, NULL));
}

/* The longest form is masked first, so a value containing another leaves no tail behind. */
static void scrub__nested_values__longest_first(void **state) {
  (void)state;
  assert_true(scrub_add("secret", 6));
  assert_true(scrub_add("secret-value", 12));
  char *s = scrubbed("x secret-value y secret");
  assert_string_equal(s, "x *** y ***");
  free(s);
}

/* JSON strings are scrubbed in place, keys are not. */
static void scrub__json__strings_in_place(void **state) {
  (void)state;
  assert_true(scrub_add("hunter22", 8));
  json_t *j = json_pack("{s:[s,i],s:s}", "hunter22", "pw hunter22", 3, "k", "hunter22");
  assert_true(scrub_json(j));
  char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
  assert_string_equal(text, "{\"hunter22\":[\"pw ***\",3],\"k\":\"***\"}");
  free(text);
  json_decref(j);
}

/* Text built from a secret and other parts masks only the secret's bytes; a function that mixes
 * the text (upper) makes the whole result secret. */
static void value__mixed_secret__masks_the_span(void **state) {
  (void)state;
  rbk_value *tok = value_secret("TOK", "S3cr3t"), *xs = value_list(3), *a = value_cstring("token is ");
  for (int i = 1; i <= 3; i++) value_list_push(xs, value_int(i));
  rbk_value *and = value_cstring(" and ");
  val_text t = {0};
  value_text_add(&t, a);
  value_text_add(&t, tok);
  value_text_add(&t, and);
  value_text_add(&t, xs);
  rbk_value *m = value_text_finish(&t);
  assert_int_equal(m->kind, VAL_SECRET);
  assert_string_equal(m->u.secret.plain, "token is S3cr3t and [1,2,3]");
  char *shown = value_show(m), *repr = value_repr(m);
  assert_string_equal(shown, "token is *** and [1,2,3]");
  assert_string_equal(repr, "\"token is *** and [1,2,3]\"");
  json_t *j = value_to_json(m, false), *r = value_to_json(m, true);
  assert_string_equal(json_string_value(j), "token is *** and [1,2,3]");
  assert_string_equal(json_string_value(r), "token is S3cr3t and [1,2,3]");
  /* a mixed secret inside another text keeps its spans; two adjacent secrets show as one *** */
  val_text u = {0};
  value_text_add(&u, m);
  value_text_add(&u, tok);
  rbk_value *n = value_text_finish(&u);
  char *shown2 = value_show(n);
  assert_string_equal(shown2, "token is *** and [1,2,3]***");
  /* only secrets: a whole secret */
  val_text w = {0};
  value_text_add(&w, tok);
  value_text_add(&w, tok);
  rbk_value *whole = value_text_finish(&w);
  assert_null(whole->u.secret.spans);
  char *shown3 = value_show(whole);
  assert_string_equal(shown3, "***");
  free(shown), free(repr), free(shown2), free(shown3);
  json_decref(j), json_decref(r);
  value_unref(m), value_unref(n), value_unref(whole), value_unref(tok), value_unref(xs), value_unref(a), value_unref(and);
}

/* A Secret's data and stringData (in a get, and in the items of a SecretList) become secrets, and
 * what their base64 decodes to is registered with the scrubber. */
static void kube_secret__data__secret_and_registered(void **state) {
  (void)state;
  json_t *get = json_pack("{s:s,s:{s:s},s:{s:s},s:{s:s}}", "kind", "Secret", "metadata", "name", "db", "data",
                          "password", "UzNjcjN0LVZhbHVl", "stringData", "user", "gl001_user");
  rbk_value *v = kube_secret_from_json(get);
  const rbk_value *pw = value_object_get(value_object_get(v, "data"), "password");
  assert_int_equal(pw->kind, VAL_SECRET);
  assert_string_equal(pw->u.secret.name, "db/password");
  assert_int_equal(value_object_get(value_object_get(v, "stringData"), "user")->kind, VAL_SECRET);
  assert_int_equal(value_object_get(value_object_get(v, "metadata"), "name")->kind, VAL_STRING);
  char *s = scrubbed("the password S3cr3t-Value leaked");
  assert_string_equal(s, "the password *** leaked");
  free(s);
  json_t *list = json_pack("{s:s,s:[{s:{s:s}}]}", "kind", "SecretList", "items", "data", "k", "c2Vjb25kLXZhbHVl");
  rbk_value *l = kube_secret_from_json(list);
  const rbk_value *items = value_object_get(l, "items");
  assert_int_equal(value_object_get(value_object_get(items->u.list.items[0], "data"), "k")->kind, VAL_SECRET);
  json_t *cm = json_pack("{s:s,s:{s:s}}", "kind", "ConfigMap", "data", "k", "plain");
  rbk_value *c = kube_secret_from_json(cm);
  assert_int_equal(value_object_get(value_object_get(c, "data"), "k")->kind, VAL_STRING);
  json_decref(get), json_decref(list), json_decref(cm);
  value_unref(v), value_unref(l), value_unref(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(scrub__registered__every_form_masked, reset),
      cmocka_unit_test_setup(scrub__short_values__ignored, reset),
      cmocka_unit_test_setup(scrub__userinfo__masked, reset),
      cmocka_unit_test_setup(scrub__nested_values__longest_first, reset),
      cmocka_unit_test_setup(scrub__json__strings_in_place, reset),
      cmocka_unit_test_setup(value__mixed_secret__masks_the_span, reset),
      cmocka_unit_test_setup(kube_secret__data__secret_and_registered, reset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
