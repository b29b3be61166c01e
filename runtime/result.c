/* result.c: the RtResult container (see result.h): allocation, exits and churn reasons,
 * warnings and their wording, Wilson intervals. It computes no figure of a run itself. */
#include "result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

RtResult *rt_result_new(const RtModel *rm)
{
    RtResult *r = xcalloc(1, sizeof *r);
    r->model = rm->model;
    r->rt = rm;
    r->persona = -1;
    r->stages = xcalloc((size_t)rm->nstages + 1, sizeof *r->stages);
    r->personas = xcalloc((size_t)rm->npersonas + 1, sizeof *r->personas);
    r->curve_sim = xcalloc((size_t)rm->npersonas * (size_t)rm->nstages + 1, sizeof *r->curve_sim);
    r->touch = xcalloc((size_t)rm->ntouch + 1, sizeof *r->touch);
    r->channels = xcalloc((size_t)rm->nchannels + 1, sizeof *r->channels);
    for (int s = 0; s < rm->nstages; s++) r->stages[s].mean_mood = NAN;
    for (size_t i = 0; i < (size_t)rm->npersonas * (size_t)rm->nstages; i++) r->curve_sim[i] = NAN;
    r->ttc_mean = r->ttc_median = r->ttc_p90 = NAN;
    for (int i = 0; i < 4; i++) r->retention[i] = NAN;
    r->nps = r->csat = r->revenue_sq = NAN;
    return r;
}

void rt_result_free(RtResult *r)
{
    if (!r) return;
    free(r->stages);
    free(r->exits);
    free(r->reasons);
    free(r->personas);
    free(r->curve_sim);
    free(r->touch);
    free(r->channels);
    free(r->ttc_hist);
    free(r->churn_hist);
    for (int i = 0; i < r->nwarnings; i++) free(r->warnings[i].message);
    free(r->warnings);
    free(r);
}

void rt_result_add_exit(RtResult *r, int stage, int target, const char *reason, bool via_rule, double count)
{
    if ((r->nexits & (r->nexits - 1)) == 0) /* grow at powers of two */
        r->exits = xrealloc(r->exits, (size_t)(r->nexits ? r->nexits * 2 : 8) * sizeof *r->exits);
    r->exits[r->nexits++] = (RtExitRow){stage, target, reason, via_rule, count};
}

void rt_result_add_reason(RtResult *r, int stage, const char *reason, double count)
{
    for (int i = r->nreasons - 1; i >= 0; i--) {
        if (r->reasons[i].stage == stage && strcmp(r->reasons[i].reason, reason) == 0) {
            r->reasons[i].count += count;
            return;
        }
    }
    if ((r->nreasons & (r->nreasons - 1)) == 0)
        r->reasons = xrealloc(r->reasons, (size_t)(r->nreasons ? r->nreasons * 2 : 8) * sizeof *r->reasons);
    r->reasons[r->nreasons++] = (RtReasonRow){stage, reason, count};
}

/* ---- warnings ---- */

static void count_words(Buf *b, double count, bool exact, const char *one, const char *many)
{
    if (exact) buf_printf(b, "an expected %.6g %s", count, many);
    else buf_printf(b, "%.0f %s", count, count == 1 ? one : many);
}

char *rt_warning_text(const RtModel *rm, int site_index, double count, bool exact, uint64_t max_steps, double horizon)
{
    Buf b = BUF_INIT;
    const RtSite *site = &rm->sites[site_index];
    const char *stage = site->stage >= 0 ? rm->model->stages[site->stage]->name.s : "";
    switch ((RtSiteKind)site->kind) {
    case SITE_STEP_LIMIT:
        count_words(&b, count, exact, "customer", "customers");
        buf_printf(&b, " made more than %llu stage entries (the step limit) and %s stopped there; counted as active",
                   (unsigned long long)max_steps, count == 1 && !exact ? "was" : "were");
        break;
    case SITE_NAN_PROB:
        buf_printf(&b, "the probability of this arrow of stage '%s' was not a number on ", stage);
        count_words(&b, count, exact, "entry", "entries");
        buf_puts(&b, "; taken as 0%");
        break;
    case SITE_NAN_WITH:
        buf_puts(&b, "the probability ('with') of this action was not a number ");
        count_words(&b, count, exact, "time", "times");
        buf_puts(&b, "; taken as 0%");
        break;
    case SITE_NAN_VALUE:
        buf_puts(&b, "the value of this action was not a number ");
        count_words(&b, count, exact, "time", "times");
        buf_puts(&b, "; the action was skipped");
        break;
    case SITE_OVERFULL:
        buf_printf(&b, "the arrows of stage '%s' that apply added up to more than 100%% on ", stage);
        count_words(&b, count, exact, "entry", "entries");
        buf_puts(&b, "; they were scaled down to 100%");
        break;
    case SITE_NOWAY:
        count_words(&b, count, exact, "customer", "customers");
        buf_printf(&b, " had no way on from stage '%s' (the arrows that apply leave part of 100%% unassigned and "
                       "none is 'otherwise'); counted as completed", stage);
        break;
    case SITE_EXACT_HORIZON:
        buf_printf(&b, "the exact analysis ignores the horizon (%g days): it reports the whole life of every customer",
                   horizon);
        break;
    }
    return buf_take(&b);
}

void rt_result_add_warning(RtResult *r, int site, double count)
{
    const RtSite *s = &r->rt->sites[site];
    if ((r->nwarnings & (r->nwarnings - 1)) == 0)
        r->warnings = xrealloc(r->warnings, (size_t)(r->nwarnings ? r->nwarnings * 2 : 4) * sizeof *r->warnings);
    r->warnings[r->nwarnings++] =
        (RtWarning){s->loc, (int)s->kind, site, rt_warning_text(r->rt, site, count, r->exact, r->max_steps, r->horizon), count};
}

/* ---- ordering ---- */

static void stable_sort_exits(RtExitRow *v, int n)
{
    for (int i = 1; i < n; i++) { /* insertion sort: lists are short and mostly sorted */
        RtExitRow x = v[i];
        int j = i;
        while (j > 0 && v[j - 1].stage > x.stage) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static void stable_sort_reasons(RtReasonRow *v, int n)
{
    for (int i = 1; i < n; i++) {
        RtReasonRow x = v[i];
        int j = i;
        while (j > 0 && v[j - 1].stage > x.stage) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

void rt_result_finish(RtResult *r)
{
    stable_sort_exits(r->exits, r->nexits);
    stable_sort_reasons(r->reasons, r->nreasons);
}

/* ---- rates ---- */

void rt_wilson(double k, double n, double z, double *lo, double *hi)
{
    if (!(n > 0)) {
        *lo = *hi = NAN;
        return;
    }
    double p = k / n, z2 = z * z;
    double denom = 1 + z2 / n;
    double centre = (p + z2 / (2 * n)) / denom;
    double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
    *lo = centre - half < 0 ? 0 : centre - half;
    *hi = centre + half > 1 ? 1 : centre + half;
    if (k <= 0) *lo = 0;
    if (k >= n) *hi = 1;
}

RtRate rt_rate(double count, double n, bool exact)
{
    RtRate r = {count, n > 0 ? count / n : NAN, NAN, NAN};
    if (exact) r.lo = r.hi = r.rate;
    else rt_wilson(count, n, 1.959963984540054, &r.lo, &r.hi);
    return r;
}

const char *rt_stage_name(const RtModel *rm, int stage)
{
    return stage >= 0 ? rm->model->stages[stage]->name.s : "churn";
}

void rt_loc_string(const Model *m, Loc loc, char *buf, int n)
{
    const SourceFile *f = loc.file ? source_get(&m->program->sources, loc.file) : NULL;
    if (!f) {
        if (n > 0) buf[0] = 0;
        return;
    }
    uint32_t line, col;
    source_line_col(f, loc.off, &line, &col);
    snprintf(buf, (size_t)n, "%s:%u:%u", f->name, line, col);
}
