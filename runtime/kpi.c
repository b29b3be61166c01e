/* kpi.c: the figures of kpis.md from a run's RtResult (see kpi.h): who is a prospect and who a
 * customer, customer retention by Kaplan-Meier over the follow-up histograms, the monthly churn
 * rate with its exact Poisson interval, the restricted mean lifetime, the money figures (CAC,
 * LTV, LTV:CAC, payback), NPS and CSAT from surveys or over customers, the funnel's main path and
 * step-through rates, attribution per channel and the calendar's running totals.
 *
 * It owns the statistics, not the counting: every sum it reads was made by the simulator (or the
 * exact analysis), and every figure that cannot be known from them is NaN. The quantiles of the
 * gamma distribution behind the Poisson interval are computed here (no library has them). */
#include "kpi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

const double rt_retention_days[RT_RETENTION_DAYS] = {30, 90, 180, 365};

#define Z95 1.959963984540054 /* two-sided 95% normal quantile */
#define DAYS_PER_MONTH 30.0

static const RtEstimate NO_ESTIMATE = {NAN, NAN, NAN};

/* ---- who is who ---- */

static bool has_goal(const RtModel *rm)
{
    for (int s = 0; s < rm->nstages; s++)
        if (rm->stages[s].goal) return true;
    return false;
}

/* Customers (converted cohort members), NaN for a journey without a goal: it has none, and their
 * figures do not exist (kpis.md: absent, never 0). */
static double customers_of(const RtResult *r) { return has_goal(r->rt) ? r->converted : NAN; }

/* ---- Kaplan-Meier over the follow-up histograms ----
 * Follow-up times are kept in hist.h buckets: churn events in followup_churn, censorings (the
 * horizon, the step limit, completion at the horizon) in followup_censor, and customers followed
 * for ever (completed without a horizon) counted apart. Within a bucket, events come before
 * censorings, as Kaplan-Meier takes ties; a day inside a bucket's range of events counts those at
 * or before it by linear interpolation (rt_hist_count_upto's rule): exact when the bucket holds
 * one value, within the 0.8% resolution of hist.h otherwise. */

typedef struct KmState {
    double at_risk;     /* customers followed up to the current time */
    double surv;        /* S(t) */
    double greenwood;   /* sum of d / (n (n - d)) */
} KmState;

static bool km_available(const RtResult *r)
{
    return r->followup_churn && r->followup_censor && !r->exact && r->converted > 0;
}

static double km_total(const RtResult *r)
{
    return (double)rt_hist_total(r->followup_churn) + (double)rt_hist_total(r->followup_censor) +
           r->followup_completed_never;
}

/* d events among the at-risk customers. A step that kills everyone at risk (n == d) ends the
 * curve at 0; its Greenwood term is left out (it is infinite, and S is 0 after it anyway). */
static void km_step(KmState *k, double d)
{
    if (!(d > 0) || !(k->at_risk > 0)) return;
    k->surv *= 1 - d / k->at_risk;
    if (k->at_risk > d) k->greenwood += d / (k->at_risk * (k->at_risk - d));
}

/* The events of bucket i of h at or before day t, by rt_hist_count_upto's rule. A follow-up is a
 * difference of two times (t_c + 30 - t_c), which floating point may leave a few ulps either side
 * of the day it is: values within 1e-9 of t (relatively) are at t, or a churn "30 days after
 * converting" would be interpolated half in, half out. */
static double bucket_upto(const RtHist *h, int i, double t)
{
    const RtHistBucket *b = &h->b[i];
    double same = 1e-9 * fmax(1, t);
    if (!b->count || b->min > t + same) return 0;
    if (b->max <= t + same) return (double)b->count;
    return 1 + floor((double)(b->count - 2) * (t - b->min) / (b->max - b->min) + 0.5);
}

/* The Kaplan-Meier state just after day t (events at t included). */
static KmState km_at(const RtResult *r, double t)
{
    const RtHist *ev = r->followup_churn, *ce = r->followup_censor;
    KmState k = {km_total(r), 1, 0};
    int last = rt_hist_bucket(t);
    for (int i = 0; i < last; i++) {
        double d = (double)ev->b[i].count, c = (double)ce->b[i].count;
        if (d == 0 && c == 0) continue;
        km_step(&k, d);
        k.at_risk -= d + c;
    }
    km_step(&k, bucket_upto(ev, last, t));
    return k;
}

/* The largest follow-up time of a histogram (-infinity when empty). */
static double hist_max_or_none(const RtHist *h)
{
    double m = rt_hist_max(h);
    return isnan(m) ? -INFINITY : m;
}

double rt_followup_max(const RtResult *r)
{
    if (!km_available(r)) return NAN;
    double m = fmax(hist_max_or_none(r->followup_churn), hist_max_or_none(r->followup_censor));
    return isinf(m) ? NAN : m;
}

/* Some customer is still followed at day t: a follow-up of t or more, or one never cut. */
static bool followed_at(const RtResult *r, double t)
{
    if (r->followup_completed_never > 0) return true;
    double m = rt_followup_max(r);
    return !isnan(m) && t <= m;
}

/* The 95% interval of S by Greenwood's variance on the log(-log S) scale, which keeps it inside
 * (0, 1). Where the curve has not dropped yet (S = 1, variance 0) the log-log scale has no
 * interval; the lower bound is then the exact one for no event among the n still at risk,
 * 0.025^(1/n) (Clopper-Pearson), so that "100%" from a handful of customers does not look
 * certain. At S = 0 there is none. */
static RtEstimate km_interval(const KmState *k)
{
    double s = k->surv;
    if (s >= 1) return (RtEstimate){1, k->at_risk > 0 ? pow(0.025, 1 / k->at_risk) : NAN, 1};
    if (!(s > 0)) return (RtEstimate){s, NAN, NAN};
    double ls = log(s), se = sqrt(k->greenwood) / fabs(ls);
    return (RtEstimate){s, pow(s, exp(Z95 * se)), pow(s, exp(-Z95 * se))};
}

RtEstimate rt_customer_retention(const RtResult *r, double day)
{
    if (!km_available(r) || !(day >= 0) || !followed_at(r, day)) return NO_ESTIMATE;
    KmState k = km_at(r, day);
    return km_interval(&k); /* n for S = 1: those at risk when day's bucket began */
}

double rt_customer_retention_variance(const RtResult *r, double day)
{
    if (!km_available(r) || !(day >= 0) || !followed_at(r, day)) return NAN;
    KmState k = km_at(r, day);
    return k.surv * k.surv * k.greenwood;
}

/* ---- the restricted mean lifetime ----
 * RMST(tau) = the area under S up to tau, with S a step function that drops at each bucket's
 * event time (the bucket's value when it holds one, else its typical value: hist.h). Its
 * variance is the usual one (Klein & Moeschberger, 4.5): sum over event times t_j <= tau of
 * A_j^2 d_j / (n_j (n_j - d_j)), A_j the area under S from t_j to tau. */

typedef struct KmEvent {
    double t, d, n, surv; /* surv: S just after t */
} KmEvent;

/* The event steps up to tau, in time order (malloc'd; *count of them). */
static KmEvent *km_events(const RtResult *r, double tau, int *count)
{
    const RtHist *ev = r->followup_churn, *ce = r->followup_censor;
    KmEvent *out = xcalloc(RT_HIST_BUCKETS, sizeof *out);
    KmState k = {km_total(r), 1, 0};
    int n = 0;
    for (int i = 0; i < RT_HIST_BUCKETS; i++) {
        double d = (double)ev->b[i].count, c = (double)ce->b[i].count;
        if (d == 0 && c == 0) continue;
        if (d > 0) {
            double t = rt_hist_typical(ev, i);
            if (t > tau) break;
            double before = k.at_risk;
            km_step(&k, d);
            out[n++] = (KmEvent){t, d, before, k.surv};
        }
        k.at_risk -= d + c;
    }
    *count = n;
    return out;
}

static RtEstimate restricted_mean(const RtResult *r, double tau)
{
    int n;
    KmEvent *e = km_events(r, tau, &n);
    /* area[j]: the area under S from e[j].t to tau, built from the end */
    double *area = xcalloc((size_t)n + 1, sizeof *area);
    double tail = 0, next_t = tau;
    for (int j = n - 1; j >= 0; j--) {
        tail += e[j].surv * (next_t - e[j].t);
        area[j] = tail;
        next_t = e[j].t;
    }
    double total = tail + 1 * (next_t - 0); /* S = 1 before the first event */
    double var = 0;
    for (int j = 0; j < n; j++)
        if (e[j].n > e[j].d) var += area[j] * area[j] * e[j].d / (e[j].n * (e[j].n - e[j].d));
    free(area);
    free(e);
    double h = Z95 * sqrt(var);
    return (RtEstimate){total, total - h < 0 ? 0 : total - h, total + h};
}

/* ---- the exact Poisson interval ----
 * Garwood's interval for k events in an exposure E: [G(0.025; k), G(0.975; k + 1)] / E, with
 * G(p; a) the p-quantile of the gamma distribution of shape a and scale 1 (half the chi-square
 * quantile with 2a degrees of freedom). The quantile solves P(a, x) = p for the regularised
 * incomplete gamma function P, by Newton's method kept inside a bracket. */

/* e^-x x^a / Gamma(a), the factor P and Q share. */
static double gamma_front(double a, double x) { return exp(a * log(x) - x - lgamma(a)); }

/* P(a, x) by its series sum x^n / (a (a+1) ... (a+n)); for x < a + 1, where it converges fast. */
static double gamma_p_series(double a, double x)
{
    double term = 1 / a, sum = term;
    for (int n = 1; n < 100000000; n++) {
        term *= x / (a + n);
        sum += term;
        if (term < sum * 1e-16) break;
    }
    return sum * gamma_front(a, x);
}

/* Q(a, x) = 1 - P(a, x) by its continued fraction (modified Lentz); for x >= a + 1. */
static double gamma_q_fraction(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 100000000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double step = d * c;
        h *= step;
        if (fabs(step - 1) < 1e-16) break;
    }
    return h * gamma_front(a, x);
}

/* The regularised lower incomplete gamma function P(a, x), a > 0. */
static double gamma_p(double a, double x)
{
    if (!(x > 0)) return 0;
    if (isinf(x)) return 1;
    return x < a + 1 ? gamma_p_series(a, x) : 1 - gamma_q_fraction(a, x);
}

/* The p-quantile of the gamma distribution of shape a >= 1 (0 < p < 1). The start is Wilson and
 * Hilferty's cube-root normal approximation, z the normal quantile of p; Newton's steps use the
 * density, bisection takes over when a step leaves the bracket. */
static double gamma_quantile(double a, double p, double z)
{
    double v = 1 / (9 * a), x = a * pow(1 - v + z * sqrt(v), 3);
    if (!(x > 0)) x = a * 0.01;
    double lo = 0, hi = x;
    while (gamma_p(a, hi) < p) hi *= 2;
    for (int it = 0; it < 200; it++) {
        double f = gamma_p(a, x) - p;
        if (f < 0) lo = x;
        else hi = x;
        double dens = exp((a - 1) * log(x) - x - lgamma(a));
        double next = dens > 0 ? x - f / dens : NAN;
        if (!(next > lo && next < hi)) next = (lo + hi) / 2;
        if (fabs(next - x) <= 1e-14 * x || hi - lo <= 1e-14 * hi) return next;
        x = next;
    }
    return x;
}

RtEstimate rt_poisson_rate(double events, double exposure, bool exact)
{
    if (!(exposure > 0) || !(events >= 0)) return NO_ESTIMATE;
    double rate = events / exposure;
    if (exact) return (RtEstimate){rate, NAN, NAN};
    double lo = events > 0 ? gamma_quantile(events, 0.025, -Z95) / exposure : 0;
    double hi = gamma_quantile(events + 1, 0.975, Z95) / exposure;
    return (RtEstimate){rate, lo, hi};
}

/* The annual churn 1 - (1 - m)^12 of a monthly rate m (a rate above 1 a month is taken as 1). */
static double annual_of(double m)
{
    if (isnan(m)) return NAN;
    double keep = 1 - (m > 1 ? 1 : m);
    return 1 - pow(keep, 12);
}

/* ---- money ---- */

static double exact_nan(const RtResult *r, double sq) { return r->exact ? NAN : sq; }

/* The mean cumulative revenue per customer d days after conversion, bucket by bucket: revenue in
 * bucket b over the customers whose follow-up window (horizon - t_c) reaches b; the first bucket
 * where it reaches `cac` gives the payback, the earliest day of revenue in it. */
static double payback(const RtResult *r, double customers, double cac)
{
    if (!r->revenue_after || !r->revenue_after_min || !(customers > 0) || isnan(cac)) return NAN;
    if (cac <= 0) return 0;
    double mean = 0, windows_before = 0;
    const RtHist *win = r->followup_window;
    for (int b = 0; b < RT_HIST_BUCKETS; b++) {
        double reach = win ? customers - windows_before : customers;
        if (win) windows_before += (double)win->b[b].count;
        if (r->revenue_after[b] == 0) continue;
        if (!(reach > 0)) break;
        mean += r->revenue_after[b] / reach;
        if (mean >= cac * (1 - 1e-12)) return r->revenue_after_min[b];
    }
    return NAN;
}

/* ---- satisfaction ---- */

/* NPS (-100..100) of n answers with p promoters and q detractors, and its normal interval: the
 * score per answer is +1, 0 or -1, of variance p+ + p- - (p+ - p-)^2. */
static RtEstimate nps_of(double promoters, double detractors, double n, bool exact)
{
    if (!(n > 0) || isnan(promoters) || isnan(detractors)) return NO_ESTIMATE;
    double pp = promoters / n, pd = detractors / n, v = pp - pd;
    if (exact) return (RtEstimate){100 * v, NAN, NAN};
    double var = pp + pd - v * v;
    double h = 100 * Z95 * sqrt((var > 0 ? var : 0) / n);
    double lo = 100 * v - h, hi = 100 * v + h;
    return (RtEstimate){100 * v, lo < -100 ? -100 : lo, hi > 100 ? 100 : hi};
}

static bool has_survey(const RtModel *rm, RtSurvey kind)
{
    for (int t = 0; t < rm->ntouch; t++)
        if (rm->touch[t].survey == kind) return true;
    return false;
}

RtEstimate rt_survey_nps(const RtTouchRow *t) { return nps_of(t->promoters, t->detractors, t->respondents, false); }

RtEstimate rt_survey_csat(const RtTouchRow *t)
{
    if (!(t->respondents > 0)) return NO_ESTIMATE;
    return rt_mean_interval(t->score_sum, t->score_sq, t->respondents, Z95);
}

static void satisfaction(const RtResult *r, double customers, RtKpis *k)
{
    k->nps_from_surveys = has_survey(r->rt, RT_SURVEY_NPS);
    k->csat_from_surveys = has_survey(r->rt, RT_SURVEY_CSAT);
    if (k->nps_from_surveys) {
        k->nps_n = r->survey_nps_n;
        k->nps = nps_of(r->survey_promoters, r->survey_detractors, r->survey_nps_n, r->exact);
    } else {
        k->nps_n = customers > 0 ? r->cust_score_n : NAN;
        k->nps = nps_of(r->cust_promoters, r->cust_detractors, k->nps_n, r->exact);
    }
    double n = k->csat_from_surveys ? r->survey_csat_n : customers > 0 ? r->cust_score_n : NAN;
    double sum = k->csat_from_surveys ? r->survey_csat_sum : r->cust_csat_sum;
    double sq = k->csat_from_surveys ? r->survey_csat_sq : r->cust_csat_sq;
    k->csat_n = n;
    k->csat = n > 0 && !isnan(sum) ? rt_mean_interval(sum, exact_nan(r, sq), n, Z95) : NO_ESTIMATE;
}

/* ---- the headline ---- */

static void customers_over_time(const RtResult *r, double customers, RtKpis *k)
{
    for (int i = 0; i < RT_RETENTION_DAYS; i++) k->retention[i] = rt_customer_retention(r, rt_retention_days[i]);
    k->monthly_churn = customers > 0 ? rt_poisson_rate(r->customer_churned, r->exposure_days / DAYS_PER_MONTH, r->exact)
                                     : NO_ESTIMATE;
    /* 1 - (1 - m)^12 grows with m: the interval maps bound to bound. */
    k->annual_churn = (RtEstimate){annual_of(k->monthly_churn.value), annual_of(k->monthly_churn.lo),
                                   annual_of(k->monthly_churn.hi)};
    k->lifetime = NO_ESTIMATE;
    k->lifetime_limit = NAN;
    double tau = rt_followup_max(r);
    if (!isnan(tau)) {
        k->lifetime = restricted_mean(r, tau);
        k->lifetime_limit = tau;
    }
}

static void money(const RtResult *r, double customers, RtKpis *k)
{
    double n = r->cohort;
    k->arpu = rt_mean_interval(r->revenue, exact_nan(r, r->revenue_sq), n, Z95);
    k->acquisition_cost = rt_mean_interval(r->acq_cost, exact_nan(r, r->acq_cost_sq), n, Z95);
    if (!(customers > 0)) {
        k->ltv = k->cac = k->cost_to_serve = k->ltv_cac = NO_ESTIMATE;
        k->payback_days = NAN;
        return;
    }
    /* Conversion is 0 or 1 per member: the sum of its squares is the number of conversions. */
    k->cac = rt_ratio_interval(r->acq_cost, exact_nan(r, r->acq_cost_sq), r->converted, r->converted,
                               exact_nan(r, r->acq_cost_conv), n, Z95);
    k->ltv = rt_mean_interval(r->ltv_revenue, exact_nan(r, r->ltv_revenue_sq), customers, Z95);
    k->cost_to_serve = rt_mean_interval(r->serve_cost, exact_nan(r, r->serve_cost_sq), customers, Z95);
    k->ltv_cac = rt_ratio_interval(r->ltv_revenue, exact_nan(r, r->ltv_revenue_sq), r->acq_cost,
                                   exact_nan(r, r->acq_cost_sq), exact_nan(r, r->ltv_revenue_acq), n, Z95);
    k->payback_days = payback(r, customers, k->cac.value);
}

RtKpis rt_kpis(const RtResult *r)
{
    RtKpis k;
    memset(&k, 0, sizeof k);
    double n = r->cohort, customers = customers_of(r);
    k.converted = rt_rate(r->converted, n, r->exact);
    k.lost = rt_rate(r->lost, n, r->exact);
    k.still_prospects = rt_rate(n - r->converted - r->lost, n, r->exact);
    k.customers = customers;
    k.customer_churn = customers > 0 ? rt_rate(r->customer_churned, customers, r->exact)
                     : isnan(customers)  ? (RtRate){NAN, NAN, NAN, NAN}
                                         : rt_rate(0, 0, r->exact);
    customers_over_time(r, customers, &k);
    money(r, customers, &k);
    satisfaction(r, customers, &k);
    return k;
}

/* ---- the funnel ---- */

int rt_main_path(const RtResult *r, int *order)
{
    const RtModel *rm = r->rt;
    if (rm->start < 0 || rm->nstages == 0) return 0;
    bool *on = xcalloc((size_t)rm->nstages, sizeof *on);
    double *way = xcalloc((size_t)rm->nstages, sizeof *way);
    int n = 0, cur = rm->start;
    order[n++] = cur;
    on[cur] = true;
    for (;;) {
        /* The customers who left `cur` for each stage not on the path yet (arrows and gotos). */
        memset(way, 0, (size_t)rm->nstages * sizeof *way);
        for (int i = 0; i < r->nexits; i++) {
            const RtExitRow *e = &r->exits[i];
            if (e->stage == cur && e->target >= 0 && !on[e->target]) way[e->target] += e->count;
        }
        int best = -1;
        for (int i = 0; i < r->nexits; i++) { /* ties: the first way written */
            const RtExitRow *e = &r->exits[i];
            if (e->stage != cur || e->target < 0 || on[e->target] || !(way[e->target] > 0)) continue;
            if (best < 0 || way[e->target] > way[best]) best = e->target;
        }
        if (best < 0) break;
        order[n++] = best;
        on[best] = true;
        cur = best;
    }
    free(on);
    free(way);
    return n;
}

RtRate rt_step_through(const RtResult *r, int from, int to)
{
    double k = r->stages[to].reached, n = r->stages[from].reached;
    /* A stage also reached by another way may be reached more often than the one before it on
     * the path: a rate above 1 has no Wilson interval. */
    if (k > n) return (RtRate){k, n > 0 ? k / n : NAN, NAN, NAN};
    return rt_rate(k, n, r->exact);
}

/* ---- channels ---- */

double rt_channel_attributed(const RtTouchRow *ch, RtAttribution how)
{
    switch (how) {
    case RT_ATTR_FIRST: return ch->attr_first;
    case RT_ATTR_LAST: return ch->attr_last;
    case RT_ATTR_LINEAR: return ch->attr_linear;
    case RT_ATTR_REMOVAL: return ch->attr_removal;
    }
    return NAN;
}

double rt_channel_cac(const RtTouchRow *ch, RtAttribution how)
{
    double n = rt_channel_attributed(ch, how);
    return n > 0 ? ch->acq_cost / n : NAN;
}

/* ---- the calendar ---- */

RtMonthView rt_month(const RtResult *r, int m)
{
    RtMonthView v;
    memset(&v, 0, sizeof v);
    if (!r->months || m < 0 || m >= r->nmonths) {
        v.active_customers = v.cumulative_revenue = v.cumulative_cost = v.cumulative_customers = NAN;
        return v;
    }
    v.month = r->months[m];
    double churned = 0;
    for (int i = 0; i <= m; i++) {
        v.cumulative_customers += r->months[i].new_customers;
        v.cumulative_revenue += r->months[i].revenue;
        v.cumulative_cost += r->months[i].cost;
        churned += r->months[i].churned_customers;
    }
    v.active_customers = v.cumulative_customers - churned; /* completing is not churn */
    return v;
}
