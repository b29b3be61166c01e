/* test_fit.c: unit tests of fit/'s core: the wait bins, the mapping of event names (every rule),
 * the replay of hand-made cases into FitObs (moves, waits, censoring, inactivity, churn events,
 * touchpoints once per entry, surveys, revenue, personas, conversion and follow-up, ties, order,
 * early finishing of quiet cases, the memory limit), and the estimates (Wilson intervals, declared
 * values, arrows not fitted, moves the journey lacks, waits fitted with censoring on samples of
 * known distributions, AIC's choice). The observer is fed events directly (observe.h), without a
 * file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CJM_INTERNALS
#include "cjm.h"
#include "journey.h"
#include "unit.h"

void unit_fit(void);

typedef UnitJourney J;

static const char *JOURNEY =
    "journey \"t\" { inactivity 30 days }\n"
    "persona Smb \"Small business\" { share 50% }\n"
    "persona Ent { share 50% }\n"
    "stage Visit \"Site visit\" { events \"page_view\" touchpoint Ad { cost 2 }\n"
    "  -> Signup 40% -> churn otherwise \"never engaged\" }\n"
    "stage Signup goal { wait 3 days touchpoint Welcome { events \"welcome_mail\" }\n"
    "  touchpoint Nps { survey nps } touchpoint Sat { survey csat }\n"
    "  -> Active 80% -> churn otherwise \"cancelled\" }\n"
    "stage Active { -> Done 50% -> churn otherwise \"left\" }\n"
    "stage Done {}\n";

enum { VISIT, SIGNUP, ACTIVE, DONE };
enum { AD, WELCOME, NPS, SAT };

/* ---- feeding events ---- */

typedef struct Ev {
    const char *c, *name;
    double t;
    double revenue, cost, score;
    const char *segment;
} Ev;

#define E(c, n, t) {c, n, t, NAN, NAN, NAN, NULL}

static LogStr str_of(const char *s) { return (LogStr){s, s ? strlen(s) : 0}; }

static FitObserveOptions options(double inactivity)
{
    FitObserveOptions o;
    memset(&o, 0, sizeof o);
    o.inactivity = inactivity;
    o.log_end = NAN;
    return o;
}

static int feed(FitObserver *ob, const Ev *ev, int n)
{
    for (int i = 0; i < n; i++) {
        LogEvent e = {str_of(ev[i].c), str_of(ev[i].name), str_of(NULL), str_of(ev[i].segment),
                      ev[i].t, ev[i].revenue, ev[i].cost, ev[i].score, (uint64_t)i + 2};
        if (fit_observer_add(ob, &e) < 0) return -1;
    }
    return 0;
}

/* The observations of n events under options o; NULL (and the message in *error) on failure. */
static FitObs *observe(const J *j, const FitObserveOptions *o, const Ev *ev, int n, char **error)
{
    FitObserver *ob = fit_observer_new(j->c.model, o, "log.csv", error);
    if (!ob) return NULL;
    feed(ob, ev, n);
    return fit_observer_finish(ob, error);
}

static FitObs *observe_ok(const J *j, double inactivity, const Ev *ev, int n)
{
    FitObserveOptions o = options(inactivity);
    char *error = NULL;
    FitObs *obs = observe(j, &o, ev, n, &error);
    if (!obs) {
        printf("FAIL %s: %s\n", unit_current, error ? error : "(no message)");
        unit_current_failed = true;
    }
    free(error);
    return obs;
}

static double move(const FitObs *o, int s, int t) { return o->moves[(size_t)s * (o->nstages + 1) + t]; }
static double churned(const FitObs *o, int s) { return move(o, s, o->nstages); }
static double by_reason(const FitObs *o, int s, int r) { return o->churn_by_reason[(size_t)s * (o->nreasons + 1) + r]; }

/* ---- bins ---- */

static void test_bins(void)
{
    TEST("fit: wait bins, twelve per factor of ten from 1e-4 days") {
        CHECK(fit_bin_of(0) == 0 && fit_bin_of(-1) == 0 && fit_bin_of(NAN) == 0);
        CHECK(fit_bin_of(1e-4) == 0);
        CHECK(fit_bin_of(1) == 48);
        CHECK(fit_bin_of(10) == 60);
        CHECK(fit_bin_of(1e9) == FIT_BINS - 1);
        CHECK(fit_bin_lo(0) == 0 && isinf(fit_bin_hi(FIT_BINS - 1)));
        bool inside = true;
        for (double t = 2e-4; t < 3e4; t *= 1.07) {
            int b = fit_bin_of(t);
            inside = inside && fit_bin_lo(b) <= t && t < fit_bin_hi(b);
        }
        CHECK(inside);
        for (int b = 0; b + 1 < FIT_BINS; b++) CHECK(fit_bin_hi(b) == fit_bin_lo(b + 1));
    }
}

/* ---- mapping ---- */

static void test_mapping(void)
{
    J j;
    TEST("fit: event names map by --map, events lists, names, labels and churn reasons") {
        if (unit_load(&j, JOURNEY)) {
            const Model *m = j.c.model;
            FitTarget t;
            t = fit_map_name(m, NULL, 0, "Visit", 5);
            CHECK(t.kind == FIT_TO_STAGE && t.index == VISIT);
            t = fit_map_name(m, NULL, 0, "SITE_VISIT", 10); /* a label, normalised */
            CHECK(t.kind == FIT_TO_STAGE && t.index == VISIT);
            t = fit_map_name(m, NULL, 0, "Page View", 9);   /* an events list */
            CHECK(t.kind == FIT_TO_STAGE && t.index == VISIT);
            t = fit_map_name(m, NULL, 0, "welcome-mail", 12);
            CHECK(t.kind == FIT_TO_TOUCHPOINT && t.index == WELCOME);
            t = fit_map_name(m, NULL, 0, "nps", 3);
            CHECK(t.kind == FIT_TO_TOUCHPOINT && t.index == NPS);
            t = fit_map_name(m, NULL, 0, "Never.Engaged", 13);
            CHECK(t.kind == FIT_TO_CHURN && t.index == 0);
            t = fit_map_name(m, NULL, 0, "left", 4);
            CHECK(t.kind == FIT_TO_CHURN && t.index == 2);
            t = fit_map_name(m, NULL, 0, "purchase", 8);
            CHECK(t.kind == FIT_TO_NOTHING);
            FitMapRule map[] = {{"purchase", "Active"}, {"Visit", "Done"}, {"noise", "ignore"},
                                {"quit", "churn"}, {"gone", "churn:Cancelled"}, {"mail", "welcome"}};
            t = fit_map_name(m, map, 6, "Purchase", 8);
            CHECK(t.kind == FIT_TO_STAGE && t.index == ACTIVE);
            t = fit_map_name(m, map, 6, "visit", 5); /* --map comes before the journey's names */
            CHECK(t.kind == FIT_TO_STAGE && t.index == DONE);
            t = fit_map_name(m, map, 6, "noise", 5);
            CHECK(t.kind == FIT_TO_IGNORE);
            t = fit_map_name(m, map, 6, "quit", 4);
            CHECK(t.kind == FIT_TO_CHURN && t.index == -1);
            t = fit_map_name(m, map, 6, "gone", 4);
            CHECK(t.kind == FIT_TO_CHURN && t.index == 1);
            t = fit_map_name(m, map, 6, "mail", 4);
            CHECK(t.kind == FIT_TO_TOUCHPOINT && t.index == WELCOME);
        }
        unit_unload(&j);
    }
    TEST("fit: a --map target naming nothing is an error naming it") {
        if (unit_load(&j, JOURNEY)) {
            FitMapRule map[] = {{"x", "Nowhere"}};
            FitObserveOptions o = options(0);
            o.map = map;
            o.nmap = 1;
            char *error = NULL;
            CHECK(fit_observer_new(j.c.model, &o, "log.csv", &error) == NULL);
            CHECK(error && strstr(error, "--map x=Nowhere") && strstr(error, "'Nowhere' is no stage"));
            free(error);
        }
        unit_unload(&j);
    }
}

/* ---- the replay ---- */

static void test_moves(void)
{
    J j;
    TEST("fit: moves, entries, waits, completion and conversion of one case") {
        if (unit_load(&j, JOURNEY)) {
            Ev ev[] = {E("a", "visit", 100), E("a", "signup", 101), E("a", "active", 103), E("a", "done", 104)};
            FitObs *o = observe_ok(&j, 0, ev, 4);
            if (o) {
                CHECK(o->events == 4 && o->cases == 1 && o->mapped_stage == 4);
                CHECK(o->starts[VISIT] == 1 && o->entries[SIGNUP] == 1 && o->entries[DONE] == 1);
                CHECK(move(o, VISIT, SIGNUP) == 1 && move(o, SIGNUP, ACTIVE) == 1 && move(o, ACTIVE, DONE) == 1);
                CHECK(o->wait_done[VISIT].n == 1 && o->wait_done[VISIT].sum == 1);
                CHECK(o->wait_done[SIGNUP].sum == 2 && o->wait_done[ACTIVE].sum == 1);
                CHECK(o->wait_done[DONE].n == 0 && o->wait_censored[DONE].n == 0);
                CHECK(o->completed[DONE] == 1);
                CHECK(o->converted == 1 && o->time_to_convert.n == 1 && o->time_to_convert.sum == 1);
                CHECK(o->followup_censored.n == 1 && o->followup_censored.sum == 3); /* 101 .. log end 104 */
                CHECK(o->log_start == 100 && o->log_end == 104);
                fit_obs_free(o);
            }
        }
        unit_unload(&j);
    }
    TEST("fit: a stage event for the stage itself is a move to itself") {
        if (unit_load(&j, JOURNEY)) {
            Ev ev[] = {E("a", "visit", 0), E("a", "visit", 2), E("a", "signup", 5)};
            FitObs *o = observe_ok(&j, 0, ev, 3);
            if (o) {
                CHECK(move(o, VISIT, VISIT) == 1 && o->entries[VISIT] == 2 && o->wait_done[VISIT].sum == 5);
                fit_obs_free(o);
            }
        }
        unit_unload(&j);
    }
    TEST("fit: a case still in a stage at the log's end is censored there") {
        if (unit_load(&j, JOURNEY)) {
            Ev ev[] = {E("a", "visit", 0), E("a", "signup", 1), E("b", "visit", 9)};
            FitObs *o = observe_ok(&j, 0, ev, 3);
            if (o) {
                CHECK(o->wait_censored[SIGNUP].n == 1 && o->wait_censored[SIGNUP].sum == 8);
                CHECK(o->wait_censored[VISIT].n == 1 && o->wait_censored[VISIT].sum == 0);
                CHECK(churned(o, SIGNUP) == 0);
                fit_obs_free(o);
            }
            /* --log-end moves the end. */
            FitObserveOptions opt = options(0);
            opt.log_end = 20;
            char *error = NULL;
            o = observe(&j, &opt, ev, 3, &error);
            CHECK(o && o->log_end == 20 && o->wait_censored[SIGNUP].sum == 19);
            fit_obs_free(o);
            free(error);
        }
        unit_unload(&j);
    }
    TEST("fit: no event for longer than the inactivity before the log's end is churn at the last event, its wait censored there") {
        if (unit_load(&j, JOURNEY)) {
            Ev ev[] = {E("a", "visit", 0), E("a", "signup", 2), E("a", "nps", 5), E("b", "visit", 40)};
            FitObs *o = observe_ok(&j, 30, ev, 4);
            if (o) {
                CHECK(churned(o, SIGNUP) == 1 && by_reason(o, SIGNUP, o->nreasons) == 1);
                /* Its wait is censored at the last event: it stayed at least that long. */
                CHECK(o->wait_done[SIGNUP].n == 0);
                CHECK(o->wait_censored[SIGNUP].n == 1 && o->wait_censored[SIGNUP].sum == 3);
                CHECK(o->followup_churned.n == 1 && o->followup_churned.sum == 3);
                CHECK(o->wait_censored[VISIT].n == 1); /* b: quiet for 0 days */
                fit_obs_free(o);
            }
            /* The journey's own inactivity (30 days) when the option is negative; 0 turns it off. */
            o = observe_ok(&j, -1, ev, 4);
            CHECK(o && o->inactivity == 30 && churned(o, SIGNUP) == 1);
            fit_obs_free(o);
            o = observe_ok(&j, 0, ev, 4);
            CHECK(o && churned(o, SIGNUP) == 0 && o->wait_censored[SIGNUP].n == 1);
            fit_obs_free(o);
        }
        unit_unload(&j);
    }
    TEST("fit: with an inactivity, a case quiet at the log's end has its wait censored at its last event") {
        if (unit_load(&j, JOURNEY)) {
            /* c is quiet for 5 days at the end: still waiting, or gone without a word. */
            Ev ev[] = {E("c", "visit", 30), E("c", "signup", 35), E("b", "visit", 40)};
            FitObs *o = observe_ok(&j, 30, ev, 3);
            if (o) {
                CHECK(churned(o, SIGNUP) == 0);
                CHECK(o->wait_censored[SIGNUP].n == 1 && o->wait_censored[SIGNUP].sum == 0);
                fit_obs_free(o);
            }
            /* Without an inactivity nobody leaves silently: censored at the log's end. */
            o = observe_ok(&j, 0, ev, 3);
            CHECK(o && o->wait_censored[SIGNUP].n == 1 && o->wait_censored[SIGNUP].sum == 5);
            fit_obs_free(o);
        }
        unit_unload(&j);
    }
    TEST("fit: a gap longer than the inactivity ends a case; later events start another") {
        if (unit_load(&j, JOURNEY)) {
            Ev ev[] = {E("a", "visit", 0), E("a", "signup", 1), E("a", "visit", 50), E("a", "signup", 52)};
            FitObs *o = observe_ok(&j, 30, ev, 4);
            if (o) {
                CHECK(o->cases == 2 && o->starts[VISIT] == 2);
                CHECK(churned(o, SIGNUP) == 1 && move(o, SIGNUP, VISIT) == 0);
                CHECK(o->converted == 2);
                fit_obs_free(o);
            }
        }
        unit_unload(&j);
    }
    TEST("fit: a churn event ends the case, by reason; later events count after churn") {
        if (unit_load(&j, JOURNEY)) {
            FitMapRule map[] = {{"quit", "churn"}};
            Ev ev[] = {E("a", "visit", 0), E("a", "signup", 1), E("a", "cancelled", 4), E("a", "active", 5),
                       E("a", "welcome_mail", 6), E("b", "visit", 0), E("b", "quit", 2)};
            FitObserveOptions opt = options(0);
            opt.map = map;
            opt.nmap = 1;
            char *error = NULL;
            FitObs *o = observe(&j, &opt, ev, 7, &error);
            if (o) {
                CHECK(churned(o, SIGNUP) == 1 && by_reason(o, SIGNUP, 1) == 1);
                CHECK(o->wait_done[SIGNUP].sum == 3);
                CHECK(o->after_churn == 2 && move(o, SIGNUP, ACTIVE) == 0 && o->touch_events[WELCOME] == 0);
                CHECK(o->followup_churned.n == 1 && o->followup_churned.sum == 3);
                /* Without a reason: the move to churn only. */
                CHECK(churned(o, VISIT) == 1);
                double reasons = 0;
                for (int r = 0; r <= o->nreasons; r++) reasons += by_reason(o, VISIT, r);
                CHECK(reasons == 0);
                CHECK(o->mapped_churn == 2);
                fit_obs_free(o);
            }
            free(error);
        }
        unit_unload(&j);
    }
    TEST("fit: a touchpoint counts once per entry of its stage, and apart outside it") {
        if (unit_load(&j, JOURNEY)) {
            Ev ev[] = {E("a", "ad", 0),         /* before the first stage */
                       E("a", "visit", 1), E("a", "welcome_mail", 1.5), /* outside its stage */
                       E("a", "signup", 2), E("a", "welcome", 2.5), E("a", "welcome", 2.6),
                       E("a", "signup", 3), E("a", "welcome", 3.5), E("a", "signup", 4)};
            FitObs *o = observe_ok(&j, 0, ev, 9);
            if (o) {
                CHECK(o->before_first_stage == 1);
                CHECK(o->touch_events[AD] == 1 && o->touch_outside[AD] == 1 && o->touch_entries[AD] == 0);
                CHECK(o->touch_events[WELCOME] == 4 && o->touch_outside[WELCOME] == 1);
                CHECK(o->touch_entries[WELCOME] == 2); /* entries 1 and 2 of Signup, not the third */
                CHECK(o->entries[SIGNUP] == 3);
                fit_obs_free(o);
            }
        }
        unit_unload(&j);
    }
    TEST("fit: survey answers, moods, costs and revenue") {
        if (unit_load(&j, JOURNEY)) {
            Ev ev[] = {{"a", "visit", 0, NAN, NAN, NAN, NULL},
                       {"a", "ad", 0.5, NAN, 2.5, NAN, NULL},
                       {"a", "signup", 1, 30, NAN, NAN, NULL},
                       {"a", "nps", 2, NAN, NAN, 10, NULL},
                       {"a", "nps", 3, NAN, NAN, 3, NULL},
                       {"a", "nps", 3.5, NAN, NAN, 7, NULL},
                       {"a", "sat", 4, NAN, NAN, 5, NULL},
                       {"a", "payment", 5, 20, NAN, NAN, NULL}};
            FitObs *o = observe_ok(&j, 0, ev, 8);
            if (o) {
                CHECK(o->touch_cost[AD] == 2.5);
                CHECK(o->score_n_tp[NPS] == 3 && o->score_sum_tp[NPS] == 20);
                CHECK(o->score_promoters_tp[NPS] == 1 && o->score_detractors_tp[NPS] == 1);
                /* NPS answers as mood score/5 - 1: 1, -0.4, 0.4; CSAT (score - 3)/2: 1. */
                CHECK(o->mood_n[SIGNUP] == 4);
                CHECK_NEAR(o->mood_sum[SIGNUP], 2.0, 1e-12);
                CHECK_NEAR(o->mood_sumsq[SIGNUP], 1 + 0.16 + 0.16 + 1, 1e-12);
                CHECK(o->revenue[SIGNUP] == 50 && o->revenue_n[SIGNUP] == 2);
                CHECK(o->unmapped == 1 && o->nunmapped_names == 1 && strcmp(o->unmapped_names[0].name, "payment") == 0);
                fit_obs_free(o);
            }
        }
        unit_unload(&j);
    }
    TEST("fit: personas from the segment column; unknown segments and cases without one") {
        if (unit_load(&j, JOURNEY)) {
            Ev ev[] = {{"a", "visit", 0, NAN, NAN, NAN, NULL}, {"a", "signup", 1, NAN, NAN, NAN, "small-business"},
                       {"b", "visit", 0, NAN, NAN, NAN, "ENT"}, {"c", "visit", 0, NAN, NAN, NAN, "Gov"},
                       {"d", "visit", 0, NAN, NAN, NAN, "gov"}, {"e", "visit", 0, NAN, NAN, NAN, "Gov"},
                       {"f", "visit", 0, NAN, NAN, NAN, NULL}, {"g", "ad", 0, NAN, NAN, NAN, "Gov"}};
            FitObs *o = observe_ok(&j, 0, ev, 8);
            if (o) {
                CHECK(o->cases == 6);
                CHECK(o->persona_cases[0] == 1 && o->persona_cases[1] == 1);
                CHECK(o->no_segment == 1);
                /* Counted by name as written, most frequent first (g has no stage event). */
                CHECK(o->nunknown_segments == 2);
                if (o->nunknown_segments == 2) {
                    CHECK_STR(o->unknown_segments[0].name, "Gov");
                    CHECK(o->unknown_segments[0].count == 2);
                    CHECK_STR(o->unknown_segments[1].name, "gov");
                }
                fit_obs_free(o);
            }
        }
        unit_unload(&j);
    }
    TEST("fit: unmapped names counted by name, by count then name; ignored ones apart") {
        if (unit_load(&j, JOURNEY)) {
            FitMapRule map[] = {{"noise", "ignore"}};
            Ev ev[] = {E("a", "zeta", 0), E("a", "visit", 1), E("a", "beta", 2), E("a", "zeta", 3),
                       E("a", "alpha", 4), E("a", "noise", 5), E("a", "noise", 6)};
            FitObserveOptions opt = options(0);
            opt.map = map;
            opt.nmap = 1;
            char *error = NULL;
            FitObs *o = observe(&j, &opt, ev, 7, &error);
            if (o) {
                CHECK(o->events == 7 && o->ignored == 2 && o->unmapped == 4);
                CHECK(o->nunmapped_names == 3);
                if (o->nunmapped_names == 3) {
                    CHECK_STR(o->unmapped_names[0].name, "zeta");
                    CHECK_STR(o->unmapped_names[1].name, "alpha");
                    CHECK_STR(o->unmapped_names[2].name, "beta");
                }
                CHECK(o->before_first_stage == 1);
                CHECK(o->log_end == 6);
                fit_obs_free(o);
            }
            free(error);
        }
        unit_unload(&j);
    }
    TEST("fit: events at the same instant keep the log's order") {
        if (unit_load(&j, JOURNEY)) {
            Ev ev1[] = {E("a", "visit", 0), E("a", "signup", 1), E("a", "active", 1)};
            Ev ev2[] = {E("a", "visit", 0), E("a", "active", 1), E("a", "signup", 1)};
            FitObs *o1 = observe_ok(&j, 0, ev1, 3), *o2 = observe_ok(&j, 0, ev2, 3);
            if (o1 && o2) {
                CHECK(move(o1, VISIT, SIGNUP) == 1 && move(o1, SIGNUP, ACTIVE) == 1);
                CHECK(move(o2, VISIT, ACTIVE) == 1 && move(o2, ACTIVE, SIGNUP) == 1);
            }
            fit_obs_free(o1);
            fit_obs_free(o2);
            /* Also when the case's events come out of order (a stable sort). */
            Ev ev3[] = {E("a", "signup", 1), E("a", "visit", 0), E("a", "active", 1)};
            FitObs *o3 = observe_ok(&j, 0, ev3, 3);
            CHECK(o3 && move(o3, VISIT, SIGNUP) == 1 && move(o3, SIGNUP, ACTIVE) == 1);
            fit_obs_free(o3);
        }
        unit_unload(&j);
    }
}

/* ---- many cases: order, early finishing, memory ---- */

static uint64_t rnd_state = 88172645463325252ull;
static double rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (double)(rnd_state >> 11) / 9007199254740992.0;
}

static double expo(double mean) { return -mean * log(1 - rnd()); }

/* A log of n cases arriving over `days`, each a walk through the journey with exponential waits,
 * sorted by time. ids and names point into `ids`/static strings. */
typedef struct SynthLog {
    Ev *ev;
    int n;
    char (*ids)[16];
} SynthLog;

static int by_time(const void *a, const void *b)
{
    const Ev *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return 0;
}

static SynthLog synth(int cases, double days)
{
    SynthLog L = {malloc(sizeof(Ev) * (size_t)cases * 8), 0, malloc(16 * (size_t)cases)};
    static const char *next_of[] = {"signup", "active", "done"};
    for (int c = 0; c < cases; c++) {
        snprintf(L.ids[c], 16, "c%d", c);
        double t = rnd() * days;
        L.ev[L.n++] = (Ev){L.ids[c], "visit", t, NAN, NAN, NAN, c % 3 ? "smb" : "ent"};
        for (int s = 0; s < 3; s++) {
            t += expo(s == 0 ? 2 : 10);
            if (rnd() < 0.3) {
                L.ev[L.n++] = (Ev){L.ids[c], "welcome", t - 0.1, NAN, NAN, NAN, NULL};
                break;
            }
            L.ev[L.n++] = (Ev){L.ids[c], next_of[s], t, s == 1 ? 10 : NAN, NAN, NAN, NULL};
        }
    }
    /* Stable for equal times: qsort is not, so make times distinct first. */
    for (int i = 0; i < L.n; i++) L.ev[i].t += i * 1e-9;
    qsort(L.ev, (size_t)L.n, sizeof *L.ev, by_time);
    return L;
}

static void synth_free(SynthLog *L)
{
    free(L->ev);
    free(L->ids);
}

static bool same_obs(const FitObs *a, const FitObs *b)
{
    int S = a->nstages;
    bool same = a->events == b->events && a->cases == b->cases && a->converted == b->converted &&
                a->after_churn == b->after_churn && a->before_first_stage == b->before_first_stage;
    for (int i = 0; i < S * (S + 1); i++) same = same && a->moves[i] == b->moves[i];
    for (int s = 0; s < S; s++) {
        same = same && a->wait_done[s].n == b->wait_done[s].n && a->wait_censored[s].n == b->wait_censored[s].n;
        same = same && fabs(a->wait_done[s].sum - b->wait_done[s].sum) < 1e-6 * (1 + a->wait_done[s].sum);
        same = same && memcmp(a->wait_done[s].bin, b->wait_done[s].bin, sizeof a->wait_done[s].bin) == 0;
        same = same && a->completed[s] == b->completed[s] && a->revenue[s] == b->revenue[s];
    }
    for (int p = 0; p < a->npersonas; p++) same = same && a->persona_cases[p] == b->persona_cases[p];
    for (int k = 0; k < a->ntouchpoints; k++) same = same && a->touch_entries[k] == b->touch_entries[k];
    same = same && a->followup_censored.n == b->followup_censored.n && a->followup_churned.n == b->followup_churned.n;
    return same;
}

typedef struct Sink {
    int n, churned;
} Sink;

static void on_case(void *ctx, const FitCase *c)
{
    Sink *s = ctx;
    s->n++;
    s->churned += c->churned;
}

static void test_order_and_memory(void)
{
    J j;
    TEST("fit: an unsorted log gives the sorted log's observations") {
        if (unit_load(&j, JOURNEY)) {
            SynthLog L = synth(2000, 200);
            FitObs *sorted = observe_ok(&j, 30, L.ev, L.n);
            for (int i = L.n - 1; i > 0; i--) { /* shuffle */
                int k = (int)(rnd() * (i + 1));
                Ev t = L.ev[i]; L.ev[i] = L.ev[k]; L.ev[k] = t;
            }
            /* Held whole and replayed at the end: every case reaches the sink once. */
            FitObserveOptions opt = options(30);
            Sink sink = {0, 0};
            FitCaseSink cs = {on_case, &sink};
            opt.cases = &cs;
            char *error = NULL;
            FitObs *shuffled = observe(&j, &opt, L.ev, L.n, &error);
            free(error);
            CHECK(sorted && shuffled && same_obs(sorted, shuffled));
            CHECK(shuffled && sink.n == shuffled->cases);
            /* Each customer once at least; a gap longer than 30 days starts another case. */
            CHECK(sorted && sorted->cases >= 2000 && sorted->cases < 2300 && sorted->persona_cases[1] > 600);
            fit_obs_free(sorted);
            fit_obs_free(shuffled);
            synth_free(&L);
        }
        unit_unload(&j);
    }
    TEST("fit: a sorted log finishes quiet cases early, with the same observations") {
        if (unit_load(&j, JOURNEY)) {
            SynthLog L = synth(20000, 2000);
            FitObs *whole = observe_ok(&j, 30, L.ev, L.n);
            FitObserveOptions opt = options(30);
            Sink sink = {0, 0};
            FitCaseSink cs = {on_case, &sink};
            opt.cases = &cs;
            char *error = NULL;
            FitObserver *ob = fit_observer_new(j.c.model, &opt, "log.csv", &error);
            size_t most = 0;
            if (ob) {
                fit_observer_set_flush_budget(ob, 64 * 1024);
                for (int i = 0; i < L.n; i++) {
                    if (feed(ob, &L.ev[i], 1) < 0) break;
                    size_t held = fit_observer_events_held(ob) + fit_observer_cases_held(ob);
                    if (held > most) most = held;
                }
                FitObs *early = fit_observer_finish(ob, &error);
                CHECK(early && whole && same_obs(whole, early));
                CHECK(most < (size_t)L.n / 5); /* the customers in flight, not the log */
                CHECK(early && sink.n == early->cases && sink.churned > 0);
                fit_obs_free(early);
            }
            free(error);
            fit_obs_free(whole);
            synth_free(&L);
        }
        unit_unload(&j);
    }
    TEST("fit: a log that stops being sorted once its events are no longer all kept is an error") {
        if (unit_load(&j, JOURNEY)) {
            SynthLog L = synth(5000, 1000);
            const Ev *last = &L.ev[L.n - 1];
            /* Late: an event of the last case before its last one; one of a new case far back. */
            Ev late[] = {{last->c, "welcome", last->t - 1, NAN, NAN, NAN, NULL},
                         {"new", "visit", last->t - 100, NAN, NAN, NAN, NULL}};
            for (int k = 0; k < 2; k++) {
                FitObserveOptions opt = options(30);
                char *error = NULL;
                FitObserver *ob = fit_observer_new(j.c.model, &opt, "log.csv", &error);
                if (!ob) continue;
                fit_observer_set_flush_budget(ob, 16 * 1024);
                CHECK(feed(ob, L.ev, L.n) == 0);
                CHECK(feed(ob, &late[k], 1) < 0);
                if (!fit_observer_error(ob)) printf("k=%d\n", k);
                const char *msg = fit_observer_error(ob);
                CHECK(msg && strstr(msg, "log.csv:2: this event (") && strstr(msg, "the log is not sorted by time"));
                CHECK(msg && (k == 0) == (strstr(msg, "of the same case") != NULL));
                FitObs *o = fit_observer_finish(ob, &error);
                CHECK(!o && error && strstr(error, "sort the log by time, or raise --max-memory"));
                fit_obs_free(o);
                free(error);
            }
            /* Held whole (a larger budget), the same log is fine. */
            FitObserveOptions opt = options(30);
            char *error = NULL;
            FitObserver *ob = fit_observer_new(j.c.model, &opt, "log.csv", &error);
            if (ob) {
                CHECK(feed(ob, L.ev, L.n) == 0 && feed(ob, late, 2) == 0);
                FitObs *o = fit_observer_finish(ob, &error);
                CHECK(o != NULL);
                fit_obs_free(o);
            }
            free(error);
            synth_free(&L);
        }
        unit_unload(&j);
    }
    TEST("fit: events in flight beyond max_memory are an error naming the limit") {
        if (unit_load(&j, JOURNEY)) {
            SynthLog L = synth(5000, 1000);
            FitObserveOptions opt = options(0); /* no inactivity: nothing can finish early */
            opt.max_memory = 256 * 1024;
            char *error = NULL;
            FitObs *o = observe(&j, &opt, L.ev, L.n, &error);
            CHECK(!o && error);
            if (error) {
                CHECK(strstr(error, "log.csv:") != NULL);
                CHECK(strstr(error, "the log's events in flight need more than 256 KiB") != NULL);
                CHECK(strstr(error, "sort the log by time, or raise --max-memory") != NULL);
            }
            free(error);
            fit_obs_free(o);
            synth_free(&L);
        }
        unit_unload(&j);
    }
}

/* ---- speed ---- */

static void test_speed(void)
{
    J j;
    /* No timing is asserted (make bench measures speed): this replays a large sorted log with
     * early finishing, which CJM_FIT_SPEED=1 also times. */
    TEST("fit: a large sorted log with inactivity is observed whole (CJM_FIT_SPEED=1 times it)") {
        if (unit_load(&j, JOURNEY)) {
            SynthLog L = synth(50000, 3650);
            FitObserveOptions opt = options(30);
            char *error = NULL;
            FitObserver *ob = fit_observer_new(j.c.model, &opt, "log.csv", &error);
            if (ob) {
                LogEvent *ev = malloc(sizeof *ev * (size_t)L.n);
                for (int i = 0; i < L.n; i++)
                    ev[i] = (LogEvent){str_of(L.ev[i].c), str_of(L.ev[i].name), str_of(NULL), str_of(L.ev[i].segment),
                                       L.ev[i].t, L.ev[i].revenue, NAN, NAN, (uint64_t)i};
                struct timespec t0, t1;
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
                for (int i = 0; i < L.n; i++) fit_observer_add(ob, &ev[i]);
                FitObs *o = fit_observer_finish(ob, &error);
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
                double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
                double rate = L.n / secs;
                if (getenv("CJM_FIT_SPEED")) printf("fit speed: %d events in %.3f s: %.3g events/s\n", L.n, secs, rate);
                /* Loose: valgrind and sanitizers run this too. */
                CHECK(o && o->events == L.n);
                fit_obs_free(o);
                free(ev);
            }
            free(error);
            synth_free(&L);
        }
        unit_unload(&j);
    }
}

/* ---- estimates ---- */

static FitMove *find_move(FitResult *f, int from, int to, int arrow)
{
    for (int i = 0; i < f->nmoves; i++)
        if (f->moves[i].from == from && f->moves[i].to == to && f->moves[i].arrow == arrow) return &f->moves[i];
    return NULL;
}

static void test_estimates(void)
{
    J j;
    TEST("fit: arrows' shares with Wilson intervals, declared values, moves the journey lacks") {
        if (unit_load(&j, JOURNEY)) {
            FitObs *o = fit_obs_new(j.c.model);
            int S = o->nstages;
            o->moves[VISIT * (S + 1) + SIGNUP] = 40;
            o->moves[VISIT * (S + 1) + S] = 60;
            o->moves[SIGNUP * (S + 1) + ACTIVE] = 3;
            o->moves[SIGNUP * (S + 1) + S] = 5;
            o->moves[SIGNUP * (S + 1) + DONE] = 2; /* no such arrow */
            o->cases = 100;
            o->converted = 40;
            o->entries[SIGNUP] = 40;
            o->touch_entries[WELCOME] = 10;
            o->persona_cases[0] = 30;
            o->persona_cases[1] = 10;
            o->score_n_tp[NPS] = 10;
            o->score_promoters_tp[NPS] = 5;
            o->score_detractors_tp[NPS] = 2;
            o->mood_n[SIGNUP] = 4;
            o->mood_sum[SIGNUP] = 2;
            o->mood_sumsq[SIGNUP] = 2;
            FitResult *f = fit_estimate(o);
            if (f) {
                FitMove *m = find_move(f, VISIT, SIGNUP, 0);
                CHECK(m && m->count == 40 && m->fitted && m->declared_known && m->declared == 0.4);
                if (m) {
                    CHECK_NEAR(m->p.value, 0.4, 1e-12);
                    CHECK_NEAR(m->p.lo, 0.3094012864324589, 1e-9);
                    CHECK_NEAR(m->p.hi, 0.4979974132089382, 1e-9);
                    CHECK(!m->outside);
                }
                m = find_move(f, VISIT, -1, 1); /* `otherwise`: 1 - 40% */
                CHECK(m && m->count == 60 && m->declared_known && fabs(m->declared - 0.6) < 1e-12 && !m->outside);
                m = find_move(f, SIGNUP, ACTIVE, 0); /* 3 of 10 against a declared 80% */
                CHECK(m && m->outside);
                if (m) {
                    CHECK_NEAR(m->p.lo, 0.10779126740630099, 1e-9);
                    CHECK_NEAR(m->p.hi, 0.6032218525388546, 1e-9);
                }
                m = find_move(f, SIGNUP, DONE, -1);
                CHECK(m && m->count == 2 && !m->fitted && m->why_not_fitted);
                CHECK(find_move(f, ACTIVE, DONE, 0) == NULL); /* no moves observed there */
                CHECK_NEAR(f->conversion.value, 0.4, 1e-12);
                CHECK_NEAR(f->reach[WELCOME].value, 0.25, 1e-12);
                CHECK(isnan(f->reach[NPS].lo) == false && f->reach[NPS].value == 0);
                CHECK_NEAR(f->persona_share[0].value, 0.75, 1e-12);
                CHECK_NEAR(f->nps_tp[NPS].value, 30, 1e-9);
                CHECK(isnan(f->nps_tp[SAT].value) && isnan(f->nps_tp[WELCOME].value));
                /* Mood: mean 0.5, sd sqrt((2 - 4 * 0.25) / 3). */
                CHECK_NEAR(f->stage_mood[SIGNUP].value, 0.5, 1e-12);
                CHECK_NEAR(f->stage_mood[SIGNUP].hi - 0.5, 1.959963984540054 * sqrt(1.0 / 3) / 2, 1e-9);
                CHECK(isnan(f->stage_mood[VISIT].value));
                fit_result_free(f);
            }
            fit_obs_free(o);
        }
        unit_unload(&j);
    }
    TEST("fit: arrows depending on the customer, conditions and rules are not fitted") {
        if (unit_load(&j, "persona P { share 100% budget = 0.5 }\n"
                          "stage A { -> B 50% * budget -> C 20% when mood > 0 -> churn otherwise \"x\" }\n"
                          "stage B { -> C 50% -> churn otherwise }\n"
                          "stage C { -> churn 10% -> C otherwise }\n"
                          "rule R when stage == B { goto C with 10% }\n")) {
            FitObs *o = fit_obs_new(j.c.model);
            int S = o->nstages;
            o->moves[0 * (S + 1) + 1] = 5;
            o->moves[0 * (S + 1) + 2] = 5;
            o->moves[0 * (S + 1) + S] = 5;
            o->moves[1 * (S + 1) + 2] = 5;
            o->moves[2 * (S + 1) + 2] = 5;
            FitResult *f = fit_estimate(o);
            if (f) {
                FitMove *m = find_move(f, 0, 1, 0);
                CHECK(m && !m->fitted && !m->declared_known && strstr(m->why_not_fitted, "depends on the customer"));
                m = find_move(f, 0, 2, 1);
                CHECK(m && !m->fitted && strstr(m->why_not_fitted, "condition"));
                m = find_move(f, 0, -1, 2);
                CHECK(m && !m->fitted && !m->declared_known);
                m = find_move(f, 1, 2, 0);
                CHECK(m && !m->fitted && strstr(m->why_not_fitted, "rule"));
                m = find_move(f, 2, 2, 1);
                CHECK(m && m->fitted && m->declared_known && fabs(m->declared - 0.9) < 1e-12);
                fit_result_free(f);
            }
            fit_obs_free(o);
        }
        unit_unload(&j);
    }
}

/* ---- waits ---- */

static double gauss(void)
{
    double u = rnd(), v = rnd();
    return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

typedef double (*Draw)(const double *);
static double draw_exp(const double *a) { return expo(a[0]); }
static double draw_lognormal(const double *a)
{
    double s2 = log(1 + a[1] * a[1] / (a[0] * a[0]));
    return exp(log(a[0]) - s2 / 2 + sqrt(s2) * gauss());
}
static double draw_normal(const double *a)
{
    for (;;) {
        double x = a[0] + a[1] * gauss();
        if (x >= 0) return x;
    }
}
static double draw_const(const double *a) { return a[0]; }
static double draw_uniform(const double *a) { return a[0] + (a[1] - a[0]) * rnd(); }

/* n waits from `draw`, censored at an independent uniform(0, cmax) time when cmax > 0. */
static void sample(Draw draw, const double *a, int n, double cmax, FitWaitObs *done, FitWaitObs *cens)
{
    fit_wait_clear(done);
    fit_wait_clear(cens);
    for (int i = 0; i < n; i++) {
        double w = draw(a);
        double c = cmax > 0 ? cmax * rnd() : INFINITY;
        if (w <= c) fit_wait_add(done, w);
        else fit_wait_add(cens, c);
    }
}

#define CHECK_REL(a, b, rel) CHECK_NEAR((a) / (b), 1.0, rel)

static void test_waits(void)
{
    FitWaitObs done, cens;
    FitWait w;
    TEST("fit: censored exponential waits: the MLE recovers the mean, the finished waits' mean is low") {
        double a[] = {10};
        sample(draw_exp, a, 20000, 25, &done, &cens);
        fit_waits(&done, &cens, &w);
        double naive = done.sum / done.n;
        CHECK(cens.n > 4000);
        CHECK(naive < 8); /* biased: the long waits are the censored ones */
        CHECK(w.best.ok && w.best.kind == DIST_EXPONENTIAL);
        CHECK_REL(w.mean.value, 10, 0.04);
        CHECK(w.mean.lo < 10 && 10 < w.mean.hi && w.mean.hi - w.mean.lo < 1);
        CHECK(w.best.ks < 0.03 && w.candidates[DIST_NORMAL].ks > 2 * w.best.ks);
        if (getenv("CJM_FIT_DEBUG")) printf("exp: mean %g [%g, %g] ks %g naive %g\n", w.mean.value, w.mean.lo, w.mean.hi, w.best.ks, naive);
        CHECK(w.n == done.n && w.censored == cens.n);
    }
    TEST("fit: lognormal waits with censoring: parameters recovered, lognormal chosen") {
        double a[] = {5, 3};
        sample(draw_lognormal, a, 20000, 20, &done, &cens);
        fit_waits(&done, &cens, &w);
        CHECK(w.best.kind == DIST_LOGNORMAL);
        CHECK_REL(w.best.args[0], 5, 0.04);
        CHECK_REL(w.best.args[1], 3, 0.08);
        CHECK(w.mean.lo < 5 && 5 < w.mean.hi);
        if (getenv("CJM_FIT_DEBUG")) printf("lognormal: %g %g mean [%g, %g] naive %g\n", w.best.args[0], w.best.args[1], w.mean.lo, w.mean.hi, done.sum / done.n);
        CHECK(done.sum / done.n < 4.6);
    }
    TEST("fit: normal waits: parameters recovered, normal chosen") {
        double a[] = {10, 2};
        sample(draw_normal, a, 20000, 0, &done, &cens);
        fit_waits(&done, &cens, &w);
        CHECK(w.best.kind == DIST_NORMAL);
        CHECK_REL(w.best.args[0], 10, 0.02);
        CHECK_REL(w.best.args[1], 2, 0.06);
        CHECK(w.mean.lo < 10 && 10 < w.mean.hi);
    }
    TEST("fit: uniform waits: uniform chosen") {
        double a[] = {2, 8};
        sample(draw_uniform, a, 20000, 0, &done, &cens);
        fit_waits(&done, &cens, &w);
        CHECK(w.best.kind == DIST_UNIFORM);
        CHECK_REL(w.best.args[0], 2, 0.06);
        CHECK_REL(w.best.args[1], 8, 0.03);
    }
    TEST("fit: constant waits: the constant chosen, censored ones shorter allowed") {
        double a[] = {3};
        sample(draw_const, a, 500, 6, &done, &cens);
        fit_waits(&done, &cens, &w);
        CHECK(w.best.kind == DIST_CONSTANT && w.best.args[0] == 3 && w.mean.lo == 3 && w.mean.hi == 3);
        /* A censored wait longer than the constant rules it out. */
        fit_wait_add(&cens, 4);
        fit_waits(&done, &cens, &w);
        CHECK(!w.candidates[DIST_CONSTANT].ok && w.best.kind != DIST_CONSTANT);
    }
    TEST("fit: no finished wait, nothing fitted") {
        fit_wait_clear(&done);
        fit_wait_clear(&cens);
        fit_wait_add(&cens, 5);
        fit_waits(&done, &cens, &w);
        CHECK(!w.best.ok && isnan(w.mean.value));
    }
    J j;
    TEST("fit: a stage's wait beside its declared mean") {
        if (unit_load(&j, JOURNEY)) {
            FitObs *o = fit_obs_new(j.c.model);
            double a[] = {6};
            sample(draw_exp, a, 5000, 0, &o->wait_done[SIGNUP], &o->wait_censored[SIGNUP]);
            FitResult *f = fit_estimate(o);
            if (f) {
                FitWait *fw = &f->waits[SIGNUP];
                CHECK(fw->stage == SIGNUP && fw->declared_present && fw->declared_mean == 3 && fw->outside);
                CHECK(!f->waits[VISIT].declared_present && f->waits[VISIT].n == 0);
                fit_result_free(f);
            }
            fit_obs_free(o);
        }
        unit_unload(&j);
    }
}

/* ---- issue 16: traits fitted from a column, arrows that depend on a meeting ---- */

static uint64_t sm_state;
static double uniform01(void)
{
    uint64_t z = (sm_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double std_normal(void)
{
    return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
}

/* Marsaglia and Tsang's gamma(shape, 1), with the U^(1/a) boost below shape 1. */
static double std_gamma(double a)
{
    if (a < 1) return std_gamma(a + 1) * pow(uniform01(), 1 / a);
    double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = std_normal(), v = 1 + c * x;
        if (v <= 0) continue;
        v = v * v * v;
        double u = uniform01();
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v)) return d * v;
    }
}

static bool inside(FitInterval i, double v) { return i.lo <= v && v <= i.hi; }

static const char *family_name(const FitTraitDist *d) { return sema_dist_name(d->kind); }

/* The six families fitted to x; the index of the lowest AIC. */
static int fit_all(const double *x, int n, FitTraitDist *d)
{
    static const DistKind k[FIT_TRAIT_FAMILIES] = {DIST_NORMAL, DIST_LOGNORMAL, DIST_GAMMA, DIST_BETA,
                                                   DIST_UNIFORM, DIST_EXPONENTIAL};
    int best = -1;
    for (int i = 0; i < FIT_TRAIT_FAMILIES; i++) {
        fit_trait_family(k[i], x, n, &d[i]);
        if (d[i].ok && (best < 0 || d[i].aic < d[best].aic)) best = i;
    }
    return best;
}

static void test_special_functions(void)
{
    TEST("fit: digamma, trigamma, incomplete gamma and beta against closed forms") {
        CHECK_NEAR(fit_digamma(1), -0.5772156649015329, 1e-10);
        CHECK_NEAR(fit_digamma(0.5), -1.9635100260214235, 1e-10);
        CHECK_NEAR(fit_trigamma(1), M_PI * M_PI / 6, 1e-10);
        CHECK_NEAR(fit_trigamma(0.5), M_PI * M_PI / 2, 1e-9);
        for (double x = 0.1; x < 20; x *= 1.7) {
            CHECK_NEAR(fit_gamma_p(1, x), 1 - exp(-x), 1e-12);
            CHECK_NEAR(fit_gamma_p(3, x), 1 - exp(-x) * (1 + x + x * x / 2), 1e-12);
        }
        for (double x = 0.05; x < 1; x += 0.1) {
            CHECK_NEAR(fit_beta_i(1, 1, x), x, 1e-12);
            double y = 1 - x; /* I_x(2, 3) = sum over j = 2..4 of C(4, j) x^j (1 - x)^(4 - j) */
            CHECK_NEAR(fit_beta_i(2, 3, x), 6 * x * x * y * y + 4 * x * x * x * y + x * x * x * x, 1e-12);
        }
    }
}

static void test_trait_families(void)
{
    enum { N = 4000 };
    double *x = malloc(N * sizeof *x);
    FitTraitDist d[FIT_TRAIT_FAMILIES];
    TEST("fit: a trait drawn from gamma(0.8, 2.5): gamma chosen, shape and rate inside their intervals") {
        sm_state = 1;
        for (int i = 0; i < N; i++) x[i] = std_gamma(0.8) / 2.5;
        int b = fit_all(x, N, d);
        CHECK(b >= 0 && d[b].kind == DIST_GAMMA);
        CHECK(inside(d[2].args[0], 0.8) && inside(d[2].args[1], 2.5));
        CHECK(d[2].ks < 0.03);
        if (b >= 0 && d[b].kind != DIST_GAMMA) printf("  chose %s\n", family_name(&d[b]));
    }
    TEST("fit: a trait drawn from beta(0.793, 2.426): beta chosen, a and b inside their intervals") {
        sm_state = 2;
        for (int i = 0; i < N; i++) {
            double g1 = std_gamma(0.793), g2 = std_gamma(2.426);
            x[i] = g1 / (g1 + g2);
        }
        int b = fit_all(x, N, d);
        CHECK(b >= 0 && d[b].kind == DIST_BETA);
        CHECK(inside(d[3].args[0], 0.793) && inside(d[3].args[1], 2.426));
    }
    TEST("fit: a trait drawn from lognormal(mean 10, sd 5): lognormal chosen, mean and sd inside") {
        sm_state = 3;
        double s2 = log(1 + 0.25), mu = log(10) - s2 / 2;
        for (int i = 0; i < N; i++) x[i] = exp(mu + sqrt(s2) * std_normal());
        int b = fit_all(x, N, d);
        CHECK(b >= 0 && d[b].kind == DIST_LOGNORMAL);
        CHECK(inside(d[1].args[0], 10) && inside(d[1].args[1], 5));
    }
    TEST("fit: normal, uniform and exponential traits chosen as such; beta refused outside (0, 1)") {
        sm_state = 4;
        for (int i = 0; i < N; i++) x[i] = 50 + 10 * std_normal();
        int b = fit_all(x, N, d);
        CHECK(b == 0 && inside(d[0].args[0], 50) && inside(d[0].args[1], 10));
        CHECK(!d[3].ok); /* values above 1: no beta */
        for (int i = 0; i < N; i++) x[i] = 100 + 400 * uniform01();
        b = fit_all(x, N, d);
        CHECK(b == 4 && inside(d[4].args[0], 100) && inside(d[4].args[1], 500));
        for (int i = 0; i < N; i++) x[i] = -7 * log(uniform01());
        b = fit_all(x, N, d);
        CHECK(b >= 0 && (d[b].kind == DIST_EXPONENTIAL || d[b].kind == DIST_GAMMA));
        CHECK(inside(d[5].args[0], 7));
    }
    TEST("fit: the gamma's and beta's 95% intervals hold the truth about 95% of the time") {
        enum { REPS = 300, M = 300 };
        int gk = 0, gr = 0, ba = 0, bb = 0;
        sm_state = 5;
        for (int r = 0; r < REPS; r++) {
            for (int i = 0; i < M; i++) x[i] = std_gamma(0.243) / 4.414;
            fit_trait_family(DIST_GAMMA, x, M, &d[0]);
            gk += inside(d[0].args[0], 0.243);
            gr += inside(d[0].args[1], 4.414);
            for (int i = 0; i < M; i++) {
                double g1 = std_gamma(0.793), g2 = std_gamma(2.426);
                x[i] = g1 / (g1 + g2);
            }
            fit_trait_family(DIST_BETA, x, M, &d[1]);
            ba += inside(d[1].args[0], 0.793);
            bb += inside(d[1].args[1], 2.426);
        }
        printf("  coverage of %d fits of %d values: gamma shape %.3f rate %.3f, beta a %.3f b %.3f\n", REPS, M,
               gk / (double)REPS, gr / (double)REPS, ba / (double)REPS, bb / (double)REPS);
        CHECK(gk >= 0.91 * REPS && gr >= 0.91 * REPS && ba >= 0.91 * REPS && bb >= 0.91 * REPS);
        CHECK(gk <= 0.99 * REPS && gr <= 0.99 * REPS && ba <= 0.99 * REPS && bb <= 0.99 * REPS);
    }
    free(x);
}

static void test_met_estimates(void)
{
    TEST("fit: Newcombe's interval of a difference of proportions (his example: 56/70 - 48/80)") {
        FitInterval p1 = {0.8, NAN, NAN}, p0 = {0.6, NAN, NAN};
        rt_wilson(56, 70, 1.959963984540054, &p1.lo, &p1.hi);
        rt_wilson(48, 80, 1.959963984540054, &p0.lo, &p0.hi);
        FitInterval d = fit_newcombe(p1, p0);
        CHECK_NEAR(d.value, 0.2, 1e-12);
        CHECK_NEAR(d.lo, 0.0524, 6e-4);
        CHECK_NEAR(d.hi, 0.3339, 6e-4);
    }
    TEST("fit: the forms A + B * met(T), met(T) * B + A, A - B * met(T), B * met(T); others refused") {
        Expr call = {.kind = EX_CALL, .fn = FN_MET, .ref = REF_TOUCHPOINT, .index = 3, .type = TY_NUMBER};
        Expr a = {.kind = EX_NUMBER, .num = 0.08, .constant = true, .type = TY_NUMBER};
        Expr b = {.kind = EX_NUMBER, .num = 0.06, .constant = true, .type = TY_NUMBER};
        Expr bm = {.kind = EX_MUL, .a = &b, .b = &call, .type = TY_NUMBER};
        Expr mb = {.kind = EX_MUL, .a = &call, .b = &b, .type = TY_NUMBER};
        Expr sum1 = {.kind = EX_ADD, .a = &a, .b = &bm, .type = TY_NUMBER};
        Expr sum2 = {.kind = EX_ADD, .a = &mb, .b = &a, .type = TY_NUMBER};
        Expr diff = {.kind = EX_SUB, .a = &a, .b = &bm, .type = TY_NUMBER};
        Expr wrong = {.kind = EX_SUB, .a = &bm, .b = &a, .type = TY_NUMBER};
        FitMetForm f;
        CHECK(fit_met_form(&sum1, &f) && f.a == &a && f.b == &b && f.sign == 1 && f.index == 3 &&
              f.ref == REF_TOUCHPOINT);
        CHECK(fit_met_form(&sum2, &f) && f.a == &a && f.b == &b && f.sign == 1);
        CHECK(fit_met_form(&diff, &f) && f.a == &a && f.sign == -1);
        CHECK(fit_met_form(&bm, &f) && f.a == NULL && f.b == &b);
        CHECK(fit_met_form(&mb, &f) && f.a == NULL && f.b == &b);
        CHECK(!fit_met_form(&wrong, &f));
        CHECK(!fit_met_form(&a, &f));
        Expr ever = call;
        ever.fn = FN_MET_EVER;
        Expr everm = {.kind = EX_MUL, .a = &b, .b = &ever, .type = TY_NUMBER};
        CHECK(!fit_met_form(&everm, &f));
    }
}

static void test_met_replay(void)
{
    J j;
    static const char *const MET_JOURNEY =
        "import \"std/channels\"\n"
        "stage Visit { touchpoint Ad { channel search reach 50% } touchpoint Mail { channel email reach 40% }\n"
        "  touchpoint Banner { channel search reach 10% }\n"
        "  -> Buy 10% + 20% * met(Ad) -> Lead met(search) * 30% -> churn otherwise \"left\" }\n"
        "stage Buy goal {}\n"
        "stage Lead {}\n";
    TEST("fit: moves split by a meeting of the touchpoint or the channel in the entry; A, B and their intervals") {
        if (unit_load(&j, MET_JOURNEY)) {
            /* a: Ad then Buy; b: Banner (search) then Lead; c: Mail then churn; d: nothing, Buy;
             * e: Ad in a later entry only counts there; f: still inside at the end (no move). */
            Ev ev[] = {E("a", "visit", 0), E("a", "ad", 0.1), E("a", "buy", 1),
                       E("b", "visit", 0), E("b", "banner", 0.1), E("b", "lead", 1),
                       E("c", "visit", 0), E("c", "mail", 0.1), E("c", "left", 1),
                       E("d", "visit", 0), E("d", "buy", 1),
                       E("e", "visit", 0), E("e", "left", 0.5),
                       E("f", "visit", 0), E("f", "ad", 0.2)};
            FitObs *o = observe_ok(&j, 0, ev, 15);
            if (o) {
                CHECK(o->nmet == 2);
                int S = o->nstages;
                const FitMetObs *ad = &o->met[0], *search = &o->met[1];
                CHECK(ad->ref == REF_TOUCHPOINT && search->ref == REF_CHANNEL && ad->mask == 1 && search->mask == 5);
                /* Ad: with = {a: Buy}; without = {b: Lead, c: churn, d: Buy, e: churn} */
                CHECK(ad->moves[S + 1 + 1] == 1 && ad->moves[1] == 1 && ad->moves[2] == 1 && ad->moves[S] == 2);
                /* search: with = {a: Buy, b: Lead}; without = {c, d, e} */
                CHECK(search->moves[S + 1 + 2] == 1 && search->moves[S + 1 + 1] == 1 && search->moves[S] == 2);
                FitResult *f = fit_estimate(o);
                CHECK(f && f->nmet_arrows == 2);
                if (f && f->nmet_arrows == 2) {
                    const FitMetArrow *x = &f->met_arrows[0], *y = &f->met_arrows[1];
                    CHECK(x->n0 == 4 && x->k0 == 1 && x->n1 == 1 && x->k1 == 1 && x->fitted);
                    CHECK_NEAR(x->a.value, 0.25, 1e-12);
                    CHECK_NEAR(x->b.value, 0.75, 1e-12);
                    CHECK(x->a.lo < 0.25 && x->a.hi > 0.25 && x->b.lo < 0.75 && x->b.hi > 0.75);
                    CHECK_NEAR(x->declared_a, 0.10, 1e-12);
                    CHECK_NEAR(x->declared_b, 0.20, 1e-12);
                    CHECK(y->form.a == NULL && y->n1 == 2 && y->k1 == 1 && y->n0 == 3 && y->k0 == 0);
                    CHECK(strcmp(y->what, "search") == 0);
                    CHECK(f->moves[0].why_not_fitted && strstr(f->moves[0].why_not_fitted, "met()"));
                }
                fit_result_free(f);
                /* The query's result has no meetings per entry: not fitted, said so. */
                o->from_table = true;
                f = fit_estimate(o);
                CHECK(f && f->nmet_arrows == 2 && !f->met_arrows[0].fitted &&
                      strstr(f->met_arrows[0].why_not_fitted, "query"));
                fit_result_free(f);
                fit_obs_free(o);
            }
        }
        unit_unload(&j);
    }
}

void unit_fit(void)
{
    test_bins();
    test_mapping();
    test_moves();
    test_order_and_memory();
    test_speed();
    test_estimates();
    test_waits();
    test_special_functions();
    test_trait_families();
    test_met_estimates();
    test_met_replay();
}
