/* figures.c: the catalogue of the report's figures (figures.def) made into tables of Figure
 * entries with their getters, the walks over their rows, their JSON paths, and how each kind of
 * figure is shown to people, on a terminal and in the HTML report (see figures.h).
 *
 * Why one catalogue: the table, JSON, CSV and HTML reports once each defined every figure again
 * (its key, its rounding, how to compute it), and only a test kept them equal. Now a view names
 * a figure and gets its value, its JSON path and its text from here. */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "format.h"

/* ---- the values a getter returns (the helpers figures.def's expressions use) ---- */

static FigValue num(double v) { return (FigValue){.value = v, .lo = NAN, .hi = NAN, .count = NAN}; }

/* A figure with its interval (money per customer, CAC). */
static FigValue with_ci(RtEstimate e) { return (FigValue){.value = e.value, .lo = e.lo, .hi = e.hi, .count = NAN}; }

/* count / n with its 95% Wilson interval (in an exact analysis the interval is the rate). */
static FigValue rate(const RtResult *r, double count, double n)
{
    RtRate x = rt_rate(count, n, r->exact);
    return (FigValue){.value = x.rate, .lo = x.lo, .hi = x.hi, .count = count};
}

/* count / n without an interval (a count object). */
static FigValue count_rate(double count, double n)
{
    return (FigValue){.value = n > 0 ? count / n : NAN, .lo = NAN, .hi = NAN, .count = count};
}

static FigValue flag(bool b) { return num(b ? 1 : 0); }

/* A rate of runtime/kpi.h with its interval (a rate object). */
static FigValue rate_of(RtRate x) { return (FigValue){.value = x.rate, .lo = x.lo, .hi = x.hi, .count = x.count}; }

static const RtEstimate NO_ESTIMATE = {NAN, NAN, NAN};

/* The values that are not numbers. */
#define NO_NUMBER .value = NAN, .lo = NAN, .hi = NAN, .count = NAN
static FigValue text(const char *s) { return (FigValue){NO_NUMBER, .text = s}; }
static FigValue texts(const StrList *l) { return (FigValue){NO_NUMBER, .texts = l}; }
static FigValue place(Loc loc) { return (FigValue){NO_NUMBER, .loc = loc}; }
static FigValue table(const FigTable *t) { return (FigValue){NO_NUMBER, .table = t}; }
static FigValue series(const FigSeries *s) { return (FigValue){NO_NUMBER, .series = s}; }

/* A figure that may not exist, with the reason it does not: a number is missing when it is NaN;
 * a table, object or series when `why` is given (its getter decides). */
static FigValue noted(FigValue v, const char *why)
{
    bool container = v.table || v.series;
    bool missing = container ? why != NULL : !isfinite(v.value);
    v.note = missing ? (why ? why : "not known") : NULL;
    return v;
}

/* ---- the figures of kpis.md, computed once per report ---- */

static struct {
    const RtResult *r;
    RtKpis kpis;
    int *path;
    int npath;
} open_run;

void fig_open(const RtResult *r)
{
    fig_close();
    open_run.r = r;
    open_run.kpis = rt_kpis(r);
    open_run.path = xcalloc((size_t)r->rt->nstages + 1, sizeof *open_run.path);
    open_run.npath = rt_main_path(r, open_run.path);
}

void fig_close(void)
{
    free(open_run.path);
    memset(&open_run, 0, sizeof open_run);
}

static RtKpis kpi(const RtResult *r) { return open_run.r == r ? open_run.kpis : rt_kpis(r); }

/* The main path's length, and its stage at position k (-1 past it). */
static int funnel_path(const RtResult *r, int k, int *stage)
{
    if (open_run.r == r) {
        *stage = k >= 0 && k < open_run.npath ? open_run.path[k] : -1;
        return open_run.npath;
    }
    int *order = xcalloc((size_t)r->rt->nstages + 1, sizeof *order);
    int n = rt_main_path(r, order);
    *stage = k >= 0 && k < n ? order[k] : -1;
    free(order);
    return n;
}

int fig_funnel_stage(const RtResult *r, int k)
{
    int stage;
    funnel_path(r, k, &stage);
    return stage;
}

/* The step-through into position k of the main path from the one before; none for the first. */
static FigValue funnel_step(const RtResult *r, int k)
{
    if (k == 0) return rate_of((RtRate){NAN, NAN, NAN, NAN});
    return rate_of(rt_step_through(r, fig_funnel_stage(r, k - 1), fig_funnel_stage(r, k)));
}

const char *fig_survey_name(const RtResult *r, int t)
{
    switch (r->rt->touch[t].survey) {
    case RT_SURVEY_NPS: return "nps";
    case RT_SURVEY_CSAT: return "csat";
    case RT_SURVEY_NONE: break;
    }
    return NULL;
}

bool fig_has_surveys(const RtResult *r)
{
    for (int t = 0; t < r->rt->ntouch; t++)
        if (fig_survey_name(r, t)) return true;
    return false;
}

/* ---- why a figure does not exist (the notes of FIGF_NOTE figures: docs/report-json.md) ---- */

static bool has_goal(const RtResult *r)
{
    for (int s = 0; s < r->model->nstages; s++)
        if (r->model->stages[s]->goal) return true;
    return false;
}

/* The customers' follow-up in months of 30 days (monthly churn's denominator). */
static double customer_months(const RtResult *r) { return has_goal(r) ? r->exposure_days / 30 : NAN; }

static const char *why_no_goal(const RtResult *r) { return has_goal(r) ? NULL : "the journey has no goal"; }

/* Figures per customer: they need a goal and a customer. */
static const char *why_no_customers(const RtResult *r)
{
    if (!has_goal(r)) return "the journey has no goal";
    return r->converted > 0 ? NULL : "no customer converted";
}

/* Figures over time after conversion (retention, lifetime, payback): the simulation's. */
static const char *why_over_time(const RtResult *r)
{
    const char *why = why_no_customers(r);
    if (why) return why;
    if (r->no_curves_reason && *r->no_curves_reason) return r->no_curves_reason;
    return r->exact ? "an exact analysis gives no figures over time" : NULL;
}

static const char *why_no_exposure(const RtResult *r)
{
    const char *why = why_no_customers(r);
    if (why) return why;
    return r->exposure_days > 0 ? NULL : "no customer was followed after converting";
}

static const char *why_no_retention(const RtResult *r, int d)
{
    static const char *const longer[RT_RETENTION_DAYS] = {
        "no customer was followed 30 days after converting", "no customer was followed 90 days after converting",
        "no customer was followed 180 days after converting", "no customer was followed 365 days after converting"};
    const char *why = why_over_time(r);
    return why ? why : longer[d];
}

/* The lifetime is restricted to the longest follow-up; customers who complete the journey without
 * a horizon are followed for ever, so with nothing else there is no follow-up to restrict it to. */
static const char *why_no_lifetime(const RtResult *r)
{
    const char *why = why_over_time(r);
    if (why) return why;
    return r->followup_completed_never > 0 ? "no customer churned and nothing cut the follow-up: customers who complete "
                                             "the journey without a horizon stay customers for ever"
                                           : "no customer was followed after converting";
}

static const char *why_no_payback(const RtResult *r)
{
    const char *why = why_over_time(r);
    return why ? why : "the mean revenue per customer does not reach CAC within the follow-up";
}

static const char *why_no_ltv_cac(const RtResult *r)
{
    const char *why = why_no_customers(r);
    return why ? why : "there is no acquisition cost";
}

static const char *why_no_satisfaction(const RtResult *r, bool from_surveys)
{
    if (r->exact) return "moods are not part of an exact analysis";
    if (from_surveys) return "no customer answered the survey";
    return why_no_customers(r);
}

/* Where the headline NPS or CSAT comes from: "surveys" or "relational" (customers' final mood). */
static const char *satisfaction_source(const RtResult *r, bool from_surveys, double value)
{
    (void)r;
    if (from_surveys) return "surveys";
    return isfinite(value) ? "relational" : NULL;
}

static const char *why_no_calendar(const RtResult *r)
{
    if (r->no_curves_reason && *r->no_curves_reason) return r->no_curves_reason;
    if (r->exact) return "an exact analysis gives no figures over time";
    return r->months && r->nmonths > 0 ? NULL : "the run kept no month";
}

/* A warning's kind as the JSON report names it (docs/report-json.md). */
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
    case SITE_BAD_REVENUE:
    case SITE_BAD_REACH:
    case SITE_BAD_COST:
    case SITE_BAD_WAIT:
    case SITE_BAD_CURVE: return "bad-amount";
    }
    return "other";
}

/* ---- the getters: one function per entry of figures.def ---- */

#define FIG_GETTER(id, key, title, short_title, kind, shape, flags, value)                                        \
    static FigValue get_##id(const FigAt *at)                                                                     \
    {                                                                                                             \
        const RtResult *r = at->r;                                                                                \
        const char *file = at->file;                                                                              \
        int i = at->row, p = at->parent;                                                                          \
        (void)r, (void)file, (void)i, (void)p;                                                                    \
        return value;                                                                                             \
    }
#define FIG_ENTRY(id, key, title, short_title, kind, shape, flags, value) \
    {key, title, short_title, kind, shape, get_##id, flags},

REPORT_MEMBERS(FIG_GETTER)
PROSPECT_MEMBERS(FIG_GETTER)
CUSTOMER_MEMBERS(FIG_GETTER)
CUSTOMER_RETENTION_MEMBERS(FIG_GETTER)
MONEY_MEMBERS(FIG_GETTER)
SATISFACTION_MEMBERS(FIG_GETTER)
FUNNEL_MEMBERS(FIG_GETTER)
CALENDAR_MEMBERS(FIG_GETTER)
TTC_MEMBERS(FIG_GETTER)
COHORT_RETENTION_MEMBERS(FIG_GETTER)
REASON_MEMBERS(FIG_GETTER)
STAGE_MEMBERS(FIG_GETTER)
EXIT_MEMBERS(FIG_GETTER)
PERSONA_MEMBERS(FIG_GETTER)
CURVE_MEMBERS(FIG_GETTER)
TOUCH_MEMBERS(FIG_GETTER)
CHANNEL_MEMBERS(FIG_GETTER)
WARNING_MEMBERS(FIG_GETTER)

static const Figure REPORT[] = {REPORT_MEMBERS(FIG_ENTRY)};
static const Figure PROSPECTS[] = {PROSPECT_MEMBERS(FIG_ENTRY)};
static const Figure CUSTOMERS[] = {CUSTOMER_MEMBERS(FIG_ENTRY)};
static const Figure CUSTOMER_RETENTION[] = {CUSTOMER_RETENTION_MEMBERS(FIG_ENTRY)};
static const Figure MONEY[] = {MONEY_MEMBERS(FIG_ENTRY)};
static const Figure SATISFACTION[] = {SATISFACTION_MEMBERS(FIG_ENTRY)};
static const Figure FUNNEL[] = {FUNNEL_MEMBERS(FIG_ENTRY)};
static const Figure CALENDAR[] = {CALENDAR_MEMBERS(FIG_ENTRY)};
static const Figure TTC[] = {TTC_MEMBERS(FIG_ENTRY)};
static const Figure COHORT_RETENTION[] = {COHORT_RETENTION_MEMBERS(FIG_ENTRY)};
static const Figure REASONS[] = {REASON_MEMBERS(FIG_ENTRY)};
static const Figure STAGES[] = {STAGE_MEMBERS(FIG_ENTRY)};
static const Figure EXITS[] = {EXIT_MEMBERS(FIG_ENTRY)};
static const Figure PERSONAS[] = {PERSONA_MEMBERS(FIG_ENTRY)};
static const Figure CURVE[] = {CURVE_MEMBERS(FIG_ENTRY)};
static const Figure TOUCHPOINTS[] = {TOUCH_MEMBERS(FIG_ENTRY)};
static const Figure CHANNELS[] = {CHANNEL_MEMBERS(FIG_ENTRY)};
static const Figure WARNINGS[] = {WARNING_MEMBERS(FIG_ENTRY)};

/* ---- the rows of each table ---- */

static int one_row(const RtResult *r, int parent, int row)
{
    (void)r, (void)parent;
    return row == 0 ? 0 : -1;
}

static int funnel_rows(const RtResult *r, int parent, int row)
{
    (void)parent;
    int stage;
    return row < funnel_path(r, row, &stage) ? row : -1;
}

static int month_rows(const RtResult *r, int parent, int row)
{
    (void)parent;
    return r->months && row < r->nmonths ? row : -1;
}

static int reason_rows(const RtResult *r, int parent, int row)
{
    (void)parent;
    return row < r->nreasons ? row : -1;
}

static int stage_rows(const RtResult *r, int parent, int row)
{
    (void)parent;
    return row < r->rt->nstages ? row : -1;
}

/* The exits of stage `parent` (r->exits is grouped by stage). */
static int exit_rows(const RtResult *r, int parent, int row)
{
    for (; row < r->nexits; row++)
        if (r->exits[row].stage == parent) return row;
    return -1;
}

/* Every persona, or the one of --persona. */
static int persona_rows(const RtResult *r, int parent, int row)
{
    (void)parent;
    for (; row < r->rt->npersonas; row++)
        if (r->persona < 0 || row == r->persona) return row;
    return -1;
}

static int touch_rows(const RtResult *r, int parent, int row)
{
    (void)parent;
    return row < r->rt->ntouch ? row : -1;
}

/* The channels some touchpoint uses (a catalogue such as std/channels declares many). */
static int channel_rows(const RtResult *r, int parent, int row)
{
    (void)parent;
    for (; row < r->rt->nchannels; row++)
        if (render_channel_used(r, row)) return row;
    return -1;
}

static int warning_rows(const RtResult *r, int parent, int row)
{
    (void)parent;
    return row < r->nwarnings ? row : -1;
}

#define TABLE(name, key, one_line, rows, members) \
    const FigTable name = {key, one_line, rows, members, (int)(sizeof members / sizeof members[0])}
TABLE(FIG_REPORT, "", false, one_row, REPORT);
TABLE(FIG_PROSPECTS, "prospects", false, one_row, PROSPECTS);
TABLE(FIG_CUSTOMERS, "customers", false, one_row, CUSTOMERS);
TABLE(FIG_CUSTOMER_RETENTION, "retention", false, one_row, CUSTOMER_RETENTION);
TABLE(FIG_MONEY_TABLE, "money", false, one_row, MONEY);
TABLE(FIG_SATISFACTION, "satisfaction", false, one_row, SATISFACTION);
TABLE(FIG_FUNNEL, "funnel", true, funnel_rows, FUNNEL);
TABLE(FIG_CALENDAR, "calendar", true, month_rows, CALENDAR);
TABLE(FIG_TIME_TO_CONVERT, "time_to_convert", false, one_row, TTC);
TABLE(FIG_COHORT_RETENTION, "cohort_retention", false, one_row, COHORT_RETENTION);
TABLE(FIG_REASONS, "churn_reasons", true, reason_rows, REASONS);
TABLE(FIG_STAGES, "stages", false, stage_rows, STAGES);
TABLE(FIG_EXITS, "exits", true, exit_rows, EXITS);
TABLE(FIG_PERSONAS, "personas", false, persona_rows, PERSONAS);
TABLE(FIG_CURVE, "curve", true, stage_rows, CURVE);
TABLE(FIG_TOUCHPOINTS, "touchpoints", false, touch_rows, TOUCHPOINTS);
TABLE(FIG_CHANNELS, "channels", false, channel_rows, CHANNELS);
TABLE(FIG_WARNINGS, "warnings", true, warning_rows, WARNINGS);

/* ---- the series behind the charts ---- */

static double *ttc_points(const RtResult *r, int *n)
{
    RenderBin *bins = render_ttc_histogram(r, n);
    if (!bins) return NULL;
    double *v = xcalloc((size_t)*n * 3 + 1, sizeof *v);
    for (int i = 0; i < *n; i++) {
        v[3 * i] = bins[i].from;
        v[3 * i + 1] = bins[i].to;
        v[3 * i + 2] = bins[i].count;
    }
    free(bins);
    return v;
}

static double *cohort_retention_points(const RtResult *r, int *n)
{
    RenderPoint *p = render_retention_curve(r, n);
    if (!p) return NULL;
    double *v = xcalloc((size_t)*n * 2 + 1, sizeof *v);
    for (int i = 0; i < *n; i++) {
        v[2 * i] = p[i].day;
        v[2 * i + 1] = p[i].retained;
    }
    free(p);
    return v;
}

static double *customer_retention_points(const RtResult *r, int *n)
{
    RenderKmPoint *p = render_customer_retention_curve(r, n);
    if (!p) return NULL;
    double *v = xcalloc((size_t)*n * 4 + 1, sizeof *v);
    for (int i = 0; i < *n; i++) {
        v[4 * i] = p[i].day;
        v[4 * i + 1] = p[i].retained;
        v[4 * i + 2] = p[i].lo;
        v[4 * i + 3] = p[i].hi;
    }
    free(p);
    return v;
}

const FigSeries FIG_TTC_HISTOGRAM = {"from to count", 3, ttc_points};
const FigSeries FIG_CUSTOMER_RETENTION_CURVE = {"day retained lo hi", 4, customer_retention_points};
const FigSeries FIG_COHORT_RETENTION_CURVE = {"day retained", 2, cohort_retention_points};

/* ---- reading figures ---- */

FigValue fig_get(const Figure *f, const RtResult *r, int row, int parent)
{
    FigAt at = {r, NULL, row, parent};
    return f->get(&at);
}

bool fig_is_number(FigKind k) { return k <= FIG_WHOLE; }

double fig_part(FigValue v, FigPart part)
{
    switch (part) {
    case PART_VALUE: return v.value;
    case PART_COUNT: return v.count;
    case PART_LO: return v.lo;
    case PART_HI: return v.hi;
    }
    return NAN;
}

FigKind fig_part_kind(const Figure *f, FigPart part) { return part == PART_COUNT ? FIG_COUNT : f->kind; }

bool fig_has_interval(const RtResult *r, FigValue v) { return !r->exact && isfinite(v.lo) && isfinite(v.hi); }

int fig_first(const FigTable *t, const RtResult *r, int parent) { return t->next(r, parent, 0); }

int fig_after(const FigTable *t, const RtResult *r, int parent, int row) { return t->next(r, parent, row + 1); }

const char *fig_row_path(char buf[FIG_PATH_MAX], const char *outer, const FigTable *t, int index)
{
    if (outer && *outer) snprintf(buf, FIG_PATH_MAX, "%s.%s.%d", outer, t->key, index);
    else snprintf(buf, FIG_PATH_MAX, "%s.%d", t->key, index);
    return buf;
}

const char *fig_path(char buf[FIG_PATH_MAX], const char *row_path, const Figure *f, FigPart part)
{
    const char *dot = row_path && *row_path ? "." : "";
    const char *row = row_path ? row_path : "";
    bool object = f->shape == SHAPE_COUNT || f->shape == SHAPE_RATE;
    const char *tail = "";
    switch (part) {
    case PART_VALUE: tail = object ? ".rate" : ""; break;
    case PART_COUNT: tail = ".count"; break;
    case PART_LO: tail = object ? ".ci95.0" : "_ci95.0"; break;
    case PART_HI: tail = object ? ".ci95.1" : "_ci95.1"; break;
    }
    snprintf(buf, FIG_PATH_MAX, "%s%s%s%s", row, dot, f->key, tail);
    return buf;
}

const FigStayed FIG_STAYED[2] = {
    {STAGE_STILL, STAGE_STILL_SHARE, "still in the stage at the horizon"},
    {STAGE_COMPLETED, STAGE_COMPLETED_SHARE, "completed in the stage"},
};

FigPain *fig_pains(const RtResult *r, int *n)
{
    int cap = 0;
    for (int t = 0; t < r->rt->ntouch; t++) {
        const Touchpoint *tp = r->model->touchpoints[t];
        for (const StrList *l = tp->pains; l; l = l->next) cap++;
        for (const StrList *l = tp->opportunities; l; l = l->next) cap++;
    }
    FigPain *p = xcalloc((size_t)cap + 1, sizeof *p);
    *n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int t = 0; t < r->rt->ntouch; t++) {
            const Touchpoint *tp = r->model->touchpoints[t];
            for (const StrList *l = pass == 0 ? tp->pains : tp->opportunities; l; l = l->next)
                p[(*n)++] = (FigPain){t, pass == 0, l->str.s};
        }
    }
    return p;
}

/* ---- for a terminal ---- */

void fig_text(Buf *b, FigKind k, double v, bool exact)
{
    if (!isfinite(v)) {
        buf_putc(b, '-');
        return;
    }
    switch (k) {
    case FIG_COUNT: format_fixed(b, v, exact ? 1 : 0, false); break;
    case FIG_RATE:
        format_fixed(b, 100 * v, 1, false);
        buf_putc(b, '%');
        break;
    case FIG_MONEY: format_fixed(b, v, 2, false); break;
    case FIG_MOOD: format_fixed(b, v, 2, true); break;
    case FIG_DAYS: format_duration(b, v, " "); break;
    case FIG_NPS: format_fixed(b, v, 1, true); break;
    case FIG_CSAT: format_fixed(b, v, 2, false); break;
    case FIG_RATIO:
        format_fixed(b, v, 2, false);
        buf_puts(b, "\xC3\x97"); /* × */
        break;
    case FIG_WHOLE: format_fixed(b, v, 0, false); break;
    default: render_number(b, v); break;
    }
}

void fig_interval_text(Buf *b, FigKind k, double lo, double hi, bool exact)
{
    fig_text(b, k, lo, exact);
    buf_puts(b, "\xE2\x80\x93"); /* – */
    fig_text(b, k, hi, exact);
}

/* ---- for the HTML report ---- */

static const char MINUS[] = "\xE2\x88\x92", DASH[] = "\xE2\x80\x93";

/* |v| with `decimals` decimals, thousands grouped with commas; a sign when asked (and a real
 * minus), none on a value that rounds to zero. */
static void grouped(Buf *b, double v, int decimals, bool sign)
{
    char digits[64];
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
    bool zero = strspn(digits, "0.") == strlen(digits);
    if (v < 0 && !zero) buf_puts(b, MINUS);
    else if (sign && v > 0 && !zero) buf_putc(b, '+');
    size_t whole = strcspn(digits, ".");
    for (size_t i = 0; i < whole; i++) {
        buf_putc(b, digits[i]);
        if ((whole - i - 1) % 3 == 0 && i + 1 < whole) buf_putc(b, ',');
    }
    buf_puts(b, digits + whole);
}

void fig_html_text(Buf *b, FigKind k, double v, bool exact)
{
    if (!isfinite(v)) {
        buf_puts(b, DASH);
        return;
    }
    switch (k) {
    case FIG_COUNT: grouped(b, v, exact ? 1 : 0, false); break;
    case FIG_RATE:
        grouped(b, v * 100, 1, false);
        buf_putc(b, '%');
        break;
    case FIG_MONEY: grouped(b, v, 2, false); break;
    case FIG_MOOD: grouped(b, v, 2, true); break;
    case FIG_DAYS: {
        /* "15.8 d", "5.2 h", "42 min" (format.h), a no-break space keeping it on one line. */
        Duration d = duration_for_people(v);
        grouped(b, d.value, d.decimals, false);
        buf_printf(b, "\xC2\xA0%s", d.unit);
        break;
    }
    case FIG_NPS: grouped(b, v, 1, true); break;
    case FIG_CSAT: grouped(b, v, 2, false); break;
    case FIG_RATIO:
        grouped(b, v, 2, false);
        buf_puts(b, "\xC3\x97"); /* × */
        break;
    case FIG_WHOLE: grouped(b, v, 0, false); break;
    default: render_number(b, v); break;
    }
}

const char *fig_kind_name(FigKind k)
{
    static const char *const names[] = {"count", "pct",   "money", "mood",  "days",
                                        "nps",   "csat",  "ratio", "plain", "whole"};
    return fig_is_number(k) ? names[k] : "text";
}
