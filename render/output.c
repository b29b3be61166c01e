/* output.c: atomic writing of result files and writing to standard output (see output.h). */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_stdout(const void *data, size_t len, const char **what)
{
    *what = "write";
    if (fflush(stdout) != 0) return errno ? errno : EIO;
    int err = write_all(STDOUT_FILENO, data, len);
    return err;
}

/* A target that exists and is not a regular file (/dev/null, /dev/stdout, a FIFO) is written in
 * place: renaming a temporary file over it would replace the device itself. */
static int write_special(const char *path, const void *data, size_t len, const char **what)
{
    *what = "open";
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) return errno;
    *what = "write";
    int err = write_all(fd, data, len);
    if (close(fd) != 0 && !err) err = errno;
    return err;
}

/* The temporary file being written, for output_remove_pending() in a signal handler: the name
 * is built here before mkstemp() fills it in, and `pending` is set for as long as the file may
 * exist. */
static char pending_name[4096];
static volatile sig_atomic_t pending;

void output_remove_pending(void)
{
    if (pending) unlink(pending_name);
}

int output_write(const char *path, const void *data, size_t len, const char **what)
{
    if (!path || strcmp(path, "-") == 0) return write_stdout(data, len, what);
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            *what = "write to";
            return EISDIR;
        }
        return write_special(path, data, len, what);
    }
    Buf tmp = BUF_INIT;
    const char *slash = strrchr(path, '/');
    if (slash) buf_add(&tmp, path, (size_t)(slash - path + 1));
    buf_printf(&tmp, ".%s.tmp-XXXXXX", slash ? slash + 1 : path);
    *what = "create a temporary file for";
    if (tmp.len >= sizeof pending_name) {
        buf_free(&tmp);
        return ENAMETOOLONG;
    }
    memcpy(pending_name, buf_str(&tmp), tmp.len + 1);
    buf_free(&tmp);
    char *tmpname = pending_name;
    int err = 0;
    pending = 1;
    int fd = mkstemp(tmpname);
    if (fd < 0) {
        pending = 0;
        return errno;
    }
    /* mkstemp makes the file 0600; a result file gets the usual permissions. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    *what = "write";
    err = write_all(fd, data, len);
    if (!err) {
        *what = "flush";
        if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS) err = errno;
    }
    if (close(fd) != 0 && !err) {
        *what = "write";
        err = errno;
    }
    if (!err) {
        *what = "replace";
        if (rename(tmpname, path) != 0) err = errno;
    }
    if (err) unlink(tmpname);
    pending = 0;
    return err;
}

void output_report_error(const char *cmd, const char *path, int err, const char *what)
{
    const char *name = !path || strcmp(path, "-") == 0 ? "standard output" : path;
    fprintf(stderr, "cjm %s: cannot %s '%s': %s\n", cmd, what, name, strerror(err));
}
