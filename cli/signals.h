/* signals.h: Ctrl-C (SIGINT), SIGTERM and SIGHUP. A long run stops cleanly at the next block of
 * customers and the command exits 130 (128 + the signal) without writing anything; at any other
 * moment the signal ends the process at once, after removing a half-written output file. */
#ifndef CJM_SIGNALS_H
#define CJM_SIGNALS_H

#include <signal.h>

/* The signal received (0 while none): the simulator watches it (SimOptions.cancel). */
extern volatile sig_atomic_t cli_signal;

void cli_signals_install(void);
/* While a run that watches cli_signal is in progress, a signal only sets it. */
void cli_signals_cancellable(int on);
/* The exit status after a signal: 128 + its number. */
int cli_signal_status(void);

#endif
