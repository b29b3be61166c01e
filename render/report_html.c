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

static const char DASH[] = "\xE2\x80\x93", DOT[] = " \xC2\xB7 ";

/* ---- figures ---- */

void html_fig_text(Buf *b, const RtResult *r, double v, FigKind k) { fig_html_text(b, k, v, r->exact); }

void html_fig_attrs(Buf *b, const char *path, double v, FigKind k)
{
    buf_puts(b, " data-figure=\"");
    chart_escape(b, path);
    buf_puts(b, "\" data-value=\"");
    render_number(b, v);
    buf_printf(b, "\" data-format=\"%s\"", fig_kind_name(k));
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

HtmlRow html_row(const RtResult *r, const FigTable *t, int row, int parent, const char *outer, int index)
{
    HtmlRow w = {r, t, row, parent, ""};
    fig_row_path(w.path, outer, t, index);
    return w;
}

HtmlRow html_object(const RtResult *r, const FigTable *t)
{
    HtmlRow w = {r, t, 0, -1, ""};
    snprintf(w.path, sizeof w.path, "%s", t->key);
    return w;
}

FigValue html_value(const HtmlRow *w, int member) { return fig_get(&w->t->members[member], w->r, w->row, w->parent); }

FigValue html_value_of(const RtResult *r, int member) { return fig_get(&FIG_REPORT.members[member], r, 0, -1); }

const char *html_member_path(char buf[FIG_PATH_MAX], const HtmlRow *w, int member, FigPart part)
{
    return fig_path(buf, w->path, &w->t->members[member], part);
}

void html_member(Buf *b, const HtmlRow *w, const char *tag, const char *cls, int member, FigPart part)
{
    const Figure *f = &w->t->members[member];
    FigValue v = html_value(w, member);
    char path[FIG_PATH_MAX];
    bool object = f->shape == SHAPE_RATE || f->shape == SHAPE_COUNT;
    if (object && !isfinite(v.value) && !isfinite(v.count)) { /* a null rate object: no path to point at */
        buf_printf(b, "<%s class=\"%s%sna\">%s</%s>", tag, cls ? cls : "", cls ? " " : "", DASH, tag);
        return;
    }
    html_fig(b, w->r, tag, cls, fig_path(path, w->path, f, part), fig_part(v, part), fig_part_kind(f, part));
}

void html_member_text(Buf *b, const HtmlRow *w, int member, FigPart part)
{
    html_fig_text(b, w->r, fig_part(html_value(w, member), part), fig_part_kind(&w->t->members[member], part));
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
    "h3.group{margin:20px 0 8px;font-size:15px;color:var(--blue)}section h2+h3.group{margin-top:4px}\n"
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
    HtmlRow top = html_object(r, &FIG_REPORT);
    char path[FIG_PATH_MAX];
    buf_puts(b, "<p class=\"meta\">");
    meta_item(b, file);
    buf_puts(b, "<span>cohort ");
    html_member(b, &top, "span", NULL, R_COHORT, PART_VALUE);
    buf_puts(b, "</span>\n<span>seed ");
    html_member(b, &top, "span", NULL, R_SEED, PART_VALUE);
    buf_puts(b, "</span>\n<span>");
    if (r->has_horizon && r->horizon < 1) { /* "horizon 12.0 h", not "horizon 0.5 days" */
        buf_puts(b, "horizon ");
        html_fig(b, r, "span", NULL, html_member_path(path, &top, R_HORIZON, PART_VALUE), r->horizon, FIG_DAYS);
    } else if (r->has_horizon) {
        buf_puts(b, "horizon ");
        html_member(b, &top, "span", NULL, R_HORIZON, PART_VALUE);
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

/* Each card shows a figure of the catalogue under its title, big, with lines under it. */
static void card_open(Buf *b, const char *tone, const HtmlRow *w, int member)
{
    buf_printf(b, "<div class=\"card %s\"><h3>", tone);
    chart_escape(b, w->t->members[member].title);
    buf_puts(b, "</h3>");
}

static void card_big(Buf *b, const HtmlRow *w, int member, FigPart part)
{
    html_member(b, w, "span", "big", member, part);
}

static void card_sub(Buf *b, const char *sub)
{
    if (!sub || !*sub) return;
    buf_puts(b, "<span class=\"sub\">");
    chart_escape(b, sub);
    buf_puts(b, "</span>");
}

static void card_close(Buf *b, const char *sub)
{
    card_sub(b, sub);
    buf_puts(b, "</div>\n");
}

/* "95% CI lo–hi" of a figure; nothing when it has none (an exact analysis). */
static void card_interval(Buf *b, const HtmlRow *w, int member)
{
    if (!fig_has_interval(w->r, html_value(w, member))) return;
    buf_puts(b, "<span class=\"sub\">95% CI ");
    html_member(b, w, "span", NULL, member, PART_LO);
    buf_puts(b, DASH);
    html_member(b, w, "span", NULL, member, PART_HI);
    buf_puts(b, "</span>");
}

/* A rate with its count ("656 customers") and 95% interval; `of` says what it is a share of. */
static void card_rate(Buf *b, const HtmlRow *w, const char *tone, int member, const char *noun, const char *of)
{
    FigValue v = html_value(w, member);
    card_open(b, tone, w, member);
    card_big(b, w, member, PART_VALUE);
    if (!isfinite(v.value)) {
        card_close(b, v.note ? v.note : of);
        return;
    }
    buf_puts(b, "<span class=\"sub\">");
    html_member(b, w, "span", NULL, member, PART_COUNT);
    buf_printf(b, " %s%s", noun, w->r->exact ? " expected" : "");
    if (of) {
        buf_puts(b, ", ");
        chart_escape(b, of);
    }
    buf_puts(b, "</span>");
    card_interval(b, w, member);
    card_close(b, NULL);
}

/* A figure with its interval and a line under it; the reason instead when it does not exist. */
static void card_figure(Buf *b, const HtmlRow *w, int member, const char *sub)
{
    FigValue v = html_value(w, member);
    card_open(b, "plain", w, member);
    card_big(b, w, member, PART_VALUE);
    if (!isfinite(v.value)) {
        card_close(b, v.note ? v.note : HTML_NOT_EXACT);
        return;
    }
    card_sub(b, sub);
    card_interval(b, w, member);
    card_close(b, NULL);
}

/* The median time to convert, with the mean and 90th percentile; in an exact analysis, which has
 * no percentiles, the mean. */
static void card_time(Buf *b, const HtmlRow *top)
{
    const RtResult *r = top->r;
    HtmlRow ttc = html_object(r, &FIG_TIME_TO_CONVERT);
    card_open(b, "plain", top, R_TIME_TO_CONVERT);
    if (!isfinite(r->ttc_mean)) {
        card_big(b, &ttc, TTC_MEAN, PART_VALUE);
        card_close(b, "no customer converted");
        return;
    }
    if (r->exact) {
        card_big(b, &ttc, TTC_MEAN, PART_VALUE);
        card_close(b, "mean; percentiles are not available in an exact analysis");
        return;
    }
    card_big(b, &ttc, TTC_MEDIAN, PART_VALUE);
    buf_puts(b, "<span class=\"sub\">median; mean ");
    html_member(b, &ttc, "span", NULL, TTC_MEAN, PART_VALUE);
    buf_puts(b, DOT);
    buf_puts(b, "90th percentile ");
    html_member(b, &ttc, "span", NULL, TTC_P90, PART_VALUE);
    buf_puts(b, "</span>");
    card_close(b, NULL);
}

static void cards_open(Buf *b, const char *group)
{
    buf_puts(b, "<h3 class=\"group\">");
    chart_escape(b, group);
    buf_puts(b, "</h3>\n<div class=\"cards\">\n");
}

static void cards_close(Buf *b) { buf_puts(b, "</div>\n"); }

static void prospect_cards(Buf *b, const HtmlRow *top)
{
    HtmlRow p = html_object(top->r, &FIG_PROSPECTS);
    cards_open(b, FIG_REPORT.members[R_PROSPECTS].title);
    card_rate(b, &p, "good", PRO_CONVERTED, "customers", "of the cohort");
    card_rate(b, &p, "bad", PRO_LOST, "prospects", "churned before converting");
    card_rate(b, &p, "plain", PRO_STILL, "prospects",
              top->r->has_horizon && !top->r->exact ? "at the horizon" : "at the end of the run");
    card_time(b, top);
    cards_close(b);
}

static void customer_cards(Buf *b, const HtmlRow *top)
{
    const RtResult *r = top->r;
    FigValue all = html_value(top, R_CUSTOMERS);
    cards_open(b, FIG_REPORT.members[R_CUSTOMERS].title);
    if (all.note) {
        buf_puts(b, "<div class=\"card plain\"><h3>Customers</h3>");
        buf_puts(b, "<span class=\"big na\">");
        buf_puts(b, DASH);
        buf_puts(b, "</span>");
        card_close(b, all.note);
        cards_close(b);
        return;
    }
    HtmlRow c = html_object(r, &FIG_CUSTOMERS), ret = html_object(r, &FIG_CUSTOMER_RETENTION);
    snprintf(ret.path, sizeof ret.path, "%s.%s", FIG_CUSTOMERS.key, FIG_CUSTOMER_RETENTION.key);
    card_open(b, "plain", &c, CUS_COUNT);
    card_big(b, &c, CUS_COUNT, PART_VALUE);
    card_close(b, "prospects who converted, followed from their conversion");
    card_rate(b, &c, "bad", CUS_CHURN, "customers", "of customers");
    card_open(b, "plain", &c, CUS_MONTHLY_CHURN);
    card_big(b, &c, CUS_MONTHLY_CHURN, PART_VALUE);
    if (isfinite(html_value(&c, CUS_MONTHLY_CHURN).value)) {
        card_interval(b, &c, CUS_MONTHLY_CHURN);
        buf_puts(b, "<span class=\"sub\">annual ");
        html_member(b, &c, "span", NULL, CUS_ANNUAL_CHURN, PART_VALUE);
        buf_puts(b, "</span>");
        card_close(b, NULL);
    } else {
        card_close(b, html_value(&c, CUS_MONTHLY_CHURN).note);
    }
    for (int d = 0; d < CRET_N; d++) card_figure(b, &ret, d, "of customers not churned (Kaplan\xE2\x80\x93Meier)");
    Buf t = BUF_INIT;
    double limit = html_value(&c, CUS_LIFETIME_LIMIT).value;
    if (isfinite(limit)) {
        buf_puts(&t, "mean over the first ");
        html_fig_text(&t, r, limit, FIG_DAYS);
        buf_puts(&t, " after converting");
    }
    card_figure(b, &c, CUS_LIFETIME, buf_str(&t));
    buf_free(&t);
    cards_close(b);
}

static void money_cards(Buf *b, const HtmlRow *top)
{
    static const struct {
        int member;
        const char *sub;
    } cards[] = {
        {MONEY_REVENUE, "in all"},
        {MONEY_ARPU, "revenue per cohort member"},
        {MONEY_LTV, "revenue per customer, from converting on"},
        {MONEY_CAC, "acquisition cost per customer"},
        {MONEY_ACQUISITION_COST, "per cohort member, up to converting"},
        {MONEY_COST_TO_SERVE, "per customer, after converting"},
        {MONEY_LTV_CAC, "LTV over CAC"},
        {MONEY_PAYBACK, "after converting, until revenue per customer reaches CAC"},
    };
    HtmlRow m = html_object(top->r, &FIG_MONEY_TABLE);
    cards_open(b, FIG_REPORT.members[R_MONEY].title);
    for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++) card_figure(b, &m, cards[i].member, cards[i].sub);
    cards_close(b);
}

/* NPS or CSAT with its respondents and where it comes from. */
static void satisfaction_card(Buf *b, const HtmlRow *s, int member, int n, int source, const char *what)
{
    FigValue v = html_value(s, member);
    const char *from = html_value(s, source).text;
    card_open(b, "plain", s, member);
    card_big(b, s, member, PART_VALUE);
    if (!isfinite(v.value)) {
        card_close(b, v.note);
        return;
    }
    card_sub(b, what);
    card_interval(b, s, member);
    buf_puts(b, "<span class=\"sub\">n = ");
    html_member(b, s, "span", NULL, n, PART_VALUE);
    buf_puts(b, from && strcmp(from, "surveys") == 0 ? " answers to surveys"
                                                     : " customers (relational: their mood at the end)");
    buf_puts(b, "</span>");
    card_close(b, NULL);
}

static void satisfaction_cards(Buf *b, const HtmlRow *top)
{
    HtmlRow s = html_object(top->r, &FIG_SATISFACTION);
    cards_open(b, FIG_REPORT.members[R_SATISFACTION].title);
    satisfaction_card(b, &s, SAT_NPS, SAT_NPS_N, SAT_NPS_SOURCE, "Net Promoter Score: promoters minus detractors");
    satisfaction_card(b, &s, SAT_CSAT, SAT_CSAT_N, SAT_CSAT_SOURCE, "customer satisfaction, mean score from 1 to 5");
    cards_close(b);
}

/* The figures of the whole cohort, prospects and customers together. */
static void cohort_cards(Buf *b, const HtmlRow *top)
{
    HtmlRow m = html_object(top->r, &FIG_MONEY_TABLE);
    cards_open(b, "Whole cohort");
    card_rate(b, top, "plain", R_COHORT_CHURN, "prospects and customers", "of the cohort");
    card_figure(b, &m, MONEY_COST, "in all");
    card_figure(b, &m, MONEY_COST_PER_MEMBER, "cost per cohort member");
    card_figure(b, &m, MONEY_COST_PER_CONVERSION, "all costs over conversions");
    cards_close(b);
}

static void cards(Buf *b, const RtResult *r)
{
    HtmlRow top = html_object(r, &FIG_REPORT);
    section_open(b, "headline", "Headline", NULL);
    prospect_cards(b, &top);
    customer_cards(b, &top);
    money_cards(b, &top);
    satisfaction_cards(b, &top);
    cohort_cards(b, &top);
    section_close(b);
}

/* ---- tables ---- */

/* Columns (FigColumn) are headed by their figure's title unless they say otherwise; PART_LO shows
 * the figure's interval, "lo–hi". */
typedef FigColumn HtmlColumn;
#define COLUMN FIG_COLUMN
#define NCOLS FIG_NCOLUMNS

static void th(Buf *b, const char *heading, bool number)
{
    buf_printf(b, "<th%s scope=\"col\">", number ? " class=\"n\"" : "");
    chart_escape(b, heading);
    buf_puts(b, "</th>");
}

/* <table><thead><tr> with the headings: `first` (text columns, such as the row's name), then the
 * columns' (right-aligned for numbers). */
static void table_open(Buf *b, const char *const *first, int nfirst, const FigTable *t, const HtmlColumn *cols,
                       int ncols)
{
    buf_puts(b, "<div class=\"tablewrap\"><table>\n<thead><tr>");
    for (int i = 0; i < nfirst; i++) th(b, first[i], false);
    for (int i = 0; i < ncols; i++) {
        const Figure *f = &t->members[cols[i].member];
        th(b, cols[i].heading ? cols[i].heading : f->title, fig_is_number(f->kind));
    }
    buf_puts(b, "</tr></thead>\n<tbody>\n");
}

static void table_close(Buf *b) { buf_puts(b, "</tbody></table></div>\n"); }

/* "12.0%–13.4%" for a rate's interval; a dash in an exact analysis. */
static void td_interval(Buf *b, const HtmlRow *w, int member)
{
    buf_puts(b, "<td class=\"n\">");
    if (!fig_has_interval(w->r, html_value(w, member))) {
        buf_puts(b, DASH);
    } else {
        html_member(b, w, "span", NULL, member, PART_LO);
        buf_puts(b, DASH);
        html_member(b, w, "span", NULL, member, PART_HI);
    }
    buf_puts(b, "</td>");
}

/* A number cell: the figure with its JSON path, or, for a figure shown only to people, its text. */
static void td_member(Buf *b, const HtmlRow *w, int member, FigPart part)
{
    if (part == PART_LO) {
        td_interval(b, w, member);
        return;
    }
    if (w->t->members[member].flags & FIGF_PEOPLE_ONLY) {
        buf_puts(b, "<td class=\"n\">");
        html_member_text(b, w, member, part);
        buf_puts(b, "</td>");
        return;
    }
    html_member(b, w, "td", "n", member, part);
}

static void td_columns(Buf *b, const HtmlRow *w, const HtmlColumn *cols, int ncols)
{
    for (int i = 0; i < ncols; i++) td_member(b, w, cols[i].member, cols[i].part);
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

/* The name and label of a row (members `name` and `name` + 1). */
static void td_row_name(Buf *b, const HtmlRow *w, int name, const char *tag)
{
    td_name(b, html_value(w, name).text, html_value(w, name + 1).text, tag);
}

static void td_text(Buf *b, const char *text)
{
    buf_puts(b, "<td>");
    chart_escape(b, text);
    buf_puts(b, "</td>");
}

static void stages_table(Buf *b, const RtResult *r)
{
    static const HtmlColumn cols[] = {
        COLUMN(STAGE_REACHED),   COLUMN(STAGE_REACHED_RATE), COLUMN(STAGE_ENTRIES),
        COLUMN(STAGE_MEAN_MOOD), COLUMN(STAGE_CONVERTED),    COLUMN(STAGE_LOST),
        COLUMN(STAGE_CUSTOMER_CHURNED), COLUMN(STAGE_COMPLETED), COLUMN(STAGE_ACTIVE),
        COLUMN(STAGE_REVENUE),
    };
    const char *first[] = {FIG_STAGES.members[STAGE_NAME].title};
    table_open(b, first, 1, &FIG_STAGES, cols, NCOLS(cols));
    for (int s = fig_first(&FIG_STAGES, r, -1); s >= 0; s = fig_after(&FIG_STAGES, r, -1, s)) {
        HtmlRow w = html_row(r, &FIG_STAGES, s, -1, NULL, s);
        buf_puts(b, "<tr>");
        td_row_name(b, &w, STAGE_NAME, html_value(&w, STAGE_GOAL).value != 0 ? "goal" : NULL);
        td_columns(b, &w, cols, NCOLS(cols));
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

/* The text of a way out: "→ Purchase", "→ churn: reason", with "(rule)" for a rule's. */
static void exit_text(Buf *b, const HtmlRow *w)
{
    const char *reason = html_value(w, EXIT_REASON).text;
    buf_puts(b, "\xE2\x86\x92 ");
    buf_puts(b, html_value(w, EXIT_TO).text);
    if (reason && *reason) buf_printf(b, ": %s", reason);
    if (strcmp(html_value(w, EXIT_VIA).text, "rule") == 0) buf_puts(b, " (rule)");
}

/* The rows of what did not leave stage `s` by a way out, each with its share of the stage's
 * entries: the entries the horizon cut while in it, and the customers who completed there. */
static void stayed_rows(Buf *b, const HtmlRow *stage)
{
    const FigStayed *rows = FIG_STAYED;
    for (int i = 0; i < 2; i++) {
        if (!(html_value(stage, rows[i].count).value > 0)) continue;
        buf_puts(b, "<tr><td></td><td><i>");
        chart_escape(b, rows[i].what);
        buf_puts(b, "</i></td>");
        td_member(b, stage, rows[i].count, PART_VALUE);
        buf_puts(b, "<td class=\"n\">");
        html_member_text(b, stage, rows[i].share, PART_VALUE);
        buf_puts(b, " of entries</td></tr>\n");
    }
}

static void exits_table(Buf *b, const RtResult *r)
{
    if (r->nexits == 0) return;
    static const HtmlColumn cols[] = {COLUMN(EXIT_COUNT), COLUMN(EXIT_SHARE)};
    const char *first[] = {FIG_STAGES.members[STAGE_NAME].title, "Way out"};
    buf_puts(b, "<h3>Ways out of each stage</h3>\n<p class=\"intro\">Each way out as a share of the stage's "
                "exits: of the customers who left the stage, the share that took it (an estimate of the arrow's "
                "probability when nothing else changes it). Customers who never left it are listed apart, with their share of its entries.</p>\n");
    table_open(b, first, 2, &FIG_EXITS, cols, NCOLS(cols));
    for (int s = fig_first(&FIG_STAGES, r, -1); s >= 0; s = fig_after(&FIG_STAGES, r, -1, s)) {
        HtmlRow stage = html_row(r, &FIG_STAGES, s, -1, NULL, s);
        int k = 0;
        for (int i = fig_first(&FIG_EXITS, r, s); i >= 0; i = fig_after(&FIG_EXITS, r, s, i), k++) {
            HtmlRow w = html_row(r, &FIG_EXITS, i, s, stage.path, k);
            buf_puts(b, "<tr>");
            td_text(b, k == 0 ? html_value(&stage, STAGE_NAME).text : "");
            Buf t = BUF_INIT;
            exit_text(&t, &w);
            td_text(b, buf_str(&t));
            buf_free(&t);
            td_columns(b, &w, cols, NCOLS(cols));
            buf_puts(b, "</tr>\n");
        }
        if (k > 0) stayed_rows(b, &stage);
    }
    table_close(b);
}

static void reasons_table(Buf *b, const RtResult *r)
{
    if (r->nreasons == 0) return;
    static const HtmlColumn cols[] = {COLUMN(REASON_COUNT), COLUMN(REASON_LOST), COLUMN(REASON_CUSTOMERS),
                                      COLUMN(REASON_RATE), COLUMN(REASON_SHARE_OF_CHURN)};
    const char *first[] = {FIG_REASONS.members[REASON_STAGE].title, FIG_REASONS.members[REASON_REASON].title};
    table_open(b, first, 2, &FIG_REASONS, cols, NCOLS(cols));
    for (int i = fig_first(&FIG_REASONS, r, -1); i >= 0; i = fig_after(&FIG_REASONS, r, -1, i)) {
        HtmlRow w = html_row(r, &FIG_REASONS, i, -1, NULL, i);
        const char *reason = html_value(&w, REASON_REASON).text;
        buf_puts(b, "<tr>");
        td_text(b, html_value(&w, REASON_STAGE).text);
        td_text(b, *reason ? reason : "(no reason given)");
        td_columns(b, &w, cols, NCOLS(cols));
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

static void personas_table(Buf *b, const RtResult *r)
{
    static const HtmlColumn cols[] = {
        COLUMN(PERSONA_SHARE),
        COLUMN(PERSONA_COHORT),
        COLUMN(PERSONA_CONVERSION),
        {PERSONA_CONVERSION, PART_LO, "95% CI", false},
        COLUMN(PERSONA_LOST),
        {PERSONA_CUSTOMER_CHURN, PART_VALUE, "Customer churn (of its customers)", false},
        COLUMN(PERSONA_COHORT_CHURN),
        {PERSONA_COMPLETED, PART_COUNT, NULL, false},
        {PERSONA_ACTIVE, PART_COUNT, NULL, false},
    };
    const char *first[] = {FIG_PERSONAS.members[PERSONA_NAME].title};
    table_open(b, first, 1, &FIG_PERSONAS, cols, NCOLS(cols));
    int j = 0;
    for (int p = fig_first(&FIG_PERSONAS, r, -1); p >= 0; p = fig_after(&FIG_PERSONAS, r, -1, p), j++) {
        HtmlRow w = html_row(r, &FIG_PERSONAS, p, -1, NULL, j);
        buf_puts(b, "<tr>");
        td_row_name(b, &w, PERSONA_NAME, NULL);
        td_columns(b, &w, cols, NCOLS(cols));
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

static void touchpoints_table(Buf *b, const RtResult *r)
{
    static const HtmlColumn cols[] = {
        COLUMN(TOUCH_REACH), COLUMN(TOUCH_REACHED),          COLUMN(TOUCH_REACHED_RATE), COLUMN(TOUCH_MEETINGS),
        COLUMN(TOUCH_COST),  COLUMN(TOUCH_ACQUISITION_COST), COLUMN(TOUCH_CONVERSIONS),  COLUMN(TOUCH_CONVERSION_RATE),
    };
    const Figure *m = FIG_TOUCHPOINTS.members;
    const char *first[] = {m[TOUCH_NAME].title, m[TOUCH_STAGE].title, m[TOUCH_CHANNEL].title};
    if (r->rt->ntouch == 0) return;
    buf_puts(b, "<h3>Touchpoints</h3>\n");
    table_open(b, first, 3, &FIG_TOUCHPOINTS, cols, NCOLS(cols));
    for (int t = fig_first(&FIG_TOUCHPOINTS, r, -1); t >= 0; t = fig_after(&FIG_TOUCHPOINTS, r, -1, t)) {
        HtmlRow w = html_row(r, &FIG_TOUCHPOINTS, t, -1, NULL, t);
        const char *stage = html_value(&w, TOUCH_STAGE).text, *channel = html_value(&w, TOUCH_CHANNEL).text;
        buf_puts(b, "<tr>");
        td_row_name(b, &w, TOUCH_NAME, NULL);
        td_text(b, stage ? stage : "met through rules");
        td_text(b, channel ? channel : DASH);
        td_columns(b, &w, cols, NCOLS(cols));
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

/* A table of the channels: their names, then the columns `cols`. */
static void channel_table(Buf *b, const RtResult *r, const HtmlColumn *cols, int ncols)
{
    const char *first[] = {FIG_CHANNELS.members[CHANNEL_NAME].title};
    table_open(b, first, 1, &FIG_CHANNELS, cols, ncols);
    int k = 0;
    for (int c = fig_first(&FIG_CHANNELS, r, -1); c >= 0; c = fig_after(&FIG_CHANNELS, r, -1, c), k++) {
        HtmlRow w = html_row(r, &FIG_CHANNELS, c, -1, NULL, k);
        buf_puts(b, "<tr>");
        td_row_name(b, &w, CHANNEL_NAME, NULL);
        td_columns(b, &w, cols, ncols);
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

static void channels_table(Buf *b, const RtResult *r)
{
    static const HtmlColumn cols[] = {
        COLUMN(CHANNEL_REACHED), COLUMN(CHANNEL_REACHED_RATE),     COLUMN(CHANNEL_MEETINGS),
        COLUMN(CHANNEL_COST),    COLUMN(CHANNEL_ACQUISITION_COST), COLUMN(CHANNEL_CONVERSIONS),
        COLUMN(CHANNEL_CONVERSION_RATE),
    };
    if (fig_first(&FIG_CHANNELS, r, -1) < 0) return;
    buf_puts(b, "<h3>Channels</h3>\n");
    channel_table(b, r, cols, NCOLS(cols));
}

/* Conversions credited to each channel, and its CAC, by each attribution model. */
static void attribution_table(Buf *b, const RtResult *r)
{
    static const HtmlColumn cols[] = {
        COLUMN(CHANNEL_ACQUISITION_COST), COLUMN(CHANNEL_FIRST_CONVERSIONS),  COLUMN(CHANNEL_FIRST_CAC),
        COLUMN(CHANNEL_LAST_CONVERSIONS), COLUMN(CHANNEL_LAST_CAC),           COLUMN(CHANNEL_LINEAR_CONVERSIONS),
        COLUMN(CHANNEL_LINEAR_CAC),       COLUMN(CHANNEL_REMOVAL_CONVERSIONS), COLUMN(CHANNEL_REMOVAL_CAC),
    };
    if (fig_first(&FIG_CHANNELS, r, -1) < 0) return;
    buf_puts(b, "<h3>Attribution</h3>\n<p class=\"intro\">Acquisition cost: what each channel's touchpoints cost up to "
                "each conversion, and for prospects who never converted. Conversions credited to the channel under "
                "each model (first touch: the first channel a customer met; last touch: the last one before "
                "converting; linear: an equal share to each channel met; removal effect: the conversions lost "
                "without the channel, shared in proportion), and its CAC under it: acquisition cost per conversion "
                "credited.</p>\n");
    if (html_value_of(r, R_CUSTOMERS).note) {
        buf_puts(b, "<p class=\"note\">No attribution: ");
        chart_escape(b, html_value_of(r, R_CUSTOMERS).note);
        buf_puts(b, ".</p>\n");
        return;
    }
    channel_table(b, r, cols, NCOLS(cols));
}

/* The survey touchpoints: who answered, and the NPS or CSAT they gave. */
static void surveys_table(Buf *b, const RtResult *r)
{
    static const HtmlColumn cols[] = {
        COLUMN(TOUCH_RESPONDENTS), COLUMN(TOUCH_NPS), {TOUCH_NPS, PART_LO, "95% CI", false},
        COLUMN(TOUCH_CSAT),        {TOUCH_CSAT, PART_LO, "95% CI", false},
    };
    const Figure *m = FIG_TOUCHPOINTS.members;
    const char *first[] = {m[TOUCH_NAME].title, m[TOUCH_STAGE].title, m[TOUCH_SURVEY].title};
    section_open(b, "surveys", "Surveys",
                 "Touchpoints that are NPS or CSAT surveys: everyone who meets one answers, from their mood at that "
                 "moment.");
    if (!fig_has_surveys(r)) {
        buf_puts(b, "<p class=\"note\">The journey has no survey touchpoint: the headline's NPS and CSAT are "
                    "relational, from the mood of its customers at the end of the run.</p>\n");
        section_close(b);
        return;
    }
    table_open(b, first, 3, &FIG_TOUCHPOINTS, cols, NCOLS(cols));
    for (int t = fig_first(&FIG_TOUCHPOINTS, r, -1); t >= 0; t = fig_after(&FIG_TOUCHPOINTS, r, -1, t)) {
        const char *survey = fig_survey_name(r, t);
        if (!survey) continue;
        HtmlRow w = html_row(r, &FIG_TOUCHPOINTS, t, -1, NULL, t);
        const char *stage = html_value(&w, TOUCH_STAGE).text;
        buf_puts(b, "<tr>");
        td_row_name(b, &w, TOUCH_NAME, NULL);
        td_text(b, stage ? stage : "met through rules");
        td_text(b, strcmp(survey, "nps") == 0 ? "NPS" : "CSAT");
        td_columns(b, &w, cols, NCOLS(cols));
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
    section_close(b);
}

/* The main path, stage by stage: reached, step-through, lost before converting. */
static void funnel_table(Buf *b, const RtResult *r)
{
    static const HtmlColumn cols[] = {
        {FUN_REACHED, PART_COUNT, "Reached", false}, {FUN_REACHED, PART_VALUE, "% of cohort", false},
        COLUMN(FUN_STEP), {FUN_STEP, PART_LO, "95% CI", false}, COLUMN(FUN_LOST), COLUMN(FUN_CONVERTED),
        COLUMN(FUN_CUSTOMER_CHURNED),
    };
    const char *first[] = {FIG_FUNNEL.members[FUN_STAGE].title};
    if (fig_first(&FIG_FUNNEL, r, -1) < 0) return;
    table_open(b, first, 1, &FIG_FUNNEL, cols, NCOLS(cols));
    for (int k = fig_first(&FIG_FUNNEL, r, -1); k >= 0; k = fig_after(&FIG_FUNNEL, r, -1, k)) {
        HtmlRow w = html_row(r, &FIG_FUNNEL, k, -1, NULL, k);
        buf_puts(b, "<tr>");
        td_name(b, html_value(&w, FUN_STAGE).text, NULL, html_value(&w, FUN_GOAL).value != 0 ? "goal" : NULL);
        td_columns(b, &w, cols, NCOLS(cols));
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

/* The calendar month by month; a long one keeps its first and last months. */
enum { CALENDAR_HEAD = 12, CALENDAR_TAIL = 6 };

static void calendar_table(Buf *b, const RtResult *r)
{
    static const HtmlColumn cols[] = {
        COLUMN(CAL_NEW_PROSPECTS),
        COLUMN(CAL_NEW_CUSTOMERS),
        {CAL_LOST, PART_VALUE, "Lost", false},
        {CAL_CHURNED, PART_VALUE, "Churned", false},
        {CAL_ACTIVE, PART_VALUE, "Active at month end", false},
        {CAL_REVENUE, PART_VALUE, "Revenue (MRR)", false},
        COLUMN(CAL_COST),
        COLUMN(CAL_CUM_REVENUE),
        COLUMN(CAL_CUM_COST),
    };
    const char *first[] = {FIG_CALENDAR.members[CAL_MONTH].title};
    if (html_value_of(r, R_CALENDAR).note) return;
    int n = 0;
    for (int m = fig_first(&FIG_CALENDAR, r, -1); m >= 0; m = fig_after(&FIG_CALENDAR, r, -1, m)) n++;
    bool cut = n > CALENDAR_HEAD + CALENDAR_TAIL + 1;
    if (cut)
        buf_printf(b, "<p class=\"note\">Months %d to %d of %d are left out of the table (the chart has them all; "
                      "so has <code>cjm run --format csv --csv-table calendar</code>).</p>\n",
                   CALENDAR_HEAD + 1, n - CALENDAR_TAIL, n);
    table_open(b, first, 1, &FIG_CALENDAR, cols, NCOLS(cols));
    for (int m = fig_first(&FIG_CALENDAR, r, -1); m >= 0; m = fig_after(&FIG_CALENDAR, r, -1, m)) {
        if (cut && m >= CALENDAR_HEAD && m < n - CALENDAR_TAIL) continue;
        HtmlRow w = html_row(r, &FIG_CALENDAR, m, -1, NULL, m);
        buf_puts(b, "<tr>");
        td_member(b, &w, CAL_MONTH, PART_VALUE);
        td_columns(b, &w, cols, NCOLS(cols));
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

/* The pain points, then the opportunities, with the figures of their touchpoints. */
static void pains_table(Buf *b, const RtResult *r)
{
    static const HtmlColumn cols[] = {
        {TOUCH_REACHED, PART_VALUE, "Customers who met it", false}, COLUMN(TOUCH_REACHED_RATE), COLUMN(TOUCH_MEETINGS)};
    const Figure *m = FIG_TOUCHPOINTS.members;
    const char *first[] = {"", "What", m[TOUCH_NAME].title, m[TOUCH_STAGE].title};
    section_open(b, "pains", "Pain points and opportunities",
                 "What the journey says hurts or could be better, at the touchpoint where customers meet it, with "
                 "how many of them met it.");
    int n;
    FigPain *p = fig_pains(r, &n);
    if (n > 0) table_open(b, first, 4, &FIG_TOUCHPOINTS, cols, NCOLS(cols));
    for (int i = 0; i < n; i++) {
        HtmlRow w = html_row(r, &FIG_TOUCHPOINTS, p[i].touchpoint, -1, NULL, p[i].touchpoint);
        const char *stage = html_value(&w, TOUCH_STAGE).text;
        buf_printf(b, "<tr><td><span class=\"tag %s\">%s</span></td>", p[i].pain ? "pain" : "opp",
                   p[i].pain ? "pain point" : "opportunity");
        td_text(b, p[i].text);
        td_row_name(b, &w, TOUCH_NAME, NULL);
        td_text(b, stage ? stage : "met through rules");
        td_columns(b, &w, cols, NCOLS(cols));
        buf_puts(b, "</tr>\n");
    }
    if (n > 0) table_close(b);
    else buf_puts(b, "<p class=\"note\">The journey names no pain point and no opportunity.</p>\n");
    free(p);
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
    section_open(b, "funnel", "Funnel",
                 "The main path: from the first stage, the way most customers took to a stage not yet on it. "
                 "Step-through: of the customers who reached the stage before, the share who reached this one. "
                 "Lost: prospects who churned at the stage before converting.");
    html_chart_funnel(b, r);
    funnel_table(b, r);
    section_close(b);
    section_open(b, "customers", "Customers over time",
                 "What happens to customers after they convert, and month by month in calendar time.");
    buf_puts(b, "<div class=\"grid2\">\n");
    html_chart_customer_retention(b, r);
    html_chart_calendar(b, r);
    buf_puts(b, "</div>\n");
    calendar_table(b, r);
    section_close(b);
    section_open(b, "emotions", "Emotion curves", NULL);
    html_chart_curves(b, r);
    section_close(b);
    section_open(b, "time", "Time to convert and the whole cohort", NULL);
    buf_puts(b, "<div class=\"grid2\">\n");
    html_chart_ttc(b, r);
    html_chart_retention(b, r);
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
    buf_puts(b, ". Prospects are members of the cohort who have not converted; customers, those who have. Rates "
                "are shares of the cohort unless said otherwise; intervals are 95% intervals (Wilson score "
                "intervals of rates; Poisson for monthly churn; Greenwood for retention; of money, the normal "
                "approximation, by the delta method for ratios such as CAC). What each figure means: "
                "docs/semantics.md.</footer>\n");
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
                 "Reached: customers who met it at least once. Conversions: customers who met it and converted. "
                 "Acquisition cost: its cost up to each conversion, and for prospects who never converted.");
    touchpoints_table(b, r);
    channels_table(b, r);
    attribution_table(b, r);
    section_close(b);
    surveys_table(b, r);
    pains_table(b, r);
}

void render_html(const RtResult *r, const char *file, const HtmlReport *o, Buf *out)
{
    fig_open(r);
    head(out, r, o);
    header(out, r, file, o);
    cards(out, r);
    charts(out, r);
    pictures(out, o);
    tables(out, r);
    if (o->compare_html) buf_puts(out, o->compare_html);
    footer(out, o);
    buf_puts(out, "</main>\n</body>\n</html>\n");
    fig_close();
}
