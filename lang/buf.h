/* buf.h: the one growable byte buffer for strings built at run time (diagnostics, paths, output).
 *
 * Ownership: a Buf owns its heap memory; buf_free() releases it, buf_take() hands the string to
 * the caller (who frees it with free()). The content is always NUL-terminated.
 *
 * Out of memory. A Buf made with BUF_INIT ends the process when it cannot grow (xrealloc, arena.h):
 * what renders a report has nothing better to do. One made with BUF_FALLIBLE is for lang/, which
 * must survive it (arena.h): a failed allocation sets `failed`, and from then on nothing more is
 * added, so the content is what came before the failure; the owner checks `failed` and reports it. */
#ifndef CJM_BUF_H
#define CJM_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct Buf {
    char *data;
    size_t len, cap;
    bool fallible; /* a failed allocation sets `failed` instead of ending the process */
    bool failed;   /* an allocation failed: what was added since is lost */
} Buf;

#define BUF_INIT {NULL, 0, 0, false, false}
#define BUF_FALLIBLE {NULL, 0, 0, true, false}

/* Room for `extra` more bytes; false when a fallible Buf could not get it (it has failed). */
bool buf_reserve(Buf *b, size_t extra);
void buf_add(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
void buf_clear(Buf *b);
void buf_free(Buf *b);
/* The content, now the caller's; NULL only when a fallible Buf that never allocated cannot. */
char *buf_take(Buf *b);
/* The content, or "" for an empty buffer that never allocated. */
const char *buf_str(const Buf *b);

#endif
