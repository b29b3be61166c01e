/* observe.h: fit/'s own view of the observer behind fit_observe() (fit.h), for the layer's other
 * files (sql.c builds a FitObs too) and the unit tests, which feed it events one by one.
 *
 * fit_observe() is: fit_observer_new(), fit_observer_add() for each event of the reader,
 * fit_observer_finish(). The observer owns the cases in flight (their events, compactly) and the
 * name caches; fit_observer_finish() replays what is left and hands over the FitObs. */
#ifndef CJM_FIT_OBSERVE_H
#define CJM_FIT_OBSERVE_H

#include <stddef.h>

#include "fit.h"

typedef struct FitObserver FitObserver;

/* `file` names the log in messages ("FILE:LINE: ..."). NULL with *error set when a --map rule
 * is wrong (its target names nothing) or memory runs out. */
FitObserver *fit_observer_new(const Model *m, const FitObserveOptions *o, const char *file, char **error);
/* Takes one event (its strings are copied where kept). 0, or -1 with the message in
 * fit_observer_error() (memory beyond max_memory, a log that stops being sorted after cases were
 * finished early, out of memory). After an error the observer takes nothing more. */
int fit_observer_add(FitObserver *ob, const LogEvent *ev);
const char *fit_observer_error(const FitObserver *ob);
/* Replays every case still in flight and returns the observations (the observer is freed either
 * way). NULL with *error set after an error or when memory runs out. */
FitObs *fit_observer_finish(FitObserver *ob, char **error);
void fit_observer_free(FitObserver *ob);

/* For tests: finish cases early once the events held take more than `bytes` (default: an eighth
 * of max_memory), and how many events and cases are held now. */
void fit_observer_set_flush_budget(FitObserver *ob, size_t bytes);
size_t fit_observer_events_held(const FitObserver *ob);
size_t fit_observer_cases_held(const FitObserver *ob);

/* A FitObs for model m with every count zero (waits' min +inf, max -inf), or NULL (no memory). */
FitObs *fit_obs_new(const Model *m);
/* Adds one wait of `days` to w (its sums and its bin). */
void fit_wait_add(FitWaitObs *w, double days);
void fit_wait_clear(FitWaitObs *w);
/* The distinct reasons of the journey's churn arrows, stages in order, arrows in order (the first
 * spelling of each, compared normalised): *n of them in a malloc'd array, or NULL. */
const char **fit_churn_reasons(const Model *m, int *n);

#endif
