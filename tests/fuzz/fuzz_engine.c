/* fuzz_engine.c: fuzz harness for the engine: check the input (as fuzz_front.c), and when it
 * checks, compile it, simulate a tiny cohort, run the exact analysis where it applies, render
 * every report format (the HTML page without its pictures) and the graph (its dot source; an SVG layout for one input in 16, since
 * layout is slow) to memory, and free everything. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "exact.h"
#include "graph.h"
#include "memfs.h"
#include "model.h"
#include "program.h"
#include "report.h"
#include "sema.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render_everything(const Model *m, const RtResult *r, bool layout)
{
    Buf out = BUF_INIT;
    render_json(r, "main.journey", &out);
    render_table(r, "main.journey", &out);
    for (int t = CSV_STAGES; t <= CSV_REASONS; t++) render_csv(r, (CsvTable)t, &out);
    HtmlReport html = {.date = "2024-01-01", .version = "fuzz"};
    render_html(r, "main.journey", &html, &out);
    buf_free(&out);
    GraphOptions opt = {GRAPH_FLOW, false, -1};
    for (int view = 0; view < 2; view++) {
        opt.view = view ? GRAPH_MAP : GRAPH_FLOW;
        char *bytes = NULL, *error = NULL;
        size_t len;
        graph_render(m, r, &opt, layout && view == 0 ? "svg" : "dot", &bytes, &len, &error);
        free(bytes);
        free(error);
    }
}

static void run_model(const Model *m, Diag *d, bool layout)
{
    if (m->nstages == 0 || m->start < 0) return;
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
    rt_model_free(rm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzChecked c;
    fuzz_check(&c, data, size);
    /* One input in 16 (by its hash) also lays the flow graph out: layout is slow. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
    if (c.model && c.diag.errors == 0) run_model(c.model, &c.diag, (h & 15) == 0);
    fuzz_checked_free(&c);
    return 0;
}
