/* sim.c: the customer loop of docs/semantics.md with the keyed random streams of each customer,
 * block accumulators, the worker threads and their in-order merge, the progress reported, and the
 * outcomes handed to a sink (cjm compare) (see sim.h); the bookkeeping of kpis.md's figures
 * (prospects and customers, follow-up, the money split at conversion, attribution, surveys, the
 * calendar), kept off the per-entry path: at the end of a life, or where money moves and
 * touchpoints are met. It owns the per-thread scratch state of the customer being simulated; it
 * never changes the RtModel. ("Customer" in this file's names is any person of the cohort; a
 * converted one is told apart by Life.converted.) */
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
 * One block's figures: integer counters in `u`, floating-point sums in `f`, the histograms of
 * times to convert, of churn times and of customers' follow-up (kpis.md), the revenue earned by
 * days after conversion, and the calendar months. Layout gives each figure's offset; every
 * accumulator of a run shares it. */
typedef struct Layout {
    uint32_t customers, converted, churned, completed, active; /* [npersonas] each */
    uint32_t cust_churned;                                      /* [npersonas]: churned after converting */
    uint32_t entries;                                           /* [npersonas * nstages] */
    uint32_t reached, conv_at, churned_at, completed_at, active_at; /* [nstages] each */
    uint32_t cust_churned_at;                                   /* [nstages] */
    uint32_t exits;                                             /* [narrows] */
    uint32_t cust_exits;                                        /* [narrows]: churn arrows taken by customers */
    uint32_t rule_exits, cust_rule_exits;                       /* [nexit_slots * nstages] each */
    uint32_t tp_reached, tp_meet, tp_conv;                      /* [ntouch] each */
    uint32_t tp_meet_acq;                                       /* [ntouch]: meetings while acquiring */
    uint32_t tp_resp, tp_prom, tp_detr;                         /* [ntouch]: survey answers */
    uint32_t ch_reached, ch_conv, ch_first, ch_last;            /* [nchannels] each */
    uint32_t churn_by;                                          /* [3]: day 7, 30, 90 */
    uint32_t promoters, detractors, steps;
    uint32_t cust_completed, cust_promoters, cust_detractors, completed_never;
    uint32_t warn;                                              /* [nsites] */
    uint32_t nu;
    uint32_t mood_sum;                                          /* [npersonas * nstages] */
    uint32_t tp_score, tp_score_sq;                             /* [ntouch]: survey scores */
    uint32_t ch_linear;                                         /* [nchannels] */
    uint32_t revenue, revenue_sq, cost, cost_sq, cost_conv, conv_time, csat;
    uint32_t exposure, acq_prospects, acq_prospects_sq, acq_conv, acq_conv_sq, serve, serve_sq, ltv, ltv_sq, ltv_acq;
    uint32_t cust_csat, cust_csat_sq;
    uint32_t stage_rev;                                         /* [nstages] when RtModel.rich */
    uint32_t tp_cost, tp_cost_acq;                              /* [ntouch] each when RtModel.rich */
    uint32_t nf;
} Layout;

/* The calendar's counters of one month, and its sums (RtMonth). */
enum { MON_PROSPECTS, MON_CUSTOMERS, MON_LOST, MON_CHURNED, MON_COMPLETED, MON_NU };
enum { MON_REVENUE, MON_COST, MON_NF };

typedef struct Acc {
    uint64_t *u;
    double *f;
    RtHist hist;              /* times to convert */
    RtHist churn;             /* churn times (the whole cohort's retention curve) */
    RtHist fu_churn, fu_censor, fu_window; /* customers' follow-up (RtResult.followup_*) */
    /* Revenue by the hist.h bucket of its day after conversion, and the earliest such day of each
     * bucket; only [0, rev_hi) is used (cleared and merged; the day of conversion is bucket 0). */
    double *rev_after, *rev_min;
    int rev_hi;
    /* Months [0, nmonths] (the last one: events past the calendar's end); [0, mon_hi) used. */
    uint64_t *mon_u;          /* [(nmonths + 1) * MON_NU] */
    double *mon_f;            /* [(nmonths + 1) * MON_NF] */
    int mon_hi;
} Acc;

/* Offsets are 32-bit on purpose: the counters are uint64_t, and a size_t offset (the same type)
 * would have to be reloaded after every counter increment, as the store might have changed it. */
static Layout make_layout(const RtModel *m)
{
    Layout L;
    uint32_t np = (uint32_t)m->npersonas, ns = (uint32_t)m->nstages, n = 0;
    uint32_t nt = (uint32_t)m->ntouch, nc = (uint32_t)m->nchannels;
    L.customers = n, n += np;
    L.converted = n, n += np;
    L.churned = n, n += np;
    L.completed = n, n += np;
    L.active = n, n += np;
    L.cust_churned = n, n += np;
    L.entries = n, n += np * ns;
    L.reached = n, n += ns;
    L.conv_at = n, n += ns;
    L.churned_at = n, n += ns;
    L.completed_at = n, n += ns;
    L.active_at = n, n += ns;
    L.cust_churned_at = n, n += ns;
    L.exits = n, n += (uint32_t)m->narrows;
    L.cust_exits = n, n += (uint32_t)m->narrows;
    L.rule_exits = n, n += (uint32_t)m->nexit_slots * ns;
    L.cust_rule_exits = n, n += (uint32_t)m->nexit_slots * ns;
    L.tp_reached = n, n += nt;
    L.tp_meet = n, n += nt;
    L.tp_conv = n, n += nt;
    L.tp_meet_acq = n, n += nt;
    L.tp_resp = n, n += nt;
    L.tp_prom = n, n += nt;
    L.tp_detr = n, n += nt;
    L.ch_reached = n, n += nc;
    L.ch_conv = n, n += nc;
    L.ch_first = n, n += nc;
    L.ch_last = n, n += nc;
    L.churn_by = n, n += 3;
    L.promoters = n++;
    L.detractors = n++;
    L.steps = n++;
    L.cust_completed = n++;
    L.cust_promoters = n++;
    L.cust_detractors = n++;
    L.completed_never = n++;
    L.warn = n, n += (uint32_t)m->nsites;
    L.nu = n;
    n = 0;
    L.mood_sum = n, n += np * ns;
    L.tp_score = n, n += nt;
    L.tp_score_sq = n, n += nt;
    L.ch_linear = n, n += nc;
    L.revenue = n++;
    L.revenue_sq = n++;
    L.cost = n++;
    L.cost_sq = n++;
    L.cost_conv = n++;
    L.conv_time = n++;
    L.csat = n++;
    L.exposure = n++;
    L.acq_prospects = n++;
    L.acq_prospects_sq = n++;
    L.acq_conv = n++;
    L.acq_conv_sq = n++;
    L.serve = n++;
    L.serve_sq = n++;
    L.ltv = n++;
    L.ltv_sq = n++;
    L.ltv_acq = n++;
    L.cust_csat = n++;
    L.cust_csat_sq = n++;
    /* Amounts that may vary per customer are summed as they happen (rich journeys only). */
    uint32_t rich = m->rich ? 1 : 0;
    L.stage_rev = n, n += rich * ns;
    L.tp_cost = n, n += rich * nt;
    L.tp_cost_acq = n, n += rich * nt;
    L.nf = n;
    return L;
}

static void acc_clear_rev(Acc *a)
{
    for (int i = 0; i < a->rev_hi; i++) {
        a->rev_after[i] = 0;
        a->rev_min[i] = INFINITY;
    }
    a->rev_hi = 0;
}

static Acc *acc_new(const Layout *L, int nmonths)
{
    Acc *a = xcalloc(1, sizeof *a);
    a->u = xcalloc(L->nu, sizeof *a->u);
    a->f = xcalloc(L->nf, sizeof *a->f);
    rt_hist_clear(&a->hist);
    rt_hist_clear(&a->churn);
    rt_hist_clear(&a->fu_churn);
    rt_hist_clear(&a->fu_censor);
    rt_hist_clear(&a->fu_window);
    a->rev_after = xcalloc(RT_HIST_BUCKETS, sizeof *a->rev_after);
    a->rev_min = xcalloc(RT_HIST_BUCKETS, sizeof *a->rev_min);
    a->rev_hi = RT_HIST_BUCKETS;
    acc_clear_rev(a);
    a->mon_u = xcalloc(((size_t)nmonths + 1) * MON_NU, sizeof *a->mon_u);
    a->mon_f = xcalloc(((size_t)nmonths + 1) * MON_NF, sizeof *a->mon_f);
    return a;
}

static void acc_free(Acc *a)
{
    if (!a) return;
    free(a->u);
    free(a->f);
    free(a->rev_after);
    free(a->rev_min);
    free(a->mon_u);
    free(a->mon_f);
    free(a);
}

static void acc_clear(Acc *a, const Layout *L)
{
    memset(a->u, 0, L->nu * sizeof *a->u);
    memset(a->f, 0, L->nf * sizeof *a->f);
    rt_hist_clear(&a->hist);
    rt_hist_clear(&a->churn);
    rt_hist_clear(&a->fu_churn);
    rt_hist_clear(&a->fu_censor);
    rt_hist_clear(&a->fu_window);
    acc_clear_rev(a);
    memset(a->mon_u, 0, (size_t)a->mon_hi * MON_NU * sizeof *a->mon_u);
    memset(a->mon_f, 0, (size_t)a->mon_hi * MON_NF * sizeof *a->mon_f);
    a->mon_hi = 0;
}

static void acc_merge(Acc *into, const Acc *from, const Layout *L)
{
    for (size_t i = 0; i < L->nu; i++) into->u[i] += from->u[i];
    for (size_t i = 0; i < L->nf; i++) into->f[i] += from->f[i];
    rt_hist_merge(&into->hist, &from->hist);
    rt_hist_merge(&into->churn, &from->churn);
    rt_hist_merge(&into->fu_churn, &from->fu_churn);
    rt_hist_merge(&into->fu_censor, &from->fu_censor);
    rt_hist_merge(&into->fu_window, &from->fu_window);
    for (int i = 0; i < from->rev_hi; i++) {
        into->rev_after[i] += from->rev_after[i];
        if (from->rev_min[i] < into->rev_min[i]) into->rev_min[i] = from->rev_min[i];
    }
    if (from->rev_hi > into->rev_hi) into->rev_hi = from->rev_hi;
    for (size_t i = 0; i < (size_t)from->mon_hi * MON_NU; i++) into->mon_u[i] += from->mon_u[i];
    for (size_t i = 0; i < (size_t)from->mon_hi * MON_NF; i++) into->mon_f[i] += from->mon_f[i];
    if (from->mon_hi > into->mon_hi) into->mon_hi = from->mon_hi;
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
    int nmonths;              /* the calendar's months (RtResult.months) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
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
    Acc *acc;
    uint64_t *mon_u;          /* acc's months */
    double *mon_f;
    double mon_max;           /* months [0, mon_max] used by the block's customers (month_real) */
    /* The current customer's own clock against the calendar and its money split (kpis.md); read
     * and written only where money moves or touchpoints are met, off the per-entry path. */
    double arrival;           /* calendar day of its start (0 without arrivals) */
    double conv_time;         /* +infinity until it converts */
    bool acquiring;           /* still in its acquisition: up to the end of the entry of conversion */
    double acq_cost;          /* its costs while acquiring */
    int last_ch;              /* the channel of its last meeting while acquiring, or -1 */
    int nch_acq;              /* ch_list[0, nch_acq): the channels met while acquiring */
    double serve_cost, ltv;   /* its costs after acquiring; its revenue from conversion on */
    bool dirty;               /* some of these changed: end_customer resets them */
    uint64_t conv_step;       /* the entry (Life.steps then) in which it converted; UINT64_MAX before */
    int churn_via;            /* churned: the arrow taken, or -1 - the exit slot of the rule's churn */
    double window;            /* --window, or +infinity */
    double month_max;         /* Shared.nmonths, as a double: the overflow month */
    uint64_t run_key;         /* the key of (seed, salt), from which each customer's comes */
    uint64_t *stage_key;      /* [nstages]: RtStage.crn_key, packed: one load less before each move */
    bool money;               /* some stage earns revenue: customer_life's variant that books it */
    bool rich;                /* RtModel.rich: customer_life's rich variant (below) */
    /* The rich variant's customer: its traits (when its persona draws any), state, meetings. The
     * met counters are cleared through the lists of the slots they made non-zero, so that an
     * entry costs nothing per touchpoint of the journey. */
    double *trait_row;        /* [ntraits] */
    double *state;            /* [nstates] */
    uint32_t *met_entry, *met_ever; /* [nmet] */
    int *met_entry_dirty, *met_ever_dirty;
    int nmet_entry_dirty, nmet_ever_dirty;
    SimOutcome *out;          /* [SIM_BLOCK] when outcomes go to a sink: the block's customers */
    size_t nout;
    uint32_t nps_answers, nps_promoters, nps_detractors; /* the current customer's NPS survey answers */
} Worker;

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

/* ---- the calendar and the money split (kpis.md) ----
 * Called where money moves, touchpoints are met or a life ends, never on every entry. */

/* The calendar month of day t of the current customer's clock: month m is [30 m, 30 (m + 1)) of
 * calendar time (arrival + t); past the calendar's end, the overflow month Shared.nmonths (an
 * event at the horizon's last instant when the horizon is a whole number of months; sim_run
 * adds it to the last month, or drops what lies past RT_MAX_MONTHS). */
static inline double month_real(const Worker *w, double t)
{
    double q = (w->arrival + t) / 30;
    return q < w->month_max ? q : w->month_max;
}

static inline size_t month_of(const Worker *w, double t) { return (size_t)month_real(w, t); }

/* Months [0, q] are used (q from month_real). Every event of a customer happens at its end at the
 * latest, so end_customer marks the month of the end only; simulate_block hands the mark to the
 * block's accumulator. */
static inline void month_mark(Worker *w, double q) { w->mon_max = q > w->mon_max ? q : w->mon_max; }

/* One more `what` (MON_PROSPECTS ...) in month mo. */
static inline void month_count_at(Worker *w, size_t mo, int what) { w->mon_u[mo * MON_NU + (size_t)what]++; }

static inline void month_count(Worker *w, double t, int what) { month_count_at(w, month_of(w, t), what); }

static inline void month_sum(Worker *w, double t, int what, double amount)
{
    w->mon_f[month_of(w, t) * MON_NF + (size_t)what] += amount;
}

/* Revenue earned at day t of the customer's clock: in its calendar month, and once converted (the
 * entry of conversion included: t == conv_time) by its day after conversion, for payback, and
 * as the customer's LTV. */
static void earn(Worker *w, double t, double amount)
{
    w->dirty = true;
    month_sum(w, t, MON_REVENUE, amount);
    if (t < w->conv_time) return;
    double d = t - w->conv_time;
    int b = rt_hist_bucket(d);
    Acc *a = w->acc;
    w->ltv += amount;
    a->rev_after[b] += amount;
    a->rev_min[b] = d < a->rev_min[b] ? d : a->rev_min[b];
    a->rev_hi = b + 1 > a->rev_hi ? b + 1 : a->rev_hi;
}

/* A cost at day t: in its calendar month, and either acquisition or cost to serve. */
static void spend(Worker *w, double t, double amount)
{
    w->dirty = true;
    month_sum(w, t, MON_COST, amount);
    if (w->acquiring) w->acq_cost += amount;
    else w->serve_cost += amount;
}

/* A survey touchpoint's answer, from the mood at this meeting (its own emotion included). NPS:
 * score floor(5 (mood + 1) + 0.5), halves rounding up as the final-mood NPS does; CSAT:
 * 1 + 2 (mood + 1). */
static void answer_survey(Worker *w, const RtCtx *c, int k, RtSurvey kind)
{
    const Layout *L = &w->L;
    double mood = rt_clamp_mood(c->curve + c->experience), score;
    if (kind == RT_SURVEY_NPS) {
        score = floor(5 * (mood + 1) + 0.5 + 1e-9);
        w->u[L->tp_prom + (size_t)k] += score >= 9;
        w->u[L->tp_detr + (size_t)k] += score <= 6;
        w->nps_answers++; /* the customer's own, for cjm compare (SimOutcome) */
        w->nps_promoters += score >= 9;
        w->nps_detractors += score <= 6;
    } else {
        score = 1 + 2 * (mood + 1);
    }
    w->u[L->tp_resp + (size_t)k]++;
    w->f[L->tp_score + (size_t)k] += score;
    w->f[L->tp_score_sq + (size_t)k] += score * score;
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
        if (w->acquiring) w->nch_acq = w->nch; /* acquiring is a prefix of the life */
    }
}

/* Meets touchpoint k with probability reach: its emotion and cost are the customer's; while
 * acquiring, the meeting counts for the touchpoint's acquisition cost and its channel may take
 * the last touch; a survey is answered. */
static inline void meet(Worker *w, RtCtx *c, int k)
{
    const RtTouch *t = &w->m->touch[k];
    if (t->reach_thr != RT_U53_ALWAYS && rt_u53(&w->rng) >= t->reach_thr) return;
    w->u[w->L.tp_meet + (size_t)k]++;
    w->dirty = true;
    if (!w->tp_met[k]) first_meeting(w, k);
    c->experience += t->emotion;
    c->cost += t->cost;
    if (t->cost != 0) spend(w, c->time, t->cost);
    if (w->acquiring) {
        w->u[w->L.tp_meet_acq + (size_t)k]++;
        if (t->channel >= 0) w->last_ch = t->channel;
    }
    if (t->survey != RT_SURVEY_NONE) answer_survey(w, c, k, t->survey);
}

static double eval(Worker *w, const RtExpr *e, const RtCtx *c)
{
    return rt_eval(e, w->m->code, c, w->stack);
}

/* ---- the rich variant's steps (RtModel.rich; docs/semantics.md) ---- */

/* One more meeting in met slot `slot`, in this entry and ever. */
static inline void count_met(Worker *w, int slot)
{
    if (w->met_entry[slot]++ == 0) w->met_entry_dirty[w->nmet_entry_dirty++] = slot;
    if (w->met_ever[slot]++ == 0) w->met_ever_dirty[w->nmet_ever_dirty++] = slot;
}

/* meet() for rich journeys: reach and cost may be expressions, evaluated for the customer as it
 * is now (reach just before the draw, cost when met); a value out of range is counted and
 * clamped (reach to [0, 1], NaN to 0; a cost below 0 or NaN to 0). Meetings are counted for
 * met() and met_ever() when some expression reads them. */
static void meet_rich(Worker *w, RtCtx *c, int k)
{
    const RtModel *m = w->m;
    const RtTouch *t = &m->touch[k];
    size_t at = (size_t)c->persona * (size_t)m->ntouch + (size_t)k;
    double reach = m->reach_ps[at];
    if (isnan(reach)) {
        reach = eval(w, &t->reach_x, c);
        if (!(reach >= 0 && reach <= 1)) {
            w->u[w->L.warn + (size_t)t->site_reach]++;
            reach = reach > 1 ? 1 : 0;
        }
    }
    uint64_t thr = rt_threshold(reach);
    if (thr != RT_U53_ALWAYS && rt_u53(&w->rng) >= thr) return;
    w->u[w->L.tp_meet + (size_t)k]++;
    w->dirty = true;
    if (!w->tp_met[k]) first_meeting(w, k);
    if (m->uses_met) {
        count_met(w, k);
        if (t->channel >= 0) count_met(w, m->ntouch + t->channel);
    }
    double cost = m->cost_ps[at];
    if (isnan(cost)) {
        cost = eval(w, &t->cost_x, c);
        if (!(cost >= 0)) {
            w->u[w->L.warn + (size_t)t->site_cost]++;
            cost = 0;
        }
    }
    c->experience += t->emotion;
    c->cost += cost;
    w->f[w->L.tp_cost + (size_t)k] += cost;
    if (cost != 0) spend(w, c->time, cost);
    if (w->acquiring) {
        w->u[w->L.tp_meet_acq + (size_t)k]++;
        w->f[w->L.tp_cost_acq + (size_t)k] += cost;
        if (t->channel >= 0) w->last_ch = t->channel;
    }
    if (t->survey != RT_SURVEY_NONE) answer_survey(w, c, k, t->survey);
}

/* The start of a rich customer's life, after its persona: its drawn traits (each from the stream
 * of the customer's key, RT_TRAIT_OFFSET and the trait's name), no meetings, and its state's
 * starting values (which may read the traits). */
static void rich_begin(Worker *w, uint64_t key, int p, RtCtx *c, double exper, int stage)
{
    const RtModel *m = w->m;
    size_t nt = (size_t)m->ntraits;
    if (m->persona_draws[p]) {
        const RtTraitDist *d = m->trait_dist + (size_t)p * nt;
        for (size_t t = 0; t < nt; t++) {
            if (d[t].kind == DIST_CONSTANT) {
                w->trait_row[t] = c->traits[t];
                continue;
            }
            RtRng r = rt_stream(key + RT_TRAIT_OFFSET + m->trait_key[t]);
            w->trait_row[t] = rt_trait_draw(&d[t], &r);
        }
        c->traits = w->trait_row;
    }
    for (int i = 0; i < w->nmet_ever_dirty; i++) w->met_ever[w->met_ever_dirty[i]] = 0;
    for (int i = 0; i < w->nmet_entry_dirty; i++) w->met_entry[w->met_entry_dirty[i]] = 0;
    w->nmet_ever_dirty = w->nmet_entry_dirty = 0;
    c->met_entry = w->met_entry;
    c->met_ever = w->met_ever;
    c->state = w->state;
    c->experience = exper;
    c->curve = 0;
    c->time = c->revenue = c->cost = 0;
    c->stage = stage;
    for (int i = 0; i < m->nstates; i++) {
        double v = eval(w, &m->state_init[i], c);
        w->state[i] = m->state_flag[i] ? (double)(v != 0) : v;
    }
}

/* The start of a rich entry, before anything else: experience fades towards the persona's mood
 * by the half-life (memory) over the time since the last entry; this entry's meetings are none. */
static inline void rich_entry(Worker *w, int p, double time, double *exper, double *last_time)
{
    double h = w->m->memory[p];
    if (h > 0 && time > *last_time) {
        double base = w->m->persona_mood[p];
        *exper = base + (*exper - base) * exp2(-(time - *last_time) / h);
    }
    *last_time = time;
    for (int i = 0; i < w->nmet_entry_dirty; i++) w->met_entry[w->met_entry_dirty[i]] = 0;
    w->nmet_entry_dirty = 0;
}

/* A curve value that is an expression of the customer, at the start of the entry (c: the
 * customer then, its curve 0). */
static double rich_curve(Worker *w, const RtCtx *c, size_t at)
{
    double v = eval(w, &w->m->curve_x[at], c);
    if (isnan(v)) {
        w->u[w->L.warn + (size_t)w->m->curve_site[at]]++;
        v = 0;
    }
    return v;
}

/* A revenue that is an expression of the customer, at step 2 of the entry. */
static double rich_revenue(Worker *w, const RtCtx *c, const RtStage *st)
{
    double v = eval(w, &st->revenue_x, c);
    if (isnan(v)) {
        w->u[w->L.warn + (size_t)st->site_revenue]++;
        v = 0;
    }
    return v;
}

/* A wait whose arguments are expressions of the customer, at step 6 of the entry. */
static RtWait rich_wait(Worker *w, const RtCtx *c, const RtStage *st)
{
    double v[3];
    for (int i = 0; i < 3; i++) v[i] = st->wait_x[i].kind == RT_EXPR_NONE ? st->wait_arg[i] : eval(w, &st->wait_x[i], c);
    RtWait wt;
    if (rt_wait_from_args(st, v, &wt)) w->u[w->L.warn + (size_t)st->site_wait]++;
    return wt;
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
    case ACT_TOUCH:
        if (w->rich) meet_rich(w, c, a->target);
        else meet(w, c, a->target);
        return RULES_GO_ON;
    case ACT_GOTO:
    case ACT_CHURN:
        w->u[L->rule_exits + (size_t)a->exit_slot * (size_t)w->m->nstages + (size_t)c->stage]++;
        w->churn_via = -1 - a->exit_slot;
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
    case ACT_REVENUE_ADD:
        c->revenue += v;
        if (v != 0) earn(w, c->time, v);
        break;
    case ACT_COST_ADD:
        c->cost += v;
        if (v != 0) spend(w, c->time, v);
        break;
    case ACT_STATE_SET: c->state[a->target] = w->m->state_flag[a->target] ? (double)(v != 0) : v; break;
    case ACT_STATE_ADD: c->state[a->target] += v; break;
    case ACT_STATE_SUB: c->state[a->target] -= v; break;
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

/* The current customer's money and channels, as a new customer has them. */
static void reset_money(Worker *w)
{
    w->acq_cost = w->serve_cost = w->ltv = 0;
    w->last_ch = -1;
    w->nch_acq = 0;
    w->nps_answers = w->nps_promoters = w->nps_detractors = 0; /* an answer makes w->dirty */
    w->dirty = false;
}

/* A customer's follow-up from conversion (kpis.md): churn is an event; completing, the horizon
 * and the step limit censor it (completing at the horizon: it cannot churn any more, yet stays
 * followed until then; without a horizon it is followed for ever). Its satisfaction (relational:
 * the final mood), its calendar month of conversion, and, when money moved or touchpoints were
 * met (w->dirty), its money split at the end of the entry of conversion and the channels its
 * conversion is attributed to. mo_end: the month of its end. */
static void follow_customer(Worker *w, const RtCtx *c, const Life *life, size_t mo_end, double csat, bool promoter,
                            bool detractor, SimOutcome *out)
{
    const Layout *L = &w->L;
    uint64_t *u = w->u;
    double *f = w->f;
    Acc *a = w->acc;
    double h = w->o.horizon - w->arrival; /* the own horizon, as customer_life computes it */
    /* The end of its life: churn, completion, the step limit, else the horizon (c->time is past it) */
    double end = w->o.has_horizon && c->time > h ? h : c->time;
    double tc = life->conv_time, fu = end - tc;
    f[L->exposure] += fu;
    if (life->outcome == END_CHURNED) {
        rt_hist_add(&a->fu_churn, fu);
        u[L->cust_churned + (size_t)c->persona]++;
        u[L->cust_churned_at + (size_t)life->last]++;
        if (w->churn_via >= 0) u[L->cust_exits + (size_t)w->churn_via]++;
        else u[L->cust_rule_exits + (size_t)(-1 - w->churn_via) * (size_t)w->m->nstages + (size_t)life->last]++;
    } else if (life->outcome == END_COMPLETED) {
        u[L->cust_completed]++;
        if (w->o.has_horizon) rt_hist_add(&a->fu_censor, h - tc);
        else u[L->completed_never]++;
        month_count_at(w, mo_end, MON_COMPLETED);
    } else {
        rt_hist_add(&a->fu_censor, fu);
    }
    if (out) { /* the same times, for cjm compare */
        out->exposure = fu;
        out->followup = life->outcome != END_COMPLETED ? fu : w->o.has_horizon ? h - tc : INFINITY;
    }
    if (w->o.has_horizon) rt_hist_add(&a->fu_window, h - tc);
    month_count(w, tc, MON_CUSTOMERS);
    u[L->cust_promoters] += promoter;
    u[L->cust_detractors] += detractor;
    f[L->cust_csat] += csat;
    f[L->cust_csat_sq] += csat * csat;
    w->conv_time = INFINITY;
    w->conv_step = UINT64_MAX;
    if (!w->dirty) return;
    double x = w->acq_cost, v = w->serve_cost, y = w->ltv;
    f[L->acq_conv] += x;
    f[L->acq_conv_sq] += x * x;
    f[L->serve] += v;
    f[L->serve_sq] += v * v;
    f[L->ltv] += y;
    f[L->ltv_sq] += y * y;
    f[L->ltv_acq] += y * x;
    int k = w->nch_acq;
    if (k > 0) {
        u[L->ch_first + (size_t)w->ch_list[0]]++;
        u[L->ch_last + (size_t)w->last_ch]++;
        double share = 1.0 / k;
        for (int i = 0; i < k; i++) f[L->ch_linear + (size_t)w->ch_list[i]] += share;
    }
    reset_money(w);
}

/* Everything counted once per customer, at the end of its life; then the scratch state is reset.
 * `money`: the journey's stages earn revenue (customer_life's variant). */
static void end_customer(Worker *w, const RtCtx *c, const Life *life, const bool money)
{
    const Layout *L = &w->L;
    uint64_t *u = w->u;
    double *f = w->f;
    /* A customer who met no touchpoint and earned and spent nothing in rules, in a journey whose
     * stages earn nothing, has revenue and cost 0: adding them to the sums would change nothing. */
    const bool moved = money || w->dirty;
    if (moved) {
        f[L->revenue] += c->revenue;
        f[L->revenue_sq] += c->revenue * c->revenue;
        f[L->cost] += c->cost;
        f[L->cost_sq] += c->cost * c->cost;
        if (life->converted) f[L->cost_conv] += c->cost;
    }
    size_t p = (size_t)c->persona, last = (size_t)life->last;
    double q_end = month_real(w, c->time);
    size_t mo_end = (size_t)q_end;
    month_mark(w, q_end);
    u[L->customers + p]++;
    if (life->outcome == END_CHURNED) {
        u[L->churned + p]++;
        u[L->churned_at + last]++;
        u[L->churn_by + 0] += life->churn_time <= 7;
        u[L->churn_by + 1] += life->churn_time <= 30;
        u[L->churn_by + 2] += life->churn_time <= 90;
        rt_hist_add(w->churn_hist, life->churn_time);
        month_count_at(w, mo_end, life->converted ? MON_CHURNED : MON_LOST);
    } else if (life->outcome == END_COMPLETED) {
        u[L->completed + p]++;
        u[L->completed_at + last]++;
    } else {
        u[L->active + p]++;
        u[L->active_at + last]++;
    }
    /* NPS and CSAT from the final mood. The score is floor(x + 0.5) for x = 5 (mood + 1), half a
     * point rounding up (0.7 -> 8.5 -> 9; the 1e-9 absorbs 0.7's binary rounding): a promoter
     * scores >= 9, i.e. x + 0.5 >= 9; a detractor <= 6, i.e. x + 0.5 < 7. */
    double mood = rt_clamp_mood(c->curve + c->experience); /* c->curve: the last entry's */
    double x = 5 * (mood + 1) + 0.5 + 1e-9, csat = 1 + 2 * (mood + 1);
    bool promoter = x >= 9, detractor = x < 7;
    u[L->promoters] += promoter;
    u[L->detractors] += detractor;
    f[L->csat] += csat;
    SimOutcome *out = NULL;
    if (w->out) {
        out = &w->out[w->nout++];
        *out = (SimOutcome){c->revenue, c->cost, life->churn_time, life->conv_time, life->converted,
                            life->outcome == END_CHURNED, promoter, detractor,
                            life->converted ? w->acq_cost : c->cost, life->converted ? w->ltv : 0,
                            life->converted ? w->serve_cost : 0, 0, 0,
                            w->nps_answers, w->nps_promoters, w->nps_detractors};
    }
    if (life->converted) {
        u[L->converted + p]++;
        rt_hist_add(w->hist, life->conv_time);
        f[L->conv_time] += life->conv_time;
        for (int i = 0; i < w->ntp; i++) u[L->tp_conv + (size_t)w->tp_list[i]]++;
        for (int i = 0; i < w->nch; i++) u[L->ch_conv + (size_t)w->ch_list[i]]++;
        follow_customer(w, c, life, mo_end, csat, promoter, detractor, out);
    } else if (w->dirty) {
        f[L->acq_prospects] += c->cost; /* a prospect's costs are all acquisition */
        f[L->acq_prospects_sq] += c->cost * c->cost;
        reset_money(w);
    }
    for (int i = 0; i < w->ntp; i++) w->tp_met[w->tp_list[i]] = 0;
    for (int i = 0; i < w->nch; i++) w->ch_met[w->ch_list[i]] = 0;
    w->ntp = w->nch = 0;
    u[L->steps] += life->steps;
}

/* Whether entering the stage earns revenue: its revenue's bits are not all 0 (one compare with
 * memory; -0, which would also be booked, adds nothing). */
static inline bool stage_earns(const RtStage *st)
{
    uint64_t bits;
    memcpy(&bits, &st->revenue, sizeof bits);
    return bits != 0;
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

/* One customer's life, from its key (rng.h), of persona p, arriving at w->arrival (its own
 * horizon is the horizon minus that): its numbers come from streams keyed by what they are for.
 * The key itself draws the persona (simulate_block). Each entry of a stage has two streams: the
 * first's number 0 draws the next move and the next ones the touchpoints and the rules, in that
 * order; the second draws the wait. So the same customer gets the same numbers for the same visit
 * of the same stage, whatever it did before, in every simulation of every variant of a journey.
 * Each number is made only when it is needed. */
static inline __attribute__((always_inline)) void customer_life(Worker *w, const uint64_t key, const int p,
                                                                 const bool money, const bool resumed,
                                                                 const bool rich)
{
    const RtModel *m = w->m;
    const Layout *L = &w->L;
    uint64_t entry;
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
    const double horizon = w->o.horizon - w->arrival; /* the customer's own: the projection's end */
    double exper = m->persona_mood[p], time = 0, revenue = 0, cost = 0;
    RtCtx c;
    c.persona = p;
    c.traits = m->traits + (size_t)p * (size_t)m->ntraits;
    c.visits = visits;
    c.gen = gen;
    Life life = {END_ACTIVE, m->start, false, 0, 0, 0};
    int s = m->start;
    /* `rich` (RtModel.rich): traits drawn, state, met counters, memory and amounts that are
     * expressions. cv is the curve value of the current entry (evaluated at its start), last_time
     * the time of the last entry (memory). In the other variants `rich` is the constant false. */
    double cv = 0, last_time = 0;
    if (rich) rich_begin(w, key, p, &c, exper, resumed ? w->o.start->stage : s);
    /* `resumed` (SimOptions.start, cjm score): the life resumes inside an entry under way, whose
     * arrival (steps 1-5) is behind it: `arriving` is false for that entry only. In the other
     * variants `resumed` is the constant false and none of this is compiled. */
    bool arriving = true;
    if (resumed) {
        const SimStart *from = w->o.start;
        s = life.last = from->stage;
        visits[s].gen = gen;
        visits[s].n = (uint64_t)(from->visits > 1 ? from->visits - 1 : 0);
        reached[s]++;
        if (from->converted || m->stages[s].goal) {
            life.converted = true;
            w->conv_step = 0;
            w->conv_time = 0;
            w->u[L->conv_at + (size_t)s]++;
        }
        arriving = false;
    }
#define CURVE() (rich ? cv : curve[s])
#define CTX_OUT() (c.experience = exper, c.time = time, c.revenue = revenue, c.cost = cost, c.stage = s, \
                   c.curve = CURVE())
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
        if (rich) { /* before anything else: memory fades, met() restarts, the curve's value */
            rich_entry(w, p, time, &exper, &last_time);
            cv = m->curve_ps[row + (size_t)s];
            if (isnan(cv)) {
                c.experience = exper, c.time = time, c.revenue = revenue, c.cost = cost, c.stage = s, c.curve = 0;
                cv = rich_curve(w, &c, row + (size_t)s);
            }
        }
        if (resumed && !arriving) { /* the entry under way: its wait's rest, then on */
            entry = rt_entry_key(key, stage_key[s], ++visits[s].n);
            arriving = true;
            entries[s]++;
            mood_sum[s] += rt_clamp_mood(CURVE() + exper);
            RtWait wt = st->wait;
            if (rich) {
                wt = m->wait_ps[row + (size_t)s];
                if (m->wait_var[row + (size_t)s]) {
                    CTX_OUT();
                    wt = rich_wait(w, &c, st);
                }
            }
            time += rt_wait_remaining(&wt, w->o.start->elapsed, entry + RT_WAIT_OFFSET);
            if (has_horizon && time > horizon) {
                life.outcome = END_ACTIVE;
                break;
            }
            goto next_move;
        }
        /* 1-2: visits, goal, revenue */
        if (visits[s].gen != gen) {
            visits[s].gen = gen;
            visits[s].n = 0;
            reached[s]++;
        }
        visits[s].n++;
        entry = rt_entry_key(key, stage_key[s], visits[s].n); /* this entry's streams */
        if (st->goal && !life.converted && time <= w->window) {
            life.converted = true;
            life.conv_time = time;
            w->conv_step = life.steps;
            w->conv_time = time;
            w->u[L->conv_at + (size_t)s]++;
        }
        /* 2: revenue, booked by its calendar month and day after conversion (earn) in journeys
         * that earn any: the others' entries do not test for it. */
        if (rich) { /* the persona's revenue, or the expression's for the customer (met() is 0 here) */
            double rv = m->rev_ps[row + (size_t)s];
            if (isnan(rv)) {
                CTX_OUT();
                rv = rich_revenue(w, &c, st);
            }
            if (rv != 0) {
                revenue += rv;
                earn(w, time, rv);
                w->f[L->stage_rev + (size_t)s] += rv;
            }
        } else if (money && stage_earns(st)) {
            revenue += st->revenue;
            earn(w, time, st->revenue);
        }
        /* 3-4: touchpoints, then the mood on entry. (Stages with touchpoints or rules are taken
         * as the rarer case: it frees registers for the common path, 5% faster on bench/b7.) */
        if (__builtin_expect(st->ntouch != 0, 0)) {
            CTX_OUT();
            w->acquiring = life.steps <= w->conv_step;
            w->rng = rt_stream(entry + RT_GAMMA); /* number 1 on */
            for (int k = 0; k < st->ntouch; k++) {
                if (rich) meet_rich(w, &c, st->first_touch + k);
                else meet(w, &c, st->first_touch + k);
            }
            CTX_IN();
        }
        entries[s]++;
        mood_sum[s] += rt_clamp_mood(CURVE() + exper);
        /* 5: rules */
        if (__builtin_expect(cell->rule_len != 0, 0)) {
            int next = 0;
            CTX_OUT();
            w->acquiring = life.steps <= w->conv_step;
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
        if (rich) {
            RtWait wt = m->wait_ps[row + (size_t)s];
            if (m->wait_var[row + (size_t)s]) {
                CTX_OUT();
                wt = rich_wait(w, &c, st);
            }
            if (wt.kind != RT_WAIT_NONE) {
                time += rt_wait_draw_at(&wt, entry + RT_WAIT_OFFSET);
                if (has_horizon && time > horizon) {
                    life.outcome = END_ACTIVE;
                    break;
                }
            }
        } else if (st->wait.kind != RT_WAIT_NONE) {
            time += rt_wait_draw_at(&st->wait, entry + RT_WAIT_OFFSET);
            if (has_horizon && time > horizon) {
                life.outcome = END_ACTIVE;
                break;
            }
        }
        /* 7: the next move */
    next_move:;
        int arrow, target;
        if (cell->pick >= 0) {
            const RtPick *pk = pick_arrow(w, entry, cell);
            arrow = pk->arrow;
            target = pk->target;
        } else if (cell->affine >= 0) {
            arrow = choose_affine(w, rt_mix64(entry) >> 11, cell, st, rt_clamp_mood(CURVE() + exper));
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
            w->churn_via = arrow;
            break;
        }
        s = target;
    }
    s = life.last;
    CTX_OUT();
#undef CTX_OUT
#undef CTX_IN
#undef CURVE
    end_customer(w, &c, &life, money);
}

/* The customer loop as one function with every helper of this file inlined (`flatten`), in two
 * variants: for journeys whose stages earn no revenue, and for the others. */
static __attribute__((noinline, flatten)) void simulate_customer_plain(Worker *w, uint64_t key, int p)
{
    customer_life(w, key, p, false, false, false);
}

static __attribute__((noinline, flatten)) void simulate_customer_money(Worker *w, uint64_t key, int p)
{
    customer_life(w, key, p, true, false, false);
}

/* Journeys with traits drawn per customer, state, met(), memory or amounts that are expressions
 * (RtModel.rich): a variant of their own, so that the others' loop stays as it was. */
static __attribute__((noinline, flatten)) void simulate_customer_rich(Worker *w, uint64_t key, int p)
{
    customer_life(w, key, p, true, false, true);
}

/* A customer resuming a life under way (SimOptions.start): a variant of its own, so that ordinary
 * runs do not test for it per entry. It books revenue whenever a stage earns (money). */
static __attribute__((noinline)) void simulate_customer_resumed(Worker *w, uint64_t key, int p)
{
    if (w->rich) customer_life(w, key, p, true, true, true);
    else customer_life(w, key, p, true, true, false);
}

/* Customer `key` of persona p, arriving at w->arrival. */
static inline void simulate_customer(Worker *w, uint64_t key, int p, bool money)
{
    if (money) {
        if (w->rich) simulate_customer_rich(w, key, p);
        else simulate_customer_money(w, key, p);
    } else {
        simulate_customer_plain(w, key, p);
    }
}

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
    for (int s = 0; s < m->nstages; s++) {
        w->stage_key[s] = m->stages[s].crn_key;
        if (m->stages[s].revenue != 0) w->money = true;
    }
    w->rich = m->rich;
    if (w->rich) {
        w->money = true; /* the rich variant books revenue */
        w->trait_row = xcalloc((size_t)m->ntraits + 1, sizeof *w->trait_row);
        w->state = xcalloc((size_t)m->nstates + 1, sizeof *w->state);
        w->met_entry = xcalloc((size_t)m->nmet + 1, sizeof *w->met_entry);
        w->met_ever = xcalloc((size_t)m->nmet + 1, sizeof *w->met_ever);
        w->met_entry_dirty = xcalloc((size_t)m->nmet + 1, sizeof *w->met_entry_dirty);
        w->met_ever_dirty = xcalloc((size_t)m->nmet + 1, sizeof *w->met_ever_dirty);
    }
    if (w->o.sink) w->out = xcalloc(SIM_BLOCK, sizeof *w->out);
    w->window = w->o.window > 0 ? w->o.window : INFINITY;
    w->conv_time = INFINITY;
    w->conv_step = UINT64_MAX;
    reset_money(w);
    w->month_max = sh->nmonths;
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
    free(w->trait_row);
    free(w->state);
    free(w->met_entry);
    free(w->met_ever);
    free(w->met_entry_dirty);
    free(w->met_ever_dirty);
}

/* The period of arrivals (RtModel.arrivals) whose customers' numbers [first, first + count) hold
 * customer i: the last period whose first number is <= i (periods are in the order of their
 * numbers; one with count 0 gives out none). */
static int arrival_period(const RtModel *m, uint64_t i)
{
    int lo = 0, hi = m->narrivals - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (m->arrivals[mid].first <= i) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* A customer's arrival: a day uniform in its period, from a stream of its own (the key mixed with
 * ARRIVAL_SALT): no other draw of the customer uses it, so arrivals change nobody's life, only
 * where it lies on the calendar and how much of it the horizon shows. */
#define ARRIVAL_SALT UINT64_C(0x8BB84B93962EACC9)
static double arrival_day(const RtArrivalPeriod *a, uint64_t key)
{
    double u = (double)(rt_mix64(key ^ ARRIVAL_SALT) >> 11) * (1.0 / RT_ONE53);
    return a->start + a->length * u;
}

static void simulate_block(Worker *w, uint64_t b, Acc *acc)
{
    const SimOptions *o = &w->o;
    const RtModel *m = w->m;
    w->u = acc->u;
    w->f = acc->f;
    w->hist = &acc->hist;
    w->churn_hist = &acc->churn;
    w->acc = acc;
    w->mon_u = acc->mon_u;
    w->mon_f = acc->mon_f;
    w->mon_max = -1;
    uint64_t first = b * SIM_BLOCK, end = first + SIM_BLOCK;
    if (end > o->cohort) end = o->cohort;
    w->nout = 0;
    /* Customer i's key is output i of the run key's stream; each is made a customer ahead. */
    RtRng keys = rt_stream(w->run_key + first * RT_GAMMA);
    uint64_t next = rt_next(&keys);
    if (o->start) { /* resumed lives: no arrivals, everyone starts at day 0 */
        for (uint64_t i = first; i < end; i++) {
            uint64_t key = next;
            next = rt_next(&keys);
            simulate_customer_resumed(w, key, o->persona >= 0 ? o->persona : draw_persona(m, key >> 11));
        }
    } else if (m->narrivals == 0 && !w->money) {
        for (uint64_t i = first; i < end; i++) {
            uint64_t key = next;
            next = rt_next(&keys);
            simulate_customer(w, key, o->persona >= 0 ? o->persona : draw_persona(m, key >> 11), false);
        }
    } else if (m->narrivals == 0) {
        for (uint64_t i = first; i < end; i++) {
            uint64_t key = next;
            next = rt_next(&keys);
            simulate_customer(w, key, o->persona >= 0 ? o->persona : draw_persona(m, key >> 11), true);
        }
    } else {
        int k = arrival_period(m, first);
        for (uint64_t i = first; i < end; i++) {
            uint64_t key = next;
            next = rt_next(&keys);
            while (k + 1 < m->narrivals && m->arrivals[k + 1].first <= i) k++;
            const RtArrivalPeriod *a = &m->arrivals[k];
            /* --persona makes every arrival that persona, as it does a whole cohort */
            int p = o->persona >= 0 ? o->persona : a->persona >= 0 ? a->persona : draw_persona(m, key >> 11);
            w->arrival = arrival_day(a, key);
            month_count(w, 0, MON_PROSPECTS);
            simulate_customer(w, key, p, w->money);
        }
    }
    int hi = w->mon_max >= 0 ? (int)w->mon_max + 1 : 0;
    if (hi > acc->mon_hi) acc->mon_hi = hi;
    if (o->sink) o->sink->block_done(o->sink->ctx, b, w->out, w->nout);
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
    pthread_cond_broadcast(&sh->cv);
}

/* Takes blocks until none is left. The calling thread's worker also reports progress, after each
 * of its blocks and outside the lock (progress.h). */
static void work(Shared *sh, bool reports)
{
    Worker w;
    worker_init(&w, sh);
    const SimOptions *o = sh->o;
    int reported = -1;
    pthread_mutex_lock(&sh->mu);
    for (;;) {
        /* A block may be taken only within `window` of the oldest unmerged one: that bounds
         * the accumulators alive, and the oldest block is always being simulated. */
        while (sh->next_block < sh->nblocks && sh->next_block >= sh->merged + sh->window)
            pthread_cond_wait(&sh->cv, &sh->mu);
        if (sh->next_block >= sh->nblocks || (o->cancel && *o->cancel)) break;
        uint64_t b = sh->next_block++;
        Acc *acc = sh->pool[--sh->npool];
        pthread_mutex_unlock(&sh->mu);
        simulate_block(&w, b, acc);
        pthread_mutex_lock(&sh->mu);
        hand_in(sh, b, acc);
        if (reports && o->progress) {
            double done = (double)sh->merged / (double)sh->nblocks;
            pthread_mutex_unlock(&sh->mu);
            rt_progress_report(o->progress, o->progress_ctx, done, &reported);
            pthread_mutex_lock(&sh->mu);
        }
    }
    pthread_mutex_unlock(&sh->mu);
    worker_free(&w);
}

static void *worker_main(void *arg)
{
    work(arg, false);
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
    work(sh, true); /* the calling thread works too */
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
        row->revenue = m->rich ? sh->total->f[L->stage_rev + (size_t)s] : entries * m->stages[s].revenue;
        row->customer_churned = (double)u[L->cust_churned_at + (size_t)s];
        row->lost = row->churned - row->customer_churned;
    }
}

/* Ways out and churn reasons; a reason's churned split into prospects lost and customers. */
static void fill_exits(RtResult *r, const Shared *sh)
{
    const RtModel *m = sh->m;
    const uint64_t *u = sh->total->u;
    for (int a = 0; a < m->narrows; a++) {
        const RtArrow *ar = &m->arrows[a];
        double n = (double)u[sh->L.exits + (size_t)a];
        rt_result_add_exit(r, ar->stage, ar->target, ar->target == RT_CHURN ? ar->reason : NULL, false, n);
        if (ar->target == RT_CHURN) {
            double cust = (double)u[sh->L.cust_exits + (size_t)a];
            rt_result_add_reason_split(r, ar->stage, ar->reason, n - cust, cust);
        }
    }
    for (int i = 0; i < m->nactions; i++) {
        const RtAction *a = &m->actions[i];
        if (a->exit_slot < 0) continue;
        for (int s = 0; s < m->nstages; s++) {
            size_t at = (size_t)a->exit_slot * (size_t)m->nstages + (size_t)s;
            double n = (double)u[sh->L.rule_exits + at];
            if (n == 0) continue;
            bool churn = a->kind == ACT_CHURN;
            rt_result_add_exit(r, s, churn ? RT_CHURN : a->target, churn ? a->reason : NULL, true, n);
            if (churn) {
                double cust = (double)u[sh->L.cust_rule_exits + at];
                rt_result_add_reason_split(r, s, a->reason, n - cust, cust);
            }
        }
    }
    rt_result_finish(r);
}

static void fill_people(RtResult *r, const Shared *sh)
{
    const RtModel *m = sh->m;
    const Layout *L = &sh->L;
    const uint64_t *u = sh->total->u;
    const double *f = sh->total->f;
    for (int p = 0; p < m->npersonas; p++) {
        RtPersonaRow *row = &r->personas[p];
        row->customers = (double)u[L->customers + (size_t)p];
        row->converted = (double)u[L->converted + (size_t)p];
        row->churned = (double)u[L->churned + (size_t)p];
        row->completed = (double)u[L->completed + (size_t)p];
        row->active = (double)u[L->active + (size_t)p];
        row->customer_churned = (double)u[L->cust_churned + (size_t)p];
        row->lost = row->churned - row->customer_churned;
        r->converted += row->converted;
        r->churned += row->churned;
        r->completed += row->completed;
        r->active += row->active;
        r->customer_churned += row->customer_churned;
    }
    r->lost = r->churned - r->customer_churned;
    for (int t = 0; t < m->ntouch; t++) {
        RtTouchRow *row = &r->touch[t];
        const RtTouch *tp = &m->touch[t];
        row->reached = (double)u[L->tp_reached + (size_t)t];
        row->meetings = (double)u[L->tp_meet + (size_t)t];
        row->cost = m->rich ? f[L->tp_cost + (size_t)t] : row->meetings * tp->cost;
        row->acq_cost = m->rich ? f[L->tp_cost_acq + (size_t)t] : (double)u[L->tp_meet_acq + (size_t)t] * tp->cost;
        row->conversions = (double)u[L->tp_conv + (size_t)t];
        row->respondents = (double)u[L->tp_resp + (size_t)t];
        row->promoters = (double)u[L->tp_prom + (size_t)t];
        row->detractors = (double)u[L->tp_detr + (size_t)t];
        row->score_sum = f[L->tp_score + (size_t)t];
        row->score_sq = f[L->tp_score_sq + (size_t)t];
        if (tp->survey == RT_SURVEY_NPS) {
            r->survey_nps_n += row->respondents;
            r->survey_promoters += row->promoters;
            r->survey_detractors += row->detractors;
        } else if (tp->survey == RT_SURVEY_CSAT) {
            r->survey_csat_n += row->respondents;
            r->survey_csat_sum += row->score_sum;
            r->survey_csat_sq += row->score_sq;
        }
        int ch = tp->channel;
        if (ch >= 0) {
            r->channels[ch].meetings += row->meetings;
            r->channels[ch].cost += row->cost;
            r->channels[ch].acq_cost += row->acq_cost;
        }
    }
    for (int ch = 0; ch < m->nchannels; ch++) {
        RtTouchRow *row = &r->channels[ch];
        row->reached = (double)u[L->ch_reached + (size_t)ch];
        row->conversions = (double)u[L->ch_conv + (size_t)ch];
        row->attr_first = (double)u[L->ch_first + (size_t)ch];
        row->attr_last = (double)u[L->ch_last + (size_t)ch];
        row->attr_linear = f[L->ch_linear + (size_t)ch];
    }
}

/* Customers' follow-up, the money split and satisfaction over customers (kpis.md). */
static void fill_customers(RtResult *r, const Shared *sh)
{
    const Layout *L = &sh->L;
    const Acc *t = sh->total;
    const uint64_t *u = t->u;
    const double *f = t->f;
    r->customers_completed = (double)u[L->cust_completed];
    r->exposure_days = f[L->exposure];
    r->followup_churn = rt_hist_copy(&t->fu_churn);
    r->followup_censor = rt_hist_copy(&t->fu_censor);
    r->followup_completed_never = (double)u[L->completed_never];
    r->acq_cost = f[L->acq_prospects] + f[L->acq_conv];
    r->acq_cost_sq = f[L->acq_prospects_sq] + f[L->acq_conv_sq];
    r->acq_cost_conv = f[L->acq_conv];
    r->serve_cost = f[L->serve];
    r->serve_cost_sq = f[L->serve_sq];
    r->ltv_revenue = f[L->ltv];
    r->ltv_revenue_sq = f[L->ltv_sq];
    r->ltv_revenue_acq = f[L->ltv_acq];
    r->revenue_after = xcalloc(RT_HIST_BUCKETS, sizeof *r->revenue_after);
    r->revenue_after_min = xcalloc(RT_HIST_BUCKETS, sizeof *r->revenue_after_min);
    for (int i = 0; i < RT_HIST_BUCKETS; i++) {
        r->revenue_after[i] = t->rev_after[i];
        r->revenue_after_min[i] = t->rev_min[i];
    }
    if (sh->o->has_horizon) r->followup_window = rt_hist_copy(&t->fu_window);
    r->cust_promoters = (double)u[L->cust_promoters];
    r->cust_detractors = (double)u[L->cust_detractors];
    r->cust_score_n = r->converted;
    r->cust_csat_sum = f[L->cust_csat];
    r->cust_csat_sq = f[L->cust_csat_sq];
}

/* The calendar's months: with a horizon, ceil(horizon / 30) of them (RT_MAX_MONTHS at most), the
 * overflow month's events (at the horizon's very end) in the last; without one, up to the last
 * month used, events past RT_MAX_MONTHS dropped. Without arrivals the whole cohort arrives in
 * month 0. */
static void fill_calendar(RtResult *r, const Shared *sh)
{
    const Acc *t = sh->total;
    int n = sh->nmonths;
    bool overflow_is_last = sh->o->has_horizon && sh->o->horizon <= 30.0 * RT_MAX_MONTHS;
    if (!sh->o->has_horizon) n = t->mon_hi < n ? t->mon_hi : n;
    if (n < 1) n = 1;
    r->months = xcalloc((size_t)n, sizeof *r->months);
    r->nmonths = n;
    for (int mo = 0; mo <= sh->nmonths; mo++) {
        int into = mo < n ? mo : overflow_is_last && mo == sh->nmonths ? n - 1 : -1;
        if (into < 0) continue;
        const uint64_t *cu = t->mon_u + (size_t)mo * MON_NU;
        const double *cf = t->mon_f + (size_t)mo * MON_NF;
        RtMonth *row = &r->months[into];
        row->new_prospects += (double)cu[MON_PROSPECTS];
        row->new_customers += (double)cu[MON_CUSTOMERS];
        row->lost += (double)cu[MON_LOST];
        row->churned_customers += (double)cu[MON_CHURNED];
        row->completed_customers += (double)cu[MON_COMPLETED];
        row->revenue += cf[MON_REVENUE];
        row->cost += cf[MON_COST];
    }
    if (sh->m->narrivals == 0) r->months[0].new_prospects = r->cohort;
    r->has_arrivals = sh->m->narrivals > 0;
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

/* The calendar's months: the horizon's (RT_MAX_MONTHS at most), else RT_MAX_MONTHS. */
static int calendar_months(const SimOptions *o)
{
    if (!o->has_horizon || o->horizon >= 30.0 * RT_MAX_MONTHS) return RT_MAX_MONTHS;
    int n = (int)ceil(o->horizon / 30);
    return n < 1 ? 1 : n;
}

RtResult *sim_result_new(const RtModel *m, const SimOptions *o)
{
    RtResult *r = rt_result_new(m);
    r->cohort = (double)o->cohort;
    r->seed = o->seed;
    r->has_horizon = o->has_horizon;
    r->horizon = o->horizon;
    r->persona = o->persona;
    r->max_steps = o->max_steps;
    r->window = o->window > 0 ? o->window : NAN;
    return r;
}

RtResult *sim_run(const RtModel *m, const SimOptions *o)
{
    rt_rng_init_tables();
    RtResult *r = sim_result_new(m, o);
    Shared sh;
    memset(&sh, 0, sizeof sh);
    sh.m = m;
    sh.o = o;
    sh.L = make_layout(m);
    sh.nmonths = calendar_months(o);
    sh.nblocks = (o->cohort + SIM_BLOCK - 1) / SIM_BLOCK;
    sh.next_block = sh.merged = o->first_block < sh.nblocks ? o->first_block : sh.nblocks;
    int nthreads = o->threads < 1 ? 1 : o->threads;
    if ((uint64_t)nthreads > sh.nblocks - sh.merged) nthreads = sh.nblocks > sh.merged ? (int)(sh.nblocks - sh.merged) : 1;
    sh.window = 2 * (uint64_t)nthreads;
    sh.pending = xcalloc(sh.window, sizeof *sh.pending);
    sh.pool = xcalloc(sh.window, sizeof *sh.pool);
    for (uint64_t i = 0; i < sh.window; i++) sh.pool[sh.npool++] = acc_new(&sh.L, sh.nmonths);
    sh.total = acc_new(&sh.L, sh.nmonths);
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);
    if (m->nstages > 0 && m->start >= 0) run_threads(&sh, nthreads);
    pthread_cond_destroy(&sh.cv);
    pthread_mutex_destroy(&sh.mu);
    bool cancelled = o->cancel && *o->cancel;
    if (cancelled) {
        rt_result_free(r);
        r = NULL;
    } else {
        fill_stages(r, &sh);
        fill_exits(r, &sh);
        fill_people(r, &sh);
        fill_headline(r, &sh);
        fill_customers(r, &sh);
        fill_calendar(r, &sh);
    }
    for (uint64_t i = 0; i < sh.npool; i++) acc_free(sh.pool[i]);
    acc_free(sh.total);
    free(sh.pool);
    free(sh.pending);
    return r;
}
