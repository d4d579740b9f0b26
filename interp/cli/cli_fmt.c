/* cli_fmt.c — `rbk fmt [-w | --check] FILE|DIR...`: prints plans in canonical layout, rewrites them in
 * place, or lists the ones that are not formatted. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dirwalk.h"
#include "out.h"
#include "fmt.h"
#include "parse.h"
#include "strutil.h"

typedef enum { MODE_PRINT, MODE_WRITE, MODE_CHECK } fmt_mode;

/* The options, once: X(ID, long name, short name, value, help). */
#define FMT_OPTS(X)                                                                    \
  X(FMT_WRITE, "write", 'w', NULL, "rewrite the files in place (only those whose text changes)") \
  X(FMT_CHECK, "check", 0, NULL, "print the names of files that are not formatted; exit 1 if any")

enum { FMT_OPTS(CLI_OPTS_ENUM) };
static const cli_opt fmt_opts[] = {FMT_OPTS(CLI_OPTS_ROW)};

const cli_opts_spec cli_fmt_spec = {
    .name = "fmt",
    .operands = "FILE|DIR...",
    .about = "Prints each plan in rbk's canonical layout (docs/fmt.md) on stdout. A directory\n"
             "stands for every .rbk file below it (hidden entries skipped, name order). '-' reads a plan\n"
             "from stdin (not with -w); '--' ends the options.",
    .footer = "Exit status: 0 ok, 1 --check found files to reformat, 2 usage or syntax errors\n"
              "(a file with syntax errors is left untouched).",
    .opts = fmt_opts,
    .nopts = sizeof fmt_opts / sizeof *fmt_opts,
    .in_order = true,
};

/* Returns the source read from stdin, or NULL (message printed). Caller frees it. */
static rbk_source *load_stdin(void) {
  char *buf = NULL;
  size_t len = 0;
  rbk_source *src =
      strutil_read_stream(stdin, SIZE_MAX, &buf, &len) == 0 ? source_from_string("<stdin>", buf, len) : NULL;
  free(buf);
  if (!src) fprintf(stderr, "rbk fmt: cannot read stdin\n");
  return src;
}

/* Returns a copy of the directory part of `path` (caller frees), or NULL. */
static char *dir_of(const char *path) {
  char *copy = strdup(path);
  if (!copy) return NULL;
  char *dir = strdup(dirname(copy));
  free(copy);
  return dir;
}

/* Writes `text` to a new temporary file beside `target` with `mode`; returns its name (caller
 * frees) or NULL with errno set. */
static char *write_temp(const char *target, const char *text, mode_t mode) {
  char *dir = dir_of(target);
  if (!dir) return NULL;
  size_t n = strlen(dir) + 32;
  char *tmp = malloc(n);
  if (tmp) snprintf(tmp, n, "%s/.rbk-fmt-XXXXXX", dir);
  free(dir);
  int fd = tmp ? mkstemp(tmp) : -1;
  if (fd < 0) {
    free(tmp);
    return NULL;
  }
  size_t len = strlen(text), done = 0;
  ssize_t w = 0;
  while (done < len && (w = write(fd, text + done, len - done)) > 0) done += (size_t)w;
  bool ok = done == len && fchmod(fd, mode & 07777) == 0 && fsync(fd) == 0;
  int saved = errno;
  if (close(fd) != 0) ok = false;
  if (!ok) {
    unlink(tmp);
    free(tmp);
    errno = saved ? saved : EIO;
    return NULL;
  }
  return tmp;
}

/* Replaces the file at `path` (following symlinks) with `text` atomically, keeping its mode;
 * returns true, or false with a message printed. */
static bool rewrite(const char *path, const char *text) {
  char target[PATH_MAX];
  struct stat st;
  if (!realpath(path, target) || stat(target, &st) != 0) {
    fprintf(stderr, "rbk fmt: %s: %s\n", path, strerror(errno));
    return false;
  }
  char *tmp = write_temp(target, text, st.st_mode);
  if (!tmp || rename(tmp, target) != 0) {
    fprintf(stderr, "rbk fmt: cannot write %s: %s\n", path, strerror(errno));
    if (tmp) unlink(tmp);
    free(tmp);
    return false;
  }
  free(tmp);
  return true;
}

/* Returns the canonical text of the plan at `path` ("-": stdin) and its current text in *old
 * (caller frees both), or NULL with diagnostics printed. */
static char *format_one(const char *path, rbk_source **old) {
  char *err = NULL;
  rbk_source *src = strcmp(path, "-") ? source_load(path, &err) : load_stdin();
  if (!src) {
    if (err) fprintf(stderr, "rbk fmt: %s\n", err);
    free(err);
    return NULL;
  }
  diag_list diags = {0};
  ast_file *file = parse_source(src, &diags);
  char *text = NULL;
  if (diags.errors) {
    diag_sort(&diags);
    diag_print(&diags, stderr, out_color_on(STDERR_FILENO));
  } else if (file && !(text = fmt_file(file))) {
    fprintf(stderr, "rbk fmt: %s: out of memory, or nested too deeply to format\n", path);
  }
  ast_file_free(file);
  diag_free(&diags);
  if (!text) source_free(src);
  *old = text ? src : NULL;
  return text;
}

/* Formats one file as `mode` says; returns its exit status (0, 1 changed under --check, 2). */
static int fmt_path(const char *path, fmt_mode mode) {
  rbk_source *src = NULL;
  char *text = format_one(path, &src);
  if (!text) return RBK_EXIT_USAGE;
  bool changed = strlen(text) != src->len || memcmp(text, src->text, src->len) != 0;
  int status = RBK_EXIT_OK;
  if (mode == MODE_PRINT) {
    fputs(text, stdout);
  } else if (mode == MODE_CHECK && changed) {
    printf("%s\n", path);
    status = RBK_EXIT_FAILED;
  } else if (mode == MODE_WRITE && changed && !rewrite(path, text)) {
    status = RBK_EXIT_USAGE;
  }
  free(text);
  source_free(src);
  return status;
}

/* Returns the worse of two exit statuses (usage errors beat changed files). */
static int worse(int a, int b) { return a > b ? a : b; }

/* Formats a command-line argument: a file, "-", or a directory (every .rbk file below it,
 * dirwalk.h); returns its exit status. */
static int fmt_arg(const char *path, fmt_mode mode) {
  char *err = NULL, *arg = (char *)path;
  char **files = dirwalk_plans(&arg, 1, &err);
  if (!files) {
    fprintf(stderr, "rbk fmt: %s\n", err ? err : "out of memory");
    free(err);
    return RBK_EXIT_USAGE;
  }
  int status = RBK_EXIT_OK;
  for (size_t i = 0; files[i]; i++) status = worse(status, fmt_path(files[i], mode));
  dirwalk_free(files);
  return status;
}

/* The command line so far: the mode, the worst status, how many files. */
typedef struct {
  fmt_mode mode;
  int status, nfiles;
} fmt_run;

/* Takes one option, or formats one file (cli_opts_take: the options come first); returns
 * CLI_GO_ON or the usage exit code. */
static int take_arg(void *ctx, int id, const char *arg) {
  fmt_run *r = ctx;
  if (id != CLI_OPERAND) {
    fmt_mode m = id == FMT_WRITE ? MODE_WRITE : MODE_CHECK;
    if (r->mode != MODE_PRINT && r->mode != m) return cli_usage_error("-w and --check cannot be combined", NULL);
    r->mode = m;
  } else if (r->mode == MODE_WRITE && !strcmp(arg, "-")) {
    fprintf(stderr, "rbk fmt: -w cannot rewrite stdin\n");
    r->status = worse(r->status, RBK_EXIT_USAGE);
  } else {
    r->status = worse(r->status, fmt_arg(arg, r->mode));
  }
  r->nfiles += id == CLI_OPERAND;
  return CLI_GO_ON;
}

/* Entry point of `rbk fmt`. */
int cli_fmt(int argc, char **argv) {
  fmt_run r = {MODE_PRINT, RBK_EXIT_OK, 0};
  int code = cli_opts_parse(&cli_fmt_spec, argc, argv, take_arg, &r);
  fflush(stdout);
  if (code != CLI_GO_ON) return code;
  return r.nfiles ? r.status : cli_opts_usage_error(&cli_fmt_spec);
}
