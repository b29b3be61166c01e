/* attribution.c: removal-effect attribution (see attribution.h). The runs without each channel are
 * compare.c's: its removal variants and its paired runs, so the journey's customers are the same
 * in every run and the drops are estimated from per-customer differences. */
#include "attribution.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* The channel a removal variant took out, by its name. */
static int channel_of(const RtModel *rm, const char *name)
{
    const Model *m = rm->model;
    for (int ch = 0; ch < m->nchannels; ch++)
        if (strcmp(m->channels[ch]->name.s, name) == 0) return ch;
    return -1;
}

bool rt_attribute_removal(const RtModel *rm, const CmpOptions *o, RtResult *r, Diag *d)
{
    CmpSet set;
    cmp_set_init(&set, CMP_REMOVE_CHANNELS);
    cmp_set_removals(&set, rm->model, CMP_REMOVE_CHANNELS);
    CmpResult *cr = cmp_run(rm, &set, o, d);
    bool ok = cr != NULL;
    if (ok) {
        double *drop = xcalloc((size_t)set.n + 1, sizeof *drop), sum = 0;
        for (int i = 0; i < set.n; i++) {
            double change = cmp_stat(cr, i, CMP_CONVERSION)->change; /* variant - journey */
            drop[i] = change < 0 ? -change : 0;
            sum += drop[i];
        }
        for (int i = 0; i < set.n; i++) {
            int ch = channel_of(rm, set.v[i].name);
            if (ch >= 0) r->channels[ch].attr_removal = sum > 0 ? r->converted * drop[i] / sum : 0;
        }
        free(drop);
        cmp_result_free(cr);
    }
    cmp_set_free(&set);
    return ok;
}
