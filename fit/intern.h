/* intern.h: strings interned by their bytes (case ids, normalised event names), each given the
 * next index: the one hash table that cjm discover and cjm fit --trait key their per-case or
 * per-name arrays by. Memory runs out as xmalloc says (arena.h).
 *
 * Ownership: an Intern owns the copies of its strings; intern_free() releases them. */
#ifndef CJM_FIT_INTERN_H
#define CJM_FIT_INTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef struct Intern {
    Arena arena;
    char **key;         /* [n]: the bytes interned */
    size_t *len;
    size_t n, cap;
    uint32_t *slot;     /* open addressing: index + 1, 0 empty; nslots a power of two */
    size_t nslots;
} Intern;

void intern_init(Intern *t);
void intern_free(Intern *t);
/* The index of the n bytes at s (0, 1, ... in the order first seen), interned now if new
 * (*fresh true). */
size_t intern(Intern *t, const char *s, size_t n, bool *fresh);

#endif
