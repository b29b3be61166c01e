/* score.c: cjm score: the customers still inside the journey at the log's end, each scored from
 * simulated futures that resume its state (runtime's SimOptions.start), and, where the journey is
 * a Markov chain, its eventual chance to convert solved exactly; the CSV a CRM imports (score.h,
 * docs/scoring.md "Scoring customers"). It owns the grouping of customers into states, the sums
 * over one state's futures, the absorbing-chain solve and the CSV's rows and order. */
#include "score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "exact.h"
#include "sim.h"

enum { SCORE_DEFAULT_FUTURES = 10000 };
#define SCORE_HORIZON 365.0 /* days of future simulated: the revenue's window */

/* ---- states ---- */

/* What the futures of a customer depend on: its stage, persona, visit of the stage and (for a
 * wait with memory) its time in it, rounded to a grid. */
typedef struct ScoreKey {
    int stage, persona, visits;
    double elapsed;
} ScoreKey;

/* The figures of one state's futures. */
typedef struct ScoreSums {
    double n, conv30, conv90, churn30, churn90, revenue, revenue_sq;
} ScoreSums;

typedef struct ScoreRow {
    const FitCase *c;
    ScoreKey key;
    int state;          /* index into the states' sums */
    double elapsed;     /* its own, unrounded */
    double churn90, churn30;
} ScoreRow;

/* A wait's rest does not depend on the time already spent in it (exponential: memoryless; no
 * wait: nothing left): such a stage's customers share one state whatever their time in it. */
static bool memoryless(const RtWait *w) { return w->kind == RT_WAIT_EXP || w->kind == RT_WAIT_NONE; }

/* Elapsed days on the grid of states: whole hours below a day, then steps of 5% (so a state's
 * futures stand for customers within 2.5% of its time). */
static double round_elapsed(double e)
{
    if (!(e > 0)) return 0;
    if (e < 1) return round(e * 24) / 24;
    return pow(1.05, round(log(e) / log(1.05)));
}

static int key_cmp(const ScoreKey *a, const ScoreKey *b)
{
    if (a->stage != b->stage) return a->stage < b->stage ? -1 : 1;
    if (a->persona != b->persona) return a->persona < b->persona ? -1 : 1;
    if (a->visits != b->visits) return a->visits < b->visits ? -1 : 1;
    if (a->elapsed != b->elapsed) return a->elapsed < b->elapsed ? -1 : 1;
    return 0;
}

static int row_key_cmp(const void *a, const void *b)
{
    return key_cmp(&((const ScoreRow *)a)->key, &((const ScoreRow *)b)->key);
}

/* ---- one state's futures ---- */

/* The sink's sums, one slot per block, added in block order afterwards: the same floating-point
 * sums for every number of threads (blocks arrive in any order, each into its own slot). */
typedef struct FutureSink {
    ScoreSums *block;
    uint64_t nblocks;
} FutureSink;

static void future_block_done(void *ctx, uint64_t b, const SimOutcome *out, size_t n)
{
    FutureSink *fs = ctx;
    ScoreSums s = {0};
    for (size_t i = 0; i < n; i++) {
        const SimOutcome *o = &out[i];
        s.n++;
        s.conv30 += o->converted && o->conv_time <= 30;
        s.conv90 += o->converted && o->conv_time <= 90;
        s.churn30 += o->churned && o->churn_time <= 30;
        s.churn90 += o->churned && o->churn_time <= 90;
        s.revenue += o->revenue;
        s.revenue_sq += o->revenue * o->revenue;
    }
    if (b < fs->nblocks) fs->block[b] = s;
}

static ScoreSums simulate_state(const RtModel *rm, const ScoreKey *k, bool converted, const ScoreOptions *o)
{
    uint64_t futures = o->futures ? o->futures : SCORE_DEFAULT_FUTURES;
    FutureSink fs = {NULL, (futures + SIM_BLOCK - 1) / SIM_BLOCK};
    fs.block = xcalloc(fs.nblocks, sizeof *fs.block);
    SimOutcomeSink sink = {future_block_done, &fs};
    SimStart start = {k->stage, k->visits, k->elapsed, converted};
    SimOptions so;
    memset(&so, 0, sizeof so);
    so.cohort = futures;
    so.seed = o->seed;
    so.has_horizon = true;
    so.horizon = SCORE_HORIZON;
    so.threads = o->threads < 1 ? 1 : o->threads;
    so.persona = k->persona;
    so.max_steps = SIM_DEFAULT_MAX_STEPS;
    so.sink = &sink;
    so.start = &start;
    RtResult *r = sim_run(rm, &so);
    rt_result_free(r);
    ScoreSums t = {0};
    for (uint64_t b = 0; b < fs.nblocks; b++) {
        t.n += fs.block[b].n;
        t.conv30 += fs.block[b].conv30;
        t.conv90 += fs.block[b].conv90;
        t.churn30 += fs.block[b].churn30;
        t.churn90 += fs.block[b].churn90;
        t.revenue += fs.block[b].revenue;
        t.revenue_sq += fs.block[b].revenue_sq;
    }
    free(fs.block);
    return t;
}

/* ---- the eventual chance to convert: the absorbing chain, per persona ---- */

/* x[s] = P(ever entering a goal stage | in s, persona p) for a journey exact_check() accepts:
 * goal stages 1, churn and completing 0, x = Q x + b solved by Gaussian elimination with partial
 * pivoting over the other stages. A stage customers can never leave makes the system singular:
 * x is NaN there (exact_run refuses such a journey too). */
static void conversion_chain(const RtModel *rm, int p, double *x)
{
    int n = rm->nstages;
    double *A = xcalloc((size_t)n * (size_t)(n + 1), sizeof *A); /* [n][n + 1]: (I - Q | b) */
    double *stack = xcalloc((size_t)rm->max_stack + 1, sizeof *stack);
    RtVisits *visits = xcalloc((size_t)n + 1, sizeof *visits);
    int maxa = 1;
    for (int s = 0; s < n; s++) maxa = rm->stages[s].narrows > maxa ? rm->stages[s].narrows : maxa;
    double *prob = xcalloc((size_t)maxa, sizeof *prob);
    for (int s = 0; s < n; s++) {
        double *row = A + (size_t)s * (size_t)(n + 1);
        row[s] = 1;
        if (rm->stages[s].goal) {
            row[n] = 1;
            continue;
        }
        RtCtx c;
        memset(&c, 0, sizeof c);
        c.persona = p;
        c.stage = s;
        c.traits = rm->traits + (size_t)p * (size_t)rm->ntraits;
        c.visits = visits;
        c.gen = 1;
        c.curve = rm->curve[(size_t)p * (size_t)n + (size_t)s];
        RtChoice ch;
        rt_stage_probs(rm, s, &c, stack, prob, &ch);
        const RtStage *st = &rm->stages[s];
        for (int i = 0; i < st->narrows; i++) {
            int t = rm->arrows[st->first_arrow + i].target;
            if (t >= 0) row[t] -= prob[i];
        }
        if (ch.other >= 0 && ch.leftover > 0) {
            int t = rm->arrows[ch.other].target;
            if (t >= 0) row[t] -= ch.leftover;
        }
    }
    bool singular = false;
    for (int col = 0; col < n && !singular; col++) {
        int piv = col;
        for (int r = col + 1; r < n; r++)
            if (fabs(A[(size_t)r * (size_t)(n + 1) + (size_t)col]) > fabs(A[(size_t)piv * (size_t)(n + 1) + (size_t)col]))
                piv = r;
        if (fabs(A[(size_t)piv * (size_t)(n + 1) + (size_t)col]) < 1e-12) {
            singular = true;
            break;
        }
        if (piv != col)
            for (int j = 0; j <= n; j++) {
                double tmp = A[(size_t)col * (size_t)(n + 1) + (size_t)j];
                A[(size_t)col * (size_t)(n + 1) + (size_t)j] = A[(size_t)piv * (size_t)(n + 1) + (size_t)j];
                A[(size_t)piv * (size_t)(n + 1) + (size_t)j] = tmp;
            }
        for (int r = 0; r < n; r++) {
            if (r == col) continue;
            double f = A[(size_t)r * (size_t)(n + 1) + (size_t)col] / A[(size_t)col * (size_t)(n + 1) + (size_t)col];
            if (f == 0) continue;
            for (int j = col; j <= n; j++)
                A[(size_t)r * (size_t)(n + 1) + (size_t)j] -= f * A[(size_t)col * (size_t)(n + 1) + (size_t)j];
        }
    }
    for (int s = 0; s < n; s++) {
        double v = A[(size_t)s * (size_t)(n + 1) + (size_t)n] / A[(size_t)s * (size_t)(n + 1) + (size_t)s];
        x[s] = singular ? NAN : v < 0 ? 0 : v > 1 ? 1 : v;
    }
    free(A);
    free(stack);
    free(visits);
    free(prob);
}

/* [npersonas + 1][nstages]: per persona, and last the mix by share (a customer of unknown
 * persona); NULL when the journey is not a Markov chain (exact_check refuses it). */
static double *eventual_conversion(const RtModel *rm)
{
    Diag quiet;
    diag_init(&quiet, &rm->model->program->sources, NULL, false);
    bool chain = exact_check(rm, &quiet);
    diag_free(&quiet);
    if (!chain || rm->nstages == 0) return NULL;
    size_t ns = (size_t)rm->nstages, np = (size_t)rm->npersonas;
    double *x = xcalloc((np + 1) * ns, sizeof *x);
    for (size_t p = 0; p < np; p++) {
        conversion_chain(rm, (int)p, x + p * ns);
        for (size_t s = 0; s < ns; s++) x[np * ns + s] += rm->persona_share[p] * x[p * ns + s];
    }
    return x;
}

/* ---- the CSV ---- */

static void put_field(Buf *b, const char *s, size_t len)
{
    bool quote = false;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = true;
    if (!quote) {
        buf_add(b, s, len);
        return;
    }
    buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') buf_putc(b, '"');
        buf_putc(b, s[i]);
    }
    buf_putc(b, '"');
}

static void put_name(Buf *b, const char *s) { put_field(b, s, strlen(s)); }

/* A share k / n of the futures with its Wilson 95% interval. */
static void put_share(Buf *b, double k, double n)
{
    const double z = 1.959963984540054;
    double p = k / n, z2n = z * z / n;
    double mid = (p + z2n / 2) / (1 + z2n);
    double half = z * sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n);
    double lo = mid - half, hi = mid + half;
    buf_printf(b, ",%.4f,%.4f,%.4f", p, lo < 0 ? 0 : lo, hi > 1 ? 1 : hi);
}

static const char SCORE_HEADER[] =
    "customer,stage,persona,days_in_stage,visits,converted,"
    "convert_30d,convert_30d_lo,convert_30d_hi,convert_90d,convert_90d_lo,convert_90d_hi,"
    "convert_eventually,convert_eventually_from,"
    "churn_30d,churn_30d_lo,churn_30d_hi,churn_90d,churn_90d_lo,churn_90d_hi,"
    "revenue_365d,revenue_365d_lo,revenue_365d_hi,futures\n";

static void put_row(Buf *b, const Model *m, const ScoreRow *r, const ScoreSums *s, const double *eventual)
{
    const FitCase *c = r->c;
    put_field(b, c->id.s ? c->id.s : "", c->id.s ? c->id.len : 0);
    buf_putc(b, ',');
    put_name(b, m->stages[c->stage]->name.s);
    buf_putc(b, ',');
    if (c->persona >= 0) put_name(b, m->personas[c->persona]->name.s);
    buf_printf(b, ",%.2f,%d,%d", r->elapsed, c->visits_here, c->converted ? 1 : 0);
    if (c->converted) {
        buf_puts(b, ",1,,,1,,,1,converted");
    } else {
        put_share(b, s->conv30, s->n);
        put_share(b, s->conv90, s->n);
        if (eventual) {
            size_t np = (size_t)m->npersonas, ns = (size_t)m->nstages;
            double x = eventual[(c->persona >= 0 ? (size_t)c->persona : np) * ns + (size_t)c->stage];
            if (isnan(x)) buf_puts(b, ",,none");
            else buf_printf(b, ",%.4f,exact", x);
        } else {
            buf_puts(b, ",,none");
        }
    }
    put_share(b, s->churn30, s->n);
    put_share(b, s->churn90, s->n);
    double mean = s->revenue / s->n;
    double var = s->n > 1 ? (s->revenue_sq - s->n * mean * mean) / (s->n - 1) : 0;
    double half = 1.959963984540054 * sqrt(var > 0 ? var / s->n : 0);
    buf_printf(b, ",%.2f,%.2f,%.2f,%.0f\n", mean, mean - half, mean + half, s->n);
}

/* Churn risk (90 days, then 30) descending, then the customer's id. */
static int risk_cmp(const void *pa, const void *pb)
{
    const ScoreRow *a = pa, *b = pb;
    if (a->churn90 != b->churn90) return a->churn90 > b->churn90 ? -1 : 1;
    if (a->churn30 != b->churn30) return a->churn30 > b->churn30 ? -1 : 1;
    size_t la = a->c->id.s ? a->c->id.len : 0, lb = b->c->id.s ? b->c->id.len : 0;
    int d = la && lb ? memcmp(a->c->id.s, b->c->id.s, la < lb ? la : lb) : 0;
    if (d) return d;
    return la < lb ? -1 : la > lb;
}

static bool active(const FitCase *c) { return c->stage >= 0 && !c->churned && !c->completed; }

int fit_score(const Model *m, const RtModel *rm, const FitCase *cases, size_t n, const ScoreOptions *o, Buf *csv,
              char **error)
{
    *error = NULL;
    double now = o->log_end;
    if (!(now > 0)) {
        now = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (cases[i].last_event > now) now = cases[i].last_event;
    }
    size_t nrows = 0;
    for (size_t i = 0; i < n; i++) {
        if (!active(&cases[i])) continue;
        if (cases[i].stage >= rm->nstages || cases[i].persona >= rm->npersonas) {
            *error = xstrdup("cjm score: a case is in a stage or persona the journey does not have");
            return -1;
        }
        nrows++;
    }
    ScoreRow *rows = xcalloc(nrows + 1, sizeof *rows);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const FitCase *c = &cases[i];
        if (!active(c)) continue;
        ScoreRow *r = &rows[k++];
        r->c = c;
        r->elapsed = now - c->entered > 0 ? now - c->entered : 0;
        r->key.stage = c->stage;
        r->key.persona = c->persona;
        r->key.visits = c->visits_here > 1 ? c->visits_here : 1;
        r->key.elapsed = memoryless(&rm->stages[c->stage].wait) ? 0 : round_elapsed(r->elapsed);
    }
    /* States: one simulation per distinct key and converted flag (a customer converted earlier
     * cannot convert again, so its futures differ). */
    qsort(rows, nrows, sizeof *rows, row_key_cmp);
    ScoreSums *sums = xcalloc(2 * nrows + 1, sizeof *sums);
    int nstates = 0;
    for (size_t i = 0; i < nrows;) {
        size_t j = i;
        while (j < nrows && key_cmp(&rows[j].key, &rows[i].key) == 0) j++;
        for (int conv = 0; conv < 2; conv++) {
            bool any = false;
            for (size_t q = i; q < j; q++)
                if (rows[q].c->converted == (bool)conv) {
                    rows[q].state = nstates;
                    any = true;
                }
            if (any) sums[nstates++] = simulate_state(rm, &rows[i].key, conv, o);
        }
        i = j;
    }
    for (size_t i = 0; i < nrows; i++) {
        const ScoreSums *s = &sums[rows[i].state];
        rows[i].churn90 = s->churn90 / s->n;
        rows[i].churn30 = s->churn30 / s->n;
    }
    qsort(rows, nrows, sizeof *rows, risk_cmp);
    double *eventual = eventual_conversion(rm);
    buf_puts(csv, SCORE_HEADER);
    for (size_t i = 0; i < nrows; i++) put_row(csv, m, &rows[i], &sums[rows[i].state], eventual);
    free(eventual);
    free(sums);
    free(rows);
    return 0;
}
