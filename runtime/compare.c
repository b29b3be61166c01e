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
 * Per customer, y = (x0, d): the journey's values x0 of the per-customer coordinates and the
 * differences d = x1 - x0 a variant makes. The coordinates are the linear figures, then the
 * time to convert of a converted customer (0 for the others: the numerator of the mean time to
 * convert). Sums of y and of y y' give every mean, variance and covariance needed; keeping d
 * (not x1) keeps the variance of a small difference free of cancellation. */
enum { COORD_CONV_TIME = CMP_NLINEAR, NCOORD, DIM = 2 * NCOORD };

typedef struct Moments {
    double n;
    double s[DIM];
    double ss[DIM][DIM]; /* upper triangle (i <= j) */
} Moments;

static void outcome_values(const SimOutcome *o, double *x)
{
    x[CMP_CONVERSION] = o->converted;
    x[CMP_CHURN] = o->churned;
    x[CMP_RETENTION90] = !(o->churned && o->churn_time <= 90);
    x[CMP_REVENUE] = o->revenue;
    x[CMP_COST] = o->cost;
    x[CMP_NPS] = 100.0 * ((double)o->promoter - (double)o->detractor);
    x[COORD_CONV_TIME] = o->converted ? o->conv_time : 0;
}

static void moments_add(Moments *m, const SimOutcome *base, const SimOutcome *var)
{
    double y[DIM], x1[NCOORD];
    outcome_values(base, y);
    outcome_values(var, x1);
    for (int k = 0; k < NCOORD; k++) y[NCOORD + k] = x1[k] - y[k];
    m->n++;
    for (int i = 0; i < DIM; i++) {
        m->s[i] += y[i];
        for (int j = i; j < DIM; j++) m->ss[i][j] += y[i] * y[j];
    }
}

static void moments_merge(Moments *into, const Moments *from)
{
    into->n += from->n;
    for (int i = 0; i < DIM; i++) {
        into->s[i] += from->s[i];
        for (int j = i; j < DIM; j++) into->ss[i][j] += from->ss[i][j];
    }
}

/* Means and (sample) covariances. */
typedef struct Cov {
    double n;
    double mu[DIM];
    double c[DIM][DIM];
} Cov;

static void covariance(const Moments *m, Cov *c)
{
    c->n = m->n;
    for (int i = 0; i < DIM; i++) c->mu[i] = m->n > 0 ? m->s[i] / m->n : NAN;
    for (int i = 0; i < DIM; i++) {
        for (int j = i; j < DIM; j++) {
            double v = m->n > 1 ? (m->ss[i][j] - m->n * c->mu[i] * c->mu[j]) / (m->n - 1) : 0;
            c->c[i][j] = c->c[j][i] = v;
        }
    }
}

/* gᵀ C g over the coordinates idx. */
static double quadratic(const Cov *c, const int *idx, const double *g, int n)
{
    double q = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) q += g[i] * g[j] * c->c[idx[i]][idx[j]];
    return q > 0 ? q : 0;
}

static double half_width(double variance, double n) { return variance > 0 && n > 0 ? Z95 * sqrt(variance / n) : 0; }

static void finish_stat(CmpStat *st, double var_change, double var_base, double var_value, double n)
{
    st->change = st->value - st->base;
    double h = half_width(var_change, n), hv = half_width(var_value, n);
    st->lo = st->change - h;
    st->hi = st->change + h;
    st->value_lo = st->value - hv;
    st->value_hi = st->value + hv;
    st->independent = half_width(var_base + var_value, n);
    st->significant = st->lo > 0 || st->hi < 0;
}

static CmpStat linear_stat(const Cov *c, int k)
{
    int d = NCOORD + k;
    double var_base = c->c[k][k], var_change = c->c[d][d];
    double var_value = var_base + 2 * c->c[k][d] + var_change;
    CmpStat st = {0};
    st.base = c->mu[k];
    st.value = c->mu[k] + c->mu[d];
    finish_stat(&st, var_change, var_base, var_value, c->n);
    return st;
}

/* A ratio of means, mean(num) / mean(den): CAC (cost / conversion), the time to convert
 * (conversion time / conversion). Each interval by the delta method, from the covariances of the
 * two coordinates in both variants. */
static CmpStat ratio_stat(const Cov *c, int num, int den)
{
    const int idx[4] = {num, den, NCOORD + num, NCOORD + den};
    double c0 = c->mu[idx[0]], v0 = c->mu[idx[1]], c1 = c0 + c->mu[idx[2]], v1 = v0 + c->mu[idx[3]];
    CmpStat st = {0};
    st.base = v0 > 0 ? c0 / v0 : NAN;
    st.value = v1 > 0 ? c1 / v1 : NAN;
    if (!(v0 > 0 && v1 > 0)) {
        st.change = st.value - st.base;
        st.lo = st.hi = st.value_lo = st.value_hi = st.independent = NAN;
        return st;
    }
    const double g_change[4] = {1 / v1 - 1 / v0, c0 / (v0 * v0) - c1 / (v1 * v1), 1 / v1, -c1 / (v1 * v1)};
    const double g_base[4] = {1 / v0, -c0 / (v0 * v0), 0, 0};
    const double g_value[4] = {1 / v1, -c1 / (v1 * v1), 1 / v1, -c1 / (v1 * v1)};
    finish_stat(&st, quadratic(c, idx, g_change, 4), quadratic(c, idx, g_base, 4), quadratic(c, idx, g_value, 4), c->n);
    return st;
}

/* A share of customers (conversion, churn, retention at day 90) has, as its own interval, the
 * Wilson interval that `cjm run` gives it (result.h: rt_rate), so that the journey's column of a
 * comparison equals the run to the last digit, interval included; the interval of a change stays
 * the paired normal one. */
static void rate_value_interval(CmpStat *st, double n)
{
    RtRate x = rt_rate(st->value * n, n, false);
    st->value_lo = x.lo;
    st->value_hi = x.hi;
}

/* Retention as `cjm run` computes it (sim.c): 1 - churned by day 90 / n, not the mean of its own
 * indicator, retained / n. The two can differ in the last bit, and on a tie of the digits shown
 * (981 of 2000: 49.05%) that is a different last digit: the journey's column must read as the run. */
static double retention_as_run(double retained_share, double n)
{
    double churned = n - round(retained_share * n); /* the counts are whole: this is exact */
    return 1 - churned / n;
}

static void stats_of(const Moments *m, CmpStat *out)
{
    Cov c;
    covariance(m, &c);
    for (int k = 0; k < CMP_NLINEAR; k++) out[k] = linear_stat(&c, k);
    out[CMP_RETENTION90].base = retention_as_run(out[CMP_RETENTION90].base, c.n);
    out[CMP_RETENTION90].value = retention_as_run(out[CMP_RETENTION90].value, c.n);
    for (int k = CMP_CONVERSION; k <= CMP_RETENTION90; k++) rate_value_interval(&out[k], c.n);
    out[CMP_CAC] = ratio_stat(&c, CMP_COST, CMP_CONVERSION);
    out[CMP_TTC] = ratio_stat(&c, COORD_CONV_TIME, CMP_CONVERSION);
}

/* ---- simulated runs ---- */

typedef struct Chunk {
    uint64_t first;        /* its first block */
    uint64_t nblocks;
    SimOutcome *base;      /* [CHUNK_BLOCKS * SIM_BLOCK]: the journey's customers */
    size_t nbase[CHUNK_BLOCKS];
    Moments slots[CHUNK_BLOCKS]; /* the variant being run, block by block */
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
    Moments *m = &c->slots[b - c->first];
    const SimOutcome *base = c->base + (b - c->first) * SIM_BLOCK;
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < n; i++) moments_add(m, &base[i], &o[i]);
}

/* Every customer of the chunk lost at the start: no conversion, no revenue, no opinion. */
static void pair_lost(Chunk *c)
{
    static const SimOutcome lost = {.churned = true};
    for (uint64_t b = 0; b < c->nblocks; b++) {
        memset(&c->slots[b], 0, sizeof c->slots[b]);
        for (size_t i = 0; i < c->nbase[b]; i++) moments_add(&c->slots[b], &c->base[b * SIM_BLOCK + i], &lost);
    }
}

static void add_slots(const Chunk *c, Moments *total)
{
    for (uint64_t b = 0; b < c->nblocks; b++) moments_merge(total, &c->slots[b]);
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

/* One chunk: the journey, then each variant over the same customers. total[0] is the journey's
 * (paired with itself), total[1 + i] variant i's. */
static bool run_chunk(const RtModel *base, const CmpSet *set, const CmpOptions *o, Chunk *c, Moments *total,
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
    RtResult *r = sim_run(base, &so);
    if (!r) return false;
    tally_warnings(tally[0], r);
    rt_result_free(r);
    run_done(c, o);
    for (uint64_t b = 0; b < c->nblocks; b++) pair_block(c, c->first + b, c->base + b * SIM_BLOCK, c->nbase[b]);
    add_slots(c, &total[0]);
    sink.block_done = pair_block;
    for (int i = 0; i < set->n; i++) {
        if (set->v[i].rm) {
            so.salt = o->independent ? (uint64_t)i + 1 : 0;
            r = sim_run(set->v[i].rm, &so);
            if (!r) return false;
            tally_warnings(tally[1 + i], r);
            rt_result_free(r);
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
    Moments *total = xcalloc((size_t)set->n + 1, sizeof *total);
    double **tally = xcalloc((size_t)set->n + 1, sizeof *tally);
    for (int i = 0; i <= set->n; i++) {
        const RtModel *rm = i ? set->v[i - 1].rm : base;
        tally[i] = xcalloc(rm ? (size_t)rm->nsites + 1 : 1, sizeof **tally);
    }
    Chunk *c = xcalloc(1, sizeof *c);
    c->base = xcalloc((size_t)CHUNK_BLOCKS * SIM_BLOCK, sizeof *c->base);
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
        stats_of(&total[0], r->base);
        for (int i = 0; i < set->n; i++) stats_of(&total[1 + i], r->stats + (size_t)i * CMP_NMETRICS);
        warnings_from_tally(r, -1, base, tally[0], o);
        for (int i = 0; i < set->n; i++)
            if (set->v[i].rm) warnings_from_tally(r, i, set->v[i].rm, tally[1 + i], o);
    }
    for (int i = 0; i <= set->n; i++) free(tally[i]);
    free(tally);
    free(c->base);
    free(c);
    free(total);
    return ok;
}

/* ---- exact runs ---- */

static void exact_values(const RtResult *x, double n, double *v)
{
    v[CMP_CONVERSION] = x ? x->converted / n : 0;
    v[CMP_CHURN] = x ? x->churned / n : 1;
    v[CMP_RETENTION90] = NAN;
    v[CMP_REVENUE] = x ? x->revenue / n : 0;
    v[CMP_COST] = x ? x->cost / n : 0;
    v[CMP_NPS] = NAN;
    v[CMP_CAC] = x && x->converted > 0 ? x->cost / x->converted : NAN;
    v[CMP_TTC] = x && x->converted > 0 ? x->ttc_mean : NAN;
}

/* The exact figures of a model (NULL: everyone lost at the start); false after an error. */
static bool exact_of(const RtModel *rm, const CmpOptions *o, Diag *d, double *v, CmpResult *r, int variant)
{
    if (!rm) {
        exact_values(NULL, 1, v);
        return true;
    }
    if (!exact_check(rm, d)) return false;
    ExactOptions eo = {(double)o->sim.cohort, o->sim.seed, false, 0, o->sim.persona};
    RtResult *x = exact_run(rm, &eo, d);
    if (!x) return false;
    exact_values(x, (double)o->sim.cohort, v);
    for (int i = 0; i < x->nwarnings; i++)
        add_warning(r, variant, x->warnings[i].loc, x->warnings[i].kind, xstrdup(x->warnings[i].message));
    rt_result_free(x);
    return true;
}

static void exact_stat(CmpStat *st, double base, double value)
{
    *st = (CmpStat){base, value, value - base, value - base, value - base, value, value, NAN, false};
}

static bool solve(const RtModel *base, const CmpSet *set, const CmpOptions *o, Diag *d, CmpResult *r)
{
    double b[CMP_NMETRICS], v[CMP_NMETRICS];
    if (!exact_of(base, o, d, b, r, -1)) return false;
    for (int k = 0; k < CMP_NMETRICS; k++) exact_stat(&r->base[k], b[k], b[k]);
    for (int i = 0; i < set->n; i++) {
        if (!exact_of(set->v[i].rm, o, d, v, r, i)) return false;
        for (int k = 0; k < CMP_NMETRICS; k++) exact_stat(&r->stats[(size_t)i * CMP_NMETRICS + k], b[k], v[k]);
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
    free(r->warnings);
    free(r->stats);
    free(r->order);
    free(r);
}
