/* test_http_check.c — what the transports refuse to send (CR/LF/NUL in URLs and headers,
 * malformed header lines, credentials over plain http://), sizes for --max-response and
 * messages, the simulator transport's answer cap, and the journal's cap on large values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"
#include "journal.h"

/* Returns http_check_request's verdict on one request (caller frees). */
static char *check(const char *method, const char *url, const char *header, const http_tls *tls) {
  const char *hs[] = {header};
  http_request r = {.method = method, .url = url, .headers = header ? hs : NULL, .n_headers = header ? 1 : 0,
                    .timeout_ms = 1000, .tls = tls};
  return http_check_request(&r);
}

/* Asserts that the verdict is a refusal holding `want` and not `never`. */
static void refused(char *why, const char *want, const char *never) {
  assert_non_null(why);
  assert_non_null(strstr(why, want));
  if (never) assert_null(strstr(why, never));
  assert_null(strchr(why, '\n'));
  free(why);
}

static void plain_requests__pass(void **state) {
  (void)state;
  assert_null(check("GET", "https://h/api?x=1", "Authorization: Bearer t", NULL));
  assert_null(check("GET", "http://h:8080/healthz", "Accept: application/json", NULL));
}

static void cr_lf__in_url_or_header__refused(void **state) {
  (void)state;
  refused(check("GET", "https://h/a\r\nX-Injected: yes", NULL, NULL), "the URL holds a space, CR, LF or NUL", NULL);
  refused(check("GET", "https://h/a b", NULL, NULL), "the URL holds a space", NULL);
  refused(check("GET", "https://h/", "X-Test: a\r\nX-Injected: yes", NULL), "header \"X-Test\" holds a CR, LF or NUL",
          "Injected");
  refused(check("GET", "https://h/", "Authorization: Bearer abc\nX: y", NULL), "header \"Authorization\"", "abc");
  refused(check("GET", "https://h/", "no colon", NULL), "is not \"Name: value\"", NULL);
  refused(check("GE T", "https://h/", NULL, NULL), "method", NULL);
  refused(check("GET", "file:///etc/passwd", NULL, NULL), "only http:// and https://", NULL);
  /* no scheme of the simulator's own: its backend is addressed as a real API server is */
  refused(check("GET", "sim://cluster/api/v1", NULL, NULL), "only http:// and https://", NULL);
}

static void credentials__over_plain_http__refused(void **state) {
  (void)state;
  refused(check("GET", "http://h/x", "Authorization: Bearer SECRET", NULL), "credentials are never sent over plain http:// (http://h)",
          "SECRET");
  refused(check("GET", "http://h/x", "proxy-authorization: Basic SECRET", NULL), "plain http://", "SECRET");
  refused(check("GET", "http://user:SECRET@h:80/x", NULL, NULL), "(http://***@h:80)", "SECRET");
  http_tls tls = {.cert_data = "PEM", .cert_len = 3};
  refused(check("GET", "http://h/x", NULL, &tls), "plain http://", NULL);
  assert_null(check("GET", "https://user:pw@h/x", NULL, &tls));
}

static void sizes__parse_and_print(void **state) {
  (void)state;
  size_t n = 0;
  assert_true(http_parse_size("16MiB", &n) && n == (size_t)16 << 20);
  assert_true(http_parse_size("64m", &n) && n == (size_t)64 << 20);
  assert_true(http_parse_size("512k", &n) && n == 512 * 1024);
  assert_true(http_parse_size("1048576", &n) && n == 1048576);
  assert_true(http_parse_size("1.5 GiB", &n) && n == (size_t)3 << 29);
  assert_false(http_parse_size("lots", &n));
  assert_false(http_parse_size("0", &n));
  assert_false(http_parse_size("-1M", &n));
  assert_false(http_parse_size("16 parsecs", &n));
  char buf[32];
  assert_string_equal(http_size_text(HTTP_MAX_BODY_DEFAULT, buf, sizeof buf), "16 MiB");
  assert_string_equal(http_size_text(1536, buf, sizeof buf), "1.5 KiB");
  assert_string_equal(http_size_text(512, buf, sizeof buf), "512 bytes");
}

/* A server's Retry-After: seconds up to a day, a hostile number saturates instead of overflowing,
 * anything else (an HTTP-date, a sign, junk) counts as absent. */
static void retry_after__seconds_bounded__else_absent(void **state) {
  (void)state;
  assert_int_equal(http_retry_after_ms("5"), 5000);
  assert_int_equal(http_retry_after_ms(" 0 "), 0);
  assert_int_equal(http_retry_after_ms("86400"), HTTP_RETRY_AFTER_MAX_MS);
  assert_int_equal(http_retry_after_ms("99999999999999999999999999"), HTTP_RETRY_AFTER_MAX_MS);
  assert_int_equal(http_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT"), -1);
  assert_int_equal(http_retry_after_ms("-5"), -1);
  assert_int_equal(http_retry_after_ms("5s"), -1);
  assert_int_equal(http_retry_after_ms(""), -1);
  assert_int_equal(http_retry_after_ms(NULL), -1);
}

static void journal_cap__large_values_become_digest_size_and_head(void **state) {
  (void)state;
  json_t *rec = json_pack("{s:s, s:[i], s:s}", "event", "action_end", "args", 1, "result", "");
  char *big = malloc(100001);
  memset(big, 'x', 100000), big[100000] = '\0';
  json_object_set_new(rec, "result", json_string(big));
  free(big);
  assert_true(journal_cap_value(rec, "args", JOURNAL_CAP_VALUE));
  assert_true(journal_cap_value(rec, "result", JOURNAL_CAP_VALUE));
  assert_non_null(json_object_get(rec, "args")); /* small: kept whole */
  assert_null(json_object_get(rec, "result"));
  json_t *t = json_object_get(rec, "result_truncated");
  assert_int_equal(json_integer_value(json_object_get(t, "bytes")), 100002); /* with the quotes */
  assert_int_equal(strlen(json_string_value(json_object_get(t, "head"))), JOURNAL_CAP_HEAD);
  const char *sha = json_string_value(json_object_get(t, "sha256"));
  assert_int_equal(strlen(sha), 7 + 64);
  assert_memory_equal(sha, "sha256:", 7);
  json_decref(rec);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plain_requests__pass),
      cmocka_unit_test(cr_lf__in_url_or_header__refused),
      cmocka_unit_test(credentials__over_plain_http__refused),
      cmocka_unit_test(sizes__parse_and_print),
      cmocka_unit_test(retry_after__seconds_bounded__else_absent),
      cmocka_unit_test(journal_cap__large_values_become_digest_size_and_head),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
