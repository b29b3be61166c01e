/* format.c: aligned tables, JSON and CSV writing, and durations for people, shared by the reports
 * (see format.h). */
#include "format.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "report.h"

/* ---- aligned columns ---- */

void grid_init(Grid *g, const char *align)
{
    memset(g, 0, sizeof *g);
    g->ncols = (int)strlen(align);
    for (int i = 0; i < g->ncols; i++) g->right[i] = align[i] == 'r';
}

void grid_cell(Grid *g, const char *fmt, ...)
{
    Buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (g->ncells == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->cells = xrealloc(g->cells, (size_t)g->cap * sizeof *g->cells);
    }
    g->cells[g->ncells++] = buf_take(&b);
}

static int width(const char *s)
{
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void pad(Buf *b, int n)
{
    for (int i = 0; i < n; i++) buf_putc(b, ' ');
}

void grid_print(Grid *g, Buf *out)
{
    int w[GRID_MAX_COLS] = {0};
    for (int i = 0; i < g->ncells; i++) {
        int c = i % g->ncols, n = width(g->cells[i]);
        if (n > w[c]) w[c] = n;
    }
    for (int i = 0; i < g->ncells; i++) {
        int c = i % g->ncols, n = width(g->cells[i]);
        buf_puts(out, "  ");
        bool last = c == g->ncols - 1;
        if (g->right[c]) pad(out, w[c] - n);
        buf_puts(out, g->cells[i]);
        if (!g->right[c] && !last) pad(out, w[c] - n);
        if (last) {
            while (out->len > 0 && out->data[out->len - 1] == ' ') out->len--; /* no trailing blanks */
            out->data[out->len] = 0;
            buf_putc(out, '\n');
        }
    }
    for (int i = 0; i < g->ncells; i++) free(g->cells[i]);
    free(g->cells);
}

/* ---- JSON ---- */

static bool on_one_line(const Json *j) { return j->line_depth > 0 && j->depth >= j->line_depth; }

static void newline(Json *j)
{
    buf_putc(j->b, '\n');
    for (int i = 0; i < j->depth; i++) buf_puts(j->b, "  ");
}

void json_next(Json *j)
{
    bool first = j->first;
    if (!first) buf_putc(j->b, ',');
    j->first = false;
    if (!on_one_line(j)) newline(j);
    else if (!first) buf_putc(j->b, ' ');
}

void json_str(Buf *b, const char *s)
{
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f) buf_printf(b, "\\u%04x", *p);
            else buf_putc(b, (char)*p);
        }
    }
    buf_putc(b, '"');
}

void json_key(Json *j, const char *k)
{
    json_next(j);
    json_str(j->b, k);
    buf_puts(j->b, ": ");
}

void json_open(Json *j, char c)
{
    buf_putc(j->b, c);
    j->depth++;
    j->first = true;
}

void json_open_line(Json *j, char c)
{
    json_open(j, c);
    if (j->line_depth == 0) j->line_depth = j->depth;
}

void json_close(Json *j, char c)
{
    bool line = on_one_line(j);
    if (j->line_depth == j->depth) j->line_depth = 0;
    j->depth--;
    if (!j->first && !line) newline(j);
    buf_putc(j->b, c);
    j->first = false;
}

void json_put_num(Json *j, double v) { render_number(j->b, v); }

void json_put_text(Json *j, const char *v)
{
    if (v) json_str(j->b, v);
    else json_put_null(j);
}

void json_put_bool(Json *j, bool v) { buf_puts(j->b, v ? "true" : "false"); }

void json_put_null(Json *j) { buf_puts(j->b, "null"); }

void json_put_pair(Json *j, double a, double b)
{
    json_open_line(j, '[');
    json_next(j);
    json_put_num(j, a);
    json_next(j);
    json_put_num(j, b);
    json_close(j, ']');
}

void json_num(Json *j, const char *k, double v)
{
    json_key(j, k);
    json_put_num(j, v);
}

void json_text(Json *j, const char *k, const char *v)
{
    json_key(j, k);
    json_put_text(j, v);
}

void json_bool(Json *j, const char *k, bool v)
{
    json_key(j, k);
    json_put_bool(j, v);
}

/* ---- CSV ---- */

void csv_str(Buf *b, const char *s, bool last)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\n\r")) {
        buf_putc(b, '"');
        for (; *s; s++) {
            if (*s == '"') buf_putc(b, '"');
            buf_putc(b, *s);
        }
        buf_putc(b, '"');
    } else {
        buf_puts(b, s);
    }
    buf_putc(b, last ? '\n' : ',');
}

void csv_num(Buf *b, double v, bool last)
{
    if (isfinite(v)) render_number(b, v);
    buf_putc(b, last ? '\n' : ',');
}

/* ---- numbers ---- */

void format_fixed(Buf *b, double v, int decimals, bool sign)
{
    char digits[400]; /* DBL_MAX has 309 digits */
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
    bool zero = strspn(digits, "0.") == strlen(digits);
    if (v < 0 && !zero) buf_putc(b, '-');
    else if (sign) buf_putc(b, '+');
    buf_puts(b, digits);
}

/* ---- durations ---- */

/* Whether v shown with `decimals` decimals reads at least `limit` ("24.0" hours is a day). */
static bool rounds_to_at_least(double v, int decimals, double limit)
{
    double scale = pow(10, decimals);
    return round(v * scale) / scale >= limit;
}

Duration duration_for_people(double days)
{
    double a = fabs(days);
    if (days == 0 || !isfinite(days)) return (Duration){days, 0, "d", 1};
    if (rounds_to_at_least(a * 24, 1, 24)) return (Duration){days, 1, "d", 1};
    if (rounds_to_at_least(a * 24, 1, 1)) return (Duration){days * 24, 1, "h", 24};
    if (rounds_to_at_least(a * 24 * 60, 0, 1)) return (Duration){days * 24 * 60, 0, "min", 24 * 60};
    return (Duration){days * 24 * 60 * 60, 0, "s", 24 * 60 * 60};
}

void format_duration(Buf *b, double days, const char *space)
{
    if (!isfinite(days)) {
        buf_puts(b, "-");
        return;
    }
    Duration d = duration_for_people(days);
    double v = d.value;
    if (fabs(v) < 0.5 * pow(10, -d.decimals)) v = 0; /* no "-0" */
    buf_printf(b, "%.*f%s%s", d.decimals, v, space, d.unit);
}
