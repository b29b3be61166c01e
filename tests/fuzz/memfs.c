/* memfs.c: in-memory files for the fuzz harnesses (see memfs.h). A fuzzer runs one input at a
 * time on one thread, so the file table is a plain static. */
#include "memfs.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


enum { MAX_FILES = 64 };

typedef struct MemFile {
    char *path;
    char *text;
    size_t len;
} MemFile;

static MemFile files[MAX_FILES];
static int nfiles;
static MemFile stdlib_files[MAX_FILES];
static int nstdlib = -1;

static void add(MemFile *table, int *n, const char *path, const char *text, size_t len)
{
    if (*n >= MAX_FILES) return;
    MemFile *f = &table[(*n)++];
    f->path = xstrdup(path);
    f->text = xmalloc(len + 1);
    memcpy(f->text, text, len);
    f->text[len] = '\0';
    f->len = len;
}

static void free_stdlib(void)
{
    for (int i = 0; i < nstdlib; i++) {
        free(stdlib_files[i].path);
        free(stdlib_files[i].text);
    }
    nstdlib = 0;
}

static void load_stdlib(const char *dir)
{
    nstdlib = 0;
    atexit(free_stdlib);
    if (!dir) return;
    char path[4096];
    snprintf(path, sizeof path, "%s/std", dir);
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, ".journey")) continue;
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        char *text;
        size_t len;
        int err;
        if (source_read_file(full, &text, &len, &err) != READ_OK) continue;
        char name[4096];
        snprintf(name, sizeof name, "std/%s", e->d_name);
        add(stdlib_files, &nstdlib, name, text, len);
        free(text);
    }
    closedir(d);
}

void memfs_clear(void)
{
    for (int i = 0; i < nfiles; i++) {
        free(files[i].path);
        free(files[i].text);
    }
    nfiles = 0;
}

void memfs_load(const char *data, size_t len, const char *stdlib_dir)
{
    if (nstdlib < 0) load_stdlib(stdlib_dir);
    memfs_clear();
    const char *name = "main.journey";
    size_t start = 0;
    char buf[256];
    for (size_t i = 0; i <= len; i++) {
        bool marker = i + 4 <= len && (i == 0 || data[i - 1] == '\n') && memcmp(data + i, "//@ ", 4) == 0;
        if (!marker && i < len) continue;
        add(files, &nfiles, name, data + start, i - start);
        if (i == len) break;
        size_t j = i + 4, k = 0;
        while (j < len && data[j] != '\n' && k < 200) {
            buf[k] = data[j] == '/' && k == 0 ? '_' : data[j];
            k++;
            j++;
        }
        buf[k] = '\0';
        snprintf(buf + k, sizeof buf - k, ".journey");
        name = buf;
        start = j;
        i = j - 1;
    }
}

static const MemFile *find(const char *path)
{
    /* Imports are resolved relative to the importing file ("./x") or in the library folder
     * ("stdlib/std/x"); both map onto the table's plain names. */
    while (path[0] == '.' && path[1] == '/') path += 2;
    if (strncmp(path, "stdlib/", 7) == 0) path += 7;
    for (int i = 0; i < nfiles; i++)
        if (strcmp(files[i].path, path) == 0) return &files[i];
    for (int i = 0; i < nstdlib; i++)
        if (strcmp(stdlib_files[i].path, path) == 0) return &stdlib_files[i];
    return NULL;
}

static bool exists(void *ctx, const char *path) { (void)ctx; return find(path) != NULL; }
static bool same(void *ctx, const char *a, const char *b) { (void)ctx; return find(a) && find(a) == find(b); }

static bool read_file(void *ctx, const char *path, char **text, size_t *len)
{
    (void)ctx;
    const MemFile *f = find(path);
    if (!f) return false;
    *text = xmalloc(f->len + 1);
    memcpy(*text, f->text, f->len + 1);
    *len = f->len;
    return true;
}

const ProgramFiles *memfs_files(void)
{
    static const ProgramFiles fs = {exists, same, read_file, NULL};
    return &fs;
}

const char *memfs_main(size_t *len)
{
    *len = nfiles ? files[0].len : 0;
    return nfiles ? files[0].text : "";
}

static FILE *sink;

static void close_sink(void) { fclose(sink); }

FILE *fuzz_sink(void)
{
    if (!sink) {
        sink = fopen("/dev/null", "w");
        atexit(close_sink);
    }
    return sink;
}

void fuzz_check(Checked *c, const uint8_t *data, size_t size)
{
    memfs_load((const char *)data, size, "stdlib");
    CheckInput in = {.path = "main.journey", .stdlib_dir = "stdlib", .files = memfs_files(), .diag_out = fuzz_sink()};
    in.text = memfs_main(&in.len);
    checked_load(c, &in);
}

void fuzz_checked_free(Checked *c)
{
    checked_free(c);
    memfs_clear();
}
