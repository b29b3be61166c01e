/* log_input.c: a log file's bytes, plain or gzip (log_input.h). Reads go straight to the caller's
 * buffer with read(2) for a plain file; a gzip file is read a block at a time and inflated into
 * it. The first bytes can be looked at before they are consumed (the format is decided from
 * them). */
#include "log_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log_util.h"

/* A gzip file is read 1 MiB at a time; a plain one goes straight into the caller's buffer, after
 * the first small read that tells which it is. */
enum { RAW_BLOCK = 1 << 20, FIRST_READ = 64 * 1024, PEEK_MAX = 4096 };

struct LogInput {
    int fd;
    bool owns_fd;
    char *name;
    uint64_t size, bytes_read;
    bool eof;                   /* the file has no more raw bytes */
    bool gzip, inflating, done;
    z_stream z;
    unsigned char *raw;         /* raw bytes read, not yet consumed: raw[raw_pos, raw_len) */
    size_t raw_pos, raw_len, raw_cap;
    char *peeked;               /* content bytes looked at and not yet consumed */
    size_t peek_pos, peek_len;
    char *error;
};

static void fail(LogInput *in, char *message)
{
    if (!in->error) in->error = message;
    else free(message);
}

/* Reads more raw bytes into in->raw (which must be consumed up to raw_pos). */
static int read_raw(LogInput *in)
{
    if (in->raw_pos < in->raw_len) {
        memmove(in->raw, in->raw + in->raw_pos, in->raw_len - in->raw_pos);
        in->raw_len -= in->raw_pos;
    } else {
        in->raw_len = 0;
    }
    in->raw_pos = 0;
    for (;;) {
        ssize_t n = read(in->fd, in->raw + in->raw_len, in->raw_cap - in->raw_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            fail(in, log_fmt("%s: cannot read: %s", in->name, strerror(errno)));
            return -1;
        }
        if (n == 0) in->eof = true;
        in->raw_len += (size_t)n;
        in->bytes_read += (uint64_t)n;
        return 0;
    }
}

LogInput *input_open(const char *path, char **error)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? 0 : open(path, O_RDONLY);
    if (fd < 0) {
        *error = log_fmt("%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    LogInput *in = log_zalloc(1, sizeof *in);
    in->fd = fd;
    in->owns_fd = !is_stdin;
    in->name = log_strndup(is_stdin ? "<stdin>" : path, strlen(is_stdin ? "<stdin>" : path));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) in->size = (uint64_t)st.st_size;
    in->raw_cap = FIRST_READ;
    in->raw = log_alloc(in->raw_cap);
    /* The first two bytes say gzip (1f 8b) or not. */
    while (in->raw_len < 2 && !in->eof)
        if (read_raw(in) < 0) {
            *error = in->error;
            in->error = NULL;
            input_close(in);
            return NULL;
        }
    in->gzip = in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b;
    if (in->gzip) {
        in->raw_cap = RAW_BLOCK;
        in->raw = log_realloc(in->raw, in->raw_cap);
    }
    return in;
}

static long damaged(LogInput *in, const char *why)
{
    uint64_t at = in->bytes_read - (in->raw_len - in->raw_pos);
    fail(in, log_fmt("%s: damaged gzip data after %llu bytes (zlib: %s)", in->name,
                     (unsigned long long)at, why));
    return -1;
}

/* Starts inflating a gzip member at raw_pos (or ends the content when the file ends there). */
static int next_member(LogInput *in)
{
    if (in->raw_pos == in->raw_len && !in->eof && read_raw(in) < 0) return -1;
    if (in->raw_pos == in->raw_len) {
        in->done = true;
        return 0;
    }
    if (in->raw_len - in->raw_pos < 2 && !in->eof && read_raw(in) < 0) return -1;
    if (in->raw_len - in->raw_pos < 2 || in->raw[in->raw_pos] != 0x1f || in->raw[in->raw_pos + 1] != 0x8b)
        return (int)damaged(in, "trailing data after the end of the compressed stream");
    int rc = in->inflating ? inflateReset(&in->z) : inflateInit2(&in->z, 15 + 16);
    if (rc != Z_OK) return (int)damaged(in, in->z.msg ? in->z.msg : "cannot start inflating");
    in->inflating = true;
    return 1;
}

static long read_gzip(LogInput *in, char *dst, size_t cap)
{
    if (in->done) return 0;
    if (!in->inflating) {
        int rc = next_member(in);
        if (rc <= 0) return rc;
    }
    in->z.next_out = (unsigned char *)dst;
    in->z.avail_out = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
    while (in->z.avail_out > 0) {
        if (in->raw_pos == in->raw_len) {
            if (in->eof) {
                if (in->z.next_out != (unsigned char *)dst) break; /* hand out what we have first */
                return damaged(in, "unexpected end of file");
            }
            if (read_raw(in) < 0) return -1;
            continue;
        }
        in->z.next_in = in->raw + in->raw_pos;
        in->z.avail_in = (uInt)(in->raw_len - in->raw_pos);
        int rc = inflate(&in->z, Z_NO_FLUSH);
        in->raw_pos = in->raw_len - in->z.avail_in;
        if (rc == Z_STREAM_END) {
            int next = next_member(in);
            if (next < 0) return -1;
            if (next == 0) break;
            continue;
        }
        if (rc == Z_NEED_DICT) return damaged(in, "a preset dictionary is needed");
        if (rc == Z_DATA_ERROR) return damaged(in, in->z.msg ? in->z.msg : "invalid data");
        if (rc == Z_MEM_ERROR) return damaged(in, "out of memory");
        if (rc != Z_OK && rc != Z_BUF_ERROR) return damaged(in, in->z.msg ? in->z.msg : "error");
    }
    return (long)((char *)in->z.next_out - dst);
}

static long read_plain(LogInput *in, char *dst, size_t cap)
{
    if (in->raw_pos < in->raw_len) {
        size_t n = in->raw_len - in->raw_pos;
        if (n > cap) n = cap;
        memcpy(dst, in->raw + in->raw_pos, n);
        in->raw_pos += n;
        return (long)n;
    }
    if (in->eof) return 0;
    for (;;) {
        ssize_t n = read(in->fd, dst, cap);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            fail(in, log_fmt("%s: cannot read: %s", in->name, strerror(errno)));
            return -1;
        }
        if (n == 0) in->eof = true;
        in->bytes_read += (uint64_t)n;
        return (long)n;
    }
}

static long read_content(LogInput *in, char *dst, size_t cap)
{
    if (in->error) return -1;
    if (cap > ((size_t)1 << 30)) cap = (size_t)1 << 30;
    return in->gzip ? read_gzip(in, dst, cap) : read_plain(in, dst, cap);
}

long input_peek(LogInput *in, const char **bytes, size_t n)
{
    if (n > PEEK_MAX) n = PEEK_MAX;
    if (!in->peeked) in->peeked = log_alloc(PEEK_MAX);
    while (in->peek_len < n) {
        long got = read_content(in, in->peeked + in->peek_len, n - in->peek_len);
        if (got < 0) return -1;
        if (got == 0) break;
        in->peek_len += (size_t)got;
    }
    *bytes = in->peeked + in->peek_pos;
    return (long)(in->peek_len - in->peek_pos);
}

long input_read(LogInput *in, char *dst, size_t cap)
{
    if (in->peek_pos < in->peek_len) {
        size_t n = in->peek_len - in->peek_pos;
        if (n > cap) n = cap;
        memcpy(dst, in->peeked + in->peek_pos, n);
        in->peek_pos += n;
        return (long)n;
    }
    return read_content(in, dst, cap);
}

const char *input_error(const LogInput *in) { return in->error; }
const char *input_name(const LogInput *in) { return in->name; }
bool input_is_gzip(const LogInput *in) { return in->gzip; }
uint64_t input_bytes_read(const LogInput *in) { return in->bytes_read; }
uint64_t input_size(const LogInput *in) { return in->size; }

void input_close(LogInput *in)
{
    if (!in) return;
    if (in->inflating) inflateEnd(&in->z);
    if (in->owns_fd) close(in->fd);
    free(in->raw);
    free(in->peeked);
    free(in->name);
    free(in->error);
    free(in);
}
