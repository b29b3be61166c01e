/* symtab.c: insertion-ordered string hash table (see symtab.h). */
#include "symtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

void symtab_init(Symtab *t) { memset(t, 0, sizeof *t); }

void symtab_free(Symtab *t)
{
    free(t->keys);
    free(t->values);
    free(t->slots);
    memset(t, 0, sizeof *t);
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

static void grow(Symtab *t)
{
    int nslots = t->nslots ? t->nslots * 2 : 64;
    free(t->slots);
    t->slots = xcalloc((size_t)nslots, sizeof *t->slots);
    t->nslots = nslots;
    for (int k = 0; k < t->n; k++) t->slots[find_slot(t, t->keys[k])] = k + 1;
}

void *symtab_get(const Symtab *t, const char *key)
{
    if (!t->nslots) return NULL;
    int k = t->slots[find_slot(t, key)];
    return k ? t->values[k - 1] : NULL;
}

void *symtab_put(Symtab *t, const char *key, void *value)
{
    if ((t->n + 1) * 2 > t->nslots) grow(t);
    int slot = find_slot(t, key);
    int k = t->slots[slot];
    if (k) {
        void *old = t->values[k - 1];
        t->values[k - 1] = value;
        return old;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->keys = xrealloc(t->keys, (size_t)t->cap * sizeof *t->keys);
        t->values = xrealloc(t->values, (size_t)t->cap * sizeof *t->values);
    }
    t->keys[t->n] = key;
    t->values[t->n] = value;
    t->n++;
    t->slots[slot] = t->n;
    return NULL;
}
