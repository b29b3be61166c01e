/* report_csv.c: one table of the report as CSV (RFC 4180: comma-separated, CRLF-free, fields
 * quoted when they hold a comma, quote or line break), for spreadsheets. --csv-table picks it:
 * stages, personas, touchpoints, channels, churn reasons, ways out of stages, emotion curves. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "report.h"

static void stages(const RtResult *r, Buf *b)
{
    buf_puts(b, "stage,label,goal,reached,reached_rate,entries,mean_mood,converted,churned,completed,active,revenue\n");
    for (int s = 0; s < r->rt->nstages; s++) {
        const Stage *st = r->model->stages[s];
        const RtStageRow *x = &r->stages[s];
        csv_str(b, st->name.s, false);
        csv_str(b, st->label.s, false);
        csv_str(b, st->goal ? "yes" : "no", false);
        csv_num(b, x->reached, false);
        csv_num(b, x->reached / r->cohort, false);
        csv_num(b, x->entries, false);
        csv_num(b, x->mean_mood, false);
        csv_num(b, x->converted, false);
        csv_num(b, x->churned, false);
        csv_num(b, x->completed, false);
        csv_num(b, x->active, false);
        csv_num(b, x->revenue, true);
    }
}

static void personas(const RtResult *r, Buf *b)
{
    buf_puts(b, "persona,label,share,customers,converted,conversion_rate,conversion_lo,conversion_hi,"
                "churned,churn_rate,completed,active\n");
    for (int p = 0; p < r->rt->npersonas; p++) {
        if (r->persona >= 0 && p != r->persona) continue;
        const RtPersonaRow *x = &r->personas[p];
        RtRate conv = rt_rate(x->converted, x->customers, r->exact);
        csv_str(b, render_persona_name(r, p), false);
        csv_str(b, r->model->personas[p]->label.s, false);
        csv_num(b, r->persona >= 0 ? 1 : r->model->share[p], false);
        csv_num(b, x->customers, false);
        csv_num(b, x->converted, false);
        csv_num(b, conv.rate, false);
        csv_num(b, conv.lo, false);
        csv_num(b, conv.hi, false);
        csv_num(b, x->churned, false);
        csv_num(b, x->customers > 0 ? x->churned / x->customers : NAN, false);
        csv_num(b, x->completed, false);
        csv_num(b, x->active, true);
    }
}

static void touch_fields(const RtResult *r, const RtTouchRow *x, Buf *b)
{
    csv_num(b, x->reached, false);
    csv_num(b, x->reached / r->cohort, false);
    csv_num(b, x->meetings, false);
    csv_num(b, x->cost, false);
    csv_num(b, x->conversions, false);
    csv_num(b, x->reached > 0 ? x->conversions / x->reached : NAN, true);
}

static void touchpoints(const RtResult *r, Buf *b)
{
    const Model *m = r->model;
    buf_puts(b, "touchpoint,label,stage,channel,reach,reached,reached_rate,meetings,cost,conversions,conversion_rate\n");
    for (int t = 0; t < r->rt->ntouch; t++) {
        const Touchpoint *tp = m->touchpoints[t];
        csv_str(b, tp->name.s, false);
        csv_str(b, tp->label.s, false);
        csv_str(b, tp->stage_index >= 0 ? m->stages[tp->stage_index]->name.s : "", false);
        csv_str(b, tp->channel_index >= 0 ? m->channels[tp->channel_index]->name.s : "", false);
        csv_num(b, r->rt->touch[t].reach, false);
        touch_fields(r, &r->touch[t], b);
    }
}

static void channels(const RtResult *r, Buf *b)
{
    buf_puts(b, "channel,label,reached,reached_rate,meetings,cost,conversions,conversion_rate\n");
    for (int c = 0; c < r->rt->nchannels; c++) {
        if (!render_channel_used(r, c)) continue;
        csv_str(b, r->model->channels[c]->name.s, false);
        csv_str(b, r->model->channels[c]->label.s, false);
        touch_fields(r, &r->channels[c], b);
    }
}

static void reasons(const RtResult *r, Buf *b)
{
    buf_puts(b, "stage,reason,count,rate\n");
    for (int i = 0; i < r->nreasons; i++) {
        csv_str(b, rt_stage_name(r->rt, r->reasons[i].stage), false);
        csv_str(b, r->reasons[i].reason, false);
        csv_num(b, r->reasons[i].count, false);
        csv_num(b, r->reasons[i].count / r->cohort, true);
    }
}

/* Every way out of every stage, with its share of the stage's exits (report.h). */
static void exits(const RtResult *r, Buf *b)
{
    buf_puts(b, "stage,to,reason,via,count,share_of_exits\n");
    for (int i = 0; i < r->nexits; i++) {
        const RtExitRow *x = &r->exits[i];
        csv_str(b, r->model->stages[x->stage]->name.s, false);
        csv_str(b, rt_stage_name(r->rt, x->target), false);
        csv_str(b, x->reason, false);
        csv_str(b, x->via_rule ? "rule" : "arrow", false);
        csv_num(b, x->count, false);
        csv_num(b, render_share_of_exits(r, x), true);
    }
}

/* The emotion curve of every persona: declared, simulated, and the reason the curve gives. */
static void curves(const RtResult *r, Buf *b)
{
    const Model *m = r->model;
    buf_puts(b, "persona,stage,declared,simulated,reason\n");
    for (int p = 0; p < m->npersonas; p++) {
        if (r->persona >= 0 && p != r->persona) continue;
        for (int s = 0; s < m->nstages; s++) {
            size_t at = (size_t)p * (size_t)m->nstages + (size_t)s;
            csv_str(b, render_persona_name(r, p), false);
            csv_str(b, m->stages[s]->name.s, false);
            csv_num(b, m->curve_declared[at] ? m->curve[at] : NAN, false);
            csv_num(b, r->curve_sim[at], false);
            csv_str(b, m->curve_reason[at], true);
        }
    }
}

/* A row of the headline table; a figure without an interval leaves ci_low and ci_high empty. */
static void figure_row(Buf *b, const char *figure, double value, double lo, double hi)
{
    csv_str(b, figure, false);
    csv_num(b, value, false);
    csv_num(b, lo, false);
    csv_num(b, hi, true);
}

/* The headline figures, one per row, named as the JSON report names them: rates as fractions
 * with their Wilson interval, money per customer and CAC with theirs (none in an exact
 * analysis). */
static void headline(const RtResult *r, Buf *b)
{
    buf_puts(b, "figure,value,ci_low,ci_high\n");
    figure_row(b, "cohort", r->cohort, NAN, NAN);
    RtRate conv = rt_rate(r->converted, r->cohort, r->exact), churn = rt_rate(r->churned, r->cohort, r->exact);
    figure_row(b, "conversion", conv.rate, conv.lo, conv.hi);
    figure_row(b, "churn", churn.rate, churn.lo, churn.hi);
    figure_row(b, "completed", r->completed / r->cohort, NAN, NAN);
    figure_row(b, "active", r->active / r->cohort, NAN, NAN);
    figure_row(b, "time_to_convert_mean", r->ttc_mean, NAN, NAN);
    figure_row(b, "time_to_convert_median", r->ttc_median, NAN, NAN);
    figure_row(b, "time_to_convert_p90", r->ttc_p90, NAN, NAN);
    static const char *const retention[] = {"retention_day_7", "retention_day_30", "retention_day_90",
                                            "retention_horizon"};
    for (int i = 0; i < 4; i++) figure_row(b, retention[i], r->retention[i], NAN, NAN);
    figure_row(b, "revenue", r->revenue, NAN, NAN);
    figure_row(b, "cost", r->cost, NAN, NAN);
    RtMoney money = rt_money(r);
    figure_row(b, "revenue_per_customer", money.revenue.value, money.revenue.lo, money.revenue.hi);
    figure_row(b, "cost_per_customer", money.cost.value, money.cost.lo, money.cost.hi);
    figure_row(b, "cac", money.cac.value, money.cac.lo, money.cac.hi);
    figure_row(b, "nps", r->nps, NAN, NAN);
    figure_row(b, "csat", r->csat, NAN, NAN);
    figure_row(b, "stage_entries", r->steps, NAN, NAN);
}

/* The pain points, then the opportunities, of every touchpoint in report order (as the HTML
 * report's table lists them), with how many customers met the touchpoint. */
static void pains(const RtResult *r, Buf *b)
{
    const Model *m = r->model;
    buf_puts(b, "touchpoint,stage,kind,text,reached,reached_rate,meetings\n");
    for (int pass = 0; pass < 2; pass++) {
        for (int t = 0; t < r->rt->ntouch; t++) {
            const Touchpoint *tp = m->touchpoints[t];
            for (const StrList *l = pass == 0 ? tp->pains : tp->opportunities; l; l = l->next) {
                csv_str(b, tp->name.s, false);
                csv_str(b, tp->stage_index >= 0 ? m->stages[tp->stage_index]->name.s : "", false);
                csv_str(b, pass == 0 ? "pain" : "opportunity", false);
                csv_str(b, l->str.s, false);
                csv_num(b, r->touch[t].reached, false);
                csv_num(b, r->touch[t].reached / r->cohort, false);
                csv_num(b, r->touch[t].meetings, true);
            }
        }
    }
}

void render_csv(const RtResult *r, CsvTable table, Buf *out)
{
    switch (table) {
    case CSV_STAGES: stages(r, out); break;
    case CSV_PERSONAS: personas(r, out); break;
    case CSV_TOUCHPOINTS: touchpoints(r, out); break;
    case CSV_CHANNELS: channels(r, out); break;
    case CSV_REASONS: reasons(r, out); break;
    case CSV_EXITS: exits(r, out); break;
    case CSV_CURVES: curves(r, out); break;
    case CSV_HEADLINE: headline(r, out); break;
    case CSV_PAINS: pains(r, out); break;
    case CSV_NTABLES: break;
    }
}
