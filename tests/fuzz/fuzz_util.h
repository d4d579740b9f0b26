/* fuzz_util.h — helpers shared by the libFuzzer targets: splitting an input into parts, a
 * NUL-terminated copy, a scratch file for readers that take a path, a sink for output.
 *
 * Ownership: fuzz_part slices borrow the input; fuzz_cstr returns a copy the caller frees;
 * fuzz_file's path is static and its file is rewritten by every call; fuzz_null is opened once
 * and kept for the process's life. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A slice of the input. */
typedef struct {
  const char *p;
  size_t n;
} fuzz_part;

/* Returns the next part of *rest up to the separator (or the end), and moves *rest past it;
 * returns false when *rest is empty. */
static inline int fuzz_next(fuzz_part *rest, const char *sep, fuzz_part *out) {
  if (!rest->n) return 0;
  size_t k = strlen(sep);
  const char *hit = NULL;
  for (size_t i = 0; !hit && i + k <= rest->n; i++)
    if (rest->p[i] == sep[0] && !memcmp(rest->p + i, sep, k)) hit = rest->p + i;
  size_t n = hit ? (size_t)(hit - rest->p) : rest->n;
  *out = (fuzz_part){rest->p, n};
  rest->p += hit ? n + k : n;
  rest->n -= hit ? n + k : n;
  return 1;
}

/* Returns a NUL-terminated copy of n bytes (caller frees); aborts when out of memory. */
static inline char *fuzz_cstr(const char *p, size_t n) {
  char *s = malloc(n + 1);
  if (!s) abort();
  memcpy(s, p, n);
  s[n] = '\0';
  return s;
}

/* Returns the path of a scratch file (in $TMPDIR or /tmp, one per process) now holding the n
 * bytes at p; aborts when it cannot be written. The name ends in `suffix`. */
static inline const char *fuzz_file(const void *p, size_t n, const char *suffix) {
  static char path[256];
  if (!path[0]) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/rbk-fuzz-%ld%s", dir && *dir ? dir : "/tmp", (long)getpid(), suffix);
  }
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, 1, n, f) != n || fclose(f)) abort();
  return path;
}

/* Returns a stream that discards what is written to it (opened once). */
static inline FILE *fuzz_null(void) {
  static FILE *f;
  if (!f && !(f = fopen("/dev/null", "w"))) abort();
  return f;
}

#endif
