/* fuzz_data.c: fuzz harness for the data layer (data/log.h): the input, after a first byte that
 * chooses how it is read, is written to a temporary file (gzip-compressed, and maybe cut short,
 * when the first byte says so) and read whole as an event log (CSV or XES), a path table and a
 * generic CSV table; its first line also goes to log_parse_time. Every event handed out must have
 * a case, a name and a finite time; a reader that stops on an error must say why. Built with
 * libFuzzer by `make fuzz FUZZ_TARGET=data`, and with tests/fuzz/replay.c by `make test`. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cjm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static volatile unsigned checksum; /* so that the bytes read are not optimised away */

static void remove_file(void) { unlink(path); }

/* The temporary file, made once per process. */
static const char *scratch(void)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "%s", "/tmp/cjm-fuzz-data-XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0) abort();
        close(fd);
        atexit(remove_file);
    }
    return path;
}

/* gzip of data[0, size) into a malloc'd buffer. */
static unsigned char *gzip(const uint8_t *data, size_t size, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    size_t cap = deflateBound(&z, (uLong)size) + 64;
    unsigned char *out = malloc(cap);
    if (!out) abort();
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)size;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static void write_scratch(const uint8_t *data, size_t size)
{
    FILE *f = fopen(scratch(), "wb");
    if (!f) abort();
    if (size) fwrite(data, 1, size, f);
    fclose(f);
}

static void check_str(LogStr s, bool required)
{
    if (required && (!s.s || s.len == 0)) abort();
    /* Every byte of it must be readable (ASan, valgrind). */
    unsigned sum = 0;
    for (size_t i = 0; s.s && i < s.len; i++) sum += (unsigned char)s.s[i];
    checksum += sum;
}

static void read_log(const LogOptions *o)
{
    char *error = NULL;
    LogReader *r = log_open(scratch(), o, &error);
    if (!r) {
        if (!error) abort();
        free(error);
        return;
    }
    int rc;
    if (log_format(r) == LOG_PATHS) {
        LogPath p;
        while ((rc = log_next_path(r, &p)) > 0) {
            if (p.nsteps < 1 || p.nsteps > LOG_MAX_PATH_STEPS || !(p.conversions >= 0) || !(p.nulls >= 0)) abort();
            for (int i = 0; i < p.nsteps; i++) check_str(p.steps[i], true);
        }
    } else {
        LogEvent ev;
        while ((rc = log_next(r, &ev)) > 0) {
            check_str(ev.case_id, true);
            check_str(ev.name, true);
            check_str(ev.channel, false);
            check_str(ev.segment, false);
            if (!isfinite(ev.time)) abort();
        }
    }
    if (rc < 0 && !log_error(r)) abort();
    (void)log_columns_used(r);
    (void)log_time_format(r);
    if (log_size(r) && log_bytes_read(r) > log_size(r)) abort();
    log_close(r);
}

static void read_table(void)
{
    char *error = NULL;
    CsvFile *t = csvf_open(scratch(), &error);
    if (!t) {
        free(error);
        return;
    }
    const char *const *names;
    int ncols = csvf_columns(t, &names), n;
    const LogStr *f;
    uint64_t line;
    while ((n = csvf_next_row(t, &f, &line)) > 0) {
        if (n != ncols) abort();
        for (int i = 0; i < n; i++) check_str(f[i], false);
    }
    if (n < 0 && !csvf_error(t)) abort();
    csvf_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    uint8_t how = data[0];
    data++;
    size--;
    /* The first line as a time, in each format. */
    const uint8_t *nl = memchr(data, '\n', size);
    size_t first = nl ? (size_t)(nl - data) : size;
    double d;
    for (int f = 0; f < 4; f++)
        if (log_parse_time((const char *)data, first, (LogTimeFormat)f, &d) && !isfinite(d)) abort();

    if (how & 4) {
        size_t len;
        unsigned char *gz = gzip(data, size, &len);
        if (how & 8) len = len * (how >> 4) / 16; /* cut short */
        write_scratch(gz, len);
        free(gz);
    } else {
        write_scratch(data, size);
    }
    LogOptions o = {.format = (LogFormat)(how & 3)};
    o.time_format = (LogTimeFormat)((how >> 4) & 3);
    if (how & 0x40) o.delimiter = ';';
    if (how & 0x80) o.columns = (LogColumns){.case_id = "c", .event = "e", .time = "t", .revenue = "r", .segment = "s"};
    read_log(&o);
    if ((how & 3) == LOG_AUTO) read_table();
    return 0;
}
