/* fit_report.c: `cjm fit`'s report (see fit_report.h): one FitResult as a table for a terminal,
 * JSON (docs/fit-json.md), CSV tables and an HTML section or page.
 *
 * The four formats walk the same parts in the same order (the log, stages, moves, waits,
 * touchpoints, personas, unmapped events, validation) through the small helpers below, so that a
 * figure has one definition: JSON and CSV keep days and shares as numbers (render_number), the
 * table and HTML show them for people (format_fixed, format_duration). Where the result came from
 * the --sql query's table (FitObs.from_table) the parts that table does not give are left out
 * and named. */
#include "fit_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "chart.h"
#include "format.h"
#include "rng.h"
#include "validate.h"

enum { UNMAPPED_SHOWN = 20, HTML_MAX_STAGES = 60, HTML_MAX_WAITS = 24 };

static const char MAIN_COLOUR[] = "#0072B2", DECLARED_COLOUR[] = "#E69F00", CENSORED_COLOUR[] = "#9ecae9",
                  FIT_COLOUR[] = "#D55E00";

/* ---- the journey's names ---- */

static const Model *model_of(const FitReport *r) { return r->fit->obs->model; }

static const char *stage_name(const Model *m, int s) { return s < 0 ? "churn" : m->stages[s]->name.s; }

static const char *stage_label(const Model *m, int s) { return m->stages[s]->label.s; }

static const char *persona_name(const Model *m, int p) { return m->personas[p]->name.s; }

static const char *touchpoint_name(const Model *m, int k) { return m->touchpoints[k]->name.s; }

/* The stage the touchpoint belongs to ("" for a stand-alone one). */
static const char *touchpoint_stage(const Model *m, int k)
{
    int s = m->touchpoints[k]->stage_index;
    return s >= 0 ? stage_name(m, s) : "";
}

/* The declared reach of touchpoint k, NaN when the journey gives none. */
static double declared_reach(const Model *m, int k)
{
    const Value *v = &m->touchpoints[k]->reach;
    return v->present ? v->v : NAN;
}

static double persona_share_declared(const Model *m, int p) { return m->share ? m->share[p] : NAN; }

/* The declared mood of stage s over the personas, weighted by their shares, from the curves that
 * give one (NaN when none does). */
static double declared_mood(const Model *m, int s)
{
    double sum = 0, weight = 0;
    for (int p = 0; p < m->npersonas; p++) {
        size_t cell = (size_t)p * (size_t)m->nstages + (size_t)s;
        if (!m->curve_declared || !m->curve_declared[cell]) continue;
        sum += m->share[p] * m->curve[cell];
        weight += m->share[p];
    }
    return weight > 0 ? sum / weight : NAN;
}

static bool has_personas(const FitObs *o)
{
    if (o->from_table) return false;
    if (o->nunknown_segments > 0) return true;
    for (int p = 0; p < o->npersonas; p++)
        if (o->persona_cases[p] > 0) return true;
    return false;
}

static double churned_by_inactivity(const FitObs *o, int s)
{
    return o->churn_by_reason[(size_t)s * (size_t)(o->nreasons + 1) + (size_t)o->nreasons];
}

/* Entries of stage s still inside at the log's end. The censored waits also hold those of
 * customers who churned by inactivity (they waited at least until their last event). */
static double censored(const FitObs *o, int s) { return o->wait_censored[s].n - churned_by_inactivity(o, s); }

/* ---- numbers for people ---- */

static void put_percent(Buf *b, double v)
{
    if (!isfinite(v)) {
        buf_puts(b, "-");
        return;
    }
    format_fixed(b, v * 100, 1, false);
    buf_putc(b, '%');
}

static void put_percent_interval(Buf *b, FitInterval i)
{
    if (!isfinite(i.lo) || !isfinite(i.hi)) return;
    format_fixed(b, i.lo * 100, 1, false);
    buf_puts(b, "-");
    format_fixed(b, i.hi * 100, 1, false);
    buf_putc(b, '%');
}

static void put_count(Buf *b, double v)
{
    if (!isfinite(v)) buf_puts(b, "-");
    else format_fixed(b, v, v == floor(v) ? 0 : 1, false);
}

static void put_days_interval(Buf *b, FitInterval i, const char *space)
{
    if (!isfinite(i.lo) || !isfinite(i.hi)) return;
    format_duration(b, i.lo, space);
    buf_puts(b, "-");
    format_duration(b, i.hi, space);
}

static void put_mood(Buf *b, double v)
{
    if (!isfinite(v)) buf_puts(b, "-");
    else format_fixed(b, v, 2, true);
}

/* "lognormal(2.1 d, 1.3 d)", "2.0 d" for a constant. */
static void put_dist(Buf *b, DistKind kind, const double *args, int nargs, const char *space)
{
    if (kind == DIST_CONSTANT) {
        format_duration(b, args[0], space);
        return;
    }
    buf_printf(b, "%s(", sema_dist_name(kind));
    for (int i = 0; i < nargs; i++) {
        if (i) buf_puts(b, ", ");
        format_duration(b, args[i], space);
    }
    buf_putc(b, ')');
}

/* The stage's declared wait as the journey writes it: its kind and arguments in days. */
static int declared_wait(const Model *m, int s, DistKind *kind, double args[3])
{
    const Dist *d = m->stages[s]->wait;
    if (!d) return -1;
    *kind = d->kind;
    int n = d->nargs < 3 ? d->nargs : 3;
    for (int i = 0; i < n; i++) args[i] = d->args[i].v;
    return n;
}

static void put_declared_wait(Buf *b, const Model *m, int s, const char *space)
{
    DistKind kind;
    double args[3];
    int n = declared_wait(m, s, &kind, args);
    if (n < 0) buf_puts(b, "none");
    else put_dist(b, kind, args, n, space);
}

/* A day as "2024-03-01 12:00" (UTC). */
static void put_time(Buf *b, double days)
{
    if (!isfinite(days)) {
        buf_puts(b, "-");
        return;
    }
    time_t t = (time_t)floor(days * 86400.0);
    struct tm tm;
    char text[32];
    if (!gmtime_r(&t, &tm) || !strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm)) {
        buf_puts(b, "-");
        return;
    }
    buf_puts(b, text);
}

static void put_iso_time(Buf *b, double days)
{
    time_t t = (time_t)floor(days * 86400.0);
    struct tm tm;
    char text[32];
    if (isfinite(days) && gmtime_r(&t, &tm) && strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm))
        buf_puts(b, text);
}

/* What the --sql query's table does not give, for the report's note. */
static const char NOT_FROM_TABLE[] =
    "touchpoints, survey answers, revenue, costs, personas and the names of unmapped events";

static const char *time_format_name(LogTimeFormat f)
{
    switch (f) {
    case LOG_TIME_ISO: return "ISO 8601";
    case LOG_TIME_EPOCH_S: return "epoch seconds";
    case LOG_TIME_EPOCH_MS: return "epoch milliseconds";
    case LOG_TIME_AUTO: break;
    }
    return NULL;
}

/* The columns used, "case customer_id, event event, time ts (ISO 8601)". */
static void put_columns(Buf *b, const LogColumns *c, LogTimeFormat tf, const char *sep)
{
    const char *names[] = {"case", "event", "time", "channel", "revenue", "cost", "segment", "score"};
    const char *cols[] = {c->case_id, c->event, c->time, c->channel, c->revenue, c->cost, c->segment, c->score};
    bool first = true;
    for (int i = 0; i < 8; i++) {
        if (!cols[i]) continue;
        buf_printf(b, "%s%s %s", first ? "" : sep, names[i], cols[i]);
        if (i == 2 && time_format_name(tf)) buf_printf(b, " (%s)", time_format_name(tf));
        first = false;
    }
}

/* ---- the model's funnel: entries the declared arrows give for the observed starts ---- */

/* The share the model gives move mv: its declared probability when constant, else the observed
 * share (an arrow that depends on mood or rules has no declared number to use). */
static double model_share(const FitMove *mv)
{
    if (mv->declared_known) return mv->declared;
    return isfinite(mv->p.value) ? mv->p.value : 0;
}

/* x = starts + P^T x, iterated: the expected entries of each stage. NaN everywhere when it does
 * not settle (a loop the declared arrows never leave). malloc'd [nstages]. */
static double *model_entries(const FitResult *f)
{
    const FitObs *o = f->obs;
    int n = o->nstages;
    double *x = xcalloc((size_t)n + 1, sizeof *x), *next = xcalloc((size_t)n + 1, sizeof *next);
    bool settled = false;
    for (int it = 0; it < 100000 && !settled; it++) {
        for (int s = 0; s < n; s++) next[s] = o->starts[s];
        for (int i = 0; i < f->nmoves; i++) {
            const FitMove *mv = &f->moves[i];
            if (mv->arrow >= 0 && mv->to >= 0) next[mv->to] += x[mv->from] * model_share(mv);
        }
        settled = true;
        for (int s = 0; s < n; s++) {
            if (fabs(next[s] - x[s]) > 1e-9 * (1 + fabs(next[s]))) settled = false;
            x[s] = next[s];
        }
    }
    if (!settled)
        for (int s = 0; s < n; s++) x[s] = NAN;
    free(next);
    return x;
}

/* ======================= the table ======================= */

static void cell_buf(Grid *g, Buf *t)
{
    grid_cell(g, "%s", buf_str(t));
    buf_clear(t);
}

static void table_log(const FitReport *r, Buf *out)
{
    const FitObs *o = r->fit->obs;
    buf_printf(out, "Fit of %s to %s\n", r->journey, r->log);
    buf_puts(out, "  log: ");
    put_count(out, o->events);
    buf_puts(out, " events, ");
    put_count(out, o->cases);
    buf_puts(out, " cases");
    if (o->events > 0 || o->from_table) {
        buf_puts(out, ", ");
        put_time(out, o->log_start);
        buf_puts(out, " to ");
        put_time(out, o->log_end);
    }
    if (o->inactivity > 0) {
        buf_puts(out, "; churn after ");
        format_duration(out, o->inactivity, " ");
        buf_puts(out, " without an event");
    }
    buf_putc(out, '\n');
    if (r->columns) {
        buf_puts(out, "  columns: ");
        put_columns(out, r->columns, r->time_format, ", ");
        buf_putc(out, '\n');
    }
    if (o->from_table) {
        buf_printf(out, "  from the --sql query's table, which does not give %s\n", NOT_FROM_TABLE);
    } else {
        buf_puts(out, "  events: ");
        put_count(out, o->mapped_stage);
        buf_puts(out, " to stages, ");
        put_count(out, o->mapped_touchpoint);
        buf_puts(out, " to touchpoints, ");
        put_count(out, o->mapped_churn);
        buf_puts(out, " to churn, ");
        put_count(out, o->ignored);
        buf_puts(out, " ignored, ");
        put_count(out, o->unmapped);
        buf_puts(out, " unmapped; ");
        put_count(out, o->before_first_stage);
        buf_puts(out, " before a case's first stage, ");
        put_count(out, o->after_churn);
        buf_puts(out, " after its churn\n");
    }
    buf_puts(out, "  conversion: ");
    put_percent(out, r->fit->conversion.value);
    Buf t = BUF_INIT;
    put_percent_interval(&t, r->fit->conversion);
    if (t.len) buf_printf(out, " (95%% interval %s)", buf_str(&t));
    buf_free(&t);
    buf_putc(out, '\n');
}

static void table_stages(const FitReport *r, Buf *out)
{
    const FitObs *o = r->fit->obs;
    const Model *m = model_of(r);
    buf_puts(out, "\nStages (censored: still inside at the log's end; mood: survey answers, score/5 - 1)\n");
    Grid g;
    grid_init(&g, "lrrrrrrrrl");
    const char *head[] = {"Stage", "starts", "entries", "completed", "censored", "inactive", "answers", "mood",
                          "95% interval", "declared"};
    for (int i = 0; i < 10; i++) grid_cell(&g, "%s", head[i]);
    Buf t = BUF_INIT;
    for (int s = 0; s < o->nstages; s++) {
        grid_cell(&g, "%s", stage_name(m, s));
        put_count(&t, o->starts[s]);
        cell_buf(&g, &t);
        put_count(&t, o->entries[s]);
        cell_buf(&g, &t);
        put_count(&t, o->completed[s]);
        cell_buf(&g, &t);
        put_count(&t, censored(o, s));
        cell_buf(&g, &t);
        put_count(&t, churned_by_inactivity(o, s));
        cell_buf(&g, &t);
        put_count(&t, o->mood_n[s]);
        cell_buf(&g, &t);
        put_mood(&t, r->fit->stage_mood[s].value);
        cell_buf(&g, &t);
        FitInterval i = r->fit->stage_mood[s];
        if (isfinite(i.lo) && isfinite(i.hi)) {
            format_fixed(&t, i.lo, 2, true);
            buf_puts(&t, " to ");
            format_fixed(&t, i.hi, 2, true);
        }
        cell_buf(&g, &t);
        double d = declared_mood(m, s);
        if (isfinite(d)) put_mood(&t, d);
        cell_buf(&g, &t);
    }
    buf_free(&t);
    grid_print(&g, out);
}

/* What the declared column of a move shows. */
static void put_move_declared(Buf *b, const FitMove *mv)
{
    if (mv->arrow < 0) buf_puts(b, "not in the journey");
    else if (!mv->fitted) buf_printf(b, "not fitted: %s", mv->why_not_fitted ? mv->why_not_fitted : "not constant");
    else if (mv->declared_known) put_percent(b, mv->declared);
    else buf_puts(b, "-");
}

static void table_moves(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    buf_puts(out, "\nMoves (observed share of a stage's moves with its 95% interval; ! the declared value is "
                  "outside it)\n");
    Grid g;
    grid_init(&g, "llrrrll");
    const char *head[] = {"From", "To", "count", "observed", "95% interval", "declared", ""};
    for (int i = 0; i < 7; i++) grid_cell(&g, "%s", head[i]);
    Buf t = BUF_INIT;
    int lacking = 0;
    for (int i = 0; i < f->nmoves; i++) {
        const FitMove *mv = &f->moves[i];
        if (mv->arrow < 0) lacking++;
        grid_cell(&g, "%s", stage_name(m, mv->from));
        grid_cell(&g, "%s", stage_name(m, mv->to));
        put_count(&t, mv->count);
        cell_buf(&g, &t);
        put_percent(&t, mv->p.value);
        cell_buf(&g, &t);
        put_percent_interval(&t, mv->p);
        cell_buf(&g, &t);
        put_move_declared(&t, mv);
        cell_buf(&g, &t);
        grid_cell(&g, "%s", mv->outside ? "!" : mv->arrow < 0 ? "?" : "");
    }
    buf_free(&t);
    if (f->nmoves == 0) grid_cell(&g, "(no case left a stage)");
    for (int i = 1; f->nmoves == 0 && i < 7; i++) grid_cell(&g, "%s", "");
    grid_print(&g, out);
    if (lacking)
        buf_printf(out, "  ? %d move%s the journey does not allow: where the map and the customers disagree\n",
                   lacking, lacking == 1 ? "" : "s");
}

static bool wait_observed(const FitWait *w) { return w->n > 0 || w->censored > 0; }

static void table_waits(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    buf_puts(out, "\nWaits (entry to the next move, fitted with censoring; chosen by AIC; KS: distance to the "
                  "Kaplan-Meier estimate)\n");
    Grid g;
    grid_init(&g, "lrrlrlrll");
    const char *head[] = {"Stage", "waits", "censored", "fitted", "mean", "95% interval", "KS", "declared", ""};
    for (int i = 0; i < 9; i++) grid_cell(&g, "%s", head[i]);
    Buf t = BUF_INIT;
    for (int s = 0; s < f->obs->nstages; s++) {
        const FitWait *w = &f->waits[s];
        if (!wait_observed(w)) continue;
        grid_cell(&g, "%s", stage_name(m, s));
        put_count(&t, w->n);
        cell_buf(&g, &t);
        put_count(&t, w->censored);
        cell_buf(&g, &t);
        if (w->best.ok) put_dist(&t, w->best.kind, w->best.args, w->best.nargs, " ");
        else buf_puts(&t, "too few waits");
        cell_buf(&g, &t);
        format_duration(&t, w->mean.value, " ");
        cell_buf(&g, &t);
        put_days_interval(&t, w->mean, " ");
        cell_buf(&g, &t);
        if (w->best.ok && isfinite(w->best.ks)) format_fixed(&t, w->best.ks, 3, false);
        cell_buf(&g, &t);
        put_declared_wait(&t, m, s, " ");
        cell_buf(&g, &t);
        grid_cell(&g, "%s", w->outside ? "!" : "");
    }
    buf_free(&t);
    grid_print(&g, out);
}

static void table_touchpoints(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const FitObs *o = f->obs;
    const Model *m = model_of(r);
    if (o->ntouchpoints == 0) return;
    buf_puts(out, "\nTouchpoints (reach: share of its stage's entries in which it was met)\n");
    Grid g;
    grid_init(&g, "llrrrlrrrl");
    const char *head[] = {"Touchpoint", "stage", "events", "outside", "reach", "95% interval", "declared",
                          "answers", "NPS", "95% interval"};
    for (int i = 0; i < 10; i++) grid_cell(&g, "%s", head[i]);
    Buf t = BUF_INIT;
    for (int k = 0; k < o->ntouchpoints; k++) {
        grid_cell(&g, "%s", touchpoint_name(m, k));
        grid_cell(&g, "%s", touchpoint_stage(m, k));
        put_count(&t, o->touch_events[k]);
        cell_buf(&g, &t);
        put_count(&t, o->touch_outside[k]);
        cell_buf(&g, &t);
        put_percent(&t, f->reach[k].value);
        cell_buf(&g, &t);
        put_percent_interval(&t, f->reach[k]);
        cell_buf(&g, &t);
        put_percent(&t, declared_reach(m, k));
        cell_buf(&g, &t);
        put_count(&t, o->score_n_tp[k]);
        cell_buf(&g, &t);
        if (isfinite(f->nps_tp[k].value)) format_fixed(&t, f->nps_tp[k].value, 1, true);
        cell_buf(&g, &t);
        if (isfinite(f->nps_tp[k].lo) && isfinite(f->nps_tp[k].hi)) {
            format_fixed(&t, f->nps_tp[k].lo, 1, true);
            buf_puts(&t, " to ");
            format_fixed(&t, f->nps_tp[k].hi, 1, true);
        }
        cell_buf(&g, &t);
    }
    buf_free(&t);
    grid_print(&g, out);
}

static void table_personas(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const FitObs *o = f->obs;
    const Model *m = model_of(r);
    if (!has_personas(o)) return;
    buf_puts(out, "\nPersonas (share of the cases whose segment names a persona)\n");
    Grid g;
    grid_init(&g, "lrrlr");
    const char *head[] = {"Persona", "cases", "share", "95% interval", "declared"};
    for (int i = 0; i < 5; i++) grid_cell(&g, "%s", head[i]);
    Buf t = BUF_INIT;
    for (int p = 0; p < o->npersonas; p++) {
        grid_cell(&g, "%s", persona_name(m, p));
        put_count(&t, o->persona_cases[p]);
        cell_buf(&g, &t);
        put_percent(&t, f->persona_share[p].value);
        cell_buf(&g, &t);
        put_percent_interval(&t, f->persona_share[p]);
        cell_buf(&g, &t);
        put_percent(&t, persona_share_declared(m, p));
        cell_buf(&g, &t);
    }
    grid_print(&g, out);
    buf_puts(out, "  cases without a segment: ");
    put_count(out, o->no_segment);
    if (o->nunknown_segments > 0) {
        buf_puts(out, "; segments naming no persona:");
        for (int i = 0; i < o->nunknown_segments && i < UNMAPPED_SHOWN; i++) {
            buf_printf(out, "%s %s (", i ? "," : "", o->unknown_segments[i].name);
            put_count(out, o->unknown_segments[i].count);
            buf_putc(out, ')');
        }
        if (o->nunknown_segments > UNMAPPED_SHOWN) buf_printf(out, " and %d more", o->nunknown_segments - UNMAPPED_SHOWN);
    }
    buf_free(&t);
    buf_putc(out, '\n');
}

static void table_unmapped(const FitReport *r, Buf *out)
{
    const FitObs *o = r->fit->obs;
    if (o->nunmapped_names == 0) return;
    buf_printf(out, "\nUnmapped events (no stage, touchpoint or churn reason has their name; map them with "
                    "--map or `events` in the journey)\n");
    Grid g;
    grid_init(&g, "lr");
    grid_cell(&g, "Event");
    grid_cell(&g, "count");
    Buf t = BUF_INIT;
    for (int i = 0; i < o->nunmapped_names && i < UNMAPPED_SHOWN; i++) {
        grid_cell(&g, "%s", o->unmapped_names[i].name);
        put_count(&t, o->unmapped_names[i].count);
        cell_buf(&g, &t);
    }
    buf_free(&t);
    grid_print(&g, out);
    if (o->nunmapped_names > UNMAPPED_SHOWN)
        buf_printf(out, "  and %d more names (--format csv --csv-table unmapped lists them all)\n",
                   o->nunmapped_names - UNMAPPED_SHOWN);
}

/* A verdict's figure for people: the mean time to convert as a duration, the others (shares of
 * cases, of moves, of customers retained) as percentages. */
static bool verdict_is_time(const FitVerdict *v) { return v->key && strncmp(v->key, "time", 4) == 0; }

static void put_verdict_value(Buf *b, const FitVerdict *v, double x, const char *space)
{
    if (verdict_is_time(v)) format_duration(b, x, space);
    else put_percent(b, x);
}

static void put_verdict_interval(Buf *b, const FitVerdict *v, const char *space)
{
    if (!isfinite(v->lo) || !isfinite(v->hi)) return;
    if (verdict_is_time(v)) {
        put_days_interval(b, (FitInterval){v->sim, v->lo, v->hi}, space);
    } else {
        put_percent_interval(b, (FitInterval){v->sim, v->lo, v->hi});
    }
}

static void table_validation(const FitReport *r, Buf *out)
{
    if (!r->verdicts) return;
    buf_puts(out, "\nValidation (the journey simulated: the observed figure against the simulated one's 95% "
                  "interval; ! outside)\n");
    Grid g;
    Buf t = BUF_INIT;
    grid_init(&g, "lrrrl");
    const char *head[] = {"Figure", "observed", "simulated", "95% interval", ""};
    for (int i = 0; i < 5; i++) grid_cell(&g, "%s", head[i]);
    for (int i = 0; i < r->nverdicts; i++) {
        const FitVerdict *v = &r->verdicts[i];
        grid_cell(&g, "%s", v->title ? v->title : v->key);
        put_verdict_value(&t, v, v->observed, " ");
        cell_buf(&g, &t);
        put_verdict_value(&t, v, v->sim, " ");
        cell_buf(&g, &t);
        put_verdict_interval(&t, v, " ");
        cell_buf(&g, &t);
        grid_cell(&g, "%s", v->inside ? "" : "!");
    }
    buf_free(&t);
    grid_print(&g, out);
}

/* ---- issue 16: arrows that depend on a meeting, traits, what the log cannot tell ----
 * Each is one list of rows of text cells, shared by the table and the HTML page. */

enum { MET_COLS = 12, TRAIT_COLS = 9, CHOICE_COLS = 8 };

static void put_number(Buf *b, double v)
{
    if (!isfinite(v)) buf_puts(b, "-");
    else buf_printf(b, "%.4g", v);
}

static void put_signed_percent(Buf *b, double v)
{
    if (isfinite(v) && v > 0) buf_putc(b, '+');
    put_percent(b, v);
}

static void put_signed_interval(Buf *b, FitInterval i)
{
    if (!isfinite(i.lo) || !isfinite(i.hi)) return;
    put_signed_percent(b, i.lo);
    buf_puts(b, " to ");
    put_signed_percent(b, i.hi);
}

/* The cells of a met-dependent arrow. */
static void met_cells(const Model *m, const FitMetArrow *x, Buf *c)
{
    buf_puts(&c[0], stage_name(m, x->from));
    buf_puts(&c[1], stage_name(m, x->to));
    buf_printf(&c[2], "%s", x->what);
    put_count(&c[3], x->n0);
    put_percent(&c[4], x->p0.value);
    buf_putc(&c[4], ' ');
    put_percent_interval(&c[4], x->p0);
    put_count(&c[5], x->n1);
    put_percent(&c[6], x->p1.value);
    buf_putc(&c[6], ' ');
    put_percent_interval(&c[6], x->p1);
    put_percent(&c[7], x->a.value);
    buf_putc(&c[7], ' ');
    put_percent_interval(&c[7], x->a);
    put_percent(&c[8], x->declared_a);
    if (x->outside_a) buf_puts(&c[8], " !");
    put_signed_percent(&c[9], x->b.value);
    buf_putc(&c[9], ' ');
    put_signed_interval(&c[9], x->b);
    put_signed_percent(&c[10], x->declared_b);
    if (x->outside_b) buf_puts(&c[10], " !");
    if (!x->fitted) buf_printf(&c[11], "not fitted: %s", x->why_not_fitted);
}

static const char *const MET_HEAD[MET_COLS] = {"From", "To", "met", "without", "share without (95%)", "with",
                                               "share with (95%)", "A (95%)", "declared A", "B (95%)",
                                               "declared B", ""};

static const char *persona_or_all(const Model *m, int p) { return p < 0 ? "(all)" : persona_name(m, p); }

/* "gamma(0.2432, 4.414)" for a fitted family, "-" when none. */
static void put_trait_dist(Buf *b, const FitTraitDist *d)
{
    if (!d || !d->ok) {
        buf_puts(b, "-");
        return;
    }
    buf_printf(b, "%s(", sema_dist_name(d->kind));
    for (int i = 0; i < d->nargs; i++) {
        if (i) buf_puts(b, ", ");
        put_number(b, d->args[i].value);
    }
    buf_putc(b, ')');
}

static void put_trait_intervals(Buf *b, const FitTraitDist *d)
{
    if (!d || !d->ok) return;
    for (int i = 0; i < d->nargs; i++) {
        if (i) buf_puts(b, "; ");
        put_number(b, d->args[i].lo);
        buf_puts(b, "-");
        put_number(b, d->args[i].hi);
    }
}

static void put_declared_trait(Buf *b, const FitTrait *t)
{
    const Dist *d = t->declared;
    if (!d) {
        if (isfinite(t->declared_value)) put_number(b, t->declared_value);
        else buf_puts(b, "-");
        return;
    }
    buf_printf(b, "%s(", sema_dist_name(d->kind));
    if (d->kind == DIST_CHOICE) {
        int i = 0;
        for (const ChoiceItem *c = d->choices; c; c = c->next, i++) {
            if (i) buf_puts(b, ", ");
            put_number(b, c->value.v);
            buf_puts(b, ": ");
            if (c->weight.unit == VAL_PERCENT) {
                put_number(b, c->weight.v * 100);
                buf_putc(b, '%');
            } else {
                put_number(b, c->weight.v);
            }
        }
    } else {
        for (int i = 0; i < d->nargs && i < 3; i++) {
            if (i) buf_puts(b, ", ");
            put_number(b, d->args[i].v);
        }
    }
    buf_putc(b, ')');
}

/* Whether the declared family's arguments fall outside the fitted intervals of the same family. */
static bool trait_outside(const FitTrait *t)
{
    if (!t->declared || t->is_choice) return false;
    for (int k = 0; k < FIT_TRAIT_FAMILIES; k++) {
        const FitTraitDist *d = &t->candidates[k];
        if (d->kind != t->declared->kind || !d->ok) continue;
        for (int i = 0; i < d->nargs && i < t->declared->nargs; i++) {
            double v = t->declared->args[i].v;
            if (isfinite(d->args[i].lo) && (v < d->args[i].lo || v > d->args[i].hi)) return true;
        }
    }
    return false;
}

static const FitTraitDist *best_of(const FitTrait *t) { return t->best >= 0 ? &t->candidates[t->best] : NULL; }

static void trait_cells(const Model *m, const FitTrait *t, Buf *c)
{
    buf_puts(&c[0], m->traits[t->trait]);
    buf_puts(&c[1], persona_or_all(m, t->persona));
    buf_puts(&c[2], t->column);
    put_count(&c[3], t->n);
    put_number(&c[4], t->mean);
    put_trait_dist(&c[5], best_of(t));
    put_trait_intervals(&c[6], best_of(t));
    if (best_of(t)) buf_printf(&c[7], "%.3f", best_of(t)->ks);
    put_declared_trait(&c[8], t);
    if (trait_outside(t)) buf_puts(&c[8], " !");
}

static const char *const TRAIT_HEAD[TRAIT_COLS] = {"Trait", "Persona", "column", "cases", "mean", "fitted",
                                                   "95% intervals", "KS", "declared"};

static void choice_cells(const Model *m, const FitTrait *t, const FitChoiceShare *v, Buf *c)
{
    buf_puts(&c[0], m->traits[t->trait]);
    buf_puts(&c[1], persona_or_all(m, t->persona));
    put_number(&c[2], v->value);
    put_count(&c[3], v->count);
    put_percent(&c[4], v->share.value);
    put_percent_interval(&c[5], v->share);
    if (v->declared) put_percent(&c[6], v->declared_share);
    else buf_puts(&c[6], "not declared");
    buf_puts(&c[7], v->outside ? "!" : !v->declared ? "?" : "");
}

static const char *const CHOICE_HEAD[CHOICE_COLS] = {"Trait", "Persona", "value", "cases", "share",
                                                     "95% interval", "declared", ""};

static bool any_choice(const FitResult *f)
{
    for (int i = 0; i < f->ntraits; i++)
        if (f->traits[i].is_choice) return true;
    return false;
}

static void grid_row(Grid *g, Buf *c, int n)
{
    for (int i = 0; i < n; i++) cell_buf(g, &c[i]);
}

static void table_met(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    if (!f->nmet_arrows) return;
    buf_puts(out, "\nArrows that depend on a meeting (A + B * met(T): the stage's entries without and with a "
                  "meeting of T; A the share without, B the difference; ! the declared value is outside)\n");
    Grid g;
    grid_init(&g, "lllrrrrrrrrl");
    for (int i = 0; i < MET_COLS; i++) grid_cell(&g, "%s", MET_HEAD[i]);
    Buf c[MET_COLS];
    for (int i = 0; i < MET_COLS; i++) c[i] = (Buf)BUF_INIT;
    for (int i = 0; i < f->nmet_arrows; i++) {
        met_cells(model_of(r), &f->met_arrows[i], c);
        grid_row(&g, c, MET_COLS);
    }
    for (int i = 0; i < MET_COLS; i++) buf_free(&c[i]);
    grid_print(&g, out);
}

/* Whether some trait was fitted as a continuous one (not a choice). */
static bool any_continuous(const FitResult *f)
{
    for (int i = 0; i < f->ntraits; i++)
        if (!f->traits[i].is_choice) return true;
    return false;
}

static void table_continuous_traits(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    buf_puts(out, "\nTraits (each case's value from its column; the family of lowest AIC by maximum likelihood, "
                  "with 95% intervals of its arguments; KS: distance to the values' distribution)\n");
    Grid g;
    grid_init(&g, "lllrrllrl");
    for (int i = 0; i < TRAIT_COLS; i++) grid_cell(&g, "%s", TRAIT_HEAD[i]);
    Buf c[TRAIT_COLS];
    for (int i = 0; i < TRAIT_COLS; i++) c[i] = (Buf)BUF_INIT;
    for (int i = 0; i < f->ntraits; i++) {
        if (f->traits[i].is_choice) continue;
        trait_cells(model_of(r), &f->traits[i], c);
        grid_row(&g, c, TRAIT_COLS);
    }
    for (int i = 0; i < TRAIT_COLS; i++) buf_free(&c[i]);
    grid_print(&g, out);
}

static void table_choice_traits(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    buf_puts(out, "\nChoice traits (each value's share of the cases, Wilson 95%; ? a value the choice does not "
                  "declare)\n");
    Grid g;
    grid_init(&g, "llrrrrll");
    for (int i = 0; i < CHOICE_COLS; i++) grid_cell(&g, "%s", CHOICE_HEAD[i]);
    Buf d[CHOICE_COLS];
    for (int i = 0; i < CHOICE_COLS; i++) d[i] = (Buf)BUF_INIT;
    for (int i = 0; i < f->ntraits; i++)
        for (int k = 0; f->traits[i].is_choice && k < f->traits[i].nchoices; k++) {
            choice_cells(model_of(r), &f->traits[i], &f->traits[i].choices[k], d);
            grid_row(&g, d, CHOICE_COLS);
        }
    for (int i = 0; i < CHOICE_COLS; i++) buf_free(&d[i]);
    grid_print(&g, out);
}

static void table_traits(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    if (any_continuous(f)) table_continuous_traits(r, out);
    if (any_choice(f)) table_choice_traits(r, out);
    for (int i = 0; i < f->obs->ntraits_obs; i++) {
        const FitTraitObs *o = &f->obs->traits[i];
        if (o->conflicts > 0 || o->not_numbers > 0)
            buf_printf(out, "  %s: %.0f case%s whose later values differ from the first (the first is taken), "
                            "%.0f value%s (left out)\n", o->column, o->conflicts, o->conflicts == 1 ? "" : "s",
                       o->not_numbers, o->not_numbers == 1 ? " that is no number" : "s that are no numbers");
    }
}

static void table_cannot(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    if (!f->ncannot) return;
    buf_puts(out, "\nWhat the log cannot tell\n");
    for (int i = 0; i < f->ncannot; i++) buf_printf(out, "  - %s\n", f->cannot[i].detail);
}

void render_fit_table(const FitReport *r, Buf *out)
{
    table_log(r, out);
    table_stages(r, out);
    table_moves(r, out);
    table_waits(r, out);
    table_met(r, out);
    table_traits(r, out);
    if (!r->fit->obs->from_table) {
        table_touchpoints(r, out);
        table_personas(r, out);
        table_unmapped(r, out);
    }
    table_validation(r, out);
    table_cannot(r, out);
}

/* ======================= JSON ======================= */

static void json_interval(Json *j, const char *key, FitInterval i)
{
    json_num(j, key, i.value);
    char k[64];
    snprintf(k, sizeof k, "%s_ci95", key);
    json_key(j, k);
    if (isfinite(i.lo) && isfinite(i.hi)) json_put_pair(j, i.lo, i.hi);
    else json_put_null(j);
}

static void json_dist(Json *j, const char *key, DistKind kind, const double *args, int nargs)
{
    json_key(j, key);
    json_open_line(j, '{');
    json_text(j, "dist", kind == DIST_CONSTANT ? "constant" : sema_dist_name(kind));
    json_key(j, "args_days");
    json_open_line(j, '[');
    for (int i = 0; i < nargs; i++) {
        json_next(j);
        json_put_num(j, args[i]);
    }
    json_close(j, ']');
    json_close(j, '}');
}

static void json_fitted_dist(Json *j, const FitDist *d)
{
    json_next(j);
    json_open_line(j, '{');
    json_text(j, "dist", d->kind == DIST_CONSTANT ? "constant" : sema_dist_name(d->kind));
    json_bool(j, "ok", d->ok);
    json_key(j, "args_days");
    json_open_line(j, '[');
    for (int i = 0; d->ok && i < d->nargs; i++) {
        json_next(j);
        json_put_num(j, d->args[i]);
    }
    json_close(j, ']');
    json_num(j, "loglik", d->ok ? d->loglik : NAN);
    json_num(j, "aic", d->ok ? d->aic : NAN);
    json_num(j, "ks", d->ok ? d->ks : NAN);
    json_close(j, '}');
}

static void json_log(Json *j, const FitReport *r)
{
    const FitObs *o = r->fit->obs;
    json_key(j, "log");
    json_open(j, '{');
    json_text(j, "file", r->log);
    json_bool(j, "from_sql_table", o->from_table);
    json_key(j, "columns");
    if (r->columns) {
        const LogColumns *c = r->columns;
        json_open_line(j, '{');
        json_text(j, "case", c->case_id);
        json_text(j, "event", c->event);
        json_text(j, "time", c->time);
        json_text(j, "time_format", time_format_name(r->time_format));
        json_text(j, "channel", c->channel);
        json_text(j, "revenue", c->revenue);
        json_text(j, "cost", c->cost);
        json_text(j, "segment", c->segment);
        json_text(j, "score", c->score);
        json_close(j, '}');
    } else {
        json_put_null(j);
    }
    json_num(j, "events", o->events);
    json_num(j, "cases", o->cases);
    Buf t = BUF_INIT;
    put_iso_time(&t, o->log_start);
    json_text(j, "start", t.len ? buf_str(&t) : NULL);
    buf_clear(&t);
    put_iso_time(&t, o->log_end);
    json_text(j, "end", t.len ? buf_str(&t) : NULL);
    buf_free(&t);
    json_num(j, "inactivity_days", o->inactivity);
    json_key(j, "not_given");
    if (o->from_table) {
        json_open_line(j, '[');
        const char *parts[] = {"touchpoints", "surveys", "revenue", "cost", "personas", "unmapped_names"};
        for (int i = 0; i < 6; i++) {
            json_next(j);
            json_put_text(j, parts[i]);
        }
        json_close(j, ']');
    } else {
        json_put_null(j);
    }
    json_key(j, "mapped");
    json_open_line(j, '{');
    json_num(j, "stage", o->mapped_stage);
    json_num(j, "touchpoint", o->mapped_touchpoint);
    json_num(j, "churn", o->mapped_churn);
    json_num(j, "ignored", o->ignored);
    json_num(j, "unmapped", o->unmapped);
    json_num(j, "before_first_stage", o->before_first_stage);
    json_num(j, "after_churn", o->after_churn);
    json_close(j, '}');
    json_close(j, '}');
}

static void json_stages(Json *j, const FitReport *r)
{
    const FitResult *f = r->fit;
    const FitObs *o = f->obs;
    const Model *m = model_of(r);
    json_key(j, "stages");
    json_open(j, '[');
    for (int s = 0; s < o->nstages; s++) {
        json_next(j);
        json_open_line(j, '{');
        json_text(j, "stage", stage_name(m, s));
        json_text(j, "label", stage_label(m, s));
        json_num(j, "starts", o->starts[s]);
        json_num(j, "entries", o->entries[s]);
        json_num(j, "completed", o->completed[s]);
        json_num(j, "censored", censored(o, s));
        json_num(j, "churned_inactive", churned_by_inactivity(o, s));
        json_num(j, "revenue", o->from_table ? NAN : o->revenue[s]);
        json_num(j, "answers", o->from_table ? NAN : o->mood_n[s]);
        json_interval(j, "mood", f->stage_mood[s]);
        json_num(j, "declared_mood", declared_mood(m, s));
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void json_moves(Json *j, const FitReport *r)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    json_key(j, "moves");
    json_open(j, '[');
    for (int i = 0; i < f->nmoves; i++) {
        const FitMove *mv = &f->moves[i];
        json_next(j);
        json_open_line(j, '{');
        json_text(j, "from", stage_name(m, mv->from));
        json_text(j, "to", stage_name(m, mv->to));
        json_bool(j, "in_journey", mv->arrow >= 0);
        json_num(j, "count", mv->count);
        json_interval(j, "share", mv->p);
        json_num(j, "declared", mv->arrow >= 0 && mv->declared_known ? mv->declared : NAN);
        json_bool(j, "outside", mv->outside);
        json_bool(j, "fitted", mv->arrow >= 0 && mv->fitted);
        json_text(j, "why_not_fitted", mv->arrow >= 0 && !mv->fitted ? mv->why_not_fitted : NULL);
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void json_waits(Json *j, const FitReport *r)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    json_key(j, "waits");
    json_open(j, '[');
    for (int s = 0; s < f->obs->nstages; s++) {
        const FitWait *w = &f->waits[s];
        if (!wait_observed(w)) continue;
        json_next(j);
        json_open(j, '{');
        json_text(j, "stage", stage_name(m, s));
        json_num(j, "waits", w->n);
        json_num(j, "censored", w->censored);
        json_interval(j, "mean_days", w->mean);
        if (w->best.ok) json_dist(j, "fitted", w->best.kind, w->best.args, w->best.nargs);
        else json_text(j, "fitted", NULL);
        json_num(j, "ks", w->best.ok ? w->best.ks : NAN);
        DistKind kind;
        double args[3];
        int n = declared_wait(m, s, &kind, args);
        if (n >= 0) json_dist(j, "declared", kind, args, n);
        else json_text(j, "declared", NULL);
        json_num(j, "declared_mean_days", w->declared_present ? w->declared_mean : NAN);
        json_bool(j, "outside", w->outside);
        json_key(j, "candidates");
        json_open(j, '[');
        for (int k = 0; k < DIST_WAIT__COUNT; k++) json_fitted_dist(j, &w->candidates[k]);
        json_close(j, ']');
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void json_touchpoints(Json *j, const FitReport *r)
{
    const FitResult *f = r->fit;
    const FitObs *o = f->obs;
    const Model *m = model_of(r);
    json_key(j, "touchpoints");
    if (o->from_table) {
        json_put_null(j);
        return;
    }
    json_open(j, '[');
    for (int k = 0; k < o->ntouchpoints; k++) {
        json_next(j);
        json_open_line(j, '{');
        json_text(j, "touchpoint", touchpoint_name(m, k));
        json_text(j, "stage", m->touchpoints[k]->stage_index >= 0 ? touchpoint_stage(m, k) : NULL);
        json_num(j, "events", o->touch_events[k]);
        json_num(j, "outside", o->touch_outside[k]);
        json_num(j, "entries_met", o->touch_entries[k]);
        json_interval(j, "reach", f->reach[k]);
        json_num(j, "declared_reach", declared_reach(m, k));
        json_num(j, "cost", o->touch_cost[k]);
        json_num(j, "answers", o->score_n_tp[k]);
        json_interval(j, "nps", f->nps_tp[k]);
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void json_names(Json *j, const char *key, const FitNameCount *names, int n)
{
    json_key(j, key);
    json_open(j, '[');
    for (int i = 0; i < n; i++) {
        json_next(j);
        json_open_line(j, '{');
        json_text(j, "name", names[i].name);
        json_num(j, "count", names[i].count);
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void json_personas(Json *j, const FitReport *r)
{
    const FitResult *f = r->fit;
    const FitObs *o = f->obs;
    const Model *m = model_of(r);
    json_key(j, "personas");
    if (o->from_table) {
        json_put_null(j);
        return;
    }
    json_open(j, '{');
    json_key(j, "personas");
    json_open(j, '[');
    for (int p = 0; p < o->npersonas; p++) {
        json_next(j);
        json_open_line(j, '{');
        json_text(j, "persona", persona_name(m, p));
        json_num(j, "cases", o->persona_cases[p]);
        json_interval(j, "share", f->persona_share[p]);
        json_num(j, "declared_share", persona_share_declared(m, p));
        json_close(j, '}');
    }
    json_close(j, ']');
    json_num(j, "no_segment", o->no_segment);
    json_names(j, "unknown_segments", o->unknown_segments, o->nunknown_segments);
    json_close(j, '}');
}

static void json_validation(Json *j, const FitReport *r)
{
    json_key(j, "validation");
    if (!r->verdicts) {
        json_put_null(j);
        return;
    }
    json_open(j, '[');
    for (int i = 0; i < r->nverdicts; i++) {
        const FitVerdict *v = &r->verdicts[i];
        json_next(j);
        json_open_line(j, '{');
        json_text(j, "key", v->key);
        json_text(j, "title", v->title);
        json_num(j, "observed", v->observed);
        json_num(j, "simulated", v->sim);
        json_key(j, "simulated_ci95");
        json_put_pair(j, v->lo, v->hi);
        json_bool(j, "inside", v->inside);
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void json_met_arrows(Json *j, const FitReport *r)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    json_key(j, "met_arrows");
    json_open(j, '[');
    for (int i = 0; i < f->nmet_arrows; i++) {
        const FitMetArrow *x = &f->met_arrows[i];
        json_next(j);
        json_open_line(j, '{');
        json_text(j, "from", stage_name(m, x->from));
        json_text(j, "to", stage_name(m, x->to));
        json_text(j, "met", x->what);
        json_text(j, "met_kind", x->form.ref == REF_TOUCHPOINT ? "touchpoint" : "channel");
        json_num(j, "entries_without", x->n0);
        json_num(j, "moves_without", x->k0);
        json_interval(j, "share_without", x->p0);
        json_num(j, "entries_with", x->n1);
        json_num(j, "moves_with", x->k1);
        json_interval(j, "share_with", x->p1);
        json_interval(j, "a", x->a);
        json_interval(j, "b", x->b);
        json_num(j, "declared_a", x->declared_a);
        json_num(j, "declared_b", x->declared_b);
        json_bool(j, "outside_a", x->outside_a);
        json_bool(j, "outside_b", x->outside_b);
        json_bool(j, "fitted", x->fitted);
        json_text(j, "why_not_fitted", x->fitted ? NULL : x->why_not_fitted);
        json_close(j, '}');
    }
    json_close(j, ']');
}

static void json_trait_dist(Json *j, const FitTraitDist *d)
{
    json_next(j);
    json_open_line(j, '{');
    json_text(j, "dist", sema_dist_name(d->kind));
    json_bool(j, "ok", d->ok);
    json_key(j, "args");
    json_open_line(j, '[');
    for (int i = 0; d->ok && i < d->nargs; i++) {
        json_next(j);
        json_put_num(j, d->args[i].value);
    }
    json_close(j, ']');
    json_key(j, "args_ci95");
    json_open_line(j, '[');
    for (int i = 0; d->ok && i < d->nargs; i++) {
        json_next(j);
        json_put_pair(j, d->args[i].lo, d->args[i].hi);
    }
    json_close(j, ']');
    json_num(j, "loglik", d->ok ? d->loglik : NAN);
    json_num(j, "aic", d->ok ? d->aic : NAN);
    json_num(j, "ks", d->ok ? d->ks : NAN);
    json_close(j, '}');
}

/* The column a fitted trait was read from (its conflicts and values that are no numbers). */
static const FitTraitObs *trait_obs_of(const FitObs *o, const FitTrait *t)
{
    for (int i = 0; i < o->ntraits_obs; i++)
        if (o->traits[i].trait == t->trait) return &o->traits[i];
    return NULL;
}

static void json_one_trait(Json *j, const FitReport *r, const FitTrait *t)
{
    const Model *m = model_of(r);
    json_next(j);
    json_open(j, '{');
    json_text(j, "trait", m->traits[t->trait]);
    json_text(j, "persona", t->persona >= 0 ? persona_name(m, t->persona) : NULL);
    json_text(j, "column", t->column);
    json_num(j, "cases", t->n);
    json_num(j, "mean", t->mean);
    json_num(j, "sd", t->sd);
    json_num(j, "min", t->min);
    json_num(j, "max", t->max);
    const FitTraitObs *o = trait_obs_of(r->fit->obs, t);
    json_num(j, "conflicts", o ? o->conflicts : NAN);
    json_num(j, "not_numbers", o ? o->not_numbers : NAN);
    Buf d = BUF_INIT;
    put_declared_trait(&d, t);
    json_text(j, "declared", buf_str(&d));
    buf_free(&d);
    json_bool(j, "outside", trait_outside(t));
    json_text(j, "fitted", t->best >= 0 ? sema_dist_name(t->candidates[t->best].kind) : NULL);
    json_key(j, "candidates");
    json_open(j, '[');
    for (int k = 0; !t->is_choice && k < FIT_TRAIT_FAMILIES; k++) json_trait_dist(j, &t->candidates[k]);
    json_close(j, ']');
    json_key(j, "choices");
    json_open(j, '[');
    for (int k = 0; k < t->nchoices; k++) {
        const FitChoiceShare *v = &t->choices[k];
        json_next(j);
        json_open_line(j, '{');
        json_num(j, "value", v->value);
        json_num(j, "count", v->count);
        json_interval(j, "share", v->share);
        json_bool(j, "declared", v->declared);
        json_num(j, "declared_share", v->declared ? v->declared_share : NAN);
        json_bool(j, "outside", v->outside);
        json_close(j, '}');
    }
    json_close(j, ']');
    json_close(j, '}');
}

static void json_traits(Json *j, const FitReport *r)
{
    const FitResult *f = r->fit;
    json_key(j, "traits");
    json_open(j, '[');
    for (int i = 0; i < f->ntraits; i++) json_one_trait(j, r, &f->traits[i]);
    json_close(j, ']');
}

static void json_cannot(Json *j, const FitReport *r)
{
    const FitResult *f = r->fit;
    json_key(j, "cannot");
    json_open(j, '[');
    for (int i = 0; i < f->ncannot; i++) {
        json_next(j);
        json_open_line(j, '{');
        json_text(j, "kind", f->cannot[i].kind);
        json_text(j, "name", f->cannot[i].name);
        json_text(j, "why", f->cannot[i].detail);
        json_close(j, '}');
    }
    json_close(j, ']');
}

void render_fit_json(const FitReport *r, Buf *out)
{
    const FitObs *o = r->fit->obs;
    Json j = {out, 0, true, 0};
    json_open(&j, '{');
    json_num(&j, "schema", FIT_JSON_SCHEMA);
    json_text(&j, "journey", r->journey);
    json_log(&j, r);
    json_interval(&j, "conversion", r->fit->conversion);
    json_num(&j, "converted", o->converted);
    json_stages(&j, r);
    json_moves(&j, r);
    json_waits(&j, r);
    json_touchpoints(&j, r);
    json_personas(&j, r);
    if (o->from_table) {
        json_key(&j, "unmapped");
        json_put_null(&j);
    } else {
        json_names(&j, "unmapped", o->unmapped_names, o->nunmapped_names);
    }
    json_validation(&j, r);
    json_met_arrows(&j, r);
    json_traits(&j, r);
    json_cannot(&j, r);
    json_close(&j, '}');
    buf_putc(out, '\n');
}

/* ======================= CSV ======================= */

bool render_fit_parse_csv_table(const char *s, FitCsvTable *t)
{
    static const char *const names[FIT_CSV_NTABLES] = {"moves",    "waits",    "touchpoints", "personas",
                                                       "stages",   "unmapped", "validation",
                                                       "met",      "traits",   "choices",     "cannot"};
    for (int i = 0; i < FIT_CSV_NTABLES; i++)
        if (strcmp(s, names[i]) == 0) {
            *t = (FitCsvTable)i;
            return true;
        }
    return false;
}

static void csv_header(Buf *out, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) csv_str(out, names[i], i == n - 1);
}

static void csv_interval(Buf *out, FitInterval i, bool last)
{
    csv_num(out, i.value, false);
    csv_num(out, i.lo, false);
    csv_num(out, i.hi, last);
}

static void csv_moves(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    static const char *const head[] = {"from", "to", "in_journey", "count", "share", "share_lo", "share_hi",
                                       "declared", "outside", "fitted", "why_not_fitted"};
    csv_header(out, head, 11);
    for (int i = 0; i < f->nmoves; i++) {
        const FitMove *mv = &f->moves[i];
        csv_str(out, stage_name(m, mv->from), false);
        csv_str(out, stage_name(m, mv->to), false);
        csv_str(out, mv->arrow >= 0 ? "true" : "false", false);
        csv_num(out, mv->count, false);
        csv_interval(out, mv->p, false);
        csv_num(out, mv->arrow >= 0 && mv->declared_known ? mv->declared : NAN, false);
        csv_str(out, mv->outside ? "true" : "false", false);
        csv_str(out, mv->arrow >= 0 && mv->fitted ? "true" : "false", false);
        csv_str(out, mv->arrow >= 0 && !mv->fitted ? mv->why_not_fitted : "", true);
    }
}

static void csv_dist(Buf *out, DistKind kind, const double *args, int nargs, bool known)
{
    csv_str(out, !known ? "" : kind == DIST_CONSTANT ? "constant" : sema_dist_name(kind), false);
    for (int i = 0; i < 3; i++) csv_num(out, known && i < nargs ? args[i] : NAN, false);
}

static void csv_waits(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    static const char *const head[] = {"stage", "waits", "censored", "mean_days", "mean_lo", "mean_hi",
                                       "dist", "arg1", "arg2", "arg3", "aic", "ks",
                                       "declared_dist", "declared_arg1", "declared_arg2", "declared_arg3",
                                       "declared_mean_days", "outside"};
    csv_header(out, head, 18);
    for (int s = 0; s < f->obs->nstages; s++) {
        const FitWait *w = &f->waits[s];
        if (!wait_observed(w)) continue;
        csv_str(out, stage_name(m, s), false);
        csv_num(out, w->n, false);
        csv_num(out, w->censored, false);
        csv_interval(out, w->mean, false);
        csv_dist(out, w->best.kind, w->best.args, w->best.nargs, w->best.ok);
        csv_num(out, w->best.ok ? w->best.aic : NAN, false);
        csv_num(out, w->best.ok ? w->best.ks : NAN, false);
        DistKind kind = DIST_CONSTANT;
        double args[3] = {0, 0, 0};
        int n = declared_wait(m, s, &kind, args);
        csv_dist(out, kind, args, n, n >= 0);
        csv_num(out, w->declared_present ? w->declared_mean : NAN, false);
        csv_str(out, w->outside ? "true" : "false", true);
    }
}

static void csv_touchpoints(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const FitObs *o = f->obs;
    const Model *m = model_of(r);
    static const char *const head[] = {"touchpoint", "stage", "events", "outside", "entries_met", "reach",
                                       "reach_lo", "reach_hi", "declared_reach", "cost", "answers", "nps",
                                       "nps_lo", "nps_hi"};
    csv_header(out, head, 14);
    for (int k = 0; k < o->ntouchpoints && !o->from_table; k++) {
        csv_str(out, touchpoint_name(m, k), false);
        csv_str(out, touchpoint_stage(m, k), false);
        csv_num(out, o->touch_events[k], false);
        csv_num(out, o->touch_outside[k], false);
        csv_num(out, o->touch_entries[k], false);
        csv_interval(out, f->reach[k], false);
        csv_num(out, declared_reach(m, k), false);
        csv_num(out, o->touch_cost[k], false);
        csv_num(out, o->score_n_tp[k], false);
        csv_interval(out, f->nps_tp[k], true);
    }
}

static void csv_personas(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const FitObs *o = f->obs;
    const Model *m = model_of(r);
    static const char *const head[] = {"persona", "cases", "share", "share_lo", "share_hi", "declared_share"};
    csv_header(out, head, 6);
    for (int p = 0; p < o->npersonas && !o->from_table; p++) {
        csv_str(out, persona_name(m, p), false);
        csv_num(out, o->persona_cases[p], false);
        csv_interval(out, f->persona_share[p], false);
        csv_num(out, persona_share_declared(m, p), true);
    }
}

static void csv_stages(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const FitObs *o = f->obs;
    const Model *m = model_of(r);
    static const char *const head[] = {"stage", "label", "starts", "entries", "completed", "censored",
                                       "churned_inactive", "revenue", "answers", "mood", "mood_lo", "mood_hi",
                                       "declared_mood"};
    csv_header(out, head, 13);
    for (int s = 0; s < o->nstages; s++) {
        csv_str(out, stage_name(m, s), false);
        csv_str(out, stage_label(m, s), false);
        csv_num(out, o->starts[s], false);
        csv_num(out, o->entries[s], false);
        csv_num(out, o->completed[s], false);
        csv_num(out, censored(o, s), false);
        csv_num(out, churned_by_inactivity(o, s), false);
        csv_num(out, o->from_table ? NAN : o->revenue[s], false);
        csv_num(out, o->from_table ? NAN : o->mood_n[s], false);
        csv_interval(out, f->stage_mood[s], false);
        csv_num(out, declared_mood(m, s), true);
    }
}

static void csv_unmapped(const FitReport *r, Buf *out)
{
    const FitObs *o = r->fit->obs;
    static const char *const head[] = {"event", "count"};
    csv_header(out, head, 2);
    for (int i = 0; i < o->nunmapped_names && !o->from_table; i++) {
        csv_str(out, o->unmapped_names[i].name, false);
        csv_num(out, o->unmapped_names[i].count, true);
    }
}

static void csv_validation(const FitReport *r, Buf *out)
{
    static const char *const head[] = {"key", "title", "observed", "simulated", "simulated_lo", "simulated_hi",
                                       "inside"};
    csv_header(out, head, 7);
    for (int i = 0; r->verdicts && i < r->nverdicts; i++) {
        const FitVerdict *v = &r->verdicts[i];
        csv_str(out, v->key, false);
        csv_str(out, v->title, false);
        csv_num(out, v->observed, false);
        csv_num(out, v->sim, false);
        csv_num(out, v->lo, false);
        csv_num(out, v->hi, false);
        csv_str(out, v->inside ? "true" : "false", true);
    }
}

static void csv_met(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    static const char *const head[] = {"from", "to", "met", "entries_without", "moves_without", "share_without",
                                       "share_without_lo", "share_without_hi", "entries_with", "moves_with",
                                       "share_with", "share_with_lo", "share_with_hi", "a", "a_lo", "a_hi", "b",
                                       "b_lo", "b_hi", "declared_a", "declared_b", "outside_a", "outside_b",
                                       "fitted", "why_not_fitted"};
    csv_header(out, head, 25);
    for (int i = 0; i < f->nmet_arrows; i++) {
        const FitMetArrow *x = &f->met_arrows[i];
        csv_str(out, stage_name(m, x->from), false);
        csv_str(out, stage_name(m, x->to), false);
        csv_str(out, x->what, false);
        csv_num(out, x->n0, false);
        csv_num(out, x->k0, false);
        csv_interval(out, x->p0, false);
        csv_num(out, x->n1, false);
        csv_num(out, x->k1, false);
        csv_interval(out, x->p1, false);
        csv_interval(out, x->a, false);
        csv_interval(out, x->b, false);
        csv_num(out, x->declared_a, false);
        csv_num(out, x->declared_b, false);
        csv_str(out, x->outside_a ? "true" : "false", false);
        csv_str(out, x->outside_b ? "true" : "false", false);
        csv_str(out, x->fitted ? "true" : "false", false);
        csv_str(out, x->fitted ? "" : x->why_not_fitted, true);
    }
}

static void csv_traits(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    static const char *const head[] = {"trait", "persona", "column", "cases", "mean", "sd", "dist", "arg1",
                                       "arg1_lo", "arg1_hi", "arg2", "arg2_lo", "arg2_hi", "aic", "ks",
                                       "chosen", "declared", "outside"};
    csv_header(out, head, 18);
    for (int i = 0; i < f->ntraits; i++) {
        const FitTrait *t = &f->traits[i];
        for (int k = 0; !t->is_choice && k < FIT_TRAIT_FAMILIES; k++) {
            const FitTraitDist *d = &t->candidates[k];
            csv_str(out, m->traits[t->trait], false);
            csv_str(out, t->persona >= 0 ? persona_name(m, t->persona) : "", false);
            csv_str(out, t->column, false);
            csv_num(out, t->n, false);
            csv_num(out, t->mean, false);
            csv_num(out, t->sd, false);
            csv_str(out, sema_dist_name(d->kind), false);
            csv_interval(out, d->args[0], false);
            csv_interval(out, d->args[1], false);
            csv_num(out, d->ok ? d->aic : NAN, false);
            csv_num(out, d->ok ? d->ks : NAN, false);
            csv_str(out, k == t->best ? "true" : "false", false);
            Buf b = BUF_INIT;
            put_declared_trait(&b, t);
            csv_str(out, buf_str(&b), false);
            buf_free(&b);
            csv_str(out, trait_outside(t) ? "true" : "false", true);
        }
    }
}

static void csv_choices(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    static const char *const head[] = {"trait", "persona", "value", "count", "share", "share_lo", "share_hi",
                                       "declared", "declared_share", "outside"};
    csv_header(out, head, 10);
    for (int i = 0; i < f->ntraits; i++) {
        const FitTrait *t = &f->traits[i];
        for (int k = 0; k < t->nchoices; k++) {
            const FitChoiceShare *v = &t->choices[k];
            csv_str(out, m->traits[t->trait], false);
            csv_str(out, t->persona >= 0 ? persona_name(m, t->persona) : "", false);
            csv_num(out, v->value, false);
            csv_num(out, v->count, false);
            csv_interval(out, v->share, false);
            csv_str(out, v->declared ? "true" : "false", false);
            csv_num(out, v->declared ? v->declared_share : NAN, false);
            csv_str(out, v->outside ? "true" : "false", true);
        }
    }
}

static void csv_cannot(const FitReport *r, Buf *out)
{
    const FitResult *f = r->fit;
    static const char *const head[] = {"kind", "name", "why"};
    csv_header(out, head, 3);
    for (int i = 0; i < f->ncannot; i++) {
        csv_str(out, f->cannot[i].kind, false);
        csv_str(out, f->cannot[i].name, false);
        csv_str(out, f->cannot[i].detail, true);
    }
}

void render_fit_csv(const FitReport *r, FitCsvTable t, Buf *out)
{
    switch (t) {
    case FIT_CSV_MOVES: csv_moves(r, out); break;
    case FIT_CSV_WAITS: csv_waits(r, out); break;
    case FIT_CSV_TOUCHPOINTS: csv_touchpoints(r, out); break;
    case FIT_CSV_PERSONAS: csv_personas(r, out); break;
    case FIT_CSV_STAGES: csv_stages(r, out); break;
    case FIT_CSV_UNMAPPED: csv_unmapped(r, out); break;
    case FIT_CSV_VALIDATION: csv_validation(r, out); break;
    case FIT_CSV_MET: csv_met(r, out); break;
    case FIT_CSV_TRAITS: csv_traits(r, out); break;
    case FIT_CSV_CHOICES: csv_choices(r, out); break;
    case FIT_CSV_CANNOT: csv_cannot(r, out); break;
    case FIT_CSV_NTABLES: break;
    }
}

/* ======================= HTML ======================= */

static const char NBSP[] = "\xC2\xA0";

static void html_text(Buf *b, const char *tag, const char *cls, const char *text)
{
    if (cls) buf_printf(b, "<%s class=\"%s\">", tag, cls);
    else buf_printf(b, "<%s>", tag);
    chart_escape(b, text);
    buf_printf(b, "</%s>", tag);
}

/* A table cell from the text in t (cleared). */
static void td(Buf *b, Buf *t, bool number)
{
    buf_puts(b, number ? "<td class=\"n\">" : "<td>");
    chart_escape(b, buf_str(t));
    buf_puts(b, "</td>");
    buf_clear(t);
}

static void thead(Buf *b, const char *const *head, const char *numbers, int n)
{
    buf_puts(b, "<div class=\"tablewrap\"><table>\n<thead><tr>");
    for (int i = 0; i < n; i++) {
        buf_puts(b, numbers[i] == 'r' ? "<th class=\"n\">" : "<th>");
        chart_escape(b, head[i]);
        buf_puts(b, "</th>");
    }
    buf_puts(b, "</tr></thead>\n<tbody>\n");
}

static void tend(Buf *b) { buf_puts(b, "</tbody></table></div>\n"); }

/* The observed funnel (entries of each stage) against the entries the declared arrows give for
 * the observed starts: where the map predicts more or fewer customers than came. */
static void html_funnel(Buf *b, const FitReport *r)
{
    const FitObs *o = r->fit->obs;
    const Model *m = model_of(r);
    int n = o->nstages < HTML_MAX_STAGES ? o->nstages : HTML_MAX_STAGES;
    if (n == 0) return;
    double *model = model_entries(r->fit);
    double top = 1;
    for (int s = 0; s < n; s++) {
        if (o->entries[s] > top) top = o->entries[s];
        if (isfinite(model[s]) && model[s] > top) top = model[s];
    }
    enum { W = 960, ROW = 30, LEFT = 190, RIGHT = 130 };
    double h = 60 + (double)n * ROW;
    Chart c;
    buf_puts(b, "<figure class=\"wide\">\n");
    chart_open(&c, b, W, h, "Entries per stage: observed and as the journey's declared arrows give them");
    chart_plot_area(&c, LEFT, 40, W - RIGHT, h - 10);
    chart_scale(&c, 0, top, 0, n);
    buf_puts(b, "<text x=\"0\" y=\"16\" class=\"chart-title\">Funnel: observed entries and the journey's</text>\n");
    ChartKey keys[] = {{"observed", MAIN_COLOUR, KEY_BOX, false}, {"declared arrows", DECLARED_COLOUR, KEY_BOX, false}};
    chart_legend(&c, W, 16, keys, 2, true);
    Buf t = BUF_INIT;
    for (int s = 0; s < n; s++) {
        double y = 40 + s * ROW;
        chart_text(&c, LEFT - 8, y + 18, ANCHOR_END, NULL, NULL, stage_name(m, s));
        double wo = chart_x(&c, o->entries[s]) - c.left;
        buf_printf(&t, "%s: ", stage_name(m, s));
        put_count(&t, o->entries[s]);
        buf_puts(&t, " entries observed");
        chart_rect(&c, c.left, y + 3, wo, 11, MAIN_COLOUR, NULL, buf_str(&t));
        buf_clear(&t);
        if (isfinite(model[s])) {
            double wm = chart_x(&c, model[s]) - c.left;
            buf_printf(&t, "%s: ", stage_name(m, s));
            put_count(&t, round(model[s]));
            buf_puts(&t, " entries by the declared arrows");
            chart_rect(&c, c.left, y + 15, wm, 11, DECLARED_COLOUR, NULL, buf_str(&t));
            buf_clear(&t);
        }
        put_count(&t, o->entries[s]);
        if (isfinite(model[s])) {
            buf_puts(&t, " / ");
            put_count(&t, round(model[s]));
        }
        chart_text(&c, fmax(chart_x(&c, o->entries[s]), isfinite(model[s]) ? chart_x(&c, model[s]) : 0) + 6,
                   y + 18, ANCHOR_START, "value", NULL, buf_str(&t));
        buf_clear(&t);
    }
    buf_free(&t);
    chart_close(&c);
    buf_puts(b, "<figcaption>Entries of each stage in the log (blue) and the entries the journey's declared "
                "probabilities give for the same first stages (orange; an arrow without a constant probability "
                "takes the observed share).");
    if (!isfinite(model[0])) buf_puts(b, " The declared arrows loop without end, so they give no funnel.");
    buf_puts(b, "</figcaption>\n</figure>\n");
    free(model);
}

/* The CDF of a wait distribution as the simulator draws it (runtime/rng.c's parameters). */
static double wait_cdf(const RtWait *w, double x)
{
    if (x <= 0) return 0;
    switch (w->kind) {
    case RT_WAIT_NONE: return 1;
    case RT_WAIT_CONST: return x >= w->a ? 1 : 0;
    case RT_WAIT_EXP: return w->a > 0 ? 1 - exp(-x / w->a) : 1;
    case RT_WAIT_UNIFORM: return x <= w->a ? 0 : x >= w->a + w->b ? 1 : (x - w->a) / w->b;
    case RT_WAIT_NORMAL: {
        double below0 = 0.5 * erfc(w->a / w->b / sqrt(2.0));
        double below = 0.5 * erfc(-(x - w->a) / w->b / sqrt(2.0));
        return below0 < 1 ? (below - below0) / (1 - below0) : 1;
    }
    case RT_WAIT_LOGNORMAL: return 0.5 * erfc(-(log(x) - w->a) / w->b / sqrt(2.0));
    case RT_WAIT_TRIANGULAR: {
        double lo = w->a, mode = w->b, hi = w->c;
        if (x <= lo) return 0;
        if (x >= hi) return 1;
        if (x <= mode) return (x - lo) * (x - lo) / ((hi - lo) * (mode - lo));
        return 1 - (hi - x) * (hi - x) / ((hi - lo) * (hi - mode));
    }
    }
    return 1;
}

/* One stage's waits: finished ones (bars) and censored ones (pale, stacked) per bin of the log
 * scale, and the fitted distribution's expected count per bin for all of them (a line). */
static void html_wait_chart(Buf *b, const FitReport *r, int s)
{
    const FitObs *o = r->fit->obs;
    const FitWait *w = &r->fit->waits[s];
    const FitWaitObs *done = &o->wait_done[s], *cens = &o->wait_censored[s];
    int first = FIT_BINS, last = -1;
    for (int k = 0; k < FIT_BINS; k++)
        if (done->bin[k] > 0 || cens->bin[k] > 0) {
            if (first == FIT_BINS) first = k;
            last = k;
        }
    if (last < 0) return;
    first = first > 2 ? first - 2 : 0;
    last = last + 2 < FIT_BINS ? last + 2 : FIT_BINS - 1;
    RtWait fitted = {0};
    if (w->best.ok) fitted = rt_wait_prepare(w->best.kind, w->best.args);
    double total = done->n + cens->n, top = 1;
    double *expected = xcalloc((size_t)FIT_BINS, sizeof *expected), *xs = xcalloc((size_t)FIT_BINS, sizeof *xs);
    for (int k = first; k <= last; k++) {
        top = fmax(top, done->bin[k] + cens->bin[k]);
        xs[k] = k + 0.5;
        expected[k] = w->best.ok ? total * (wait_cdf(&fitted, fit_bin_hi(k)) - wait_cdf(&fitted, fit_bin_lo(k))) : NAN;
        if (isfinite(expected[k])) top = fmax(top, expected[k]);
    }
    enum { W = 460, H = 250 };
    Chart c;
    Buf t = BUF_INIT;
    buf_printf(&t, "Waits in %s: observed and fitted", stage_name(model_of(r), s));
    buf_puts(b, "<figure>\n");
    chart_open(&c, b, W, H, buf_str(&t));
    buf_clear(&t);
    chart_plot_area(&c, 50, 34, W - 12, H - 44);
    double ylo = 0, yhi = top, yt[CHART_MAX_TICKS];
    int ny;
    double ystep = chart_ticks(&ylo, &yhi, 5, yt, &ny);
    chart_scale(&c, first, last + 1, 0, yhi);
    buf_puts(b, "<text x=\"0\" y=\"16\" class=\"chart-title\">");
    chart_escape(b, stage_name(model_of(r), s));
    buf_puts(b, "</text>\n");
    chart_y_axis(&c, yt, ny, ystep < 1 ? 1 : ystep, CHART_NUMBER, "waits");
    /* Decade ticks, labelled as durations (bins are twelve to a factor of ten). */
    for (int k = first; k <= last + 1; k++) {
        if (k % 12 != 0) continue;
        double x = chart_x(&c, k - 0.5 < first ? first : k - 0.5);
        format_duration(&t, fit_bin_lo(k) * sqrt(pow(10, 1.0 / 12)), NBSP);
        chart_text(&c, x, c.bottom + 16, ANCHOR_MIDDLE, "tick", NULL, buf_str(&t));
        buf_clear(&t);
    }
    for (int k = first; k <= last; k++) {
        double x0 = chart_x(&c, k) + 0.5, x1 = chart_x(&c, k + 1) - 0.5;
        double yd = chart_y(&c, done->bin[k]), yc = chart_y(&c, done->bin[k] + cens->bin[k]);
        if (done->bin[k] > 0) {
            format_duration(&t, fit_bin_lo(k), " ");
            buf_puts(&t, " to ");
            format_duration(&t, fit_bin_hi(k), " ");
            buf_puts(&t, ": ");
            put_count(&t, done->bin[k]);
            buf_puts(&t, " waits");
            chart_rect(&c, x0, yd, x1 - x0, c.bottom - yd, MAIN_COLOUR, NULL, buf_str(&t));
            buf_clear(&t);
        }
        if (cens->bin[k] > 0) {
            put_count(&t, cens->bin[k]);
            buf_puts(&t, " still inside at the log's end");
            chart_rect(&c, x0, yc, x1 - x0, yd - yc, CENSORED_COLOUR, NULL, buf_str(&t));
            buf_clear(&t);
        }
    }
    if (w->best.ok) chart_line(&c, xs + first, expected + first, last - first + 1, FIT_COLOUR, false, NULL);
    ChartKey keys[] = {{"waits", MAIN_COLOUR, KEY_BOX, false},
                       {"censored", CENSORED_COLOUR, KEY_BOX, false},
                       {"fitted", FIT_COLOUR, KEY_LINE, false}};
    chart_legend(&c, W, 16, keys, w->best.ok ? 3 : 2, true);
    chart_close(&c);
    buf_puts(b, "<figcaption>");
    if (w->best.ok) {
        put_dist(&t, w->best.kind, w->best.args, w->best.nargs, NBSP);
        buf_puts(&t, ", mean ");
        format_duration(&t, w->mean.value, NBSP);
    } else {
        buf_puts(&t, "too few waits to fit");
    }
    buf_puts(&t, "; declared ");
    put_declared_wait(&t, model_of(r), s, NBSP);
    chart_escape(b, buf_str(&t));
    buf_puts(b, "</figcaption>\n</figure>\n");
    buf_free(&t);
    free(expected);
    free(xs);
}

static void html_moves_table(Buf *b, const FitReport *r)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    static const char *const head[] = {"From", "To", "Count", "Observed", "95% interval", "Declared"};
    thead(b, head, "llrrrl", 6);
    Buf t = BUF_INIT;
    for (int i = 0; i < f->nmoves; i++) {
        const FitMove *mv = &f->moves[i];
        buf_puts(b, mv->outside || mv->arrow < 0 ? "<tr class=\"flag\">" : "<tr>");
        buf_puts(&t, stage_name(m, mv->from));
        td(b, &t, false);
        buf_puts(&t, stage_name(m, mv->to));
        td(b, &t, false);
        put_count(&t, mv->count);
        td(b, &t, true);
        put_percent(&t, mv->p.value);
        td(b, &t, true);
        put_percent_interval(&t, mv->p);
        td(b, &t, true);
        put_move_declared(&t, mv);
        if (mv->outside) buf_puts(&t, " (outside)");
        td(b, &t, false);
        buf_puts(b, "</tr>\n");
    }
    buf_free(&t);
    tend(b);
}

static void html_waits_table(Buf *b, const FitReport *r)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    static const char *const head[] = {"Stage", "Waits", "Censored", "Fitted", "Mean", "95% interval", "KS",
                                       "Declared"};
    thead(b, head, "lrrlrrrl", 8);
    Buf t = BUF_INIT;
    for (int s = 0; s < f->obs->nstages; s++) {
        const FitWait *w = &f->waits[s];
        if (!wait_observed(w)) continue;
        buf_puts(b, w->outside ? "<tr class=\"flag\">" : "<tr>");
        buf_puts(&t, stage_name(m, s));
        td(b, &t, false);
        put_count(&t, w->n);
        td(b, &t, true);
        put_count(&t, w->censored);
        td(b, &t, true);
        if (w->best.ok) put_dist(&t, w->best.kind, w->best.args, w->best.nargs, NBSP);
        else buf_puts(&t, "too few waits");
        td(b, &t, false);
        format_duration(&t, w->mean.value, NBSP);
        td(b, &t, true);
        put_days_interval(&t, w->mean, NBSP);
        td(b, &t, true);
        if (w->best.ok && isfinite(w->best.ks)) format_fixed(&t, w->best.ks, 3, false);
        td(b, &t, true);
        put_declared_wait(&t, m, s, NBSP);
        if (w->outside) buf_puts(&t, " (outside)");
        td(b, &t, false);
        buf_puts(b, "</tr>\n");
    }
    buf_free(&t);
    tend(b);
}

static void html_touchpoints_table(Buf *b, const FitReport *r)
{
    const FitResult *f = r->fit;
    const FitObs *o = f->obs;
    const Model *m = model_of(r);
    if (o->ntouchpoints == 0 || o->from_table) return;
    buf_puts(b, "<h3>Touchpoints</h3>\n");
    static const char *const head[] = {"Touchpoint", "Stage", "Events", "Reach", "95% interval", "Declared",
                                       "Answers", "NPS"};
    thead(b, head, "llrrrrrr", 8);
    Buf t = BUF_INIT;
    for (int k = 0; k < o->ntouchpoints; k++) {
        buf_puts(b, "<tr>");
        buf_puts(&t, touchpoint_name(m, k));
        td(b, &t, false);
        buf_puts(&t, touchpoint_stage(m, k));
        td(b, &t, false);
        put_count(&t, o->touch_events[k]);
        td(b, &t, true);
        put_percent(&t, f->reach[k].value);
        td(b, &t, true);
        put_percent_interval(&t, f->reach[k]);
        td(b, &t, true);
        put_percent(&t, declared_reach(m, k));
        td(b, &t, true);
        put_count(&t, o->score_n_tp[k]);
        td(b, &t, true);
        if (isfinite(f->nps_tp[k].value)) format_fixed(&t, f->nps_tp[k].value, 1, true);
        td(b, &t, true);
        buf_puts(b, "</tr>\n");
    }
    buf_free(&t);
    tend(b);
}

static void html_personas_table(Buf *b, const FitReport *r)
{
    const FitResult *f = r->fit;
    const FitObs *o = f->obs;
    const Model *m = model_of(r);
    if (!has_personas(o)) return;
    buf_puts(b, "<h3>Personas</h3>\n");
    static const char *const head[] = {"Persona", "Cases", "Share", "95% interval", "Declared"};
    thead(b, head, "lrrrr", 5);
    Buf t = BUF_INIT;
    for (int p = 0; p < o->npersonas; p++) {
        buf_puts(b, "<tr>");
        buf_puts(&t, persona_name(m, p));
        td(b, &t, false);
        put_count(&t, o->persona_cases[p]);
        td(b, &t, true);
        put_percent(&t, f->persona_share[p].value);
        td(b, &t, true);
        put_percent_interval(&t, f->persona_share[p]);
        td(b, &t, true);
        put_percent(&t, persona_share_declared(m, p));
        td(b, &t, true);
        buf_puts(b, "</tr>\n");
    }
    buf_free(&t);
    tend(b);
}

static void html_unmapped_table(Buf *b, const FitReport *r)
{
    const FitObs *o = r->fit->obs;
    if (o->nunmapped_names == 0 || o->from_table) return;
    buf_puts(b, "<h3>Unmapped events</h3>\n");
    static const char *const head[] = {"Event", "Count"};
    thead(b, head, "lr", 2);
    Buf t = BUF_INIT;
    for (int i = 0; i < o->nunmapped_names && i < UNMAPPED_SHOWN; i++) {
        buf_puts(b, "<tr>");
        buf_puts(&t, o->unmapped_names[i].name);
        td(b, &t, false);
        put_count(&t, o->unmapped_names[i].count);
        td(b, &t, true);
        buf_puts(b, "</tr>\n");
    }
    buf_free(&t);
    tend(b);
}

static void html_validation_table(Buf *b, const FitReport *r)
{
    if (!r->verdicts) return;
    buf_puts(b, "<h3>Validation: the journey simulated against the log</h3>\n");
    static const char *const head[] = {"Figure", "Observed", "Simulated", "95% interval"};
    thead(b, head, "lrrr", 4);
    Buf t = BUF_INIT;
    for (int i = 0; i < r->nverdicts; i++) {
        const FitVerdict *v = &r->verdicts[i];
        buf_puts(b, v->inside ? "<tr>" : "<tr class=\"flag\">");
        buf_puts(&t, v->title ? v->title : v->key);
        td(b, &t, false);
        put_verdict_value(&t, v, v->observed, NBSP);
        td(b, &t, true);
        put_verdict_value(&t, v, v->sim, NBSP);
        td(b, &t, true);
        put_verdict_interval(&t, v, NBSP);
        td(b, &t, true);
        buf_puts(b, "</tr>\n");
    }
    buf_free(&t);
    tend(b);
}

/* A table of rows of cells (the table's own), for the sections of issue 16. */
static void html_rows_start(Buf *b, const char *title, const char *note, const char *const *head, const char *align,
                            int n)
{
    buf_printf(b, "<h3>%s</h3>\n<p class=\"note\">", title);
    chart_escape(b, note);
    buf_puts(b, "</p>\n");
    thead(b, head, align, n);
}

static void html_row(Buf *b, Buf *c, const char *align, int n, bool flag)
{
    buf_puts(b, flag ? "<tr class=\"flag\">" : "<tr>");
    for (int i = 0; i < n; i++) td(b, &c[i], align[i] == 'r');
    buf_puts(b, "</tr>\n");
}

static void html_issue16(Buf *b, const FitReport *r)
{
    const FitResult *f = r->fit;
    const Model *m = model_of(r);
    if (f->nmet_arrows) {
        static const char align[] = "lllrrrrrrrrl";
        html_rows_start(b, "Arrows that depend on a meeting",
                        "A + B * met(T): the stage's entries without and with a meeting of T, the share of each "
                        "that took the arrow (Wilson 95%); A is the share without, B the difference (Newcombe's "
                        "interval); highlighted: a declared value outside its interval.", MET_HEAD, align, MET_COLS);
        Buf c[MET_COLS];
        for (int i = 0; i < MET_COLS; i++) c[i] = (Buf)BUF_INIT;
        for (int i = 0; i < f->nmet_arrows; i++) {
            met_cells(m, &f->met_arrows[i], c);
            html_row(b, c, align, MET_COLS, f->met_arrows[i].outside_a || f->met_arrows[i].outside_b);
        }
        for (int i = 0; i < MET_COLS; i++) buf_free(&c[i]);
        tend(b);
    }
    if (any_continuous(f)) {
        static const char align[] = "lllrrllrl";
        html_rows_start(b, "Traits", "Each case's value from its column; the family of lowest AIC by maximum "
                        "likelihood with 95% intervals of its arguments; KS: the largest distance to the values' "
                        "distribution.", TRAIT_HEAD, align, TRAIT_COLS);
        Buf c[TRAIT_COLS];
        for (int i = 0; i < TRAIT_COLS; i++) c[i] = (Buf)BUF_INIT;
        for (int i = 0; i < f->ntraits; i++) {
            if (f->traits[i].is_choice) continue;
            trait_cells(m, &f->traits[i], c);
            html_row(b, c, align, TRAIT_COLS, trait_outside(&f->traits[i]));
        }
        for (int i = 0; i < TRAIT_COLS; i++) buf_free(&c[i]);
        tend(b);
    }
    if (any_choice(f)) {
        static const char align[] = "llrrrrll";
        html_rows_start(b, "Choice traits", "Each value's share of the cases (Wilson 95%) beside its declared "
                        "weight; ? a value the choice does not declare.", CHOICE_HEAD, align, CHOICE_COLS);
        Buf c[CHOICE_COLS];
        for (int i = 0; i < CHOICE_COLS; i++) c[i] = (Buf)BUF_INIT;
        for (int i = 0; i < f->ntraits; i++)
            for (int k = 0; f->traits[i].is_choice && k < f->traits[i].nchoices; k++) {
                choice_cells(m, &f->traits[i], &f->traits[i].choices[k], c);
                html_row(b, c, align, CHOICE_COLS, f->traits[i].choices[k].outside || !f->traits[i].choices[k].declared);
            }
        for (int i = 0; i < CHOICE_COLS; i++) buf_free(&c[i]);
        tend(b);
    }
    if (f->ncannot) {
        buf_puts(b, "<h3>What the log cannot tell</h3>\n<ul class=\"cannot\">\n");
        for (int i = 0; i < f->ncannot; i++) {
            buf_puts(b, "<li>");
            chart_escape(b, f->cannot[i].detail);
            buf_puts(b, "</li>\n");
        }
        buf_puts(b, "</ul>\n");
    }
}

void render_fit_html_section(const FitReport *r, Buf *b)
{
    const FitObs *o = r->fit->obs;
    buf_puts(b, "<section class=\"fit\">\n<h2>The journey against the log</h2>\n<p class=\"intro\">");
    Buf t = BUF_INIT;
    put_count(&t, o->events);
    buf_puts(&t, " events of ");
    put_count(&t, o->cases);
    buf_puts(&t, " cases from ");
    put_time(&t, o->log_start);
    buf_puts(&t, " to ");
    put_time(&t, o->log_end);
    buf_puts(&t, "; conversion ");
    put_percent(&t, r->fit->conversion.value);
    if (isfinite(r->fit->conversion.lo)) {
        buf_puts(&t, " (95% interval ");
        put_percent_interval(&t, r->fit->conversion);
        buf_puts(&t, ")");
    }
    buf_puts(&t, ".");
    if (r->columns) {
        buf_puts(&t, " Columns: ");
        put_columns(&t, r->columns, r->time_format, ", ");
        buf_puts(&t, ".");
    }
    if (o->from_table) buf_printf(&t, " From the --sql query's table, which does not give %s.", NOT_FROM_TABLE);
    chart_escape(b, buf_str(&t));
    buf_free(&t);
    buf_puts(b, "</p>\n");
    html_funnel(b, r);
    buf_puts(b, "<h3>Moves out of each stage</h3>\n<p class=\"note\">The observed share of a stage's moves with "
                "its 95% (Wilson) interval; highlighted rows: the declared value is outside it, or the journey "
                "has no such arrow.</p>\n");
    html_moves_table(b, r);
    buf_puts(b, "<h3>Waits</h3>\n<p class=\"note\">Time from entering a stage to its next move, fitted with "
                "censoring among the language's distributions (lowest AIC); KS: the largest distance between "
                "the fitted distribution and the Kaplan-Meier estimate.</p>\n<div class=\"grid2\">\n");
    int shown = 0;
    for (int s = 0; s < o->nstages && shown < HTML_MAX_WAITS; s++)
        if (wait_observed(&r->fit->waits[s])) {
            html_wait_chart(b, r, s);
            shown++;
        }
    buf_puts(b, "</div>\n");
    html_waits_table(b, r);
    html_touchpoints_table(b, r);
    html_personas_table(b, r);
    html_unmapped_table(b, r);
    html_validation_table(b, r);
    html_issue16(b, r);
    buf_puts(b, "</section>\n");
}

static const char FIT_CSS[] =
    ":root{--ink:#1c2333;--muted:#5a6478;--line:#dde2ea;--panel:#f5f7fa;--blue:#0072B2;--red:#D55E00}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#e9edf2;color:var(--ink);font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Helvetica Neue\",Arial,\"Liberation Sans\",\"DejaVu Sans\",sans-serif}\n"
    "main{max-width:1120px;margin:0 auto;padding:36px 40px 48px;background:#fff}\n"
    "header.top{border-bottom:3px solid var(--blue);padding-bottom:14px}\n"
    ".kicker{margin:0;color:var(--blue);font-size:13px;font-weight:600;letter-spacing:.06em;text-transform:uppercase}\n"
    "h1{margin:4px 0 6px;font-size:30px;line-height:1.2}\n"
    ".meta{margin:0;color:var(--muted);font-size:14px}\n"
    "section{margin-top:30px}\n"
    "h2{margin:0 0 12px;padding-bottom:4px;font-size:20px;border-bottom:1px solid var(--line)}\n"
    "h3{margin:18px 0 8px;font-size:16px}\n"
    "p.intro,p.note{margin:0 0 12px;color:var(--muted);font-size:14px}\n"
    "figure{margin:0 0 22px;break-inside:avoid;page-break-inside:avoid}\n"
    "figcaption{margin-top:4px;font-size:13px;color:var(--muted)}\n"
    ".grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:8px 28px}\n"
    "svg.chart{display:block;width:100%;height:auto;overflow:visible}\n"
    ".chart text{fill:var(--ink);font-size:13px}\n"
    ".chart .tick{fill:var(--muted);font-size:12px}\n"
    ".chart .axis-title{fill:var(--muted);font-size:12.5px}\n"
    ".chart .chart-title{font-size:15px;font-weight:600}\n"
    ".chart .legend{font-size:12px}\n"
    ".chart .value{font-size:12.5px;font-variant-numeric:tabular-nums}\n"
    ".chart .grid{stroke:#e6e9ef;stroke-width:1}\n"
    ".chart .axis{stroke:#9aa3b2;stroke-width:1}\n"
    ".tablewrap{overflow-x:auto}\n"
    "table{width:100%;margin:0 0 16px;border-collapse:collapse;font-size:13px}\n"
    "th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
    "thead th{background:var(--panel);font-weight:600;border-bottom:2px solid var(--line)}\n"
    "td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "tr.flag td{background:#fbe3d4}\n"
    "footer{margin-top:36px;padding-top:10px;border-top:1px solid var(--line);color:var(--muted);font-size:12.5px}\n"
    "@media print{body{background:#fff;font-size:10.5pt}main{max-width:none;padding:0}.grid2{display:block}"
    "tr{break-inside:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

void render_fit_html(const FitReport *r, const char *version, Buf *b)
{
    const Model *m = model_of(r);
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
                "<meta charset=\"utf-8\"/>\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"/>\n"
                "<meta name=\"generator\" content=\"cjm ");
    chart_escape(b, version);
    buf_puts(b, "\"/>\n<title>");
    chart_escape(b, m->title);
    buf_puts(b, " \xE2\x80\x94 fitted to data</title>\n<style>\n");
    buf_puts(b, FIT_CSS);
    buf_puts(b, "</style>\n</head>\n<body>\n<main>\n<header class=\"top\">\n<p class=\"kicker\">Customer journey "
                "fitted to data</p>\n");
    html_text(b, "h1", NULL, m->title);
    buf_puts(b, "\n<p class=\"meta\">");
    chart_escape(b, r->journey);
    buf_puts(b, " \xC2\xB7 ");
    chart_escape(b, r->log);
    buf_puts(b, "</p>\n</header>\n");
    render_fit_html_section(r, b);
    buf_puts(b, "<footer>Made by cjm ");
    chart_escape(b, version);
    buf_puts(b, " (cjm fit). docs/fitting.md says how each figure is estimated.</footer>\n</main>\n</body>\n</html>\n");
}
