/* arena.c: the bump allocator behind every compilation, the allocation primitive and what happens
 * when memory runs out (see arena.h), and the checked malloc wrappers the rest of cjm uses. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ArenaBlock {
    ArenaBlock *next;
    size_t size, used;
    max_align_t data[];
};

enum { ARENA_BLOCK_MIN = 64 * 1024, ARENA_MAX_GUARDED = 4 };

static size_t block_size = ARENA_BLOCK_MIN; /* changed by tests only, like the countdown below */

void arena_set_block_size(size_t n) { block_size = n ? n : ARENA_BLOCK_MIN; }

/* ---- the allocation primitive and its test hook ----
 * The countdown is armed only by tests, on one thread, while no other thread allocates; cjm's
 * worker threads only ever read it as 0. */
static long fail_countdown;
static bool fail_sticky, fail_happened;

void mem_fail_at(long n, bool sticky)
{
    fail_countdown = n;
    fail_sticky = sticky && n > 0;
    fail_happened = false;
}

bool mem_failed(void) { return fail_happened; }

static bool planned_failure(void)
{
    if (fail_happened && fail_sticky) return true;
    if (fail_countdown <= 0) return false;
    if (--fail_countdown > 0) return false;
    fail_happened = true;
    return true;
}

void *mem_alloc(size_t n) { return planned_failure() ? NULL : malloc(n ? n : 1); }

void *mem_realloc(void *p, size_t n) { return planned_failure() ? NULL : realloc(p, n ? n : 1); }

_Noreturn void die_out_of_memory(void)
{
    fputs("cjm: out of memory\n", stderr);
    exit(3);
}

void *xmalloc(size_t n)
{
    void *p = mem_alloc(n);
    if (!p) die_out_of_memory();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) die_out_of_memory();
    size_t bytes = n * size;
    void *p = xmalloc(bytes);
    memset(p, 0, bytes);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = mem_realloc(p, n);
    if (!p) die_out_of_memory();
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* ---- arenas ---- */

void arena_init(Arena *a)
{
    a->head = NULL;
    a->used_total = 0;
    a->failed = false;
    a->escape = NULL;
}

void arena_free(Arena *a)
{
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used_total = 0;
}

_Noreturn void arena_fail(Arena *a)
{
    a->failed = true;
    if (a->escape) longjmp(*a->escape, 1);
    die_out_of_memory();
}

void *arena_alloc(Arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    if (size > SIZE_MAX / 2) arena_fail(a);
    size = (size + align - 1) / align * align;
    if (size == 0) size = align;
    ArenaBlock *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > block_size ? size : block_size;
        b = mem_alloc(sizeof *b + cap);
        if (!b) arena_fail(a);
        b->size = cap;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    a->used_total += size;
    memset(p, 0, size);
    return p;
}

void *arena_grow(Arena *a, const void *old, size_t old_size, size_t size)
{
    void *p = arena_alloc(a, size);
    if (old_size) memcpy(p, old, old_size < size ? old_size : size);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
    if (n > 0) vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

/* The jmp_buf lives in this frame and `saved` is written before setjmp only, so nothing this
 * function reads after a jump was changed in between (C11 7.13.2.1). */
bool arena_guard(Arena *const *arenas, int narenas, void (*fn)(void *ctx), void *ctx)
{
    jmp_buf env;
    jmp_buf *saved[ARENA_MAX_GUARDED];
    if (narenas > ARENA_MAX_GUARDED) narenas = ARENA_MAX_GUARDED;
    for (int i = 0; i < narenas; i++) {
        saved[i] = arenas[i]->escape;
        arenas[i]->escape = &env;
    }
    volatile bool ok = false;
    if (setjmp(env) == 0) {
        fn(ctx);
        ok = true;
    }
    for (int i = 0; i < narenas; i++) arenas[i]->escape = saved[i];
    return ok;
}
