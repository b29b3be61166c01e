/* report_compare.c: the report of `cjm compare` (see report_compare.h). Rates are shown in
 * percent and their changes in percentage points ("pt"), money with two decimals, NPS with one,
 * times in days with one; an interval is that of the change (of the variant's own value in a
 * sweep). Removals come ranked by the conversions they lose, largest first; scenarios and sweeps
 * in their order. */
#include "report_compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "figures.h"
#include "format.h"
#include "report.h"

/* ---- numbers ---- */

/* The rows of a scenario's table: the run's headline, in its order (compare.h lists the rest,
 * which JSON and CSV give). */
static const CmpMetric SHOWN[] = {
    CMP_CONVERSION, CMP_LOST,    CMP_TTC,     CMP_CUSTOMER_CHURN, CMP_MONTHLY_CHURN, CMP_RETENTION90, CMP_ARPU,
    CMP_LTV,        CMP_CAC,     CMP_COST_TO_SERVE, CMP_LTV_CAC, CMP_PAYBACK,        CMP_NPS,
};
enum { NSHOWN = sizeof SHOWN / sizeof SHOWN[0] };

/* The figures of a sweep's table and charts: the unit economics a CX lead watches as a parameter
 * moves (docs/compare.md says why these). Every sweep shows the same ones, whatever it varies:
 * what a parameter can change is not only its own figure (a cost changes conversion too when a
 * rule reads it), and tables of different sweeps line up. The others are in the JSON and CSV
 * reports. */
static const CmpMetric SWEPT[] = {CMP_CONVERSION, CMP_TTC, CMP_CUSTOMER_CHURN, CMP_LTV, CMP_CAC, CMP_LTV_CAC};
enum { NSWEPT = sizeof SWEPT / sizeof SWEPT[0] };

/* Each figure compared is a figure of the run's report (figures.def): its name there is its key in
 * the comparison's JSON (the same path: "money.cac") and CSV, and its title the row of a scenario's
 * table; its kind says how it is shown. A terminal sweep's narrow columns and the sweep's charts
 * have titles of their own. */
typedef struct Metric {
    const FigTable *outer; /* the object around `table` in the run's JSON (customers around retention) */
    const FigTable *table; /* the run's object holding the figure; FIG_REPORT: the top level */
    int member;
    const char *column;    /* a terminal sweep's column */
    const char *chart;     /* the title of a sweep's chart */
} Metric;

static const Metric METRICS[CMP_NMETRICS] = {
    [CMP_CONVERSION] = {NULL, &FIG_REPORT, R_CONVERSION, "Conversion", "Conversion"},
    [CMP_LOST] = {NULL, &FIG_PROSPECTS, PRO_LOST, "Lost", "Lost before converting"},
    [CMP_TTC] = {NULL, &FIG_TIME_TO_CONVERT, TTC_MEAN, "To convert", "Time to convert (days)"},
    [CMP_CUSTOMER_CHURN] = {NULL, &FIG_CUSTOMERS, CUS_CHURN, "Customer churn", "Customer churn"},
    [CMP_MONTHLY_CHURN] = {NULL, &FIG_CUSTOMERS, CUS_MONTHLY_CHURN, "Monthly churn", "Monthly churn"},
    [CMP_RETENTION90] = {&FIG_CUSTOMERS, &FIG_CUSTOMER_RETENTION, CRET_DAY_90, "Retention 90 d",
                         "Retention 90 days after converting"},
    [CMP_ARPU] = {NULL, &FIG_MONEY_TABLE, MONEY_ARPU, "ARPU", "ARPU"},
    [CMP_LTV] = {NULL, &FIG_MONEY_TABLE, MONEY_LTV, "LTV", "LTV"},
    [CMP_CAC] = {NULL, &FIG_MONEY_TABLE, MONEY_CAC, "CAC", "CAC"},
    [CMP_COST_TO_SERVE] = {NULL, &FIG_MONEY_TABLE, MONEY_COST_TO_SERVE, "Cost to serve", "Cost to serve"},
    [CMP_LTV_CAC] = {NULL, &FIG_MONEY_TABLE, MONEY_LTV_CAC, "LTV:CAC", "LTV:CAC"},
    [CMP_PAYBACK] = {NULL, &FIG_MONEY_TABLE, MONEY_PAYBACK, "Payback", "Payback (days)"},
    [CMP_COST_PER_MEMBER] = {NULL, &FIG_MONEY_TABLE, MONEY_COST_PER_MEMBER, "Cost / member", "Cost per cohort member"},
    [CMP_COST_PER_CONVERSION] = {NULL, &FIG_MONEY_TABLE, MONEY_COST_PER_CONVERSION, "Cost / conv.",
                                 "Cost per conversion"},
    [CMP_NPS] = {NULL, &FIG_SATISFACTION, SAT_NPS, "NPS", "NPS"},
    [CMP_COHORT_CHURN] = {NULL, &FIG_REPORT, R_COHORT_CHURN, "Churned", "Churned (prospects and customers)"},
};

static const Figure *figure_of(CmpMetric k) { return &METRICS[k].table->members[METRICS[k].member]; }

static FigKind kind_of(CmpMetric k) { return figure_of(k)->kind; }

static const char *title_of(CmpMetric k) { return figure_of(k)->title; }

/* The figure's path in the run's JSON report, "money.cac" (the comparison's CSV names it so). */
static void path_of(CmpMetric k, Buf *b)
{
    const Metric *x = &METRICS[k];
    if (x->outer && *x->outer->key) buf_printf(b, "%s.", x->outer->key);
    if (*x->table->key) buf_printf(b, "%s.", x->table->key);
    buf_puts(b, figure_of(k)->key);
}

/* Why variant v's figure k (v -1: the journey's) does not exist, as `cjm run` says it; NULL when
 * it does. */
static const char *note_of(const CmpResult *r, int v, CmpMetric k)
{
    const CmpStat *s = v < 0 ? &r->base[k] : cmp_stat(r, v, k);
    if (isfinite(s->value)) return NULL;
    const char *why = fig_get(figure_of(k), cmp_run_of(r, v), 0, -1).note;
    return why ? why : "not known";
}

/* Times for people, as the run's reports show them (format.h): the unit is the one the largest
 * magnitude of what is shown together reaches ("4.8 h", "-1.5 … +2.0 h"), so a change and its
 * interval, or an interval's two ends, share one unit. */
static void signed_time(Buf *b, double days, Duration unit, bool sign)
{
    format_fixed(b, days * unit.per_day, unit.decimals, sign);
    buf_printf(b, " %s", unit.unit);
}

/* A figure's value as `cjm run` shows it (fig_text): 12.3%, 4.56, +12.0, 4.9 d, 3.01×; "-" when
 * it does not exist. The changes are rounded likewise (format_fixed()). */
static void level(Buf *b, CmpMetric k, double v) { fig_text(b, kind_of(k), v, false); }

/* A change: +1.23 pt, -0.45, +3.0, +1.2 d. */
static void change(Buf *b, CmpMetric k, double v)
{
    if (!isfinite(v)) {
        buf_puts(b, "-");
        return;
    }
    switch (kind_of(k)) {
    case FIG_RATE: format_fixed(b, 100 * v, 2, true); buf_puts(b, " pt"); break;
    case FIG_DAYS: signed_time(b, v, duration_for_people(fabs(v)), true); break;
    case FIG_NPS: format_fixed(b, v, 1, true); break;
    default: format_fixed(b, v, 2, true); break;
    }
}

/* The interval of a change: "+1.02 … +1.44 pt", "-0.3 … +0.4 d". */
static void interval(Buf *b, CmpMetric k, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi)) {
        buf_puts(b, "-");
        return;
    }
    FigKind u = kind_of(k);
    if (u == FIG_DAYS) {
        Duration unit = duration_for_people(fmax(fabs(lo), fabs(hi)));
        signed_time(b, lo, unit, true);
        buf_puts(b, " \xE2\x80\xA6 "); /* … */
        signed_time(b, hi, unit, true);
        return;
    }
    double scale = u == FIG_RATE ? 100 : 1;
    int decimals = u == FIG_NPS || u == FIG_DAYS ? 1 : 2;
    format_fixed(b, scale * lo, decimals, true);
    buf_puts(b, " \xE2\x80\xA6 "); /* … */
    format_fixed(b, scale * hi, decimals, true);
    if (u == FIG_RATE) buf_puts(b, " pt");
    if (u == FIG_DAYS) buf_puts(b, " d");
}

/* The interval of a value: "12.1%–13.4%", "4.10–4.52", "9.8–10.6 d". */
static void value_interval(Buf *b, CmpMetric k, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi)) {
        buf_puts(b, "-");
        return;
    }
    if (kind_of(k) == FIG_DAYS) {
        Duration unit = duration_for_people(fmax(fabs(lo), fabs(hi)));
        format_fixed(b, lo * unit.per_day, unit.decimals, false);
        buf_puts(b, "\xE2\x80\x93");
        signed_time(b, hi, unit, false);
        return;
    }
    level(b, k, lo);
    buf_puts(b, "\xE2\x80\x93"); /* – */
    level(b, k, hi);
}

static void cell(Grid *g, void (*fmt)(Buf *, CmpMetric, double), CmpMetric k, double v)
{
    Buf t = BUF_INIT;
    fmt(&t, k, v);
    grid_cell(g, "%s", buf_str(&t));
    buf_free(&t);
}

/* A change, in the unit of its interval when it is a time (the interval's larger end is at least
 * as large as the change): "-0.7 h" beside "-1.9 h … +0.6 h", not "-41 min". */
static void cell_change(Grid *g, CmpMetric k, const CmpStat *s)
{
    if (kind_of(k) != FIG_DAYS || !isfinite(s->change)) {
        cell(g, change, k, s->change);
        return;
    }
    double largest = fabs(s->change);
    if (isfinite(s->lo) && isfinite(s->hi)) largest = fmax(largest, fmax(fabs(s->lo), fabs(s->hi)));
    Buf t = BUF_INIT;
    signed_time(&t, s->change, duration_for_people(largest), true);
    grid_cell(g, "%s", buf_str(&t));
    buf_free(&t);
}

static void cell_interval(Grid *g, CmpMetric k, double lo, double hi, bool of_value)
{
    Buf t = BUF_INIT;
    if (of_value) value_interval(&t, k, lo, hi);
    else interval(&t, k, lo, hi);
    grid_cell(g, "%s", buf_str(&t));
    buf_free(&t);
}

/* A bar of up to `width` characters for a share 0..1 of the longest. */
static void cell_bar(Grid *g, double share, int width)
{
    Buf t = BUF_INIT;
    int n = isfinite(share) && share > 0 ? (int)lround(share * width) : 0;
    for (int i = 0; i < n; i++) buf_puts(&t, "\xE2\x96\x88"); /* █ */
    grid_cell(g, "%s", buf_str(&t));
    buf_free(&t);
}

static const char *removal_word(CmpMode m)
{
    return m == CMP_REMOVE_TOUCHPOINTS ? "touchpoints" : m == CMP_REMOVE_CHANNELS ? "channels" : "stages";
}

static bool is_removal(CmpMode m)
{
    return m == CMP_REMOVE_TOUCHPOINTS || m == CMP_REMOVE_CHANNELS || m == CMP_REMOVE_STAGES;
}

static const char *method(const CmpResult *r)
{
    return r->exact ? "exact" : r->independent ? "independent random numbers" : "common random numbers";
}

/* The share of the journey's conversions a removal loses (its removal effect). */
static double lost_share(const CmpResult *r, int v)
{
    const CmpStat *c = cmp_stat(r, v, CMP_CONVERSION);
    return c->base > 0 ? -c->change / c->base : NAN;
}

/* ---- the table ---- */

static void table_title(const CmpResult *r, const Model *m, const char *file, Buf *b)
{
    const CmpSet *set = r->set;
    buf_printf(b, "%s\n", m->title);
    if (set->mode == CMP_SCENARIOS) buf_puts(b, "What if: the scenarios against the journey as written\n");
    else if (set->mode == CMP_SWEEP) buf_printf(b, "Sweep of %s\n", set->sweep_what);
    else buf_printf(b, "Removal effects of the %s: conversion without each one\n", removal_word(set->mode));
    buf_printf(b, "%s \xC2\xB7 %.0f customers \xC2\xB7 seed %llu \xC2\xB7 ", file, r->cohort, (unsigned long long)r->seed);
    if (r->exact && r->has_horizon) buf_puts(b, "horizon ignored \xC2\xB7 ");
    else if (r->has_horizon && r->horizon < 1) { /* "horizon 12.0 h", as the run says it */
        buf_puts(b, "horizon ");
        format_duration(b, r->horizon, " ");
        buf_puts(b, " \xC2\xB7 ");
    } else if (r->has_horizon) buf_printf(b, "horizon %g days \xC2\xB7 ", r->horizon);
    else buf_puts(b, "no horizon \xC2\xB7 ");
    if (r->persona >= 0) buf_printf(b, "persona %s only \xC2\xB7 ", m->personas[r->persona]->name.s);
    buf_puts(b, r->exact ? "exact analysis (expected values)" : method(r));
    buf_putc(b, '\n');
}

/* The journey's conversion and unit economics, which removals and sweeps change. */
static void table_baseline(const CmpResult *r, Buf *b)
{
    buf_puts(b, "\nThe journey as written: conversion ");
    level(b, CMP_CONVERSION, r->base[CMP_CONVERSION].value);
    if (!r->exact) {
        buf_puts(b, " (95% CI ");
        value_interval(b, CMP_CONVERSION, r->base[CMP_CONVERSION].value_lo, r->base[CMP_CONVERSION].value_hi);
        buf_putc(b, ')');
    }
    static const CmpMetric more[] = {CMP_LTV, CMP_CAC, CMP_LTV_CAC};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        buf_printf(b, ", %s ", title_of(more[i]));
        level(b, more[i], r->base[more[i]].value);
    }
    buf_putc(b, '\n');
}

/* Why figures are missing ("-") under a table: one line per reason, naming the figures (and
 * whose: the journey's, the scenario's, at a value of a sweep) it applies to, as `cjm run` gives
 * the reason. */
enum { MAX_REASONS = 2 * CMP_NMETRICS };
typedef struct Reasons {
    const char *why[MAX_REASONS];
    Buf what[MAX_REASONS];
    int n;
} Reasons;

static void reason_add(Reasons *x, const char *why, const char *what, const char *whose)
{
    int i = 0;
    while (i < x->n && strcmp(x->why[i], why) != 0) i++;
    if (i == x->n) {
        if (x->n == MAX_REASONS) return;
        x->why[x->n] = why;
        x->what[x->n++] = (Buf)BUF_INIT;
    } else {
        buf_puts(&x->what[i], ", ");
    }
    buf_puts(&x->what[i], what);
    if (whose) buf_printf(&x->what[i], " (%s)", whose);
}

static void reasons_print(Reasons *x, const char *prefix, Buf *b)
{
    for (int i = 0; i < x->n; i++) {
        buf_printf(b, "  - %s%s: %s\n", prefix, buf_str(&x->what[i]), x->why[i]);
        buf_free(&x->what[i]);
    }
    x->n = 0;
}

static void table_scenario(const CmpResult *r, int v, Buf *b)
{
    const CmpVariant *x = &r->set->v[v];
    buf_printf(b, "\nScenario %s", x->name);
    if (x->label) buf_printf(b, " \"%s\"", x->label);
    buf_putc(b, '\n');
    Grid g;
    grid_init(&g, r->exact ? "lrrr" : "lrrrll");
    grid_cell(&g, "Figure");
    grid_cell(&g, "Journey");
    grid_cell(&g, "Scenario");
    grid_cell(&g, "Change");
    if (!r->exact) {
        grid_cell(&g, "95%% CI of the change");
        grid_cell(&g, "%s", "");
    }
    Reasons missing = {0};
    for (int i = 0; i < NSHOWN; i++) {
        CmpMetric k = SHOWN[i];
        const CmpStat *s = cmp_stat(r, v, k);
        grid_cell(&g, "%s", title_of(k));
        cell(&g, level, k, s->base);
        cell(&g, level, k, s->value);
        cell_change(&g, k, s);
        if (!r->exact) {
            cell_interval(&g, k, s->lo, s->hi, false);
            grid_cell(&g, "%s", s->significant ? "significant" : "");
        }
        const char *in_journey = note_of(r, -1, k), *in_scenario = note_of(r, v, k);
        if (in_journey && in_scenario && strcmp(in_journey, in_scenario) == 0)
            reason_add(&missing, in_journey, title_of(k), NULL);
        else {
            if (in_journey) reason_add(&missing, in_journey, title_of(k), "the journey");
            if (in_scenario) reason_add(&missing, in_scenario, title_of(k), "the scenario");
        }
    }
    grid_print(&g, b);
    reasons_print(&missing, "", b);
}

static void table_removals(const CmpResult *r, Buf *b)
{
    const CmpSet *set = r->set;
    buf_puts(b, "\n");
    Grid g;
    grid_init(&g, r->exact ? "rllrrrl" : "rllrrlrll");
    grid_cell(&g, "Rank");
    grid_cell(&g, "%s", set->mode == CMP_REMOVE_TOUCHPOINTS ? "Touchpoint"
                        : set->mode == CMP_REMOVE_CHANNELS  ? "Channel"
                                                            : "Stage");
    grid_cell(&g, "%s", set->mode == CMP_REMOVE_TOUCHPOINTS ? "Channel" : "Label");
    grid_cell(&g, "Conversion without");
    grid_cell(&g, "Change");
    if (!r->exact) grid_cell(&g, "95%% CI");
    grid_cell(&g, "Conversions lost");
    if (!r->exact) grid_cell(&g, "%s", "");
    grid_cell(&g, "%s", "");
    double most = 0;
    for (int i = 0; i < set->n; i++)
        if (lost_share(r, i) > most) most = lost_share(r, i);
    for (int i = 0; i < set->n; i++) {
        int v = r->order[i];
        const CmpStat *s = cmp_stat(r, v, CMP_CONVERSION);
        grid_cell(&g, "%d", i + 1);
        grid_cell(&g, "%s", set->v[v].name);
        grid_cell(&g, "%s", set->v[v].label ? set->v[v].label : "");
        cell(&g, level, CMP_CONVERSION, s->value);
        cell(&g, change, CMP_CONVERSION, s->change);
        if (!r->exact) cell_interval(&g, CMP_CONVERSION, s->lo, s->hi, false);
        double lost = lost_share(r, v);
        if (isfinite(lost)) grid_cell(&g, "%.1f%%", 100 * lost + 0.0);
        else grid_cell(&g, "-");
        if (!r->exact) grid_cell(&g, "%s", s->significant ? "significant" : "");
        cell_bar(&g, most > 0 ? lost / most : 0, 20);
    }
    grid_print(&g, b);
    buf_puts(b, "\nConversions lost: the share of the journey's conversions that taking it out loses (its removal\n"
                "effect).\n");
}

/* The sweep's table: per value, each figure of SWEPT with its 95% interval (its own, not the
 * change's). The headings are short; the note under the table says what they are. */
static void table_sweep(const CmpResult *r, Buf *b)
{
    const CmpSet *set = r->set;
    buf_puts(b, "\n");
    Grid g;
    grid_init(&g, r->exact ? "rrrrrrr" : "rrlrlrlrlrlrl");
    grid_cell(&g, "%s", set->sweep_what);
    for (int f = 0; f < NSWEPT; f++) {
        grid_cell(&g, "%s", METRICS[SWEPT[f]].column);
        if (!r->exact) grid_cell(&g, "95%% CI");
    }
    Reasons missing = {0};
    for (int i = 0; i < set->n; i++) {
        grid_cell(&g, "%s", set->v[i].name);
        for (int f = 0; f < NSWEPT; f++) {
            const CmpStat *s = cmp_stat(r, i, SWEPT[f]);
            cell(&g, level, SWEPT[f], s->value);
            if (!r->exact) cell_interval(&g, SWEPT[f], s->value_lo, s->value_hi, true);
        }
    }
    grid_print(&g, b);
    buf_puts(b, "\nTo convert: the mean time to convert of converted customers; customer churn: of customers;\n"
                "LTV: revenue per customer from conversion on; CAC: acquisition cost per customer.\n");
    if (!r->exact) buf_puts(b, "Intervals are each value's own.\n");
    for (int f = 0; f < NSWEPT; f++) { /* "CAC at 0%, 10%: no customer converted" */
        for (int i = 0; i < set->n; i++) {
            const char *why = note_of(r, i, SWEPT[f]);
            if (why) reason_add(&missing, why, set->v[i].name, NULL);
        }
        Buf at = BUF_INIT;
        buf_printf(&at, "%s at ", title_of(SWEPT[f]));
        reasons_print(&missing, buf_str(&at), b);
        buf_free(&at);
    }
}

void render_compare_table(const CmpResult *r, const Model *m, const char *file, Buf *out)
{
    table_title(r, m, file, out);
    const CmpSet *set = r->set;
    if (set->mode != CMP_SCENARIOS) table_baseline(r, out);
    if (set->mode == CMP_SCENARIOS) {
        for (int v = 0; v < set->n; v++) table_scenario(r, v, out);
        if (!r->exact)
            buf_puts(out, "\nChanges are scenario minus journey over the same customers (common random numbers);\n"
                          "significant: the 95% interval of the change excludes 0. The interval of retention is\n"
                          "that of two independent runs (wider); payback has none.\n");
    } else if (set->mode == CMP_SWEEP) {
        table_sweep(r, out);
    } else {
        table_removals(r, out);
    }
}

/* ---- JSON ---- */

/* `"k": [lo, hi]` on one line ([null, null] without an interval). */
static void json_pair(Json *j, const char *k, double lo, double hi)
{
    json_key(j, k);
    json_put_pair(j, lo, hi);
}

/* A figure of the journey (v -1) or of variant v, as its object in "baseline" or "figures". */
typedef void (*JsonFigure)(Json *j, const CmpResult *r, int v, CmpMetric k);

static void json_baseline_figure(Json *j, const CmpResult *r, int v, CmpMetric k)
{
    (void)v;
    json_open(j, '{');
    json_num(j, "value", r->base[k].value);
    json_pair(j, "ci95", r->base[k].value_lo, r->base[k].value_hi);
    json_text(j, "note", note_of(r, -1, k));
    json_close(j, '}');
}

static void json_variant_figure(Json *j, const CmpResult *r, int v, CmpMetric k)
{
    const CmpStat *s = cmp_stat(r, v, k);
    json_open(j, '{');
    json_num(j, "baseline", s->base);
    json_num(j, "value", s->value);
    json_pair(j, "value_ci95", s->value_lo, s->value_hi);
    json_num(j, "change", s->change);
    json_pair(j, "ci95", s->lo, s->hi);
    if (r->exact) {
        json_text(j, "significant", NULL);
    } else {
        if (isfinite(s->lo)) json_bool(j, "significant", s->significant);
        else json_text(j, "significant", NULL); /* no interval: payback, a figure missing */
        json_num(j, "independent_half_width", s->independent);
    }
    json_text(j, "note", note_of(r, v, k));
    json_close(j, '}');
}

/* The objects of the run's JSON report that hold figure k, outermost first ("customers",
 * "retention"); how many. */
static int parents_of(CmpMetric k, const char *parent[2])
{
    int n = 0;
    if (METRICS[k].outer && *METRICS[k].outer->key) parent[n++] = METRICS[k].outer->key;
    if (*METRICS[k].table->key) parent[n++] = METRICS[k].table->key;
    return n;
}

/* Every figure, under the path it has in the run's JSON report ("money": {"cac": {...}}): figures
 * of one object are neighbours in compare.h's order, so each object is opened once. */
static void json_figures(Json *j, const CmpResult *r, int v, JsonFigure write)
{
    const char *open[2];
    int nopen = 0;
    for (int k = 0; k < CMP_NMETRICS; k++) {
        const char *parent[2];
        int np = parents_of((CmpMetric)k, parent), same = 0;
        while (same < nopen && same < np && strcmp(open[same], parent[same]) == 0) same++;
        for (; nopen > same; nopen--) json_close(j, '}');
        for (; nopen < np; nopen++) {
            json_key(j, parent[nopen]);
            json_open(j, '{');
            open[nopen] = parent[nopen];
        }
        json_key(j, figure_of((CmpMetric)k)->key);
        write(j, r, v, (CmpMetric)k);
    }
    for (; nopen > 0; nopen--) json_close(j, '}');
}

static void json_variant(Json *j, const CmpResult *r, int v, int rank)
{
    const CmpVariant *x = &r->set->v[v];
    json_next(j);
    json_open(j, '{');
    json_text(j, "name", x->name);
    json_text(j, "label", x->label);
    if (r->set->mode == CMP_SWEEP) json_num(j, "value", x->value);
    if (is_removal(r->set->mode)) {
        json_num(j, "rank", rank);
        json_num(j, "conversions_lost", lost_share(r, v));
    }
    json_key(j, "figures");
    json_open(j, '{');
    json_figures(j, r, v, json_variant_figure);
    json_close(j, '}');
    json_close(j, '}');
}

void render_compare_json(const CmpResult *r, const Model *m, const char *file, Buf *out)
{
    const CmpSet *set = r->set;
    Json j = {out, 0, true, 0};
    json_open(&j, '{');
    json_num(&j, "schema", COMPARE_JSON_SCHEMA);
    json_text(&j, "journey", m->title);
    json_text(&j, "file", file);
    json_num(&j, "cohort", r->cohort);
    json_num(&j, "seed", (double)r->seed);
    json_num(&j, "horizon_days", r->has_horizon && !r->exact ? r->horizon : NAN);
    json_text(&j, "persona", r->persona >= 0 ? m->personas[r->persona]->name.s : NULL);
    json_text(&j, "method", method(r));
    json_text(&j, "mode", set->mode == CMP_SCENARIOS ? "scenarios" : set->mode == CMP_SWEEP ? "sweep" : "removal");
    json_text(&j, "removal", is_removal(set->mode) ? removal_word(set->mode) : NULL);
    json_text(&j, "sweep", set->sweep_what);
    json_key(&j, "baseline");
    json_open(&j, '{');
    json_figures(&j, r, -1, json_baseline_figure);
    json_close(&j, '}');
    json_key(&j, "variants");
    json_open(&j, '[');
    /* Removals by rank; scenarios and sweep values in their order. */
    for (int i = 0; i < set->n; i++) json_variant(&j, r, is_removal(set->mode) ? r->order[i] : i, i + 1);
    json_close(&j, ']');
    json_close(&j, '}');
    buf_putc(out, '\n');
}

/* ---- CSV ---- */

void render_compare_csv(const CmpResult *r, Buf *out)
{
    const CmpSet *set = r->set;
    buf_puts(out, "variant,label,parameter,figure,baseline,value,value_ci_low,value_ci_high,change,ci_low,ci_high,"
                  "significant,note\n");
    for (int i = 0; i < set->n; i++) {
        int v = is_removal(set->mode) ? r->order[i] : i;
        for (int k = 0; k < CMP_NMETRICS; k++) {
            const CmpStat *s = cmp_stat(r, v, (CmpMetric)k);
            Buf path = BUF_INIT;
            path_of((CmpMetric)k, &path);
            csv_str(out, set->v[v].name, false);
            csv_str(out, set->v[v].label, false);
            csv_num(out, set->mode == CMP_SWEEP ? set->v[v].value : NAN, false);
            csv_str(out, buf_str(&path), false);
            csv_num(out, s->base, false);
            csv_num(out, s->value, false);
            csv_num(out, s->value_lo, false);
            csv_num(out, s->value_hi, false);
            csv_num(out, s->change, false);
            csv_num(out, s->lo, false);
            csv_num(out, s->hi, false);
            csv_str(out, r->exact || !isfinite(s->lo) ? "" : s->significant ? "true" : "false", false);
            csv_str(out, note_of(r, v, (CmpMetric)k), true);
            buf_free(&path);
        }
    }
}

/* ---- HTML ---- */

static const char GAIN[] = "#009E73", LOSS[] = "#D55E00", MAIN[] = "#0072B2", NEUTRAL[] = "#9aa3b2";

static void html_text(Buf *b, const char *tag, const char *cls, const char *text)
{
    buf_printf(b, "<%s%s%s%s>", tag, cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    chart_escape(b, text);
    buf_printf(b, "</%s>\n", tag);
}

/* A horizontal chart of conversion changes: one row per variant (in `order`), a bar from 0 to the
 * change (tornado) or a dot, and the interval as a whisker. */
static void change_rows(Buf *b, const CmpResult *r, const int *order, int n, bool bars, const char *label)
{
    double lo = 0, hi = 0, row = 26, left = 200, width = 760;
    for (int i = 0; i < n; i++) {
        const CmpStat *s = cmp_stat(r, order[i], CMP_CONVERSION);
        double a = isfinite(s->lo) ? s->lo : s->change, z = isfinite(s->hi) ? s->hi : s->change;
        if (a < lo) lo = a;
        if (z > hi) hi = z;
    }
    if (hi - lo < 1e-3) { /* no change worth an axis: show one point either way */
        lo = -0.01;
        hi = 0.01;
    }
    double ticks[CHART_MAX_TICKS];
    int nt;
    double step = chart_ticks(&lo, &hi, 7, ticks, &nt);
    Chart c;
    double height = 40 + row * n + 50;
    chart_open(&c, b, width, height, label);
    chart_plot_area(&c, left, 20, width - 30, 20 + row * n);
    chart_scale(&c, lo, hi, 0, n);
    chart_x_axis(&c, ticks, nt, step, CHART_PERCENT, "change in conversion (percentage points)");
    chart_vline(&c, 0, "zero", NULL);
    for (int i = 0; i < n; i++) {
        int v = order[i];
        const CmpStat *s = cmp_stat(r, v, CMP_CONVERSION);
        double y = 20 + row * i + row / 2, x0 = chart_x(&c, 0), x = chart_x(&c, s->change);
        const char *colour = s->change < 0 ? LOSS : s->change > 0 ? GAIN : NEUTRAL;
        Buf tip = BUF_INIT;
        buf_printf(&tip, "%s: ", r->set->v[v].name);
        change(&tip, CMP_CONVERSION, s->change);
        if (!r->exact) {
            buf_puts(&tip, " (95% CI ");
            interval(&tip, CMP_CONVERSION, s->lo, s->hi);
            buf_putc(&tip, ')');
        }
        if (bars) chart_rect(&c, x < x0 ? x : x0, y - 8, fabs(x - x0), 16, colour, NULL, buf_str(&tip));
        else chart_rect(&c, x - 5, y - 5, 10, 10, colour, "rx=\"5\"", buf_str(&tip));
        if (!r->exact && isfinite(s->lo)) {
            double a = chart_x(&c, s->lo), z = chart_x(&c, s->hi);
            chart_rect(&c, a, y - 1, z - a, 2, "#3a4356", NULL, NULL);
            chart_rect(&c, a - 1, y - 6, 2, 12, "#3a4356", NULL, NULL);
            chart_rect(&c, z - 1, y - 6, 2, 12, "#3a4356", NULL, NULL);
        }
        Buf name = BUF_INIT;
        chart_fit(&name, r->set->v[v].name, left - 16, 13);
        buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left - 10, y + 4, buf_str(&name));
        buf_free(&name);
        buf_free(&tip);
    }
    chart_close(&c);
}

/* A line of one figure of a sweep over the parameter, with its intervals as whiskers. */
static void sweep_line(Buf *b, const CmpResult *r, CmpMetric k, const char *title)
{
    const CmpSet *set = r->set;
    int n = set->n;
    double x[128], y[128], xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    if (n > 128) n = 128;
    for (int i = 0; i < n; i++) {
        const CmpStat *s = cmp_stat(r, i, k);
        x[i] = set->v[i].value;
        y[i] = s->value;
        double a = isfinite(s->value_lo) ? s->value_lo : s->value, z = isfinite(s->value_hi) ? s->value_hi : s->value;
        if (x[i] < xlo) xlo = x[i];
        if (x[i] > xhi) xhi = x[i];
        if (a < ylo) ylo = a;
        if (z > yhi) yhi = z;
    }
    if (!(ylo <= yhi)) ylo = 0, yhi = 1; /* no value at all (CAC and time to convert without conversions) */
    if (kind_of(k) == FIG_RATE && ylo > 0) ylo = 0;
    double xt[CHART_MAX_TICKS], yt[CHART_MAX_TICKS];
    int nx, ny;
    double xs = chart_ticks(&xlo, &xhi, 9, xt, &nx), ys = chart_ticks(&ylo, &yhi, 6, yt, &ny);
    Chart c;
    Buf label = BUF_INIT;
    buf_printf(&label, "%s as %s varies", title, set->sweep_what);
    buf_puts(b, "<figure class=\"sweep\">\n");
    chart_open(&c, b, 480, 300, buf_str(&label));
    chart_plot_area(&c, 64, 16, 464, 240);
    chart_scale(&c, xlo, xhi, ylo, yhi);
    chart_y_axis(&c, yt, ny, ys, kind_of(k) == FIG_RATE ? CHART_PERCENT : CHART_NUMBER, title);
    chart_x_axis(&c, xt, nx, xs, set->sweep_percent ? CHART_PERCENT : CHART_NUMBER, set->sweep_what);
    for (int i = 0; i < n && !r->exact; i++) {
        const CmpStat *s = cmp_stat(r, i, k);
        if (!isfinite(s->value_lo)) continue;
        double px = chart_x(&c, x[i]), a = chart_y(&c, s->value_hi), z = chart_y(&c, s->value_lo);
        chart_rect(&c, px - 1, a, 2, z - a, "#3a4356", "opacity=\"0.6\"", NULL);
    }
    chart_line(&c, x, y, n, MAIN, false, NULL);
    chart_markers(&c, x, y, n, MAIN, false);
    chart_close(&c);
    buf_puts(b, "<figcaption>");
    chart_escape(b, buf_str(&label));
    buf_puts(b, r->exact ? " (exact)" : " (bars: 95% intervals)");
    buf_puts(b, "</figcaption>\n</figure>\n");
    buf_free(&label);
}

/* A table cell holding what `fmt` writes of (k, v). */
static void td(Buf *b, void (*fmt)(Buf *, CmpMetric, double), CmpMetric k, double v)
{
    buf_puts(b, "<td class=\"n\">");
    fmt(b, k, v);
    buf_puts(b, "</td>");
}

/* The value of variant v's figure k (v -1: the journey's), or "-" with the reason it is missing
 * as its tooltip. */
static void td_value(Buf *b, const CmpResult *r, int v, CmpMetric k)
{
    const char *why = note_of(r, v, k);
    if (!why) {
        td(b, level, k, (v < 0 ? &r->base[k] : cmp_stat(r, v, k))->value);
        return;
    }
    buf_puts(b, "<td class=\"n\" title=\"");
    chart_escape(b, why);
    buf_puts(b, "\">-</td>");
}

/* The table of a scenario's figures. */
static void html_scenario(Buf *b, const CmpResult *r, int v)
{
    const CmpVariant *x = &r->set->v[v];
    buf_puts(b, "<h3>");
    chart_escape(b, x->name);
    if (x->label) {
        buf_puts(b, " <small>");
        chart_escape(b, x->label);
        buf_puts(b, "</small>");
    }
    buf_puts(b, "</h3>\n<div class=\"tablewrap\"><table>\n<thead><tr><th scope=\"col\">Figure</th>"
                "<th class=\"n\" scope=\"col\">Journey</th><th class=\"n\" scope=\"col\">Scenario</th>"
                "<th class=\"n\" scope=\"col\">Change</th>");
    if (!r->exact) buf_puts(b, "<th class=\"n\" scope=\"col\">95% CI of the change</th><th scope=\"col\"></th>");
    buf_puts(b, "</tr></thead>\n<tbody>\n");
    for (int i = 0; i < NSHOWN; i++) {
        CmpMetric k = SHOWN[i];
        const CmpStat *s = cmp_stat(r, v, k);
        buf_puts(b, "<tr><td>");
        chart_escape(b, title_of(k));
        buf_puts(b, "</td>");
        td_value(b, r, -1, k);
        td_value(b, r, v, k);
        td(b, change, k, s->change);
        if (!r->exact) {
            buf_puts(b, "<td class=\"n\">");
            interval(b, k, s->lo, s->hi);
            buf_puts(b, s->significant ? "</td><td>significant</td>" : "</td><td></td>");
        }
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table></div>\n");
}

/* The table of a sweep: per value, each figure of SWEPT, with its own 95% interval under it. */
static void html_sweep_table(Buf *b, const CmpResult *r)
{
    const CmpSet *set = r->set;
    buf_puts(b, "<div class=\"tablewrap\"><table>\n<thead><tr><th class=\"n\" scope=\"col\">");
    chart_escape(b, set->sweep_what);
    buf_puts(b, "</th>");
    for (int f = 0; f < NSWEPT; f++) buf_printf(b, "<th class=\"n\" scope=\"col\">%s</th>", title_of(SWEPT[f]));
    buf_puts(b, "</tr></thead>\n<tbody>\n");
    for (int i = 0; i < set->n; i++) {
        buf_puts(b, "<tr><td class=\"n\">");
        chart_escape(b, set->v[i].name);
        buf_puts(b, "</td>");
        for (int f = 0; f < NSWEPT; f++) {
            const CmpStat *s = cmp_stat(r, i, SWEPT[f]);
            buf_puts(b, "<td class=\"n\">");
            level(b, SWEPT[f], s->value);
            if (!r->exact) {
                buf_puts(b, "<small>95% CI ");
                value_interval(b, SWEPT[f], s->value_lo, s->value_hi);
                buf_puts(b, "</small>");
            }
            buf_puts(b, "</td>");
        }
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table></div>\n");
}

/* The table of removal effects, by rank. */
static void html_removals(Buf *b, const CmpResult *r)
{
    const CmpSet *set = r->set;
    buf_puts(b, "<div class=\"tablewrap\"><table>\n<thead><tr><th class=\"n\" scope=\"col\">Rank</th>"
                "<th scope=\"col\">Name</th><th class=\"n\" scope=\"col\">Conversion without</th>"
                "<th class=\"n\" scope=\"col\">Change</th>");
    if (!r->exact) buf_puts(b, "<th class=\"n\" scope=\"col\">95% CI</th>");
    buf_puts(b, "<th class=\"n\" scope=\"col\">Conversions lost</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < set->n; i++) {
        int v = r->order[i];
        const CmpStat *s = cmp_stat(r, v, CMP_CONVERSION);
        buf_printf(b, "<tr><td class=\"n\">%d</td><td>", i + 1);
        chart_escape(b, set->v[v].name);
        if (set->v[v].label) {
            buf_puts(b, "<small>");
            chart_escape(b, set->v[v].label);
            buf_puts(b, "</small>");
        }
        buf_puts(b, "</td>");
        td(b, level, CMP_CONVERSION, s->value);
        td(b, change, CMP_CONVERSION, s->change);
        if (!r->exact) {
            buf_puts(b, "<td class=\"n\">");
            interval(b, CMP_CONVERSION, s->lo, s->hi);
            buf_puts(b, "</td>");
        }
        double lost = lost_share(r, v);
        if (isfinite(lost)) buf_printf(b, "<td class=\"n\">%.1f%%</td></tr>\n", 100 * lost + 0.0);
        else buf_puts(b, "<td class=\"n\">-</td></tr>\n");
    }
    buf_puts(b, "</tbody></table></div>\n");
}

void render_compare_html(const CmpResult *r, Buf *out)
{
    const CmpSet *set = r->set;
    int *order = r->order;
    int all[256], n = set->n < 256 ? set->n : 256;
    for (int i = 0; i < n; i++) all[i] = i;
    if (set->mode == CMP_SCENARIOS) {
        buf_puts(out, "<section id=\"compare-scenarios\" class=\"compare\">\n");
        html_text(out, "h2", NULL, "What if: the scenarios");
        html_text(out, "p", "intro", r->exact ? "Each scenario against the journey as written, solved exactly."
                                              : "Each scenario against the journey as written, over the same customers "
                                                "(common random numbers): the change and its 95% interval.");
        buf_puts(out, "<figure class=\"compare-chart\">\n");
        change_rows(out, r, all, n, false, "Change in conversion by scenario");
        buf_puts(out, "<figcaption>Change in conversion by scenario (bars: 95% intervals)</figcaption>\n</figure>\n");
        for (int v = 0; v < set->n; v++) html_scenario(out, r, v);
    } else if (set->mode == CMP_SWEEP) {
        buf_puts(out, "<section id=\"compare-sweep\" class=\"compare\">\n");
        Buf title = BUF_INIT;
        buf_printf(&title, "Sweep of %s", set->sweep_what);
        html_text(out, "h2", NULL, buf_str(&title));
        buf_free(&title);
        html_text(out, "p", "intro", r->exact ? "Each value of the parameter, solved exactly: conversion, the mean "
                                                "time to convert, customer churn (of customers), LTV, CAC "
                                                "(acquisition cost per customer) and LTV:CAC."
                                              : "Each value of the parameter over the same customers (common random "
                                                "numbers): conversion, the mean time to convert, customer churn (of "
                                                "customers), LTV, CAC (acquisition cost per customer) and LTV:CAC, "
                                                "each with its 95% interval.");
        buf_puts(out, "<div class=\"grid2\">\n");
        for (int f = 0; f < NSWEPT; f++) sweep_line(out, r, SWEPT[f], METRICS[SWEPT[f]].chart);
        buf_puts(out, "</div>\n");
        html_sweep_table(out, r);
    } else {
        buf_puts(out, "<section id=\"compare-removal\" class=\"compare\">\n");
        Buf title = BUF_INIT;
        buf_printf(&title, "Removal effects of the %s", removal_word(set->mode));
        html_text(out, "h2", NULL, buf_str(&title));
        html_text(out, "p", "intro", "How much conversion drops when each one is taken out (as in Markov-chain "
                                     "attribution), largest loss first.");
        buf_puts(out, "<figure class=\"compare-chart\">\n");
        change_rows(out, r, order, n, true, buf_str(&title));
        buf_puts(out, "<figcaption>");
        chart_escape(out, buf_str(&title));
        buf_puts(out, r->exact ? " (exact)" : " (whiskers: 95% intervals)");
        buf_puts(out, "</figcaption>\n</figure>\n");
        buf_free(&title);
        html_removals(out, r);
    }
    buf_puts(out, "</section>\n");
}
