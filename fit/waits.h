/* waits.h: a stage's waits fitted with censoring among the language's distributions (waits.c), for
 * estimate.c and the unit tests. */
#ifndef CJM_FIT_WAITS_H
#define CJM_FIT_WAITS_H

#include "fit.h"

/* Fits every candidate to the finished and censored waits (their bins; the exponential from the
 * exact sums), chooses the lowest AIC and gives the mean with its 95% interval. Fills w's n,
 * censored, mean, best and candidates (not stage or the declared wait). */
void fit_waits(const FitWaitObs *done, const FitWaitObs *censored, FitWait *w);

/* The distribution's CDF at t days and its mean, with args as the language writes them (normal:
 * cut at 0 by redrawing, as the simulation does; lognormal: the wait's own mean and sd). */
double fit_dist_cdf(DistKind k, const double *args, double t);
double fit_dist_mean(DistKind k, const double *args);

#endif
