/* hist.c: the log-linear histogram of hist.h. Bucket numbers come from the bits of the double
 * (exponent and the top 6 bits of the mantissa), so they are exact and the same on every run. */
#include "hist.h"

#include <math.h>
#include <string.h>

#include "arena.h"

#define HIST_FLOOR RT_HIST_FLOOR

/* Bounds of bucket b (the last bucket's upper bound is infinite). */
static void bucket_bounds(int b, double *lo, double *hi)
{
    if (b == 0) {
        *lo = 0;
        *hi = HIST_FLOOR;
        return;
    }
    if (b == RT_HIST_BUCKETS - 1) {
        *lo = ldexp(HIST_FLOOR, RT_HIST_OCTAVES);
        *hi = INFINITY;
        return;
    }
    int e = (b - 1) / RT_HIST_SUB + 1, sub = (b - 1) % RT_HIST_SUB;
    double base = ldexp(HIST_FLOOR, e - 1); /* 2^(e-1) floors: the octave's start */
    *lo = base * (1 + (double)sub / RT_HIST_SUB);
    *hi = base * (1 + (double)(sub + 1) / RT_HIST_SUB);
}

/* Only the buckets used are reset (a block's histogram uses few). Zeroed memory is told apart by
 * lo == hi == 0: a histogram has lo < hi when used, lo == RT_HIST_BUCKETS when empty. */
void rt_hist_clear(RtHist *h)
{
    int from = h->lo, to = h->hi;
    if (from == 0 && to == 0) to = RT_HIST_BUCKETS;
    for (int i = from; i < to; i++) h->b[i] = (RtHistBucket){0, INFINITY, -INFINITY};
    h->lo = RT_HIST_BUCKETS;
    h->hi = 0;
}

void rt_hist_merge(RtHist *into, const RtHist *from)
{
    for (int i = from->lo; i < from->hi; i++) {
        const RtHistBucket *f = &from->b[i];
        RtHistBucket *t = &into->b[i];
        if (!f->count) continue;
        if (t->count == 0) {
            *t = *f;
            if (i < into->lo) into->lo = i;
            if (i + 1 > into->hi) into->hi = i + 1;
            continue;
        }
        if (f->min < t->min) t->min = f->min;
        if (f->max > t->max) t->max = f->max;
        t->count += f->count;
    }
}

uint64_t rt_hist_total(const RtHist *h)
{
    uint64_t n = 0;
    for (int i = h->lo; i < h->hi; i++) n += h->b[i].count;
    return n;
}

double rt_hist_typical(const RtHist *h, int i)
{
    const RtHistBucket *b = &h->b[i];
    double lo, hi;
    bucket_bounds(i, &lo, &hi);
    double mid = isinf(hi) ? b->max : (lo + hi) / 2;
    return mid < b->min ? b->min : mid > b->max ? b->max : mid;
}

uint64_t rt_hist_count_upto(const RtHist *h, double t)
{
    uint64_t n = 0;
    for (int i = h->lo; i < h->hi; i++) {
        const RtHistBucket *b = &h->b[i];
        if (!b->count || b->min > t) continue;
        if (b->max <= t) n += b->count;
        else n += 1 + (uint64_t)floor((double)(b->count - 2) * (t - b->min) / (b->max - b->min) + 0.5);
    }
    return n;
}

double rt_hist_max(const RtHist *h)
{
    for (int i = h->hi - 1; i >= h->lo; i--)
        if (h->b[i].count) return h->b[i].max;
    return NAN;
}

RtHist *rt_hist_copy(const RtHist *h)
{
    RtHist *c = xmalloc(sizeof *c);
    memcpy(c, h, sizeof *c);
    return c;
}

double rt_hist_quantile(const RtHist *h, double q)
{
    uint64_t total = rt_hist_total(h);
    if (total == 0) return NAN;
    uint64_t rank = (uint64_t)ceil(q * (double)total); /* nearest rank, 1-based */
    if (rank < 1) rank = 1;
    if (rank > total) rank = total;
    uint64_t seen = 0;
    for (int i = h->lo; i < h->hi; i++) {
        const RtHistBucket *b = &h->b[i];
        seen += b->count;
        if (seen < rank) continue;
        return rt_hist_typical(h, i);
    }
    return NAN;
}
