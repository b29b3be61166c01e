/* memfs.h: files held in memory for the fuzzers: the input split into modules, plus the standard
 * library read once from disk, served to the loader through ProgramFiles. */
#ifndef CJM_MEMFS_H
#define CJM_MEMFS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "program.h"
#include "sema.h"

/* Splits `data` into files: the main file "main.journey", then a new file at each line
 * "//@ NAME" (NAME.journey). Adds every file of `stdlib` (may be NULL) as "std/NAME.journey". */
void memfs_load(const char *data, size_t len, const char *stdlib_dir);
void memfs_clear(void);
const ProgramFiles *memfs_files(void);
/* The main file's text. */
const char *memfs_main(size_t *len);

/* An input checked as the cjm program would: loaded from memory (memfs_load), parsed with its
 * imports, checked, and when that found no error, checked again with each scenario applied;
 * diagnostics go to /dev/null. fuzz_checked_free() releases it. */
typedef struct FuzzScenario {
    Model *model;     /* the journey with the scenario applied; NULL after errors */
} FuzzScenario;

typedef struct FuzzChecked {
    Program prog;
    Diag diag;
    Model *model;     /* NULL when the input did not parse */
    FuzzScenario *scenarios;  /* when the journey checked: one per scenario, as `cjm compare` checks them */
    int nscenarios;
} FuzzChecked;

/* /dev/null, opened once: where the harnesses send diagnostics. */
FILE *fuzz_sink(void);

void fuzz_check(FuzzChecked *c, const uint8_t *data, size_t size);
void fuzz_checked_free(FuzzChecked *c);

#endif
