/* attribution.c: removal-effect attribution (see attribution.h). The variants without each channel
 * are compare.c's removals; each is run once with the journey's options and seed, so its customers
 * are the journey's (common random numbers) and its drop is the journey's conversions minus its. */
#include "attribution.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "exact.h"
#include "sim.h"

/* The channel a removal variant took out, by its name. */
static int channel_of(const RtModel *rm, const char *name)
{
    const Model *m = rm->model;
    for (int ch = 0; ch < m->nchannels; ch++)
        if (strcmp(m->channels[ch]->name.s, name) == 0) return ch;
    return -1;
}

/* The share of all the runs done, for the caller's progress function: run i of n reports
 * (i + done) / n, so the share never goes back when the next run starts. */
typedef struct Runs {
    RtProgress progress;
    void *ctx;
    int i, n;
} Runs;

static void run_progress(void *ctx, double done)
{
    const Runs *runs = ctx;
    runs->progress(runs->ctx, (runs->i + done) / runs->n);
}

/* Conversions of one variant without a channel: simulated with the run's options (and so its
 * customers: common random numbers), or solved exactly. -1 when interrupted or refused. */
static double conversions_without(const RtModel *variant, const CmpOptions *o, Runs *runs, Diag *d)
{
    if (o->exact) {
        ExactOptions eo = {(double)o->sim.cohort, o->sim.seed, false, 0, o->sim.persona};
        RtResult *x = exact_run(variant, &eo, d);
        double n = x ? x->converted : -1;
        rt_result_free(x);
        return n;
    }
    SimOptions so = o->sim;
    if (runs->progress) {
        so.progress = run_progress;
        so.progress_ctx = runs;
    }
    RtResult *x = sim_run(variant, &so);
    double n = x ? x->converted : -1;
    rt_result_free(x);
    return n;
}

/* The journey itself is not run again: r is its run with the same options, so each variant's drop
 * is r's conversions minus the variant's, customer by customer the same people. */
bool rt_attribute_removal(const RtModel *rm, const CmpOptions *o, RtResult *r, Diag *d)
{
    if (o->exact && !exact_check(rm, d)) return false; /* as cmp_run refuses what is not a chain */
    CmpSet set;
    cmp_set_init(&set, CMP_REMOVE_CHANNELS);
    cmp_set_removals(&set, rm->model, CMP_REMOVE_CHANNELS);
    double *drop = xcalloc((size_t)set.n + 1, sizeof *drop), sum = 0;
    Runs runs = {o->sim.progress, o->sim.progress_ctx, 0, set.n};
    bool ok = true;
    for (runs.i = 0; runs.i < set.n && ok; runs.i++) {
        double n = conversions_without(set.v[runs.i].rm, o, &runs, d);
        ok = n >= 0;
        drop[runs.i] = n < r->converted ? r->converted - n : 0;
        sum += drop[runs.i];
    }
    for (int i = 0; i < set.n && ok; i++) {
        int ch = channel_of(rm, set.v[i].name);
        if (ch >= 0) r->channels[ch].attr_removal = sum > 0 ? r->converted * drop[i] / sum : 0;
    }
    free(drop);
    cmp_set_free(&set);
    return ok;
}
