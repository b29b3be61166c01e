/* test_rewrite.c: unit tests of the fitted journey's text (fit/rewrite.c): FitResults made by
 * hand (as fit_estimate would make them), the text written compared with the one expected, and
 * checked again by the real checker. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "journey.h"
#include "unit.h"

void unit_rewrite(void);

/* A FitResult made by hand for a checked journey: nothing fitted until a test says so. */
enum { HAND_MAX = 16 };
typedef struct HandFit {
    FitObs obs;
    FitResult r;
    FitMove moves[HAND_MAX * 4];
    FitWait waits[HAND_MAX];
    FitInterval reach[HAND_MAX], share[HAND_MAX];
    double entries[HAND_MAX], persona_cases[HAND_MAX];
} HandFit;

static void hand_init(HandFit *h, const Model *m)
{
    memset(h, 0, sizeof *h);
    h->obs.model = m;
    h->obs.nstages = m->nstages;
    h->obs.ntouchpoints = m->ntouchpoints;
    h->obs.npersonas = m->npersonas;
    h->obs.entries = h->entries;
    h->obs.persona_cases = h->persona_cases;
    h->r.model = m;
    h->r.obs = &h->obs;
    h->r.moves = h->moves;
    h->r.waits = h->waits;
    h->r.reach = h->reach;
    h->r.persona_share = h->share;
    for (int i = 0; i < HAND_MAX; i++) {
        h->reach[i].value = h->share[i].value = NAN;
        h->waits[i].stage = i;
    }
}

static int stage_of(const Model *m, const char *name)
{
    for (int s = 0; s < m->nstages; s++)
        if (strcmp(m->stages[s]->name.s, name) == 0) return s;
    return -1;
}

static int touchpoint_of(const Model *m, const char *name)
{
    for (int t = 0; t < m->ntouchpoints; t++)
        if (strcmp(m->touchpoints[t]->name.s, name) == 0) return t;
    return -1;
}

/* The observed share p of the moves out of `from` along its arrow number `arrow`. */
static void hand_move(HandFit *h, const char *from, int arrow, double p, bool fitted)
{
    int s = stage_of(h->r.model, from);
    h->moves[h->r.nmoves++] = (FitMove){.from = s, .arrow = arrow, .count = 100 * p, .p = {p, p, p}, .fitted = fitted};
    h->entries[s] = 200;
}

static void hand_wait(HandFit *h, const char *stage, double n, DistKind k, double a, double b, double c)
{
    FitWait *w = &h->waits[stage_of(h->r.model, stage)];
    w->n = n;
    w->best = (FitDist){.kind = k, .args = {a, b, c}, .ok = true};
    w->best.nargs = k == DIST_CONSTANT || k == DIST_EXPONENTIAL ? 1 : k == DIST_TRIANGULAR ? 3 : 2;
}

static void hand_reach(HandFit *h, const char *touchpoint, double v)
{
    const Touchpoint *t = h->r.model->touchpoints[touchpoint_of(h->r.model, touchpoint)];
    h->reach[t->index].value = v;
    h->entries[t->stage_index] = 200;
}

/* Checks `text` as t.journey, the way the unit journeys are: true when it checks. */
static bool checks(const char *text)
{
    UnitJourney j;
    bool ok = unit_load(&j, text);
    unit_unload(&j);
    return ok;
}

static const char *const journey =
    "// A journey to fit.\n"
    "journey \"Shop\" { cohort 1000 }\n"
    "\n"
    "persona Student { share 30% }\n"
    "persona Pro     { share 70% }  // most of them\n"
    "\n"
    "stage Visit \"Visits the site\" {\n"
    "  wait exponential(3 days)  // a guess\n"
    "  touchpoint Ad { reach 50% }\n"
    "  touchpoint Mail \"Newsletter\" { emotion +0.1 }\n"
    "  -> Signup 30%\n"
    "  -> churn  otherwise \"not interested\"\n"
    "}\n"
    "stage Signup goal {  // the goal\n"
    "  -> Paid  0.4\n"
    "  -> Visit 10%\n"
    "  -> churn 50% \"too expensive\"\n"
    "}\n"
    "stage Paid { wait 30 days }\n";

static void fit_shop(HandFit *h)
{
    hand_move(h, "Visit", 0, 0.345, true);
    hand_move(h, "Visit", 1, 0.655, true);
    hand_move(h, "Signup", 0, 0.41234, true);
    hand_move(h, "Signup", 1, 0.0901, true);
    hand_move(h, "Signup", 2, 0.4975, true);
    hand_wait(h, "Visit", 100, DIST_LOGNORMAL, 4.2, 1.9, 0);
    hand_wait(h, "Signup", 50, DIST_EXPONENTIAL, 0.5, 0, 0);
    hand_wait(h, "Paid", 5, DIST_CONSTANT, 20, 0, 0); /* too few waits: kept */
    hand_reach(h, "Ad", 0.4);
    hand_reach(h, "Mail", 0.25);
    h->share[0].value = 1.0 / 3;
    h->share[1].value = 2.0 / 3;
    h->persona_cases[0] = 30;
    h->persona_cases[1] = 60;
}

static void test_rewrite_journey(void)
{
    TEST("rewrite: numbers replaced in place, layout and comments kept, added wait and reach") {
        UnitJourney j;
        if (unit_load(&j, journey)) {
            HandFit h;
            hand_init(&h, j.c.model);
            fit_shop(&h);
            size_t len = 0;
            char *error = NULL;
            char *text = fit_rewrite_journey(j.c.model, &h.r, &len, &error);
            CHECK_STR(error ? error : "", "");
            CHECK_STR(text,
                      "// A journey to fit.\n"
                      "journey \"Shop\" { cohort 1000 }\n"
                      "\n"
                      "persona Student { share 33.3% }\n"
                      "persona Pro     { share 66.7% }  // most of them\n"
                      "\n"
                      "stage Visit \"Visits the site\" {\n"
                      "  wait lognormal(4.2 days, 1.9 days)  // a guess\n"
                      "  touchpoint Ad { reach 40% }\n"
                      "  touchpoint Mail \"Newsletter\" { reach 25% emotion +0.1 }\n"
                      "  -> Signup 34.5%\n"
                      "  -> churn  otherwise \"not interested\"\n"
                      "}\n"
                      "stage Signup goal {  // the goal\n"
                      "  wait exponential(12 hours)\n"
                      "  -> Paid  0.412\n"
                      "  -> Visit 9%\n"
                      "  -> churn 49.8% \"too expensive\"\n"
                      "}\n"
                      "stage Paid { wait 30 days }\n");
            CHECK(text && len == strlen(text));
            if (text) CHECK(checks(text));
            free(text);
            free(error);
        }
        unit_unload(&j);
    }

    TEST("rewrite: nothing fitted leaves the text as it was, byte for byte") {
        UnitJourney j;
        if (unit_load(&j, journey)) {
            HandFit h;
            hand_init(&h, j.c.model);
            hand_move(&h, "Visit", 0, 0.5, false); /* not fitted: depends on mood, say */
            hand_wait(&h, "Visit", 3, DIST_EXPONENTIAL, 9, 0, 0);
            size_t len = 0;
            char *error = NULL;
            char *text = fit_rewrite_journey(j.c.model, &h.r, &len, &error);
            CHECK_STR(text, journey);
            free(text);
            free(error);
        }
        unit_unload(&j);
    }
}

static void test_sums(void)
{
    TEST("rewrite: values the data confirm keep their spelling") {
        const char *text = "persona P { share 0.50 }\npersona Q { share 50.0% }\n"
                           "stage A goal {\n  wait exponential(72 hours)\n  touchpoint T { reach 40.0% }\n"
                           "  -> B 30.0%\n  -> churn 70 %\n}\nstage B {}\n";
        UnitJourney j;
        if (unit_load(&j, text)) {
            HandFit h;
            hand_init(&h, j.c.model);
            hand_move(&h, "A", 0, 0.3, true);
            hand_move(&h, "A", 1, 0.7, true);
            hand_wait(&h, "A", 100, DIST_EXPONENTIAL, 3, 0, 0);
            hand_reach(&h, "T", 0.4);
            h.share[0].value = h.share[1].value = 0.5;
            h.persona_cases[0] = h.persona_cases[1] = 50;
            size_t len;
            char *error = NULL;
            char *out = fit_rewrite_journey(j.c.model, &h.r, &len, &error);
            CHECK_STR(out, text);
            free(out);
            free(error);
        }
        unit_unload(&j);
    }

    TEST("rewrite: a reach is written to 0.1%; a touchpoint the log never shows keeps its reach") {
        const char *text = "stage A goal {\n  touchpoint T { reach 40% }\n  touchpoint U { reach 30% }\n}\n";
        UnitJourney j;
        if (unit_load(&j, text)) {
            HandFit h;
            hand_init(&h, j.c.model);
            double touch_events[2] = {157, 0};
            h.obs.touch_events = touch_events;
            h.entries[0] = 300;
            hand_reach(&h, "T", 157.0 / 300);
            hand_reach(&h, "U", 0);
            size_t len;
            char *error = NULL;
            char *out = fit_rewrite_journey(j.c.model, &h.r, &len, &error);
            CHECK_STR(out, "stage A goal {\n  touchpoint T { reach 52.3% }\n  touchpoint U { reach 30% }\n}\n");
            free(out);
            free(error);
        }
        unit_unload(&j);
    }

    TEST("rewrite: a stage's arrows still add up to 100% around arrows that keep their value") {
        const char *text = "stage A goal {\n"
                           "  -> B 33.33%\n"
                           "  -> C 20%\n"
                           "  -> churn 46.67%\n"
                           "}\n"
                           "stage B {}\nstage C {}\n";
        UnitJourney j;
        if (unit_load(&j, text)) {
            HandFit h;
            hand_init(&h, j.c.model);
            hand_move(&h, "A", 0, 0.5, false); /* kept: 33.33% */
            hand_move(&h, "A", 1, 0.3, true);
            hand_move(&h, "A", 2, 0.2, true);
            size_t len;
            char *error = NULL;
            char *out = fit_rewrite_journey(j.c.model, &h.r, &len, &error);
            /* The two fitted ones share the 66.67% left in the ratio 3:2; the larger takes the
             * rest exactly, since 66.67% is no whole number of 0.1%. */
            CHECK_STR(out, "stage A goal {\n"
                           "  -> B 33.33%\n"
                           "  -> C 39.97%\n"
                           "  -> churn 26.7%\n"
                           "}\n"
                           "stage B {}\nstage C {}\n");
            if (out) CHECK(checks(out));
            free(out);
            free(error);
        }
        unit_unload(&j);
    }

    TEST("rewrite: with a conditional arrow, the fitted ones may not exceed 100%") {
        const char *text = "stage A goal {\n"
                           "  -> B 30% when mood > 0\n"
                           "  -> C 0.6\n"
                           "  -> churn 10%\n"
                           "}\n"
                           "stage B {}\nstage C {}\n";
        UnitJourney j;
        if (unit_load(&j, text)) {
            HandFit h;
            hand_init(&h, j.c.model);
            hand_move(&h, "A", 0, 0.2, true); /* has a condition: never rewritten */
            hand_move(&h, "A", 1, 0.7, true);
            hand_move(&h, "A", 2, 0.45, true); /* more than 100% with C: scaled down */
            size_t len;
            char *error = NULL;
            char *out = fit_rewrite_journey(j.c.model, &h.r, &len, &error);
            CHECK_STR(out, "stage A goal {\n"
                           "  -> B 30% when mood > 0\n"
                           "  -> C 0.609\n"
                           "  -> churn 39.1%\n"
                           "}\n"
                           "stage B {}\nstage C {}\n");
            if (out) CHECK(checks(out));
            free(out);
            free(error);
        }
        unit_unload(&j);
    }
}

static void test_imports_and_layout(void)
{
    TEST("rewrite: literals of imported modules stay; extend blocks of the main file change") {
        const char *text = "import \"std/4-stage\"\n"
                           "journey { start Awareness }\n"
                           "extend stage Consideration {\r\n"
                           "  -> Purchase 25%\r\n"
                           "}\r\n";
        UnitJourney j;
        if (unit_load(&j, text)) {
            const Model *m = j.c.model;
            HandFit h;
            hand_init(&h, m);
            int aw = stage_of(m, "Awareness"), co = stage_of(m, "Consideration");
            int i = 0, to_purchase = -1;
            for (const Arrow *a = m->stages[co]->arrows; a; a = a->next, i++)
                if (!a->to_churn && strcmp(a->target.s, "Purchase") == 0) to_purchase = i;
            CHECK(to_purchase >= 0);
            hand_move(&h, "Awareness", 0, 0.6, true); /* std/4-stage's own literal: kept */
            hand_move(&h, "Consideration", to_purchase, 0.123, true);
            hand_wait(&h, "Awareness", 500, DIST_EXPONENTIAL, 2, 0, 0);
            (void)aw;
            size_t len;
            char *error = NULL;
            char *out = fit_rewrite_journey(m, &h.r, &len, &error);
            CHECK_STR(out, "import \"std/4-stage\"\n"
                           "journey { start Awareness }\n"
                           "extend stage Consideration {\r\n"
                           "  -> Purchase 12.3%\r\n"
                           "}\r\n");
            if (out) CHECK(checks(out));
            free(out);
            free(error);

            /* A scenario changes the imported stages too. */
            char *block = fit_scenario_block(m, &h.r, "Observed", NULL, &error);
            CHECK_STR(error ? error : "", "");
            CHECK(block && strstr(block, "extend stage Awareness {\n    wait exponential(2 days)\n    -> Consideration 60%\n"));
            CHECK(block && strstr(block, "-> Purchase 12.3%"));
            free(block);
            free(error);
        }
        unit_unload(&j);
    }

    TEST("rewrite: a wait added to a block over several lines goes on a line of its own") {
        const char *text = "stage A goal {  // comment\n"
                           "    -> B\n"
                           "}\n"
                           "stage B { }\n"
                           "stage C {}\n";
        UnitJourney j;
        if (unit_load(&j, text)) {
            HandFit h;
            hand_init(&h, j.c.model);
            hand_wait(&h, "A", 40, DIST_UNIFORM, 0.01, 2, 0);
            hand_wait(&h, "B", 40, DIST_TRIANGULAR, 1, 2, 1000.4);
            hand_wait(&h, "C", 40, DIST_NORMAL, 0.001, 0.0001, 0);
            size_t len;
            char *error = NULL;
            char *out = fit_rewrite_journey(j.c.model, &h.r, &len, &error);
            CHECK_STR(out, "stage A goal {  // comment\n"
                           "  wait uniform(14.4 minutes, 2 days)\n"
                           "    -> B\n"
                           "}\n"
                           "stage B { wait triangular(1 day, 2 days, 1000 days) }\n"
                           "stage C { wait normal(1.44 minutes, 0.144 minutes) }\n");
            if (out) CHECK(checks(out));
            free(out);
            free(error);
        }
        unit_unload(&j);
    }
}

static void test_scenario_block(void)
{
    TEST("rewrite: what is written is checked with the imports of the main file's own folder") {
        const char *text = "import \"arrivals/base\"\nextend stage A { wait 2 days }\n";
        Checked c;
        CheckInput in = {.path = "tests/check/t.journey", .text = text, .len = strlen(text), .stdlib_dir = "stdlib"};
        checked_load(&c, &in);
        CHECK(c.status == CHECKED_OK);
        if (c.status == CHECKED_OK) {
            HandFit h;
            hand_init(&h, c.model);
            hand_wait(&h, "A", 100, DIST_CONSTANT, 1.5, 0, 0);
            size_t len;
            char *error = NULL;
            char *out = fit_rewrite_journey(c.model, &h.r, &len, &error);
            CHECK_STR(out, "import \"arrivals/base\"\nextend stage A { wait 1.5 days }\n");
            CHECK_STR(error ? error : "", "");
            free(out);
            free(error);
            char *block = fit_scenario_block(c.model, &h.r, "Seen", NULL, &error);
            CHECK_STR(block, "scenario Seen {\n  extend stage A {\n    wait 1.5 days\n  }\n}\n");
            CHECK_STR(error ? error : "", "");
            free(block);
            free(error);
        }
        checked_free(&c);
    }

    TEST("rewrite: the scenario block of what was observed, laid out as cjm fmt does, checks") {
        UnitJourney j;
        if (unit_load(&j, journey)) {
            HandFit h;
            hand_init(&h, j.c.model);
            fit_shop(&h);
            char *error = NULL;
            char *block = fit_scenario_block(j.c.model, &h.r, "Observed", "As \"observed\"", &error);
            CHECK_STR(error ? error : "", "");
            CHECK_STR(block, "scenario Observed \"As \\\"observed\\\"\" {\n"
                             "  extend stage Visit {\n"
                             "    wait lognormal(4.2 days, 1.9 days)\n"
                             "    -> Signup 34.5%\n"
                             "  }\n"
                             "  extend stage Signup {\n"
                             "    wait exponential(12 hours)\n"
                             "    -> Paid  0.412\n"
                             "    -> Visit 9%\n"
                             "    -> churn 49.8% \"too expensive\"\n"
                             "  }\n"
                             "  touchpoint Ad   { reach 40% }\n"
                             "  touchpoint Mail { reach 25% }\n"
                             "  persona Student { share 33.3% }\n"
                             "  persona Pro     { share 66.7% }\n"
                             "}\n");
            if (block) {
                size_t n = strlen(journey) + strlen(block) + 2;
                char *whole = malloc(n);
                snprintf(whole, n, "%s\n%s", journey, block);
                CHECK(checks(whole));
                free(whole);
            }
            free(block);
            free(error);
        }
        unit_unload(&j);
    }

    TEST("rewrite: a scenario's name must be a free identifier") {
        const char *text = "stage A goal {}\nscenario Taken { extend stage A { revenue 1 } }\n";
        UnitJourney j;
        if (unit_load(&j, text)) {
            HandFit h;
            hand_init(&h, j.c.model);
            const char *bad[] = {"Taken", "9lives", "stage", "two words", ""};
            for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                char *error = NULL;
                char *block = fit_scenario_block(j.c.model, &h.r, bad[i], NULL, &error);
                CHECK(block == NULL && error != NULL);
                free(block);
                free(error);
            }
            char *error = NULL;
            char *block = fit_scenario_block(j.c.model, &h.r, "Fitted_2", "label", &error);
            CHECK_STR(block, "scenario Fitted_2 \"label\" {}\n");
            free(block);
            free(error);
        }
        unit_unload(&j);
    }
}

/* lang/names.h, which the checker's `events` lists and cjm fit share. */
static void test_names(void)
{
    TEST("names: event names compare in lower case without blanks, '_', '-' and '.'") {
        char out[32];
        const char *in = "Signed Up_-.x";
        size_t n = name_normalise(in, strlen(in), out);
        CHECK(n == 9 && memcmp(out, "signedupx", 9) == 0);
        CHECK(name_equal("Signed Up", 9, "signed_up", 9));
        CHECK(name_equal("SIGNED.UP", 9, "signed-up", 9));
        CHECK(name_equal("", 0, " _", 2));
        CHECK(!name_equal("signup", 6, "signups", 7));
        CHECK(!name_equal("Café", 5, "CAFÉ", 5)); /* ASCII letters only */
        char same[] = "A-B";
        CHECK(name_normalise(same, 3, same) == 2 && memcmp(same, "ab", 2) == 0); /* in place */
    }
}

void unit_rewrite(void)
{
    test_names();
    test_rewrite_journey();
    test_sums();
    test_imports_and_layout();
    test_scenario_block();
}
