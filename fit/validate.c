/* validate.c: a journey's simulation against the log (validate.h): the observed figures from
 * FitObs (conversion, time to convert, Kaplan-Meier retention from the follow-up bins, stages'
 * churn shares), the simulated ones from the run's RtResult and runtime/kpi.h, and the interval
 * the observed figure should fall in, at the log's own sample size. It owns those definitions
 * (docs/scoring.md, "Validation") and the verdicts' one-block memory. */
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "kpi.h"

#define Z95 1.959963984540054

/* A verdict while the list is built: its strings are malloc'd, packed into one block at the end. */
typedef struct Draft {
    char *key, *title;
    double observed, sim, lo, hi;
} Draft;

typedef struct Drafts {
    Draft *v;
    int n, cap;
} Drafts;

static char *format(const char *fmt, const char *arg)
{
    int len = snprintf(NULL, 0, fmt, arg);
    char *s = xmalloc((size_t)len + 1);
    snprintf(s, (size_t)len + 1, fmt, arg);
    return s;
}

/* Adds a verdict: sim +- Z95 sqrt(var) (var: the observed figure's variance under the simulated
 * journey), clamped to [lo_bound, hi_bound]. Left out when a figure is unknown. */
static void add(Drafts *d, char *key, char *title, double observed, double sim, double var, double lo_bound,
                double hi_bound)
{
    if (!isfinite(observed) || !isfinite(sim) || !(var >= 0)) {
        free(key);
        free(title);
        return;
    }
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 16;
        d->v = xrealloc(d->v, (size_t)d->cap * sizeof *d->v);
    }
    double half = Z95 * sqrt(var), lo = sim - half, hi = sim + half;
    d->v[d->n++] = (Draft){key, title, observed, sim, lo < lo_bound ? lo_bound : lo, hi > hi_bound ? hi_bound : hi};
}

/* A share: observed k_o / n_o against the simulated p_s of n_s; the variance of a share of n_o
 * customers plus the simulation's own, p_s (1 - p_s) (1/n_o + 1/n_s). */
static void add_share(Drafts *d, char *key, char *title, double k_o, double n_o, double p_s, double n_s)
{
    if (!(n_o > 0) || !(n_s > 0)) {
        add(d, key, title, NAN, NAN, NAN, 0, 1);
        return;
    }
    add(d, key, title, k_o / n_o, p_s, p_s * (1 - p_s) * (1 / n_o + 1 / n_s), 0, 1);
}

/* The geometric middle of follow-up bin b (fit.h: bin b holds floor(12 log10(t / origin) + 0.5)
 * == b, twelve bins per factor of ten). */
static double bin_middle(int b) { return FIT_BIN_ORIGIN * pow(10, b / 12.0); }

/* The observed retention d days after conversion: Kaplan-Meier over the follow-up bins, each
 * bin's churn events at its geometric middle (censored follow-ups stay at risk through the events
 * of their own bin), with Greenwood's variance. NaN when no customer was followed that long. */
static double observed_retention(const FitObs *obs, double day, double *var)
{
    const FitWaitObs *ev = &obs->followup_churned, *ce = &obs->followup_censored;
    double longest = fmax(ev->n > 0 ? ev->max : -INFINITY, ce->n > 0 ? ce->max : -INFINITY);
    *var = NAN;
    if (!(longest >= day)) return NAN;
    double at_risk = ev->n + ce->n, surv = 1, greenwood = 0;
    for (int b = 0; b < FIT_BINS && at_risk > 0; b++) {
        double events = ev->bin[b];
        if (events > 0 && bin_middle(b) <= day) {
            surv *= 1 - events / at_risk;
            if (at_risk > events) greenwood += events / (at_risk * (at_risk - events));
        }
        at_risk -= events + ce->bin[b];
    }
    *var = surv * surv * greenwood;
    return surv;
}

static void add_conversion(Drafts *d, const FitObs *obs, const RtResult *r)
{
    add_share(d, xstrdup("conversion"), xstrdup("Conversion (share of cases)"), obs->converted, obs->cases,
              r->converted / r->cohort, r->cohort);
}

/* Mean days from the first stage event to the first goal entry; the interval uses the log's
 * standard deviation of those times for both sides: sd^2 (1/n_o + 1/n_s). */
static void add_time_to_convert(Drafts *d, const FitObs *obs, const RtResult *r)
{
    const FitWaitObs *t = &obs->time_to_convert;
    double mean = t->n > 0 ? t->sum / t->n : NAN;
    double var = t->n > 1 ? (t->sumsq - t->n * mean * mean) / (t->n - 1) : NAN;
    if (var < 0) var = 0;
    double scaled = r->converted > 0 && t->n > 0 ? var * (1 / t->n + 1 / r->converted) : NAN;
    add(d, xstrdup("time_to_convert"), xstrdup("Mean time to convert (days)"), mean, r->ttc_mean, scaled, 0,
        INFINITY);
}

static void add_retention(Drafts *d, const FitObs *obs, const RtResult *r)
{
    static const double days[] = {30, 90, 180};
    static const char *keys[] = {"retention_30d", "retention_90d", "retention_180d"};
    static const char *titles[] = {"Customer retention 30 days after conversion",
                                   "Customer retention 90 days after conversion",
                                   "Customer retention 180 days after conversion"};
    for (int i = 0; i < 3; i++) {
        double var_o;
        double o = observed_retention(obs, days[i], &var_o);
        RtEstimate s = rt_customer_retention(r, days[i]);
        double var_s = rt_customer_retention_variance(r, days[i]);
        add(d, xstrdup(keys[i]), xstrdup(titles[i]), o, s.value, var_o + var_s, 0, 1);
    }
}

/* Per stage: the share of its moves that went to churn (arrows, rules, inactivity), observed
 * over the log's moves out of it, simulated over the entries that ended in a move (neither still
 * inside at the horizon nor completed there). */
static void add_stage_churn(Drafts *d, const FitObs *obs, const RtResult *r)
{
    const Model *m = obs->model;
    int ns = obs->nstages;
    for (int s = 0; s < ns && s < r->model->nstages; s++) {
        const double *row = obs->moves + (size_t)s * (size_t)(ns + 1);
        double moves = 0;
        for (int t = 0; t <= ns; t++) moves += row[t];
        const RtStageRow *sr = &r->stages[s];
        double sim_moves = sr->entries - sr->active - sr->completed;
        if (!(moves > 0) || !(sim_moves > 0)) continue;
        const char *name = m->stages[s]->name.s;
        add_share(d, format("stage_churn:%s", name), format("Churn share of moves out of %s", name), row[ns], moves,
                  sr->churned / sim_moves, sim_moves);
    }
}

/* One block: the verdicts, then their strings. */
static FitVerdict *pack(const Drafts *d)
{
    size_t bytes = (size_t)d->n * sizeof(FitVerdict);
    for (int i = 0; i < d->n; i++) bytes += strlen(d->v[i].key) + strlen(d->v[i].title) + 2;
    FitVerdict *out = xmalloc(bytes + 1);
    char *text = (char *)(out + d->n);
    for (int i = 0; i < d->n; i++) {
        const Draft *x = &d->v[i];
        FitVerdict *v = &out[i];
        size_t lk = strlen(x->key) + 1, lt = strlen(x->title) + 1;
        memcpy(text, x->key, lk);
        v->key = text;
        text += lk;
        memcpy(text, x->title, lt);
        v->title = text;
        text += lt;
        v->observed = x->observed;
        v->sim = x->sim;
        v->lo = x->lo;
        v->hi = x->hi;
        v->inside = x->lo <= x->observed && x->observed <= x->hi;
    }
    return out;
}

int fit_validate(const FitObs *obs, const RtModel *rm, const SimOptions *so, FitVerdict **out, char **error)
{
    *out = NULL;
    *error = NULL;
    RtResult *r = sim_run(rm, so);
    if (!r) {
        *error = xstrdup("the validation's simulation was interrupted");
        return -1;
    }
    Drafts d = {NULL, 0, 0};
    add_conversion(&d, obs, r);
    add_time_to_convert(&d, obs, r);
    add_retention(&d, obs, r);
    add_stage_churn(&d, obs, r);
    rt_result_free(r);
    *out = pack(&d);
    for (int i = 0; i < d.n; i++) {
        free(d.v[i].key);
        free(d.v[i].title);
    }
    free(d.v);
    return d.n;
}
