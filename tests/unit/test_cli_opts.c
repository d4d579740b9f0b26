/* test_cli_opts.c — the option tables (cli_opts.c): for every command of RBK_COMMANDS, each
 * option of its table is in its --help and is parsed in every spelling (--name VALUE,
 * --name=VALUE, -n VALUE, -nVALUE, -n=VALUE); abbreviations, unknown options, missing values and
 * values given to flags are one-line usage errors; operands keep their order among the options,
 * and in_order commands stop taking options at the first operand or at "--". */
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

static const cli_opts_spec *const specs[] = {
#define X(name, fn, where, help) &fn##_spec,
    RBK_COMMANDS(X)
#undef X
};
enum { NSPECS = sizeof specs / sizeof *specs };

/* What the callback was given, in order. */
typedef struct {
  int ids[16];
  const char *values[16];
  int n;
} taken;

/* Records one option or operand (cli_opts_take); returns CLI_GO_ON. */
static int record(void *ctx, int id, const char *value) {
  taken *t = ctx;
  if (t->n < 16) t->ids[t->n] = id, t->values[t->n++] = value;
  return CLI_GO_ON;
}

/* Parses the n words after the command name with stderr silenced; returns cli_opts_parse's code. */
static int parse(const cli_opts_spec *s, taken *t, int n, ...) {
  char *argv[12] = {(char *)s->name};
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++) argv[i + 1] = va_arg(ap, char *);
  va_end(ap);
  *t = (taken){0};
  fflush(stderr);
  int saved = dup(STDERR_FILENO);
  FILE *null = fopen("/dev/null", "w");
  dup2(fileno(null), STDERR_FILENO);
  int code = cli_opts_parse(s, n + 1, argv, record, t);
  fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  fclose(null);
  return code;
}

/* Returns the help text of a spec (caller frees). */
static char *help_of(const cli_opts_spec *s) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  cli_opts_help(s, mem);
  fclose(mem);
  return text;
}

/* Returns true when name is a long option of the spec. */
static bool has_long(const cli_opts_spec *s, const char *name) {
  for (size_t k = 0; k < s->nopts; k++)
    if (!strcmp(s->opts[k].name, name)) return true;
  return !strcmp(name, "help");
}

/* Checks that option o is taken with its id and value in every spelling. */
static void check_spellings(const cli_opts_spec *s, const cli_opt *o) {
  char dashed[64], joined[80], shortname[3] = {'-', o->short_name, '\0'}, attached[80];
  taken t;
  snprintf(dashed, sizeof dashed, "--%s", o->name);
  snprintf(joined, sizeof joined, "--%s=v1", o->name);
  if (!o->value) {
    assert_int_equal(parse(s, &t, 1, dashed), CLI_GO_ON);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.ids[0], o->id);
    assert_null(t.values[0]);
    assert_int_equal(parse(s, &t, 1, joined), RBK_EXIT_USAGE); /* a flag takes no value */
    if (o->short_name) assert_int_equal(parse(s, &t, 1, shortname), CLI_GO_ON);
    return;
  }
  assert_int_equal(parse(s, &t, 2, dashed, "v0"), CLI_GO_ON);
  assert_int_equal(t.ids[0], o->id);
  assert_string_equal(t.values[0], "v0");
  assert_int_equal(parse(s, &t, 1, joined), CLI_GO_ON);
  assert_string_equal(t.values[0], "v1");
  assert_int_equal(parse(s, &t, 1, dashed), RBK_EXIT_USAGE); /* missing value */
  if (!o->short_name) return;
  assert_int_equal(parse(s, &t, 2, shortname, "v2"), CLI_GO_ON);
  assert_string_equal(t.values[0], "v2");
  snprintf(attached, sizeof attached, "-%cv3", o->short_name);
  assert_int_equal(parse(s, &t, 1, attached), CLI_GO_ON);
  assert_string_equal(t.values[0], "v3");
  snprintf(attached, sizeof attached, "-%c=v4", o->short_name);
  assert_int_equal(parse(s, &t, 1, attached), CLI_GO_ON);
  assert_string_equal(t.values[0], "v4");
  assert_int_equal(parse(s, &t, 1, shortname), RBK_EXIT_USAGE);
}

static void every_command__each_option__in_help_and_parsed(void **state) {
  (void)state;
  for (size_t c = 0; c < NSPECS; c++) {
    const cli_opts_spec *s = specs[c];
    char *help = help_of(s);
    char line[96];
    snprintf(line, sizeof line, "usage: rbk %s", s->name);
    assert_non_null(strstr(help, line));
    assert_non_null(strstr(help, "-h, --help"));
    for (size_t k = 0; k < s->nopts; k++) {
      const cli_opt *o = &s->opts[k];
      char shortname[8] = "";
      if (o->short_name) snprintf(shortname, sizeof shortname, "-%c, ", o->short_name);
      snprintf(line, sizeof line, "  %s--%s%s%s  ", shortname, o->name, o->value ? " " : "", o->value ? o->value : "");
      if (!strstr(help, line)) fail_msg("rbk %s --help lacks '%s'", s->name, line);
      assert_non_null(strstr(help, o->help));
      check_spellings(s, o);
      char abbrev[64];
      snprintf(abbrev, sizeof abbrev, "--%.*s", (int)strlen(o->name) - 1, o->name);
      taken t;
      if (strlen(o->name) > 1 && !has_long(s, abbrev + 2))
        assert_int_equal(parse(s, &t, 2, abbrev, "x"), RBK_EXIT_USAGE); /* no abbreviations */
    }
    for (size_t k = 0; k < s->nrefused; k++) assert_null(strstr(help, s->refused[k].help));
    free(help);
    taken t;
    assert_int_equal(parse(s, &t, 1, "--no-such-option"), RBK_EXIT_USAGE);
    assert_int_equal(parse(s, &t, 1, "-Z"), RBK_EXIT_USAGE);
  }
}

static void run_spec__operands_among_options__in_order(void **state) {
  (void)state;
  taken t;
  assert_int_equal(parse(&cli_run_spec, &t, 6, "-p", "a=1", "plan.rbk", "--param=b=2", "-", "--yes"), CLI_GO_ON);
  assert_int_equal(t.n, 5);
  assert_int_equal(t.ids[1], CLI_OPERAND);
  assert_string_equal(t.values[1], "plan.rbk");
  assert_string_equal(t.values[2], "b=2");
  assert_int_equal(t.ids[3], CLI_OPERAND);
  assert_string_equal(t.values[3], "-");
  assert_int_equal(parse(&cli_run_spec, &t, 3, "--", "--yes", "x"), CLI_GO_ON); /* "--" ends the options */
  assert_int_equal(t.n, 2);
  assert_int_equal(t.ids[0], CLI_OPERAND);
  assert_string_equal(t.values[0], "--yes");
  assert_int_equal(parse(&cli_run_spec, &t, 2, "--approve", "--yes"), CLI_GO_ON); /* a value may start with - */
  assert_int_equal(t.n, 1);
  assert_string_equal(t.values[0], "--yes");
}

static void fmt_spec__in_order__options_end_at_the_first_file(void **state) {
  (void)state;
  taken t;
  assert_int_equal(parse(&cli_fmt_spec, &t, 3, "-w", "a.rbk", "--check"), CLI_GO_ON);
  assert_int_equal(t.n, 3);
  assert_int_equal(t.ids[1], CLI_OPERAND);
  assert_int_equal(t.ids[2], CLI_OPERAND);
  assert_string_equal(t.values[2], "--check");
}

static void resume_spec__refused_option__usage_error(void **state) {
  (void)state;
  taken t;
  assert_int_equal(parse(&cli_resume_spec, &t, 3, "j.jsonl", "-p", "a=1"), RBK_EXIT_USAGE);
  assert_int_equal(parse(&cli_resume_spec, &t, 2, "j.jsonl", "--force"), CLI_GO_ON);
  assert_int_equal(parse(&cli_run_spec, &t, 2, "p.rbk", "--force"), RBK_EXIT_USAGE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_command__each_option__in_help_and_parsed),
      cmocka_unit_test(run_spec__operands_among_options__in_order),
      cmocka_unit_test(fmt_spec__in_order__options_end_at_the_first_file),
      cmocka_unit_test(resume_spec__refused_option__usage_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
