/* diag.h: the one diagnostic printer for every phase (lexer, parser, imports, checks, runs).
 *
 *   file:line:col: error: message
 *      12 |   -> Purchse 30%
 *         |      ^~~~~~~
 *   file:line:col: note: did you mean 'Purchase'?
 *
 * Diagnostics are printed as they are reported, counted, and capped (DIAG_MAX_ERRORS) so that a
 * binary file cannot flood the terminal. Colour is decided by the caller (--color, NO_COLOR, tty).
 * A Diag does not own the SourceSet it reads from. */
#ifndef CJM_DIAG_H
#define CJM_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "source.h"

enum { DIAG_MAX_ERRORS = 50 };

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagKind;

typedef struct Diag {
    const SourceSet *sources;
    FILE *out;
    bool color;
    bool quiet_warnings; /* -q: count warnings but do not print them */
    int errors, warnings;
    bool saturated;      /* DIAG_MAX_ERRORS reached: later diagnostics are dropped */
    bool last_printed;   /* whether the previous error/warning was printed (its notes follow it) */
    Loc last_loc;
    int printed_errors;
    /* While deferring, diagnostics are kept and printed by diag_flush() sorted by position, so
     * that a pass that checks declarations kind by kind still reports in file order. */
    bool deferring;
    struct DiagEntry *pending;
    int npending, cap;
    /* Checking a variant of a journey (a scenario) repeats the journey's own diagnostics: with
     * `remember` set, a Diag keeps every error and warning it is given; a Diag whose `known`
     * points at it drops (neither prints nor counts) those it was given already, notes included.
     * While deferring, a `context_note` at `context_at` is added after every error or warning outside
     * `context` (what it was reported "in"). */
    bool remember;
    struct DiagEntry *seen;
    int nseen, seen_cap;
    const struct Diag *known;
    bool dropping;       /* the current error or warning is known: its notes go too */
    Loc context, context_at;
    const char *context_note;
} Diag;

void diag_init(Diag *d, const SourceSet *sources, FILE *out, bool color);
void diag_error(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A note belongs to the error or warning reported just before it. */
void diag_note(Diag *d, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_report(Diag *d, DiagKind kind, Loc loc, const char *fmt, va_list ap);
/* Starts keeping diagnostics back; diag_flush() prints them in file order and stops keeping. */
void diag_defer(Diag *d);
void diag_flush(Diag *d);
/* Frees what a Diag holds (deferred diagnostics never flushed, remembered ones). */
void diag_free(Diag *d);
/* "2 errors and 1 warning generated." style line; nothing when there were none. */
void diag_print_summary(const Diag *d);

/* The closest of `candidates` to `name` by edit distance, if close enough to be a likely typo. */
const char *diag_closest(const char *name, const char *const *candidates, int n);

#endif
