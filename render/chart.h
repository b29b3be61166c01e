/* chart.h: small SVG charts that cjm draws itself (the HTML report's funnel, curves, histogram and
 * bars): a plot area with linear scales, axes with round ticks, grid lines, category labels,
 * lines broken at missing values, markers, areas, bars, text and legends, in the colour-blind-safe
 * Okabe-Ito palette. It knows nothing of journeys: callers map their figures to numbers and text.
 *
 * Coordinates: chart_x()/chart_y() map data values to viewBox units; the drawing functions whose
 * parameters are called px take viewBox units directly. Styling (fonts, text colours, grid
 * colours) comes from CSS classes the page defines (`chart`, `tick`, `axis-title`, `grid`,
 * `zero`, `value`, `legend`); series colours are written on the elements, so that they print.
 * There are no font metrics here: text widths are estimated (chart_text_width) and long labels
 * are cut with an ellipsis to fit.
 *
 * chart_escape() is the one escaper of the report's own text (HTML and SVG, text and attributes).
 *
 * Ownership: a Chart appends to the caller's Buf and owns nothing. */
#ifndef CJM_CHART_H
#define CJM_CHART_H

#include <stdbool.h>

#include "buf.h"

enum { CHART_COLOURS = 8, CHART_MAX_TICKS = 16 };

/* The i-th colour of the palette (cycling): blue, vermillion, bluish green, reddish purple,
 * orange, sky blue, black, yellow ("#rrggbb"). */
const char *chart_colour(int i);

/* Appends text escaped for HTML and XML alike (& < > " '), with control characters turned into
 * spaces and invalid UTF-8 (and the non-characters U+FFFE, U+FFFF) into U+FFFD, so that any
 * input gives a well-formed document. NULL appends nothing. */
void chart_escape(Buf *b, const char *text);

/* Estimated width of text at a font size (both in the same units): 0.58 em a character. */
double chart_text_width(const char *text, double size);
/* Appends text escaped and, when wider than `width`, cut at a character boundary with "…". */
void chart_fit(Buf *b, const char *text, double width, double size);

typedef enum { CHART_NUMBER, CHART_PERCENT, CHART_SIGNED } ChartFormat;

/* Round ticks covering [lo, hi] (lo < hi), at most `most` of them: multiples of a step of 1, 2 or
 * 5 times a power of ten. Returns the step; *lo and *hi are widened to the outer ticks. */
double chart_ticks(double *lo, double *hi, int most, double *ticks, int *n);
/* A tick value as its axis shows it: as many decimals as the step needs; CHART_PERCENT shows
 * v * 100 with "%"; CHART_SIGNED puts "+" before positive values; negatives get a real minus. */
void chart_format(Buf *b, double v, double step, ChartFormat f);

typedef struct Chart {
    Buf *out;
    double width, height;            /* the viewBox */
    double left, top, right, bottom; /* the plot area, in viewBox units */
    double x0, x1, y0, y1;           /* the data values at the plot area's edges */
} Chart;

/* <svg class="chart" viewBox="0 0 W H" role="img" aria-label="label"><title>label</title> ... */
void chart_open(Chart *c, Buf *out, double width, double height, const char *label);
void chart_close(Chart *c);
void chart_plot_area(Chart *c, double left, double top, double right, double bottom);
void chart_scale(Chart *c, double x0, double x1, double y0, double y1);
double chart_x(const Chart *c, double v);
double chart_y(const Chart *c, double v);

/* Horizontal grid lines with labels left of the plot area, and a title along the axis. */
void chart_y_axis(Chart *c, const double *ticks, int n, double step, ChartFormat f, const char *title);
/* The baseline, ticks and labels below the plot area, and a title under them. */
void chart_x_axis(Chart *c, const double *ticks, int n, double step, ChartFormat f, const char *title);

/* Category labels centred under x = 0 .. n-1, each at most `room` wide; they are turned by 35
 * degrees when they would not fit side by side. chart_category_space() says how much height
 * below the plot area they take (decide the plot area with it). */
double chart_category_space(const char *const *labels, int n, double slot, double size, double room);
void chart_x_categories(Chart *c, const char *const *labels, int n, double size, double room);

/* A horizontal or vertical line across the plot area at a data value, with a CSS class. */
void chart_hline(Chart *c, double y, const char *cls);
void chart_vline(Chart *c, double x, const char *cls, const char *stroke);

/* A line through the points (data values); a NaN y breaks it. `attrs` (may be NULL) is added to
 * the element as it is: the caller escapes it. */
void chart_line(Chart *c, const double *x, const double *y, int n, const char *colour, bool dashed, const char *attrs);
/* Circles at the points (not at NaN ones): filled, or hollow (white inside). */
void chart_markers(Chart *c, const double *x, const double *y, int n, const char *colour, bool hollow);
/* The area between the line through the points and y = y0 of the scale. */
void chart_area(Chart *c, const double *x, const double *y, int n, const char *colour, double opacity);
/* The band between two lines through the same x (an interval around a curve): a polygon for each
 * run of points where both bounds are known (a NaN bound breaks it). */
void chart_band(Chart *c, const double *x, const double *lo, const double *hi, int n, const char *colour,
                double opacity);

/* A rectangle in viewBox units, with `attrs` as for chart_line and an optional tooltip (escaped). */
void chart_rect(Chart *c, double x, double y, double w, double h, const char *fill, const char *attrs,
                const char *tooltip);

typedef enum { ANCHOR_START, ANCHOR_MIDDLE, ANCHOR_END } ChartAnchor;
/* Text (escaped) at a point in viewBox units; `attrs` as for chart_line. */
void chart_text(Chart *c, double x, double y, ChartAnchor anchor, const char *cls, const char *attrs, const char *text);

/* A line with a marker, a dashed line with a marker, a box, a dashed line alone, a dot alone. */
typedef enum { KEY_LINE, KEY_DASHED, KEY_BOX, KEY_RULE, KEY_DOT } ChartKeyKind;
typedef struct ChartKey {
    const char *label;
    const char *colour;
    ChartKeyKind kind;
    bool hollow;          /* KEY_LINE, KEY_DASHED: the marker is hollow */
} ChartKey;
/* The keys in a row from (x, y) (the baseline of their text), right-aligned on x when `right`. */
void chart_legend(Chart *c, double x, double y, const ChartKey *keys, int n, bool right);

#endif
