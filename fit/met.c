/* met.c: arrows whose probability depends on a meeting, `-> Paid 8% + 6% * met(SearchAd)`
 * (docs/fitting.md, "Arrows that depend on a meeting"): recognising the form A + B * met(T),
 * which stages and touchpoints the replay must split its moves by (FitObs.met), and the estimates:
 * the shares of the arrow's moves in entries without and with a meeting of T (Wilson), A = the
 * first, B = the difference (Newcombe's hybrid score interval for a difference of proportions). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kpi.h"
#include "met.h"

#define Z95 1.959963984540054

/* ---- the form ---- */

static bool is_met_call(const Expr *e)
{
    return e && e->kind == EX_CALL && e->fn == FN_MET && (e->ref == REF_TOUCHPOINT || e->ref == REF_CHANNEL);
}

static bool is_constant(const Expr *e) { return e && e->constant && e->type == TY_NUMBER; }

/* `B * met(T)` or `met(T) * B`: B and the call, or false. */
static bool product(const Expr *e, const Expr **b, const Expr **call)
{
    if (!e || e->kind != EX_MUL) return false;
    if (is_met_call(e->b) && is_constant(e->a)) return *b = e->a, *call = e->b, true;
    if (is_met_call(e->a) && is_constant(e->b)) return *b = e->b, *call = e->a, true;
    return false;
}

bool fit_met_form(const Expr *prob, FitMetForm *f)
{
    memset(f, 0, sizeof *f);
    if (!prob) return false;
    const Expr *b, *call;
    f->sign = 1;
    if (product(prob, &b, &call)) {
        f->a = NULL;
    } else if (prob->kind == EX_ADD && is_constant(prob->a) && product(prob->b, &b, &call)) {
        f->a = prob->a;
    } else if (prob->kind == EX_ADD && is_constant(prob->b) && product(prob->a, &b, &call)) {
        f->a = prob->b;
    } else if (prob->kind == EX_SUB && is_constant(prob->a) && product(prob->b, &b, &call)) {
        f->a = prob->a;
        f->sign = -1;
    } else {
        return false;
    }
    f->b = b;
    f->call = call;
    f->ref = call->ref;
    f->index = call->index;
    return true;
}

/* ---- what the replay counts ---- */

/* The bits (the stage's touchpoints in order) of the stage's touchpoints that are T, or belong
 * to channel T; 0 when none (or beyond the 64 the replay keeps per entry). */
static uint64_t stage_mask(const Model *m, int s, RefKind ref, int index)
{
    uint64_t mask = 0;
    int rank = 0;
    for (int k = 0; k < m->ntouchpoints; k++) {
        const Touchpoint *t = m->touchpoints[k];
        if (t->stage_index != s) continue;
        bool is = ref == REF_TOUCHPOINT ? k == index : t->channel_index == index;
        if (is && rank < 64) mask |= (uint64_t)1 << rank;
        rank++;
    }
    return mask;
}

static int met_obs_find(const FitObs *o, int s, RefKind ref, int index)
{
    for (int i = 0; i < o->nmet; i++)
        if (o->met[i].stage == s && o->met[i].ref == ref && o->met[i].index == index) return i;
    return -1;
}

bool fit_met_obs_init(FitObs *o)
{
    const Model *m = o->model;
    int cap = 0;
    for (int s = 0; s < m->nstages; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) cap++;
    o->met = calloc(cap ? (size_t)cap : 1, sizeof *o->met);
    if (!o->met) return false;
    for (int s = 0; s < m->nstages; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) {
            FitMetForm f;
            if (a->when || !fit_met_form(a->prob, &f) || met_obs_find(o, s, f.ref, f.index) >= 0) continue;
            FitMetObs *x = &o->met[o->nmet];
            x->stage = s;
            x->ref = f.ref;
            x->index = f.index;
            x->mask = stage_mask(m, s, f.ref, f.index);
            x->moves = calloc(2 * ((size_t)m->nstages + 1), sizeof *x->moves);
            if (!x->moves) return false;
            o->nmet++;
        }
    return true;
}

void fit_met_obs_free(FitObs *o)
{
    for (int i = 0; i < o->nmet; i++) free(o->met[i].moves);
    free(o->met);
    o->met = NULL;
    o->nmet = 0;
}

void fit_met_count(FitObs *o, int s, uint64_t met, int to)
{
    for (int i = 0; i < o->nmet; i++) {
        FitMetObs *x = &o->met[i];
        if (x->stage != s) continue;
        int with = (met & x->mask) != 0;
        x->moves[(size_t)with * ((size_t)o->nstages + 1) + (size_t)to]++;
    }
}

/* ---- the estimates ---- */

static FitInterval wilson(double k, double n)
{
    FitInterval r = {NAN, NAN, NAN};
    if (!(n > 0)) return r;
    r.value = k / n;
    rt_wilson(k, n, Z95, &r.lo, &r.hi);
    return r;
}

FitInterval fit_newcombe(FitInterval p1, FitInterval p0)
{
    FitInterval d = {NAN, NAN, NAN};
    if (isnan(p1.value) || isnan(p0.value)) return d;
    d.value = p1.value - p0.value;
    d.lo = d.value - sqrt((p1.value - p1.lo) * (p1.value - p1.lo) + (p0.hi - p0.value) * (p0.hi - p0.value));
    d.hi = d.value + sqrt((p1.hi - p1.value) * (p1.hi - p1.value) + (p0.value - p0.lo) * (p0.value - p0.lo));
    return d;
}

/* Stage s's arrows to the same target as `a` (the moves cannot be told apart) or other churn
 * arrows: then the split moves belong to no one arrow. */
static bool shares_moves(const Stage *st, const Arrow *a)
{
    for (const Arrow *b = st->arrows; b; b = b->next) {
        if (b == a) continue;
        if (a->to_churn ? b->to_churn : (!b->to_churn && b->target_index == a->target_index)) return true;
    }
    return false;
}

static const char *met_name(const Model *m, const FitMetForm *f)
{
    return f->ref == REF_TOUCHPOINT ? m->touchpoints[f->index]->name.s : m->channels[f->index]->name.s;
}

static void estimate_one(const FitObs *o, const FitMetObs *x, const Arrow *a, FitMetArrow *r, bool ruled)
{
    int S = o->nstages;
    const double *without = x->moves, *with = x->moves + S + 1;
    int to = a->to_churn ? S : a->target_index;
    for (int t = 0; t <= S; t++) {
        r->n0 += without[t];
        r->n1 += with[t];
    }
    r->k0 = without[to];
    r->k1 = with[to];
    r->p0 = wilson(r->k0, r->n0);
    r->p1 = wilson(r->k1, r->n1);
    r->a = r->p0;
    r->b = fit_newcombe(r->p1, r->p0);
    r->fitted = true;
    if (o->from_table) r->fitted = false, r->why_not_fitted = "the query's result does not count meetings per entry";
    else if (!x->mask)
        r->fitted = false, r->why_not_fitted = "T has no touchpoint in this stage: the log's meetings of it are "
                                               "counted in their own stage";
    else if (shares_moves(o->model->stages[x->stage], a))
        r->fitted = false, r->why_not_fitted = "another arrow of the stage goes to the same target";
    else if (ruled) r->fitted = false, r->why_not_fitted = "a rule can move customers out of this stage (goto or churn)";
    else if (!(r->n0 > 0) || !(r->n1 > 0))
        r->fitted = false, r->why_not_fitted = r->n1 > 0 ? "no entry without a meeting" : "no entry with a meeting";
    r->declared_known = true;
    r->declared_a = r->form.a ? sema_eval_constant(r->form.a) : 0;
    r->declared_b = sema_eval_constant(r->form.b);
    /* B is the coefficient of met(T) as the arrow adds it: with `A - B * met(T)` the fitted
     * difference is -B. */
    if (r->form.sign < 0 && !isnan(r->b.value)) r->b = (FitInterval){-r->b.value, -r->b.hi, -r->b.lo};
    r->outside_a = !isnan(r->a.lo) && (r->declared_a < r->a.lo - 1e-12 || r->declared_a > r->a.hi + 1e-12);
    r->outside_b = !isnan(r->b.lo) && (r->declared_b < r->b.lo - 1e-12 || r->declared_b > r->b.hi + 1e-12);
}

bool fit_met_arrows(const FitObs *o, bool (*ruled)(const Model *, int), FitMetArrow **out, int *n)
{
    const Model *m = o->model;
    *out = NULL;
    *n = 0;
    if (!o->nmet) return true;
    int cap = 0;
    for (int s = 0; s < m->nstages; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) cap++;
    FitMetArrow *v = calloc((size_t)cap, sizeof *v);
    if (!v) return false;
    for (int s = 0; s < m->nstages; s++) {
        int i = 0;
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next, i++) {
            FitMetForm f;
            if (a->when || !fit_met_form(a->prob, &f)) continue;
            int at = met_obs_find(o, s, f.ref, f.index);
            if (at < 0) continue;
            FitMetArrow *r = &v[(*n)++];
            r->from = s;
            r->arrow = i;
            r->to = a->to_churn ? -1 : a->target_index;
            r->form = f;
            r->what = met_name(m, &f);
            estimate_one(o, &o->met[at], a, r, ruled(m, s));
        }
    }
    *out = v;
    return true;
}
