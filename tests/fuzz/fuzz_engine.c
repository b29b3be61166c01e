/* fuzz_engine.c: fuzz harness for the engine: check the input (as fuzz_front.c, scenarios
 * included), and when it checks, compile it, simulate a tiny cohort, run the exact analysis where
 * it applies, render every report format (the HTML page without its pictures) and the graph (its
 * dot source; an SVG layout for one input in 16, since layout is slow) to memory; compare its
 * scenarios, the removal of each stage, and sweeps of a wait and a persona's share (simulated, and
 * exactly where that applies) and render those reports too; free everything. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "memfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render_everything(const Model *m, const RtResult *r, bool layout)
{
    Buf out = BUF_INIT;
    render_json(r, "main.journey", &out);
    render_table(r, "main.journey", &out);
    for (int t = 0; t < CSV_NTABLES; t++) render_csv(r, (CsvTable)t, &out);
    HtmlReport html = {.date = "2024-01-01", .version = "fuzz"};
    render_html(r, "main.journey", &html, &out);
    buf_free(&out);
    GraphOptions opt = {GRAPH_FLOW, false, -1};
    for (int view = 0; view < 2; view++) {
        opt.view = view ? GRAPH_MAP : GRAPH_FLOW;
        char *bytes = NULL, *error = NULL;
        size_t len;
        /* A journey that checks must draw: a failed layout is cjm's bug (a label Graphviz refuses). */
        if (!graph_render(m, r, &opt, layout && view == 0 ? "svg" : "dot", &bytes, &len, &error)) {
            fprintf(stderr, "fuzz_engine: a journey that checks could not be drawn: %s\n", error ? error : "?");
            abort();
        }
        free(bytes);
        free(error);
    }
}

/* A journey (or a scenario) that checked without errors, with somewhere to start. */
static bool runnable(const Model *m) { return m && m->errors == 0 && m->nstages > 0 && m->start >= 0; }

static void compare_set(const Model *m, const RtModel *base, const CmpSet *set, const SimOptions *so, Diag *d)
{
    CmpOptions o = {.sim = *so};
    for (int exact = 0; exact < 2; exact++) {
        if (exact) {
            if (m->nstages > 200 || !exact_check(base, d)) return;
            for (int i = 0; i < set->n; i++)
                if (set->v[i].rm && !exact_check(set->v[i].rm, d)) return;
        }
        o.exact = exact;
        CmpResult *r = cmp_run(base, set, &o, d);
        if (!r) continue;
        Buf out = BUF_INIT;
        render_compare_table(r, m, "main.journey", &out);
        render_compare_json(r, m, "main.journey", &out);
        render_compare_csv(r, &out);
        render_compare_html(r, &out);
        buf_free(&out);
        cmp_result_free(r);
    }
}

static void compare_variants(const Checked *c, const RtModel *base, const SimOptions *so, Diag *d, bool all)
{
    const Model *m = c->model;
    CmpSet set;
    cmp_set_init(&set, CMP_SCENARIOS);
    for (int k = 0; k < c->nscenarios; k++) {
        const Model *v = c->scenarios[k];
        if (runnable(v)) cmp_set_add(&set, m->scenarios[k]->name.s, m->scenarios[k]->label.s, rt_compile(v), 0);
    }
    if (set.n > 0) compare_set(m, base, &set, so, d);
    cmp_set_free(&set);
    /* Removals and sweeps run many models: one input in four (by its hash) has them. */
    if (!all || m->nstages > 50) return;
    cmp_set_init(&set, CMP_REMOVE_STAGES);
    cmp_set_removals(&set, m, CMP_REMOVE_STAGES);
    compare_set(m, base, &set, so, d);
    cmp_set_free(&set);
    /* Sweeps of the first stage's mean wait and of the first persona's share. */
    const char *stage = m->stages[0]->name.s, *persona = m->npersonas ? m->personas[0]->name.s : "";
    char what[2][600];
    snprintf(what[0], sizeof what[0], "%s.wait", stage);
    snprintf(what[1], sizeof what[1], "%s.share", persona);
    const CmpSweep sweeps[2] = {
        {what[0], stage, NULL, "wait", 0, 10, 5, false},
        {what[1], persona, NULL, "share", 0, 1, 0.5, true},
    };
    for (int i = 0; i < 2; i++) {
        cmp_set_init(&set, CMP_SWEEP);
        Buf err = BUF_INIT;
        if (cmp_set_sweep(&set, m, &sweeps[i], &err)) compare_set(m, base, &set, so, d);
        buf_free(&err);
        cmp_set_free(&set);
    }
}

static void run_model(const Checked *c, Diag *d, bool layout, bool compare_all)
{
    const Model *m = c->model;
    if (!runnable(m)) return;
    RtModel *rm = rt_compile(m);
    SimOptions so = {0};
    so.cohort = 20;
    so.seed = 1;
    so.has_horizon = m->has_horizon;
    so.horizon = m->horizon;
    so.threads = 1;
    so.persona = -1;
    so.max_steps = 200;
    RtResult *r = sim_run(rm, &so);
    render_everything(m, r, layout);
    rt_result_free(r);
    if (m->nstages <= 200 && exact_check(rm, d)) {
        ExactOptions eo = {100, 1, m->has_horizon, m->horizon, -1};
        RtResult *x = exact_run(rm, &eo, d);
        if (x) render_everything(m, x, false);
        rt_result_free(x);
    }
    compare_variants(c, rm, &so, d, compare_all);
    rt_model_free(rm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Checked c;
    fuzz_check(&c, data, size);
    /* One input in 16 (by its hash) also lays the flow graph out: layout is slow. FUZZ_LAYOUT=all
     * lays out every one, and compares every one in every way (to replay a corpus so). */
    static int layout_all = -1;
    if (layout_all < 0) layout_all = getenv("FUZZ_LAYOUT") && strcmp(getenv("FUZZ_LAYOUT"), "all") == 0;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
    if (c.model && c.model->errors == 0) run_model(&c, &c.diag, layout_all || (h & 15) == 0, layout_all || ((h >> 4) & 3) == 0);
    fuzz_checked_free(&c);
    return 0;
}
