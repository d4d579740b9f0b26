/* cli_opts.c — parsing a command line by the command's option table with getopt_long, and the
 * --help text generated from the same table (see cli_opts.h). */
#include "cli_opts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The option every command has. */
static const cli_opt help_opt = {0, "help", 'h', NULL, "show this help"};

/* getopt_long's val of the k-th row (above every char, so it is never a short option). */
enum { LONG_VAL = 256 };

/* Returns the number of rows: the options, the refused options and --help. */
static size_t rows_of(const cli_opts_spec *s) { return s->nopts + s->nrefused + 1; }

/* Returns the k-th row: an option, a refused option or --help. */
static const cli_opt *row(const cli_opts_spec *s, size_t k) {
  if (k < s->nopts) return &s->opts[k];
  if (k < s->nopts + s->nrefused) return &s->refused[k - s->nopts];
  return &help_opt;
}

/* Returns the row whose short name is c, or rows_of(s) when none. */
static size_t row_of_short(const cli_opts_spec *s, int c) {
  size_t k = 0;
  while (k < rows_of(s) && row(s, k)->short_name != c) k++;
  return k;
}

/* Returns true when elem is "--NAME" or "--NAME=…" (getopt_long also takes abbreviations, which
 * rbk does not, so that adding an option never changes what an old command line means). */
static bool spelled_out(const char *elem, const char *name) {
  size_t n = strlen(name);
  return !strncmp(elem, "--", 2) && !strncmp(elem + 2, name, n) && (elem[2 + n] == '\0' || elem[2 + n] == '=');
}

/* Returns the argv element of the long option getopt_long just returned. */
static const char *long_elem(char **argv, bool separate_value) { return argv[optind - (separate_value ? 2 : 1)]; }

/* Prints the error for getopt_long's '?' or ':' (c); returns RBK_EXIT_USAGE. */
static int bad_option(const cli_opts_spec *s, char **argv, int c) {
  char shortname[3] = {'-', (char)optopt, '\0'};
  if (optopt == 0) return cli_usage_error("unknown option", argv[optind - 1]); /* long */
  if (optopt < LONG_VAL) /* short: unknown, or without its value */
    return cli_usage_error(row_of_short(s, optopt) == rows_of(s) ? "unknown option" : "missing value after", shortname);
  const char *name = row(s, (size_t)(optopt - LONG_VAL))->name, *elem = argv[optind - 1];
  if (!spelled_out(elem, name)) return cli_usage_error("unknown option", elem);
  char longname[64];
  snprintf(longname, sizeof longname, "--%s", name);
  if (c == ':') return cli_usage_error("missing value after", longname);
  fprintf(stderr, "rbk: option '%s' takes no value ('%s')\n", longname, elem);
  return RBK_EXIT_USAGE;
}

/* Hands row k with its value to take (or prints the help, or refuses); returns the exit code or
 * CLI_GO_ON. */
static int take_row(const cli_opts_spec *s, size_t k, const char *value, cli_opts_take take, void *ctx) {
  if (k >= s->nopts + s->nrefused) {
    cli_opts_help(s, stdout);
    return RBK_EXIT_OK;
  }
  if (k >= s->nopts) return cli_usage_error(row(s, k)->help, NULL);
  return take(ctx, s->opts[k].id, value);
}

/* Runs getopt_long over argv with the long options lo and the short ones; returns as
 * cli_opts_parse. */
static int walk(const cli_opts_spec *s, int argc, char **argv, const struct option *lo, const char *shorts,
                cli_opts_take take, void *ctx) {
  optind = 0; /* glibc: start afresh */
  opterr = 0;
  for (;;) {
    int li = -1, c = getopt_long(argc, argv, shorts, lo, &li), code;
    if (c == -1) break;
    if (c == '?' || c == ':') return bad_option(s, argv, c);
    if (c == 1) {
      code = take(ctx, CLI_OPERAND, optarg);
    } else if (li >= 0) {
      const char *elem = long_elem(argv, lo[li].has_arg && optarg == argv[optind - 1]);
      if (!spelled_out(elem, lo[li].name)) return cli_usage_error("unknown option", elem);
      code = take_row(s, (size_t)li, optarg, take, ctx);
    } else {
      const char *v = optarg;
      if (v && v[0] == '=' && v == argv[optind - 1] + 2) v++; /* -p=VALUE, as --param=VALUE */
      code = take_row(s, row_of_short(s, c), v, take, ctx);
    }
    if (code != CLI_GO_ON) return code;
  }
  for (int i = optind; i < argc; i++) {
    int code = take(ctx, CLI_OPERAND, argv[i]);
    if (code != CLI_GO_ON) return code;
  }
  return CLI_GO_ON;
}

/* Parses the command line (see cli_opts.h); returns CLI_GO_ON or an exit code. */
int cli_opts_parse(const cli_opts_spec *s, int argc, char **argv, cli_opts_take take, void *ctx) {
  size_t n = rows_of(s), ns = 0;
  struct option *lo = calloc(n + 1, sizeof *lo);
  char *shorts = malloc(2 * n + 3);
  if (!lo || !shorts) {
    free(lo);
    free(shorts);
    return cli_usage_error("out of memory", NULL);
  }
  shorts[ns++] = s->in_order ? '+' : '-'; /* '-': operands come back in order, as option 1 */
  shorts[ns++] = ':';                      /* ':': a missing value is told apart */
  for (size_t k = 0; k < n; k++) {
    const cli_opt *r = row(s, k);
    lo[k] = (struct option){r->name, r->value ? required_argument : no_argument, NULL, LONG_VAL + (int)k};
    if (r->short_name) shorts[ns++] = r->short_name;
    if (r->short_name && r->value) shorts[ns++] = ':';
  }
  shorts[ns] = '\0';
  int code = walk(s, argc, argv, lo, shorts, take, ctx);
  free(lo);
  free(shorts);
  return code;
}

/* Writes row r's left column ("-p, --param name=value") into buf. */
static void left_column(const cli_opt *r, char *buf, size_t size) {
  char shortname[8] = "";
  if (r->short_name) snprintf(shortname, sizeof shortname, "-%c, ", r->short_name);
  snprintf(buf, size, "%s--%s%s%s", shortname, r->name, r->value ? " " : "", r->value ? r->value : "");
}

/* Prints the usage line's words after "rbk NAME" on out. */
static void usage_words(const cli_opts_spec *s, FILE *out) {
  const char *ops = s->operands && *s->operands ? s->operands : NULL;
  if (s->in_order) fprintf(out, "%s%s%s", s->nopts ? " [options]" : "", ops ? " " : "", ops ? ops : "");
  else fprintf(out, "%s%s%s", ops ? " " : "", ops ? ops : "", s->nopts ? " [options]" : "");
}

/* Prints the help (see cli_opts.h). */
void cli_opts_help(const cli_opts_spec *s, FILE *out) {
  char left[128];
  int width = 0;
  fprintf(out, "usage: rbk %s", s->name);
  usage_words(s, out);
  fprintf(out, "\n\n%s\n\noptions:\n", s->about);
  for (size_t k = 0; k < s->nopts + 1; k++) {
    left_column(k < s->nopts ? &s->opts[k] : &help_opt, left, sizeof left);
    if ((int)strlen(left) > width) width = (int)strlen(left);
  }
  for (size_t k = 0; k < s->nopts + 1; k++) {
    const cli_opt *r = k < s->nopts ? &s->opts[k] : &help_opt;
    left_column(r, left, sizeof left);
    fprintf(out, "  %-*s  %s\n", width, left, r->help);
  }
  if (s->footer) fprintf(out, "\n%s\n", s->footer);
}

/* Prints the one-line usage on stderr; returns RBK_EXIT_USAGE. */
int cli_opts_usage_error(const cli_opts_spec *s) {
  fprintf(stderr, "usage: rbk %s", s->name);
  usage_words(s, stderr);
  fprintf(stderr, " (rbk %s --help describes it)\n", s->name);
  return RBK_EXIT_USAGE;
}
