/* memfs.h: files held in memory for the fuzzers: the input split into modules, plus the standard
 * library read once from disk, served to the loader through ProgramFiles. */
#ifndef CJM_MEMFS_H
#define CJM_MEMFS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cjm.h"

/* Splits `data` into files: the main file "main.journey", then a new file at each line
 * "//@ NAME" (NAME.journey). Adds every file of `stdlib` (may be NULL) as "std/NAME.journey". */
void memfs_load(const char *data, size_t len, const char *stdlib_dir);
void memfs_clear(void);
const ProgramFiles *memfs_files(void);
/* The main file's text. */
const char *memfs_main(size_t *len);

/* /dev/null, opened once: where the harnesses print diagnostics (so that the printer is fuzzed
 * too). */
FILE *fuzz_sink(void);

/* An input checked as the cjm program checks it (checked_load): loaded from memory (memfs_load)
 * with its imports, checked, and when that found no error, checked with each scenario applied;
 * diagnostics printed to fuzz_sink(). fuzz_checked_free() releases it. */
void fuzz_check(Checked *c, const uint8_t *data, size_t size);
void fuzz_checked_free(Checked *c);

#endif
