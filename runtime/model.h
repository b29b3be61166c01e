/* model.h: the flat, compiled form of a checked journey that the simulator and the exact analysis
 * run, and the warning sites a run may report.
 *
 * rt_compile() turns the checked Model (lang/sema.h) into arrays indexed by integer ids: stages,
 * arrows, touchpoints, rules and actions, with expressions compiled to bytecode (eval.h). What
 * depends only on the persona and the stage is precomputed per (persona, stage) pair:
 *   - the choice of the next move: a cumulative table of 53-bit thresholds (RtPick), unless an
 *     arrow's probability or condition depends on the customer (mood, time, visits, ...);
 *   - the rules that may fire there: those whose `when` is known false are left out, those whose
 *     `when` depends on the customer are marked to be evaluated per entry.
 *
 * Ownership: an RtModel points into the Model and its Program (names, locations), which must
 * outlive it; rt_model_free() releases the rest. */
#ifndef CJM_RT_MODEL_H
#define CJM_RT_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "eval.h"
#include "rng.h"
#include "sema.h"

enum { RT_GUIDE_BITS = 8 };

enum {
    RT_CHURN = -1,  /* RtArrow.target: the churn end */
    RT_NOWAY = -2,  /* RtPick.arrow: the arrows leave this share unassigned: the customer completes */
    RT_END = -3,    /* RtPick.arrow: a stage without arrows: the customer completes */
};

/* Places a run can warn about; a run counts how often each one happened. */
typedef enum {
    SITE_STEP_LIMIT,  /* customers stopped by the step limit */
    SITE_NAN_PROB,    /* an arrow's probability was NaN (taken as 0) */
    SITE_NAN_WITH,    /* an action's `with` was NaN (taken as 0) */
    SITE_NAN_VALUE,   /* an action's value was NaN (action skipped) */
    SITE_OVERFULL,    /* a stage's applying arrows added up to more than 100% (scaled down) */
    SITE_NOWAY,       /* a stage's applying arrows left probability unassigned, no otherwise */
    SITE_EXACT_HORIZON, /* the exact analysis ignored the horizon */
    /* Amounts written as expressions (issue 16), out of range at run time: */
    SITE_BAD_REVENUE, /* a stage's revenue was not a number (taken as 0) */
    SITE_BAD_REACH,   /* a touchpoint's reach was not a number or outside 0..100% (clamped; NaN: 0) */
    SITE_BAD_COST,    /* a touchpoint's cost was not a number or below 0 (taken as 0) */
    SITE_BAD_WAIT,    /* a wait's arguments made no valid distribution (no wait), or passed 10^6 days
                         (capped there) */
    SITE_BAD_CURVE,   /* a curve value was not a number (taken as 0) */
} RtSiteKind;

typedef struct RtSite {
    RtSiteKind kind;
    Loc loc;          /* file 0 when the warning has no place in a file */
    int stage;        /* the stage concerned, -1 if none */
} RtSite;

typedef struct RtArrow {
    int stage;        /* the stage it leaves */
    int target;       /* a stage index, or RT_CHURN */
    const char *reason; /* the arrow's string ("" when none) */
    bool otherwise;
    RtExpr prob, when;
    int site_nan;
    const Arrow *src;
} RtArrow;

/* What a survey touchpoint asks (kpis.md, "Satisfaction"): everyone who meets it answers from
 * their mood at that moment. */
typedef enum { RT_SURVEY_NONE, RT_SURVEY_NPS, RT_SURVEY_CSAT } RtSurvey;

typedef struct RtTouch {
    double reach, emotion, cost;
    uint64_t reach_thr;
    int channel;      /* -1 for none */
    RtSurvey survey;
    int stage;        /* -1 for a stand-alone touchpoint (met through `touch`) */
    /* Reach and cost written as expressions (issue 16): reach and cost are then NaN, and the
     * per-persona values are in RtModel.reach_ps / cost_ps; where those are NaN too, the
     * expression is evaluated per meeting (kind RT_EXPR_NONE when there is no expression, or a
     * setting replaced it). */
    RtExpr reach_x, cost_x;
    int site_reach, site_cost; /* SITE_BAD_REACH, SITE_BAD_COST; -1 without an expression */
    const Touchpoint *src;
} RtTouch;

typedef struct RtAction {
    ActionKind kind;
    int target;       /* ACT_TOUCH: touchpoint; ACT_GOTO: stage */
    RtExpr value, with;
    const char *reason; /* ACT_CHURN */
    int exit_slot;    /* ACT_GOTO, ACT_CHURN: its row of per-stage exit counters */
    int site_nan_value, site_nan_with;
    const Action *src;
} RtAction;

typedef struct RtRule {
    RtExpr when;
    /* `when` as a conjunction: the conjuncts that depend on the customer, compiled one by one
     * (in RtModel.conj). Where the rule list marks a rule "evaluate per entry", every conjunct
     * that depends only on the persona and stage is known true, so these alone decide. */
    int first_conj, nconj;
    int first_action, nactions;
    const Rule *src;
} RtRule;

typedef struct RtStage {
    int first_arrow, narrows;
    int first_touch, ntouch; /* the stage's touchpoints are consecutive in RtModel.touch */
    bool goal;
    double revenue;
    RtWait wait;
    bool dynamic;     /* some arrow depends on the customer: choose the next move per entry */
    bool affine;      /* ... but only through probabilities affine in mood (RtAffine) */
    int site_overfull, site_noway;
    uint64_t crn_key;  /* a hash of the stage's name: the key of its random streams (rng.h) */
    /* Revenue and the wait's arguments written as expressions (issue 16): revenue is then NaN and
     * wait the declared shape with NaN arguments; RtModel.rev_ps / wait_ps hold the per-persona
     * values, and where those say "per customer" the expressions are evaluated per entry. */
    RtExpr revenue_x;
    RtExpr wait_x[3];  /* RT_EXPR_NONE for an argument written as a number (wait_arg holds it) */
    DistKind wait_kind;
    int wait_nargs;
    double wait_arg[3];
    double wait_set;   /* RT_SET_STAGE_WAIT's mean for a wait of expressions, else NaN */
    int site_revenue, site_wait; /* -1 without an expression */
    const Stage *src;
} RtStage;

/* One step of a precomputed choice: take `arrow` when the 53-bit draw is below `thr`. A run ends
 * with thr == RT_U53_ALWAYS. */
typedef struct RtPick {
    uint64_t thr;
    int32_t arrow;    /* an arrow index, RT_NOWAY or RT_END */
    int32_t target;   /* the arrow's target (a stage or RT_CHURN), saving a load per step */
} RtPick;

/* An arrow whose probability, for one (persona, stage) pair, is alpha + beta * mood: the common
 * `30% + 20% * mood` needs no interpretation per entry. */
typedef struct RtAffine {
    double alpha, beta;
    int32_t arrow, site_nan;
} RtAffine;

/* What is known before the run about a (persona, stage) pair; read once per entry. */
typedef struct RtCell {
    int32_t pick;         /* first RtPick of the next-move table, or -1 when the stage is dynamic */
    int32_t warn, warn2;  /* sites to count on every use of the table (overfull, NaN), or -1 */
    int32_t rule_off, rule_len; /* the rules that may fire, in rule_list */
    int32_t affine, naffine; /* a dynamic stage whose arrows are affine in mood: its RtAffine run */
    int32_t other;        /* with `affine`: the first applying otherwise arrow, or -1 */
} RtCell;

/* A change made while compiling, for what-if runs (cjm compare): the model as if the journey said
 * otherwise. `index` is an arrow (in RtModel order: stage by stage, as written), a touchpoint or a
 * stage. A removed stage is never entered: the arrows and rules' `goto` that lead to it lead to
 * churn instead (its own arrows stay, unused); it must not be the start stage. */
typedef enum {
    RT_SET_ARROW_PROB,     /* the arrow's probability becomes `value` (a constant) */
    RT_SET_TOUCH_REACH,    /* the touchpoint's reach, emotion or cost becomes `value` */
    RT_SET_TOUCH_EMOTION,
    RT_SET_TOUCH_COST,
    RT_SET_STAGE_REVENUE,  /* the stage's revenue becomes `value` */
    RT_SET_STAGE_REMOVED,
    RT_SET_STAGE_WAIT,     /* the stage's mean wait becomes `value` days: its distribution is scaled
                              (a constant or no wait becomes a constant wait of `value`) */
    RT_SET_PERSONA_SHARE,  /* the persona's share becomes `value`; the others' are scaled to fill
                              the rest, keeping their proportions */
} RtSetKind;

/* One period of arrivals (kpis.md, "Calendar time"): `count` customers arrive during
 * [start, start + length) days, each at a time uniform in the period drawn from its own key;
 * persona -1 draws the persona by share as a cohort does. Periods are in calendar order per
 * declaration; customer numbers are given out in the order of the periods (RtModel.arrivals). */
typedef struct RtArrivalPeriod {
    double start, length; /* days */
    uint64_t count;
    uint64_t first;       /* the number of the period's first customer: the counts before it */
    int persona;          /* -1: by share */
} RtArrivalPeriod;

typedef struct RtSetting {
    RtSetKind kind;
    int index;
    double value;
} RtSetting;

typedef struct RtModel {
    const Model *model;
    int nstages, npersonas, ntraits, ntouch, nchannels, nrules, narrows, nactions;
    int start;
    RtStage *stages;
    RtArrow *arrows;
    RtTouch *touch;
    RtRule *rules;
    RtAction *actions;
    RtExpr *conj;
    int nconj, conj_cap;
    int nexit_slots;      /* goto and churn actions */
    RtIns *code;
    int ncode, code_cap;
    int max_stack;        /* values an evaluation needs on its stack */
    double *persona_share;  /* [npersonas]: the shares (the Model's, unless a setting changed them) */
    uint64_t *persona_thr;  /* [npersonas]: cumulative share thresholds */
    int32_t persona_guide[1 << RT_GUIDE_BITS]; /* by the draw's top bits: the first persona possible */
    double *persona_mood;   /* [npersonas]: starting experience */
    const double *traits;   /* Model.trait_value */
    const double *curve;    /* Model.curve */
    RtCell *cells;        /* [npersonas * nstages]: per (persona, stage), at p * nstages + s */
    RtPick *picks;
    int npicks, picks_cap;
    RtAffine *affines;
    int naffines, affines_cap;
    int32_t *rule_list;   /* rule * 2, + 1 when its `when` must be evaluated per entry */
    int nrule_list, rule_list_cap;
    RtSite *sites;
    int nsites, sites_cap;
    int site_step_limit, site_exact_horizon;
    /* Arrivals over calendar time: none (narrivals 0) puts the whole cohort at day 0, as before;
     * otherwise the cohort is arrival_total customers, given out by arrivals[]. */
    RtArrivalPeriod *arrivals;
    int narrivals;
    uint64_t arrival_total;
    const RtSetting *set;  /* rt_compile_with()'s changes, while compiling */
    int nset;
    /* Customers who differ and remember (issue 16; docs/semantics.md). `rich`: the journey draws a
     * trait, declares state, reads met()/met_ever(), has a memory or an amount written as an
     * expression; the simulator then runs customer_life's rich variant (the others never look at
     * anything below). */
    bool rich;
    RtTraitDist *trait_dist;  /* [npersonas * ntraits]: kind DIST_CONSTANT where `traits` holds it */
    bool *persona_draws;      /* [npersonas]: the persona draws some trait */
    uint64_t *trait_key;      /* [ntraits]: a hash of the trait's name (rng.h, RT_TRAIT_OFFSET) */
    int nstates;
    RtExpr *state_init;       /* [nstates]: the starting values */
    bool *state_flag;         /* [nstates]: a flag (stored as 1 or 0) */
    bool uses_met;            /* some expression reads met() or met_ever() */
    int nmet;                 /* ntouch + nchannels: the met slots (eval.h) */
    /* The rich loop's tables (NULL in a journey that does not need it: rt_stage_revenue and the
     * like then read the stages and touchpoints). memory[p]: persona p's half-life of experience
     * in days, 0: none. Per (persona, stage) at p * nstages + s, or per (persona, touchpoint) at
     * p * ntouch + k: the amount fixed for the persona, NaN where it is evaluated per customer. */
    double *memory;           /* [npersonas] */
    double *curve_ps;         /* the curve's values (Model.curve, or the persona-only expression's) */
    RtExpr *curve_x;          /* curve values that are expressions (RT_EXPR_NONE elsewhere); NULL
                                 when the journey has none */
    int *curve_site;          /* SITE_BAD_CURVE per curve expression, -1 elsewhere; NULL likewise */
    double *rev_ps;
    RtWait *wait_ps;
    bool *wait_var;           /* the wait is drawn from arguments evaluated per customer */
    double *reach_ps, *cost_ps;
} RtModel;

/* Compiles a checked model (no errors). Never fails: out of memory aborts. */
RtModel *rt_compile(const Model *m);
/* The same, with `set` (nset settings; read only during the call) changing the journey. */
RtModel *rt_compile_with(const Model *m, const RtSetting *set, int nset);
void rt_model_free(RtModel *rm);

/* Compiles one checked expression into rm's code, as rt_compile() does each of the model's (the
 * unit tests run the interpreter on trees of their own with it). */
RtExpr rt_compile_expr(RtModel *rm, const Expr *e);

/* Persona p's amounts as the exact analysis, removal effects and reports need them: the value
 * when it is fixed for the persona (a constant, or an expression of the persona's constant
 * traits), with rt_compile_with()'s settings applied; NaN when it varies per customer (drawn
 * traits, state, met(), time, ...). Reach is in [0, 1]; a wait's mean in days (0: no wait). */
double rt_stage_revenue(const RtModel *rm, int p, int s);
double rt_touch_reach(const RtModel *rm, int p, int k);
double rt_touch_cost(const RtModel *rm, int p, int k);
double rt_stage_wait_mean(const RtModel *rm, int p, int s);

/* A wait of stage st (whose arguments are expressions) from its arguments' values v (days; it may
 * change them): 0 and *out the distribution when valid; 1 when an argument passed 10^6 days (capped
 * there) or the arguments make no valid distribution (*out is then no wait). RT_SET_STAGE_WAIT
 * (RtStage.wait_set) scales it to the setting's mean. */
int rt_wait_from_args(const RtStage *st, double *v, RtWait *out);

/* Evaluates the arrows of stage s as the simulator does, for the customer state `c` (arrows that
 * depend only on the persona read nothing else): prob[i] gets the probability of the stage's i-th
 * arrow (0 for those whose `when` fails and for otherwise arrows), clamped to [0, 1] and scaled
 * down when they add up to more than 100%; `out` says what is left and who takes it. prob[] must
 * hold the stage's arrows. */
typedef struct RtChoice {
    double sum;         /* of the explicit probabilities, after scaling */
    double leftover;
    int other;          /* global arrow index of the applying otherwise arrow, or -1 */
    int nan_site;       /* -1 or the first arrow whose probability was NaN */
    bool overfull;
} RtChoice;
void rt_stage_probs(const RtModel *rm, int s, const RtCtx *c, double *stack, double *prob, RtChoice *out);

#endif
