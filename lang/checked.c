/* checked.c: a journey loaded, checked, and checked with each scenario (see checked.h). */
#include "checked.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* One Model per scenario of the journey (which has no errors). The array is the only allocation
 * here: when it fails, that is reported as the checker's would be. */
static void check_scenarios(Checked *c)
{
    int n = c->model->nscenarios;
    c->scenarios = mem_alloc((size_t)n * sizeof *c->scenarios);
    if (!c->scenarios) {
        diag_report_oom(&c->diag, "checking", source_get(&c->prog.sources, c->prog.main->file)->name);
        return;
    }
    c->nscenarios = n;
    for (int k = 0; k < n; k++) c->scenarios[k] = sema_check_scenario(c->model, c->model->scenarios[k], &c->diag);
}

void checked_load(Checked *c, const CheckInput *in)
{
    memset(c, 0, sizeof *c);
    program_init(&c->prog, in->stdlib_dir, in->import_path);
    c->prog.files = in->files;
    diag_init(&c->diag, &c->prog.sources, in->diag_out, in->color);
    c->diag.quiet_warnings = in->quiet_warnings;
    LoadStatus ls = in->text ? program_load_text(&c->prog, in->path, in->text, in->len, &c->diag)
                             : program_load(&c->prog, in->path, &c->diag);
    if (ls == LOAD_UNREADABLE) {
        c->status = CHECKED_UNREADABLE;
        return;
    }
    if (in->loaded && !in->loaded(&c->prog, in->ctx)) {
        c->status = CHECKED_STOPPED;
        return;
    }
    if (ls == LOAD_OK) c->model = sema_check(&c->prog, &c->diag);
    if (c->model && c->model->errors == 0 && c->model->nscenarios > 0) check_scenarios(c);
    c->status = c->diag.out_of_memory ? CHECKED_OUT_OF_MEMORY : c->diag.errors ? CHECKED_ERRORS : CHECKED_OK;
}

void checked_free(Checked *c)
{
    for (int k = 0; k < c->nscenarios; k++) model_free(c->scenarios[k]);
    free(c->scenarios);
    model_free(c->model);
    diag_free(&c->diag);
    program_free(&c->prog);
    c->scenarios = NULL;
    c->nscenarios = 0;
    c->model = NULL;
}
