/* traits.c: a trait's distribution fitted from a column of the log (cjm fit --trait NAME=COLUMN;
 * see traits.h and docs/fitting.md "Traits").
 *
 * Owns the second reading of a CSV log for the trait columns (per case: its first non-empty value,
 * later different values counted as conflicts; its first segment as a persona), the maximum
 * likelihood fits of the six families with their 95% intervals (observed information for the
 * regular families; for the uniform, whose likelihood is not regular, the exact law of the
 * sample's extremes), the choice among them by AIC, the Kolmogorov-Smirnov distance of the chosen
 * one, and the shares of a `choice` trait's values. The special functions (digamma, trigamma, the
 * incomplete gamma and beta functions) are written here from their textbook series. */
#include "traits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intern.h"
#include "kpi.h"
#include "names.h"

#define Z95 1.959963984540054

/* ---- special functions ---- */

double fit_digamma(double x)
{
    double r = 0;
    while (x < 10) r -= 1 / x, x += 1;
    double f = 1 / (x * x);
    return r + log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

double fit_trigamma(double x)
{
    double r = 0;
    while (x < 10) r += 1 / (x * x), x += 1;
    double f = 1 / (x * x);
    return r + 1 / x + f / 2 + f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f / 30)));
}

double fit_gamma_p(double a, double x)
{
    if (!(x > 0)) return 0;
    double lead = a * log(x) - x - lgamma(a);
    if (x < a + 1) { /* the series */
        double term = 1 / a, sum = term;
        for (int n = 1; n < 100000 && fabs(term) > fabs(sum) * 1e-15; n++) {
            term *= x / (a + n);
            sum += term;
        }
        return sum * exp(lead);
    }
    /* the continued fraction of Q, by Lentz's method */
    double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < 1e-300) d = 1e-300;
        c = b + an / c;
        if (fabs(c) < 1e-300) c = 1e-300;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15) break;
    }
    return 1 - exp(lead) * h;
}

/* The continued fraction of the incomplete beta function (Lentz). */
static double beta_fraction(double a, double b, double x)
{
    double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < 1e-300) d = 1e-300;
    d = 1 / d;
    double h = d;
    for (int m = 1; m < 100000; m++) {
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
        if (fabs(del - 1) < 1e-15) break;
    }
    return h;
}

double fit_beta_i(double a, double b, double x)
{
    if (!(x > 0)) return 0;
    if (!(x < 1)) return 1;
    double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
    return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

/* ---- the families ---- */

static double phi(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

/* The lognormal's mu and sigma from the mean and sd of the value (as the language writes it). */
static void lognormal_params(double mean, double sd, double *mu, double *sigma)
{
    double s2 = log1p(sd * sd / (mean * mean));
    *sigma = sqrt(s2);
    *mu = log(mean) - s2 / 2;
}

double fit_trait_cdf(DistKind kind, const double *a, double x)
{
    switch (kind) {
    case DIST_NORMAL: return a[1] > 0 ? phi((x - a[0]) / a[1]) : x >= a[0];
    case DIST_LOGNORMAL: {
        if (!(x > 0)) return 0;
        double mu, sigma;
        lognormal_params(a[0], a[1], &mu, &sigma);
        return sigma > 0 ? phi((log(x) - mu) / sigma) : x >= a[0];
    }
    case DIST_GAMMA: return fit_gamma_p(a[0], a[1] * x);
    case DIST_BETA: return fit_beta_i(a[0], a[1], x);
    case DIST_UNIFORM: return x <= a[0] ? 0 : x >= a[1] ? 1 : (x - a[0]) / (a[1] - a[0]);
    case DIST_EXPONENTIAL: return x <= 0 ? 0 : -expm1(-x / a[0]);
    default: return NAN;
    }
}

typedef struct Sums {
    double n, sum, sumsq, sumlog, sumlog2, sumlog1m, min, max;
} Sums;

static Sums sums_of(const double *x, int n)
{
    Sums s = {n, 0, 0, 0, 0, 0, INFINITY, -INFINITY};
    for (int i = 0; i < n; i++) {
        s.sum += x[i];
        s.sumsq += x[i] * x[i];
        if (x[i] > 0) {
            double l = log(x[i]);
            s.sumlog += l;
            s.sumlog2 += l * l;
        }
        if (x[i] < 1) s.sumlog1m += log1p(-x[i]);
        if (x[i] < s.min) s.min = x[i];
        if (x[i] > s.max) s.max = x[i];
    }
    return s;
}

static FitInterval around(double v, double se)
{
    return (FitInterval){v, v - Z95 * se, v + Z95 * se};
}

/* The standard errors of a 2-parameter fit from its Fisher information per value [[i11, i12],
 * [i12, i22]] and n values. */
static void fisher_se(double i11, double i12, double i22, double n, double *se1, double *se2)
{
    double det = i11 * i22 - i12 * i12;
    *se1 = det > 0 ? sqrt(i22 / det / n) : NAN;
    *se2 = det > 0 ? sqrt(i11 / det / n) : NAN;
}

static bool fit_normal(const Sums *s, FitTraitDist *d)
{
    double m = s->sum / s->n, v = s->sumsq / s->n - m * m;
    if (!(v > 0)) return false;
    double sd = sqrt(v);
    d->args[0] = around(m, sd / sqrt(s->n));
    d->args[1] = around(sd, sd / sqrt(2 * s->n));
    d->loglik = -s->n / 2 * log(2 * M_PI * v) - s->n / 2;
    return true;
}

static bool fit_lognormal(const Sums *s, FitTraitDist *d)
{
    if (!(s->min > 0)) return false;
    double mu = s->sumlog / s->n, v = s->sumlog2 / s->n - mu * mu;
    if (!(v > 0)) return false;
    double sg = sqrt(v), m = exp(mu + v / 2), e = exp(v), sd = m * sqrt(e - 1);
    /* The delta method from (mu, sigma), whose information is diagonal: sigma^2/n, sigma^2/2n. */
    double se_mu = sg / sqrt(s->n), se_sg = sg / sqrt(2 * s->n);
    double dm_mu = m, dm_sg = m * sg;
    double ds_mu = sd, ds_sg = sd * sg + m * sg * e / sqrt(e - 1);
    d->args[0] = around(m, hypot(dm_mu * se_mu, dm_sg * se_sg));
    d->args[1] = around(sd, hypot(ds_mu * se_mu, ds_sg * se_sg));
    d->loglik = -s->sumlog - s->n / 2 * log(2 * M_PI * v) - s->n / 2;
    return true;
}

static bool fit_gamma(const Sums *s, FitTraitDist *d)
{
    if (!(s->min > 0)) return false;
    double mean = s->sum / s->n, c = log(mean) - s->sumlog / s->n;
    if (!(c > 1e-12)) return false;
    double k = (3 - c + sqrt((c - 3) * (c - 3) + 24 * c)) / (12 * c);
    for (int i = 0; i < 100; i++) { /* Newton on log k - digamma(k) = c */
        double f = log(k) - fit_digamma(k) - c, df = 1 / k - fit_trigamma(k);
        double next = k - f / df;
        if (!(next > 0)) next = k / 2;
        if (fabs(next - k) < 1e-12 * k) {
            k = next;
            break;
        }
        k = next;
    }
    double rate = k / mean, se_k, se_r;
    fisher_se(fit_trigamma(k), -1 / rate, k / (rate * rate), s->n, &se_k, &se_r);
    d->args[0] = around(k, se_k);
    d->args[1] = around(rate, se_r);
    d->loglik = s->n * (k * log(rate) - lgamma(k)) + (k - 1) * s->sumlog - rate * s->sum;
    return isfinite(d->loglik);
}

static bool fit_beta(const Sums *s, FitTraitDist *d)
{
    if (!(s->min > 0) || !(s->max < 1)) return false;
    double m = s->sum / s->n, v = s->sumsq / s->n - m * m;
    if (!(v > 0)) return false;
    double common = m * (1 - m) / v - 1;
    if (!(common > 0)) common = 1;
    double a = m * common, b = (1 - m) * common;
    double g1 = s->sumlog / s->n, g2 = s->sumlog1m / s->n;
    for (int i = 0; i < 200; i++) { /* Newton on the two score equations */
        double pab = fit_digamma(a + b), tab = fit_trigamma(a + b);
        double f1 = fit_digamma(a) - pab - g1, f2 = fit_digamma(b) - pab - g2;
        double j11 = fit_trigamma(a) - tab, j22 = fit_trigamma(b) - tab, j12 = -tab;
        double det = j11 * j22 - j12 * j12;
        if (!(det > 0)) return false;
        double da = (j22 * f1 - j12 * f2) / det, db = (j11 * f2 - j12 * f1) / det;
        double na = a - da, nb = b - db;
        if (!(na > 0)) na = a / 2;
        if (!(nb > 0)) nb = b / 2;
        bool done = fabs(na - a) < 1e-12 * a && fabs(nb - b) < 1e-12 * b;
        a = na, b = nb;
        if (done) break;
    }
    double tab = fit_trigamma(a + b), se_a, se_b;
    fisher_se(fit_trigamma(a) - tab, -tab, fit_trigamma(b) - tab, s->n, &se_a, &se_b);
    d->args[0] = around(a, se_a);
    d->args[1] = around(b, se_b);
    d->loglik = (a - 1) * s->sumlog + (b - 1) * s->sumlog1m - s->n * (lgamma(a) + lgamma(b) - lgamma(a + b));
    return isfinite(d->loglik);
}

static bool fit_uniform(const Sums *s, FitTraitDist *d)
{
    double r = s->max - s->min;
    if (!(r > 0)) return false;
    /* n (min - a) / (b - a) is about exponential(1): 95% of the time below log 40. */
    double h = r * log(40.0) / s->n;
    d->args[0] = (FitInterval){s->min, s->min - h, s->min};
    d->args[1] = (FitInterval){s->max, s->max, s->max + h};
    d->loglik = -s->n * log(r);
    return true;
}

static bool fit_exponential(const Sums *s, FitTraitDist *d)
{
    if (s->min < 0) return false;
    double m = s->sum / s->n;
    if (!(m > 0)) return false;
    /* The mean of n exponentials is a gamma: its log is nearly normal with sd 1/sqrt(n). */
    double h = Z95 / sqrt(s->n);
    d->args[0] = (FitInterval){m, m * exp(-h), m * exp(h)};
    d->args[1] = (FitInterval){NAN, NAN, NAN};
    d->loglik = -s->n * log(m) - s->n;
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double ks_of(DistKind kind, const double *a, const double *sorted, int n)
{
    double dmax = 0;
    for (int i = 0; i < n; i++) {
        double F = fit_trait_cdf(kind, a, sorted[i]);
        double lo = F - (double)i / n, hi = (double)(i + 1) / n - F;
        if (lo > dmax) dmax = lo;
        if (hi > dmax) dmax = hi;
    }
    return dmax;
}

bool fit_trait_family(DistKind kind, const double *x, int n, FitTraitDist *d)
{
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->nargs = kind == DIST_EXPONENTIAL ? 1 : 2;
    d->args[0] = d->args[1] = (FitInterval){NAN, NAN, NAN};
    d->loglik = d->aic = d->ks = NAN;
    if (n < 2) return false;
    Sums s = sums_of(x, n);
    bool ok = false;
    switch (kind) {
    case DIST_NORMAL: ok = fit_normal(&s, d); break;
    case DIST_LOGNORMAL: ok = fit_lognormal(&s, d); break;
    case DIST_GAMMA: ok = fit_gamma(&s, d); break;
    case DIST_BETA: ok = fit_beta(&s, d); break;
    case DIST_UNIFORM: ok = fit_uniform(&s, d); break;
    case DIST_EXPONENTIAL: ok = fit_exponential(&s, d); break;
    default: break;
    }
    if (!ok) {
        d->args[0] = d->args[1] = (FitInterval){NAN, NAN, NAN};
        d->loglik = NAN;
        return false;
    }
    d->ok = true;
    d->aic = 2 * d->nargs - 2 * d->loglik;
    double *sorted = malloc((size_t)n * sizeof *sorted);
    if (sorted) {
        memcpy(sorted, x, (size_t)n * sizeof *sorted);
        qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
        double a[2] = {d->args[0].value, d->args[1].value};
        d->ks = ks_of(kind, a, sorted, n);
        free(sorted);
    }
    return true;
}

/* ---- reading the columns ---- */

int fit_trait_index(const Model *m, const char *name)
{
    for (int t = 0; t < m->ntraits; t++)
        if (strcmp(m->traits[t], name) == 0) return t;
    return -1;
}

static int column_of(const char *const *names, int n, const char *want)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(names[i], want) == 0) return i;
    return -1;
}

static int persona_of(const Model *m, const LogStr *seg)
{
    if (!seg->s || !seg->len) return -1;
    for (int p = 0; p < m->npersonas; p++) {
        const char *n = m->personas[p]->name.s, *l = m->personas[p]->label.s;
        if ((n && name_equal(seg->s, seg->len, n, strlen(n))) || (l && name_equal(seg->s, seg->len, l, strlen(l))))
            return p;
    }
    return -1;
}

/* The cases seen: their ids interned (intern.h), and per case its values, conflicts and persona. */
typedef struct Cases {
    Intern ids;
    size_t cap;
    double *values;         /* [cap * ntraits] */
    unsigned char *conflict; /* [cap * ntraits] */
    int *persona;           /* [cap]: -2 no segment seen yet */
    int ntraits;
} Cases;

/* The case of id `s`, added (no value, no persona) when new. */
static size_t case_of(Cases *c, const char *s, size_t len)
{
    bool fresh;
    size_t i = intern(&c->ids, s, len, &fresh);
    if (!fresh) return i;
    if (i == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 1024;
        c->values = xrealloc(c->values, c->cap * (size_t)c->ntraits * sizeof *c->values);
        c->conflict = xrealloc(c->conflict, c->cap * (size_t)c->ntraits);
        c->persona = xrealloc(c->persona, c->cap * sizeof *c->persona);
    }
    for (int t = 0; t < c->ntraits; t++) {
        c->values[i * (size_t)c->ntraits + (size_t)t] = NAN;
        c->conflict[i * (size_t)c->ntraits + (size_t)t] = 0;
    }
    c->persona[i] = -2;
    return i;
}

static void cases_free(Cases *c)
{
    intern_free(&c->ids);
    free(c->values);
    free(c->conflict);
    free(c->persona);
}

static char *message(const char *fmt, const char *a, const char *b, const char *c)
{
    size_t n = strlen(fmt) + strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, fmt, a, b, c);
    return s;
}

/* A field as a number: true with *v, false when it is no number (`not_number` set) or empty. */
static bool number_of(const LogStr *f, double *v, bool *not_number)
{
    *not_number = false;
    if (!f->s || !f->len) return false;
    char buf[64];
    if (f->len >= sizeof buf) return *not_number = true, false;
    memcpy(buf, f->s, f->len);
    buf[f->len] = 0;
    char *end;
    *v = strtod(buf, &end);
    while (*end == ' ') end++;
    if (end == buf || *end || !isfinite(*v)) return *not_number = true, false;
    return true;
}

static char *list_columns(const char *const *names, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++) len += strlen(names[i]) + 2;
    char *s = malloc(len);
    if (!s) return NULL;
    s[0] = 0;
    for (int i = 0; i < n; i++) {
        if (i) strcat(s, ", ");
        strcat(s, names[i]);
    }
    return s;
}

FitTraitObs *fit_traits_read(const Model *m, const char *path, const char *case_col, const char *segment_col,
                             const FitTraitSpec *specs, int n, char **error, bool *usage)
{
    *error = NULL;
    *usage = false;
    CsvFile *f = csvf_open(path, error);
    if (!f) return NULL;
    const char *const *names;
    int ncols = csvf_columns(f, &names);
    int ccase = case_col ? column_of(names, ncols, case_col) : -1;
    int cseg = segment_col ? column_of(names, ncols, segment_col) : -1;
    int *col = malloc((size_t)(n ? n : 1) * sizeof *col);
    FitTraitObs *out = calloc((size_t)(n ? n : 1), sizeof *out);
    Cases cs = {.ntraits = n};
    intern_init(&cs.ids);
    if (!col || !out) goto oom;
    if (ccase < 0) {
        *error = message("%s: --trait: cannot find the case column '%s'%s", csvf_name(f), case_col ? case_col : "?", "");
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        col[i] = column_of(names, ncols, specs[i].column);
        if (col[i] < 0) {
            char *have = list_columns(names, ncols);
            size_t len = strlen(specs[i].trait) + 2 * strlen(specs[i].column) + (have ? strlen(have) : 0) + 128;
            *error = malloc(len);
            if (*error)
                snprintf(*error, len, "--trait %s=%s: the log has no column '%s' (its columns: %s)", specs[i].trait,
                         specs[i].column, specs[i].column, have ? have : "?");
            free(have);
            *usage = true;
            goto fail;
        }
    }
    const LogStr *fields;
    uint64_t line;
    int got;
    while ((got = csvf_next_row(f, &fields, &line)) > 0) {
        if (ccase >= got || !fields[ccase].s || !fields[ccase].len) continue;
        size_t c = case_of(&cs, fields[ccase].s, fields[ccase].len);
        if (cseg >= 0 && cseg < got && cs.persona[c] == -2 && fields[cseg].s && fields[cseg].len)
            cs.persona[c] = persona_of(m, &fields[cseg]);
        for (int i = 0; i < n; i++) {
            double v;
            bool bad;
            if (col[i] >= got) continue;
            if (!number_of(&fields[col[i]], &v, &bad)) {
                if (bad) out[i].not_numbers++;
                continue;
            }
            double *have = &cs.values[(size_t)c * n + i];
            if (isnan(*have)) *have = v;
            else if (*have != v) cs.conflict[(size_t)c * n + i] = 1;
        }
    }
    if (got < 0) {
        *error = strdup(csvf_error(f) ? csvf_error(f) : "cannot read the log");
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        FitTraitObs *o = &out[i];
        o->trait = fit_trait_index(m, specs[i].trait);
        o->column = specs[i].column;
        size_t ncases = cs.ids.n;
        o->values = malloc((ncases ? ncases : 1) * sizeof *o->values);
        o->persona = malloc((ncases ? ncases : 1) * sizeof *o->persona);
        if (!o->values || !o->persona) goto oom;
        for (size_t c = 0; c < ncases; c++) {
            double v = cs.values[(size_t)c * n + i];
            if (isnan(v)) {
                o->missing++;
                continue;
            }
            o->conflicts += cs.conflict[(size_t)c * n + i];
            o->persona[o->n] = cs.persona[c] >= 0 ? cs.persona[c] : -1;
            o->values[o->n++] = v;
        }
    }
    cases_free(&cs);
    free(col);
    csvf_close(f);
    return out;
oom:
    free(*error);
    *error = strdup("out of memory while reading the trait columns");
fail:
    cases_free(&cs);
    free(col);
    fit_trait_obs_free(out, out ? n : 0);
    csvf_close(f);
    return NULL;
}

void fit_trait_obs_free(FitTraitObs *t, int n)
{
    if (!t) return;
    for (int i = 0; i < n; i++) {
        free(t[i].values);
        free(t[i].persona);
    }
    free(t);
}

/* ---- the estimates ---- */

static const DistKind families[FIT_TRAIT_FAMILIES] = {DIST_NORMAL, DIST_LOGNORMAL, DIST_GAMMA,
                                                      DIST_BETA, DIST_UNIFORM, DIST_EXPONENTIAL};

static bool same_number(double a, double b) { return fabs(a - b) <= 1e-9 * (1 + fabs(b)); }

/* A choice trait's values: the declared ones first (with their weights as shares), then others. */
static bool choice_shares(FitTrait *r, const double *x, int n)
{
    const Dist *d = r->declared;
    int nd = 0;
    double wsum = 0;
    for (const ChoiceItem *c = d->choices; c; c = c->next) nd++, wsum += c->weight.v;
    FitChoiceShare *v = calloc((size_t)(nd + n + 1), sizeof *v);
    if (!v) return false;
    int k = 0;
    for (const ChoiceItem *c = d->choices; c; c = c->next) {
        bool dup = false;
        for (int j = 0; j < k && !dup; j++) dup = same_number(v[j].value, c->value.v);
        if (dup) {
            for (int j = 0; j < k; j++)
                if (same_number(v[j].value, c->value.v)) v[j].declared_share += wsum > 0 ? c->weight.v / wsum : 0;
            continue;
        }
        v[k] = (FitChoiceShare){.value = c->value.v, .declared = true,
                                .declared_share = wsum > 0 ? c->weight.v / wsum : NAN};
        k++;
    }
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < k && !same_number(v[j].value, x[i])) j++;
        if (j == k) v[k++] = (FitChoiceShare){.value = x[i], .declared_share = NAN};
        v[j].count++;
    }
    for (int j = 0; j < k; j++) {
        v[j].share = (FitInterval){NAN, NAN, NAN};
        if (n > 0) {
            v[j].share.value = v[j].count / n;
            rt_wilson(v[j].count, n, Z95, &v[j].share.lo, &v[j].share.hi);
        }
        v[j].outside = v[j].declared && n > 0 &&
                       (v[j].declared_share < v[j].share.lo - 1e-12 || v[j].declared_share > v[j].share.hi + 1e-12);
    }
    r->choices = v;
    r->nchoices = k;
    return true;
}

static bool estimate_one(const Model *m, const FitTraitObs *o, int persona, FitTrait *r)
{
    memset(r, 0, sizeof *r);
    r->trait = o->trait;
    r->persona = persona;
    r->column = o->column;
    r->best = -1;
    r->declared_value = NAN;
    int P = persona >= 0 ? persona : m->npersonas == 1 ? 0 : -1;
    if (P >= 0 && o->trait >= 0) {
        size_t at = (size_t)P * m->ntraits + o->trait;
        r->declared = m->trait_dist ? m->trait_dist[at] : NULL;
        if (!r->declared && m->trait_value) r->declared_value = m->trait_value[at];
    }
    double *x = malloc((size_t)(o->n ? o->n : 1) * sizeof *x);
    if (!x) return false;
    int n = 0;
    for (int i = 0; i < o->n; i++)
        if (persona < 0 || o->persona[i] == persona) x[n++] = o->values[i];
    r->n = n;
    Sums s = sums_of(x, n);
    r->mean = n ? s.sum / n : NAN;
    r->sd = n > 1 ? sqrt(fmax(0, (s.sumsq - n * r->mean * r->mean) / (n - 1))) : NAN;
    r->min = n ? s.min : NAN;
    r->max = n ? s.max : NAN;
    bool ok = true;
    if (r->declared && r->declared->kind == DIST_CHOICE) {
        r->is_choice = true;
        ok = choice_shares(r, x, n);
    } else {
        for (int k = 0; k < FIT_TRAIT_FAMILIES; k++) {
            fit_trait_family(families[k], x, n, &r->candidates[k]);
            if (r->candidates[k].ok && (r->best < 0 || r->candidates[k].aic < r->candidates[r->best].aic))
                r->best = k;
        }
    }
    free(x);
    return ok;
}

/* Whether any case of o names persona p. */
static bool persona_seen(const FitTraitObs *o, int p)
{
    for (int i = 0; i < o->n; i++)
        if (o->persona[i] == p) return true;
    return false;
}

bool fit_traits_estimate(const FitObs *obs, FitTrait **out, int *n)
{
    const Model *m = obs->model;
    *out = NULL;
    *n = 0;
    if (!obs->ntraits_obs) return true;
    size_t cap = (size_t)obs->ntraits_obs * (size_t)(m->npersonas + 1);
    FitTrait *v = calloc(cap, sizeof *v);
    if (!v) return false;
    for (int i = 0; i < obs->ntraits_obs; i++) {
        const FitTraitObs *o = &obs->traits[i];
        if (!estimate_one(m, o, -1, &v[(*n)++])) goto oom;
        if (m->npersonas < 2) continue;
        for (int p = 0; p < m->npersonas; p++)
            if (persona_seen(o, p) && !estimate_one(m, o, p, &v[(*n)++])) goto oom;
    }
    *out = v;
    return true;
oom:
    fit_traits_free(v, *n);
    *n = 0;
    return false;
}

void fit_traits_free(FitTrait *t, int n)
{
    if (!t) return;
    for (int i = 0; i < n; i++) free(t[i].choices);
    free(t);
}
