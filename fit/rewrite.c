/* rewrite.c: a fitted journey written back as text (see rewrite.h). Owns which fitted values are
 * written, how they are rounded so that a stage's arrows and the personas' shares still add up,
 * how numbers and durations are spelt, and the edits of the main file's text (byte ranges of the
 * checked model's nodes, applied in order of position so that every other byte stays as it was). */
#include "rewrite.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "checked.h"
#include "fmt.h"

/* ---- which values the data determine ---- */

/* The journey's main file: the one whose text is rewritten. */
static uint32_t main_file(const Model *m) { return m->program->main->file; }

static bool in_file(Loc loc, uint32_t file) { return loc.file == file; }

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The fitted move of arrow `arrow` of stage `s`, or NULL. */
static const FitMove *move_of(const FitResult *f, int s, int arrow)
{
    for (int i = 0; i < f->nmoves; i++)
        if (f->moves[i].from == s && f->moves[i].arrow == arrow) return &f->moves[i];
    return NULL;
}

/* Whether `a` is the first arrow of its stage to its target: a scenario's `-> T` replaces that
 * one (sema.c, merge_arrows). */
static bool first_to_target(const Stage *s, const Arrow *a)
{
    for (const Arrow *b = s->arrows; b != a; b = b->next) {
        if (a->to_churn ? b->to_churn : (!b->to_churn && b->target_index == a->target_index)) return false;
    }
    return true;
}

/* Arrow `a` (index i of stage s) gets a fitted probability: a constant without a condition whose
 * move was fitted from some moves of the stage. `literal_in` (0: any file) asks for a number
 * written in that file, which the text rewrite replaces in place; a scenario rewrites the arrow
 * whole, so it needs only the first arrow to its target. */
static const FitMove *fitted_arrow(const FitResult *f, const Stage *s, const Arrow *a, int i, uint32_t literal_in)
{
    if (a->otherwise || a->when || !a->prob || !a->prob->constant) return NULL;
    if (literal_in ? !(a->prob->kind == EX_NUMBER && in_file(a->prob->loc, literal_in)) : !first_to_target(s, a))
        return NULL;
    const FitMove *mv = move_of(f, s->index, i);
    return mv && mv->fitted && isfinite(mv->p.value) ? mv : NULL;
}

/* Rounds targets t[0..n) (shares, >= 0) to 0.1% so that they add up to `total` exactly (closed) or
 * to no more than it (open), scaled to it when they must: out[] gets the values. The largest takes
 * the rounding's difference; when `total` itself is no whole number of 0.1%, it takes the exact
 * rest. */
static void round_shares(const double *t, int n, double total, bool closed, double *out)
{
    if (n == 0) return;
    double sum = 0;
    for (int i = 0; i < n; i++) sum += clamp(t[i], 0, 1);
    double scale = 1;
    if (closed || sum > total) scale = sum > 0 ? total / sum : 0;
    long *units = xmalloc((size_t)n * sizeof *units);
    long usum = 0;
    int largest = 0;
    for (int i = 0; i < n; i++) {
        double v = sum > 0 ? clamp(t[i], 0, 1) * scale : closed ? total / n : 0;
        units[i] = lround(v * 1000);
        usum += units[i];
        if (units[i] > units[largest]) largest = i;
    }
    double total_units = total * 1000;
    long whole = lround(total_units);
    bool is_whole = fabs(total_units - (double)whole) < 1e-6;
    if (closed && is_whole) units[largest] += whole - usum;
    else if (!closed && (double)usum > total_units + 1e-6) units[largest] -= usum - (long)floor(total_units + 1e-6);
    double rest = total;
    for (int i = 0; i < n; i++) {
        out[i] = (double)units[i] / 1000;
        if (i != largest) rest -= out[i];
    }
    if (closed && !is_whole) out[largest] = rest;
    free(units);
}

/* The new probabilities of stage s's arrows: out[i] for arrow i, NaN where it keeps its own. */
static void plan_arrows(const FitResult *f, const Stage *s, uint32_t literal_in, double *out)
{
    int n = 0, k = 0;
    for (const Arrow *a = s->arrows; a; a = a->next) n++;
    double *targets = xmalloc((size_t)(n ? n : 1) * sizeof *targets);
    int *which = xmalloc((size_t)(n ? n : 1) * sizeof *which);
    double fixed = 0;
    bool open = false;
    int i = 0;
    for (const Arrow *a = s->arrows; a; a = a->next, i++) {
        out[i] = NAN;
        const FitMove *mv = fitted_arrow(f, s, a, i, literal_in);
        if (mv) {
            targets[k] = mv->p.value;
            which[k++] = i;
        } else if (a->otherwise || a->when || !a->prob || !a->prob->constant) {
            open = true;
        } else {
            fixed += sema_eval_constant(a->prob);
        }
    }
    double *values = xmalloc((size_t)(k ? k : 1) * sizeof *values);
    round_shares(targets, k, clamp(1 - fixed, 0, 1), !open, values);
    for (int j = 0; j < k; j++) out[which[j]] = values[j];
    free(values);
    free(which);
    free(targets);
}

/* A stage's fitted wait, or NULL. */
static const FitDist *fitted_wait(const FitResult *f, const Stage *s)
{
    const FitWait *w = &f->waits[s->index];
    if (!(w->n >= FIT_REWRITE_MIN_WAITS) || !w->best.ok) return NULL;
    const FitDist *d = &w->best;
    for (int i = 0; i < d->nargs && i < 3; i++)
        if (!isfinite(d->args[i])) return NULL;
    /* The language's own rules on parameters: means above 0, bounds in order. */
    if ((d->kind == DIST_EXPONENTIAL || d->kind == DIST_LOGNORMAL) && !(d->args[0] > 0)) return NULL;
    if (d->kind == DIST_CONSTANT && !s->wait && !(d->args[0] > 0)) return NULL; /* no wait: 0 already */
    return d;
}

/* Touchpoint t's fitted reach (of a touchpoint in a stage, from enough entries), or NaN. */
static double fitted_reach(const FitResult *f, const Touchpoint *t)
{
    const FitObs *obs = f->obs;
    if (t->stage_index < 0 || !f->reach || !obs || obs->from_table || !obs->entries) return NAN;
    if (!(obs->entries[t->stage_index] >= FIT_REWRITE_MIN_ENTRIES)) return NAN;
    /* A touchpoint with no event anywhere in the log is one the log does not record, not one
     * that reaches nobody: its reach stays as declared. */
    if (obs->touch_events && !(obs->touch_events[t->index] > 0)) return NAN;
    double v = f->reach[t->index].value;
    /* To 0.1%, as the arrows are written: the data say no more. */
    return isfinite(v) ? round(clamp(v, 0, 1) * 1000) / 1000 : NAN;
}

/* The personas' fitted shares into out[npersonas], rounded to add up to 100%; false when the
 * journey declares no persona or the log says too little. `literal_in` (0: any file): every
 * persona must give its share there, to be replaced in place. */
static bool fitted_shares(const Model *m, const FitResult *f, uint32_t literal_in, double *out)
{
    const FitObs *obs = f->obs;
    if (m->npersonas == 0 || m->personas[0]->name.loc.file == 0 || !f->persona_share || !obs || !obs->persona_cases)
        return false;
    double cases = 0;
    for (int p = 0; p < m->npersonas; p++) {
        const Persona *pe = m->personas[p];
        if (literal_in && !(pe->share.present && in_file(pe->share.loc, literal_in))) return false;
        if (!isfinite(f->persona_share[p].value)) return false;
        cases += obs->persona_cases[p];
    }
    if (!(cases >= FIT_REWRITE_MIN_CASES)) return false;
    double *t = xmalloc((size_t)m->npersonas * sizeof *t);
    for (int p = 0; p < m->npersonas; p++) t[p] = f->persona_share[p].value;
    round_shares(t, m->npersonas, 1, true, out);
    free(t);
    return true;
}

/* ---- spelling numbers ---- */

/* Drops the zeros at the end of a decimal fraction ("34.50" -> "34.5", "2.00" -> "2"). */
static void trim_zeros(char *s)
{
    if (!strchr(s, '.') || strchr(s, 'e')) return;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '0') s[--n] = '\0';
    if (n > 0 && s[n - 1] == '.') s[--n] = '\0';
}

/* A probability or share in the unit the user wrote: `34.5%`, or `0.345` for a plain number. */
static void put_share(Buf *b, double v, ValueUnit unit)
{
    char s[64];
    double scaled = unit == VAL_PERCENT ? v * 100 : v;
    double step = unit == VAL_PERCENT ? 10 : 1000; /* 0.1% */
    if (fabs(scaled * step - round(scaled * step)) < 1e-6)
        snprintf(s, sizeof s, unit == VAL_PERCENT ? "%.1f" : "%.3f", scaled);
    else
        snprintf(s, sizeof s, "%.10g", scaled);
    trim_zeros(s);
    if (strcmp(s, "-0") == 0) strcpy(s, "0");
    buf_printf(b, "%s%s", s, unit == VAL_PERCENT ? "%" : "");
}

/* A duration of `days` days: minutes under an hour, hours under a day, else days; three
 * significant digits. */
static void put_duration(Buf *b, double days)
{
    days = clamp(days, 0, MODEL_MAX_DAYS);
    const char *unit = "day";
    double v = days;
    if (days > 0 && days < 1.0 / 24) {
        unit = "minute";
        v = days * 24 * 60;
    } else if (days > 0 && days < 1) {
        unit = "hour";
        v = days * 24;
    }
    char s[64];
    snprintf(s, sizeof s, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3g", v);
    trim_zeros(s);
    buf_printf(b, "%s %s%s", s, unit, strcmp(s, "1") == 0 ? "" : "s");
}

/* `lognormal(4.2 days, 1.9 days)`, or `5 days` for a constant wait. */
static void put_dist(Buf *b, const FitDist *d)
{
    if (d->kind == DIST_CONSTANT) {
        put_duration(b, d->args[0]);
        return;
    }
    buf_printf(b, "%s(", sema_dist_name(d->kind));
    for (int i = 0; i < d->nargs && i < 3; i++) {
        if (i) buf_puts(b, ", ");
        put_duration(b, d->args[i]);
    }
    buf_putc(b, ')');
}

/* A string literal: quotes, backslashes, line ends and tabs escaped, other control bytes blanked
 * (the lexer refuses them). */
static void put_string(Buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') buf_printf(b, "\\%c", c);
        else if (c == '\n') buf_puts(b, "\\n");
        else if (c == '\t') buf_puts(b, "\\t");
        else buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
    buf_putc(b, '"');
}

static char *take(Buf *b) { return buf_take(b); }

/* ---- checking what is written ---- */

/* Loads and checks `text` as m's main file (its imports read as m's were): NULL when it checks
 * without errors, else the first error as "LINE:COL: message" (malloc'd). */
static char *check_text(const Model *m, const char *text, size_t len)
{
    const Program *p = m->program;
    const SourceFile *src = source_get(&p->sources, main_file(m));
    CheckInput in = {.path = src->path, .text = text, .len = len, .stdlib_dir = p->libdir,
                     .import_path = p->import_path, .files = p->files};
    Checked c;
    checked_load(&c, &in);
    char *problem = NULL;
    if (c.status != CHECKED_OK) {
        Buf b = BUF_INIT;
        const Diagnostic *first = NULL;
        for (int i = 0; i < c.diag.n && !first; i++)
            if (c.diag.items[i].kind == DIAG_ERROR) first = &c.diag.items[i];
        if (first && first->loc.file) {
            uint32_t line, col;
            const SourceFile *f = source_get(&c.prog.sources, first->loc.file);
            source_line_col(f, first->loc.off, &line, &col);
            buf_printf(&b, "%s:%u:%u: %s", f->name, line, col, first->message);
        } else {
            buf_puts(&b, first ? first->message : "it could not be checked");
        }
        problem = take(&b);
    }
    checked_free(&c);
    return problem;
}

static char *bug(const char *what, char *problem)
{
    Buf b = BUF_INIT;
    buf_printf(&b, "the %s does not check (a bug of cjm fit, please report it): %s", what, problem);
    free(problem);
    return take(&b);
}

/* ---- edits of the main file's text ---- */

typedef struct Edit {
    uint32_t off, len; /* the bytes replaced (len 0: an insertion) */
    char *text;
    size_t order;      /* insertions at one place keep the order they were made in */
} Edit;

typedef struct Edits {
    Edit *v;
    size_t n, cap;
    const char *src;   /* the main file's text */
    size_t len;
} Edits;

static void edit(Edits *e, uint32_t off, uint32_t len, Buf *text)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 32;
        e->v = xrealloc(e->v, e->cap * sizeof *e->v);
    }
    e->v[e->n] = (Edit){off, len, take(text), e->n};
    e->n++;
}

static int by_position(const void *a, const void *b)
{
    const Edit *x = a, *y = b;
    if (x->off != y->off) return x->off < y->off ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Skips blanks and comments from `i`; the offset of the next token. */
static size_t skip_blanks(const char *s, size_t len, size_t i)
{
    for (;;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
        if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
            while (i < len && s[i] != '\n') i++;
        } else if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
            const char *end = i + 2 < len ? strstr(s + i + 2, "*/") : NULL;
            i = end ? (size_t)(end - s) + 2 : len;
        } else {
            return i;
        }
    }
}

static size_t loc_end(Loc l) { return (size_t)l.off + l.len; }

/* Adds `item` as the first item of the block whose header ends at `header_end` (the '{' follows):
 * on a line of its own, indented as the block's items are, when the block spans lines; else
 * after the '{'. False when no '{' follows. */
static bool insert_item(Edits *e, size_t header_end, const char *item)
{
    const char *s = e->src;
    size_t brace = skip_blanks(s, e->len, header_end);
    if (brace >= e->len || s[brace] != '{') return false;
    size_t i = brace + 1;
    while (i < e->len && (s[i] == ' ' || s[i] == '\t')) i++;
    bool spans_lines = i >= e->len || s[i] == '\n' || s[i] == '\r' || (i + 1 < e->len && s[i] == '/' && s[i + 1] == '/');
    Buf b = BUF_INIT;
    if (!spans_lines) {
        buf_printf(&b, " %s%s", item, s[brace + 1] == ' ' || s[brace + 1] == '\t' ? "" : " ");
        edit(e, (uint32_t)brace + 1, 0, &b);
        return true;
    }
    size_t eol = i;
    while (eol < e->len && s[eol] != '\n') eol++;
    bool crlf = eol > 0 && eol < e->len && s[eol - 1] == '\r';
    if (crlf) eol--;
    size_t bol = brace; /* the indentation of the line of the '{', and two spaces more */
    while (bol > 0 && s[bol - 1] != '\n') bol--;
    size_t indent = 0;
    while (bol + indent < brace && (s[bol + indent] == ' ' || s[bol + indent] == '\t')) indent++;
    buf_puts(&b, crlf ? "\r\n" : "\n");
    buf_add(&b, s + bol, indent);
    buf_printf(&b, "  %s", item);
    edit(e, (uint32_t)eol, 0, &b);
    return true;
}

/* Where a stage's or touchpoint's header ends: after its name, label and `goal`. */
static size_t header_end(Name name, Str label, const Loc *goal)
{
    size_t end = loc_end(name.loc);
    if (label.s && loc_end(label.loc) > end) end = loc_end(label.loc);
    if (goal && loc_end(*goal) > end) end = loc_end(*goal);
    return end;
}

static bool same_value(double a, double b) { return fabs(a - b) <= 1e-9 * (1 + fabs(b)); }

/* Whether fitted wait d is the declared one (the same distribution and durations). */
static bool same_wait(const FitDist *d, const Dist *w)
{
    if (d->kind != w->kind || d->nargs != w->nargs) return false;
    for (int i = 0; i < d->nargs && i < 3; i++)
        if (!same_value(d->args[i], w->args[i].v)) return false;
    return true;
}

static void rewrite_arrows(Edits *e, const FitResult *f, const Stage *s, uint32_t file)
{
    int n = 0;
    for (const Arrow *a = s->arrows; a; a = a->next) n++;
    double *values = xmalloc((size_t)(n ? n : 1) * sizeof *values);
    plan_arrows(f, s, file, values);
    int i = 0;
    for (const Arrow *a = s->arrows; a; a = a->next, i++) {
        /* A value the data confirm keeps its spelling: the diff shows only what changed. */
        if (isnan(values[i]) || same_value(values[i], a->prob->num)) continue;
        Buf b = BUF_INIT;
        put_share(&b, values[i], a->prob->unit == VAL_PERCENT ? VAL_PERCENT : VAL_NUMBER);
        edit(e, a->prob->loc.off, a->prob->loc.len, &b);
    }
    free(values);
}

static void rewrite_wait(Edits *e, const FitResult *f, const Stage *s, uint32_t file)
{
    const FitDist *d = fitted_wait(f, s);
    if (!d) return;
    Buf b = BUF_INIT;
    if (s->wait && same_wait(d, s->wait)) {
        return;
    } else if (s->wait && in_file(s->wait->loc, file)) {
        put_dist(&b, d);
        edit(e, s->wait->loc.off, s->wait->loc.len, &b);
    } else if (!s->wait && in_file(s->name.loc, file) && (!s->label.s || in_file(s->label.loc, file))) {
        buf_puts(&b, "wait ");
        put_dist(&b, d);
        char *item = take(&b);
        insert_item(e, header_end(s->name, s->label, s->goal ? &s->goal_loc : NULL), item);
        free(item);
    }
    buf_free(&b);
}

static void rewrite_reach(Edits *e, const FitResult *f, const Touchpoint *t, uint32_t file)
{
    double v = fitted_reach(f, t);
    if (isnan(v)) return;
    Buf b = BUF_INIT;
    if (t->reach.present && same_value(v, t->reach.v)) {
        return;
    } else if (t->reach.present && in_file(t->reach.loc, file)) {
        put_share(&b, v, t->reach.unit == VAL_PERCENT ? VAL_PERCENT : VAL_NUMBER);
        edit(e, t->reach.loc.off, t->reach.loc.len, &b);
    } else if (!t->reach.present && v < 0.9995 && in_file(t->name.loc, file) &&
               (!t->label.s || in_file(t->label.loc, file))) {
        buf_puts(&b, "reach ");
        put_share(&b, round(v * 1000) / 1000, VAL_PERCENT);
        char *item = take(&b);
        insert_item(e, header_end(t->name, t->label, NULL), item);
        free(item);
    }
    buf_free(&b);
}

static void rewrite_shares(Edits *e, const Model *m, const FitResult *f, uint32_t file)
{
    double *shares = xmalloc((size_t)(m->npersonas ? m->npersonas : 1) * sizeof *shares);
    if (fitted_shares(m, f, file, shares)) {
        for (int p = 0; p < m->npersonas; p++) {
            const Value *v = &m->personas[p]->share;
            if (same_value(shares[p], v->v)) continue;
            Buf b = BUF_INIT;
            put_share(&b, shares[p], v->unit == VAL_PERCENT ? VAL_PERCENT : VAL_NUMBER);
            edit(e, v->loc.off, v->loc.len, &b);
        }
    }
    free(shares);
}

/* The text with every edit applied, in order of position; NULL when two overlap (a bug). */
static char *apply_edits(Edits *e, size_t *len)
{
    if (e->n > 1) qsort(e->v, e->n, sizeof *e->v, by_position); /* (qsort may not be given NULL) */
    Buf out = BUF_INIT;
    size_t at = 0;
    for (size_t i = 0; i < e->n; i++) {
        const Edit *x = &e->v[i];
        if (x->off < at || loc_end((Loc){0, x->off, x->len}) > e->len) {
            buf_free(&out);
            return NULL;
        }
        buf_add(&out, e->src + at, x->off - at);
        buf_puts(&out, x->text);
        at = (size_t)x->off + x->len;
    }
    buf_add(&out, e->src + at, e->len - at);
    *len = out.len;
    return take(&out);
}

static void edits_free(Edits *e)
{
    for (size_t i = 0; i < e->n; i++) free(e->v[i].text);
    free(e->v);
}

/* A literal number of the main file (`8%`, `0.06`) that -o may replace. */
static bool literal_in(const Expr *e, uint32_t file)
{
    return e && e->kind == EX_NUMBER && in_file(e->loc, file) && e->unit != VAL_DURATION;
}

static void replace_share(Edits *e, const Expr *lit, double v)
{
    if (same_value(v, lit->num)) return;
    Buf b = BUF_INIT;
    put_share(&b, v, lit->unit == VAL_PERCENT ? VAL_PERCENT : VAL_NUMBER);
    edit(e, lit->loc.off, lit->loc.len, &b);
}

/* An arrow A + B * met(T): A and B where written as plain numbers, from at least
 * FIT_REWRITE_MIN_ENTRIES entries with and without the meeting; rounded to 0.1%. A coefficient
 * whose sign would change (a literal written as a negative number) is left as it is. */
static void rewrite_met_arrows(Edits *e, const FitResult *f, uint32_t file)
{
    for (int i = 0; i < f->nmet_arrows; i++) {
        const FitMetArrow *x = &f->met_arrows[i];
        if (!x->fitted || x->n0 < FIT_REWRITE_MIN_ENTRIES || x->n1 < FIT_REWRITE_MIN_ENTRIES) continue;
        double a = round(clamp(x->p0.value, 0, 1) * 1000) / 1000;
        double with = round(clamp(x->p1.value, 0, 1) * 1000) / 1000;
        double b = (with - a) * x->form.sign;
        if (literal_in(x->form.a, file)) replace_share(e, x->form.a, a);
        if (literal_in(x->form.b, file) && b >= 0) replace_share(e, x->form.b, b);
    }
}

/* A trait fitted with the family it declares: its arguments, where all are plain numbers of the
 * main file, from at least FIT_REWRITE_MIN_CASES cases; four significant digits. */
static void rewrite_traits(Edits *e, const Model *m, const FitResult *f, uint32_t file)
{
    for (int i = 0; i < f->ntraits; i++) {
        const FitTrait *t = &f->traits[i];
        if (t->persona < 0 && m->npersonas != 1) continue;
        const Dist *d = t->declared;
        if (!d || t->is_choice || t->best < 0 || t->n < FIT_REWRITE_MIN_CASES) continue;
        const FitTraitDist *fd = &t->candidates[t->best];
        if (fd->kind != d->kind || fd->nargs != d->nargs) continue;
        bool plain = true;
        for (int k = 0; k < d->nargs; k++)
            plain = plain && d->args[k].present && d->args[k].unit == VAL_NUMBER && in_file(d->args[k].loc, file) &&
                    !d->arg_expr[k] && isfinite(fd->args[k].value);
        if (!plain) continue;
        for (int k = 0; k < d->nargs; k++) {
            if (same_value(fd->args[k].value, d->args[k].v)) continue;
            /* four significant digits, without an exponent (the lexer's numbers have none) */
            char s[64];
            double v = fd->args[k].value;
            int decimals = v == 0 ? 0 : 3 - (int)floor(log10(fabs(v)));
            snprintf(s, sizeof s, "%.*f", decimals < 0 ? 0 : decimals > 12 ? 12 : decimals, v);
            trim_zeros(s);
            Buf b = BUF_INIT;
            buf_puts(&b, s);
            edit(e, d->args[k].loc.off, d->args[k].loc.len, &b);
        }
    }
}

char *fit_rewrite_journey(const Model *m, const FitResult *f, size_t *len, char **error)
{
    *error = NULL;
    *len = 0;
    if (!m || !m->program || !m->program->main || m->errors || m->scenario || !f) {
        *error = xstrdup("the journey must check without errors before it is rewritten");
        return NULL;
    }
    uint32_t file = main_file(m);
    const SourceFile *src = source_get(&m->program->sources, file);
    Edits e = {NULL, 0, 0, src->text, src->len};
    for (int s = 0; s < m->nstages; s++) {
        const Stage *st = m->stages[s];
        rewrite_arrows(&e, f, st, file);
        if (f->waits) rewrite_wait(&e, f, st, file);
    }
    for (int t = 0; t < m->ntouchpoints; t++) rewrite_reach(&e, f, m->touchpoints[t], file);
    rewrite_shares(&e, m, f, file);
    rewrite_met_arrows(&e, f, file);
    rewrite_traits(&e, m, f, file);
    char *text = apply_edits(&e, len);
    edits_free(&e);
    if (!text) {
        *error = xstrdup("two fitted values fall on the same text (a bug of cjm fit, please report it)");
        return NULL;
    }
    char *problem = check_text(m, text, *len);
    if (problem) {
        free(text);
        *error = bug("fitted journey", problem);
        *len = 0;
        return NULL;
    }
    return text;
}

/* ---- the scenario block ---- */

static bool is_keyword(const char *w)
{
    static const char *const words[] = {
#define KW(w, t) w,
#include "keywords.def"
#undef KW
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i], w) == 0) return true;
    return false;
}

/* An identifier as the lexer reads one: letters, digits and '_' (UTF-8 letters too), not
 * starting with a digit, not a keyword. */
static bool is_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 256 || (s[0] >= '0' && s[0] <= '9') || is_keyword(s)) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))) return false;
    }
    return true;
}

/* `extend stage S { wait ... -> T 34.5% "reason" }` for the stages with fitted values. */
static void scenario_stages(Buf *b, const FitResult *f, const Model *m)
{
    for (int s = 0; s < m->nstages; s++) {
        const Stage *st = m->stages[s];
        int n = 0;
        for (const Arrow *a = st->arrows; a; a = a->next) n++;
        double *values = xmalloc((size_t)(n ? n : 1) * sizeof *values);
        plan_arrows(f, st, 0, values);
        const FitDist *d = f->waits ? fitted_wait(f, st) : NULL;
        bool any = d != NULL;
        for (int i = 0; i < n; i++) any = any || !isnan(values[i]);
        if (any) {
            buf_printf(b, "  extend stage %s {\n", st->name.s);
            if (d) {
                buf_puts(b, "    wait ");
                put_dist(b, d);
                buf_putc(b, '\n');
            }
            int i = 0;
            for (const Arrow *a = st->arrows; a; a = a->next, i++) {
                if (isnan(values[i])) continue;
                buf_printf(b, "    -> %s ", a->to_churn ? "churn" : a->target.s);
                put_share(b, values[i], a->prob->kind == EX_NUMBER && a->prob->unit == VAL_NUMBER ? VAL_NUMBER : VAL_PERCENT);
                if (a->reason.s) {
                    buf_putc(b, ' ');
                    put_string(b, a->reason.s);
                }
                buf_putc(b, '\n');
            }
            buf_puts(b, "  }\n");
        }
        free(values);
    }
}

static void scenario_reach_and_shares(Buf *b, const FitResult *f, const Model *m)
{
    for (int t = 0; t < m->ntouchpoints; t++) {
        const Touchpoint *tp = m->touchpoints[t];
        double v = fitted_reach(f, tp);
        if (isnan(v)) continue;
        buf_printf(b, "  touchpoint %s { reach ", tp->name.s);
        put_share(b, round(v * 1000) / 1000, tp->reach.present && tp->reach.unit == VAL_NUMBER ? VAL_NUMBER : VAL_PERCENT);
        buf_puts(b, " }\n");
    }
    double *shares = xmalloc((size_t)(m->npersonas ? m->npersonas : 1) * sizeof *shares);
    if (fitted_shares(m, f, 0, shares)) {
        for (int p = 0; p < m->npersonas; p++) {
            const Persona *pe = m->personas[p];
            buf_printf(b, "  persona %s { share ", pe->name.s);
            put_share(b, shares[p], pe->share.present && pe->share.unit == VAL_NUMBER ? VAL_NUMBER : VAL_PERCENT);
            buf_puts(b, " }\n");
        }
    }
    free(shares);
}

/* The block as `cjm fmt` lays it out (aligned arrows, one-line blocks); as written when the
 * formatter declines. */
static char *formatted(char *text)
{
    size_t n = strlen(text);
    char *copy = xmalloc(n + 1);
    memcpy(copy, text, n + 1);
    SourceSet set;
    source_set_init(&set);
    uint32_t file = source_set_add(&set, "<scenario>", "<scenario>", copy, n);
    Diag d;
    diag_init(&d, &set, NULL, false);
    Buf out = BUF_INIT;
    bool ok = file && fmt_source(&d, file, &out) == FMT_OK;
    diag_free(&d);
    source_set_free(&set);
    if (!ok) {
        buf_free(&out);
        return text;
    }
    free(text);
    return take(&out);
}

char *fit_scenario_block(const Model *m, const FitResult *f, const char *name, const char *label, char **error)
{
    *error = NULL;
    if (!m || !m->program || !m->program->main || m->errors || m->scenario || !f) {
        *error = xstrdup("the journey must check without errors before a scenario is fitted");
        return NULL;
    }
    if (!name || !is_name(name)) {
        Buf b = BUF_INIT;
        buf_printf(&b, "'%s' cannot name a scenario: a name is letters, digits and '_', not starting with a digit, and not a keyword",
                   name ? name : "");
        *error = take(&b);
        return NULL;
    }
    if (sema_find_scenario(m->program, name)) {
        Buf b = BUF_INIT;
        buf_printf(&b, "the journey already has a scenario '%s': choose another name", name);
        *error = take(&b);
        return NULL;
    }
    Buf b = BUF_INIT;
    buf_printf(&b, "scenario %s ", name);
    if (label) {
        put_string(&b, label);
        buf_putc(&b, ' ');
    }
    buf_puts(&b, "{\n");
    scenario_stages(&b, f, m);
    scenario_reach_and_shares(&b, f, m);
    buf_puts(&b, "}\n");
    char *block = formatted(take(&b));

    /* The journey with the block appended must check, the scenario included. */
    const SourceFile *src = source_get(&m->program->sources, main_file(m));
    Buf whole = BUF_INIT;
    buf_add(&whole, src->text, src->len);
    if (src->len > 0 && src->text[src->len - 1] != '\n') buf_putc(&whole, '\n');
    buf_putc(&whole, '\n');
    buf_puts(&whole, block);
    char *problem = check_text(m, whole.data, whole.len);
    buf_free(&whole);
    if (problem) {
        free(block);
        *error = bug("fitted scenario", problem);
        return NULL;
    }
    return block;
}
