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

#endif
