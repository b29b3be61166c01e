/* common.c: what the sub-commands share (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

void cli_load_and_check(Checked *c, const char *path, ColorMode color, bool quiet_warnings)
{
    program_init(&c->prog, program_default_libdir());
    diag_init(&c->diag, &c->prog.sources, stderr, cli_use_color(color, stderr));
    c->diag.quiet_warnings = quiet_warnings;
    c->model = NULL;
    LoadStatus ls = program_load(&c->prog, path, &c->diag);
    if (ls == LOAD_UNREADABLE) {
        c->status = EXIT_IO;
        return;
    }
    /* Names are checked only in a program that parsed: after a syntax error they would mostly
     * repeat it ("unknown stage" for a stage whose declaration did not parse). */
    if (ls == LOAD_OK) {
        diag_defer(&c->diag);
        c->model = sema_check(&c->prog, &c->diag);
        diag_flush(&c->diag);
    }
    c->status = c->diag.errors ? EXIT_JOURNEY : EXIT_OK;
}

void cli_checked_free(Checked *c)
{
    model_free(c->model);
    program_free(&c->prog);
    c->model = NULL;
}
