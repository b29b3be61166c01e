/* graph_map.c: the classic journey map (`cjm graph --view map`, see graph.h): one column per
 * stage, one row per theme (touchpoints, channels, the emotion curve, thoughts and feelings, pain
 * points, opportunities, the run's figures).
 *
 * The emotion row is a real curve: each stage's mood is a marker at its exact height on the -1..+1
 * scale, and each series (declared by the journey's curves, simulated by the run) is a line from
 * stage to stage. A table cell cannot hold a line, so the map is not one Graphviz table: cjm
 * places every cell itself, as a node of a fixed size at a fixed position, and Graphviz's `nop2`
 * layout (neato -n2) keeps them where they are. The markers and lines are nodes and edges placed
 * on the emotion row in the same coordinates (points, y upwards).
 *
 * Cell sizes come from an estimate of their text (characters' widths of DejaVu Sans, the widest
 * of the usual sans-serif fonts, so that the estimate errs on the wide side), not from Graphviz:
 * the dot source (`-T dot`) is then the same on every machine, whatever fonts it has. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "graph_parts.h"
#include "report.h"

/* ---- estimating the size of a label's text ---- */

/* Advance widths in em of printable ASCII (32..126), measured on DejaVu Sans and rounded up. */
static const double ASCII_EM[95] = {
    0.32, 0.40, 0.46, 0.84, 0.64, 0.96, 0.79, 0.28, 0.39, 0.39, 0.51, 0.84, 0.32, 0.37, 0.32, 0.34, /*  !"#$%&'()*+,-./ */
    0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.34, 0.34, 0.84, 0.84, 0.84, 0.54, /* 0-9 :;<=>? */
    1.00, 0.72, 0.69, 0.70, 0.78, 0.64, 0.58, 0.78, 0.75, 0.30, 0.30, 0.66, 0.56, 0.87, 0.75, 0.79, /* @A-O */
    0.61, 0.79, 0.70, 0.64, 0.60, 0.74, 0.69, 1.00, 0.69, 0.61, 0.69, 0.39, 0.34, 0.39, 0.84, 0.51, /* P-Z [\]^_ */
    0.51, 0.62, 0.64, 0.55, 0.64, 0.62, 0.35, 0.64, 0.64, 0.28, 0.28, 0.58, 0.28, 0.98, 0.64, 0.62, /* `a-o */
    0.64, 0.64, 0.40, 0.52, 0.40, 0.64, 0.60, 0.82, 0.60, 0.60, 0.53, 0.64, 0.34, 0.64, 0.84,       /* p-z {|}~ */
};

/* The width in em of the character starting at *p (UTF-8), which it passes. Beyond ASCII: about
 * a Latin letter for two-byte characters, a full em for symbols and CJK, a little more for emoji. */
static double char_em(const char **p)
{
    unsigned char c = (unsigned char)**p;
    if (c < 0x80) {
        (*p)++;
        return c >= 32 && c < 127 ? ASCII_EM[c - 32] : 0.6;
    }
    int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    for (int i = 0; i < n && **p; i++) (*p)++;
    return n == 2 ? 0.75 : n == 3 ? 1.0 : 1.1;
}

/* The character an entity of viz_escape() stands for (the text after '&'), passing it. */
static char entity(const char **p)
{
    static const struct { const char *name; char c; } names[] = {
        {"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"#39;", '\''},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i].name);
        if (strncmp(*p, names[i].name, n) == 0) {
            *p += n;
            return names[i].c;
        }
    }
    return '&';
}

enum { LINE_SPACING_PERCENT = 120, FONT_STACK = 8 };

/* The estimated size in points of HTML-like text as this file writes it: text, entities, <br/>,
 * <b>, <i>, <font point-size="N">. Bold text is taken wider. A little too wide is harmless (some
 * room in a cell); too narrow would let the text cross the cell's border. */
static void text_size(const char *html, double size, double *width, double *height)
{
    double sizes[FONT_STACK] = {size};
    int depth = 0, bold = 0;
    double line = 0, line_size = 0;
    *width = *height = 0;
    for (const char *p = html; *p;) {
        if (*p == '<') {
            const char *end = strchr(p, '>');
            if (!end) break;
            bool closing = p[1] == '/';
            const char *name = p + 1 + closing;
            if (strncmp(name, "br", 2) == 0) {
                *width = fmax(*width, line);
                *height += (line_size > 0 ? line_size : sizes[depth]) * LINE_SPACING_PERCENT / 100;
                line = line_size = 0;
            } else if (name[0] == 'b' && (name[1] == '>' || name[1] == ' ')) {
                bold += closing ? -1 : 1;
            } else if (strncmp(name, "font", 4) == 0) {
                const char *ps = strstr(name, "point-size=\"");
                if (closing && depth > 0) depth--;
                else if (!closing && depth + 1 < FONT_STACK) {
                    sizes[depth + 1] = ps && ps < end ? atof(ps + 12) : sizes[depth];
                    depth++;
                }
            }
            p = end + 1;
            continue;
        }
        double em;
        if (*p == '&') {
            p++;
            char c = entity(&p);
            em = ASCII_EM[c - 32];
        } else {
            em = char_em(&p);
        }
        line += em * sizes[depth] * (bold > 0 ? 1.12 : 1.0) + (bold > 0 ? 0.05 * sizes[depth] : 0);
        line_size = fmax(line_size, sizes[depth]);
    }
    *width = fmax(*width, line);
    *height += (line_size > 0 ? line_size : sizes[depth]) * LINE_SPACING_PERCENT / 100;
}

/* ---- the grid ---- */

typedef enum {
    ROW_STAGE, ROW_TOUCHPOINTS, ROW_CHANNELS, ROW_EMOTION, ROW_THOUGHTS, ROW_PAINS, ROW_OPPORTUNITIES, ROW_FIGURES,
    NROWS
} MapRow;

enum {
    PAD = 6,            /* a cell's padding */
    MIN_STAGE_WIDTH = 110,
    BAND = 20,          /* one of the eight colour bands of the emotion row, a quarter point each */
    PLOT = 8 * BAND + 1, /* the -1..+1 scale: eight bands and the zero line */
    PLOT_MARGIN = 9,    /* above +1 and below -1, so that a marker at the end of the scale fits */
    VALUES_ROW = 20,    /* the values under the curve */
    EMOTION_HEIGHT = 2 + 2 * PLOT_MARGIN + PLOT + VALUES_ROW,
    SERIES_OFFSET = 6,  /* declared left of the column's centre, simulated right */
    WRAP = 34,          /* free text (labels, pains, reasons) is wrapped at about this many characters */
};

static const char BORDER[] = "#8899aa", HEADER_BG[] = "#dde3ea", STAGE_BG[] = "#c9d6e3", PAIN_BG[] = "#fdecea",
                  OPPORTUNITY_BG[] = "#eaf5ea", DECLARED[] = "#333333", SIMULATED[] = "#1f5fa8";

typedef struct MapCell {
    Buf text;          /* HTML-like content, escaped; empty for none */
    const char *bg;    /* background colour, or NULL */
    const char *align; /* td attributes placing the text */
} MapCell;

typedef struct Map {
    const Model *m;
    const GraphFigures *fig;
    const GraphOptions *opt;
    bool shown[NROWS];
    MapCell *cells;      /* [NROWS * cols] */
    int cols;            /* the header column and one per stage */
    double *width;       /* [cols], points */
    double height[NROWS]; /* points; 0 for a row not shown */
} Map;

static MapCell *cell(Map *map, MapRow r, int c) { return &map->cells[(size_t)r * (size_t)map->cols + (size_t)c]; }

/* Escaped text wrapped at spaces into lines of about WRAP characters (<br/> between them). */
static void put_wrapped(Buf *b, const char *text)
{
    const char *p = text ? text : "";
    while (*p) {
        size_t n = strlen(p), cut = n;
        if (n > WRAP) {
            cut = 0;
            for (size_t i = 1; i <= WRAP && i < n; i++)
                if (p[i] == ' ') cut = i;
            if (cut == 0) cut = strcspn(p, " "); /* one long word: a line of its own */
        }
        size_t keep = cut;
        while (keep > 0 && p[keep - 1] == ' ') keep--; /* no blank before a line's end */
        Buf line = BUF_INIT;
        buf_add(&line, p, keep);
        graph_put_escaped(b, buf_str(&line));
        buf_free(&line);
        p += cut;
        while (*p == ' ') p++;
        if (*p) buf_puts(b, "<br/>");
    }
}

static const char TOP_LEFT[] = " align=\"left\" balign=\"left\" valign=\"top\"";

static void fill_headers(Map *map)
{
    static const char *const titles[NROWS] = {"Stage", "Touchpoints", "Channels", "Emotion", "Thoughts and feelings",
                                              "Pain points", "Opportunities", "Figures"};
    for (int r = 0; r < NROWS; r++) {
        MapCell *c = cell(map, (MapRow)r, 0);
        c->bg = HEADER_BG;
        c->align = r == ROW_STAGE ? "" : TOP_LEFT;
        buf_printf(&c->text, "<b>%s</b>", titles[r]);
    }
    /* The key of the curve, under the row's title. */
    Buf *t = &cell(map, ROW_EMOTION, 0)->text;
    buf_printf(t, "<br/><font point-size=\"9\"><font color=\"%s\">○</font> declared (dashed)", DECLARED);
    if (map->fig && !map->fig->exact) buf_printf(t, "<br/><font color=\"%s\">●</font> simulated", SIMULATED);
    buf_puts(t, "</font>");
}

static void fill_stage_header(Map *map, int s)
{
    const Stage *st = map->m->stages[s];
    MapCell *c = cell(map, ROW_STAGE, s + 1);
    c->bg = STAGE_BG;
    c->align = "";
    buf_puts(&c->text, "<b>");
    graph_put_escaped(&c->text, st->name.s);
    buf_puts(&c->text, st->goal ? "</b> ★" : "</b>");
    if (st->label.s && *st->label.s) {
        buf_puts(&c->text, "<br/><font point-size=\"10\">");
        put_wrapped(&c->text, st->label.s);
        buf_puts(&c->text, "</font>");
    }
}

static void fill_touchpoints(Map *map, int s, bool channels)
{
    const Model *m = map->m;
    Buf *t = &cell(map, channels ? ROW_CHANNELS : ROW_TOUCHPOINTS, s + 1)->text;
    for (const Touchpoint *tp = m->stages[s]->touchpoints; tp; tp = tp->next) {
        if (channels) {
            /* Each channel once per stage. */
            bool repeat = tp->channel_index < 0;
            for (const Touchpoint *u = m->stages[s]->touchpoints; u != tp && !repeat; u = u->next)
                repeat = u->channel_index == tp->channel_index;
            if (repeat) continue;
        }
        if (t->len) buf_puts(t, "<br/>");
        if (channels) {
            const Channel *c = m->channels[tp->channel_index];
            graph_put_escaped(t, c->label.s ? c->label.s : c->name.s);
        } else {
            graph_put_escaped(t, tp->label.s ? tp->label.s : tp->name.s);
        }
    }
}

static void fill_notes(Map *map, int s, bool pains)
{
    MapCell *c = cell(map, pains ? ROW_PAINS : ROW_OPPORTUNITIES, s + 1);
    c->bg = pains ? PAIN_BG : OPPORTUNITY_BG;
    for (const Touchpoint *tp = map->m->stages[s]->touchpoints; tp; tp = tp->next) {
        for (const StrList *l = pains ? tp->pains : tp->opportunities; l; l = l->next) {
            if (c->text.len) buf_puts(&c->text, "<br/>");
            buf_puts(&c->text, pains ? "⚠ " : "→ ");
            put_wrapped(&c->text, l->str.s);
        }
    }
}

/* The reasons the curves give for stage s (the string after a curve's value): the persona's, or
 * with several personas each one's, named. */
static void fill_thoughts(Map *map, int s)
{
    const Model *m = map->m;
    Buf *t = &cell(map, ROW_THOUGHTS, s + 1)->text;
    for (int p = 0; p < m->npersonas; p++) {
        if (map->opt->persona >= 0 && p != map->opt->persona) continue;
        const char *why = m->curve_reason[(size_t)p * (size_t)m->nstages + (size_t)s];
        if (!why || !*why) continue;
        if (t->len) buf_puts(t, "<br/>");
        if (map->opt->persona < 0 && m->npersonas > 1) {
            buf_puts(t, "<b>");
            graph_put_escaped(t, m->personas[p]->name.s);
            buf_puts(t, ":</b> ");
        }
        buf_puts(t, "<i>“");
        put_wrapped(t, why);
        buf_puts(t, "”</i>");
    }
}

static void fill_figures(Map *map, int s)
{
    const GraphFigures *fig = map->fig;
    Buf *t = &cell(map, ROW_FIGURES, s + 1)->text;
    const RtStageRow *row = &fig->run->stages[s];
    buf_puts(t, "reached ");
    graph_put_count(t, fig->reached[s]);
    buf_puts(t, " (");
    graph_put_percent(t, fig->cohort > 0 ? fig->reached[s] / fig->cohort : 0);
    buf_puts(t, ")<br/>lost before converting here ");
    graph_put_count(t, row->lost);
    if (row->customer_churned > 0) {
        buf_puts(t, "<br/>customer churn here ");
        graph_put_count(t, row->customer_churned);
    }
    if (fig->converted[s] > 0) {
        buf_puts(t, "<br/>converted here ");
        graph_put_count(t, fig->converted[s]);
    }
    if (fig->completed[s] > 0) {
        buf_puts(t, "<br/>completed here ");
        graph_put_count(t, fig->completed[s]);
    }
    if (fig->still[s] > 0) {
        buf_puts(t, "<br/>still here at the horizon ");
        graph_put_count(t, fig->still[s]);
    }
}

/* The values under a stage's curve: "○ +0.20  ● +0.34". */
static void fill_values(Map *map, int s, bool has_declared, double declared, double simulated)
{
    Buf *t = &cell(map, ROW_EMOTION, s + 1)->text;
    if (has_declared) {
        buf_printf(t, "<font color=\"%s\">○</font> ", DECLARED);
        graph_put_signed(t, declared);
    }
    if (!isnan(simulated)) {
        buf_printf(t, "%s<font color=\"%s\">●</font> ", has_declared ? "   " : "", SIMULATED);
        graph_put_signed(t, simulated);
    }
}

static double simulated_mood(const Map *map, int s) { return map->fig ? map->fig->mood[s] : NAN; }

static void fill(Map *map)
{
    const Model *m = map->m;
    for (int r = 0; r < NROWS; r++) map->shown[r] = true;
    map->shown[ROW_FIGURES] = map->fig != NULL;
    map->shown[ROW_THOUGHTS] = false;
    fill_headers(map);
    for (int s = 0; s < m->nstages; s++) {
        for (int r = 0; r < NROWS; r++) cell(map, (MapRow)r, s + 1)->align = TOP_LEFT;
        fill_stage_header(map, s);
        fill_touchpoints(map, s, false);
        fill_touchpoints(map, s, true);
        fill_notes(map, s, true);
        fill_notes(map, s, false);
        fill_thoughts(map, s);
        map->shown[ROW_THOUGHTS] |= cell(map, ROW_THOUGHTS, s + 1)->text.len > 0;
        if (map->fig) fill_figures(map, s);
        bool declared;
        double mood = graph_declared_mood(m, s, map->opt->persona, &declared);
        fill_values(map, s, declared, mood, simulated_mood(map, s));
    }
}

/* Column widths and row heights: the widest and tallest estimated text, with padding and border. */
static void measure(Map *map)
{
    for (int c = 0; c < map->cols; c++) map->width[c] = c == 0 ? 0 : MIN_STAGE_WIDTH;
    for (int r = 0; r < NROWS; r++) {
        map->height[r] = 0;
        if (!map->shown[r]) continue;
        for (int c = 0; c < map->cols; c++) {
            double w, h;
            text_size(buf_str(&cell(map, (MapRow)r, c)->text), r == ROW_EMOTION && c > 0 ? 10 : 11, &w, &h);
            map->width[c] = fmax(map->width[c], ceil(w) + 2 * PAD + 2 + 2);
            map->height[r] = fmax(map->height[r], ceil(h) + 2 * PAD + 2);
        }
    }
    map->height[ROW_EMOTION] = EMOTION_HEIGHT;
    /* Room for the scale's numbers at the right of the emotion row's title. */
    map->width[0] += 26;
}

/* ---- drawing ---- */

static double column_left(const Map *map, int c)
{
    double x = 0;
    for (int i = 0; i < c; i++) x += map->width[i];
    return x;
}

static double row_top(const Map *map, MapRow r)
{
    double y = 0;
    for (int i = 0; i < (int)r; i++) y += map->height[i];
    return y;
}

/* Graphviz's y grows upwards: the map's rows go down from 0. */
static void place(VizNode *n, double x, double y_down)
{
    char pos[64];
    snprintf(pos, sizeof pos, "%.2f,%.2f!", x, -y_down);
    viz_node_attr(n, "pos", pos);
}

static const char *cell_id(const Map *map, MapRow r, int c) { return arena_printf(map->m->own_arena, "r%dc%d", (int)r, c); }

/* A text cell: a one-cell table of exactly the cell's size. */
static void draw_cell(VizGraph *g, Map *map, MapRow r, int c)
{
    MapCell *x = cell(map, r, c);
    Buf b = BUF_INIT;
    buf_printf(&b, "<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"%d\" color=\"%s\">", PAD, BORDER);
    buf_printf(&b, "<tr><td fixedsize=\"true\" width=\"%.0f\" height=\"%.0f\"%s", map->width[c], map->height[r], x->align);
    if (x->bg) buf_printf(&b, " bgcolor=\"%s\"", x->bg);
    buf_puts(&b, ">");
    if (x->text.len == 0) buf_puts(&b, " "); /* Graphviz refuses an empty <font></font> */
    else if (c == 0 || r == ROW_STAGE) buf_puts(&b, buf_str(&x->text));
    else buf_printf(&b, "<font point-size=\"10\">%s</font>", buf_str(&x->text));
    buf_puts(&b, "</td></tr></table>");
    VizNode *n = viz_node(g, cell_id(map, r, c));
    viz_node_attr(n, "shape", "plain");
    viz_node_html(n, buf_str(&b));
    place(n, column_left(map, c) + map->width[c] / 2, row_top(map, r) + map->height[r] / 2);
    buf_free(&b);
}

/* A stage's cell of the emotion row: the colour bands of the scale (red at -1 to green at +1),
 * the zero line, and the values underneath. The markers and lines go on top of it. */
static void draw_emotion_cell(VizGraph *g, Map *map, int c)
{
    double w = map->width[c] - 2;
    Buf b = BUF_INIT;
    buf_printf(&b, "<table border=\"1\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"0\" color=\"%s\">", BORDER);
    buf_printf(&b, "<tr><td fixedsize=\"true\" width=\"%.0f\" height=\"%d\"></td></tr>", w, PLOT_MARGIN);
    for (int band = 0; band < 8; band++) {
        char colour[8];
        graph_mood_colour(1 - (band + 0.5) / 4, colour);
        buf_printf(&b, "<tr><td fixedsize=\"true\" width=\"%.0f\" height=\"%d\" bgcolor=\"%s\"></td></tr>", w, BAND, colour);
        if (band == 3) buf_printf(&b, "<tr><td fixedsize=\"true\" width=\"%.0f\" height=\"1\" bgcolor=\"#7a8699\"></td></tr>", w);
    }
    buf_printf(&b, "<tr><td fixedsize=\"true\" width=\"%.0f\" height=\"%d\"></td></tr>", w, PLOT_MARGIN);
    const Buf *values = &cell(map, ROW_EMOTION, c)->text;
    buf_printf(&b, "<tr><td fixedsize=\"true\" width=\"%.0f\" height=\"%d\" valign=\"top\">", w, VALUES_ROW);
    if (values->len) buf_printf(&b, "<font point-size=\"10\">%s</font>", buf_str(values));
    else buf_puts(&b, " ");
    buf_puts(&b, "</td></tr></table>");
    VizNode *n = viz_node(g, cell_id(map, ROW_EMOTION, c));
    viz_node_attr(n, "shape", "plain");
    viz_node_html(n, buf_str(&b));
    place(n, column_left(map, c) + map->width[c] / 2, row_top(map, ROW_EMOTION) + EMOTION_HEIGHT / 2.0);
    buf_free(&b);
}

/* The height (downwards from the map's top) of a mood on the emotion row's scale: +1 at the top
 * of the bands, -1 at their bottom, 0 in the middle of the zero line. */
static double mood_y(const Map *map, double mood)
{
    double v = mood < -1 ? -1 : mood > 1 ? 1 : mood;
    return row_top(map, ROW_EMOTION) + 1 + PLOT_MARGIN + (1 - v) / 2 * PLOT;
}

/* The numbers of the scale, right-aligned at the right of the emotion row's title cell. */
static void draw_scale(VizGraph *g, Map *map)
{
    static const double marks[] = {1, 0.5, 0, -0.5, -1};
    static const char *const text[] = {"+1", "+0.5", "0", "−0.5", "−1"};
    for (int i = 0; i < 5; i++) {
        VizNode *n = viz_node(g, arena_printf(map->m->own_arena, "scale%d", i));
        viz_node_attr(n, "shape", "plaintext");
        viz_node_attr(n, "label", text[i]);
        viz_node_attr(n, "fontsize", "8");
        viz_node_attr(n, "fontcolor", "#5a6478");
        viz_node_attr(n, "width", "0.3");
        viz_node_attr(n, "height", "0.15");
        viz_node_attr(n, "fixedsize", "true");
        place(n, map->width[0] - 4 - 0.15 * 72, mood_y(map, marks[i]));
    }
}

/* One series of the curve: a marker at each stage that has a value, and a line between
 * neighbouring stages that both have one (the declared series joins over stages without a value,
 * as the journey's curve does; the simulated one breaks where no customer entered). */
static void draw_series(VizGraph *g, Map *map, bool simulated, bool both)
{
    const Model *m = map->m;
    VizNode *prev = NULL;
    for (int s = 0; s < m->nstages; s++) {
        bool declared;
        double mood = simulated ? simulated_mood(map, s) : graph_declared_mood(m, s, map->opt->persona, &declared);
        bool has = simulated ? !isnan(mood) : declared;
        if (!has) {
            if (simulated) prev = NULL;
            continue;
        }
        double x = column_left(map, s + 1) + map->width[s + 1] / 2;
        if (both) x += simulated ? SERIES_OFFSET : -SERIES_OFFSET;
        VizNode *n = viz_node(g, arena_printf(m->own_arena, "%s%d", simulated ? "sim" : "decl", s));
        viz_node_attr(n, "shape", "point");
        viz_node_attr(n, "width", "0.125");
        viz_node_attr(n, "penwidth", "1.5");
        viz_node_attr(n, "color", simulated ? SIMULATED : DECLARED);
        viz_node_attr(n, "fillcolor", simulated ? SIMULATED : "#ffffff");
        Buf tip = BUF_INIT;
        buf_printf(&tip, "%s: %s mood ", m->stages[s]->name.s, simulated ? "simulated" : "declared");
        graph_put_signed(&tip, mood);
        viz_node_attr(n, "tooltip", buf_str(&tip));
        buf_free(&tip);
        place(n, x, mood_y(map, mood));
        if (prev) {
            VizEdge *e = viz_edge(g, prev, n);
            viz_edge_attr(e, "dir", "none");
            viz_edge_attr(e, "penwidth", "1.5");
            viz_edge_attr(e, "color", simulated ? SIMULATED : DECLARED);
            if (!simulated) viz_edge_attr(e, "style", "dashed");
        }
        prev = n;
    }
}

static bool any_simulated(const Map *map)
{
    for (int s = 0; s < map->m->nstages; s++)
        if (!isnan(simulated_mood(map, s))) return true;
    return false;
}

static void draw(VizGraph *g, Map *map)
{
    for (int r = 0; r < NROWS; r++) {
        if (!map->shown[r]) continue;
        for (int c = 0; c < map->cols; c++) {
            if (r == ROW_EMOTION && c > 0) draw_emotion_cell(g, map, c);
            else draw_cell(g, map, (MapRow)r, c);
        }
    }
    draw_scale(g, map);
    bool both = any_simulated(map);
    draw_series(g, map, false, both);
    if (both) draw_series(g, map, true, both);
}

VizGraph *graph_build_map(const Model *m, const GraphFigures *fig, const GraphOptions *opt)
{
    VizGraph *g = viz_new("journey_map");
    graph_common_attrs(g, m, fig, opt);
    /* Every node is placed here (pos, in points): Graphviz only draws them (neato -n2). */
    viz_graph_attr(g, "layout", "nop2");
    viz_graph_attr(g, "splines", "line");
    viz_graph_attr(g, "pad", "0.2");
    Map map = {.m = m, .fig = fig, .opt = opt, .cols = m->nstages + 1};
    map.cells = xcalloc((size_t)NROWS * (size_t)map.cols, sizeof *map.cells);
    map.width = xcalloc((size_t)map.cols, sizeof *map.width);
    fill(&map);
    measure(&map);
    draw(g, &map);
    for (size_t i = 0; i < (size_t)NROWS * (size_t)map.cols; i++) buf_free(&map.cells[i].text);
    free(map.cells);
    free(map.width);
    return g;
}
