/* rng.h: the random numbers of a simulation: SplitMix64 streams keyed by what they are for (a
 * customer, a stage, a visit), and the draws the simulator needs (uniforms, thresholds, waits).
 *
 * The generator is SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014; java.util.SplittableRandom): a 64-bit counter advanced by an odd
 * constant, each output the counter through Stafford's "Mix13" finaliser (rt_mix64), a bijection
 * in which every input bit flips every output bit with probability close to 1/2. It is a
 * well-studied generator: it passes TestU01's BigCrush (Steele et al.), and Vigna recommends it
 * to seed xoshiro. Being counter-based, output i of a stream is Mix13(start + i * RT_GAMMA): a
 * stream costs nothing to start, so every entry of a stage can have its own (the counter-based
 * design of Random123, with SplitMix64's mixing).
 *
 * Determinism: every stream depends only on its key (seed, customer number, stage, visit), never
 * on the thread or the order in which customers are simulated, so a simulation gives the same
 * customers for every --threads. Every draw below uses a fixed number of generator outputs or a
 * rejection loop that depends only on those outputs.
 *
 * Ownership: plain values, nothing to free. rt_rng_init_tables() must have run once (the
 * simulator calls it) before rt_exponential() is used; it is idempotent and thread-safe. */
#ifndef CJM_RT_RNG_H
#define CJM_RT_RNG_H

#include <math.h>
#include <stdint.h>

#include "ast.h"

/* The state word is `unsigned long long`, a type distinct from uint64_t (unsigned long on LP64):
 * the simulator's counters are uint64_t, and with distinct types the optimiser knows that
 * incrementing a counter cannot change the generator, so it keeps the state in a register. */
typedef unsigned long long RtRngWord;
_Static_assert(sizeof(RtRngWord) == 8, "SplitMix64 needs a 64-bit word");

/* A SplitMix64 stream: its counter (the next output is Mix13(s); then s grows by RT_GAMMA). */
typedef struct RtRng {
    RtRngWord s;
} RtRng;

/* SplitMix64's increment, 2^64 / the golden ratio, odd: the counter visits all 2^64 values. */
#define RT_GAMMA UINT64_C(0x9E3779B97F4A7C15)

/* Thresholds compare against 53-bit integers: P(u53 < rt_threshold(p)) == p to within 2^-53. */
#define RT_ONE53 9007199254740992.0 /* 2^53 */
#define RT_U53_ALWAYS UINT64_C(9007199254740992)

/* Stafford's Mix13, SplitMix64's output function: a bijection of 64-bit words. */
static inline uint64_t rt_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* ---- keys ----
 * rt_key(a, b) mixes two words into a key that depends on both (Mix13 twice): a run's key from
 * (seed, salt). Customer i's key is output i of the run key's stream, and that output draws the
 * customer's persona too (as SplittableRandom seeds a child with an output: what the customer
 * draws later is Mix13 of the key plus an offset, unrelated to the key's own bits). The other
 * draws are outputs of streams that start at the key plus an offset saying what they are for
 * (rt_entry_key): for an entry of a stage, the stage's key (Mix13 of a hash of its name,
 * RtStage.crn_key) plus the visit's number times RT_VISIT_STEP, and RT_WAIT_OFFSET more for that
 * entry's wait. Keys built from what a draw is for give the same numbers to the same
 * customer in every variant of a journey (common random numbers, compare.h).
 *
 * So every number is Mix13 of a counter, customer key + offset + i * RT_GAMMA, on SplitMix64's
 * one cycle of 2^64 counters, and two streams never share a counter in practice: customers' and
 * stages' keys are pseudo-random, so two given entries meet with a chance of about (the numbers
 * they draw) / 2^64; two visits of one stage, and an entry's two streams, are separated by
 * construction (tests/unit checks that k * RT_VISIT_STEP lies at least 2^46 steps of RT_GAMMA
 * from 0 for 0 < k < 200 000, and RT_WAIT_OFFSET + k * RT_VISIT_STEP at least 2^43 for
 * |k| < 100 000). The offsets differ between streams as SplitMix64's own steps do, by constants
 * with many bit transitions (the paper asks a gamma for at least 24; these have 37 and 39).
 * Offsets cost an add where a second Mix13 per entry would lengthen the path from a stage to its
 * next move (each entry's first number decides where the customer goes next), which the
 * simulator waits on after every mispredicted branch. */
#define RT_VISIT_STEP UINT64_C(0xD1B54A32D192ED03)
#define RT_WAIT_OFFSET UINT64_C(0x2545F4914F6CDD1D)

static inline uint64_t rt_key(uint64_t a, uint64_t b)
{
    return rt_mix64(a ^ rt_mix64(b + RT_GAMMA));
}

/* The start of the stream of visit `visit` (from 1) of the stage with key `stage_key`. */
static inline uint64_t rt_entry_key(uint64_t customer, uint64_t stage_key, uint64_t visit)
{
    return customer + stage_key + visit * RT_VISIT_STEP;
}

/* The stream that starts at `key`: its first output is Mix13(key). */
static inline RtRng rt_stream(uint64_t key) { return (RtRng){key}; }

/* Output i (from 0) of the stream that starts at `key`, without the stream: the same number as
 * the (i+1)-th rt_next() of rt_stream(key). */
static inline uint64_t rt_stream_at(uint64_t key, uint64_t i) { return rt_mix64(key + i * RT_GAMMA); }

void rt_rng_init_tables(void);

static inline uint64_t rt_next(RtRng *r)
{
    uint64_t z = r->s;
    r->s = z + RT_GAMMA;
    return rt_mix64(z);
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

/* rt_exponential() of rt_stream(key), without the stream on the fast path. */
static inline double rt_exponential_at(uint64_t key)
{
    uint64_t bits = rt_mix64(key);
    unsigned i = (unsigned)(bits & 0xff);
    double x = (double)(bits >> 11) * (1.0 / RT_ONE53) * rt_zig_x[i];
    if (x < rt_zig_x[i + 1]) return x;
    RtRng r = rt_stream(key + RT_GAMMA);
    return rt_exponential_slow(&r, bits);
}

/* Standard normal (Marsaglia's polar method, the second value discarded). */
double rt_normal(RtRng *r);

/* ---- traits drawn per customer (docs/semantics.md, "Traits drawn per customer") ----
 * A trait's stream starts at the customer's key + RT_TRAIT_OFFSET + a hash of the trait's name
 * (RtModel.trait_key): the same customer draws the same value of a trait in every variant of a
 * journey, and adding or removing another trait changes nothing. The offset is a constant with many
 * bit transitions, as RT_VISIT_STEP and RT_WAIT_OFFSET; the name's hash makes the distance to any
 * entry's stream pseudo-random (meeting one with a chance of about the numbers drawn / 2^64). */
#define RT_TRAIT_OFFSET UINT64_C(0x6A09E667F3BCC909)

/* Gamma(shape, 1) by Marsaglia and Tsang (2000, "A simple method for generating gamma
 * variables"), for shape < 1 from Gamma(shape + 1) times U^(1/shape). rt_gamma_log returns the
 * logarithm of the draw (exact for tiny shapes, whose draws may underflow a double). */
double rt_gamma_log(RtRng *r, double shape);
double rt_gamma(RtRng *r, double shape);
/* Beta(a, b) as X / (X + Y) of X ~ Gamma(a), Y ~ Gamma(b) (computed from their logarithms). */
double rt_beta(RtRng *r, double a, double b);

/* A trait's distribution prepared for drawing: kind DIST_* (ast.h); parameters as written
 * (uniform lo, hi; normal mean, sd, NOT truncated; lognormal mean, sd of the value; exponential
 * mean; triangular min, mode, max; gamma shape, rate; beta a, b). DIST_CHOICE draws value i
 * when the 53-bit number is below thr[i] (cumulative; the last is RT_U53_ALWAYS). */
typedef struct RtTraitDist {
    DistKind kind;
    double a, b, c;
    int n;              /* DIST_CHOICE: the items */
    const double *values;
    const uint64_t *thr;
} RtTraitDist;

double rt_trait_draw(const RtTraitDist *d, RtRng *r);

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

/* rt_wait_draw() from the stream that starts at `key`. */
static inline double rt_wait_draw_at(const RtWait *w, uint64_t key)
{
    if (w->kind == RT_WAIT_EXP) return w->a * rt_exponential_at(key);
    if (w->kind == RT_WAIT_CONST) return w->a;
    RtRng r = rt_stream(key);
    return rt_wait_draw_slow(w, &r);
}

/* The rest of a wait already `elapsed` days long, from the stream that starts at `key`: a wait
 * drawn from w conditioned on exceeding `elapsed`, minus `elapsed` (sim.h, SimStart). Exponential
 * waits are memoryless (the draw itself); constant and uniform by their rest; triangular by the
 * inverse of its CDF over [F(elapsed), 1); normal and lognormal by a standard normal conditioned
 * on its tail (rejection for a tail of probability >= 0.3, else Robert's exponential proposal).
 * 0 when the wait cannot last that long; elapsed <= 0 is rt_wait_draw_at(). */
double rt_wait_remaining(const RtWait *w, double elapsed, uint64_t key);

#endif
