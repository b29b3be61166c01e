/* diag.c: printing diagnostics with source excerpts (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

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

typedef struct DiagEntry {
    DiagKind kind;
    Loc loc;
    char *msg;
    int group;   /* an error or warning and the notes after it share a group */
} DiagEntry;

/* Prints one diagnostic (counting has been done by the caller). */
static void emit(Diag *d, DiagKind kind, Loc loc, const char *msg)
{
    if (kind == DIAG_NOTE) {
        if (!d->last_printed) return;
    } else {
        d->last_printed = !d->saturated && !(kind == DIAG_WARNING && d->quiet_warnings);
        if (!d->last_printed) return;
    }
    static const char *const names[] = {"error", "warning", "note"};
    static const char *const colors[] = {C_ERROR, C_WARNING, C_NOTE};
    const SourceFile *f = source_get(d->sources, loc.file);
    uint32_t line = 0, col = 0;
    fputs(paint(d, C_BOLD), d->out);
    if (f) {
        source_line_col(f, loc.off, &line, &col);
        fprintf(d->out, "%s:%u:%u: ", f->name, line, col);
    } else {
        fputs("cjm: ", d->out);
    }
    fprintf(d->out, "%s%s:%s %s\n", paint(d, colors[kind]), names[kind], paint(d, C_RESET), msg);
    bool repeat = kind == DIAG_NOTE && same_loc(loc, d->last_loc);
    if (f && !repeat) print_excerpt(d, f, loc, line, col);
    if (kind != DIAG_NOTE) d->last_loc = loc;
    if (kind == DIAG_ERROR && ++d->printed_errors >= DIAG_MAX_ERRORS && !d->saturated) {
        d->saturated = true;
        fprintf(d->out, "cjm: too many errors (%d); stopping here\n", d->printed_errors);
    }
}

static void push_entry(DiagEntry **list, int *n, int *cap, DiagEntry e)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *list = xrealloc(*list, (size_t)*cap * sizeof **list);
    }
    (*list)[(*n)++] = e;
}

static bool is_known(const Diag *known, DiagKind kind, Loc loc, const char *msg)
{
    for (int i = 0; i < known->nseen; i++) {
        const DiagEntry *e = &known->seen[i];
        if (e->kind == kind && same_loc(e->loc, loc) && strcmp(e->msg, msg) == 0) return true;
    }
    return false;
}

void diag_report(Diag *d, DiagKind kind, Loc loc, const char *fmt, va_list ap)
{
    Buf msg = BUF_INIT;
    buf_vprintf(&msg, fmt, ap);
    if (kind != DIAG_NOTE) d->dropping = d->known && is_known(d->known, kind, loc, buf_str(&msg));
    if (d->dropping) {
        buf_free(&msg);
        return;
    }
    if (kind == DIAG_ERROR) d->errors++;
    else if (kind == DIAG_WARNING) d->warnings++;
    if (d->remember && kind != DIAG_NOTE)
        push_entry(&d->seen, &d->nseen, &d->seen_cap, (DiagEntry){kind, loc, xstrdup(buf_str(&msg)), 0});
    if (!d->deferring) {
        emit(d, kind, loc, buf_str(&msg));
        buf_free(&msg);
        return;
    }
    int group = d->npending ? d->pending[d->npending - 1].group : 0;
    if (kind != DIAG_NOTE) group++;
    push_entry(&d->pending, &d->npending, &d->cap, (DiagEntry){kind, loc, buf_take(&msg), group});
}

void diag_defer(Diag *d) { d->deferring = true; }

static void free_entries(DiagEntry **list, int *n, int *cap)
{
    for (int i = 0; i < *n; i++) free((*list)[i].msg);
    free(*list);
    *list = NULL;
    *n = *cap = 0;
}

/* Order of groups: by the position of their error or warning, then as reported. */
static int compare_groups(const void *pa, const void *pb)
{
    const DiagEntry *a = *(const DiagEntry *const *)pa, *b = *(const DiagEntry *const *)pb;
    if (a->loc.file != b->loc.file) return a->loc.file < b->loc.file ? -1 : 1;
    if (a->loc.off != b->loc.off) return a->loc.off < b->loc.off ? -1 : 1;
    return a->group < b->group ? -1 : a->group > b->group;
}

void diag_flush(Diag *d)
{
    d->deferring = false;
    int ngroups = 0;
    DiagEntry **heads = xmalloc(sizeof *heads * (size_t)(d->npending + 1));
    for (int i = 0; i < d->npending; i++)
        if (d->pending[i].kind != DIAG_NOTE) heads[ngroups++] = &d->pending[i];
    qsort(heads, (size_t)ngroups, sizeof *heads, compare_groups);
    for (int g = 0; g < ngroups; g++) {
        DiagEntry *e = heads[g];
        emit(d, e->kind, e->loc, e->msg);
        for (DiagEntry *n = e + 1; n < d->pending + d->npending && n->kind == DIAG_NOTE; n++) emit(d, n->kind, n->loc, n->msg);
        bool inside = e->loc.file == d->context.file && e->loc.off >= d->context.off &&
                      e->loc.off < d->context.off + d->context.len;
        if (d->context_note && !inside) emit(d, DIAG_NOTE, d->context_at, d->context_note);
    }
    free(heads);
    free_entries(&d->pending, &d->npending, &d->cap);
}

void diag_free(Diag *d)
{
    free_entries(&d->pending, &d->npending, &d->cap);
    free_entries(&d->seen, &d->nseen, &d->seen_cap);
}

void diag_error(Diag *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_report(d, DIAG_ERROR, loc, fmt, ap);
    va_end(ap);
}

void diag_warning(Diag *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_report(d, DIAG_WARNING, loc, fmt, ap);
    va_end(ap);
}

void diag_note(Diag *d, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_report(d, DIAG_NOTE, loc, fmt, ap);
    va_end(ap);
}

void diag_print_summary(const Diag *d)
{
    if (d->errors == 0 && d->warnings == 0) return;
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
