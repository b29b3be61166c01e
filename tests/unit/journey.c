/* journey.c: unit tests' journeys from text (see journey.h). */
#include "journey.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

bool unit_load(UnitJourney *j, const char *text)
{
    memset(j, 0, sizeof *j);
    j->out = open_memstream(&j->msgs, &j->msgs_len);
    CheckInput in = {.path = "t.journey", .text = text, .len = strlen(text), .stdlib_dir = "stdlib", .diag_out = j->out};
    checked_load(&j->c, &in);
    fflush(j->out);
    if (j->c.status != CHECKED_OK) {
        printf("FAIL %s: the journey does not check:\n%s\n", unit_current, j->msgs ? j->msgs : "");
        unit_current_failed = true;
        return false;
    }
    j->rm = rt_compile(j->c.model);
    return true;
}

void unit_unload(UnitJourney *j)
{
    rt_model_free(j->rm);
    checked_free(&j->c);
    if (j->out) fclose(j->out);
    free(j->msgs);
}

SimOptions unit_sim_options(const UnitJourney *j, uint64_t cohort, uint64_t seed, int threads)
{
    SimOptions o = {0};
    o.cohort = cohort;
    o.seed = seed;
    o.has_horizon = j->c.model->has_horizon;
    o.horizon = j->c.model->horizon;
    o.threads = threads;
    o.persona = -1;
    o.max_steps = SIM_DEFAULT_MAX_STEPS;
    return o;
}

bool unit_agrees(double k, double n, double p)
{
    double lo, hi;
    rt_wilson(k, n, Z999, &lo, &hi);
    return p >= lo - 1e-12 && p <= hi + 1e-12;
}

void unit_check_exact_agrees(const RtModel *rm, const RtResult *s, const RtResult *e, double n)
{
    double N = e->cohort;
    CHECK_AGREES(s->converted, n, e->converted / N);
    CHECK_AGREES(s->churned, n, e->churned / N);
    CHECK(s->nreasons == e->nreasons);
    for (int i = 0; i < s->nreasons && i < e->nreasons; i++) CHECK_AGREES(s->reasons[i].count, n, e->reasons[i].count / N);
    for (int st = 0; st < rm->nstages; st++) {
        CHECK_AGREES(s->stages[st].reached, n, e->stages[st].reached / N);
        /* entries per customer: a mean, checked within 3% (its variance is not kept) */
        double se = e->stages[st].entries / N, ss = s->stages[st].entries / n;
        CHECK(fabs(se - ss) <= 0.03 * se + 3e-3);
    }
    for (int p = 0; p < rm->npersonas; p++)
        CHECK_AGREES(s->personas[p].converted, s->personas[p].customers, e->personas[p].converted / e->personas[p].customers);
    for (int t = 0; t < rm->ntouch; t++) {
        CHECK_AGREES(s->touch[t].reached, n, e->touch[t].reached / N);
        CHECK_AGREES(s->touch[t].conversions, n, e->touch[t].conversions / N);
    }
    for (int c = 0; c < rm->nchannels; c++) {
        CHECK_AGREES(s->channels[c].reached, n, e->channels[c].reached / N);
        CHECK_AGREES(s->channels[c].conversions, n, e->channels[c].conversions / N);
    }
    /* revenue per customer: a z-test with the sample's own variance */
    double mean = s->revenue / n, var = s->revenue_sq / n - mean * mean;
    CHECK(fabs(mean - e->revenue / N) <= Z999 * sqrt(var / n) + 1e-9);
    if (e->converted > 0) CHECK(fabs(s->ttc_mean - e->ttc_mean) <= 0.03 * e->ttc_mean + 1e-9);
}
