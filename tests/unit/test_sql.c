/* test_sql.c: cjm fit --sql's query as text (the journey's mapping written into it, each
 * dialect's times and quoting, --map rules) and the reading of its result into a FitObs (sums,
 * bins, rows of one key added, every error with its line). The query is run for real, in SQLite
 * and PostgreSQL, by tests/cli/fit_sql.sh. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journey.h"
#include "unit.h"

static const char *const shop =
    "journey \"Shop\" {\n  start Visit\n  inactivity 30 days\n}\n"
    "stage Visit \"Visits the site\" {\n"
    "  touchpoint Ad \"Search ad\" { }\n"
    "  -> Signup 40%\n"
    "  -> churn otherwise \"never engaged\"\n"
    "}\n"
    "stage Signup \"Signed Up\" {\n"
    "  events \"registration_done\"\n"
    "  -> Purchase 50%\n"
    "  -> churn otherwise \"lost interest\"\n"
    "}\n"
    "stage Purchase goal { }\n";

static char *query(const UnitJourney *j, const FitMapRule *map, int nmap, SqlDialect d, double inactivity)
{
    char *err = NULL;
    LogColumns cols = {.case_id = "user id", .event = "event_name", .time = "ts"};
    char *q = fit_sql_query(j->c.model, map, nmap, "analytics.events", &cols, d, inactivity, &err);
    if (!q) printf("FAIL %s: %s\n", unit_current, err ? err : "(no message)"), unit_current_failed = true;
    free(err);
    return q;
}

/* A result table written to a temporary file and read back; NULL with *error on failure. */
static FitObs *read_result(const UnitJourney *j, const char *csv, char **error)
{
    char path[] = "/tmp/cjm-test-sql-XXXXXX";
    int fd = mkstemp(path);
    *error = NULL;
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(csv, f);
    fclose(f);
    FitObs *o = NULL;
    CsvFile *t = csvf_open(path, error);
    if (t) {
        o = fit_obs_read_table(j->c.model, t, error);
        csvf_close(t);
    }
    unlink(path);
    return o;
}

static const char *const header = "kind,stage,target,bin,n,sum,sumsq,sumlog,sumlog2,min,max\n";

void unit_sql(void);
void unit_sql(void)
{
    TEST("sql: the query holds the journey's mapping, normalised, and its stages") {
        UnitJourney j;
        if (unit_load(&j, shop)) {
            char *q = query(&j, NULL, 0, SQL_POSTGRES, -1);
            CHECK(q && strstr(q, "SELECT 'visitsthesite', 'S', 'Visit', NULL"));
            CHECK(q && strstr(q, "SELECT 'signedup', 'S', 'Signup', NULL"));
            CHECK(q && strstr(q, "SELECT 'registrationdone', 'S', 'Signup', NULL")); /* events list */
            CHECK(q && strstr(q, "SELECT 'searchad', 'T', 'Ad', 'Visit'"));
            CHECK(q && strstr(q, "SELECT 'neverengaged', 'C', 'never engaged', NULL"));
            CHECK(q && strstr(q, "UNION ALL SELECT 'Purchase', 1, 1")); /* no arrows, a goal */
            CHECK(q && strstr(q, "FROM \"analytics\".\"events\""));
            CHECK(q && strstr(q, "CAST(\"user id\" AS TEXT) AS cid"));
            CHECK(q && strstr(q, "EXTRACT(EPOCH FROM \"ts\")"));
            CHECK(q && strstr(q, "churn after 30 days")); /* the journey's inactivity */
            CHECK(q && strstr(q, "LEAD(kind) OVER (PARTITION BY cid, part ORDER BY rn)"));
            free(q);
        }
        unit_unload(&j);
    }

    TEST("sql: each dialect's times, quoting and names") {
        UnitJourney j;
        if (unit_load(&j, shop)) {
            char *q = query(&j, NULL, 0, SQL_SQLITE, 0);
            CHECK(q && strstr(q, "(CAST(strftime('%s', \"ts\") AS INTEGER) * 1000"));
            CHECK(q && strstr(q, "REPLACE(REPLACE(REPLACE(REPLACE(LOWER(ev.name)"));
            CHECK(q && strstr(q, "no churn by inactivity"));
            free(q);
            q = query(&j, NULL, 0, SQL_BIGQUERY, 7);
            CHECK(q && strstr(q, "UNIX_MICROS(`ts`)"));
            CHECK(q && strstr(q, "FROM `analytics.events`"));
            CHECK(q && strstr(q, "CAST(NULL AS STRING)"));
            CHECK(q && strstr(q, "churn after 7 days"));
            free(q);
        }
        unit_unload(&j);
    }

    TEST("sql: --map rules come first, and a wrong target is an error") {
        UnitJourney j;
        if (unit_load(&j, shop)) {
            FitMapRule map[] = {{"debug ping", "ignore"}, {"Visit", "Signup"}, {"bye", "churn:lost interest"}};
            char *q = query(&j, map, 3, SQL_POSTGRES, 0);
            CHECK(q && strstr(q, "SELECT 'debugping', 'I', NULL, NULL"));
            CHECK(q && strstr(q, "SELECT 'visit', 'S', 'Signup', NULL"));
            CHECK(q && strstr(q, "SELECT 'bye', 'C', 'lost interest', NULL"));
            free(q);
            FitMapRule bad[] = {{"x", "Nowhere"}};
            char *err = NULL;
            q = fit_sql_query(j.c.model, bad, 1, "events", NULL, SQL_POSTGRES, 0, &err);
            CHECK(!q && err && strstr(err, "--map x=Nowhere") && strstr(err, "'Nowhere'"));
            free(err);
        }
        unit_unload(&j);
    }

    TEST("sql: a name with a quote is one literal") {
        UnitJourney j;
        if (unit_load(&j, "journey \"Q\" {\n  start A\n}\nstage A \"It's here\" { }\n")) {
            char *q = query(&j, NULL, 0, SQL_POSTGRES, 0);
            CHECK(q && strstr(q, "'it''shere'"));
            free(q);
            q = query(&j, NULL, 0, SQL_BIGQUERY, 0);
            CHECK(q && strstr(q, "'it\\'shere'"));
            free(q);
        }
        unit_unload(&j);
    }

    TEST("sql: the result's header is recognised") {
        const char *good[] = {"kind", "stage", "target", "bin", "n", "sum", "sumsq", "sumlog", "sumlog2", "min", "max"};
        const char *other[] = {"KIND", "Stage", "target", "bin", "n", "sum", "sumsq", "sumlog", "sumlog2", "max", "min"};
        const char *log[] = {"case_id", "event", "timestamp"};
        CHECK(fit_is_query_result(good, 11));
        CHECK(fit_is_query_result(other, 11));
        CHECK(!fit_is_query_result(good, 10));
        CHECK(!fit_is_query_result(log, 3));
    }

    TEST("sql: the result read into a FitObs") {
        UnitJourney j;
        if (unit_load(&j, shop)) {
            Buf csv = BUF_INIT;
            buf_puts(&csv, header);
            buf_puts(&csv, "log,,,,10,,,,,19000.5,19100\ninactivity,,,,30,,,,,,\n"
                           "mapped,,stage,,7,,,,,,\nmapped,,unmapped,,3,,,,,,\n"
                           "starts,Visit,,,4,,,,,,\nentries,Visit,,,5,,,,,,\nentries,Signup,,,2,,,,,,\n"
                           "move,Visit,Signup,,2,,,,,,\nmove,Visit,Visit,,1,,,,,,\n"
                           "churn,Visit,never engaged,,1,,,,,,\nchurn,Signup,,,1,,,,,,\n"
                           "churn_inactive,Signup,,,1,,,,,,\ncompleted,Purchase,,,1,,,,,,\n"
                           "wait_done,Visit,,,3,6,14,0.5,1.25,1,3\nwait_done,Visit,,48,2,,,,,,\n"
                           "wait_done,Visit,,54,1,,,,,,\nwait_done,Visit,,,1,2,4,0.7,0.49,2,2\n"
                           "wait_censored,Signup,,,1,8,64,2.07,4.3,8,8\nconverted,,,,1,,,,,,\n"
                           "time_to_convert,,,,1,4,16,1.38,1.9,4,4\ntouch_entries,Visit,Ad,,2,,,,,,\n"
                           "unmapped_name,,page_view,,2,,,,,,\nunmapped_name,,\"a, b\",,1,,,,,,\n");
            char *err = NULL;
            FitObs *o = read_result(&j, buf_str(&csv), &err);
            CHECK(o != NULL);
            if (!o) printf("     %s\n", err ? err : "");
            if (o) {
                int S = o->nstages;
                CHECK(o->from_table);
                CHECK_NEAR(o->events, 10, 0);
                CHECK_NEAR(o->log_start, 19000.5, 0);
                CHECK_NEAR(o->log_end, 19100, 0);
                CHECK_NEAR(o->inactivity, 30, 0);
                CHECK_NEAR(o->cases, 4, 0);
                CHECK_NEAR(o->no_segment, 4, 0);
                CHECK_NEAR(o->mapped_stage, 7, 0);
                CHECK_NEAR(o->unmapped, 3, 0);
                CHECK_NEAR(o->entries[0], 5, 0);
                CHECK_NEAR(o->moves[0 * (S + 1) + 1], 2, 0);
                CHECK_NEAR(o->moves[0 * (S + 1) + 0], 1, 0);
                CHECK_NEAR(o->moves[0 * (S + 1) + S], 1, 0);
                CHECK_NEAR(o->moves[1 * (S + 1) + S], 2, 0); /* a churn event and inactivity */
                CHECK(o->nreasons == 2);
                CHECK_NEAR(o->churn_by_reason[0 * (o->nreasons + 1) + 0], 1, 0);
                CHECK_NEAR(o->churn_by_reason[1 * (o->nreasons + 1) + 2], 1, 0);
                CHECK_NEAR(o->completed[2], 1, 0);
                /* Two rows of one key add up: n, sums, min and max combined. */
                CHECK_NEAR(o->wait_done[0].n, 4, 0);
                CHECK_NEAR(o->wait_done[0].sum, 8, 0);
                CHECK_NEAR(o->wait_done[0].sumsq, 18, 0);
                CHECK_NEAR(o->wait_done[0].sumlog2, 1.74, 1e-12);
                CHECK_NEAR(o->wait_done[0].min, 1, 0);
                CHECK_NEAR(o->wait_done[0].max, 3, 0);
                CHECK_NEAR(o->wait_done[0].bin[48], 2, 0);
                CHECK_NEAR(o->wait_done[0].bin[54], 1, 0);
                CHECK_NEAR(o->wait_censored[1].n, 1, 0);
                CHECK(isinf(o->wait_censored[0].min) && o->wait_censored[0].n == 0);
                CHECK_NEAR(o->converted, 1, 0);
                CHECK_NEAR(o->time_to_convert.sum, 4, 0);
                CHECK_NEAR(o->touch_entries[0], 2, 0);
                CHECK(o->nunmapped_names == 2 && strcmp(o->unmapped_names[0].name, "page_view") == 0 &&
                      strcmp(o->unmapped_names[1].name, "a, b") == 0);
            }
            fit_obs_free(o);
            free(err);
            buf_free(&csv);
        }
        unit_unload(&j);
    }

    TEST("sql: a result that does not fit the journey is an error with its line") {
        UnitJourney j;
        if (unit_load(&j, shop)) {
            static const struct { const char *rows, *message; } cases[] = {
                {"entries,Nowhere,,,1,,,,,,\n", ":2: stage 'Nowhere' is not in the journey"},
                {"starts,Visit,,,1,,,,,,\nmove,Visit,Gone,,1,,,,,,\n", ":3: stage 'Gone' is not in the journey"},
                {"churn,Visit,bored,,1,,,,,,\n", ":2: churn reason 'bored' is not in the journey"},
                {"touch_events,Visit,Banner,,1,,,,,,\n", ":2: touchpoint 'Banner' is not in the journey"},
                {"entries,Visit,,,many,,,,,,\n", ":2: column 'n': 'many' is not a number"},
                {"wait_done,Visit,,200,1,,,,,,\n", ":2: column 'bin': 200 is not a bin (0 to 107)"},
                {"wait_done,Visit,,,1,x,,,,,\n", ":2: column 'sum': 'x' is not a number"},
                {"bogus,,,,1,,,,,,\n", ":2: unknown kind 'bogus'"},
                {"entries,,,,1,,,,,,\n", ":2: column 'stage' is empty where a stage is needed"},
            };
            for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                Buf csv = BUF_INIT;
                buf_puts(&csv, header);
                buf_puts(&csv, cases[i].rows);
                char *err = NULL;
                FitObs *o = read_result(&j, buf_str(&csv), &err);
                CHECK(o == NULL);
                if (!err || !strstr(err, cases[i].message))
                    printf("FAIL %s: %s: got '%s'\n", unit_current, cases[i].message, err ? err : "(none)"),
                        unit_current_failed = true;
                fit_obs_free(o);
                free(err);
                buf_free(&csv);
            }
            char *err = NULL;
            FitObs *o = read_result(&j, "case_id,event,timestamp\nc1,Visit,2024-01-01\n", &err);
            CHECK(o == NULL && err && strstr(err, "not the result of cjm fit --sql's query"));
            free(err);
        }
        unit_unload(&j);
    }
}
