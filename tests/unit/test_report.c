/* test_report.c: unit tests of what the reports are built from: the chart primitives
 * (render/chart.c: escaping, ticks, number formats, text fitting), the time histogram's counts
 * below a time (runtime/hist.c), the round steps of the curves (render/report.c), durations as
 * people read them and the JSON writer's layout (render/format.c), and the catalogue of figures
 * (render/figures.c: its tables, the JSON paths it gives, one rounding for a terminal and the
 * HTML report). Whole reports are tested by tests/run/, tests/report/ and tests/cli/report.sh. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* White-box: the chart primitives and number formats too. */
#define CJM_INTERNALS
#include "cjm.h"
#include "unit.h"

static char *escaped(const char *s)
{
    Buf b = BUF_INIT;
    chart_escape(&b, s);
    return buf_take(&b);
}

static void test_escape(void)
{
    TEST("chart: escaping markup, quotes and control characters") {
        char *e = escaped("a<b>&\"c\" 'd'\t\x01");
        CHECK_STR(e, "a&lt;b&gt;&amp;&quot;c&quot; &#39;d&#39;  ");
        free(e);
    }
    TEST("chart: escaping keeps valid UTF-8 and replaces invalid bytes") {
        char *e = escaped("Caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x92\xB3");
        CHECK_STR(e, "Caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x92\xB3");
        free(e);
        e = escaped("x\xC3(\xE0\x80\x80\xED\xA0\x80\xEF\xBF\xBEy\xFF");
        /* a truncated sequence, an overlong one, a surrogate, U+FFFE, a byte never valid */
        CHECK(strncmp(e, "x\xEF\xBF\xBD(", 5) == 0);
        CHECK(strstr(e, "\xED\xA0") == NULL);
        CHECK(strstr(e, "\xEF\xBF\xBE") == NULL);
        CHECK(strstr(e, "y\xEF\xBF\xBD") != NULL);
        free(e);
        e = escaped(NULL);
        CHECK_STR(e, "");
        free(e);
    }
    TEST("chart: fitting text cuts at a character with an ellipsis") {
        Buf b = BUF_INIT;
        chart_fit(&b, "short", 100, 10);
        CHECK_STR(buf_str(&b), "short");
        buf_clear(&b);
        chart_fit(&b, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 30, 10);
        CHECK_STR(buf_str(&b), "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6");
        buf_clear(&b);
        chart_fit(&b, "a <b> c d e f g", 40, 10);
        CHECK_STR(buf_str(&b), "a &lt;b&gt;\xE2\x80\xA6");
        buf_free(&b);
    }
}

static void test_ticks(void)
{
    TEST("chart: round ticks cover the range") {
        double t[CHART_MAX_TICKS], lo = 0, hi = 365;
        int n;
        double step = chart_ticks(&lo, &hi, 8, t, &n);
        CHECK(step == 100);
        CHECK(n == 5 && t[0] == 0 && t[4] == 400 && lo == 0 && hi == 400);
        lo = -1, hi = 1;
        step = chart_ticks(&lo, &hi, 5, t, &n);
        CHECK(step == 0.5 && n == 5 && t[2] == 0);
        lo = 0, hi = 0.013;
        step = chart_ticks(&lo, &hi, 6, t, &n);
        CHECK(n <= 6 && t[n - 1] >= 0.013 && step > 0);
        lo = 5, hi = 5;
        step = chart_ticks(&lo, &hi, 6, t, &n);
        CHECK(n >= 2 && lo <= 5 && hi >= 5);
    }
    TEST("chart: tick labels") {
        Buf b = BUF_INIT;
        chart_format(&b, 0.25, 0.05, CHART_PERCENT);
        CHECK_STR(buf_str(&b), "25%");
        buf_clear(&b);
        chart_format(&b, -0.5, 0.5, CHART_SIGNED);
        CHECK_STR(buf_str(&b), "\xE2\x88\x92" "0.5");
        buf_clear(&b);
        chart_format(&b, 0.5, 0.5, CHART_SIGNED);
        CHECK_STR(buf_str(&b), "+0.5");
        buf_clear(&b);
        chart_format(&b, 0, 0.5, CHART_SIGNED);
        CHECK_STR(buf_str(&b), "0.0");
        buf_clear(&b);
        chart_format(&b, 200, 100, CHART_NUMBER);
        CHECK_STR(buf_str(&b), "200");
        buf_free(&b);
    }
    TEST("report: round steps") {
        CHECK(render_nice_step(3.65) == 5);
        CHECK(render_nice_step(1) == 1);
        CHECK(render_nice_step(0.13) == 0.2);
        CHECK(render_nice_step(20) == 20);
        CHECK(render_nice_step(21) == 50);
    }
}

static void test_counts(void)
{
    TEST("histogram: counts up to a time, exact for repeated values") {
        RtHist *h = calloc(1, sizeof *h);
        rt_hist_clear(h);
        CHECK(isnan(rt_hist_max(h)));
        for (int i = 0; i < 10; i++) rt_hist_add(h, 2);
        for (int i = 0; i < 5; i++) rt_hist_add(h, 30);
        CHECK(rt_hist_count_upto(h, 1.999) == 0);
        CHECK(rt_hist_count_upto(h, 2) == 10);
        CHECK(rt_hist_count_upto(h, 29.99) == 10);
        CHECK(rt_hist_count_upto(h, 30) == 15);
        CHECK(rt_hist_max(h) == 30);
        CHECK(rt_hist_typical(h, rt_hist_bucket(2)) == 2);
        RtHist *c = rt_hist_copy(h);
        CHECK(rt_hist_count_upto(c, 100) == 15 && rt_hist_total(c) == 15);
        free(c);
        free(h);
    }
    TEST("histogram: counts up to a time inside a bucket are interpolated and never decrease") {
        RtHist *h = calloc(1, sizeof *h);
        rt_hist_clear(h);
        for (int i = 0; i <= 100; i++) rt_hist_add(h, 64 + i * 0.0099); /* one bucket: [64, 65) */
        CHECK(rt_hist_count_upto(h, 64) == 1);
        CHECK(rt_hist_count_upto(h, 64.99) == 101);
        uint64_t prev = 0;
        bool monotone = true;
        for (double t = 63; t < 66; t += 0.01) {
            uint64_t n = rt_hist_count_upto(h, t);
            monotone &= n >= prev;
            prev = n;
        }
        CHECK(monotone);
        uint64_t mid = rt_hist_count_upto(h, 64.495);
        CHECK(mid >= 49 && mid <= 52);
        free(h);
    }
}

static char *duration(double days)
{
    Buf b = BUF_INIT;
    format_duration(&b, days, " ");
    return buf_take(&b);
}

#define CHECK_DURATION(days, text)  \
    do {                            \
        char *d_ = duration(days);  \
        CHECK_STR(d_, text);        \
        free(d_);                   \
    } while (0)

static void test_durations(void)
{
    TEST("durations: a day or more in days, one decimal") {
        CHECK_DURATION(15.84, "15.8 d");
        CHECK_DURATION(1, "1.0 d");
        CHECK_DURATION(1234.5, "1234.5 d");
    }
    TEST("durations: under a day in hours, under an hour in minutes, under a minute in seconds") {
        CHECK_DURATION(0.2, "4.8 h");
        CHECK_DURATION(5.2 / 24, "5.2 h");
        CHECK_DURATION(1.0 / 24, "1.0 h");
        CHECK_DURATION(42.0 / 1440, "42 min");
        CHECK_DURATION(1.0 / 1440, "1 min");
        CHECK_DURATION(20.0 / 86400, "20 s");
        CHECK_DURATION(1e-9, "0 s");
    }
    TEST("durations: the unit is chosen after rounding (no '24.0 h', no '60 min')") {
        CHECK_DURATION(0.99999, "1.0 d");
        CHECK_DURATION(23.94 / 24, "23.9 h");
        CHECK_DURATION(59.7 / 1440, "1.0 h");
        CHECK_DURATION(59.6 / 86400, "1 min");
    }
    TEST("durations: zero, and no figure at all") {
        CHECK_DURATION(0, "0 d");
        CHECK_DURATION(NAN, "-");
        CHECK_DURATION(INFINITY, "-");
    }
    TEST("durations: the parts for other formats (the HTML report groups thousands itself)") {
        Duration d = duration_for_people(0.5);
        CHECK(strcmp(d.unit, "h") == 0 && d.value == 12 && d.decimals == 1);
        d = duration_for_people(3);
        CHECK(strcmp(d.unit, "d") == 0 && d.value == 3 && d.decimals == 1);
    }
}

static void test_json_layout(void)
{
    TEST("json: one-line containers inside an indented object, empty ones, nulls") {
        Buf b = BUF_INIT;
        Json j = {&b, 0, true, 0};
        json_open(&j, '{');
        json_key(&j, "rate");
        json_open_line(&j, '{');
        json_num(&j, "count", 3);
        json_key(&j, "ci95");
        json_put_pair(&j, 0.25, NAN);
        json_close(&j, '}');
        json_key(&j, "empty");
        json_open_line(&j, '[');
        json_close(&j, ']');
        json_key(&j, "rows");
        json_open(&j, '[');
        json_next(&j);
        json_open_line(&j, '{');
        json_text(&j, "name", "a\"b");
        json_bool(&j, "goal", true);
        json_close(&j, '}');
        json_close(&j, ']');
        json_text(&j, "none", NULL);
        json_close(&j, '}');
        CHECK_STR(buf_str(&b), "{\n  \"rate\": {\"count\": 3, \"ci95\": [0.25, null]},\n  \"empty\": [],\n"
                               "  \"rows\": [\n    {\"name\": \"a\\\"b\", \"goal\": true}\n  ],\n  \"none\": null\n}");
        buf_free(&b);
    }
}

/* Whether the keys of a table's members are distinct, and each nested table's too. */
static bool distinct_keys(const FigTable *t)
{
    for (int a = 0; a < t->n; a++) {
        for (int b = a + 1; b < t->n; b++)
            if (strcmp(t->members[a].key, t->members[b].key) == 0) return false;
        if (!t->members[a].get || !t->members[a].title || !t->members[a].short_title) return false;
    }
    return true;
}

static void test_catalogue(void)
{
    TEST("figures: every table has the members its enum names, with distinct keys") {
        CHECK(FIG_REPORT.n == R_N && FIG_TIME_TO_CONVERT.n == TTC_N && FIG_COHORT_RETENTION.n == COHORT_RET_N);
        CHECK(FIG_PROSPECTS.n == PRO_N && FIG_CUSTOMERS.n == CUS_N && FIG_CUSTOMER_RETENTION.n == CRET_N);
        CHECK(FIG_MONEY_TABLE.n == MONEY_N && FIG_SATISFACTION.n == SAT_N && FIG_FUNNEL.n == FUN_N);
        CHECK(FIG_CALENDAR.n == CAL_N);
        CHECK(FIG_REASONS.n == REASON_N && FIG_STAGES.n == STAGE_N && FIG_EXITS.n == EXIT_N);
        CHECK(FIG_PERSONAS.n == PERSONA_N && FIG_CURVE.n == CURVE_N && FIG_TOUCHPOINTS.n == TOUCH_N);
        CHECK(FIG_CHANNELS.n == CHANNEL_N && FIG_WARNINGS.n == WARNING_N);
        const FigTable *all[] = {&FIG_REPORT,    &FIG_PROSPECTS,    &FIG_CUSTOMERS,        &FIG_CUSTOMER_RETENTION,
                                 &FIG_MONEY_TABLE, &FIG_SATISFACTION, &FIG_FUNNEL,         &FIG_CALENDAR,
                                 &FIG_TIME_TO_CONVERT, &FIG_COHORT_RETENTION, &FIG_REASONS, &FIG_STAGES,
                                 &FIG_EXITS,     &FIG_PERSONAS,     &FIG_CURVE,            &FIG_TOUCHPOINTS,
                                 &FIG_CHANNELS,  &FIG_WARNINGS};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) CHECK(distinct_keys(all[i]));
    }
    TEST("figures: touchpoints and channels share their figures, key for key") {
        for (int k = 0; k <= TOUCH_CONVERSION_RATE - TOUCH_REACHED; k++) {
            const Figure *t = &FIG_TOUCHPOINTS.members[TOUCH_REACHED + k], *c = &FIG_CHANNELS.members[CHANNEL_REACHED + k];
            CHECK_STR(t->key, c->key);
            CHECK(t->kind == c->kind);
        }
    }
    TEST("figures: JSON paths of each shape and of nested rows") {
        char row[FIG_PATH_MAX], path[FIG_PATH_MAX];
        CHECK_STR(fig_path(path, "", &FIG_REPORT.members[R_CONVERSION], PART_VALUE), "conversion.rate");
        CHECK_STR(fig_path(path, "", &FIG_REPORT.members[R_CONVERSION], PART_COUNT), "conversion.count");
        CHECK_STR(fig_path(path, "", &FIG_REPORT.members[R_CONVERSION], PART_HI), "conversion.ci95.1");
        CHECK_STR(fig_path(path, "money", &FIG_MONEY_TABLE.members[MONEY_CAC], PART_VALUE), "money.cac");
        CHECK_STR(fig_path(path, "money", &FIG_MONEY_TABLE.members[MONEY_CAC], PART_LO), "money.cac_ci95.0");
        CHECK_STR(fig_path(path, "customers.retention", &FIG_CUSTOMER_RETENTION.members[CRET_DAY_90], PART_HI),
                  "customers.retention.day_90_ci95.1");
        fig_row_path(row, NULL, &FIG_FUNNEL, 1);
        CHECK_STR(fig_path(path, row, &FIG_FUNNEL.members[FUN_STEP], PART_LO), "funnel.1.step_through.ci95.0");
        CHECK_STR(fig_path(path, "time_to_convert", &FIG_TIME_TO_CONVERT.members[TTC_P90], PART_VALUE),
                  "time_to_convert.p90");
        CHECK_STR(fig_row_path(row, NULL, &FIG_STAGES, 2), "stages.2");
        CHECK_STR(fig_path(path, row, &FIG_STAGES.members[STAGE_REACHED_RATE], PART_VALUE), "stages.2.reached_rate");
        fig_row_path(path, row, &FIG_EXITS, 0);
        CHECK_STR(fig_path(row, path, &FIG_EXITS.members[EXIT_SHARE], PART_VALUE), "stages.2.exits.0.share_of_exits");
        fig_row_path(row, "", &FIG_PERSONAS, 1);
        CHECK_STR(fig_path(path, row, &FIG_PERSONAS.members[PERSONA_COMPLETED], PART_COUNT),
                  "personas.1.completed.count");
    }
}

static char *terminal(FigKind k, double v)
{
    Buf b = BUF_INIT;
    fig_text(&b, k, v, false);
    return buf_take(&b);
}

/* The HTML report's text without what only typography adds: thousands commas, the real minus,
 * the no-break space, a '+' the terminal shows on zero. */
static char *html_digits(FigKind k, double v)
{
    Buf b = BUF_INIT, out = BUF_INIT;
    fig_html_text(&b, k, v, false);
    for (const char *p = buf_str(&b); *p; p++) {
        if (*p == ',') continue;
        if (strncmp(p, "\xE2\x88\x92", 3) == 0) { /* − */
            buf_putc(&out, '-');
            p += 2;
        } else if (strncmp(p, "\xC2\xA0", 2) == 0) {
            buf_putc(&out, ' ');
            p += 1;
        } else if (strncmp(p, "\xE2\x80\x93", 3) == 0) { /* – */
            buf_putc(&out, '-');
            p += 2;
        } else {
            buf_putc(&out, *p);
        }
    }
    buf_free(&b);
    return buf_take(&out);
}

static void test_figure_text(void)
{
    TEST("figures: a terminal's text of each kind") {
        char *t;
        CHECK_STR(t = terminal(FIG_RATE, 0.4085), "40.8%");
        free(t);
        CHECK_STR(t = terminal(FIG_MOOD, -0.001), "+0.00");
        free(t);
        CHECK_STR(t = terminal(FIG_MOOD, -0.25), "-0.25");
        free(t);
        CHECK_STR(t = terminal(FIG_NPS, 12.34), "+12.3");
        free(t);
        CHECK_STR(t = terminal(FIG_MONEY, -0.004), "0.00");
        free(t);
        CHECK_STR(t = terminal(FIG_COUNT, 12345), "12345");
        free(t);
        CHECK_STR(t = terminal(FIG_DAYS, 0.2), "4.8 h");
        free(t);
        CHECK_STR(t = terminal(FIG_CSAT, NAN), "-");
        free(t);
    }
    TEST("figures: a terminal and the HTML report show the same digits (ties, near zero, large values)") {
        static const double values[] = {0.4085, 0.6005, 0.125, 0.375, -0.001, -0.004, 0.005, 1.005, 2.5,
                                        12345.678, -51.75, 0.0005, 1234567, 0, NAN, 0.2, 42.0 / 1440};
        for (int k = FIG_COUNT; k <= FIG_WHOLE; k++) {
            if (k == FIG_PLAIN) continue;
            for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
                char *t = terminal((FigKind)k, values[i]), *h = html_digits((FigKind)k, values[i]);
                const char *tt = t[0] == '+' && h[0] != '+' ? t + 1 : t;
                if (strcmp(tt, h) != 0) printf("  kind %d, %g: '%s' on a terminal, '%s' in HTML\n", k, values[i], t, h);
                CHECK(strcmp(tt, h) == 0);
                free(t);
                free(h);
            }
        }
    }
}


/* ---- the figures of kpis.md in every report ---- */

typedef struct Loaded {
    Program prog;
    Diag diag;
    Model *model;
    RtModel *rm;
    FILE *out;
    char *msgs;
    size_t len;
} Loaded;

static bool load_journey(Loaded *j, const char *text)
{
    memset(j, 0, sizeof *j);
    j->out = open_memstream(&j->msgs, &j->len);
    program_init(&j->prog, "stdlib", NULL);
    diag_init(&j->diag, &j->prog.sources, j->out, false);
    if (program_load_text(&j->prog, "t.journey", text, strlen(text), &j->diag) == LOAD_OK)
        j->model = sema_check(&j->prog, &j->diag);
    if (!j->model || j->diag.errors) return false;
    j->rm = rt_compile(j->model);
    return true;
}

static void unload_journey(Loaded *j)
{
    if (j->rm) rt_model_free(j->rm);
    if (j->model) model_free(j->model);
    program_free(&j->prog);
    diag_free(&j->diag);
    fclose(j->out);
    free(j->msgs);
}

static const char SUBSCRIPTION[] = "journey \"Subscription\" { horizon 90 days }\n"
                                   "channel ads\nchannel email\n"
                                   "stage Trial { touchpoint Ad { channel ads cost 2 }\n"
                                   "  touchpoint Ask \"How likely are you to recommend us?\" { channel email }\n"
                                   "  wait 5 days -> Paid 50% -> churn 50% \"no\" }\n"
                                   "stage Paid goal { revenue 10 wait 30 days -> Paid 80% -> churn 20% \"cancelled\" }\n";

/* A run of SUBSCRIPTION with what the simulation of issue 14 adds, made up: three months of
 * calendar (new and churned customers 10, 0; 8, 3; 5, 4), touchpoint Ask an NPS survey answered
 * by 100 (50 promoters, 20 detractors: NPS +30). */
static RtResult *made_up_run(Loaded *j)
{
    j->rm->touch[1].survey = RT_SURVEY_NPS;
    SimOptions o = {0};
    o.cohort = 400;
    o.seed = 7;
    o.has_horizon = true;
    o.horizon = 90;
    o.threads = 1;
    o.persona = -1;
    o.max_steps = SIM_DEFAULT_MAX_STEPS;
    RtResult *r = sim_run(j->rm, &o);
    static const double added[3][2] = {{10, 0}, {8, 3}, {5, 4}};
    free(r->months); /* the run's own calendar, replaced by the made-up one */
    r->months = xcalloc(3, sizeof *r->months);
    r->nmonths = 3;
    r->has_arrivals = true;
    for (int m = 0; m < 3; m++) {
        r->months[m].new_prospects = 100;
        r->months[m].new_customers = added[m][0];
        r->months[m].churned_customers = added[m][1];
        r->months[m].revenue = 10 * added[m][0];
        r->months[m].cost = 200;
    }
    r->touch[1].respondents = 100;
    r->touch[1].promoters = 50;
    r->touch[1].detractors = 20;
    r->survey_nps_n = 100;
    r->survey_promoters = 50;
    r->survey_detractors = 20;
    return r;
}

static void test_kpi_views(void)
{
    Loaded j;
    if (!load_journey(&j, SUBSCRIPTION)) {
        TEST("kpis: the subscription journey checks") CHECK(false);
        unload_journey(&j);
        return;
    }
    RtResult *r = made_up_run(&j);
    Buf b = BUF_INIT;
    TEST("kpis: JSON schema 3 has the headline objects in kpis.md's order, then the old figures") {
        render_json(r, "t.journey", &b);
        const char *s = buf_str(&b);
        static const char *const keys[] = {"\"schema\": 3,", "\"prospects\": {", "\"customers\": {", "\"money\": {",
                                           "\"satisfaction\": {", "\"funnel\": [", "\"calendar\": [",
                                           "\"customer_retention_curve\"", "\"conversion\": {", "\"cohort_churn\": {",
                                           "\"churn_reasons\": [", "\"stages\": [", "\"cohort_retention\": {"};
        const char *at = s;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            const char *next = strstr(at, keys[k]);
            if (!next) printf("  missing or out of order: %s\n", keys[k]);
            CHECK(next != NULL);
            if (next) at = next;
        }
        CHECK(strstr(s, "\"revenue_per_customer\"") == NULL && strstr(s, "\"retention_curve\"") == NULL);
    }
    TEST("kpis: JSON calendar: months with active customers at each month's end") {
        const char *s = buf_str(&b);
        CHECK(strstr(s, "{\"month\": 1, \"from_day\": 0, \"new_prospects\": 100, \"new_customers\": 10, \"lost\": 0, "
                        "\"churned_customers\": 0, \"completed_customers\": 0, \"active_customers\": 10,") != NULL);
        CHECK(strstr(s, "\"month\": 3, \"from_day\": 60, ") != NULL);
        CHECK(strstr(s, "\"active_customers\": 16, \"revenue\": 50, \"cost\": 200, \"cumulative_customers\": 23, "
                        "\"cumulative_revenue\": 230, \"cumulative_cost\": 600}") != NULL);
        CHECK(strstr(s, "\"calendar_note\": null") != NULL);
    }
    TEST("kpis: JSON survey touchpoint: respondents and NPS with its interval") {
        const char *s = buf_str(&b);
        CHECK(strstr(s, "\"survey\": \"nps\",\n      \"respondents\": 100,\n      \"nps\": 30,\n") != NULL);
        CHECK(strstr(s, "\"survey\": null,\n      \"respondents\": null,\n      \"nps\": null,") != NULL);
        CHECK(strstr(s, "\"nps_source\": \"surveys\"") != NULL);
    }
    TEST("kpis: the terminal table shows the calendar and the survey") {
        buf_clear(&b);
        render_table(r, "t.journey", &b);
        const char *s = buf_str(&b);
        CHECK(strstr(s, "\nCalendar (") != NULL);
        CHECK(strstr(s, "\nSurveys (") != NULL);
        CHECK(strstr(s, "\nAttribution (") != NULL);
        CHECK(strstr(s, "  Ask         Trial  NPS     100  +30.0  +14.7–+45.3") != NULL);
    }
    TEST("kpis: CSV calendar and surveys") {
        buf_clear(&b);
        render_csv(r, CSV_CALENDAR, &b);
        CHECK(strncmp(buf_str(&b), "month,from_day,new_prospects,new_customers,lost,churned_customers,", 66) == 0);
        CHECK(strstr(buf_str(&b), "\n2,30,100,8,0,3,0,15,80,200,18,180,400\n") != NULL);
        buf_clear(&b);
        render_csv(r, CSV_SURVEYS, &b);
        CHECK(strstr(buf_str(&b), "\nAsk,Trial,nps,100,30,") != NULL);
        CHECK(strstr(buf_str(&b), "\nAd,") == NULL);
    }
    TEST("kpis: the HTML report draws the calendar and lists the survey") {
        buf_clear(&b);
        HtmlReport o = {"2024-05-01", "test", NULL, NULL, NULL};
        render_html(r, "t.journey", &o, &b);
        const char *s = buf_str(&b);
        CHECK(strstr(s, "data-figure=\"calendar\" data-keys=\"month new_customers churned_customers active_customers\" "
                        "data-values=\"1 10 0 10 2 8 3 15 3 5 4 16\"") != NULL);
        CHECK(strstr(s, "<section id=\"surveys\"") != NULL && strstr(s, "data-figure=\"touchpoints.1.nps\"") != NULL);
    }
    buf_free(&b);
    rt_result_free(r);
    unload_journey(&j);
}

void unit_report(void);
void unit_report(void)
{
    test_json_layout();
    test_catalogue();
    test_figure_text();
    test_escape();
    test_ticks();
    test_counts();
    test_durations();
    test_kpi_views();
}
