/* loggen.c: the event log of `make bench`'s fit rows (bench/fit.sh): customers of
 * bench/journeys/fit7.journey (keep the tables in step) arriving at a steady rate, written as a
 * CSV sorted by time, quickly (Python would take minutes for 10^7 events).
 *
 * An event-driven simulation: a heap holds every customer's next event (and the next arrival), so
 * the events come out in time order and memory holds only the customers in flight. A customer
 * writes its stage's event on entering it, the stage's touchpoint (if any) with its reach at a
 * random moment of the wait, then moves on; churn is an event naming its reason, or silence (the
 * fit counts it with --inactivity). Times are ISO 8601 to the second, from 2024-01-01.
 *
 * Usage: loggen EVENTS [SEED] > log.csv
 * On standard error: events, customers, the log's span in days, and the most customers in flight
 * at once as cjm fit sees them with --inactivity 60 days (a case is in flight from its first event
 * to 60 days after its last). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NSTAGES = 7, MAXARROWS = 3, SILENT = -1, ARRIVAL = -2 };
#define INACTIVITY_DAYS 60.0
#define ARRIVALS_PER_DAY 4000.0

typedef struct {
    const char *event;
    double wait_mean;           /* exponential, days */
    const char *touchpoint;     /* NULL: none */
    double reach;
    int narrows;
    double prob[MAXARROWS];
    int target[MAXARROWS];      /* a stage, SILENT, or NSTAGES + k: churn event k */
} Stage;

static const char *const churn_events[] = {"abandoned", "cancelled"};

/* Aware, Interest, Consider, Purchase (goal), Onboard, Active, Advocate. */
static const Stage journey[NSTAGES] = {
    {"Aware", 2, "Search ad", 0.6, 2, {0.70, 0.30}, {1, SILENT}},
    {"Interest", 3, NULL, 0, 3, {0.60, 0.15, 0.25}, {2, 0, SILENT}},
    {"Consider", 5, "Pricing page", 0.5, 3, {0.50, 0.20, 0.30}, {3, 1, SILENT}},
    {"Purchase", 1, NULL, 0, 2, {0.90, 0.10}, {4, NSTAGES + 0}},
    {"Onboard", 7, "Welcome email", 0.9, 2, {0.80, 0.20}, {5, SILENT}},
    {"Active", 10, NULL, 0, 3, {0.40, 0.10, 0.50}, {5, 6, NSTAGES + 1}},
    {"Advocate", 10, "Referral", 0.3, 2, {0.50, 0.50}, {5, SILENT}},
};

/* ---- xoshiro256** ---- */
static uint64_t rs[4];
static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static uint64_t next_u64(void)
{
    uint64_t result = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;
    rs[2] ^= rs[0];
    rs[3] ^= rs[1];
    rs[1] ^= rs[2];
    rs[0] ^= rs[3];
    rs[2] ^= t;
    rs[3] = rotl(rs[3], 45);
    return result;
}
static double uniform01(void) { return (double)(next_u64() >> 11) * 0x1.0p-53; }
static double exponential(double mean) { return -mean * log(1 - uniform01()); }

/* ---- the heap of pending events ---- */
typedef struct {
    double t;
    uint64_t order;             /* ties: first scheduled first, so a customer's events keep order */
    int64_t customer;
    int what;                   /* a stage, NSTAGES + k churn event, SILENT, ARRIVAL, or TOUCH */
} Pending;
enum { TOUCH = -3 };

static Pending *heap;
static size_t heap_n, heap_cap;
static uint64_t scheduled;

static int earlier(const Pending *a, const Pending *b)
{
    return a->t < b->t || (a->t == b->t && a->order < b->order);
}

static void push(double t, int64_t customer, int what)
{
    if (heap_n == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 1024;
        heap = realloc(heap, heap_cap * sizeof *heap);
        if (!heap) { perror("loggen"); exit(1); }
    }
    size_t i = heap_n++;
    Pending p = {t, scheduled++, customer, what};
    while (i > 0 && earlier(&p, &heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = p;
}

static Pending pop(void)
{
    Pending top = heap[0], last = heap[--heap_n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= heap_n) break;
        if (c + 1 < heap_n && earlier(&heap[c + 1], &heap[c])) c++;
        if (!earlier(&heap[c], &last)) break;
        heap[i] = heap[c];
        i = c;
    }
    if (heap_n > 0) heap[i] = last;
    return top;
}

/* ---- customers: the stage each is in, and its first and last event (for in-flight counts) ---- */
static unsigned char *stage_of;
static double *first_t, *last_t;
static int64_t ncustomers, customers_cap;

static int64_t new_customer(double t)
{
    if (ncustomers == customers_cap) {
        customers_cap = customers_cap ? customers_cap * 2 : 1 << 16;
        stage_of = realloc(stage_of, (size_t)customers_cap);
        first_t = realloc(first_t, (size_t)customers_cap * sizeof *first_t);
        last_t = realloc(last_t, (size_t)customers_cap * sizeof *last_t);
        if (!stage_of || !first_t || !last_t) { perror("loggen"); exit(1); }
    }
    first_t[ncustomers] = t;
    return ncustomers++;
}

/* ---- output ---- */
static char obuf[1 << 20];
static size_t olen;

static void flush_out(void)
{
    if (fwrite(obuf, 1, olen, stdout) != olen) { perror("loggen"); exit(1); }
    olen = 0;
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void write_event(int64_t customer, const char *name, double t)
{
    const double epoch_days = 19723; /* 2024-01-01 */
    int64_t secs = (int64_t)floor((epoch_days + t) * 86400.0);
    int64_t day = secs / 86400, sod = secs % 86400;
    int y, m, d;
    civil(day, &y, &m, &d);
    if (olen > sizeof obuf - 256) flush_out();
    olen += (size_t)snprintf(obuf + olen, 256, "u%09lld,%s,%04d-%02d-%02dT%02d:%02d:%02d\n",
                             (long long)customer, name, y, m, d, (int)(sod / 3600),
                             (int)(sod / 60 % 60), (int)(sod % 60));
}

/* Enters stage s at time t: schedules the touchpoint (with its reach) and the next move. */
static void schedule_stage(int64_t c, int s, double t)
{
    const Stage *st = &journey[s];
    double w = exponential(st->wait_mean);
    if (st->touchpoint && uniform01() < st->reach) push(t + w * (0.05 + 0.9 * uniform01()), c, TOUCH);
    double u = uniform01(), acc = 0;
    int k = 0;
    for (; k < st->narrows - 1; k++) {
        acc += st->prob[k];
        if (u < acc) break;
    }
    push(t + w, c, st->target[k]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The most customers in flight at once: from the first event to INACTIVITY_DAYS after the last. */
static int64_t max_in_flight(void)
{
    double *starts = malloc((size_t)ncustomers * sizeof *starts);
    double *ends = malloc((size_t)ncustomers * sizeof *ends);
    if (!starts || !ends) { perror("loggen"); exit(1); }
    for (int64_t i = 0; i < ncustomers; i++) {
        starts[i] = first_t[i];
        ends[i] = last_t[i] + INACTIVITY_DAYS;
    }
    qsort(starts, (size_t)ncustomers, sizeof *starts, cmp_double);
    qsort(ends, (size_t)ncustomers, sizeof *ends, cmp_double);
    int64_t in = 0, best = 0, j = 0;
    for (int64_t i = 0; i < ncustomers; i++) {
        while (j < ncustomers && ends[j] < starts[i]) { j++; in--; }
        in++;
        if (in > best) best = in;
    }
    free(starts);
    free(ends);
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: loggen EVENTS [SEED] > log.csv\n");
        return 2;
    }
    int64_t want = atoll(argv[1]);
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1, x = seed;
    for (int i = 0; i < 4; i++) {
        x += 0x9E3779B97F4A7C15ULL;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        rs[i] = z ^ (z >> 31);
    }
    fputs("customer_id,event,timestamp\n", stdout);
    push(exponential(1 / ARRIVALS_PER_DAY), -1, ARRIVAL);
    int64_t written = 0;
    double now = 0;
    while (written < want && heap_n > 0) {
        Pending p = pop();
        now = p.t;
        int64_t c = p.customer;
        if (p.what == ARRIVAL) {
            c = new_customer(p.t);
            push(p.t + exponential(1 / ARRIVALS_PER_DAY), -1, ARRIVAL);
            p.what = 0;
        }
        if (p.what == SILENT) continue;
        if (p.what == TOUCH) {
            write_event(c, journey[stage_of[c]].touchpoint, p.t);
        } else if (p.what >= NSTAGES) {
            write_event(c, churn_events[p.what - NSTAGES], p.t);
        } else {
            stage_of[c] = (unsigned char)p.what;
            write_event(c, journey[p.what].event, p.t);
            schedule_stage(c, p.what, p.t);
        }
        last_t[c] = p.t;
        written++;
    }
    flush_out();
    fprintf(stderr, "loggen: %lld events, %lld customers, %.1f days, %lld customers in flight at most "
                    "(inactivity %.0f days)\n",
            (long long)written, (long long)ncustomers, now, (long long)max_in_flight(), INACTIVITY_DAYS);
    free(heap);
    free(stage_of);
    free(first_t);
    free(last_t);
    return 0;
}
