/* report_csv.c: one table of the report as CSV (RFC 4180: comma-separated, CRLF-free, fields
 * quoted when they hold a comma, quote or line break), for spreadsheets. --csv-table picks it:
 * stages, personas, touchpoints, channels, churn reasons, ways out of stages, emotion curves, the
 * headline figures, pain points and opportunities, the funnel along the main path, the calendar,
 * the channels' attribution, the surveys and the customer retention curve.
 *
 * Each table is a view of the catalogue of figures (figures.def): its columns name figures (a
 * part of one: a rate's count, its interval's bounds), so a column has the JSON report's value;
 * a column is named after the figure's JSON key unless the view says otherwise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "format.h"
#include "report.h"

/* Columns (FigColumn) are named after their figure's key unless they say otherwise. */
typedef FigColumn CsvColumn;
#define KEY FIG_COLUMN
#define NAMED(heading, member) {member, PART_VALUE, heading, false}
#define PART(heading, member, part) {member, part, heading, false}
#define OUTER(heading, member) {member, PART_VALUE, heading, true}

typedef struct CsvView {
    const FigTable *table, *outer; /* its rows; the table whose rows hold them, or NULL */
    const CsvColumn *cols;
    int ncols;
    bool (*keep)(const RtResult *r, int row); /* the rows written (NULL: all) */
} CsvView;

#define VIEW(table, outer, cols) {table, outer, cols, FIG_NCOLUMNS(cols), NULL}
#define VIEW_OF(table, cols, keep) {table, NULL, cols, FIG_NCOLUMNS(cols), keep}

static const CsvColumn STAGES[] = {
    NAMED("stage", STAGE_NAME), KEY(STAGE_LABEL), KEY(STAGE_GOAL), KEY(STAGE_REACHED), KEY(STAGE_REACHED_RATE),
    KEY(STAGE_ENTRIES), KEY(STAGE_MEAN_MOOD), KEY(STAGE_CONVERTED), KEY(STAGE_CHURNED), KEY(STAGE_LOST),
    KEY(STAGE_CUSTOMER_CHURNED), KEY(STAGE_COMPLETED), KEY(STAGE_ACTIVE), KEY(STAGE_REVENUE),
};

static const CsvColumn PERSONAS[] = {
    NAMED("persona", PERSONA_NAME), KEY(PERSONA_LABEL), KEY(PERSONA_SHARE), KEY(PERSONA_COHORT),
    PART("converted", PERSONA_CONVERSION, PART_COUNT), NAMED("conversion_rate", PERSONA_CONVERSION),
    PART("conversion_lo", PERSONA_CONVERSION, PART_LO), PART("conversion_hi", PERSONA_CONVERSION, PART_HI),
    PART("lost", PERSONA_LOST, PART_COUNT), NAMED("lost_rate", PERSONA_LOST),
    PART("customer_churned", PERSONA_CUSTOMER_CHURN, PART_COUNT), NAMED("customer_churn_rate", PERSONA_CUSTOMER_CHURN),
    PART("cohort_churned", PERSONA_COHORT_CHURN, PART_COUNT), NAMED("cohort_churn_rate", PERSONA_COHORT_CHURN),
    PART("completed", PERSONA_COMPLETED, PART_COUNT), PART("active", PERSONA_ACTIVE, PART_COUNT),
};

static const CsvColumn TOUCHPOINTS[] = {
    NAMED("touchpoint", TOUCH_NAME), KEY(TOUCH_LABEL), KEY(TOUCH_STAGE), KEY(TOUCH_CHANNEL), KEY(TOUCH_REACH),
    KEY(TOUCH_REACHED), KEY(TOUCH_REACHED_RATE), KEY(TOUCH_MEETINGS), KEY(TOUCH_COST), KEY(TOUCH_ACQUISITION_COST),
    KEY(TOUCH_CONVERSIONS), KEY(TOUCH_CONVERSION_RATE), KEY(TOUCH_SURVEY), KEY(TOUCH_RESPONDENTS), KEY(TOUCH_NPS),
    KEY(TOUCH_CSAT),
};

static const CsvColumn CHANNELS[] = {
    NAMED("channel", CHANNEL_NAME), KEY(CHANNEL_LABEL), KEY(CHANNEL_REACHED), KEY(CHANNEL_REACHED_RATE),
    KEY(CHANNEL_MEETINGS), KEY(CHANNEL_COST), KEY(CHANNEL_ACQUISITION_COST), KEY(CHANNEL_CONVERSIONS),
    KEY(CHANNEL_CONVERSION_RATE),
};

/* Conversions credited to each channel by each attribution model, and its CAC under it. */
static const CsvColumn ATTRIBUTION[] = {
    NAMED("channel", CHANNEL_NAME),        KEY(CHANNEL_ACQUISITION_COST),   KEY(CHANNEL_FIRST_CONVERSIONS),
    KEY(CHANNEL_FIRST_CAC),                KEY(CHANNEL_LAST_CONVERSIONS),   KEY(CHANNEL_LAST_CAC),
    KEY(CHANNEL_LINEAR_CONVERSIONS),       KEY(CHANNEL_LINEAR_CAC),         KEY(CHANNEL_REMOVAL_CONVERSIONS),
    KEY(CHANNEL_REMOVAL_CAC),
};

/* The survey touchpoints, with their intervals. */
static const CsvColumn SURVEYS[] = {
    NAMED("touchpoint", TOUCH_NAME), KEY(TOUCH_STAGE), KEY(TOUCH_SURVEY), KEY(TOUCH_RESPONDENTS), KEY(TOUCH_NPS),
    PART("nps_lo", TOUCH_NPS, PART_LO), PART("nps_hi", TOUCH_NPS, PART_HI), KEY(TOUCH_CSAT),
    PART("csat_lo", TOUCH_CSAT, PART_LO), PART("csat_hi", TOUCH_CSAT, PART_HI),
};

static bool is_survey(const RtResult *r, int t) { return fig_survey_name(r, t) != NULL; }

/* The main path, with the intervals of its rates. */
static const CsvColumn FUNNEL[] = {
    KEY(FUN_STAGE), KEY(FUN_GOAL), PART("reached", FUN_REACHED, PART_COUNT), NAMED("reached_rate", FUN_REACHED),
    PART("reached_lo", FUN_REACHED, PART_LO), PART("reached_hi", FUN_REACHED, PART_HI), KEY(FUN_STEP),
    PART("step_through_lo", FUN_STEP, PART_LO), PART("step_through_hi", FUN_STEP, PART_HI), KEY(FUN_LOST),
    KEY(FUN_CONVERTED), KEY(FUN_CUSTOMER_CHURNED),
};

/* The calendar's months, unless the run has no calendar (the JSON report's "calendar" is null). */
static bool in_calendar(const RtResult *r, int m)
{
    (void)m;
    return fig_get(&FIG_REPORT.members[R_CALENDAR], r, 0, -1).note == NULL;
}

static const CsvColumn CALENDAR[] = {
    KEY(CAL_MONTH),      KEY(CAL_FROM),        KEY(CAL_NEW_PROSPECTS), KEY(CAL_NEW_CUSTOMERS), KEY(CAL_LOST),
    KEY(CAL_CHURNED),    KEY(CAL_COMPLETED),   KEY(CAL_ACTIVE),        KEY(CAL_REVENUE),       KEY(CAL_COST),
    KEY(CAL_CUM_CUSTOMERS), KEY(CAL_CUM_REVENUE), KEY(CAL_CUM_COST),
};

static const CsvColumn REASONS[] = {
    KEY(REASON_STAGE), KEY(REASON_REASON), KEY(REASON_COUNT), KEY(REASON_LOST), KEY(REASON_CUSTOMERS),
    KEY(REASON_RATE),
};

/* Every way out of every stage, with its share of the stage's exits (report.h). */
static const CsvColumn EXITS[] = {
    OUTER("stage", STAGE_NAME), KEY(EXIT_TO), KEY(EXIT_REASON), KEY(EXIT_VIA), KEY(EXIT_COUNT), KEY(EXIT_SHARE),
};

/* The emotion curve of every persona: declared, simulated, and the reason the curve gives. */
static const CsvColumn CURVES[] = {
    OUTER("persona", PERSONA_NAME), KEY(CURVE_STAGE), KEY(CURVE_DECLARED), KEY(CURVE_SIMULATED),
    KEY(CURVE_REASON),
};

static void heading(Buf *b, const CsvView *v)
{
    for (int c = 0; c < v->ncols; c++) {
        const CsvColumn *col = &v->cols[c];
        const FigTable *t = col->outer ? v->outer : v->table;
        csv_str(b, col->heading ? col->heading : t->members[col->member].key, c + 1 == v->ncols);
    }
}

/* One field: a text, "yes" or "no", or a number ("" when it does not exist). */
static void field(Buf *b, const Figure *f, FigPart part, const RtResult *r, int row, int parent, bool last)
{
    FigValue v = fig_get(f, r, row, parent);
    if (f->kind == FIG_TEXT) csv_str(b, v.text, last);
    else if (f->kind == FIG_BOOL) csv_str(b, v.value != 0 ? "yes" : "no", last);
    else csv_num(b, fig_part(v, part), last);
}

static void row(Buf *b, const CsvView *v, const RtResult *r, int i, int outer)
{
    for (int c = 0; c < v->ncols; c++) {
        const CsvColumn *col = &v->cols[c];
        bool last = c + 1 == v->ncols;
        if (col->outer) field(b, &v->outer->members[col->member], col->part, r, outer, -1, last);
        else field(b, &v->table->members[col->member], col->part, r, i, outer, last);
    }
}

static void view(Buf *b, const CsvView *v, const RtResult *r)
{
    heading(b, v);
    if (!v->outer) {
        for (int i = fig_first(v->table, r, -1); i >= 0; i = fig_after(v->table, r, -1, i))
            if (!v->keep || v->keep(r, i)) row(b, v, r, i, -1);
        return;
    }
    for (int o = fig_first(v->outer, r, -1); o >= 0; o = fig_after(v->outer, r, -1, o))
        for (int i = fig_first(v->table, r, o); i >= 0; i = fig_after(v->table, r, o, i)) row(b, v, r, i, o);
}

/* The number figures of a table of one row, each as a row named by its key (after `prefix`),
 * with its interval where it has one; the objects inside it (time_to_convert) too. */
static void figure_rows(Buf *b, const RtResult *r, const FigTable *t, const char *prefix)
{
    for (int m = 0; m < t->n; m++) {
        const Figure *f = &t->members[m];
        if (f->flags & (FIGF_META | FIGF_PEOPLE_ONLY)) continue;
        char name[128];
        snprintf(name, sizeof name, "%s%s", prefix, f->key);
        if (f->kind == FIG_OBJECT) {
            char inner[sizeof name + 1];
            snprintf(inner, sizeof inner, "%s_", name);
            figure_rows(b, r, fig_get(f, r, 0, -1).table, inner);
        }
        if (!fig_is_number(f->kind)) continue;
        FigValue v = fig_get(f, r, 0, -1);
        csv_str(b, name, false);
        csv_num(b, v.value, false);
        csv_num(b, v.lo, false);
        csv_num(b, v.hi, true);
    }
}

/* The headline figures, one per row, named as the JSON report names them: rates as fractions
 * with their Wilson interval, money per customer and CAC with theirs (none in an exact
 * analysis); a figure without an interval leaves ci_low and ci_high empty. */
static void headline(const RtResult *r, Buf *b)
{
    buf_puts(b, "figure,value,ci_low,ci_high\n");
    figure_rows(b, r, &FIG_REPORT, "");
}

/* The customer retention curve: its points with their 95% interval; the heading alone when the
 * run has none (the JSON report says why). */
static void retention(const RtResult *r, Buf *b)
{
    const FigSeries *s = &FIG_CUSTOMER_RETENTION_CURVE;
    buf_puts(b, "day,retained,lo,hi\n");
    int n;
    double *v = s->points(r, &n);
    for (int i = 0; v && i < n; i++)
        for (int k = 0; k < s->nkeys; k++) csv_num(b, v[i * s->nkeys + k], k + 1 == s->nkeys);
    free(v);
}

/* The pain points, then the opportunities, of every touchpoint in report order (as the HTML
 * report's table lists them), with how many customers met the touchpoint. */
static void pains(const RtResult *r, Buf *b)
{
    static const int figures[] = {TOUCH_REACHED, TOUCH_REACHED_RATE, TOUCH_MEETINGS};
    buf_puts(b, "touchpoint,stage,kind,text,reached,reached_rate,meetings\n");
    int n;
    FigPain *p = fig_pains(r, &n);
    for (int k = 0; k < n; k++) {
        field(b, &FIG_TOUCHPOINTS.members[TOUCH_NAME], PART_VALUE, r, p[k].touchpoint, -1, false);
        field(b, &FIG_TOUCHPOINTS.members[TOUCH_STAGE], PART_VALUE, r, p[k].touchpoint, -1, false);
        csv_str(b, p[k].pain ? "pain" : "opportunity", false);
        csv_str(b, p[k].text, false);
        for (int f = 0; f < 3; f++)
            field(b, &FIG_TOUCHPOINTS.members[figures[f]], PART_VALUE, r, p[k].touchpoint, -1, f == 2);
    }
    free(p);
}

void render_csv(const RtResult *r, CsvTable table, Buf *out)
{
    static const CsvView views[] = {
        [CSV_STAGES] = VIEW(&FIG_STAGES, NULL, STAGES),
        [CSV_PERSONAS] = VIEW(&FIG_PERSONAS, NULL, PERSONAS),
        [CSV_TOUCHPOINTS] = VIEW(&FIG_TOUCHPOINTS, NULL, TOUCHPOINTS),
        [CSV_CHANNELS] = VIEW(&FIG_CHANNELS, NULL, CHANNELS),
        [CSV_REASONS] = VIEW(&FIG_REASONS, NULL, REASONS),
        [CSV_EXITS] = VIEW(&FIG_EXITS, &FIG_STAGES, EXITS),
        [CSV_CURVES] = VIEW(&FIG_CURVE, &FIG_PERSONAS, CURVES),
        [CSV_FUNNEL] = VIEW(&FIG_FUNNEL, NULL, FUNNEL),
        [CSV_CALENDAR] = VIEW_OF(&FIG_CALENDAR, CALENDAR, in_calendar),
        [CSV_ATTRIBUTION] = VIEW(&FIG_CHANNELS, NULL, ATTRIBUTION),
        [CSV_SURVEYS] = VIEW_OF(&FIG_TOUCHPOINTS, SURVEYS, is_survey),
    };
    fig_open(r);
    if (table == CSV_HEADLINE) headline(r, out);
    else if (table == CSV_PAINS) pains(r, out);
    else if (table == CSV_RETENTION) retention(r, out);
    else if (table < CSV_NTABLES) view(out, &views[table], r);
    fig_close();
}
