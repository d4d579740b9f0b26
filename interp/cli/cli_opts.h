/* cli_opts.h — one table of options per command: it drives the parsing (glibc's getopt_long)
 * and generates the command's --help text, so the two cannot disagree.
 *
 * A command lists its options once with an X-macro of X(ID, "long-name", 'short' or 0,
 * "VALUE" or NULL for a flag, "one-line help"), expands it with CLI_OPTS_ENUM into its ids and
 * with CLI_OPTS_ROW into a cli_opt array, and describes itself in a cli_opts_spec. Every
 * command also takes -h/--help (added here, not in the tables).
 *
 * Accepted spellings: --name VALUE, --name=VALUE, -n VALUE, -nVALUE, -n=VALUE; long names are
 * never abbreviated. Options and operands mix freely (in command-line order), unless the spec
 * says in_order: then the options end at the first operand. "--" ends the options.
 *
 * Ownership: specs and tables are static; the values handed to the callback borrow argv.
 */
#ifndef RBK_CLI_OPTS_H
#define RBK_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One option of a command. */
typedef struct {
  int id;            /* what the command's callback is given */
  const char *name;  /* the long name without its dashes: "output" */
  char short_name;   /* 'p', or 0 */
  const char *value; /* what its value is called in the help ("FILE"), or NULL: a flag */
  const char *help;  /* one line for --help; for a refused option, the one-line error */
} cli_opt;

#define CLI_OPTS_ENUM(id, name, short_name, value, help) id,
#define CLI_OPTS_ROW(id, name, short_name, value, help) {id, name, short_name, value, help},

/* A command's command line. */
typedef struct {
  const char *name;     /* "run" */
  const char *operands; /* for the usage line: "FILE", "FILE|DIR...", "" */
  const char *about;    /* the paragraph after the usage line (may hold newlines) */
  const char *footer;   /* after the options: exit codes and the like, or NULL */
  const cli_opt *opts;  /* in the order of the help */
  size_t nopts;
  const cli_opt *refused; /* options recognised only to be refused with their help as error */
  size_t nrefused;
  bool in_order;        /* options only before the first operand */
} cli_opts_spec;

/* The id an operand is given to the callback with. */
#define CLI_OPERAND (-1)
/* What the callback (and cli_opts_parse) return to go on. */
#define CLI_GO_ON (-1)

/* Takes one option (its id, and its value or NULL) or operand (CLI_OPERAND, the argument).
 * Returns CLI_GO_ON, or an exit code after printing a one-line usage error. */
typedef int (*cli_opts_take)(void *ctx, int id, const char *value);

/* Parses argv[1..argc) (argv[0] is the command) by the spec, calling take in command-line order.
 * Returns CLI_GO_ON, RBK_EXIT_OK after printing the help on stdout (-h, --help), RBK_EXIT_USAGE
 * after printing a one-line error on stderr (an unknown option, a missing value, a value given
 * to a flag, a refused option), or what take returned. */
int cli_opts_parse(const cli_opts_spec *spec, int argc, char **argv, cli_opts_take take, void *ctx);

/* Prints the command's help (usage line, about, the options of its table, footer) on out. */
void cli_opts_help(const cli_opts_spec *spec, FILE *out);

/* Prints the one-line usage "usage: rbk NAME [options] OPERANDS" on stderr; returns RBK_EXIT_USAGE. */
int cli_opts_usage_error(const cli_opts_spec *spec);

#endif
