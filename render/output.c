/* output.c: atomic writing of result files and writing to standard output (see output.h). */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
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

/* Linux's own limit on the symbolic links followed in one path. */
enum { MAX_LINKS = 40 };

/* The file a write to `path` lands on, in `target`: `path` with the symbolic link it names
 * followed, and the one that link names, and so on, down to a file that is not a link, or that
 * does not exist yet (a dangling link: its target is created). Links among the folders of the
 * path need no following: the kernel follows them when the file is created there. Returns 0 or
 * an errno value (ELOOP for a cycle of links). */
static int follow_links(const char *path, Buf *target)
{
    buf_clear(target);
    buf_puts(target, path);
    for (int followed = 0;; followed++) {
        struct stat st;
        if (lstat(buf_str(target), &st) != 0 || !S_ISLNK(st.st_mode)) return 0;
        if (followed == MAX_LINKS) return ELOOP;
        char link[4096];
        ssize_t n = readlink(buf_str(target), link, sizeof link);
        if (n < 0) return errno;
        if ((size_t)n == sizeof link) return ENAMETOOLONG;
        link[n] = '\0';
        /* A relative link is relative to the folder the link is in. */
        const char *slash = strrchr(buf_str(target), '/');
        target->len = link[0] == '/' || !slash ? 0 : (size_t)(slash - target->data + 1);
        if (target->data) target->data[target->len] = '\0';
        buf_puts(target, link);
    }
}

/* Writes `path` (a file that is not a symbolic link) through a temporary file in its folder,
 * renamed over it. */
static int write_atomically(const char *path, const void *data, size_t len, const char **what)
{
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

/* A symbolic link named as the output stays a link: the file it points to is written (renaming
 * over the link itself would replace it with a plain file, and leave its target stale). */
int output_write(const char *path, const void *data, size_t len, const char **what)
{
    if (!path || strcmp(path, "-") == 0) return write_stdout(data, len, what);
    Buf target = BUF_INIT;
    *what = "follow the symbolic link";
    int err = follow_links(path, &target);
    struct stat st;
    if (err) {
        /* reported as it is */
    } else if (stat(buf_str(&target), &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            *what = "write to";
            err = EISDIR;
        } else {
            err = write_special(buf_str(&target), data, len, what);
        }
    } else {
        err = write_atomically(buf_str(&target), data, len, what);
    }
    buf_free(&target);
    return err;
}

/* A link's target is named too: "cannot create a temporary file for 'out.txt'" would not say
 * which folder is missing when out.txt is a link into it. */
void output_report_error(const char *cmd, const char *path, int err, const char *what)
{
    const char *name = !path || strcmp(path, "-") == 0 ? "standard output" : path;
    Buf target = BUF_INIT;
    struct stat st;
    bool is_link = path && lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && follow_links(path, &target) == 0;
    fprintf(stderr, "cjm %s: cannot %s '%s'", cmd, what, name);
    if (is_link) fprintf(stderr, " (a symbolic link to '%s')", buf_str(&target));
    fprintf(stderr, ": %s\n", strerror(err));
    buf_free(&target);
}
