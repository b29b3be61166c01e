/* test_runtime.c: unit tests of the runtime: random numbers and waits, the histogram, the
 * skyline solver, hand-computed journeys (waits, horizon, retention, mood, reach, rules, goto,
 * visits, NPS/CSAT, warnings), the agreement of simulated cohorts with the exact analysis
 * (within 99.9% intervals), and the independence of results from the number of threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* White-box: random numbers, the histogram and the skyline solver too. */
#define CJM_INTERNALS
#include "cjm.h"
#include "journey.h"
#include "unit.h"

void unit_runtime(void);


typedef UnitJourney J;

static RtResult *simulate(J *j, uint64_t cohort, uint64_t seed, int threads)
{
    SimOptions o = unit_sim_options(j, cohort, seed, threads);
    return sim_run(j->rm, &o);
}

static RtResult *solve(J *j)
{
    ExactOptions o = {j->c.model->cohort, 1, false, 0, -1};
    if (!exact_check(j->rm, &j->c.diag)) return NULL;
    return exact_run(j->rm, &o, &j->c.diag);
}

static bool has_warning(const RtResult *r, int kind, double count)
{
    for (int i = 0; i < r->nwarnings; i++)
        if (r->warnings[i].kind == kind && (count < 0 || fabs(r->warnings[i].count - count) < 1e-6)) return true;
    return false;
}

/* ---- random numbers, waits, histogram, solver ---- */

static void test_rng(void)
{
    rt_rng_init_tables();
    TEST("rng: a stream depends on its key only; output i of a stream is Mix13(key + i * gamma)") {
        RtRng a = rt_stream(rt_key(7, 3)), b = rt_stream(rt_key(7, 3)), c = rt_stream(rt_key(7, 4)),
              d = rt_stream(rt_key(8, 3));
        uint64_t x = rt_next(&a);
        CHECK(x == rt_next(&b));
        CHECK(x != rt_next(&c));
        CHECK(x != rt_next(&d));
        CHECK(x == rt_stream_at(rt_key(7, 3), 0) && rt_next(&a) == rt_stream_at(rt_key(7, 3), 1));
        /* SplitMix64's published first outputs from seed 0 (its state is advanced before mixing,
         * so they are Mix13(gamma), Mix13(2 gamma), ...). */
        CHECK(rt_stream_at(0, 1) == UINT64_C(0xE220A8397B1DCDAF));
        CHECK(rt_stream_at(0, 2) == UINT64_C(0x6E789E6AA1B965F4));
    }
    TEST("rng: the streams of one customer's visits, and an entry's two streams, lie far apart") {
        /* In steps of gamma on SplitMix64's cycle: k * RT_VISIT_STEP for 0 < k < 200 000 at least
         * 2^46 from 0, RT_WAIT_OFFSET + k * RT_VISIT_STEP for |k| < 100 000 at least 2^43. */
        uint64_t inv = RT_GAMMA; /* Newton's iteration for the inverse of an odd number mod 2^64 */
        for (int i = 0; i < 6; i++) inv *= 2 - RT_GAMMA * inv;
        CHECK(RT_GAMMA * inv == 1);
        uint64_t visit = RT_VISIT_STEP * inv, wait = RT_WAIT_OFFSET * inv, near = 0;
        for (uint64_t k = 1, at = visit; k < 200000; k++, at += visit)
            near += at < (UINT64_C(1) << 46) || -at < (UINT64_C(1) << 46);
        for (int64_t k = -100000; k < 100000; k++) {
            uint64_t at = wait + (uint64_t)k * visit;
            near += at < (UINT64_C(1) << 43) || -at < (UINT64_C(1) << 43);
        }
        CHECK(near == 0);
    }
    TEST("rng: numbers of one customer for different purposes are uncorrelated, and uniform") {
        /* For 200 000 customers of a run: the key (which draws the persona), the next moves of
         * visits 1 and 2 of a stage and of visit 1 of another, and the first wait number of visit 1. */
        enum { N = 200000, K = 5 };
        uint64_t run = rt_key(5, 0), stage_a = rt_mix64(11), stage_b = rt_mix64(12);
        double sum[K] = {0}, sq[K] = {0}, cross[K][K] = {{0}};
        for (uint64_t i = 0; i < N; i++) {
            uint64_t key = rt_stream_at(run, i);
            uint64_t v[K] = {key, rt_mix64(rt_entry_key(key, stage_a, 1)),
                             rt_mix64(rt_entry_key(key, stage_a, 2)), rt_mix64(rt_entry_key(key, stage_b, 1)),
                             rt_mix64(rt_entry_key(key, stage_a, 1) + RT_WAIT_OFFSET)};
            double u[K];
            for (int k = 0; k < K; k++) {
                u[k] = (double)(v[k] >> 11) / RT_ONE53 - 0.5;
                sum[k] += u[k];
                sq[k] += u[k] * u[k];
            }
            for (int k = 0; k < K; k++)
                for (int l = k + 1; l < K; l++) cross[k][l] += u[k] * u[l];
        }
        for (int k = 0; k < K; k++) {
            CHECK(fabs(sum[k] / N) < Z999 * sqrt(1.0 / 12 / N));
            CHECK(fabs(sq[k] / N - 1.0 / 12) < 0.002);
            for (int l = k + 1; l < K; l++) CHECK(fabs(cross[k][l] / N * 12) < Z999 / sqrt(N));
        }
    }
    TEST("rng: thresholds and uniforms") {
        CHECK(rt_threshold(0) == 0);
        CHECK(rt_threshold(1) == RT_U53_ALWAYS);
        CHECK(rt_threshold(0.5) == RT_U53_ALWAYS / 2);
        RtRng r = rt_stream(rt_key(1, 0));
        int below = 0;
        for (int i = 0; i < 100000; i++) below += rt_u53(&r) < rt_threshold(0.3);
        CHECK_AGREES(below, 100000, 0.3);
    }
    TEST("rng: the ziggurat exponential has mean 1 and the right tail") {
        RtRng r = rt_stream(rt_key(2, 0));
        int n = 400000, over1 = 0, over3 = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double x = rt_exponential(&r);
            CHECK(x >= 0);
            sum += x;
            over1 += x > 1;
            over3 += x > 3;
        }
        CHECK(fabs(sum / n - 1) < Z999 / sqrt(n));
        CHECK_AGREES(over1, n, exp(-1));
        CHECK_AGREES(over3, n, exp(-3));
    }
    TEST("waits: each distribution's mean, drawn and stated") {
        struct { DistKind k; double a[3]; double mean; } cases[] = {
            {DIST_CONSTANT, {2.5, 0, 0}, 2.5},
            {DIST_EXPONENTIAL, {4, 0, 0}, 4},
            {DIST_UNIFORM, {2, 6, 0}, 4},
            {DIST_NORMAL, {5, 1, 0}, 5.0000076},
            {DIST_NORMAL, {0, 2, 0}, 2 * 0.3989422804014327 * 2}, /* half-normal: sd * sqrt(2 / pi) */
            {DIST_LOGNORMAL, {4, 2, 0}, 4},
            {DIST_TRIANGULAR, {0, 0, 6}, 2},
            {DIST_TRIANGULAR, {1, 4, 4}, 3},
        };
        RtRng r = rt_stream(rt_key(3, 0));
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            RtWait w = rt_wait_prepare(cases[c].k, cases[c].a);
            CHECK_NEAR(w.mean, cases[c].mean, 1e-4);
            int n = 200000;
            double sum = 0, sq = 0, lo = INFINITY;
            for (int i = 0; i < n; i++) {
                double x = rt_wait_draw(&w, &r);
                sum += x;
                sq += x * x;
                if (x < lo) lo = x;
            }
            double mean = sum / n, sd = sqrt(sq / n - mean * mean);
            CHECK(fabs(mean - cases[c].mean) <= Z999 * sd / sqrt(n) + 1e-9);
            CHECK(lo >= 0);
        }
    }
}

static void test_hist(void)
{
    TEST("histogram: exact for repeated values, within half a bucket otherwise") {
        RtHist *h = calloc(1, sizeof *h);
        rt_hist_clear(h);
        for (int i = 0; i < 10; i++) rt_hist_add(h, 5);
        for (int i = 0; i < 10; i++) rt_hist_add(h, 12);
        CHECK(rt_hist_quantile(h, 0.5) == 5);
        CHECK(rt_hist_quantile(h, 0.55) == 12);
        CHECK(rt_hist_quantile(h, 0.9) == 12);
        rt_hist_clear(h);
        CHECK(isnan(rt_hist_quantile(h, 0.5)));
        for (int i = 1; i <= 1000; i++) rt_hist_add(h, i * 0.731);
        double med = rt_hist_quantile(h, 0.5), p90 = rt_hist_quantile(h, 0.9);
        CHECK(fabs(med - 500 * 0.731) <= 500 * 0.731 / 128);
        CHECK(fabs(p90 - 900 * 0.731) <= 900 * 0.731 / 128);
        rt_hist_add(h, 0);
        rt_hist_add(h, 1e30);
        CHECK(rt_hist_total(h) == 1002);
        CHECK(rt_hist_quantile(h, 1) == 1e30);
        free(h);
    }
    TEST("histogram: merging in any order gives the same histogram") {
        RtHist *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b), *x = calloc(1, sizeof *x),
               *y = calloc(1, sizeof *y);
        rt_hist_clear(a);
        rt_hist_clear(b);
        rt_hist_clear(x);
        rt_hist_clear(y);
        for (int i = 0; i < 100; i++) rt_hist_add(a, i * 0.37);
        for (int i = 0; i < 100; i++) rt_hist_add(b, i * 1.9);
        rt_hist_merge(x, a);
        rt_hist_merge(x, b);
        rt_hist_merge(y, b);
        rt_hist_merge(y, a);
        CHECK(rt_hist_quantile(x, 0.5) == rt_hist_quantile(y, 0.5));
        CHECK(rt_hist_quantile(x, 0.9) == rt_hist_quantile(y, 0.9));
        free(a);
        free(b);
        free(x);
        free(y);
    }
}

static void test_skyline(void)
{
    TEST("skyline LU: solves A x = b and A^T x = b for a sparse M-matrix") {
        enum { N = 40 };
        static double A[N][N];
        memset(A, 0, sizeof A);
        int lo[N], top[N];
        for (int i = 0; i < N; i++) {
            A[i][i] = 1;
            if (i + 1 < N) A[i][i + 1] = -0.5;
            if (i >= 3) A[i][i - 3] = -0.2;
            if (i % 7 == 0 && i + 10 < N) A[i][i + 10] = -0.1;
        }
        for (int i = 0; i < N; i++) lo[i] = top[i] = i;
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                if (A[i][j] == 0) continue;
                if (j < i && j < lo[i]) lo[i] = j;
                if (j > i && i < top[j]) top[j] = i;
            }
        }
        RtSky s;
        rt_sky_init(&s, N, lo, top);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                if (A[i][j] != 0) rt_sky_add(&s, i, j, A[i][j]);
        CHECK(rt_sky_get(&s, 5, 2) == -0.2);
        CHECK(rt_sky_factor(&s));
        double x[N], y[N];
        for (int i = 0; i < N; i++) x[i] = y[i] = 1 + i % 5;
        rt_sky_solve(&s, x);
        rt_sky_solve_t(&s, y);
        double err = 0, err_t = 0;
        for (int i = 0; i < N; i++) {
            double ax = 0, aty = 0;
            for (int j = 0; j < N; j++) {
                ax += A[i][j] * x[j];
                aty += A[j][i] * y[j];
            }
            err = fmax(err, fabs(ax - (1 + i % 5)));
            err_t = fmax(err_t, fabs(aty - (1 + i % 5)));
        }
        CHECK_NEAR(err, 0, 1e-12);
        CHECK_NEAR(err_t, 0, 1e-12);
        rt_sky_free(&s);
    }
    TEST("Wilson intervals: known values") {
        double lo, hi;
        rt_wilson(5, 10, 1.959963984540054, &lo, &hi);
        CHECK_NEAR(lo, 0.2365931, 1e-6);
        CHECK_NEAR(hi, 0.7634069, 1e-6);
        rt_wilson(0, 10, 1.959963984540054, &lo, &hi);
        CHECK(lo == 0);
        CHECK_NEAR(hi, 0.2775328, 1e-6);
        RtRate r = rt_rate(3, 4, true);
        CHECK(r.lo == 0.75 && r.hi == 0.75);
    }
    /* Four customers: costs x = 1, 2, 3, 6; conversions y = 0, 1, 1, 1 (sums 12, 50; 3, 3; xy 11).
     * Mean cost 3, sample variance (50 - 12^2/4) / 3 = 14/3: with z = 2, 3 +- 2 sqrt(14/3 / 4).
     * Cost per conversion R = 12/3 = 4; mean y 3/4, var y (3 - 9/4) / 3 = 1/4, cov (11 - 12*3/4) / 3
     * = 2/3: Var R = (14/3 - 2*4*2/3 + 16/4) / (3/4)^2 = 160/27 (the sample variance of the
     * linearised (x - R y) / mean y = 4/3, -8/3, -4/3, 8/3 too), so 4 +- 2 sqrt(160/27 / 4). */
    TEST("intervals of a mean and of a ratio (delta method): hand-computed") {
        RtEstimate m = rt_mean_interval(12, 50, 4, 2);
        CHECK_NEAR(m.value, 3, 1e-12);
        CHECK_NEAR(m.lo, 3 - 2 * sqrt(14.0 / 3 / 4), 1e-12);
        CHECK_NEAR(m.hi, 3 + 2 * sqrt(14.0 / 3 / 4), 1e-12);
        CHECK_NEAR(m.lo, 0.8397531005, 1e-9);
        RtEstimate q = rt_ratio_interval(12, 50, 3, 3, 11, 4, 2);
        CHECK_NEAR(q.value, 4, 1e-12);
        CHECK_NEAR(q.lo, 4 - 2 * sqrt(160.0 / 27 / 4), 1e-12);
        CHECK_NEAR(q.hi, 4 + 2 * sqrt(160.0 / 27 / 4), 1e-12);
        CHECK_NEAR(q.lo, 1.565677522, 1e-9);
        /* Without the covariance term the interval would be wider here: the term matters. */
        double no_cov = 2 * sqrt((14.0 / 3 + 16.0 / 4) / (9.0 / 16) / 4);
        CHECK(q.hi - q.value < no_cov - 0.1);
        /* The same values every time: no spread, an interval of width 0. */
        RtEstimate flat = rt_mean_interval(10, 25, 4, 2);
        CHECK(flat.value == 2.5 && flat.lo == 2.5 && flat.hi == 2.5);
        /* No interval without sums of squares (an exact analysis) or with one customer. */
        RtEstimate none = rt_mean_interval(12, NAN, 4, 2);
        CHECK(none.value == 3 && isnan(none.lo) && isnan(none.hi));
        none = rt_mean_interval(7, 49, 1, 2);
        CHECK(none.value == 7 && isnan(none.lo) && isnan(none.hi));
        /* A ratio over no conversion does not exist, nor does its interval. */
        none = rt_ratio_interval(12, 50, 0, 0, 0, 4, 2);
        CHECK(isnan(none.value) && isnan(none.lo) && isnan(none.hi));
    }
}

/* ---- hand-computed journeys ---- */

static void test_waits_and_horizon(void)
{
    TEST("money: the sums behind the intervals of cost per customer and CAC") {
        J j;
        /* Every customer pays 2 (the touchpoint); half of them convert, each paying 3 more. */
        if (unit_load(&j, "stage A { touchpoint T { cost 2 } -> G 50% -> churn otherwise }\n"
                     "stage G goal { touchpoint U { cost 3 } }\n")) {
            RtResult *r = simulate(&j, 4000, 3, 2);
            double k = r->converted, n = 4000;
            CHECK(k > 1800 && k < 2200);
            CHECK_NEAR(r->cost, 2 * n + 3 * k, 1e-9);
            CHECK_NEAR(r->cost_sq, 4 * (n - k) + 25 * k, 1e-9);
            CHECK_NEAR(r->cost_conv, 5 * k, 1e-9);
            RtMoney m = rt_money(r);
            /* CAC = (2n + 3k) / k; cost and conversion move together (cost 5 when converted). */
            CHECK_NEAR(m.cac.value, (2 * n + 3 * k) / k, 1e-12);
            RtEstimate by_hand =
                rt_ratio_interval(2 * n + 3 * k, 4 * (n - k) + 25 * k, k, k, 5 * k, n, 1.959963984540054);
            CHECK_NEAR(m.cac.lo, by_hand.lo, 1e-12);
            CHECK_NEAR(m.cac.hi, by_hand.hi, 1e-12);
            CHECK(m.cac.lo < m.cac.value && m.cac.value < m.cac.hi);
            CHECK(m.cost.lo < m.cost.value && m.cost.value < m.cost.hi);
            CHECK(m.revenue.value == 0 && m.revenue.lo == 0 && m.revenue.hi == 0);
            rt_result_free(r);
            RtResult *e = solve(&j);
            CHECK(e != NULL);
            if (e) {
                RtMoney x = rt_money(e);
                CHECK_NEAR(x.cac.value, 7, 1e-9); /* (2 + 3 * 0.5) / 0.5 */
                CHECK(isnan(x.cac.lo) && isnan(x.cost.hi) && isnan(x.revenue.lo));
                rt_result_free(e);
            }
        }
        unit_unload(&j);
    }
    TEST("waits: constant waits add up to the time to convert") {
        J j;
        if (unit_load(&j, "stage A { wait 2 days -> B 100% }\n"
                     "stage B { wait 3 days -> G }\n"
                     "stage G goal { wait 1 day }\n")) {
            RtResult *r = simulate(&j, 3000, 1, 2);
            CHECK(r->converted == 3000);
            CHECK(r->ttc_mean == 5 && r->ttc_median == 5 && r->ttc_p90 == 5);
            CHECK(r->completed == 3000);
            CHECK(r->stages[2].completed == 3000);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("waits: exponential, uniform and triangular times to convert") {
        const char *journeys[] = {
            "stage A { wait exponential(4 days) -> G 100% }\nstage G goal {}\n",
            "stage A { wait uniform(2 days, 6 days) -> G 100% }\nstage G goal {}\n",
            "stage A { wait triangular(0 days, 0 days, 6 days) -> G 100% }\nstage G goal {}\n",
        };
        double median[] = {4 * log(2), 4, 6 * (1 - sqrt(0.5))}, p90[] = {4 * log(10), 5.6, 6 * (1 - sqrt(0.1))};
        double mean[] = {4, 4, 2};
        for (int k = 0; k < 3; k++) {
            J j;
            if (unit_load(&j, journeys[k])) {
                RtResult *r = simulate(&j, 40000, 2, 2);
                CHECK(fabs(r->ttc_mean - mean[k]) < 0.03 * mean[k]);
                CHECK(fabs(r->ttc_median - median[k]) < 0.03 * median[k]);
                CHECK(fabs(r->ttc_p90 - p90[k]) < 0.03 * p90[k]);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
    TEST("horizon: a wait past the horizon leaves customers active there") {
        J j;
        if (unit_load(&j, "journey \"h\" { horizon 5 days }\n"
                     "stage A { wait 10 days -> G 100% }\nstage G goal {}\n")) {
            RtResult *r = simulate(&j, 2000, 1, 1);
            CHECK(r->active == 2000 && r->converted == 0);
            CHECK(r->stages[0].active == 2000);
            CHECK(r->stages[1].reached == 0);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("horizon: an exponential wait of mean 10 days against a 10-day horizon") {
        J j;
        if (unit_load(&j, "journey \"h\" { horizon 10 days }\n"
                     "stage A { wait exponential(10 days) -> churn 100% \"gone\" }\n")) {
            RtResult *r = simulate(&j, 50000, 3, 2);
            CHECK_AGREES(r->active, 50000, exp(-1));
            CHECK(r->active + r->churned == 50000);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("retention: churn at day 5 and day 10, and the horizon") {
        J j;
        if (unit_load(&j, "persona Early { share 50% }\npersona Late { share 50% }\n"
                     "stage A { wait 5 days -> B 100% when persona == Late -> churn otherwise \"early\" }\n"
                     "stage B { wait 5 days -> churn 100% \"late\" }\n")) {
            RtResult *r = simulate(&j, 10000, 4, 2);
            double early = r->personas[0].customers;
            CHECK_NEAR(r->retention[0], 1 - early / 10000, 1e-12); /* day 7: the early ones are gone */
            CHECK(r->retention[1] == 0 && r->retention[2] == 0);
            CHECK(r->retention[3] == 0);
            CHECK_AGREES(early, 10000, 0.5);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
}

static void test_mood_and_reach(void)
{
    TEST("mood: curve plus experience, touchpoint emotions carried on, clamped to [-1, 1]") {
        J j;
        if (unit_load(&j, "persona P { share 100% mood 0.2 }\n"
                     "curve { A 0.3  B -0.5  C 0.9 }\n"
                     "stage A { touchpoint T { emotion 0.1 } -> B 100% }\n"
                     "stage B { -> C 100% }\n"
                     "stage C { touchpoint U { emotion 0.5 } }\n")) {
            RtResult *r = simulate(&j, 1000, 1, 1);
            CHECK_NEAR(r->stages[0].mean_mood, 0.6, 1e-12);
            CHECK_NEAR(r->stages[1].mean_mood, -0.2, 1e-12);
            CHECK_NEAR(r->stages[2].mean_mood, 1.0, 1e-12);
            CHECK_NEAR(r->curve_sim[0], 0.6, 1e-12);
            /* final mood 1: every score is 10, a promoter; CSAT = 1 + 2 * 2 = 5 */
            CHECK_NEAR(r->nps, 100, 1e-9);
            CHECK_NEAR(r->csat, 5, 1e-9);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("reach: a 30% touchpoint reaches 30% of the customers, cost per meeting") {
        J j;
        if (unit_load(&j, "channel web \"Web\"\n"
                     "stage A { touchpoint T { channel web reach 30% cost 2 } -> G 50% -> churn otherwise }\n"
                     "stage G goal {}\n")) {
            RtResult *r = simulate(&j, 20000, 5, 2);
            CHECK_AGREES(r->touch[0].reached, 20000, 0.3);
            CHECK(r->touch[0].meetings == r->touch[0].reached);
            CHECK_NEAR(r->touch[0].cost, 2 * r->touch[0].reached, 1e-9);
            CHECK_NEAR(r->cost, r->touch[0].cost, 1e-6);
            CHECK(r->channels[0].reached == r->touch[0].reached);
            CHECK_AGREES(r->touch[0].conversions, r->touch[0].reached, 0.5);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("NPS and CSAT from the final mood: 0.7 is a promoter (8.5 rounds up), 0.3 a passive") {
        const char *journeys[] = {"persona P { share 100% mood 0.7 }\nstage A {}\n",
                                  "persona P { share 100% mood 0.3 }\nstage A {}\n",
                                  "persona P { share 100% mood -1 }\nstage A {}\n"};
        double nps[] = {100, 0, -100}, csat[] = {4.4, 3.6, 1};
        for (int k = 0; k < 3; k++) {
            J j;
            if (unit_load(&j, journeys[k])) {
                RtResult *r = simulate(&j, 500, 1, 1);
                CHECK_NEAR(r->nps, nps[k], 1e-9);
                CHECK_NEAR(r->csat, csat[k], 1e-9);
                rt_result_free(r);
            }
            unit_unload(&j);
        }
    }
}

static void test_rules(void)
{
    TEST("rules: churn with 30%, at the stage where the rule fires") {
        J j;
        if (unit_load(&j, "stage A { -> B 100% }\nstage B { -> C 100% }\nstage C {}\n"
                     "rule Quit when stage == B { churn \"quit\" with 30% }\n")) {
            RtResult *r = simulate(&j, 20000, 6, 2);
            CHECK_AGREES(r->churned, 20000, 0.3);
            CHECK(r->stages[1].churned == r->churned);
            CHECK(r->nreasons == 1 && strcmp(r->reasons[0].reason, "quit") == 0 && r->reasons[0].stage == 1);
            CHECK(r->completed + r->churned == 20000);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("rules: goto skips the stage's wait and arrows; mood, revenue and touch actions") {
        J j;
        if (unit_load(&j, "stage A { wait 10 days -> B 100% }\nstage B { -> G 100% }\nstage G goal {}\n"
                     "touchpoint Gift { emotion 0.5 cost 3 }\n"
                     "rule Skip when stage == A { touch Gift  mood += 0.25  revenue += 7  goto G }\n")) {
            RtResult *r = simulate(&j, 1000, 1, 1);
            CHECK(r->converted == 1000);
            CHECK(r->ttc_mean == 0);
            CHECK(r->stages[1].reached == 0);
            CHECK_NEAR(r->revenue, 7000, 1e-9);
            CHECK_NEAR(r->cost, 3000, 1e-9);
            CHECK_NEAR(r->stages[2].mean_mood, 0.75, 1e-12);
            CHECK(r->nexits >= 1);
            bool via_rule = false;
            for (int i = 0; i < r->nexits; i++)
                if (r->exits[i].via_rule && r->exits[i].stage == 0 && r->exits[i].target == 2) via_rule = r->exits[i].count == 1000;
            CHECK(via_rule);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("rules: mood = x sets the mood whatever the curve; a dynamic when") {
        J j;
        if (unit_load(&j, "curve { A 0.5 B -0.5 }\n"
                     "stage A { -> B 100% }\nstage B {}\n"
                     "rule Calm when stage == A and mood > 0.4 { mood = -0.2 }\n")) {
            RtResult *r = simulate(&j, 100, 1, 1);
            CHECK_NEAR(r->stages[0].mean_mood, 0.5, 1e-12);  /* mood on entry, before rules */
            CHECK_NEAR(r->stages[1].mean_mood, -1.0, 1e-12); /* experience -0.7 carried to B's -0.5 */
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("arrows affine in mood (precomputed) and other mood expressions (interpreted) agree") {
        J j;
        if (unit_load(&j, "persona P { share 100% mood 0.5 z = 0 }\n"
                     "stage A { -> B 30% + 20% * mood  -> churn otherwise \"a\" }\n"
                     "stage B { -> C max(30% + 20% * mood, 0)  -> churn otherwise \"b\" }\n"
                     "stage C { -> D mood / z  -> E 50% }\nstage D {}\nstage E {}\n")) {
            CHECK(j.rm->stages[0].affine && !j.rm->stages[1].affine && j.rm->stages[2].affine);
            RtResult *r = simulate(&j, 40000, 8, 2);
            CHECK_AGREES(r->stages[1].reached, 40000, 0.4);
            CHECK_AGREES(r->stages[2].reached, r->stages[1].reached, 0.4);
            CHECK(has_warning(r, SITE_NAN_PROB, r->stages[2].entries)); /* mood / 0 */
            CHECK_AGREES(r->stages[4].reached, r->stages[2].reached, 0.5);
            CHECK(r->stages[2].completed == r->stages[2].entries - r->stages[4].reached);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("visits() and time in arrow conditions") {
        J j;
        if (unit_load(&j, "stage A { wait 4 days -> B 100% when time >= 10  -> A otherwise }\n"
                     "stage B { -> C 100% when visits(B) >= 3  -> B otherwise }\nstage C {}\n")) {
            RtResult *r = simulate(&j, 100, 1, 1);
            CHECK(r->stages[0].entries == 300);
            CHECK(r->stages[1].entries == 300);
            CHECK(r->stages[0].reached == 100);
            CHECK(r->completed == 100);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
}

static void test_warnings(void)
{
    TEST("warnings: the step limit stops customers, counted active") {
        J j;
        if (unit_load(&j, "stage A { -> A 100% }\n")) {
            SimOptions o = {0};
            o.cohort = 100;
            o.seed = 1;
            o.threads = 1;
            o.persona = -1;
            o.max_steps = 50;
            RtResult *r = sim_run(j.rm, &o);
            CHECK(r->active == 100);
            CHECK(r->stages[0].entries == 5000);
            CHECK(has_warning(r, SITE_STEP_LIMIT, 100));
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("warnings: no way on (completed), over 100% (scaled), NaN probability (taken as 0)") {
        J j;
        if (unit_load(&j, "persona X { share 50% }\npersona Y { share 50% }\n"
                     "stage A { -> B 30% when persona == X  -> C 100% when persona == Y }\n"
                     "stage B { -> D 80% + mood  -> E 50% }\n"
                     "stage C { -> D time / time }\nstage D {}\nstage E {}\n")) {
            RtResult *r = simulate(&j, 20000, 2, 2);
            double x = r->personas[0].customers;
            CHECK(has_warning(r, SITE_NOWAY, -1));
            CHECK(has_warning(r, SITE_OVERFULL, r->stages[1].entries));
            CHECK(has_warning(r, SITE_NAN_PROB, r->stages[2].entries));
            CHECK_AGREES(r->stages[0].completed, x, 0.7);
            CHECK(r->stages[2].completed == r->stages[2].entries); /* NaN -> 0 -> no way on */
            CHECK_AGREES(r->stages[3].reached, r->stages[1].entries, 0.8 / 1.3);
            rt_result_free(r);
            /* the exact analysis refuses `mood` and `time`, names them and their place */
            CHECK(solve(&j) == NULL);
            fflush(j.out);
            CHECK(j.msgs && strstr(j.msgs, "t.journey:4:22: error: --exact needs arrow probabilities"));
            CHECK(j.msgs && strstr(j.msgs, "depends on 'mood'"));
        }
        unit_unload(&j);
    }
    TEST("exact: refuses rules and visits(), and stages customers can never leave") {
        J j;
        if (unit_load(&j, "stage A { -> B 50% when visits(A) < 2  -> churn otherwise }\nstage B {}\n")) {
            CHECK(solve(&j) == NULL);
            fflush(j.out);
            CHECK(j.msgs && strstr(j.msgs, "depends on 'visits(A)'"));
        }
        unit_unload(&j);
        if (unit_load(&j, "stage A { -> B 100% }\nstage B {}\nrule R when stage == A { revenue += 1 }\n")) {
            CHECK(solve(&j) == NULL);
            fflush(j.out);
            CHECK(j.msgs && strstr(j.msgs, "t.journey:3:6: error: --exact cannot analyse rules: rule 'R'"));
        }
        unit_unload(&j);
        if (unit_load(&j, "stage A { -> B 50% -> churn otherwise }\nstage B { -> B 100% }\n")) {
            CHECK(solve(&j) == NULL);
            fflush(j.out);
            CHECK(j.msgs && strstr(j.msgs, "stage 'B' can never leave"));
        }
        unit_unload(&j);
    }
}

/* ---- simulation against the exact analysis ---- */

static void compare(J *j, uint64_t cohort, uint64_t seed)
{
    RtResult *e = solve(j);
    CHECK(e != NULL);
    if (!e) return;
    RtResult *s = simulate(j, cohort, seed, 2);
    double n = (double)cohort, N = e->cohort;
    unit_check_exact_agrees(j->rm, s, e, n);
    CHECK_AGREES(s->completed, n, e->completed / N);
    CHECK(s->active == 0 && e->active == 0);
    for (int st = 0; st < j->rm->nstages; st++) {
        CHECK_AGREES(s->stages[st].converted, n, e->stages[st].converted / N);
        CHECK_AGREES(s->stages[st].completed, n, e->stages[st].completed / N);
    }
    for (int p = 0; p < j->rm->npersonas; p++) {
        const RtPersonaRow *sp = &s->personas[p], *ep = &e->personas[p];
        CHECK_AGREES(sp->customers, n, ep->customers / N);
        CHECK_AGREES(sp->churned, sp->customers, ep->churned / ep->customers);
    }
    rt_result_free(s);
    rt_result_free(e);
}

static void test_agreement(void)
{
    TEST("exact vs simulation: a funnel with loops, personas, traits, touchpoints and revenue") {
        J j;
        if (unit_load(&j, "persona A { share 40% k = 0.2 }\npersona B { share 60% k = 0.6 }\n"
                     "channel web \"Web\"\nchannel email \"Email\"\n"
                     "stage S1 { wait exponential(2 days)\n"
                     "  touchpoint T1 { channel web reach 50% emotion 0.2 cost 1 }\n"
                     "  -> S2 50% + k * 20%  -> S1 10% when persona == A  -> churn otherwise \"bored\" }\n"
                     "stage S2 { wait 3 days revenue 10 -> G 60% -> S1 20% \"back\" -> churn otherwise \"lost\" }\n"
                     "stage G goal { revenue 100\n"
                     "  touchpoint T2 { channel email reach 30% cost 0.5 }\n"
                     "  touchpoint T3 { channel web reach 40% }\n"
                     "  -> Loyal 70% -> churn otherwise \"after\" }\n"
                     "stage Loyal { wait 30 days revenue 20 -> Loyal 80% -> End 10% -> churn otherwise \"cancel\" }\n"
                     "stage End { }\n"))
            compare(&j, 300000, 11);
        unit_unload(&j);
    }
    TEST("exact vs simulation: goals in a loop convert once; otherwise with a condition; no way on") {
        J j;
        if (unit_load(&j, "persona Fan { share 30% }\npersona Rest { share 70% }\n"
                     "stage Visit { -> Buy 40%  -> Visit 30% when persona == Fan  -> Leave otherwise when persona == Rest }\n"
                     "stage Buy goal { revenue 5 -> Visit 50% -> churn otherwise \"done\" }\n"
                     "stage Leave { -> churn 60% when persona == Rest \"left\" }\n"))
            compare(&j, 300000, 12);
        unit_unload(&j);
    }
    TEST("exact vs simulation: a 30-stage chain with back edges and two goals") {
        Buf b = BUF_INIT;
        for (int i = 0; i < 30; i++) {
            buf_printf(&b, "stage S%d%s { wait exponential(%d days) revenue %d\n", i, i == 12 || i == 25 ? " goal" : "",
                       1 + i % 4, i % 3);
            if (i < 29) buf_printf(&b, "  -> S%d %d%%\n", i + 1, 70 + i % 20);
            if (i >= 3) buf_printf(&b, "  -> S%d %d%%\n", i - 3, 3 + i % 5);
            buf_printf(&b, "  -> churn otherwise \"r%d\" }\n", i % 4);
        }
        J j;
        if (unit_load(&j, buf_str(&b))) compare(&j, 200000, 13);
        unit_unload(&j);
        buf_free(&b);
    }
}

static void test_determinism(void)
{
    TEST("same seed: byte-identical JSON for 1, 2 and 4 threads; another seed differs") {
        J j;
        if (unit_load(&j, "persona A { share 50% t = 1 }\npersona B { share 50% t = 0 }\n"
                     "curve { S 0.2 }\n"
                     "stage S { wait exponential(3 days) touchpoint T { reach 50% emotion 0.3 cost 1 }\n"
                     "  -> S 20% + 10% * mood  -> G 40%  -> churn otherwise \"x\" }\n"
                     "stage G goal { wait lognormal(5 days, 2 days) revenue 9 -> S 30% when t > 0 -> churn otherwise \"y\" }\n"
                     "rule R when stage == G and mood > 0.3 { revenue += 1.5 with 50% }\n")) {
            Buf out[4] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
            int threads[4] = {1, 2, 4, 2};
            for (int k = 0; k < 4; k++) {
                RtResult *r = simulate(&j, 30000, k == 3 ? 99 : 7, threads[k]);
                render_json(r, "t.journey", &out[k]);
                rt_result_free(r);
            }
            CHECK(strcmp(buf_str(&out[0]), buf_str(&out[1])) == 0);
            CHECK(strcmp(buf_str(&out[0]), buf_str(&out[2])) == 0);
            CHECK(strcmp(buf_str(&out[0]), buf_str(&out[3])) != 0);
            for (int k = 0; k < 4; k++) buf_free(&out[k]);
        }
        unit_unload(&j);
    }
}

void unit_runtime(void)
{
    test_rng();
    test_hist();
    test_skyline();
    test_waits_and_horizon();
    test_mood_and_reach();
    test_rules();
    test_warnings();
    test_agreement();
    test_determinism();
}
