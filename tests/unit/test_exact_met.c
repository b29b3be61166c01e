/* test_exact_met.c: unit tests of the exact analysis of arrows that read met() (docs/semantics.md,
 * "Arrows that read met()"): the mixture over the combinations of touchpoints met against values
 * worked out by hand (clamping, a channel's count, `when`, over 100%), the joint law of meetings
 * and moves in the touchpoints' and channels' figures and in first/last/linear attribution, amounts
 * per persona, the agreement of large simulated cohorts with the exact figures (within 99.9%
 * intervals), removal effects of touchpoints that move people (exact, and simulated within their
 * intervals), and what --exact refuses, named at its place. */
#define CJM_INTERNALS
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "journey.h"
#include "unit.h"

void unit_exact_met(void);

typedef UnitJourney J;

#define EPS 1e-9

static RtResult *solve(J *j, double cohort)
{
    ExactOptions o = {cohort, 1, false, 0, -1};
    if (!exact_check(j->rm, &j->c.diag)) return NULL;
    return exact_run(j->rm, &o, &j->c.diag);
}

static RtResult *simulate(J *j, uint64_t cohort, uint64_t seed)
{
    SimOptions o = unit_sim_options(j, cohort, seed, 2);
    return sim_run(j->rm, &o);
}

static int index_of(const J *j, const char *name)
{
    const Model *m = j->c.model;
    for (int s = 0; s < m->nstages; s++)
        if (strcmp(m->stages[s]->name.s, name) == 0) return s;
    for (int k = 0; k < m->ntouchpoints; k++)
        if (strcmp(m->touchpoints[k]->name.s, name) == 0) return k;
    for (int c = 0; c < m->nchannels; c++)
        if (strcmp(m->channels[c]->name.s, name) == 0) return c;
    return -1;
}

static bool has_warning(const RtResult *r, int kind, double count)
{
    for (int i = 0; i < r->nwarnings; i++)
        if (r->warnings[i].kind == kind && fabs(r->warnings[i].count - count) < 1e-6) return true;
    return false;
}

/* ---- the mixture, by hand ---- */

/* The ad moves people: 20% buy without it, 80% with it. Met by half the visitors, it is met by
 * 0.5 * 0.8 = 0.4 of the cohort who buy, not the 0.5 * 0.5 independence would give. */
static const char AD[] = "channel search \"Search\"\nchannel email \"Email\"\n"
                         "stage Visit {\n"
                         "  touchpoint Ad { channel search reach 50% cost 2 }\n"
                         "  touchpoint Mail { channel email reach 40% }\n"
                         "  -> Buy 20% + 60% * met(Ad) -> churn otherwise \"gone\" }\n"
                         "stage Buy goal {}\n";

static void test_by_hand(void)
{
    TEST("exact met: the move mixes the combinations met; reach, met-and-converted and attribution by hand") {
        J j;
        if (unit_load(&j, AD)) {
            RtResult *r = solve(&j, 1000);
            CHECK(r != NULL);
            if (r) {
                int ad = index_of(&j, "Ad"), mail = index_of(&j, "Mail");
                int search = index_of(&j, "search"), email = index_of(&j, "email");
                CHECK_NEAR(r->converted, 500, 1e-9); /* 0.5 * 0.8 + 0.5 * 0.2 */
                CHECK_NEAR(r->touch[ad].reached, 500, 1e-9);
                CHECK_NEAR(r->touch[ad].conversions, 400, 1e-9);
                CHECK_NEAR(r->touch[mail].reached, 400, 1e-9);
                CHECK_NEAR(r->touch[mail].conversions, 200, 1e-9); /* Mail moves nobody: 0.4 * 0.5 */
                CHECK_NEAR(r->channels[search].reached, 500, 1e-9);
                CHECK_NEAR(r->channels[search].conversions, 400, 1e-9);
                CHECK_NEAR(r->channels[email].conversions, 200, 1e-9);
                CHECK_NEAR(r->channels[search].acq_cost, 1000, 1e-9); /* every meeting before converting */
                /* first touch: the ad when met (0.5 * 0.8), else the mail (0.5 * 0.4 * 0.2) */
                CHECK_NEAR(r->channels[search].attr_first, 400, 1e-9);
                CHECK_NEAR(r->channels[email].attr_first, 40, 1e-9);
                /* last touch: the mail when met (0.4 * 0.5), else the ad (0.6 * 0.5 * 0.8) */
                CHECK_NEAR(r->channels[email].attr_last, 200, 1e-9);
                CHECK_NEAR(r->channels[search].attr_last, 240, 1e-9);
                /* linear: both (0.2 * 0.8, halved), the ad alone (0.3 * 0.8), the mail alone (0.2 * 0.2) */
                CHECK_NEAR(r->channels[search].attr_linear, 80 + 240, 1e-9);
                CHECK_NEAR(r->channels[email].attr_linear, 80 + 40, 1e-9);
                rt_result_free(r);
            }
        }
        unit_unload(&j);
    }
    TEST("exact met: a channel counts its touchpoints met; clamping at 100%; `when met(X) > 0`") {
        J j;
        /* met(search) is 0, 1 or 2 (1/4, 1/2, 1/4): 60% * met is 0, 60% or 120% clamped to 100% */
        if (unit_load(&j, "channel search \"Search\"\n"
                          "stage A { touchpoint S1 { channel search reach 50% } touchpoint S2 { channel search reach 50% }\n"
                          "  -> B 60% * met(search) -> churn otherwise }\nstage B goal {}\n")) {
            RtResult *r = solve(&j, 1);
            CHECK(r && fabs(r->converted - (0.5 * 0.6 + 0.25)) < EPS);
            rt_result_free(r);
        }
        unit_unload(&j);
        /* met(Ad) > 0: 70% + 10%; else 10% (the second arrow alone) */
        if (unit_load(&j, "stage A { touchpoint Ad { reach 30% }\n"
                          "  -> B 70% when met(Ad) > 0 -> B 10% -> churn otherwise }\nstage B goal {}\n")) {
            RtResult *r = solve(&j, 1);
            CHECK(r && fabs(r->converted - (0.3 * 0.8 + 0.7 * 0.1)) < EPS);
            rt_result_free(r);
        }
        unit_unload(&j);
        /* met() of a touchpoint of another stage is 0 here; an otherwise arrow takes each
         * combination's own leftover */
        if (unit_load(&j, "stage A { touchpoint Ad { reach 40% } -> B 50% + 50% * met(Ad) -> churn otherwise }\n"
                          "stage B { touchpoint Call { reach 50% } -> C 30% + 60% * met(Ad) -> C otherwise when met(Call) > 0 }\n"
                          "stage C goal {}\n")) {
            /* A: 0.4 + 0.6 * 0.5 go on to B; there 30%, and the rest too when Call was met */
            RtResult *r = solve(&j, 1);
            CHECK(r && fabs(r->converted - 0.7 * (0.5 + 0.5 * 0.3)) < EPS);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
    TEST("exact met: arrows over 100% in some combinations warn on those entries only") {
        J j;
        if (unit_load(&j, "stage A { touchpoint Ad { reach 25% }\n"
                          "  -> B 60% + 30% * met(Ad) -> churn 20% \"x\" }\nstage B goal {}\n")) {
            RtResult *r = solve(&j, 1000);
            CHECK(r != NULL);
            if (r) {
                /* met: 90% + 20% scaled down to 100%; not met: 60% + 20%, 20% with no way on */
                CHECK_NEAR(r->converted, 1000 * (0.25 * 0.9 / 1.1 + 0.75 * 0.6), 1e-9);
                CHECK(has_warning(r, SITE_OVERFULL, 250));
                CHECK(has_warning(r, SITE_NOWAY, 750 * 0.2));
                rt_result_free(r);
            }
        }
        unit_unload(&j);
    }
}

/* ---- simulation against the exact analysis ---- */

static const char AGREE[] =
    "persona Eager { share 40% boost = 2 }\npersona Calm { share 60% boost = 1 }\n"
    "channel search \"Search\"\nchannel email \"Email\"\nchannel phone \"Phone\"\n"
    "stage Visit { wait exponential(2 days)\n"
    "  touchpoint SearchAd { channel search reach 60% cost 1.2 }\n"
    "  touchpoint Banner { channel search reach 30% }\n"
    "  touchpoint Mail { channel email reach 40% cost 0.1 }\n"
    "  -> Trial 8% + 6% * boost * met(SearchAd)\n"
    "  -> Visit 30% when met(email) > 0\n"
    "  -> Visit 10%\n"
    "  -> churn otherwise \"bored\" }\n"
    "stage Trial { wait 7 days revenue 5\n"
    "  touchpoint Retarget { channel search reach 50% }\n"
    "  touchpoint Call { channel phone reach 70% emotion 0.2 cost 3 }\n"
    "  -> Paid 20% + 10% * met(search) + 15% * met(Call) -> Visit 20% -> churn otherwise \"trial ended\" }\n"
    "stage Paid goal { revenue 30 touchpoint Receipt { channel email reach 90% }\n"
    "  -> Paid 30% + 20% * met(Receipt) when persona == Eager -> Paid 40% -> churn otherwise \"cancel\" }\n";

static void compare(J *j, uint64_t cohort, uint64_t seed)
{
    RtResult *e = solve(j, j->c.model->cohort);
    CHECK(e != NULL);
    if (!e) return;
    RtResult *s = simulate(j, cohort, seed);
    double n = (double)cohort, N = e->cohort;
    unit_check_exact_agrees(j->rm, s, e, n);
    CHECK_AGREES(s->lost, n, e->lost / N);
    for (int c = 0; c < j->rm->nchannels; c++) {
        CHECK_AGREES(s->channels[c].attr_first, n, e->channels[c].attr_first / N);
        CHECK_AGREES(s->channels[c].attr_last, n, e->channels[c].attr_last / N);
        CHECK_AGREES(s->channels[c].attr_linear, n, e->channels[c].attr_linear / N);
    }
    rt_result_free(s);
    rt_result_free(e);
}

/* Traits drawn by choice() in arrows (sub-personas), amounts of a plain trait per persona. */
static const char CHOICES[] =
    "persona Team { share 70% seats = choice(1: 60%, 5: 30%, 20: 10%) tier = choice(0: 1, 1: 3) price = 29 }\n"
    "persona Solo { share 30% seats = 1 tier = 0 price = 19 }\n"
    "channel search \"Search\"\n"
    "stage Trial { wait 14 days\n"
    "  touchpoint SearchAd { channel search reach 60% cost 0.5 * price }\n"
    "  -> Paid 5% + 1% * seats + 6% * met(SearchAd) -> Trial 20% when tier > 0 -> churn otherwise \"dropped out\" }\n"
    "stage Paid goal { wait 30 days revenue price -> Paid 70% when seats > 1 -> Paid 20% -> churn otherwise \"cancel\" }\n";

static void test_agreement(void)
{
    TEST("exact met vs simulation: met() of touchpoints and channels, reach < 100%, when, personas, loops") {
        J j;
        if (unit_load(&j, AGREE)) compare(&j, 300000, 21);
        unit_unload(&j);
    }
    TEST("exact vs simulation: traits drawn by choice() in arrows, one chain per combination; amounts per persona") {
        J j;
        if (unit_load(&j, CHOICES)) {
            compare(&j, 300000, 22);
            RtResult *r = solve(&j, 1);
            /* Solo converts at 5% + 1% + 6% * 60%; Team by its seats' weights: 1 (60%), 5 (30%), 20
             * (10%), each retried on 20% of the entries where tier is 1 (weights 1 : 3) */
            double p[3] = {0.096, 0.136, 0.286}, team = 0;
            for (int k = 0; k < 3; k++) team += (k == 0 ? 0.6 : k == 1 ? 0.3 : 0.1) * (0.25 * p[k] + 0.75 * p[k] / 0.8);
            CHECK(r && fabs(r->personas[1].converted - 0.3 * 0.096) < EPS);
            CHECK(r && fabs(r->personas[0].converted - 0.7 * team) < EPS);
            CHECK(r && fabs(r->personas[0].customers - 0.7) < EPS);
            rt_result_free(r);
        }
        unit_unload(&j);
    }
}

/* ---- removal effects ---- */

static CmpResult *removals(J *j, bool exact, uint64_t cohort, CmpSet *set)
{
    CmpOptions o = {0};
    o.sim.cohort = cohort;
    o.sim.seed = 4;
    o.sim.threads = 2;
    o.sim.persona = -1;
    o.sim.max_steps = SIM_DEFAULT_MAX_STEPS;
    o.exact = exact;
    cmp_set_init(set, CMP_REMOVE_TOUCHPOINTS);
    cmp_set_removals(set, j->c.model, CMP_REMOVE_TOUCHPOINTS);
    return cmp_run(j->rm, set, &o, &j->c.diag);
}

static void test_removal(void)
{
    TEST("exact met: a touchpoint with emotion 0 that moves people has a removal effect; simulated agrees") {
        J j;
        if (unit_load(&j, AD)) {
            CmpSet xs, ss;
            CmpResult *x = removals(&j, true, 1000, &xs), *s = removals(&j, false, 40000, &ss);
            CHECK(x && s);
            int ad = index_of(&j, "Ad"), mail = index_of(&j, "Mail");
            if (x && s) {
                const CmpStat *xa = cmp_stat(x, ad, CMP_CONVERSION), *xm = cmp_stat(x, mail, CMP_CONVERSION);
                const CmpStat *sa = cmp_stat(s, ad, CMP_CONVERSION), *sm = cmp_stat(s, mail, CMP_CONVERSION);
                CHECK_NEAR(xa->change, -0.3, 1e-12); /* without the ad everyone buys at 20% */
                CHECK_NEAR(xm->change, 0, 1e-12);
                CHECK(sa->lo <= xa->change && xa->change <= sa->hi && sa->significant);
                CHECK(sm->change == 0);
            }
            cmp_result_free(x);
            cmp_result_free(s);
            cmp_set_free(&xs);
            cmp_set_free(&ss);
            /* removal attribution: the search channel is worth every conversion, email none */
            CmpOptions o = {0};
            o.sim.cohort = 1000;
            o.sim.persona = -1;
            o.exact = true;
            RtResult *r = solve(&j, 1000);
            CHECK(r && rt_attribute_removal(j.rm, &o, r, &j.c.diag));
            if (r) {
                CHECK_NEAR(r->channels[index_of(&j, "search")].attr_removal, 500, 1e-9);
                CHECK_NEAR(r->channels[index_of(&j, "email")].attr_removal, 0, 1e-12);
                rt_result_free(r);
            }
        }
        unit_unload(&j);
    }
}

/* ---- refusals ---- */

/* The journey is refused by --exact with `message` (a part of it) in its diagnostics. */
static void refused(const char *text, const char *message)
{
    J j;
    if (unit_load(&j, text)) {
        RtResult *r = solve(&j, 1);
        CHECK(r == NULL);
        rt_result_free(r);
        fflush(j.out);
        CHECK(j.msgs && strstr(j.msgs, message));
        if (!(j.msgs && strstr(j.msgs, message))) printf("  got: %s\n", j.msgs ? j.msgs : "(nothing)");
    }
    unit_unload(&j);
}

static void test_refusals(void)
{
    TEST("exact met: refuses met_ever, drawn traits, state, a varying reach, 13 touchpoints, varying amounts") {
        refused("stage A { touchpoint Ad {} -> B 50% * met_ever(Ad) -> churn otherwise }\nstage B goal {}\n",
                "t.journey:1:39: error: --exact needs arrow probabilities that depend on nothing but the persona and "
                "met() of the stage's own touchpoints, but this one depends on 'met_ever(Ad)', which counts the "
                "meetings of earlier stage entries too");
        refused("persona P { x = uniform(0, 1) }\nstage A { -> B 50% * x -> churn otherwise }\nstage B goal {}\n",
                "depends on 'x', which is drawn per customer");
        refused("state seen = 0\nstage A { -> B 50% when seen == 0 -> churn otherwise }\nstage B goal {}\n",
                "depends on 'seen', which is a state variable");
        refused("persona P { x = uniform(0, 1) }\n"
                "stage A { touchpoint Ad { reach 50% * x } -> B 50% * met(Ad) -> churn otherwise }\nstage B goal {}\n",
                "depends on 'met(Ad)', which is met by a reach that varies per customer");
        refused("persona P { x = uniform(0, 1) }\nstage A { revenue 10 * x -> B 50% -> churn otherwise }\nstage B goal {}\n",
                "--exact needs amounts fixed for each persona (a stage's revenue), but this one depends on 'x'");
        Buf b = BUF_INIT;
        buf_printf(&b, "channel c \"C\"\nstage A {\n");
        for (int k = 0; k < 13; k++) buf_printf(&b, "  touchpoint T%d { channel c reach 50%% }\n", k);
        buf_printf(&b, "  -> B 10%% * met(T0) + 1%% * met(c) -> churn otherwise }\nstage B goal {}\n");
        refused(buf_str(&b), "depends on 'met(c)', which makes 13");
        buf_free(&b);
    }
    TEST("exact met: amounts of the persona's plain traits are evaluated per persona") {
        J j;
        if (unit_load(&j, "persona A { share 25% k = 4 }\npersona B { share 75% k = 1 }\n"
                          "stage S { revenue 10 * k touchpoint T { reach 20% * k cost k } -> G 100% }\nstage G goal {}\n")) {
            RtResult *r = solve(&j, 100);
            CHECK(r != NULL);
            if (r) {
                CHECK_NEAR(r->revenue, 25 * 40 + 75 * 10, 1e-9);
                CHECK_NEAR(r->touch[0].meetings, 25 * 0.8 + 75 * 0.2, 1e-9);
                CHECK_NEAR(r->cost, 25 * 0.8 * 4 + 75 * 0.2 * 1, 1e-9);
                rt_result_free(r);
            }
        }
        unit_unload(&j);
    }
}

void unit_exact_met(void)
{
    test_by_hand();
    test_agreement();
    test_removal();
    test_refusals();
}
