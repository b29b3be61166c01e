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
 * Every matrix here is a non-singular M-matrix once stages that never reach an end are refused,
 * so the profile LU of skyline.h needs no pivoting. */
#include "exact.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "skyline.h"

/* ---- refusing what is not a Markov chain ---- */

/* The first sub-expression (in written order) that depends on the customer beyond the persona.
 * The checker marks what depends on nothing but the persona and stage (from expr.def's classes):
 * the culprit is the first node not so marked whose operands all are (mood, revenue, cost, time),
 * or a call that reads the customer's history (visits(Stage), whose argument is a name). */
static const Expr *customer_leaf(const Expr *e)
{
    if (!e || e->constant || e->persona_only) return NULL;
    if (e->kind == EX_CALL && expr_func_reads_customer(e->fn)) return e;
    const Expr *x = NULL;
    for (const Expr *a = e->kind == EX_CALL ? e->args : NULL; a && !x; a = a->next) x = customer_leaf(a);
    if (!x) x = customer_leaf(e->a);
    if (!x) x = customer_leaf(e->b);
    return x ? x : e;
}

/* How a customer leaf is written: "mood", "time", "visits(Active)". */
static const char *leaf_name(const RtModel *rm, const Expr *e, char *buf, size_t n)
{
    if (e->kind == EX_CALL) {
        snprintf(buf, n, "%s(%s)", expr_func_name(e->fn), rm->model->stages[e->index]->name.s);
        return buf;
    }
    return e->kind == EX_NAME ? e->name.s : expr_spelling(e->kind);
}

static bool refuse_expr(const RtModel *rm, const Expr *e, const char *what, Diag *d)
{
    const Expr *leaf = customer_leaf(e);
    if (!leaf) return false;
    char buf[256];
    diag_error(d, leaf->loc,
               "--exact needs %s that depend on nothing but the persona, but this one depends on '%s'", what,
               leaf_name(rm, leaf, buf, sizeof buf));
    diag_note(d, leaf->loc, "without --exact, 'cjm run' simulates this journey");
    return true;
}

bool exact_check(const RtModel *rm, Diag *d)
{
    for (int s = 0; s < rm->nstages; s++) {
        if (!rm->stages[s].src->reachable) continue;
        for (const Arrow *a = rm->stages[s].src->arrows; a; a = a->next) {
            if (refuse_expr(rm, a->otherwise ? NULL : a->prob, "arrow probabilities", d)) return false;
            if (refuse_expr(rm, a->when, "arrow conditions ('when')", d)) return false;
        }
    }
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
} Edge;

typedef struct Chain {
    const RtModel *m;
    int p;
    double *prob;       /* [narrows]: including the share an otherwise arrow takes */
    double *complete;   /* [nstages]: P(completing) on leaving the stage */
    double *noway;      /* [nstages]: the part of that with no way on */
    double *churn;      /* [nstages]: P(churning) on leaving the stage */
    bool *overfull;
    int *nan_site;      /* [nstages] */
    int *row, *stage;   /* stage -> row (-1: unreachable), row -> stage */
    int n;
    Edge *edges;
    int nedges;
    int *lo, *top;
    RtSky A, M;         /* I - Q factorised; the workspace of event systems */
    double *e;          /* [n]: expected entries */
    double *x, *y;      /* [n]: event solves */
} Chain;

static void evaluate_arrows(Chain *c)
{
    const RtModel *m = c->m;
    double *stack = xcalloc((size_t)m->max_stack + 1, sizeof *stack);
    RtVisits *no_visits = xcalloc((size_t)m->nstages + 1, sizeof *no_visits);
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
        ctx.traits = m->traits + (size_t)c->p * (size_t)m->ntraits;
        ctx.visits = no_visits;
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
        c->edges[c->nedges++] = (Edge){c->row[ar->stage], c->row[ar->target], c->prob[a]};
    }
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

/* M = I - diag(1 - pi) Q (pi NULL: 0 everywhere), factorised. */
static bool factor_system(Chain *c, RtSky *M, const double *pi)
{
    rt_sky_zero(M);
    for (int i = 0; i < c->n; i++) rt_sky_add(M, i, i, 1);
    for (int k = 0; k < c->nedges; k++) {
        const Edge *e = &c->edges[k];
        double keep = pi ? 1 - pi[e->from] : 1;
        if (keep > 0) rt_sky_add(M, e->from, e->to, -keep * e->q);
    }
    return rt_sky_factor(M);
}

/* x = P(event), y = E[time of the event, 0 if none] (when y is not NULL), from the start. */
static void event_solve(Chain *c, const double *pi, double *px, double *py)
{
    if (!factor_system(c, &c->M, pi)) {
        *px = NAN;
        if (py) *py = NAN;
        return;
    }
    memcpy(c->x, pi, (size_t)c->n * sizeof *c->x);
    rt_sky_solve(&c->M, c->x);
    int start = c->row[c->m->start];
    *px = c->x[start];
    if (!py) return;
    for (int i = 0; i < c->n; i++) c->y[i] = c->m->stages[c->stage[i]].wait.mean * (c->x[i] - pi[i]);
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
    free(c->row);
    free(c->stage);
    free(c->edges);
    free(c->lo);
    free(c->top);
    free(c->e);
    free(c->x);
    free(c->y);
    if (c->A.lo) rt_sky_free(&c->A);
    if (c->M.lo) rt_sky_free(&c->M);
}

static bool chain_build(Chain *c, const RtModel *m, int p, bool name_persona, Diag *d)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    c->p = p;
    size_t ns = (size_t)m->nstages + 1;
    c->prob = xcalloc((size_t)m->narrows + 1, sizeof *c->prob);
    c->complete = xcalloc(ns, sizeof *c->complete);
    c->noway = xcalloc(ns, sizeof *c->noway);
    c->churn = xcalloc(ns, sizeof *c->churn);
    c->overfull = xcalloc(ns, sizeof *c->overfull);
    c->nan_site = xcalloc(ns, sizeof *c->nan_site);
    c->row = xcalloc(ns, sizeof *c->row);
    c->stage = xcalloc(ns, sizeof *c->stage);
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
    if (!factor_system(c, &c->A, NULL)) {
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
    double *warn;       /* [nsites] */
    double conv_time;   /* sum of E[time to convert * 1{converted}] */
} Totals;

static void add_stages(RtResult *r, Totals *t, Chain *c, double w, RtPersonaRow *pr)
{
    const RtModel *m = c->m;
    double *unit = xcalloc((size_t)c->n + 1, sizeof *unit);
    int *first = xcalloc((size_t)c->n + 2, sizeof *first);
    bool *cyclic = xcalloc((size_t)c->n + 1, sizeof *cyclic);
    for (int k = 0; k < c->nedges; k++) first[c->edges[k].from + 1]++;
    for (int i = 0; i < c->n; i++) first[i + 1] += first[i];
    mark_cycles(c, first, cyclic);
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
        row->revenue += w * e * st->revenue;
        pr->churned += w * e * c->churn[s];
        pr->completed += w * e * c->complete[s];
        r->revenue += w * e * st->revenue;
        r->steps += w * e;
        for (int k = 0; k < st->narrows; k++) t->exits[st->first_arrow + k] += w * e * c->prob[st->first_arrow + k];
        if (c->noway[s] > 0) t->warn[st->site_noway] += w * e * c->noway[s];
        if (c->overfull[s]) t->warn[st->site_overfull] += w * e;
        if (c->nan_site[s] >= 0) t->warn[c->nan_site[s]] += w * e;
    }
    free(unit);
    free(first);
    free(cyclic);
}

static void add_conversion(RtResult *r, Totals *t, Chain *c, double w, RtPersonaRow *pr, double *pconv,
                           double *goal_pi)
{
    const RtModel *m = c->m;
    *pconv = 0;
    bool any = false;
    for (int i = 0; i < c->n; i++) {
        goal_pi[i] = m->stages[c->stage[i]].goal ? 1 : 0;
        any |= goal_pi[i] > 0;
    }
    if (!any) return;
    double x, y;
    event_solve(c, goal_pi, &x, &y);
    *pconv = x;
    pr->converted += w * x;
    t->conv_time += w * y;
    /* With goals absorbing (the system just factorised), the expected arrivals at a goal are the
     * probability of converting there. */
    memset(c->x, 0, (size_t)c->n * sizeof *c->x);
    c->x[c->row[m->start]] = 1;
    rt_sky_solve_t(&c->M, c->x);
    for (int i = 0; i < c->n; i++)
        if (goal_pi[i] > 0) r->stages[c->stage[i]].converted += w * c->x[i];
}

/* P(met) and P(met and converted) for an event of per-row probability pi. */
static void met_and_converted(Chain *c, const double *pi, const double *goal_pi, double pconv, double *met,
                              double *both)
{
    double *un = xcalloc((size_t)c->n + 1, sizeof *un);
    event_solve(c, pi, met, NULL);
    for (int i = 0; i < c->n; i++) un[i] = 1 - (1 - pi[i]) * (1 - goal_pi[i]);
    double either;
    event_solve(c, un, &either, NULL);
    *both = *met + pconv - either;
    if (*both < 0) *both = 0; /* rounding */
    free(un);
}

static void add_touchpoints(RtResult *r, Chain *c, double w, const double *goal_pi, double pconv)
{
    const RtModel *m = c->m;
    double *pi = xcalloc((size_t)c->n + 1, sizeof *pi);
    for (int k = 0; k < m->ntouch; k++) {
        const RtTouch *tp = &m->touch[k];
        if (tp->stage < 0 || c->row[tp->stage] < 0 || tp->reach <= 0) continue;
        int i = c->row[tp->stage];
        memset(pi, 0, (size_t)c->n * sizeof *pi);
        pi[i] = tp->reach;
        double met, both;
        met_and_converted(c, pi, goal_pi, pconv, &met, &both);
        RtTouchRow *row = &r->touch[k];
        row->reached += w * met;
        row->conversions += w * both;
        row->meetings += w * c->e[i] * tp->reach;
        row->cost += w * c->e[i] * tp->reach * tp->cost;
        r->cost += w * c->e[i] * tp->reach * tp->cost;
    }
    for (int ch = 0; ch < m->nchannels; ch++) {
        bool any = false;
        for (int i = 0; i < c->n; i++) pi[i] = 1;
        for (int k = 0; k < m->ntouch; k++) {
            const RtTouch *tp = &m->touch[k];
            if (tp->channel != ch || tp->stage < 0 || c->row[tp->stage] < 0 || tp->reach <= 0) continue;
            pi[c->row[tp->stage]] *= 1 - tp->reach; /* P(no touchpoint of the channel met there) */
            r->channels[ch].meetings += w * c->e[c->row[tp->stage]] * tp->reach;
            r->channels[ch].cost += w * c->e[c->row[tp->stage]] * tp->reach * tp->cost;
            any = true;
        }
        if (!any) continue;
        for (int i = 0; i < c->n; i++) pi[i] = 1 - pi[i];
        double met, both;
        met_and_converted(c, pi, goal_pi, pconv, &met, &both);
        r->channels[ch].reached += w * met;
        r->channels[ch].conversions += w * both;
    }
    free(pi);
}

/* Adds persona p's chain, weighted by w customers, to the result; its headline figures go to
 * *pr (the persona's row, or a scratch row shared out later). */
static bool add_chain(RtResult *r, Totals *t, const RtModel *m, int p, double w, RtPersonaRow *pr, bool named,
                      Diag *d)
{
    Chain c;
    bool ok = chain_build(&c, m, p, named, d);
    if (ok) {
        double *goal_pi = xcalloc((size_t)c.n + 1, sizeof *goal_pi);
        double pconv;
        add_stages(r, t, &c, w, pr);
        add_conversion(r, t, &c, w, pr, &pconv, goal_pi);
        add_touchpoints(r, &c, w, goal_pi, pconv);
        free(goal_pi);
    }
    chain_free(&c);
    return ok;
}

/* Whether every arrow is the same for every persona: then one chain serves them all. */
static bool same_for_every_persona(const RtModel *m)
{
    for (int a = 0; a < m->narrows; a++) {
        const RtArrow *ar = &m->arrows[a];
        if ((ar->prob.kind == RT_EXPR_CODE) || (ar->when.kind == RT_EXPR_CODE)) return false;
    }
    return true;
}

static void finish(RtResult *r, const Totals *t, const RtModel *m)
{
    for (int a = 0; a < m->narrows; a++) {
        const RtArrow *ar = &m->arrows[a];
        bool churn = ar->target == RT_CHURN;
        rt_result_add_exit(r, ar->stage, ar->target, churn ? ar->reason : NULL, false, t->exits[a]);
        if (churn) rt_result_add_reason(r, ar->stage, ar->reason, t->exits[a]);
    }
    rt_result_finish(r);
    for (int p = 0; p < m->npersonas; p++) {
        r->converted += r->personas[p].converted;
        r->churned += r->personas[p].churned;
        r->completed += r->personas[p].completed;
    }
    if (r->converted > 0) r->ttc_mean = t->conv_time / r->converted;
    r->retention[3] = 1 - r->churned / r->cohort;
    if (r->has_horizon) rt_result_add_warning(r, m->site_exact_horizon, 1);
    for (int s = 0; s < m->nsites; s++)
        if (t->warn[s] > 0) rt_result_add_warning(r, s, t->warn[s]);
}

RtResult *exact_run(const RtModel *m, const ExactOptions *o, Diag *d)
{
    RtResult *r = rt_result_new(m);
    r->exact = true;
    r->cohort = o->cohort;
    r->seed = o->seed;
    r->has_horizon = o->has_horizon;
    r->horizon = o->horizon;
    r->persona = o->persona;
    Totals t = {0};
    t.exits = xcalloc((size_t)m->narrows + 1, sizeof *t.exits);
    t.warn = xcalloc((size_t)m->nsites + 1, sizeof *t.warn);
    bool ok = m->nstages > 0 && m->start >= 0;
    double *w = xcalloc((size_t)m->npersonas + 1, sizeof *w);
    for (int p = 0; p < m->npersonas; p++)
        w[p] = o->persona >= 0 ? (p == o->persona) * o->cohort : m->persona_share[p] * o->cohort;
    if (ok && same_for_every_persona(m)) {
        /* one chain for the whole cohort; each persona gets its share of the headline figures */
        RtPersonaRow all = {0};
        int p0 = o->persona >= 0 ? o->persona : 0;
        ok = add_chain(r, &t, m, p0, o->cohort, &all, false, d);
        for (int p = 0; p < m->npersonas && ok; p++) {
            double f = w[p] / o->cohort;
            r->personas[p] = (RtPersonaRow){all.customers * f, all.converted * f, all.churned * f, all.completed * f,
                                            all.active * f, all.lost * f, all.customer_churned * f};
        }
    } else {
        for (int p = 0; p < m->npersonas && ok; p++)
            if (w[p] > 0) ok = add_chain(r, &t, m, p, w[p], &r->personas[p], true, d);
    }
    free(w);
    if (ok) finish(r, &t, m);
    free(t.exits);
    free(t.warn);
    if (!ok) {
        rt_result_free(r);
        return NULL;
    }
    return r;
}
