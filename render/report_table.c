/* report_table.c: the report for a terminal: headline figures first, then the funnel, ways out,
 * churn reasons, personas with their emotion curves, touchpoints, channels, pain points and
 * opportunities, and warnings. Columns
 * are aligned by characters (UTF-8 aware), numbers to the right. In an exact analysis counts
 * are expected values and keep one decimal. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "format.h"
#include "report.h"

/* ---- number formats ---- */

static const char *count_fmt(const RtResult *r) { return r->exact ? "%.1f" : "%.0f"; }

static void cell_count(Grid *g, const RtResult *r, double v)
{
    if (!isfinite(v)) grid_cell(g, "-");
    else grid_cell(g, count_fmt(r), v);
}

static void cell_pct(Grid *g, double num, double den)
{
    if (!(den > 0) || !isfinite(num)) grid_cell(g, "-");
    else grid_cell(g, "%.1f%%", 100 * num / den);
}

static void cell_mood(Grid *g, double v)
{
    if (!isfinite(v)) grid_cell(g, "-");
    else grid_cell(g, "%+.2f", v == 0 ? 0.0 : v);
}

static void cell_money(Grid *g, double v)
{
    if (!isfinite(v)) grid_cell(g, "-");
    else grid_cell(g, "%.2f", v == 0 ? 0.0 : v);
}

/* ", 95% CI 18.75–21.51" after a money figure; nothing when it has no interval (an exact
 * analysis). */
static void money_interval(Buf *b, RtEstimate e)
{
    if (!isfinite(e.lo) || !isfinite(e.hi)) return;
    /* rounded first, so that a bound just below 0 shows as 0.00, not -0.00 */
    double lo = round(e.lo * 100) / 100, hi = round(e.hi * 100) / 100;
    buf_printf(b, ", 95%% CI %.2f–%.2f", lo == 0 ? 0.0 : lo, hi == 0 ? 0.0 : hi);
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

static void rate_line(Grid *g, const RtResult *r, const char *what, double count, bool ci)
{
    RtRate x = rt_rate(count, r->cohort, r->exact);
    grid_cell(g, "%s", what);
    cell_count(g, r, count);
    cell_pct(g, count, r->cohort);
    if (ci && !r->exact) grid_cell(g, "95%% CI %.1f%%–%.1f%%", 100 * x.lo, 100 * x.hi);
    else grid_cell(g, "%s", "");
}

static void headline(const RtResult *r, Buf *b)
{
    buf_puts(b, "\nHeadline\n");
    Grid g;
    grid_init(&g, "lrrl");
    rate_line(&g, r, "Converted", r->converted, true);
    rate_line(&g, r, "Churned", r->churned, true);
    rate_line(&g, r, "Completed", r->completed, false);
    rate_line(&g, r, r->has_horizon && !r->exact ? "Active at horizon" : "Active", r->active, false);
    grid_print(&g, b);
    Buf t = BUF_INIT;
    buf_puts(&t, "mean ");
    days(&t, r->ttc_mean);
    buf_puts(&t, " · median ");
    days(&t, r->ttc_median);
    buf_puts(&t, " · 90th percentile ");
    days(&t, r->ttc_p90);
    grid_init(&g, "ll");
    grid_cell(&g, "Time to convert");
    grid_cell(&g, "%s", buf_str(&t));
    buf_free(&t);
    grid_cell(&g, "Retention");
    static const char *const when[] = {"day 7", "day 30", "day 90", "horizon"};
    for (int i = 0; i < 4; i++) {
        if (isfinite(r->retention[i])) buf_printf(&t, "%s%s %.1f%%", i ? " · " : "", when[i], 100 * r->retention[i]);
        else buf_printf(&t, "%s%s -", i ? " · " : "", when[i]);
    }
    grid_cell(&g, "%s", buf_str(&t));
    buf_free(&t);
    RtMoney money = rt_money(r);
    buf_printf(&t, "%.2f per customer", money.revenue.value);
    money_interval(&t, money.revenue);
    buf_printf(&t, " (%.2f in all)", r->revenue);
    grid_cell(&g, "Revenue");
    grid_cell(&g, "%s", buf_str(&t));
    buf_free(&t);
    buf_printf(&t, "%.2f per customer", money.cost.value);
    money_interval(&t, money.cost);
    if (isfinite(money.cac.value)) {
        buf_printf(&t, " · CAC %.2f per conversion", money.cac.value);
        money_interval(&t, money.cac);
    } else {
        buf_puts(&t, " · CAC -");
    }
    grid_cell(&g, "Cost");
    grid_cell(&g, "%s", buf_str(&t));
    buf_free(&t);
    grid_cell(&g, "NPS · CSAT");
    if (isfinite(r->nps)) grid_cell(&g, "%+.1f · %.2f / 5", r->nps == 0 ? 0.0 : r->nps, r->csat);
    else grid_cell(&g, "- (moods are not part of an exact analysis)");
    grid_print(&g, b);
}

static void funnel(const RtResult *r, Buf *b)
{
    buf_puts(b, "\nFunnel\n");
    Grid g;
    grid_init(&g, "lrrrrrrrrr");
    const char *head[] = {"Stage", "Reached", "%", "Entries", "Mood", "Converted", "Churned", "Completed", "Active",
                          "Revenue"};
    for (int i = 0; i < 10; i++) grid_cell(&g, "%s", head[i]);
    for (int s = 0; s < r->rt->nstages; s++) {
        const RtStageRow *x = &r->stages[s];
        grid_cell(&g, "%s%s", r->model->stages[s]->name.s, r->model->stages[s]->goal ? " (goal)" : "");
        cell_count(&g, r, x->reached);
        cell_pct(&g, x->reached, r->cohort);
        cell_count(&g, r, x->entries);
        cell_mood(&g, x->mean_mood);
        cell_count(&g, r, x->converted);
        cell_count(&g, r, x->churned);
        cell_count(&g, r, x->completed);
        cell_count(&g, r, x->active);
        cell_money(&g, x->revenue);
    }
    grid_print(&g, b);
}

/* What did not leave stage `s` by a way out, as a share of its entries: the entries the horizon
 * cut while in it, and the customers who completed there. */
static void stayed_rows(Grid *g, const RtResult *r, int s)
{
    const RtStageRow *x = &r->stages[s];
    struct { double count; const char *what; } rows[] = {
        {render_stage_still(r, s), "still in the stage at the horizon"},
        {x->completed, "completed in the stage"},
    };
    for (int i = 0; i < 2; i++) {
        if (!(rows[i].count > 0)) continue;
        grid_cell(g, "%s", "");
        grid_cell(g, "(%s)", rows[i].what);
        cell_count(g, r, rows[i].count);
        if (x->entries > 0) grid_cell(g, "%.1f%% of entries", 100 * (rows[i].count / x->entries));
        else grid_cell(g, "-");
    }
}

static void ways_out(const RtResult *r, Buf *b)
{
    if (r->nexits == 0) return;
    buf_puts(b, "\nWays out (share of the stage's exits: of the customers who left the stage, the share that took "
                "each way)\n");
    Grid g;
    grid_init(&g, "llrr");
    const char *head[] = {"Stage", "Way out", "Taken", "% of exits"};
    for (int i = 0; i < 4; i++) grid_cell(&g, "%s", head[i]);
    for (int i = 0; i < r->nexits; i++) {
        const RtExitRow *x = &r->exits[i];
        bool first = i == 0 || r->exits[i - 1].stage != x->stage;
        grid_cell(&g, "%s", first ? r->model->stages[x->stage]->name.s : "");
        Buf t = BUF_INIT;
        buf_printf(&t, "-> %s", rt_stage_name(r->rt, x->target));
        if (x->reason && *x->reason) buf_printf(&t, " \"%s\"", x->reason);
        if (x->via_rule) buf_puts(&t, " (rule)");
        grid_cell(&g, "%s", buf_str(&t));
        buf_free(&t);
        cell_count(&g, r, x->count);
        /* As a share first, then a percentage, as the HTML report and the pictures compute it, so
         * that all show the same digits. */
        cell_pct(&g, render_share_of_exits(r, x), 1);
        bool last = i + 1 == r->nexits || r->exits[i + 1].stage != x->stage;
        if (last) stayed_rows(&g, r, x->stage);
    }
    grid_print(&g, b);
}

static int by_count_desc(const void *pa, const void *pb)
{
    const RtReasonRow *a = pa, *b = pb;
    if (a->count != b->count) return a->count < b->count ? 1 : -1;
    if (a->stage != b->stage) return a->stage < b->stage ? -1 : 1;
    return strcmp(a->reason, b->reason);
}

static void reasons(const RtResult *r, Buf *b)
{
    if (r->nreasons == 0) return;
    buf_puts(b, "\nChurn reasons\n");
    RtReasonRow *v = xcalloc((size_t)r->nreasons, sizeof *v);
    memcpy(v, r->reasons, (size_t)r->nreasons * sizeof *v);
    qsort(v, (size_t)r->nreasons, sizeof *v, by_count_desc);
    Grid g;
    grid_init(&g, "llrrr");
    const char *head[] = {"Stage", "Reason", "Customers", "% of cohort", "% of churn"};
    for (int i = 0; i < 5; i++) grid_cell(&g, "%s", head[i]);
    for (int i = 0; i < r->nreasons; i++) {
        grid_cell(&g, "%s", rt_stage_name(r->rt, v[i].stage));
        grid_cell(&g, "%s", *v[i].reason ? v[i].reason : "(no reason given)");
        cell_count(&g, r, v[i].count);
        cell_pct(&g, v[i].count, r->cohort);
        cell_pct(&g, v[i].count, r->churned);
    }
    grid_print(&g, b);
    free(v);
}

static void personas(const RtResult *r, Buf *b)
{
    buf_puts(b, "\nPersonas\n");
    Grid g;
    grid_init(&g, "lrrrrrr");
    const char *head[] = {"Persona", "Share", "Customers", "Converted", "%", "Churned", "%"};
    for (int i = 0; i < 7; i++) grid_cell(&g, "%s", head[i]);
    for (int p = 0; p < r->rt->npersonas; p++) {
        if (r->persona >= 0 && p != r->persona) continue;
        const RtPersonaRow *x = &r->personas[p];
        grid_cell(&g, "%s", render_persona_name(r, p));
        grid_cell(&g, "%.1f%%", 100 * (r->persona >= 0 ? 1 : r->model->share[p]));
        cell_count(&g, r, x->customers);
        cell_count(&g, r, x->converted);
        cell_pct(&g, x->converted, x->customers);
        cell_count(&g, r, x->churned);
        cell_pct(&g, x->churned, x->customers);
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
    const Model *m = r->model;
    for (int p = 0; p < m->npersonas; p++) {
        if (r->persona >= 0 && p != r->persona) continue;
        for (int s = 0; s < m->nstages; s++) {
            const char *why = m->curve_reason[(size_t)p * (size_t)m->nstages + (size_t)s];
            if (why && *why) return true;
        }
    }
    return false;
}

static void curves(const RtResult *r, Buf *b)
{
    const Model *m = r->model;
    bool why = any_curve_reason(r);
    buf_puts(b, "\nEmotion curves (mood on entry, -1..+1: declared vs simulated)\n");
    Grid g;
    grid_init(&g, why ? "llrrll" : "llrrl");
    const char *head[] = {"Persona", "Stage", "Declared", "Simulated", "", "Why"};
    for (int i = 0; i < (why ? 6 : 5); i++) grid_cell(&g, "%s", head[i]);
    for (int p = 0; p < m->npersonas; p++) {
        if (r->persona >= 0 && p != r->persona) continue;
        for (int s = 0; s < m->nstages; s++) {
            size_t at = (size_t)p * (size_t)m->nstages + (size_t)s;
            grid_cell(&g, "%s", s == 0 ? render_persona_name(r, p) : "");
            grid_cell(&g, "%s", m->stages[s]->name.s);
            cell_mood(&g, m->curve_declared[at] ? m->curve[at] : NAN);
            cell_mood(&g, r->curve_sim[at]);
            Buf t = BUF_INIT;
            mood_bar(&t, isfinite(r->curve_sim[at]) ? r->curve_sim[at] : NAN);
            grid_cell(&g, "%s", isfinite(r->curve_sim[at]) ? buf_str(&t) : "");
            buf_free(&t);
            if (why) grid_cell(&g, "%s", m->curve_reason[at] ? m->curve_reason[at] : "");
        }
    }
    grid_print(&g, b);
}

static void touch_cells(Grid *g, const RtResult *r, const RtTouchRow *x)
{
    cell_count(g, r, x->reached);
    cell_pct(g, x->reached, r->cohort);
    cell_money(g, x->cost);
    cell_count(g, r, x->conversions);
    cell_pct(g, x->conversions, x->reached);
}

static void touchpoints(const RtResult *r, Buf *b)
{
    const Model *m = r->model;
    if (r->rt->ntouch == 0) return;
    buf_puts(b, "\nTouchpoints (conversions: customers reached who converted)\n");
    Grid g;
    grid_init(&g, "lllrrrrr");
    const char *head[] = {"Touchpoint", "Stage", "Channel", "Reached", "%", "Cost", "Conversions", "%"};
    for (int i = 0; i < 8; i++) grid_cell(&g, "%s", head[i]);
    for (int t = 0; t < r->rt->ntouch; t++) {
        const Touchpoint *tp = m->touchpoints[t];
        grid_cell(&g, "%s", tp->name.s);
        grid_cell(&g, "%s", tp->stage_index >= 0 ? m->stages[tp->stage_index]->name.s : "(rule)");
        grid_cell(&g, "%s", tp->channel_index >= 0 ? m->channels[tp->channel_index]->name.s : "-");
        touch_cells(&g, r, &r->touch[t]);
    }
    grid_print(&g, b);
}

static void channels(const RtResult *r, Buf *b)
{
    const Model *m = r->model;
    bool any = false;
    for (int c = 0; c < r->rt->nchannels; c++) any |= render_channel_used(r, c);
    if (!any) return;
    buf_puts(b, "\nChannels\n");
    Grid g;
    grid_init(&g, "lrrrrr");
    const char *head[] = {"Channel", "Reached", "%", "Cost", "Conversions", "%"};
    for (int i = 0; i < 6; i++) grid_cell(&g, "%s", head[i]);
    for (int c = 0; c < r->rt->nchannels; c++) {
        if (!render_channel_used(r, c)) continue;
        grid_cell(&g, "%s", m->channels[c]->name.s);
        touch_cells(&g, r, &r->channels[c]);
    }
    grid_print(&g, b);
}

/* The pain points, then the opportunities, at their touchpoints (the HTML report's table). */
static void pains(const RtResult *r, Buf *b)
{
    const Model *m = r->model;
    Grid g;
    bool any = false;
    for (int pass = 0; pass < 2; pass++) {
        for (int t = 0; t < r->rt->ntouch; t++) {
            const Touchpoint *tp = m->touchpoints[t];
            for (const StrList *l = pass == 0 ? tp->pains : tp->opportunities; l; l = l->next) {
                if (!any) {
                    buf_puts(b, "\nPain points and opportunities (reached: customers who met the touchpoint)\n");
                    grid_init(&g, "llllrrr");
                    const char *head[] = {"Kind", "What", "Touchpoint", "Stage", "Reached", "%", "Meetings"};
                    for (int i = 0; i < 7; i++) grid_cell(&g, "%s", head[i]);
                    any = true;
                }
                grid_cell(&g, "%s", pass == 0 ? "pain" : "opportunity");
                grid_cell(&g, "%s", l->str.s);
                grid_cell(&g, "%s", tp->name.s);
                grid_cell(&g, "%s", tp->stage_index >= 0 ? m->stages[tp->stage_index]->name.s : "(rule)");
                cell_count(&g, r, r->touch[t].reached);
                cell_pct(&g, r->touch[t].reached, r->cohort);
                cell_count(&g, r, r->touch[t].meetings);
            }
        }
    }
    if (any) grid_print(&g, b);
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
