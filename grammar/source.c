/* source.c — loading plan text and finding its lines. */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strutil.h"

/* The largest plan rbk reads: far above any real plan, low enough that /dev/zero cannot exhaust
 * memory. */
enum { SOURCE_MAX_BYTES = 1 << 30 };

/* Returns a new message "cannot read 'path': reason" (caller frees). */
static char *read_error(const char *path, int err) {
  const char *why = err == EINVAL ? "not a regular file" : err == EFBIG ? "larger than 1 GiB" : strerror(err);
  return strutil_printf("cannot read '%s': %s", path, why);
}

/* Returns a source holding a copy of `text` (len bytes) named `path`; NULL when out of memory. */
rbk_source *source_from_string(const char *path, const char *text, size_t len) {
  rbk_source *src = calloc(1, sizeof *src);
  if (!src) return NULL;
  src->path = strdup(path);
  src->text = malloc(len + 2);
  if (!src->path || !src->text) {
    source_free(src);
    return NULL;
  }
  memcpy(src->text, text, len);
  src->text[len] = src->text[len + 1] = '\0';
  src->len = len;
  return src;
}

/* Returns a source read from `path`, or NULL with *err set (caller frees *err). */
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
  int rc = strutil_read_stream(f, SOURCE_MAX_BYTES - 1, &data, &len);
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

/* Frees the source; NULL is fine. */
void source_free(rbk_source *src) {
  if (!src) return;
  free(src->path);
  free(src->text);
  free(src);
}

/* Returns the start of line `line` in src (borrowed) and its length without the newline in *len; NULL when
 * there is no such line. */
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
