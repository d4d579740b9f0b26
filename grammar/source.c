/* source.c — loading plan text and finding its lines. */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The largest plan rbk reads: far above any real plan, low enough that /dev/zero cannot exhaust
 * memory. */
enum { SOURCE_MAX_BYTES = 1 << 30 };

/* Returns a new message "cannot read 'path': reason" (caller frees). */
static char *read_error(const char *path, int err) {
  const char *why = err == EINVAL ? "not a regular file" : err == EFBIG ? "larger than 1 GiB" : strerror(err);
  size_t n = strlen(path) + strlen(why) + 32;
  char *msg = malloc(n);
  if (msg) snprintf(msg, n, "cannot read '%s': %s", path, why);
  return msg;
}

rbk_source *source_from_string(const char *path, const char *text, size_t len) {
  rbk_source *src = calloc(1, sizeof *src);
  if (!src) return NULL;
  src->path = strdup(path);
  src->text = malloc(len + 1);
  if (!src->path || !src->text) {
    source_free(src);
    return NULL;
  }
  memcpy(src->text, text, len);
  src->text[len] = '\0';
  src->len = len;
  return src;
}

/* Returns the whole content of an open stream in *buf and *len; 0 or an errno value. */
static int slurp(FILE *f, char **buf, size_t *len) {
  size_t cap = 1 << 16, n = 0;
  char *data = malloc(cap + 1);
  if (!data) return ENOMEM;
  for (;;) {
    errno = 0;
    size_t got = fread(data + n, 1, cap - n, f);
    n += got;
    if (n < cap) break;
    if (cap >= SOURCE_MAX_BYTES) {
      free(data);
      return EFBIG;
    }
    char *bigger = realloc(data, cap * 2 + 1);
    if (!bigger) {
      free(data);
      return ENOMEM;
    }
    data = bigger;
    cap *= 2;
  }
  if (ferror(f)) {
    int e = errno ? errno : EIO;
    free(data);
    return e;
  }
  data[n] = '\0';
  *buf = data;
  *len = n;
  return 0;
}

rbk_source *source_load(const char *path, char **err) {
  FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!f) {
    *err = read_error(path, errno);
    return NULL;
  }
  struct stat st;
  if (f != stdin && fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
    fclose(f);
    *err = read_error(path, S_ISDIR(st.st_mode) ? EISDIR : EINVAL);
    return NULL;
  }
  char *data = NULL;
  size_t len = 0;
  int rc = slurp(f, &data, &len);
  if (f != stdin) fclose(f);
  if (rc) {
    *err = read_error(path, rc);
    return NULL;
  }
  rbk_source *src = calloc(1, sizeof *src);
  char *copy = strdup(path);
  if (!src || !copy) {
    free(src);
    free(copy);
    free(data);
    *err = read_error(path, ENOMEM);
    return NULL;
  }
  src->path = copy;
  src->text = data;
  src->len = len;
  return src;
}

void source_free(rbk_source *src) {
  if (!src) return;
  free(src->path);
  free(src->text);
  free(src);
}

const char *source_line(const rbk_source *src, int line, size_t *len) {
  if (!src || line < 1) return NULL;
  const char *p = src->text, *end = src->text + src->len;
  for (int l = 1; l < line; l++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return NULL;
    p = nl + 1;
  }
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  size_t n = (size_t)((nl ? nl : end) - p);
  if (n && p[n - 1] == '\r') n--;
  *len = n;
  return p;
}
