/* rewrite.h: a fitted journey written back as text, so that `git diff` shows exactly what the data
 * changed (cjm fit -o), or as a scenario to compare with the journey as believed (cjm fit
 * --scenario).
 *
 * What is written, and only when the FitResult says the data determine it:
 *   - an arrow's probability: a constant written as a number (`30%`, `0.3`) without `when`, whose
 *     FitMove is `fitted`; written in the unit the user wrote, rounded to 0.1%. The constant
 *     arrows of a stage still add up to 100% (or to no more, when an `otherwise` arrow or one
 *     whose share is not known before a run takes the rest): the fitted values are scaled to
 *     what the other arrows leave, rounded, and the largest takes the rounding's difference.
 *     `otherwise` arrows stay `otherwise`;
 *   - a stage's wait: the best-fitting distribution (FitWait.best, when `ok` and fitted from at
 *     least FIT_REWRITE_MIN_WAITS finished waits), replacing the whole `wait` text, or added to a
 *     stage that declares none; durations in minutes under an hour, hours under a day, else days,
 *     three significant digits;
 *   - a touchpoint's `reach` (of a touchpoint in a stage, from at least FIT_REWRITE_MIN_ENTRIES
 *     entries of its stage), replaced or added;
 *   - persona shares (from at least FIT_REWRITE_MIN_CASES cases with a known persona), when every
 *     persona gives its share in the main file; rounded to 0.1%, adding up to 100%.
 * fit_rewrite_journey() changes only literals of the main file (not of imported modules) and keeps
 * every other byte: layout, comments, names. Both functions check what they write with the
 * journey's own import path and standard library (checked_load): a text that would not check is
 * not returned (an error instead, which would be a bug).
 *
 * Ownership: the returned text and *error are malloc'd, the caller's to free. */
#ifndef CJM_FIT_REWRITE_H
#define CJM_FIT_REWRITE_H

#include <stddef.h>

#include "fit.h"
#include "sema.h"

/* The least data a value is rewritten from: finished waits of a stage, entries of a touchpoint's
 * stage, cases with a known persona. Fewer say too little to replace what the map says. */
enum { FIT_REWRITE_MIN_WAITS = 10, FIT_REWRITE_MIN_ENTRIES = 10, FIT_REWRITE_MIN_CASES = 10 };

/* The text of m's main file with the fitted values of `f` in place of the declared ones; *len is
 * its length. NULL with *error set when the journey's text is not at hand or the result would not
 * check. `m` is the journey's own Model (no scenario applied), checked without errors. */
char *fit_rewrite_journey(const Model *m, const FitResult *f, size_t *len, char **error);

/* The text of a `scenario NAME "label" { ... }` block (label NULL: none) that changes the journey
 * to what the data say (the same values as fit_rewrite_journey, for imported declarations too),
 * laid out as `cjm fmt` would, ending with a line end: to be appended to the main file after a
 * blank line. NULL with *error set when `name` is not a valid name or already a scenario's, or
 * the journey with the block appended would not check. */
char *fit_scenario_block(const Model *m, const FitResult *f, const char *name, const char *label, char **error);

#endif
