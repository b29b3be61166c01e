/* checked.h: a journey loaded and checked, with each of its scenarios: the first thing every client
 * does (the cjm program, the fuzz harnesses, the unit tests, later a language server), written
 * once. It is program_load(), then sema_check() (only when loading reported no error: after a
 * syntax error, checking names would mostly repeat it), then, when the journey has no errors,
 * sema_check_scenario() for each scenario: an overlay checked from the same syntax tree, reporting
 * only what it adds to the journey's diagnostics (sema.h).
 *
 * Ownership: a Checked owns its Program, its Diag and its Models; checked_free() releases them. It
 * must not move once loaded (its Diag points into its Program's sources). */
#ifndef CJM_CHECKED_H
#define CJM_CHECKED_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "program.h"
#include "sema.h"

typedef enum {
    CHECKED_OK,            /* the journey and every scenario checked without errors (warnings may be) */
    CHECKED_ERRORS,        /* errors were reported: syntax, loading, or a check */
    CHECKED_UNREADABLE,    /* the main file could not be read (reported); nothing was checked */
    CHECKED_OUT_OF_MEMORY, /* memory ran out (reported as an error) */
    CHECKED_STOPPED,       /* the caller's `loaded` hook stopped it before the check */
} CheckedStatus;

/* What to load, from where, and where diagnostics go. */
typedef struct CheckInput {
    const char *path;          /* the main file ("-": standard input); with `text`, only its name */
    const char *text;          /* the main file's text (copied), or NULL to read `path` */
    size_t len;
    const char *stdlib_dir;    /* program_init()'s standard library folder and import path */
    const char *import_path;
    const ProgramFiles *files; /* where imports are read from; NULL: the file system */
    FILE *diag_out;            /* diagnostics printed as they are reported; NULL: only kept */
    bool color;
    bool quiet_warnings;       /* warnings counted and kept, not printed */
    /* Called once the program is loaded (errors or not; not when the main file was unreadable),
     * before anything is checked: false stops there, with CHECKED_STOPPED. NULL: check. (cjm
     * refuses here an output file that is one of the files just read.) */
    bool (*loaded)(const Program *p, void *ctx);
    void *ctx;
} CheckInput;

typedef struct Checked {
    Program prog;
    Diag diag;
    CheckedStatus status;
    Model *model;      /* the journey; NULL when loading failed or reported errors, or when stopped */
    Model **scenarios; /* [nscenarios] (the journey's order), once the journey has no errors: the
                          journey with each scenario applied (with its errors, if any; NULL where
                          memory ran out) */
    int nscenarios;
} Checked;

/* Loads, checks and checks each scenario as above; c->status says how it went. */
void checked_load(Checked *c, const CheckInput *in);
void checked_free(Checked *c);

#endif
