/* fit_options.c: the options `cjm fit`, `cjm discover` and `cjm score` share (see fit_options.h):
 * their parsing and validation (bad values are bad usage, exit 2, before any file is read), and
 * opening a log with the reader's messages. */
#include "fit_options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void fit_settings_init(FitSettings *s, const char *cmd)
{
    memset(s, 0, sizeof *s);
    s->cmd = cmd;
    s->inactivity = -1;
    s->log_end = NAN;
}

void fit_settings_free(FitSettings *s)
{
    for (int i = 0; i < s->nmap; i++) free((char *)s->map[i].event);
    free(s->map);
    s->map = NULL;
    s->nmap = 0;
}

/* "1G", "512M", "2GiB", "100000" (bytes): a size from 1 MiB to 1 PiB. */
static bool parse_size(const char *s, uint64_t *bytes)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v) || !(v > 0)) return false;
    double unit = 1;
    switch (toupper((unsigned char)*end)) {
    case 'K': unit = 1024.0; end++; break;
    case 'M': unit = 1024.0 * 1024; end++; break;
    case 'G': unit = 1024.0 * 1024 * 1024; end++; break;
    case 'T': unit = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (unit > 1 && (*end == 'i' || *end == 'I')) end++;
    if (*end == 'B' || *end == 'b') end++;
    double b = v * unit;
    if (*end || b < 1024.0 * 1024 || b > 1125899906842624.0) return false;
    *bytes = (uint64_t)b;
    return true;
}

static int take_map(FitSettings *s, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return cli_usage_error(s->cmd, "--map must be EVENT=TARGET (a stage, a touchpoint, churn, churn:REASON or "
                                       "ignore), not '%s'", arg);
    FitMapRule *grown = realloc(s->map, (size_t)(s->nmap + 1) * sizeof *grown);
    if (!grown) {
        fprintf(stderr, "cjm %s: out of memory\n", s->cmd);
        return EXIT_IO;
    }
    s->map = grown;
    /* The target points into argv; the event's name is a copy cut at the '=' (freed by
     * fit_settings_free). */
    size_t n = (size_t)(eq - arg);
    char *event = malloc(n + 1);
    if (!event) {
        fprintf(stderr, "cjm %s: out of memory\n", s->cmd);
        return EXIT_IO;
    }
    memcpy(event, arg, n);
    event[n] = '\0';
    s->map[s->nmap++] = (FitMapRule){event, eq + 1};
    return -1;
}

int fit_settings_take(FitSettings *s, int opt, const char *arg)
{
    LogColumns *c = &s->log.columns;
    switch (opt) {
    case FIT_OPT_CASE: c->case_id = arg; return -1;
    case FIT_OPT_EVENT: c->event = arg; return -1;
    case FIT_OPT_TIME: c->time = arg; return -1;
    case FIT_OPT_CHANNEL: c->channel = arg; return -1;
    case FIT_OPT_REVENUE: c->revenue = arg; return -1;
    case FIT_OPT_COST: c->cost = arg; return -1;
    case FIT_OPT_SEGMENT: c->segment = arg; return -1;
    case FIT_OPT_SCORE: c->score = arg; return -1;
    case FIT_OPT_TIME_FORMAT:
        if (strcmp(arg, "iso") == 0) s->log.time_format = LOG_TIME_ISO;
        else if (strcmp(arg, "s") == 0) s->log.time_format = LOG_TIME_EPOCH_S;
        else if (strcmp(arg, "ms") == 0) s->log.time_format = LOG_TIME_EPOCH_MS;
        else if (strcmp(arg, "auto") == 0) s->log.time_format = LOG_TIME_AUTO;
        else return cli_usage_error(s->cmd, "--time-format must be iso, s, ms or auto, not '%s'", arg);
        return -1;
    case FIT_OPT_MAP: return take_map(s, arg);
    case FIT_OPT_INACTIVITY:
        if (strcmp(arg, "none") == 0) s->inactivity = 0;
        else if (!cli_parse_duration(arg, &s->inactivity))
            return cli_usage_error(s->cmd, "--inactivity must be a positive duration such as '30 days', '8 weeks' or "
                                           "'36 hours' (a bare number is days), or 'none'; not '%s'", arg);
        return -1;
    case FIT_OPT_LOG_END:
        if (!log_parse_time(arg, strlen(arg), LOG_TIME_AUTO, &s->log_end))
            return cli_usage_error(s->cmd, "--log-end must be a time: ISO 8601 (2024-06-30, 2024-06-30T18:00:00Z) or "
                                           "epoch seconds or milliseconds; not '%s'", arg);
        return -1;
    case FIT_OPT_MAX_MEMORY:
        if (!parse_size(arg, &s->max_memory))
            return cli_usage_error(s->cmd, "--max-memory must be a size from 1M to 1024T such as '512M' or '4G', "
                                           "not '%s'", arg);
        return -1;
    default: return 1;
    }
}

/* ---- --map's targets ---- */

/* Whether a and b are equal as event names (lang/names.h). */
static bool same_name(const char *a, const char *b)
{
    return a && b && name_equal(a, strlen(a), b, strlen(b));
}

static bool names_stage_or_touchpoint(const Model *m, const char *t)
{
    for (int s = 0; s < m->nstages; s++)
        if (same_name(m->stages[s]->name.s, t) || same_name(m->stages[s]->label.s, t)) return true;
    for (int k = 0; k < m->ntouchpoints; k++)
        if (same_name(m->touchpoints[k]->name.s, t) || same_name(m->touchpoints[k]->label.s, t)) return true;
    return false;
}

static bool names_churn_reason(const Model *m, const char *reason)
{
    for (int s = 0; s < m->nstages; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next)
            if (a->to_churn && same_name(a->reason.s, reason)) return true;
    return false;
}

bool fit_settings_check_map(const FitSettings *s, const Model *m)
{
    for (int i = 0; i < s->nmap; i++) {
        const char *t = s->map[i].target;
        if (same_name(t, "ignore") || same_name(t, "churn") || names_stage_or_touchpoint(m, t)) continue;
        if (strncasecmp(t, "churn:", 6) == 0) {
            if (names_churn_reason(m, t + 6)) continue;
            cli_usage_error(s->cmd, "--map %s=%s: no churn arrow of the journey has the reason \"%s\"",
                            s->map[i].event, t, t + 6);
            return false;
        }
        cli_usage_error(s->cmd, "--map %s=%s: '%s' is no stage or touchpoint of the journey (nor churn, "
                                "churn:REASON or ignore)", s->map[i].event, t, t);
        return false;
    }
    return true;
}

/* ---- files ---- */

bool fit_output_is_log(const char *cmd, const char *out, const char *log)
{
    struct stat so, sl;
    if (!out || strcmp(out, "-") == 0 || !log || strcmp(log, "-") == 0) return false;
    if (stat(out, &so) != 0 || stat(log, &sl) != 0 || !S_ISREG(so.st_mode)) return false;
    if (so.st_dev != sl.st_dev || so.st_ino != sl.st_ino) return false;
    cli_usage_error(cmd, "-o %s is the log being read (%s); choose another output file", out, log);
    return true;
}

void fit_print_error(const char *cmd, const char *file, const char *message)
{
    size_t n = file ? strlen(file) : 0;
    if (n && strncmp(message, file, n) == 0 && message[n] == ':') fprintf(stderr, "%s\n", message);
    else fprintf(stderr, "cjm %s: %s\n", cmd, message);
}

LogReader *fit_open_log(const FitSettings *s, const char *path)
{
    char *error = NULL;
    LogReader *r = log_open(path, &s->log, &error);
    if (!r) {
        fit_print_error(s->cmd, strcmp(path, "-") == 0 ? "<stdin>" : path, error ? error : "cannot read the log");
        free(error);
    }
    return r;
}
