/* output.h: the one way cjm writes a result: to standard output, or to a file atomically (a
 * temporary file in the same folder, written, flushed, fsync'ed and renamed over the target), so
 * that no error ever leaves a partial or empty output file behind.
 *
 * A symbolic link is followed (a chain of them too) and the file it points to is written, in that
 * file's folder, so that the link stays a link; a dangling link gets its target created, when the
 * target's folder exists. A file that is not a regular one (/dev/null, a FIFO) is written in place.
 * Whether the output is one of the files a command reads is the command's to check, before it
 * writes (cli/common.c).
 *
 * Every function returns 0 on success, or an errno value; *what then says which step failed
 * ("create", "write", "rename", ...), for the caller's message. */
#ifndef CJM_OUTPUT_H
#define CJM_OUTPUT_H

#include <stddef.h>

/* Writes len bytes to `path` atomically (through symbolic links); path "-" (or NULL) is standard
 * output. */
int output_write(const char *path, const void *data, size_t len, const char **what);
/* Removes the temporary file output_write() is writing, if any. Async-signal-safe: a signal
 * handler calls it so that an interrupted write leaves no file behind. */
void output_remove_pending(void);

/* "cannot write 'report.json': No space left on device" on stderr, prefixed by "cjm CMD: ". */
void output_report_error(const char *cmd, const char *path, int err, const char *what);

#endif
