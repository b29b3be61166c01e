/* sql.c: fitting where the data lives (sql.h): the query `cjm fit --sql TABLE` prints, and the
 * reading of its result into a FitObs.
 *
 * The query is fit_observe()'s semantics (docs/fitting.md) in SQL. Each step is one CTE:
 *
 *   event_map   the journey's mapping of normalised event names (built here with fit_map_name,
 *               so that the query maps exactly as a log read by cjm is mapped)
 *   stage_info  each stage: whether it has no arrows (a case ending there completed), a goal
 *   ev          the table's rows: case, event, time in days since 1970 (the dialect's part)
 *   mapped      each event with what it maps to
 *   ordered     a case id's events numbered in time order (ties by event name: a table has no
 *               order), ignored ones dropped, with the gap since the previous one
 *   parted      the case id's events cut into cases at silences longer than the inactivity
 *   firsts, bounded  each case's first stage event, last event, churn event after the first
 *               stage event, and the stage entry each event falls in
 *   steps, legs one row per stage entry with the next step (LEAD): the move and the wait
 *   ends        how each entry ended: a move, churn, completion, churn by inactivity, still open
 *   convs       each case's start, conversion and churn
 *   touches, touch_met  touchpoint events in or outside an entry of their stage
 *   timed, logs, binned  every duration summarised, with its log and its bin (fit.h's formula)
 *   top_unmapped  the most frequent names that map to nothing
 *
 * and one SELECT of UNION ALLs writes the long result. Literals are the dialect's; identifiers are
 * always quoted (`case` and `time` are reserved words). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "names.h"
#include "observe.h"
#include "sql.h"

/* ---- the mapping written into the query ---- */

typedef struct MapRow {
    char *norm;             /* the normalised event name */
    FitTarget target;
} MapRow;

typedef struct MapRows {
    MapRow *rows;
    int n, cap;
} MapRows;

static bool map_rows_has(const MapRows *r, const char *norm)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->rows[i].norm, norm) == 0) return true;
    return false;
}

/* Adds `name` as fit_map_name() maps it, once per normalised spelling (the first rule that
 * applies decides, so later spellings of the same name change nothing). */
static void map_rows_add(MapRows *r, const Model *m, const FitMapRule *map, int nmap, const char *name)
{
    if (!name) return;
    size_t len = strlen(name);
    char *norm = xmalloc(len + 1);
    size_t n = name_normalise(name, len, norm);
    norm[n < len ? n : len] = '\0';
    FitTarget t = fit_map_name(m, map, nmap, name, len);
    if (n == 0 || t.kind == FIT_TO_NOTHING || map_rows_has(r, norm)) {
        free(norm);
        return;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 32;
        r->rows = xrealloc(r->rows, (size_t)r->cap * sizeof *r->rows);
    }
    r->rows[r->n++] = (MapRow){norm, t};
}

static void map_rows_free(MapRows *r)
{
    for (int i = 0; i < r->n; i++) free(r->rows[i].norm);
    free(r->rows);
}

static void add_names(MapRows *r, const Model *m, const FitMapRule *map, int nmap, const StrList *l)
{
    for (; l; l = l->next) map_rows_add(r, m, map, nmap, l->str.s);
}

/* Every name an event can have to map to something: the --map rules' events, the stages' and
 * touchpoints' names, labels and `events` lists, the churn arrows' reasons. */
static void collect_map(MapRows *r, const Model *m, const FitMapRule *map, int nmap)
{
    for (int i = 0; i < nmap; i++) map_rows_add(r, m, map, nmap, map[i].event);
    for (int s = 0; s < m->nstages; s++) {
        const Stage *st = m->stages[s];
        map_rows_add(r, m, map, nmap, st->name.s);
        map_rows_add(r, m, map, nmap, st->label.s);
        add_names(r, m, map, nmap, st->events);
    }
    for (int i = 0; i < m->ntouchpoints; i++) {
        const Touchpoint *tp = m->touchpoints[i];
        map_rows_add(r, m, map, nmap, tp->name.s);
        map_rows_add(r, m, map, nmap, tp->label.s);
        add_names(r, m, map, nmap, tp->events);
    }
    for (int s = 0; s < m->nstages; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next)
            if (a->to_churn) map_rows_add(r, m, map, nmap, a->reason.s);
}

/* A --map rule whose target is nothing of the journey is the user's mistake: say which, in
 * fit_observe's words. */
static char *check_map_rules(const Model *m, const FitMapRule *map, int nmap)
{
    for (int i = 0; i < nmap; i++) {
        const char *ev = map[i].event ? map[i].event : "", *target = map[i].target ? map[i].target : "";
        Buf b = BUF_INIT;
        if (!ev[0] || !target[0]) {
            buf_printf(&b, "--map %s=%s: give an event name and a target", ev, target);
            return buf_take(&b);
        }
        FitMapRule alone = {ev, target};
        if (fit_map_name(m, &alone, 1, ev, strlen(ev)).kind != FIT_TO_NOTHING) continue;
        buf_printf(&b, "--map %s=%s: '%s' is no stage or touchpoint of the journey, nor churn, "
                   "churn:REASON (a reason of a churn arrow) or ignore", ev, target, target);
        return buf_take(&b);
    }
    return NULL;
}

/* ---- writing SQL ---- */

typedef struct Sql {
    Buf b;
    SqlDialect d;
} Sql;

static void put_literal(Sql *q, const char *s)
{
    buf_putc(&q->b, '\'');
    for (; *s; s++) {
        if (*s == '\'') buf_puts(&q->b, q->d == SQL_BIGQUERY ? "\\'" : "''");
        else if (*s == '\\' && q->d == SQL_BIGQUERY) buf_puts(&q->b, "\\\\");
        else if (*s == '\n' || *s == '\r') buf_putc(&q->b, ' '); /* never in a name's normal form */
        else buf_putc(&q->b, *s);
    }
    buf_putc(&q->b, '\'');
}

static void put_literal_or_null(Sql *q, const char *s)
{
    if (s) put_literal(q, s);
    else buf_puts(&q->b, "NULL");
}

/* One identifier, quoted so that it means exactly the name given (and a reserved word works). */
static void put_ident_part(Sql *q, const char *s, size_t n)
{
    char quote = q->d == SQL_BIGQUERY ? '`' : '"';
    buf_putc(&q->b, quote);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == quote) buf_putc(&q->b, quote);
        buf_putc(&q->b, s[i]);
    }
    buf_putc(&q->b, quote);
}

/* A table name: `schema.table` is two identifiers in PostgreSQL and SQLite; BigQuery quotes
 * `project.dataset.table` as a whole. */
static void put_table(Sql *q, const char *table)
{
    if (q->d == SQL_BIGQUERY) {
        put_ident_part(q, table, strlen(table));
        return;
    }
    const char *part = table;
    for (const char *dot; (dot = strchr(part, '.')); part = dot + 1) {
        put_ident_part(q, part, (size_t)(dot - part));
        buf_putc(&q->b, '.');
    }
    put_ident_part(q, part, strlen(part));
}

static void put_col(Sql *q, const char *name)
{
    put_ident_part(q, name, strlen(name));
}

static const char *text_type(const Sql *q)
{
    return q->d == SQL_BIGQUERY ? "STRING" : "TEXT";
}

static const char *real_type(const Sql *q)
{
    return q->d == SQL_POSTGRES ? "DOUBLE PRECISION" : q->d == SQL_SQLITE ? "REAL" : "FLOAT64";
}

static const char *int_type(const Sql *q)
{
    return q->d == SQL_POSTGRES ? "BIGINT" : q->d == SQL_SQLITE ? "INTEGER" : "INT64";
}

/* The time column as days since 1970-01-01 UTC, the unit of FitObs. */
static void put_days(Sql *q, const char *col)
{
    switch (q->d) {
    case SQL_POSTGRES: /* EXTRACT gives numeric since PostgreSQL 14: the sums want doubles */
        buf_puts(&q->b, "CAST(EXTRACT(EPOCH FROM ");
        put_col(q, col);
        buf_puts(&q->b, ") AS DOUBLE PRECISION) / 86400");
        break;
    case SQL_SQLITE:
        /* ISO 8601 text. Whole milliseconds, as SQLite keeps times, divided once: julianday()
         * less 1970's Julian day would be 20 microseconds off. */
        buf_puts(&q->b, "(CAST(strftime('%s', ");
        put_col(q, col);
        buf_puts(&q->b, ") AS INTEGER) * 1000 + CAST(substr(strftime('%f', ");
        put_col(q, col);
        buf_puts(&q->b, "), 4) AS INTEGER)) / 86400000.0");
        break;
    case SQL_BIGQUERY:
        buf_puts(&q->b, "UNIX_MICROS(");
        put_col(q, col);
        buf_puts(&q->b, ") / 86400000000.0");
        break;
    }
}

/* The event name normalised as lang/names.h does: ASCII letters lowered, ' ', '_', '-' and '.'
 * dropped. TRANSLATE does exactly that in PostgreSQL and BigQuery (characters beyond the second
 * list are deleted) without touching other letters, as LOWER would in a UTF-8 database; SQLite's
 * LOWER is ASCII-only already, and it has no TRANSLATE. */
static void put_normalised(Sql *q, const char *expr)
{
    if (q->d == SQL_SQLITE) {
        buf_printf(&q->b, "REPLACE(REPLACE(REPLACE(REPLACE(LOWER(%s), ' ', ''), '_', ''), '-', ''), '.', '')",
                   expr);
        return;
    }
    buf_printf(&q->b, "TRANSLATE(%s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ _-.', 'abcdefghijklmnopqrstuvwxyz')",
               expr);
}

static void put_number(Sql *q, double v)
{
    buf_printf(&q->b, "%.17g", v);
}

static const char *target_kind(FitTargetKind k)
{
    switch (k) {
    case FIT_TO_STAGE: return "S";
    case FIT_TO_TOUCHPOINT: return "T";
    case FIT_TO_CHURN: return "C";
    case FIT_TO_IGNORE: return "I";
    case FIT_TO_NOTHING: break;
    }
    return "U";
}

/* event_map(name, kind, target, tp_stage): kind S stage, T touchpoint, C churn, I ignored;
 * target the stage's or touchpoint's name or the churn reason; tp_stage a touchpoint's stage. The
 * first row only types the columns (a NULL name joins nothing). */
static void put_event_map(Sql *q, const Model *m, const MapRows *r, const char **reasons)
{
    const char *t = text_type(q);
    buf_printf(&q->b, "event_map AS (\n  SELECT CAST(NULL AS %s) AS name, CAST(NULL AS %s) AS kind, "
               "CAST(NULL AS %s) AS target, CAST(NULL AS %s) AS tp_stage", t, t, t, t);
    for (int i = 0; i < r->n; i++) {
        FitTarget tg = r->rows[i].target;
        const char *target = NULL, *tp_stage = NULL;
        if (tg.kind == FIT_TO_STAGE) target = m->stages[tg.index]->name.s;
        if (tg.kind == FIT_TO_TOUCHPOINT) {
            const Touchpoint *tp = m->touchpoints[tg.index];
            target = tp->name.s;
            if (tp->stage_index >= 0) tp_stage = m->stages[tp->stage_index]->name.s;
        }
        if (tg.kind == FIT_TO_CHURN && tg.index >= 0) target = reasons[tg.index];
        buf_puts(&q->b, "\n  UNION ALL SELECT ");
        put_literal(q, r->rows[i].norm);
        buf_puts(&q->b, ", ");
        put_literal(q, target_kind(tg.kind));
        buf_puts(&q->b, ", ");
        put_literal_or_null(q, target);
        buf_puts(&q->b, ", ");
        put_literal_or_null(q, tp_stage);
    }
    buf_puts(&q->b, "\n),\n");
}

static void put_stage_info(Sql *q, const Model *m)
{
    buf_printf(&q->b, "stage_info AS (\n  SELECT CAST(NULL AS %s) AS stage, 0 AS terminal, 0 AS goal",
               text_type(q));
    for (int s = 0; s < m->nstages; s++) {
        buf_puts(&q->b, "\n  UNION ALL SELECT ");
        put_literal(q, m->stages[s]->name.s);
        buf_printf(&q->b, ", %d, %d", m->stages[s]->arrows ? 0 : 1, m->stages[s]->goal ? 1 : 0);
    }
    buf_puts(&q->b, "\n),\n");
}

static void put_events(Sql *q, const char *table, const LogColumns *cols)
{
    const char *c_case = cols && cols->case_id ? cols->case_id : "case_id";
    const char *c_event = cols && cols->event ? cols->event : "event";
    const char *c_time = cols && cols->time ? cols->time : "timestamp";
    const char *t = text_type(q);
    buf_puts(&q->b, "ev AS (\n  SELECT CAST(");
    put_col(q, c_case);
    buf_printf(&q->b, " AS %s) AS cid, CAST(", t);
    put_col(q, c_event);
    buf_printf(&q->b, " AS %s) AS name,\n         ", t);
    put_days(q, c_time);
    buf_puts(&q->b, " AS t\n  FROM ");
    put_table(q, table);
    buf_puts(&q->b, "\n  WHERE ");
    put_col(q, c_case);
    buf_puts(&q->b, " IS NOT NULL AND ");
    put_col(q, c_event);
    buf_puts(&q->b, " IS NOT NULL AND ");
    put_col(q, c_time);
    buf_puts(&q->b, " IS NOT NULL\n),\n");
}

/* The steps from the mapped events to each stage entry's outcome. A case is a case id's events
 * up to a silence longer than the inactivity (fit_observe's rule: what follows such a gap is
 * another case of the same id), numbered by `part`. */
static void put_cases(Sql *q, double inactivity)
{
    buf_puts(&q->b,
             "mapped AS (\n"
             "  SELECT ev.cid, ev.name, ev.t, COALESCE(m.kind, 'U') AS kind, m.target, m.tp_stage\n"
             "  FROM ev LEFT JOIN event_map m ON m.name = ");
    put_normalised(q, "ev.name");
    buf_puts(&q->b,
             "\n),\n"
             "-- a case id's events in time order (--map EVENT=ignore drops an event), and the gaps\n"
             "ordered AS (\n"
             "  SELECT cid, name, t, kind, target, tp_stage,\n"
             "         ROW_NUMBER() OVER (PARTITION BY cid ORDER BY t, name) AS rn,\n"
             "         t - LAG(t) OVER (PARTITION BY cid ORDER BY t, name) AS gap\n"
             "  FROM mapped WHERE kind <> 'I'\n"
             "),\n"
             "parted AS (\n"
             "  SELECT cid, name, t, kind, target, tp_stage, rn,\n"
             "         SUM(CASE WHEN ");
    put_number(q, inactivity);
    buf_puts(&q->b, " > 0 AND gap > ");
    put_number(q, inactivity);
    buf_puts(&q->b,
             " THEN 1 ELSE 0 END)\n"
             "           OVER (PARTITION BY cid ORDER BY rn ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS part\n"
             "  FROM ordered\n"
             "),\n"
             "firsts AS (\n"
             "  SELECT parted.*, MIN(CASE WHEN kind = 'S' THEN rn END) OVER (PARTITION BY cid, part) AS first_rn,\n"
             "         MAX(t) OVER (PARTITION BY cid, part) AS last_t\n"
             "  FROM parted\n"
             "),\n"
             "-- the case ends at its first churn event after its first stage event\n"
             "bounded AS (\n"
             "  SELECT firsts.*,\n"
             "         MIN(CASE WHEN kind = 'C' AND rn > first_rn THEN rn END) OVER (PARTITION BY cid, part) AS churn_rn,\n"
             "         MAX(CASE WHEN kind = 'S' THEN rn END)\n"
             "           OVER (PARTITION BY cid, part ORDER BY rn ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS entry_rn\n"
             "  FROM firsts\n"
             "),\n"
             "steps AS (\n"
             "  SELECT cid, part, rn, t, kind, target, last_t FROM bounded\n"
             "  WHERE rn >= first_rn AND (kind = 'S' OR rn = churn_rn) AND (churn_rn IS NULL OR rn <= churn_rn)\n"
             "),\n"
             "legs AS (\n"
             "  SELECT cid, part, kind, target AS stage, t, last_t,\n"
             "         ROW_NUMBER() OVER (PARTITION BY cid, part ORDER BY rn) AS k,\n"
             "         LEAD(kind) OVER (PARTITION BY cid, part ORDER BY rn) AS next_kind,\n"
             "         LEAD(target) OVER (PARTITION BY cid, part ORDER BY rn) AS next_target,\n"
             "         LEAD(t) OVER (PARTITION BY cid, part ORDER BY rn) AS next_t\n"
             "  FROM steps\n"
             "),\n"
             "span AS (SELECT MIN(t) AS log_start, MAX(t) AS log_end, COUNT(*) AS events FROM ev),\n"
             "-- how each stage entry ended: a move, churn, completion (a stage without arrows), churn\n"
             "-- by inactivity at the case's last event, or not yet (censored at the log's end)\n"
             "ends AS (\n"
             "  SELECT l.cid, l.part, l.k, l.stage, l.t, si.goal, l.next_target,\n"
             "         CASE WHEN l.next_kind = 'S' THEN 'move' WHEN l.next_kind = 'C' THEN 'churn'\n"
             "              WHEN si.terminal = 1 THEN 'done'\n"
             "              WHEN ");
    put_number(q, inactivity);
    buf_puts(&q->b, " > 0 AND s.log_end - l.last_t > ");
    put_number(q, inactivity);
    buf_puts(&q->b,
             " THEN 'idle' ELSE 'open' END AS outcome,\n"
             "         CASE WHEN l.next_kind IS NOT NULL THEN l.next_t\n"
             "              WHEN si.terminal = 1 THEN NULL\n"
             "              WHEN ");
    /* With an inactivity, a case quiet at the log's end may already have left without a word:
     * its wait is censored at its last event, as fit_observe's is. */
    put_number(q, inactivity);
    buf_puts(&q->b,
             " > 0 THEN l.last_t ELSE s.log_end END AS end_t\n"
             "  FROM legs l CROSS JOIN span s JOIN stage_info si ON si.stage = l.stage\n"
             "  WHERE l.kind = 'S'\n"
             "),\n"
             "-- per case: its start, its first goal entry (conversion), its churn\n"
             "convs AS (\n"
             "  SELECT cid, part, MIN(t) AS start_t, MIN(CASE WHEN goal = 1 THEN t END) AS conv_t,\n"
             "         MAX(CASE WHEN outcome IN ('churn', 'idle') THEN end_t END) AS churn_t\n"
             "  FROM ends GROUP BY cid, part\n"
             "),\n"
             "-- touchpoint events before the case churned: in an entry of their own stage or outside\n"
             "touches AS (\n"
             "  SELECT b.cid, b.part, b.entry_rn, b.target, b.tp_stage, e.target AS stage\n"
             "  FROM bounded b LEFT JOIN bounded e ON e.cid = b.cid AND e.part = b.part AND e.rn = b.entry_rn\n"
             "  WHERE b.kind = 'T' AND (b.churn_rn IS NULL OR b.rn < b.churn_rn)\n"
             "),\n"
             "touch_met AS (\n"
             "  SELECT DISTINCT cid, part, entry_rn, target, tp_stage FROM touches WHERE stage = tp_stage\n"
             "),\n");
}

/* The unmapped names the result lists (their total is counted apart): enough for a report. */
enum { SQL_TOP_UNMAPPED = 100 };

/* Every duration the FitObs summarises, with its log and its bin (fit.h: floor(12 log10(t /
 * 1e-4) + 0.5), clamped; t <= 0 in bin 0 and without a log). */
static void put_binned(Sql *q)
{
    const char *t = text_type(q);
    buf_printf(&q->b,
               "timed AS (\n"
               "  SELECT CASE WHEN outcome IN ('open', 'idle') THEN 'wait_censored' ELSE 'wait_done' END AS kind,\n"
               "         stage, end_t - t AS w\n"
               "  FROM ends WHERE outcome <> 'done'\n"
               "  UNION ALL SELECT 'time_to_convert', CAST(NULL AS %s), conv_t - start_t FROM convs WHERE conv_t IS NOT NULL\n"
               "  UNION ALL SELECT CASE WHEN churn_t IS NULL THEN 'followup_censored' ELSE 'followup_churned' END,\n"
               "         CAST(NULL AS %s), COALESCE(churn_t, log_end) - conv_t\n"
               "  FROM convs CROSS JOIN span WHERE conv_t IS NOT NULL\n"
               "),\n"
               "logs AS (\n"
               "  SELECT kind, stage, w, CASE WHEN w > 0 THEN LN(w) END AS lw,\n"
               "         CASE WHEN w > 0 THEN FLOOR(12 * LN(w / 0.0001) / LN(10) + 0.5) ELSE 0 END AS b\n"
               "  FROM timed\n"
               "),\n"
               "binned AS (\n"
               "  SELECT kind, stage, w, lw, CAST(CASE WHEN b < 0 THEN 0 WHEN b > %d THEN %d ELSE b END AS %s) AS bin\n"
               "  FROM logs\n"
               "),\n"
               "-- the names that map to nothing, the most frequent first\n"
               "top_unmapped AS (\n"
               "  SELECT name, COUNT(*) AS n FROM mapped WHERE kind = 'U'\n"
               "  GROUP BY name ORDER BY COUNT(*) DESC, name LIMIT %d\n"
               ")\n",
               t, t, FIT_BINS - 1, FIT_BINS - 1, int_type(q), SQL_TOP_UNMAPPED);
}

/* One result row's select list: kind, stage, target, bin, n, then the sums (NULL when none). */
static void put_row(Sql *q, const char *kind, const char *stage, const char *target, const char *bin,
                    const char *n, bool sums, const char *from)
{
    buf_printf(&q->b, "UNION ALL SELECT %s, %s, %s, %s, %s, ", kind, stage, target, bin, n);
    if (sums) buf_puts(&q->b, "SUM(w), SUM(w * w), SUM(lw), SUM(lw * lw), MIN(w), MAX(w)");
    else buf_puts(&q->b, "NULL, NULL, NULL, NULL, NULL, NULL");
    buf_printf(&q->b, "\n  %s\n", from);
}

static void put_result(Sql *q, double inactivity)
{
    const char *t = text_type(q), *r = real_type(q), *i = int_type(q);
    buf_printf(&q->b,
               "SELECT kind, stage, target, bin, n, sum, sumsq, sumlog, sumlog2, min, max FROM (\n"
               "  SELECT CAST('log' AS %s) AS kind, CAST(NULL AS %s) AS stage, CAST(NULL AS %s) AS target,\n"
               "         CAST(NULL AS %s) AS bin, CAST(events AS %s) AS n, CAST(NULL AS %s) AS sum,\n"
               "         CAST(NULL AS %s) AS sumsq, CAST(NULL AS %s) AS sumlog, CAST(NULL AS %s) AS sumlog2,\n"
               "         log_start AS min, log_end AS max\n"
               "  FROM span\n",
               t, t, t, i, r, r, r, r, r);
    buf_puts(&q->b, "UNION ALL SELECT 'inactivity', NULL, NULL, NULL, ");
    put_number(q, inactivity);
    buf_puts(&q->b, ", NULL, NULL, NULL, NULL, NULL, NULL FROM span\n");
    put_row(q, "'mapped'", "NULL",
            "CASE kind WHEN 'S' THEN 'stage' WHEN 'T' THEN 'touchpoint' WHEN 'C' THEN 'churn' "
            "WHEN 'I' THEN 'ignored' ELSE 'unmapped' END",
            "NULL", "COUNT(*)", false, "FROM mapped GROUP BY kind");
    put_row(q, "'before_first_stage'", "NULL", "NULL", "NULL", "COUNT(*)", false,
            "FROM bounded WHERE first_rn IS NULL OR rn < first_rn");
    put_row(q, "'after_churn'", "NULL", "NULL", "NULL", "COUNT(*)", false, "FROM bounded WHERE rn > churn_rn");
    put_row(q, "'unmapped_name'", "NULL", "name", "NULL", "n", false, "FROM top_unmapped");
    put_row(q, "'touch_events'", "tp_stage", "target", "NULL", "COUNT(*)", false,
            "FROM touches GROUP BY tp_stage, target");
    put_row(q, "'touch_outside'", "tp_stage", "target", "NULL", "COUNT(*)", false,
            "FROM touches WHERE stage IS NULL OR tp_stage IS NULL OR stage <> tp_stage GROUP BY tp_stage, target");
    put_row(q, "'touch_entries'", "tp_stage", "target", "NULL", "COUNT(*)", false,
            "FROM touch_met GROUP BY tp_stage, target");
    put_row(q, "'starts'", "stage", "NULL", "NULL", "COUNT(*)", false, "FROM ends WHERE k = 1 GROUP BY stage");
    put_row(q, "'entries'", "stage", "NULL", "NULL", "COUNT(*)", false, "FROM ends GROUP BY stage");
    put_row(q, "'move'", "stage", "next_target", "NULL", "COUNT(*)", false,
            "FROM ends WHERE outcome = 'move' GROUP BY stage, next_target");
    put_row(q, "'churn'", "stage", "next_target", "NULL", "COUNT(*)", false,
            "FROM ends WHERE outcome = 'churn' GROUP BY stage, next_target");
    put_row(q, "'churn_inactive'", "stage", "NULL", "NULL", "COUNT(*)", false,
            "FROM ends WHERE outcome = 'idle' GROUP BY stage");
    put_row(q, "'completed'", "stage", "NULL", "NULL", "COUNT(*)", false,
            "FROM ends WHERE outcome = 'done' GROUP BY stage");
    put_row(q, "'converted'", "NULL", "NULL", "NULL", "COUNT(*)", false, "FROM convs WHERE conv_t IS NOT NULL");
    put_row(q, "kind", "stage", "NULL", "NULL", "COUNT(*)", true, "FROM binned GROUP BY kind, stage");
    put_row(q, "kind", "stage", "NULL", "bin", "COUNT(*)", false, "FROM binned GROUP BY kind, stage, bin");
    buf_puts(&q->b, ") result\nORDER BY kind, stage, target, bin;\n");
}

static const char *dialect_name(SqlDialect d)
{
    return d == SQL_POSTGRES ? "PostgreSQL" : d == SQL_SQLITE ? "SQLite" : "BigQuery";
}

static void put_header(Sql *q, const Model *m, const char *table, const LogColumns *cols, double inactivity)
{
    buf_printf(&q->b, "-- cjm fit --sql: the observations of the journey \"%s\" from table %s (%s).\n",
               m->title, table, dialect_name(q->d));
    buf_printf(&q->b, "-- Columns: case %s, event %s, time %s",
               cols && cols->case_id ? cols->case_id : "case_id", cols && cols->event ? cols->event : "event",
               cols && cols->time ? cols->time : "timestamp");
    switch (q->d) {
    case SQL_POSTGRES: buf_puts(&q->b, " (a timestamp or timestamptz)"); break;
    case SQL_SQLITE: buf_puts(&q->b, " (ISO 8601 text)"); break;
    case SQL_BIGQUERY: buf_puts(&q->b, " (a TIMESTAMP)"); break;
    }
    if (inactivity > 0) buf_printf(&q->b, "; churn after %g days without an event.\n", inactivity);
    else buf_puts(&q->b, "; no churn by inactivity.\n");
    buf_puts(&q->b, "-- Run it where the data lives and give its result to cjm fit as the log, e.g.\n");
    switch (q->d) {
    case SQL_POSTGRES: buf_puts(&q->b, "--   psql --csv -f fit.sql > fit.csv\n"); break;
    case SQL_SQLITE: buf_puts(&q->b, "--   sqlite3 -csv -header events.db < fit.sql > fit.csv\n"); break;
    case SQL_BIGQUERY: buf_puts(&q->b, "--   bq query --format=csv --use_legacy_sql=false < fit.sql > fit.csv\n"); break;
    }
    buf_puts(&q->b, "--   cjm fit JOURNEY fit.csv\n");
    if (q->d == SQL_SQLITE) buf_puts(&q->b, "-- (SQLite 3.35 or later: LN and FLOOR are its math functions.)\n");
}

char *fit_sql_query(const Model *m, const FitMapRule *map, int nmap, const char *table,
                    const LogColumns *cols, SqlDialect d, double inactivity_days, char **error)
{
    *error = check_map_rules(m, map, nmap);
    if (*error) return NULL;
    if (inactivity_days < 0) inactivity_days = m->inactivity;
    if (!(inactivity_days > 0)) inactivity_days = 0;
    int nreasons = 0;
    const char **reasons = fit_churn_reasons(m, &nreasons);
    MapRows rows = {0};
    collect_map(&rows, m, map, nmap);

    Sql q = {BUF_INIT, d};
    put_header(&q, m, table, cols, inactivity_days);
    buf_puts(&q.b, "WITH\n");
    put_event_map(&q, m, &rows, reasons);
    put_stage_info(&q, m);
    put_events(&q, table, cols);
    put_cases(&q, inactivity_days);
    put_binned(&q);
    put_result(&q, inactivity_days);

    map_rows_free(&rows);
    free(reasons);
    return buf_take(&q.b);
}

/* ---- reading the result ---- */

static const char *const result_columns[] = {"kind", "stage", "target", "bin", "n", "sum",
                                             "sumsq", "sumlog", "sumlog2", "min", "max"};
enum { NCOLS = sizeof result_columns / sizeof result_columns[0] };
enum { C_KIND, C_STAGE, C_TARGET, C_BIN, C_N, C_SUM, C_SUMSQ, C_SUMLOG, C_SUMLOG2, C_MIN, C_MAX };

static int column_of(const char *const *names, int n, const char *want)
{
    for (int i = 0; i < n; i++)
        if (names[i] && strcasecmp(names[i], want) == 0) return i;
    return -1;
}

bool fit_is_query_result(const char *const *names, int n)
{
    if (n != NCOLS) return false;
    for (int c = 0; c < NCOLS; c++)
        if (column_of(names, n, result_columns[c]) < 0) return false;
    return true;
}

typedef struct Reader {
    const Model *m;
    FitObs *obs;
    CsvFile *t;
    const LogStr *f;        /* this row's fields, in result_columns' order */
    LogStr field[NCOLS];
    uint64_t line;
    bool seen_log;          /* a `log` row gave the log's first and last event */
    char *error;
} Reader;

static bool fail(Reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(Reader *r, const char *fmt, ...)
{
    Buf b = BUF_INIT;
    buf_printf(&b, "%s:%llu: ", csvf_name(r->t), (unsigned long long)r->line);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    r->error = buf_take(&b);
    return false;
}

static bool field_is(const LogStr *s, const char *want)
{
    size_t n = strlen(want);
    return s->s && s->len == n && memcmp(s->s, want, n) == 0;
}

static bool field_empty(const LogStr *s)
{
    return !s->s || s->len == 0;
}

/* A number of column c: `dflt` when empty. */
static bool number(Reader *r, int c, double dflt, double *out)
{
    const LogStr *s = &r->field[c];
    *out = dflt;
    if (field_empty(s)) return true;
    char tmp[64];
    if (s->len >= sizeof tmp) return fail(r, "column '%s': '%.*s' is not a number", result_columns[c], 40, s->s);
    memcpy(tmp, s->s, s->len);
    tmp[s->len] = '\0';
    char *end;
    double v = strtod(tmp, &end);
    if (end == tmp || *end != '\0' || isnan(v))
        return fail(r, "column '%s': '%s' is not a number", result_columns[c], tmp);
    *out = v;
    return true;
}

/* A stage of the journey by the name the query wrote (its name; a label or another spelling of
 * it, normalised, is taken too). */
static bool stage_of(Reader *r, int c, int *stage)
{
    const LogStr *s = &r->field[c];
    if (field_empty(s)) return fail(r, "column '%s' is empty where a stage is needed", result_columns[c]);
    for (int i = 0; i < r->m->nstages; i++)
        if (field_is(s, r->m->stages[i]->name.s)) return *stage = i, true;
    FitTarget t = fit_map_name(r->m, NULL, 0, s->s, s->len);
    if (t.kind == FIT_TO_STAGE) return *stage = t.index, true;
    return fail(r, "stage '%.*s' is not in the journey (was the query printed for another journey? "
                "print it again with cjm fit --sql)", (int)s->len, s->s);
}

static bool touchpoint_of(Reader *r, int *tp)
{
    const LogStr *s = &r->field[C_TARGET];
    for (int i = 0; i < r->m->ntouchpoints; i++)
        if (field_is(s, r->m->touchpoints[i]->name.s)) return *tp = i, true;
    return fail(r, "touchpoint '%.*s' is not in the journey (was the query printed for another "
                "journey? print it again with cjm fit --sql)", (int)s->len, s->s);
}

/* The reason column of a churn row: the index among obs->reasons, -1 for none. */
static bool reason_of(Reader *r, int *reason)
{
    const LogStr *s = &r->field[C_TARGET];
    *reason = -1;
    if (field_empty(s)) return true;
    for (int i = 0; i < r->obs->nreasons; i++)
        if (field_is(s, r->obs->reasons[i])) return *reason = i, true;
    return fail(r, "churn reason '%.*s' is not in the journey (was the query printed for another "
                "journey? print it again with cjm fit --sql)", (int)s->len, s->s);
}

static bool add_name(FitNameCount **list, int *n, const LogStr *name, double count)
{
    for (int i = 0; i < *n; i++)
        if (strlen((*list)[i].name) == name->len && memcmp((*list)[i].name, name->s, name->len) == 0) {
            (*list)[i].count += count;
            return true;
        }
    FitNameCount *grown = realloc(*list, (size_t)(*n + 1) * sizeof **list);
    if (!grown) return false;
    *list = grown;
    char *copy = malloc(name->len + 1);
    if (!copy) return false;
    memcpy(copy, name->s, name->len);
    copy[name->len] = '\0';
    grown[(*n)++] = (FitNameCount){copy, count};
    return true;
}

/* A wait row: its sums (bin empty) or one bin's count. Rows of the same key add up. */
static bool read_wait(Reader *r, FitWaitObs *w, double n)
{
    if (!field_empty(&r->field[C_BIN])) {
        double b;
        if (!number(r, C_BIN, 0, &b)) return false;
        if (b < 0 || b > FIT_BINS - 1 || b != floor(b))
            return fail(r, "column 'bin': %g is not a bin (0 to %d)", b, FIT_BINS - 1);
        w->bin[(int)b] += n;
        return true;
    }
    double sum, sumsq, sumlog, sumlog2, mn, mx;
    if (!number(r, C_SUM, 0, &sum) || !number(r, C_SUMSQ, 0, &sumsq) || !number(r, C_SUMLOG, 0, &sumlog) ||
        !number(r, C_SUMLOG2, 0, &sumlog2) || !number(r, C_MIN, INFINITY, &mn) || !number(r, C_MAX, -INFINITY, &mx))
        return false;
    w->n += n;
    w->sum += sum;
    w->sumsq += sumsq;
    w->sumlog += sumlog;
    w->sumlog2 += sumlog2;
    if (mn < w->min) w->min = mn;
    if (mx > w->max) w->max = mx;
    return true;
}

static bool read_mapped(Reader *r, double n)
{
    FitObs *o = r->obs;
    const LogStr *s = &r->field[C_TARGET];
    if (field_is(s, "stage")) o->mapped_stage += n;
    else if (field_is(s, "touchpoint")) o->mapped_touchpoint += n;
    else if (field_is(s, "churn")) o->mapped_churn += n;
    else if (field_is(s, "ignored")) o->ignored += n;
    else if (field_is(s, "unmapped")) o->unmapped += n;
    else return fail(r, "kind 'mapped': unknown target '%.*s'", (int)s->len, s->s ? s->s : "");
    return true;
}

static bool read_stage_row(Reader *r, const LogStr *kind, double n)
{
    FitObs *o = r->obs;
    int s = -1, to = -1, reason = -1;
    if (!stage_of(r, C_STAGE, &s)) return false;
    int churn = o->nstages;
    if (field_is(kind, "starts")) o->starts[s] += n;
    else if (field_is(kind, "entries")) o->entries[s] += n;
    else if (field_is(kind, "completed")) o->completed[s] += n;
    else if (field_is(kind, "move")) {
        if (!stage_of(r, C_TARGET, &to)) return false;
        o->moves[s * (churn + 1) + to] += n;
    } else if (field_is(kind, "churn")) {
        if (!reason_of(r, &reason)) return false;
        o->moves[s * (churn + 1) + churn] += n;
        if (reason >= 0) o->churn_by_reason[s * (o->nreasons + 1) + reason] += n;
    } else if (field_is(kind, "churn_inactive")) {
        o->moves[s * (churn + 1) + churn] += n;
        o->churn_by_reason[s * (o->nreasons + 1) + o->nreasons] += n;
    } else if (field_is(kind, "wait_done")) return read_wait(r, &o->wait_done[s], n);
    else if (field_is(kind, "wait_censored")) return read_wait(r, &o->wait_censored[s], n);
    return true;
}

static bool is_stage_kind(const LogStr *k)
{
    static const char *const kinds[] = {"starts", "entries", "completed", "move", "churn",
                                        "churn_inactive", "wait_done", "wait_censored"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (field_is(k, kinds[i])) return true;
    return false;
}

static bool read_row(Reader *r)
{
    FitObs *o = r->obs;
    const LogStr *kind = &r->field[C_KIND];
    double n;
    if (!number(r, C_N, 0, &n)) return false;
    if (is_stage_kind(kind)) return read_stage_row(r, kind, n);
    if (field_is(kind, "log")) {
        double lo, hi;
        if (!number(r, C_MIN, NAN, &lo) || !number(r, C_MAX, NAN, &hi)) return false;
        o->events += n;
        if (isnan(lo) || isnan(hi)) return true; /* an empty table */
        if (!r->seen_log || lo < o->log_start) o->log_start = lo;
        if (!r->seen_log || hi > o->log_end) o->log_end = hi;
        r->seen_log = true;
    } else if (field_is(kind, "inactivity")) o->inactivity = n;
    else if (field_is(kind, "mapped")) return read_mapped(r, n);
    else if (field_is(kind, "before_first_stage")) o->before_first_stage += n;
    else if (field_is(kind, "after_churn")) o->after_churn += n;
    else if (field_is(kind, "converted")) o->converted += n;
    else if (field_is(kind, "unmapped_name")) {
        if (field_empty(&r->field[C_TARGET])) return true;
        if (!add_name(&o->unmapped_names, &o->nunmapped_names, &r->field[C_TARGET], n))
            return fail(r, "out of memory");
    } else if (field_is(kind, "touch_events") || field_is(kind, "touch_outside") || field_is(kind, "touch_entries")) {
        int tp = -1;
        if (!touchpoint_of(r, &tp)) return false;
        double *v = field_is(kind, "touch_events") ? o->touch_events
                    : field_is(kind, "touch_outside") ? o->touch_outside : o->touch_entries;
        v[tp] += n;
    } else if (field_is(kind, "time_to_convert")) return read_wait(r, &o->time_to_convert, n);
    else if (field_is(kind, "followup_churned")) return read_wait(r, &o->followup_churned, n);
    else if (field_is(kind, "followup_censored")) return read_wait(r, &o->followup_censored, n);
    else return fail(r, "unknown kind '%.*s' (is this the result of cjm fit --sql's query?)",
                     (int)kind->len, kind->s ? kind->s : "");
    return true;
}

static int by_count(const void *a, const void *b)
{
    const FitNameCount *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* What follows from the rows: cases are the starts, none with a known segment; names by count. */
static void finish(FitObs *o)
{
    if (isnan(o->log_start) || isnan(o->log_end)) o->log_start = o->log_end = 0; /* an empty table */
    o->cases = 0;
    for (int s = 0; s < o->nstages; s++) o->cases += o->starts[s];
    o->no_segment = o->cases; /* the query reads no segment column */
    if (o->nunmapped_names > 1)
        qsort(o->unmapped_names, (size_t)o->nunmapped_names, sizeof *o->unmapped_names, by_count);
}

FitObs *fit_obs_read_table(const Model *m, CsvFile *t, char **error)
{
    *error = NULL;
    const char *const *names;
    int ncols = csvf_columns(t, &names);
    if (!fit_is_query_result(names, ncols)) {
        Buf b = BUF_INIT;
        buf_printf(&b, "%s: not the result of cjm fit --sql's query (its columns are", csvf_name(t));
        for (int c = 0; c < NCOLS; c++) buf_printf(&b, "%s %s", c ? "," : "", result_columns[c]);
        buf_puts(&b, ")");
        *error = buf_take(&b);
        return NULL;
    }
    int col[NCOLS];
    for (int c = 0; c < NCOLS; c++) col[c] = column_of(names, ncols, result_columns[c]);
    Reader r = {.m = m, .obs = fit_obs_new(m), .t = t};
    if (!r.obs) {
        *error = strdup("out of memory");
        return NULL;
    }
    r.obs->from_table = true;
    for (;;) {
        const LogStr *fields;
        int n = csvf_next_row(t, &fields, &r.line);
        if (n == 0) break;
        if (n < 0) {
            const char *e = csvf_error(t);
            r.error = strdup(e ? e : "cannot read the table");
            break;
        }
        if (n != ncols) {
            fail(&r, "%d fields where the header has %d", n, ncols);
            break;
        }
        for (int c = 0; c < NCOLS; c++) r.field[c] = fields[col[c]];
        if (!read_row(&r)) break;
    }
    if (r.error) {
        fit_obs_free(r.obs);
        *error = r.error;
        return NULL;
    }
    finish(r.obs);
    return r.obs;
}
