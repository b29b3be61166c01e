/* fit_options.h: what `cjm fit`, `cjm discover` and `cjm score` share: the options that say how
 * an event log is read (--case, --event, --time, --channel, --revenue, --cost, --segment,
 * --score, --time-format), how its events become a journey's (--map, --inactivity, --log-end,
 * --max-memory), opening the log with the reader's own messages, and the checks that an output
 * file is not the log. */
#ifndef CJM_CLI_FIT_OPTIONS_H
#define CJM_CLI_FIT_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "cjm.h"
#include "cli.h"

typedef struct FitSettings {
    const char *cmd;            /* "fit", for messages */
    LogOptions log;
    FitMapRule *map;            /* --map, in the order given */
    int nmap;
    double inactivity;          /* days; < 0: the journey's */
    double log_end;             /* NaN: the log's last event */
    uint64_t max_memory;        /* 0: the default */
} FitSettings;

/* getopt_long codes of the shared options (after run_settings.h's). */
enum { FIT_OPT_CASE = 400, FIT_OPT_EVENT, FIT_OPT_TIME, FIT_OPT_CHANNEL, FIT_OPT_REVENUE, FIT_OPT_COST,
       FIT_OPT_SEGMENT, FIT_OPT_SCORE, FIT_OPT_TIME_FORMAT, FIT_OPT_MAP, FIT_OPT_INACTIVITY, FIT_OPT_LOG_END,
       FIT_OPT_MAX_MEMORY, FIT_OPT_LAST };

/* The reading options (columns, --time-format). */
#define FIT_LOG_LONG_OPTIONS                                                                          \
    {"case", required_argument, NULL, FIT_OPT_CASE}, {"event", required_argument, NULL, FIT_OPT_EVENT},   \
        {"time", required_argument, NULL, FIT_OPT_TIME}, {"channel", required_argument, NULL, FIT_OPT_CHANNEL}, \
        {"revenue", required_argument, NULL, FIT_OPT_REVENUE}, {"cost", required_argument, NULL, FIT_OPT_COST}, \
        {"segment", required_argument, NULL, FIT_OPT_SEGMENT}, {"score", required_argument, NULL, FIT_OPT_SCORE}, \
        {"time-format", required_argument, NULL, FIT_OPT_TIME_FORMAT}
/* The mapping options (--map, --inactivity, --log-end, --max-memory). */
#define FIT_MAP_LONG_OPTIONS                                                                          \
    {"map", required_argument, NULL, FIT_OPT_MAP}, {"inactivity", required_argument, NULL, FIT_OPT_INACTIVITY}, \
        {"log-end", required_argument, NULL, FIT_OPT_LOG_END},                                      \
        {"max-memory", required_argument, NULL, FIT_OPT_MAX_MEMORY}

void fit_settings_init(FitSettings *s, const char *cmd);
void fit_settings_free(FitSettings *s);
/* Takes one of the shared options: -1 when taken, 1 when `opt` is none of them, or an exit status
 * (2) after reporting a bad value. */
int fit_settings_take(FitSettings *s, int opt, const char *arg);

/* Each --map rule's target against the journey: a stage or touchpoint (name or label), `churn`,
 * `churn:REASON` (a churn arrow's reason) or `ignore`, compared as event names are (case, ' ',
 * '_', '-' and '.' ignored). False after reporting the first that names nothing (bad usage). */
bool fit_settings_check_map(const FitSettings *s, const Model *m);


/* Refuses (bad usage) an output file that is the log itself, however spelled. */
bool fit_output_is_log(const char *cmd, const char *out, const char *log);

/* Opens the log; NULL after printing the reader's message (the caller exits with EXIT_IO). */
LogReader *fit_open_log(const FitSettings *s, const char *path);

/* Prints an error of the data or fit layers: as it is when it starts with the file's name (the
 * reader's "FILE:LINE: ..."), else after "cjm CMD: ". */
void fit_print_error(const char *cmd, const char *file, const char *message);

#endif
