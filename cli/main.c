/* main.c: the `cjm` program: global options, `help`, `--version`, and dispatch to the
 * sub-commands listed in cli_commands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "signals.h"
#include "version.h"

static const char check_usage[] =
    "Usage: cjm check [OPTION]... FILE...\n"
    "Check journey files: syntax, names, types, values and the journey's structure.\n"
    "Errors and warnings are printed like a compiler's (file:line:col: error: ...).\n"
    "A FILE of - reads standard input.\n"
    "\n"
    "A journey's scenarios are checked too; each reports only what it adds to the journey's.\n"
    "With --format=json or sarif, the diagnostics of every file are one document on standard\n"
    "output instead (ranges in lines, byte and UTF-16 columns and byte offsets; notes; fix-its),\n"
    "for editors and code scanning.\n"
    "\n"
    "Options:\n"
    "  -q, --quiet          print errors only (no warnings, no summary)\n"
    "      --format=FMT     text (default), json or sarif\n"
    "      --color[=WHEN]   colour diagnostics: auto (default: on a terminal), always, never\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 no errors (warnings allowed), 1 errors, 2 bad usage, 3 a file could not be read\n"
    "(or memory ran out).\n";

static const char graph_usage[] =
    "Usage: cjm graph [OPTION]... FILE\n"
    "Draw a journey with Graphviz: the flow graph (default) or the classic journey map, with the\n"
    "figures of `cjm run` given the same options (the same numbers as its report); --static\n"
    "draws the declared structure without running it.\n"
    "\n"
    "Options:\n"
    "      --view=VIEW      flow (stages, arrows, churn, volumes) or map (the journey map)\n"
    "      --static         the declared structure, probabilities and expected mood only\n"
    "      --churn=HOW      stubs (a churn box beside each stage, default) or merged (one node)\n"
    "  -T, --format=FMT     svg, png, pdf or dot (default: from -o's extension, else svg)\n"
    "  -o, --output=FILE    write to FILE (atomically) instead of standard output; never\n"
    "                       the journey or a module it imports (a link: its target is written)\n"
    "\n"
    "Run options (as for cjm run):\n"
    "      --cohort=N       customers to simulate (default: the journey's cohort, else 10000)\n"
    "      --seed=S         random seed (default: the journey's seed, else 1)\n"
    "      --horizon=TIME   simulated time window, or 'none'\n"
    "      --window=TIME    conversion window: only a goal reached within TIME converts\n"
    "      --threads=N      worker threads (default: every core)\n"
    "      --persona=NAME   one persona: its curve and its customers only\n"
    "      --exact          expected values of the exact analysis instead of a simulation\n"
    "      --max-steps=N    stage entries a customer may make (default 10000)\n"
    "  -q, --quiet          no warnings\n"
    "      --color[=WHEN]   colour diagnostics: auto, always, never\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 drawn, 1 errors in the journey (or --exact refused), 2 bad usage, 3 the\n"
    "picture could not be rendered or written.\n";

static const char run_usage[] =
    "Usage: cjm run [OPTION]... FILE\n"
    "Simulate a cohort of customers through a journey (or solve it exactly with --exact) and\n"
    "report conversion, churn, the funnel, personas, touchpoints, channels, time to convert,\n"
    "retention, revenue, cost, NPS and CSAT. A FILE of - reads standard input.\n"
    "\n"
    "Options:\n"
    "      --cohort=N       customers to simulate (default: the journey's cohort, else 10000)\n"
    "      --seed=S         random seed, 0 to 2^53 (default: the journey's seed, else 1)\n"
    "      --horizon=TIME   simulated time window: '90 days', '12 weeks', '1 year', '36 hours',\n"
    "                       90 (days), or 'none' (default: the journey's horizon)\n"
    "      --window=TIME    conversion window: a goal reached later than TIME after the customer's\n"
    "                       start does not convert, as in analytics tools (not with --exact)\n"
    "      --threads=N      worker threads (default: every core); the results do not depend on it\n"
    "      --persona=NAME   simulate one persona only\n"
    "      --exact          solve the journey as a Markov chain instead of sampling (only for\n"
    "                       journeys whose arrows depend on nothing but the persona and met() of\n"
    "                       their stage's touchpoints, without rules)\n"
    "      --max-steps=N    stage entries a customer may make before being stopped (default 10000)\n"
    "      --no-removal-effect  leave out the channels' removal-effect attribution, which runs the\n"
    "                       journey again once per channel\n"
    "      --format=FMT     table (default), json or csv\n"
    "      --csv-table=T    the table --format=csv writes: stages (default), personas,\n"
    "                       touchpoints, channels, reasons, exits, curves, headline, pains,\n"
    "                       funnel, calendar, attribution, surveys or retention\n"
    "  -o, --output=FILE    write the report to FILE (atomically) instead of standard output; never\n"
    "                       the journey or a module it imports (a link: its target is written)\n"
    "  -q, --quiet          no warnings and no progress bar\n"
    "      --stats          print the run's speed and peak memory on standard error\n"
    "      --color[=WHEN]   colour diagnostics: auto, always, never\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 done (warnings allowed), 1 errors in the journey (or --exact refused),\n"
    "2 bad usage, 3 the journey could not be read or the report not written.\n";

static const char report_usage[] =
    "Usage: cjm report [OPTION]... FILE\n"
    "Run a journey as `cjm run` does (the same options give the same numbers) and write the\n"
    "report as one self-contained HTML page: headline figures, the funnel, emotion curves,\n"
    "retention, time to convert, churn reasons, the flow graph and the journey map, and tables of\n"
    "stages, personas, touchpoints, channels, pain points and opportunities. It needs nothing\n"
    "else to show (no script, no external file) and prints on A4 or Letter. Its what-if sections\n"
    "come from cjm compare: the journey's scenarios, removal effects, and a sweep.\n"
    "\n"
    "Options:\n"
    "  -o, --output=FILE    write the page to FILE (atomically) instead of standard output; never\n"
    "                       the journey or a module it imports (a link: its target is written)\n"
    "      --date=DATE      the date shown, YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else today)\n"
    "      --no-graphs      leave out the flow graph and the journey map (no Graphviz)\n"
    "      --removal=WHAT   the tornado chart of removal effects (cjm compare) of: touchpoints\n"
    "                       (default), channels, stages or none\n"
    "      --sweep=SPEC     add line charts of a sweep of one parameter, as cjm compare --sweep\n"
    "\n"
    "Run options (as for cjm run):\n"
    "      --cohort=N       customers to simulate (default: the journey's cohort, else 10000)\n"
    "      --seed=S         random seed (default: the journey's seed, else 1)\n"
    "      --horizon=TIME   simulated time window, or 'none'\n"
    "      --window=TIME    conversion window: only a goal reached within TIME converts\n"
    "      --threads=N      worker threads (default: every core); the results do not depend on it\n"
    "      --persona=NAME   one persona only\n"
    "      --exact          expected values of the exact analysis instead of a simulation\n"
    "      --max-steps=N    stage entries a customer may make (default 10000)\n"
    "      --no-removal-effect  no removal-effect attribution of the channels\n"
    "  -q, --quiet          no warnings and no progress bar\n"
    "      --color[=WHEN]   colour diagnostics: auto, always, never\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 written (warnings allowed), 1 errors in the journey (or --exact refused),\n"
    "2 bad usage, 3 the journey could not be read, a picture not drawn or the page not written.\n";

static const char compare_usage[] =
    "Usage: cjm compare [OPTION]... FILE\n"
    "Which change is worth making? Run the journey's scenarios against the journey as written,\n"
    "over the same customers (common random numbers), and report for each the change in the\n"
    "figures of cjm run's headline: conversion, lost before converting, time to convert,\n"
    "customer churn, monthly churn, retention 90 days after converting, ARPU, LTV, CAC, cost to\n"
    "serve, LTV:CAC, payback and NPS, with the 95% interval of the change and whether it is\n"
    "significant. Or rank the removal effect of every touchpoint, channel or stage, or sweep one\n"
    "parameter over a range (conversion, time to convert, customer churn, LTV, CAC and LTV:CAC at\n"
    "each value).\n"
    "\n"
    "What is compared (one of):\n"
    "      --scenario=NAME  this scenario (repeat for several; default: every scenario)\n"
    "      --removal=WHAT   conversion without each one of: touchpoints, channels or stages\n"
    "      --sweep=SPEC     one parameter over a range: 'Stage->Target=20%..60%/5' (an arrow),\n"
    "                       'Touchpoint.reach=...' (also emotion, cost), 'Stage.revenue=...',\n"
    "                       'Stage.wait=1..14/1' (mean wait, days), 'Persona.share=10%..90%/10'\n"
    "\n"
    "Options:\n"
    "      --independent    independent random numbers per variant (wider intervals; to compare)\n"
    "      --format=FMT     table (default), json or csv\n"
    "  -o, --output=FILE    write the report to FILE (atomically) instead of standard output; never\n"
    "                       the journey or a module it imports (a link: its target is written)\n"
    "\n"
    "Run options (as for cjm run):\n"
    "      --cohort=N       customers to simulate (default: the journey's cohort, else 10000)\n"
    "      --seed=S         random seed (default: the journey's seed, else 1)\n"
    "      --horizon=TIME   simulated time window, or 'none'\n"
    "      --window=TIME    conversion window: only a goal reached within TIME converts\n"
    "      --threads=N      worker threads (default: every core); the results do not depend on it\n"
    "      --persona=NAME   one persona only\n"
    "      --exact          exact differences of the exact analysis (journeys that are Markov chains)\n"
    "      --max-steps=N    stage entries a customer may make (default 10000)\n"
    "  -q, --quiet          no warnings\n"
    "      --color[=WHEN]   colour diagnostics: auto, always, never\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 done, 1 errors in the journey or a scenario (or --exact refused), 2 bad usage,\n"
    "3 the journey could not be read or the report not written.\n";

static const char fit_usage[] =
    "Usage: cjm fit [OPTION]... JOURNEY LOG\n"
    "       cjm fit [OPTION]... JOURNEY --sql TABLE [--dialect DIALECT]\n"
    "Fit a journey to an event log: what its customers did, beside what the map says. Events map\n"
    "onto stages, touchpoints and churn by name (or label, or the journey's `events` lists, or\n"
    "--map); each case is replayed in time order. Reports per stage its entries, every move out\n"
    "of it with its observed share and 95% interval beside the declared probability (! where the\n"
    "declared value is outside), moves the journey does not allow, the waits fitted with\n"
    "censoring (distribution, mean with its interval, KS distance) beside the declared wait,\n"
    "touchpoints' reach, personas' shares, survey answers and the events that mapped to nothing;\n"
    "arrows A + B * met(T) split by whether the entry met T; traits given by --trait columns; and\n"
    "what the log cannot tell (latent traits, state, memory, amounts written as expressions).\n"
    "LOG: CSV (gzip too), XES or XES.gz, - for standard input, or the result of --sql's query.\n"
    "\n"
    "Options:\n"
    "      --format=FMT     table (default), json, csv or html (a page with charts)\n"
    "      --csv-table=T    the table --format=csv writes: moves (default), waits, touchpoints,\n"
    "                       personas, stages, unmapped, validation, met, traits, choices or cannot\n"
    "  -o, --output=FILE    write the fitted journey to FILE (atomically): the journey's main file\n"
    "                       with the data's numbers in place of the declared ones, layout and\n"
    "                       comments kept; never the journey, a module it imports, or the LOG\n"
    "      --scenario=NAME  a scenario block NAME of the fitted numbers instead: after the journey's\n"
    "                       text in -o's FILE, or alone on standard output without -o\n"
    "      --scenario-label=TEXT  the scenario's label\n"
    "      --validate       simulate the journey and compare it with the log (conversion, time to\n"
    "                       convert, churn, entries): observed beside simulated with its interval\n"
    "      --sql=TABLE      print the SQL query that computes the fit's counts from TABLE where the\n"
    "                       data lives, and exit; give its result (CSV) as LOG to fit to it\n"
    "      --dialect=D      the query's SQL: postgres (default), sqlite or bigquery\n"
    "      --trait=NAME=COLUMN  fit trait NAME to each case's value in COLUMN of a CSV log (the\n"
    "                       family of lowest AIC, or a choice's shares; per persona with a segment)\n"
    "\n"
    "Reading the log:\n"
    "      --case=COLUMN    the case (customer) id column (default: case:concept:name, case_id,\n"
    "                       customer_id, user_id, client_id or case)\n"
    "      --event=COLUMN   the event name (default: concept:name, event, event_name, activity, action)\n"
    "      --time=COLUMN    the timestamp (default: time:timestamp, timestamp, event_time, time, date)\n"
    "      --channel=COLUMN, --revenue=COLUMN, --cost=COLUMN, --segment=COLUMN, --score=COLUMN\n"
    "                       the optional columns (survey answers: --score, NPS 0-10 or CSAT 1-5)\n"
    "      --time-format=F  iso, s (epoch seconds), ms (epoch milliseconds) or auto (default)\n"
    "      --map=EVENT=TARGET  EVENT means TARGET: a stage, a touchpoint, churn, churn:REASON or\n"
    "                       ignore (repeatable; names compared without case, spaces, _ - .)\n"
    "      --inactivity=TIME  a customer with no event for TIME before the log's end has churned\n"
    "                       (default: the journey's `inactivity`, else none); 'none' turns it off\n"
    "      --log-end=TIME   the log's end (default: its last event), for censoring and inactivity\n"
    "      --max-memory=SIZE  memory for the events of an unsorted log (default 1G)\n"
    "\n"
    "Validation (as for cjm run):\n"
    "      --cohort=N       customers to simulate (default: the journey's cohort, else 10000)\n"
    "      --seed=S         random seed (default: the journey's seed, else 1)\n"
    "      --threads=N      worker threads (default: every core); the results do not depend on it\n"
    "  -q, --quiet          no warnings and no progress bar\n"
    "      --color[=WHEN]   colour diagnostics: auto, always, never\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 done, 1 errors in the journey, 2 bad usage, 3 the log could not be read (its\n"
    "message names the file and line) or an output not written.\n";

static const char discover_usage[] =
    "Usage: cjm discover [OPTION]... LOG [--goal EVENT]\n"
    "Draw a first journey from an event log: its frequent events become stages, the moves between\n"
    "them arrows with their observed shares, customers who go quiet churn, and EVENT is the goal.\n"
    "A path table of channels (ChannelAttribution's `path`, `total_conversions`, `total_null`)\n"
    "gives a journey of channels ending in Conversion. The result checks with `cjm check` as it is;\n"
    "then fit it with `cjm fit` and edit it.\n"
    "\n"
    "Options:\n"
    "      --goal=EVENT     the event that means a customer converted (required for an event log)\n"
    "      --min-share=S    leave out events in fewer than S of the cases (default 5%)\n"
    "      --max-stages=N   at most N stages, the most frequent events (default 30)\n"
    "      --inactivity=TIME  no event for TIME before the log's end is churn (default: none)\n"
    "      --title=TEXT     the journey's title (default: from the log's name)\n"
    "  -o, --output=FILE    write the journey to FILE (atomically) instead of standard output;\n"
    "                       never the LOG\n"
    "  -q, --quiet          no progress bar\n"
    "  -h, --help           show this help\n"
    "\n"
    "Reading the log (as for cjm fit):\n"
    "      --case=COLUMN    the case (customer) id\n"
    "      --event=COLUMN   the event name\n"
    "      --time=COLUMN    the timestamp\n"
    "      --channel=COLUMN, --revenue=COLUMN, --cost=COLUMN, --segment=COLUMN, --score=COLUMN\n"
    "                       the optional columns\n"
    "      --time-format=F  iso, s (epoch seconds), ms (epoch milliseconds) or auto (default)\n"
    "\n"
    "Exit status: 0 written, 2 bad usage, 3 the log could not be read or the journey not written.\n";

static const char score_usage[] =
    "Usage: cjm score [OPTION]... JOURNEY LOG\n"
    "Score every customer of an event log who is still in the journey at the log's end: where they\n"
    "are, and their chances to convert and to churn from there, from simulated futures that start\n"
    "in their stage with what they have done so far. Writes CSV, one row per customer, for a team\n"
    "to act on those about to leave.\n"
    "\n"
    "Options:\n"
    "      --futures=N      futures simulated per state of a customer (default 10000)\n"
    "      --seed=S         random seed (default: the journey's seed, else 1)\n"
    "      --threads=N      worker threads (default: every core); the results do not depend on it\n"
    "  -o, --output=FILE    write the CSV to FILE (atomically) instead of standard output; never\n"
    "                       the journey, a module it imports, or the LOG\n"
    "  -q, --quiet          no warnings and no progress bar\n"
    "      --color[=WHEN]   colour diagnostics: auto, always, never\n"
    "  -h, --help           show this help\n"
    "\n"
    "Reading the log and mapping its events (as for cjm fit):\n"
    "      --case=COLUMN    the case (customer) id\n"
    "      --event=COLUMN   the event name\n"
    "      --time=COLUMN    the timestamp\n"
    "      --channel=COLUMN, --revenue=COLUMN, --cost=COLUMN, --segment=COLUMN, --score=COLUMN\n"
    "                       the optional columns\n"
    "      --time-format=F  iso, s (epoch seconds), ms (epoch milliseconds) or auto (default)\n"
    "      --map=EVENT=TARGET  EVENT means TARGET: a stage, a touchpoint, churn, churn:REASON or\n"
    "                       ignore (repeatable)\n"
    "      --inactivity=TIME  no event for TIME before the log's end is churn, or 'none'\n"
    "      --log-end=TIME   the log's end (default: its last event)\n"
    "      --max-memory=SIZE  memory for the events of an unsorted log (default 1G)\n"
    "\n"
    "Exit status: 0 done, 1 errors in the journey, 2 bad usage, 3 the log could not be read or the\n"
    "CSV not written.\n";

static const char fmt_usage[] =
    "Usage: cjm fmt [OPTION]... FILE...\n"
    "Print journey files in the one canonical layout: indentation, aligned columns of arrows,\n"
    "attributes and one-line declarations, blank lines between declarations, comments kept where\n"
    "they were. Only blanks and line ends change: every token and comment is kept as written.\n"
    "A FILE of - reads standard input. Files with syntax errors are reported and left alone.\n"
    "\n"
    "Options:\n"
    "  -w, --write          rewrite each file in place (atomically; only files that change)\n"
    "      --check          print nothing but the names of files that are not formatted\n"
    "      --color[=WHEN]   colour diagnostics: auto, always, never\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 formatted (with --check: every file already is), 1 syntax errors (with\n"
    "--check: or a file that is not formatted), 2 bad usage, 3 a file could not be read or written.\n";

static const char new_usage[] =
    "Usage: cjm new [OPTION]... [FILE]\n"
    "Start a journey from a template of the standard library, with comments that teach the\n"
    "language. Writes FILE (.journey is added when missing), or standard output without FILE.\n"
    "The result checks and runs as it is; change it from there.\n"
    "\n"
    "Options:\n"
    "  -t, --template=NAME  the template: 4-stage, 5-stage (default), 7-stage, saas, ecommerce,\n"
    "                       subscription or minimal (--list describes them)\n"
    "      --title=TEXT     the journey's title (default: from FILE's name, else \"My journey\")\n"
    "  -l, --list           list the templates\n"
    "  -f, --force          overwrite FILE if it exists\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 written, 2 bad usage (an unknown template), 3 FILE exists or could not be\n"
    "written, or the template could not be read.\n";

static const char help_usage[] =
    "Usage: cjm help [COMMAND]\n"
    "Show the list of commands, or the help of one command.\n";

const Command cli_commands[] = {
    {"check", "check journey files for errors", check_usage, cmd_check},
    {"run", "simulate customers through a journey and report the figures", run_usage, cmd_run},
    {"graph", "draw the flow graph or the journey map with Graphviz", graph_usage, cmd_graph},
    {"report", "write a run's report as a self-contained HTML page with charts", report_usage, cmd_report},
    {"compare", "compare what-if scenarios, removals or a sweep with the journey", compare_usage, cmd_compare},
    {"fit", "fit a journey to an event log: observed moves, waits, reach, with intervals", fit_usage, cmd_fit},
    {"discover", "draw a first journey from an event log", discover_usage, cmd_discover},
    {"score", "score the customers of a log still in the journey: chances to convert, churn", score_usage, cmd_score},
    {"fmt", "print or rewrite journey files in the canonical layout", fmt_usage, cmd_fmt},
    {"new", "start a journey from a template that teaches the language", new_usage, cmd_new},
    {"help", "show help for a command", help_usage, cmd_help},
    {NULL, NULL, NULL, NULL},
};

static void print_main_help(FILE *out)
{
    fputs("Usage: cjm [--color=WHEN] COMMAND [OPTION]... [FILE]...\n"
          "cjm reads customer journeys written in the .journey language, checks them, and\n"
          "simulates customers through them.\n"
          "\n"
          "Commands:\n",
          out);
    for (const Command *c = cli_commands; c->name; c++) fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fputs("\n"
          "Options:\n"
          "      --color=WHEN  colour diagnostics: auto, always, never (NO_COLOR is respected)\n"
          "  -h, --help        show this help\n"
          "  -V, --version     show the version\n"
          "\n"
          "Run 'cjm help COMMAND' for a command's options. Documentation: docs/ in the source tree.\n",
          out);
}

static const Command *find_command(const char *name)
{
    for (const Command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

int cli_show_help(const char *name)
{
    const Command *c = find_command(name);
    if (!c) return cli_usage_error("help", "unknown command '%s'", name);
    fputs(c->usage, stdout);
    return EXIT_OK;
}

int cmd_help(int argc, char **argv)
{
    if (argc > 2) return cli_usage_error("help", "give one command at most");
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) return cli_show_help("help");
    if (argc < 2) {
        print_main_help(stdout);
        return EXIT_OK;
    }
    return cli_show_help(argv[1]);
}

int main(int argc, char **argv)
{
    cli_signals_install();
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_main_help(stdout);
            return EXIT_OK;
        }
        if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("cjm %s\n", CJM_VERSION);
            return EXIT_OK;
        }
        if (strncmp(a, "--color", 7) == 0 || strncmp(a, "--colour", 8) == 0) {
            const char *eq = strchr(a, '=');
            if ((eq && !cli_parse_color(eq + 1, &cli_global_color)) || (!eq && a[7] && a[8 - (a[6] == 'r')]))
                return cli_usage_error(NULL, "--color must be auto, always or never");
            if (!eq) cli_global_color = COLOR_ALWAYS;
            continue;
        }
        return cli_usage_error(NULL, "unknown option '%s'", a);
    }
    if (i >= argc) {
        print_main_help(stderr);
        return EXIT_USAGE;
    }
    const Command *c = find_command(argv[i]);
    if (!c) {
        const char *names[16];
        int n = 0;
        for (const Command *k = cli_commands; k->name && n < 16; k++) names[n++] = k->name;
        const char *best = diag_closest(argv[i], names, n);
        fprintf(stderr, "cjm: unknown command '%s'", argv[i]);
        if (best) fprintf(stderr, "; did you mean '%s'?", best);
        fputc('\n', stderr);
        fputs("Run 'cjm --help' for the list of commands.\n", stderr);
        return EXIT_USAGE;
    }
    return c->run(argc - i, argv + i);
}
