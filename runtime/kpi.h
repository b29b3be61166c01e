/* kpi.h: the figures of ../shared/design/kpis.md computed from a run's RtResult, with their 95%
 * intervals: customer retention by Kaplan-Meier (Greenwood intervals), the monthly churn rate
 * (Poisson interval), the restricted mean lifetime, acquisition cost and CAC, cost to serve,
 * LTV, ARPU, LTV:CAC, payback, relational and survey NPS/CSAT, the funnel's step-through rates
 * and the calendar's cumulative columns. Every report format and cjm compare get them here, so a
 * figure means the same everywhere.
 *
 * A figure that does not exist is NaN (value, lo and hi): no goal (no customers), no customer
 * followed that long, an exact analysis for figures over time (RtResult.no_curves_reason says
 * why). An exact analysis gives values without intervals (lo, hi NaN). */
#ifndef CJM_RT_KPI_H
#define CJM_RT_KPI_H

#include <stdbool.h>

#include "result.h"

enum { RT_RETENTION_DAYS = 4 };
extern const double rt_retention_days[RT_RETENTION_DAYS]; /* 30, 90, 180, 365 */

typedef struct RtKpis {
    /* Prospects */
    RtRate converted, lost, still_prospects;  /* over the cohort */
    /* Customers */
    double customers;                          /* NaN without a goal */
    RtRate customer_churn;                     /* over customers */
    RtEstimate retention[RT_RETENTION_DAYS];   /* R(d) after conversion, Kaplan-Meier */
    RtEstimate monthly_churn, annual_churn;    /* churn events per customer-month (30 days) */
    RtEstimate lifetime;                       /* restricted mean, days */
    double lifetime_limit;                     /* days: the follow-up it is restricted to */
    /* Money */
    RtEstimate arpu;                           /* revenue / cohort */
    RtEstimate ltv;                            /* revenue from conversion on, per customer */
    RtEstimate cac;                            /* acquisition cost / customers */
    RtEstimate acquisition_cost;               /* per cohort member */
    RtEstimate cost_to_serve;                  /* per customer */
    RtEstimate ltv_cac;                        /* LTV / CAC */
    double payback_days;                       /* NaN: never within the follow-up, or unknown */
    /* Satisfaction: the headline (surveys when there are any, else relational over customers) */
    bool nps_from_surveys, csat_from_surveys;
    RtEstimate nps, csat;
    double nps_n, csat_n;
} RtKpis;

RtKpis rt_kpis(const RtResult *r);

/* R(d), the Kaplan-Meier customer retention d days after conversion, with its Greenwood 95%
 * interval; NaN past the longest follow-up or without the simulation's follow-up histograms. */
RtEstimate rt_customer_retention(const RtResult *r, double day);
/* Greenwood's variance of R(d) (R(d)^2 times the sum of d / (n (n - d)) over the events up to d):
 * cjm compare's interval of a change in retention; NaN where R(d) is. */
double rt_customer_retention_variance(const RtResult *r, double day);
/* The longest follow-up of any customer, days (NaN when unknown). */
double rt_followup_max(const RtResult *r);

/* A rate of `events` per unit of `exposure` with its exact 95% Poisson interval (Garwood: the
 * gamma quantiles G(0.025; events) and G(0.975; events + 1) over the exposure); exact: no
 * interval. NaN without exposure. The monthly churn rate is this over customer-months. */
RtEstimate rt_poisson_rate(double events, double exposure, bool exact);

/* The main path of the funnel: from the start stage, the most likely way on to a stage not yet on
 * the path (churn excluded), until a goal is passed and no way on is left. Writes the stages' indices
 * to order[] (room for nstages) and returns how many. */
int rt_main_path(const RtResult *r, int *order);
/* The step-through rate from stage `from` to stage `to` of the main path: reached(to) / reached(from),
 * with its Wilson interval. */
RtRate rt_step_through(const RtResult *r, int from, int to);

/* A survey touchpoint's NPS (-100..100) or CSAT mean, with its 95% interval. */
RtEstimate rt_survey_nps(const RtTouchRow *t);
RtEstimate rt_survey_csat(const RtTouchRow *t);

/* Per channel: acquisition cost / attributed conversions (first touch, last touch, linear). */
typedef enum { RT_ATTR_FIRST, RT_ATTR_LAST, RT_ATTR_LINEAR, RT_ATTR_REMOVAL } RtAttribution;
double rt_channel_attributed(const RtTouchRow *ch, RtAttribution how);
double rt_channel_cac(const RtTouchRow *ch, RtAttribution how);

/* The calendar's month m with its running totals: active customers at the month's end (converted
 * minus churned, up to then), cumulative revenue and cost. */
typedef struct RtMonthView {
    RtMonth month;
    double active_customers, cumulative_revenue, cumulative_cost, cumulative_customers;
} RtMonthView;
RtMonthView rt_month(const RtResult *r, int m);

#endif
