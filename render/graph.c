/* graph.c: the flow graph of a journey and what both pictures share (see graph.h, graph_parts.h);
 * the journey map is graph_map.c. Builds HTML-like labels and Graphviz attributes; viz.c does the
 * Graphviz calls.
 *
 * An arrow's figure is the customers who took it and their share of the stage's exits (of the
 * customers who left the stage, the share that took this way), the figure of every report
 * (report.h: render_stage_exited); entries that never left a stage are shown in its box. */
#include "graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "graph_parts.h"
#include "kpi.h"
#include "report.h"
#include "viz.h"

/* Label-heavy edges make dot's crossing minimisation slow on big journeys (graphviz-notes.md):
 * above this many stages, arrow figures become external labels. */
enum { BIG_JOURNEY = 60 };

static void figures_from_run(const Model *m, const RtResult *r, GraphFigures *f)
{
    memset(f, 0, sizeof *f);
    f->run = r;
    f->exact = r->exact;
    f->cohort = r->cohort;
    f->seed = (double)r->seed;
    RtKpis kpi = rt_kpis(r);
    f->has_goal = isfinite(kpi.customers);
    f->conversion_rate = kpi.converted.rate;
    f->lost_rate = kpi.lost.rate;
    f->customer_churn_rate = kpi.customer_churn.rate;
    f->cac = kpi.cac.value;
    f->ltv = kpi.ltv.value;
    int n = m->nstages;
    f->reached = xcalloc((size_t)n, sizeof *f->reached);
    f->mood = xcalloc((size_t)n, sizeof *f->mood);
    f->converted = xcalloc((size_t)n, sizeof *f->converted);
    f->completed = xcalloc((size_t)n, sizeof *f->completed);
    f->still = xcalloc((size_t)n, sizeof *f->still);
    f->exited = xcalloc((size_t)n, sizeof *f->exited);
    f->taken = xcalloc((size_t)n, sizeof *f->taken);
    for (int s = 0; s < n; s++) {
        f->reached[s] = r->stages[s].reached;
        f->mood[s] = r->stages[s].mean_mood;
        f->converted[s] = r->stages[s].converted;
        f->completed[s] = r->stages[s].completed;
        f->still[s] = render_stage_still(r, s);
        f->exited[s] = render_stage_exited(r, s);
        int k = 0;
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) k++;
        f->taken[s] = xcalloc((size_t)(k ? k : 1), sizeof **f->taken);
        int seen = 0;
        for (int i = 0; i < r->nexits; i++)
            if (r->exits[i].stage == s && !r->exits[i].via_rule && seen < k) f->taken[s][seen++] = r->exits[i].count;
    }
    f->churn = xcalloc((size_t)(r->nreasons ? r->nreasons : 1), sizeof *f->churn);
    for (int i = 0; i < r->nreasons; i++) {
        if (r->reasons[i].count <= 0) continue;
        f->churn[f->nchurn++] = (GraphChurn){r->reasons[i].stage, r->reasons[i].reason, r->reasons[i].count};
    }
}

static void figures_free(const Model *m, GraphFigures *f)
{
    for (int s = 0; s < m->nstages; s++) free(f->taken[s]);
    free(f->taken);
    free(f->reached);
    free(f->mood);
    free(f->converted);
    free(f->completed);
    free(f->still);
    free(f->exited);
    free(f->churn);
}

/* Customers whom a rule's churn took out of stage `s`. */
static double rule_churn(const GraphFigures *f, int s)
{
    double n = 0;
    for (int i = 0; i < f->run->nexits; i++) {
        const RtExitRow *e = &f->run->exits[i];
        if (e->via_rule && e->stage == s && e->target == RT_CHURN) n += e->count;
    }
    return n;
}

/* Customers who left stage `from` for stage `to` through a rule's goto. */
static double rule_moves(const GraphFigures *f, int from, int to)
{
    double n = 0;
    for (int i = 0; i < f->run->nexits; i++) {
        const RtExitRow *e = &f->run->exits[i];
        if (e->via_rule && e->stage == from && e->target == to) n += e->count;
    }
    return n;
}

void graph_mood_colour(double mood, char out[8])
{
    /* Five stops from red (-1) through amber and pale yellow (0) to green (+1), light enough for
     * black text. */
    static const double stops[5][3] = {
        {0xf2, 0x8e, 0x83}, {0xfd, 0xc9, 0x8a}, {0xff, 0xf2, 0xb3}, {0xc2, 0xe5, 0x9a}, {0x7f, 0xcf, 0x7f},
    };
    if (isnan(mood)) {
        snprintf(out, 8, "#eeeeee");
        return;
    }
    double x = (mood < -1 ? -1 : mood > 1 ? 1 : mood) * 2 + 2; /* 0 .. 4 */
    int i = x >= 4 ? 3 : (int)x;
    double t = x - i;
    int rgb[3];
    for (int k = 0; k < 3; k++) rgb[k] = (int)lround(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * t);
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

/* ---- small text helpers ---- */

void graph_put_escaped(Buf *b, const char *text)
{
    char *e = viz_escape(text ? text : "");
    buf_puts(b, e);
    free(e);
}

/* 12345 -> "12,345"; fractions (expected values) keep one decimal. */
void graph_put_count(Buf *b, double v)
{
    char digits[64];
    bool whole = fabs(v - round(v)) < 1e-9 || fabs(v) >= 1000;
    snprintf(digits, sizeof digits, "%.0f", whole ? fabs(round(v)) : floor(fabs(v)));
    if (v < 0) buf_putc(b, '-');
    size_t n = strlen(digits);
    for (size_t i = 0; i < n; i++) {
        buf_putc(b, digits[i]);
        if ((n - i - 1) % 3 == 0 && i + 1 < n) buf_putc(b, ',');
    }
    if (!whole) buf_printf(b, ".%d", (int)floor(fmod(fabs(v), 1.0) * 10));
}

void graph_put_percent(Buf *b, double share)
{
    double p = share * 100;
    if (p != 0 && fabs(p) < 0.1) buf_printf(b, "%.2f%%", p);
    else buf_printf(b, "%.1f%%", p);
}

void graph_put_signed(Buf *b, double v) { buf_printf(b, "%+.2f", v); }

/* The source text of an expression (for arrows whose probability is not a constant). */
static void put_source(Buf *b, const Model *m, Loc loc)
{
    const SourceFile *f = source_get(&m->program->sources, loc.file);
    if (!f || loc.off + loc.len > f->len) return;
    char *text = arena_strndup(m->own_arena, f->text + loc.off, loc.len > 40 ? 40 : loc.len);
    for (char *p = text; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
    graph_put_escaped(b, text);
    if (loc.len > 40) buf_puts(b, "…");
}

static void put_probability(Buf *b, const Model *m, const Arrow *a)
{
    if (a->otherwise) buf_puts(b, "otherwise");
    else if (a->prob->constant) graph_put_percent(b, sema_eval_constant(a->prob));
    else put_source(b, m, a->prob->loc);
    if (a->when) {
        buf_puts(b, " when ");
        put_source(b, m, a->when->loc);
    }
}

/* The declared mood of a stage: the persona's curve, or the personas' curves mixed by share. */
double graph_declared_mood(const Model *m, int stage, int persona, bool *declared)
{
    *declared = false;
    double sum = 0;
    for (int p = 0; p < m->npersonas; p++) {
        if (persona >= 0 && p != persona) continue;
        size_t cell = (size_t)p * (size_t)m->nstages + (size_t)stage;
        *declared |= m->curve_declared[cell];
        sum += (persona >= 0 ? 1 : m->share[p]) * m->curve[cell];
    }
    return sum;
}

static const char *stage_id(const Model *m, int s) { return arena_printf(m->own_arena, "s%d", s); }

/* ---- the flow graph ---- */

static void stage_label(Buf *b, const Model *m, const GraphFigures *fig, const GraphOptions *opt, int s)
{
    const Stage *st = m->stages[s];
    buf_puts(b, "<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"2\">");
    buf_puts(b, "<tr><td><b>");
    graph_put_escaped(b, st->name.s);
    buf_puts(b, "</b>");
    if (st->goal) buf_puts(b, "  ★ goal");
    buf_puts(b, "</td></tr>");
    if (st->label.s) {
        buf_puts(b, "<tr><td><font point-size=\"10\">");
        graph_put_escaped(b, st->label.s);
        buf_puts(b, "</font></td></tr>");
    }
    buf_puts(b, "<tr><td><font point-size=\"10\">");
    if (fig) {
        graph_put_count(b, fig->reached[s]);
        buf_puts(b, " reached (");
        graph_put_percent(b, fig->cohort > 0 ? fig->reached[s] / fig->cohort : 0);
        buf_puts(b, ")");
        if (!isnan(fig->mood[s])) {
            buf_puts(b, " · mood ");
            graph_put_signed(b, fig->mood[s]);
        } else {
            bool declared;
            double mood = graph_declared_mood(m, s, opt->persona, &declared);
            if (declared) {
                buf_puts(b, " · expected mood ");
                graph_put_signed(b, mood);
            }
        }
    } else {
        bool declared;
        double mood = graph_declared_mood(m, s, opt->persona, &declared);
        buf_puts(b, declared ? "expected mood " : "no expected mood");
        if (declared) graph_put_signed(b, mood);
    }
    buf_puts(b, "</font></td></tr>");
    if (fig && fig->still[s] > 0) {
        /* Entries the horizon cut: they took no way out, so no arrow counts them. */
        buf_puts(b, "<tr><td><font point-size=\"9\">");
        graph_put_count(b, fig->still[s]);
        buf_puts(b, " still here at the horizon (");
        double entries = fig->run->stages[s].entries;
        graph_put_percent(b, entries > 0 ? fig->still[s] / entries : 0);
        buf_puts(b, " of entries)</font></td></tr>");
    }
    if (st->touchpoints) {
        buf_puts(b, "<tr><td align=\"left\" balign=\"left\"><font point-size=\"9\">");
        for (const Touchpoint *t = st->touchpoints; t; t = t->next) {
            buf_puts(b, t->pains ? "⚠ " : "• ");
            graph_put_escaped(b, t->label.s ? t->label.s : t->name.s);
            if (t->channel_index >= 0) {
                buf_puts(b, " <i>(");
                graph_put_escaped(b, m->channels[t->channel_index]->name.s);
                buf_puts(b, ")</i>");
            }
            if (t->next) buf_puts(b, "<br/>");
        }
        buf_puts(b, "</font></td></tr>");
    }
    buf_puts(b, "</table>");
}

static void add_stage_nodes(VizGraph *g, const Model *m, const GraphFigures *fig, const GraphOptions *opt)
{
    for (int s = 0; s < m->nstages; s++) {
        const Stage *st = m->stages[s];
        VizNode *n = viz_node(g, stage_id(m, s));
        Buf label = BUF_INIT;
        stage_label(&label, m, fig, opt, s);
        viz_node_html(n, buf_str(&label));
        buf_free(&label);
        bool declared;
        double mood = fig && !isnan(fig->mood[s]) ? fig->mood[s] : graph_declared_mood(m, s, opt->persona, &declared);
        char colour[8];
        graph_mood_colour(mood, colour);
        viz_node_attr(n, "fillcolor", colour);
        bool unreached = fig ? fig->reached[s] <= 0 : !st->reachable;
        viz_node_attr(n, "style", unreached ? "rounded,filled,dashed" : "rounded,filled");
        if (st->goal) viz_node_attr(n, "peripheries", "2");
        if (s == m->start) viz_node_attr(n, "penwidth", "2");
    }
}

static double max_flow(const Model *m, const GraphFigures *fig)
{
    double max = 0;
    if (!fig) return 0;
    for (int s = 0; s < m->nstages; s++) {
        int k = 0;
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next, k++)
            if (fig->taken[s][k] > max) max = fig->taken[s][k];
    }
    return max;
}

static void style_flow_edge(VizEdge *e, double taken, double max)
{
    char width[32];
    snprintf(width, sizeof width, "%.2f", max > 0 ? 1 + 7 * sqrt(taken / max) : 1.0);
    viz_edge_attr(e, "penwidth", width);
    if (taken <= 0) viz_edge_attr(e, "style", "dashed");
}

/* "1,234 (45.6%)": customers who took a way out and their share of the stage's exits. */
static void put_taken(Buf *b, double taken, double exits)
{
    graph_put_count(b, taken);
    if (exits > 0) {
        buf_puts(b, " (");
        graph_put_percent(b, taken / exits);
        buf_puts(b, ")");
    }
}

static void arrow_label(Buf *b, const Model *m, const GraphFigures *fig, const Arrow *a, double taken, double exits)
{
    put_probability(b, m, a);
    if (fig) {
        buf_puts(b, "\n");
        put_taken(b, taken, exits);
    }
}

/* The churn of one stage: (reason, count) pairs from the figures, or the declared reasons. */
static void churn_label(Buf *b, const Model *m, const GraphFigures *fig, int s, double *total)
{
    *total = 0;
    buf_puts(b, "<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"1\">");
    buf_puts(b, "<tr><td><b>✕ churn</b></td></tr>");
    if (fig) {
        for (int i = 0; i < fig->nchurn; i++) {
            if (fig->churn[i].stage != s) continue;
            *total += fig->churn[i].count;
            buf_puts(b, "<tr><td align=\"left\"><font point-size=\"9\">");
            graph_put_escaped(b, fig->churn[i].reason);
            buf_puts(b, ": ");
            graph_put_count(b, fig->churn[i].count);
            buf_puts(b, "</font></td></tr>");
        }
    } else {
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) {
            if (!a->to_churn || !a->reason.s) continue;
            buf_puts(b, "<tr><td align=\"left\"><font point-size=\"9\">");
            graph_put_escaped(b, a->reason.s);
            buf_puts(b, "</font></td></tr>");
        }
    }
    buf_puts(b, "</table>");
}

static bool stage_has_churn(const Model *m, const GraphFigures *fig, int s)
{
    for (const Arrow *a = m->stages[s]->arrows; a; a = a->next)
        if (a->to_churn) return true;
    if (fig)
        for (int i = 0; i < fig->nchurn; i++)
            if (fig->churn[i].stage == s && fig->churn[i].count > 0) return true;
    return false;
}

static VizNode *churn_node(VizGraph *g, const Model *m, const GraphFigures *fig, const GraphOptions *opt, int s)
{
    const char *id = opt->merged_churn ? "churn" : arena_printf(m->own_arena, "c%d", s);
    VizNode *n = viz_node(g, id);
    viz_node_attr(n, "shape", "box");
    viz_node_attr(n, "style", "rounded,dashed");
    viz_node_attr(n, "color", "#b22222");
    viz_node_attr(n, "fontcolor", "#b22222");
    if (opt->merged_churn) {
        viz_node_attr(n, "label", "✕ churn");
    } else {
        Buf label = BUF_INIT;
        double total;
        churn_label(&label, m, fig, s, &total);
        viz_node_html(n, buf_str(&label));
        buf_free(&label);
    }
    return n;
}

static void add_arrows(VizGraph *g, const Model *m, const GraphFigures *fig, const GraphOptions *opt)
{
    double max = max_flow(m, fig);
    bool big = m->nstages > BIG_JOURNEY;
    for (int s = 0; s < m->nstages; s++) {
        double exits = fig ? fig->exited[s] : 0;
        VizNode *from = viz_node(g, stage_id(m, s));
        VizNode *churn = NULL;
        int k = 0;
        /* Rule churn (not on an arrow) still gets the stage's stub. */
        if (stage_has_churn(m, fig, s)) churn = churn_node(g, m, fig, opt, s);
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next, k++) {
            double taken = fig ? fig->taken[s][k] : 0;
            VizNode *to = a->to_churn ? churn : viz_node(g, stage_id(m, a->target_index));
            VizEdge *e = viz_edge(g, from, to);
            /* Several arrows may join the same two nodes: each needs its own edge. */
            Buf label = BUF_INIT;
            arrow_label(&label, m, fig, a, taken, exits);
            if (a->to_churn && !opt->merged_churn && a->reason.s) {
                /* The stub lists the reasons; the edge keeps the probability. */
            }
            viz_edge_attr(e, big ? "xlabel" : "label", buf_str(&label));
            buf_free(&label);
            if (fig) style_flow_edge(e, taken, max);
            if (a->to_churn) {
                viz_edge_attr(e, "color", "#b22222");
                viz_edge_attr(e, "fontcolor", "#b22222");
                if (opt->merged_churn && m->nstages > 30) viz_edge_attr(e, "constraint", "false");
            }
        }
        double by_rules = fig ? rule_churn(fig, s) : 0;
        if (by_rules > 0) {
            /* A rule's churn: a dashed arrow, so that the stage's churn box is never left alone. */
            VizEdge *e = viz_edge(g, from, churn);
            Buf label = BUF_INIT;
            buf_puts(&label, "rules\n");
            put_taken(&label, by_rules, exits);
            viz_edge_attr(e, big ? "xlabel" : "label", buf_str(&label));
            buf_free(&label);
            viz_edge_attr(e, "style", "dashed");
            viz_edge_attr(e, "color", "#b22222");
            viz_edge_attr(e, "fontcolor", "#b22222");
        }
    }
    if (opt->merged_churn && fig) {
        Buf label = BUF_INIT;
        buf_puts(&label, "<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"1\"><tr><td><b>✕ churn</b></td></tr>");
        for (int i = 0; i < fig->nchurn; i++) {
            buf_puts(&label, "<tr><td align=\"left\"><font point-size=\"9\">");
            if (fig->churn[i].stage >= 0) {
                graph_put_escaped(&label, m->stages[fig->churn[i].stage]->name.s);
                buf_puts(&label, ": ");
            }
            graph_put_escaped(&label, fig->churn[i].reason);
            buf_puts(&label, " ");
            graph_put_count(&label, fig->churn[i].count);
            buf_puts(&label, "</font></td></tr>");
        }
        buf_puts(&label, "</table>");
        viz_node_html(viz_node(g, "churn"), buf_str(&label));
        buf_free(&label);
    }
}

/* Rules that send customers elsewhere (`goto`) from one stage: dashed grey edges. */
static void add_rule_edges(VizGraph *g, const Model *m, const GraphFigures *fig)
{
    for (int r = 0; r < m->nrules; r++) {
        int from = sema_rule_stage(m->rules[r]);
        if (from < 0) continue;
        for (const Action *a = m->rules[r]->actions; a; a = a->next) {
            if (a->kind != ACT_GOTO || a->target_index < 0) continue;
            VizEdge *e = viz_edge(g, viz_node(g, stage_id(m, from)), viz_node(g, stage_id(m, a->target_index)));
            viz_edge_attr(e, "style", "dashed");
            viz_edge_attr(e, "color", "#777777");
            viz_edge_attr(e, "fontcolor", "#555555");
            Buf label = BUF_INIT;
            buf_printf(&label, "rule %s", m->rules[r]->name.s);
            if (fig) {
                buf_puts(&label, "\n");
                put_taken(&label, rule_moves(fig, from, a->target_index), fig->exited[from]);
            }
            viz_edge_attr(e, "label", buf_str(&label));
            buf_free(&label);
        }
    }
}

static void add_legend(VizGraph *g, const GraphFigures *fig)
{
    Buf b = BUF_INIT;
    buf_puts(&b, "<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">");
    buf_printf(&b, "<tr><td colspan=\"5\"><b>%s</b></td></tr><tr>", fig ? "Mean mood on entry" : "Expected mood (curve)");
    static const double marks[] = {-1, -0.5, 0, 0.5, 1};
    for (int i = 0; i < 5; i++) {
        char colour[8];
        graph_mood_colour(marks[i], colour);
        buf_printf(&b, "<td bgcolor=\"%s\">%+.1f</td>", colour, marks[i]);
    }
    buf_puts(&b, "</tr><tr><td colspan=\"5\" align=\"left\" balign=\"left\"><font point-size=\"9\">"
                 "double border: goal stage<br/>thick border: start stage<br/>");
    buf_puts(&b, fig ? "dashed: no customer reached it<br/>arrow width: customers who took it<br/>"
                       "arrow label: probability, customers who took it<br/>"
                       "(their share of the stage's exits)<br/>"
                     : "dashed: cannot be reached<br/>arrow: declared probability<br/>");
    buf_puts(&b, "⚠ touchpoint with a pain point</font></td></tr></table>");
    VizNode *n = viz_node_in(g, "cluster_legend", "legend");
    viz_cluster_attr(g, "cluster_legend", "label", "Legend");
    viz_cluster_attr(g, "cluster_legend", "style", "rounded");
    viz_cluster_attr(g, "cluster_legend", "color", "#999999");
    viz_node_attr(n, "shape", "plain");
    viz_node_html(n, buf_str(&b));
    buf_free(&b);
}

/* An amount of money for a picture: "12.30"; "-" when it does not exist. */
static void put_money(Buf *b, double v)
{
    if (isfinite(v)) buf_printf(b, "%.2f", v);
    else buf_puts(b, "-");
}

/* The run's headline under the names of every report: "converted 2.5% · lost before converting
 * 97.4% · customer churn 60.0% · CAC 12.30 · LTV 45.00" (a journey without a goal has no
 * customers, so no customer figure). */
static void headline_figures(Buf *b, const GraphFigures *fig)
{
    buf_puts(b, "converted ");
    graph_put_percent(b, fig->conversion_rate);
    buf_puts(b, " · lost before converting ");
    graph_put_percent(b, fig->lost_rate);
    if (!fig->has_goal) {
        buf_puts(b, " · no goal, so no customers");
        return;
    }
    buf_puts(b, " · customer churn ");
    if (isfinite(fig->customer_churn_rate)) graph_put_percent(b, fig->customer_churn_rate);
    else buf_puts(b, "-");
    buf_puts(b, " · CAC ");
    put_money(b, fig->cac);
    buf_puts(b, " · LTV ");
    put_money(b, fig->ltv);
}

static void graph_title(Buf *b, const Model *m, const GraphFigures *fig, const GraphOptions *opt)
{
    buf_puts(b, m->title);
    if (opt->persona >= 0) buf_printf(b, " — persona %s", m->personas[opt->persona]->name.s);
    if (fig && fig->exact) {
        buf_puts(b, "\nexact analysis (expected values for a cohort of ");
        graph_put_count(b, fig->cohort);
        buf_puts(b, ")");
    } else if (fig) {
        buf_puts(b, "\n");
        graph_put_count(b, fig->cohort);
        buf_printf(b, " prospects simulated (seed %.0f)", fig->seed);
    } else {
        buf_puts(b, "\ndeclared structure (not simulated)");
    }
    if (fig) {
        buf_puts(b, "\n");
        headline_figures(b, fig);
    }
}

void graph_common_attrs(VizGraph *g, const Model *m, const GraphFigures *fig, const GraphOptions *opt)
{
    Buf title = BUF_INIT;
    graph_title(&title, m, fig, opt);
    viz_graph_attr(g, "label", buf_str(&title));
    buf_free(&title);
    viz_graph_attr(g, "labelloc", "t");
    viz_graph_attr(g, "fontname", GRAPH_FONT);
    viz_graph_attr(g, "fontsize", "16");
    viz_node_default(g, "fontname", GRAPH_FONT);
    viz_edge_default(g, "fontname", GRAPH_FONT);
    viz_node_default(g, "fontsize", "11");
    viz_edge_default(g, "fontsize", "9");
}

static VizGraph *build_flow(const Model *m, const GraphFigures *fig, const GraphOptions *opt)
{
    VizGraph *g = viz_new("journey");
    graph_common_attrs(g, m, fig, opt);
    viz_graph_attr(g, "rankdir", "LR");
    viz_graph_attr(g, "nodesep", "0.4");
    viz_graph_attr(g, "ranksep", "0.7");
    viz_node_default(g, "shape", "box");
    viz_node_default(g, "margin", "0.12,0.06");
    viz_edge_default(g, "color", "#445566");
    add_stage_nodes(g, m, fig, opt);
    add_arrows(g, m, fig, opt);
    add_rule_edges(g, m, fig);
    add_legend(g, fig);
    return g;
}

bool graph_render(const Model *m, const RtResult *run, const GraphOptions *opt, const char *format, char **data,
                  size_t *len, char **error)
{
    GraphFigures figures, *fig = NULL;
    if (run) {
        figures_from_run(m, run, &figures);
        fig = &figures;
    }
    VizGraph *g = opt->view == GRAPH_MAP ? graph_build_map(m, fig, opt) : build_flow(m, fig, opt);
    bool ok = viz_render(g, format, data, len, error);
    viz_free(g);
    if (fig) figures_free(m, fig);
    return ok;
}
