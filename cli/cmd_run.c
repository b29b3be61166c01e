/* cmd_run.c: `cjm run FILE`: simulate a cohort (or, with --exact, solve the journey as a Markov
 * chain) and write the report. Owns option parsing and validation (bad values exit 2), the
 * order of the steps, and the printing of runtime warnings; the work is runtime/'s and
 * render/'s. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "exact.h"
#include "model.h"
#include "output.h"
#include "report.h"
#include "sim.h"

typedef struct RunArgs {
    const char *file;
    double cohort;          /* 0: the journey's */
    double seed;            /* -1: the journey's */
    int horizon_set;        /* 0: the journey's, 1: --horizon DURATION, 2: --horizon none */
    double horizon;
    int threads;            /* 0: every online core */
    RenderFormat format;
    CsvTable csv_table;
    const char *out;
    bool exact, quiet, stats;
    const char *persona;
    double max_steps;
    ColorMode color;
} RunArgs;

/* ---- option values ---- */

/* A whole number in [lo, hi], also written as 1e6; false for anything else (0.5, -5, 1e99, nan). */
static bool parse_whole(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v) || v != floor(v) || v < lo || v > hi) return false;
    *out = v;
    return true;
}

static double unit_days(const char *u)
{
    static const struct { const char *name; double days; } units[] = {
        {"", 1}, {"d", 1}, {"day", 1}, {"days", 1}, {"h", 1.0 / 24}, {"hour", 1.0 / 24}, {"hours", 1.0 / 24},
        {"min", 1.0 / 1440}, {"minute", 1.0 / 1440}, {"minutes", 1.0 / 1440}, {"w", 7}, {"week", 7}, {"weeks", 7},
        {"month", 30}, {"months", 30}, {"y", 365}, {"year", 365}, {"years", 365},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(u, units[i].name) == 0) return units[i].days;
    return 0;
}

/* "90", "90d", "90 days", "12 weeks", "1 year", "36 hours": a positive, finite number of days. */
static bool parse_duration(const char *s, double *days)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v) || !(v > 0)) return false;
    while (*end == ' ') end++;
    double unit = unit_days(end);
    if (unit == 0 || !isfinite(v * unit) || !(v * unit > 0)) return false;
    *days = v * unit;
    return true;
}

enum { OPT_COHORT = 256, OPT_SEED, OPT_HORIZON, OPT_THREADS, OPT_FORMAT, OPT_CSV_TABLE, OPT_EXACT, OPT_PERSONA,
       OPT_MAX_STEPS, OPT_STATS, OPT_COLOR };

/* Applies one option; returns -1 to go on, or an exit status. */
static int take_option(RunArgs *a, int opt, const char *arg, const char *given)
{
    switch (opt) {
    case OPT_COHORT:
        if (!parse_whole(arg, 1, MODEL_MAX_COHORT, &a->cohort))
            return cli_usage_error("run", "--cohort must be a whole number of customers from 1 to 10^12, not '%s'", arg);
        break;
    case OPT_SEED:
        if (!parse_whole(arg, 0, 9007199254740992.0, &a->seed))
            return cli_usage_error("run", "--seed must be a whole number from 0 to 2^53, not '%s'", arg);
        break;
    case OPT_HORIZON:
        if (strcmp(arg, "none") == 0) {
            a->horizon_set = 2;
        } else if (parse_duration(arg, &a->horizon)) {
            a->horizon_set = 1;
        } else {
            return cli_usage_error("run", "--horizon must be a positive duration such as '90 days', '12 weeks', "
                                          "'1 year' or '36 hours' (a bare number is days), or 'none'; not '%s'", arg);
        }
        break;
    case OPT_THREADS: {
        double t;
        if (!parse_whole(arg, 1, SIM_MAX_THREADS, &t))
            return cli_usage_error("run", "--threads must be a whole number from 1 to %d, not '%s'", SIM_MAX_THREADS, arg);
        a->threads = (int)t;
        break;
    }
    case OPT_FORMAT:
        if (!render_parse_format(arg, &a->format))
            return cli_usage_error("run", "--format must be table, json or csv, not '%s'", arg);
        break;
    case OPT_CSV_TABLE:
        if (!render_parse_csv_table(arg, &a->csv_table))
            return cli_usage_error("run", "--csv-table must be stages, personas, touchpoints, channels or reasons, not '%s'", arg);
        break;
    case 'o': a->out = arg; break;
    case OPT_EXACT: a->exact = true; break;
    case OPT_PERSONA: a->persona = arg; break;
    case OPT_MAX_STEPS:
        if (!parse_whole(arg, 1, 1e12, &a->max_steps))
            return cli_usage_error("run", "--max-steps must be a whole number from 1 to 10^12, not '%s'", arg);
        break;
    case 'q': a->quiet = true; break;
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
        {"cohort", required_argument, NULL, OPT_COHORT},
        {"seed", required_argument, NULL, OPT_SEED},
        {"horizon", required_argument, NULL, OPT_HORIZON},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"csv-table", required_argument, NULL, OPT_CSV_TABLE},
        {"output", required_argument, NULL, 'o'},
        {"exact", no_argument, NULL, OPT_EXACT},
        {"persona", required_argument, NULL, OPT_PERSONA},
        {"max-steps", required_argument, NULL, OPT_MAX_STEPS},
        {"quiet", no_argument, NULL, 'q'},
        {"stats", no_argument, NULL, OPT_STATS},
        {"color", optional_argument, NULL, OPT_COLOR},
        {"colour", optional_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->seed = -1;
    a->max_steps = SIM_DEFAULT_MAX_STEPS;
    a->color = cli_global_color;
    optind = 1;
    opterr = 0;
    int opt;
    char short_opt[3] = "-?";
    while ((opt = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        const char *given = argv[optind - 1];
        if ((opt == '?' || opt == ':') && optopt > 0 && optopt < 256) {
            short_opt[1] = (char)optopt;
            given = short_opt;
        }
        int status = take_option(a, opt, optarg ? optarg : (opt == OPT_COLOR ? "always" : NULL), given);
        if (status >= 0) return status;
    }
    if (optind >= argc) return cli_usage_error("run", "no journey file to run (give one .journey file, or - for standard input)");
    if (optind + 1 < argc) return cli_usage_error("run", "give one journey file, not %d", argc - optind);
    a->file = argv[optind];
    return -1;
}

/* ---- the run ---- */

static int find_persona(const Model *m, const char *name)
{
    for (int p = 0; p < m->npersonas; p++)
        if (strcmp(m->personas[p]->name.s, name) == 0) return p;
    const char **names = calloc((size_t)m->npersonas + 1, sizeof *names);
    if (names) {
        for (int p = 0; p < m->npersonas; p++) names[p] = m->personas[p]->name.s;
        const char *best = diag_closest(name, names, m->npersonas);
        Buf list = BUF_INIT;
        for (int p = 0; p < m->npersonas; p++) buf_printf(&list, "%s%s", p ? ", " : "", names[p]);
        if (best) cli_usage_error("run", "unknown persona '%s'; did you mean '%s'?", name, best);
        else cli_usage_error("run", "unknown persona '%s' (the personas are: %s)", name, buf_str(&list));
        buf_free(&list);
        free(names);
    }
    return -1;
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > SIM_MAX_THREADS ? SIM_MAX_THREADS : (int)n;
}

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

static RtResult *compute(const RunArgs *a, Checked *c, const RtModel *rm, int persona, int *threads)
{
    const Model *m = c->model;
    bool has_horizon = a->horizon_set ? a->horizon_set == 1 : m->has_horizon;
    double horizon = a->horizon_set == 1 ? a->horizon : m->horizon;
    double cohort = a->cohort > 0 ? a->cohort : m->cohort;
    uint64_t seed = (uint64_t)(a->seed >= 0 ? a->seed : m->seed);
    if (a->exact) {
        *threads = 1;
        if (!exact_check(rm, &c->diag)) return NULL;
        ExactOptions eo = {cohort, seed, has_horizon, horizon, persona};
        return exact_run(rm, &eo, &c->diag);
    }
    SimOptions so = {0};
    so.cohort = (uint64_t)cohort;
    so.seed = seed;
    so.has_horizon = has_horizon;
    so.horizon = horizon;
    so.threads = *threads = a->threads ? a->threads : default_threads();
    so.persona = persona;
    so.max_steps = (uint64_t)a->max_steps;
    so.progress = !a->quiet && isatty(STDERR_FILENO);
    return sim_run(rm, &so);
}

static void print_warnings(const RtResult *r, Diag *d)
{
    for (int i = 0; i < r->nwarnings; i++) diag_warning(d, r->warnings[i].loc, "%s", r->warnings[i].message);
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
    const char *what = NULL;
    int err = output_write(a->out, buf_str(&out), out.len, &what);
    buf_free(&out);
    if (err) {
        output_report_error("run", a->out, err, what);
        return EXIT_IO;
    }
    return EXIT_OK;
}

static int run_checked(const RunArgs *a, Checked *c)
{
    const Model *m = c->model;
    if (m->nstages == 0 || m->start < 0) {
        fprintf(stderr, "cjm run: %s declares no stage: there is nothing to run\n", a->file);
        return EXIT_JOURNEY;
    }
    int persona = -1;
    if (a->persona && (persona = find_persona(m, a->persona)) < 0) return EXIT_USAGE;
    RtModel *rm = rt_compile(m);
    int threads = 1;
    double t0 = seconds_now();
    RtResult *r = compute(a, c, rm, persona, &threads);
    double secs = seconds_now() - t0;
    int status = EXIT_JOURNEY;
    if (r) {
        print_warnings(r, &c->diag);
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
    cli_load_and_check(&c, a.file, a.color, a.quiet);
    if (c.status == EXIT_OK && c.model) status = run_checked(&a, &c);
    else status = c.status == EXIT_OK ? EXIT_JOURNEY : c.status;
    if (status == EXIT_JOURNEY && c.diag.errors) diag_print_summary(&c.diag);
    cli_checked_free(&c);
    return status;
}
