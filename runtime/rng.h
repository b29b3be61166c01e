/* rng.h: the random numbers of a run: xoshiro256** streams, one per block of customers (or, for
 * common random numbers, keyed by what they are for: rt_key), and the draws the simulator needs
 * (uniforms, thresholds, waits).
 *
 * Determinism: a stream depends only on (seed, block number), never on the thread that runs the
 * block, so a run gives the same customers for every --threads. Every draw below uses a fixed
 * number of generator outputs or a rejection loop that depends only on those outputs.
 *
 * Ownership: plain values, nothing to free. rt_rng_init_tables() must have run once (the
 * simulator calls it) before rt_exponential() is used; it is idempotent and thread-safe. */
#ifndef CJM_RT_RNG_H
#define CJM_RT_RNG_H

#include <math.h>
#include <stdint.h>

#include "ast.h"

/* The state words are `unsigned long long`, a type distinct from uint64_t (unsigned long on
 * LP64): the simulator's counters are uint64_t, and with distinct types the optimiser knows that
 * incrementing a counter cannot change the generator, so it keeps the state in registers. */
typedef unsigned long long RtRngWord;
_Static_assert(sizeof(RtRngWord) == 8, "xoshiro256** needs 64-bit words");

typedef struct RtRng {
    RtRngWord s[4];
} RtRng;

/* Thresholds compare against 53-bit integers: P(u53 < rt_threshold(p)) == p to within 2^-53. */
#define RT_ONE53 9007199254740992.0 /* 2^53 */
#define RT_U53_ALWAYS UINT64_C(9007199254740992)

/* The stream of block `block` of a run seeded with `seed` (SplitMix64 over both). */
void rt_rng_seed(RtRng *r, uint64_t seed, uint64_t block);

/* ---- keyed streams (common random numbers, sim.h) ----
 * rt_key(a, b) mixes two words into a key that depends on both (SplitMix64's finaliser, twice);
 * rt_rng_seed_key() starts the stream of a key. Keys built from what a draw is for (a customer,
 * a stage, a visit) give the same numbers to the same customer in every variant of a journey. */
static inline uint64_t rt_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static inline uint64_t rt_key(uint64_t a, uint64_t b)
{
    return rt_mix64(a ^ rt_mix64(b + UINT64_C(0x9E3779B97F4A7C15)));
}

static inline void rt_rng_seed_key(RtRng *r, uint64_t key)
{
    for (int i = 0; i < 4; i++) r->s[i] = rt_mix64(key += UINT64_C(0x9E3779B97F4A7C15));
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
}
void rt_rng_init_tables(void);

static inline uint64_t rt_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rt_next(RtRng *r)
{
    RtRngWord *s = r->s;
    uint64_t result = rt_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rt_rotl(s[3], 45);
    return result;
}

/* A uniform integer in [0, 2^53). */
static inline uint64_t rt_u53(RtRng *r) { return rt_next(r) >> 11; }
/* Uniform in [0, 1). */
static inline double rt_uniform(RtRng *r) { return (double)(rt_next(r) >> 11) * (1.0 / RT_ONE53); }
/* Uniform in (0, 1): safe for log(). */
static inline double rt_uniform_open(RtRng *r) { return ((double)(rt_next(r) >> 11) + 0.5) * (1.0 / RT_ONE53); }

/* The 53-bit threshold of probability p (clamped to [0, 1]). */
static inline uint64_t rt_threshold(double p)
{
    if (!(p > 0)) return 0;
    if (p >= 1) return RT_U53_ALWAYS;
    return (uint64_t)(p * RT_ONE53);
}

/* Exponential with mean 1 (ziggurat: one output and no log in 98.9% of draws). */
extern double rt_zig_x[257], rt_zig_f[257];
double rt_exponential_slow(RtRng *r, uint64_t bits);
static inline double rt_exponential(RtRng *r)
{
    uint64_t bits = rt_next(r);
    unsigned i = (unsigned)(bits & 0xff);
    double x = (double)(bits >> 11) * (1.0 / RT_ONE53) * rt_zig_x[i];
    if (x < rt_zig_x[i + 1]) return x;
    return rt_exponential_slow(r, bits);
}

/* Standard normal (Marsaglia's polar method, the second value discarded). */
double rt_normal(RtRng *r);

/* ---- waits ---- */
typedef enum { RT_WAIT_NONE, RT_WAIT_CONST, RT_WAIT_EXP, RT_WAIT_UNIFORM, RT_WAIT_NORMAL, RT_WAIT_LOGNORMAL,
               RT_WAIT_TRIANGULAR } RtWaitKind;

/* A wait distribution with its parameters prepared for drawing (see rt_wait_prepare). */
typedef struct RtWait {
    RtWaitKind kind;
    double a, b, c;  /* kind-specific, see rng.c */
    double mean;     /* the distribution's mean, for the exact analysis */
} RtWait;

/* From the language's parameters (days): constant(v), exponential(mean), uniform(lo, hi),
 * normal(mean, sd), lognormal(mean, sd), triangular(min, mode, max). Degenerate ones (sd 0,
 * lo == hi) become constants. */
RtWait rt_wait_prepare(DistKind kind, const double *args);
double rt_wait_draw_slow(const RtWait *w, RtRng *r);
static inline double rt_wait_draw(const RtWait *w, RtRng *r)
{
    if (w->kind == RT_WAIT_EXP) return w->a * rt_exponential(r);
    if (w->kind == RT_WAIT_CONST) return w->a;
    return rt_wait_draw_slow(w, r);
}

#endif
