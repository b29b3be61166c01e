/* diag.h: diagnostics as data, for every phase (lexer, parser, imports, checks, runs), and the
 * terminal printer that is one of their consumers.
 *
 * A diagnostic is an error or a warning: a severity, a code naming the kind of problem, a source
 * range, a message, and notes in order; a note may carry a fix-it (the text that should replace
 * the note's range, as "did you mean 'Purchase'?" does). A Diag collects them, in the order they
 * are reported, and counts them. The other consumers are diag_json.c's JSON and SARIF writers.
 *
 * Printing. A Diag given a stream prints each diagnostic as it is reported, like a compiler:
 *
 *   file:line:col: error: message
 *      12 |   -> Purchse 30%
 *         |      ^~~~~~~
 *   file:line:col: note: did you mean 'Purchase'?
 *
 * unless it is holding them back (diag_hold): a pass that checks declarations kind by kind
 * reports out of file order, so the checker holds its diagnostics and releases them sorted by
 * position. Printing stops after DIAG_MAX_ERRORS errors so that a binary file cannot flood the
 * terminal; and once that many errors are reported the lexer and the loader stop (`saturated`).
 * Colour is decided by the caller (--color, NO_COLOR, tty).
 *
 * Ownership: a Diag owns its diagnostics (diag_free), not the SourceSet their ranges point into.
 * A Diag never stops its caller: when memory for a diagnostic runs out it counts it, keeps what
 * it can and reports "out of memory" once (`out_of_memory`). */
#ifndef CJM_DIAG_H
#define CJM_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "source.h"

enum { DIAG_MAX_ERRORS = 50 };

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagKind;

typedef struct DiagNote {
    Loc loc;
    char *message;
    char *fix;          /* a fix-it: the text that should replace `loc`; NULL for a plain note */
} DiagNote;

typedef struct Diagnostic {
    DiagKind kind;      /* DIAG_ERROR or DIAG_WARNING */
    const char *code;   /* the kind of problem (static text; docs/cli.md lists them) */
    Loc loc;
    char *message;
    DiagNote *notes;
    int nnotes, notes_cap;
} Diagnostic;

typedef struct Diag {
    const SourceSet *sources;
    Diagnostic *items;   /* in the order reported (sorted by position within a held stretch) */
    int n, cap;
    int errors, warnings; /* every one reported, stored or not */
    bool saturated;      /* DIAG_MAX_ERRORS errors reported: the lexer and loader stop */
    bool out_of_memory;  /* memory ran out: a load or check said so, or a diagnostic was lost */
    const char *code;    /* the code errors reported now get (set by the phase reporting them) */
    bool current_lost;   /* the last error or warning could not be stored: its notes are lost too */
    /* The printer. */
    FILE *out;           /* NULL: keep the diagnostics, print nothing */
    bool color;
    bool quiet_warnings; /* -q: count warnings but do not print them */
    int printed_errors;
    bool last_printed;   /* whether the last error/warning was printed (its notes follow it) */
    bool oom_printed;
    int hold_depth, hold_from;
} Diag;

void diag_init(Diag *d, const SourceSet *sources, FILE *out, bool color);
/* Frees the diagnostics a Diag holds. */
void diag_free(Diag *d);

void diag_error(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A note belongs to the error or warning reported just before it. */
void diag_note(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A note with a fix-it: `replacement` should replace the text at `loc`. */
void diag_fix(Diag *d, Loc loc, const char *replacement, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* An error or warning with its own code (warnings have one each; errors take the phase's). */
void diag_report(Diag *d, DiagKind kind, const char *code, Loc loc, const char *fmt, va_list ap);
/* "out of memory while DOING 'FILE'" (code "out-of-memory"): how the front end reports that a
 * load or a check ran out of memory. */
void diag_report_oom(Diag *d, const char *doing, const char *file);
/* Sets the code of the errors reported from now on; returns the previous one (to restore). */
const char *diag_set_code(Diag *d, const char *code);
/* Adds a note to diagnostic `i` (an index into d->items) after the notes it has; only while it is
 * held back, since a printed one cannot change. */
void diag_add_note(Diag *d, int i, Loc loc, const char *message);

/* Holds diagnostics back from the printer; diag_release() sorts those held since the matching
 * diag_hold() by position (file, offset, then as reported) and, once no hold is left, prints them.
 * Holds nest. */
void diag_hold(Diag *d);
void diag_release(Diag *d);
/* Drops the diagnostics from index `from` on (uncounting them); only while they are held. */
void diag_truncate(Diag *d, int from);

/* The terminal printer: one diagnostic with its notes, as above. */
void diag_print(Diag *d, const Diagnostic *e);
/* "2 errors and 1 warning generated." style line; nothing when there were none. */
void diag_print_summary(const Diag *d);

/* The code a diagnostic shows ("error" or "warning" when it was given none). */
const char *diag_code(const Diagnostic *e);

/* The closest of `candidates` to `name` by edit distance, if close enough to be a likely typo. */
const char *diag_closest(const char *name, const char *const *candidates, int n);

#endif
