/* observe.c: events become a journey's observations (FitObs): the mapping of event names onto
 * stages, touchpoints and churn (fit_map_name), the grouping of events into cases, and the replay
 * of each case (the plan's "Semantics", docs/fitting.md "From events to a journey").
 *
 * Speed: a log of 10^7 events must go through at millions of events a second, so the path of one
 * event is three steps without a malloc: its name looked up in a cache of distinct names (names
 * repeat: each is mapped once), its case looked up in a hash table of cases in flight, and a
 * compact record (time, name, numbers) appended to the case's array, which grows by doubling in
 * a slab of size classes. A case is replayed once its events are all in: at the end, or earlier
 * when the log is sorted by time and the case has been quiet for longer than the inactivity (no
 * later event can belong to the same case then: a gap that long ends a case, see replay below).
 *
 * A gap longer than the inactivity D between two events of a case ends it there (churn by
 * inactivity, or completion in a stage without arrows), and the later events start a new case of
 * the same id: this is what lets a sorted log be finished early with the same result as a log held
 * whole, and what a warehouse computes by splitting sessions at gaps (sql.c). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "met.h"
#include "names.h"
#include "observe.h"
#include "traits.h"

/* ---- names ---- */

/* Whether a (len la) and b (NUL-terminated, may be NULL) are equal once normalised (names.h). */
static bool same_name(const char *a, size_t la, const char *b)
{
    return b && name_equal(a, la, b, strlen(b));
}

static bool in_list(const char *s, size_t len, const StrList *l)
{
    for (; l; l = l->next)
        if (same_name(s, len, l->str.s)) return true;
    return false;
}

const char **fit_churn_reasons(const Model *m, int *n)
{
    *n = 0;
    int cap = 0;
    for (int s = 0; s < m->nstages; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) cap++;
    const char **r = malloc(sizeof *r * (size_t)(cap ? cap : 1));
    if (!r) return NULL;
    for (int s = 0; s < m->nstages; s++)
        for (const Arrow *a = m->stages[s]->arrows; a; a = a->next) {
            if (!a->to_churn || !a->reason.s || !a->reason.s[0]) continue;
            bool seen = false;
            for (int i = 0; i < *n && !seen; i++) seen = same_name(a->reason.s, strlen(a->reason.s), r[i]);
            if (!seen) r[(*n)++] = a->reason.s;
        }
    return r;
}

static int reason_index(const char *const *reasons, int nreasons, const char *s, size_t len)
{
    for (int i = 0; i < nreasons; i++)
        if (same_name(s, len, reasons[i])) return i;
    return -1;
}

static int stage_named(const Model *m, const char *s, size_t len)
{
    for (int i = 0; i < m->nstages; i++)
        if (same_name(s, len, m->stages[i]->name.s) || same_name(s, len, m->stages[i]->label.s)) return i;
    return -1;
}

static int touchpoint_named(const Model *m, const char *s, size_t len)
{
    for (int i = 0; i < m->ntouchpoints; i++)
        if (same_name(s, len, m->touchpoints[i]->name.s) || same_name(s, len, m->touchpoints[i]->label.s))
            return i;
    return -1;
}

/* What a --map rule's TARGET names; kind FIT_TO_NOTHING when it names nothing. */
static FitTarget map_target(const Model *m, const char *const *reasons, int nreasons, const char *t)
{
    size_t len = strlen(t);
    if (same_name(t, len, "ignore")) return (FitTarget){FIT_TO_IGNORE, -1};
    if (same_name(t, len, "churn")) return (FitTarget){FIT_TO_CHURN, -1};
    if (strncmp(t, "churn:", 6) == 0) {
        int r = reason_index(reasons, nreasons, t + 6, len - 6);
        return r >= 0 ? (FitTarget){FIT_TO_CHURN, r} : (FitTarget){FIT_TO_NOTHING, -1};
    }
    int s = stage_named(m, t, len);
    if (s >= 0) return (FitTarget){FIT_TO_STAGE, s};
    int k = touchpoint_named(m, t, len);
    if (k >= 0) return (FitTarget){FIT_TO_TOUCHPOINT, k};
    return (FitTarget){FIT_TO_NOTHING, -1};
}

static FitTarget map_with(const Model *m, const char *const *reasons, int nreasons, const FitMapRule *map,
                          int nmap, const char *name, size_t len)
{
    /* 1. --map EVENT=TARGET */
    for (int i = 0; i < nmap; i++)
        if (same_name(name, len, map[i].event)) return map_target(m, reasons, nreasons, map[i].target);
    /* 2. `events "a", "b"` lists of stages and touchpoints (the checker lets no name be in two) */
    for (int i = 0; i < m->nstages; i++)
        if (in_list(name, len, m->stages[i]->events)) return (FitTarget){FIT_TO_STAGE, i};
    for (int i = 0; i < m->ntouchpoints; i++)
        if (in_list(name, len, m->touchpoints[i]->events)) return (FitTarget){FIT_TO_TOUCHPOINT, i};
    /* 3. a stage's name or label; 4. a touchpoint's */
    int s = stage_named(m, name, len);
    if (s >= 0) return (FitTarget){FIT_TO_STAGE, s};
    int k = touchpoint_named(m, name, len);
    if (k >= 0) return (FitTarget){FIT_TO_TOUCHPOINT, k};
    /* 5. a churn arrow's reason */
    int r = reason_index(reasons, nreasons, name, len);
    if (r >= 0) return (FitTarget){FIT_TO_CHURN, r};
    return (FitTarget){FIT_TO_NOTHING, -1};
}

FitTarget fit_map_name(const Model *m, const FitMapRule *map, int nmap, const char *name, size_t len)
{
    int nreasons;
    const char **reasons = fit_churn_reasons(m, &nreasons);
    if (!reasons) return (FitTarget){FIT_TO_NOTHING, -1};
    FitTarget t = map_with(m, reasons, nreasons, map, nmap, name, len);
    free(reasons);
    return t;
}

/* ---- observations ---- */

void fit_wait_clear(FitWaitObs *w)
{
    memset(w, 0, sizeof *w);
    w->min = INFINITY;
    w->max = -INFINITY;
}

void fit_wait_add(FitWaitObs *w, double days)
{
    if (days < 0) days = 0;
    w->n++;
    w->sum += days;
    w->sumsq += days * days;
    if (days > 0) {
        double l = log(days);
        w->sumlog += l;
        w->sumlog2 += l * l;
    }
    if (days < w->min) w->min = days;
    if (days > w->max) w->max = days;
    w->bin[fit_bin_of(days)]++;
}

static void *zalloc(size_t n, size_t size, bool *ok)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) *ok = false;
    return p;
}

FitObs *fit_obs_new(const Model *m)
{
    FitObs *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->model = m;
    o->nstages = m->nstages;
    o->ntouchpoints = m->ntouchpoints;
    o->npersonas = m->npersonas;
    o->reasons = fit_churn_reasons(m, &o->nreasons);
    bool ok = o->reasons != NULL;
    size_t S = (size_t)m->nstages, T = (size_t)m->ntouchpoints, R = (size_t)o->nreasons;
    o->starts = zalloc(S, sizeof(double), &ok);
    o->entries = zalloc(S, sizeof(double), &ok);
    o->moves = zalloc(S * (S + 1), sizeof(double), &ok);
    o->churn_by_reason = zalloc(S * (R + 1), sizeof(double), &ok);
    o->completed = zalloc(S, sizeof(double), &ok);
    o->wait_done = zalloc(S, sizeof(FitWaitObs), &ok);
    o->wait_censored = zalloc(S, sizeof(FitWaitObs), &ok);
    o->revenue = zalloc(S, sizeof(double), &ok);
    o->revenue_n = zalloc(S, sizeof(double), &ok);
    o->touch_entries = zalloc(T, sizeof(double), &ok);
    o->touch_events = zalloc(T, sizeof(double), &ok);
    o->touch_outside = zalloc(T, sizeof(double), &ok);
    o->touch_cost = zalloc(T, sizeof(double), &ok);
    o->score_n_tp = zalloc(T, sizeof(double), &ok);
    o->score_sum_tp = zalloc(T, sizeof(double), &ok);
    o->score_promoters_tp = zalloc(T, sizeof(double), &ok);
    o->score_detractors_tp = zalloc(T, sizeof(double), &ok);
    o->mood_n = zalloc(S, sizeof(double), &ok);
    o->mood_sum = zalloc(S, sizeof(double), &ok);
    o->mood_sumsq = zalloc(S, sizeof(double), &ok);
    o->persona_cases = zalloc((size_t)m->npersonas, sizeof(double), &ok);
    if (ok && !fit_met_obs_init(o)) ok = false;
    if (!ok) {
        fit_obs_free(o);
        return NULL;
    }
    for (size_t s = 0; s < S; s++) {
        fit_wait_clear(&o->wait_done[s]);
        fit_wait_clear(&o->wait_censored[s]);
    }
    fit_wait_clear(&o->time_to_convert);
    fit_wait_clear(&o->followup_churned);
    fit_wait_clear(&o->followup_censored);
    o->log_start = o->log_end = NAN;
    return o;
}

static void free_names(FitNameCount *v, int n)
{
    for (int i = 0; i < n; i++) free(v[i].name);
    free(v);
}

void fit_obs_free(FitObs *o)
{
    if (!o) return;
    free((void *)o->reasons);
    free_names(o->unmapped_names, o->nunmapped_names);
    free_names(o->unknown_segments, o->nunknown_segments);
    double *arrays[] = {o->starts, o->entries, o->moves, o->churn_by_reason, o->completed, o->revenue,
                        o->revenue_n, o->touch_entries, o->touch_events, o->touch_outside, o->touch_cost,
                        o->score_n_tp, o->score_sum_tp, o->score_promoters_tp, o->score_detractors_tp,
                        o->mood_n, o->mood_sum, o->mood_sumsq, o->persona_cases};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) free(arrays[i]);
    free(o->wait_done);
    free(o->wait_censored);
    fit_met_obs_free(o);
    fit_trait_obs_free(o->traits, o->ntraits_obs);
    free(o);
}

/* ---- hashing ---- */

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
        h ^= h >> 29;
        s += 8, n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

/* ---- a slab of size classes: the cases' event arrays and ids without a malloc per event ---- */

enum { SLAB_CHUNK = 1 << 20, SLAB_MIN_CLASS = 4, SLAB_CLASSES = 48 };

typedef struct SlabChunk {
    struct SlabChunk *next;
} SlabChunk;

typedef struct Slab {
    void *free[SLAB_CLASSES];
    SlabChunk *chunks;
    char *cur;
    size_t left;
    size_t in_use; /* bytes handed out and not given back */
} Slab;

static int size_class(size_t n)
{
    int k = SLAB_MIN_CLASS;
    while (((size_t)1 << k) < n) k++;
    return k;
}

static void *slab_alloc(Slab *s, int k)
{
    size_t size = (size_t)1 << k;
    void *p;
    if (s->free[k]) {
        p = s->free[k];
        memcpy(&s->free[k], p, sizeof(void *));
    } else if (size >= SLAB_CHUNK / 4) {
        p = malloc(size);
        if (!p) return NULL;
    } else {
        if (s->left < size) {
            SlabChunk *c = malloc(SLAB_CHUNK);
            if (!c) return NULL;
            c->next = s->chunks;
            s->chunks = c;
            s->cur = (char *)c + 64; /* keeps blocks aligned */
            s->left = SLAB_CHUNK - 64;
        }
        p = s->cur;
        s->cur += size;
        s->left -= size;
    }
    s->in_use += size;
    return p;
}

static void slab_release(Slab *s, void *p, int k)
{
    if (!p) return;
    size_t size = (size_t)1 << k;
    s->in_use -= size;
    if (size >= SLAB_CHUNK / 4) {
        free(p);
        return;
    }
    memcpy(p, &s->free[k], sizeof(void *));
    s->free[k] = p;
}

static void slab_free_all(Slab *s)
{
    /* Large blocks are freed as released; every case is released before this. */
    while (s->chunks) {
        SlabChunk *n = s->chunks->next;
        free(s->chunks);
        s->chunks = n;
    }
}

/* ---- large arrays: the cases and their hash table ----
 * Cases are looked up at random, one or two cache misses per event; on large tables most of
 * their cost is the address translation, which huge pages (where the system gives them on
 * request) take away. */

enum { HUGE_PAGE = 2 << 20 };

static void *big_alloc(size_t size, bool zero)
{
    if (size < HUGE_PAGE) return zero ? calloc(1, size) : malloc(size);
    size_t rounded = (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, rounded);
    if (!p) return NULL;
#ifdef __linux__
    /* Linux's MADV_HUGEPAGE (14), which the POSIX call passes on; elsewhere nothing. */
    posix_madvise(p, rounded, 14);
#endif
    if (zero) memset(p, 0, rounded);
    return p;
}

/* ---- distinct strings (event names, segments): a table that only grows ---- */

typedef struct Distinct {
    uint64_t hash;
    char *s;
    size_t len;
    FitTarget target;   /* names: what it maps to */
    int persona;        /* segments: the persona it names, -1 for none */
    bool csat;          /* names: a CSAT survey touchpoint (its answers are 1-5) */
    double count;       /* names: events; segments: cases */
} Distinct;

typedef struct DistinctSet {
    Distinct *v;
    uint32_t n, cap;
    uint32_t *slot; /* index + 1, 0: empty */
    uint32_t mask;
} DistinctSet;

static bool distinct_grow(DistinctSet *d)
{
    uint32_t ncap = d->mask ? (d->mask + 1) * 2 : 64;
    uint32_t *slot = calloc(ncap, sizeof *slot);
    if (!slot) return false;
    for (uint32_t i = 0; i < d->n; i++) {
        uint32_t j = (uint32_t)d->v[i].hash & (ncap - 1);
        while (slot[j]) j = (j + 1) & (ncap - 1);
        slot[j] = i + 1;
    }
    free(d->slot);
    d->slot = slot;
    d->mask = ncap - 1;
    return true;
}

/* The entry of s, or -1 when absent; *at is where a new one goes. */
static int64_t distinct_find(const DistinctSet *d, const char *s, size_t len, uint64_t h, uint32_t *at)
{
    uint32_t j = (uint32_t)h & d->mask;
    for (; d->slot[j]; j = (j + 1) & d->mask) {
        const Distinct *e = &d->v[d->slot[j] - 1];
        if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0) return d->slot[j] - 1;
    }
    *at = j;
    return -1;
}

static Distinct *distinct_add(DistinctSet *d, const char *s, size_t len, uint64_t h, uint32_t at)
{
    if (d->n == d->cap) {
        uint32_t ncap = d->cap ? d->cap * 2 : 64;
        Distinct *v = realloc(d->v, sizeof *v * ncap);
        if (!v) return NULL;
        d->v = v;
        d->cap = ncap;
    }
    char *copy = malloc(len + 1);
    if (!copy) return NULL;
    memcpy(copy, s, len);
    copy[len] = 0;
    Distinct *e = &d->v[d->n];
    *e = (Distinct){h, copy, len, {FIT_TO_NOTHING, -1}, -1, false, 0};
    d->slot[at] = ++d->n;
    if ((uint64_t)d->n * 10 > (uint64_t)d->mask * 7 && !distinct_grow(d)) return NULL;
    return e;
}

static void distinct_free(DistinctSet *d)
{
    for (uint32_t i = 0; i < d->n; i++) free(d->v[i].s);
    free(d->v);
    free(d->slot);
}

/* ---- cases in flight ----
 *
 * A case is replayed as its events come (its state is in its record), as long as they come in
 * time order for it, which every log sorted by time, or grouped by case and sorted within, gives.
 * Meanwhile every event is also kept in `held`, 48 bytes each, until they take more than the
 * flush budget: should a case's events come out of order before then, the observer starts over
 * from `held` (the fallback: all events kept, grouped by case and sorted at the end, up to
 * max_memory). Once `held` is dropped, an event out of order is an error, and cases quiet for
 * longer than the inactivity are finished and dropped as the log goes on. */

/* One event as held. `name` is its entry among the distinct names. */
typedef struct Ev {
    double time, revenue, cost, score;
    uint32_t name;
    int32_t seg;        /* its entry among the distinct segments, -1: none */
    uint32_t serial;    /* its case's (Case.serial) */
} Ev;

/* The replay of one case (its current part: a gap longer than the inactivity starts another). */
typedef struct Replay {
    int stage;              /* -1: not started */
    int seg;                /* the first segment among its events, -1: none */
    double start, entered, last, first, prev;
    double conv_time, churn_time;
    double revenue, mood;
    bool any;               /* some event seen (first and prev are set) */
    bool ended;             /* churned or closed: later events count after churn */
    bool churned, completed, converted, closed;
} Replay;

enum { CASE_INLINE_ID = 16 };
typedef struct Case {
    uint64_t hash;
    uint32_t serial;    /* cases in the order they first came */
    char *id;           /* a block of the slab (class idclass); inline_id when idclass < 0 */
    uint32_t *visits;   /* [nstages] entries of each stage, only for a FitCase sink (vclass) */
    uint64_t met;       /* the current stage's touchpoints met in this entry (bit i: its i-th) */
    Replay r;
    uint32_t idlen;
    int8_t idclass, vclass;
    bool used;
    bool tomb;          /* a case finished early was here: lookups probe on past it */
    char inline_id[CASE_INLINE_ID];
} Case;

static const char *case_id(const Case *c) { return c->idclass < 0 ? c->inline_id : c->id; }

/* A FitCase kept until `held` is dropped (the fallback would replay its case again). */
typedef struct PendingCase {
    FitCase c;
    size_t id_at;       /* its id in pending_ids */
} PendingCase;

struct FitObserver {
    const Model *m;
    FitObserveOptions o;
    char *file;
    FitObs *obs;
    double inactivity;
    uint64_t max_memory;
    size_t flush_budget, next_scan;
    /* A stage's touchpoints in order: stage s's are tp_list[tp_start[s] .. tp_start[s + 1]);
     * tp_rank[k] is touchpoint k's place among its stage's (its bit in Case.met). */
    int *tp_start, *tp_list, *tp_rank;
    DistinctSet names, segments;
    Slab slab;
    /* The cases in flight: an open-addressing hash table of the records themselves (linear
     * probing from the hash's upper half, at most half full), so that finding a case and its
     * state is one cache miss. */
    Case *cases;
    uint32_t mask, ncases;
    uint32_t ntombs;            /* slots left by cases finished early, until the next rehash */
    Case *spare; uint32_t spare_cap; /* the table before the last rehash */
    uint32_t nserial;           /* cases created so far */
    Ev *held; size_t nheld, capheld;
    bool holding;               /* `held` is kept */
    bool fallback;              /* replaying from `held` at the end */
    PendingCase *pending; size_t npending, cappending;
    char *pending_ids; size_t pending_ids_len, pending_ids_cap;
    double *pending_followup;   /* conversion times of cases finished early in a stage without
                                 * arrows: censored at the log's end, which is not known yet */
    size_t nfollow, capfollow;
    double prev_time;           /* the latest time so far */
    double lag;                 /* the most an event has come before the latest time so far */
    double flushed_last;        /* the latest event of a case finished early */
    double scanned_at;          /* the time of the last look for quiet cases */
    bool sorted, flushed_any;   /* sorted: no event more than the inactivity behind */
    Ev *scratch; size_t capscratch;
    uint64_t nevents;
    int progress_last;
    char *error;
    bool failed;
};

static char *format_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static int fail(FitObserver *ob, char *msg)
{
    if (!ob->failed) {
        ob->failed = true;
        free(ob->error);
        ob->error = msg ? msg : format_msg("out of memory while reading %s", ob->file);
    } else {
        free(msg);
    }
    return -1;
}

static int fail_oom(FitObserver *ob) { return fail(ob, format_msg("out of memory while reading %s", ob->file)); }

const char *fit_observer_error(const FitObserver *ob) { return ob->error; }

void fit_observer_set_flush_budget(FitObserver *ob, size_t bytes)
{
    ob->flush_budget = bytes;
    ob->next_scan = bytes;
}

size_t fit_observer_events_held(const FitObserver *ob) { return ob->nheld; }
size_t fit_observer_cases_held(const FitObserver *ob) { return ob->ncases; }

static size_t memory_held(const FitObserver *ob)
{
    return ob->slab.in_use + ((size_t)ob->mask + 1 + ob->spare_cap) * sizeof(Case) +
           ob->capheld * sizeof(Ev) + ob->cappending * sizeof(PendingCase) + ob->pending_ids_cap;
}

/* The bytes the cases in flight take (what finishing them early gives back). */
static size_t in_flight(const FitObserver *ob) { return ob->slab.in_use + (size_t)ob->ncases * sizeof(Case); }

static char *check_map(const Model *m, const FitObs *obs, const FitObserveOptions *o)
{
    for (int i = 0; i < o->nmap; i++) {
        const FitMapRule *r = &o->map[i];
        if (!r->event || !r->target || !r->event[0])
            return format_msg("--map %s=%s: give an event name and a target", r->event ? r->event : "",
                              r->target ? r->target : "");
        FitTarget t = map_target(m, obs->reasons, obs->nreasons, r->target);
        if (t.kind == FIT_TO_NOTHING)
            return format_msg("--map %s=%s: '%s' is no stage or touchpoint of the journey, nor churn, "
                              "churn:REASON (a reason of a churn arrow) or ignore",
                              r->event, r->target, r->target);
    }
    return NULL;
}

FitObserver *fit_observer_new(const Model *m, const FitObserveOptions *o, const char *file, char **error)
{
    *error = NULL;
    FitObserver *ob = calloc(1, sizeof *ob);
    if (!ob) goto oom;
    ob->m = m;
    ob->o = *o;
    ob->file = strdup(file ? file : "<log>");
    ob->obs = fit_obs_new(m);
    ob->tp_start = calloc((size_t)m->nstages + 2, sizeof *ob->tp_start);
    ob->tp_list = calloc((size_t)m->ntouchpoints + 1, sizeof *ob->tp_list);
    ob->tp_rank = calloc((size_t)m->ntouchpoints + 1, sizeof *ob->tp_rank);
    if (!ob->file || !ob->obs || !ob->tp_start || !ob->tp_list || !ob->tp_rank) goto oom;
    for (int k = 0; k < m->ntouchpoints; k++)
        if (m->touchpoints[k]->stage_index >= 0) ob->tp_start[m->touchpoints[k]->stage_index + 2]++;
    for (int s = 0; s < m->nstages; s++) ob->tp_start[s + 2] += ob->tp_start[s + 1];
    for (int k = 0; k < m->ntouchpoints; k++) /* tp_start[s + 1]: stage s's next place */
        if (m->touchpoints[k]->stage_index >= 0) ob->tp_list[ob->tp_start[m->touchpoints[k]->stage_index + 1]++] = k;
    for (int st = 0; st < m->nstages; st++) /* now stage st's are tp_start[st] .. tp_start[st + 1] */
        for (int i = ob->tp_start[st]; i < ob->tp_start[st + 1]; i++) ob->tp_rank[ob->tp_list[i]] = i - ob->tp_start[st];
    if (!distinct_grow(&ob->names) || !distinct_grow(&ob->segments)) goto oom;
    ob->mask = 1023;
    ob->cases = big_alloc(sizeof *ob->cases * (ob->mask + 1), true);
    if (!ob->cases) goto oom;
    *error = check_map(m, ob->obs, o);
    if (*error) {
        fit_observer_free(ob);
        return NULL;
    }
    ob->inactivity = o->inactivity < 0 ? m->inactivity : o->inactivity;
    if (!(ob->inactivity > 0)) ob->inactivity = 0;
    ob->obs->inactivity = ob->inactivity;
    ob->max_memory = o->max_memory ? o->max_memory : (uint64_t)1 << 30;
    /* Holding little and finishing quiet cases keeps what is in flight in the processor's caches. */
    fit_observer_set_flush_budget(ob, (size_t)(ob->max_memory / 64));
    ob->holding = true;
    ob->sorted = true;
    ob->prev_time = ob->flushed_last = ob->scanned_at = -INFINITY;
    ob->progress_last = -1;
    return ob;
oom:
    fit_observer_free(ob);
    *error = format_msg("out of memory while reading %s", file ? file : "the log");
    return NULL;
}

/* ---- the replay of one case ---- */

static bool stage_has_arrows(const Model *m, int s) { return m->stages[s]->arrows != NULL; }

/* The entry of the current stage ends: the touchpoints met in it count once. */
static void end_entry(FitObserver *ob, Case *c)
{
    if (!c->met) return;
    const int *tps = &ob->tp_list[ob->tp_start[c->r.stage]];
    for (uint64_t m = c->met; m; m &= m - 1) ob->obs->touch_entries[tps[__builtin_ctzll(m)]]++;
    c->met = 0;
}

static void enter(FitObserver *ob, Case *c, int t, double time)
{
    FitObs *o = ob->obs;
    Replay *r = &c->r;
    o->entries[t]++;
    r->stage = t;
    r->entered = time;
    if (c->visits) c->visits[t]++;
    if (!r->converted && ob->m->stages[t]->goal) {
        r->converted = true;
        r->conv_time = time;
        o->converted++;
        fit_wait_add(&o->time_to_convert, time - r->start);
    }
}

static void churn_at(FitObserver *ob, Case *c, int reason_column, double time)
{
    FitObs *o = ob->obs;
    Replay *r = &c->r;
    int s = r->stage;
    o->moves[(size_t)s * (o->nstages + 1) + o->nstages]++;
    if (o->nmet) fit_met_count(o, s, c->met, o->nstages);
    if (reason_column >= 0) o->churn_by_reason[(size_t)s * (o->nreasons + 1) + reason_column]++;
    /* Churn by inactivity is seen only as silence: the customer waited at least until their last
     * event, and how much longer nobody knows. So that wait is censored there, not finished
     * there: counted as finished, the many entries whose last event was the entry itself gave
     * waits of 0 and a wait fitted as lognormal(10^6 days, 10^6 days). */
    if (reason_column == o->nreasons) fit_wait_add(&o->wait_censored[s], time - r->entered);
    else fit_wait_add(&o->wait_done[s], time - r->entered);
    end_entry(ob, c);
    r->churned = r->ended = true;
    r->churn_time = time;
    if (r->converted) fit_wait_add(&o->followup_churned, time - r->conv_time);
}

static bool push_pending(FitObserver *ob, const FitCase *fc)
{
    if (ob->npending == ob->cappending) {
        size_t ncap = ob->cappending ? ob->cappending * 2 : 256;
        PendingCase *p = realloc(ob->pending, ncap * sizeof *p);
        if (!p) return false;
        ob->pending = p;
        ob->cappending = ncap;
    }
    size_t need = ob->pending_ids_len + fc->id.len + 1;
    if (need > ob->pending_ids_cap) {
        size_t ncap = ob->pending_ids_cap ? ob->pending_ids_cap * 2 : 4096;
        while (ncap < need) ncap *= 2;
        char *p = realloc(ob->pending_ids, ncap);
        if (!p) return false;
        ob->pending_ids = p;
        ob->pending_ids_cap = ncap;
    }
    PendingCase *pc = &ob->pending[ob->npending++];
    pc->c = *fc;
    pc->id_at = ob->pending_ids_len;
    if (fc->id.len) memcpy(ob->pending_ids + ob->pending_ids_len, fc->id.s, fc->id.len);
    ob->pending_ids[ob->pending_ids_len + fc->id.len] = 0;
    ob->pending_ids_len = need;
    return true;
}

static void drain_pending(FitObserver *ob)
{
    for (size_t i = 0; i < ob->npending; i++) {
        FitCase c = ob->pending[i].c;
        c.id.s = ob->pending_ids + ob->pending[i].id_at;
        ob->o.cases->on_case(ob->o.cases->ctx, &c);
    }
    ob->npending = 0;
    ob->pending_ids_len = 0;
}

static int emit(FitObserver *ob, const FitCase *fc)
{
    if (!ob->o.cases || !ob->o.cases->on_case) return 0;
    /* While the fallback may replay every case again, what is emitted waits. */
    if (ob->holding && !ob->fallback) return push_pending(ob, fc) ? 0 : fail_oom(ob);
    ob->o.cases->on_case(ob->o.cases->ctx, fc);
    return 0;
}

static int defer_followup(FitObserver *ob, double conv_time)
{
    if (ob->nfollow == ob->capfollow) {
        size_t ncap = ob->capfollow ? ob->capfollow * 2 : 256;
        double *p = realloc(ob->pending_followup, ncap * sizeof *p);
        if (!p) return fail_oom(ob);
        ob->pending_followup = p;
        ob->capfollow = ncap;
    }
    ob->pending_followup[ob->nfollow++] = conv_time;
    return 0;
}

/* The case's current part ends after its last event (r->last). `quiet`: it is known to have been
 * quiet for longer than the inactivity (a gap, or a case finished early); else the log's end
 * decides. */
static int end_case(FitObserver *ob, Case *c, bool quiet)
{
    FitObs *o = ob->obs;
    Replay *r = &c->r;
    if (r->stage >= 0 && !r->churned) {
        int s = r->stage;
        if (!stage_has_arrows(ob->m, s)) {
            /* A journey's end is not a churn, however long the customer stays quiet there. */
            o->completed[s]++;
            r->completed = true;
            end_entry(ob, c);
        } else if (quiet || (ob->inactivity > 0 && o->log_end - r->last > ob->inactivity)) {
            churn_at(ob, c, o->nreasons, r->last);
        } else if (ob->inactivity > 0) {
            /* Quiet at the log's end for less than the inactivity: still waiting, or already
             * gone without a word. Either way it waited at least until its last event, and that
             * is all the log says (censored at the log's end, silent leavers would lengthen the
             * wait: 3.4 days fitted for a true 3). */
            fit_wait_add(&o->wait_censored[s], r->last - r->entered);
            end_entry(ob, c);
        } else {
            fit_wait_add(&o->wait_censored[s], o->log_end - r->entered);
            end_entry(ob, c);
        }
        if (r->converted && !r->churned) {
            if (quiet) {
                if (defer_followup(ob, r->conv_time) < 0) return -1;
            } else {
                fit_wait_add(&o->followup_censored, o->log_end - r->conv_time);
            }
        }
    }
    int persona = r->seg >= 0 ? ob->segments.v[r->seg].persona : -1;
    if (r->stage >= 0) {
        if (persona >= 0) o->persona_cases[persona]++;
        else if (r->seg >= 0) ob->segments.v[r->seg].count++;
        else o->no_segment++;
        FitCase fc = {{case_id(c), c->idlen}, r->stage, persona, r->churned, r->completed, r->converted,
                      r->entered, r->last, r->first, r->revenue, r->mood,
                      c->visits ? (int)c->visits[r->stage] : 0};
        if (emit(ob, &fc) < 0) return -1;
    }
    r->ended = r->closed = true;
    return 0;
}

static void start_replay(FitObserver *ob, Case *c)
{
    c->r = (Replay){.stage = -1, .seg = -1, .mood = NAN};
    c->met = 0;
    if (c->visits) memset(c->visits, 0, sizeof *c->visits * (size_t)ob->m->nstages);
}

/* An event's answer as mood: 1-5 for a CSAT touchpoint, else 0-10 (NPS). */
static bool mood_of(double score, bool csat, double *mood)
{
    if (isnan(score)) return false;
    if (csat) {
        if (score < 1 || score > 5) return false;
        *mood = (score - 3) / 2;
        return true;
    }
    if (score < 0 || score > 10) return false;
    *mood = score / 5 - 1;
    return true;
}

static void touchpoint_event(FitObserver *ob, Case *c, int k, const Ev *e)
{
    FitObs *o = ob->obs;
    int s = c->r.stage;
    o->touch_events[k]++;
    if (!isnan(e->cost)) o->touch_cost[k] += e->cost;
    if (s >= 0 && ob->m->touchpoints[k]->stage_index == s) {
        int i = ob->tp_rank[k];
        /* A stage's 65th touchpoint and beyond count per event, not per entry. */
        if (i < 64) c->met |= (uint64_t)1 << i;
        else o->touch_entries[k]++;
    } else {
        o->touch_outside[k]++;
    }
    if (!isnan(e->score)) {
        o->score_n_tp[k]++;
        o->score_sum_tp[k] += e->score;
        if (e->score >= 9) o->score_promoters_tp[k]++;
        if (e->score <= 6) o->score_detractors_tp[k]++;
    }
}

/* The numbers any event carries: revenue and an answer, in the stage the case is in. */
static void event_numbers(FitObserver *ob, Replay *r, const Ev *e, bool csat)
{
    FitObs *o = ob->obs;
    if (!isnan(e->revenue)) r->revenue += e->revenue;
    if (r->stage < 0) return;
    if (!isnan(e->revenue)) {
        o->revenue[r->stage] += e->revenue;
        o->revenue_n[r->stage]++;
    }
    double mood;
    if (mood_of(e->score, csat, &mood)) {
        o->mood_n[r->stage]++;
        o->mood_sum[r->stage] += mood;
        o->mood_sumsq[r->stage] += mood * mood;
        r->mood = mood;
    }
}

/* Replays one event of case c, which comes at or after its previous one. */
static int replay_event(FitObserver *ob, Case *c, const Ev *e)
{
    FitObs *o = ob->obs;
    Replay *r = &c->r;
    if (r->any && ob->inactivity > 0 && e->time - r->prev > ob->inactivity) {
        /* A gap longer than the inactivity: the case ended before it (quiet since its last
         * event); this event starts another case of the same id. */
        if (!r->closed && end_case(ob, c, true) < 0) return -1;
        start_replay(ob, c);
    }
    if (!r->any) r->first = e->time, r->any = true;
    r->prev = e->time;
    if (r->ended) {
        o->after_churn++;
        return 0;
    }
    if (r->seg < 0) r->seg = e->seg;
    r->last = e->time;
    const Distinct *d = &ob->names.v[e->name];
    FitTarget t = d->target;
    switch (t.kind) {
    case FIT_TO_STAGE:
        if (r->stage < 0) {
            o->cases++;
            o->starts[t.index]++;
            r->start = e->time;
        } else {
            int s = r->stage;
            o->moves[(size_t)s * (o->nstages + 1) + t.index]++;
            if (o->nmet) fit_met_count(o, s, c->met, t.index);
            fit_wait_add(&o->wait_done[s], e->time - r->entered);
            end_entry(ob, c);
        }
        enter(ob, c, t.index, e->time);
        break;
    case FIT_TO_TOUCHPOINT:
        if (r->stage < 0) o->before_first_stage++;
        touchpoint_event(ob, c, t.index, e);
        break;
    case FIT_TO_CHURN:
        if (r->stage < 0) {
            o->before_first_stage++;
            break;
        }
        event_numbers(ob, r, e, d->csat); /* in the stage it leaves */
        churn_at(ob, c, t.index, e->time);
        return 0;
    default:
        if (r->stage < 0) o->before_first_stage++;
        break;
    }
    event_numbers(ob, r, e, d->csat);
    return 0;
}

/* Sorts by time, keeping the order of equal times (a merge sort). */
static void merge_sort(Ev *v, Ev *tmp, size_t n)
{
    if (n < 2) return;
    size_t h = n / 2;
    merge_sort(v, tmp, h);
    merge_sort(v + h, tmp, n - h);
    if (!(v[h].time < v[h - 1].time)) return; /* already in order */
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = v[j].time < v[i].time ? v[j++] : v[i++];
    while (i < h) tmp[k++] = v[i++];
    while (j < n) tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

/* ---- the table of cases ---- */

static void case_release(FitObserver *ob, Case *c)
{
    if (c->idclass >= 0) slab_release(&ob->slab, c->id, c->idclass);
    if (c->visits) slab_release(&ob->slab, c->visits, c->vclass);
    c->used = false;
    c->tomb = true;
    c->id = NULL;
    c->visits = NULL;
    ob->ncases--;
    ob->ntombs++;
}

static uint32_t home_of(uint64_t hash, uint32_t mask) { return (uint32_t)(hash >> 32) & mask; }

/* Moves every record in use to a new table of `cap` slots (a power of two). The old table is kept
 * for the next time, when it has the size wanted then: fresh memory costs the system a page
 * fault and a cleared page each. */
static bool cases_rehash(FitObserver *ob, uint32_t cap)
{
    Case *t = ob->spare;
    if (t && ob->spare_cap == cap) {
        memset(t, 0, sizeof *t * cap);
    } else {
        free(ob->spare);
        ob->spare = NULL;
        t = big_alloc(sizeof *t * cap, true);
        if (!t) return false;
    }
    for (uint32_t i = 0; i <= ob->mask; i++) {
        if (!ob->cases[i].used) continue;
        uint32_t j = home_of(ob->cases[i].hash, cap - 1);
        while (t[j].used) j = (j + 1) & (cap - 1);
        t[j] = ob->cases[i];
    }
    ob->spare = ob->cases;
    ob->spare_cap = ob->mask + 1;
    ob->cases = t;
    ob->mask = cap - 1;
    ob->ntombs = 0;
    return true;
}

/* The table's size for n cases: at most a third full, so that it takes half as many new cases
 * again (or cases finished early, whose slots stay taken until then) before the next rehash. */
static uint32_t cases_cap_for(uint32_t n)
{
    uint32_t cap = 1024;
    while ((uint64_t)cap < (uint64_t)n * 3) cap *= 2;
    return cap;
}

static Case *case_new(FitObserver *ob, const LogStr *id, uint64_t h, uint32_t at)
{
    Case *c = &ob->cases[at];
    if (c->tomb) ob->ntombs--;
    memset(c, 0, sizeof *c);
    c->hash = h;
    c->idlen = (uint32_t)id->len;
    c->idclass = c->vclass = -1;
    char *to = c->inline_id;
    if (id->len >= CASE_INLINE_ID) {
        c->idclass = (int8_t)size_class(id->len + 1);
        to = c->id = slab_alloc(&ob->slab, c->idclass);
        if (!to) return NULL;
    }
    if (id->len) memcpy(to, id->s, id->len);
    to[id->len] = 0;
    if (ob->o.cases && ob->m->nstages > 0) {
        /* Entries per stage: FitCase.visits_here, for cjm score. */
        c->vclass = (int8_t)size_class(sizeof *c->visits * (size_t)ob->m->nstages);
        c->visits = slab_alloc(&ob->slab, c->vclass);
        if (!c->visits) {
            if (c->idclass >= 0) slab_release(&ob->slab, c->id, c->idclass);
            return NULL;
        }
    }
    c->used = true;
    c->serial = ob->nserial++;
    start_replay(ob, c);
    ob->ncases++;
    if (((uint64_t)ob->ncases + ob->ntombs) * 2 > (uint64_t)ob->mask + 1) {
        uint32_t serial = c->serial;
        if (!cases_rehash(ob, cases_cap_for(ob->ncases))) return NULL;
        /* The record moved: find it again. */
        for (uint32_t j = home_of(h, ob->mask);; j = (j + 1) & ob->mask)
            if (ob->cases[j].used && ob->cases[j].serial == serial) return &ob->cases[j];
    }
    return c;
}

/* The record of case `id`, made when new (*fresh); valid until the next case is made or cases
 * are finished early. NULL when memory ran out. */
static uint64_t case_hash(const LogStr *id) { return hash_bytes(id->s ? id->s : "", id->len); }

/* The case of `id`, whose case_hash() is h: found, or made (*fresh). */
static Case *case_of(FitObserver *ob, const LogStr *id, uint64_t h, bool *fresh)
{
    *fresh = false;
    const char *s = id->s ? id->s : "";
    uint32_t j = home_of(h, ob->mask);
    int64_t tomb = -1;
    for (; ob->cases[j].used || ob->cases[j].tomb; j = (j + 1) & ob->mask) {
        Case *c = &ob->cases[j];
        if (!c->used) {
            if (tomb < 0) tomb = j;
        } else if (c->hash == h && c->idlen == id->len && memcmp(case_id(c), s, id->len) == 0) {
            return c;
        }
    }
    LogStr sid = {s, id->len};
    *fresh = true;
    return case_new(ob, &sid, h, tomb >= 0 ? (uint32_t)tomb : j);
}

/* Finishes and drops every case quiet for longer than the inactivity at `now`. Their slots become
 * tombstones, reused by new cases and cleared by the next rehash: rehashing the whole table at
 * every look (as this did) took a fifth of the time of a large fit. The table shrinks only when
 * it has become mostly empty (so that it stays in the processor's caches). */
static int flush_quiet(FitObserver *ob, double now)
{
    bool any = false;
    for (uint32_t i = 0; i <= ob->mask; i++) {
        Case *c = &ob->cases[i];
        if (!c->used || !(now - c->r.prev > ob->inactivity)) continue;
        if (!c->r.closed && end_case(ob, c, true) < 0) return -1;
        if (c->r.prev > ob->flushed_last) ob->flushed_last = c->r.prev;
        case_release(ob, c);
        ob->flushed_any = any = true;
    }
    if (any && (uint64_t)ob->ncases * 16 < (uint64_t)ob->mask + 1 && ob->mask + 1 > 1024) {
        if (!cases_rehash(ob, cases_cap_for(ob->ncases))) return fail_oom(ob);
    }
    size_t held = in_flight(ob);
    size_t step = held / 2 > ob->flush_budget / 2 ? held / 2 : ob->flush_budget / 2;
    ob->next_scan = held + (step ? step : 1);
    ob->scanned_at = now;
    return 0;
}

/* A case's events came out of order while every event is still held: start over from them, to
 * replay each case in time order at the end. */
static int start_fallback(FitObserver *ob)
{
    FitObs *fresh = fit_obs_new(ob->m), *old = ob->obs;
    if (!fresh) return fail_oom(ob);
    fresh->events = old->events;
    fresh->log_start = old->log_start;
    fresh->log_end = old->log_end;
    fresh->inactivity = old->inactivity;
    fresh->mapped_stage = old->mapped_stage;
    fresh->mapped_touchpoint = old->mapped_touchpoint;
    fresh->mapped_churn = old->mapped_churn;
    fresh->ignored = old->ignored;
    fresh->unmapped = old->unmapped;
    fit_obs_free(old);
    ob->obs = fresh;
    for (uint32_t i = 0; i < ob->segments.n; i++) ob->segments.v[i].count = 0;
    ob->npending = 0;
    ob->pending_ids_len = 0;
    ob->nfollow = 0;
    ob->fallback = true;
    return 0;
}

static void stop_holding(FitObserver *ob)
{
    free(ob->held);
    ob->held = NULL;
    ob->nheld = ob->capheld = 0;
    ob->holding = false;
    if (ob->npending) drain_pending(ob);
}

static bool hold(FitObserver *ob, const Ev *e)
{
    if (ob->nheld == ob->capheld) {
        size_t ncap = ob->capheld ? ob->capheld * 2 : 4096;
        Ev *v = realloc(ob->held, ncap * sizeof *v);
        if (!v) return false;
        ob->held = v;
        ob->capheld = ncap;
    }
    ob->held[ob->nheld++] = *e;
    return true;
}

static void human_bytes(uint64_t b, char *out, size_t cap)
{
    if (b >= ((uint64_t)1 << 30) && b % ((uint64_t)1 << 30) == 0) snprintf(out, cap, "%llu GiB", (unsigned long long)(b >> 30));
    else if (b >= ((uint64_t)1 << 20) && b % ((uint64_t)1 << 20) == 0) snprintf(out, cap, "%llu MiB", (unsigned long long)(b >> 20));
    else if (b >= 1024 && b % 1024 == 0) snprintf(out, cap, "%llu KiB", (unsigned long long)(b >> 10));
    else snprintf(out, cap, "%llu bytes", (unsigned long long)b);
}

static const Distinct *name_entry(FitObserver *ob, const LogStr *name, uint32_t *index)
{
    const char *s = name->s ? name->s : "";
    uint64_t h = hash_bytes(s, name->len);
    uint32_t at;
    int64_t i = distinct_find(&ob->names, s, name->len, h, &at);
    if (i < 0) {
        FitTarget t = map_with(ob->m, ob->obs->reasons, ob->obs->nreasons, ob->o.map, ob->o.nmap, s, name->len);
        Distinct *d = distinct_add(&ob->names, s, name->len, h, at);
        if (!d) return NULL;
        d->target = t;
        d->csat = t.kind == FIT_TO_TOUCHPOINT && ob->m->touchpoints[t.index]->survey_kind == SURVEY_CSAT;
        i = ob->names.n - 1;
    }
    *index = (uint32_t)i;
    return &ob->names.v[i];
}

static int64_t segment_entry(FitObserver *ob, const LogStr *seg)
{
    uint64_t h = hash_bytes(seg->s, seg->len);
    uint32_t at;
    int64_t i = distinct_find(&ob->segments, seg->s, seg->len, h, &at);
    if (i >= 0) return i;
    int p = -1;
    for (int k = 0; k < ob->m->npersonas && p < 0; k++) {
        const Persona *ps = ob->m->personas[k];
        if (same_name(seg->s, seg->len, ps->name.s) || same_name(seg->s, seg->len, ps->label.s)) p = k;
    }
    Distinct *d = distinct_add(&ob->segments, seg->s, seg->len, h, at);
    if (!d) return -1;
    d->persona = p;
    return ob->segments.n - 1;
}

static void count_mapped(FitObs *o, FitTargetKind k)
{
    switch (k) {
    case FIT_TO_STAGE: o->mapped_stage++; break;
    case FIT_TO_TOUCHPOINT: o->mapped_touchpoint++; break;
    case FIT_TO_CHURN: o->mapped_churn++; break;
    case FIT_TO_IGNORE: o->ignored++; break;
    default: o->unmapped++; break;
    }
}

static void format_time(double days, char *out, size_t cap)
{
    time_t t = (time_t)floor(days * 86400);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm)) snprintf(out, cap, "%.6g days", days);
}

static int not_sorted(FitObserver *ob, const LogEvent *ev, double before, const char *what)
{
    char a[64], b[64];
    format_time(ev->time, a, sizeof a);
    format_time(before, b, sizeof b);
    return fail(ob, format_msg("%s:%llu: this event (%s) comes after one at %s%s: the log is not sorted by "
                               "time, and to save memory its events were no longer all kept; sort the log "
                               "by time, or raise --max-memory",
                               ob->file, (unsigned long long)ev->line, a, b, what));
}

static int observer_add(FitObserver *ob, const LogEvent *ev, uint64_t hash);

int fit_observer_add(FitObserver *ob, const LogEvent *ev)
{
    return observer_add(ob, ev, case_hash(&ev->case_id));
}

/* fit_observer_add() of an event whose case id's case_hash() is known. */
static int observer_add(FitObserver *ob, const LogEvent *ev, uint64_t hash)
{
    if (ob->failed) return -1;
    FitObs *o = ob->obs;
    if (isnan(ev->time))
        return fail(ob, format_msg("%s:%llu: an event without a time", ob->file, (unsigned long long)ev->line));
    o->events++;
    ob->nevents++;
    uint32_t ni;
    const Distinct *d = name_entry(ob, &ev->name, &ni);
    if (!d) return fail_oom(ob);
    ob->names.v[ni].count++;
    count_mapped(o, d->target.kind);
    if (isnan(o->log_start) || ev->time < o->log_start) o->log_start = ev->time;
    if (isnan(o->log_end) || ev->time > o->log_end) o->log_end = ev->time;
    if (ev->time < ob->prev_time) {
        /* A little disorder (clocks of different systems) is fine: cases are finished early only
         * with twice the largest lag seen as a margin, and not at all once an event comes more
         * than the inactivity late. */
        if (ob->prev_time - ev->time > ob->lag) ob->lag = ob->prev_time - ev->time;
        if (ob->lag > ob->inactivity) ob->sorted = false;
    } else {
        ob->prev_time = ev->time;
    }
    if (d->target.kind == FIT_TO_IGNORE) return 0;
    bool fresh;
    Case *c = case_of(ob, &ev->case_id, hash, &fresh);
    if (!c) return fail_oom(ob);
    /* A new case id this early may belong to a case already finished. */
    if (fresh && ob->flushed_any && ev->time - ob->flushed_last <= ob->inactivity)
        return not_sorted(ob, ev, ob->prev_time, "");
    int64_t si = -1;
    if (ev->segment.s && ev->segment.len && (si = segment_entry(ob, &ev->segment)) < 0) return fail_oom(ob);
    Ev e = {ev->time, ev->revenue, ev->cost, ev->score, ni, (int32_t)si, c->serial};
    if (ob->holding && !hold(ob, &e)) return fail_oom(ob);
    if (!ob->fallback) {
        if (c->r.any && e.time < c->r.prev) {
            if (!ob->holding) return not_sorted(ob, ev, c->r.prev, " of the same case");
            if (start_fallback(ob) < 0) return -1;
        } else if (replay_event(ob, c, &e) < 0) {
            return -1;
        }
        if (ob->holding && ob->capheld * sizeof(Ev) > ob->flush_budget) stop_holding(ob);
        /* Quiet cases are looked for every quarter of the inactivity, or when they take more
         * memory: the cases in flight stay those of the last inactivity and a bit. */
        if (!ob->holding && ob->sorted && ob->inactivity > 0 &&
            (ob->prev_time - ob->scanned_at > ob->inactivity / 4 || in_flight(ob) >= ob->next_scan) &&
            flush_quiet(ob, ob->prev_time - 2 * ob->lag) < 0)
            return -1;
    }
    if (memory_held(ob) > ob->max_memory) {
        char lim[32];
        human_bytes(ob->max_memory, lim, sizeof lim);
        return fail(ob, format_msg("%s:%llu: the log's events in flight need more than %s (%llu events of %u "
                                   "cases so far); sort the log by time, or raise --max-memory",
                                   ob->file, (unsigned long long)ev->line, lim,
                                   (unsigned long long)(ob->fallback ? ob->nheld : ob->nevents), ob->ncases));
    }
    return 0;
}

/* ---- the end ---- */

static int by_count_then_name(const void *a, const void *b)
{
    const FitNameCount *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The entries of d that `want` selects, as a malloc'd list sorted by count then name. */
static bool counted_names(const DistinctSet *d, bool (*want)(const Distinct *), FitNameCount **out, int *n)
{
    *out = NULL;
    *n = 0;
    int k = 0;
    for (uint32_t i = 0; i < d->n; i++) k += want(&d->v[i]) && d->v[i].count > 0;
    if (!k) return true;
    FitNameCount *v = calloc((size_t)k, sizeof *v);
    if (!v) return false;
    int j = 0;
    for (uint32_t i = 0; i < d->n; i++) {
        if (!want(&d->v[i]) || !(d->v[i].count > 0)) continue;
        v[j].name = strdup(d->v[i].s);
        v[j].count = d->v[i].count;
        if (!v[j++].name) {
            free_names(v, j);
            return false;
        }
    }
    qsort(v, (size_t)k, sizeof *v, by_count_then_name);
    *out = v;
    *n = k;
    return true;
}

static bool is_unmapped(const Distinct *d) { return d->target.kind == FIT_TO_NOTHING; }
static bool is_unknown_segment(const Distinct *d) { return d->persona < 0; }

/* The records in use in the order their cases came (NULL when memory ran out); *n of them. */
static Case **cases_in_order(FitObserver *ob, uint32_t *n)
{
    Case **v = calloc(ob->nserial ? ob->nserial : 1, sizeof *v);
    if (!v) return NULL;
    for (uint32_t i = 0; i <= ob->mask; i++)
        if (ob->cases[i].used) v[ob->cases[i].serial] = &ob->cases[i];
    *n = ob->nserial;
    return v;
}

/* The fallback's end: every held event grouped by case (a counting sort keeps the log's order),
 * each case sorted by time and replayed. No case was dropped: serials index them all. */
static int replay_held(FitObserver *ob)
{
    uint32_t n;
    Case **by = cases_in_order(ob, &n);
    size_t *at = calloc((size_t)n + 1, sizeof *at);
    Ev *grouped = malloc(sizeof *grouped * (ob->nheld ? ob->nheld : 1));
    Ev *tmp = malloc(sizeof *tmp * (ob->nheld ? ob->nheld : 1));
    if (!by || !at || !grouped || !tmp) {
        free(by), free(at), free(grouped), free(tmp);
        return fail_oom(ob);
    }
    for (size_t i = 0; i < ob->nheld; i++) at[ob->held[i].serial + 1]++;
    for (uint32_t k = 0; k < n; k++) at[k + 1] += at[k];
    for (size_t i = 0; i < ob->nheld; i++) grouped[at[ob->held[i].serial]++] = ob->held[i];
    size_t from = 0;
    int rc = 0;
    for (uint32_t k = 0; k < n && rc == 0; k++) {
        size_t to = at[k]; /* after the scatter, at[k] is the end of case k's events */
        Case *c = by[k];
        if (to == from || !c) continue;
        merge_sort(grouped + from, tmp, to - from);
        start_replay(ob, c);
        for (size_t i = from; i < to && rc == 0; i++) rc = replay_event(ob, c, &grouped[i]);
        if (rc == 0 && !c->r.closed) rc = end_case(ob, c, false);
        from = to;
    }
    free(by), free(at), free(grouped), free(tmp);
    return rc;
}

FitObs *fit_observer_finish(FitObserver *ob, char **error)
{
    *error = NULL;
    FitObs *o = ob->obs;
    if (!ob->failed) {
        if (!isnan(ob->o.log_end)) o->log_end = ob->o.log_end;
        if (isnan(o->log_end)) o->log_end = o->log_start = 0;
        if (ob->fallback) {
            replay_held(ob);
        } else {
            stop_holding(ob);
            uint32_t n;
            Case **by = cases_in_order(ob, &n);
            if (!by) fail_oom(ob);
            for (uint32_t k = 0; by && k < n && !ob->failed; k++)
                if (by[k] && !by[k]->r.closed) end_case(ob, by[k], false);
            free(by);
        }
        for (size_t i = 0; i < ob->nfollow; i++) fit_wait_add(&o->followup_censored, o->log_end - ob->pending_followup[i]);
    }
    if (!ob->failed && (!counted_names(&ob->names, is_unmapped, &o->unmapped_names, &o->nunmapped_names) ||
                        !counted_names(&ob->segments, is_unknown_segment, &o->unknown_segments, &o->nunknown_segments)))
        fail_oom(ob);
    if (ob->failed) {
        *error = ob->error;
        ob->error = NULL;
        fit_observer_free(ob);
        return NULL;
    }
    ob->obs = NULL;
    fit_observer_free(ob);
    return o;
}

void fit_observer_free(FitObserver *ob)
{
    if (!ob) return;
    for (uint32_t i = 0; ob->cases && i <= ob->mask; i++)
        if (ob->cases[i].used) case_release(ob, &ob->cases[i]);
    slab_free_all(&ob->slab);
    free(ob->cases);
    free(ob->spare);
    distinct_free(&ob->names);
    distinct_free(&ob->segments);
    fit_obs_free(ob->obs);
    free(ob->held);
    free(ob->pending);
    free(ob->pending_ids);
    free(ob->pending_followup);
    free(ob->tp_start);
    free(ob->tp_list);
    free(ob->tp_rank);
    free(ob->file);
    free(ob->error);
    free(ob);
}

/* ---- the reader's events ---- */

/* Events read ahead of the one replayed. Finding an event's case in the table of cases in flight
 * is a cache miss, one per event, most of the time fit_observe takes for a large log: reading a
 * few events ahead and asking the processor for each one's slot of the table while the events
 * before it are replayed (a prefetch) lets those misses overlap. The reader's strings live only
 * until its next event, so an event read ahead keeps copies of them. */
enum { AHEAD = 8 };
typedef struct AheadEvent {
    LogEvent ev;
    uint64_t hash;
    char *text;         /* the copies of its strings */
    size_t cap;
} AheadEvent;

typedef struct Ahead {
    AheadEvent e[AHEAD];
    unsigned head, n;
} Ahead;

static void ahead_copy(AheadEvent *a, LogStr *str, size_t *at)
{
    if (!str->s) return;
    memcpy(a->text + *at, str->s, str->len);
    str->s = a->text + *at;
    *at += str->len;
}

static bool ahead_push(Ahead *q, const LogEvent *ev, const FitObserver *ob)
{
    AheadEvent *a = &q->e[(q->head + q->n) % AHEAD];
    size_t need = ev->case_id.len + ev->name.len + ev->channel.len + ev->segment.len + 1;
    if (need > a->cap) {
        size_t cap = need < 256 ? 256 : need * 2;
        char *t = realloc(a->text, cap);
        if (!t) return false;
        a->text = t;
        a->cap = cap;
    }
    a->ev = *ev;
    size_t at = 0;
    ahead_copy(a, &a->ev.case_id, &at);
    ahead_copy(a, &a->ev.name, &at);
    ahead_copy(a, &a->ev.channel, &at);
    ahead_copy(a, &a->ev.segment, &at);
    a->hash = case_hash(&a->ev.case_id);
    /* The table may be rehashed before this event's turn: then the prefetch was merely wasted. */
    __builtin_prefetch(&ob->cases[home_of(a->hash, ob->mask)]);
    q->n++;
    return true;
}

static AheadEvent *ahead_pop(Ahead *q)
{
    AheadEvent *a = &q->e[q->head];
    q->head = (q->head + 1) % AHEAD;
    q->n--;
    return a;
}

static void ahead_free(Ahead *q)
{
    for (int i = 0; i < AHEAD; i++) free(q->e[i].text);
}

FitObs *fit_observe(const Model *m, LogReader *r, const FitObserveOptions *o, char **error)
{
    *error = NULL;
    if (log_format(r) == LOG_PATHS) {
        *error = format_msg("%s: a path table has no times or cases: cjm fit needs an event log "
                            "(cjm discover reads path tables)", log_name(r));
        return NULL;
    }
    FitObserver *ob = fit_observer_new(m, o, log_name(r), error);
    if (!ob) return NULL;
    uint64_t size = log_size(r);
    Ahead ahead = {0};
    int got = 1;
    for (;;) {
        while (got == 1 && ahead.n < AHEAD) {
            LogEvent ev;
            if ((got = log_next(r, &ev)) != 1) break;
            if (!ahead_push(&ahead, &ev, ob)) {
                fail_oom(ob);
                break;
            }
        }
        if (ob->failed || ahead.n == 0) break;
        AheadEvent *a = ahead_pop(&ahead);
        if (observer_add(ob, &a->ev, a->hash) < 0) break;
        if ((ob->nevents & 4095) == 0) {
            if (o->cancel && *o->cancel) {
                fail(ob, format_msg("%s: interrupted", ob->file));
                break;
            }
            if (size) rt_progress_report(o->progress, o->progress_ctx, (double)log_bytes_read(r) / (double)size, &ob->progress_last);
        }
    }
    ahead_free(&ahead);
    if (got < 0 && !ob->failed) fail(ob, strdup(log_error(r) ? log_error(r) : "the log cannot be read"));
    int last = ob->progress_last;
    FitObs *obs = fit_observer_finish(ob, error);
    if (obs && size) rt_progress_report(o->progress, o->progress_ctx, 1, &last);
    return obs;
}
