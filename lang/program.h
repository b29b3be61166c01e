/* program.h: a whole compilation: the main file, every module it imports (transitively), the
 * arena their syntax trees live in, and the source texts diagnostics quote.
 *
 * Imports resolve, in order: relative to the importing file's folder, then each folder of the
 * CJM_PATH environment variable (':'-separated), then the standard library folder. ".journey" is
 * added when the name has no extension. A module imported twice is loaded once; a cycle or a
 * module that cannot be found is an error at the import line.
 *
 * Once loaded, a Program is read only (every list of ast.h is a pointer to const): the checker
 * takes a `const Program *`, and any number of Models are checked from one Program (sema.h).
 *
 * Out of memory while loading is reported as "out of memory while loading FILE"
 * (LOAD_OUT_OF_MEMORY); the Program then has no main module but is still freed as usual.
 *
 * Ownership: program_free() releases everything the Program holds, AST and sources included. */
#ifndef CJM_PROGRAM_H
#define CJM_PROGRAM_H

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

enum { PROGRAM_MAX_IMPORT_DEPTH = 64, PROGRAM_MAX_MODULES = 1000 };

/* Where imports are read from. By default the real file system; tests and fuzzers give files
 * held in memory. `exists` says whether a path names a file; `same` whether two existing paths
 * name the same file; `read` returns its text (malloc'd, NUL-terminated) or false. */
typedef struct ProgramFiles {
    bool (*exists)(void *ctx, const char *path);
    bool (*same)(void *ctx, const char *a, const char *b);
    bool (*read)(void *ctx, const char *path, char **text, size_t *len);
    void *ctx;
} ProgramFiles;

typedef struct Program {
    Arena arena;
    SourceSet sources;
    const Module **modules; /* every module, imports before their importers; the main file last */
    int nmodules, cap;
    const Module *main;
    const char *libdir;  /* the standard library folder (not owned) */
    const Import *chain[PROGRAM_MAX_IMPORT_DEPTH + 1]; /* the imports being loaded, outermost first */
    uint32_t chain_file[PROGRAM_MAX_IMPORT_DEPTH + 1]; /* the file each of them loads */
    int chain_len;
    const ProgramFiles *files; /* NULL: the real file system */
} Program;

typedef enum { LOAD_OK, LOAD_ERRORS, LOAD_UNREADABLE, LOAD_OUT_OF_MEMORY } LoadStatus;

void program_init(Program *p, const char *libdir);
void program_free(Program *p);
/* Loads `path` ("-" is standard input) and its imports. LOAD_UNREADABLE when the main file itself
 * cannot be read (reported as "cjm: error: cannot read ..."); LOAD_ERRORS when anything was
 * reported as an error. */
LoadStatus program_load(Program *p, const char *path, Diag *diag);
/* Parses `text` (copied) as the main file named `name`; used by tests and fuzzers. */
LoadStatus program_load_text(Program *p, const char *name, const char *text, size_t len, Diag *diag);

/* The standard library folder for this executable: <exe>/../stdlib when run from the build
 * tree, <exe>/../share/cjm/stdlib when installed, else the folder compiled in from PREFIX. The
 * result is static storage. */
const char *program_default_libdir(void);

#endif
