/* cmd_graph.c: `cjm graph FILE`: draw the flow graph or the journey map with Graphviz, with the
 * figures of a run (the same options and numbers as `cjm run`) or the declared structure only. */
#include <getopt.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "cli.h"
#include "run_settings.h"

typedef struct GraphArgs {
    const char *file;
    const char *out;
    const char *format;
    GraphOptions opt;
    bool is_static;
    ColorMode color;
    RunSettings run;
} GraphArgs;

static const char *const FORMATS[] = {"svg", "png", "pdf", "dot", NULL};

static bool known_format(const char *f)
{
    for (int i = 0; FORMATS[i]; i++)
        if (strcmp(FORMATS[i], f) == 0) return true;
    return false;
}

/* -T, else the extension of -o, else svg. */
static const char *choose_format(const char *format, const char *out)
{
    if (format) return format;
    const char *dot = out ? strrchr(out, '.') : NULL;
    if (dot && known_format(dot + 1)) return dot + 1;
    if (dot && strcmp(dot + 1, "gv") == 0) return "dot";
    return "svg";
}

static int parse_args(int argc, char **argv, GraphArgs *a)
{
    static const struct option longopts[] = {
        {"view", required_argument, NULL, 'v'},   {"static", no_argument, NULL, 's'},
        {"churn", required_argument, NULL, 'c'},
        {"format", required_argument, NULL, 'T'}, {"output", required_argument, NULL, 'o'},
        {"color", optional_argument, NULL, 'C'},  {"help", no_argument, NULL, 'h'},
        RUN_SETTINGS_LONG_OPTIONS,                 {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":T:o:qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'v':
            if (strcmp(optarg, "flow") == 0) a->opt.view = GRAPH_FLOW;
            else if (strcmp(optarg, "map") == 0) a->opt.view = GRAPH_MAP;
            else return cli_usage_error("graph", "--view must be flow or map, not '%s'", optarg);
            break;
        case 's': a->is_static = true; break;
        case 'c':
            if (strcmp(optarg, "merged") == 0) a->opt.merged_churn = true;
            else if (strcmp(optarg, "stubs") == 0) a->opt.merged_churn = false;
            else return cli_usage_error("graph", "--churn must be stubs or merged, not '%s'", optarg);
            break;
        case 'T':
            if (!known_format(optarg)) return cli_usage_error("graph", "-T must be svg, png, pdf or dot, not '%s'", optarg);
            a->format = optarg;
            break;
        case 'o': a->out = optarg; break;
        case 'C':
            if (!cli_parse_color(optarg, &a->color))
                return cli_usage_error("graph", "--color must be auto, always or never, not '%s'", optarg);
            break;
        case 'h': return cli_show_help("graph") == EXIT_OK ? -1 : EXIT_USAGE;
        case '?': return cli_usage_error("graph", "unknown option '%s'", argv[optind - 1]);
        case ':': return cli_usage_error("graph", "option '%s' needs a value", argv[optind - 1]);
        default: {
            int shared = run_settings_take(&a->run, "graph", opt, optarg);
            if (shared != -1) return shared == 1 ? cli_usage_error("graph", "unknown option '%s'", argv[optind - 1]) : shared;
        }
        }
    }
    if (optind >= argc) return cli_usage_error("graph", "no journey file given");
    if (optind + 1 < argc) return cli_usage_error("graph", "one journey file at a time ('%s' is one too many)", argv[optind + 1]);
    a->file = argv[optind];
    a->format = choose_format(a->format, a->out);
    return EXIT_OK;
}

static int draw(const GraphArgs *a, const Model *m, const RtResult *fig)
{
    char *data = NULL, *error = NULL;
    size_t len = 0;
    if (!graph_render(m, fig, &a->opt, a->format, &data, &len, &error)) {
        fprintf(stderr, "cjm graph: %s\n", error);
        free(error);
        return EXIT_IO;
    }
    bool binary = strcmp(a->format, "png") == 0 || strcmp(a->format, "pdf") == 0;
    int status = EXIT_OK;
    if (!a->out && binary && isatty(fileno(stdout))) {
        fprintf(stderr, "cjm graph: not writing %s to a terminal; use -o FILE or redirect the output\n", a->format);
        status = EXIT_USAGE;
    } else {
        status = cli_write_output("graph", a->out, data, len);
    }
    free(data);
    return status;
}

/* The same run as `cjm run` with the same options, so the picture shows the report's numbers. */
static int draw_run(const GraphArgs *a, Checked *c)
{
    RtModel *rm = rt_compile(c->model);
    int threads;
    RtResult *r = run_compute(&a->run, c, rm, a->opt.persona, &threads);
    int status = run_failure_status();
    if (r) {
        run_print_warnings(r, &c->diag);
        status = draw(a, c->model, r);
    }
    rt_result_free(r);
    rt_model_free(rm);
    return status;
}

int cmd_graph(int argc, char **argv)
{
    GraphArgs a;
    memset(&a, 0, sizeof a);
    a.opt.persona = -1;
    a.color = cli_global_color;
    run_settings_init(&a.run, "graph");
    int r = parse_args(argc, argv, &a);
    if (r != EXIT_OK) return r < 0 ? EXIT_OK : r;
    Checked c;
    cli_load_and_check(&c, "graph", a.file, a.out, a.color, a.run.quiet);
    if (c.status != CHECKED_OK || !c.model) {
        int status = c.status == CHECKED_OK ? EXIT_JOURNEY : cli_checked_exit(&c);
        checked_free(&c);
        return status;
    }
    const Model *m = c.model;
    if (m->nstages == 0) {
        fprintf(stderr, "cjm graph: %s has no stages to draw\n", a.file);
        checked_free(&c);
        return EXIT_JOURNEY;
    }
    if (a.run.persona && (a.opt.persona = run_find_persona(m, "graph", a.run.persona)) < 0) {
        checked_free(&c);
        return EXIT_USAGE;
    }
    int status;
    if (a.is_static) {
        status = draw(&a, m, NULL);
    } else {
        status = draw_run(&a, &c);
    }
    checked_free(&c);
    return status;
}
