/* intern.c: interned strings (see intern.h): an open-addressing table, at most half full, of
 * indexes into the strings kept in an arena. */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a, its high bits folded down */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
    return h ^ (h >> 29);
}

void intern_init(Intern *t)
{
    memset(t, 0, sizeof *t);
    arena_init(&t->arena);
    t->nslots = 1024;
    t->slot = xcalloc(t->nslots, sizeof *t->slot);
}

void intern_free(Intern *t)
{
    arena_free(&t->arena);
    free(t->key);
    free(t->len);
    free(t->slot);
}

static void intern_grow(Intern *t)
{
    free(t->slot);
    t->nslots *= 2;
    t->slot = xcalloc(t->nslots, sizeof *t->slot);
    for (size_t i = 0; i < t->n; i++) {
        size_t h = (size_t)hash_bytes(t->key[i], t->len[i]) & (t->nslots - 1);
        while (t->slot[h]) h = (h + 1) & (t->nslots - 1);
        t->slot[h] = (uint32_t)i + 1;
    }
}

size_t intern(Intern *t, const char *s, size_t n, bool *fresh)
{
    size_t h = (size_t)hash_bytes(s, n) & (t->nslots - 1);
    while (t->slot[h]) {
        size_t i = t->slot[h] - 1;
        if (t->len[i] == n && memcmp(t->key[i], s, n) == 0) {
            *fresh = false;
            return i;
        }
        h = (h + 1) & (t->nslots - 1);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 256;
        t->key = xrealloc(t->key, t->cap * sizeof *t->key);
        t->len = xrealloc(t->len, t->cap * sizeof *t->len);
    }
    t->key[t->n] = arena_strndup(&t->arena, s, n);
    t->len[t->n] = n;
    t->slot[h] = (uint32_t)t->n + 1;
    *fresh = true;
    size_t i = t->n++;
    if (2 * t->n > t->nslots) intern_grow(t);
    return i;
}
