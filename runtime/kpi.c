/* kpi.c: TEMPORARY STUB of kpi.h, so that the renderers of issue 14 build, link and exercise their
 * output paths before the real figures exist. Replaced at merge by the real implementation; the
 * goldens made with it are regenerated then. Every figure here is derived crudely from what the
 * RtResult of main already holds, or NaN; none of it is meant to be right. */
#include "kpi.h"

#include <math.h>
#include <stdlib.h>

const double rt_retention_days[RT_RETENTION_DAYS] = {30, 90, 180, 365};

static const double Z95 = 1.959963984540054;

static bool has_goal(const RtResult *r)
{
    for (int s = 0; s < r->rt->nstages; s++)
        if (r->model->stages[s]->goal) return true;
    return false;
}

/* Stub: customer churn is the churn of the stages at or after the first goal on the main path. */
static double stub_customer_churned(const RtResult *r)
{
    if (r->lost + r->customer_churned > 0) return r->customer_churned;
    int *order = calloc((size_t)r->rt->nstages + 1, sizeof *order);
    int n = rt_main_path(r, order);
    double c = 0;
    bool after = false;
    for (int k = 0; k < n; k++) {
        after = after || r->model->stages[order[k]]->goal;
        if (after) c += r->stages[order[k]].churned;
    }
    free(order);
    return c < r->churned ? c : r->churned;
}

static double stub_exposure(const RtResult *r)
{
    if (r->exposure_days > 0) return r->exposure_days;
    return r->converted * (r->has_horizon ? r->horizon / 2 : 180);
}

static RtEstimate est(double v, double half)
{
    if (!isfinite(v)) return (RtEstimate){NAN, NAN, NAN};
    return (RtEstimate){v, isfinite(half) ? v - half : NAN, isfinite(half) ? v + half : NAN};
}

static double monthly(const RtResult *r)
{
    double months = stub_exposure(r) / 30;
    return months > 0 ? stub_customer_churned(r) / months : NAN;
}

double rt_followup_max(const RtResult *r)
{
    if (r->exact || !has_goal(r) || !(r->converted > 0)) return NAN;
    return r->has_horizon ? r->horizon : 400;
}

RtEstimate rt_customer_retention(const RtResult *r, double day)
{
    double m = monthly(r), top = rt_followup_max(r);
    if (!isfinite(m) || !(day <= top)) return (RtEstimate){NAN, NAN, NAN};
    double v = exp(-m * day / 30), half = r->exact ? NAN : 0.5 * v * (1 - v) / sqrt(r->converted + 1) + 0.001;
    RtEstimate e = est(v, half);
    if (e.hi > 1) e.hi = 1;
    return e;
}

RtKpis rt_kpis(const RtResult *r)
{
    RtKpis k;
    bool goal = has_goal(r);
    double cust_churn = stub_customer_churned(r), lost = r->lost + r->customer_churned > 0 ? r->lost
                                                                                          : r->churned - cust_churn;
    if (lost > r->cohort - r->converted) lost = r->cohort - r->converted;
    k.converted = rt_rate(r->converted, r->cohort, r->exact);
    k.lost = rt_rate(lost, r->cohort, r->exact);
    k.still_prospects = rt_rate(r->cohort - r->converted - lost, r->cohort, r->exact);
    k.customers = goal ? r->converted : NAN;
    k.customer_churn = goal ? rt_rate(cust_churn, r->converted, r->exact) : (RtRate){NAN, NAN, NAN, NAN};
    for (int i = 0; i < RT_RETENTION_DAYS; i++) k.retention[i] = rt_customer_retention(r, rt_retention_days[i]);
    double m = goal ? monthly(r) : NAN;
    double mh = r->exact || !isfinite(m) ? NAN : 1.96 * sqrt(cust_churn) / (stub_exposure(r) / 30);
    k.monthly_churn = est(m, mh);
    k.annual_churn = est(isfinite(m) ? 1 - pow(1 - fmin(m, 1), 12) : NAN, NAN);
    if (isfinite(k.monthly_churn.lo)) {
        k.annual_churn.lo = 1 - pow(1 - fmax(k.monthly_churn.lo, 0), 12);
        k.annual_churn.hi = 1 - pow(1 - fmin(k.monthly_churn.hi, 1), 12);
    }
    k.lifetime_limit = rt_followup_max(r);
    double life = isfinite(m) && m > 0 && isfinite(k.lifetime_limit) ? 30 / m * (1 - exp(-m * k.lifetime_limit / 30))
                                                                      : NAN;
    k.lifetime = est(life, isfinite(life) ? life * 0.05 : NAN);
    RtMoney money = rt_money(r);
    k.arpu = money.revenue;
    double customers = goal && r->converted > 0 ? r->converted : NAN;
    double acq = r->acq_cost > 0 ? r->acq_cost : r->cost * 0.7, serve = r->cost - acq;
    double ltv_rev = r->ltv_revenue > 0 ? r->ltv_revenue : r->revenue;
    double cac = acq / customers, ltv = ltv_rev / customers;
    k.ltv = est(ltv, r->exact ? NAN : 0.1 * ltv);
    k.cac = est(cac, r->exact ? NAN : 0.1 * cac);
    k.acquisition_cost = est(acq / r->cohort, r->exact ? NAN : 0.05 * acq / r->cohort);
    k.cost_to_serve = est(serve / customers, r->exact ? NAN : 0.1 * serve / customers);
    k.ltv_cac = est(acq > 0 ? ltv / cac : NAN, r->exact ? NAN : 0.2 * ltv / cac);
    k.payback_days = isfinite(ltv) && ltv >= cac && isfinite(k.lifetime_limit) ? 0.5 * k.lifetime_limit * cac / ltv
                                                                              : NAN;
    bool nps_survey = r->survey_nps_n > 0, csat_survey = r->survey_csat_n > 0;
    k.nps_from_surveys = nps_survey;
    k.csat_from_surveys = csat_survey;
    k.nps_n = nps_survey ? r->survey_nps_n : customers;
    k.csat_n = csat_survey ? r->survey_csat_n : customers;
    bool mood = !r->exact && isfinite(r->nps);
    k.nps = est(mood && (goal || nps_survey) ? r->nps : NAN, 5);
    k.csat = est(mood && (goal || csat_survey) ? r->csat : NAN, 0.1);
    return k;
}

/* Stub: from the start, the busiest exit to a stage not yet on the path. */
int rt_main_path(const RtResult *r, int *order)
{
    int ns = r->rt->nstages, n = 0;
    if (ns == 0) return 0;
    char *on = calloc((size_t)ns, 1);
    int s = r->rt->start;
    while (s >= 0 && !on[s]) {
        on[s] = 1;
        order[n++] = s;
        int best = -1;
        double most = -1;
        for (int i = 0; i < r->nexits; i++) {
            const RtExitRow *x = &r->exits[i];
            if (x->stage != s || x->target < 0 || on[x->target]) continue;
            if (x->count > most) most = x->count, best = x->target;
        }
        s = best;
    }
    free(on);
    return n;
}

RtRate rt_step_through(const RtResult *r, int from, int to)
{
    return rt_rate(r->stages[to].reached, r->stages[from].reached, r->exact);
}

RtEstimate rt_survey_nps(const RtTouchRow *t)
{
    double n = t->respondents;
    if (!(n > 0)) return (RtEstimate){NAN, NAN, NAN};
    double pp = t->promoters / n, pd = t->detractors / n, d = pp - pd;
    double half = Z95 * 100 * sqrt(fmax(pp + pd - d * d, 0) / n);
    return (RtEstimate){100 * d, 100 * d - half, 100 * d + half};
}

RtEstimate rt_survey_csat(const RtTouchRow *t)
{
    return rt_mean_interval(t->score_sum, t->score_sq, t->respondents, Z95);
}

double rt_channel_attributed(const RtTouchRow *ch, RtAttribution how)
{
    switch (how) {
    case RT_ATTR_FIRST: return ch->attr_first > 0 ? ch->attr_first : ch->conversions;
    case RT_ATTR_LAST: return ch->attr_last > 0 ? ch->attr_last : ch->conversions;
    case RT_ATTR_LINEAR: return ch->attr_linear > 0 ? ch->attr_linear : 0.5 * ch->conversions;
    case RT_ATTR_REMOVAL: return ch->attr_removal;
    }
    return NAN;
}

double rt_channel_cac(const RtTouchRow *ch, RtAttribution how)
{
    double n = rt_channel_attributed(ch, how);
    double acq = ch->acq_cost > 0 ? ch->acq_cost : ch->cost;
    return n > 0 ? acq / n : NAN;
}

RtMonthView rt_month(const RtResult *r, int m)
{
    RtMonthView v = {r->months[m], 0, 0, 0, 0};
    for (int i = 0; i <= m; i++) {
        v.cumulative_customers += r->months[i].new_customers;
        v.active_customers += r->months[i].new_customers - r->months[i].churned_customers;
        v.cumulative_revenue += r->months[i].revenue;
        v.cumulative_cost += r->months[i].cost;
    }
    return v;
}
