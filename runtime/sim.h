/* sim.h: the cohort simulator: customers one at a time, in blocks, on several threads.
 *
 * The cohort is cut into blocks of SIM_BLOCK customers. Block b draws from its own random stream,
 * derived from (seed, b) only; its figures go to a block accumulator, and accumulators are added
 * to the total strictly in block order (even floating-point sums), whichever thread ran them. So
 * the result is the same, bit for bit, for every number of threads. Memory does not grow with the
 * cohort: a few accumulators per thread are recycled, and times to convert go to a fixed-size
 * histogram (hist.h).
 *
 * Ownership: sim_run() returns a new RtResult (rt_result_free) that points into the RtModel. */
#ifndef CJM_SIM_H
#define CJM_SIM_H

#include <stdbool.h>
#include <signal.h>
#include <stdint.h>

#include "model.h"
#include "result.h"

enum { SIM_BLOCK = 4096, SIM_MAX_THREADS = 1024 };
#define SIM_DEFAULT_MAX_STEPS 10000

typedef struct SimOptions {
    uint64_t cohort;       /* >= 1 */
    uint64_t seed;
    bool has_horizon;
    double horizon;        /* days, > 0 */
    int threads;           /* >= 1 (more than the blocks are not started) */
    int persona;           /* simulate this persona only, or -1 to draw personas by share */
    uint64_t max_steps;    /* stage entries a customer may make */
    bool progress;         /* draw a progress bar on stderr (the caller checked it is a terminal) */
    /* When set and *cancel becomes non-zero (a signal handler sets it), the run stops after the
     * blocks in hand and sim_run() returns NULL. */
    const volatile sig_atomic_t *cancel;
} SimOptions;

RtResult *sim_run(const RtModel *rm, const SimOptions *o);

#endif
