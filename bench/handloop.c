/* handloop.c: the yardstick of `make bench`: the 7-stage journey of bench/journeys/b7.journey
 * simulated by a minimal hand-written C loop, with no interpreter at all: xoshiro256**, cumulative
 * 53-bit thresholds, inverse-CDF exponential waits (-mean * log(1 - u)), four personas with a
 * mood value. It counts what a minimal simulator must (entries per stage, conversions, churn) and
 * prints customer-steps (stage entries) per second. Keep the tables in step with b7.journey.
 *
 * Usage: handloop CUSTOMERS [SEED] */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

enum { NSTAGES = 7, MAXARROWS = 3, CHURN = -1 };

typedef struct {
    double wait_mean;
    int goal;
    int narrows;
    double prob[MAXARROWS];
    int target[MAXARROWS];
} Stage;

/* Aware, Interest, Consider, Purchase (goal), Onboard, Active, Advocate. */
static const Stage journey[NSTAGES] = {
    {2, 0, 2, {0.70, 0.30}, {1, CHURN}},
    {3, 0, 3, {0.60, 0.15, 0.25}, {2, 0, CHURN}},
    {5, 0, 3, {0.50, 0.20, 0.30}, {3, 1, CHURN}},
    {1, 1, 2, {0.90, 0.10}, {4, CHURN}},
    {7, 0, 2, {0.80, 0.20}, {5, CHURN}},
    {30, 0, 3, {0.40, 0.10, 0.50}, {5, 6, CHURN}},
    {10, 0, 2, {0.50, 0.50}, {5, CHURN}},
};
static const double persona_mood[4] = {0.1, -0.1, 0, 0.2};

static uint64_t s[4];

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next(void)
{
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: handloop CUSTOMERS [SEED]\n");
        return 2;
    }
    uint64_t n = strtoull(argv[1], NULL, 10), seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    for (int i = 0; i < 4; i++) s[i] = splitmix(&seed);
    uint64_t thr[NSTAGES][MAXARROWS];
    for (int st = 0; st < NSTAGES; st++) {
        double cum = 0;
        for (int a = 0; a < journey[st].narrows; a++) {
            cum += journey[st].prob[a];
            thr[st][a] = a == journey[st].narrows - 1 ? UINT64_MAX : (uint64_t)(cum * 9007199254740992.0);
        }
    }
    uint64_t entries[NSTAGES] = {0}, converted = 0, churned = 0, steps = 0;
    double mood_sum = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t c = 0; c < n; c++) {
        int persona = (int)(next() >> 62);
        double mood = persona_mood[persona], time = 0;
        int st = 0, conv = 0;
        for (;;) {
            const Stage *x = &journey[st];
            entries[st]++;
            steps++;
            mood_sum += mood;
            if (x->goal && !conv) conv = 1;
            time += -x->wait_mean * log(1 - (double)(next() >> 11) * (1.0 / 9007199254740992.0));
            uint64_t u = next() >> 11;
            int a = 0;
            while (u >= thr[st][a]) a++;
            st = x->target[a];
            if (st == CHURN) {
                churned++;
                break;
            }
        }
        converted += (uint64_t)conv;
        (void)time;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("handloop: %llu customers, %llu stage entries in %.3f s: %.4g stage entries/s; conversion %.4f, "
           "churn %.4f, mean mood %.3f; peak memory %.1f MiB\n",
           (unsigned long long)n, (unsigned long long)steps, secs, secs > 0 ? (double)steps / secs : 0,
           (double)converted / (double)n, (double)churned / (double)n, mood_sum / (double)steps,
           (double)ru.ru_maxrss / 1024.0);
    return 0;
}
