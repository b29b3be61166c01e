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

static void cell_member(Grid *g, const RtResult *r, const FigTable *t, int member, FigPart part, int row, int parent)
{
    cell_figure(g, r, &t->members[member], fig_get(&t->members[member], r, row, parent), part);
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
    buf_printf(b, "%s · %.0f customers · seed %llu · ", file, r->cohort, (unsigned long long)r->seed);
    if (r->has_horizon && r->horizon < 1) { /* "horizon 12.0 h", not "horizon 0.5 days" */
        buf_puts(b, "horizon ");
        days(b, r->horizon);
        buf_puts(b, " · ");
    } else if (r->has_horizon) {
        buf_printf(b, "horizon %g days · ", r->horizon);
    }
    else buf_puts(b, "no horizon · ");
    buf_puts(b, r->exact ? "exact analysis (expected values)" : "simulated");
    if (r->persona >= 0) buf_printf(b, " · persona %s only", render_persona_name(r, r->persona));
    buf_putc(b, '\n');
}

/* The rates of the cohort: "Converted  656  32.8%  95% CI 30.8%–34.9%". */
static void rate_lines(Grid *g, const RtResult *r)
{
    static const int rates[] = {R_CONVERSION, R_CHURN, R_COMPLETED, R_ACTIVE};
    for (int i = 0; i < 4; i++) {
        const Figure *f = &FIG_REPORT.members[rates[i]];
        FigValue v = fig_get(f, r, 0, -1);
        if (rates[i] == R_ACTIVE && r->has_horizon && !r->exact) cell_text(g, "Active at horizon");
        else cell_text(g, f->short_title);
        cell_figure(g, r, f, v, PART_COUNT);
        cell_figure(g, r, f, v, PART_VALUE);
        Buf t = BUF_INIT;
        if (fig_has_interval(r, v)) {
            buf_puts(&t, "95% CI ");
            fig_interval_text(&t, f->kind, v.lo, v.hi, r->exact);
        }
        cell_text(g, buf_str(&t));
        buf_free(&t);
    }
}

/* A line of the headline: figures in words, "mean 4.9 d · median 4.4 d"; each is `before`, its
 * text, `after` and its interval, or `before` and "-" when it does not exist. */
typedef struct Item {
    const FigTable *table;
    int member;
    const char *before, *after;
} Item;

typedef struct Line {
    const char *title;
    Item items[4];
    int n;
    const char *absent; /* the line when its first figure does not exist; NULL: say so figure by figure */
} Line;

static void line(Grid *g, const RtResult *r, const Line *l)
{
    Buf t = BUF_INIT;
    cell_text(g, l->title);
    for (int i = 0; i < l->n; i++) {
        const Item *it = &l->items[i];
        const Figure *f = &it->table->members[it->member];
        FigValue v = fig_get(f, r, 0, -1);
        if (i == 0 && l->absent && !isfinite(v.value)) {
            buf_puts(&t, l->absent);
            break;
        }
        buf_puts(&t, it->before);
        fig_text(&t, f->kind, v.value, r->exact);
        if (!isfinite(v.value)) continue;
        buf_puts(&t, it->after);
        if (fig_has_interval(r, v)) {
            buf_puts(&t, ", 95% CI ");
            fig_interval_text(&t, f->kind, v.lo, v.hi, r->exact);
        }
    }
    cell_text(g, buf_str(&t));
    buf_free(&t);
}

static void headline(const RtResult *r, Buf *b)
{
    static const Line lines[] = {
        {"Time to convert",
         {{&FIG_TIME_TO_CONVERT, TTC_MEAN, "mean ", ""},
          {&FIG_TIME_TO_CONVERT, TTC_MEDIAN, " · median ", ""},
          {&FIG_TIME_TO_CONVERT, TTC_P90, " · 90th percentile ", ""}},
         3, NULL},
        {"Retention",
         {{&FIG_RETENTION, RET_DAY_7, "day 7 ", ""},
          {&FIG_RETENTION, RET_DAY_30, " · day 30 ", ""},
          {&FIG_RETENTION, RET_DAY_90, " · day 90 ", ""},
          {&FIG_RETENTION, RET_HORIZON, " · horizon ", ""}},
         4, NULL},
        {"Revenue",
         {{&FIG_REPORT, R_REVENUE_PER_CUSTOMER, "", " per customer"}, {&FIG_REPORT, R_REVENUE, " (", " in all)"}},
         2, NULL},
        {"Cost",
         {{&FIG_REPORT, R_COST_PER_CUSTOMER, "", " per customer"}, {&FIG_REPORT, R_CAC, " · CAC ", " per conversion"}},
         2, NULL},
        {"NPS · CSAT",
         {{&FIG_REPORT, R_NPS, "", ""}, {&FIG_REPORT, R_CSAT, " · ", " / 5"}},
         2, "- (moods are not part of an exact analysis)"},
    };
    buf_puts(b, "\nHeadline\n");
    Grid g;
    grid_init(&g, "lrrl");
    rate_lines(&g, r);
    grid_print(&g, b);
    grid_init(&g, "ll");
    for (int i = 0; i < NCOLS(lines); i++) line(&g, r, &lines[i]);
    grid_print(&g, b);
}

static void funnel(const RtResult *r, Buf *b)
{
    static const Column cols[] = {
        COLUMN(STAGE_REACHED),   COLUMN(STAGE_REACHED_RATE), COLUMN(STAGE_ENTRIES),
        COLUMN(STAGE_MEAN_MOOD), COLUMN(STAGE_CONVERTED),    COLUMN(STAGE_CHURNED),
        COLUMN(STAGE_COMPLETED), COLUMN(STAGE_ACTIVE),       COLUMN(STAGE_REVENUE),
    };
    const char *first[] = {FIG_STAGES.members[STAGE_NAME].short_title};
    buf_puts(b, "\nFunnel\n");
    Grid g;
    grid_open(&g, first, 1, &FIG_STAGES, cols, NCOLS(cols));
    for (int s = fig_first(&FIG_STAGES, r, -1); s >= 0; s = fig_after(&FIG_STAGES, r, -1, s)) {
        bool goal = fig_get(&FIG_STAGES.members[STAGE_GOAL], r, s, -1).value != 0;
        grid_cell(&g, "%s%s", text_of(r, &FIG_STAGES, STAGE_NAME, s, -1), goal ? " (goal)" : "");
        cells(&g, r, &FIG_STAGES, cols, NCOLS(cols), s, -1);
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
    static const Column cols[] = {COLUMN(REASON_COUNT), COLUMN(REASON_RATE), COLUMN(REASON_SHARE_OF_CHURN)};
    if (r->nreasons == 0) return;
    const char *first[] = {FIG_REASONS.members[REASON_STAGE].short_title, FIG_REASONS.members[REASON_REASON].short_title};
    buf_puts(b, "\nChurn reasons\n");
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
        COLUMN(PERSONA_CUSTOMERS),
        {PERSONA_CONVERSION, PART_COUNT, NULL, false},
        {PERSONA_CONVERSION, PART_VALUE, "%", false},
        {PERSONA_CHURN, PART_COUNT, NULL, false},
        {PERSONA_CHURN, PART_VALUE, "%", false},
    };
    const char *first[] = {FIG_PERSONAS.members[PERSONA_NAME].short_title};
    buf_puts(b, "\nPersonas\n");
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
        COLUMN(CHANNEL_REACHED), COLUMN(CHANNEL_REACHED_RATE), COLUMN(CHANNEL_COST),
        COLUMN(CHANNEL_CONVERSIONS), COLUMN(CHANNEL_CONVERSION_RATE),
    };
    const char *first[] = {FIG_CHANNELS.members[CHANNEL_NAME].short_title};
    if (fig_first(&FIG_CHANNELS, r, -1) < 0) return;
    buf_puts(b, "\nChannels\n");
    Grid g;
    grid_open(&g, first, 1, &FIG_CHANNELS, cols, NCOLS(cols));
    for (int c = fig_first(&FIG_CHANNELS, r, -1); c >= 0; c = fig_after(&FIG_CHANNELS, r, -1, c)) {
        cell_text(&g, text_of(r, &FIG_CHANNELS, CHANNEL_NAME, c, -1));
        cells(&g, r, &FIG_CHANNELS, cols, NCOLS(cols), c, -1);
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
    title(r, file, out);
    headline(r, out);
    funnel(r, out);
    ways_out(r, out);
    reasons(r, out);
    personas(r, out);
    curves(r, out);
    touchpoints(r, out);
    channels(r, out);
    pains(r, out);
    warnings(r, out);
}
