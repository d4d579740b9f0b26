/* dirwalk.c — the plan files of FILE|DIR arguments (see dirwalk.h). */
#include "dirwalk.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grow.h"
#include "strutil.h"

/* The list being built. */
typedef struct {
  char **items;
  size_t len, cap;
  char **err;
} walk;

/* Appends s (taken) and keeps the list NULL-terminated; returns false when out of memory. */
static bool push(walk *w, char *s) {
  if (!s || !GROW(w->items, w->cap, w->len + 2)) {
    free(s);
    *w->err = strdup("out of memory");
    return false;
  }
  w->items[w->len++] = s;
  w->items[w->len] = NULL;
  return true;
}

/* qsort comparator: names in byte order. */
static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Returns true when name ends in ".rbk" (and is more than that). */
static bool is_plan(const char *name) {
  size_t n = strlen(name);
  return n > 4 && !strcmp(name + n - 4, ".rbk");
}

/* Returns the names in dir that are not hidden, sorted, as a NULL-terminated list (*n set), or
 * NULL with the error recorded. */
static char **names_of(walk *w, const char *dir, size_t *n) {
  DIR *d = opendir(dir);
  if (!d) return *w->err = strutil_printf("%s: %s", dir, strerror(errno)), NULL;
  char **names = NULL;
  size_t cap = 0;
  struct dirent *e;
  bool ok = true;
  *n = 0;
  while (ok && (e = readdir(d)))
    if (e->d_name[0] != '.') ok = GROW(names, cap, *n + 1) && (names[*n] = strdup(e->d_name)) && ++*n;
  closedir(d);
  if (!ok) {
    for (size_t i = 0; i < *n; i++) free(names[i]);
    free(names);
    *w->err = strdup("out of memory");
    return NULL;
  }
  if (*n) qsort(names, *n, sizeof *names, by_name);
  return names ? names : calloc(1, sizeof *names);
}

/* Adds the plan files below dir (depth levels down); returns false with the error recorded. */
static bool walk_dir(walk *w, const char *dir, int depth) {
  size_t n = 0; /* names_of sets it, but not before an error (gcc -Os cannot tell) */
  char **names = names_of(w, dir, &n);
  bool ok = names != NULL;
  size_t dlen = strlen(dir);
  for (size_t i = 0; ok && i < n; i++) {
    char *path = strutil_printf("%s%s%s", dir, dlen && dir[dlen - 1] == '/' ? "" : "/", names[i]);
    struct stat st;
    if (!path) ok = push(w, NULL);
    else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) ok = depth >= DIRWALK_MAX_DEPTH || walk_dir(w, path, depth + 1);
    else if (is_plan(names[i]) && stat(path, &st) == 0 && S_ISREG(st.st_mode)) ok = push(w, path), path = NULL;
    free(path);
  }
  for (size_t i = 0; names && i < n; i++) free(names[i]);
  free(names);
  return ok;
}

/* Returns the files named by paths (see dirwalk.h). */
char **dirwalk_plans(char *const *paths, size_t n, char **err) {
  walk w = {.err = err};
  *err = NULL;
  bool ok = GROW(w.items, w.cap, 1);
  if (ok) w.items[0] = NULL;
  else *err = strdup("out of memory");
  for (size_t i = 0; ok && i < n; i++) {
    struct stat st;
    if (strcmp(paths[i], "-") && stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) ok = walk_dir(&w, paths[i], 1);
    else ok = push(&w, strdup(paths[i]));
  }
  if (ok) return w.items;
  dirwalk_free(w.items);
  return NULL;
}

/* Frees the list and its strings. */
void dirwalk_free(char **list) {
  for (size_t i = 0; list && list[i]; i++) free(list[i]);
  free(list);
}
