/* symtab.c: insertion-ordered string hash table (see symtab.h). */
#include "symtab.h"

#include <stdint.h>
#include <string.h>

void symtab_init(Symtab *t, Arena *arena)
{
    memset(t, 0, sizeof *t);
    t->arena = arena;
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int find_slot(const Symtab *t, const char *key)
{
    uint32_t mask = (uint32_t)t->nslots - 1;
    for (uint32_t i = hash(key) & mask;; i = (i + 1) & mask) {
        int k = t->slots[i];
        if (k == 0 || strcmp(t->keys[k - 1], key) == 0) return (int)i;
    }
}

/* The old slots stay in the arena: a table only grows while one check runs. */
static void grow(Symtab *t)
{
    int nslots = t->nslots ? t->nslots * 2 : 64;
    t->slots = ARENA_ARRAY(t->arena, int, nslots);
    t->nslots = nslots;
    for (int k = 0; k < t->n; k++) t->slots[find_slot(t, t->keys[k])] = k + 1;
}

int symtab_find(const Symtab *t, const char *key)
{
    if (!t->nslots) return -1;
    return t->slots[find_slot(t, key)] - 1;
}

int symtab_add(Symtab *t, const char *key)
{
    if ((t->n + 1) * 2 > t->nslots) grow(t);
    int slot = find_slot(t, key);
    if (t->slots[slot]) return t->slots[slot] - 1;
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 16;
        t->keys = arena_grow(t->arena, t->keys, (size_t)t->n * sizeof *t->keys, (size_t)cap * sizeof *t->keys);
        t->cap = cap;
    }
    t->keys[t->n] = key;
    t->slots[slot] = ++t->n;
    return t->n - 1;
}
