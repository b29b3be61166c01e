/* graph.h: the pictures of a journey, built for Graphviz (through viz.h): the flow graph
 * (stages, arrows, churn, with simulated volumes and mood; graph.c) and the classic journey map
 * (one column per stage; touchpoints, channels, the emotion curve at exact values, thoughts and
 * feelings, pains, opportunities, figures; graph_map.c).
 *
 * The figures come from a run (simulated or exact: runtime/result.h); without them (`--static`)
 * the pictures show the declared structure, probabilities and curve only. This module decides what is drawn; viz.c
 * is the only one that talks to Graphviz. */
#ifndef CJM_GRAPH_H
#define CJM_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"
#include "sema.h"

typedef enum { GRAPH_FLOW, GRAPH_MAP } GraphView;

typedef struct GraphOptions {
    GraphView view;
    bool merged_churn;    /* one churn node instead of a stub per stage */
    int persona;          /* -1: all personas (declared curve mixed by share) */
} GraphOptions;

/* Builds the picture and renders it in `format`; false with *error (malloc'd) on failure.
 * `run` holds the figures of `cjm run` (simulated or exact), or is NULL for the declared
 * structure only. */
bool graph_render(const Model *m, const RtResult *run, const GraphOptions *opt, const char *format, char **data,
                  size_t *len, char **error);

/* The colour of a mood on the diverging red-amber-green scale ("#rrggbb"). */
void graph_mood_colour(double mood, char out[8]);

#endif
