/* cmd_compare.c: `cjm compare FILE`: the journey's scenarios (default: all, or --scenario NAME),
 * the removal effect of every touchpoint, channel or stage (--removal), or one parameter swept
 * over a range (--sweep), each against the journey as written (docs/compare.md). Owns option
 * parsing and validation (bad values exit 2) and the order of the steps; the work is
 * runtime/compare.c's and render/report_compare.c's. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "cli.h"
#include "progress_bar.h"
#include "run_settings.h"
#include "signals.h"
#include "sweep.h"

enum { MAX_SCENARIOS = 1000, REPORT_MAX_REMOVALS = 40 };

typedef struct CompareArgs {
    const char *file;
    RunSettings run;
    RenderFormat format;
    const char *out;
    ColorMode color;
    CmpMode mode;
    bool mode_given;
    const char *sweep;
    bool independent;
    const char **scenarios; /* --scenario, in the order given */
    int nscenarios;
} CompareArgs;

enum { OPT_FORMAT = RUN_OPT_LAST, OPT_COLOR, OPT_SCENARIO, OPT_REMOVAL, OPT_SWEEP, OPT_INDEPENDENT };

/* --removal, --sweep and --scenario choose what is compared: one kind at a time. */
static int set_mode(CompareArgs *a, CmpMode mode, const char *given)
{
    if (a->mode_given && a->mode != mode)
        return cli_usage_error("compare", "%s cannot go with another of --scenario, --removal and --sweep", given);
    a->mode = mode;
    a->mode_given = true;
    return -1;
}

bool compare_parse_removal(const char *arg, CmpMode *mode)
{
    static const struct { const char *name; CmpMode mode; } kinds[] = {
        {"touchpoints", CMP_REMOVE_TOUCHPOINTS}, {"channels", CMP_REMOVE_CHANNELS}, {"stages", CMP_REMOVE_STAGES},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(arg, kinds[i].name) == 0) {
            *mode = kinds[i].mode;
            return true;
        }
    }
    return false;
}

static int take_removal(CompareArgs *a, const char *arg)
{
    CmpMode mode;
    if (compare_parse_removal(arg, &mode)) return set_mode(a, mode, "--removal");
    return cli_usage_error("compare", "--removal must be touchpoints, channels or stages, not '%s'", arg);
}

/* Applies one option; returns -1 to go on, or an exit status. */
static int take_option(void *ctx, int opt, const char *arg, const char *given)
{
    CompareArgs *a = ctx;
    int shared = run_settings_take(&a->run, "compare", opt, arg);
    if (shared != 1) return shared;
    switch (opt) {
    case OPT_FORMAT:
        if (!render_parse_format(arg, &a->format))
            return cli_usage_error("compare", "--format must be table, json or csv, not '%s'", arg);
        return -1;
    case OPT_SCENARIO:
        if (a->nscenarios == MAX_SCENARIOS)
            return cli_usage_error("compare", "more than %d --scenario options", MAX_SCENARIOS);
        a->scenarios[a->nscenarios++] = arg;
        return set_mode(a, CMP_SCENARIOS, "--scenario");
    case OPT_REMOVAL: return take_removal(a, arg);
    case OPT_SWEEP:
        if (a->sweep) return cli_usage_error("compare", "give one --sweep");
        a->sweep = arg;
        return set_mode(a, CMP_SWEEP, "--sweep");
    case OPT_INDEPENDENT: a->independent = true; return -1;
    case 'o': a->out = arg; return -1;
    case OPT_COLOR:
        if (!cli_parse_color(arg, &a->color))
            return cli_usage_error("compare", "--color must be auto, always or never, not '%s'", arg);
        return -1;
    case 'h': return cli_show_help("compare");
    case ':': return cli_usage_error("compare", "option '%s' needs a value", given);
    default: return cli_usage_error("compare", "unknown option '%s'", given);
    }
}

static int parse_args(CompareArgs *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        RUN_SETTINGS_LONG_OPTIONS,
        {"format", required_argument, NULL, OPT_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"scenario", required_argument, NULL, OPT_SCENARIO},
        {"removal", required_argument, NULL, OPT_REMOVAL},
        {"sweep", required_argument, NULL, OPT_SWEEP},
        {"independent", no_argument, NULL, OPT_INDEPENDENT},
        {"color", optional_argument, NULL, OPT_COLOR},
        {"colour", optional_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    run_settings_init(&a->run, "compare");
    a->color = cli_global_color;
    a->scenarios = xcalloc(MAX_SCENARIOS, sizeof *a->scenarios);
    int status = cli_parse_options(argc, argv, ":o:qh", longopts, OPT_COLOR, take_option, a);
    if (status >= 0) return status;
    a->file = cli_one_journey("compare", "to compare", argc, argv);
    if (!a->file) return EXIT_USAGE;
    if (a->independent && a->run.exact) return cli_usage_error("compare", "--independent and --exact do not go together");
    return -1;
}

/* ---- the variants ---- */

/* The scenario named on the command line, or -1 after a usage error with a suggestion. */
static int find_scenario(const Checked *c, const char *name)
{
    const Model *m = c->model;
    const char **names = xcalloc((size_t)m->nscenarios + 1, sizeof *names);
    int found = -1;
    for (int k = 0; k < m->nscenarios; k++) {
        names[k] = m->scenarios[k]->name.s;
        if (strcmp(names[k], name) == 0) found = k;
    }
    if (found < 0) {
        const char *best = diag_closest(name, names, m->nscenarios);
        if (best) cli_usage_error("compare", "unknown scenario '%s'; did you mean '%s'?", name, best);
        else cli_usage_error("compare", "unknown scenario '%s'", name);
    }
    free(names);
    return found;
}

static void add_scenario(CmpSet *set, const Checked *c, int k)
{
    const Scenario *sc = c->model->scenarios[k];
    cmp_set_add(set, sc->name.s, sc->label.s, rt_compile(c->scenarios[k]), 0);
}

/* Fills the set; returns -1, or an exit status after an error. */
static int build_set(const CompareArgs *a, const Checked *c, CmpSet *set)
{
    const Model *m = c->model;
    switch (a->mode) {
    case CMP_SCENARIOS:
        if (a->nscenarios == 0 && m->nscenarios == 0) {
            fprintf(stderr, "cjm compare: %s has no scenario to compare: declare one with 'scenario NAME { ... }', "
                            "or use --removal or --sweep\n", a->file);
            return EXIT_JOURNEY;
        }
        for (int i = 0; i < a->nscenarios; i++) {
            int k = find_scenario(c, a->scenarios[i]);
            if (k < 0) return EXIT_USAGE;
            add_scenario(set, c, k);
        }
        for (int k = 0; a->nscenarios == 0 && k < m->nscenarios; k++) add_scenario(set, c, k);
        return -1;
    case CMP_SWEEP: {
        Buf err = BUF_INIT;
        SweepText sweep;
        bool ok = sweep_parse(&sweep, a->sweep, &err) && cmp_set_sweep(set, m, &sweep.sweep, &err);
        if (!ok) cli_usage_error("compare", "--sweep: %s", buf_str(&err));
        sweep_free(&sweep);
        buf_free(&err);
        return ok ? -1 : EXIT_USAGE;
    }
    default:
        cmp_set_removals(set, m, a->mode);
        if (set->n == 0) {
            const char *what = a->mode == CMP_REMOVE_TOUCHPOINTS ? "touchpoint"
                             : a->mode == CMP_REMOVE_CHANNELS    ? "channel"
                                                                 : "stage";
            fprintf(stderr, "cjm compare: %s has no %s to take out\n", a->file, what);
            return EXIT_JOURNEY;
        }
        return -1;
    }
}

/* ---- run-time warnings ---- */

/* "with scenario 'X' applied", "without stage 'X'", "with Ad.reach = 40%". */
static void describe_variant(Buf *b, const CmpSet *set, int i)
{
    const char *name = set->v[i].name;
    switch (set->mode) {
    case CMP_SCENARIOS: buf_printf(b, "with scenario '%s' applied", name); break;
    case CMP_REMOVE_TOUCHPOINTS: buf_printf(b, "without touchpoint '%s'", name); break;
    case CMP_REMOVE_CHANNELS: buf_printf(b, "without channel '%s'", name); break;
    case CMP_REMOVE_STAGES: buf_printf(b, "without stage '%s'", name); break;
    case CMP_SWEEP: buf_printf(b, "with %s = %s", set->sweep_what, name); break;
    }
}

static bool base_warns(const CmpResult *r, const CmpWarning *w)
{
    for (int i = 0; i < r->nwarnings && r->warnings[i].variant < 0; i++)
        if (r->warnings[i].kind == w->kind && r->warnings[i].loc.file == w->loc.file &&
            r->warnings[i].loc.off == w->loc.off)
            return true;
    return false;
}

/* The runs' warnings, as `cjm run` gives them: the journey's own (unless `with_base` is false:
 * cjm report has given them already), then each variant's that the journey does not give too
 * (taking out one of 40 touchpoints should not repeat the journey's warning 40 times). */
static void print_warnings(const CmpResult *r, Diag *d, bool with_base)
{
    for (int i = 0; i < r->nwarnings; i++) {
        const CmpWarning *w = &r->warnings[i];
        if (w->variant < 0) {
            if (with_base) diag_warning(d, w->loc, "%s", w->message);
            continue;
        }
        if (base_warns(r, w)) continue;
        Buf what = BUF_INIT;
        describe_variant(&what, r->set, w->variant);
        diag_warning(d, w->loc, "%s: %s", buf_str(&what), w->message);
        buf_free(&what);
    }
}

/* ---- the comparison ---- */

static int write_report(const CompareArgs *a, const CmpResult *r, const Model *m)
{
    Buf out = BUF_INIT;
    const char *shown = strcmp(a->file, "-") == 0 ? "<stdin>" : a->file;
    switch (a->format) {
    case FORMAT_TABLE: render_compare_table(r, m, shown, &out); break;
    case FORMAT_JSON: render_compare_json(r, m, shown, &out); break;
    case FORMAT_CSV: render_compare_csv(r, &out); break;
    }
    int status = cli_write_output("compare", a->out, buf_str(&out), out.len);
    buf_free(&out);
    return status;
}

static int compare_checked(const CompareArgs *a, Checked *c)
{
    const Model *m = c->model;
    if (m->nstages == 0 || m->start < 0) {
        fprintf(stderr, "cjm compare: %s declares no stage: there is nothing to compare\n", a->file);
        return EXIT_JOURNEY;
    }
    int persona = -1;
    if (a->run.persona && (persona = run_find_persona(m, "compare", a->run.persona)) < 0) return EXIT_USAGE;
    CmpSet set;
    cmp_set_init(&set, a->mode);
    int status = build_set(a, c, &set);
    if (status >= 0) {
        cmp_set_free(&set);
        return status;
    }
    CmpOptions o = {0};
    RtModel *base = rt_compile(m);
    if ((status = run_sim_options(&a->run, m, base, persona, &o.sim)) >= 0) {
        rt_model_free(base);
        cmp_set_free(&set);
        return status;
    }
    Progress bar; /* one for all the comparison's runs */
    progress_start(&bar, a->run.cmd, a->run.quiet, &o.sim.progress, &o.sim.progress_ctx);
    o.exact = a->run.exact;
    o.independent = a->independent;
    cli_signals_cancellable(1);
    CmpResult *r = cmp_run(base, &set, &o, &c->diag);
    cli_signals_cancellable(0);
    progress_end(&bar);
    if (r) {
        print_warnings(r, &c->diag, true);
        status = write_report(a, r, m);
    } else {
        if (cli_signal) fputs("cjm: interrupted: nothing written\n", stderr);
        status = run_failure_status();
    }
    cmp_result_free(r);
    rt_model_free(base);
    cmp_set_free(&set);
    return status;
}

/* ---- the sections of cjm report ---- */

/* Runs one set and appends its HTML section; false when interrupted. */
static bool append_section(Buf *html, const RtModel *base, const CmpSet *set, const CmpOptions *o, Diag *d,
                           Progress *bar)
{
    if (set->n == 0) return true;
    progress_restart(bar); /* each section draws its own bar, timed from its own start */
    CmpResult *r = cmp_run(base, set, o, d);
    progress_end(bar); /* before any warning */
    if (r) {
        print_warnings(r, d, false);
        render_compare_html(r, html);
    }
    cmp_result_free(r);
    return r != NULL;
}

/* Whether the exact analysis takes the model (its refusal is not printed). */
static bool exact_takes(const RtModel *rm)
{
    FILE *sink = fopen("/dev/null", "w");
    if (!sink) return false;
    Diag quiet;
    diag_init(&quiet, &rm->model->program->sources, sink, false);
    bool ok = exact_check(rm, &quiet);
    diag_free(&quiet);
    fclose(sink);
    return ok;
}

/* The removals of the report: none past REPORT_MAX_REMOVALS items, and no touchpoints exactly
 * unless an arrow reads met() (otherwise they change no probability there: their effects go
 * through mood). */
static void report_removals(CmpSet *set, const Model *m, bool exact)
{
    int items = set->mode == CMP_REMOVE_TOUCHPOINTS ? m->ntouchpoints
              : set->mode == CMP_REMOVE_CHANNELS    ? m->nchannels
                                                    : m->nstages;
    bool no_effect = exact && set->mode == CMP_REMOVE_TOUCHPOINTS && !exact_moves_by_meetings(m);
    if (items > REPORT_MAX_REMOVALS || no_effect) return;
    cmp_set_removals(set, m, set->mode);
}

int compare_report_sections(const RunSettings *run, Checked *c, int persona, const CompareSections *what, char **html)
{
    const Model *m = c->model;
    CmpOptions o = {0};
    RtModel *base = rt_compile(m);
    run_sim_options(run, m, base, persona, &o.sim); /* cjm report's run has checked them */
    Progress bar;
    progress_start(&bar, run->cmd, run->quiet, &o.sim.progress, &o.sim.progress_ctx);
    o.exact = run->exact;
    CmpSet scenarios, removals, sweep;
    cmp_set_init(&scenarios, CMP_SCENARIOS);
    cmp_set_init(&removals, what->removal ? what->removal_mode : CMP_REMOVE_TOUCHPOINTS);
    cmp_set_init(&sweep, CMP_SWEEP);
    int status = -1;
    if (what->sweep) {
        Buf err = BUF_INIT;
        SweepText text;
        if (!sweep_parse(&text, what->sweep, &err) || !cmp_set_sweep(&sweep, m, &text.sweep, &err))
            status = cli_usage_error("report", "--sweep: %s", buf_str(&err));
        sweep_free(&text);
        buf_free(&err);
    }
    for (int k = 0; k < m->nscenarios; k++) {
        add_scenario(&scenarios, c, k);
        if (o.exact && !exact_takes(scenarios.v[scenarios.n - 1].rm)) scenarios.n--; /* its model stays owned */
    }
    if (what->removal) report_removals(&removals, m, o.exact);
    Buf out = BUF_INIT;
    if (status < 0) {
        cli_signals_cancellable(1);
        bool ok = append_section(&out, base, &scenarios, &o, &c->diag, &bar) &&
                  append_section(&out, base, &removals, &o, &c->diag, &bar) &&
                  append_section(&out, base, &sweep, &o, &c->diag, &bar);
        cli_signals_cancellable(0);
        if (!ok && cli_signal) fputs("cjm: interrupted: nothing written\n", stderr);
        if (!ok) status = run_failure_status();
    }
    rt_model_free(base);
    cmp_set_free(&scenarios);
    cmp_set_free(&removals);
    cmp_set_free(&sweep);
    if (status < 0) *html = buf_take(&out); /* "" when there is nothing */
    else buf_free(&out);
    return status;
}

int cmd_compare(int argc, char **argv)
{
    CompareArgs a;
    memset(&a, 0, sizeof a);
    int status = parse_args(&a, argc, argv);
    if (status < 0) {
        Checked c;
        cli_load_and_check(&c, "compare", a.file, a.out, a.color, a.run.quiet);
        if (c.status == CHECKED_OK && c.model) status = compare_checked(&a, &c);
        else status = c.status == CHECKED_OK ? EXIT_JOURNEY : cli_checked_exit(&c);
        if (status == EXIT_JOURNEY && c.diag.errors) diag_print_summary(&c.diag);
        checked_free(&c);
    }
    free(a.scenarios);
    return status;
}
