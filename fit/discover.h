/* discover.h: a draft journey from a log alone (`cjm discover`): the text of a .journey file that
 * `cjm check` accepts and whose run reproduces the log's funnel (docs/scoring.md, "Discovering a
 * journey").
 *
 * From an event log: one stage per frequent event name (in at least min_share of the cases, the
 * max_stages most frequent, the goal always), arrows with the shares of the directly-follows
 * moves between kept events, `-> churn otherwise "inactive"` for the rest (cases silent for
 * `inactivity` days before the log's end; every case's end without it), exponential waits with the
 * censored mean, the stage named by `goal` marked goal. From a path table (ChannelAttribution): one stage per channel, a
 * Start stage and a goal Conversion, arrows from the paths' first-order Markov chain, non-
 * conversions ("null") as churn; `cjm compare --removal stages --exact` then gives the chain's
 * removal effects. */
#ifndef CJM_FIT_DISCOVER_H
#define CJM_FIT_DISCOVER_H

#include "log.h"

typedef struct DiscoverOptions {
    const char *goal;       /* an event name (compared normalised); required for an event log */
    double min_share;       /* of the cases an event name must occur in; <= 0: 5% */
    double inactivity;      /* days; <= 0: every case churns where it ends (the log taken as complete) */
    int max_stages;         /* <= 0: 30 */
    const char *title;      /* NULL: "Discovered from FILE" */
} DiscoverOptions;

/* Reads `r` to its end and returns the journey's text (malloc'd), or NULL with *error set (a
 * malloc'd message: the reader's, a goal the log does not have, a log without events). */
char *fit_discover(LogReader *r, const DiscoverOptions *o, char **error);

#endif
