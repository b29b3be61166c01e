/* compare.c: `cjm compare`'s engine (see compare.h): the variants of a journey (removals, sweeps),
 * their runs beside the journey with common random numbers, and the statistics of paired
 * differences. It draws no random number itself and prints nothing.
 *
 * The cohort is simulated in chunks of CHUNK_BLOCKS blocks: the journey first, keeping each
 * customer's outcome, then every variant over the same customers, each block's paired sums
 * (Moments) computed as the block ends and added to the variant's total in block order. Memory
 * is bounded by a chunk, whatever the cohort. */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "exact.h"
#include "kpi.h"

#define Z95 1.959963984540054

enum { CHUNK_BLOCKS = 32 };

/* ---- the set of variants ---- */

#define GROW(arr, n, cap)                                                   \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            (cap) = (cap) ? (cap) * 2 : 16;                                 \
            (arr) = xrealloc((arr), (size_t)(cap) * sizeof *(arr));         \
        }                                                                   \
    } while (0)

void cmp_set_init(CmpSet *set, CmpMode mode)
{
    memset(set, 0, sizeof *set);
    set->mode = mode;
}

void cmp_set_free(CmpSet *set)
{
    for (int i = 0; i < set->nowned; i++) rt_model_free(set->owned[i]);
    for (int i = 0; i < set->nstrings; i++) free(set->strings[i]);
    free(set->owned);
    free(set->strings);
    free(set->v);
    memset(set, 0, sizeof *set);
}

/* Keeps a string made for the set (freed with it). */
static const char *keep(CmpSet *set, char *s)
{
    GROW(set->strings, set->nstrings, set->strings_cap);
    set->strings[set->nstrings++] = s;
    return s;
}

void cmp_set_add(CmpSet *set, const char *name, const char *label, RtModel *rm, double value)
{
    GROW(set->v, set->n, set->cap);
    set->v[set->n++] = (CmpVariant){name, label, rm, value};
    if (rm) {
        GROW(set->owned, set->nowned, set->owned_cap);
        set->owned[set->nowned++] = rm;
    }
}

/* ---- removals ---- */

static void remove_touchpoints(CmpSet *set, const Model *m)
{
    for (int k = 0; k < m->ntouchpoints; k++) {
        const Touchpoint *t = m->touchpoints[k];
        RtSetting never = {RT_SET_TOUCH_REACH, k, 0};
        const char *channel = t->channel_index >= 0 ? m->channels[t->channel_index]->name.s : NULL;
        cmp_set_add(set, t->name.s, channel, rt_compile_with(m, &never, 1), 0);
    }
}

/* A channel taken out: none of its touchpoints is ever met. Channels no touchpoint uses are left
 * out, as in the run report. */
static void remove_channels(CmpSet *set, const Model *m)
{
    RtSetting *never = xcalloc((size_t)m->ntouchpoints + 1, sizeof *never);
    for (int ch = 0; ch < m->nchannels; ch++) {
        int n = 0;
        for (int k = 0; k < m->ntouchpoints; k++)
            if (m->touchpoints[k]->channel_index == ch) never[n++] = (RtSetting){RT_SET_TOUCH_REACH, k, 0};
        if (n > 0) cmp_set_add(set, m->channels[ch]->name.s, m->channels[ch]->label.s, rt_compile_with(m, never, n), 0);
    }
    free(never);
}

/* A stage taken out: customers who would enter it churn there instead; without the start stage
 * every customer is lost at once (a variant with no model). */
static void remove_stages(CmpSet *set, const Model *m)
{
    for (int s = 0; s < m->nstages; s++) {
        const Stage *st = m->stages[s];
        RtSetting gone = {RT_SET_STAGE_REMOVED, s, 1};
        cmp_set_add(set, st->name.s, st->label.s, s == m->start ? NULL : rt_compile_with(m, &gone, 1), 0);
    }
}

void cmp_set_removals(CmpSet *set, const Model *m, CmpMode mode)
{
    switch (mode) {
    case CMP_REMOVE_TOUCHPOINTS: remove_touchpoints(set, m); break;
    case CMP_REMOVE_CHANNELS: remove_channels(set, m); break;
    case CMP_REMOVE_STAGES: remove_stages(set, m); break;
    default: break;
    }
}

/* ---- sweeps: an arrow (Stage->Target), Touchpoint.reach|emotion|cost, Stage.revenue|wait,
 * Persona.share, over a range of values (the text is the command line's: cli/sweep.c) ---- */

/* The parameter a sweep varies, and the values it may take. */
typedef struct Param {
    RtSetKind kind;
    int index;
    double min, max;
    const Stage *stage;   /* an arrow's stage */
    const char *unit;     /* after each value shown: "" or " days" */
} Param;

static void did_you_mean(Buf *err, const char *name, const char **names, int n)
{
    const char *best = diag_closest(name, names, n);
    if (best) buf_printf(err, "; did you mean '%s'?", best);
}

typedef const char *(*NameOf)(const Model *m, int i);
static const char *stage_name(const Model *m, int i) { return m->stages[i]->name.s; }
static const char *persona_name(const Model *m, int i) { return m->personas[i]->name.s; }
static const char *touchpoint_name(const Model *m, int i) { return m->touchpoints[i]->name.s; }

/* The index of the one of `n` items called `name`, or -1 after "unknown WHAT 'name'" (and a
 * suggestion) in `err`. */
static int find_named(const Model *m, const char *what, int n, NameOf name_of, const char *name, Buf *err)
{
    const char **names = xcalloc((size_t)n + 1, sizeof *names);
    int found = -1;
    for (int i = 0; i < n; i++) {
        names[i] = name_of(m, i);
        if (strcmp(names[i], name) == 0) found = i;
    }
    if (found < 0) {
        buf_printf(err, "unknown %s '%s'", what, name);
        did_you_mean(err, name, names, n);
    }
    free(names);
    return found;
}

static const Stage *find_stage(const Model *m, const char *name, Buf *err)
{
    int s = find_named(m, "stage", m->nstages, stage_name, name, err);
    return s >= 0 ? m->stages[s] : NULL;
}

/* `Stage->Target`: the first arrow of Stage to Target (a stage or churn). */
static bool find_arrow(const Model *m, const char *stage, const char *target, Param *p, Buf *err)
{
    const Stage *st = find_stage(m, stage, err);
    if (!st) return false;
    int index = 0;
    for (int s = 0; s < st->index; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) index++;
    for (const Arrow *a = st->arrows; a; a = a->next, index++) {
        bool same = a->to_churn ? strcmp(target, "churn") == 0 : strcmp(a->target.s, target) == 0;
        if (!same) continue;
        if (a->otherwise) {
            buf_printf(err, "the arrow %s->%s is an 'otherwise' arrow: it takes what the others leave; sweep another one",
                       stage, target);
            return false;
        }
        *p = (Param){RT_SET_ARROW_PROB, index, 0, 1, st, ""};
        return true;
    }
    buf_printf(err, "stage '%s' has no arrow to '%s'", stage, target);
    return false;
}

/* `Persona.share`: the others keep their proportions in what is left. */
static bool find_persona_share(const Model *m, const char *name, Param *p, Buf *err)
{
    int k = find_named(m, "persona", m->npersonas, persona_name, name, err);
    if (k < 0) return false;
    if (m->share[k] >= 1) {
        buf_printf(err, "persona '%s' has the whole cohort (100%%): there is no other persona to share it with", name);
        return false;
    }
    *p = (Param){RT_SET_PERSONA_SHARE, k, 0, 1, NULL, ""};
    return true;
}

/* `Touchpoint.reach|emotion|cost`, `Stage.revenue|wait` or `Persona.share`. */
static bool find_attribute(const Model *m, const char *name, const char *attr, Param *p, Buf *err)
{
    if (strcmp(attr, "revenue") == 0) {
        const Stage *st = find_stage(m, name, err);
        if (st) *p = (Param){RT_SET_STAGE_REVENUE, st->index, -INFINITY, INFINITY, NULL, ""};
        return st != NULL;
    }
    if (strcmp(attr, "wait") == 0) {
        const Stage *st = find_stage(m, name, err);
        if (st) *p = (Param){RT_SET_STAGE_WAIT, st->index, 0, MODEL_MAX_DAYS, NULL, " days"};
        return st != NULL;
    }
    if (strcmp(attr, "share") == 0) return find_persona_share(m, name, p, err);
    static const struct { const char *name; RtSetKind kind; double min, max; } attrs[] = {
        {"reach", RT_SET_TOUCH_REACH, 0, 1},
        {"emotion", RT_SET_TOUCH_EMOTION, -1, 1},
        {"cost", RT_SET_TOUCH_COST, 0, INFINITY},
    };
    int which = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(attr, attrs[i].name) == 0) which = i;
    if (which < 0) {
        buf_printf(err, "cannot sweep '%s': " CMP_SWEEPABLE, attr);
        return false;
    }
    int k = find_named(m, "touchpoint", m->ntouchpoints, touchpoint_name, name, err);
    if (k >= 0) *p = (Param){attrs[which].kind, k, attrs[which].min, attrs[which].max, NULL, ""};
    return k >= 0;
}

/* An arrow swept to `v` must leave its stage's constant arrows within 100%, as the checker
 * requires of the journey (its own sum: sema_arrows_total). */
static bool arrows_fit(const Param *p, const Model *m, double v, Buf *err)
{
    int index = 0;
    for (int s = 0; s < p->stage->index; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) index++;
    const Arrow *swept = p->stage->arrows;
    for (; index < p->index; index++) swept = swept->next;
    bool open; /* an otherwise arrow, or one whose share is not known before the run */
    double sum = sema_arrows_total(p->stage, swept, v, &open);
    if (sum > 1 + 1e-9)
        buf_printf(err, "at %.10g%%, the arrows of stage '%s' would add up to %.10g%%, more than 100%%", v * 100,
                   p->stage->name.s, sum * 100);
    else if (sum < 1 - 1e-9 && !open)
        buf_printf(err, "at %.10g%%, the arrows of stage '%s' would add up to %.10g%%, not 100%%, and it has no "
                        "'otherwise' arrow", v * 100, p->stage->name.s, sum * 100);
    else
        return true;
    return false;
}

static bool find_param(const Model *m, const CmpSweep *sw, Param *p, Buf *err)
{
    if (sw->target) return find_arrow(m, sw->name, sw->target, p, err);
    return find_attribute(m, sw->name, sw->attribute, p, err);
}

bool cmp_set_sweep(CmpSet *set, const Model *m, const CmpSweep *sw, Buf *err)
{
    Param p;
    if (!find_param(m, sw, &p, err)) return false;
    if (!(sw->to >= sw->from) || !(sw->step > 0) || (sw->to - sw->from) / sw->step + 1 > CMP_SWEEP_MAX_POINTS) {
        buf_printf(err, "the range of '%s' must go up from FROM to TO in at most %d steps", sw->what,
                   CMP_SWEEP_MAX_POINTS - 1);
        return false;
    }
    if (sw->from < p.min - 1e-12 || sw->to > p.max + 1e-12) {
        buf_printf(err, "the values of '%s' must lie within %.10g..%.10g", sw->what, p.min, p.max);
        return false;
    }
    set->sweep_what = keep(set, xstrdup(sw->what));
    set->sweep_percent = sw->percent;
    int npoints = (int)floor((sw->to - sw->from) / sw->step + 1e-9) + 1;
    for (int i = 0; i < npoints; i++) {
        double v = sw->from + i * sw->step;
        v = round(v * 1e12) / 1e12; /* 0.1 + 2 * 0.1 is 0.3 here */
        if (p.kind == RT_SET_ARROW_PROB && !arrows_fit(&p, m, v, err)) return false;
        char text[64];
        if (sw->percent) snprintf(text, sizeof text, "%.10g%%", v * 100);
        else snprintf(text, sizeof text, "%.10g%s", v, p.unit);
        RtSetting at = {p.kind, p.index, v};
        cmp_set_add(set, keep(set, xstrdup(text)), NULL, rt_compile_with(m, &at, 1), v);
    }
    return true;
}

/* ---- paired sums ----
 * Per customer, y = (x0, d): the journey's values x0 of the coordinates below and the differences
 * d = x1 - x0 a variant makes. Sums of y and of the products y_i y_j that some figure needs (the
 * set's Pairs) give every mean, variance and covariance of the changes' intervals; keeping d (not
 * x1) keeps the variance of a small difference free of cancellation. */
enum {
    C_CONV,       /* 1 if converted */
    C_LOST,       /* 1 if lost before converting */
    C_CUST_CHURN, /* 1 if churned after converting */
    C_CHURN,      /* 1 if churned, before or after converting */
    C_EXPOSURE,   /* days followed after converting */
    C_REVENUE,
    C_COST,
    C_ACQ,        /* acquisition cost */
    C_SERVE,      /* cost to serve */
    C_LTV,        /* revenue from the entry of conversion on */
    C_NPS_NET,    /* promoters - detractors: of its survey answers, or its own final mood as a customer */
    C_NPS_N,      /* its survey answers, or 1 as a customer */
    C_CONV_TIME,  /* its time to convert, when converted */
    NCOORD,
    DIM = 2 * NCOORD
};

/* How the interval of a figure's change is made (compare.h), from which coordinates. A ratio is
 * mean(num) / mean(den) times `scale` (NPS in points, monthly churn per 30 days). */
typedef enum { PAIRED_MEAN, PAIRED_RATIO, UNPAIRED_KM, NO_INTERVAL } Method;
typedef struct StatDef {
    Method method;
    int num, den;
    double scale;
} StatDef;

static const StatDef STATS[CMP_NMETRICS] = {
    [CMP_CONVERSION] = {PAIRED_MEAN, C_CONV, -1, 1},
    [CMP_LOST] = {PAIRED_MEAN, C_LOST, -1, 1},
    [CMP_TTC] = {PAIRED_RATIO, C_CONV_TIME, C_CONV, 1},
    [CMP_CUSTOMER_CHURN] = {PAIRED_RATIO, C_CUST_CHURN, C_CONV, 1},
    [CMP_MONTHLY_CHURN] = {PAIRED_RATIO, C_CUST_CHURN, C_EXPOSURE, 30},
    [CMP_RETENTION90] = {UNPAIRED_KM, -1, -1, 1},
    [CMP_ARPU] = {PAIRED_MEAN, C_REVENUE, -1, 1},
    [CMP_LTV] = {PAIRED_RATIO, C_LTV, C_CONV, 1},
    [CMP_CAC] = {PAIRED_RATIO, C_ACQ, C_CONV, 1},
    [CMP_COST_TO_SERVE] = {PAIRED_RATIO, C_SERVE, C_CONV, 1},
    [CMP_LTV_CAC] = {PAIRED_RATIO, C_LTV, C_ACQ, 1},
    [CMP_PAYBACK] = {NO_INTERVAL, -1, -1, 1},
    [CMP_NPS] = {PAIRED_RATIO, C_NPS_NET, C_NPS_N, 100},
    [CMP_COHORT_CHURN] = {PAIRED_MEAN, C_CHURN, -1, 1},
    [CMP_COST_PER_MEMBER] = {PAIRED_MEAN, C_COST, -1, 1},
    [CMP_COST_PER_CONVERSION] = {PAIRED_RATIO, C_COST, C_CONV, 1},
};

/* The products y_i y_j (i <= j) some figure's interval needs: of a mean, its x0 and d; of a
 * ratio, every pair of its numerator's and denominator's x0 and d. */
typedef struct Pairs {
    int n;
    unsigned char ij[DIM * (DIM + 1) / 2][2];
} Pairs;

static void pairs_needed(Pairs *p)
{
    bool need[DIM][DIM] = {{false}};
    for (int k = 0; k < CMP_NMETRICS; k++) {
        const StatDef *s = &STATS[k];
        int idx[4], n = 0;
        if (s->method == PAIRED_MEAN || s->method == PAIRED_RATIO) {
            idx[n++] = s->num;
            idx[n++] = NCOORD + s->num;
        }
        if (s->method == PAIRED_RATIO) {
            idx[n++] = s->den;
            idx[n++] = NCOORD + s->den;
        }
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                if (idx[a] <= idx[b]) need[idx[a]][idx[b]] = true;
    }
    p->n = 0;
    for (int i = 0; i < DIM; i++)
        for (int j = i; j < DIM; j++)
            if (need[i][j]) {
                p->ij[p->n][0] = (unsigned char)i;
                p->ij[p->n][1] = (unsigned char)j;
                p->n++;
            }
}

typedef struct Moments {
    double n;
    double s[DIM];
    double ss[DIM][DIM]; /* the Pairs' products only */
} Moments;

/* A customer's coordinates. `surveys`: its journey has NPS surveys, whose answers give the NPS
 * (else the customers' final mood does: kpi.h). */
static void outcome_values(const SimOutcome *o, bool surveys, double *x)
{
    x[C_CONV] = o->converted;
    x[C_LOST] = o->churned && !o->converted;
    x[C_CUST_CHURN] = o->churned && o->converted;
    x[C_CHURN] = o->churned;
    x[C_EXPOSURE] = o->converted ? o->exposure : 0;
    x[C_REVENUE] = o->revenue;
    x[C_COST] = o->cost;
    x[C_ACQ] = o->acq_cost;
    x[C_SERVE] = o->serve_cost;
    x[C_LTV] = o->ltv_revenue;
    if (surveys) {
        x[C_NPS_NET] = (double)o->nps_promoters - (double)o->nps_detractors;
        x[C_NPS_N] = o->nps_answers;
    } else {
        x[C_NPS_NET] = o->converted ? (double)o->promoter - (double)o->detractor : 0;
        x[C_NPS_N] = o->converted;
    }
    x[C_CONV_TIME] = o->converted ? o->conv_time : 0;
}

static void moments_add(Moments *m, const Pairs *p, const SimOutcome *base, bool base_surveys,
                        const SimOutcome *var, bool var_surveys)
{
    double y[DIM], x1[NCOORD];
    outcome_values(base, base_surveys, y);
    outcome_values(var, var_surveys, x1);
    for (int k = 0; k < NCOORD; k++) y[NCOORD + k] = x1[k] - y[k];
    m->n++;
    for (int i = 0; i < DIM; i++) m->s[i] += y[i];
    for (int q = 0; q < p->n; q++) m->ss[p->ij[q][0]][p->ij[q][1]] += y[p->ij[q][0]] * y[p->ij[q][1]];
}

static void moments_merge(Moments *into, const Moments *from, const Pairs *p)
{
    into->n += from->n;
    for (int i = 0; i < DIM; i++) into->s[i] += from->s[i];
    for (int q = 0; q < p->n; q++) into->ss[p->ij[q][0]][p->ij[q][1]] += from->ss[p->ij[q][0]][p->ij[q][1]];
}

/* Means and (sample) covariances, of the Pairs' coordinates. */
typedef struct Cov {
    double n;
    double mu[DIM];
    double c[DIM][DIM];
} Cov;

static void covariance(const Moments *m, const Pairs *p, Cov *c)
{
    memset(c, 0, sizeof *c);
    c->n = m->n;
    for (int i = 0; i < DIM; i++) c->mu[i] = m->n > 0 ? m->s[i] / m->n : NAN;
    for (int q = 0; q < p->n; q++) {
        int i = p->ij[q][0], j = p->ij[q][1];
        double v = m->n > 1 ? (m->ss[i][j] - m->n * c->mu[i] * c->mu[j]) / (m->n - 1) : 0;
        c->c[i][j] = c->c[j][i] = v;
    }
}

/* ---- each variant's own figures, summed as `cjm run` sums them ----
 * The figures of a run come from sums over its customers (sim.c); a variant's are summed here from
 * its customers' outcomes in the same order (customer by customer within a block, blocks in
 * order), so that they are the run's to the last bit: the journey's column is `cjm run`'s. */
#define SUMS_FIELDS(X)                                                                                 \
    X(converted) X(churned) X(customer_churned) X(completed_never) X(cust_promoters) X(cust_detractors)  \
    X(nps_answers) X(nps_promoters) X(nps_detractors) X(revenue) X(revenue_sq) X(cost) X(cost_sq)        \
    X(cost_conv) X(conv_time) X(exposure) X(acq_prospects) X(acq_prospects_sq) X(acq_conv) X(acq_conv_sq) \
    X(serve) X(serve_sq) X(ltv) X(ltv_sq) X(ltv_acq)
#define SUMS_MEMBER(name) double name;

typedef struct Sums {
    SUMS_FIELDS(SUMS_MEMBER)
    RtHist *fu_churn, *fu_censor; /* follow-up times at customer churn, and censored */
} Sums;

static void sums_init(Sums *s)
{
    memset(s, 0, sizeof *s);
    s->fu_churn = xcalloc(1, sizeof *s->fu_churn);
    s->fu_censor = xcalloc(1, sizeof *s->fu_censor);
    rt_hist_clear(s->fu_churn);
    rt_hist_clear(s->fu_censor);
}

static void sums_reset(Sums *s)
{
    RtHist *a = s->fu_churn, *b = s->fu_censor;
    memset(s, 0, sizeof *s);
    s->fu_churn = a;
    s->fu_censor = b;
    rt_hist_clear(a);
    rt_hist_clear(b);
}

static void sums_free(Sums *s)
{
    free(s->fu_churn);
    free(s->fu_censor);
}

static void sums_add(Sums *s, const SimOutcome *o)
{
    double x = o->acq_cost;
    s->revenue += o->revenue;
    s->revenue_sq += o->revenue * o->revenue;
    s->cost += o->cost;
    s->cost_sq += o->cost * o->cost;
    s->churned += o->churned;
    s->nps_answers += o->nps_answers;
    s->nps_promoters += o->nps_promoters;
    s->nps_detractors += o->nps_detractors;
    if (!o->converted) {
        s->acq_prospects += x;
        s->acq_prospects_sq += x * x;
        return;
    }
    double v = o->serve_cost, y = o->ltv_revenue;
    s->converted++;
    s->cost_conv += o->cost;
    s->conv_time += o->conv_time;
    s->exposure += o->exposure;
    if (o->churned) {
        s->customer_churned++;
        rt_hist_add(s->fu_churn, o->followup);
    } else if (isinf(o->followup)) {
        s->completed_never++;
    } else {
        rt_hist_add(s->fu_censor, o->followup);
    }
    s->cust_promoters += o->promoter;
    s->cust_detractors += o->detractor;
    s->acq_conv += x;
    s->acq_conv_sq += x * x;
    s->serve += v;
    s->serve_sq += v * v;
    s->ltv += y;
    s->ltv_sq += y * y;
    s->ltv_acq += y * x;
}

static void sums_merge(Sums *into, const Sums *from)
{
#define SUMS_ADD(name) into->name += from->name;
    SUMS_FIELDS(SUMS_ADD)
#undef SUMS_ADD
    rt_hist_merge(into->fu_churn, from->fu_churn);
    rt_hist_merge(into->fu_censor, from->fu_censor);
}

/* A run's figures from a variant's sums, as sim.c's fill_* make them: the headline's (rt_kpis);
 * CSAT, which compare does not compare, is left unknown. The sums' histograms become the run's. */
static RtResult *run_of_sums(const RtModel *rm, Sums *s, const SimOptions *o)
{
    RtResult *r = sim_result_new(rm, o);
    r->converted = s->converted;
    r->churned = s->churned;
    r->customer_churned = s->customer_churned;
    r->lost = r->churned - r->customer_churned;
    r->revenue = s->revenue;
    r->revenue_sq = s->revenue_sq;
    r->cost = s->cost;
    r->cost_sq = s->cost_sq;
    r->cost_conv = s->cost_conv;
    r->ttc_mean = r->converted > 0 ? s->conv_time / r->converted : NAN;
    r->exposure_days = s->exposure;
    r->followup_churn = s->fu_churn;
    r->followup_censor = s->fu_censor;
    s->fu_churn = s->fu_censor = NULL;
    r->followup_completed_never = s->completed_never;
    r->acq_cost = s->acq_prospects + s->acq_conv;
    r->acq_cost_sq = s->acq_prospects_sq + s->acq_conv_sq;
    r->acq_cost_conv = s->acq_conv;
    r->serve_cost = s->serve;
    r->serve_cost_sq = s->serve_sq;
    r->ltv_revenue = s->ltv;
    r->ltv_revenue_sq = s->ltv_sq;
    r->ltv_revenue_acq = s->ltv_acq;
    r->cust_promoters = s->cust_promoters;
    r->cust_detractors = s->cust_detractors;
    r->cust_score_n = r->converted;
    r->cust_csat_sum = r->cust_csat_sq = NAN;
    r->survey_nps_n = s->nps_answers;
    r->survey_promoters = s->nps_promoters;
    r->survey_detractors = s->nps_detractors;
    r->survey_csat_sum = r->survey_csat_sq = NAN;
    return r;
}

/* Revenue by day after conversion and the customers' follow-up windows (payback) of one chunk's
 * run, added to the variant's run. These are sums of a chunk's blocks added chunk by chunk: the
 * same as the run's to the last bit when the cohort is one chunk, and within rounding (which the
 * payback's comparison with CAC allows for) when it is more. */
static void add_payback_sums(RtResult *into, const RtResult *chunk)
{
    if (!chunk->revenue_after || !chunk->revenue_after_min) return;
    if (!into->revenue_after) {
        into->revenue_after = xcalloc(RT_HIST_BUCKETS, sizeof *into->revenue_after);
        into->revenue_after_min = xcalloc(RT_HIST_BUCKETS, sizeof *into->revenue_after_min);
        for (int b = 0; b < RT_HIST_BUCKETS; b++) into->revenue_after_min[b] = INFINITY;
    }
    for (int b = 0; b < RT_HIST_BUCKETS; b++) {
        into->revenue_after[b] += chunk->revenue_after[b];
        if (chunk->revenue_after_min[b] < into->revenue_after_min[b])
            into->revenue_after_min[b] = chunk->revenue_after_min[b];
    }
    if (chunk->followup_window) {
        if (!into->followup_window) {
            into->followup_window = xcalloc(1, sizeof *into->followup_window);
            rt_hist_clear(into->followup_window);
        }
        rt_hist_merge(into->followup_window, chunk->followup_window);
    }
}

/* ---- the figures and the intervals of their changes ---- */

/* Each figure's value and its own interval, as `cjm run` reports it (figures.def): rt_kpis, and
 * the whole cohort's figures of result.h. An exact analysis has no interval. */
static void figures_of(const RtResult *run, CmpStat *st)
{
    RtKpis k = rt_kpis(run);
    RtMoney money = rt_money(run);
    RtRate churn = rt_rate(run->churned, run->cohort, run->exact);
    int day90 = 0;
    while (day90 + 1 < RT_RETENTION_DAYS && rt_retention_days[day90] != 90) day90++;
    RtEstimate v[CMP_NMETRICS] = {
        [CMP_CONVERSION] = {k.converted.rate, k.converted.lo, k.converted.hi},
        [CMP_LOST] = {k.lost.rate, k.lost.lo, k.lost.hi},
        [CMP_TTC] = {run->ttc_mean, NAN, NAN}, /* its interval: paired_ratio's */
        [CMP_CUSTOMER_CHURN] = {k.customer_churn.rate, k.customer_churn.lo, k.customer_churn.hi},
        [CMP_MONTHLY_CHURN] = k.monthly_churn,
        [CMP_RETENTION90] = k.retention[day90],
        [CMP_ARPU] = k.arpu,
        [CMP_LTV] = k.ltv,
        [CMP_CAC] = k.cac,
        [CMP_COST_TO_SERVE] = k.cost_to_serve,
        [CMP_LTV_CAC] = k.ltv_cac,
        [CMP_PAYBACK] = {k.payback_days, NAN, NAN},
        [CMP_NPS] = k.nps,
        [CMP_COHORT_CHURN] = {churn.rate, churn.lo, churn.hi},
        [CMP_COST_PER_MEMBER] = money.cost,
        [CMP_COST_PER_CONVERSION] = money.cac,
    };
    for (int i = 0; i < CMP_NMETRICS; i++) {
        st[i].value = v[i].value;
        st[i].value_lo = run->exact ? NAN : v[i].lo;
        st[i].value_hi = run->exact ? NAN : v[i].hi;
    }
}

static double half_width(double variance, double n) { return variance > 0 && n > 0 ? Z95 * sqrt(variance / n) : 0; }

/* gᵀ C g over the coordinates idx. */
static double quadratic(const Cov *c, const int *idx, const double *g, int n)
{
    double q = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) q += g[i] * g[j] * c->c[idx[i]][idx[j]];
    return q > 0 ? q : 0;
}

/* Half-widths of 95% intervals: of a change, of the change independent runs of the same size would
 * measure, and of the variant's own value. NaN where there is none. */
typedef struct Widths {
    double change, independent, value;
} Widths;

static Widths paired_mean(const Cov *c, int k)
{
    int d = NCOORD + k;
    double var_base = c->c[k][k], var_change = c->c[d][d];
    double var_value = var_base + 2 * c->c[k][d] + var_change;
    return (Widths){half_width(var_change, c->n), half_width(var_base + var_value, c->n), half_width(var_value, c->n)};
}

/* A ratio of means, mean(num) / mean(den): each interval by the delta method, from the covariances
 * of the two coordinates in both variants. */
static Widths paired_ratio(const Cov *c, int num, int den)
{
    const int idx[4] = {num, den, NCOORD + num, NCOORD + den};
    double c0 = c->mu[idx[0]], v0 = c->mu[idx[1]], c1 = c0 + c->mu[idx[2]], v1 = v0 + c->mu[idx[3]];
    if (!(v0 > 0 && v1 > 0)) return (Widths){NAN, NAN, NAN};
    const double g_change[4] = {1 / v1 - 1 / v0, c0 / (v0 * v0) - c1 / (v1 * v1), 1 / v1, -c1 / (v1 * v1)};
    const double g_base[4] = {1 / v0, -c0 / (v0 * v0), 0, 0};
    const double g_value[4] = {1 / v1, -c1 / (v1 * v1), 1 / v1, -c1 / (v1 * v1)};
    double var_base = quadratic(c, idx, g_base, 4), var_value = quadratic(c, idx, g_value, 4);
    return (Widths){half_width(quadratic(c, idx, g_change, 4), c->n), half_width(var_base + var_value, c->n),
                    half_width(var_value, c->n)};
}

/* Kaplan-Meier retention at day 90 of two runs: their Greenwood variances added, as for independent
 * estimates. Common random numbers make the two estimates positively correlated, so this is wider
 * than the paired interval would be: it errs on the side of "not significant". */
static Widths unpaired_retention(const RtResult *base, const RtResult *var)
{
    double v0 = rt_customer_retention_variance(base, 90), v1 = rt_customer_retention_variance(var, 90);
    if (isnan(v0) || isnan(v1)) return (Widths){NAN, NAN, NAN};
    double h = Z95 * sqrt(v0 + v1);
    return (Widths){h, h, NAN};
}

/* The change of figure k from the journey's run to a variant's, with its interval: `c` the paired
 * sums' covariances (NULL in an exact analysis: no interval). */
static void change_of(CmpStat *st, CmpMetric k, const Cov *c, const RtResult *base, const RtResult *var)
{
    const StatDef *def = &STATS[k];
    st->change = st->value - st->base;
    Widths w = {NAN, NAN, NAN};
    if (c && def->method == PAIRED_MEAN) w = paired_mean(c, def->num);
    else if (c && def->method == PAIRED_RATIO) w = paired_ratio(c, def->num, def->den);
    else if (c && def->method == UNPAIRED_KM) w = unpaired_retention(base, var);
    bool known = isfinite(st->change) && isfinite(w.change);
    st->lo = known ? st->change - def->scale * w.change : NAN;
    st->hi = known ? st->change + def->scale * w.change : NAN;
    st->independent = known ? def->scale * w.independent : NAN;
    st->significant = st->lo > 0 || st->hi < 0;
    /* The mean time to convert has no interval in the run's report: the delta method's */
    if (k == CMP_TTC && c && isfinite(st->value) && isfinite(w.value)) {
        st->value_lo = st->value - w.value;
        st->value_hi = st->value + w.value;
    }
}

/* The journey's figures: its own values, no change. */
static void journey_stats(CmpResult *r, const Cov *c)
{
    figures_of(r->runs[0], r->base);
    for (int k = 0; k < CMP_NMETRICS; k++) {
        CmpStat *st = &r->base[k];
        st->base = st->value;
        st->change = 0;
        st->lo = st->hi = st->independent = NAN;
        st->significant = false;
        if (k == CMP_TTC && c && isfinite(st->value)) { /* the delta method's, as for the variants */
            Widths w = paired_ratio(c, C_CONV_TIME, C_CONV);
            st->value_lo = st->value - w.value;
            st->value_hi = st->value + w.value;
        }
    }
}

/* Variant i's figures against the journey's; `c` as for change_of. */
static void variant_stats(CmpResult *r, int i, const Cov *c)
{
    CmpStat *st = r->stats + (size_t)i * CMP_NMETRICS;
    figures_of(r->runs[1 + i], st);
    for (int k = 0; k < CMP_NMETRICS; k++) {
        st[k].base = r->base[k].value;
        change_of(&st[k], (CmpMetric)k, c, r->runs[0], r->runs[1 + i]);
    }
}

/* ---- simulated runs ---- */

/* What one block gives a variant: its paired sums with the journey, and its own sums. */
typedef struct Slot {
    Moments m;
    Sums own;
} Slot;

typedef struct Chunk {
    uint64_t first;        /* its first block */
    uint64_t nblocks;
    SimOutcome *base;      /* [CHUNK_BLOCKS * SIM_BLOCK]: the journey's customers */
    size_t nbase[CHUNK_BLOCKS];
    Slot *slots;           /* [CHUNK_BLOCKS]: the variant being run, block by block */
    const Pairs *pairs;
    bool base_surveys, var_surveys; /* the journey's and the variant's NPS come from surveys */
    uint64_t runs_done, runs;    /* runs of every chunk, for the progress reported */
    int reported;                /* the thousandths reported (progress.h) */
} Chunk;

static void run_done(Chunk *c, const CmpOptions *o)
{
    c->runs_done++;
    rt_progress_report(o->sim.progress, o->sim.progress_ctx, (double)c->runs_done / (double)c->runs, &c->reported);
}

static void keep_base(void *ctx, uint64_t b, const SimOutcome *o, size_t n)
{
    Chunk *c = ctx;
    memcpy(c->base + (b - c->first) * SIM_BLOCK, o, n * sizeof *o);
    c->nbase[b - c->first] = n;
}

static void pair_block(void *ctx, uint64_t b, const SimOutcome *o, size_t n)
{
    Chunk *c = ctx;
    Slot *slot = &c->slots[b - c->first];
    const SimOutcome *base = c->base + (b - c->first) * SIM_BLOCK;
    memset(&slot->m, 0, sizeof slot->m);
    sums_reset(&slot->own);
    for (size_t i = 0; i < n; i++) {
        moments_add(&slot->m, c->pairs, &base[i], c->base_surveys, &o[i], c->var_surveys);
        sums_add(&slot->own, &o[i]);
    }
}

/* Every customer of the chunk lost at the start: no conversion, no revenue, no opinion. */
static void pair_lost(Chunk *c)
{
    static const SimOutcome lost = {.churned = true};
    for (uint64_t b = 0; b < c->nblocks; b++) {
        Slot *slot = &c->slots[b];
        memset(&slot->m, 0, sizeof slot->m);
        sums_reset(&slot->own);
        for (size_t i = 0; i < c->nbase[b]; i++) {
            moments_add(&slot->m, c->pairs, &c->base[b * SIM_BLOCK + i], c->base_surveys, &lost, false);
            sums_add(&slot->own, &lost);
        }
    }
}

/* A variant's totals: its paired sums, its own sums, and its run (payback's sums so far). */
typedef struct Total {
    Moments m;
    Sums own;
    RtResult *run;
} Total;

static void add_slots(const Chunk *c, Total *t)
{
    for (uint64_t b = 0; b < c->nblocks; b++) {
        moments_merge(&t->m, &c->slots[b].m, c->pairs);
        sums_merge(&t->own, &c->slots[b].own);
    }
}

/* ---- run-time warnings ----
 * A variant's runs warn as `cjm run` would (customers with no way on, the step limit, ...). The
 * simulations of a variant are added up chunk by chunk, site by site; the messages are made once,
 * from the totals. */

static void add_warning(CmpResult *r, int variant, Loc loc, int kind, char *message)
{
    if ((r->nwarnings & (r->nwarnings - 1)) == 0)
        r->warnings = xrealloc(r->warnings, (size_t)(r->nwarnings ? r->nwarnings * 2 : 4) * sizeof *r->warnings);
    r->warnings[r->nwarnings++] = (CmpWarning){variant, loc, kind, message};
}

/* Adds one run's warning counts to a variant's tally (one count per site of its model). */
static void tally_warnings(double *tally, const RtResult *run)
{
    for (int i = 0; i < run->nwarnings; i++) tally[run->warnings[i].site] += run->warnings[i].count;
}

static void warnings_from_tally(CmpResult *r, int variant, const RtModel *rm, const double *tally, const CmpOptions *o)
{
    for (int s = 0; s < rm->nsites; s++)
        if (tally[s] > 0)
            add_warning(r, variant, rm->sites[s].loc, (int)rm->sites[s].kind,
                        rt_warning_text(rm, s, tally[s], false, o->sim.max_steps, o->sim.horizon));
}

static bool has_nps_survey(const RtModel *rm)
{
    for (int t = 0; rm && t < rm->ntouch; t++)
        if (rm->touch[t].survey == RT_SURVEY_NPS) return true;
    return false;
}

/* One run of a chunk (its outcomes go to so->sink), its warnings and payback's sums added to the
 * journey's or variant's totals. */
static bool run_one(const RtModel *rm, const SimOptions *so, Total *t, double *tally)
{
    RtResult *r = sim_run(rm, so);
    if (!r) return false;
    tally_warnings(tally, r);
    add_payback_sums(t->run, r);
    rt_result_free(r);
    return true;
}

/* One chunk: the journey, then each variant over the same customers. total[0] is the journey's
 * (paired with itself: its own sums), total[1 + i] variant i's. */
static bool run_chunk(const RtModel *base, const CmpSet *set, const CmpOptions *o, Chunk *c, Total *total,
                      double **tally)
{
    SimOptions so = o->sim;
    SimOutcomeSink sink = {keep_base, c};
    so.salt = 0;
    so.progress = NULL; /* the comparison reports its own */
    so.first_block = c->first;
    so.sink = &sink;
    uint64_t end = (c->first + c->nblocks) * SIM_BLOCK;
    so.cohort = end < o->sim.cohort ? end : o->sim.cohort;
    if (!run_one(base, &so, &total[0], tally[0])) return false;
    run_done(c, o);
    c->var_surveys = c->base_surveys;
    for (uint64_t b = 0; b < c->nblocks; b++) pair_block(c, c->first + b, c->base + b * SIM_BLOCK, c->nbase[b]);
    add_slots(c, &total[0]);
    sink.block_done = pair_block;
    for (int i = 0; i < set->n; i++) {
        c->var_surveys = has_nps_survey(set->v[i].rm);
        if (set->v[i].rm) {
            so.salt = o->independent ? (uint64_t)i + 1 : 0;
            if (!run_one(set->v[i].rm, &so, &total[1 + i], tally[1 + i])) return false;
        } else {
            pair_lost(c);
        }
        run_done(c, o);
        add_slots(c, &total[1 + i]);
    }
    return true;
}

static bool simulate(const RtModel *base, const CmpSet *set, const CmpOptions *o, CmpResult *r)
{
    Pairs *pairs = xcalloc(1, sizeof *pairs);
    pairs_needed(pairs);
    Total *total = xcalloc((size_t)set->n + 1, sizeof *total);
    double **tally = xcalloc((size_t)set->n + 1, sizeof *tally);
    for (int i = 0; i <= set->n; i++) {
        const RtModel *rm = i ? set->v[i - 1].rm : base;
        tally[i] = xcalloc(rm ? (size_t)rm->nsites + 1 : 1, sizeof **tally);
        sums_init(&total[i].own);
        total[i].run = rt_result_new(rm ? rm : base); /* payback's sums so far */
    }
    Chunk *c = xcalloc(1, sizeof *c);
    c->base = xcalloc((size_t)CHUNK_BLOCKS * SIM_BLOCK, sizeof *c->base);
    c->slots = xcalloc(CHUNK_BLOCKS, sizeof *c->slots);
    for (int b = 0; b < CHUNK_BLOCKS; b++) sums_init(&c->slots[b].own);
    c->pairs = pairs;
    c->base_surveys = has_nps_survey(base);
    uint64_t nblocks = (o->sim.cohort + SIM_BLOCK - 1) / SIM_BLOCK;
    c->runs = (nblocks + CHUNK_BLOCKS - 1) / CHUNK_BLOCKS * ((uint64_t)set->n + 1);
    c->reported = -1;
    bool ok = true;
    for (uint64_t first = 0; first < nblocks && ok; first += CHUNK_BLOCKS) {
        c->first = first;
        c->nblocks = nblocks - first < CHUNK_BLOCKS ? nblocks - first : CHUNK_BLOCKS;
        ok = run_chunk(base, set, o, c, total, tally);
    }
    if (ok) {
        for (int i = 0; i <= set->n; i++) {
            const RtModel *rm = i ? set->v[i - 1].rm : base;
            RtResult *run = run_of_sums(rm ? rm : base, &total[i].own, &o->sim);
            run->revenue_after = total[i].run->revenue_after;
            run->revenue_after_min = total[i].run->revenue_after_min;
            run->followup_window = total[i].run->followup_window;
            total[i].run->revenue_after = total[i].run->revenue_after_min = NULL;
            total[i].run->followup_window = NULL;
            r->runs[i] = run;
        }
        Cov *cov = xcalloc(1, sizeof *cov);
        covariance(&total[0].m, pairs, cov);
        journey_stats(r, cov);
        for (int i = 0; i < set->n; i++) {
            covariance(&total[1 + i].m, pairs, cov);
            variant_stats(r, i, cov);
        }
        free(cov);
        warnings_from_tally(r, -1, base, tally[0], o);
        for (int i = 0; i < set->n; i++)
            if (set->v[i].rm) warnings_from_tally(r, i, set->v[i].rm, tally[1 + i], o);
    }
    for (int i = 0; i <= set->n; i++) {
        free(tally[i]);
        sums_free(&total[i].own);
        rt_result_free(total[i].run);
    }
    for (int b = 0; b < CHUNK_BLOCKS; b++) sums_free(&c->slots[b].own);
    free(tally);
    free(c->slots);
    free(c->base);
    free(c);
    free(total);
    free(pairs);
    return ok;
}

/* ---- exact runs ---- */

/* The run of a variant whose every customer is lost at the start, beside the journey's. */
static RtResult *lost_at_start(const RtResult *journey)
{
    RtResult *x = rt_result_new(journey->rt);
    x->cohort = journey->cohort;
    x->seed = journey->seed;
    x->persona = journey->persona;
    x->exact = journey->exact;
    x->no_curves_reason = journey->no_curves_reason;
    x->churned = x->lost = x->cohort;
    return x;
}

/* The exact analysis of a model (NULL: everyone lost at the start, beside `journey`); NULL after
 * an error. */
static RtResult *exact_of(const RtModel *rm, const RtResult *journey, const CmpOptions *o, Diag *d, CmpResult *r,
                          int variant)
{
    if (!rm) return lost_at_start(journey);
    if (!exact_check(rm, d)) return NULL;
    ExactOptions eo = {(double)o->sim.cohort, o->sim.seed, false, 0, o->sim.persona};
    RtResult *x = exact_run(rm, &eo, d);
    if (!x) return NULL;
    for (int i = 0; i < x->nwarnings; i++)
        add_warning(r, variant, x->warnings[i].loc, x->warnings[i].kind, xstrdup(x->warnings[i].message));
    return x;
}

static bool solve(const RtModel *base, const CmpSet *set, const CmpOptions *o, Diag *d, CmpResult *r)
{
    r->runs[0] = exact_of(base, NULL, o, d, r, -1);
    if (!r->runs[0]) return false;
    journey_stats(r, NULL);
    for (int i = 0; i < set->n; i++) {
        r->runs[1 + i] = exact_of(set->v[i].rm, r->runs[0], o, d, r, i);
        if (!r->runs[1 + i]) return false;
        variant_stats(r, i, NULL);
    }
    return true;
}

/* ---- the comparison ---- */

/* The variants by conversion change, largest loss first (a stable insertion sort: sets are
 * small). */
static void order_by_conversion(CmpResult *r, int n)
{
    for (int i = 0; i < n; i++) {
        int v = r->order[i], j = i;
        double c = cmp_stat(r, v, CMP_CONVERSION)->change;
        while (j > 0 && cmp_stat(r, r->order[j - 1], CMP_CONVERSION)->change > c) {
            r->order[j] = r->order[j - 1];
            j--;
        }
        r->order[j] = v;
    }
}

CmpResult *cmp_run(const RtModel *base, const CmpSet *set, const CmpOptions *o, Diag *d)
{
    CmpResult *r = xcalloc(1, sizeof *r);
    r->set = set;
    r->cohort = (double)o->sim.cohort;
    r->seed = o->sim.seed;
    r->has_horizon = o->sim.has_horizon;
    r->horizon = o->sim.horizon;
    r->persona = o->sim.persona;
    r->exact = o->exact;
    r->independent = o->independent && !o->exact;
    r->stats = xcalloc((size_t)set->n * CMP_NMETRICS + 1, sizeof *r->stats);
    r->order = xcalloc((size_t)set->n + 1, sizeof *r->order);
    r->runs = xcalloc((size_t)set->n + 1, sizeof *r->runs);
    bool ok = o->exact ? solve(base, set, o, d, r) : simulate(base, set, o, r);
    if (!ok) {
        cmp_result_free(r);
        return NULL;
    }
    for (int i = 0; i < set->n; i++) r->order[i] = i;
    order_by_conversion(r, set->n);
    return r;
}

void cmp_result_free(CmpResult *r)
{
    if (!r) return;
    for (int i = 0; i < r->nwarnings; i++) free(r->warnings[i].message);
    for (int i = 0; r->runs && i <= r->set->n; i++) rt_result_free(r->runs[i]);
    free(r->runs);
    free(r->warnings);
    free(r->stats);
    free(r->order);
    free(r);
}
