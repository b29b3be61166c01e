/* test_report.c: unit tests of what the HTML report is built from: the chart primitives
 * (render/chart.c: escaping, ticks, number formats, text fitting), the time histogram's counts
 * below a time (runtime/hist.c), the round steps of the curves (render/report.c), and durations
 * as people read them (render/format.c). Whole pages are tested by tests/report/ and
 * tests/cli/report.sh. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chart.h"
#include "format.h"
#include "hist.h"
#include "report.h"
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

void unit_report(void);
void unit_report(void)
{
    test_escape();
    test_ticks();
    test_counts();
    test_durations();
}
