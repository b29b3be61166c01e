/* log_util.c: the data layer's allocation, messages and name comparison (log_util.h). */
#include "log_util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Running out of memory is not an error a user can fix in the file: the program ends, with the
 * exit status cjm uses for it elsewhere. */
static _Noreturn void out_of_memory(void)
{
    fputs("cjm: out of memory\n", stderr);
    exit(3);
}

void *log_alloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory();
    return p;
}

void *log_zalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) out_of_memory();
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) out_of_memory();
    return p;
}

void *log_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) out_of_memory();
    return q;
}

char *log_strndup(const char *s, size_t n)
{
    char *c = log_alloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

char *log_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    char *s = log_alloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

bool log_name_eq(const char *a, size_t len, const char *b)
{
    size_t i = 0;
    for (; i < len && b[i]; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return false;
    return i == len && b[i] == '\0';
}
