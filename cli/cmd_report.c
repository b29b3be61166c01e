/* cmd_report.c: `cjm report FILE -o report.html`: the run of `cjm run` (the same options, the same
 * numbers) written as one self-contained HTML page with charts and the Graphviz pictures
 * (render/report_html.c; docs/report.md). Owns the options, the report's date (--date, else
 * SOURCE_DATE_EPOCH, else today) and the order of the steps: check, run, draw, write. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cjm.h"
#include "cli.h"
#include "run_settings.h"
#include "version.h"

typedef struct ReportArgs {
    const char *file;
    const char *out;
    char date[16];           /* YYYY-MM-DD */
    bool date_set, graphs;
    ColorMode color;
    RunSettings run;
    CompareSections compare; /* the what-if sections (cjm compare's) */
} ReportArgs;

enum { OPT_DATE = RUN_OPT_LAST, OPT_NO_GRAPHS, OPT_COLOR, OPT_REMOVAL, OPT_SWEEP };

/* ---- the date ---- */

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* "YYYY-MM-DD", a real day of the years 1000 to 9999. */
static bool valid_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1000 || m < 1 || m > 12 || d < 1) return false;
    return d <= days[m - 1] + (m == 2 && leap(y));
}

/* The date of a time: UTC for SOURCE_DATE_EPOCH (reproducible builds), else local. */
static bool format_date(time_t t, bool utc, char out[16])
{
    struct tm tm;
    if (!(utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm))) return false;
    return strftime(out, 16, "%Y-%m-%d", &tm) == 10;
}

/* --date, else SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/), else
 * today. Returns -1, or 2 after reporting a bad SOURCE_DATE_EPOCH. */
static int choose_date(ReportArgs *a)
{
    if (a->date_set) return -1;
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && *epoch) {
        char *end;
        errno = 0;
        long long v = strtoll(epoch, &end, 10);
        if (*end || errno || v < 0 || v > 253402300799LL || !format_date((time_t)v, true, a->date))
            return cli_usage_error("report", "SOURCE_DATE_EPOCH must be a number of seconds since 1970-01-01, not '%s'",
                                   epoch);
        return -1;
    }
    if (!format_date(time(NULL), false, a->date)) snprintf(a->date, sizeof a->date, "%s", "unknown date");
    return -1;
}

/* ---- options ---- */

static int take_option(void *ctx, int opt, const char *arg, const char *given)
{
    ReportArgs *a = ctx;
    int shared = run_settings_take(&a->run, "report", opt, arg);
    if (shared != 1) return shared;
    switch (opt) {
    case 'o': a->out = arg; break;
    case OPT_DATE:
        if (!valid_date(arg))
            return cli_usage_error("report", "--date must be a day written YYYY-MM-DD, not '%s'", arg);
        snprintf(a->date, sizeof a->date, "%s", arg);
        a->date_set = true;
        break;
    case OPT_NO_GRAPHS: a->graphs = false; break;
    case OPT_REMOVAL:
        a->compare.removal = strcmp(arg, "none") != 0;
        if (a->compare.removal && !compare_parse_removal(arg, &a->compare.removal_mode))
            return cli_usage_error("report", "--removal must be touchpoints, channels, stages or none, not '%s'", arg);
        break;
    case OPT_SWEEP: a->compare.sweep = arg; break;
    case OPT_COLOR:
        if (!cli_parse_color(arg, &a->color))
            return cli_usage_error("report", "--color must be auto, always or never, not '%s'", arg);
        break;
    case 'h': return cli_show_help("report");
    case ':': return cli_usage_error("report", "option '%s' needs a value", given);
    default: return cli_usage_error("report", "unknown option '%s'", given);
    }
    return -1;
}

static int parse_args(ReportArgs *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        RUN_SETTINGS_LONG_OPTIONS,
        {"output", required_argument, NULL, 'o'},
        {"date", required_argument, NULL, OPT_DATE},
        {"no-graphs", no_argument, NULL, OPT_NO_GRAPHS},
        {"removal", required_argument, NULL, OPT_REMOVAL},
        {"sweep", required_argument, NULL, OPT_SWEEP},
        {"color", optional_argument, NULL, OPT_COLOR},
        {"colour", optional_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int status = cli_parse_options(argc, argv, ":o:qh", longopts, OPT_COLOR, take_option, a);
    if (status >= 0) return status;
    a->file = cli_one_journey("report", "given", argc, argv);
    return a->file ? choose_date(a) : EXIT_USAGE;
}

/* ---- the report ---- */

/* Draws one Graphviz picture as SVG; false after reporting why not. */
static bool draw(const Model *m, const RtResult *r, GraphView view, char **svg)
{
    GraphOptions opt = {view, false, r->persona};
    char *error = NULL;
    size_t len;
    if (graph_render(m, r, &opt, "svg", svg, &len, &error)) return true;
    fprintf(stderr, "cjm report: %s (--no-graphs leaves the pictures out)\n", error);
    free(error);
    return false;
}

static int write_report(const ReportArgs *a, const Model *m, const RtResult *r, const char *compare_html)
{
    HtmlReport o = {a->date, CJM_VERSION, NULL, NULL, compare_html};
    char *flow = NULL, *map = NULL;
    if (a->graphs && (!draw(m, r, GRAPH_FLOW, &flow) || !draw(m, r, GRAPH_MAP, &map))) {
        free(flow);
        return EXIT_IO;
    }
    o.flow_svg = flow;
    o.map_svg = map;
    Buf html = BUF_INIT;
    render_html(r, strcmp(a->file, "-") == 0 ? "<stdin>" : a->file, &o, &html);
    free(flow);
    free(map);
    int status = cli_write_output("report", a->out, buf_str(&html), html.len);
    buf_free(&html);
    return status;
}

static int report_checked(const ReportArgs *a, Checked *c)
{
    const Model *m = c->model;
    if (m->nstages == 0 || m->start < 0) {
        fprintf(stderr, "cjm report: %s declares no stage: there is nothing to report\n", a->file);
        return EXIT_JOURNEY;
    }
    int persona = -1;
    if (a->run.persona && (persona = run_find_persona(m, "report", a->run.persona)) < 0) return EXIT_USAGE;
    RtModel *rm = rt_compile(m);
    int threads;
    RtResult *r = run_compute(&a->run, c, rm, persona, &threads);
    int status = run_failure_status();
    if (r) {
        run_print_warnings(r, &c->diag);
        char *compare_html = NULL;
        status = compare_report_sections(&a->run, c, persona, &a->compare, &compare_html);
        if (status < 0) status = write_report(a, m, r, compare_html);
        free(compare_html);
    }
    rt_result_free(r);
    rt_model_free(rm);
    return status;
}

int cmd_report(int argc, char **argv)
{
    ReportArgs a;
    memset(&a, 0, sizeof a);
    a.graphs = true;
    a.compare.removal = true;
    a.compare.removal_mode = CMP_REMOVE_TOUCHPOINTS;
    a.color = cli_global_color;
    run_settings_init(&a.run, "report");
    int status = parse_args(&a, argc, argv);
    if (status >= 0) return status;
    Checked c;
    cli_load_and_check(&c, "report", a.file, a.out, a.color, a.run.quiet);
    if (c.status == CHECKED_OK && c.model) status = report_checked(&a, &c);
    else status = c.status == CHECKED_OK ? EXIT_JOURNEY : cli_checked_exit(&c);
    if (status == EXIT_JOURNEY && c.diag.errors) diag_print_summary(&c.diag);
    checked_free(&c);
    return status;
}
