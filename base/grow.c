/* grow.c — growing arrays (see grow.h). */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Returns true when *itemsp has room for need elements (see grow.h). */
bool grow_array(void *itemsp, size_t *cap, size_t need, size_t elem_size) {
  if (need <= *cap) return true;
  size_t ncap = *cap ? *cap : 8;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) return false;
    ncap *= 2;
  }
  if (elem_size && ncap > SIZE_MAX / elem_size) return false;
  void *items; /* the caller's T *, read and written as bytes so any object pointer type works */
  memcpy(&items, itemsp, sizeof items);
  void *grown = realloc(items, ncap * elem_size);
  if (!grown) return false;
  memcpy(itemsp, &grown, sizeof grown);
  *cap = ncap;
  return true;
}
