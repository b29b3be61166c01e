/* result.h: the figures of a run, whichever engine produced them (the simulator or the exact
 * analysis), in the form every report format renders: counts of the cohort as doubles (expected
 * values in an exact analysis), NaN where a figure does not exist (no conversion, hence no time
 * to convert; mood figures in an exact analysis).
 *
 * Ownership: rt_result_new() allocates every array for the model's sizes; rt_result_free()
 * releases them and the warnings' messages. Names point into the Model (its Program must
 * outlive the result). */
#ifndef CJM_RT_RESULT_H
#define CJM_RT_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "hist.h"
#include "model.h"

typedef struct RtStageRow {
    double reached;    /* customers who entered the stage at least once */
    double entries;
    double mean_mood;  /* on entry, after the stage's touchpoints; NaN when unknown */
    double converted;  /* customers who converted on entering it */
    double churned, completed, active; /* customers whose life ended here, by outcome */
    double revenue;    /* earned by entering it (the stage's `revenue` times its entries) */
    /* kpis.md: the churned split by whether they had converted when they churned here */
    double lost;             /* prospects lost here, before converting */
    double customer_churned; /* customers who churned here, after converting */
} RtStageRow;

/* One way out of a stage: an arrow, or a rule's goto or churn. */
typedef struct RtExitRow {
    int stage;
    int target;        /* a stage index or RT_CHURN */
    const char *reason;
    bool via_rule;
    double count;
} RtExitRow;

typedef struct RtReasonRow {
    int stage;
    const char *reason;
    double count;            /* lost + customers */
    double lost, customers;  /* of whom prospects (before converting) and customers (after) */
} RtReasonRow;

typedef struct RtPersonaRow {
    double customers, converted, churned, completed, active; /* `customers`: cohort members */
    double lost, customer_churned; /* churned before and after converting */
} RtPersonaRow;

typedef struct RtTouchRow {
    double reached, meetings, cost, conversions;
    /* The cost of meetings up to and including the entry of conversion (all of a non-converter's):
     * acquisition cost (kpis.md, "Money"). */
    double acq_cost;
    /* Surveys (RtTouch.survey): every meeting is an answer. NPS counts promoters (9-10) and
     * detractors (0-6); score_sum and score_sq are the sums of the scores (0-10 or 1-5). */
    double respondents, promoters, detractors, score_sum, score_sq;
    /* Channels only: conversions attributed to the channel by first touch, last touch and linear
     * attribution (among the channels met up to conversion), and by removal effect (NaN until
     * computed: the drop in conversion without the channel, normalised to the conversions). */
    double attr_first, attr_last, attr_linear, attr_removal;
} RtTouchRow;

/* One month (30 days) of calendar time, from day 30 m to day 30 (m + 1) (kpis.md, "Calendar
 * time"): the events that happened in it, by the calendar time of arrival + time in the journey. */
typedef struct RtMonth {
    double new_prospects;      /* arrivals */
    double new_customers;      /* conversions */
    double lost;               /* prospects lost */
    double churned_customers;  /* customer churn */
    double completed_customers; /* customers who completed the journey */
    double revenue, cost;      /* earned and spent in the month */
} RtMonth;

typedef struct RtWarning {
    Loc loc;           /* file 0: no place in a file */
    int kind;          /* RtSiteKind */
    int site;          /* the RtModel's site */
    char *message;     /* complete sentence, without location */
    double count;
} RtWarning;

typedef struct RtResult {
    const Model *model;
    const RtModel *rt;
    double cohort;
    uint64_t seed;
    bool has_horizon;
    double horizon;
    bool exact;
    int persona;       /* --persona, or -1 for all */
    uint64_t max_steps;

    double converted, churned, completed, active;
    RtStageRow *stages;        /* [nstages] */
    RtExitRow *exits;          /* grouped by stage, in stage order */
    int nexits;
    RtReasonRow *reasons;      /* grouped by stage, then first appearance */
    int nreasons;
    RtPersonaRow *personas;    /* [npersonas] */
    double *curve_sim;         /* [npersonas * nstages]: mean mood on entry, NaN when none */
    RtTouchRow *touch;         /* [ntouch] */
    RtTouchRow *channels;      /* [nchannels] */
    double ttc_mean, ttc_median, ttc_p90; /* days; NaN when unknown */
    double retention[4];       /* day 7, 30, 90, horizon: share not churned; NaN when unknown */
    double revenue, cost;      /* totals over the cohort */
    /* Per-customer sums behind the intervals of the money figures (rt_money); NaN in an exact
     * analysis, which has no interval: each customer's revenue squared, cost squared, and cost
     * times converted (0 or 1; the covariance of cost and conversion that CAC's interval needs). */
    double revenue_sq, cost_sq, cost_conv;
    double nps, csat;          /* NaN in an exact analysis */
    double steps;              /* stage entries in all */
    /* The distributions behind the percentiles and the retention curve (simulation only; NULL in
     * an exact analysis): times to convert of converted customers, churn times of churned ones. */
    RtHist *ttc_hist, *churn_hist;

    /* ---- kpis.md: figures of prospects and customers (the simulator and, where the chain
     * allows, the exact analysis fill them; what cannot be known is NaN or NULL) ---- */
    double lost;               /* prospects who churned before converting */
    double customer_churned;   /* customers who churned after converting */
    double customers_completed; /* customers who completed the journey */
    /* Follow-up of customers, from their conversion to churn, completion or the horizon (the
     * horizon counted on each customer's own calendar when customers arrive over time). */
    double exposure_days;      /* its sum over customers */
    /* Follow-up times (days after conversion) at customer churn, and at censoring (the horizon,
     * the step limit); a customer who completes stays followed until the horizon (completing is
     * not churn) and is censored there, or never without a horizon: the simulation only. */
    RtHist *followup_churn, *followup_censor;
    double followup_completed_never; /* customers who completed with no horizon: never censored */
    /* Money split at conversion (kpis.md): per cohort member x = acquisition cost (every cost up
     * to and including the entry of conversion; a non-converter's are all acquisition),
     * v = cost to serve (costs after that entry, customers only), y = revenue from the entry of
     * conversion on (customers only; LTV). Sums, squares and the products the intervals need;
     * NaN for the squares in an exact analysis. */
    double acq_cost, acq_cost_sq, acq_cost_conv;
    double serve_cost, serve_cost_sq;
    double ltv_revenue, ltv_revenue_sq, ltv_revenue_acq;
    /* Revenue by days after conversion (its bucket's sum over customers), and the customers still
     * followed for revenue by day (censored by the horizon only; churned customers earn 0 after):
     * the mean cumulative revenue per customer, hence payback. NULL in an exact analysis. */
    double *revenue_after;     /* [RT_HIST_BUCKETS]: revenue by the hist.h bucket of its day */
    double *revenue_after_min; /* [RT_HIST_BUCKETS]: the earliest day of each bucket's revenue (+inf: none) */
    RtHist *followup_window;   /* each customer's follow-up window horizon - t_c (none: not added) */
    /* Relational satisfaction, over customers only, from their mood at the end of the run. */
    double cust_promoters, cust_detractors, cust_score_n, cust_csat_sum, cust_csat_sq;
    /* Surveys: pooled answers of every NPS survey and every CSAT survey (RtTouchRow has each). */
    double survey_nps_n, survey_promoters, survey_detractors;
    double survey_csat_n, survey_csat_sum, survey_csat_sq;
    /* Calendar time: months[0 .. nmonths) cover day 0 to the horizon (or to the last event the
     * simulation kept, RT_MAX_MONTHS at most). */
    RtMonth *months;
    int nmonths;
    bool has_arrivals;
    /* --window (days; NaN for none): conversion counted only when it happens within the window. */
    double window;
    /* Why figures over time (retention, payback, the calendar) are absent, when they are: "" when
     * they are present; the exact analysis says it computes expected values only. */
    const char *no_curves_reason;

    RtWarning *warnings;
    int nwarnings;
} RtResult;

RtResult *rt_result_new(const RtModel *rm);
void rt_result_free(RtResult *r);
void rt_result_add_exit(RtResult *r, int stage, int target, const char *reason, bool via_rule, double count);
/* Counts `count` churned customers at (stage, reason), merging equal reasons of a stage. */
void rt_result_add_reason(RtResult *r, int stage, const char *reason, double count);
/* The same, split: `lost` prospects (before converting) and `customers` (after); count is their sum. */
void rt_result_add_reason_split(RtResult *r, int stage, const char *reason, double lost, double customers);
/* Adds the warning of site `site` counted `count` times (a message is made from the site). */
void rt_result_add_warning(RtResult *r, int site, double count);
/* The sentence of the warning of site `site` of `rm` counted `count` times (expected times in an
 * exact analysis), without its location; malloc'd. */
char *rt_warning_text(const RtModel *rm, int site, double count, bool exact, uint64_t max_steps, double horizon);
/* Sorts exits and reasons by stage (stable), after the engine added them in any order. */
void rt_result_finish(RtResult *r);

/* A rate with its 95% Wilson score interval; in an exact analysis the interval is the rate. */
typedef struct RtRate {
    double count, rate, lo, hi;
} RtRate;
RtRate rt_rate(double count, double n, bool exact);
/* The Wilson score interval for k successes in n trials at normal quantile z. */
void rt_wilson(double k, double n, double z, double *lo, double *hi);

/* A figure with its 95% interval [lo, hi]; the bounds are NaN where there is no interval (an
 * exact analysis, a sample too small) and all three are NaN where the figure does not exist. */
typedef struct RtEstimate {
    double value, lo, hi;
} RtEstimate;

/* The mean of n per-customer values x from their sums sum(x) and sum(x^2), and its normal
 * interval mean +- z s / sqrt(n), s the sample standard deviation (divisor n - 1). Without
 * sums of squares (NaN) or with n < 2 the bounds are NaN. */
RtEstimate rt_mean_interval(double sum_x, double sum_xx, double n, double z);

/* The ratio sum(x) / sum(y) of two per-customer values (CAC: cost over conversions), i.e. the
 * ratio R of their means, and its interval by the delta method:
 *   Var(R) ~ (s_x^2 - 2 R s_xy + R^2 s_y^2) / (n mean(y)^2)
 * with the sample variances s_x^2, s_y^2 and covariance s_xy (divisor n - 1). NaN throughout when
 * sum(y) is 0; NaN bounds without the sums of squares and products or with n < 2. */
RtEstimate rt_ratio_interval(double sum_x, double sum_xx, double sum_y, double sum_yy, double sum_xy, double n,
                             double z);

/* The money figures of a run with their 95% intervals: revenue and cost per customer (means)
 * and CAC (cost per conversion, a ratio; NaN without conversions). An exact analysis gives
 * expected values, without intervals. */
typedef struct RtMoney {
    RtEstimate revenue, cost, cac;
} RtMoney;
RtMoney rt_money(const RtResult *r);

enum { RT_MAX_MONTHS = 1200 };

/* "Purchase", or "churn" for RT_CHURN. */
const char *rt_stage_name(const RtModel *rm, int stage);
/* "file:line:col" of a location into buf (size n), or "" for no location. */
void rt_loc_string(const Model *m, Loc loc, char *buf, int n);

#endif
