/* chart.c: the SVG chart primitives of chart.h. Writes markup only; every piece of text goes
 * through chart_escape(). Numbers are written with at most two decimals, enough at these sizes. */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
 * deficiency. Yellow comes last: it is faint on white. */
static const char *const PALETTE[CHART_COLOURS] = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
};

static const char MINUS[] = "\xE2\x88\x92"; /* U+2212 */
static const char ELLIPSIS[] = "\xE2\x80\xA6";
static const char REPLACEMENT[] = "\xEF\xBF\xBD";

const char *chart_colour(int i) { return PALETTE[((i % CHART_COLOURS) + CHART_COLOURS) % CHART_COLOURS]; }

/* ---- text ---- */

/* Length of the valid UTF-8 sequence at s (not overlong, no surrogate, at most U+10FFFF, not
 * U+FFFE/U+FFFF), or 0. */
static int utf8_valid(const unsigned char *s)
{
    unsigned c = s[0];
    int n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? (c <= 0xEF ? 3 : 0) : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (n == 0) return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (n == 3) {
        unsigned cp = (c & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
    }
    if (n == 4) {
        unsigned cp = (c & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
        if (cp < 0x10000 || cp > 0x10FFFF) return 0;
    }
    return n;
}

/* Escapes one character at p; returns the bytes it took. */
static int escape_one(Buf *b, const unsigned char *p)
{
    switch (*p) {
    case '&': buf_puts(b, "&amp;"); return 1;
    case '<': buf_puts(b, "&lt;"); return 1;
    case '>': buf_puts(b, "&gt;"); return 1;
    case '"': buf_puts(b, "&quot;"); return 1;
    case '\'': buf_puts(b, "&#39;"); return 1;
    default: break;
    }
    if (*p < 0x20 || *p == 0x7F) {
        buf_putc(b, ' ');
        return 1;
    }
    if (*p < 0x80) {
        buf_putc(b, (char)*p);
        return 1;
    }
    int n = utf8_valid(p);
    if (n == 0) {
        buf_puts(b, REPLACEMENT);
        return 1;
    }
    buf_add(b, (const char *)p, (size_t)n);
    return n;
}

void chart_escape(Buf *b, const char *text)
{
    if (!text) return;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) p += escape_one(b, p);
}

/* Characters in text (invalid bytes count one each). */
static int chars(const char *text)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) n += (*p & 0xC0) != 0x80;
    return n;
}

double chart_text_width(const char *text, double size) { return text ? chars(text) * size * 0.58 : 0; }

void chart_fit(Buf *b, const char *text, double width, double size)
{
    if (!text) return;
    if (chart_text_width(text, size) <= width) {
        chart_escape(b, text);
        return;
    }
    int keep = (int)(width / (size * 0.58)) - 1;
    const unsigned char *p = (const unsigned char *)text;
    size_t start = b->len;
    for (int i = 0; i < keep && *p; i++) p += escape_one(b, p);
    while (b->len > start && b->data[b->len - 1] == ' ') b->data[--b->len] = '\0';
    buf_puts(b, ELLIPSIS);
}

/* ---- numbers ---- */

/* A coordinate: two decimals at most, no "-0". */
static void coord(Buf *b, double v)
{
    double r = round(v * 100) / 100;
    if (r == 0) r = 0;
    if (r == floor(r)) buf_printf(b, "%.0f", r);
    else buf_printf(b, "%.2f", r);
}

double chart_ticks(double *lo, double *hi, int most, double *ticks, int *n)
{
    if (most < 2) most = 2;
    if (most > CHART_MAX_TICKS) most = CHART_MAX_TICKS;
    double span = *hi - *lo;
    if (!(span > 0)) span = fabs(*hi) > 0 ? fabs(*hi) : 1;
    double step = 1;
    double p = pow(10, floor(log10(span / (most - 1))));
    static const double mult[] = {1, 2, 5, 10, 20};
    for (int i = 0; i < 5; i++) {
        step = mult[i] * p;
        if (ceil(*hi / step - 1e-9) - floor(*lo / step + 1e-9) + 1 <= most) break;
    }
    double first = floor(*lo / step + 1e-9), last = ceil(*hi / step - 1e-9);
    if (last <= first) last = first + 1;
    *n = 0;
    for (double k = first; k <= last && *n < CHART_MAX_TICKS; k++) {
        double v = k * step;
        ticks[(*n)++] = fabs(v) < step * 1e-9 ? 0 : v;
    }
    *lo = ticks[0];
    *hi = ticks[*n - 1];
    return step;
}

void chart_format(Buf *b, double v, double step, ChartFormat f)
{
    double scale = f == CHART_PERCENT ? 100 : 1;
    double x = v * scale, s = step * scale;
    int decimals = s >= 1 || !(s > 0) ? 0 : (int)ceil(-log10(s) - 1e-9);
    if (decimals > 6) decimals = 6;
    char digits[64];
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(x));
    bool zero = strspn(digits, "0.") == strlen(digits);
    if (x < 0 && !zero) buf_puts(b, MINUS);
    else if (f == CHART_SIGNED && x > 0 && !zero) buf_putc(b, '+');
    buf_puts(b, digits);
    if (f == CHART_PERCENT) buf_putc(b, '%');
}

/* ---- the chart ---- */

void chart_open(Chart *c, Buf *out, double width, double height, const char *label)
{
    memset(c, 0, sizeof *c);
    c->out = out;
    c->width = width;
    c->height = height;
    c->left = c->top = 0;
    c->right = width;
    c->bottom = height;
    c->x1 = c->y1 = 1;
    buf_puts(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
    coord(out, width);
    buf_putc(out, ' ');
    coord(out, height);
    buf_puts(out, "\" role=\"img\" aria-label=\"");
    chart_escape(out, label);
    buf_puts(out, "\"><title>");
    chart_escape(out, label);
    buf_puts(out, "</title>\n");
}

void chart_close(Chart *c) { buf_puts(c->out, "</svg>\n"); }

void chart_plot_area(Chart *c, double left, double top, double right, double bottom)
{
    c->left = left;
    c->top = top;
    c->right = right;
    c->bottom = bottom;
}

void chart_scale(Chart *c, double x0, double x1, double y0, double y1)
{
    c->x0 = x0;
    c->x1 = x1 != x0 ? x1 : x0 + 1;
    c->y0 = y0;
    c->y1 = y1 != y0 ? y1 : y0 + 1;
}

double chart_x(const Chart *c, double v) { return c->left + (v - c->x0) / (c->x1 - c->x0) * (c->right - c->left); }
double chart_y(const Chart *c, double v) { return c->bottom - (v - c->y0) / (c->y1 - c->y0) * (c->bottom - c->top); }

static void line_px(Buf *b, double x1, double y1, double x2, double y2, const char *cls, const char *stroke)
{
    buf_puts(b, "<line");
    if (cls) buf_printf(b, " class=\"%s\"", cls);
    buf_puts(b, " x1=\"");
    coord(b, x1);
    buf_puts(b, "\" y1=\"");
    coord(b, y1);
    buf_puts(b, "\" x2=\"");
    coord(b, x2);
    buf_puts(b, "\" y2=\"");
    coord(b, y2);
    buf_putc(b, '"');
    if (stroke) buf_printf(b, " stroke=\"%s\"", stroke);
    buf_puts(b, "/>\n");
}

void chart_text(Chart *c, double x, double y, ChartAnchor anchor, const char *cls, const char *attrs, const char *text)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    Buf *b = c->out;
    buf_puts(b, "<text x=\"");
    coord(b, x);
    buf_puts(b, "\" y=\"");
    coord(b, y);
    buf_putc(b, '"');
    if (anchor != ANCHOR_START) buf_printf(b, " text-anchor=\"%s\"", anchors[anchor]);
    if (cls) buf_printf(b, " class=\"%s\"", cls);
    if (attrs) buf_printf(b, " %s", attrs);
    buf_putc(b, '>');
    chart_escape(b, text);
    buf_puts(b, "</text>\n");
}

void chart_y_axis(Chart *c, const double *ticks, int n, double step, ChartFormat f, const char *title)
{
    for (int i = 0; i < n; i++) {
        double y = chart_y(c, ticks[i]);
        line_px(c->out, c->left, y, c->right, y, "grid", NULL);
        Buf t = BUF_INIT;
        chart_format(&t, ticks[i], step, f);
        chart_text(c, c->left - 6, y + 4, ANCHOR_END, "tick", NULL, buf_str(&t));
        buf_free(&t);
    }
    if (!title) return;
    double x = 14, y = (c->top + c->bottom) / 2;
    Buf *b = c->out;
    buf_puts(b, "<text class=\"axis-title\" text-anchor=\"middle\" transform=\"translate(");
    coord(b, x);
    buf_putc(b, ' ');
    coord(b, y);
    buf_puts(b, ") rotate(-90)\">");
    chart_escape(b, title);
    buf_puts(b, "</text>\n");
}

void chart_x_axis(Chart *c, const double *ticks, int n, double step, ChartFormat f, const char *title)
{
    line_px(c->out, c->left, c->bottom, c->right, c->bottom, "axis", NULL);
    for (int i = 0; i < n; i++) {
        double x = chart_x(c, ticks[i]);
        line_px(c->out, x, c->bottom, x, c->bottom + 5, "axis", NULL);
        Buf t = BUF_INIT;
        chart_format(&t, ticks[i], step, f);
        chart_text(c, x, c->bottom + 18, ANCHOR_MIDDLE, "tick", NULL, buf_str(&t));
        buf_free(&t);
    }
    if (title) chart_text(c, (c->left + c->right) / 2, c->bottom + 38, ANCHOR_MIDDLE, "axis-title", NULL, title);
}

/* Whether category labels must be turned: some label is wider than its slot. */
static bool turned(const char *const *labels, int n, double slot, double size, double room)
{
    for (int i = 0; i < n; i++) {
        double w = chart_text_width(labels[i], size);
        if ((w < room ? w : room) > slot - 4) return true;
    }
    return false;
}

double chart_category_space(const char *const *labels, int n, double slot, double size, double room)
{
    if (!turned(labels, n, slot, size, room)) return size + 10;
    double widest = 0;
    for (int i = 0; i < n; i++) {
        double w = chart_text_width(labels[i], size);
        if (w > widest) widest = w;
    }
    if (widest > room) widest = room;
    return widest * sin(35 * M_PI / 180) + size + 10;
}

void chart_x_categories(Chart *c, const char *const *labels, int n, double size, double room)
{
    double slot = n > 1 ? chart_x(c, 1) - chart_x(c, 0) : c->right - c->left;
    bool turn = turned(labels, n, slot, size, room);
    /* Turned labels need a line's height each: when slots are narrower, label every k-th. */
    int every = !turn || slot >= size * 1.3 ? 1 : (int)ceil(size * 1.3 / slot);
    line_px(c->out, c->left, c->bottom, c->right, c->bottom, "axis", NULL);
    for (int i = 0; i < n; i += every) {
        double x = chart_x(c, i), y = c->bottom + size + 4;
        Buf t = BUF_INIT;
        chart_fit(&t, labels[i], turn ? room : slot - 4, size);
        Buf *b = c->out;
        buf_puts(b, "<text class=\"tick\"");
        if (turn) {
            buf_puts(b, " text-anchor=\"end\" transform=\"translate(");
            coord(b, x + size * 0.3);
            buf_putc(b, ' ');
            coord(b, y - size * 0.3);
            buf_puts(b, ") rotate(-35)\"");
        } else {
            buf_puts(b, " text-anchor=\"middle\" x=\"");
            coord(b, x);
            buf_puts(b, "\" y=\"");
            coord(b, y);
            buf_putc(b, '"');
        }
        buf_puts(b, "><title>");
        chart_escape(b, labels[i]);
        buf_printf(b, "</title>%s</text>\n", buf_str(&t));
        buf_free(&t);
    }
}

void chart_hline(Chart *c, double y, const char *cls)
{
    double py = chart_y(c, y);
    line_px(c->out, c->left, py, c->right, py, cls, NULL);
}

void chart_vline(Chart *c, double x, const char *cls, const char *stroke)
{
    double px = chart_x(c, x);
    line_px(c->out, px, c->top, px, c->bottom, cls, stroke);
}

/* The points of one unbroken run [from, to) as "x,y x,y ...". */
static void points(Buf *b, const Chart *c, const double *x, const double *y, int from, int to)
{
    for (int i = from; i < to; i++) {
        if (i > from) buf_putc(b, ' ');
        coord(b, chart_x(c, x[i]));
        buf_putc(b, ',');
        coord(b, chart_y(c, y[i]));
    }
}

void chart_line(Chart *c, const double *x, const double *y, int n, const char *colour, bool dashed, const char *attrs)
{
    Buf *b = c->out;
    buf_printf(b, "<g fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" stroke-linejoin=\"round\"%s", colour,
               dashed ? " stroke-dasharray=\"7 5\"" : "");
    if (attrs) buf_printf(b, " %s", attrs);
    buf_puts(b, ">\n");
    for (int i = 0; i < n;) {
        while (i < n && isnan(y[i])) i++;
        int from = i;
        while (i < n && !isnan(y[i])) i++;
        if (i - from < 2) continue;
        buf_puts(b, "<polyline points=\"");
        points(b, c, x, y, from, i);
        buf_puts(b, "\"/>\n");
    }
    buf_puts(b, "</g>\n");
}

void chart_markers(Chart *c, const double *x, const double *y, int n, const char *colour, bool hollow)
{
    Buf *b = c->out;
    buf_printf(b, "<g fill=\"%s\" stroke=\"%s\" stroke-width=\"2\">\n", hollow ? "#ffffff" : colour, colour);
    for (int i = 0; i < n; i++) {
        if (isnan(y[i])) continue;
        buf_puts(b, "<circle cx=\"");
        coord(b, chart_x(c, x[i]));
        buf_puts(b, "\" cy=\"");
        coord(b, chart_y(c, y[i]));
        buf_puts(b, "\" r=\"4\"/>\n");
    }
    buf_puts(b, "</g>\n");
}

void chart_area(Chart *c, const double *x, const double *y, int n, const char *colour, double opacity)
{
    if (n < 2) return;
    Buf *b = c->out;
    buf_printf(b, "<polygon fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\" points=\"", colour, opacity);
    coord(b, chart_x(c, x[0]));
    buf_putc(b, ',');
    coord(b, chart_y(c, c->y0));
    buf_putc(b, ' ');
    points(b, c, x, y, 0, n);
    buf_putc(b, ' ');
    coord(b, chart_x(c, x[n - 1]));
    buf_putc(b, ',');
    coord(b, chart_y(c, c->y0));
    buf_puts(b, "\"/>\n");
}

void chart_band(Chart *c, const double *x, const double *lo, const double *hi, int n, const char *colour,
                double opacity)
{
    Buf *b = c->out;
    for (int i = 0; i < n;) {
        while (i < n && (isnan(lo[i]) || isnan(hi[i]))) i++;
        int from = i;
        while (i < n && !isnan(lo[i]) && !isnan(hi[i])) i++;
        if (i - from < 2) continue;
        buf_printf(b, "<polygon fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\" points=\"", colour, opacity);
        points(b, c, x, hi, from, i);
        for (int k = i - 1; k >= from; k--) {
            buf_putc(b, ' ');
            coord(b, chart_x(c, x[k]));
            buf_putc(b, ',');
            coord(b, chart_y(c, lo[k]));
        }
        buf_puts(b, "\"/>\n");
    }
}

void chart_rect(Chart *c, double x, double y, double w, double h, const char *fill, const char *attrs,
                const char *tooltip)
{
    Buf *b = c->out;
    buf_puts(b, "<rect x=\"");
    coord(b, x);
    buf_puts(b, "\" y=\"");
    coord(b, y);
    buf_puts(b, "\" width=\"");
    coord(b, w > 0 ? w : 0);
    buf_puts(b, "\" height=\"");
    coord(b, h > 0 ? h : 0);
    buf_printf(b, "\" fill=\"%s\"", fill);
    if (attrs) buf_printf(b, " %s", attrs);
    if (!tooltip) {
        buf_puts(b, "/>\n");
        return;
    }
    buf_puts(b, "><title>");
    chart_escape(b, tooltip);
    buf_puts(b, "</title></rect>\n");
}

/* One key's sample: a short line (with its marker) or a box, 24 units wide, left at x. */
static void key_sample(Chart *c, double x, double y, const ChartKey *k)
{
    if (k->kind == KEY_BOX) {
        chart_rect(c, x + 4, y - 10, 14, 12, k->colour, NULL, NULL);
        return;
    }
    if (k->kind != KEY_DOT)
        buf_printf(c->out,
                   "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"2.5\"%s/>\n", x,
                   y - 4, x + 24, y - 4, k->colour, k->kind == KEY_LINE ? "" : " stroke-dasharray=\"6 3\"");
    if (k->kind == KEY_RULE) return;
    buf_printf(c->out, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"2\"/>\n",
               x + 12, y - 4, k->hollow ? "#ffffff" : k->colour, k->colour);
}

void chart_legend(Chart *c, double x, double y, const ChartKey *keys, int n, bool right)
{
    enum { SAMPLE = 30, GAP = 16, SIZE = 12 };
    double total = 0;
    for (int i = 0; i < n; i++) total += SAMPLE + chart_text_width(keys[i].label, SIZE) + GAP;
    double at = right ? x - total + GAP : x;
    buf_puts(c->out, "<g class=\"legend\">\n");
    for (int i = 0; i < n; i++) {
        key_sample(c, at, y, &keys[i]);
        chart_text(c, at + SAMPLE, y, ANCHOR_START, "legend", NULL, keys[i].label);
        at += SAMPLE + chart_text_width(keys[i].label, SIZE) + GAP;
    }
    buf_puts(c->out, "</g>\n");
}
