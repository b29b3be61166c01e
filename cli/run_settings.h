/* run_settings.h: the options that choose what is run, shared by `cjm run` and `cjm graph` (and
 * any later command that shows a run's figures), so that the same options give the same numbers
 * everywhere: --cohort, --seed, --horizon, --window, --threads, --persona, --exact, --max-steps,
 * --quiet. */
#ifndef CJM_RUN_SETTINGS_H
#define CJM_RUN_SETTINGS_H

#include <getopt.h>
#include <stdbool.h>

#include "cjm.h"
#include "cli.h"

typedef struct RunSettings {
    const char *cmd;        /* the command ("graph"), which names the progress bar */
    double cohort;          /* 0: the journey's */
    double seed;            /* -1: the journey's */
    int horizon_set;        /* 0: the journey's, 1: --horizon DURATION, 2: --horizon none */
    double horizon;
    double window;          /* --window DURATION (days); 0: none */
    int threads;            /* 0: every online core */
    bool exact, quiet;
    const char *persona;
    double max_steps;
    /* Credit conversions to channels by their removal effect too (the journey run again once per
     * channel): cjm run and cjm report, unless --no-removal-effect; not cjm graph, which does not
     * show attribution. */
    bool removal_effect;
} RunSettings;

/* getopt_long codes of the shared options (above every short option's character). */
enum { RUN_OPT_COHORT = 256, RUN_OPT_SEED, RUN_OPT_HORIZON, RUN_OPT_THREADS, RUN_OPT_EXACT, RUN_OPT_PERSONA,
       RUN_OPT_MAX_STEPS, RUN_OPT_WINDOW, RUN_OPT_NO_REMOVAL_EFFECT, RUN_OPT_LAST };

#define RUN_SETTINGS_LONG_OPTIONS                                                                   \
    {"cohort", required_argument, NULL, RUN_OPT_COHORT}, {"seed", required_argument, NULL, RUN_OPT_SEED}, \
        {"horizon", required_argument, NULL, RUN_OPT_HORIZON},                                      \
        {"threads", required_argument, NULL, RUN_OPT_THREADS}, {"exact", no_argument, NULL, RUN_OPT_EXACT}, \
        {"persona", required_argument, NULL, RUN_OPT_PERSONA},                                      \
        {"max-steps", required_argument, NULL, RUN_OPT_MAX_STEPS},                                  \
        {"window", required_argument, NULL, RUN_OPT_WINDOW},                                        \
        {"no-removal-effect", no_argument, NULL, RUN_OPT_NO_REMOVAL_EFFECT}, {"quiet", no_argument, NULL, 'q'}

void run_settings_init(RunSettings *s, const char *cmd);
/* Takes one of the shared options (and -q). Returns -1 when it was taken, 1 when `opt` is not a
 * shared option, or an exit status (2) after reporting a bad value for command `cmd`. */
int run_settings_take(RunSettings *s, const char *cmd, int opt, const char *arg);

/* The persona named by --persona, or -1 after reporting an unknown one (with a suggestion). */
int run_find_persona(const Model *m, const char *cmd, const char *name);

/* The simulation the options ask for (the journey's own settings where they say nothing; a
 * journey with arrivals simulates its arrivals, rm->arrival_total customers); cancelled by a
 * signal (cli_signal); reporting no progress (the caller starts a bar if it wants one:
 * progress_bar.h). Returns -1, or EXIT_USAGE after reporting --cohort given for a journey with
 * arrivals, or a --horizon that ends before its arrivals do (command `s->cmd`). */
int run_sim_options(const RunSettings *s, const Model *m, const RtModel *rm, int persona, SimOptions *so);

/* Simulates (or solves, with --exact) the checked journey. NULL after an error reported through
 * c->diag (--exact refused). *threads tells how many threads ran. */
RtResult *run_compute(const RunSettings *s, Checked *c, const RtModel *rm, int persona, int *threads);

/* The exit status when run_compute() gave no result: 128 + the signal after an interruption
 * (130 for Ctrl-C), 2 after a usage error found against the journey (--cohort with arrivals),
 * else 1 (--exact refused). */
int run_failure_status(void);

/* ---- cjm compare's parts that cjm report uses (cmd_compare.c) ---- */

/* "touchpoints", "channels" or "stages". */
bool compare_parse_removal(const char *arg, CmpMode *mode);

/* What `cjm report` adds from `cjm compare`: always the journey's scenarios against it; the
 * removal effects of its touchpoints, channels or stages (up to 40) as a tornado chart; and a
 * sweep (cjm compare's --sweep) as line charts. */
typedef struct CompareSections {
    bool removal;          /* false: no removal effects */
    CmpMode removal_mode;
    const char *sweep;     /* NULL: none */
} CompareSections;

/* Runs them with the run's options (--exact: the scenarios that are Markov chains, solved; no
 * touchpoints, which change no probability there) and puts their HTML in *html (malloc'd, ""
 * when there is nothing). Returns -1, or an exit status: 2 after a bad sweep, 130 or 143 when
 * interrupted. */
int compare_report_sections(const RunSettings *run, Checked *c, int persona, const CompareSections *what, char **html);

/* Prints a run's warnings as diagnostics with their locations. */
void run_print_warnings(const RtResult *r, Diag *d);

#endif
