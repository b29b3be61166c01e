/* log_util.h: the data layer's small helpers: allocation that ends the program when memory runs
 * out (as lang's xmalloc does: data/ may not use lang), malloc'd formatted messages, and ASCII
 * case-insensitive comparison of names. */
#ifndef CJM_LOG_UTIL_H
#define CJM_LOG_UTIL_H

#include <stdbool.h>
#include <stddef.h>

void *log_alloc(size_t n);
void *log_zalloc(size_t n, size_t size);
void *log_realloc(void *p, size_t n);
char *log_strndup(const char *s, size_t n);
/* A malloc'd message, printf-style. */
char *log_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether `a` (len bytes) equals the NUL-terminated `b`, ASCII case ignored. */
bool log_name_eq(const char *a, size_t len, const char *b);

#endif
