/* report_table.c: the report for a terminal: headline figures first, then the funnel, ways out,
 * churn reasons, personas with their emotion curves, touchpoints, channels, pain points and
 * opportunities, and warnings. Columns are aligned by characters (UTF-8 aware), numbers to the
 * right. In an exact analysis counts are expected values and keep one decimal.
 *
 * Every figure comes from the catalogue (figures.h): a column names a figure of a table's rows
 * and gets its value, its heading (the figure's short title) and its text (fig_text). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "figures.h"
#include "format.h"
#include "report.h"

/* ---- cells ---- */

/* Columns (FigColumn) are headed by their figure's short title unless they say otherwise. */
typedef FigColumn Column;
#define COLUMN FIG_COLUMN
#define NCOLS FIG_NCOLUMNS

static void cell_text(Grid *g, const char *s) { grid_cell(g, "%s", s); }

/* A figure's text for a terminal (fig_text). */
static void cell_figure(Grid *g, const RtResult *r, const Figure *f, FigValue v, FigPart part)
{
    Buf t = BUF_INIT;
    fig_text(&t, fig_part_kind(f, part), fig_part(v, part), r->exact);
    cell_text(g, buf_str(&t));
    buf_free(&t);
}

/* A part of a member of a row; PART_LO stands for the interval, "lo–hi" (empty without one). */
static void cell_member(Grid *g, const RtResult *r, const FigTable *t, int member, FigPart part, int row, int parent)
{
    const Figure *f = &t->members[member];
    FigValue v = fig_get(f, r, row, parent);
    if (part != PART_LO) {
        cell_figure(g, r, f, v, part);
        return;
    }
    Buf text = BUF_INIT;
    if (fig_has_interval(r, v)) fig_interval_text(&text, f->kind, v.lo, v.hi, r->exact);
    cell_text(g, buf_str(&text));
    buf_free(&text);
}

static void cells(Grid *g, const RtResult *r, const FigTable *t, const Column *cols, int n, int row, int parent)
{
    for (int i = 0; i < n; i++) cell_member(g, r, t, cols[i].member, cols[i].part, row, parent);
}

/* Starts a grid with `first` (text columns, left-aligned) before the columns (numbers, right-aligned),
 * and writes their headings. */
static void grid_open(Grid *g, const char *const *first, int nfirst, const FigTable *t, const Column *cols, int n)
{
    char align[GRID_MAX_COLS + 1];
    int k = 0;
    for (int i = 0; i < nfirst; i++) align[k++] = 'l';
    for (int i = 0; i < n; i++) align[k++] = fig_is_number(t->members[cols[i].member].kind) ? 'r' : 'l';
    align[k] = 0;
    grid_init(g, align);
    for (int i = 0; i < nfirst; i++) cell_text(g, first[i]);
    for (int i = 0; i < n; i++) cell_text(g, cols[i].heading ? cols[i].heading : t->members[cols[i].member].short_title);
}

static const char *text_of(const RtResult *r, const FigTable *t, int member, int row, int parent)
{
    return fig_get(&t->members[member], r, row, parent).text;
}

/* A time for people: "12.3 d", "5.2 h", "42 min" (format.h). */
static void days(Buf *b, double v) { format_duration(b, v, " "); }

/* ---- sections ---- */

static void title(const RtResult *r, const char *file, Buf *b)
{
    buf_printf(b, "%s\n", r->model->title);
    buf_printf(b, "%s · cohort %.0f · seed %llu · ", file, r->cohort, (unsigned long long)r->seed);
    if (r->has_horizon && r->horizon < 1) { /* "horizon 12.0 h", not "horizon 0.5 days" */
        buf_puts(b, "horizon ");
        days(b, r->horizon);
        buf_puts(b, " · ");
    } else if (r->has_horizon) {
        buf_printf(b, "horizon %g days · ", r->horizon);
    }
    else buf_puts(b, "no horizon · ");
    if (r->has_arrivals) buf_puts(b, "arrivals over time · ");
    if (isfinite(r->window)) {
        buf_puts(b, "conversion window ");
        days(b, r->window);
        buf_puts(b, " · ");
    }
    buf_puts(b, r->exact ? "exact analysis (expected values)" : "simulated");
    if (r->persona >= 0) buf_printf(b, " · persona %s only", render_persona_name(r, r->persona));
    buf_putc(b, '\n');
}

/* ---- the headline: four columns, a figure's title, its count, its value, then its interval
 * and what it is of, in words ---- */

typedef struct Headline {
    Grid g;
    const RtResult *r;
    const char *last_note; /* the reason the row above gave for a missing figure, within a group */
} Headline;

static void group(Headline *h, const char *name)
{
    grid_cell(&h->g, "%s", name);
    for (int i = 0; i < 3; i++) cell_text(&h->g, "");
    h->last_note = NULL;
}

/* The reason a figure is missing; "(the same)" when the row above gave the same one, so that a
 * long reason (an exact analysis's) is read once. */
static void note(Headline *h, Buf *t, const char *why)
{
    if (!why) return;
    buf_puts(t, h->last_note && strcmp(h->last_note, why) == 0 ? "(the same)" : why);
    h->last_note = why;
}

/* "95% CI lo–hi" of a figure shown as `kind`, when it has one. */
static void interval(Buf *t, const RtResult *r, FigKind kind, FigValue v)
{
    if (!fig_has_interval(r, v)) return;
    buf_puts(t, "95% CI ");
    fig_interval_text(t, kind, v.lo, v.hi, r->exact);
}

/* A row: the figure's value (and count, for a rate), the words `after` it, its interval and a
 * `tail`; a figure that does not exist is "-" with the reason. `after` and `tail` may be NULL. */
static void row(Headline *h, const char *name, const Figure *f, FigValue v, bool count, const char *after,
                const char *tail)
{
    const RtResult *r = h->r;
    Buf t = BUF_INIT;
    grid_cell(&h->g, "  %s", name);
    if (count && isfinite(v.count)) cell_figure(&h->g, r, f, v, PART_COUNT);
    else cell_text(&h->g, "");
    cell_figure(&h->g, r, f, v, PART_VALUE);
    if (!isfinite(v.value)) {
        note(h, &t, v.note);
    } else {
        h->last_note = NULL;
        if (after) buf_puts(&t, after);
        if (fig_has_interval(r, v)) buf_puts(&t, t.len ? ", " : "");
        interval(&t, r, f->kind, v);
        if (tail) buf_puts(&t, tail);
    }
    cell_text(&h->g, buf_str(&t));
    buf_free(&t);
}

static void member_row(Headline *h, const char *name, const FigTable *t, int member, bool count, const char *after)
{
    const Figure *f = &t->members[member];
    row(h, name ? name : f->title, f, fig_get(f, h->r, 0, -1), count, after, NULL);
}

/* A figure's value in words after another's: "annual 22.6%, 95% CI 19.6%–26.2%". */
static void also(Buf *t, const RtResult *r, const char *before, const FigTable *table, int member)
{
    const Figure *f = &table->members[member];
    FigValue v = fig_get(f, r, 0, -1);
    buf_puts(t, before);
    fig_text(t, f->kind, v.value, r->exact);
    if (fig_has_interval(r, v)) {
        buf_puts(t, ", ");
        interval(t, r, f->kind, v);
    }
}

static void prospects(Headline *h)
{
    const RtResult *r = h->r;
    group(h, FIG_REPORT.members[R_PROSPECTS].title);
    member_row(h, NULL, &FIG_PROSPECTS, PRO_COHORT, false, NULL);
    member_row(h, NULL, &FIG_PROSPECTS, PRO_CONVERTED, true, NULL);
    member_row(h, NULL, &FIG_PROSPECTS, PRO_LOST, true, NULL);
    member_row(h, r->has_horizon && !r->exact ? "Still prospects at the horizon" : NULL, &FIG_PROSPECTS, PRO_STILL,
               true, NULL);
    /* The time to convert: the median, with the mean and the 90th percentile (the mean alone in
     * an exact analysis, which has no percentiles). */
    const Figure *m = FIG_TIME_TO_CONVERT.members;
    bool median = isfinite(r->ttc_median);
    Buf t = BUF_INIT;
    if (median) {
        buf_puts(&t, "median · mean ");
        fig_text(&t, FIG_DAYS, r->ttc_mean, r->exact);
        buf_puts(&t, " · 90th percentile ");
        fig_text(&t, FIG_DAYS, r->ttc_p90, r->exact);
    } else if (isfinite(r->ttc_mean)) {
        buf_puts(&t, "mean");
    }
    FigValue v = fig_get(&m[median ? TTC_MEDIAN : TTC_MEAN], r, 0, -1);
    v.note = "no customer converted";
    row(h, "Time to convert", &m[TTC_MEAN], v, false, buf_str(&t), NULL);
    buf_free(&t);
}

static void customers(Headline *h)
{
    const RtResult *r = h->r;
    FigValue all = fig_get(&FIG_REPORT.members[R_CUSTOMERS], r, 0, -1);
    group(h, FIG_REPORT.members[R_CUSTOMERS].title);
    if (all.note) {
        grid_cell(&h->g, "  Customers");
        cell_text(&h->g, "");
        cell_text(&h->g, "-");
        cell_text(&h->g, all.note);
        return;
    }
    Buf t = BUF_INIT;
    FigValue completed = fig_get(&FIG_CUSTOMERS.members[CUS_COMPLETED], r, 0, -1);
    if (completed.count > 0) {
        fig_text(&t, FIG_COUNT, completed.count, r->exact);
        buf_puts(&t, " of them completed the journey");
    }
    member_row(h, NULL, &FIG_CUSTOMERS, CUS_COUNT, false, buf_str(&t));
    member_row(h, NULL, &FIG_CUSTOMERS, CUS_CHURN, true, "of customers");
    buf_clear(&t);
    also(&t, r, " · annual ", &FIG_CUSTOMERS, CUS_ANNUAL_CHURN);
    const Figure *monthly = &FIG_CUSTOMERS.members[CUS_MONTHLY_CHURN];
    row(h, monthly->title, monthly, fig_get(monthly, r, 0, -1), false, "of customers a month", buf_str(&t));
    static const char *const names[CRET_N] = {"Retention, 30 days", "Retention, 90 days", "Retention, 180 days",
                                              "Retention, 365 days"};
    /* All four missing for one reason (an exact analysis, no customer followed a month): one row. */
    const char *why = fig_get(&FIG_CUSTOMER_RETENTION.members[CRET_DAY_30], r, 0, -1).note;
    bool one = why != NULL;
    for (int d = 1; d < CRET_N && one; d++) {
        const char *other = fig_get(&FIG_CUSTOMER_RETENTION.members[d], r, 0, -1).note;
        one = other && strcmp(other, why) == 0;
    }
    if (one) member_row(h, "Retention, 30 to 365 days", &FIG_CUSTOMER_RETENTION, CRET_DAY_30, false, NULL);
    else
        for (int d = 0; d < CRET_N; d++) member_row(h, names[d], &FIG_CUSTOMER_RETENTION, d, false, "after converting");
    buf_clear(&t);
    double limit = fig_get(&FIG_CUSTOMERS.members[CUS_LIFETIME_LIMIT], r, 0, -1).value;
    if (isfinite(limit)) {
        buf_puts(&t, "mean over the first ");
        fig_text(&t, FIG_DAYS, limit, r->exact);
        buf_puts(&t, " after converting");
    }
    member_row(h, "Lifetime", &FIG_CUSTOMERS, CUS_LIFETIME, false, buf_str(&t));
    buf_free(&t);
}

static void money(Headline *h)
{
    static const struct {
        int member;
        const char *after;
    } rows[] = {
        {MONEY_REVENUE, "in all"},
        {MONEY_ARPU, "per cohort member"},
        {MONEY_LTV, "per customer"},
        {MONEY_CAC, "acquisition cost per customer"},
        {MONEY_ACQUISITION_COST, "per cohort member"},
        {MONEY_COST_TO_SERVE, "per customer"},
        {MONEY_LTV_CAC, NULL},
        {MONEY_PAYBACK, "after converting"},
    };
    group(h, FIG_REPORT.members[R_MONEY].title);
    for (int i = 0; i < NCOLS(rows); i++) member_row(h, NULL, &FIG_MONEY_TABLE, rows[i].member, false, rows[i].after);
}

/* NPS or CSAT with its respondents and where it comes from. */
static void satisfaction_row(Headline *h, int member, int n, int source, const char *scale)
{
    const RtResult *r = h->r;
    const char *from = fig_get(&FIG_SATISFACTION.members[source], r, 0, -1).text;
    Buf t = BUF_INIT;
    buf_printf(&t, "%s, n = ", scale);
    fig_text(&t, FIG_COUNT, fig_get(&FIG_SATISFACTION.members[n], r, 0, -1).value, r->exact);
    buf_puts(&t, from && strcmp(from, "surveys") == 0 ? " answers to surveys" : " customers (relational)");
    member_row(h, NULL, &FIG_SATISFACTION, member, false, buf_str(&t));
    buf_free(&t);
}

static void satisfaction(Headline *h)
{
    group(h, FIG_REPORT.members[R_SATISFACTION].title);
    satisfaction_row(h, SAT_NPS, SAT_NPS_N, SAT_NPS_SOURCE, "from -100 to +100");
    satisfaction_row(h, SAT_CSAT, SAT_CSAT_N, SAT_CSAT_SOURCE, "from 1 to 5");
}

/* The figures of the whole cohort, prospects and customers together (schema 2's headline). */
static void whole_cohort(Headline *h)
{
    const RtResult *r = h->r;
    group(h, "Whole cohort");
    member_row(h, NULL, &FIG_REPORT, R_COHORT_CHURN, true, NULL);
    member_row(h, NULL, &FIG_REPORT, R_COMPLETED, true, NULL);
    member_row(h, r->has_horizon && !r->exact ? "Active at the horizon" : "Active", &FIG_REPORT, R_ACTIVE, true, NULL);
    Buf t = BUF_INIT;
    buf_puts(&t, "in all");
    also(&t, r, " · per member ", &FIG_MONEY_TABLE, MONEY_COST_PER_MEMBER);
    also(&t, r, " · per conversion ", &FIG_MONEY_TABLE, MONEY_COST_PER_CONVERSION);
    member_row(h, NULL, &FIG_MONEY_TABLE, MONEY_COST, false, buf_str(&t));
    buf_free(&t);
}

static void headline(const RtResult *r, Buf *b)
{
    Headline h = {.r = r};
    buf_puts(b, "\nHeadline\n");
    grid_init(&h.g, "lrrl");
    prospects(&h);
    customers(&h);
    money(&h);
    satisfaction(&h);
    whole_cohort(&h);
    grid_print(&h.g, b);
}

/* The main path (rt_main_path): the customers who reached each stage, the share of those of the
 * stage before who got this far, and those lost before converting there. */
static void funnel(const RtResult *r, Buf *b)
{
    static const Column cols[] = {
        {FUN_REACHED, PART_COUNT, NULL, false}, {FUN_REACHED, PART_VALUE, "%", false}, COLUMN(FUN_STEP),
        {FUN_STEP, PART_LO, "95% CI", false},   COLUMN(FUN_LOST),                       COLUMN(FUN_CONVERTED),
        COLUMN(FUN_CUSTOMER_CHURNED),
    };
    /* An exact analysis has no intervals: its table has no column for them. */
    static const Column exact_cols[] = {
        {FUN_REACHED, PART_COUNT, NULL, false}, {FUN_REACHED, PART_VALUE, "%", false}, COLUMN(FUN_STEP),
        COLUMN(FUN_LOST), COLUMN(FUN_CONVERTED), COLUMN(FUN_CUSTOMER_CHURNED),
    };
    const Column *shown = r->exact ? exact_cols : cols;
    int n = r->exact ? NCOLS(exact_cols) : NCOLS(cols);
    const char *first[] = {FIG_FUNNEL.members[FUN_STAGE].short_title};
    if (fig_first(&FIG_FUNNEL, r, -1) < 0) return;
    buf_puts(b, "\nFunnel (the main path; step-through: the share of the stage before that reached this one)\n");
    Grid g;
    grid_open(&g, first, 1, &FIG_FUNNEL, shown, n);
    for (int k = fig_first(&FIG_FUNNEL, r, -1); k >= 0; k = fig_after(&FIG_FUNNEL, r, -1, k)) {
        bool goal = fig_get(&FIG_FUNNEL.members[FUN_GOAL], r, k, -1).value != 0;
        grid_cell(&g, "%s%s", text_of(r, &FIG_FUNNEL, FUN_STAGE, k, -1), goal ? " (goal)" : "");
        cells(&g, r, &FIG_FUNNEL, shown, n, k, -1);
    }
    grid_print(&g, b);
}

static void stages(const RtResult *r, Buf *b)
{
    static const Column cols[] = {
        COLUMN(STAGE_REACHED),   COLUMN(STAGE_REACHED_RATE), COLUMN(STAGE_ENTRIES),
        COLUMN(STAGE_MEAN_MOOD), COLUMN(STAGE_CONVERTED),    COLUMN(STAGE_LOST),
        COLUMN(STAGE_CUSTOMER_CHURNED), COLUMN(STAGE_COMPLETED), COLUMN(STAGE_ACTIVE),
        COLUMN(STAGE_REVENUE),
    };
    const char *first[] = {FIG_STAGES.members[STAGE_NAME].short_title};
    buf_puts(b, "\nStages (lost: prospects who churned there before converting; customer churn: customers who "
                "churned there)\n");
    Grid g;
    grid_open(&g, first, 1, &FIG_STAGES, cols, NCOLS(cols));
    for (int s = fig_first(&FIG_STAGES, r, -1); s >= 0; s = fig_after(&FIG_STAGES, r, -1, s)) {
        bool goal = fig_get(&FIG_STAGES.members[STAGE_GOAL], r, s, -1).value != 0;
        grid_cell(&g, "%s%s", text_of(r, &FIG_STAGES, STAGE_NAME, s, -1), goal ? " (goal)" : "");
        cells(&g, r, &FIG_STAGES, cols, NCOLS(cols), s, -1);
    }
    grid_print(&g, b);
}

/* The calendar, month by month: shown when customers arrive over time, or when it is short. A
 * long one keeps its first and last months. */
enum { CALENDAR_SHORT = 12, CALENDAR_HEAD = 12, CALENDAR_TAIL = 6 };

static void calendar(const RtResult *r, Buf *b)
{
    static const Column cols[] = {
        COLUMN(CAL_NEW_PROSPECTS), COLUMN(CAL_NEW_CUSTOMERS), COLUMN(CAL_LOST),          COLUMN(CAL_CHURNED),
        COLUMN(CAL_ACTIVE),        COLUMN(CAL_REVENUE),       COLUMN(CAL_COST),          COLUMN(CAL_CUM_REVENUE),
        COLUMN(CAL_CUM_COST),
    };
    const char *first[] = {FIG_CALENDAR.members[CAL_MONTH].short_title};
    if (fig_get(&FIG_REPORT.members[R_CALENDAR], r, 0, -1).note) return;
    int n = 0;
    for (int m = fig_first(&FIG_CALENDAR, r, -1); m >= 0; m = fig_after(&FIG_CALENDAR, r, -1, m)) n++;
    if (n == 0 || (!r->has_arrivals && n > CALENDAR_SHORT)) return;
    bool cut = n > CALENDAR_HEAD + CALENDAR_TAIL + 1;
    buf_puts(b, "\nCalendar (months of 30 days; revenue: earned in the month, MRR; active: customers at the "
                "month's end)\n");
    if (cut)
        buf_printf(b, "  Months %d to %d of %d left out: --format csv --csv-table calendar has every month.\n",
                   CALENDAR_HEAD + 1, n - CALENDAR_TAIL, n);
    Grid g;
    grid_open(&g, first, 1, &FIG_CALENDAR, cols, NCOLS(cols));
    for (int m = fig_first(&FIG_CALENDAR, r, -1); m >= 0; m = fig_after(&FIG_CALENDAR, r, -1, m)) {
        if (cut && m >= CALENDAR_HEAD && m < n - CALENDAR_TAIL) {
            if (m == CALENDAR_HEAD) {
                cell_text(&g, "...");
                for (int c = 0; c < NCOLS(cols); c++) cell_text(&g, "");
            }
            continue;
        }
        grid_cell(&g, "%d", m + 1);
        cells(&g, r, &FIG_CALENDAR, cols, NCOLS(cols), m, -1);
    }
    grid_print(&g, b);
}

/* What did not leave stage `s` by a way out, as a share of its entries: the entries the horizon
 * cut while in it, and the customers who completed there. */
static void stayed_rows(Grid *g, const RtResult *r, int s)
{
    const FigStayed *rows = FIG_STAYED;
    for (int i = 0; i < 2; i++) {
        if (!(fig_get(&FIG_STAGES.members[rows[i].count], r, s, -1).value > 0)) continue;
        cell_text(g, "");
        grid_cell(g, "(%s)", rows[i].what);
        cell_member(g, r, &FIG_STAGES, rows[i].count, PART_VALUE, s, -1);
        const Figure *f = &FIG_STAGES.members[rows[i].share];
        double share = fig_get(f, r, s, -1).value;
        Buf t = BUF_INIT;
        fig_text(&t, f->kind, share, r->exact);
        if (isfinite(share)) buf_puts(&t, " of entries");
        cell_text(g, buf_str(&t));
        buf_free(&t);
    }
}

static void ways_out(const RtResult *r, Buf *b)
{
    static const Column cols[] = {COLUMN(EXIT_COUNT), COLUMN(EXIT_SHARE)};
    if (r->nexits == 0) return;
    const char *first[] = {FIG_STAGES.members[STAGE_NAME].short_title, "Way out"};
    buf_puts(b, "\nWays out (share of the stage's exits: of the customers who left the stage, the share that took "
                "each way)\n");
    Grid g;
    grid_open(&g, first, 2, &FIG_EXITS, cols, NCOLS(cols));
    for (int s = fig_first(&FIG_STAGES, r, -1); s >= 0; s = fig_after(&FIG_STAGES, r, -1, s)) {
        int k = 0;
        for (int i = fig_first(&FIG_EXITS, r, s); i >= 0; i = fig_after(&FIG_EXITS, r, s, i), k++) {
            const char *reason = text_of(r, &FIG_EXITS, EXIT_REASON, i, s);
            cell_text(&g, k == 0 ? text_of(r, &FIG_STAGES, STAGE_NAME, s, -1) : "");
            Buf t = BUF_INIT;
            buf_printf(&t, "-> %s", text_of(r, &FIG_EXITS, EXIT_TO, i, s));
            if (reason && *reason) buf_printf(&t, " \"%s\"", reason);
            if (strcmp(text_of(r, &FIG_EXITS, EXIT_VIA, i, s), "rule") == 0) buf_puts(&t, " (rule)");
            cell_text(&g, buf_str(&t));
            buf_free(&t);
            cells(&g, r, &FIG_EXITS, cols, NCOLS(cols), i, s);
        }
        if (k > 0) stayed_rows(&g, r, s);
    }
    grid_print(&g, b);
}

static int by_count_desc(const void *pa, const void *pb)
{
    const RtReasonRow *a = *(const RtReasonRow *const *)pa, *b = *(const RtReasonRow *const *)pb;
    if (a->count != b->count) return a->count < b->count ? 1 : -1;
    if (a->stage != b->stage) return a->stage < b->stage ? -1 : 1;
    return strcmp(a->reason, b->reason);
}

/* The churn reasons, largest first. */
static void reasons(const RtResult *r, Buf *b)
{
    static const Column cols[] = {COLUMN(REASON_COUNT),     COLUMN(REASON_LOST), COLUMN(REASON_CUSTOMERS),
                                  COLUMN(REASON_RATE), COLUMN(REASON_SHARE_OF_CHURN)};
    if (r->nreasons == 0) return;
    const char *first[] = {FIG_REASONS.members[REASON_STAGE].short_title, FIG_REASONS.members[REASON_REASON].short_title};
    buf_puts(b, "\nChurn reasons (lost: before converting; customer churn: after)\n");
    const RtReasonRow **order = xcalloc((size_t)r->nreasons, sizeof *order);
    int n = 0;
    for (int i = fig_first(&FIG_REASONS, r, -1); i >= 0; i = fig_after(&FIG_REASONS, r, -1, i))
        order[n++] = &r->reasons[i];
    qsort(order, (size_t)n, sizeof *order, by_count_desc);
    Grid g;
    grid_open(&g, first, 2, &FIG_REASONS, cols, NCOLS(cols));
    for (int k = 0; k < n; k++) {
        int i = (int)(order[k] - r->reasons);
        const char *reason = text_of(r, &FIG_REASONS, REASON_REASON, i, -1);
        cell_text(&g, text_of(r, &FIG_REASONS, REASON_STAGE, i, -1));
        cell_text(&g, *reason ? reason : "(no reason given)");
        cells(&g, r, &FIG_REASONS, cols, NCOLS(cols), i, -1);
    }
    grid_print(&g, b);
    free(order);
}

static void personas(const RtResult *r, Buf *b)
{
    static const Column cols[] = {
        COLUMN(PERSONA_SHARE),
        COLUMN(PERSONA_COHORT),
        {PERSONA_CONVERSION, PART_COUNT, NULL, false},
        {PERSONA_CONVERSION, PART_VALUE, "%", false},
        {PERSONA_LOST, PART_COUNT, NULL, false},
        {PERSONA_LOST, PART_VALUE, "%", false},
        {PERSONA_CUSTOMER_CHURN, PART_COUNT, NULL, false},
        {PERSONA_CUSTOMER_CHURN, PART_VALUE, "% of customers", false},
    };
    const char *first[] = {FIG_PERSONAS.members[PERSONA_NAME].short_title};
    buf_puts(b, "\nPersonas (lost: before converting, of the persona's cohort; customer churn: of its customers)\n");
    Grid g;
    grid_open(&g, first, 1, &FIG_PERSONAS, cols, NCOLS(cols));
    for (int p = fig_first(&FIG_PERSONAS, r, -1); p >= 0; p = fig_after(&FIG_PERSONAS, r, -1, p)) {
        cell_text(&g, text_of(r, &FIG_PERSONAS, PERSONA_NAME, p, -1));
        cells(&g, r, &FIG_PERSONAS, cols, NCOLS(cols), p, -1);
    }
    grid_print(&g, b);
}

/* A bar from -1 to +1 with the centre marked: "    |###  " for +0.3. */
static void mood_bar(Buf *t, double v)
{
    enum { HALF = 10 };
    int n = isfinite(v) ? (int)lround(fabs(v) * HALF) : 0;
    for (int i = -HALF; i <= HALF; i++) {
        if (i == 0) buf_putc(t, '|');
        else if (v < 0 && i < 0 && -i <= n) buf_putc(t, '#');
        else if (v > 0 && i > 0 && i <= n) buf_putc(t, '#');
        else buf_putc(t, ' ');
    }
}

/* A table of the channels: their names, then the columns `cols`. */
static void channel_grid(const RtResult *r, Buf *b, const Column *cols, int ncols)
{
    const char *first[] = {FIG_CHANNELS.members[CHANNEL_NAME].short_title};
    Grid g;
    grid_open(&g, first, 1, &FIG_CHANNELS, cols, ncols);
    for (int c = fig_first(&FIG_CHANNELS, r, -1); c >= 0; c = fig_after(&FIG_CHANNELS, r, -1, c)) {
        cell_text(&g, text_of(r, &FIG_CHANNELS, CHANNEL_NAME, c, -1));
        cells(&g, r, &FIG_CHANNELS, cols, ncols, c, -1);
    }
    grid_print(&g, b);
}

/* Whether a curve shown gives a reason (the column is left out when none does). */
static bool any_curve_reason(const RtResult *r)
{
    for (int p = fig_first(&FIG_PERSONAS, r, -1); p >= 0; p = fig_after(&FIG_PERSONAS, r, -1, p)) {
        for (int s = fig_first(&FIG_CURVE, r, p); s >= 0; s = fig_after(&FIG_CURVE, r, p, s)) {
            const char *why = text_of(r, &FIG_CURVE, CURVE_REASON, s, p);
            if (why && *why) return true;
        }
    }
    return false;
}

static void curves(const RtResult *r, Buf *b)
{
    static const Column cols[] = {COLUMN(CURVE_DECLARED), COLUMN(CURVE_SIMULATED)};
    bool why = any_curve_reason(r);
    const char *first[] = {FIG_PERSONAS.members[PERSONA_NAME].short_title, FIG_CURVE.members[CURVE_STAGE].short_title};
    buf_puts(b, "\nEmotion curves (mood on entry, -1..+1: declared vs simulated)\n");
    Grid g;
    grid_init(&g, why ? "llrrll" : "llrrl");
    cell_text(&g, first[0]);
    cell_text(&g, first[1]);
    for (int i = 0; i < NCOLS(cols); i++) cell_text(&g, FIG_CURVE.members[cols[i].member].short_title);
    cell_text(&g, "");
    if (why) cell_text(&g, FIG_CURVE.members[CURVE_REASON].short_title);
    for (int p = fig_first(&FIG_PERSONAS, r, -1); p >= 0; p = fig_after(&FIG_PERSONAS, r, -1, p)) {
        for (int s = fig_first(&FIG_CURVE, r, p); s >= 0; s = fig_after(&FIG_CURVE, r, p, s)) {
            double sim = fig_get(&FIG_CURVE.members[CURVE_SIMULATED], r, s, p).value;
            const char *reason = text_of(r, &FIG_CURVE, CURVE_REASON, s, p);
            cell_text(&g, s == 0 ? text_of(r, &FIG_PERSONAS, PERSONA_NAME, p, -1) : "");
            cell_text(&g, text_of(r, &FIG_CURVE, CURVE_STAGE, s, p));
            cells(&g, r, &FIG_CURVE, cols, NCOLS(cols), s, p);
            Buf t = BUF_INIT;
            if (isfinite(sim)) mood_bar(&t, sim);
            cell_text(&g, buf_str(&t));
            buf_free(&t);
            if (why) cell_text(&g, reason ? reason : "");
        }
    }
    grid_print(&g, b);
}

static void touchpoints(const RtResult *r, Buf *b)
{
    static const Column cols[] = {
        COLUMN(TOUCH_REACHED), COLUMN(TOUCH_REACHED_RATE),    COLUMN(TOUCH_COST),
        COLUMN(TOUCH_CONVERSIONS), COLUMN(TOUCH_CONVERSION_RATE),
    };
    const Figure *m = FIG_TOUCHPOINTS.members;
    const char *first[] = {m[TOUCH_NAME].short_title, m[TOUCH_STAGE].short_title, m[TOUCH_CHANNEL].short_title};
    if (fig_first(&FIG_TOUCHPOINTS, r, -1) < 0) return;
    buf_puts(b, "\nTouchpoints (conversions: customers reached who converted)\n");
    Grid g;
    grid_open(&g, first, 3, &FIG_TOUCHPOINTS, cols, NCOLS(cols));
    for (int t = fig_first(&FIG_TOUCHPOINTS, r, -1); t >= 0; t = fig_after(&FIG_TOUCHPOINTS, r, -1, t)) {
        const char *stage = text_of(r, &FIG_TOUCHPOINTS, TOUCH_STAGE, t, -1);
        const char *channel = text_of(r, &FIG_TOUCHPOINTS, TOUCH_CHANNEL, t, -1);
        cell_text(&g, text_of(r, &FIG_TOUCHPOINTS, TOUCH_NAME, t, -1));
        cell_text(&g, stage ? stage : "(rule)");
        cell_text(&g, channel ? channel : "-");
        cells(&g, r, &FIG_TOUCHPOINTS, cols, NCOLS(cols), t, -1);
    }
    grid_print(&g, b);
}

static void channels(const RtResult *r, Buf *b)
{
    static const Column cols[] = {
        COLUMN(CHANNEL_REACHED),     COLUMN(CHANNEL_REACHED_RATE),    COLUMN(CHANNEL_COST),
        COLUMN(CHANNEL_ACQUISITION_COST), COLUMN(CHANNEL_CONVERSIONS), COLUMN(CHANNEL_CONVERSION_RATE),
    };
    if (fig_first(&FIG_CHANNELS, r, -1) < 0) return;
    buf_puts(b, "\nChannels (acquisition cost: spent up to each conversion, and on prospects who never converted)\n");
    channel_grid(r, b, cols, NCOLS(cols));
}

/* Conversions attributed to each channel, and its CAC, by each attribution model. */
static void attribution(const RtResult *r, Buf *b)
{
    static const Column cols[] = {
        COLUMN(CHANNEL_ACQUISITION_COST), COLUMN(CHANNEL_FIRST_CONVERSIONS),  COLUMN(CHANNEL_FIRST_CAC),
        COLUMN(CHANNEL_LAST_CONVERSIONS), COLUMN(CHANNEL_LAST_CAC),           COLUMN(CHANNEL_LINEAR_CONVERSIONS),
        COLUMN(CHANNEL_LINEAR_CAC),       COLUMN(CHANNEL_REMOVAL_CONVERSIONS), COLUMN(CHANNEL_REMOVAL_CAC),
    };
    if (fig_first(&FIG_CHANNELS, r, -1) < 0 || fig_get(&FIG_REPORT.members[R_CUSTOMERS], r, 0, -1).note) return;
    buf_puts(b, "\nAttribution (conversions credited to each channel met up to converting, and CAC: its "
                "acquisition cost per conversion credited)\n");
    channel_grid(r, b, cols, NCOLS(cols));
}

/* The survey touchpoints: who answered, and the NPS or CSAT they gave. */
static void surveys(const RtResult *r, Buf *b)
{
    static const Column cols[] = {
        COLUMN(TOUCH_RESPONDENTS), COLUMN(TOUCH_NPS), {TOUCH_NPS, PART_LO, "95% CI", false},
        COLUMN(TOUCH_CSAT),        {TOUCH_CSAT, PART_LO, "95% CI", false},
    };
    const Figure *m = FIG_TOUCHPOINTS.members;
    const char *first[] = {m[TOUCH_NAME].short_title, m[TOUCH_STAGE].short_title, m[TOUCH_SURVEY].short_title};
    if (!fig_has_surveys(r)) return;
    buf_puts(b, "\nSurveys (everyone who meets the touchpoint answers, from their mood then)\n");
    Grid g;
    grid_open(&g, first, 3, &FIG_TOUCHPOINTS, cols, NCOLS(cols));
    for (int t = fig_first(&FIG_TOUCHPOINTS, r, -1); t >= 0; t = fig_after(&FIG_TOUCHPOINTS, r, -1, t)) {
        const char *survey = fig_survey_name(r, t), *stage = text_of(r, &FIG_TOUCHPOINTS, TOUCH_STAGE, t, -1);
        if (!survey) continue;
        cell_text(&g, text_of(r, &FIG_TOUCHPOINTS, TOUCH_NAME, t, -1));
        cell_text(&g, stage ? stage : "(rule)");
        cell_text(&g, strcmp(survey, "nps") == 0 ? "NPS" : "CSAT");
        cells(&g, r, &FIG_TOUCHPOINTS, cols, NCOLS(cols), t, -1);
    }
    grid_print(&g, b);
}

/* The pain points, then the opportunities, at their touchpoints (the HTML report's table). */
static void pains(const RtResult *r, Buf *b)
{
    static const Column cols[] = {COLUMN(TOUCH_REACHED), COLUMN(TOUCH_REACHED_RATE), COLUMN(TOUCH_MEETINGS)};
    const Figure *m = FIG_TOUCHPOINTS.members;
    const char *first[] = {"Kind", "What", m[TOUCH_NAME].short_title, m[TOUCH_STAGE].short_title};
    int n;
    FigPain *p = fig_pains(r, &n);
    if (n > 0) {
        buf_puts(b, "\nPain points and opportunities (reached: customers who met the touchpoint)\n");
        Grid g;
        grid_open(&g, first, 4, &FIG_TOUCHPOINTS, cols, NCOLS(cols));
        for (int i = 0; i < n; i++) {
            const char *stage = text_of(r, &FIG_TOUCHPOINTS, TOUCH_STAGE, p[i].touchpoint, -1);
            cell_text(&g, p[i].pain ? "pain" : "opportunity");
            cell_text(&g, p[i].text);
            cell_text(&g, text_of(r, &FIG_TOUCHPOINTS, TOUCH_NAME, p[i].touchpoint, -1));
            cell_text(&g, stage ? stage : "(rule)");
            cells(&g, r, &FIG_TOUCHPOINTS, cols, NCOLS(cols), p[i].touchpoint, -1);
        }
        grid_print(&g, b);
    }
    free(p);
}

static void warnings(const RtResult *r, Buf *b)
{
    if (r->nwarnings == 0) return;
    buf_puts(b, "\nWarnings\n");
    for (int i = 0; i < r->nwarnings; i++) {
        char where[512];
        rt_loc_string(r->model, r->warnings[i].loc, where, sizeof where);
        buf_printf(b, "  %s%s%s\n", where, where[0] ? ": " : "", r->warnings[i].message);
    }
}

void render_table(const RtResult *r, const char *file, Buf *out)
{
    fig_open(r);
    title(r, file, out);
    headline(r, out);
    funnel(r, out);
    calendar(r, out);
    stages(r, out);
    ways_out(r, out);
    reasons(r, out);
    personas(r, out);
    curves(r, out);
    touchpoints(r, out);
    surveys(r, out);
    channels(r, out);
    attribution(r, out);
    pains(r, out);
    warnings(r, out);
    fig_close();
}
