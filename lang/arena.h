/* arena.h: bump allocator for one compilation.
 *
 * Ownership: everything allocated from an Arena is freed at once by arena_free(); nothing in it
 * is freed one by one. The front end allocates AST nodes and strings here, so that a parse that
 * fails half-way cannot leak. Allocation failure aborts with a message (out of memory is not a
 * condition a user can fix from inside a journey file). */
#ifndef CJM_ARENA_H
#define CJM_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    ArenaBlock *head;
    size_t used_total;
} Arena;

void arena_init(Arena *a);
void arena_free(Arena *a);
/* Zero-filled memory aligned for any type. */
void *arena_alloc(Arena *a, size_t size);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ARENA_NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_alloc((a), sizeof(T) * (size_t)(n)))

/* Aborts the process after printing "cjm: out of memory". */
_Noreturn void die_out_of_memory(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
