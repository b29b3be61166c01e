/* test_lang.c: unit tests of the front end: lexer (through the parser), parser, diagnostics,
 * symbol table and checker, driven through the same API the cjm program uses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* White-box: the symbol tables and the parser's own entry points too. */
#define CJM_INTERNALS
#include "cjm.h"
#include "unit.h"

void unit_lang(void);

/* A program parsed (and checked) from text, its diagnostics captured in `msgs`. */
typedef struct Fixture {
    Program prog;
    Diag diag;
    Model *model;
    char *msgs;
    size_t msgs_len;
    FILE *out;
} Fixture;

static void load(Fixture *f, const char *text)
{
    memset(f, 0, sizeof *f);
    f->out = open_memstream(&f->msgs, &f->msgs_len);
    program_init(&f->prog, "stdlib", NULL);
    diag_init(&f->diag, &f->prog.sources, f->out, false);
    if (program_load_text(&f->prog, "t.journey", text, strlen(text), &f->diag) == LOAD_OK)
        f->model = sema_check(&f->prog, &f->diag);
    fflush(f->out);
}

static void unload(Fixture *f)
{
    model_free(f->model);
    program_free(&f->prog);
    diag_free(&f->diag);
    fclose(f->out);
    free(f->msgs);
}

static bool said(const Fixture *f, const char *text) { return f->msgs && strstr(f->msgs, text) != NULL; }

static void test_values(void)
{
    TEST("lexer: percentages, durations and signs become values") {
        Fixture f;
        load(&f, "persona P { share 100% mood -0.25 size = 3 days }\n"
                 "stage A goal { wait 12 hours revenue 7 }\n"
                 "rule R when size > 0 and stage == A { revenue += 1 }");
        CHECK(f.diag.errors == 0);
        const Persona *p = f.prog.main->personas;
        CHECK_NEAR(p->share.v, 1.0, 1e-12);
        CHECK(p->share.unit == VAL_PERCENT);
        CHECK_NEAR(p->mood.v, -0.25, 1e-12);
        CHECK_NEAR(p->traits->value.v, 3, 1e-12);
        CHECK(p->traits->value.unit == VAL_DURATION);
        const Stage *s = f.prog.main->stages;
        CHECK_NEAR(s->wait->args[0].v, 0.5, 1e-12);
        CHECK(s->goal);
        unload(&f);
    }
    TEST("lexer: every time unit") {
        Fixture f;
        load(&f, "stage A { wait uniform(30 minutes, 2 weeks) } stage B { wait 1 month } stage C { wait 1 year }"
                 " stage D { wait triangular(1 day, 2 days, 3 hours) }");
        const Stage *s = f.prog.main->stages;
        CHECK_NEAR(s->wait->args[0].v, 30.0 / 1440, 1e-12);
        CHECK_NEAR(s->wait->args[1].v, 14, 1e-12);
        CHECK_NEAR(s->next->wait->args[0].v, 30, 1e-12);
        CHECK_NEAR(s->next->next->wait->args[0].v, 365, 1e-12);
        CHECK(said(&f, "'triangular' needs min <= mode <= max"));
        unload(&f);
    }
    TEST("lexer: a word after a number on the same line is not a unit unless it is one") {
        Fixture f;
        load(&f, "persona P { mood 0.1 budget = 2 }\ncurve { A +0.2 B -0.1 }\nstage A { -> B } stage B goal {}\n"
                 "rule R when budget > 1 { mood += 0.1 }");
        CHECK(f.diag.errors == 0);
        CHECK_NEAR(f.prog.main->curves->points->value.v, 0.2, 1e-12);
        CHECK_NEAR(f.prog.main->curves->points->next->value.v, -0.1, 1e-12);
        unload(&f);
    }
    TEST("lexer: huge numbers are errors, not infinities") {
        Fixture f;
        load(&f, "stage A { revenue 1e400 }");
        CHECK(said(&f, "number '1e400' is too large"));
        unload(&f);
    }
    TEST("lexer: strings keep escapes and UTF-8") {
        Fixture f;
        load(&f, "stage A \"Caf\xC3\xA9 \\\"quoted\\\" \\\\ done\" goal {}");
        CHECK(f.diag.errors == 0);
        CHECK_STR(f.prog.main->stages->label.s, "Caf\xC3\xA9 \"quoted\" \\ done");
        unload(&f);
    }
    TEST("lexer: a UTF-8 BOM and CRLF line ends are accepted") {
        Fixture f;
        load(&f, "\xEF\xBB\xBFstage A goal {\r\n  wait 2 days\r\n}\r\n");
        CHECK(f.diag.errors == 0);
        CHECK_NEAR(f.prog.main->stages->wait->args[0].v, 2, 1e-12);
        unload(&f);
    }
}

static void test_parser(void)
{
    TEST("parser: lists keep source order") {
        Fixture f;
        load(&f, "stage A { -> B 10% -> C 20% -> churn otherwise \"x\" }\nstage B goal {} stage C {}");
        const Arrow *a = f.prog.main->stages->arrows;
        CHECK_STR(a->target.s, "B");
        CHECK_STR(a->next->target.s, "C");
        CHECK(a->next->next->to_churn && a->next->next->otherwise);
        CHECK_STR(a->next->next->reason.s, "x");
        unload(&f);
    }
    TEST("parser: operator precedence") {
        Fixture f;
        load(&f, "stage A { -> B 10% + 20% * 2 when not mood < 0 or mood > 1 and time > 3 days } stage B goal {}");
        const Arrow *a = f.prog.main->stages->arrows;
        CHECK(a->prob->kind == EX_ADD && a->prob->b->kind == EX_MUL);
        CHECK(a->when->kind == EX_OR && a->when->a->kind == EX_NOT && a->when->b->kind == EX_AND);
        unload(&f);
    }
    TEST("parser: every syntax error in a file is reported") {
        Fixture f;
        load(&f, "stage A { wait }\nstage B { -> }\npersona P { share }\n");
        CHECK(f.diag.errors == 3);
        unload(&f);
    }
    TEST("parser: locations are byte ranges that print as line:col") {
        Fixture f;
        load(&f, "stage A {\n  -> Nowhere 10%\n  -> churn otherwise\n}");
        CHECK(said(&f, "t.journey:2:6: error: unknown stage 'Nowhere'"));
        CHECK(said(&f, "|      ^~~~~~~"));
        unload(&f);
    }
    TEST("parser: an unclosed block names where it opened") {
        Fixture f;
        load(&f, "stage A {\n  -> churn\n");
        CHECK(said(&f, "unexpected end of file"));
        CHECK(said(&f, "t.journey:1:9: note: is a '}' missing? this '{' is not closed"));
        unload(&f);
    }
}

static void test_checks(void)
{
    TEST("checks: did you mean, for stages, channels and functions") {
        Fixture f;
        load(&f, "channel web\nstage Purchase goal { touchpoint T { channel wbe } }\nstage A { -> Purchse 50% when vists(A) > 1 -> churn otherwise }");
        CHECK(said(&f, "did you mean 'Purchase'?"));
        CHECK(said(&f, "did you mean 'web'?"));
        CHECK(said(&f, "did you mean 'visits'?"));
        unload(&f);
    }
    TEST("checks: shares, probabilities and ranges") {
        Fixture f;
        load(&f, "persona A { share 60% } persona B { share 30% }\n"
                 "stage S goal { touchpoint T { reach 120% emotion -1.5 cost -2 } -> S 70% -> churn 40% }");
        CHECK(said(&f, "persona shares add up to 90%, not 100%"));
        CHECK(said(&f, "reach 120% is outside 0%..100%"));
        CHECK(said(&f, "emotion -1.5 is outside -1..+1"));
        CHECK(said(&f, "cost cannot be negative"));
        CHECK(said(&f, "add up to 110%, more than 100%"));
        unload(&f);
    }
    TEST("checks: personas without a share split the rest") {
        Fixture f;
        load(&f, "persona A { share 40% } persona B {} persona C {}\nstage S goal {}");
        CHECK(f.diag.errors == 0);
        CHECK_NEAR(f.model->share[1], 0.3, 1e-12);
        CHECK_NEAR(f.model->share[2], 0.3, 1e-12);
        unload(&f);
    }
    TEST("checks: types") {
        Fixture f;
        load(&f, "persona P { budget = 1 }\nstage S goal { -> S 10% when stage == 3 -> churn mood > 0 }\n"
                 "rule R when budget { }");
        CHECK(said(&f, "cannot compare a stage with a number"));
        CHECK(said(&f, "a probability must be a number, but this is a condition"));
        CHECK(said(&f, "a condition must be true or false, but this is a number"));
        unload(&f);
    }
    TEST("checks: the model is indexed and resolved") {
        Fixture f;
        load(&f, "journey \"J\" { cohort 500 seed 9 horizon 2 weeks start B }\n"
                 "persona P { share 100% t = 2 }\ncurve { A 0.5 }\ncurve P { B -0.5 }\n"
                 "stage A { -> B 50% when t > 1 -> churn otherwise } stage B goal { -> A }");
        CHECK(f.diag.errors == 0);
        Model *m = f.model;
        CHECK_STR(m->title, "J");
        CHECK(m->cohort == 500 && m->seed == 9 && m->has_horizon && m->horizon == 14);
        CHECK(m->start == 1);
        CHECK(m->stages[0]->arrows->target_index == 1);
        CHECK(m->stages[0]->arrows->when->a->ref == REF_TRAIT);
        CHECK(m->stages[0]->arrows->next->target_index == -1);
        CHECK_NEAR(m->curve[0], 0.5, 1e-12);
        CHECK_NEAR(m->curve[1], -0.5, 1e-12);
        CHECK(m->stages[0]->arrows->when->persona_only);
        unload(&f);
    }
    TEST("checks: extend stage merges into the stage") {
        Fixture f;
        load(&f, "stage A goal { wait 1 day touchpoint X {} touchpoint Y {} -> B 50% -> churn otherwise }\n"
                 "stage B {}\n"
                 "extend stage A { wait 3 days remove touchpoint Y touchpoint Z {} -> B 70% }");
        CHECK(f.diag.errors == 0);
        Stage *a = f.model->stages[0];
        CHECK_NEAR(a->wait->args[0].v, 3, 1e-12);
        CHECK_STR(a->touchpoints->name.s, "X");
        CHECK_STR(a->touchpoints->next->name.s, "Z");
        CHECK(a->touchpoints->next->next == NULL);
        CHECK(a->arrows->prob->num == 0.7);
        unload(&f);
    }
    TEST("checks: warnings do not count as errors") {
        Fixture f;
        load(&f, "stage A goal {} stage B {}\ntouchpoint T {}\npersona P { unused = 1 }");
        CHECK(f.diag.errors == 0);
        CHECK(f.diag.warnings == 3);
        CHECK(said(&f, "stage 'B' is never reached"));
        CHECK(said(&f, "touchpoint 'T' is never used"));
        CHECK(said(&f, "trait 'unused' is never used"));
        unload(&f);
    }
}

/* ---- customers who differ and remember (issue 16) ---- */

static const char customers_text[] =
    "journey { memory 60 days }\n"
    "persona A { share 50% memory 1 week lambda = gamma(0.25, 4) p = beta(1, 3) seats = choice(1: 60%, 5: 40%) k = 2 }\n"
    "persona B { lambda = 0.5 p = 10% seats = 3 k = 1 }\n"
    "channel search\n"
    "state sent = false\n"
    "state n = seats * k\n"
    "stage S {\n"
    "  revenue 29 * n\n"
    "  wait exponential(1 week / lambda)\n"
    "  touchpoint Ad { channel search reach 10% * k cost 2 * 3 }\n"
    "  -> G 8% + 6% * met(Ad) when met_ever(search) < 3 and not sent\n"
    "  -> churn p\n"
    "  -> S otherwise\n"
    "}\n"
    "stage G goal { revenue 2 * (5) wait 3 days }\n"
    "curve { S 0.1 * k G 0.2 * n }\n"
    "rule R when stage == S { n += 1 with 5% n -= 1 sent = true }\n";

static void test_customers(void)
{
    TEST("parser: a plain number stays a Value; anything else is an expression with a NaN Value") {
        Fixture f;
        load(&f, customers_text);
        const Stage *s = f.prog.main->stages, *g = s->next;
        CHECK(s->revenue.present && isnan(s->revenue.v) && s->revenue_expr && s->revenue_expr->kind == EX_MUL);
        CHECK(g->revenue_expr && g->revenue_expr->kind == EX_MUL); /* `2 * (5)` */
        CHECK(g->wait->kind == DIST_CONSTANT && !g->wait->arg_expr[0] && g->wait->args[0].v == 3 &&
              g->wait->args[0].unit == VAL_DURATION);
        CHECK_STR(s->wait->fn.s, "exponential");
        CHECK(s->wait->nargs == 1 && s->wait->arg_expr[0] && isnan(s->wait->args[0].v));
        const Touchpoint *t = s->touchpoints;
        CHECK(t->reach_expr && t->cost_expr && isnan(t->cost.v));
        const Persona *a = f.prog.main->personas;
        const Trait *tr = a->traits;
        CHECK(tr->dist && !tr->value.present);
        CHECK_STR(tr->dist->fn.s, "gamma");
        const Trait *seats = tr->next->next;
        CHECK(seats->dist && seats->dist->nargs == 2 && seats->dist->choices);
        CHECK(seats->dist->choices->value.v == 1 && seats->dist->choices->weight.unit == VAL_PERCENT);
        CHECK(seats->dist->choices->next->value.v == 5 && !seats->dist->choices->next->next);
        CHECK(a->memory.present && a->memory.v == 7 && f.prog.main->journey.memory.v == 60);
        CHECK_STR(f.prog.main->states->name.s, "sent");
        CHECK(f.prog.main->states->init->kind == EX_FALSE);
        const Action *act = f.prog.main->rules->actions;
        CHECK(act->kind == ACT_STATE_ADD && act->with && act->next->kind == ACT_STATE_SUB &&
              act->next->next->kind == ACT_STATE_SET);
        unload(&f);
    }
    TEST("parser: signed plain numbers stay Values; a number in parentheses is an expression") {
        Fixture f;
        load(&f, "stage A goal { revenue -5 touchpoint T { reach +10% cost (3) } }\ncurve { A -0.5 }");
        const Stage *s = f.prog.main->stages;
        CHECK(!s->revenue_expr && s->revenue.v == -5);
        CHECK(!s->touchpoints->reach_expr && s->touchpoints->reach.v == 0.1);
        CHECK(s->touchpoints->cost_expr && isnan(s->touchpoints->cost.v));
        CHECK(!f.prog.main->curves->points->value_expr && f.prog.main->curves->points->value.v == -0.5);
        CHECK(f.diag.errors == 0);
        unload(&f);
    }
    TEST("checks: drawn traits, states, met and memory fill the model") {
        Fixture f;
        load(&f, customers_text);
        CHECK(f.diag.errors == 0);
        Model *m = f.model;
        CHECK(m && m->ntraits == 4);
        /* lambda, p, seats drawn by A; k plain everywhere */
        CHECK(m->trait_varies[0] && m->trait_varies[1] && m->trait_varies[2] && !m->trait_varies[3]);
        CHECK(m->trait_dist[0] && m->trait_dist[0]->kind == DIST_GAMMA && isnan(m->trait_value[0]));
        CHECK(m->trait_dist[1]->kind == DIST_BETA && m->trait_dist[2]->kind == DIST_CHOICE);
        CHECK(!m->trait_dist[4] && m->trait_value[4] == 0.5); /* B's lambda */
        CHECK(m->memory[0] == 7 && m->memory[1] == 60);
        CHECK(m->nstates == 2 && m->states[0]->type == TY_BOOL && m->states[1]->type == TY_NUMBER);
        CHECK(m->states[1]->init->kind == EX_MUL && !m->states[1]->init->persona_only);
        CHECK(m->states[0]->used && m->states[0]->changed);
        const Stage *s = m->stages[0], *g = m->stages[1];
        CHECK(s->revenue_expr && s->revenue_expr->b->ref == REF_STATE && !s->revenue_expr->persona_only);
        CHECK(!g->revenue_expr && g->revenue.v == 10); /* folded */
        CHECK(s->wait->arg_expr[0] && !s->wait->arg_expr[0]->persona_only);
        const Touchpoint *t = s->touchpoints;
        CHECK(t->reach_expr && t->reach_expr->persona_only && !t->reach_expr->constant);
        CHECK(!t->cost_expr && t->cost.v == 6);
        const Expr *prob = s->arrows->prob, *when = s->arrows->when;
        CHECK(prob->b->b->kind == EX_CALL && prob->b->b->ref == REF_TOUCHPOINT && prob->b->b->index == 0);
        CHECK(when->a->a->ref == REF_CHANNEL && when->a->a->index == 0);
        CHECK(!prob->persona_only && !prob->constant);
        CHECK(!s->arrows->next->prob->persona_only); /* a drawn trait depends on the customer */
        CHECK(m->curve_expr[0] && m->curve_expr[0]->persona_only && m->curve_expr[1] && !m->curve_expr[1]->persona_only);
        /* persona A's curve at S is 0.1 * k = 0.2 (its value for the persona); at G it varies: 0 */
        CHECK_NEAR(m->curve[0], 0.2, 1e-12);
        CHECK_NEAR(m->curve[2], 0.1, 1e-12);
        CHECK(m->curve[1] == 0);
        const Action *a = m->rules[0]->actions;
        CHECK(a->kind == ACT_STATE_ADD && a->target_index == 1 && a->next->next->target_index == 0);
        unload(&f);
    }
    TEST("checks: a journey without the new constructs gets the tables, all empty") {
        Fixture f;
        load(&f, "persona P { t = 1 }\nstage A goal { -> A 5% * t -> churn otherwise }");
        Model *m = f.model;
        CHECK(f.diag.errors == 0 && m->nstates == 0 && m->states && !m->trait_varies[0] && !m->trait_dist[0]);
        CHECK(m->memory[0] == 0 && !m->curve_expr[0]);
        unload(&f);
    }
}

/* ---- one syntax tree, many models ---- */

static const Diagnostic *find_diag(const Diag *d, const char *text)
{
    for (int i = 0; i < d->n; i++)
        if (strstr(d->items[i].message, text)) return &d->items[i];
    return NULL;
}

static void test_models(void)
{
    TEST("models: checking leaves the syntax tree as parsed (extend blocks merge into the model's copies)") {
        Fixture f;
        load(&f, "stage A goal { wait 1 day touchpoint X {} touchpoint Y {} -> B 50% -> churn otherwise }\n"
                 "stage B {}\n"
                 "extend stage A { wait 3 days remove touchpoint Y touchpoint Z {} -> B 70% }");
        CHECK(f.diag.errors == 0);
        const Stage *a = f.prog.main->stages;
        CHECK_NEAR(a->wait->args[0].v, 1, 1e-12);
        CHECK_STR(a->touchpoints->name.s, "X");
        CHECK_STR(a->touchpoints->next->name.s, "Y");
        CHECK(a->arrows->prob->num == 0.5 && a->arrows->target_index == 0 && a->index == 0);
        CHECK(f.model->stages[0] != a && f.model->stages[0]->arrows->prob->num == 0.7);
        unload(&f);
    }
    TEST("models: a program checked twice gives two equal models and the same diagnostics") {
        Fixture f;
        load(&f, "persona P { share 100% t = 1 }\nstage A { -> B 50% when t > 0 -> churn otherwise } stage B goal {}\n"
                 "stage C {}\nrule R when stage == A { touch T }\ntouchpoint T { reach 50% }");
        CHECK(f.diag.errors == 0 && f.diag.warnings == 1);
        Model *again = sema_check(&f.prog, &f.diag);
        CHECK(again && again->errors == 0 && f.diag.warnings == 2);
        CHECK(again->nstages == f.model->nstages && again->ntouchpoints == f.model->ntouchpoints);
        CHECK(again->stages[0]->arrows->when->a->ref == REF_TRAIT);
        CHECK(again->touchpoints[0]->used && again->rules[0]->actions->target_index == 0);
        CHECK(strcmp(f.diag.items[0].message, f.diag.items[1].message) == 0);
        model_free(again);
        unload(&f);
    }
    TEST("models: a scenario's check reports only what it adds to the journey's diagnostics") {
        Fixture f;
        load(&f, "stage Visit { -> Buy 20% -> Full 10% -> churn otherwise \"left\" }\nstage Buy goal {}\n"
                 "stage Lonely { -> churn }\nstage Full { -> Buy 100% -> churn otherwise }\n"
                 "scenario S {\n  extend stage Visit { remove -> Buy }\n  extend stage Full goal { }\n  touchpoint New {}\n}\n"
                 "scenario T { stage Extra { -> Buy 120% } }\n");
        CHECK(f.model && f.model->errors == 0 && f.model->nscenarios == 2);
        int journey = f.diag.n;
        CHECK(journey == 2 && find_diag(&f.diag, "stage 'Lonely' is never reached") && find_diag(&f.diag, "is never taken"));
        /* Lonely and Full's otherwise arrow are the journey's warnings: S's check does not repeat them. */
        Model *s1 = f.model ? sema_check_scenario(f.model, f.model->scenarios[0], &f.diag) : NULL;
        CHECK(s1 && s1->errors == 0 && f.diag.n == journey + 1);
        const Diagnostic *w = &f.diag.items[f.diag.n - 1];
        CHECK(strstr(w->message, "touchpoint 'New' is never used") && w->nnotes == 1);
        CHECK(!strstr(w->notes[0].message, "with scenario"));
        /* An error inside the scenario's block needs no note naming it. */
        Model *s2 = f.model ? sema_check_scenario(f.model, f.model->scenarios[1], &f.diag) : NULL;
        CHECK(s2 && s2->errors == 1 && f.diag.n == journey + 2);
        w = &f.diag.items[f.diag.n - 1];
        CHECK(strstr(w->message, "probability 120% is outside") && w->nnotes == 0);
        model_free(s1);
        model_free(s2);
        unload(&f);
    }
    TEST("models: a scenario's warning caused outside its block names the scenario") {
        Fixture f;
        load(&f, "stage Visit { -> Buy 20% -> churn otherwise \"left\" }\nstage Buy goal {}\n"
                 "scenario NoSales { extend stage Visit { remove -> Buy } }\n");
        Model *m = sema_check_scenario(f.model, f.model->scenarios[0], &f.diag);
        const Diagnostic *w = find_diag(&f.diag, "stage 'Buy' is never reached");
        CHECK(m && w && w->nnotes == 1 && strcmp(w->notes[0].message, "with scenario 'NoSales' applied") == 0);
        CHECK(w && strcmp(diag_code(w), "unreachable-stage") == 0);
        model_free(m);
        unload(&f);
    }
    TEST("models: no scenario model from a journey with errors") {
        Fixture f;
        load(&f, "stage A { -> Nowhere }\nscenario S { extend stage A goal { } }\n");
        CHECK(f.model && f.model->errors == 1);
        CHECK(sema_check_scenario(f.model, sema_find_scenario(&f.prog, "S"), &f.diag) == NULL);
        unload(&f);
    }
}

/* ---- diagnostics as data ---- */

static void test_diagnostics(void)
{
    TEST("diagnostics: did-you-mean notes are fix-its; codes name the kind of problem") {
        Fixture f;
        load(&f, "stage Purchase goal {}\nstage A { -> Purchse 50% -> churn 1.5 }\n");
        const Diagnostic *e = find_diag(&f.diag, "unknown stage 'Purchse'");
        CHECK(e && e->kind == DIAG_ERROR && strcmp(diag_code(e), "check") == 0);
        CHECK(e && e->nnotes == 1 && e->notes[0].fix && strcmp(e->notes[0].fix, "Purchase") == 0);
        CHECK(e && e->notes[0].loc.off == e->loc.off && e->notes[0].loc.len == 7);
        unload(&f);
        load(&f, "stage A { -> B 150 } stage B goal {}");
        e = find_diag(&f.diag, "probability 15000% is outside");
        CHECK(e && e->nnotes == 0);
        unload(&f);
        load(&f, "stage A { -> B 15 } stage B goal {}");
        e = find_diag(&f.diag, "probability 1500% is outside");
        CHECK(e && e->nnotes == 1 && e->notes[0].fix && strcmp(e->notes[0].fix, "15%") == 0);
        unload(&f);
        load(&f, "stage A { -> B 10% ");
        e = find_diag(&f.diag, "unexpected end of file");
        CHECK(e && strcmp(diag_code(e), "syntax") == 0);
        unload(&f);
    }
    TEST("diagnostics: held ones are released sorted by position, then as reported") {
        SourceSet set;
        source_set_init(&set);
        char *text = strdup("abcdef\n");
        uint32_t file = source_set_add(&set, "x", "x", text, 7);
        Diag d;
        diag_init(&d, &set, NULL, false);
        diag_hold(&d);
        diag_error(&d, (Loc){file, 4, 1}, "second");
        diag_warning(&d, (Loc){file, 1, 1}, "first");
        diag_note(&d, (Loc){file, 0, 1}, "its note");
        diag_error(&d, (Loc){file, 4, 1}, "third");
        diag_release(&d);
        CHECK(d.n == 3 && d.errors == 2 && d.warnings == 1);
        CHECK_STR(d.items[0].message, "first");
        CHECK(d.items[0].nnotes == 1);
        CHECK_STR(d.items[1].message, "second");
        CHECK_STR(d.items[2].message, "third");
        SourcePos p = source_position(source_get(&set, file), 4);
        CHECK(p.line == 1 && p.column == 5 && p.utf16_column == 5 && p.offset == 4);
        diag_free(&d);
        source_set_free(&set);
    }
    TEST("diagnostics: UTF-16 columns count a character beyond U+FFFF twice") {
        SourceSet set;
        source_set_init(&set);
        char *text = strdup("a\xF0\x9F\x98\x80" "b\xC3\xA9" "c\n");
        uint32_t file = source_set_add(&set, "x", "x", text, strlen(text));
        const SourceFile *f = source_get(&set, file);
        SourcePos p = source_position(f, 5);
        CHECK(p.column == 6 && p.utf16_column == 4);
        p = source_position(f, 8);
        CHECK(p.column == 9 && p.utf16_column == 6);
        source_set_free(&set);
    }
}

/* ---- out of memory ---- */

/* Loads and checks examples/ecommerce.journey (imports, scenarios) with allocation n failing (and
 * every later one when sticky); true when no allocation failed. */
static bool check_file_with_failure(const char *path, long n, bool sticky)
{
    Checked c;
    CheckInput in = {.path = path, .stdlib_dir = "stdlib"};
    mem_fail_at(n, sticky);
    checked_load(&c, &in);
    bool failed = mem_failed();
    mem_fail_at(0, false);
    if (failed) {
        CHECK(c.status == CHECKED_OUT_OF_MEMORY && c.diag.errors > 0);
        CHECK(c.diag.out_of_memory || find_diag(&c.diag, "out of memory while"));
    } else {
        CHECK(c.status == CHECKED_OK && c.model && c.diag.errors == 0 && !c.diag.out_of_memory && c.nscenarios > 0);
        for (int k = 0; k < c.nscenarios; k++) CHECK(c.scenarios[k] && c.scenarios[k]->errors == 0);
    }
    checked_free(&c);
    return !failed;
}

static bool check_with_failure(long n, bool sticky)
{
    return check_file_with_failure("examples/ecommerce.journey", n, sticky);
}

static void test_out_of_memory(void)
{
    TEST("out of memory: any one allocation of loading and checking may fail: an error, no crash, no leak") {
        long n = 1;
        while (!check_with_failure(n, false) && n < 100000) n++;
        CHECK(n > 20);
        if (getenv("CJM_UNIT_VERBOSE")) printf("# allocations: %ld\n", n - 1);
    }
    TEST("out of memory: with small arena blocks, failures land inside the parser and the checker too") {
        arena_set_block_size(256);
        long n = 1;
        while (!check_with_failure(n, false) && n < 100000) n++;
        arena_set_block_size(0);
        CHECK(n > 100);
        if (getenv("CJM_UNIT_VERBOSE")) printf("# allocations: %ld\n", n - 1);
    }
    TEST("out of memory: when memory stays exhausted from any allocation on, still an error") {
        long n = 1;
        while (!check_with_failure(n, true) && n < 100000) n++;
        CHECK(n > 20);
        if (getenv("CJM_UNIT_VERBOSE")) printf("# allocations: %ld\n", n - 1);
    }
    TEST("out of memory: checking drawn traits, state, met() and amounts as expressions") {
        arena_set_block_size(256);
        long n = 1;
        while (!check_file_with_failure("tests/fmt/customers.journey", n, false) && n < 100000) n++;
        arena_set_block_size(0);
        CHECK(n > 100);
    }
    TEST("out of memory: loading reports which file it was loading") {
        Program p;
        Diag d;
        program_init(&p, "stdlib", NULL);
        diag_init(&d, &p.sources, NULL, false);
        mem_fail_at(1, false);
        LoadStatus ls = program_load(&p, "examples/ecommerce.journey", &d);
        mem_fail_at(0, false);
        CHECK(ls == LOAD_OUT_OF_MEMORY && !p.main);
        CHECK(find_diag(&d, "out of memory while loading 'examples/ecommerce.journey'"));
        program_free(&p);
        diag_free(&d);
    }
}

static void test_support(void)
{
    TEST("symtab: names to the index they were first added at, in insertion order") {
        Arena a;
        arena_init(&a);
        Symtab t;
        symtab_init(&t, &a);
        char names[200][16];
        for (int i = 0; i < 200; i++) {
            snprintf(names[i], sizeof names[i], "n%d", i);
            CHECK(symtab_add(&t, names[i]) == i);
        }
        CHECK(symtab_find(&t, "n150") == 150);
        CHECK(symtab_add(&t, "n3") == 3);
        CHECK(t.n == 200);
        CHECK(symtab_find(&t, "zz") == -1);
        CHECK_STR(t.keys[199], "n199");
        arena_free(&a);
    }
    TEST("diag: closest name") {
        const char *c[] = {"Awareness", "Consideration", "Purchase"};
        CHECK_STR(diag_closest("Purchse", c, 3), "Purchase");
        CHECK_STR(diag_closest("consideration", c, 3), "Consideration");
        CHECK(diag_closest("Zebra", c, 3) == NULL);
    }
}

void unit_lang(void)
{
    test_values();
    test_parser();
    test_checks();
    test_customers();
    test_models();
    test_diagnostics();
    test_out_of_memory();
    test_support();
}
