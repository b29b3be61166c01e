/* report_html.h: what the two halves of the HTML report share (inside render/ only):
 * report_html.c writes the page, its header, headline cards, tables and pictures;
 * report_charts.c draws its charts with chart.h.
 *
 * Every figure of the page is a figure of the catalogue (figures.h), written by html_member() (or
 * html_fig() with a path from fig_path()): its element gets data-figure (the figure's path in the
 * JSON report, keys and array indexes joined by dots, such as "stages.2.reached"), data-value
 * (the number exactly as the JSON report writes it) and data-format, and shows the value rounded
 * for people. A chart series carries html_series(): the
 * path of a JSON array, the keys of its objects, and their values in order. tests/report/
 * figures.js checks all of them against `cjm run --format json`. */
#ifndef CJM_REPORT_HTML_H
#define CJM_REPORT_HTML_H

#include "figures.h"
#include "report.h"

/* The visible text of a figure ("–" when it does not exist): fig_html_text(). */
void html_fig_text(Buf *b, const RtResult *r, double v, FigKind k);
/* ` data-figure="path" data-value="v" data-format="..."` */
void html_fig_attrs(Buf *b, const char *path, double v, FigKind k);
/* <tag class="cls" data-...>text</tag>; cls may be NULL. */
void html_fig(Buf *b, const RtResult *r, const char *tag, const char *cls, const char *path, double v, FigKind k);
/* ` data-figure="path" data-keys="k1 k2" data-values="a1 b1 a2 b2 ..."`: n objects, nkeys values
 * each, row by row. */
void html_series(Buf *b, const char *path, const char *keys, const double *values, int n, int nkeys);

/* A row of a table of the catalogue of figures (figures.h) as the page shows it: its figures,
 * written by html_member(), carry the JSON path the catalogue gives them. */
typedef struct HtmlRow {
    const RtResult *r;
    const FigTable *t;
    int row, parent;
    char path[FIG_PATH_MAX]; /* the row's JSON path: "stages.2", "" at the top level */
} HtmlRow;
/* Row `row` of table t inside row `parent` of the table around it, the index-th written there;
 * `outer` is the path of that row ("" or NULL at the top level). */
HtmlRow html_row(const RtResult *r, const FigTable *t, int row, int parent, const char *outer, int index);
/* The top level (FIG_REPORT) or one of its objects (FIG_TIME_TO_CONVERT, FIG_RETENTION). */
HtmlRow html_object(const RtResult *r, const FigTable *t);
FigValue html_value(const HtmlRow *w, int member);
/* A member of the top level (FIG_REPORT). */
FigValue html_value_of(const RtResult *r, int member);
const char *html_member_path(char buf[FIG_PATH_MAX], const HtmlRow *w, int member, FigPart part);
/* html_fig() of a part of a member of the row. */
void html_member(Buf *b, const HtmlRow *w, const char *tag, const char *cls, int member, FigPart part);
/* Its text alone (a figure shown only to people, a tooltip). */
void html_member_text(Buf *b, const HtmlRow *w, int member, FigPart part);

/* The charts, each as one or more <figure> elements. */
void html_chart_funnel(Buf *b, const RtResult *r);
void html_chart_curves(Buf *b, const RtResult *r);
void html_chart_retention(Buf *b, const RtResult *r);
void html_chart_customer_retention(Buf *b, const RtResult *r);
void html_chart_calendar(Buf *b, const RtResult *r);
void html_chart_ttc(Buf *b, const RtResult *r);
void html_chart_churn(Buf *b, const RtResult *r);

#endif
