/* rng.c: the ziggurat tables for exponential draws, the rare paths of the draws, and the wait
 * distributions (see rng.h; the SplitMix64 streams themselves are inline there). Owns no state
 * but the read-only ziggurat tables. */
#include "rng.h"

#include <pthread.h>

/* ---- exponential ziggurat (Marsaglia & Tsang 2000, the layout of Doornik's ZIGNOR) ----
 * 256 strips of equal area V under exp(-x); strip 0 is the base with the tail beyond R.
 * rt_zig_x[i] is the right edge of strip i, rt_zig_f[i] = exp(-rt_zig_x[i]). */
#define ZIG_R 7.69711747013104972
#define ZIG_V 3.949659822581572e-3

double rt_zig_x[257], rt_zig_f[257];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
    rt_zig_x[0] = ZIG_V / exp(-ZIG_R);
    rt_zig_x[1] = ZIG_R;
    for (int i = 2; i < 256; i++) rt_zig_x[i] = -log(ZIG_V / rt_zig_x[i - 1] + exp(-rt_zig_x[i - 1]));
    rt_zig_x[256] = 0;
    for (int i = 0; i <= 256; i++) rt_zig_f[i] = exp(-rt_zig_x[i]);
}

void rt_rng_init_tables(void) { pthread_once(&tables_once, build_tables); }

/* The rare cases: a point in the wedge of a strip (accepted under the curve), or in the tail. */
double rt_exponential_slow(RtRng *r, uint64_t bits)
{
    for (;;) {
        unsigned i = (unsigned)(bits & 0xff);
        double x = (double)(bits >> 11) * (1.0 / RT_ONE53) * rt_zig_x[i];
        if (x < rt_zig_x[i + 1]) return x;
        if (i == 0) return ZIG_R - log(rt_uniform_open(r)); /* memoryless tail: R + Exp(1) */
        if (rt_zig_f[i] + (rt_zig_f[i + 1] - rt_zig_f[i]) * rt_uniform(r) < exp(-x)) return x;
        bits = rt_next(r);
    }
}

double rt_normal(RtRng *r)
{
    for (;;) {
        double u = 2 * rt_uniform(r) - 1, v = 2 * rt_uniform(r) - 1;
        double s = u * u + v * v;
        if (s > 0 && s < 1) return u * sqrt(-2 * log(s) / s);
    }
}

/* ---- the traits' distributions (rng.h) ---- */

/* Marsaglia-Tsang for shape >= 1: d = shape - 1/3, c = 1 / sqrt(9 d); x standard normal,
 * v = (1 + c x)^3 > 0, accepted when u < 1 - 0.0331 x^4 (the squeeze) or
 * log u < x^2 / 2 + d (1 - v + log v); the draw is d v. */
static double gamma_mt(RtRng *r, double shape)
{
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = rt_normal(r), v = 1 + c * x;
        if (v <= 0) continue;
        v = v * v * v;
        double u = rt_uniform_open(r), x2 = x * x;
        if (u < 1 - 0.0331 * x2 * x2) return d * v;
        if (log(u) < 0.5 * x2 + d * (1 - v + log(v))) return d * v;
    }
}

double rt_gamma_log(RtRng *r, double shape)
{
    if (shape >= 1) return log(gamma_mt(r, shape));
    /* the boost: Gamma(a) = Gamma(a + 1) U^(1/a) */
    double g = gamma_mt(r, shape + 1);
    return log(g) + log(rt_uniform_open(r)) / shape;
}

double rt_gamma(RtRng *r, double shape)
{
    if (shape >= 1) return gamma_mt(r, shape);
    return exp(rt_gamma_log(r, shape));
}

double rt_beta(RtRng *r, double a, double b)
{
    double lx = rt_gamma_log(r, a), ly = rt_gamma_log(r, b);
    /* X / (X + Y) = 1 / (1 + exp(log Y - log X)): no 0 / 0 when both underflow */
    return 1 / (1 + exp(ly - lx));
}

double rt_trait_draw(const RtTraitDist *d, RtRng *r)
{
    switch (d->kind) {
    case DIST_UNIFORM: return d->a + (d->b - d->a) * rt_uniform(r);
    case DIST_NORMAL: return d->a + d->b * rt_normal(r);
    case DIST_EXPONENTIAL: return d->a * rt_exponential(r);
    case DIST_LOGNORMAL:
    case DIST_TRIANGULAR: {
        double v[3] = {d->a, d->b, d->c};
        RtWait w = rt_wait_prepare(d->kind, v);
        return rt_wait_draw_slow(&w, r);
    }
    case DIST_GAMMA: return rt_gamma(r, d->a) / d->b;
    case DIST_BETA: return rt_beta(r, d->a, d->b);
    case DIST_CHOICE: {
        uint64_t u = rt_u53(r);
        int i = 0;
        while (i < d->n - 1 && u >= d->thr[i]) i++;
        return d->n > 0 ? d->values[i] : NAN;
    }
    default: return d->a;
    }
}

/* ---- waits ----
 * Parameters kept per kind:
 *   CONST       a = the value
 *   EXP         a = mean
 *   UNIFORM     a = low, b = high - low
 *   NORMAL      a = mean, b = sd: redrawn until >= 0 (a truncated normal; the mean is >= 0, so at
 *               least half the draws are kept)
 *   LOGNORMAL   a = mu, b = sigma of the logarithm, chosen so that the wait has the given mean and sd
 *   TRIANGULAR  a = min, b = mode, c = max */
static double truncated_normal_mean(double mu, double sd)
{
    double alpha = -mu / sd;
    double tail = 0.5 * erfc(alpha / sqrt(2.0));          /* P(X >= 0) */
    double pdf = exp(-alpha * alpha / 2) / 2.5066282746310002; /* standard normal density at alpha */
    return mu + sd * pdf / tail;
}

RtWait rt_wait_prepare(DistKind kind, const double *v)
{
    RtWait w = {RT_WAIT_CONST, v[0], 0, 0, v[0]};
    switch (kind) {
    case DIST_CONSTANT: break;
    case DIST_EXPONENTIAL: w = (RtWait){RT_WAIT_EXP, v[0], 0, 0, v[0]}; break;
    case DIST_UNIFORM:
        if (v[1] > v[0]) w = (RtWait){RT_WAIT_UNIFORM, v[0], v[1] - v[0], 0, (v[0] + v[1]) / 2};
        break;
    case DIST_NORMAL:
        if (v[1] > 0) w = (RtWait){RT_WAIT_NORMAL, v[0], v[1], 0, truncated_normal_mean(v[0], v[1])};
        break;
    case DIST_LOGNORMAL:
        if (v[1] > 0 && v[0] > 0) {
            double s2 = log1p((v[1] * v[1]) / (v[0] * v[0]));
            w = (RtWait){RT_WAIT_LOGNORMAL, log(v[0]) - s2 / 2, sqrt(s2), 0, v[0]};
        }
        break;
    case DIST_TRIANGULAR:
        if (v[2] > v[0]) w = (RtWait){RT_WAIT_TRIANGULAR, v[0], v[1], v[2], (v[0] + v[1] + v[2]) / 3};
        else w = (RtWait){RT_WAIT_CONST, v[0], 0, 0, v[0]};
        break;
    default: break;
    }
    if (w.kind == RT_WAIT_CONST && w.a == 0) w.kind = RT_WAIT_NONE;
    return w;
}

double rt_wait_draw_slow(const RtWait *w, RtRng *r)
{
    switch (w->kind) {
    case RT_WAIT_NONE: return 0;
    case RT_WAIT_CONST: return w->a;
    case RT_WAIT_EXP: return w->a * rt_exponential(r);
    case RT_WAIT_UNIFORM: return w->a + w->b * rt_uniform(r);
    case RT_WAIT_NORMAL:
        for (;;) {
            double x = w->a + w->b * rt_normal(r);
            if (x >= 0) return x;
        }
    case RT_WAIT_LOGNORMAL: return exp(w->a + w->b * rt_normal(r));
    case RT_WAIT_TRIANGULAR: {
        double u = rt_uniform(r), lo = w->a, mode = w->b, hi = w->c;
        double split = (mode - lo) / (hi - lo);
        if (u < split) return lo + sqrt(u * (hi - lo) * (mode - lo));
        return hi - sqrt((1 - u) * (hi - lo) * (hi - mode));
    }
    }
    return 0;
}

/* ---- the rest of a wait already under way (rt_wait_remaining) ---- */

/* A standard normal conditioned on exceeding alpha. Below alpha = 0.5 (a tail of probability >=
 * 0.3) plain rejection keeps one draw in about three at worst; beyond, Robert's (1995) proposal,
 * alpha plus an exponential of rate lambda, accepted with probability exp(-(z - lambda)^2 / 2),
 * keeps most draws however far the tail. */
static double normal_tail(RtRng *r, double alpha)
{
    if (alpha < 0.5) {
        for (;;) {
            double z = rt_normal(r);
            if (z > alpha) return z;
        }
    }
    double lambda = (alpha + sqrt(alpha * alpha + 4)) / 2;
    for (;;) {
        double z = alpha + rt_exponential(r) / lambda;
        double d = z - lambda;
        if (rt_uniform(r) < exp(-d * d / 2)) return z;
    }
}

/* The triangular distribution's CDF at x. */
static double triangular_cdf(const RtWait *w, double x)
{
    double lo = w->a, mode = w->b, hi = w->c;
    if (x <= lo) return 0;
    if (x >= hi) return 1;
    if (x <= mode) return (x - lo) * (x - lo) / ((hi - lo) * (mode - lo));
    return 1 - (hi - x) * (hi - x) / ((hi - lo) * (hi - mode));
}

static double triangular_inverse(const RtWait *w, double u)
{
    double lo = w->a, mode = w->b, hi = w->c;
    if (u < (mode - lo) / (hi - lo)) return lo + sqrt(u * (hi - lo) * (mode - lo));
    return hi - sqrt((1 - u) * (hi - lo) * (hi - mode));
}

double rt_wait_remaining(const RtWait *w, double elapsed, uint64_t key)
{
    if (!(elapsed > 0)) return rt_wait_draw_at(w, key);
    RtRng r = rt_stream(key);
    double total = elapsed;
    switch (w->kind) {
    case RT_WAIT_NONE: return 0;
    case RT_WAIT_CONST: return w->a > elapsed ? w->a - elapsed : 0;
    case RT_WAIT_EXP: return w->a * rt_exponential(&r);
    case RT_WAIT_UNIFORM: {
        double lo = w->a > elapsed ? w->a : elapsed, hi = w->a + w->b;
        if (lo >= hi) return 0;
        total = lo + (hi - lo) * rt_uniform(&r);
        break;
    }
    case RT_WAIT_TRIANGULAR: {
        double f = triangular_cdf(w, elapsed);
        if (f >= 1) return 0;
        total = triangular_inverse(w, f + (1 - f) * rt_uniform(&r));
        break;
    }
    case RT_WAIT_NORMAL: /* truncated at 0, which elapsed > 0 lies beyond: the normal's own tail */
        total = w->a + w->b * normal_tail(&r, (elapsed - w->a) / w->b);
        break;
    case RT_WAIT_LOGNORMAL:
        total = exp(w->a + w->b * normal_tail(&r, (log(elapsed) - w->a) / w->b));
        break;
    }
    return total > elapsed ? total - elapsed : 0;
}
