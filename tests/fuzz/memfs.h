/* memfs.h: files held in memory for the fuzzers: the input split into modules, plus the standard
 * library read once from disk, served to the loader through ProgramFiles. */
#ifndef CJM_MEMFS_H
#define CJM_MEMFS_H

#include <stddef.h>

#include "program.h"

/* Splits `data` into files: the main file "main.journey", then a new file at each line
 * "//@ NAME" (NAME.journey). Adds every file of `stdlib` (may be NULL) as "std/NAME.journey". */
void memfs_load(const char *data, size_t len, const char *stdlib_dir);
void memfs_clear(void);
const ProgramFiles *memfs_files(void);
/* The main file's text. */
const char *memfs_main(size_t *len);

#endif
