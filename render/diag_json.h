/* diag_json.h: diagnostics (lang/diag.h) as JSON and as SARIF 2.1.0, for editors and for code
 * scanning (`cjm check --format json|sarif`; docs/cli.md describes both).
 *
 * Positions are given in bytes (offset, column) and in UTF-16 code units (the column editors and
 * SARIF's default columnKind use); lines and columns count from 1, an end is the position just
 * after the range. A diagnostic with no place in a file (a file that cannot be read) is given the
 * checked file's path and no range.
 *
 * Ownership: the writers append to the caller's Buf. */
#ifndef CJM_RENDER_DIAG_JSON_H
#define CJM_RENDER_DIAG_JSON_H

#include <stdbool.h>

#include "buf.h"
#include "diag.h"

/* One file checked: the path as given on the command line, and the diagnostics of its check. */
typedef struct DiagFile {
    const char *path;
    const Diag *diag;
} DiagFile;

/* The JSON version of diag_write_json()'s layout (docs/cli.md). */
enum { DIAG_JSON_VERSION = 1 };

/* {"version": 1, "files": [...], "diagnostics": [...]}; warnings left out unless `warnings`. */
void diag_write_json(Buf *out, const DiagFile *files, int nfiles, bool warnings);
/* One SARIF run of tool "cjm" (`version`), every diagnostic a result. */
void diag_write_sarif(Buf *out, const DiagFile *files, int nfiles, const char *version, bool warnings);

#endif
