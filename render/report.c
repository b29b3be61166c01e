/* report.c: what the report formats share: option names, display names, the number format, and
 * the curves drawn from a run's time histograms (retention, time to convert). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "kpi.h"

#include "report.h"

bool render_parse_format(const char *s, RenderFormat *f)
{
    if (strcmp(s, "table") == 0) *f = FORMAT_TABLE;
    else if (strcmp(s, "json") == 0) *f = FORMAT_JSON;
    else if (strcmp(s, "csv") == 0) *f = FORMAT_CSV;
    else return false;
    return true;
}

bool render_parse_csv_table(const char *s, CsvTable *t)
{
    static const char *const names[CSV_NTABLES] = {
        "stages",   "personas", "touchpoints", "channels", "reasons",     "exits",   "curves",
        "headline", "pains",    "funnel",      "calendar", "attribution", "surveys", "retention"};
    for (int i = 0; i < CSV_NTABLES; i++) {
        if (strcmp(s, names[i]) == 0) {
            *t = (CsvTable)i;
            return true;
        }
    }
    return false;
}

double render_stage_exited(const RtResult *r, int s)
{
    double n = 0;
    for (int i = 0; i < r->nexits; i++)
        if (r->exits[i].stage == s) n += r->exits[i].count;
    return n;
}

double render_share_of_exits(const RtResult *r, const RtExitRow *x)
{
    double exited = render_stage_exited(r, x->stage);
    return exited > 0 ? x->count / exited : NAN;
}

double render_stage_still(const RtResult *r, int s)
{
    if (r->exact || !r->has_horizon) return 0;
    const RtStageRow *x = &r->stages[s];
    double still = x->entries - render_stage_exited(r, s) - x->completed;
    return still > 0 ? still : 0;
}

const char *render_persona_name(const RtResult *r, int p) { return r->model->personas[p]->name.s; }

/* A journey that declares no persona has one implicit persona, "everyone". */
bool render_implicit_persona(const RtResult *r)
{
    return r->model->npersonas == 1 && r->model->personas[0]->name.loc.file == 0;
}

bool render_channel_used(const RtResult *r, int c)
{
    for (int t = 0; t < r->rt->ntouch; t++)
        if (r->rt->touch[t].channel == c) return true;
    return false;
}

void render_number(Buf *b, double v)
{
    if (!isfinite(v)) buf_puts(b, "null");
    else if (v == 0) buf_putc(b, '0');
    else if (v == floor(v) && fabs(v) < 9007199254740992.0) buf_printf(b, "%.0f", v);
    else buf_printf(b, "%.10g", v);
}

double render_nice_step(double x)
{
    if (!(x > 0) || !isfinite(x)) return 1;
    double p = pow(10, floor(log10(x)));
    static const double mult[] = {1, 2, 5, 10};
    for (int i = 0; i < 4; i++)
        if (mult[i] * p >= x * (1 - 1e-12)) return mult[i] * p;
    return 10 * p;
}

/* k * step, computed so that decimal steps give the decimal they name (0.1 * 3 is 0.3). */
static double grid_value(int k, double step)
{
    if (step >= 1) return (double)k * step;
    double scale = pow(10, ceil(-log10(step)) + 1);
    return round((double)k * step * scale) / scale;
}

RenderPoint *render_retention_curve(const RtResult *r, int *n)
{
    *n = 0;
    if (r->exact || !r->churn_hist) return NULL;
    double end = r->has_horizon ? r->horizon : rt_hist_max(r->churn_hist);
    if (!(end > 0)) end = 0;
    double step = render_nice_step(end / 100);
    int most = end > 0 ? (int)ceil(end / step) + 2 : 1;
    RenderPoint *p = xcalloc((size_t)most, sizeof *p);
    p[(*n)++].day = 0;
    for (int k = 1; end > 0 && *n < most - 1; k++) {
        double day = grid_value(k, step);
        if (day >= end * (1 - 1e-12)) break;
        p[(*n)++].day = day;
    }
    if (end > 0) p[(*n)++].day = end;
    for (int i = 0; i < *n; i++)
        p[i].retained = 1 - (double)rt_hist_count_upto(r->churn_hist, p[i].day) / r->cohort;
    return p;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

RenderKmPoint *render_customer_retention_curve(const RtResult *r, int *n)
{
    *n = 0;
    double end = rt_followup_max(r);
    if (r->exact || (r->no_curves_reason && *r->no_curves_reason) || !(r->converted > 0) || !(end >= 0) ||
        !isfinite(end))
        return NULL;
    double step = end > 0 ? render_nice_step(end / 100) : 1;
    int most = (int)ceil(end / step) + 2 + RT_RETENTION_DAYS;
    double *days = xcalloc((size_t)most, sizeof *days);
    int nd = 0;
    for (int k = 0; nd < most - 1 - RT_RETENTION_DAYS; k++) {
        double day = grid_value(k, step);
        if (day >= end * (1 - 1e-12) && k > 0) break;
        days[nd++] = day;
    }
    if (end > 0) days[nd++] = end;
    for (int i = 0; i < RT_RETENTION_DAYS; i++)
        if (rt_retention_days[i] < end) days[nd++] = rt_retention_days[i];
    qsort(days, (size_t)nd, sizeof *days, by_value);
    RenderKmPoint *p = xcalloc((size_t)nd, sizeof *p);
    for (int i = 0; i < nd; i++) {
        if (*n > 0 && days[i] == p[*n - 1].day) continue;
        RtEstimate e = rt_customer_retention(r, days[i]);
        p[(*n)++] = (RenderKmPoint){days[i], e.value, e.lo, e.hi};
    }
    free(days);
    return p;
}

RenderBin *render_ttc_histogram(const RtResult *r, int *n)
{
    *n = 0;
    const RtHist *h = r->ttc_hist;
    if (r->exact || !h || rt_hist_total(h) == 0) return NULL;
    double top = rt_hist_quantile(h, 0.99);
    double step = top > 0 ? render_nice_step(top / 20) : 1;
    int nbins = (int)floor(top / step + 1e-9) + 1;
    RenderBin *bins = xcalloc((size_t)nbins + 1, sizeof *bins);
    for (int k = 0; k <= nbins; k++) {
        bins[k].from = grid_value(k, step);
        bins[k].to = k < nbins ? grid_value(k + 1, step) : INFINITY;
    }
    for (int i = h->lo; i < h->hi; i++) {
        if (!h->b[i].count) continue;
        double k = floor(rt_hist_typical(h, i) / step + 1e-9);
        bins[k < nbins ? (int)k : nbins].count += (double)h->b[i].count;
    }
    *n = bins[nbins].count > 0 ? nbins + 1 : nbins;
    return bins;
}
