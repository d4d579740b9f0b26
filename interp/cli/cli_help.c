/* cli_help.c — `rbk help [COMMAND]`: the list of commands (RBK_COMMANDS), or one command's help
 * (the text its --help prints, from its option table). Compiled into each executable, like main.c:
 * the static front (RBK_FRONT) links no NET command's option table and hands `help NET-COMMAND`
 * to the full rbk. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* One command of RBK_COMMANDS. */
typedef struct {
  const char *name, *help;
  const cli_opts_spec *spec; /* NULL: described by the full rbk (cli_full) */
} help_command;

static const help_command commands[] = {
#define X(name, fn, where, help) {#name, help, CLI_ON_##where(&fn##_spec)},
    RBK_COMMANDS(X)
#undef X
};

enum { NCOMMANDS = sizeof commands / sizeof *commands };

const cli_opts_spec cli_help_spec = {
    .name = "help",
    .operands = "[COMMAND]",
    .about = "Lists the commands, or prints COMMAND's help (what rbk COMMAND --help prints).",
    .footer = "Exit 0, or 2 for an unknown command.",
    .in_order = true,
};

/* Prints the list of commands on out. */
void cli_help_list(FILE *out) {
  fprintf(out, "usage: rbk <command> [arguments]\n\ncommands:\n");
  for (size_t i = 0; i < NCOMMANDS; i++) fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
  fprintf(out, "\nrbk help COMMAND (or rbk COMMAND --help) describes a command; rbk --version prints the\n"
               "versions; docs/cli.md describes them all.\n");
}

/* Takes the command to describe (cli_opts_take); returns CLI_GO_ON or the usage exit code. */
static int take_command(void *ctx, int id, const char *name) {
  const help_command **which = ctx;
  if (id != CLI_OPERAND) return CLI_GO_ON;
  if (*which) return cli_usage_error("help describes one command; extra argument", name);
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (!strcmp(name, commands[i].name)) *which = &commands[i];
  if (*which) return CLI_GO_ON;
  fprintf(stderr, "rbk: unknown command '%s'\n", name);
  cli_help_list(stderr);
  return RBK_EXIT_USAGE;
}

/* Entry point of `rbk help`. */
int cli_help(int argc, char **argv) {
  const help_command *which = NULL;
  int code = cli_opts_parse(&cli_help_spec, argc, argv, take_command, &which);
  if (code != CLI_GO_ON) return code;
  if (which && !which->spec) return cli_full();
  if (which) cli_opts_help(which->spec, stdout);
  else cli_help_list(stdout);
  return RBK_EXIT_OK;
}
