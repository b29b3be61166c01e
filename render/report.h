/* report.h: the report of a run in each output format. Every format carries the same figures,
 * taken from one RtResult (runtime/result.h); docs/report-json.md documents the JSON schema.
 *
 * Renderers append to a Buf and never write a file themselves (cli/output.h does, atomically), so a
 * failed run leaves no half-written report behind. */
#ifndef CJM_RENDER_REPORT_H
#define CJM_RENDER_REPORT_H

#include <stdbool.h>

#include "buf.h"
#include "result.h"

typedef enum { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV } RenderFormat;
typedef enum {
    CSV_STAGES,
    CSV_PERSONAS,
    CSV_TOUCHPOINTS,
    CSV_CHANNELS,
    CSV_REASONS,
    CSV_EXITS,    /* every way out of every stage, with its share of the stage's exits */
    CSV_CURVES,   /* the emotion curves, declared and simulated, with their reasons */
    CSV_HEADLINE, /* one row per headline figure, with its interval */
    CSV_PAINS,    /* the pain points and opportunities of the touchpoints */
    CSV_FUNNEL,   /* the main path: reached, step-through, lost before converting */
    CSV_CALENDAR, /* per month of calendar time */
    CSV_ATTRIBUTION, /* channels: acquisition cost, conversions and CAC by attribution model */
    CSV_SURVEYS,  /* the survey touchpoints: respondents, NPS, CSAT */
    CSV_RETENTION, /* the customer retention curve (Kaplan-Meier) with its band */
    CSV_NTABLES
} CsvTable;

/* The "schema" value of the JSON report; raised only when a key changes meaning or goes away.
 * 2: an exit's "rate" (a share of the stage's entries) became "share_of_exits".
 * 3: the figures of ../shared/design/kpis.md (prospects, customers, money, satisfaction, funnel,
 *    calendar); the whole cohort's figures renamed where their names misled (docs/report-json.md). */
enum { REPORT_JSON_SCHEMA = 3 };

bool render_parse_format(const char *s, RenderFormat *f);
bool render_parse_csv_table(const char *s, CsvTable *t);

/* `file` is the journey file as named on the command line (shown in the report). */
void render_json(const RtResult *r, const char *file, Buf *out);
void render_table(const RtResult *r, const char *file, Buf *out);
void render_csv(const RtResult *r, CsvTable table, Buf *out);

/* The HTML report (report_html.c, docs/report.md): one self-contained page with the figures of
 * the run, charts, and the two Graphviz pictures when the caller drew them. */
typedef struct HtmlReport {
    const char *date;             /* shown in the header: YYYY-MM-DD */
    const char *version;          /* cjm's version */
    const char *flow_svg, *map_svg; /* Graphviz SVG documents (graph.h), or NULL to leave them out */
    const char *compare_html;     /* cjm compare's sections (report_compare.h), put before the footer; or NULL */
} HtmlReport;
void render_html(const RtResult *r, const char *file, const HtmlReport *o, Buf *out);

/* Numbers as the JSON report writes them: whole numbers without a fraction, others with 10
 * significant digits, -0 as 0, NaN and infinities as null. The HTML report's data-value
 * attributes use it too, so that its figures compare equal to the JSON's. */
void render_number(Buf *b, double v);

/* The retention curve: the share of the cohort not churned at a time <= `day` (the definition of
 * retention at day 7, 30, 90), from day 0 to the horizon (without one, to the last churn) in
 * round steps, about 100 points; the last point is the horizon's, 1 - churn rate. Estimated from
 * the churn-time histogram (runtime/hist.h: rt_hist_count_upto). NULL with *n = 0 in an exact
 * analysis. malloc'd. */
typedef struct RenderPoint {
    double day, retained;
} RenderPoint;
RenderPoint *render_retention_curve(const RtResult *r, int *n);

/* The customer retention curve: R(d), the Kaplan-Meier share of customers not churned d days
 * after converting, with its 95% interval (rt_customer_retention), from day 0 to the longest
 * follow-up in round steps (about 100 points, and the days 30, 90, 180 and 365 of the headline
 * when within it). NULL with *n = 0 when there is none (no goal, no customer, an exact
 * analysis). malloc'd. */
typedef struct RenderKmPoint {
    double day, retained, lo, hi;
} RenderKmPoint;
RenderKmPoint *render_customer_retention_curve(const RtResult *r, int *n);

/* The histogram of times to convert: bins of a round width `to - from` (about 20 of them) from day
 * 0 to the 99th percentile, and, when some conversions came later, one last open bin (`to` is
 * infinite). Each bucket of the time histogram goes wholly to the bin of its typical value
 * (rt_hist_typical), so counts are whole and add up to the conversions. NULL with *n = 0 in an
 * exact analysis and without conversions. malloc'd. */
typedef struct RenderBin {
    double from, to, count;
} RenderBin;
RenderBin *render_ttc_histogram(const RtResult *r, int *n);
/* The smallest of 1, 2 and 5 times a power of ten that is >= x (x > 0). */
double render_nice_step(double x);

/* Entries that left stage `s` by one of its ways out (an arrow, or a rule's `goto` or `churn`).
 * Every report and picture shows an exit as its share of this ("share of the stage's exits": of
 * the customers who left the stage, the share that took this way), which estimates the arrow's
 * probability; the entries that never left (the stage's `active` and `completed` customers) are
 * shown apart. 0 when no customer left. */
double render_stage_exited(const RtResult *r, int s);
/* count / exited, NaN when nothing left the stage. */
double render_share_of_exits(const RtResult *r, const RtExitRow *x);
/* Entries of stage `s` that the horizon cut before they left it: entries - exited - completed
 * (a customer the step limit stopped had taken a way out already), 0 without a horizon and in an
 * exact analysis (which ignores the horizon). */
double render_stage_still(const RtResult *r, int s);

/* Shared by the renderers: the journey's display names. */
const char *render_persona_name(const RtResult *r, int p);
bool render_implicit_persona(const RtResult *r);
/* Whether some touchpoint uses channel c: reports list only those (a catalogue such as
 * std/channels declares many that a journey never uses). */
bool render_channel_used(const RtResult *r, int c);

#endif
