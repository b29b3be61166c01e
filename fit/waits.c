/* waits.c: the time customers spend in a stage, fitted with censoring (the plan's "Estimates",
 * docs/fitting.md): each of the language's distributions by maximum likelihood on the binned
 * waits (a finished wait in bin b contributes F(hi_b) - F(lo_b), one still running at the log's
 * end 1 - F(m_b) at the bin's geometric middle m_b), the exponential in closed form from the exact sums; the lowest AIC chosen;
 * the Kolmogorov-Smirnov distance to the Kaplan-Meier estimate at the bins' edges as goodness of
 * fit; the mean with a 95% interval (exponential: Garwood's exact interval on the rate; the others:
 * the delta method on the observed information of the binned likelihood).
 *
 * Censoring is why this is not the mean of the finished waits: customers still waiting at the
 * log's end are the long waits, and leaving them out biases every estimate down. */
#include <math.h>
#include <string.h>

#include "kpi.h"
#include "waits.h"

#define Z95 1.959963984540054
#define TINY 1e-300 /* a bin's probability floor: an impossible observation costs about 690 */

static double phi(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* Lognormal parameters of the logarithm from the wait's mean and sd. */
static void lognormal_musigma(double mean, double sd, double *mu, double *sigma)
{
    double s2 = log(1 + (sd * sd) / (mean * mean));
    *sigma = sqrt(s2);
    *mu = log(mean) - s2 / 2;
}

double fit_dist_cdf(DistKind k, const double *a, double t)
{
    switch (k) {
    case DIST_CONSTANT: return t >= a[0] ? 1 : 0;
    case DIST_EXPONENTIAL: return t <= 0 ? 0 : 1 - exp(-t / a[0]);
    case DIST_UNIFORM:
        if (t <= a[0]) return 0;
        if (t >= a[1]) return 1;
        return (t - a[0]) / (a[1] - a[0]);
    case DIST_NORMAL: {
        if (t <= 0) return 0;
        double below = phi(-a[0] / a[1]), kept = phi(a[0] / a[1]);
        double f = (phi((t - a[0]) / a[1]) - below) / kept;
        return f < 0 ? 0 : f > 1 ? 1 : f;
    }
    case DIST_LOGNORMAL: {
        if (t <= 0) return 0;
        double mu, sigma;
        lognormal_musigma(a[0], a[1], &mu, &sigma);
        return phi((log(t) - mu) / sigma);
    }
    case DIST_TRIANGULAR: {
        double lo = a[0], c = a[1], hi = a[2];
        if (t <= lo) return 0;
        if (t >= hi) return 1;
        if (t <= c) return (t - lo) * (t - lo) / ((hi - lo) * (c - lo));
        return 1 - (hi - t) * (hi - t) / ((hi - lo) * (hi - c));
    }
    default: return NAN;
    }
}

double fit_dist_mean(DistKind k, const double *a)
{
    switch (k) {
    case DIST_CONSTANT: return a[0];
    case DIST_EXPONENTIAL: return a[0];
    case DIST_UNIFORM: return (a[0] + a[1]) / 2;
    case DIST_NORMAL: {
        /* The mean of the normal cut at 0 (redrawn until >= 0, as the simulation does). */
        double alpha = -a[0] / a[1];
        return a[0] + a[1] * exp(-alpha * alpha / 2) / sqrt(2 * M_PI) / phi(-alpha);
    }
    case DIST_LOGNORMAL: return a[0];
    case DIST_TRIANGULAR: return (a[0] + a[1] + a[2]) / 3;
    default: return NAN;
    }
}

/* ---- the binned data ---- */

typedef struct Bins {
    int n;                     /* occupied bins */
    int idx[FIT_BINS];
    double done[FIT_BINS], cens[FIT_BINS], lo[FIT_BINS], hi[FIT_BINS], mid[FIT_BINS];
} Bins;

static void bins_of(const FitWaitObs *d, const FitWaitObs *c, Bins *b)
{
    b->n = 0;
    for (int i = 0; i < FIT_BINS; i++) {
        if (!(d->bin[i] > 0) && !(c->bin[i] > 0)) continue;
        int j = b->n++;
        b->idx[j] = i;
        b->done[j] = d->bin[i];
        b->cens[j] = c->bin[i];
        b->lo[j] = fit_bin_lo(i);
        b->hi[j] = fit_bin_hi(i);
        /* Where a censored wait of the bin is taken to end: its geometric middle (the first bin's
         * middle, the last bin's start). Taking the start instead, as if every censored wait had
         * stopped at the bin's lower edge, biases the fit towards short waits (by 1-2% of the
         * mean with twelve bins per factor of ten and much censoring). */
        b->mid[j] = i == 0 ? b->hi[j] / 2 : isinf(b->hi[j]) ? b->lo[j] : sqrt(b->lo[j] * b->hi[j]);
    }
}

static double loglik(DistKind k, const double *a, const Bins *b)
{
    double ll = 0;
    for (int j = 0; j < b->n; j++) {
        double flo = b->lo[j] > 0 ? fit_dist_cdf(k, a, b->lo[j]) : 0;
        if (b->done[j] > 0) {
            double fhi = isinf(b->hi[j]) ? 1 : fit_dist_cdf(k, a, b->hi[j]);
            double p = fhi - flo;
            ll += b->done[j] * log(p > TINY ? p : TINY);
        }
        if (b->cens[j] > 0) {
            double s = 1 - fit_dist_cdf(k, a, b->mid[j]);
            ll += b->cens[j] * log(s > TINY ? s : TINY);
        }
    }
    return ll;
}

/* ---- each candidate's parameters from the optimizer's unconstrained ones ---- */

typedef struct Problem {
    DistKind kind;
    int dim;
    const Bins *bins;
} Problem;

/* theta -> the language's arguments; false where theta means nothing (a negative minimum). */
static bool args_of(DistKind k, const double *th, double *a)
{
    switch (k) {
    case DIST_LOGNORMAL: {
        double mu = th[0], sigma = exp(th[1]);
        if (!(sigma > 1e-8 && sigma < 20)) return false;
        a[0] = exp(mu + sigma * sigma / 2);
        a[1] = a[0] * sqrt(expm1(sigma * sigma));
        return isfinite(a[0]) && isfinite(a[1]) && a[1] > 0;
    }
    case DIST_NORMAL:
        a[0] = th[0];
        a[1] = exp(th[1]);
        /* The language's normal has a mean >= 0; its sd must leave some mass above 0. */
        return a[0] >= 0 && a[1] > 0 && isfinite(a[1]);
    case DIST_UNIFORM:
        a[0] = th[0];
        a[1] = th[0] + exp(th[1]);
        return a[0] >= 0 && a[1] > a[0] && isfinite(a[1]);
    case DIST_TRIANGULAR: {
        double w = exp(th[1]), q = 1 / (1 + exp(-th[2]));
        a[0] = th[0];
        a[2] = th[0] + w;
        a[1] = th[0] + q * w;
        return a[0] >= 0 && w > 0 && isfinite(a[2]);
    }
    default: return false;
    }
}

static double objective(const Problem *p, const double *th)
{
    double a[3];
    if (!args_of(p->kind, th, a)) return 1e300;
    double ll = loglik(p->kind, a, p->bins);
    return isfinite(ll) ? -ll : 1e300;
}

/* Nelder-Mead from x with initial steps `step`; x gets the best point, returns its value. */
static double nelder_mead(const Problem *p, double *x, const double *step)
{
    enum { MAXD = 3 };
    int n = p->dim;
    double s[MAXD + 1][MAXD], f[MAXD + 1];
    for (int i = 0; i <= n; i++) {
        memcpy(s[i], x, sizeof(double) * (size_t)n);
        if (i > 0) s[i][i - 1] += step[i - 1];
        f[i] = objective(p, s[i]);
    }
    for (int iter = 0; iter < 2000; iter++) {
        /* Order: best first. */
        for (int i = 1; i <= n; i++)
            for (int j = i; j > 0 && f[j] < f[j - 1]; j--) {
                double t = f[j]; f[j] = f[j - 1]; f[j - 1] = t;
                for (int d = 0; d < n; d++) { double u = s[j][d]; s[j][d] = s[j - 1][d]; s[j - 1][d] = u; }
            }
        double spread = 0;
        for (int i = 1; i <= n; i++)
            for (int d = 0; d < n; d++) spread = fmax(spread, fabs(s[i][d] - s[0][d]));
        if (fabs(f[n] - f[0]) <= 1e-10 * (fabs(f[0]) + 1e-10) && spread < 1e-7) break;
        double c[MAXD] = {0}, r[MAXD], e[MAXD], k[MAXD];
        for (int i = 0; i < n; i++)
            for (int d = 0; d < n; d++) c[d] += s[i][d] / n;
        for (int d = 0; d < n; d++) r[d] = c[d] + (c[d] - s[n][d]);
        double fr = objective(p, r);
        if (fr < f[0]) {
            for (int d = 0; d < n; d++) e[d] = c[d] + 2 * (c[d] - s[n][d]);
            double fe = objective(p, e);
            if (fe < fr) memcpy(s[n], e, sizeof e), f[n] = fe;
            else memcpy(s[n], r, sizeof r), f[n] = fr;
        } else if (fr < f[n - 1]) {
            memcpy(s[n], r, sizeof r), f[n] = fr;
        } else {
            bool outside = fr < f[n];
            for (int d = 0; d < n; d++) k[d] = outside ? c[d] + 0.5 * (r[d] - c[d]) : c[d] + 0.5 * (s[n][d] - c[d]);
            double fk = objective(p, k);
            if (fk < (outside ? fr : f[n])) {
                memcpy(s[n], k, sizeof k), f[n] = fk;
            } else {
                for (int i = 1; i <= n; i++) {
                    for (int d = 0; d < n; d++) s[i][d] = s[0][d] + 0.5 * (s[i][d] - s[0][d]);
                    f[i] = objective(p, s[i]);
                }
            }
        }
    }
    int best = 0;
    for (int i = 1; i <= n; i++)
        if (f[i] < f[best]) best = i;
    memcpy(x, s[best], sizeof(double) * (size_t)n);
    return f[best];
}

/* x to 6 significant digits. */
static double round6(double x)
{
    if (!isfinite(x) || x == 0) return x;
    double scale = pow(10, 5 - floor(log10(fabs(x))));
    return round(x * scale) / scale;
}

/* Where the optimizer starts: the finished waits' moments (censoring makes them low, the search
 * corrects that), to 6 significant digits. The likelihood depends on the bins' counts alone, so
 * starting from rounded moments makes the whole search, and so the fit, the same whether the sums
 * were added here or, in another order, by a warehouse (cjm fit --sql): sums that differ in their
 * last bits would otherwise start Nelder-Mead a hair apart and end it a hair apart, which the
 * numerical Hessian of the mean's interval magnifies into the fourth digit. */
static void start_of_moments(DistKind k, const FitWaitObs *d, const FitWaitObs *c, double *th, double *step)
{
    double n = d->n, mean = d->sum / n;
    double var = n > 1 ? (d->sumsq - n * mean * mean) / (n - 1) : mean * mean;
    double sd = sqrt(var > 0 ? var : mean * mean * 0.01 + 1e-12);
    double hi = c->n > 0 && c->max > d->max ? c->max : d->max;
    switch (k) {
    case DIST_LOGNORMAL: {
        double positive = n; /* waits of 0 have no logarithm: the sums leave them out */
        double lm = d->sumlog / positive, lv = d->sumlog2 / positive - lm * lm;
        th[0] = lm;
        th[1] = log(sqrt(lv > 1e-6 ? lv : 1e-6));
        step[0] = 0.3, step[1] = 0.3;
        break;
    }
    case DIST_NORMAL:
        th[0] = mean;
        th[1] = log(sd);
        step[0] = 0.3 * sd, step[1] = 0.3;
        break;
    case DIST_UNIFORM: {
        double w = hi - d->min;
        th[0] = d->min;
        th[1] = log(w > 0 ? w : sd);
        step[0] = 0.05 * (w > 0 ? w : sd), step[1] = 0.1;
        break;
    }
    case DIST_TRIANGULAR: {
        double lo = d->min, w = hi - lo > 0 ? hi - lo : sd;
        double q = (3 * mean - lo - (lo + w) - lo) / w;
        q = q < 0.05 ? 0.05 : q > 0.95 ? 0.95 : q;
        th[0] = lo;
        th[1] = log(w);
        th[2] = log(q / (1 - q));
        step[0] = 0.05 * w, step[1] = 0.1, step[2] = 0.5;
        break;
    }
    default: break;
    }
}

static void start_of(DistKind k, const FitWaitObs *d, const FitWaitObs *c, double *th, double *step)
{
    start_of_moments(k, d, c, th, step);
    for (int i = 0; i < 3; i++) th[i] = round6(th[i]), step[i] = round6(step[i]);
}

static int nparams(DistKind k)
{
    switch (k) {
    case DIST_CONSTANT: case DIST_EXPONENTIAL: return 1;
    case DIST_TRIANGULAR: return 3;
    default: return 2;
    }
}

/* The variance of the mean by the delta method: the gradient of the mean in theta against the
 * inverse of the observed information (the Hessian of -loglik, numerically); NaN when that is not
 * positive definite. */
static double mean_variance(const Problem *p, const double *th)
{
    int n = p->dim;
    double H[3][3], g[3], x[3];
    double f0 = objective(p, th);
    double h[3];
    for (int i = 0; i < n; i++) h[i] = 1e-4 * (fabs(th[i]) + 1);
    for (int i = 0; i < n; i++)
        for (int j = i; j < n; j++) {
            double fpp, fpm, fmp, fmm;
            memcpy(x, th, sizeof x);
            if (i == j) {
                x[i] = th[i] + h[i]; fpp = objective(p, x);
                x[i] = th[i] - h[i]; fmm = objective(p, x);
                H[i][i] = (fpp - 2 * f0 + fmm) / (h[i] * h[i]);
                continue;
            }
            x[i] = th[i] + h[i], x[j] = th[j] + h[j]; fpp = objective(p, x);
            x[j] = th[j] - h[j]; fpm = objective(p, x);
            x[i] = th[i] - h[i]; fmm = objective(p, x);
            x[j] = th[j] + h[j]; fmp = objective(p, x);
            H[i][j] = H[j][i] = (fpp - fpm - fmp + fmm) / (4 * h[i] * h[j]);
        }
    for (int i = 0; i < n; i++) {
        double a[3];
        memcpy(x, th, sizeof x);
        x[i] = th[i] + h[i];
        if (!args_of(p->kind, x, a)) return NAN;
        double up = fit_dist_mean(p->kind, a);
        x[i] = th[i] - h[i];
        if (!args_of(p->kind, x, a)) return NAN;
        g[i] = (up - fit_dist_mean(p->kind, a)) / (2 * h[i]);
    }
    /* Solve H y = g by Gaussian elimination with partial pivoting; variance = g . y. */
    double A[3][4];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) A[i][j] = H[i][j];
        A[i][n] = g[i];
    }
    for (int c = 0; c < n; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(A[r][c]) > fabs(A[piv][c])) piv = r;
        if (!(fabs(A[piv][c]) > 1e-300)) return NAN;
        for (int j = 0; j <= n; j++) { double t = A[c][j]; A[c][j] = A[piv][j]; A[piv][j] = t; }
        for (int r = 0; r < n; r++) {
            if (r == c) continue;
            double m = A[r][c] / A[c][c];
            for (int j = c; j <= n; j++) A[r][j] -= m * A[c][j];
        }
    }
    double v = 0;
    for (int i = 0; i < n; i++) v += g[i] * A[i][n] / A[i][i];
    return v > 0 && isfinite(v) ? v : NAN;
}

/* The Kolmogorov-Smirnov distance between the fitted CDF and the Kaplan-Meier estimate at the
 * bins' upper edges: the actuarial form, a wait censored within a bin at risk for half of it. */
static double ks_distance(const FitDist *fd, const Bins *b)
{
    double at_risk = 0;
    for (int j = 0; j < b->n; j++) at_risk += b->done[j] + b->cens[j];
    double surv = 1, ks = 0;
    for (int j = 0; j < b->n; j++) {
        double r = at_risk - b->cens[j] / 2;
        if (r > 0 && b->done[j] > 0) surv *= 1 - b->done[j] / r;
        at_risk -= b->done[j] + b->cens[j];
        if (isinf(b->hi[j])) break;
        double d = fabs(fit_dist_cdf(fd->kind, fd->args, b->hi[j]) - (1 - surv));
        if (d > ks) ks = d;
        if (!(at_risk > 0)) break;
    }
    return ks;
}

static void finish_candidate(FitDist *fd, const Bins *b)
{
    /* A constant is chosen only when the waits agree with it exactly (constant_waits): each has
     * probability 1, whichever bin middle a censored one is taken at. */
    fd->loglik = fd->kind == DIST_CONSTANT ? 0 : loglik(fd->kind, fd->args, b);
    fd->aic = 2 * nparams(fd->kind) - 2 * fd->loglik;
    fd->ks = ks_distance(fd, b);
    fd->ok = isfinite(fd->loglik);
}

static bool constant_waits(const FitWaitObs *d, const FitWaitObs *c)
{
    if (!(d->n > 0)) return false;
    double tol = 1e-6 * fmax(fabs(d->max), 1e-12);
    /* Censored waits longer than the constant would have ended at it. */
    return d->max - d->min <= tol && !(c->n > 0 && c->max > d->max + tol);
}

void fit_waits(const FitWaitObs *done, const FitWaitObs *censored, FitWait *w)
{
    w->n = done->n;
    w->censored = censored->n;
    w->mean = (FitInterval){NAN, NAN, NAN};
    memset(&w->best, 0, sizeof w->best);
    w->best.kind = DIST_CONSTANT;
    for (int k = 0; k < DIST_WAIT__COUNT; k++) {
        memset(&w->candidates[k], 0, sizeof w->candidates[k]);
        w->candidates[k].kind = (DistKind)k;
        w->candidates[k].nargs = k == DIST_CONSTANT || k == DIST_EXPONENTIAL ? 1 : k == DIST_TRIANGULAR ? 3 : 2;
        w->candidates[k].loglik = w->candidates[k].aic = w->candidates[k].ks = NAN;
    }
    if (!(done->n > 0)) return;
    Bins b;
    bins_of(done, censored, &b);
    double thetas[DIST__COUNT][3] = {{0}};

    if (constant_waits(done, censored)) {
        FitDist *fd = &w->candidates[DIST_CONSTANT];
        fd->args[0] = done->sum / done->n;
        finish_candidate(fd, &b);
    }
    {
        FitDist *fd = &w->candidates[DIST_EXPONENTIAL];
        double exposure = done->sum + censored->sum;
        if (exposure > 0) {
            fd->args[0] = exposure / done->n;
            finish_candidate(fd, &b);
        }
    }
    /* The others need more than one distinct wait to say anything. */
    bool spread = done->max > done->min && done->n >= 3;
    DistKind searched[] = {DIST_LOGNORMAL, DIST_NORMAL, DIST_UNIFORM, DIST_TRIANGULAR};
    for (size_t i = 0; i < sizeof searched / sizeof *searched && spread; i++) {
        DistKind k = searched[i];
        FitDist *fd = &w->candidates[k];
        if (done->n < nparams(k) + 1) continue;
        Problem p = {k, nparams(k), &b};
        double th[3] = {0}, step[3] = {0};
        start_of(k, done, censored, th, step);
        double f = nelder_mead(&p, th, step);
        /* Once more from where it stopped: Nelder-Mead can stall on a ridge. */
        for (int d = 0; d < p.dim; d++) step[d] *= 0.5;
        f = nelder_mead(&p, th, step);
        if (!(f < 1e299) || !args_of(k, th, fd->args)) continue;
        memcpy(thetas[k], th, sizeof th);
        finish_candidate(fd, &b);
    }
    int best = -1;
    for (int k = 0; k < DIST_WAIT__COUNT; k++)
        if (w->candidates[k].ok && (best < 0 || w->candidates[k].aic < w->candidates[best].aic)) best = k;
    if (best < 0) return;
    w->best = w->candidates[best];
    double mean = fit_dist_mean((DistKind)best, w->best.args);
    w->mean.value = mean;
    if (best == DIST_CONSTANT) {
        w->mean.lo = w->mean.hi = mean;
    } else if (best == DIST_EXPONENTIAL) {
        RtEstimate rate = rt_poisson_rate(done->n, done->sum + censored->sum, false);
        w->mean.lo = rate.hi > 0 ? 1 / rate.hi : NAN;
        w->mean.hi = rate.lo > 0 ? 1 / rate.lo : INFINITY;
    } else {
        Problem p = {(DistKind)best, nparams((DistKind)best), &b};
        double v = mean_variance(&p, thetas[best]);
        if (isfinite(v)) {
            double h = Z95 * sqrt(v);
            w->mean.lo = mean - h > 0 ? mean - h : 0;
            w->mean.hi = mean + h;
        }
    }
}
