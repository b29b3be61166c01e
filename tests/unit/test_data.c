/* test_data.c: unit tests of the data layer (data/log.h) on the sample logs of tests/data and on
 * files written here: CSV (quoting, BOM, CRLF, delimiters, blank lines, records across the
 * reader's buffer), gzip (whole, truncated, corrupted), columns (defaults, named, missing), times
 * (ISO 8601, dates, offsets, epoch seconds and milliseconds), XES (the running example against
 * its CSV twin, trace-level attributes, a case id after the events, malformed XML), path tables,
 * the generic CsvFile, and every error message, word for word. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cjm.h"
#include "unit.h"

void unit_data(void);

static char tmpdir[64];

/* A file of the temporary folder with `text` in it; its path (static, until the next call). */
static const char *write_file(const char *name, const char *text, size_t len)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return path;
    fwrite(text, 1, len, f);
    fclose(f);
    return path;
}

static const char *write_text(const char *name, const char *text) { return write_file(name, text, strlen(text)); }

static bool str_is(LogStr s, const char *want)
{
    if (!want) return s.s == NULL;
    return s.s && s.len == strlen(want) && memcmp(s.s, want, s.len) == 0;
}

static double day_of(const char *iso)
{
    double d = NAN;
    log_parse_time(iso, strlen(iso), LOG_TIME_ISO, &d);
    return d;
}

/* Reads every event of `path`; the count, or -1 with the error copied into err. */
static long count_events(const char *path, const LogOptions *o, char *err, size_t errlen)
{
    char *error = NULL;
    err[0] = '\0';
    LogReader *r = log_open(path, o, &error);
    if (!r) {
        snprintf(err, errlen, "%s", error);
        free(error);
        return -1;
    }
    LogEvent ev;
    long n = 0;
    int rc;
    while ((rc = log_next(r, &ev)) > 0) n++;
    if (rc < 0) snprintf(err, errlen, "%s", log_error(r));
    log_close(r);
    return rc < 0 ? -1 : n;
}

/* The message reading `text` (as file `name`) ends with, with "F" for the file's path. */
static void check_error(const char *name, const char *text, const LogOptions *o, const char *want)
{
    const char *path = write_text(name, text);
    char err[1024], expect[1024];
    long n = count_events(path, o, err, sizeof err);
    snprintf(expect, sizeof expect, want, path);
    CHECK(n == -1);
    CHECK_STR(err, expect);
}

static void check_sample_events(const char *path)
{
    char *error = NULL;
    LogReader *r = log_open(path, NULL, &error);
    CHECK(r != NULL);
    if (!r) {
        printf("  %s\n", error);
        free(error);
        return;
    }
    CHECK(log_format(r) == LOG_CSV);
    LogEvent ev;
    CHECK(log_next(r, &ev) == 1);
    CHECK(str_is(ev.case_id, "c1") && str_is(ev.name, "Visited Site") && str_is(ev.channel, "search"));
    CHECK(str_is(ev.segment, "SMB") && isnan(ev.revenue) && isnan(ev.score) && isnan(ev.cost) && ev.line == 2);
    CHECK_NEAR(ev.time, day_of("2024-01-05T10:00:00Z"), 1e-12);
    CHECK(log_next(r, &ev) == 1);
    CHECK(str_is(ev.name, "Signed Up") && str_is(ev.channel, "email, newsletter") && ev.score == 9 && ev.line == 3);
    CHECK_NEAR(ev.time * 86400, day_of("2024-01-05") * 86400 + 9.5 * 3600 + 0.5, 1e-5);
    CHECK(log_next(r, &ev) == 1);
    CHECK(str_is(ev.name, "Said \"hi\"") && str_is(ev.channel, NULL) && str_is(ev.segment, NULL) && ev.line == 4);
    CHECK_NEAR(ev.time, day_of("2024-01-06"), 0);
    CHECK(log_next(r, &ev) == 1);
    CHECK(str_is(ev.case_id, "c3") && str_is(ev.name, "Multi\r\nline") && ev.revenue == 12.5 && ev.line == 5);
    CHECK(log_next(r, &ev) == 1);
    CHECK(str_is(ev.name, "Purchased") && ev.revenue == 99.9 && ev.score == 10 && ev.line == 7);
    CHECK_NEAR(ev.time, day_of("2024-01-07T10:30:00Z"), 1e-12);
    CHECK(log_next(r, &ev) == 0);
    CHECK(log_error(r) == NULL);
    const LogColumns *c = log_columns_used(r);
    CHECK_STR(c->case_id, "customer_id");
    CHECK_STR(c->event, "event");
    CHECK_STR(c->time, "timestamp");
    CHECK_STR(c->channel, "channel");
    CHECK_STR(c->revenue, "revenue");
    CHECK_STR(c->segment, "segment");
    CHECK_STR(c->score, "score");
    CHECK(c->cost == NULL);
    CHECK(log_time_format(r) == LOG_TIME_ISO);
    CHECK(log_size(r) > 0 && log_bytes_read(r) == log_size(r));
    log_close(r);
}

static void test_csv(void)
{
    TEST("data: a CSV export with a BOM, CRLF, quoted fields, embedded commas, quotes and newlines")
        check_sample_events("tests/data/events.csv");
    TEST("data: the same export gzip-compressed")
        check_sample_events("tests/data/events.csv.gz");
    TEST("data: standard input (-)") {
        int saved = dup(0);
        FILE *f = fopen("tests/data/events.csv.gz", "rb");
        CHECK(f && saved >= 0);
        if (f && saved >= 0) {
            dup2(fileno(f), 0);
            char err[512];
            CHECK(count_events("-", NULL, err, sizeof err) == 5);
            lseek(0, 0, SEEK_SET);
            char *error = NULL;
            LogReader *r = log_open("-", NULL, &error);
            CHECK(r && strcmp(log_name(r), "<stdin>") == 0);
            log_close(r);
            dup2(saved, 0);
            close(saved);
            fclose(f);
        }
    }
    TEST("data: ';' delimiter detected, decimal comma, analytics column names") {
        char *error = NULL;
        LogReader *r = log_open("tests/data/semicolon.csv", NULL, &error);
        LogEvent ev;
        CHECK(r && log_next(r, &ev) == 1);
        if (r) {
            CHECK(str_is(ev.case_id, "u1") && str_is(ev.name, "signup") && ev.revenue == 12.5);
            CHECK(log_next(r, &ev) == 1 && ev.revenue == 3 && log_next(r, &ev) == 0);
            CHECK_STR(log_columns_used(r)->case_id, "user_id");
            CHECK_STR(log_columns_used(r)->time, "event_time");
            CHECK_STR(log_columns_used(r)->revenue, "amount");
        }
        log_close(r);
    }
    TEST("data: tab delimiter, epoch seconds") {
        char *error = NULL;
        LogReader *r = log_open("tests/data/tabs.tsv", NULL, &error);
        LogEvent ev;
        CHECK(r && log_next(r, &ev) == 1);
        if (r) {
            CHECK(str_is(ev.case_id, "k1") && str_is(ev.name, "start"));
            CHECK_NEAR(ev.time, day_of("2024-02-01"), 0);
            CHECK(log_next(r, &ev) == 1);
            CHECK_NEAR(ev.time * 86400, day_of("2024-02-01") * 86400 + 3600.5, 1e-5);
            CHECK(log_time_format(r) == LOG_TIME_EPOCH_S);
        }
        log_close(r);
    }
    TEST("data: epoch milliseconds detected from 13 digits") {
        char *error = NULL;
        LogReader *r = log_open("tests/data/epoch-ms.csv", NULL, &error);
        LogEvent ev;
        CHECK(r && log_next(r, &ev) == 1 && log_next(r, &ev) == 1);
        if (r) {
            CHECK_NEAR(ev.time * 86400, day_of("2024-02-01") * 86400 + 1.5, 1e-5);
            CHECK(log_time_format(r) == LOG_TIME_EPOCH_MS);
        }
        log_close(r);
    }
    TEST("data: blank lines skipped, no newline at the end, header only, names in any case") {
        char err[512];
        CHECK(count_events(write_text("a.csv", "Case_ID,EVENT,TimeStamp\n\nc,a,2024-01-01\r\n\r\nc,b,2024-01-02"), NULL,
                           err, sizeof err) == 2);
        CHECK(count_events(write_text("b.csv", "case_id,event,timestamp\n"), NULL, err, sizeof err) == 0);
        CHECK(count_events(write_text("c.csv", "case_id,event,timestamp"), NULL, err, sizeof err) == 0);
    }
    TEST("data: columns named by the caller") {
        LogOptions o = {.columns = {.time = "WHEN", .case_id = "event", .event = "customer_id"}};
        char *error = NULL;
        LogReader *r = log_open("tests/data/no-time-column.csv", &o, &error);
        LogEvent ev;
        CHECK(r && log_next(r, &ev) == 1);
        if (r) CHECK(str_is(ev.case_id, "a") && str_is(ev.name, "c1"));
        log_close(r);
    }
    TEST("data: records across the reader's buffer, a 3 MiB quoted field, line numbers") {
        const char *path = write_text("big.csv", "case_id,event,timestamp\n");
        FILE *f = fopen(path, "ab");
        long rows = 0;
        for (long size = 0; f && size < (9l << 20); rows++)
            size += fprintf(f, "case%ld,\"ev\n%ld\",2024-01-01T00:00:%02ldZ\n", rows % 1000, rows, rows % 60);
        if (f) {
            fputs("big,\"", f);
            for (long i = 0; i < (3l << 20); i++) putc('x', f);
            fputs("\",2024-01-02\nlast,e,2024-01-03\n", f);
            fclose(f);
        }
        char *error = NULL;
        LogReader *r = log_open(path, NULL, &error);
        LogEvent ev;
        long n = 0, bad = 0;
        int rc;
        while ((rc = log_next(r, &ev)) > 0) {
            if (n < rows && ev.line != (uint64_t)(2 + 2 * n)) bad++;
            if (n < rows && (ev.name.len < 3 || memcmp(ev.name.s, "ev\n", 3) != 0)) bad++;
            if (n == rows) CHECK(ev.name.len == (3u << 20) && ev.line == (uint64_t)(2 + 2 * rows));
            if (n == rows + 1) CHECK(str_is(ev.case_id, "last") && ev.line == (uint64_t)(3 + 2 * rows));
            n++;
        }
        CHECK(rc == 0 && n == rows + 2 && bad == 0);
        log_close(r);
    }
}

static void test_errors(void)
{
    TEST("data: a row with the wrong number of fields") {
        char err[512];
        CHECK(count_events("tests/data/bad-fields.csv", NULL, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data/bad-fields.csv:3: 4 fields where the header has 3");
        check_error("f.csv", "case_id,event,timestamp\n\"a\nb\",x\n", NULL, "%s:2: 2 fields where the header has 3");
    }
    TEST("data: a bad time") {
        char err[512];
        CHECK(count_events("tests/data/bad-time.csv", NULL, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data/bad-time.csv:3: column 'timestamp': cannot read '2024-13-01' as a time (ISO 8601, "
                       "the format of the column's first time)");
        check_error("t.csv", "case_id,event,ts\nc,a,yesterday\n", &(LogOptions){.columns.time = "ts"},
                    "%s:2: column 'ts': cannot read 'yesterday' as a time (ISO 8601, a date, or epoch seconds or milliseconds)");
        check_error("t.csv", "case_id,event,time\nc,a,2024-01-01\nc,b,1706745600\n", NULL,
                    "%s:3: column 'time': cannot read '1706745600' as a time (ISO 8601, the format of the column's first time)");
        check_error("t.csv", "case_id,event,time\nc,a,2024-01-01\n", &(LogOptions){.time_format = LOG_TIME_EPOCH_MS},
                    "%s:2: column 'time': cannot read '2024-01-01' as a time (epoch milliseconds, the time format given)");
        check_error("t.csv", "case_id,event,time\nc,a,2023-02-29T10:00:00Z\n", NULL,
                    "%s:2: column 'time': cannot read '2023-02-29T10:00:00Z' as a time (ISO 8601, the format of the column's first time)");
    }
    TEST("data: an unterminated quoted field") {
        char err[512];
        CHECK(count_events("tests/data/unterminated.csv", NULL, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data/unterminated.csv:3: unterminated quoted field (the quote opened at line 3)");
        check_error("q.csv", "case_id,event,timestamp\n\"c\n1\",\"x\n\ny,2024-01-01\n", NULL,
                    "%s:2: unterminated quoted field (the quote opened at line 3)");
        check_error("q.csv", "case_id,event,timestamp\nc,\"a\n\"\"\n\"\"b\n", NULL,
                    "%s:2: unterminated quoted field (the quote opened at line 2)");
    }
    TEST("data: text after a closing quote") {
        check_error("q.csv", "case_id,event,timestamp\nc,\"a\"b,2024-01-01\n", NULL,
                    "%s:2: column 'event': text after the closing quote of a quoted field (a quote inside a field is written \"\")");
    }
    TEST("data: an empty case, event or time") {
        char err[512];
        CHECK(count_events("tests/data/empty-case.csv", NULL, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data/empty-case.csv:3: column 'customer_id' is empty: every event needs its case");
        check_error("e.csv", "case_id,event,timestamp\nc,\"\",2024-01-01\n", NULL,
                    "%s:2: column 'event' is empty: every event needs a name");
        check_error("e.csv", "case_id,event,timestamp\nc,a,\n", NULL, "%s:2: column 'timestamp' is empty: every event needs a time");
    }
    TEST("data: a bad number") {
        check_error("n.csv", "case_id,event,timestamp,revenue\nc,a,2024-01-01,12 EUR\n", NULL,
                    "%s:2: column 'revenue': cannot read '12 EUR' as a number");
        check_error("n.csv", "case_id,event,timestamp,score\nc,a,2024-01-01,nan\n", NULL,
                    "%s:2: column 'score': cannot read 'nan' as a number");
    }
    TEST("data: a missing column lists the file's columns and the option") {
        char err[512];
        CHECK(count_events("tests/data/no-time-column.csv", NULL, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data/no-time-column.csv: no time column (tried time:timestamp, timestamp, event_time, time, "
                       "date); the file's columns are: customer_id, event, when; name one with --time COLUMN");
        LogOptions o = {.columns = {.time = "when", .revenue = "price"}};
        CHECK(count_events("tests/data/no-time-column.csv", &o, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data/no-time-column.csv: no column 'price' for the revenue (--revenue); the file's columns "
                       "are: customer_id, event, when");
        check_error("m.csv", "id,what,time\n", NULL,
                    "%s: no case column (tried case:concept:name, case_id, customer_id, user_id, client_id, case); the "
                    "file's columns are: id, what, time; name one with --case COLUMN");
    }
    TEST("data: a missing or empty file") {
        char err[512];
        CHECK(count_events("tests/data/nope.csv", NULL, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data/nope.csv: cannot open: No such file or directory");
        check_error("empty.csv", "", NULL, "%s: empty file (a CSV file starts with a header of column names)");
        CHECK(count_events("tests/data", NULL, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data: cannot read: Is a directory");
    }
    TEST("data: a truncated gzip file") {
        char err[512];
        CHECK(count_events("tests/data/truncated.csv.gz", NULL, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data/truncated.csv.gz: damaged gzip data after 747 bytes (zlib: unexpected end of file)");
    }
    TEST("data: a corrupted gzip file") {
        char err[512];
        CHECK(count_events("tests/data/corrupt.csv.gz", NULL, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data/corrupt.csv.gz: damaged gzip data after 753 bytes (zlib: invalid distance too far back)");
    }
    TEST("data: data after the end of a gzip stream") {
        char err[512];
        FILE *f = fopen("tests/data/events.csv.gz", "rb");
        char gz[1024];
        size_t n = f ? fread(gz, 1, sizeof gz - 8, f) : 0;
        if (f) fclose(f);
        memcpy(gz + n, "garbage!", 8);
        const char *path = write_file("trail.csv.gz", gz, n + 8);
        char expect[512];
        snprintf(expect, sizeof expect, "%s: damaged gzip data after %zu bytes (zlib: trailing data after the end of the compressed stream)",
                 path, n);
        CHECK(count_events(path, NULL, err, sizeof err) == -1);
        CHECK_STR(err, expect);
        /* Two members, one after the other, are one file (as gzip -d reads them). */
        CHECK(count_events("tests/data/two-members.csv.gz", NULL, err, sizeof err) == 2);
    }
}

static void test_times(void)
{
    TEST("data: ISO 8601 times, dates, offsets, fractions") {
        double d;
        CHECK(log_parse_time("1970-01-01", 10, LOG_TIME_AUTO, &d) && d == 0);
        CHECK(log_parse_time("1970-01-02T00:00:00Z", 20, LOG_TIME_AUTO, &d) && d == 1);
        CHECK(log_parse_time("1970-01-01T12:00", 16, LOG_TIME_AUTO, &d) && d == 0.5);
        CHECK(log_parse_time("1970-01-01t06:00:00z", 20, LOG_TIME_AUTO, &d) && d == 0.25);
        CHECK(log_parse_time("1970-01-02 00:00:00+12:00", 25, LOG_TIME_AUTO, &d) && d == 0.5);
        CHECK(log_parse_time("1970-01-01T00:00:00-1200", 24, LOG_TIME_AUTO, &d) && d == 0.5);
        CHECK(log_parse_time("1970-01-01T00:00:00-06", 22, LOG_TIME_AUTO, &d) && d == 0.25);
        CHECK(log_parse_time("1970-01-01 06:00:00 +00:00", 26, LOG_TIME_AUTO, &d) && d == 0.25);
        CHECK(log_parse_time("1970-01-01T00:00:00.864Z", 24, LOG_TIME_AUTO, &d));
        CHECK_NEAR(d, 0.864 / 86400, 1e-15);
        CHECK(log_parse_time("1970-01-01T00:00:00,5", 21, LOG_TIME_AUTO, &d));
        CHECK_NEAR(d, 0.5 / 86400, 1e-15);
        CHECK(log_parse_time("1970-01-01T24:00:00", 19, LOG_TIME_AUTO, &d) && d == 1);
        CHECK(log_parse_time("2000-03-01", 10, LOG_TIME_AUTO, &d) && d == 11017);
        CHECK(log_parse_time("2024-02-29", 10, LOG_TIME_AUTO, &d) && d == 19782);
        CHECK(log_parse_time("1969-12-31", 10, LOG_TIME_AUTO, &d) && d == -1);
        static const char *const bad[] = {"2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "2024-1-01",
                                          "2024-01-01T10", "2024-01-01T25:00", "2024-01-01T10:60", "2024-01-01T10:00:61",
                                          "2024-01-01T24:00:01", "2024-01-01T10:00:00+25:00", "2024-01-01T10:00:00X",
                                          "2024-01-01T10:00:00.", "2024-01-01x", "abc", "", "2024/01/01", "12:00"};
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            bool ok = log_parse_time(bad[i], strlen(bad[i]), LOG_TIME_AUTO, &d);
            if (ok) printf("  accepted '%s'\n", bad[i]);
            CHECK(!ok);
        }
    }
    TEST("data: epoch seconds and milliseconds") {
        double d;
        CHECK(log_parse_time("86400", 5, LOG_TIME_AUTO, &d) && d == 1);
        CHECK(log_parse_time("43200.5", 7, LOG_TIME_EPOCH_S, &d));
        CHECK_NEAR(d * 86400, 43200.5, 1e-6);
        CHECK(log_parse_time("-86400", 6, LOG_TIME_AUTO, &d) && d == -1);
        CHECK(log_parse_time("86400000", 8, LOG_TIME_EPOCH_MS, &d) && d == 1);
        CHECK(log_parse_time("99999999999", 11, LOG_TIME_AUTO, &d));  /* 11 digits: seconds */
        CHECK_NEAR(d, 99999999999.0 / 86400, 1e-6);
        CHECK(log_parse_time("864000000000", 12, LOG_TIME_AUTO, &d) && d == 10000); /* 12 digits: ms */
        CHECK(log_parse_time("1706745600000", 13, LOG_TIME_AUTO, &d));
        CHECK_NEAR(d, day_of("2024-02-01"), 1e-12);
        CHECK(!log_parse_time("2024-01-01", 10, LOG_TIME_EPOCH_S, &d));
        CHECK(!log_parse_time("1706745600", 10, LOG_TIME_ISO, &d));
        CHECK(!log_parse_time("17067x", 6, LOG_TIME_AUTO, &d));
        CHECK(!log_parse_time("1.2.3", 5, LOG_TIME_AUTO, &d));
    }
}

/* Reads two logs side by side: the same events, in the same order. */
static void check_same_events(const char *a, const char *b, long want)
{
    char *error = NULL;
    LogReader *ra = log_open(a, NULL, &error), *rb = log_open(b, NULL, &error);
    CHECK(ra && rb);
    if (!ra || !rb) {
        printf("  %s\n", error ? error : "?");
        free(error);
        log_close(ra);
        log_close(rb);
        return;
    }
    LogEvent ea, eb;
    long n = 0, differ = 0;
    int rc;
    while ((rc = log_next(ra, &ea)) > 0) {
        if (log_next(rb, &eb) != 1) {
            differ++;
            break;
        }
        bool same = ea.case_id.len == eb.case_id.len && memcmp(ea.case_id.s, eb.case_id.s, ea.case_id.len) == 0 &&
                    ea.name.len == eb.name.len && memcmp(ea.name.s, eb.name.s, ea.name.len) == 0 &&
                    ea.channel.len == eb.channel.len && memcmp(ea.channel.s, eb.channel.s, ea.channel.len) == 0 &&
                    ea.time == eb.time && ea.cost == eb.cost;
        differ += !same;
        n++;
    }
    CHECK(rc == 0 && log_next(rb, &eb) == 0 && n == want && differ == 0);
    log_close(ra);
    log_close(rb);
}

static void test_xes(void)
{
    TEST("data: the running example, XES and CSV: 42 events of 6 cases, the same") {
        check_same_events("tests/data/running-example.csv", "tests/data/running-example.xes", 42);
        check_same_events("tests/data/running-example.xes.gz", "tests/data/running-example.xes", 42);
        char *error = NULL;
        LogReader *r = log_open("tests/data/running-example.xes", NULL, &error);
        LogEvent ev;
        CHECK(r && log_format(r) == LOG_XES && log_next(r, &ev) == 1);
        if (r) {
            CHECK(str_is(ev.case_id, "1") && str_is(ev.name, "register request") && str_is(ev.channel, "Ben"));
            CHECK(ev.cost == 50 && ev.line == 12);
            CHECK_NEAR(ev.time, day_of("2023-03-06T10:00:00Z"), 1e-12);
            const LogColumns *c = log_columns_used(r);
            CHECK_STR(c->case_id, "concept:name");
            CHECK_STR(c->event, "concept:name");
            CHECK_STR(c->time, "time:timestamp");
            CHECK_STR(c->channel, "org:resource");
            CHECK_STR(c->cost, "cost");
            CHECK(log_time_format(r) == LOG_TIME_ISO);
        }
        log_close(r);
    }
    TEST("data: XES trace attributes, a case id after the events, nested attributes ignored") {
        char *error = NULL;
        LogReader *r = log_open("tests/data/late-case-id.xes", NULL, &error);
        LogEvent ev;
        CHECK(r && log_next(r, &ev) == 1);
        if (r) {
            CHECK(str_is(ev.case_id, "late") && str_is(ev.name, "a") && str_is(ev.segment, "SMB") && ev.line == 5);
            CHECK(log_next(r, &ev) == 1 && str_is(ev.name, "b") && ev.revenue == 5 && str_is(ev.case_id, "late"));
            CHECK(log_next(r, &ev) == 1 && str_is(ev.case_id, "early") && str_is(ev.channel, "mail"));
            CHECK(str_is(ev.name, "c") && str_is(ev.segment, NULL));
            CHECK_NEAR(ev.time, day_of("2024-01-02T22:00:00Z"), 1e-12);
            CHECK(log_next(r, &ev) == 1 && str_is(ev.name, "d") && str_is(ev.channel, "web"));
            CHECK(log_next(r, &ev) == 0);
        }
        log_close(r);
    }
    TEST("data: XES found from its content, whatever the file's name") {
        FILE *f = fopen("tests/data/late-case-id.xes", "rb");
        char text[2048];
        size_t n = f ? fread(text, 1, sizeof text, f) : 0;
        if (f) fclose(f);
        char err[512];
        CHECK(count_events(write_file("log.txt", text, n), NULL, err, sizeof err) == 4);
    }
    TEST("data: malformed XML") {
        char err[512];
        CHECK(count_events("tests/data/malformed.xes", NULL, err, sizeof err) == -1);
        CHECK_STR(err, "tests/data/malformed.xes:7: XML error: mismatched tag");
        check_error("e.xes", "", NULL, "%s:1: XML error: no element found");
    }
    TEST("data: XES events without a name or time, a trace without a case id, a bad date") {
        check_error("x.xes", "<log><trace><string key=\"concept:name\" value=\"1\"/>\n<event>\n<date key=\"time:timestamp\" "
                             "value=\"2024-01-01\"/></event></trace></log>",
                    NULL, "%s:2: an event with no concept:name (its name)");
        check_error("x.xes", "<log><trace><string key=\"concept:name\" value=\"1\"/>\n<event>\n<string key=\"concept:name\" "
                             "value=\"a\"/></event></trace></log>",
                    NULL, "%s:2: an event with no time:timestamp (its time)");
        check_error("x.xes", "<log>\n<trace><event><string key=\"concept:name\" value=\"a\"/><date key=\"time:timestamp\" "
                             "value=\"2024-01-01\"/></event></trace></log>",
                    NULL, "%s:2: a trace with no concept:name (its case id)");
        check_error("x.xes", "<log><trace><string key=\"concept:name\" value=\"1\"/><event>\n<date key=\"time:timestamp\" "
                             "value=\"May 1st\"/></event></trace></log>",
                    NULL, "%s:2: attribute 'time:timestamp': cannot read 'May 1st' as a time (ISO 8601)");
    }
}

static void test_paths(void)
{
    TEST("data: a ChannelAttribution path table") {
        for (int gz = 0; gz < 2; gz++) {
            char *error = NULL;
            LogReader *r = log_open(gz ? "tests/data/paths.csv.gz" : "tests/data/paths.csv", NULL, &error);
            LogPath p;
            CHECK(r && log_format(r) == LOG_PATHS && log_next_path(r, &p) == 1);
            if (!r) continue;
            CHECK(p.nsteps == 3 && str_is(p.steps[0], "search") && str_is(p.steps[1], "email") && str_is(p.steps[2], "web"));
            CHECK(p.conversions == 12 && p.nulls == 30 && p.value == 1200.5 && p.line == 2);
            CHECK(log_next_path(r, &p) == 1 && p.nsteps == 2 && str_is(p.steps[0], "display") && str_is(p.steps[1], "web"));
            CHECK(p.conversions == 0 && p.nulls == 7 && isnan(p.value));
            CHECK(log_next_path(r, &p) == 1 && p.nsteps == 1 && p.conversions == 3 && p.value == 90);
            CHECK(log_next_path(r, &p) == 0);
            LogEvent ev;
            CHECK(log_next(r, &ev) == -1);
            CHECK_STR(log_error(r), gz ? "tests/data/paths.csv.gz: a path table has paths, not events"
                                       : "tests/data/paths.csv: a path table has paths, not events");
            log_close(r);
        }
    }
    TEST("data: path table errors") {
        char *error = NULL;
        const char *path = write_text("p.csv", "path,total_conversions\na >  > b,1\n");
        LogReader *r = log_open(path, NULL, &error);
        LogPath p;
        char expect[512];
        CHECK(r && log_next_path(r, &p) == -1);
        snprintf(expect, sizeof expect, "%s:2: column 'path': an empty step in the path 'a >  > b'", path);
        if (r) CHECK_STR(log_error(r), expect);
        log_close(r);
        path = write_text("p.csv", "path,total_conversions,total_null\na > b,-1,0\n");
        r = log_open(path, NULL, &error);
        CHECK(r && log_next_path(r, &p) == -1);
        snprintf(expect, sizeof expect, "%s:2: column 'total_conversions': cannot read '-1' as a count (a number, 0 or more)", path);
        if (r) CHECK_STR(log_error(r), expect);
        log_close(r);
        LogOptions o = {.format = LOG_PATHS};
        check_error("p.csv", "path,conversions\na,1\n", &o,
                    "%s: a path table needs a column 'total_conversions'; the file's columns are: path, conversions");
    }
}

static void test_csvfile(void)
{
    TEST("data: the generic CsvFile") {
        char *error = NULL;
        CsvFile *t = csvf_open("tests/data/events.csv.gz", &error);
        CHECK(t != NULL);
        if (!t) return;
        const char *const *names;
        CHECK(csvf_columns(t, &names) == 7 && strcmp(names[0], "customer_id") == 0 && strcmp(names[6], "score") == 0);
        const LogStr *f;
        uint64_t line;
        int rows = 0, n;
        while ((n = csvf_next_row(t, &f, &line)) > 0) {
            if (rows == 3) CHECK(str_is(f[1], "Multi\r\nline") && line == 5 && f[6].len == 0);
            rows++;
        }
        CHECK(n == 0 && rows == 5 && csvf_error(t) == NULL);
        CHECK_STR(csvf_name(t), "tests/data/events.csv.gz");
        csvf_close(t);
        t = csvf_open("tests/data/bad-fields.csv", &error);
        while (t && (n = csvf_next_row(t, &f, &line)) > 0) {}
        CHECK(t && n == -1);
        if (t) CHECK_STR(csvf_error(t), "tests/data/bad-fields.csv:3: 4 fields where the header has 3");
        csvf_close(t);
        CHECK(csvf_open("tests/data/nope.csv", &error) == NULL);
        CHECK_STR(error, "tests/data/nope.csv: cannot open: No such file or directory");
        free(error);
    }
}

static void remove_tmpdir(void)
{
    static const char *const names[] = {"a.csv", "b.csv", "c.csv", "big.csv", "f.csv", "t.csv", "q.csv", "e.csv", "n.csv",
                                        "m.csv", "empty.csv", "trail.csv.gz", "log.txt", "e.xes", "x.xes",
                                        "p.csv"};
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

void unit_data(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s", "/tmp/cjm-unit-data-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("FAIL data: cannot make a temporary folder\n");
        unit_failures++;
        return;
    }
    test_csv();
    test_errors();
    test_times();
    test_xes();
    test_paths();
    test_csvfile();
    remove_tmpdir();
}
