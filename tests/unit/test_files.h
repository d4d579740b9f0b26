/* test_files.h — the unit tests' one way to write a file: text to a path, or to dir/name.
 *
 * Ownership: the paths and texts are borrowed; tf_put returns the caller's buffer.
 */
#ifndef TEST_FILES_H
#define TEST_FILES_H

#include <limits.h>
#include <stdio.h>

/* Writes text to path; fails the test when the file cannot be written. */
static inline void tf_write_path(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) fail_msg("cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

/* Writes text to dir/name; returns that path, in buf (size bytes). */
static inline const char *tf_put(char *buf, size_t size, const char *dir, const char *name, const char *text) {
  snprintf(buf, size, "%s/%s", dir, name);
  tf_write_path(buf, text);
  return buf;
}

/* Writes text to dir/name. */
static inline void tf_write(const char *dir, const char *name, const char *text) {
  char path[PATH_MAX];
  tf_put(path, sizeof path, dir, name, text);
}

#endif
