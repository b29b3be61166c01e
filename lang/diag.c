/* diag.c: collecting diagnostics as data, and printing them with source excerpts (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_ERROR "\033[1;31m"
#define C_WARNING "\033[1;35m"
#define C_NOTE "\033[1;36m"
#define C_CARET "\033[1;32m"

/* Excerpts of very long lines (minified or binary input) show this many characters around the
 * column instead of the whole line. */
enum { EXCERPT_WIDTH = 120, EXCERPT_LEAD = 40 };

void diag_init(Diag *d, const SourceSet *sources, FILE *out, bool color)
{
    memset(d, 0, sizeof *d);
    d->sources = sources;
    d->out = out;
    d->color = color;
}

static void free_items(Diagnostic *items, int from, int to)
{
    for (int i = from; i < to; i++) {
        for (int k = 0; k < items[i].nnotes; k++) {
            free(items[i].notes[k].message);
            free(items[i].notes[k].fix);
        }
        free(items[i].notes);
        free(items[i].message);
    }
}

void diag_free(Diag *d)
{
    free_items(d->items, 0, d->n);
    free(d->items);
    d->items = NULL;
    d->n = d->cap = 0;
}

static const char *paint(const Diag *d, const char *code) { return d->color ? code : ""; }

static bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is not valid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    size_t want = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
                                  : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (want == 0 || want > n) return 0;
    for (size_t i = 1; i < want; i++)
        if (!is_cont(s[i])) return 0;
    if (want == 2 && s[0] < 0xC2) return 0; /* overlong */
    return want;
}

/* Prints the characters [from, to) of a line (counted like columns: one per UTF-8 lead byte),
 * replacing control characters and broken UTF-8 with '?' so that a binary file cannot garble the
 * terminal, and the matching run of spaces/tabs for the caret line when `blank` is set. */
static void print_line_chars(FILE *out, const char *line, size_t len, uint32_t from, uint32_t to, bool blank)
{
    const unsigned char *s = (const unsigned char *)line;
    uint32_t col = 0;
    for (size_t i = 0; i < len && col < to;) {
        if (is_cont(s[i])) { i++; continue; }
        size_t n = utf8_seq_len(s + i, len - i);
        if (col >= from) {
            if (s[i] == '\t') fputc('\t', out);
            else if (blank) fputc(' ', out);
            else if (n == 0 || (n == 1 && (s[i] < 0x20 || s[i] == 0x7f))) fputc('?', out);
            else fwrite(s + i, 1, n, out);
        }
        i += n ? n : 1;
        col++;
    }
}

static uint32_t count_columns(const char *line, size_t len)
{
    uint32_t cols = 0;
    for (size_t i = 0; i < len; i++)
        if (!is_cont((unsigned char)line[i])) cols++;
    return cols;
}

static void print_excerpt(const Diag *d, const SourceFile *f, Loc loc, uint32_t line, uint32_t col)
{
    size_t len;
    const char *text = source_line_text(f, line, &len);
    uint32_t width = count_columns(text, len);
    uint32_t endline, endcol;
    source_line_col(f, loc.off + loc.len, &endline, &endcol);
    uint32_t span = (endline == line && endcol > col) ? endcol - col : 1;
    uint32_t from = 0, to = width;
    if (width > EXCERPT_WIDTH) {
        from = col > EXCERPT_LEAD ? col - 1 - EXCERPT_LEAD : 0;
        to = from + EXCERPT_WIDTH < width ? from + EXCERPT_WIDTH : width;
    }
    if (span > to - (col - 1) && to >= col) span = to - (col - 1);
    const char *dots_l = from > 0 ? "..." : "", *dots_r = to < width ? "..." : "";
    fprintf(d->out, " %5u | %s", line, dots_l);
    print_line_chars(d->out, text, len, from, to, false);
    fprintf(d->out, "%s\n       | %s", dots_r, from > 0 ? "   " : "");
    print_line_chars(d->out, text, len, from, col - 1, true);
    fputs(paint(d, C_CARET), d->out);
    fputc('^', d->out);
    for (uint32_t i = 1; i < span; i++) fputc('~', d->out);
    fprintf(d->out, "%s\n", paint(d, C_RESET));
}

static bool same_loc(Loc a, Loc b) { return a.file == b.file && a.off == b.off && a.len == b.len; }

static const char *const kind_names[] = {"error", "warning", "note"};
static const char *const kind_colors[] = {C_ERROR, C_WARNING, C_NOTE};

/* "file:line:col: kind: message", and the excerpt unless `excerpt` is false. */
static void print_one(Diag *d, DiagKind kind, Loc loc, const char *msg, bool excerpt)
{
    const SourceFile *f = source_get(d->sources, loc.file);
    uint32_t line = 0, col = 0;
    fputs(paint(d, C_BOLD), d->out);
    if (f) {
        source_line_col(f, loc.off, &line, &col);
        fprintf(d->out, "%s:%u:%u: ", f->name, line, col);
    } else {
        fputs("cjm: ", d->out);
    }
    fprintf(d->out, "%s%s:%s %s\n", paint(d, kind_colors[kind]), kind_names[kind], paint(d, C_RESET), msg);
    if (f && excerpt) print_excerpt(d, f, loc, line, col);
}

/* An error or warning; decides whether its notes are printed too. */
static void print_primary(Diag *d, const Diagnostic *e)
{
    d->last_printed = d->out && d->printed_errors < DIAG_MAX_ERRORS && !(e->kind == DIAG_WARNING && d->quiet_warnings);
    if (!d->last_printed) return;
    print_one(d, e->kind, e->loc, e->message, true);
    if (e->kind == DIAG_ERROR && ++d->printed_errors == DIAG_MAX_ERRORS)
        fprintf(d->out, "cjm: too many errors (%d); stopping here\n", d->printed_errors);
}

/* A note right under its error or warning shows no excerpt when it points at the same place. */
static void print_note(Diag *d, const Diagnostic *e, const DiagNote *n)
{
    if (d->last_printed) print_one(d, DIAG_NOTE, n->loc, n->message, !same_loc(n->loc, e->loc));
}

void diag_print(Diag *d, const Diagnostic *e)
{
    print_primary(d, e);
    for (int k = 0; k < e->nnotes; k++) print_note(d, e, &e->notes[k]);
}

/* Memory for a diagnostic ran out: it is counted, and "out of memory" is said once. */
static void lost(Diag *d)
{
    if (!d->out_of_memory) d->errors++;
    d->out_of_memory = true;
    d->saturated = d->errors >= DIAG_MAX_ERRORS;
    if (d->out && !d->oom_printed) {
        fputs("cjm: error: out of memory: some diagnostics could not be kept\n", d->out);
        d->oom_printed = true;
    }
}

static char *format(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *s = n < 0 ? NULL : mem_alloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *copy_text(const char *text)
{
    size_t n = strlen(text) + 1;
    char *s = mem_alloc(n);
    return s ? memcpy(s, text, n) : NULL;
}

static bool holding(const Diag *d) { return d->hold_depth > 0; }

void diag_report(Diag *d, DiagKind kind, const char *code, Loc loc, const char *fmt, va_list ap)
{
    if (kind == DIAG_ERROR) d->errors++;
    else d->warnings++;
    d->saturated = d->errors >= DIAG_MAX_ERRORS;
    d->current_lost = true;
    char *msg = format(fmt, ap);
    if (!msg) {
        lost(d);
        return;
    }
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 32;
        Diagnostic *items = mem_realloc(d->items, (size_t)cap * sizeof *items);
        if (!items) {
            free(msg);
            lost(d);
            return;
        }
        d->items = items;
        d->cap = cap;
    }
    Diagnostic *e = &d->items[d->n++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->code = code;
    e->loc = loc;
    e->message = msg;
    d->current_lost = false;
    if (!holding(d)) print_primary(d, e);
}

static void report(Diag *d, DiagKind kind, const char *code, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void report(Diag *d, DiagKind kind, const char *code, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_report(d, kind, code, loc, fmt, ap);
    va_end(ap);
}

void diag_report_oom(Diag *d, const char *doing, const char *file)
{
    d->out_of_memory = true;
    report(d, DIAG_ERROR, "out-of-memory", (Loc){0, 0, 0}, "out of memory while %s '%s'", doing, file);
}

const char *diag_set_code(Diag *d, const char *code)
{
    const char *old = d->code;
    d->code = code;
    return old;
}

/* Appends a note (taking `msg` and `fix`) to diagnostic i; false when memory ran out. */
static bool append_note(Diag *d, int i, Loc loc, char *msg, char *fix)
{
    Diagnostic *e = &d->items[i];
    if (e->nnotes == e->notes_cap) {
        int cap = e->notes_cap ? e->notes_cap * 2 : 4;
        DiagNote *notes = mem_realloc(e->notes, (size_t)cap * sizeof *notes);
        if (!notes) {
            free(msg);
            free(fix);
            return false;
        }
        e->notes = notes;
        e->notes_cap = cap;
    }
    e->notes[e->nnotes++] = (DiagNote){loc, msg, fix};
    return true;
}

static void report_note(Diag *d, Loc loc, const char *replacement, const char *fmt, va_list ap)
{
    if (d->current_lost || d->n == 0) return;
    char *msg = format(fmt, ap);
    char *fix = replacement ? copy_text(replacement) : NULL;
    if (!msg || (replacement && !fix)) {
        free(msg);
        free(fix);
        lost(d);
        return;
    }
    if (!append_note(d, d->n - 1, loc, msg, fix)) {
        lost(d);
        return;
    }
    Diagnostic *e = &d->items[d->n - 1];
    if (!holding(d)) print_note(d, e, &e->notes[e->nnotes - 1]);
}

void diag_add_note(Diag *d, int i, Loc loc, const char *message)
{
    if (i < 0 || i >= d->n) return;
    char *msg = copy_text(message);
    if (!msg || !append_note(d, i, loc, msg, NULL)) lost(d);
}

void diag_hold(Diag *d)
{
    if (d->hold_depth++ == 0) d->hold_from = d->n;
}

/* Order: by position (no file first), then as reported. */
typedef struct Keyed {
    Diagnostic e;
    int seq;
} Keyed;

static int compare_keyed(const void *pa, const void *pb)
{
    const Keyed *a = pa, *b = pb;
    if (a->e.loc.file != b->e.loc.file) return a->e.loc.file < b->e.loc.file ? -1 : 1;
    if (a->e.loc.off != b->e.loc.off) return a->e.loc.off < b->e.loc.off ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Sorts items [from, n); left as reported when there is no memory to sort them. */
static void sort_from(Diag *d, int from)
{
    int count = d->n - from;
    if (count < 2) return;
    Keyed *k = mem_alloc((size_t)count * sizeof *k);
    if (!k) return;
    for (int i = 0; i < count; i++) k[i] = (Keyed){d->items[from + i], i};
    qsort(k, (size_t)count, sizeof *k, compare_keyed);
    for (int i = 0; i < count; i++) d->items[from + i] = k[i].e;
    free(k);
}

void diag_release(Diag *d)
{
    if (d->hold_depth == 0 || --d->hold_depth > 0) return;
    sort_from(d, d->hold_from);
    for (int i = d->hold_from; i < d->n; i++) diag_print(d, &d->items[i]);
}

void diag_truncate(Diag *d, int from)
{
    if (from < 0 || from >= d->n) return;
    for (int i = from; i < d->n; i++) {
        if (d->items[i].kind == DIAG_ERROR) d->errors--;
        else d->warnings--;
    }
    free_items(d->items, from, d->n);
    d->n = from;
    d->saturated = d->errors >= DIAG_MAX_ERRORS;
}

void diag_error(Diag *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_report(d, DIAG_ERROR, d->code, loc, fmt, ap);
    va_end(ap);
}

void diag_warning(Diag *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_report(d, DIAG_WARNING, NULL, loc, fmt, ap);
    va_end(ap);
}

void diag_note(Diag *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_note(d, loc, NULL, fmt, ap);
    va_end(ap);
}

void diag_fix(Diag *d, Loc loc, const char *replacement, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_note(d, loc, replacement, fmt, ap);
    va_end(ap);
}

const char *diag_code(const Diagnostic *e)
{
    return e->code ? e->code : e->kind == DIAG_ERROR ? "error" : "warning";
}

void diag_print_summary(const Diag *d)
{
    if (!d->out || (d->errors == 0 && d->warnings == 0)) return;
    if (d->errors && d->warnings)
        fprintf(d->out, "%d error%s and %d warning%s generated.\n", d->errors, d->errors == 1 ? "" : "s",
                d->warnings, d->warnings == 1 ? "" : "s");
    else if (d->errors)
        fprintf(d->out, "%d error%s generated.\n", d->errors, d->errors == 1 ? "" : "s");
    else
        fprintf(d->out, "%d warning%s generated.\n", d->warnings, d->warnings == 1 ? "" : "s");
}

/* Optimal string alignment distance (Damerau-Levenshtein without repeated transpositions),
 * case-insensitive, so that "purchse", "Purhcase" and "purchase" all find "Purchase". */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return (size_t)-1;
    size_t dp[65][65];
    for (size_t i = 0; i <= n; i++) dp[i][0] = i;
    for (size_t j = 0; j <= m; j++) dp[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            char ca = (char)(a[i - 1] | 0x20), cb = (char)(b[j - 1] | 0x20);
            size_t cost = ca == cb ? 0 : 1;
            size_t best = dp[i - 1][j] + 1;
            if (dp[i][j - 1] + 1 < best) best = dp[i][j - 1] + 1;
            if (dp[i - 1][j - 1] + cost < best) best = dp[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && (a[i - 1] | 0x20) == (b[j - 2] | 0x20) && (a[i - 2] | 0x20) == (b[j - 1] | 0x20) &&
                dp[i - 2][j - 2] + 1 < best)
                best = dp[i - 2][j - 2] + 1;
            dp[i][j] = best;
        }
    }
    return dp[n][m];
}

const char *diag_closest(const char *name, const char *const *candidates, int n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t len = strlen(name);
    /* Allow one edit for short names, about a third of the length for longer ones. */
    size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : len / 3 + 1;
    for (int i = 0; i < n; i++) {
        if (!candidates[i] || strcmp(candidates[i], name) == 0) continue;
        size_t dist = edit_distance(name, candidates[i]);
        if (dist <= limit && dist < best_d) {
            best = candidates[i];
            best_d = dist;
        }
    }
    return best;
}
