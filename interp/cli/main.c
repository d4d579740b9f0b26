/* main.c — rbk's entry point: dispatches to the command named by argv[1] (RBK_COMMANDS). Compiled
 * twice when the static front is built (docs/architecture.md "The static front"): with RBK_FRONT
 * into the static `rbk`, whose table lacks the NET commands and hands them to the full rbk, and
 * without it into `rbk-full`, which runs them all. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "netmod.h"

typedef struct {
  const char *name;
  int (*fn)(int argc, char **argv); /* NULL: run by the full rbk (cli_full) */
} command;

static const command commands[] = {
#define X(name, fn, where, help) {#name, CLI_ON_##where(fn)},
    RBK_COMMANDS(X)
#undef X
};

/* Runs the rbk command named by argv[1]; returns its exit code. */
int main(int argc, char **argv) {
  netmod_set_argv(argv);
  if (argc < 2) return cli_help_list(stderr), RBK_EXIT_USAGE;
  const char *name = argv[1];
  if (!strcmp(name, "--help") || !strcmp(name, "-h")) name = "help";
  if (!strcmp(name, "--version")) name = "version";
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(name, commands[i].name)) return commands[i].fn ? commands[i].fn(argc - 1, argv + 1) : cli_full();
  fprintf(stderr, "rbk: unknown command '%s'\n", argv[1]);
  cli_help_list(stderr);
  return RBK_EXIT_USAGE;
}
