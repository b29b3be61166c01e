/* cmd_fit.c: `cjm fit JOURNEY LOG`: the journey fitted to an event log (fit/fit.h), reported as a
 * table, JSON, CSV or an HTML page; -o writes the fitted journey (fit/rewrite.h), --scenario a
 * scenario block of the fitted numbers, --validate simulates the journey and compares it with the
 * log (fit/validate.h), --sql prints the query that computes the fit's counts in a warehouse
 * (fit/sql.h), whose result, given as LOG, is read in place of events.
 *
 * Owns option parsing and validation (bad values exit 2 before any file is read), the order of
 * the steps, and writing: everything is computed first, so that an error writes nothing. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "cli.h"
#include "fit_options.h"
#include "progress_bar.h"
#include "run_settings.h"
#include "signals.h"
#include "version.h"

typedef enum { FIT_FORMAT_TABLE, FIT_FORMAT_JSON, FIT_FORMAT_CSV, FIT_FORMAT_HTML } FitFormat;

typedef struct FitArgs {
    const char *journey, *log;
    FitSettings fit;
    RunSettings run;            /* --cohort, --seed, --threads, -q: --validate's simulation */
    FitFormat format;
    FitCsvTable csv_table;
    bool csv_table_set;
    const char *out;            /* -o: the fitted journey */
    const char *scenario, *scenario_label;
    bool validate;
    const char *sql_table;
    SqlDialect dialect;
    bool dialect_set;
    ColorMode color;
    FitTraitSpec *traits;       /* --trait NAME=COLUMN, in the order given */
    int ntraits;
} FitArgs;

enum { OPT_FORMAT = FIT_OPT_LAST, OPT_CSV_TABLE, OPT_SCENARIO, OPT_SCENARIO_LABEL, OPT_VALIDATE, OPT_SQL, OPT_DIALECT,
       OPT_COLOR, OPT_TRAIT };

/* ---- options ---- */

static bool parse_format(const char *s, FitFormat *f)
{
    static const char *const names[] = {"table", "json", "csv", "html"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *f = (FitFormat)i;
            return true;
        }
    return false;
}

static bool parse_dialect(const char *s, SqlDialect *d)
{
    if (strcmp(s, "postgres") == 0 || strcmp(s, "postgresql") == 0) *d = SQL_POSTGRES;
    else if (strcmp(s, "sqlite") == 0) *d = SQL_SQLITE;
    else if (strcmp(s, "bigquery") == 0) *d = SQL_BIGQUERY;
    else return false;
    return true;
}

/* --trait NAME=COLUMN: both parts non-empty; the name is checked against the journey later. */
static int take_trait(FitArgs *a, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return cli_usage_error("fit", "--trait must be NAME=COLUMN (a trait of the journey and a column of the log "
                                      "with each case's value), not '%s'", arg);
    FitTraitSpec *grown = realloc(a->traits, (size_t)(a->ntraits + 1) * sizeof *grown);
    char *name = malloc((size_t)(eq - arg) + 1);
    if (grown) a->traits = grown;
    if (!grown || !name) {
        free(name);
        fputs("cjm fit: out of memory\n", stderr);
        return EXIT_IO;
    }
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = 0;
    for (int i = 0; i < a->ntraits; i++)
        if (strcmp(a->traits[i].trait, name) == 0) {
            int status = cli_usage_error("fit", "--trait %s is given twice", name);
            free(name);
            return status;
        }
    a->traits[a->ntraits++] = (FitTraitSpec){name, eq + 1};
    return -1;
}

static void free_traits(FitArgs *a)
{
    for (int i = 0; i < a->ntraits; i++) free((char *)a->traits[i].trait);
    free(a->traits);
    a->traits = NULL;
    a->ntraits = 0;
}

static int take_option(void *ctx, int opt, const char *arg, const char *given)
{
    FitArgs *a = ctx;
    int shared = fit_settings_take(&a->fit, opt, arg);
    if (shared != 1) return shared;
    if (opt == RUN_OPT_COHORT || opt == RUN_OPT_SEED || opt == RUN_OPT_THREADS || opt == 'q')
        return run_settings_take(&a->run, "fit", opt, arg);
    switch (opt) {
    case OPT_FORMAT:
        if (!parse_format(arg, &a->format))
            return cli_usage_error("fit", "--format must be table, json, csv or html, not '%s'", arg);
        break;
    case OPT_CSV_TABLE:
        if (!render_fit_parse_csv_table(arg, &a->csv_table))
            return cli_usage_error("fit", "--csv-table must be moves, waits, touchpoints, personas, stages, unmapped, "
                                          "validation, met, traits, choices or cannot, not '%s'", arg);
        a->csv_table_set = true;
        break;
    case 'o': a->out = arg; break;
    case OPT_SCENARIO: a->scenario = arg; break;
    case OPT_SCENARIO_LABEL: a->scenario_label = arg; break;
    case OPT_VALIDATE: a->validate = true; break;
    case OPT_TRAIT: return take_trait(a, arg);
    case OPT_SQL: a->sql_table = arg; break;
    case OPT_DIALECT:
        if (!parse_dialect(arg, &a->dialect))
            return cli_usage_error("fit", "--dialect must be postgres, sqlite or bigquery, not '%s'", arg);
        a->dialect_set = true;
        break;
    case OPT_COLOR:
        if (!cli_parse_color(arg, &a->color))
            return cli_usage_error("fit", "--color must be auto, always or never, not '%s'", arg);
        break;
    case 'h': return cli_show_help("fit");
    case ':': return cli_usage_error("fit", "option '%s' needs a value", given);
    default: return cli_usage_error("fit", "unknown option '%s'", given);
    }
    return -1;
}

/* Options that make no sense together, or without another. */
static int check_combinations(const FitArgs *a)
{
    if (a->dialect_set && !a->sql_table) return cli_usage_error("fit", "--dialect goes with --sql TABLE");
    if (a->sql_table && (a->out || a->scenario || a->validate || a->ntraits))
        return cli_usage_error("fit", "--sql prints the query and does nothing else: not with %s",
                               a->out ? "-o" : a->scenario ? "--scenario" : a->validate ? "--validate" : "--trait");
    if (a->csv_table_set && a->format != FIT_FORMAT_CSV) return cli_usage_error("fit", "--csv-table goes with --format csv");
    if (a->scenario_label && !a->scenario) return cli_usage_error("fit", "--scenario-label goes with --scenario NAME");
    if (a->sql_table && !*a->sql_table) return cli_usage_error("fit", "--sql needs the name of a table");
    return -1;
}

static int parse_operands(FitArgs *a, int argc, char **argv)
{
    int n = argc - optind;
    if (a->sql_table) {
        if (n != 1) return cli_usage_error("fit", "--sql takes the journey alone (cjm fit JOURNEY --sql TABLE)");
        a->journey = argv[optind];
        return -1;
    }
    if (n < 2)
        return cli_usage_error("fit", n == 0 ? "no journey and no log to fit it to (cjm fit JOURNEY LOG)"
                                             : "no log to fit the journey to (cjm fit JOURNEY LOG)");
    if (n > 2) return cli_usage_error("fit", "give one journey and one log, not %d files", n);
    a->journey = argv[optind];
    a->log = argv[optind + 1];
    if (strcmp(a->journey, "-") == 0 && strcmp(a->log, "-") == 0)
        return cli_usage_error("fit", "the journey and the log cannot both be standard input");
    if (a->ntraits && strcmp(a->log, "-") == 0)
        return cli_usage_error("fit", "--trait reads the log's columns in a second pass: give the log as a file, "
                                      "not standard input");
    return -1;
}

static int parse_args(FitArgs *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        FIT_LOG_LONG_OPTIONS,
        FIT_MAP_LONG_OPTIONS,
        {"cohort", required_argument, NULL, RUN_OPT_COHORT},
        {"seed", required_argument, NULL, RUN_OPT_SEED},
        {"threads", required_argument, NULL, RUN_OPT_THREADS},
        {"quiet", no_argument, NULL, 'q'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"csv-table", required_argument, NULL, OPT_CSV_TABLE},
        {"output", required_argument, NULL, 'o'},
        {"scenario", required_argument, NULL, OPT_SCENARIO},
        {"scenario-label", required_argument, NULL, OPT_SCENARIO_LABEL},
        {"validate", no_argument, NULL, OPT_VALIDATE},
        {"trait", required_argument, NULL, OPT_TRAIT},
        {"sql", required_argument, NULL, OPT_SQL},
        {"dialect", required_argument, NULL, OPT_DIALECT},
        {"color", optional_argument, NULL, OPT_COLOR},
        {"colour", optional_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    a->color = cli_global_color;
    int status = cli_parse_options(argc, argv, ":o:qh", longopts, OPT_COLOR, take_option, a);
    if (status >= 0) return status;
    if ((status = check_combinations(a)) >= 0) return status;
    return parse_operands(a, argc, argv);
}

/* ---- the fit ---- */

typedef struct Fitted {
    FitObs *obs;
    FitResult *fit;
    LogColumns columns;         /* the header names taken (copied: the reader is closed) */
    char *column_names[8];
    bool has_columns;
    LogTimeFormat time_format;
    LogFormat log_format;
    FitVerdict *verdicts;
    int nverdicts;
} Fitted;

static void fitted_free(Fitted *x)
{
    fit_result_free(x->fit);
    fit_obs_free(x->obs);
    for (int i = 0; i < 8; i++) free(x->column_names[i]);
    free(x->verdicts);
}

static const char *keep_name(Fitted *x, int i, const char *name)
{
    if (!name) return NULL;
    x->column_names[i] = strdup(name);
    return x->column_names[i];
}

static void keep_columns(Fitted *x, const LogColumns *c)
{
    if (!c) return;
    x->has_columns = true;
    x->columns = (LogColumns){keep_name(x, 0, c->case_id), keep_name(x, 1, c->event), keep_name(x, 2, c->time),
                              keep_name(x, 3, c->channel), keep_name(x, 4, c->revenue), keep_name(x, 5, c->cost),
                              keep_name(x, 6, c->segment), keep_name(x, 7, c->score)};
}

/* The exit status after fit_observe() failed: an interruption, or a log that cannot be read. */
static int observe_failed(const FitArgs *a, const char *file, char *error)
{
    if (cli_signal) {
        fputs("cjm: interrupted: nothing written\n", stderr);
        free(error);
        return cli_signal_status();
    }
    fit_print_error("fit", file, error ? error : "cannot read the log");
    (void)a;
    free(error);
    return EXIT_IO;
}

/* Reads the events of the log and replays them on the journey, under a progress bar. */
static int observe_events(const FitArgs *a, const Model *m, Fitted *x)
{
    LogReader *r = fit_open_log(&a->fit, a->log);
    if (!r) return EXIT_IO;
    FitObserveOptions o = {
        .map = a->fit.map,
        .nmap = a->fit.nmap,
        .inactivity = a->fit.inactivity,
        .log_end = a->fit.log_end,
        .max_memory = a->fit.max_memory,
        .cancel = &cli_signal,
    };
    Progress bar;
    progress_start(&bar, "fit", a->run.quiet, &o.progress, &o.progress_ctx);
    cli_signals_cancellable(1);
    char *error = NULL;
    x->obs = fit_observe(m, r, &o, &error);
    cli_signals_cancellable(0);
    progress_end(&bar);
    int status = EXIT_OK;
    if (!x->obs) status = observe_failed(a, log_name(r), error);
    else keep_columns(x, log_columns_used(r));
    if (x->obs) x->time_format = log_time_format(r);
    x->log_format = log_format(r);
    log_close(r);
    return status;
}

/* When the log is the result of --sql's query (its header says so), its rows are the counts. A
 * file that cannot be opened as CSV here is left to the log reader, whose messages say why. */
static int observe_table(const FitArgs *a, const Model *m, Fitted *x, bool *done)
{
    *done = false;
    if (strcmp(a->log, "-") == 0) return EXIT_OK; /* standard input cannot be read twice */
    char *error = NULL;
    CsvFile *t = csvf_open(a->log, &error);
    if (!t) {
        free(error);
        return EXIT_OK;
    }
    const char *const *names;
    int n = csvf_columns(t, &names);
    if (n > 0 && fit_is_query_result(names, n)) {
        *done = true;
        x->obs = fit_obs_read_table(m, t, &error);
        if (!x->obs) {
            fit_print_error("fit", csvf_name(t), error ? error : "cannot read the query's result");
            free(error);
            csvf_close(t);
            return EXIT_IO;
        }
    }
    csvf_close(t);
    return EXIT_OK;
}

static int validate(const FitArgs *a, const Model *m, Fitted *x)
{
    RtModel *rm = rt_compile(m);
    SimOptions so;
    int status = EXIT_OK;
    if (run_sim_options(&a->run, m, rm, -1, &so) >= 0) {
        rt_model_free(rm);
        return EXIT_USAGE;
    }
    Progress bar;
    progress_start(&bar, "fit", a->run.quiet, &so.progress, &so.progress_ctx);
    cli_signals_cancellable(1);
    char *error = NULL;
    int n = fit_validate(x->obs, rm, &so, &x->verdicts, &error);
    cli_signals_cancellable(0);
    progress_end(&bar);
    if (n < 0) {
        if (cli_signal) {
            fputs("cjm: interrupted: nothing written\n", stderr);
            status = cli_signal_status();
        } else {
            fprintf(stderr, "cjm fit: --validate: %s\n", error ? error : "the simulation failed");
            status = EXIT_JOURNEY;
        }
    } else {
        x->nverdicts = n;
    }
    free(error);
    rt_model_free(rm);
    return status;
}

/* Each --trait names a trait of the journey (bad usage otherwise, with the closest name). */
static bool traits_known(const FitArgs *a, const Model *m)
{
    for (int i = 0; i < a->ntraits; i++) {
        const char *name = a->traits[i].trait;
        if (fit_trait_index(m, name) >= 0) continue;
        const char *best = m->ntraits ? diag_closest(name, m->traits, m->ntraits) : NULL;
        if (best) cli_usage_error("fit", "--trait %s=%s: the journey has no trait '%s'; did you mean '%s'?", name,
                                  a->traits[i].column, name, best);
        else if (m->ntraits) cli_usage_error("fit", "--trait %s=%s: the journey has no trait '%s'", name,
                                             a->traits[i].column, name);
        else cli_usage_error("fit", "--trait %s=%s: the journey declares no traits", name, a->traits[i].column);
        return false;
    }
    return true;
}

/* The --trait columns, read in a second pass over the CSV log (the reader of events keeps only
 * its own columns). */
static int observe_traits(const FitArgs *a, const Model *m, Fitted *x, bool from_table)
{
    if (!a->ntraits) return EXIT_OK;
    if (from_table)
        return cli_usage_error("fit", "--trait needs the events themselves, not the result of --sql's query");
    if (x->log_format != LOG_CSV)
        return cli_usage_error("fit", "--trait reads a column of a CSV log; %s is not one", a->log);
    char *error = NULL;
    bool usage = false;
    FitTraitObs *t = fit_traits_read(m, a->log, x->columns.case_id, x->columns.segment, a->traits, a->ntraits,
                                     &error, &usage);
    if (!t) {
        if (usage) cli_usage_error("fit", "%s", error ? error : "--trait: bad column");
        else fit_print_error("fit", a->log, error ? error : "cannot read the trait columns");
        free(error);
        return usage ? EXIT_USAGE : EXIT_IO;
    }
    x->obs->traits = t;
    x->obs->ntraits_obs = a->ntraits;
    return EXIT_OK;
}

/* ---- the outputs ---- */

static void render_report(const FitArgs *a, const Fitted *x, Buf *out)
{
    FitReport r = {
        .fit = x->fit,
        .journey = strcmp(a->journey, "-") == 0 ? "<stdin>" : a->journey,
        .log = strcmp(a->log, "-") == 0 ? "<stdin>" : a->log,
        .columns = x->has_columns ? &x->columns : NULL,
        .time_format = x->time_format,
        .verdicts = a->validate ? x->verdicts : NULL,
        .nverdicts = x->nverdicts,
    };
    switch (a->format) {
    case FIT_FORMAT_TABLE: render_fit_table(&r, out); break;
    case FIT_FORMAT_JSON: render_fit_json(&r, out); break;
    case FIT_FORMAT_CSV: render_fit_csv(&r, a->csv_table_set ? a->csv_table : FIT_CSV_MOVES, out); break;
    case FIT_FORMAT_HTML: render_fit_html(&r, CJM_VERSION, out); break;
    }
}

/* -o's text: the journey's main file with the fitted numbers, or (with --scenario) as it is with
 * the scenario block after it; without -o, --scenario's block alone (for standard output). */
static int journey_text(const FitArgs *a, const Checked *c, const Fitted *x, Buf *text)
{
    const Model *m = c->model;
    char *error = NULL;
    if (a->scenario) {
        char *block = fit_scenario_block(m, x->fit, a->scenario, a->scenario_label, &error);
        if (!block) goto failed;
        if (a->out) {
            const SourceFile *main = source_get(&c->prog.sources, c->prog.main->file);
            buf_add(text, main->text, main->len);
            if (main->len && main->text[main->len - 1] != '\n') buf_putc(text, '\n');
        }
        buf_puts(text, block);
        free(block);
        return EXIT_OK;
    }
    size_t len = 0;
    char *rewritten = fit_rewrite_journey(m, x->fit, &len, &error);
    if (!rewritten) goto failed;
    buf_add(text, rewritten, len);
    free(rewritten);
    return EXIT_OK;
failed:
    fprintf(stderr, "cjm fit: %s\n", error ? error : "cannot write the fitted journey");
    free(error);
    return EXIT_JOURNEY;
}

/* A scenario's name must be new: the block is appended to a journey that has scenarios. */
static bool scenario_name_is_new(const Model *m, const char *name)
{
    for (int i = 0; i < m->nscenarios; i++)
        if (strcmp(m->scenarios[i]->name.s, name) == 0) {
            cli_usage_error("fit", "--scenario %s: the journey has a scenario of that name already", name);
            return false;
        }
    return true;
}

static int write_outputs(const FitArgs *a, const Checked *c, const Fitted *x)
{
    Buf report = BUF_INIT, text = BUF_INIT;
    int status = EXIT_OK;
    if (a->out || a->scenario) status = journey_text(a, c, x, &text);
    if (status == EXIT_OK && (a->out || !a->scenario)) render_report(a, x, &report);
    if (status == EXIT_OK && a->out) status = cli_write_output("fit", a->out, buf_str(&text), text.len);
    if (status == EXIT_OK && !a->out && a->scenario) status = cli_write_output("fit", NULL, buf_str(&text), text.len);
    else if (status == EXIT_OK) status = cli_write_output("fit", NULL, buf_str(&report), report.len);
    buf_free(&report);
    buf_free(&text);
    return status;
}

/* A log none of whose cases reaches a stage: the report is empty, most likely because the log's
 * names are not the journey's; say so, with the names it has. */
static void warn_no_case(const FitArgs *a, const FitObs *obs)
{
    fprintf(stderr, "cjm fit: warning: no event of %s maps to a stage of the journey (%.0f events read)",
            strcmp(a->log, "-") == 0 ? "<stdin>" : a->log, obs->events);
    if (obs->nunmapped_names > 0) {
        fputs("; the most frequent names:", stderr);
        for (int i = 0; i < obs->nunmapped_names && i < 5; i++)
            fprintf(stderr, "%s '%s' (%.0f)", i ? "," : "", obs->unmapped_names[i].name, obs->unmapped_names[i].count);
        fputs("; map them with --map EVENT=STAGE or `events` in the journey", stderr);
    }
    fputc('\n', stderr);
}

static int print_query(const FitArgs *a, const Model *m)
{
    char *error = NULL;
    char *q = fit_sql_query(m, a->fit.map, a->fit.nmap, a->sql_table, &a->fit.log.columns, a->dialect,
                            a->fit.inactivity >= 0 ? a->fit.inactivity : m->inactivity, &error);
    if (!q) {
        fprintf(stderr, "cjm fit: --sql: %s\n", error ? error : "cannot write the query");
        free(error);
        return EXIT_USAGE;
    }
    int status = cli_write_output("fit", NULL, q, strlen(q));
    free(q);
    return status;
}

static int fit_checked(const FitArgs *a, const Checked *c)
{
    const Model *m = c->model;
    if (m->nstages == 0 || m->start < 0) {
        fprintf(stderr, "cjm fit: %s declares no stage: there is nothing to fit\n", a->journey);
        return EXIT_JOURNEY;
    }
    if (!fit_settings_check_map(&a->fit, m)) return EXIT_USAGE;
    if (!traits_known(a, m)) return EXIT_USAGE;
    if (a->scenario && !scenario_name_is_new(m, a->scenario)) return EXIT_USAGE;
    if (a->sql_table) return print_query(a, m);
    Fitted x = {0};
    bool from_table = false;
    int status = observe_table(a, m, &x, &from_table);
    if (status == EXIT_OK && !from_table) status = observe_events(a, m, &x);
    if (status == EXIT_OK) status = observe_traits(a, m, &x, from_table);
    if (status == EXIT_OK && !(x.fit = fit_estimate(x.obs))) {
        fputs("cjm fit: out of memory while estimating\n", stderr);
        status = EXIT_IO;
    }
    if (status == EXIT_OK && x.obs->cases == 0 && !a->run.quiet) warn_no_case(a, x.obs);
    if (status == EXIT_OK && a->validate) status = validate(a, m, &x);
    if (status == EXIT_OK) status = write_outputs(a, c, &x);
    fitted_free(&x);
    return status;
}

int cmd_fit(int argc, char **argv)
{
    FitArgs a;
    memset(&a, 0, sizeof a);
    fit_settings_init(&a.fit, "fit");
    run_settings_init(&a.run, "fit");
    int status = parse_args(&a, argc, argv);
    if (status < 0 && fit_output_is_log("fit", a.out, a.log)) status = EXIT_USAGE;
    if (status >= 0) {
        fit_settings_free(&a.fit);
        free_traits(&a);
        return status;
    }
    Checked c;
    cli_load_and_check(&c, "fit", a.journey, a.out, a.color, a.run.quiet);
    if (c.status == CHECKED_OK && c.model) status = fit_checked(&a, &c);
    else status = c.status == CHECKED_OK ? EXIT_JOURNEY : cli_checked_exit(&c);
    if (status == EXIT_JOURNEY && c.diag.errors) diag_print_summary(&c.diag);
    checked_free(&c);
    fit_settings_free(&a.fit);
    free_traits(&a);
    return status;
}
