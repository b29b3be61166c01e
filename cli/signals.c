/* signals.c: what cjm does on Ctrl-C and termination (see signals.h). Everything the handler
 * does is async-signal-safe: set flags, unlink, re-raise. */
#include "signals.h"

#include <string.h>
#include <unistd.h>

#include "output.h"

volatile sig_atomic_t cli_signal;
static volatile sig_atomic_t cancellable;

static void on_signal(int sig)
{
    cli_signal = sig;
    if (cancellable) return; /* the run stops by itself and the command exits 128 + sig */
    output_remove_pending();
    /* End as the signal would have, so that the parent sees how the process ended. */
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction old;
        /* A signal ignored by the parent (nohup, a background job) stays ignored. */
        if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(signals[i], &sa, NULL);
    }
}

void cli_signals_cancellable(int on) { cancellable = on; }

int cli_signal_status(void) { return 128 + cli_signal; }
