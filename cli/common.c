/* common.c: what the sub-commands share (see cli.h). */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "paths.h"

ColorMode cli_global_color = COLOR_AUTO;

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "cjm%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fprintf(stderr, "Try 'cjm help%s%s' for more information.\n", cmd ? " " : "", cmd ? cmd : "");
    return EXIT_USAGE;
}

int cli_parse_options(int argc, char **argv, const char *shortopts, const struct option *longopts, int color_opt,
                      CliTakeOption take, void *ctx)
{
    optind = 1;
    opterr = 0;
    int opt;
    char short_opt[3] = "-?";
    while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const char *given = argv[optind - 1];
        if ((opt == '?' || opt == ':') && optopt > 0 && optopt < 256) {
            short_opt[1] = (char)optopt;
            given = short_opt;
        }
        int status = take(ctx, opt, optarg ? optarg : (opt == color_opt ? "always" : NULL), given);
        if (status >= 0) return status;
    }
    return -1;
}

const char *cli_one_journey(const char *cmd, const char *purpose, int argc, char **argv)
{
    if (optind >= argc) {
        cli_usage_error(cmd, "no journey file %s (give one .journey file, or - for standard input)", purpose);
        return NULL;
    }
    if (optind + 1 < argc) {
        cli_usage_error(cmd, "give one journey file, not %d", argc - optind);
        return NULL;
    }
    return argv[optind];
}

bool cli_parse_color(const char *arg, ColorMode *mode)
{
    if (!arg || strcmp(arg, "auto") == 0) *mode = COLOR_AUTO;
    else if (strcmp(arg, "always") == 0) *mode = COLOR_ALWAYS;
    else if (strcmp(arg, "never") == 0) *mode = COLOR_NEVER;
    else return false;
    return true;
}

/* auto: colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
bool cli_use_color(ColorMode mode, FILE *stream)
{
    if (mode == COLOR_ALWAYS) return true;
    if (mode == COLOR_NEVER) return false;
    const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
    if (no && *no) return false;
    if (term && strcmp(term, "dumb") == 0) return false;
    return isatty(fileno(stream));
}

int cli_write_output(const char *cmd, const char *path, const char *data, size_t len)
{
    const char *what = NULL;
    int err = output_write(path, data, len, &what);
    if (!err) return EXIT_OK;
    output_report_error(cmd, path, err, what);
    return EXIT_IO;
}

/* Whether `path` ("-": standard input) is the file `out` is the status of: the same device and
 * inode, whatever the spelling (./, .., an absolute path, a symbolic or a hard link). */
static bool is_same_file(const char *path, const struct stat *out)
{
    struct stat st;
    int r = strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(path, &st);
    return r == 0 && st.st_dev == out->st_dev && st.st_ino == out->st_ino;
}

/* The first import, in the order the modules were loaded, that loaded file `id`. */
static const Import *import_of_file(const Program *p, uint32_t id)
{
    for (int k = 0; k < p->nmodules; k++)
        for (const Import *im = p->modules[k]->imports; im; im = im->next)
            if (im->module && im->module->file == id) return im;
    return NULL;
}

/* Refuses (bad usage, before anything is run or written) an output file that is one of the files
 * the program was read from: writing it would replace a journey, or a module it imports (of the
 * standard library too), with a report. Only a regular file can be one: /dev/stdout is not
 * refused when standard input is the same terminal. */
static bool refuse_output_over_input(const char *cmd, const Program *p, const char *out)
{
    struct stat so;
    if (!out || strcmp(out, "-") == 0 || stat(out, &so) != 0 || !S_ISREG(so.st_mode)) return false;
    for (uint32_t id = 1; id <= p->sources.n; id++) {
        const SourceFile *f = source_get(&p->sources, id);
        if (!is_same_file(f->path, &so)) continue;
        const Import *im = p->main && id == p->main->file ? NULL : import_of_file(p, id);
        if (im) {
            const SourceFile *by = source_get(&p->sources, im->path.loc.file);
            uint32_t line, col;
            source_line_col(by, im->path.loc.off, &line, &col);
            cli_usage_error(cmd, "-o %s is the module \"%s\" imported by %s:%u; choose another output file", out,
                            im->path.s, by->name, line);
        } else {
            cli_usage_error(cmd, "-o %s is the journey being read (%s); choose another output file", out,
                            strcmp(f->path, "-") == 0 ? "standard input" : f->name);
        }
        return true;
    }
    return false;
}

void cli_load_and_check(Checked *c, const char *cmd, const char *path, const char *out, ColorMode color,
                        bool quiet_warnings)
{
    cli_load_and_check_to(c, cmd, path, out, stderr, cli_use_color(color, stderr), quiet_warnings);
}

/* The command and its output file, for the check between loading and checking. */
typedef struct Refusal {
    const char *cmd, *out;
} Refusal;

static bool may_check(const Program *p, void *ctx)
{
    const Refusal *r = ctx;
    return !refuse_output_over_input(r->cmd, p, r->out);
}

void cli_load_and_check_to(Checked *c, const char *cmd, const char *path, const char *out, FILE *diag_out,
                           bool color, bool quiet_warnings)
{
    Refusal refusal = {cmd, out};
    CheckInput in = {
        .path = path,
        .stdlib_dir = cli_stdlib_dir(),
        .import_path = cli_import_path(),
        .diag_out = diag_out,
        .color = color,
        .quiet_warnings = quiet_warnings,
        .loaded = may_check,
        .ctx = &refusal,
    };
    checked_load(c, &in);
}

int cli_checked_exit(const Checked *c)
{
    switch (c->status) {
    case CHECKED_OK: return EXIT_OK;
    case CHECKED_ERRORS: return EXIT_JOURNEY;
    case CHECKED_STOPPED: return EXIT_USAGE;
    case CHECKED_UNREADABLE:
    case CHECKED_OUT_OF_MEMORY: break;
    }
    return EXIT_IO;
}
