/* journey.c: unit tests' journeys from text (see journey.h). */
#include "journey.h"

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
