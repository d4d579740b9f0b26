/* test_cli_util.c — the helpers every command shares (cli_util.c): --secret NAME=VALUE and
 * NAME=@FILE, and the file readers under them (valbuf_read_file, cli_read_text). The option
 * tables are tested in test_cli_opts.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "valbuf.h"

/* Writes text to a new temporary file; returns its path (static buffer). */
static const char *temp_file(const char *text) {
  static char path[64];
  snprintf(path, sizeof path, "/tmp/rbk-cli-util-XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  return path;
}

static void cli_add_secret__value_and_file__stored_without_newline(void **state) {
  (void)state;
  char *names[3] = {0}, *values[3] = {0};
  size_t n = 0;
  assert_int_equal(cli_add_secret("DB=s3cret", names, values, &n), -1);
  const char *path = temp_file("from-file\r\n");
  char arg[96];
  snprintf(arg, sizeof arg, "TOKEN=@%s", path);
  assert_int_equal(cli_add_secret(arg, names, values, &n), -1);
  unlink(path);
  assert_int_equal(n, 2);
  assert_string_equal(names[0], "DB");
  assert_string_equal(values[0], "s3cret");
  assert_string_equal(names[1], "TOKEN");
  assert_string_equal(values[1], "from-file");
  for (size_t i = 0; i < n; i++) free(names[i]), free(values[i]);
}

static void cli_add_secret__malformed_or_unreadable__usage_error(void **state) {
  (void)state;
  char *names[2] = {0}, *values[2] = {0};
  size_t n = 0;
  assert_int_equal(cli_add_secret("=x", names, values, &n), RBK_EXIT_USAGE);
  assert_int_equal(cli_add_secret("NOEQUALS", names, values, &n), RBK_EXIT_USAGE);
  assert_int_equal(cli_add_secret("T=@/nonexistent/rbk-secret", names, values, &n), RBK_EXIT_USAGE);
  assert_int_equal(n, 0);
}

static void valbuf_read_file__whole_file__bytes_and_length(void **state) {
  (void)state;
  const char *path = temp_file("two\nlines\n\n");
  size_t len = 0;
  char *s = valbuf_read_file(path, &len);
  assert_int_equal(len, 11);
  assert_string_equal(s, "two\nlines\n\n");
  free(s);
  s = cli_read_text(path);
  assert_string_equal(s, "two\nlines\n"); /* one trailing newline removed */
  free(s);
  unlink(path);
  assert_null(valbuf_read_file("/nonexistent/rbk-file", NULL));
}

static void strutil_read_stream__large_stream__bytes_two_nuls_and_limit(void **state) {
  (void)state;
  size_t big = (1u << 17) + 3; /* more than two reads */
  char *text = malloc(big);
  assert_non_null(text);
  for (size_t i = 0; i < big; i++) text[i] = (char)('a' + i % 26);
  FILE *f = fmemopen(text, big, "r");
  char *out = NULL;
  size_t len = 0;
  assert_int_equal(strutil_read_stream(f, big, &out, &len), 0);
  assert_int_equal(len, big);
  assert_memory_equal(out, text, big);
  assert_int_equal(out[big], '\0');
  assert_int_equal(out[big + 1], '\0'); /* flex's in-place scanning wants two */
  free(out);
  rewind(f);
  out = NULL;
  assert_int_equal(strutil_read_stream(f, big - 1, &out, &len), EFBIG);
  assert_null(out); /* untouched */
  fclose(f);
  f = fmemopen(text, 1, "r");
  assert_int_equal(strutil_read_stream(f, 0, &out, &len), EFBIG);
  fclose(f);
  f = fmemopen(text, 1, "r");
  fgetc(f);
  assert_int_equal(strutil_read_stream(f, 0, &out, &len), 0); /* nothing left: an empty string */
  assert_int_equal(len, 0);
  assert_int_equal(out[0], '\0');
  assert_int_equal(out[1], '\0');
  free(out);
  fclose(f);
  free(text);
}

static void strutil_printf__format__new_string(void **state) {
  (void)state;
  char *s = strutil_printf("%s=%d", "n", 42);
  assert_string_equal(s, "n=42");
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cli_add_secret__value_and_file__stored_without_newline),
      cmocka_unit_test(cli_add_secret__malformed_or_unreadable__usage_error),
      cmocka_unit_test(valbuf_read_file__whole_file__bytes_and_length),
      cmocka_unit_test(strutil_read_stream__large_stream__bytes_two_nuls_and_limit),
      cmocka_unit_test(strutil_printf__format__new_string),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
