/* hist.h: a fixed-size log-linear histogram for times to convert, mergeable in any order.
 *
 * Buckets: [0, 2^-10 day) is bucket 0; above it, every power of two is split into 64 equal
 * buckets up to 2^40 days; larger values share one last bucket. Each bucket keeps its count and
 * the smallest and largest value it received. A percentile is the value of the nearest-rank
 * observation estimated as its bucket's midpoint, clamped to the bucket's observed [min, max]:
 * the error is at most half a bucket, i.e. 1/128 of the value (0.79%) above 2^-10 day, and at most
 * 2^-10 day (1.4 minutes) below; it is exact when a bucket holds one distinct value.
 *
 * Ownership: plain memory, RT_HIST_BUCKETS * 24 bytes; no pointers. */
#ifndef CJM_RT_HIST_H
#define CJM_RT_HIST_H

#include <stdint.h>
#include <string.h>

enum { RT_HIST_SUB = 64, RT_HIST_OCTAVES = 50, RT_HIST_BUCKETS = 2 + RT_HIST_SUB * RT_HIST_OCTAVES };

/* A bucket's figures together, so that adding a value touches one cache line. */
typedef struct RtHistBucket {
    uint64_t count;
    double min, max;
} RtHistBucket;

typedef struct RtHist {
    int lo, hi;               /* the buckets used are within [lo, hi); lo >= hi when none */
    RtHistBucket b[RT_HIST_BUCKETS];
} RtHist;

#define RT_HIST_FLOOR 0.0009765625 /* 2^-10 day: bucket 0 is [0, RT_HIST_FLOOR) */

/* Makes h empty. h is a histogram, or zeroed memory (calloc) that becomes one. An empty bucket
 * has count 0, min +infinity and max -infinity, so that adding a value needs no branch. */
void rt_hist_clear(RtHist *h);

/* The bucket of a value: v / floor = 2^(e-1) * (1 + mantissa); the exponent and the top 6 bits of
 * the mantissa are read from the bits of the double (the division by 2^-10 is exact). */
static inline int rt_hist_bucket(double v)
{
    if (!(v >= RT_HIST_FLOOR)) return 0; /* also NaN and negatives, which do not occur */
    double x = v * 1024.0;
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff) - 1022; /* x in [2^(e-1), 2^e) */
    if (e > RT_HIST_OCTAVES) return RT_HIST_BUCKETS - 1;
    int sub = (int)((bits >> (52 - 6)) & (RT_HIST_SUB - 1));
    return 1 + (e - 1) * RT_HIST_SUB + sub;
}

/* Inline: the simulator adds one value per converted customer and one per churned customer.
 * Without branches (min and max compile to minsd and maxsd, the range to cmov): the buckets of a
 * block's fresh histogram fill in an order no predictor guesses. */
static inline void rt_hist_add(RtHist *h, double v)
{
    int i = rt_hist_bucket(v);
    RtHistBucket *b = &h->b[i];
    b->count++;
    b->min = v < b->min ? v : b->min;
    b->max = v > b->max ? v : b->max;
    h->lo = i < h->lo ? i : h->lo;
    h->hi = i + 1 > h->hi ? i + 1 : h->hi;
}

/* Adds `from` into `into` (integer counts, min and max: the order of merges does not matter). */
void rt_hist_merge(RtHist *into, const RtHist *from);
uint64_t rt_hist_total(const RtHist *h);
/* The nearest-rank q-quantile (0 < q <= 1); NaN when the histogram is empty. */
double rt_hist_quantile(const RtHist *h, double q);
/* The value that stands for bucket i's observations, as quantiles report it: the bucket's
 * midpoint clamped to its observed [min, max]. */
double rt_hist_typical(const RtHist *h, int i);
/* How many values are <= t. Exact unless t falls between the smallest and the largest value of
 * one bucket (min <= t < max): that bucket then counts its smallest value, and its values between
 * the two ends as if spread evenly between them, rounded to a whole count. Non-decreasing in t. */
uint64_t rt_hist_count_upto(const RtHist *h, double t);
/* The largest value; NaN when empty. */
double rt_hist_max(const RtHist *h);
/* A malloc'd copy (free() it). */
RtHist *rt_hist_copy(const RtHist *h);

#endif
