/* main.c — rbk's entry point: dispatches to the command named by argv[1]. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *help;
} command;

static const command commands[] = {
#define X(name, fn, help) {#name, fn, help},
    RBK_COMMANDS(X)
#undef X
};

/* Prints the usage text; returns the usage exit code. */
static int usage(FILE *out) {
  fprintf(out, "usage: rbk <command> [arguments]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
  fprintf(out, "\nrbk <command> --help describes a command; docs/cli.md describes them all.\n");
  return RBK_EXIT_USAGE;
}

/* Runs the rbk command named by argv[1]; returns its exit code. */
int main(int argc, char **argv) {
  if (argc < 2) return usage(stderr);
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return RBK_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "rbk: unknown command '%s'\n", argv[1]);
  return usage(stderr);
}
