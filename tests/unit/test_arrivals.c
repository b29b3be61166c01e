/* test_arrivals.c: unit tests of arrivals over calendar time and survey touchpoints, from the
 * text of a journey to the compiled model: the checked `arrivals` lines (Model.arrivals, the cohort
 * they make), the table of periods rt_compile() builds from them (RtModel.arrivals: start, length,
 * count by cumulative rounding, first customer, persona), RtTouch.survey, and what a scenario may
 * change of them. Every expected table is computed by hand in the comments. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CJM_INTERNALS
#include "cjm.h"
#include "unit.h"

void unit_arrivals(void);

/* A journey checked and compiled from text (scenario `scenario` applied, unless NULL). */
typedef struct A {
    Program prog;
    Diag diag;
    Model *model, *variant;
    RtModel *rm;
    char *msgs;
    size_t msgs_len;
    FILE *out;
} A;

static bool load(A *j, const char *text, const char *scenario)
{
    memset(j, 0, sizeof *j);
    j->out = open_memstream(&j->msgs, &j->msgs_len);
    program_init(&j->prog, "stdlib", NULL);
    diag_init(&j->diag, &j->prog.sources, j->out, false);
    if (program_load_text(&j->prog, "t.journey", text, strlen(text), &j->diag) == LOAD_OK)
        j->model = sema_check(&j->prog, &j->diag);
    if (scenario && j->model && !j->model->errors)
        j->variant = sema_check_scenario(j->model, sema_find_scenario(&j->prog, scenario), &j->diag);
    fflush(j->out);
    const Model *m = scenario ? j->variant : j->model;
    if (!m || j->diag.errors) {
        printf("FAIL %s: the journey does not check:\n%s\n", unit_current, j->msgs ? j->msgs : "");
        unit_current_failed = true;
        return false;
    }
    j->rm = rt_compile(m);
    return true;
}

static void unload(A *j)
{
    rt_model_free(j->rm);
    model_free(j->variant);
    model_free(j->model);
    program_free(&j->prog);
    diag_free(&j->diag);
    fclose(j->out);
    free(j->msgs);
}

/* Period i of the compiled table is (start, length, count, first, persona). */
static bool period_is(const RtModel *rm, int i, double start, double length, uint64_t count, uint64_t first, int persona)
{
    if (i >= rm->narrivals) {
        printf("FAIL %s: no period %d (the table has %d)\n", unit_current, i, rm->narrivals);
        return false;
    }
    const RtArrivalPeriod *p = &rm->arrivals[i];
    bool same = fabs(p->start - start) < 1e-9 && fabs(p->length - length) < 1e-9 && p->count == count &&
                p->first == first && p->persona == persona;
    if (!same)
        printf("FAIL %s: period %d is (%g, %g, %llu, %llu, %d), not (%g, %g, %llu, %llu, %d)\n", unit_current, i,
               p->start, p->length, (unsigned long long)p->count, (unsigned long long)p->first, p->persona, start,
               length, (unsigned long long)count, (unsigned long long)first, persona);
    return same;
}

/* The table holds n periods and brings `total` customers, which is the Model's cohort. */
static bool table_is(const A *j, int n, uint64_t total)
{
    const RtModel *rm = j->rm;
    uint64_t sum = 0;
    for (int i = 0; i < rm->narrivals; i++) sum += rm->arrivals[i].count;
    bool ok = rm->narrivals == n && rm->arrival_total == total && sum == total && rm->model->has_arrivals &&
              rm->model->cohort == (double)total;
    if (!ok)
        printf("FAIL %s: %d periods bringing %llu (sum %llu, cohort %.0f), not %d bringing %llu\n", unit_current,
               rm->narrivals, (unsigned long long)rm->arrival_total, (unsigned long long)sum, rm->model->cohort, n,
               (unsigned long long)total);
    return ok;
}

static void test_rates(void)
{
    TEST("arrivals: 2.5 per week for 3 weeks bring 3, 2, 3 (cumulative rounding, halves up: 3, 5, 8)") {
        A j;
        if (load(&j, "journey { arrivals 2.5 per week for 3 weeks }\nstage A goal {}\n", NULL)) {
            CHECK(table_is(&j, 3, 8));
            CHECK(period_is(j.rm, 0, 0, 7, 3, 0, -1));
            CHECK(period_is(j.rm, 1, 7, 7, 2, 3, -1));
            CHECK(period_is(j.rm, 2, 14, 7, 3, 5, -1));
        }
        unload(&j);
    }
    TEST("arrivals: 4.1 per day for 15 days bring 62: 4.1 x 15 = 61.5 rounds up, though it is 61.49999999999999 in binary") {
        /* By day k: round(4.1 k) = 4, 8, ..., round(57.4) = 57 by day 14, 62 by day 15. */
        A j;
        if (load(&j, "journey { arrivals 4.1 per day for 15 days }\nstage A goal {}\n", NULL)) {
            CHECK(table_is(&j, 15, 62));
            CHECK(period_is(j.rm, 0, 0, 1, 4, 0, -1));
            CHECK(period_is(j.rm, 1, 1, 1, 4, 4, -1));
            CHECK(period_is(j.rm, 13, 13, 1, 4, 53, -1));
            CHECK(period_is(j.rm, 14, 14, 1, 5, 57, -1));
        }
        unload(&j);
    }
    TEST("arrivals: a rate without 'for' runs to the horizon; the last period is the part left") {
        /* 100 days of 10 per month: 3 1/3 months; by their ends 10, 20, 30, round(33.3) = 33. */
        A j;
        if (load(&j, "journey { horizon 100 days arrivals 10 per month }\nstage A goal {}\n", NULL)) {
            CHECK(table_is(&j, 4, 33));
            CHECK(period_is(j.rm, 0, 0, 30, 10, 0, -1));
            CHECK(period_is(j.rm, 1, 30, 30, 10, 10, -1));
            CHECK(period_is(j.rm, 2, 60, 30, 10, 20, -1));
            CHECK(period_is(j.rm, 3, 90, 10, 3, 30, -1));
        }
        unload(&j);
    }
    TEST("arrivals: 'from' moves the start; a rate to the horizon from it; a span that ends on the horizon is allowed") {
        /* Horizon 1 year: 2 per quarter from 185 days runs 180 days, 2 quarters: 2, 2. Then 12 per
         * year from 5 days for 360 days ends on day 365 exactly: 360/365 of a year, round(11.84) = 12. */
        A j;
        if (load(&j, "journey {\n  horizon 1 year\n  arrivals 2 per quarter from 185 days\n"
                     "  arrivals 12 per year from 5 days for 360 days\n}\nstage A goal {}\n", NULL)) {
            CHECK(table_is(&j, 3, 16));
            CHECK(period_is(j.rm, 0, 185, 90, 2, 0, -1));
            CHECK(period_is(j.rm, 1, 275, 90, 2, 2, -1));
            CHECK(period_is(j.rm, 2, 5, 360, 12, 4, -1));
        }
        unload(&j);
    }
    TEST("arrivals: a million a day for 30 days: 30 periods, 3 * 10^7 customers") {
        A j;
        if (load(&j, "journey { arrivals 1000000 per day for 1 month }\nstage A goal {}\n", NULL)) {
            CHECK(table_is(&j, 30, 30000000));
            CHECK(period_is(j.rm, 29, 29, 1, 1000000, 29000000, -1));
        }
        unload(&j);
    }
}

static void test_lists(void)
{
    TEST("arrivals: a list gives one count per period, from 'from' on; a period may bring none") {
        A j;
        if (load(&j, "journey { arrivals [300, 0, 350] per quarter from 1 month }\nstage A goal {}\n", NULL)) {
            CHECK(table_is(&j, 3, 650));
            CHECK(period_is(j.rm, 0, 30, 90, 300, 0, -1));
            CHECK(period_is(j.rm, 1, 120, 90, 0, 300, -1));
            CHECK(period_is(j.rm, 2, 210, 90, 350, 300, -1));
        }
        unload(&j);
    }
    TEST("arrivals: several lines add up, the journey's first, then each persona's, in the order written") {
        /* Written: persona A's line, the journey's two, persona B's. Compiled: the journey's (in
         * order), then A's (persona 0), then B's (persona 1). */
        A j;
        if (load(&j, "persona A { share 50% arrivals [5] per day }\n"
                     "journey {\n  arrivals [7, 8] per month from 2 weeks\n  arrivals 1 per year for 1 year\n}\n"
                     "persona B { share 50% arrivals 1 per week for 2 weeks arrivals [4] per days }\n"
                     "stage S goal {}\n", NULL)) {
            CHECK(table_is(&j, 7, 27));
            CHECK(period_is(j.rm, 0, 14, 30, 7, 0, -1));
            CHECK(period_is(j.rm, 1, 44, 30, 8, 7, -1));
            CHECK(period_is(j.rm, 2, 0, 365, 1, 15, -1));
            CHECK(period_is(j.rm, 3, 0, 1, 5, 16, 0));
            CHECK(period_is(j.rm, 4, 0, 7, 1, 21, 1));
            CHECK(period_is(j.rm, 5, 7, 7, 1, 22, 1));
            CHECK(period_is(j.rm, 6, 0, 1, 4, 23, 1));
            const Model *m = j.model;
            CHECK(m->narrivals == 5 && m->arrivals[0]->persona == -1 && m->arrivals[3]->persona == 1);
            /* The first line written in the journey block, for messages. */
            CHECK(m->arrivals_loc.off == m->arrivals[0]->loc.off && m->arrivals_loc.len > 0);
            /* A persona's checked list of its own lines. */
            const Arrivals *b = m->personas[1]->arrivals;
            CHECK(b && b->persona == 1 && b->nperiods == 2 && b->next && b->next->total == 4 && !b->next->next);
        }
        unload(&j);
    }
    TEST("arrivals: none leaves the cohort as it was, everyone on day 0") {
        A j;
        if (load(&j, "journey { cohort 40 }\nstage A goal {}\n", NULL)) {
            CHECK(!j.model->has_arrivals && j.model->narrivals == 0 && j.model->cohort == 40);
            CHECK(j.rm->narrivals == 0 && j.rm->arrivals == NULL && j.rm->arrival_total == 0);
        }
        unload(&j);
    }
    TEST("lexer: 'quarter' is a time unit of 90 days") {
        A j;
        if (load(&j, "journey { horizon 2 quarters }\nstage A goal {}\n", NULL)) CHECK(j.model->horizon == 180);
        unload(&j);
    }
}

static void test_surveys(void)
{
    TEST("surveys: 'survey nps' and 'survey csat' mark touchpoints; others ask nothing") {
        A j;
        if (load(&j, "channel email\n"
                     "stage A goal { touchpoint Plain {} touchpoint Nps { channel email survey nps } }\n"
                     "touchpoint Csat \"after a ticket\" { survey csat }\nrule R { touch Csat }\n", NULL)) {
            CHECK(j.rm->ntouch == 3);
            CHECK(j.rm->touch[0].survey == RT_SURVEY_NONE);
            CHECK(j.rm->touch[1].survey == RT_SURVEY_NPS && j.rm->touch[1].channel == 0);
            CHECK(j.rm->touch[2].survey == RT_SURVEY_CSAT && j.rm->touch[2].stage == -1);
        }
        unload(&j);
    }
}

static void test_scenarios(void)
{
    const char *text = "journey { horizon 1 year arrivals [10, 20] per month }\n"
                       "persona P { share 60% arrivals 3 per week for 2 weeks }\n"
                       "persona Q { share 40% }\n"
                       "stage A goal { touchpoint T { emotion 0.1 } }\n"
                       "scenario S {\n  persona P { arrivals [1] per day arrivals [2] per day }\n"
                       "  persona Q { arrivals 5 per month }\n  touchpoint T { survey csat }\n}\n";
    TEST("scenarios: a persona's 'arrivals' replace all of its own; a touchpoint becomes a survey") {
        A j;
        if (load(&j, text, "S")) {
            /* The journey's [10, 20]; P's two days; Q's 5 a month until the horizon: 12 months and
             * 5 days, round(5 x 12.1667) = 61, so 5 a month and 1 in the last 5 days. */
            CHECK(table_is(&j, 2 + 2 + 13, 30 + 3 + 61));
            CHECK(period_is(j.rm, 2, 0, 1, 1, 30, 0));
            CHECK(period_is(j.rm, 3, 0, 1, 2, 31, 0));
            CHECK(period_is(j.rm, 4, 0, 30, 5, 33, 1));
            CHECK(period_is(j.rm, 16, 360, 5, 1, 93, 1));
            CHECK(j.rm->touch[0].survey == RT_SURVEY_CSAT);
        }
        unload(&j);
    }
    TEST("scenarios: the journey itself keeps its own arrivals and touchpoints") {
        A j;
        if (load(&j, text, NULL)) {
            CHECK(table_is(&j, 4, 36));
            CHECK(period_is(j.rm, 2, 0, 7, 3, 30, 0));
            CHECK(j.rm->touch[0].survey == RT_SURVEY_NONE);
        }
        unload(&j);
    }
}

void unit_arrivals(void)
{
    test_rates();
    test_lists();
    test_surveys();
    test_scenarios();
}
