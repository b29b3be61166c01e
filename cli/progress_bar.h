/* progress_bar.h: cjm's one progress bar, for every command that runs something long (run, graph,
 * report, compare): on standard error, only when it is a terminal and never with -q, named after
 * the command ("cjm graph: [==========>         ]  35%  12 s left"), drawn after the first second
 * at most ten times a second, and erased when the work ends. CJM_PROGRESS_DELAY=SECONDS changes
 * the first second (the tests set 0, so that a bar is drawn however fast the machine is). The runtime only says how far it has
 * got (runtime/progress.h); drawing is the command line's. */
#ifndef CJM_CLI_PROGRESS_BAR_H
#define CJM_CLI_PROGRESS_BAR_H

#include <stdbool.h>

#include "cjm.h"

typedef struct Progress {
    char label[32];        /* "cjm graph" */
    double t0, last;
    double delay;          /* seconds before the bar appears: 1, or CJM_PROGRESS_DELAY */
    bool drawn;
} Progress;

/* Starts the bar of `cmd` ("graph") and sets what a computation reports to: *fn and *ctx, or NULL
 * when there is to be no bar (`quiet`, or standard error is not a terminal). */
void progress_start(Progress *p, const char *cmd, bool quiet, RtProgress *fn, void **ctx);
/* Times the bar again from now (the next of several computations). */
void progress_restart(Progress *p);
/* Erases the bar, if it was drawn. */
void progress_end(Progress *p);

#endif
