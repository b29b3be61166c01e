/* log.h: event logs read, whatever their format: the one face of data/ to the layers above.
 *
 * data/ reads what analysts export (../shared/design/data.md, docs/data.md): one row per event
 * (CSV, RFC 4180, gzip-compressed or not; XES and XES.gz), or ChannelAttribution's path table
 * (one row per path of channels with its conversions). It knows nothing of journeys: it hands out
 * events (a case, a name, a time and the optional columns) and paths, in the order of the file,
 * and says precisely where and what is wrong with a file it cannot read.
 *
 * Streaming: a reader holds one record at a time (plus the file's buffer), so memory does not
 * grow with the log. Strings in a LogEvent or LogPath point into the reader and are valid until
 * the next call of log_next()/log_next_path() or log_close().
 *
 * Errors: every failure is a message in the reader (log_error()), worded
 * "FILE:LINE: column 'time': cannot read '2024-13-01' as a time (ISO 8601, a date, or epoch
 * seconds or milliseconds)" or "FILE: damaged gzip data after 1234 bytes: ...", never a crash;
 * the caller prints it and writes nothing. */
#ifndef CJM_DATA_LOG_H
#define CJM_DATA_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a file holds. LOG_AUTO decides from the name (.xes, .xes.gz: XES) and, for CSV, from the
 * header (a `path` column with `total_conversions`: a path table). */
typedef enum { LOG_AUTO, LOG_CSV, LOG_XES, LOG_PATHS } LogFormat;

/* The columns of an event log (CSV) or the attribute keys of XES. NULL: the defaults, tried in
 * order (data.md): case: case:concept:name, case_id, customer_id, user_id, client_id, case;
 * event: concept:name, event, event_name, activity, action; time: time:timestamp, timestamp,
 * event_time, time, date; channel: channel, org:resource, source, medium; revenue: revenue,
 * value, amount; cost: cost; segment: segment, persona, case:segment; score: score, nps, csat,
 * rating. Matching is case-insensitive. The case, event and time columns are required. */
typedef struct LogColumns {
    const char *case_id, *event, *time, *channel, *revenue, *cost, *segment, *score;
} LogColumns;

/* How times are written. LOG_TIME_AUTO detects it from the first value and then holds the column
 * to it (data.md: one format per column). */
typedef enum { LOG_TIME_AUTO, LOG_TIME_ISO, LOG_TIME_EPOCH_S, LOG_TIME_EPOCH_MS } LogTimeFormat;

typedef struct LogOptions {
    LogFormat format;
    LogColumns columns;
    LogTimeFormat time_format;
    char delimiter;             /* CSV: 0 for ',' (a ';' or tab header is detected) */
} LogOptions;

/* A string from the file (not NUL-terminated): s == NULL when the column is absent or empty. */
typedef struct LogStr {
    const char *s;
    size_t len;
} LogStr;

/* One event. Times are days since 1970-01-01T00:00:00Z (a UTC offset is applied; a time without
 * one is taken as UTC; a date alone is its midnight UTC). Absent numbers are NaN. */
typedef struct LogEvent {
    LogStr case_id, name, channel, segment;
    double time;
    double revenue, cost, score;
    uint64_t line;              /* CSV: the line the record starts on; XES: the <event>'s line */
} LogEvent;

/* One row of a path table: the channels in order ("search > email > web"), its conversions, the
 * paths that did not convert (total_null), and the conversions' value when given (NaN if not). */
enum { LOG_MAX_PATH_STEPS = 10000 };
typedef struct LogPath {
    const LogStr *steps;
    int nsteps;
    double conversions, nulls, value;
    uint64_t line;
} LogPath;

typedef struct LogReader LogReader;

/* Opens `path` ("-": standard input), gzip-compressed or not (detected from its first bytes),
 * and reads its header. Returns NULL and sets *error (a malloc'd message the caller frees) when
 * the file cannot be opened or its header is wrong (a required column missing: the message lists
 * the columns the file has and the option that names one). */
LogReader *log_open(const char *path, const LogOptions *o, char **error);
/* What the file holds: LOG_CSV or LOG_XES (events) or LOG_PATHS. */
LogFormat log_format(const LogReader *r);
/* The next event: 1, 0 at the end, -1 on an error (log_error()). Only for event logs. */
int log_next(LogReader *r, LogEvent *ev);
/* The next path: 1, 0 at the end, -1 on an error. Only for path tables. */
int log_next_path(LogReader *r, LogPath *p);
/* The message of the last error, NULL when none. */
const char *log_error(const LogReader *r);
/* How far the reader has got: bytes of the file read so far, and the file's size (0 when not
 * known: a pipe). For a progress bar; compressed files count compressed bytes. */
uint64_t log_bytes_read(const LogReader *r);
uint64_t log_size(const LogReader *r);
/* The name the reader gives the file in messages ("<stdin>" for -). */
const char *log_name(const LogReader *r);
/* Which of the file's columns were taken for what: the header names (NULL when absent), for the
 * report ("case: customer_id, event: event, time: ts (ISO 8601)"). */
const LogColumns *log_columns_used(const LogReader *r);
/* How the log's times are written: detected from the first one (LOG_TIME_AUTO before it), or as
 * given; XES: ISO 8601. For the report's "time: ts (ISO 8601)". */
LogTimeFormat log_time_format(const LogReader *r);
void log_close(LogReader *r);

/* A generic CSV table, for results that are not event logs (the rows cjm fit --sql's query gives):
 * the header's names and each row's fields, with the same RFC 4180 reader, gzip, line numbers and
 * messages. Fields are valid until the next call. */
typedef struct CsvFile CsvFile;
CsvFile *csvf_open(const char *path, char **error);
int csvf_columns(const CsvFile *t, const char *const **names);      /* the header's fields */
int csvf_next_row(CsvFile *t, const LogStr **fields, uint64_t *line); /* n fields, 0 end, -1 error */
const char *csvf_error(const CsvFile *t);
const char *csvf_name(const CsvFile *t);
void csvf_close(CsvFile *t);

/* Parses one time as LOG_TIME_AUTO would, for the command line (--log-end): days since the epoch,
 * or false. */
bool log_parse_time(const char *s, size_t len, LogTimeFormat format, double *days);

#endif
