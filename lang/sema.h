/* sema.h: the checks of a loaded Program (names, types, values, structure) and the checked Model
 * they produce, which the runtime compiles into a simulation.
 *
 * sema_check() reports every error and warning of docs/language.md ("Checks") through the Diag
 * and builds the Model: its own copies of the declarations (the checked tree), merged with their
 * `extend stage` blocks, every name resolved (the "sema:" fields of ast.h), indexed. The Program
 * is only read: the same syntax tree can be checked any number of times, one Model each.
 *
 * A scenario is an overlay: sema_check_scenario() builds another Model from the same syntax tree
 * with the scenario's declarations applied after every file's own. It starts from the journey's
 * Model, checked without errors, and reports only what is new with the scenario: every error
 * (the journey has none), and a warning only when it does not hold for the journey (a stage the
 * scenario leaves unreachable, not one the journey already leaves so). A diagnostic outside the
 * scenario's block gets a note "with scenario 'X' applied" at the scenario's name.
 *
 * A check holds its diagnostics back and releases them sorted by position (diag_hold). When
 * memory runs out it withdraws them, reports "out of memory while checking FILE" and returns NULL.
 *
 * Ownership: a Model owns everything it points to but the syntax nodes and strings of the Program
 * it was checked from (names, labels, locations), so the Program must outlive it; model_free()
 * releases it. */
#ifndef CJM_SEMA_H
#define CJM_SEMA_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "program.h"

/* Limits on the size of a journey (docs/limits.md): far above any map a team draws, low enough
 * that no run or analysis of a journey within them exhausts memory. */
enum {
    MODEL_MAX_STAGES = 100000,
    MODEL_MAX_ARROWS = 1000,      /* per stage */
    MODEL_MAX_TOUCHPOINTS = 100000,
    MODEL_MAX_RULES = 10000,
    MODEL_MAX_ACTIONS = 1000,     /* per rule */
    MODEL_MAX_PERSONAS = 1000,
    MODEL_MAX_TRAITS = 1000,
    MODEL_MAX_STATES = 1000,      /* state variables (each customer carries every one) */
    MODEL_MAX_CHANNELS = 10000,
    MODEL_MAX_SCENARIOS = 100,   /* each is checked (and compared) as a journey of its own */
    MODEL_MAX_ARRIVAL_PERIODS = 100000, /* periods of arrivals, all lines together: daily ones for
                                           about 270 years (each is a row of the compiled model) */
};

/* Defaults when the journey block does not say (docs/language.md). */
enum { MODEL_DEFAULT_COHORT = 10000, MODEL_DEFAULT_SEED = 1 };
#define MODEL_MAX_COHORT 1000000000000.0 /* 10^12 customers */
/* The longest time value (a horizon, a wait or a parameter of one), in days: about 2700 years.
 * Far beyond any journey, and it keeps every sum of times finite. */
#define MODEL_MAX_DAYS 1000000.0

typedef struct Model {
    const Program *program;
    int errors;              /* errors this check reported: the Model is usable only without */
    const char *title;       /* journey "title", else the main file's name */
    double cohort;           /* a whole number >= 1; with arrivals, the customers they bring */
    double seed;             /* a whole number in [0, 2^53): every one of them is exact in a double */
    bool has_horizon;
    double horizon;          /* days, when has_horizon */
    int start;               /* index of the entry stage, -1 when there are no stages */
    Loc cohort_loc, seed_loc, horizon_loc;
    double inactivity;       /* days: `inactivity` of the journey block (cjm fit: a customer with
                              * no event for longer before the log's end has churned); 0: none */
    Loc inactivity_loc;

    Stage **stages;          /* merged with their `extend` blocks, in declaration order; each
                              * keeps its `events` list (names compared as names.h says) */
    int nstages;
    Persona **personas;      /* one implicit persona "everyone" when the journey declares none */
    int npersonas;
    double *share;           /* [npersonas]: the share of each persona, adding up to 1 */
    Channel **channels;
    int nchannels;
    Touchpoint **touchpoints; /* the stages' touchpoints in stage order, then stand-alone ones */
    int ntouchpoints;
    Rule **rules;
    int nrules;
    const char **traits;     /* every trait name used by some persona */
    int ntraits;
    bool *trait_used;        /* [ntraits]: whether an expression names it */
    double *trait_value;     /* [npersonas * ntraits]: persona p's trait t at p * ntraits + t */
    double *curve;           /* [npersonas * nstages]: expected mood, 0 where no curve says */
    bool *curve_declared;    /* [npersonas * nstages]: whether a curve gives that value */
    const char **curve_reason; /* [npersonas * nstages]: the string after that value (why the
                                * persona feels so), NULL when none or ""; points into the Program */
    bool has_goal;
    /* Customers who differ and remember (issue 16). Allocated by every check (zeros when unused):
     *   trait_varies[t]: some persona draws trait t per customer (`= gamma(...)`), so an
     *     expression that reads it depends on the customer, not only on the persona;
     *   trait_dist[p * ntraits + t]: the checked distribution persona p draws trait t from, NULL
     *     where trait_value holds the persona's constant (trait_value is NaN where it is drawn);
     *   curve_expr[p * nstages + s]: a curve value written as an expression that depends on the
     *     persona or the customer (checked), NULL where `curve` holds the value; where it is set,
     *     `curve` holds the expression's value for persona p when it depends on the persona only
     *     (its traits, `stage`, `persona`), else 0;
     *   memory[p]: persona p's half-life of experience in days (its own, else the journey's);
     *     0: experience never fades;
     *   states: the `state` declarations, checked, in declaration order (index = position). */
    bool *trait_varies;      /* [ntraits] */
    const Dist **trait_dist; /* [npersonas * ntraits] */
    const Expr **curve_expr; /* [npersonas * nstages] */
    double *memory;          /* [npersonas] */
    StateVar **states;
    int nstates;
    /* Arrivals over calendar time (docs/language.md, "Arrivals"): the checked `arrivals` lines,
     * the journey block's first (persona -1), then each persona's in persona order, each line's
     * own in the order written. None (narrivals 0): the whole cohort starts on day 0. With
     * arrivals, `cohort` is their total (a file cannot give both) and has_arrivals is set;
     * arrivals_loc is the first line, for messages (such as a `--cohort` that cannot apply). */
    const Arrivals **arrivals;
    int narrivals;
    bool has_arrivals;
    Loc arrivals_loc;
    const Scenario *scenario; /* the scenario applied, NULL for the journey itself */
    const Scenario **scenarios; /* every scenario the files declare (names unique), in order */
    int nscenarios;
    Arena arena;             /* the checked tree, the arrays above, the strings the check made */
    Arena *own_arena;        /* &arena: where code holding a const Model (render/graph.c) makes
                                strings that live as long as the Model */
} Model;

/* Checks `p` and builds its model. Returns NULL when `p` has no main module or memory ran out
 * (then reported as an error). The caller must not run a model with errors (m->errors). Scenarios
 * are not applied (only their names are checked). */
Model *sema_check(const Program *p, Diag *d);
/* The model of `base`'s journey with scenario `sc` (one of its program's, see
 * sema_find_scenario) applied, reporting what the scenario adds (see the top of this file).
 * `base` must have been checked without errors; NULL otherwise, or when memory ran out. */
Model *sema_check_scenario(const Model *base, const Scenario *sc, Diag *d);
/* The scenario named `name` among p's files, or NULL. */
const Scenario *sema_find_scenario(const Program *p, const char *name);
void model_free(Model *m);

/* The customers a checked arrivals line at a rate has brought once `periods` of its periods have
 * passed (0 .. a->periods; the last period may be a fraction of one): rate x periods rounded to
 * the nearest whole number, halves up (floor(x + 0.5), with 1e-9 of slack for binary fractions:
 * 2.5 per week gives 3, 5, 8 after 1, 2, 3 weeks). Period k of the line brings
 * sema_arrivals_by(a, min(k + 1, periods)) - sema_arrivals_by(a, k); the line's total is
 * sema_arrivals_by(a, a->periods). */
double sema_arrivals_by(const Arrivals *a, double periods);

/* The value of an expression whose `constant` flag is set. */
double sema_eval_constant(const Expr *e);

/* What checked stage s's arrows add up to, as the checker adds them (an arrow's share must be
 * known before a run: a constant probability without a condition), with arrow `swept` (NULL:
 * none) given probability `value` instead of its own; *open says whether some arrow takes a share
 * not known before a run (an `otherwise`, a condition, a probability that is not constant).
 * A journey checks only when this is 100%, or less and open; cjm compare's sweeps hold each of
 * their values to the same rule. */
double sema_arrows_total(const Stage *s, const Arrow *swept, double value, bool *open);

/* The stage a rule is limited to when its condition is `stage == X and ...`, else -1. */
int sema_rule_stage(const Rule *r);

/* Names for messages: "stage 'Purchase'", the journey name of a distribution, and so on. */
const char *sema_dist_name(DistKind k);

#endif
