/* source.h: source files held in memory for the whole compilation, and source locations.
 *
 * A location is a byte range in one file; it becomes line:column only when a diagnostic is
 * printed (columns count UTF-8 characters, from 1). File ids start at 1; id 0 means "no place in
 * a file" (a command-line problem, say).
 *
 * Ownership: a SourceSet owns its SourceFiles and their text; source_set_free() releases them. */
#ifndef CJM_SOURCE_H
#define CJM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct Loc {
    uint32_t file; /* 1-based index into the SourceSet, 0 = none */
    uint32_t off;  /* byte offset of the first byte */
    uint32_t len;  /* length in bytes (0 is drawn as one caret) */
} Loc;

typedef struct SourceFile {
    char *path;      /* as opened (resolved import path, or the command-line argument) */
    char *name;      /* as shown in diagnostics */
    char *text;      /* NUL-terminated; may contain NUL bytes before len */
    size_t len;
    uint32_t *line_starts; /* byte offset of each line's first byte */
    uint32_t nlines;
} SourceFile;

typedef struct SourceSet {
    SourceFile **files;
    uint32_t n, cap;
} SourceSet;

/* The largest file cjm reads; beyond it offsets would not fit a Loc. */
#define SOURCE_MAX_BYTES (64u * 1024 * 1024)

void source_set_init(SourceSet *s);
void source_set_free(SourceSet *s);
/* Takes ownership of text (malloc'd, len bytes plus a NUL). Returns the new file's id, or 0 when
 * memory ran out (the text is then freed). */
uint32_t source_set_add(SourceSet *s, const char *path, const char *name, char *text, size_t len);
const SourceFile *source_get(const SourceSet *s, uint32_t id);

/* Line (1-based) and column (1-based, in UTF-8 characters) of a byte offset. */
void source_line_col(const SourceFile *f, uint32_t off, uint32_t *line, uint32_t *col);

/* A byte offset as tools other than a terminal count it: the line (1-based), the column in bytes
 * (1-based) and in UTF-16 code units (1-based; a character beyond U+FFFF counts two, a byte that
 * is not valid UTF-8 one), as editors and the Language Server Protocol do. */
typedef struct SourcePos {
    uint32_t offset, line, column, utf16_column;
} SourcePos;
SourcePos source_position(const SourceFile *f, uint32_t off);
/* The bytes of line `line` (1-based) without its end-of-line characters. */
const char *source_line_text(const SourceFile *f, uint32_t line, size_t *len);

typedef enum { READ_OK, READ_NOT_FOUND, READ_IS_DIR, READ_TOO_BIG, READ_ERROR, READ_NO_MEMORY } ReadStatus;
/* Reads a whole file ("-" is standard input) into a malloc'd, NUL-terminated buffer. On failure
 * *err_no holds errno (0 for READ_TOO_BIG). */
ReadStatus source_read_file(const char *path, char **text, size_t *len, int *err_no);

#endif
