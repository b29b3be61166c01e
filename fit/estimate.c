/* estimate.c: what the observations say about the journey (fit_estimate, the plan's "Estimates"):
 * each stage's arrows as observed shares with Wilson 95% intervals beside their declared values,
 * the moves the journey lacks, the waits (waits.c), touchpoints' reach, personas' shares, the
 * mood of each stage, surveys' NPS and conversion.
 *
 * An arrow is fitted only when its share is a number the data can replace: a constant probability
 * without a condition, in a stage no rule can leave by goto or churn. Otherwise the observed share
 * is still given, with why it is not fitted. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cannot.h"
#include "kpi.h"
#include "met.h"
#include "traits.h"
#include "waits.h"

#define Z95 1.959963984540054

static const FitInterval NONE = {NAN, NAN, NAN};

static FitInterval wilson(double k, double n)
{
    if (!(n > 0)) return NONE;
    FitInterval r = {k / n, NAN, NAN};
    rt_wilson(k, n, Z95, &r.lo, &r.hi);
    return r;
}

static bool constant_arrow(const Arrow *a, double *v)
{
    if (a->otherwise || a->when || !a->prob || !a->prob->constant) return false;
    *v = sema_eval_constant(a->prob);
    return true;
}

/* Whether some rule can move customers out of stage s (a goto or a churn action). */
static bool ruled(const Model *m, int s)
{
    for (int i = 0; i < m->nrules; i++) {
        const Rule *r = m->rules[i];
        int only = sema_rule_stage(r);
        if (only >= 0 && only != s) continue;
        for (const Action *a = r->actions; a; a = a->next)
            if (a->kind == ACT_GOTO || a->kind == ACT_CHURN) return true;
    }
    return false;
}

/* The declared share of an `otherwise` arrow: what the constant others leave, when all are. */
static bool otherwise_share(const Stage *st, const Arrow *self, double *v)
{
    double sum = 0;
    for (const Arrow *a = st->arrows; a; a = a->next) {
        double x;
        if (a == self) continue;
        if (!constant_arrow(a, &x)) return false;
        sum += x;
    }
    *v = 1 - sum;
    if (*v < 0) *v = 0;
    return !self->when;
}

/* Whether the churn arrows of st have reasons, each its own: then churn counts split by reason. */
static bool churn_by_reason(const FitObs *o, const Stage *st)
{
    int n = 0;
    for (const Arrow *a = st->arrows; a; a = a->next) {
        if (!a->to_churn) continue;
        n++;
        if (!a->reason.s || !a->reason.s[0]) return false;
        for (const Arrow *b = st->arrows; b != a; b = b->next)
            if (b->to_churn && b->reason.s && strcmp(b->reason.s, a->reason.s) == 0) return false;
    }
    (void)o;
    return n > 0;
}

static int reason_column(const FitObs *o, const char *reason)
{
    for (int i = 0; i < o->nreasons; i++)
        if (o->reasons[i] == reason || strcmp(o->reasons[i], reason) == 0) return i;
    return -1;
}

/* The count of stage s's moves that arrow a takes. */
static double arrow_count(const FitObs *o, const Stage *st, const Arrow *a, bool *shared)
{
    int s = st->index, S = o->nstages;
    const double *row = &o->moves[(size_t)s * (S + 1)];
    *shared = false;
    if (!a->to_churn) {
        for (const Arrow *b = st->arrows; b != a; b = b->next)
            if (!b->to_churn && b->target_index == a->target_index) return *shared = true, 0;
        return row[a->target_index];
    }
    const Arrow *first = NULL;
    for (const Arrow *b = st->arrows; b && !first; b = b->next)
        if (b->to_churn) first = b;
    if (!churn_by_reason(o, st)) {
        if (a != first) return *shared = true, 0;
        return row[S];
    }
    /* By reason; churn without one of this stage's reasons (inactivity, another reason, none)
     * goes to the first churn arrow. */
    const double *by = &o->churn_by_reason[(size_t)s * (o->nreasons + 1)];
    double mine = 0, own = 0;
    for (const Arrow *b = st->arrows; b; b = b->next) {
        if (!b->to_churn) continue;
        int c = reason_column(o, b->reason.s);
        double v = c >= 0 ? by[c] : 0;
        own += v;
        if (b == a) mine = v;
    }
    return a == first ? mine + (row[S] - own) : mine;
}

static void stage_moves(const FitObs *o, const Stage *st, FitMove *out, int *n)
{
    int s = st->index, S = o->nstages;
    const double *row = &o->moves[(size_t)s * (S + 1)];
    double total = 0;
    for (int t = 0; t <= S; t++) total += row[t];
    if (!(total > 0)) return;
    bool by_rules = ruled(o->model, s);
    int i = 0;
    for (const Arrow *a = st->arrows; a; a = a->next, i++) {
        FitMove mv = {.from = s, .to = a->to_churn ? -1 : a->target_index, .arrow = i, .fitted = true};
        bool shared;
        mv.count = arrow_count(o, st, a, &shared);
        mv.p = wilson(mv.count, total);
        double v;
        if (constant_arrow(a, &v)) mv.declared_known = true, mv.declared = v;
        else if (a->otherwise && otherwise_share(st, a, &v)) mv.declared_known = true, mv.declared = v;
        if (shared) {
            mv.fitted = false;
            mv.why_not_fitted = a->to_churn ? "its moves are counted on the stage's first churn arrow"
                                            : "its moves are counted on the first arrow to the same stage";
        } else if (by_rules) {
            mv.fitted = false;
            mv.why_not_fitted = "a rule can move customers out of this stage (goto or churn)";
        } else if (a->when) {
            mv.fitted = false;
            mv.why_not_fitted = "it has a condition (when)";
        } else if (!a->otherwise && !(a->prob && a->prob->constant)) {
            FitMetForm form;
            mv.fitted = false;
            mv.why_not_fitted = fit_met_form(a->prob, &form)
                                    ? "its probability depends on met(): fitted apart, with and without the meeting"
                                    : "its probability depends on the customer (mood, visits, traits)";
        } else if (a->otherwise && !mv.declared_known) {
            mv.fitted = false;
            mv.why_not_fitted = "the other arrows' shares are not constant";
        }
        mv.outside = mv.declared_known && !isnan(mv.p.lo) && (mv.declared < mv.p.lo || mv.declared > mv.p.hi);
        out[(*n)++] = mv;
    }
    /* The moves the journey has no arrow for: where the map is wrong. */
    for (int t = 0; t <= S; t++) {
        if (!(row[t] > 0)) continue;
        bool has = false;
        for (const Arrow *a = st->arrows; a && !has; a = a->next)
            has = t == S ? a->to_churn : (!a->to_churn && a->target_index == t);
        if (has) continue;
        FitMove mv = {.from = s, .to = t == S ? -1 : t, .arrow = -1, .count = row[t]};
        mv.p = wilson(row[t], total);
        mv.why_not_fitted = "the journey has no such arrow";
        out[(*n)++] = mv;
    }
}

static void stage_wait(const FitObs *o, int s, FitWait *w)
{
    fit_waits(&o->wait_done[s], &o->wait_censored[s], w);
    w->stage = s;
    const Dist *d = o->model->stages[s]->wait;
    w->declared_present = d != NULL;
    w->declared_mean = NAN;
    w->outside = false;
    if (d) {
        double a[3] = {0, 0, 0};
        for (int i = 0; i < d->nargs && i < 3; i++) a[i] = d->args[i].v;
        w->declared_mean = fit_dist_mean(d->kind, a);
        w->outside = !isnan(w->mean.lo) && (w->declared_mean < w->mean.lo || w->declared_mean > w->mean.hi);
    }
}

static FitInterval mood_of(const FitObs *o, int s)
{
    double n = o->mood_n[s];
    if (!(n > 0)) return NONE;
    double mean = o->mood_sum[s] / n;
    if (n < 2) return (FitInterval){mean, NAN, NAN};
    double var = (o->mood_sumsq[s] - n * mean * mean) / (n - 1);
    double h = Z95 * sqrt(var > 0 ? var : 0) / sqrt(n);
    return (FitInterval){mean, mean - h, mean + h};
}

static FitInterval nps_of(const FitObs *o, int k)
{
    if (o->model->touchpoints[k]->survey_kind != SURVEY_NPS) return NONE;
    RtTouchRow row;
    memset(&row, 0, sizeof row);
    row.respondents = o->score_n_tp[k];
    row.promoters = o->score_promoters_tp[k];
    row.detractors = o->score_detractors_tp[k];
    RtEstimate e = rt_survey_nps(&row);
    return (FitInterval){e.value, e.lo, e.hi};
}

FitResult *fit_estimate(const FitObs *o)
{
    const Model *m = o->model;
    int S = o->nstages, T = o->ntouchpoints, P = o->npersonas;
    FitResult *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->model = m;
    f->obs = o;
    size_t room = 0;
    for (int s = 0; s < S; s++) {
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) room++;
        room += (size_t)S + 1;
    }
    f->moves = calloc(room ? room : 1, sizeof *f->moves);
    f->waits = calloc(S ? (size_t)S : 1, sizeof *f->waits);
    f->reach = calloc(T ? (size_t)T : 1, sizeof *f->reach);
    f->persona_share = calloc(P ? (size_t)P : 1, sizeof *f->persona_share);
    f->stage_mood = calloc(S ? (size_t)S : 1, sizeof *f->stage_mood);
    f->nps_tp = calloc(T ? (size_t)T : 1, sizeof *f->nps_tp);
    if (!f->moves || !f->waits || !f->reach || !f->persona_share || !f->stage_mood || !f->nps_tp) {
        fit_result_free(f);
        return NULL;
    }
    for (int s = 0; s < S; s++) {
        stage_moves(o, m->stages[s], f->moves, &f->nmoves);
        stage_wait(o, s, &f->waits[s]);
        f->stage_mood[s] = mood_of(o, s);
    }
    for (int k = 0; k < T; k++) {
        int s = m->touchpoints[k]->stage_index;
        f->reach[k] = s >= 0 && !o->from_table ? wilson(o->touch_entries[k], o->entries[s]) : NONE;
        f->nps_tp[k] = nps_of(o, k);
    }
    double known = 0;
    for (int p = 0; p < P; p++) known += o->persona_cases[p];
    for (int p = 0; p < P; p++) f->persona_share[p] = wilson(o->persona_cases[p], known);
    f->conversion = m->has_goal ? wilson(o->converted, o->cases) : NONE;
    if (!fit_met_arrows(o, ruled, &f->met_arrows, &f->nmet_arrows) ||
        !fit_traits_estimate(o, &f->traits, &f->ntraits) || !fit_cannot_list(o, &f->cannot, &f->ncannot)) {
        fit_result_free(f);
        return NULL;
    }
    return f;
}

void fit_result_free(FitResult *f)
{
    if (!f) return;
    free(f->moves);
    free(f->waits);
    free(f->reach);
    free(f->persona_share);
    free(f->stage_mood);
    free(f->nps_tp);
    free(f->met_arrows);
    fit_traits_free(f->traits, f->ntraits);
    fit_cannot_free(f->cannot, f->ncannot);
    free(f);
}
