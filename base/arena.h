/* arena.h — bump allocation in large chunks, released all at once (the memory of one syntax tree).
 *
 * Ownership: an arena owns every block it handed out and every block it adopted; arena_free()
 * releases them together. Nothing is freed one by one. Memory from an arena is zero-filled and
 * aligned for any object of the tree (8 bytes).
 */
#ifndef RBK_ARENA_H
#define RBK_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct {
  arena_chunk *chunks; /* newest first; the first one is being filled */
  char *next, *end;    /* the free part of the chunk being filled */
  size_t next_size;    /* the size of the next chunk (they grow up to a cap) */
} arena;

/* Returns `size` zeroed bytes owned by the arena from a new chunk, or NULL when out of memory
 * (arena_alloc's slow path). */
void *arena_alloc_slow(arena *a, size_t size);

/* Returns `size` zeroed bytes owned by the arena, or NULL when out of memory. Inline: the tree's
 * every node and string comes through here. */
static inline void *arena_alloc(arena *a, size_t size) {
  size_t rounded = (size + 7) & ~(size_t)7;
  if (rounded > size - 1 && a->next && (size_t)(a->end - a->next) >= rounded) { /* size > 0, no wrap */
    void *p = a->next;
    a->next += rounded;
    return p;
  }
  return arena_alloc_slow(a, size);
}

/* Sizes the next chunk for about `bytes` more of allocations (up to the cap of a chunk). */
void arena_expect(arena *a, size_t bytes);

/* Returns a NUL-terminated copy of s[0..len) owned by the arena, or NULL when out of memory. */
char *arena_strdup(arena *a, const char *s, size_t len);
/* Takes ownership of the malloc'ed `block` (freed with the arena); returns false when out of
 * memory, and then the block is freed at once. */
bool arena_adopt(arena *a, void *block);
/* Frees every block; the arena is empty (and usable) afterwards. NULL is fine. */
void arena_free(arena *a);

#endif
