/* dirwalk.h — the plan files a command line names: the one rule `rbk check`, `rbk fmt` and
 * `rbk test` apply to their FILE|DIR arguments.
 *
 * Each argument that is not a directory (a file, "-", a path that does not exist) is taken as
 * given, whatever its name: the command reads it and reports what is wrong with it. A directory
 * stands for every `*.rbk` file below it, recursively (at most DIRWALK_MAX_DEPTH levels), skipping
 * hidden entries (names starting with '.': `.git`, editor files); within each directory entries
 * are taken in byte order of their names, a subdirectory's files where its name sorts (so
 * `a.rbk`, `b/x.rbk`, `c.rbk`). Symbolic links are followed.
 *
 * Ownership: the returned list and its strings are the caller's (dirwalk_free); the arguments are
 * borrowed.
 */
#ifndef RBK_DIRWALK_H
#define RBK_DIRWALK_H

#include <stddef.h>

/* How deep below an argument a directory is still searched. */
#define DIRWALK_MAX_DEPTH 32

/* Returns the files named by paths[0..n) (see above) as a new NULL-terminated list, or NULL with
 * *err set (caller frees; "DIR: reason") when a directory cannot be read or memory runs out. */
char **dirwalk_plans(char *const *paths, size_t n, char **err);

/* Frees a list dirwalk_plans returned; NULL is fine. */
void dirwalk_free(char **list);

#endif
