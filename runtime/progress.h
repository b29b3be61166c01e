/* progress.h: how a long computation (a simulation, a comparison) says how far it has got. The
 * runtime never draws anything: it calls its caller's function, which decides whether and how to
 * show it (cjm draws one bar on a terminal, cli/progress.c; a language server would send a
 * notification).
 *
 * The function is called on the thread that started the computation, never while the computation
 * holds a lock, with the share done (0..1, never decreasing), and only when that share has moved
 * on by a thousandth since the last call: at most about a thousand calls per computation, however
 * large, so a call may take its time (look at a clock, write to a terminal). */
#ifndef CJM_RT_PROGRESS_H
#define CJM_RT_PROGRESS_H

typedef void (*RtProgress)(void *ctx, double done);

enum { RT_PROGRESS_STEPS = 1000 };

/* Calls progress(ctx, done) when `done` has reached a thousandth past *last (start it at -1). */
static inline void rt_progress_report(RtProgress progress, void *ctx, double done, int *last)
{
    int step = (int)(done * RT_PROGRESS_STEPS);
    if (!progress || step <= *last) return;
    *last = step;
    progress(ctx, done);
}

#endif
