/* log_input.h: the bytes of a log file: a file or standard input, gzip-compressed or not
 * (detected from its first bytes, several gzip members read one after the other), read in large
 * blocks; how far the reading has got, for a progress bar. */
#ifndef CJM_LOG_INPUT_H
#define CJM_LOG_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct LogInput LogInput;

/* Opens `path` ("-": standard input). NULL with *error set (malloc'd) when it cannot be opened. */
LogInput *input_open(const char *path, char **error);
/* Reads up to `cap` bytes (decompressed) into `dst`: the count, 0 at the end, -1 on an error
 * (input_error()). */
long input_read(LogInput *in, char *dst, size_t cap);
/* The first bytes of the (decompressed) content, without consuming them: up to `n` bytes, fewer
 * at the end of a short file; -1 on an error. */
long input_peek(LogInput *in, const char **bytes, size_t n);
const char *input_error(const LogInput *in);
const char *input_name(const LogInput *in);
bool input_is_gzip(const LogInput *in);
uint64_t input_bytes_read(const LogInput *in);
uint64_t input_size(const LogInput *in);
void input_close(LogInput *in);

#endif
