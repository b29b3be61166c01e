/* sim.c: the customer loop of docs/semantics.md with the keyed random streams of each customer,
 * block accumulators, the worker threads and their in-order merge, the progress bar, and the
 * outcomes handed to a sink (cjm compare) (see sim.h). It owns the per-thread scratch state of the
 * customer being simulated; it never changes the RtModel. */
#include "sim.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "hist.h"

/* ---- accumulators ----
 * One block's figures: integer counters in `u`, floating-point sums in `f`, and the histograms of
 * times to convert and of churn times. Layout gives each figure's offset; every accumulator of a
 * run shares it. */
typedef struct Layout {
    uint32_t customers, converted, churned, completed, active; /* [npersonas] each */
    uint32_t entries;                                           /* [npersonas * nstages] */
    uint32_t reached, conv_at, churned_at, completed_at, active_at; /* [nstages] each */
    uint32_t exits;                                             /* [narrows] */
    uint32_t rule_exits;                                        /* [nexit_slots * nstages] */
    uint32_t tp_reached, tp_meet, tp_conv;                      /* [ntouch] each */
    uint32_t ch_reached, ch_conv;                               /* [nchannels] each */
    uint32_t churn_by;                                          /* [3]: day 7, 30, 90 */
    uint32_t promoters, detractors, steps;
    uint32_t warn;                                              /* [nsites] */
    uint32_t nu;
    uint32_t mood_sum;                                          /* [npersonas * nstages] */
    uint32_t revenue, revenue_sq, cost, cost_sq, cost_conv, conv_time, csat;
    uint32_t nf;
} Layout;

typedef struct Acc {
    uint64_t *u;
    double *f;
    RtHist hist;              /* times to convert */
    RtHist churn;             /* churn times (the retention curve) */
} Acc;

/* Offsets are 32-bit on purpose: the counters are uint64_t, and a size_t offset (the same type)
 * would have to be reloaded after every counter increment, as the store might have changed it. */
static Layout make_layout(const RtModel *m)
{
    Layout L;
    uint32_t np = (uint32_t)m->npersonas, ns = (uint32_t)m->nstages, n = 0;
    L.customers = n, n += np;
    L.converted = n, n += np;
    L.churned = n, n += np;
    L.completed = n, n += np;
    L.active = n, n += np;
    L.entries = n, n += np * ns;
    L.reached = n, n += ns;
    L.conv_at = n, n += ns;
    L.churned_at = n, n += ns;
    L.completed_at = n, n += ns;
    L.active_at = n, n += ns;
    L.exits = n, n += (uint32_t)m->narrows;
    L.rule_exits = n, n += (uint32_t)m->nexit_slots * ns;
    L.tp_reached = n, n += (uint32_t)m->ntouch;
    L.tp_meet = n, n += (uint32_t)m->ntouch;
    L.tp_conv = n, n += (uint32_t)m->ntouch;
    L.ch_reached = n, n += (uint32_t)m->nchannels;
    L.ch_conv = n, n += (uint32_t)m->nchannels;
    L.churn_by = n, n += 3;
    L.promoters = n++;
    L.detractors = n++;
    L.steps = n++;
    L.warn = n, n += (uint32_t)m->nsites;
    L.nu = n;
    n = 0;
    L.mood_sum = n, n += np * ns;
    L.revenue = n++;
    L.revenue_sq = n++;
    L.cost = n++;
    L.cost_sq = n++;
    L.cost_conv = n++;
    L.conv_time = n++;
    L.csat = n++;
    L.nf = n;
    return L;
}

static Acc *acc_new(const Layout *L)
{
    Acc *a = xcalloc(1, sizeof *a);
    a->u = xcalloc(L->nu, sizeof *a->u);
    a->f = xcalloc(L->nf, sizeof *a->f);
    rt_hist_clear(&a->hist);
    rt_hist_clear(&a->churn);
    return a;
}

static void acc_free(Acc *a)
{
    if (!a) return;
    free(a->u);
    free(a->f);
    free(a);
}

static void acc_clear(Acc *a, const Layout *L)
{
    memset(a->u, 0, L->nu * sizeof *a->u);
    memset(a->f, 0, L->nf * sizeof *a->f);
    rt_hist_clear(&a->hist);
    rt_hist_clear(&a->churn);
}

static void acc_merge(Acc *into, const Acc *from, const Layout *L)
{
    for (size_t i = 0; i < L->nu; i++) into->u[i] += from->u[i];
    for (size_t i = 0; i < L->nf; i++) into->f[i] += from->f[i];
    rt_hist_merge(&into->hist, &from->hist);
    rt_hist_merge(&into->churn, &from->churn);
}

/* ---- the shared state of a run ---- */
typedef struct Shared {
    const RtModel *m;
    const SimOptions *o;
    Layout L;
    uint64_t nblocks, next_block, merged;
    uint64_t window;          /* blocks taken but not merged, at most */
    Acc **pending;            /* [window]: finished blocks waiting for their turn, by block % window */
    Acc **pool;               /* [window]: free accumulators */
    uint64_t npool;
    Acc *total;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    double t0, last_draw;     /* progress bar */
    bool drawn;
} Shared;

/* The state of one worker and of the customer it is simulating. */
typedef struct Worker {
    Shared *sh;
    const RtModel *m;
    Layout L;                 /* copies: the Shared struct's cache lines are written under the lock */
    SimOptions o;
    RtRng rng;
    RtVisits *visits;         /* [nstages]: visits of the current customer (see eval.h) */
    uint32_t gen;             /* the current customer's number, for `visits` */
    uint8_t *tp_met, *ch_met; /* touchpoints and channels met by the current customer */
    int *tp_list, *ch_list;
    int ntp, nch;
    double *stack, *prob;     /* expression stack, probabilities of one stage's arrows */
    uint64_t *u;              /* the accumulator of the block being simulated */
    double *f;
    RtHist *hist, *churn_hist;
    uint64_t run_key;         /* the key of (seed, salt), from which each customer's comes */
    uint64_t *stage_key;      /* [nstages]: RtStage.crn_key, packed: one load less before each move */
    SimOutcome *out;          /* [SIM_BLOCK] when outcomes go to a sink: the block's customers */
    size_t nout;
} Worker;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- one customer ---- */

enum { END_CHURNED, END_COMPLETED, END_ACTIVE };
enum { RULES_GO_ON, RULES_GOTO, RULES_CHURN };

static inline int draw_persona(const RtModel *m, uint64_t u)
{
    if (m->npersonas == 1) return 0;
    int p = m->persona_guide[u >> (53 - RT_GUIDE_BITS)]; /* the first persona this range can be */
    while (u >= m->persona_thr[p]) p++;
    return p;
}

static void first_meeting(Worker *w, int k)
{
    const Layout *L = &w->L;
    w->tp_met[k] = 1;
    w->tp_list[w->ntp++] = k;
    w->u[L->tp_reached + (size_t)k]++;
    int ch = w->m->touch[k].channel;
    if (ch >= 0 && !w->ch_met[ch]) {
        w->ch_met[ch] = 1;
        w->ch_list[w->nch++] = ch;
        w->u[L->ch_reached + (size_t)ch]++;
    }
}

/* Meets touchpoint k with probability reach: its emotion and cost are the customer's. */
static inline void meet(Worker *w, RtCtx *c, int k)
{
    const RtTouch *t = &w->m->touch[k];
    if (t->reach_thr != RT_U53_ALWAYS && rt_u53(&w->rng) >= t->reach_thr) return;
    w->u[w->L.tp_meet + (size_t)k]++;
    if (!w->tp_met[k]) first_meeting(w, k);
    c->experience += t->emotion;
    c->cost += t->cost;
}

static double eval(Worker *w, const RtExpr *e, const RtCtx *c)
{
    return rt_eval(e, w->m->code, c, w->stack);
}

/* Whether an action with `with P` happens this time (P NaN counts as 0 and is reported). */
static bool action_happens(Worker *w, const RtAction *a, const RtCtx *c)
{
    if (a->with.kind == RT_EXPR_NONE) return true;
    double p = eval(w, &a->with, c);
    if (isnan(p)) {
        w->u[w->L.warn + (size_t)a->site_nan_with]++;
        return false;
    }
    if (p >= 1) return true;
    if (p <= 0) return false;
    return rt_u53(&w->rng) < rt_threshold(p);
}

/* Does one action; returns RULES_GOTO or RULES_CHURN when it ends the entry. */
static int do_action(Worker *w, const RtAction *a, RtCtx *c, int *next)
{
    const Layout *L = &w->L;
    double v = 0;
    switch (a->kind) {
    case ACT_TOUCH: meet(w, c, a->target); return RULES_GO_ON;
    case ACT_GOTO:
    case ACT_CHURN:
        w->u[L->rule_exits + (size_t)a->exit_slot * (size_t)w->m->nstages + (size_t)c->stage]++;
        *next = a->kind == ACT_GOTO ? a->target : RT_CHURN;
        return a->kind == ACT_GOTO ? RULES_GOTO : RULES_CHURN;
    default: break;
    }
    v = eval(w, &a->value, c);
    if (isnan(v)) {
        w->u[L->warn + (size_t)a->site_nan_value]++;
        return RULES_GO_ON;
    }
    switch (a->kind) {
    case ACT_MOOD_ADD: c->experience += v; break;
    case ACT_MOOD_SUB: c->experience -= v; break;
    case ACT_MOOD_SET: c->experience = v - c->curve; break;
    case ACT_REVENUE_ADD: c->revenue += v; break;
    case ACT_COST_ADD: c->cost += v; break;
    default: break;
    }
    return RULES_GO_ON;
}

/* Whether a rule's conjuncts that depend on the customer all hold (see RtRule). */
static bool conjuncts_hold(Worker *w, const RtRule *r, const RtCtx *c)
{
    for (int k = 0; k < r->nconj; k++)
        if (eval(w, &w->m->conj[r->first_conj + k], c) == 0) return false;
    return true;
}

/* Runs the rules that may fire for this (persona, stage), in written order. */
static int run_rules(Worker *w, RtCtx *c, const int32_t *list, int n, int *next)
{
    const RtModel *m = w->m;
    for (int i = 0; i < n; i++) {
        const RtRule *r = &m->rules[list[i] >> 1];
        if ((list[i] & 1) && !conjuncts_hold(w, r, c)) continue;
        for (int k = 0; k < r->nactions; k++) {
            const RtAction *a = &m->actions[r->first_action + k];
            if (!action_happens(w, a, c)) continue;
            int how = do_action(w, a, c, next);
            if (how != RULES_GO_ON) return how;
        }
    }
    return RULES_GO_ON;
}

/* The next move of a stage whose arrows depend on the customer: the same walk over cumulative
 * thresholds as a precomputed RtPick table. */
static int choose_dynamic(Worker *w, const RtCtx *c, int s, uint64_t u53)
{
    const RtModel *m = w->m;
    const RtStage *st = &m->stages[s];
    RtChoice ch;
    rt_stage_probs(m, s, c, w->stack, w->prob, &ch);
    if (ch.overfull) w->u[w->L.warn + (size_t)st->site_overfull]++;
    if (ch.nan_site >= 0) w->u[w->L.warn + (size_t)ch.nan_site]++;
    double u = (double)u53 * (1.0 / RT_ONE53), cum = 0; /* exact: u has 53 bits */
    int last = -1;
    for (int i = 0; i < st->narrows; i++) {
        if (w->prob[i] <= 0) continue;
        cum += w->prob[i];
        last = i;
        if (u < cum) return st->first_arrow + i;
    }
    if (ch.leftover > 0) return ch.other >= 0 ? ch.other : RT_NOWAY;
    return last >= 0 ? st->first_arrow + last : RT_NOWAY;
}

/* What one customer's life ended as. */
typedef struct Life {
    int outcome;      /* END_CHURNED, END_COMPLETED or END_ACTIVE */
    int last;         /* the last stage entered */
    bool converted;
    double conv_time, churn_time;
    uint64_t steps;
} Life;

/* Everything counted once per customer, at the end of its life; then the scratch state is reset. */
static void end_customer(Worker *w, const RtCtx *c, const Life *life)
{
    const Layout *L = &w->L;
    uint64_t *u = w->u;
    double *f = w->f;
    size_t p = (size_t)c->persona, last = (size_t)life->last;
    u[L->customers + p]++;
    if (life->outcome == END_CHURNED) {
        u[L->churned + p]++;
        u[L->churned_at + last]++;
        u[L->churn_by + 0] += life->churn_time <= 7;
        u[L->churn_by + 1] += life->churn_time <= 30;
        u[L->churn_by + 2] += life->churn_time <= 90;
        rt_hist_add(w->churn_hist, life->churn_time);
    } else if (life->outcome == END_COMPLETED) {
        u[L->completed + p]++;
        u[L->completed_at + last]++;
    } else {
        u[L->active + p]++;
        u[L->active_at + last]++;
    }
    if (life->converted) {
        u[L->converted + p]++;
        rt_hist_add(w->hist, life->conv_time);
        f[L->conv_time] += life->conv_time;
        for (int i = 0; i < w->ntp; i++) u[L->tp_conv + (size_t)w->tp_list[i]]++;
        for (int i = 0; i < w->nch; i++) u[L->ch_conv + (size_t)w->ch_list[i]]++;
    }
    for (int i = 0; i < w->ntp; i++) w->tp_met[w->tp_list[i]] = 0;
    for (int i = 0; i < w->nch; i++) w->ch_met[w->ch_list[i]] = 0;
    w->ntp = w->nch = 0;
    f[L->revenue] += c->revenue;
    f[L->revenue_sq] += c->revenue * c->revenue;
    f[L->cost] += c->cost;
    f[L->cost_sq] += c->cost * c->cost;
    if (life->converted) f[L->cost_conv] += c->cost;
    /* NPS and CSAT from the final mood. The score is floor(x + 0.5) for x = 5 (mood + 1), half a
     * point rounding up (0.7 -> 8.5 -> 9; the 1e-9 absorbs 0.7's binary rounding): a promoter
     * scores >= 9, i.e. x + 0.5 >= 9; a detractor <= 6, i.e. x + 0.5 < 7. */
    double mood = rt_clamp_mood(w->m->curve[p * (size_t)w->m->nstages + last] + c->experience);
    double x = 5 * (mood + 1) + 0.5 + 1e-9;
    u[L->promoters] += x >= 9;
    u[L->detractors] += x < 7;
    f[L->csat] += 1 + 2 * (mood + 1);
    u[L->steps] += life->steps;
    if (w->out)
        w->out[w->nout++] = (SimOutcome){c->revenue, c->cost, life->churn_time, life->conv_time, life->converted,
                                         life->outcome == END_CHURNED, x >= 9, x < 7};
}

/* The customer loop keeps the customer's changing figures in local variables, which the compiler
 * holds in registers; the helpers that are not inlined (touchpoints, rules, dynamic arrows) work
 * on the RtCtx instead, so the locals are written out before them and read back after (CTX_OUT /
 * CTX_IN in customer_life). Touchpoints and rules draw from w->rng, set to the entry's stream. */

/* The next move from a precomputed table: its number is made unless the table has one way only.
 * `entry` is the start of the entry's stream, whose first number is the next move's. */
static inline const RtPick *pick_arrow(Worker *w, uint64_t entry, const RtCell *cell)
{
    const RtPick *pk = w->m->picks + cell->pick;
    if (pk->thr != RT_U53_ALWAYS) {
        uint64_t u = rt_mix64(entry) >> 11;
        while (u >= pk->thr) pk++;
    }
    if (cell->warn >= 0) {
        w->u[w->L.warn + (size_t)cell->warn]++;
        if (cell->warn2 >= 0) w->u[w->L.warn + (size_t)cell->warn2]++;
    }
    return pk;
}

/* The next move of a stage whose arrows are affine in mood (RtAffine): the same choice as
 * rt_stage_probs + choose_dynamic, without interpreting an expression. */
static inline int choose_affine(Worker *w, uint64_t u53, const RtCell *cell, const RtStage *st, double mood)
{
    const RtAffine *a = w->m->affines + cell->affine;
    double *prob = w->prob, sum = 0;
    int n = cell->naffine, nan_site = -1;
    for (int i = 0; i < n; i++) {
        double v = a[i].alpha + a[i].beta * mood;
        if (isnan(v)) {
            if (nan_site < 0) nan_site = a[i].site_nan;
            v = 0;
        }
        v = v < 0 ? 0 : v > 1 ? 1 : v;
        prob[i] = v;
        sum += v;
    }
    if (nan_site >= 0) w->u[w->L.warn + (size_t)nan_site]++;
    if (sum > 1 + 1e-9) {
        w->u[w->L.warn + (size_t)st->site_overfull]++;
        for (int i = 0; i < n; i++) prob[i] /= sum;
        sum = 1;
    }
    double u = (double)u53 * (1.0 / RT_ONE53), cum = 0; /* exact: u has 53 bits */
    int last = -1;
    for (int i = 0; i < n; i++) {
        if (prob[i] <= 0) continue;
        cum += prob[i];
        last = i;
        if (u < cum) return a[i].arrow;
    }
    if (sum < 1 - 1e-9) return cell->other >= 0 ? cell->other : RT_NOWAY;
    return last >= 0 ? a[last].arrow : RT_NOWAY;
}

/* One customer's life, from its key (rng.h): its numbers come from streams keyed by what they are
 * for. The key itself draws the persona (rng.h). Each entry of a stage has two streams: the
 * first's number 0 draws the next move and the next ones the touchpoints and the rules, in that
 * order; the second draws the wait. So the same customer gets the same numbers for the same visit
 * of the same stage, whatever it did before, in every simulation of every variant of a journey.
 * Each number is made only when it is needed. */
static inline __attribute__((always_inline)) void customer_life(Worker *w, const uint64_t key)
{
    const RtModel *m = w->m;
    const Layout *L = &w->L;
    uint64_t entry;
    int p = w->o.persona >= 0 ? w->o.persona : draw_persona(m, key >> 11);
    size_t row = (size_t)p * (size_t)m->nstages;
    const double *curve = m->curve + row;
    const RtCell *cells = m->cells + row;
    uint64_t *entries = w->u + L->entries + row, *reached = w->u + L->reached, *exits = w->u + L->exits;
    double *mood_sum = w->f + L->mood_sum + row;
    RtVisits *visits = w->visits;
    const uint64_t *stage_key = w->stage_key;
    if (++w->gen == 0) { /* after 2^32 customers: clear once, so that no old number comes back */
        memset(visits, 0, (size_t)m->nstages * sizeof *visits);
        w->gen = 1;
    }
    const uint32_t gen = w->gen;
    const uint64_t max_steps = w->o.max_steps;
    const bool has_horizon = w->o.has_horizon;
    const double horizon = w->o.horizon;
    double exper = m->persona_mood[p], time = 0, revenue = 0, cost = 0;
    RtCtx c;
    c.persona = p;
    c.traits = m->traits + (size_t)p * (size_t)m->ntraits;
    c.visits = visits;
    c.gen = gen;
    Life life = {END_ACTIVE, m->start, false, 0, 0, 0};
    int s = m->start;
#define CTX_OUT() (c.experience = exper, c.time = time, c.revenue = revenue, c.cost = cost, c.stage = s, \
                   c.curve = curve[s])
#define CTX_IN() (exper = c.experience, revenue = c.revenue, cost = c.cost)
    for (;;) {
        if (life.steps == max_steps) {
            w->u[L->warn + (size_t)m->site_step_limit]++;
            life.outcome = END_ACTIVE;
            break;
        }
        life.steps++;
        const RtStage *st = &m->stages[s];
        const RtCell *cell = &cells[s];
        life.last = s;
        /* 1-2: visits, goal, revenue */
        if (visits[s].gen != gen) {
            visits[s].gen = gen;
            visits[s].n = 0;
            reached[s]++;
        }
        visits[s].n++;
        entry = rt_entry_key(key, stage_key[s], visits[s].n); /* this entry's streams */
        if (st->goal && !life.converted) {
            life.converted = true;
            life.conv_time = time;
            w->u[L->conv_at + (size_t)s]++;
        }
        revenue += st->revenue;
        /* 3-4: touchpoints, then the mood on entry. (Stages with touchpoints or rules are taken
         * as the rarer case: it frees registers for the common path, 5% faster on bench/b7.) */
        if (__builtin_expect(st->ntouch != 0, 0)) {
            CTX_OUT();
            w->rng = rt_stream(entry + RT_GAMMA); /* number 1 on */
            for (int k = 0; k < st->ntouch; k++) meet(w, &c, st->first_touch + k);
            CTX_IN();
        }
        entries[s]++;
        mood_sum[s] += rt_clamp_mood(curve[s] + exper);
        /* 5: rules */
        if (__builtin_expect(cell->rule_len != 0, 0)) {
            int next = 0;
            CTX_OUT();
            if (!st->ntouch) w->rng = rt_stream(entry + RT_GAMMA); /* else on after the touchpoints' */
            int how = run_rules(w, &c, m->rule_list + cell->rule_off, cell->rule_len, &next);
            CTX_IN();
            if (how == RULES_GOTO) {
                s = next;
                continue;
            }
            if (how == RULES_CHURN) {
                life.outcome = END_CHURNED;
                life.churn_time = time;
                break;
            }
        }
        /* 6: the wait, and the horizon */
        if (st->wait.kind != RT_WAIT_NONE) {
            time += rt_wait_draw_at(&st->wait, entry + RT_WAIT_OFFSET);
            if (has_horizon && time > horizon) {
                life.outcome = END_ACTIVE;
                break;
            }
        }
        /* 7: the next move */
        int arrow, target;
        if (cell->pick >= 0) {
            const RtPick *pk = pick_arrow(w, entry, cell);
            arrow = pk->arrow;
            target = pk->target;
        } else if (cell->affine >= 0) {
            arrow = choose_affine(w, rt_mix64(entry) >> 11, cell, st, rt_clamp_mood(curve[s] + exper));
            target = arrow >= 0 ? m->arrows[arrow].target : arrow;
        } else {
            CTX_OUT();
            arrow = choose_dynamic(w, &c, s, rt_mix64(entry) >> 11);
            CTX_IN();
            target = arrow >= 0 ? m->arrows[arrow].target : arrow;
        }
        if (arrow < 0) {
            if (arrow == RT_NOWAY) w->u[L->warn + (size_t)st->site_noway]++;
            life.outcome = END_COMPLETED;
            break;
        }
        exits[arrow]++;
        if (target < 0) {
            life.outcome = END_CHURNED;
            life.churn_time = time;
            break;
        }
        s = target;
    }
    s = life.last;
    CTX_OUT();
#undef CTX_OUT
#undef CTX_IN
    end_customer(w, &c, &life);
}

/* The customer loop as one function with every helper of this file inlined (`flatten`). */
static __attribute__((noinline, flatten)) void simulate_customer(Worker *w, uint64_t key) { customer_life(w, key); }

/* ---- blocks and threads ---- */

static void worker_init(Worker *w, Shared *sh)
{
    const RtModel *m = sh->m;
    memset(w, 0, sizeof *w);
    w->sh = sh;
    w->m = m;
    w->L = sh->L;
    w->o = *sh->o;
    w->visits = xcalloc((size_t)m->nstages + 1, sizeof *w->visits);
    w->tp_met = xcalloc((size_t)m->ntouch + 1, 1);
    w->tp_list = xcalloc((size_t)m->ntouch + 1, sizeof *w->tp_list);
    w->ch_met = xcalloc((size_t)m->nchannels + 1, 1);
    w->ch_list = xcalloc((size_t)m->nchannels + 1, sizeof *w->ch_list);
    w->stack = xcalloc((size_t)m->max_stack + 1, sizeof *w->stack);
    int maxa = 1;
    for (int s = 0; s < m->nstages; s++)
        if (m->stages[s].narrows > maxa) maxa = m->stages[s].narrows;
    w->prob = xcalloc((size_t)maxa, sizeof *w->prob);
    w->run_key = rt_key(w->o.seed, w->o.salt);
    w->stage_key = xcalloc((size_t)m->nstages + 1, sizeof *w->stage_key);
    for (int s = 0; s < m->nstages; s++) w->stage_key[s] = m->stages[s].crn_key;
    if (w->o.sink) w->out = xcalloc(SIM_BLOCK, sizeof *w->out);
}

static void worker_free(Worker *w)
{
    free(w->visits);
    free(w->stage_key);
    free(w->tp_met);
    free(w->tp_list);
    free(w->ch_met);
    free(w->ch_list);
    free(w->stack);
    free(w->prob);
    free(w->out);
}

static void simulate_block(Worker *w, uint64_t b, Acc *acc)
{
    const SimOptions *o = &w->o;
    w->u = acc->u;
    w->f = acc->f;
    w->hist = &acc->hist;
    w->churn_hist = &acc->churn;
    uint64_t first = b * SIM_BLOCK, end = first + SIM_BLOCK;
    if (end > o->cohort) end = o->cohort;
    w->nout = 0;
    /* Customer i's key is output i of the run key's stream; each is made a customer ahead. */
    RtRng keys = rt_stream(w->run_key + first * RT_GAMMA);
    uint64_t next = rt_next(&keys);
    for (uint64_t i = first; i < end; i++) {
        uint64_t key = next;
        next = rt_next(&keys);
        simulate_customer(w, key);
    }
    if (o->sink) o->sink->block_done(o->sink->ctx, b, w->out, w->nout);
}

static void draw_progress(Shared *sh, bool force)
{
    double t = now_seconds();
    if (!force && (t - sh->t0 < 1.0 || t - sh->last_draw < 0.1)) return;
    sh->last_draw = t;
    sh->drawn = true;
    double frac = (double)sh->merged / (double)sh->nblocks;
    int width = 30, full = (int)(frac * width);
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < full ? '=' : i == full ? '>' : ' ';
    bar[width] = 0;
    double left = frac > 0 ? (t - sh->t0) * (1 - frac) / frac : 0;
    fprintf(stderr, "\rcjm run: [%s] %3.0f%%  %.0f s left ", bar, frac * 100, left);
    fflush(stderr);
}

/* Hands in a finished block and merges every block whose turn has come. Called with mu held. */
static void hand_in(Shared *sh, uint64_t b, Acc *acc)
{
    sh->pending[b % sh->window] = acc;
    for (;;) {
        Acc **slot = &sh->pending[sh->merged % sh->window];
        if (!*slot) break;
        acc_merge(sh->total, *slot, &sh->L);
        acc_clear(*slot, &sh->L);
        sh->pool[sh->npool++] = *slot;
        *slot = NULL;
        sh->merged++;
    }
    if (sh->o->progress) draw_progress(sh, false);
    pthread_cond_broadcast(&sh->cv);
}

static void *worker_main(void *arg)
{
    Shared *sh = arg;
    Worker w;
    worker_init(&w, sh);
    pthread_mutex_lock(&sh->mu);
    for (;;) {
        /* A block may be taken only within `window` of the oldest unmerged one: that bounds
         * the accumulators alive, and the oldest block is always being simulated. */
        while (sh->next_block < sh->nblocks && sh->next_block >= sh->merged + sh->window)
            pthread_cond_wait(&sh->cv, &sh->mu);
        if (sh->next_block >= sh->nblocks || (sh->o->cancel && *sh->o->cancel)) break;
        uint64_t b = sh->next_block++;
        Acc *acc = sh->pool[--sh->npool];
        pthread_mutex_unlock(&sh->mu);
        simulate_block(&w, b, acc);
        pthread_mutex_lock(&sh->mu);
        hand_in(sh, b, acc);
    }
    pthread_mutex_unlock(&sh->mu);
    worker_free(&w);
    return NULL;
}

static void run_threads(Shared *sh, int nthreads)
{
    pthread_t *tids = xcalloc((size_t)nthreads, sizeof *tids);
    int started = 0;
    for (int i = 1; i < nthreads; i++) {
        if (pthread_create(&tids[i], NULL, worker_main, sh) != 0) break; /* fewer threads, same result */
        started++;
    }
    worker_main(sh); /* the calling thread works too */
    for (int i = 1; i <= started; i++) pthread_join(tids[i], NULL);
    free(tids);
}

/* ---- from the total to an RtResult ---- */

static void fill_stages(RtResult *r, const Shared *sh)
{
    const RtModel *m = sh->m;
    const Layout *L = &sh->L;
    const uint64_t *u = sh->total->u;
    const double *f = sh->total->f;
    for (int s = 0; s < m->nstages; s++) {
        RtStageRow *row = &r->stages[s];
        double entries = 0, mood = 0;
        for (int p = 0; p < m->npersonas; p++) {
            size_t at = (size_t)p * (size_t)m->nstages + (size_t)s;
            double e = (double)u[L->entries + at];
            entries += e;
            mood += f[L->mood_sum + at];
            r->curve_sim[at] = e > 0 ? f[L->mood_sum + at] / e : NAN;
        }
        row->reached = (double)u[L->reached + (size_t)s];
        row->entries = entries;
        row->mean_mood = entries > 0 ? mood / entries : NAN;
        row->converted = (double)u[L->conv_at + (size_t)s];
        row->churned = (double)u[L->churned_at + (size_t)s];
        row->completed = (double)u[L->completed_at + (size_t)s];
        row->active = (double)u[L->active_at + (size_t)s];
        row->revenue = entries * m->stages[s].revenue;
    }
}

static void fill_exits(RtResult *r, const Shared *sh)
{
    const RtModel *m = sh->m;
    const uint64_t *u = sh->total->u;
    for (int a = 0; a < m->narrows; a++) {
        const RtArrow *ar = &m->arrows[a];
        double n = (double)u[sh->L.exits + (size_t)a];
        rt_result_add_exit(r, ar->stage, ar->target, ar->target == RT_CHURN ? ar->reason : NULL, false, n);
        if (ar->target == RT_CHURN) rt_result_add_reason(r, ar->stage, ar->reason, n);
    }
    for (int i = 0; i < m->nactions; i++) {
        const RtAction *a = &m->actions[i];
        if (a->exit_slot < 0) continue;
        for (int s = 0; s < m->nstages; s++) {
            double n = (double)u[sh->L.rule_exits + (size_t)a->exit_slot * (size_t)m->nstages + (size_t)s];
            if (n == 0) continue;
            bool churn = a->kind == ACT_CHURN;
            rt_result_add_exit(r, s, churn ? RT_CHURN : a->target, churn ? a->reason : NULL, true, n);
            if (churn) rt_result_add_reason(r, s, a->reason, n);
        }
    }
    rt_result_finish(r);
}

static void fill_people(RtResult *r, const Shared *sh)
{
    const RtModel *m = sh->m;
    const Layout *L = &sh->L;
    const uint64_t *u = sh->total->u;
    for (int p = 0; p < m->npersonas; p++) {
        RtPersonaRow *row = &r->personas[p];
        row->customers = (double)u[L->customers + (size_t)p];
        row->converted = (double)u[L->converted + (size_t)p];
        row->churned = (double)u[L->churned + (size_t)p];
        row->completed = (double)u[L->completed + (size_t)p];
        row->active = (double)u[L->active + (size_t)p];
        r->converted += row->converted;
        r->churned += row->churned;
        r->completed += row->completed;
        r->active += row->active;
    }
    for (int t = 0; t < m->ntouch; t++) {
        RtTouchRow *row = &r->touch[t];
        row->reached = (double)u[L->tp_reached + (size_t)t];
        row->meetings = (double)u[L->tp_meet + (size_t)t];
        row->cost = row->meetings * m->touch[t].cost;
        row->conversions = (double)u[L->tp_conv + (size_t)t];
        int ch = m->touch[t].channel;
        if (ch >= 0) {
            r->channels[ch].meetings += row->meetings;
            r->channels[ch].cost += row->cost;
        }
    }
    for (int ch = 0; ch < m->nchannels; ch++) {
        r->channels[ch].reached = (double)u[L->ch_reached + (size_t)ch];
        r->channels[ch].conversions = (double)u[L->ch_conv + (size_t)ch];
    }
}

static void fill_headline(RtResult *r, const Shared *sh)
{
    const Layout *L = &sh->L;
    const uint64_t *u = sh->total->u;
    const double *f = sh->total->f;
    double n = r->cohort;
    if (r->converted > 0) {
        r->ttc_mean = f[L->conv_time] / r->converted;
        r->ttc_median = rt_hist_quantile(&sh->total->hist, 0.5);
        r->ttc_p90 = rt_hist_quantile(&sh->total->hist, 0.9);
    }
    for (int i = 0; i < 3; i++) r->retention[i] = 1 - (double)u[L->churn_by + (size_t)i] / n;
    r->retention[3] = 1 - r->churned / n;
    r->revenue = f[L->revenue];
    r->revenue_sq = f[L->revenue_sq];
    r->cost = f[L->cost];
    r->cost_sq = f[L->cost_sq];
    r->cost_conv = f[L->cost_conv];
    r->nps = 100 * ((double)u[L->promoters] - (double)u[L->detractors]) / n;
    r->csat = f[L->csat] / n;
    r->steps = (double)u[L->steps];
    r->ttc_hist = rt_hist_copy(&sh->total->hist);
    r->churn_hist = rt_hist_copy(&sh->total->churn);
    for (int s = 0; s < sh->m->nsites; s++)
        if (u[L->warn + (size_t)s]) rt_result_add_warning(r, s, (double)u[L->warn + (size_t)s]);
}

RtResult *sim_run(const RtModel *m, const SimOptions *o)
{
    rt_rng_init_tables();
    RtResult *r = rt_result_new(m);
    r->cohort = (double)o->cohort;
    r->seed = o->seed;
    r->has_horizon = o->has_horizon;
    r->horizon = o->horizon;
    r->persona = o->persona;
    r->max_steps = o->max_steps;
    Shared sh;
    memset(&sh, 0, sizeof sh);
    sh.m = m;
    sh.o = o;
    sh.L = make_layout(m);
    sh.nblocks = (o->cohort + SIM_BLOCK - 1) / SIM_BLOCK;
    sh.next_block = sh.merged = o->first_block < sh.nblocks ? o->first_block : sh.nblocks;
    int nthreads = o->threads < 1 ? 1 : o->threads;
    if ((uint64_t)nthreads > sh.nblocks - sh.merged) nthreads = sh.nblocks > sh.merged ? (int)(sh.nblocks - sh.merged) : 1;
    sh.window = 2 * (uint64_t)nthreads;
    sh.pending = xcalloc(sh.window, sizeof *sh.pending);
    sh.pool = xcalloc(sh.window, sizeof *sh.pool);
    for (uint64_t i = 0; i < sh.window; i++) sh.pool[sh.npool++] = acc_new(&sh.L);
    sh.total = acc_new(&sh.L);
    sh.t0 = now_seconds();
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);
    if (m->nstages > 0 && m->start >= 0) run_threads(&sh, nthreads);
    pthread_cond_destroy(&sh.cv);
    pthread_mutex_destroy(&sh.mu);
    if (sh.drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    bool cancelled = o->cancel && *o->cancel;
    if (cancelled) {
        rt_result_free(r);
        r = NULL;
    } else {
        fill_stages(r, &sh);
        fill_exits(r, &sh);
        fill_people(r, &sh);
        fill_headline(r, &sh);
    }
    for (uint64_t i = 0; i < sh.npool; i++) acc_free(sh.pool[i]);
    acc_free(sh.total);
    free(sh.pool);
    free(sh.pending);
    return r;
}
