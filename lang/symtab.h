/* symtab.h: a string-keyed hash table for one namespace of declarations (stages, personas, ...).
 *
 * Keys are not copied: they must outlive the table (they live in the Program's arena). Insertion
 * order is kept, so that iteration (for "did you mean" candidates, say) is deterministic.
 * Ownership: symtab_free() releases the table's own memory, never keys or values. */
#ifndef CJM_SYMTAB_H
#define CJM_SYMTAB_H

#include <stddef.h>

typedef struct Symtab {
    const char **keys;   /* in insertion order */
    void **values;
    int n, cap;
    int *slots;          /* open addressing: index+1 into keys, 0 = empty */
    int nslots;
} Symtab;

void symtab_init(Symtab *t);
void symtab_free(Symtab *t);
void *symtab_get(const Symtab *t, const char *key);
/* Inserts or replaces; returns the previous value (NULL if none). */
void *symtab_put(Symtab *t, const char *key, void *value);

#endif
