/* arena.h: memory for the front end: the bump allocator behind every compilation, the one
 * allocation primitive under it, and what happens when memory runs out.
 *
 * Ownership: everything allocated from an Arena is freed at once by arena_free(); nothing in it
 * is freed one by one. The front end allocates AST nodes, the checked model and their strings
 * here, so that a parse or a check that stops half-way cannot leak.
 *
 * Out of memory. The front end must survive it (a language server checks whatever file it is
 * given): an arena whose allocation fails jumps to its `escape` (set by arena_guard() around each
 * entry point of lang/: loading a program, checking a model, formatting a file), which drops what
 * the call built and reports "out of memory while ..." as an error diagnostic. An arena without an
 * escape ends the process with "cjm: out of memory" (exit 3), as do xmalloc() and friends, which
 * the other layers use (lang/ never does: tests/cli/layers.sh checks it): there, out of memory is
 * not a condition a user can fix from inside a journey file. lang/'s strings are fallible Bufs
 * (buf.h), whose owners turn a failure into a jump to the escape.
 *
 * mem_alloc() and mem_realloc() return NULL on failure. Every allocation of cjm goes through them,
 * so that a test can make the Nth one fail (mem_fail_at) and see that nothing crashes or leaks. */
#ifndef CJM_ARENA_H
#define CJM_ARENA_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    ArenaBlock *head;
    size_t used_total;
    bool failed;         /* an allocation failed (and jumped to `escape`, if set) */
    jmp_buf *escape;     /* set by arena_guard(); NULL: failure ends the process */
} Arena;

void arena_init(Arena *a);
void arena_free(Arena *a);
/* Zero-filled memory aligned for any type. */
void *arena_alloc(Arena *a, size_t size);
/* A copy of `old` (old_size bytes) grown to `size` bytes, the rest zero-filled; the old block stays
 * in the arena until it is freed. For arrays that grow while they are built. */
void *arena_grow(Arena *a, const void *old, size_t old_size, size_t size);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records a failure of `a` (or of memory that `a`'s owner needed) and jumps to its escape; ends
 * the process when it has none. */
_Noreturn void arena_fail(Arena *a);

/* Runs fn(ctx) with allocation failures in any of `arenas` (at most 4) jumping back here: returns
 * true when fn returned, false when an allocation failed (every arena's escape is restored
 * either way). fn must keep whatever it builds reachable from ctx or from the arenas, since it
 * may be stopped anywhere. */
bool arena_guard(Arena *const *arenas, int narenas, void (*fn)(void *ctx), void *ctx);

#define ARENA_NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_alloc((a), sizeof(T) * (size_t)(n)))

/* The allocation primitive: malloc/realloc that may fail (NULL), counted for mem_fail_at(). */
void *mem_alloc(size_t n);
void *mem_realloc(void *p, size_t n);
/* A test hook: the nth allocation from now fails (1 = the next one), and with `sticky` every one
 * after it too; n = 0 turns failures off. mem_failed() says whether a planned failure happened. */
void mem_fail_at(long n, bool sticky);
bool mem_failed(void);
/* A test hook: the size of new arena blocks (0: the default, 64 KiB), so that a test can make
 * arenas allocate often and fail in more places. */
void arena_set_block_size(size_t n);

/* Ends the process after printing "cjm: out of memory" (exit 3). */
_Noreturn void die_out_of_memory(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
