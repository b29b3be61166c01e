/* source.c: source files in memory and byte offset -> line:column (see source.h). */
#include "source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"

void source_set_init(SourceSet *s)
{
    s->files = NULL;
    s->n = s->cap = 0;
}

void source_set_free(SourceSet *s)
{
    for (uint32_t i = 0; i < s->n; i++) {
        SourceFile *f = s->files[i];
        free(f->path);
        free(f->name);
        free(f->text);
        free(f->line_starts);
        free(f);
    }
    free(s->files);
    source_set_init(s);
}

static bool index_lines(SourceFile *f)
{
    uint32_t cap = 64, n = 0;
    uint32_t *starts = mem_alloc(cap * sizeof *starts);
    if (!starts) return false;
    starts[n++] = 0;
    for (size_t i = 0; i < f->len; i++) {
        if (f->text[i] != '\n') continue;
        if (n == cap) {
            uint32_t *more = mem_realloc(starts, 2 * cap * sizeof *starts);
            if (!more) {
                free(starts);
                return false;
            }
            starts = more;
            cap *= 2;
        }
        starts[n++] = (uint32_t)(i + 1);
    }
    f->line_starts = starts;
    f->nlines = n;
    return true;
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = mem_alloc(n);
    return c ? memcpy(c, s, n) : NULL;
}

/* Each allocation is checked, and the file joins the set only when it is whole, so that a set
 * stays freeable whatever fails. */
uint32_t source_set_add(SourceSet *s, const char *path, const char *name, char *text, size_t len)
{
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 8;
        SourceFile **files = mem_realloc(s->files, cap * sizeof *files);
        if (!files) {
            free(text);
            return 0;
        }
        s->files = files;
        s->cap = cap;
    }
    SourceFile *f = mem_alloc(sizeof *f);
    if (f) {
        memset(f, 0, sizeof *f);
        f->text = text;
        f->len = len;
        f->path = copy_string(path);
        f->name = copy_string(name);
    }
    if (!f || !f->path || !f->name || !index_lines(f)) {
        if (f) {
            free(f->path);
            free(f->name);
        }
        free(f);
        free(text);
        return 0;
    }
    s->files[s->n++] = f;
    return s->n;
}

const SourceFile *source_get(const SourceSet *s, uint32_t id)
{
    if (id == 0 || id > s->n) return NULL;
    return s->files[id - 1];
}

void source_line_col(const SourceFile *f, uint32_t off, uint32_t *line, uint32_t *col)
{
    if (off > f->len) off = (uint32_t)f->len;
    uint32_t lo = 0, hi = f->nlines; /* the last start <= off */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->line_starts[mid] <= off) lo = mid;
        else hi = mid;
    }
    uint32_t c = 1;
    for (uint32_t i = f->line_starts[lo]; i < off; i++)
        if (((unsigned char)f->text[i] & 0xC0) != 0x80) c++; /* count UTF-8 lead bytes only */
    *line = lo + 1;
    *col = c;
}

/* The UTF-16 code units of the valid UTF-8 sequence at s (at most n bytes) and its length in
 * *bytes; a byte that starts no valid sequence is one unit of one byte. */
static uint32_t utf16_units(const unsigned char *s, size_t n, size_t *bytes)
{
    size_t want = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
                                  : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = want > 0 && want <= n && !(want == 2 && s[0] < 0xC2);
    for (size_t i = 1; ok && i < want; i++) ok = (s[i] & 0xC0) == 0x80;
    *bytes = ok ? want : 1;
    return ok && want == 4 ? 2 : 1;
}

SourcePos source_position(const SourceFile *f, uint32_t off)
{
    uint32_t line, col;
    if (off > f->len) off = (uint32_t)f->len;
    source_line_col(f, off, &line, &col);
    uint32_t start = f->line_starts[line - 1];
    SourcePos p = {off, line, off - start + 1, 1};
    const unsigned char *t = (const unsigned char *)f->text;
    for (size_t i = start, n; i < off; i += n) p.utf16_column += utf16_units(t + i, off - i, &n);
    return p;
}

const char *source_line_text(const SourceFile *f, uint32_t line, size_t *len)
{
    if (line == 0 || line > f->nlines) {
        *len = 0;
        return "";
    }
    uint32_t start = f->line_starts[line - 1];
    size_t end = line < f->nlines ? f->line_starts[line] : f->len;
    while (end > start && (f->text[end - 1] == '\n' || f->text[end - 1] == '\r')) end--;
    *len = end - start;
    return f->text + start;
}

static ReadStatus read_stream(FILE *fp, char **text, size_t *len, int *err_no)
{
    size_t cap = 4096, n = 0;
    char *buf = mem_alloc(cap + 1);
    if (!buf) return READ_NO_MEMORY;
    for (;;) {
        if (n == cap) {
            if (cap >= SOURCE_MAX_BYTES) {
                free(buf);
                *err_no = 0;
                return READ_TOO_BIG;
            }
            char *more = mem_realloc(buf, 2 * cap + 1);
            if (!more) {
                free(buf);
                return READ_NO_MEMORY;
            }
            buf = more;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) break;
    }
    if (ferror(fp)) {
        *err_no = errno ? errno : EIO;
        free(buf);
        return READ_ERROR;
    }
    if (n > SOURCE_MAX_BYTES) {
        free(buf);
        *err_no = 0;
        return READ_TOO_BIG;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return READ_OK;
}

ReadStatus source_read_file(const char *path, char **text, size_t *len, int *err_no)
{
    *text = NULL;
    *len = 0;
    *err_no = 0;
    if (strcmp(path, "-") == 0) return read_stream(stdin, text, len, err_no);
    struct stat st;
    if (stat(path, &st) != 0) {
        *err_no = errno;
        return errno == ENOENT || errno == ENOTDIR ? READ_NOT_FOUND : READ_ERROR;
    }
    if (S_ISDIR(st.st_mode)) return READ_IS_DIR;
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > SOURCE_MAX_BYTES) return READ_TOO_BIG;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        *err_no = errno;
        return errno == ENOENT ? READ_NOT_FOUND : READ_ERROR;
    }
    ReadStatus r = read_stream(fp, text, len, err_no);
    fclose(fp);
    return r;
}
