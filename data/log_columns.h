/* log_columns.h: the roles a log's columns (or XES keys) play, the names tried for each when the
 * caller names none, and the command-line option that names one (for messages). */
#ifndef CJM_LOG_COLUMNS_H
#define CJM_LOG_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

typedef enum {
    ROLE_CASE, ROLE_EVENT, ROLE_TIME, ROLE_CHANNEL, ROLE_REVENUE, ROLE_COST, ROLE_SEGMENT, ROLE_SCORE,
    NROLES
} LogRole;

/* The names tried in order (NULL-terminated). */
const char *const *role_defaults(LogRole r);
/* "case", "event", "time", ... and "--case", "--event", ... */
const char *role_title(LogRole r);
const char *role_option(LogRole r);
bool role_required(LogRole r);
/* The caller's name for a role (NULL: the defaults). */
const char *columns_get(const LogColumns *c, LogRole r);
void columns_set(LogColumns *c, LogRole r, const char *name);
/* How well `name` (len bytes) fits role r: 0 for the caller's name or the first default, 1 for
 * the next default, ...; -1 when it does not. `trace_level` (XES): the name of a trace's
 * attribute, which also fits as "case:NAME". */
int role_rank(const LogColumns *given, LogRole r, const char *name, size_t len, bool trace_level);
/* A number (revenue, cost, score): decimal, with a ',' for the point when `decimal_comma`; false
 * when the text is not one. */
bool log_parse_number(const char *s, size_t len, bool decimal_comma, double *v);

#endif
