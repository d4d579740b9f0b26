/* main.c — rbk's entry point: dispatches to the command named by argv[1] (RBK_COMMANDS). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
  const char *name;
  int (*fn)(int argc, char **argv);
} command;

static const command commands[] = {
#define X(name, fn, help) {#name, fn},
    RBK_COMMANDS(X)
#undef X
};

/* Runs the rbk command named by argv[1]; returns its exit code. */
int main(int argc, char **argv) {
  if (argc < 2) return cli_help_list(stderr), RBK_EXIT_USAGE;
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) return cli_help(argc - 1, argv + 1);
  if (!strcmp(argv[1], "--version")) return cli_version(argc - 1, argv + 1);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "rbk: unknown command '%s'\n", argv[1]);
  cli_help_list(stderr);
  return RBK_EXIT_USAGE;
}
