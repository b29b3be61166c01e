/* cmd_check.c: `cjm check FILE...`: check journeys and report like a compiler, or give the
 * diagnostics as data (--format json|sarif) for editors and code scanning. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "cli.h"
#include "version.h"

typedef enum { CHECK_TEXT, CHECK_JSON, CHECK_SARIF } CheckFormat;

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

static bool parse_format(const char *arg, CheckFormat *f)
{
    if (strcmp(arg, "text") == 0) *f = CHECK_TEXT;
    else if (strcmp(arg, "json") == 0) *f = CHECK_JSON;
    else if (strcmp(arg, "sarif") == 0) *f = CHECK_SARIF;
    else return false;
    return true;
}

/* The worst outcome wins: an unreadable file (3) over errors (1) over success. */
static int worse(int status, int next)
{
    return next == EXIT_IO || (next == EXIT_JOURNEY && status == EXIT_OK) ? next : status;
}

/* Text: each file's diagnostics on stderr as it is checked, its summary on stdout. */
static int check_text(int nfiles, char **paths, ColorMode color, bool quiet)
{
    int status = EXIT_OK;
    for (int i = 0; i < nfiles; i++) {
        Checked c;
        cli_load_and_check(&c, "check", paths[i], NULL, color, quiet);
        if (c.status == CHECKED_OK && !quiet) print_summary(&c, paths[i]);
        if (!quiet) diag_print_summary(&c.diag);
        status = worse(status, cli_checked_exit(&c));
        checked_free(&c);
    }
    return status;
}

/* JSON or SARIF: every file checked first, then one document on stdout. */
static int check_data(int nfiles, char **paths, CheckFormat format, bool quiet)
{
    int status = EXIT_OK;
    Checked *c = xcalloc((size_t)nfiles, sizeof *c);
    DiagFile *files = xcalloc((size_t)nfiles, sizeof *files);
    for (int i = 0; i < nfiles; i++) {
        cli_load_and_check_to(&c[i], "check", paths[i], NULL, NULL, false, quiet);
        files[i] = (DiagFile){paths[i], &c[i].diag};
        status = worse(status, cli_checked_exit(&c[i]));
    }
    Buf out = BUF_INIT;
    if (format == CHECK_JSON) diag_write_json(&out, files, nfiles, !quiet);
    else diag_write_sarif(&out, files, nfiles, CJM_VERSION, !quiet);
    fwrite(buf_str(&out), 1, out.len, stdout);
    buf_free(&out);
    for (int i = 0; i < nfiles; i++) checked_free(&c[i]);
    free(files);
    free(c);
    return status;
}

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"format", required_argument, NULL, 'f'},
        {"color", optional_argument, NULL, 'C'},
        {"colour", optional_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool quiet = false;
    CheckFormat format = CHECK_TEXT;
    ColorMode color = cli_global_color;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'q': quiet = true; break;
        case 'f':
            if (!parse_format(optarg, &format))
                return cli_usage_error("check", "--format must be text, json or sarif, not '%s'", optarg);
            break;
        case 'C':
            if (!cli_parse_color(optarg, &color))
                return cli_usage_error("check", "--color must be auto, always or never, not '%s'", optarg);
            break;
        case 'h': return cli_show_help("check");
        case ':': return cli_usage_error("check", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error("check", "no file to check (give one or more .journey files, or - for standard input)");
    int nfiles = argc - optind;
    int status = format == CHECK_TEXT ? check_text(nfiles, argv + optind, color, quiet)
                                       : check_data(nfiles, argv + optind, format, quiet);
    fflush(stdout);
    if (ferror(stdout)) {
        fprintf(stderr, "cjm check: cannot write the results: output error\n");
        return EXIT_IO;
    }
    return status;
}
