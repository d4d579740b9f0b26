/* wrong.c — the header line names another file. */
#include "low.h"
#include "high.h"

#include <stdlib.h>

/* Returns a new string. */
char *low_name(void) {
  char *s = malloc(4);
  return s;
}

static int helper(void) { return 0; }

int low_count(int n)
{
  return n + helper();
}
