/* exact.c: the absorbing-Markov-chain analysis (see exact.h).
 *
 * For one persona, the transient states are the stages reachable from the start; Q holds the
 * arrow probabilities between them and A = I - Q. With e the expected entries of each stage
 * (A^T e = unit vector of the start):
 *   - each way out of a stage is taken e_s * p times in expectation (churn reasons, exits,
 *     completion, "no way on");
 *   - revenue and touchpoint meetings are e_s times the stage's amount;
 *   - P(a stage is ever entered) = e_s / N_ss, where N_ss = (A^-1)_ss is 1 for a stage on no cycle.
 * Events that may happen on an entry of a stage s with probability pi_s (converting: pi = 1 on
 * goals; meeting a touchpoint: pi = its reach) have x = P(the event happens, from an entry of i):
 *     x_i = pi_i + (1 - pi_i) * sum_j Q_ij x_j,   i.e. (I - diag(1 - pi) Q) x = pi,
 * and the time at which it first happens, y_i = E[T * 1{event}], solves the same system with
 * right-hand side w_i (x_i - pi_i), w_i the mean wait of stage i. "Met and converted" is
 * P(met) + P(converted) - P(met or converted), the union being one more event.
 *
 * Prospects and customers (kpis.md). Converting happens on the first entry of a goal stage, and
 * the entry that converts belongs wholly to the prospect's acquisition (its touchpoints' costs)
 * and to the customer's value (its revenue). With goals absorbing, M0 = I - diag(1 - goal) Q, the
 * expected entries before converting are M0^T e_pre = 1_start, and at a goal g e_pre_g = c_g, the
 * probability that the first conversion happens there. After converting a customer's process is
 * the chain started at g, so the expected entries from the conversion entry on are
 *     e_post = sum_g c_g N_g,   i.e.   A^T e_post = c   (N = A^-1, never formed).
 * On a non-goal stage e = e_pre + e_post; every entry of a goal stage is a customer's. So a way out
 * of s taken with probability p is taken e_pre_s p times by prospects (churn: lost before
 * converting) and e_post_s p times by customers (customer churn, completion). A customer's
 * exposure ends at churn or completion, both after the stage's wait (an arrow to churn is drawn
 * after the wait; rules, which churn before it, are refused here), so its expectation is
 * sum_s e_post_s w_s. Acquisition cost is the cost of touchpoints met on the entries before
 * converting and on the conversion entry, (e_pre_s + c_s) k_s summed; cost to serve the rest,
 * (e_post_s - c_s) k_s; LTV revenue e_post_s times the stage's revenue.
 *
 * Arrows that read met() (docs/semantics.md, "Arrows that read met()"). On a stage whose arrows
 * read met() of k of its own touchpoints (MetStage), those are met independently by their reach,
 * and given the combination m of them met the arrows are the simulator's (rt_stage_probs with
 * met_entry holding m); Q is the mixture sum_m P(m) Q(m), and every count above is right as it is
 * (an entry's combination is independent of everything before it). What was met on an entry and
 * where it goes are no longer independent, so an event of the entry's meetings has
 *     x = pi + Q~ x,   Q~_st = sum_m P(m) P(no event | m) Q(m)_st
 * in place of diag(1 - pi) Q (edge_keep; P(no event | m) per combination: event_keep), and first,
 * last and linear attribution sum their per-entry products over the combinations. A chain without
 * such a stage (Chain.met NULL) computes every figure exactly as before.
 *
 * Amounts are the persona's (rt_stage_revenue() and the like), and traits drawn by choice() that
 * arrows read make one chain per combination of their values (add_persona).
 *
 * Every matrix here is a non-singular M-matrix once stages that never reach an end are refused,
 * so the profile LU of skyline.h needs no pivoting. */
#include "exact.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "skyline.h"

/* ---- refusing what is not a Markov chain ---- */

/* A leaf that keeps a journey from being a chain, and why (for the error's "which ..."; NULL for
 * the words that say it themselves: mood, time, revenue, cost, visits(...)). */
typedef struct Culprit {
    const Expr *e;
    const char *why;
} Culprit;

/* Whether every touchpoint that met(X) of stage s counts (X itself, or X's touchpoints there) has a
 * reach fixed for each persona, so that meeting it is a coin of known weight on every entry. */
static bool met_reach_fixed(const RtModel *rm, int s, const Expr *e)
{
    for (int k = 0; k < rm->ntouch; k++) {
        const RtTouch *tp = &rm->touch[k];
        bool counted = e->ref == REF_TOUCHPOINT ? k == e->index : tp->channel == e->index;
        if (!counted || tp->stage != s) continue;
        for (int p = 0; p < rm->npersonas; p++)
            if (isnan(rt_touch_reach(rm, p, k))) return false;
    }
    return true;
}

/* Persona p's distribution of trait t when it draws it by choice(), else NULL. */
static const Dist *choice_of(const Model *m, int p, int t)
{
    const Dist *dist = m->trait_dist ? m->trait_dist[(size_t)p * (size_t)m->ntraits + (size_t)t] : NULL;
    return dist && dist->kind == DIST_CHOICE ? dist : NULL;
}

/* Whether every persona that draws trait t per customer draws it by choice(). */
static bool drawn_by_choice_only(const Model *m, int t)
{
    for (int p = 0; p < m->npersonas; p++) {
        const Dist *dist = m->trait_dist ? m->trait_dist[(size_t)p * (size_t)m->ntraits + (size_t)t] : NULL;
        if (dist && dist->kind != DIST_CHOICE) return false;
    }
    return true;
}

/* The first leaf (in written order) of an arrow of stage s that the chain cannot follow: anything
 * that depends on the customer beyond the persona, except met() of the stage's own touchpoints
 * (or channels) whose reach is fixed for the persona. The checker marks what depends on nothing
 * but the persona and stage (from expr.def's classes); an operator is the culprit's only through
 * its operands. `amount`: an amount's expression, which may not read met() either. */
static Culprit chain_culprit(const RtModel *rm, int s, const Expr *e, bool amount)
{
    Culprit none = {NULL, NULL};
    if (!e || e->constant || e->persona_only) return none;
    if (e->kind == EX_CALL && e->fn == FN_MET) {
        if (amount) return (Culprit){e, "counts meetings, which vary per customer"};
        if (met_reach_fixed(rm, s, e)) return none;
        return (Culprit){e, e->ref == REF_TOUCHPOINT ? "is met by a reach that varies per customer"
                                                     : "has a touchpoint in this stage whose reach varies per customer"};
    }
    if (e->kind == EX_CALL && e->fn == FN_MET_EVER)
        return (Culprit){e, "counts the meetings of earlier stage entries too (a Markov chain does not remember them)"};
    if (e->kind == EX_CALL && expr_func_reads_customer(e->fn)) return (Culprit){e, NULL};
    if (e->kind == EX_NAME && e->ref == REF_STATE)
        return (Culprit){e, "is a state variable (a Markov chain does not follow a customer's state)"};
    if (e->kind == EX_NAME && e->ref == REF_TRAIT) {
        if (amount) return (Culprit){e, "is drawn per customer (an amount is evaluated once per persona)"};
        if (!drawn_by_choice_only(rm->model, e->index))
            return (Culprit){e, "is drawn per customer from a continuous distribution (of traits drawn per "
                                "customer, only those drawn by choice() can be followed)"};
        return none;
    }
    Culprit x = none;
    for (const Expr *a = e->kind == EX_CALL ? e->args : NULL; a && !x.e; a = a->next) x = chain_culprit(rm, s, a, amount);
    if (!x.e) x = chain_culprit(rm, s, e->a, amount);
    if (!x.e) x = chain_culprit(rm, s, e->b, amount);
    if (x.e || e->kind == EX_CALL || e->a || e->b) return x;
    return (Culprit){e, NULL}; /* a leaf: mood, time, revenue, cost */
}

/* How a culprit is written: "mood", "time", "visits(Active)", "met_ever(Ad)", "lambda". */
static const char *leaf_name(const RtModel *rm, const Expr *e, char *buf, size_t n)
{
    if (e->kind == EX_CALL) {
        const Model *m = rm->model;
        const char *arg = e->fn == FN_MET || e->fn == FN_MET_EVER
                              ? (e->ref == REF_CHANNEL ? m->channels[e->index]->name.s : m->touchpoints[e->index]->name.s)
                              : m->stages[e->index]->name.s;
        snprintf(buf, n, "%s(%s)", expr_func_name(e->fn), arg);
        return buf;
    }
    return e->kind == EX_NAME ? e->name.s : expr_spelling(e->kind);
}

/* Reports the culprit of `e` (an arrow's, or an amount's), if any: "--exact needs WHAT, but this
 * one depends on 'X'[, which WHY]". */
static bool refuse_culprit(const RtModel *rm, int s, const Expr *e, bool amount, const char *what, Diag *d)
{
    Culprit c = chain_culprit(rm, s, e, amount);
    if (!c.e) return false;
    char buf[256];
    diag_error(d, c.e->loc, "--exact needs %s, but this one depends on '%s'%s%s", what,
               leaf_name(rm, c.e, buf, sizeof buf), c.why ? ", which " : "", c.why ? c.why : "");
    diag_note(d, c.e->loc, "without --exact, 'cjm run' simulates this journey");
    return true;
}

/* Marks in `seen` (by touchpoint) what the met() calls of `e` count on an entry of stage s: a
 * touchpoint of s, or a channel's touchpoints in s (others are never met there: met() is 0).
 * Returns the first call that makes more than EXACT_MAX_MET, or NULL. */
static const Expr *count_met(const RtModel *rm, int s, const Expr *e, bool *seen, int *count)
{
    if (!e || e->constant || e->persona_only) return NULL;
    if (e->kind == EX_CALL && e->fn == FN_MET) {
        for (int k = 0; k < rm->ntouch; k++) {
            const RtTouch *tp = &rm->touch[k];
            bool counted = e->ref == REF_TOUCHPOINT ? k == e->index : tp->channel == e->index;
            if (!counted || tp->stage != s || seen[k]) continue;
            seen[k] = true;
            if (++*count > EXACT_MAX_MET) return e;
        }
        return NULL;
    }
    const Expr *x = NULL;
    for (const Expr *a = e->kind == EX_CALL ? e->args : NULL; a && !x; a = a->next) x = count_met(rm, s, a, seen, count);
    if (!x) x = count_met(rm, s, e->a, seen, count);
    if (!x) x = count_met(rm, s, e->b, seen, count);
    return x;
}

static bool refuse_arrows(const RtModel *rm, int s, bool *seen, Diag *d)
{
    static const char probs[] = "arrow probabilities that depend on nothing but the persona and met() of the stage's "
                                "own touchpoints";
    static const char conds[] = "arrow conditions ('when') that depend on nothing but the persona and met() of the "
                                "stage's own touchpoints";
    const Stage *st = rm->stages[s].src;
    for (const Arrow *a = st->arrows; a; a = a->next) {
        if (refuse_culprit(rm, s, a->otherwise ? NULL : a->prob, false, probs, d)) return true;
        if (refuse_culprit(rm, s, a->when, false, conds, d)) return true;
    }
    memset(seen, 0, (size_t)rm->ntouch * sizeof *seen);
    int count = 0;
    for (const Arrow *a = st->arrows; a; a = a->next) {
        const Expr *over = count_met(rm, s, a->otherwise ? NULL : a->prob, seen, &count);
        if (!over) over = count_met(rm, s, a->when, seen, &count);
        if (!over) continue;
        char buf[256], what[512];
        snprintf(what, sizeof what, "the arrows of stage '%s' to read met() of at most %d of its touchpoints", st->name.s,
                 EXACT_MAX_MET);
        diag_error(d, over->loc, "--exact needs %s, but this one depends on '%s', which makes %d", what,
                   leaf_name(rm, over, buf, sizeof buf), count);
        diag_note(d, over->loc, "without --exact, 'cjm run' simulates this journey");
        return true;
    }
    return false;
}

/* An amount that varies per customer for some persona (NaN from rt_stage_revenue() and the like):
 * refused at its expression's culprit, or at `where` when the expression names none. */
static bool refuse_amount(const RtModel *rm, int s, bool varies, const Expr *e, const char *what, Loc where, Diag *d)
{
    if (!varies) return false;
    char need[128];
    snprintf(need, sizeof need, "amounts fixed for each persona (%s)", what);
    if (refuse_culprit(rm, s, e, true, need, d)) return true;
    diag_error(d, where, "--exact needs amounts fixed for each persona, but this %s varies per customer", what);
    diag_note(d, where, "without --exact, 'cjm run' simulates this journey");
    return true;
}

/* The first of the stage's amounts (revenue, wait, its touchpoints' reach and cost) that varies
 * per customer for some persona. */
static bool refuse_amounts(const RtModel *rm, int s, Diag *d)
{
    const RtStage *st = &rm->stages[s];
    const Stage *src = st->src;
    bool rev = false, wait = false;
    for (int p = 0; p < rm->npersonas; p++) {
        rev |= isnan(rt_stage_revenue(rm, p, s));
        wait |= isnan(rt_stage_wait_mean(rm, p, s));
    }
    if (refuse_amount(rm, s, rev, src->revenue_expr, "a stage's revenue", src->name.loc, d)) return true;
    for (int i = 0; wait && src->wait && i < src->wait->nargs && i < 3; i++)
        if (refuse_culprit(rm, s, src->wait->arg_expr[i], true, "amounts fixed for each persona (a wait's mean)", d))
            return true;
    if (refuse_amount(rm, s, wait, NULL, "wait", src->name.loc, d)) return true;
    for (int k = st->first_touch; k < st->first_touch + st->ntouch; k++) {
        const Touchpoint *t = rm->touch[k].src;
        bool reach = false, cost = false;
        for (int p = 0; p < rm->npersonas; p++) {
            reach |= isnan(rt_touch_reach(rm, p, k));
            cost |= isnan(rt_touch_cost(rm, p, k));
        }
        if (refuse_amount(rm, s, reach, t->reach_expr, "a touchpoint's reach", t->name.loc, d)) return true;
        if (refuse_amount(rm, s, cost, t->cost_expr, "a touchpoint's cost", t->name.loc, d)) return true;
    }
    return false;
}

/* Whether e reads met() of a touchpoint of stage s (or of a channel with one there). */
static bool reads_met_here(const Model *m, int s, const Expr *e)
{
    if (!e || e->constant || e->persona_only) return false;
    if (e->kind == EX_CALL && e->fn == FN_MET) {
        for (int k = 0; k < m->ntouchpoints; k++) {
            const Touchpoint *t = m->touchpoints[k];
            bool counted = e->ref == REF_TOUCHPOINT ? k == e->index : t->channel_index == e->index;
            if (counted && t->stage_index == s) return true;
        }
        return false;
    }
    for (const Expr *a = e->kind == EX_CALL ? e->args : NULL; a; a = a->next)
        if (reads_met_here(m, s, a)) return true;
    return reads_met_here(m, s, e->a) || reads_met_here(m, s, e->b);
}

bool exact_moves_by_meetings(const Model *m)
{
    for (int s = 0; s < m->nstages; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next)
            if (reads_met_here(m, s, a->otherwise ? NULL : a->prob) || reads_met_here(m, s, a->when)) return true;
    return false;
}

/* Marks in `read` the traits drawn per customer that e reads, in `first` the first read of each. */
static void traits_read(const Model *m, const Expr *e, bool *read, const Expr **first)
{
    if (!e || e->constant || e->persona_only) return;
    if (e->kind == EX_NAME && e->ref == REF_TRAIT && m->trait_varies && m->trait_varies[e->index]) {
        if (!read[e->index]) first[e->index] = e;
        read[e->index] = true;
    }
    for (const Expr *a = e->kind == EX_CALL ? e->args : NULL; a; a = a->next) traits_read(m, a, read, first);
    traits_read(m, e->a, read, first);
    traits_read(m, e->b, read, first);
}

/* The traits drawn by choice() that the arrows of the reachable stages read (read[t]), with the
 * first read of each (first[t]). */
static void arrow_traits(const Model *m, bool *read, const Expr **first)
{
    for (int s = 0; s < m->nstages; s++) {
        if (!m->stages[s]->reachable) continue;
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) {
            traits_read(m, a->otherwise ? NULL : a->prob, read, first);
            traits_read(m, a->when, read, first);
        }
    }
}

/* A persona whose traits drawn by choice() and read by arrows have more than EXACT_MAX_CHOICES
 * combinations of values: refused at the read that passes the bound. */
static bool refuse_choices(const RtModel *rm, Diag *d)
{
    const Model *m = rm->model;
    bool *read = xcalloc((size_t)m->ntraits + 1, sizeof *read);
    const Expr **first = xcalloc((size_t)m->ntraits + 1, sizeof *first);
    arrow_traits(m, read, first);
    bool refused = false;
    for (int p = 0; p < m->npersonas && !refused; p++) {
        double combos = 1;
        for (int t = 0; t < m->ntraits && !refused; t++) {
            const Dist *dist = read[t] ? choice_of(m, p, t) : NULL;
            if (!dist) continue;
            combos *= dist->nargs;
            if (combos <= EXACT_MAX_CHOICES) continue;
            diag_error(d, first[t]->loc,
                       "--exact needs at most %d combinations of the traits drawn by choice() that arrows read, but "
                       "this one depends on '%s', which makes %.0f for persona '%s'",
                       EXACT_MAX_CHOICES, first[t]->name.s, combos, m->personas[p]->name.s);
            diag_note(d, first[t]->loc, "without --exact, 'cjm run' simulates this journey");
            refused = true;
        }
    }
    free(read);
    free(first);
    return refused;
}

bool exact_check(const RtModel *rm, Diag *d)
{
    bool *seen = xcalloc((size_t)rm->ntouch + 1, sizeof *seen);
    bool refused = false;
    for (int s = 0; s < rm->nstages && !refused; s++) {
        if (!rm->stages[s].src->reachable) continue;
        refused = refuse_arrows(rm, s, seen, d) || refuse_amounts(rm, s, d);
    }
    free(seen);
    if (refused || refuse_choices(rm, d)) return false;
    for (int r = 0; r < rm->nrules; r++) {
        const Rule *rule = rm->rules[r].src;
        if (!rule->actions) continue;
        if (rule->when && rule->when->constant && sema_eval_constant(rule->when) == 0) continue;
        diag_error(d, rule->name.loc,
                   "--exact cannot analyse rules: rule '%s' changes customers as they go (a Markov chain has none)",
                   rule->name.s);
        diag_note(d, rule->name.loc, "without --exact, 'cjm run' simulates this journey");
        return false;
    }
    return true;
}

/* ---- one persona's chain ---- */

typedef struct Edge {
    int from, to;       /* rows */
    double q;
    int arrow;          /* the arrow it follows */
} Edge;

/* A stage whose arrows read met() of its own touchpoints: its move depends on which of them were
 * met on the entry. Those it follows (read by its arrows, and met with a reach above 0) are met
 * independently, each by its reach, so the entry's combination of them (bit j: tp[j] met) has
 * probability pm, and given it the arrows' probabilities are the simulator's (rt_stage_probs with
 * met_entry holding the combination). */
typedef struct MetStage {
    int k;
    int tp[EXACT_MAX_MET]; /* the touchpoints followed, in written order */
    double *pm;            /* [2^k] */
    double *pa;            /* [2^k * narrows]: each arrow's probability given the combination, the
                              leftover an otherwise arrow takes included */
} MetStage;

typedef struct Chain {
    const RtModel *m;
    int p;
    const double *traits; /* [ntraits]: the persona's, with values of traits drawn by choice() */
    double *prob;       /* [narrows]: including the share an otherwise arrow takes */
    double *complete;   /* [nstages]: P(completing) on leaving the stage */
    double *noway;      /* [nstages]: the part of that with no way on */
    double *churn;      /* [nstages]: P(churning) on leaving the stage */
    bool *overfull;
    int *nan_site;      /* [nstages] */
    /* The persona's amounts (rt_touch_reach() and the like, model.h). */
    double *reach, *cost;     /* [ntouch] */
    double *revenue, *wait;   /* [nstages]: revenue, mean wait in days */
    /* The stages whose moves depend on meetings (NULL for the others; the array itself NULL when
     * there are none, and then every figure is computed as it always was), and with them, the
     * probability that each warning site warns on an entry of its stage. */
    MetStage **met;     /* [nstages] */
    double *site_p;     /* [nsites] */
    int *row, *stage;   /* stage -> row (-1: unreachable), row -> stage */
    int n;
    Edge *edges;
    int nedges;
    int *lo, *top;
    RtSky A, M;         /* I - Q factorised; the workspace of event systems */
    double *e;          /* [n]: expected entries */
    double *x, *y;      /* [n]: event solves */
    /* The split at conversion (add_conversion): entries before converting (0 on goals), the
     * conversion entries (c_g on goals, 0 elsewhere), entries from the conversion entry on, and
     * P(converting) from an entry of each row. */
    double *pre, *conv, *post, *conv_from;
    int *first_edge;    /* [n + 1]: the edges leaving row i are first_edge[i] .. first_edge[i + 1] */
} Chain;

/* The persona's amounts: the journey's constants, or its expressions of the persona's traits. */
static void persona_amounts(Chain *c)
{
    const RtModel *m = c->m;
    for (int k = 0; k < m->ntouch; k++) {
        c->reach[k] = rt_touch_reach(m, c->p, k);
        c->cost[k] = rt_touch_cost(m, c->p, k);
    }
    for (int s = 0; s < m->nstages; s++) {
        c->revenue[s] = rt_stage_revenue(m, c->p, s);
        c->wait[s] = rt_stage_wait_mean(m, c->p, s);
    }
}

/* The touchpoints of stage s that its arrows read with met() and that may be met, in written
 * order; NULL when there are none (met() is then 0 on every entry). */
static MetStage *met_stage_new(const Chain *c, int s, bool *seen)
{
    const RtModel *m = c->m;
    const RtStage *st = &m->stages[s];
    memset(seen, 0, (size_t)m->ntouch * sizeof *seen);
    int count = 0;
    for (const Arrow *a = st->src->arrows; a; a = a->next) {
        count_met(m, s, a->otherwise ? NULL : a->prob, seen, &count);
        count_met(m, s, a->when, seen, &count);
    }
    MetStage ms = {0};
    for (int k = st->first_touch; k < st->first_touch + st->ntouch && ms.k < EXACT_MAX_MET; k++)
        if (seen[k] && c->reach[k] > 0) ms.tp[ms.k++] = k;
    if (ms.k == 0) return NULL;
    MetStage *out = xcalloc(1, sizeof *out);
    *out = ms;
    size_t ncombo = (size_t)1 << ms.k;
    out->pm = xcalloc(ncombo, sizeof *out->pm);
    out->pa = xcalloc(ncombo * (size_t)st->narrows + 1, sizeof *out->pa);
    return out;
}

static void met_stage_free(MetStage *ms)
{
    if (!ms) return;
    free(ms->pm);
    free(ms->pa);
    free(ms);
}

/* The index of touchpoint k among those ms follows, or -1. */
static int followed(const MetStage *ms, int k)
{
    for (int j = 0; j < ms->k; j++)
        if (ms->tp[j] == k) return j;
    return -1;
}

/* Stage s's arrows as the mixture over the combinations of its followed touchpoints met: each
 * combination's probabilities (and warnings) weighted by its probability. */
static void evaluate_met_stage(Chain *c, int s, MetStage *ms, RtCtx *ctx, double *stack, uint32_t *met_entry)
{
    const RtModel *m = c->m;
    const RtStage *st = &m->stages[s];
    size_t slots = (size_t)m->ntouch + (size_t)m->nchannels;
    for (unsigned combo = 0; combo < 1u << ms->k; combo++) {
        double pm = 1;
        memset(met_entry, 0, slots * sizeof *met_entry);
        for (int j = 0; j < ms->k; j++) {
            const RtTouch *tp = &m->touch[ms->tp[j]];
            bool met = combo >> j & 1;
            pm *= met ? c->reach[ms->tp[j]] : 1 - c->reach[ms->tp[j]];
            met_entry[ms->tp[j]] = met;
            if (tp->channel >= 0) met_entry[m->ntouch + tp->channel] += met;
        }
        ms->pm[combo] = pm;
        if (!(pm > 0)) continue;
        double *pa = ms->pa + (size_t)combo * (size_t)st->narrows;
        RtChoice ch;
        rt_stage_probs(m, s, ctx, stack, pa, &ch);
        if (ch.other >= 0) pa[ch.other - st->first_arrow] = ch.leftover;
        else {
            c->complete[s] += pm * ch.leftover;
            c->noway[s] += pm * ch.leftover;
        }
        for (int i = 0; i < st->narrows; i++) c->prob[st->first_arrow + i] += pm * pa[i];
        if (ch.overfull) c->site_p[st->site_overfull] += pm;
        if (ch.nan_site >= 0) c->site_p[ch.nan_site] += pm;
    }
    for (int i = 0; i < st->narrows; i++)
        if (m->arrows[st->first_arrow + i].target == RT_CHURN) c->churn[s] += c->prob[st->first_arrow + i];
}

static void evaluate_arrows(Chain *c)
{
    const RtModel *m = c->m;
    double *stack = xcalloc((size_t)m->max_stack + 1, sizeof *stack);
    RtVisits *no_visits = xcalloc((size_t)m->nstages + 1, sizeof *no_visits);
    /* met() reads these: no meeting unless a combination says so; met_ever() is refused */
    size_t slots = (size_t)m->ntouch + (size_t)m->nchannels + 1;
    uint32_t *met_entry = xcalloc(slots, sizeof *met_entry), *met_ever = xcalloc(slots, sizeof *met_ever);
    bool *seen = xcalloc((size_t)m->ntouch + 1, sizeof *seen);
    for (int s = 0; s < m->nstages; s++) {
        const RtStage *st = &m->stages[s];
        c->nan_site[s] = -1;
        if (st->narrows == 0) {
            c->complete[s] = 1;
            continue;
        }
        RtCtx ctx = {0};
        ctx.persona = c->p;
        ctx.stage = s;
        ctx.traits = c->traits;
        ctx.visits = no_visits;
        ctx.met_entry = met_entry;
        ctx.met_ever = met_ever;
        MetStage *ms = st->src->reachable ? met_stage_new(c, s, seen) : NULL;
        if (ms) {
            if (!c->met) {
                c->met = xcalloc((size_t)m->nstages + 1, sizeof *c->met);
                c->site_p = xcalloc((size_t)m->nsites + 1, sizeof *c->site_p);
            }
            c->met[s] = ms;
            evaluate_met_stage(c, s, ms, &ctx, stack, met_entry);
            memset(met_entry, 0, slots * sizeof *met_entry);
            continue;
        }
        RtChoice ch;
        double *prob = c->prob + st->first_arrow;
        rt_stage_probs(m, s, &ctx, stack, prob, &ch);
        c->overfull[s] = ch.overfull;
        c->nan_site[s] = ch.nan_site;
        if (ch.other >= 0) c->prob[ch.other] = ch.leftover;
        else c->complete[s] = c->noway[s] = ch.leftover;
        for (int i = 0; i < st->narrows; i++)
            if (m->arrows[st->first_arrow + i].target == RT_CHURN) c->churn[s] += prob[i];
    }
    free(seen);
    free(met_entry);
    free(met_ever);
    free(no_visits);
    free(stack);
}

/* Rows for the stages reachable from the start through arrows of positive probability. */
static void number_rows(Chain *c)
{
    const RtModel *m = c->m;
    for (int s = 0; s < m->nstages; s++) c->row[s] = -1;
    int *queue = xcalloc((size_t)m->nstages + 1, sizeof *queue);
    bool *seen = xcalloc((size_t)m->nstages + 1, sizeof *seen);
    int head = 0, tail = 0;
    queue[tail++] = m->start;
    seen[m->start] = true;
    while (head < tail) {
        const RtStage *st = &m->stages[queue[head++]];
        for (int i = 0; i < st->narrows; i++) {
            int t = m->arrows[st->first_arrow + i].target;
            if (t >= 0 && c->prob[st->first_arrow + i] > 0 && !seen[t]) {
                seen[t] = true;
                queue[tail++] = t;
            }
        }
    }
    for (int s = 0; s < m->nstages; s++)
        if (seen[s]) {
            c->row[s] = c->n;
            c->stage[c->n++] = s;
        }
    free(queue);
    free(seen);
}

static void collect_edges(Chain *c)
{
    const RtModel *m = c->m;
    c->edges = xcalloc((size_t)m->narrows + 1, sizeof *c->edges);
    for (int a = 0; a < m->narrows; a++) {
        const RtArrow *ar = &m->arrows[a];
        if (ar->target < 0 || c->prob[a] <= 0 || c->row[ar->stage] < 0) continue;
        c->edges[c->nedges++] = (Edge){c->row[ar->stage], c->row[ar->target], c->prob[a], a};
    }
}

/* The met stage of row i, or NULL. */
static const MetStage *met_of(const Chain *c, int i) { return c->met ? c->met[c->stage[i]] : NULL; }

/* P(combination `combo` of row i's followed touchpoints met, and the move takes edge e). */
static double combo_edge(const Chain *c, const MetStage *ms, unsigned combo, const Edge *e)
{
    const RtStage *st = &c->m->stages[c->stage[e->from]];
    return ms->pm[combo] * ms->pa[(size_t)combo * (size_t)st->narrows + (size_t)(e->arrow - st->first_arrow)];
}

/* The first reachable stage from which no end can be reached, or -1. */
static int trapped_stage(const Chain *c)
{
    bool *ends = xcalloc((size_t)c->n + 1, sizeof *ends);
    for (int i = 0; i < c->n; i++) {
        int s = c->stage[i];
        ends[i] = c->complete[s] > 0 || c->churn[s] > 0;
    }
    /* Backward closure over the edges; journeys are small enough for a fixed-point sweep, but a
     * long chain needs many sweeps, so iterate until nothing changes. */
    for (bool changed = true; changed;) {
        changed = false;
        for (int k = c->nedges - 1; k >= 0; k--) {
            const Edge *e = &c->edges[k];
            if (!ends[e->from] && ends[e->to]) ends[e->from] = changed = true;
        }
    }
    int trapped = -1;
    for (int i = 0; i < c->n && trapped < 0; i++)
        if (!ends[i]) trapped = c->stage[i];
    free(ends);
    return trapped;
}

static void build_profile(Chain *c)
{
    c->lo = xcalloc((size_t)c->n + 1, sizeof *c->lo);
    c->top = xcalloc((size_t)c->n + 1, sizeof *c->top);
    for (int i = 0; i < c->n; i++) c->lo[i] = c->top[i] = i;
    for (int k = 0; k < c->nedges; k++) {
        int i = c->edges[k].from, j = c->edges[k].to;
        if (j < i && j < c->lo[i]) c->lo[i] = j;
        if (j > i && i < c->top[j]) c->top[j] = i;
    }
    rt_sky_init(&c->A, c->n, c->lo, c->top);
    rt_sky_init(&c->M, c->n, c->lo, c->top);
}

/* An event that may happen on an entry (converting, meeting a touchpoint or a channel, ...) has
 * probability pi_i on an entry of row i. Where it is independent of the entry's move, the entry
 * goes on without it to row j with probability (1 - pi_i) Q_ij. On a met stage's row where the
 * event depends on the combination of followed touchpoints met, keep[i] gives per combination
 * P(no event | combination), and that probability is sum over the combinations of P(combination)
 * keep[i][combination] P(the move | combination). keep NULL (or keep[i] NULL): independent. */
static double edge_keep(const Chain *c, const Edge *e, const double *pi, double *const *keep)
{
    const double *kp = keep ? keep[e->from] : NULL;
    if (!kp) {
        double k = pi ? 1 - pi[e->from] : 1;
        return k > 0 ? k * e->q : 0;
    }
    const MetStage *ms = met_of(c, e->from);
    double sum = 0;
    for (unsigned combo = 0; combo < 1u << ms->k; combo++)
        if (kp[combo] > 0) sum += kp[combo] * combo_edge(c, ms, combo, e);
    return sum;
}

/* M = I - Q~, Q~ the moves without the event (pi NULL: no event, Q~ = Q), factorised. */
static bool factor_system(Chain *c, RtSky *M, const double *pi, double *const *keep)
{
    rt_sky_zero(M);
    for (int i = 0; i < c->n; i++) rt_sky_add(M, i, i, 1);
    for (int k = 0; k < c->nedges; k++) {
        const Edge *e = &c->edges[k];
        double q = edge_keep(c, e, pi, keep);
        if (q > 0) rt_sky_add(M, e->from, e->to, -q);
    }
    return rt_sky_factor(M);
}

/* keep (see edge_keep) for the event "one of the touchpoints `in` [ntouch] is met", or NULL when
 * no met stage's row makes it depend on the move. Rows with goal_pi > 0 (given) are left
 * independent: there the event is joined to converting, which happens on every entry. */
static double **event_keep(const Chain *c, const bool *in, const double *goal_pi)
{
    if (!c->met) return NULL;
    const RtModel *m = c->m;
    double **keep = NULL;
    for (int i = 0; i < c->n; i++) {
        const MetStage *ms = met_of(c, i);
        if (!ms || (goal_pi && goal_pi[i] > 0)) continue;
        const RtStage *st = &m->stages[c->stage[i]];
        unsigned dep = 0;
        double none = 1; /* P(none of the others met) */
        for (int k = st->first_touch; k < st->first_touch + st->ntouch; k++) {
            if (!in[k] || !(c->reach[k] > 0)) continue;
            int j = followed(ms, k);
            if (j >= 0) dep |= 1u << j;
            else none *= 1 - c->reach[k];
        }
        if (!dep) continue;
        if (!keep) keep = xcalloc((size_t)c->n + 1, sizeof *keep);
        keep[i] = xcalloc((size_t)1 << ms->k, sizeof *keep[i]);
        for (unsigned combo = 0; combo < 1u << ms->k; combo++) keep[i][combo] = combo & dep ? 0 : none;
    }
    return keep;
}

static void keep_free(const Chain *c, double **keep)
{
    if (!keep) return;
    for (int i = 0; i < c->n; i++) free(keep[i]);
    free(keep);
}

/* x = P(event), y = E[time of the event, 0 if none] (when y is not NULL), from the start. With
 * Q~ the moves without the event, x = pi + Q~ x and y = Q~ (w x + y): the wait, spent before the
 * move and independent of it, has the same right-hand side w_i (x_i - pi_i) as before. */
static void event_solve(Chain *c, const double *pi, double *const *keep, double *px, double *py)
{
    if (!factor_system(c, &c->M, pi, keep)) {
        *px = NAN;
        if (py) *py = NAN;
        return;
    }
    memcpy(c->x, pi, (size_t)c->n * sizeof *c->x);
    rt_sky_solve(&c->M, c->x);
    int start = c->row[c->m->start];
    *px = c->x[start];
    if (!py) return;
    for (int i = 0; i < c->n; i++) c->y[i] = c->wait[c->stage[i]] * (c->x[i] - pi[i]);
    rt_sky_solve(&c->M, c->y);
    *py = c->y[start];
}

static void chain_free(Chain *c)
{
    free(c->prob);
    free(c->complete);
    free(c->noway);
    free(c->churn);
    free(c->overfull);
    free(c->nan_site);
    free(c->reach);
    free(c->cost);
    free(c->revenue);
    free(c->wait);
    for (int s = 0; c->met && s < c->m->nstages; s++) met_stage_free(c->met[s]);
    free(c->met);
    free(c->site_p);
    free(c->row);
    free(c->stage);
    free(c->edges);
    free(c->lo);
    free(c->top);
    free(c->e);
    free(c->x);
    free(c->y);
    free(c->pre);
    free(c->conv);
    free(c->post);
    free(c->conv_from);
    free(c->first_edge);
    if (c->A.lo) rt_sky_free(&c->A);
    if (c->M.lo) rt_sky_free(&c->M);
}

static bool chain_build(Chain *c, const RtModel *m, int p, const double *traits, bool name_persona, Diag *d)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    c->p = p;
    c->traits = traits;
    size_t ns = (size_t)m->nstages + 1, nt = (size_t)m->ntouch + 1;
    c->prob = xcalloc((size_t)m->narrows + 1, sizeof *c->prob);
    c->complete = xcalloc(ns, sizeof *c->complete);
    c->noway = xcalloc(ns, sizeof *c->noway);
    c->churn = xcalloc(ns, sizeof *c->churn);
    c->overfull = xcalloc(ns, sizeof *c->overfull);
    c->nan_site = xcalloc(ns, sizeof *c->nan_site);
    c->reach = xcalloc(nt, sizeof *c->reach);
    c->cost = xcalloc(nt, sizeof *c->cost);
    c->revenue = xcalloc(ns, sizeof *c->revenue);
    c->wait = xcalloc(ns, sizeof *c->wait);
    c->row = xcalloc(ns, sizeof *c->row);
    c->stage = xcalloc(ns, sizeof *c->stage);
    persona_amounts(c);
    evaluate_arrows(c);
    number_rows(c);
    collect_edges(c);
    int trapped = trapped_stage(c);
    if (trapped >= 0) {
        const Stage *st = m->stages[trapped].src;
        bool named = name_persona && m->npersonas > 1;
        diag_error(d, st->name.loc,
                   "--exact cannot analyse this journey: customers%s%s who reach stage '%s' can never leave the journey "
                   "(no end can be reached from there), so their expected number of entries is infinite",
                   named ? " of persona " : "", named ? m->model->personas[p]->name.s : "", st->name.s);
        diag_note(d, st->name.loc, "without --exact, 'cjm run' simulates them until the horizon or the step limit");
        return false;
    }
    build_profile(c);
    c->e = xcalloc((size_t)c->n + 1, sizeof *c->e);
    c->x = xcalloc((size_t)c->n + 1, sizeof *c->x);
    c->y = xcalloc((size_t)c->n + 1, sizeof *c->y);
    c->pre = xcalloc((size_t)c->n + 1, sizeof *c->pre);
    c->conv = xcalloc((size_t)c->n + 1, sizeof *c->conv);
    c->post = xcalloc((size_t)c->n + 1, sizeof *c->post);
    c->conv_from = xcalloc((size_t)c->n + 1, sizeof *c->conv_from);
    c->first_edge = xcalloc((size_t)c->n + 2, sizeof *c->first_edge);
    for (int k = 0; k < c->nedges; k++) c->first_edge[c->edges[k].from + 1]++;
    for (int i = 0; i < c->n; i++) c->first_edge[i + 1] += c->first_edge[i];
    if (!factor_system(c, &c->A, NULL, NULL)) {
        diag_error(d, (Loc){0, 0, 0}, "--exact: the journey's equations could not be solved (a singular system)");
        return false;
    }
    c->e[c->row[m->start]] = 1;
    rt_sky_solve_t(&c->A, c->e);
    return true;
}

/* Marks the rows that lie on a cycle (can be entered again after an entry): those in a strongly
 * connected component of more than one row, or with an edge to themselves. Tarjan's algorithm,
 * iteratively (a journey of thousands of stages would be deep recursion). Edges are grouped by
 * their first row (collect_edges goes stage by stage); first[] indexes them. */
static void mark_cycles(const Chain *c, const int *first, bool *cyclic)
{
    int n = c->n, counter = 0, sp = 0, cs = 0;
    int *index = xcalloc((size_t)n + 1, sizeof *index), *low = xcalloc((size_t)n + 1, sizeof *low);
    int *stack = xcalloc((size_t)n + 1, sizeof *stack), *call = xcalloc((size_t)n + 1, sizeof *call);
    int *next_edge = xcalloc((size_t)n + 1, sizeof *next_edge);
    bool *on_stack = xcalloc((size_t)n + 1, sizeof *on_stack);
    for (int i = 0; i < n; i++) index[i] = -1;
    for (int root = 0; root < n; root++) {
        if (index[root] >= 0) continue;
        call[cs++] = root;
        index[root] = low[root] = counter++;
        stack[sp++] = root;
        on_stack[root] = true;
        next_edge[root] = first[root];
        while (cs > 0) {
            int v = call[cs - 1];
            if (next_edge[v] < first[v + 1]) {
                const Edge *e = &c->edges[next_edge[v]++];
                int u = e->to;
                if (u == v) cyclic[v] = true;
                if (index[u] < 0) {
                    index[u] = low[u] = counter++;
                    stack[sp++] = u;
                    on_stack[u] = true;
                    next_edge[u] = first[u];
                    call[cs++] = u;
                } else if (on_stack[u] && index[u] < low[v]) {
                    low[v] = index[u];
                }
                continue;
            }
            cs--;
            if (cs > 0 && low[v] < low[call[cs - 1]]) low[call[cs - 1]] = low[v];
            if (low[v] != index[v]) continue;
            int size = 0, top = sp;
            do {
                on_stack[stack[--sp]] = false;
                size++;
            } while (stack[sp] != v);
            if (size > 1)
                for (int k = sp; k < top; k++) cyclic[stack[k]] = true;
        }
    }
    free(index);
    free(low);
    free(stack);
    free(call);
    free(next_edge);
    free(on_stack);
}

/* ---- adding one persona's figures, weighted by its customers ---- */

/* What the RtResult has no per-arrow or per-site place for. */
typedef struct Totals {
    double *exits;      /* [narrows] */
    double *exits_lost; /* [narrows]: of which taken by prospects (arrows to churn: lost) */
    double *exits_cust; /* [narrows]: of which taken by customers (customer churn) */
    double *warn;       /* [nsites] */
    double conv_time;   /* sum of E[time to convert * 1{converted}] */
    bool linear_unknown; /* some chain had too many channels for linear attribution */
} Totals;

static void add_stages(RtResult *r, Totals *t, Chain *c, double w, RtPersonaRow *pr)
{
    const RtModel *m = c->m;
    double *unit = xcalloc((size_t)c->n + 1, sizeof *unit);
    bool *cyclic = xcalloc((size_t)c->n + 1, sizeof *cyclic);
    mark_cycles(c, c->first_edge, cyclic);
    pr->customers += w;
    for (int i = 0; i < c->n; i++) {
        int s = c->stage[i];
        const RtStage *st = &m->stages[s];
        double e = c->e[i], reached = e;
        if (cyclic[i]) { /* P(entered) = e_s / N_ss, with N_ss = (A^-1)_ss > 1 */
            memset(unit, 0, (size_t)c->n * sizeof *unit);
            unit[i] = 1;
            rt_sky_solve(&c->A, unit);
            reached = e / unit[i];
        }
        RtStageRow *row = &r->stages[s];
        row->reached += w * reached;
        row->entries += w * e;
        row->churned += w * e * c->churn[s];
        row->completed += w * e * c->complete[s];
        row->revenue += w * e * c->revenue[s];
        pr->churned += w * e * c->churn[s];
        pr->completed += w * e * c->complete[s];
        r->revenue += w * e * c->revenue[s];
        r->steps += w * e;
        for (int k = 0; k < st->narrows; k++) t->exits[st->first_arrow + k] += w * e * c->prob[st->first_arrow + k];
        if (c->noway[s] > 0) t->warn[st->site_noway] += w * e * c->noway[s];
        if (c->overfull[s]) t->warn[st->site_overfull] += w * e;
        if (c->nan_site[s] >= 0) t->warn[c->nan_site[s]] += w * e;
    }
    /* a met stage warns on the entries whose combination of meetings makes its arrows overfull
     * or NaN */
    for (int k = 0; c->site_p && k < m->nsites; k++) {
        int s = m->sites[k].stage;
        if (c->site_p[k] > 0 && s >= 0 && c->row[s] >= 0) t->warn[k] += w * c->e[c->row[s]] * c->site_p[k];
    }
    free(unit);
    free(cyclic);
}

/* Converting, and the split of every row's entries at it (Chain.pre, conv, post, conv_from). */
static void add_conversion(RtResult *r, Totals *t, Chain *c, double w, RtPersonaRow *pr, double *pconv,
                           double *goal_pi)
{
    const RtModel *m = c->m;
    size_t bytes = (size_t)c->n * sizeof(double);
    *pconv = 0;
    bool any = false;
    for (int i = 0; i < c->n; i++) {
        goal_pi[i] = m->stages[c->stage[i]].goal ? 1 : 0;
        any |= goal_pi[i] > 0;
    }
    if (!any) { /* nobody converts: every entry is a prospect's */
        memcpy(c->pre, c->e, bytes);
        return;
    }
    double x, y;
    event_solve(c, goal_pi, NULL, &x, &y);
    memcpy(c->conv_from, c->x, bytes);
    *pconv = x;
    pr->converted += w * x;
    t->conv_time += w * y;
    /* With goals absorbing (the system just factorised), the expected entries are those before
     * converting, and at a goal the probability of converting there. */
    memset(c->x, 0, bytes);
    c->x[c->row[m->start]] = 1;
    rt_sky_solve_t(&c->M, c->x);
    for (int i = 0; i < c->n; i++) {
        if (goal_pi[i] > 0) {
            c->conv[i] = c->x[i];
            r->stages[c->stage[i]].converted += w * c->x[i];
        } else {
            c->pre[i] = c->x[i];
        }
    }
    /* After converting at g the customer's entries are the chain's from g: A^T e_post = c. */
    memcpy(c->post, c->conv, bytes);
    rt_sky_solve_t(&c->A, c->post);
}

/* Lost before converting and customer churn per stage, arrow and persona; customers who
 * complete; the customers' exposure and revenue. */
static void add_customers(RtResult *r, Totals *t, const Chain *c, double w, RtPersonaRow *pr)
{
    const RtModel *m = c->m;
    for (int i = 0; i < c->n; i++) {
        int s = c->stage[i];
        const RtStage *st = &m->stages[s];
        double pre = c->pre[i], post = c->post[i];
        RtStageRow *row = &r->stages[s];
        row->lost += w * pre * c->churn[s];
        row->customer_churned += w * post * c->churn[s];
        pr->lost += w * pre * c->churn[s];
        pr->customer_churned += w * post * c->churn[s];
        r->customers_completed += w * post * c->complete[s];
        /* every customer's entry spends its wait before churning or completing (no rules here) */
        r->exposure_days += w * post * c->wait[s];
        r->ltv_revenue += w * post * c->revenue[s];
        for (int k = st->first_arrow; k < st->first_arrow + st->narrows; k++) {
            if (m->arrows[k].target != RT_CHURN) continue;
            t->exits_lost[k] += w * pre * c->prob[k];
            t->exits_cust[k] += w * post * c->prob[k];
        }
    }
}

/* P(met) and P(met and converted) for an event of per-row probability pi (keep: see edge_keep);
 * "met or converted" happens on every entry of a goal, whatever was met there. */
static void met_and_converted(Chain *c, const double *pi, double *const *keep, const double *goal_pi, double pconv,
                              double *met, double *both)
{
    double *un = xcalloc((size_t)c->n + 1, sizeof *un);
    double **un_keep = keep ? xcalloc((size_t)c->n + 1, sizeof *un_keep) : NULL;
    event_solve(c, pi, keep, met, NULL);
    for (int i = 0; i < c->n; i++) {
        un[i] = 1 - (1 - pi[i]) * (1 - goal_pi[i]);
        if (un_keep) un_keep[i] = goal_pi[i] > 0 ? NULL : keep[i];
    }
    double either;
    event_solve(c, un, un_keep, &either, NULL);
    *both = *met + pconv - either;
    if (*both < 0) *both = 0; /* rounding */
    free(un_keep);
    free(un);
}

/* The money of touchpoint k's meetings on row i, split at conversion: the meetings of entries
 * before converting and of the conversion entry are acquisition, the later ones serve. */
static void add_touch_money(RtResult *r, const Chain *c, int i, double w, int k, RtTouchRow *row)
{
    const RtTouch *tp = &c->m->touch[k];
    double acq = w * (c->pre[i] + c->conv[i]) * c->reach[k] * c->cost[k];
    double later = c->post[i] - c->conv[i];
    row->acq_cost += acq;
    if (tp->channel >= 0) r->channels[tp->channel].acq_cost += acq;
    r->acq_cost += acq;
    r->serve_cost += w * (later > 0 ? later : 0) * c->reach[k] * c->cost[k];
}

/* A survey's respondents are its meetings; what they answer depends on mood, which the chain
 * does not follow (exact_run leaves the answers NaN). */
static void add_survey(RtResult *r, const RtTouch *tp, RtTouchRow *row, double meetings)
{
    if (tp->survey == RT_SURVEY_NONE) return;
    row->respondents += meetings;
    if (tp->survey == RT_SURVEY_NPS) r->survey_nps_n += meetings;
    else r->survey_csat_n += meetings;
}

/* Whether touchpoint k is met on the chain's entries of its stage (its persona's reach above 0). */
static bool met_here(const Chain *c, int k)
{
    const RtTouch *tp = &c->m->touch[k];
    return tp->stage >= 0 && c->row[tp->stage] >= 0 && c->reach[k] > 0;
}

/* How many meet each touchpoint and channel, and of them convert; their meetings and costs.
 * Meetings and costs are expected entries times reach: whether an entry comes before or after
 * converting is settled before its touchpoints are met. */
static void add_touchpoints(RtResult *r, Chain *c, double w, const double *goal_pi, double pconv)
{
    const RtModel *m = c->m;
    double *pi = xcalloc((size_t)c->n + 1, sizeof *pi);
    bool *in = c->met ? xcalloc((size_t)m->ntouch + 1, sizeof *in) : NULL;
    for (int k = 0; k < m->ntouch; k++) {
        const RtTouch *tp = &m->touch[k];
        if (!met_here(c, k)) continue;
        int i = c->row[tp->stage];
        memset(pi, 0, (size_t)c->n * sizeof *pi);
        pi[i] = c->reach[k];
        double **keep = NULL;
        if (in) {
            in[k] = true;
            keep = event_keep(c, in, NULL);
            in[k] = false;
        }
        double met, both;
        met_and_converted(c, pi, keep, goal_pi, pconv, &met, &both);
        keep_free(c, keep);
        RtTouchRow *row = &r->touch[k];
        row->reached += w * met;
        row->conversions += w * both;
        row->meetings += w * c->e[i] * c->reach[k];
        row->cost += w * c->e[i] * c->reach[k] * c->cost[k];
        r->cost += w * c->e[i] * c->reach[k] * c->cost[k];
        add_touch_money(r, c, i, w, k, row);
        add_survey(r, tp, row, w * c->e[i] * c->reach[k]);
    }
    for (int ch = 0; ch < m->nchannels; ch++) {
        bool any = false;
        for (int i = 0; i < c->n; i++) pi[i] = 1;
        for (int k = 0; k < m->ntouch; k++) {
            const RtTouch *tp = &m->touch[k];
            if (in) in[k] = tp->channel == ch;
            if (tp->channel != ch || !met_here(c, k)) continue;
            pi[c->row[tp->stage]] *= 1 - c->reach[k]; /* P(no touchpoint of the channel met there) */
            r->channels[ch].meetings += w * c->e[c->row[tp->stage]] * c->reach[k];
            r->channels[ch].cost += w * c->e[c->row[tp->stage]] * c->reach[k] * c->cost[k];
            any = true;
        }
        if (!any) continue;
        for (int i = 0; i < c->n; i++) pi[i] = 1 - pi[i];
        double **keep = in ? event_keep(c, in, NULL) : NULL;
        double met, both;
        met_and_converted(c, pi, keep, goal_pi, pconv, &met, &both);
        keep_free(c, keep);
        r->channels[ch].reached += w * met;
        r->channels[ch].conversions += w * both;
    }
    free(in);
    free(pi);
}

/* ---- attribution of conversions to channels: first touch, last touch, linear ---- */

/* Whether touchpoint k may be met on the chain's entries of its stage, through a channel. */
static bool channel_touch(const Chain *c, int k)
{
    return c->m->touch[k].channel >= 0 && met_here(c, k);
}

/* Credits, on an entry of a met stage where the combination `combo` of its followed touchpoints
 * was met, `scale` times P(the channel of the entry's first (or, `last`, last) channel meeting is
 * ch) to each ch: the walk of the touchpoints in written order (or back), a followed one met for
 * sure or not at all, the others by their reach. */
static void credit_combo(RtResult *r, const Chain *c, int i, unsigned combo, bool last, double scale)
{
    const MetStage *ms = met_of(c, i);
    const RtStage *st = &c->m->stages[c->stage[i]];
    double none = 1;
    for (int n = 0; n < st->ntouch && none > 0; n++) {
        int k = last ? st->first_touch + st->ntouch - 1 - n : st->first_touch + n;
        if (!channel_touch(c, k)) continue;
        int j = followed(ms, k);
        double p = j < 0 ? c->reach[k] : combo >> j & 1 ? 1 : 0;
        RtTouchRow *row = &r->channels[c->m->touch[k].channel];
        if (last) row->attr_last += scale * none * p;
        else row->attr_first += scale * none * p;
        none *= 1 - p;
    }
}

/* First and last touch on a met stage's row i, where which channel an entry meets first (last)
 * and where it moves next depend on each other: the sums of add_first_last's comment taken per
 * combination, h_s (z_s) from the combination's own moves. `from` is d_i (first) or e_pre_i
 * (last) off the goals, d_g or c_g on them; `after` is x (first) or u (last). */
static void credit_met_row(RtResult *r, const Chain *c, int i, bool goal, bool last, double from, const double *after)
{
    const MetStage *ms = met_of(c, i);
    for (unsigned combo = 0; combo < 1u << ms->k; combo++) {
        if (!(ms->pm[combo] > 0)) continue;
        double go_on = ms->pm[combo]; /* on a goal the entry converts, whatever the move */
        if (!goal) {
            go_on = 0;
            for (int k = c->first_edge[i]; k < c->first_edge[i + 1]; k++)
                go_on += combo_edge(c, ms, combo, &c->edges[k]) * after[c->edges[k].to];
        }
        credit_combo(r, c, i, combo, last, from * go_on);
    }
}

/* First touch credits the channel of a converter's first meeting, last touch that of the last
 * meeting up to and including the conversion entry. Within an entry the touchpoints are met in
 * written order, each by its reach, so the first meeting of an entry of s is with channel ch with
 * probability a_s,ch = sum over ch's touchpoints of reach times P(no channel touchpoint before it
 * met); the last, b_s,ch, likewise from the end. Let pi_s = P(some channel met on an entry of s)
 * and M1 = I - diag(1 - pi1) Q with pi1 = 1 on goals, pi_s elsewhere: the process stopped at the
 * first channel met or at conversion.
 *   first:  d = M1^-T 1_start are the entries with no channel met yet and not converted; then
 *           credit(ch) = sum_{s not goal} d_s a_s,ch h_s + sum_g d_g a_g,ch, with h_s = sum_j Q_sj x_j
 *           the probability of converting after the entry (x: conversion from each row);
 *   last:   u = M1^-1 (goal (1 - pi)) is P(reaching a goal with no channel met on the way, the goal
 *           entry included); credit(ch) = sum_{s not goal} e_pre_s b_s,ch z_s + sum_g c_g b_g,ch,
 *           with z_s = sum_j Q_sj u_j.
 * Each converter's first (last) meeting is one entry's, so the sums of expectations are exact. On
 * a met stage the meetings and the move depend on each other: M1's row there is the moves with no
 * channel met (edge_keep), and a_s,ch h_s is the sum over the combinations of the followed
 * touchpoints of P(combination) a_s,ch(combination) h_s(combination) (credit_met_row). */
static void add_first_last(RtResult *r, Chain *c, double w, const double *goal_pi)
{
    const RtModel *m = c->m;
    size_t n1 = (size_t)c->n + 1;
    double *pi = xcalloc(n1, sizeof *pi), *d = xcalloc(n1, sizeof *d), *u = xcalloc(n1, sizeof *u);
    double *h = xcalloc(n1, sizeof *h), *z = xcalloc(n1, sizeof *z);
    double **keep = NULL;
    if (c->met) {
        bool *in = xcalloc((size_t)m->ntouch + 1, sizeof *in);
        for (int k = 0; k < m->ntouch; k++) in[k] = channel_touch(c, k);
        keep = event_keep(c, in, goal_pi);
        free(in);
    }
    for (int i = 0; i < c->n; i++) {
        const RtStage *st = &m->stages[c->stage[i]];
        double none = 1;
        for (int k = st->first_touch; k < st->first_touch + st->ntouch; k++)
            if (channel_touch(c, k)) none *= 1 - c->reach[k];
        pi[i] = goal_pi[i] > 0 ? 1 : 1 - none;
        u[i] = goal_pi[i] > 0 ? none : 0;
    }
    if (factor_system(c, &c->M, pi, keep)) {
        d[c->row[m->start]] = 1;
        rt_sky_solve_t(&c->M, d);
        rt_sky_solve(&c->M, u);
        for (int k = 0; k < c->nedges; k++) {
            const Edge *e = &c->edges[k];
            h[e->from] += e->q * c->conv_from[e->to];
            z[e->from] += e->q * u[e->to];
        }
        for (int i = 0; i < c->n; i++) {
            const RtStage *st = &m->stages[c->stage[i]];
            bool goal = goal_pi[i] > 0;
            if (met_of(c, i)) {
                credit_met_row(r, c, i, goal, false, w * d[i], c->conv_from);
                credit_met_row(r, c, i, goal, true, w * (goal ? c->conv[i] : c->pre[i]), u);
                continue;
            }
            double first = goal ? d[i] : d[i] * h[i], last = goal ? c->conv[i] : c->pre[i] * z[i];
            double none = 1;
            for (int k = st->first_touch; k < st->first_touch + st->ntouch; k++) {
                if (!channel_touch(c, k)) continue;
                r->channels[m->touch[k].channel].attr_first += w * first * none * c->reach[k];
                none *= 1 - c->reach[k];
            }
            none = 1;
            for (int k = st->first_touch + st->ntouch - 1; k >= st->first_touch; k--) {
                if (!channel_touch(c, k)) continue;
                r->channels[m->touch[k].channel].attr_last += w * last * none * c->reach[k];
                none *= 1 - c->reach[k];
            }
        }
    }
    keep_free(c, keep);
    free(pi);
    free(d);
    free(u);
    free(h);
    free(z);
}

/* Linear attribution gives each converter's credit in equal parts to the k channels met up to and
 * including the conversion entry, so it depends on the set of channels met: the chain is followed
 * on (stage, set met so far). A set only grows, so the sets are taken in increasing order (a
 * superset is a larger number): for set S, the entries that begin with S are d_S = (I - K_S)^-T f_S,
 * with K_S = diag(P(no channel outside S met)) Q off the goals (goals absorb) and f_S the entries
 * that arrived with S from smaller sets. An entry of s meets its channels independently (channel
 * ch with probability 1 - prod(1 - reach) of its touchpoints there), so it moves to S u T with the
 * probability that exactly T of its channels are met. The chain has 2^L copies of the stages (L
 * channels), and a row that can meet k of them is left towards 3^k 2^(L-k) pairs of sets; beyond
 * LINEAR_MAX_CELLS copies or LINEAR_MAX_WORK pairs (a fraction of a second) the figure is left NaN.
 * On a met stage the channels met and the move depend on each other through the combination of
 * followed touchpoints met: given it, the channels are independent again (a channel with a
 * followed touchpoint in the combination is met for sure), so K_S's row and the moves to S u T
 * are sums over the combinations (2^k times the work there). */
enum { LINEAR_MAX_CHANNELS = 20, LINEAR_MAX_CELLS = 1 << 20, LINEAR_MAX_WORK = 1 << 24 };

typedef struct SetChain {
    int L;               /* channels this chain meets */
    int *global;         /* [L]: their channel indices */
    unsigned *mask;      /* [n]: the channels row i can meet */
    double *meet;        /* [n * L]: P(channel l met on an entry of row i) */
    /* On met stages' rows (with Chain.met): channel l's followed touchpoints there (bits of the
     * combinations) and P(none of its other touchpoints met). */
    unsigned *dep;       /* [n * L] */
    double *none;        /* [n * L] */
} SetChain;

/* The channels met on the chain, and each row's chance of meeting each; false when too many. */
static bool set_chain_init(SetChain *sc, const Chain *c)
{
    const RtModel *m = c->m;
    memset(sc, 0, sizeof *sc);
    int *local = xcalloc((size_t)m->nchannels + 1, sizeof *local);
    for (int ch = 0; ch < m->nchannels; ch++) local[ch] = -1;
    for (int k = 0; k < m->ntouch; k++)
        if (channel_touch(c, k) && local[m->touch[k].channel] < 0) local[m->touch[k].channel] = sc->L++;
    bool fits = sc->L <= LINEAR_MAX_CHANNELS && ((size_t)1 << sc->L) * (size_t)c->n <= LINEAR_MAX_CELLS;
    if (fits) {
        double work = 0;
        for (int i = 0; i < c->n; i++) {
            const RtStage *st = &m->stages[c->stage[i]];
            const MetStage *ms = met_of(c, i);
            int k = 0; /* an upper bound of the channels row i meets: its channel touchpoints */
            for (int t = st->first_touch; t < st->first_touch + st->ntouch; t++) k += channel_touch(c, t);
            work += ldexp(pow(1.5, k < sc->L ? k : sc->L), sc->L + (ms ? ms->k : 0));
        }
        fits = work <= LINEAR_MAX_WORK;
    }
    if (fits) {
        size_t cells = (size_t)c->n * (size_t)sc->L + 1;
        sc->global = xcalloc((size_t)sc->L + 1, sizeof *sc->global);
        sc->mask = xcalloc((size_t)c->n + 1, sizeof *sc->mask);
        sc->meet = xcalloc(cells, sizeof *sc->meet);
        for (int ch = 0; ch < m->nchannels; ch++)
            if (local[ch] >= 0) sc->global[local[ch]] = ch;
        for (int i = 0; i < c->n; i++)
            for (int l = 0; l < sc->L; l++) sc->meet[(size_t)i * sc->L + l] = 1; /* P(not met), for now */
        if (c->met) {
            sc->dep = xcalloc(cells, sizeof *sc->dep);
            sc->none = xcalloc(cells, sizeof *sc->none);
            for (size_t x = 0; x + 1 < cells; x++) sc->none[x] = 1;
        }
        for (int k = 0; k < m->ntouch; k++) {
            if (!channel_touch(c, k)) continue;
            int i = c->row[m->touch[k].stage], l = local[m->touch[k].channel];
            size_t at = (size_t)i * sc->L + (size_t)l;
            sc->mask[i] |= 1u << l;
            sc->meet[at] *= 1 - c->reach[k];
            const MetStage *ms = met_of(c, i);
            int j = ms ? followed(ms, k) : -1;
            if (j >= 0) sc->dep[at] |= 1u << j;
            else if (sc->none) sc->none[at] *= 1 - c->reach[k];
        }
        for (size_t x = 0; x < (size_t)c->n * (size_t)sc->L; x++) sc->meet[x] = 1 - sc->meet[x];
    }
    free(local);
    return fits;
}

static void set_chain_free(SetChain *sc)
{
    free(sc->global);
    free(sc->mask);
    free(sc->meet);
    free(sc->dep);
    free(sc->none);
}

/* P(exactly the channels T of `open` are met on an entry of row i). */
static double exactly_met(const SetChain *sc, int i, unsigned open, unsigned T)
{
    double p = 1;
    for (int l = 0; l < sc->L; l++) {
        if (!(open >> l & 1)) continue;
        double q = sc->meet[(size_t)i * sc->L + l];
        p *= T >> l & 1 ? q : 1 - q;
    }
    return p;
}

/* The same on a met stage's row, given the combination `combo` of its followed touchpoints met. */
static double exactly_met_given(const SetChain *sc, int i, unsigned open, unsigned T, unsigned combo)
{
    double p = 1;
    for (int l = 0; l < sc->L; l++) {
        if (!(open >> l & 1)) continue;
        size_t at = (size_t)i * sc->L + (size_t)l;
        double q = sc->dep[at] & combo ? 1 : 1 - sc->none[at];
        p *= T >> l & 1 ? q : 1 - q;
    }
    return p;
}

/* Moves d_i entries of a met stage's row i on to set ST = S u T, where T are the channels of
 * `open` met on the entry: the sum over the combinations of the followed touchpoints met. */
static void spread_met_entry(const Chain *c, const SetChain *sc, const MetStage *ms, int i, unsigned ST, unsigned open,
                             unsigned T, double di, double *flows)
{
    for (unsigned combo = 0; combo < 1u << ms->k; combo++) {
        double p = ms->pm[combo] > 0 ? di * exactly_met_given(sc, i, open, T, combo) : 0;
        for (int k = c->first_edge[i]; p > 0 && k < c->first_edge[i + 1]; k++)
            flows[(size_t)ST * (size_t)c->n + (size_t)c->edges[k].to] += p * combo_edge(c, ms, combo, &c->edges[k]);
    }
}

/* Moves the entries d (begun with set S) on: to larger sets' arrivals, or, on goals, to the
 * conversions by the final set. */
static void spread_entries(const Chain *c, const SetChain *sc, unsigned S, const double *d, const double *goal_pi,
                           double *flows, double *conv_by_set)
{
    for (int i = 0; i < c->n; i++) {
        if (!(d[i] > 0)) continue;
        unsigned open = sc->mask[i] & ~S;
        const MetStage *ms = goal_pi[i] > 0 ? NULL : met_of(c, i);
        for (unsigned T = open;; T = (T - 1) & open) {
            if (ms) {
                if (T != 0) spread_met_entry(c, sc, ms, i, S | T, open, T, d[i], flows);
                if (T == 0) break;
                continue;
            }
            double p = d[i] * exactly_met(sc, i, open, T);
            if (p > 0 && goal_pi[i] > 0) conv_by_set[S | T] += p;
            else if (p > 0 && T != 0)
                for (int k = c->first_edge[i]; k < c->first_edge[i + 1]; k++)
                    flows[(size_t)(S | T) * (size_t)c->n + (size_t)c->edges[k].to] += p * c->edges[k].q;
            if (T == 0) break;
        }
    }
}

/* False when the chain has too many channels to follow their sets. */
static bool add_linear(RtResult *r, Chain *c, double w, const double *goal_pi)
{
    SetChain sc;
    if (!set_chain_init(&sc, c)) return false;
    size_t nsets = (size_t)1 << sc.L, n = (size_t)c->n;
    double *flows = xcalloc(nsets * n + 1, sizeof *flows), *conv_by_set = xcalloc(nsets, sizeof *conv_by_set);
    double *pi = xcalloc(n + 1, sizeof *pi);
    /* on met stages' rows off the goals: P(no channel outside S met | combination) */
    double **keep = NULL;
    for (size_t i = 0; c->met && i < n; i++) {
        const MetStage *ms = met_of(c, (int)i);
        if (!ms || goal_pi[i] > 0) continue;
        if (!keep) keep = xcalloc(n + 1, sizeof *keep);
        keep[i] = xcalloc((size_t)1 << ms->k, sizeof *keep[i]);
    }
    bool ok = true;
    flows[c->row[c->m->start]] = 1; /* set 0, the start */
    for (unsigned S = 0; S < nsets && ok; S++) {
        double *d = flows + S * n;
        bool any = false;
        for (size_t i = 0; i < n && !any; i++) any = d[i] > 0;
        if (!any) continue;
        for (size_t i = 0; i < n; i++) { /* P(leaving set S on an entry of row i), or 1 on a goal */
            unsigned open = sc.mask[i] & ~S;
            pi[i] = goal_pi[i] > 0 ? 1 : 1 - exactly_met(&sc, (int)i, open, 0);
            for (unsigned combo = 0; keep && keep[i] && combo < 1u << met_of(c, (int)i)->k; combo++)
                keep[i][combo] = exactly_met_given(&sc, (int)i, open, 0, combo);
        }
        ok = factor_system(c, &c->M, pi, keep);
        if (!ok) break;
        rt_sky_solve_t(&c->M, d);
        spread_entries(c, &sc, S, d, goal_pi, flows, conv_by_set);
    }
    for (unsigned F = 1; F < nsets && ok; F++) {
        if (!(conv_by_set[F] > 0)) continue;
        double share = conv_by_set[F] / __builtin_popcount(F);
        for (int l = 0; l < sc.L; l++)
            if (F >> l & 1) r->channels[sc.global[l]].attr_linear += w * share;
    }
    keep_free(c, keep);
    free(flows);
    free(conv_by_set);
    free(pi);
    set_chain_free(&sc);
    return ok;
}

/* Adds persona p's chain (with `traits`: its row of trait values), weighted by w customers, to
 * the result; its headline figures go to *pr (the persona's row, or a scratch row shared out
 * later). */
static bool add_chain(RtResult *r, Totals *t, const RtModel *m, int p, const double *traits, double w,
                      RtPersonaRow *pr, bool named, Diag *d)
{
    Chain c;
    bool ok = chain_build(&c, m, p, traits, named, d);
    if (ok) {
        double *goal_pi = xcalloc((size_t)c.n + 1, sizeof *goal_pi);
        double pconv;
        add_stages(r, t, &c, w, pr);
        add_conversion(r, t, &c, w, pr, &pconv, goal_pi);
        add_customers(r, t, &c, w, pr);
        add_touchpoints(r, &c, w, goal_pi, pconv);
        if (pconv > 0) {
            add_first_last(r, &c, w, goal_pi);
            if (!add_linear(r, &c, w, goal_pi)) t->linear_unknown = true;
        }
        free(goal_pi);
    }
    chain_free(&c);
    return ok;
}

static const double *persona_traits(const RtModel *m, int p) { return m->traits + (size_t)p * (size_t)m->ntraits; }

/* Adds persona p's w customers: one chain, or, when arrows read traits it draws by choice(), one
 * per combination of their values (a sub-persona: the persona's traits with those values, w times
 * the product of the values' weights). The combinations are taken in mixed radix, the last trait
 * fastest. */
static bool add_persona(RtResult *r, Totals *t, const RtModel *m, int p, double w, Diag *d)
{
    const Model *model = m->model;
    int nt = m->ntraits, nchoice = 0;
    bool *read = xcalloc((size_t)nt + 1, sizeof *read);
    const Expr **first = xcalloc((size_t)nt + 1, sizeof *first);
    int *trait = xcalloc((size_t)nt + 1, sizeof *trait);
    const ChoiceItem **at = xcalloc((size_t)nt + 1, sizeof *at);
    double *row = xcalloc((size_t)nt + 1, sizeof *row);
    arrow_traits(model, read, first);
    for (int k = 0; k < nt; k++)
        if (read[k] && choice_of(model, p, k)) trait[nchoice++] = k;
    memcpy(row, persona_traits(m, p), (size_t)nt * sizeof *row);
    for (int i = 0; i < nchoice; i++) at[i] = choice_of(model, p, trait[i])->choices;
    bool ok = true;
    for (bool more = true; more && ok;) {
        double share = 1;
        for (int i = 0; i < nchoice; i++) {
            double sum = 0;
            for (const ChoiceItem *it = choice_of(model, p, trait[i])->choices; it; it = it->next) sum += it->weight.v;
            share *= sum > 0 ? at[i]->weight.v / sum : 0;
            row[trait[i]] = at[i]->value.v;
        }
        if (share > 0) ok = add_chain(r, t, m, p, row, w * share, &r->personas[p], true, d);
        more = false; /* the next combination: the last trait that can move on, those after it back to their first */
        for (int i = nchoice - 1; i >= 0 && !more; i--) {
            at[i] = at[i]->next;
            if (at[i]) more = true;
            else at[i] = choice_of(model, p, trait[i])->choices;
        }
    }
    free(read);
    free(first);
    free(trait);
    free(at);
    free(row);
    return ok;
}

/* Whether every arrow and amount is the same for every persona: then one chain serves them all. */
static bool same_for_every_persona(const RtModel *m)
{
    for (int a = 0; a < m->narrows; a++) {
        const RtArrow *ar = &m->arrows[a];
        if ((ar->prob.kind == RT_EXPR_CODE) || (ar->when.kind == RT_EXPR_CODE)) return false;
    }
    for (int p = 1; p < m->npersonas; p++) {
        for (int s = 0; s < m->nstages; s++)
            if (!(rt_stage_revenue(m, p, s) == rt_stage_revenue(m, 0, s)) ||
                !(rt_stage_wait_mean(m, p, s) == rt_stage_wait_mean(m, 0, s)))
                return false;
        for (int k = 0; k < m->ntouch; k++)
            if (!(rt_touch_reach(m, p, k) == rt_touch_reach(m, 0, k)) || !(rt_touch_cost(m, p, k) == rt_touch_cost(m, 0, k)))
                return false;
    }
    return true;
}

/* The reason row of (stage, reason), as rt_result_add_reason() merges them. */
static RtReasonRow *reason_row(RtResult *r, int stage, const char *reason)
{
    for (int i = r->nreasons - 1; i >= 0; i--)
        if (r->reasons[i].stage == stage && strcmp(r->reasons[i].reason, reason) == 0) return &r->reasons[i];
    return NULL;
}

/* What the chain cannot know is NaN: per-customer squares and products (intervals; an exact
 * analysis has none) and everything that depends on mood (survey answers, relational NPS/CSAT). */
static void unknown_figures(RtResult *r, const RtModel *m)
{
    r->acq_cost_sq = r->acq_cost_conv = r->serve_cost_sq = r->ltv_revenue_sq = r->ltv_revenue_acq = NAN;
    r->cust_promoters = r->cust_detractors = r->cust_csat_sum = r->cust_csat_sq = NAN;
    r->survey_promoters = r->survey_detractors = r->survey_csat_sum = r->survey_csat_sq = NAN;
    for (int k = 0; k < m->ntouch; k++)
        if (m->touch[k].survey != RT_SURVEY_NONE)
            r->touch[k].promoters = r->touch[k].detractors = r->touch[k].score_sum = r->touch[k].score_sq = NAN;
    r->no_curves_reason = "an exact analysis gives expected values, not figures over time: run without --exact";
}

static void finish(RtResult *r, const Totals *t, const RtModel *m)
{
    for (int a = 0; a < m->narrows; a++) {
        const RtArrow *ar = &m->arrows[a];
        bool churn = ar->target == RT_CHURN;
        rt_result_add_exit(r, ar->stage, ar->target, churn ? ar->reason : NULL, false, t->exits[a]);
        if (!churn) continue;
        rt_result_add_reason(r, ar->stage, ar->reason, t->exits[a]);
        RtReasonRow *row = reason_row(r, ar->stage, ar->reason);
        row->lost += t->exits_lost[a];
        row->customers += t->exits_cust[a];
    }
    rt_result_finish(r);
    for (int p = 0; p < m->npersonas; p++) {
        r->converted += r->personas[p].converted;
        r->churned += r->personas[p].churned;
        r->completed += r->personas[p].completed;
        r->lost += r->personas[p].lost;
        r->customer_churned += r->personas[p].customer_churned;
    }
    if (r->converted > 0) r->ttc_mean = t->conv_time / r->converted;
    r->retention[3] = 1 - r->churned / r->cohort;
    /* the horizon is ignored: a customer who completes is followed for ever, never censored */
    r->followup_completed_never = r->customers_completed;
    r->cust_score_n = r->converted;
    unknown_figures(r, m);
    if (t->linear_unknown)
        for (int ch = 0; ch < m->nchannels; ch++) r->channels[ch].attr_linear = NAN;
    if (r->has_horizon) rt_result_add_warning(r, m->site_exact_horizon, 1);
    for (int s = 0; s < m->nsites; s++)
        if (t->warn[s] > 0) rt_result_add_warning(r, s, t->warn[s]);
}

/* Each persona's customers: by share of the cohort; with arrivals, by share within the periods
 * that leave the persona to chance and in full in those that fix it; --persona takes them all. */
static double cohort_weights(const RtModel *m, const ExactOptions *o, double *w)
{
    double cohort = m->narrivals > 0 ? (double)m->arrival_total : o->cohort;
    for (int p = 0; p < m->npersonas; p++)
        w[p] = o->persona >= 0 ? (p == o->persona) * cohort : m->narrivals > 0 ? 0 : m->persona_share[p] * cohort;
    if (o->persona >= 0 || m->narrivals == 0) return cohort;
    for (int k = 0; k < m->narrivals; k++) {
        const RtArrivalPeriod *a = &m->arrivals[k];
        if (a->persona >= 0) w[a->persona] += (double)a->count;
        else
            for (int p = 0; p < m->npersonas; p++) w[p] += m->persona_share[p] * (double)a->count;
    }
    return cohort;
}

RtResult *exact_run(const RtModel *m, const ExactOptions *o, Diag *d)
{
    RtResult *r = rt_result_new(m);
    double *w = xcalloc((size_t)m->npersonas + 1, sizeof *w);
    r->exact = true;
    r->cohort = cohort_weights(m, o, w);
    r->seed = o->seed;
    r->has_horizon = o->has_horizon;
    r->horizon = o->horizon;
    r->persona = o->persona;
    r->has_arrivals = m->narrivals > 0;
    Totals t = {0};
    t.exits = xcalloc((size_t)m->narrows + 1, sizeof *t.exits);
    t.exits_lost = xcalloc((size_t)m->narrows + 1, sizeof *t.exits_lost);
    t.exits_cust = xcalloc((size_t)m->narrows + 1, sizeof *t.exits_cust);
    t.warn = xcalloc((size_t)m->nsites + 1, sizeof *t.warn);
    bool ok = m->nstages > 0 && m->start >= 0;
    if (ok && same_for_every_persona(m)) {
        /* one chain for the whole cohort; each persona gets its share of the headline figures */
        RtPersonaRow all = {0};
        int p0 = o->persona >= 0 ? o->persona : 0;
        ok = add_chain(r, &t, m, p0, persona_traits(m, p0), r->cohort, &all, false, d);
        for (int p = 0; p < m->npersonas && ok; p++) {
            double f = r->cohort > 0 ? w[p] / r->cohort : 0;
            r->personas[p] = (RtPersonaRow){all.customers * f, all.converted * f, all.churned * f, all.completed * f,
                                            all.active * f, all.lost * f, all.customer_churned * f};
        }
    } else {
        for (int p = 0; p < m->npersonas && ok; p++)
            if (w[p] > 0) ok = add_persona(r, &t, m, p, w[p], d);
    }
    free(w);
    if (ok) finish(r, &t, m);
    free(t.exits);
    free(t.exits_lost);
    free(t.exits_cust);
    free(t.warn);
    if (!ok) {
        rt_result_free(r);
        return NULL;
    }
    return r;
}
