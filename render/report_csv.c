/* report_csv.c: one table of the report as CSV (RFC 4180: comma-separated, CRLF-free, fields
 * quoted when they hold a comma, quote or line break), for spreadsheets. --csv-table picks it:
 * stages, personas, touchpoints, channels, churn reasons, ways out of stages, emotion curves, the
 * headline figures, pain points and opportunities.
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

typedef struct CsvColumn {
    const char *heading; /* NULL: the figure's key */
    int member;          /* of the view's table, or of the table around it when `outer` */
    FigPart part;
    bool outer;          /* a figure of the row around (an exit's stage, a curve's persona) */
} CsvColumn;

typedef struct CsvView {
    const FigTable *table, *outer; /* its rows; the table whose rows hold them, or NULL */
    const CsvColumn *cols;
    int ncols;
} CsvView;

#define VIEW(table, outer, cols) {table, outer, cols, (int)(sizeof cols / sizeof cols[0])}

static const CsvColumn STAGES[] = {
    {"stage", STAGE_NAME, PART_VALUE, false}, {NULL, STAGE_LABEL, PART_VALUE, false},
    {NULL, STAGE_GOAL, PART_VALUE, false},    {NULL, STAGE_REACHED, PART_VALUE, false},
    {NULL, STAGE_REACHED_RATE, PART_VALUE, false}, {NULL, STAGE_ENTRIES, PART_VALUE, false},
    {NULL, STAGE_MEAN_MOOD, PART_VALUE, false}, {NULL, STAGE_CONVERTED, PART_VALUE, false},
    {NULL, STAGE_CHURNED, PART_VALUE, false}, {NULL, STAGE_COMPLETED, PART_VALUE, false},
    {NULL, STAGE_ACTIVE, PART_VALUE, false},  {NULL, STAGE_REVENUE, PART_VALUE, false},
};

static const CsvColumn PERSONAS[] = {
    {"persona", PERSONA_NAME, PART_VALUE, false},
    {NULL, PERSONA_LABEL, PART_VALUE, false},
    {NULL, PERSONA_SHARE, PART_VALUE, false},
    {NULL, PERSONA_CUSTOMERS, PART_VALUE, false},
    {"converted", PERSONA_CONVERSION, PART_COUNT, false},
    {"conversion_rate", PERSONA_CONVERSION, PART_VALUE, false},
    {"conversion_lo", PERSONA_CONVERSION, PART_LO, false},
    {"conversion_hi", PERSONA_CONVERSION, PART_HI, false},
    {"churned", PERSONA_CHURN, PART_COUNT, false},
    {"churn_rate", PERSONA_CHURN, PART_VALUE, false},
    {"completed", PERSONA_COMPLETED, PART_COUNT, false},
    {"active", PERSONA_ACTIVE, PART_COUNT, false},
};

static const CsvColumn TOUCHPOINTS[] = {
    {"touchpoint", TOUCH_NAME, PART_VALUE, false}, {NULL, TOUCH_LABEL, PART_VALUE, false},
    {NULL, TOUCH_STAGE, PART_VALUE, false},        {NULL, TOUCH_CHANNEL, PART_VALUE, false},
    {NULL, TOUCH_REACH, PART_VALUE, false},        {NULL, TOUCH_REACHED, PART_VALUE, false},
    {NULL, TOUCH_REACHED_RATE, PART_VALUE, false}, {NULL, TOUCH_MEETINGS, PART_VALUE, false},
    {NULL, TOUCH_COST, PART_VALUE, false},         {NULL, TOUCH_CONVERSIONS, PART_VALUE, false},
    {NULL, TOUCH_CONVERSION_RATE, PART_VALUE, false},
};

static const CsvColumn CHANNELS[] = {
    {"channel", CHANNEL_NAME, PART_VALUE, false},    {NULL, CHANNEL_LABEL, PART_VALUE, false},
    {NULL, CHANNEL_REACHED, PART_VALUE, false},      {NULL, CHANNEL_REACHED_RATE, PART_VALUE, false},
    {NULL, CHANNEL_MEETINGS, PART_VALUE, false},     {NULL, CHANNEL_COST, PART_VALUE, false},
    {NULL, CHANNEL_CONVERSIONS, PART_VALUE, false},  {NULL, CHANNEL_CONVERSION_RATE, PART_VALUE, false},
};

static const CsvColumn REASONS[] = {
    {NULL, REASON_STAGE, PART_VALUE, false},
    {NULL, REASON_REASON, PART_VALUE, false},
    {NULL, REASON_COUNT, PART_VALUE, false},
    {NULL, REASON_RATE, PART_VALUE, false},
};

/* Every way out of every stage, with its share of the stage's exits (report.h). */
static const CsvColumn EXITS[] = {
    {"stage", STAGE_NAME, PART_VALUE, true}, {NULL, EXIT_TO, PART_VALUE, false},
    {NULL, EXIT_REASON, PART_VALUE, false},  {NULL, EXIT_VIA, PART_VALUE, false},
    {NULL, EXIT_COUNT, PART_VALUE, false},   {NULL, EXIT_SHARE, PART_VALUE, false},
};

/* The emotion curve of every persona: declared, simulated, and the reason the curve gives. */
static const CsvColumn CURVES[] = {
    {"persona", PERSONA_NAME, PART_VALUE, true},  {NULL, CURVE_STAGE, PART_VALUE, false},
    {NULL, CURVE_DECLARED, PART_VALUE, false},    {NULL, CURVE_SIMULATED, PART_VALUE, false},
    {NULL, CURVE_REASON, PART_VALUE, false},
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
        for (int i = fig_first(v->table, r, -1); i >= 0; i = fig_after(v->table, r, -1, i)) row(b, v, r, i, -1);
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
    };
    if (table == CSV_HEADLINE) headline(r, out);
    else if (table == CSV_PAINS) pains(r, out);
    else if (table < CSV_NTABLES) view(out, &views[table], r);
}
