/* cli.h: what the sub-commands of the `cjm` program share: exit codes, option conventions,
 * colour, and loading + checking a journey file.
 *
 * Exit codes (docs/cli.md): 0 success (warnings allowed), 1 errors in a journey, 2 bad usage,
 * 3 input/output or runtime failure. Diagnostics and errors go to stderr, results to stdout. */
#ifndef CJM_CLI_H
#define CJM_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cjm.h"

enum { EXIT_OK = 0, EXIT_JOURNEY = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

typedef enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } ColorMode;

typedef struct Command {
    const char *name;
    const char *summary;   /* one line for `cjm --help` */
    const char *usage;     /* the whole text of `cjm help NAME` */
    int (*run)(int argc, char **argv);
} Command;

extern const Command cli_commands[];

/* "cjm check: message" + "Try 'cjm help check' for more information." on stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The loop every run-like command uses to read its options: getopt_long over argv (options may
 * follow the file), each option handed to take(ctx, opt, arg, given), where `given` is the option
 * as the user wrote it (for messages) and an optional argument left out of `color_opt` reads as
 * "always". Returns -1 once every option was taken (optind is at the first operand), else the
 * exit status take() returned. */
struct option;
typedef int (*CliTakeOption)(void *ctx, int opt, const char *arg, const char *given);
int cli_parse_options(int argc, char **argv, const char *shortopts, const struct option *longopts, int color_opt,
                      CliTakeOption take, void *ctx);
/* The one journey file a command takes, after its options: NULL after a usage error (2) that says
 * what the command does with it ("to run", "to compare"). */
const char *cli_one_journey(const char *cmd, const char *purpose, int argc, char **argv);

/* "90", "90d", "90 days", "12 weeks", "1 year", "36 hours": a positive, finite number of days
 * up to MODEL_MAX_DAYS (--horizon, --window, --inactivity); false for anything else
 * (run_settings.c). */
bool cli_parse_duration(const char *s, double *days);

/* Parses --color's argument; false when it is not auto/always/never. */
bool cli_parse_color(const char *arg, ColorMode *mode);
bool cli_use_color(ColorMode mode, FILE *stream);
/* The color mode set before the command (`cjm --color=never check ...`). */
extern ColorMode cli_global_color;

/* Writes a command's result to `path` (NULL or "-": standard output), atomically (output.h); on
 * failure reports it as "cjm CMD: cannot write ..." and returns EXIT_IO, else EXIT_OK. */
int cli_write_output(const char *cmd, const char *path, const char *data, size_t len);

/* Loads `path` with its imports and checks it, then each of its scenarios (checked_load, with
 * cjm's standard library and CJM_PATH), printing diagnostics to stderr: a scenario's own, and none
 * that the journey's check already gave. `out` is the file the command cjm CMD will write (NULL:
 * none, or standard output): when it is one of the files loaded (the same file on disk, however
 * it is spelled) that is reported as bad usage, and nothing is checked (CHECKED_STOPPED). */
void cli_load_and_check(Checked *c, const char *cmd, const char *path, const char *out, ColorMode color,
                        bool quiet_warnings);
/* The same with diagnostics printed to `diag_out` (NULL: only kept in c->diag, for --format
 * json and sarif). */
void cli_load_and_check_to(Checked *c, const char *cmd, const char *path, const char *out, FILE *diag_out,
                           bool color, bool quiet_warnings);
/* The exit status that c->status means: EXIT_OK, EXIT_JOURNEY (errors), EXIT_USAGE (stopped:
 * the output file is an input) or EXIT_IO (unreadable, or out of memory). */
int cli_checked_exit(const Checked *c);

int cmd_check(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_discover(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_help(int argc, char **argv);
/* Prints `cjm help NAME` to stdout; returns 0 (2 for an unknown command). */
int cli_show_help(const char *name);

#endif
