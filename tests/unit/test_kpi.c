/* test_kpi.c: unit tests of the figures of kpis.md (runtime/kpi.h) on hand-computed journeys:
 * a two-stage funnel with one paid channel (CAC, acquisition cost against cost to serve,
 * first/last/linear attribution), a subscription with a constant monthly churn p (retention
 * (1 - p)^k, monthly churn p, lifetime, payback), a horizon that censors late converters (the
 * naive share is biased, Kaplan-Meier is not), survey touchpoints, arrivals of a constant rate
 * into a constant-churn subscription (active customers approach rate / p), --window, the
 * Poisson interval's quantiles, the funnel's main path; the same figures for any number of
 * threads; and the coverage of the Kaplan-Meier and Poisson intervals over 100 seeds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CJM_INTERNALS
#include "cjm.h"
#include "journey.h"
#include "unit.h"

void unit_kpi(void);

typedef UnitJourney J;


static RtResult *simulate(J *j, uint64_t cohort, uint64_t seed, int threads)
{
    SimOptions o = unit_sim_options(j, cohort, seed, threads);
    return sim_run(j->rm, &o);
}

static int touch_index(const J *j, const char *name)
{
    for (int t = 0; t < j->rm->ntouch; t++)
        if (strcmp(j->rm->touch[t].src->name.s, name) == 0) return t;
    return -1;
}

static int channel_index(const J *j, const char *name)
{
    for (int c = 0; c < j->c.model->nchannels; c++)
        if (strcmp(j->c.model->channels[c]->name.s, name) == 0) return c;
    return -1;
}

static bool covers(RtEstimate e, double truth) { return e.lo <= truth && truth <= e.hi; }

#define CHECK_COVERS(e, truth)                                                                        \
    do {                                                                                              \
        RtEstimate e_ = (e);                                                                          \
        double t_ = (truth);                                                                          \
        if (!covers(e_, t_)) {                                                                        \
            printf("FAIL %s: %s:%d: %s = %.6g [%.6g, %.6g] does not cover %.6g\n", unit_current, __FILE__, \
                   __LINE__, #e, e_.value, e_.lo, e_.hi, t_);                                         \
            unit_current_failed = true;                                                               \
        }                                                                                             \
    } while (0)

/* ---- the Poisson interval ---- */

static void test_poisson(void)
{
    TEST("kpi: Garwood's exact Poisson interval (chi-square quantiles)") {
        /* Reference values: qchisq(0.025, 2k) / 2 and qchisq(0.975, 2k + 2) / 2. */
        RtEstimate e0 = rt_poisson_rate(0, 1, false);
        CHECK(e0.value == 0 && e0.lo == 0);
        CHECK_NEAR(e0.hi, -log(0.025), 1e-9); /* 3.688879 */
        RtEstimate e1 = rt_poisson_rate(1, 1, false);
        CHECK_NEAR(e1.lo, -log(0.975), 1e-9); /* 0.0253178 */
        CHECK_NEAR(e1.hi, 5.571643, 1e-6);
        RtEstimate e10 = rt_poisson_rate(10, 2, false);
        CHECK_NEAR(e10.value, 5, 1e-12);
        CHECK_NEAR(e10.lo, 4.795389 / 2, 1e-6);
        CHECK_NEAR(e10.hi, 18.390356 / 2, 1e-6);
        /* Many events: close to the normal interval k +- 1.96 sqrt(k). */
        RtEstimate big = rt_poisson_rate(1e6, 1e6, false);
        CHECK(fabs(big.lo - (1 - 1.96e-3)) < 2e-5 && fabs(big.hi - (1 + 1.96e-3)) < 2e-5);
        RtEstimate x = rt_poisson_rate(3, 2, true);
        CHECK(x.value == 1.5 && isnan(x.lo) && isnan(x.hi));
        CHECK(isnan(rt_poisson_rate(3, 0, false).value));
    }
}

/* ---- money and attribution ---- */

static void test_funnel_money(void)
{
    TEST("kpi: two-stage funnel with one paid channel: CAC, acquisition cost, cost to serve, attribution") {
        J j;
        /* Every visitor meets the ad (search, 2 each) and, half of them, a free email; a quarter
         * buy (100), then are served once (support call: 5 each, 20 revenue). */
        if (unit_load(&j, "channel search\nchannel email\nchannel phone\n"
                     "stage Visit { touchpoint Ad { channel search cost 2 }\n"
                     "  touchpoint Mail { channel email reach 50% }\n"
                     "  -> Buy 25% -> churn otherwise \"left\" }\n"
                     "stage Buy goal { revenue 100 -> Serve 100% }\n"
                     "stage Serve { touchpoint Call { channel phone cost 5 } revenue 20 }\n")) {
            double n = 20000;
            RtResult *r = simulate(&j, (uint64_t)n, 5, 2);
            double c = r->converted, mailed = r->touch[touch_index(&j, "Mail")].conversions;
            CHECK(c > 4600 && c < 5400);
            CHECK_NEAR(r->acq_cost, 2 * n, 1e-9);
            CHECK_NEAR(r->serve_cost, 5 * c, 1e-9);
            CHECK_NEAR(r->ltv_revenue, 120 * c, 1e-9);
            RtKpis k = rt_kpis(r);
            CHECK(k.customers == c);
            CHECK_NEAR(k.cac.value, 2 * n / c, 1e-9);
            CHECK(k.cac.lo < k.cac.value && k.cac.value < k.cac.hi);
            CHECK_COVERS(k.cac, 8); /* 2 / 25% */
            CHECK_NEAR(k.acquisition_cost.value, 2, 1e-12);
            CHECK(k.acquisition_cost.lo == 2 && k.acquisition_cost.hi == 2); /* everyone paid 2 */
            CHECK_NEAR(k.cost_to_serve.value, 5, 1e-12);
            CHECK_NEAR(k.ltv.value, 120, 1e-12);
            CHECK_NEAR(k.ltv_cac.value, 120 * c / (2 * n), 1e-9);
            CHECK_COVERS(k.ltv_cac, 15);
            CHECK_NEAR(k.arpu.value, 120 * c / n, 1e-9);
            CHECK(k.payback_days == 0); /* the first purchase pays the CAC back at once */
            /* Per channel: the ad's cost is all acquisition, the call's all cost to serve. */
            const RtTouchRow *search = &r->channels[channel_index(&j, "search")];
            const RtTouchRow *email = &r->channels[channel_index(&j, "email")];
            const RtTouchRow *phone = &r->channels[channel_index(&j, "phone")];
            CHECK_NEAR(search->acq_cost, 2 * n, 1e-9);
            CHECK(phone->acq_cost == 0 && phone->cost == 5 * c);
            /* First touch: always the ad; last touch: the email where it came after the ad;
             * linear: half and half for those who met both. The call comes after conversion. */
            CHECK(search->attr_first == c && email->attr_first == 0);
            CHECK(email->attr_last == mailed && search->attr_last == c - mailed);
            CHECK_NEAR(search->attr_linear, c - mailed / 2, 1e-9);
            CHECK_NEAR(email->attr_linear, mailed / 2, 1e-9);
            CHECK(phone->attr_first == 0 && phone->attr_last == 0 && phone->attr_linear == 0);
            CHECK_NEAR(rt_channel_cac(search, RT_ATTR_FIRST), 2 * n / c, 1e-9);
            CHECK(isnan(rt_channel_cac(phone, RT_ATTR_LAST)));
            CHECK_NEAR(rt_channel_attributed(email, RT_ATTR_LINEAR), mailed / 2, 1e-9);
            /* Prospects and customers: the lost left at Visit, nobody churned after buying. */
            CHECK(r->lost == n - c && r->customer_churned == 0);
            CHECK(r->stages[0].lost == n - c && r->stages[0].customer_churned == 0);
            CHECK(r->nreasons == 1 && r->reasons[0].lost == n - c && r->reasons[0].customers == 0);
            CHECK(k.still_prospects.count == 0);
            CHECK(r->customers_completed == c);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("kpi: the entry of conversion is acquisition: its touchpoints and rules") {
        J j;
        /* Conversion at G, whose touchpoint (3) and rule cost (4) are acquisition; the rule's
         * goto to S is after it: S's touchpoint (5) serves. A customer churned by a rule in the
         * entry of conversion is a customer who churned (follow-up 0). */
        if (unit_load(&j, "stage A { touchpoint T { cost 1 } -> G 100% }\n"
                     "stage G goal { touchpoint U { cost 3 } -> churn otherwise \"x\" }\n"
                     "stage S { touchpoint V { cost 5 } }\n"
                     "persona Stay { share 50% }\npersona Go { share 50% }\n"
                     "rule R when stage == G { cost += 4  goto S }\n"
                     "rule Q when stage == G and persona == Go { churn \"gone\" }\n")) {
            RtResult *r = simulate(&j, 4000, 2, 2);
            CHECK(r->converted == 4000);
            CHECK_NEAR(r->acq_cost, 8 * 4000.0, 1e-9);
            CHECK_NEAR(r->serve_cost, 5 * 4000.0, 1e-9);
            rt_result_free(r);
        }
        unit_unload(&j);
        if (unit_load(&j, "persona Stay { share 50% }\npersona Go { share 50% }\n"
                     "stage A { touchpoint T { cost 1 } -> G 100% }\n"
                     "stage G goal { touchpoint U { cost 3 } }\n"
                     "rule Q when stage == G and persona == Go { churn \"gone\" }\n")) {
            RtResult *r = simulate(&j, 4000, 2, 2);
            double go = r->personas[1].customers;
            CHECK(r->customer_churned == go && r->lost == 0);
            CHECK(r->personas[1].customer_churned == go && r->personas[0].customer_churned == 0);
            CHECK(rt_hist_total(r->followup_churn) == (uint64_t)go && rt_hist_max(r->followup_churn) == 0);
            CHECK(r->nreasons == 1 && r->reasons[0].customers == go && r->reasons[0].lost == 0);
            CHECK_NEAR(r->acq_cost, 4 * 4000.0, 1e-9);
            CHECK(r->serve_cost == 0);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
}

/* ---- customers over time ---- */

static const char *SUBSCRIPTION = "journey \"s\" { horizon 720 days }\nchannel search\n"
                                  "stage Ad { touchpoint Banner { channel search cost 25 } -> Sub 100% }\n"
                                  "stage Sub goal { wait 30 days revenue 10 -> Sub 90% -> churn otherwise \"cancelled\" }\n";

static void test_subscription(void)
{
    TEST("kpi: subscription with a constant monthly churn p = 10%: retention, churn rate, lifetime, payback") {
        J j;
        if (unit_load(&j, SUBSCRIPTION)) {
            RtResult *r = simulate(&j, 20000, 7, 2);
            RtKpis k = rt_kpis(r);
            CHECK(r->converted == 20000 && r->lost == 0);
            /* R(30 k) = 0.9^k: day 30, 90, 180 are k = 1, 3, 6; day 365 is k = 12 (last churn day 360). */
            double truth[RT_RETENTION_DAYS] = {0.9, pow(0.9, 3), pow(0.9, 6), pow(0.9, 12)};
            for (int i = 0; i < RT_RETENTION_DAYS; i++) {
                CHECK_COVERS(k.retention[i], truth[i]);
                CHECK(k.retention[i].hi - k.retention[i].lo < 0.03);
            }
            /* Constant waits: the curve is exact at the churn days and flat between them. */
            RtEstimate r30 = rt_customer_retention(r, 30), r59 = rt_customer_retention(r, 59.9);
            CHECK(r30.value == r59.value);
            CHECK(rt_customer_retention(r, 29.9).value == 1);
            /* Followed 720 days at most (the horizon): nothing past it. */
            CHECK(rt_followup_max(r) == 720);
            CHECK(isnan(rt_customer_retention(r, 721).value));
            CHECK_COVERS(k.monthly_churn, 0.1);
            CHECK(k.monthly_churn.hi - k.monthly_churn.lo < 0.01);
            CHECK_NEAR(k.annual_churn.value, 1 - pow(1 - k.monthly_churn.value, 12), 1e-12);
            CHECK(k.annual_churn.lo < k.annual_churn.value && k.annual_churn.value < k.annual_churn.hi);
            CHECK_NEAR(k.customer_churn.rate, r->customer_churned / 20000, 1e-12);
            /* Lifetime restricted to 720 days: 30 (1 - 0.9^24) / 0.1. */
            CHECK(k.lifetime_limit == 720);
            CHECK_COVERS(k.lifetime, 300 * (1 - pow(0.9, 24)));
            /* CAC 25 (the banner); revenue 10 at day 0, 9 more by day 30, 8.1 by day 60: paid back
             * at day 60. LTV: 10 per month lived, 24 + 1 months at most within the horizon. */
            CHECK_NEAR(k.cac.value, 25, 1e-12);
            CHECK(k.payback_days == 60);
            CHECK_COVERS(k.ltv, 10 * (1 - pow(0.9, 25)) / 0.1);
            CHECK(k.cost_to_serve.value == 0);
            /* Relational NPS/CSAT over customers, no survey. */
            CHECK(!k.nps_from_surveys && k.nps_n == 20000);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("kpi: a horizon censoring late converters biases the naive share, not Kaplan-Meier") {
        J j;
        /* Conversion uniform over the 100 days of the horizon, then an exponential life of mean
         * 50 days: a customer converting on day 90 is followed 10 days. R(30) = e^-0.6. */
        if (unit_load(&j, "journey \"c\" { horizon 100 days }\n"
                     "stage Lead { wait uniform(0 days, 100 days) -> Cust 100% }\n"
                     "stage Cust goal { wait exponential(50 days) -> churn 100% \"left\" }\n")) {
            RtResult *r = simulate(&j, 40000, 11, 2);
            double truth = exp(-30.0 / 50);
            /* The naive share: customers not seen churning within 30 days, over all customers. */
            double naive = 1 - (double)rt_hist_count_upto(r->followup_churn, 30) / r->converted;
            RtEstimate km = rt_customer_retention(r, 30);
            CHECK(naive > truth + 0.05); /* 0.61 against 0.55 */
            CHECK_COVERS(km, truth);
            CHECK(km.hi - km.lo < 0.03);
            RtKpis k = rt_kpis(r);
            CHECK_COVERS(k.monthly_churn, 30.0 / 50);
            /* Every customer's window is horizon - t_c; censored ones are followed as long. */
            CHECK(rt_hist_total(r->followup_window) == (uint64_t)r->converted);
            CHECK(rt_hist_total(r->followup_churn) + rt_hist_total(r->followup_censor) == (uint64_t)r->converted);
            CHECK(rt_followup_max(r) <= 100);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("kpi: completing is not churn: followed to the horizon, or for ever without one") {
        J j;
        if (unit_load(&j, "stage A { wait 10 days -> G 100% }\nstage G goal { wait 5 days -> churn 50% -> Done otherwise }\n"
                     "stage Done { wait 5 days }\n")) {
            RtResult *r = simulate(&j, 4000, 3, 1);
            double done = r->customers_completed;
            CHECK(done > 1800 && done < 2200);
            CHECK(r->followup_completed_never == done);
            CHECK(rt_hist_total(r->followup_censor) == 0 && r->followup_window == NULL);
            RtKpis k = rt_kpis(r);
            /* All churn at day 5 after conversion; the others are at risk for ever. */
            CHECK_NEAR(k.retention[3].value, done / 4000, 1e-12);
            CHECK_NEAR(r->exposure_days, 5 * 4000.0 + 5 * done, 1e-9);
            CHECK(k.lifetime_limit == 5);
            rt_result_free(r);
        }
        unit_unload(&j);
        if (unit_load(&j, "journey \"h\" { horizon 30 days }\n"
                     "stage A { wait 10 days -> G 100% }\nstage G goal { wait 5 days -> Done 100% }\n"
                     "stage Done { wait 1 day }\n")) {
            RtResult *r = simulate(&j, 1000, 3, 1);
            CHECK(r->customers_completed == 1000 && r->followup_completed_never == 0);
            CHECK(rt_hist_total(r->followup_censor) == 1000 && rt_followup_max(r) == 20);
            CHECK_NEAR(r->exposure_days, 6 * 1000.0, 1e-9); /* to completion */
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("kpi: a journey without a goal has no customer figures") {
        J j;
        if (unit_load(&j, "stage A { touchpoint T { cost 1 } -> churn 50% -> A otherwise }\n")) {
            RtResult *r = simulate(&j, 1000, 3, 1);
            RtKpis k = rt_kpis(r);
            CHECK(isnan(k.customers) && isnan(k.customer_churn.rate) && isnan(k.retention[0].value));
            CHECK(isnan(k.monthly_churn.value) && isnan(k.lifetime.value) && isnan(k.ltv.value));
            CHECK(isnan(k.cac.value) && isnan(k.payback_days) && isnan(k.nps.value) && isnan(k.csat.value));
            CHECK(k.lost.count == 1000 && k.converted.count == 0);
            CHECK(!isnan(k.acquisition_cost.value) && !isnan(k.arpu.value));
            rt_result_free(r);
        }
        unit_unload(&j);
    }
}

/* ---- satisfaction ---- */

static void test_surveys(void)
{
    TEST("kpi: survey touchpoints: every meeting answers from the mood at that moment") {
        J j;
        /* Mood at the survey: 0.5 (curve) + 0.2 (its emotion), minus 1 for Grumpy: promoters
         * (score 9) and detractors (score 4); CSAT 4.4 and 2.4. */
        if (unit_load(&j, "persona Happy { share 50% }\npersona Grumpy { share 50% mood -1 }\n"
                     "curve { S 0.5 }\n"
                     "stage S { touchpoint Nps { emotion 0.2 survey nps } touchpoint Csat { survey csat }\n"
                     "  -> G 50% -> churn otherwise }\n"
                     "stage G goal {}\n")) {
            int nps = touch_index(&j, "Nps"), csat = touch_index(&j, "Csat");
            RtResult *r = simulate(&j, 10000, 4, 2);
            double happy = r->personas[0].customers, grumpy = r->personas[1].customers;
            const RtTouchRow *t = &r->touch[nps], *u = &r->touch[csat];
            CHECK(t->respondents == 10000 && t->respondents == t->meetings);
            CHECK(t->promoters == happy && t->detractors == grumpy);
            CHECK_NEAR(t->score_sum, 9 * happy + 4 * grumpy, 1e-6);
            CHECK_NEAR(u->score_sum, 4.4 * happy + 2.4 * grumpy, 1e-6);
            RtEstimate e = rt_survey_nps(t);
            CHECK_NEAR(e.value, 100 * (happy - grumpy) / 10000, 1e-9);
            CHECK_COVERS(e, 0);
            CHECK_NEAR(rt_survey_csat(u).value, (4.4 * happy + 2.4 * grumpy) / 10000, 1e-9);
            RtKpis k = rt_kpis(r);
            CHECK(k.nps_from_surveys && k.csat_from_surveys && k.nps_n == 10000 && k.csat_n == 10000);
            CHECK_NEAR(k.nps.value, e.value, 1e-12);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("kpi: relational NPS over customers only") {
        J j;
        /* Prospects lost at A are unhappy; customers end at G, happy. */
        if (unit_load(&j, "curve { A -0.9 G 0.9 }\nstage A { -> G 30% -> churn otherwise }\nstage G goal {}\n")) {
            RtResult *r = simulate(&j, 5000, 4, 2);
            RtKpis k = rt_kpis(r);
            CHECK(!k.nps_from_surveys && k.nps_n == r->converted);
            CHECK(k.nps.value == 100);
            CHECK_NEAR(k.csat.value, 4.8, 1e-12);
            CHECK(r->nps < 0); /* the old whole-cohort figure */
            rt_result_free(r);
        }
        unit_unload(&j);
    }
}

/* Every figure kpis.md adds, written out exactly (%a), for comparing runs. */
static void dump(const RtResult *r, Buf *b)
{
    buf_printf(b, "%a %a %a %a %a\n", r->lost, r->customer_churned, r->customers_completed, r->exposure_days,
               r->followup_completed_never);
    buf_printf(b, "%a %a %a %a %a %a %a %a\n", r->acq_cost, r->acq_cost_sq, r->acq_cost_conv, r->serve_cost,
               r->serve_cost_sq, r->ltv_revenue, r->ltv_revenue_sq, r->ltv_revenue_acq);
    buf_printf(b, "%a %a %a %a %a\n", r->cust_promoters, r->cust_detractors, r->cust_score_n, r->cust_csat_sum,
               r->cust_csat_sq);
    const RtHist *h[] = {r->followup_churn, r->followup_censor, r->followup_window};
    for (int k = 0; k < 3; k++)
        for (int i = 0; h[k] && i < RT_HIST_BUCKETS; i++)
            if (h[k]->b[i].count) buf_printf(b, "h%d %d %llu %a %a\n", k, i, (unsigned long long)h[k]->b[i].count,
                                             h[k]->b[i].min, h[k]->b[i].max);
    for (int i = 0; i < RT_HIST_BUCKETS; i++)
        if (r->revenue_after[i] != 0) buf_printf(b, "rev %d %a %a\n", i, r->revenue_after[i], r->revenue_after_min[i]);
    for (int m = 0; m < r->nmonths; m++) {
        const RtMonth *x = &r->months[m];
        buf_printf(b, "m%d %a %a %a %a %a %a %a\n", m, x->new_prospects, x->new_customers, x->lost,
                   x->churned_customers, x->completed_customers, x->revenue, x->cost);
    }
    for (int t = 0; t < r->rt->ntouch; t++) {
        const RtTouchRow *x = &r->touch[t];
        buf_printf(b, "t%d %a %a %a %a %a %a\n", t, x->acq_cost, x->respondents, x->promoters, x->detractors,
                   x->score_sum, x->score_sq);
    }
    for (int c = 0; c < r->rt->nchannels; c++) {
        const RtTouchRow *x = &r->channels[c];
        buf_printf(b, "c%d %a %a %a %a\n", c, x->acq_cost, x->attr_first, x->attr_last, x->attr_linear);
    }
    for (int s = 0; s < r->rt->nstages; s++)
        buf_printf(b, "s%d %a %a\n", s, r->stages[s].lost, r->stages[s].customer_churned);
    for (int i = 0; i < r->nreasons; i++) buf_printf(b, "r%d %a %a\n", i, r->reasons[i].lost, r->reasons[i].customers);
}

/* ---- arrivals and the calendar ---- */

/* Sets arrivals of `per_month` customers a month for `months` months (as the language's
 * `arrivals N per month for M months` will). */
static void set_arrivals(J *j, uint64_t per_month, int months)
{
    j->rm->arrivals = xcalloc((size_t)months, sizeof *j->rm->arrivals);
    j->rm->narrivals = months;
    for (int m = 0; m < months; m++)
        j->rm->arrivals[m] = (RtArrivalPeriod){30.0 * m, 30, per_month, per_month * (uint64_t)m, -1};
    j->rm->arrival_total = per_month * (uint64_t)months;
}

static void test_arrivals(void)
{
    TEST("kpi: arrivals of a constant rate into a constant-churn subscription: active customers approach rate / p") {
        J j;
        if (unit_load(&j, "journey \"a\" { horizon 720 days }\n"
                     "stage Sub goal { wait 30 days revenue 10 -> Sub 90% -> churn otherwise \"cancelled\" }\n")) {
            set_arrivals(&j, 1000, 24);
            RtResult *r = simulate(&j, j.rm->arrival_total, 5, 2);
            CHECK(r->has_arrivals && r->nmonths == 24 && r->cohort == 24000);
            for (int m = 0; m < 24; m++) {
                RtMonthView v = rt_month(r, m);
                CHECK(v.month.new_prospects == 1000 && v.month.new_customers == 1000);
                /* Arrivals in month j are still customers at the end of month m with probability
                 * 0.9^(m - j): 10000 (1 - 0.9^(m + 1)) on average, below rate / p = 10000. */
                double mean = 10000 * (1 - pow(0.9, m + 1)), sd = sqrt(mean * 0.9);
                if (fabs(v.active_customers - mean) > 4 * sd)
                    printf("FAIL %s: month %d: %.0f active, expected %.0f\n", unit_current, m, v.active_customers, mean),
                        unit_current_failed = true;
                CHECK(v.active_customers < 10000);
            }
            RtMonthView last = rt_month(r, 23);
            CHECK(last.active_customers > 9000);
            /* MRR: each customer active at the month's end paid 10 in it (its monthly renewal); one
             * who churned in it did not (churn comes at the renewal). */
            CHECK_NEAR(r->months[23].revenue, 10 * last.active_customers, 1e-6);
            CHECK(last.cumulative_customers == 24000);
            CHECK(isnan(rt_month(r, 24).active_customers));
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("kpi: arrivals written in the language are the periods set by hand") {
        J a, b;
        const char *sub = "stage Sub goal { wait 30 days revenue 10 -> Sub 90% -> churn otherwise \"cancelled\" }\n";
        char text[512];
        snprintf(text, sizeof text, "journey \"a\" { horizon 720 days arrivals 1000 per month for 24 months }\n%s", sub);
        bool ok = unit_load(&a, text);
        snprintf(text, sizeof text, "journey \"a\" { horizon 720 days }\n%s", sub);
        ok = unit_load(&b, text) && ok;
        if (ok) {
            set_arrivals(&b, 1000, 24);
            CHECK(a.rm->narrivals == 24 && a.rm->arrival_total == 24000);
            RtResult *x = simulate(&a, a.rm->arrival_total, 5, 2), *y = simulate(&b, b.rm->arrival_total, 5, 1);
            Buf bx = BUF_INIT, by = BUF_INIT;
            dump(x, &bx);
            dump(y, &by);
            CHECK(strcmp(buf_str(&bx), buf_str(&by)) == 0);
            buf_free(&bx);
            buf_free(&by);
            rt_result_free(x);
            rt_result_free(y);
        }
        unit_unload(&a);
        unit_unload(&b);
    }
    TEST("kpi: arrivals change no customer's life: all at day 0 is the cohort of today") {
        J j;
        if (unit_load(&j, SUBSCRIPTION)) {
            RtResult *a = simulate(&j, 5000, 9, 2);
            j.rm->arrivals = xcalloc(1, sizeof *j.rm->arrivals);
            j.rm->arrivals[0] = (RtArrivalPeriod){0, 0, 5000, 0, -1};
            j.rm->narrivals = 1;
            j.rm->arrival_total = 5000;
            RtResult *b = simulate(&j, 5000, 9, 2);
            CHECK(a->converted == b->converted && a->customer_churned == b->customer_churned);
            CHECK(a->revenue == b->revenue && a->exposure_days == b->exposure_days && a->steps == b->steps);
            CHECK(a->months[3].churned_customers == b->months[3].churned_customers);
            CHECK(!a->has_arrivals && b->has_arrivals);
            rt_result_free(a);
            rt_result_free(b);
        }
        unit_unload(&j);
    }
    TEST("kpi: arrivals: each customer's own horizon is the horizon minus its arrival") {
        J j;
        /* Converted on arrival, never churning: followed from arrival to the horizon. */
        if (unit_load(&j, "journey \"a\" { horizon 60 days }\nstage G goal { wait 1 day -> G 100% }\n")) {
            set_arrivals(&j, 500, 2);
            RtResult *r = simulate(&j, j.rm->arrival_total, 5, 1);
            CHECK(r->converted == 1000 && r->active == 1000);
            CHECK(rt_followup_max(r) <= 60 && rt_hist_total(r->followup_censor) == 1000);
            /* Mean follow-up: 45 days for the first month's arrivals, 15 for the second's. */
            CHECK(fabs(r->exposure_days / 1000 - 30) < 1.5);
            CHECK(r->nmonths == 2 && r->months[0].new_prospects == 500 && r->months[1].new_customers == 500);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
}

/* ---- --window ---- */

static void test_window(void)
{
    TEST("kpi: --window: only a goal entry within the window converts") {
        J j;
        if (unit_load(&j, "stage A { wait exponential(10 days) -> G 100% }\nstage G goal { wait 1 day -> churn 100% }\n")) {
            SimOptions o = unit_sim_options(&j, 20000, 3, 2);
            o.window = 10;
            RtResult *r = sim_run(j.rm, &o);
            double lo, hi;
            rt_wilson(r->converted, 20000, 3.29, &lo, &hi);
            CHECK(lo <= 1 - exp(-1) && 1 - exp(-1) <= hi);
            CHECK(r->window == 10);
            CHECK(r->stages[1].reached == 20000 && r->stages[1].converted == r->converted);
            /* The late ones stay prospects: their churn is a loss. */
            CHECK(r->lost == 20000 - r->converted && r->customer_churned == r->converted);
            CHECK(rt_hist_max(r->ttc_hist) <= 10);
            rt_result_free(r);
            o.window = NAN; /* none */
            r = sim_run(j.rm, &o);
            CHECK(r->converted == 20000 && isnan(r->window));
            rt_result_free(r);
        }
        unit_unload(&j);
    }
}

/* ---- the funnel ---- */

static void test_main_path(void)
{
    TEST("kpi: the funnel's main path and step-through rates") {
        J j;
        if (unit_load(&j, "stage Aware { -> Interest 70% -> churn otherwise }\n"
                     "stage Interest { -> Consider 60% -> Aware 15% -> churn otherwise }\n"
                     "stage Consider { -> Purchase 50% -> Interest 20% -> Side 1% -> churn otherwise }\n"
                     "stage Purchase goal { -> Onboard 90% -> churn otherwise }\n"
                     "stage Onboard { -> churn 100% }\n"
                     "stage Side { -> churn 100% }\n")) {
            RtResult *r = simulate(&j, 20000, 3, 2);
            int order[6];
            int n = rt_main_path(r, order);
            CHECK(n == 5 && order[0] == 0 && order[1] == 1 && order[2] == 2 && order[3] == 3 && order[4] == 4);
            RtRate s = rt_step_through(r, 3, 4);
            CHECK(s.lo <= 0.9 && 0.9 <= s.hi);
            CHECK_NEAR(s.rate, r->stages[4].reached / r->stages[3].reached, 1e-12);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
}

/* ---- determinism ---- */

static void test_threads(void)
{
    TEST("kpi: the same figures, to the last bit, for 1, 2 and 8 threads") {
        J j;
        if (unit_load(&j, "journey \"t\" { horizon 400 days }\nchannel search\nchannel email\n"
                     "persona A { share 60% }\npersona B { share 40% mood -0.3 }\n"
                     "curve { Visit 0.2 Sub 0.4 }\n"
                     "stage Visit { wait exponential(5 days)\n"
                     "  touchpoint Ad { channel search reach 70% emotion 0.1 cost 1.5 }\n"
                     "  touchpoint Mail { channel email reach 40% cost 0.25 }\n"
                     "  -> Sub 30% + 10% * mood -> Visit 20% -> churn otherwise \"left\" }\n"
                     "stage Sub goal { wait exponential(30 days) revenue 9.5\n"
                     "  touchpoint Survey { emotion -0.1 cost 0.1 survey nps }\n"
                     "  -> Sub 85% -> churn otherwise \"cancelled\" }\n"
                     "rule Upsell when stage == Sub and mood > 0.3 { revenue += 3 with 40% }\n"
                     "rule Save when stage == Visit and visits(Visit) == 3 { cost += 2  churn \"spam\" }\n")) {
            set_arrivals(&j, 3000, 12);
            Buf out[3] = {BUF_INIT, BUF_INIT, BUF_INIT};
            int threads[3] = {1, 2, 8};
            for (int k = 0; k < 3; k++) {
                RtResult *r = simulate(&j, j.rm->arrival_total, 17, threads[k]);
                dump(r, &out[k]);
                render_json(r, "t.journey", &out[k]);
                rt_result_free(r);
            }
            CHECK(out[0].len > 1000);
            CHECK(strcmp(buf_str(&out[0]), buf_str(&out[1])) == 0);
            CHECK(strcmp(buf_str(&out[0]), buf_str(&out[2])) == 0);
            for (int k = 0; k < 3; k++) buf_free(&out[k]);
        }
        unit_unload(&j);
    }
}

/* ---- coverage ---- */

static void test_coverage(void)
{
    TEST("kpi: Kaplan-Meier (Greenwood) and Poisson intervals cover the truth about 95% of the time (100 seeds)") {
        J j;
        /* Converted at once; an exponential life of mean 40 days; censored by the 45-day horizon
         * after a uniform start: R(30) = e^-0.75, a churn rate of 30/40 a month. */
        if (unit_load(&j, "journey \"c\" { horizon 45 days }\n"
                     "stage Lead { wait uniform(0 days, 20 days) -> Cust 100% }\n"
                     "stage Cust goal { wait exponential(40 days) -> churn 100% }\n")) {
            int km = 0, poisson = 0, runs = 100;
            for (int seed = 1; seed <= runs; seed++) {
                RtResult *r = simulate(&j, 300, (uint64_t)seed, 1);
                RtKpis k = rt_kpis(r);
                km += covers(k.retention[0], exp(-0.75));
                poisson += covers(k.monthly_churn, 0.75);
                rt_result_free(r);
            }
            /* Binomial(100, 0.95): 89 to 100 holds with probability 0.99. */
            if (km < 89 || poisson < 89)
                printf("FAIL %s: coverage: Kaplan-Meier %d%%, Poisson %d%%\n", unit_current, km, poisson),
                    unit_current_failed = true;
        }
        unit_unload(&j);
    }
}

void unit_kpi(void)
{
    test_poisson();
    test_funnel_money();
    test_subscription();
    test_surveys();
    test_arrivals();
    test_window();
    test_main_path();
    test_threads();
    test_coverage();
}
