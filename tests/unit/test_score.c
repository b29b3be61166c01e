/* test_score.c: unit tests of lives resumed inside a stage (runtime: SimOptions.start and
 * rt_wait_remaining), of cjm score's CSV (fit/score.h) and of the validation's verdicts
 * (fit/validate.h), on hand-built cases and observations whose answers are known in closed form:
 * the rest of a wait of each distribution, a constant wait's rest, conversion and churn chances
 * of an exponential trial, the exact eventual conversion, the rows' order and their sameness for
 * any number of threads, and verdicts inside for a journey that matches the observations and
 * outside for one that does not. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CJM_INTERNALS
#include "cjm.h"
#include "journey.h"
#include "unit.h"

void unit_score(void);

typedef UnitJourney J;

/* ---- the rest of a wait ---- */

static double mean_remaining(const char *dist, const double *args, double elapsed, int n)
{
    DistKind kind = DIST_CONSTANT;
    if (!strcmp(dist, "uniform")) kind = DIST_UNIFORM;
    else if (!strcmp(dist, "normal")) kind = DIST_NORMAL;
    else if (!strcmp(dist, "lognormal")) kind = DIST_LOGNORMAL;
    else if (!strcmp(dist, "triangular")) kind = DIST_TRIANGULAR;
    else if (!strcmp(dist, "exponential")) kind = DIST_EXPONENTIAL;
    RtWait w = rt_wait_prepare(kind, args);
    double sum = 0;
    for (int i = 0; i < n; i++) sum += rt_wait_remaining(&w, elapsed, rt_key(7, (uint64_t)i));
    return sum / n;
}

/* E[X - e | X > e] by rejection from the unconditioned draws. */
static double mean_remaining_by_rejection(DistKind kind, const double *args, double elapsed, int n)
{
    RtWait w = rt_wait_prepare(kind, args);
    RtRng r = rt_stream(rt_key(11, 0));
    double sum = 0;
    int kept = 0;
    while (kept < n) {
        double x = rt_wait_draw(&w, &r);
        if (x <= elapsed) continue;
        sum += x - elapsed;
        kept++;
    }
    return sum / kept;
}

static void test_remaining(void)
{
    rt_rng_init_tables();
    TEST("score: the rest of a wait already under way, each distribution") {
        double c5[] = {5}, u010[] = {0, 10}, n52[] = {5, 2}, e3[] = {3}, t[] = {1, 2, 7}, ln[] = {5, 3};
        CHECK_NEAR(mean_remaining("constant", c5, 3, 10), 2, 1e-12);
        CHECK_NEAR(mean_remaining("constant", c5, 6, 10), 0, 1e-12);
        CHECK_NEAR(mean_remaining("uniform", u010, 4, 200000), 3, 0.02);
        CHECK_NEAR(mean_remaining("uniform", u010, 12, 10), 0, 1e-12);
        CHECK_NEAR(mean_remaining("exponential", e3, 100, 200000), 3, 0.03); /* memoryless */
        /* normal(5, 2) beyond 6: E[X | X > 6] = 5 + 2 phi(0.5) / Q(0.5) */
        double a = 0.5, phi = exp(-a * a / 2) / sqrt(2 * M_PI), q = 0.5 * erfc(a / sqrt(2));
        CHECK_NEAR(mean_remaining("normal", n52, 6, 200000), 5 + 2 * phi / q - 6, 0.02);
        /* far in the tail (Robert's proposal): the rest is about sd^2 / (e - mean) */
        double far = mean_remaining("normal", n52, 25, 100000);
        CHECK(far > 0.15 && far < 0.21);
        CHECK_NEAR(mean_remaining("triangular", t, 3, 200000),
                   mean_remaining_by_rejection(DIST_TRIANGULAR, t, 3, 200000), 0.02);
        CHECK_NEAR(mean_remaining("lognormal", ln, 8, 200000),
                   mean_remaining_by_rejection(DIST_LOGNORMAL, ln, 8, 200000), 0.1);
        CHECK_NEAR(mean_remaining("lognormal", ln, 0, 200000), 5, 0.05); /* not under way: the wait */
    }
}

/* ---- resumed lives ---- */

typedef struct Collect {
    SimOutcome *all;
    size_t n;
} Collect;

static void collect(void *ctx, uint64_t block, const SimOutcome *o, size_t n)
{
    Collect *c = ctx;
    memcpy(c->all + block * SIM_BLOCK, o, n * sizeof *o);
    c->n += n;
}

static const char TRIAL[] =
    "journey \"Trial\" { cohort 1000 }\n"
    "stage Trial { wait exponential(30 days) -> Paid 40% -> churn otherwise \"left\" }\n"
    "stage Paid goal { revenue 100 wait 30 days -> churn 20% -> Paid otherwise }\n"
    "stage Wait { wait 10 days -> Paid }\n";

static void test_resumed(void)
{
    TEST("score: a life resumed 7 days into a 10-day wait moves on at day 3") {
        J j;
        if (unit_load(&j, TRIAL)) {
            SimOptions o = unit_sim_options(&j, 5000, 1, 2);
            SimStart st = {2, 1, 7, false};
            Collect c = {calloc(5000, sizeof(SimOutcome)), 0};
            SimOutcomeSink sink = {collect, &c};
            o.start = &st;
            o.sink = &sink;
            o.has_horizon = true;
            o.horizon = 20;
            RtResult *r = sim_run(j.rm, &o);
            CHECK(c.n == 5000);
            bool all = true;
            for (size_t i = 0; i < c.n; i++) all = all && c.all[i].converted && c.all[i].conv_time == 3;
            CHECK(all);
            CHECK(r->converted == 5000);
            rt_result_free(r);
            free(c.all);
        }
        unit_unload(&j);
    }
    TEST("score: a converted customer resumed in a goal stage converts at day 0 and is not counted again") {
        J j;
        if (unit_load(&j, TRIAL)) {
            SimOptions o = unit_sim_options(&j, 4096, 1, 1);
            SimStart st = {1, 3, 29.5, true};
            o.start = &st;
            o.has_horizon = true;
            o.horizon = 10;
            RtResult *r = sim_run(j.rm, &o);
            CHECK(r->converted == 4096);
            CHECK(r->ttc_mean == 0);
            /* half a day left of the 30: every customer moves once, 20% of them to churn */
            CHECK_NEAR(r->churned / 4096, 0.2, 0.03);
            CHECK_NEAR(r->revenue / 4096, 0.8 * 100, 3); /* the next entry earns, not the one under way */
            rt_result_free(r);
        }
        unit_unload(&j);
    }
}

/* ---- cjm score ---- */

static FitCase make_case(const char *id, int stage, bool converted, double entered, double last)
{
    FitCase c;
    memset(&c, 0, sizeof c);
    c.id = (LogStr){id, strlen(id)};
    c.stage = stage;
    c.persona = -1;
    c.converted = converted;
    c.entered = entered;
    c.first_event = entered;
    c.last_event = last;
    c.mood = NAN;
    c.visits_here = 1;
    return c;
}

/* Field k (0-based) of CSV line `line` (1: the first row after the header), as a number. */
static double field(const char *csv, int line, int k, char *text, size_t cap)
{
    const char *p = csv;
    for (int i = 0; i < line && p; i++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    if (!p) return NAN;
    for (int i = 0; i < k && p; i++) {
        p = strpbrk(p, ",\n");
        if (!p || *p == '\n') return NAN;
        p++;
    }
    size_t n = strcspn(p, ",\n");
    if (text) {
        size_t m = n < cap - 1 ? n : cap - 1;
        memcpy(text, p, m);
        text[m] = 0;
    }
    return n ? strtod(p, NULL) : NAN;
}

static void test_score_csv(void)
{
    TEST("score: chances from futures, exact eventual conversion, order, any number of threads") {
        J j;
        if (unit_load(&j, TRIAL)) {
            FitCase cs[] = {
                make_case("t2", 0, false, 110, 110),   /* in Trial, 10 days */
                make_case("t1", 0, false, 120, 125),   /* in Trial, 0 days: the log ends at 120 */
                make_case("p1", 1, true, 100, 119),    /* a customer, in Paid for 20 days */
                make_case("gone", 0, false, 100, 101), /* churned */
                make_case("done", 2, false, 100, 101), /* completed */
            };
            cs[0].last_event = 120;
            cs[1].last_event = 120;
            cs[3].churned = true;
            cs[4].completed = true;
            ScoreOptions so = {20000, 1, 1, 0};
            Buf a = {0}, b = {0};
            char *err = NULL;
            CHECK(fit_score(j.c.model, j.rm, cs, 5, &so, &a, &err) == 0);
            so.threads = 3;
            CHECK(fit_score(j.c.model, j.rm, cs, 5, &so, &b, &err) == 0);
            CHECK_STR(buf_str(&a), buf_str(&b));
            const char *csv = buf_str(&a);
            CHECK(!strncmp(csv, "customer,stage,persona,days_in_stage,visits,converted,convert_30d,", 66));
            int lines = 0;
            for (const char *p = csv; *p; p++) lines += *p == '\n';
            CHECK(lines == 4); /* the header and three active customers */
            char id[32];
            /* Trial's churn within 90 days: 0.680 (below); Paid's: 1 - 0.8^3 = 0.488
             * (moves at days 10, 40, 70 for a customer 20 days into its 30) */
            field(csv, 1, 0, id, sizeof id);
            CHECK_STR(id, "t1"); /* same state, same chances: by id */
            field(csv, 2, 0, id, sizeof id);
            CHECK_STR(id, "t2");
            field(csv, 3, 0, id, sizeof id);
            CHECK_STR(id, "p1");
            /* churn within 90 days from Trial: leaving it, or converting at T ~ exp(30 days) and
             * churning as a customer at T + 30 (20%) or T + 60 (16%) */
            double churn90 = 0.6 * (1 - exp(-3)) + 0.4 * (0.2 * (1 - exp(-2)) + 0.16 * (1 - exp(-1)));
            CHECK_NEAR(field(csv, 1, 17, NULL, 0), churn90, 0.015);
            CHECK_NEAR(field(csv, 1, 9, NULL, 0), 0.4 * (1 - exp(-3)), 0.015);
            CHECK_NEAR(field(csv, 1, 12, NULL, 0), 0.4, 1e-9); /* eventual, exact */
            field(csv, 1, 13, id, sizeof id);
            CHECK_STR(id, "exact");
            CHECK_NEAR(field(csv, 1, 3, NULL, 0), 0, 1e-9);
            CHECK_NEAR(field(csv, 2, 3, NULL, 0), 10, 1e-9);
            CHECK_NEAR(field(csv, 3, 17, NULL, 0), 1 - 0.8 * 0.8 * 0.8, 0.015);
            CHECK_NEAR(field(csv, 3, 6, NULL, 0), 1, 0); /* converted: 1 */
            CHECK(isnan(field(csv, 3, 7, NULL, 0)));    /* and no interval */
            /* revenue over 365 days of a customer: entries at days 10, 40, ..., while not churned */
            double rev = 0, alive = 1;
            for (int k = 0; k < 12; k++) {
                alive *= 0.8;
                rev += 100 * alive;
            }
            CHECK_NEAR(field(csv, 3, 20, NULL, 0), rev, 8);
            CHECK(field(csv, 3, 21, NULL, 0) < field(csv, 3, 20, NULL, 0));
            buf_free(&a);
            buf_free(&b);
        }
        unit_unload(&j);
    }
}

/* ---- validation ---- */

static int bin_of(double t)
{
    if (!(t > 0)) return 0;
    int b = (int)floor(12 * log10(t / FIT_BIN_ORIGIN) + 0.5);
    return b < 0 ? 0 : b >= FIT_BINS ? FIT_BINS - 1 : b;
}

static void wait_add(FitWaitObs *w, double t)
{
    w->n++;
    w->sum += t;
    w->sumsq += t * t;
    w->min = t < w->min ? t : w->min;
    w->max = t > w->max ? t : w->max;
    w->bin[bin_of(t)]++;
}

/* Observations as a log of the TRIAL journey would give them, by quantiles (no noise): 2000
 * cases, 40% converting after exponential(30 days), customers churning at a rate of 20% per 30
 * days (a monthly step: retention 0.8^k), followed for at most 200 days. */
static void make_obs(FitObs *o, const Model *m)
{
    memset(o, 0, sizeof *o);
    o->model = m;
    o->nstages = m->nstages;
    o->moves = calloc((size_t)m->nstages * (size_t)(m->nstages + 1), sizeof *o->moves);
    o->cases = 2000;
    o->converted = 800;
    o->moves[0 * 4 + 1] = 800;
    o->moves[0 * 4 + 3] = 1200;
    FitWaitObs *w[] = {&o->time_to_convert, &o->followup_churned, &o->followup_censored};
    for (int i = 0; i < 3; i++) {
        w[i]->min = INFINITY;
        w[i]->max = -INFINITY;
    }
    for (int i = 0; i < 800; i++) wait_add(&o->time_to_convert, -30 * log(1 - (i + 0.5) / 800));
    for (int i = 0; i < 800; i++) {
        double u = (i + 0.5) / 800;
        int k = (int)ceil(log(1 - u) / log(0.8)); /* churns on its k-th monthly move */
        double t = 30.0 * k - 10; /* inside the month, its bin's middle too: KM's steps between 30-day marks */
        if (t > 200) wait_add(&o->followup_censored, 200);
        else wait_add(&o->followup_churned, t);
    }
    /* Paid: moves at each month, 20% to churn */
    o->moves[1 * 4 + 1] = 2400;
    o->moves[1 * 4 + 3] = 600;
}

static const FitVerdict *verdict(const FitVerdict *v, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].key, key)) return &v[i];
    return NULL;
}

static void test_validate(void)
{
    TEST("score: validation of a journey that matches its log, and of one that does not") {
        J j, bad;
        bool ok = unit_load(&j, TRIAL);
        bool ok2 = unit_load(&bad, "journey \"Trial\" { cohort 1000 }\n"
                                   "stage Trial { wait exponential(10 days) -> Paid 60% -> churn otherwise }\n"
                                   "stage Paid goal { wait 30 days -> churn 50% -> Paid otherwise }\n"
                                   "stage Wait { wait 10 days -> Paid }\n");
        if (ok && ok2) {
            FitObs o;
            make_obs(&o, j.c.model);
            SimOptions so = unit_sim_options(&j, 100000, 1, 2);
            FitVerdict *v = NULL;
            char *err = NULL;
            int n = fit_validate(&o, j.rm, &so, &v, &err);
            CHECK(n == 7); /* conversion, time, 3 retentions, Trial's and Paid's churn shares */
            const char *keys[] = {"conversion", "time_to_convert", "retention_30d", "retention_90d",
                                  "retention_180d", "stage_churn:Trial", "stage_churn:Paid"};
            for (int i = 0; i < 7; i++) {
                const FitVerdict *x = verdict(v, n, keys[i]);
                CHECK(x != NULL);
                if (x && !x->inside)
                    printf("FAIL %s: %s %g not in [%g, %g] (sim %g)\n", unit_current, x->key, x->observed, x->lo,
                           x->hi, x->sim);
                if (x) CHECK(x->inside);
            }
            const FitVerdict *r90 = verdict(v, n, "retention_90d");
            if (r90) CHECK_NEAR(r90->observed, 0.512, 0.001); /* 0.8^3 by the quantiles */
            CHECK_STR(verdict(v, n, "stage_churn:Paid")->title, "Churn share of moves out of Paid");
            free(v);
            so = unit_sim_options(&bad, 100000, 1, 2);
            n = fit_validate(&o, bad.rm, &so, &v, &err);
            for (int i = 0; i < n; i++) CHECK(!v[i].inside);
            free(v);
            free(o.moves);
        }
        unit_unload(&j);
        unit_unload(&bad);
    }
}

/* ---- end to end: a log through fit_observe's case sink ---- */

typedef struct Cases {
    FitCase *c;
    char **ids;
    size_t n, cap;
} Cases;

static void keep_case(void *ctx, const FitCase *c)
{
    Cases *k = ctx;
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 64;
        k->c = realloc(k->c, k->cap * sizeof *k->c);
        k->ids = realloc(k->ids, k->cap * sizeof *k->ids);
    }
    k->ids[k->n] = strndup(c->id.s, c->id.len); /* the id points into the reader */
    k->c[k->n] = *c;
    k->c[k->n].id.s = k->ids[k->n];
    k->n++;
}

static void test_from_log(void)
{
    TEST("score: a log observed, its active cases scored and the journey validated against it") {
        J j;
        if (unit_load(&j, TRIAL)) {
            /* 300 cases over 300 days: in Trial, 40% pay 20 days later; payers renew every 30 days
             * (event Paid) unless they churn (event churn:left) */
            Buf b = {0};
            buf_puts(&b, "case_id,event,timestamp\n");
            for (int i = 0; i < 300; i++) {
                double t = 1.7e9 + i * 86400.0;
                buf_printf(&b, "c%03d,Trial,%.0f\n", i, t);
                if (i % 5 < 2) {
                    for (int k = 0; k < 1 + i % 4; k++) buf_printf(&b, "c%03d,Paid,%.0f\n", i, t + (20 + 30 * k) * 86400.0);
                }
            }
            char path[] = "/tmp/cjm-score-XXXXXX";
            int fd = mkstemp(path);
            const char *text = buf_str(&b);
            CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
            close(fd);
            LogOptions lo;
            memset(&lo, 0, sizeof lo);
            char *err = NULL;
            LogReader *r = log_open(path, &lo, &err);
            Cases k = {0};
            FitCaseSink sink = {keep_case, &k};
            FitObserveOptions oo;
            memset(&oo, 0, sizeof oo);
            oo.inactivity = 0;
            oo.log_end = NAN;
            oo.cases = &sink;
            FitObs *obs = r ? fit_observe(j.c.model, r, &oo, &err) : NULL;
            CHECK(obs != NULL);
            if (obs) {
                CHECK(k.n == 300);
                ScoreOptions so = {2000, 1, 2, obs->log_end};
                Buf csv = {0};
                CHECK(fit_score(j.c.model, j.rm, k.c, k.n, &so, &csv, &err) == 0);
                size_t rows = 0;
                for (const char *p = buf_str(&csv); *p; p++) rows += *p == '\n';
                size_t active = 0;
                for (size_t i = 0; i < k.n; i++) active += !k.c[i].churned && !k.c[i].completed;
                CHECK(rows == active + 1 && active == 300); /* without inactivity nobody churned */
                /* the last case began 106 days before the log's end (case 295's fourth payment) */
                CHECK(strstr(buf_str(&csv), "\nc299,Trial,,106.00,1,0,") != NULL);
                SimOptions sim = unit_sim_options(&j, 20000, 1, 2);
                FitVerdict *v = NULL;
                int nv = fit_validate(obs, j.rm, &sim, &v, &err);
                CHECK(nv >= 2);
                free(v);
                buf_free(&csv);
                fit_obs_free(obs);
            } else {
                printf("  %s\n", err ? err : "");
            }
            free(err);
            if (r) log_close(r);
            unlink(path);
            for (size_t i = 0; i < k.n; i++) free(k.ids[i]);
            free(k.ids);
            free(k.c);
            buf_free(&b);
        }
        unit_unload(&j);
    }
}

void unit_score(void)
{
    test_remaining();
    test_resumed();
    test_score_csv();
    test_validate();
    test_from_log();
}
