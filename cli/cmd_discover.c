/* cmd_discover.c: `cjm discover LOG --goal EVENT`: a first journey drawn from an event log (or a
 * path table of channels), for a team that has data and no map yet (fit/discover.h). Writes the
 * journey's text to -o FILE (atomically) or standard output; `cjm check` accepts it as it is. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "cli.h"
#include "fit_options.h"

typedef struct DiscoverArgs {
    const char *log, *out;
    FitSettings fit;
    DiscoverOptions o;
    bool quiet;
} DiscoverArgs;

enum { OPT_GOAL = FIT_OPT_LAST, OPT_MIN_SHARE, OPT_MAX_STAGES, OPT_TITLE };

/* "5%", "0.05": a share from 0 to 1. */
static bool parse_share(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(x)) return false;
    if (*end == '%') {
        x /= 100;
        end++;
    }
    if (*end || x < 0 || x >= 1) return false;
    *v = x;
    return true;
}

static int take_option(void *ctx, int opt, const char *arg, const char *given)
{
    DiscoverArgs *a = ctx;
    if (opt == FIT_OPT_INACTIVITY) {
        if (strcmp(arg, "none") == 0) a->o.inactivity = 0;
        else if (!cli_parse_duration(arg, &a->o.inactivity))
            return cli_usage_error("discover", "--inactivity must be a positive duration such as '30 days' or "
                                               "'8 weeks' (a bare number is days), or 'none'; not '%s'", arg);
        return -1;
    }
    int shared = fit_settings_take(&a->fit, opt, arg);
    if (shared != 1) return shared;
    switch (opt) {
    case OPT_GOAL:
        if (!*arg) return cli_usage_error("discover", "--goal needs the name of an event");
        a->o.goal = arg;
        break;
    case OPT_MIN_SHARE:
        if (!parse_share(arg, &a->o.min_share))
            return cli_usage_error("discover", "--min-share must be a share from 0 to 1 (or 0%% to 100%%), such as "
                                               "0.05 or 5%%; not '%s'", arg);
        break;
    case OPT_MAX_STAGES: {
        char *end;
        errno = 0;
        long n = strtol(arg, &end, 10);
        if (end == arg || *end || errno == ERANGE || n < 2 || n > 1000)
            return cli_usage_error("discover", "--max-stages must be a whole number from 2 to 1000, not '%s'", arg);
        a->o.max_stages = (int)n;
        break;
    }
    case OPT_TITLE: a->o.title = arg; break;
    case 'o': a->out = arg; break;
    case 'q': a->quiet = true; break;
    case 'h': return cli_show_help("discover");
    case ':': return cli_usage_error("discover", "option '%s' needs a value", given);
    default: return cli_usage_error("discover", "unknown option '%s'", given);
    }
    return -1;
}

static int parse_args(DiscoverArgs *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        FIT_LOG_LONG_OPTIONS,
        {"inactivity", required_argument, NULL, FIT_OPT_INACTIVITY},
        {"goal", required_argument, NULL, OPT_GOAL},
        {"min-share", required_argument, NULL, OPT_MIN_SHARE},
        {"max-stages", required_argument, NULL, OPT_MAX_STAGES},
        {"title", required_argument, NULL, OPT_TITLE},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int status = cli_parse_options(argc, argv, ":o:qh", longopts, -1, take_option, a);
    if (status >= 0) return status;
    int n = argc - optind;
    if (n != 1)
        return cli_usage_error("discover", n == 0 ? "no log to discover a journey in (cjm discover LOG --goal EVENT)"
                                                  : "give one log, not %d files", n);
    a->log = argv[optind];
    return -1;
}

int cmd_discover(int argc, char **argv)
{
    DiscoverArgs a;
    memset(&a, 0, sizeof a);
    fit_settings_init(&a.fit, "discover");
    int status = parse_args(&a, argc, argv);
    if (status < 0 && fit_output_is_log("discover", a.out, a.log)) status = EXIT_USAGE;
    if (status >= 0) {
        fit_settings_free(&a.fit);
        return status;
    }
    LogReader *r = fit_open_log(&a.fit, a.log);
    if (!r) {
        fit_settings_free(&a.fit);
        return EXIT_IO;
    }
    /* A path table's goal is its conversions; an event log's is the event --goal names. */
    if (!a.o.goal && log_format(r) != LOG_PATHS) {
        status = cli_usage_error("discover", "--goal EVENT is needed for an event log: the event that means a "
                                             "customer converted");
        log_close(r);
        fit_settings_free(&a.fit);
        return status;
    }
    char *error = NULL;
    char *text = fit_discover(r, &a.o, &error);
    if (text) {
        status = cli_write_output("discover", a.out, text, strlen(text));
    } else {
        fit_print_error("discover", log_name(r), error ? error : "cannot discover a journey");
        status = EXIT_IO;
    }
    free(text);
    free(error);
    log_close(r);
    fit_settings_free(&a.fit);
    return status;
}
