/* report_json.c: the JSON report (schema in docs/report-json.md). Keys come in a fixed order and
 * numbers in a fixed format, so that equal results give byte-identical files. NaN and infinities,
 * which JSON lacks, are written as null. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

typedef struct Json {
    Buf *b;
    int depth;
    bool first;    /* no value written yet at this depth */
} Json;

static void newline(Json *j)
{
    buf_putc(j->b, '\n');
    for (int i = 0; i < j->depth; i++) buf_puts(j->b, "  ");
}

/* Before a value or a key: the comma and line break of the enclosing object or array. */
static void next(Json *j)
{
    if (!j->first) buf_putc(j->b, ',');
    j->first = false;
    newline(j);
}

static void str(Buf *b, const char *s)
{
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f) buf_printf(b, "\\u%04x", *p);
            else buf_putc(b, (char)*p);
        }
    }
    buf_putc(b, '"');
}

/* Whole numbers without a fraction; others with 10 significant digits; -0 as 0. */
static void num(Buf *b, double v)
{
    if (!isfinite(v)) buf_puts(b, "null");
    else if (v == 0) buf_putc(b, '0');
    else if (v == floor(v) && fabs(v) < 9007199254740992.0) buf_printf(b, "%.0f", v);
    else buf_printf(b, "%.10g", v);
}

static void key(Json *j, const char *k)
{
    next(j);
    str(j->b, k);
    buf_puts(j->b, ": ");
}

static void open_(Json *j, char c)
{
    buf_putc(j->b, c);
    j->depth++;
    j->first = true;
}

static void close_(Json *j, char c)
{
    j->depth--;
    if (!j->first) newline(j);
    buf_putc(j->b, c);
    j->first = false;
}

static void kv_num(Json *j, const char *k, double v)
{
    key(j, k);
    num(j->b, v);
}

static void kv_str(Json *j, const char *k, const char *v)
{
    key(j, k);
    if (v) str(j->b, v);
    else buf_puts(j->b, "null");
}

static void kv_bool(Json *j, const char *k, bool v)
{
    key(j, k);
    buf_puts(j->b, v ? "true" : "false");
}

/* {"count": c, "rate": r, "ci95": [lo, hi]} (ci95 only with `ci`), on one line. */
static void kv_rate(Json *j, const char *k, const RtResult *r, double count, double n, bool ci)
{
    RtRate x = rt_rate(count, n, r->exact);
    key(j, k);
    buf_puts(j->b, "{\"count\": ");
    num(j->b, count);
    buf_puts(j->b, ", \"rate\": ");
    num(j->b, x.rate);
    if (ci) {
        buf_puts(j->b, ", \"ci95\": [");
        num(j->b, x.lo);
        buf_puts(j->b, ", ");
        num(j->b, x.hi);
        buf_putc(j->b, ']');
    }
    buf_putc(j->b, '}');
}

static void header(Json *j, const RtResult *r, const char *file)
{
    kv_num(j, "schema", REPORT_JSON_SCHEMA);
    kv_str(j, "journey", r->model->title);
    kv_str(j, "file", file);
    kv_num(j, "cohort", r->cohort);
    kv_num(j, "seed", (double)r->seed);
    kv_num(j, "horizon_days", r->has_horizon ? r->horizon : NAN);
    kv_bool(j, "exact", r->exact);
    kv_str(j, "persona", r->persona >= 0 ? render_persona_name(r, r->persona) : NULL);
    kv_num(j, "step_limit", r->exact ? NAN : (double)r->max_steps);
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
    key(j, "churn_reasons");
    open_(j, '[');
    for (int i = 0; i < r->nreasons; i++) {
        const RtReasonRow *x = &r->reasons[i];
        next(j);
        buf_puts(j->b, "{\"stage\": ");
        str(j->b, rt_stage_name(r->rt, x->stage));
        buf_puts(j->b, ", \"reason\": ");
        str(j->b, x->reason);
        buf_puts(j->b, ", \"count\": ");
        num(j->b, x->count);
        buf_puts(j->b, ", \"rate\": ");
        num(j->b, x->count / r->cohort);
        buf_putc(j->b, '}');
    }
    close_(j, ']');
}

static void exits(Json *j, const RtResult *r, int s)
{
    key(j, "exits");
    open_(j, '[');
    double entries = r->stages[s].entries;
    for (int i = 0; i < r->nexits; i++) {
        const RtExitRow *x = &r->exits[i];
        if (x->stage != s) continue;
        next(j);
        buf_puts(j->b, "{\"to\": ");
        str(j->b, rt_stage_name(r->rt, x->target));
        buf_puts(j->b, ", \"reason\": ");
        if (x->reason) str(j->b, x->reason);
        else buf_puts(j->b, "null");
        buf_printf(j->b, ", \"via\": \"%s\", \"count\": ", x->via_rule ? "rule" : "arrow");
        num(j->b, x->count);
        buf_puts(j->b, ", \"rate\": ");
        num(j->b, entries > 0 ? x->count / entries : NAN);
        buf_putc(j->b, '}');
    }
    close_(j, ']');
}

static void stages(Json *j, const RtResult *r)
{
    key(j, "stages");
    open_(j, '[');
    for (int s = 0; s < r->rt->nstages; s++) {
        const Stage *st = r->model->stages[s];
        const RtStageRow *x = &r->stages[s];
        next(j);
        open_(j, '{');
        kv_str(j, "name", st->name.s);
        kv_str(j, "label", st->label.s);
        kv_bool(j, "goal", st->goal);
        kv_num(j, "reached", x->reached);
        kv_num(j, "reached_rate", x->reached / r->cohort);
        kv_num(j, "entries", x->entries);
        kv_num(j, "mean_mood", x->mean_mood);
        kv_num(j, "converted", x->converted);
        kv_num(j, "churned", x->churned);
        kv_num(j, "completed", x->completed);
        kv_num(j, "active", x->active);
        kv_num(j, "revenue", x->revenue);
        exits(j, r, s);
        close_(j, '}');
    }
    close_(j, ']');
}

static void curve(Json *j, const RtResult *r, int p)
{
    key(j, "curve");
    open_(j, '[');
    const Model *m = r->model;
    for (int s = 0; s < m->nstages; s++) {
        size_t at = (size_t)p * (size_t)m->nstages + (size_t)s;
        next(j);
        buf_puts(j->b, "{\"stage\": ");
        str(j->b, m->stages[s]->name.s);
        buf_puts(j->b, ", \"declared\": ");
        num(j->b, m->curve_declared[at] ? m->curve[at] : NAN);
        buf_puts(j->b, ", \"simulated\": ");
        num(j->b, r->curve_sim[at]);
        buf_putc(j->b, '}');
    }
    close_(j, ']');
}

static void personas(Json *j, const RtResult *r)
{
    key(j, "personas");
    open_(j, '[');
    for (int p = 0; p < r->rt->npersonas; p++) {
        if (r->persona >= 0 && p != r->persona) continue;
        const RtPersonaRow *x = &r->personas[p];
        next(j);
        open_(j, '{');
        kv_str(j, "name", render_persona_name(r, p));
        kv_str(j, "label", r->model->personas[p]->label.s);
        kv_num(j, "share", r->persona >= 0 ? 1 : r->model->share[p]);
        kv_num(j, "customers", x->customers);
        kv_rate(j, "conversion", r, x->converted, x->customers, true);
        kv_rate(j, "churn", r, x->churned, x->customers, true);
        kv_rate(j, "completed", r, x->completed, x->customers, false);
        kv_rate(j, "active", r, x->active, x->customers, false);
        curve(j, r, p);
        close_(j, '}');
    }
    close_(j, ']');
}

static void touch_row(Json *j, const RtResult *r, const RtTouchRow *x)
{
    kv_num(j, "reached", x->reached);
    kv_num(j, "reached_rate", x->reached / r->cohort);
    kv_num(j, "meetings", x->meetings);
    kv_num(j, "cost", x->cost);
    kv_num(j, "conversions", x->conversions);
    kv_num(j, "conversion_rate", x->reached > 0 ? x->conversions / x->reached : NAN);
}

static void touchpoints(Json *j, const RtResult *r)
{
    const Model *m = r->model;
    key(j, "touchpoints");
    open_(j, '[');
    for (int t = 0; t < r->rt->ntouch; t++) {
        const Touchpoint *tp = m->touchpoints[t];
        next(j);
        open_(j, '{');
        kv_str(j, "name", tp->name.s);
        kv_str(j, "label", tp->label.s);
        kv_str(j, "stage", tp->stage_index >= 0 ? m->stages[tp->stage_index]->name.s : NULL);
        kv_str(j, "channel", tp->channel_index >= 0 ? m->channels[tp->channel_index]->name.s : NULL);
        kv_num(j, "reach", r->rt->touch[t].reach);
        touch_row(j, r, &r->touch[t]);
        close_(j, '}');
    }
    close_(j, ']');
    key(j, "channels");
    open_(j, '[');
    for (int c = 0; c < r->rt->nchannels; c++) {
        if (!render_channel_used(r, c)) continue;
        next(j);
        open_(j, '{');
        kv_str(j, "name", m->channels[c]->name.s);
        kv_str(j, "label", m->channels[c]->label.s);
        touch_row(j, r, &r->channels[c]);
        close_(j, '}');
    }
    close_(j, ']');
}

static void money_and_time(Json *j, const RtResult *r)
{
    key(j, "time_to_convert");
    open_(j, '{');
    kv_num(j, "mean", r->ttc_mean);
    kv_num(j, "median", r->ttc_median);
    kv_num(j, "p90", r->ttc_p90);
    close_(j, '}');
    key(j, "retention");
    open_(j, '{');
    kv_num(j, "day_7", r->retention[0]);
    kv_num(j, "day_30", r->retention[1]);
    kv_num(j, "day_90", r->retention[2]);
    kv_num(j, "horizon", r->retention[3]);
    close_(j, '}');
    kv_num(j, "revenue", r->revenue);
    kv_num(j, "cost", r->cost);
    kv_num(j, "revenue_per_customer", r->revenue / r->cohort);
    kv_num(j, "cost_per_customer", r->cost / r->cohort);
    kv_num(j, "cac", r->converted > 0 ? r->cost / r->converted : NAN);
    kv_num(j, "nps", r->nps);
    kv_num(j, "csat", r->csat);
    kv_num(j, "stage_entries", r->steps);
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
    key(j, "warnings");
    open_(j, '[');
    for (int i = 0; i < r->nwarnings; i++) {
        const RtWarning *w = &r->warnings[i];
        char where[512];
        rt_loc_string(r->model, w->loc, where, sizeof where);
        next(j);
        buf_puts(j->b, "{\"where\": ");
        if (where[0]) str(j->b, where);
        else buf_puts(j->b, "null");
        buf_printf(j->b, ", \"kind\": \"%s\", \"count\": ", warning_kind(w->kind));
        num(j->b, w->count);
        buf_puts(j->b, ", \"message\": ");
        str(j->b, w->message);
        buf_putc(j->b, '}');
    }
    close_(j, ']');
}

void render_json(const RtResult *r, const char *file, Buf *out)
{
    Json j = {out, 0, true};
    open_(&j, '{');
    header(&j, r, file);
    headline(&j, r);
    churn_reasons(&j, r);
    stages(&j, r);
    personas(&j, r);
    touchpoints(&j, r);
    money_and_time(&j, r);
    warnings(&j, r);
    close_(&j, '}');
    buf_putc(out, '\n');
}
