/* compare.h: `cjm compare`'s engine: variants of one journey (its scenarios, the journey with one
 * touchpoint, channel or stage taken out, or with one parameter swept over a range) run beside the
 * journey itself, and the differences they make with honest statistics (docs/compare.md).
 *
 * Common random numbers: every variant simulates the same customers (sim.h), so a
 * customer whose journey a variant does not touch lives the same life in both, and the
 * difference of the means is estimated from per-customer differences. The interval of a
 * difference is the normal approximation of the paired differences (of a ratio, CAC or the time
 * to convert, by the delta method); it is several times narrower than that of independent runs
 * for a small change. Each variant's own figures are summed from its customers exactly as
 * `cjm run` sums them, so the journey's column is the run's headline to the last digit.
 * Results are the same for every --threads: per-block sums are added in block order.
 *
 * Ownership: a CmpSet owns the RtModels it compiled and the strings it made; its names point into
 * the Model (which must outlive it). cmp_run() returns a new CmpResult (cmp_result_free) that
 * points into the set. */
#ifndef CJM_COMPARE_H
#define CJM_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "model.h"
#include "result.h"
#include "sim.h"

/* The figures compared: those of `cjm run`'s headline (runtime/kpi.h, ../shared/design/kpis.md),
 * each computed for the journey and for every variant exactly as the run computes it, from the
 * same sums, and a few figures of the whole cohort that earlier versions compared. In the order of
 * the run's JSON report (the tables show the headline's, render/report_compare.c). How the interval
 * of each change is computed (docs/compare.md, "The statistics"):
 *   paired mean    the mean of the per-customer differences (conversion, lost, ARPU, cohort churn,
 *                  cost per member);
 *   paired ratio   a ratio of two per-customer means, its change by the delta method over both
 *                  variants' covariances (time to convert, customer churn, monthly churn, LTV, CAC,
 *                  cost to serve, LTV:CAC, NPS, cost per conversion);
 *   unpaired       Kaplan-Meier retention: each variant's Greenwood variance, as if independent;
 *   none           payback (the first day a mean curve reaches CAC: no honest interval). */
typedef enum {
    CMP_CONVERSION,
    CMP_LOST,             /* lost before converting, over the cohort */
    CMP_TTC,              /* mean time to convert of converted customers, days */
    CMP_CUSTOMER_CHURN,   /* churned after converting, over customers */
    CMP_MONTHLY_CHURN,    /* customer churn events per customer-month */
    CMP_RETENTION90,      /* customers not churned 90 days after converting (Kaplan-Meier) */
    CMP_ARPU,             /* revenue per cohort member */
    CMP_LTV,              /* revenue from conversion on, per customer */
    CMP_CAC,              /* acquisition cost per customer */
    CMP_COST_TO_SERVE,    /* cost after conversion, per customer */
    CMP_LTV_CAC,
    CMP_PAYBACK,          /* days after conversion until the mean revenue per customer reaches CAC */
    CMP_COST_PER_MEMBER,
    CMP_COST_PER_CONVERSION, /* every cost over conversions (compare's "cac" before its schema 2) */
    CMP_NPS,              /* from surveys when the journey has NPS surveys, else relational over customers */
    CMP_COHORT_CHURN,     /* prospects and customers churned, over the cohort */
    CMP_NMETRICS
} CmpMetric;

typedef enum { CMP_SCENARIOS, CMP_REMOVE_TOUCHPOINTS, CMP_REMOVE_CHANNELS, CMP_REMOVE_STAGES, CMP_SWEEP } CmpMode;

typedef struct CmpVariant {
    const char *name;     /* a scenario, touchpoint, channel or stage name; a sweep's value as shown */
    const char *label;    /* the scenario's or stage's label, a touchpoint's channel; NULL for none */
    const RtModel *rm;    /* NULL: every customer is lost at the start (the start stage removed) */
    double value;         /* a sweep's value */
} CmpVariant;

typedef struct CmpSet {
    CmpMode mode;
    CmpVariant *v;
    int n, cap;
    RtModel **owned;
    int nowned, owned_cap;
    char **strings;
    int nstrings, strings_cap;
    /* A sweep: what varies ("Consideration->Purchase", "Ad.reach") and how its values are shown. */
    const char *sweep_what;
    bool sweep_percent;
} CmpSet;

void cmp_set_init(CmpSet *set, CmpMode mode);
void cmp_set_free(CmpSet *set);
/* Adds a variant; `rm` (may be NULL, see CmpVariant) becomes the set's. */
void cmp_set_add(CmpSet *set, const char *name, const char *label, RtModel *rm, double value);
/* One variant per touchpoint, per channel that some touchpoint uses, or per stage, each taken
 * out (docs/compare.md says what taking out means). */
void cmp_set_removals(CmpSet *set, const Model *m, CmpMode mode);
/* A sweep: one parameter of the journey and the values it takes, `from`, from + step, ... up to
 * `to`. cjm reads it from the text of --sweep, "Consideration->Purchase=20%..60%/5" (cli/sweep.c;
 * the grammar is in docs/compare.md); the strings are the caller's. */
typedef struct CmpSweep {
    const char *what;      /* the parameter as written: "Cart->Purchase", "Ad.reach" */
    const char *name;      /* the arrow's stage; the touchpoint, stage or persona of an attribute */
    const char *target;    /* an arrow's target (a stage, or "churn"); NULL for an attribute */
    const char *attribute; /* reach, emotion, cost, revenue, wait or share; NULL for an arrow */
    double from, to, step;
    bool percent;          /* written as percentages: the values are shown so */
} CmpSweep;

enum { CMP_SWEEP_MAX_POINTS = 101 };
#define CMP_SWEEPABLE "a sweep varies an arrow (Stage->Target), a touchpoint's reach, emotion or cost " \
                      "(Touchpoint.reach), a stage's revenue or mean wait in days (Stage.revenue, Stage.wait) " \
                      "or a persona's share (Persona.share)"

/* One variant per value of the sweep. False, with the reason in `err`, when it does not name a
 * parameter of the journey, or a value is out of the parameter's range (an arrow's would make its
 * stage's arrows add up to more than 100%, or less without an `otherwise`). */
bool cmp_set_sweep(CmpSet *set, const Model *m, const CmpSweep *sweep, Buf *err);

typedef struct CmpOptions {
    /* Cohort, seed, horizon, threads, persona, max steps, cancel; sim.progress is told the share
     * of the whole comparison simulated (progress.h), not that of each run. */
    SimOptions sim;
    bool exact;           /* the exact analysis of every variant instead of simulations */
    bool independent;     /* independent random numbers per variant (to measure what CRN gains) */
} CmpOptions;

/* One figure of one variant. The values and their own intervals are those `cjm run` gives the
 * journey and the variant (rt_kpis). In an exact analysis there are no intervals (NaN) and nothing
 * is "significant"; NaN marks what does not exist (the figures of customers without one, figures
 * over time and NPS exactly): the run's report says why (CmpResult.runs). */
typedef struct CmpStat {
    double base, value, change;  /* the journey's, the variant's, value - base */
    double lo, hi;               /* the 95% interval of the change (NaN: none) */
    double value_lo, value_hi;   /* the 95% interval of the variant's value */
    double independent;          /* half the interval independent runs of this size would give */
    bool significant;            /* the interval of the change excludes 0 */
} CmpStat;

/* A run-time warning of one run (docs/cli.md: as `cjm run` gives them), with its counts added
 * over the run's chunks. */
typedef struct CmpWarning {
    int variant;     /* -1: the journey itself */
    Loc loc;
    int kind;        /* RtSiteKind */
    char *message;   /* without its location */
} CmpWarning;

typedef struct CmpResult {
    const CmpSet *set;
    double cohort;
    uint64_t seed;
    bool has_horizon;
    double horizon;
    int persona;
    bool exact, independent;
    CmpStat base[CMP_NMETRICS];  /* the journey itself (change 0) */
    /* [1 + set->n]: the figures of the journey's run (0) and of each variant's (1 + i), as `cjm run`
     * would report them, for the renderers' notes (why a figure is missing). A simulation's hold
     * the headline's sums only (rt_kpis: kpi.h), not the stages' and touchpoints' tables. */
    RtResult **runs;
    CmpStat *stats;              /* [set->n * CMP_NMETRICS]: variant i's figure k at i * CMP_NMETRICS + k */
    int *order;                  /* [set->n]: the variants by conversion change, largest loss first */
    CmpWarning *warnings;        /* the journey's, then each variant's, in site order */
    int nwarnings;
} CmpResult;

/* Runs the journey and every variant of the set. NULL when the run was cancelled (o->sim.cancel)
 * or, with o->exact, after an error reported through `d` (a variant that is not a Markov chain). */
CmpResult *cmp_run(const RtModel *base, const CmpSet *set, const CmpOptions *o, Diag *d);
void cmp_result_free(CmpResult *r);
static inline const CmpStat *cmp_stat(const CmpResult *r, int variant, CmpMetric k)
{
    return &r->stats[(size_t)variant * CMP_NMETRICS + (size_t)k];
}
/* The run behind a variant's figures; variant -1: the journey's. */
static inline const RtResult *cmp_run_of(const CmpResult *r, int variant) { return r->runs[variant + 1]; }

#endif
