/* figures.h: every figure of a run's report, defined once (figures.c): its JSON key, its title
 * for people, its kind (a count, a rate with its interval, money, days, a mood, a score...), and
 * how to get it from an RtResult. The JSON report is these definitions written out in order; the
 * table, CSV and HTML views pick figures from them, so that a figure has the same name, value and
 * rounding wherever it appears. docs/architecture.md ("render/: figures defined once") says how
 * to add one.
 *
 * The report is a tree: FIG_REPORT, an object of one row, holds the figures of the run, the
 * objects of the headline (prospects, customers, money, satisfaction: ../shared/design/kpis.md,
 * computed by runtime/kpi.h), the funnel and the calendar, the series behind the charts, and the
 * row tables (stages, personas, ...), whose rows hold figures again (and, for stages and
 * personas, the tables of their exits and emotion curves). Each figure's getter reads one row of
 * its table. */
#ifndef CJM_RENDER_FIGURES_H
#define CJM_RENDER_FIGURES_H

#include <stdbool.h>

#include "buf.h"
#include "kpi.h"
#include "report.h"

/* What a figure is, which says how it is shown to people (fig_text, fig_html_text). */
typedef enum {
    FIG_COUNT,  /* customers (or entries): whole in a simulation, one decimal in an exact analysis */
    FIG_RATE,   /* a fraction, shown as a percentage with one decimal */
    FIG_MONEY,  /* two decimals */
    FIG_MOOD,   /* -1..+1, signed, two decimals */
    FIG_DAYS,   /* a duration in days, shown for people: "15.8 d", "5.2 h", "42 min" (format.h) */
    FIG_NPS,    /* -100..+100, signed, one decimal */
    FIG_CSAT,   /* 1..5, two decimals */
    FIG_RATIO,  /* a ratio such as LTV:CAC, two decimals and "×" ("3.20×") */
    FIG_PLAIN,  /* as the JSON report writes it (seed, horizon) */
    FIG_WHOLE,  /* a whole number, thousands grouped (the cohort); the last kind of number */
    FIG_TEXT,   /* a string, or null */
    FIG_BOOL,
    FIG_TEXTS,  /* a list of strings, on one line */
    FIG_PLACE,  /* a place in a journey file, "file:line:col", or null */
    FIG_TABLE,  /* an array of rows (FigTable) */
    FIG_OBJECT, /* an object of members (a FigTable of one row) */
    FIG_SERIES, /* an array of points of a chart (FigSeries), or null */
} FigKind;

/* How a number figure is written in JSON, and so the paths of its parts. */
typedef enum {
    SHAPE_NUMBER,  /* "k": v */
    SHAPE_WITH_CI, /* "k": v, "k_ci95": [lo, hi], or null without an interval */
    SHAPE_COUNT,   /* "k": {"count": c, "rate": v} (a count object) */
    SHAPE_RATE,    /* "k": {"count": c, "rate": v, "ci95": [lo, hi]} (a rate object) */
} FigShape;

/* A part of a figure: its value, a rate's count, the bounds of its interval. */
typedef enum { PART_VALUE, PART_COUNT, PART_LO, PART_HI } FigPart;

typedef struct FigTable FigTable;
typedef struct FigSeries FigSeries;

/* A figure's value in one row. Numbers are NaN where the figure does not exist (JSON null, "-"
 * for people); lo and hi are NaN without an interval. `note` says why a figure does not exist
 * (FIGF_NOTE): a number that is NaN, or a table, object or series that is then null. */
typedef struct FigValue {
    double value, lo, hi;
    double count;            /* a rate's count (SHAPE_COUNT, SHAPE_RATE) */
    const char *text;        /* FIG_TEXT (NULL: null); FIG_BOOL: unused */
    const StrList *texts;    /* FIG_TEXTS */
    Loc loc;                 /* FIG_PLACE */
    const FigTable *table;   /* FIG_TABLE, FIG_OBJECT */
    const FigSeries *series; /* FIG_SERIES */
    const char *note;        /* why it does not exist; NULL when it does */
} FigValue;

/* Where a getter reads: the run, the journey file as the command line named it, a row of the
 * figure's table, and the row of the table around that one (a stage's exits, a persona's
 * curve); -1 where there is none. */
typedef struct FigAt {
    const RtResult *r;
    const char *file;
    int row, parent;
} FigAt;

typedef struct Figure {
    const char *key;         /* its key in JSON, the last part of its path */
    const char *title;       /* for people: the HTML report's headings and cards */
    const char *short_title; /* a terminal table's column heading */
    FigKind kind;
    FigShape shape;
    FigValue (*get)(const FigAt *at);
    unsigned flags;          /* FIGF_... */
} Figure;

enum {
    FIGF_META = 1,        /* a property of the run (schema, seed, ...), not a headline figure of CSV */
    FIGF_PEOPLE_ONLY = 2, /* shown to people only, not written in JSON or CSV */
    FIGF_NOTE = 4,        /* may not exist for a reason: JSON writes "key_note" beside it, the reason
                             or null (docs/report-json.md) */
};

struct FigTable {
    const char *key;         /* the array's key (or the object's) */
    bool one_line;           /* each row on one line in JSON */
    /* The first row >= row of the table inside row `parent` of the table around it, or -1 (rows
     * that a report leaves out, such as unused channels, are skipped). */
    int (*next)(const RtResult *r, int parent, int row);
    const Figure *members;
    int n;
};

/* The points of a chart: n points of nkeys numbers each (keys: their JSON keys, space-separated),
 * row by row, malloc'd; NULL (JSON null) when the run has none. */
struct FigSeries {
    const char *keys;
    int nkeys;
    double *(*points)(const RtResult *r, int *n);
};

/* ---- the report ---- */

extern const FigTable FIG_REPORT;      /* the top level: one row */
/* Objects of the top level. */
extern const FigTable FIG_PROSPECTS, FIG_CUSTOMERS, FIG_CUSTOMER_RETENTION, FIG_MONEY_TABLE, FIG_SATISFACTION,
    FIG_TIME_TO_CONVERT, FIG_COHORT_RETENTION;
extern const FigTable FIG_FUNNEL, FIG_CALENDAR, FIG_REASONS, FIG_STAGES, FIG_EXITS, FIG_PERSONAS, FIG_CURVE,
    FIG_TOUCHPOINTS, FIG_CHANNELS, FIG_WARNINGS;
extern const FigSeries FIG_TTC_HISTOGRAM, FIG_CUSTOMER_RETENTION_CURVE, FIG_COHORT_RETENTION_CURVE;

/* The members of each table, by index (FIG_STAGES.members[STAGE_REACHED]): figures.def. */
#include "figures.def"
#define FIG_ENUM(id, ...) id,
enum { REPORT_MEMBERS(FIG_ENUM) R_N };
enum { PROSPECT_MEMBERS(FIG_ENUM) PRO_N };
enum { CUSTOMER_MEMBERS(FIG_ENUM) CUS_N };
enum { CUSTOMER_RETENTION_MEMBERS(FIG_ENUM) CRET_N };
enum { MONEY_MEMBERS(FIG_ENUM) MONEY_N };
enum { SATISFACTION_MEMBERS(FIG_ENUM) SAT_N };
enum { FUNNEL_MEMBERS(FIG_ENUM) FUN_N };
enum { CALENDAR_MEMBERS(FIG_ENUM) CAL_N };
enum { TTC_MEMBERS(FIG_ENUM) TTC_N };
enum { COHORT_RETENTION_MEMBERS(FIG_ENUM) COHORT_RET_N };
enum { REASON_MEMBERS(FIG_ENUM) REASON_N };
enum { STAGE_MEMBERS(FIG_ENUM) STAGE_N };
enum { EXIT_MEMBERS(FIG_ENUM) EXIT_N };
enum { PERSONA_MEMBERS(FIG_ENUM) PERSONA_N };
enum { CURVE_MEMBERS(FIG_ENUM) CURVE_N };
enum { TOUCH_MEMBERS(FIG_ENUM) TOUCH_N };
enum { CHANNEL_MEMBERS(FIG_ENUM) CHANNEL_N };
enum { WARNING_MEMBERS(FIG_ENUM) WARNING_N };
#undef FIG_ENUM

/* ---- reading figures ---- */

/* The figures of kpis.md (rt_kpis) and the funnel's main path (rt_main_path) of one run, computed
 * once for a whole report: every writer opens its run before reading its figures and closes it
 * after, so that the dozens of figures and funnel rows that need them do not each compute them
 * again. Reading figures of a run that is not open works too, only slower. One run is open at a
 * time (the reports are written on one thread). */
void fig_open(const RtResult *r);
void fig_close(void);

/* The value of figure f of `table` in row `row` (inside row `parent` of the table around it). */
FigValue fig_get(const Figure *f, const RtResult *r, int row, int parent);
/* The stage at position k of the funnel's main path. */
int fig_funnel_stage(const RtResult *r, int k);
/* "nps", "csat", or NULL when touchpoint t is not a survey. */
const char *fig_survey_name(const RtResult *r, int t);
/* Whether a run has survey touchpoints. */
bool fig_has_surveys(const RtResult *r);
/* Whether a kind is a number (FIG_COUNT .. FIG_WHOLE). */
bool fig_is_number(FigKind k);
/* One part of a value, and the kind it is shown as (a rate's count is a count). */
double fig_part(FigValue v, FigPart part);
FigKind fig_part_kind(const Figure *f, FigPart part);
/* Whether a figure shows an interval: a simulation's, with both bounds. */
bool fig_has_interval(const RtResult *r, FigValue v);
/* Iterating a table's rows: for (int i = fig_first(t, r, p); i >= 0; i = fig_after(t, r, p, i)). */
int fig_first(const FigTable *t, const RtResult *r, int parent);
int fig_after(const FigTable *t, const RtResult *r, int parent, int row);

enum { FIG_PATH_MAX = 160 };
/* The JSON path of a row ("stages.2", "stages.2.exits.0"): `outer` is the path of the row the
 * table is in ("" or NULL at the top level), `index` the row's position among those written. */
const char *fig_row_path(char buf[FIG_PATH_MAX], const char *outer, const FigTable *t, int index);
/* The JSON path of a part of figure f in the row at `row_path`: "stages.2.reached",
 * "conversion.ci95.0", "cac_ci95.1", "time_to_convert.mean". */
const char *fig_path(char buf[FIG_PATH_MAX], const char *row_path, const Figure *f, FigPart part);

/* What did not leave a stage by a way out, shown under its ways out: the entries the horizon cut
 * while in it, and the customers who completed there; each a count (a member of FIG_STAGES) and
 * its share of the stage's entries, in words. */
typedef struct FigStayed {
    int count, share;
    const char *what;
} FigStayed;
extern const FigStayed FIG_STAYED[2];

/* A column of a view of a table: a part of a member of its rows, under the heading given or the
 * figure's own title; `outer`: a member of the row around (an exit's stage in CSV's flat table). */
typedef struct FigColumn {
    int member;
    FigPart part;
    const char *heading;
    bool outer;
} FigColumn;
#define FIG_COLUMN(member) {member, PART_VALUE, NULL, false}
#define FIG_NCOLUMNS(cols) ((int)(sizeof cols / sizeof cols[0]))

/* The pain points, then the opportunities, of every touchpoint in report order: the rows of the
 * table of pain points that the table, CSV and HTML reports show (with the touchpoint's
 * figures). malloc'd; *n of them. */
typedef struct FigPain {
    int touchpoint;
    bool pain;        /* else an opportunity */
    const char *text;
} FigPain;
FigPain *fig_pains(const RtResult *r, int *n);

/* ---- showing figures to people ---- */

/* A number for a terminal: "1234", "12.3%", "+0.25", "4.50", "15.8 d"; "-" when it does not exist. */
void fig_text(Buf *b, FigKind k, double v, bool exact);
/* An interval for a terminal: "12.1%–13.4%", "4.10–4.52". */
void fig_interval_text(Buf *b, FigKind k, double lo, double hi, bool exact);
/* A number for the HTML report: thousands grouped, a real minus, a no-break space before a unit;
 * "–" when it does not exist. */
void fig_html_text(Buf *b, FigKind k, double v, bool exact);
/* The HTML report's data-format name of a kind: "count", "pct", "money", ... */
const char *fig_kind_name(FigKind k);

#endif
