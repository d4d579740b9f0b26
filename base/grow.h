/* grow.h — growing arrays: the one helper every growable array in rbk uses.
 *
 * Ownership: the array stays the caller's (released with free()); grow_array() only moves it to a
 * bigger block. On failure the array, its contents and its capacity are left untouched, so the
 * caller keeps (and still owns) what it had. Growable byte strings use valbuf (valbuf.h) instead.
 *
 *   item *items = NULL; size_t len = 0, cap = 0;
 *   if (!GROW(items, cap, len + 1)) return false;   // out of memory: items unchanged
 *   items[len++] = x;
 */
#ifndef RBK_GROW_H
#define RBK_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* Returns true when the array whose pointer is at *itemsp (a `T **`, T of size elem_size) has room
 * for `need` elements, growing it (capacity doubled from 8 until it fits) and updating *cap; returns
 * false, changing nothing, when the size overflows or memory runs out. */
bool grow_array(void *itemsp, size_t *cap, size_t need, size_t elem_size);

/* GROW(arr, cap, need): grow_array() for a `T *arr` with a `size_t cap`; returns the same. */
#define GROW(arr, cap, need) grow_array(&(arr), &(cap), (need), sizeof *(arr))

#endif
