/* report_html.h: what the two halves of the HTML report share (inside render/ only):
 * report_html.c writes the page, its header, headline cards, tables and pictures;
 * report_charts.c draws its charts with chart.h.
 *
 * Every figure of the page is written by html_fig() (or carries html_fig_attrs()): its element
 * gets data-figure (the figure's path in the JSON report, keys and array indexes joined by dots,
 * such as "stages.2.reached"), data-value (the number exactly as the JSON report writes it) and
 * data-format, and shows the value rounded for people. A chart series carries html_series(): the
 * path of a JSON array, the keys of its objects, and their values in order. tests/report/
 * figures.js checks all of them against `cjm run --format json`. */
#ifndef CJM_REPORT_HTML_H
#define CJM_REPORT_HTML_H

#include "report.h"

typedef enum {
    FIG_COUNT,   /* customers: whole in a simulation, one decimal in an exact analysis; 12,345 */
    FIG_RATE,    /* a fraction shown as a percentage with one decimal */
    FIG_MONEY,   /* two decimals */
    FIG_MOOD,    /* signed, two decimals */
    FIG_DAYS,    /* a duration in days, shown for people: "15.8 d", "5.2 h", "42 min" (format.h) */
    FIG_NPS,     /* signed, one decimal */
    FIG_CSAT,    /* two decimals */
    FIG_PLAIN,   /* as the JSON report writes it (seed, horizon) */
    FIG_WHOLE,   /* a whole number, thousands grouped (the cohort) */
} FigKind;

/* The visible text of a figure ("–" when it does not exist). */
void html_fig_text(Buf *b, const RtResult *r, double v, FigKind k);
/* ` data-figure="path" data-value="v" data-format="..."` */
void html_fig_attrs(Buf *b, const char *path, double v, FigKind k);
/* <tag class="cls" data-...>text</tag>; cls may be NULL. */
void html_fig(Buf *b, const RtResult *r, const char *tag, const char *cls, const char *path, double v, FigKind k);
/* ` data-figure="path" data-keys="k1 k2" data-values="a1 b1 a2 b2 ..."`: n objects, nkeys values
 * each, row by row. */
void html_series(Buf *b, const char *path, const char *keys, const double *values, int n, int nkeys);
/* A path from a format (printf-style) into a caller's buffer of 128 bytes. */
const char *html_path(char buf[128], const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The charts, each as one or more <figure> elements. */
void html_chart_funnel(Buf *b, const RtResult *r);
void html_chart_curves(Buf *b, const RtResult *r);
void html_chart_retention(Buf *b, const RtResult *r);
void html_chart_ttc(Buf *b, const RtResult *r);
void html_chart_churn(Buf *b, const RtResult *r);

#endif
