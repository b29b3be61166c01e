/* discover.c: cjm discover: a draft journey from a log alone (discover.h; docs/scoring.md,
 * "Discovering a journey"). It owns the reading of a whole log into compact per-event arrays, the
 * choice of the frequent event names as stages, the directly-follows counts between them, the
 * waits' censored means, the first-order Markov chain of a path table, and the text written:
 * identifiers made from event names (with an `events` list where the name does not normalise to
 * the event's), arrows with percentages that add up to at most 100%, the goal. */
#include "discover.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "intern.h"
#include "names.h"

enum { DEFAULT_MAX_STAGES = 30, IDENT_MAX = 64 };
#define DEFAULT_MIN_SHARE 0.05

/* ---- the text ---- */

static const char *const keywords[] = {
    "and", "arrivals", "churn", "channel", "cohort", "cost", "curve", "emotion", "events", "extend", "for",
    "from", "goal", "goto", "horizon", "import", "inactivity", "journey", "mood", "not", "opportunity", "or",
    "otherwise", "pain", "per", "persona", "reach", "remove", "revenue", "rule", "scenario", "seed", "share",
    "stage", "start", "survey", "touch", "touchpoint", "wait", "when", "with"};

static bool is_keyword(const char *s)
{
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (!strcmp(s, keywords[i])) return true;
    return false;
}

static bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/* A name's identifier: its ASCII letters and digits, each word capitalised ("signed up" ->
 * SignedUp), "E" before a leading digit or in place of nothing; made unique among `taken` (n of
 * them) with a number. */
static char *make_ident(const char *s, size_t len, char **taken, int n)
{
    char base[IDENT_MAX + 1];
    size_t k = 0;
    bool word = true;
    for (size_t i = 0; i < len && k < IDENT_MAX - 4; i++) {
        char c = s[i];
        if (!is_alnum(c)) {
            word = true;
            continue;
        }
        if (k == 0 && c >= '0' && c <= '9') base[k++] = 'E';
        base[k++] = word && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        word = false;
    }
    if (k == 0) base[k++] = 'E';
    base[k] = 0;
    char out[IDENT_MAX + 8];
    snprintf(out, sizeof out, "%s", base);
    for (int suffix = 2;; suffix++) {
        bool clash = is_keyword(out);
        for (int i = 0; i < n && !clash; i++) clash = !strcmp(taken[i], out);
        if (!clash) break;
        snprintf(out, sizeof out, "%s%d", base, suffix);
    }
    return xstrdup(out);
}

static void put_string(Buf *b, const char *s, size_t len)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, c);
        } else if (c == '\n') {
            buf_puts(b, "\\n");
        } else if (c == '\t') {
            buf_puts(b, "\\t");
        } else if ((unsigned char)c < 0x20) {
            buf_putc(b, ' ');
        } else {
            buf_putc(b, c);
        }
    }
    buf_putc(b, '"');
}

/* A duration in the language's units: days, else hours, else minutes. */
static void put_duration(Buf *b, double days)
{
    if (days >= 1 - 1e-9) buf_printf(b, "%.4g days", days);
    else if (days * 24 >= 1 - 1e-9) buf_printf(b, "%.4g hours", days * 24);
    else buf_printf(b, "%.4g minutes", fmax(days * 1440, 0.001));
}

/* One stage's ways out: counts to other stages (`to`, by stage) and to churn. Percentages are
 * rounded down to 0.01% so that they never add up to more than 100%; churn takes the rest
 * (`otherwise`); without churn, the most frequent way out does. */
static void put_arrows(Buf *b, char **ident, const double *to, int n, double churn, const char *reason)
{
    double total = churn;
    int top = -1;
    for (int t = 0; t < n; t++) {
        total += to[t];
        if (to[t] > 0 && (top < 0 || to[t] > to[top])) top = t;
    }
    if (!(total > 0)) return;
    for (int t = 0; t < n; t++) {
        if (!(to[t] > 0)) continue;
        if (churn <= 0 && t == top) continue;
        double pct = floor(10000 * to[t] / total) / 100;
        if (pct <= 0) continue;
        buf_printf(b, "  -> %s %.2f%%\n", ident[t], pct);
    }
    if (churn > 0) {
        buf_puts(b, "  -> churn otherwise ");
        put_string(b, reason, strlen(reason));
        buf_putc(b, '\n');
    } else {
        buf_printf(b, "  -> %s otherwise\n", ident[top]);
    }
}

/* ---- event logs ---- */

typedef struct Events {
    uint32_t *ecase, *ename;
    double *etime, *erevenue;
    size_t n, cap;
    Intern cases, names;
    char **spelling;          /* [names.n]: the first spelling of each normalised name */
    size_t *spelling_len;
    double log_end;
} Events;

static void events_add(Events *e, const LogEvent *ev)
{
    bool fresh;
    char small[256];
    char *norm = ev->name.len <= sizeof small ? small : xmalloc(ev->name.len);
    size_t nlen = name_normalise(ev->name.s ? ev->name.s : "", ev->name.s ? ev->name.len : 0, norm);
    size_t name = intern(&e->names, norm, nlen, &fresh);
    if (norm != small) free(norm);
    if (fresh) {
        e->spelling = xrealloc(e->spelling, e->names.cap * sizeof *e->spelling);
        e->spelling_len = xrealloc(e->spelling_len, e->names.cap * sizeof *e->spelling_len);
        e->spelling[name] = arena_strndup(&e->names.arena, ev->name.s ? ev->name.s : "", ev->name.len);
        e->spelling_len[name] = ev->name.len;
    }
    size_t c = intern(&e->cases, ev->case_id.s ? ev->case_id.s : "", ev->case_id.s ? ev->case_id.len : 0, &fresh);
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 4096;
        e->ecase = xrealloc(e->ecase, e->cap * sizeof *e->ecase);
        e->ename = xrealloc(e->ename, e->cap * sizeof *e->ename);
        e->etime = xrealloc(e->etime, e->cap * sizeof *e->etime);
        e->erevenue = xrealloc(e->erevenue, e->cap * sizeof *e->erevenue);
    }
    e->ecase[e->n] = (uint32_t)c;
    e->ename[e->n] = (uint32_t)name;
    e->etime[e->n] = ev->time;
    e->erevenue[e->n] = ev->revenue;
    e->n++;
    if (ev->time > e->log_end) e->log_end = ev->time;
}

static void events_free(Events *e)
{
    free(e->ecase);
    free(e->ename);
    free(e->etime);
    free(e->erevenue);
    free(e->spelling);
    free(e->spelling_len);
    intern_free(&e->cases);
    intern_free(&e->names);
}

/* Event order: by case, then time, then the log's order (a stable sort by index). */
static const Events *sort_events;
static int event_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const Events *e = sort_events;
    if (e->ecase[a] != e->ecase[b]) return e->ecase[a] < e->ecase[b] ? -1 : 1;
    if (e->etime[a] != e->etime[b]) return e->etime[a] < e->etime[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* What the kept names did, stage by stage. */
typedef struct Flow {
    int n;                    /* stages */
    double *starts;           /* [n] */
    double *moves;            /* [n * n] */
    double *churn;            /* [n]: cases that ended there (inactive) */
    double *wait_done, *wait_sum; /* [n]: finished waits, and the time spent (censored too) */
    double *revenue, *entries;    /* [n] */
} Flow;

static void flow_init(Flow *f, int n)
{
    f->n = n;
    f->starts = xcalloc((size_t)n + 1, sizeof *f->starts);
    f->moves = xcalloc((size_t)n * (size_t)n + 1, sizeof *f->moves);
    f->churn = xcalloc((size_t)n + 1, sizeof *f->churn);
    f->wait_done = xcalloc((size_t)n + 1, sizeof *f->wait_done);
    f->wait_sum = xcalloc((size_t)n + 1, sizeof *f->wait_sum);
    f->revenue = xcalloc((size_t)n + 1, sizeof *f->revenue);
    f->entries = xcalloc((size_t)n + 1, sizeof *f->entries);
}

static void flow_free(Flow *f)
{
    free(f->starts);
    free(f->moves);
    free(f->churn);
    free(f->wait_done);
    free(f->wait_sum);
    free(f->revenue);
    free(f->entries);
}

/* Replays each case on the kept names (stage_of[name] >= 0): its first kept event starts it, each
 * next one is a move (its wait finished); its end is churn when it fell silent more than
 * `inactivity` days before the log's end (or always, without inactivity), else it is still inside
 * (its wait censored at the log's end). A churned case's last wait counts neither way: when it
 * left is not in the log, and its last event's time would make waits look short (and the draft's
 * time to convert too). A kept event's revenue goes to its stage; another's to the stage the
 * case is in. */
static void replay(const Events *e, const size_t *order, const int *stage_of, double inactivity, Flow *f)
{
    for (size_t i = 0; i < e->n;) {
        size_t j = i;
        uint32_t c = e->ecase[order[i]];
        int cur = -1;
        double entered = 0, last = 0;
        for (; j < e->n && e->ecase[order[j]] == c; j++) {
            size_t ev = order[j];
            int s = stage_of[e->ename[ev]];
            double t = e->etime[ev];
            last = t;
            if (s >= 0) {
                if (cur < 0) {
                    f->starts[s]++;
                } else {
                    f->moves[(size_t)cur * (size_t)f->n + (size_t)s]++;
                    f->wait_done[cur]++;
                    f->wait_sum[cur] += t - entered;
                }
                f->entries[s]++;
                cur = s;
                entered = t;
            }
            if (cur >= 0 && !isnan(e->erevenue[ev])) f->revenue[cur] += e->erevenue[ev];
        }
        if (cur >= 0) {
            if (inactivity <= 0 || e->log_end - last > inactivity) {
                f->churn[cur]++; /* when it left is unknown: its wait is no evidence */
            } else {
                f->wait_sum[cur] += e->log_end - entered;
            }
        }
        i = j;
    }
}

/* Names by the number of cases they occur in, most first (then by name, for a stable order). */
static const double *sort_count;
static const Intern *sort_names;
static int name_cmp(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    if (sort_count[a] != sort_count[b]) return sort_count[a] > sort_count[b] ? -1 : 1;
    size_t la = sort_names->len[a], lb = sort_names->len[b];
    int d = memcmp(sort_names->key[a], sort_names->key[b], la < lb ? la : lb);
    return d ? d : la < lb ? -1 : la > lb;
}

static char *fail(char **error, const char *fmt, const char *arg)
{
    int len = snprintf(NULL, 0, fmt, arg);
    *error = xmalloc((size_t)len + 1);
    snprintf(*error, (size_t)len + 1, fmt, arg);
    return NULL;
}

static void put_header(Buf *b, const char *title, const char *file, double cohort, const char *start, double inactivity)
{
    buf_puts(b, "// A draft journey discovered by cjm discover from ");
    buf_puts(b, file);
    buf_puts(b, ": review the stages, arrows and waits.\njourney ");
    if (title) {
        put_string(b, title, strlen(title));
    } else {
        char t[512];
        snprintf(t, sizeof t, "Discovered from %s", file);
        put_string(b, t, strlen(t));
    }
    double n = cohort < 1 ? 1 : cohort > 1e12 ? 1e12 : floor(cohort + 0.5);
    buf_printf(b, " {\n  cohort %.0f\n  seed 1\n  start %s\n", n, start);
    if (inactivity > 0) {
        buf_puts(b, "  inactivity ");
        put_duration(b, inactivity);
        buf_putc(b, '\n');
    }
    buf_puts(b, "}\n");
}

/* The kept names: at least min_share of the cases, at most max_stages, the goal always. */
static int choose_stages(const Events *e, const double *cases_with, size_t goal, const DiscoverOptions *o, int *kept)
{
    size_t nn = e->names.n;
    int *by = xcalloc(nn + 1, sizeof *by);
    for (size_t i = 0; i < nn; i++) by[i] = (int)i;
    sort_count = cases_with;
    sort_names = &e->names;
    qsort(by, nn, sizeof *by, name_cmp);
    double min_share = o->min_share > 0 ? o->min_share : DEFAULT_MIN_SHARE;
    int max = o->max_stages > 0 ? o->max_stages : DEFAULT_MAX_STAGES, n = 0;
    bool has_goal = false;
    for (size_t i = 0; i < nn && n < max; i++) {
        if (cases_with[by[i]] < min_share * (double)e->cases.n) break;
        kept[n++] = by[i];
        has_goal = has_goal || (size_t)by[i] == goal;
    }
    if (!has_goal) {
        if (n == max) n--;
        kept[n++] = (int)goal;
    }
    free(by);
    return n;
}

static char *discover_events(LogReader *r, const DiscoverOptions *o, char **error)
{
    Events e;
    memset(&e, 0, sizeof e);
    intern_init(&e.cases);
    intern_init(&e.names);
    e.log_end = -INFINITY;
    LogEvent ev;
    int got;
    while ((got = log_next(r, &ev)) == 1) events_add(&e, &ev);
    char *text = NULL;
    if (got < 0) {
        fail(error, "%s", log_error(r) ? log_error(r) : "cannot read the log");
        goto done;
    }
    if (e.n == 0) {
        fail(error, "%s: the log has no events", log_name(r));
        goto done;
    }
    char *goal_norm = xmalloc(strlen(o->goal) + 1);
    size_t glen = name_normalise(o->goal, strlen(o->goal), goal_norm);
    bool fresh;
    size_t goal = intern(&e.names, goal_norm, glen, &fresh);
    free(goal_norm);
    if (fresh) {
        *error = xmalloc(strlen(o->goal) + strlen(log_name(r)) + 64);
        sprintf(*error, "%s: no event is named '%s' (--goal)", log_name(r), o->goal);
        goto done;
    }
    size_t nn = e.names.n;
    double *cases_with = xcalloc(nn + 1, sizeof *cases_with);
    size_t *order = xcalloc(e.n, sizeof *order);
    for (size_t i = 0; i < e.n; i++) order[i] = i;
    sort_events = &e;
    qsort(order, e.n, sizeof *order, event_cmp);
    uint32_t *seen = xcalloc(nn + 1, sizeof *seen); /* the last case (+ 1) that counted the name */
    for (size_t i = 0; i < e.n; i++) {
        size_t ev_i = order[i];
        uint32_t nm = e.ename[ev_i];
        if (seen[nm] != e.ecase[ev_i] + 1) {
            seen[nm] = e.ecase[ev_i] + 1;
            cases_with[nm]++;
        }
    }
    free(seen);
    int *kept = xcalloc(nn + 1, sizeof *kept);
    int ns = choose_stages(&e, cases_with, goal, o, kept);
    int *stage_of = xcalloc(nn + 1, sizeof *stage_of);
    for (size_t i = 0; i < nn; i++) stage_of[i] = -1;
    for (int s = 0; s < ns; s++) stage_of[kept[s]] = s;
    Flow f;
    flow_init(&f, ns + 1);
    replay(&e, order, stage_of, o->inactivity, &f);
    /* Identifiers; a synthetic Start when cases start in several stages. */
    char **ident = xcalloc((size_t)ns + 2, sizeof *ident);
    int nstarts = 0, first = 0;
    for (int s = 0; s < ns; s++)
        if (f.starts[s] > 0) {
            nstarts++;
            first = s;
        }
    for (int s = 0; s < ns; s++) ident[s] = make_ident(e.spelling[kept[s]], e.spelling_len[kept[s]], ident, s);
    if (nstarts > 1) ident[ns] = make_ident("Start", 5, ident, ns);
    Buf b = {0};
    double left_out = 0;
    for (size_t i = 0; i < e.n; i++) left_out += stage_of[e.ename[i]] < 0;
    put_header(&b, o->title, log_name(r), (double)e.cases.n, nstarts > 1 ? ident[ns] : ident[first], o->inactivity);
    buf_printf(&b, "// %zu cases, %zu events; %d event names kept as stages (in at least %.4g%% of the cases); "
                   "left out: %zu other names (%.0f events)\n",
               e.cases.n, e.n, ns, 100 * (o->min_share > 0 ? o->min_share : DEFAULT_MIN_SHARE), nn - (size_t)ns,
               left_out);
    if (nstarts > 1) {
        buf_printf(&b, "\nstage %s {\n", ident[ns]);
        put_arrows(&b, ident, f.starts, ns, 0, "");
        buf_puts(&b, "}\n");
    }
    for (int s = 0; s < ns; s++) {
        const char *sp = e.spelling[kept[s]];
        size_t splen = e.spelling_len[kept[s]];
        buf_printf(&b, "\nstage %s%s {\n", ident[s], (size_t)kept[s] == goal ? " goal" : "");
        if (!name_equal(ident[s], strlen(ident[s]), sp, splen)) {
            buf_puts(&b, "  events ");
            put_string(&b, sp, splen);
            buf_putc(&b, '\n');
        }
        buf_printf(&b, "  // %.0f cases, %.0f entries\n", cases_with[kept[s]], f.entries[s]);
        if (f.wait_done[s] > 0 && f.wait_sum[s] > 0) {
            buf_puts(&b, "  wait exponential(");
            put_duration(&b, f.wait_sum[s] / f.wait_done[s]);
            buf_puts(&b, ")\n");
        }
        if (f.revenue[s] != 0 && f.entries[s] > 0) buf_printf(&b, "  revenue %.6g\n", f.revenue[s] / f.entries[s]);
        put_arrows(&b, ident, f.moves + (size_t)s * (size_t)f.n, ns, f.churn[s], "inactive");
        buf_puts(&b, "}\n");
    }
    text = buf_take(&b);
    for (int s = 0; s <= ns; s++) free(ident[s]);
    free(ident);
    flow_free(&f);
    free(stage_of);
    free(kept);
    free(order);
    free(cases_with);
done:
    events_free(&e);
    return text;
}

/* ---- path tables: the first-order Markov chain of the paths ---- */

static char *discover_paths(LogReader *r, const DiscoverOptions *o, char **error)
{
    Intern ch;
    intern_init(&ch);
    char **spelling = NULL;
    size_t *spelling_len = NULL;
    /* by channel index, grown as channels appear: moves between channels [cap * cap], from Start,
     * to Conversion and to null */
    size_t cap = 0;
    double *count = NULL, *from_start = NULL, *to_conv = NULL, *to_null = NULL;
    double value = 0, conversions = 0, total = 0;
    LogPath p;
    int got;
    char *text = NULL;
    int *idx = NULL;
    size_t idx_cap = 0;
    while ((got = log_next_path(r, &p)) == 1) {
        double w = p.conversions + p.nulls;
        if (!(w > 0) || p.nsteps == 0) continue;
        if ((size_t)p.nsteps > idx_cap) {
            idx_cap = (size_t)p.nsteps;
            idx = xrealloc(idx, idx_cap * sizeof *idx);
        }
        for (int k = 0; k < p.nsteps; k++) {
            char small[256];
            const LogStr *st = &p.steps[k];
            char *norm = st->len <= sizeof small ? small : xmalloc(st->len);
            size_t nlen = name_normalise(st->s ? st->s : "", st->s ? st->len : 0, norm);
            bool fresh;
            size_t c = intern(&ch, norm, nlen, &fresh);
            if (norm != small) free(norm);
            if (fresh) {
                spelling = xrealloc(spelling, ch.cap * sizeof *spelling);
                spelling_len = xrealloc(spelling_len, ch.cap * sizeof *spelling_len);
                spelling[c] = arena_strndup(&ch.arena, st->s ? st->s : "", st->s ? st->len : 0);
                spelling_len[c] = st->s ? st->len : 0;
            }
            if (ch.n > cap) { /* regrow the tables, keeping the counts */
                size_t ncap = cap ? 2 * cap : 64;
                double *grown = xcalloc(ncap * ncap, sizeof *grown);
                for (size_t i = 0; i < cap; i++) memcpy(grown + i * ncap, count + i * cap, cap * sizeof *grown);
                free(count);
                count = grown;
                double **vec[] = {&from_start, &to_conv, &to_null};
                for (int v = 0; v < 3; v++) {
                    *vec[v] = xrealloc(*vec[v], ncap * sizeof **vec[v]);
                    memset(*vec[v] + cap, 0, (ncap - cap) * sizeof **vec[v]);
                }
                cap = ncap;
            }
            idx[k] = (int)c;
        }
        from_start[idx[0]] += w;
        for (int k = 0; k + 1 < p.nsteps; k++) count[(size_t)idx[k] * cap + (size_t)idx[k + 1]] += w;
        to_conv[idx[p.nsteps - 1]] += p.conversions;
        to_null[idx[p.nsteps - 1]] += p.nulls;
        if (!isnan(p.value)) value += p.value;
        conversions += p.conversions;
        total += w;
    }
    free(idx);
    if (got < 0) {
        fail(error, "%s", log_error(r) ? log_error(r) : "cannot read the path table");
    } else if (ch.n == 0) {
        fail(error, "%s: the path table has no path with conversions or nulls", log_name(r));
    }
    if (!*error) {
        size_t nc = ch.n;
        char **ident = xcalloc(nc + 2, sizeof *ident);
        for (size_t c = 0; c < nc; c++) ident[c] = make_ident(spelling[c], spelling_len[c], ident, (int)c);
        ident[nc] = make_ident("Conversion", 10, ident, (int)nc);
        ident[nc + 1] = make_ident("Start", 5, ident, (int)nc + 1);
        Buf b = {0};
        put_header(&b, o->title, log_name(r), total, ident[nc + 1], 0);
        buf_printf(&b, "// %zu channels; the first-order Markov chain of the paths (%.0f paths, %.0f conversions).\n"
                       "// Each channel's removal effect: cjm compare --removal stages --exact (its stage's row).\n",
                   nc, total, conversions);
        for (size_t c = 0; c < nc; c++) {
            buf_printf(&b, "channel %s ", ident[c]);
            put_string(&b, spelling[c], spelling_len[c]);
            buf_putc(&b, '\n');
        }
        /* Start: to each first channel */
        double *to = xcalloc(nc + 2, sizeof *to);
        for (size_t c = 0; c < nc; c++) to[c] = from_start[c];
        buf_printf(&b, "\nstage %s {\n", ident[nc + 1]);
        put_arrows(&b, ident, to, (int)nc, 0, "");
        buf_puts(&b, "}\n");
        for (size_t c = 0; c < nc; c++) {
            buf_printf(&b, "\nstage %s {\n", ident[c]);
            if (!name_equal(ident[c], strlen(ident[c]), spelling[c], spelling_len[c])) {
                buf_puts(&b, "  events ");
                put_string(&b, spelling[c], spelling_len[c]);
                buf_putc(&b, '\n');
            }
            buf_printf(&b, "  touchpoint %sTouch { channel %s }\n", ident[c], ident[c]);
            for (size_t t = 0; t < nc; t++) to[t] = count[c * cap + t];
            to[nc] = to_conv[c];
            put_arrows(&b, ident, to, (int)nc + 1, to_null[c], "null");
            buf_puts(&b, "}\n");
        }
        free(to);
        buf_printf(&b, "\nstage %s goal {\n", ident[nc]);
        if (conversions > 0 && value != 0) buf_printf(&b, "  revenue %.6g\n", value / conversions);
        buf_puts(&b, "}\n");
        text = buf_take(&b);
        for (size_t c = 0; c < nc + 2; c++) free(ident[c]);
        free(ident);
    }
    free(count);
    free(from_start);
    free(to_conv);
    free(to_null);
    free(spelling);
    free(spelling_len);
    intern_free(&ch);
    return text;
}

char *fit_discover(LogReader *r, const DiscoverOptions *o, char **error)
{
    *error = NULL;
    if (log_format(r) == LOG_PATHS) return discover_paths(r, o, error);
    if (!o->goal || !*o->goal) return fail(error, "%s: cjm discover needs --goal EVENT (the event of conversion)", log_name(r));
    return discover_events(r, o, error);
}
