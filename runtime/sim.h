/* sim.h: the cohort simulator: customers one at a time, in blocks, on several threads.
 *
 * Customers: customer i of the cohort arrives at day 0, or, when the journey declares arrivals
 * (RtModel.arrivals; SimOptions.cohort is then RtModel.arrival_total), at a day of its period
 * drawn from a stream of its own, and lives on its own clock until its own horizon (the
 * horizon minus its arrival day). Besides the cohort's figures it follows customers from their
 * conversion (kpis.md): the churn split into prospects lost and customers churned, follow-up
 * histograms, exposure, the money split at the end of the entry of conversion, attribution,
 * survey answers and the calendar months (result.h).
 *
 * Random numbers: each customer's depend on (seed, salt, customer number) alone, and within a
 * life on what they are for: the persona has a stream of its own, and so has each entry of a
 * stage, keyed by the stage's name and the visit's number (rng.h; docs/semantics.md). So every
 * simulation of a journey (cjm run, graph, report, compare) gives customer i the same life, and
 * two variants of a journey (cjm compare) see the same customers take the same chances, as far
 * as their journeys agree: common random numbers.
 *
 * The cohort is cut into blocks of SIM_BLOCK customers; a block's figures go to a block
 * accumulator, and accumulators are added to the total strictly in block order (even
 * floating-point sums), whichever thread ran them. So the result is the same, bit for bit, for
 * every number of threads. Memory does not grow with the cohort: a few accumulators per thread
 * are recycled, and times to convert and churn times go to fixed-size histograms (hist.h).
 *
 * Ownership: sim_run() returns a new RtResult (rt_result_free) that points into the RtModel. */
#ifndef CJM_SIM_H
#define CJM_SIM_H

#include <stdbool.h>
#include <signal.h>
#include <stdint.h>

#include "model.h"
#include "progress.h"
#include "result.h"

enum { SIM_BLOCK = 4096, SIM_MAX_THREADS = 1024 };
#define SIM_DEFAULT_MAX_STEPS 10000

/* What one customer's life came to, for paired comparisons (SimOptions.sink). */
typedef struct SimOutcome {
    double revenue, cost;
    double churn_time;     /* days; when churned */
    double conv_time;      /* days; when converted */
    bool converted, churned; /* churned after converting: a customer's churn; before: lost */
    bool promoter, detractor; /* by the final mood, as NPS counts them */
    double acq_cost;       /* costs up to the end of the entry of conversion (all of a prospect's) */
    double ltv_revenue;    /* revenue from the entry of conversion on (0 for a prospect) */
    /* A customer's follow-up and costs after conversion (0 for a prospect), as the run counts them. */
    double serve_cost;     /* costs after the entry of conversion */
    double exposure;       /* days followed: from conversion to churn, completion, the horizon or the step limit */
    double followup;       /* Kaplan-Meier's time: at churn (an event), else censored there (completion: at its
                            * own horizon); +infinity: completed without a horizon, followed for ever */
    uint32_t nps_answers, nps_promoters, nps_detractors; /* its answers to NPS surveys */
} SimOutcome;

typedef struct SimOutcomeSink {
    /* Called by the thread that simulated block `block`, with its customers' outcomes in order
     * (n of them, from customer block * SIM_BLOCK); blocks come in any order, on any thread. */
    void (*block_done)(void *ctx, uint64_t block, const SimOutcome *outcomes, size_t n);
    void *ctx;
} SimOutcomeSink;

/* Customers who are already in a stage (cjm score: futures from a customer's state; see
 * SimOptions.start; docs/semantics.md, "Lives resumed inside a stage"). Each customer of the run
 * starts now (its day 0) in `stage`, on its `visits`-th entry of it (>= 1; its other stages
 * unvisited), `elapsed` days into that entry: what the entry does on arrival (goal, revenue,
 * touchpoints, the mood on entry, rules) has happened already and is not done again; its wait is
 * drawn conditioned on lasting more than `elapsed` days (the remaining wait: exponential is
 * memoryless; the others by their truncated distribution), and the life goes on from there as
 * any other's. Its mood is the persona's starting one. A customer who has `converted` (or whose
 * stage is a goal) is a customer from day 0: the run counts it as converted at day 0, and it does
 * not convert again. Arrivals are not drawn: every customer starts at day 0. */
typedef struct SimStart {
    int stage;
    int visits;
    double elapsed;        /* days, >= 0 */
    bool converted;
} SimStart;

typedef struct SimOptions {
    uint64_t cohort;       /* >= 1 */
    uint64_t seed;
    bool has_horizon;
    double horizon;        /* days, > 0 */
    int threads;           /* >= 1 (more than the blocks are not started) */
    int persona;           /* simulate this persona only, or -1 to draw personas by share */
    uint64_t max_steps;    /* stage entries a customer may make */
    RtProgress progress;   /* when set, told the share of the cohort simulated (progress.h) */
    void *progress_ctx;
    /* When set and *cancel becomes non-zero (a signal handler sets it), the run stops after the
     * blocks in hand and sim_run() returns NULL. */
    const volatile sig_atomic_t *cancel;
    /* 0: customer i is the same in every simulation of this seed (cjm run, and every variant of
     * cjm compare); another salt gives independent customers (cjm compare --independent). */
    uint64_t salt;
    uint64_t first_block;  /* simulate blocks first_block.. only (customers from first_block * SIM_BLOCK) */
    const SimOutcomeSink *sink; /* when set, receives every customer's outcome */
    /* --window (days): only a goal entry at a time <= window converts; 0 or NaN: no window (so a
     * zeroed SimOptions has none). */
    double window;
    /* NULL: every customer starts new, at the start stage. Else every customer starts where
     * SimStart says (cjm score); `persona` still chooses the persona or draws it by share. */
    const SimStart *start;
} SimOptions;

RtResult *sim_run(const RtModel *rm, const SimOptions *o);

/* An empty result of a simulation of rm with options o: the run's settings (cohort, seed, horizon,
 * persona, step limit, window) filled, no figure yet (cjm compare fills one from its sums). */
RtResult *sim_result_new(const RtModel *rm, const SimOptions *o);

#endif
