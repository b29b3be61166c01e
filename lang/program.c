/* program.c: loading a file and its imports (see program.h). Knows about files and folders;
 * knows nothing of what the declarations mean. Everything a load builds lives in the Program's
 * arena or its SourceSet, so that a load stopped by a failed allocation leaks nothing. */
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

/* The modules array grows in the Program's arena (the old copies stay there): a load that runs
 * out of memory half-way leaves nothing to free but the arena. */
static void add_module(Program *p, const Module *m)
{
    if (p->nmodules == p->cap) {
        int cap = p->cap ? p->cap * 2 : 8;
        p->modules = arena_grow(&p->arena, p->modules, (size_t)p->nmodules * sizeof *p->modules,
                                (size_t)cap * sizeof *p->modules);
        p->cap = cap;
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
static const Module *module_of_file(const Program *p, uint32_t id)
{
    for (int k = 0; k < p->nmodules; k++)
        if (p->modules[k]->file == id) return p->modules[k];
    return NULL;
}

/* The loader completes the import nodes of the file it is loading: they are its own (made by this
 * load's parse), and read only once program_load() returns. */
static void set_module(const Import *im, const Module *m) { ((Import *)im)->module = m; }

static bool has_extension(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash : name, '.');
    return dot && dot != (slash ? slash + 1 : name);
}

/* The path `name` names in folder `dir` (NULL: as it is) when that file exists, else NULL. */
static const char *try_candidate(Program *p, const char *dir, const char *name)
{
    const char *path = arena_printf(&p->arena, "%s%s%s%s", dir && *dir ? dir : "", dir && *dir ? "/" : "", name,
                                    has_extension(name) ? "" : ".journey");
    return file_exists(p, path) ? path : NULL;
}

/* Resolves an import name to a file path; NULL when it is nowhere. *tried lists the folders looked
 * in, for the error note. Strings live in the Program's arena. */
static const char *resolve_import(Program *p, const char *importer_path, const char *name, const char **tried)
{
    Arena *a = &p->arena;
    if (name[0] == '/') {
        *tried = arena_printf(a, "'%s'", name);
        return try_candidate(p, NULL, name);
    }
    char *folder = arena_strdup(a, importer_path);
    char *slash = strrchr(folder, '/');
    if (slash) *slash = '\0';
    const char *dir = !slash || strcmp(importer_path, "-") == 0 ? "." : folder;
    const char *found = try_candidate(p, dir, name);
    *tried = arena_printf(a, "'%s'", dir);
    if (found) return found;
    const char *env = getenv("CJM_PATH");
    if (env && *env) {
        char *copy = arena_strdup(a, env);
        for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
            *tried = arena_printf(a, "%s, '%s'", *tried, d);
            if ((found = try_candidate(p, d, name))) return found;
        }
    }
    if (p->libdir) {
        *tried = arena_printf(a, "%s, '%s'", *tried, p->libdir);
        return try_candidate(p, p->libdir, name);
    }
    return NULL;
}

static const Module *load_file(Program *p, const char *path, const char *name, Diag *d, int depth);

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

static void load_imports(Program *p, const Module *m, Diag *d, int depth)
{
    for (const Import *im = m->imports; im; im = im->next) {
        if (!im->path.s || d->saturated) continue;
        const char *path, *tried = "";
        if (im->path.s[0] == '\0') {
            diag_error(d, im->path.loc, "empty module name");
        } else if (!(path = resolve_import(p, m->path, im->path.s, &tried))) {
            diag_error(d, im->path.loc, "cannot find module \"%s\"", im->path.s);
            diag_note(d, im->path.loc, "looked in %s", tried);
        } else if (depth + 1 > PROGRAM_MAX_IMPORT_DEPTH) {
            diag_error(d, im->loc, "imports nested more than %d deep", PROGRAM_MAX_IMPORT_DEPTH);
        } else {
            uint32_t seen = find_file(p, path);
            if (seen == m->file) {
                diag_error(d, im->path.loc, "module \"%s\" imports itself", im->path.s);
            } else if (seen && !module_of_file(p, seen)) {
                /* Registered but not finished: it is on the current chain of imports. */
                diag_error(d, im->path.loc, "import cycle: \"%s\" is already being imported", im->path.s);
                report_cycle(p, seen, d);
            } else if (seen) {
                set_module(im, module_of_file(p, seen));
            } else {
                p->chain[p->chain_len] = im;
                p->chain_file[p->chain_len] = p->sources.n + 1; /* the id load_file will give it */
                p->chain_len++;
                set_module(im, load_file(p, path, display_path(path), d, depth + 1));
                p->chain_len--;
            }
        }
    }
}

static const Module *parse_source(Program *p, uint32_t file, Diag *d, int depth)
{
    const char *code = diag_set_code(d, "syntax");
    const Module *m = parse_module(&p->arena, d, file);
    diag_set_code(d, code);
    load_imports(p, m, d, depth);
    if (p->nmodules >= PROGRAM_MAX_MODULES) {
        diag_error(d, (Loc){file, 0, 0}, "more than %d modules imported", PROGRAM_MAX_MODULES);
    }
    add_module(p, m);
    return m;
}

/* Registers a file's text (taking it) and parses it. */
static const Module *add_source(Program *p, const char *path, const char *name, char *text, size_t len, Diag *d,
                                int depth)
{
    uint32_t file = source_set_add(&p->sources, path, name, text, len);
    if (!file) arena_fail(&p->arena);
    return parse_source(p, file, d, depth);
}

static const Module *load_file(Program *p, const char *path, const char *name, Diag *d, int depth)
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
    if (r == READ_NO_MEMORY) arena_fail(&p->arena);
    if (r != READ_OK) {
        const char *why = r == READ_IS_DIR ? "it is a folder" : r == READ_TOO_BIG ? "it is larger than 64 MiB"
                                                                                   : strerror(err);
        diag_error(d, (Loc){0, 0, 0}, "cannot read '%s': %s", name, why);
        return NULL;
    }
    return add_source(p, path, name, text, len, d, depth);
}

/* One load, run under arena_guard() (any allocation may stop it). */
typedef struct Load {
    Program *p;
    Diag *d;
    const char *path, *name; /* what to read */
    const char *text;        /* or: the text to parse (copied) */
    size_t len;
} Load;

static void load_main(void *ctx)
{
    Load *l = ctx;
    Program *p = l->p;
    if (!l->text) {
        p->main = load_file(p, l->path, l->name, l->d, 0);
        return;
    }
    char *copy = mem_alloc(l->len + 1);
    if (!copy) arena_fail(&p->arena);
    memcpy(copy, l->text, l->len);
    copy[l->len] = '\0';
    p->main = add_source(p, l->name, l->name, copy, l->len, l->d, 0);
}

static LoadStatus load(Load *l)
{
    Program *p = l->p;
    Diag *d = l->d;
    int before = d->errors;
    const char *code = diag_set_code(d, "load");
    Arena *const arenas[] = {&p->arena};
    bool ok = arena_guard(arenas, 1, load_main, l);
    diag_set_code(d, code);
    if (!ok) {
        /* What was parsed is left in the arena (program_free() frees it), but not used. */
        p->main = NULL;
        p->chain_len = 0;
        diag_report_oom(d, "loading", l->name);
        return LOAD_OUT_OF_MEMORY;
    }
    if (!p->main) return LOAD_UNREADABLE;
    return d->errors > before ? LOAD_ERRORS : LOAD_OK;
}

LoadStatus program_load(Program *p, const char *path, Diag *d)
{
    Load l = {p, d, path, strcmp(path, "-") == 0 ? "<stdin>" : path, NULL, 0};
    return load(&l);
}

LoadStatus program_load_text(Program *p, const char *name, const char *text, size_t len, Diag *d)
{
    Load l = {p, d, name, name, text, len};
    return load(&l);
}
