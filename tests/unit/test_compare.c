/* test_compare.c: unit tests of what-if runs: common random numbers (a customer's randomness
 * depends on the seed and its number alone, whichever block range or thread simulates it), the
 * models compiled with changes (removed stages and touchpoints, swept values), the statistics of
 * paired differences against known effects, sweeps' values and their errors, and scenarios
 * checked as variants of a journey. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "sweep.h"
#include "journey.h"
#include "unit.h"

void unit_compare(void);

typedef UnitJourney J;

static SimOptions options(uint64_t cohort, int threads)
{
    SimOptions o = {0};
    o.cohort = cohort;
    o.seed = 9;
    o.threads = threads;
    o.persona = -1;
    o.max_steps = SIM_DEFAULT_MAX_STEPS;
    return o;
}

/* ---- common random numbers ---- */

enum { KEPT_MAX = 4 * SIM_BLOCK };
typedef struct Kept {
    SimOutcome o[KEPT_MAX];
} Kept;

static void keep(void *ctx, uint64_t block, const SimOutcome *o, size_t n)
{
    Kept *k = ctx;
    memcpy(k->o + block * SIM_BLOCK, o, n * sizeof *o);
}

static bool same_outcome(const SimOutcome *a, const SimOutcome *b)
{
    return a->converted == b->converted && a->churned == b->churned && a->revenue == b->revenue &&
           a->cost == b->cost && (!a->churned || a->churn_time == b->churn_time) && a->promoter == b->promoter &&
           a->detractor == b->detractor;
}

/* Runs blocks [first, cohort / SIM_BLOCK) into k. */
static void run_kept(J *j, Kept *k, uint64_t cohort, uint64_t first, int threads, uint64_t salt)
{
    SimOptions o = options(cohort, threads);
    SimOutcomeSink sink = {keep, k};
    o.sink = &sink;
    o.first_block = first;
    o.salt = salt;
    rt_result_free(sim_run(j->rm, &o));
}

static const char JOURNEY[] =
    "persona P { share 30% }\npersona Q {}\n"
    "stage A { wait exponential(2 days) touchpoint T { reach 40% emotion +0.5 cost 1 } -> B 50% + 20% * mood "
    "-> A 10% -> churn otherwise }\n"
    "stage B goal { wait uniform(1 day, 3 days) revenue 10 -> A 20% when visits(A) < 3 -> churn otherwise }\n";

static void test_crn(void)
{
    static Kept all, part, other;
    TEST("crn: a customer's outcome depends on the seed and its number, not on blocks or threads") {
        J j;
        if (unit_load(&j, JOURNEY)) {
            run_kept(&j, &all, 3 * SIM_BLOCK, 0, 1, 0);
            memset(&part, 0, sizeof part);
            run_kept(&j, &part, 3 * SIM_BLOCK, 1, 2, 0); /* blocks 1 and 2 alone, two threads */
            int differ = 0;
            for (size_t i = SIM_BLOCK; i < 3 * SIM_BLOCK; i++) differ += !same_outcome(&all.o[i], &part.o[i]);
            CHECK(differ == 0);
            run_kept(&j, &other, 3 * SIM_BLOCK, 0, 1, 7); /* another salt: other customers */
            differ = 0;
            for (size_t i = 0; i < 3 * SIM_BLOCK; i++) differ += !same_outcome(&all.o[i], &other.o[i]);
            CHECK(differ > SIM_BLOCK / 2);
            unit_unload(&j);
        }
    }
    TEST("crn: a touchpoint added to a stage leaves the next moves and waits of its entries alone") {
        /* At reach 50% the added touchpoint draws after the entry's next move, and the wait has a
         * stream of its own: conversions and churn times stay customer for customer. */
        J a, b;
        if (unit_load(&a, "stage A { wait exponential(1 day) -> B 30% -> churn otherwise }\nstage B goal {}\n") &&
            unit_load(&b, "stage A { wait exponential(1 day) touchpoint New { reach 50% cost 1 } -> B 30% -> churn otherwise }\n"
                     "stage B goal {}\n")) {
            run_kept(&a, &all, 2 * SIM_BLOCK, 0, 2, 0);
            run_kept(&b, &part, 2 * SIM_BLOCK, 0, 2, 0);
            int differ = 0, cost = 0;
            for (size_t i = 0; i < 2 * SIM_BLOCK; i++) {
                differ += all.o[i].converted != part.o[i].converted || all.o[i].churn_time != part.o[i].churn_time;
                cost += part.o[i].cost > 0;
            }
            CHECK(differ == 0);
            CHECK(cost > SIM_BLOCK / 2 && cost < 3 * SIM_BLOCK / 2);
            unit_unload(&b);
        }
        unit_unload(&a);
    }
}

/* ---- models compiled with changes ---- */

static double exact_conversion(const RtModel *rm)
{
    FILE *sink = fopen("/dev/null", "w");
    Diag d;
    SourceSet none;
    source_set_init(&none);
    diag_init(&d, &none, sink, false);
    ExactOptions eo = {1000, 1, false, 0, -1};
    RtResult *r = exact_check(rm, &d) ? exact_run(rm, &eo, &d) : NULL;
    double conv = r ? r->converted / 1000 : NAN;
    rt_result_free(r);
    diag_free(&d);
    source_set_free(&none);
    fclose(sink);
    return conv;
}

static void test_settings(void)
{
    TEST("compile with changes: a removed stage sends its inflow to churn; a swept arrow; a silent touchpoint") {
        J j;
        if (unit_load(&j, "stage A { -> B 50% -> C 30% -> churn otherwise }\nstage B { -> D }\nstage C { -> D }\n"
                     "stage D goal { revenue 10 }\n")) {
            CHECK_NEAR(exact_conversion(j.rm), 0.8, 1e-12);
            RtSetting gone_b = {RT_SET_STAGE_REMOVED, 1, 1}, gone_c = {RT_SET_STAGE_REMOVED, 2, 1},
                      gone_d = {RT_SET_STAGE_REMOVED, 3, 1}, prob = {RT_SET_ARROW_PROB, 0, 0.6};
            RtModel *rm = rt_compile_with(j.c.model, &gone_b, 1);
            CHECK_NEAR(exact_conversion(rm), 0.3, 1e-12);
            rt_model_free(rm);
            rm = rt_compile_with(j.c.model, &gone_c, 1);
            CHECK_NEAR(exact_conversion(rm), 0.5, 1e-12);
            rt_model_free(rm);
            rm = rt_compile_with(j.c.model, &gone_d, 1);
            CHECK_NEAR(exact_conversion(rm), 0, 1e-12);
            rt_model_free(rm);
            rm = rt_compile_with(j.c.model, &prob, 1);
            CHECK_NEAR(exact_conversion(rm), 0.9, 1e-12);
            rt_model_free(rm);
            unit_unload(&j);
        }
    }
}

/* ---- statistics ---- */

static void test_statistics(void)
{
    TEST("compare: a 10-point change measured within its interval, narrower than independent runs") {
        J j;
        if (unit_load(&j, "stage A { -> B 50% -> churn otherwise }\nstage B goal { revenue 10 }\n")) {
            CmpSet set;
            cmp_set_init(&set, CMP_SWEEP);
            RtSetting more = {RT_SET_ARROW_PROB, 0, 0.6};
            cmp_set_add(&set, "60%", NULL, rt_compile_with(j.c.model, &more, 1), 0.6);
            CmpOptions o = {.sim = options(40000, 2)};
            CmpResult *r = cmp_run(j.rm, &set, &o, &j.c.diag);
            const CmpStat *c = cmp_stat(r, 0, CMP_CONVERSION), *rev = cmp_stat(r, 0, CMP_ARPU);
            CHECK(c->lo <= 0.1 && 0.1 <= c->hi);
            CHECK(rev->lo <= 1 && 1 <= rev->hi);
            CHECK(c->significant);
            /* Paired: only the customers between 50% and 60% differ: sd = sqrt(0.1 * 0.9). */
            CHECK_NEAR((c->hi - c->lo) / 2, 1.959963984540054 * sqrt(0.09 / 40000), 0.0003);
            CHECK(c->independent > 2 * (c->hi - c->lo) / 2); /* sqrt(0.49 / 0.09): 2.3 times */
            CHECK(r->base[CMP_CONVERSION].value_lo <= 0.5 && 0.5 <= r->base[CMP_CONVERSION].value_hi);
            /* CAC: no cost here, so 0 in both. */
            CHECK_NEAR(cmp_stat(r, 0, CMP_CAC)->change, 0, 1e-12);
            cmp_result_free(r);
            cmp_set_free(&set);
            unit_unload(&j);
        }
    }
    TEST("compare: the same variant twice makes no difference at all") {
        J j;
        if (unit_load(&j, JOURNEY)) {
            CmpSet set;
            cmp_set_init(&set, CMP_SCENARIOS);
            cmp_set_add(&set, "Same", NULL, rt_compile(j.c.model), 0);
            CmpOptions o = {.sim = options(5000, 2)};
            CmpResult *r = cmp_run(j.rm, &set, &o, &j.c.diag);
            for (int k = 0; k < CMP_NMETRICS; k++) { /* 0, or missing in both */
                const CmpStat *s = cmp_stat(r, 0, (CmpMetric)k);
                CHECK(s->change == 0 || (isnan(s->base) && isnan(s->value)));
                CHECK(!cmp_stat(r, 0, (CmpMetric)k)->significant);
            }
            cmp_result_free(r);
            cmp_set_free(&set);
            unit_unload(&j);
        }
    }
}

/* A subscription whose customers churn 10% a month; a variant churns them 20% a month. */
#define SUBSCRIPTION(churn)                                                                      \
    "journey \"S\" { horizon 1 year }\nstage A { wait 2 days -> B 40% -> churn otherwise }\n"        \
    "stage B goal { revenue 10 wait 30 days -> B " churn " -> churn otherwise }\n"

static void test_customer_figures(void)
{
    TEST("compare: the journey's figures are cjm run's, bit for bit; a variant's retention interval is unpaired") {
        J j, v;
        bool loaded = unit_load(&j, SUBSCRIPTION("90%")), variant = unit_load(&v, SUBSCRIPTION("80%"));
        if (loaded && variant) {
            CmpSet set;
            cmp_set_init(&set, CMP_SCENARIOS);
            cmp_set_add(&set, "Churnier", NULL, rt_compile(v.c.model), 0);
            SimOptions so = options(9000, 2);
            so.has_horizon = true;
            so.horizon = 365;
            CmpOptions o = {.sim = so};
            CmpResult *r = cmp_run(j.rm, &set, &o, &j.c.diag);
            RtResult *run = sim_run(j.rm, &so);
            RtKpis k = rt_kpis(run);
            CHECK(r->base[CMP_CONVERSION].value == k.converted.rate);
            CHECK(r->base[CMP_CUSTOMER_CHURN].value == k.customer_churn.rate);
            CHECK(r->base[CMP_MONTHLY_CHURN].value == k.monthly_churn.value);
            CHECK(r->base[CMP_MONTHLY_CHURN].value_lo == k.monthly_churn.lo);
            CHECK(r->base[CMP_RETENTION90].value == k.retention[1].value);
            CHECK(r->base[CMP_RETENTION90].value_hi == k.retention[1].hi);
            CHECK(r->base[CMP_LTV].value == k.ltv.value && r->base[CMP_LTV].value_lo == k.ltv.lo);
            CHECK(r->base[CMP_PAYBACK].value == k.payback_days);
            CHECK(r->base[CMP_NPS].value == k.nps.value);
            /* Monthly churn about 0.1 and 0.2 (per 30 days, the wait), both within their intervals. */
            const CmpStat *m = cmp_stat(r, 0, CMP_MONTHLY_CHURN);
            CHECK(m->value_lo <= 0.2 && 0.2 <= m->value_hi && m->significant && m->lo <= 0.1 && 0.1 <= m->hi);
            /* Retention at 90 days falls (about 0.9^3 to 0.8^3), and the interval of its change is
             * that of two independent estimates. */
            const CmpStat *ret = cmp_stat(r, 0, CMP_RETENTION90);
            double v0 = rt_customer_retention_variance(cmp_run_of(r, -1), 90);
            double v1 = rt_customer_retention_variance(cmp_run_of(r, 0), 90);
            CHECK_NEAR((ret->hi - ret->lo) / 2, 1.959963984540054 * sqrt(v0 + v1), 1e-12);
            CHECK(ret->change < 0 && ret->significant);
            /* Payback has no interval: nothing is significant about it. */
            CHECK(isnan(cmp_stat(r, 0, CMP_PAYBACK)->lo) && !cmp_stat(r, 0, CMP_PAYBACK)->significant);
            rt_result_free(run);
            cmp_result_free(r);
            cmp_set_free(&set);
        }
        unit_unload(&j);
        unit_unload(&v);
    }
    TEST("compare --exact: differences of expected values, no interval; figures over time missing") {
        J j, v;
        bool loaded = unit_load(&j, SUBSCRIPTION("90%")), variant = unit_load(&v, SUBSCRIPTION("80%"));
        if (loaded && variant) {
            CmpSet set;
            cmp_set_init(&set, CMP_SCENARIOS);
            cmp_set_add(&set, "Churnier", NULL, rt_compile(v.c.model), 0);
            CmpOptions o = {.sim = options(1000, 1), .exact = true};
            CmpResult *r = cmp_run(j.rm, &set, &o, &j.c.diag);
            const CmpStat *ltv = cmp_stat(r, 0, CMP_LTV);
            CHECK_NEAR(ltv->base, 10 / 0.1, 1e-9); /* 10 a month for 1 / 0.1 months */
            CHECK_NEAR(ltv->value, 10 / 0.2, 1e-9);
            CHECK_NEAR(ltv->change, -50, 1e-9);
            CHECK(isnan(ltv->lo) && isnan(ltv->value_lo) && !ltv->significant);
            CHECK(isnan(cmp_stat(r, 0, CMP_RETENTION90)->value) && isnan(cmp_stat(r, 0, CMP_PAYBACK)->value));
            CHECK(isnan(cmp_stat(r, 0, CMP_NPS)->value));
            cmp_result_free(r);
            cmp_set_free(&set);
        }
        unit_unload(&j);
        unit_unload(&v);
    }
}

/* ---- sweeps ---- */

/* A sweep as `cjm compare --sweep TEXT` makes it: the text read (cli/sweep.c), then the variants. */
static bool sweep(CmpSet *set, const Model *m, const char *text, Buf *err)
{
    SweepText st;
    bool ok = sweep_parse(&st, text, err) && cmp_set_sweep(set, m, &st.sweep, err);
    sweep_free(&st);
    return ok;
}

static void test_sweeps(void)
{
    TEST("sweeps: values of a range in percent, in points, without a step; errors") {
        J j;
        if (unit_load(&j, "stage A { touchpoint T { reach 50% } -> B 50% -> C 10% -> churn otherwise }\n"
                     "stage B goal { revenue 5 }\nstage C { -> churn }\n")) {
            static const struct { const char *spec; int n; double first, last; } ok[] = {
                {"A->B=20%..60%/5", 9, 0.2, 0.6}, {"A->B=20%..60%/5%", 9, 0.2, 0.6}, {"A->B=0.1..0.3/0.1", 3, 0.1, 0.3},
                {"T.reach=0..1", 11, 0, 1}, {"B.revenue=5..10/2.5", 3, 5, 10}, {" A -> B = 10% .. 20% ", 11, 0.1, 0.2},
            };
            for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
                CmpSet set;
                Buf err = BUF_INIT;
                cmp_set_init(&set, CMP_SWEEP);
                CHECK(sweep(&set, j.c.model, ok[i].spec, &err));
                CHECK(set.n == ok[i].n);
                if (set.n == ok[i].n) {
                    CHECK_NEAR(set.v[0].value, ok[i].first, 1e-12);
                    CHECK_NEAR(set.v[set.n - 1].value, ok[i].last, 1e-12);
                }
                cmp_set_free(&set);
                buf_free(&err);
            }
            static const char *const bad[] = {"A->B", "A->B=", "A->B=1..", "A->B=60%..20%", "A->B=0..1/0",
                                              "A->B=80%..95%/5", "A->Z=0..1", "A->churn=0..1", "T.reach=-1..1",
                                              "T.size=0..1", "X.reach=0..1", "A=0..1", "A->B=0..1/0.001"};
            for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                CmpSet set;
                Buf err = BUF_INIT;
                cmp_set_init(&set, CMP_SWEEP);
                bool accepted = sweep(&set, j.c.model, bad[i], &err);
                if (accepted || err.len == 0) printf("FAIL %s: '%s' accepted\n", unit_current, bad[i]);
                unit_current_failed |= accepted || err.len == 0;
                cmp_set_free(&set);
                buf_free(&err);
            }
            unit_unload(&j);
        }
    }
}

/* ---- scenarios ---- */

static void test_scenarios(void)
{
    TEST("scenarios: checked as the journey with their changes; the journey without them") {
        static const char text[] =
            "persona P { share 50% size = 1 }\npersona Q { share 50% size = 2 }\n"
            "stage A { touchpoint T { reach 50% cost 1 } -> B 30% -> churn otherwise }\nstage B goal {}\n"
            "rule R when stage == A { cost += 1 }\n"
            "scenario S {\n  persona P { share 70% size = 3 }\n  persona Q { share 30% }\n"
            "  touchpoint T { reach 90% }\n  remove rule R\n  stage New { -> B }\n"
            "  extend stage A { -> New 10% }\n}\n";
        J j;
        if (unit_load(&j, text)) {
            CHECK(j.c.model->nscenarios == 1 && j.c.model->nstages == 2 && j.c.model->nrules == 1);
            CHECK(j.c.nscenarios == 1 && j.c.model->scenarios[0] == sema_find_scenario(&j.c.prog, "S"));
            const Model *m = j.c.scenarios[0];
            CHECK(m->nstages == 3 && m->nrules == 0);
            CHECK_NEAR(m->share[0], 0.7, 1e-12);
            CHECK_NEAR(m->trait_value[0], 3, 1e-12);
            CHECK_NEAR(m->touchpoints[0]->reach.v, 0.9, 1e-12);
            /* The journey's own model is untouched. */
            CHECK_NEAR(j.c.model->share[0], 0.5, 1e-12);
            CHECK_NEAR(j.c.model->touchpoints[0]->reach.v, 0.5, 1e-12);
            unit_unload(&j);
        }
    }
}

void unit_compare(void)
{
    test_crn();
    test_settings();
    test_statistics();
    test_customer_figures();
    test_sweeps();
    test_scenarios();
}
