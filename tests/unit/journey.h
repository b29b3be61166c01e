/* journey.h: a journey loaded, checked and compiled from text for a unit test (checked_load, as
 * cjm does), its diagnostics kept in memory; one helper for every test file that needs one. */
#ifndef CJM_UNIT_JOURNEY_H
#define CJM_UNIT_JOURNEY_H

#include <stdbool.h>
#include <stdio.h>

#define CJM_INTERNALS
#include "cjm.h"

typedef struct UnitJourney {
    Checked c;
    RtModel *rm;       /* compiled once it checks */
    char *msgs;        /* the diagnostics, as cjm check prints them */
    size_t msgs_len;
    FILE *out;
} UnitJourney;

/* Loads `text` as t.journey (imports from ./stdlib). False, with the test marked failed and the
 * diagnostics printed, when it does not check; unit_unload() is needed either way. */
bool unit_load(UnitJourney *j, const char *text);
void unit_unload(UnitJourney *j);

/* The simulation of j's cohort of `cohort` customers with its own horizon, every persona, the
 * default step limit. */
SimOptions unit_sim_options(const UnitJourney *j, uint64_t cohort, uint64_t seed, int threads);

/* The two-sided 99.9% normal quantile: simulated figures are held to 99.9% intervals, so that
 * the many comparisons of the suite fail by chance about once in a thousand each. */
#define Z999 3.290526731491926

/* Whether p lies within the 99.9% Wilson interval of k successes in n trials (k may be a sum of
 * shares in [0, 1] per customer, as linear attribution's: their variance is at most p(1 - p)). */
bool unit_agrees(double k, double n, double p);

/* A simulated count k of n agrees with the exact probability p (unit_agrees), else the test fails
 * with the numbers. */
#define CHECK_AGREES(k, n, p)                                                                         \
    do {                                                                                              \
        double k_ = (k), n_ = (n), p_ = (p);                                                          \
        if (!unit_agrees(k_, n_, p_)) {                                                               \
            printf("FAIL %s: %s:%d: %s: %.0f of %.0f (%.5f) vs exact %.5f\n", unit_current, __FILE__, \
                   __LINE__, #k, k_, n_, k_ / n_, p_);                                                \
            unit_current_failed = true;                                                               \
        }                                                                                             \
    } while (0)

/* A simulated run `s` of n customers agrees with the exact analysis `e` of the same journey (rm):
 * conversion, churn and its reasons, every stage's reach (and its entries per customer within 3%),
 * each persona's conversion, every touchpoint's and channel's reach and conversions (at 99.9%),
 * revenue per customer (a z-test with the sample's variance) and the mean time to convert (3%).
 * The callers add what their journeys need besides. */
void unit_check_exact_agrees(const RtModel *rm, const RtResult *s, const RtResult *e, double n);

#endif
