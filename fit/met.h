/* met.h: arrows that depend on a meeting, A + B * met(T) (met.c; docs/fitting.md). */
#ifndef CJM_FIT_MET_H
#define CJM_FIT_MET_H

#include "fit.h"

/* FitObs.met for the model's arrows of the form (false: out of memory); freed by fit_met_obs_free. */
bool fit_met_obs_init(FitObs *o);
void fit_met_obs_free(FitObs *o);
/* A move of stage s to `to` (nstages: churn) from an entry whose met touchpoints are `met` (bits of
 * the stage's touchpoints in order). */
void fit_met_count(FitObs *o, int s, uint64_t met, int to);
/* Newcombe's hybrid score interval of p1 - p0 from the two Wilson intervals. */
FitInterval fit_newcombe(FitInterval p1, FitInterval p0);
/* The arrows of the form with their estimates; `ruled(m, s)`: a rule can leave stage s. */
bool fit_met_arrows(const FitObs *o, bool (*ruled)(const Model *, int), FitMetArrow **out, int *n);

#endif
