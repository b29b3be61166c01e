/* cannot.c: what a log cannot tell of a journey (docs/fitting.md, "What the log cannot tell"):
 * traits drawn per customer that no --trait column gives (latent), state variables, memory,
 * amounts written as expressions (revenue, reach, cost, a wait's arguments, curve values), and
 * arrows that depend on met_ever(), state or drawn traits. Each item says why, so that a report
 * that fits some numbers does not read as if it had checked them all. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cannot.h"

typedef struct List {
    FitCannot *v; int n, cap;
    bool failed;
} List;

static void add(List *l, const char *kind, const char *name, const char *fmt, ...)
{
    if (l->failed) return;
    if (l->n == l->cap) {
        int ncap = l->cap ? l->cap * 2 : 16;
        FitCannot *v = realloc(l->v, (size_t)ncap * sizeof *v);
        if (!v) {
            l->failed = true;
            return;
        }
        l->v = v;
        l->cap = ncap;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *d = strdup(buf);
    if (!d) {
        l->failed = true;
        return;
    }
    l->v[l->n++] = (FitCannot){kind, name, d};
}

/* What an expression depends on that a log does not show: the first name of each kind. */
typedef struct Deps {
    const char *met_ever;   /* the touchpoint or channel of a met_ever() */
    const char *state;      /* a state variable */
    const char *drawn;      /* a trait drawn per customer */
} Deps;

static void deps_of(const Model *m, const Expr *e, Deps *d)
{
    if (!e) return;
    if (e->kind == EX_NAME && e->ref == REF_STATE && !d->state) d->state = e->name.s;
    if (e->kind == EX_NAME && e->ref == REF_TRAIT && m->trait_varies && e->index >= 0 && e->index < m->ntraits &&
        m->trait_varies[e->index] && !d->drawn)
        d->drawn = e->name.s;
    if (e->kind == EX_CALL && e->fn == FN_MET_EVER && e->args && !d->met_ever) d->met_ever = e->args->name.s;
    deps_of(m, e->a, d);
    deps_of(m, e->b, d);
    for (const Expr *x = e->args; x; x = x->next) deps_of(m, x, d);
}

static bool given(const FitObs *o, int t)
{
    for (int i = 0; i < o->ntraits_obs; i++)
        if (o->traits[i].trait == t) return true;
    return false;
}

static void traits(const FitObs *o, List *l)
{
    const Model *m = o->model;
    for (int t = 0; t < m->ntraits; t++) {
        if (!m->trait_varies || !m->trait_varies[t] || given(o, t)) continue;
        add(l, "trait", m->traits[t],
            "trait '%s' is drawn per customer and not observed in the log; a latent trait such as BG/NBD's "
            "lambda needs the model's own likelihood (give its column with --trait %s=COLUMN when the log has it)",
            m->traits[t], m->traits[t]);
    }
}

static void states(const Model *m, List *l)
{
    for (int i = 0; i < m->nstates; i++)
        add(l, "state", m->states[i]->name.s,
            "state '%s' is the customers' own (set by rules); the log does not carry it", m->states[i]->name.s);
}

static void memory(const Model *m, List *l)
{
    bool any = false;
    for (int p = 0; p < m->npersonas && m->memory; p++) any = any || m->memory[p] > 0;
    if (any)
        add(l, "memory", "memory",
            "memory (the half-life of experience) is not observed: survey answers give the mood, not how "
            "experience fades");
}

static void amounts(const Model *m, List *l)
{
    for (int s = 0; s < m->nstages; s++) {
        const Stage *st = m->stages[s];
        if (st->revenue_expr)
            add(l, "amount", st->name.s, "stage %s's revenue is an expression: the log's revenue column gives "
                "sums, not the formula", st->name.s);
        bool wait_expr = false;
        for (int i = 0; st->wait && i < 3; i++) wait_expr = wait_expr || st->wait->arg_expr[i];
        if (wait_expr)
            add(l, "amount", st->name.s, "stage %s's wait has arguments written as expressions: the fitted "
                "wait is the mixture over customers, and -o leaves it alone", st->name.s);
    }
    for (int k = 0; k < m->ntouchpoints; k++) {
        const Touchpoint *t = m->touchpoints[k];
        if (t->reach_expr)
            add(l, "amount", t->name.s, "touchpoint %s's reach is an expression: the observed reach is its "
                "average over customers, and -o leaves it alone", t->name.s);
        if (t->cost_expr)
            add(l, "amount", t->name.s, "touchpoint %s's cost is an expression: the log's cost column gives "
                "sums, not the formula", t->name.s);
    }
    for (int i = 0; m->curve_expr && i < m->npersonas * m->nstages; i++)
        if (m->curve_expr[i]) {
            int s = i % m->nstages;
            add(l, "amount", m->stages[s]->name.s, "the curve's value for stage %s (persona %s) is an expression: "
                "the observed mood is its average", m->stages[s]->name.s, m->personas[i / m->nstages]->name.s);
        }
}

static void arrows(const Model *m, List *l)
{
    for (int s = 0; s < m->nstages; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) {
            Deps d = {0};
            deps_of(m, a->prob, &d);
            deps_of(m, a->when, &d);
            if (!d.met_ever && !d.state && !d.drawn) continue;
            const char *to = a->to_churn ? "churn" : m->stages[a->target_index]->name.s;
            char what[256];
            if (d.met_ever) snprintf(what, sizeof what, "met_ever(%s), meetings before this entry", d.met_ever);
            else if (d.state) snprintf(what, sizeof what, "the customers' state '%s'", d.state);
            else snprintf(what, sizeof what, "the trait drawn per customer '%s'", d.drawn);
            add(l, "arrow", m->stages[s]->name.s,
                "the arrow %s -> %s depends on %s, which the log does not show per entry; its observed share is "
                "the average over customers", m->stages[s]->name.s, to, what);
        }
}

bool fit_cannot_list(const FitObs *o, FitCannot **out, int *n)
{
    List l = {0};
    traits(o, &l);
    states(o->model, &l);
    memory(o->model, &l);
    amounts(o->model, &l);
    arrows(o->model, &l);
    if (l.failed) {
        fit_cannot_free(l.v, l.n);
        *out = NULL;
        *n = 0;
        return false;
    }
    *out = l.v;
    *n = l.n;
    return true;
}

void fit_cannot_free(FitCannot *v, int n)
{
    for (int i = 0; i < n; i++) free(v[i].detail);
    free(v);
}
