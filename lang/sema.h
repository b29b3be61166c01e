/* sema.h: the checks of a loaded Program (names, types, values, structure) and the checked model
 * they produce, which the runtime compiles into a simulation.
 *
 * sema_check() reports every error and warning of docs/language.md ("Checks") through the Diag,
 * merges `extend stage` blocks into the stages they extend, resolves every name (filling the
 * "sema:" fields of ast.h) and indexes the declarations. The Model is usable only when the check
 * found no error.
 *
 * Ownership: the Model's arrays are malloc'd and freed by model_free(); the nodes they point to
 * belong to the Program, which must outlive the Model. */
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
    MODEL_MAX_CHANNELS = 10000,
    MODEL_MAX_SCENARIOS = 100,   /* each is checked (and compared) as a journey of its own */
};

/* Defaults when the journey block does not say (docs/language.md). */
enum { MODEL_DEFAULT_COHORT = 10000, MODEL_DEFAULT_SEED = 1 };
#define MODEL_MAX_COHORT 1000000000000.0 /* 10^12 customers */
/* The longest time value (a horizon, a wait or a parameter of one), in days: about 2700 years.
 * Far beyond any journey, and it keeps every sum of times finite. */
#define MODEL_MAX_DAYS 1000000.0

typedef struct Model {
    const Program *program;
    const char *title;       /* journey "title", else the main file's name */
    double cohort;           /* a whole number >= 1 */
    double seed;             /* a whole number in [0, 2^53): every one of them is exact in a double */
    bool has_horizon;
    double horizon;          /* days, when has_horizon */
    int start;               /* index of the entry stage, -1 when there are no stages */
    Loc cohort_loc, seed_loc, horizon_loc;

    Stage **stages;          /* merged with their `extend` blocks, in declaration order */
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
    double *trait_value;     /* [npersonas * ntraits]: persona p's trait t at p * ntraits + t */
    double *curve;           /* [npersonas * nstages]: expected mood, 0 where no curve says */
    bool *curve_declared;    /* [npersonas * nstages]: whether a curve gives that value */
    const char **curve_reason; /* [npersonas * nstages]: the string after that value (why the
                                * persona feels so), NULL when none or ""; points into the Program */
    bool has_goal;
    const Scenario *scenario; /* the scenario applied, NULL for the journey itself */
    Scenario **scenarios;    /* every scenario the files declare (names unique), in order */
    int nscenarios;
    Arena *own_arena;        /* nodes the checker made (the implicit persona), messages */
} Model;

/* Checks `p` and builds the model. Returns NULL only when `p` has no main module. The number of
 * errors is d->errors; the caller must not run a model that has errors. Scenarios are not applied
 * (only their names are checked). */
Model *sema_check(const Program *p, Diag *d);
/* The same with scenario `sc` (one of p's, see sema_find_scenario) applied: its declarations
 * after every file's own. The AST of `p` is changed in the process (as by any check), so a
 * Program is checked once, with one scenario or none. */
Model *sema_check_scenario(const Program *p, Diag *d, const Scenario *sc);
/* The scenario named `name` among p's files, or NULL. */
const Scenario *sema_find_scenario(const Program *p, const char *name);
void model_free(Model *m);

/* The value of an expression whose `constant` flag is set. */
double sema_eval_constant(const Expr *e);

/* The stage a rule is limited to when its condition is `stage == X and ...`, else -1. */
int sema_rule_stage(const Rule *r);

/* Names for messages: "stage 'Purchase'", the journey name of a distribution, and so on. */
const char *sema_func_name(FuncId f);
const char *sema_dist_name(DistKind k);

#endif
