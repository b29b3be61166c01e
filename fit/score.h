/* score.h: the customers still inside a journey at a log's end, scored from simulated futures
 * (`cjm score`): each one's chance to convert and to churn within 30 and 90 days, its expected
 * revenue over the next 365 days, with 95% intervals, and its eventual chance to convert from the
 * exact analysis where the journey is a Markov chain. One CSV row per customer, for a CRM
 * (docs/scoring.md, "Scoring customers").
 *
 * Futures: customers in the same stage, of the same persona, on the same visit of the stage and
 * about as long in it (elapsed days rounded; not at all for a memoryless wait) share one
 * simulation of `futures` lives (sim.h, SimOptions.start), so the work grows with the distinct
 * states, not with the customers. */
#ifndef CJM_FIT_SCORE_H
#define CJM_FIT_SCORE_H

#include <stdint.h>

#include "buf.h"
#include "fit.h"
#include "model.h"

typedef struct ScoreOptions {
    uint64_t futures;   /* simulated lives per state; 0: 10 000 */
    uint64_t seed;
    int threads;        /* any number gives the same output */
    /* Added to the plan's interface (additive): the log's end, days since the epoch, from which
     * a customer's time in its stage is counted (FitObs.log_end, --log-end); 0 or NaN: the
     * latest last_event of the cases given. */
    double log_end;
} ScoreOptions;

/* Appends the CSV (header and one row per case still active: not churned, not completed, with a
 * stage) to *csv. Returns 0, or -1 with *error set (a malloc'd message) when nothing can be
 * scored (a case in a stage outside the model). */
int fit_score(const Model *m, const RtModel *rm, const FitCase *cases, size_t n, const ScoreOptions *o, Buf *csv,
              char **error);

#endif
