/* log.c: the LogReader of log.h: opens a file, decides its format (CSV event log, XES, or path
 * table), finds the columns each role is read from, and turns records into events or paths with
 * messages that name the file, the line and the column. */
#include "log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log_columns.h"
#include "log_csv.h"
#include "log_input.h"
#include "log_time.h"
#include "log_util.h"
#include "log_xes.h"

enum { PATH_COL, CONV_COL, NULL_COL, VALUE_COL, NPATHCOLS };
static const char *const path_columns[NPATHCOLS] = {"path", "total_conversions", "total_null", "total_conversion_value"};

struct LogReader {
    LogFormat format;
    CsvFile *csv;
    XesReader *xes;
    LogInput *in;
    int col[NROLES];            /* CSV: the column of each role, -1 when absent */
    int pcol[NPATHCOLS];        /* path table: its columns, -1 when absent */
    LogColumns used;
    LogTimeFormat tf;
    bool tf_given;
    bool decimal_comma;
    TimeCache time_cache;
    LogStr *steps;
    int steps_cap;
    char *error;
};

static int fail(LogReader *r, char *message)
{
    if (!r->error) r->error = message;
    else free(message);
    return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && log_name_eq(s + n - k, k, suffix);
}

/* XES by its name, or by its first bytes (an XML document starts with '<'). */
static bool looks_like_xes(const char *path, LogInput *in)
{
    if (ends_with(path, ".xes") || ends_with(path, ".xes.gz")) return true;
    const char *b;
    long n = input_peek(in, &b, 256);
    long i = 0;
    if (n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) i++;
    return i < n && b[i] == '<';
}

/* "a, b, c" of the header's names. */
static char *list_columns(const CsvFile *t)
{
    size_t len = 1;
    for (int i = 0; i < csv_ncols(t); i++) len += strlen(csv_col(t, i)) + 2;
    char *s = log_alloc(len), *w = s;
    for (int i = 0; i < csv_ncols(t); i++) w += sprintf(w, "%s%s", i ? ", " : "", csv_col(t, i));
    *w = '\0';
    return s;
}

static int find_column(const CsvFile *t, const LogColumns *given, LogRole role)
{
    int best = -1, best_rank = 0;
    for (int i = 0; i < csv_ncols(t); i++) {
        int rank = role_rank(given, role, csv_col(t, i), strlen(csv_col(t, i)), false);
        if (rank >= 0 && (best < 0 || rank < best_rank)) {
            best = i;
            best_rank = rank;
        }
    }
    return best;
}

static char *missing_column(const CsvFile *t, const LogColumns *given, LogRole role)
{
    char *have = list_columns(t);
    char *msg;
    const char *name = columns_get(given, role);
    if (name) {
        msg = log_fmt("%s: no column '%s' for the %s (%s); the file's columns are: %s", input_name(csv_input(t)), name,
                      role_title(role), role_option(role), have);
    } else {
        char tried[512] = "";
        const char *const *d = role_defaults(role);
        for (int i = 0; d[i]; i++) {
            strcat(tried, i ? ", " : "");
            strcat(tried, d[i]);
        }
        msg = log_fmt("%s: no %s column (tried %s); the file's columns are: %s; name one with %s COLUMN",
                      input_name(csv_input(t)), role_title(role), tried, have, role_option(role));
    }
    free(have);
    return msg;
}

static bool is_path_table(const CsvFile *t)
{
    bool path = false, conv = false;
    for (int i = 0; i < csv_ncols(t); i++) {
        path |= log_name_eq(csv_col(t, i), strlen(csv_col(t, i)), path_columns[PATH_COL]);
        conv |= log_name_eq(csv_col(t, i), strlen(csv_col(t, i)), path_columns[CONV_COL]);
    }
    return path && conv;
}

static int open_paths(LogReader *r)
{
    for (int k = 0; k < NPATHCOLS; k++) {
        r->pcol[k] = -1;
        for (int i = 0; i < csv_ncols(r->csv) && r->pcol[k] < 0; i++)
            if (log_name_eq(csv_col(r->csv, i), strlen(csv_col(r->csv, i)), path_columns[k])) r->pcol[k] = i;
    }
    for (int k = PATH_COL; k <= CONV_COL; k++)
        if (r->pcol[k] < 0) {
            char *have = list_columns(r->csv);
            fail(r, log_fmt("%s: a path table needs a column '%s'; the file's columns are: %s", input_name(r->in),
                            path_columns[k], have));
            free(have);
            return -1;
        }
    return 0;
}

static int open_events(LogReader *r, const LogColumns *given)
{
    for (int role = 0; role < NROLES; role++) {
        r->col[role] = find_column(r->csv, given, (LogRole)role);
        if (r->col[role] < 0 && (role_required((LogRole)role) || columns_get(given, (LogRole)role)))
            return fail(r, missing_column(r->csv, given, (LogRole)role));
        if (r->col[role] >= 0) columns_set(&r->used, (LogRole)role, csv_col(r->csv, r->col[role]));
    }
    return 0;
}

static int open_csv(LogReader *r, const LogOptions *o)
{
    char *error = NULL;
    r->csv = csv_open(r->in, o->delimiter, &error);
    if (!r->csv) {
        r->in = NULL; /* csv_open closed it */
        return fail(r, error);
    }
    /* A ';' file is usually written where ',' is the decimal point. */
    r->decimal_comma = csv_delimiter(r->csv) == ';';
    if (r->format == LOG_PATHS || (r->format == LOG_AUTO && is_path_table(r->csv))) {
        r->format = LOG_PATHS;
        return open_paths(r);
    }
    r->format = LOG_CSV;
    return open_events(r, &o->columns);
}

LogReader *log_open(const char *path, const LogOptions *o, char **error)
{
    static const LogOptions defaults;
    if (!o) o = &defaults;
    LogInput *in = input_open(path, error);
    if (!in) return NULL;
    LogReader *r = log_zalloc(1, sizeof *r);
    r->in = in;
    r->format = o->format;
    r->tf = o->time_format;
    r->tf_given = o->time_format != LOG_TIME_AUTO;
    if (r->format == LOG_XES || (r->format == LOG_AUTO && looks_like_xes(path, in))) {
        r->format = LOG_XES;
        r->xes = xes_open(in, &o->columns, o->time_format);
    } else if (open_csv(r, o) < 0) {
        *error = r->error;
        r->error = NULL;
        log_close(r);
        return NULL;
    }
    return r;
}

LogFormat log_format(const LogReader *r) { return r->format; }

/* ---- CSV events ---- */

static LogStr field_or_null(const LogStr *f, int col)
{
    if (col < 0 || f[col].len == 0) return (LogStr){NULL, 0};
    return f[col];
}

/* A value for a message: at most 60 bytes of it. */
static int shown(const LogStr *f) { return f->len > 60 ? 60 : (int)f->len; }

static const char *col_name(const LogReader *r, int col) { return csv_col(r->csv, col); }

static int empty_field(LogReader *r, uint64_t line, LogRole role, const char *what)
{
    return fail(r, log_fmt("%s:%llu: column '%s' is empty: every event needs %s", input_name(r->in),
                           (unsigned long long)line, col_name(r, r->col[role]), what));
}

static int read_time(LogReader *r, const LogStr *f, uint64_t line, double *days)
{
    if (r->tf == LOG_TIME_AUTO) {
        r->tf = time_detect(f->s, f->len);
        if (r->tf == LOG_TIME_AUTO) goto bad;
    }
    if (time_parse_cached(f->s, f->len, r->tf, &r->time_cache, days)) return 0;
bad:;
    const char *why = r->tf == LOG_TIME_AUTO ? "ISO 8601, a date, or epoch seconds or milliseconds"
                      : r->tf_given           ? "the time format given"
                                              : "the format of the column's first time";
    return fail(r, log_fmt("%s:%llu: column '%s': cannot read '%.*s' as a time (%s%s%s)", input_name(r->in),
                           (unsigned long long)line, col_name(r, r->col[ROLE_TIME]), shown(f), f->s,
                           r->tf == LOG_TIME_AUTO ? "" : time_format_name(r->tf), r->tf == LOG_TIME_AUTO ? "" : ", ", why));
}

static int read_number(LogReader *r, const LogStr *f, int role, uint64_t line, double *v)
{
    *v = NAN;
    int col = r->col[role];
    if (col < 0 || f[col].len == 0) return 0;
    if (log_parse_number(f[col].s, f[col].len, r->decimal_comma, v)) return 0;
    return fail(r, log_fmt("%s:%llu: column '%s': cannot read '%.*s' as a number", input_name(r->in),
                           (unsigned long long)line, col_name(r, col), shown(&f[col]), f[col].s));
}

/* The next CSV record: its field count, 0 at the end, -1 with the reader's error taken over. */
static int next_row(LogReader *r, const LogStr **f, uint64_t *line)
{
    int n = csv_next(r->csv, f, line);
    if (n < 0) fail(r, log_strndup(csvf_error(r->csv), strlen(csvf_error(r->csv))));
    return n;
}

static int next_csv_event(LogReader *r, LogEvent *ev)
{
    const LogStr *f;
    uint64_t line;
    int n = next_row(r, &f, &line);
    if (n <= 0) return n;
    ev->line = line;
    ev->case_id = field_or_null(f, r->col[ROLE_CASE]);
    if (!ev->case_id.s) return empty_field(r, line, ROLE_CASE, "its case");
    ev->name = field_or_null(f, r->col[ROLE_EVENT]);
    if (!ev->name.s) return empty_field(r, line, ROLE_EVENT, "a name");
    const LogStr *t = &f[r->col[ROLE_TIME]];
    if (t->len == 0) return empty_field(r, line, ROLE_TIME, "a time");
    if (read_time(r, t, line, &ev->time) < 0) return -1;
    ev->channel = field_or_null(f, r->col[ROLE_CHANNEL]);
    ev->segment = field_or_null(f, r->col[ROLE_SEGMENT]);
    if (read_number(r, f, ROLE_REVENUE, line, &ev->revenue) < 0 || read_number(r, f, ROLE_COST, line, &ev->cost) < 0 ||
        read_number(r, f, ROLE_SCORE, line, &ev->score) < 0)
        return -1;
    return 1;
}

int log_next(LogReader *r, LogEvent *ev)
{
    if (r->error) return -1;
    if (r->format == LOG_PATHS)
        return fail(r, log_fmt("%s: a path table has paths, not events", input_name(r->in)));
    if (r->xes) {
        int rc = xes_next(r->xes, ev);
        if (rc < 0) fail(r, log_strndup(xes_error(r->xes), strlen(xes_error(r->xes))));
        return rc;
    }
    return next_csv_event(r, ev);
}

/* ---- path tables ---- */

static bool space(char c) { return c == ' ' || c == '\t'; }

/* Splits "search > email > web" into its steps. */
static int split_path(LogReader *r, const LogStr *f, uint64_t line, LogPath *p)
{
    const char *s = f->s, *e = f->s + f->len;
    int n = 0;
    for (;;) {
        const char *gt = memchr(s, '>', (size_t)(e - s));
        const char *stop = gt ? gt : e, *a = s, *b = stop;
        while (a < b && space(*a)) a++;
        while (b > a && space(b[-1])) b--;
        if (a == b)
            return fail(r, log_fmt("%s:%llu: column '%s': an empty step in the path '%.*s'", input_name(r->in),
                                   (unsigned long long)line, col_name(r, r->pcol[PATH_COL]), shown(f), f->s));
        if (n == LOG_MAX_PATH_STEPS)
            return fail(r, log_fmt("%s:%llu: a path of more than %d steps", input_name(r->in), (unsigned long long)line,
                                   LOG_MAX_PATH_STEPS));
        if (n == r->steps_cap) {
            r->steps_cap = r->steps_cap ? r->steps_cap * 2 : 16;
            r->steps = log_realloc(r->steps, (size_t)r->steps_cap * sizeof *r->steps);
        }
        r->steps[n++] = (LogStr){a, (size_t)(b - a)};
        if (!gt) break;
        s = gt + 1;
    }
    p->steps = r->steps;
    p->nsteps = n;
    return 0;
}

static int path_count(LogReader *r, const LogStr *f, int k, uint64_t line, double *v, double absent)
{
    int col = r->pcol[k];
    if (col < 0 || (f[col].len == 0 && k >= NULL_COL)) {
        *v = absent;
        return 0;
    }
    if (log_parse_number(f[col].s, f[col].len, r->decimal_comma, v) && *v >= 0) return 0;
    return fail(r, log_fmt("%s:%llu: column '%s': cannot read '%.*s' as a count (a number, 0 or more)",
                           input_name(r->in), (unsigned long long)line, col_name(r, col), shown(&f[col]), f[col].s));
}

int log_next_path(LogReader *r, LogPath *p)
{
    if (r->error) return -1;
    if (r->format != LOG_PATHS)
        return fail(r, log_fmt("%s: an event log has events, not paths", input_name(r->in)));
    const LogStr *f;
    uint64_t line;
    int n = next_row(r, &f, &line);
    if (n <= 0) return n;
    p->line = line;
    if (split_path(r, &f[r->pcol[PATH_COL]], line, p) < 0) return -1;
    if (path_count(r, f, CONV_COL, line, &p->conversions, 0) < 0 || path_count(r, f, NULL_COL, line, &p->nulls, 0) < 0)
        return -1;
    if (r->pcol[VALUE_COL] >= 0 && f[r->pcol[VALUE_COL]].len > 0) {
        if (!log_parse_number(f[r->pcol[VALUE_COL]].s, f[r->pcol[VALUE_COL]].len, r->decimal_comma, &p->value))
            return fail(r, log_fmt("%s:%llu: column '%s': cannot read '%.*s' as a number", input_name(r->in),
                                   (unsigned long long)line, col_name(r, r->pcol[VALUE_COL]),
                                   shown(&f[r->pcol[VALUE_COL]]), f[r->pcol[VALUE_COL]].s));
    } else {
        p->value = NAN;
    }
    return 1;
}

/* ---- what the reader says about itself ---- */

const char *log_error(const LogReader *r) { return r->error; }
uint64_t log_bytes_read(const LogReader *r) { return input_bytes_read(r->in); }
uint64_t log_size(const LogReader *r) { return input_size(r->in); }
const char *log_name(const LogReader *r) { return input_name(r->in); }
const LogColumns *log_columns_used(const LogReader *r) { return r->xes ? xes_columns_used(r->xes) : &r->used; }
LogTimeFormat log_time_format(const LogReader *r) { return r->tf == LOG_TIME_AUTO && r->xes ? LOG_TIME_ISO : r->tf; }

void log_close(LogReader *r)
{
    if (!r) return;
    if (r->csv) csvf_close(r->csv);
    else if (r->xes) xes_close(r->xes);
    else input_close(r->in);
    free(r->steps);
    free(r->error);
    free(r);
}
