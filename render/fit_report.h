/* fit_report.h: a journey fitted to an event log (fit/fit.h's FitResult), and optionally the
 * verdicts of its validation (fit/validate.h), as a table for a terminal, JSON, CSV and HTML.
 *
 * Every format carries the same figures: the log as read (events, cases, what they mapped to,
 * the columns used), per stage its entries and survey answers, every move out of a stage with its
 * observed share and 95% interval beside the declared probability (flagged when outside), the
 * moves the journey does not have, each stage's fitted wait beside the declared one, the
 * touchpoints' reach, the personas' shares and the unmapped events. docs/fit-json.md documents
 * the JSON schema; docs/fitting.md what the figures mean.
 *
 * Renderers append to a Buf and never write a file (cli/output.h does, atomically). */
#ifndef CJM_RENDER_FIT_REPORT_H
#define CJM_RENDER_FIT_REPORT_H

#include <stdbool.h>

#include "buf.h"
#include "fit.h"
#include "log.h"
#include "report.h"

/* The "schema" value of `cjm fit --format json`; raised only when a key changes meaning or goes
 * away. */
enum { FIT_JSON_SCHEMA = 1 };

/* One figure of a validation: the observed value, the simulated one with its 95% interval, and
 * whether the observed value lies inside (fit/validate.h makes them). Declared here as well so
 * that the renderers need nothing but this header. */
typedef struct FitVerdict FitVerdict;

/* What is rendered: the estimates, and where they come from. */
typedef struct FitReport {
    const FitResult *fit;
    const char *journey;            /* the journey file as named on the command line */
    const char *log;                /* the log file likewise */
    const LogColumns *columns;      /* the header names taken for each column (NULL: not known) */
    LogTimeFormat time_format;      /* how the time column is written (LOG_TIME_AUTO: not known) */
    const FitVerdict *verdicts;     /* --validate's, or NULL */
    int nverdicts;
} FitReport;

/* The tables `--format csv --csv-table` chooses. */
typedef enum {
    FIT_CSV_MOVES,
    FIT_CSV_WAITS,
    FIT_CSV_TOUCHPOINTS,
    FIT_CSV_PERSONAS,
    FIT_CSV_STAGES,
    FIT_CSV_UNMAPPED,
    FIT_CSV_VALIDATION,
    FIT_CSV_MET,            /* arrows A + B * met(T) */
    FIT_CSV_TRAITS,         /* --trait: every family tried */
    FIT_CSV_CHOICES,        /* --trait of a choice trait: each value's share */
    FIT_CSV_CANNOT,         /* what the log cannot tell */
    FIT_CSV_NTABLES
} FitCsvTable;

/* "moves", "waits", ...: false for another name. */
bool render_fit_parse_csv_table(const char *s, FitCsvTable *t);

void render_fit_table(const FitReport *r, Buf *out);
void render_fit_json(const FitReport *r, Buf *out);
void render_fit_csv(const FitReport *r, FitCsvTable t, Buf *out);

/* The HTML section (a <section class="fit">): the observed funnel beside the one the journey's
 * declared arrows give for the observed starts, each stage's observed waits against the fitted
 * density (inline SVG), and the tables; for a page of its own (render_fit_html) or, later, the
 * run's report. */
void render_fit_html_section(const FitReport *r, Buf *out);
/* A self-contained page around the section, in the HTML report's style. */
void render_fit_html(const FitReport *r, const char *version, Buf *out);

#endif
