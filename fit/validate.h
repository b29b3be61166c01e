/* validate.h: a journey's simulation set beside the log it was fitted to (`cjm fit --validate`):
 * conversion, mean time to convert, customer retention 30, 90 and 180 days after conversion, and
 * each stage's share of moves that go to churn, observed (FitObs) and simulated, with the
 * interval the observed figure should fall in if the journey were right (docs/scoring.md,
 * "Validation", defines each figure and interval exactly). */
#ifndef CJM_FIT_VALIDATE_H
#define CJM_FIT_VALIDATE_H

#include <stdbool.h>

#include "fit.h"
#include "model.h"
#include "sim.h"

typedef struct FitVerdict {
    const char *key, *title;    /* key: conversion, time_to_convert, retention_30d, retention_90d,
                                 * retention_180d, stage_churn:STAGE; title: in words */
    double observed, sim, lo, hi;
    bool inside;                /* lo <= observed <= hi */
} FitVerdict;

/* Simulates rm with *so and compares. *out gets the verdicts (one malloc'd block holding their
 * strings too: free(*out) frees everything); a figure the log or the simulation cannot give (no
 * conversion, no customer followed that long, a stage never left) is left out. Returns how many,
 * or -1 with *error set (a malloc'd message) when the simulation was cancelled. */
int fit_validate(const FitObs *obs, const RtModel *rm, const SimOptions *so, FitVerdict **out, char **error);

#endif
