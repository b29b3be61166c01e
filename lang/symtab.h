/* symtab.h: a string-keyed hash table for one namespace of declarations (stages, personas, ...):
 * it maps a name to the index at which it was first added.
 *
 * The table holds names only; the caller keeps what they name in an array of its own, at the same
 * indices, so that one table serves const syntax nodes and the checker's own copies alike. Keys
 * are not copied: they must outlive the table (they live in the Program's arena). Insertion order
 * is kept, so that iteration (for "did you mean" candidates, say) is deterministic.
 * Ownership: the table's memory comes from the arena given to symtab_init() and goes with it; an
 * allocation failure is the arena's (arena.h). */
#ifndef CJM_SYMTAB_H
#define CJM_SYMTAB_H

#include "arena.h"

typedef struct Symtab {
    Arena *arena;
    const char **keys;   /* in insertion order */
    int n, cap;
    int *slots;          /* open addressing: index+1 into keys, 0 = empty */
    int nslots;
} Symtab;

void symtab_init(Symtab *t, Arena *arena);
/* The index of `key`, or -1 when it was never added. */
int symtab_find(const Symtab *t, const char *key);
/* The index of `key`, adding it (at index t->n) when it is new. */
int symtab_add(Symtab *t, const char *key);

#endif
