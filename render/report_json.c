/* report_json.c: the JSON report (schema in docs/report-json.md). Keys come in a fixed order and
 * numbers in a fixed format, so that equal results give byte-identical files. NaN and infinities,
 * which JSON lacks, are written as null. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "report.h"

/* {"count": c, "rate": r, "ci95": [lo, hi]} (ci95 only with `ci`), on one line. */
static void kv_rate(Json *j, const char *k, const RtResult *r, double count, double n, bool ci)
{
    RtRate x = rt_rate(count, n, r->exact);
    json_key(j, k);
    buf_puts(j->b, "{\"count\": ");
    render_number(j->b, count);
    buf_puts(j->b, ", \"rate\": ");
    render_number(j->b, x.rate);
    if (ci) {
        buf_puts(j->b, ", \"ci95\": [");
        render_number(j->b, x.lo);
        buf_puts(j->b, ", ");
        render_number(j->b, x.hi);
        buf_putc(j->b, ']');
    }
    buf_putc(j->b, '}');
}

/* `"k": [lo, hi]` on one line, or `"k": null` when there is no interval (an exact analysis, a
 * figure that does not exist). */
static void kv_interval(Json *j, const char *k, RtEstimate e)
{
    json_key(j, k);
    if (!isfinite(e.lo) || !isfinite(e.hi)) {
        buf_puts(j->b, "null");
        return;
    }
    buf_putc(j->b, '[');
    render_number(j->b, e.lo);
    buf_puts(j->b, ", ");
    render_number(j->b, e.hi);
    buf_putc(j->b, ']');
}

/* `"k": ["text", ...]` on one line: a touchpoint's pain points or opportunities, in written order. */
static void kv_texts(Json *j, const char *k, const StrList *l)
{
    json_key(j, k);
    buf_putc(j->b, '[');
    for (; l; l = l->next) {
        json_str(j->b, l->str.s);
        if (l->next) buf_puts(j->b, ", ");
    }
    buf_putc(j->b, ']');
}

static void header(Json *j, const RtResult *r, const char *file)
{
    json_num(j, "schema", REPORT_JSON_SCHEMA);
    json_text(j, "journey", r->model->title);
    json_text(j, "file", file);
    json_num(j, "cohort", r->cohort);
    json_num(j, "seed", (double)r->seed);
    json_num(j, "horizon_days", r->has_horizon ? r->horizon : NAN);
    json_bool(j, "exact", r->exact);
    json_text(j, "persona", r->persona >= 0 ? render_persona_name(r, r->persona) : NULL);
    json_num(j, "step_limit", r->exact ? NAN : (double)r->max_steps);
}

static void headline(Json *j, const RtResult *r)
{
    kv_rate(j, "conversion", r, r->converted, r->cohort, true);
    kv_rate(j, "churn", r, r->churned, r->cohort, true);
    kv_rate(j, "completed", r, r->completed, r->cohort, false);
    kv_rate(j, "active", r, r->active, r->cohort, false);
}

static void churn_reasons(Json *j, const RtResult *r)
{
    json_key(j, "churn_reasons");
    json_open(j, '[');
    for (int i = 0; i < r->nreasons; i++) {
        const RtReasonRow *x = &r->reasons[i];
        json_next(j);
        buf_puts(j->b, "{\"stage\": ");
        json_str(j->b, rt_stage_name(r->rt, x->stage));
        buf_puts(j->b, ", \"reason\": ");
        json_str(j->b, x->reason);
        buf_puts(j->b, ", \"count\": ");
        render_number(j->b, x->count);
        buf_puts(j->b, ", \"rate\": ");
        render_number(j->b, x->count / r->cohort);
        buf_putc(j->b, '}');
    }
    json_close(j, ']');
}

static void exits(Json *j, const RtResult *r, int s)
{
    json_key(j, "exits");
    json_open(j, '[');
    for (int i = 0; i < r->nexits; i++) {
        const RtExitRow *x = &r->exits[i];
        if (x->stage != s) continue;
        json_next(j);
        buf_puts(j->b, "{\"to\": ");
        json_str(j->b, rt_stage_name(r->rt, x->target));
        buf_puts(j->b, ", \"reason\": ");
        if (x->reason) json_str(j->b, x->reason);
        else buf_puts(j->b, "null");
        buf_printf(j->b, ", \"via\": \"%s\", \"count\": ", x->via_rule ? "rule" : "arrow");
        render_number(j->b, x->count);
        buf_puts(j->b, ", \"share_of_exits\": ");
        render_number(j->b, render_share_of_exits(r, x));
        buf_putc(j->b, '}');
    }
    json_close(j, ']');
}

static void stages(Json *j, const RtResult *r)
{
    json_key(j, "stages");
    json_open(j, '[');
    for (int s = 0; s < r->rt->nstages; s++) {
        const Stage *st = r->model->stages[s];
        const RtStageRow *x = &r->stages[s];
        json_next(j);
        json_open(j, '{');
        json_text(j, "name", st->name.s);
        json_text(j, "label", st->label.s);
        json_bool(j, "goal", st->goal);
        json_num(j, "reached", x->reached);
        json_num(j, "reached_rate", x->reached / r->cohort);
        json_num(j, "entries", x->entries);
        json_num(j, "mean_mood", x->mean_mood);
        json_num(j, "converted", x->converted);
        json_num(j, "churned", x->churned);
        json_num(j, "completed", x->completed);
        json_num(j, "active", x->active);
        json_num(j, "revenue", x->revenue);
        json_num(j, "exited", render_stage_exited(r, s));
        json_num(j, "still_at_horizon", render_stage_still(r, s));
        exits(j, r, s);
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void curve(Json *j, const RtResult *r, int p)
{
    json_key(j, "curve");
    json_open(j, '[');
    const Model *m = r->model;
    for (int s = 0; s < m->nstages; s++) {
        size_t at = (size_t)p * (size_t)m->nstages + (size_t)s;
        json_next(j);
        buf_puts(j->b, "{\"stage\": ");
        json_str(j->b, m->stages[s]->name.s);
        buf_puts(j->b, ", \"declared\": ");
        render_number(j->b, m->curve_declared[at] ? m->curve[at] : NAN);
        buf_puts(j->b, ", \"simulated\": ");
        render_number(j->b, r->curve_sim[at]);
        buf_puts(j->b, ", \"reason\": ");
        if (m->curve_reason[at]) json_str(j->b, m->curve_reason[at]);
        else buf_puts(j->b, "null");
        buf_putc(j->b, '}');
    }
    json_close(j, ']');
}

static void personas(Json *j, const RtResult *r)
{
    json_key(j, "personas");
    json_open(j, '[');
    for (int p = 0; p < r->rt->npersonas; p++) {
        if (r->persona >= 0 && p != r->persona) continue;
        const RtPersonaRow *x = &r->personas[p];
        json_next(j);
        json_open(j, '{');
        json_text(j, "name", render_persona_name(r, p));
        json_text(j, "label", r->model->personas[p]->label.s);
        json_num(j, "share", r->persona >= 0 ? 1 : r->model->share[p]);
        json_num(j, "customers", x->customers);
        kv_rate(j, "conversion", r, x->converted, x->customers, true);
        kv_rate(j, "churn", r, x->churned, x->customers, true);
        kv_rate(j, "completed", r, x->completed, x->customers, false);
        kv_rate(j, "active", r, x->active, x->customers, false);
        curve(j, r, p);
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void touch_row(Json *j, const RtResult *r, const RtTouchRow *x)
{
    json_num(j, "reached", x->reached);
    json_num(j, "reached_rate", x->reached / r->cohort);
    json_num(j, "meetings", x->meetings);
    json_num(j, "cost", x->cost);
    json_num(j, "conversions", x->conversions);
    json_num(j, "conversion_rate", x->reached > 0 ? x->conversions / x->reached : NAN);
}

static void touchpoints(Json *j, const RtResult *r)
{
    const Model *m = r->model;
    json_key(j, "touchpoints");
    json_open(j, '[');
    for (int t = 0; t < r->rt->ntouch; t++) {
        const Touchpoint *tp = m->touchpoints[t];
        json_next(j);
        json_open(j, '{');
        json_text(j, "name", tp->name.s);
        json_text(j, "label", tp->label.s);
        json_text(j, "stage", tp->stage_index >= 0 ? m->stages[tp->stage_index]->name.s : NULL);
        json_text(j, "channel", tp->channel_index >= 0 ? m->channels[tp->channel_index]->name.s : NULL);
        json_num(j, "reach", r->rt->touch[t].reach);
        touch_row(j, r, &r->touch[t]);
        kv_texts(j, "pains", tp->pains);
        kv_texts(j, "opportunities", tp->opportunities);
        json_close(j, '}');
    }
    json_close(j, ']');
    json_key(j, "channels");
    json_open(j, '[');
    for (int c = 0; c < r->rt->nchannels; c++) {
        if (!render_channel_used(r, c)) continue;
        json_next(j);
        json_open(j, '{');
        json_text(j, "name", m->channels[c]->name.s);
        json_text(j, "label", m->channels[c]->label.s);
        touch_row(j, r, &r->channels[c]);
        json_close(j, '}');
    }
    json_close(j, ']');
}

/* The bins of the time-to-convert histogram, one per line; null when there is none. */
static void ttc_histogram(Json *j, const RtResult *r)
{
    int n;
    RenderBin *bins = render_ttc_histogram(r, &n);
    json_key(j, "histogram");
    if (!bins) {
        buf_puts(j->b, "null");
        return;
    }
    json_open(j, '[');
    for (int i = 0; i < n; i++) {
        json_next(j);
        buf_puts(j->b, "{\"from\": ");
        render_number(j->b, bins[i].from);
        buf_puts(j->b, ", \"to\": ");
        render_number(j->b, bins[i].to);
        buf_puts(j->b, ", \"count\": ");
        render_number(j->b, bins[i].count);
        buf_putc(j->b, '}');
    }
    json_close(j, ']');
    free(bins);
}

/* The retention curve, one point per line; null in an exact analysis. */
static void retention_curve(Json *j, const RtResult *r)
{
    int n;
    RenderPoint *p = render_retention_curve(r, &n);
    json_key(j, "retention_curve");
    if (!p) {
        buf_puts(j->b, "null");
        return;
    }
    json_open(j, '[');
    for (int i = 0; i < n; i++) {
        json_next(j);
        buf_puts(j->b, "{\"day\": ");
        render_number(j->b, p[i].day);
        buf_puts(j->b, ", \"retained\": ");
        render_number(j->b, p[i].retained);
        buf_putc(j->b, '}');
    }
    json_close(j, ']');
    free(p);
}

static void money_and_time(Json *j, const RtResult *r)
{
    json_key(j, "time_to_convert");
    json_open(j, '{');
    json_num(j, "mean", r->ttc_mean);
    json_num(j, "median", r->ttc_median);
    json_num(j, "p90", r->ttc_p90);
    ttc_histogram(j, r);
    json_close(j, '}');
    json_key(j, "retention");
    json_open(j, '{');
    json_num(j, "day_7", r->retention[0]);
    json_num(j, "day_30", r->retention[1]);
    json_num(j, "day_90", r->retention[2]);
    json_num(j, "horizon", r->retention[3]);
    json_close(j, '}');
    retention_curve(j, r);
    json_num(j, "revenue", r->revenue);
    json_num(j, "cost", r->cost);
    RtMoney money = rt_money(r);
    json_num(j, "revenue_per_customer", money.revenue.value);
    kv_interval(j, "revenue_per_customer_ci95", money.revenue);
    json_num(j, "cost_per_customer", money.cost.value);
    kv_interval(j, "cost_per_customer_ci95", money.cost);
    json_num(j, "cac", money.cac.value);
    kv_interval(j, "cac_ci95", money.cac);
    json_num(j, "nps", r->nps);
    json_num(j, "csat", r->csat);
    json_num(j, "stage_entries", r->steps);
}

static const char *warning_kind(int kind)
{
    switch ((RtSiteKind)kind) {
    case SITE_STEP_LIMIT: return "step-limit";
    case SITE_NAN_PROB: return "nan-probability";
    case SITE_NAN_WITH: return "nan-probability";
    case SITE_NAN_VALUE: return "nan-value";
    case SITE_OVERFULL: return "over-100-percent";
    case SITE_NOWAY: return "no-way-on";
    case SITE_EXACT_HORIZON: return "horizon-ignored";
    }
    return "other";
}

static void warnings(Json *j, const RtResult *r)
{
    json_key(j, "warnings");
    json_open(j, '[');
    for (int i = 0; i < r->nwarnings; i++) {
        const RtWarning *w = &r->warnings[i];
        char where[512];
        rt_loc_string(r->model, w->loc, where, sizeof where);
        json_next(j);
        buf_puts(j->b, "{\"where\": ");
        if (where[0]) json_str(j->b, where);
        else buf_puts(j->b, "null");
        buf_printf(j->b, ", \"kind\": \"%s\", \"count\": ", warning_kind(w->kind));
        render_number(j->b, w->count);
        buf_puts(j->b, ", \"message\": ");
        json_str(j->b, w->message);
        buf_putc(j->b, '}');
    }
    json_close(j, ']');
}

void render_json(const RtResult *r, const char *file, Buf *out)
{
    Json j = {out, 0, true};
    json_open(&j, '{');
    header(&j, r, file);
    headline(&j, r);
    churn_reasons(&j, r);
    stages(&j, r);
    personas(&j, r);
    touchpoints(&j, r);
    money_and_time(&j, r);
    warnings(&j, r);
    json_close(&j, '}');
    buf_putc(out, '\n');
}
