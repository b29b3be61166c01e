/* cmd_run.c: `cjm run FILE`: simulate a cohort (or, with --exact, solve the journey as a Markov
 * chain) and write the report. Owns option parsing and validation (bad values exit 2), the
 * order of the steps, and the printing of runtime warnings; the work is runtime/'s and
 * render/'s. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cjm.h"
#include "cli.h"
#include "run_settings.h"

typedef struct RunArgs {
    const char *file;
    RunSettings run;        /* what is run: shared with cjm graph */
    RenderFormat format;
    CsvTable csv_table;
    const char *out;
    bool stats;
    ColorMode color;
} RunArgs;

/* ---- option values ---- */

enum { OPT_FORMAT = RUN_OPT_LAST, OPT_CSV_TABLE, OPT_STATS, OPT_COLOR };

/* Applies one option; returns -1 to go on, or an exit status. */
static int take_option(void *ctx, int opt, const char *arg, const char *given)
{
    RunArgs *a = ctx;
    int shared = run_settings_take(&a->run, "run", opt, arg);
    if (shared != 1) return shared;
    switch (opt) {
    case OPT_FORMAT:
        if (!render_parse_format(arg, &a->format))
            return cli_usage_error("run", "--format must be table, json or csv, not '%s'", arg);
        break;
    case OPT_CSV_TABLE:
        if (!render_parse_csv_table(arg, &a->csv_table))
            return cli_usage_error("run", "--csv-table must be stages, personas, touchpoints, channels, reasons, "
                                          "exits, curves, headline, pains, funnel, calendar, attribution, surveys "
                                          "or retention, not '%s'", arg);
        break;
    case 'o': a->out = arg; break;
    case OPT_STATS: a->stats = true; break;
    case OPT_COLOR:
        if (!cli_parse_color(arg, &a->color))
            return cli_usage_error("run", "--color must be auto, always or never, not '%s'", arg);
        break;
    case 'h': return cli_show_help("run");
    case ':': return cli_usage_error("run", "option '%s' needs a value", given);
    default: return cli_usage_error("run", "unknown option '%s'", given);
    }
    return -1;
}

static int parse_args(RunArgs *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        RUN_SETTINGS_LONG_OPTIONS,
        {"format", required_argument, NULL, OPT_FORMAT},
        {"csv-table", required_argument, NULL, OPT_CSV_TABLE},
        {"output", required_argument, NULL, 'o'},
        {"stats", no_argument, NULL, OPT_STATS},
        {"color", optional_argument, NULL, OPT_COLOR},
        {"colour", optional_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    run_settings_init(&a->run, "run");
    a->color = cli_global_color;
    int status = cli_parse_options(argc, argv, ":o:qh", longopts, OPT_COLOR, take_option, a);
    if (status >= 0) return status;
    a->file = cli_one_journey("run", "to run", argc, argv);
    return a->file ? -1 : EXIT_USAGE;
}

/* ---- the run ---- */

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_stats(const RtResult *r, double secs, int threads)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr,
            "cjm run: %.0f customers, %.0f stage entries in %.3f s on %d thread%s: %.4g stage entries/s, "
            "%.4g customers/s; peak memory %.1f MiB\n",
            r->cohort, r->steps, secs, threads, threads == 1 ? "" : "s", secs > 0 ? r->steps / secs : 0,
            secs > 0 ? r->cohort / secs : 0, (double)ru.ru_maxrss / 1024.0);
}

static int write_report(const RunArgs *a, const RtResult *r)
{
    Buf out = BUF_INIT;
    const char *shown = strcmp(a->file, "-") == 0 ? "<stdin>" : a->file;
    switch (a->format) {
    case FORMAT_TABLE: render_table(r, shown, &out); break;
    case FORMAT_JSON: render_json(r, shown, &out); break;
    case FORMAT_CSV: render_csv(r, a->csv_table, &out); break;
    }
    int status = cli_write_output("run", a->out, buf_str(&out), out.len);
    buf_free(&out);
    return status;
}

static int run_checked(const RunArgs *a, Checked *c)
{
    const Model *m = c->model;
    if (m->nstages == 0 || m->start < 0) {
        fprintf(stderr, "cjm run: %s declares no stage: there is nothing to run\n", a->file);
        return EXIT_JOURNEY;
    }
    int persona = -1;
    if (a->run.persona && (persona = run_find_persona(m, "run", a->run.persona)) < 0) return EXIT_USAGE;
    RtModel *rm = rt_compile(m);
    int threads = 1;
    double t0 = seconds_now();
    RtResult *r = run_compute(&a->run, c, rm, persona, &threads);
    double secs = seconds_now() - t0;
    int status = run_failure_status();
    if (r) {
        run_print_warnings(r, &c->diag);
        status = write_report(a, r);
        if (a->stats) print_stats(r, secs, threads);
    }
    rt_result_free(r);
    rt_model_free(rm);
    return status;
}

int cmd_run(int argc, char **argv)
{
    RunArgs a;
    int status = parse_args(&a, argc, argv);
    if (status >= 0) return status;
    Checked c;
    cli_load_and_check(&c, "run", a.file, a.out, a.color, a.run.quiet);
    if (c.status == CHECKED_OK && c.model) status = run_checked(&a, &c);
    else status = c.status == CHECKED_OK ? EXIT_JOURNEY : cli_checked_exit(&c);
    if (status == EXIT_JOURNEY && c.diag.errors) diag_print_summary(&c.diag);
    checked_free(&c);
    return status;
}
