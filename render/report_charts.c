/* report_charts.c: the charts of the HTML report (see report_html.h), drawn with chart.h from an
 * RtResult: the funnel along the main path with its step-through rates, the customer retention
 * curve (Kaplan-Meier, with its interval band), the calendar (customers and money by month), the
 * emotion curve of each persona (declared and simulated), the whole cohort's churn over time, the
 * histogram of times to convert and the churn reasons.
 * Each chart is a <figure> with a caption; a figure a run cannot give (an exact analysis has no
 * times or moods) is a note instead. Long lists are cut (the tables below them have everything). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "chart.h"
#include "kpi.h"
#include "report_html.h"

enum { FUNNEL_MAX = 60, CURVES_MAX = 12, REASONS_MAX = 40 };

static const char GOOD[] = "#009E73", BAD[] = "#D55E00", MAIN[] = "#0072B2", DECLARED[] = "#E69F00",
                  P90[] = "#CC79A7";

static void figure_open(Buf *b, const char *cls)
{
    buf_printf(b, "<figure class=\"%s\">\n", cls);
}

static void figure_close(Buf *b, const char *caption)
{
    buf_puts(b, "<figcaption>");
    chart_escape(b, caption);
    buf_puts(b, "</figcaption>\n</figure>\n");
}

/* A figure the run cannot give: a box with the reason. */
static void missing(Buf *b, const char *cls, const char *title, const char *why)
{
    buf_printf(b, "<figure class=\"%s missing\">\n<p class=\"chart-title\">", cls);
    chart_escape(b, title);
    buf_puts(b, "</p>\n<p class=\"na\">");
    chart_escape(b, why);
    buf_puts(b, "</p>\n</figure>\n");
}

/* Text with figures inside an SVG <text>: the caller writes <tspan>s into the Buf it gets. */
static void text_open(Buf *b, double x, double y, const char *cls, const char *anchor)
{
    buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\"%s%s%s>", x, y, cls, anchor ? " text-anchor=\"" : "",
               anchor ? anchor : "", anchor ? "\"" : "");
}

/* "1,234 · 61.7%" beside a bar: two figures of a row. */
static void count_and_share(Chart *c, const HtmlRow *row, int count, int share, double x, double y)
{
    text_open(c->out, x, y, "value", NULL);
    html_member(c->out, row, "tspan", NULL, count, PART_VALUE);
    buf_puts(c->out, " \xC2\xB7 ");
    html_member(c->out, row, "tspan", NULL, share, PART_VALUE);
    buf_puts(c->out, "</text>\n");
}

/* ---- the funnel ---- */

/* "↓ 61.2% stepped through · 120 lost before converting" between the bars of positions k - 1 and k. */
static void funnel_step(Chart *c, const RtResult *r, int k, double x, double y)
{
    HtmlRow row = html_row(r, &FIG_FUNNEL, k, -1, NULL, k), before = html_row(r, &FIG_FUNNEL, k - 1, -1, NULL, k - 1);
    if (!isfinite(html_value(&row, FUN_STEP).value)) return;
    text_open(c->out, x, y, "drop", NULL);
    buf_puts(c->out, "\xE2\x86\x93 "); /* ↓ */
    html_member(c->out, &row, "tspan", NULL, FUN_STEP, PART_VALUE);
    buf_puts(c->out, " stepped through");
    if (html_value(&before, FUN_LOST).value > 0) {
        buf_puts(c->out, " \xC2\xB7 ");
        html_member(c->out, &before, "tspan", NULL, FUN_LOST, PART_VALUE);
        buf_puts(c->out, " lost before converting at the stage above");
    }
    buf_puts(c->out, "</text>\n");
}

static void funnel_row(Chart *c, const RtResult *r, int k, double y, double bar0, double barw)
{
    const Stage *st = r->model->stages[fig_funnel_stage(r, k)];
    HtmlRow row = html_row(r, &FIG_FUNNEL, k, -1, NULL, k);
    double rate = html_value(&row, FUN_REACHED).value;
    Buf t = BUF_INIT;
    chart_fit(&t, st->name.s, bar0 - 16, 13);
    buf_printf(c->out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"label\"><title>", bar0 - 10, y + 17);
    chart_escape(c->out, st->name.s);
    if (st->label.s) {
        buf_puts(c->out, ": ");
        chart_escape(c->out, st->label.s);
    }
    buf_printf(c->out, "</title>%s</text>\n", buf_str(&t));
    buf_free(&t);
    double w = rate > 0 ? fmax(barw * rate, 1.5) : 0;
    chart_rect(c, bar0, y, barw, 24, "#eef1f5", NULL, NULL);
    chart_rect(c, bar0, y, w, 24, st->goal ? GOOD : MAIN, NULL, NULL);
    text_open(c->out, bar0 + w + 8, y + 17, "value", NULL);
    html_member(c->out, &row, "tspan", NULL, FUN_REACHED, PART_COUNT);
    buf_puts(c->out, " \xC2\xB7 ");
    html_member(c->out, &row, "tspan", NULL, FUN_REACHED, PART_VALUE);
    buf_puts(c->out, "</text>\n");
}

void html_chart_funnel(Buf *b, const RtResult *r)
{
    int all = 0;
    for (int k = fig_first(&FIG_FUNNEL, r, -1); k >= 0; k = fig_after(&FIG_FUNNEL, r, -1, k)) all++;
    int n = all < FUNNEL_MAX ? all : FUNNEL_MAX;
    enum { PITCH = 46, TOP = 34, W = 960 };
    double bar0 = 210, barw = W - bar0 - 190;
    figure_open(b, "wide");
    Chart c;
    chart_open(&c, b, W, TOP + n * PITCH - 12, "Funnel: customers who reached each stage of the main path");
    ChartKey keys[] = {{"stage", MAIN, KEY_BOX, false}, {"goal stage (conversion)", GOOD, KEY_BOX, false}};
    chart_legend(&c, W - 4, 16, keys, 2, true);
    for (int k = 0; k < n; k++) {
        double y = TOP + k * PITCH;
        funnel_row(&c, r, k, y, bar0, barw);
        if (k + 1 < n) funnel_step(&c, r, k + 1, bar0 + 2, y + 24 + 15);
    }
    chart_close(&c);
    Buf cap = BUF_INIT;
    buf_puts(&cap, "Customers who reached each stage of the main path at least once, and their share of the cohort. "
                   "Between bars: the step-through rate, and the prospects lost at the stage above.");
    if (all > n) buf_printf(&cap, " The first %d of %d stages of the path; the table has them all.", n, all);
    if (all < r->model->nstages) buf_puts(&cap, " Stages off the main path are in the table of stages.");
    figure_close(b, buf_str(&cap));
    buf_free(&cap);
}

/* ---- emotion curves ---- */

/* The reason the curve of persona p gives for stage s (the string after its value), or NULL. */
static const char *curve_reason(const RtResult *r, int p, int s)
{
    const char *why = r->model->curve_reason[(size_t)p * (size_t)r->model->nstages + (size_t)s];
    return why && *why ? why : NULL;
}

/* A number above each declared point that has a reason: its note under the chart. */
static void curve_note_marks(Chart *c, const RtResult *r, int p, const double *decl)
{
    int k = 0;
    for (int s = 0; s < r->model->nstages; s++) {
        if (!curve_reason(r, p, s) || isnan(decl[s])) continue;
        Buf t = BUF_INIT;
        buf_printf(&t, "%d", ++k);
        chart_text(c, chart_x(c, s), chart_y(c, decl[s]) - 9, ANCHOR_MIDDLE, "note-mark", NULL, buf_str(&t));
        buf_free(&t);
    }
}

/* The curve's thoughts and feelings: each reason the journey gives, numbered as on the chart.
 * Whether there was any. */
static bool curve_notes(Buf *b, const RtResult *r, int p)
{
    const Model *m = r->model;
    int k = 0;
    for (int s = 0; s < m->nstages; s++) {
        const char *why = curve_reason(r, p, s);
        if (!why) continue;
        if (k++ == 0) buf_puts(b, "<ol class=\"why\" aria-label=\"Thoughts and feelings\">\n");
        size_t at = (size_t)p * (size_t)m->nstages + (size_t)s;
        buf_puts(b, "<li><b>");
        chart_escape(b, m->stages[s]->name.s);
        buf_puts(b, "</b> (");
        html_fig_text(b, r, m->curve[at], FIG_MOOD);
        buf_puts(b, "): \xE2\x80\x9C");
        chart_escape(b, why);
        buf_puts(b, "\xE2\x80\x9D</li>\n");
    }
    if (k) buf_puts(b, "</ol>\n");
    return k > 0;
}

static void curve_chart(Buf *b, const RtResult *r, int p, int json_index)
{
    const Model *m = r->model;
    int n = m->nstages;
    enum { W = 560 };
    const char **labels = xcalloc((size_t)n, sizeof *labels);
    double *x = xcalloc((size_t)n, sizeof *x), *decl = xcalloc((size_t)n, sizeof *decl),
           *sim = xcalloc((size_t)n, sizeof *sim);
    for (int s = 0; s < n; s++) {
        size_t at = (size_t)p * (size_t)n + (size_t)s;
        labels[s] = m->stages[s]->name.s;
        x[s] = s;
        /* as figures.def's CURVE_DECLARED: an expression's value per persona, NaN per customer */
        decl[s] = !m->curve_declared[at] ? NAN : r->rt && r->rt->curve_ps ? r->rt->curve_ps[at] : m->curve[at];
        sim[s] = r->curve_sim[at];
    }
    double left = 52, right = W - 16, top = 52;
    double slot = n > 1 ? (right - left - 24) / (n - 1) : right - left;
    double below = chart_category_space(labels, n, slot, 12, 110);
    Buf title = BUF_INIT;
    buf_printf(&title, "Emotion curve of %s", render_persona_name(r, p));
    if (m->personas[p]->label.s) buf_printf(&title, " (%s)", m->personas[p]->label.s);
    figure_open(b, "half");
    Chart c;
    chart_open(&c, b, W, top + 200 + below + 8, buf_str(&title));
    chart_plot_area(&c, left, top, right, top + 200);
    chart_scale(&c, n > 1 ? -12.0 / slot : -0.5, n > 1 ? n - 1 + 12.0 / slot : 0.5, -1, 1);
    double ticks[] = {-1, -0.5, 0, 0.5, 1};
    chart_y_axis(&c, ticks, 5, 0.5, CHART_SIGNED, NULL);
    chart_hline(&c, 0, "zero");
    chart_x_categories(&c, labels, n, 12, 110);
    Buf fit = BUF_INIT;
    chart_fit(&fit, buf_str(&title), W, 15);
    buf_printf(b, "<text x=\"0\" y=\"16\" class=\"chart-title\">%s</text>\n", buf_str(&fit));
    buf_free(&fit);
    ChartKey keys[] = {{"declared", DECLARED, KEY_DASHED, true}, {"simulated", MAIN, KEY_LINE, false}};
    chart_legend(&c, W - 4, 38, keys, r->exact ? 1 : 2, true);
    HtmlRow persona = html_row(r, &FIG_PERSONAS, p, -1, NULL, json_index);
    char path[FIG_PATH_MAX];
    html_member_path(path, &persona, PERSONA_CURVE, PART_VALUE);
    Buf attrs = BUF_INIT;
    html_series(&attrs, path, FIG_CURVE.members[CURVE_DECLARED].key, decl, n, 1);
    /* The declared curve joins the stages that declare a value (the others have none); the
     * simulated one breaks where no customer entered. */
    double *dx = xcalloc((size_t)n, sizeof *dx), *dy = xcalloc((size_t)n, sizeof *dy);
    int nd = 0;
    for (int s = 0; s < n; s++)
        if (!isnan(decl[s])) dx[nd] = s, dy[nd++] = decl[s];
    chart_line(&c, dx, dy, nd, DECLARED, true, buf_str(&attrs));
    bool dots = slot >= 12; /* markers while they do not crowd each other */
    if (dots || nd == 1) chart_markers(&c, dx, dy, nd, DECLARED, true);
    buf_clear(&attrs);
    html_series(&attrs, path, FIG_CURVE.members[CURVE_SIMULATED].key, sim, n, 1);
    chart_line(&c, x, sim, n, MAIN, false, buf_str(&attrs));
    if (dots || n == 1) chart_markers(&c, x, sim, n, MAIN, false);
    free(dx);
    free(dy);
    buf_free(&attrs);
    curve_note_marks(&c, r, p, decl);
    chart_close(&c);
    bool notes = curve_notes(b, r, p);
    Buf cap = BUF_INIT;
    buf_puts(&cap, r->exact ? "Mood on entry of each stage, from \xE2\x88\x92" "1 to +1, as the journey declares "
                              "it. Simulated moods are not available in an exact analysis."
                            : "Mean mood on entry of each stage, from \xE2\x88\x92" "1 to +1: as the journey declares "
                              "it (dashed) and as its customers felt it in the simulation (solid).");
    if (notes) buf_puts(&cap, " Numbered points: why, as the journey's curve says (above).");
    figure_close(b, buf_str(&cap));
    buf_free(&cap);
    buf_free(&title);
    free(labels);
    free(x);
    free(decl);
    free(sim);
}

void html_chart_curves(Buf *b, const RtResult *r)
{
    int shown = 0, json_index = 0;
    buf_puts(b, "<div class=\"grid2\">\n");
    for (int p = 0; p < r->rt->npersonas; p++) {
        if (r->persona >= 0 && p != r->persona) continue;
        if (shown < CURVES_MAX) curve_chart(b, r, p, json_index);
        shown++;
        json_index++;
    }
    buf_puts(b, "</div>\n");
    if (shown > CURVES_MAX)
        buf_printf(b, "<p class=\"note\">The curves of the first %d of %d personas.</p>\n", CURVES_MAX, shown);
}

/* ---- time axes ---- */

/* The unit of the time axis: days, or hours or minutes when every time shown is shorter than a
 * day or an hour (an axis from 0 to 0.04 days reads badly). `per_day` converts days into it. */
typedef struct TimeUnit {
    double per_day;
    const char *name;
} TimeUnit;

static TimeUnit time_unit(double end)
{
    if (!(end > 0)) return (TimeUnit){1, "days"}; /* nothing to show: an axis of one day */
    if (end <= 1.0 / 24) return (TimeUnit){24 * 60, "minutes"};
    if (end <= 1) return (TimeUnit){24, "hours"};
    return (TimeUnit){1, "days"};
}

/* ---- retention over time ---- */

/* Ticks of [0, end] that do not pass end. */
static double ticks_upto(double end, int most, double *ticks, int *n)
{
    double lo = 0, hi = end > 0 ? end : 1;
    double step = chart_ticks(&lo, &hi, most, ticks, n);
    while (*n > 1 && ticks[*n - 1] > end * (1 + 1e-9)) (*n)--;
    return step;
}

/* The frame of a chart of a share (0 to 100%) over time, from day 0 to `end`: a figure, its title,
 * the axes. The cohort's survival and the customers' retention share it. */
typedef struct ShareAxes {
    const char *aria, *title, *y_name, *x_suffix;
    int width, height, top;
} ShareAxes;

static void share_over_time_open(Chart *c, Buf *b, ShareAxes a, double end, TimeUnit u)
{
    figure_open(b, "half");
    chart_open(c, b, a.width, a.height, a.aria);
    chart_plot_area(c, 58, a.top, a.width - 18, a.height - 50);
    double xt[CHART_MAX_TICKS], yt[CHART_MAX_TICKS];
    int nx, ny;
    double xstep = ticks_upto(end * u.per_day, 8, xt, &nx);
    double ylo = 0, yhi = 1;
    double ystep = chart_ticks(&ylo, &yhi, 6, yt, &ny);
    chart_scale(c, 0, end > 0 ? end * u.per_day : 1, 0, 1);
    buf_printf(b, "<text x=\"0\" y=\"16\" class=\"chart-title\">%s</text>\n", a.title);
    chart_y_axis(c, yt, ny, ystep, CHART_PERCENT, a.y_name);
    Buf axis = BUF_INIT;
    buf_printf(&axis, "%s %s", u.name, a.x_suffix);
    chart_x_axis(c, xt, nx, xstep, CHART_NUMBER, buf_str(&axis));
    buf_free(&axis);
}

/* The dots of the cohort not churned at day 30 and 90 (the exact figures of the JSON report),
 * with their key in the top right corner. */
static void retention_markers(Chart *c, const RtResult *r, double end)
{
    static const int figures[] = {COHORT_RET_DAY_30, COHORT_RET_DAY_90};
    static const double days[] = {30, 90};
    HtmlRow retention = html_object(r, &FIG_COHORT_RETENTION);
    double at = c->width - 4;
    for (int i = 1; i >= 0; i--) {
        double v = html_value(&retention, figures[i]).value;
        if (!(days[i] <= end) || !isfinite(v)) continue;
        buf_printf(c->out,
                   "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n",
                   chart_x(c, days[i]), chart_y(c, v), i ? P90 : BAD);
        Buf t = BUF_INIT;
        buf_printf(&t, "day %.0f: ", days[i]);
        html_fig_text(&t, r, v, FIG_RATE);
        double w = chart_text_width(buf_str(&t), 12.5);
        text_open(c->out, at, 16, "value", "end");
        buf_printf(c->out, "day %.0f: ", days[i]);
        html_member(c->out, &retention, "tspan", NULL, figures[i], PART_VALUE);
        buf_puts(c->out, "</text>\n");
        buf_printf(c->out, "<circle cx=\"%.1f\" cy=\"12\" r=\"4.5\" fill=\"%s\"/>\n", at - w - 10, i ? P90 : BAD);
        at -= w + 30;
        buf_free(&t);
    }
}

void html_chart_retention(Buf *b, const RtResult *r)
{
    int n;
    RenderPoint *pts = render_retention_curve(r, &n);
    if (!pts) {
        missing(b, "half", "The whole cohort over time",
                "The whole cohort over time is not available in an exact analysis: it depends on when customers "
                "churn, which is left to chance.");
        return;
    }
    enum { W = 560, H = 330 };
    double end = pts[n - 1].day;
    /* Drawn as steps: the share is known at each point, and churn between two points is drawn
     * at the later one (customers who all churn on day 2 drop at day 2, not from day 1). */
    int ns = 2 * n - 1;
    double *x = xcalloc((size_t)ns, sizeof *x), *y = xcalloc((size_t)ns, sizeof *y);
    double *flat = xcalloc((size_t)n * 2, sizeof *flat);
    TimeUnit u = time_unit(end);
    for (int i = 0; i < n; i++) {
        x[2 * i] = pts[i].day * u.per_day;
        y[2 * i] = pts[i].retained;
        if (i + 1 < n) {
            x[2 * i + 1] = pts[i + 1].day * u.per_day;
            y[2 * i + 1] = pts[i].retained;
        }
        flat[2 * i] = pts[i].day;
        flat[2 * i + 1] = pts[i].retained;
    }
    Chart c;
    share_over_time_open(&c, b, (ShareAxes){"The whole cohort over time: share of prospects and customers not churned",
                                            "The whole cohort over time", "of the cohort not churned",
                                            "since the first stage", W, H, 34},
                         end, u);
    chart_area(&c, x, y, ns, MAIN, 0.12);
    Buf attrs = BUF_INIT;
    html_series(&attrs, FIG_REPORT.members[R_COHORT_RETENTION_CURVE].key, FIG_COHORT_RETENTION_CURVE.keys, flat, n,
                FIG_COHORT_RETENTION_CURVE.nkeys);
    chart_line(&c, x, y, ns, MAIN, false, buf_str(&attrs));
    buf_free(&attrs);
    if (u.per_day == 1) retention_markers(&c, r, end); /* day 30 and 90 lie beyond a shorter axis */
    chart_close(&c);
    Buf cap = BUF_INIT;
    buf_puts(&cap, r->has_horizon ? "The share of the whole cohort, prospects and customers, that has not churned by "
                                    "each day of its journey, up to the horizon (those still in the journey then "
                                    "count as not churned). Customer retention is the chart above."
                                  : "The share of the whole cohort, prospects and customers, that has not churned by "
                                    "each day of its journey, up to the last churn. Customer retention is the chart "
                                    "above.");
    if (u.per_day == 1) buf_puts(&cap, " Dots: the cohort not churned at days 30 and 90.");
    figure_close(b, buf_str(&cap));
    buf_free(&cap);
    free(x);
    free(y);
    free(flat);
    free(pts);
}

/* ---- customer retention (Kaplan-Meier) ---- */

/* The dots of R(d) at the headline's days, each with its key in a row under the title. */
static void customer_retention_markers(Chart *c, const RtResult *r, double per_day)
{
    HtmlRow ret = html_object(r, &FIG_CUSTOMER_RETENTION);
    snprintf(ret.path, sizeof ret.path, "%s.%s", FIG_CUSTOMERS.key, FIG_CUSTOMER_RETENTION.key);
    double at = 0;
    for (int d = 0; d < RT_RETENTION_DAYS; d++) {
        double v = html_value(&ret, d).value, day = rt_retention_days[d];
        if (!isfinite(v) || !(day * per_day <= c->x1)) continue;
        const char *colour = chart_colour(d + 1);
        buf_printf(c->out,
                   "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n",
                   chart_x(c, day * per_day), chart_y(c, v), colour);
        Buf t = BUF_INIT;
        buf_printf(&t, "%.0f d: ", day);
        html_fig_text(&t, r, v, FIG_RATE);
        buf_printf(c->out, "<circle cx=\"%.1f\" cy=\"32\" r=\"4.5\" fill=\"%s\"/>\n", at + 5, colour);
        text_open(c->out, at + 14, 36, "value", NULL);
        buf_printf(c->out, "%.0f d: ", day);
        html_member(c->out, &ret, "tspan", NULL, d, PART_VALUE);
        buf_puts(c->out, "</text>\n");
        at += 14 + chart_text_width(buf_str(&t), 12.5) + 16;
        buf_free(&t);
    }
}

void html_chart_customer_retention(Buf *b, const RtResult *r)
{
    FigValue curve = html_value_of(r, R_CUSTOMER_RETENTION_CURVE);
    int n = 0;
    RenderKmPoint *pts = curve.note ? NULL : render_customer_retention_curve(r, &n);
    if (!pts) {
        missing(b, "half", "Customer retention", curve.note ? curve.note : "No customer was followed after converting.");
        return;
    }
    enum { W = 560, H = 350 };
    double end = pts[n - 1].day;
    TimeUnit u = time_unit(end);
    /* Steps, as a Kaplan-Meier curve is: it drops at each churn and stays flat between. */
    int ns = 2 * n - 1;
    double *x = xcalloc((size_t)ns, sizeof *x), *y = xcalloc((size_t)ns, sizeof *y);
    double *lo = xcalloc((size_t)ns, sizeof *lo), *hi = xcalloc((size_t)ns, sizeof *hi);
    double *flat = xcalloc((size_t)n * 4, sizeof *flat);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 2 && 2 * i + k < ns; k++) {
            int at = 2 * i + k;
            x[at] = (k ? pts[i + 1].day : pts[i].day) * u.per_day;
            y[at] = pts[i].retained;
            lo[at] = pts[i].lo;
            hi[at] = pts[i].hi;
        }
        flat[4 * i] = pts[i].day;
        flat[4 * i + 1] = pts[i].retained;
        flat[4 * i + 2] = pts[i].lo;
        flat[4 * i + 3] = pts[i].hi;
    }
    Chart c;
    share_over_time_open(&c, b, (ShareAxes){"Customer retention: share of customers not churned, by days after converting",
                                            "Customer retention", "customers not churned", "after converting", W, H,
                                            54},
                         end, u);
    chart_band(&c, x, lo, hi, ns, MAIN, 0.18);
    Buf attrs = BUF_INIT;
    html_series(&attrs, FIG_REPORT.members[R_CUSTOMER_RETENTION_CURVE].key, FIG_CUSTOMER_RETENTION_CURVE.keys, flat,
                n, FIG_CUSTOMER_RETENTION_CURVE.nkeys);
    chart_line(&c, x, y, ns, MAIN, false, buf_str(&attrs));
    buf_free(&attrs);
    customer_retention_markers(&c, r, u.per_day);
    chart_close(&c);
    Buf cap = BUF_INIT;
    buf_puts(&cap, "Kaplan\xE2\x80\x93Meier estimate of the share of customers not churned, by the time since their "
                   "own conversion; the band is its 95% interval. A customer who converts late is followed only up "
                   "to the horizon (censored there, not counted as churned), and completing the journey is not "
                   "churn. The curve ends at the longest follow-up, ");
    html_fig_text(&cap, r, end, FIG_DAYS);
    buf_puts(&cap, ".");
    figure_close(b, buf_str(&cap));
    buf_free(&cap);
    free(x);
    free(y);
    free(lo);
    free(hi);
    free(flat);
    free(pts);
}

/* ---- the calendar ---- */

/* The calendar's columns as arrays over its months. */
typedef struct Months {
    int n;
    double *month, *new_customers, *churned, *active, *revenue, *cost;
} Months;

static Months months_of(const RtResult *r)
{
    Months m = {0};
    for (int i = fig_first(&FIG_CALENDAR, r, -1); i >= 0; i = fig_after(&FIG_CALENDAR, r, -1, i)) m.n++;
    double **cols[] = {&m.month, &m.new_customers, &m.churned, &m.active, &m.revenue, &m.cost};
    static const int members[] = {CAL_MONTH, CAL_NEW_CUSTOMERS, CAL_CHURNED, CAL_ACTIVE, CAL_REVENUE, CAL_COST};
    for (int k = 0; k < 6; k++) *cols[k] = xcalloc((size_t)m.n + 1, sizeof **cols[k]);
    for (int i = 0; i < m.n; i++)
        for (int k = 0; k < 6; k++) (*cols[k])[i] = fig_get(&FIG_CALENDAR.members[members[k]], r, i, -1).value;
    return m;
}

static void months_free(Months *m)
{
    free(m->month);
    free(m->new_customers);
    free(m->churned);
    free(m->active);
    free(m->revenue);
    free(m->cost);
}

/* The values of several columns, month by month, for html_series(). */
static double *interleave(const Months *m, double *const *cols, int ncols)
{
    double *v = xcalloc((size_t)m->n * (size_t)ncols + 1, sizeof *v);
    for (int i = 0; i < m->n; i++)
        for (int k = 0; k < ncols; k++) v[i * ncols + k] = cols[k][i];
    return v;
}

/* A chart of months 1..n: axes, the legend; returns the width of a month's slot. */
static double calendar_axes(Chart *c, const Months *m, double top, const char *title, const char *y_title,
                            const ChartKey *keys, int nkeys)
{
    double xt[CHART_MAX_TICKS], yt[CHART_MAX_TICKS];
    int nx, ny;
    double lo = 1, hi = m->n > 1 ? m->n : 2;
    double xstep = chart_ticks(&lo, &hi, 8, xt, &nx);
    if (xstep < 1) xstep = 1;
    int keep = 0;
    for (int i = 0; i < nx; i++)
        if (xt[i] >= 1 && xt[i] <= m->n && xt[i] == floor(xt[i])) xt[keep++] = xt[i];
    double ylo = 0, yhi = top > 0 ? top : 1;
    double ystep = chart_ticks(&ylo, &yhi, 6, yt, &ny);
    chart_scale(c, 0.5, m->n + 0.5, 0, yhi);
    buf_printf(c->out, "<text x=\"0\" y=\"16\" class=\"chart-title\">%s</text>\n", title);
    chart_y_axis(c, yt, ny, ystep, CHART_NUMBER, y_title);
    chart_x_axis(c, xt, keep, xstep, CHART_NUMBER, "month (30 days each)");
    chart_legend(c, 0, 38, keys, nkeys, false);
    return chart_x(c, 1.5) - chart_x(c, 0.5);
}

static double top_of(const double *v, int n)
{
    double top = 0;
    for (int i = 0; i < n; i++) top = fmax(top, isfinite(v[i]) ? v[i] : 0);
    return top;
}

/* A bar of month i, in half `half` (0 left, 1 right, -1 the whole slot). */
static void month_bar(Chart *c, const RtResult *r, double month, double value, double slot, int half,
                      const char *colour, const char *what, FigKind kind)
{
    if (!(value > 0)) return;
    double w = half < 0 ? slot * 0.7 : slot * 0.38, x0 = chart_x(c, month) - (half < 0 ? w / 2 : half ? 0 : w);
    Buf tip = BUF_INIT;
    buf_printf(&tip, "month %.0f: ", month);
    html_fig_text(&tip, r, value, kind);
    buf_printf(&tip, " %s", what);
    double y = chart_y(c, value);
    chart_rect(c, x0, y, w, c->bottom - y, colour, NULL, buf_str(&tip));
    buf_free(&tip);
}

static void calendar_customers(Buf *b, const RtResult *r, const Months *m)
{
    enum { W = 560, H = 350 };
    double top = fmax(top_of(m->active, m->n), fmax(top_of(m->new_customers, m->n), top_of(m->churned, m->n)));
    figure_open(b, "half");
    Chart c;
    chart_open(&c, b, W, H, "Customers by month: new, churned, and active at the month's end");
    chart_plot_area(&c, 58, 54, W - 18, H - 50);
    ChartKey keys[] = {{"new customers", GOOD, KEY_BOX, false},
                       {"churned customers", BAD, KEY_BOX, false},
                       {"active at month end", MAIN, KEY_LINE, false}};
    double slot = calendar_axes(&c, m, top, "Customers by month", "customers", keys, 3);
    double *cols[] = {m->month, m->new_customers, m->churned, m->active};
    double *v = interleave(m, cols, 4);
    Buf attrs = BUF_INIT;
    const Figure *f = FIG_CALENDAR.members;
    Buf keynames = BUF_INIT;
    buf_printf(&keynames, "%s %s %s %s", f[CAL_MONTH].key, f[CAL_NEW_CUSTOMERS].key, f[CAL_CHURNED].key,
               f[CAL_ACTIVE].key);
    html_series(&attrs, FIG_REPORT.members[R_CALENDAR].key, buf_str(&keynames), v, m->n, 4);
    buf_printf(b, "<g%s>\n", buf_str(&attrs));
    for (int i = 0; i < m->n; i++) {
        month_bar(&c, r, m->month[i], m->new_customers[i], slot, 0, GOOD, "new customers", FIG_COUNT);
        month_bar(&c, r, m->month[i], m->churned[i], slot, 1, BAD, "churned customers", FIG_COUNT);
    }
    buf_puts(b, "</g>\n");
    chart_line(&c, m->month, m->active, m->n, MAIN, false, NULL);
    if (m->n == 1) chart_markers(&c, m->month, m->active, m->n, MAIN, false);
    chart_close(&c);
    figure_close(b, "Customers who converted and customers who churned in each month of calendar time, and the "
                    "customers active at the month's end (all converted so far minus all churned so far).");
    buf_free(&attrs);
    buf_free(&keynames);
    free(v);
}

static void calendar_money(Buf *b, const RtResult *r, const Months *m)
{
    enum { W = 560, H = 350 };
    double top = fmax(top_of(m->revenue, m->n), top_of(m->cost, m->n));
    figure_open(b, "half");
    Chart c;
    chart_open(&c, b, W, H, "Revenue and cost by month");
    chart_plot_area(&c, 58, 54, W - 18, H - 50);
    ChartKey keys[] = {{"revenue in the month (MRR)", MAIN, KEY_BOX, false},
                       {"cost in the month", BAD, KEY_DASHED, false}};
    double slot = calendar_axes(&c, m, top, "Revenue and cost by month", "money", keys, 2);
    double *cols[] = {m->month, m->revenue, m->cost};
    double *v = interleave(m, cols, 3);
    Buf attrs = BUF_INIT, keynames = BUF_INIT;
    const Figure *f = FIG_CALENDAR.members;
    buf_printf(&keynames, "%s %s %s", f[CAL_MONTH].key, f[CAL_REVENUE].key, f[CAL_COST].key);
    html_series(&attrs, FIG_REPORT.members[R_CALENDAR].key, buf_str(&keynames), v, m->n, 3);
    buf_printf(b, "<g%s>\n", buf_str(&attrs));
    for (int i = 0; i < m->n; i++) month_bar(&c, r, m->month[i], m->revenue[i], slot, -1, MAIN, "revenue", FIG_MONEY);
    buf_puts(b, "</g>\n");
    chart_line(&c, m->month, m->cost, m->n, BAD, true, NULL);
    if (m->n == 1) chart_markers(&c, m->month, m->cost, m->n, BAD, false);
    chart_close(&c);
    figure_close(b, "Revenue earned and cost spent in each month of calendar time, when the entry that earned or "
                    "spent it happened (for a subscription, the revenue of a month is its MRR).");
    buf_free(&attrs);
    buf_free(&keynames);
    free(v);
}

void html_chart_calendar(Buf *b, const RtResult *r)
{
    FigValue cal = html_value_of(r, R_CALENDAR);
    Months m = cal.note ? (Months){0} : months_of(r);
    if (m.n == 0) {
        missing(b, "half", "Customers by month", cal.note ? cal.note : "The run has no month to show.");
        months_free(&m);
        return;
    }
    calendar_customers(b, r, &m);
    calendar_money(b, r, &m);
    months_free(&m);
}

/* ---- time to convert ---- */

static void ttc_bars(Chart *c, const RtResult *r, const RenderBin *bins, int n, double step, TimeUnit u)
{
    for (int i = 0; i < n; i++) {
        bool open = isinf(bins[i].to);
        double from = bins[i].from, to = open ? from + step : bins[i].to;
        double x0 = chart_x(c, from * u.per_day) + 1, x1 = chart_x(c, to * u.per_day) - 1, y = chart_y(c, bins[i].count);
        Buf tip = BUF_INIT;
        if (open) buf_printf(&tip, "%g %s or more: ", from * u.per_day, u.name);
        else buf_printf(&tip, "%g to %g %s: ", from * u.per_day, to * u.per_day, u.name);
        html_fig_text(&tip, r, bins[i].count, FIG_COUNT);
        buf_puts(&tip, " conversions");
        chart_rect(c, x0, y, x1 - x0, c->bottom - y, open ? "#7fb4d9" : MAIN, NULL, buf_str(&tip));
        if (open) chart_text(c, (x0 + x1) / 2, y - 6, ANCHOR_MIDDLE, "tick", NULL, "later");
        buf_free(&tip);
    }
}

void html_chart_ttc(Buf *b, const RtResult *r)
{
    int n;
    RenderBin *bins = render_ttc_histogram(r, &n);
    if (!bins) {
        missing(b, "half", "Time to convert",
                r->exact ? "The distribution of times to convert is not available in an exact analysis: only "
                           "their mean is."
                         : "No customer converted, so there is no time to convert.");
        return;
    }
    enum { W = 560, H = 330 };
    bool open = isinf(bins[n - 1].to);
    double step = bins[0].to - bins[0].from, end = open ? bins[n - 1].from + step : bins[n - 1].to, top = 0;
    TimeUnit u = time_unit(end);
    double *flat = xcalloc((size_t)n * 3, sizeof *flat);
    for (int i = 0; i < n; i++) {
        top = fmax(top, bins[i].count);
        flat[3 * i] = bins[i].from;
        flat[3 * i + 1] = bins[i].to;
        flat[3 * i + 2] = bins[i].count;
    }
    figure_open(b, "half");
    Chart c;
    Buf label = BUF_INIT;
    buf_printf(&label, "Time to convert: conversions by %s from the first stage", u.name);
    chart_open(&c, b, W, H, buf_str(&label));
    chart_plot_area(&c, 58, 34, W - 18, H - 50);
    double xt[CHART_MAX_TICKS], yt[CHART_MAX_TICKS];
    int nx, ny;
    double xstep = ticks_upto((open ? bins[n - 1].from : end) * u.per_day, 8, xt, &nx);
    double ylo = 0, yhi = top > 0 ? top : 1;
    double ystep = chart_ticks(&ylo, &yhi, 6, yt, &ny);
    chart_scale(&c, 0, end * u.per_day, 0, yhi);
    buf_puts(b, "<text x=\"0\" y=\"16\" class=\"chart-title\">Time to convert</text>\n");
    chart_y_axis(&c, yt, ny, ystep < 1 ? 1 : ystep, CHART_NUMBER, "conversions");
    buf_clear(&label);
    buf_printf(&label, "%s from the first stage to the conversion", u.name);
    chart_x_axis(&c, xt, nx, xstep, CHART_NUMBER, buf_str(&label));
    buf_free(&label);
    Buf attrs = BUF_INIT;
    HtmlRow ttc = html_object(r, &FIG_TIME_TO_CONVERT);
    char path[FIG_PATH_MAX];
    html_series(&attrs, html_member_path(path, &ttc, TTC_HISTOGRAM, PART_VALUE), FIG_TTC_HISTOGRAM.keys, flat, n,
                FIG_TTC_HISTOGRAM.nkeys);
    buf_printf(b, "<g%s>\n", buf_str(&attrs));
    ttc_bars(&c, r, bins, n, step, u);
    buf_puts(b, "</g>\n");
    buf_free(&attrs);
    chart_vline(&c, r->ttc_median * u.per_day, "marker", BAD);
    chart_vline(&c, r->ttc_p90 * u.per_day, "marker", P90);
    Buf med = BUF_INIT, p90 = BUF_INIT;
    buf_puts(&med, "median ");
    html_fig_text(&med, r, r->ttc_median, FIG_DAYS);
    buf_puts(&p90, "90th percentile ");
    html_fig_text(&p90, r, r->ttc_p90, FIG_DAYS);
    ChartKey keys[] = {{buf_str(&med), BAD, KEY_RULE, false}, {buf_str(&p90), P90, KEY_RULE, false}};
    chart_legend(&c, W - 4, 16, keys, 2, true);
    buf_free(&med);
    buf_free(&p90);
    chart_close(&c);
    Buf cap = BUF_INIT;
    buf_printf(&cap, "Converted customers by the %s they took to convert", u.name);
    buf_puts(&cap, open ? ", up to the 99th percentile; the last, lighter bar holds the slower ones." : ".");
    figure_close(b, buf_str(&cap));
    buf_free(&cap);
    free(flat);
    free(bins);
}

/* ---- churn reasons ---- */

static int by_count_desc(const void *pa, const void *pb)
{
    const RtReasonRow *const *a = pa, *const *b = pb;
    if ((*a)->count != (*b)->count) return (*a)->count < (*b)->count ? 1 : -1;
    return *a < *b ? -1 : *a > *b;
}

static int by_position(const void *pa, const void *pb)
{
    const RtReasonRow *const *a = pa, *const *b = pb;
    return *a < *b ? -1 : *a > *b;
}

/* The reasons shown: the REASONS_MAX largest that happened, back in stage order; *all says how
 * many happened. */
static int pick_reasons(const RtResult *r, const RtReasonRow **out, int *all)
{
    int n = 0;
    for (int i = 0; i < r->nreasons; i++)
        if (r->reasons[i].count > 0) out[n++] = &r->reasons[i];
    *all = n;
    if (n > REASONS_MAX) {
        qsort(out, (size_t)n, sizeof *out, by_count_desc);
        n = REASONS_MAX;
        qsort(out, (size_t)n, sizeof *out, by_position);
    }
    return n;
}

static void churn_row(Chart *c, const RtResult *r, const RtReasonRow *x, int group, bool first, double y, double top)
{
    enum { BAR0 = 470, BARW = 960 - BAR0 - 160 };
    int i = (int)(x - r->reasons);
    if (first) {
        Buf t = BUF_INIT;
        chart_fit(&t, rt_stage_name(r->rt, x->stage), 170, 13);
        buf_printf(c->out, "<text x=\"0\" y=\"%.1f\" class=\"label strong\">%s</text>\n", y + 15, buf_str(&t));
        buf_free(&t);
        if (y > c->top)
            buf_printf(c->out, "<line class=\"grid\" x1=\"0\" y1=\"%.1f\" x2=\"960\" y2=\"%.1f\"/>\n", y - 4, y - 4);
    }
    Buf t = BUF_INIT;
    chart_fit(&t, *x->reason ? x->reason : "(no reason given)", 270, 13);
    buf_printf(c->out, "<text x=\"180\" y=\"%.1f\" class=\"label\">%s</text>\n", y + 15, buf_str(&t));
    buf_free(&t);
    double w = x->count / top * BARW;
    chart_rect(c, BAR0, y, w > 1.5 ? w : 1.5, 20, chart_colour(group % 6), NULL, NULL);
    HtmlRow row = html_row(r, &FIG_REASONS, i, -1, NULL, i);
    count_and_share(c, &row, REASON_COUNT, REASON_RATE, BAR0 + w + 8, y + 15);
}

void html_chart_churn(Buf *b, const RtResult *r)
{
    const RtReasonRow **rows = xcalloc((size_t)r->nreasons + 1, sizeof *rows);
    int all;
    int n = pick_reasons(r, rows, &all);
    if (n == 0) {
        missing(b, "wide", "Churn reasons", "No customer churned.");
        free(rows);
        return;
    }
    enum { PITCH = 28, TOP = 8 };
    double top = 0;
    for (int i = 0; i < n; i++) top = fmax(top, rows[i]->count);
    figure_open(b, "wide");
    Chart c;
    chart_open(&c, b, 960, TOP + n * PITCH + 2, "Churn reasons by stage");
    int group = -1;
    for (int i = 0; i < n; i++) {
        bool first = i == 0 || rows[i]->stage != rows[i - 1]->stage;
        group += first;
        churn_row(&c, r, rows[i], group, first, TOP + i * PITCH, top);
    }
    chart_close(&c);
    Buf cap = BUF_INIT;
    buf_puts(&cap, "Churned customers by the stage they left and the reason given, in stage order, with their "
                   "share of the cohort.");
    if (n < all) buf_printf(&cap, " The %d largest of %d reasons; the table has them all.", n, all);
    figure_close(b, buf_str(&cap));
    buf_free(&cap);
    free(rows);
}
