/* test_kpi_exact.c: unit tests of the customer figures of the exact analysis (kpis.md;
 * docs/semantics.md, "Customer figures in the exact analysis") against values computed by hand:
 * acquisition cost and CAC of a funnel with a paid channel, the exposure and monthly churn of a
 * subscription, the split of churn into lost prospects and churned customers by stage, reason and
 * persona, first/last/linear attribution against series summed here, the weights of arrivals, and
 * removal-effect attribution (attribution.h) with the drops worked out by hand. */
#define CJM_INTERNALS
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "journey.h"
#include "unit.h"

void unit_kpi_exact(void);

typedef UnitJourney J;

static RtResult *solve(J *j, double cohort)
{
    ExactOptions o = {cohort, 1, false, 0, -1};
    if (!exact_check(j->rm, &j->c.diag)) return NULL;
    return exact_run(j->rm, &o, &j->c.diag);
}

static int stage_index(const J *j, const char *name)
{
    for (int s = 0; s < j->c.model->nstages; s++)
        if (strcmp(j->c.model->stages[s]->name.s, name) == 0) return s;
    return -1;
}

static int channel_index(const J *j, const char *name)
{
    for (int c = 0; c < j->c.model->nchannels; c++)
        if (strcmp(j->c.model->channels[c]->name.s, name) == 0) return c;
    return -1;
}

static const RtReasonRow *reason(const RtResult *r, const char *text)
{
    for (int i = 0; i < r->nreasons; i++)
        if (strcmp(r->reasons[i].reason, text) == 0) return &r->reasons[i];
    return NULL;
}

#define EPS 1e-9

/* ---- money: acquisition cost, cost to serve, LTV, per channel ---- */

/* Everyone meets the ad (2 each); 25% buy, and the purchase's receipt (1, email) is part of the
 * conversion entry, hence acquisition; the onboarding call (4) after it serves the customer. */
static const char FUNNEL[] = "journey \"f\" { cohort 1000 }\n"
                             "channel search \"Search\"\nchannel email \"Email\"\nchannel phone \"Phone\"\n"
                             "stage Visit { wait 3 days touchpoint Ad { channel search cost 2 }\n"
                             "  -> Buy 25% -> churn otherwise \"not interested\" }\n"
                             "stage Buy goal { revenue 100 touchpoint Receipt { channel email cost 1 } -> Onboard 100% }\n"
                             "stage Onboard { wait 10 days revenue 5 touchpoint Call { channel phone cost 4 } }\n";

static void test_funnel_money(void)
{
    TEST("exact kpi: a two-stage funnel with one paid channel: acquisition cost, CAC, cost to serve, LTV") {
        J j;
        if (unit_load(&j, FUNNEL)) {
            RtResult *r = solve(&j, 1000);
            CHECK(r != NULL);
            if (r) {
                CHECK_NEAR(r->converted, 250, EPS);
                /* 1000 ads at 2, 250 receipts at 1 in the conversion entry */
                CHECK_NEAR(r->acq_cost, 2250, 1e-6);
                CHECK_NEAR(r->acq_cost / r->converted, 9, EPS); /* CAC */
                CHECK_NEAR(r->serve_cost, 1000, 1e-6);          /* 250 calls at 4 */
                CHECK_NEAR(r->acq_cost + r->serve_cost, r->cost, 1e-6);
                CHECK_NEAR(r->ltv_revenue, 250 * 105.0, 1e-6);
                CHECK_NEAR(r->ltv_revenue, r->revenue, 1e-6);
                int search = channel_index(&j, "search"), email = channel_index(&j, "email");
                int phone = channel_index(&j, "phone");
                CHECK_NEAR(r->channels[search].acq_cost, 2000, 1e-6);
                CHECK_NEAR(r->channels[email].acq_cost, 250, 1e-6);
                CHECK_NEAR(r->channels[phone].acq_cost, 0, EPS);
                /* the ad is every converter's first touch, the receipt its last; linear halves */
                CHECK_NEAR(r->channels[search].attr_first, 250, 1e-6);
                CHECK_NEAR(r->channels[email].attr_first, 0, 1e-6);
                CHECK_NEAR(r->channels[search].attr_last, 0, 1e-6);
                CHECK_NEAR(r->channels[email].attr_last, 250, 1e-6);
                CHECK_NEAR(r->channels[search].attr_linear, 125, 1e-6);
                CHECK_NEAR(r->channels[email].attr_linear, 125, 1e-6);
                CHECK_NEAR(r->channels[phone].attr_first + r->channels[phone].attr_last, 0, EPS);
                CHECK(isnan(r->channels[search].attr_removal));
                /* prospects lost at the visit; the customers complete after onboarding's 10 days */
                CHECK_NEAR(r->lost, 750, 1e-6);
                CHECK_NEAR(r->customer_churned, 0, EPS);
                CHECK_NEAR(r->customers_completed, 250, 1e-6);
                CHECK_NEAR(r->exposure_days, 2500, 1e-6);
                /* no interval, no curve */
                CHECK(isnan(r->acq_cost_sq) && isnan(r->serve_cost_sq) && isnan(r->ltv_revenue_sq));
                CHECK(isnan(r->acq_cost_conv) && isnan(r->ltv_revenue_acq));
                CHECK(!r->followup_churn && !r->followup_censor && !r->revenue_after && !r->months);
                CHECK(r->no_curves_reason && strstr(r->no_curves_reason, "not figures over time"));
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
}

/* ---- a subscription with a constant monthly churn ---- */

static const char SUBSCRIPTION[] = "journey \"s\" { cohort 1000 }\n"
                                   "stage Trial { wait 14 days -> Active 40% -> churn otherwise \"trial ended\" }\n"
                                   "stage Active goal { wait 30 days revenue 20\n"
                                   "  -> churn 5% \"cancelled\" -> Active otherwise }\n";

static void test_subscription(void)
{
    TEST("exact kpi: a subscription with monthly churn p: exposure 30/p per customer, monthly churn exactly p") {
        J j;
        if (unit_load(&j, SUBSCRIPTION)) {
            RtResult *r = solve(&j, 1000);
            CHECK(r != NULL);
            if (r) {
                double p = 0.05;
                CHECK_NEAR(r->converted, 400, 1e-9);
                CHECK_NEAR(r->lost, 600, 1e-9);
                CHECK_NEAR(r->customer_churned, 400, 1e-9);
                CHECK_NEAR(r->lost + r->customer_churned, r->churned, 1e-9);
                CHECK_NEAR(r->customers_completed, 0, 1e-9);
                /* a customer stays 1/p months: the trial's 14 days are not exposure */
                CHECK_NEAR(r->exposure_days, 400 * 30 / p, 1e-6);
                CHECK_NEAR(r->customer_churned / (r->exposure_days / 30), p, 1e-12);
                CHECK_NEAR(r->ltv_revenue, 400 * 20 / p, 1e-6);
                int trial = stage_index(&j, "Trial"), active = stage_index(&j, "Active");
                CHECK_NEAR(r->stages[trial].lost, 600, 1e-9);
                CHECK_NEAR(r->stages[trial].customer_churned, 0, 1e-9);
                CHECK_NEAR(r->stages[active].lost, 0, 1e-9);
                CHECK_NEAR(r->stages[active].customer_churned, 400, 1e-9);
                const RtReasonRow *ended = reason(r, "trial ended"), *cancelled = reason(r, "cancelled");
                CHECK(ended && cancelled);
                if (ended && cancelled) {
                    CHECK_NEAR(ended->lost, 600, 1e-9);
                    CHECK_NEAR(ended->customers, 0, 1e-9);
                    CHECK_NEAR(cancelled->lost, 0, 1e-9);
                    CHECK_NEAR(cancelled->customers, 400, 1e-9);
                }
                /* a journey without touchpoints: nothing to attribute, nobody surveyed */
                CHECK_NEAR(r->acq_cost + r->serve_cost, 0, EPS);
                CHECK_NEAR(r->survey_nps_n + r->survey_csat_n, 0, EPS);
                CHECK_NEAR(r->cust_score_n, 400, 1e-9);
                CHECK(isnan(r->cust_promoters) && isnan(r->cust_detractors) && isnan(r->cust_csat_sum));
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
}

/* ---- churn before and after converting at the same stage ---- */

/* Browse is entered before converting (once, from the start) and after (from Buy). Before: 60% are
 * lost there ("bored"), 40% buy. From Buy, Buy's entries are 1 / (1 - 0.5 x 0.4) = 1.25 and
 * Browse's 0.5 x 1.25 = 0.625; per converter (0.4 of the cohort): customer churn at Browse
 * 0.625 x 0.6, at Buy 1.25 x 10% ("refund"), completion at Done 1.25 x 40%. */
static const char BOTH[] = "journey \"b\" { cohort 1000 }\n"
                           "persona A { share 25% }\npersona B {}\n"
                           "stage Browse { wait 1 day -> Buy 40% -> churn otherwise \"bored\" }\n"
                           "stage Buy goal { wait 2 days -> Browse 50% -> churn 10% \"refund\" -> Done otherwise }\n"
                           "stage Done { wait 5 days }\n";

static void test_split(void)
{
    TEST("exact kpi: prospects lost and customers churned at the same stage, by stage, reason and persona") {
        J j;
        if (unit_load(&j, BOTH)) {
            RtResult *r = solve(&j, 1000);
            CHECK(r != NULL);
            if (r) {
                int browse = stage_index(&j, "Browse"), buy = stage_index(&j, "Buy");
                CHECK_NEAR(r->converted, 400, 1e-9);
                CHECK_NEAR(r->stages[browse].lost, 600, 1e-9);
                CHECK_NEAR(r->stages[browse].customer_churned, 400 * 0.625 * 0.6, 1e-9);
                CHECK_NEAR(r->stages[buy].lost, 0, 1e-9);
                CHECK_NEAR(r->stages[buy].customer_churned, 400 * 1.25 * 0.1, 1e-9);
                CHECK_NEAR(r->lost, 600, 1e-9);
                CHECK_NEAR(r->customer_churned, 150 + 50, 1e-9);
                CHECK_NEAR(r->customers_completed, 400 * 1.25 * 0.4, 1e-9);
                CHECK_NEAR(r->converted, r->customer_churned + r->customers_completed, 1e-9);
                /* exposure: Buy's 2 days on 1.25 entries, Browse's 1 day on 0.625, Done's 5 on 0.5 */
                CHECK_NEAR(r->exposure_days, 400 * (1.25 * 2 + 0.625 * 1 + 0.5 * 5), 1e-9);
                const RtReasonRow *bored = reason(r, "bored"), *refund = reason(r, "refund");
                CHECK(bored && refund);
                if (bored && refund) {
                    CHECK_NEAR(bored->lost, 600, 1e-9);
                    CHECK_NEAR(bored->customers, 150, 1e-9);
                    CHECK_NEAR(bored->count, 750, 1e-9);
                    CHECK_NEAR(refund->lost, 0, 1e-9);
                    CHECK_NEAR(refund->customers, 50, 1e-9);
                }
                CHECK_NEAR(r->personas[0].lost, 150, 1e-9);
                CHECK_NEAR(r->personas[1].lost, 450, 1e-9);
                CHECK_NEAR(r->personas[0].customer_churned, 50, 1e-9);
                CHECK_NEAR(r->personas[1].customer_churned, 150, 1e-9);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
    TEST("exact kpi: personas with chains of their own add up their split") {
        /* A buys with 40%, B with 20%: lost 0.6 x 250 + 0.8 x 750; each buyer then churns with 10% */
        J j;
        if (unit_load(&j, "persona A { share 25%  rate = 40% }\npersona B { rate = 20% }\n"
                     "stage Browse { -> Buy rate -> churn otherwise \"bored\" }\n"
                     "stage Buy goal { -> churn 10% \"refund\" -> Done otherwise }\nstage Done {}\n")) {
            RtResult *r = solve(&j, 1000);
            CHECK(r != NULL);
            if (r) {
                CHECK_NEAR(r->personas[0].lost, 150, 1e-9);
                CHECK_NEAR(r->personas[1].lost, 600, 1e-9);
                CHECK_NEAR(r->personas[0].customer_churned, 10, 1e-9);
                CHECK_NEAR(r->personas[1].customer_churned, 15, 1e-9);
                CHECK_NEAR(r->lost, 750, 1e-9);
                CHECK_NEAR(r->customer_churned, 25, 1e-9);
                CHECK_NEAR(r->customers_completed, 225, 1e-9);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
    TEST("exact kpi: a journey without a goal has lost prospects only") {
        J j;
        if (unit_load(&j, "stage A { touchpoint T { cost 3 } -> B 50% -> churn otherwise \"x\" }\nstage B {}\n")) {
            RtResult *r = solve(&j, 100);
            CHECK(r != NULL);
            if (r) {
                CHECK_NEAR(r->lost, 50, 1e-9);
                CHECK_NEAR(r->customer_churned + r->customers_completed + r->exposure_days, 0, EPS);
                CHECK_NEAR(r->acq_cost, 300, 1e-9);
                CHECK_NEAR(r->serve_cost + r->ltv_revenue, 0, EPS);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
}

/* ---- attribution with repeated visits; surveys ---- */

/* Each visit meets the ad (search) and then the mail (email), each with 50%; 50% buy, 25% come
 * back, 25% leave. A converter made k visits with probability 0.25^(k-1) 0.5. */
static const char VISITS[] = "channel search \"Search\"\nchannel email \"Email\"\n"
                             "stage Visit { touchpoint Ad { channel search reach 50% cost 1 }\n"
                             "  touchpoint Mail { channel email reach 50% cost 0.5 }\n"
                             "  -> Buy 50% -> Visit 25% -> churn otherwise \"gone\" }\n"
                             "stage Buy goal {}\n";

static void test_attribution_series(void)
{
    TEST("exact kpi: first, last and linear attribution over repeated visits equal their series") {
        J j;
        if (unit_load(&j, VISITS)) {
            RtResult *r = solve(&j, 1);
            CHECK(r != NULL);
            if (r) {
                /* per visit: first meeting search 1/2, email 1/4; last meeting email 1/2, search 1/4;
                 * no meeting 1/4. Channels met in k visits: each with q = 1 - 2^-k, independently. */
                double first[2] = {0, 0}, last[2] = {0, 0}, linear = 0, conv = 0;
                for (int k = 1; k < 200; k++) {
                    double pk = pow(0.25, k - 1) * 0.5, q = 1 - pow(0.5, k);
                    conv += pk;
                    for (int v = 1; v <= k; v++) { /* first (last) meeting on visit v */
                        double before = pow(0.25, v - 1), after = pow(0.25, k - v);
                        first[0] += pk * before * 0.5;
                        first[1] += pk * before * 0.25;
                        last[0] += pk * after * 0.25;
                        last[1] += pk * after * 0.5;
                    }
                    linear += pk * (q * (1 - q) + q * q / 2);
                }
                int search = channel_index(&j, "search"), email = channel_index(&j, "email");
                CHECK_NEAR(r->converted, conv, 1e-12);
                CHECK_NEAR(r->channels[search].attr_first, first[0], 1e-12);
                CHECK_NEAR(r->channels[email].attr_first, first[1], 1e-12);
                CHECK_NEAR(r->channels[search].attr_last, last[0], 1e-12);
                CHECK_NEAR(r->channels[email].attr_last, last[1], 1e-12);
                CHECK_NEAR(r->channels[search].attr_linear, linear, 1e-12);
                CHECK_NEAR(r->channels[email].attr_linear, linear, 1e-12);
                /* every visit's meetings are acquisition: 1/(1 - 0.25) visits */
                CHECK_NEAR(r->acq_cost, (0.5 * 1 + 0.5 * 0.5) / 0.75, 1e-12);
                CHECK_NEAR(r->channels[search].acq_cost, 0.5 / 0.75, 1e-12);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
    TEST("exact kpi: a survey's respondents are its expected meetings; the answers are not known") {
        J j;
        if (unit_load(&j, VISITS)) {
            j.rm->touch[1].survey = RT_SURVEY_NPS; /* Mail, as `survey nps` would make it */
            RtResult *r = solve(&j, 1000);
            CHECK(r != NULL);
            if (r) {
                CHECK_NEAR(r->touch[1].respondents, 1000 * 0.5 / 0.75, 1e-9);
                CHECK_NEAR(r->survey_nps_n, 1000 * 0.5 / 0.75, 1e-9);
                CHECK_NEAR(r->survey_csat_n, 0, EPS);
                CHECK(isnan(r->touch[1].promoters) && isnan(r->touch[1].score_sum));
                CHECK(isnan(r->survey_promoters) && isnan(r->survey_detractors));
                CHECK_NEAR(r->touch[0].respondents, 0, EPS);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
}

/* A visit meeting n channels, one touchpoint each with 50%; half the visitors buy. */
static char *many_channels(int n)
{
    Buf b = BUF_INIT;
    for (int c = 0; c < n; c++) buf_printf(&b, "channel c%d \"C%d\"\n", c, c);
    buf_puts(&b, "stage Visit {\n");
    for (int c = 0; c < n; c++) buf_printf(&b, "  touchpoint T%d { channel c%d reach 50%% }\n", c, c);
    buf_puts(&b, "  -> Buy 50% -> churn otherwise }\nstage Buy goal {}\n");
    return buf_take(&b);
}

static void test_attribution_limits(void)
{
    TEST("exact kpi: linear attribution over 14 channels met together shares each converter equally") {
        char *text = many_channels(14);
        J j;
        if (unit_load(&j, text)) {
            RtResult *r = solve(&j, 1);
            CHECK(r != NULL);
            if (r) {
                double credited = 0.5 * (1 - pow(0.5, 14)); /* converters who met some channel */
                double first = 0, last = 0;
                for (int c = 0; c < 14; c++) {
                    CHECK_NEAR(r->channels[c].attr_linear, credited / 14, 1e-12);
                    first += r->channels[c].attr_first;
                    last += r->channels[c].attr_last;
                }
                CHECK_NEAR(first, credited, 1e-12);
                CHECK_NEAR(last, credited, 1e-12);
                CHECK_NEAR(r->channels[0].attr_first, 0.5 * 0.5, 1e-12); /* written first */
                CHECK_NEAR(r->channels[13].attr_last, 0.5 * 0.5, 1e-12); /* written last */
                rt_result_free(r);
            }
            unit_unload(&j);
        }
        free(text);
    }
    TEST("exact kpi: too many channels for the sets they can be met in: linear NaN, first and last kept") {
        char *text = many_channels(16);
        J j;
        if (unit_load(&j, text)) {
            RtResult *r = solve(&j, 1);
            CHECK(r != NULL);
            if (r) {
                double first = 0;
                for (int c = 0; c < 16; c++) {
                    CHECK(isnan(r->channels[c].attr_linear));
                    first += r->channels[c].attr_first;
                }
                CHECK_NEAR(first, 0.5 * (1 - pow(0.5, 16)), 1e-12);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
        free(text);
    }
    TEST("exact kpi: first, last and linear credit the same converters over loops, goals in loops, personas") {
        J j;
        if (unit_load(&j, "channel a \"A\"\nchannel b \"B\"\nchannel c \"C\"\n"
                     "persona P { share 30%  k = 20% }\npersona Q { k = 50% }\n"
                     "stage S { touchpoint Ta { channel a reach 30% } touchpoint Tb { channel b reach 60% }\n"
                     "  -> M k -> S 20% -> churn otherwise }\n"
                     "stage M { touchpoint Tc { channel c reach 40% } touchpoint Ta2 { channel a reach 10% }\n"
                     "  -> G 50% -> S 25% -> churn otherwise }\n"
                     "stage G goal { touchpoint Tb2 { channel b reach 50% } -> M 30% -> churn otherwise }\n")) {
            RtResult *r = solve(&j, 1000);
            CHECK(r != NULL);
            if (r) {
                double first = 0, last = 0, linear = 0;
                for (int c = 0; c < 3; c++) {
                    first += r->channels[c].attr_first;
                    last += r->channels[c].attr_last;
                    linear += r->channels[c].attr_linear;
                    CHECK(r->channels[c].attr_linear > 0);
                }
                CHECK(first > 0 && first < r->converted);
                CHECK_NEAR(last, first, 1e-9);
                CHECK_NEAR(linear, first, 1e-9);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
}

/* ---- arrivals ---- */

static void test_arrivals(void)
{
    TEST("exact kpi: with arrivals the cohort is their total, and a period may fix the persona") {
        J j;
        if (unit_load(&j, "persona A { share 50%  rate = 40% }\npersona B { rate = 20% }\n"
                     "stage Browse { -> Buy rate -> churn otherwise \"bored\" }\nstage Buy goal {}\n")) {
            /* 100 by share, then 60 of persona B: A 50, B 110 */
            j.rm->narrivals = 2;
            j.rm->arrivals = xcalloc(2, sizeof *j.rm->arrivals);
            j.rm->arrivals[0] = (RtArrivalPeriod){0, 30, 100, 0, -1};
            j.rm->arrivals[1] = (RtArrivalPeriod){30, 30, 60, 100, 1};
            j.rm->arrival_total = 160;
            RtResult *r = solve(&j, 5000); /* the cohort option is not used */
            CHECK(r != NULL);
            if (r) {
                CHECK_NEAR(r->cohort, 160, EPS);
                CHECK(r->has_arrivals);
                CHECK_NEAR(r->personas[0].customers, 50, 1e-9);
                CHECK_NEAR(r->personas[1].customers, 110, 1e-9);
                CHECK_NEAR(r->converted, 50 * 0.4 + 110 * 0.2, 1e-9);
                CHECK_NEAR(r->lost, 50 * 0.6 + 110 * 0.8, 1e-9);
                CHECK(!r->months && r->nmonths == 0);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
}

/* ---- removal-effect attribution ---- */

/* The ad lifts the mood by 0.5, the mail by 0.3; buying takes 20% + 30% x mood (the mood after
 * the stage's touchpoints). Journey: 0.2 + 0.3 x 0.8 = 0.44; without search 0.2 + 0.3 x 0.3 =
 * 0.29 (a drop of 0.15); without email 0.2 + 0.3 x 0.5 = 0.35 (0.09). So search gets 0.15 / 0.24
 * of the conversions, email 0.09 / 0.24; the unused channel none. With common random numbers a
 * customer's next move draws the same number in every run, so the drops are exact up to the
 * sampling of those numbers. */
static const char TWO_CHANNELS[] = "channel search \"Search\"\nchannel email \"Email\"\nchannel tv \"TV\"\n"
                                   "stage Visit { touchpoint Ad { channel search emotion +0.5 }\n"
                                   "  touchpoint Mail { channel email emotion +0.3 }\n"
                                   "  -> Buy 20% + 30% * mood -> churn otherwise \"gone\" }\n"
                                   "stage Buy goal {}\n";

static void test_removal(void)
{
    TEST("removal attribution: a 2-channel journey shares the conversions by the hand-computed drops") {
        J j;
        if (unit_load(&j, TWO_CHANNELS)) {
            CmpOptions o = {0};
            o.sim.cohort = 40000;
            o.sim.seed = 5;
            o.sim.threads = 2;
            o.sim.persona = -1;
            o.sim.max_steps = SIM_DEFAULT_MAX_STEPS;
            RtResult *r = sim_run(j.rm, &o.sim);
            CHECK(rt_attribute_removal(j.rm, &o, r, &j.c.diag));
            int search = channel_index(&j, "search"), email = channel_index(&j, "email");
            double s = r->channels[search].attr_removal, e = r->channels[email].attr_removal;
            CHECK_NEAR(r->converted / 40000, 0.44, 0.01);
            CHECK_NEAR(s + e, r->converted, 1e-6);
            CHECK_NEAR(s / r->converted, 0.15 / 0.24, 0.02);
            CHECK_NEAR(e / r->converted, 0.09 / 0.24, 0.02);
            CHECK(isnan(r->channels[channel_index(&j, "tv")].attr_removal)); /* no touchpoint uses it */
            /* the same seed gives the same figures */
            RtResult *again = sim_run(j.rm, &o.sim);
            CHECK(rt_attribute_removal(j.rm, &o, again, &j.c.diag));
            CHECK(again->channels[search].attr_removal == s && again->channels[email].attr_removal == e);
            rt_result_free(again);
            rt_result_free(r);
            unit_unload(&j);
        }
    }
    TEST("removal attribution: exactly, a channel cannot change a Markov chain's conversion: 0 for each") {
        /* --exact accepts only arrows that depend on the persona, never on what was met */
        J j;
        if (unit_load(&j, VISITS)) {
            CmpOptions o = {0};
            o.sim.cohort = 1000;
            o.sim.persona = -1;
            o.exact = true;
            RtResult *r = solve(&j, 1000);
            CHECK(r && rt_attribute_removal(j.rm, &o, r, &j.c.diag));
            if (r) {
                CHECK(r->channels[0].attr_removal == 0 && r->channels[1].attr_removal == 0);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
    TEST("removal attribution: an exact run that is not a Markov chain reports the error and leaves r alone") {
        J j;
        if (unit_load(&j, TWO_CHANNELS)) {
            CmpOptions o = {0};
            o.sim.cohort = 100;
            o.sim.threads = 1;
            o.sim.persona = -1;
            o.sim.max_steps = SIM_DEFAULT_MAX_STEPS;
            RtResult *r = sim_run(j.rm, &o.sim);
            o.exact = true;
            CHECK(!rt_attribute_removal(j.rm, &o, r, &j.c.diag));
            CHECK(isnan(r->channels[0].attr_removal));
            fflush(j.out);
            CHECK(j.msgs && strstr(j.msgs, "--exact needs arrow probabilities"));
            rt_result_free(r);
            unit_unload(&j);
        }
    }
}

void unit_kpi_exact(void)
{
    test_funnel_money();
    test_subscription();
    test_split();
    test_attribution_series();
    test_attribution_limits();
    test_arrivals();
    test_removal();
}
