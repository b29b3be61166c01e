/* cmd_check.c: `cjm check FILE...`: check journeys and report like a compiler. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static void print_summary(const Checked *c, const char *path)
{
    const Model *m = c->model;
    int tps = 0;
    for (int i = 0; i < m->ntouchpoints; i++) tps++;
    bool implicit = m->npersonas == 1 && m->personas[0]->name.loc.file == 0;
    printf("%s: ok: %d stage%s, %d persona%s, %d touchpoint%s, %d rule%s", strcmp(path, "-") ? path : "<stdin>",
           m->nstages, m->nstages == 1 ? "" : "s", implicit ? 0 : m->npersonas, m->npersonas == 1 && !implicit ? "" : "s",
           tps, tps == 1 ? "" : "s", m->nrules, m->nrules == 1 ? "" : "s");
    if (m->nscenarios) printf(", %d scenario%s", m->nscenarios, m->nscenarios == 1 ? "" : "s");
    if (c->diag.warnings) printf(", %d warning%s", c->diag.warnings, c->diag.warnings == 1 ? "" : "s");
    putchar('\n');
}

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"color", optional_argument, NULL, 'C'},
        {"colour", optional_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool quiet = false;
    ColorMode color = cli_global_color;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'q': quiet = true; break;
        case 'C':
            if (!cli_parse_color(optarg, &color))
                return cli_usage_error("check", "--color must be auto, always or never, not '%s'", optarg);
            break;
        case 'h': return cli_show_help("check");
        default:
            return cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error("check", "no file to check (give one or more .journey files, or - for standard input)");
    int status = EXIT_OK;
    for (int i = optind; i < argc; i++) {
        Checked c;
        cli_load_and_check(&c, "check", argv[i], NULL, color, quiet);
        if (c.status == EXIT_OK && !quiet) print_summary(&c, argv[i]);
        if (!quiet) diag_print_summary(&c.diag);
        /* The worst outcome wins: an unreadable file (3) over errors (1) over success. */
        if (c.status == EXIT_IO || (c.status == EXIT_JOURNEY && status == EXIT_OK)) status = c.status;
        cli_checked_free(&c);
    }
    fflush(stdout);
    if (ferror(stdout)) {
        fprintf(stderr, "cjm check: cannot write the results: output error\n");
        return EXIT_IO;
    }
    return status;
}
