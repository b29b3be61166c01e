/* sql.h: fitting where the data lives: `cjm fit --sql TABLE` prints one SQL query that turns an
 * event table into the observations fitting needs (FitObs), and `cjm fit JOURNEY RESULT.csv`
 * reads that query's result.
 *
 * The query reproduces fit_observe()'s semantics (docs/fitting.md, "From events to a journey")
 * with window functions over each case's events in time order (ties by event name: a table has
 * no order of its own); the journey's mapping of event names is written into it. Its result is
 * one long table, a row per figure, stages, touchpoints and reasons by name:
 *
 *   kind, stage, target, bin, n, sum, sumsq, sumlog, sumlog2, min, max
 *
 *   log                 n events, min and max the first and last event's time (days since 1970)
 *   inactivity          n the days of silence that count as churn (0: none)
 *   mapped              target stage|touchpoint|churn|ignored|unmapped, n events
 *   before_first_stage, after_churn, converted          n
 *   unmapped_name       target a name mapped to nothing, n its events (the 100 most frequent)
 *   starts, entries, completed, churn_inactive          stage, n
 *   move                stage, target the next stage, n
 *   churn               stage, target the churn event's reason (empty: none), n
 *   touch_events, touch_outside, touch_entries          stage the touchpoint's, target it, n
 *   wait_done, wait_censored                            stage; and
 *   time_to_convert, followup_churned, followup_censored:
 *                       with bin empty: n durations, their sum, sum of squares, sum and sum of
 *                       squares of the logs (of those > 0), min, max; with bin b: n in bin b
 *
 * Only counts and sums leave the warehouse, so the result has a few hundred rows whatever the
 * table's size; rows of the same key add up, so results computed over parts of a table (split by
 * case) may be concatenated. The FitObs read from it has from_table set: it has no revenue, cost,
 * survey answers or segments (the query reads no such column), which the report says. */
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
