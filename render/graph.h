/* graph.h: the pictures of a journey, built for Graphviz (through viz.h): the flow graph
 * (stages, arrows, churn, with simulated volumes and mood) and the classic journey map (one column
 * per stage; touchpoints, channels, emotion curve, pains, opportunities, figures).
 *
 * The figures come from a run (simulated or exact); without them (`--static`) the pictures show
 * the declared structure, probabilities and curve only. This module decides what is drawn; viz.c
 * is the only one that talks to Graphviz. */
#ifndef CJM_GRAPH_H
#define CJM_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "sema.h"

/* What a run measured, in the model's indices. All arrays are owned by the caller. */
typedef struct GraphChurn {
    int stage;            /* -1: a rule's churn outside any one stage */
    const char *reason;
    double count;
} GraphChurn;

typedef struct GraphFigures {
    bool exact;           /* expected values rather than a sample */
    double cohort;
    double seed;
    double *reached;      /* [nstages] customers who entered the stage at least once */
    double *mood;         /* [nstages] mean mood on entry (NaN: nobody entered) */
    double **taken;       /* [nstages][arrows of the stage] customers who took each arrow */
    double *converted;    /* [nstages] conversions that happened on entering the stage */
    double *completed;    /* [nstages] customers who completed there */
    GraphChurn *churn;
    int nchurn;
    double conversion_rate;
    double churn_rate;
} GraphFigures;

typedef enum { GRAPH_FLOW, GRAPH_MAP } GraphView;

typedef struct GraphOptions {
    GraphView view;
    bool merged_churn;    /* one churn node instead of a stub per stage */
    int persona;          /* -1: all personas (declared curve mixed by share) */
} GraphOptions;

/* Builds the picture and renders it in `format`; false with *error (malloc'd) on failure.
 * `figures` is NULL for the declared structure only. */
bool graph_render(const Model *m, const GraphFigures *figures, const GraphOptions *opt, const char *format,
                  char **data, size_t *len, char **error);

/* The colour of a mood on the diverging red-amber-green scale ("#rrggbb"). */
void graph_mood_colour(double mood, char out[8]);

#endif
