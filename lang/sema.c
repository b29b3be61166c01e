/* sema.c: the checks of docs/language.md and the checked Model (see sema.h).
 *
 * The Program is only read. The checker builds the Model's own copies of the declarations (the
 * checked tree, in the Model's arena): while the declarations are collected, the lists they will
 * have (a stage's touchpoints and arrows merged with its `extend` blocks, a persona's traits) are
 * arrays of pointers to syntax nodes, which merging and a scenario's removals edit; each checked
 * node is then made once, by the pass that checks it, with its fields resolved.
 *
 * Passes, in order: scenario names, channels, stages (then `extend stage` blocks merged into
 * them), journey settings, personas and traits (their distributions), memory, arrivals,
 * touchpoints, state variables, amounts written as expressions (reach, cost; then curves, waits
 * and revenue with their passes), curves, arrows and rules (with their expressions), and last the
 * journey's structure (reachability, ends, unused declarations). Every
 * pass goes on after an error so that one run reports them all. Checking a scenario is the same
 * passes over the files and then the scenario's body, as if it were one more file, plus its own
 * changes (touchpoints and personas changed, rules and touchpoints removed) at the points where
 * they apply; its warnings are compared with the journey's Model (journey_* below). This file knows
 * nothing of simulation. */
#include "sema.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "names.h"
#include "parse.h"
#include "symtab.h"

#define EPS 1e-9

/* Pointers to syntax nodes, in the order a checked list will have them. */
typedef struct Vec {
    const void **v;
    int n, cap;
} Vec;

/* A stage while declarations are collected: its checked copy, and the declarations of the
 * touchpoints and arrows it has so far. */
typedef struct StageBuild {
    Stage *c;
    Vec tps, arrows;
} StageBuild;

/* What a scenario's `touchpoint T { ... }` changes of the journey's T (`target`). */
typedef struct TouchChange {
    const Touchpoint *target;
    Vec changes;
} TouchChange;

typedef struct Sema {
    const Program *prog;
    Diag *d;
    Model *m;
    Arena *arena;          /* the Model's: the checked tree and everything the Model keeps */
    Arena scratch;         /* what only the check needs; freed when it ends */
    /* The modules whose declarations count: the program's, then the body of the scenario being
     * checked (its declarations apply after every file's own). */
    const Module **mods;
    int nmods;
    const Scenario *scenario; /* the scenario being checked, NULL for the journey itself */
    const Model *base;     /* for a scenario: the journey's Model */
    int first_diag, errors_before;
    /* Namespaces: each maps a name to the index of what it names in the array beside it. */
    Symtab stages, personas, channels, touchpoints, rules, traits, states;
    StageBuild *builds;    /* [stages.n] */
    int builds_cap;
    Vec *persona_traits;   /* [npersonas]: the traits (declarations) of each persona */
    int persona_cap, persona_traits_cap, tp_cap, rule_cap, channel_cap, trait_cap;
    Channel **channels_v;  /* [channels.n] */
    Vec free_tps;          /* stand-alone touchpoints: the files', then a scenario's new ones */
    int journey_free_tps;  /* how many of them are the files' */
    Symtab changed;        /* names of the touchpoints a scenario changes */
    TouchChange *changes;
    int nchanges, changes_cap;
    Symtab removed;        /* names of the rules a scenario removes */
    const Rule **removed_decl;
    int removed_cap;
    const Arrivals *journey_arrivals; /* the journey block's (of the last file that gives any) */
    bool cohort_given;     /* a `cohort` in some journey block */
    bool horizon_ok;       /* the horizon, when given, is valid: arrivals are checked against it */
    int arrivals_cap;
    int *trait_uses;       /* [ntraits] */
    bool in_state_init;
    double journey_memory; /* days: the journey block's `memory`, 0 when none */    /* checking a state's starting value: constants and traits only */
    int state_cap;
    Loc *trait_loc;        /* [ntraits]: where each trait is first given */
    /* The journey's touchpoints and traits by name, for a scenario's warnings. */
    Symtab base_tps, base_traits, base_states;
    bool base_indexed;
} Sema;

/* Appends x to the array arr of n elements (room for cap), growing it in `arena`. */
#define PUSH(arena, arr, n, cap, x)                                                           \
    do {                                                                                      \
        if ((n) == (cap)) {                                                                   \
            int cap_ = (cap) ? (cap) * 2 : 16;                                                \
            (arr) = arena_grow((arena), (arr), (size_t)(n) * sizeof *(arr), (size_t)cap_ * sizeof *(arr)); \
            (cap) = cap_;                                                                     \
        }                                                                                     \
        (arr)[(n)++] = (x);                                                                   \
    } while (0)

static void vec_push(Sema *S, Vec *v, const void *x) { PUSH(&S->scratch, v->v, v->n, v->cap, x); }

static void vec_remove(Vec *v, int i)
{
    memmove(&v->v[i], &v->v[i + 1], (size_t)(v->n - i - 1) * sizeof *v->v);
    v->n--;
}

const char *sema_dist_name(DistKind k)
{
    static const char *const names[] = {
        "constant",
#define DIST(e, name, lo, hi) name,
#define TRAIT_DIST(e, name, lo, hi) name,
#include "builtins.def"
#undef DIST
#undef TRAIT_DIST
    };
    return k < DIST__COUNT ? names[k] : "?";
}

/* ---- small helpers ---- */

/* A percentage for messages: 0.55 -> "55%". */
static const char *pct(Sema *S, double v) { return arena_printf(&S->scratch, "%.10g%%", v * 100); }

static void suggest(Sema *S, const Symtab *t, const char *name, Loc loc)
{
    const char *best = diag_closest(name, t->keys, t->n);
    if (best) diag_fix(S->d, loc, best, "did you mean '%s'?", best);
}

/* "did you mean '35%'?" for a plain number that reads like a percentage. */
static void suggest_percent(Sema *S, Loc loc, double v)
{
    const char *text = arena_printf(&S->scratch, "%.10g%%", v);
    diag_fix(S->d, loc, text, "did you mean '%s'?", text);
}

static void warn(Sema *S, const char *code, Loc loc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void warn(Sema *S, const char *code, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_report(S->d, DIAG_WARNING, code, loc, fmt, ap);
    va_end(ap);
}

/* Errors this check has reported so far. */
static int errors(const Sema *S) { return S->d->errors - S->errors_before; }

static bool same_file(Loc a, Loc b) { return a.file == b.file; }

static bool same_loc(Loc a, Loc b) { return a.file == b.file && a.off == b.off && a.len == b.len; }

static bool loc_within(Loc a, Loc span)
{
    return a.file == span.file && a.off >= span.off && a.off < span.off + span.len;
}

static void duplicate(Sema *S, const char *what, Name name, Loc first)
{
    diag_error(S->d, name.loc, "%s '%s' is already declared", what, name.s);
    diag_note(S->d, first, "first declared here");
}

static bool in_scenario(const Sema *S, int mod) { return S->scenario && S->mods[mod] == S->scenario->body; }

static bool check_amount(Sema *S, Value *v, const Expr **ex, const char *what, ValueUnit unit);

/* ---- channels ---- */

/* An importing file may redeclare an imported channel to relabel it (the later declaration takes
 * the first one's place); within one file a name is declared once. */
static void collect_channels(Sema *S)
{
    for (int i = 0; i < S->nmods; i++) {
        for (const Channel *c = S->mods[i]->channels; c; c = c->next) {
            if (!c->name.s) continue;
            int k = symtab_find(&S->channels, c->name.s);
            if (k >= 0 && same_file(S->channels_v[k]->name.loc, c->name.loc)) {
                duplicate(S, "channel", c->name, S->channels_v[k]->name.loc);
                continue;
            }
            Channel *copy = ARENA_NEW(S->arena, Channel);
            *copy = *c;
            copy->next = NULL;
            if (k < 0) {
                k = symtab_add(&S->channels, c->name.s);
                int n = k;
                PUSH(S->arena, S->channels_v, n, S->channel_cap, copy);
            }
            copy->index = k;
            S->channels_v[k] = copy;
        }
    }
    S->m->nchannels = S->channels.n;
    S->m->channels = S->channels_v;
}

/* ---- stages and `extend stage` ---- */

static void collect_stages(Sema *S)
{
    for (int i = 0; i < S->nmods; i++) {
        for (const Stage *s = S->mods[i]->stages; s; s = s->next) {
            if (s->is_extend || !s->name.s) continue;
            int prev = symtab_find(&S->stages, s->name.s);
            if (prev >= 0) {
                duplicate(S, "stage", s->name, S->builds[prev].c->name.loc);
                if (in_scenario(S, i))
                    diag_note(S->d, s->loc, "a scenario changes a stage with 'extend stage %s { ... }'", s->name.s);
                else if (!same_file(S->builds[prev].c->name.loc, s->name.loc))
                    diag_note(S->d, s->loc, "to change an imported stage, write 'extend stage %s { ... }'", s->name.s);
                continue;
            }
            if (s->removals) diag_error(S->d, s->removals->loc, "'remove' belongs in an 'extend stage' block");
            Stage *c = ARENA_NEW(S->arena, Stage);
            *c = *s;
            c->next = NULL;
            c->touchpoints = NULL;
            c->arrows = NULL;
            c->removals = NULL;
            c->index = symtab_add(&S->stages, s->name.s);
            StageBuild b = {c, {0}, {0}};
            for (const Touchpoint *t = s->touchpoints; t; t = t->next) vec_push(S, &b.tps, t);
            for (const Arrow *a = s->arrows; a; a = a->next) vec_push(S, &b.arrows, a);
            int n = c->index;
            PUSH(&S->scratch, S->builds, n, S->builds_cap, b);
        }
    }
}

static bool same_target(const Arrow *a, const Arrow *b)
{
    if (a->to_churn || b->to_churn) return a->to_churn && b->to_churn;
    return a->target.s && b->target.s && strcmp(a->target.s, b->target.s) == 0;
}

static bool same_name(const Touchpoint *a, const Touchpoint *b)
{
    return a->name.s && b->name.s && strcmp(a->name.s, b->name.s) == 0;
}

static void apply_removals(Sema *S, StageBuild *b, const Stage *ext)
{
    for (const Removal *r = ext->removals; r; r = r->next) {
        bool found = false;
        if (r->is_arrow) {
            Arrow probe = {0};
            probe.to_churn = r->to_churn;
            probe.target = r->name;
            for (int i = 0; i < b->arrows.n;) {
                if (same_target(b->arrows.v[i], &probe)) {
                    vec_remove(&b->arrows, i);
                    found = true;
                } else {
                    i++;
                }
            }
            if (!found)
                diag_error(S->d, r->loc, "stage '%s' has no arrow to '%s' to remove", b->c->name.s,
                           r->to_churn ? "churn" : r->name.s);
        } else {
            for (int i = 0; i < b->tps.n && !found; i++) {
                const Touchpoint *t = b->tps.v[i];
                if (t->name.s && strcmp(t->name.s, r->name.s) == 0) {
                    vec_remove(&b->tps, i);
                    found = true;
                }
            }
            if (!found)
                diag_error(S->d, r->name.loc, "stage '%s' has no touchpoint '%s' to remove", b->c->name.s, r->name.s);
        }
    }
}

/* A touchpoint replaces the one of the same name in place, or is added. */
static void merge_touchpoints(Sema *S, StageBuild *b, const Touchpoint *added)
{
    for (const Touchpoint *t = added; t; t = t->next) {
        int i = 0;
        while (i < b->tps.n && !same_name(b->tps.v[i], t)) i++;
        if (i < b->tps.n) b->tps.v[i] = t;
        else vec_push(S, &b->tps, t);
    }
}

/* An arrow replaces the first one to the same target, or is added. */
static void merge_arrows(Sema *S, StageBuild *b, const Arrow *added)
{
    for (const Arrow *a = added; a; a = a->next) {
        int i = 0;
        while (i < b->arrows.n && !same_target(b->arrows.v[i], a)) i++;
        if (i < b->arrows.n) b->arrows.v[i] = a;
        else vec_push(S, &b->arrows, a);
    }
}

/* ---- scenarios: what a scenario takes out or changes ----
 * The touchpoints of the journey are those of its stages (merged with their `extend` blocks so
 * far) and the stand-alone ones of its files. */

/* Every touchpoint name of the journey, for "did you mean" notes. */
static void touchpoint_names(Sema *S, Symtab *names)
{
    for (int k = 0; k < S->stages.n; k++)
        for (int i = 0; i < S->builds[k].tps.n; i++) {
            const Touchpoint *t = S->builds[k].tps.v[i];
            if (t->name.s) symtab_add(names, t->name.s);
        }
    for (int i = 0; i < S->journey_free_tps; i++) {
        const Touchpoint *t = S->free_tps.v[i];
        if (t->name.s) symtab_add(names, t->name.s);
    }
}

/* The list that holds the journey's touchpoint `name` (a stage's or the stand-alone ones) and
 * its place in it; NULL when there is none. */
static Vec *find_touchpoint(Sema *S, const char *name, int *at)
{
    for (int k = 0; k < S->stages.n; k++)
        for (int i = 0; i < S->builds[k].tps.n; i++) {
            const Touchpoint *t = S->builds[k].tps.v[i];
            if (t->name.s && strcmp(t->name.s, name) == 0) {
                *at = i;
                return &S->builds[k].tps;
            }
        }
    for (int i = 0; i < S->journey_free_tps; i++) {
        const Touchpoint *t = S->free_tps.v[i];
        if (t->name.s && strcmp(t->name.s, name) == 0) {
            *at = i;
            return &S->free_tps;
        }
    }
    return NULL;
}

static void unknown_touchpoint(Sema *S, Name n, const char *why)
{
    diag_error(S->d, n.loc, "unknown touchpoint '%s'%s", n.s, why);
    Symtab names;
    symtab_init(&names, &S->scratch);
    touchpoint_names(S, &names);
    suggest(S, &names, n.s, n.loc);
}

/* `remove touchpoint T` in a scenario: T leaves its stage (or the stand-alone ones). */
static void remove_scenario_touchpoints(Sema *S)
{
    for (const Removal *r = S->scenario->removals; r; r = r->next) {
        if (r->is_rule || !r->name.s) continue;
        int at;
        Vec *list = find_touchpoint(S, r->name.s, &at);
        if (!list) {
            unknown_touchpoint(S, r->name, ": there is no such touchpoint to remove");
            continue;
        }
        vec_remove(list, at);
        if (list == &S->free_tps) S->journey_free_tps--;
    }
}

/* `touchpoint T { ... }` in a scenario changes the attributes it gives of the journey's T (when
 * T's checked copy is made, copy_touchpoint); a name the journey does not have declares a new
 * stand-alone touchpoint (for the scenario's rules). */
static void change_touchpoints(Sema *S)
{
    if (!S->scenario) return;
    for (const Touchpoint *t = S->scenario->body->touchpoints; t; t = t->next) {
        int at;
        Vec *list = t->name.s ? find_touchpoint(S, t->name.s, &at) : NULL;
        if (!list) {
            vec_push(S, &S->free_tps, t);
            continue;
        }
        int k = symtab_find(&S->changed, t->name.s);
        if (k < 0) {
            k = symtab_add(&S->changed, t->name.s);
            PUSH(&S->scratch, S->changes, S->nchanges, S->changes_cap, ((TouchChange){list->v[at], {0}}));
        }
        vec_push(S, &S->changes[k].changes, t);
    }
}

/* The checked copy of touchpoint `t`, with what a scenario changes of it. */
static Touchpoint *copy_touchpoint(Sema *S, const Touchpoint *t)
{
    Touchpoint *c = ARENA_NEW(S->arena, Touchpoint);
    *c = *t;
    c->next = NULL;
    int k = t->name.s ? symtab_find(&S->changed, t->name.s) : -1;
    if (k < 0 || S->changes[k].target != t) return c;
    const Vec *v = &S->changes[k].changes;
    for (int i = 0; i < v->n; i++) {
        const Touchpoint *x = v->v[i];
        if (x->label.s) c->label = x->label;
        if (x->channel.s) c->channel = x->channel;
        if (x->reach.present) {
            c->reach = x->reach;
            c->reach_expr = x->reach_expr;
        }
        if (x->emotion.present) c->emotion = x->emotion;
        if (x->cost.present) {
            c->cost = x->cost;
            c->cost_expr = x->cost_expr;
        }
        if (x->survey.s) c->survey = x->survey;
        if (x->pains) c->pains = x->pains;
        if (x->opportunities) c->opportunities = x->opportunities;
        if (x->events) {
            c->events = x->events;
            c->events_loc = x->events_loc;
        }
    }
    return c;
}

/* `persona P { ... }` in a scenario changes the share, mood, label and traits it gives of the
 * journey's persona P. */
static void change_personas(Sema *S)
{
    if (!S->scenario) return;
    for (const Persona *c = S->scenario->body->personas; c; c = c->next) {
        if (!c->name.s) continue;
        int k = symtab_find(&S->personas, c->name.s);
        if (k < 0) {
            diag_error(S->d, c->name.loc, "unknown persona '%s': a scenario changes the journey's personas", c->name.s);
            suggest(S, &S->personas, c->name.s, c->name.loc);
            continue;
        }
        Persona *p = S->m->personas[k];
        if (c->label.s) p->label = c->label;
        if (c->share.present) p->share = c->share;
        if (c->mood.present) p->mood = c->mood;
        if (c->memory.present) p->memory = c->memory;
        if (c->arrivals) p->arrivals = c->arrivals; /* all of its lines, replaced */
        Vec *traits = &S->persona_traits[k];
        for (const Trait *t = c->traits; t; t = t->next) {
            int i = 0; /* same name: replace in place, else add */
            while (i < traits->n && strcmp(((const Trait *)traits->v[i])->name.s, t->name.s) != 0) i++;
            if (i < traits->n) traits->v[i] = t;
            else vec_push(S, traits, t);
        }
    }
}

/* ---- a trait's distribution (`lambda = gamma(0.24, 4.4)`) ---- */

static const int dist_min_args[DIST__COUNT] = {
    [DIST_CONSTANT] = 1,
#define DIST(e, name, lo, hi) [e] = lo,
#define TRAIT_DIST(e, name, lo, hi) [e] = lo,
#include "builtins.def"
#undef DIST
#undef TRAIT_DIST
};
static const int dist_max_args[DIST__COUNT] = {
    [DIST_CONSTANT] = 1,
#define DIST(e, name, lo, hi) [e] = hi,
#define TRAIT_DIST(e, name, lo, hi) [e] = hi,
#include "builtins.def"
#undef DIST
#undef TRAIT_DIST
};

/* The kind `name` names, among the waits' (traits false) or all of them; -1 for none. */
static int find_dist(const char *name, bool traits)
{
    int n = traits ? DIST__COUNT : DIST_WAIT__COUNT;
    for (int k = 1; k < n; k++)
        if (strcmp(sema_dist_name((DistKind)k), name) == 0) return k;
    return -1;
}

/* "did you mean" among the distributions (a trait's too when `traits`). */
static void suggest_dist(Sema *S, Name fn, bool traits)
{
    const char *cands[DIST__COUNT];
    int n = 0;
    for (int k = 1; k < (traits ? DIST__COUNT : DIST_WAIT__COUNT); k++) cands[n++] = sema_dist_name((DistKind)k);
    const char *best = diag_closest(fn.s, cands, n);
    if (best) diag_fix(S->d, fn.loc, best, "did you mean '%s'?", best);
    else if (traits)
        diag_note(S->d, fn.loc, "a trait's distributions are uniform, normal, lognormal, exponential, triangular, gamma, beta and choice");
    else
        diag_note(S->d, fn.loc, "the distributions are exponential, uniform, normal, lognormal and triangular");
}

/* `choice(VALUE: WEIGHT, ...)`: weights above 0, all percentages adding up to 100% or all plain
 * numbers (relative weights). */
static void check_choice(Sema *S, const Dist *d)
{
    if (d->nargs > dist_max_args[DIST_CHOICE]) {
        diag_error(S->d, d->loc, "'choice' takes at most %d values, not %d", dist_max_args[DIST_CHOICE], d->nargs);
        return;
    }
    double sum = 0;
    bool ok = true;
    const ChoiceItem *first = d->choices;
    for (const ChoiceItem *c = d->choices; c; c = c->next) {
        Value w = c->weight;
        if (w.unit == VAL_DURATION) {
            diag_error(S->d, w.loc, "a weight of 'choice' is a percentage or a plain number, not a duration");
            ok = false;
        } else if (!(w.v > 0)) {
            diag_error(S->d, w.loc, "a weight of 'choice' must be more than 0");
            ok = false;
        } else if (ok && (w.unit == VAL_PERCENT) != (first->weight.unit == VAL_PERCENT)) {
            diag_error(S->d, w.loc, "the weights of 'choice' are all percentages (adding up to 100%%) or all plain numbers (relative weights)");
            diag_note(S->d, first->weight.loc, "the first weight is %s", first->weight.unit == VAL_PERCENT ? "a percentage" : "a plain number");
            ok = false;
        }
        sum += w.v;
    }
    if (ok && first->weight.unit == VAL_PERCENT && fabs(sum - 1) > 1e-6)
        diag_error(S->d, d->loc, "the weights of 'choice' add up to %s, not 100%%", pct(S, sum));
}

/* The parameters of a trait's distribution kind: each rule of docs/language.md. */
static void check_dist_params(Sema *S, const Dist *d)
{
    double a = d->args[0].v, b = d->args[1].v, c = d->args[2].v;
    const char *name = sema_dist_name(d->kind);
    switch (d->kind) {
    case DIST_EXPONENTIAL:
        if (!(a > 0)) diag_error(S->d, d->args[0].loc, "the mean of 'exponential' must be more than 0");
        break;
    case DIST_UNIFORM:
        if (a > b) diag_error(S->d, d->loc, "'uniform' needs its lower bound first: %.10g > %.10g", a, b);
        break;
    case DIST_NORMAL:
        if (b < 0) diag_error(S->d, d->args[1].loc, "the standard deviation of 'normal' cannot be negative");
        break;
    case DIST_LOGNORMAL:
        if (!(a > 0)) diag_error(S->d, d->args[0].loc, "the mean of 'lognormal' must be more than 0");
        if (b < 0) diag_error(S->d, d->args[1].loc, "the standard deviation of 'lognormal' cannot be negative");
        break;
    case DIST_TRIANGULAR:
        if (!(a <= b && b <= c)) diag_error(S->d, d->loc, "'triangular' needs min <= mode <= max");
        break;
    case DIST_GAMMA:
        if (!(a > 0)) diag_error(S->d, d->args[0].loc, "the shape of '%s' must be more than 0", name);
        if (!(b > 0)) diag_error(S->d, d->args[1].loc, "the rate of '%s' must be more than 0", name);
        break;
    case DIST_BETA:
        if (!(a > 0)) diag_error(S->d, d->args[0].loc, "the first parameter (a) of '%s' must be more than 0", name);
        if (!(b > 0)) diag_error(S->d, d->args[1].loc, "the second parameter (b) of '%s' must be more than 0", name);
        break;
    default:
        break;
    }
}

/* The checked copy of a trait's distribution; its kind stays DIST_CONSTANT when the name is
 * unknown (reported). A percentage or a duration among its numbers is its number (a fraction,
 * days), as a plain trait's. */
static Dist *check_trait_dist(Sema *S, const Dist *src)
{
    Dist *d = ARENA_NEW(S->arena, Dist);
    *d = *src;
    int kind = find_dist(d->fn.s, true);
    if (kind < 0) {
        diag_error(S->d, d->fn.loc, "unknown distribution '%s'", d->fn.s);
        suggest_dist(S, d->fn, true);
        return d;
    }
    d->kind = (DistKind)kind;
    const char *name = d->fn.s;
    if (d->kind == DIST_CHOICE) {
        if (!d->choices) {
            diag_error(S->d, d->loc, "'choice' takes VALUE: WEIGHT items, as in 'choice(1: 60%%, 5: 40%%)'");
            return d;
        }
        check_choice(S, d);
        return d;
    }
    if (d->choices) {
        diag_error(S->d, d->choices->loc, "'%s' takes numbers; VALUE: WEIGHT items are for 'choice'", name);
        return d;
    }
    int lo = dist_min_args[kind], hi = dist_max_args[kind];
    if (d->nargs < lo || d->nargs > hi) {
        diag_error(S->d, d->loc, "'%s' takes %d number%s, not %d", name, lo, lo == 1 ? "" : "s", d->nargs);
        return d;
    }
    check_dist_params(S, d);
    return d;
}

/* Each persona's checked list of traits, once a scenario has changed them. */
static void link_traits(Sema *S)
{
    for (int k = 0; k < S->m->npersonas; k++) {
        Trait *prev = NULL;
        for (int i = 0; i < S->persona_traits[k].n; i++) {
            Trait *t = ARENA_NEW(S->arena, Trait);
            *t = *(const Trait *)S->persona_traits[k].v[i];
            t->next = NULL;
            if (t->dist) t->dist = check_trait_dist(S, t->dist);
            if (prev) prev->next = t;
            else S->m->personas[k]->traits = t;
            prev = t;
        }
    }
}

/* `remove rule R` in a scenario: the last rule R of the files is left out of the check. */
static void remove_rules(Sema *S)
{
    if (!S->scenario) return;
    Symtab names;
    symtab_init(&names, &S->scratch);
    const Rule **last = NULL;
    int nlast = 0, cap = 0;
    for (int i = 0; i < S->prog->nmodules; i++) {
        for (const Rule *rule = S->prog->modules[i]->rules; rule; rule = rule->next) {
            if (!rule->name.s) continue;
            int k = symtab_add(&names, rule->name.s);
            if (k == nlast) PUSH(&S->scratch, last, nlast, cap, rule);
            last[k] = rule;
        }
    }
    int nremoved = 0;
    for (const Removal *r = S->scenario->removals; r; r = r->next) {
        if (!r->is_rule || !r->name.s) continue;
        int k = symtab_find(&names, r->name.s);
        if (k < 0) {
            diag_error(S->d, r->name.loc, "unknown rule '%s': there is no such rule to remove", r->name.s);
            suggest(S, &names, r->name.s, r->name.loc);
            continue;
        }
        int at = symtab_add(&S->removed, r->name.s);
        if (at == nremoved) PUSH(&S->scratch, S->removed_decl, nremoved, S->removed_cap, last[k]);
    }
}

static bool removed(const Sema *S, const Rule *r)
{
    int k = symtab_find(&S->removed, r->name.s);
    return k >= 0 && S->removed_decl[k] == r;
}

/* Scenario names are unique across the files; the model lists them in order. */
static void collect_scenarios(Sema *S)
{
    Model *m = S->m;
    Symtab seen;
    symtab_init(&seen, &S->scratch);
    int cap = 0;
    for (int i = 0; i < S->prog->nmodules; i++) {
        for (const Scenario *sc = S->prog->modules[i]->scenarios; sc; sc = sc->next) {
            if (!sc->name.s) continue;
            int prev = symtab_find(&seen, sc->name.s);
            if (prev >= 0) {
                duplicate(S, "scenario", sc->name, m->scenarios[prev]->name.loc);
                continue;
            }
            symtab_add(&seen, sc->name.s);
            PUSH(S->arena, m->scenarios, m->nscenarios, cap, sc);
        }
    }
    if (m->nscenarios > MODEL_MAX_SCENARIOS) {
        diag_error(S->d, m->scenarios[MODEL_MAX_SCENARIOS]->name.loc, "too many scenarios: %d (the limit is %d)",
                   m->nscenarios, MODEL_MAX_SCENARIOS);
        m->nscenarios = MODEL_MAX_SCENARIOS;
    }
}

const Scenario *sema_find_scenario(const Program *p, const char *name)
{
    for (int i = 0; i < p->nmodules; i++)
        for (const Scenario *sc = p->modules[i]->scenarios; sc; sc = sc->next)
            if (sc->name.s && strcmp(sc->name.s, name) == 0) return sc;
    return NULL;
}

/* The files' stand-alone touchpoints, before any scenario changes them. */
static void collect_free_touchpoints(Sema *S)
{
    for (int i = 0; i < S->prog->nmodules; i++)
        for (const Touchpoint *t = S->prog->modules[i]->touchpoints; t; t = t->next) vec_push(S, &S->free_tps, t);
    S->journey_free_tps = S->free_tps.n;
}

/* `extend stage S { ... }`: `goal` adds, `wait` and `revenue` replace, `remove` deletes, a
 * touchpoint or arrow replaces the one of the same name or target, or is added. */
static void apply_extends(Sema *S)
{
    for (int i = 0; i < S->nmods; i++) {
        /* A scenario's `remove touchpoint` items go first, like the removals of `extend stage`. */
        if (in_scenario(S, i)) remove_scenario_touchpoints(S);
        for (const Stage *e = S->mods[i]->stages; e; e = e->next) {
            if (!e->is_extend || !e->name.s) continue;
            int k = symtab_find(&S->stages, e->name.s);
            if (k < 0) {
                diag_error(S->d, e->name.loc, "cannot extend unknown stage '%s'", e->name.s);
                suggest(S, &S->stages, e->name.s, e->name.loc);
                continue;
            }
            StageBuild *b = &S->builds[k];
            if (e->goal) b->c->goal = true;
            if (e->wait) b->c->wait = e->wait;
            if (e->revenue.present) {
                b->c->revenue = e->revenue;
                b->c->revenue_expr = e->revenue_expr;
            }
            if (e->events) {
                b->c->events = e->events; /* the whole list, replaced */
                b->c->events_loc = e->events_loc;
            }
            apply_removals(S, b, e);
            merge_touchpoints(S, b, e->touchpoints);
            merge_arrows(S, b, e->arrows);
        }
    }
    Model *m = S->m;
    m->nstages = S->stages.n;
    m->stages = ARENA_ARRAY(S->arena, Stage *, m->nstages);
    for (int i = 0; i < m->nstages; i++) {
        m->stages[i] = S->builds[i].c;
        if (m->stages[i]->goal) m->has_goal = true;
    }
}

static int lookup_stage(Sema *S, Name n)
{
    int k = n.s ? symtab_find(&S->stages, n.s) : -1;
    if (k >= 0) return k;
    if (n.s) {
        diag_error(S->d, n.loc, "unknown stage '%s'", n.s);
        suggest(S, &S->stages, n.s, n.loc);
    }
    return -1;
}

/* ---- values ---- */

static bool is_whole(double v) { return v == floor(v); }

static void check_duration(Sema *S, Value v, const char *what, bool positive)
{
    if (!v.present) return;
    if (v.unit != VAL_DURATION && !(v.unit == VAL_NUMBER && v.v == 0)) {
        diag_error(S->d, v.loc, "%s needs a time unit, as in '3 days' or '12 hours'", what);
        return;
    }
    if (v.v < 0) diag_error(S->d, v.loc, "%s cannot be negative", what);
    else if (positive && v.v == 0) diag_error(S->d, v.loc, "%s must be more than 0", what);
    else if (v.v > MODEL_MAX_DAYS)
        diag_error(S->d, v.loc, "%s of %.10g days is longer than the limit of 1000000 days (about 2700 years)", what, v.v);
}

/* A probability-like literal: 0..100%, written as a percentage or as a fraction 0..1. */
static bool check_fraction(Sema *S, Value v, const char *what)
{
    if (!v.present) return true;
    if (v.unit == VAL_DURATION) {
        diag_error(S->d, v.loc, "%s is a percentage, not a duration", what);
        return false;
    }
    if (v.v < -EPS || v.v > 1 + EPS) {
        diag_error(S->d, v.loc, "%s %s is outside 0%%..100%%", what, pct(S, v.v));
        if (v.unit == VAL_NUMBER && v.v > 1 && v.v <= 100) suggest_percent(S, v.loc, v.v);
        return false;
    }
    return true;
}

static void check_unit_value(Sema *S, Value v, const char *what)
{
    if (!v.present) return;
    if (v.unit == VAL_DURATION) diag_error(S->d, v.loc, "%s is a number from -1 to +1, not a duration", what);
    else if (v.v < -1 - EPS || v.v > 1 + EPS)
        diag_error(S->d, v.loc, "%s %.10g is outside -1..+1", what, v.unit == VAL_PERCENT ? v.v : v.v);
}

static void check_money(Sema *S, Value v, const char *what, bool allow_negative)
{
    if (!v.present) return;
    if (v.unit != VAL_NUMBER) diag_error(S->d, v.loc, "%s is an amount of money: write a plain number", what);
    else if (!allow_negative && v.v < 0) diag_error(S->d, v.loc, "%s cannot be negative", what);
}

/* ---- the journey block ---- */

static const char *base_name(Sema *S, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    const char *dot = strrchr(b, '.');
    return dot && dot != b ? arena_strndup(S->arena, b, (size_t)(dot - b)) : b;
}

/* Settings merge field by field: the importing file's win over the imported ones'. */
static void settings(Sema *S)
{
    Model *m = S->m;
    JourneyDecl j = {0};
    for (int i = 0; i < S->prog->nmodules; i++) {
        const JourneyDecl *x = &S->prog->modules[i]->journey;
        if (!x->present) continue;
        if (x->title.s) j.title = x->title;
        if (x->cohort.present) j.cohort = x->cohort;
        if (x->horizon.present) j.horizon = x->horizon;
        if (x->inactivity.present) j.inactivity = x->inactivity;
        if (x->memory.present) j.memory = x->memory;
        if (x->seed.present) j.seed = x->seed;
        if (x->start.s) j.start = x->start;
        /* The arrivals of the last file that gives any replace the imported ones, as a whole. */
        if (x->arrivals) j.arrivals = x->arrivals;
    }
    S->journey_arrivals = j.arrivals;
    S->cohort_given = j.cohort.present;
    const SourceFile *main_file = source_get(&S->prog->sources, S->prog->main->file);
    m->title = j.title.s ? j.title.s : base_name(S, main_file->name);
    m->cohort = MODEL_DEFAULT_COHORT;
    m->seed = MODEL_DEFAULT_SEED;
    if (j.cohort.present) {
        m->cohort_loc = j.cohort.loc;
        if (j.cohort.unit != VAL_NUMBER || !is_whole(j.cohort.v) || j.cohort.v < 1 || j.cohort.v > MODEL_MAX_COHORT)
            diag_error(S->d, j.cohort.loc, "cohort must be a whole number of customers from 1 to 10^12");
        else
            m->cohort = j.cohort.v;
    }
    if (j.seed.present) {
        m->seed_loc = j.seed.loc;
        if (j.seed.unit != VAL_NUMBER || !is_whole(j.seed.v) || j.seed.v < 0 || j.seed.v >= 9007199254740992.0)
            diag_error(S->d, j.seed.loc, "seed must be a whole number from 0 to 2^53 - 1 (9007199254740991); larger ones cannot be told apart");
        else
            m->seed = j.seed.v;
    }
    if (j.horizon.present) {
        m->horizon_loc = j.horizon.loc;
        int before = S->d->errors;
        check_duration(S, j.horizon, "horizon", true);
        S->horizon_ok = S->d->errors == before;
        m->has_horizon = true;
        m->horizon = j.horizon.v;
    }
    if (j.inactivity.present) {
        m->inactivity_loc = j.inactivity.loc;
        int before = S->d->errors;
        check_duration(S, j.inactivity, "inactivity", true);
        if (S->d->errors == before) m->inactivity = j.inactivity.v;
    }
    S->journey_memory = 0;
    if (j.memory.present) {
        int before = S->d->errors;
        check_duration(S, j.memory, "memory", true);
        if (S->d->errors == before) S->journey_memory = j.memory.v;
    }
    m->start = m->nstages ? 0 : -1;
    if (j.start.s) {
        int s = lookup_stage(S, j.start);
        if (s >= 0) m->start = s;
    }
}

/* ---- personas and traits ---- */

static void add_persona(Sema *S, Persona *p)
{
    Model *m = S->m;
    int n = m->npersonas;
    PUSH(&S->scratch, S->persona_traits, n, S->persona_traits_cap, ((Vec){0}));
    PUSH(S->arena, m->personas, m->npersonas, S->persona_cap, p);
}

static void collect_personas(Sema *S)
{
    Model *m = S->m;
    for (int i = 0; i < S->prog->nmodules; i++) {
        for (const Persona *p = S->prog->modules[i]->personas; p; p = p->next) {
            if (!p->name.s) continue;
            int prev = symtab_find(&S->personas, p->name.s);
            if (prev >= 0) {
                duplicate(S, "persona", p->name, m->personas[prev]->name.loc);
                continue;
            }
            Persona *c = ARENA_NEW(S->arena, Persona);
            *c = *p;
            c->next = NULL;
            c->traits = NULL;
            c->index = symtab_add(&S->personas, p->name.s);
            add_persona(S, c);
            for (const Trait *t = p->traits; t; t = t->next) vec_push(S, &S->persona_traits[c->index], t);
        }
    }
    if (m->npersonas == 0) {
        /* A journey without personas has one implicit persona with the whole cohort. */
        Persona *p = ARENA_NEW(S->arena, Persona);
        p->name.s = "everyone";
        p->label.s = "Every customer";
        add_persona(S, p);
    }
}

/* Shares must add up to 100%; personas that give none split what the others leave equally. */
static void check_shares(Sema *S)
{
    Model *m = S->m;
    m->share = ARENA_ARRAY(S->arena, double, m->npersonas);
    double given = 0;
    int without = 0;
    bool ok = true;
    for (int i = 0; i < m->npersonas; i++) {
        Persona *p = m->personas[i];
        if (!p->share.present) {
            without++;
            continue;
        }
        ok &= check_fraction(S, p->share, "share");
        given += p->share.v;
        m->share[i] = p->share.v;
        check_unit_value(S, p->mood, "mood");
    }
    for (int i = 0; i < m->npersonas; i++)
        if (!m->personas[i]->share.present) check_unit_value(S, m->personas[i]->mood, "mood");
    if (!ok) return;
    Loc at = m->personas[0]->name.loc;
    if (without == 0 && fabs(given - 1) > 1e-6) {
        diag_error(S->d, at, "persona shares add up to %s, not 100%%", pct(S, given));
    } else if (without > 0 && given > 1 + 1e-6) {
        diag_error(S->d, at, "persona shares add up to %s, more than 100%%", pct(S, given));
    } else if (without > 0) {
        for (int i = 0; i < m->npersonas; i++)
            if (!m->personas[i]->share.present) m->share[i] = (1 - given) / without;
    }
}

static void collect_traits(Sema *S)
{
    Model *m = S->m;
    for (int i = 0; i < m->npersonas; i++) {
        for (const Trait *t = m->personas[i]->traits; t; t = t->next) {
            for (const Trait *u = m->personas[i]->traits; u != t; u = u->next) {
                if (strcmp(u->name.s, t->name.s) == 0) {
                    diag_error(S->d, t->name.loc, "persona '%s' gives trait '%s' twice", m->personas[i]->name.s, t->name.s);
                    diag_note(S->d, u->name.loc, "first given here");
                    break;
                }
            }
            if (symtab_find(&S->traits, t->name.s) >= 0) continue;
            int n = symtab_add(&S->traits, t->name.s);
            PUSH(&S->scratch, S->trait_loc, n, S->trait_cap, t->name.loc);
        }
    }
    m->ntraits = S->traits.n;
    m->traits = ARENA_ARRAY(S->arena, const char *, m->ntraits);
    for (int t = 0; t < m->ntraits; t++) m->traits[t] = S->traits.keys[t];
    m->trait_value = ARENA_ARRAY(S->arena, double, m->npersonas * m->ntraits);
    m->trait_dist = ARENA_ARRAY(S->arena, const Dist *, m->npersonas * m->ntraits);
    m->trait_varies = ARENA_ARRAY(S->arena, bool, m->ntraits);
    /* NaN (and no distribution): not given; NaN with a distribution: drawn per customer. */
    for (int i = 0; i < m->npersonas * m->ntraits; i++) m->trait_value[i] = NAN;
    for (int i = 0; i < m->npersonas; i++) {
        for (const Trait *t = m->personas[i]->traits; t; t = t->next) {
            int k = symtab_find(&S->traits, t->name.s);
            size_t cell = (size_t)i * (size_t)m->ntraits + (size_t)k;
            if (!isnan(m->trait_value[cell]) || m->trait_dist[cell]) continue; /* given twice (reported) */
            if (t->dist) {
                m->trait_dist[cell] = t->dist;
                m->trait_varies[k] = true;
            } else {
                m->trait_value[cell] = t->value.v;
            }
        }
    }
    S->trait_uses = ARENA_ARRAY(&S->scratch, int, m->ntraits);
}

/* Whether persona p gives trait t (a value, or a distribution to draw it from). */
static bool trait_given(const Model *m, int p, int t)
{
    size_t cell = (size_t)p * (size_t)m->ntraits + (size_t)t;
    return !isnan(m->trait_value[cell]) || m->trait_dist[cell] != NULL;
}

/* `memory D` of each persona (its own, else the journey's): a half-life in days, 0 for none. */
static void check_memory(Sema *S)
{
    Model *m = S->m;
    m->memory = ARENA_ARRAY(S->arena, double, m->npersonas);
    for (int p = 0; p < m->npersonas; p++) {
        Value v = m->personas[p]->memory;
        m->memory[p] = S->journey_memory;
        if (!v.present) continue;
        int before = S->d->errors;
        check_duration(S, v, "memory", true);
        if (S->d->errors == before) m->memory[p] = v.v;
    }
}

/* ---- arrivals over calendar time ---- */

static const struct {
    const char *name;
    double days;
} arrival_periods[] = {
    {"day", 1}, {"days", 1}, {"week", 7}, {"weeks", 7}, {"month", 30}, {"months", 30},
    {"quarter", 90}, {"quarters", 90}, {"year", 365}, {"years", 365},
};
enum { NPERIOD_NAMES = sizeof arrival_periods / sizeof arrival_periods[0] };

/* The length in days of the period `per` names; 0 (reported) when it names none. */
static double period_days(Sema *S, Name per)
{
    const char *cands[NPERIOD_NAMES];
    for (int i = 0; i < NPERIOD_NAMES; i++) {
        if (strcmp(arrival_periods[i].name, per.s) == 0) return arrival_periods[i].days;
        cands[i] = arrival_periods[i].name;
    }
    diag_error(S->d, per.loc, "unknown period '%s'", per.s);
    const char *best = diag_closest(per.s, cands, NPERIOD_NAMES);
    if (best) diag_fix(S->d, per.loc, best, "did you mean '%s'?", best);
    else diag_note(S->d, per.loc, "the periods are day, week, month (30 days), quarter (90 days) and year (365 days)");
    return 0;
}

static const char *unit_name(ValueUnit u) { return u == VAL_PERCENT ? "a percentage" : "a duration"; }

/* An arrival rate: customers per period, a plain number from 0 (a fraction is fine). */
static void check_rate(Sema *S, Value v)
{
    if (v.unit != VAL_NUMBER)
        diag_error(S->d, v.loc, "an arrival rate is a number of customers per period: write a plain number, not %s",
                   unit_name(v.unit));
    else if (v.v < 0)
        diag_error(S->d, v.loc, "an arrival rate cannot be negative");
    else if (!isfinite(v.v) || v.v > MODEL_MAX_COHORT)
        diag_error(S->d, v.loc, "an arrival rate is more than the limit of 10^12 customers per period");
}

/* One count of a list: a whole number of customers from 0. */
static bool check_count(Sema *S, Value v)
{
    int before = S->d->errors;
    if (v.unit != VAL_NUMBER)
        diag_error(S->d, v.loc, "a count of arrivals is a number of customers: write a plain number, not %s", unit_name(v.unit));
    else if (v.v < 0)
        diag_error(S->d, v.loc, "a count of arrivals cannot be negative");
    else if (!isfinite(v.v) || v.v > MODEL_MAX_COHORT)
        diag_error(S->d, v.loc, "a count of arrivals is more than the limit of 10^12 customers");
    else if (!is_whole(v.v))
        diag_error(S->d, v.loc, "a count of arrivals is a whole number of customers, not %.10g", v.v);
    return S->d->errors == before;
}

double sema_arrivals_by(const Arrivals *a, double periods)
{
    return floor(a->rate.v * periods + 0.5 + 1e-9);
}

/* Where and how long a line's arrivals run, against the horizon: false (reported) when they
 * cannot run. A rate without `for` runs until the horizon. Arrivals must end by the horizon. */
static bool arrivals_span(Sema *S, Arrivals *a, int ncounts)
{
    const Model *m = S->m;
    double length;
    a->start = a->from.present ? a->from.v : 0;
    if (a->is_list) {
        length = ncounts * a->period_days;
    } else if (a->span.present) {
        length = a->span.v;
    } else if (m->has_horizon) {
        length = m->horizon - a->start;
    } else {
        diag_error(S->d, a->loc, "arrivals at a rate need an end: this line has no 'for' and the journey no horizon");
        diag_note(S->d, a->loc, "add 'for DURATION', as in 'arrivals 500 per month for 12 months', or a horizon to the journey block");
        return false;
    }
    if (m->has_horizon && a->start >= m->horizon) {
        diag_error(S->d, a->from.loc, "these arrivals start on day %.10g, at or after the horizon (day %.10g)", a->start, m->horizon);
        diag_note(S->d, m->horizon_loc, "the horizon ends the run: no customer arriving from then on would be simulated");
        return false;
    }
    double end = a->start + length;
    Loc end_loc = a->is_list ? a->list_loc : a->span.loc;
    if (m->has_horizon && end > m->horizon + EPS) {
        diag_error(S->d, end_loc, "these arrivals end on day %.10g, after the horizon (day %.10g)", end, m->horizon);
        diag_note(S->d, m->horizon_loc, "arrivals must end by the horizon: customers arriving later would never be simulated");
        return false;
    }
    if (end > MODEL_MAX_DAYS) {
        diag_error(S->d, end_loc, "these arrivals end on day %.10g, beyond the limit of 1000000 days (about 2700 years)", end);
        return false;
    }
    /* Whole periods stay whole: a span that is k periods to within rounding is k periods. */
    double periods = a->is_list ? ncounts : length / a->period_days;
    if (fabs(periods - round(periods)) < EPS) periods = round(periods);
    a->periods = periods;
    a->nperiods = (int)ceil(periods);
    return true;
}

/* Checks one `arrivals` line (of persona `persona`, -1 for the journey's) and adds its checked
 * copy to the Model. */
static Arrivals *check_arrivals_line(Sema *S, const Arrivals *src, int persona)
{
    Model *m = S->m;
    Arrivals *a = ARENA_NEW(S->arena, Arrivals);
    *a = *src;
    a->next = NULL;
    a->persona = persona;
    PUSH(S->arena, m->arrivals, m->narrivals, S->arrivals_cap, a);
    int before = S->d->errors;
    a->period_days = period_days(S, a->period);
    int ncounts = 0;
    double sum = 0;
    if (a->is_list) {
        for (const ArrivalCount *c = a->counts; c; c = c->next, ncounts++)
            if (check_count(S, c->value)) sum += c->value.v;
        if (ncounts == 0) {
            diag_error(S->d, a->list_loc, "the list of arrivals is empty");
            diag_note(S->d, a->list_loc, "give one count per period, as in 'arrivals [300, 320, 350] per month'");
        }
        if (a->span.present) {
            diag_error(S->d, a->span.loc, "'for' does not apply to a list of counts: the list lasts one period per count");
        }
    } else {
        check_rate(S, a->rate);
        check_duration(S, a->span, "'for'", true);
    }
    check_duration(S, a->from, "'from'", false);
    /* With a bad horizon (reported), the arrivals cannot be placed against it. */
    if (S->d->errors > before || (m->has_horizon && !S->horizon_ok)) return a;
    if (arrivals_span(S, a, ncounts)) a->total = a->is_list ? sum : sema_arrivals_by(a, a->periods);
    return a;
}

/* Every `arrivals` line, the journey's then each persona's (a persona's checked list of them made
 * here); then what they add up to, which becomes the cohort. */
static void check_arrivals(Sema *S)
{
    Model *m = S->m;
    int before = S->d->errors;
    for (const Arrivals *a = S->journey_arrivals; a; a = a->next) check_arrivals_line(S, a, -1);
    for (int p = 0; p < m->npersonas; p++) {
        Persona *ps = m->personas[p];
        Arrivals *prev = NULL;
        for (const Arrivals *a = ps->arrivals; a; a = a->next) {
            Arrivals *c = check_arrivals_line(S, a, p);
            if (prev) prev->next = c;
            else ps->arrivals = c;
            prev = c;
        }
    }
    if (m->narrivals == 0) return;
    m->has_arrivals = true;
    m->arrivals_loc = m->arrivals[0]->loc;
    if (S->cohort_given) {
        diag_error(S->d, m->cohort_loc, "a journey with arrivals has no 'cohort': its customers are those who arrive");
        diag_note(S->d, m->arrivals_loc, "arrivals are given here");
    }
    if (S->d->errors > before) return;
    double total = 0, nperiods = 0;
    for (int i = 0; i < m->narrivals; i++) {
        total += m->arrivals[i]->total;
        nperiods += m->arrivals[i]->nperiods;
    }
    if (nperiods > MODEL_MAX_ARRIVAL_PERIODS)
        diag_error(S->d, m->arrivals_loc, "the arrivals have %.0f periods in all, more than the limit of %d", nperiods,
                   MODEL_MAX_ARRIVAL_PERIODS);
    else if (total > MODEL_MAX_COHORT)
        diag_error(S->d, m->arrivals_loc, "the arrivals bring %.0f customers in all, more than the limit of 10^12", total);
    else if (total < 1)
        diag_error(S->d, m->arrivals_loc, "the arrivals bring no customer: their counts add up to 0");
    else
        m->cohort = total;
}

/* ---- touchpoints ---- */

/* `survey nps` or `survey csat`; SURVEY_NONE when absent or unknown (reported). */
static SurveyKind check_survey(Sema *S, Name kind)
{
    static const char *const kinds[] = {"nps", "csat"};
    if (!kind.s) return SURVEY_NONE;
    if (strcmp(kind.s, "nps") == 0) return SURVEY_NPS;
    if (strcmp(kind.s, "csat") == 0) return SURVEY_CSAT;
    diag_error(S->d, kind.loc, "unknown survey '%s'", kind.s);
    const char *best = diag_closest(kind.s, kinds, 2);
    if (best) diag_fix(S->d, kind.loc, best, "did you mean '%s'?", best);
    else diag_note(S->d, kind.loc, "a survey is 'nps' (a score from 0 to 10) or 'csat' (a score from 1 to 5)");
    return SURVEY_NONE;
}

/* Checks touchpoint t of stage `stage` (-1: stand-alone); false when its name is taken. */
static bool check_touchpoint(Sema *S, Touchpoint *t, int stage)
{
    Model *m = S->m;
    t->stage_index = stage;
    t->channel_index = -1;
    if (t->channel.s) {
        int c = symtab_find(&S->channels, t->channel.s);
        if (c >= 0) {
            t->channel_index = c;
        } else {
            diag_error(S->d, t->channel.loc, "unknown channel '%s'", t->channel.s);
            suggest(S, &S->channels, t->channel.s, t->channel.loc);
            if (S->prog->nmodules == 1) diag_note(S->d, t->channel.loc, "declare it with 'channel %s \"Label\"', or 'import \"std/channels\"' for the standard ones", t->channel.s);
        }
    }
    t->survey_kind = check_survey(S, t->survey);
    check_fraction(S, t->reach, "reach");
    check_unit_value(S, t->emotion, "emotion");
    check_money(S, t->cost, "cost", false);
    int prev = symtab_find(&S->touchpoints, t->name.s);
    if (prev >= 0) {
        duplicate(S, "touchpoint", t->name, m->touchpoints[prev]->name.loc);
        return false;
    }
    symtab_add(&S->touchpoints, t->name.s);
    t->index = m->ntouchpoints;
    PUSH(S->arena, m->touchpoints, m->ntouchpoints, S->tp_cap, t);
    return true;
}

/* The stages' touchpoints (each stage's checked list made here), then the stand-alone ones. */
static void collect_touchpoints(Sema *S)
{
    Model *m = S->m;
    for (int s = 0; s < m->nstages; s++) {
        const Vec *tps = &S->builds[s].tps;
        Touchpoint *prev = NULL;
        for (int i = 0; i < tps->n; i++) {
            Touchpoint *t = copy_touchpoint(S, tps->v[i]);
            if (prev) prev->next = t;
            else m->stages[s]->touchpoints = t;
            prev = t;
            if (t->name.s) check_touchpoint(S, t, s);
        }
    }
    for (int i = 0; i < S->free_tps.n; i++) {
        Touchpoint *t = copy_touchpoint(S, S->free_tps.v[i]);
        if (t->name.s) check_touchpoint(S, t, -1);
    }
}

/* Reach and cost written as expressions, once every touchpoint is known (met() may name any). */
static void check_touchpoint_amounts(Sema *S)
{
    const Model *m = S->m;
    for (int i = 0; i < m->ntouchpoints; i++) {
        Touchpoint *t = m->touchpoints[i];
        if (t->reach_expr && check_amount(S, &t->reach, &t->reach_expr, "reach", VAL_PERCENT)) check_fraction(S, t->reach, "reach");
        if (t->cost_expr && check_amount(S, &t->cost, &t->cost_expr, "cost", VAL_NUMBER)) check_money(S, t->cost, "cost", false);
    }
}

/* ---- event names: `events "a", "b"` of stages and touchpoints ----
 * A name of the log may enter one stage or meet one touchpoint: given to two of them, cjm fit
 * could not tell which. Names are compared normalised (names.h), as cjm fit compares them; the
 * same name twice in one list ("signup", "sign_up") is only another spelling. */

typedef struct EventName {
    int owner;             /* stage s, or nstages + touchpoint t */
    Str first;             /* where it was first given */
} EventName;

typedef struct EventNames {
    Symtab names;          /* normalised names */
    EventName *v;          /* [names.n] */
    int n, cap;
} EventNames;

static const char *owner_name(Sema *S, int owner)
{
    const Model *m = S->m;
    if (owner < m->nstages) return arena_printf(&S->scratch, "stage '%s'", m->stages[owner]->name.s);
    return arena_printf(&S->scratch, "touchpoint '%s'", m->touchpoints[owner - m->nstages]->name.s);
}

static void check_event_list(Sema *S, EventNames *e, const StrList *list, int owner)
{
    for (const StrList *l = list; l; l = l->next) {
        const char *raw = l->str.s ? l->str.s : "";
        size_t len = strlen(raw);
        if (len == 0) {
            diag_error(S->d, l->str.loc, "an event name cannot be empty");
            continue;
        }
        char *key = arena_alloc(&S->scratch, len + 1);
        key[name_normalise(raw, len, key)] = '\0';
        if (!key[0]) {
            diag_error(S->d, l->str.loc, "event name '%s' is empty once blanks, '_', '-' and '.' are left out (names are compared without them)", raw);
            continue;
        }
        int k = symtab_find(&e->names, key);
        if (k < 0) {
            symtab_add(&e->names, key);
            PUSH(&S->scratch, e->v, e->n, e->cap, ((EventName){owner, l->str}));
            continue;
        }
        const EventName *first = &e->v[k];
        if (first->owner == owner) continue;
        diag_error(S->d, l->str.loc, "event name '%s' is already given to %s", raw, owner_name(S, first->owner));
        if (strcmp(first->first.s, raw) == 0)
            diag_note(S->d, first->first.loc, "given here");
        else
            diag_note(S->d, first->first.loc, "given here as '%s' (names are compared without case, blanks, '_', '-' and '.')",
                      first->first.s);
    }
}

static void check_event_names(Sema *S)
{
    Model *m = S->m;
    EventNames e;
    memset(&e, 0, sizeof e);
    symtab_init(&e.names, &S->scratch);
    for (int s = 0; s < m->nstages; s++) check_event_list(S, &e, m->stages[s]->events, s);
    for (int t = 0; t < m->ntouchpoints; t++) check_event_list(S, &e, m->touchpoints[t]->events, m->nstages + t);
}

/* ---- curves ---- */

/* What a leaf of an expression that depends on the persona only is for persona p at stage s. */
typedef struct PersonaAt {
    const Model *m;
    int p, s;
} PersonaAt;

static double persona_leaf(const Expr *e, const void *ctx)
{
    const PersonaAt *at = ctx;
    if (e->kind == EX_STAGE) return at->s;
    if (e->kind == EX_PERSONA) return at->p;
    if (e->kind != EX_NAME) return NAN;
    switch (e->ref) {
    case REF_TRAIT: return at->m->trait_value[(size_t)at->p * (size_t)at->m->ntraits + (size_t)e->index];
    case REF_STAGE:
    case REF_PERSONA: return e->index;
    default: return NAN;
    }
}

/* The value for persona p at stage s of an expression that depends on the persona only: a curve
 * value's, for the reports that draw the curve (0 when it is not a number). */
static double persona_value(const Model *m, const Expr *e, int p, int s)
{
    PersonaAt at = {m, p, s};
    double v = expr_eval(e, persona_leaf, &at);
    return isnan(v) ? 0 : v;
}

static void collect_curves(Sema *S)
{
    Model *m = S->m;
    size_t cells = (size_t)m->npersonas * (size_t)m->nstages;
    m->curve = ARENA_ARRAY(S->arena, double, cells);
    m->curve_declared = ARENA_ARRAY(S->arena, bool, cells);
    m->curve_reason = ARENA_ARRAY(S->arena, const char *, cells);
    size_t ncells = (size_t)(m->npersonas + 1) * (size_t)m->nstages;
    /* Row 0 is the default curve, row p+1 persona p's own; each cell remembers who set it. */
    const CurvePoint **set = ARENA_ARRAY(&S->scratch, const CurvePoint *, ncells);
    /* With each cell, its checked value: a number, or an expression (NULL when a number). */
    double *set_value = ARENA_ARRAY(&S->scratch, double, ncells);
    const Expr **set_expr = ARENA_ARRAY(&S->scratch, const Expr *, ncells);
    m->curve_expr = ARENA_ARRAY(S->arena, const Expr *, cells);
    for (int i = 0; i < S->nmods; i++) {
        for (const Curve *c = S->mods[i]->curves; c; c = c->next) {
            int row = 0;
            if (c->persona.s) {
                int p = symtab_find(&S->personas, c->persona.s);
                if (p < 0) {
                    diag_error(S->d, c->persona.loc, "unknown persona '%s'", c->persona.s);
                    suggest(S, &S->personas, c->persona.s, c->persona.loc);
                    continue;
                }
                row = p + 1;
            }
            for (const CurvePoint *pt = c->points; pt; pt = pt->next) {
                Value value = pt->value;
                const Expr *ex = pt->value_expr;
                if (check_amount(S, &value, &ex, "a curve value", VAL_NUMBER)) check_unit_value(S, value, "curve value");
                int stage = lookup_stage(S, pt->stage);
                if (stage < 0) continue;
                const CurvePoint **cell = &set[(size_t)row * (size_t)m->nstages + (size_t)stage];
                if (*cell && same_file((*cell)->stage.loc, pt->stage.loc)) {
                    diag_error(S->d, pt->stage.loc, "the curve gives stage '%s' twice", pt->stage.s);
                    diag_note(S->d, (*cell)->stage.loc, "first given here");
                    continue;
                }
                *cell = pt; /* a later file overrides an imported value */
                set_value[cell - set] = ex ? 0 : value.v;
                set_expr[cell - set] = ex;
            }
        }
    }
    for (int p = 0; p < m->npersonas; p++) {
        for (int s = 0; s < m->nstages; s++) {
            const CurvePoint *own = set[(size_t)(p + 1) * (size_t)m->nstages + (size_t)s];
            const CurvePoint *def = set[s];
            const CurvePoint *use = own ? own : def;
            size_t from = own ? (size_t)(p + 1) * (size_t)m->nstages + (size_t)s : (size_t)s;
            size_t cell = (size_t)p * (size_t)m->nstages + (size_t)s;
            const Expr *ex = use ? set_expr[from] : NULL;
            m->curve[cell] = use ? set_value[from] : 0;
            m->curve_expr[cell] = ex;
            if (ex && ex->persona_only && ex->type == TY_NUMBER) m->curve[cell] = persona_value(m, ex, p, s);
            m->curve_declared[(size_t)p * (size_t)m->nstages + (size_t)s] = use != NULL;
            /* An empty reason ("") says nothing: none. */
            m->curve_reason[(size_t)p * (size_t)m->nstages + (size_t)s] =
                use && use->why.s && *use->why.s ? use->why.s : NULL;
        }
    }
}

/* ---- expressions ----
 * Checking an expression makes its checked copy (in the Model's arena), resolved and typed. */

static const char *type_name(Type t)
{
    switch (t) {
    case TY_NUMBER: return "a number";
    case TY_BOOL: return "a condition";
    case TY_STAGE: return "a stage";
    case TY_PERSONA: return "a persona";
    default: return "an error";
    }
}

typedef enum { HINT_NONE, HINT_STAGE, HINT_PERSONA } Hint;

static Expr *check_expr(Sema *S, const Expr *src, Hint hint);

/* A copy of one node, nothing resolved yet (its operands still the syntax tree's). */
static Expr *copy_expr(Sema *S, const Expr *src)
{
    Expr *e = ARENA_NEW(S->arena, Expr);
    *e = *src;
    e->next = NULL;
    e->type = TY_ERROR;
    e->ref = REF_UNRESOLVED;
    e->index = 0;
    e->constant = false;
    e->persona_only = false;
    return e;
}

static Type resolve_name(Sema *S, Expr *e, Hint hint)
{
    const char *n = e->name.s;
    Model *m = S->m;
    if (hint == HINT_STAGE) {
        int s = symtab_find(&S->stages, n);
        if (s < 0) {
            diag_error(S->d, e->loc, "unknown stage '%s'", n);
            suggest(S, &S->stages, n, e->loc);
            return TY_ERROR;
        }
        e->ref = REF_STAGE;
        e->index = s;
        e->persona_only = true;
        return TY_STAGE;
    }
    if (hint == HINT_PERSONA) {
        int p = symtab_find(&S->personas, n);
        if (p < 0) {
            diag_error(S->d, e->loc, "unknown persona '%s'", n);
            suggest(S, &S->personas, n, e->loc);
            return TY_ERROR;
        }
        e->ref = REF_PERSONA;
        e->index = p;
        e->persona_only = true;
        return TY_PERSONA;
    }
    if (strcmp(n, "time") == 0) {
        e->ref = REF_TIME;
        return TY_NUMBER;
    }
    int t = symtab_find(&S->traits, n);
    if (t >= 0) {
        e->ref = REF_TRAIT;
        e->index = t;
        e->persona_only = !m->trait_varies[t]; /* drawn per customer: it depends on the customer */
        S->trait_uses[t]++;
        for (int p = 0; p < m->npersonas; p++) {
            if (!trait_given(m, p, t)) {
                diag_error(S->d, e->loc, "persona '%s' has no trait '%s'", m->personas[p]->name.s, n);
                if (m->personas[p]->name.loc.file)
                    diag_note(S->d, m->personas[p]->name.loc, "give it one here, as in '%s = 0'", n);
                return TY_ERROR;
            }
        }
        return TY_NUMBER;
    }
    int v = symtab_find(&S->states, n);
    if (v >= 0) {
        StateVar *var = m->states[v];
        e->ref = REF_STATE;
        e->index = v;
        if (S->in_state_init) {
            diag_error(S->d, e->loc, "a state's starting value may read only constants and traits, not '%s'", n);
            diag_note(S->d, e->loc, "every state variable starts on its own, before any rule runs");
            return TY_ERROR;
        }
        var->used = true;
        return var->type;
    }
    if (symtab_find(&S->stages, n) >= 0) {
        diag_error(S->d, e->loc, "'%s' is a stage: compare it with the current stage, as in 'stage == %s'", n, n);
        return TY_ERROR;
    }
    if (symtab_find(&S->personas, n) >= 0) {
        diag_error(S->d, e->loc, "'%s' is a persona: compare it with the customer's persona, as in 'persona == %s'", n, n);
        return TY_ERROR;
    }
    diag_error(S->d, e->loc, "unknown name '%s'", n);
    const char *cands[64];
    int nc = 0;
    cands[nc++] = "time";
    for (int k = 0; k < m->ntraits && nc < 64; k++) cands[nc++] = m->traits[k];
    for (int k = 0; k < S->states.n && nc < 64; k++) cands[nc++] = S->states.keys[k];
    const char *best = diag_closest(n, cands, nc);
    if (best) diag_fix(S->d, e->loc, best, "did you mean '%s'?", best);
    else if (m->ntraits == 0 && S->states.n == 0)
        diag_note(S->d, e->loc, "names in expressions are mood, time, revenue, cost, stage, persona, the personas' traits and the state variables");
    return TY_ERROR;
}


/* Makes e's arguments its own copies, each checked (or only copied, when `check` says no), in
 * order; returns the first. */
static Expr *check_args(Sema *S, Expr *e, bool (*check)(const Expr *a))
{
    Expr *first = NULL, *prev = NULL;
    for (const Expr *a = e->args; a; a = a->next) {
        Expr *c = check(a) ? check_expr(S, a, HINT_NONE) : copy_expr(S, a);
        if (prev) prev->next = c;
        else first = c;
        prev = c;
    }
    e->args = first;
    return first;
}

static bool any_arg(const Expr *a) { (void)a; return true; }
static bool no_arg(const Expr *a) { (void)a; return false; }
static bool arg_not_a_name(const Expr *a) { return a->kind != EX_NAME; }

/* met(X), met_ever(X): X a touchpoint or a channel, never both. */
static Type check_met(Sema *S, Expr *e)
{
    const char *fn = e->name.s;
    Expr *a = check_args(S, e, no_arg);
    if (S->in_state_init) {
        diag_error(S->d, e->loc, "a state's starting value may read only constants and traits, not '%s()'", fn);
        return TY_ERROR;
    }
    if (a->kind != EX_NAME) {
        diag_error(S->d, a->loc, "'%s' takes the name of a touchpoint or a channel, as in '%s(SearchAd)'", fn, fn);
        return TY_ERROR;
    }
    const char *n = a->name.s;
    int t = symtab_find(&S->touchpoints, n), c = symtab_find(&S->channels, n);
    if (t >= 0 && c >= 0) {
        diag_error(S->d, a->loc, "'%s' is both a touchpoint and a channel: '%s' cannot tell which one it counts", n, fn);
        diag_note(S->d, S->m->touchpoints[t]->name.loc, "the touchpoint is declared here");
        diag_note(S->d, S->m->channels[c]->name.loc, "the channel is declared here");
        diag_note(S->d, a->loc, "rename one of them");
        return TY_ERROR;
    }
    if (t < 0 && c < 0) {
        diag_error(S->d, a->loc, "unknown touchpoint or channel '%s'", n);
        const char **cands = ARENA_ARRAY(&S->scratch, const char *, S->touchpoints.n + S->channels.n + 1);
        int nc = 0;
        for (int k = 0; k < S->touchpoints.n; k++) cands[nc++] = S->touchpoints.keys[k];
        for (int k = 0; k < S->channels.n; k++) cands[nc++] = S->channels.keys[k];
        const char *best = diag_closest(n, cands, nc);
        if (best) diag_fix(S->d, a->loc, best, "did you mean '%s'?", best);
        return TY_ERROR;
    }
    a->ref = e->ref = t >= 0 ? REF_TOUCHPOINT : REF_CHANNEL;
    a->index = e->index = t >= 0 ? t : c;
    return TY_NUMBER;
}

static Type check_call(Sema *S, Expr *e)
{
    const char *n = e->name.s;
    int f = -1;
    for (int k = 0; k < FN__COUNT; k++)
        if (strcmp(expr_func_name((FuncId)k), n) == 0) f = k;
    if (f < 0) {
        int dist = find_dist(n, true);
        if (dist >= DIST_WAIT__COUNT) {
            diag_error(S->d, e->name.loc, "'%s' is a distribution of traits: it belongs in a persona, as in 'x = %s(...)'", n, n);
        } else if (dist > 0) {
            diag_error(S->d, e->name.loc, "'%s' is a distribution: it belongs after 'wait'", n);
        } else {
            diag_error(S->d, e->name.loc, "unknown function '%s'", n);
            const char *cands[FN__COUNT];
            for (int k = 0; k < FN__COUNT; k++) cands[k] = expr_func_name((FuncId)k);
            const char *best = diag_closest(n, cands, FN__COUNT);
            if (best) diag_fix(S->d, e->name.loc, best, "did you mean '%s'?", best);
        }
        check_args(S, e, arg_not_a_name);
        return TY_ERROR;
    }
    static const int lo[] = {
#define FUNC(name, spelling, l, h, cls, value) l,
#include "expr.def"
    };
    static const int hi[] = {
#define FUNC(name, spelling, l, h, cls, value) h,
#include "expr.def"
    };
    e->fn = (FuncId)f;
    if (e->nargs < lo[f] || e->nargs > hi[f]) {
        if (lo[f] == hi[f])
            diag_error(S->d, e->loc, "'%s' takes %d argument%s, not %d", n, lo[f], lo[f] == 1 ? "" : "s", e->nargs);
        else
            diag_error(S->d, e->loc, "'%s' takes %d to %d arguments, not %d", n, lo[f], hi[f], e->nargs);
        check_args(S, e, no_arg);
        return TY_ERROR;
    }
    if (e->fn == FN_MET || e->fn == FN_MET_EVER) return check_met(S, e);
    if (expr_func_reads_customer(e->fn)) { /* visits(Stage) */
        Expr *a = check_args(S, e, no_arg);
        if (a->kind != EX_NAME) {
            diag_error(S->d, a->loc, "'%s' takes the name of a stage, as in '%s(Consideration)'", n, n);
            return TY_ERROR;
        }
        int s = symtab_find(&S->stages, a->name.s);
        if (s < 0) {
            diag_error(S->d, a->loc, "unknown stage '%s'", a->name.s);
            suggest(S, &S->stages, a->name.s, a->loc);
            return TY_ERROR;
        }
        a->ref = REF_STAGE;
        a->index = s;
        a->type = TY_STAGE;
        e->index = s;
        return TY_NUMBER;
    }
    check_args(S, e, any_arg);
    bool constant = true, persona_only = true, ok = true;
    for (const Expr *a = e->args; a; a = a->next) {
        Type t = a->type;
        if (t != TY_NUMBER && t != TY_ERROR) {
            diag_error(S->d, a->loc, "'%s' takes numbers, but this is %s", n, type_name(t));
            ok = false;
        }
        if (t == TY_ERROR) ok = false;
        constant &= a->constant;
        persona_only &= a->persona_only;
    }
    e->constant = constant;
    e->persona_only = persona_only;
    return ok ? TY_NUMBER : TY_ERROR;
}

static Type check_operands(Sema *S, Expr *e, Type want, Type result)
{
    const Expr *a = e->a = check_expr(S, e->a, HINT_NONE);
    const Expr *b = e->b = e->b ? check_expr(S, e->b, HINT_NONE) : NULL;
    Type ta = a->type, tb = b ? b->type : want;
    e->constant = a->constant && (!b || b->constant);
    e->persona_only = a->persona_only && (!b || b->persona_only);
    if (ta == TY_ERROR || tb == TY_ERROR) return TY_ERROR;
    if (ta != want || tb != want) {
        const Expr *bad = ta != want ? a : b;
        diag_error(S->d, bad->loc, "'%s' needs %s on both sides, but this is %s", expr_spelling(e->kind),
                   want == TY_BOOL ? "conditions" : "numbers", type_name(ta != want ? ta : tb));
        return TY_ERROR;
    }
    return result;
}

static Hint hint_for(const Expr *e)
{
    return e->kind == EX_STAGE ? HINT_STAGE : e->kind == EX_PERSONA ? HINT_PERSONA : HINT_NONE;
}

/* `==` and `!=` compare numbers, conditions, or a stage/persona with a stage/persona name. */
static Type check_equality(Sema *S, Expr *e)
{
    Hint ha = hint_for(e->b), hb = hint_for(e->a);
    const Expr *a = e->a = check_expr(S, e->a, e->a->kind == EX_NAME ? ha : HINT_NONE);
    const Expr *b = e->b = check_expr(S, e->b, e->b->kind == EX_NAME ? hb : HINT_NONE);
    e->constant = a->constant && b->constant;
    e->persona_only = a->persona_only && b->persona_only;
    if (a->type == TY_ERROR || b->type == TY_ERROR) return TY_ERROR;
    if (a->type != b->type) {
        diag_error(S->d, e->loc, "cannot compare %s with %s", type_name(a->type), type_name(b->type));
        return TY_ERROR;
    }
    return TY_BOOL;
}

static Expr *check_expr(Sema *S, const Expr *src, Hint hint)
{
    Expr *e = copy_expr(S, src);
    Type t = TY_ERROR;
    switch (e->kind) {
    case EX_NUMBER:
        e->constant = e->persona_only = true;
        t = TY_NUMBER;
        break;
    case EX_NAME: t = resolve_name(S, e, hint); break;
    /* An operand word: its type and what it depends on (within one stage, `stage` is fixed). */
#define LEAF(name, spelling, token, type, cls)                                  \
    case EX_##name:                                                             \
        e->constant = CLASS_##cls == CLASS_CONSTANT;                            \
        e->persona_only = CLASS_##cls != CLASS_CUSTOMER;                        \
        t = TY_##type;                                                          \
        break;
#define PREFIX(name, spelling, token, prec, operand, result, value) \
    case EX_##name: t = check_operands(S, e, TY_##operand, TY_##result); break;
#define INFIX(name, spelling, token, prec, assoc, operand, result, value) \
    case EX_##name: t = CHECK_##operand(S, e, TY_##result); break;
#define CHECK_NUMBER(S, e, result) check_operands(S, e, TY_NUMBER, result)
#define CHECK_BOOL(S, e, result) check_operands(S, e, TY_BOOL, result)
#define CHECK_ANY(S, e, result) check_equality(S, e)
#include "expr.def"
#undef CHECK_NUMBER
#undef CHECK_BOOL
#undef CHECK_ANY
    case EX_CALL: t = check_call(S, e); break;
    }
    if (e->kind == EX_DIV && t == TY_NUMBER && e->b->constant && sema_eval_constant(e->b) == 0) {
        diag_error(S->d, e->b->loc, "division by zero");
        t = TY_ERROR;
    }
    e->type = t;
    return e;
}

double sema_eval_constant(const Expr *e) { return expr_eval(e, NULL, NULL); }

static Expr *check_condition(Sema *S, const Expr *src)
{
    if (!src) return NULL;
    Expr *e = check_expr(S, src, HINT_NONE);
    if (e->type != TY_BOOL && e->type != TY_ERROR)
        diag_error(S->d, e->loc, "a condition must be true or false, but this is %s", type_name(e->type));
    return e;
}

/* The value of a checked probability that is a constant within 0..100%. */
static bool constant_probability(const Expr *e, double *value)
{
    if (e->type != TY_NUMBER || !e->constant) return false;
    double v = sema_eval_constant(e);
    if (!(v >= -EPS && v <= 1 + EPS)) return false;
    *value = v;
    return true;
}

/* A probability expression: a number; when constant, within 0..100%. Its checked copy goes to
 * *out; true when it is a valid constant (then in *value). */
static bool check_probability(Sema *S, const Expr *src, Expr **out, double *value)
{
    Expr *e = *out = check_expr(S, src, HINT_NONE);
    if (e->type == TY_ERROR) return false;
    if (e->type != TY_NUMBER) {
        diag_error(S->d, e->loc, "a probability must be a number, but this is %s", type_name(e->type));
        return false;
    }
    if (!e->constant) return false;
    double v = sema_eval_constant(e);
    if (!(v >= -EPS && v <= 1 + EPS)) {
        diag_error(S->d, e->loc, "probability %s is outside 0%%..100%%", pct(S, v));
        if (e->kind == EX_NUMBER && e->unit == VAL_NUMBER && v > 1 && v <= 100) suggest_percent(S, e->loc, v);
        return false;
    }
    *value = v;
    return true;
}

/* ---- state variables: `state NAME = EXPR` ----
 * Declared once across the files; a scenario's `state` adds one, or gives an existing one another
 * starting value. Their names are the expressions' as traits' are: neither a trait's nor `time`. */

static void declare_state(Sema *S, const StateVar *src)
{
    Model *m = S->m;
    const char *n = src->name.s;
    int t = symtab_find(&S->traits, n);
    if (t >= 0) {
        diag_error(S->d, src->name.loc, "'%s' is a trait: a state variable needs a name of its own", n);
        diag_note(S->d, S->trait_loc[t], "the trait is given here");
        return;
    }
    if (strcmp(n, "time") == 0) {
        diag_error(S->d, src->name.loc, "'time' is the customer's time in expressions: a state variable needs a name of its own");
        return;
    }
    StateVar *v = ARENA_NEW(S->arena, StateVar);
    *v = *src;
    v->next = NULL;
    v->index = symtab_add(&S->states, n);
    v->type = TY_ERROR;
    PUSH(S->arena, m->states, m->nstates, S->state_cap, v);
}

/* The first node of a starting value that reads more than constants and traits, or NULL. */
static const Expr *reads_customer(const Expr *e)
{
    if (!e) return NULL;
    if (e->kind == EX_NAME) return e->ref == REF_TRAIT || e->ref == REF_UNRESOLVED ? NULL : e;
    if (e->kind == EX_CALL) {
        if (expr_func_reads_customer(e->fn)) return e;
        for (const Expr *a = e->args; a; a = a->next) {
            const Expr *bad = reads_customer(a);
            if (bad) return bad;
        }
        return NULL;
    }
    if (!e->a && !e->b) return e->constant || e->kind == EX_NUMBER ? NULL : e; /* mood, stage, ... */
    const Expr *bad = reads_customer(e->a);
    return bad ? bad : reads_customer(e->b);
}

static void check_state_init(Sema *S, StateVar *v)
{
    S->in_state_init = true;
    Expr *e = check_expr(S, v->init, HINT_NONE);
    S->in_state_init = false;
    v->init = e;
    if (e->type == TY_ERROR) return;
    const Expr *bad = reads_customer(e);
    if (bad) {
        const char *what = bad->kind == EX_NAME ? bad->name.s
                           : bad->kind == EX_CALL ? arena_printf(&S->scratch, "%s()", bad->name.s)
                                                  : expr_spelling(bad->kind);
        diag_error(S->d, bad->loc, "a state's starting value may read only constants and traits, not '%s'", what);
        return;
    }
    if (e->type != TY_NUMBER && e->type != TY_BOOL) {
        diag_error(S->d, e->loc, "a state variable is a number or a flag (true or false), but this is %s", type_name(e->type));
        return;
    }
    v->type = e->type;
}

/* Every `state` declaration, then their starting values (which may read the traits only). */
static void collect_states(Sema *S)
{
    Model *m = S->m;
    for (int i = 0; i < S->nmods; i++) {
        for (const StateVar *src = S->mods[i]->states; src; src = src->next) {
            if (!src->name.s) continue;
            int prev = symtab_find(&S->states, src->name.s);
            if (prev < 0) {
                declare_state(S, src);
            } else if (in_scenario(S, i)) {
                m->states[prev]->init = src->init; /* the scenario's starting value */
            } else {
                duplicate(S, "state", src->name, m->states[prev]->name.loc);
            }
        }
    }
    for (int k = 0; k < m->nstates; k++) check_state_init(S, m->states[k]);
}

/* ---- amounts: a revenue, reach, cost, wait argument or curve value written as an expression ----
 * The expression (*ex, the syntax tree's) is checked and must be a number. When it turns out
 * constant it is folded: *v gets its value with unit `unit` (what the value's own checks then
 * expect) and *ex becomes NULL; else *ex is its checked copy. True when *v holds the value (a plain
 * number, or folded), so that the caller checks its range; false when it is known only at run
 * time, or is wrong (reported). */
static bool check_amount(Sema *S, Value *v, const Expr **ex, const char *what, ValueUnit unit)
{
    if (!*ex) return true;
    Expr *e = check_expr(S, *ex, HINT_NONE);
    *ex = e;
    if (e->type == TY_ERROR) return false;
    if (e->type != TY_NUMBER) {
        diag_error(S->d, e->loc, "%s must be a number, but this is %s", what, type_name(e->type));
        return false;
    }
    if (!e->constant) return false;
    v->v = sema_eval_constant(e);
    v->unit = unit;
    *ex = NULL;
    return true;
}

/* ---- stages: waits, revenue, arrows ---- */

/* Wait argument i: its value checked when known (a plain number needs its time unit; an
 * expression's value is days); false when it is known only at run time or wrong. */
static bool check_wait_arg(Sema *S, Dist *w, int i)
{
    int before = S->d->errors;
    if (!check_amount(S, &w->args[i], &w->arg_expr[i], "a wait", VAL_DURATION)) return false;
    check_duration(S, w->args[i], "a wait", false);
    return S->d->errors == before;
}

static Dist *check_wait(Sema *S, const Dist *src)
{
    if (!src) return NULL;
    Dist *w = ARENA_NEW(S->arena, Dist);
    *w = *src;
    if (!w->fn.s) {
        w->kind = DIST_CONSTANT;
        check_wait_arg(S, w, 0);
        return w;
    }
    int kind = find_dist(w->fn.s, true);
    if (kind >= DIST_WAIT__COUNT) {
        diag_error(S->d, w->fn.loc, "'%s' is a trait's distribution; a wait takes exponential, uniform, normal, lognormal or triangular", w->fn.s);
        diag_note(S->d, w->fn.loc, "draw a trait from it in a persona ('x = %s(...)') and use the trait in the wait", w->fn.s);
        return w;
    }
    if (kind < 0) {
        diag_error(S->d, w->fn.loc, "unknown distribution '%s'", w->fn.s);
        suggest_dist(S, w->fn, false);
        return w;
    }
    static const int nargs[] = {
        1,
#define DIST(e, name, lo, hi) lo,
#include "builtins.def"
#undef DIST
    };
    w->kind = (DistKind)kind;
    if (w->nargs != nargs[kind]) {
        diag_error(S->d, w->loc, "'%s' takes %d duration%s, not %d", w->fn.s, nargs[kind], nargs[kind] == 1 ? "" : "s", w->nargs);
        return w;
    }
    bool known = true;
    for (int i = 0; i < w->nargs; i++) known &= check_wait_arg(S, w, i);
    if (!known) return w; /* the rules below hold at run time (a wait of 0 where they fail) */
    double a = w->args[0].v, b = w->args[1].v, c = w->args[2].v;
    switch (w->kind) {
    case DIST_EXPONENTIAL:
        if (a <= 0) diag_error(S->d, w->args[0].loc, "the mean of 'exponential' must be more than 0");
        break;
    case DIST_UNIFORM:
        if (a > b) diag_error(S->d, w->loc, "'uniform' needs its lower bound first: %g > %g days", a, b);
        break;
    case DIST_NORMAL:
        break;
    case DIST_LOGNORMAL:
        if (a <= 0) diag_error(S->d, w->args[0].loc, "the mean of 'lognormal' must be more than 0");
        break;
    case DIST_TRIANGULAR:
        if (!(a <= b && b <= c)) diag_error(S->d, w->loc, "'triangular' needs min <= mode <= max");
        break;
    default:
        break;
    }
    return w;
}

/* What a checked stage's arrows add up to: the constant probabilities of the unconditional ones,
 * the `otherwise` arrows without a condition, and the arrows whose share is not known before a
 * run (a condition, a probability that is not a valid constant, an `otherwise` with a condition). */
typedef struct ArrowTotals {
    double sum;
    int otherwise, uncertain;
    const Arrow *first_otherwise;
} ArrowTotals;

static ArrowTotals arrow_totals(const Stage *s, const Arrow *swept, double swept_value)
{
    ArrowTotals t = {0, 0, 0, NULL};
    for (const Arrow *a = s->arrows; a; a = a->next) {
        double v;
        if (a == swept) {
            t.sum += swept_value;
        } else if (a->otherwise) {
            if (a->when) {
                t.uncertain++;
            } else if (t.otherwise++ == 0) {
                t.first_otherwise = a;
            }
        } else if (constant_probability(a->prob, &v) && !a->when) {
            t.sum += v;
        } else {
            t.uncertain++;
        }
    }
    return t;
}

double sema_arrows_total(const Stage *s, const Arrow *swept, double value, bool *open)
{
    ArrowTotals t = arrow_totals(s, swept, value);
    *open = t.otherwise > 0 || t.uncertain > 0;
    return t.sum;
}

/* The `otherwise` arrow of s that the others leave no share to, or NULL. */
static const Arrow *unneeded_otherwise(const Stage *s)
{
    ArrowTotals t = arrow_totals(s, NULL, 0);
    bool warns = t.sum <= 1 + EPS && t.otherwise && t.uncertain == 0 && t.sum > 1 - EPS;
    return warns ? t.first_otherwise : NULL;
}

/* The journey's stage that stage s of a scenario's Model is (the same declaration), or NULL. */
static const Stage *base_stage(const Sema *S, int s)
{
    if (!S->base || s >= S->base->nstages) return NULL;
    const Stage *b = S->base->stages[s];
    return same_loc(b->name.loc, S->m->stages[s]->name.loc) ? b : NULL;
}

/* Makes stage b's checked arrows (its list) and checks them, then what they add up to. */
static void check_arrows(Sema *S, StageBuild *b)
{
    Stage *s = b->c;
    int otherwise = 0;
    const Arrow *first_otherwise = NULL;
    Arrow *prev = NULL;
    for (int i = 0; i < b->arrows.n; i++) {
        const Arrow *src = b->arrows.v[i];
        Arrow *a = ARENA_NEW(S->arena, Arrow);
        *a = *src;
        a->next = NULL;
        if (prev) prev->next = a;
        else s->arrows = a;
        prev = a;
        a->target_index = a->to_churn ? -1 : lookup_stage(S, a->target);
        a->when = check_condition(S, src->when);
        if (a->otherwise) {
            if (a->when) continue;
            if (++otherwise > 1) {
                diag_error(S->d, a->loc, "stage '%s' has more than one 'otherwise' arrow", s->name.s);
                diag_note(S->d, first_otherwise->loc, "the first one is here");
            } else {
                first_otherwise = a;
            }
            continue;
        }
        Expr *prob;
        double v;
        check_probability(S, src->prob, &prob, &v);
        a->prob = prob;
    }
    if (!s->arrows) return;
    ArrowTotals t = arrow_totals(s, NULL, 0);
    if (t.sum > 1 + EPS) {
        diag_error(S->d, s->name.loc, "the arrows of stage '%s' add up to %s, more than 100%%", s->name.s, pct(S, t.sum));
    } else if (t.sum < 1 - EPS && t.otherwise == 0 && t.uncertain == 0) {
        diag_error(S->d, s->name.loc, "the arrows of stage '%s' add up to %s, not 100%%", s->name.s, pct(S, t.sum));
        diag_note(S->d, s->name.loc, "add an arrow for the rest, such as '-> churn otherwise \"reason\"'");
    } else if (t.otherwise && t.uncertain == 0 && t.sum > 1 - EPS) {
        const Stage *was = base_stage(S, s->index);
        const Arrow *known = was ? unneeded_otherwise(was) : NULL;
        if (!known || !same_loc(known->loc, t.first_otherwise->loc))
            warn(S, "otherwise-never-taken", t.first_otherwise->loc,
                 "this 'otherwise' arrow is never taken: the others already add up to 100%%");
    }
}

static void check_stages(Sema *S)
{
    for (int i = 0; i < S->m->nstages; i++) {
        Stage *s = S->builds[i].c;
        s->wait = check_wait(S, s->wait);
        if (check_amount(S, &s->revenue, &s->revenue_expr, "revenue", VAL_NUMBER)) check_money(S, s->revenue, "revenue", true);
        check_arrows(S, &S->builds[i]);
    }
}

/* ---- rules ---- */

static const char *action_spelling(ActionKind k)
{
    return k == ACT_STATE_ADD ? "+=" : k == ACT_STATE_SUB ? "-=" : "=";
}

/* `NAME = E` (a value of the state's type), `NAME += E`, `NAME -= E` (numbers). */
static void check_state_action(Sema *S, Action *a, const Action *src)
{
    Model *m = S->m;
    const char *n = a->target.s;
    Expr *v = check_expr(S, src->value, HINT_NONE);
    a->value = v;
    int k = symtab_find(&S->states, n);
    if (k < 0) {
        if (symtab_find(&S->traits, n) >= 0) {
            diag_error(S->d, a->target.loc, "'%s' is a trait: rules cannot change traits", n);
            diag_note(S->d, a->target.loc, "for a value that rules change, declare 'state %s = ...'", n);
        } else {
            diag_error(S->d, a->target.loc, "unknown state '%s'", n);
            if (S->states.n) suggest(S, &S->states, n, a->target.loc);
            else diag_note(S->d, a->target.loc, "declare it, as in 'state %s = 0' (a number) or 'state %s = false' (a flag)", n, n);
        }
        return;
    }
    StateVar *var = m->states[k];
    a->target_index = k;
    var->changed = true;
    if (var->type == TY_ERROR || v->type == TY_ERROR) return;
    if (a->kind != ACT_STATE_SET && var->type != TY_NUMBER) {
        diag_error(S->d, a->target.loc, "'%s' changes a number, but state '%s' is a flag: set it with '%s = true' or '%s = false'",
                   action_spelling(a->kind), n, n, n);
        return;
    }
    if (v->type != var->type)
        diag_error(S->d, v->loc, "state '%s' is %s, but this is %s", n, var->type == TY_BOOL ? "a flag (true or false)" : "a number",
                   type_name(v->type));
}

static Action *check_action(Sema *S, const Action *src)
{
    Action *a = ARENA_NEW(S->arena, Action);
    *a = *src;
    a->next = NULL;
    a->target_index = -1;
    Expr *v = NULL;
    switch (a->kind) {
    case ACT_TOUCH: {
        int t = symtab_find(&S->touchpoints, a->target.s);
        if (t < 0) {
            diag_error(S->d, a->target.loc, "unknown touchpoint '%s'", a->target.s);
            suggest(S, &S->touchpoints, a->target.s, a->target.loc);
        } else {
            S->m->touchpoints[t]->used = true;
            a->target_index = t;
        }
        break;
    }
    case ACT_GOTO: a->target_index = lookup_stage(S, a->target); break;
    case ACT_MOOD_SET:
        a->value = v = check_expr(S, src->value, HINT_NONE);
        if (v->type == TY_NUMBER && v->constant) {
            double x = sema_eval_constant(v);
            if (x < -1 - EPS || x > 1 + EPS) diag_error(S->d, v->loc, "mood %.10g is outside -1..+1", x);
        }
        break;
    case ACT_MOOD_ADD:
    case ACT_MOOD_SUB:
    case ACT_REVENUE_ADD:
    case ACT_COST_ADD:
        a->value = v = check_expr(S, src->value, HINT_NONE);
        if (v->type != TY_NUMBER && v->type != TY_ERROR)
            diag_error(S->d, v->loc, "the value must be a number, but this is %s", type_name(v->type));
        else if (v->type == TY_NUMBER && a->kind == ACT_COST_ADD && v->constant && sema_eval_constant(v) < 0)
            diag_error(S->d, v->loc, "a cost cannot be negative");
        break;
    case ACT_CHURN: break;
    case ACT_STATE_SET:
    case ACT_STATE_ADD:
    case ACT_STATE_SUB: check_state_action(S, a, src); break;
    }
    if (src->with) {
        Expr *with;
        double p;
        check_probability(S, src->with, &with, &p);
        a->with = with;
    }
    return a;
}

static void check_rules(Sema *S)
{
    Model *m = S->m;
    for (int i = 0; i < S->nmods; i++) {
        for (const Rule *src = S->mods[i]->rules; src; src = src->next) {
            if (!src->name.s || removed(S, src)) continue;
            int prev = symtab_find(&S->rules, src->name.s);
            if (prev >= 0) {
                duplicate(S, "rule", src->name, m->rules[prev]->name.loc);
                if (in_scenario(S, i))
                    diag_note(S->d, src->name.loc, "to replace it in a scenario, write 'remove rule %s' before the new rule",
                              src->name.s);
                continue;
            }
            symtab_add(&S->rules, src->name.s);
            Rule *r = ARENA_NEW(S->arena, Rule);
            *r = *src;
            r->next = NULL;
            r->actions = NULL;
            r->index = m->nrules;
            PUSH(S->arena, m->rules, m->nrules, S->rule_cap, r);
            r->when = check_condition(S, src->when);
            Action *last = NULL;
            for (const Action *x = src->actions; x; x = x->next) {
                Action *a = check_action(S, x);
                if (last) last->next = a;
                else r->actions = a;
                last = a;
            }
            /* A scenario cannot change the files' rules: their warnings are the journey's. */
            if (S->base && !in_scenario(S, i)) continue;
            if (!r->actions) warn(S, "rule-does-nothing", r->name.loc, "rule '%s' does nothing: it has no actions", r->name.s);
            else if (r->when && r->when->type == TY_BOOL && r->when->constant && !sema_eval_constant(r->when))
                warn(S, "rule-never-fires", r->when->loc, "rule '%s' never fires: its condition is always false", r->name.s);
        }
    }
}

/* ---- structure: reachability, ends, unused declarations ---- */

static int rule_stage(const Expr *e)
{
    if (!e) return -1;
    if (e->kind == EX_AND) {
        int a = rule_stage(e->a);
        return a >= 0 ? a : rule_stage(e->b);
    }
    if (e->kind == EX_EQ) {
        const Expr *n = e->a->kind == EX_STAGE ? e->b : e->b->kind == EX_STAGE ? e->a : NULL;
        if (n && n->kind == EX_NAME && n->ref == REF_STAGE) return n->index;
    }
    return -1;
}

int sema_rule_stage(const Rule *r) { return rule_stage(r->when); }

static bool arrow_possible(const Arrow *a)
{
    return a->otherwise || !a->prob->constant || sema_eval_constant(a->prob) > 0;
}

/* Adds to `mark` every stage reachable from those already marked, following arrows forward
 * and rules' gotos from the stages where they may fire. */
static void spread_forward(Sema *S, const Model *m, bool *mark)
{
    int *queue = ARENA_ARRAY(&S->scratch, int, m->nstages + 1);
    int head = 0, tail = 0;
    for (int i = 0; i < m->nstages; i++)
        if (mark[i]) queue[tail++] = i;
    while (head < tail) {
        int s = queue[head++];
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) {
            if (a->target_index >= 0 && arrow_possible(a) && !mark[a->target_index]) {
                mark[a->target_index] = true;
                queue[tail++] = a->target_index;
            }
        }
        for (int r = 0; r < m->nrules; r++) {
            int only = rule_stage(m->rules[r]->when);
            if (only >= 0 && only != s) continue;
            for (const Action *a = m->rules[r]->actions; a; a = a->next) {
                if (a->kind == ACT_GOTO && a->target_index >= 0 && !mark[a->target_index]) {
                    mark[a->target_index] = true;
                    queue[tail++] = a->target_index;
                }
            }
        }
    }
}

static bool rule_can_churn_in(const Model *m, int s)
{
    for (int r = 0; r < m->nrules; r++) {
        int only = rule_stage(m->rules[r]->when);
        if (only >= 0 && only != s) continue;
        for (const Action *a = m->rules[r]->actions; a; a = a->next)
            if (a->kind == ACT_CHURN) return true;
    }
    return false;
}

/* A stage can end a life when it has no arrows, an arrow to churn, or a rule may churn there;
 * can_end spreads backwards from those. */
static void mark_can_end(const Model *m)
{
    bool changed = true;
    for (int s = 0; s < m->nstages; s++) {
        Stage *st = m->stages[s];
        st->can_end = !st->arrows || rule_can_churn_in(m, s);
        for (const Arrow *a = st->arrows; a; a = a->next)
            if (a->to_churn && arrow_possible(a)) st->can_end = true;
    }
    /* Iterate to a fixed point; journeys are small and this runs once. */
    while (changed) {
        changed = false;
        for (int s = 0; s < m->nstages; s++) {
            Stage *st = m->stages[s];
            if (st->can_end) continue;
            for (const Arrow *a = st->arrows; a && !st->can_end; a = a->next)
                if (a->target_index >= 0 && arrow_possible(a) && m->stages[a->target_index]->can_end)
                    st->can_end = changed = true;
            for (int r = 0; r < m->nrules && !st->can_end; r++) {
                int only = rule_stage(m->rules[r]->when);
                if (only >= 0 && only != s) continue;
                for (const Action *a = m->rules[r]->actions; a; a = a->next)
                    if (a->kind == ACT_GOTO && a->target_index >= 0 && m->stages[a->target_index]->can_end)
                        st->can_end = changed = true;
            }
        }
    }
}

/* For a scenario, whether the journey already warns about what the structure warns of; these
 * compare what holds of the same declaration in both Models, never the messages. */
static bool journey_unreachable(const Sema *S, int s)
{
    const Stage *b = base_stage(S, s);
    return b && !b->reachable;
}

static bool journey_stuck(const Sema *S, int s)
{
    const Stage *b = base_stage(S, s);
    return b && b->reachable && !b->can_end;
}

static void index_base(Sema *S)
{
    if (S->base_indexed) return;
    S->base_indexed = true;
    symtab_init(&S->base_tps, &S->scratch);
    symtab_init(&S->base_traits, &S->scratch);
    symtab_init(&S->base_states, &S->scratch);
    for (int i = 0; i < S->base->nstates; i++) symtab_add(&S->base_states, S->base->states[i]->name.s);
    for (int i = 0; i < S->base->ntouchpoints; i++) symtab_add(&S->base_tps, S->base->touchpoints[i]->name.s);
    for (int k = 0; k < S->base->ntraits; k++) symtab_add(&S->base_traits, S->base->traits[k]);
}

static bool journey_unused_touchpoint(Sema *S, const Touchpoint *t)
{
    if (!S->base) return false;
    index_base(S);
    int k = symtab_find(&S->base_tps, t->name.s);
    if (k < 0) return false;
    const Touchpoint *b = S->base->touchpoints[k];
    return b->stage_index < 0 && !b->used && same_loc(b->name.loc, t->name.loc);
}

static bool journey_unused_trait(Sema *S, const char *name)
{
    if (!S->base) return false;
    index_base(S);
    int k = symtab_find(&S->base_traits, name);
    return k >= 0 && !S->base->trait_used[k];
}

/* For a scenario: whether the journey already warns that its state v (the same declaration) is
 * unused (`changed` false) or never changed (true). */
static bool journey_state_warned(Sema *S, const StateVar *v, bool changed)
{
    if (!S->base) return false;
    if (!S->base_indexed) index_base(S);
    int k = symtab_find(&S->base_states, v->name.s);
    if (k < 0) return false;
    const StateVar *b = S->base->states[k];
    if (!same_loc(b->name.loc, v->name.loc)) return false;
    return changed ? b->used && !b->changed : !b->used;
}

static void check_structure(Sema *S)
{
    Model *m = S->m;
    if (m->nstages == 0 || m->start < 0) return;
    bool *mark = ARENA_ARRAY(&S->scratch, bool, m->nstages);
    mark[m->start] = true;
    spread_forward(S, m, mark);
    mark_can_end(m);
    for (int s = 0; s < m->nstages; s++) {
        Stage *st = m->stages[s];
        st->reachable = mark[s];
        if (!st->reachable) {
            if (!journey_unreachable(S, s))
                warn(S, "unreachable-stage", st->name.loc, "stage '%s' is never reached: no arrow or rule leads to it from '%s'",
                     st->name.s, m->stages[m->start]->name.s);
        } else if (!st->can_end && !journey_stuck(S, s)) {
            warn(S, "stage-never-ends", st->name.loc,
                 "customers who reach stage '%s' can never leave: no churn and no stage without arrows can be reached from it",
                 st->name.s);
        }
    }
    if (!m->has_goal && !(S->base && !S->base->has_goal))
        warn(S, "no-goal", m->stages[m->start]->name.loc, "no stage is a goal, so no customer will ever convert");
}

static void check_unused(Sema *S)
{
    Model *m = S->m;
    for (int i = 0; i < m->ntouchpoints; i++) {
        Touchpoint *t = m->touchpoints[i];
        if (t->stage_index >= 0 || t->used || journey_unused_touchpoint(S, t)) continue;
        warn(S, "unused-touchpoint", t->name.loc, "touchpoint '%s' is never used: no stage shows it and no rule touches it", t->name.s);
        if (S->scenario && loc_within(t->name.loc, S->scenario->loc))
            diag_note(S->d, t->name.loc,
                      "a scenario's touchpoint that the journey does not have is a new one, for the scenario's rules to touch");
    }
    for (int k = 0; k < m->ntraits; k++) {
        if (S->trait_uses[k] || journey_unused_trait(S, m->traits[k])) continue;
        warn(S, "unused-trait", S->trait_loc[k], "trait '%s' is never used in an expression", m->traits[k]);
    }
    for (int k = 0; k < m->nstates; k++) {
        const StateVar *v = m->states[k];
        if (!v->used) {
            if (!journey_state_warned(S, v, false))
                warn(S, "unused-state", v->name.loc, "state '%s' is never used in an expression", v->name.s);
        } else if (!v->changed && !journey_state_warned(S, v, true)) {
            warn(S, "state-never-changed", v->name.loc,
                 "state '%s' is never changed by a rule: it keeps its starting value", v->name.s);
        }
    }
}

/* ---- limits ---- */

static bool within(Sema *S, int count, int max, const char *what, Loc at)
{
    if (count <= max) return true;
    diag_error(S->d, at, "too many %s: %d (the limit is %d)", what, count, max);
    return false;
}

/* Counts are checked once the declarations are collected, before anything is built per item. */
static bool check_limits(Sema *S)
{
    Model *m = S->m;
    Loc at = {S->prog->main->file, 0, 0};
    bool ok = within(S, m->nstages, MODEL_MAX_STAGES, "stages", at) &&
              within(S, m->npersonas, MODEL_MAX_PERSONAS, "personas", at) &&
              within(S, m->nchannels, MODEL_MAX_CHANNELS, "channels", at);
    for (int s = 0; ok && s < m->nstages; s++)
        ok = within(S, S->builds[s].arrows.n, MODEL_MAX_ARROWS, "arrows in one stage", m->stages[s]->name.loc);
    return ok;
}

static bool check_late_limits(Sema *S)
{
    Model *m = S->m;
    Loc at = {S->prog->main->file, 0, 0};
    bool ok = within(S, m->ntouchpoints, MODEL_MAX_TOUCHPOINTS, "touchpoints", at) &&
              within(S, m->nrules, MODEL_MAX_RULES, "rules", at) && within(S, m->ntraits, MODEL_MAX_TRAITS, "traits", at) &&
              within(S, m->nstates, MODEL_MAX_STATES, "state variables", at);
    for (int r = 0; ok && r < m->nrules; r++) {
        int n = 0;
        for (const Action *a = m->rules[r]->actions; a; a = a->next) n++;
        ok = within(S, n, MODEL_MAX_ACTIONS, "actions in one rule", m->rules[r]->name.loc);
    }
    return ok;
}

/* The issue 16 tables the Model always has, when a limit stopped the passes that fill them. */
static void allocate_unused(Sema *S)
{
    Model *m = S->m;
    size_t cells = (size_t)m->npersonas * (size_t)m->nstages;
    if (!m->trait_varies) m->trait_varies = ARENA_ARRAY(S->arena, bool, m->ntraits);
    if (!m->trait_dist) m->trait_dist = ARENA_ARRAY(S->arena, const Dist *, (size_t)m->npersonas * (size_t)m->ntraits);
    if (!m->curve_expr) m->curve_expr = ARENA_ARRAY(S->arena, const Expr *, cells);
    if (!m->memory) m->memory = ARENA_ARRAY(S->arena, double, m->npersonas);
    if (!m->states) m->states = ARENA_ARRAY(S->arena, StateVar *, 1);
}

/* ---- entry points ---- */

/* Every pass, in order (run under arena_guard: any allocation may stop it). */
static void run_passes(void *ctx)
{
    Sema *S = ctx;
    const Program *p = S->prog;
    S->nmods = p->nmodules + (S->scenario != NULL);
    S->mods = ARENA_ARRAY(&S->scratch, const Module *, S->nmods);
    for (int i = 0; i < p->nmodules; i++) S->mods[i] = p->modules[i];
    if (S->scenario) S->mods[p->nmodules] = S->scenario->body;
    Symtab *tables[] = {&S->stages, &S->personas, &S->channels, &S->touchpoints, &S->rules, &S->traits,
                        &S->states, &S->changed, &S->removed};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) symtab_init(tables[i], &S->scratch);

    collect_scenarios(S);
    collect_channels(S);
    collect_stages(S);
    collect_free_touchpoints(S);
    apply_extends(S);
    change_touchpoints(S);
    settings(S);
    collect_personas(S);
    change_personas(S);
    link_traits(S);
    /* Past a limit, the per-item work below (the curve table is personas x stages) is skipped. */
    if (check_limits(S)) {
        check_shares(S);
        check_memory(S);
        check_arrivals(S);
        collect_traits(S);
        collect_touchpoints(S);
        collect_states(S);
        check_touchpoint_amounts(S);
        check_event_names(S);
        collect_curves(S);
        check_stages(S);
        remove_rules(S);
        check_rules(S);
        check_late_limits(S);
    }
    /* With errors, the structure is incomplete (an arrow to a misspelt stage, say): warnings about
     * unreachable stages or unused touchpoints would mostly repeat the errors. */
    if (errors(S) == 0) {
        check_structure(S);
        check_unused(S);
    }
    Model *m = S->m;
    m->trait_used = ARENA_ARRAY(S->arena, bool, m->ntraits);
    for (int k = 0; k < m->ntraits && S->trait_uses; k++) m->trait_used[k] = S->trait_uses[k] > 0;
    allocate_unused(S);
}

/* A scenario's diagnostics outside its block get a note naming it, at its name. */
static void note_scenario(Sema *S)
{
    char note[PARSE_MAX_IDENT + 64];
    snprintf(note, sizeof note, "with scenario '%s' applied", S->scenario->name.s);
    for (int i = S->first_diag; i < S->d->n; i++)
        if (!loc_within(S->d->items[i].loc, S->scenario->loc)) diag_add_note(S->d, i, S->scenario->name.loc, note);
}

static Model *check(const Program *p, const Model *base, const Scenario *sc, Diag *d)
{
    if (!p->main) return NULL;
    const char *file = source_get(&p->sources, p->main->file)->name;
    Model *m = mem_alloc(sizeof *m);
    if (!m) {
        diag_report_oom(d, "checking", file);
        return NULL;
    }
    memset(m, 0, sizeof *m);
    arena_init(&m->arena);
    m->own_arena = &m->arena;
    m->program = p;
    m->scenario = sc;
    Sema S;
    memset(&S, 0, sizeof S);
    S.prog = p;
    S.d = d;
    S.m = m;
    S.arena = &m->arena;
    S.scenario = sc;
    S.base = base;
    arena_init(&S.scratch);
    const char *code = diag_set_code(d, "check");
    diag_hold(d);
    S.first_diag = d->n;
    S.errors_before = d->errors;
    Arena *const arenas[] = {&m->arena, &S.scratch};
    bool ok = arena_guard(arenas, 2, run_passes, &S);
    arena_free(&S.scratch);
    if (ok) {
        m->errors = errors(&S);
        if (sc) note_scenario(&S);
    } else {
        /* What the check reported so far would be half of it: it gives way to the one error. */
        diag_truncate(d, S.first_diag);
        model_free(m);
        m = NULL;
        diag_report_oom(d, "checking", file);
    }
    diag_set_code(d, code);
    diag_release(d);
    return m;
}

Model *sema_check(const Program *p, Diag *d) { return check(p, NULL, NULL, d); }

Model *sema_check_scenario(const Model *base, const Scenario *sc, Diag *d)
{
    if (!base || base->errors || !sc) return NULL;
    return check(base->program, base, sc, d);
}

void model_free(Model *m)
{
    if (!m) return;
    arena_free(&m->arena);
    free(m);
}
