/* source.c — loading plan text and finding its lines. */
#include "source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Sources this large or larger are read into memory mapped with its pages populated at once: one
 * system call instead of a page fault per 4 KiB, the costliest part of reading a large plan. */
enum { SOURCE_POPULATE_BYTES = 1 << 20 };

/* Returns a buffer of `size` bytes for a source's text (its mapped size, or 0 when
 * malloc'ed, in *mapped), or NULL when out of memory. */
static char *text_buffer(size_t size, size_t *mapped) {
  *mapped = 0;
#if defined(MAP_POPULATE) && defined(MAP_ANONYMOUS)
  if (size >= SOURCE_POPULATE_BYTES) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p != MAP_FAILED) {
      *mapped = size;
      return p;
    }
  }
#endif
  return malloc(size);
}

/* Frees a buffer from text_buffer. */
static void text_free(char *text, size_t mapped) {
  if (mapped)
    munmap(text, mapped);
  else
    free(text);
}

/* Reads the regular file `fd` of `size` bytes into src (text followed by two NULs); returns 0, or
 * an errno value: EAGAIN when the file grew while it was read (then read it as a stream). */
static int read_regular(int fd, size_t size, rbk_source *src) {
  src->text = text_buffer(size + 2, &src->mapped);
  if (!src->text) return ENOMEM;
  size_t got = 0;
  for (;;) {
    ssize_t n = read(fd, src->text + got, size + 1 - got); /* one byte more: tells a grown file */
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) break;
    got += (size_t)n;
    if (got > size) return EAGAIN;
  }
  src->len = got; /* a file that shrank meanwhile: what was there */
  src->text[got] = src->text[got + 1] = '\0';
  return 0;
}

/* Reads the open stream f into src (text followed by two NULs); returns 0 or an errno value. */
static int read_stream(FILE *f, rbk_source *src) {
  text_free(src->text, src->mapped);
  src->text = NULL;
  src->mapped = 0;
  return strutil_read_stream(f, SOURCE_MAX_BYTES - 1, &src->text, &src->len);
}

/* Returns a source read from `path`, or NULL with *err set (caller frees *err). */
rbk_source *source_load(const char *path, char **err) {
  bool is_stdin = !strcmp(path, "-");
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  rbk_source *src = f ? calloc(1, sizeof *src) : NULL;
  int rc = !f ? errno : !src ? ENOMEM : 0;
  struct stat st;
  if (!rc && !is_stdin && fstat(fileno(f), &st) == 0) {
    if (!S_ISREG(st.st_mode))
      rc = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    else if ((unsigned long long)st.st_size >= SOURCE_MAX_BYTES)
      rc = EFBIG;
    else if ((rc = read_regular(fileno(f), (size_t)st.st_size, src)) == EAGAIN)
      rc = fseek(f, 0, SEEK_SET) ? errno : read_stream(f, src); /* from the start again */
  } else if (!rc) {
    rc = read_stream(f, src);
  }
  if (f && !is_stdin) fclose(f);
  if (!rc && !(src->path = strdup(path))) rc = ENOMEM;
  if (rc) {
    *err = read_error(path, rc);
    source_free(src);
    return NULL;
  }
  return src;
}

/* Frees the source; NULL is fine. */
void source_free(rbk_source *src) {
  if (!src) return;
  free(src->path);
  text_free(src->text, src->mapped);
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
