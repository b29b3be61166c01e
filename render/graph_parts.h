/* graph_parts.h: what the two pictures of graph.h share inside render/: the run's figures as the
 * pictures use them, the small text helpers of their labels, and the journey map's builder
 * (graph_map.c), which graph.c calls. Not for use outside graph.c and graph_map.c. */
#ifndef CJM_GRAPH_PARTS_H
#define CJM_GRAPH_PARTS_H

#include <stdbool.h>

#include "buf.h"
#include "graph.h"
#include "viz.h"

#define GRAPH_FONT "Helvetica,Arial,sans-serif"

/* A run's figures as the pictures use them: per stage, and per arrow of each stage in written
 * order (the run reports one exit per arrow, in that order, then the exits made by rules). */
typedef struct GraphChurn {
    int stage;
    const char *reason;
    double count;
} GraphChurn;

typedef struct GraphFigures {
    bool exact;
    double cohort, seed;
    double *reached, *mood, *converted, *completed; /* [nstages] */
    double *exited, *still; /* [nstages]: entries that left by a way out, entries the horizon cut (report.h) */
    double **taken;                                   /* [nstages][arrows of the stage] */
    GraphChurn *churn;
    int nchurn;
    /* The run's headline (kpis.md), under the names of every report: NaN for a customer figure
     * without a goal (has_goal false). */
    bool has_goal;
    double conversion_rate, lost_rate, customer_churn_rate, cac, ltv;
    const RtResult *run;
} GraphFigures;

/* Text for an HTML-like label, escaped (viz_escape). */
void graph_put_escaped(Buf *b, const char *text);
/* 12345 -> "12,345"; fractions (expected values) keep one decimal. */
void graph_put_count(Buf *b, double v);
/* A share as a percentage: one decimal, two below 0.1%. */
void graph_put_percent(Buf *b, double share);
/* A mood: "+0.20". */
void graph_put_signed(Buf *b, double v);
/* The declared mood of a stage: the persona's curve, or the personas' curves mixed by share
 * (persona -1); *declared says whether some curve gives it. */
double graph_declared_mood(const Model *m, int stage, int persona, bool *declared);
/* The title and the fonts both pictures use. */
void graph_common_attrs(VizGraph *g, const Model *m, const GraphFigures *fig, const GraphOptions *opt);

/* The journey map (graph_map.c). */
VizGraph *graph_build_map(const Model *m, const GraphFigures *fig, const GraphOptions *opt);

#endif
