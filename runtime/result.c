/* result.c: the RtResult container (see result.h): allocation, exits and churn reasons,
 * warnings and their wording, and the interval arithmetic every report shares (Wilson intervals
 * of rates; normal intervals of means; the delta method for a ratio of means). It computes no
 * figure of a run itself. */
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
    r->nps = r->csat = r->revenue_sq = r->cost_sq = r->cost_conv = NAN;
    r->window = NAN;
    r->no_curves_reason = "";
    for (int ch = 0; ch < rm->nchannels; ch++) r->channels[ch].attr_removal = NAN;
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
    free(r->followup_churn);
    free(r->followup_censor);
    free(r->revenue_after);
    free(r->revenue_after_min);
    free(r->followup_window);
    free(r->months);
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

/* The row of (stage, reason), made when new. */
static RtReasonRow *reason_row(RtResult *r, int stage, const char *reason)
{
    for (int i = r->nreasons - 1; i >= 0; i--)
        if (r->reasons[i].stage == stage && strcmp(r->reasons[i].reason, reason) == 0) return &r->reasons[i];
    if ((r->nreasons & (r->nreasons - 1)) == 0)
        r->reasons = xrealloc(r->reasons, (size_t)(r->nreasons ? r->nreasons * 2 : 8) * sizeof *r->reasons);
    r->reasons[r->nreasons] = (RtReasonRow){stage, reason, 0, 0, 0};
    return &r->reasons[r->nreasons++];
}

void rt_result_add_reason(RtResult *r, int stage, const char *reason, double count)
{
    reason_row(r, stage, reason)->count += count;
}

void rt_result_add_reason_split(RtResult *r, int stage, const char *reason, double lost, double customers)
{
    RtReasonRow *row = reason_row(r, stage, reason);
    row->count += lost + customers;
    row->lost += lost;
    row->customers += customers;
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
    case SITE_BAD_REVENUE:
        buf_printf(&b, "the revenue of stage '%s' was not a number on ", stage);
        count_words(&b, count, exact, "entry", "entries");
        buf_puts(&b, "; taken as 0");
        break;
    case SITE_BAD_REACH:
        buf_puts(&b, "the reach of this touchpoint was not a number or outside 0..100% ");
        count_words(&b, count, exact, "time", "times");
        buf_puts(&b, "; clamped (not a number: 0%)");
        break;
    case SITE_BAD_COST:
        buf_puts(&b, "the cost of this touchpoint was not a number or below 0 ");
        count_words(&b, count, exact, "time", "times");
        buf_puts(&b, "; taken as 0");
        break;
    case SITE_BAD_WAIT:
        buf_printf(&b, "the arguments of the wait of stage '%s' were out of range on ", stage);
        count_words(&b, count, exact, "entry", "entries");
        buf_puts(&b, "; no valid distribution: no wait; past 10^6 days: capped there");
        break;
    case SITE_BAD_CURVE:
        buf_printf(&b, "the curve value of stage '%s' was not a number on ", stage);
        count_words(&b, count, exact, "entry", "entries");
        buf_puts(&b, "; taken as 0");
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

/* ---- means and ratios ---- */

/* The sample covariance of x and y (divisor n - 1) from sums (n >= 2). A variance can come out
 * slightly negative by rounding when every value is the same: with_half_width() takes it as 0. */
static double sample_cov(double sum_x, double sum_y, double sum_xy, double n)
{
    return (sum_xy - sum_x * sum_y / n) / (n - 1);
}

static RtEstimate with_half_width(double value, double variance, double n, double z)
{
    if (!isfinite(variance) || !(n >= 2) || !isfinite(value)) return (RtEstimate){value, NAN, NAN};
    double h = variance > 0 ? z * sqrt(variance / n) : 0;
    return (RtEstimate){value, value - h, value + h};
}

RtEstimate rt_mean_interval(double sum_x, double sum_xx, double n, double z)
{
    if (!(n > 0)) return (RtEstimate){NAN, NAN, NAN};
    double mean = sum_x / n;
    if (!(n >= 2) || !isfinite(sum_xx)) return (RtEstimate){mean, NAN, NAN};
    return with_half_width(mean, sample_cov(sum_x, sum_x, sum_xx, n), n, z);
}

RtEstimate rt_ratio_interval(double sum_x, double sum_xx, double sum_y, double sum_yy, double sum_xy, double n,
                             double z)
{
    if (!(n > 0) || sum_y == 0) return (RtEstimate){NAN, NAN, NAN};
    double ratio = sum_x / sum_y, mean_y = sum_y / n;
    if (!(n >= 2) || !isfinite(sum_xx) || !isfinite(sum_yy) || !isfinite(sum_xy)) return (RtEstimate){ratio, NAN, NAN};
    double var_x = sample_cov(sum_x, sum_x, sum_xx, n), var_y = sample_cov(sum_y, sum_y, sum_yy, n);
    double cov_xy = sample_cov(sum_x, sum_y, sum_xy, n);
    /* The variance of the linearised ratio (x - R y) / mean(y), per customer. */
    double var = (var_x - 2 * ratio * cov_xy + ratio * ratio * var_y) / (mean_y * mean_y);
    return with_half_width(ratio, var, n, z);
}

RtMoney rt_money(const RtResult *r)
{
    const double z = 1.959963984540054;
    double n = r->cohort;
    RtMoney m;
    /* No interval in an exact analysis: its sums of squares are NaN. Conversion is 0 or 1 per
     * customer, so the sum of its squares is the number of conversions. */
    m.revenue = rt_mean_interval(r->revenue, r->exact ? NAN : r->revenue_sq, n, z);
    m.cost = rt_mean_interval(r->cost, r->exact ? NAN : r->cost_sq, n, z);
    m.cac = rt_ratio_interval(r->cost, r->exact ? NAN : r->cost_sq, r->converted, r->converted,
                              r->exact ? NAN : r->cost_conv, n, z);
    return m;
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
