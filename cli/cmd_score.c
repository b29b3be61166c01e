/* cmd_score.c: `cjm score JOURNEY LOG`: every customer still in the journey at the log's end,
 * scored by simulating their futures from where they are (fit/score.h): one CSV row each, for a
 * team to act on those about to leave. Reads the log as `cjm fit` does (the same options), keeps
 * each case's state as it ends (FitCase), then simulates. */
#include <errno.h>
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

typedef struct ScoreArgs {
    const char *journey, *log, *out;
    FitSettings fit;
    RunSettings run;            /* --seed, --threads, -q */
    double futures;
    ColorMode color;
} ScoreArgs;

enum { OPT_FUTURES = FIT_OPT_LAST, OPT_COLOR };

static int take_option(void *ctx, int opt, const char *arg, const char *given)
{
    ScoreArgs *a = ctx;
    int shared = fit_settings_take(&a->fit, opt, arg);
    if (shared != 1) return shared;
    if (opt == RUN_OPT_SEED || opt == RUN_OPT_THREADS || opt == 'q') return run_settings_take(&a->run, "score", opt, arg);
    switch (opt) {
    case OPT_FUTURES: {
        char *end;
        errno = 0;
        double v = strtod(arg, &end);
        if (end == arg || *end || errno == ERANGE || v != floor(v) || v < 1 || v > 1e6)
            return cli_usage_error("score", "--futures must be a whole number from 1 to 10^6, not '%s'", arg);
        a->futures = v;
        break;
    }
    case 'o': a->out = arg; break;
    case OPT_COLOR:
        if (!cli_parse_color(arg, &a->color))
            return cli_usage_error("score", "--color must be auto, always or never, not '%s'", arg);
        break;
    case 'h': return cli_show_help("score");
    case ':': return cli_usage_error("score", "option '%s' needs a value", given);
    default: return cli_usage_error("score", "unknown option '%s'", given);
    }
    return -1;
}

static int parse_args(ScoreArgs *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        FIT_LOG_LONG_OPTIONS,
        FIT_MAP_LONG_OPTIONS,
        {"seed", required_argument, NULL, RUN_OPT_SEED},
        {"threads", required_argument, NULL, RUN_OPT_THREADS},
        {"quiet", no_argument, NULL, 'q'},
        {"futures", required_argument, NULL, OPT_FUTURES},
        {"output", required_argument, NULL, 'o'},
        {"color", optional_argument, NULL, OPT_COLOR},
        {"colour", optional_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    a->color = cli_global_color;
    int status = cli_parse_options(argc, argv, ":o:qh", longopts, OPT_COLOR, take_option, a);
    if (status >= 0) return status;
    int n = argc - optind;
    if (n < 2)
        return cli_usage_error("score", n == 0 ? "no journey and no log to score (cjm score JOURNEY LOG)"
                                               : "no log of customers to score (cjm score JOURNEY LOG)");
    if (n > 2) return cli_usage_error("score", "give one journey and one log, not %d files", n);
    a->journey = argv[optind];
    a->log = argv[optind + 1];
    if (strcmp(a->journey, "-") == 0 && strcmp(a->log, "-") == 0)
        return cli_usage_error("score", "the journey and the log cannot both be standard input");
    return -1;
}

/* ---- the cases, kept as the log leaves them ---- */

typedef struct Cases {
    FitCase *items;
    size_t n, cap;
    bool out_of_memory;
} Cases;

/* Keeps a case: its id points into the reader, so it is copied. */
static void keep_case(void *ctx, const FitCase *c)
{
    Cases *cs = ctx;
    if (cs->out_of_memory) return;
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? 2 * cs->cap : 1024;
        FitCase *grown = realloc(cs->items, cap * sizeof *grown);
        if (!grown) {
            cs->out_of_memory = true;
            return;
        }
        cs->items = grown;
        cs->cap = cap;
    }
    char *id = malloc(c->id.len + 1);
    if (!id) {
        cs->out_of_memory = true;
        return;
    }
    if (c->id.len) memcpy(id, c->id.s, c->id.len);
    id[c->id.len] = '\0';
    FitCase *k = &cs->items[cs->n++];
    *k = *c;
    k->id = (LogStr){id, c->id.len};
}

static void cases_free(Cases *cs)
{
    for (size_t i = 0; i < cs->n; i++) free((char *)cs->items[i].id.s);
    free(cs->items);
}

/* Reads the log's cases into *cs, and the log's end into *log_end. */
static int read_cases(const ScoreArgs *a, const Model *m, Cases *cs, double *log_end)
{
    LogReader *r = fit_open_log(&a->fit, a->log);
    if (!r) return EXIT_IO;
    FitCaseSink sink = {keep_case, cs};
    FitObserveOptions o = {
        .map = a->fit.map,
        .nmap = a->fit.nmap,
        .inactivity = a->fit.inactivity,
        .log_end = a->fit.log_end,
        .max_memory = a->fit.max_memory,
        .cases = &sink,
        .cancel = &cli_signal,
    };
    Progress bar;
    progress_start(&bar, "score", a->run.quiet, &o.progress, &o.progress_ctx);
    cli_signals_cancellable(1);
    char *error = NULL;
    FitObs *obs = fit_observe(m, r, &o, &error);
    cli_signals_cancellable(0);
    progress_end(&bar);
    int status = EXIT_OK;
    if (!obs && cli_signal) {
        fputs("cjm: interrupted: nothing written\n", stderr);
        status = cli_signal_status();
    } else if (!obs) {
        fit_print_error("score", log_name(r), error ? error : "cannot read the log");
        status = EXIT_IO;
    } else if (cs->out_of_memory) {
        fputs("cjm score: out of memory while keeping the log's cases\n", stderr);
        status = EXIT_IO;
    }
    if (obs) *log_end = obs->log_end;
    free(error);
    fit_obs_free(obs);
    log_close(r);
    return status;
}

static int score_checked(const ScoreArgs *a, const Model *m)
{
    if (m->nstages == 0 || m->start < 0) {
        fprintf(stderr, "cjm score: %s declares no stage: there is nothing to score\n", a->journey);
        return EXIT_JOURNEY;
    }
    if (!fit_settings_check_map(&a->fit, m)) return EXIT_USAGE;
    Cases cs = {0};
    double log_end = NAN;
    int status = read_cases(a, m, &cs, &log_end);
    if (status != EXIT_OK) {
        cases_free(&cs);
        return status;
    }
    RtModel *rm = rt_compile(m);
    SimOptions so;
    if (run_sim_options(&a->run, m, rm, -1, &so) >= 0) status = EXIT_USAGE;
    ScoreOptions o = {(uint64_t)a->futures, so.seed, so.threads, log_end}; /* futures 0: fit_score's default */
    Buf csv = BUF_INIT;
    char *error = NULL;
    if (status == EXIT_OK) {
        cli_signals_cancellable(1);
        int r = fit_score(m, rm, cs.items, cs.n, &o, &csv, &error);
        cli_signals_cancellable(0);
        if (r < 0 && cli_signal) {
            fputs("cjm: interrupted: nothing written\n", stderr);
            status = cli_signal_status();
        } else if (r < 0) {
            fprintf(stderr, "cjm score: %s\n", error ? error : "cannot score the customers");
            status = EXIT_JOURNEY;
        }
    }
    if (status == EXIT_OK) status = cli_write_output("score", a->out, buf_str(&csv), csv.len);
    free(error);
    buf_free(&csv);
    rt_model_free(rm);
    cases_free(&cs);
    return status;
}

int cmd_score(int argc, char **argv)
{
    ScoreArgs a;
    memset(&a, 0, sizeof a);
    fit_settings_init(&a.fit, "score");
    run_settings_init(&a.run, "score");
    int status = parse_args(&a, argc, argv);
    if (status < 0 && fit_output_is_log("score", a.out, a.log)) status = EXIT_USAGE;
    if (status >= 0) {
        fit_settings_free(&a.fit);
        return status;
    }
    Checked c;
    cli_load_and_check(&c, "score", a.journey, a.out, a.color, a.run.quiet);
    if (c.status == CHECKED_OK && c.model) status = score_checked(&a, c.model);
    else status = c.status == CHECKED_OK ? EXIT_JOURNEY : cli_checked_exit(&c);
    if (status == EXIT_JOURNEY && c.diag.errors) diag_print_summary(&c.diag);
    checked_free(&c);
    fit_settings_free(&a.fit);
    return status;
}
