/* paths.c: the install layout and the environment, as far as finding journey files goes (see
 * paths.h). */
#include "paths.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cjm.h"

#ifndef CJM_LIBDIR
#define CJM_LIBDIR "/usr/local/share/cjm/stdlib"
#endif

static bool is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether `probe` (a folder path) is a standard library: then its real path is put in `dir`. */
static bool is_stdlib(Buf *probe, char dir[PATH_MAX])
{
    bool found = realpath(buf_str(probe), dir) != NULL;
    buf_puts(probe, "/std/channels.journey");
    return found && is_regular_file(buf_str(probe));
}

const char *cli_stdlib_dir(void)
{
    static char dir[PATH_MAX];
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return CJM_LIBDIR;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return CJM_LIBDIR;
    *slash = '\0';
    /* Run from the build tree (build/cjm, or build/asan/cjm for a sanitizer build): the
     * repository's stdlib/, one or two folders up. */
    for (int up = 1; up <= 2; up++) {
        Buf probe = BUF_INIT;
        buf_puts(&probe, exe);
        for (int i = 0; i < up; i++) buf_puts(&probe, "/..");
        buf_puts(&probe, "/stdlib");
        bool found = is_stdlib(&probe, dir);
        buf_free(&probe);
        if (found) return dir;
    }
    /* Installed as PREFIX/bin/cjm: PREFIX/share/cjm/stdlib beside it, so that an installation
     * staged with DESTDIR or moved elsewhere still finds its own library. */
    Buf probe = BUF_INIT;
    buf_printf(&probe, "%s/../share/cjm/stdlib", exe);
    bool found = is_stdlib(&probe, dir);
    buf_free(&probe);
    return found ? dir : CJM_LIBDIR;
}

const char *cli_import_path(void)
{
    const char *env = getenv("CJM_PATH");
    return env && *env ? env : NULL;
}
