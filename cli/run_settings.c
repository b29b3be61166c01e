/* run_settings.c: the options shared by the commands that run a journey (see run_settings.h):
 * their parsing and validation, and the run itself (simulation or exact analysis). */
#include "run_settings.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cjm.h"
#include "progress_bar.h"
#include "signals.h"

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

bool cli_parse_duration(const char *s, double *days)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v) || !(v > 0)) return false;
    while (*end == ' ') end++;
    double unit = unit_days(end);
    if (unit == 0 || !isfinite(v * unit) || !(v * unit > 0) || v * unit > MODEL_MAX_DAYS) return false;
    *days = v * unit;
    return true;
}

/* --window counts a conversion by when it happens: a distribution over time, which the exact
 * analysis (expected values of a Markov chain) does not have. */
static int window_with_exact(const char *cmd)
{
    return cli_usage_error(cmd, "--window cannot be used with --exact: the exact analysis computes expected values "
                                "and has no distribution over time to cut conversions at a window");
}

void run_settings_init(RunSettings *s, const char *cmd)
{
    memset(s, 0, sizeof *s);
    s->cmd = cmd;
    s->seed = -1;
    s->max_steps = SIM_DEFAULT_MAX_STEPS;
    s->removal_effect = strcmp(cmd, "run") == 0 || strcmp(cmd, "report") == 0;
}

int run_settings_take(RunSettings *a, const char *cmd, int opt, const char *arg)
{
    switch (opt) {
    case RUN_OPT_COHORT:
        if (!parse_whole(arg, 1, MODEL_MAX_COHORT, &a->cohort))
            return cli_usage_error(cmd, "--cohort must be a whole number of customers from 1 to 10^12, not '%s'", arg);
        return -1;
    case RUN_OPT_SEED:
        if (!parse_whole(arg, 0, 9007199254740991.0, &a->seed))
            return cli_usage_error(cmd, "--seed must be a whole number from 0 to 2^53 - 1 (9007199254740991), not '%s'", arg);
        return -1;
    case RUN_OPT_HORIZON:
        if (strcmp(arg, "none") == 0) {
            a->horizon_set = 2;
        } else if (cli_parse_duration(arg, &a->horizon)) {
            a->horizon_set = 1;
        } else {
            return cli_usage_error(cmd, "--horizon must be a positive duration such as '90 days', '12 weeks', "
                                        "'1 year' or '36 hours' (a bare number is days) up to 1000000 days, or 'none'; not '%s'", arg);
        }
        return -1;
    case RUN_OPT_THREADS: {
        double t;
        if (!parse_whole(arg, 1, SIM_MAX_THREADS, &t))
            return cli_usage_error(cmd, "--threads must be a whole number from 1 to %d, not '%s'", SIM_MAX_THREADS, arg);
        a->threads = (int)t;
        return -1;
    }
    case RUN_OPT_WINDOW:
        if (!cli_parse_duration(arg, &a->window))
            return cli_usage_error(cmd, "--window must be a positive duration such as '30 days', '6 weeks' or "
                                        "'1 year' (a bare number is days) up to 1000000 days; not '%s'", arg);
        if (a->exact) return window_with_exact(cmd);
        return -1;
    case RUN_OPT_EXACT:
        a->exact = true;
        if (a->window > 0) return window_with_exact(cmd);
        return -1;
    case RUN_OPT_PERSONA: a->persona = arg; return -1;
    case RUN_OPT_NO_REMOVAL_EFFECT: a->removal_effect = false; return -1;
    case RUN_OPT_MAX_STEPS:
        if (!parse_whole(arg, 1, 1e12, &a->max_steps))
            return cli_usage_error(cmd, "--max-steps must be a whole number from 1 to 10^12, not '%s'", arg);
        return -1;
    case 'q': a->quiet = true; return -1;
    default: return 1;
    }
}

int run_find_persona(const Model *m, const char *cmd, const char *name)
{
    for (int p = 0; p < m->npersonas; p++)
        if (strcmp(m->personas[p]->name.s, name) == 0) return p;
    const char **names = calloc((size_t)m->npersonas + 1, sizeof *names);
    if (names) {
        for (int p = 0; p < m->npersonas; p++) names[p] = m->personas[p]->name.s;
        const char *best = diag_closest(name, names, m->npersonas);
        Buf list = BUF_INIT;
        for (int p = 0; p < m->npersonas; p++) buf_printf(&list, "%s%s", p ? ", " : "", names[p]);
        if (best) cli_usage_error(cmd, "unknown persona '%s'; did you mean '%s'?", name, best);
        else cli_usage_error(cmd, "unknown persona '%s' (the personas are: %s)", name, buf_str(&list));
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

/* Set when run_compute() found a usage error against the journey: run_failure_status()'s answer. */
static int usage_failure;

/* The day the journey's last arrivals period ends. */
static double arrivals_end(const RtModel *rm)
{
    double end = 0;
    for (int i = 0; i < rm->narrivals; i++)
        if (rm->arrivals[i].start + rm->arrivals[i].length > end) end = rm->arrivals[i].start + rm->arrivals[i].length;
    return end;
}

int run_sim_options(const RunSettings *a, const Model *m, const RtModel *rm, int persona, SimOptions *so)
{
    memset(so, 0, sizeof *so);
    if (rm->narrivals > 0 && a->cohort > 0) {
        usage_failure = EXIT_USAGE;
        return cli_usage_error(a->cmd, "--cohort cannot be used with this journey: it declares arrivals, and its "
                                       "customers are the %llu who arrive",
                               (unsigned long long)rm->arrival_total);
    }
    /* As the language requires of the journey's horizon: people arriving after the projection's
     * end would make a first entry past it. */
    if (rm->narrivals > 0 && a->horizon_set == 1 && a->horizon < arrivals_end(rm)) {
        usage_failure = EXIT_USAGE;
        return cli_usage_error(a->cmd, "--horizon %g days ends before this journey's arrivals do (day %g): arrivals "
                                       "must end by the horizon",
                               a->horizon, arrivals_end(rm));
    }
    so->cohort = rm->narrivals > 0 ? rm->arrival_total : (uint64_t)(a->cohort > 0 ? a->cohort : m->cohort);
    so->seed = (uint64_t)(a->seed >= 0 ? a->seed : m->seed);
    so->has_horizon = a->horizon_set ? a->horizon_set == 1 : m->has_horizon;
    so->horizon = a->horizon_set == 1 ? a->horizon : m->horizon;
    so->threads = a->threads ? a->threads : default_threads();
    so->persona = persona;
    so->max_steps = (uint64_t)a->max_steps;
    so->window = a->window > 0 ? a->window : NAN;
    so->cancel = &cli_signal;
    return -1;
}

/* Whether some touchpoint has a channel: removal-effect attribution has something to remove. */
static bool uses_channels(const RtModel *rm)
{
    for (int k = 0; k < rm->ntouch; k++)
        if (rm->touch[k].channel >= 0) return true;
    return false;
}

/* Removal-effect attribution of r's conversions (attribution.h): the journey run again without each
 * channel, with the run's options and seed, under a progress bar of its own. False when
 * interrupted or after an error reported through c->diag. */
static bool attribute_removal(const RunSettings *a, Checked *c, const RtModel *rm, const SimOptions *so, RtResult *r)
{
    if (!uses_channels(rm)) return true;
    CmpOptions o = {.sim = *so, .exact = a->exact};
    Progress bar;
    progress_start(&bar, a->cmd, a->quiet, &o.sim.progress, &o.sim.progress_ctx);
    cli_signals_cancellable(1);
    bool ok = rt_attribute_removal(rm, &o, r, &c->diag);
    cli_signals_cancellable(0);
    progress_end(&bar);
    return ok;
}

RtResult *run_compute(const RunSettings *a, Checked *c, const RtModel *rm, int persona, int *threads)
{
    SimOptions so;
    if (run_sim_options(a, c->model, rm, persona, &so) >= 0) return NULL;
    if (a->exact) {
        *threads = 1;
        if (!exact_check(rm, &c->diag)) return NULL;
        ExactOptions eo = {(double)so.cohort, so.seed, so.has_horizon, so.horizon, persona};
        RtResult *r = exact_run(rm, &eo, &c->diag);
        if (r && a->removal_effect && !attribute_removal(a, c, rm, &so, r)) {
            rt_result_free(r);
            r = NULL;
        }
        return r;
    }
    *threads = so.threads;
    Progress bar;
    progress_start(&bar, a->cmd, a->quiet, &so.progress, &so.progress_ctx);
    cli_signals_cancellable(1);
    RtResult *r = sim_run(rm, &so);
    cli_signals_cancellable(0);
    progress_end(&bar);
    if (r && a->removal_effect && !attribute_removal(a, c, rm, &so, r)) {
        rt_result_free(r);
        r = NULL;
    }
    if (!r && cli_signal) fputs("cjm: interrupted: nothing written\n", stderr);
    return r;
}

void run_print_warnings(const RtResult *r, Diag *d)
{
    for (int i = 0; i < r->nwarnings; i++) diag_warning(d, r->warnings[i].loc, "%s", r->warnings[i].message);
}


int run_failure_status(void)
{
    return cli_signal ? cli_signal_status() : usage_failure ? usage_failure : EXIT_JOURNEY;
}
