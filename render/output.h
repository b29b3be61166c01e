/* output.h: the one way cjm writes a result: to standard output, or to a file atomically (a
 * temporary file in the same folder, written, flushed, fsync'ed and renamed over the target), so
 * that no error ever leaves a partial or empty output file behind.
 *
 * Every function returns 0 on success, or an errno value; *what then says which step failed
 * ("create", "write", "rename", ...), for the caller's message. */
#ifndef CJM_OUTPUT_H
#define CJM_OUTPUT_H

#include <stddef.h>

/* Writes len bytes to `path` atomically; path "-" (or NULL) is standard output. */
int output_write(const char *path, const void *data, size_t len, const char **what);
/* Removes the temporary file output_write() is writing, if any. Async-signal-safe: a signal
 * handler calls it so that an interrupted write leaves no file behind. */
void output_remove_pending(void);

/* "cannot write 'report.json': No space left on device" on stderr, prefixed by "cjm CMD: ". */
void output_report_error(const char *cmd, const char *path, int err, const char *what);

#endif
