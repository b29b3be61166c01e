/* compile.c: from the checked Model to the flat RtModel (see model.h). Everything that can be
 * decided before the first customer is decided here, once: names become indexes, constant
 * expressions become numbers, and the next-move tables and rule lists of every (persona, stage)
 * pair are built. This file draws no random numbers and counts nothing. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define GROW(arr, n, cap)                                                   \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            (cap) = (cap) ? (cap) * 2 : 64;                                 \
            (arr) = xrealloc((arr), (size_t)(cap) * sizeof *(arr));         \
        }                                                                   \
    } while (0)

/* ---- expressions ---- */

static void emit(RtModel *rm, RtOp op, int arg, double k)
{
    GROW(rm->code, rm->ncode, rm->code_cap);
    rm->code[rm->ncode++] = (RtIns){op, arg, k};
}

static int emit_expr(RtModel *rm, const Expr *e);

/* A function's arguments, then the function over the top nargs values; visits() reads the
 * customer's visits of the stage it names. */
static int emit_call(RtModel *rm, const Expr *e)
{
    static const RtOp op[] = {
#define FUNC(name, spelling, lo, hi, cls, value) [FN_##name] = OP_##name,
#include "expr.def"
    };
    if (expr_func_reads_customer(e->fn)) { /* visits(stage); met(slot), met_ever(slot) (eval.h) */
        int arg = e->ref == REF_CHANNEL ? rm->ntouch + e->index : e->index;
        emit(rm, op[e->fn], arg, 0);
        return 1;
    }
    int need = 0, i = 0;
    for (const Expr *a = e->args; a; a = a->next, i++) {
        int n = i + emit_expr(rm, a);
        if (n > need) need = n;
    }
    emit(rm, op[e->fn], e->nargs, 0);
    return need;
}

/* `a OP b`; an operand known before the run goes into the instruction (OP_NAME_K, OP_K_NAME). */
static int emit_infix(RtModel *rm, const Expr *e, RtOp both, RtOp right_k, RtOp left_k)
{
    if (e->b->constant) {
        int n = emit_expr(rm, e->a);
        emit(rm, right_k, 0, sema_eval_constant(e->b));
        return n;
    }
    if (e->a->constant) {
        int n = emit_expr(rm, e->b);
        emit(rm, left_k, 0, sema_eval_constant(e->a));
        return n;
    }
    int na = emit_expr(rm, e->a);
    int nb = 1 + emit_expr(rm, e->b);
    emit(rm, both, 0, 0);
    return na > nb ? na : nb;
}

/* Emits postfix code for e and returns how many stack slots its evaluation needs. */
static int emit_expr(RtModel *rm, const Expr *e)
{
    if (e->constant) {
        emit(rm, OP_CONST, 0, sema_eval_constant(e));
        return 1;
    }
    switch (e->kind) {
    case EX_NUMBER: emit(rm, OP_CONST, 0, e->num); return 1;
    case EX_NAME:
        switch (e->ref) {
        case REF_TIME: emit(rm, OP_TIME, 0, 0); break;
        case REF_TRAIT: emit(rm, OP_TRAIT, e->index, 0); break;
        case REF_STATE: emit(rm, OP_STATE, e->index, 0); break;
        default: emit(rm, OP_CONST, 0, e->index); break; /* a stage or persona: its index */
        }
        return 1;
#define LEAF(name, spelling, token, type, cls) \
    case EX_##name: emit(rm, OP_##name, 0, 0); return 1;
#define PREFIX(name, spelling, token, prec, operand, result, value) \
    case EX_##name: {                                               \
        int n = emit_expr(rm, e->a);                                \
        emit(rm, OP_##name, 0, 0);                                  \
        return n;                                                   \
    }
#define INFIX(name, spelling, token, prec, assoc, operand, result, value) \
    case EX_##name: return emit_infix(rm, e, OP_##name, OP_##name##_K, OP_K_##name);
#include "expr.def"
    case EX_CALL: return emit_call(rm, e);
    }
    return 0;
}

RtExpr rt_compile_expr(RtModel *rm, const Expr *e)
{
    RtExpr x = {RT_EXPR_NONE, true, 0, 0, 0, e};
    if (!e) return x;
    x.persona_only = e->persona_only || e->constant;
    if (e->constant) {
        x.kind = RT_EXPR_CONST;
        x.k = sema_eval_constant(e);
        return x;
    }
    x.kind = RT_EXPR_CODE;
    x.code = rm->ncode;
    int need = emit_expr(rm, e);
    x.len = rm->ncode - x.code;
    if (need > rm->max_stack) rm->max_stack = need;
    return x;
}

/* ---- warning sites ---- */

static int add_site(RtModel *rm, RtSiteKind kind, Loc loc, int stage)
{
    GROW(rm->sites, rm->nsites, rm->sites_cap);
    rm->sites[rm->nsites] = (RtSite){kind, loc, stage};
    return rm->nsites++;
}

/* ---- declarations ---- */

/* The last of rt_compile_with()'s settings of `kind` for item `index`, or NULL. */
static const RtSetting *find_setting(const RtModel *rm, RtSetKind kind, int index)
{
    const RtSetting *found = NULL;
    for (int i = 0; i < rm->nset; i++)
        if (rm->set[i].kind == kind && rm->set[i].index == index) found = &rm->set[i];
    return found;
}

/* The value a setting gives to item `index`, or the journey's own `v`. */
static double setting(const RtModel *rm, RtSetKind kind, int index, double v)
{
    const RtSetting *set = find_setting(rm, kind, index);
    return set ? set->value : v;
}

static bool stage_removed(const RtModel *rm, int s) { return s >= 0 && find_setting(rm, RT_SET_STAGE_REMOVED, s); }

static void compile_touchpoints(RtModel *rm, const Model *m)
{
    rm->touch = xcalloc((size_t)(m->ntouchpoints + 1), sizeof *rm->touch);
    for (int i = 0; i < m->ntouchpoints; i++) {
        const Touchpoint *t = m->touchpoints[i];
        RtTouch *rt = &rm->touch[i];
        rt->reach = setting(rm, RT_SET_TOUCH_REACH, i, t->reach.present ? t->reach.v : 1);
        rt->reach_thr = rt_threshold(rt->reach);
        rt->emotion = setting(rm, RT_SET_TOUCH_EMOTION, i, t->emotion.present ? t->emotion.v : 0);
        rt->cost = setting(rm, RT_SET_TOUCH_COST, i, t->cost.present ? t->cost.v : 0);
        rt->site_reach = rt->site_cost = -1;
        if (t->reach_expr && !find_setting(rm, RT_SET_TOUCH_REACH, i)) {
            rt->reach_x = rt_compile_expr(rm, t->reach_expr);
            rt->reach = NAN;
            rt->reach_thr = 0;
            rt->site_reach = add_site(rm, SITE_BAD_REACH, t->reach_expr->loc, t->stage_index);
        }
        if (t->cost_expr && !find_setting(rm, RT_SET_TOUCH_COST, i)) {
            rt->cost_x = rt_compile_expr(rm, t->cost_expr);
            rt->cost = NAN;
            rt->site_cost = add_site(rm, SITE_BAD_COST, t->cost_expr->loc, t->stage_index);
        }
        rt->channel = t->channel_index;
        rt->survey = t->survey_kind == SURVEY_NPS ? RT_SURVEY_NPS : t->survey_kind == SURVEY_CSAT ? RT_SURVEY_CSAT : RT_SURVEY_NONE;
        rt->stage = t->stage_index;
        rt->src = t;
        if (rt->stage >= 0) {
            RtStage *st = &rm->stages[rt->stage];
            if (st->ntouch == 0) st->first_touch = i;
            st->ntouch++;
        }
    }
}

/* The wait of distribution `kind` with arguments v (changed), scaled so that its mean becomes
 * `mean` (>= 0; NaN: as declared): the shape is kept, as scaling a truncated normal's parameters
 * scales its mean; a wait without a mean above 0 becomes the constant `mean`. */
static RtWait wait_with_mean(DistKind kind, double *v, double mean)
{
    RtWait w = rt_wait_prepare(kind, v);
    if (isnan(mean)) return w;
    if (!(w.mean > 0)) {
        double c[3] = {mean, 0, 0};
        return rt_wait_prepare(DIST_CONSTANT, c);
    }
    double k = mean / w.mean;
    for (int i = 0; i < 3; i++) v[i] *= k;
    return rt_wait_prepare(kind, v);
}

/* A stage's wait; `mean` (>= 0, or NaN for the journey's own) replaces its mean (wait_with_mean;
 * no wait becomes the constant `mean`). */
static RtWait compile_wait(const Dist *d, double mean)
{
    double v[3] = {0, 0, 0};
    for (int i = 0; d && i < d->nargs && i < 3; i++) v[i] = d->args[i].v;
    if (!d && isnan(mean)) return (RtWait){RT_WAIT_NONE, 0, 0, 0, 0};
    return wait_with_mean(d ? d->kind : DIST_CONSTANT, v, mean);
}

static bool wait_has_expr(const Dist *d)
{
    for (int i = 0; d && i < 3; i++)
        if (d->arg_expr[i]) return true;
    return false;
}

/* A wait whose arguments are expressions: its shape, the arguments written as numbers, the others
 * compiled. st->wait is no wait with a NaN mean: RtModel.wait_ps holds what is known per persona. */
static void compile_wait_expr(RtModel *rm, RtStage *st, const Dist *d, double set_mean, int s)
{
    st->wait_kind = d->kind;
    st->wait_nargs = d->nargs < 1 ? 1 : d->nargs > 3 ? 3 : d->nargs;
    st->wait_set = set_mean;
    for (int i = 0; i < 3; i++) {
        st->wait_arg[i] = i < d->nargs ? d->args[i].v : 0;
        st->wait_x[i] = rt_compile_expr(rm, i < d->nargs ? d->arg_expr[i] : NULL);
    }
    st->wait = (RtWait){RT_WAIT_NONE, 0, 0, 0, NAN};
    st->site_wait = add_site(rm, SITE_BAD_WAIT, d->loc, s);
}

int rt_wait_from_args(const RtStage *st, double *v, RtWait *out)
{
    int bad = 0;
    *out = (RtWait){RT_WAIT_NONE, 0, 0, 0, 0};
    for (int i = 0; i < st->wait_nargs; i++) {
        if (!(v[i] >= 0)) return 1; /* NaN or negative: no valid distribution */
        if (v[i] > MODEL_MAX_DAYS) {
            v[i] = MODEL_MAX_DAYS;
            bad = 1;
        }
    }
    switch (st->wait_kind) {
    case DIST_EXPONENTIAL:
    case DIST_LOGNORMAL:
        if (!(v[0] > 0)) return 1;
        break;
    case DIST_UNIFORM:
        if (v[0] > v[1]) return 1;
        break;
    case DIST_TRIANGULAR:
        if (!(v[0] <= v[1] && v[1] <= v[2])) return 1;
        break;
    default: break;
    }
    *out = wait_with_mean(st->wait_kind, v, st->wait_set); /* RT_SET_STAGE_WAIT, as compile_wait */
    return bad;
}

static bool is_static(const Expr *e) { return e->constant || e->persona_only; }

/* Whether e is alpha + beta * mood with alpha and beta fixed for a (persona, stage) pair. An
 * operator not named here is taken as not affine: its stage is then interpreted per customer,
 * slower but never wrong, so a new operator of expr.def needs nothing here. */
static bool affine_in_mood(const Expr *e)
{
    if (!e || is_static(e)) return true;
    switch (e->kind) {
    case EX_MOOD: return true;
    case EX_NEG: return affine_in_mood(e->a);
    case EX_ADD:
    case EX_SUB: return affine_in_mood(e->a) && affine_in_mood(e->b);
    case EX_MUL: return (is_static(e->a) && affine_in_mood(e->b)) || (affine_in_mood(e->a) && is_static(e->b));
    case EX_DIV: return affine_in_mood(e->a) && is_static(e->b);
    default: return false;
    }
}

/* FNV-1a, then Mix13 so that similar names get unrelated keys (rng.h adds keys to counters): the
 * same name gives the same key in every variant of a journey. */
static uint64_t name_key(const char *name)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)name; p && *p; p++) h = (h ^ *p) * UINT64_C(0x100000001b3);
    return rt_mix64(h);
}

static void compile_stages(RtModel *rm, const Model *m)
{
    int narrows = 0;
    for (int s = 0; s < m->nstages; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) narrows++;
    rm->stages = xcalloc((size_t)(m->nstages + 1), sizeof *rm->stages);
    rm->arrows = xcalloc((size_t)(narrows + 1), sizeof *rm->arrows);
    for (int s = 0; s < m->nstages; s++) {
        const Stage *src = m->stages[s];
        RtStage *st = &rm->stages[s];
        st->src = src;
        st->crn_key = name_key(src->name.s);
        st->goal = src->goal;
        st->revenue = setting(rm, RT_SET_STAGE_REVENUE, s, src->revenue.present ? src->revenue.v : 0);
        st->site_revenue = st->site_wait = -1;
        if (src->revenue_expr && !find_setting(rm, RT_SET_STAGE_REVENUE, s)) {
            st->revenue_x = rt_compile_expr(rm, src->revenue_expr);
            st->revenue = NAN;
            st->site_revenue = add_site(rm, SITE_BAD_REVENUE, src->revenue_expr->loc, s);
        }
        if (wait_has_expr(src->wait)) compile_wait_expr(rm, st, src->wait, setting(rm, RT_SET_STAGE_WAIT, s, NAN), s);
        else st->wait = compile_wait(src->wait, setting(rm, RT_SET_STAGE_WAIT, s, NAN));
        st->first_arrow = rm->narrows;
        st->site_overfull = add_site(rm, SITE_OVERFULL, src->name.loc, s);
        st->site_noway = add_site(rm, SITE_NOWAY, src->name.loc, s);
        for (const Arrow *a = src->arrows; a; a = a->next) {
            RtArrow *ra = &rm->arrows[rm->narrows++];
            ra->stage = s;
            ra->target = a->to_churn || stage_removed(rm, a->target_index) ? RT_CHURN : a->target_index;
            ra->reason = a->reason.s ? a->reason.s : "";
            ra->otherwise = a->otherwise;
            ra->prob = rt_compile_expr(rm, a->otherwise ? NULL : a->prob);
            const RtSetting *prob = find_setting(rm, RT_SET_ARROW_PROB, rm->narrows - 1);
            if (prob && !ra->otherwise) {
                ra->prob.kind = RT_EXPR_CONST;
                ra->prob.persona_only = true;
                ra->prob.k = prob->value;
            }
            ra->when = rt_compile_expr(rm, a->when);
            ra->site_nan = add_site(rm, SITE_NAN_PROB, a->prob ? a->prob->loc : a->loc, s);
            ra->src = a;
            if (!ra->prob.persona_only || !ra->when.persona_only) st->dynamic = true;
        }
        st->narrows = rm->narrows - st->first_arrow;
        st->affine = st->dynamic;
        for (int i = 0; i < st->narrows; i++) {
            const RtArrow *ra = &rm->arrows[st->first_arrow + i];
            if (!ra->when.persona_only || !affine_in_mood(ra->prob.src)) st->affine = false;
        }
    }
}

/* Compiles the conjuncts of `e` (split at `and`) that depend on the customer. */
static void compile_conjuncts(RtModel *rm, const Expr *e)
{
    if (!e || is_static(e)) return;
    if (e->kind == EX_AND) {
        compile_conjuncts(rm, e->a);
        compile_conjuncts(rm, e->b);
        return;
    }
    RtExpr x = rt_compile_expr(rm, e);
    GROW(rm->conj, rm->nconj, rm->conj_cap);
    rm->conj[rm->nconj++] = x;
}

static void compile_rules(RtModel *rm, const Model *m)
{
    int nactions = 0;
    for (int r = 0; r < m->nrules; r++)
        for (const Action *a = m->rules[r]->actions; a; a = a->next) nactions++;
    rm->rules = xcalloc((size_t)(m->nrules + 1), sizeof *rm->rules);
    rm->actions = xcalloc((size_t)(nactions + 1), sizeof *rm->actions);
    for (int r = 0; r < m->nrules; r++) {
        RtRule *rr = &rm->rules[r];
        rr->src = m->rules[r];
        rr->when = rt_compile_expr(rm, rr->src->when);
        rr->first_conj = rm->nconj;
        compile_conjuncts(rm, rr->src->when);
        rr->nconj = rm->nconj - rr->first_conj;
        rr->first_action = rm->nactions;
        for (const Action *a = rr->src->actions; a; a = a->next) {
            RtAction *ra = &rm->actions[rm->nactions++];
            ra->kind = a->kind;
            ra->target = a->target_index;
            if (a->kind == ACT_GOTO && stage_removed(rm, a->target_index)) ra->kind = ACT_CHURN;
            ra->value = rt_compile_expr(rm, a->value);
            ra->with = rt_compile_expr(rm, a->with);
            ra->reason = a->reason.s ? a->reason.s : "";
            ra->exit_slot = (a->kind == ACT_GOTO || a->kind == ACT_CHURN) ? rm->nexit_slots++ : -1;
            ra->site_nan_value = add_site(rm, SITE_NAN_VALUE, a->value ? a->value->loc : a->loc, -1);
            ra->site_nan_with = add_site(rm, SITE_NAN_WITH, a->with ? a->with->loc : a->loc, -1);
            ra->src = a;
        }
        rr->nactions = rm->nactions - rr->first_action;
    }
}

static void compile_personas(RtModel *rm, const Model *m)
{
    rm->persona_thr = xcalloc((size_t)m->npersonas, sizeof *rm->persona_thr);
    rm->persona_mood = xcalloc((size_t)m->npersonas, sizeof *rm->persona_mood);
    rm->persona_share = xcalloc((size_t)m->npersonas + 1, sizeof *rm->persona_share);
    for (int p = 0; p < m->npersonas; p++) rm->persona_share[p] = m->share[p];
    for (int p = 0; p < m->npersonas; p++) {
        const RtSetting *set = find_setting(rm, RT_SET_PERSONA_SHARE, p);
        if (!set || m->share[p] >= 1) continue; /* a sole persona's share stays 100% */
        double scale = (1 - set->value) / (1 - m->share[p]);
        for (int q = 0; q < m->npersonas; q++) rm->persona_share[q] = q == p ? set->value : m->share[q] * scale;
    }
    double cum = 0;
    for (int p = 0; p < m->npersonas; p++) {
        cum += rm->persona_share[p];
        rm->persona_thr[p] = p == m->npersonas - 1 ? RT_U53_ALWAYS : rt_threshold(cum);
        const Persona *ps = m->personas[p];
        rm->persona_mood[p] = ps->mood.present ? ps->mood.v : 0;
    }
    /* A guide table: the draws whose top bits are g lie in [g, g + 1) * 2^45, so the walk over the
     * thresholds may start at the persona of the range's lowest draw (usually it stops there). */
    int first = 0;
    for (int g = 0; g < (1 << RT_GUIDE_BITS); g++) {
        uint64_t lowest = (uint64_t)g << (53 - RT_GUIDE_BITS);
        while (lowest >= rm->persona_thr[first]) first++;
        rm->persona_guide[g] = first;
    }
}

/* Arrivals over calendar time: one RtArrivalPeriod per period of each checked `arrivals` line, in
 * the Model's order (the journey's lines, then each persona's), periods in calendar order. A rate's
 * period k brings the customers it has brought by the end of that period less those by its start
 * (sema_arrivals_by: the rounding never loses or adds a customer over the line); a list's counts
 * are taken as written. A period may bring none. */
static void compile_arrivals(RtModel *rm, const Model *m)
{
    int n = 0;
    for (int i = 0; i < m->narrivals; i++) n += m->arrivals[i]->nperiods;
    if (n == 0) return;
    rm->arrivals = xcalloc((size_t)n, sizeof *rm->arrivals);
    uint64_t first = 0;
    for (int i = 0; i < m->narrivals; i++) {
        const Arrivals *a = m->arrivals[i];
        const ArrivalCount *c = a->counts;
        for (int k = 0; k < a->nperiods; k++) {
            double end = k + 1 < a->periods ? k + 1 : a->periods; /* the last may be part of a period */
            double count;
            if (a->is_list) {
                count = c->value.v;
                c = c->next;
            } else {
                count = sema_arrivals_by(a, end) - sema_arrivals_by(a, k);
            }
            RtArrivalPeriod *p = &rm->arrivals[rm->narrivals++];
            p->start = a->start + k * a->period_days;
            p->length = (end - k) * a->period_days;
            p->count = (uint64_t)count;
            p->first = first;
            p->persona = a->persona;
            first += p->count;
        }
    }
    rm->arrival_total = first;
}

/* ---- per (persona, stage) tables ---- */

void rt_stage_probs(const RtModel *rm, int s, const RtCtx *c, double *stack, double *prob, RtChoice *out)
{
    const RtStage *st = &rm->stages[s];
    double sum = 0;
    out->other = -1;
    out->nan_site = -1;
    out->overfull = false;
    for (int i = 0; i < st->narrows; i++) {
        const RtArrow *a = &rm->arrows[st->first_arrow + i];
        prob[i] = 0;
        if (a->when.kind != RT_EXPR_NONE && rt_eval(&a->when, rm->code, c, stack) == 0) continue;
        if (a->otherwise) {
            if (out->other < 0) out->other = st->first_arrow + i;
            continue;
        }
        double v = rt_eval(&a->prob, rm->code, c, stack);
        if (isnan(v)) {
            if (out->nan_site < 0) out->nan_site = a->site_nan;
            v = 0;
        }
        v = v < 0 ? 0 : v > 1 ? 1 : v;
        prob[i] = v;
        sum += v;
    }
    /* The same tolerance as the checker: 55% + 45% is 100%, not an overflow by rounding. */
    if (sum > 1 + 1e-9) {
        out->overfull = true;
        for (int i = 0; i < st->narrows; i++) prob[i] /= sum;
        sum = 1;
    }
    out->sum = sum;
    out->leftover = sum >= 1 - 1e-9 ? 0 : 1 - sum;
}

static void push_pick(RtModel *rm, uint64_t thr, int arrow)
{
    GROW(rm->picks, rm->npicks, rm->picks_cap);
    rm->picks[rm->npicks++] = (RtPick){thr, arrow, arrow >= 0 ? rm->arrows[arrow].target : arrow};
}

static void build_picks(RtModel *rm, int p, int s, const RtCtx *c, double *stack, double *prob)
{
    const RtStage *st = &rm->stages[s];
    size_t at = (size_t)p * (size_t)rm->nstages + (size_t)s;
    RtCell *cell = &rm->cells[at];
    cell->pick = rm->npicks;
    cell->warn = cell->warn2 = -1;
    if (st->narrows == 0) {
        push_pick(rm, RT_U53_ALWAYS, RT_END);
        return;
    }
    RtChoice ch;
    rt_stage_probs(rm, s, c, stack, prob, &ch);
    double cum = 0;
    int first = rm->npicks;
    for (int i = 0; i < st->narrows; i++) {
        if (prob[i] <= 0) continue;
        cum += prob[i];
        push_pick(rm, rt_threshold(cum), st->first_arrow + i);
    }
    if (ch.leftover > 0) push_pick(rm, RT_U53_ALWAYS, ch.other >= 0 ? ch.other : RT_NOWAY);
    else if (rm->npicks > first) rm->picks[rm->npicks - 1].thr = RT_U53_ALWAYS;
    else push_pick(rm, RT_U53_ALWAYS, RT_NOWAY);
    cell->warn = ch.overfull ? st->site_overfull : ch.nan_site;
    cell->warn2 = ch.overfull ? ch.nan_site : -1;
}

/* The RtAffine run of a dynamic stage whose arrows are affine in mood: alpha is the probability
 * at mood 0, beta its growth from mood 0 to mood 1. */
static void build_affine(RtModel *rm, int p, int s, RtCtx *c, double *stack)
{
    const RtStage *st = &rm->stages[s];
    RtCell *cell = &rm->cells[(size_t)p * (size_t)rm->nstages + (size_t)s];
    cell->affine = rm->naffines;
    cell->other = -1;
    for (int i = 0; i < st->narrows; i++) {
        const RtArrow *a = &rm->arrows[st->first_arrow + i];
        if (a->when.kind != RT_EXPR_NONE && rt_eval(&a->when, rm->code, c, stack) == 0) continue;
        if (a->otherwise) {
            if (cell->other < 0) cell->other = st->first_arrow + i;
            continue;
        }
        c->curve = 0;
        c->experience = 0;
        double alpha = rt_eval(&a->prob, rm->code, c, stack), beta = 0;
        if (!a->prob.persona_only) {
            c->experience = 1;
            beta = rt_eval(&a->prob, rm->code, c, stack) - alpha;
        }
        GROW(rm->affines, rm->naffines, rm->affines_cap);
        rm->affines[rm->naffines++] = (RtAffine){alpha, beta, st->first_arrow + i, a->site_nan};
    }
    cell->naffine = rm->naffines - cell->affine;
}

static void push_rule(RtModel *rm, int v)
{
    GROW(rm->rule_list, rm->nrule_list, rm->rule_list_cap);
    rm->rule_list[rm->nrule_list++] = v;
}

/* ---- conditions known before the run ---- */

typedef enum { TRUTH_FALSE, TRUTH_TRUE, TRUTH_UNKNOWN } Truth;

/* The value of a leaf that depends only on the persona and the stage (expr_eval's ExprLeafValue). */
static double static_leaf(const Expr *e, const void *ctx)
{
    const RtCtx *c = ctx;
    switch (e->kind) {
    case EX_NAME: return e->ref == REF_TRAIT ? c->traits[e->index] : e->index;
    case EX_STAGE: return c->stage;
    case EX_PERSONA: return c->persona;
    default: return NAN;
    }
}

/* The value of an expression that depends only on the persona and the stage. */
static double eval_static(const Expr *e, const RtCtx *c) { return expr_eval(e, static_leaf, c); }

/* Whether a condition is known true or false for (persona, stage) before the run: its parts that
 * depend only on them are evaluated, so that `stage == X and mood < 0` is known false outside X. */
static Truth static_truth(const Expr *e, const RtCtx *c)
{
    if (!e) return TRUTH_TRUE;
    if (e->constant || e->persona_only) return eval_static(e, c) != 0 ? TRUTH_TRUE : TRUTH_FALSE;
    Truth a, b;
    switch (e->kind) {
    case EX_AND:
        a = static_truth(e->a, c);
        b = static_truth(e->b, c);
        if (a == TRUTH_FALSE || b == TRUTH_FALSE) return TRUTH_FALSE;
        return a == TRUTH_TRUE && b == TRUTH_TRUE ? TRUTH_TRUE : TRUTH_UNKNOWN;
    case EX_OR:
        a = static_truth(e->a, c);
        b = static_truth(e->b, c);
        if (a == TRUTH_TRUE || b == TRUTH_TRUE) return TRUTH_TRUE;
        return a == TRUTH_FALSE && b == TRUTH_FALSE ? TRUTH_FALSE : TRUTH_UNKNOWN;
    case EX_NOT:
        a = static_truth(e->a, c);
        return a == TRUTH_UNKNOWN ? a : a == TRUTH_TRUE ? TRUTH_FALSE : TRUTH_TRUE;
    default: return TRUTH_UNKNOWN;
    }
}

static void build_rule_list(RtModel *rm, int p, int s, const RtCtx *c)
{
    size_t at = (size_t)p * (size_t)rm->nstages + (size_t)s;
    rm->cells[at].rule_off = rm->nrule_list;
    for (int r = 0; r < rm->nrules; r++) {
        const RtRule *rr = &rm->rules[r];
        if (rr->nactions == 0) continue;
        Truth t = static_truth(rr->src->when, c);
        if (t == TRUTH_TRUE) push_rule(rm, r * 2);
        else if (t == TRUTH_UNKNOWN) push_rule(rm, r * 2 + 1);
    }
    rm->cells[at].rule_len = rm->nrule_list - rm->cells[at].rule_off;
}

static void build_tables(RtModel *rm)
{
    size_t cells = (size_t)rm->npersonas * (size_t)rm->nstages + 1;
    rm->cells = xcalloc(cells, sizeof *rm->cells);
    double *stack = xcalloc((size_t)rm->max_stack + 1, sizeof *stack);
    int maxa = 1;
    for (int s = 0; s < rm->nstages; s++)
        if (rm->stages[s].narrows > maxa) maxa = rm->stages[s].narrows;
    double *prob = xcalloc((size_t)maxa, sizeof *prob);
    RtVisits *no_visits = xcalloc((size_t)rm->nstages + 1, sizeof *no_visits);
    for (int p = 0; p < rm->npersonas; p++) {
        for (int s = 0; s < rm->nstages; s++) {
            RtCtx c = {0};
            c.persona = p;
            c.stage = s;
            c.traits = rm->traits + (size_t)p * (size_t)rm->ntraits;
            c.visits = no_visits;
            c.curve = rm->curve[(size_t)p * (size_t)rm->nstages + (size_t)s];
            size_t at = (size_t)p * (size_t)rm->nstages + (size_t)s;
            rm->cells[at].affine = -1;
            if (rm->stages[s].dynamic) {
                rm->cells[at].pick = rm->cells[at].warn = rm->cells[at].warn2 = -1;
                if (rm->stages[s].affine) build_affine(rm, p, s, &c, stack);
            } else {
                build_picks(rm, p, s, &c, stack, prob);
            }
            build_rule_list(rm, p, s, &c);
        }
    }
    free(no_visits);
    free(prob);
    free(stack);
}

/* ---- customers who differ and remember (issue 16) ---- */

/* A trait's distribution for the sampler (rng.h): parameters as written; a choice's weights
 * normalised (percentages adding up to 100% and relative weights alike) into cumulative 53-bit
 * thresholds, the last one "always". */
static RtTraitDist compile_trait_dist(const Dist *d)
{
    RtTraitDist t = {d->kind, 0, 0, 0, 0, NULL, NULL};
    double v[3] = {0, 0, 0};
    for (int i = 0; i < d->nargs && i < 3 && d->kind != DIST_CHOICE; i++) v[i] = d->args[i].v;
    t.a = v[0], t.b = v[1], t.c = v[2];
    if (d->kind != DIST_CHOICE) return t;
    int n = 0;
    double total = 0;
    for (const ChoiceItem *c = d->choices; c; c = c->next, n++) total += c->weight.v;
    double *values = xcalloc((size_t)n + 1, sizeof *values);
    uint64_t *thr = xcalloc((size_t)n + 1, sizeof *thr);
    double cum = 0;
    int i = 0;
    for (const ChoiceItem *c = d->choices; c; c = c->next, i++) {
        values[i] = c->value.v;
        cum += c->weight.v;
        thr[i] = i == n - 1 ? RT_U53_ALWAYS : rt_threshold(cum / total);
    }
    t.n = n;
    t.values = values;
    t.thr = thr;
    return t;
}

static void compile_traits(RtModel *rm, const Model *m)
{
    size_t np = (size_t)rm->npersonas, nt = (size_t)rm->ntraits;
    rm->trait_dist = xcalloc(np * nt + 1, sizeof *rm->trait_dist);
    rm->persona_draws = xcalloc(np + 1, sizeof *rm->persona_draws);
    rm->trait_key = xcalloc(nt + 1, sizeof *rm->trait_key);
    for (size_t t = 0; t < nt; t++) rm->trait_key[t] = name_key(m->traits[t]);
    for (size_t p = 0; p < np; p++) {
        for (size_t t = 0; t < nt; t++) {
            const Dist *d = m->trait_dist ? m->trait_dist[p * nt + t] : NULL;
            if (!d) continue;
            rm->trait_dist[p * nt + t] = compile_trait_dist(d);
            rm->persona_draws[p] = true;
            rm->rich = true;
        }
    }
}

static void compile_states(RtModel *rm, const Model *m)
{
    rm->nstates = m->states ? m->nstates : 0;
    rm->state_init = xcalloc((size_t)rm->nstates + 1, sizeof *rm->state_init);
    rm->state_flag = xcalloc((size_t)rm->nstates + 1, sizeof *rm->state_flag);
    for (int i = 0; i < rm->nstates; i++) {
        rm->state_init[i] = rt_compile_expr(rm, m->states[i]->init);
        rm->state_flag[i] = m->states[i]->type == TY_BOOL;
    }
    if (rm->nstates > 0) rm->rich = true;
}

/* Curve values written as expressions (Model.curve_expr): none in most journeys, which then get
 * no table of them. */
static void compile_curve_exprs(RtModel *rm, const Model *m)
{
    size_t n = (size_t)rm->npersonas * (size_t)rm->nstages;
    bool any = false;
    for (size_t i = 0; m->curve_expr && i < n && !any; i++) any = m->curve_expr[i] != NULL;
    if (!any) return;
    rm->curve_x = xcalloc(n + 1, sizeof *rm->curve_x);
    rm->curve_site = xcalloc(n + 1, sizeof *rm->curve_site);
    for (size_t i = 0; i < n; i++) {
        const Expr *e = m->curve_expr[i];
        rm->curve_site[i] = -1;
        if (!e) continue;
        rm->curve_x[i] = rt_compile_expr(rm, e);
        rm->curve_site[i] = add_site(rm, SITE_BAD_CURVE, e->loc, (int)(i % (size_t)rm->nstages));
    }
    rm->rich = true;
}

/* An amount that may be an expression, for persona p: its value when fixed for the persona and
 * valid (`ok`), else NaN (evaluated per customer, where an invalid value is counted). */
static double persona_amount(const RtModel *rm, const RtExpr *x, double plain, const RtCtx *c, double *stack,
                             bool (*ok)(double))
{
    if (x->kind == RT_EXPR_NONE) return plain;
    if (!x->persona_only) return NAN;
    double v = rt_eval(x, rm->code, c, stack);
    return ok(v) ? v : NAN;
}

static bool ok_number(double v) { return !isnan(v); }
static bool ok_reach(double v) { return v >= 0 && v <= 1; }
static bool ok_cost(double v) { return v >= 0; }

/* The wait of stage s for the context's persona: fixed (wait_var false) or per customer. */
static void persona_wait(RtModel *rm, const RtStage *st, size_t at, const RtCtx *c, double *stack)
{
    if (isnan(st->wait.mean) && st->site_wait >= 0) {
        double v[3];
        for (int i = 0; i < 3; i++) {
            const RtExpr *x = &st->wait_x[i];
            v[i] = x->kind == RT_EXPR_NONE ? st->wait_arg[i] : x->persona_only ? rt_eval(x, rm->code, c, stack) : NAN;
        }
        RtWait w;
        if (isnan(v[0]) || isnan(v[1]) || isnan(v[2]) || rt_wait_from_args(st, v, &w) != 0) {
            rm->wait_var[at] = true; /* evaluated per entry, where a bad value is counted */
            rm->wait_ps[at] = (RtWait){RT_WAIT_NONE, 0, 0, 0, NAN};
        } else {
            rm->wait_ps[at] = w;
        }
        return;
    }
    rm->wait_ps[at] = st->wait;
}

/* Whether the journey needs the rich customer loop for its amounts, memory or meetings (traits
 * drawn, state and curve expressions have said so already). */
static bool needs_rich(RtModel *rm, const Model *m)
{
    for (int p = 0; p < rm->npersonas; p++)
        if (m->memory && m->memory[p] > 0) return true;
    for (int s = 0; s < rm->nstages; s++)
        if (rm->stages[s].revenue_x.kind != RT_EXPR_NONE || rm->stages[s].site_wait >= 0) return true;
    for (int k = 0; k < rm->ntouch; k++)
        if (rm->touch[k].reach_x.kind != RT_EXPR_NONE || rm->touch[k].cost_x.kind != RT_EXPR_NONE) return true;
    return rm->uses_met;
}

/* The per-persona tables of amounts (RtModel.curve_ps ... cost_ps), which only the rich loop
 * reads: a journey without it has none (rt_stage_revenue and the like read its stages and
 * touchpoints), so that they cost it no memory. */
static void build_amounts(RtModel *rm, const Model *m)
{
    rm->nmet = rm->ntouch + rm->nchannels;
    for (int i = 0; i < rm->ncode; i++)
        if (rm->code[i].op == OP_MET || rm->code[i].op == OP_MET_EVER) rm->uses_met = true;
    if (needs_rich(rm, m)) rm->rich = true;
    if (!rm->rich) return;
    size_t np = (size_t)rm->npersonas, ns = (size_t)rm->nstages, nk = (size_t)rm->ntouch;
    rm->curve_ps = xcalloc(np * ns + 1, sizeof *rm->curve_ps);
    rm->rev_ps = xcalloc(np * ns + 1, sizeof *rm->rev_ps);
    rm->wait_ps = xcalloc(np * ns + 1, sizeof *rm->wait_ps);
    rm->wait_var = xcalloc(np * ns + 1, sizeof *rm->wait_var);
    rm->reach_ps = xcalloc(np * nk + 1, sizeof *rm->reach_ps);
    rm->cost_ps = xcalloc(np * nk + 1, sizeof *rm->cost_ps);
    rm->memory = xcalloc(np + 1, sizeof *rm->memory);
    double *stack = xcalloc((size_t)rm->max_stack + 1, sizeof *stack);
    RtVisits *no_visits = xcalloc(ns + 1, sizeof *no_visits);
    static const RtExpr none = {RT_EXPR_NONE, true, 0, 0, 0, NULL};
    for (size_t p = 0; p < np; p++) {
        rm->memory[p] = m->memory ? m->memory[p] : 0;
        RtCtx c = {0};
        c.persona = (int)p;
        c.traits = rm->traits + p * (size_t)rm->ntraits;
        c.visits = no_visits;
        for (size_t s = 0; s < ns; s++) {
            const RtStage *st = &rm->stages[s];
            size_t at = p * ns + s;
            c.stage = (int)s;
            rm->curve_ps[at] = persona_amount(rm, rm->curve_x ? &rm->curve_x[at] : &none, rm->curve[at], &c, stack, ok_number);
            rm->rev_ps[at] = persona_amount(rm, &st->revenue_x, st->revenue, &c, stack, ok_number);
            persona_wait(rm, st, at, &c, stack);
        }
        for (size_t k = 0; k < nk; k++) {
            const RtTouch *t = &rm->touch[k];
            c.stage = t->stage;
            rm->reach_ps[p * nk + k] = persona_amount(rm, &t->reach_x, t->reach, &c, stack, ok_reach);
            rm->cost_ps[p * nk + k] = persona_amount(rm, &t->cost_x, t->cost, &c, stack, ok_cost);
        }
    }
    free(no_visits);
    free(stack);
}

RtModel *rt_compile(const Model *m) { return rt_compile_with(m, NULL, 0); }

RtModel *rt_compile_with(const Model *m, const RtSetting *set, int nset)
{
    RtModel *rm = xcalloc(1, sizeof *rm);
    rm->model = m;
    rm->set = set;
    rm->nset = nset;
    rm->nstages = m->nstages;
    rm->npersonas = m->npersonas;
    rm->ntraits = m->ntraits;
    rm->ntouch = m->ntouchpoints;
    rm->nchannels = m->nchannels;
    rm->nrules = m->nrules;
    rm->start = m->start;
    rm->traits = m->trait_value;
    rm->curve = m->curve;
    rm->max_stack = 1;
    rm->site_step_limit = add_site(rm, SITE_STEP_LIMIT, (Loc){0, 0, 0}, -1);
    rm->site_exact_horizon = add_site(rm, SITE_EXACT_HORIZON, m->horizon_loc, -1);
    compile_stages(rm, m);
    compile_touchpoints(rm, m);
    compile_rules(rm, m);
    compile_personas(rm, m);
    compile_arrivals(rm, m);
    compile_traits(rm, m);
    compile_states(rm, m);
    compile_curve_exprs(rm, m);
    build_tables(rm);
    build_amounts(rm, m);
    rm->set = NULL; /* the caller's; needed only while compiling */
    rm->nset = 0;
    return rm;
}

void rt_model_free(RtModel *rm)
{
    if (!rm) return;
    free(rm->stages);
    free(rm->arrows);
    free(rm->touch);
    free(rm->arrivals);
    free(rm->rules);
    free(rm->actions);
    free(rm->code);
    free(rm->persona_thr);
    free(rm->persona_mood);
    free(rm->persona_share);
    free(rm->cells);
    free(rm->picks);
    free(rm->affines);
    free(rm->conj);
    free(rm->rule_list);
    free(rm->sites);
    size_t ndist = (size_t)rm->npersonas * (size_t)rm->ntraits;
    for (size_t i = 0; rm->trait_dist && i < ndist; i++) {
        free((void *)rm->trait_dist[i].values);
        free((void *)rm->trait_dist[i].thr);
    }
    free(rm->trait_dist);
    free(rm->persona_draws);
    free(rm->trait_key);
    free(rm->state_init);
    free(rm->state_flag);
    free(rm->memory);
    free(rm->curve_ps);
    free(rm->curve_x);
    free(rm->curve_site);
    free(rm->rev_ps);
    free(rm->wait_ps);
    free(rm->wait_var);
    free(rm->reach_ps);
    free(rm->cost_ps);
    free(rm);
}

/* ---- persona amounts (model.h) ----
 * The tables of build_amounts, NaN where the amount is evaluated per customer; a journey without
 * them has its amounts in its stages and touchpoints. */
double rt_stage_revenue(const RtModel *rm, int p, int s)
{
    return rm->rev_ps ? rm->rev_ps[(size_t)p * (size_t)rm->nstages + (size_t)s] : rm->stages[s].revenue;
}

double rt_touch_reach(const RtModel *rm, int p, int k)
{
    return rm->reach_ps ? rm->reach_ps[(size_t)p * (size_t)rm->ntouch + (size_t)k] : rm->touch[k].reach;
}

double rt_touch_cost(const RtModel *rm, int p, int k)
{
    return rm->cost_ps ? rm->cost_ps[(size_t)p * (size_t)rm->ntouch + (size_t)k] : rm->touch[k].cost;
}

double rt_stage_wait_mean(const RtModel *rm, int p, int s)
{
    if (!rm->wait_ps) return rm->stages[s].wait.mean;
    size_t at = (size_t)p * (size_t)rm->nstages + (size_t)s;
    if (rm->wait_var[at]) return isnan(rm->stages[s].wait_set) ? NAN : rm->stages[s].wait_set;
    return rm->wait_ps[at].mean;
}
