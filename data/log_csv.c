/* log_csv.c: the RFC 4180 reader (log_csv.h) and the CsvFile functions of log.h.
 *
 * The hot loop scans unquoted fields with a table of the two bytes that end one (the delimiter
 * and '\n'); a '\n' written after the buffered bytes stops it without a bounds check. A record is
 * parsed only when all of it is in the buffer: when the scan reaches the end of the bytes read,
 * the record's start moves to the buffer's front, more is read, and the record is parsed again
 * (so nothing is changed in place until a record is whole). */
#include "log_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log_util.h"

enum {
    FIRST_CAP = 4 << 20,             /* the buffer, and so the bytes read at a time */
    SMALL_CAP = 64 * 1024,           /* a small file's buffer */
    MAX_RECORD = 64 << 20            /* a longer record is a runaway quote, or not a CSV file */
};

struct CsvFile {
    LogInput *in;
    char *buf;                  /* bytes buf[pos, end) not yet parsed; buf[end] == '\n' */
    size_t cap, pos, end;
    bool eof;
    char delim;
    unsigned char stop[256];    /* the bytes that end an unquoted field */
    uint64_t line;              /* the line the next record starts on */
    LogStr *fields;
    unsigned char *escaped;     /* whether field i has "" to unescape */
    int fcap;
    char **names;
    int ncols;
    char *error;
};

int csv_fail(CsvFile *t, char *message)
{
    if (!t->error) t->error = message;
    else free(message);
    return -1;
}

/* Moves the unparsed bytes to the front and reads more; grows the buffer when it is full. */
static int refill(CsvFile *t)
{
    size_t keep = t->end - t->pos;
    if (t->pos > 0) memmove(t->buf, t->buf + t->pos, keep);
    t->pos = 0;
    t->end = keep;
    if (t->end == t->cap) {
        t->cap *= 2;
        t->buf = log_realloc(t->buf, t->cap + 1);
    }
    long n = input_read(t->in, t->buf + t->end, t->cap - t->end);
    if (n < 0) return csv_fail(t, log_strndup(input_error(t->in), strlen(input_error(t->in))));
    if (n == 0) t->eof = true;
    t->end += (size_t)n;
    t->buf[t->end] = '\n';
    return 0;
}

static void grow_fields(CsvFile *t)
{
    t->fcap = t->fcap ? t->fcap * 2 : 16;
    t->fields = log_realloc(t->fields, (size_t)t->fcap * sizeof *t->fields);
    t->escaped = log_realloc(t->escaped, (size_t)t->fcap);
}

static inline void push_field(CsvFile *t, int i, const char *s, size_t len, bool escaped)
{
    if (i >= t->fcap) grow_fields(t);
    t->fields[i].s = s;
    t->fields[i].len = len;
    t->escaped[i] = escaped;
}

static const char *column_name(const CsvFile *t, int i, char *tmp, size_t n)
{
    if (i < t->ncols) snprintf(tmp, n, "column '%s'", t->names[i]);
    else snprintf(tmp, n, "field %d", i + 1);
    return tmp;
}

typedef enum { REC_OK, REC_MORE, REC_ERROR } RecStatus;

static size_t count_newlines(const char *s, const char *e)
{
    size_t n = 0;
    while ((s = memchr(s, '\n', (size_t)(e - s))) != NULL) {
        n++;
        s++;
    }
    return n;
}

/* Parses the record at pos into fields: REC_MORE when it does not end within the bytes read. */
static RecStatus parse_record(CsvFile *t, int *nfields, size_t *newlines, bool *blank)
{
    *blank = false;
    char *p = t->buf + t->pos, *end = t->buf + t->end;
    const unsigned char *stop = t->stop;
    const char delim = t->delim;
    size_t nl = 0;
    int nf = 0;
    for (;;) {
        if (*p != '"') {
            char *s = p;
            while (!stop[(unsigned char)*p]) p++;
            if (p == end && !t->eof) return REC_MORE;
            size_t len = (size_t)(p - s);
            if (*p == '\n' && len > 0 && p[-1] == '\r') len--;
            push_field(t, nf++, s, len, false);
            if (nf == 1 && len == 0 && *p == '\n') *blank = true;
        } else {
            char *s = p + 1, *q = s;
            bool escaped = false;
            size_t opened = nl; /* newlines of the record before this field's quote */
            for (;;) {
                char *quote = memchr(q, '"', (size_t)(end - q));
                if (!quote) {
                    if (!t->eof) return REC_MORE;
                    csv_fail(t, log_fmt("%s:%llu: unterminated quoted field (the quote opened at line %llu)",
                                        input_name(t->in), (unsigned long long)t->line,
                                        (unsigned long long)(t->line + opened)));
                    return REC_ERROR;
                }
                if (quote + 1 == end && !t->eof) return REC_MORE;
                nl += count_newlines(q, quote);
                if (quote[1] == '"' && quote + 1 < end) {
                    escaped = true;
                    q = quote + 2;
                    continue;
                }
                p = quote + 1;
                break;
            }
            push_field(t, nf++, s, (size_t)(p - 1 - s), escaped);
            if (*p == '\r' && p + 1 < end && p[1] == '\n') p++;
            else if (*p == '\r' && p + 1 == end && !t->eof) return REC_MORE;
            if (*p != delim && *p != '\n') {
                char name[300];
                csv_fail(t, log_fmt("%s:%llu: %s: text after the closing quote of a quoted field (a quote inside a field is written \"\")",
                                    input_name(t->in), (unsigned long long)(t->line + nl),
                                    column_name(t, nf - 1, name, sizeof name)));
                return REC_ERROR;
            }
        }
        if (*p == delim) {
            p++;
            continue;
        }
        /* *p == '\n': the record ends (at `end`, the sentinel: the file's last line). */
        if (p < end) p++;
        t->pos = (size_t)(p - t->buf);
        *nfields = nf;
        *newlines = nl;
        return REC_OK;
    }
}

/* Removes the doubled quotes of an escaped field, in place. */
static void unescape(LogStr *f)
{
    char *w = (char *)f->s;
    const char *r = f->s, *e = f->s + f->len;
    while (r < e) {
        if (*r == '"') r++;
        *w++ = *r++;
    }
    f->len = (size_t)(w - f->s);
}

/* The next record, with blank lines skipped: its field count, 0 at the end, -1 on an error. */
static int read_record(CsvFile *t, uint64_t *line)
{
    for (;;) {
        if (t->error) return -1;
        if (t->pos == t->end) {
            if (t->eof) return 0;
            if (refill(t) < 0) return -1;
            continue;
        }
        int nf;
        size_t nl;
        bool blank;
        RecStatus st = parse_record(t, &nf, &nl, &blank);
        if (st == REC_ERROR) return -1;
        if (st == REC_MORE) {
            if (t->end - t->pos >= MAX_RECORD)
                return csv_fail(t, log_fmt("%s:%llu: a record longer than %d MiB (a quoted field never closed?)",
                                           input_name(t->in), (unsigned long long)t->line, MAX_RECORD >> 20));
            if (refill(t) < 0) return -1;
            continue;
        }
        *line = t->line;
        t->line += 1 + nl;
        if (blank) continue;
        for (int i = 0; i < nf; i++) {
            if (t->escaped[i]) unescape(&t->fields[i]);
            ((char *)t->fields[i].s)[t->fields[i].len] = '\0';
        }
        return nf;
    }
}

/* The delimiter of the header line: the most frequent of ',', ';' and tab outside quotes. */
static char detect_delimiter(const char *s, const char *e)
{
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    for (; s < e && (quoted || *s != '\n'); s++) {
        if (*s == '"') quoted = !quoted;
        else if (!quoted) {
            comma += *s == ',';
            semi += *s == ';';
            tab += *s == '\t';
        }
    }
    if (semi > comma && semi >= tab) return ';';
    if (tab > comma && tab > semi) return '\t';
    return ',';
}

CsvFile *csv_open(LogInput *in, char delimiter, char **error)
{
    CsvFile *t = log_zalloc(1, sizeof *t);
    t->in = in;
    /* A small plain file needs no large buffer (it would cost more than reading it). */
    uint64_t size = input_is_gzip(in) ? 0 : input_size(in);
    t->cap = size > 0 && size < FIRST_CAP ? (size < SMALL_CAP ? SMALL_CAP : (size_t)size + 1) : FIRST_CAP;
    t->buf = log_alloc(t->cap + 1);
    t->buf[0] = '\n';
    t->line = 1;
    if (refill(t) < 0) goto fail;
    while (!t->eof && t->end < 4096)
        if (refill(t) < 0) goto fail;
    if (t->end >= 3 && memcmp(t->buf, "\xEF\xBB\xBF", 3) == 0) t->pos = 3;
    t->delim = delimiter ? delimiter : detect_delimiter(t->buf + t->pos, t->buf + t->end);
    t->stop[(unsigned char)t->delim] = 1;
    t->stop['\n'] = 1;
    uint64_t line;
    int n = read_record(t, &line);
    if (n < 0) goto fail;
    if (n == 0) {
        csv_fail(t, log_fmt("%s: empty file (a CSV file starts with a header of column names)", input_name(in)));
        goto fail;
    }
    t->ncols = n;
    t->names = log_alloc((size_t)n * sizeof *t->names);
    for (int i = 0; i < n; i++) t->names[i] = log_strndup(t->fields[i].s, t->fields[i].len);
    return t;
fail:
    *error = t->error;
    t->error = NULL;
    csvf_close(t);
    return NULL;
}

int csv_next(CsvFile *t, const LogStr **fields, uint64_t *line)
{
    int n = read_record(t, line);
    if (n <= 0) return n;
    if (n != t->ncols)
        return csv_fail(t, log_fmt("%s:%llu: %d field%s where the header has %d", input_name(t->in),
                                   (unsigned long long)*line, n, n == 1 ? "" : "s", t->ncols));
    *fields = t->fields;
    return n;
}

int csv_ncols(const CsvFile *t) { return t->ncols; }
const char *csv_col(const CsvFile *t, int i) { return t->names[i]; }
LogInput *csv_input(const CsvFile *t) { return t->in; }
char csv_delimiter(const CsvFile *t) { return t->delim; }

/* ---- the generic CsvFile of log.h ---- */

CsvFile *csvf_open(const char *path, char **error)
{
    LogInput *in = input_open(path, error);
    return in ? csv_open(in, 0, error) : NULL;
}

int csvf_columns(const CsvFile *t, const char *const **names)
{
    *names = (const char *const *)t->names;
    return t->ncols;
}

int csvf_next_row(CsvFile *t, const LogStr **fields, uint64_t *line) { return csv_next(t, fields, line); }
const char *csvf_error(const CsvFile *t) { return t->error; }
const char *csvf_name(const CsvFile *t) { return input_name(t->in); }

void csvf_close(CsvFile *t)
{
    if (!t) return;
    input_close(t->in);
    for (int i = 0; i < t->ncols; i++) free(t->names[i]);
    free(t->names);
    free(t->buf);
    free(t->fields);
    free(t->escaped);
    free(t->error);
    free(t);
}
