/* report_json.c: the JSON report (schema in docs/report-json.md): the catalogue of figures
 * (figures.def) written out member by member, in its order. Numbers have one format
 * (render_number), so that equal results give byte-identical files; NaN and infinities, which
 * JSON lacks, are null. Rows of long tables (stages, personas, touchpoints, channels) put each
 * member on its own line; short rows, figures with parts (rate objects, intervals) and lists of
 * strings stay on one line. A figure that may not exist for a reason (FIGF_NOTE) has "key_note"
 * after it: the reason when it is null, else null. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "format.h"
#include "report.h"

static void members(Json *j, const FigTable *t, const FigAt *at);

/* A number figure in its shape (figures.h): after its key, and for SHAPE_WITH_CI the key
 * "k_ci95" beside it, null where there is no interval (an exact analysis, a figure that does not
 * exist). */
static void number(Json *j, const Figure *f, FigValue v)
{
    switch (f->shape) {
    case SHAPE_NUMBER: json_put_num(j, v.value); break;
    case SHAPE_WITH_CI: {
        json_put_num(j, v.value);
        char key[128];
        snprintf(key, sizeof key, "%s_ci95", f->key);
        json_key(j, key);
        if (isfinite(v.lo) && isfinite(v.hi)) json_put_pair(j, v.lo, v.hi);
        else json_put_null(j);
        break;
    }
    case SHAPE_COUNT:
    case SHAPE_RATE:
        if (!isfinite(v.value) && !isfinite(v.count)) { /* no such rate: a funnel's first step */
            json_put_null(j);
            break;
        }
        json_open_line(j, '{');
        json_num(j, "count", v.count);
        json_num(j, "rate", v.value);
        if (f->shape == SHAPE_RATE) {
            json_key(j, "ci95");
            json_put_pair(j, v.lo, v.hi);
        }
        json_close(j, '}');
        break;
    }
}

static void texts(Json *j, const StrList *l)
{
    json_open_line(j, '[');
    for (; l; l = l->next) {
        json_next(j);
        json_put_text(j, l->str.s);
    }
    json_close(j, ']');
}

static void place(Json *j, const RtResult *r, Loc loc)
{
    char where[512];
    rt_loc_string(r->model, loc, where, sizeof where);
    json_put_text(j, where[0] ? where : NULL);
}

/* Every row of table t inside row `parent` of the table around it. */
static void rows(Json *j, const FigTable *t, const FigAt *outer)
{
    json_open(j, '[');
    for (int i = fig_first(t, outer->r, outer->row); i >= 0; i = fig_after(t, outer->r, outer->row, i)) {
        FigAt at = {outer->r, outer->file, i, outer->row};
        json_next(j);
        if (t->one_line) json_open_line(j, '{');
        else json_open(j, '{');
        members(j, t, &at);
        json_close(j, '}');
    }
    json_close(j, ']');
}

/* The points of a chart, one a line; null when the run has none (false). */
static bool series(Json *j, const RtResult *r, const FigSeries *s)
{
    int n;
    double *v = s->points(r, &n);
    if (!v) {
        json_put_null(j);
        return false;
    }
    json_open(j, '[');
    for (int i = 0; i < n; i++) {
        json_next(j);
        json_open_line(j, '{');
        const char *k = s->keys;
        for (int c = 0; c < s->nkeys; c++) {
            char key[64];
            size_t len = strcspn(k, " ");
            snprintf(key, sizeof key, "%.*s", (int)len, k);
            json_num(j, key, v[i * s->nkeys + c]);
            k += len + (k[len] == ' ');
        }
        json_close(j, '}');
    }
    json_close(j, ']');
    free(v);
    return true;
}

/* "key_note": why the figure is null, or null. */
static void note(Json *j, const Figure *f, FigValue v)
{
    char key[128];
    snprintf(key, sizeof key, "%s_note", f->key);
    json_text(j, key, v.note);
}

static void member(Json *j, const Figure *f, const FigAt *at)
{
    FigValue v = f->get(at);
    json_key(j, f->key);
    bool container = f->kind == FIG_TABLE || f->kind == FIG_OBJECT || f->kind == FIG_SERIES;
    if (container && v.note) {
        json_put_null(j);
        note(j, f, v);
        return;
    }
    switch (f->kind) {
    case FIG_TEXT: json_put_text(j, v.text); break;
    case FIG_BOOL: json_put_bool(j, v.value != 0); break;
    case FIG_TEXTS: texts(j, v.texts); break;
    case FIG_PLACE: place(j, at->r, v.loc); break;
    case FIG_TABLE: rows(j, v.table, at); break;
    case FIG_OBJECT:
        json_open(j, '{');
        members(j, v.table, at);
        json_close(j, '}');
        break;
    case FIG_SERIES:
        if (!series(j, at->r, v.series) && !v.note) v.note = "not known";
        break;
    default: number(j, f, v); break;
    }
    if (f->flags & FIGF_NOTE) note(j, f, v);
}

static void members(Json *j, const FigTable *t, const FigAt *at)
{
    for (int m = 0; m < t->n; m++)
        if (!(t->members[m].flags & FIGF_PEOPLE_ONLY)) member(j, &t->members[m], at);
}

void render_json(const RtResult *r, const char *file, Buf *out)
{
    Json j = {out, 0, true, 0};
    FigAt at = {r, file, 0, -1};
    fig_open(r);
    json_open(&j, '{');
    members(&j, &FIG_REPORT, &at);
    json_close(&j, '}');
    buf_putc(out, '\n');
    fig_close();
}
