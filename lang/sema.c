/* sema.c: the checks of docs/language.md and the checked Model (see sema.h).
 *
 * Passes, in order: scenario names, channels, stages (then `extend stage` blocks merged into
 * them), journey settings, personas and traits, touchpoints, curves, arrows and rules (with their
 * expressions), and last the journey's structure (reachability, ends, unused declarations). Every
 * pass goes on after an error so that one run reports them all. Checking a scenario is the same
 * passes over the files and then the scenario's body, as if it were one more file, plus its own
 * changes (touchpoints and personas changed, rules and touchpoints removed) at the points where
 * they apply. This file knows nothing of simulation. */
#include "sema.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "symtab.h"

#define EPS 1e-9

typedef struct Sema {
    const Program *prog;
    Diag *d;
    Model *m;
    Arena *arena;          /* for nodes the checker makes (the implicit persona) */
    Symtab stages, personas, channels, touchpoints, rules, traits;
    int *trait_uses;       /* [ntraits] */
    /* The modules whose declarations count: the program's, then the body of the scenario being
     * checked (its declarations apply after every file's own). */
    Module **mods;
    int nmods;
    const Scenario *scenario; /* the scenario being checked, NULL for the journey itself */
} Sema;

#define PUSH(arr, n, cap, x)                                                        \
    do {                                                                            \
        if ((n) == (cap)) {                                                         \
            (cap) = (cap) ? (cap) * 2 : 16;                                         \
            (arr) = xrealloc((arr), (size_t)(cap) * sizeof *(arr));                 \
        }                                                                           \
        (arr)[(n)++] = (x);                                                         \
    } while (0)

const char *sema_func_name(FuncId f)
{
    static const char *const names[] = {
#define FUNC(e, name, lo, hi) name,
#include "builtins.def"
#undef FUNC
    };
    return f < FN__COUNT ? names[f] : "?";
}

const char *sema_dist_name(DistKind k)
{
    static const char *const names[] = {
        "constant",
#define DIST(e, name, lo, hi) name,
#include "builtins.def"
#undef DIST
    };
    return k < DIST__COUNT ? names[k] : "?";
}

/* ---- small helpers ---- */

/* A percentage for messages: 0.55 -> "55%". */
static const char *pct(Sema *S, double v) { return arena_printf(S->arena, "%.10g%%", v * 100); }

static void suggest(Sema *S, const Symtab *t, const char *name, Loc loc)
{
    const char *best = diag_closest(name, t->keys, t->n);
    if (best) diag_note(S->d, loc, "did you mean '%s'?", best);
}

static bool same_file(Loc a, Loc b) { return a.file == b.file; }

static bool loc_within(Loc a, Loc span)
{
    return a.file == span.file && a.off >= span.off && a.off < span.off + span.len;
}

static void duplicate(Sema *S, const char *what, Name name, Loc first)
{
    diag_error(S->d, name.loc, "%s '%s' is already declared", what, name.s);
    diag_note(S->d, first, "first declared here");
}

/* ---- channels ---- */

/* An importing file may redeclare an imported channel to relabel it; within one file a name is
 * declared once. */
static void collect_channels(Sema *S)
{
    for (int i = 0; i < S->nmods; i++) {
        for (Channel *c = S->mods[i]->channels; c; c = c->next) {
            if (!c->name.s) continue;
            Channel *prev = symtab_get(&S->channels, c->name.s);
            if (prev && same_file(prev->name.loc, c->name.loc)) {
                duplicate(S, "channel", c->name, prev->name.loc);
                continue;
            }
            symtab_put(&S->channels, c->name.s, c);
        }
    }
    Model *m = S->m;
    m->nchannels = S->channels.n;
    m->channels = xcalloc((size_t)m->nchannels, sizeof *m->channels);
    for (int i = 0; i < m->nchannels; i++) {
        m->channels[i] = S->channels.values[i];
        m->channels[i]->index = i;
    }
}

/* ---- stages and `extend stage` ---- */

static void collect_stages(Sema *S)
{
    for (int i = 0; i < S->nmods; i++) {
        bool in_scenario = S->scenario && S->mods[i] == S->scenario->body;
        for (Stage *s = S->mods[i]->stages; s; s = s->next) {
            if (s->is_extend || !s->name.s) continue;
            Stage *prev = symtab_get(&S->stages, s->name.s);
            if (prev) {
                duplicate(S, "stage", s->name, prev->name.loc);
                if (in_scenario)
                    diag_note(S->d, s->loc, "a scenario changes a stage with 'extend stage %s { ... }'", s->name.s);
                else if (!same_file(prev->name.loc, s->name.loc))
                    diag_note(S->d, s->loc, "to change an imported stage, write 'extend stage %s { ... }'", s->name.s);
                continue;
            }
            if (s->removals) diag_error(S->d, s->removals->loc, "'remove' belongs in an 'extend stage' block");
            symtab_put(&S->stages, s->name.s, s);
        }
    }
}

static bool same_target(const Arrow *a, const Arrow *b)
{
    if (a->to_churn || b->to_churn) return a->to_churn && b->to_churn;
    return a->target.s && b->target.s && strcmp(a->target.s, b->target.s) == 0;
}

static void apply_removals(Sema *S, Stage *base, const Stage *ext)
{
    for (const Removal *r = ext->removals; r; r = r->next) {
        bool found = false;
        if (r->is_arrow) {
            Arrow probe = {0};
            probe.to_churn = r->to_churn;
            probe.target = r->name;
            for (Arrow **pp = &base->arrows; *pp;) {
                if (same_target(*pp, &probe)) {
                    *pp = (*pp)->next;
                    found = true;
                } else {
                    pp = &(*pp)->next;
                }
            }
            if (!found)
                diag_error(S->d, r->loc, "stage '%s' has no arrow to '%s' to remove", base->name.s,
                           r->to_churn ? "churn" : r->name.s);
        } else {
            for (Touchpoint **pp = &base->touchpoints; *pp; pp = &(*pp)->next) {
                if ((*pp)->name.s && strcmp((*pp)->name.s, r->name.s) == 0) {
                    *pp = (*pp)->next;
                    found = true;
                    break;
                }
            }
            if (!found)
                diag_error(S->d, r->name.loc, "stage '%s' has no touchpoint '%s' to remove", base->name.s, r->name.s);
        }
    }
}

static void merge_touchpoints(Stage *base, Touchpoint *added)
{
    while (added) {
        Touchpoint *next = added->next;
        added->next = NULL;
        Touchpoint **pp = &base->touchpoints;
        while (*pp && !((*pp)->name.s && added->name.s && strcmp((*pp)->name.s, added->name.s) == 0))
            pp = &(*pp)->next;
        if (*pp) added->next = (*pp)->next; /* same name: replace in place */
        *pp = added;
        added = next;
    }
}

static void merge_arrows(Stage *base, Arrow *added)
{
    while (added) {
        Arrow *next = added->next;
        added->next = NULL;
        Arrow **pp = &base->arrows;
        while (*pp && !same_target(*pp, added)) pp = &(*pp)->next;
        if (*pp) added->next = (*pp)->next; /* same target: replace the first such arrow */
        *pp = added;
        added = next;
    }
}

/* ---- scenarios: what a scenario takes out or changes ----
 * The touchpoints of the journey are those of its stages (merged with their `extend` blocks so
 * far) and the stand-alone ones of its files. */

/* Every touchpoint name of the journey, for "did you mean" notes. */
static void touchpoint_names(Sema *S, Symtab *names)
{
    for (int k = 0; k < S->stages.n; k++)
        for (Touchpoint *t = ((Stage *)S->stages.values[k])->touchpoints; t; t = t->next)
            if (t->name.s) symtab_put(names, t->name.s, t);
    for (int i = 0; i < S->prog->nmodules; i++)
        for (Touchpoint *t = S->prog->modules[i]->touchpoints; t; t = t->next)
            if (t->name.s) symtab_put(names, t->name.s, t);
}

/* The link that points at the journey's touchpoint `name` (in a stage or stand-alone), or NULL. */
static Touchpoint **find_touchpoint(Sema *S, const char *name)
{
    for (int k = 0; k < S->stages.n; k++)
        for (Touchpoint **pp = &((Stage *)S->stages.values[k])->touchpoints; *pp; pp = &(*pp)->next)
            if ((*pp)->name.s && strcmp((*pp)->name.s, name) == 0) return pp;
    for (int i = 0; i < S->prog->nmodules; i++)
        for (Touchpoint **pp = &S->prog->modules[i]->touchpoints; *pp; pp = &(*pp)->next)
            if ((*pp)->name.s && strcmp((*pp)->name.s, name) == 0) return pp;
    return NULL;
}

static void unknown_touchpoint(Sema *S, Name n, const char *why)
{
    diag_error(S->d, n.loc, "unknown touchpoint '%s'%s", n.s, why);
    Symtab names;
    symtab_init(&names);
    touchpoint_names(S, &names);
    suggest(S, &names, n.s, n.loc);
    symtab_free(&names);
}

/* `remove touchpoint T` in a scenario: T leaves its stage (or the stand-alone ones). */
static void remove_scenario_touchpoints(Sema *S)
{
    for (const Removal *r = S->scenario->removals; r; r = r->next) {
        if (r->is_rule || !r->name.s) continue;
        Touchpoint **pp = find_touchpoint(S, r->name.s);
        if (pp) *pp = (*pp)->next;
        else unknown_touchpoint(S, r->name, ": there is no such touchpoint to remove");
    }
}

/* `touchpoint T { ... }` in a scenario changes the attributes it gives of the journey's T; a name
 * the journey does not have declares a new stand-alone touchpoint (for the scenario's rules). */
static void change_touchpoints(Sema *S)
{
    if (!S->scenario) return;
    Touchpoint *new_ones = NULL, **tail = &new_ones;
    for (Touchpoint *t = S->scenario->body->touchpoints, *next; t; t = next) {
        next = t->next;
        t->next = NULL;
        Touchpoint **pp = t->name.s ? find_touchpoint(S, t->name.s) : NULL;
        if (!pp) {
            *tail = t;
            tail = &t->next;
            continue;
        }
        Touchpoint *old = *pp;
        if (t->label.s) old->label = t->label;
        if (t->channel.s) old->channel = t->channel;
        if (t->reach.present) old->reach = t->reach;
        if (t->emotion.present) old->emotion = t->emotion;
        if (t->cost.present) old->cost = t->cost;
        if (t->pains) old->pains = t->pains;
        if (t->opportunities) old->opportunities = t->opportunities;
    }
    S->scenario->body->touchpoints = new_ones;
}

/* `persona P { ... }` in a scenario changes the share, mood, label and traits it gives of the
 * journey's persona P. */
static void change_personas(Sema *S)
{
    if (!S->scenario) return;
    for (Persona *c = S->scenario->body->personas; c; c = c->next) {
        if (!c->name.s) continue;
        Persona *p = symtab_get(&S->personas, c->name.s);
        if (!p) {
            diag_error(S->d, c->name.loc, "unknown persona '%s': a scenario changes the journey's personas", c->name.s);
            suggest(S, &S->personas, c->name.s, c->name.loc);
            continue;
        }
        if (c->label.s) p->label = c->label;
        if (c->share.present) p->share = c->share;
        if (c->mood.present) p->mood = c->mood;
        for (Trait *t = c->traits, *next; t; t = next) {
            next = t->next;
            Trait **pp = &p->traits;
            while (*pp && strcmp((*pp)->name.s, t->name.s) != 0) pp = &(*pp)->next;
            t->next = *pp ? (*pp)->next : NULL; /* same name: replace in place, else add */
            *pp = t;
        }
        c->traits = NULL;
    }
}

/* `remove rule R` in a scenario. */
static void remove_rules(Sema *S)
{
    if (!S->scenario) return;
    for (const Removal *r = S->scenario->removals; r; r = r->next) {
        if (!r->is_rule || !r->name.s) continue;
        Symtab names;
        symtab_init(&names);
        Rule *found = NULL;
        for (int i = 0; i < S->prog->nmodules; i++) {
            for (Rule *rule = S->prog->modules[i]->rules; rule; rule = rule->next) {
                if (!rule->name.s) continue;
                symtab_put(&names, rule->name.s, rule);
                if (strcmp(rule->name.s, r->name.s) == 0) found = rule;
            }
        }
        if (found) {
            found->removed = true;
        } else {
            diag_error(S->d, r->name.loc, "unknown rule '%s': there is no such rule to remove", r->name.s);
            suggest(S, &names, r->name.s, r->name.loc);
        }
        symtab_free(&names);
    }
}

/* Scenario names are unique across the files; the model lists them in order. */
static void collect_scenarios(Sema *S)
{
    Model *m = S->m;
    Symtab seen;
    symtab_init(&seen);
    int cap = 0;
    for (int i = 0; i < S->prog->nmodules; i++) {
        for (Scenario *sc = S->prog->modules[i]->scenarios; sc; sc = sc->next) {
            if (!sc->name.s) continue;
            Scenario *prev = symtab_get(&seen, sc->name.s);
            if (prev) {
                duplicate(S, "scenario", sc->name, prev->name.loc);
                continue;
            }
            symtab_put(&seen, sc->name.s, sc);
            PUSH(m->scenarios, m->nscenarios, cap, sc);
        }
    }
    symtab_free(&seen);
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

/* `extend stage S { ... }`: `goal` adds, `wait` and `revenue` replace, `remove` deletes, a
 * touchpoint or arrow replaces the one of the same name or target, or is added. */
static void apply_extends(Sema *S)
{
    for (int i = 0; i < S->nmods; i++) {
        /* A scenario's `remove touchpoint` items go first, like the removals of `extend stage`. */
        if (S->scenario && S->mods[i] == S->scenario->body) remove_scenario_touchpoints(S);
        for (Stage *e = S->mods[i]->stages; e; e = e->next) {
            if (!e->is_extend || !e->name.s) continue;
            Stage *base = symtab_get(&S->stages, e->name.s);
            if (!base) {
                diag_error(S->d, e->name.loc, "cannot extend unknown stage '%s'", e->name.s);
                suggest(S, &S->stages, e->name.s, e->name.loc);
                continue;
            }
            if (e->goal) base->goal = true;
            if (e->wait) base->wait = e->wait;
            if (e->revenue.present) base->revenue = e->revenue;
            apply_removals(S, base, e);
            merge_touchpoints(base, e->touchpoints);
            merge_arrows(base, e->arrows);
            e->touchpoints = NULL;
            e->arrows = NULL;
        }
    }
    Model *m = S->m;
    m->nstages = S->stages.n;
    m->stages = xcalloc((size_t)m->nstages, sizeof *m->stages);
    for (int i = 0; i < m->nstages; i++) {
        m->stages[i] = S->stages.values[i];
        m->stages[i]->index = i;
        if (m->stages[i]->goal) m->has_goal = true;
    }
}

static int lookup_stage(Sema *S, Name n)
{
    Stage *s = n.s ? symtab_get(&S->stages, n.s) : NULL;
    if (s) return s->index;
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
        if (v.unit == VAL_NUMBER && v.v > 1 && v.v <= 100)
            diag_note(S->d, v.loc, "did you mean '%.10g%%'?", v.v);
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
        if (x->seed.present) j.seed = x->seed;
        if (x->start.s) j.start = x->start;
    }
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
        check_duration(S, j.horizon, "horizon", true);
        m->has_horizon = true;
        m->horizon = j.horizon.v;
    }
    m->start = m->nstages ? 0 : -1;
    if (j.start.s) {
        int s = lookup_stage(S, j.start);
        if (s >= 0) m->start = s;
    }
}

/* ---- personas and traits ---- */

static void collect_personas(Sema *S)
{
    Model *m = S->m;
    int cap = 0;
    for (int i = 0; i < S->prog->nmodules; i++) {
        for (Persona *p = S->prog->modules[i]->personas; p; p = p->next) {
            if (!p->name.s) continue;
            Persona *prev = symtab_get(&S->personas, p->name.s);
            if (prev) {
                duplicate(S, "persona", p->name, prev->name.loc);
                continue;
            }
            symtab_put(&S->personas, p->name.s, p);
            p->index = m->npersonas;
            PUSH(m->personas, m->npersonas, cap, p);
        }
    }
    if (m->npersonas == 0) {
        /* A journey without personas has one implicit persona with the whole cohort. */
        Persona *p = ARENA_NEW(S->arena, Persona);
        p->name.s = "everyone";
        p->label.s = "Every customer";
        PUSH(m->personas, m->npersonas, cap, p);
    }
}

/* Shares must add up to 100%; personas that give none split what the others leave equally. */
static void check_shares(Sema *S)
{
    Model *m = S->m;
    m->share = xcalloc((size_t)m->npersonas, sizeof *m->share);
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
        for (Trait *t = m->personas[i]->traits; t; t = t->next) {
            for (Trait *u = m->personas[i]->traits; u != t; u = u->next) {
                if (strcmp(u->name.s, t->name.s) == 0) {
                    diag_error(S->d, t->name.loc, "persona '%s' gives trait '%s' twice", m->personas[i]->name.s, t->name.s);
                    diag_note(S->d, u->name.loc, "first given here");
                    break;
                }
            }
            if (!symtab_get(&S->traits, t->name.s)) symtab_put(&S->traits, t->name.s, t);
            if (t->value.unit == VAL_DURATION || t->value.unit == VAL_PERCENT || t->value.unit == VAL_NUMBER) continue;
        }
    }
    m->ntraits = S->traits.n;
    m->traits = xcalloc((size_t)m->ntraits, sizeof *m->traits);
    for (int t = 0; t < m->ntraits; t++) m->traits[t] = S->traits.keys[t];
    m->trait_value = xcalloc((size_t)(m->npersonas * m->ntraits), sizeof *m->trait_value);
    for (int i = 0; i < m->npersonas * m->ntraits; i++) m->trait_value[i] = NAN; /* NaN: not given */
    for (int i = 0; i < m->npersonas; i++) {
        for (Trait *t = m->personas[i]->traits; t; t = t->next) {
            for (int k = 0; k < m->ntraits; k++)
                if (strcmp(m->traits[k], t->name.s) == 0 && isnan(m->trait_value[i * m->ntraits + k]))
                    m->trait_value[i * m->ntraits + k] = t->value.v;
        }
    }
    S->trait_uses = xcalloc((size_t)(m->ntraits ? m->ntraits : 1), sizeof *S->trait_uses);
}

static int trait_index(const Model *m, const char *name)
{
    for (int k = 0; k < m->ntraits; k++)
        if (strcmp(m->traits[k], name) == 0) return k;
    return -1;
}

/* ---- touchpoints ---- */

static void check_touchpoint(Sema *S, Touchpoint *t, int stage)
{
    Model *m = S->m;
    t->stage_index = stage;
    t->channel_index = -1;
    if (t->channel.s) {
        Channel *c = symtab_get(&S->channels, t->channel.s);
        if (c) {
            t->channel_index = c->index;
        } else {
            diag_error(S->d, t->channel.loc, "unknown channel '%s'", t->channel.s);
            suggest(S, &S->channels, t->channel.s, t->channel.loc);
            if (S->prog->nmodules == 1) diag_note(S->d, t->channel.loc, "declare it with 'channel %s \"Label\"', or 'import \"std/channels\"' for the standard ones", t->channel.s);
        }
    }
    check_fraction(S, t->reach, "reach");
    check_unit_value(S, t->emotion, "emotion");
    check_money(S, t->cost, "cost", false);
    Touchpoint *prev = symtab_get(&S->touchpoints, t->name.s);
    if (prev) {
        duplicate(S, "touchpoint", t->name, prev->name.loc);
        return;
    }
    symtab_put(&S->touchpoints, t->name.s, t);
    t->index = m->ntouchpoints;
}

static void collect_touchpoints(Sema *S)
{
    Model *m = S->m;
    int cap = 0;
    for (int s = 0; s < m->nstages; s++) {
        for (Touchpoint *t = m->stages[s]->touchpoints; t; t = t->next) {
            if (!t->name.s) continue;
            int before = S->touchpoints.n;
            check_touchpoint(S, t, s);
            if (S->touchpoints.n > before) PUSH(m->touchpoints, m->ntouchpoints, cap, t);
        }
    }
    for (int i = 0; i < S->nmods; i++) {
        for (Touchpoint *t = S->mods[i]->touchpoints; t; t = t->next) {
            if (!t->name.s) continue;
            int before = S->touchpoints.n;
            check_touchpoint(S, t, -1);
            if (S->touchpoints.n > before) PUSH(m->touchpoints, m->ntouchpoints, cap, t);
        }
    }
}

/* ---- curves ---- */

static void collect_curves(Sema *S)
{
    Model *m = S->m;
    size_t cells = (size_t)m->npersonas * (size_t)m->nstages;
    m->curve = xcalloc(cells ? cells : 1, sizeof *m->curve);
    m->curve_declared = xcalloc(cells ? cells : 1, sizeof *m->curve_declared);
    m->curve_reason = xcalloc(cells ? cells : 1, sizeof *m->curve_reason);
    size_t ncells = (size_t)(m->npersonas + 1) * (size_t)m->nstages;
    /* Row 0 is the default curve, row p+1 persona p's own; each cell remembers who set it. */
    CurvePoint **set = xcalloc(ncells ? ncells : 1, sizeof *set);
    for (int i = 0; i < S->nmods; i++) {
        for (Curve *c = S->mods[i]->curves; c; c = c->next) {
            int row = 0;
            c->persona_index = -1;
            if (c->persona.s) {
                Persona *p = symtab_get(&S->personas, c->persona.s);
                if (!p) {
                    diag_error(S->d, c->persona.loc, "unknown persona '%s'", c->persona.s);
                    suggest(S, &S->personas, c->persona.s, c->persona.loc);
                    continue;
                }
                c->persona_index = p->index;
                row = p->index + 1;
            }
            for (CurvePoint *pt = c->points; pt; pt = pt->next) {
                check_unit_value(S, pt->value, "curve value");
                pt->stage_index = lookup_stage(S, pt->stage);
                if (pt->stage_index < 0) continue;
                CurvePoint **cell = &set[(size_t)row * (size_t)m->nstages + (size_t)pt->stage_index];
                if (*cell && same_file((*cell)->stage.loc, pt->stage.loc)) {
                    diag_error(S->d, pt->stage.loc, "the curve gives stage '%s' twice", pt->stage.s);
                    diag_note(S->d, (*cell)->stage.loc, "first given here");
                    continue;
                }
                *cell = pt; /* a later file overrides an imported value */
            }
        }
    }
    for (int p = 0; p < m->npersonas; p++) {
        for (int s = 0; s < m->nstages; s++) {
            CurvePoint *own = set[(size_t)(p + 1) * (size_t)m->nstages + (size_t)s];
            CurvePoint *def = set[s];
            CurvePoint *use = own ? own : def;
            m->curve[(size_t)p * (size_t)m->nstages + (size_t)s] = use ? use->value.v : 0;
            m->curve_declared[(size_t)p * (size_t)m->nstages + (size_t)s] = use != NULL;
            /* An empty reason ("") says nothing: none. */
            m->curve_reason[(size_t)p * (size_t)m->nstages + (size_t)s] =
                use && use->why.s && *use->why.s ? use->why.s : NULL;
        }
    }
    free(set);
}

/* ---- expressions ---- */

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

static const char *op_name(ExprKind k)
{
    switch (k) {
    case EX_ADD: return "+";
    case EX_SUB: return "-";
    case EX_MUL: return "*";
    case EX_DIV: return "/";
    case EX_LT: return "<";
    case EX_LE: return "<=";
    case EX_GT: return ">";
    case EX_GE: return ">=";
    case EX_EQ: return "==";
    case EX_NE: return "!=";
    case EX_AND: return "and";
    case EX_OR: return "or";
    case EX_NEG: return "-";
    case EX_NOT: return "not";
    default: return "?";
    }
}

typedef enum { HINT_NONE, HINT_STAGE, HINT_PERSONA } Hint;

static Type check_expr(Sema *S, Expr *e, Hint hint);

static Type resolve_name(Sema *S, Expr *e, Hint hint)
{
    const char *n = e->name.s;
    Model *m = S->m;
    if (hint == HINT_STAGE) {
        Stage *s = symtab_get(&S->stages, n);
        if (!s) {
            diag_error(S->d, e->loc, "unknown stage '%s'", n);
            suggest(S, &S->stages, n, e->loc);
            return TY_ERROR;
        }
        e->ref = REF_STAGE;
        e->index = s->index;
        e->persona_only = true;
        return TY_STAGE;
    }
    if (hint == HINT_PERSONA) {
        Persona *p = symtab_get(&S->personas, n);
        if (!p) {
            diag_error(S->d, e->loc, "unknown persona '%s'", n);
            suggest(S, &S->personas, n, e->loc);
            return TY_ERROR;
        }
        e->ref = REF_PERSONA;
        e->index = p->index;
        e->persona_only = true;
        return TY_PERSONA;
    }
    if (strcmp(n, "time") == 0) {
        e->ref = REF_TIME;
        return TY_NUMBER;
    }
    int t = trait_index(m, n);
    if (t >= 0) {
        e->ref = REF_TRAIT;
        e->index = t;
        e->persona_only = true;
        S->trait_uses[t]++;
        for (int p = 0; p < m->npersonas; p++) {
            if (isnan(m->trait_value[p * m->ntraits + t])) {
                diag_error(S->d, e->loc, "persona '%s' has no trait '%s'", m->personas[p]->name.s, n);
                if (m->personas[p]->name.loc.file)
                    diag_note(S->d, m->personas[p]->name.loc, "give it one here, as in '%s = 0'", n);
                return TY_ERROR;
            }
        }
        return TY_NUMBER;
    }
    if (symtab_get(&S->stages, n)) {
        diag_error(S->d, e->loc, "'%s' is a stage: compare it with the current stage, as in 'stage == %s'", n, n);
        return TY_ERROR;
    }
    if (symtab_get(&S->personas, n)) {
        diag_error(S->d, e->loc, "'%s' is a persona: compare it with the customer's persona, as in 'persona == %s'", n, n);
        return TY_ERROR;
    }
    diag_error(S->d, e->loc, "unknown name '%s'", n);
    const char *cands[64];
    int nc = 0;
    cands[nc++] = "time";
    for (int k = 0; k < m->ntraits && nc < 64; k++) cands[nc++] = m->traits[k];
    const char *best = diag_closest(n, cands, nc);
    if (best) diag_note(S->d, e->loc, "did you mean '%s'?", best);
    else if (m->ntraits == 0) diag_note(S->d, e->loc, "names in expressions are mood, time, revenue, cost, stage, persona and the personas' traits");
    return TY_ERROR;
}

static bool is_dist_name(const char *n)
{
    for (int k = 1; k < DIST__COUNT; k++)
        if (strcmp(sema_dist_name((DistKind)k), n) == 0) return true;
    return false;
}

static Type check_call(Sema *S, Expr *e)
{
    const char *n = e->name.s;
    int f = -1;
    for (int k = 0; k < FN__COUNT; k++)
        if (strcmp(sema_func_name((FuncId)k), n) == 0) f = k;
    if (f < 0) {
        if (is_dist_name(n)) {
            diag_error(S->d, e->name.loc, "'%s' is a distribution: it belongs after 'wait'", n);
        } else {
            diag_error(S->d, e->name.loc, "unknown function '%s'", n);
            const char *cands[FN__COUNT];
            for (int k = 0; k < FN__COUNT; k++) cands[k] = sema_func_name((FuncId)k);
            const char *best = diag_closest(n, cands, FN__COUNT);
            if (best) diag_note(S->d, e->name.loc, "did you mean '%s'?", best);
        }
        for (Expr *a = e->args; a; a = a->next)
            if (a->kind != EX_NAME) check_expr(S, a, HINT_NONE);
        return TY_ERROR;
    }
    static const int lo[] = {
#define FUNC(en, name, l, h) l,
#include "builtins.def"
#undef FUNC
    };
    static const int hi[] = {
#define FUNC(en, name, l, h) h,
#include "builtins.def"
#undef FUNC
    };
    e->fn = (FuncId)f;
    if (e->nargs < lo[f] || e->nargs > hi[f]) {
        if (lo[f] == hi[f])
            diag_error(S->d, e->loc, "'%s' takes %d argument%s, not %d", n, lo[f], lo[f] == 1 ? "" : "s", e->nargs);
        else
            diag_error(S->d, e->loc, "'%s' takes %d to %d arguments, not %d", n, lo[f], hi[f], e->nargs);
        return TY_ERROR;
    }
    if (e->fn == FN_VISITS) {
        Expr *a = e->args;
        if (a->kind != EX_NAME) {
            diag_error(S->d, a->loc, "'visits' takes the name of a stage, as in 'visits(Consideration)'");
            return TY_ERROR;
        }
        Stage *s = symtab_get(&S->stages, a->name.s);
        if (!s) {
            diag_error(S->d, a->loc, "unknown stage '%s'", a->name.s);
            suggest(S, &S->stages, a->name.s, a->loc);
            return TY_ERROR;
        }
        a->ref = REF_STAGE;
        a->index = s->index;
        a->type = TY_STAGE;
        e->index = s->index;
        return TY_NUMBER;
    }
    bool constant = true, persona_only = true, ok = true;
    for (Expr *a = e->args; a; a = a->next) {
        Type t = check_expr(S, a, HINT_NONE);
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
    Type ta = check_expr(S, e->a, HINT_NONE);
    Type tb = e->b ? check_expr(S, e->b, HINT_NONE) : want;
    e->constant = e->a->constant && (!e->b || e->b->constant);
    e->persona_only = e->a->persona_only && (!e->b || e->b->persona_only);
    if (ta == TY_ERROR || tb == TY_ERROR) return TY_ERROR;
    if (ta != want || tb != want) {
        Expr *bad = ta != want ? e->a : e->b;
        diag_error(S->d, bad->loc, "'%s' needs %s on both sides, but this is %s", op_name(e->kind),
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
    Type ta = check_expr(S, e->a, e->a->kind == EX_NAME ? ha : HINT_NONE);
    Type tb = check_expr(S, e->b, e->b->kind == EX_NAME ? hb : HINT_NONE);
    e->constant = e->a->constant && e->b->constant;
    e->persona_only = e->a->persona_only && e->b->persona_only;
    if (ta == TY_ERROR || tb == TY_ERROR) return TY_ERROR;
    if (ta != tb) {
        diag_error(S->d, e->loc, "cannot compare %s with %s", type_name(ta), type_name(tb));
        return TY_ERROR;
    }
    return TY_BOOL;
}

static Type check_expr(Sema *S, Expr *e, Hint hint)
{
    Type t = TY_ERROR;
    e->constant = false;
    e->persona_only = false;
    switch (e->kind) {
    case EX_NUMBER:
        e->constant = e->persona_only = true;
        t = TY_NUMBER;
        break;
    case EX_NAME: t = resolve_name(S, e, hint); break;
    case EX_MOOD:
    case EX_REVENUE:
    case EX_COST: t = TY_NUMBER; break;
    case EX_STAGE:
        e->persona_only = true; /* within one stage, `stage` is fixed */
        t = TY_STAGE;
        break;
    case EX_PERSONA:
        e->persona_only = true;
        t = TY_PERSONA;
        break;
    case EX_NEG: t = check_operands(S, e, TY_NUMBER, TY_NUMBER); break;
    case EX_NOT: t = check_operands(S, e, TY_BOOL, TY_BOOL); break;
    case EX_ADD:
    case EX_SUB:
    case EX_MUL:
    case EX_DIV: t = check_operands(S, e, TY_NUMBER, TY_NUMBER); break;
    case EX_LT:
    case EX_LE:
    case EX_GT:
    case EX_GE: t = check_operands(S, e, TY_NUMBER, TY_BOOL); break;
    case EX_EQ:
    case EX_NE: t = check_equality(S, e); break;
    case EX_AND:
    case EX_OR: t = check_operands(S, e, TY_BOOL, TY_BOOL); break;
    case EX_CALL: t = check_call(S, e); break;
    }
    if (e->kind == EX_DIV && t == TY_NUMBER && e->b->constant && sema_eval_constant(e->b) == 0) {
        diag_error(S->d, e->b->loc, "division by zero");
        t = TY_ERROR;
    }
    e->type = t;
    return t;
}

double sema_eval_constant(const Expr *e)
{
    double a = e->a ? sema_eval_constant(e->a) : 0, b = e->b ? sema_eval_constant(e->b) : 0;
    switch (e->kind) {
    case EX_NUMBER: return e->num;
    case EX_NEG: return -a;
    case EX_NOT: return !a;
    case EX_ADD: return a + b;
    case EX_SUB: return a - b;
    case EX_MUL: return a * b;
    case EX_DIV: return b == 0 ? NAN : a / b;
    case EX_LT: return a < b;
    case EX_LE: return a <= b;
    case EX_GT: return a > b;
    case EX_GE: return a >= b;
    case EX_EQ: return a == b;
    case EX_NE: return a != b;
    case EX_AND: return a && b;
    case EX_OR: return a || b;
    case EX_CALL: {
        double v[8];
        int n = 0;
        for (const Expr *x = e->args; x && n < 8; x = x->next) v[n++] = sema_eval_constant(x);
        switch (e->fn) {
        case FN_MIN: { double r = v[0]; for (int i = 1; i < n; i++) r = v[i] < r ? v[i] : r; return r; }
        case FN_MAX: { double r = v[0]; for (int i = 1; i < n; i++) r = v[i] > r ? v[i] : r; return r; }
        case FN_CLAMP: return v[0] < v[1] ? v[1] : v[0] > v[2] ? v[2] : v[0];
        case FN_ABS: return fabs(v[0]);
        default: return NAN;
        }
    }
    default: return NAN;
    }
}

static void check_condition(Sema *S, Expr *e)
{
    if (!e) return;
    Type t = check_expr(S, e, HINT_NONE);
    if (t != TY_BOOL && t != TY_ERROR)
        diag_error(S->d, e->loc, "a condition must be true or false, but this is %s", type_name(t));
}

/* A probability expression: a number; when constant, within 0..100%. */
static bool check_probability(Sema *S, Expr *e, double *value)
{
    Type t = check_expr(S, e, HINT_NONE);
    if (t == TY_ERROR) return false;
    if (t != TY_NUMBER) {
        diag_error(S->d, e->loc, "a probability must be a number, but this is %s", type_name(t));
        return false;
    }
    if (!e->constant) return false;
    double v = sema_eval_constant(e);
    if (!(v >= -EPS && v <= 1 + EPS)) {
        diag_error(S->d, e->loc, "probability %s is outside 0%%..100%%", pct(S, v));
        if (e->kind == EX_NUMBER && e->unit == VAL_NUMBER && v > 1 && v <= 100)
            diag_note(S->d, e->loc, "did you mean '%.10g%%'?", v);
        return false;
    }
    *value = v;
    return true;
}

/* ---- stages: waits, revenue, arrows ---- */

static void check_wait(Sema *S, Dist *w)
{
    if (!w) return;
    if (!w->fn.s) {
        w->kind = DIST_CONSTANT;
        check_duration(S, w->args[0], "a wait", false);
        return;
    }
    int kind = -1;
    for (int k = 1; k < DIST__COUNT; k++)
        if (strcmp(sema_dist_name((DistKind)k), w->fn.s) == 0) kind = k;
    if (kind < 0) {
        diag_error(S->d, w->fn.loc, "unknown distribution '%s'", w->fn.s);
        const char *cands[DIST__COUNT];
        for (int k = 1; k < DIST__COUNT; k++) cands[k - 1] = sema_dist_name((DistKind)k);
        const char *best = diag_closest(w->fn.s, cands, DIST__COUNT - 1);
        if (best) diag_note(S->d, w->fn.loc, "did you mean '%s'?", best);
        else diag_note(S->d, w->fn.loc, "the distributions are exponential, uniform, normal, lognormal and triangular");
        return;
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
        return;
    }
    int before = S->d->errors;
    for (int i = 0; i < w->nargs; i++) check_duration(S, w->args[i], "a wait", false);
    if (S->d->errors > before) return;
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
}

static void check_arrows(Sema *S, Stage *s)
{
    double sum = 0;
    int otherwise = 0, uncertain = 0;
    Arrow *first_otherwise = NULL;
    for (Arrow *a = s->arrows; a; a = a->next) {
        a->target_index = a->to_churn ? -1 : lookup_stage(S, a->target);
        if (a->when) check_condition(S, a->when);
        if (a->otherwise) {
            if (a->when) {
                uncertain++;
            } else if (++otherwise > 1) {
                diag_error(S->d, a->loc, "stage '%s' has more than one 'otherwise' arrow", s->name.s);
                diag_note(S->d, first_otherwise->loc, "the first one is here");
            } else {
                first_otherwise = a;
            }
            continue;
        }
        double v;
        if (check_probability(S, a->prob, &v) && !a->when) sum += v;
        else uncertain++;
    }
    if (!s->arrows) return;
    if (sum > 1 + EPS) {
        diag_error(S->d, s->name.loc, "the arrows of stage '%s' add up to %s, more than 100%%", s->name.s, pct(S, sum));
    } else if (sum < 1 - EPS && otherwise == 0 && uncertain == 0) {
        diag_error(S->d, s->name.loc, "the arrows of stage '%s' add up to %s, not 100%%", s->name.s, pct(S, sum));
        diag_note(S->d, s->name.loc, "add an arrow for the rest, such as '-> churn otherwise \"reason\"'");
    } else if (otherwise && uncertain == 0 && sum > 1 - EPS) {
        diag_warning(S->d, first_otherwise->loc, "this 'otherwise' arrow is never taken: the others already add up to 100%%");
    }
}

static void check_stages(Sema *S)
{
    for (int i = 0; i < S->m->nstages; i++) {
        Stage *s = S->m->stages[i];
        check_wait(S, s->wait);
        check_money(S, s->revenue, "revenue", true);
        check_arrows(S, s);
    }
}

/* ---- rules ---- */

static void check_action(Sema *S, Action *a)
{
    double v;
    a->target_index = -1;
    switch (a->kind) {
    case ACT_TOUCH: {
        Touchpoint *t = symtab_get(&S->touchpoints, a->target.s);
        if (!t) {
            diag_error(S->d, a->target.loc, "unknown touchpoint '%s'", a->target.s);
            suggest(S, &S->touchpoints, a->target.s, a->target.loc);
        } else {
            t->used = true;
            a->target_index = t->index;
        }
        break;
    }
    case ACT_GOTO: a->target_index = lookup_stage(S, a->target); break;
    case ACT_MOOD_SET:
        if (check_expr(S, a->value, HINT_NONE) == TY_NUMBER && a->value->constant) {
            v = sema_eval_constant(a->value);
            if (v < -1 - EPS || v > 1 + EPS) diag_error(S->d, a->value->loc, "mood %.10g is outside -1..+1", v);
        }
        break;
    case ACT_MOOD_ADD:
    case ACT_MOOD_SUB:
    case ACT_REVENUE_ADD:
    case ACT_COST_ADD: {
        Type t = check_expr(S, a->value, HINT_NONE);
        if (t != TY_NUMBER && t != TY_ERROR)
            diag_error(S->d, a->value->loc, "the value must be a number, but this is %s", type_name(t));
        else if (t == TY_NUMBER && a->kind == ACT_COST_ADD && a->value->constant && sema_eval_constant(a->value) < 0)
            diag_error(S->d, a->value->loc, "a cost cannot be negative");
        break;
    }
    case ACT_CHURN: break;
    }
    if (a->with) check_probability(S, a->with, &v);
}

static void check_rules(Sema *S)
{
    Model *m = S->m;
    int cap = 0;
    for (int i = 0; i < S->nmods; i++) {
        bool in_scenario = S->scenario && S->mods[i] == S->scenario->body;
        for (Rule *r = S->mods[i]->rules; r; r = r->next) {
            if (!r->name.s || r->removed) continue;
            Rule *prev = symtab_get(&S->rules, r->name.s);
            if (prev) {
                duplicate(S, "rule", r->name, prev->name.loc);
                if (in_scenario)
                    diag_note(S->d, r->name.loc, "to replace it in a scenario, write 'remove rule %s' before the new rule",
                              r->name.s);
                continue;
            }
            symtab_put(&S->rules, r->name.s, r);
            r->index = m->nrules;
            PUSH(m->rules, m->nrules, cap, r);
            check_condition(S, r->when);
            for (Action *a = r->actions; a; a = a->next) check_action(S, a);
            if (!r->actions) diag_warning(S->d, r->name.loc, "rule '%s' does nothing: it has no actions", r->name.s);
            else if (r->when && r->when->type == TY_BOOL && r->when->constant && !sema_eval_constant(r->when))
                diag_warning(S->d, r->when->loc, "rule '%s' never fires: its condition is always false", r->name.s);
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
static void spread_forward(const Model *m, bool *mark)
{
    int *queue = xmalloc(sizeof(int) * (size_t)(m->nstages + 1));
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
    free(queue);
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

static void check_structure(Sema *S)
{
    Model *m = S->m;
    if (m->nstages == 0 || m->start < 0) return;
    bool *mark = xcalloc((size_t)m->nstages, sizeof *mark);
    mark[m->start] = true;
    spread_forward(m, mark);
    mark_can_end(m);
    for (int s = 0; s < m->nstages; s++) {
        Stage *st = m->stages[s];
        st->reachable = mark[s];
        if (!st->reachable)
            diag_warning(S->d, st->name.loc, "stage '%s' is never reached: no arrow or rule leads to it from '%s'",
                         st->name.s, m->stages[m->start]->name.s);
        else if (!st->can_end)
            diag_warning(S->d, st->name.loc,
                         "customers who reach stage '%s' can never leave: no churn and no stage without arrows can be reached from it",
                         st->name.s);
    }
    free(mark);
    if (!m->has_goal)
        diag_warning(S->d, m->stages[m->start]->name.loc, "no stage is a goal, so no customer will ever convert");
}

static void check_unused(Sema *S)
{
    Model *m = S->m;
    for (int i = 0; i < m->ntouchpoints; i++) {
        Touchpoint *t = m->touchpoints[i];
        if (t->stage_index >= 0 || t->used) continue;
        diag_warning(S->d, t->name.loc, "touchpoint '%s' is never used: no stage shows it and no rule touches it", t->name.s);
        if (S->scenario && loc_within(t->name.loc, S->scenario->loc))
            diag_note(S->d, t->name.loc,
                      "a scenario's touchpoint that the journey does not have is a new one, for the scenario's rules to touch");
    }
    for (int k = 0; k < m->ntraits; k++) {
        if (S->trait_uses[k]) continue;
        Trait *t = symtab_get(&S->traits, m->traits[k]);
        diag_warning(S->d, t->name.loc, "trait '%s' is never used in an expression", t->name.s);
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
    for (int s = 0; ok && s < m->nstages; s++) {
        int n = 0;
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) n++;
        ok = within(S, n, MODEL_MAX_ARROWS, "arrows in one stage", m->stages[s]->name.loc);
    }
    return ok;
}

static bool check_late_limits(Sema *S)
{
    Model *m = S->m;
    Loc at = {S->prog->main->file, 0, 0};
    bool ok = within(S, m->ntouchpoints, MODEL_MAX_TOUCHPOINTS, "touchpoints", at) &&
              within(S, m->nrules, MODEL_MAX_RULES, "rules", at) && within(S, m->ntraits, MODEL_MAX_TRAITS, "traits", at);
    for (int r = 0; ok && r < m->nrules; r++) {
        int n = 0;
        for (const Action *a = m->rules[r]->actions; a; a = a->next) n++;
        ok = within(S, n, MODEL_MAX_ACTIONS, "actions in one rule", m->rules[r]->name.loc);
    }
    return ok;
}

/* ---- entry points ---- */

Model *sema_check(const Program *p, Diag *d) { return sema_check_scenario(p, d, NULL); }

Model *sema_check_scenario(const Program *p, Diag *d, const Scenario *sc)
{
    if (!p->main) return NULL;
    Model *m = xcalloc(1, sizeof *m);
    Arena *arena = xmalloc(sizeof *arena);
    arena_init(arena);
    m->program = p;
    m->scenario = sc;
    Sema S = {.prog = p, .d = d, .m = m, .arena = arena, .scenario = sc};
    S.nmods = p->nmodules + (sc != NULL);
    S.mods = xcalloc((size_t)S.nmods, sizeof *S.mods);
    memcpy(S.mods, p->modules, (size_t)p->nmodules * sizeof *S.mods);
    if (sc) S.mods[p->nmodules] = sc->body;
    symtab_init(&S.stages);
    symtab_init(&S.personas);
    symtab_init(&S.channels);
    symtab_init(&S.touchpoints);
    symtab_init(&S.rules);
    symtab_init(&S.traits);

    collect_scenarios(&S);
    collect_channels(&S);
    collect_stages(&S);
    apply_extends(&S);
    change_touchpoints(&S);
    settings(&S);
    collect_personas(&S);
    change_personas(&S);
    /* Past a limit, the per-item work below (the curve table is personas x stages) is skipped. */
    if (check_limits(&S)) {
        check_shares(&S);
        collect_traits(&S);
        collect_touchpoints(&S);
        collect_curves(&S);
        check_stages(&S);
        remove_rules(&S);
        check_rules(&S);
        check_late_limits(&S);
    }
    /* With errors, the structure is incomplete (an arrow to a misspelt stage, say): warnings about
     * unreachable stages or unused touchpoints would mostly repeat the errors. */
    if (d->errors == 0) {
        check_structure(&S);
        check_unused(&S);
    }

    symtab_free(&S.stages);
    symtab_free(&S.personas);
    symtab_free(&S.channels);
    symtab_free(&S.touchpoints);
    symtab_free(&S.rules);
    symtab_free(&S.traits);
    free(S.trait_uses);
    free(S.mods);
    m->own_arena = arena;
    return m;
}

void model_free(Model *m)
{
    if (!m) return;
    free(m->stages);
    free(m->personas);
    free(m->share);
    free(m->channels);
    free(m->touchpoints);
    free(m->rules);
    free(m->traits);
    free(m->trait_value);
    free(m->curve);
    free(m->curve_declared);
    free(m->curve_reason);
    free(m->scenarios);
    if (m->own_arena) {
        arena_free(m->own_arena);
        free(m->own_arena);
    }
    free(m);
}
