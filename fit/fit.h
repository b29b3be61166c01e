/* fit.h: a journey fitted to an event log: what its customers did, beside what the map says.
 *
 * Two steps, so that a log read here and the result of `cjm fit --sql`'s query (computed where
 * the data lives) give the same numbers through the same code:
 *
 *   events (data/log.h) ──fit_observe()──▶ FitObs ──fit_estimate()──▶ FitResult
 *   the query's rows     ──fit_obs_read_table()──▶ FitObs          (fit/sql.h)
 *
 * FitObs holds only counts and sums (per stage, per move, per wait bin): it does not grow with the
 * log. How events become stage entries, moves, waits and churn is docs/fitting.md's "From events
 * to a journey", implemented once in observe.c and once, as SQL, in sql.c.
 *
 * Ownership: FitObs and FitResult own their arrays; they point into the Model (names), which must
 * outlive them. */
#ifndef CJM_FIT_H
#define CJM_FIT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "log.h"
#include "progress.h"
#include "sema.h"

/* ---- mapping event names onto the journey ---- */

typedef enum {
    FIT_TO_NOTHING,     /* unmapped: counted by name */
    FIT_TO_STAGE,       /* entering a stage */
    FIT_TO_TOUCHPOINT,  /* meeting a touchpoint */
    FIT_TO_CHURN,       /* churning (reason: a churn arrow's reason, or none) */
    FIT_TO_IGNORE,      /* --map EVENT=ignore: dropped on purpose, counted apart */
} FitTargetKind;

typedef struct FitTarget {
    FitTargetKind kind;
    int index;          /* stage, touchpoint, or churn reason (FitObs.reasons); -1 for none */
} FitTarget;

/* A --map EVENT=TARGET override: TARGET is a stage or touchpoint name, `churn`, `churn:REASON`
 * or `ignore`. */
typedef struct FitMapRule {
    const char *event;
    const char *target;
} FitMapRule;

/* ---- observations ---- */

/* Waits are binned on a log scale so that a warehouse can compute the same bins (sql.c): bin b
 * holds times t (days) with floor(12 * log10(t / 1e-4) + 0.5) == b, clamped to 0 .. FIT_BINS - 1
 * (t <= 0 is bin 0). Twelve bins per factor of ten, from about 10 seconds to 30 years. */
enum { FIT_BINS = 12 * 9 };
#define FIT_BIN_ORIGIN 1e-4
int fit_bin_of(double days);
double fit_bin_lo(int b);   /* the bin's edges, in days */
double fit_bin_hi(int b);

/* The waits of one kind (finished, or censored) in one stage: sufficient statistics and bins. */
typedef struct FitWaitObs {
    double n, sum, sumsq, sumlog, sumlog2;
    double min, max;    /* +inf / -inf when n == 0 */
    double bin[FIT_BINS];
} FitWaitObs;

/* A name from the log with how often it occurred (unmapped events, unknown segments). */
typedef struct FitNameCount {
    char *name;
    double count;
} FitNameCount;

/* An arrow whose probability is A + B * met(T) (docs/fitting.md, "Arrows that depend on a
 * meeting"): T a touchpoint or a channel; spelt `A + B * met(T)`, `A + met(T) * B`,
 * `B * met(T) + A`, `met(T) * B + A`, `A - B * met(T)` (B's sign then -1) or `B * met(T)` alone
 * (no A). A and B are constant expressions; a NULL `a` is an A of 0. */
typedef struct FitMetForm {
    const Expr *a, *b;
    int sign;                   /* +1, or -1 for `A - B * met(T)` */
    RefKind ref;                /* REF_TOUCHPOINT or REF_CHANNEL */
    int index;                  /* in Model.touchpoints or Model.channels */
    const Expr *call;           /* the met() call */
} FitMetForm;

/* Whether `prob` has one of the forms above. */
bool fit_met_form(const Expr *prob, FitMetForm *f);

/* The moves out of a stage split by whether an entry met T (the touchpoints of `mask`: bits of the
 * stage's touchpoints in order, one or all of a channel's): one per (stage, T) an arrow asks about. */
typedef struct FitMetObs {
    int stage;
    RefKind ref;
    int index;
    uint64_t mask;              /* 0: T has no touchpoint in the stage (nothing can be counted) */
    double *moves;              /* [2 * (nstages + 1)]: [met][to], to == nstages: churn */
} FitMetObs;

/* One --trait NAME=COLUMN: the trait and the log's column holding each case's value. */
typedef struct FitTraitSpec {
    const char *trait;
    const char *column;
} FitTraitSpec;

/* The values of a --trait column: one per case (its first non-empty value), with the persona its
 * segment names (-1: none). Read by fit_traits_read (fit/traits.h). */
typedef struct FitTraitObs {
    int trait;                  /* in Model.traits */
    const char *column;
    double *values; int *persona; int n;
    double conflicts;           /* cases whose later values differ from their first */
    double not_numbers;         /* values that are not numbers (left out) */
    double missing;             /* cases without a value */
} FitTraitObs;

typedef struct FitObs {
    const Model *model;
    int nstages, ntouchpoints, npersonas, nreasons;
    const char **reasons;       /* [nreasons]: the churn reasons of the journey's churn arrows */
    /* The log as a whole. */
    double events, cases;       /* events read, cases with at least one stage event */
    double log_start, log_end;  /* days since the epoch: first and last event (or --log-end) */
    double inactivity;          /* days; 0: churn only by churn events */
    double mapped_stage, mapped_touchpoint, mapped_churn, ignored, unmapped;
    double before_first_stage;  /* events of a case before its first stage event */
    double after_churn;         /* events of a case after it churned */
    FitNameCount *unmapped_names; int nunmapped_names; /* by count, most frequent first */
    /* Per stage ([nstages]). */
    double *starts;             /* cases whose first stage event is this stage */
    double *entries;            /* stage entries (a case's first included) */
    double *moves;              /* [nstages * (nstages + 1)]: from s to t, t == nstages: churn */
    double *churn_by_reason;    /* [nstages * (nreasons + 1)]: churn events by reason; the last
                                 * column: churned by inactivity */
    double *completed;          /* cases that ended in a stage without arrows */
    FitWaitObs *wait_done;      /* [nstages]: entry to the next move (or to churn) */
    FitWaitObs *wait_censored;  /* [nstages]: entry to the log's end, still inside; and entry to the
                                 * last event of a case that churned by inactivity (it waited at
                                 * least that long) */
    double *revenue;            /* [nstages]: the revenue column summed over the stage's entries */
    double *revenue_n;          /* [nstages]: entries with a revenue value */
    /* Per touchpoint ([ntouchpoints]). */
    double *touch_entries;      /* entries of its stage in which it was met (once per entry) */
    double *touch_events;       /* its events, wherever they happened */
    double *touch_outside;      /* its events outside an entry of its own stage */
    double *touch_cost;         /* the cost column summed over its events */
    /* Survey answers (the score column) per touchpoint and per stage. */
    double *score_n_tp, *score_sum_tp, *score_promoters_tp, *score_detractors_tp; /* [ntouchpoints] */
    double *mood_n, *mood_sum, *mood_sumsq; /* [nstages]: answers as mood (data.md) */
    /* Personas: cases by segment ([npersonas]), segments naming no persona, cases without one. */
    double *persona_cases;
    FitNameCount *unknown_segments; int nunknown_segments;
    double no_segment;
    /* Cases as a whole, for validation: conversion and the time to it, customers' follow-up. */
    double converted;
    FitWaitObs time_to_convert;     /* from the case's first stage event to its first goal entry */
    FitWaitObs followup_churned;    /* customers: conversion to churn */
    FitWaitObs followup_censored;   /* customers: conversion to the log's end, still in */
    /* What the rows came from: a log read here, or the result of the --sql query (which has no
     * touchpoints, surveys, revenue or names: the report says so). */
    bool from_table;
    /* Arrows that depend on met(T) (fit_met_form): the moves with and without T, per (stage, T). */
    FitMetObs *met; int nmet;
    /* --trait columns (set by the caller after fit_observe; owned by FitObs). */
    FitTraitObs *traits; int ntraits_obs;
} FitObs;

/* A case as the log leaves it: for cjm score, one call per case when its events are done. */
typedef struct FitCase {
    LogStr id;
    int stage;                  /* the stage it is in (-1: no stage event) */
    int persona;                /* -1: unknown */
    bool churned, completed, converted;
    double entered;             /* days since the epoch: its entry into `stage` */
    double last_event;
    double first_event;
    double revenue;             /* the revenue column summed over its events */
    double mood;                /* its last survey answer as mood, NaN when none */
    int visits_here;            /* entries of `stage` so far */
} FitCase;

typedef struct FitCaseSink {
    void (*on_case)(void *ctx, const FitCase *c);
    void *ctx;
} FitCaseSink;

typedef struct FitObserveOptions {
    const FitMapRule *map; int nmap;
    double inactivity;          /* days: <0 the journey's (`inactivity` in the journey block) */
    double log_end;             /* NaN: the last event's time */
    uint64_t max_memory;        /* bytes of events held for unsorted input; 0: 1 GiB */
    const FitCaseSink *cases;   /* optional */
    RtProgress progress; void *progress_ctx;
    const volatile sig_atomic_t *cancel;
} FitObserveOptions;

/* Reads every event of `r` and replays each case on the model. Returns NULL with *error set (a
 * malloc'd message: the reader's, a bad --map, memory beyond max_memory) on failure. */
FitObs *fit_observe(const Model *m, LogReader *r, const FitObserveOptions *o, char **error);
/* The journey's mapping, for the report and for checking --map: what `name` maps to. */
FitTarget fit_map_name(const Model *m, const FitMapRule *map, int nmap, const char *name, size_t len);
void fit_obs_free(FitObs *obs);

/* ---- estimates ---- */

typedef struct FitInterval { double value, lo, hi; } FitInterval;

/* One observed move out of a stage: an arrow of the journey, or a move it does not have. */
typedef struct FitMove {
    int from;
    int to;                     /* stage, or -1 for churn */
    int arrow;                  /* index among the stage's checked arrows, -1: not in the journey */
    double count;
    FitInterval p;              /* observed share of the stage's moves, Wilson 95% */
    bool declared_known;        /* a constant probability (or `otherwise`'s rest) */
    double declared;
    bool outside;               /* the declared value is outside the interval */
    bool fitted;                /* false: the arrow's probability depends on mood, visits, rules */
    const char *why_not_fitted; /* when !fitted */
} FitMove;

/* A candidate distribution for a stage's wait, fitted with censoring. */
typedef struct FitDist {
    DistKind kind;              /* DIST_CONSTANT for a fixed wait */
    double args[3];             /* days, as the language writes them */
    int nargs;
    double loglik, aic;
    double ks;                  /* Kolmogorov-Smirnov distance to the Kaplan-Meier estimate */
    bool ok;                    /* fitted (enough data, optimizer converged) */
} FitDist;

typedef struct FitWait {
    int stage;
    double n, censored;
    FitInterval mean;           /* days, censoring taken into account */
    FitDist best;
    FitDist candidates[DIST_WAIT__COUNT]; /* one per wait distribution */
    bool declared_present;      /* the stage declares a wait */
    double declared_mean;
    bool outside;               /* the declared mean is outside the interval */
} FitWait;

/* An arrow A + B * met(T): its moves in entries without and with a meeting of T. */
typedef struct FitMetArrow {
    int from, arrow;            /* stage, index among its arrows */
    int to;                     /* stage, -1: churn */
    FitMetForm form;
    const char *what;           /* T's name */
    double n0, k0, n1, k1;      /* entries (moves) without / with T, and this arrow's among them */
    FitInterval p0, p1;         /* shares, Wilson 95% */
    FitInterval a, b;           /* A = p0; B = p1 - p0 (Newcombe's hybrid score interval) */
    bool declared_known;        /* A and B are constants */
    double declared_a, declared_b;
    bool outside_a, outside_b;  /* the declared value is outside the interval */
    bool fitted;
    const char *why_not_fitted;
} FitMetArrow;

/* One family fitted to a trait's values by maximum likelihood. */
typedef struct FitTraitDist {
    DistKind kind;              /* DIST_NORMAL, DIST_LOGNORMAL, DIST_GAMMA, DIST_BETA, DIST_UNIFORM,
                                   DIST_EXPONENTIAL */
    int nargs;
    FitInterval args[2];        /* as the language writes them, 95% intervals */
    double loglik, aic, ks;
    bool ok;
} FitTraitDist;

enum { FIT_TRAIT_FAMILIES = 6 };

/* A value of a `choice` trait seen in the log (or declared). */
typedef struct FitChoiceShare {
    double value, count;
    FitInterval share;          /* Wilson 95% */
    bool declared;              /* one of the choice's values */
    double declared_share;      /* its weight as a share; NaN for an undeclared value */
    bool outside;
} FitChoiceShare;

/* A trait fitted from a --trait column, for all cases (persona -1) or one persona's. */
typedef struct FitTrait {
    int trait, persona;
    const char *column;
    double n, mean, sd, min, max;
    const Dist *declared;       /* the persona's distribution; NULL: a plain value (declared_value) */
    double declared_value;      /* NaN when drawn or unknown */
    bool is_choice;
    FitTraitDist candidates[FIT_TRAIT_FAMILIES];
    int best;                   /* index in candidates, -1: none fitted */
    FitChoiceShare *choices; int nchoices; /* is_choice: declared values first, then others */
} FitTrait;

/* What the log cannot tell: one item, with why. */
typedef struct FitCannot {
    const char *kind;           /* "trait", "state", "memory", "amount", "arrow" */
    const char *name;           /* what it is about (a trait, a stage, ...) */
    char *detail;               /* malloc'd: what and why */
} FitCannot;

typedef struct FitResult {
    const Model *model;
    const FitObs *obs;
    FitMove *moves; int nmoves; /* by stage, the journey's arrows first, then the moves it lacks */
    FitWait *waits;             /* [nstages]; n == 0 where no wait was observed */
    FitInterval *reach;         /* [ntouchpoints] */
    FitInterval *persona_share; /* [npersonas] */
    FitInterval *stage_mood;    /* [nstages]: the mean answer as mood; NaN value when none */
    FitInterval *nps_tp;        /* [ntouchpoints]: NPS of a survey touchpoint's answers */
    FitInterval conversion;
    FitMetArrow *met_arrows; int nmet_arrows;
    FitTrait *traits; int ntraits;
    FitCannot *cannot; int ncannot;
} FitResult;

FitResult *fit_estimate(const FitObs *obs);
void fit_result_free(FitResult *f);

/* Issue 16's parts, for those who include fit.h alone (cli/, the unit tests): arrows that depend
 * on a meeting, traits fitted from a column. */
#include "met.h"
#include "traits.h"

#endif
