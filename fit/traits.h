/* traits.h: traits fitted from the log (cjm fit --trait NAME=COLUMN; traits.c, docs/fitting.md
 * "Traits"): each case's value read from a column of a CSV log, and the trait's distribution
 * fitted to them (normal, lognormal, gamma, beta, uniform, exponential by maximum likelihood,
 * chosen by AIC) or, for a `choice` trait, each value's share. */
#ifndef CJM_FIT_TRAITS_H
#define CJM_FIT_TRAITS_H

#include "fit.h"

/* The index of trait `name` in m->traits, -1 when the journey has none of that name. */
int fit_trait_index(const Model *m, const char *name);

/* Reads the CSV log at `path` once more for the --trait columns: per case (column `case_col`), its
 * first non-empty value of each, and its first segment (`segment_col`, NULL: none) as a persona.
 * Returns the observations ([n], in the order of specs) or NULL with *error set; *usage is true
 * when the error is the command line's (a column the log does not have). */
FitTraitObs *fit_traits_read(const Model *m, const char *path, const char *case_col, const char *segment_col,
                             const FitTraitSpec *specs, int n, char **error, bool *usage);
void fit_trait_obs_free(FitTraitObs *t, int n);

/* Fits one family to x[0..n): false when the values do not allow it (beta outside (0,1), ...). */
bool fit_trait_family(DistKind kind, const double *x, int n, FitTraitDist *d);
/* The family's CDF with the language's arguments. */
double fit_trait_cdf(DistKind kind, const double *a, double x);

/* The fitted traits of obs->traits (per persona too when a segment assigns them); false: out of
 * memory. */
bool fit_traits_estimate(const FitObs *obs, FitTrait **out, int *n);
void fit_traits_free(FitTrait *t, int n);

/* Special functions, exposed for the unit tests. */
double fit_digamma(double x);
double fit_trigamma(double x);
double fit_gamma_p(double a, double x);       /* regularised lower incomplete gamma */
double fit_beta_i(double a, double b, double x); /* regularised incomplete beta */

#endif
