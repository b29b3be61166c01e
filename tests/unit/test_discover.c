/* test_discover.c: unit tests of cjm discover's draft journeys (fit/discover.h), from logs written
 * here whose process is known: the frequent names become stages (a rare one is left out), the
 * directly-follows shares become arrows, a name that is no identifier gets an `events` list, the
 * text checks, and its exact analysis and its simulation reproduce the log's conversion; a goal
 * the log lacks is an error naming it; a path table becomes its first-order Markov chain, whose
 * stage removals give the chain's removal effects. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CJM_INTERNALS
#include "cjm.h"
#include "journey.h"
#include "unit.h"

void unit_discover(void);

typedef UnitJourney J;

/* Writes `text` to a new temporary file and returns its path (malloc'd). CSV needs no suffix: an
 * event log and a path table are told apart by their header. */
static char *temp_file(const char *text)
{
    char *path = malloc(64);
    snprintf(path, 64, "/tmp/cjm-discover-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return path;
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) CHECK(false);
    close(fd);
    return path;
}

static char *discover(const char *log_text, const DiscoverOptions *o, char **error)
{
    char *path = temp_file(log_text);
    LogOptions lo;
    memset(&lo, 0, sizeof lo);
    char *text = NULL;
    LogReader *r = log_open(path, &lo, error);
    if (r) {
        text = fit_discover(r, o, error);
        log_close(r);
    }
    unlink(path);
    free(path);
    return text;
}

/* 1000 cases: a page view with an awkward name, a visit, then "Signed Up" for 60% of them two
 * days on, a purchase three days later for half of those; "Help" in 2% of the cases. */
static char *funnel_log(void)
{
    Buf b = {0};
    buf_puts(&b, "case_id,event,timestamp\n");
    for (int i = 0; i < 1000; i++) {
        long t = 1700000000L + i * 600L;
        buf_printf(&b, "c%d,Page/View (new),%ld\n", i, t);
        buf_printf(&b, "c%d,Visit,%ld\n", i, t + 3600);
        if (i % 50 == 7) buf_printf(&b, "c%d,Help,%ld\n", i, t + 7200);
        if (i % 10 < 6) buf_printf(&b, "c%d,Signed Up,%ld\n", i, t + 3600 + 2 * 86400);
        if (i % 10 < 3) buf_printf(&b, "c%d,purchase,%ld\n", i, t + 3600 + 5 * 86400);
    }
    return buf_take(&b);
}

static void test_event_log(void)
{
    TEST("discover: stages, shares and an events list from an event log; the draft checks and converts as the log") {
        char *log = funnel_log(), *err = NULL;
        DiscoverOptions o = {"Purchase", 0, 0, 0, "Funnel"};
        char *text = discover(log, &o, &err);
        CHECK(text != NULL);
        if (!text) printf("  %s\n", err ? err : "");
        J j;
        if (text && unit_load(&j, text)) {
            CHECK(strstr(text, "stage PageViewNew {\n  events \"Page/View (new)\"\n") != NULL);
            CHECK(strstr(text, "start PageViewNew") != NULL);
            CHECK(strstr(text, "stage Visit {") != NULL);
            CHECK(strstr(text, "-> SignedUp 60.00%") != NULL);
            CHECK(strstr(text, "stage SignedUp {\n  //") != NULL); /* its name maps: no events list */
            CHECK(strstr(text, "-> Purchase 50.00%") != NULL);
            CHECK(strstr(text, "stage Purchase goal {") != NULL);
            CHECK(strstr(text, "wait exponential(1 hours)") != NULL); /* the page view, an hour before the visit */
            CHECK(strstr(text, "stage Help") == NULL); /* in 2% of the cases */
            Diag d;
            diag_init(&d, &j.c.model->program->sources, NULL, false);
            CHECK(exact_check(j.rm, &d));
            ExactOptions eo = {1000, 1, false, 0, -1};
            RtResult *x = exact_run(j.rm, &eo, &d);
            if (x) CHECK_NEAR(x->converted / 1000, 0.3, 1e-9);
            rt_result_free(x);
            diag_free(&d);
            SimOptions so = unit_sim_options(&j, 100000, 1, 2);
            RtResult *r = sim_run(j.rm, &so);
            CHECK_NEAR(r->converted / 100000, 0.3, 0.006);
            rt_result_free(r);
        } else if (text) {
            printf("%s", text);
        }
        if (text) unit_unload(&j);
        free(text);
        free(err);
        free(log);
    }
    TEST("discover: a goal the log does not have is an error naming it") {
        char *log = funnel_log(), *err = NULL;
        DiscoverOptions o = {"Paid", 0, 0, 0, NULL};
        char *text = discover(log, &o, &err);
        CHECK(text == NULL);
        CHECK(err && strstr(err, "no event is named 'Paid' (--goal)"));
        free(err);
        free(log);
    }
    TEST("discover: inactivity makes recent cases still inside, not churned") {
        char *log = funnel_log(), *err = NULL;
        /* the cases span 1000 * 600 s, about 7 days: with 30 days of inactivity none churned */
        DiscoverOptions o = {"Purchase", 0, 30, 0, NULL};
        char *text = discover(log, &o, &err);
        CHECK(text && strstr(text, "inactivity 30 days") != NULL);
        CHECK(text && strstr(text, "\"inactive\"") == NULL);
        J j;
        if (text && unit_load(&j, text)) CHECK(true);
        if (text) unit_unload(&j);
        free(text);
        free(log);
    }
}

static double exact_conversion(const J *j, int removed)
{
    RtSetting gone = {RT_SET_STAGE_REMOVED, removed, 1};
    RtModel *rm = removed >= 0 ? rt_compile_with(j->c.model, &gone, 1) : j->rm;
    Diag d;
    diag_init(&d, &j->c.model->program->sources, NULL, false);
    ExactOptions eo = {1, 1, false, 0, -1};
    RtResult *x = exact_run(rm, &eo, &d);
    double conv = x ? x->converted : NAN;
    rt_result_free(x);
    diag_free(&d);
    if (removed >= 0) rt_model_free(rm);
    return conv;
}

static int stage_index(const J *j, const char *name)
{
    for (int s = 0; s < j->c.model->nstages; s++)
        if (!strcmp(j->c.model->stages[s]->name.s, name)) return s;
    return -1;
}

static void test_paths(void)
{
    TEST("discover: a path table's first-order Markov chain, and its removal effects by stage removal") {
        const char *table = "path,total_conversions,total_null\n"
                            "a > b,3,1\n"
                            "b,1,3\n"
                            "a,0,2\n";
        char *err = NULL;
        DiscoverOptions o = {NULL, 0, 0, 0, "Paths"};
        char *text = discover(table, &o, &err);
        CHECK(text != NULL);
        if (!text) printf("  %s\n", err ? err : "");
        J j;
        if (text && unit_load(&j, text)) {
            CHECK(strstr(text, "stage Conversion goal") != NULL);
            CHECK(strstr(text, "start Start") != NULL);
            /* Start -> a 6/10, a -> b 4/6, b -> Conversion 4/8: conversion 0.6 (2/3) 0.5 + 0.4 0.5 */
            CHECK_NEAR(exact_conversion(&j, -1), 0.4, 1e-3);
            CHECK_NEAR(exact_conversion(&j, stage_index(&j, "A")), 0.2, 1e-3); /* without a: b's 0.4 0.5 */
            CHECK_NEAR(exact_conversion(&j, stage_index(&j, "B")), 0, 1e-9);
        } else if (text) {
            printf("%s", text);
        }
        if (text) unit_unload(&j);
        free(text);
        free(err);
    }
}

void unit_discover(void)
{
    test_event_log();
    test_paths();
}
