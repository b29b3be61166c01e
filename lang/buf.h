/* buf.h: the one growable byte buffer for strings built at run time (diagnostics, paths, output).
 *
 * Ownership: a Buf owns its heap memory; buf_free() releases it, buf_take() hands the string to
 * the caller (who frees it with free()). The content is always NUL-terminated. */
#ifndef CJM_BUF_H
#define CJM_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

#define BUF_INIT {NULL, 0, 0}

void buf_reserve(Buf *b, size_t extra);
void buf_add(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
void buf_clear(Buf *b);
void buf_free(Buf *b);
char *buf_take(Buf *b);
/* The content, or "" for an empty buffer that never allocated. */
const char *buf_str(const Buf *b);

#endif
