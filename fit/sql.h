/* sql.h: fitting where the data lives: `cjm fit --sql TABLE` prints one SQL query that turns an
 * event table into the observations fitting needs (FitObs), and `cjm fit JOURNEY RESULT.csv`
 * reads that query's result.
 *
 * The query reproduces fit_observe()'s semantics (docs/fitting.md, "From events to a journey")
 * with window functions over each case's events in time order: the journey's mapping of event
 * names is written into it, and its result is one long table, a row per figure:
 *
 *   kind, stage, target, bin, n, sum, sumsq, sumlog, sumlog2, min, max
 *
 * (docs/fitting.md, "In a warehouse", lists the kinds). Only counts and sums leave the warehouse,
 * so the result has a few hundred rows whatever the table's size; rows of the same key add up,
 * so results computed over parts of a table may be concatenated. What the query does not compute
 * (touchpoints met per entry, surveys, revenue, personas) stays 0 in the FitObs, whose from_table
 * is set so that the report says so. */
#ifndef CJM_FIT_SQL_H
#define CJM_FIT_SQL_H

#include <stdbool.h>

#include "fit.h"
#include "log.h"
#include "sema.h"

/* How timestamps become days and how literals are written differ between engines; the rest of
 * the query is standard SQL (window functions, CTEs, UNION ALL). */
typedef enum { SQL_POSTGRES, SQL_SQLITE, SQL_BIGQUERY } SqlDialect;

/* The query for `table` (a name, `schema.table` allowed) with the columns `cols` names (NULL
 * fields: case_id, event, timestamp), events mapped as fit_observe() maps them (the --map rules
 * first), and churn by `inactivity_days` of silence before the table's last event (0: none).
 * Returns malloc'd text, or NULL with *error set (a malloc'd message: a --map rule naming no
 * stage, touchpoint or churn reason of the journey). */
char *fit_sql_query(const Model *m, const FitMapRule *map, int nmap, const char *table,
                    const LogColumns *cols, SqlDialect d, double inactivity_days, char **error);

/* The query's result (as `psql --csv` or `sqlite3 -csv -header` write it) as observations on `m`.
 * Returns NULL with *error set ("FILE:LINE: ...": a stage the journey lacks, a number that is not
 * one, an unknown kind) on failure. */
FitObs *fit_obs_read_table(const Model *m, CsvFile *t, char **error);

/* Whether a CSV header is the query's result's (so that cjm fit LOG takes it for one). */
bool fit_is_query_result(const char *const *names, int n);

#endif
