/* fmt.h: the one canonical layout of .journey files (`cjm fmt`), like gofmt's for Go.
 *
 * The formatter turns source text into source text. It changes only blanks, line ends and
 * indentation: every token keeps its spelling (numbers, percentages, durations and strings are
 * printed as written; the blanks inside `3  days` or `35 %` become one space or none) and every
 * comment is kept where it was. It checks its own work: the result must lex to the same tokens and
 * comments as the input and parse without error, or nothing is produced. It knows the grammar,
 * never what a journey means (no names are resolved, imports are not read).
 *
 * The layout rules are listed at the top of fmt.c and in docs/cli.md.
 *
 * Ownership: the caller owns `out`; everything else is freed before fmt_source() returns. */
#ifndef CJM_FMT_H
#define CJM_FMT_H

#include <stdint.h>

#include "buf.h"
#include "diag.h"

typedef enum {
    FMT_OK,       /* `out` holds the formatted text */
    FMT_SYNTAX,   /* the file has syntax (or lexical) errors, reported through the Diag */
    FMT_INTERNAL, /* the formatter would have changed the file's tokens: a bug, nothing produced */
    FMT_OUT_OF_MEMORY, /* memory ran out (reported through the Diag): nothing produced */
} FmtStatus;

/* Formats file `file` of the Diag's SourceSet, appending the result to `out`. Running out of
 * memory is an error, never the end of the process: "out of memory while formatting 'FILE'" (code
 * out-of-memory), and `out` left as it was; `out` itself, when it cannot grow, ends the process
 * unless it is fallible (buf.h), when it too gives FMT_OUT_OF_MEMORY. */
FmtStatus fmt_source(Diag *diag, uint32_t file, Buf *out);

#endif
