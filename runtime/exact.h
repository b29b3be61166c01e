/* exact.h: the exact analysis (`cjm run --exact`): each persona's journey as an absorbing
 * Markov chain, solved without sampling (docs/semantics.md, "The exact analysis").
 *
 * exact_check() refuses a journey that is not such a chain, naming the first construct that
 * prevents it with its location: an arrow whose probability or condition depends on anything but
 * the persona and met() of its stage's own touchpoints (or channels) with a reach fixed for the
 * persona, more than EXACT_MAX_MET such touchpoints read by one stage's arrows, an amount (revenue,
 * wait, reach, cost) that varies per customer, or a rule. exact_run() then computes the same figures as a simulation:
 * probabilities for rates, expected values for counts, NaN for what depends on chance in time
 * or mood (percentiles of time to convert, retention at a day, moods, NPS, CSAT). The figures of
 * prospects and customers (kpis.md) are expected values too: lost before converting and customer
 * churn by stage, reason and persona, customers who complete, their exposure, acquisition cost and
 * cost to serve (per channel too), LTV revenue, survey respondents, first/last/linear attribution;
 * figures over time (customer retention, lifetime, payback, the calendar) are absent, and
 * RtResult.no_curves_reason says so (docs/semantics.md, "Customer figures in the exact analysis").
 * With arrivals (RtModel.narrivals > 0) the cohort is RtModel.arrival_total.
 *
 * Ownership: exact_run() returns a new RtResult (rt_result_free), or NULL after reporting an
 * error through the Diag (a stage customers can never leave). */
#ifndef CJM_EXACT_H
#define CJM_EXACT_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "model.h"
#include "result.h"

/* The most touchpoints one stage's arrows may read with met(): the stage's move is a mixture over
 * the 2^k combinations of them met. */
enum { EXACT_MAX_MET = 12 };

/* The most combinations of values of the traits drawn by choice() that arrows read, per persona:
 * each combination is a chain of its own (a sub-persona weighted by the product of the weights). */
enum { EXACT_MAX_CHOICES = 4096 };

typedef struct ExactOptions {
    double cohort;       /* ignored with arrivals: the cohort is then RtModel.arrival_total */
    uint64_t seed;       /* reported only */
    bool has_horizon;    /* reported, and warned about: the analysis ignores it */
    double horizon;
    int persona;         /* this persona only, or -1 for all mixed by share */
} ExactOptions;

bool exact_check(const RtModel *rm, Diag *d);
/* Whether some arrow reads met() of a touchpoint of its own stage: then taking a touchpoint out
 * changes where customers go, and its exact removal effect need not be 0. */
bool exact_moves_by_meetings(const Model *m);
RtResult *exact_run(const RtModel *rm, const ExactOptions *o, Diag *d);

#endif
