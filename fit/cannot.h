/* cannot.h: what the log cannot tell of the journey (cannot.c; docs/fitting.md). */
#ifndef CJM_FIT_CANNOT_H
#define CJM_FIT_CANNOT_H

#include "fit.h"

/* The items, in the order traits, state, memory, amounts, arrows; false: out of memory. */
bool fit_cannot_list(const FitObs *o, FitCannot **out, int *n);
void fit_cannot_free(FitCannot *v, int n);

#endif
