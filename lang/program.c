/* program.c: loading a file and its imports (see program.h). Knows about files and folders;
 * knows nothing of what the declarations mean. */
#include "program.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "parse.h"

#ifndef CJM_LIBDIR
#define CJM_LIBDIR "/usr/local/share/cjm/stdlib"
#endif

void program_init(Program *p, const char *libdir)
{
    memset(p, 0, sizeof *p);
    arena_init(&p->arena);
    source_set_init(&p->sources);
    p->libdir = libdir;
}

void program_free(Program *p)
{
    arena_free(&p->arena);
    source_set_free(&p->sources);
    free(p->modules);
    memset(p, 0, sizeof *p);
}

static bool is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool file_exists(const Program *p, const char *path)
{
    return p->files ? p->files->exists(p->files->ctx, path) : is_regular_file(path);
}

/* Same device and inode (a file reached by two paths is one module). */
static bool same_file_on_disk(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static bool same_file(const Program *p, const char *a, const char *b)
{
    return p->files ? p->files->same(p->files->ctx, a, b) : same_file_on_disk(a, b);
}

const char *program_default_libdir(void)
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
        bool found = realpath(buf_str(&probe), dir) != NULL;
        buf_puts(&probe, "/std/channels.journey");
        found = found && is_regular_file(buf_str(&probe));
        buf_free(&probe);
        if (found) return dir;
    }
    /* Installed as PREFIX/bin/cjm: PREFIX/share/cjm/stdlib beside it, so that an installation
     * staged with DESTDIR or moved elsewhere still finds its own library. */
    Buf probe = BUF_INIT;
    buf_printf(&probe, "%s/../share/cjm/stdlib", exe);
    bool found = realpath(buf_str(&probe), dir) != NULL;
    buf_puts(&probe, "/std/channels.journey");
    found = found && is_regular_file(buf_str(&probe));
    buf_free(&probe);
    return found ? dir : CJM_LIBDIR;
}

static void add_module(Program *p, Module *m)
{
    if (p->nmodules == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->modules = xrealloc(p->modules, (size_t)p->cap * sizeof *p->modules);
    }
    p->modules[p->nmodules++] = m;
}

/* The id of the file already registered that is the same file as `path` (same device and
 * inode), or 0. */
static uint32_t find_file(const Program *p, const char *path)
{
    for (uint32_t i = 0; i < p->sources.n; i++)
        if (same_file(p, p->sources.files[i]->path, path)) return i + 1;
    return 0;
}

/* The module parsed from file `id` (NULL while it is still being parsed). */
static Module *module_of_file(const Program *p, uint32_t id)
{
    for (int k = 0; k < p->nmodules; k++)
        if (p->modules[k]->file == id) return p->modules[k];
    return NULL;
}

static bool has_extension(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash : name, '.');
    return dot && dot != (slash ? slash + 1 : name);
}

static bool try_candidate(const Program *p, const char *dir, const char *name, Buf *out)
{
    buf_clear(out);
    if (dir && *dir) buf_printf(out, "%s/", dir);
    buf_puts(out, name);
    if (!has_extension(name)) buf_puts(out, ".journey");
    return file_exists(p, buf_str(out));
}

/* Resolves an import name to a file path (in `out`); false when it is nowhere. `tried` collects
 * the folders looked in, for the error note. */
static bool resolve_import(const Program *p, const char *importer_path, const char *name, Buf *out, Buf *tried)
{
    if (name[0] == '/') {
        buf_printf(tried, "'%s'", name);
        return try_candidate(p, NULL, name, out);
    }
    char *dir = xstrdup(importer_path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else strcpy(dir, ".");
    if (strcmp(importer_path, "-") == 0) strcpy(dir, ".");
    bool found = try_candidate(p, dir, name, out);
    buf_printf(tried, "'%s'", dir);
    free(dir);
    if (found) return true;
    const char *env = getenv("CJM_PATH");
    if (env && *env) {
        char *copy = xstrdup(env);
        for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
            buf_printf(tried, ", '%s'", d);
            if (try_candidate(p, d, name, out)) {
                free(copy);
                return true;
            }
        }
        free(copy);
    }
    if (p->libdir) {
        buf_printf(tried, ", '%s'", p->libdir);
        if (try_candidate(p, p->libdir, name, out)) return true;
    }
    return false;
}

static Module *load_file(Program *p, const char *path, const char *name, Diag *d, int depth);

/* The notes of an import cycle: each import from the file that closes the cycle onwards. */
static void report_cycle(const Program *p, uint32_t file, Diag *d)
{
    int from = 0;
    for (int i = 0; i < p->chain_len; i++)
        if (p->chain_file[i] == file) from = i;
    if (file == 1) {
        diag_note(d, (Loc){1, 0, 0}, "this is the file being checked, which starts the cycle");
        from = 0;
    }
    for (int i = from; i < p->chain_len; i++)
        diag_note(d, p->chain[i]->path.loc, "\"%s\" is imported here", p->chain[i]->path.s);
}

/* A path as shown in diagnostics: without a leading "./". */
static const char *display_path(const char *path)
{
    while (path[0] == '.' && path[1] == '/') path += 2;
    return path;
}

static void load_imports(Program *p, Module *m, Diag *d, int depth)
{
    for (Import *im = m->imports; im; im = im->next) {
        if (!im->path.s || d->saturated) continue;
        Buf path = BUF_INIT, tried = BUF_INIT;
        if (im->path.s[0] == '\0') {
            diag_error(d, im->path.loc, "empty module name");
        } else if (!resolve_import(p, m->path, im->path.s, &path, &tried)) {
            diag_error(d, im->path.loc, "cannot find module \"%s\"", im->path.s);
            diag_note(d, im->path.loc, "looked in %s", buf_str(&tried));
        } else if (depth + 1 > PROGRAM_MAX_IMPORT_DEPTH) {
            diag_error(d, im->loc, "imports nested more than %d deep", PROGRAM_MAX_IMPORT_DEPTH);
        } else {
            uint32_t seen = find_file(p, buf_str(&path));
            if (seen == m->file) {
                diag_error(d, im->path.loc, "module \"%s\" imports itself", im->path.s);
            } else if (seen && !module_of_file(p, seen)) {
                /* Registered but not finished: it is on the current chain of imports. */
                diag_error(d, im->path.loc, "import cycle: \"%s\" is already being imported", im->path.s);
                report_cycle(p, seen, d);
            } else if (seen) {
                im->module = module_of_file(p, seen);
            } else {
                p->chain[p->chain_len] = im;
                p->chain_file[p->chain_len] = p->sources.n + 1; /* the id load_file will give it */
                p->chain_len++;
                im->module = load_file(p, buf_str(&path), display_path(buf_str(&path)), d, depth + 1);
                p->chain_len--;
            }
        }
        buf_free(&path);
        buf_free(&tried);
    }
}

static Module *parse_source(Program *p, uint32_t file, Diag *d, int depth)
{
    Module *m = parse_module(&p->arena, d, file);
    load_imports(p, m, d, depth);
    if (p->nmodules >= PROGRAM_MAX_MODULES) {
        diag_error(d, (Loc){file, 0, 0}, "more than %d modules imported", PROGRAM_MAX_MODULES);
    }
    add_module(p, m);
    return m;
}

static Module *load_file(Program *p, const char *path, const char *name, Diag *d, int depth)
{
    char *text;
    size_t len;
    int err;
    ReadStatus r;
    if (p->files) {
        r = p->files->read(p->files->ctx, path, &text, &len) ? READ_OK : READ_NOT_FOUND;
        err = ENOENT;
    } else {
        r = source_read_file(path, &text, &len, &err);
    }
    if (r != READ_OK) {
        const char *why = r == READ_IS_DIR ? "it is a folder" : r == READ_TOO_BIG ? "it is larger than 64 MiB"
                                                                                   : strerror(err);
        diag_error(d, (Loc){0, 0, 0}, "cannot read '%s': %s", name, why);
        return NULL;
    }
    uint32_t file = source_set_add(&p->sources, path, name, text, len);
    return parse_source(p, file, d, depth);
}

LoadStatus program_load(Program *p, const char *path, Diag *d)
{
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    int before = d->errors;
    p->main = load_file(p, path, name, d, 0);
    if (!p->main) return LOAD_UNREADABLE;
    return d->errors > before ? LOAD_ERRORS : LOAD_OK;
}

LoadStatus program_load_text(Program *p, const char *name, const char *text, size_t len, Diag *d)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    int before = d->errors;
    uint32_t file = source_set_add(&p->sources, name, name, copy, len);
    p->main = parse_source(p, file, d, 0);
    return d->errors > before ? LOAD_ERRORS : LOAD_OK;
}

/* ---- reloading from memory ----
 * A path names one of the files already loaded when it is the path that file was read from, or
 * when it is the same file on disk (a module reached by two paths is one module). */
static const SourceFile *loaded_file(const Program *from, const char *path)
{
    for (uint32_t i = 0; i < from->sources.n; i++)
        if (strcmp(from->sources.files[i]->path, path) == 0) return from->sources.files[i];
    if (from->files || !is_regular_file(path)) return NULL;
    for (uint32_t i = 0; i < from->sources.n; i++)
        if (same_file_on_disk(from->sources.files[i]->path, path)) return from->sources.files[i];
    return NULL;
}

static bool reload_exists(void *ctx, const char *path) { return loaded_file(ctx, path) != NULL; }

static bool reload_same(void *ctx, const char *a, const char *b)
{
    const SourceFile *fa = loaded_file(ctx, a);
    return fa && fa == loaded_file(ctx, b);
}

static bool reload_read(void *ctx, const char *path, char **text, size_t *len)
{
    const SourceFile *f = loaded_file(ctx, path);
    if (!f) return false;
    *text = xmalloc(f->len + 1);
    memcpy(*text, f->text, f->len + 1);
    *len = f->len;
    return true;
}

LoadStatus program_reload(Program *p, const Program *from, Diag *d)
{
    program_init(p, from->libdir);
    p->reload = (ProgramFiles){reload_exists, reload_same, reload_read, (void *)from};
    p->files = &p->reload;
    const SourceFile *main_file = source_get(&from->sources, from->main->file);
    LoadStatus st = program_load(p, main_file->path, d);
    p->files = NULL;
    return st;
}
