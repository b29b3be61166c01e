/* progress_bar.c: the progress bar (see progress_bar.h). */
#include "progress_bar.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The seconds before a bar appears: 1, or CJM_PROGRESS_DELAY when it is a number from 0 to 60. */
static double delay_from_environment(void)
{
    const char *v = getenv("CJM_PROGRESS_DELAY");
    char *end = NULL;
    double d = v && *v ? strtod(v, &end) : 1.0;
    return end && *end == '\0' && d >= 0 && d <= 60 ? d : 1.0;
}

/* The RtProgress: a bar after the first second, redrawn at most ten times a second. */
static void draw(void *ctx, double done)
{
    Progress *p = ctx;
    double t = seconds_now();
    if (t - p->t0 < p->delay || t - p->last < 0.1) return;
    p->last = t;
    p->drawn = true;
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    int full = (int)(done * WIDTH);
    for (int i = 0; i < WIDTH; i++) bar[i] = i < full ? '=' : i == full ? '>' : ' ';
    bar[WIDTH] = '\0';
    double left = done > 0 ? (t - p->t0) * (1 - done) / done : 0;
    fprintf(stderr, "\r%s: [%s] %3.0f%%  %.0f s left ", p->label, bar, done * 100, left);
    fflush(stderr);
}

void progress_start(Progress *p, const char *cmd, bool quiet, RtProgress *fn, void **ctx)
{
    snprintf(p->label, sizeof p->label, "cjm %s", cmd);
    p->delay = delay_from_environment();
    progress_restart(p);
    bool shown = !quiet && isatty(STDERR_FILENO);
    *fn = shown ? draw : NULL;
    *ctx = shown ? p : NULL;
}

void progress_restart(Progress *p)
{
    p->t0 = seconds_now();
    p->last = 0;
    p->drawn = false;
}

void progress_end(Progress *p)
{
    if (!p->drawn) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->drawn = false;
}
