/* report_html.c: the HTML report (`cjm report`): one self-contained page, for people who will
 * not read a terminal table. Inline CSS (screen and print), inline SVG (report_charts.c draws the
 * charts, Graphviz the two pictures that the caller hands in), no script and no external asset:
 * a Content-Security-Policy forbids any, so that a browser would complain of one.
 *
 * The markup is also well-formed XML (every element closed, no named entity but XML's), so that
 * `xmllint --noout` checks it. All of the journey's text goes through chart_escape(). Figures are
 * written with html_fig() (report_html.h): the page shows them rounded and carries each one's
 * JSON path and exact value, which the tests compare with the JSON report. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "chart.h"
#include "format.h"
#include "report_html.h"

/* The note shown where an exact analysis has no figure. */
static const char HTML_NOT_EXACT[] = "not available in an exact analysis";

static const char MINUS[] = "\xE2\x88\x92", DASH[] = "\xE2\x80\x93", DOT[] = " \xC2\xB7 ";

/* ---- figures ---- */

const char *html_path(char buf[128], const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, 128, fmt, ap);
    va_end(ap);
    return buf;
}

/* |v| with `decimals` decimals, thousands grouped with commas; a sign when asked (and a real
 * minus), none on a value that rounds to zero. */
static void number(Buf *b, double v, int decimals, bool sign)
{
    char digits[64];
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
    bool zero = strspn(digits, "0.") == strlen(digits);
    if (v < 0 && !zero) buf_puts(b, MINUS);
    else if (sign && v > 0 && !zero) buf_putc(b, '+');
    size_t whole = strcspn(digits, ".");
    for (size_t i = 0; i < whole; i++) {
        buf_putc(b, digits[i]);
        if ((whole - i - 1) % 3 == 0 && i + 1 < whole) buf_putc(b, ',');
    }
    buf_puts(b, digits + whole);
}

void html_fig_text(Buf *b, const RtResult *r, double v, FigKind k)
{
    if (!isfinite(v)) {
        buf_puts(b, DASH);
        return;
    }
    switch (k) {
    case FIG_COUNT: number(b, v, r->exact ? 1 : 0, false); break;
    case FIG_RATE:
        number(b, v * 100, 1, false);
        buf_putc(b, '%');
        break;
    case FIG_MONEY: number(b, v, 2, false); break;
    case FIG_MOOD: number(b, v, 2, true); break;
    case FIG_DAYS: {
        /* "15.8 d", "5.2 h", "42 min" (format.h), a no-break space keeping it on one line. */
        Duration d = duration_for_people(v);
        number(b, d.value, d.decimals, false);
        buf_printf(b, "\xC2\xA0%s", d.unit);
        break;
    }
    case FIG_NPS: number(b, v, 1, true); break;
    case FIG_CSAT: number(b, v, 2, false); break;
    case FIG_PLAIN: render_number(b, v); break;
    case FIG_WHOLE: number(b, v, 0, false); break;
    }
}

static const char *kind_name(FigKind k)
{
    static const char *const names[] = {"count", "pct", "money", "mood", "days", "nps", "csat", "plain", "whole"};
    return names[k];
}

void html_fig_attrs(Buf *b, const char *path, double v, FigKind k)
{
    buf_puts(b, " data-figure=\"");
    chart_escape(b, path);
    buf_puts(b, "\" data-value=\"");
    render_number(b, v);
    buf_printf(b, "\" data-format=\"%s\"", kind_name(k));
}

void html_fig(Buf *b, const RtResult *r, const char *tag, const char *cls, const char *path, double v, FigKind k)
{
    buf_printf(b, "<%s", tag);
    if (cls && isfinite(v)) buf_printf(b, " class=\"%s\"", cls);
    else if (cls) buf_printf(b, " class=\"%s na\"", cls);
    else if (!isfinite(v)) buf_puts(b, " class=\"na\"");
    html_fig_attrs(b, path, v, k);
    buf_putc(b, '>');
    html_fig_text(b, r, v, k);
    buf_printf(b, "</%s>", tag);
}

void html_series(Buf *b, const char *path, const char *keys, const double *values, int n, int nkeys)
{
    buf_puts(b, " data-figure=\"");
    chart_escape(b, path);
    buf_puts(b, "\" data-keys=\"");
    chart_escape(b, keys);
    buf_puts(b, "\" data-values=\"");
    for (int i = 0; i < n * nkeys; i++) {
        if (i) buf_putc(b, ' ');
        render_number(b, values[i]);
    }
    buf_putc(b, '"');
}

/* ---- the page ---- */

static const char CSS[] =
    ":root{--ink:#1c2333;--muted:#5a6478;--line:#dde2ea;--panel:#f5f7fa;--blue:#0072B2;--red:#D55E00;"
    "--green:#009E73;--amber:#E69F00}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-text-size-adjust:100%}\n"
    "body{margin:0;background:#e9edf2;color:var(--ink);font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Helvetica Neue\",Arial,\"Liberation Sans\",\"DejaVu Sans\",sans-serif}\n"
    "main{max-width:1120px;margin:0 auto;padding:36px 40px 48px;background:#fff}\n"
    "header.top{border-bottom:3px solid var(--blue);padding-bottom:14px}\n"
    ".kicker{margin:0;color:var(--blue);font-size:13px;font-weight:600;letter-spacing:.06em;text-transform:uppercase}\n"
    "h1{margin:4px 0 6px;font-size:30px;line-height:1.2}\n"
    ".meta{margin:0;color:var(--muted);font-size:14px}\n"
    ".meta>span{white-space:nowrap}\n"
    ".meta>span+span::before{content:\"\\00B7  \";color:#9aa3b2}\n"
    ".warnings{margin:16px 0 0;padding:10px 14px;border-left:4px solid var(--amber);background:#fff6e0;"
    "font-size:14px}\n"
    ".warnings ul{margin:4px 0 0;padding-left:20px}\n"
    ".warnings code{font-size:12.5px;color:var(--muted)}\n"
    "section{margin-top:30px}\n"
    "h2{margin:0 0 12px;padding-bottom:4px;font-size:20px;border-bottom:1px solid var(--line)}\n"
    "h3{margin:18px 0 8px;font-size:16px}\n"
    "p.intro,p.note{margin:0 0 12px;color:var(--muted);font-size:14px}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:12px}\n"
    ".card{padding:12px 14px;border:1px solid var(--line);border-radius:8px;background:var(--panel);"
    "break-inside:avoid;page-break-inside:avoid}\n"
    ".card h3{margin:0 0 2px;font-size:12px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;"
    "color:var(--muted)}\n"
    ".card .big{display:block;font-size:27px;font-weight:650;line-height:1.25;font-variant-numeric:tabular-nums}\n"
    ".card .sub{display:block;font-size:12.5px;color:var(--muted)}\n"
    ".card.good{border-top:4px solid var(--green)}.card.bad{border-top:4px solid var(--red)}"
    ".card.plain{border-top:4px solid var(--blue)}\n"
    ".na{color:var(--muted);font-style:italic}\n"
    ".card .big.na{font-size:20px}\n"
    "figure{margin:0 0 22px;break-inside:avoid;page-break-inside:avoid}\n"
    "figcaption{margin-top:4px;font-size:13px;color:var(--muted)}\n"
    "figure.missing{padding:16px;border:1px dashed var(--line);border-radius:8px}\n"
    ".grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:8px 28px}\n"
    "svg.chart{display:block;width:100%;height:auto;overflow:visible}\n"
    ".chart text{fill:var(--ink);font-size:13px}\n"
    ".chart .tick{fill:var(--muted);font-size:12px}\n"
    ".chart .axis-title{fill:var(--muted);font-size:12.5px}\n"
    ".chart .chart-title,p.chart-title{font-size:15px;font-weight:600}\n"
    "p.chart-title{margin:0 0 6px}\n"
    ".chart .legend{font-size:12px}\n"
    ".chart .value{font-size:12.5px;font-variant-numeric:tabular-nums}\n"
    ".chart .strong{font-weight:600}\n"
    ".chart .drop{fill:var(--red);font-size:11.5px}.chart .rise{fill:var(--muted);font-size:11.5px}\n"
    ".chart .grid{stroke:#e6e9ef;stroke-width:1}\n"
    ".chart .axis{stroke:#9aa3b2;stroke-width:1}\n"
    ".chart .zero{stroke:#3a4356;stroke-width:1.4}\n"
    ".chart .marker{stroke-width:2;stroke-dasharray:5 4}\n"
    ".chart .note-mark{fill:#9a6a00;font-size:11.5px;font-weight:700}\n"
    "ol.why{margin:4px 0 0;padding-left:24px;font-size:13px}ol.why li::marker{color:#9a6a00;font-weight:700}\n"
    ".graph{margin:0 0 10px;padding:8px;border:1px solid var(--line);border-radius:8px;overflow-x:auto}\n"
    ".graph svg{display:block;width:100%;max-width:var(--w);min-width:calc(var(--w)*.55);height:auto;margin:0 auto}\n"
    ".tablewrap{overflow-x:auto}\n"
    "table{width:100%;margin:0 0 16px;border-collapse:collapse;font-size:13px}\n"
    "th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
    "thead th{background:var(--panel);font-weight:600;border-bottom:2px solid var(--line)}\n"
    "tbody tr:nth-child(even){background:#fafbfc}\n"
    "td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "td small{display:block;color:var(--muted)}\n"
    ".tag{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;font-weight:600;white-space:nowrap}\n"
    ".tag.pain{background:#fbe3d4;color:#8a3a00}.tag.opp{background:#d5efe6;color:#005a41}"
    ".tag.goal{background:#d5efe6;color:#005a41}\n"
    "footer{margin-top:36px;padding-top:10px;border-top:1px solid var(--line);color:var(--muted);font-size:12.5px}\n"
    "@page{size:auto;margin:15mm}\n@page pictures{size:landscape}\n"
    "@media print{body{background:#fff;font-size:10.5pt}main{max-width:none;padding:0}"
    ".cards{grid-template-columns:repeat(3,1fr)}.grid2{display:block}"
    "h2{break-after:avoid;page-break-after:avoid}tr{break-inside:avoid;page-break-inside:avoid}"
    "thead{display:table-header-group}.graph,.tablewrap{overflow:visible;border:none;padding:0}"
    ".graph svg{min-width:0}section.pictures{page:pictures;break-before:page;page-break-before:always}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void head(Buf *b, const RtResult *r, const HtmlReport *o)
{
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
                "<meta charset=\"utf-8\"/>\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                "<meta http-equiv=\"Content-Security-Policy\" "
                "content=\"default-src 'none'; style-src 'unsafe-inline'\"/>\n"
                "<meta name=\"generator\" content=\"cjm ");
    chart_escape(b, o->version);
    buf_puts(b, "\"/>\n<title>");
    chart_escape(b, r->model->title);
    buf_puts(b, " \xE2\x80\x94 customer journey report</title>\n<style>\n");
    buf_puts(b, CSS);
    buf_puts(b, "</style>\n</head>\n<body>\n<main>\n");
}

static void meta_item(Buf *b, const char *text)
{
    buf_puts(b, "<span>");
    chart_escape(b, text);
    buf_puts(b, "</span>\n");
}

static void header_meta(Buf *b, const RtResult *r, const char *file, const HtmlReport *o)
{
    buf_puts(b, "<p class=\"meta\">");
    meta_item(b, file);
    buf_puts(b, "<span>cohort ");
    html_fig(b, r, "span", NULL, "cohort", r->cohort, FIG_WHOLE);
    buf_puts(b, " customers</span>\n<span>seed ");
    html_fig(b, r, "span", NULL, "seed", (double)r->seed, FIG_PLAIN);
    buf_puts(b, "</span>\n<span>");
    if (r->has_horizon && r->horizon < 1) { /* "horizon 12.0 h", not "horizon 0.5 days" */
        buf_puts(b, "horizon ");
        html_fig(b, r, "span", NULL, "horizon_days", r->horizon, FIG_DAYS);
    } else if (r->has_horizon) {
        buf_puts(b, "horizon ");
        html_fig(b, r, "span", NULL, "horizon_days", r->horizon, FIG_PLAIN);
        buf_puts(b, " days");
    } else {
        buf_puts(b, "no horizon");
    }
    buf_puts(b, "</span>\n");
    meta_item(b, r->exact ? "exact analysis (expected values)" : "simulated");
    if (r->persona >= 0) {
        buf_puts(b, "<span>persona ");
        chart_escape(b, render_persona_name(r, r->persona));
        buf_puts(b, " only</span>\n");
    }
    buf_puts(b, "<span>");
    chart_escape(b, o->date);
    buf_puts(b, "</span>\n<span>cjm ");
    chart_escape(b, o->version);
    buf_puts(b, "</span></p>\n");
}

static void warnings(Buf *b, const RtResult *r)
{
    if (r->nwarnings == 0) return;
    buf_printf(b, "<div class=\"warnings\" role=\"note\"><strong>%s</strong>\n<ul>\n",
               r->nwarnings == 1 ? "This run has a warning" : "This run has warnings");
    for (int i = 0; i < r->nwarnings; i++) {
        char where[512];
        rt_loc_string(r->model, r->warnings[i].loc, where, sizeof where);
        buf_puts(b, "<li>");
        if (where[0]) {
            buf_puts(b, "<code>");
            chart_escape(b, where);
            buf_puts(b, "</code> ");
        }
        chart_escape(b, r->warnings[i].message);
        buf_puts(b, "</li>\n");
    }
    buf_puts(b, "</ul></div>\n");
}

static void header(Buf *b, const RtResult *r, const char *file, const HtmlReport *o)
{
    buf_puts(b, "<header class=\"top\">\n<p class=\"kicker\">Customer journey report</p>\n<h1>");
    chart_escape(b, r->model->title);
    buf_puts(b, "</h1>\n");
    header_meta(b, r, file, o);
    warnings(b, r);
    buf_puts(b, "</header>\n");
}

static void section_open(Buf *b, const char *id, const char *title, const char *intro)
{
    buf_printf(b, "<section id=\"%s\" class=\"%s\">\n<h2>", id, id);
    chart_escape(b, title);
    buf_puts(b, "</h2>\n");
    if (intro) {
        buf_puts(b, "<p class=\"intro\">");
        chart_escape(b, intro);
        buf_puts(b, "</p>\n");
    }
}

static void section_close(Buf *b) { buf_puts(b, "</section>\n"); }

/* ---- headline cards ---- */

static void card_open(Buf *b, const char *tone, const char *title)
{
    buf_printf(b, "<div class=\"card %s\"><h3>", tone);
    chart_escape(b, title);
    buf_puts(b, "</h3>");
}

static void card_big(Buf *b, const RtResult *r, const char *path, double v, FigKind k)
{
    html_fig(b, r, "span", "big", path, v, k);
}

static void card_close(Buf *b, const char *sub)
{
    if (sub) {
        buf_puts(b, "<span class=\"sub\">");
        chart_escape(b, sub);
        buf_puts(b, "</span>");
    }
    buf_puts(b, "</div>\n");
}

/* A rate of the cohort with its count and 95% interval. */
static void card_rate(Buf *b, const RtResult *r, const char *tone, const char *title, const char *key, double count)
{
    char path[128];
    RtRate x = rt_rate(count, r->cohort, r->exact);
    card_open(b, tone, title);
    card_big(b, r, html_path(path, "%s.rate", key), x.rate, FIG_RATE);
    buf_puts(b, "<span class=\"sub\">");
    html_fig(b, r, "span", NULL, html_path(path, "%s.count", key), count, FIG_COUNT);
    buf_puts(b, r->exact ? " customers expected" : " customers");
    if (!r->exact) {
        buf_puts(b, "</span><span class=\"sub\">95% CI ");
        html_fig(b, r, "span", NULL, html_path(path, "%s.ci95.0", key), x.lo, FIG_RATE);
        buf_puts(b, DASH);
        html_fig(b, r, "span", NULL, html_path(path, "%s.ci95.1", key), x.hi, FIG_RATE);
    }
    buf_puts(b, "</span>");
    card_close(b, NULL);
}

/* A figure with a line under it; `missing` says why when the figure does not exist. */
static void card_figure(Buf *b, const RtResult *r, const char *title, const char *path, double v, FigKind k,
                        const char *sub, const char *missing)
{
    card_open(b, "plain", title);
    card_big(b, r, path, v, k);
    card_close(b, isfinite(v) ? sub : missing);
}

/* "95% CI lo–hi" of a money figure whose JSON key is `key` (its interval is `key`_ci95); nothing
 * when it has none (an exact analysis). */
static void money_interval(Buf *b, const RtResult *r, const char *key, RtEstimate e)
{
    char path[128];
    if (!isfinite(e.lo) || !isfinite(e.hi)) return;
    buf_puts(b, "<span class=\"sub\">95% CI ");
    html_fig(b, r, "span", NULL, html_path(path, "%s_ci95.0", key), e.lo, FIG_MONEY);
    buf_puts(b, DASH);
    html_fig(b, r, "span", NULL, html_path(path, "%s_ci95.1", key), e.hi, FIG_MONEY);
    buf_puts(b, "</span>");
}

/* A figure per customer with its total and, in a simulation, its 95% interval. */
static void card_money(Buf *b, const RtResult *r, const char *title, const char *key, RtEstimate per,
                       const char *total_key, double total)
{
    card_open(b, "plain", title);
    card_big(b, r, key, per.value, FIG_MONEY);
    buf_puts(b, "<span class=\"sub\">");
    html_fig(b, r, "span", NULL, total_key, total, FIG_MONEY);
    buf_puts(b, r->exact ? " expected in all</span>" : " in all</span>");
    money_interval(b, r, key, per);
    card_close(b, NULL);
}

static void card_cac(Buf *b, const RtResult *r, RtEstimate cac)
{
    card_open(b, "plain", "CAC");
    card_big(b, r, "cac", cac.value, FIG_MONEY);
    if (!isfinite(cac.value)) {
        card_close(b, "no conversion");
        return;
    }
    buf_puts(b, "<span class=\"sub\">customer acquisition cost: cost per conversion</span>");
    money_interval(b, r, "cac", cac);
    card_close(b, NULL);
}

/* The median time to convert, with the mean and 90th percentile; in an exact analysis, which has
 * no percentiles, the mean. */
static void card_time(Buf *b, const RtResult *r)
{
    card_open(b, "plain", "Time to convert");
    if (!isfinite(r->ttc_mean)) {
        card_big(b, r, "time_to_convert.mean", r->ttc_mean, FIG_DAYS);
        card_close(b, "no customer converted");
        return;
    }
    if (r->exact) {
        card_big(b, r, "time_to_convert.mean", r->ttc_mean, FIG_DAYS);
        card_close(b, "mean; percentiles are not available in an exact analysis");
        return;
    }
    card_big(b, r, "time_to_convert.median", r->ttc_median, FIG_DAYS);
    buf_puts(b, "<span class=\"sub\">median; mean ");
    html_fig(b, r, "span", NULL, "time_to_convert.mean", r->ttc_mean, FIG_DAYS);
    buf_puts(b, DOT);
    buf_puts(b, "90th percentile ");
    html_fig(b, r, "span", NULL, "time_to_convert.p90", r->ttc_p90, FIG_DAYS);
    buf_puts(b, "</span>");
    card_close(b, NULL);
}

static void cards(Buf *b, const RtResult *r)
{
    section_open(b, "headline", "Headline", NULL);
    buf_puts(b, "<div class=\"cards\">\n");
    card_rate(b, r, "good", "Conversion", "conversion", r->converted);
    card_rate(b, r, "bad", "Churn", "churn", r->churned);
    card_figure(b, r, "Retention, day 30", "retention.day_30", r->retention[1], FIG_RATE,
                "share of the cohort not churned by day 30", HTML_NOT_EXACT);
    card_figure(b, r, "Retention, day 90", "retention.day_90", r->retention[2], FIG_RATE,
                "share of the cohort not churned by day 90", HTML_NOT_EXACT);
    card_figure(b, r, "NPS", "nps", r->nps, FIG_NPS, "Net Promoter Score: promoters minus detractors", HTML_NOT_EXACT);
    card_figure(b, r, "CSAT", "csat", r->csat, FIG_CSAT, "customer satisfaction, mean score from 1 to 5",
                HTML_NOT_EXACT);
    RtMoney money = rt_money(r);
    card_money(b, r, "Revenue / customer", "revenue_per_customer", money.revenue, "revenue", r->revenue);
    card_money(b, r, "Cost / customer", "cost_per_customer", money.cost, "cost", r->cost);
    card_cac(b, r, money.cac);
    card_time(b, r);
    buf_puts(b, "</div>\n");
    section_close(b);
}

/* ---- tables ---- */

/* <table><thead><tr> with the headings; a heading starting with '#' is a number column. */
static void table_open(Buf *b, const char *const *heads, int n)
{
    buf_puts(b, "<div class=\"tablewrap\"><table>\n<thead><tr>");
    for (int i = 0; i < n; i++) {
        bool num = heads[i][0] == '#';
        buf_printf(b, "<th%s scope=\"col\">", num ? " class=\"n\"" : "");
        chart_escape(b, heads[i] + num);
        buf_puts(b, "</th>");
    }
    buf_puts(b, "</tr></thead>\n<tbody>\n");
}

static void table_close(Buf *b) { buf_puts(b, "</tbody></table></div>\n"); }

static void td_fig(Buf *b, const RtResult *r, const char *path, double v, FigKind k)
{
    html_fig(b, r, "td", "n", path, v, k);
}

/* A name cell: the name, and its label underneath when there is one. */
static void td_name(Buf *b, const char *name, const char *label, const char *tag)
{
    buf_puts(b, "<td>");
    chart_escape(b, name);
    if (tag) buf_printf(b, " <span class=\"tag goal\">%s</span>", tag);
    if (label) {
        buf_puts(b, "<small>");
        chart_escape(b, label);
        buf_puts(b, "</small>");
    }
    buf_puts(b, "</td>");
}

static void td_text(Buf *b, const char *text)
{
    buf_puts(b, "<td>");
    chart_escape(b, text);
    buf_puts(b, "</td>");
}

static void stages_table(Buf *b, const RtResult *r)
{
    static const char *const heads[] = {"Stage", "#Reached", "#% of cohort", "#Entries", "#Mood on entry", "#Converted",
                                        "#Churned", "#Completed", "#Active", "#Revenue"};
    table_open(b, heads, 10);
    char path[128];
    for (int s = 0; s < r->rt->nstages; s++) {
        const Stage *st = r->model->stages[s];
        const RtStageRow *x = &r->stages[s];
        buf_puts(b, "<tr>");
        td_name(b, st->name.s, st->label.s, st->goal ? "goal" : NULL);
        td_fig(b, r, html_path(path, "stages.%d.reached", s), x->reached, FIG_COUNT);
        td_fig(b, r, html_path(path, "stages.%d.reached_rate", s), x->reached / r->cohort, FIG_RATE);
        td_fig(b, r, html_path(path, "stages.%d.entries", s), x->entries, FIG_COUNT);
        td_fig(b, r, html_path(path, "stages.%d.mean_mood", s), x->mean_mood, FIG_MOOD);
        td_fig(b, r, html_path(path, "stages.%d.converted", s), x->converted, FIG_COUNT);
        td_fig(b, r, html_path(path, "stages.%d.churned", s), x->churned, FIG_COUNT);
        td_fig(b, r, html_path(path, "stages.%d.completed", s), x->completed, FIG_COUNT);
        td_fig(b, r, html_path(path, "stages.%d.active", s), x->active, FIG_COUNT);
        td_fig(b, r, html_path(path, "stages.%d.revenue", s), x->revenue, FIG_MONEY);
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

/* The text of a way out: "→ Purchase", "→ churn: reason", with "(rule)" for a rule's. */
static void exit_text(Buf *b, const RtResult *r, const RtExitRow *x)
{
    buf_puts(b, "\xE2\x86\x92 ");
    buf_puts(b, rt_stage_name(r->rt, x->target));
    if (x->reason && *x->reason) buf_printf(b, ": %s", x->reason);
    if (x->via_rule) buf_puts(b, " (rule)");
}

/* The rows of what did not leave stage `s` by a way out, each with its share of the stage's
 * entries: the entries the horizon cut while in it, and the customers who completed there. */
static void stayed_rows(Buf *b, const RtResult *r, int s)
{
    const RtStageRow *x = &r->stages[s];
    char path[128];
    for (int i = 0; i < 2; i++) {
        double count = i == 0 ? render_stage_still(r, s) : x->completed;
        if (!(count > 0)) continue;
        buf_puts(b, "<tr><td></td><td><i>");
        chart_escape(b, i == 0 ? "still in the stage at the horizon" : "completed in the stage");
        buf_puts(b, "</i></td>");
        td_fig(b, r, html_path(path, "stages.%d.%s", s, i == 0 ? "still_at_horizon" : "completed"), count, FIG_COUNT);
        buf_puts(b, "<td class=\"n\">");
        html_fig_text(b, r, x->entries > 0 ? count / x->entries : NAN, FIG_RATE);
        buf_puts(b, " of entries</td></tr>\n");
    }
}

static void exits_table(Buf *b, const RtResult *r)
{
    if (r->nexits == 0) return;
    static const char *const heads[] = {"Stage", "Way out", "#Taken", "#% of the stage's exits"};
    buf_puts(b, "<h3>Ways out of each stage</h3>\n<p class=\"intro\">Each way out as a share of the stage's "
                "exits: of the customers who left the stage, the share that took it (an estimate of the arrow's "
                "probability when nothing else changes it). Customers who never left it are listed apart, with their share of its entries.</p>\n");
    table_open(b, heads, 4);
    char path[128];
    int k = 0;
    for (int i = 0; i < r->nexits; i++) {
        const RtExitRow *x = &r->exits[i];
        bool first = i == 0 || r->exits[i - 1].stage != x->stage;
        k = first ? 0 : k + 1;
        buf_puts(b, "<tr>");
        td_text(b, first ? r->model->stages[x->stage]->name.s : "");
        Buf t = BUF_INIT;
        exit_text(&t, r, x);
        td_text(b, buf_str(&t));
        buf_free(&t);
        td_fig(b, r, html_path(path, "stages.%d.exits.%d.count", x->stage, k), x->count, FIG_COUNT);
        td_fig(b, r, html_path(path, "stages.%d.exits.%d.share_of_exits", x->stage, k), render_share_of_exits(r, x),
               FIG_RATE);
        buf_puts(b, "</tr>\n");
        if (i + 1 == r->nexits || r->exits[i + 1].stage != x->stage) stayed_rows(b, r, x->stage);
    }
    table_close(b);
}

static void reasons_table(Buf *b, const RtResult *r)
{
    if (r->nreasons == 0) return;
    static const char *const heads[] = {"Stage", "Reason", "#Customers", "#% of cohort", "#% of churn"};
    table_open(b, heads, 5);
    char path[128];
    for (int i = 0; i < r->nreasons; i++) {
        const RtReasonRow *x = &r->reasons[i];
        buf_puts(b, "<tr>");
        td_text(b, rt_stage_name(r->rt, x->stage));
        td_text(b, *x->reason ? x->reason : "(no reason given)");
        td_fig(b, r, html_path(path, "churn_reasons.%d.count", i), x->count, FIG_COUNT);
        td_fig(b, r, html_path(path, "churn_reasons.%d.rate", i), x->count / r->cohort, FIG_RATE);
        buf_puts(b, "<td class=\"n\">");
        html_fig_text(b, r, r->churned > 0 ? x->count / r->churned : NAN, FIG_RATE);
        buf_puts(b, "</td></tr>\n");
    }
    table_close(b);
}

/* "12.0%–13.3%" for a rate object's interval, nothing in an exact analysis. */
static void td_interval(Buf *b, const RtResult *r, const char *key, double count, double n)
{
    char path[128];
    RtRate x = rt_rate(count, n, r->exact);
    buf_puts(b, "<td class=\"n\">");
    if (r->exact || !(n > 0)) {
        buf_puts(b, DASH);
    } else {
        html_fig(b, r, "span", NULL, html_path(path, "%s.ci95.0", key), x.lo, FIG_RATE);
        buf_puts(b, DASH);
        html_fig(b, r, "span", NULL, html_path(path, "%s.ci95.1", key), x.hi, FIG_RATE);
    }
    buf_puts(b, "</td>");
}

static void personas_table(Buf *b, const RtResult *r)
{
    static const char *const heads[] = {"Persona", "#Share", "#Customers", "#Conversion", "#95% CI", "#Churn",
                                        "#Completed", "#Active"};
    table_open(b, heads, 8);
    char path[128], key[128];
    int j = 0;
    for (int p = 0; p < r->rt->npersonas; p++) {
        if (r->persona >= 0 && p != r->persona) continue;
        const RtPersonaRow *x = &r->personas[p];
        double n = x->customers;
        buf_puts(b, "<tr>");
        td_name(b, render_persona_name(r, p), r->model->personas[p]->label.s, NULL);
        td_fig(b, r, html_path(path, "personas.%d.share", j), r->persona >= 0 ? 1 : r->model->share[p], FIG_RATE);
        td_fig(b, r, html_path(path, "personas.%d.customers", j), n, FIG_COUNT);
        td_fig(b, r, html_path(path, "personas.%d.conversion.rate", j), rt_rate(x->converted, n, r->exact).rate,
               FIG_RATE);
        td_interval(b, r, html_path(key, "personas.%d.conversion", j), x->converted, n);
        td_fig(b, r, html_path(path, "personas.%d.churn.rate", j), rt_rate(x->churned, n, r->exact).rate, FIG_RATE);
        td_fig(b, r, html_path(path, "personas.%d.completed.count", j), x->completed, FIG_COUNT);
        td_fig(b, r, html_path(path, "personas.%d.active.count", j), x->active, FIG_COUNT);
        buf_puts(b, "</tr>\n");
        j++;
    }
    table_close(b);
}

/* Reached, % of cohort, meetings, cost, conversions, conversion rate: the cells touchpoints and
 * channels share, under the JSON object at `key`. */
static void touch_cells(Buf *b, const RtResult *r, const char *key, const RtTouchRow *x)
{
    char path[128];
    td_fig(b, r, html_path(path, "%s.reached", key), x->reached, FIG_COUNT);
    td_fig(b, r, html_path(path, "%s.reached_rate", key), x->reached / r->cohort, FIG_RATE);
    td_fig(b, r, html_path(path, "%s.meetings", key), x->meetings, FIG_COUNT);
    td_fig(b, r, html_path(path, "%s.cost", key), x->cost, FIG_MONEY);
    td_fig(b, r, html_path(path, "%s.conversions", key), x->conversions, FIG_COUNT);
    td_fig(b, r, html_path(path, "%s.conversion_rate", key), x->reached > 0 ? x->conversions / x->reached : NAN,
           FIG_RATE);
}

static const char *touch_stage(const RtResult *r, const Touchpoint *tp)
{
    return tp->stage_index >= 0 ? r->model->stages[tp->stage_index]->name.s : "met through rules";
}

static void touchpoints_table(Buf *b, const RtResult *r)
{
    const Model *m = r->model;
    static const char *const heads[] = {"Touchpoint", "Stage", "Channel", "#Reach", "#Reached", "#% of cohort",
                                        "#Meetings", "#Cost", "#Conversions", "#Conversion rate"};
    if (r->rt->ntouch == 0) return;
    buf_puts(b, "<h3>Touchpoints</h3>\n");
    table_open(b, heads, 10);
    char path[128], key[128];
    for (int t = 0; t < r->rt->ntouch; t++) {
        const Touchpoint *tp = m->touchpoints[t];
        buf_puts(b, "<tr>");
        td_name(b, tp->name.s, tp->label.s, NULL);
        td_text(b, touch_stage(r, tp));
        td_text(b, tp->channel_index >= 0 ? m->channels[tp->channel_index]->name.s : DASH);
        td_fig(b, r, html_path(path, "touchpoints.%d.reach", t), r->rt->touch[t].reach, FIG_RATE);
        touch_cells(b, r, html_path(key, "touchpoints.%d", t), &r->touch[t]);
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

static void channels_table(Buf *b, const RtResult *r)
{
    const Model *m = r->model;
    static const char *const heads[] = {"Channel", "#Reached", "#% of cohort", "#Meetings", "#Cost", "#Conversions",
                                        "#Conversion rate"};
    bool any = false;
    for (int c = 0; c < r->rt->nchannels; c++) any |= render_channel_used(r, c);
    if (!any) return;
    buf_puts(b, "<h3>Channels</h3>\n");
    table_open(b, heads, 7);
    char key[128];
    int k = 0;
    for (int c = 0; c < r->rt->nchannels; c++) {
        if (!render_channel_used(r, c)) continue;
        buf_puts(b, "<tr>");
        td_name(b, m->channels[c]->name.s, m->channels[c]->label.s, NULL);
        touch_cells(b, r, html_path(key, "channels.%d", k++), &r->channels[c]);
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

static void pain_row(Buf *b, const RtResult *r, int t, bool pain, const char *text)
{
    const Touchpoint *tp = r->model->touchpoints[t];
    char path[128];
    buf_printf(b, "<tr><td><span class=\"tag %s\">%s</span></td>", pain ? "pain" : "opp",
               pain ? "pain point" : "opportunity");
    td_text(b, text);
    td_name(b, tp->name.s, tp->label.s, NULL);
    td_text(b, touch_stage(r, tp));
    td_fig(b, r, html_path(path, "touchpoints.%d.reached", t), r->touch[t].reached, FIG_COUNT);
    td_fig(b, r, html_path(path, "touchpoints.%d.reached_rate", t), r->touch[t].reached / r->cohort, FIG_RATE);
    td_fig(b, r, html_path(path, "touchpoints.%d.meetings", t), r->touch[t].meetings, FIG_COUNT);
    buf_puts(b, "</tr>\n");
}

static void pains_table(Buf *b, const RtResult *r)
{
    static const char *const heads[] = {"", "What", "Touchpoint", "Stage", "#Customers who met it", "#% of cohort",
                                        "#Meetings"};
    section_open(b, "pains", "Pain points and opportunities",
                 "What the journey says hurts or could be better, at the touchpoint where customers meet it, with "
                 "how many of them met it.");
    bool any = false;
    for (int pass = 0; pass < 2; pass++) {
        for (int t = 0; t < r->rt->ntouch; t++) {
            const Touchpoint *tp = r->model->touchpoints[t];
            for (const StrList *s = pass == 0 ? tp->pains : tp->opportunities; s; s = s->next) {
                if (!any) table_open(b, heads, 7);
                any = true;
                pain_row(b, r, t, pass == 0, s->str.s);
            }
        }
    }
    if (any) table_close(b);
    else buf_puts(b, "<p class=\"note\">The journey names no pain point and no opportunity.</p>\n");
    section_close(b);
}

/* ---- Graphviz's pictures ---- */

/* The root <svg ...> tag of a Graphviz document, rewritten to scale to the page: width and height
 * dropped (the viewBox stays), the natural width kept as a maximum. */
static void svg_root(Buf *b, const char *tag, size_t len, const char *label)
{
    const char *w = strstr(tag, " width=\"");
    double width = 0;
    if (w && w < tag + len) width = atof(w + 8);
    buf_puts(b, "<svg");
    for (const char *p = tag + 4; p < tag + len;) {
        if (strncmp(p, " width=\"", 8) == 0 || strncmp(p, " height=\"", 9) == 0) {
            const char *q = strchr(strchr(p, '"') + 1, '"');
            p = q ? q + 1 : tag + len;
            continue;
        }
        buf_putc(b, *p++);
    }
    if (b->len && b->data[b->len - 1] == '/') b->len--; /* no self-closing root */
    if (width > 0) buf_printf(b, " style=\"--w:%.0fpt\"", width);
    buf_puts(b, " role=\"img\" aria-label=\"");
    chart_escape(b, label);
    buf_puts(b, "\">");
}

/* Graphviz's SVG without its XML prolog and DOCTYPE, ids prefixed (two pictures share the page). */
static void inline_svg(Buf *b, const char *svg, const char *prefix, const char *label)
{
    const char *root = strstr(svg, "<svg");
    const char *end = root ? strchr(root, '>') : NULL;
    if (!end) return;
    svg_root(b, root, (size_t)(end - root), label);
    for (const char *p = end + 1; *p;) {
        static const char *const refs[] = {" id=\"", "url(#", "href=\"#"};
        bool done = false;
        for (int i = 0; i < 3 && !done; i++) {
            size_t n = strlen(refs[i]);
            if (strncmp(p, refs[i], n) == 0) {
                buf_add(b, p, n);
                buf_printf(b, "%s-", prefix);
                p += n;
                done = true;
            }
        }
        if (!done) buf_putc(b, *p++);
    }
    while (b->len && (b->data[b->len - 1] == '\n')) b->data[--b->len] = '\0';
    buf_putc(b, '\n');
}

static void pictures(Buf *b, const HtmlReport *o)
{
    if (!o->flow_svg && !o->map_svg) return;
    section_open(b, "pictures", "The journey", NULL);
    if (o->flow_svg) {
        buf_puts(b, "<h3>Flow</h3>\n<p class=\"intro\">Stages with the customers who reached them and their mean mood "
                    "on entry (colour, red to green); arrows with their probability, the customers who took them and "
                    "their share of the stage's exits; churn beside each stage.</p>\n<div class=\"graph\">");
        inline_svg(b, o->flow_svg, "flow", "The flow of the journey");
        buf_puts(b, "</div>\n");
    }
    if (o->map_svg) {
        buf_puts(b, "<h3>Journey map</h3>\n<p class=\"intro\">One column per stage: touchpoints, channels, the emotion "
                    "curve (\xE2\x97\x8B declared, \xE2\x97\x8F simulated, each at its value on the scale), the "
                    "thoughts and feelings the curves give, pain points, opportunities and the stage's figures.</p>\n<div class=\"graph\">");
        inline_svg(b, o->map_svg, "map", "The journey map");
        buf_puts(b, "</div>\n");
    }
    section_close(b);
}

/* ---- the whole ---- */

static void charts(Buf *b, const RtResult *r)
{
    section_open(b, "funnel", "Funnel", NULL);
    html_chart_funnel(b, r);
    section_close(b);
    section_open(b, "emotions", "Emotion curves", NULL);
    html_chart_curves(b, r);
    section_close(b);
    section_open(b, "time", "Retention and time to convert", NULL);
    buf_puts(b, "<div class=\"grid2\">\n");
    html_chart_retention(b, r);
    html_chart_ttc(b, r);
    buf_puts(b, "</div>\n");
    section_close(b);
    section_open(b, "churn", "Churn reasons", NULL);
    html_chart_churn(b, r);
    reasons_table(b, r);
    section_close(b);
}

static void footer(Buf *b, const HtmlReport *o)
{
    buf_puts(b, "<footer>Made by cjm ");
    chart_escape(b, o->version);
    buf_puts(b, " on ");
    chart_escape(b, o->date);
    buf_puts(b, ". Counts are customers of the cohort; rates are shares of it unless said otherwise; intervals are "
                "95% intervals (Wilson score intervals of rates; of money, the normal approximation, by the delta "
                "method for CAC). What each figure means: docs/semantics.md.</footer>\n");
}

static void tables(Buf *b, const RtResult *r)
{
    section_open(b, "stages", "Stages",
                 r->exact ? "Every stage in declaration order: customers who reached it, all its entries, and how the "
                            "customers whose journey ended there ended it (expected values). Moods are not available "
                            "in an exact analysis."
                          : "Every stage in declaration order: customers who reached it, all its entries, their mean "
                            "mood, and how the customers whose journey ended there ended it.");
    stages_table(b, r);
    exits_table(b, r);
    section_close(b);
    section_open(b, "personas", "Personas", "Rates are among each persona's own customers.");
    personas_table(b, r);
    section_close(b);
    section_open(b, "touchpoints", "Touchpoints and channels",
                 "Reached: customers who met it at least once. Conversions: customers who met it and converted.");
    touchpoints_table(b, r);
    channels_table(b, r);
    section_close(b);
    pains_table(b, r);
}

void render_html(const RtResult *r, const char *file, const HtmlReport *o, Buf *out)
{
    head(out, r, o);
    header(out, r, file, o);
    cards(out, r);
    charts(out, r);
    pictures(out, o);
    tables(out, r);
    if (o->compare_html) buf_puts(out, o->compare_html);
    footer(out, o);
    buf_puts(out, "</main>\n</body>\n</html>\n");
}
