/* log_csv.h: the RFC 4180 reader under every CSV that data/ reads (event logs, path tables, and
 * the generic CsvFile of log.h): quoted fields with "" escapes, embedded delimiters, quotes and
 * newlines, a UTF-8 byte-order mark, CRLF or LF, ',' or a ';' or tab delimiter detected from the
 * header. Streaming over a large buffer: a record's fields point into it (unescaped in place and
 * NUL-terminated there, though callers of log.h are not promised that), valid until the next
 * record. Blank lines are skipped; a record with a field count other than the header's is an
 * error. */
#ifndef CJM_LOG_CSV_H
#define CJM_LOG_CSV_H

#include "log.h"
#include "log_input.h"

/* Takes `in` (closed with the reader) and reads the header. delimiter 0: detected. NULL with
 * *error set on an error (in is then closed). */
CsvFile *csv_open(LogInput *in, char delimiter, char **error);
/* The header's fields, NUL-terminated. */
int csv_ncols(const CsvFile *t);
const char *csv_col(const CsvFile *t, int i);
/* The next record: its field count (the header's), 0 at the end, -1 on an error (csvf_error()).
 * *line: the line it starts on. */
int csv_next(CsvFile *t, const LogStr **fields, uint64_t *line);
/* Sets the reader's error (a message it takes) and returns -1. */
int csv_fail(CsvFile *t, char *message);
LogInput *csv_input(const CsvFile *t);
char csv_delimiter(const CsvFile *t);

#endif
